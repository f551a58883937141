/* hash.c - SHA-256 of rendered and on-disk files, as shown in plans and compared for drift. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "bluegreen/files.h"

void bg_files_sha256_hex(char out[65], const void *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0, i;

    /* EVP_sha256() is a static method table; only allocation failure can make the digest
     * fail, and like the arena we treat running out of memory as fatal. */
    if (EVP_Digest(len > 0 ? buf : "", len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32) {
        fputs("bluegreen: SHA-256 failed\n", stderr);
        abort();
    }
    for (i = 0; i < md_len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
