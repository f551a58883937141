/*
 * fixture.h - an AWS client whose one service endpoint is the scripted server on 127.0.0.1
 * (tests/support/http_server.h), for the unit tests of the calls of src/aws.
 */
#ifndef BLUEGREEN_TESTS_AWS_FIXTURE_H
#define BLUEGREEN_TESTS_AWS_FIXTURE_H

#include <stddef.h>

#include "bluegreen/aws.h"
#include "support/http_server.h"

struct aws_fixture {
    struct test_server server;
    struct bg_aws_client *client;
    struct bg_arena *arena;
    struct bg_error err;
};

/* Starts the server with replies r[0..n) and a client (static keys, no retries, 5 s timeout)
 * whose endpoint for service is that server. Asserts on failure. */
void aws_fixture_setup(struct aws_fixture *f, enum bg_aws_service service,
                       const struct test_reply *r, size_t n);
void aws_fixture_teardown(struct aws_fixture *f);

#endif
