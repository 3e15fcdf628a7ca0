/* Error codes and error records shared by every opushunt module: a negative
 * code, the byte offset in the input where the problem sits, and a reason a
 * person can read. Every reader and parser reports through this. */
#ifndef OPUSHUNT_ERROR_H
#define OPUSHUNT_ERROR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_status {
  OH_OK = 0,
  OH_ERR_NOMEM = -1,       /* allocation failed */
  OH_ERR_IO = -2,          /* a file could not be read or written */
  OH_ERR_TRUNCATED = -3,   /* the input ends inside a record */
  OH_ERR_MALFORMED = -4,   /* the input breaks the rules of its format */
  OH_ERR_UNSUPPORTED = -5, /* valid, but a variant opushunt does not handle */
  OH_ERR_ARG = -6,         /* a bad argument or option */
  OH_ERR_OPUS = -7,        /* libopus returned an error */
  OH_ERR_LIMIT = -8,       /* a configured size or count limit was exceeded */
  OH_ERR_NOT_FOUND = -9,   /* the requested stream/SSRC/field is absent */
  OH_ERR_UNKNOWN_FORMAT = -10 /* format detection found nothing it knows */
} oh_status;

/* No byte offset applies (e.g. an option error). */
#define OH_NO_OFFSET UINT64_MAX

typedef struct oh_error {
  int code;        /* an oh_status (negative), OH_OK when clear */
  uint64_t offset; /* byte offset in the input, or OH_NO_OFFSET */
  char reason[256];
} oh_error;

/* Short fixed text for a status code ("malformed input", ...). */
const char *oh_strerror(int code);

/* Clears err (may be NULL). */
void oh_error_clear(oh_error *err);

/* Fills err (may be NULL) and returns code, so callers can write
 * `return oh_fail(err, OH_ERR_MALFORMED, off, "bad magic %02x", b);`. */
int oh_fail(oh_error *err, int code, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* One line "FILE: offset N: reason (status text)" into buf; file may be NULL. */
void oh_error_format(const oh_error *err, const char *file, char *buf,
                     size_t cap);

#ifdef __cplusplus
}
#endif
#endif
