/* The triage JSON document (schema "opushunt-triage/1", described field by
 * field in harness/TRIAGE.md, "Report formats"): the run, its counts, one
 * entry per bucket with its classification, reproducibility matrix,
 * minimised reproducer and known state, and one entry per input. Absent
 * facts are null, never omitted, so a consumer sees every key always. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opushunt/json.h"
#include "opushunt/triage.h"
#include "triage_report_impl.h"

static void str_or_null(oh_json *j, const char *key, const char *s) {
  if (s && *s) oh_json_str(j, key, s);
  else oh_json_null(j, key);
}

/* Record indexes and counts where -1 (or any negative) means unknown. */
static void int_or_null(oh_json *j, const char *key, int64_t v) {
  if (v >= 0) oh_json_int(j, key, v);
  else oh_json_null(j, key);
}

static void json_counts(oh_json *j, const oh_triage *t) {
  oh_trep_counts c;
  oh_trep_count(t, &c);
  oh_json_object_begin(j, "counts");
  oh_json_uint(j, "inputs", c.inputs);
  oh_json_uint(j, "crashing", c.crashing);
  oh_json_uint(j, "buckets", c.buckets);
  oh_json_uint(j, "new", c.fresh);
  oh_json_uint(j, "known", c.known);
  oh_json_uint(j, "suppressed", c.suppressed);
  oh_json_uint(j, "flaky", c.status[OH_TSTAT_FLAKY]);
  oh_json_uint(j, "not_reproducible", c.status[OH_TSTAT_NOT_REPRODUCIBLE]);
  oh_json_uint(j, "garbage", c.status[OH_TSTAT_GARBAGE]);
  oh_json_uint(j, "empty", c.status[OH_TSTAT_EMPTY]);
  oh_json_uint(j, "errors", c.status[OH_TSTAT_ERROR]);
  oh_json_uint(j, "report_only", c.status[OH_TSTAT_REPORT_ONLY]);
  oh_json_object_end(j);
}

static void json_frames(oh_json *j, const oh_triage_crash *c) {
  int i;
  oh_json_array_begin(j, "frames");
  for (i = 0; i < oh_trep_nframes(c); i++) {
    const oh_replay_frame *fr = &c->frames[i];
    oh_json_object_begin(j, NULL);
    str_or_null(j, "function", fr->function);
    str_or_null(j, "file", fr->file);
    if (fr->line > 0) oh_json_int(j, "line", fr->line);
    else oh_json_null(j, "line");
    oh_json_bool(j, "noise", fr->noise);
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
}

static void json_location(oh_json *j, const oh_triage_crash *c) {
  if (!c->lib_file[0]) {
    oh_json_null(j, "location");
    return;
  }
  oh_json_object_begin(j, "location");
  str_or_null(j, "function", c->lib_function);
  oh_json_str(j, "file", c->lib_file);
  if (c->lib_line > 0) oh_json_int(j, "line", c->lib_line);
  else oh_json_null(j, "line");
  oh_json_object_end(j);
}

/* What the tool saw, flattened into the bucket object. */
static void json_crash(oh_json *j, const oh_triage_crash *c) {
  str_or_null(j, "kind", c->kind);
  str_or_null(j, "access", c->access);
  if (c->size) oh_json_uint(j, "size", c->size);
  else oh_json_null(j, "size");
  str_or_null(j, "buffer", c->buffer);
  str_or_null(j, "relation", c->relation);
  if (c->buffer[0]) {
    oh_json_int(j, "buffer_offset", c->buffer_offset);
    oh_json_uint(j, "buffer_size", c->buffer_size);
  } else {
    oh_json_null(j, "buffer_offset");
    oh_json_null(j, "buffer_size");
  }
  str_or_null(j, "tool", c->tool);
  str_or_null(j, "signal", c->signal);
  str_or_null(j, "description", c->description);
  json_frames(j, c);
  json_location(j, c);
  int_or_null(j, "fault_index", c->fault_index);
  str_or_null(j, "api", c->api);
  str_or_null(j, "rule", c->rule);
  str_or_null(j, "rule_detail", c->rule_detail);
}

static void json_matrix(oh_json *j, const oh_triage_bucket *b) {
  int i;
  oh_json_array_begin(j, "matrix");
  for (i = 0; i < oh_trep_nmatrix(b); i++) {
    const oh_triage_tool_run *r = &b->matrix[i];
    oh_json_object_begin(j, NULL);
    oh_json_str(j, "tool", oh_replay_tool_name(r->tool));
    str_or_null(j, "lib", r->lib);
    oh_json_bool(j, "ran", r->ran);
    str_or_null(j, "reason", r->reason);
    if (r->ran) oh_json_str(j, "verdict", oh_replay_verdict_name(r->verdict));
    else oh_json_null(j, "verdict");
    oh_json_bool(j, "same_state", r->ran && r->same_state);
    str_or_null(j, "state", r->state);
    if (r->ran) oh_json_uint(j, "wall_ms", r->wall_us / 1000);
    else oh_json_null(j, "wall_ms");
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
}

static void json_min(oh_json *j, const oh_triage_min *m) {
  size_t head = oh_trep_head_len(m);
  int ok = m->attempted && m->ok;
  oh_json_object_begin(j, "minimised");
  oh_json_bool(j, "attempted", m->attempted);
  oh_json_bool(j, "ok", ok);
  str_or_null(j, "path", m->path);
  str_or_null(j, "format", m->format);
  str_or_null(j, "note", m->note);
  oh_json_uint(j, "bytes_before", m->bytes_before);
  /* The after numbers describe a kept result: none unless ok. */
  if (ok) oh_json_uint(j, "bytes_after", m->bytes_after);
  else oh_json_null(j, "bytes_after");
  int_or_null(j, "records_before", m->records_before);
  int_or_null(j, "records_after", ok ? m->records_after : -1);
  int_or_null(j, "packets_before", m->packets_before);
  int_or_null(j, "packets_after", ok ? m->packets_after : -1);
  oh_json_int(j, "tests", m->tests);
  oh_json_double(j, "seconds", m->seconds);
  if (head) oh_json_hex(j, "head_hex", m->head, head, 0);
  else oh_json_null(j, "head_hex");
  oh_json_object_end(j);
}

static void json_known(oh_json *j, const oh_triage_bucket *b) {
  oh_json_str(j, "known", oh_triage_known_name(b->known));
  str_or_null(j, "first_seen", b->first_seen);
  str_or_null(j, "last_seen", b->last_seen);
  oh_json_uint(j, "seen_count", b->seen_count);
  str_or_null(j, "db_status", b->db_status);
  if (b->known == OH_KNOWN_SUPPRESSED) {
    oh_json_object_begin(j, "suppression");
    str_or_null(j, "reason", b->suppress_reason);
    str_or_null(j, "expires", b->suppress_expires);
    oh_json_object_end(j);
  } else {
    oh_json_null(j, "suppression");
  }
}

static void json_bucket(oh_json *j, const oh_triage *t, size_t bi) {
  const oh_triage_bucket *b = &t->buckets[bi];
  size_t i;
  int v;
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "id", b->id);
  oh_json_str(j, "state", b->state);
  oh_json_array_begin(j, "variants");
  for (v = 0; v < oh_trep_nvariants(b); v++) {
    oh_json_object_begin(j, NULL);
    oh_json_str(j, "state", b->variants[v]);
    oh_json_int(j, "count", b->variant_count[v]);
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
  oh_json_str(j, "class", oh_triage_class_name(b->cls));
  oh_json_str(j, "subclass", oh_trep_subclass(b));
  oh_json_str(j, "attribution", oh_triage_attr_name(b->attr));
  str_or_null(j, "attribution_detail", b->attr_detail);
  json_crash(j, &b->crash);
  oh_json_str(j, "status", oh_triage_status_name(b->status));
  oh_json_int(j, "runs", b->runs);
  oh_json_int(j, "crashes", b->crashes);
  if (b->runs > 0) oh_json_double(j, "reliability", (double)b->crashes / b->runs);
  else oh_json_null(j, "reliability");
  if (b->rep >= 0 && (size_t)b->rep < t->nitems) oh_json_int(j, "representative", b->rep);
  else oh_json_null(j, "representative");
  oh_json_array_begin(j, "items");
  for (i = 0; i < t->nitems; i++)
    if (t->items[i].bucket >= 0 && (size_t)t->items[i].bucket == bi) oh_json_uint(j, NULL, i);
  oh_json_array_end(j);
  json_matrix(j, b);
  json_min(j, &b->min);
  json_known(j, b);
  str_or_null(j, "reproduce", b->reproduce);
  oh_json_object_end(j);
}

static void json_item(oh_json *j, const oh_triage_item *it) {
  int crash = oh_triage_status_has_crash(it->status);
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "path", it->path);
  oh_json_str(j, "origin", oh_triage_origin_name(it->origin));
  str_or_null(j, "instance", it->instance);
  oh_json_uint(j, "bytes", it->bytes);
  str_or_null(j, "target", it->target);
  str_or_null(j, "lib", it->lib);
  oh_json_str(j, "tool", oh_replay_tool_name(it->tool));
  oh_json_str(j, "status", oh_triage_status_name(it->status));
  oh_json_int(j, "runs", it->runs);
  oh_json_int(j, "crashes", it->crashes);
  str_or_null(j, "error", it->error);
  int_or_null(j, "bucket", it->bucket);
  str_or_null(j, "state", crash ? it->crash.state : NULL);
  int_or_null(j, "fault_index", crash ? it->crash.fault_index : -1);
  int_or_null(j, "records", it->records);
  oh_json_uint(j, "wall_ms", it->wall_us / 1000);
  oh_json_object_end(j);
}

void oh_triage_write_json(FILE *f, const oh_triage *t) {
  oh_json j;
  size_t i;
  int k;
  oh_json_init(&j, f, 1);
  oh_json_object_begin(&j, NULL);
  oh_json_str(&j, "schema", "opushunt-triage/1");
  str_or_null(&j, "started", t->started);
  oh_json_double(&j, "seconds", t->seconds);
  str_or_null(&j, "opus_version", t->opus_version);
  oh_json_array_begin(&j, "tools_available");
  for (k = 0; k < oh_trep_ntools(t); k++) oh_json_str(&j, NULL, t->tools_available[k]);
  oh_json_array_end(&j);
  json_counts(&j, t);
  oh_json_array_begin(&j, "buckets");
  for (i = 0; i < t->nbuckets; i++) json_bucket(&j, t, i);
  oh_json_array_end(&j);
  oh_json_array_begin(&j, "inputs");
  for (i = 0; i < t->nitems; i++) json_item(&j, &t->items[i]);
  oh_json_array_end(&j);
  oh_json_array_begin(&j, "notes");
  for (k = 0; k < oh_trep_nnotes(t); k++) oh_json_str(&j, NULL, t->notes[k]);
  oh_json_array_end(&j);
  oh_json_object_end(&j);
}
