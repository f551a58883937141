/*
 * launch_probe.c - stands in for the provider binary in bench/provider_bench.py: runs the real
 * provider (BG_PROBE_EXEC) as its child with the same arguments, stdio and environment, and
 * appends one line "<exec-to-exit us> <peak RSS KiB> <exit status> <CPU us>" to BG_PROBE_LOG
 * when it ends. Terraform sees the child's handshake line and talks to it directly; the probe
 * only waits, so what it records is the provider's own lifetime.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    const char *exe = getenv("BG_PROBE_EXEC"), *log = getenv("BG_PROBE_LOG");
    struct rusage ru;
    char line[128];
    double t0;
    int status = 0, fd, n;
    pid_t pid;

    (void)argc;
    if (exe == NULL || log == NULL)
        return 2;
    t0 = now_us();
    pid = fork();
    if (pid == 0) {
        argv[0] = (char *)exe;
        execv(exe, argv);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
        return 2;
    n = snprintf(line, sizeof(line), "%.0f %ld %d %ld\n", now_us() - t0, ru.ru_maxrss, status,
                 (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
                     (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
    fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) != n)
            status = 1;
        close(fd);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
