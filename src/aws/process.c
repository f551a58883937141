/*
 * process.c - credential_process (creds.h): runs the profile's helper program without a shell
 * (the words were split at configure time), with stdin on /dev/null, and reads its stdout (at
 * most BG_AWS__MAX_PROC_OUT bytes) as the JSON Version 1 document. Bounded in time; the stop
 * flag kills it. stderr is kept (4 KiB) for the error message when the helper fails.
 *
 * posix_spawnp rather than fork: the provider is multi-threaded (gRPC), and only an
 * async-signal-safe exec path is sound there. Our pipes are close-on-exec, and every other
 * descriptor above stderr is closed in the child, so the helper inherits no gRPC socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "creds.h"

#define STDERR_KEEP 4096

struct child {
    pid_t pid;
    int out, errfd; /* our ends; -1 once closed */
    char *buf;      /* stdout, BG_AWS__MAX_PROC_OUT + 1 */
    size_t len;
    char ebuf[STDERR_KEEP + 1];
    size_t elen;
    bool too_big;
};

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int spawn(struct child *c, const char *const *argv, const char *const *envp,
                 struct bg_error *err)
{
    int out[2] = {-1, -1}, errp[2] = {-1, -1}, rc;
    posix_spawn_file_actions_t fa;

    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        rc = errno;
        close(out[0]), close(out[1]);
        return bg_error_set(err, BG_EIO, "credential_process: pipe: %s", strerror(rc));
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, (char *const *)argv, (char *const *)envp);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(errp[1]);
    c->out = out[0];
    c->errfd = errp[0];
    if (rc != 0) {
        close(c->out), close(c->errfd);
        c->out = c->errfd = -1;
        return bg_error_set(err, BG_EIO, "credential_process: cannot run %s: %s", argv[0],
                            strerror(rc));
    }
    return 0;
}

/* Reads what one descriptor has; closes it at end of file. */
static void drain(struct child *c, int *fd, bool is_out)
{
    char tmp[4096];
    ssize_t n = read(*fd, tmp, sizeof(tmp));
    size_t room, take;

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    room = is_out ? BG_AWS__MAX_PROC_OUT - c->len : STDERR_KEEP - c->elen;
    take = (size_t)n < room ? (size_t)n : room;
    memcpy(is_out ? c->buf + c->len : c->ebuf + c->elen, tmp, take);
    explicit_bzero(tmp, sizeof(tmp));
    if (is_out) {
        c->len += take;
        c->too_big |= take < (size_t)n;
    } else {
        c->elen += take;
    }
}

/* Until both pipes are closed, the deadline passes or stop is set. 0, or the reason. */
static int collect(struct child *c, struct bg_aws__run *r, long timeout, struct bg_error *err)
{
    long deadline = now_ms() + timeout;

    while (c->out >= 0 || c->errfd >= 0) {
        struct pollfd p[2] = {{c->out, POLLIN, 0}, {c->errfd, POLLIN, 0}};

        if (r->stop != NULL && atomic_load(r->stop))
            return bg_error_set(err, BG_ECANCELED,
                                "credential_process: stopped on request (Ctrl-C or StopProvider)");
        if (now_ms() >= deadline)
            return bg_error_set(err, BG_EIO, "credential_process: no answer within %ld ms",
                                timeout);
        if (poll(p, 2, 100) < 0 && errno != EINTR)
            return bg_error_set(err, BG_EIO, "credential_process: poll: %s", strerror(errno));
        if (c->out >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            drain(c, &c->out, true);
        if (c->errfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
            drain(c, &c->errfd, false);
        if (c->too_big)
            return bg_error_set(err, BG_ELIMIT, "credential_process: output larger than 64 KiB");
    }
    return 0;
}

/* The last non-empty line of stderr, for the message (at most 200 characters). */
static const char *stderr_line(struct child *c)
{
    char *end;

    c->ebuf[c->elen] = '\0';
    end = c->ebuf + c->elen;
    while (end > c->ebuf && strchr(" \t\r\n", end[-1]) != NULL)
        *--end = '\0';
    while (end > c->ebuf && end[-1] != '\n')
        end--;
    if (strlen(end) > 200)
        end[200] = '\0';
    return end;
}

static int finish(struct child *c, const char *prog, int rc, struct bg_error *err)
{
    int status = 0;
    const char *why;

    if (rc != 0)
        kill(c->pid, SIGKILL);
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (c->out >= 0)
        close(c->out);
    if (c->errfd >= 0)
        close(c->errfd);
    if (rc != 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return rc;
    why = stderr_line(c);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && why[0] == '\0')
        why = "cannot run it (not found?)"; /* where exec failures surface as exit 127 */
    if (WIFEXITED(status))
        return bg_error_set(err, BG_EIO, "credential_process %s exited with status %d%s%s", prog,
                            WEXITSTATUS(status), why[0] ? ": " : "", why);
    return bg_error_set(err, BG_EIO, "credential_process %s killed by signal %d", prog,
                        WTERMSIG(status));
}

int bg_aws__process_run(struct bg_aws_sts_creds *out, struct bg_aws__run *r,
                        const char *const *argv, const char *const *envp, struct bg_error *err)
{
    struct child c = {.pid = -1, .out = -1, .errfd = -1};
    long timeout = r->process_timeout_ms > 0 ? r->process_timeout_ms : 60000;
    int rc;

    memset(out, 0, sizeof(*out));
    c.buf = bg_arena_alloc(r->a, BG_AWS__MAX_PROC_OUT + 1);
    bg_aws__secret(&r->secrets, c.buf);
    rc = spawn(&c, argv, envp, err);
    if (rc != 0)
        return rc;
    rc = finish(&c, argv[0], collect(&c, r, timeout, err), err);
    c.buf[c.len] = '\0';
    explicit_bzero(c.ebuf, sizeof(c.ebuf));
    if (rc != 0)
        return rc;
    rc = bg_aws_parse_json_credentials(out, r->a, c.buf, c.len, true, err);
    bg_aws__secret(&r->secrets, out->secret_key);
    bg_aws__secret(&r->secrets, out->token);
    if (rc != 0)
        return bg_aws__error_prefix(err, rc, "credential_process %s", argv[0]);
    return 0;
}
