/* Operators that break packet rules on purpose: one per RFC 6716 rule
 * (R1-R7; each builds the last stream of the packet so that parsing names
 * exactly that rule), length fields set to edge values, self-delimited
 * lengths that lie, truncation, a stream count the header does not declare,
 * and a script whose last record is cut short. Chosen with break_prob. */
#include <string.h>

#include "mut_ops.h"

/* The packet's last stream (plain framing), loaded; its index in *k. */
static int oh_brk_begin(oh_mutator *m, long *idx, int *k) {
  *idx = oh_model_pick_packet(m, &m->model, 1);
  if (*idx < 0 || oh_mut_load_packet(m, *idx) < 1) return 0;
  *k = m->mp.n - 1;
  oh_spec_normalise(&m->mp.s[*k].spec);
  return 1;
}

/* Sets stream k to raw bytes b[0..n) and stores the packet. */
static int oh_brk_end(oh_mutator *m, long idx, int k, const uint8_t *b,
                      size_t n) {
  m->mp.s[k].is_raw = 1;
  m->mp.s[k].raw = b;
  m->mp.s[k].raw_len = n;
  return oh_pkt_commit(m, idx);
}

/* A byte buffer: head bytes, then n bytes cycled from the stream's frames
 * (random when it has none). */
static uint8_t *oh_brk_buf(oh_mutator *m, const oh_packet_spec *s,
                           const uint8_t *head, size_t hlen, size_t n,
                           size_t *total) {
  uint8_t *b = oh_arena_alloc(&m->arena, hlen + n + 1);
  size_t i, f = 0, off = 0;
  if (!b) return NULL;
  memcpy(b, head, hlen);
  for (i = 0; i < n; i++) {
    while (f < (size_t)s->frame_count && off >= s->frame_len[f]) {
      f++;
      off = 0;
    }
    if (f < (size_t)s->frame_count)
      b[hlen + i] = s->frame_data[f][off++];
    else
      b[hlen + i] = (uint8_t)oh_rng_next(&m->rng);
  }
  *total = hlen + n;
  return b;
}

static uint8_t oh_brk_toc(const oh_packet_spec *s, int code) {
  return oh_toc_encode(s->config, s->stereo, code);
}

int oh_op_brk_r1(oh_mutator *m) {
  long idx;
  int k;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  return oh_brk_end(m, idx, k, (const uint8_t *)"", 0);
}

int oh_op_brk_r2(oh_mutator *m) {
  long idx;
  int k, code;
  uint8_t head[3];
  size_t hlen, n, over, total;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  over = OH_MAX_FRAME_BYTES + 1 + oh_rng_below(&m->rng, 64);
  code = (int)oh_rng_below(&m->rng, 3);
  head[0] = oh_brk_toc(s, code);
  hlen = 1;
  switch (code) {
  case 0: n = over; break;           /* the only frame is too long */
  case 1: n = 2 * over; break;       /* each half is too long */
  default:                           /* the implied second frame is */
    head[1] = 1;
    hlen = 2;
    n = 1 + over;
    break;
  }
  b = oh_brk_buf(m, s, head, hlen, n, &total);
  return b && oh_brk_end(m, idx, k, b, total);
}

int oh_op_brk_r3(oh_mutator *m) {
  long idx;
  int k;
  uint8_t head[1];
  size_t half, total;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  half = s->frame_len[0] > 600 ? 600 : s->frame_len[0];
  head[0] = oh_brk_toc(s, 1);
  /* An odd number of bytes after the TOC: the total length is even. */
  b = oh_brk_buf(m, s, head, 1, 2 * half + 1, &total);
  return b && oh_brk_end(m, idx, k, b, total);
}

int oh_op_brk_r4(oh_mutator *m) {
  long idx;
  int k;
  uint8_t head[3];
  size_t hlen = 2, p, v, total;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  head[0] = oh_brk_toc(s, 2);
  switch (oh_rng_below(&m->rng, 3)) {
  case 0: /* a two-byte length cut off after its first byte */
    head[1] = (uint8_t)oh_rng_range(&m->rng, 252, 255);
    p = 0;
    break;
  case 1: /* no length at all */
    hlen = 1;
    p = 0;
    break;
  default: /* a first frame longer than what follows */
    p = s->frame_len[0] > 1000 ? 1000 : s->frame_len[0];
    v = p + 1 + oh_rng_below(&m->rng, (uint32_t)(OH_MAX_FRAME_BYTES - p));
    hlen = 1 + oh_frame_length_encode(v, head + 1, 2);
    break;
  }
  b = oh_brk_buf(m, s, head, hlen, p, &total);
  return b && oh_brk_end(m, idx, k, b, total);
}

int oh_op_brk_r5(oh_mutator *m) {
  long idx;
  int k, max;
  uint8_t head[2];
  size_t total;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  max = oh_spec_max_frames(s->config);
  head[0] = oh_brk_toc(s, 3);
  /* Zero frames, or more than 120 ms of them; flags as they come. */
  head[1] = (uint8_t)(oh_rng_below(&m->rng, 4) << 6);
  if (max < 63 && oh_rng_below(&m->rng, 2))
    head[1] |= (uint8_t)oh_rng_range(&m->rng, (uint32_t)max + 1, 63);
  b = oh_brk_buf(m, s, head, 2, s->frame_len[0], &total);
  return b && oh_brk_end(m, idx, k, b, total);
}

/* Code 3 with padding whose chain claims more than the packet holds. */
static uint8_t *oh_brk_padding(oh_mutator *m, const oh_packet_spec *s, int vbr,
                               size_t *total) {
  uint8_t head[8];
  size_t n = s->frame_len[0] > 200 ? 200 : s->frame_len[0], claim;
  int chain = (int)oh_rng_below(&m->rng, 3), i;
  head[0] = oh_brk_toc(s, 3);
  head[1] = (uint8_t)((vbr ? 0x80 : 0) | 0x40 | 1);
  for (i = 0; i < chain; i++) head[2 + i] = 255;
  claim = n + 1 + oh_rng_below(&m->rng, 200);
  head[2 + chain] = (uint8_t)(claim > 254 ? 254 : claim);
  if (chain == 0 && claim > 254) n = 100;
  return oh_brk_buf(m, s, head, 3 + (size_t)chain, n, total);
}

int oh_op_brk_r6(oh_mutator *m) {
  long idx;
  int k, n, max;
  uint8_t head[2];
  size_t len, total;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  if (oh_rng_below(&m->rng, 3) == 0) {
    b = oh_brk_padding(m, s, 0, &total);
  } else {
    /* n frames of len bytes and r more: the bytes do not divide. */
    max = oh_spec_max_frames(s->config);
    n = (int)oh_rng_range(&m->rng, 2, (uint32_t)max);
    len = s->frame_len[0] > 100 ? 100 : s->frame_len[0];
    head[0] = oh_brk_toc(s, 3);
    head[1] = (uint8_t)n;
    b = oh_brk_buf(m, s, head, 2,
                   (size_t)n * len + oh_rng_range(&m->rng, 1, (uint32_t)n - 1),
                   &total);
  }
  return b && oh_brk_end(m, idx, k, b, total);
}

int oh_op_brk_r7(oh_mutator *m) {
  long idx;
  int k, max;
  uint8_t head[4];
  size_t p, v, total, hlen;
  const oh_packet_spec *s;
  uint8_t *b;
  if (!oh_brk_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  max = oh_spec_max_frames(s->config);
  head[0] = oh_brk_toc(s, 3);
  head[1] = (uint8_t)(0x80 | oh_rng_range(&m->rng, 2, (uint32_t)max));
  switch (oh_rng_below(&m->rng, 3)) {
  case 0: b = oh_brk_padding(m, s, 1, &total); break;
  case 1: /* the first length is cut off */
    head[2] = (uint8_t)oh_rng_range(&m->rng, 252, 255);
    b = oh_brk_buf(m, s, head, 3, 0, &total);
    break;
  default: /* the first length claims more than what follows */
    p = s->frame_len[0] > 1000 ? 1000 : s->frame_len[0];
    v = p + 1 + oh_rng_below(&m->rng, (uint32_t)(OH_MAX_FRAME_BYTES - p));
    hlen = 2 + oh_frame_length_encode(v, head + 2, 2);
    b = oh_brk_buf(m, s, head, hlen, p, &total);
    break;
  }
  return b && oh_brk_end(m, idx, k, b, total);
}

/* p with the length field at pos replaced by the encoding of v (or cut
 * off after a first byte >= 252 when v is past 1275). */
static uint8_t *oh_replace_field(oh_mutator *m, const uint8_t *p, size_t len,
                                 size_t pos, size_t v, size_t *out_len) {
  size_t w = p[pos] < 252 ? 1 : 2, w2;
  uint8_t enc[2], *b;
  if (v > OH_MAX_FRAME_BYTES) {
    enc[0] = 252;
    b = oh_arena_dup(&m->arena, p, pos + 1);
    if (b) b[pos] = enc[0];
    *out_len = pos + 1;
    return b;
  }
  w2 = oh_frame_length_encode(v, enc, 2);
  b = oh_arena_alloc(&m->arena, len - w + w2);
  if (!b) return NULL;
  memcpy(b, p, pos);
  memcpy(b + pos, enc, w2);
  memcpy(b + pos + w2, p + pos + w, len - pos - w);
  *out_len = len - w + w2;
  return b;
}

/* Offsets of the explicit length fields of a written stream. */
static int oh_length_fields(const uint8_t *p, size_t len, int sd,
                            size_t *pos, int max) {
  oh_packet pkt;
  size_t at;
  int n = 0, i, fields;
  if (oh_packet_parse(p, len, sd, &pkt, NULL, NULL) != OH_OK) return 0;
  if (pkt.toc.code == 2) {
    at = 1;
    fields = 1;
  } else if (pkt.toc.code == 3 && pkt.vbr) {
    at = 2 + pkt.padding_len_bytes;
    fields = pkt.frame_count - 1;
  } else {
    at = pkt.toc.code == 3 ? 2 + pkt.padding_len_bytes : 1;
    fields = 0;
  }
  if (sd) fields++;
  for (i = 0; i < fields && n < max && at < len; i++) {
    pos[n++] = at;
    at += p[at] < 252 ? 1 : 2;
  }
  return n;
}

int oh_op_brk_len_edge(oh_mutator *m) {
  long idx;
  int k, nf;
  size_t pos[OH_MAX_FRAMES + 1], v, n;
  oh_packet_spec *s;
  uint8_t *w, *b;
  long wl;
  if (m->t->bit == OH_T_CUSTOM) { /* raw frames: the length is the field */
    const uint8_t *g;
    idx = oh_model_pick_packet(m, &m->model, 1);
    if (idx < 0) return 0;
    v = oh_edge_lengths[oh_rng_below(&m->rng, 6)];
    g = oh_arena_alloc(&m->arena, v ? v : 1);
    if (!g) return 0;
    for (n = 0; n < v; n++)
      ((uint8_t *)g)[n] = m->model.recs[idx].len
                              ? m->model.recs[idx].data[n % m->model.recs[idx].len]
                              : (uint8_t)n;
    if (v == m->model.recs[idx].len) return 0;
    m->model.recs[idx].data = g;
    m->model.recs[idx].len = v;
    return 1;
  }
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = &m->mp.s[k].spec;
  oh_spec_normalise(s);
  if (s->code < 2 || (s->code == 3 && !s->vbr)) {
    if (s->frame_count < 2) {
      s->frame_data[1] = s->frame_data[0];
      s->frame_len[1] = s->frame_len[0];
      s->frame_count = 2;
    }
    s->code = s->frame_count > 2 ? 3 : 2;
    s->vbr = 1;
    oh_spec_normalise(s);
  }
  s->self_delimited = k < m->mp.n - 1;
  wl = oh_spec_store(&m->arena, s, &w);
  if (wl < 0) return 0;
  nf = oh_length_fields(w, (size_t)wl, s->self_delimited, pos, OH_MAX_FRAMES + 1);
  if (nf == 0) return 0;
  v = oh_edge_lengths[oh_rng_below(&m->rng, 6)];
  b = oh_replace_field(m, w, (size_t)wl, pos[oh_rng_below(&m->rng, (uint32_t)nf)],
                       v, &n);
  return b && oh_brk_end(m, idx, k, b, n);
}

int oh_op_brk_sd_length(oh_mutator *m) {
  long idx;
  int k, nf;
  size_t pos[OH_MAX_FRAMES + 1], v, n, cur;
  oh_packet_spec *s;
  uint8_t *w, *b;
  long wl;
  idx = oh_model_pick_packet(m, &m->model, 1);
  if (idx < 0 || oh_mut_load_packet(m, idx) < 2) return 0;
  k = (int)oh_rng_below(&m->rng, (uint32_t)m->mp.n - 1);
  if (m->mp.s[k].is_raw) return 0;
  s = &m->mp.s[k].spec;
  oh_spec_normalise(s);
  s->self_delimited = 1;
  wl = oh_spec_store(&m->arena, s, &w);
  if (wl < 0) return 0;
  nf = oh_length_fields(w, (size_t)wl, 1, pos, OH_MAX_FRAMES + 1);
  if (nf == 0) return 0;
  cur = s->frame_len[s->frame_count - 1];
  /* The self-delimiting length is the last field before the frames. */
  switch (oh_rng_below(&m->rng, 4)) {
  case 0: v = cur + 1; break;
  case 1: v = cur ? cur - 1 : 1; break;
  case 2: v = cur + oh_rng_range(&m->rng, 2, 300); break;
  default: v = oh_edge_lengths[oh_rng_below(&m->rng, 6)]; break;
  }
  b = oh_replace_field(m, w, (size_t)wl, pos[nf - 1], v, &n);
  return b && oh_brk_end(m, idx, k, b, n);
}

int oh_op_brk_truncate(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  oh_mrec *r;
  if (idx < 0) return 0;
  r = &m->model.recs[idx];
  if (r->len == 0) return 0;
  r->len = oh_rng_below(&m->rng, (uint32_t)r->len);
  return 1;
}

int oh_op_brk_stream_count(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  int n, at, from;
  if (idx < 0 || (n = oh_mut_load_packet(m, idx)) < 1) return 0;
  if (n >= 2 && (n == 255 || oh_rng_below(&m->rng, 2))) {
    at = (int)oh_rng_below(&m->rng, (uint32_t)n);
    memmove(&m->mp.s[at], &m->mp.s[at + 1], (size_t)(n - at - 1) * sizeof m->mp.s[0]);
    m->mp.n--;
  } else {
    at = (int)oh_rng_below(&m->rng, (uint32_t)n + 1);
    from = (int)oh_rng_below(&m->rng, (uint32_t)n);
    memmove(&m->mp.s[at + 1], &m->mp.s[at], (size_t)(n - at) * sizeof m->mp.s[0]);
    m->mp.s[at] = m->mp.s[from >= at ? from + 1 : from];
    m->mp.n++;
  }
  return oh_pkt_commit(m, idx);
}

int oh_op_brk_record_truncated(oh_mutator *m) {
  uint8_t rec[8];
  size_t full, n, i;
  if (m->model.tail_len) return 0;
  for (i = 0; i < sizeof rec; i++) rec[i] = (uint8_t)oh_rng_next(&m->rng);
  /* The start of a record of each kind, cut before its end. */
  switch (oh_rng_below(&m->rng, 5)) {
  case 0: rec[0] = 'P'; rec[1] = 0; rec[2] = 40; full = 43; break;
  case 1: rec[0] = 'L'; full = 3; break;
  case 2: rec[0] = 'F'; rec[3] = 0; rec[4] = 40; full = 45; break;
  case 3: rec[0] = 'C'; rec[1] = 0; full = 6; break;
  default: rec[0] = 'R'; full = 6; break;
  }
  n = oh_rng_range(&m->rng, 1, (uint32_t)(full - 1 < sizeof rec ? full - 1 : sizeof rec));
  m->model.tail = oh_arena_dup(&m->arena, rec, n);
  if (!m->model.tail) return 0;
  m->model.tail_len = n;
  return 1;
}
