/* Operators of the pipeline target: the misuse model (header family),
 * the caller parameters in the extra bytes (PCM capacity, pipeline flags),
 * losses (a zero length prefix), and framing that lies: a u16 length prefix
 * that does not match the packet after it, and a last entry cut short (what
 * a length-trusting framing parser reads past). The packets inside are edited by the packet and
 * record operators. */
#include <string.h>

#include "mut_ops.h"

#define OH_MODELS 12 /* oh_model in harness/runner/runner.h */

int oh_op_pl_model(oh_mutator *m) {
  int f = oh_mut_breaking(m) ? (int)oh_rng_range(&m->rng, OH_MODELS, 255)
                             : (int)oh_rng_below(&m->rng, OH_MODELS);
  if (f == m->model.h.family) return 0;
  m->model.h.family = f;
  return 1;
}

static uint32_t oh_capacity(oh_mutator *m) {
  const oh_script_header *h = &m->model.h;
  uint32_t fs = h->frame_size > 0 ? (uint32_t)h->frame_size
                                  : (uint32_t)oh_frame_size_at(oh_mut_rate(m), 48);
  uint32_t ch = h->channels > 0 ? (uint32_t)h->channels : 1;
  switch (oh_rng_below(&m->rng, 6)) {
  case 0: return fs * ch;     /* what the decode call needs */
  case 1: return fs * ch - 1; /* one sample short */
  case 2: return fs;          /* sized per channel */
  case 3: return fs * ch + 1;
  case 4: return (uint32_t)oh_rng_next(&m->rng) & 0xffff;
  default: return oh_pcm_capacities[oh_rng_below(&m->rng, 6)];
  }
}

int oh_op_pl_params(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  uint8_t *x = oh_arena_alloc(&m->arena, 5);
  uint32_t cap;
  if (!x) return 0;
  memset(x, 0, 5);
  if (h->extra_len) memcpy(x, h->extra, h->extra_len < 5 ? h->extra_len : 5);
  if (h->extra_len < 5 || oh_rng_below(&m->rng, 2)) {
    cap = oh_capacity(m);
    x[0] = (uint8_t)(cap >> 24);
    x[1] = (uint8_t)(cap >> 16);
    x[2] = (uint8_t)(cap >> 8);
    x[3] = (uint8_t)cap;
  } else {
    x[4] = oh_mut_breaking(m) ? (uint8_t)oh_rng_next(&m->rng)
                              : (uint8_t)(x[4] ^ (1u << oh_rng_below(&m->rng, 3)));
  }
  if (h->extra_len == 5 && memcmp(x, h->extra, 5) == 0) return 0;
  h->extra = x;
  h->extra_len = 5;
  return 1;
}

/* A zero-length entry, which the pipeline decodes as a loss: an entry
 * emptied, or a new one inserted. */
int oh_op_pl_loss(oh_mutator *m) {
  long i = oh_model_pick_packet(m, &m->model, 0);
  oh_mrec r;
  if (i >= 0 && m->model.recs[i].len > 0 && oh_rng_below(&m->rng, 2)) {
    m->model.recs[i].len = 0;
    m->model.recs[i].claimed = -1;
    return 1;
  }
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_PACKET;
  r.claimed = -1;
  return oh_model_insert(&m->model, oh_rng_below(&m->rng, (uint32_t)m->model.n + 1),
                         &r) == OH_OK;
}

int oh_op_pl_length_lie(oh_mutator *m) {
  long i = oh_model_pick_packet(m, &m->model, 0);
  oh_mrec *r;
  size_t v;
  if (i < 0) return 0;
  r = &m->model.recs[i];
  switch (oh_rng_below(&m->rng, 6)) {
  case 0: v = 0; break;
  case 1: v = r->len ? r->len - 1 : 1; break;
  case 2: v = r->len + 1; break;
  case 3: v = r->len * 2; break;
  case 4: v = 0xffff; break;
  default: v = r->len + oh_rng_range(&m->rng, 1, 1000); break;
  }
  if (v > 0xffff) v = 0xffff;
  if ((long)v == r->claimed || (r->claimed < 0 && v == r->len)) return 0;
  r->claimed = (long)v;
  return 1;
}

int oh_op_pl_tail(oh_mutator *m) {
  size_t plen = 0, have, claim;
  const uint8_t *p = oh_mut_pool_packet(m, &plen);
  uint8_t *t;
  if (m->model.tail_len) return 0;
  /* A prefix that claims more than the bytes after it. */
  have = p ? oh_rng_below(&m->rng, (uint32_t)plen + 1) : 0;
  claim = have + oh_rng_range(&m->rng, 1, 200);
  if (claim > 0xffff) claim = 0xffff;
  t = oh_arena_alloc(&m->arena, 2 + have);
  if (!t) return 0;
  t[0] = (uint8_t)(claim >> 8);
  t[1] = (uint8_t)claim;
  if (have) memcpy(t + 2, p, have);
  /* Sometimes only the first byte of the prefix. */
  m->model.tail = t;
  m->model.tail_len = oh_rng_below(&m->rng, 4) ? 2 + have : 1;
  return 1;
}
