/* Tests for the opus_demo .bit reader: records, lost packets, final
 * ranges, every truncation and limit error with its offset, the sticky
 * error, and the official vectors and committed sample read to the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "test_util.h"

static size_t put_record(uint8_t *out, uint32_t len, uint32_t range, const uint8_t *pkt) {
  uint8_t h[8] = {len >> 24, len >> 16 & 255, len >> 8 & 255, len & 255,
                  range >> 24, range >> 16 & 255, range >> 8 & 255, range & 255};
  memcpy(out, h, 8);
  if (pkt && len) memcpy(out + 8, pkt, len);
  return 8 + (pkt ? len : 0);
}

static oh_reader *open_bit(const uint8_t *buf, size_t len, size_t max_packet) {
  oh_reader *r = NULL;
  oh_reader_options opt;
  oh_error err;
  oh_reader_options_init(&opt);
  if (max_packet) opt.max_packet_len = max_packet;
  assert_int_equal(oh_reader_open(&r, OH_FMT_BIT, buf, len, &opt, &err), OH_OK);
  return r;
}

/* Reads records until the end or an error; returns the next() result. */
static int drain(oh_reader *r, const uint8_t *buf, size_t len, long *count, oh_error *err) {
  oh_record rec;
  int rc;
  *count = 0;
  while ((rc = oh_reader_next(r, &rec, err)) == 1) {
    assert_int_equal(rec.index, *count);
    assert_true(rec.offset < len);
    if (!rec.lost) assert_true(rec.data >= buf && rec.data + rec.len <= buf + len);
    (*count)++;
  }
  return rc;
}

static void test_reads_lengths_ranges_and_lost(void **state) {
  static const uint8_t a[3] = {0xfc, 0xff, 0xfe}, b[1] = {0xf8};
  uint8_t buf[64];
  size_t n = 0;
  oh_record rec;
  oh_error err;
  oh_reader *r;
  n += put_record(buf + n, 3, 0x11223344u, a);
  n += put_record(buf + n, 0, 5, NULL);
  n += put_record(buf + n, 1, 0xffffffffu, b);
  r = open_bit(buf, n, 0);
  assert_int_equal(oh_reader_format(r), OH_FMT_BIT);
  assert_int_equal(oh_reader_stream_info(r)->known, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.index, 0);
  assert_int_equal(rec.offset, 0);
  assert_ptr_equal(rec.data, buf + 8);
  assert_int_equal(rec.len, 3);
  assert_true(rec.has_final_range);
  assert_int_equal(rec.final_range, 0x11223344u);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.index, 1);
  assert_int_equal(rec.offset, 11);
  assert_true(rec.lost);
  assert_null(rec.data);
  assert_int_equal(rec.len, 0);
  assert_int_equal(rec.final_range, 5);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.offset, 19);
  assert_int_equal(rec.final_range, 0xffffffffu);
  assert_int_equal(rec.data[0], 0xf8);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void test_empty_input_has_no_records(void **state) {
  oh_record rec;
  oh_error err;
  oh_reader *r = open_bit(NULL, 0, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void test_truncated_header_fail(void **state) {
  static const uint8_t pkt[2] = {0xfc, 0x00};
  uint8_t buf[32];
  size_t n = put_record(buf, 2, 1, pkt);
  oh_record rec;
  oh_error err;
  oh_reader *r;
  memset(buf + n, 0, 5);
  r = open_bit(buf, n + 5, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_TRUNCATED);
  assert_int_equal(err.offset, 10);
  assert_string_equal(err.reason, "record 1: header needs 8 bytes, only 5 left");
  oh_reader_close(r);
}

static void test_truncated_packet_fail(void **state) {
  uint8_t buf[32] = {0};
  oh_record rec;
  oh_error err;
  oh_reader *r;
  put_record(buf, 10, 0, NULL);
  r = open_bit(buf, 8 + 3, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_TRUNCATED);
  assert_int_equal(err.offset, 0);
  assert_string_equal(err.reason, "record 0: length 10 exceeds the 3 bytes left");
  oh_reader_close(r);
}

static void test_length_over_limit_fail(void **state) {
  uint8_t buf[8 + 101] = {0};
  oh_record rec;
  oh_error err;
  oh_reader *r;
  put_record(buf, 101, 0, NULL);
  r = open_bit(buf, sizeof buf, 100);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_LIMIT);
  assert_int_equal(err.offset, 0);
  assert_string_equal(err.reason, "record 0: length 101 exceeds the 100-byte limit");
  oh_reader_close(r);
}

/* A garbage length of 4 GB must be a limit error, not an allocation. */
static void test_huge_length_over_default_limit_fail(void **state) {
  uint8_t buf[16] = {0xff, 0xff, 0xff, 0xff};
  oh_record rec;
  oh_error err;
  oh_reader *r = open_bit(buf, sizeof buf, 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), OH_ERR_LIMIT);
  assert_int_equal(err.offset, 0);
  oh_reader_close(r);
}

static void test_error_is_sticky(void **state) {
  uint8_t buf[12] = {0, 0, 0, 9};
  oh_record rec;
  oh_error first, again;
  oh_reader *r = open_bit(buf, sizeof buf, 0);
  assert_int_equal(oh_reader_next(r, &rec, &first), OH_ERR_TRUNCATED);
  assert_int_equal(oh_reader_next(r, &rec, &again), OH_ERR_TRUNCATED);
  assert_int_equal(again.offset, first.offset);
  assert_string_equal(again.reason, first.reason);
  assert_int_equal(oh_reader_next(r, &rec, NULL), OH_ERR_TRUNCATED);
  oh_reader_close(r);
}

static void test_reads_committed_sample(void **state) {
  char path[1024];
  size_t len;
  uint8_t *buf = oh_test_read(
      oh_test_path("corpus/samples/tone-20ms-stereo-32k.bit", path, sizeof path), &len);
  oh_reader *r = open_bit(buf, len, 0);
  oh_error err;
  long n;
  assert_int_equal(drain(r, buf, len, &n, &err), 0);
  assert_int_equal(n, 50);
  oh_reader_close(r);
  free(buf);
}

static void test_reads_official_vectors(void **state) {
  const char *dir = getenv("OPUS_TESTVECTORS");
  char path[1024];
  int i, found = 0;
  for (i = 1; dir && i <= 12; i++) {
    FILE *f;
    size_t len;
    uint8_t *buf;
    oh_reader *r;
    oh_error err;
    long n;
    snprintf(path, sizeof path, "%s/testvector%02d.bit", dir, i);
    if (!(f = fopen(path, "rb"))) continue;
    fclose(f);
    found++;
    buf = oh_test_read(path, &len);
    r = open_bit(buf, len, 0);
    if (drain(r, buf, len, &n, &err) != 0) fail_msg("%s: %s", path, err.reason);
    assert_true(n > 0);
    oh_reader_close(r);
    free(buf);
  }
  if (!found) skip(); /* reported by cmocka as SKIPPED, never silent */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reads_lengths_ranges_and_lost),
      cmocka_unit_test(test_empty_input_has_no_records),
      cmocka_unit_test(test_truncated_header_fail),
      cmocka_unit_test(test_truncated_packet_fail),
      cmocka_unit_test(test_length_over_limit_fail),
      cmocka_unit_test(test_huge_length_over_default_limit_fail),
      cmocka_unit_test(test_error_is_sticky),
      cmocka_unit_test(test_reads_committed_sample),
      cmocka_unit_test(test_reads_official_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
