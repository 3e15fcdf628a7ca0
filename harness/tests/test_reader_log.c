/* Tests for the text log reader: bare hex and base64 lines, key=value and
 * JSON lines, lost markers, comments, CRLF, BOM, long lines, and an error
 * naming the line and its offset for every kind of garbage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "test_util.h"

static oh_reader *open_log_n(const char *text, size_t len, size_t max_packet) {
  oh_reader *r = NULL;
  oh_reader_options opt;
  oh_error err;
  oh_reader_options_init(&opt);
  if (max_packet) opt.max_packet_len = max_packet;
  assert_int_equal(oh_reader_open(&r, OH_FMT_LOG, (const uint8_t *)text, len, &opt, &err),
                   OH_OK);
  return r;
}

static oh_reader *open_log(const char *text) { return open_log_n(text, strlen(text), 0); }

/* The one packet the single-line log holds must be want[0..n). */
static void expect_packet(const char *text, const uint8_t *want, size_t n) {
  oh_reader *r = open_log(text);
  oh_record rec;
  oh_error err;
  int rc = oh_reader_next(r, &rec, &err);
  if (rc != 1) fail_msg("'%s': %d %s", text, rc, err.reason);
  assert_false(rec.lost);
  if (rec.len != n || memcmp(rec.data, want, n) != 0)
    fail_msg("'%s' gave %s", text, oh_test_hex(rec.data, rec.len));
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void expect_lost(const char *text) {
  oh_reader *r = open_log(text);
  oh_record rec;
  oh_error err;
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_true(rec.lost);
  assert_null(rec.data);
  assert_int_equal(rec.len, 0);
  oh_reader_close(r);
}

/* The first record of text fails with code at offset, reason containing
 * the given words. */
static void expect_fail_n(const char *text, size_t len, size_t max, int code,
                          uint64_t offset, const char *words) {
  oh_reader *r = open_log_n(text, len, max);
  oh_record rec;
  oh_error err;
  int rc;
  while ((rc = oh_reader_next(r, &rec, &err)) == 1) {
  }
  if (rc != code) fail_msg("'%.60s': got %d (%s), want %d", text, rc, err.reason, code);
  assert_int_equal(err.offset, offset);
  if (!strstr(err.reason, words)) fail_msg("reason '%s' lacks '%s'", err.reason, words);
  oh_reader_close(r);
}

static void expect_fail(const char *text, int code, uint64_t offset, const char *words) {
  expect_fail_n(text, strlen(text), 0, code, offset, words);
}

static const uint8_t P3[3] = {0x7c, 0xa4, 0xff};

static void test_bare_hex_forms(void **state) {
  expect_packet("7ca4ff\n", P3, 3);
  expect_packet("7CA4FF", P3, 3);
  expect_packet("7c a4 ff\n", P3, 3);
  expect_packet("  7c:a4:ff  \n", P3, 3);
  expect_packet("0x7ca4ff\n", P3, 3);
  expect_packet("0x7c, 0xa4, 0xff\n", P3, 3);
  expect_packet("7ca4 ff\n", P3, 3);
}

static void test_bare_base64_forms(void **state) {
  static const uint8_t p[4] = {0xfb, 0xff, 0xbf, 0x10};
  expect_packet("fKT/\n", P3, 3);          /* standard, no padding needed */
  expect_packet("+/+/EA==\n", p, 4);       /* standard, padded */
  expect_packet("+/+/EA\n", p, 4);         /* standard, unpadded */
  expect_packet("-_-_EA\n", p, 4);         /* URL-safe */
}

static void test_key_value_lines(void **state) {
  expect_packet("seq=1 packet_len=3 data=7ca4ff\n", P3, 3);
  expect_packet("ts=12:00 payload=\"7c a4 ff\", len=3;\n", P3, 3);
  expect_packet("hex=7ca4ff\n", P3, 3);
  expect_packet("b64=fKT/ length=3\n", P3, 3);
  expect_packet("[rx] opus=fKT_\n", P3, 3);
  expect_lost("seq=2 data=lost\n");
}

/* Explicit keys decide: "deadbeef" is hex by content, base64 under b64=. */
static void test_key_decides_hex_or_base64(void **state) {
  static const uint8_t hex[4] = {0xde, 0xad, 0xbe, 0xef};
  static const uint8_t b64[6] = {0x75, 0xe6, 0x9d, 0x6d, 0xe7, 0x9f};
  expect_packet("data=deadbeef\n", hex, 4);
  expect_packet("b64=deadbeef\n", b64, 6);
  expect_packet("{\"base64\": \"deadbeef\"}\n", b64, 6);
}

static void test_json_lines(void **state) {
  expect_packet("{\"packet\": \"7ca4ff\"}\n", P3, 3);
  expect_packet("{\"seq\": 4, \"len\": 3, \"data\": \"fKT/\"}\n", P3, 3);
  expect_packet("{\"b64\":\"fKT\\/\",\"meta\":{\"a\":[1,{\"b\":\"}\"}]},\"ok\":true}\n", P3, 3);
  expect_packet("{\"hex\": \"\\u0037ca4ff\", \"packet_len\": 3}\r\n", P3, 3);
  expect_packet("{\"Opus\": \"7c:a4:ff\", \"note\": null}", P3, 3);
  expect_lost("{\"packet\": null, \"len\": 77}\n");
}

static void test_lost_markers(void **state) {
  expect_lost("lost\n");
  expect_lost("NULL\n");
  expect_lost("{\"data\": \"lost\"}\n");
}

static void test_blank_comment_crlf_bom_and_offsets(void **state) {
  static const char text[] = "\xef\xbb\xbf" "7ca4ff\r\n"
                             "\r\n"
                             "# a comment\n"
                             "   \t\n"
                             "lost\r\n"
                             "fKT/";
  oh_reader *r = open_log_n(text, sizeof text - 1, 0);
  oh_record rec;
  oh_error err;
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.index, 0);
  assert_int_equal(rec.offset, 3);
  assert_memory_equal(rec.data, P3, 3);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.index, 1);
  assert_int_equal(rec.offset, 30);
  assert_true(rec.lost);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.offset, 36);
  assert_int_equal(rec.len, 3);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void test_only_comments_is_empty(void **state) {
  oh_reader *r = open_log("# nothing here\n\n#\n");
  oh_record rec;
  oh_error err;
  assert_int_equal(oh_reader_next(r, &rec, &err), 0);
  oh_reader_close(r);
}

static void test_garbage_line_fail(void **state) {
  expect_fail("7ca4ff\nhello world\n", OH_ERR_MALFORMED, 7, "line 2: not a packet line");
  expect_fail("Warning\n", OH_ERR_MALFORMED, 0, "line 1: not a packet line");
  expect_fail("2024-01-31 12:00:00\n", OH_ERR_MALFORMED, 0, "not a packet line");
  expect_fail("7ca4ff # trailing comment\n", OH_ERR_MALFORMED, 0, "not a packet line");
}

static void test_odd_hex_fail(void **state) {
  expect_fail("7ca4ff\n7ca4f\n", OH_ERR_MALFORMED, 7, "line 2: the line has an odd number of hex digits ('7ca4f')");
  expect_fail("hex=7ca\n", OH_ERR_MALFORMED, 0, "field 'hex' has an odd number of hex digits ('7ca')");
}

static void test_bad_base64_fail(void **state) {
  expect_fail("b64=fKT/A\n", OH_ERR_MALFORMED, 0, "a length no base64 encoding has");
  expect_fail("b64=fKT/A===\n", OH_ERR_MALFORMED, 0, "wrong '=' padding");
  expect_fail("data=fK*/\n", OH_ERR_MALFORMED, 0, "neither hex nor base64");
  expect_fail("b64=fKV=\n", OH_ERR_MALFORMED, 0, "non-zero unused bits");
  expect_fail("hex=fKT/\n", OH_ERR_MALFORMED, 0, "field 'hex' is not hex");
}

/* The production log line: a length but no bytes is not a packet line. */
static void test_key_value_without_packet_fail(void **state) {
  expect_fail("packet_len=77, total_bytes=7250\n", OH_ERR_MALFORMED, 0, "line 1: no packet field");
}

static void test_length_mismatch_fail(void **state) {
  expect_fail("data=7ca4ff len=3\ndata=7ca4ff packet_len=77\n", OH_ERR_MALFORMED, 18,
              "line 2: packet_len=77 but field 'data' holds 3 bytes");
  expect_fail("{\"packet\":\"fKT/\",\"length\":2}\n", OH_ERR_MALFORMED, 0,
              "length=2 but field 'packet' holds 3 bytes");
  expect_fail("data=7ca4ff len=3B\n", OH_ERR_MALFORMED, 0, "length field 'len' is not a byte count");
  expect_fail("{\"len\": \"3\", \"data\": \"7ca4ff\"}\n", OH_ERR_MALFORMED, 0, "is a string");
  expect_fail("{\"len\": 3.0, \"data\": \"7ca4ff\"}\n", OH_ERR_MALFORMED, 0, "not a byte count");
}

static void test_two_packet_fields_fail(void **state) {
  expect_fail("data=7ca4ff hex=7ca4ff\n", OH_ERR_MALFORMED, 0, "two packet fields");
  expect_fail("{\"packet\":\"7c\",\"b64\":\"fA\"}\n", OH_ERR_MALFORMED, 0, "two packet fields");
}

static void test_empty_packet_field_fail(void **state) {
  expect_fail("data=\n", OH_ERR_MALFORMED, 0, "field 'data' is empty");
  expect_fail("{\"packet\": \"\"}\n", OH_ERR_MALFORMED, 0, "field 'packet' is empty");
}

static void test_bad_json_fail(void **state) {
  expect_fail("{\"packet\": \"7ca4ff\"", OH_ERR_MALFORMED, 0, "expected ',' or '}' at the end");
  expect_fail("{\"packet\": \"7ca4ff}\n", OH_ERR_MALFORMED, 0, "unterminated string");
  expect_fail("{\"packet\": \"7ca4ff\"} x\n", OH_ERR_MALFORMED, 0, "text after the object at column 22");
  expect_fail("{\"packet\" \"7ca4ff\"}\n", OH_ERR_MALFORMED, 0, "expected ':' at column 11");
  expect_fail("{\"packet\": 1234}\n", OH_ERR_MALFORMED, 0, "packet field 'packet' is not a string");
  expect_fail("{\"data\": {\"x\": 1}}\n", OH_ERR_MALFORMED, 0, "is not a string or number");
  expect_fail("{\"a\": [1, 2}\n", OH_ERR_MALFORMED, 0, "unbalanced");
  expect_fail("{\"a\": \"\\q\"}\n", OH_ERR_MALFORMED, 0, "bad escape");
  expect_fail("{\"a\": 1,}\n", OH_ERR_MALFORMED, 0, "expected a string");
  expect_fail("{\"a\": 1}\n", OH_ERR_MALFORMED, 0, "no packet field");
  expect_fail("{\"packet\": \"\\u00e97c\"}\n", OH_ERR_MALFORMED, 0, "neither hex nor base64");
}

static void test_nul_byte_fail(void **state) {
  static const char text[] = "7ca4ff\n7c\0a4\n";
  expect_fail_n(text, sizeof text - 1, 0, OH_ERR_MALFORMED, 7, "line 2: NUL byte at column 3");
}

/* A line may be as long as the limit allows, and not one byte longer. */
static void test_long_lines_bounded_by_limit(void **state) {
  size_t max = 1000, i;
  char *text = malloc(2 * (max + 1) + 2);
  oh_reader *r;
  oh_record rec;
  oh_error err;
  for (i = 0; i < 2 * max; i++) text[i] = "0123456789abcdef"[i % 16];
  text[2 * max] = '\n';
  r = open_log_n(text, 2 * max + 1, max);
  assert_int_equal(oh_reader_next(r, &rec, &err), 1);
  assert_int_equal(rec.len, max);
  oh_reader_close(r);
  text[2 * max] = 'a';
  text[2 * max + 1] = 'b';
  expect_fail_n(text, 2 * max + 2, max, OH_ERR_LIMIT, 0,
                "line 1: the line holds 1001 bytes, over the 1000-byte limit");
  free(text);
}

/* Text far beyond anything the limit could decode fails before copying. */
static void test_huge_json_string_fail(void **state) {
  size_t n = 20000, i;
  char *text = malloc(n + 32);
  strcpy(text, "{\"packet\": \"");
  for (i = strlen(text); i < n; i++) text[i] = '\\';
  text[n - 1] = '/';
  strcpy(text + n, "\"}");
  expect_fail_n(text, strlen(text), 100, OH_ERR_LIMIT, 0, "too long for the 100-byte limit");
  free(text);
}

static void test_error_is_sticky(void **state) {
  oh_reader *r = open_log("garbage here\n7ca4ff\n");
  oh_record rec;
  oh_error a, b;
  assert_int_equal(oh_reader_next(r, &rec, &a), OH_ERR_MALFORMED);
  assert_int_equal(oh_reader_next(r, &rec, &b), OH_ERR_MALFORMED);
  assert_int_equal(a.offset, b.offset);
  assert_string_equal(a.reason, b.reason);
  oh_reader_close(r);
}

/* The committed log samples hold the same packets as the lp16be sample. */
static void test_samples_match_lp16be_sample(void **state) {
  static const char *const logs[] = {"corpus/samples/tone-20ms-stereo-32k-hex.log",
                                     "corpus/samples/tone-20ms-stereo-32k-b64.jsonl"};
  char path[1024];
  size_t lplen, i;
  uint8_t *lp = oh_test_read(
      oh_test_path("corpus/samples/tone-20ms-stereo-32k.lp16be", path, sizeof path), &lplen);
  for (i = 0; i < 2; i++) {
    size_t len, pos = 0;
    uint8_t *buf = oh_test_read(oh_test_path(logs[i], path, sizeof path), &len);
    oh_reader *r = open_log_n((const char *)buf, len, 0);
    oh_record rec;
    oh_error err;
    int rc, n = 0;
    while ((rc = oh_reader_next(r, &rec, &err)) == 1) {
      size_t want = (size_t)lp[pos] << 8 | lp[pos + 1];
      assert_int_equal(rec.lost, i == 1 && n == 10);
      if (!rec.lost) {
        assert_int_equal(rec.len, want);
        assert_memory_equal(rec.data, lp + pos + 2, want);
      }
      pos += 2 + want;
      n++;
    }
    if (rc != 0) fail_msg("%s: %s", logs[i], err.reason);
    assert_int_equal(n, 50);
    oh_reader_close(r);
    free(buf);
  }
  free(lp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bare_hex_forms),
      cmocka_unit_test(test_bare_base64_forms),
      cmocka_unit_test(test_key_value_lines),
      cmocka_unit_test(test_key_decides_hex_or_base64),
      cmocka_unit_test(test_json_lines),
      cmocka_unit_test(test_lost_markers),
      cmocka_unit_test(test_blank_comment_crlf_bom_and_offsets),
      cmocka_unit_test(test_only_comments_is_empty),
      cmocka_unit_test(test_garbage_line_fail),
      cmocka_unit_test(test_odd_hex_fail),
      cmocka_unit_test(test_bad_base64_fail),
      cmocka_unit_test(test_key_value_without_packet_fail),
      cmocka_unit_test(test_length_mismatch_fail),
      cmocka_unit_test(test_two_packet_fields_fail),
      cmocka_unit_test(test_empty_packet_field_fail),
      cmocka_unit_test(test_bad_json_fail),
      cmocka_unit_test(test_nul_byte_fail),
      cmocka_unit_test(test_long_lines_bounded_by_limit),
      cmocka_unit_test(test_huge_json_string_fail),
      cmocka_unit_test(test_error_is_sticky),
      cmocka_unit_test(test_samples_match_lp16be_sample),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
