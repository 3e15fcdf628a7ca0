/* Tests for the WAV writer and parser: headers for s16, float and more than
 * two channels, data written little-endian, atomic output, and the parser's
 * rejections of broken files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opushunt/wav.h"
#include "test_util.h"

static const char *PATH = "/tmp/opushunt-test-wav.wav";

static uint8_t *write_and_read(int rate, int ch, oh_sample_format sf, const void *s,
                               size_t frames, size_t *len) {
  oh_wav *w;
  oh_error err;
  unlink(PATH);
  assert_int_equal(oh_wav_open(&w, PATH, rate, ch, sf, NULL, &err), OH_OK);
  assert_int_equal(oh_wav_write(w, s, frames, &err), OH_OK);
  assert_int_equal(oh_wav_close(w, &err), OH_OK);
  return oh_test_read(PATH, len);
}

static void test_s16_stereo(void **state) {
  int16_t s[6] = {1, -1, 256, -256, 32767, -32768};
  size_t len;
  oh_wav_info info;
  oh_error err;
  uint8_t *b = write_and_read(16000, 2, OH_SAMPLE_S16, s, 3, &len);
  assert_int_equal(oh_wav_parse(b, len, &info, &err), OH_OK);
  assert_int_equal(info.format_tag, 1);
  assert_int_equal(info.channels, 2);
  assert_int_equal(info.rate, 16000);
  assert_int_equal(info.bits, 16);
  assert_int_equal(info.frames, 3);
  assert_int_equal(len, 44 + 12);
  /* little-endian samples */
  assert_int_equal(b[info.data_offset + 2], 0xFF);
  assert_int_equal(b[info.data_offset + 3], 0xFF);
  assert_int_equal(b[info.data_offset + 4], 0x00);
  assert_int_equal(b[info.data_offset + 5], 0x01);
  free(b);
  unlink(PATH);
}

static void test_float_mono_has_fact_chunk(void **state) {
  float s[4] = {0.5f, -0.5f, 1.0f, 0.0f};
  size_t len;
  oh_wav_info info;
  oh_error err;
  uint8_t *b = write_and_read(48000, 1, OH_SAMPLE_FLOAT, s, 4, &len);
  assert_int_equal(oh_wav_parse(b, len, &info, &err), OH_OK);
  assert_int_equal(info.format_tag, 3);
  assert_int_equal(info.bits, 32);
  assert_int_equal(info.frames, 4);
  assert_non_null(memmem(b, len, "fact", 4));
  free(b);
  unlink(PATH);
}

static void test_six_channels_extensible(void **state) {
  int16_t s[12] = {0};
  size_t len;
  oh_wav_info info;
  oh_error err;
  uint8_t *b = write_and_read(48000, 6, OH_SAMPLE_S16, s, 2, &len);
  assert_int_equal(oh_wav_parse(b, len, &info, &err), OH_OK);
  assert_int_equal(info.format_tag, 0xFFFE);
  assert_int_equal(info.sub_format, 1);
  assert_int_equal(info.channels, 6);
  assert_int_equal(info.frames, 2);
  free(b);
  unlink(PATH);
}

static void test_abort_leaves_no_file(void **state) {
  oh_wav *w;
  oh_error err;
  struct stat sb;
  int16_t s[2] = {0};
  unlink(PATH);
  assert_int_equal(oh_wav_open(&w, PATH, 8000, 1, OH_SAMPLE_S16, NULL, &err), OH_OK);
  oh_wav_write(w, s, 2, &err);
  oh_wav_abort(w);
  assert_int_not_equal(stat(PATH, &sb), 0);
}

static void test_refuses_to_overwrite_input_fail(void **state) {
  char *in = oh_test_tmpfile("keep", 4);
  oh_wav *w = NULL;
  oh_error err;
  size_t len;
  uint8_t *b;
  assert_int_equal(oh_wav_open(&w, in, 8000, 1, OH_SAMPLE_S16, in, &err), OH_ERR_ARG);
  assert_null(w);
  b = oh_test_read(in, &len);
  assert_int_equal(len, 4);
  free(b);
  unlink(in);
  free(in);
}

static void test_parse_rejects_broken_files_fail(void **state) {
  int16_t s[2] = {0};
  size_t len;
  oh_wav_info info;
  oh_error err;
  uint8_t *b = write_and_read(8000, 1, OH_SAMPLE_S16, s, 2, &len);
  assert_int_equal(oh_wav_parse(b, 11, &info, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 0);
  assert_int_equal(oh_wav_parse(b, len - 1, &info, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 4); /* RIFF size no longer matches */
  b[40] = 0xFF; /* data chunk size beyond the file */
  assert_int_equal(oh_wav_parse(b, len, &info, &err), OH_ERR_TRUNCATED);
  assert_int_equal(err.offset, 36);
  free(b);
  unlink(PATH);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_s16_stereo),
      cmocka_unit_test(test_float_mono_has_fact_chunk),
      cmocka_unit_test(test_six_channels_extensible),
      cmocka_unit_test(test_abort_leaves_no_file),
      cmocka_unit_test(test_refuses_to_overwrite_input_fail),
      cmocka_unit_test(test_parse_rejects_broken_files_fail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
