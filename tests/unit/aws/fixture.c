/* fixture.c - see fixture.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

void aws_fixture_setup(struct aws_fixture *f, enum bg_aws_service service,
                       const struct test_reply *r, size_t n)
{
    struct bg_aws_config cfg = {.region = "us-east-1",
                                .access_key = "AKID",
                                .secret_key = "secret",
                                .max_retries = 0,
                                .timeout_ms = 5000};
    char endpoint[64];

    memset(f, 0, sizeof(*f));
    cr_assert_eq(test_server_start(&f->server, r, n), 0);
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", f->server.port);
    cfg.endpoints[service] = endpoint;
    cr_assert_eq(bg_aws_client_new(&f->client, &cfg, NULL, &f->err), 0);
    f->arena = bg_arena_new();
}

void aws_fixture_teardown(struct aws_fixture *f)
{
    bg_aws_client_free(f->client);
    test_server_free(&f->server);
    bg_arena_free(f->arena);
}
