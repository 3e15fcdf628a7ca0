/* Tests for the length-prefixed readers (lp16be, lp16le, lp32be, lp32le):
 * the same packets through all four framings, header skip, zero prefixes as
 * lost packets, and every truncation and limit error with its offset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "test_util.h"

static const oh_format LP[4] = {OH_FMT_LP16BE, OH_FMT_LP16LE, OH_FMT_LP32BE, OH_FMT_LP32LE};

static size_t prefix_size(oh_format f) {
  return f == OH_FMT_LP16BE || f == OH_FMT_LP16LE ? 2 : 4;
}

static size_t put_prefix(oh_format f, uint8_t *out, uint32_t v) {
  size_t n = prefix_size(f), i;
  int be = f == OH_FMT_LP16BE || f == OH_FMT_LP32BE;
  for (i = 0; i < n; i++) out[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
  return n;
}

static size_t put_record(oh_format f, uint8_t *out, const uint8_t *pkt, size_t len) {
  size_t n = put_prefix(f, out, (uint32_t)len);
  memcpy(out + n, pkt, len);
  return n + len;
}

static oh_reader *open_lp(oh_format f, const uint8_t *buf, size_t len, size_t skip,
                          size_t max_packet) {
  oh_reader *r = NULL;
  oh_reader_options opt;
  oh_error err;
  oh_reader_options_init(&opt);
  opt.header_skip = skip;
  if (max_packet) opt.max_packet_len = max_packet;
  assert_int_equal(oh_reader_open(&r, f, buf, len, &opt, &err), OH_OK);
  return r;
}

static void test_all_variants_read_the_same_packets(void **state) {
  static const uint8_t a[3] = {0xfc, 1, 2}, b[5] = {0x7c, 9, 8, 7, 6};
  int v;
  for (v = 0; v < 4; v++) {
    uint8_t buf[64];
    size_t n = 0, p = prefix_size(LP[v]);
    oh_record rec;
    oh_error err;
    oh_reader *r;
    n += put_record(LP[v], buf + n, a, 3);
    n += put_record(LP[v], buf + n, b, 5);
    r = open_lp(LP[v], buf, n, 0, 0);
    assert_int_equal(oh_reader_format(r), LP[v]);
    assert_non_null(strstr(oh_reader_describe(r), oh_format_name(LP[v])));
    assert_int_equal(oh_reader_next(r, &rec, &err), 1);
    assert_int_equal(rec.offset, 0);
    assert_ptr_equal(rec.data, buf + p);
    assert_int_equal(rec.len, 3);
    assert_false(rec.has_final_range);
    assert_int_equal(oh_reader_next(r, &rec, &err), 1);
    assert_int_equal(rec.index, 1);
    assert_int_equal(rec.offset, p + 3);
    assert_memory_equal(rec.data, b, 5);
    assert_int_equal(oh_reader_next(r, &rec, &err), 0);
    oh_reader_close(r);
  }
}

static void test_header_skip_is_skipped(void **state) {
  uint8_t buf[16] = {'H', 'D', 'R', 0, 1, 0xf8};
  oh_record rec;
  oh_error err;
  oh_reader *r = open_lp(OH_FMT_LP16BE, buf, 6, 3, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.offset, 3);
  assert_int_equal(rec.len, 1);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
  r = open_lp(OH_FMT_LP16BE, buf, 3, 3, 0); /* only the header */
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void test_header_longer_than_input_fail(void **state) {
  uint8_t buf[4] = {0};
  oh_reader_options opt;
  oh_reader *r = (oh_reader *)1;
  oh_error err;
  oh_reader_options_init(&opt);
  opt.header_skip = 5;
  assert_int_equal(oh_reader_open(&r, OH_FMT_LP32LE, buf, 4, &opt, &err), OH_ERR_TRUNCATED);
  assert_null(r);
  assert_int_equal(err.offset, 0);
  assert_string_equal(err.reason, "header of 5 bytes to skip, but the input has only 4");
}

/* An empty message in the production framing: reported as a lost packet. */
static void test_zero_prefix_is_lost(void **state) {
  uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int v;
  for (v = 0; v < 4; v++) {
    oh_record rec;
    oh_error err;
    oh_reader *r = open_lp(LP[v], buf, prefix_size(LP[v]), 0, 0);
    assert_int_equal(oh_reader_next(r, &rec, &err), 1);
    assert_true(rec.lost);
    assert_null(rec.data);
    assert_int_equal(rec.len, 0);
    assert_int_equal(oh_reader_next(r, &rec, &err), 0);
    oh_reader_close(r);
  }
}

static void test_truncated_prefix_fail(void **state) {
  static const uint8_t pkt[2] = {0xfc, 0};
  int v;
  for (v = 0; v < 4; v++) {
    uint8_t buf[32];
    size_t p = prefix_size(LP[v]), n = put_record(LP[v], buf, pkt, 2);
    char want[96];
    oh_record rec;
    oh_error err;
    oh_reader *r = open_lp(LP[v], buf, n + p - 1, 0, 0);
    assert_int_equal(oh_reader_next(r, &rec, &err), 1);
    assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_TRUNCATED);
    assert_int_equal(err.offset, n);
    snprintf(want, sizeof want, "record 1: length prefix needs %zu bytes, only %zu left", p,
             p - 1);
    assert_string_equal(err.reason, want);
    oh_reader_close(r);
  }
}

static void test_prefix_beyond_end_fail(void **state) {
  uint8_t buf[4 + 37] = {0};
  int v;
  for (v = 0; v < 4; v++) {
    size_t p = put_prefix(LP[v], buf, 65000);
    oh_record rec;
    oh_error err;
    oh_reader *r = open_lp(LP[v], buf, p + 37, 0, 0);
    assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_TRUNCATED);
    assert_int_equal(err.offset, 0);
    assert_string_equal(err.reason, "record 0: length prefix 65000 exceeds the 37 bytes left");
    oh_reader_close(r);
  }
}

static void test_prefix_over_limit_fail(void **state) {
  uint8_t buf[64] = {0};
  oh_record rec;
  oh_error err;
  oh_reader *r;
  size_t p = put_prefix(OH_FMT_LP16LE, buf + 5, 51);
  r = open_lp(OH_FMT_LP16LE, buf, 5 + p + 51, 5, 50);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_LIMIT);
  assert_int_equal(err.offset, 5);
  assert_string_equal(err.reason, "record 0: length prefix 51 exceeds the 50-byte limit");
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_LIMIT); /* sticky */
  assert_int_equal(err.offset, 5);
  oh_reader_close(r);
}

/* A 4 GB prefix is garbage: a limit error under the default limit. */
static void test_lp32_huge_prefix_fail(void **state) {
  uint8_t buf[8] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
  oh_record rec;
  oh_error err;
  oh_reader *r = open_lp(OH_FMT_LP32BE, buf, sizeof buf, 0, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_LIMIT);
  assert_int_equal(err.offset, 0);
  oh_reader_close(r);
}

static void test_reads_committed_sample(void **state) {
  char path[1024];
  size_t len, total = 0;
  uint8_t *buf = oh_test_read(
      oh_test_path("corpus/samples/tone-20ms-stereo-32k.lp16be", path, sizeof path), &len);
  oh_reader *r = open_lp(OH_FMT_LP16BE, buf, len, 0, 0);
  oh_record rec;
  oh_error err;
  int rc, n = 0;
  while ((rc = oh_reader_next(r, &rec, &err)) == 1) {
    assert_false(rec.lost);
    assert_int_equal(rec.offset, total);
    total += 2 + rec.len;
    n++;
  }
  assert_int_equal(rc, 0);
  assert_int_equal(n, 50);
  assert_int_equal(total, len);
  oh_reader_close(r);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_all_variants_read_the_same_packets),
      cmocka_unit_test(test_header_skip_is_skipped),
      cmocka_unit_test(test_header_longer_than_input_fail),
      cmocka_unit_test(test_zero_prefix_is_lost),
      cmocka_unit_test(test_truncated_prefix_fail),
      cmocka_unit_test(test_prefix_beyond_end_fail),
      cmocka_unit_test(test_prefix_over_limit_fail),
      cmocka_unit_test(test_lp32_huge_prefix_fail),
      cmocka_unit_test(test_reads_committed_sample),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
