/* Tests for the triage report writers over a synthetic run: three buckets
 * (an exploitable API misuse breaking pcm-capacity, a flaky library bug
 * located in libopus, a suppressed log-only report with no frames at all)
 * and inputs of every status, with strings full of quotes, <script>, &, |,
 * backticks, newlines, escape sequences and bytes that are not UTF-8. Each
 * report is written to memory and checked: the JSON and SARIF parse back
 * (SARIF's required structure one field at a time), the Markdown table
 * keeps its columns, the HTML has no tag the data brought in and no
 * external resource, the summary has one line per bucket. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opushunt/json_read.h"
#include "opushunt/triage.h"
#include "test_util.h"

#define SCRIPT "<script>alert(\"x\")</script>"
/* Where our libopus builds' sources live (scripts/build-libopus). */
#define TREE "/work/build/libopus/src/debian-1.3.1-3/tree/"
#define PATH0 "crashes/crash-" SCRIPT "|`a`\n\xff\xfe naïve.bin"

/* ---- The synthetic run. */

static void frame(oh_triage_crash *c, const char *fn, const char *file, int line, int noise) {
  oh_replay_frame *fr = &c->frames[c->nframes];
  fr->index = c->nframes++;
  snprintf(fr->function, sizeof fr->function, "%s", fn);
  snprintf(fr->file, sizeof fr->file, "%s", file);
  fr->line = line;
  fr->noise = noise;
}

static void run(oh_triage_bucket *b, oh_replay_tool tool, const char *lib, int ran,
                const char *reason, oh_replay_verdict v, int same) {
  oh_triage_tool_run *r = &b->matrix[b->nmatrix++];
  r->tool = tool;
  snprintf(r->lib, sizeof r->lib, "%s", lib);
  r->ran = ran;
  snprintf(r->reason, sizeof r->reason, "%s", reason);
  r->verdict = v;
  r->same_state = same;
}

/* Exploitable, api-misuse: the caller's pcm is too small for frame_size. */
static void bucket_misuse(oh_triage_bucket *b) {
  oh_triage_crash *c = &b->crash;
  static const uint8_t head[] = {'O', 'H', 'S', '1', '<', 'b', '>', '&', 0x00, 0xff, 0xfc, '|'};
  snprintf(b->id, sizeof b->id, "3f2a9c1d00e4b7a1");
  snprintf(b->state, sizeof b->state,
           "heap-buffer-overflow|WRITE|celt_decode_with_ec|opus_decode_frame");
  b->nvariants = 1;
  snprintf(b->variants[0], sizeof b->variants[0], "%s", b->state);
  b->variant_count[0] = 2;
  b->nitems = 2;
  b->rep = 1;
  b->cls = OH_CLASS_EXPLOITABLE;
  snprintf(b->subclass, sizeof b->subclass, "heap-buffer-overflow(write) in pcm");
  b->attr = OH_ATTR_API_MISUSE;
  snprintf(b->attr_detail, sizeof b->attr_detail, "pcm-capacity: \"pcm\" holds 960 < 5760 & more");
  snprintf(c->tool, sizeof c->tool, "asan");
  snprintf(c->kind, sizeof c->kind, "heap-buffer-overflow");
  snprintf(c->access, sizeof c->access, "WRITE");
  c->size = 4;
  snprintf(c->buffer, sizeof c->buffer, "pcm");
  snprintf(c->relation, sizeof c->relation, "after-end");
  c->buffer_offset = 7680;
  c->buffer_size = 7680;
  snprintf(c->description, sizeof c->description, "WRITE of size 4 " SCRIPT " & 'quoted'");
  frame(c, "__asan_memcpy", "", 0, 1);
  frame(c, "celt_decode_with_ec", TREE "celt/celt_decoder.c", 401, 0);
  frame(c, "opus_decode_frame", TREE "src/opus_decoder.c", 282, 0);
  snprintf(c->lib_function, sizeof c->lib_function, "celt_decode_with_ec");
  snprintf(c->lib_file, sizeof c->lib_file, "celt/celt_decoder.c");
  c->lib_line = 401;
  c->fault_index = 12;
  snprintf(c->api, sizeof c->api, "opus_decode_float");
  snprintf(c->rule, sizeof c->rule, "pcm-capacity");
  snprintf(c->rule_detail, sizeof c->rule_detail, "frame_size 5760 > capacity 960");
  snprintf(c->state, sizeof c->state, "%s", b->state);
  b->status = OH_TSTAT_RELIABLE;
  b->runs = b->crashes = 3;
  run(b, OH_UNDER_ASAN, "asan", 1, "", OH_VERDICT_SANITIZER, 1);
  run(b, OH_UNDER_VALGRIND, "system", 1, "", OH_VERDICT_SANITIZER, 1);
  run(b, OH_UNDER_MSAN, "msan", 0, "runner <oh-runner-msan> not built", OH_VERDICT_ERROR, 0);
  b->min.attempted = b->min.ok = 1;
  snprintf(b->min.path, sizeof b->min.path, "out/min/3f2a9c1d00e4b7a1.ohs");
  snprintf(b->min.format, sizeof b->min.format, "script");
  b->min.bytes_before = 412;
  b->min.bytes_after = 23;
  b->min.records_before = 30;
  b->min.records_after = 2;
  b->min.packets_before = 30;
  b->min.packets_after = 1;
  b->min.tests = 57;
  b->min.seconds = 1.5;
  memcpy(b->min.head, head, sizeof head);
  b->min.head_len = sizeof head;
  b->known = OH_KNOWN_NEW;
  snprintf(b->reproduce, sizeof b->reproduce,
           "opushunt replay --under asan 'out/min/x.ohs' | grep \"```\" # `tick`");
}

/* Not exploitable, library bug, flaky, known: located in celt/bands.c. */
static void bucket_library(oh_triage_bucket *b) {
  oh_triage_crash *c = &b->crash;
  snprintf(b->id, sizeof b->id, "77aa00bb11cc22dd");
  snprintf(b->state, sizeof b->state, "SEGV READ|quant_band|quant_all_bands");
  b->nvariants = 2;
  snprintf(b->variants[0], sizeof b->variants[0], "%s", b->state);
  snprintf(b->variants[1], sizeof b->variants[1], "SEGV READ|quant_band|<inlined>");
  b->variant_count[0] = 1;
  b->variant_count[1] = 1;
  b->nitems = 1;
  b->rep = 2;
  b->cls = OH_CLASS_NOT_EXPLOITABLE;
  snprintf(b->subclass, sizeof b->subclass, "SEGV(read) | `odd` <b>bold</b> [x]");
  b->attr = OH_ATTR_LIBRARY_BUG;
  snprintf(b->attr_detail, sizeof b->attr_detail, "faulted in celt/bands.c");
  snprintf(c->tool, sizeof c->tool, "asan");
  snprintf(c->kind, sizeof c->kind, "SEGV");
  snprintf(c->access, sizeof c->access, "READ");
  snprintf(c->signal, sizeof c->signal, "SIGSEGV");
  frame(c, "quant_band", TREE "celt/bands.c", 1234, 0);
  frame(c, "quant_all_bands", TREE "celt/bands.c", 1500, 0);
  frame(c, "__libc_start_main", "", 0, 1);
  snprintf(c->lib_function, sizeof c->lib_function, "quant_band");
  snprintf(c->lib_file, sizeof c->lib_file, "celt/bands.c");
  c->lib_line = 1234;
  c->fault_index = 3;
  snprintf(c->state, sizeof c->state, "%s", b->state);
  b->status = OH_TSTAT_FLAKY;
  b->runs = 3;
  b->crashes = 2;
  run(b, OH_UNDER_ASAN, "asan", 1, "", OH_VERDICT_CRASH, 1);
  run(b, OH_UNDER_VALGRIND, "system", 1, "", OH_VERDICT_CLEAN, 0);
  b->min.attempted = 1;
  b->min.ok = 0;
  snprintf(b->min.note, sizeof b->min.note, "flaky: no candidate kept the state");
  b->min.bytes_before = 900;
  b->min.records_before = b->min.records_after = -1;
  b->min.packets_before = b->min.packets_after = -1;
  b->known = OH_KNOWN_KNOWN;
  snprintf(b->first_seen, sizeof b->first_seen, "2026-01-02T03:04:05Z");
  snprintf(b->last_seen, sizeof b->last_seen, "2026-11-27T12:00:00Z");
  b->seen_count = 7;
  snprintf(b->db_status, sizeof b->db_status, "open");
  snprintf(b->reproduce, sizeof b->reproduce, "opushunt replay --under asan crashes/lib.bin");
}

/* From a log only: no frames, no record, suppressed. */
static void bucket_log(oh_triage_bucket *b) {
  snprintf(b->id, sizeof b->id, "0011223344556677");
  snprintf(b->state, sizeof b->state, "stack-buffer-overflow");
  b->nitems = 1;
  b->rep = 3;
  b->cls = OH_CLASS_PROBABLY_EXPLOITABLE;
  b->attr = OH_ATTR_UNKNOWN;
  snprintf(b->crash.tool, sizeof b->crash.tool, "asan");
  snprintf(b->crash.kind, sizeof b->crash.kind, "stack-buffer-overflow");
  b->crash.fault_index = -1;
  snprintf(b->crash.state, sizeof b->crash.state, "%s", b->state);
  b->status = OH_TSTAT_REPORT_ONLY;
  b->min.records_before = b->min.records_after = -1;
  b->min.packets_before = b->min.packets_after = -1;
  snprintf(b->min.note, sizeof b->min.note, "a log has no input to minimise");
  b->known = OH_KNOWN_SUPPRESSED;
  snprintf(b->suppress_reason, sizeof b->suppress_reason, "tracked upstream <#42> & \"later\"");
  snprintf(b->suppress_expires, sizeof b->suppress_expires, "2027-01-01");
}

static oh_triage_item *item(oh_triage *t, const char *path, oh_triage_status s, int bucket) {
  oh_triage_item *it = &t->items[t->nitems++];
  snprintf(it->path, sizeof it->path, "%s", path);
  it->status = s;
  it->bucket = bucket;
  it->records = -1;
  it->tool = OH_UNDER_ASAN;
  snprintf(it->lib, sizeof it->lib, "asan");
  it->bytes = 100;
  if (bucket >= 0) it->crash = t->buckets[bucket].crash;
  else it->crash.fault_index = -1;
  return it;
}

static oh_triage *fixture(void) {
  oh_triage *t = calloc(1, sizeof *t);
  oh_triage_item *it;
  assert_non_null(t);
  t->cap_items = 8;
  t->items = calloc(t->cap_items, sizeof *t->items);
  t->cap_buckets = 5;
  t->buckets = calloc(t->cap_buckets, sizeof *t->buckets);
  assert_non_null(t->items);
  assert_non_null(t->buckets);
  t->nbuckets = 3;
  bucket_misuse(&t->buckets[0]);
  bucket_library(&t->buckets[1]);
  bucket_log(&t->buckets[2]);
  it = item(t, PATH0, OH_TSTAT_RELIABLE, 0);
  it->runs = it->crashes = 3;
  it->records = 30;
  snprintf(it->target, sizeof it->target, "decode");
  it = item(t, "crashes/min-candidate.ohs", OH_TSTAT_RELIABLE, 0);
  it->runs = it->crashes = 3;
  it = item(t, "crashes/lib.bin", OH_TSTAT_FLAKY, 1);
  it->runs = 3;
  it->crashes = 2;
  it = item(t, "logs/asan.log", OH_TSTAT_REPORT_ONLY, 2);
  it->origin = OH_ORIGIN_LOG;
  it = item(t, "fuzz/out/main/crashes/id:000001,sig:11", OH_TSTAT_GARBAGE, -1);
  it->origin = OH_ORIGIN_AFL;
  snprintf(it->instance, sizeof it->instance, "main");
  snprintf(it->error, sizeof it->error, "offset 0: no reader takes it: \"bad\" <magic> & |more|");
  it = item(t, "crashes/empty", OH_TSTAT_EMPTY, -1);
  it->bytes = 0;
  it = item(t, "crashes/gone.bin", OH_TSTAT_NOT_REPRODUCIBLE, -1);
  it->runs = 3;
  it = item(t, "crashes/x.bin", OH_TSTAT_ERROR, -1);
  snprintf(it->error, sizeof it->error, "runner missing");
  snprintf(t->started, sizeof t->started, "2026-11-27T12:00:00Z");
  t->seconds = 42.25;
  snprintf(t->opus_version, sizeof t->opus_version, "libopus 1.3.1");
  snprintf(t->tools_available[0], sizeof t->tools_available[0], "asan");
  snprintf(t->tools_available[1], sizeof t->tools_available[1], "valgrind");
  t->ntools_available = 2;
  t->n_new = t->n_known = t->n_suppressed = 1;
  snprintf(t->notes[0], sizeof t->notes[0], "msan runner missing: " SCRIPT);
  snprintf(t->notes[1], sizeof t->notes[1], "terminal \x1b[31mred\x1b[0m and \xff byte");
  t->nnotes = 2;
  return t;
}

static void fixture_free(oh_triage *t) {
  free(t->items);
  free(t->buckets);
  free(t);
}

/* ---- Helpers. */

static char *render(void (*writer)(FILE *, const oh_triage *), const oh_triage *t,
                    size_t *len) {
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  assert_non_null(f);
  writer(f, t);
  assert_int_equal(fclose(f), 0);
  if (len) *len = size;
  return text;
}

static oh_jv *parse(const char *text, size_t len) {
  oh_jv *root = NULL;
  oh_error err;
  if (oh_json_parse(text, len, &root, &err) != OH_OK)
    fail_msg("does not parse at offset %llu: %s\n%s", (unsigned long long)err.offset,
             err.reason, text);
  return root;
}

static const char *str_at(const oh_jv *root, const char *path) {
  const char *s = oh_jv_str(oh_jv_path(root, path));
  if (!s) fail_msg("%s is not a string", path);
  return s;
}

static int64_t int_at(const oh_jv *root, const char *path) {
  int64_t v;
  if (!oh_jv_int(oh_jv_path(root, path), &v)) fail_msg("%s is not an integer", path);
  return v;
}

static int is_null(const oh_jv *root, const char *path) {
  const oh_jv *v = oh_jv_path(root, path);
  return v && v->type == OH_JV_NULL;
}

static int valid_utf8(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  while (*s) {
    int n = *s < 0x80 ? 0 : *s >= 0xC2 && *s < 0xE0 ? 1 : *s >= 0xE0 && *s < 0xF0 ? 2
            : *s >= 0xF0 && *s < 0xF5 ? 3 : -1, i;
    if (n < 0) return 0;
    for (i = 1; i <= n; i++)
      if ((s[i] & 0xC0) != 0x80) return 0;
    s += n + 1;
  }
  return 1;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (; (hay = strstr(hay, needle)); hay++) n++;
  return n;
}

/* ---- Names. */

static void test_names_are_the_documented_strings(void **state) {
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_FILE), "file");
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_LIBFUZZER), "libfuzzer");
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_AFL), "afl");
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_OPUSHUNT_FUZZ), "opushunt-fuzz");
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_LOG), "log");
  assert_string_equal(oh_triage_origin_name(OH_ORIGIN_VALGRIND_XML), "valgrind-xml");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_RELIABLE), "reliable");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_FLAKY), "flaky");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_NOT_REPRODUCIBLE), "not-reproducible");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_REPORT_ONLY), "report-only");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_EMPTY), "empty");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_GARBAGE), "garbage");
  assert_string_equal(oh_triage_status_name(OH_TSTAT_ERROR), "error");
  assert_string_equal(oh_triage_class_name(OH_CLASS_EXPLOITABLE), "EXPLOITABLE");
  assert_string_equal(oh_triage_class_name(OH_CLASS_PROBABLY_EXPLOITABLE),
                      "PROBABLY_EXPLOITABLE");
  assert_string_equal(oh_triage_class_name(OH_CLASS_NOT_EXPLOITABLE), "NOT_EXPLOITABLE");
  assert_string_equal(oh_triage_attr_name(OH_ATTR_LIBRARY_BUG), "library-bug");
  assert_string_equal(oh_triage_attr_name(OH_ATTR_API_MISUSE), "api-misuse");
  assert_string_equal(oh_triage_attr_name(OH_ATTR_CALLER_BUG), "caller-bug");
  assert_string_equal(oh_triage_attr_name(OH_ATTR_UNKNOWN), "unknown");
  assert_string_equal(oh_triage_known_name(OH_KNOWN_NEW), "new");
  assert_string_equal(oh_triage_known_name(OH_KNOWN_KNOWN), "known");
  assert_string_equal(oh_triage_known_name(OH_KNOWN_SUPPRESSED), "suppressed");
  assert_string_equal(oh_triage_class_name(OH_CLASS_COUNT), "unknown");
}

static void test_only_reliable_flaky_and_logs_have_a_crash(void **state) {
  assert_true(oh_triage_status_has_crash(OH_TSTAT_RELIABLE));
  assert_true(oh_triage_status_has_crash(OH_TSTAT_FLAKY));
  assert_true(oh_triage_status_has_crash(OH_TSTAT_REPORT_ONLY));
  assert_false(oh_triage_status_has_crash(OH_TSTAT_NOT_REPRODUCIBLE));
  assert_false(oh_triage_status_has_crash(OH_TSTAT_EMPTY));
  assert_false(oh_triage_status_has_crash(OH_TSTAT_GARBAGE));
  assert_false(oh_triage_status_has_crash(OH_TSTAT_ERROR));
}

/* ---- JSON. */

static void test_json_counts(void **state) {
  oh_triage *t = fixture();
  size_t len;
  char *text = render(oh_triage_write_json, t, &len);
  oh_jv *root = parse(text, len);
  assert_string_equal(str_at(root, "schema"), "opushunt-triage/1");
  assert_string_equal(str_at(root, "opus_version"), "libopus 1.3.1");
  assert_string_equal(str_at(root, "tools_available.1"), "valgrind");
  assert_int_equal(int_at(root, "counts.inputs"), 8);
  assert_int_equal(int_at(root, "counts.crashing"), 4);
  assert_int_equal(int_at(root, "counts.buckets"), 3);
  assert_int_equal(int_at(root, "counts.new"), 1);
  assert_int_equal(int_at(root, "counts.known"), 1);
  assert_int_equal(int_at(root, "counts.suppressed"), 1);
  assert_int_equal(int_at(root, "counts.flaky"), 1);
  assert_int_equal(int_at(root, "counts.not_reproducible"), 1);
  assert_int_equal(int_at(root, "counts.garbage"), 1);
  assert_int_equal(int_at(root, "counts.empty"), 1);
  assert_int_equal(int_at(root, "counts.errors"), 1);
  assert_int_equal(int_at(root, "counts.report_only"), 1);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "buckets")), 3);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "inputs")), 8);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "notes")), 2);
  oh_jv_free(root);
  free(text);
  fixture_free(t);
}

static void test_json_buckets_and_nulls(void **state) {
  oh_triage *t = fixture();
  size_t len;
  char *text = render(oh_triage_write_json, t, &len);
  oh_jv *root = parse(text, len);
  /* The misuse bucket: every field present, strings round-trip. */
  assert_string_equal(str_at(root, "buckets.0.id"), "3f2a9c1d00e4b7a1");
  assert_string_equal(str_at(root, "buckets.0.class"), "EXPLOITABLE");
  assert_string_equal(str_at(root, "buckets.0.attribution"), "api-misuse");
  assert_string_equal(str_at(root, "buckets.0.rule"), "pcm-capacity");
  assert_string_equal(str_at(root, "buckets.0.description"), t->buckets[0].crash.description);
  assert_int_equal(int_at(root, "buckets.0.fault_index"), 12);
  assert_int_equal(int_at(root, "buckets.0.buffer_offset"), 7680);
  assert_true(oh_jv_path(root, "buckets.0.reliability")->number == 1.0);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "buckets.0.items")), 2);
  assert_int_equal(int_at(root, "buckets.0.items.1"), 1);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "buckets.0.frames")), 3);
  assert_true(oh_jv_path(root, "buckets.0.frames.0.noise")->boolean);
  assert_true(is_null(root, "buckets.0.frames.0.file"));
  assert_true(is_null(root, "buckets.0.frames.0.line"));
  assert_string_equal(str_at(root, "buckets.0.location.file"), "celt/celt_decoder.c");
  assert_int_equal(int_at(root, "buckets.0.location.line"), 401);
  assert_string_equal(str_at(root, "buckets.0.matrix.2.tool"), "msan");
  assert_false(oh_jv_path(root, "buckets.0.matrix.2.ran")->boolean);
  assert_true(is_null(root, "buckets.0.matrix.2.verdict"));
  assert_string_equal(str_at(root, "buckets.0.matrix.1.verdict"), "sanitizer");
  assert_true(is_null(root, "buckets.0.matrix.0.reason"));
  assert_int_equal(int_at(root, "buckets.0.minimised.bytes_after"), 23);
  assert_string_equal(str_at(root, "buckets.0.minimised.head_hex"), "4f4853313c623e2600fffc7c");
  assert_true(is_null(root, "buckets.0.suppression"));
  assert_true(is_null(root, "buckets.0.first_seen"));
  assert_string_equal(str_at(root, "buckets.0.reproduce"), t->buckets[0].reproduce);
  /* The library bug: flaky, known. */
  assert_true(fabs(oh_jv_path(root, "buckets.1.reliability")->number - 2.0 / 3) < 1e-9);
  assert_true(is_null(root, "buckets.1.rule"));
  assert_true(is_null(root, "buckets.1.buffer_offset"));
  assert_string_equal(str_at(root, "buckets.1.known"), "known");
  assert_int_equal(int_at(root, "buckets.1.seen_count"), 7);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "buckets.1.variants")), 2);
  assert_true(is_null(root, "buckets.1.minimised.records_before"));
  assert_int_equal(int_at(root, "buckets.1.minimised.bytes_before"), 900);
  assert_true(is_null(root, "buckets.1.minimised.bytes_after"));
  /* The log: nothing known is null, never 0 or "". */
  assert_true(is_null(root, "buckets.2.location"));
  assert_true(is_null(root, "buckets.2.fault_index"));
  assert_true(is_null(root, "buckets.2.reliability"));
  assert_true(is_null(root, "buckets.2.reproduce"));
  assert_true(is_null(root, "buckets.2.access"));
  assert_true(is_null(root, "buckets.2.minimised.head_hex"));
  assert_int_equal(oh_jv_count(oh_jv_path(root, "buckets.2.frames")), 0);
  assert_string_equal(str_at(root, "buckets.2.suppression.expires"), "2027-01-01");
  /* Inputs. */
  assert_int_equal(int_at(root, "inputs.0.bucket"), 0);
  assert_int_equal(int_at(root, "inputs.0.records"), 30);
  assert_string_equal(str_at(root, "inputs.0.state"), t->buckets[0].state);
  assert_true(is_null(root, "inputs.1.records"));
  assert_string_equal(str_at(root, "inputs.3.origin"), "log");
  assert_true(is_null(root, "inputs.3.fault_index"));
  assert_true(is_null(root, "inputs.4.bucket"));
  assert_true(is_null(root, "inputs.4.state"));
  assert_string_equal(str_at(root, "inputs.4.instance"), "main");
  assert_string_equal(str_at(root, "inputs.4.error"), t->items[4].error);
  assert_string_equal(str_at(root, "inputs.4.status"), "garbage");
  assert_true(is_null(root, "inputs.5.error"));
  assert_non_null(strstr(str_at(root, "inputs.0.path"), "naïve"));
  oh_jv_free(root);
  free(text);
  fixture_free(t);
}

/* ---- SARIF. */

/* Every "region" anywhere must start at a real line. */
static void check_regions(const oh_jv *v) {
  size_t i;
  if (!v) return;
  if (v->type == OH_JV_OBJECT)
    for (i = 0; i < v->len; i++) {
      if (!strcmp(v->keys[i], "region")) {
        int64_t line;
        assert_true(oh_jv_int(oh_jv_get(&v->items[i], "startLine"), &line));
        assert_true(line >= 1);
      }
      check_regions(&v->items[i]);
    }
  else if (v->type == OH_JV_ARRAY)
    for (i = 0; i < v->len; i++) check_regions(&v->items[i]);
}

static int ascii_id(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7E) return 0;
  return 1;
}

static void check_rules(const oh_jv *rules) {
  size_t i, k;
  for (i = 0; i < oh_jv_count(rules); i++) {
    const oh_jv *r = oh_jv_at(rules, i);
    const oh_jv *props = oh_jv_get(r, "properties");
    const char *id = oh_jv_str(oh_jv_get(r, "id")), *sev;
    assert_non_null(id);
    assert_true(ascii_id(id));
    for (k = 0; k < i; k++) assert_string_not_equal(id, str_at(oh_jv_at(rules, k), "id"));
    assert_true(strlen(str_at(r, "shortDescription.text")) > 0);
    assert_true(strlen(str_at(r, "fullDescription.text")) > 0);
    assert_true(strlen(str_at(r, "help.text")) > 0);
    assert_string_equal(str_at(props, "tags.0"), "security");
    assert_string_equal(str_at(props, "tags.1"), "memory-safety");
    sev = oh_jv_str(oh_jv_get(props, "security-severity"));
    assert_non_null(sev);
    if (!strncmp(id, "EXPLOITABLE/", 12)) assert_string_equal(sev, "9.0");
    if (!strncmp(id, "PROBABLY_EXPLOITABLE/", 21)) assert_string_equal(sev, "7.0");
    if (!strncmp(id, "NOT_EXPLOITABLE/", 16)) assert_string_equal(sev, "3.0");
    assert_non_null(oh_jv_str(oh_jv_get(props, "problem.severity")));
  }
}

static void check_results(const oh_jv *results, const oh_jv *rules) {
  size_t i;
  for (i = 0; i < oh_jv_count(results); i++) {
    const oh_jv *r = oh_jv_at(results, i);
    const char *level = str_at(r, "level");
    int64_t index = int_at(r, "ruleIndex");
    assert_true(index >= 0 && (size_t)index < oh_jv_count(rules));
    assert_string_equal(str_at(r, "ruleId"), str_at(oh_jv_at(rules, (size_t)index), "id"));
    assert_true(strlen(str_at(r, "message.text")) > 0);
    assert_true(!strcmp(level, "none") || !strcmp(level, "note") || !strcmp(level, "warning") ||
                !strcmp(level, "error"));
    assert_true(strlen(str_at(r, "locations.0.physicalLocation.artifactLocation.uri")) > 0);
    assert_true(strlen(str_at(r, "partialFingerprints.opushuntCrashState/v1")) > 0);
    assert_int_equal(strlen(str_at(r, "partialFingerprints.opushuntBucket/v1")), 16);
  }
}

static void test_sarif_structure(void **state) {
  oh_triage *t = fixture();
  size_t len;
  char *text = render(oh_triage_write_sarif, t, &len);
  oh_jv *root = parse(text, len);
  const oh_jv *rules, *results;
  assert_string_equal(str_at(root, "version"), "2.1.0");
  assert_string_equal(str_at(root, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
  assert_int_equal(oh_jv_count(oh_jv_path(root, "runs")), 1);
  assert_string_equal(str_at(root, "runs.0.tool.driver.name"), "opushunt");
  assert_true(strlen(str_at(root, "runs.0.tool.driver.version")) > 0);
  assert_true(!strncmp(str_at(root, "runs.0.tool.driver.informationUri"), "https://", 8));
  rules = oh_jv_path(root, "runs.0.tool.driver.rules");
  results = oh_jv_path(root, "runs.0.results");
  assert_int_equal(oh_jv_count(rules), 3);
  assert_int_equal(oh_jv_count(results), 3);
  check_rules(rules);
  check_results(results, rules);
  check_regions(root);
  assert_true(valid_utf8(text));
  oh_jv_free(root);
  free(text);
  fixture_free(t);
}

static void test_sarif_locations(void **state) {
  oh_triage *t = fixture();
  size_t len;
  char *text = render(oh_triage_write_sarif, t, &len);
  oh_jv *root = parse(text, len);
  const oh_jv *run0 = oh_jv_path(root, "runs.0");
  const char *base = str_at(run0, "originalUriBaseIds.LIBOPUS.uri");
  assert_string_equal(base, "https://gitlab.xiph.org/xiph/opus/-/blob/v1.3.1/");
  /* The misuse: its libopus frame, its rule id from class and kind. */
  assert_string_equal(str_at(run0, "results.0.ruleId"), "EXPLOITABLE/heap-buffer-overflow-write");
  assert_string_equal(str_at(run0, "results.0.level"), "error");
  assert_string_equal(str_at(run0, "results.0.locations.0.physicalLocation.artifactLocation.uri"),
                      "celt/celt_decoder.c");
  assert_string_equal(
      str_at(run0, "results.0.locations.0.physicalLocation.artifactLocation.uriBaseId"),
      "LIBOPUS");
  assert_int_equal(int_at(run0, "results.0.locations.0.physicalLocation.region.startLine"), 401);
  assert_non_null(strstr(str_at(run0, "results.0.message.text"), "pcm-capacity"));
  assert_non_null(strstr(str_at(run0, "results.0.message.text"), "packet #12"));
  assert_non_null(strstr(str_at(run0, "results.0.message.text"), "3 of 3"));
  assert_string_equal(str_at(run0, "results.0.baselineState"), "new");
  assert_string_equal(str_at(run0, "results.0.properties.bucket"), "3f2a9c1d00e4b7a1");
  /* The library bug: a warning at celt/bands.c:1234, unchanged. */
  assert_string_equal(str_at(run0, "results.1.ruleId"), "NOT_EXPLOITABLE/segv-read");
  assert_string_equal(str_at(run0, "results.1.level"), "warning");
  assert_int_equal(int_at(run0, "results.1.locations.0.physicalLocation.region.startLine"), 1234);
  assert_string_equal(str_at(run0, "results.1.baselineState"), "unchanged");
  /* Its other libopus frame goes under LIBOPUS too; the primary is not
   * repeated. */
  assert_int_equal(oh_jv_count(oh_jv_path(run0, "results.1.relatedLocations")), 1);
  assert_string_equal(
      str_at(run0, "results.1.relatedLocations.0.physicalLocation.artifactLocation.uri"),
      "celt/bands.c");
  assert_string_equal(
      str_at(run0, "results.1.relatedLocations.0.physicalLocation.artifactLocation.uriBaseId"),
      "LIBOPUS");
  assert_int_equal(int_at(run0, "results.1.relatedLocations.0.physicalLocation.region.startLine"),
                   1500);
  assert_string_equal(str_at(run0, "results.1.relatedLocations.0.message.text"),
                      "frame #1 quant_all_bands");
  /* The log: no frame, so the reproducer file and no region; suppressed. */
  assert_string_equal(str_at(run0, "results.2.ruleId"),
                      "PROBABLY_EXPLOITABLE/stack-buffer-overflow");
  assert_string_equal(str_at(run0, "results.2.locations.0.physicalLocation.artifactLocation.uri"),
                      "logs/asan.log");
  assert_null(oh_jv_path(run0, "results.2.locations.0.physicalLocation.region"));
  assert_string_equal(str_at(run0, "results.2.suppressions.0.kind"), "external");
  assert_non_null(strstr(str_at(run0, "results.2.message.text"), "log only"));
  oh_jv_free(root);
  free(text);
  fixture_free(t);
}

/* A bucket with only an own frame points there; a path with odd bytes
 * becomes a percent-encoded URI; line 0 never becomes a region. */
static void test_sarif_fallback_frame_and_uri(void **state) {
  oh_triage *t = fixture();
  oh_triage_crash *c = &t->buckets[0].crash;
  size_t len;
  char *text;
  oh_jv *root;
  c->lib_file[0] = 0;
  c->nframes = 0;
  frame(c, "memcpy", "", 0, 1);
  frame(c, "my decoder", "app/my dec|oder.c", 0, 0);
  t->buckets[2].rep = -1;
  snprintf(t->buckets[2].min.path, sizeof t->buckets[2].min.path, "/tmp/out dir/r\xff.bin");
  text = render(oh_triage_write_sarif, t, &len);
  root = parse(text, len);
  assert_string_equal(
      str_at(root, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uri"),
      "app/my%20dec%7Coder.c");
  assert_null(oh_jv_path(
      root, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uriBaseId"));
  assert_null(oh_jv_path(root, "runs.0.results.0.locations.0.physicalLocation.region"));
  assert_string_equal(
      str_at(root, "runs.0.results.2.locations.0.physicalLocation.artifactLocation.uri"),
      "file:///tmp/out%20dir/r%FF.bin");
  check_regions(root);
  oh_jv_free(root);
  free(text);
  fixture_free(t);
}

static void test_sarif_and_json_of_an_empty_run(void **state) {
  oh_triage *t = calloc(1, sizeof *t);
  size_t len;
  char *text;
  oh_jv *root;
  assert_non_null(t);
  text = render(oh_triage_write_sarif, t, &len);
  root = parse(text, len);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "runs.0.tool.driver.rules")), 0);
  assert_int_equal(oh_jv_count(oh_jv_path(root, "runs.0.results")), 0);
  assert_non_null(oh_jv_path(root, "runs.0.originalUriBaseIds.LIBOPUS.uri"));
  oh_jv_free(root);
  free(text);
  text = render(oh_triage_write_json, t, &len);
  root = parse(text, len);
  assert_true(is_null(root, "started"));
  assert_int_equal(int_at(root, "counts.inputs"), 0);
  oh_jv_free(root);
  free(text);
  text = render(oh_triage_write_markdown, t, NULL);
  assert_non_null(strstr(text, "No new crashes"));
  free(text);
  free(t);
}

/* ---- Markdown. */

/* Pipes not preceded by a backslash: a row's column separators. */
static int cells(const char *line, size_t n) {
  size_t i;
  int pipes = 0;
  for (i = 0; i < n; i++) pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
  return pipes - 1;
}

static void test_markdown_table_and_escaping(void **state) {
  oh_triage *t = fixture();
  char *text = render(oh_triage_write_markdown, t, NULL), *line, *end;
  int rows = 0;
  assert_true(valid_utf8(text));
  assert_non_null(strstr(text, "1 new crash bucket, 1 known, 1 suppressed"));
  for (line = text; *line; line = end + 1) {
    end = strchr(line, '\n');
    assert_non_null(end);
    if (*line != '|') continue;
    assert_int_equal(cells(line, (size_t)(end - line)), 8);
    rows++;
  }
  assert_int_equal(rows, 2 + 3);
  assert_non_null(strstr(text, "| `3f2a9c1d` | **new** | EXPLOITABLE | "
                               "heap-buffer-overflow(write) in pcm | api-misuse: pcm-capacity | "
                               "#12 | 3/3 | 412 B → 23 B |"));
  assert_non_null(strstr(text, "SEGV(read) \\| \\`odd\\` &lt;b&gt;bold&lt;/b&gt; \\[x\\]"));
  assert_non_null(strstr(text, "| `77aa00bb` | known | NOT_EXPLOITABLE |"));
  assert_non_null(strstr(text, "| 2/3 | 900 B, not minimised |"));
  assert_non_null(strstr(text, "| ? | log only | - |"));
  /* One folded block, for the one new bucket, new buckets listed first. */
  assert_int_equal(count(text, "<details>"), 1);
  assert_true(strstr(text, "3f2a9c1d") < strstr(text, "77aa00bb"));
  assert_non_null(strstr(text, "- Top frames: celt\\_decode\\_with\\_ec (celt/celt\\_decoder.c:401) "
                               "← opus\\_decode\\_frame (src/opus\\_decoder.c:282)\n"));
  assert_non_null(strstr(text, "`4f 48 53 31 3c 62 3e 26 00 ff fc 7c`"));
  /* The command holds ``` so its fence is longer. */
  assert_non_null(strstr(text, "````sh\nopushunt replay --under asan"));
  assert_non_null(strstr(text, "`tick`\n````\n</details>"));
  free(text);
  fixture_free(t);
}

static void test_markdown_five_new_buckets_fit_a_comment(void **state) {
  oh_triage *t = fixture();
  char *text;
  int i;
  t->nbuckets = 5;
  for (i = 0; i < 5; i++) {
    if (i >= 3) t->buckets[i] = t->buckets[i % 2];
    t->buckets[i].known = OH_KNOWN_NEW;
    snprintf(t->buckets[i].id, sizeof t->buckets[i].id, "%08xabcdabcd", 0xabc0 + i);
  }
  text = render(oh_triage_write_markdown, t, NULL);
  assert_non_null(strstr(text, "5 new crash buckets, 0 known, 0 suppressed"));
  assert_int_equal(count(text, "<details>"), 5);
  if (count(text, "\n") >= 60) fail_msg("%zu lines:\n%s", count(text, "\n"), text);
  free(text);
  fixture_free(t);
}

static void test_markdown_without_new_buckets_says_so(void **state) {
  oh_triage *t = fixture();
  char *text;
  t->buckets[0].known = OH_KNOWN_KNOWN;
  text = render(oh_triage_write_markdown, t, NULL);
  assert_non_null(strstr(text, "### opushunt triage: No new crashes (2 known, 1 suppressed)\n"));
  assert_null(strstr(text, "<details>"));
  assert_null(strstr(text, "**new**"));
  free(text);
  fixture_free(t);
}

/* ---- HTML. */

static const char *const tags[] = {
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
    "p", "table", "tr", "th", "td", "a", "code", "pre", "span", "section", "dl", "dt", "dd",
    "ul", "li", NULL};

/* Every '<' opens one of the tags the writer uses. */
static void check_tags(const char *html) {
  const char *p;
  for (p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
    const char *name = p + 1 + (p[1] == '/');
    size_t n = strspn(name, "!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    int i, ok = 0;
    for (i = 0; tags[i]; i++) ok |= strlen(tags[i]) == n && !strncmp(name, tags[i], n);
    if (!ok) fail_msg("unexpected markup at offset %td: %.40s", p - html, p);
  }
}

static void test_html_escapes_everything(void **state) {
  oh_triage *t = fixture();
  char *text = render(oh_triage_write_html, t, NULL);
  assert_true(valid_utf8(text));
  assert_true(!strncmp(text, "<!DOCTYPE html>", 15));
  assert_null(strcasestr(text, "<script"));
  assert_true(count(text, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 3);
  check_tags(text);
  /* Self-contained: nothing fetched, no script. */
  assert_null(strcasestr(text, "http"));
  assert_null(strcasestr(text, "src="));
  assert_null(strcasestr(text, "url("));
  assert_null(strcasestr(text, "@import"));
  assert_non_null(strstr(text, "\\xff\\xfe naïve.bin"));
  assert_non_null(strstr(text, "terminal \\x1b[31mred"));
  free(text);
  fixture_free(t);
}

static void test_html_sections(void **state) {
  oh_triage *t = fixture();
  char *text = render(oh_triage_write_html, t, NULL);
  assert_non_null(strstr(text, "<section class=\"bucket\" id=\"b-3f2a9c1d00e4b7a1\">"));
  assert_non_null(strstr(text, "<a href=\"#b-77aa00bb11cc22dd\">"));
  assert_int_equal(count(text, "<section class=\"bucket\""), 3);
  assert_non_null(strstr(text, "<span class=\"badge suppressed\">suppressed</span>"));
  assert_non_null(strstr(text, "<span class=\"cls EXPLOITABLE\">EXPLOITABLE</span>"));
  assert_non_null(strstr(text, "<tr class=\"noise\"><td>0</td><td>__asan_memcpy</td>"));
  assert_non_null(strstr(text, "WRITE of 4 bytes at offset 7680 of the 7680-byte buffer pcm "
                               "(after-end)"));
  assert_non_null(strstr(text, "<td>skipped: runner &lt;oh-runner-msan&gt; not built</td>"));
  assert_non_null(strstr(text, "<td class=\"same\">sanitizer</td><td class=\"same\">yes</td>"));
  assert_non_null(strstr(text, "<td class=\"clean\">clean</td><td class=\"clean\">no</td>"));
  assert_non_null(strstr(text, "<tr><td>bytes</td><td>412</td><td>23</td></tr>"));
  assert_non_null(strstr(text, "00000000  4f 48 53 31 3c 62 3e 26 00 ff fc 7c "));
  assert_non_null(strstr(text, "|OHS1&lt;b&gt;&amp;...|"));
  assert_non_null(strstr(text, "No stack: the tool reported none."));
  assert_non_null(strstr(text, "<td>#12</td>"));
  assert_non_null(strstr(text, "<h2>Notes</h2>"));
  free(text);
  fixture_free(t);
}

/* ---- Summary. */

static void test_summary_one_line_per_bucket(void **state) {
  oh_triage *t = fixture();
  char *text = render(oh_triage_print_summary, t, NULL);
  const char *p;
  static const char counts[] = "triage: 8 inputs, 4 crashing, 3 buckets (1 new, 1 known, 1 "
                               "suppressed); 1 flaky, 1 not reproducible, 1 report-only, 1 "
                               "garbage, 1 empty, 1 error; 42.2 s\n";
  assert_true(!strncmp(text, counts, strlen(counts)));
  assert_non_null(strstr(text, "\nNEW    3f2a9c1d00e4b7a1  EXPLOITABLE           "
                               "heap-buffer-overflow(write) in pcm  api-misuse: pcm-capacity  "
                               "packet #12  3/3  412 B -> 23 B\n"));
  assert_non_null(strstr(text, "  library-bug  packet #3  2/3  900 B, not minimised\n"));
  assert_non_null(strstr(text, "\nKNOWN  77aa00bb11cc22dd  NOT_EXPLOITABLE       "));
  assert_non_null(strstr(text, "\nSUPPR  0011223344556677  PROBABLY_EXPLOITABLE  "
                               "stack-buffer-overflow  unknown  packet ?  log only  -\n"));
  assert_int_equal(count(text, "\n"), 1 + 3 + 2);
  for (p = text; *p; p++)
    if ((unsigned char)*p < 0x20 && *p != '\n') fail_msg("control byte 0x%02x", *p);
  assert_true(valid_utf8(text));
  free(text);
  fixture_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_are_the_documented_strings),
      cmocka_unit_test(test_only_reliable_flaky_and_logs_have_a_crash),
      cmocka_unit_test(test_json_counts),
      cmocka_unit_test(test_json_buckets_and_nulls),
      cmocka_unit_test(test_sarif_structure),
      cmocka_unit_test(test_sarif_locations),
      cmocka_unit_test(test_sarif_fallback_frame_and_uri),
      cmocka_unit_test(test_sarif_and_json_of_an_empty_run),
      cmocka_unit_test(test_markdown_table_and_escaping),
      cmocka_unit_test(test_markdown_five_new_buckets_fit_a_comment),
      cmocka_unit_test(test_markdown_without_new_buckets_says_so),
      cmocka_unit_test(test_html_escapes_everything),
      cmocka_unit_test(test_html_sections),
      cmocka_unit_test(test_summary_one_line_per_bucket),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
