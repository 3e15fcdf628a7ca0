/* Tests for format names, options, the reader front end, and format
 * detection: each format from small built-in buffers, the ambiguous cases
 * (lp32 read as lp16, truncated streams, text that is no log), every file
 * under corpus/samples/ and the official vectors when present. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "test_util.h"

/* A plausible packet: code 0 CELT FB stereo TOC, len bytes in all. */
static size_t make_packet(uint8_t *out, size_t len, unsigned salt) {
  size_t i;
  out[0] = 0xfc;
  for (i = 1; i < len; i++) out[i] = (uint8_t)(salt * 31 + i * 7);
  return len;
}

static size_t put_uint(uint8_t *out, uint32_t v, size_t n, int be) {
  size_t i;
  for (i = 0; i < n; i++) out[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
  return n;
}

/* count records with lengths 20 + (i * 37) % 200, framed as fmt. */
static size_t make_stream(oh_format fmt, uint8_t *out, int count) {
  size_t n = 0;
  int i;
  for (i = 0; i < count; i++) {
    uint32_t len = 20 + (uint32_t)(i * 37) % 200;
    switch (fmt) {
    case OH_FMT_BIT:
      n += put_uint(out + n, len, 4, 1);
      n += put_uint(out + n, 0xdeadbeef ^ (uint32_t)i, 4, 1);
      break;
    case OH_FMT_LP16BE: n += put_uint(out + n, len, 2, 1); break;
    case OH_FMT_LP16LE: n += put_uint(out + n, len, 2, 0); break;
    case OH_FMT_LP32BE: n += put_uint(out + n, len, 4, 1); break;
    default: n += put_uint(out + n, len, 4, 0); break;
    }
    n += make_packet(out + n, len, (unsigned)i);
  }
  return n;
}

static oh_format detect(const void *buf, size_t len, char *why, size_t cap) {
  return oh_format_detect(buf, len, why, cap);
}

static void expect_detect(const void *buf, size_t len, oh_format want, const char *words) {
  char why[256];
  oh_format got = detect(buf, len, why, sizeof why);
  if (got != want)
    fail_msg("detected %s, want %s: %s", oh_format_name(got), oh_format_name(want), why);
  if (words && !strstr(why, words)) fail_msg("reason '%s' lacks '%s'", why, words);
}

static void test_names_round_trip(void **state) {
  oh_format f;
  int i;
  for (i = OH_FMT_AUTO; i <= OH_FMT_LOG; i++) {
    assert_int_equal(oh_format_from_name(oh_format_name((oh_format)i), &f), OH_OK);
    assert_int_equal(f, i);
  }
  assert_int_equal(oh_format_from_name("LP16BE", &f), OH_OK);
  assert_int_equal(f, OH_FMT_LP16BE);
  assert_int_equal(oh_format_from_name("pcapng", &f), OH_OK);
  assert_int_equal(f, OH_FMT_PCAP);
  assert_int_equal(oh_format_from_name("wav", &f), OH_ERR_ARG);
  assert_int_equal(oh_format_from_name(NULL, &f), OH_ERR_ARG);
  assert_string_equal(oh_format_name((oh_format)99), "unknown");
}

static void test_options_defaults(void **state) {
  oh_reader_options o;
  memset(&o, 0x5a, sizeof o);
  oh_reader_options_init(&o);
  assert_int_equal(o.max_packet_len, OH_DEFAULT_MAX_PACKET);
  assert_int_equal(o.rtp_payload_type, -1);
  assert_int_equal(o.header_skip, 0);
  assert_int_equal(o.udp_port, 0);
  assert_int_equal(o.ogg_serial_set, 0);
  assert_int_equal(o.rtp_ssrc_set, 0);
}

static void test_open_bad_arguments_fail(void **state) {
  oh_reader *r;
  oh_error err;
  uint8_t b[1] = {0};
  assert_int_equal(oh_reader_open(NULL, OH_FMT_BIT, b, 1, NULL, &err), OH_ERR_ARG);
  assert_int_equal(oh_reader_open(&r, OH_FMT_BIT, NULL, 1, NULL, &err), OH_ERR_ARG);
  assert_int_equal(oh_reader_open(&r, (oh_format)42, b, 1, NULL, &err), OH_ERR_ARG);
  assert_int_equal(err.offset, OH_NO_OFFSET);
  assert_null(r);
}

static void test_detects_bit_and_lp_variants(void **state) {
  static const oh_format fmts[] = {OH_FMT_BIT, OH_FMT_LP16BE, OH_FMT_LP16LE, OH_FMT_LP32BE,
                                   OH_FMT_LP32LE};
  uint8_t buf[40000];
  size_t i;
  for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    size_t n = make_stream(fmts[i], buf, 97);
    expect_detect(buf, n, fmts[i], "97 ");
    expect_detect(buf, n, fmts[i], "chain exactly to end of file");
    n = make_stream(fmts[i], buf, 1);
    expect_detect(buf, n, fmts[i], "1 ");
  }
  expect_detect(buf, make_stream(OH_FMT_LP16BE, buf, 97), OH_FMT_LP16BE,
                "lp16be: 97 length prefixes chain exactly to end of file");
}

/* lp32be with lengths below 65536 also chains as lp16be, with a zero-length
 * record before every packet: zero-length packets break R1, so lp32be. */
static void test_lp32be_small_lengths_not_lp16be(void **state) {
  uint8_t buf[4000];
  size_t n = make_stream(OH_FMT_LP32BE, buf, 12);
  oh_reader *r;
  oh_record rec;
  oh_error err;
  int records = 0, lost = 0;
  expect_detect(buf, n, OH_FMT_LP32BE, "lp32be: 12 length prefixes chain exactly");
  /* The same bytes forced through lp16be do read: 24 records, 12 lost. */
  assert_int_equal(oh_reader_open(&r, OH_FMT_LP16BE, buf, n, NULL, &err), OH_OK);
  while (oh_reader_next(r, &rec, &err) == 1) records++, lost += rec.lost;
  assert_int_equal(records, 24);
  assert_int_equal(lost, 12);
  oh_reader_close(r);
}

/* A stream cut short still reads as what it was: the reader then names
 * the cut. */
static void test_truncated_stream_detected(void **state) {
  uint8_t buf[40000];
  size_t n = make_stream(OH_FMT_LP16LE, buf, 40);
  expect_detect(buf, n - 10, OH_FMT_LP16LE, "39 length prefixes chain consistently, then at offset");
  n = make_stream(OH_FMT_BIT, buf, 40);
  expect_detect(buf, n - 3, OH_FMT_BIT, "39 opus_demo records");
}

static void test_detects_ogg(void **state) {
  uint8_t page[27 + 1 + 19] = "OggS";
  page[5] = 2;
  page[26] = 1;
  page[27] = 19;
  memcpy(page + 28, "OpusHead", 8);
  expect_detect(page, sizeof page, OH_FMT_OGG, "OpusHead in the first page");
  memcpy(page + 28, "OpusTags", 8);
  expect_detect(page, sizeof page, OH_FMT_OGG, "no OpusHead");
  expect_detect("OggS", 4, OH_FMT_OGG, NULL);
}

static void test_detects_pcap_magics(void **state) {
  static const uint32_t magics[2] = {0xa1b2c3d4u, 0xa1b23c4du};
  uint8_t buf[24] = {0};
  int m, be;
  for (m = 0; m < 2; m++)
    for (be = 0; be < 2; be++) {
      put_uint(buf, magics[m], 4, be);
      expect_detect(buf, sizeof buf, OH_FMT_PCAP, m ? "nanosecond" : "microsecond");
    }
  memset(buf, 0, sizeof buf);
  put_uint(buf, 0x0a0d0d0au, 4, 1);
  put_uint(buf + 8, 0x1a2b3c4du, 4, 0);
  expect_detect(buf, sizeof buf, OH_FMT_PCAP, "pcapng section header block, little-endian");
  put_uint(buf + 8, 0x1a2b3c4du, 4, 1);
  expect_detect(buf, sizeof buf, OH_FMT_PCAP, "big-endian");
}

static void test_detects_logs(void **state) {
  static const char hex[] = "# capture\n7ca4ff\nfc0102\n";
  static const char json[] = "\xef\xbb\xbf{\"seq\":1,\"packet\":\"fKT/\"}\r\n{\"packet\":null}\r\n";
  static const char kv[] = "seq=1 packet_len=3 data=7ca4ff\nseq=2 packet_len=1 data=f8\n";
  expect_detect(hex, strlen(hex), OH_FMT_LOG, "log: text, all 2 packet lines");
  expect_detect(json, strlen(json), OH_FMT_LOG, NULL);
  expect_detect(kv, strlen(kv), OH_FMT_LOG, NULL);
  expect_detect("# only a comment\n", 17, OH_FMT_LOG, "only blank and comment lines");
}

static void test_text_that_is_no_log_fails(void **state) {
  static const char text[] = "hello world\nthis is not a packet log\n";
  expect_detect(text, strlen(text), OH_FMT_AUTO, "line 1: not a packet line");
}

static void test_garbage_and_empty_fail(void **state) {
  uint8_t buf[1024];
  oh_test_rng rng = {0x1234567887654321ull}; /* fixed: the answer must not vary */
  int i;
  size_t j;
  expect_detect(NULL, 0, OH_FMT_AUTO, "empty input");
  memset(buf, 0, sizeof buf);
  expect_detect(buf, sizeof buf, OH_FMT_AUTO, "no format fits");
  for (i = 0; i < 200; i++) {
    for (j = 0; j < sizeof buf; j++) buf[j] = (uint8_t)oh_test_rng_next(&rng);
    expect_detect(buf, sizeof buf, OH_FMT_AUTO, "no format fits");
  }
}

static void test_open_auto_describes_detection(void **state) {
  uint8_t buf[4000];
  size_t n = make_stream(OH_FMT_LP16BE, buf, 5);
  oh_reader *r;
  oh_error err;
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, n, NULL, &err), OH_OK);
  assert_int_equal(oh_reader_format(r), OH_FMT_LP16BE);
  assert_non_null(strstr(oh_reader_describe(r), "[detected: lp16be: 5 length prefixes"));
  oh_reader_close(r);
}

static void test_open_auto_unknown_fail(void **state) {
  uint8_t buf[64] = {0};
  oh_reader *r = (oh_reader *)1;
  oh_error err;
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, sizeof buf, NULL, &err),
                   OH_ERR_UNKNOWN_FORMAT);
  assert_null(r);
  assert_int_equal(err.offset, 0);
  assert_non_null(strstr(err.reason, "no format fits"));
}

/* A header to skip exists only in lp streams: detection looks past it. */
static void test_open_auto_with_header_skip(void **state) {
  uint8_t buf[4000] = "HDR";
  size_t n = 3 + make_stream(OH_FMT_LP16LE, buf + 3, 6);
  oh_reader_options opt;
  oh_reader *r;
  oh_error err;
  oh_reader_options_init(&opt);
  opt.header_skip = 3;
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, n, &opt, &err), OH_OK);
  assert_int_equal(oh_reader_format(r), OH_FMT_LP16LE);
  assert_non_null(strstr(oh_reader_describe(r), "after the 3-byte header, lp16le: 6 length"));
  oh_reader_close(r);
  n = 3 + make_stream(OH_FMT_BIT, buf + 3, 6);
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, n, &opt, &err), OH_ERR_UNKNOWN_FORMAT);
  assert_int_equal(err.offset, 3);
  assert_non_null(strstr(err.reason, "needs an lp format, but after the 3-byte header, bit:"));
  opt.header_skip = n + 1;
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, n, &opt, &err), OH_ERR_TRUNCATED);
  assert_int_equal(err.offset, 0);
}

/* One stray NUL must not hide a log: the log reader then names its line. */
static void test_log_with_stray_nul_detected(void **state) {
  char text[4096];
  size_t n = 0;
  int i;
  oh_reader *r;
  oh_record rec;
  oh_error err;
  for (i = 0; i < 100; i++) n += (size_t)sprintf(text + n, "7ca4ff%02x%02x\n", i, i);
  text[10 * 11 + 4] = '\0';
  expect_detect(text, n, OH_FMT_LOG, "log: text, 10 packet lines before a bad one");
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, (uint8_t *)text, n, NULL, &err), OH_OK);
  while (oh_reader_next(r, &rec, &err) == 1) {
  }
  assert_int_equal(err.code, OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 110);
  assert_string_equal(err.reason, "line 11: NUL byte at column 5");
  oh_reader_close(r);
}

/* ---- committed samples and official vectors ------------------------- */

static const struct {
  const char *ext;
  oh_format fmt;  /* OH_FMT_AUTO: not a stream (scripts, notes) */
} EXTENSIONS[] = {
    {".bit", OH_FMT_BIT},       {".lp16be", OH_FMT_LP16BE}, {".lp16le", OH_FMT_LP16LE},
    {".lp32be", OH_FMT_LP32BE}, {".lp32le", OH_FMT_LP32LE}, {".ogg", OH_FMT_OGG},
    {".opus", OH_FMT_OGG},      {".pcap", OH_FMT_PCAP},     {".pcapng", OH_FMT_PCAP},
    {".log", OH_FMT_LOG},       {".jsonl", OH_FMT_LOG},     {".txt", OH_FMT_LOG},
    {".sh", OH_FMT_AUTO},       {".md", OH_FMT_AUTO},
};

static int sample_format(const char *name, oh_format *fmt) {
  size_t i, n = strlen(name);
  for (i = 0; i < sizeof EXTENSIONS / sizeof EXTENSIONS[0]; i++) {
    size_t e = strlen(EXTENSIONS[i].ext);
    if (n > e && strcmp(name + n - e, EXTENSIONS[i].ext) == 0) {
      *fmt = EXTENSIONS[i].fmt;
      return 1;
    }
  }
  return 0;
}

/* Each sample must be detected as its extension says and read to a clean
 * end through auto detection. */
static void check_sample(const char *path, const char *name, oh_format want) {
  size_t len;
  uint8_t *buf = oh_test_read(path, &len);
  char why[256];
  oh_format got = oh_format_detect(buf, len, why, sizeof why);
  oh_reader *r;
  oh_record rec;
  oh_error err;
  int rc, n = 0;
  if (got != want)
    fail_msg("%s: detected %s, want %s (%s)", name, oh_format_name(got), oh_format_name(want), why);
  fprintf(stderr, "[samples] %s: %s\n", name, why);
  if (oh_reader_open(&r, OH_FMT_AUTO, buf, len, NULL, &err) != OH_OK)
    fail_msg("%s: %s", name, err.reason);
  while ((rc = oh_reader_next(r, &rec, &err)) == 1) n++;
  if (rc != 0 || n == 0) fail_msg("%s: %d records, then %s", name, n, err.reason);
  oh_reader_close(r);
  free(buf);
}

static void test_committed_samples_detected(void **state) {
  char dir[1024], path[2048];
  struct dirent *e;
  int streams = 0;
  DIR *d = opendir(oh_test_path("corpus/samples", dir, sizeof dir));
  if (!d) fail_msg("cannot open %s", dir);
  while ((e = readdir(d)) != NULL) {
    oh_format want;
    if (e->d_name[0] == '.') continue;
    if (!sample_format(e->d_name, &want))
      fail_msg("corpus/samples/%s: unknown extension; add it to EXTENSIONS in "
               "test_reader_detect.c", e->d_name);
    if (want == OH_FMT_AUTO) {
      fprintf(stderr, "[samples] %s: not a stream, not checked\n", e->d_name);
      continue;
    }
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    check_sample(path, e->d_name, want);
    streams++;
  }
  closedir(d);
  assert_true(streams >= 4); /* at least this engineer's own samples */
}

static void test_official_vectors_detected_as_bit(void **state) {
  const char *dir = getenv("OPUS_TESTVECTORS");
  char path[1024];
  int i, found = 0;
  for (i = 1; dir && i <= 12; i++) {
    FILE *f;
    snprintf(path, sizeof path, "%s/testvector%02d.bit", dir, i);
    if (!(f = fopen(path, "rb"))) continue;
    fclose(f);
    found++;
    check_sample(path, path, OH_FMT_BIT);
  }
  if (!found) skip(); /* reported by cmocka as SKIPPED, never silent */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_round_trip),
      cmocka_unit_test(test_options_defaults),
      cmocka_unit_test(test_open_bad_arguments_fail),
      cmocka_unit_test(test_detects_bit_and_lp_variants),
      cmocka_unit_test(test_lp32be_small_lengths_not_lp16be),
      cmocka_unit_test(test_truncated_stream_detected),
      cmocka_unit_test(test_detects_ogg),
      cmocka_unit_test(test_detects_pcap_magics),
      cmocka_unit_test(test_detects_logs),
      cmocka_unit_test(test_text_that_is_no_log_fails),
      cmocka_unit_test(test_garbage_and_empty_fail),
      cmocka_unit_test(test_open_auto_describes_detection),
      cmocka_unit_test(test_open_auto_unknown_fail),
      cmocka_unit_test(test_open_auto_with_header_skip),
      cmocka_unit_test(test_log_with_stray_nul_detected),
      cmocka_unit_test(test_committed_samples_detected),
      cmocka_unit_test(test_official_vectors_detected_as_bit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
