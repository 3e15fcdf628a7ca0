/* The mutator object and its entry points: options, creation, one
 * mutation (parse, stacked operators, write back, byte fallback), a single
 * chosen operator for tests, and structural crossover. */
#include <stdlib.h>
#include <string.h>

#include "mut_ops.h"

void oh_mutator_options_init(oh_mutator_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->break_prob = 0.1;
  opt->byte_prob = 0.02;
  opt->max_stack = 4;
}

static int oh_env_prob(const char *name, double *p) {
  const char *v = getenv(name);
  char *end;
  double d;
  if (!v || !*v) return 0;
  d = strtod(v, &end);
  if (*end || !(d >= 0 && d <= 1)) return -1;
  *p = d;
  return 0;
}

int oh_mutator_options_env(oh_mutator_options *opt, const char **bad) {
  if (oh_env_prob("OPUSHUNT_MUTATOR_BREAK", &opt->break_prob) != 0) {
    if (bad) *bad = "OPUSHUNT_MUTATOR_BREAK";
    return -1;
  }
  if (oh_env_prob("OPUSHUNT_MUTATOR_BYTES", &opt->byte_prob) != 0) {
    if (bad) *bad = "OPUSHUNT_MUTATOR_BYTES";
    return -1;
  }
  return 0;
}

oh_mutator *oh_mutator_new(const char *target, uint64_t seed,
                           const oh_mutator_options *opt) {
  const oh_mut_target *t = oh_mut_target_find(target);
  oh_mutator *m;
  if (!t) return NULL;
  if (opt && (!(opt->break_prob >= 0 && opt->break_prob <= 1) ||
              !(opt->byte_prob >= 0 && opt->byte_prob <= 1) ||
              opt->max_stack < 1 || opt->max_stack > 16))
    return NULL;
  m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->hits = calloc(oh_mut_op_total, sizeof *m->hits);
  if (!m->hits) {
    free(m);
    return NULL;
  }
  m->t = t;
  if (opt)
    m->opt = *opt;
  else
    oh_mutator_options_init(&m->opt);
  oh_rng_seed(&m->rng, seed);
  return m;
}

void oh_mutator_free(oh_mutator *m) {
  if (!m) return;
  oh_model_free(&m->model);
  oh_model_free(&m->donor);
  oh_arena_free(&m->arena);
  free(m->in);
  free(m->dn);
  free(m->trim_cur);
  free(m->trim_cand);
  free(m->hits);
  free(m);
}

void oh_mutator_reseed(oh_mutator *m, uint64_t seed) { oh_rng_seed(&m->rng, seed); }

const char *oh_mutator_target(const oh_mutator *m) { return m->t->name; }

const char *oh_mutator_last(const oh_mutator *m) { return m->last; }

uint8_t *oh_mut_copy(uint8_t **buf, size_t *cap, const uint8_t *src,
                     size_t len) {
  if (len + 1 > *cap) {
    size_t n = *cap ? *cap : 4096;
    uint8_t *b;
    while (n < len + 1) n *= 2;
    b = realloc(*buf, n);
    if (!b) return NULL;
    *buf = b;
    *cap = n;
  }
  if (len) memcpy(*buf, src, len);
  return *buf;
}

/* ---- One call ------------------------------------------------------------ */

static void oh_note(oh_mutator *m, size_t op) {
  size_t used = strlen(m->last), n = strlen(oh_mut_ops[op].name);
  m->hits[op]++;
  if (used + n + 2 > sizeof m->last) return;
  if (used) m->last[used++] = '+';
  memcpy(m->last + used, oh_mut_ops[op].name, n + 1);
}

/* Copies input and donor, parses the donor. 0 when out of memory. */
static int oh_begin(oh_mutator *m, const uint8_t *in, size_t len,
                    const uint8_t *other, size_t other_len) {
  oh_arena_reset(&m->arena);
  m->last[0] = '\0';
  m->donor.ok = 0;
  m->donor.n = 0;
  m->dn_len = 0;
  m->model.ok = 0;
  m->model.n = 0;
  if (!oh_mut_copy(&m->in, &m->in_cap, in, len)) return 0;
  if (other && other_len) {
    if (!oh_mut_copy(&m->dn, &m->dn_cap, other, other_len)) return 0;
    m->dn_len = other_len;
    if (m->t->kind != OH_TK_READERS)
      oh_model_parse(m, &m->donor, m->dn, other_len);
  }
  return 1;
}

/* The byte path: the input copied into out, then one byte operator (or, for
 * the readers, a few). Returns the size. */
static size_t oh_bytes(oh_mutator *m, size_t len, uint8_t *out, size_t max_out,
                       int forced_op) {
  static const char *const reader_ops[3] = {"byte.havoc", "byte.container",
                                            "byte.splice"};
  int steps = 1, i;
  m->bytes = out;
  m->bytes_len = len < max_out ? len : max_out;
  m->bytes_max = max_out;
  if (m->bytes_len) memcpy(out, m->in, m->bytes_len);
  if (forced_op < 0 && m->t->kind == OH_TK_READERS)
    while (steps < m->opt.max_stack && oh_rng_below(&m->rng, 2)) steps++;
  for (i = 0; i < steps; i++) {
    int op = forced_op;
    if (op < 0)
      op = oh_mutator_op_find(m->t->kind == OH_TK_READERS
                                  ? reader_ops[oh_rng_below(&m->rng, 3)]
                                  : "byte.havoc");
    if (oh_mut_ops[op].fn(m)) oh_note(m, (size_t)op);
  }
  return m->bytes_len;
}

/* A weighted random operator of class cls that applies here; -1 if none
 * did within a few tries. */
static int oh_apply_random(oh_mutator *m, int cls) {
  unsigned total = 0;
  size_t i;
  int tries;
  for (i = 0; i < oh_mut_op_total; i++)
    if (oh_mut_ops[i].cls == cls && (oh_mut_ops[i].targets & m->t->bit))
      total += (unsigned)oh_mut_ops[i].weight;
  if (total == 0) return -1;
  for (tries = 0; tries < 16; tries++) {
    unsigned pick = oh_rng_below(&m->rng, total);
    for (i = 0; i < oh_mut_op_total; i++) {
      const oh_mut_op *op = &oh_mut_ops[i];
      if (op->cls != cls || !(op->targets & m->t->bit)) continue;
      if (pick < (unsigned)op->weight) break;
      pick -= (unsigned)op->weight;
    }
    if (i < oh_mut_op_total && oh_mut_ops[i].fn(m)) {
      oh_note(m, i);
      return (int)i;
    }
  }
  return -1;
}

/* A script that did not parse becomes the target's default header with the
 * input's bytes as one packet (at most a frame's worth). */
static int oh_resynth(oh_mutator *m, size_t len) {
  oh_mrec r;
  oh_model_default(m, &m->model);
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_PACKET;
  r.data = m->in;
  r.len = len > OH_MAX_FRAME_BYTES ? OH_MAX_FRAME_BYTES : len;
  r.claimed = -1;
  if (len && oh_model_insert(&m->model, 0, &r) != OH_OK) return 0;
  oh_note(m, (size_t)oh_mutator_op_find("hdr.resynth"));
  return 1;
}

size_t oh_mutate(oh_mutator *m, const uint8_t *in, size_t len, uint8_t *out,
                 size_t max_out, const uint8_t *other, size_t other_len) {
  int ops = 1, i, applied = 0;
  size_t n;
  if (max_out == 0) return 0;
  if (!oh_begin(m, in, len, other, other_len)) {
    n = len < max_out ? len : max_out;
    if (n && out != in) memmove(out, in, n);
    return n ? n : (out[0] = 0, 1);
  }
  if (m->t->kind == OH_TK_READERS || oh_rng_chance(&m->rng, m->opt.byte_prob))
    return oh_bytes(m, len, out, max_out, -1);
  if (oh_model_parse(m, &m->model, m->in, len) != OH_OK) {
    if (!oh_rng_below(&m->rng, 2) || !oh_resynth(m, len))
      return oh_bytes(m, len, out, max_out, -1);
  }
  while (ops < m->opt.max_stack && oh_rng_below(&m->rng, 2)) ops++;
  for (i = 0; i < ops; i++) {
    int brk = oh_rng_chance(&m->rng, m->opt.break_prob);
    int op = oh_apply_random(m, brk ? OH_MUT_BREAK : OH_MUT_VALID);
    if (op < 0 && brk) op = oh_apply_random(m, OH_MUT_VALID);
    applied += op >= 0;
  }
  n = applied ? oh_model_write(m, &m->model, out, max_out) : 0;
  return n ? n : oh_bytes(m, len, out, max_out, -1);
}

size_t oh_mutate_with(oh_mutator *m, size_t op, const uint8_t *in, size_t len,
                      uint8_t *out, size_t max_out, const uint8_t *other,
                      size_t other_len, int *applied) {
  int ok = 0;
  size_t n;
  if (applied) *applied = 0;
  if (max_out == 0 || op >= oh_mut_op_total ||
      !oh_begin(m, in, len, other, other_len))
    return 0;
  if (strncmp(oh_mut_ops[op].name, "byte.", 5) == 0) {
    size_t before = m->hits[op];
    n = oh_bytes(m, len, out, max_out, (int)op);
    if (applied) *applied = m->hits[op] > before;
    return n;
  }
  if (oh_model_parse(m, &m->model, m->in, len) != OH_OK &&
      (m->t->kind == OH_TK_READERS || !oh_resynth(m, len)))
    return 0;
  if (oh_mut_ops[op].targets & m->t->bit) ok = oh_mut_ops[op].fn(m);
  if (ok) oh_note(m, op);
  if (applied) *applied = ok;
  return oh_model_write(m, &m->model, out, max_out);
}

/* ---- Crossover ----------------------------------------------------------- */

/* Frames of a's packet replaced, each with probability 1/2, by the donor's
 * frames in order. */
static int oh_cross_packet(oh_mutator *m) {
  oh_packet dp;
  oh_packet_spec *s;
  int f, changed = 0;
  const uint8_t *d = m->dn;
  if (!m->donor.ok || m->dn_len == 0 || oh_mut_load_packet(m, 0) < 1) return 0;
  s = &m->mp.s[0].spec;
  if (oh_packet_parse(d, m->dn_len, 0, &dp, NULL, NULL) != OH_OK) {
    dp.frame_count = 1;
    dp.frame_offset[0] = 1;
    dp.frame_len[0] = m->dn_len - 1 > OH_MAX_FRAME_BYTES ? OH_MAX_FRAME_BYTES
                                                         : m->dn_len - 1;
  }
  for (f = 0; f < s->frame_count; f++) {
    if (oh_rng_below(&m->rng, 2)) continue;
    s->frame_data[f] = d + dp.frame_offset[f % dp.frame_count];
    s->frame_len[f] = dp.frame_len[f % dp.frame_count];
    changed = 1;
  }
  if (!changed) {
    s->frame_data[0] = d + dp.frame_offset[0];
    s->frame_len[0] = dp.frame_len[0];
  }
  return oh_pkt_end(m, 0, 0);
}

/* a's records [0, i) then b's [j, n), or position by position from a or
 * b (as long as one of them); b's packets re-split to a's stream count
 * (b's script records are marked with claimed == -2 until then: claimed is
 * unused by script records). */
static int oh_cross_records(oh_mutator *m) {
  oh_model *a = &m->model, *b = &m->donor;
  size_t i, j, k, len;
  int an = oh_model_streams(m, a), bn = oh_model_streams(m, b);
  oh_mrec *old;
  if (oh_rng_below(&m->rng, 2)) {
    i = oh_rng_below(&m->rng, (uint32_t)a->n + 1);
    j = oh_rng_below(&m->rng, (uint32_t)b->n + 1);
    a->n = i;
    for (k = j; k < b->n; k++) {
      oh_mrec r = b->recs[k];
      if (m->t->kind != OH_TK_PIPELINE) r.claimed = -2;
      if (oh_model_insert(a, a->n, &r) != OH_OK) break;
    }
  } else {
    len = oh_rng_below(&m->rng, 2) ? a->n : b->n;
    old = oh_arena_alloc(&m->arena, (a->n ? a->n : 1) * sizeof *old);
    if (!old || oh_model_reserve(a, len) != OH_OK) return 0;
    if (a->n) memcpy(old, a->recs, a->n * sizeof *old);
    for (k = 0; k < len; k++) {
      int from_b = k >= a->n || (k < b->n && oh_rng_below(&m->rng, 2));
      a->recs[k] = from_b ? b->recs[k] : old[k];
      if (from_b && m->t->kind != OH_TK_PIPELINE) a->recs[k].claimed = -2;
    }
    a->n = len;
  }
  for (k = 0; k < a->n; k++) {
    if (a->recs[k].claimed != -2) continue;
    a->recs[k].claimed = -1;
    if (an != bn) oh_mut_restream(m, (long)k, bn, an);
  }
  return 1;
}

size_t oh_mutate_crossover(oh_mutator *m, const uint8_t *a, size_t alen,
                           const uint8_t *b, size_t blen, uint8_t *out,
                           size_t max_out) {
  int ok = 0;
  size_t n;
  if (max_out == 0) return 0;
  if (!oh_begin(m, a, alen, b, blen)) return 0;
  if (m->t->kind != OH_TK_READERS && m->donor.ok &&
      oh_model_parse(m, &m->model, m->in, alen) == OH_OK) {
    ok = m->t->kind == OH_TK_PACKET ? oh_cross_packet(m) : oh_cross_records(m);
    if (ok && m->t->kind != OH_TK_PACKET && oh_rng_below(&m->rng, 4) == 0 &&
        oh_model_streams(m, &m->donor) == oh_model_streams(m, &m->model))
      m->model.h = m->donor.h; /* b's header */
  }
  n = ok ? oh_model_write(m, &m->model, out, max_out) : 0;
  return n ? n : oh_bytes(m, alen, out, max_out, oh_mutator_op_find("byte.splice"));
}
