/*
 * util.c - base64 both ways, bounded file reads and RFC 3339 times for the k8s module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int bg_k8s__base64_decode(char **out, size_t *out_len, struct bg_arena *a, const char *in,
                          size_t len)
{
    char *buf = bg_arena_alloc(a, len / 4 * 3 + 4);
    unsigned acc = 0;
    size_t i, n = 0, bits = 0, pad = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        int v;

        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        v = b64_value(c);
        if (v < 0 || pad > 0)
            return BG_EINVAL; /* a character after padding, or not base64 at all */
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (pad > 2 || bits >= 6)
        return BG_EINVAL;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

char *bg_k8s__base64_encode(struct bg_arena *a, const void *in, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = in;
    char *out = bg_arena_alloc(a, (len + 2) / 3 * 4 + 1);
    size_t i, n = 0;

    for (i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;

        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        out[n++] = alphabet[(v >> 18) & 63];
        out[n++] = alphabet[(v >> 12) & 63];
        out[n++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        out[n++] = i + 2 < len ? alphabet[v & 63] : '=';
    }
    out[n] = '\0';
    return out;
}

int bg_k8s__read_file(char **out, size_t *len, struct bg_arena *a, const char *path, size_t max,
                      struct bg_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf;
    size_t got = 0;
    int rc = 0;

    *out = NULL;
    if (fd < 0)
        return bg_error_set(err, BG_EIO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bg_error_set(err, BG_EINVAL, "%s is not a regular file", path);
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return bg_error_set(err, BG_ELIMIT, "%s is larger than %zu bytes", path, max);
    }
    buf = bg_arena_alloc(a, (size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = bg_error_set(err, BG_EIO, "cannot read %s: %s", path,
                              r < 0 ? strerror(errno) : "file shrank while reading");
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return rc;
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int bg_k8s_parse_time(time_t *out, const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *z;

    if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return BG_EINVAL;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return BG_EINVAL;
    z = s + 19;
    if (*z == '.')
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    if (*z == '+' || *z == '-') {
        sign = *z == '+' ? 1 : -1;
        if (strlen(z) != 6 || z[3] != ':' || !digits(z + 1, 2, &oh) || !digits(z + 4, 2, &om))
            return BG_EINVAL;
    } else if (strcmp(z, "Z") != 0 && strcmp(z, "z") != 0) {
        return BG_EINVAL;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return BG_EINVAL;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm) - sign * (oh * 3600 + om * 60);
    return 0;
}
