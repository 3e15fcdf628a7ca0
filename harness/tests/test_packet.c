/* Unit tests of the packet model: the TOC table, each validity rule R1-R7
 * with a minimal violating packet (rule and offset) and a valid twin, frame
 * length and padding encodings at their edges, self-delimited framing, and
 * writer round trips and rejections. Inputs are parsed from a copy that ends
 * at a PROT_NONE guard page, so any over-read faults at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "opushunt/packet.h"
#include "test_util.h"

/* ---- Guarded parsing ----------------------------------------------------- */


static const uint8_t *guarded(const uint8_t *data, size_t len) {
  return oh_test_guarded(data, len);
}

static int parse(const uint8_t *data, size_t len, int sd, oh_packet *pkt,
                 oh_rule *rule, oh_error *err) {
  return oh_packet_parse(guarded(data, len), len, sd, pkt, rule, err);
}

/* Parses and requires exactly this rule at this offset. */
static void expect_rule(const uint8_t *data, size_t len, int sd, oh_rule want,
                        uint64_t want_offset) {
  oh_packet pkt;
  oh_rule rule;
  oh_error err;
  int rc = parse(data, len, sd, &pkt, &rule, &err);
  if (rc != OH_ERR_MALFORMED || rule != want || err.offset != want_offset)
    fail_msg("packet %s (len %zu, sd %d): got rc %d %s at %llu (%s), want %s "
             "at %llu", oh_test_hex(data, len), len, sd, rc,
             oh_rule_name(rule), (unsigned long long)err.offset, err.reason,
             oh_rule_name(want), (unsigned long long)want_offset);
  assert_memory_equal(err.reason, oh_rule_name(want), 2);
}

/* Parses and requires success with these frame lengths. */
static void expect_frames(const uint8_t *data, size_t len, int sd,
                          oh_packet *pkt, int count, const size_t *lens) {
  oh_rule rule;
  oh_error err;
  int i, rc = parse(data, len, sd, pkt, &rule, &err);
  if (rc != OH_OK)
    fail_msg("packet %s (len %zu, sd %d) rejected: %s at %llu: %s",
             oh_test_hex(data, len), len, sd, oh_rule_name(rule),
             (unsigned long long)err.offset, err.reason);
  assert_int_equal(rule, OH_RULE_NONE);
  assert_int_equal(pkt->frame_count, count);
  for (i = 0; i < count; i++) assert_int_equal(pkt->frame_len[i], lens[i]);
}

/* A buffer of n bytes: head, then filler bytes 0xA5. */
static uint8_t *make(const uint8_t *head, size_t head_len, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  assert_non_null(b);
  memset(b, 0xA5, n);
  memcpy(b, head, head_len < n ? head_len : n);
  return b;
}

/* ---- TOC ----------------------------------------------------------------- */

static void test_toc_table_all_configs(void **state) {
  static const struct {
    oh_mode mode;
    oh_bandwidth bw;
    int ms10; /* frame duration in tenths of ms */
  } t[32] = {
      {OH_MODE_SILK, OH_BW_NB, 100},    {OH_MODE_SILK, OH_BW_NB, 200},
      {OH_MODE_SILK, OH_BW_NB, 400},    {OH_MODE_SILK, OH_BW_NB, 600},
      {OH_MODE_SILK, OH_BW_MB, 100},    {OH_MODE_SILK, OH_BW_MB, 200},
      {OH_MODE_SILK, OH_BW_MB, 400},    {OH_MODE_SILK, OH_BW_MB, 600},
      {OH_MODE_SILK, OH_BW_WB, 100},    {OH_MODE_SILK, OH_BW_WB, 200},
      {OH_MODE_SILK, OH_BW_WB, 400},    {OH_MODE_SILK, OH_BW_WB, 600},
      {OH_MODE_HYBRID, OH_BW_SWB, 100}, {OH_MODE_HYBRID, OH_BW_SWB, 200},
      {OH_MODE_HYBRID, OH_BW_FB, 100},  {OH_MODE_HYBRID, OH_BW_FB, 200},
      {OH_MODE_CELT, OH_BW_NB, 25},     {OH_MODE_CELT, OH_BW_NB, 50},
      {OH_MODE_CELT, OH_BW_NB, 100},    {OH_MODE_CELT, OH_BW_NB, 200},
      {OH_MODE_CELT, OH_BW_WB, 25},     {OH_MODE_CELT, OH_BW_WB, 50},
      {OH_MODE_CELT, OH_BW_WB, 100},    {OH_MODE_CELT, OH_BW_WB, 200},
      {OH_MODE_CELT, OH_BW_SWB, 25},    {OH_MODE_CELT, OH_BW_SWB, 50},
      {OH_MODE_CELT, OH_BW_SWB, 100},   {OH_MODE_CELT, OH_BW_SWB, 200},
      {OH_MODE_CELT, OH_BW_FB, 25},     {OH_MODE_CELT, OH_BW_FB, 50},
      {OH_MODE_CELT, OH_BW_FB, 100},    {OH_MODE_CELT, OH_BW_FB, 200},
  };
  int c, s, code;
  for (c = 0; c < 32; c++)
    for (s = 0; s < 2; s++)
      for (code = 0; code < 4; code++) {
        oh_toc toc;
        uint8_t b = oh_toc_encode(c, s, code);
        assert_int_equal(b, (c << 3) | (s << 2) | code);
        oh_toc_decode(b, &toc);
        assert_int_equal(toc.byte, b);
        assert_int_equal(toc.config, c);
        assert_int_equal(toc.stereo, s);
        assert_int_equal(toc.code, code);
        assert_int_equal(toc.mode, t[c].mode);
        assert_int_equal(toc.bandwidth, t[c].bw);
        assert_int_equal(toc.frame_samples48 * 10, t[c].ms10 * 48);
      }
}

static void test_names(void **state) {
  int r;
  assert_string_equal(oh_mode_name(OH_MODE_SILK), "SILK");
  assert_string_equal(oh_mode_name(OH_MODE_HYBRID), "Hybrid");
  assert_string_equal(oh_mode_name(OH_MODE_CELT), "CELT");
  assert_string_equal(oh_bandwidth_name(OH_BW_NB), "NB");
  assert_string_equal(oh_bandwidth_name(OH_BW_MB), "MB");
  assert_string_equal(oh_bandwidth_name(OH_BW_WB), "WB");
  assert_string_equal(oh_bandwidth_name(OH_BW_SWB), "SWB");
  assert_string_equal(oh_bandwidth_name(OH_BW_FB), "FB");
  assert_string_equal(oh_rule_name(OH_RULE_NONE), "none");
  for (r = OH_RULE_R1; r <= OH_RULE_R7; r++) {
    char want[3] = {'R', (char)('0' + r), 0};
    const char *text = oh_rule_text((oh_rule)r);
    assert_string_equal(oh_rule_name((oh_rule)r), want);
    assert_true(strlen(text) > 20);
    assert_int_equal(text[strlen(text) - 1], '.');
    if (r > OH_RULE_R1) assert_string_not_equal(text, oh_rule_text(r - 1));
  }
}

/* ---- R1 ------------------------------------------------------------------ */

static void test_r1_empty(void **state) {
  expect_rule(NULL, 0, 0, OH_RULE_R1, 0);
  expect_rule(NULL, 0, 1, OH_RULE_R1, 0);
}

static void test_r1_empty_valid(void **state) {
  static const uint8_t p[] = {0x00}; /* one zero-length frame (DTX) */
  oh_packet pkt;
  size_t want = 0;
  expect_frames(p, 1, 0, &pkt, 1, &want);
  assert_int_equal(pkt.header_len, 1);
  assert_int_equal(pkt.packet_len, 1);
  assert_int_equal(pkt.duration48, 480);
}

/* ---- R2 ------------------------------------------------------------------ */

static void test_r2_code0_1276(void **state) {
  static const uint8_t h[] = {0x00};
  uint8_t *p = make(h, 1, 1 + 1276);
  expect_rule(p, 1 + 1276, 0, OH_RULE_R2, 1);
  free(p);
}

static void test_r2_code0_1276_valid(void **state) {
  static const uint8_t h[] = {0x00};
  uint8_t *p = make(h, 1, 1 + 1275);
  oh_packet pkt;
  size_t want = 1275;
  expect_frames(p, 1 + 1275, 0, &pkt, 1, &want);
  free(p);
}

/* The other implicit lengths: code 1 halves, code 2's and VBR code 3's last
 * frame, and CBR code 3's shared length. */
static void test_r2_other_codes(void **state) {
  static const uint8_t c1[] = {0x01}, c2[] = {0x02, 0x00},
                       cbr[] = {0x03, 0x02}, vbr[] = {0x03, 0x82, 0x01};
  uint8_t *p = make(c1, 1, 1 + 2 * 1276);
  expect_rule(p, 1 + 2 * 1276, 0, OH_RULE_R2, 1);
  free(p);
  p = make(c2, 2, 2 + 1276);
  expect_rule(p, 2 + 1276, 0, OH_RULE_R2, 2);
  free(p);
  p = make(cbr, 2, 2 + 2 * 1276);
  expect_rule(p, 2 + 2 * 1276, 0, OH_RULE_R2, 2);
  free(p);
  p = make(vbr, 3, 3 + 1 + 1276);
  expect_rule(p, 3 + 1 + 1276, 0, OH_RULE_R2, 4);
  free(p);
}

static void test_r2_other_codes_valid(void **state) {
  static const uint8_t c1[] = {0x01}, c2[] = {0x02, 0x00},
                       cbr[] = {0x03, 0x02}, vbr[] = {0x03, 0x82, 0x01};
  static const size_t two[] = {1275, 1275}, zl[] = {0, 1275}, ol[] = {1, 1275};
  oh_packet pkt;
  uint8_t *p = make(c1, 1, 1 + 2 * 1275);
  expect_frames(p, 1 + 2 * 1275, 0, &pkt, 2, two);
  free(p);
  p = make(c2, 2, 2 + 1275);
  expect_frames(p, 2 + 1275, 0, &pkt, 2, zl);
  free(p);
  p = make(cbr, 2, 2 + 2 * 1275);
  expect_frames(p, 2 + 2 * 1275, 0, &pkt, 2, two);
  free(p);
  p = make(vbr, 3, 3 + 1 + 1275);
  expect_frames(p, 3 + 1 + 1275, 0, &pkt, 2, ol);
  assert_int_equal(pkt.frame_offset[1], 4);
  free(p);
}

/* ---- R3 ------------------------------------------------------------------ */

static void test_r3_even_length(void **state) {
  static const uint8_t p[] = {0x01, 0xAA};
  expect_rule(p, sizeof p, 0, OH_RULE_R3, 1);
}

static void test_r3_even_length_valid(void **state) {
  static const uint8_t p[] = {0x01, 0xAA, 0xBB};
  static const size_t want[] = {1, 1};
  oh_packet pkt;
  expect_frames(p, sizeof p, 0, &pkt, 2, want);
  assert_int_equal(pkt.frame_offset[1], 2);
  assert_int_equal(pkt.vbr, 0);
  expect_frames(p, 1, 0, &pkt, 2, (const size_t[]){0, 0});
}

/* ---- R4 ------------------------------------------------------------------ */

static void test_r4_bad_first_length(void **state) {
  static const uint8_t none[] = {0x02}, half[] = {0x02, 0xFC},
                       big[] = {0x02, 0x05, 1, 2, 3, 4},
                       big2[] = {0x02, 0xFC, 0x00, 1, 2, 3};
  expect_rule(none, sizeof none, 0, OH_RULE_R4, 1);
  expect_rule(half, sizeof half, 0, OH_RULE_R4, 2);
  expect_rule(big, sizeof big, 0, OH_RULE_R4, 1);
  expect_rule(big2, sizeof big2, 0, OH_RULE_R4, 1);
}

static void test_r4_bad_first_length_valid(void **state) {
  static const uint8_t p[] = {0x02, 0x04, 1, 2, 3, 4};
  static const size_t want[] = {4, 0};
  oh_packet pkt;
  expect_frames(p, sizeof p, 0, &pkt, 2, want);
  assert_int_equal(pkt.header_len, 2);
  assert_int_equal(pkt.frame_offset[1], 6);
  assert_int_equal(pkt.vbr, 1);
}

/* ---- R5 ------------------------------------------------------------------ */

static void test_r5_bad_frame_count(void **state) {
  static const uint8_t no_count[] = {0x03}, zero[] = {0x03, 0x00},
                       /* 49 CELT 2.5 ms frames: 122.5 ms */
                       celt49[] = {(16 << 3) | 3, 49},
                       /* 3 SILK 60 ms frames: 180 ms */
                       silk3[] = {(3 << 3) | 3, 0x03},
                       /* count 63, VBR and padded: still R5 first */
                       max[] = {0x03, 0xFF};
  expect_rule(no_count, 1, 0, OH_RULE_R5, 1);
  expect_rule(zero, 2, 0, OH_RULE_R5, 1);
  expect_rule(celt49, 2, 0, OH_RULE_R5, 1);
  expect_rule(silk3, 2, 0, OH_RULE_R5, 1);
  expect_rule(max, 2, 0, OH_RULE_R5, 1);
  expect_rule(no_count, 1, 1, OH_RULE_R5, 1);
}

static void test_r5_bad_frame_count_valid(void **state) {
  static const uint8_t celt48[] = {(16 << 3) | 3, 48},
                       silk2[] = {(3 << 3) | 3, 0x02};
  size_t zeros[48] = {0};
  oh_packet pkt;
  expect_frames(celt48, 2, 0, &pkt, 48, zeros);
  assert_int_equal(pkt.duration48, OH_MAX_PACKET_SAMPLES48);
  expect_frames(silk2, 2, 0, &pkt, 2, zeros);
  assert_int_equal(pkt.duration48, 5760);
}

/* ---- R6 ------------------------------------------------------------------ */

static void test_r6_cbr_does_not_fit(void **state) {
  static const uint8_t uneven[] = {0x03, 0x02, 1, 2, 3},
                       pad_big[] = {0x03, 0x41, 0x05, 1, 2},
                       pad_cut[] = {0x03, 0x41},
                       chain_cut[] = {0x03, 0x41, 0xFF};
  expect_rule(uneven, sizeof uneven, 0, OH_RULE_R6, 2);
  expect_rule(pad_big, sizeof pad_big, 0, OH_RULE_R6, 2);
  expect_rule(pad_cut, sizeof pad_cut, 0, OH_RULE_R6, 2);
  expect_rule(chain_cut, sizeof chain_cut, 0, OH_RULE_R6, 3);
}

static void test_r6_cbr_does_not_fit_valid(void **state) {
  static const uint8_t even[] = {0x03, 0x02, 1, 2, 3, 4},
                       pad[] = {0x03, 0x41, 0x02, 1, 2, 0, 0};
  static const size_t two[] = {2, 2}, one[] = {2};
  oh_packet pkt;
  expect_frames(even, sizeof even, 0, &pkt, 2, two);
  expect_frames(pad, sizeof pad, 0, &pkt, 1, one);
  assert_int_equal(pkt.padding_len, 2);
  assert_int_equal(pkt.padding_len_bytes, 1);
  assert_int_equal(pkt.header_len, 3);
}

/* ---- R7 ------------------------------------------------------------------ */

static void test_r7_vbr_does_not_fit(void **state) {
  static const uint8_t big[] = {0x03, 0x82, 0x05, 1, 2, 3},
                       no_len[] = {0x03, 0x82},
                       half_len[] = {0x03, 0x82, 0xFD},
                       /* second length fits alone, not after the first */
                       sum[] = {0x03, 0x83, 0x02, 0x02, 1, 2, 3},
                       pad[] = {0x03, 0xC1, 0x03, 1, 2},
                       /* the length byte lies inside the padding */
                       len_in_pad[] = {0x03, 0xC2, 0x01, 0x00};
  expect_rule(big, sizeof big, 0, OH_RULE_R7, 2);
  expect_rule(no_len, sizeof no_len, 0, OH_RULE_R7, 2);
  expect_rule(half_len, sizeof half_len, 0, OH_RULE_R7, 3);
  expect_rule(sum, sizeof sum, 0, OH_RULE_R7, 3);
  expect_rule(pad, sizeof pad, 0, OH_RULE_R7, 2);
  expect_rule(len_in_pad, sizeof len_in_pad, 0, OH_RULE_R7, 3);
}

static void test_r7_vbr_does_not_fit_valid(void **state) {
  static const uint8_t p[] = {0x03, 0x83, 0x02, 0x01, 1, 2, 3, 4, 5, 6},
                       pad[] = {0x03, 0xC2, 0x01, 0x00, 0x00};
  static const size_t want[] = {2, 1, 3}, zl[] = {0, 0};
  oh_packet pkt;
  expect_frames(p, sizeof p, 0, &pkt, 3, want);
  assert_int_equal(pkt.header_len, 4);
  assert_int_equal(pkt.frame_offset[2], 7);
  expect_frames(pad, sizeof pad, 0, &pkt, 2, zl);
  assert_int_equal(pkt.padding_len, 1);
}

/* ---- Frame length edges -------------------------------------------------- */

static void test_frame_length_edges(void **state) {
  static const struct {
    size_t len, n;
    uint8_t b0, b1;
  } t[] = {{0, 1, 0, 0},       {1, 1, 1, 0},       {251, 1, 251, 0},
           {252, 2, 252, 0},   {253, 2, 253, 0},   {255, 2, 255, 0},
           {256, 2, 252, 1},   {1275, 2, 255, 255}};
  size_t i;
  uint8_t out[2];
  for (i = 0; i < sizeof t / sizeof t[0]; i++) {
    memset(out, 0, sizeof out);
    assert_int_equal(oh_frame_length_encode(t[i].len, out, 2), t[i].n);
    assert_int_equal(out[0], t[i].b0);
    if (t[i].n == 2) assert_int_equal(out[1], t[i].b1);
  }
  assert_int_equal(oh_frame_length_encode(1276, out, 2), 0);
  assert_int_equal(oh_frame_length_encode(252, out, 1), 0);
  assert_int_equal(oh_frame_length_encode(251, out, 0), 0);
}

/* Each edge as code 2's first length, with a one-byte last frame. */
static void test_frame_length_edges_parse(void **state) {
  static const size_t lens[] = {0, 1, 251, 252, 253, 1275};
  size_t i;
  for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    uint8_t h[3] = {0x02};
    size_t n = 1 + oh_frame_length_encode(lens[i], h + 1, 2);
    uint8_t *p = make(h, n, n + lens[i] + 1);
    size_t want[2] = {lens[i], 1};
    oh_packet pkt;
    expect_frames(p, n + lens[i] + 1, 0, &pkt, 2, want);
    assert_int_equal(pkt.header_len, n);
    if (lens[i] > 0) /* one byte short of the first frame */
      expect_rule(p, n + lens[i] - 1, 0, OH_RULE_R4, 1);
    free(p);
  }
}

/* ---- Padding ------------------------------------------------------------- */

static void check_padding(size_t pad, const uint8_t *chain, size_t chain_len) {
  uint8_t h[16] = {0x03, 0x41};
  size_t n = 2 + chain_len, total = n + 1 + pad;
  uint8_t *p;
  oh_packet pkt;
  size_t one = 1;
  memcpy(h + 2, chain, chain_len);
  p = make(h, n, total);
  expect_frames(p, total, 0, &pkt, 1, &one);
  assert_int_equal(pkt.padded, 1);
  assert_int_equal(pkt.padding_len, pad);
  assert_int_equal(pkt.padding_len_bytes, chain_len);
  assert_int_equal(pkt.header_len, n);
  assert_int_equal(pkt.packet_len, total);
  free(p);
}

static void test_padding_chains(void **state) {
  check_padding(0, (const uint8_t[]){0}, 1);
  check_padding(1, (const uint8_t[]){1}, 1);
  check_padding(254, (const uint8_t[]){254}, 1);
  check_padding(254, (const uint8_t[]){255, 0}, 2); /* not minimal, legal */
  check_padding(255, (const uint8_t[]){255, 1}, 2);
  check_padding(508, (const uint8_t[]){255, 254}, 2);
  check_padding(509, (const uint8_t[]){255, 255, 1}, 3);
  check_padding(1270, (const uint8_t[]){255, 255, 255, 255, 255, 0}, 6);
}

/* libopus wants each further padding length byte to lie before the padding
 * claimed so far: with 254 claimed, the 0 that ends the chain must not be
 * one of the last 254 bytes. */
static void test_padding_chain_claims_its_own_bytes(void **state) {
  static const uint8_t h[] = {0x03, 0x41, 0xFF, 0x00};
  uint8_t *p = make(h, sizeof h, 4 + 254);
  oh_packet pkt;
  size_t zero = 0;
  expect_frames(p, 4 + 254, 0, &pkt, 1, &zero);
  expect_rule(p, 4 + 253, 0, OH_RULE_R6, 3);
  free(p);
}

/* ---- Self-delimited ------------------------------------------------------ */

static void test_sd_each_code(void **state) {
  static const uint8_t c0[] = {0x00, 0x03, 1, 2, 3, 9, 9},
                       c1[] = {0x01, 0x02, 1, 2, 3, 4, 9},
                       c2[] = {0x02, 0x01, 0x02, 1, 2, 3, 9, 9},
                       cbr[] = {0x03, 0x03, 0x02, 1, 2, 3, 4, 5, 6, 9},
                       vbr[] = {0x03, 0xC2, 0x01, 0x02, 0x01, 1, 2, 3, 0, 9};
  oh_packet pkt;
  expect_frames(c0, sizeof c0, 1, &pkt, 1, (const size_t[]){3});
  assert_int_equal(pkt.packet_len, 5);
  assert_int_equal(pkt.header_len, 2);
  expect_frames(c1, sizeof c1, 1, &pkt, 2, (const size_t[]){2, 2});
  assert_int_equal(pkt.packet_len, 6);
  expect_frames(c2, sizeof c2, 1, &pkt, 2, (const size_t[]){1, 2});
  assert_int_equal(pkt.packet_len, 6);
  expect_frames(cbr, sizeof cbr, 1, &pkt, 3, (const size_t[]){2, 2, 2});
  assert_int_equal(pkt.packet_len, 9);
  expect_frames(vbr, sizeof vbr, 1, &pkt, 2, (const size_t[]){2, 1});
  assert_int_equal(pkt.header_len, 5);
  assert_int_equal(pkt.padding_len, 1);
  assert_int_equal(pkt.packet_len, 9);
}

static void test_sd_violations(void **state) {
  static const uint8_t c0[] = {0x00}, c0big[] = {0x00, 0x05, 1, 2},
                       c1[] = {0x01, 0x02, 1, 2, 3},
                       c2[] = {0x02, 0x01, 0x02, 1, 2},
                       cbr[] = {0x03, 0x03, 0x02, 1, 2, 3, 4, 5},
                       vbr[] = {0x03, 0x82, 0x01, 0xFC},
                       c0_2275[] = {0x00, 0xFF, 0xFF};
  expect_rule(c0, sizeof c0, 1, OH_RULE_R4, 1);
  expect_rule(c0big, sizeof c0big, 1, OH_RULE_R4, 1);
  expect_rule(c1, sizeof c1, 1, OH_RULE_R3, 1);
  expect_rule(c2, sizeof c2, 1, OH_RULE_R4, 2);
  expect_rule(cbr, sizeof cbr, 1, OH_RULE_R6, 2);
  expect_rule(vbr, sizeof vbr, 1, OH_RULE_R7, 4);
  expect_rule(c0_2275, sizeof c0_2275, 1, OH_RULE_R4, 1);
}

/* A self-delimited 1275-byte frame followed by more data: the explicit
 * length bounds it, so neither R2 nor the trailing bytes matter. */
static void test_sd_trailing_bytes(void **state) {
  static const uint8_t h[] = {0x00, 0xFF, 0xFF};
  uint8_t *p = make(h, 3, 3 + 1275 + 500);
  oh_packet pkt;
  size_t want = 1275;
  expect_frames(p, 3 + 1275 + 500, 1, &pkt, 1, &want);
  assert_int_equal(pkt.packet_len, 3 + 1275);
  free(p);
}

/* ---- Writer -------------------------------------------------------------- */

static uint8_t g_frame_bytes[OH_MAX_FRAMES][OH_MAX_FRAME_BYTES];

static void fill_frames(oh_test_rng *rng) {
  size_t i, j;
  for (i = 0; i < OH_MAX_FRAMES; i++)
    for (j = 0; j < OH_MAX_FRAME_BYTES; j++)
      g_frame_bytes[i][j] = (uint8_t)oh_test_rng_next(rng);
}

static size_t random_frame_len(oh_test_rng *rng) {
  static const size_t edges[] = {0, 1, 251, 252, 253, 1275};
  switch (oh_test_rng_below(rng, 4)) {
  case 0: return edges[oh_test_rng_below(rng, 6)];
  case 1: return oh_test_rng_below(rng, 1276);
  default: return oh_test_rng_below(rng, 40);
  }
}

/* A random valid spec of the given code and framing. */
static void random_spec(oh_test_rng *rng, int code, int vbr, int padded,
                        int sd, oh_packet_spec *s) {
  static const int counts[4] = {1, 2, 2, 0};
  oh_toc toc;
  int i, max;
  memset(s, 0, sizeof *s);
  s->config = (int)oh_test_rng_below(rng, 32);
  s->stereo = (int)oh_test_rng_below(rng, 2);
  s->code = code;
  s->vbr = vbr;
  s->self_delimited = sd;
  oh_toc_decode(oh_toc_encode(s->config, 0, 0), &toc);
  max = OH_MAX_PACKET_SAMPLES48 / toc.frame_samples48;
  s->frame_count = code == 3 ? 1 + (int)oh_test_rng_below(rng, (uint32_t)max)
                             : counts[code];
  if (padded) {
    s->force_padding_flag = 1;
    s->padding_len = oh_test_rng_below(rng, 2) ? oh_test_rng_below(rng, 600)
                                               : oh_test_rng_below(rng, 3);
  }
  for (i = 0; i < s->frame_count; i++) {
    s->frame_len[i] = (code == 1 || (code == 3 && !vbr)) && i > 0
                          ? s->frame_len[0]
                          : random_frame_len(rng);
    s->frame_data[i] = g_frame_bytes[i];
  }
}

static void check_round_trip(const oh_packet_spec *s, uint8_t *buf,
                             size_t cap) {
  oh_packet pkt;
  oh_packet_spec back;
  oh_rule rule;
  oh_error err;
  long n = oh_packet_write(s, buf, cap, &err);
  int i;
  if (n < 0) fail_msg("writer refused a valid spec: %s", err.reason);
  if (oh_packet_parse(buf, (size_t)n, s->self_delimited, &pkt, &rule, &err))
    fail_msg("written packet %s (len %ld) does not parse: %s",
             oh_test_hex(buf, (size_t)n), n, err.reason);
  assert_int_equal(pkt.packet_len, n);
  assert_int_equal(pkt.toc.config, s->config);
  assert_int_equal(pkt.toc.stereo, s->stereo);
  assert_int_equal(pkt.toc.code, s->code);
  assert_int_equal(pkt.frame_count, s->frame_count);
  assert_int_equal(pkt.padding_len, s->padding_len);
  assert_int_equal(pkt.padded, s->code == 3 && s->force_padding_flag);
  for (i = 0; i < s->frame_count; i++) {
    assert_int_equal(pkt.frame_len[i], s->frame_len[i]);
    if (s->frame_len[i])
      assert_memory_equal(buf + pkt.frame_offset[i], s->frame_data[i],
                          s->frame_len[i]);
  }
  oh_packet_to_spec(&pkt, buf, s->self_delimited, &back);
  assert_int_equal(oh_packet_write(&back, buf + n, cap - (size_t)n, &err), n);
  assert_memory_equal(buf, buf + n, (size_t)n);
}

static void test_writer_round_trip(void **state) {
  enum { CAP = 2 * (OH_MAX_FRAMES * 1280 + 4096) };
  uint8_t *buf = malloc(CAP);
  oh_test_rng rng;
  long it, iters = oh_test_iterations(2000);
  int code, vbr, padded, sd;
  oh_packet_spec s;
  assert_non_null(buf);
  oh_test_rng_init(&rng, 0x7061636b6574ull, "packet writer round trip");
  fill_frames(&rng);
  for (it = 0; it < iters; it++)
    for (code = 0; code < 4; code++)
      for (vbr = 0; vbr <= (code == 3); vbr++)
        for (padded = 0; padded <= (code == 3); padded++)
          for (sd = 0; sd < 2; sd++) {
            random_spec(&rng, code, vbr, padded, sd, &s);
            check_round_trip(&s, buf, CAP);
          }
  free(buf);
}

/* The writer picks the shortest padding chain; a parsed packet with a
 * longer chain is rewritten shorter, with the same frames and padding. */
static void test_writer_minimal_padding(void **state) {
  static const uint8_t p[] = {0x03, 0x41, 0xFF, 0x00, 7};
  uint8_t *in = make(p, sizeof p, sizeof p + 254), out[300];
  oh_packet pkt;
  oh_packet_spec s;
  oh_error err;
  expect_frames(in, sizeof p + 254, 0, &pkt, 1, (const size_t[]){1});
  oh_packet_to_spec(&pkt, in, 0, &s);
  assert_int_equal(oh_packet_write(&s, out, sizeof out, &err),
                   sizeof p + 254 - 1);
  assert_int_equal(out[2], 254);
  assert_int_equal(out[3], 7);
  free(in);
}

static void expect_refusal(const oh_packet_spec *s, size_t cap, int code,
                           const char *reason_part) {
  uint8_t buf[4096];
  oh_error err;
  long n = oh_packet_write(s, buf, cap, &err);
  if (n != code || !strstr(err.reason, reason_part))
    fail_msg("writer returned %ld (%s), want %d with \"%s\"", n, err.reason,
             code, reason_part);
}

static void test_writer_refusals(void **state) {
  static const uint8_t data[1300];
  oh_packet_spec s;
  int i;
  memset(&s, 0, sizeof s);
  for (i = 0; i < OH_MAX_FRAMES; i++) s.frame_data[i] = data;
  s.code = 1, s.frame_count = 2, s.frame_len[0] = 3, s.frame_len[1] = 4;
  expect_refusal(&s, 4096, OH_ERR_ARG, "R3: code 1 frames must all have");
  s.code = 0;
  expect_refusal(&s, 4096, OH_ERR_ARG,
                 "code 0 needs 1 frame(s), the spec has 2");
  s.code = 3, s.frame_count = 2;
  expect_refusal(&s, 4096, OH_ERR_ARG, "R6: code 3 CBR frames");
  s.config = 3, s.vbr = 1, s.frame_count = 3; /* 3 x 60 ms */
  expect_refusal(&s, 4096, OH_ERR_ARG, "R5: 3 frames of 2880 samples");
  s.config = 0, s.frame_count = 1, s.frame_len[0] = 1276;
  expect_refusal(&s, 4096, OH_ERR_ARG, "R2: frame 0 is 1276 bytes");
  s.frame_len[0] = 1275;
  expect_refusal(&s, 1276, OH_ERR_LIMIT, "needs 1277 bytes");
  s.code = 0, s.padding_len = 1;
  expect_refusal(&s, 4096, OH_ERR_ARG, "only code 3 packets carry padding");
  s.code = 3, s.frame_count = 49;
  expect_refusal(&s, 4096, OH_ERR_ARG, "frame count 49 is outside");
  s.frame_count = 0;
  expect_refusal(&s, 4096, OH_ERR_ARG, "frame count 0 is outside");
  s.frame_count = 1, s.frame_data[0] = NULL;
  expect_refusal(&s, 4096, OH_ERR_ARG, "no data");
  s.frame_data[0] = data, s.config = 32;
  expect_refusal(&s, 4096, OH_ERR_ARG, "config 32");
  s.config = 0, s.padding_len = 3000;
  expect_refusal(&s, 4096, OH_ERR_LIMIT, "plus 3000 of padding");
  expect_refusal(NULL, 4096, OH_ERR_ARG, "no packet spec");
}

/* The smallest buffer that fits is enough; one byte less is refused. */
static void test_writer_exact_cap(void **state) {
  static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint8_t buf[400];
  oh_packet_spec s;
  oh_error err;
  long n;
  memset(&s, 0, sizeof s);
  s.code = 3, s.vbr = 1, s.frame_count = 2, s.padding_len = 300;
  s.frame_data[0] = s.frame_data[1] = data;
  s.frame_len[0] = 8, s.frame_len[1] = 5;
  s.self_delimited = 1;
  /* TOC, count, 2-byte padding chain, 2 lengths, 13 frame bytes, padding */
  n = oh_packet_write(&s, buf, sizeof buf, &err);
  assert_int_equal(n, 2 + 2 + 2 + 13 + 300);
  assert_int_equal(oh_packet_write(&s, buf, (size_t)n, &err), n);
  assert_int_equal(oh_packet_write(&s, buf, (size_t)n - 1, &err),
                   OH_ERR_LIMIT);
}

/* Every prefix of written packets parses without reading past its end
 * (the guard page would fault) and never claims more than it was given. */
static void test_prefixes_stay_in_bounds(void **state) {
  uint8_t buf[OH_TEST_GUARD_SPAN];
  oh_test_rng rng;
  oh_packet_spec s;
  oh_packet pkt;
  oh_error err;
  long it, iters = oh_test_iterations(300), n, k;
  oh_test_rng_init(&rng, 0x707265666978ull, "packet prefixes");
  fill_frames(&rng);
  for (it = 0; it < iters; it++) {
    int code = (int)oh_test_rng_below(&rng, 4);
    int vbr = (int)oh_test_rng_below(&rng, 2);
    int sd = (int)oh_test_rng_below(&rng, 2);
    random_spec(&rng, code, vbr, code == 3 && oh_test_rng_below(&rng, 2), sd,
                &s);
    n = oh_packet_write(&s, buf, sizeof buf, &err);
    /* Prefix parsing is quadratic: keep to packets of ordinary size. */
    if (n < 0 || n > 2500) continue;
    for (k = 0; k <= n; k++)
      if (parse(buf, (size_t)k, sd, &pkt, NULL, NULL) == OH_OK)
        assert_true(pkt.packet_len <= (size_t)k);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_toc_table_all_configs),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_r1_empty),
      cmocka_unit_test(test_r1_empty_valid),
      cmocka_unit_test(test_r2_code0_1276),
      cmocka_unit_test(test_r2_code0_1276_valid),
      cmocka_unit_test(test_r2_other_codes),
      cmocka_unit_test(test_r2_other_codes_valid),
      cmocka_unit_test(test_r3_even_length),
      cmocka_unit_test(test_r3_even_length_valid),
      cmocka_unit_test(test_r4_bad_first_length),
      cmocka_unit_test(test_r4_bad_first_length_valid),
      cmocka_unit_test(test_r5_bad_frame_count),
      cmocka_unit_test(test_r5_bad_frame_count_valid),
      cmocka_unit_test(test_r6_cbr_does_not_fit),
      cmocka_unit_test(test_r6_cbr_does_not_fit_valid),
      cmocka_unit_test(test_r7_vbr_does_not_fit),
      cmocka_unit_test(test_r7_vbr_does_not_fit_valid),
      cmocka_unit_test(test_frame_length_edges),
      cmocka_unit_test(test_frame_length_edges_parse),
      cmocka_unit_test(test_padding_chains),
      cmocka_unit_test(test_padding_chain_claims_its_own_bytes),
      cmocka_unit_test(test_sd_each_code),
      cmocka_unit_test(test_sd_violations),
      cmocka_unit_test(test_sd_trailing_bytes),
      cmocka_unit_test(test_writer_round_trip),
      cmocka_unit_test(test_writer_minimal_padding),
      cmocka_unit_test(test_writer_refusals),
      cmocka_unit_test(test_writer_exact_cap),
      cmocka_unit_test(test_prefixes_stay_in_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
