/* http_server.c - the scripted 127.0.0.1 HTTP server of the unit tests (http_server.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/http_server.h"

static int wait_readable(struct test_server *s, int fd)
{
    struct pollfd p = {fd, POLLIN, 0};

    while (!atomic_load(&s->stop)) {
        int n = poll(&p, 1, 50);

        if (n > 0)
            return 0;
        if (n < 0)
            return -1;
    }
    return -1;
}

/* Reads one request; NULL when the peer closed or the server stops. */
static char *read_request(struct test_server *s, int fd)
{
    size_t cap = 1 << 16, len = 0, want = 0;
    char *buf = malloc(cap + 1), *end;
    ssize_t n;

    while (want == 0 || len < want) {
        if (wait_readable(s, fd) != 0 || len == cap)
            break;
        n = read(fd, buf + len, cap - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL && want == 0) {
            char cl[32] = "0";

            test_header(buf, "Content-Length", cl, sizeof(cl));
            want = (size_t)(end + 4 - buf) + strtoul(cl, NULL, 10);
        }
    }
    if (want != 0 && len >= want)
        return buf;
    free(buf);
    return NULL;
}

static void answer(int fd, const struct test_reply *r)
{
    const char *body = r->body ? r->body : "";
    char head[1024];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d X\r\nContent-Type: text/xml\r\n%sContent-Length: %zu\r\n\r\n",
                     r->status, r->headers ? r->headers : "", strlen(body));

    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        return;
}

static void serve_connection(struct test_server *s, int fd)
{
    static const struct test_reply fallback = {500, "", 0, 0, NULL};
    char *req;

    while ((req = read_request(s, fd)) != NULL) {
        const struct test_reply *r = s->served < s->n_replies ? &s->replies[s->served] : &fallback;

        if (s->served < TEST_SERVER_MAX)
            s->requests[s->served] = req;
        else
            free(req);
        s->served++;
        if (r->drop)
            return;
        if (r->hang) {
            while (!atomic_load(&s->stop))
                usleep(20000);
            return;
        }
        answer(fd, r);
    }
}

static void *run(void *arg)
{
    struct test_server *s = arg;

    while (wait_readable(s, s->fd) == 0) {
        int c = accept(s->fd, NULL, NULL);

        if (c < 0)
            continue;
        s->accepted++;
        serve_connection(s, c);
        close(c);
    }
    return NULL;
}

int test_server_start(struct test_server *s, const struct test_reply *replies, size_t n)
{
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof(addr);

    memset(s, 0, sizeof(*s));
    s->replies = replies;
    s->n_replies = n;
    atomic_init(&s->stop, false);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never anything but 127.0.0.1 */
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(s->fd, 8) != 0 || getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    s->port = ntohs(addr.sin_port);
    return pthread_create(&s->thread, NULL, run, s) == 0 ? 0 : -1;
}

void test_server_stop(struct test_server *s)
{
    if (s->fd < 0)
        return;
    atomic_store(&s->stop, true);
    pthread_join(s->thread, NULL);
    close(s->fd);
    s->fd = -1;
}

void test_server_free(struct test_server *s)
{
    test_server_stop(s);
    for (size_t i = 0; i < TEST_SERVER_MAX; i++) {
        free(s->requests[i]);
        s->requests[i] = NULL;
    }
}

int test_header(const char *request, const char *name, char *out, size_t out_size)
{
    size_t n = strlen(name);
    const char *end = strstr(request, "\r\n\r\n");

    for (const char *p = strstr(request, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2, *eol = strstr(line, "\r\n");

        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;

            while (*v == ' ')
                v++;
            snprintf(out, out_size, "%.*s", (int)(eol - v), v);
            return 0;
        }
    }
    return -1;
}

const char *test_body(const char *request)
{
    const char *end = strstr(request, "\r\n\r\n");

    return end ? end + 4 : "";
}
