/* Tests for error records and file helpers: message formatting, size
 * limits, directories, missing files, and atomic outputs that never
 * overwrite the input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opushunt/file.h"
#include "test_util.h"

static void test_fail_fills_error_and_returns_code(void **state) {
  oh_error err;
  char line[512];
  oh_error_clear(&err);
  assert_int_equal(oh_fail(&err, OH_ERR_MALFORMED, 42, "bad %s", "magic"), OH_ERR_MALFORMED);
  assert_int_equal(err.code, OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 42);
  oh_error_format(&err, "in.bit", line, sizeof line);
  assert_string_equal(line, "in.bit: offset 42: bad magic (malformed input)");
}

static void test_format_without_offset_or_file(void **state) {
  oh_error err;
  char line[512];
  oh_fail(&err, OH_ERR_ARG, OH_NO_OFFSET, "rate 7 Hz");
  oh_error_format(&err, NULL, line, sizeof line);
  assert_string_equal(line, "rate 7 Hz (invalid argument)");
}

static void test_fail_accepts_null_error(void **state) {
  assert_int_equal(oh_fail(NULL, OH_ERR_IO, 0, "x"), OH_ERR_IO);
}

static void test_every_code_has_text(void **state) {
  int c;
  for (c = 0; c >= OH_ERR_UNKNOWN_FORMAT; c--)
    assert_string_not_equal(oh_strerror(c), "unknown error");
  assert_string_equal(oh_strerror(-999), "unknown error");
}

static void test_read_roundtrip_and_empty(void **state) {
  char *p = oh_test_tmpfile("abc", 3);
  uint8_t *d;
  size_t n;
  oh_error err;
  assert_int_equal(oh_file_read(p, 100, &d, &n, &err), OH_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(d, "abc", 3);
  free(d);
  unlink(p);
  free(p);
  p = oh_test_tmpfile("", 0);
  assert_int_equal(oh_file_read(p, 100, &d, &n, &err), OH_OK);
  assert_int_equal(n, 0);
  assert_non_null(d);
  free(d);
  unlink(p);
  free(p);
}

static void test_read_limit_fail(void **state) {
  char big[300];
  char *p;
  uint8_t *d = (uint8_t *)1;
  size_t n;
  oh_error err;
  memset(big, 'x', sizeof big);
  p = oh_test_tmpfile(big, sizeof big);
  assert_int_equal(oh_file_read(p, 299, &d, &n, &err), OH_ERR_LIMIT);
  assert_null(d);
  assert_int_equal(err.offset, 299);
  unlink(p);
  free(p);
}

static void test_read_missing_and_directory_fail(void **state) {
  uint8_t *d;
  size_t n;
  oh_error err;
  assert_int_equal(oh_file_read("/nonexistent/opushunt", 10, &d, &n, &err), OH_ERR_IO);
  assert_non_null(strstr(err.reason, "cannot open"));
  assert_int_equal(oh_file_read("/tmp", 10, &d, &n, &err), OH_ERR_IO);
  assert_non_null(strstr(err.reason, "directory"));
}

static void test_write_is_atomic_and_protects_input(void **state) {
  char *p = oh_test_tmpfile("input", 5);
  uint8_t *d;
  size_t n;
  oh_error err;
  assert_int_equal(oh_file_write(p, "new", 3, p, &err), OH_ERR_ARG);
  assert_int_equal(oh_file_read(p, 100, &d, &n, &err), OH_OK);
  assert_memory_equal(d, "input", 5); /* untouched */
  free(d);
  assert_int_equal(oh_file_write(p, "new", 3, NULL, &err), OH_OK);
  assert_int_equal(oh_file_read(p, 100, &d, &n, &err), OH_OK);
  assert_int_equal(n, 3);
  free(d);
  unlink(p);
  free(p);
}

static void test_outfile_abort_leaves_nothing(void **state) {
  oh_outfile o;
  oh_error err;
  struct stat sb;
  char path[] = "/tmp/opushunt-outfile-test.txt";
  unlink(path);
  assert_int_equal(oh_outfile_open(&o, path, NULL, &err), OH_OK);
  fputs("partial", o.f);
  oh_outfile_abort(&o);
  assert_int_not_equal(stat(path, &sb), 0);
  assert_int_not_equal(stat(o.tmp, &sb), 0);
  assert_int_equal(oh_outfile_open(&o, path, NULL, &err), OH_OK);
  fputs("whole", o.f);
  assert_int_equal(oh_outfile_commit(&o, &err), OH_OK);
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, 5);
  unlink(path);
}

static void test_outfile_unwritable_dir_fail(void **state) {
  oh_outfile o;
  oh_error err;
  assert_int_equal(oh_outfile_open(&o, "/nonexistent/dir/x", NULL, &err), OH_ERR_IO);
  assert_null(o.f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fail_fills_error_and_returns_code),
      cmocka_unit_test(test_format_without_offset_or_file),
      cmocka_unit_test(test_fail_accepts_null_error),
      cmocka_unit_test(test_every_code_has_text),
      cmocka_unit_test(test_read_roundtrip_and_empty),
      cmocka_unit_test(test_read_limit_fail),
      cmocka_unit_test(test_read_missing_and_directory_fail),
      cmocka_unit_test(test_write_is_atomic_and_protects_input),
      cmocka_unit_test(test_outfile_abort_leaves_nothing),
      cmocka_unit_test(test_outfile_unwritable_dir_fail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
