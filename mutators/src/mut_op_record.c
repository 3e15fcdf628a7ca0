/* Record operators of OHS1 scripts (and, where they make sense, of the
 * pipeline's framed entries): insert, delete, duplicate and reorder
 * records; packets turned into losses; losses of legal and illegal frame
 * sizes; FEC recoveries built from the next packet; CTLs with edge values;
 * resets; decoder re-creation; one TOC for every packet; splices with the
 * donor's records. */
#include <string.h>

#include "mut_ops.h"

static size_t oh_rand_pos(oh_mutator *m) {
  return oh_rng_below(&m->rng, (uint32_t)m->model.n + 1);
}

static int oh_insert(oh_mutator *m, size_t at, const oh_mrec *r) {
  return oh_model_insert(&m->model, at, r) == OH_OK;
}

static oh_mrec oh_rec(int type) {
  oh_mrec r;
  memset(&r, 0, sizeof r);
  r.type = type;
  r.claimed = -1;
  return r;
}

/* A random record index of the given type, or -1. */
static long oh_pick_type(oh_mutator *m, int type, int type2) {
  size_t i, count = 0, k;
  for (i = 0; i < m->model.n; i++)
    count += m->model.recs[i].type == type || m->model.recs[i].type == type2;
  if (!count) return -1;
  k = oh_rng_below(&m->rng, (uint32_t)count);
  for (i = 0; i < m->model.n; i++)
    if ((m->model.recs[i].type == type || m->model.recs[i].type == type2) &&
        k-- == 0)
      return (long)i;
  return -1;
}

/* The frame size that decodes exactly this packet at the header rate, or
 * any legal one when it does not parse. */
static int oh_packet_frame_size(oh_mutator *m, const oh_mrec *r) {
  oh_packet pkt;
  int sd = oh_model_streams(m, &m->model) > 1;
  if (r->data && oh_packet_parse(r->data, r->len, sd, &pkt, NULL, NULL) == OH_OK)
    return (int)((uint64_t)pkt.duration48 * oh_mut_rate(m) / 48000);
  return oh_mut_frame_size(m, 1);
}

int oh_op_rec_insert(oh_mutator *m) {
  oh_mrec r = oh_rec(OH_SREC_PACKET);
  r.data = oh_rng_below(&m->rng, 3) ? oh_mut_pool_packet(m, &r.len) : NULL;
  if (!r.data) r.data = oh_mut_fresh_packet(m, &r.len);
  return r.data && oh_insert(m, oh_rand_pos(m), &r);
}

/* A run of 1..4 records, as rec.dup adds: inputs do not only grow. */
int oh_op_rec_delete(oh_mutator *m) {
  size_t at, run;
  if (m->model.n == 0) return 0;
  at = oh_rng_below(&m->rng, (uint32_t)m->model.n);
  run = oh_rng_range(&m->rng, 1, 4);
  if (run > m->model.n - at) run = m->model.n - at;
  while (run--) oh_model_remove(&m->model, at);
  return 1;
}

int oh_op_rec_dup(oh_mutator *m) {
  size_t i, run, k;
  if (m->model.n == 0) return 0;
  i = oh_rng_below(&m->rng, (uint32_t)m->model.n);
  run = oh_rng_range(&m->rng, 1, 4);
  if (run > m->model.n - i) run = m->model.n - i;
  for (k = 0; k < run; k++) {
    oh_mrec r = m->model.recs[i + k];
    if (!oh_insert(m, i + run + k, &r)) return k > 0;
  }
  return 1;
}

int oh_op_rec_swap(oh_mutator *m) {
  size_t i, j;
  oh_mrec t;
  if (m->model.n < 2) return 0;
  i = oh_rng_below(&m->rng, (uint32_t)m->model.n);
  j = (i + oh_rng_range(&m->rng, 1, (uint32_t)m->model.n - 1)) % m->model.n;
  if (oh_rng_below(&m->rng, 2)) { /* move i to j */
    t = m->model.recs[i];
    oh_model_remove(&m->model, i);
    return oh_insert(m, j, &t);
  }
  t = m->model.recs[i];
  m->model.recs[i] = m->model.recs[j];
  m->model.recs[j] = t;
  return memcmp(&m->model.recs[i], &m->model.recs[j], sizeof t) != 0;
}

int oh_op_rec_to_loss(oh_mutator *m) {
  long i = oh_pick_type(m, OH_SREC_PACKET, OH_SREC_PACKET);
  oh_mrec r = oh_rec(OH_SREC_LOSS);
  if (i < 0) return 0;
  r.frame_size = oh_mut_breaking(m) ? oh_mut_frame_size(m, 0)
                                    : oh_packet_frame_size(m, &m->model.recs[i]);
  m->model.recs[i] = r;
  return 1;
}

int oh_op_rec_insert_loss(oh_mutator *m) {
  oh_mrec r = oh_rec(OH_SREC_LOSS);
  r.frame_size = oh_mut_frame_size(m, !oh_mut_breaking(m));
  return oh_insert(m, oh_rand_pos(m), &r);
}

int oh_op_rec_loss_size(oh_mutator *m) {
  long i = oh_pick_type(m, OH_SREC_LOSS, OH_SREC_FEC);
  int fs;
  if (i < 0) return 0;
  fs = oh_mut_frame_size(m, !oh_mut_breaking(m));
  if (fs == m->model.recs[i].frame_size) return 0;
  m->model.recs[i].frame_size = fs;
  return 1;
}

int oh_op_rec_insert_fec(oh_mutator *m) {
  long i = oh_pick_type(m, OH_SREC_PACKET, OH_SREC_PACKET);
  size_t j;
  oh_mrec r = oh_rec(OH_SREC_FEC);
  if (i < 0) return 0;
  /* Packet i is lost; the next packet's FEC recovers it. */
  for (j = (size_t)i + 1; j < m->model.n; j++)
    if (m->model.recs[j].type == OH_SREC_PACKET) break;
  if (j < m->model.n) {
    r.data = m->model.recs[j].data;
    r.len = m->model.recs[j].len;
  } else {
    r.data = oh_mut_pool_packet(m, &r.len);
    if (!r.data) return 0;
  }
  r.frame_size = oh_mut_breaking(m) ? oh_mut_frame_size(m, 0)
                                    : oh_packet_frame_size(m, &m->model.recs[i]);
  m->model.recs[i] = r;
  return 1;
}

/* A CTL record: a known CTL with an edge value (legal unless breaking).
 * Unknown CTL numbers are not made: the script parser stops at them, so the
 * target would never see the records after one. */
static oh_mrec oh_ctl_rec(oh_mutator *m) {
  oh_mrec r = oh_rec(OH_SREC_CTL);
  const int32_t *vals;
  size_t n;
  r.ctl = (int)oh_rng_below(&m->rng, OH_CTL_COUNT);
  oh_ctl_values(r.ctl, !oh_mut_breaking(m), &vals, &n);
  r.value = vals[oh_rng_below(&m->rng, (uint32_t)n)];
  return r;
}

int oh_op_rec_insert_ctl(oh_mutator *m) {
  oh_mrec r = oh_ctl_rec(m);
  return oh_insert(m, oh_rand_pos(m), &r);
}

int oh_op_rec_ctl_value(oh_mutator *m) {
  long i = oh_pick_type(m, OH_SREC_CTL, OH_SREC_CTL);
  oh_mrec r;
  if (i < 0) return 0;
  r = oh_ctl_rec(m);
  if (oh_rng_below(&m->rng, 2)) {
    /* Same CTL, another value. */
    const int32_t *vals;
    size_t n;
    oh_ctl_values(m->model.recs[i].ctl, !oh_mut_breaking(m), &vals, &n);
    r.ctl = m->model.recs[i].ctl;
    r.value = oh_rng_below(&m->rng, 4) ? vals[oh_rng_below(&m->rng, (uint32_t)n)]
                                       : (int32_t)oh_rng_next(&m->rng);
  }
  if (r.ctl == m->model.recs[i].ctl && r.value == m->model.recs[i].value) return 0;
  m->model.recs[i] = r;
  return 1;
}

int oh_op_rec_insert_reset(oh_mutator *m) {
  oh_mrec r = oh_rec(OH_SREC_CTL);
  r.ctl = OH_CTL_RESET_STATE;
  return oh_insert(m, oh_rand_pos(m), &r);
}

static void oh_recreate_params(oh_mutator *m, oh_mrec *r) {
  static const int bad_channels[3] = {0, 3, 255};
  int brk = oh_mut_breaking(m), ch = m->model.h.channels;
  if (brk && oh_rng_below(&m->rng, 2))
    r->rate = oh_odd_rates[oh_rng_below(&m->rng, 8)];
  else
    r->rate = oh_legal_rates[oh_rng_below(&m->rng, 5)];
  if (brk && oh_rng_below(&m->rng, 2))
    r->channels = bad_channels[oh_rng_below(&m->rng, 3)];
  else if (m->t->bit & OH_T_MS) /* the layout fixes the channel count */
    r->channels = ch >= 1 && ch <= 255 ? ch : 2;
  else
    r->channels = (int)oh_rng_range(&m->rng, 1, 2);
}

int oh_op_rec_insert_recreate(oh_mutator *m) {
  oh_mrec r = oh_rec(OH_SREC_RECREATE);
  oh_recreate_params(m, &r);
  return oh_insert(m, oh_rand_pos(m), &r);
}

int oh_op_rec_recreate_params(oh_mutator *m) {
  long i = oh_pick_type(m, OH_SREC_RECREATE, OH_SREC_RECREATE);
  oh_mrec r;
  if (i < 0) return 0;
  r = m->model.recs[i];
  oh_recreate_params(m, &r);
  if (r.rate == m->model.recs[i].rate && r.channels == m->model.recs[i].channels)
    return 0;
  m->model.recs[i] = r;
  return 1;
}

int oh_op_rec_unify_toc(oh_mutator *m) {
  long ref = oh_model_pick_packet(m, &m->model, 0);
  int config, stereo, changed = 0, k;
  size_t i;
  if (ref < 0 || oh_mut_load_packet(m, ref) < 1 || m->mp.s[0].is_raw) return 0;
  config = m->mp.s[0].spec.config;
  stereo = m->mp.s[0].spec.stereo;
  /* Every packet with the reference's TOC config and stereo bit: what
   * opus_repacketizer_cat needs to accept them together. */
  for (i = 0; i < m->model.n; i++) {
    if (m->model.recs[i].type != OH_SREC_PACKET) continue;
    if (oh_mut_load_packet(m, (long)i) < 1) continue;
    for (k = 0; k < m->mp.n; k++) {
      m->mp.s[k].spec.config = config;
      m->mp.s[k].spec.stereo = stereo;
      oh_spec_normalise(&m->mp.s[k].spec);
    }
    if (m->mp.n > 1) oh_mpkt_harmonise(&m->mp, 0);
    changed |= oh_pkt_commit(m, (long)i);
  }
  return changed;
}

int oh_op_rec_splice(oh_mutator *m) {
  const oh_model *src = m->donor.ok ? &m->donor : &m->model;
  size_t i = oh_rand_pos(m), j, k, keep;
  oh_mrec *tail;
  size_t tn;
  int from, to;
  if (src->n == 0 && m->model.n == 0) return 0;
  j = oh_rng_below(&m->rng, (uint32_t)src->n + 1);
  if (src == &m->model && i == j) return 0;
  /* Our prefix [0, i), then the source's suffix [j, n). The suffix is
   * copied first: the source may be the model itself. */
  tn = src->n - j;
  tail = oh_arena_alloc(&m->arena, (tn ? tn : 1) * sizeof *tail);
  if (!tail) return 0;
  if (tn) memcpy(tail, src->recs + j, tn * sizeof *tail);
  keep = i;
  if (keep + tn > OH_SCRIPT_MAX_RECORDS) tn = OH_SCRIPT_MAX_RECORDS - keep;
  if (oh_model_reserve(&m->model, keep + tn) != OH_OK) return 0;
  for (k = 0; k < tn; k++) m->model.recs[keep + k] = tail[k];
  m->model.n = keep + tn;
  /* The donor's packets take the model's stream count. */
  from = oh_model_streams(m, src);
  to = oh_model_streams(m, &m->model);
  if (from != to)
    for (k = keep; k < m->model.n; k++) oh_mut_restream(m, (long)k, from, to);
  return 1;
}
