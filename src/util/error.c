/* error.c - the caller-owned error struct (include/bluegreen/common.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bluegreen/common.h"

int bg_error_set(struct bg_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void bg_error_clear(struct bg_error *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}
