/*
 * replay_main.c - runs a libFuzzer target over a saved corpus as an ordinary test, so the
 * corpus guards against regressions without clang or libFuzzer (libgit2 does the same).
 *
 * usage: replay_<name> DIR. Every regular file in DIR, in sorted order, is passed to
 * LLVMFuzzerTestOneInput in a child process, so one input that aborts is reported by name
 * and the rest still run. Prints one line per failure, then "N passed, M failed". Exits 0
 * only when every file passed and there was at least one.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole file; NULL on failure. malloc(0) is avoided for empty inputs. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    struct stat st;

    if (f == NULL)
        return NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size >= 0) {
        buf = malloc((size_t)st.st_size + 1);
        if (buf != NULL && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)st.st_size;
    }
    fclose(f);
    return buf;
}

/* Runs the target on one file in a child; returns 0 when it returned normally. */
static int run_one(const char *path)
{
    int status = 0;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        size_t len = 0;
        uint8_t *buf = read_file(path, &len);

        if (buf == NULL)
            _exit(2);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    if (WIFSIGNALED(status)) {
        printf("FAIL %s: killed by signal %d\n", path, WTERMSIG(status));
        return -1;
    }
    if (WEXITSTATUS(status) != 0) {
        printf("FAIL %s: exit status %d\n", path, WEXITSTATUS(status));
        return -1;
    }
    return 0;
}

static int is_regular(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int main(int argc, char **argv)
{
    struct dirent **names = NULL;
    int n, i, passed = 0, failed = 0;
    char path[4096];

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    n = scandir(argv[1], &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: cannot read directory %s\n", argv[0], argv[1]);
        return 2;
    }
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]->d_name);
        if (is_regular(path)) {
            fflush(stdout); /* so the child does not inherit and repeat buffered output */
            if (run_one(path) == 0)
                passed++;
            else
                failed++;
        }
        free(names[i]);
    }
    free(names);
    printf("%d passed, %d failed\n", passed, failed);
    if (passed + failed == 0)
        fprintf(stderr, "%s: no inputs in %s\n", argv[0], argv[1]);
    return failed == 0 && passed > 0 ? 0 : 1;
}
