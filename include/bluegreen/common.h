/*
 * common.h - error codes and the caller-owned error struct shared by every module.
 *
 * Functions return int: 0 on success, one of the negative BG_E* codes on failure.
 * The message goes into a caller-owned struct bg_error (never a global). A message is one
 * line without trailing punctuation; context (the attribute path) is added once, where the
 * error becomes a Terraform diagnostic.
 */
#ifndef BLUEGREEN_COMMON_H
#define BLUEGREEN_COMMON_H

#include <stddef.h>

#define BG_PRINTF(fmt_idx, args_idx) __attribute__((format(printf, fmt_idx, args_idx)))

enum bg_code {
    BG_OK = 0,
    BG_EINVAL = -1,    /* bad input from the user or the wire */
    BG_ENOTFOUND = -2, /* a thing that should exist does not */
    BG_EPROTO = -3,    /* a peer (terraform, AWS) broke its protocol */
    BG_EIO = -4,       /* operating system or network failure */
    BG_ECONFLICT = -5, /* refusing to overwrite something we do not own */
    BG_ERETRY = -6,    /* transient; the caller may retry */
    BG_ELIMIT = -7,    /* a size or depth bound was exceeded */
    BG_ECANCELED = -8, /* cut short on request (StopProvider, terraform gone) */
};

struct bg_error {
    int code;
    char msg[512];
};

#define BG_ERROR_INIT                                                                              \
    {                                                                                              \
        0,                                                                                         \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Formats the message into err (if err is non-NULL) and returns code, so callers can write
 * `return bg_error_set(err, BG_EINVAL, "...")`. */
int bg_error_set(struct bg_error *err, int code, const char *fmt, ...) BG_PRINTF(3, 4);

/* Clears err back to BG_ERROR_INIT. NULL allowed. */
void bg_error_clear(struct bg_error *err);

#endif
