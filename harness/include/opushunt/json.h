/* A small streaming JSON writer: nested objects and arrays with commas and
 * string escaping handled, used by traces, replay reports and triage. It
 * writes to a FILE and never allocates. */
#ifndef OPUSHUNT_JSON_H
#define OPUSHUNT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OH_JSON_MAX_DEPTH 32

typedef struct oh_json {
  FILE *f;
  int depth;
  int pretty;                      /* indent with two spaces per level */
  int count[OH_JSON_MAX_DEPTH];    /* values written at each level */
} oh_json;

void oh_json_init(oh_json *j, FILE *f, int pretty);

/* key is NULL inside arrays and at top level. */
void oh_json_object_begin(oh_json *j, const char *key);
void oh_json_object_end(oh_json *j);
void oh_json_array_begin(oh_json *j, const char *key);
void oh_json_array_end(oh_json *j);
void oh_json_str(oh_json *j, const char *key, const char *value); /* NULL -> null */
void oh_json_int(oh_json *j, const char *key, int64_t value);
void oh_json_uint(oh_json *j, const char *key, uint64_t value);
void oh_json_double(oh_json *j, const char *key, double value);
void oh_json_bool(oh_json *j, const char *key, int value);
void oh_json_null(oh_json *j, const char *key);
/* Bytes as a lowercase hex string, at most max bytes (0: all). */
void oh_json_hex(oh_json *j, const char *key, const uint8_t *data, size_t len,
                 size_t max);

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), else 0. Every writer that
 * passes UTF-8 through (JSON, HTML, Markdown) asks this one function. */
size_t oh_utf8_len(const unsigned char *s);

/* Writes s as a JSON string literal (quotes included). */
void oh_json_write_string(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif
#endif
