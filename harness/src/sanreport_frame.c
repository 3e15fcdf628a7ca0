/* Stack frames in sanitizer and Valgrind reports: reading one frame line,
 * telling runtime noise from the code under test, and normalising function
 * names so builds of the same code (SIMD variants, fixed/float, compiler
 * clones) deduplicate together. */
#include "sanreport_impl.h"

#include <string.h>

static size_t rtrim(const char *s, size_t n) {
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  return n;
}

/* Index of the '(' matching the ')' at s[n-1], or (size_t)-1. */
static size_t open_paren(const char *s, size_t n) {
  int depth = 0;
  size_t i = n;
  while (i > 0) {
    i--;
    if (s[i] == ')') depth++;
    else if (s[i] == '(' && --depth == 0) return i;
  }
  return (size_t)-1;
}

/* Last space outside parentheses in s[0..n), or (size_t)-1. */
static size_t last_top_space(const char *s, size_t n) {
  int depth = 0;
  size_t i = n;
  while (i > 0) {
    i--;
    if (s[i] == ')') depth++;
    else if (s[i] == '(' && depth > 0) depth--;
    else if (s[i] == ' ' && depth == 0) return i;
  }
  return (size_t)-1;
}

static const char *keep_name(oh_san_ctx *c, const char *s, size_t n) {
  n = rtrim(s, n);
  while (n > 0 && *s == ' ') s++, n--;
  if (n == 0) return NULL;
  if ((n == 2 && memcmp(s, "??", 2) == 0) || (n == 3 && memcmp(s, "???", 3) == 0) ||
      (n == 6 && memcmp(s, "<null>", 6) == 0))
    return NULL;
  return oh_san_keep(c, s, n);
}

/* "path+0xOFF" (or just "path") inside a module parenthesis. */
static void set_module(oh_san_ctx *c, const char *s, size_t n, oh_san_frame *f) {
  size_t i = n;
  while (i >= 3) {
    i--;
    if (s[i - 2] == '+' && s[i - 1] == '0' && s[i] == 'x') {
      uint64_t off;
      if (oh_san_scan_hex(s + i - 1, &off, NULL)) f->module_offset = off;
      n = i - 2;
      break;
    }
  }
  if (n == 16 && memcmp(s, "<unknown module>", 16) == 0) return;
  f->module = keep_name(c, s, n);
}

/* "file:line[:col]", "<null>", or a bare path; 1 when it was a location. */
static int set_location(oh_san_ctx *c, const char *s, size_t n, oh_san_frame *f) {
  size_t flen;
  int line, col;
  if (n == 6 && memcmp(s, "<null>", 6) == 0) return 1;
  if (oh_san_split_location(s, n, &flen, &line, &col)) {
    f->file = keep_name(c, s, flen);
    f->line = line;
    f->column = col;
    return 1;
  }
  if (memchr(s, '/', n) && !memchr(s, '(', n)) {
    f->file = keep_name(c, s, n);
    return 1;
  }
  return 0;
}

int oh_san_parse_llvm_frame(oh_san_ctx *c, const char *s, oh_san_frame *f) {
  uint64_t idx, pc;
  const char *p, *q, *b;
  size_t n, m, sp;
  if (s[0] != '#' || !oh_san_scan_dec(s + 1, 0, &idx, &p) || (*p != ' ' && *p != '\0'))
    return 0;
  f->index = oh_san_clamp_int(idx);
  while (*p == ' ') p++;
  /* ASan/MSan/UBSan print a pc; TSan goes straight to the function. */
  if (oh_san_scan_hex(p, &pc, &q) && (*q == ' ' || *q == '\0')) {
    f->pc = pc;
    p = q;
    while (*p == ' ') p++;
    if (oh_san_starts(p, "in ")) p += 3;
  }
  n = rtrim(p, strlen(p));
  b = strstr(p, " (BuildId: ");
  if (b && (size_t)(b - p) < n) n = rtrim(p, (size_t)(b - p));
  /* A trailing "(module+0xOFF)" preceded by a space (or alone). */
  if (n > 0 && p[n - 1] == ')') {
    m = open_paren(p, n);
    if (m != (size_t)-1 && (m == 0 || p[m - 1] == ' ')) {
      set_module(c, p + m + 1, n - m - 2, f);
      n = rtrim(p, m);
    }
  }
  sp = last_top_space(p, n);
  if (sp != (size_t)-1 && set_location(c, p + sp + 1, n - sp - 1, f)) n = sp;
  f->function = keep_name(c, p, n);
  return 1;
}

int oh_san_parse_vg_frame(oh_san_ctx *c, const char *s, oh_san_frame *f) {
  uint64_t pc;
  const char *p;
  size_t n, m;
  if (!oh_san_starts(s, "at 0x") && !oh_san_starts(s, "by 0x")) return 0;
  if (!oh_san_scan_hex(s + 3, &pc, &p) || *p != ':') return 0;
  f->pc = pc;
  p++;
  while (*p == ' ') p++;
  n = rtrim(p, strlen(p));
  if (n > 0 && p[n - 1] == ')') {
    m = open_paren(p, n);
    if (m != (size_t)-1 && m > 0 && p[m - 1] == ' ') {
      const char *in = p + m + 1;
      size_t len = n - m - 2;
      if (len >= 3 && memcmp(in, "in ", 3) == 0) {
        f->module = keep_name(c, in + 3, len - 3);
        n = rtrim(p, m);
      } else if (set_location(c, in, len, f)) {
        n = rtrim(p, m);
      }
    }
  }
  f->function = keep_name(c, p, n);
  return 1;
}

/* ---- noise ------------------------------------------------------------ */

static const char *const noise_prefix[] = {
  "__asan", "__interceptor_", "___interceptor_", "__sanitizer", "__ubsan",
  "__msan", "__tsan", "__lsan", "__hwasan", "__interception", "fuzzer::",
  "oh_runtime_", "oh_guard_", "__memcpy", "__memmove", "__memset",
  "__memcmp", "__bcmp", "__strlen", "__strnlen", "__strcpy", "__strcmp",
  "__GI_", "__libc_", "_vgr", "vgPlain_", "__pthread_kill", "__assert_fail",
  "__clone", "__stack_chk", "__fortify", "__chk_fail", "pthread_mutex_",
  "pthread_rwlock_", "pthread_spin_", "pthread_cond_",
};

static const char *const noise_exact[] = {
  "memcpy", "memmove", "memset", "memcmp", "bcmp", "mempcpy", "memchr",
  "strlen", "strnlen", "strcpy", "strncpy", "strcmp", "strncmp", "strcat",
  "strncat", "strchr", "strrchr", "strdup", "strndup", "malloc", "calloc",
  "realloc", "reallocarray", "free", "cfree", "posix_memalign",
  "aligned_alloc", "memalign", "valloc", "pvalloc", "operator new",
  "operator new[]", "operator delete", "operator delete[]", "abort", "raise",
  "gsignal", "pthread_kill", "kill", "main", "_start", "(below main)",
  "start_thread", "clone", "clone3", "celt_fatal",
};

/* System libraries whose unsymbolised frames carry no information. */
static const char *const noise_module[] = {
  "libc.so", "libc-", "ld-linux", "libpthread", "libm.so", "libstdc++",
  "libgcc_s", "libc++", "vgpreload_", "libclang_rt", "linux-vdso",
};

static int module_is_system(const char *module) {
  const char *base = strrchr(module, '/');
  size_t i;
  base = base ? base + 1 : module;
  for (i = 0; i < sizeof noise_module / sizeof *noise_module; i++)
    if (oh_san_starts(base, noise_module[i])) return 1;
  return 0;
}

int oh_frame_is_noise(const oh_san_frame *frame) {
  char name[512];
  size_t i;
  if (!frame) return 1;
  if (!frame->function) return !frame->module || module_is_system(frame->module);
  /* Only version, parameters and clone suffixes: "memcpy_c" is not memcpy. */
  for (i = 0; frame->function[i] && i < sizeof name - 1; i++) {
    char ch = frame->function[i];
    if (ch == '@' || (ch == '(' && i > 0)) break;
    name[i] = ch;
  }
  name[i] = '\0';
  for (i = 0; i < sizeof noise_prefix / sizeof *noise_prefix; i++)
    if (oh_san_starts(name, noise_prefix[i])) return 1;
  for (i = 0; i < sizeof noise_exact / sizeof *noise_exact; i++)
    if (strcmp(name, noise_exact[i]) == 0) return 1;
  return 0;
}

/* ---- normalisation ---------------------------------------------------- */

static const char *const build_suffix[] = {
  "_sse4_1", "_sse4_2", "_ssse3", "_sse2", "_sse", "_avx512", "_avx2",
  "_avx", "_neon", "_edsp", "_media", "_armv4", "_armv5e", "_armv6", "_arm",
  "_mipsr1", "_mips", "_dspr2", "_c", "_FIX", "_FLP", "_fixed", "_float",
};

size_t oh_frame_normalise_function(const char *name, char *out, size_t cap) {
  size_t n = 0, i, round;
  if (!out || cap == 0) return 0;
  out[0] = '\0';
  if (!name) return 0;
  for (i = 0; name[i]; i++) {
    char ch = name[i];
    if (ch == '@') break;
    if (i > 0 && (ch == '(' || ch == '.')) break;
    if (ch == '+' && name[i + 1] == '0' && name[i + 2] == 'x') break;
    if (n + 1 >= cap) break;
    out[n++] = ch;
  }
  while (n > 0 && out[n - 1] == ' ') n--;
  for (round = 0; round < 2; round++) {
    size_t k, before = n;
    for (k = 0; k < sizeof build_suffix / sizeof *build_suffix; k++) {
      size_t sl = strlen(build_suffix[k]);
      if (n > sl && memcmp(out + n - sl, build_suffix[k], sl) == 0) {
        n -= sl;
        break;
      }
    }
    if (n == before) break;
  }
  out[n] = '\0';
  return n;
}
