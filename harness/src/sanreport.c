/* Sanitizer-report parsing: the public entry points (parse, iterate, names,
 * describe, crash state), the string arena, the line reader and the
 * recogniser that decides which line opens which kind of report. The
 * per-format bodies live in sanreport_llvm.c and sanreport_valgrind.c. */
#include "sanreport_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------ */

static const char *const tool_names[OH_SAN_TOOL_COUNT] = {
  [OH_SAN_TOOL_UNKNOWN] = "unknown",
  [OH_SAN_TOOL_ASAN] = "asan",
  [OH_SAN_TOOL_UBSAN] = "ubsan",
  [OH_SAN_TOOL_MSAN] = "msan",
  [OH_SAN_TOOL_TSAN] = "tsan",
  [OH_SAN_TOOL_LSAN] = "lsan",
  [OH_SAN_TOOL_MEMCHECK] = "valgrind-memcheck",
  [OH_SAN_TOOL_HELGRIND] = "helgrind",
  [OH_SAN_TOOL_DRD] = "drd",
  [OH_SAN_TOOL_LIBFUZZER] = "libfuzzer",
  [OH_SAN_TOOL_ASSERTION] = "assertion",
};

static const char *const kind_names[OH_SAN_KIND_COUNT] = {
  [OH_SAN_KIND_UNKNOWN] = "unknown",
  [OH_SAN_KIND_HEAP_BUFFER_OVERFLOW] = "heap-buffer-overflow",
  [OH_SAN_KIND_STACK_BUFFER_OVERFLOW] = "stack-buffer-overflow",
  [OH_SAN_KIND_STACK_BUFFER_UNDERFLOW] = "stack-buffer-underflow",
  [OH_SAN_KIND_DYNAMIC_STACK_BUFFER_OVERFLOW] = "dynamic-stack-buffer-overflow",
  [OH_SAN_KIND_GLOBAL_BUFFER_OVERFLOW] = "global-buffer-overflow",
  [OH_SAN_KIND_CONTAINER_OVERFLOW] = "container-overflow",
  [OH_SAN_KIND_HEAP_USE_AFTER_FREE] = "heap-use-after-free",
  [OH_SAN_KIND_STACK_USE_AFTER_RETURN] = "stack-use-after-return",
  [OH_SAN_KIND_STACK_USE_AFTER_SCOPE] = "stack-use-after-scope",
  [OH_SAN_KIND_USE_AFTER_POISON] = "use-after-poison",
  [OH_SAN_KIND_INIT_ORDER_FIASCO] = "initialization-order-fiasco",
  [OH_SAN_KIND_UNKNOWN_CRASH] = "unknown-crash",
  [OH_SAN_KIND_INVALID_READ] = "invalid-read",
  [OH_SAN_KIND_INVALID_WRITE] = "invalid-write",
  [OH_SAN_KIND_INVALID_JUMP] = "invalid-jump",
  [OH_SAN_KIND_DOUBLE_FREE] = "double-free",
  [OH_SAN_KIND_BAD_FREE] = "bad-free",
  [OH_SAN_KIND_INVALID_FREE] = "invalid-free",
  [OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH] = "alloc-dealloc-mismatch",
  [OH_SAN_KIND_PARAM_OVERLAP] = "param-overlap",
  [OH_SAN_KIND_NEGATIVE_SIZE_PARAM] = "negative-size-param",
  [OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG] = "allocation-size-too-big",
  [OH_SAN_KIND_FISHY_VALUE] = "fishy-value",
  [OH_SAN_KIND_MEMORY_LEAK] = "memory-leak",
  [OH_SAN_KIND_OUT_OF_MEMORY] = "out-of-memory",
  [OH_SAN_KIND_SEGV] = "SEGV",
  [OH_SAN_KIND_BUS] = "BUS",
  [OH_SAN_KIND_FPE] = "FPE",
  [OH_SAN_KIND_ILL] = "ILL",
  [OH_SAN_KIND_ABRT] = "ABRT",
  [OH_SAN_KIND_STACK_OVERFLOW] = "stack-overflow",
  [OH_SAN_KIND_DEADLY_SIGNAL] = "deadly-signal",
  [OH_SAN_KIND_TIMEOUT] = "timeout",
  [OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW] = "signed-integer-overflow",
  [OH_SAN_KIND_UNSIGNED_INTEGER_OVERFLOW] = "unsigned-integer-overflow",
  [OH_SAN_KIND_SHIFT_EXPONENT] = "shift-exponent",
  [OH_SAN_KIND_SHIFT_BASE] = "shift-base",
  [OH_SAN_KIND_INTEGER_DIVIDE_BY_ZERO] = "integer-divide-by-zero",
  [OH_SAN_KIND_FLOAT_CAST_OVERFLOW] = "float-cast-overflow",
  [OH_SAN_KIND_POINTER_OVERFLOW] = "pointer-overflow",
  [OH_SAN_KIND_MISALIGNED_ACCESS] = "misaligned-access",
  [OH_SAN_KIND_NULL_DEREF] = "null-deref",
  [OH_SAN_KIND_OUT_OF_BOUNDS_INDEX] = "out-of-bounds-index",
  [OH_SAN_KIND_OBJECT_SIZE] = "object-size",
  [OH_SAN_KIND_INVALID_BOOL] = "invalid-bool-value",
  [OH_SAN_KIND_INVALID_ENUM] = "invalid-enum-value",
  [OH_SAN_KIND_UNREACHABLE] = "unreachable",
  [OH_SAN_KIND_MISSING_RETURN] = "missing-return",
  [OH_SAN_KIND_VLA_BOUND] = "vla-bound",
  [OH_SAN_KIND_NONNULL_ATTRIBUTE] = "nonnull-attribute",
  [OH_SAN_KIND_INVALID_BUILTIN] = "invalid-builtin-use",
  [OH_SAN_KIND_IMPLICIT_CONVERSION] = "implicit-conversion",
  [OH_SAN_KIND_FUNCTION_TYPE_MISMATCH] = "function-type-mismatch",
  [OH_SAN_KIND_CFI] = "cfi-violation",
  [OH_SAN_KIND_UNDEFINED_BEHAVIOR] = "undefined-behavior",
  [OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE] = "use-of-uninitialized-value",
  [OH_SAN_KIND_DATA_RACE] = "data-race",
  [OH_SAN_KIND_LOCK_ORDER_INVERSION] = "lock-order-inversion",
  [OH_SAN_KIND_THREAD_API_MISUSE] = "thread-api-misuse",
  [OH_SAN_KIND_THREAD_LEAK] = "thread-leak",
  [OH_SAN_KIND_SIGNAL_UNSAFE_CALL] = "signal-unsafe-call",
  [OH_SAN_KIND_ASSERTION] = "assertion",
  [OH_SAN_KIND_FUZZ_TARGET_EXITED] = "fuzz-target-exited",
};

const char *oh_san_tool_name(oh_san_tool tool) {
  if ((unsigned)tool >= OH_SAN_TOOL_COUNT) return "unknown";
  return tool_names[tool];
}

const char *oh_san_kind_name(oh_san_kind kind) {
  if ((unsigned)kind >= OH_SAN_KIND_COUNT || !kind_names[kind]) return "unknown";
  return kind_names[kind];
}

oh_san_kind oh_san_kind_from_name(const char *name) {
  int k;
  if (!name) return OH_SAN_KIND_UNKNOWN;
  for (k = 0; k < OH_SAN_KIND_COUNT; k++)
    if (kind_names[k] && strcmp(kind_names[k], name) == 0) return (oh_san_kind)k;
  return OH_SAN_KIND_UNKNOWN;
}

const char *oh_san_access_name(oh_san_access access) {
  switch (access) {
  case OH_SAN_ACCESS_READ: return "READ";
  case OH_SAN_ACCESS_WRITE: return "WRITE";
  default: return "UNKNOWN";
  }
}

const char *oh_san_relation_name(oh_san_relation rel) {
  switch (rel) {
  case OH_SAN_REL_BEFORE: return "before";
  case OH_SAN_REL_AFTER: return "after";
  case OH_SAN_REL_INSIDE: return "inside";
  default: return "none";
  }
}

const char *oh_san_region_name(oh_san_region_kind region) {
  switch (region) {
  case OH_SAN_REGION_HEAP: return "heap";
  case OH_SAN_REGION_STACK: return "stack";
  case OH_SAN_REGION_GLOBAL: return "global";
  default: return "unknown";
  }
}

/* ---- arena ------------------------------------------------------------ */

/* Strings go into a few large blocks so a report is freed in a handful of
 * calls and frames can point at them without owning them. */
struct oh_san_arena {
  oh_san_arena *next;
  size_t used, cap;
  char data[];
};

#define OH_SAN_ARENA_BLOCK 8192

const char *oh_san_keep(oh_san_ctx *c, const char *s, size_t n) {
  oh_san_report *r = c->r;
  oh_san_arena *a = r->arena_;
  char *p;
  if (!a || a->cap - a->used < n + 1) {
    size_t cap = n + 1 > OH_SAN_ARENA_BLOCK ? n + 1 : OH_SAN_ARENA_BLOCK;
    a = malloc(sizeof *a + cap);
    if (!a) {
      c->nomem = 1;
      return NULL;
    }
    a->next = r->arena_;
    a->used = 0;
    a->cap = cap;
    r->arena_ = a;
  }
  p = a->data + a->used;
  memcpy(p, s, n);
  p[n] = '\0';
  a->used += n + 1;
  return p;
}

const char *oh_san_keep_str(oh_san_ctx *c, const char *s) {
  return s ? oh_san_keep(c, s, strlen(s)) : NULL;
}

void oh_san_report_free(oh_san_report *r) {
  oh_san_arena *a;
  if (!r) return;
  a = r->arena_;
  while (a) {
    oh_san_arena *next = a->next;
    free(a);
    a = next;
  }
  memset(r, 0, sizeof *r);
}

oh_san_frame *oh_san_stack_push(oh_san_stack *st) {
  oh_san_frame *f;
  if (st->count >= OH_SAN_MAX_FRAMES) {
    st->omitted++;
    return NULL;
  }
  f = &st->frame[st->count++];
  memset(f, 0, sizeof *f);
  return f;
}

/* ---- scanners --------------------------------------------------------- */

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

int oh_san_scan_hex(const char *s, uint64_t *v, const char **end) {
  uint64_t x = 0;
  int d, n = 0;
  if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return 0;
  s += 2;
  while ((d = hexval(*s)) >= 0) {
    x = x > (UINT64_MAX >> 4) ? UINT64_MAX : (x << 4) | (uint64_t)d;
    s++;
    n++;
  }
  if (n == 0) return 0;
  *v = x;
  if (end) *end = s;
  return 1;
}

int oh_san_scan_dec(const char *s, int commas, uint64_t *v, const char **end) {
  uint64_t x = 0;
  int n = 0;
  if (!s) return 0;
  for (;;) {
    if (*s >= '0' && *s <= '9') {
      uint64_t d = (uint64_t)(*s - '0');
      x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
      n++;
      s++;
    } else if (commas && *s == ',' && n > 0 && s[1] >= '0' && s[1] <= '9') {
      s++;
    } else {
      break;
    }
  }
  if (n == 0) return 0;
  *v = x;
  if (end) *end = s;
  return 1;
}

int oh_san_clamp_int(uint64_t v) { return v > 0x7fffffff ? 0x7fffffff : (int)v; }

const char *oh_san_after(const char *s, const char *needle) {
  const char *p = s ? strstr(s, needle) : NULL;
  return p ? p + strlen(needle) : NULL;
}

int oh_san_starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

int oh_san_split_location(const char *s, size_t n, size_t *file_len, int *line,
                          int *column) {
  size_t i = n, d1, d2 = 0, e1;
  uint64_t a = 0, b = 0;
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') i--;
  d1 = n - i;
  if (d1 == 0 || i == 0 || s[i - 1] != ':') return 0;
  e1 = i - 1; /* the colon before the last number */
  {
    size_t j = e1;
    while (j > 0 && s[j - 1] >= '0' && s[j - 1] <= '9') j--;
    d2 = e1 - j;
    if (d2 > 0 && j > 0 && s[j - 1] == ':') {
      /* file:line:col */
      oh_san_scan_dec(s + j, 0, &a, NULL);
      oh_san_scan_dec(s + i, 0, &b, NULL);
      *file_len = j - 1;
      *line = oh_san_clamp_int(a);
      *column = oh_san_clamp_int(b);
      return *file_len > 0;
    }
  }
  oh_san_scan_dec(s + i, 0, &a, NULL);
  *file_len = e1;
  *line = oh_san_clamp_int(a);
  *column = 0;
  return *file_len > 0;
}

void oh_san_set_region(oh_san_report *r, oh_san_relation rel, uint64_t distance,
                       uint64_t size) {
  /* Sizes beyond 2^62 only come from garbage; clamp so the sums stay defined. */
  const uint64_t lim = (uint64_t)1 << 62;
  if (distance > lim) distance = lim;
  if (size > lim) size = lim;
  r->relation = rel;
  r->region_size = size;
  if (rel == OH_SAN_REL_AFTER) r->region_offset = (int64_t)(size + distance);
  else if (rel == OH_SAN_REL_BEFORE) r->region_offset = -(int64_t)distance;
  else r->region_offset = (int64_t)distance;
}

/* ---- lines ------------------------------------------------------------ */

/* "==123==", "--123--", "**123**": the prefix Valgrind puts on every line
 * and sanitizers on some. Returns its length, 0 when absent. */
static size_t pid_prefix(const char *t, char *kind, long *pid) {
  char ch = t[0];
  size_t i = 2;
  long v = 0;
  if ((ch != '=' && ch != '-' && ch != '*') || t[1] != ch) return 0;
  if (t[i] < '0' || t[i] > '9') return 0;
  while (t[i] >= '0' && t[i] <= '9') {
    if (v < 100000000) v = v * 10 + (t[i] - '0');
    i++;
  }
  if (t[i] != ch || t[i + 1] != ch) return 0;
  *kind = ch;
  *pid = v;
  return i + 2;
}

int oh_san_read_line(const oh_san_ctx *c, size_t pos, oh_san_line *l) {
  const uint8_t *p, *nl;
  size_t n, ln, i, o = 0, pre;
  if (pos >= c->len) return 0;
  p = c->buf + pos;
  n = c->len - pos;
  nl = memchr(p, '\n', n);
  ln = nl ? (size_t)(nl - p) : n;
  l->begin = pos;
  l->next = pos + ln + (nl ? 1 : 0);
  l->complete = nl != NULL;
  for (i = 0; i < ln && o < OH_SAN_LINE_MAX - 1; i++) {
    char ch = (char)p[i];
    if (ch == '\r') continue;
    l->text[o++] = ch == '\0' ? '?' : ch;
  }
  l->text[o] = '\0';
  l->prefix = 0;
  l->pid = 0;
  pre = pid_prefix(l->text, &l->prefix, &l->pid);
  l->indent = 0;
  while (l->text[pre + (size_t)l->indent] == ' ' || l->text[pre + (size_t)l->indent] == '\t')
    l->indent++;
  l->s = l->text + pre + l->indent;
  return 1;
}

/* ---- which line opens a report --------------------------------------- */

/* "ERROR: XxxSanitizer: " or "WARNING: XxxSanitizer: ". */
static int is_llvm_header(const char *s) {
  const char *p;
  if (oh_san_starts(s, "ERROR: ")) p = s + 7;
  else if (oh_san_starts(s, "WARNING: ")) p = s + 9;
  else return 0;
  while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) p++;
  return p - s >= 9 + 9 && oh_san_starts(p - 9, "Sanitizer") && p[0] == ':' &&
         p[1] == ' ';
}

static int is_assert_header(const char *s) {
  if (oh_san_starts(s, "Fatal (internal) error in ")) return 1;
  return strstr(s, ": Assertion `") != NULL && strstr(s, "' failed") != NULL;
}

oh_san_header oh_san_classify(const oh_san_ctx *c, const oh_san_line *l) {
  const char *s = l->s;
  if (*s == '\0') return OH_SAN_H_NONE;
  if (*s == '<') {
    if (oh_san_starts(s, "<error>") || oh_san_starts(s, "<fatal_signal>"))
      return OH_SAN_H_XML;
    return OH_SAN_H_NONE;
  }
  if (is_llvm_header(s)) return OH_SAN_H_LLVM;
  if (strstr(l->text, ": runtime error: ")) return OH_SAN_H_UBSAN;
  if (oh_san_starts(s, "ERROR: libFuzzer: ")) return OH_SAN_H_LIBFUZZER;
  if (oh_san_starts(s, "ALARM: working on the last Unit for")) return OH_SAN_H_ALARM;
  if (is_assert_header(s)) return OH_SAN_H_ASSERT;
  if (l->prefix == '=' && l->indent == 1) {
    oh_san_line next;
    int have = oh_san_read_line(c, l->next, &next);
    if (oh_san_is_valgrind_headline(l, have ? &next : NULL)) return OH_SAN_H_VALGRIND;
  }
  return OH_SAN_H_NONE;
}

/* Valgrind names its tool in the preamble; remember it for the reports. */
static void note_preamble(oh_san_iter *it, const oh_san_line *l) {
  const char *s = l->s;
  if (l->prefix == '=' && l->indent == 1) {
    if (oh_san_starts(s, "Memcheck, a memory error detector"))
      it->valgrind_tool = OH_SAN_TOOL_MEMCHECK;
    else if (oh_san_starts(s, "Helgrind, a thread error detector"))
      it->valgrind_tool = OH_SAN_TOOL_HELGRIND;
    else if (oh_san_starts(s, "drd, a thread error detector"))
      it->valgrind_tool = OH_SAN_TOOL_DRD;
  } else if (oh_san_starts(s, "<protocoltool>")) {
    s += strlen("<protocoltool>");
    if (oh_san_starts(s, "memcheck<")) it->valgrind_tool = OH_SAN_TOOL_MEMCHECK;
    else if (oh_san_starts(s, "helgrind<")) it->valgrind_tool = OH_SAN_TOOL_HELGRIND;
    else if (oh_san_starts(s, "drd<")) it->valgrind_tool = OH_SAN_TOOL_DRD;
  }
}

/* ---- parsing ---------------------------------------------------------- */

size_t oh_san_parse_at(oh_san_ctx *c, const oh_san_line *hdr, oh_san_header type) {
  switch (type) {
  case OH_SAN_H_LLVM: return oh_san_parse_llvm(c, hdr);
  case OH_SAN_H_UBSAN: return oh_san_parse_ubsan(c, hdr);
  case OH_SAN_H_LIBFUZZER:
  case OH_SAN_H_ALARM: return oh_san_parse_libfuzzer(c, hdr);
  case OH_SAN_H_ASSERT: return oh_san_parse_assert(c, hdr);
  case OH_SAN_H_VALGRIND: return oh_san_parse_valgrind(c, hdr);
  case OH_SAN_H_XML: return oh_san_parse_xml(c, hdr);
  default: return hdr->next;
  }
}

/* libFuzzer names the saved input a few lines after a sanitizer report
 * ends ("MS: ...", "artifact_prefix=...; Test unit written to ./crash-..").
 * Take it, and the lines up to it, into the report. */
static size_t take_artifact(oh_san_ctx *c, size_t pos) {
  oh_san_line *l = malloc(sizeof *l);
  size_t p = pos;
  int i;
  if (!l) {
    c->nomem = 1;
    return pos;
  }
  for (i = 0; i < 12 && oh_san_read_line(c, p, l); i++) {
    const char *a;
    if (oh_san_classify(c, l) != OH_SAN_H_NONE) break;
    a = oh_san_after(l->s, "Test unit written to ");
    if (a) {
      if (!c->r->artifact) c->r->artifact = oh_san_keep_str(c, a);
      pos = l->next;
      break;
    }
    p = l->next;
  }
  free(l);
  return pos;
}

/* Finds and parses the next report at or after it->pos into r. */
static int next_report(oh_san_iter *it, oh_san_report *r, oh_error *err) {
  oh_san_ctx c;
  oh_san_line *l = malloc(sizeof *l);
  size_t pos = it->pos;
  memset(r, 0, sizeof *r);
  if (!l) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "no memory for a line");
  c.buf = it->buf;
  c.len = it->len;
  c.it = it;
  c.r = r;
  c.nomem = 0;
  while (oh_san_read_line(&c, pos, l)) {
    oh_san_header h;
    note_preamble(it, l);
    h = oh_san_classify(&c, l);
    if (h != OH_SAN_H_NONE) {
      size_t end = oh_san_parse_at(&c, l, h);
      if (end <= l->begin) end = l->next; /* always move forward */
      if (!r->artifact) end = take_artifact(&c, end);
      r->begin = l->begin;
      r->end = end;
      it->pos = end;
      free(l);
      if (c.nomem) {
        oh_san_report_free(r);
        return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "no memory for the report");
      }
      return OH_OK;
    }
    pos = l->next;
  }
  free(l);
  it->pos = it->len;
  return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET, "no sanitizer or Valgrind report");
}

void oh_san_iter_init(oh_san_iter *it, const uint8_t *buf, size_t len) {
  memset(it, 0, sizeof *it);
  it->buf = buf;
  it->len = buf ? len : 0;
}

int oh_san_iter_next(oh_san_iter *it, oh_san_report *r, oh_error *err) {
  if (!it || !r) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no iterator or report");
  return next_report(it, r, err);
}

int oh_san_parse(const uint8_t *buf, size_t len, oh_san_report *r, oh_error *err) {
  oh_san_iter it;
  oh_san_report *scratch;
  int rc;
  if (!r) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no report");
  oh_san_iter_init(&it, buf, len);
  rc = next_report(&it, r, err);
  if (rc != OH_OK) return rc;
  scratch = malloc(sizeof *scratch);
  if (!scratch) {
    oh_san_report_free(r);
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "no memory for the report");
  }
  /* Counting needs each later report's end, so parse and drop them. */
  while ((rc = next_report(&it, scratch, NULL)) == OH_OK) {
    r->further++;
    oh_san_report_free(scratch);
  }
  free(scratch);
  if (rc == OH_ERR_NOMEM) {
    oh_san_report_free(r);
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "no memory for the report");
  }
  return OH_OK;
}

/* ---- output ----------------------------------------------------------- */

static int is_main(const oh_san_frame *f) {
  return f->function && strcmp(f->function, "main") == 0;
}

/* The first frame that is not noise, else main, else the top one. */
static const oh_san_frame *first_useful_frame(const oh_san_stack *st) {
  int i;
  for (i = 0; i < st->count; i++)
    if (!oh_frame_is_noise(&st->frame[i])) return &st->frame[i];
  for (i = 0; i < st->count; i++)
    if (is_main(&st->frame[i])) return &st->frame[i];
  return st->count ? &st->frame[0] : NULL;
}

int oh_san_report_describe(const oh_san_report *r, char *out, size_t cap) {
  char buf[1024];
  size_t n = 0;
  const oh_san_frame *f;
#define ADD(...)                                                             \
  do {                                                                       \
    int k_ = snprintf(buf + n, sizeof buf - n, __VA_ARGS__);                 \
    if (k_ > 0) n = n + (size_t)k_ < sizeof buf ? n + (size_t)k_ : sizeof buf - 1; \
  } while (0)
  buf[0] = '\0';
  ADD("%s %s", oh_san_tool_name(r->tool), oh_san_kind_name(r->kind));
  if (r->kind == OH_SAN_KIND_UNKNOWN && r->kind_text) ADD(" (%s)", r->kind_text);
  if (r->access != OH_SAN_ACCESS_UNKNOWN) {
    ADD(": %s", oh_san_access_name(r->access));
    if (r->size) ADD(" of size %" PRIu64, r->size);
  } else if (r->message) {
    ADD(": %.200s", r->message);
  } else if (r->size) {
    ADD(": %" PRIu64 " bytes", r->size);
  }
  if (r->has_address) ADD(" at 0x%" PRIx64, r->address);
  if (r->relation != OH_SAN_REL_NONE) {
    int64_t d = r->region_offset;
    if (r->relation == OH_SAN_REL_AFTER) d -= (int64_t)r->region_size;
    if (d < 0) d = -d;
    ADD(", %" PRId64 " bytes %s", d, oh_san_relation_name(r->relation));
    if (r->region_size) ADD(" %" PRIu64 "-byte", r->region_size);
    ADD(" %s region", oh_san_region_name(r->region));
    if (r->region_name) ADD(" '%.100s'", r->region_name);
  }
  f = first_useful_frame(&r->stack);
  if (f && f->function) {
    ADD(", in %.200s", f->function);
    if (f->file) ADD(" %.300s:%d", f->file, f->line);
    if (f->file && f->column) ADD(":%d", f->column);
  } else if (r->src_file) {
    ADD(", at %.300s:%d", r->src_file, r->src_line);
  }
#undef ADD
  return snprintf(out, cap, "%s", buf);
}

size_t oh_san_crash_state(const oh_san_report *r, int nframes, char *out,
                          size_t cap) {
  size_t n = 0;
  int pass, i, taken = 0;
  char name[512];
  if (!out || cap == 0) return 0;
  n = (size_t)snprintf(out, cap, "%s", oh_san_kind_name(r->kind));
  if (n >= cap) n = cap - 1;
  /* Pass 0 skips noise; pass 1, only when pass 0 found nothing (the bug is
   * in main itself), lets main through. */
  for (pass = 0; pass < 2 && taken == 0; pass++) {
    for (i = 0; i < r->stack.count && taken < nframes; i++) {
      const oh_san_frame *f = &r->stack.frame[i];
      int k;
      if (oh_frame_is_noise(f) && !(pass == 1 && is_main(f))) continue;
      if (f->function) oh_frame_normalise_function(f->function, name, sizeof name);
      else if (f->module)
        snprintf(name, sizeof name, "%s+0x%" PRIx64, f->module, f->module_offset);
      else continue;
      k = snprintf(out + n, cap - n, "|%s", name);
      if (k > 0) n = n + (size_t)k < cap ? n + (size_t)k : cap - 1;
      taken++;
    }
  }
  return n;
}
