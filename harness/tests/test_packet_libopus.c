/* Differential test of the packet model against libopus 1.3.1: for the
 * official test vectors and for millions of random, structured, mutated and
 * written byte strings, oh_packet_parse and libopus must agree on
 * accept/reject, frame count, every frame's size and offset, the payload
 * offset and the padding, in both plain and self-delimited framing; the
 * libopus packet getters must agree with the model too. Any disagreement
 * fails with the packet in hex and both results. OH_TEST_SEED replays a run;
 * OH_PACKET_ITERATIONS overrides the default 2,000,000 iterations. */
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
#include <opus.h>

#include "opushunt/packet.h"
#include "test_util.h"

/* libopus's internal parser (opus_private.h), the only way to reach its
 * self-delimited framing without a multistream decoder. It is a global
 * symbol of libopus.a in 1.3.1, so a static link finds it. */
int opus_packet_parse_impl(const unsigned char *data, opus_int32 len,
                           int self_delimited, unsigned char *out_toc,
                           const unsigned char *frames[48], opus_int16 size[48],
                           int *payload_offset, opus_int32 *packet_offset);

#define OH_MAX_INPUT 16000

/* ---- One comparison ------------------------------------------------------ */

typedef struct oh_tally {
  long total, agreed, valid, by_rule[OH_RULE_R7 + 1];
} oh_tally;

typedef struct oh_libopus_view {
  int rc;
  unsigned char toc;
  const unsigned char *frames[48];
  opus_int16 size[48];
  int payload;
  opus_int32 packet_offset;
} oh_libopus_view;

static const uint8_t *guarded(const uint8_t *data, size_t len) {
  return oh_test_guarded(data, len);
}

static void libopus_parse(const uint8_t *d, size_t n, int sd,
                          oh_libopus_view *v) {
  memset(v, 0, sizeof *v);
  if (sd)
    v->rc = opus_packet_parse_impl(d, (opus_int32)n, 1, &v->toc, v->frames,
                                   v->size, &v->payload, &v->packet_offset);
  else
    v->rc = opus_packet_parse(d, (opus_int32)n, &v->toc, v->frames, v->size,
                              &v->payload);
}

/* Where libopus's last frame ends, as an offset. */
static size_t libopus_frames_end(const uint8_t *d, const oh_libopus_view *v) {
  return (size_t)(v->frames[v->rc - 1] - d) + (size_t)v->size[v->rc - 1];
}

#define DIFFER(...) (snprintf(why, cap, __VA_ARGS__), 1)

static int differ_frames(const uint8_t *d, size_t n, int sd,
                         const oh_packet *p, const oh_libopus_view *v,
                         char *why, size_t cap) {
  size_t used, padding;
  int i;
  if (v->rc != p->frame_count)
    return DIFFER("frame count %d vs libopus %d", p->frame_count, v->rc);
  if (v->toc != d[0]) return DIFFER("libopus toc %02x", v->toc);
  for (i = 0; i < v->rc; i++) {
    if ((size_t)v->size[i] != p->frame_len[i] ||
        (size_t)(v->frames[i] - d) != p->frame_offset[i])
      return DIFFER("frame %d: %zu@%zu vs libopus %d@%td", i, p->frame_len[i],
                    p->frame_offset[i], v->size[i], v->frames[i] - d);
  }
  if ((size_t)v->payload != p->header_len)
    return DIFFER("header %zu vs libopus payload offset %d", p->header_len,
                  v->payload);
  used = sd ? (size_t)v->packet_offset : n;
  padding = used - libopus_frames_end(d, v);
  if (padding != p->padding_len || used != p->packet_len)
    return DIFFER("padding %zu, packet %zu vs libopus %zu, %zu", p->padding_len,
                  p->packet_len, padding, used);
  return 0;
}

/* The getters read only the header, so they answer for invalid packets too;
 * for those only R1 and R5 have something to check. */
static int differ_getters(const uint8_t *d, size_t n, int rc, oh_rule rule,
                          const oh_packet *p, char *why, size_t cap) {
  int frames = opus_packet_get_nb_frames(d, (opus_int32)n);
  int samples = opus_packet_get_nb_samples(d, (opus_int32)n, 48000);
  oh_toc toc;
  if (n == 0)
    return frames != OPUS_BAD_ARG || samples != OPUS_BAD_ARG
               ? DIFFER("getters on empty: %d %d", frames, samples) : 0;
  oh_toc_decode(d[0], &toc);
  if (opus_packet_get_samples_per_frame(d, 48000) != toc.frame_samples48)
    return DIFFER("samples per frame %d vs libopus %d", toc.frame_samples48,
                  opus_packet_get_samples_per_frame(d, 48000));
  if (rc == OH_OK && (frames != p->frame_count || samples != p->duration48))
    return DIFFER("getters %d frames %d samples vs %d %d", frames, samples,
                  p->frame_count, p->duration48);
  if (rule == OH_RULE_R5) {
    /* libopus quirk: a zero frame count gives 0 samples, not an error. */
    int want = n >= 2 && (d[1] & 0x3F) == 0 ? 0 : OPUS_INVALID_PACKET;
    if (samples != want)
      return DIFFER("R5 packet: libopus nb_samples %d, want %d", samples, want);
  }
  return 0;
}

static void print_hex_all(const uint8_t *d, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    fprintf(stderr, "%02x%s", d[i], i % 32 == 31 ? "\n  " : "");
  fprintf(stderr, "\n");
}

static void report(const uint8_t *d, size_t n, int sd, int rc, oh_rule rule,
                   const oh_error *err, const oh_libopus_view *v,
                   const char *why) {
  fprintf(stderr, "DISAGREEMENT (%s framing, %zu bytes): %s\n  ",
          sd ? "self-delimited" : "plain", n, why);
  print_hex_all(d, n);
  if (rc == OH_OK)
    fprintf(stderr, "  opushunt: valid\n");
  else
    fprintf(stderr, "  opushunt: %s at offset %llu: %s\n", oh_rule_name(rule),
            (unsigned long long)err->offset, err->reason);
  fprintf(stderr, "  libopus:  %d%s\n", v->rc, v->rc > 0 ? " frames" : "");
}

/* Parses d both ways and tallies; returns 0 on agreement. */
static int cross_check(const uint8_t *src, size_t n, int sd, oh_tally *t) {
  const uint8_t *d = guarded(src, n);
  oh_packet p;
  oh_rule rule;
  oh_error err;
  oh_libopus_view v;
  char why[200] = "";
  size_t cap = sizeof why;
  int rc = oh_packet_parse(d, n, sd, &p, &rule, &err), bad;
  libopus_parse(d, n, sd, &v);
  if ((rc == OH_OK) != (v.rc > 0))
    bad = DIFFER("accept/reject differs");
  else
    bad = (rc == OH_OK && differ_frames(d, n, sd, &p, &v, why, cap)) ||
          differ_getters(d, n, rc, rule, &p, why, cap);
  t->total++;
  if (bad) {
    report(d, n, sd, rc, rule, &err, &v, why);
    return 1;
  }
  t->agreed++;
  if (rc == OH_OK) t->valid++;
  else t->by_rule[rule]++;
  return 0;
}

static void print_tally(const char *what, const oh_tally *t) {
  int r;
  fprintf(stderr, "[%s] agreed on %ld/%ld packets (%ld valid; rejected:",
          what, t->agreed, t->total, t->valid);
  for (r = OH_RULE_R1; r <= OH_RULE_R7; r++)
    fprintf(stderr, " %s %ld", oh_rule_name((oh_rule)r), t->by_rule[r]);
  fprintf(stderr, ")\n");
}

/* ---- Seeds: the official vectors and a pool of recent valid packets ------ */

typedef struct oh_pool {
  uint8_t data[512][1600];
  size_t len[512];
  int count, next;
} oh_pool;

static void pool_add(oh_pool *pool, const uint8_t *d, size_t n) {
  if (n > sizeof pool->data[0]) return;
  memcpy(pool->data[pool->next], d, n);
  pool->len[pool->next] = n;
  pool->next = (pool->next + 1) % 512;
  if (pool->count < 512) pool->count++;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* Calls fn on each packet of one opus_demo .bit file. */
static long for_each_vector_packet(const char *path,
                                   int (*fn)(const uint8_t *, size_t, void *),
                                   void *ctx) {
  size_t len, off = 0;
  uint8_t *data = oh_test_read(path, &len);
  long n = 0, bad = 0;
  while (off + 8 <= len) {
    size_t plen = be32(data + off);
    if (plen > len - off - 8) break;
    bad += fn(data + off + 8, plen, ctx);
    off += 8 + plen;
    n++;
  }
  if (off != len) fail_msg("%s: truncated record at offset %zu", path, off);
  free(data);
  return bad;
}

static const char *vector_dir(void) {
  const char *dir = getenv("OPUS_TESTVECTORS");
  char probe[4096];
  if (!dir || !*dir) return NULL;
  snprintf(probe, sizeof probe, "%s/testvector01.bit", dir);
  return access(probe, R_OK) == 0 ? dir : NULL;
}

typedef struct oh_vector_ctx {
  oh_tally plain, sd;
  oh_pool *pool;
} oh_vector_ctx;

static int check_vector_packet(const uint8_t *d, size_t n, void *arg) {
  oh_vector_ctx *c = arg;
  int bad = cross_check(d, n, 0, &c->plain) + cross_check(d, n, 1, &c->sd);
  if (c->pool && n > 0) pool_add(c->pool, d, n);
  return bad;
}

/* Returns the disagreements over every vector packet, or -1 without
 * vectors. */
static long run_vectors(oh_vector_ctx *c) {
  const char *dir = vector_dir();
  char path[4096];
  long bad = 0;
  int i;
  if (!dir) return -1;
  for (i = 1; i <= 12; i++) {
    snprintf(path, sizeof path, "%s/testvector%02d.bit", dir, i);
    if (access(path, R_OK) == 0)
      bad += for_each_vector_packet(path, check_vector_packet, c);
  }
  return bad;
}

static void test_vectors_agree(void **state) {
  oh_vector_ctx c;
  long bad;
  memset(&c, 0, sizeof c);
  bad = run_vectors(&c);
  if (bad < 0) {
    fprintf(stderr, "[vectors] OPUS_TESTVECTORS absent: skipped\n");
    skip();
  }
  print_tally("vectors, plain", &c.plain);
  print_tally("vectors, self-delimited", &c.sd);
  assert_int_equal(bad, 0);
  assert_true(c.plain.valid > 10000);
}

/* ---- Generators ---------------------------------------------------------- */

static oh_test_rng g_rng;

static uint32_t below(uint32_t n) { return oh_test_rng_below(&g_rng, n); }

static void random_bytes(uint8_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) b[i] = (uint8_t)oh_test_rng_next(&g_rng);
}

/* Mostly short strings, where the header rules live. */
static size_t random_len(void) {
  switch (below(4)) {
  case 0: return below(8);
  case 1: return below(64);
  case 2: return below(400);
  default: return below(1500);
  }
}

static size_t gen_random(uint8_t *b) {
  size_t n = random_len();
  random_bytes(b, n);
  return n;
}

/* Lengths near the edges that matter: 0, 1-byte/2-byte boundary, 1275. */
static size_t edge_len(void) {
  static const size_t edges[] = {0, 1, 2, 250, 251, 252, 253, 254, 255, 256,
                                 1274, 1275, 1276};
  switch (below(3)) {
  case 0: return edges[below(sizeof edges / sizeof edges[0])];
  case 1: return below(1276);
  default: return below(24);
  }
}


static size_t put_padding(uint8_t *b, size_t *pad) {
  size_t n = 0, p = below(3) ? below(8) : below(700);
  *pad = p;
  if (below(10) == 0) { /* a non-minimal chain: 255 then 0 */
    b[n++] = 255;
    *pad += 254;
  }
  while (p > 254) {
    b[n++] = 255;
    p -= 254;
  }
  b[n++] = (uint8_t)p;
  return n;
}

/* A code 2 or 3 packet whose fields mostly agree with its length; about a
 * third get a total length a few bytes off. */
static size_t gen_structured(uint8_t *b) {
  int code = below(4) ? 3 : 2, count = 2, vbr = 1, i;
  size_t n = 0, pad = 0, body = 0, len, total;
  oh_toc toc;
  b[n++] = oh_toc_encode((int)below(32), (int)below(2), code);
  oh_toc_decode(b[0], &toc);
  if (code == 3) {
    int max = OH_MAX_PACKET_SAMPLES48 / toc.frame_samples48, padded;
    count = below(20) ? 1 + (int)below((uint32_t)max) : (int)below(64);
    vbr = (int)below(2);
    padded = below(3) == 0;
    b[n++] = (uint8_t)((vbr ? 0x80 : 0) | (padded ? 0x40 : 0) | count);
    if (padded) n += put_padding(b + n, &pad);
  }
  len = edge_len(); /* may be 1276: an R2 case for CBR */
  for (i = 0; i < count - 1 && vbr; i++) {
    len %= OH_MAX_FRAME_BYTES + 1; /* explicit lengths stop at 1275 */
    n += oh_frame_length_encode(len, b + n, 2);
    body += len;
    len = below(2) ? len : edge_len();
  }
  body += vbr ? edge_len() : len * (size_t)(count ? count : 1);
  total = n + body + pad;
  if (below(3) == 0) { /* off by -3..+3 bytes */
    size_t delta = below(7);
    total = total + 3 > delta ? total + 3 - delta : 0;
  }
  if (total > OH_MAX_INPUT) total = OH_MAX_INPUT;
  if (total > n) random_bytes(b + n, total - n);
  return total;
}

/* A random valid spec, written. Frames are drawn from fresh random bytes. */
static uint8_t g_frames[OH_MAX_FRAMES][OH_MAX_FRAME_BYTES];

static size_t gen_written(uint8_t *b, int sd) {
  static const int fixed[3] = {1, 2, 2};
  oh_packet_spec s;
  oh_toc toc;
  oh_error err;
  long n;
  int i, max;
  memset(&s, 0, sizeof s);
  s.config = (int)below(32);
  s.stereo = (int)below(2);
  s.code = (int)below(4);
  s.vbr = (int)below(2);
  s.self_delimited = sd;
  oh_toc_decode(oh_toc_encode(s.config, 0, 0), &toc);
  max = OH_MAX_PACKET_SAMPLES48 / toc.frame_samples48;
  s.frame_count = s.code < 3 ? fixed[s.code] : 1 + (int)below((uint32_t)max);
  if (s.code == 3 && below(3) == 0) {
    s.force_padding_flag = 1;
    s.padding_len = below(2) ? below(4) : below(600);
  }
  for (i = 0; i < s.frame_count; i++) {
    int same = s.code == 1 || (s.code == 3 && !s.vbr);
    s.frame_len[i] = same && i ? s.frame_len[0]
                               : (below(4) ? below(40) : edge_len() % 1276);
    s.frame_data[i] = g_frames[i];
  }
  n = oh_packet_write(&s, b, OH_MAX_INPUT, &err);
  if (n < 0 && err.code != OH_ERR_LIMIT)
    fail_msg("writer refused a valid spec: %s", err.reason);
  return n < 0 ? 0 : (size_t)n;
}

/* One edit: a bit flip anywhere or in the header, an interesting byte, a
 * truncation, a few appended bytes, or a deleted byte. */
static void mutate_once(uint8_t *b, size_t *n) {
  static const uint8_t interesting[] = {0, 1, 2, 3, 0x3F, 0x40, 0x41, 0x7F,
                                        0x80, 0x81, 0xC0, 0xC1, 251, 252, 253,
                                        254, 255};
  size_t pos, k;
  if (*n == 0) return;
  pos = below((uint32_t)*n);
  switch (below(6)) {
  case 0: b[pos] ^= (uint8_t)(1u << below(8)); break;
  case 1: b[pos] = interesting[below(sizeof interesting)]; break;
  case 2: b[pos % 6 < *n ? pos % 6 : 0] ^= (uint8_t)(1u << below(8)); break;
  case 3: *n = below((uint32_t)*n + 1); break;
  case 4:
    k = below(8);
    if (*n + k > OH_MAX_INPUT) break;
    random_bytes(b + *n, k);
    *n += k;
    break;
  default:
    memmove(b + pos, b + pos + 1, *n - pos - 1);
    (*n)--;
  }
}

static size_t gen_mutated(uint8_t *b, const oh_pool *pool) {
  int k, i = (int)below((uint32_t)pool->count);
  size_t n = pool->len[i];
  memcpy(b, pool->data[i], n);
  for (k = 1 + (int)below(3); k > 0; k--) mutate_once(b, &n);
  return n;
}

/* ---- The random run ------------------------------------------------------ */

typedef struct oh_run {
  oh_tally plain, sd;
  long by_gen[5];
  oh_pool *pool;
} oh_run;

static size_t generate(oh_run *r, uint8_t *b, int *which) {
  *which = (int)below(5);
  switch (*which) {
  case 0: return gen_random(b);
  case 1: return gen_structured(b);
  case 2: return gen_written(b, 0);
  case 3: return gen_written(b, 1);
  default: return gen_mutated(b, r->pool);
  }
}

/* Keeps valid packets as mutation seeds, a few at a time. */
static void keep_if_valid(oh_run *r, const uint8_t *b, size_t n) {
  oh_packet p;
  if (below(16) == 0 && n > 0 && oh_packet_parse(b, n, 0, &p, NULL, NULL) == 0)
    pool_add(r->pool, b, n);
}

static long iterations(void) {
  const char *env = getenv("OH_PACKET_ITERATIONS");
  long n = env ? strtol(env, NULL, 0) : 2000000;
  return oh_test_iterations(n > 0 ? n : 1);
}

static void seed_pool(oh_run *r) {
  uint8_t b[OH_MAX_INPUT];
  oh_vector_ctx c;
  int i;
  memset(&c, 0, sizeof c);
  c.pool = r->pool;
  if (run_vectors(&c) > 0) fail_msg("vector packets disagree");
  for (i = 0; i < 64; i++) {
    size_t n = gen_written(b, 0);
    if (n) pool_add(r->pool, b, n);
  }
}

static void test_random_agree(void **state) {
  static uint8_t buf[OH_MAX_INPUT];
  oh_run *r = calloc(1, sizeof *r);
  long it, iters = iterations();
  clock_t t0 = clock();
  assert_non_null(r);
  r->pool = calloc(1, sizeof *r->pool);
  assert_non_null(r->pool);
  oh_test_rng_init(&g_rng, 0x6f7075735f706bull, "packet vs libopus");
  random_bytes(&g_frames[0][0], sizeof g_frames);
  seed_pool(r);
  for (it = 0; it < iters; it++) {
    int which;
    size_t n = generate(r, buf, &which);
    r->by_gen[which]++;
    if (cross_check(buf, n, 0, &r->plain) || cross_check(buf, n, 1, &r->sd))
      fail_msg("disagreement at iteration %ld (generator %d)", it, which);
    keep_if_valid(r, buf, n);
  }
  print_tally("random, plain", &r->plain);
  print_tally("random, self-delimited", &r->sd);
  fprintf(stderr, "[random] %ld iterations in %.1f s (random %ld, structured "
          "%ld, written %ld, written-sd %ld, mutated %ld)\n", iters,
          (double)(clock() - t0) / CLOCKS_PER_SEC, r->by_gen[0], r->by_gen[1],
          r->by_gen[2], r->by_gen[3], r->by_gen[4]);
  assert_int_equal(r->plain.agreed, iters);
  assert_int_equal(r->sd.agreed, iters);
  free(r->pool);
  free(r);
}

/* The comparison must notice a difference: a valid packet against a
 * doctored libopus result is a disagreement; the undoctored one is not. */
static void test_cross_check_notices_a_difference(void **state) {
  static const uint8_t pkt[] = {0x01, 1, 2};
  oh_packet p;
  oh_libopus_view v;
  char why[200];
  assert_int_equal(oh_packet_parse(pkt, 3, 0, &p, NULL, NULL), OH_OK);
  libopus_parse(pkt, 3, 0, &v);
  assert_int_equal(differ_frames(pkt, 3, 0, &p, &v, why, sizeof why), 0);
  v.size[1] = 2;
  assert_int_equal(differ_frames(pkt, 3, 0, &p, &v, why, sizeof why), 1);
  assert_non_null(strstr(why, "frame 1"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cross_check_notices_a_difference),
      cmocka_unit_test(test_vectors_agree),
      cmocka_unit_test(test_random_agree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
