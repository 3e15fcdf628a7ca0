/* The reproducer's JSON document (schema "opushunt-replay/1", described in
 * harness/REPLAY.md): one object with the input, one entry per tool run
 * and the tools skipped. Addresses are hex strings, since JSON numbers
 * lose 64-bit precision; absent facts are null, never omitted. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opushunt/json.h"
#include "opushunt/replay.h"

static void hex_addr(oh_json *j, const char *key, int present, uint64_t v) {
  char buf[24];
  if (!present) {
    oh_json_null(j, key);
    return;
  }
  snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  oh_json_str(j, key, buf);
}

static void str_or_null(oh_json *j, const char *key, const char *s) {
  if (s && *s) oh_json_str(j, key, s);
  else oh_json_null(j, key);
}

/* The start event's numbers; a fuzz target's start event has none (-1). */
static void int_or_null(oh_json *j, const char *key, int64_t v) {
  if (v >= 0) oh_json_int(j, key, v);
  else oh_json_null(j, key);
}

static void json_input(oh_json *j, const oh_replay_input *in) {
  oh_json_object_begin(j, "input");
  oh_json_str(j, "path", in->path ? in->path : "-");
  oh_json_str(j, "format", oh_format_name(in->format));
  oh_json_str(j, "description", in->describe);
  oh_json_uint(j, "bytes", in->bytes);
  oh_json_uint(j, "records", in->records);
  str_or_null(j, "target", in->target);
  if (in->unreadable) {
    oh_json_object_begin(j, "not_a_stream");
    if (in->tail.offset == OH_NO_OFFSET) oh_json_null(j, "offset");
    else oh_json_uint(j, "offset", in->tail.offset);
    oh_json_str(j, "reason", in->tail.reason);
    oh_json_object_end(j);
  } else {
    oh_json_null(j, "not_a_stream");
  }
  if (in->tail_error) {
    oh_json_object_begin(j, "cut_off_tail");
    oh_json_uint(j, "offset", in->tail.offset);
    oh_json_str(j, "reason", in->tail.reason);
    oh_json_object_end(j);
  } else {
    oh_json_null(j, "cut_off_tail");
  }
  oh_json_object_end(j);
}

static void json_call(oh_json *j, const char *key, const oh_replay_call *c) {
  if (!c->present) {
    oh_json_null(j, key);
    return;
  }
  oh_json_object_begin(j, key);
  oh_json_int(j, "index", c->index);
  oh_json_int(j, "offset", c->offset);
  oh_json_int(j, "length", c->len);
  oh_json_str(j, "kind", c->kind);
  oh_json_str(j, "api", c->api);
  oh_json_int(j, "frame_size", c->frame_size);
  oh_json_str(j, "thread", c->thread);
  oh_json_bool(j, "returned", c->returned);
  if (c->returned) oh_json_int(j, "ret", c->ret);
  else oh_json_null(j, "ret");
  oh_json_object_end(j);
}

static void json_contract(oh_json *j, const char *key, const oh_replay_contract *c) {
  if (!c->present) {
    oh_json_null(j, key);
    return;
  }
  oh_json_object_begin(j, key);
  oh_json_int(j, "index", c->index);
  oh_json_str(j, "rule", c->rule);
  oh_json_bool(j, "fault_expected", c->fault_expected);
  oh_json_str(j, "detail", c->detail);
  oh_json_object_end(j);
}

static void json_toc(oh_json *j, const oh_replay_packet *p) {
  const oh_toc *t = &p->toc;
  oh_json_object_begin(j, "toc");
  oh_json_uint(j, "byte", t->byte);
  oh_json_int(j, "config", t->config);
  oh_json_str(j, "mode", oh_mode_name(t->mode));
  oh_json_str(j, "bandwidth", oh_bandwidth_name(t->bandwidth));
  oh_json_double(j, "frame_ms", t->frame_samples48 / 48.0);
  oh_json_bool(j, "stereo", t->stereo);
  oh_json_int(j, "code", t->code);
  oh_json_object_end(j);
}

static void json_packet(oh_json *j, const oh_replay_packet *p) {
  if (!p->present) {
    oh_json_null(j, "packet");
    return;
  }
  oh_json_object_begin(j, "packet");
  oh_json_uint(j, "index", p->index);
  oh_json_uint(j, "offset", p->offset);
  oh_json_uint(j, "length", p->len);
  oh_json_bool(j, "lost", p->lost);
  oh_json_bool(j, "cut_off", p->cut_off);
  oh_json_hex(j, "head_hex", p->head, p->head_len, 0);
  if (p->lost || p->cut_off || !p->len) {
    oh_json_null(j, "toc");
  } else {
    json_toc(j, p);
  }
  oh_json_bool(j, "valid", p->valid);
  if (p->valid) {
    oh_json_int(j, "frames", p->frame_count);
    oh_json_double(j, "duration_ms", p->duration48 / 48.0);
  } else {
    oh_json_null(j, "frames");
    oh_json_null(j, "duration_ms");
  }
  str_or_null(j, "invalid", p->invalid);
  oh_json_object_end(j);
}

static void json_fault(oh_json *j, const oh_replay_result *r) {
  int i;
  oh_json_object_begin(j, "fault");
  if (r->fault_index >= 0) oh_json_int(j, "index", r->fault_index);
  else oh_json_null(j, "index");
  json_packet(j, &r->packet);
  json_call(j, "call", &r->fault_call);
  oh_json_bool(j, "call_blamed", r->call_blamed);
  oh_json_array_begin(j, "rules");
  for (i = 0; i < r->n_call_rules; i++) json_contract(j, NULL, &r->call_rules[i]);
  oh_json_array_end(j);
  oh_json_object_end(j);
}

static void json_buffer(oh_json *j, const oh_replay_finding *f) {
  if (!f->has_buffer) {
    oh_json_null(j, "buffer");
    return;
  }
  oh_json_object_begin(j, "buffer");
  oh_json_str(j, "name", f->buffer);
  oh_json_str(j, "relation", f->relation);
  oh_json_int(j, "offset", f->buffer_offset);
  oh_json_uint(j, "size", f->buffer_size);
  oh_json_uint(j, "by", f->by);
  oh_json_object_end(j);
}

static void json_frames(oh_json *j, const oh_replay_finding *f) {
  int i;
  oh_json_array_begin(j, "frames");
  for (i = 0; i < f->nframes; i++) {
    const oh_replay_frame *fr = &f->frames[i];
    oh_json_object_begin(j, NULL);
    oh_json_int(j, "index", fr->index);
    str_or_null(j, "function", fr->function);
    str_or_null(j, "file", fr->file);
    oh_json_int(j, "line", fr->line);
    oh_json_int(j, "column", fr->column);
    str_or_null(j, "module", fr->module);
    hex_addr(j, "pc", fr->pc != 0, fr->pc);
    oh_json_bool(j, "noise", fr->noise);
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
}

static void json_finding(oh_json *j, const oh_replay_finding *f) {
  if (!f->present) {
    oh_json_null(j, "finding");
    return;
  }
  oh_json_object_begin(j, "finding");
  oh_json_str(j, "source", f->source);
  oh_json_str(j, "kind", f->kind);
  oh_json_str(j, "access", f->access);
  if (f->size) oh_json_uint(j, "size", f->size);
  else oh_json_null(j, "size");
  hex_addr(j, "address", f->has_address, f->address);
  str_or_null(j, "signal", f->signal);
  str_or_null(j, "thread", f->thread);
  oh_json_str(j, "description", f->description);
  json_buffer(j, f);
  json_frames(j, f);
  oh_json_int(j, "further_reports", f->further);
  oh_json_object_end(j);
}

static void json_child(oh_json *j, const oh_replay_result *r) {
  if (!r->ran) {
    oh_json_null(j, "child");
    return;
  }
  oh_json_object_begin(j, "child");
  if (r->exited) oh_json_int(j, "exit_code", r->exit_code);
  else oh_json_null(j, "exit_code");
  if (r->signaled) oh_json_str(j, "signal", oh_signal_name(r->term_signal));
  else oh_json_null(j, "signal");
  oh_json_bool(j, "timed_out", r->timed_out);
  oh_json_bool(j, "oom", r->oom);
  oh_json_uint(j, "wall_ms", r->wall_us / 1000);
  oh_json_uint(j, "peak_rss", r->peak_rss);
  oh_json_object_end(j);
}

static void json_session(oh_json *j, const oh_replay_result *r) {
  if (!r->started) {
    oh_json_null(j, "session");
    return;
  }
  oh_json_object_begin(j, "session");
  str_or_null(j, "opus", r->opus_version);
  str_or_null(j, "model", r->model);
  int_or_null(j, "rate", r->rate);
  int_or_null(j, "channels", r->channels);
  str_or_null(j, "sample", r->sample);
  int_or_null(j, "pcm_capacity", r->pcm_capacity);
  oh_json_object_end(j);
}

static void json_contract_summary(oh_json *j, const oh_replay_result *r) {
  oh_json_object_begin(j, "contract");
  oh_json_uint(j, "latent", r->n_latent);
  oh_json_uint(j, "fault_expected", r->n_fault);
  json_contract(j, "first_latent", &r->first_latent);
  json_contract(j, "first_fault_expected", &r->first_fault);
  oh_json_object_end(j);
}

static void json_divergence(oh_json *j, const oh_replay_result *r) {
  if (!r->diverged) {
    oh_json_null(j, "divergence");
    return;
  }
  oh_json_object_begin(j, "divergence");
  oh_json_int(j, "index", r->diverge_index);
  oh_json_str(j, "what", r->diverge_what);
  oh_json_str(j, "expected", r->diverge_expected);
  oh_json_str(j, "got", r->diverge_got);
  oh_json_object_end(j);
}

static void json_tail(oh_json *j, const oh_replay_result *r) {
  int i;
  oh_json_array_begin(j, "threads");
  for (i = 0; i < r->nthreads; i++) json_call(j, NULL, &r->threads[i]);
  oh_json_array_end(j);
  if (r->end_seen) {
    oh_json_object_begin(j, "end");
    oh_json_int(j, "calls", r->end_calls);
    oh_json_int(j, "packets", r->end_packets);
    oh_json_int(j, "errors", r->end_errors);
    oh_json_object_end(j);
  } else {
    oh_json_null(j, "end");
  }
  oh_json_array_begin(j, "notes");
  for (i = 0; i < r->nnotes; i++) oh_json_str(j, NULL, r->notes[i]);
  oh_json_array_end(j);
}

static void json_run(oh_json *j, const oh_replay_result *r) {
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "tool", oh_replay_tool_name(r->tool));
  oh_json_str(j, "lib", r->lib);
  str_or_null(j, "target", r->target);
  oh_json_bool(j, "calls_reported", !r->target[0] || r->target_events);
  str_or_null(j, "runner", r->runner);
  str_or_null(j, "command", r->argv_line);
  oh_json_str(j, "verdict", oh_replay_verdict_name(r->verdict));
  oh_json_str(j, "summary", r->why);
  json_child(j, r);
  json_session(j, r);
  json_fault(j, r);
  json_finding(j, &r->finding);
  json_contract_summary(j, r);
  json_divergence(j, r);
  json_tail(j, r);
  oh_json_object_end(j);
}

void oh_replay_json(FILE *f, const oh_replay_input *in, const oh_replay_result *runs, int nruns,
                    const oh_replay_skip *skips, int nskips) {
  oh_json j;
  int i;
  oh_json_init(&j, f, 1);
  oh_json_object_begin(&j, NULL);
  oh_json_str(&j, "schema", "opushunt-replay/1");
  oh_json_str(&j, "verdict", oh_replay_verdict_name(oh_replay_overall(runs, nruns)));
  json_input(&j, in);
  oh_json_array_begin(&j, "runs");
  for (i = 0; i < nruns; i++) json_run(&j, &runs[i]);
  oh_json_array_end(&j);
  oh_json_array_begin(&j, "skipped");
  for (i = 0; i < nskips; i++) {
    oh_json_object_begin(&j, NULL);
    oh_json_str(&j, "tool", oh_replay_tool_name(skips[i].tool));
    oh_json_str(&j, "lib", skips[i].lib);
    oh_json_str(&j, "reason", skips[i].reason);
    oh_json_object_end(&j);
  }
  oh_json_array_end(&j);
  oh_json_object_end(&j);
  fputc('\n', f);
}
