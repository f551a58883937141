/*
 * handshake.c - go-plugin's environment contract: magic cookie, protocol negotiation, and the
 * one line on stdout that tells terraform where to connect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluegreen/protocol.h"

#define OUR_PROTOCOL 6

static const char *plain_getenv(const char *name)
{
    return getenv(name);
}

/* PLUGIN_PROTOCOL_VERSIONS is a comma-separated set in no particular order. */
static bool offers_version(const char *list, int version)
{
    const char *p = list;

    while (p != NULL && *p != '\0') {
        char *end;
        long v = strtol(p, &end, 10);

        if (end != p && v == version)
            return true;
        p = strchr(p, ',');
        if (p != NULL)
            p++;
    }
    return false;
}

int bg_handshake_read(struct bg_handshake *out, const char *(*env)(const char *name),
                      struct bg_error *err)
{
    const char *cookie, *versions, *cert;

    memset(out, 0, sizeof(*out));
    if (env == NULL)
        env = plain_getenv;
    cookie = env(BG_MAGIC_COOKIE_KEY);
    if (cookie == NULL || strcmp(cookie, BG_MAGIC_COOKIE_VALUE) != 0)
        return bg_error_set(
            err, BG_EINVAL,
            "this program is a Terraform provider plugin and is started by terraform, "
            "not by hand: declare spoonknife/bluegreen in required_providers and "
            "run terraform init, plan or apply");
    versions = env("PLUGIN_PROTOCOL_VERSIONS");
    if (versions != NULL && *versions != '\0' && !offers_version(versions, OUR_PROTOCOL))
        return bg_error_set(err, BG_EINVAL,
                            "terraform offers plugin protocol versions %s; this provider speaks "
                            "only version %d (Terraform 1.0 or later)",
                            versions, OUR_PROTOCOL);
    out->protocol_version = OUR_PROTOCOL;
    cert = env("PLUGIN_CLIENT_CERT");
    if (cert != NULL && *cert != '\0') {
        out->client_cert_pem = strdup(cert);
        if (out->client_cert_pem == NULL)
            return bg_error_set(err, BG_EIO, "out of memory");
    }
    return 0;
}

void bg_handshake_clear(struct bg_handshake *h)
{
    if (h == NULL)
        return;
    free(h->client_cert_pem);
    h->client_cert_pem = NULL;
}

int bg_handshake_line(char *buf, size_t size, int protocol_version, const char *network,
                      const char *address, const char *cert_b64)
{
    int n = snprintf(buf, size, "1|%d|%s|%s|grpc|%s\n", protocol_version, network, address,
                     cert_b64 != NULL ? cert_b64 : "");

    if (n < 0 || (size_t)n >= size)
        return BG_ELIMIT;
    return n;
}
