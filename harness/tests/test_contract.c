/* Tests for the libopus API contract: each rule fires on its violating call
 * and stays quiet on its valid twin, and "fault expected" is decided by what
 * this call will really write given this packet (latent vs actual). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include <opus.h>

#include "opushunt/contract.h"

/* Packets: TOC config 31 (CELT FB 20 ms) code 0 stereo; code 3 with 3
 * frames = 60 ms. */
static const uint8_t P20[] = {0xFC, 0x11, 0x22, 0x33};
static const uint8_t P60[] = {0xFF, 0x03, 0x11, 0x22, 0x33};

static oh_call_desc decode(const uint8_t *p, int32_t len, int frame_size, size_t cap) {
  oh_call_desc d;
  memset(&d, 0, sizeof d);
  d.api = OH_API_DECODE;
  d.rate = 48000;
  d.channels = 2;
  d.frame_size = frame_size;
  d.pcm_capacity = cap;
  d.data = p;
  d.len = len;
  d.available = SIZE_MAX;
  d.state_from_create = 1;
  return d;
}

static int has(const oh_call_desc *d, oh_contract_rule rule, int *fault) {
  oh_contract_violation v[16];
  int n = oh_contract_check(d, v, 16), i;
  for (i = 0; i < n && i < 16; i++)
    if (v[i].rule == rule) {
      if (fault) *fault = v[i].fault_expected;
      return 1;
    }
  return 0;
}

static void test_valid_call_has_no_violation(void **state) {
  oh_call_desc d = decode(P20, sizeof P20, 5760, 11520);
  oh_contract_violation v[4];
  assert_int_equal(oh_contract_check(&d, v, 4), 0);
}

static void test_pcm_capacity_latent_then_fault(void **state) {
  int fault = -1;
  oh_call_desc d = decode(P20, sizeof P20, 5760, 1920); /* 20 ms stereo fits */
  assert_true(has(&d, OH_RULE_PCM_CAPACITY, &fault));
  assert_int_equal(fault, 0);
  d = decode(P60, sizeof P60, 5760, 1920); /* 60 ms does not */
  assert_true(has(&d, OH_RULE_PCM_CAPACITY, &fault));
  assert_int_equal(fault, 1);
}

static void test_pcm_per_channel_faults_at_once(void **state) {
  int fault = -1;
  oh_call_desc d = decode(P20, sizeof P20, 960, 960);
  assert_true(has(&d, OH_RULE_PCM_CAPACITY, &fault));
  assert_int_equal(fault, 1);
}

static void test_frame_size_rules(void **state) {
  oh_call_desc d = decode(P20, sizeof P20, 1000, 11520); /* not a 2.5 ms multiple */
  assert_true(has(&d, OH_RULE_FRAME_SIZE, NULL));
  d = decode(P60, sizeof P60, 960, 11520); /* packet longer than frame_size */
  assert_true(has(&d, OH_RULE_FRAME_TOO_SMALL, NULL));
  assert_false(has(&d, OH_RULE_FRAME_SIZE, NULL));
  d = decode(P20, sizeof P20, 6000, 12000); /* over 120 ms */
  assert_true(has(&d, OH_RULE_FRAME_SIZE, NULL));
}

static void test_plc_frame_size_must_equal_gap(void **state) {
  int fault = -1;
  oh_call_desc d = decode(NULL, 0, 5760, 1920);
  d.gap = 960;
  assert_true(has(&d, OH_RULE_LOSS_FRAME_SIZE, NULL));
  /* PLC writes frame_size samples: over capacity faults now. */
  assert_true(has(&d, OH_RULE_PCM_CAPACITY, &fault));
  assert_int_equal(fault, 1);
  d = decode(NULL, 0, 960, 1920);
  d.gap = 960;
  assert_false(has(&d, OH_RULE_LOSS_FRAME_SIZE, NULL));
  assert_false(has(&d, OH_RULE_PCM_CAPACITY, NULL));
}

static void test_packet_length_beyond_available_fail(void **state) {
  int fault = -1;
  oh_call_desc d = decode(P20, 200, 5760, 11520);
  d.available = sizeof P20;
  assert_true(has(&d, OH_RULE_PACKET_LENGTH, &fault));
  assert_int_equal(fault, 1);
  d.available = 200;
  assert_false(has(&d, OH_RULE_PACKET_LENGTH, NULL));
}

static void test_state_rules(void **state) {
  oh_call_desc d;
  memset(&d, 0, sizeof d);
  d.api = OH_API_INIT;
  d.rate = 48000;
  d.channels = 2;
  d.state_size = (size_t)opus_decoder_get_size(1);
  assert_true(has(&d, OH_RULE_STATE_SIZE, NULL));
  d.state_size = (size_t)opus_decoder_get_size(2);
  assert_false(has(&d, OH_RULE_STATE_SIZE, NULL));
  d.api = OH_API_DESTROY;
  assert_true(has(&d, OH_RULE_DESTROY_FOREIGN, NULL));
  d.state_from_create = 1;
  assert_false(has(&d, OH_RULE_DESTROY_FOREIGN, NULL));
  d.destroyed = 1;
  assert_true(has(&d, OH_RULE_DOUBLE_DESTROY, NULL));
  d = decode(P20, sizeof P20, 5760, 11520);
  d.destroyed = 1;
  assert_true(has(&d, OH_RULE_USE_AFTER_DESTROY, NULL));
}

static void test_freed_packet_and_concurrency(void **state) {
  oh_call_desc d = decode(P20, sizeof P20, 5760, 11520);
  d.packet_released = 1;
  d.concurrent = 1;
  assert_true(has(&d, OH_RULE_PACKET_FREED, NULL));
  assert_true(has(&d, OH_RULE_CONCURRENT_USE, NULL));
}

static void test_bad_rate_and_channels(void **state) {
  oh_call_desc d = decode(P20, sizeof P20, 960, 11520);
  d.rate = 44100;
  d.channels = 3;
  assert_true(has(&d, OH_RULE_RATE, NULL));
  assert_true(has(&d, OH_RULE_CHANNELS, NULL));
}

static void test_count_exceeds_max(void **state) {
  oh_call_desc d = decode(P60, 200, 1000, 10);
  oh_contract_violation v[1];
  d.available = 5;
  d.destroyed = 1;
  d.concurrent = 1;
  assert_true(oh_contract_check(&d, v, 1) > 1); /* counted, only one written */
}

static void test_names_round_trip(void **state) {
  int r;
  for (r = 0; r < OH_RULE_COUNT; r++) {
    assert_int_equal(oh_contract_rule_from_name(oh_contract_rule_name((oh_contract_rule)r)), r);
    assert_string_not_equal(oh_contract_rule_text((oh_contract_rule)r), "unknown rule");
  }
  assert_int_equal(oh_contract_rule_from_name("nonsense"), -1);
}

static void test_packet_samples(void **state) {
  assert_int_equal(oh_contract_packet_samples(P60, sizeof P60, 48000), 2880);
  assert_int_equal(oh_contract_packet_samples(P60, sizeof P60, 16000), 960);
  assert_int_equal(oh_contract_packet_samples(P20, 0, 48000), -1);
  assert_int_equal(oh_contract_packet_samples((const uint8_t *)"\x01\x00", 2, 48000), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_call_has_no_violation),
      cmocka_unit_test(test_pcm_capacity_latent_then_fault),
      cmocka_unit_test(test_pcm_per_channel_faults_at_once),
      cmocka_unit_test(test_frame_size_rules),
      cmocka_unit_test(test_plc_frame_size_must_equal_gap),
      cmocka_unit_test(test_packet_length_beyond_available_fail),
      cmocka_unit_test(test_state_rules),
      cmocka_unit_test(test_freed_packet_and_concurrency),
      cmocka_unit_test(test_bad_rate_and_channels),
      cmocka_unit_test(test_count_exceeds_max),
      cmocka_unit_test(test_names_round_trip),
      cmocka_unit_test(test_packet_samples),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
