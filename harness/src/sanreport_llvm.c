/* Report bodies from the LLVM side: ASan, LSan, MSan, TSan and UBSan
 * "==PID==ERROR:"/"WARNING:" reports, UBSan "runtime error:" lines,
 * libFuzzer's own crash lines, and assertion messages (libopus celt_fatal,
 * glibc assert) merged with the abort report that follows them. */
#include "sanreport_impl.h"

#include <stdlib.h>
#include <string.h>

typedef enum target {
  T_IGNORE = 0,
  T_MAIN,
  T_ALLOC,
  T_FREE,
  T_ORIGIN,
  T_CONFLICT
} target;

static oh_san_stack *stack_of(oh_san_report *r, target t) {
  switch (t) {
  case T_MAIN: return &r->stack;
  case T_ALLOC: return &r->alloc_stack;
  case T_FREE: return &r->free_stack;
  case T_ORIGIN: return &r->origin_stack;
  case T_CONFLICT: return &r->conflict.stack;
  default: return NULL;
  }
}

/* A "#N ..." line into the current stack. A "#0" arriving at a stack that
 * already has frames starts a stack nobody announced: drop it. */
static void add_frame(oh_san_ctx *c, const oh_san_line *l, target *t) {
  oh_san_stack *st = stack_of(c->r, *t);
  oh_san_frame tmp, *f;
  if (!st) return;
  if (l->s[1] == '0' && l->s[2] == ' ' && (st->count > 0 || st->omitted > 0)) {
    *t = T_IGNORE;
    return;
  }
  if (!l->complete) return; /* cut by the end of input: half a frame */
  memset(&tmp, 0, sizeof tmp);
  if (!oh_san_parse_llvm_frame(c, l->s, &tmp)) return;
  f = oh_san_stack_push(st);
  if (f) *f = tmp;
}

static int is_frame(const char *s) { return s[0] == '#' && s[1] >= '0' && s[1] <= '9'; }

static int all_equals(const char *s) {
  size_t n = 0;
  while (s[n] == '=') n++;
  return n >= 10 && s[n] == '\0';
}

/* ---- kinds ------------------------------------------------------------ */

typedef struct phrase {
  const char *text;
  oh_san_kind kind;
} phrase;

/* What follows "XxxSanitizer: ", matched as a prefix, in order. */
static const phrase llvm_phrases[] = {
  {"heap-buffer-overflow", OH_SAN_KIND_HEAP_BUFFER_OVERFLOW},
  {"stack-buffer-overflow", OH_SAN_KIND_STACK_BUFFER_OVERFLOW},
  {"stack-buffer-underflow", OH_SAN_KIND_STACK_BUFFER_UNDERFLOW},
  {"dynamic-stack-buffer-overflow", OH_SAN_KIND_DYNAMIC_STACK_BUFFER_OVERFLOW},
  {"global-buffer-overflow", OH_SAN_KIND_GLOBAL_BUFFER_OVERFLOW},
  {"container-overflow", OH_SAN_KIND_CONTAINER_OVERFLOW},
  {"heap-use-after-free", OH_SAN_KIND_HEAP_USE_AFTER_FREE},
  {"stack-use-after-return", OH_SAN_KIND_STACK_USE_AFTER_RETURN},
  {"stack-use-after-scope", OH_SAN_KIND_STACK_USE_AFTER_SCOPE},
  {"use-after-poison", OH_SAN_KIND_USE_AFTER_POISON},
  {"initialization-order-fiasco", OH_SAN_KIND_INIT_ORDER_FIASCO},
  {"unknown-crash", OH_SAN_KIND_UNKNOWN_CRASH},
  {"attempting double-free", OH_SAN_KIND_DOUBLE_FREE},
  {"attempting free on address which was not malloc()-ed", OH_SAN_KIND_BAD_FREE},
  {"alloc-dealloc-mismatch", OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH},
  {"new-delete-type-mismatch", OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH},
  {"negative-size-param", OH_SAN_KIND_NEGATIVE_SIZE_PARAM},
  {"requested allocation size", OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG},
  {"allocation-size-too-big", OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG},
  {"calloc parameters overflow", OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG},
  {"calloc-overflow", OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG},
  {"reallocarray parameters overflow", OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG},
  {"out of memory", OH_SAN_KIND_OUT_OF_MEMORY},
  {"allocator is out of memory", OH_SAN_KIND_OUT_OF_MEMORY},
  {"out-of-memory", OH_SAN_KIND_OUT_OF_MEMORY},
  {"rss-limit-exceeded", OH_SAN_KIND_OUT_OF_MEMORY},
  {"SEGV", OH_SAN_KIND_SEGV},
  {"BUS", OH_SAN_KIND_BUS},
  {"FPE", OH_SAN_KIND_FPE},
  {"ILL", OH_SAN_KIND_ILL},
  {"ABRT", OH_SAN_KIND_ABRT},
  {"TRAP", OH_SAN_KIND_DEADLY_SIGNAL},
  {"stack-overflow", OH_SAN_KIND_STACK_OVERFLOW},
  {"use-of-uninitialized-value", OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE},
  {"detected memory leaks", OH_SAN_KIND_MEMORY_LEAK},
  {"data race", OH_SAN_KIND_DATA_RACE},
  {"lock-order-inversion", OH_SAN_KIND_LOCK_ORDER_INVERSION},
  {"thread leak", OH_SAN_KIND_THREAD_LEAK},
  {"signal-unsafe call", OH_SAN_KIND_SIGNAL_UNSAFE_CALL},
  {"signal handler spoils errno", OH_SAN_KIND_SIGNAL_UNSAFE_CALL},
  {"destroy of a locked mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"unlock of an unlocked mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"double lock of a mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"use of an invalid mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"read lock of a write locked mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"read unlock of a write locked mutex", OH_SAN_KIND_THREAD_API_MISUSE},
  {"mutex held in the wrong context", OH_SAN_KIND_THREAD_API_MISUSE},
};

/* Matched as substrings of a UBSan message, in order (specific first). */
static const phrase ubsan_phrases[] = {
  {"unsigned integer overflow", OH_SAN_KIND_UNSIGNED_INTEGER_OVERFLOW}, /* holds the next */
  {"signed integer overflow", OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW},
  {"negation of", OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW},
  {"division of", OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW},
  {"division by zero", OH_SAN_KIND_INTEGER_DIVIDE_BY_ZERO},
  {"shift exponent", OH_SAN_KIND_SHIFT_EXPONENT},
  {"left shift of", OH_SAN_KIND_SHIFT_BASE},
  {"outside the range of representable values", OH_SAN_KIND_FLOAT_CAST_OVERFLOW},
  {"pointer index expression with base", OH_SAN_KIND_POINTER_OVERFLOW},
  {"applying non-zero offset", OH_SAN_KIND_POINTER_OVERFLOW},
  {"applying zero offset to null pointer", OH_SAN_KIND_POINTER_OVERFLOW},
  {"unsigned offset to", OH_SAN_KIND_POINTER_OVERFLOW},
  {"misaligned address", OH_SAN_KIND_MISALIGNED_ACCESS},
  {"alignment assumption", OH_SAN_KIND_MISALIGNED_ACCESS},
  {"null pointer passed as argument", OH_SAN_KIND_NONNULL_ATTRIBUTE},
  {"null pointer returned from function", OH_SAN_KIND_NONNULL_ATTRIBUTE},
  {"null pointer", OH_SAN_KIND_NULL_DEREF},
  {"out of bounds for type", OH_SAN_KIND_OUT_OF_BOUNDS_INDEX},
  {"insufficient space for an object", OH_SAN_KIND_OBJECT_SIZE},
  {"valid value for type 'bool'", OH_SAN_KIND_INVALID_BOOL},
  {"valid value for type '_Bool'", OH_SAN_KIND_INVALID_BOOL},
  {"is not a valid value for type", OH_SAN_KIND_INVALID_ENUM},
  {"unreachable program point", OH_SAN_KIND_UNREACHABLE},
  {"end of a value-returning function", OH_SAN_KIND_MISSING_RETURN},
  {"variable length array bound", OH_SAN_KIND_VLA_BOUND},
  {"which is not a valid argument", OH_SAN_KIND_INVALID_BUILTIN},
  {"implicit conversion from type", OH_SAN_KIND_IMPLICIT_CONVERSION},
  {"through pointer to incorrect function type", OH_SAN_KIND_FUNCTION_TYPE_MISMATCH},
  {"control flow integrity check", OH_SAN_KIND_CFI},
};

oh_san_kind oh_san_ubsan_kind(const char *msg) {
  size_t i;
  for (i = 0; i < sizeof ubsan_phrases / sizeof *ubsan_phrases; i++)
    if (strstr(msg, ubsan_phrases[i].text)) return ubsan_phrases[i].kind;
  return OH_SAN_KIND_UNDEFINED_BEHAVIOR;
}

oh_san_kind oh_san_signal_kind(const char *signame) {
  if (oh_san_starts(signame, "SIGSEGV")) return OH_SAN_KIND_SEGV;
  if (oh_san_starts(signame, "SIGBUS")) return OH_SAN_KIND_BUS;
  if (oh_san_starts(signame, "SIGFPE")) return OH_SAN_KIND_FPE;
  if (oh_san_starts(signame, "SIGILL")) return OH_SAN_KIND_ILL;
  if (oh_san_starts(signame, "SIGABRT")) return OH_SAN_KIND_ABRT;
  return OH_SAN_KIND_DEADLY_SIGNAL;
}

static oh_san_tool tool_of(const char *name, size_t n) {
  static const struct { const char *name; oh_san_tool tool; } tools[] = {
    {"AddressSanitizer", OH_SAN_TOOL_ASAN}, {"HWAddressSanitizer", OH_SAN_TOOL_ASAN},
    {"LeakSanitizer", OH_SAN_TOOL_LSAN},    {"MemorySanitizer", OH_SAN_TOOL_MSAN},
    {"ThreadSanitizer", OH_SAN_TOOL_TSAN},  {"UndefinedBehaviorSanitizer", OH_SAN_TOOL_UBSAN},
  };
  size_t i;
  for (i = 0; i < sizeof tools / sizeof *tools; i++)
    if (strlen(tools[i].name) == n && memcmp(tools[i].name, name, n) == 0) return tools[i].tool;
  return OH_SAN_TOOL_UNKNOWN;
}

/* The tool's own kind word: TSan's words before " (pid=", a dashed or
 * signal token as ASan prints it, else the vocabulary's name for sentence
 * headers ("attempting double-free on ..."). */
static const char *kind_word(oh_san_ctx *c, const char *rest, oh_san_kind kind) {
  const char *e = strstr(rest, " (pid=");
  size_t n = strcspn(rest, " :("), i;
  int dashed = 0, caps = n > 0;
  if (e) return oh_san_keep(c, rest, (size_t)(e - rest));
  for (i = 0; i < n; i++) {
    if (rest[i] == '-') dashed = 1;
    if (rest[i] < 'A' || rest[i] > 'Z') caps = 0;
  }
  if ((dashed || caps) || kind == OH_SAN_KIND_UNKNOWN) return oh_san_keep(c, rest, n);
  return oh_san_kind_name(kind);
}

/* ---- shared line handlers --------------------------------------------- */

static void set_address(oh_san_report *r, const char *p) {
  uint64_t a;
  if (!r->has_address && p && oh_san_scan_hex(p, &a, NULL)) {
    r->has_address = 1;
    r->address = a;
  }
}

static void set_thread(oh_san_ctx *c, const char *p, size_t n) {
  while (n > 0 && (p[n - 1] == ':' || p[n - 1] == ' ' || p[n - 1] == '.')) n--;
  if (!c->r->thread && n > 0) c->r->thread = oh_san_keep(c, p, n);
}

/* SUMMARY lines end "file:line:col in function": take the location when
 * the report did not name one itself. */
static void summary_location(oh_san_ctx *c, const char *sum) {
  oh_san_report *r = c->r;
  size_t n = strlen(sum), k, flen, sp;
  const char *in;
  int line, col;
  while (n > 0 && sum[n - 1] == ' ') n--;
  if (n >= 3 && memcmp(sum + n - 3, " in", 3) == 0) n -= 3;
  else {
    const char *last = NULL, *p = sum;
    while ((in = strstr(p, " in ")) && (size_t)(in - sum) < n) last = in, p = in + 1;
    if (!last) return;
    n = (size_t)(last - sum);
  }
  for (sp = n; sp > 0 && sum[sp - 1] != ' '; sp--) {
  }
  k = n - sp;
  if (r->src_file || k == 0) return;
  if (oh_san_split_location(sum + sp, k, &flen, &line, &col)) {
    r->src_file = oh_san_keep(c, sum + sp, flen);
    r->src_line = line;
    r->src_column = col;
  }
}

/* "0xA is located N bytes to the right of M-byte region [0xS,0xE)" and the
 * global-variable form. */
static void located(oh_san_ctx *c, const char *s) {
  oh_san_report *r = c->r;
  const char *p = oh_san_after(s, " is located "), *q;
  uint64_t dist, size, start;
  oh_san_relation rel;
  if (!p || !oh_san_scan_dec(p, 0, &dist, &p) || !oh_san_starts(p, " bytes ")) return;
  p += 7;
  if (oh_san_starts(p, "to the right of ")) rel = OH_SAN_REL_AFTER, p += 16;
  else if (oh_san_starts(p, "after ")) rel = OH_SAN_REL_AFTER, p += 6;
  else if (oh_san_starts(p, "to the left of ")) rel = OH_SAN_REL_BEFORE, p += 15;
  else if (oh_san_starts(p, "before ")) rel = OH_SAN_REL_BEFORE, p += 7;
  else if (oh_san_starts(p, "inside of ")) rel = OH_SAN_REL_INSIDE, p += 10;
  else if (oh_san_starts(p, "inside ")) rel = OH_SAN_REL_INSIDE, p += 7;
  else return;
  if (oh_san_scan_dec(p, 0, &size, &q) && oh_san_starts(q, "-byte region [")) {
    r->region = OH_SAN_REGION_HEAP;
    oh_san_set_region(r, rel, dist, size);
    if (oh_san_scan_hex(q + 14, &start, NULL)) r->region_start = start;
  } else if (oh_san_starts(p, "global variable '")) {
    const char *name = p + 17, *e = strchr(name, '\'');
    r->region = OH_SAN_REGION_GLOBAL;
    if (e) r->region_name = oh_san_keep(c, name, (size_t)(e - name));
    q = oh_san_after(p, ") of size ");
    if (q && oh_san_scan_dec(q, 0, &size, NULL)) oh_san_set_region(r, rel, dist, size);
    q = e ? strstr(e, "' (0x") : NULL;
    if (q && oh_san_scan_hex(q + 3, &start, NULL)) r->region_start = start;
  }
}

/* "[32, 64) 'buf' (line 3) <== Memory access at offset 64 overflows this
 * variable": the stack variable the access hit or missed. */
static void stack_object(oh_san_ctx *c, const char *s) {
  oh_san_report *r = c->r;
  uint64_t lo, hi, off;
  const char *p = s + 1, *name, *e, *a;
  if (r->relation != OH_SAN_REL_NONE) return; /* the first marked one wins */
  a = oh_san_after(s, "<== Memory access at offset ");
  if (!a || !oh_san_scan_dec(a, 0, &off, NULL)) return;
  if (!oh_san_scan_dec(p, 0, &lo, &p) || !oh_san_starts(p, ", ")) return;
  if (!oh_san_scan_dec(p + 2, 0, &hi, &p) || *p != ')' || hi < lo) return;
  name = strchr(p, '\'');
  e = name ? strchr(name + 1, '\'') : NULL;
  if (e) r->region_name = oh_san_keep(c, name + 1, (size_t)(e - name - 1));
  r->region = OH_SAN_REGION_STACK;
  if (off >= hi) oh_san_set_region(r, OH_SAN_REL_AFTER, off - hi, hi - lo);
  else if (off < lo) oh_san_set_region(r, OH_SAN_REL_BEFORE, lo - off, hi - lo);
  else oh_san_set_region(r, OH_SAN_REL_INSIDE, off - lo, hi - lo);
}

/* "READ of size 4 at 0xA thread T0" (ASan). */
static int asan_access(oh_san_ctx *c, const char *s) {
  oh_san_report *r = c->r;
  const char *p;
  uint64_t size;
  if (oh_san_starts(s, "READ of size ")) r->access = OH_SAN_ACCESS_READ, p = s + 13;
  else if (oh_san_starts(s, "WRITE of size ")) r->access = OH_SAN_ACCESS_WRITE, p = s + 14;
  else return 0;
  if (oh_san_scan_dec(p, 0, &size, &p)) r->size = size;
  set_address(r, oh_san_after(p, " at "));
  p = oh_san_after(p, " thread ");
  if (p) set_thread(c, p, strlen(p));
  return 1;
}

/* "main thread:" or "thread T1 (mutexes: write M1):" -> the thread's name. */
static const char *keep_thread(oh_san_ctx *c, const char *by) {
  size_t n = strcspn(by, ":(");
  while (n > 0 && by[n - 1] == ' ') n--;
  return n ? oh_san_keep(c, by, n) : NULL;
}

/* "Write of size 4 at 0xA by main thread:" and "Previous read of size ..."
 * (TSan). Returns the stack the frames after it belong to. */
static int tsan_access(oh_san_ctx *c, const char *s, target *t) {
  oh_san_report *r = c->r;
  int previous = 0;
  oh_san_access acc;
  uint64_t size = 0, addr = 0;
  const char *p = s, *by;
  if (oh_san_starts(p, "Previous ")) previous = 1, p += 9;
  if (oh_san_starts(p, "atomic ") || oh_san_starts(p, "Atomic ")) p += 7;
  if (oh_san_starts(p, "write of size ") || oh_san_starts(p, "Write of size "))
    acc = OH_SAN_ACCESS_WRITE;
  else if (oh_san_starts(p, "read of size ") || oh_san_starts(p, "Read of size "))
    acc = OH_SAN_ACCESS_READ;
  else return 0;
  p = strstr(p, " of size ") + 9;
  oh_san_scan_dec(p, 0, &size, &p);
  if (oh_san_starts(p, " at ")) oh_san_scan_hex(p + 4, &addr, NULL);
  by = oh_san_after(p, " by ");
  if (previous || r->access != OH_SAN_ACCESS_UNKNOWN) {
    *t = T_IGNORE;
    if (r->conflict.present) return 1;
    r->conflict.present = 1;
    r->conflict.access = acc;
    r->conflict.size = size;
    r->conflict.address = addr;
    if (by) r->conflict.thread = keep_thread(c, by);
    *t = T_CONFLICT;
    return 1;
  }
  r->access = acc;
  r->size = size;
  if (oh_san_starts(p, " at ")) set_address(r, p + 4);
  if (by && !r->thread) r->thread = keep_thread(c, by);
  *t = T_MAIN;
  return 1;
}

/* "Location is heap block of size 8 at 0xA allocated by main thread:",
 * "Location is global 'x' of size 4 at 0xA (mod+0x..)", "Location is stack
 * of main thread." (TSan). */
static void tsan_location(oh_san_ctx *c, const char *s, target *t) {
  oh_san_report *r = c->r;
  const char *p;
  uint64_t size = 0, start = 0;
  *t = T_IGNORE;
  if (oh_san_starts(s, "Location is heap block")) {
    r->region = OH_SAN_REGION_HEAP;
    *t = T_ALLOC;
  } else if (oh_san_starts(s, "Location is global '")) {
    const char *name = s + 20, *e = strchr(name, '\'');
    r->region = OH_SAN_REGION_GLOBAL;
    if (e) r->region_name = oh_san_keep(c, name, (size_t)(e - name));
  } else if (oh_san_starts(s, "Location is stack")) {
    r->region = OH_SAN_REGION_STACK;
    return;
  } else {
    return;
  }
  p = oh_san_after(s, " of size ");
  if (!p || !oh_san_scan_dec(p, 0, &size, &p)) return;
  if (!oh_san_starts(p, " at ") || !oh_san_scan_hex(p + 4, &start, NULL)) return;
  r->region_start = start;
  if (r->has_address && r->address >= start) {
    uint64_t d = r->address - start;
    if (d >= size) oh_san_set_region(r, OH_SAN_REL_AFTER, d - size, size);
    else oh_san_set_region(r, OH_SAN_REL_INSIDE, d, size);
  } else if (r->has_address) {
    oh_san_set_region(r, OH_SAN_REL_BEFORE, start - r->address, size);
  } else {
    r->region_size = size;
  }
}

/* Where the frames after a section line go ("allocated by thread T0
 * here:", "Uninitialized value was created by ...", "Direct leak of ...");
 * 0 when s is no section line. */
static int section_line(oh_san_ctx *c, const char *s, target *t, int *leaks) {
  oh_san_report *r = c->r;
  uint64_t n;
  if (strstr(s, "allocated by thread")) {
    *t = T_ALLOC;
  } else if (oh_san_starts(s, "freed by thread")) {
    *t = T_FREE;
  } else if (oh_san_starts(s, "Uninitialized value was ") ||
             oh_san_starts(s, "Memory was marked as uninitialized")) {
    r->origin_stack.count = 0; /* the last origin printed is the root */
    r->origin_stack.omitted = 0;
    *t = T_ORIGIN;
  } else if (oh_san_starts(s, "Direct leak of ") || oh_san_starts(s, "Indirect leak of ")) {
    *t = T_IGNORE;
    if ((*leaks)++ == 0) {
      if (oh_san_scan_dec(strstr(s, " of ") + 4, 0, &n, NULL)) r->size = n;
      *t = T_MAIN;
    }
  } else if (oh_san_starts(s, "Mutex ") && strstr(s, " acquired here while holding ")) {
    /* TSan lock-order-inversion: the first edge is ours, the second the other */
    *t = r->stack.count == 0 ? T_MAIN : r->conflict.present ? T_IGNORE : T_CONFLICT;
    if (*t == T_CONFLICT) r->conflict.present = 1;
  } else if (oh_san_starts(s, "Thread ") || oh_san_starts(s, "Mutex ")) {
    *t = T_IGNORE; /* creation stacks */
  } else {
    return 0;
  }
  return 1;
}

/* One body line of an LLVM sanitizer report, before its SUMMARY. */
static void llvm_line(oh_san_ctx *c, const oh_san_line *l, target *t, int *leaks) {
  oh_san_report *r = c->r;
  const char *s = l->s, *p;
  if (is_frame(s)) {
    add_frame(c, l, t);
    return;
  }
  if (asan_access(c, s) || tsan_access(c, s, t)) return;
  if ((p = oh_san_after(s, "The signal is caused by a "))) {
    if (oh_san_starts(p, "READ")) r->access = OH_SAN_ACCESS_READ;
    else if (oh_san_starts(p, "WRITE")) r->access = OH_SAN_ACCESS_WRITE;
  } else if (s[0] == '0' && strstr(s, " is located ")) {
    located(c, s);
  } else if (oh_san_starts(s, "Address 0x") && strstr(s, " is located in stack of ")) {
    r->region = OH_SAN_REGION_STACK;
    *t = T_IGNORE; /* the frame that owns the variable follows */
  } else if (s[0] == '[' && strstr(s, "<== Memory access at offset")) {
    stack_object(c, s);
  } else if (oh_san_starts(s, "Location is ")) {
    tsan_location(c, s, t);
  } else {
    section_line(c, s, t, leaks);
  }
}

size_t oh_san_parse_llvm(oh_san_ctx *c, const oh_san_line *hdr) {
  oh_san_report *r = c->r;
  const char *s = hdr->s, *name, *rest, *p;
  size_t i, pos = hdr->next;
  target t = T_MAIN;
  int leaks = 0, saw_summary = 0;
  oh_san_line *l = malloc(sizeof *l);

  name = s + (oh_san_starts(s, "ERROR: ") ? 7 : 9);
  rest = strstr(name, ": ");
  r->tool = tool_of(name, (size_t)(rest - name));
  rest += 2;
  r->headline = oh_san_keep_str(c, s);
  for (i = 0; i < sizeof llvm_phrases / sizeof *llvm_phrases; i++)
    if (oh_san_starts(rest, llvm_phrases[i].text)) {
      r->kind = llvm_phrases[i].kind;
      break;
    }
  r->kind_text = kind_word(c, rest, r->kind);
  if (r->kind == OH_SAN_KIND_MEMORY_LEAK && r->tool == OH_SAN_TOOL_ASAN) r->tool = OH_SAN_TOOL_LSAN;
  {
    static const char *const before_addr[] = {"on address ", "on unknown address ",
                                               "malloc()-ed: ", " on "};
    for (i = 0; i < sizeof before_addr / sizeof *before_addr && !r->has_address; i++)
      set_address(r, oh_san_after(rest, before_addr[i]));
  }
  if (r->kind == OH_SAN_KIND_OUT_OF_MEMORY || r->kind == OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG) {
    uint64_t n;
    if (((p = oh_san_after(rest, "allocate ")) || (p = oh_san_after(rest, "allocation size "))) &&
        oh_san_scan_hex(p, &n, NULL))
      r->size = n;
  }
  if ((p = oh_san_after(rest, " in thread "))) set_thread(c, p, strcspn(p, ":"));
  if (!l) {
    c->nomem = 1;
    return hdr->next;
  }
  while (oh_san_read_line(c, pos, l)) {
    const char *ls = l->s;
    if (oh_san_classify(c, l) != OH_SAN_H_NONE) break;
    pos = l->next;
    if (all_equals(ls) || strcmp(ls, "ABORTING") == 0 || strcmp(ls, "Exiting") == 0) {
      free(l);
      return pos;
    }
    if (oh_san_starts(ls, "SUMMARY: ")) {
      if (!saw_summary) {
        r->summary = oh_san_keep_str(c, ls + 9);
        summary_location(c, ls + 9);
      }
      saw_summary = 1;
      t = T_IGNORE;
      continue;
    }
    if (!saw_summary) llvm_line(c, l, &t, &leaks);
  }
  free(l);
  if (!saw_summary) r->truncated = 1;
  return pos;
}

/* ---- UBSan "runtime error:" ------------------------------------------- */

size_t oh_san_parse_ubsan(oh_san_ctx *c, const oh_san_line *hdr) {
  oh_san_report *r = c->r;
  const char *at = strstr(hdr->text, ": runtime error: "), *msg = at + 17, *loc, *p;
  size_t pos = hdr->next, flen;
  int line, col, saw_summary = 0;
  target t = T_MAIN;
  oh_san_line *l;

  r->tool = OH_SAN_TOOL_UBSAN;
  r->kind = oh_san_ubsan_kind(msg);
  r->kind_text = oh_san_kind_name(r->kind);
  r->headline = oh_san_keep_str(c, hdr->text);
  r->message = oh_san_keep_str(c, msg);
  for (loc = at; loc > hdr->text && loc[-1] != ' '; loc--) {
  }
  if (oh_san_split_location(loc, (size_t)(at - loc), &flen, &line, &col)) {
    r->src_file = oh_san_keep(c, loc, flen);
    r->src_line = line;
    r->src_column = col;
  }
  if (oh_san_starts(msg, "load of ")) r->access = OH_SAN_ACCESS_READ;
  else if (oh_san_starts(msg, "store to ")) r->access = OH_SAN_ACCESS_WRITE;
  if ((p = oh_san_after(msg, "misaligned address "))) set_address(r, p);
  else if (r->kind == OH_SAN_KIND_NULL_DEREF) r->has_address = 1, r->address = 0;

  l = malloc(sizeof *l);
  if (!l) {
    c->nomem = 1;
    return hdr->next;
  }
  while (oh_san_read_line(c, pos, l)) {
    const char *s = l->s;
    if (oh_san_classify(c, l) != OH_SAN_H_NONE) break;
    if (oh_san_starts(s, "SUMMARY: ")) {
      r->summary = oh_san_keep_str(c, s + 9);
      saw_summary = 1;
      pos = l->next;
      break;
    }
    if (*s != '\0' && l->indent == 0 && !strstr(l->text, ": note: ")) break;
    if (is_frame(s)) add_frame(c, l, &t);
    pos = l->next;
  }
  if (!saw_summary && pos >= c->len) r->truncated = 1;
  free(l);
  return pos;
}

/* ---- libFuzzer -------------------------------------------------------- */

size_t oh_san_parse_libfuzzer(oh_san_ctx *c, const oh_san_line *hdr) {
  oh_san_report *r = c->r;
  const char *s = hdr->s, *p;
  size_t pos = hdr->next;
  target t = T_MAIN;
  int alarm = oh_san_starts(s, "ALARM: "), saw_summary = 0;
  uint64_t n;
  oh_san_line *l;

  r->tool = OH_SAN_TOOL_LIBFUZZER;
  r->headline = oh_san_keep_str(c, s);
  if (alarm) {
    r->kind = OH_SAN_KIND_TIMEOUT;
    r->kind_text = "timeout";
  } else {
    p = s + 18;
    if (oh_san_starts(p, "deadly signal")) r->kind = OH_SAN_KIND_DEADLY_SIGNAL;
    else if (oh_san_starts(p, "timeout")) r->kind = OH_SAN_KIND_TIMEOUT;
    else if (oh_san_starts(p, "out-of-memory")) r->kind = OH_SAN_KIND_OUT_OF_MEMORY;
    else if (oh_san_starts(p, "fuzz target exited")) r->kind = OH_SAN_KIND_FUZZ_TARGET_EXITED;
    n = strcspn(p, "(");
    while (n > 0 && p[n - 1] == ' ') n--;
    r->kind_text = oh_san_keep(c, p, (size_t)n);
    if ((p = oh_san_after(s, "(malloc(")) && oh_san_scan_dec(p, 0, &n, NULL)) r->size = n;
  }
  l = malloc(sizeof *l);
  if (!l) {
    c->nomem = 1;
    return hdr->next;
  }
  while (oh_san_read_line(c, pos, l)) {
    const char *ls = l->s;
    oh_san_header h = oh_san_classify(c, l);
    /* After ALARM, libFuzzer's own "ERROR: libFuzzer: timeout" belongs here. */
    if (h != OH_SAN_H_NONE &&
        !(alarm && h == OH_SAN_H_LIBFUZZER && strstr(ls, "libFuzzer: timeout")))
      break;
    pos = l->next;
    if (h == OH_SAN_H_LIBFUZZER) {
      alarm = 0;
      continue;
    }
    if (oh_san_starts(ls, "SUMMARY: ")) {
      if (!saw_summary) r->summary = oh_san_keep_str(c, ls + 9);
      saw_summary = 1;
      t = T_IGNORE;
    } else if ((p = oh_san_after(ls, "Test unit written to "))) {
      if (!r->artifact) r->artifact = oh_san_keep_str(c, p);
    } else if (is_frame(ls) && !saw_summary) {
      add_frame(c, l, &t);
    }
  }
  free(l);
  if (!saw_summary) r->truncated = 1;
  return pos;
}

/* ---- assertions ------------------------------------------------------- */

/* "Fatal (internal) error in FILE, line N: MSG" (libopus celt_fatal). */
static void celt_assert(oh_san_ctx *c, const char *s) {
  oh_san_report *r = c->r;
  const char *file = s + 26, *e = strstr(file, ", line "), *p;
  uint64_t n;
  if (!e) return;
  r->src_file = oh_san_keep(c, file, (size_t)(e - file));
  if (oh_san_scan_dec(e + 7, 0, &n, &p)) {
    r->src_line = oh_san_clamp_int(n);
    if (oh_san_starts(p, ": ")) r->message = oh_san_keep_str(c, p + 2);
  }
}

/* "PROG: FILE:LINE: FUNC: Assertion `EXPR' failed." (glibc). */
static void glibc_assert(oh_san_ctx *c, const char *s) {
  oh_san_report *r = c->r;
  const char *a = strstr(s, ": Assertion `"), *p, *file;
  uint64_t n;
  for (p = s; p < a; p++) {
    const char *q;
    if (*p != ':' || !oh_san_scan_dec(p + 1, 0, &n, &q) || !oh_san_starts(q, ": ")) continue;
    for (file = p; file > s && !(file[-1] == ' ' && file - 1 > s && file[-2] == ':'); file--) {
    }
    r->src_file = oh_san_keep(c, file, (size_t)(p - file));
    r->src_line = oh_san_clamp_int(n);
    r->message = oh_san_keep_str(c, q + 2);
    return;
  }
  r->message = oh_san_keep_str(c, a + 2);
}

/* The abort that follows an assertion: libFuzzer's deadly signal, a
 * sanitizer's ABRT, or Valgrind's death by SIGABRT. */
static int is_abort_report(const oh_san_line *l, oh_san_header h) {
  if (h == OH_SAN_H_LIBFUZZER) return strstr(l->s, "deadly signal") != NULL;
  if (h == OH_SAN_H_LLVM) return strstr(l->s, "Sanitizer: ABRT") != NULL;
  if (h == OH_SAN_H_VALGRIND) return strstr(l->s, "(SIGABRT)") != NULL;
  return 0;
}

size_t oh_san_parse_assert(oh_san_ctx *c, const oh_san_line *hdr) {
  oh_san_report *r = c->r;
  const char *headline, *message, *file;
  size_t pos = hdr->next, end = hdr->next;
  int line, i;
  oh_san_line *l;

  if (oh_san_starts(hdr->s, "Fatal (internal) error in ")) celt_assert(c, hdr->s);
  else glibc_assert(c, hdr->s);
  headline = oh_san_keep_str(c, hdr->s);
  message = r->message;
  file = r->src_file;
  line = r->src_line;
  l = malloc(sizeof *l);
  if (!l) {
    c->nomem = 1;
    return end;
  }
  for (i = 0; i < 8 && oh_san_read_line(c, pos, l); i++) {
    oh_san_header h = oh_san_classify(c, l);
    if (h != OH_SAN_H_NONE) {
      if (is_abort_report(l, h)) {
        end = oh_san_parse_at(c, l, h);
        r->src_column = 0;
      }
      break;
    }
    pos = l->next;
  }
  free(l);
  r->tool = OH_SAN_TOOL_ASSERTION;
  r->kind = OH_SAN_KIND_ASSERTION;
  r->kind_text = "assertion";
  r->headline = headline;
  r->message = message;
  r->src_file = file;
  r->src_line = line;
  if (!hdr->complete) r->truncated = 1;
  return end;
}
