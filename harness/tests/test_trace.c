/* Tests for the JSON writer and the decode trace: nesting and commas,
 * escaping of control and invalid UTF-8 bytes, and the exact trace line for
 * a packet, a loss and a libopus error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "opushunt/json.h"
#include "opushunt/trace.h"

static char *buf;
static size_t buflen;

static FILE *mem(void) { return open_memstream(&buf, &buflen); }

static void test_json_nesting(void **state) {
  FILE *f = mem();
  oh_json j;
  oh_json_init(&j, f, 0);
  oh_json_object_begin(&j, NULL);
  oh_json_int(&j, "a", -1);
  oh_json_array_begin(&j, "b");
  oh_json_uint(&j, NULL, 2);
  oh_json_bool(&j, NULL, 1);
  oh_json_null(&j, NULL);
  oh_json_array_end(&j);
  oh_json_object_begin(&j, "c");
  oh_json_object_end(&j);
  oh_json_hex(&j, "h", (const uint8_t *)"\x01\xab", 2, 0);
  oh_json_double(&j, "d", 0.5);
  oh_json_object_end(&j);
  fclose(f);
  assert_string_equal(buf, "{\"a\":-1,\"b\":[2,true,null],\"c\":{},\"h\":\"01ab\",\"d\":0.5}");
  free(buf);
}

static void test_json_escapes(void **state) {
  FILE *f = mem();
  oh_json_write_string(f, "q\"b\\n\n\x01\xff\xc3\xa9");
  fclose(f);
  assert_string_equal(buf, "\"q\\\"b\\\\n\\n\\u0001\\u00ff\xc3\xa9\"");
  free(buf);
}

static void test_trace_packet_line(void **state) {
  static const uint8_t pkt[] = {0xFC, 0xAA, 0xBB}; /* config 31, stereo, code 0 */
  oh_record rec;
  oh_decode_event ev;
  FILE *f = mem();
  memset(&rec, 0, sizeof rec);
  memset(&ev, 0, sizeof ev);
  rec.index = 7;
  rec.offset = 100;
  rec.data = pkt;
  rec.len = sizeof pkt;
  rec.has_final_range = 1;
  rec.final_range = 5;
  ev.rec = &rec;
  ev.parsed = oh_packet_parse(pkt, sizeof pkt, 0, &ev.pkt, &ev.rule, NULL) == OH_OK;
  ev.res.kind = OH_CALL_PACKET;
  ev.res.frame_size = 5760;
  ev.res.ret = 960;
  ev.res.final_range = 6;
  ev.range_checked = 1;
  ev.range_ok = 0;
  oh_trace_write(f, &ev);
  fclose(f);
  assert_string_equal(buf,
                      "{\"index\":7,\"offset\":100,\"len\":3,\"lost\":false,\"call\":\"packet\","
                      "\"config\":31,\"mode\":\"CELT\",\"bandwidth\":\"FB\",\"duration_us\":20000,"
                      "\"stereo\":true,\"code\":0,\"frames\":1,\"packet_duration_us\":20000,"
                      "\"valid\":true,\"frame_size\":5760,\"ret\":960,\"final_range\":6,"
                      "\"expected_range\":5,\"range_ok\":false}\n");
  free(buf);
}

static void test_trace_loss_and_error(void **state) {
  oh_record rec;
  oh_decode_event ev;
  FILE *f = mem();
  memset(&rec, 0, sizeof rec);
  memset(&ev, 0, sizeof ev);
  rec.index = 1;
  rec.lost = 1;
  ev.rec = &rec;
  ev.res.kind = OH_CALL_PLC;
  ev.res.frame_size = 960;
  ev.res.ret = OPUS_BAD_ARG;
  oh_trace_write(f, &ev);
  fclose(f);
  assert_non_null(strstr(buf, "\"call\":\"plc\""));
  assert_non_null(strstr(buf, "\"error\":\"OPUS_BAD_ARG\""));
  assert_null(strstr(buf, "\"config\""));
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_nesting),
      cmocka_unit_test(test_json_escapes),
      cmocka_unit_test(test_trace_packet_line),
      cmocka_unit_test(test_trace_loss_and_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
