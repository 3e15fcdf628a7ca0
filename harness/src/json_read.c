/* Strict JSON reader (see json_read.h): recursive descent over a bounded
 * buffer, depth capped at 64. Children of open containers wait on one
 * scratch stack and are copied into exactly sized arrays when their
 * container closes; strings are decoded into one scratch buffer and copied
 * the same way. Those arrays, strings and number literals all come from a
 * chain of large blocks owned by the root, so a tree costs a few mallocs,
 * memory stays linear in the input and oh_jv_free needs no recursion. */
#include "opushunt/json_read.h"

#include <locale.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/file.h"

#define BLOCK_FIRST 4096
#define BLOCK_LARGEST ((size_t)1 << 20)

typedef struct block {
  struct block *next;
  size_t cap, used;
  max_align_t data[];
} block;

/* The root handed out is the first member, so oh_jv_free finds the blocks. */
typedef struct doc {
  oh_jv root;
  block *blocks;
} doc;

typedef struct parser {
  const unsigned char *s;
  size_t len, pos;
  oh_error *err;
  block *blocks;
  size_t next_block; /* size of the next shared block */
  oh_jv *vals;       /* children of the open containers */
  size_t nvals, capvals;
  char **keys; /* keys of the open objects' children */
  size_t nkeys, capkeys;
  char *buf; /* the string being decoded */
  size_t nbuf, capbuf;
  size_t values; /* values seen so far */
  int depth;
} parser;

/* ---- memory ------------------------------------------------------------ */

static void free_blocks(block *b) {
  while (b) {
    block *next = b->next;
    free(b);
    b = next;
  }
}

static block *new_block(size_t cap) {
  block *b;
  if (cap > SIZE_MAX - sizeof *b) return NULL;
  b = malloc(sizeof *b + cap);
  if (!b) return NULL;
  b->next = NULL;
  b->cap = cap;
  b->used = 0;
  return b;
}

/* n bytes aligned to align (a power of two) that live as long as the tree.
 * Large requests get a block of their own, so a shared block is given up
 * only with less than half of it unused. */
static void *arena_alloc(parser *p, size_t n, size_t align) {
  block *b = p->blocks;
  if (b) {
    size_t at = (b->used + align - 1) & ~(align - 1);
    if (at <= b->cap && n <= b->cap - at) {
      b->used = at + n;
      return (char *)b->data + at;
    }
  }
  if (n > p->next_block / 4) {
    b = new_block(n);
    if (!b) return NULL;
    b->used = n;
    if (p->blocks) { /* behind the current block, which keeps its room */
      b->next = p->blocks->next;
      p->blocks->next = b;
    } else {
      p->blocks = b;
    }
    return b->data;
  }
  b = new_block(p->next_block);
  if (!b) return NULL;
  if (p->next_block < BLOCK_LARGEST) p->next_block *= 2;
  b->next = p->blocks;
  p->blocks = b;
  b->used = n;
  return b->data;
}

/* arr (elements of size each, *cap of them) grown to hold at least need;
 * NULL when that fails (arr is then still valid). */
static void *grow(void *arr, size_t *cap, size_t need, size_t size) {
  size_t n = *cap ? *cap : 64;
  void *bigger;
  if (need <= *cap) return arr;
  while (n < need) {
    if (n > SIZE_MAX / 2) return NULL;
    n *= 2;
  }
  if (n > SIZE_MAX / size) return NULL;
  if (!(bigger = realloc(arr, n * size))) return NULL;
  *cap = n;
  return bigger;
}

static int nomem(parser *p) {
  return oh_fail(p->err, OH_ERR_NOMEM, p->pos, "out of memory");
}

/* ---- errors ------------------------------------------------------------ */

/* "expected WHAT, found X" about the byte at offset at. */
static int expected(parser *p, size_t at, const char *what) {
  if (at >= p->len)
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "expected %s, found end of input", what);
  if (p->s[at] >= 0x20 && p->s[at] < 0x7F)
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "expected %s, found '%c'", what, p->s[at]);
  return oh_fail(p->err, OH_ERR_MALFORMED, at, "expected %s, found byte 0x%02x", what,
                 p->s[at]);
}

static int unterminated(parser *p, size_t quote) {
  return oh_fail(p->err, OH_ERR_MALFORMED, quote, "unterminated string");
}

/* ---- strings ----------------------------------------------------------- */

static int put(parser *p, const void *bytes, size_t n) {
  char *buf = p->nbuf + n < p->nbuf ? NULL : grow(p->buf, &p->capbuf, p->nbuf + n, 1);
  if (!buf) return nomem(p);
  p->buf = buf;
  memcpy(p->buf + p->nbuf, bytes, n);
  p->nbuf += n;
  return OH_OK;
}

static int hexval(unsigned c) {
  if (c >= '0' && c <= '9') return (int)(c - '0');
  if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
  return -1;
}

/* The four hex digits of the \u escape whose backslash is at at. */
static int hex4(parser *p, size_t at, size_t quote, unsigned *cp) {
  size_t i;
  *cp = 0;
  for (i = at + 2; i < at + 6; i++) {
    int h;
    if (i >= p->len) return unterminated(p, quote);
    if ((h = hexval(p->s[i])) < 0)
      return oh_fail(p->err, OH_ERR_MALFORMED, at, "invalid \\u escape");
    *cp = *cp << 4 | (unsigned)h;
  }
  return OH_OK;
}

static int put_utf8(parser *p, unsigned cp) {
  unsigned char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (unsigned char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (unsigned char)(0xC0 | cp >> 6);
    u[1] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (unsigned char)(0xE0 | cp >> 12);
    u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (unsigned char)(0xF0 | cp >> 18);
    u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return put(p, u, n);
}

/* A \u escape at p->pos, with the low half when it opens a surrogate pair. */
static int unicode_escape(parser *p, size_t quote) {
  size_t at = p->pos;
  unsigned cp, lo;
  int rc = hex4(p, at, quote, &cp);
  if (rc != OH_OK) return rc;
  if (cp == 0)
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "\\u0000 is not allowed in a string");
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "lone surrogate \\u%04x", cp);
  p->pos = at + 6;
  if (cp < 0xD800 || cp > 0xDBFF) return put_utf8(p, cp);
  if (at + 6 >= p->len) return unterminated(p, quote);
  if (p->s[at + 6] != '\\')
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "lone surrogate \\u%04x", cp);
  if (at + 7 >= p->len) return unterminated(p, quote);
  if (p->s[at + 7] != 'u')
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "lone surrogate \\u%04x", cp);
  if ((rc = hex4(p, at + 6, quote, &lo)) != OH_OK) return rc;
  if (lo < 0xDC00 || lo > 0xDFFF)
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "lone surrogate \\u%04x", cp);
  p->pos = at + 12;
  return put_utf8(p, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
}

static int escape(parser *p, size_t quote) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *hit;
  unsigned char e;
  if (p->pos + 1 >= p->len) return unterminated(p, quote);
  e = p->s[p->pos + 1];
  if (e == 'u') return unicode_escape(p, quote);
  if (e == 0 || !(hit = strchr(from, e))) {
    if (e >= 0x20 && e < 0x7F)
      return oh_fail(p->err, OH_ERR_MALFORMED, p->pos, "invalid escape '\\%c'", e);
    return oh_fail(p->err, OH_ERR_MALFORMED, p->pos, "invalid escape byte 0x%02x", e);
  }
  p->pos += 2;
  return put(p, &to[hit - from], 1);
}

/* One multi-byte UTF-8 sequence at p->pos: shortest form, no surrogates,
 * nothing past U+10FFFF. */
static int utf8_char(parser *p, size_t quote) {
  size_t at = p->pos, n, i;
  unsigned c = p->s[at], lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return oh_fail(p->err, OH_ERR_MALFORMED, at, "invalid UTF-8 byte 0x%02x in string", c);
  }
  for (i = 1; i < n; i++) {
    unsigned b;
    if (at + i >= p->len) return unterminated(p, quote);
    b = p->s[at + i];
    if (b < lo || b > hi)
      return oh_fail(p->err, OH_ERR_MALFORMED, at, "invalid UTF-8 sequence in string");
    lo = 0x80;
    hi = 0xBF;
  }
  p->pos += n;
  return put(p, p->s + at, n);
}

/* The string whose opening quote is at p->pos, decoded into the arena. */
static int parse_string(parser *p, char **out, size_t *out_len) {
  size_t quote = p->pos++;
  int rc = OH_OK;
  p->nbuf = 0;
  for (;;) {
    size_t run = p->pos;
    unsigned c;
    while (run < p->len && p->s[run] >= 0x20 && p->s[run] < 0x80 && p->s[run] != '"' &&
           p->s[run] != '\\')
      run++;
    if (run > p->pos && (rc = put(p, p->s + p->pos, run - p->pos)) != OH_OK) return rc;
    p->pos = run;
    if (p->pos >= p->len) return unterminated(p, quote);
    c = p->s[p->pos];
    if (c == '"') break;
    if (c == '\\')
      rc = escape(p, quote);
    else if (c < 0x20)
      return oh_fail(p->err, OH_ERR_MALFORMED, p->pos,
                     "control character 0x%02x in string (must be escaped)", c);
    else
      rc = utf8_char(p, quote);
    if (rc != OH_OK) return rc;
  }
  p->pos++;
  if (!(*out = arena_alloc(p, p->nbuf + 1, 1))) return nomem(p);
  if (p->nbuf) memcpy(*out, p->buf, p->nbuf);
  (*out)[p->nbuf] = '\0';
  *out_len = p->nbuf;
  return OH_OK;
}

/* ---- numbers ----------------------------------------------------------- */

static int is_digit(const parser *p, size_t i) {
  return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

/* strtod in a locale whose decimal point is not '.': swap it in. */
static double strtod_any_locale(const char *lit, size_t n, int *ok) {
  char tmp[OH_JSON_READ_MAX_NUMBER + 16], *end;
  const char *dp = localeconv()->decimal_point;
  size_t dl = dp ? strlen(dp) : 0, i, o = 0;
  double d;
  *ok = 0;
  if (dl == 0 || dl > 8) return 0;
  for (i = 0; i < n; i++) {
    if (lit[i] == '.') {
      memcpy(tmp + o, dp, dl);
      o += dl;
    } else {
      tmp[o++] = lit[i];
    }
  }
  tmp[o] = '\0';
  d = strtod(tmp, &end);
  *ok = end == tmp + o;
  return d;
}

static int parse_number(parser *p, oh_jv *v) {
  size_t at = p->pos, i = at, n;
  char *lit, *end;
  double d;
  if (p->s[i] == '-') i++;
  if (!is_digit(p, i)) return expected(p, i, "a digit after '-'");
  if (p->s[i] == '0') {
    if (is_digit(p, ++i))
      return oh_fail(p->err, OH_ERR_MALFORMED, i - 1, "leading zero in number");
  } else {
    while (is_digit(p, i)) i++;
  }
  if (i < p->len && p->s[i] == '.') {
    if (!is_digit(p, ++i)) return expected(p, i, "a digit after '.'");
    while (is_digit(p, i)) i++;
  }
  if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
    i++;
    if (i < p->len && (p->s[i] == '+' || p->s[i] == '-')) i++;
    if (!is_digit(p, i)) return expected(p, i, "a digit in the exponent");
    while (is_digit(p, i)) i++;
  }
  n = i - at;
  if (n > OH_JSON_READ_MAX_NUMBER)
    return oh_fail(p->err, OH_ERR_LIMIT, at, "number longer than %d characters",
                   OH_JSON_READ_MAX_NUMBER);
  if (!(lit = arena_alloc(p, n + 1, 1))) return nomem(p);
  memcpy(lit, p->s + at, n);
  lit[n] = '\0';
  d = strtod(lit, &end);
  if (end != lit + n) {
    int ok;
    d = strtod_any_locale(lit, n, &ok);
    if (!ok)
      return oh_fail(p->err, OH_ERR_MALFORMED, at, "strtod cannot read the number");
  }
  if (isinf(d))
    return oh_fail(p->err, OH_ERR_LIMIT, at, "number beyond the range of a double");
  v->type = OH_JV_NUMBER;
  v->number = d;
  v->string = lit;
  v->len = n;
  p->pos = i;
  return OH_OK;
}

/* ---- values ------------------------------------------------------------ */

static void skip_ws(parser *p) {
  while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                             p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
    p->pos++;
}

/* 1 when the next byte (after whitespace) is c, which is then consumed. */
static int take(parser *p, unsigned char c) {
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == c) {
    p->pos++;
    return 1;
  }
  return 0;
}

static int parse_literal(parser *p, oh_jv *v, const char *word, oh_jv_type type, int b) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
    return oh_fail(p->err, OH_ERR_MALFORMED, p->pos, "invalid literal, expected '%s'", word);
  v->type = type;
  v->boolean = b;
  p->pos += n;
  return OH_OK;
}

static int push_value(parser *p, const oh_jv *v) {
  oh_jv *vals = grow(p->vals, &p->capvals, p->nvals + 1, sizeof *vals);
  if (!vals) return nomem(p);
  p->vals = vals;
  vals[p->nvals++] = *v;
  return OH_OK;
}

static int push_key(parser *p, char *key) {
  char **keys = grow(p->keys, &p->capkeys, p->nkeys + 1, sizeof *keys);
  if (!keys) return nomem(p);
  p->keys = keys;
  keys[p->nkeys++] = key;
  return OH_OK;
}

/* Moves the children pushed since base (and keys since kbase, for an
 * object) off the scratch stacks into v. */
static int close_container(parser *p, oh_jv *v, size_t base, size_t kbase) {
  size_t n = p->nvals - base;
  p->depth--;
  v->len = n;
  if (n == 0) return OH_OK;
  if (!(v->items = arena_alloc(p, n * sizeof *v->items, alignof(oh_jv)))) return nomem(p);
  memcpy(v->items, p->vals + base, n * sizeof *v->items);
  p->nvals = base;
  if (v->type != OH_JV_OBJECT) return OH_OK;
  if (!(v->keys = arena_alloc(p, n * sizeof *v->keys, alignof(char *)))) return nomem(p);
  memcpy(v->keys, p->keys + kbase, n * sizeof *v->keys);
  p->nkeys = kbase;
  return OH_OK;
}

static int parse_value(parser *p, oh_jv *v);

static int open_container(parser *p, oh_jv *v, oh_jv_type type) {
  v->type = type;
  if (++p->depth > OH_JSON_READ_MAX_DEPTH)
    return oh_fail(p->err, OH_ERR_MALFORMED, p->pos, "nesting deeper than %d",
                   OH_JSON_READ_MAX_DEPTH);
  p->pos++;
  return OH_OK;
}

static int parse_array(parser *p, oh_jv *v) {
  size_t base = p->nvals;
  int rc = open_container(p, v, OH_JV_ARRAY);
  if (rc != OH_OK) return rc;
  if (take(p, ']')) return close_container(p, v, base, 0);
  for (;;) {
    oh_jv item;
    size_t comma;
    if ((rc = parse_value(p, &item)) != OH_OK || (rc = push_value(p, &item)) != OH_OK)
      return rc;
    if (take(p, ']')) return close_container(p, v, base, 0);
    comma = p->pos;
    if (!take(p, ',')) return expected(p, p->pos, "',' or ']' in array");
    if (take(p, ']'))
      return oh_fail(p->err, OH_ERR_MALFORMED, comma, "trailing comma before ']'");
  }
}

static int parse_object(parser *p, oh_jv *v) {
  size_t base = p->nvals, kbase = p->nkeys;
  int rc = open_container(p, v, OH_JV_OBJECT);
  if (rc != OH_OK) return rc;
  if (take(p, '}')) return close_container(p, v, base, kbase);
  for (;;) {
    oh_jv item;
    char *key;
    size_t key_len, comma;
    if (p->pos >= p->len || p->s[p->pos] != '"')
      return expected(p, p->pos, p->nkeys == kbase ? "a string key or '}'" : "a string key");
    if ((rc = parse_string(p, &key, &key_len)) != OH_OK) return rc;
    if (!take(p, ':')) return expected(p, p->pos, "':' after object key");
    if ((rc = parse_value(p, &item)) != OH_OK || (rc = push_value(p, &item)) != OH_OK ||
        (rc = push_key(p, key)) != OH_OK)
      return rc;
    if (take(p, '}')) return close_container(p, v, base, kbase);
    comma = p->pos;
    if (!take(p, ',')) return expected(p, p->pos, "',' or '}' in object");
    if (take(p, '}'))
      return oh_fail(p->err, OH_ERR_MALFORMED, comma, "trailing comma before '}'");
  }
}

/* One value after optional whitespace. */
static int parse_value(parser *p, oh_jv *v) {
  unsigned char c;
  skip_ws(p);
  memset(v, 0, sizeof *v);
  v->offset = p->pos;
  if (p->pos >= p->len) return expected(p, p->pos, "a value");
  if (++p->values > OH_JSON_READ_MAX_VALUES)
    return oh_fail(p->err, OH_ERR_LIMIT, p->pos, "more than %zu values",
                   OH_JSON_READ_MAX_VALUES);
  c = p->s[p->pos];
  switch (c) {
  case '{': return parse_object(p, v);
  case '[': return parse_array(p, v);
  case '"': v->type = OH_JV_STRING; return parse_string(p, &v->string, &v->len);
  case 't': return parse_literal(p, v, "true", OH_JV_BOOL, 1);
  case 'f': return parse_literal(p, v, "false", OH_JV_BOOL, 0);
  case 'n': return parse_literal(p, v, "null", OH_JV_NULL, 0);
  default:
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p, v);
    return expected(p, p->pos, "a value");
  }
}

/* ---- entry points ------------------------------------------------------ */

int oh_json_parse(const char *text, size_t len, oh_jv **out, oh_error *err) {
  parser p;
  doc *d;
  int rc;
  if (!out) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no place for the result");
  *out = NULL;
  if (!text && len > 0) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no text");
  if (!(d = calloc(1, sizeof *d))) return oh_fail(err, OH_ERR_NOMEM, 0, "out of memory");
  memset(&p, 0, sizeof p);
  p.s = (const unsigned char *)text;
  p.len = len;
  p.err = err;
  p.next_block = BLOCK_FIRST;
  rc = parse_value(&p, &d->root);
  if (rc == OH_OK) {
    skip_ws(&p);
    if (p.pos < p.len)
      rc = oh_fail(err, OH_ERR_MALFORMED, p.pos, "trailing data after the value");
  }
  free(p.vals);
  free(p.keys);
  free(p.buf);
  if (rc != OH_OK) {
    free_blocks(p.blocks);
    free(d);
    return rc;
  }
  d->blocks = p.blocks;
  *out = &d->root;
  oh_error_clear(err);
  return OH_OK;
}

int oh_json_parse_file(const char *path, oh_jv **out, oh_error *err) {
  uint8_t *data;
  size_t len;
  int rc;
  if (out) *out = NULL;
  rc = oh_file_read(path, OH_JSON_READ_MAX_FILE, &data, &len, err);
  if (rc != OH_OK) return rc;
  rc = oh_json_parse((const char *)data, len, out, err);
  free(data);
  return rc;
}

void oh_jv_free(oh_jv *v) {
  doc *d = (doc *)v;
  if (!d) return;
  free_blocks(d->blocks);
  free(d);
}

/* ---- lookups ----------------------------------------------------------- */

/* Member whose key is key[0..n). */
static const oh_jv *get_n(const oh_jv *obj, const char *key, size_t n) {
  size_t i;
  if (!obj || obj->type != OH_JV_OBJECT) return NULL;
  for (i = 0; i < obj->len; i++)
    if (strncmp(obj->keys[i], key, n) == 0 && obj->keys[i][n] == '\0') return &obj->items[i];
  return NULL;
}

const oh_jv *oh_jv_get(const oh_jv *obj, const char *key) {
  return key ? get_n(obj, key, strlen(key)) : NULL;
}

const oh_jv *oh_jv_at(const oh_jv *arr, size_t i) {
  if (!arr || arr->type != OH_JV_ARRAY || i >= arr->len) return NULL;
  return &arr->items[i];
}

size_t oh_jv_count(const oh_jv *v) {
  return v && (v->type == OH_JV_ARRAY || v->type == OH_JV_OBJECT) ? v->len : 0;
}

const char *oh_jv_str(const oh_jv *v) {
  return v && v->type == OH_JV_STRING ? v->string : NULL;
}

/* Array element named by the decimal s[0..n), or NULL. */
static const oh_jv *at_n(const oh_jv *arr, const char *s, size_t n) {
  size_t i, idx = 0;
  if (n == 0) return NULL;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9' || idx > (SIZE_MAX - 9) / 10) return NULL;
    idx = idx * 10 + (size_t)(s[i] - '0');
  }
  return oh_jv_at(arr, idx);
}

const oh_jv *oh_jv_path(const oh_jv *root, const char *path) {
  const oh_jv *v = root;
  if (!path) return NULL;
  while (v && *path) {
    size_t n = strcspn(path, ".");
    v = v->type == OH_JV_ARRAY ? at_n(v, path, n) : get_n(v, path, n);
    path += n;
    if (*path == '.' && *++path == '\0') return NULL; /* "a." names nothing */
  }
  return v;
}

/* Whether the literal lit is exactly an integer: then its sign and
 * magnitude (which must fit in 64 bits). Digits are gathered with trailing
 * zeros held back, so the value is m * 10^k with m free of trailing zeros:
 * an integer exactly when m is 0 or k >= 0. */
static int exact_integer(const char *lit, int *neg, uint64_t *mag) {
  const char *s = lit;
  uint64_t m = 0;
  long long k = 0, zeros = 0, e = 0;
  int frac = 0, eneg = 0;
  *neg = *s == '-';
  if (*neg) s++;
  for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
    if (*s == '.') {
      frac = 1;
      continue;
    }
    if (frac) k--;
    if (*s == '0') {
      zeros++;
      continue;
    }
    for (; zeros > 0; zeros--) {
      if (m > UINT64_MAX / 10) return 0;
      m *= 10;
    }
    if (m > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return 0;
    m = m * 10 + (uint64_t)(*s - '0');
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') eneg = *s++ == '-';
    for (; *s >= '0' && *s <= '9'; s++)
      if (e < 1000000) e = e * 10 + (*s - '0');
  }
  if (m == 0) {
    *mag = 0;
    return 1;
  }
  k += zeros + (eneg ? -e : e);
  if (k < 0) return 0;
  for (; k > 0; k--) {
    if (m > UINT64_MAX / 10) return 0;
    m *= 10;
  }
  *mag = m;
  return 1;
}

int oh_jv_int(const oh_jv *v, int64_t *out) {
  int neg;
  uint64_t mag;
  if (!v || v->type != OH_JV_NUMBER || !v->string || !exact_integer(v->string, &neg, &mag))
    return 0;
  if (neg) {
    if (mag > (uint64_t)INT64_MAX + 1) return 0;
    *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
  } else {
    if (mag > (uint64_t)INT64_MAX) return 0;
    *out = (int64_t)mag;
  }
  return 1;
}

int oh_jv_uint(const oh_jv *v, uint64_t *out) {
  int neg;
  uint64_t mag;
  if (!v || v->type != OH_JV_NUMBER || !v->string || !exact_integer(v->string, &neg, &mag))
    return 0;
  if (neg && mag != 0) return 0;
  *out = mag;
  return 1;
}
