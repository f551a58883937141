/* hash.c - SHA-256 of rendered and on-disk files, as shown in plans and compared for drift. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bluegreen/files.h"
#include "files/internal.h"

#define CHUNK (64u * 1024u)

static void die(void)
{
    /* EVP_sha256() is a static method table; only allocation failure can make the digest
     * fail, and like the arena we treat running out of memory as fatal. */
    fputs("bluegreen: SHA-256 failed\n", stderr);
    abort();
}

static void to_hex(char out[65], const unsigned char *md, unsigned int md_len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned int i;

    if (md_len != 32)
        die();
    for (i = 0; i < md_len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void bg_files_sha256_hex(char out[65], const void *buf, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(len > 0 ? buf : "", len, md, &md_len, EVP_sha256(), NULL) != 1)
        die();
    to_hex(out, md, md_len);
}

static int hash_chunks(EVP_MD_CTX *ctx, int fd, size_t max, const char *dir_abs, const char *name,
                       struct bg_error *err)
{
    unsigned char buf[CHUNK];
    size_t total = 0;

    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return bg_files__sys_error(err, BG_EIO, errno, "cannot read %s/%s", dir_abs, name);
        if (r == 0)
            return 0;
        total += (size_t)r;
        if (total > max)
            return bg_error_set(err, BG_ELIMIT, "file %s/%s is larger than the limit of %zu bytes",
                                dir_abs, name, max);
        if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
            die();
    }
}

int bg_files__sha256_fd(char out[65], int fd, size_t max, const char *dir_abs, const char *name,
                        struct bg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    int rc;

    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        die();
    rc = hash_chunks(ctx, fd, max, dir_abs, name, err);
    if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &md_len) != 1)
        die();
    EVP_MD_CTX_free(ctx);
    if (rc == 0)
        to_hex(out, md, md_len);
    return rc;
}
