/*
 * creds.h - internals of the credential chain (src/aws/credentials*.c, sts.c, imds.c,
 * container.c, process.c): the plan settled at configure time, the context of one resolution,
 * and the fetchers of each network or process source. Not part of the public surface.
 *
 * A plan is pure data (no network was needed to build it): the base source that applies, the
 * sources passed over with the reason (for the diagnostic), and the roles to assume on top,
 * innermost first. Resolving it (credentials_resolve.c) runs the base source, then each
 * AssumeRole signed with what the previous step produced.
 */
#ifndef BLUEGREEN_AWS_CREDS_H
#define BLUEGREEN_AWS_CREDS_H

#include <stdatomic.h>

#include "bluegreen/aws.h"
#include "bluegreen/http.h"

#define BG_AWS__MAX_ROLES      9           /* provider assume_role + a profile chain 8 deep */
#define BG_AWS__MAX_TOKEN      (64u << 10) /* web identity / container token files */
#define BG_AWS__MAX_PROC_OUT   (64u << 10) /* credential_process stdout */
#define BG_AWS__IMDS_DEFAULT   "http://169.254.169.254"
#define BG_AWS__ECS_DEFAULT    "http://169.254.170.2"
#define BG_AWS__DEFAULT_MARGIN 300

/* The shared files of one resolution: paths (NULL when unknown) and contents (NULL when
 * unreadable or missing). */
struct bg_aws__files {
    const char *credentials, *config;
    const char *cred_text, *config_text;
};

void bg_aws__files_load(struct bg_aws__files *f, struct bg_arena *a, const char *const *envp);

/* Value of key in the profile's section; config_file: the config file's "[profile x]" form
 * (and "[default]"). NULL when absent. */
const char *bg_aws__ini_get(struct bg_arena *a, const char *text, const char *profile,
                            const char *key, int config_file);

/* Does the profile have a section in text? */
int bg_aws__ini_has(struct bg_arena *a, const char *text, const char *profile, int config_file);

enum bg_aws__kind {
    BG_AWS__NONE = 0, /* nothing configured: the plan's error says why */
    BG_AWS__STATIC,
    BG_AWS__WEB_IDENTITY,
    BG_AWS__PROCESS,
    BG_AWS__CONTAINER,
    BG_AWS__IMDS,
};

struct bg_aws__source {
    enum bg_aws__kind kind;
    const char *name;                            /* for messages; never a secret */
    const char *access_key, *secret_key, *token; /* STATIC */
    struct bg_aws_web_identity wi;               /* WEB_IDENTITY (token or token_file) */
    const char *const *argv;                     /* PROCESS: argv[0] is the program */
    const char *const *envp;                     /* PROCESS: its environment */
    const char *url, *auth, *auth_file;          /* CONTAINER */
    const char *endpoint;                        /* IMDS: scheme://host[:port] */
};

/* Secrets a plan or a run owns (strings in one arena), wiped with bg_aws__wipe_all before
 * that arena is freed. The list itself lives in the same arena. */
struct bg_aws__secret_node;
struct bg_aws__secrets {
    struct bg_arena *a;
    struct bg_aws__secret_node *head;
};

/* Records s (memory of w->a; NULL allowed) for wiping. Returns s. */
const char *bg_aws__secret(struct bg_aws__secrets *w, const char *s);
void bg_aws__wipe_all(struct bg_aws__secrets *w);

struct bg_aws__plan {
    const char *tried; /* "<source>: <why not>; ..." for the sources passed over; "" if none */
    struct bg_aws__source base;
    struct bg_aws_assume_role roles[BG_AWS__MAX_ROLES]; /* applied in order */
    const char *role_via[BG_AWS__MAX_ROLES];            /* "profile \"ci\"", "assume_role" */
    size_t n_roles;
    bool loopback_only; /* BG_AWS_INTERNAL_LOOPBACK_ONLY */
    struct bg_aws__secrets secrets;
};

/* Settles the chain (include/bluegreen/aws.h, bg_aws_credentials_new); the profile is named
 * as bg_aws_config_resolve names it. Strings are copied into a (secrets recorded in
 * out->secrets). BG_EINVAL with the list of sources when none applies, or when the one that
 * applies is invalid. */
int bg_aws__plan_build(struct bg_aws__plan *out, struct bg_arena *a,
                       const struct bg_aws_settings *s, const char *const *envp,
                       const char *sts_endpoint, struct bg_error *err);

/* Everything one resolution uses. client: the STS client (anonymous; requests carry their
 * own credentials), whose HTTP client also fetches metadata. */
struct bg_aws__run {
    struct bg_arena *a;
    struct bg_aws_client *client;
    const atomic_bool *stop;
    long process_timeout_ms;
    bool loopback_only;
    struct bg_aws__secrets secrets;
};

/* Runs the plan: the base source, then each role. *out strings in r->a, recorded secret. The
 * error names the failing source; r->stop set: BG_ECANCELED. */
int bg_aws__resolve(struct bg_aws_sts_creds *out, const char **source, struct bg_aws__run *r,
                    const struct bg_aws__plan *plan, struct bg_error *err);

/* The fetchers, each filling *out (secret strings recorded in r->secrets). */
int bg_aws__imds_fetch(struct bg_aws_sts_creds *out, struct bg_aws__run *r, const char *endpoint,
                       struct bg_error *err);
int bg_aws__container_fetch(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                            const struct bg_aws__source *src, struct bg_error *err);
int bg_aws__process_run(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                        const char *const *argv, const char *const *envp, struct bg_error *err);

/* A container full URI the SDKs accept: https, or http to loopback or the ECS/EKS hosts. */
bool bg_aws__container_url_ok(const char *url);

/* Is url's host 127.0.0.0/8, localhost or [::1]? */
bool bg_aws__url_is_loopback(const char *url);

/* Splits a credential_process command line into argv like a POSIX shell's words (blanks
 * separate; '...' literal; "..." with \ escaping \ " $ `; \ outside quotes escapes any
 * character), with no expansion of any kind. BG_EINVAL on an unterminated quote or an empty
 * line. */
int bg_aws__split_command(const char ***out, size_t *argc, struct bg_arena *a, const char *line,
                          struct bg_error *err);

/* Reads a token file (at most BG_AWS__MAX_TOKEN bytes, trailing blanks dropped) into the
 * arena. BG_EIO naming the path (never the content) when unreadable or empty. */
int bg_aws__read_token(const char **out, struct bg_arena *a, const char *path, const char *what,
                       struct bg_error *err);

/* Puts "<prefix>: " before err's message (err may be NULL); returns code. */
int bg_aws__error_prefix(struct bg_error *err, int code, const char *fmt, ...) BG_PRINTF(3, 4);

/* The HTTP client inside an AWS client (metadata endpoints share its connection cache). */
struct bg_http_client *bg_aws__client_http(struct bg_aws_client *c);

#endif
