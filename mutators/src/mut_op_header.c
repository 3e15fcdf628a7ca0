/* Header operators of OHS1 scripts: sample rate (the five legal ones
 * mostly), channels, the frame size each decode call asks for, flags (float,
 * differential, self-delimited), multistream and projection layouts (family,
 * streams, coupled, mapping, demixing matrix; packets re-split to the new
 * stream count), custom-mode rate and frame size, and a fresh default
 * header. */
#include <string.h>

#include "mut_ops.h"

int oh_op_hdr_rate(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  uint32_t old = h->rate, r;
  if (oh_mut_breaking(m))
    r = oh_odd_rates[oh_rng_below(&m->rng, 8)];
  else
    r = oh_legal_rates[oh_rng_below(&m->rng, 5)];
  if (r == old) return 0;
  /* Keep the frame duration half the time (the size follows the rate). */
  if (old >= 8000 && old <= 48000 && r >= 8000 && r <= 48000 &&
      oh_rng_below(&m->rng, 2))
    h->frame_size = (int)((uint64_t)h->frame_size * r / old);
  h->rate = r;
  return 1;
}

int oh_op_hdr_channels(oh_mutator *m) {
  static const int bad[3] = {0, 3, 255};
  oh_script_header *h = &m->model.h;
  int c = oh_mut_breaking(m) ? bad[oh_rng_below(&m->rng, 3)]
                             : (int)oh_rng_range(&m->rng, 1, 2);
  if (c == h->channels) c = h->channels == 1 ? 2 : 1;
  h->channels = c;
  return 1;
}

int oh_op_hdr_frame_size(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  int fs;
  if (oh_mut_breaking(m))
    fs = oh_mut_frame_size(m, 0);
  else if (oh_rng_below(&m->rng, 8) == 0)
    fs = 0; /* 120 ms */
  else
    fs = oh_mut_frame_size(m, 1);
  if (fs == h->frame_size) return 0;
  h->frame_size = fs;
  return 1;
}

/* Bit 7 puts the decoders of the multistream, projection and custom
 * targets in caller-allocated state (_init instead of _create). */
#define OH_F_STATE_INIT (1 << 7)

int oh_op_hdr_flags(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  int bits = OH_SCRIPT_F_FLOAT | OH_SCRIPT_F_DIFFERENTIAL, bit;
  if (m->t->bit == OH_T_MULTI) bits |= OH_SCRIPT_F_SELF_DELIMITED;
  if (m->t->bit & (OH_T_MS | OH_T_CUSTOM)) bits |= OH_F_STATE_INIT;
  if (oh_mut_breaking(m)) {
    bit = 1 << oh_rng_range(&m->rng, 3, 6); /* a flag nobody defined */
  } else {
    do
      bit = 1 << oh_rng_below(&m->rng, 8);
    while (!(bits & bit));
  }
  h->flags ^= bit;
  return 1;
}

/* ---- Multistream and projection layouts ---------------------------------- */

/* Every packet re-split from old_n streams into new_n. */
static void oh_restream(oh_mutator *m, int old_n, int new_n) {
  size_t i;
  for (i = 0; i < m->model.n; i++)
    oh_mut_restream(m, (long)i, old_n, new_n);
}

static uint8_t *oh_new_extra(oh_mutator *m, size_t n) {
  return oh_arena_alloc(&m->arena, n ? n : 1);
}

/* Channels, streams, coupled and a mapping for opus_multistream. */
static int oh_ms_layout(oh_mutator *m, oh_script_header *h, int brk) {
  int ch, s, c, fam = (int)oh_rng_below(&m->rng, 3), i;
  uint8_t *map;
  if (fam == 0) {
    ch = (int)oh_rng_range(&m->rng, 1, 2);
    s = 1;
    c = ch - 1;
  } else if (fam == 1) {
    ch = (int)oh_rng_range(&m->rng, 1, 8);
    s = oh_vorbis_streams[ch];
    c = oh_vorbis_coupled[ch];
  } else {
    ch = (int)(oh_rng_below(&m->rng, 8) ? oh_rng_range(&m->rng, 1, 16)
                                        : oh_rng_range(&m->rng, 1, 255));
    s = (int)oh_rng_range(&m->rng, 1, (uint32_t)ch);
    c = (int)oh_rng_below(&m->rng, (uint32_t)(s < ch - s ? s : ch - s) + 1);
    if (s + c > 255) c = 255 - s;
  }
  h->family = fam == 2 ? 255 : fam;
  map = oh_new_extra(m, (size_t)ch);
  if (!map) return 0;
  /* Every decoded channel once, then (family 255) any channel or silence. */
  for (i = 0; i < ch; i++) {
    if (fam < 2 || i < s + c)
      map[i] = (uint8_t)(i % (s + c));
    else if (oh_rng_below(&m->rng, 4) == 0)
      map[i] = 255;
    else
      map[i] = (uint8_t)oh_rng_below(&m->rng, (uint32_t)(s + c));
  }
  if (brk) {
    switch (oh_rng_below(&m->rng, 4)) {
    case 0: c = s + 1; break;                                /* coupled > streams */
    case 1: map[oh_rng_below(&m->rng, (uint32_t)ch)] = (uint8_t)(s + c); break;
    case 2: h->extra_len = 0; break;                         /* mapping missing */
    default: s = 0; break;
    }
  }
  h->channels = ch;
  h->streams = s;
  h->coupled = c;
  h->extra = map;
  if (!brk || h->extra_len) h->extra_len = (size_t)ch;
  return 1;
}

/* A square identity demixing matrix, little-endian Q15. */
static const uint8_t *oh_identity_matrix(oh_mutator *m, int ch, int cols,
                                         size_t *len) {
  size_t n = 2 * (size_t)ch * (size_t)cols, i;
  uint8_t *b = oh_new_extra(m, n);
  if (!b) return NULL;
  memset(b, 0, n);
  for (i = 0; i < (size_t)ch && i < (size_t)cols; i++) {
    b[2 * (i * (size_t)ch + i)] = 0xff;
    b[2 * (i * (size_t)ch + i) + 1] = 0x7f;
  }
  *len = n;
  return b;
}

static int oh_proj_layout(oh_mutator *m, oh_script_header *h, int brk) {
  int ch = oh_proj_channels[oh_rng_below(&m->rng, 11)];
  int c = ch / 2, s = ch - c;
  size_t len = 0;
  const uint8_t *mat;
  if (brk && oh_rng_below(&m->rng, 2)) c = s + 1; /* coupled > streams */
  mat = oh_identity_matrix(m, ch, s + c, &len);
  if (!mat) return 0;
  if (brk && len > 2) len -= oh_rng_range(&m->rng, 1, 2); /* size mismatch */
  h->channels = ch;
  h->streams = s;
  h->coupled = c;
  h->family = 3;
  h->extra = mat;
  h->extra_len = len;
  return 1;
}

int oh_op_hdr_ms_layout(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  int old_n = oh_model_streams(m, &m->model), brk = oh_mut_breaking(m);
  int ok = m->t->bit == OH_T_PROJ ? oh_proj_layout(m, h, brk)
                                  : oh_ms_layout(m, h, brk);
  if (!ok) return 0;
  oh_restream(m, old_n, oh_model_streams(m, &m->model));
  return 1;
}

int oh_op_hdr_ms_mapping(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  int total = h->streams + h->coupled;
  size_t i;
  uint8_t *map, v;
  if (h->extra_len == 0 || total < 1) return 0;
  map = oh_arena_dup(&m->arena, h->extra, h->extra_len);
  if (!map) return 0;
  i = oh_rng_below(&m->rng, (uint32_t)h->extra_len);
  if (oh_mut_breaking(m) && total < 255)
    v = (uint8_t)oh_rng_range(&m->rng, (uint32_t)total, 254);
  else
    v = oh_rng_below(&m->rng, 4) == 0 ? 255 : (uint8_t)oh_rng_below(&m->rng, (uint32_t)total);
  if (map[i] == v) return 0;
  map[i] = v;
  h->extra = map;
  return 1;
}

int oh_op_hdr_proj_matrix(oh_mutator *m) {
  static const uint16_t edges[6] = {0, 1, 0x7fff, 0x8000, 0xffff, 0x4000};
  oh_script_header *h = &m->model.h;
  size_t n = h->extra_len, i, cells;
  uint8_t *b;
  int k;
  if (oh_mut_breaking(m)) { /* a matrix of the wrong size */
    n = n > 2 && oh_rng_below(&m->rng, 2) ? n - oh_rng_range(&m->rng, 1, 2)
                                          : n + oh_rng_range(&m->rng, 1, 2);
  }
  if (n == 0) return 0;
  b = oh_new_extra(m, n);
  if (!b) return 0;
  memset(b, 0, n);
  if (h->extra_len) memcpy(b, h->extra, h->extra_len < n ? h->extra_len : n);
  cells = n / 2;
  for (k = 0; cells && k < 1 + (int)oh_rng_below(&m->rng, 4); k++) {
    uint16_t v = oh_rng_below(&m->rng, 2) ? edges[oh_rng_below(&m->rng, 6)]
                                          : (uint16_t)oh_rng_next(&m->rng);
    i = oh_rng_below(&m->rng, (uint32_t)cells);
    b[2 * i] = (uint8_t)v;
    b[2 * i + 1] = (uint8_t)(v >> 8);
  }
  if (n == h->extra_len && memcmp(b, h->extra, n) == 0) return 0;
  h->extra = b;
  h->extra_len = n;
  return 1;
}

int oh_op_hdr_custom(oh_mutator *m) {
  oh_script_header *h = &m->model.h;
  int brk = oh_mut_breaking(m);
  uint32_t rate = h->rate;
  int frame = h->custom_frame;
  if (oh_rng_below(&m->rng, 2))
    rate = brk ? oh_odd_rates[oh_rng_below(&m->rng, 8)]
               : oh_custom_rates[oh_rng_below(&m->rng, 8)];
  else
    frame = brk ? oh_bad_custom_frames[oh_rng_below(&m->rng, 7)]
                : oh_custom_frames[oh_rng_below(&m->rng, 12)];
  if (rate == h->rate && frame == h->custom_frame) return 0;
  h->rate = rate;
  h->custom_frame = frame;
  /* Decode calls ask for one mode frame, mostly. */
  if (oh_rng_below(&m->rng, 4)) h->frame_size = frame;
  return 1;
}

int oh_op_hdr_resynth(oh_mutator *m) {
  oh_model fresh;
  int old_n = oh_model_streams(m, &m->model);
  memset(&fresh, 0, sizeof fresh);
  oh_model_default(m, &fresh);
  if (memcmp(&fresh.h, &m->model.h, sizeof fresh.h) == 0) return 0;
  m->model.h = fresh.h;
  if (m->t->bit & OH_T_MS) oh_restream(m, old_n, oh_model_streams(m, &m->model));
  return 1;
}
