/* Text logs with one packet per line. A line is, after trimming blanks:
 *   - empty, or a comment starting with '#': skipped;
 *   - `lost` or `null`: a lost packet;
 *   - a JSON object whose packet field (packet, data, payload, opus, hex,
 *     b64, base64) is a string or null;
 *   - only hex (bytes optionally split by space, tab, ':' or ',', with
 *     optional 0x prefixes);
 *   - one base64 token (standard or URL-safe, padded or not);
 *   - key=value fields, one of them a packet field as above.
 * A length field (len, packet_len, length) must equal the decoded length.
 * A value made only of hex digits is hex unless its key says base64. Any
 * other line is an error: garbage is never skipped silently. Every error
 * points at the start of its line. Packets are decoded into a buffer the
 * reader owns. */
#include "reader_impl.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct oh_log_state {
  size_t pos;        /* start of the next line */
  uint64_t line;     /* number of lines consumed */
  uint8_t *pkt;      /* decoded packet */
  size_t pkt_cap;
  char *text;        /* an unescaped JSON string */
  size_t text_cap;
} oh_log_state;

typedef struct oh_span {
  const char *p;
  size_t n;
} oh_span;

/* One line being parsed: where it is, for error messages. */
typedef struct oh_line {
  oh_reader *r;
  oh_log_state *s;
  oh_error *err;
  const char *start; /* the line's first byte */
  size_t off;        /* its offset in the input */
  uint64_t no;       /* 1-based line number */
} oh_line;

enum { OH_ENC_AUTO, OH_ENC_HEX, OH_ENC_B64 };
enum { OH_FIELD_OTHER, OH_FIELD_PACKET, OH_FIELD_LENGTH };
#define OH_LOG_MAX_LENGTHS 4

/* What a key=value or JSON line holds. */
typedef struct oh_fields {
  int have_packet;
  int packet_null;        /* JSON null */
  int enc;                /* OH_ENC_* implied by the packet key */
  oh_span key, value;     /* value: raw text, JSON escapes not yet undone */
  int value_escaped;
  int nlen;
  uint64_t len[OH_LOG_MAX_LENGTHS];
  oh_span len_key[OH_LOG_MAX_LENGTHS];
} oh_fields;

static int oh_log_fail(const oh_line *ln, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int oh_log_fail(const oh_line *ln, int code, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return oh_fail(ln->err, code, ln->off, "line %" PRIu64 ": %s", ln->no, msg);
}

static size_t oh_col(const oh_line *ln, const char *p) { return (size_t)(p - ln->start) + 1; }

static int oh_is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static oh_span oh_trim(oh_span t) {
  while (t.n && oh_is_blank(t.p[0])) t.p++, t.n--;
  while (t.n && oh_is_blank(t.p[t.n - 1])) t.n--;
  return t;
}

static int oh_span_is(oh_span t, const char *word) {
  return t.n == strlen(word) && strncasecmp(t.p, word, t.n) == 0;
}

/* Quoted input in a reason is cut short: reasons are one line. */
static int oh_quote_len(size_t n) { return n > 32 ? 32 : (int)n; }

/* ---- Hex and base64 -------------------------------------------------- */

static int oh_hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* No '-': "2024-01-31" must not pass for three bytes of hex. */
static int oh_is_hexsep(char c) { return c == ' ' || c == '\t' || c == ':' || c == ','; }

/* Hex is tokens of [0x]digits split by separators. Returns 1 and the byte
 * count (decoding into out when not NULL), 0 when some token is not hex,
 * -1 when all are hex but one has an odd number of digits (*bad names it). */
static int oh_hex_decode(oh_span t, uint8_t *out, size_t *count, oh_span *bad) {
  size_t i = 0, n = 0;
  int odd = 0;
  while (i < t.n) {
    size_t a, b;
    if (oh_is_hexsep(t.p[i])) {
      i++;
      continue;
    }
    a = i;
    if (t.n - i >= 3 && t.p[i] == '0' && (t.p[i + 1] == 'x' || t.p[i + 1] == 'X')) i += 2;
    b = i;
    while (i < t.n && oh_hexval(t.p[i]) >= 0) i++;
    if (i == b || (i < t.n && !oh_is_hexsep(t.p[i]))) return 0;
    if ((i - b) % 2) {
      if (!odd) bad->p = t.p + a, bad->n = i - a;
      odd = 1;
      continue;
    }
    for (; b < i; b += 2, n++)
      if (out) out[n] = (uint8_t)(oh_hexval(t.p[b]) << 4 | oh_hexval(t.p[b + 1]));
  }
  *count = n;
  return odd ? -1 : n > 0;
}

static int oh_b64val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

/* Checks one base64 token (either alphabet, padding optional but correct
 * if present, unused low bits zero). Returns NULL and the decoded length,
 * or why it is not base64. */
static const char *oh_b64_check(oh_span t, size_t *count) {
  size_t d = 0, pad = 0, i;
  while (d < t.n && oh_b64val(t.p[d]) >= 0) d++;
  for (i = d; i < t.n && t.p[i] == '='; i++) pad++;
  if (i < t.n) return "a character outside the base64 alphabets";
  if (d == 0) return "no base64 digits";
  if (pad > 2 || (pad && (d + pad) % 4)) return "wrong '=' padding";
  if (d % 4 == 1) return "a length no base64 encoding has";
  if ((d % 4 == 2 && (oh_b64val(t.p[d - 1]) & 0x0f)) ||
      (d % 4 == 3 && (oh_b64val(t.p[d - 1]) & 0x03)))
    return "non-zero unused bits in the last digit";
  *count = d / 4 * 3 + (d % 4 ? d % 4 - 1 : 0);
  return NULL;
}

static void oh_b64_decode(oh_span t, uint8_t *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t i, n = 0;
  for (i = 0; i < t.n && t.p[i] != '='; i++) {
    acc = acc << 6 | (uint32_t)oh_b64val(t.p[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
}

/* A bare line of letters only ("Warning") decodes as base64 too; demand
 * some sign of real base64 before calling a bare line a packet. */
static int oh_b64_plausible(oh_span t) {
  size_t i;
  if (t.n >= 16 || (t.n && t.p[t.n - 1] == '=')) return 1;
  for (i = 0; i < t.n; i++)
    if (oh_b64val(t.p[i]) >= 52) return 1;
  return 0;
}

/* ---- Decoding a packet into the reader's buffer ---------------------- */

static int oh_log_reserve(const oh_line *ln, size_t n) {
  oh_log_state *s = ln->s;
  uint8_t *bigger;
  if (n <= s->pkt_cap) return OH_OK;
  bigger = realloc(s->pkt, n);
  if (!bigger) return oh_fail(ln->err, OH_ERR_NOMEM, ln->off, "out of memory");
  s->pkt = bigger;
  s->pkt_cap = n;
  return OH_OK;
}

static int oh_log_check_size(const oh_line *ln, size_t n, const char *what) {
  if (n > ln->r->opt.max_packet_len)
    return oh_log_fail(ln, OH_ERR_LIMIT, "%s holds %zu bytes, over the %zu-byte limit",
                       what, n, ln->r->opt.max_packet_len);
  return oh_log_reserve(ln, n);
}

static int oh_is_lost_word(oh_span t) { return oh_span_is(t, "lost") || oh_span_is(t, "null"); }

/* Decodes t as enc says into the packet buffer and fills rec. */
static int oh_log_decode(const oh_line *ln, oh_span t, int enc, const char *what,
                         oh_record *rec) {
  oh_span bad = {NULL, 0};
  size_t n = 0;
  const char *why;
  int rc, hex = enc == OH_ENC_B64 ? 0 : oh_hex_decode(t, NULL, &n, &bad);
  if (hex < 0)
    return oh_log_fail(ln, OH_ERR_MALFORMED, "%s has an odd number of hex digits ('%.*s')",
                       what, oh_quote_len(bad.n), bad.p);
  if (hex > 0) {
    if ((rc = oh_log_check_size(ln, n, what)) != OH_OK) return rc;
    oh_hex_decode(t, ln->s->pkt, &n, &bad);
  } else {
    if (enc == OH_ENC_HEX)
      return oh_log_fail(ln, OH_ERR_MALFORMED, "%s is not hex", what);
    if ((why = oh_b64_check(t, &n)) != NULL)
      return oh_log_fail(ln, OH_ERR_MALFORMED, "%s is %s (%s)", what,
                         enc == OH_ENC_B64 ? "not base64" : "neither hex nor base64", why);
    if ((rc = oh_log_check_size(ln, n, what)) != OH_OK) return rc;
    oh_b64_decode(t, ln->s->pkt);
  }
  rec->data = ln->s->pkt;
  rec->len = n;
  return 1;
}

/* ---- Fields shared by key=value and JSON lines ----------------------- */

static int oh_field_kind(oh_span key, int *enc) {
  static const char *const auto_keys[] = {"packet", "data", "payload", "opus"};
  static const char *const len_keys[] = {"len", "packet_len", "length"};
  size_t i;
  for (i = 0; i < sizeof auto_keys / sizeof auto_keys[0]; i++)
    if (oh_span_is(key, auto_keys[i])) return *enc = OH_ENC_AUTO, OH_FIELD_PACKET;
  if (oh_span_is(key, "hex")) return *enc = OH_ENC_HEX, OH_FIELD_PACKET;
  if (oh_span_is(key, "b64") || oh_span_is(key, "base64"))
    return *enc = OH_ENC_B64, OH_FIELD_PACKET;
  for (i = 0; i < sizeof len_keys / sizeof len_keys[0]; i++)
    if (oh_span_is(key, len_keys[i])) return OH_FIELD_LENGTH;
  return OH_FIELD_OTHER;
}

static int oh_fields_packet(const oh_line *ln, oh_fields *f, oh_span key, int enc,
                            oh_span value, int escaped, int is_null) {
  if (f->have_packet)
    return oh_log_fail(ln, OH_ERR_MALFORMED, "two packet fields ('%.*s' and '%.*s')",
                       oh_quote_len(f->key.n), f->key.p, oh_quote_len(key.n), key.p);
  f->have_packet = 1;
  f->key = key;
  f->enc = enc;
  f->value = value;
  f->value_escaped = escaped;
  f->packet_null = is_null;
  return OH_OK;
}

/* A byte count: decimal digits only, at most 15 of them. */
static int oh_fields_length(const oh_line *ln, oh_fields *f, oh_span key, oh_span v) {
  uint64_t x = 0;
  size_t i;
  if (v.n == 0 || v.n > 15)
    return oh_log_fail(ln, OH_ERR_MALFORMED, "length field '%.*s' is not a byte count",
                       oh_quote_len(key.n), key.p);
  for (i = 0; i < v.n; i++) {
    if (v.p[i] < '0' || v.p[i] > '9')
      return oh_log_fail(ln, OH_ERR_MALFORMED, "length field '%.*s' is not a byte count",
                         oh_quote_len(key.n), key.p);
    x = x * 10 + (uint64_t)(v.p[i] - '0');
  }
  if (f->nlen == OH_LOG_MAX_LENGTHS)
    return oh_log_fail(ln, OH_ERR_MALFORMED, "more than %d length fields",
                       OH_LOG_MAX_LENGTHS);
  f->len_key[f->nlen] = key;
  f->len[f->nlen++] = x;
  return OH_OK;
}

/* ---- key=value lines ------------------------------------------------- */

/* The end of the token starting at p: the next blank outside quotes. */
static const char *oh_kv_token_end(const char *p, const char *end) {
  char quote = 0;
  for (; p < end; p++) {
    if (quote) {
      if (*p == quote) quote = 0;
    } else if (*p == '"' || *p == '\'') {
      quote = *p;
    } else if (oh_is_blank(*p)) {
      break;
    }
  }
  return p;
}

/* The value of key=value without a trailing separator or quotes. */
static oh_span oh_kv_value(oh_span v) {
  while (v.n && (v.p[v.n - 1] == ',' || v.p[v.n - 1] == ';')) v.n--;
  if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.n - 1] == v.p[0]) {
    v.p++;
    v.n -= 2;
  }
  return v;
}

static int oh_kv_field(const oh_line *ln, oh_fields *f, oh_span tok) {
  const char *eq = memchr(tok.p, '=', tok.n);
  oh_span key, value;
  int enc = OH_ENC_AUTO, kind;
  if (!eq || eq == tok.p) return OH_OK;
  key.p = tok.p;
  key.n = (size_t)(eq - tok.p);
  value.p = eq + 1;
  value.n = tok.n - key.n - 1;
  value = oh_kv_value(value);
  kind = oh_field_kind(key, &enc);
  if (kind == OH_FIELD_PACKET) return oh_fields_packet(ln, f, key, enc, value, 0, 0);
  if (kind == OH_FIELD_LENGTH) return oh_fields_length(ln, f, key, value);
  return OH_OK;
}

static int oh_kv_parse(const oh_line *ln, oh_span t, oh_fields *f) {
  const char *p = t.p, *end = t.p + t.n;
  int rc;
  while (p < end) {
    oh_span tok;
    if (oh_is_blank(*p)) {
      p++;
      continue;
    }
    tok.p = p;
    p = oh_kv_token_end(p, end);
    tok.n = (size_t)(p - tok.p);
    if ((rc = oh_kv_field(ln, f, tok)) != OH_OK) return rc;
  }
  return OH_OK;
}

/* ---- JSON lines ------------------------------------------------------ */

typedef struct oh_json {
  const oh_line *ln;
  const char *p, *end;
} oh_json;

static int oh_json_fail(const oh_json *j, const char *what) {
  if (j->p >= j->end)
    return oh_log_fail(j->ln, OH_ERR_MALFORMED, "JSON: %s at the end of the line", what);
  return oh_log_fail(j->ln, OH_ERR_MALFORMED, "JSON: %s at column %zu", what,
                     oh_col(j->ln, j->p));
}

static void oh_json_ws(oh_json *j) {
  while (j->p < j->end && (oh_is_blank(*j->p))) j->p++;
}

static int oh_json_expect(oh_json *j, char c, const char *what) {
  oh_json_ws(j);
  if (j->p >= j->end || *j->p != c) return oh_json_fail(j, what);
  j->p++;
  return OH_OK;
}

/* A string's raw contents (escapes validated, not undone). */
static int oh_json_string(oh_json *j, oh_span *out, int *escaped) {
  const char *start;
  *escaped = 0;
  if (j->p >= j->end || *j->p != '"') return oh_json_fail(j, "expected a string");
  start = ++j->p;
  while (j->p < j->end && *j->p != '"') {
    if (*j->p == '\\') {
      int k;
      *escaped = 1;
      if (++j->p >= j->end) break;
      if (!*j->p || !strchr("\"\\/bfnrtu", *j->p)) return oh_json_fail(j, "bad escape");
      if (*j->p == 'u')
        for (k = 0; k < 4; k++)
          if (++j->p >= j->end || oh_hexval(*j->p) < 0)
            return oh_json_fail(j, "bad \\u escape");
    }
    j->p++;
  }
  if (j->p >= j->end) return oh_json_fail(j, "unterminated string");
  out->p = start;
  out->n = (size_t)(j->p - start);
  j->p++;
  return OH_OK;
}

/* Skips a nested object or array without recursion: one bit a level says
 * which closing bracket is due. */
static int oh_json_skip_nested(oh_json *j) {
  uint64_t objects = 0;
  int depth = 0;
  while (j->p < j->end) {
    char c = *j->p;
    if (c == '"') {
      oh_span s;
      int esc, rc = oh_json_string(j, &s, &esc);
      if (rc != OH_OK) return rc;
      continue;
    }
    if (c == '{' || c == '[') {
      if (depth == 64) return oh_json_fail(j, "nesting deeper than 64 levels");
      objects = objects << 1 | (c == '{');
      depth++;
    } else if (c == '}' || c == ']') {
      if ((c == '}') != (int)(objects & 1)) return oh_json_fail(j, "unbalanced brackets");
      objects >>= 1;
      depth--;
    }
    j->p++;
    if (depth == 0) return OH_OK;
  }
  return oh_json_fail(j, "unbalanced brackets");
}

static oh_span oh_json_word(oh_json *j) {
  oh_span w = {j->p, 0};
  while (j->p < j->end && (strchr("+-.", *j->p) || (*j->p >= '0' && *j->p <= '9') ||
                           (*j->p >= 'a' && *j->p <= 'z') || (*j->p >= 'A' && *j->p <= 'Z')))
    j->p++;
  w.n = (size_t)(j->p - w.p);
  return w;
}

static int oh_json_value(oh_json *j, oh_fields *f, oh_span key) {
  int enc = OH_ENC_AUTO, kind = oh_field_kind(key, &enc), esc;
  oh_span v;
  oh_json_ws(j);
  if (j->p >= j->end) return oh_json_fail(j, "expected a value");
  if (*j->p == '"') {
    int rc = oh_json_string(j, &v, &esc);
    if (rc != OH_OK) return rc;
    if (kind == OH_FIELD_PACKET) return oh_fields_packet(j->ln, f, key, enc, v, esc, 0);
    if (kind == OH_FIELD_LENGTH)
      return oh_log_fail(j->ln, OH_ERR_MALFORMED, "length field '%.*s' is a string",
                         oh_quote_len(key.n), key.p);
    return OH_OK;
  }
  if (*j->p == '{' || *j->p == '[') {
    if (kind != OH_FIELD_OTHER)
      return oh_log_fail(j->ln, OH_ERR_MALFORMED, "field '%.*s' is not a string or number",
                         oh_quote_len(key.n), key.p);
    return oh_json_skip_nested(j);
  }
  v = oh_json_word(j);
  if (v.n == 0) return oh_json_fail(j, "expected a value");
  if (kind == OH_FIELD_PACKET && oh_span_is(v, "null"))
    return oh_fields_packet(j->ln, f, key, enc, v, 0, 1);
  if (kind == OH_FIELD_PACKET)
    return oh_log_fail(j->ln, OH_ERR_MALFORMED, "packet field '%.*s' is not a string",
                       oh_quote_len(key.n), key.p);
  if (kind == OH_FIELD_LENGTH) return oh_fields_length(j->ln, f, key, v);
  return OH_OK;
}

static int oh_json_member(oh_json *j, oh_fields *f) {
  oh_span key;
  int esc, rc;
  oh_json_ws(j);
  if ((rc = oh_json_string(j, &key, &esc)) != OH_OK) return rc;
  if (esc) key.n = 0; /* an escaped key is never one of ours */
  if ((rc = oh_json_expect(j, ':', "expected ':'")) != OH_OK) return rc;
  return oh_json_value(j, f, key);
}

static int oh_json_parse(const oh_line *ln, oh_span t, oh_fields *f) {
  oh_json j = {ln, t.p + 1, t.p + t.n};
  int rc;
  oh_json_ws(&j);
  if (j.p < j.end && *j.p == '}') {
    j.p++;
  } else {
    for (;;) {
      if ((rc = oh_json_member(&j, f)) != OH_OK) return rc;
      oh_json_ws(&j);
      if (j.p < j.end && *j.p == ',') {
        j.p++;
        continue;
      }
      if ((rc = oh_json_expect(&j, '}', "expected ',' or '}'")) != OH_OK) return rc;
      break;
    }
  }
  oh_json_ws(&j);
  if (j.p < j.end) return oh_json_fail(&j, "text after the object");
  return OH_OK;
}

/* Undoes JSON escapes into the reader's text buffer. Non-ASCII \u escapes
 * become '?', which no packet encoding accepts. */
static int oh_json_unescape(const oh_line *ln, oh_span raw, oh_span *out) {
  oh_log_state *s = ln->s;
  size_t i, n = 0;
  if (raw.n > s->text_cap) {
    char *bigger = realloc(s->text, raw.n);
    if (!bigger) return oh_fail(ln->err, OH_ERR_NOMEM, ln->off, "out of memory");
    s->text = bigger;
    s->text_cap = raw.n;
  }
  for (i = 0; i < raw.n; i++) {
    char c = raw.p[i];
    if (c == '\\') {
      c = raw.p[++i];
      if (c == 'u') {
        int v = oh_hexval(raw.p[i + 1]) << 12 | oh_hexval(raw.p[i + 2]) << 8 |
                oh_hexval(raw.p[i + 3]) << 4 | oh_hexval(raw.p[i + 4]);
        c = v < 0x80 ? (char)v : '?';
        i += 4;
      } else if (c && strchr("bfnrt", c)) {
        c = "\b\f\n\r\t"[strchr("bfnrt", c) - "bfnrt"];
      }
    }
    s->text[n++] = c;
  }
  out->p = s->text;
  out->n = n;
  return OH_OK;
}

/* ---- Lines to records ------------------------------------------------- */

static int oh_fields_record(const oh_line *ln, oh_fields *f, oh_record *rec) {
  char what[48];
  oh_span v = oh_trim(f->value);
  int rc, i;
  if (!f->have_packet)
    return oh_log_fail(ln, OH_ERR_MALFORMED,
                       "no packet field (packet, data, payload, opus, hex, b64 or base64)");
  if (f->packet_null || oh_is_lost_word(v)) {
    rec->lost = 1;
    return 1;
  }
  snprintf(what, sizeof what, "field '%.*s'", oh_quote_len(f->key.n), f->key.p);
  if (v.n == 0)
    return oh_log_fail(ln, OH_ERR_MALFORMED, "%s is empty (write lost or null for a lost packet)",
                       what);
  /* Hex takes at most 6 characters a byte ("0xab, "): refuse longer text
   * before copying it. */
  if (v.n / 8 > ln->r->opt.max_packet_len)
    return oh_log_fail(ln, OH_ERR_LIMIT, "%s is %zu characters, too long for the %zu-byte limit",
                       what, v.n, ln->r->opt.max_packet_len);
  if (f->value_escaped) {
    if ((rc = oh_json_unescape(ln, v, &v)) != OH_OK) return rc;
    v = oh_trim(v);
  }
  if ((rc = oh_log_decode(ln, v, f->enc, what, rec)) != 1) return rc;
  for (i = 0; i < f->nlen; i++)
    if (f->len[i] != rec->len)
      return oh_log_fail(ln, OH_ERR_MALFORMED, "%.*s=%" PRIu64 " but %s holds %zu bytes",
                         oh_quote_len(f->len_key[i].n), f->len_key[i].p, f->len[i], what, rec->len);
  return 1;
}

/* Some token holds '=' after a non-empty key. */
static int oh_has_kv(oh_span t) {
  size_t i;
  for (i = 1; i < t.n; i++)
    if (t.p[i] == '=' && !oh_is_blank(t.p[i - 1])) return 1;
  return 0;
}

static int oh_line_record(const oh_line *ln, oh_span t, oh_record *rec) {
  oh_fields f;
  oh_span bad;
  size_t n;
  int rc;
  memset(&f, 0, sizeof f);
  if (t.p[0] == '{') {
    if ((rc = oh_json_parse(ln, t, &f)) != OH_OK) return rc;
    return oh_fields_record(ln, &f, rec);
  }
  if (oh_is_lost_word(t)) {
    rec->lost = 1;
    return 1;
  }
  if (oh_hex_decode(t, NULL, &n, &bad) != 0) return oh_log_decode(ln, t, OH_ENC_HEX, "the line", rec);
  if (oh_b64_check(t, &n) == NULL && oh_b64_plausible(t))
    return oh_log_decode(ln, t, OH_ENC_B64, "the line", rec);
  if (oh_has_kv(t)) {
    if ((rc = oh_kv_parse(ln, t, &f)) != OH_OK) return rc;
    return oh_fields_record(ln, &f, rec);
  }
  return oh_log_fail(ln, OH_ERR_MALFORMED,
                     "not a packet line (expected hex, base64, key=value with a packet "
                     "field, JSON, lost, or a # comment)");
}

/* Takes the next line; returns 0 at the end of the input. */
static int oh_take_line(oh_reader *r, oh_log_state *s, oh_line *ln, oh_span *t) {
  const char *start, *nl;
  size_t left = r->len - s->pos, n;
  if (left == 0) return 0;
  start = (const char *)r->buf + s->pos;
  nl = memchr(start, '\n', left);
  n = nl ? (size_t)(nl - start) : left;
  ln->start = start;
  ln->off = s->pos;
  ln->no = ++s->line;
  s->pos += nl ? n + 1 : n;
  t->p = start;
  t->n = n;
  return 1;
}

static int oh_log_next(oh_reader *r, oh_record *rec, oh_error *err) {
  oh_log_state *s = r->state;
  oh_line ln = {r, s, err, NULL, 0, 0};
  oh_span t;
  while (oh_take_line(r, s, &ln, &t)) {
    const char *nul = memchr(t.p, '\0', t.n);
    if (nul) return oh_log_fail(&ln, OH_ERR_MALFORMED, "NUL byte at column %zu",
                           oh_col(&ln, nul));
    t = oh_trim(t);
    if (t.n == 0 || t.p[0] == '#') continue;
    rec->offset = ln.off;
    return oh_line_record(&ln, t, rec);
  }
  return 0;
}

static int oh_log_open(oh_reader *r, oh_error *err) {
  oh_log_state *s = calloc(1, sizeof *s);
  if (!s) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  /* A UTF-8 byte order mark is no part of line 1. */
  if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0) s->pos = 3;
  r->state = s;
  snprintf(r->describe, sizeof r->describe,
           "log: one packet per line (hex, base64, key=value or JSON)");
  return OH_OK;
}

static void oh_log_close(oh_reader *r) {
  oh_log_state *s = r->state;
  if (s) {
    free(s->pkt);
    free(s->text);
    free(s);
  }
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_log = {oh_log_open, oh_log_next, oh_log_close};
