/* Unit tests of the structure-aware mutators (mutators/): validity rates of
 * mutants per target at the default, zero and full rule-breaking
 * probability; determinism; every operator reached; outputs within max_out
 * (written against a guard page); garbage, empty and huge inputs (read from
 * a guard page); trimming that never grows and keeps scripts parseable;
 * crossover; rule-breaking operators that break exactly their rule. Seeds
 * are built here with oh_script_write and oh_packet_write from the real
 * packets of corpus/samples/tone-20ms-stereo-32k.lp16be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "opushunt/mutate.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"
#include "test_util.h"

#define MAX_OUT 65536

/* ---- Seeds ------------------------------------------------------------- */

typedef struct tinfo {
  const char *name;
  int api;     /* -1: the packet target */
  int streams; /* streams per packet in the seeds */
  int opus;    /* packets are Opus packets (custom: raw CELT frames) */
} tinfo;

static const tinfo script_targets[] = {
    {"stream", OH_SCRIPT_DECODER, 1, 1},
    {"multistream", OH_SCRIPT_MULTISTREAM, 2, 1},
    {"projection", OH_SCRIPT_PROJECTION, 2, 1},
    {"custom", OH_SCRIPT_CUSTOM, 1, 0},
    {"repacketizer", OH_SCRIPT_REPACKETIZER, 1, 1},
    {"pipeline", OH_SCRIPT_PIPELINE, 1, 1},
};
#define N_SCRIPT_TARGETS (sizeof script_targets / sizeof script_targets[0])

typedef struct buf {
  uint8_t *p;
  size_t n;
} buf;

/* The real packets (hybrid FB 20 ms stereo, code 0) of the lp16be sample. */
static buf real[64];
static size_t n_real;
/* Every packet any seed holds, for telling mutated packets from copies. */
static buf seen[1024];
static size_t n_seen;

static buf keep(const uint8_t *p, size_t n) {
  buf b = {malloc(n ? n : 1), n};
  assert_non_null(b.p);
  if (n) memcpy(b.p, p, n);
  return b;
}

static void note_packet(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n_seen; i++)
    if (seen[i].n == n && (n == 0 || memcmp(seen[i].p, p, n) == 0)) return;
  assert_true(n_seen < sizeof seen / sizeof seen[0]);
  seen[n_seen++] = keep(p, n);
}

static int is_seen(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n_seen; i++)
    if (seen[i].n == n && (n == 0 || memcmp(seen[i].p, p, n) == 0)) return 1;
  return 0;
}

static void load_real(void) {
  size_t len = 0, pos = 0;
  uint8_t *d;
  if (n_real) return;
  d = oh_test_sample("tone-20ms-stereo-32k.lp16be", &len);
  while (len - pos >= 2 && n_real < sizeof real / sizeof real[0]) {
    size_t n = (size_t)(d[pos] << 8 | d[pos + 1]);
    assert_true(n <= len - pos - 2);
    real[n_real++] = keep(d + pos + 2, n);
    pos += 2 + n;
  }
  free(d);
  assert_true(n_real >= 40);
}

/* Packet i of a seed: a real packet rewritten with code c (0..3), frames
 * taken from real packets, padding on code 3; self-delimited when sd. */
static size_t make_packet(uint8_t *out, size_t cap, size_t i, int code, int sd) {
  oh_packet_spec s;
  oh_packet pkt;
  int f;
  long n;
  assert_int_equal(oh_packet_parse(real[i % n_real].p, real[i % n_real].n, 0, &pkt,
                                   NULL, NULL), OH_OK);
  oh_packet_to_spec(&pkt, real[i % n_real].p, sd, &s);
  s.config = code == 3 ? 19 : s.config; /* CELT 20 ms NB: 6 frames fit */
  s.code = code;
  s.frame_count = code == 0 ? 1 : code < 3 ? 2 : 3;
  s.vbr = code == 3 && i % 2;
  s.padding_len = code == 3 ? i % 300 : 0;
  for (f = 1; f < s.frame_count; f++) {
    s.frame_data[f] = s.frame_data[0];
    s.frame_len[f] = s.frame_len[0];
    if (code == 2 || s.vbr) s.frame_len[f] = s.frame_len[0] / (size_t)(f + 1);
  }
  n = oh_packet_write(&s, out, cap, NULL);
  assert_true(n > 0);
  return (size_t)n;
}

/* A multistream packet: streams-1 self-delimited streams, then a plain one,
 * all of the same duration. */
static size_t make_ms_packet(uint8_t *out, size_t cap, size_t i, int streams) {
  size_t pos = 0;
  int k;
  for (k = 0; k < streams; k++)
    pos += make_packet(out + pos, cap - pos, i + (size_t)k, (int)(i % 2) * 2,
                       k < streams - 1);
  return pos;
}

static void header_for(const tinfo *t, int streams, oh_script_header *h) {
  static const uint8_t map3[3] = {0, 1, 2}, pextra[5] = {0, 0, 0, 0, 0};
  static uint8_t identity[32];
  static const uint8_t map2[2] = {0, 1};
  int i;
  memset(h, 0, sizeof *h);
  h->api = t->api;
  h->channels = 2;
  h->rate = 48000;
  h->frame_size = 960;
  if (t->api == OH_SCRIPT_MULTISTREAM) {
    h->streams = streams;
    h->coupled = streams == 2 ? 1 : 0;
    h->channels = streams == 2 ? 2 : 3;
    h->extra = streams == 2 ? map2 : map3;
    h->extra_len = (size_t)h->channels;
  } else if (t->api == OH_SCRIPT_PROJECTION) {
    for (i = 0; i < 4; i++) identity[2 * (i * 4 + i)] = 0xff, identity[2 * (i * 4 + i) + 1] = 0x7f;
    h->channels = 4;
    h->streams = 2;
    h->coupled = 2;
    h->family = 3;
    h->extra = identity;
    h->extra_len = sizeof identity;
  } else if (t->api == OH_SCRIPT_CUSTOM) {
    h->custom_frame = 960;
  } else if (t->api == OH_SCRIPT_PIPELINE) {
    h->extra = pextra;
    h->extra_len = sizeof pextra;
  }
}

/* Seed v of a script target: v 0 real packets with a loss, an FEC record
 * and CTLs; v 1 every packing code; v 2 one packet; v 3 (multistream) three
 * streams. */
static buf make_script(const tinfo *t, int v) {
  static uint8_t pk[40][8192];
  uint8_t body[40 * 8200], *out = malloc(MAX_OUT);
  oh_script s;
  oh_script_header h;
  oh_script_record r;
  int streams = v == 3 ? 3 : t->streams, n = v == 2 ? 1 : v == 1 ? 8 : 14, i;
  size_t bl = 0;
  long w;
  buf b;
  assert_non_null(out);
  header_for(t, streams, &h);
  oh_script_init(&s, &h);
  for (i = 0; i < n; i++) {
    size_t len = streams > 1 ? make_ms_packet(pk[i], sizeof pk[i], (size_t)(i + v), streams)
                 : v == 1 ? make_packet(pk[i], sizeof pk[i], (size_t)i, i % 4, 0)
                          : real[(size_t)i % n_real].n;
    if (streams == 1 && v != 1) memcpy(pk[i], real[(size_t)i % n_real].p, len);
    note_packet(pk[i], len);
    memset(&r, 0, sizeof r);
    r.type = OH_SREC_PACKET;
    r.data = pk[i];
    r.len = len;
    if (t->api == OH_SCRIPT_PIPELINE) {
      body[bl++] = (uint8_t)(len >> 8);
      body[bl++] = (uint8_t)len;
      memcpy(body + bl, pk[i], len);
      bl += len;
      continue;
    }
    assert_int_equal(oh_script_append(&s, &r), OH_OK);
    if (v == 0 && i == 3) {
      r.type = OH_SREC_LOSS;
      r.frame_size = 960;
      assert_int_equal(oh_script_append(&s, &r), OH_OK);
      r.type = OH_SREC_FEC;
      assert_int_equal(oh_script_append(&s, &r), OH_OK);
    }
    if (v == 0 && i == 6) {
      memset(&r, 0, sizeof r);
      r.type = OH_SREC_CTL;
      r.ctl = OH_CTL_SET_GAIN;
      r.value = -256;
      assert_int_equal(oh_script_append(&s, &r), OH_OK);
      r.type = OH_SREC_RECREATE;
      r.rate = 16000;
      r.channels = h.channels;
      assert_int_equal(oh_script_append(&s, &r), OH_OK);
    }
  }
  if (t->api == OH_SCRIPT_PIPELINE) {
    s.body = body;
    s.body_len = bl;
  }
  w = oh_script_write(&s, out, MAX_OUT, NULL);
  oh_script_free(&s);
  assert_true(w > 0);
  b.p = out;
  b.n = (size_t)w;
  return b;
}

static int n_seeds(const tinfo *t) { return t->api == OH_SCRIPT_MULTISTREAM ? 4 : 3; }

/* Seed packets of the packet target: real packets in every packing code. */
static buf packet_seed(size_t i) {
  uint8_t tmp[8192];
  size_t n = make_packet(tmp, sizeof tmp, i, (int)(i % 4), 0);
  note_packet(tmp, n);
  return keep(tmp, n);
}

static int setup(void **state) {
  (void)state;
  load_real();
  return 0;
}

/* ---- Checking outputs ---------------------------------------------------- */

typedef struct rates {
  long outputs, strict, packets, valid, fresh, fresh_valid, tiled;
} rates;

/* Counts one packet (of streams streams). */
static void count_packet(rates *r, int streams, const uint8_t *p, size_t n) {
  int ok = oh_mutate_packet_check(streams, p, n, NULL) == OH_OK;
  r->packets++;
  r->valid += ok;
  if (!is_seen(p, n)) {
    r->fresh++;
    r->fresh_valid += ok;
  }
}

/* The pipeline body: 1 when its entries tile it; only then are they
 * counted as packets (a lying length reads random bytes as packets). */
static int count_body(rates *r, const uint8_t *b, size_t len, int count) {
  size_t pos = 0;
  while (len - pos >= 2) {
    size_t n = (size_t)(b[pos] << 8 | b[pos + 1]);
    if (n > len - pos - 2) return 0;
    if (count && n > 0) count_packet(r, 1, b + pos + 2, n);
    pos += 2 + n;
  }
  if (pos == len && !count) count_body(r, b, len, 1);
  return pos == len;
}

static void check_output(const tinfo *t, const uint8_t *out, size_t n, rates *r) {
  oh_script s;
  size_t i;
  r->outputs++;
  if (t->api < 0) {
    r->strict++;
    count_packet(r, 1, out, n);
    return;
  }
  if (oh_script_parse(out, n, 1, &s, NULL) != OH_OK) return;
  if (s.h.api == t->api) r->strict++;
  if (t->api == OH_SCRIPT_PIPELINE) {
    r->tiled += count_body(r, s.body, s.body_len, 0);
  } else if (t->opus) {
    int streams = t->api == OH_SCRIPT_MULTISTREAM || t->api == OH_SCRIPT_PROJECTION
                      ? (s.h.streams ? s.h.streams : 1) : 1;
    for (i = 0; i < s.nrecs; i++)
      if (s.recs[i].type == OH_SREC_PACKET || s.recs[i].type == OH_SREC_FEC)
        count_packet(r, streams, s.recs[i].data, s.recs[i].len);
  }
  oh_script_free(&s);
}

static double pct(long a, long b) { return b ? 100.0 * (double)a / (double)b : 100.0; }

/* iters one-step mutants of the target's seeds (donors half the time). */
static rates measure(const tinfo *t, double brk, double bytes, long iters) {
  oh_mutator_options opt;
  oh_mutator *m;
  buf seeds[4];
  uint8_t *out = malloc(MAX_OUT);
  rates r;
  int ns = t->api < 0 ? 4 : n_seeds(t), i;
  long k;
  clock_t t0;
  memset(&r, 0, sizeof r);
  oh_mutator_options_init(&opt);
  opt.break_prob = brk;
  opt.byte_prob = bytes;
  m = oh_mutator_new(t->name, 42, &opt);
  assert_non_null(m);
  assert_non_null(out);
  for (i = 0; i < ns; i++) seeds[i] = t->api < 0 ? packet_seed((size_t)i * 5) : make_script(t, i);
  t0 = clock();
  for (k = 0; k < iters; k++) {
    const buf *a = &seeds[k % ns], *d = &seeds[(k + 1) % ns];
    size_t n = oh_mutate(m, a->p, a->n, out, MAX_OUT, k % 2 ? d->p : NULL, d->n);
    assert_true(n <= MAX_OUT);
    check_output(t, out, n, &r);
  }
  print_message("%-12s break %.1f bytes %.2f: strict %.1f%%, packets valid %.1f%% "
                "(%ld), mutated packets valid %.1f%% (%ld), %.0f mutations/s\n",
                t->name, brk, bytes, pct(r.strict, r.outputs), pct(r.valid, r.packets),
                r.packets, pct(r.fresh_valid, r.fresh), r.fresh,
                (double)iters / ((double)(clock() - t0) / CLOCKS_PER_SEC + 1e-9));
  for (i = 0; i < ns; i++) free(seeds[i].p);
  free(out);
  oh_mutator_free(m);
  return r;
}

static const tinfo packet_target = {"packet", -1, 1, 1};

/* ---- Validity rates ------------------------------------------------------ */

/* Default options: only byte fallback (2%) and the one script-breaking
 * operator (a small share of the 10% breaking draws) leave the OHS1 layout;
 * rule breaks touch one packet of a dozen. */
static void test_validity_default(void **state) {
  long iters = oh_test_iterations(10000);
  size_t i;
  rates r;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    const tinfo *t = &script_targets[i];
    r = measure(t, 0.1, 0.02, iters);
    assert_true(pct(r.strict, r.outputs) >= 90.0);
    if (t->opus) assert_true(pct(r.valid, r.packets) >= 95.0);
    if (t->api == OH_SCRIPT_PIPELINE) assert_true(pct(r.tiled, r.outputs) >= 85.0);
  }
  r = measure(&packet_target, 0.1, 0.02, iters);
  assert_true(pct(r.valid, r.packets) >= 80.0);
}

/* No rule breaks and no byte havoc: every output is a valid script of the
 * target's api whose every packet is valid. */
static void test_validity_no_breaks(void **state) {
  long iters = oh_test_iterations(10000);
  size_t i;
  rates r;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    r = measure(&script_targets[i], 0, 0, iters);
    assert_int_equal(r.strict, r.outputs);
    assert_int_equal(r.valid, r.packets);
    if (script_targets[i].api == OH_SCRIPT_PIPELINE) assert_int_equal(r.tiled, r.outputs);
  }
  r = measure(&packet_target, 0, 0, iters);
  assert_int_equal(r.valid, r.packets);
}

/* Every operator breaks: most packets the mutator wrote (those that are not
 * copies of seed packets) break a rule. */
static void test_validity_all_breaks(void **state) {
  long iters = oh_test_iterations(10000);
  size_t i;
  rates r;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    if (!script_targets[i].opus) continue;
    r = measure(&script_targets[i], 1, 0, iters);
    assert_true(r.fresh > 0);
    assert_true(pct(r.fresh - r.fresh_valid, r.fresh) >= 80.0);
  }
  r = measure(&packet_target, 1, 0, iters);
  assert_true(pct(r.fresh - r.fresh_valid, r.fresh) >= 80.0);
}

/* ---- Determinism ----------------------------------------------------------- */

/* Runs n mutations (donor every third call) and one crossover per call;
 * returns a hash of every output. */
static uint64_t run_sequence(const char *target, uint64_t seed, const buf *a,
                             const buf *b, int n) {
  oh_mutator *m = oh_mutator_new(target, seed, NULL);
  uint8_t *out = malloc(MAX_OUT), *cur = malloc(MAX_OUT);
  uint64_t h = 1469598103934665603ull;
  size_t cl = a->n, k, len;
  int i;
  assert_non_null(m);
  assert_non_null(out);
  assert_non_null(cur);
  memcpy(cur, a->p, a->n);
  for (i = 0; i < n; i++) {
    len = oh_mutate(m, cur, cl, out, MAX_OUT, i % 3 ? NULL : b->p, b->n);
    for (k = 0; k < len; k++) h = (h ^ out[k]) * 1099511628211ull;
    h = (h ^ len) * 1099511628211ull;
    memcpy(cur, out, len);
    cl = len ? len : 1;
    len = oh_mutate_crossover(m, a->p, a->n, b->p, b->n, out, MAX_OUT);
    for (k = 0; k < len; k++) h = (h ^ out[k]) * 1099511628211ull;
  }
  oh_mutator_free(m);
  free(out);
  free(cur);
  return h;
}

static void test_determinism(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    buf a = make_script(&script_targets[i], 0), b = make_script(&script_targets[i], 1);
    const char *name = script_targets[i].name;
    assert_true(run_sequence(name, 7, &a, &b, 300) == run_sequence(name, 7, &a, &b, 300));
    assert_true(run_sequence(name, 7, &a, &b, 300) != run_sequence(name, 8, &a, &b, 300));
    free(a.p);
    free(b.p);
  }
}

/* Same seed, same calls: output by output identical; another seed differs
 * in most outputs. */
static void test_determinism_per_output(void **state) {
  buf a = make_script(&script_targets[0], 0);
  oh_mutator *m1 = oh_mutator_new("stream", 99, NULL), *m2 = oh_mutator_new("stream", 99, NULL);
  oh_mutator *m3 = oh_mutator_new("stream", 100, NULL);
  uint8_t *o1 = malloc(MAX_OUT), *o2 = malloc(MAX_OUT), *o3 = malloc(MAX_OUT);
  int i, differ = 0;
  (void)state;
  for (i = 0; i < 200; i++) {
    size_t n1 = oh_mutate(m1, a.p, a.n, o1, MAX_OUT, NULL, 0);
    size_t n2 = oh_mutate(m2, a.p, a.n, o2, MAX_OUT, NULL, 0);
    size_t n3 = oh_mutate(m3, a.p, a.n, o3, MAX_OUT, NULL, 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(o1, o2, n1);
    assert_string_equal(oh_mutator_last(m1), oh_mutator_last(m2));
    differ += n1 != n3 || memcmp(o1, o3, n1) != 0;
  }
  assert_true(differ > 150);
  free(o1);
  free(o2);
  free(o3);
  free(a.p);
  oh_mutator_free(m1);
  oh_mutator_free(m2);
  oh_mutator_free(m3);
}

/* ---- Operators ------------------------------------------------------------- */

/* A walk of mutants of mutants (restarted from a seed now and then), with
 * donors and breaks, reaches every operator of the target. */
static void walk(oh_mutator *m, const buf *seeds, int ns, int iters) {
  uint8_t *cur = malloc(MAX_OUT), *out = malloc(MAX_OUT);
  size_t cl;
  int i;
  assert_non_null(cur);
  assert_non_null(out);
  memcpy(cur, seeds[0].p, seeds[0].n);
  cl = seeds[0].n;
  for (i = 0; i < iters; i++) {
    const buf *d = &seeds[i % ns];
    size_t n = oh_mutate(m, cur, cl, out, 16384, i % 2 ? d->p : NULL, d->n);
    assert_true(n <= 16384);
    if (i % 20 == 0 || n == 0) {
      memcpy(cur, d->p, d->n);
      cl = d->n;
    } else {
      memcpy(cur, out, n);
      cl = n;
    }
  }
  free(cur);
  free(out);
}

static void expect_all_hit(oh_mutator *m) {
  size_t op;
  int missing = 0;
  for (op = 0; op < oh_mutator_op_count(); op++) {
    if (!oh_mutator_op_applies(m, op) || oh_mutator_op_hits(m, op) > 0) continue;
    print_error("%s: operator %s never applied\n", oh_mutator_target(m), oh_mutator_op_name(op));
    missing++;
  }
  assert_int_equal(missing, 0);
}

static void test_every_operator_hit(void **state) {
  oh_mutator_options opt;
  size_t i;
  int k;
  (void)state;
  oh_mutator_options_init(&opt);
  opt.break_prob = 0.3;
  opt.byte_prob = 0.05;
  for (i = 0; i <= N_SCRIPT_TARGETS + 1; i++) {
    const tinfo *t = i < N_SCRIPT_TARGETS ? &script_targets[i] : &packet_target;
    const char *name = i <= N_SCRIPT_TARGETS ? t->name : "readers";
    oh_mutator *m = oh_mutator_new(name, 3, &opt);
    buf seeds[4];
    int ns = i < N_SCRIPT_TARGETS ? n_seeds(t) : 4;
    assert_non_null(m);
    for (k = 0; k < ns; k++)
      seeds[k] = i < N_SCRIPT_TARGETS ? make_script(t, k) : packet_seed((size_t)k);
    walk(m, seeds, ns, 6000);
    expect_all_hit(m);
    for (k = 0; k < ns; k++) free(seeds[k].p);
    oh_mutator_free(m);
  }
}

/* The operator table: names unique and findable, classes known, and the
 * last-mutation description names only known operators. */
static void test_operator_table(void **state) {
  oh_mutator *m = oh_mutator_new("multistream", 1, NULL);
  buf a = make_script(&script_targets[1], 0);
  uint8_t *out = malloc(MAX_OUT);
  char last[256], *tok, *save = NULL;
  size_t op, j;
  (void)state;
  assert_true(oh_mutator_op_count() >= 50);
  for (op = 0; op < oh_mutator_op_count(); op++) {
    assert_int_equal(oh_mutator_op_find(oh_mutator_op_name(op)), (int)op);
    assert_true(oh_mutator_op_class(op) == OH_MUT_VALID || oh_mutator_op_class(op) == OH_MUT_BREAK);
    for (j = 0; j < op; j++)
      assert_true(strcmp(oh_mutator_op_name(op), oh_mutator_op_name(j)) != 0);
  }
  assert_null(oh_mutator_op_name(oh_mutator_op_count()));
  assert_int_equal(oh_mutator_op_find("no.such-op"), -1);
  oh_mutate(m, a.p, a.n, out, MAX_OUT, NULL, 0);
  snprintf(last, sizeof last, "%s", oh_mutator_last(m));
  assert_true(last[0] != '\0');
  for (tok = strtok_r(last, "+", &save); tok; tok = strtok_r(NULL, "+", &save))
    assert_true(oh_mutator_op_find(tok) >= 0);
  free(out);
  free(a.p);
  oh_mutator_free(m);
}

/* ---- Sizes and garbage ------------------------------------------------------ */

/* An output buffer whose max_out-th byte is the first of a PROT_NONE page:
 * a write past max_out faults. */
static uint8_t *guarded_out(size_t max_out) {
  static uint8_t *map;
  static size_t span;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (!map) {
    span = 20 * page;
    map = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + span, page, PROT_NONE), 0);
  }
  assert_true(max_out <= span);
  return map + span - max_out;
}

static void test_never_exceeds_max_out(void **state) {
  static const size_t sizes[] = {0, 1, 2, 5, 19, 20, 21, 24, 40, 100, 300, 1000, 4096};
  oh_test_rng rng;
  size_t i, s;
  int k;
  (void)state;
  oh_test_rng_init(&rng, 11, "max_out");
  for (i = 0; i <= N_SCRIPT_TARGETS + 1; i++) {
    const char *name = i < N_SCRIPT_TARGETS ? script_targets[i].name
                       : i == N_SCRIPT_TARGETS ? "packet" : "readers";
    buf a = i < N_SCRIPT_TARGETS ? make_script(&script_targets[i], 0) : packet_seed(i);
    oh_mutator *m = oh_mutator_new(name, 5, NULL);
    assert_non_null(m);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
      for (k = 0; k < 100; k++) {
        size_t max = k == 99 ? oh_test_rng_below(&rng, 8000) : sizes[s];
        uint8_t *out = guarded_out(max);
        size_t n = oh_mutate(m, a.p, a.n, out, max, a.p, a.n);
        assert_true(n <= max);
        if (max == 0) assert_int_equal(n, 0);
        n = oh_mutate_crossover(m, a.p, a.n, a.p, a.n, out, max);
        assert_true(n <= max);
      }
    free(a.p);
    oh_mutator_free(m);
  }
}

/* A random input: bytes, or an OHS1 header with a random rest. */
static size_t garbage(oh_test_rng *rng, uint8_t *b, size_t cap) {
  size_t n = oh_test_rng_below(rng, 4) ? oh_test_rng_below(rng, 200)
                                       : oh_test_rng_below(rng, (uint32_t)cap + 1);
  size_t i;
  for (i = 0; i < n; i++) b[i] = (uint8_t)oh_test_rng_next(rng);
  if (n >= 20 && oh_test_rng_below(rng, 2)) {
    memcpy(b, "OHS1", 4);
    b[4] = (uint8_t)oh_test_rng_below(rng, 7);
    if (oh_test_rng_below(rng, 2)) b[18] = b[19] = 0;
  }
  return n;
}

static void test_garbage_never_crashes(void **state) {
  static const char *const targets[] = {"packet", "stream", "multistream", "projection",
                                        "custom", "repacketizer", "pipeline", "readers"};
  uint8_t *g = malloc(OH_TEST_GUARD_SPAN), *out = malloc(MAX_OUT);
  oh_test_rng rng;
  long iters = oh_test_iterations(3000), k;
  size_t t;
  (void)state;
  oh_test_rng_init(&rng, 12, "garbage");
  for (t = 0; t < 8; t++) {
    oh_mutator *m = oh_mutator_new(targets[t], (uint64_t)t, NULL);
    assert_non_null(m);
    for (k = 0; k < iters; k++) {
      size_t n = garbage(&rng, g, OH_TEST_GUARD_SPAN), steps, st;
      const uint8_t *in = oh_test_guarded(g, n), *cand;
      size_t o = oh_mutate(m, in, n, out, MAX_OUT, k % 2 ? in : NULL, n);
      assert_true(o <= MAX_OUT);
      o = oh_mutate_crossover(m, in, n, in, n, out, 1000);
      assert_true(o <= 1000);
      steps = oh_trim_init(m, in, n);
      for (st = 0; st < steps && st < 8;) {
        assert_true(oh_trim_step(m, &cand) <= n);
        st = oh_trim_post(m, 0);
      }
    }
    oh_mutator_free(m);
  }
  free(g);
  free(out);
}

static void test_empty_and_huge_inputs(void **state) {
  static const char *const targets[] = {"packet", "stream", "multistream", "pipeline",
                                        "custom", "readers"};
  size_t huge = 300000, t, i;
  uint8_t *h = malloc(huge), *out = malloc(huge + 100);
  const uint8_t *cand;
  (void)state;
  assert_non_null(h);
  assert_non_null(out);
  for (i = 0; i < huge; i++) h[i] = (uint8_t)(i * 2654435761u >> 13);
  memcpy(h, "OHS1\0\0\2\0\0\0\0\0\xbb\x80\3\xc0\0\0\0\0", 20);
  for (t = 0; t < sizeof targets / sizeof targets[0]; t++) {
    oh_mutator *m = oh_mutator_new(targets[t], 9, NULL);
    assert_non_null(m);
    for (i = 0; i < 20; i++) {
      assert_true(oh_mutate(m, oh_test_guarded(h, 0), 0, out, 64, NULL, 0) <= 64);
      assert_true(oh_mutate(m, h, huge, out, huge + 100, h, huge) <= huge + 100);
      assert_true(oh_mutate(m, h, huge, out, 50, NULL, 0) <= 50);
    }
    assert_int_equal(oh_trim_init(m, h, 0), 0);
    if (oh_trim_init(m, h, huge) > 0) assert_true(oh_trim_step(m, &cand) <= huge);
    oh_mutator_free(m);
  }
  free(h);
  free(out);
}

/* In place, as libFuzzer calls it: out == in. */
static void test_in_place(void **state) {
  buf a = make_script(&script_targets[0], 0);
  oh_mutator *m = oh_mutator_new("stream", 4, NULL), *twin = oh_mutator_new("stream", 4, NULL);
  uint8_t *io = malloc(MAX_OUT), *out = malloc(MAX_OUT);
  int i;
  (void)state;
  for (i = 0; i < 200; i++) {
    size_t n1, n2;
    memcpy(io, a.p, a.n);
    n1 = oh_mutate(m, io, a.n, io, MAX_OUT, NULL, 0);
    n2 = oh_mutate(twin, a.p, a.n, out, MAX_OUT, NULL, 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(io, out, n1);
  }
  free(io);
  free(out);
  free(a.p);
  oh_mutator_free(m);
  oh_mutator_free(twin);
}

/* A script target given bytes that are no script sometimes answers with a
 * fresh valid header of its api (the input as a packet). */
static void test_unparsable_resynthesised(void **state) {
  uint8_t junk[300], *out = malloc(MAX_OUT);
  oh_mutator *m = oh_mutator_new("multistream", 6, NULL);
  int i, valid = 0;
  (void)state;
  for (i = 0; i < (int)sizeof junk; i++) junk[i] = (uint8_t)(i * 7 + 1);
  for (i = 0; i < 400; i++) {
    size_t n = oh_mutate(m, junk, sizeof junk, out, MAX_OUT, NULL, 0);
    oh_script s;
    if (oh_script_parse(out, n, 1, &s, NULL) == OH_OK) {
      valid += s.h.api == OH_SCRIPT_MULTISTREAM;
      oh_script_free(&s);
    }
  }
  assert_true(valid >= 100);
  assert_true(oh_mutator_op_hits(m, (size_t)oh_mutator_op_find("hdr.resynth")) >= 100);
  assert_true(oh_mutator_op_hits(m, (size_t)oh_mutator_op_find("byte.havoc")) >= 100);
  free(out);
  oh_mutator_free(m);
}

/* ---- Trimming ---------------------------------------------------------------- */

static int parses_strictly(const uint8_t *p, size_t n) {
  oh_script s;
  if (oh_script_parse(p, n, 1, &s, NULL) != OH_OK) return 0;
  oh_script_free(&s);
  return 1;
}

static int packet_valid(const uint8_t *p, size_t n) {
  return oh_mutate_packet_check(1, p, n, NULL) == OH_OK;
}

/* Trims in with an acceptance policy (accept: 0 never, 1 always, 2 every
 * other); checks every candidate. Returns the final bytes. */
static buf trim(oh_mutator *m, const tinfo *t, const uint8_t *in, size_t len, int accept) {
  buf cur = keep(in, len);
  size_t steps = oh_trim_init(m, in, len), st = 0, rounds = 0;
  int valid_in = t->api >= 0 ? parses_strictly(in, len) : packet_valid(in, len);
  while (st < steps) {
    const uint8_t *cand = NULL;
    size_t n = oh_trim_step(m, &cand), next;
    int ok = accept == 1 || (accept == 2 && rounds % 2 == 0);
    assert_non_null(cand);
    assert_true(n <= cur.n);
    assert_true(n > 0);
    if (valid_in && !(t->api >= 0 ? parses_strictly(cand, n) : packet_valid(cand, n)))
      fail_msg("%s: trimming %s gave %s", t->name, oh_test_hex(cur.p, cur.n), oh_test_hex(cand, n));
    if (ok) {
      memcpy(cur.p, cand, n);
      cur.n = n;
    }
    next = oh_trim_post(m, ok);
    assert_true(next > st || next >= steps);
    st = next;
    assert_true(++rounds < 100000);
  }
  return cur;
}

static void test_trim_keeps_structure(void **state) {
  size_t i;
  int k, accept;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    const tinfo *t = &script_targets[i];
    oh_mutator *m = oh_mutator_new(t->name, 2, NULL);
    for (k = 0; k < n_seeds(t); k++) {
      buf a = make_script(t, k);
      oh_script s;
      size_t min;
      assert_int_equal(oh_script_parse(a.p, a.n, 1, &s, NULL), OH_OK);
      min = OH_SCRIPT_HEADER_LEN + s.h.extra_len;
      oh_script_free(&s);
      for (accept = 0; accept < 3; accept++) {
        buf b = trim(m, t, a.p, a.n, accept);
        if (accept == 0) assert_int_equal(b.n, a.n);
        /* Accepting everything leaves the header alone. */
        if (accept == 1) assert_int_equal(b.n, min);
        free(b.p);
      }
      free(a.p);
    }
    oh_mutator_free(m);
  }
}

/* Mutants (some broken) trim too, and the packet target drops frames and
 * padding down to a one-frame packet. */
static void test_trim_mutants_and_packets(void **state) {
  uint8_t *out = malloc(MAX_OUT);
  size_t i;
  int k;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    const tinfo *t = &script_targets[i];
    oh_mutator *m = oh_mutator_new(t->name, 8, NULL);
    buf a = make_script(t, 0);
    for (k = 0; k < 100; k++) {
      size_t n = oh_mutate(m, a.p, a.n, out, MAX_OUT, NULL, 0);
      if (n) free(trim(m, t, out, n, k % 3).p);
    }
    free(a.p);
    oh_mutator_free(m);
  }
  {
    oh_mutator *m = oh_mutator_new("packet", 8, NULL);
    for (k = 0; k < 8; k++) {
      buf p = packet_seed((size_t)k), b = trim(m, &packet_target, p.p, p.n, 1);
      oh_packet pkt;
      assert_int_equal(oh_packet_parse(b.p, b.n, 0, &pkt, NULL, NULL), OH_OK);
      assert_int_equal(pkt.frame_count, 1);
      assert_int_equal(pkt.padding_len, 0);
      free(p.p);
      free(b.p);
    }
    oh_mutator_free(m);
  }
  free(out);
}

/* ---- Crossover ------------------------------------------------------------------ */

/* Two valid scripts cross into a valid script whose packets are valid
 * (multistream seeds of 2 and 3 streams included: packets are re-split). */
static void test_crossover_valid(void **state) {
  uint8_t *out = malloc(MAX_OUT);
  size_t i;
  int k;
  (void)state;
  for (i = 0; i < N_SCRIPT_TARGETS; i++) {
    const tinfo *t = &script_targets[i];
    oh_mutator *m = oh_mutator_new(t->name, 21, NULL);
    buf seeds[4];
    rates r;
    int ns = n_seeds(t);
    memset(&r, 0, sizeof r);
    for (k = 0; k < ns; k++) seeds[k] = make_script(t, k);
    for (k = 0; k < 1000; k++) {
      const buf *a = &seeds[k % ns], *b = &seeds[(k / ns + k + 1) % ns];
      size_t n = oh_mutate_crossover(m, a->p, a->n, b->p, b->n, out, MAX_OUT);
      check_output(t, out, n, &r);
    }
    assert_int_equal(r.strict, r.outputs);
    assert_int_equal(r.valid, r.packets);
    for (k = 0; k < ns; k++) free(seeds[k].p);
    oh_mutator_free(m);
  }
  free(out);
}

/* ---- Single operators ------------------------------------------------------------ */

static size_t apply(oh_mutator *m, const char *op, const buf *a, uint8_t *out, int *applied) {
  int idx = oh_mutator_op_find(op);
  assert_true(idx >= 0);
  return oh_mutate_with(m, (size_t)idx, a->p, a->n, out, MAX_OUT, NULL, 0, applied);
}

/* Each brk.rN operator yields a packet whose parse names exactly rule N. */
static void test_break_operators_name_their_rule(void **state) {
  static const char *const ops[7] = {"brk.r1-empty", "brk.r2-long-frame",
                                     "brk.r3-even-code1", "brk.r4-code2-length",
                                     "brk.r5-frame-count", "brk.r6-cbr-remainder",
                                     "brk.r7-vbr-lengths"};
  oh_mutator *m = oh_mutator_new("packet", 13, NULL);
  uint8_t *out = malloc(MAX_OUT);
  int r, k, applied;
  (void)state;
  for (r = 0; r < 7; r++)
    for (k = 0; k < 200; k++) {
      buf p = packet_seed((size_t)k);
      size_t n = apply(m, ops[r], &p, out, &applied);
      oh_rule rule;
      oh_packet pkt;
      assert_true(applied);
      if (oh_packet_parse(out, n, 0, &pkt, &rule, NULL) != OH_ERR_MALFORMED ||
          rule != (oh_rule)(OH_RULE_R1 + r))
        fail_msg("%s on %s gave %s (%s)", ops[r], oh_test_hex(p.p, p.n),
                 oh_rule_name(rule), oh_test_hex(out, n));
      free(p.p);
    }
  free(out);
  oh_mutator_free(m);
}

/* A new multistream or projection layout re-splits every packet into the
 * new stream count: all stay valid. */
static void test_layout_change_restreams(void **state) {
  oh_mutator_options opt;
  uint8_t *out = malloc(MAX_OUT);
  size_t i;
  int k, applied, changed = 0;
  (void)state;
  oh_mutator_options_init(&opt);
  opt.break_prob = 0;
  for (i = 1; i <= 2; i++) {
    oh_mutator *m = oh_mutator_new(script_targets[i].name, 31, &opt);
    buf a = make_script(&script_targets[i], 0);
    for (k = 0; k < 300; k++) {
      rates r;
      oh_script s;
      size_t n = apply(m, "hdr.ms-layout", &a, out, &applied);
      memset(&r, 0, sizeof r);
      assert_true(applied);
      check_output(&script_targets[i], out, n, &r);
      assert_int_equal(r.strict, 1);
      assert_int_equal(r.valid, r.packets);
      assert_int_equal(oh_script_parse(out, n, 1, &s, NULL), OH_OK);
      changed += s.h.streams != script_targets[i].streams;
      oh_script_free(&s);
    }
    free(a.p);
    oh_mutator_free(m);
  }
  assert_true(changed > 100);
  free(out);
}

/* pl.length-lie writes a prefix that no longer frames the body as it was. */
static void test_pipeline_length_lie(void **state) {
  const tinfo *t = &script_targets[5];
  oh_mutator *m = oh_mutator_new("pipeline", 17, NULL);
  buf a = make_script(t, 0);
  uint8_t *out = malloc(MAX_OUT);
  int k, applied, untiled = 0;
  (void)state;
  for (k = 0; k < 200; k++) {
    rates r;
    size_t n = apply(m, "pl.length-lie", &a, out, &applied);
    memset(&r, 0, sizeof r);
    assert_true(applied);
    assert_int_equal(n, a.n); /* only a prefix changed */
    check_output(t, out, n, &r);
    untiled += r.tiled == 0 || r.packets != 14;
  }
  assert_int_equal(untiled, 200);
  free(a.p);
  free(out);
  oh_mutator_free(m);
}

static void test_packet_check_multistream(void **state) {
  uint8_t p[4096];
  size_t n = make_ms_packet(p, sizeof p, 0, 3);
  oh_rule rule;
  (void)state;
  assert_int_equal(oh_mutate_packet_check(3, p, n, &rule), OH_OK);
  assert_int_equal(rule, OH_RULE_NONE);
  /* A self-delimited stream cut inside its frame. */
  assert_int_equal(oh_mutate_packet_check(3, p, 3, &rule), OH_ERR_MALFORMED);
  assert_int_not_equal(rule, OH_RULE_NONE);
  /* Streams of different durations: valid streams, invalid packet. */
  {
    uint8_t q[4096];
    size_t a = make_packet(q, sizeof q, 0, 0, 1); /* 20 ms, self-delimited */
    size_t b = make_packet(q + a, sizeof q - a, 1, 3, 0); /* 3 x 20 ms */
    assert_int_equal(oh_mutate_packet_check(2, q, a + b, &rule), OH_ERR_MALFORMED);
    assert_int_equal(rule, OH_RULE_NONE);
  }
}

/* ---- Options ------------------------------------------------------------------ */

static void test_options_rejected(void **state) {
  oh_mutator_options opt;
  (void)state;
  assert_null(oh_mutator_new("no-such-target", 1, NULL));
  assert_null(oh_mutator_new(NULL, 1, NULL));
  oh_mutator_options_init(&opt);
  opt.break_prob = 1.5;
  assert_null(oh_mutator_new("stream", 1, &opt));
  oh_mutator_options_init(&opt);
  opt.max_stack = 0;
  assert_null(oh_mutator_new("stream", 1, &opt));
  assert_false(oh_mutator_target_known("streams"));
  assert_true(oh_mutator_target_known("readers"));
}

static void test_options_env(void **state) {
  oh_mutator_options opt;
  const char *bad = NULL;
  (void)state;
  oh_mutator_options_init(&opt);
  setenv("OPUSHUNT_MUTATOR_BREAK", "0.25", 1);
  setenv("OPUSHUNT_MUTATOR_BYTES", "0", 1);
  assert_int_equal(oh_mutator_options_env(&opt, &bad), 0);
  assert_true(opt.break_prob == 0.25 && opt.byte_prob == 0);
  setenv("OPUSHUNT_MUTATOR_BREAK", "2", 1);
  assert_int_equal(oh_mutator_options_env(&opt, &bad), -1);
  assert_string_equal(bad, "OPUSHUNT_MUTATOR_BREAK");
  setenv("OPUSHUNT_MUTATOR_BREAK", "0.1x", 1);
  assert_int_equal(oh_mutator_options_env(&opt, &bad), -1);
  unsetenv("OPUSHUNT_MUTATOR_BREAK");
  unsetenv("OPUSHUNT_MUTATOR_BYTES");
}

/* A byte hook is what mutates payloads: one that counts its calls and
 * changes nothing is called, and the packets it saw are frame bytes. */
static size_t counting_hook(void *ctx, uint8_t *data, size_t size, size_t max) {
  (void)data;
  assert_true(size >= 1 && size <= max && max <= 1275 + 0u);
  ++*(long *)ctx;
  return size;
}

static void test_byte_hook_used_for_payloads(void **state) {
  oh_mutator_options opt;
  long calls = 0;
  uint8_t *out = malloc(MAX_OUT);
  buf a = make_script(&script_targets[0], 0);
  oh_mutator *m;
  int k, applied;
  (void)state;
  oh_mutator_options_init(&opt);
  opt.byte_mutate = counting_hook;
  opt.byte_ctx = &calls;
  m = oh_mutator_new("stream", 5, &opt);
  for (k = 0; k < 100; k++) {
    size_t n = apply(m, "pkt.payload", &a, out, &applied);
    rates r;
    memset(&r, 0, sizeof r);
    check_output(&script_targets[0], out, n, &r);
    assert_int_equal(r.valid, r.packets);
  }
  assert_int_equal(calls, 100);
  free(out);
  free(a.p);
  oh_mutator_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validity_default),
      cmocka_unit_test(test_validity_no_breaks),
      cmocka_unit_test(test_validity_all_breaks),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_determinism_per_output),
      cmocka_unit_test(test_every_operator_hit),
      cmocka_unit_test(test_operator_table),
      cmocka_unit_test(test_never_exceeds_max_out),
      cmocka_unit_test(test_garbage_never_crashes),
      cmocka_unit_test(test_empty_and_huge_inputs),
      cmocka_unit_test(test_in_place),
      cmocka_unit_test(test_unparsable_resynthesised),
      cmocka_unit_test(test_trim_keeps_structure),
      cmocka_unit_test(test_trim_mutants_and_packets),
      cmocka_unit_test(test_crossover_valid),
      cmocka_unit_test(test_break_operators_name_their_rule),
      cmocka_unit_test(test_layout_change_restreams),
      cmocka_unit_test(test_pipeline_length_lie),
      cmocka_unit_test(test_packet_check_multistream),
      cmocka_unit_test(test_options_rejected),
      cmocka_unit_test(test_options_env),
      cmocka_unit_test(test_byte_hook_used_for_payloads),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
