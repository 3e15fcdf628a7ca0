/* Tests for the sanitizer/Valgrind report parser, on real reports captured
 * from small buggy programs (harness/tests/data/sanreports/src, rebuilt by
 * make-fixtures.sh): ASan, LSan, UBSan, MSan, TSan, Memcheck and Helgrind
 * in text and XML, DRD, libFuzzer and assertions. Then cut, mutated and
 * random inputs, which must parse without a crash or an over-read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

#include "opushunt/sanreport.h"
#include "test_util.h"

#define FIXTURES "harness/tests/data/sanreports/"

static uint8_t *read_fixture(const char *name, size_t *len) {
  char path[1024], rel[512];
  snprintf(rel, sizeof rel, FIXTURES "%s", name);
  return oh_test_read(oh_test_path(rel, path, sizeof path), len);
}

/* The first report of a fixture (with r->further counted). */
static oh_san_report *parse_fixture(const char *name) {
  oh_san_report *r = calloc(1, sizeof *r);
  size_t len;
  uint8_t *data = read_fixture(name, &len);
  oh_error err;
  assert_non_null(r);
  if (oh_san_parse(data, len, r, &err) != OH_OK) fail_msg("%s: %s", name, err.reason);
  free(data);
  return r;
}

static oh_san_report *parse_text(const char *text) {
  oh_san_report *r = calloc(1, sizeof *r);
  assert_non_null(r);
  assert_int_equal(oh_san_parse((const uint8_t *)text, strlen(text), r, NULL), OH_OK);
  return r;
}

static void done(oh_san_report *r) {
  oh_san_report_free(r);
  free(r);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Function exactly, file by suffix (paths differ between tools), line;
 * NULL / -1 skip a check. */
static void check_frame(const oh_san_stack *st, int i, const char *fn, const char *file, int line) {
  const oh_san_frame *f;
  if (i >= st->count) fail_msg("frame %d missing (stack has %d)", i, st->count);
  f = &st->frame[i];
  if (fn) {
    if (!f->function) fail_msg("frame %d: no function, wanted %s", i, fn);
    assert_string_equal(f->function, fn);
  }
  if (file && (!f->file || !ends_with(f->file, file)))
    fail_msg("frame %d: file %s, wanted ...%s", i, f->file ? f->file : "(none)", file);
  if (line >= 0) assert_int_equal(f->line, line);
}

static void check_region(const oh_san_report *r, oh_san_region_kind region, oh_san_relation rel,
                         int64_t offset, uint64_t size) {
  assert_string_equal(oh_san_region_name(r->region), oh_san_region_name(region));
  assert_string_equal(oh_san_relation_name(r->relation), oh_san_relation_name(rel));
  if (r->region_offset != offset)
    fail_msg("region offset %lld, wanted %lld", (long long)r->region_offset, (long long)offset);
  assert_int_equal(r->region_size, size);
}

static void check_kind(const oh_san_report *r, oh_san_tool tool, oh_san_kind kind) {
  assert_string_equal(oh_san_tool_name(r->tool), oh_san_tool_name(tool));
  assert_string_equal(oh_san_kind_name(r->kind), oh_san_kind_name(kind));
}

static void check_state(const oh_san_report *r, const char *want) {
  char state[512];
  oh_san_crash_state(r, 3, state, sizeof state);
  assert_string_equal(state, want);
}

/* ---- AddressSanitizer ------------------------------------------------ */

static void test_asan_heap_overflow_write_through_memcpy(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-buffer-overflow-write.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_BUFFER_OVERFLOW);
  assert_string_equal(r->kind_text, "heap-buffer-overflow");
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->size, 4);
  assert_true(r->has_address);
  assert_string_equal(r->thread, "T0");
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 7680, 7680);
  assert_int_equal(r->region_start + 7680, r->address);
  check_frame(&r->stack, 0, "__asan_memcpy", NULL, 0);
  assert_true(oh_frame_is_noise(&r->stack.frame[0]));
  assert_non_null(r->stack.frame[0].module);
  assert_true(r->stack.frame[0].module_offset != 0);
  check_frame(&r->stack, 1, "put_sample", "/src/asan-heap-buffer-overflow-write.c", 8);
  assert_int_equal(r->stack.frame[1].column, 3);
  check_frame(&r->stack, 2, "main", "asan-heap-buffer-overflow-write.c", 13);
  assert_int_equal(r->stack.count, 6);
  check_frame(&r->alloc_stack, 0, "__interceptor_malloc", NULL, 0);
  check_frame(&r->alloc_stack, 1, "main", "asan-heap-buffer-overflow-write.c", 12);
  assert_int_equal(r->free_stack.count, 0);
  assert_non_null(r->summary);
  assert_true(strncmp(r->summary, "AddressSanitizer: heap-buffer-overflow", 38) == 0);
  assert_int_equal(r->further, 0);
  assert_false(r->truncated);
  check_state(r, "heap-buffer-overflow|put_sample");
  done(r);
}

static void test_asan_heap_overflow_read_amid_program_output(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-buffer-overflow-read.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_BUFFER_OVERFLOW);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->size, 4);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 40, 40);
  check_frame(&r->stack, 0, "sum", "asan-heap-buffer-overflow-read.c", 8);
  check_frame(&r->alloc_stack, 0, "__interceptor_calloc", NULL, 0);
  assert_true(r->begin > 0); /* "decoding frame 3" came first */
  assert_string_equal(r->src_file, "/src/asan-heap-buffer-overflow-read.c");
  assert_int_equal(r->src_line, 8);
  assert_int_equal(r->src_column, 33);
  done(r);
}

static void test_asan_heap_underflow_is_before_the_region(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-buffer-underflow-read.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_BUFFER_OVERFLOW);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_BEFORE, -8, 40);
  assert_int_equal(r->region_start - 8, r->address);
  check_frame(&r->stack, 0, "at", "asan-heap-buffer-underflow-read.c", 5);
  done(r);
}

static void test_asan_use_after_free_has_alloc_and_free_stacks(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-use-after-free.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_USE_AFTER_FREE);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->size, 2);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 10, 128);
  check_frame(&r->stack, 0, "main", "asan-heap-use-after-free.c", 14);
  check_frame(&r->free_stack, 0, "free", NULL, 0);
  check_frame(&r->free_stack, 1, "drop_state", "asan-heap-use-after-free.c", 9);
  check_frame(&r->alloc_stack, 1, "make_state", "asan-heap-use-after-free.c", 6);
  check_frame(&r->alloc_stack, 2, "main", "asan-heap-use-after-free.c", 12);
  check_state(r, "heap-use-after-free|main"); /* only main is left: it counts */
  done(r);
}

static void test_asan_double_free(void **state) {
  oh_san_report *r = parse_fixture("asan-double-free.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_DOUBLE_FREE);
  assert_true(r->has_address);
  assert_string_equal(r->thread, "T0");
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 0, 32);
  check_frame(&r->stack, 1, "release", "asan-double-free.c", 4);
  check_frame(&r->stack, 2, "main", "asan-double-free.c", 9);
  check_frame(&r->free_stack, 2, "main", "asan-double-free.c", 8);
  check_frame(&r->alloc_stack, 1, "main", "asan-double-free.c", 7);
  check_state(r, "double-free|release");
  done(r);
}

static void test_asan_bad_free(void **state) {
  oh_san_report *r = parse_fixture("asan-bad-free.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_BAD_FREE);
  assert_true(r->has_address);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 4, 16);
  assert_int_equal(r->region_start + 4, r->address);
  check_frame(&r->stack, 1, "main", "asan-bad-free.c", 6);
  check_frame(&r->alloc_stack, 1, "main", "asan-bad-free.c", 5);
  done(r);
}

static void test_asan_segv_write_on_unknown_address(void **state) {
  oh_san_report *r = parse_fixture("asan-segv-write.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_SEGV);
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_true(r->has_address);
  assert_int_equal(r->address, 0x10000);
  assert_int_equal(r->relation, OH_SAN_REL_NONE);
  check_frame(&r->stack, 0, "store", "asan-segv-write.c", 4);
  assert_int_equal(r->stack.frame[0].column, 58);
  done(r);
}

static void test_asan_segv_null_read(void **state) {
  oh_san_report *r = parse_fixture("asan-segv-null-read.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_SEGV);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->address, 8);
  check_state(r, "SEGV|load");
  done(r);
}

static void test_asan_stack_buffer_overflow_names_the_variable(void **state) {
  oh_san_report *r = parse_fixture("asan-stack-buffer-overflow.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_STACK_BUFFER_OVERFLOW);
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->size, 4);
  check_region(r, OH_SAN_REGION_STACK, OH_SAN_REL_AFTER, 32, 32);
  assert_string_equal(r->region_name, "buf");
  /* the variable's own frame ("in frame #0") is not the crash stack */
  assert_int_equal(r->stack.count, 5);
  check_frame(&r->stack, 0, "fill", "asan-stack-buffer-overflow.c", 5);
  done(r);
}

static void test_asan_stack_overflow_keeps_64_frames(void **state) {
  oh_san_report *r = parse_fixture("asan-stack-overflow.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_STACK_OVERFLOW);
  assert_true(r->has_address);
  assert_int_equal(r->stack.count, OH_SAN_MAX_FRAMES);
  assert_true(r->stack.omitted > 100);
  check_frame(&r->stack, 0, "descend", "asan-stack-overflow.c", 2);
  check_frame(&r->stack, 63, "descend", "asan-stack-overflow.c", 5);
  assert_int_equal(r->stack.frame[63].index, 63);
  assert_false(r->truncated);
  done(r);
}

static void test_asan_global_buffer_overflow(void **state) {
  oh_san_report *r = parse_fixture("asan-global-buffer-overflow.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_GLOBAL_BUFFER_OVERFLOW);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->size, 2);
  check_region(r, OH_SAN_REGION_GLOBAL, OH_SAN_REL_AFTER, 42, 42);
  assert_string_equal(r->region_name, "table");
  assert_int_equal(r->region_start + 42, r->address);
  check_frame(&r->stack, 0, "lookup", "asan-global-buffer-overflow.c", 4);
  done(r);
}

static void test_asan_stack_use_after_scope_and_return(void **state) {
  oh_san_report *r = parse_fixture("asan-stack-use-after-scope.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_STACK_USE_AFTER_SCOPE);
  check_region(r, OH_SAN_REGION_STACK, OH_SAN_REL_INSIDE, 0, 4);
  assert_string_equal(r->region_name, "x");
  done(r);
  r = parse_fixture("asan-stack-use-after-return.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_STACK_USE_AFTER_RETURN);
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  check_region(r, OH_SAN_REGION_STACK, OH_SAN_REL_INSIDE, 4, 16);
  check_frame(&r->stack, 0, "main", "asan-stack-use-after-return.c", 11);
  done(r);
}

static void test_asan_alloc_dealloc_mismatch(void **state) {
  oh_san_report *r = parse_fixture("asan-alloc-dealloc-mismatch.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH);
  check_frame(&r->stack, 0, "__interceptor_free", NULL, 0);
  check_frame(&r->stack, 1, "main", "asan-alloc-dealloc-mismatch.cc", 6);
  check_frame(&r->alloc_stack, 0, "operator new[](unsigned long)", NULL, 0);
  assert_true(oh_frame_is_noise(&r->alloc_stack.frame[0]));
  check_state(r, "alloc-dealloc-mismatch|main");
  done(r);
}

static void test_lsan_leak_reports_first_leak(void **state) {
  oh_san_report *r = parse_fixture("lsan-memory-leak.txt");
  check_kind(r, OH_SAN_TOOL_LSAN, OH_SAN_KIND_MEMORY_LEAK);
  assert_int_equal(r->size, 32);
  check_frame(&r->stack, 0, "__interceptor_malloc", NULL, 0);
  check_frame(&r->stack, 1, "make_list", "lsan-memory-leak.c", 7);
  assert_int_equal(r->stack.count, 4); /* the indirect leak's stack is not appended */
  assert_non_null(strstr(r->summary, "64 byte(s) leaked in 2 allocation(s)"));
  assert_int_equal(r->further, 0);
  done(r);
}

/* ---- UBSan, MSan, TSan ------------------------------------------------ */

typedef struct ubsan_case {
  const char *fixture;
  oh_san_kind kind;
  int line, column;
  const char *function;
  const char *message_start;
} ubsan_case;

static void test_ubsan_with_stacks(void **state) {
  static const ubsan_case cases[] = {
    {"ubsan-signed-integer-overflow", OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, 2, 78, "mac",
     "signed integer overflow: 2147483000 + 1000"},
    {"ubsan-shift-exponent", OH_SAN_KIND_SHIFT_EXPONENT, 2, 73, "scale", "shift exponent 32"},
    {"ubsan-shift-base", OH_SAN_KIND_SHIFT_BASE, 2, 73, "scale", "left shift of negative"},
    {"ubsan-integer-divide-by-zero", OH_SAN_KIND_INTEGER_DIVIDE_BY_ZERO, 2, 75, "average",
     "division by zero"},
    {"ubsan-pointer-overflow", OH_SAN_KIND_POINTER_OVERFLOW, 5, 12, "advance",
     "addition of unsigned offset"},
    {"ubsan-misaligned", OH_SAN_KIND_MISALIGNED_ACCESS, 5, 10, "read32", "load of misaligned"},
    {"ubsan-null-member-access", OH_SAN_KIND_NULL_DEREF, 9, 13, "rate_of",
     "member access within null pointer"},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    const ubsan_case *k = &cases[i];
    char name[128], file[128];
    oh_san_report *r;
    snprintf(name, sizeof name, "%s.txt", k->fixture);
    snprintf(file, sizeof file, "%s.c", k->fixture);
    r = parse_fixture(name);
    check_kind(r, OH_SAN_TOOL_UBSAN, k->kind);
    assert_string_equal(r->src_file, file);
    assert_int_equal(r->src_line, k->line);
    assert_int_equal(r->src_column, k->column);
    assert_true(strncmp(r->message, k->message_start, strlen(k->message_start)) == 0);
    check_frame(&r->stack, 0, k->function, file, k->line);
    check_frame(&r->stack, 1, "main", file, -1);
    assert_non_null(strstr(r->summary, "undefined-behavior"));
    assert_false(r->truncated);
    done(r);
  }
}

static void test_ubsan_misaligned_and_null_carry_access_and_address(void **state) {
  oh_san_report *r = parse_fixture("ubsan-misaligned.txt");
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_true(r->has_address);
  assert_int_equal(r->address & 3, 1); /* buf + 1 */
  done(r);
  r = parse_fixture("ubsan-null-member-access.txt");
  assert_true(r->has_address);
  assert_int_equal(r->address, 0);
  done(r);
}

static void test_ubsan_recover_then_segv(void **state) {
  size_t len;
  uint8_t *data = read_fixture("ubsan-null-member-access-recover.txt", &len);
  oh_san_iter it;
  oh_san_report r;
  oh_error err;
  oh_san_iter_init(&it, data, len);
  assert_int_equal(oh_san_iter_next(&it, &r, &err), OH_OK);
  check_kind(&r, OH_SAN_TOOL_UBSAN, OH_SAN_KIND_NULL_DEREF);
  assert_int_equal(r.stack.count, 0); /* recoverable errors print no stack */
  assert_int_equal(r.src_line, 9);
  oh_san_report_free(&r);
  assert_int_equal(oh_san_iter_next(&it, &r, &err), OH_OK);
  check_kind(&r, OH_SAN_TOOL_UBSAN, OH_SAN_KIND_SEGV);
  assert_int_equal(r.access, OH_SAN_ACCESS_READ);
  assert_int_equal(r.address, 4);
  check_frame(&r.stack, 0, "rate_of", "ubsan-null-member-access.c", 9);
  oh_san_report_free(&r);
  assert_int_equal(oh_san_iter_next(&it, &r, &err), OH_ERR_NOT_FOUND);
  free(data);
}

static void test_ubsan_many_reports_in_order(void **state) {
  static const oh_san_kind want[] = {
    OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, OH_SAN_KIND_SHIFT_BASE,
    OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, OH_SAN_KIND_OUT_OF_BOUNDS_INDEX,
    OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, OH_SAN_KIND_FLOAT_CAST_OVERFLOW,
    OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW, OH_SAN_KIND_INVALID_BOOL, OH_SAN_KIND_UNREACHABLE,
  };
  size_t len, n = 0, last_end = 0;
  uint8_t *data = read_fixture("ubsan-many.txt", &len);
  oh_san_iter it;
  oh_san_report r;
  oh_san_iter_init(&it, data, len);
  while (oh_san_iter_next(&it, &r, NULL) == OH_OK) {
    assert_true(n < sizeof want / sizeof *want);
    check_kind(&r, OH_SAN_TOOL_UBSAN, want[n]);
    assert_true(r.begin >= last_end);
    last_end = r.end;
    n++;
    oh_san_report_free(&r);
  }
  assert_int_equal(n, sizeof want / sizeof *want);
  assert_int_equal(oh_san_parse(data, len, &r, NULL), OH_OK);
  assert_int_equal(r.further, n - 1);
  assert_int_equal(r.src_line, 13);
  oh_san_report_free(&r);
  free(data);
}

static void test_msan_origin_is_the_allocation(void **state) {
  oh_san_report *r = parse_fixture("msan-use-of-uninitialized-value.txt");
  check_kind(r, OH_SAN_TOOL_MSAN, OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE);
  check_frame(&r->stack, 0, "gain_of", "msan-use-of-uninitialized-value.c", 7);
  assert_int_equal(r->stack.frame[0].column, 7);
  /* two origins were printed (the memcpy store, then the malloc): the last stays */
  check_frame(&r->origin_stack, 0, "__interceptor_malloc", NULL, 0);
  check_frame(&r->origin_stack, 1, "main", "msan-use-of-uninitialized-value.c", 12);
  assert_false(r->truncated);
  done(r);
}

static void test_tsan_data_race_on_global(void **state) {
  oh_san_report *r = parse_fixture("tsan-data-race.txt");
  check_kind(r, OH_SAN_TOOL_TSAN, OH_SAN_KIND_DATA_RACE);
  assert_string_equal(r->kind_text, "data race");
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->size, 4);
  assert_string_equal(r->thread, "main thread");
  check_region(r, OH_SAN_REGION_GLOBAL, OH_SAN_REL_INSIDE, 0, 4);
  assert_string_equal(r->region_name, "frames_decoded");
  check_frame(&r->stack, 0, "main", "tsan-data-race.c", 14);
  assert_int_equal(r->stack.frame[0].pc, 0); /* TSan prints none */
  assert_non_null(r->stack.frame[0].module);
  assert_int_equal(r->stack.count, 1);
  assert_true(r->conflict.present);
  assert_int_equal(r->conflict.access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->conflict.size, 4);
  assert_string_equal(r->conflict.thread, "thread T1");
  check_frame(&r->conflict.stack, 0, "worker", "tsan-data-race.c", 7);
  assert_int_equal(r->conflict.stack.count, 1); /* not the thread-creation stack */
  done(r);
}

static void test_tsan_data_race_on_heap(void **state) {
  oh_san_report *r = parse_fixture("tsan-heap-data-race.txt");
  check_kind(r, OH_SAN_TOOL_TSAN, OH_SAN_KIND_DATA_RACE);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->size, 8);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 0, 8);
  check_frame(&r->alloc_stack, 0, "calloc", NULL, 0);
  assert_null(r->alloc_stack.frame[0].file); /* "<null>" */
  check_frame(&r->alloc_stack, 1, "main", "tsan-heap-data-race.c", 14);
  assert_int_equal(r->conflict.access, OH_SAN_ACCESS_WRITE);
  check_frame(&r->conflict.stack, 0, "worker", "tsan-heap-data-race.c", 8);
  done(r);
}

static void test_tsan_lock_order_inversion(void **state) {
  oh_san_report *r = parse_fixture("tsan-lock-order-inversion.txt");
  check_kind(r, OH_SAN_TOOL_TSAN, OH_SAN_KIND_LOCK_ORDER_INVERSION);
  assert_string_equal(r->kind_text, "lock-order-inversion (potential deadlock)");
  check_frame(&r->stack, 0, "pthread_mutex_lock", NULL, 0);
  check_frame(&r->stack, 1, "decode_then_write", "lock-order-inversion.c", 10);
  assert_true(r->conflict.present);
  check_frame(&r->conflict.stack, 1, "write_then_decode", "lock-order-inversion.c", 17);
  check_state(r, "lock-order-inversion|decode_then_write");
  done(r);
}

/* Messages no fixture happens to hold, as UBSan words them. */
static void test_ubsan_message_vocabulary(void **state) {
  static const struct { const char *msg; oh_san_kind kind; } cases[] = {
    {"negation of -2147483648 cannot be represented in type 'int'",
     OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW},
    {"division of -2147483648 by -1 cannot be represented in type 'int'",
     OH_SAN_KIND_SIGNED_INTEGER_OVERFLOW},
    {"unsigned integer overflow: 0 - 1 cannot be represented in type 'unsigned int'",
     OH_SAN_KIND_UNSIGNED_INTEGER_OVERFLOW},
    {"shift exponent -1 is negative", OH_SAN_KIND_SHIFT_EXPONENT},
    {"left shift of 1 by 31 places cannot be represented in type 'int'", OH_SAN_KIND_SHIFT_BASE},
    {"-nan is outside the range of representable values of type 'int'",
     OH_SAN_KIND_FLOAT_CAST_OVERFLOW},
    {"applying non-zero offset 8 to null pointer", OH_SAN_KIND_POINTER_OVERFLOW},
    {"pointer index expression with base 0x000000000010 overflowed to 0xfffffffffffffff0",
     OH_SAN_KIND_POINTER_OVERFLOW},
    {"member access within misaligned address 0x000000000001 for type 'struct s', "
     "which requires 8 byte alignment",
     OH_SAN_KIND_MISALIGNED_ACCESS},
    {"load of null pointer of type 'int'", OH_SAN_KIND_NULL_DEREF},
    {"store to null pointer of type 'short'", OH_SAN_KIND_NULL_DEREF},
    {"index -1 out of bounds for type 'opus_int16[4]'", OH_SAN_KIND_OUT_OF_BOUNDS_INDEX},
    {"load of value 5, which is not a valid value for type 'enum mode'", OH_SAN_KIND_INVALID_ENUM},
    {"null pointer passed as argument 1, which is declared to never be null",
     OH_SAN_KIND_NONNULL_ATTRIBUTE},
    {"execution reached the end of a value-returning function without returning a value",
     OH_SAN_KIND_MISSING_RETURN},
    {"variable length array bound evaluates to non-positive value 0", OH_SAN_KIND_VLA_BOUND},
    {"passing zero to ctz(), which is not a valid argument", OH_SAN_KIND_INVALID_BUILTIN},
    {"implicit conversion from type 'int' of value -1 (32-bit, signed) to type "
     "'unsigned char' changed the value to 255 (8-bit, unsigned)",
     OH_SAN_KIND_IMPLICIT_CONVERSION},
    {"call to function f through pointer to incorrect function type 'void (*)(int)'",
     OH_SAN_KIND_FUNCTION_TYPE_MISMATCH},
    {"member access within address 0x602000000010 with insufficient space for an "
     "object of type 'struct big'",
     OH_SAN_KIND_OBJECT_SIZE},
    {"something new in a later LLVM", OH_SAN_KIND_UNDEFINED_BEHAVIOR},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    char text[512];
    oh_san_report *r;
    snprintf(text, sizeof text, "/src/opus/silk/NSQ.c:120:9: runtime error: %s\n", cases[i].msg);
    r = parse_text(text);
    if (r->kind != cases[i].kind)
      fail_msg("\"%s\": %s, wanted %s", cases[i].msg, oh_san_kind_name(r->kind),
               oh_san_kind_name(cases[i].kind));
    check_kind(r, OH_SAN_TOOL_UBSAN, cases[i].kind);
    assert_string_equal(r->src_file, "/src/opus/silk/NSQ.c");
    assert_int_equal(r->src_line, 120);
    assert_string_equal(r->message, cases[i].msg);
    done(r);
  }
}

/* ---- Valgrind ----------------------------------------------------------- */

static void test_memcheck_invalid_write_text(void **state) {
  oh_san_report *r = parse_fixture("valgrind-invalid-write.txt");
  check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_WRITE);
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->size, 4);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 7680, 7680); /* "7,680" */
  check_frame(&r->stack, 0, "put", "valgrind-invalid-write.c", 5);
  check_frame(&r->stack, 1, "main", "valgrind-invalid-write.c", 9);
  check_frame(&r->alloc_stack, 0, "malloc", NULL, 0);
  assert_true(ends_with(r->alloc_stack.frame[0].module, "vgpreload_memcheck-amd64-linux.so"));
  check_frame(&r->alloc_stack, 1, "main", "valgrind-invalid-write.c", 8);
  assert_int_equal(r->alloc_stack.frame[1].index, 1);
  assert_false(r->truncated);
  assert_int_equal(r->further, 0);
  check_state(r, "invalid-write|put");
  done(r);
}

static void test_memcheck_invalid_write_xml(void **state) {
  oh_san_report *r = parse_fixture("valgrind-invalid-write.xml");
  check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_WRITE);
  assert_string_equal(r->kind_text, "InvalidWrite");
  assert_string_equal(r->message, "Invalid write of size 4");
  assert_int_equal(r->access, OH_SAN_ACCESS_WRITE);
  assert_int_equal(r->size, 4);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 7680, 7680);
  check_frame(&r->stack, 0, "put", "/src/valgrind-invalid-write.c", 5); /* <dir>/<file> */
  assert_int_equal(r->stack.frame[0].pc, 0x1091A3);
  assert_true(ends_with(r->stack.frame[0].module, "/valgrind-invalid-write"));
  check_frame(&r->alloc_stack, 1, "main", "valgrind-invalid-write.c", 8);
  assert_false(r->truncated);
  done(r);
}

static void test_memcheck_use_after_free_read(void **state) {
  static const char *const names[] = {"valgrind-invalid-read.txt", "valgrind-invalid-read.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_READ);
    assert_int_equal(r->access, OH_SAN_ACCESS_READ);
    assert_int_equal(r->size, 2);
    check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 10, 128);
    check_frame(&r->stack, 0, "main", "valgrind-invalid-read.c", 14);
    check_frame(&r->free_stack, 0, "free", NULL, 0);
    check_frame(&r->free_stack, 1, "drop_state", "valgrind-invalid-read.c", 9);
    check_frame(&r->alloc_stack, 0, "calloc", NULL, 0);
    check_frame(&r->alloc_stack, 1, "make_state", "valgrind-invalid-read.c", 6);
    done(r);
  }
}

static void test_memcheck_uninitialised_jump_with_origin(void **state) {
  static const char *const names[] = {"valgrind-uninit-cond.txt", "valgrind-uninit-cond.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE);
    check_frame(&r->stack, 0, "gain_of", "valgrind-uninit-cond.c", 5);
    check_frame(&r->origin_stack, 0, "malloc", NULL, 0);
    check_frame(&r->origin_stack, 1, "main", "valgrind-uninit-cond.c", 10);
    done(r);
  }
}

static void test_memcheck_uninitialised_syscall_param(void **state) {
  oh_san_report *r = parse_fixture("valgrind-uninit-syscall.txt");
  check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE);
  assert_true(strncmp(r->message, "Syscall param write(buf)", 24) == 0);
  check_frame(&r->stack, 1, "main", "valgrind-uninit-syscall.c", 7);
  check_frame(&r->alloc_stack, 1, "main", "valgrind-uninit-syscall.c", 6);
  check_frame(&r->origin_stack, 1, "main", "valgrind-uninit-syscall.c", 6);
  done(r);
}

static void test_memcheck_invalid_free(void **state) {
  static const char *const names[] = {"valgrind-invalid-free.txt", "valgrind-invalid-free.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_FREE);
    check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 0, 32);
    check_frame(&r->stack, 1, "release", "valgrind-invalid-free.c", 4);
    check_frame(&r->stack, 2, "main", "valgrind-invalid-free.c", 9);
    check_frame(&r->free_stack, 2, "main", "valgrind-invalid-free.c", 8);
    check_frame(&r->alloc_stack, 1, "main", "valgrind-invalid-free.c", 7);
    check_state(r, "invalid-free|release");
    done(r);
  }
}

static void test_memcheck_definitely_lost(void **state) {
  static const char *const names[] = {"valgrind-leak.txt", "valgrind-leak.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_MEMORY_LEAK);
    assert_int_equal(r->size, 64);
    check_frame(&r->stack, 1, "make_list", "valgrind-leak.c", 8);
    assert_int_equal(r->further, 0);
    done(r);
  }
}

static void test_memcheck_null_read_then_sigsegv(void **state) {
  static const char *const names[] = {"valgrind-null-read.txt", "valgrind-null-read.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    size_t len;
    uint8_t *data = read_fixture(names[i], &len);
    oh_san_iter it;
    oh_san_report r;
    oh_san_iter_init(&it, data, len);
    assert_int_equal(oh_san_iter_next(&it, &r, NULL), OH_OK);
    check_kind(&r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_READ);
    assert_int_equal(r.address, 8);
    assert_int_equal(r.size, 4);
    oh_san_report_free(&r);
    assert_int_equal(oh_san_iter_next(&it, &r, NULL), OH_OK);
    check_kind(&r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_SEGV);
    assert_true(r.has_address);
    assert_int_equal(r.address, 8);
    check_frame(&r.stack, 0, "load", "valgrind-null-read.c", 4);
    oh_san_report_free(&r);
    assert_int_equal(oh_san_iter_next(&it, &r, NULL), OH_ERR_NOT_FOUND);
    free(data);
  }
}

static void test_helgrind_race_text_and_xml(void **state) {
  static const char *const names[] = {"helgrind-race.txt", "helgrind-race.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_HELGRIND, OH_SAN_KIND_DATA_RACE);
    assert_int_equal(r->access, OH_SAN_ACCESS_READ);
    assert_int_equal(r->size, 4);
    assert_int_equal(r->address, 0x10C024);
    assert_string_equal(r->thread, "thread #1");
    assert_string_equal(r->region_name, "frames_decoded");
    assert_int_equal(r->region, OH_SAN_REGION_GLOBAL);
    check_frame(&r->stack, 0, "main", "helgrind-race.c", 14);
    assert_int_equal(r->stack.count, 1);
    assert_true(r->conflict.present);
    assert_int_equal(r->conflict.access, OH_SAN_ACCESS_WRITE);
    assert_int_equal(r->conflict.size, 4);
    assert_string_equal(r->conflict.thread, "thread #2");
    check_frame(&r->conflict.stack, 0, "worker", "helgrind-race.c", 7);
    assert_int_equal(r->further, 1); /* the write race after it */
    done(r);
  }
}

static void test_helgrind_lock_order(void **state) {
  static const char *const names[] = {"helgrind-lock-order.txt", "helgrind-lock-order.xml"};
  size_t i;
  for (i = 0; i < 2; i++) {
    oh_san_report *r = parse_fixture(names[i]);
    check_kind(r, OH_SAN_TOOL_HELGRIND, OH_SAN_KIND_LOCK_ORDER_INVERSION);
    assert_false(r->has_address); /* the addresses are locks, not an access */
    assert_null(r->stack.frame[0].function); /* "???" in the helgrind preload */
    assert_true(oh_frame_is_noise(&r->stack.frame[0]));
    check_frame(&r->stack, 1, "write_then_decode", "lock-order-inversion.c", 17);
    assert_true(r->conflict.present);
    check_frame(&r->conflict.stack, 1, "decode_then_write", "lock-order-inversion.c", 9);
    check_state(r, "lock-order-inversion|write_then_decode");
    done(r);
  }
}

static void test_drd_conflicting_access(void **state) {
  oh_san_report *r = parse_fixture("drd-race.txt");
  check_kind(r, OH_SAN_TOOL_DRD, OH_SAN_KIND_DATA_RACE);
  assert_int_equal(r->access, OH_SAN_ACCESS_READ);
  assert_int_equal(r->size, 4);
  assert_string_equal(r->thread, "thread 1");
  assert_int_equal(r->region, OH_SAN_REGION_GLOBAL);
  check_frame(&r->stack, 0, "main", "helgrind-race.c", 14);
  assert_true(r->conflict.present);
  assert_string_equal(r->conflict.thread, "thread 2");
  assert_int_equal(r->further, 1);
  done(r);
}

/* Text and XML of one run must tell the same story. */
static void test_valgrind_text_and_xml_agree(void **state) {
  static const char *const stems[] = {
    "valgrind-invalid-write", "valgrind-invalid-read", "valgrind-uninit-cond",
    "valgrind-invalid-free", "valgrind-leak", "valgrind-null-read",
    "valgrind-uninit-syscall", "helgrind-race", "helgrind-lock-order",
  };
  size_t i;
  int k;
  for (i = 0; i < sizeof stems / sizeof *stems; i++) {
    char a[128], b[128];
    oh_san_report *t, *x;
    snprintf(a, sizeof a, "%s.txt", stems[i]);
    snprintf(b, sizeof b, "%s.xml", stems[i]);
    t = parse_fixture(a);
    x = parse_fixture(b);
    check_kind(x, t->tool, t->kind);
    assert_int_equal(x->access, t->access);
    assert_int_equal(x->size, t->size);
    assert_int_equal(x->relation, t->relation);
    assert_true(x->region_offset == t->region_offset);
    assert_int_equal(x->further, t->further);
    assert_int_equal(x->stack.count, t->stack.count);
    assert_int_equal(x->alloc_stack.count, t->alloc_stack.count);
    assert_int_equal(x->free_stack.count, t->free_stack.count);
    assert_int_equal(x->origin_stack.count, t->origin_stack.count);
    assert_int_equal(x->conflict.stack.count, t->conflict.stack.count);
    assert_int_equal(x->has_address, t->has_address);
    assert_int_equal(x->address, t->address);
    for (k = 0; k < t->stack.count; k++) {
      assert_int_equal(x->stack.frame[k].pc, t->stack.frame[k].pc);
      assert_int_equal(x->stack.frame[k].line, t->stack.frame[k].line);
    }
    done(t);
    done(x);
  }
}

/* ---- libFuzzer and assertions ------------------------------------------ */

static void test_libfuzzer_deadly_signal_after_celt_assertion(void **state) {
  oh_san_report *r = parse_fixture("libfuzzer-deadly-signal.txt");
  check_kind(r, OH_SAN_TOOL_ASSERTION, OH_SAN_KIND_ASSERTION);
  assert_string_equal(r->src_file, "celt/celt_decoder.c");
  assert_int_equal(r->src_line, 123);
  assert_string_equal(r->message, "assertion failed: N <= 960");
  assert_true(strncmp(r->artifact, "./crash-", 8) == 0);
  assert_string_equal(r->summary, "libFuzzer: deadly signal");
  check_state(r, "assertion|celt_decode_lost|LLVMFuzzerTestOneInput");
  assert_int_equal(r->further, 0);
  done(r);
}

static void test_libfuzzer_wraps_asan_report(void **state) {
  oh_san_report *r = parse_fixture("libfuzzer-heap-buffer-overflow.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_BUFFER_OVERFLOW);
  assert_int_equal(r->size, 1);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 1, 1);
  check_frame(&r->stack, 0, "LLVMFuzzerTestOneInput", "libfuzzer-heap-buffer-overflow.c", 7);
  assert_false(oh_frame_is_noise(&r->stack.frame[0]));
  check_frame(&r->stack, 1, "fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)",
              NULL, 0);
  assert_true(strncmp(r->artifact, "./crash-", 8) == 0);
  assert_int_equal(r->further, 0);
  done(r);
}

static void test_libfuzzer_timeout(void **state) {
  oh_san_report *r = parse_fixture("libfuzzer-timeout.txt");
  int i, found = 0;
  check_kind(r, OH_SAN_TOOL_LIBFUZZER, OH_SAN_KIND_TIMEOUT);
  assert_true(strncmp(r->artifact, "./timeout-", 10) == 0);
  assert_string_equal(r->summary, "libFuzzer: timeout");
  for (i = 0; i < r->stack.count; i++)
    if (r->stack.frame[i].function &&
        strcmp(r->stack.frame[i].function, "LLVMFuzzerTestOneInput") == 0)
      found = r->stack.frame[i].line;
  assert_int_equal(found, 8);
  assert_int_equal(r->further, 0); /* "ERROR: libFuzzer: timeout" belongs to the ALARM */
  done(r);
}

static void test_libfuzzer_out_of_memory(void **state) {
  oh_san_report *r = parse_fixture("libfuzzer-out-of-memory.txt");
  check_kind(r, OH_SAN_TOOL_LIBFUZZER, OH_SAN_KIND_OUT_OF_MEMORY);
  assert_int_equal(r->size, 2147483648u);
  assert_true(strncmp(r->artifact, "./oom-", 6) == 0);
  check_state(r, "out-of-memory|LLVMFuzzerTestOneInput");
  done(r);
}

static void test_assertion_messages(void **state) {
  oh_san_report *r = parse_fixture("assert-celt-fatal.txt");
  check_kind(r, OH_SAN_TOOL_ASSERTION, OH_SAN_KIND_ASSERTION);
  assert_string_equal(r->src_file, "celt/celt_decoder.c");
  assert_int_equal(r->src_line, 1105);
  assert_string_equal(r->message, "assertion failed: st->start < st->end");
  done(r);
  r = parse_fixture("assert-glibc.txt");
  check_kind(r, OH_SAN_TOOL_ASSERTION, OH_SAN_KIND_ASSERTION);
  assert_string_equal(r->src_file, "assert-glibc.c");
  assert_int_equal(r->src_line, 6);
  assert_string_equal(r->message, "int frame_size(int): Assertion `n <= 960' failed.");
  done(r);
}

/* ---- cut, mixed, hand-made ---------------------------------------------- */

static void test_truncated_asan_report_mid_frame(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-use-after-free-truncated.txt");
  check_kind(r, OH_SAN_TOOL_ASAN, OH_SAN_KIND_HEAP_USE_AFTER_FREE);
  assert_true(r->truncated);
  assert_int_equal(r->size, 2);
  assert_int_equal(r->stack.count, 4);
  assert_int_equal(r->free_stack.count, 1); /* the half line "#1 ... in drop_" is dropped */
  check_frame(&r->free_stack, 0, "free", NULL, 0);
  assert_int_equal(r->alloc_stack.count, 0);
  assert_null(r->summary);
  done(r);
}

static void test_truncated_xml_report_mid_frame(void **state) {
  oh_san_report *r = parse_fixture("valgrind-invalid-read-truncated.xml");
  check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_INVALID_READ);
  assert_true(r->truncated);
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_INSIDE, 10, 128);
  assert_int_equal(r->free_stack.count, 1);
  assert_int_equal(r->alloc_stack.count, 0);
  done(r);
}

static void test_no_report_in_garbage_or_nothing(void **state) {
  size_t len;
  uint8_t *data = read_fixture("garbage.bin", &len);
  oh_san_report r;
  oh_error err;
  assert_int_equal(oh_san_parse(data, len, &r, &err), OH_ERR_NOT_FOUND);
  assert_int_equal(err.code, OH_ERR_NOT_FOUND);
  assert_int_equal(oh_san_parse((const uint8_t *)"", 0, &r, NULL), OH_ERR_NOT_FOUND);
  assert_int_equal(oh_san_parse(NULL, 100, &r, NULL), OH_ERR_NOT_FOUND);
  assert_int_equal(oh_san_parse(data, len, NULL, &err), OH_ERR_ARG);
  oh_san_report_free(&r); /* zeroed: harmless */
  oh_san_report_free(NULL);
  free(data);
}

/* Reports from different tools one after another, as one replay log. */
static void test_iterate_concatenated_logs(void **state) {
  static const char *const parts[] = {"asan-segv-write.txt", "valgrind-invalid-write.txt",
                                      "ubsan-many.txt", "tsan-data-race.txt"};
  static const oh_san_tool tools[] = {OH_SAN_TOOL_ASAN, OH_SAN_TOOL_MEMCHECK, OH_SAN_TOOL_UBSAN,
                                      OH_SAN_TOOL_TSAN};
  static const int counts[] = {1, 1, 9, 1};
  uint8_t *all = NULL;
  size_t len = 0, i;
  int part = 0, seen = 0;
  oh_san_iter it;
  oh_san_report r;
  for (i = 0; i < 4; i++) {
    size_t n;
    uint8_t *d = read_fixture(parts[i], &n);
    all = realloc(all, len + n);
    assert_non_null(all);
    memcpy(all + len, d, n);
    len += n;
    free(d);
  }
  oh_san_iter_init(&it, all, len);
  while (oh_san_iter_next(&it, &r, NULL) == OH_OK) {
    while (seen == counts[part]) part++, seen = 0;
    assert_int_equal(r.tool, tools[part]);
    seen++;
    oh_san_report_free(&r);
  }
  assert_int_equal(part, 3);
  assert_int_equal(seen, 1);
  free(all);
}


/* Hand-made: LLVM 16+ says "after"/"before" where LLVM 14 says "to the
 * right of"/"to the left of". */
static void test_asan_newer_region_wording(void **state) {
  oh_san_report *r = parse_text(
      "==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x624000003f00 "
      "at pc 0x1 bp 0x2 sp 0x3\n"
      "WRITE of size 4 at 0x624000003f00 thread T0\n"
      "    #0 0x55 in celt_fir_c /src/opus/celt/celt_lpc.c:120:7\n"
      "\n"
      "0x624000003f00 is located 0 bytes after 7680-byte region [0x624000002100,0x624000003f00)\n"
      "SUMMARY: AddressSanitizer: heap-buffer-overflow /src/opus/celt/celt_lpc.c:120:7 in celt_fir_c\n");
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_AFTER, 7680, 7680);
  check_state(r, "heap-buffer-overflow|celt_fir");
  done(r);
  r = parse_text(
      "==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x10 at pc 0x1 bp 0x2 sp 0x3\n"
      "READ of size 2 at 0x10 thread T0\n"
      "0x10 is located 6 bytes before 20-byte region [0x16,0x2a)\n");
  check_region(r, OH_SAN_REGION_HEAP, OH_SAN_REL_BEFORE, -6, 20);
  assert_true(r->truncated);
  done(r);
}

/* Hand-made from Valgrind's wording: mismatched free and XML entities. */
static void test_valgrind_mismatched_free_and_entities(void **state) {
  oh_san_report *r = parse_text(
      "==9== Mismatched free() / delete / delete []\n"
      "==9==    at 0x4844B83: operator delete(void*) (vg_replace_malloc.c:923)\n"
      "==9==    by 0x109214: main (mismatch.cc:6)\n"
      "==9==  Address 0x4dd3c80 is 0 bytes inside a block of size 32 alloc'd\n"
      "==9==    at 0x4841FF5: operator new[](unsigned long) (vg_replace_malloc.c:640)\n"
      "==9==    by 0x109201: main (mismatch.cc:5)\n"
      "==9== \n");
  check_kind(r, OH_SAN_TOOL_MEMCHECK, OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH);
  check_frame(&r->stack, 1, "main", "mismatch.cc", 6);
  check_frame(&r->alloc_stack, 0, "operator new[](unsigned long)", "vg_replace_malloc.c", 640);
  assert_false(r->truncated);
  done(r);
  r = parse_text(
      "<error>\n  <kind>InvalidRead</kind>\n  <what>Invalid read of size 8</what>\n"
      "  <stack>\n    <frame>\n      <ip>0x10</ip>\n"
      "      <fn>std::vector&lt;int&gt;::at(unsigned long) &amp; co</fn>\n"
      "      <file>v.cc</file>\n      <line>3</line>\n    </frame>\n  </stack>\n</error>\n");
  check_frame(&r->stack, 0, "std::vector<int>::at(unsigned long) & co", "v.cc", 3);
  assert_int_equal(r->size, 8);
  done(r);
}

/* Hand-made: frame lines the fixtures do not happen to contain. */
static void test_frame_line_forms(void **state) {
  oh_san_report *r = parse_text(
      "==1==ERROR: AddressSanitizer: SEGV on unknown address (pc 0x5 bp 0x6 sp 0x7 T0)\n"
      "    #0 0x7f01 in silk_NSQ_del_dec_sse4_1+0x1a2 (/usr/lib/libopus.so.0+0x3a1f2)\n"
      "    #1 0x7f02  (/usr/lib/libopus.so.0+0x1234)\n"
      "    #2 0x7f03 in opus_decode /src/opus/src/opus_decoder.c:812\n"
      "    #3 0x7f04 in LLVMFuzzerTestOneInput /src/fuzz/decode_fuzzer.c:40:5\n");
  assert_false(r->has_address);
  check_frame(&r->stack, 0, "silk_NSQ_del_dec_sse4_1+0x1a2", NULL, 0);
  assert_string_equal(r->stack.frame[0].module, "/usr/lib/libopus.so.0");
  assert_int_equal(r->stack.frame[0].module_offset, 0x3a1f2);
  assert_null(r->stack.frame[1].function);
  assert_int_equal(r->stack.frame[1].module_offset, 0x1234);
  assert_false(oh_frame_is_noise(&r->stack.frame[1])); /* the target's own library */
  check_frame(&r->stack, 2, "opus_decode", "opus_decoder.c", 812);
  assert_int_equal(r->stack.frame[2].column, 0);
  check_state(r, "SEGV|silk_NSQ_del_dec|/usr/lib/libopus.so.0+0x1234|opus_decode");
  done(r);
}

/* ---- helpers ------------------------------------------------------------ */

static void test_normalise_function_names(void **state) {
  static const char *const pairs[][2] = {
    {"celt_fir_c", "celt_fir"},
    {"celt_fir_sse4_1", "celt_fir"},
    {"silk_NSQ_del_dec_sse4_1", "silk_NSQ_del_dec"},
    {"silk_NSQ_del_dec_avx2", "silk_NSQ_del_dec"},
    {"xcorr_kernel_sse", "xcorr_kernel"},
    {"xcorr_kernel_neon_fixed", "xcorr_kernel"},
    {"celt_pitch_xcorr_c", "celt_pitch_xcorr"},
    {"celt_pitch_xcorr_float_neon", "celt_pitch_xcorr"},
    {"celt_pitch_xcorr_edsp", "celt_pitch_xcorr"},
    {"silk_inner_product_FLP_avx2", "silk_inner_product"},
    {"silk_burg_modified_FIX", "silk_burg_modified"},
    {"op_pvq_search_sse2", "op_pvq_search"},
    {"celt_fir_mips", "celt_fir"},
    {"silk_decode_frame", "silk_decode_frame"},
    {"opus_decode_native.constprop.0", "opus_decode_native"},
    {"quant_coarse_energy_impl.isra.2.cold", "quant_coarse_energy_impl"},
    {"memcpy@@GLIBC_2.14", "memcpy"},
    {"operator new[](unsigned long)", "operator new[]"},
    {"fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)",
     "fuzzer::Fuzzer::ExecuteCallback"},
    {"(below main)", "(below main)"},
    {"foo+0x1a2", "foo"},
    {"_c", "_c"},
    {"x_c_c_c", "x_c"},
  };
  char out[256];
  size_t i;
  for (i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    oh_frame_normalise_function(pairs[i][0], out, sizeof out);
    assert_string_equal(out, pairs[i][1]);
  }
  assert_int_equal(oh_frame_normalise_function(NULL, out, sizeof out), 0);
  assert_string_equal(out, "");
  assert_int_equal(oh_frame_normalise_function("celt_decode_lost", out, 5), 4);
  assert_string_equal(out, "celt");
}

static void test_noise_frames(void **state) {
  static const char *const noise[] = {
    "__asan_memcpy", "__interceptor_malloc", "__sanitizer_print_stack_trace",
    "__ubsan_handle_add_overflow", "__msan_memcpy", "__tsan_write4", "memcpy",
    "memcpy@@GLIBC_2.14", "__memcpy_avx_unaligned_erms", "malloc", "free", "abort", "raise",
    "fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long)", "main",
    "__libc_start_main", "_start", "(below main)", "oh_runtime_decode", "oh_guard_check",
    "celt_fatal", "__assert_fail", "operator new[](unsigned long)", "start_thread",
  };
  static const char *const useful[] = {
    "LLVMFuzzerTestOneInput", "celt_decode_lost", "silk_NSQ_del_dec_sse4_1", "memcpy_c",
    "opus_decode", "mainloop",
  };
  oh_san_frame f;
  size_t i;
  memset(&f, 0, sizeof f);
  for (i = 0; i < sizeof noise / sizeof *noise; i++) {
    f.function = noise[i];
    if (!oh_frame_is_noise(&f)) fail_msg("%s should be noise", noise[i]);
  }
  for (i = 0; i < sizeof useful / sizeof *useful; i++) {
    f.function = useful[i];
    if (oh_frame_is_noise(&f)) fail_msg("%s should not be noise", useful[i]);
  }
  f.function = NULL;
  f.module = "/lib/x86_64-linux-gnu/libc.so.6";
  assert_true(oh_frame_is_noise(&f));
  f.module = "/out/decode_fuzzer";
  assert_false(oh_frame_is_noise(&f));
  f.module = NULL;
  assert_true(oh_frame_is_noise(&f));
  assert_true(oh_frame_is_noise(NULL));
}

static void test_names_are_unique_and_round_trip(void **state) {
  int a, b;
  for (a = 0; a < OH_SAN_KIND_COUNT; a++) {
    const char *n = oh_san_kind_name((oh_san_kind)a);
    assert_true(a == 0 || strcmp(n, "unknown") != 0);
    assert_int_equal(oh_san_kind_from_name(n), a);
    for (b = a + 1; b < OH_SAN_KIND_COUNT; b++)
      assert_string_not_equal(n, oh_san_kind_name((oh_san_kind)b));
  }
  for (a = 1; a < OH_SAN_TOOL_COUNT; a++)
    assert_string_not_equal(oh_san_tool_name((oh_san_tool)a), "unknown");
  assert_string_equal(oh_san_kind_name(OH_SAN_KIND_COUNT), "unknown");
  assert_string_equal(oh_san_tool_name((oh_san_tool)-1), "unknown");
  assert_int_equal(oh_san_kind_from_name("no-such-kind"), OH_SAN_KIND_UNKNOWN);
  assert_int_equal(oh_san_kind_from_name(NULL), OH_SAN_KIND_UNKNOWN);
}

static void test_describe_one_line(void **state) {
  oh_san_report *r = parse_fixture("asan-heap-buffer-overflow-write.txt");
  char line[512], cut[8];
  int n = oh_san_report_describe(r, line, sizeof line);
  assert_int_equal(n, (int)strlen(line));
  assert_true(strncmp(line, "asan heap-buffer-overflow: WRITE of size 4 at 0x", 48) == 0);
  assert_non_null(strstr(line, ", 0 bytes after 7680-byte heap region, in put_sample "
                               "/src/asan-heap-buffer-overflow-write.c:8:3"));
  assert_int_equal(oh_san_report_describe(r, cut, sizeof cut), n);
  assert_int_equal(strlen(cut), sizeof cut - 1);
  done(r);
}

/* ---- robustness ----------------------------------------------------------- */

static const char *const all_fixtures[] = {
  "asan-alloc-dealloc-mismatch.txt", "asan-bad-free.txt", "asan-double-free.txt",
  "asan-global-buffer-overflow.txt", "asan-heap-buffer-overflow-read.txt",
  "asan-heap-buffer-overflow-write.txt", "asan-heap-buffer-underflow-read.txt",
  "asan-heap-use-after-free.txt", "asan-heap-use-after-free-truncated.txt",
  "asan-segv-null-read.txt", "asan-segv-write.txt", "asan-stack-buffer-overflow.txt",
  "asan-stack-overflow.txt", "asan-stack-use-after-return.txt", "asan-stack-use-after-scope.txt",
  "assert-celt-fatal.txt", "assert-glibc.txt", "drd-race.txt", "garbage.bin",
  "helgrind-lock-order.txt", "helgrind-lock-order.xml", "helgrind-race.txt",
  "helgrind-race.xml", "libfuzzer-deadly-signal.txt",
  "libfuzzer-heap-buffer-overflow.txt", "libfuzzer-out-of-memory.txt", "libfuzzer-timeout.txt",
  "lsan-memory-leak.txt", "msan-use-of-uninitialized-value.txt", "tsan-data-race.txt",
  "tsan-heap-data-race.txt", "tsan-lock-order-inversion.txt",
  "ubsan-integer-divide-by-zero.txt", "ubsan-many.txt",
  "ubsan-misaligned.txt", "ubsan-null-member-access-recover.txt",
  "ubsan-null-member-access.txt", "ubsan-pointer-overflow.txt", "ubsan-shift-base.txt",
  "ubsan-shift-exponent.txt", "ubsan-signed-integer-overflow.txt", "valgrind-invalid-free.txt",
  "valgrind-invalid-free.xml", "valgrind-invalid-read.txt", "valgrind-invalid-read.xml",
  "valgrind-invalid-read-truncated.xml", "valgrind-invalid-write.txt",
  "valgrind-invalid-write.xml", "valgrind-leak.txt", "valgrind-leak.xml",
  "valgrind-null-read.txt", "valgrind-null-read.xml", "valgrind-uninit-cond.txt",
  "valgrind-uninit-cond.xml", "valgrind-uninit-syscall.txt", "valgrind-uninit-syscall.xml",
};
#define N_FIXTURES (sizeof all_fixtures / sizeof *all_fixtures)

/* Every fixture in the folder is in the list above (so the robustness
 * tests see it), and every listed one exists. */
static void test_fixture_list_is_complete(void **state) {
  char path[1024];
  DIR *d;
  struct dirent *e;
  size_t i, found = 0;
  for (i = 0; i < N_FIXTURES; i++) {
    size_t len;
    free(read_fixture(all_fixtures[i], &len));
  }
  d = opendir(oh_test_path(FIXTURES, path, sizeof path));
  assert_non_null(d);
  while ((e = readdir(d))) {
    int listed = 0;
    if (e->d_name[0] == '.' || strcmp(e->d_name, "src") == 0) continue;
    for (i = 0; i < N_FIXTURES; i++) listed |= strcmp(all_fixtures[i], e->d_name) == 0;
    if (!listed) fail_msg("fixture %s is not in all_fixtures", e->d_name);
    found++;
  }
  closedir(d);
  assert_int_equal(found, N_FIXTURES);
}

/* A copy of data that ends exactly where an inaccessible page begins, so
 * an over-read faults even without a sanitizer (as picohttpparser tests). */
typedef struct guarded {
  uint8_t *map, *data;
  size_t maplen;
} guarded;

static void guard_copy(guarded *g, const uint8_t *src, size_t len) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t body = (len + page - 1) / page * page;
  g->maplen = body + page;
  g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(g->map != MAP_FAILED);
  assert_int_equal(mprotect(g->map + body, page, PROT_NONE), 0);
  g->data = g->map + body - len;
  if (len) memcpy(g->data, src, len);
}

static void guard_free(guarded *g) { munmap(g->map, g->maplen); }

/* Parses and walks everything in buf, checking what must always hold. */
static void parse_everything(const uint8_t *src, size_t len) {
  guarded g;
  oh_san_iter it;
  oh_san_report r;
  size_t last = 0;
  int n = 0, rc;
  char text[512];
  guard_copy(&g, src, len);
  rc = oh_san_parse(g.data, len, &r, NULL);
  assert_true(rc == OH_OK || rc == OH_ERR_NOT_FOUND);
  if (rc == OH_OK) {
    oh_san_report_describe(&r, text, sizeof text);
    oh_san_crash_state(&r, 5, text, sizeof text);
    oh_san_report_free(&r);
  }
  oh_san_iter_init(&it, g.data, len);
  while (oh_san_iter_next(&it, &r, NULL) == OH_OK) {
    int i;
    assert_true(r.begin >= last && r.begin < r.end && r.end <= len);
    assert_true(r.stack.count <= OH_SAN_MAX_FRAMES && r.alloc_stack.count <= OH_SAN_MAX_FRAMES);
    assert_true(r.kind >= 0 && r.kind < OH_SAN_KIND_COUNT);
    for (i = 0; i < r.stack.count; i++) {
      const oh_san_frame *f = &r.stack.frame[i];
      if (f->function) oh_frame_normalise_function(f->function, text, sizeof text);
      if (f->file) assert_true(strlen(f->file) < 100000);
      oh_frame_is_noise(f);
    }
    oh_san_report_describe(&r, text, sizeof text);
    oh_san_crash_state(&r, 3, text, sizeof text);
    last = r.end;
    n++;
    oh_san_report_free(&r);
  }
  assert_true((rc == OH_OK) == (n > 0));
  guard_free(&g);
}


static const char *const fragments[] = {
  "==1==ERROR: AddressSanitizer: ", "<error>", "</error>", "<frame>", ": runtime error: ",
  "ALARM: working on the last Unit for", "Fatal (internal) error in ", "==1== Invalid read of size ",
  "    #0 0x", "==1==    at 0x", " is located ", "WARNING: ThreadSanitizer: data race (pid=1)\n",
  "ERROR: libFuzzer: deadly signal\n", "99999999999999999999999", "0x", "\n", ":", "(", ")",
};

/* One random edit of buf (cap bytes, *len used). */
static void mutate(oh_test_rng *rng, uint8_t *buf, size_t *len, size_t cap,
                   const uint8_t *other, size_t other_len) {
  size_t n = *len, at = n ? oh_test_rng_below(rng, (uint32_t)n) : 0, k;
  switch (oh_test_rng_below(rng, 6)) {
  case 0: /* cut */
    *len = at;
    break;
  case 1: /* flip bytes */
    for (k = 0; n && k < 1 + oh_test_rng_below(rng, 8); k++)
      buf[oh_test_rng_below(rng, (uint32_t)n)] = (uint8_t)oh_test_rng_next(rng);
    break;
  case 2: { /* insert a fragment */
    const char *f = fragments[oh_test_rng_below(rng, sizeof fragments / sizeof *fragments)];
    size_t fl = strlen(f);
    if (n + fl > cap) break;
    memmove(buf + at + fl, buf + at, n - at);
    memcpy(buf + at, f, fl);
    *len = n + fl;
    break;
  }
  case 3: { /* delete a run */
    size_t d = oh_test_rng_below(rng, 200);
    if (at + d > n) d = n - at;
    memmove(buf + at, buf + at + d, n - at - d);
    *len = n - d;
    break;
  }
  case 4: { /* duplicate a run */
    size_t d = oh_test_rng_below(rng, 400);
    if (at + d > n) d = n - at;
    if (n + d > cap) break;
    memmove(buf + at + d, buf + at, n - at);
    *len = n + d;
    break;
  }
  default: { /* splice: our head, another fixture's tail */
    size_t from = other_len ? oh_test_rng_below(rng, (uint32_t)other_len) : 0;
    size_t tail = other_len - from;
    if (at + tail > cap) tail = cap - at;
    memcpy(buf + at, other + from, tail);
    *len = at + tail;
    break;
  }
  }
}

static void test_mutated_fixtures_parse_safely(void **state) {
  uint8_t *data[N_FIXTURES], *buf;
  size_t lens[N_FIXTURES], i, cap = 1 << 17;
  long it, iters = oh_test_iterations(5000);
  oh_test_rng rng;
  oh_test_rng_init(&rng, 0x5a17e5ull, "sanreport mutations");
  for (i = 0; i < N_FIXTURES; i++) data[i] = read_fixture(all_fixtures[i], &lens[i]);
  buf = malloc(cap);
  assert_non_null(buf);
  for (it = 0; it < iters; it++) {
    size_t a = oh_test_rng_below(&rng, N_FIXTURES), b = oh_test_rng_below(&rng, N_FIXTURES);
    size_t len = lens[a] < cap ? lens[a] : cap;
    int k, edits = 1 + (int)oh_test_rng_below(&rng, 4);
    memcpy(buf, data[a], len);
    for (k = 0; k < edits; k++) mutate(&rng, buf, &len, cap, data[b], lens[b]);
    parse_everything(buf, len);
  }
  for (i = 0; i < N_FIXTURES; i++) free(data[i]);
  free(buf);
}

/* Every prefix of a few reports: each cut lands somewhere new. */
static void test_every_prefix_parses_safely(void **state) {
  static const char *const cut[] = {
    "asan-heap-use-after-free.txt", "valgrind-invalid-read.xml", "tsan-heap-data-race.txt",
    "libfuzzer-deadly-signal.txt", "helgrind-race.txt", "ubsan-misaligned.txt",
  };
  size_t i, n, step = oh_test_quick() ? 97 : 1;
  for (i = 0; i < sizeof cut / sizeof *cut; i++) {
    size_t len;
    uint8_t *data = read_fixture(cut[i], &len);
    for (n = 0; n <= len; n += step) parse_everything(data, n);
    free(data);
  }
}

static void test_random_bytes_parse_safely(void **state) {
  static const char alphabet[] = "=#0x:/ ()[]<>'\"\n\t-_.,0123456789abcdefATSEGV";
  uint8_t buf[4096];
  long it, iters = oh_test_iterations(3000);
  oh_test_rng rng;
  oh_test_rng_init(&rng, 0xb17e5ull, "sanreport random bytes");
  for (it = 0; it < iters; it++) {
    size_t len = oh_test_rng_below(&rng, sizeof buf + 1), i;
    int text = (int)oh_test_rng_below(&rng, 2);
    for (i = 0; i < len; i++)
      buf[i] = text ? (uint8_t)alphabet[oh_test_rng_below(&rng, sizeof alphabet - 1)]
                    : (uint8_t)oh_test_rng_next(&rng);
    parse_everything(buf, len);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_asan_heap_overflow_write_through_memcpy),
    cmocka_unit_test(test_asan_heap_overflow_read_amid_program_output),
    cmocka_unit_test(test_asan_heap_underflow_is_before_the_region),
    cmocka_unit_test(test_asan_use_after_free_has_alloc_and_free_stacks),
    cmocka_unit_test(test_asan_double_free),
    cmocka_unit_test(test_asan_bad_free),
    cmocka_unit_test(test_asan_segv_write_on_unknown_address),
    cmocka_unit_test(test_asan_segv_null_read),
    cmocka_unit_test(test_asan_stack_buffer_overflow_names_the_variable),
    cmocka_unit_test(test_asan_stack_overflow_keeps_64_frames),
    cmocka_unit_test(test_asan_global_buffer_overflow),
    cmocka_unit_test(test_asan_stack_use_after_scope_and_return),
    cmocka_unit_test(test_asan_alloc_dealloc_mismatch),
    cmocka_unit_test(test_lsan_leak_reports_first_leak),
    cmocka_unit_test(test_ubsan_with_stacks),
    cmocka_unit_test(test_ubsan_misaligned_and_null_carry_access_and_address),
    cmocka_unit_test(test_ubsan_recover_then_segv),
    cmocka_unit_test(test_ubsan_many_reports_in_order),
    cmocka_unit_test(test_msan_origin_is_the_allocation),
    cmocka_unit_test(test_tsan_data_race_on_global),
    cmocka_unit_test(test_tsan_data_race_on_heap),
    cmocka_unit_test(test_tsan_lock_order_inversion),
    cmocka_unit_test(test_ubsan_message_vocabulary),
    cmocka_unit_test(test_memcheck_invalid_write_text),
    cmocka_unit_test(test_memcheck_invalid_write_xml),
    cmocka_unit_test(test_memcheck_use_after_free_read),
    cmocka_unit_test(test_memcheck_uninitialised_jump_with_origin),
    cmocka_unit_test(test_memcheck_uninitialised_syscall_param),
    cmocka_unit_test(test_memcheck_invalid_free),
    cmocka_unit_test(test_memcheck_definitely_lost),
    cmocka_unit_test(test_memcheck_null_read_then_sigsegv),
    cmocka_unit_test(test_helgrind_race_text_and_xml),
    cmocka_unit_test(test_helgrind_lock_order),
    cmocka_unit_test(test_drd_conflicting_access),
    cmocka_unit_test(test_valgrind_text_and_xml_agree),
    cmocka_unit_test(test_libfuzzer_deadly_signal_after_celt_assertion),
    cmocka_unit_test(test_libfuzzer_wraps_asan_report),
    cmocka_unit_test(test_libfuzzer_timeout),
    cmocka_unit_test(test_libfuzzer_out_of_memory),
    cmocka_unit_test(test_assertion_messages),
    cmocka_unit_test(test_truncated_asan_report_mid_frame),
    cmocka_unit_test(test_truncated_xml_report_mid_frame),
    cmocka_unit_test(test_no_report_in_garbage_or_nothing),
    cmocka_unit_test(test_iterate_concatenated_logs),
    cmocka_unit_test(test_asan_newer_region_wording),
    cmocka_unit_test(test_valgrind_mismatched_free_and_entities),
    cmocka_unit_test(test_frame_line_forms),
    cmocka_unit_test(test_normalise_function_names),
    cmocka_unit_test(test_noise_frames),
    cmocka_unit_test(test_names_are_unique_and_round_trip),
    cmocka_unit_test(test_describe_one_line),
    cmocka_unit_test(test_fixture_list_is_complete),
    cmocka_unit_test(test_mutated_fixtures_parse_safely),
    cmocka_unit_test(test_every_prefix_parses_safely),
    cmocka_unit_test(test_random_bytes_parse_safely),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
