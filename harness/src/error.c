/* Error records: fill, clear and format the one-line messages every tool
 * prints for bad input. */
#include "opushunt/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *oh_strerror(int code) {
  switch (code) {
  case OH_OK: return "success";
  case OH_ERR_NOMEM: return "out of memory";
  case OH_ERR_IO: return "I/O error";
  case OH_ERR_TRUNCATED: return "truncated input";
  case OH_ERR_MALFORMED: return "malformed input";
  case OH_ERR_UNSUPPORTED: return "unsupported input";
  case OH_ERR_ARG: return "invalid argument";
  case OH_ERR_OPUS: return "libopus error";
  case OH_ERR_LIMIT: return "limit exceeded";
  case OH_ERR_NOT_FOUND: return "not found";
  case OH_ERR_UNKNOWN_FORMAT: return "unknown format";
  default: return "unknown error";
  }
}

void oh_error_clear(oh_error *err) {
  if (!err) return;
  err->code = OH_OK;
  err->offset = OH_NO_OFFSET;
  err->reason[0] = '\0';
}

int oh_fail(oh_error *err, int code, uint64_t offset, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    err->offset = offset;
    va_start(ap, fmt);
    vsnprintf(err->reason, sizeof err->reason, fmt, ap);
    va_end(ap);
  }
  return code;
}

void oh_error_format(const oh_error *err, const char *file, char *buf,
                     size_t cap) {
  char where[64] = "";
  if (!buf || cap == 0) return;
  if (err->offset != OH_NO_OFFSET)
    snprintf(where, sizeof where, "offset %" PRIu64 ": ", err->offset);
  snprintf(buf, cap, "%s%s%s%s (%s)", file ? file : "", file ? ": " : "",
           where, err->reason[0] ? err->reason : oh_strerror(err->code),
           oh_strerror(err->code));
}
