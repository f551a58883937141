/*
 * exec.c - exec credential plugins (client.authentication.k8s.io): run the command without a
 * shell, read its ExecCredential from stdout, bounded in size and time, and cut short by the
 * stop flag. This is how EKS users authenticate (`aws eks get-token`).
 *
 * posix_spawn rather than fork: the provider is multi-threaded (gRPC), and posix_spawn is
 * safe there. The child gets an empty signal mask and default dispositions (the provider
 * blocks SIGINT/SIGTERM for its signal-watcher thread, and ignores SIGPIPE).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

#define STDERR_KEEP 2048

static const char exec_info_v1beta1[] =
    "KUBERNETES_EXEC_INFO={\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
    "\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}";
static const char exec_info_v1[] =
    "KUBERNETES_EXEC_INFO={\"apiVersion\":\"client.authentication.k8s.io/v1\","
    "\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}";

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) && v->valuestring[0] != '\0' ? v->valuestring : NULL;
}

static int parse_status(struct bg_k8s_credential *out, struct bg_arena *a, const cJSON *st,
                        struct bg_error *err)
{
    const char *tok = json_str(st, "token"), *cert = json_str(st, "clientCertificateData"),
               *key = json_str(st, "clientKeyData"), *exp = json_str(st, "expirationTimestamp");

    if (tok == NULL && (cert == NULL || key == NULL))
        return bg_error_set(err, BG_EPROTO,
                            "ExecCredential status has neither token nor "
                            "clientCertificateData and clientKeyData");
    if (exp != NULL && bg_k8s_parse_time(&out->expires, exp) != 0)
        return bg_error_set(err, BG_EPROTO,
                            "ExecCredential expirationTimestamp \"%.40s\" is "
                            "not an RFC 3339 time",
                            exp);
    out->token = tok != NULL ? bg_arena_strdup(a, tok) : NULL;
    out->client_cert_pem = cert != NULL ? bg_arena_strdup(a, cert) : NULL;
    out->client_key_pem = key != NULL ? bg_arena_strdup(a, key) : NULL;
    return 0;
}

int bg_k8s_exec_parse(struct bg_k8s_credential *out, struct bg_arena *a, const char *api_version,
                      const char *json, size_t len, struct bg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    const char *kind, *version;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return bg_error_set(err, BG_EPROTO,
                            "the plugin did not print an ExecCredential JSON "
                            "object");
    }
    kind = json_str(doc, "kind");
    version = json_str(doc, "apiVersion");
    if (kind == NULL || strcmp(kind, "ExecCredential") != 0)
        rc = bg_error_set(err, BG_EPROTO, "the plugin printed kind \"%.40s\", not ExecCredential",
                          kind != NULL ? kind : "");
    else if (version == NULL || strcmp(version, api_version) != 0)
        rc = bg_error_set(err, BG_EPROTO, "the plugin answered apiVersion \"%.80s\", expected %s",
                          version != NULL ? version : "", api_version);
    else
        rc = parse_status(out, a, cJSON_GetObjectItemCaseSensitive(doc, "status"), err);
    cJSON_Delete(doc);
    return rc;
}

/* NULL-terminated "NAME=value" list: the provider's environment with x->env on top. */
static char **child_env(struct bg_arena *a, const struct bg_k8s_exec *x)
{
    size_t n = 0, i, k = 0;
    char **env;

    while (environ != NULL && environ[n] != NULL)
        n++;
    env = bg_arena_calloc(a, n + x->n_env + 2, sizeof(*env));
    for (i = 0; i < n; i++) {
        bool replaced = strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21) == 0;

        for (size_t j = 0; j < x->n_env && !replaced; j++) {
            size_t len = strlen(x->env[j].name);

            replaced = strncmp(environ[i], x->env[j].name, len) == 0 && environ[i][len] == '=';
        }
        if (!replaced)
            env[k++] = environ[i];
    }
    for (i = 0; i < x->n_env; i++)
        env[k++] = bg_arena_printf(a, "%s=%s", x->env[i].name, x->env[i].value);
    env[k++] = (char *)(strcmp(x->api_version, "client.authentication.k8s.io/v1") == 0
                            ? exec_info_v1
                            : exec_info_v1beta1);
    return env;
}

static char **child_argv(struct bg_arena *a, const struct bg_k8s_exec *x)
{
    char **argv = bg_arena_calloc(a, x->n_args + 2, sizeof(*argv));

    argv[0] = (char *)x->command;
    for (size_t i = 0; i < x->n_args; i++)
        argv[i + 1] = (char *)x->args[i];
    return argv;
}

struct child {
    pid_t pid;
    int out_fd, err_fd;
    char *out;
    size_t out_len;
    char errbuf[STDERR_KEEP + 1];
    size_t err_len;
    bool too_big;
};

static int spawn(struct child *ch, struct bg_arena *a, const struct bg_k8s_exec *x,
                 struct bg_error *err)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, rc = 0;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;

    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        rc = bg_error_set(err, BG_EIO, "cannot create pipes: %s", strerror(errno));
        goto done;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawnp(&ch->pid, x->command, &fa, &attr, child_argv(a, x), child_env(a, x));
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        rc = bg_error_set(err, BG_EINVAL, "cannot run exec command \"%s\": %s", x->command,
                          strerror(rc));
done:
    if (out_pipe[1] >= 0)
        close(out_pipe[1]);
    if (err_pipe[1] >= 0)
        close(err_pipe[1]);
    ch->out_fd = out_pipe[0];
    ch->err_fd = err_pipe[0];
    return rc;
}

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Reads what is there on fd; returns false at end of file. */
static bool drain(struct child *ch, int fd)
{
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof(buf));

    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (r <= 0)
        return false;
    if (fd == ch->out_fd) {
        if (ch->out_len + (size_t)r > BG_K8S_MAX_EXEC_OUTPUT) {
            ch->too_big = true;
            return false;
        }
        memcpy(ch->out + ch->out_len, buf, (size_t)r);
        ch->out_len += (size_t)r;
    } else {
        size_t keep = (size_t)r < STDERR_KEEP - ch->err_len ? (size_t)r : STDERR_KEEP - ch->err_len;

        memcpy(ch->errbuf + ch->err_len, buf, keep);
        ch->err_len += keep;
    }
    return true;
}

/* Collects output until both pipes close, the deadline passes or stop is set. Returns 0,
 * BG_ECANCELED or BG_ERETRY (timeout), BG_ELIMIT (too much output). */
static int collect(struct child *ch, long timeout_ms, const atomic_bool *stop)
{
    double deadline = mono_ms() + (double)timeout_ms;
    struct pollfd fds[2] = {{ch->out_fd, POLLIN, 0}, {ch->err_fd, POLLIN, 0}};

    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (stop != NULL && atomic_load(stop))
            return BG_ECANCELED;
        if (mono_ms() >= deadline)
            return BG_ERETRY;
        if (poll(fds, 2, 100) < 0 && errno != EINTR)
            return BG_EIO;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !drain(ch, fds[i].fd))
                fds[i].fd = -1;
            if (ch->too_big)
                return BG_ELIMIT;
        }
    }
    return 0;
}

/* The start of stderr, printable characters only, for messages. */
static const char *stderr_excerpt(struct bg_arena *a, struct child *ch)
{
    size_t n = ch->err_len < 300 ? ch->err_len : 300;
    char *s = bg_arena_strndup(a, ch->errbuf, n);

    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = ' ';
    }
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

static int finish(struct child *ch, struct bg_arena *a, const struct bg_k8s_exec *x, int rc,
                  struct bg_error *err)
{
    int status = 0;

    if (rc != 0)
        kill(ch->pid, SIGKILL);
    while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == BG_ECANCELED)
        return bg_error_set(err, rc, "exec command \"%s\" stopped on request", x->command);
    if (rc == BG_ERETRY)
        return bg_error_set(err, BG_EIO, "exec command \"%s\" did not finish in time", x->command);
    if (rc == BG_ELIMIT)
        return bg_error_set(err, rc, "exec command \"%s\" printed more than %u bytes", x->command,
                            BG_K8S_MAX_EXEC_OUTPUT);
    if (rc != 0)
        return bg_error_set(err, rc, "exec command \"%s\": cannot read its output", x->command);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return bg_error_set(err, BG_EINVAL, "exec command \"%s\" failed (%s %d): %s", x->command,
                            WIFEXITED(status) ? "exit status" : "signal",
                            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                            ch->err_len > 0 ? stderr_excerpt(a, ch) : "no output on stderr");
    return 0;
}

static void prefix_command(struct bg_error *err, const char *command)
{
    char msg[sizeof(err->msg)];

    snprintf(msg, sizeof(msg), "%s", err->msg);
    bg_error_set(err, err->code, "exec command \"%s\": %s", command, msg);
}

int bg_k8s_exec_run(struct bg_k8s_credential *out, struct bg_arena *a, const struct bg_k8s_exec *x,
                    long timeout_ms, const atomic_bool *stop, struct bg_error *err)
{
    struct child ch;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&ch, 0, sizeof(ch));
    /* malloc'd, not from the arena: only the parsed credential is kept */
    ch.out = malloc(BG_K8S_MAX_EXEC_OUTPUT + 1);
    if (ch.out == NULL)
        return bg_error_set(err, BG_EIO, "out of memory");
    ch.out_fd = ch.err_fd = -1;
    rc = spawn(&ch, a, x, err);
    if (rc == 0) {
        rc = finish(&ch, a, x, collect(&ch, timeout_ms > 0 ? timeout_ms : 30000, stop), err);
    }
    if (ch.out_fd >= 0)
        close(ch.out_fd);
    if (ch.err_fd >= 0)
        close(ch.err_fd);
    if (rc == 0) {
        ch.out[ch.out_len] = '\0';
        rc = bg_k8s_exec_parse(out, a, x->api_version, ch.out, ch.out_len, err);
        if (rc != 0)
            prefix_command(err, x->command);
    }
    explicit_bzero(ch.out, ch.out_len);
    free(ch.out);
    return rc;
}
