/* Structure-keeping trimming for AFL++: candidates remove one whole unit
 * from the current input (a record or pipeline entry, a trailing partial
 * record, one frame of a multi-frame packet, a packet's padding, a chunk of
 * a one-frame packet's frame, or for inputs without structure a byte chunk)
 * and are never larger than it. An
 * accepted candidate becomes the current input; a rejected one moves on to
 * the next unit. */
#include <stdlib.h>
#include <string.h>

#include "mut_ops.h"

enum {
  OH_TRIM_RECORDS = 0, /* scripts and pipeline: whole records, then tail */
  OH_TRIM_FRAMES = 1,  /* single-stream packets: one frame / the padding */
  OH_TRIM_PAYLOAD = 2, /* the packet target's one-frame packet: frame bytes */
  OH_TRIM_CHUNKS = 3,  /* anything else: byte chunks */
  OH_TRIM_DONE = 4
};

/* The packet target's packet when it is valid and has one frame; the
 * frame's chunk size in *chunk. */
static int oh_trim_one_frame(oh_mutator *m, oh_packet *pkt, size_t *chunk) {
  const oh_mrec *r;
  if (m->t->kind != OH_TK_PACKET) return 0;
  if (oh_model_parse(m, &m->model, m->trim_cur, m->trim_len) != OH_OK) return 0;
  r = &m->model.recs[0];
  if (!r->data || oh_packet_parse(r->data, r->len, 0, pkt, NULL, NULL) != OH_OK ||
      pkt->frame_count != 1 || pkt->padded)
    return 0;
  *chunk = (pkt->frame_len[0] + 7) / 8;
  return 1;
}

/* Units of the current input in the current phase. */
static size_t oh_trim_units(oh_mutator *m) {
  oh_arena_reset(&m->arena);
  switch (m->trim_phase) {
  case OH_TRIM_RECORDS:
    if (oh_model_parse(m, &m->model, m->trim_cur, m->trim_len) != OH_OK) return 0;
    return m->model.n + (m->model.tail_len ? 1 : 0);
  case OH_TRIM_FRAMES: {
    size_t n = 0, i;
    if (m->t->kind == OH_TK_SCRIPT && (m->t->bit & (OH_T_MS | OH_T_CUSTOM)))
      return 0; /* streams share durations; custom frames have no frames */
    if (oh_model_parse(m, &m->model, m->trim_cur, m->trim_len) != OH_OK) return 0;
    for (i = 0; i < m->model.n; i++) {
      oh_packet pkt;
      const oh_mrec *r = &m->model.recs[i];
      if (r->type != OH_SREC_PACKET || !r->data ||
          oh_packet_parse(r->data, r->len, 0, &pkt, NULL, NULL) != OH_OK)
        continue;
      n += (size_t)(pkt.frame_count - 1) + (pkt.padded ? 1 : 0);
    }
    return n;
  }
  case OH_TRIM_PAYLOAD: {
    oh_packet pkt;
    size_t chunk;
    if (!oh_trim_one_frame(m, &pkt, &chunk) || chunk == 0) return 0;
    return (pkt.frame_len[0] + chunk - 1) / chunk;
  }
  case OH_TRIM_CHUNKS: {
    size_t chunk = m->trim_len / 16 ? m->trim_len / 16 : 1;
    return m->trim_len > 1 ? (m->trim_len - 1) / chunk + 1 : 0;
  }
  default: return 0;
  }
}

/* The one-frame packet without chunk u of its frame. */
static int oh_trim_payload(oh_mutator *m, size_t u) {
  oh_packet pkt;
  oh_packet_spec *s;
  size_t chunk, at, n;
  uint8_t *f;
  if (!oh_trim_one_frame(m, &pkt, &chunk) || chunk == 0) return 0;
  at = u * chunk;
  if (at >= pkt.frame_len[0]) return 0;
  n = pkt.frame_len[0] - at < chunk ? pkt.frame_len[0] - at : chunk;
  f = oh_arena_alloc(&m->arena, pkt.frame_len[0]);
  if (!f) return 0;
  memcpy(f, m->model.recs[0].data + pkt.frame_offset[0], at);
  memcpy(f + at, m->model.recs[0].data + pkt.frame_offset[0] + at + n,
         pkt.frame_len[0] - at - n);
  m->mp.n = 1;
  m->mp.s[0].is_raw = 0;
  s = &m->mp.s[0].spec;
  oh_packet_to_spec(&pkt, m->model.recs[0].data, 0, s);
  s->frame_data[0] = f;
  s->frame_len[0] = pkt.frame_len[0] - n;
  return oh_mut_store_packet(m, 0);
}

/* Removes unit u (frames phase): the u-th removable frame or padding. */
static int oh_trim_frame(oh_mutator *m, size_t u) {
  size_t i;
  for (i = 0; i < m->model.n; i++) {
    oh_packet pkt;
    oh_packet_spec *s;
    size_t units;
    const oh_mrec *r = &m->model.recs[i];
    if (r->type != OH_SREC_PACKET || !r->data ||
        oh_packet_parse(r->data, r->len, 0, &pkt, NULL, NULL) != OH_OK)
      continue;
    units = (size_t)(pkt.frame_count - 1) + (pkt.padded ? 1 : 0);
    if (u >= units) {
      u -= units;
      continue;
    }
    m->mp.n = 1;
    m->mp.s[0].is_raw = 0;
    s = &m->mp.s[0].spec;
    oh_packet_to_spec(&pkt, r->data, 0, s);
    if (pkt.padded && u == units - 1) {
      s->padding_len = 0;
      s->force_padding_flag = 0;
    } else { /* drop frame u + 1 */
      int f = (int)u + 1;
      memmove(&s->frame_data[f], &s->frame_data[f + 1],
              (size_t)(s->frame_count - f - 1) * sizeof s->frame_data[0]);
      memmove(&s->frame_len[f], &s->frame_len[f + 1],
              (size_t)(s->frame_count - f - 1) * sizeof s->frame_len[0]);
      s->frame_count--;
    }
    oh_spec_normalise(s);
    return oh_mut_store_packet(m, (long)i);
  }
  return 0;
}

/* The candidate without unit u, in m->trim_cand. */
static size_t oh_trim_make(oh_mutator *m, size_t u) {
  size_t n = 0;
  if (m->trim_phase == OH_TRIM_CHUNKS) {
    size_t chunk = m->trim_len / 16 ? m->trim_len / 16 : 1;
    size_t at = u * chunk, len = chunk;
    if (at >= m->trim_len) return 0;
    if (len > m->trim_len - at) len = m->trim_len - at;
    if (len >= m->trim_len) return 0; /* never empty */
    memcpy(m->trim_cand, m->trim_cur, at);
    memcpy(m->trim_cand + at, m->trim_cur + at + len, m->trim_len - at - len);
    return m->trim_len - len;
  }
  if (m->trim_phase == OH_TRIM_RECORDS) {
    if (u < m->model.n)
      oh_model_remove(&m->model, u);
    else
      m->model.tail_len = 0;
  } else if (m->trim_phase == OH_TRIM_PAYLOAD ? !oh_trim_payload(m, u)
                                              : !oh_trim_frame(m, u)) {
    return 0;
  }
  n = oh_model_write(m, &m->model, m->trim_cand, m->trim_len);
  return n > 0 && n <= m->trim_len ? n : 0;
}

/* The first phase that has units, from the current one on. */
static void oh_trim_settle(oh_mutator *m) {
  while (m->trim_phase < OH_TRIM_DONE) {
    size_t units = oh_trim_units(m);
    if (m->trim_pos < units) return;
    m->trim_phase++;
    m->trim_pos = 0;
    if (m->trim_phase == OH_TRIM_CHUNKS && m->trim_steps_struct) m->trim_phase = OH_TRIM_DONE;
  }
}

size_t oh_trim_init(oh_mutator *m, const uint8_t *in, size_t len) {
  size_t steps = 0;
  if (!oh_mut_copy(&m->trim_cur, &m->trim_cur_cap, in, len) ||
      !oh_mut_copy(&m->trim_cand, &m->trim_cap, in, len))
    return 0;
  m->trim_len = len;
  m->trim_done = 0;
  m->trim_pos = 0;
  m->trim_steps_struct = 0;
  m->dn_len = 0;
  m->donor.ok = 0;
  /* Structure first; byte chunks only for what has none. */
  if (m->t->kind != OH_TK_READERS) {
    m->trim_phase = OH_TRIM_RECORDS;
    if (m->t->kind == OH_TK_SCRIPT || m->t->kind == OH_TK_PIPELINE)
      steps += oh_trim_units(m);
    size_t frames, payload;
    m->trim_phase = OH_TRIM_FRAMES;
    steps += frames = oh_trim_units(m);
    m->trim_phase = OH_TRIM_PAYLOAD;
    payload = oh_trim_units(m);
    /* Frames trimmed away leave one whose bytes go next. */
    if (payload == 0 && frames > 0 && m->t->kind == OH_TK_PACKET) payload = 8;
    steps += payload;
    m->trim_steps_struct = steps > 0;
  }
  if (steps == 0) {
    m->trim_phase = OH_TRIM_CHUNKS;
    steps = oh_trim_units(m);
  } else {
    m->trim_phase = m->t->kind == OH_TK_PACKET ? OH_TRIM_FRAMES : OH_TRIM_RECORDS;
  }
  m->trim_steps = steps;
  return steps;
}

size_t oh_trim_step(oh_mutator *m, const uint8_t **out) {
  size_t n = 0;
  oh_trim_settle(m);
  while (m->trim_phase < OH_TRIM_DONE) {
    n = oh_trim_make(m, m->trim_pos);
    if (n) break;
    m->trim_pos++; /* a unit that cannot go: try the next */
    oh_trim_settle(m);
  }
  if (!n) { /* nothing left: the current input as is */
    memcpy(m->trim_cand, m->trim_cur, m->trim_len);
    n = m->trim_len;
    m->trim_phase = OH_TRIM_DONE;
  }
  m->trim_cand_len = n;
  *out = m->trim_cand;
  return n;
}

size_t oh_trim_post(oh_mutator *m, int success) {
  if (success && m->trim_phase < OH_TRIM_DONE) {
    memcpy(m->trim_cur, m->trim_cand, m->trim_cand_len);
    m->trim_len = m->trim_cand_len;
  } else {
    m->trim_pos++;
  }
  m->trim_done++;
  if (m->trim_phase >= OH_TRIM_DONE || m->trim_done >= m->trim_steps)
    return m->trim_steps;
  return m->trim_done;
}
