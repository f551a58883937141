/*
 * log.h - structured logs for Terraform: one JSON object per line on stderr.
 *
 * Terraform reads the provider's stderr and shows each line under TF_LOG / TF_LOG_PROVIDER as
 * logger "provider.terraform-provider-bluegreen"; the keys @level, @message, @timestamp and
 * @module are understood, other keys become fields. stdout is reserved for the handshake.
 * A record is written with a single write(2) so concurrent threads never interleave lines.
 * The logger is read-only after bg_log_init and safe to share between threads.
 */
#ifndef BLUEGREEN_LOG_H
#define BLUEGREEN_LOG_H

#include "common.h"

enum bg_log_level {
    BG_LOG_TRACE = 0,
    BG_LOG_DEBUG,
    BG_LOG_INFO,
    BG_LOG_WARN,
    BG_LOG_ERROR,
    BG_LOG_OFF,
};

struct bg_logger {
    enum bg_log_level min_level;
    int fd; /* normally 2 */
};

/* Level from TF_LOG_PROVIDER, else TF_LOG (trace/debug/info/warn/error/json/off); when neither
 * is set nothing is logged (terraform would discard it anyway). env may be NULL (getenv). */
void bg_log_init(struct bg_logger *log, int fd, const char *(*env)(const char *name));

/* Writes one record. module names the subsystem ("protocol", "cluster_pair", "aws").
 * fields, if non-NULL, is a pre-rendered list of extra JSON members without braces
 * (`"target":"i-1","percent":25`); build it with bg_log_field_* or pass NULL. */
void bg_log(const struct bg_logger *log, enum bg_log_level level, const char *module,
            const char *fields, const char *fmt, ...) BG_PRINTF(5, 6);

/* Escapes s as JSON string content into out (at most out_size bytes, always terminated). */
void bg_log_escape(char *out, size_t out_size, const char *s);

#endif
