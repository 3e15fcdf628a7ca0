/* Tests for the decode session: configuration errors, buffer sizing for the
 * largest legal frame, concealment frame sizes, FEC recovery, final range
 * agreement with the encoder, the int16 and float APIs agreeing, and the
 * multistream path. Packets come from the real libopus encoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>
#include <opus_multistream.h>

#include "opushunt/session.h"
#include "test_util.h"

/* Encodes one packet of `samples` 48 kHz samples of a two-tone signal. */
static int encode(OpusEncoder *enc, int channels, int samples, int phase, uint8_t *out,
                  int cap) {
  float pcm[5760 * 2];
  int i, c;
  for (i = 0; i < samples; i++)
    for (c = 0; c < channels; c++)
      pcm[i * channels + c] = 0.3f * sinf((float)(phase + i) * (0.05f + 0.02f * (float)c)) +
                              0.1f * sinf((float)(phase + i) * 0.31f);
  return opus_encode_float(enc, pcm, samples, out, cap);
}

static OpusEncoder *encoder(int channels, int app) {
  int e;
  OpusEncoder *enc = opus_encoder_create(48000, channels, app, &e);
  assert_non_null(enc);
  assert_int_equal(e, OPUS_OK);
  return enc;
}

static oh_session *session(int rate, int channels, oh_sample_format sf, int fec) {
  oh_session *s = NULL;
  oh_session_config cfg;
  oh_error err;
  oh_session_config_init(&cfg);
  cfg.rate = rate;
  cfg.channels = channels;
  cfg.sample = sf;
  cfg.fec = fec;
  assert_int_equal(oh_session_create(&s, &cfg, &err), OH_OK);
  return s;
}

static void test_bad_rate_fail(void **state) {
  oh_session *s = (oh_session *)1;
  oh_session_config cfg;
  oh_error err;
  oh_session_config_init(&cfg);
  cfg.rate = 44100;
  assert_int_equal(oh_session_create(&s, &cfg, &err), OH_ERR_ARG);
  assert_null(s);
  assert_non_null(strstr(err.reason, "44100"));
}

static void test_three_channels_single_stream_fail(void **state) {
  oh_session *s;
  oh_session_config cfg;
  oh_error err;
  oh_session_config_init(&cfg);
  cfg.channels = 3;
  assert_int_equal(oh_session_create(&s, &cfg, &err), OH_ERR_ARG);
}

static void test_max_frame_is_120ms(void **state) {
  oh_session *s = session(16000, 2, OH_SAMPLE_S16, 0);
  assert_int_equal(oh_session_max_frame(s), 1920);
  oh_session_destroy(s);
}

static void test_decodes_20ms_at_every_rate(void **state) {
  static const int rates[] = {8000, 12000, 16000, 24000, 48000};
  OpusEncoder *enc = encoder(2, OPUS_APPLICATION_AUDIO);
  uint8_t pkt[1500];
  int n = encode(enc, 2, 960, 0, pkt, sizeof pkt), i;
  assert_true(n > 0);
  for (i = 0; i < 5; i++) {
    oh_session *s = session(rates[i], 2, OH_SAMPLE_FLOAT, 0);
    oh_decode_result r;
    assert_int_equal(oh_session_decode(s, pkt, (size_t)n, &r), rates[i] / 50);
    assert_int_equal(r.kind, OH_CALL_PACKET);
    assert_int_equal(r.frame_size, rates[i] / 1000 * 120);
    oh_session_destroy(s);
  }
  opus_encoder_destroy(enc);
}

static void test_120ms_packet_fits(void **state) {
  OpusEncoder *enc = encoder(2, OPUS_APPLICATION_AUDIO);
  uint8_t pkt[4000];
  oh_decode_result r;
  oh_session *s = session(48000, 2, OH_SAMPLE_S16, 0);
  int n;
  opus_encoder_ctl(enc, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_120_MS));
  n = encode(enc, 2, 5760, 0, pkt, sizeof pkt);
  assert_true(n > 0);
  assert_int_equal(oh_session_decode(s, pkt, (size_t)n, &r), 5760);
  oh_session_destroy(s);
  opus_encoder_destroy(enc);
}

static void test_final_range_matches_encoder(void **state) {
  OpusEncoder *enc = encoder(1, OPUS_APPLICATION_VOIP);
  oh_session *s = session(48000, 1, OH_SAMPLE_FLOAT, 0);
  uint8_t pkt[1500];
  int i;
  for (i = 0; i < 20; i++) {
    opus_uint32 want;
    oh_decode_result r;
    int n = encode(enc, 1, 960, i * 960, pkt, sizeof pkt);
    opus_encoder_ctl(enc, OPUS_GET_FINAL_RANGE(&want));
    oh_session_decode(s, pkt, (size_t)n, &r);
    assert_int_equal(r.final_range, want);
  }
  oh_session_destroy(s);
  opus_encoder_destroy(enc);
}

static void test_conceal_uses_last_duration(void **state) {
  OpusEncoder *enc = encoder(2, OPUS_APPLICATION_AUDIO);
  oh_session *s = session(24000, 2, OH_SAMPLE_FLOAT, 0);
  uint8_t pkt[1500];
  oh_decode_result r;
  int n;
  /* Before any packet: 20 ms. */
  assert_int_equal(oh_session_conceal(s, 0, NULL, 0, &r), 480);
  assert_int_equal(r.kind, OH_CALL_PLC);
  opus_encoder_ctl(enc, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_40_MS));
  n = encode(enc, 2, 1920, 0, pkt, sizeof pkt);
  assert_int_equal(oh_session_decode(s, pkt, (size_t)n, &r), 960);
  assert_int_equal(oh_session_conceal(s, 0, NULL, 0, &r), 960);
  assert_int_equal(r.frame_size, 960);
  /* An explicit gap wins; one larger than 120 ms is clamped. */
  assert_int_equal(oh_session_conceal(s, 240, NULL, 0, &r), 240);
  assert_int_equal(oh_session_conceal(s, 100000, NULL, 0, &r), 2880);
  oh_session_destroy(s);
  opus_encoder_destroy(enc);
}

static void test_fec_recovers_from_next_packet(void **state) {
  OpusEncoder *enc = encoder(1, OPUS_APPLICATION_VOIP);
  oh_session *s = session(16000, 1, OH_SAMPLE_S16, 1);
  uint8_t a[1500], b[1500];
  oh_decode_result r;
  int na, nb;
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(30));
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(24000));
  na = encode(enc, 1, 960, 0, a, sizeof a);
  nb = encode(enc, 1, 960, 960, b, sizeof b);
  nb = encode(enc, 1, 960, 1920, b, sizeof b);
  assert_true(na > 0 && nb > 0);
  assert_int_equal(oh_session_decode(s, a, (size_t)na, &r), 320);
  assert_int_equal(oh_session_conceal(s, 0, b, (size_t)nb, &r), 320);
  assert_int_equal(r.kind, OH_CALL_FEC);
  /* Without FEC enabled the same call conceals. */
  oh_session_destroy(s);
  s = session(16000, 1, OH_SAMPLE_S16, 0);
  oh_session_decode(s, a, (size_t)na, &r);
  oh_session_conceal(s, 0, b, (size_t)nb, &r);
  assert_int_equal(r.kind, OH_CALL_PLC);
  oh_session_destroy(s);
  opus_encoder_destroy(enc);
}

static void test_s16_and_float_agree(void **state) {
  OpusEncoder *enc = encoder(2, OPUS_APPLICATION_AUDIO);
  oh_session *sf = session(48000, 2, OH_SAMPLE_FLOAT, 0);
  oh_session *si = session(48000, 2, OH_SAMPLE_S16, 0);
  uint8_t pkt[1500];
  int i, k;
  for (i = 0; i < 10; i++) {
    oh_decode_result rf, ri;
    int n = encode(enc, 2, 960, i * 960, pkt, sizeof pkt);
    const float *f;
    const int16_t *q;
    oh_session_decode(sf, pkt, (size_t)n, &rf);
    oh_session_decode(si, pkt, (size_t)n, &ri);
    assert_int_equal(rf.ret, ri.ret);
    f = oh_session_pcm(sf);
    q = oh_session_pcm(si);
    for (k = 0; k < rf.ret * 2; k++) {
      float want = f[k] * 32768.f;
      if (want > 32767.f) want = 32767.f;
      if (want < -32768.f) want = -32768.f;
      assert_true(fabsf(want - (float)q[k]) <= 1.5f);
    }
  }
  oh_session_destroy(sf);
  oh_session_destroy(si);
  opus_encoder_destroy(enc);
}

static void test_invalid_packet_returns_error(void **state) {
  oh_session *s = session(48000, 2, OH_SAMPLE_FLOAT, 0);
  static const uint8_t bad[] = {0x01, 0x00}; /* code 1 with an odd payload (R3) */
  oh_decode_result r;
  assert_int_equal(oh_session_decode(s, bad, sizeof bad, &r), OPUS_INVALID_PACKET);
  oh_session_destroy(s);
}

static void test_multistream_from_stream_info(void **state) {
  int e, n;
  unsigned char map[3] = {0, 1, 2};
  int streams = 0, coupled = 0;
  OpusMSEncoder *enc =
      opus_multistream_surround_encoder_create(48000, 3, 1, &streams, &coupled, map,
                                               OPUS_APPLICATION_AUDIO, &e);
  float pcm[960 * 3];
  uint8_t pkt[4000];
  oh_stream_info info;
  oh_session_config cfg;
  oh_session *s = NULL;
  oh_decode_result r;
  oh_error err;
  assert_non_null(enc);
  memset(pcm, 0, sizeof pcm);
  n = opus_multistream_encode_float(enc, pcm, 960, pkt, sizeof pkt);
  assert_true(n > 0);
  memset(&info, 0, sizeof info);
  info.known = 1;
  info.channels = 3;
  info.mapping_family = 1;
  info.stream_count = streams;
  info.coupled_count = coupled;
  memcpy(info.mapping, map, 3);
  oh_session_config_init(&cfg);
  oh_session_config_from_stream(&cfg, &info);
  assert_int_equal(cfg.channels, 3);
  assert_int_equal(oh_session_create(&s, &cfg, &err), OH_OK);
  assert_int_equal(oh_session_decode(s, pkt, (size_t)n, &r), 960);
  assert_int_equal(oh_session_conceal(s, 0, NULL, 0, &r), 960);
  oh_session_destroy(s);
  opus_multistream_encoder_destroy(enc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_rate_fail),
      cmocka_unit_test(test_three_channels_single_stream_fail),
      cmocka_unit_test(test_max_frame_is_120ms),
      cmocka_unit_test(test_decodes_20ms_at_every_rate),
      cmocka_unit_test(test_120ms_packet_fits),
      cmocka_unit_test(test_final_range_matches_encoder),
      cmocka_unit_test(test_conceal_uses_last_duration),
      cmocka_unit_test(test_fec_recovers_from_next_packet),
      cmocka_unit_test(test_s16_and_float_agree),
      cmocka_unit_test(test_invalid_packet_returns_error),
      cmocka_unit_test(test_multistream_from_stream_info),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
