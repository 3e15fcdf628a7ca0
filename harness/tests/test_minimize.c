/* Tests for the minimiser (minimize.c): fake oracles that stand for "the
 * same crash state" decide what must survive, and each test checks the
 * smallest input left, that every candidate the oracle saw was new (never
 * the same bytes twice) and well formed (scripts parse strictly, valid
 * packets stay valid), that the batch size does not change the result, and
 * that the budgets and an aborting oracle stop it with a valid result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opushunt/minimize.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"
#include "test_util.h"

/* Random bytes packets are made of. */
#define POOL_LEN 4096
static uint8_t pool[POOL_LEN];

static void fill_pool(void) {
  oh_test_rng rng = {0x6d696e};
  size_t i;
  for (i = 0; i < POOL_LEN; i++) pool[i] = (uint8_t)(oh_test_rng_next(&rng) | 1);
}

/* ---- the fake oracle ----------------------------------------------------- */

typedef int (*crash_fn)(const uint8_t *buf, size_t len);

typedef struct seen_cand {
  uint64_t hash;
  uint8_t *bytes;
  size_t len;
} seen_cand;

typedef struct fake {
  crash_fn crash;
  oh_min_layout layout;
  int batch;
  int valid_packets;   /* OH_MIN_PACKET: every candidate must parse */
  int first_byte;      /* >= 0: every candidate starts with it */
  int abort_at;        /* the oracle call that returns -1; 0 none */
  long sleep_ns;       /* per call */
  int calls, tests;
  seen_cand *seen;
  size_t nseen, cap;
} fake;

static uint64_t fnv(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* Fails the test when the oracle already saw these bytes. */
static void remember(fake *f, const uint8_t *p, size_t n) {
  uint64_t h = fnv(p, n);
  size_t i;
  for (i = 0; i < f->nseen; i++)
    if (f->seen[i].hash == h && f->seen[i].len == n && memcmp(f->seen[i].bytes, p, n) == 0)
      fail_msg("candidate %d tested twice: %s", f->tests, oh_test_hex(p, n));
  if (f->nseen == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 256;
    f->seen = realloc(f->seen, f->cap * sizeof *f->seen);
    assert_non_null(f->seen);
  }
  f->seen[f->nseen].hash = h;
  f->seen[f->nseen].len = n;
  f->seen[f->nseen].bytes = malloc(n ? n : 1);
  assert_non_null(f->seen[f->nseen].bytes);
  if (n) memcpy(f->seen[f->nseen].bytes, p, n);
  f->nseen++;
}

static void check_form(const fake *f, const uint8_t *p, size_t n) {
  if (f->layout == OH_MIN_SCRIPT) {
    oh_script s;
    oh_error err;
    if (oh_script_parse(p, n, 1, &s, &err) != OH_OK)
      fail_msg("candidate does not parse: %s", err.reason);
    oh_script_free(&s);
  }
  if (f->valid_packets) {
    oh_packet pkt;
    assert_int_equal(oh_packet_parse(p, n, 0, &pkt, NULL, NULL), OH_OK);
  }
  if (f->first_byte >= 0) {
    assert_true(n >= 1);
    assert_int_equal(p[0], f->first_byte);
  }
}

static int fake_test(void *ctx, const uint8_t *const *bufs, const size_t *lens, int n,
                     int *keep) {
  fake *f = ctx;
  int i;
  assert_true(n >= 1 && n <= f->batch);
  f->calls++;
  if (f->sleep_ns) {
    struct timespec ts = {0, f->sleep_ns};
    nanosleep(&ts, NULL);
  }
  if (f->abort_at && f->calls == f->abort_at) return -1;
  for (i = 0; i < n; i++) {
    assert_int_equal(keep[i], 0);
    remember(f, bufs[i], lens[i]);
    check_form(f, bufs[i], lens[i]);
    keep[i] = f->crash(bufs[i], lens[i]);
    f->tests++;
  }
  return 0;
}

static void fake_init(fake *f, crash_fn crash, oh_min_layout layout, int batch) {
  memset(f, 0, sizeof *f);
  f->crash = crash;
  f->layout = layout;
  f->batch = batch;
  f->first_byte = -1;
}

static void fake_free(fake *f) {
  size_t i;
  for (i = 0; i < f->nseen; i++) free(f->seen[i].bytes);
  free(f->seen);
}

/* Minimises in with the fake; checks the result still crashes and the
 * counts agree. Returns the result (caller frees). */
static uint8_t *minimise(fake *f, const uint8_t *in, size_t len, int max_tests,
                         double max_seconds, size_t *out_len, oh_min_stats *st) {
  oh_min_options opt = {f->batch, max_tests, max_seconds};
  uint8_t *out = NULL;
  oh_error err;
  int rc;
  assert_true(f->crash(in, len));
  rc = oh_minimize(in, len, f->layout, &opt, fake_test, f, &out, out_len, st, &err);
  if (rc != OH_OK) fail_msg("oh_minimize: %s", err.reason);
  assert_non_null(out);
  /* The cost, for whoever tunes the passes. */
  fprintf(stderr, "[minimise] %zu -> %zu bytes, %d tests in %d calls (batch %d), last stage "
          "\"%s\", stopped %d\n", len, *out_len, st->tests, st->oracle_calls, f->batch,
          st->stage, st->stopped);
  assert_true(*out_len <= len);
  assert_true(f->crash(out, *out_len));
  assert_int_equal(st->tests, f->tests);
  assert_int_equal(st->oracle_calls, f->calls);
  assert_int_equal(st->bytes_before, len);
  assert_int_equal(st->bytes_after, *out_len);
  return out;
}

/* ---- building inputs ----------------------------------------------------- */

static oh_script_header header(int api, uint32_t rate, int channels, int frame_size) {
  oh_script_header h;
  memset(&h, 0, sizeof h);
  h.api = api;
  h.rate = rate;
  h.channels = channels;
  h.frame_size = frame_size;
  return h;
}

static void append(oh_script *s, int type, int frame_size, const uint8_t *data, size_t len) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = type;
  r.frame_size = frame_size;
  r.data = len ? data : NULL;
  r.len = len;
  if (type == OH_SREC_CTL) r.value = 256;
  if (type == OH_SREC_RECREATE) {
    r.rate = 48000;
    r.channels = 2;
  }
  assert_int_equal(oh_script_append(s, &r), OH_OK);
}

static uint8_t *write_script(const oh_script *s, size_t *len) {
  size_t need = oh_script_size(s);
  uint8_t *out = malloc(need);
  assert_non_null(out);
  assert_int_equal(oh_script_write(s, out, need, NULL), (long)need);
  *len = need;
  return out;
}

/* A packet from frames cut out of the pool; returns its length. */
static size_t make_packet(uint8_t *out, size_t cap, int config, int stereo, int code, int vbr,
                          size_t padding, const size_t *lens, int nframes) {
  oh_packet_spec spec;
  size_t off = 0;
  long n;
  int i;
  memset(&spec, 0, sizeof spec);
  spec.config = config;
  spec.stereo = stereo;
  spec.code = code;
  spec.vbr = vbr;
  spec.padding_len = padding;
  spec.frame_count = nframes;
  for (i = 0; i < nframes; i++) {
    spec.frame_data[i] = pool + off;
    spec.frame_len[i] = lens[i];
    off += lens[i];
  }
  n = oh_packet_write(&spec, out, cap, NULL);
  assert_true(n > 0);
  return (size_t)n;
}

static size_t frame_bytes(const oh_packet *p) {
  size_t n = 0;
  int i;
  for (i = 0; i < p->frame_count; i++) n += p->frame_len[i];
  return n;
}

static size_t nonzero(const uint8_t *p, size_t n) {
  size_t i, nz = 0;
  for (i = 0; i < n; i++) nz += p[i] != 0;
  return nz;
}

/* ---- a P record with a config-31 packet of >= 100 payload bytes ---------- */

static int crash_config31(const uint8_t *buf, size_t len) {
  oh_script s;
  size_t i;
  int hit = 0;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  for (i = 0; i < s.nrecs && !hit; i++) {
    oh_packet p;
    if (s.recs[i].type != OH_SREC_PACKET) continue;
    if (oh_packet_parse(s.recs[i].data, s.recs[i].len, 0, &p, NULL, NULL) != OH_OK) continue;
    hit = p.toc.config == 31 && frame_bytes(&p) >= 100;
  }
  oh_script_free(&s);
  return hit;
}

/* Eight records of every type; record 2 holds the crash (a 150-byte frame
 * between others, padded), record 4 has config 31 but too few bytes. */
static uint8_t *config31_input(size_t *len) {
  static uint8_t p[5][400];
  static const size_t f0[] = {20}, f2[] = {40, 150, 60}, f4[] = {30, 30}, f6[] = {10},
                      f7[] = {10, 12};
  size_t n0 = make_packet(p[0], 400, 0, 0, 0, 0, 0, f0, 1);
  size_t n2 = make_packet(p[1], 400, 31, 0, 3, 1, 10, f2, 3);
  size_t n4 = make_packet(p[2], 400, 31, 0, 1, 0, 0, f4, 2);
  size_t n6 = make_packet(p[3], 400, 16, 0, 0, 0, 0, f6, 1);
  size_t n7 = make_packet(p[4], 400, 20, 0, 2, 0, 0, f7, 2);
  oh_script_header h = header(OH_SCRIPT_DECODER, 48000, 2, 960);
  oh_script s;
  uint8_t *out;
  h.flags = OH_SCRIPT_F_FLOAT | OH_SCRIPT_F_DIFFERENTIAL;
  oh_script_init(&s, &h);
  append(&s, OH_SREC_PACKET, 0, p[0], n0);
  append(&s, OH_SREC_LOSS, 960, NULL, 0);
  append(&s, OH_SREC_PACKET, 0, p[1], n2);
  append(&s, OH_SREC_CTL, 0, NULL, 0);
  append(&s, OH_SREC_PACKET, 0, p[2], n4);
  append(&s, OH_SREC_RECREATE, 0, NULL, 0);
  append(&s, OH_SREC_FEC, 960, p[3], n6);
  append(&s, OH_SREC_PACKET, 0, p[4], n7);
  out = write_script(&s, len);
  oh_script_free(&s);
  return out;
}

static void test_script_keeps_one_frame_of_exactly_100_bytes(void **state) {
  oh_min_stats st;
  oh_script s;
  oh_packet p;
  fake f;
  size_t len, out_len;
  uint8_t *in = config31_input(&len), *out;
  fake_init(&f, crash_config31, OH_MIN_SCRIPT, 2);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(oh_script_parse(out, out_len, 1, &s, NULL), OH_OK);
  assert_int_equal(s.nrecs, 1);
  assert_int_equal(s.recs[0].type, OH_SREC_PACKET);
  assert_int_equal(oh_packet_parse(s.recs[0].data, s.recs[0].len, 0, &p, NULL, NULL), OH_OK);
  assert_int_equal(p.toc.byte, oh_toc_encode(31, 0, 0));
  assert_int_equal(p.frame_count, 1);
  assert_int_equal(p.frame_len[0], 100);
  assert_int_equal(nonzero(s.recs[0].data + 1, 100), 0);
  /* The header at its simplest: mono, no flags. */
  assert_int_equal(s.h.rate, 48000);
  assert_int_equal(s.h.channels, 1);
  assert_int_equal(s.h.flags, 0);
  assert_int_equal(s.h.frame_size, 960);
  assert_int_equal(out_len, OH_SCRIPT_HEADER_LEN + 3 + 101);
  assert_int_equal(st.records_before, 8);
  assert_int_equal(st.packets_before, 5);
  assert_int_equal(st.records_after, 1);
  assert_int_equal(st.packets_after, 1);
  assert_int_equal(st.stopped, 0);
  assert_string_equal(st.stage, "config");
  oh_script_free(&s);
  free(out);
  free(in);
  fake_free(&f);
}

/* ---- the header rate and a record count ---------------------------------- */

static int crash_rate24k(const uint8_t *buf, size_t len) {
  oh_script s;
  int hit;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  hit = s.h.rate == 24000 && s.nrecs >= 3;
  oh_script_free(&s);
  return hit;
}

static void test_script_keeps_rate_and_three_records_as_losses(void **state) {
  static const size_t one[] = {12};
  oh_script_header h = header(OH_SCRIPT_DECODER, 24000, 2, 480);
  oh_min_stats st;
  oh_script s;
  uint8_t pkt[64], *in, *out;
  size_t len, out_len, n = make_packet(pkt, sizeof pkt, 1, 1, 0, 0, 0, one, 1), i;
  fake f;
  h.flags = 3;
  oh_script_init(&s, &h);
  append(&s, OH_SREC_CTL, 0, NULL, 0);
  for (i = 0; i < 7; i++)
    append(&s, i % 2 ? OH_SREC_LOSS : OH_SREC_PACKET, i % 2 ? 480 : 0, pkt, n);
  in = write_script(&s, &len);
  oh_script_free(&s);
  fake_init(&f, crash_rate24k, OH_MIN_SCRIPT, 1);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(oh_script_parse(out, out_len, 1, &s, NULL), OH_OK);
  assert_int_equal(s.nrecs, 3);
  for (i = 0; i < 3; i++) assert_int_equal(s.recs[i].type, OH_SREC_LOSS);
  assert_int_equal(s.h.rate, 24000);
  assert_int_equal(s.h.channels, 1);
  assert_int_equal(s.h.flags, 0);
  assert_int_equal(s.h.frame_size, 960);
  assert_int_equal(out_len, OH_SCRIPT_HEADER_LEN + 9);
  assert_int_equal(st.packets_after, 0);
  oh_script_free(&s);
  free(out);
  free(in);
  fake_free(&f);
}

/* ---- pipeline: a truncated tail the framing bug needs -------------------- */

/* Walks a pipeline body: complete packets, and the tail's claimed length
 * (-1: no tail of two or more bytes). */
static int pipeline_has_config20(const oh_script *s, long *tail_claim) {
  size_t pos = 0, len = s->body_len;
  const uint8_t *b = s->body;
  int found = 0;
  *tail_claim = -1;
  while (len - pos >= 2) {
    size_t n = (size_t)b[pos] << 8 | b[pos + 1];
    if (n > len - pos - 2) {
      *tail_claim = (long)n;
      break;
    }
    if (n >= 1 && b[pos + 2] >> 3 == 20) found = 1;
    pos += 2 + n;
  }
  return found;
}

static int crash_tail(const uint8_t *buf, size_t len) {
  oh_script s;
  long claim;
  int hit = 0;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  if (s.h.api == OH_SCRIPT_PIPELINE) hit = pipeline_has_config20(&s, &claim) && claim >= 1000;
  oh_script_free(&s);
  return hit;
}

static int crash_config20(const uint8_t *buf, size_t len) {
  oh_script s;
  long claim;
  int hit = 0;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  if (s.h.api == OH_SCRIPT_PIPELINE) hit = pipeline_has_config20(&s, &claim);
  oh_script_free(&s);
  return hit;
}

static void put_entry(uint8_t *body, size_t *n, const uint8_t *p, size_t len) {
  body[(*n)++] = (uint8_t)(len >> 8);
  body[(*n)++] = (uint8_t)len;
  memcpy(body + *n, p, len);
  *n += len;
}

static uint8_t *pipeline_input(size_t *len) {
  static const uint8_t extra[5] = {0, 0, 0x07, 0x80, 0x03}; /* pcm 1920, FEC|FLOAT */
  static const uint8_t tail[9] = {0x03, 0xe8, 1, 2, 3, 4, 5, 6, 7};
  static const size_t f1[] = {10}, f2[] = {30}, f4[] = {5, 5};
  uint8_t body[256], p[64];
  size_t n = 0;
  oh_script_header h = header(OH_SCRIPT_PIPELINE, 48000, 2, 960);
  oh_script s;
  uint8_t *out;
  put_entry(body, &n, p, make_packet(p, sizeof p, 0, 0, 0, 0, 0, f1, 1));
  put_entry(body, &n, p, make_packet(p, sizeof p, 20, 0, 0, 0, 0, f2, 1));
  put_entry(body, &n, p, 0);
  put_entry(body, &n, p, make_packet(p, sizeof p, 20, 0, 1, 0, 0, f4, 2));
  memcpy(body + n, tail, sizeof tail);
  n += sizeof tail;
  h.extra = extra;
  h.extra_len = sizeof extra;
  oh_script_init(&s, &h);
  s.body = body;
  s.body_len = n;
  out = write_script(&s, len);
  oh_script_free(&s);
  return out;
}

static void test_pipeline_keeps_the_truncated_tail(void **state) {
  static const uint8_t want_body[] = {0x00, 0x01, 0xa0, 0x03, 0xe8};
  static const uint8_t want_extra[5] = {0};
  oh_min_stats st;
  oh_script s;
  size_t len, out_len;
  uint8_t *in = pipeline_input(&len), *out;
  fake f;
  fake_init(&f, crash_tail, OH_MIN_SCRIPT, 2);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(st.records_before, 5);
  assert_int_equal(st.packets_before, 3);
  assert_int_equal(st.records_after, 2);
  assert_int_equal(st.packets_after, 1);
  assert_int_equal(oh_script_parse(out, out_len, 1, &s, NULL), OH_OK);
  assert_int_equal(s.body_len, sizeof want_body);
  assert_memory_equal(s.body, want_body, sizeof want_body);
  assert_int_equal(s.h.channels, 1);
  assert_int_equal(s.h.extra_len, 5);
  assert_memory_equal(s.h.extra, want_extra, 5);
  oh_script_free(&s);
  free(out);
  free(in);
  fake_free(&f);
}

static void test_pipeline_drops_a_tail_it_does_not_need(void **state) {
  oh_min_stats st;
  size_t len, out_len;
  uint8_t *in = pipeline_input(&len), *out;
  long packets;
  fake f;
  fake_init(&f, crash_config20, OH_MIN_SCRIPT, 1);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(oh_min_count_records(out, out_len, &packets), 1);
  assert_int_equal(packets, 1);
  assert_int_equal(out_len, OH_SCRIPT_HEADER_LEN + 5 + 3);
  free(out);
  free(in);
  fake_free(&f);
}

/* ---- multistream packets stay multistream -------------------------------- */

/* Splits a 2-stream packet; fails the test when it does not split. */
static void split2(const uint8_t *p, size_t n, oh_packet sub[2]) {
  assert_int_equal(oh_packet_parse(p, n, 1, &sub[0], NULL, NULL), OH_OK);
  assert_int_equal(oh_packet_parse(p + sub[0].packet_len, n - sub[0].packet_len, 0, &sub[1],
                                   NULL, NULL),
                   OH_OK);
}

static int crash_second_stream(const uint8_t *buf, size_t len) {
  oh_script s;
  size_t i;
  int hit = 0;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  for (i = 0; i < s.nrecs; i++) {
    oh_packet sub[2];
    if (s.recs[i].type != OH_SREC_PACKET) continue;
    split2(s.recs[i].data, s.recs[i].len, sub);
    if (sub[1].toc.config == 31 && frame_bytes(&sub[1]) >= 8) hit = 1;
  }
  oh_script_free(&s);
  return hit;
}

static size_t ms_packet(uint8_t *out, int config2) {
  static const size_t f0[] = {10}, f1[] = {20, 20};
  oh_packet_spec spec;
  size_t n;
  memset(&spec, 0, sizeof spec);
  spec.config = 16;
  spec.self_delimited = 1;
  spec.frame_count = 1;
  spec.frame_data[0] = pool;
  spec.frame_len[0] = f0[0];
  n = (size_t)oh_packet_write(&spec, out, 64, NULL);
  return n + make_packet(out + n, 64, config2, 0, 1, 0, 0, f1, 2);
}

static void test_multistream_packets_stay_multistream(void **state) {
  static const uint8_t mapping[2] = {0, 1};
  oh_script_header h = header(OH_SCRIPT_MULTISTREAM, 48000, 2, 960);
  oh_min_stats st;
  oh_script s;
  oh_packet sub[2];
  uint8_t a[128], b[128], *in, *out;
  size_t na = ms_packet(a, 31), nb = ms_packet(b, 30), len, out_len;
  fake f;
  h.streams = 2;
  h.family = 1;
  h.extra = mapping;
  h.extra_len = 2;
  oh_script_init(&s, &h);
  append(&s, OH_SREC_PACKET, 0, b, nb);
  append(&s, OH_SREC_LOSS, 960, NULL, 0);
  append(&s, OH_SREC_PACKET, 0, a, na);
  append(&s, OH_SREC_CTL, 0, NULL, 0);
  in = write_script(&s, &len);
  oh_script_free(&s);
  fake_init(&f, crash_second_stream, OH_MIN_SCRIPT, 2);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(oh_script_parse(out, out_len, 1, &s, NULL), OH_OK);
  assert_int_equal(s.nrecs, 1);
  split2(s.recs[0].data, s.recs[0].len, sub);
  assert_int_equal(sub[0].packet_len, 2); /* TOC and a zero self-delimiting length */
  assert_int_equal(sub[1].frame_count, 1);
  assert_int_equal(sub[1].frame_len[0], 8);
  assert_int_equal(s.recs[0].len, 11);
  assert_int_equal(s.h.channels, 2); /* tied to the mapping: left alone */
  assert_int_equal(s.h.streams, 2);
  oh_script_free(&s);
  free(out);
  free(in);
  fake_free(&f);
}

/* ---- one raw packet ------------------------------------------------------ */

static const uint8_t MARK[4] = {0xde, 0xad, 0xbe, 0xef};

static int crash_marked_frame(const uint8_t *buf, size_t len) {
  oh_packet p;
  int i;
  size_t j;
  if (oh_packet_parse(buf, len, 0, &p, NULL, NULL) != OH_OK) return 0;
  for (i = 0; i < p.frame_count; i++)
    for (j = 0; j + 4 <= p.frame_len[i]; j++)
      if (memcmp(buf + p.frame_offset[i] + j, MARK, 4) == 0) return 1;
  return 0;
}

/* A VBR code-3 packet of four frames, padded, the mark inside frame 2. */
static size_t marked_packet(uint8_t *out, size_t cap) {
  static const size_t lens[] = {20, 30, 20, 15};
  uint8_t saved[4];
  size_t n;
  memcpy(saved, pool + 60, 4);
  memcpy(pool + 60, MARK, 4); /* frame 2 starts at 50 */
  n = make_packet(out, cap, 12, 1, 3, 1, 5, lens, 4);
  memcpy(pool + 60, saved, 4);
  return n;
}

static void test_packet_keeps_only_the_frame_that_matters(void **state) {
  oh_min_stats st;
  uint8_t in[256], *out;
  size_t len = marked_packet(in, sizeof in), out_len;
  fake f;
  fake_init(&f, crash_marked_frame, OH_MIN_PACKET, 2);
  f.valid_packets = 1;
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(out_len, 5);
  assert_int_equal(out[0], oh_toc_encode(12, 1, 0));
  assert_memory_equal(out + 1, MARK, 4);
  assert_int_equal(st.records_before, -1);
  assert_int_equal(st.records_after, -1);
  free(out);
  fake_free(&f);
}

static int crash_bad_code2(const uint8_t *buf, size_t len) {
  oh_packet p;
  return len >= 3 && buf[0] == 0xfe && oh_packet_parse(buf, len, 0, &p, NULL, NULL) != OH_OK;
}

static void test_invalid_packet_is_shortened_behind_its_toc(void **state) {
  static const uint8_t in[] = {0xfe, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78, 0x9a};
  oh_min_stats st;
  oh_packet p;
  uint8_t *out;
  size_t out_len;
  fake f;
  fake_init(&f, crash_bad_code2, OH_MIN_PACKET, 1);
  f.first_byte = 0xfe;
  out = minimise(&f, in, sizeof in, 0, 0, &out_len, &st);
  assert_int_equal(out_len, 3);
  assert_int_not_equal(oh_packet_parse(out, out_len, 0, &p, NULL, NULL), OH_OK);
  free(out);
  fake_free(&f);
}

/* ---- plain bytes --------------------------------------------------------- */

static int crash_bug_word(const uint8_t *buf, size_t len) {
  size_t i;
  if (len < 10) return 0;
  for (i = 0; i + 3 <= len; i++)
    if (memcmp(buf + i, "BUG", 3) == 0) return 1;
  return 0;
}

static void test_bytes_keep_the_word_and_zero_the_rest(void **state) {
  oh_min_stats st;
  uint8_t in[200], *out;
  size_t out_len;
  fake f;
  memcpy(in, pool + 1000, sizeof in);
  memcpy(in + 77, "BUG", 3);
  fake_init(&f, crash_bug_word, OH_MIN_BYTES, 2);
  out = minimise(&f, in, sizeof in, 0, 0, &out_len, &st);
  assert_int_equal(out_len, 10);
  assert_int_equal(nonzero(out, out_len), 3);
  assert_string_equal(st.stage, "bytes");
  free(out);
  fake_free(&f);
}

/* ---- determinism, budgets, aborts ---------------------------------------- */

static void expect_same_for_any_batch(crash_fn crash, oh_min_layout layout, const uint8_t *in,
                                      size_t len) {
  oh_min_stats st[3];
  uint8_t *out[3];
  size_t out_len[3];
  int b;
  for (b = 0; b < 3; b++) {
    fake f;
    fake_init(&f, crash, layout, b + 1);
    f.valid_packets = layout == OH_MIN_PACKET;
    out[b] = minimise(&f, in, len, 0, 0, &out_len[b], &st[b]);
    fake_free(&f);
  }
  for (b = 1; b < 3; b++) {
    assert_int_equal(out_len[b], out_len[0]);
    assert_memory_equal(out[b], out[0], out_len[0]);
    assert_string_equal(st[b].stage, st[0].stage);
    assert_true(st[b].oracle_calls < st[0].oracle_calls);
  }
  for (b = 0; b < 3; b++) free(out[b]);
}

static void test_batch_size_does_not_change_the_result(void **state) {
  uint8_t pkt[256], *in;
  size_t len;
  in = config31_input(&len);
  expect_same_for_any_batch(crash_config31, OH_MIN_SCRIPT, in, len);
  free(in);
  in = pipeline_input(&len);
  expect_same_for_any_batch(crash_tail, OH_MIN_SCRIPT, in, len);
  free(in);
  len = marked_packet(pkt, sizeof pkt);
  expect_same_for_any_batch(crash_marked_frame, OH_MIN_PACKET, pkt, len);
}

static void test_max_tests_stops_with_a_crashing_script(void **state) {
  oh_min_stats st;
  size_t len, out_len;
  uint8_t *in = config31_input(&len), *out;
  fake f;
  fake_init(&f, crash_config31, OH_MIN_SCRIPT, 2);
  out = minimise(&f, in, len, 7, 0, &out_len, &st);
  assert_int_equal(st.stopped, 1);
  assert_int_equal(st.tests, 7);
  assert_true(out_len < len);
  free(out);
  free(in);
  fake_free(&f);
}

static void test_max_seconds_stops_between_calls(void **state) {
  oh_min_stats st;
  size_t len, out_len;
  uint8_t *in = config31_input(&len), *out;
  fake f;
  fake_init(&f, crash_config31, OH_MIN_SCRIPT, 1);
  f.sleep_ns = 10 * 1000 * 1000;
  out = minimise(&f, in, len, 0, 0.05, &out_len, &st);
  assert_int_equal(st.stopped, 2);
  assert_true(st.oracle_calls >= 1 && st.oracle_calls <= 10);
  free(out);
  free(in);
  fake_free(&f);
}

static void test_oracle_abort_keeps_the_best_so_far(void **state) {
  oh_min_stats st;
  size_t len, out_len;
  uint8_t *in = config31_input(&len), *out;
  fake f;
  fake_init(&f, crash_config31, OH_MIN_SCRIPT, 1);
  f.abort_at = 4;
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_int_equal(st.stopped, 3);
  assert_int_equal(st.oracle_calls, 4);
  assert_int_equal(st.tests, 3);
  assert_true(out_len < len); /* the first calls removed records */
  free(out);
  free(in);
  fake_free(&f);
}

static const uint8_t *exact_input;
static size_t exact_len;

static int crash_exact(const uint8_t *buf, size_t len) {
  return len == exact_len && memcmp(buf, exact_input, len) == 0;
}

static void test_nothing_shrinks_returns_a_copy(void **state) {
  oh_min_stats st;
  size_t len, out_len;
  uint8_t *in = config31_input(&len), *out;
  fake f;
  exact_input = in;
  exact_len = len;
  fake_init(&f, crash_exact, OH_MIN_SCRIPT, 2);
  out = minimise(&f, in, len, 0, 0, &out_len, &st);
  assert_ptr_not_equal(out, in);
  assert_int_equal(out_len, len);
  assert_memory_equal(out, in, len);
  assert_string_equal(st.stage, "");
  assert_int_equal(st.stopped, 0);
  assert_true(st.tests > 0);
  assert_int_equal(st.records_after, st.records_before);
  free(out);
  free(in);
  fake_free(&f);
}

/* ---- random scripts ------------------------------------------------------ */

/* The random oracle: at least this many records (pipeline: framed packets
 * and tail) holding at least this many packet bytes. */
static size_t rnd_records, rnd_bytes;

static int script_totals(const uint8_t *buf, size_t len, size_t *recs, size_t *bytes) {
  oh_script s;
  size_t i, pos = 0;
  if (oh_script_parse(buf, len, 1, &s, NULL) != OH_OK) return 0;
  *recs = s.nrecs;
  *bytes = 0;
  for (i = 0; i < s.nrecs; i++) *bytes += s.recs[i].len;
  while (s.body_len - pos >= 2) {
    size_t n = (size_t)s.body[pos] << 8 | s.body[pos + 1];
    if (n > s.body_len - pos - 2) break;
    ++*recs;
    *bytes += n;
    pos += 2 + n;
  }
  if (pos < s.body_len) ++*recs;
  oh_script_free(&s);
  return 1;
}

static int crash_random(const uint8_t *buf, size_t len) {
  size_t recs, bytes;
  return script_totals(buf, len, &recs, &bytes) && recs >= rnd_records && bytes >= rnd_bytes;
}

/* A valid packet of a random shape, or random bytes. */
static size_t random_packet(oh_test_rng *r, uint8_t *out, size_t cap) {
  size_t lens[OH_MAX_FRAMES], n = oh_test_rng_below(r, 40), i;
  int config = (int)oh_test_rng_below(r, 32), code = (int)oh_test_rng_below(r, 4);
  int nframes = code == 0 ? 1 : code < 3 ? 2 : 1 + (int)oh_test_rng_below(r, 4);
  int vbr = code == 2 || (code == 3 && oh_test_rng_below(r, 2));
  oh_packet_spec spec;
  long w;
  memset(&spec, 0, sizeof spec);
  for (i = 0; i < (size_t)nframes; i++) {
    lens[i] = vbr || i == 0 ? oh_test_rng_below(r, 30) : lens[0];
    spec.frame_data[i] = pool + oh_test_rng_below(r, 1000);
    spec.frame_len[i] = lens[i];
  }
  spec.config = config;
  spec.stereo = (int)oh_test_rng_below(r, 2);
  spec.code = code;
  spec.vbr = code == 3 && vbr;
  spec.padding_len = code == 3 ? oh_test_rng_below(r, 6) : 0;
  spec.frame_count = nframes;
  w = oh_test_rng_below(r, 3) ? oh_packet_write(&spec, out, cap, NULL) : -1;
  if (w > 0) return (size_t)w;
  memcpy(out, pool + oh_test_rng_below(r, 1000), n);
  return n;
}

static uint8_t *random_script(oh_test_rng *r, uint8_t *store, size_t *len) {
  static const int apis[] = {OH_SCRIPT_DECODER, OH_SCRIPT_MULTISTREAM, OH_SCRIPT_CUSTOM,
                             OH_SCRIPT_REPACKETIZER, OH_SCRIPT_PIPELINE};
  static const uint8_t extra[5] = {0, 0, 1, 0, 7};
  int api = apis[oh_test_rng_below(r, 5)];
  oh_script_header h = header(api, oh_test_rng_below(r, 2) ? 48000 : 16000,
                              1 + (int)oh_test_rng_below(r, 2), 960);
  size_t nrecs = oh_test_rng_below(r, 12), i, pos = 0, body = 0;
  oh_script s;
  uint8_t *out;
  h.flags = (int)oh_test_rng_below(r, 8);
  if (api == OH_SCRIPT_MULTISTREAM) {
    h.streams = 2;
    h.family = 1;
    h.extra = (const uint8_t *)"\0\1";
    h.extra_len = 2;
  }
  if (api == OH_SCRIPT_PIPELINE) {
    h.extra = extra;
    h.extra_len = sizeof extra;
  }
  oh_script_init(&s, &h);
  for (i = 0; i < nrecs; i++) {
    static const int types[] = {OH_SREC_PACKET, OH_SREC_PACKET, OH_SREC_LOSS, OH_SREC_FEC,
                                OH_SREC_CTL, OH_SREC_RECREATE};
    int type = types[oh_test_rng_below(r, 6)];
    size_t n = api == OH_SCRIPT_MULTISTREAM && oh_test_rng_below(r, 2)
                   ? ms_packet(store + pos, 20 + (int)oh_test_rng_below(r, 12))
                   : random_packet(r, store + pos, 256);
    if (api == OH_SCRIPT_PIPELINE) {
      store[4096 + body++] = (uint8_t)(n >> 8);
      store[4096 + body++] = (uint8_t)n;
      memcpy(store + 4096 + body, store + pos, n);
      body += n;
    } else {
      append(&s, type, 480, store + pos, type == OH_SREC_PACKET || type == OH_SREC_FEC ? n : 0);
    }
    pos += n;
  }
  if (api == OH_SCRIPT_PIPELINE) {
    if (oh_test_rng_below(r, 2)) {
      store[4096 + body++] = 0x7f; /* a tail claiming more than is left */
      store[4096 + body++] = 0xff;
      body += 1 + oh_test_rng_below(r, 5);
    }
    s.body = store + 4096;
    s.body_len = body;
  }
  out = write_script(&s, len);
  oh_script_free(&s);
  return out;
}

/* Random scripts of every api under a structural oracle: every candidate
 * parses and is new, the result holds, and batch 1 and 3 agree. */
static void test_random_scripts_keep_their_invariants(void **state) {
  static uint8_t store[8192];
  oh_test_rng r;
  long it, n = oh_test_iterations(60);
  oh_test_rng_init(&r, 77, "random scripts");
  for (it = 0; it < n; it++) {
    oh_min_stats st[2];
    size_t len, out_len[2], recs, bytes;
    uint8_t *in = random_script(&r, store, &len), *out[2];
    int b;
    assert_true(script_totals(in, len, &recs, &bytes));
    rnd_records = oh_test_rng_below(&r, (uint32_t)recs + 1);
    rnd_bytes = oh_test_rng_below(&r, (uint32_t)bytes + 1);
    for (b = 0; b < 2; b++) {
      fake f;
      fake_init(&f, crash_random, OH_MIN_SCRIPT, 1 + 2 * b);
      out[b] = minimise(&f, in, len, 0, 0, &out_len[b], &st[b]);
      fake_free(&f);
    }
    assert_int_equal(out_len[0], out_len[1]);
    assert_memory_equal(out[0], out[1], out_len[0]);
    assert_true(script_totals(out[0], out_len[0], &recs, &bytes));
    assert_true(recs >= rnd_records && bytes >= rnd_bytes);
    if (rnd_bytes == 0) assert_int_equal(recs, rnd_records); /* else bytes may need more */
    free(out[0]);
    free(out[1]);
    free(in);
  }
}

/* ---- errors -------------------------------------------------------------- */

static int crash_always(const uint8_t *buf, size_t len) { return 1; }

static void test_malformed_script_fail(void **state) {
  static const uint8_t bad_api[20] = {'O', 'H', 'S', '1', 9};
  oh_min_options opt = {1, 0, 0};
  oh_error err;
  uint8_t *out = (uint8_t *)1, *in;
  size_t out_len, len;
  fake f;
  fake_init(&f, crash_always, OH_MIN_SCRIPT, 1);
  assert_int_equal(oh_minimize(bad_api, sizeof bad_api, OH_MIN_SCRIPT, &opt, fake_test, &f,
                               &out, &out_len, NULL, &err),
                   OH_ERR_MALFORMED);
  assert_null(out);
  assert_int_equal(err.code, OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 4);
  /* A record cut short: its offset, from the strict parser. */
  in = config31_input(&len);
  assert_int_equal(oh_minimize(in, len - 1, OH_MIN_SCRIPT, &opt, fake_test, &f, &out, &out_len,
                               NULL, &err),
                   OH_ERR_MALFORMED);
  assert_true(err.offset > OH_SCRIPT_HEADER_LEN && err.offset < len);
  assert_int_equal(f.calls, 0);
  /* The same bytes as plain bytes are fine. */
  f.layout = OH_MIN_BYTES;
  out = minimise(&f, in, len - 1, 0, 0, &out_len, &(oh_min_stats){0});
  assert_int_equal(out_len, 0);
  free(out);
  free(in);
  fake_free(&f);
}

static void test_bad_arguments_fail(void **state) {
  uint8_t *out;
  size_t out_len;
  oh_error err;
  assert_int_equal(oh_minimize((const uint8_t *)"x", 1, OH_MIN_BYTES, NULL, NULL, NULL, &out,
                               &out_len, NULL, &err),
                   OH_ERR_ARG);
  assert_int_equal(oh_minimize((const uint8_t *)"x", 1, (oh_min_layout)7, NULL, fake_test,
                               NULL, &out, &out_len, NULL, &err),
                   OH_ERR_ARG);
}

/* ---- counting ------------------------------------------------------------ */

static void test_count_records(void **state) {
  static const uint8_t garbage[] = "not a script";
  size_t len;
  long packets = 0;
  uint8_t *in = config31_input(&len);
  assert_int_equal(oh_min_count_records(in, len, &packets), 8);
  assert_int_equal(packets, 5); /* four P and one F */
  assert_int_equal(oh_min_count_records(in, len, NULL), 8);
  assert_int_equal(oh_min_count_records(in, len - 1, &packets), -1);
  assert_int_equal(packets, -1);
  assert_int_equal(oh_min_count_records(in, OH_SCRIPT_HEADER_LEN, &packets), 0);
  assert_int_equal(packets, 0);
  free(in);
  in = pipeline_input(&len);
  assert_int_equal(oh_min_count_records(in, len, &packets), 5); /* 4 framed, 1 tail */
  assert_int_equal(packets, 3);                                   /* not the empty one */
  free(in);
  assert_int_equal(oh_min_count_records(garbage, sizeof garbage, &packets), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_script_keeps_one_frame_of_exactly_100_bytes),
      cmocka_unit_test(test_script_keeps_rate_and_three_records_as_losses),
      cmocka_unit_test(test_pipeline_keeps_the_truncated_tail),
      cmocka_unit_test(test_pipeline_drops_a_tail_it_does_not_need),
      cmocka_unit_test(test_multistream_packets_stay_multistream),
      cmocka_unit_test(test_packet_keeps_only_the_frame_that_matters),
      cmocka_unit_test(test_invalid_packet_is_shortened_behind_its_toc),
      cmocka_unit_test(test_bytes_keep_the_word_and_zero_the_rest),
      cmocka_unit_test(test_batch_size_does_not_change_the_result),
      cmocka_unit_test(test_max_tests_stops_with_a_crashing_script),
      cmocka_unit_test(test_max_seconds_stops_between_calls),
      cmocka_unit_test(test_oracle_abort_keeps_the_best_so_far),
      cmocka_unit_test(test_nothing_shrinks_returns_a_copy),
      cmocka_unit_test(test_random_scripts_keep_their_invariants),
      cmocka_unit_test(test_malformed_script_fail),
      cmocka_unit_test(test_bad_arguments_fail),
      cmocka_unit_test(test_count_records),
  };
  fill_pool();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
