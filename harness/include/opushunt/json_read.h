/* A strict, bounded JSON reader (RFC 8259) that parses a whole text into a
 * tree: used to read fuzz-crash sidecar files and triage databases, and by
 * the tests to check the SARIF and reports that json.h writes. Inputs may be
 * garbage: nothing outside text[0..len) is ever read, every failure names
 * the byte offset where the text breaks the grammar, and memory grows
 * linearly with the input (the tree lives in a few large blocks that one
 * oh_jv_free call releases). */
#ifndef OPUSHUNT_JSON_READ_H
#define OPUSHUNT_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Arrays and objects nested deeper than this are OH_ERR_MALFORMED. */
#define OH_JSON_READ_MAX_DEPTH 64
/* More values than this in one text is OH_ERR_LIMIT (each costs a node of
 * about 56 bytes, so this caps the tree near 240 MB). */
#define OH_JSON_READ_MAX_VALUES ((size_t)1 << 22)
/* A number literal longer than this is OH_ERR_LIMIT, as is one whose value
 * is beyond the range of a double (RFC 8259 section 9 allows both). */
#define OH_JSON_READ_MAX_NUMBER 512
/* oh_json_parse_file reads at most this many bytes (else OH_ERR_LIMIT). */
#define OH_JSON_READ_MAX_FILE ((size_t)64 << 20)

typedef enum oh_jv_type {
  OH_JV_NULL = 0,
  OH_JV_BOOL,
  OH_JV_NUMBER,
  OH_JV_STRING,
  OH_JV_ARRAY,
  OH_JV_OBJECT
} oh_jv_type;

typedef struct oh_jv oh_jv;
struct oh_jv {
  oh_jv_type type;
  int boolean;     /* OH_JV_BOOL */
  double number;   /* OH_JV_NUMBER */
  char *string;    /* OH_JV_STRING: NUL-terminated UTF-8, escapes decoded
                      (\u0000 is rejected, so strlen works). OH_JV_NUMBER:
                      the literal as written, for exact 64-bit integers. */
  size_t len;      /* string or literal length; children of array/object */
  oh_jv *items;    /* array elements / object values, len of them */
  char **keys;     /* object keys, len of them (NULL for arrays) */
  uint64_t offset; /* byte offset of the value's first byte in the text */
};

/* Parses text[0..len) (need not be NUL-terminated) into a tree: the whole
 * input must be one value plus whitespace. No comments, trailing commas,
 * leading zeros, NaN/Infinity, raw control characters or invalid UTF-8 in
 * strings; surrogate pairs are combined, lone surrogates rejected.
 * Errors: OH_ERR_MALFORMED with the offset and a reason ("expected ':' after
 * object key, found '}'", "unterminated string" at the opening quote,
 * "invalid \u escape" at its backslash, "trailing data after the value",
 * "nesting deeper than 64" at the bracket, ...), OH_ERR_LIMIT for the limits
 * above, OH_ERR_NOMEM, OH_ERR_ARG when out is NULL or text is NULL with len
 * > 0. On error *out is NULL. */
int oh_json_parse(const char *text, size_t len, oh_jv **out, oh_error *err);

/* Reads a whole file (at most OH_JSON_READ_MAX_FILE bytes) and parses it:
 * OH_ERR_IO when it cannot be read, otherwise as oh_json_parse. */
int oh_json_parse_file(const char *path, oh_jv **out, oh_error *err);

/* Frees a tree returned by oh_json_parse (only the root; NULL is fine). */
void oh_jv_free(oh_jv *v);

/* First member with that key; NULL if obj is not an object or lacks it. */
const oh_jv *oh_jv_get(const oh_jv *obj, const char *key);
/* Element i; NULL if arr is not an array or i is out of range. */
const oh_jv *oh_jv_at(const oh_jv *arr, size_t i);
/* Children of an array or object, else 0. */
size_t oh_jv_count(const oh_jv *v);
/* The string, or NULL if v is NULL or not a string. */
const char *oh_jv_str(const oh_jv *v);
/* 1 and *out set when v is a number whose literal is exactly an integer in
 * the int64 range ("12", "1.0", "1e3"; not "1.5", not 2^63), else 0. */
int oh_jv_int(const oh_jv *v, int64_t *out);
/* The same for the uint64 range (seeds and hashes written by oh_json_uint). */
int oh_jv_uint(const oh_jv *v, uint64_t *out);

/* Follows a dot-separated path such as "runs.0.tool.driver.name": each
 * component is a key of an object, or a decimal index of an array. "" is
 * root itself. NULL if any step fails (keys holding '.' cannot be named). */
const oh_jv *oh_jv_path(const oh_jv *root, const char *path);

#ifdef __cplusplus
}
#endif
#endif
