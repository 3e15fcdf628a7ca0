/* The operator table (names, class, targets, weights, hit counters through
 * the mutator) and what the packet operators share: picking and loading a
 * packet, storing it back, the donor pools and fresh packets. */
#include <string.h>

#include "mut_ops.h"

#define ALL_T 0xFFu
#define SCR_PIPE (OH_T_SCRIPTS | OH_T_PIPE)
#define OPUS_SCR (OH_T_STREAM | OH_T_MS | OH_T_REPACK | OH_T_PIPE)

/* Weight 0: never picked at random (byte.havoc runs as the byte fallback). */
const oh_mut_op oh_mut_ops[] = {
    /* packet fields, RFC 6716 section 3, kept valid */
    {"pkt.config", OH_MUT_VALID, OH_T_OPUS, 4, oh_op_pkt_config},
    {"pkt.stereo", OH_MUT_VALID, OH_T_OPUS, 2, oh_op_pkt_stereo},
    {"pkt.code", OH_MUT_VALID, OH_T_OPUS, 4, oh_op_pkt_code},
    {"pkt.frame-count", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_frame_count},
    {"pkt.cbr-vbr", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_cbr_vbr},
    {"pkt.padding", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_padding},
    {"pkt.frame-dup", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_frame_dup},
    {"pkt.frame-drop", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_frame_drop},
    {"pkt.frame-swap", OH_MUT_VALID, OH_T_OPUS, 2, oh_op_pkt_frame_swap},
    {"pkt.frame-splice", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_frame_splice},
    {"pkt.frame-resize", OH_MUT_VALID, OH_T_OPUS, 3, oh_op_pkt_frame_resize},
    {"pkt.payload", OH_MUT_VALID, OH_T_OPUS, 8, oh_op_pkt_payload},
    {"pkt.repair", OH_MUT_VALID, OH_T_OPUS, 2, oh_op_pkt_repair},
    {"ms.stream-swap", OH_MUT_VALID, OH_T_MS, 2, oh_op_ms_stream_swap},
    {"ms.stream-replace", OH_MUT_VALID, OH_T_MS, 2, oh_op_ms_stream_replace},
    /* custom frames: raw CELT bytes, no TOC */
    {"raw.bytes", OH_MUT_VALID, OH_T_CUSTOM, 8, oh_op_raw_bytes},
    {"raw.length", OH_MUT_VALID, OH_T_CUSTOM, 3, oh_op_raw_length},
    {"raw.splice", OH_MUT_VALID, OH_T_CUSTOM, 3, oh_op_raw_splice},
    /* rules broken on purpose */
    {"brk.r1-empty", OH_MUT_BREAK, OH_T_OPUS, 1, oh_op_brk_r1},
    {"brk.r2-long-frame", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r2},
    {"brk.r3-even-code1", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r3},
    {"brk.r4-code2-length", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r4},
    {"brk.r5-frame-count", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r5},
    {"brk.r6-cbr-remainder", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r6},
    {"brk.r7-vbr-lengths", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_r7},
    {"brk.len-edge", OH_MUT_BREAK, OH_T_OPUS | OH_T_CUSTOM, 3,
     oh_op_brk_len_edge},
    {"brk.sd-length", OH_MUT_BREAK, OH_T_MS, 2, oh_op_brk_sd_length},
    {"brk.truncate", OH_MUT_BREAK, OH_T_OPUS, 2, oh_op_brk_truncate},
    {"brk.stream-count", OH_MUT_BREAK, OH_T_MS, 1, oh_op_brk_stream_count},
    {"brk.record-truncated", OH_MUT_BREAK, OH_T_SCRIPTS, 1,
     oh_op_brk_record_truncated},
    /* records */
    {"rec.insert", OH_MUT_VALID, SCR_PIPE, 3, oh_op_rec_insert},
    {"rec.delete", OH_MUT_VALID, SCR_PIPE, 3, oh_op_rec_delete},
    {"rec.dup", OH_MUT_VALID, SCR_PIPE, 3, oh_op_rec_dup},
    {"rec.swap", OH_MUT_VALID, SCR_PIPE, 2, oh_op_rec_swap},
    {"rec.to-loss", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_to_loss},
    {"rec.insert-loss", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_insert_loss},
    {"rec.loss-size", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_loss_size},
    {"rec.insert-fec", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_insert_fec},
    {"rec.insert-ctl", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_insert_ctl},
    {"rec.ctl-value", OH_MUT_VALID, OH_T_SCRIPTS, 2, oh_op_rec_ctl_value},
    {"rec.insert-reset", OH_MUT_VALID, OH_T_SCRIPTS, 1, oh_op_rec_insert_reset},
    {"rec.insert-recreate", OH_MUT_VALID, OH_T_SCRIPTS, 1,
     oh_op_rec_insert_recreate},
    {"rec.recreate-params", OH_MUT_VALID, OH_T_SCRIPTS, 1,
     oh_op_rec_recreate_params},
    {"rec.unify-toc", OH_MUT_VALID, OPUS_SCR, 2, oh_op_rec_unify_toc},
    {"rec.splice", OH_MUT_VALID, SCR_PIPE, 2, oh_op_rec_splice},
    /* header */
    {"hdr.rate", OH_MUT_VALID, SCR_PIPE & ~OH_T_CUSTOM, 2, oh_op_hdr_rate},
    {"hdr.channels", OH_MUT_VALID,
     OH_T_STREAM | OH_T_CUSTOM | OH_T_REPACK | OH_T_PIPE, 2,
     oh_op_hdr_channels},
    {"hdr.frame-size", OH_MUT_VALID, SCR_PIPE, 2, oh_op_hdr_frame_size},
    {"hdr.flags", OH_MUT_VALID, SCR_PIPE, 2, oh_op_hdr_flags},
    {"hdr.ms-layout", OH_MUT_VALID, OH_T_MS, 2, oh_op_hdr_ms_layout},
    {"hdr.ms-mapping", OH_MUT_VALID, OH_T_MULTI, 2, oh_op_hdr_ms_mapping},
    {"hdr.proj-matrix", OH_MUT_VALID, OH_T_PROJ, 2, oh_op_hdr_proj_matrix},
    {"hdr.custom", OH_MUT_VALID, OH_T_CUSTOM, 3, oh_op_hdr_custom},
    {"hdr.resynth", OH_MUT_VALID, SCR_PIPE, 1, oh_op_hdr_resynth},
    /* pipeline */
    {"pl.model", OH_MUT_VALID, OH_T_PIPE, 3, oh_op_pl_model},
    {"pl.params", OH_MUT_VALID, OH_T_PIPE, 3, oh_op_pl_params},
    {"pl.loss", OH_MUT_VALID, OH_T_PIPE, 2, oh_op_pl_loss},
    {"pl.length-lie", OH_MUT_BREAK, OH_T_PIPE, 4, oh_op_pl_length_lie},
    {"pl.tail", OH_MUT_BREAK, OH_T_PIPE, 1, oh_op_pl_tail},
    /* whole-input bytes */
    {"byte.havoc", OH_MUT_VALID, ALL_T, 0, oh_op_byte_havoc},
    {"byte.container", OH_MUT_VALID, OH_T_READERS, 2, oh_op_byte_container},
    {"byte.splice", OH_MUT_VALID, OH_T_READERS, 2, oh_op_byte_splice},
};
const size_t oh_mut_op_total = sizeof oh_mut_ops / sizeof oh_mut_ops[0];

/* ---- Public operator queries -------------------------------------------- */

size_t oh_mutator_op_count(void) { return oh_mut_op_total; }

const char *oh_mutator_op_name(size_t op) {
  return op < oh_mut_op_total ? oh_mut_ops[op].name : NULL;
}

int oh_mutator_op_class(size_t op) {
  return op < oh_mut_op_total ? oh_mut_ops[op].cls : -1;
}

int oh_mutator_op_find(const char *name) {
  size_t i;
  for (i = 0; name && i < oh_mut_op_total; i++)
    if (strcmp(oh_mut_ops[i].name, name) == 0) return (int)i;
  return -1;
}

int oh_mutator_op_applies(const oh_mutator *m, size_t op) {
  if (op >= oh_mut_op_total) return 0;
  /* byte.havoc is the fallback of every target; the readers pick it too. */
  return (oh_mut_ops[op].targets & m->t->bit) != 0;
}

uint64_t oh_mutator_op_hits(const oh_mutator *m, size_t op) {
  return op < oh_mut_op_total ? m->hits[op] : 0;
}

void oh_mutator_clear_hits(oh_mutator *m) {
  memset(m->hits, 0, oh_mut_op_total * sizeof *m->hits);
}

/* ---- Shared helpers ------------------------------------------------------ */

int oh_mut_breaking(oh_mutator *m) {
  return oh_rng_chance(&m->rng, m->opt.break_prob);
}

uint32_t oh_mut_rate(const oh_mutator *m) {
  uint32_t r = m->model.h.rate;
  return r >= 8000 && r <= 96000 ? r : 48000;
}

int oh_mut_frame_size(oh_mutator *m, int legal) {
  if (!legal)
    return oh_odd_frame_sizes[oh_rng_below(&m->rng, 9)];
  return oh_frame_size_at(oh_mut_rate(m), oh_dur_units[oh_rng_below(&m->rng, 7)]);
}

static const uint8_t oh_empty[1];

/* A model (the input, or the donor when present and chosen). */
static const oh_model *oh_pool_model(oh_mutator *m) {
  if (m->donor.ok && m->donor.n && oh_rng_below(&m->rng, 2)) return &m->donor;
  return &m->model;
}

/* d re-split from `from` streams into `to` (in m->mp2, stored in the
 * arena), so a donor's packet fits the model's layout. */
static const uint8_t *oh_convert_streams(oh_mutator *m, const uint8_t *d,
                                         size_t len, int from, int to,
                                         size_t *out_len) {
  oh_mpkt *mp = &m->mp2;
  const uint8_t *p;
  long n;
  int k;
  if (oh_mpkt_load(mp, d, len, from) != OH_OK) oh_mpkt_repair(mp, d, len, from);
  for (k = mp->n; k < to; k++) mp->s[k] = mp->s[k % mp->n];
  mp->n = to;
  if (to > 1) oh_mpkt_harmonise(mp, 0);
  n = oh_mpkt_store(&m->arena, mp, &p);
  if (n < 0 || n > OH_MUT_MAX_PACKET) return NULL;
  *out_len = (size_t)n;
  return p;
}

const uint8_t *oh_mut_pool_packet(oh_mutator *m, size_t *len) {
  const oh_model *md = oh_pool_model(m);
  long i = oh_model_pick_packet(m, md, 1);
  int from, to;
  if (i < 0 && md != &m->model) i = oh_model_pick_packet(m, md = &m->model, 1);
  if (i < 0) return NULL;
  *len = md->recs[i].len;
  from = oh_model_streams(m, md);
  to = oh_model_streams(m, &m->model);
  if (from != to)
    return oh_convert_streams(m, md->recs[i].data ? md->recs[i].data : oh_empty,
                              md->recs[i].len, from, to, len);
  return md->recs[i].data ? md->recs[i].data : oh_empty;
}

const uint8_t *oh_mut_pool_frame(oh_mutator *m, size_t *len) {
  size_t plen = 0;
  const uint8_t *p = oh_mut_pool_packet(m, &plen);
  oh_packet pkt;
  int f;
  if (!p) return NULL;
  /* The first stream of a multistream packet is self-delimited. */
  if (oh_packet_parse(p, plen, oh_model_streams(m, &m->model) > 1, &pkt, NULL,
                      NULL) != OH_OK &&
      oh_packet_parse(p, plen, 0, &pkt, NULL, NULL) != OH_OK) {
    /* Not a packet: any slice of it is a frame. */
    size_t at = oh_rng_below(&m->rng, (uint32_t)plen + 1);
    size_t n = oh_rng_below(&m->rng, (uint32_t)(plen - at) + 1);
    if (n > OH_MAX_FRAME_BYTES) n = OH_MAX_FRAME_BYTES;
    *len = n;
    return p + at;
  }
  f = (int)oh_rng_below(&m->rng, (uint32_t)pkt.frame_count);
  *len = pkt.frame_len[f];
  return p + pkt.frame_offset[f];
}

const uint8_t *oh_mut_fresh_packet(oh_mutator *m, size_t *len) {
  int n = oh_model_streams(m, &m->model), i;
  int config = (int)oh_rng_below(&m->rng, 32);
  size_t cap = 0, pos = 0;
  uint8_t *b, *frame;
  size_t flen = oh_rng_below(&m->rng, 160), j;
  frame = oh_arena_alloc(&m->arena, flen ? flen : 1);
  if (!frame) return NULL;
  for (j = 0; j < flen; j++) frame[j] = (uint8_t)oh_rng_next(&m->rng);
  cap = (size_t)n * (flen + 4);
  b = oh_arena_alloc(&m->arena, cap);
  if (!b) return NULL;
  for (i = 0; i < n; i++) {
    oh_packet_spec s;
    long w;
    memset(&s, 0, sizeof s);
    s.config = config;
    s.stereo = (int)oh_rng_below(&m->rng, 2);
    s.frame_count = 1;
    s.frame_data[0] = frame;
    s.frame_len[0] = flen;
    s.self_delimited = i < n - 1;
    w = oh_packet_write(&s, b + pos, cap - pos, NULL);
    if (w < 0) return NULL;
    pos += (size_t)w;
  }
  *len = pos;
  return b;
}

/* ---- Packet editing ------------------------------------------------------ */

int oh_mut_load_packet(oh_mutator *m, long idx) {
  const oh_mrec *r;
  const uint8_t *d;
  int n = oh_model_streams(m, &m->model);
  if (idx < 0 || (size_t)idx >= m->model.n) return 0;
  r = &m->model.recs[idx];
  if (r->type != OH_SREC_PACKET && r->type != OH_SREC_FEC) return 0;
  d = r->data ? r->data : oh_empty;
  if (oh_mpkt_load(&m->mp, d, r->len, n) != OH_OK)
    oh_mpkt_repair(&m->mp, d, r->len, n);
  return m->mp.n;
}

static int oh_set_packet(oh_mutator *m, long idx, const uint8_t *p, size_t n) {
  oh_mrec *r = &m->model.recs[idx];
  if (n > OH_MUT_MAX_PACKET) return 0;
  if (n == r->len && (n == 0 || memcmp(p, r->data, n) == 0)) return 0;
  r->data = p;
  r->len = n;
  return 1;
}

int oh_mut_store_packet(oh_mutator *m, long idx) {
  const uint8_t *p;
  long n = oh_mpkt_store(&m->arena, &m->mp, &p);
  if (n < 0) return 0;
  return oh_set_packet(m, idx, p, (size_t)n);
}

int oh_pkt_begin(oh_mutator *m, long *idx, int *k) {
  int n, tries;
  *idx = oh_model_pick_packet(m, &m->model, 1);
  if (*idx < 0) return 0;
  n = oh_mut_load_packet(m, *idx);
  if (n < 1) return 0;
  for (tries = 0; tries < 4; tries++) {
    *k = (int)oh_rng_below(&m->rng, (uint32_t)n);
    if (!m->mp.s[*k].is_raw) return 1;
  }
  return 0;
}

int oh_pkt_end(oh_mutator *m, long idx, int k) {
  oh_spec_normalise(&m->mp.s[k].spec);
  if (m->mp.n > 1) oh_mpkt_harmonise(&m->mp, k);
  return oh_mut_store_packet(m, idx);
}

int oh_pkt_commit(oh_mutator *m, long idx) { return oh_mut_store_packet(m, idx); }

int oh_mut_restream(oh_mutator *m, long idx, int old_n, int new_n) {
  oh_mrec *r = &m->model.recs[idx];
  const uint8_t *d = r->data ? r->data : oh_empty;
  int k;
  if (r->type != OH_SREC_PACKET && r->type != OH_SREC_FEC) return 0;
  if (old_n < 1) old_n = 1;
  if (new_n < 1) new_n = 1;
  if (new_n > 255) new_n = 255;
  if (oh_mpkt_load(&m->mp, d, r->len, old_n) != OH_OK)
    oh_mpkt_repair(&m->mp, d, r->len, old_n);
  /* Streams dropped from the end, or the ones there are repeated. */
  for (k = m->mp.n; k < new_n; k++) m->mp.s[k] = m->mp.s[k % m->mp.n];
  m->mp.n = new_n;
  if (new_n > 1) oh_mpkt_harmonise(&m->mp, 0);
  if (oh_mut_store_packet(m, idx)) return 1;
  /* Too long for a record: shorter frames in every stream, else a loss
   * (a packet left with the old stream count would be invalid). */
  for (k = 0; k < m->mp.n; k++) {
    oh_packet_spec *s = &m->mp.s[k].spec;
    size_t cap = (OH_MUT_MAX_PACKET / (size_t)new_n - 8) / (size_t)s->frame_count;
    int f;
    for (f = 0; f < s->frame_count; f++)
      if (s->frame_len[f] > cap) s->frame_len[f] = cap;
    if (s->padding_len > cap) s->padding_len = 0;
    oh_spec_normalise(s);
  }
  if (oh_mut_store_packet(m, idx)) return 1;
  r = &m->model.recs[idx];
  if (r->len <= OH_MUT_MAX_PACKET &&
      oh_mutate_packet_check(new_n, r->data, r->len, NULL) == OH_OK)
    return 0; /* the bytes were already right */
  r->type = OH_SREC_LOSS;
  r->frame_size = oh_mut_frame_size(m, 1);
  return 1;
}
