/* Tests for guard-page buffers: placement against the guard page in both
 * modes, the address-to-buffer mapping, quarantine, the fault line's
 * round trip, and real faults in a forked child (overrun, underrun, use
 * after free, a bulk overrun like a decoder writing a stereo frame into a
 * mono-sized buffer) whose handler line must name the buffer. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opushunt/guard.h"

static size_t page(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static void test_end_aligned_buffer_ends_at_page(void **state) {
  static const size_t sizes[] = {1, 7, 4096, 7680, 10000};
  size_t i;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i], k;
    unsigned char *b = oh_guard_alloc(n, "pcm", OH_GUARD_END);
    oh_guard_hit h;
    assert_non_null(b);
    assert_int_equal(((uintptr_t)b + n) % page(), 0);
    for (k = 0; k < n; k++) assert_int_equal(b[k], 0);
    memset(b, 0x5a, n);
    assert_int_equal(oh_guard_describe(b + n, &h), OH_GUARD_REL_AFTER_END);
    assert_int_equal(h.offset, (int64_t)n);
    assert_int_equal(h.by, 0);
    assert_int_equal(oh_guard_free(b), OH_OK);
  }
}

static void test_start_aligned_buffer_starts_at_page(void **state) {
  unsigned char *b = oh_guard_alloc(100, "packet", OH_GUARD_START);
  oh_guard_hit h;
  assert_non_null(b);
  assert_int_equal((uintptr_t)b % page(), 0);
  memset(b, 1, 100);
  assert_int_equal(oh_guard_describe(b - 1, &h), OH_GUARD_REL_BEFORE_START);
  assert_int_equal(h.offset, -1);
  assert_int_equal(h.by, 1);
  assert_string_equal(h.name, "packet");
  assert_int_equal(oh_guard_free(b), OH_OK);
}

static void test_describe_maps_addresses(void **state) {
  float *pcm = oh_guard_alloc(960 * sizeof(float), "pcm out", OH_GUARD_END);
  int local = 0;
  oh_guard_hit h;
  char text[160];
  assert_non_null(pcm);
  assert_int_equal(oh_guard_describe(pcm + 10, &h), OH_GUARD_REL_INSIDE);
  assert_int_equal(h.offset, 40);
  assert_string_equal(h.name, "pcm_out"); /* blanks would split the line */
  assert_int_equal(oh_guard_describe((char *)(pcm + 960) + 3, &h),
                   OH_GUARD_REL_AFTER_END);
  assert_int_equal(h.by, 3);
  oh_guard_format_hit(&h, text, sizeof text);
  assert_string_equal(text, "3 bytes after the end of 3840-byte buffer "
                            "pcm_out (offset 3843)");
  assert_int_equal(oh_guard_describe(&local, &h), OH_GUARD_REL_NONE);
  assert_int_equal(oh_guard_free(pcm), OH_OK);
  assert_int_equal(oh_guard_describe(pcm + 10, &h), OH_GUARD_REL_FREED);
  assert_int_equal(h.offset, 40);
  oh_guard_format_hit(&h, text, sizeof text);
  assert_string_equal(text, "inside freed buffer pcm_out (offset 40 of 3840)");
}

static void test_free_rejects_double_and_foreign(void **state) {
  int local;
  void *b = oh_guard_alloc(16, "state", OH_GUARD_END);
  assert_int_equal(oh_guard_free(NULL), OH_OK);
  assert_int_equal(oh_guard_free(&local), OH_ERR_ARG);
  assert_int_equal(oh_guard_free(b), OH_OK);
  assert_int_equal(oh_guard_free(b), OH_ERR_ARG);
}

/* Quarantine holds three one-page regions (3 pages each); the oldest freed
 * ones are unmapped first. */
static void test_quarantine_is_bounded(void **state) {
  void *b[5];
  oh_guard_hit h;
  int i;
  oh_guard_set_quarantine(3 * 3 * page());
  for (i = 0; i < 5; i++) assert_non_null(b[i] = oh_guard_alloc(8, "q", 0));
  for (i = 0; i < 5; i++) assert_int_equal(oh_guard_free(b[i]), OH_OK);
  assert_int_equal(oh_guard_describe(b[0], &h), OH_GUARD_REL_NONE);
  assert_int_equal(oh_guard_describe(b[1], &h), OH_GUARD_REL_NONE);
  for (i = 2; i < 5; i++)
    assert_int_equal(oh_guard_describe(b[i], &h), OH_GUARD_REL_FREED);
  oh_guard_set_quarantine(0);
  assert_int_equal(oh_guard_describe(b[4], &h), OH_GUARD_REL_NONE);
  oh_guard_set_quarantine(OH_GUARD_DEFAULT_QUARANTINE);
}

static void assert_round_trip(const oh_guard_fault *f, const char *want) {
  char line[OH_GUARD_LINE_MAX];
  oh_guard_fault back;
  size_t n = oh_guard_format_fault(f, line, sizeof line);
  assert_int_equal(n, strlen(line));
  assert_string_equal(line, want);
  assert_int_equal(oh_guard_parse_fault(line, &back), OH_OK);
  assert_int_equal(back.addr, f->addr);
  assert_int_equal(back.access, f->access);
  assert_int_equal(back.signal, f->signal);
  assert_int_equal(back.hit.relation, f->hit.relation);
  assert_string_equal(back.hit.name, f->hit.name);
  assert_int_equal(back.hit.offset, f->hit.offset);
  assert_int_equal(back.hit.size, f->hit.size);
  assert_int_equal(back.hit.by, f->hit.by);
}

static void test_fault_line_round_trips(void **state) {
  oh_guard_fault f;
  memset(&f, 0, sizeof f);
  f.addr = 0x7f0012345e00u;
  f.access = OH_GUARD_ACCESS_WRITE;
  f.signal = SIGSEGV;
  f.hit.relation = OH_GUARD_REL_AFTER_END;
  strcpy(f.hit.name, "pcm");
  f.hit.size = 7680;
  f.hit.offset = 7680;
  assert_round_trip(&f, "guard-fault addr=0x7f0012345e00 access=WRITE "
                        "buffer=pcm offset=7680 size=7680 relation=after-end "
                        "by=0 signal=SIGSEGV\n");
  f.access = OH_GUARD_ACCESS_READ;
  f.hit.relation = OH_GUARD_REL_BEFORE_START;
  f.hit.offset = -1;
  f.hit.by = 1;
  f.signal = SIGBUS;
  assert_round_trip(&f, "guard-fault addr=0x7f0012345e00 access=READ "
                        "buffer=pcm offset=-1 size=7680 relation=before-start "
                        "by=1 signal=SIGBUS\n");
  memset(&f.hit, 0, sizeof f.hit);
  f.addr = 0x10;
  f.access = OH_GUARD_ACCESS_UNKNOWN;
  assert_round_trip(&f, "guard-fault addr=0x10 access=UNKNOWN buffer=none "
                        "signal=SIGBUS\n");
}

static void test_fault_line_garbage_rejected(void **state) {
  static const char *bad[] = {
      "",
      "guard-fault",
      "fault addr=0x1 access=READ buffer=none signal=SIGSEGV",
      "guard-fault addr=1 access=READ buffer=none signal=SIGSEGV",
      "guard-fault addr=0x1 access=READ buffer=pcm signal=SIGSEGV",
      "guard-fault addr=0x1 access=READ buffer=pcm offset=x size=1 "
      "relation=freed by=0 signal=SIGSEGV",
      "guard-fault addr=0x1 access=READ buffer=pcm offset=1 size=1 "
      "relation=sideways by=0 signal=SIGSEGV",
      "guard-fault addr=0x1 noequals buffer=none signal=SIGSEGV",
  };
  oh_guard_fault f;
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (oh_guard_parse_fault(bad[i], &f) != OH_ERR_MALFORMED)
      fail_msg("accepted: \"%s\"", bad[i]);
  assert_int_equal(oh_guard_parse_fault("  guard-fault addr=0x1 access=READ "
                                        "buffer=none signal=SIGSEGV new=1\r\n",
                                        &f),
                   OH_OK);
}

/* ---- Real faults, each in a forked child whose handler writes to a pipe. */

typedef void (*fault_fn)(void);

/* Runs fn in a child with the handler installed; returns the signal the
 * child died of and the parsed line. */
static int fault_in_child(fault_fn fn, oh_guard_fault *f, char *line,
                          size_t cap) {
  int p[2], status = 0;
  size_t len = 0;
  ssize_t got;
  pid_t pid;
  assert_int_equal(pipe(p), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    if (oh_guard_install_handler(p[1]) != OH_OK) _exit(2);
    fn();
    _exit(0); /* no fault: the parent fails the test */
  }
  close(p[1]);
  while (len + 1 < cap && (got = read(p[0], line + len, cap - 1 - len)) != 0)
    if (got > 0) len += (size_t)got;
  line[len] = '\0';
  close(p[0]);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFSIGNALED(status))
    fail_msg("child did not die of a signal (status %d), line: %s", status,
             line);
  if (oh_guard_parse_fault(line, f) != OH_OK) fail_msg("bad line: %s", line);
  return WTERMSIG(status);
}

/* READ/WRITE comes from the x86 page-fault error code (Valgrind 3.19
 * passes it on in the signal frame too). */
static void assert_access(const oh_guard_fault *f, oh_guard_access want) {
#if defined(__x86_64__)
  assert_int_equal(f->access, want);
#else
  assert_int_equal(f->access, OH_GUARD_ACCESS_UNKNOWN);
#endif
}

static void write_past_end(void) {
  volatile char *b = oh_guard_alloc(7680, "pcm", OH_GUARD_END);
  b[7680] = 1;
}

static void test_write_past_end_faults_at_first_byte(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(write_past_end, &f, line, sizeof line),
                   SIGSEGV);
  assert_access(&f, OH_GUARD_ACCESS_WRITE);
  assert_string_equal(f.hit.name, "pcm");
  assert_int_equal(f.hit.relation, OH_GUARD_REL_AFTER_END);
  assert_int_equal(f.hit.offset, 7680);
  assert_int_equal(f.hit.size, 7680);
  assert_int_equal(f.hit.by, 0);
  assert_int_equal(f.signal, SIGSEGV);
}

static void read_before_start(void) {
  volatile char *b = oh_guard_alloc(100, "packet", OH_GUARD_START);
  char c = b[-1];
  (void)c;
}

static void test_read_before_start_faults(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(read_before_start, &f, line, sizeof line),
                   SIGSEGV);
  assert_access(&f, OH_GUARD_ACCESS_READ);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_BEFORE_START);
  assert_int_equal(f.hit.offset, -1);
  assert_int_equal(f.hit.by, 1);
}

static void write_after_free(void) {
  volatile char *b = oh_guard_alloc(64, "state", OH_GUARD_END);
  oh_guard_free((void *)b);
  b[10] = 1;
}

static void test_write_after_free_faults(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(write_after_free, &f, line, sizeof line),
                   SIGSEGV);
  assert_access(&f, OH_GUARD_ACCESS_WRITE);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_FREED);
  assert_string_equal(f.hit.name, "state");
  assert_int_equal(f.hit.offset, 10);
}

/* The production bug: 960 stereo samples decoded into room for mono. */
static void stereo_into_mono(void) {
  volatile float *pcm = oh_guard_alloc(960 * sizeof(float), "pcm",
                                       OH_GUARD_END);
  int i;
  for (i = 0; i < 960 * 2; i++) pcm[i] = 0.25f;
}

static void test_sample_loop_overrun_names_offset(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(stereo_into_mono, &f, line, sizeof line),
                   SIGSEGV);
  assert_access(&f, OH_GUARD_ACCESS_WRITE);
  assert_int_equal(f.hit.offset, 3840);
  assert_int_equal(f.hit.by, 0);
}

/* memcpy may store its last bytes first, so only the side is certain. */
static void memcpy_overrun(void) {
  size_t n = 5760 * 2 * sizeof(float);
  char *src = calloc(1, n + 4096);
  char *dst = oh_guard_alloc(n, "pcm", OH_GUARD_END);
  memcpy(dst, src, n + 4096);
  free(src);
}

static void test_memcpy_overrun_faults_after_end(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(memcpy_overrun, &f, line, sizeof line),
                   SIGSEGV);
  assert_access(&f, OH_GUARD_ACCESS_WRITE);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_AFTER_END);
  assert_true(f.hit.by < 4096);
}

static void write_unguarded(void) {
  volatile char *volatile p = (char *)16;
  *p = 1;
}

static void test_fault_outside_buffers_says_none(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(write_unguarded, &f, line, sizeof line),
                   SIGSEGV);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_NONE);
  assert_int_equal(f.addr, 16);
  assert_access(&f, OH_GUARD_ACCESS_WRITE);
}

static void raise_segv(void) { raise(SIGSEGV); }

static void test_sent_signal_still_kills(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(raise_segv, &f, line, sizeof line), SIGSEGV);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_NONE);
  assert_int_equal(f.access, OH_GUARD_ACCESS_UNKNOWN);
}

/* A mapping of a file shorter than the mapping: touching the page past
 * the end of the file is SIGBUS. */
static void bus_error(void) {
  int fd = memfd_create("oh-bus", 0);
  volatile char *m;
  if (fd < 0 || ftruncate(fd, (off_t)page()) < 0) _exit(3);
  m = mmap(NULL, 2 * page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) _exit(3);
  m[page()] = 1;
}

static void test_sigbus_reported(void **state) {
  oh_guard_fault f;
  char line[512];
  assert_int_equal(fault_in_child(bus_error, &f, line, sizeof line), SIGBUS);
  assert_int_equal(f.signal, SIGBUS);
  assert_int_equal(f.hit.relation, OH_GUARD_REL_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_end_aligned_buffer_ends_at_page),
      cmocka_unit_test(test_start_aligned_buffer_starts_at_page),
      cmocka_unit_test(test_describe_maps_addresses),
      cmocka_unit_test(test_free_rejects_double_and_foreign),
      cmocka_unit_test(test_quarantine_is_bounded),
      cmocka_unit_test(test_fault_line_round_trips),
      cmocka_unit_test(test_fault_line_garbage_rejected),
      cmocka_unit_test(test_write_past_end_faults_at_first_byte),
      cmocka_unit_test(test_read_before_start_faults),
      cmocka_unit_test(test_write_after_free_faults),
      cmocka_unit_test(test_sample_loop_overrun_names_offset),
      cmocka_unit_test(test_memcpy_overrun_faults_after_end),
      cmocka_unit_test(test_fault_outside_buffers_says_none),
      cmocka_unit_test(test_sent_signal_still_kills),
      cmocka_unit_test(test_sigbus_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
