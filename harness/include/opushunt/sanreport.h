/* Sanitizer and Valgrind reports read into one record: which tool spoke,
 * what kind of bug it saw (one vocabulary across tools), the access, the
 * memory region it touched, the stacks and the summary line. The input is
 * whatever a child process wrote to stderr: maybe cut short, mixed with the
 * program's own output, or garbage. Parsing is a pure function of those
 * bytes and accepts any of them. `opushunt replay` reads its child's stderr
 * with it; `opushunt triage` groups crashes by oh_san_crash_state(). */
#ifndef OPUSHUNT_SANREPORT_H
#define OPUSHUNT_SANREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_san_tool {
  OH_SAN_TOOL_UNKNOWN = 0,
  OH_SAN_TOOL_ASAN,      /* AddressSanitizer (and HWASan) */
  OH_SAN_TOOL_UBSAN,     /* UndefinedBehaviorSanitizer */
  OH_SAN_TOOL_MSAN,      /* MemorySanitizer */
  OH_SAN_TOOL_TSAN,      /* ThreadSanitizer */
  OH_SAN_TOOL_LSAN,      /* LeakSanitizer (alone or inside ASan) */
  OH_SAN_TOOL_MEMCHECK,  /* Valgrind Memcheck, text or XML */
  OH_SAN_TOOL_HELGRIND,  /* Valgrind Helgrind */
  OH_SAN_TOOL_DRD,       /* Valgrind DRD */
  OH_SAN_TOOL_LIBFUZZER, /* libFuzzer's own deadly signal, timeout, OOM */
  OH_SAN_TOOL_ASSERTION, /* libopus celt_fatal() or glibc assert() */
  OH_SAN_TOOL_COUNT
} oh_san_tool;

/* The kind vocabulary. Names (oh_san_kind_name) follow ASan's spelling;
 * signal kinds keep the signal's name (SEGV, BUS, FPE, ILL, ABRT). */
typedef enum oh_san_kind {
  OH_SAN_KIND_UNKNOWN = 0,          /* "unknown": kind_text says more */
  /* addressability (ASan, Memcheck, TSan) */
  OH_SAN_KIND_HEAP_BUFFER_OVERFLOW, /* also ASan's "N bytes before" a block */
  OH_SAN_KIND_STACK_BUFFER_OVERFLOW,
  OH_SAN_KIND_STACK_BUFFER_UNDERFLOW,
  OH_SAN_KIND_DYNAMIC_STACK_BUFFER_OVERFLOW,
  OH_SAN_KIND_GLOBAL_BUFFER_OVERFLOW,
  OH_SAN_KIND_CONTAINER_OVERFLOW,
  OH_SAN_KIND_HEAP_USE_AFTER_FREE,
  OH_SAN_KIND_STACK_USE_AFTER_RETURN,
  OH_SAN_KIND_STACK_USE_AFTER_SCOPE,
  OH_SAN_KIND_USE_AFTER_POISON,
  OH_SAN_KIND_INIT_ORDER_FIASCO,
  OH_SAN_KIND_UNKNOWN_CRASH,        /* ASan "unknown-crash" */
  OH_SAN_KIND_INVALID_READ,         /* Memcheck "Invalid read of size N" */
  OH_SAN_KIND_INVALID_WRITE,        /* Memcheck "Invalid write of size N" */
  OH_SAN_KIND_INVALID_JUMP,         /* Memcheck "Jump to the invalid address" */
  /* allocator */
  OH_SAN_KIND_DOUBLE_FREE,
  OH_SAN_KIND_BAD_FREE,             /* ASan: free of an address not malloc()-ed */
  OH_SAN_KIND_INVALID_FREE,         /* Memcheck "Invalid free() / delete ..." */
  OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH, /* also Memcheck "Mismatched free()" */
  OH_SAN_KIND_PARAM_OVERLAP,        /* memcpy-param-overlap, Memcheck "overlap" */
  OH_SAN_KIND_NEGATIVE_SIZE_PARAM,
  OH_SAN_KIND_ALLOCATION_SIZE_TOO_BIG, /* also calloc-overflow */
  OH_SAN_KIND_FISHY_VALUE,          /* Memcheck "has a fishy (possibly negative) value" */
  OH_SAN_KIND_MEMORY_LEAK,
  OH_SAN_KIND_OUT_OF_MEMORY,
  /* signals and limits */
  OH_SAN_KIND_SEGV,
  OH_SAN_KIND_BUS,
  OH_SAN_KIND_FPE,
  OH_SAN_KIND_ILL,
  OH_SAN_KIND_ABRT,
  OH_SAN_KIND_STACK_OVERFLOW,
  OH_SAN_KIND_DEADLY_SIGNAL,        /* libFuzzer, or a signal with no better name */
  OH_SAN_KIND_TIMEOUT,
  /* undefined behaviour (UBSan) */
  OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, /* also negation, INT_MIN / -1 */
  OH_SAN_KIND_UNSIGNED_INTEGER_OVERFLOW,
  OH_SAN_KIND_SHIFT_EXPONENT,
  OH_SAN_KIND_SHIFT_BASE,
  OH_SAN_KIND_INTEGER_DIVIDE_BY_ZERO,
  OH_SAN_KIND_FLOAT_CAST_OVERFLOW,
  OH_SAN_KIND_POINTER_OVERFLOW,
  OH_SAN_KIND_MISALIGNED_ACCESS,
  OH_SAN_KIND_NULL_DEREF,           /* load/store/member access via null */
  OH_SAN_KIND_OUT_OF_BOUNDS_INDEX,
  OH_SAN_KIND_OBJECT_SIZE,          /* "with insufficient space for an object" */
  OH_SAN_KIND_INVALID_BOOL,
  OH_SAN_KIND_INVALID_ENUM,
  OH_SAN_KIND_UNREACHABLE,
  OH_SAN_KIND_MISSING_RETURN,
  OH_SAN_KIND_VLA_BOUND,
  OH_SAN_KIND_NONNULL_ATTRIBUTE,    /* null passed / returned against nonnull */
  OH_SAN_KIND_INVALID_BUILTIN,
  OH_SAN_KIND_IMPLICIT_CONVERSION,
  OH_SAN_KIND_FUNCTION_TYPE_MISMATCH,
  OH_SAN_KIND_CFI,
  OH_SAN_KIND_UNDEFINED_BEHAVIOR,   /* a UBSan message not recognised */
  /* uninitialised memory (MSan, Memcheck) */
  OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE,
  /* threads (TSan, Helgrind, DRD) */
  OH_SAN_KIND_DATA_RACE,
  OH_SAN_KIND_LOCK_ORDER_INVERSION,
  OH_SAN_KIND_THREAD_API_MISUSE,    /* unlock of unlocked, destroy of locked, ... */
  OH_SAN_KIND_THREAD_LEAK,
  OH_SAN_KIND_SIGNAL_UNSAFE_CALL,
  /* the rest */
  OH_SAN_KIND_ASSERTION,
  OH_SAN_KIND_FUZZ_TARGET_EXITED,   /* libFuzzer: target called exit() */
  OH_SAN_KIND_COUNT
} oh_san_kind;

typedef enum oh_san_access {
  OH_SAN_ACCESS_UNKNOWN = 0,
  OH_SAN_ACCESS_READ,
  OH_SAN_ACCESS_WRITE
} oh_san_access;

/* Where the address sits relative to the region (block, variable). */
typedef enum oh_san_relation {
  OH_SAN_REL_NONE = 0, /* no region printed */
  OH_SAN_REL_BEFORE,   /* "N bytes before" / "to the left of" */
  OH_SAN_REL_AFTER,    /* "N bytes after" / "to the right of" */
  OH_SAN_REL_INSIDE    /* "N bytes inside" */
} oh_san_relation;

typedef enum oh_san_region_kind {
  OH_SAN_REGION_UNKNOWN = 0,
  OH_SAN_REGION_HEAP,
  OH_SAN_REGION_STACK,
  OH_SAN_REGION_GLOBAL
} oh_san_region_kind;

/* One stack frame. Strings belong to the report; NULL when not printed
 * (Valgrind's "???" and TSan's "<null>" become NULL too). */
typedef struct oh_san_frame {
  int index;              /* "#N" as printed; position for Valgrind */
  uint64_t pc;            /* 0 when not printed (TSan) */
  const char *function;   /* as printed, C++ parameters included */
  const char *file;       /* as printed; Valgrind XML joins <dir>/<file> */
  int line;               /* 0 when unknown */
  int column;             /* 0 when unknown */
  const char *module;     /* binary or shared object */
  uint64_t module_offset; /* "+0x..." after the module, 0 when not printed */
} oh_san_frame;

#define OH_SAN_MAX_FRAMES 64

typedef struct oh_san_stack {
  int count;   /* frames kept */
  int omitted; /* frames printed past OH_SAN_MAX_FRAMES */
  oh_san_frame frame[OH_SAN_MAX_FRAMES];
} oh_san_stack;

/* The other side of a race (TSan "Previous write", Helgrind "This conflicts
 * with a previous write", DRD "Other segment start"). */
typedef struct oh_san_conflict {
  int present;
  oh_san_access access;
  uint64_t size;
  uint64_t address;
  const char *thread; /* "T1", "main thread", "thread #2", "thread 2" */
  oh_san_stack stack;
} oh_san_conflict;

typedef struct oh_san_arena oh_san_arena;

/* One report. About 20 KB; strings live in the report's own arena and stay
 * valid until oh_san_report_free. */
typedef struct oh_san_report {
  oh_san_tool tool;
  oh_san_kind kind;
  const char *kind_text; /* the tool's own word: "heap-buffer-overflow",
                            "InvalidWrite", "undefined-behavior", ... */
  const char *headline;  /* the line that opened the report, no "==PID==" */
  const char *message;   /* UBSan/assertion message, Valgrind <what> */

  oh_san_access access;
  uint64_t size;         /* bytes accessed; for leaks bytes leaked; for
                            out-of-memory bytes requested; 0 unknown */
  int has_address;
  uint64_t address;      /* faulting or accessed address */
  const char *thread;    /* "T0", "thread #1", "main thread" */

  /* The region the address falls in or next to. region_offset is address
   * minus region start: negative before, >= region_size after; for ASan
   * "0 bytes after 7680-byte region" it is 7680. */
  oh_san_region_kind region;
  oh_san_relation relation;
  int64_t region_offset;
  uint64_t region_size;
  uint64_t region_start; /* 0 when not printed */
  const char *region_name; /* variable or symbol ('buf', "frames_decoded") */

  /* Source location named in the report's text (UBSan "file:line:col:",
   * assertion message, SUMMARY line), not in a frame. */
  const char *src_file;
  int src_line;
  int src_column;

  const char *summary;  /* text after "SUMMARY: " */
  const char *artifact; /* libFuzzer "Test unit written to X": X */

  oh_san_stack stack;        /* where it happened; for a leak, where the
                                block was allocated */
  oh_san_stack alloc_stack;  /* "allocated by", "Block was alloc'd at" */
  oh_san_stack free_stack;   /* "freed by", "Address ... free'd" */
  oh_san_stack origin_stack; /* uninitialised value: the last origin printed
                                (where it was created) */
  oh_san_conflict conflict;  /* races only */

  size_t begin;  /* byte range of the report in the input */
  size_t end;
  int truncated; /* the input ended inside the report */
  int further;   /* reports after this one (set by oh_san_parse only) */

  oh_san_arena *arena_; /* private */
} oh_san_report;

/* Reads the first report in buf[0..len) into *r and counts the reports
 * after it (r->further). *r is overwritten: free an earlier result first.
 * Returns OH_OK, OH_ERR_NOT_FOUND when buf holds no report (r is then
 * zeroed and needs no free), or OH_ERR_NOMEM. */
int oh_san_parse(const uint8_t *buf, size_t len, oh_san_report *r,
                 oh_error *err);

/* Releases what the report holds and zeroes it; r may be NULL. */
void oh_san_report_free(oh_san_report *r);

/* Walks every report in a buffer, in order:
 *   oh_san_iter it; oh_san_iter_init(&it, buf, len);
 *   while (oh_san_iter_next(&it, &r, &err) == OH_OK) { ...; oh_san_report_free(&r); }
 * oh_san_iter_next returns OH_ERR_NOT_FOUND after the last one. The buffer
 * must outlive the iterator. */
typedef struct oh_san_iter {
  const uint8_t *buf;
  size_t len;
  size_t pos;
  oh_san_tool valgrind_tool; /* from the last Valgrind preamble seen */
} oh_san_iter;

void oh_san_iter_init(oh_san_iter *it, const uint8_t *buf, size_t len);
int oh_san_iter_next(oh_san_iter *it, oh_san_report *r, oh_error *err);

/* Fixed names: "asan", "valgrind-memcheck", ...; "heap-buffer-overflow",
 * "SEGV", ...; "READ"/"WRITE"/"UNKNOWN"; "none"/"before"/"after"/"inside";
 * "unknown"/"heap"/"stack"/"global". Out of range gives "unknown". */
const char *oh_san_tool_name(oh_san_tool tool);
const char *oh_san_kind_name(oh_san_kind kind);
const char *oh_san_access_name(oh_san_access access);
const char *oh_san_relation_name(oh_san_relation rel);
const char *oh_san_region_name(oh_san_region_kind region);

/* The kind with that name, or OH_SAN_KIND_UNKNOWN. */
oh_san_kind oh_san_kind_from_name(const char *name);

/* 1 when a frame says nothing about where the bug is: sanitizer and
 * Valgrind runtime, libc memory and string routines, the allocator, abort
 * and raise, lock calls (pthread_mutex_*, ...), assertion helpers
 * (celt_fatal, __assert_fail), libFuzzer's
 * fuzzer:: driver, process start-up (main, __libc_start_main, _start,
 * start_thread, clone), our runtime (oh_runtime_*, oh_guard_*), and
 * unsymbolised frames in system libraries or with no module at all.
 * LLVMFuzzerTestOneInput is NOT noise: it is the target's own code and,
 * when a bug sits in the target or is inlined into it, the only frame that
 * tells targets apart. */
int oh_frame_is_noise(const oh_san_frame *frame);

/* Writes into out (cap bytes, always terminated) the function name with
 * the differences between builds of the same code removed, and returns its
 * length. The rule, in order:
 *  1. cut at '@' (symbol version: memcpy@@GLIBC_2.14), at '(' unless it
 *     starts the name (C++ parameters; "(below main)" stays), at "+0x"
 *     (offset) and at the first '.' after the start (compiler clones:
 *     .constprop.0, .isra.0, .part.1, .cold, .llvm.N);
 *  2. then at most twice, drop one trailing SIMD/arch suffix (_sse, _sse2,
 *     _sse4_1, _sse4_2, _ssse3, _avx, _avx2, _avx512, _neon, _edsp,
 *     _media, _arm, _armv4, _armv5e, _armv6, _mips, _mipsr1, _dspr2, _c) or
 *     fixed/float suffix (_FIX, _FLP, _fixed, _float), never leaving an
 *     empty name.
 * So celt_fir_c, celt_fir_sse4_1 -> celt_fir; silk_NSQ_del_dec_sse4_1 ->
 * silk_NSQ_del_dec; xcorr_kernel_sse -> xcorr_kernel;
 * silk_inner_product_FLP_avx2 -> silk_inner_product; xcorr_kernel_neon_fixed
 * -> xcorr_kernel. NULL gives "". */
size_t oh_frame_normalise_function(const char *name, char *out, size_t cap);

/* A crash state for deduplication: the kind name, then up to nframes
 * normalised function names of the main stack's first non-noise frames,
 * joined by '|' ("heap-buffer-overflow|celt_fir|celt_decode_lost|..."). An
 * unsymbolised frame counts as "module+0xoffset". When every frame is
 * noise, the first frames are used as they are. Returns the length written
 * (output is cut to fit cap). */
size_t oh_san_crash_state(const oh_san_report *r, int nframes, char *out,
                          size_t cap);

/* One line for people: "asan heap-buffer-overflow: WRITE of size 4 at
 * 0x624000003f00, 0 bytes after 7680-byte heap region, in put_sample
 * /src/x.c:8:3". Returns the length it wanted (like snprintf). */
int oh_san_report_describe(const oh_san_report *r, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
