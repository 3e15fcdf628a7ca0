/* Streaming JSON writer (see json.h). Non-ASCII bytes are passed through
 * when they form valid UTF-8 and escaped as \u00XX otherwise, so a report
 * about a garbage file is still valid JSON. */
#include "opushunt/json.h"

#include <inttypes.h>
#include <math.h>

void oh_json_init(oh_json *j, FILE *f, int pretty) {
  j->f = f;
  j->depth = 0;
  j->pretty = pretty;
  j->count[0] = 0;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), else 0, so every
 * string written reads back with a strict parser (json_read.c). */
size_t oh_utf8_len(const unsigned char *s) {
  size_t n, i;
  unsigned char lo = 0x80, hi = 0xBF;
  if (s[0] < 0xC2 || s[0] > 0xF4) return 0;
  n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
  if (s[0] == 0xE0) lo = 0xA0;      /* overlong 3-byte */
  else if (s[0] == 0xED) hi = 0x9F; /* surrogates */
  else if (s[0] == 0xF0) lo = 0x90; /* overlong 4-byte */
  else if (s[0] == 0xF4) hi = 0x8F; /* above U+10FFFF */
  if (s[1] < lo || s[1] > hi) return 0;
  for (i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return n;
}

void oh_json_write_string(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  fputc('"', f);
  while (*s) {
    size_t u;
    if (*s == '"' || *s == '\\') {
      fputc('\\', f);
      fputc(*s++, f);
    } else if (*s == '\n') {
      fputs("\\n", f);
      s++;
    } else if (*s == '\t') {
      fputs("\\t", f);
      s++;
    } else if (*s < 0x20 || *s == 0x7F) {
      fprintf(f, "\\u%04x", *s++);
    } else if (*s < 0x80) {
      fputc(*s++, f);
    } else if ((u = oh_utf8_len(s)) > 0) {
      fwrite(s, 1, u, f);
      s += u;
    } else {
      fprintf(f, "\\u%04x", *s++);
    }
  }
  fputc('"', f);
}

/* Comma, newline and indent before a value, then its key. */
static void lead(oh_json *j, const char *key) {
  int i;
  if (j->count[j->depth]++ > 0) fputc(',', j->f);
  if (j->pretty && j->depth > 0) {
    fputc('\n', j->f);
    for (i = 0; i < j->depth; i++) fputs("  ", j->f);
  }
  if (key) {
    oh_json_write_string(j->f, key);
    fputs(j->pretty ? ": " : ":", j->f);
  }
}

static void open_(oh_json *j, const char *key, char c) {
  lead(j, key);
  fputc(c, j->f);
  if (j->depth + 1 < OH_JSON_MAX_DEPTH) j->depth++;
  j->count[j->depth] = 0;
}

static void close_(oh_json *j, char c) {
  int had = j->count[j->depth] > 0, i;
  if (j->depth > 0) j->depth--;
  if (j->pretty && had) {
    fputc('\n', j->f);
    for (i = 0; i < j->depth; i++) fputs("  ", j->f);
  }
  fputc(c, j->f);
  if (j->depth == 0 && j->pretty) fputc('\n', j->f);
}

void oh_json_object_begin(oh_json *j, const char *key) { open_(j, key, '{'); }
void oh_json_object_end(oh_json *j) { close_(j, '}'); }
void oh_json_array_begin(oh_json *j, const char *key) { open_(j, key, '['); }
void oh_json_array_end(oh_json *j) { close_(j, ']'); }

void oh_json_str(oh_json *j, const char *key, const char *value) {
  lead(j, key);
  if (value)
    oh_json_write_string(j->f, value);
  else
    fputs("null", j->f);
}

void oh_json_int(oh_json *j, const char *key, int64_t v) {
  lead(j, key);
  fprintf(j->f, "%" PRId64, v);
}

void oh_json_uint(oh_json *j, const char *key, uint64_t v) {
  lead(j, key);
  fprintf(j->f, "%" PRIu64, v);
}

void oh_json_double(oh_json *j, const char *key, double v) {
  lead(j, key);
  if (isfinite(v))
    fprintf(j->f, "%.17g", v);
  else
    fputs("null", j->f);
}

void oh_json_bool(oh_json *j, const char *key, int v) {
  lead(j, key);
  fputs(v ? "true" : "false", j->f);
}

void oh_json_null(oh_json *j, const char *key) {
  lead(j, key);
  fputs("null", j->f);
}

void oh_json_hex(oh_json *j, const char *key, const uint8_t *data, size_t len,
                 size_t max) {
  size_t i, n = max && len > max ? max : len;
  lead(j, key);
  fputc('"', j->f);
  for (i = 0; i < n; i++) fprintf(j->f, "%02x", data[i]);
  fputc('"', j->f);
}
