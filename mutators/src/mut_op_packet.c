/* Packet operators that keep packets valid (RFC 6716 section 3): TOC
 * config, stereo bit and frame packing code with the lengths re-encoded,
 * frame count, CBR/VBR, code 3 padding with multi-byte chains, frames
 * duplicated, dropped, reordered, spliced from other packets or resized,
 * payload bytes through the byte hook; multistream stream reordering and
 * replacement; raw CELT frames for the custom API. */
#include <string.h>

#include "mut_ops.h"

static oh_packet_spec *oh_spec_k(oh_mutator *m, int k) { return &m->mp.s[k].spec; }

int oh_op_pkt_config(oh_mutator *m) {
  long idx;
  int k, old;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  old = s->config;
  /* Neighbours (same mode, other duration or bandwidth) half the time. */
  if (oh_rng_below(&m->rng, 2))
    s->config = (old + 32 + (int)oh_rng_range(&m->rng, 1, 8) - 4) & 31;
  else
    s->config = (int)oh_rng_below(&m->rng, 32);
  if (s->config == old) s->config = (old + 1) & 31;
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_stereo(oh_mutator *m) {
  long idx;
  int k;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  oh_spec_k(m, k)->stereo ^= 1;
  return oh_pkt_end(m, idx, k);
}

/* Splits frame 0 in two at `at`. */
static void oh_split_first(oh_packet_spec *s, size_t at) {
  s->frame_data[1] = s->frame_data[0] ? s->frame_data[0] + at : NULL;
  s->frame_len[1] = s->frame_len[0] - at;
  s->frame_len[0] = at;
  s->frame_count = 2;
}

int oh_op_pkt_code(oh_mutator *m) {
  long idx;
  int k, code;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  code = (s->code + (int)oh_rng_range(&m->rng, 1, 3)) & 3;
  switch (code) {
  case 0:
    s->frame_count = 1;
    break;
  case 1:
    if (s->frame_count < 2 || s->frame_len[0] != s->frame_len[1]) {
      if (oh_rng_below(&m->rng, 2)) { /* the same frame twice */
        s->frame_data[1] = s->frame_data[0];
        s->frame_len[1] = s->frame_len[0];
        s->frame_count = 2;
      } else {
        s->frame_len[0] &= ~(size_t)1;
        oh_split_first(s, s->frame_len[0] / 2);
      }
    }
    s->frame_count = 2;
    break;
  case 2:
    if (s->frame_count < 2)
      oh_split_first(s, oh_rng_below(&m->rng, (uint32_t)s->frame_len[0] + 1));
    s->frame_count = 2;
    break;
  default:
    s->vbr = oh_rng_below(&m->rng, 2);
    break;
  }
  s->code = code;
  s->padding_len = 0;
  s->force_padding_flag = 0;
  return oh_pkt_end(m, idx, k);
}

/* Grows or shrinks the frame list to n, cycling the frames there are. */
static void oh_set_frame_count(oh_packet_spec *s, int n) {
  int i, old = s->frame_count;
  for (i = old; i < n; i++) {
    s->frame_data[i] = s->frame_data[i % old];
    s->frame_len[i] = s->frame_len[i % old];
  }
  s->frame_count = n;
}

int oh_op_pkt_frame_count(oh_mutator *m) {
  long idx;
  int k, max, n;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  max = oh_spec_max_frames(s->config);
  switch (oh_rng_below(&m->rng, 3)) {
  case 0: n = max; break;
  case 1: n = 1 + (int)oh_rng_below(&m->rng, 3); break;
  default: n = 1 + (int)oh_rng_below(&m->rng, (uint32_t)max); break;
  }
  if (n > max) n = max;
  if (n == s->frame_count) n = n > 1 ? n - 1 : (max > 1 ? 2 : 1);
  oh_set_frame_count(s, n);
  s->code = 3;
  return oh_pkt_end(m, idx, k);
}

/* Every frame as long as the shortest. */
static void oh_equalise(oh_packet_spec *s) {
  size_t min = s->frame_len[0];
  int i;
  for (i = 1; i < s->frame_count; i++)
    if (s->frame_len[i] < min) min = s->frame_len[i];
  for (i = 0; i < s->frame_count; i++) s->frame_len[i] = min;
}

int oh_op_pkt_cbr_vbr(oh_mutator *m) {
  long idx;
  int k;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  switch (s->code) {
  case 0: /* one frame: code 3 can say CBR or VBR about it */
    s->code = 3;
    s->vbr = oh_rng_below(&m->rng, 2);
    break;
  case 1: s->code = 2; break;
  case 2:
    oh_equalise(s);
    s->code = 1;
    break;
  default:
    if (s->vbr) oh_equalise(s);
    s->vbr = !s->vbr;
    break;
  }
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_padding(oh_mutator *m) {
  long idx;
  int k;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  if ((s->padding_len || s->force_padding_flag) && oh_rng_below(&m->rng, 3) == 0) {
    s->padding_len = 0;
    s->force_padding_flag = 0;
  } else {
    size_t pad = oh_rng_below(&m->rng, 4)
                     ? oh_padding_lengths[oh_rng_below(&m->rng, 10)]
                     : oh_rng_below(&m->rng, 600);
    s->padding_len = pad;
    s->force_padding_flag = 1; /* a flag with a zero-length chain too */
    s->code = 3;
  }
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_frame_dup(oh_mutator *m) {
  long idx;
  int k, i, at;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  if (s->frame_count >= oh_spec_max_frames(s->config)) return 0;
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  at = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count + 1);
  memmove(&s->frame_data[at + 1], &s->frame_data[at],
          (size_t)(s->frame_count - at) * sizeof s->frame_data[0]);
  memmove(&s->frame_len[at + 1], &s->frame_len[at],
          (size_t)(s->frame_count - at) * sizeof s->frame_len[0]);
  if (i >= at) i++;
  s->frame_data[at] = s->frame_data[i];
  s->frame_len[at] = s->frame_len[i];
  s->frame_count++;
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_frame_drop(oh_mutator *m) {
  long idx;
  int k, i;
  oh_packet_spec *s;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  if (s->frame_count < 2) return 0;
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  memmove(&s->frame_data[i], &s->frame_data[i + 1],
          (size_t)(s->frame_count - i - 1) * sizeof s->frame_data[0]);
  memmove(&s->frame_len[i], &s->frame_len[i + 1],
          (size_t)(s->frame_count - i - 1) * sizeof s->frame_len[0]);
  s->frame_count--;
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_frame_swap(oh_mutator *m) {
  long idx;
  int k, i, j;
  oh_packet_spec *s;
  const uint8_t *d;
  size_t l;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  if (s->frame_count < 2) return 0;
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  j = (i + (int)oh_rng_range(&m->rng, 1, (uint32_t)s->frame_count - 1)) %
      s->frame_count;
  d = s->frame_data[i];
  l = s->frame_len[i];
  s->frame_data[i] = s->frame_data[j];
  s->frame_len[i] = s->frame_len[j];
  s->frame_data[j] = d;
  s->frame_len[j] = l;
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_frame_splice(oh_mutator *m) {
  long idx;
  int k, i;
  oh_packet_spec *s;
  size_t len = 0;
  const uint8_t *f;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  f = oh_mut_pool_frame(m, &len);
  if (!f) return 0;
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  s->frame_data[i] = f;
  s->frame_len[i] = len;
  return oh_pkt_end(m, idx, k);
}

/* A copy of frame bytes in the arena, grown to n with copies of itself
 * (or random bytes when it is empty). */
static const uint8_t *oh_grow(oh_mutator *m, const uint8_t *d, size_t len,
                              size_t n) {
  uint8_t *b = oh_arena_alloc(&m->arena, n ? n : 1);
  size_t i;
  if (!b) return NULL;
  for (i = 0; i < n; i++)
    b[i] = len ? d[i % len] : (uint8_t)oh_rng_next(&m->rng);
  return b;
}

static size_t oh_new_length(oh_mutator *m, size_t len) {
  switch (oh_rng_below(&m->rng, 8)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return len / 2;
  case 3: return len + 1;
  case 4: return len * 2;
  case 5: return OH_MAX_FRAME_BYTES;
  case 6: return len > 0 ? len - 1 : 2;
  default: return oh_rng_below(&m->rng, OH_MAX_FRAME_BYTES + 1);
  }
}

int oh_op_pkt_frame_resize(oh_mutator *m) {
  long idx;
  int k, i, first, last;
  oh_packet_spec *s;
  size_t n;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  n = oh_new_length(m, s->frame_len[i]);
  if (n > OH_MAX_FRAME_BYTES) n = OH_MAX_FRAME_BYTES;
  /* CBR stays CBR half the time: every frame gets the new length. */
  first = last = i;
  if ((s->code == 1 || (s->code == 3 && !s->vbr)) && oh_rng_below(&m->rng, 2)) {
    first = 0;
    last = s->frame_count - 1;
  }
  for (i = first; i <= last; i++) {
    if (n > s->frame_len[i]) {
      const uint8_t *g = oh_grow(m, s->frame_data[i], s->frame_len[i], n);
      if (!g) return 0;
      s->frame_data[i] = g;
    }
    s->frame_len[i] = n;
  }
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_payload(oh_mutator *m) {
  long idx;
  int k, i;
  oh_packet_spec *s;
  size_t cap, n, len;
  uint8_t *b;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  s = oh_spec_k(m, k);
  i = (int)oh_rng_below(&m->rng, (uint32_t)s->frame_count);
  len = s->frame_len[i];
  /* Half the time the length stays, so CBR packets stay CBR. */
  cap = oh_rng_below(&m->rng, 2) && len > 0 ? len : len + 64;
  if (cap > OH_MAX_FRAME_BYTES) cap = OH_MAX_FRAME_BYTES;
  if (cap == 0) cap = 1;
  b = oh_arena_alloc(&m->arena, cap);
  if (!b) return 0;
  if (len) memcpy(b, s->frame_data[i], len);
  n = oh_mut_bytes(m, b, len, cap);
  s->frame_data[i] = b;
  s->frame_len[i] = n;
  return oh_pkt_end(m, idx, k);
}

int oh_op_pkt_repair(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  const oh_mrec *r;
  if (idx < 0) return 0;
  r = &m->model.recs[idx];
  if (oh_mutate_packet_check(oh_model_streams(m, &m->model), r->data, r->len,
                             NULL) == OH_OK)
    return 0;
  oh_mpkt_repair(&m->mp, r->data ? r->data : (const uint8_t *)"", r->len,
                 oh_model_streams(m, &m->model));
  return oh_pkt_commit(m, idx);
}

/* ---- Multistream --------------------------------------------------------- */

int oh_op_ms_stream_swap(oh_mutator *m) {
  long idx;
  int k, j;
  oh_mstream t;
  if (!oh_pkt_begin(m, &idx, &k) || m->mp.n < 2) return 0;
  j = (k + (int)oh_rng_range(&m->rng, 1, (uint32_t)m->mp.n - 1)) % m->mp.n;
  t = m->mp.s[k];
  m->mp.s[k] = m->mp.s[j];
  m->mp.s[j] = t;
  return oh_pkt_commit(m, idx);
}

int oh_op_ms_stream_replace(oh_mutator *m) {
  long idx;
  int k, ref;
  size_t len = 0;
  const uint8_t *p;
  oh_packet pkt;
  if (!oh_pkt_begin(m, &idx, &k)) return 0;
  p = oh_mut_pool_packet(m, &len);
  if (!p) return 0;
  /* The pool packet's first stream, however it is framed. */
  if (oh_packet_parse(p, len, 1, &pkt, NULL, NULL) == OH_OK)
    oh_packet_to_spec(&pkt, p, 1, &m->mp.s[k].spec);
  else if (oh_packet_parse(p, len, 0, &pkt, NULL, NULL) == OH_OK)
    oh_packet_to_spec(&pkt, p, 0, &m->mp.s[k].spec);
  else
    return 0;
  /* The other streams keep their duration; the new one takes it. */
  ref = m->mp.n > 1 ? (k + 1) % m->mp.n : k;
  oh_spec_normalise(&m->mp.s[k].spec);
  if (ref != k) {
    oh_mpkt_harmonise(&m->mp, ref);
    return oh_pkt_commit(m, idx);
  }
  return oh_pkt_end(m, idx, k);
}

/* ---- Raw frames (custom API) --------------------------------------------- */

/* The record's bytes in an arena buffer of cap bytes. */
static uint8_t *oh_raw_copy(oh_mutator *m, const oh_mrec *r, size_t cap) {
  uint8_t *b = oh_arena_alloc(&m->arena, cap ? cap : 1);
  if (b && r->len) memcpy(b, r->data, r->len < cap ? r->len : cap);
  return b;
}

static int oh_raw_set(oh_mutator *m, long idx, const uint8_t *b, size_t n) {
  oh_mrec *r = &m->model.recs[idx];
  if (n == r->len && (n == 0 || memcmp(b, r->data, n) == 0)) return 0;
  r->data = b;
  r->len = n;
  return 1;
}

int oh_op_raw_bytes(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  size_t cap, n;
  uint8_t *b;
  if (idx < 0) return 0;
  cap = m->model.recs[idx].len + 64;
  if (cap > OH_MAX_FRAME_BYTES) cap = OH_MAX_FRAME_BYTES;
  if (cap < m->model.recs[idx].len) cap = m->model.recs[idx].len;
  b = oh_raw_copy(m, &m->model.recs[idx], cap);
  if (!b) return 0;
  n = oh_mut_bytes(m, b, m->model.recs[idx].len, cap);
  return oh_raw_set(m, idx, b, n);
}

int oh_op_raw_length(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  const oh_mrec *r;
  const uint8_t *g;
  size_t n;
  if (idx < 0) return 0;
  r = &m->model.recs[idx];
  n = oh_new_length(m, r->len);
  if (n > OH_MAX_FRAME_BYTES) n = OH_MAX_FRAME_BYTES;
  g = n > r->len ? oh_grow(m, r->data, r->len, n) : r->data;
  if (!g) return 0;
  return oh_raw_set(m, idx, g, n);
}

int oh_op_raw_splice(oh_mutator *m) {
  long idx = oh_model_pick_packet(m, &m->model, 1);
  const oh_mrec *r;
  const uint8_t *p;
  size_t plen = 0, a, b, n;
  uint8_t *out;
  if (idx < 0) return 0;
  r = &m->model.recs[idx];
  p = oh_mut_pool_packet(m, &plen);
  if (!p) return 0;
  a = oh_rng_below(&m->rng, (uint32_t)r->len + 1);
  b = oh_rng_below(&m->rng, (uint32_t)plen + 1);
  n = a + (plen - b);
  if (n > OH_MAX_FRAME_BYTES) n = OH_MAX_FRAME_BYTES;
  out = oh_arena_alloc(&m->arena, n ? n : 1);
  if (!out) return 0;
  if (a) memcpy(out, r->data, a);
  if (n > a) memcpy(out + a, p + b, n - a);
  return oh_raw_set(m, idx, out, n);
}
