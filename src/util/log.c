/* log.c - JSON-lines logger for terraform (include/bluegreen/log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bluegreen/log.h"

#define RECORD_MAX 8192

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error"};

static enum bg_log_level parse_level(const char *s)
{
    size_t i;

    if (s == NULL || *s == '\0')
        return BG_LOG_OFF;
    if (strcasecmp(s, "json") == 0)
        return BG_LOG_TRACE;
    for (i = 0; i < BG_LOG_OFF; i++) {
        if (strcasecmp(s, level_names[i]) == 0)
            return (enum bg_log_level)i;
    }
    if (strcasecmp(s, "warning") == 0)
        return BG_LOG_WARN;
    /* terraform treats any other non-empty value as trace */
    return strcasecmp(s, "off") == 0 ? BG_LOG_OFF : BG_LOG_TRACE;
}

static const char *plain_getenv(const char *name)
{
    return getenv(name);
}

void bg_log_init(struct bg_logger *log, int fd, const char *(*env)(const char *name))
{
    const char *v;

    if (env == NULL)
        env = plain_getenv;
    v = env("TF_LOG_PROVIDER");
    if (v == NULL || *v == '\0')
        v = env("TF_LOG");
    log->min_level = parse_level(v);
    log->fd = fd;
}

void bg_log_escape(char *out, size_t out_size, const char *s)
{
    size_t o = 0;

    for (; *s != '\0' && o + 7 < out_size; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, out_size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

static size_t format_timestamp(char *buf, size_t size)
{
    struct timeval tv;
    struct tm tm;
    size_t n;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, size - n, ".%06ldZ", (long)tv.tv_usec);
    return n;
}

void bg_log(const struct bg_logger *log, enum bg_log_level level, const char *module,
            const char *fields, const char *fmt, ...)
{
    char msg[RECORD_MAX / 2], esc[RECORD_MAX / 2], ts[64], rec[RECORD_MAX];
    va_list ap;
    int n;

    if (log == NULL || level < log->min_level || level >= BG_LOG_OFF)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bg_log_escape(esc, sizeof(esc), msg);
    format_timestamp(ts, sizeof(ts));
    n = snprintf(rec, sizeof(rec),
                 "{\"@level\":\"%s\",\"@message\":\"%s\",\"@module\":\"bluegreen.%s\","
                 "\"@timestamp\":\"%s\"%s%s}\n",
                 level_names[level], esc, module, ts, fields != NULL ? "," : "",
                 fields != NULL ? fields : "");
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(rec)) {
        n = sizeof(rec) - 1;
        rec[n - 1] = '\n';
    }
    /* One write per record: lines from concurrent calls never interleave. */
    if (write(log->fd, rec, (size_t)n) < 0)
        return;
}
