/* handshake.c - go-plugin's environment contract and the stdout line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/common.h"
#include "bluegreen/protocol.h"

TestSuite(protocol_handshake);

/* The environment the injected lookup reads; each test sets the entries it needs. A NULL
 * value means unset. */
static struct {
    const char *cookie, *versions, *cert;
} fake;

static const char *fake_env(const char *name)
{
    if (strcmp(name, BG_MAGIC_COOKIE_KEY) == 0)
        return fake.cookie;
    if (strcmp(name, "PLUGIN_PROTOCOL_VERSIONS") == 0)
        return fake.versions;
    if (strcmp(name, "PLUGIN_CLIENT_CERT") == 0)
        return fake.cert;
    return NULL;
}

static int read_with(struct bg_handshake *h, struct bg_error *err, const char *cookie,
                     const char *versions, const char *cert)
{
    fake.cookie = cookie;
    fake.versions = versions;
    fake.cert = cert;
    return bg_handshake_read(h, fake_env, err);
}

Test(protocol_handshake, refuses_to_start_without_the_magic_cookie_or_with_a_wrong_one)
{
    static const char *const cookies[] = {NULL, "", "d602bf8f", BG_MAGIC_COOKIE_VALUE "x"};
    size_t i;

    for (i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
        struct bg_handshake h;
        struct bg_error err = BG_ERROR_INIT;

        cr_expect_eq(read_with(&h, &err, cookies[i], "6", NULL), BG_EINVAL, "case %zu", i);
        cr_expect_eq(err.code, BG_EINVAL);
        cr_expect_not_null(strstr(err.msg, "started by terraform"), "case %zu: %s", i, err.msg);
        cr_expect_not_null(strstr(err.msg, "not by hand"), "case %zu: %s", i, err.msg);
        cr_expect_null(h.client_cert_pem);
    }
}

Test(protocol_handshake, negotiates_version_6_when_offered_or_when_nothing_is_said)
{
    static const char *const offers[] = {"5,6", "6,5", "6", "", NULL, "4,5,6,7"};
    size_t i;

    for (i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
        struct bg_handshake h;
        struct bg_error err = BG_ERROR_INIT;

        cr_expect_eq(read_with(&h, &err, BG_MAGIC_COOKIE_VALUE, offers[i], NULL), 0,
                     "offer \"%s\": %s", offers[i] != NULL ? offers[i] : "(unset)", err.msg);
        cr_expect_eq(h.protocol_version, 6);
        cr_expect_null(h.client_cert_pem, "no cert means plaintext");
        bg_handshake_clear(&h);
    }
}

Test(protocol_handshake, rejects_offers_without_version_6_and_names_them)
{
    static const char *const offers[] = {"4,5", "5", "16", "60"};
    size_t i;

    for (i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
        struct bg_handshake h;
        struct bg_error err = BG_ERROR_INIT;
        char want[64];

        cr_expect_eq(read_with(&h, &err, BG_MAGIC_COOKIE_VALUE, offers[i], NULL), BG_EINVAL,
                     "offer \"%s\"", offers[i]);
        snprintf(want, sizeof(want), "versions %s;", offers[i]);
        cr_expect_not_null(strstr(err.msg, want), "offer \"%s\": %s", offers[i], err.msg);
        cr_expect_not_null(strstr(err.msg, "only version 6"), "%s", err.msg);
    }
}

Test(protocol_handshake, copies_the_client_certificate)
{
    char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    struct bg_handshake h;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(read_with(&h, &err, BG_MAGIC_COOKIE_VALUE, "5,6", cert), 0, "%s", err.msg);
    cr_assert_not_null(h.client_cert_pem);
    cr_assert_neq(h.client_cert_pem, cert, "a copy, not the environment's string");
    cr_assert_str_eq(h.client_cert_pem, cert);
    cert[0] = 'X';
    cr_assert_str_eq(h.client_cert_pem,
                     "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    bg_handshake_clear(&h);
    cr_assert_null(h.client_cert_pem);
    bg_handshake_clear(&h);
    bg_handshake_clear(NULL);
}

Test(protocol_handshake, treats_an_empty_client_certificate_as_none)
{
    struct bg_handshake h;
    struct bg_error err = BG_ERROR_INIT;

    cr_assert_eq(read_with(&h, &err, BG_MAGIC_COOKIE_VALUE, "6", ""), 0);
    cr_assert_null(h.client_cert_pem);
}

Test(protocol_handshake, formats_the_line_with_and_without_a_certificate)
{
    char buf[128];
    int n;

    n = bg_handshake_line(buf, sizeof(buf), 6, "tcp", "127.0.0.1:40123", "MIIBxTCCAWug");
    cr_assert_str_eq(buf, "1|6|tcp|127.0.0.1:40123|grpc|MIIBxTCCAWug\n");
    cr_assert_eq(n, (int)strlen(buf));
    n = bg_handshake_line(buf, sizeof(buf), 6, "unix", "/tmp/plugin1", NULL);
    cr_assert_str_eq(buf, "1|6|unix|/tmp/plugin1|grpc|\n");
    cr_assert_eq(n, (int)strlen(buf));
}

Test(protocol_handshake, line_reports_elimit_when_the_buffer_is_too_small)
{
    const char *want = "1|6|tcp|127.0.0.1:1|grpc|AB\n"; /* 28 bytes + NUL */
    char buf[64];
    size_t size;

    for (size = 0; size <= strlen(want); size++)
        cr_expect_eq(bg_handshake_line(buf, size, 6, "tcp", "127.0.0.1:1", "AB"), BG_ELIMIT,
                     "size %zu", size);
    cr_assert_eq(bg_handshake_line(buf, strlen(want) + 1, 6, "tcp", "127.0.0.1:1", "AB"),
                 (int)strlen(want), "exactly enough room for the NUL");
    cr_assert_str_eq(buf, want);
}
