/*
 * credentials_util.c - small pieces the credential sources share (creds.h, aws.h): secret
 * wiping, URL host checks, credential_process word splitting, token files, ISO 8601 times,
 * terraform-provider-aws durations and the JSON credential documents.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bluegreen/codec.h"
#include "bluegreen/value.h"
#include "creds.h"

struct bg_aws__secret_node {
    char *s;
    struct bg_aws__secret_node *next;
};

const char *bg_aws__secret(struct bg_aws__secrets *w, const char *s)
{
    struct bg_aws__secret_node *n;

    if (s == NULL)
        return NULL;
    n = bg_arena_alloc(w->a, sizeof(*n));
    n->s = (char *)s;
    n->next = w->head;
    w->head = n;
    return s;
}

void bg_aws__wipe_all(struct bg_aws__secrets *w)
{
    for (struct bg_aws__secret_node *n = w->head; n != NULL; n = n->next)
        explicit_bzero(n->s, strlen(n->s));
    w->head = NULL;
}

int bg_aws__error_prefix(struct bg_error *err, int code, const char *fmt, ...)
{
    char old[sizeof(err->msg)], prefix[sizeof(err->msg)];
    va_list ap;

    if (err == NULL)
        return code;
    memcpy(old, err->msg, sizeof(old));
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    return bg_error_set(err, code, "%s: %s", prefix, old);
}

/* The host of an http(s) URL into buf ("[::1]" keeps its brackets); false when malformed. */
static bool url_host(char *buf, size_t size, const char *url, bool *https)
{
    const char *p, *end;

    if (strncmp(url, "https://", 8) == 0)
        *https = true, p = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        *https = false, p = url + 7;
    else
        return false;
    end = p[0] == '[' ? strchr(p, ']') : p + strcspn(p, ":/?#");
    if (end == NULL)
        return false;
    end += p[0] == '[';
    if (end == p || (size_t)(end - p) >= size)
        return false;
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return true;
}

static bool host_is_loopback(const char *h)
{
    if (strcmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0)
        return true;
    return strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") == strlen(h);
}

bool bg_aws__url_is_loopback(const char *url)
{
    char host[256];
    bool https;

    return url_host(host, sizeof(host), url, &https) && host_is_loopback(host);
}

bool bg_aws__container_url_ok(const char *url)
{
    static const char *const aws_hosts[] = {"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"};
    char host[256];
    bool https;

    if (!url_host(host, sizeof(host), url, &https))
        return false;
    if (https || host_is_loopback(host))
        return true;
    for (size_t i = 0; i < sizeof(aws_hosts) / sizeof(aws_hosts[0]); i++) {
        if (strcmp(host, aws_hosts[i]) == 0)
            return true;
    }
    return false;
}

bool bg_aws_arn_region(char *out, size_t size, const char *arn)
{
    const char *p = arn;
    size_t n;

    if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
        return false;
    for (int field = 0; field < 3; field++) {
        p = strchr(p, ':');
        if (p == NULL)
            return false;
        p++;
    }
    n = strcspn(p, ":");
    if (n == 0 || n >= size || p[n] != ':')
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* ---- credential_process words ------------------------------------------------------------- */

struct words {
    const char **argv;
    size_t argc, cap;
    char *word; /* being built; NULL between words */
    size_t len;
};

static void put_char(struct words *w, struct bg_arena *a, size_t max, char ch)
{
    if (w->word == NULL) {
        w->word = bg_arena_alloc(a, max + 1);
        w->len = 0;
    }
    w->word[w->len++] = ch;
}

static void end_word(struct words *w)
{
    if (w->word == NULL)
        return;
    w->word[w->len] = '\0';
    w->argv[w->argc++] = w->word;
    w->word = NULL;
}

/* One quoted run starting after the opening quote; returns the index after the closing one,
 * or 0 when unterminated. */
static size_t quoted(struct words *w, struct bg_arena *a, size_t max, const char *s, size_t i,
                     char q)
{
    put_char(w, a, max, '\0'); /* "" is an (empty) word: make sure it exists */
    w->len--;
    for (; s[i] != '\0' && s[i] != q; i++) {
        if (q == '"' && s[i] == '\\' && s[i + 1] != '\0' && strchr("\\\"$`", s[i + 1]) != NULL)
            i++;
        put_char(w, a, max, s[i]);
    }
    return s[i] == q ? i + 1 : 0;
}

int bg_aws__split_command(const char ***out, size_t *argc, struct bg_arena *a, const char *line,
                          struct bg_error *err)
{
    size_t max = strlen(line), i = 0;
    struct words w = {bg_arena_calloc(a, max / 2 + 2, sizeof(char *)), 0, 0, NULL, 0};

    while (line[i] != '\0') {
        char ch = line[i];

        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            end_word(&w);
            i++;
        } else if (ch == '\'' || ch == '"') {
            i = quoted(&w, a, max, line, i + 1, ch);
            if (i == 0)
                return bg_error_set(err, BG_EINVAL, "unterminated %c quote", ch);
        } else {
            if (ch == '\\' && line[i + 1] != '\0')
                i++;
            put_char(&w, a, max, line[i++]);
        }
    }
    end_word(&w);
    if (w.argc == 0)
        return bg_error_set(err, BG_EINVAL, "empty command");
    w.argv[w.argc] = NULL;
    *out = w.argv;
    *argc = w.argc;
    return 0;
}

/* ---- token files ---------------------------------------------------------------------------- */

int bg_aws__read_token(const char **out, struct bg_arena *a, const char *path, const char *what,
                       struct bg_error *err)
{
    char *buf = bg_arena_alloc(a, BG_AWS__MAX_TOKEN + 1);
    size_t len = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *out = NULL;
    if (fd < 0)
        return bg_error_set(err, BG_EIO, "%s %s: %s", what, path, strerror(errno));
    while (len < BG_AWS__MAX_TOKEN && (n = read(fd, buf + len, BG_AWS__MAX_TOKEN - len)) > 0)
        len += (size_t)n;
    close(fd);
    while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
        len--;
    buf[len] = '\0';
    if (len == 0 || len == BG_AWS__MAX_TOKEN) {
        explicit_bzero(buf, len);
        return bg_error_set(err, BG_EIO, "%s %s: %s", what, path,
                            len == 0 ? "empty" : "larger than 64 KiB");
    }
    *out = buf;
    return 0;
}

/* ---- times and durations ------------------------------------------------------------------------
 */

static int bad_time(struct bg_error *err)
{
    return bg_error_set(err, BG_EINVAL, "expiration is not an ISO 8601 UTC time");
}

int bg_aws_parse_time(time_t *out, const char *s, struct bg_error *err)
{
    struct tm tm = {0};
    int used = 0, oh = 0, om = 0;
    const char *p;

    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != 19)
        return bad_time(err);
    p = s + used;
    if (*p == '.')
        p += 1 + strspn(p + 1, "0123456789");
    if (*p == '+' || *p == '-') {
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &used) != 2 || used != 5 || p[6] != '\0')
            return bad_time(err);
        oh = *p == '-' ? -oh : oh, om = *p == '-' ? -om : om;
    } else if (strcmp(p, "Z") != 0) {
        return bad_time(err);
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return bad_time(err);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm) - (time_t)oh * 3600 - (time_t)om * 60;
    return 0;
}

int bg_aws_parse_duration(long *out, const char *s, struct bg_error *err)
{
    long total = 0;
    const char *p = s;

    while (p != NULL && *p != '\0') {
        char *end;
        long n = strtol(p, &end, 10);

        if (end == p || n < 0 || n > 1000000 || strchr("hms", *end) == NULL || *end == '\0')
            return bg_error_set(err, BG_EINVAL,
                                "\"%s\" is not a duration like \"1h\", \"15m\" or \"1h30m\"", s);
        total += n * (*end == 'h' ? 3600 : *end == 'm' ? 60 : 1);
        p = end + 1;
    }
    if (p == NULL || total <= 0)
        return bg_error_set(err, BG_EINVAL, "a duration must be positive, like \"1h\"");
    *out = total;
    return 0;
}

/* ---- JSON credential documents --------------------------------------------------------------- */

static const char *field(const struct bg_value *doc, const char *a, const char *b)
{
    const char *v = bg_value_as_string(bg_value_get(doc, a));

    if ((v == NULL || v[0] == '\0') && b != NULL)
        v = bg_value_as_string(bg_value_get(doc, b));
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* An answer that says why there are no credentials (IMDS Code, container code/message). */
static int refused(const struct bg_value *doc, struct bg_error *err)
{
    const char *code = field(doc, "Code", "code"), *msg = field(doc, "Message", "message");

    return bg_error_set(err, BG_EPROTO, "answer without credentials%s%s%s%s",
                        code != NULL ? ": " : "", code != NULL ? code : "", msg != NULL ? ": " : "",
                        msg != NULL ? msg : "");
}

int bg_aws_parse_json_credentials(struct bg_aws_sts_creds *out, struct bg_arena *a,
                                  const char *json, size_t len, bool version1, struct bg_error *err)
{
    struct bg_value *doc = NULL;
    const char *code, *expiration;
    int64_t version = 0;

    memset(out, 0, sizeof(*out));
    if (bg_json_decode(&doc, a, json, len, NULL) != 0 || doc == NULL || doc->kind != BG_MAP)
        return bg_error_set(err, BG_EPROTO, "answer is not a JSON object");
    if (version1 && (bg_value_as_int(&version, bg_value_get(doc, "Version")) != 0 || version != 1))
        return bg_error_set(err, BG_EPROTO, "output must have \"Version\": 1");
    code = field(doc, "Code", NULL);
    out->access_key = field(doc, "AccessKeyId", NULL);
    out->secret_key = field(doc, "SecretAccessKey", NULL);
    out->token = field(doc, "Token", "SessionToken");
    if ((code != NULL && strcmp(code, "Success") != 0) || out->access_key == NULL ||
        out->secret_key == NULL) {
        memset(out, 0, sizeof(*out));
        return refused(doc, err);
    }
    expiration = field(doc, "Expiration", NULL);
    if (expiration != NULL && bg_aws_parse_time(&out->expires, expiration, err) != 0)
        return err != NULL ? err->code : BG_EINVAL;
    if (expiration == NULL && !version1)
        return bg_error_set(err, BG_EPROTO, "temporary credentials without an Expiration");
    return 0;
}
