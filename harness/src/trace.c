/* JSON Lines trace of decoder calls (see trace.h). */
#include "opushunt/trace.h"

#include <opus.h>

#include "opushunt/json.h"

const char *oh_opus_error_name(int code) {
  switch (code) {
  case OPUS_OK: return "OPUS_OK";
  case OPUS_BAD_ARG: return "OPUS_BAD_ARG";
  case OPUS_BUFFER_TOO_SMALL: return "OPUS_BUFFER_TOO_SMALL";
  case OPUS_INTERNAL_ERROR: return "OPUS_INTERNAL_ERROR";
  case OPUS_INVALID_PACKET: return "OPUS_INVALID_PACKET";
  case OPUS_UNIMPLEMENTED: return "OPUS_UNIMPLEMENTED";
  case OPUS_INVALID_STATE: return "OPUS_INVALID_STATE";
  case OPUS_ALLOC_FAIL: return "OPUS_ALLOC_FAIL";
  default: return code < 0 ? "OPUS_UNKNOWN_ERROR" : "OPUS_OK";
  }
}

static const char *kind_name(oh_call_kind k) {
  return k == OH_CALL_PLC ? "plc" : k == OH_CALL_FEC ? "fec" : "packet";
}

static void toc_fields(oh_json *j, const oh_decode_event *ev) {
  oh_toc t;
  if (!ev->rec->data || ev->rec->len == 0) return;
  oh_toc_decode(ev->rec->data[0], &t);
  oh_json_int(j, "config", t.config);
  oh_json_str(j, "mode", oh_mode_name(t.mode));
  oh_json_str(j, "bandwidth", oh_bandwidth_name(t.bandwidth));
  oh_json_int(j, "duration_us", (int64_t)t.frame_samples48 * 1000 / 48);
  oh_json_bool(j, "stereo", t.stereo);
  oh_json_int(j, "code", t.code);
  if (ev->parsed) {
    oh_json_int(j, "frames", ev->pkt.frame_count);
    oh_json_int(j, "packet_duration_us", (int64_t)ev->pkt.duration48 * 1000 / 48);
  }
  oh_json_bool(j, "valid", ev->parsed);
  if (!ev->parsed) oh_json_str(j, "rule", oh_rule_name(ev->rule));
}

void oh_trace_write(FILE *f, const oh_decode_event *ev) {
  oh_json j;
  oh_json_init(&j, f, 0);
  oh_json_object_begin(&j, NULL);
  oh_json_uint(&j, "index", ev->rec->index);
  oh_json_uint(&j, "offset", ev->rec->offset);
  oh_json_uint(&j, "len", ev->rec->len);
  oh_json_bool(&j, "lost", ev->rec->lost);
  oh_json_str(&j, "call", kind_name(ev->res.kind));
  toc_fields(&j, ev);
  oh_json_int(&j, "frame_size", ev->res.frame_size);
  oh_json_int(&j, "ret", ev->res.ret);
  if (ev->res.ret < 0) oh_json_str(&j, "error", oh_opus_error_name(ev->res.ret));
  oh_json_uint(&j, "final_range", ev->res.final_range);
  if (ev->range_checked) {
    oh_json_uint(&j, "expected_range", ev->rec->final_range);
    oh_json_bool(&j, "range_ok", ev->range_ok);
  }
  if (ev->rec->has_timestamp) oh_json_int(&j, "timestamp", ev->rec->timestamp);
  oh_json_object_end(&j);
  fputc('\n', f);
}
