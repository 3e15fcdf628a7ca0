/* The minimiser's packet stages (see minimize.h): "frames" edits a packet
 * through the RFC 6716 model (one frame kept as a code-0 packet, frames
 * dropped, padding dropped or halved, frames halved), "payload" removes and
 * zeroes bytes inside each frame and re-encodes the lengths. A multistream
 * packet is edited one inner stream at a time (the first streams-1 in the
 * self-delimited framing of Appendix B), so a valid packet stays valid. A
 * packet that is not valid, or has no model (custom API frames, a pipeline
 * body's truncated tail), is only shortened and then worked on byte by
 * byte after its leading bytes. Containers hand their packets in as slots
 * (minimize_impl.h). */
#include <stdlib.h>
#include <string.h>

#include "minimize_impl.h"
#include "opushunt/packet.h"

/* One slot's packet as the stages see it. */
typedef struct oh_min_pk {
  oh_min *m;
  const oh_min_slots *sl;
  size_t slot;
  oh_min_slot s;
  int valid;           /* s.nsub streams, each valid, spanning s.len */
  size_t lo;           /* not valid: leading bytes never edited */
  oh_packet *sub;      /* the streams, parsed */
  size_t *off;         /* where each starts */
  int cap_sub;
  int j;               /* the stream being edited */
  int f;               /* the frame being edited (payload) */
  oh_packet_spec spec; /* stream j (frame pointers into s.data) */
  oh_min_buf pkt;      /* candidate packet */
  oh_min_buf frame;    /* candidate frame bytes */
} oh_min_pk;

static int oh_min_pk_reserve(oh_min_pk *pk, int nsub) {
  oh_packet *sub;
  size_t *off;
  if (nsub <= pk->cap_sub) return OH_OK;
  sub = realloc(pk->sub, (size_t)nsub * sizeof *sub);
  if (sub) pk->sub = sub;
  off = realloc(pk->off, (size_t)nsub * sizeof *off);
  if (off) pk->off = off;
  if (!sub || !off) return OH_ERR_NOMEM;
  pk->cap_sub = nsub;
  return OH_OK;
}

static void oh_min_pk_free(oh_min_pk *pk) {
  free(pk->sub);
  free(pk->off);
  free(pk->pkt.p);
  free(pk->frame.p);
}

/* Splits the slot into its streams; valid only when every one parses and
 * together they span the packet. */
static void oh_min_pk_split(oh_min_pk *pk) {
  size_t pos = 0;
  int j;
  pk->valid = 0;
  for (j = 0; j < pk->s.nsub; j++) {
    int sd = j < pk->s.nsub - 1;
    if (oh_packet_parse(pk->s.data + pos, pk->s.len - pos, sd, &pk->sub[j], NULL, NULL) !=
        OH_OK)
      return;
    pk->off[j] = pos;
    pos += pk->sub[j].packet_len;
  }
  pk->valid = pk->s.nsub > 0 && pos == pk->s.len;
}

/* Reads slot pk->slot from the container as it is now. */
static int oh_min_pk_load(oh_min_pk *pk) {
  static const uint8_t none[1];
  pk->sl->get(pk->sl->ctx, pk->slot, &pk->s);
  if (!pk->s.data) pk->s.data = none; /* an empty packet: no pointer arithmetic on NULL */
  if (oh_min_pk_reserve(pk, pk->s.nsub) != OH_OK ||
      oh_min_buf_reserve(&pk->pkt, pk->s.len) != OH_OK ||
      oh_min_buf_reserve(&pk->frame, pk->s.len) != OH_OK)
    return OH_ERR_NOMEM;
  oh_min_pk_split(pk);
  if (pk->s.nsub == 0) pk->lo = pk->s.lo < pk->s.len ? pk->s.lo : pk->s.len;
  else pk->lo = pk->s.len ? 1 : 0; /* keep the TOC byte */
  if (pk->valid && pk->j < pk->s.nsub)
    oh_packet_to_spec(&pk->sub[pk->j], pk->s.data + pk->off[pk->j], pk->j < pk->s.nsub - 1,
                      &pk->spec);
  return OH_OK;
}

/* After an acceptance: the container, then the slot. */
static int oh_min_pk_reload(oh_min_pk *pk) {
  int rc = pk->sl->reload(pk->m, pk->sl->ctx);
  return rc == OH_OK ? oh_min_pk_load(pk) : rc;
}

/* The slot's packet with stream j written from spec, as a candidate. */
static int oh_min_pk_emit(oh_min_pk *pk, const oh_packet_spec *spec, oh_min_buf *out) {
  size_t pos = 0, cap = pk->s.len;
  uint8_t *p = pk->pkt.p;
  int k;
  for (k = 0; k < pk->s.nsub; k++) {
    if (k == pk->j) {
      long n = oh_packet_write(spec, p + pos, cap - pos, NULL);
      if (n < 0) return 0; /* not smaller, or not writable: not a candidate */
      pos += (size_t)n;
    } else {
      size_t l = pk->sub[k].packet_len;
      if (l > cap - pos) return 0;
      memcpy(p + pos, pk->s.data + pk->off[k], l);
      pos += l;
    }
  }
  return pk->sl->emit(pk->m, pk->sl->ctx, pk->slot, p, pos, out);
}

/* The slot's packet with bytes lo.. replaced by rest[0..n), as a candidate. */
static int oh_min_pk_emit_raw(oh_min_pk *pk, const uint8_t *rest, size_t n, oh_min_buf *out) {
  if (pk->lo + n > pk->pkt.cap) return 0;
  if (pk->lo) memcpy(pk->pkt.p, pk->s.data, pk->lo);
  if (n) memmove(pk->pkt.p + pk->lo, rest, n);
  return pk->sl->emit(pk->m, pk->sl->ctx, pk->slot, pk->pkt.p, pk->lo + n, out);
}

/* ---- Specs --------------------------------------------------------------- */

static int oh_min_equal_frames(const oh_packet_spec *s) {
  int i;
  for (i = 1; i < s->frame_count; i++)
    if (s->frame_len[i] != s->frame_len[0]) return 0;
  return 1;
}

/* Frames of unequal length need code 2 or VBR code 3. */
static void oh_min_fix_code(oh_packet_spec *s) {
  if (oh_min_equal_frames(s)) return;
  if (s->code == 1) s->code = 2;
  if (s->code == 3) s->vbr = 1;
}

static void oh_min_no_padding(oh_packet_spec *s) {
  s->padding_len = 0;
  s->force_padding_flag = 0;
}

/* ---- Stage "frames": the packet model ------------------------------------ */

/* Candidates of one stream with F frames, in this order: frame f alone as
 * code 0 (F), the smallest encoding of the same frames (1), padding
 * dropped (1), padding halved (1), frame f dropped (F), every frame halved
 * (1), frame f halved (F). */
enum { OH_K_SINGLE, OH_K_CANON, OH_K_NOPAD, OH_K_HALFPAD, OH_K_DROP, OH_K_HALVE_ALL, OH_K_HALVE };

static size_t oh_min_fr_count(int nf) { return 3 * (size_t)nf + 4; }

static size_t oh_min_fr_index(int kind, int f, int nf) {
  size_t n = (size_t)nf;
  switch (kind) {
  case OH_K_SINGLE: return (size_t)f;
  case OH_K_CANON: return n;
  case OH_K_NOPAD: return n + 1;
  case OH_K_HALFPAD: return n + 2;
  case OH_K_DROP: return n + 3 + (size_t)f;
  case OH_K_HALVE_ALL: return 2 * n + 3;
  default: return 2 * n + 4 + (size_t)f;
  }
}

static void oh_min_fr_decode(size_t i, int nf, int *kind, int *f) {
  size_t n = (size_t)nf;
  *f = 0;
  if (i < n) {
    *kind = OH_K_SINGLE;
    *f = (int)i;
  } else if (i < n + 3) {
    *kind = OH_K_CANON + (int)(i - n);
  } else if (i < 2 * n + 3) {
    *kind = OH_K_DROP;
    *f = (int)(i - n - 3);
  } else if (i == 2 * n + 3) {
    *kind = OH_K_HALVE_ALL;
  } else {
    *kind = OH_K_HALVE;
    *f = (int)(i - 2 * n - 4);
  }
}

static void oh_min_canon(oh_packet_spec *s) {
  int eq = oh_min_equal_frames(s), nf = s->frame_count;
  oh_min_no_padding(s);
  s->code = nf == 1 ? 0 : nf == 2 ? (eq ? 1 : 2) : 3;
  s->vbr = s->code == 3 && !eq;
}

static void oh_min_drop(oh_packet_spec *s, int f) {
  int i;
  for (i = f; i + 1 < s->frame_count; i++) {
    s->frame_data[i] = s->frame_data[i + 1];
    s->frame_len[i] = s->frame_len[i + 1];
  }
  s->frame_count--;
  oh_min_fix_code(s);
}

/* Applies candidate (kind, f) to s; 0 when it does not apply. */
static int oh_min_fr_edit(oh_packet_spec *s, int kind, int f) {
  int i;
  switch (kind) {
  case OH_K_SINGLE:
    if (s->code == 0) return 0;
    s->frame_data[0] = s->frame_data[f];
    s->frame_len[0] = s->frame_len[f];
    s->frame_count = 1;
    s->code = 0;
    s->vbr = 0;
    oh_min_no_padding(s);
    return 1;
  case OH_K_CANON: oh_min_canon(s); return 1;
  case OH_K_NOPAD:
    if (s->code != 3 || (!s->padding_len && !s->force_padding_flag)) return 0;
    oh_min_no_padding(s);
    return 1;
  case OH_K_HALFPAD:
    if (!s->padding_len) return 0;
    s->padding_len /= 2;
    return 1;
  case OH_K_DROP:
    if (s->frame_count <= 2) return 0; /* one frame left: OH_K_SINGLE */
    oh_min_drop(s, f);
    return 1;
  case OH_K_HALVE_ALL:
    if (s->frame_count < 2 || !oh_min_equal_frames(s) || !s->frame_len[0]) return 0;
    for (i = 0; i < s->frame_count; i++) s->frame_len[i] /= 2;
    return 1;
  default:
    if (!s->frame_len[f]) return 0;
    s->frame_len[f] /= 2;
    oh_min_fix_code(s);
    return 1;
  }
}

static int oh_min_fr_gen(oh_min *m, void *g, size_t i, oh_min_buf *out) {
  oh_min_pk *pk = g;
  oh_packet_spec s = pk->spec;
  int kind, f;
  (void)m;
  oh_min_fr_decode(i, s.frame_count, &kind, &f);
  if (!oh_min_fr_edit(&s, kind, f)) return 0;
  return oh_min_pk_emit(pk, &s, out);
}

/* Where to go on after candidate (kind, f) was accepted and the stream now
 * has nf frames: the same edit again (halving goes on), the next frame for
 * a drop, the start after a single frame was kept. */
static size_t oh_min_fr_resume(int kind, int f, int nf) {
  if (kind == OH_K_SINGLE) return 0;
  if (kind == OH_K_DROP && f >= nf) return oh_min_fr_index(OH_K_HALVE_ALL, 0, nf);
  return oh_min_fr_index(kind, f, nf);
}

static int oh_min_frames_stream(oh_min_pk *pk) {
  size_t from = 0, which = 0;
  while (pk->valid && !pk->m->stopped) {
    int nf = pk->spec.frame_count, kind, f;
    int rc = oh_min_try(pk->m, OH_MIN_STAGE_FRAMES, oh_min_fr_gen, pk, from,
                        oh_min_fr_count(nf), &which);
    if (rc != OH_MIN_ACCEPTED) return rc < 0 ? rc : OH_OK;
    oh_min_fr_decode(which, nf, &kind, &f);
    if ((rc = oh_min_pk_reload(pk)) != OH_OK) return rc;
    if (pk->valid) from = oh_min_fr_resume(kind, f, pk->spec.frame_count);
  }
  return OH_OK;
}

/* A packet without a valid model: cut its end by all, half, a quarter, ...
 * of the editable bytes, the first cut that keeps winning. */
static int oh_min_cut_gen(oh_min *m, void *g, size_t i, oh_min_buf *out) {
  oh_min_pk *pk = g;
  size_t rest = pk->s.len - pk->lo, cut = i < 8 * sizeof(size_t) ? rest >> i : 0;
  (void)m;
  if (!cut) return 0;
  return oh_min_pk_emit_raw(pk, pk->s.data + pk->lo, rest - cut, out);
}

static size_t oh_min_bits(size_t n) {
  size_t b = 0;
  for (; n; n >>= 1) b++;
  return b;
}

static int oh_min_cut(oh_min_pk *pk) {
  size_t from = 0, which = 0;
  while (pk->s.len > pk->lo && !pk->m->stopped) {
    int rc = oh_min_try(pk->m, OH_MIN_STAGE_FRAMES, oh_min_cut_gen, pk, from,
                        oh_min_bits(pk->s.len - pk->lo), &which);
    if (rc != OH_MIN_ACCEPTED) return rc < 0 ? rc : OH_OK;
    if ((rc = oh_min_pk_reload(pk)) != OH_OK) return rc;
    from = which;
  }
  return OH_OK;
}

int oh_min_packet_frames(oh_min *m, const oh_min_slots *sl) {
  oh_min_pk pk;
  size_t i, n = sl->count(sl->ctx);
  int rc = OH_OK;
  memset(&pk, 0, sizeof pk);
  pk.m = m;
  pk.sl = sl;
  for (i = 0; i < n && rc == OH_OK && !m->stopped; i++) {
    pk.slot = i;
    pk.j = 0;
    rc = oh_min_pk_load(&pk);
    if (rc == OH_OK && !pk.valid) rc = oh_min_cut(&pk);
    for (; rc == OH_OK && pk.valid && pk.j < pk.s.nsub && !m->stopped; pk.j++) {
      rc = oh_min_pk_load(&pk);
      if (rc == OH_OK) rc = oh_min_frames_stream(&pk);
    }
  }
  oh_min_pk_free(&pk);
  return rc;
}

/* ---- Stage "payload": the bytes inside frames ---------------------------- */

static int oh_min_nonzero_in(const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (p[i]) return 1;
  return 0;
}

/* src[0..n) with [a, b) kept alone, removed or zeroed, into dst; returns
 * the new length, or -1 when zeroing would change nothing. */
static long oh_min_edit_bytes(const uint8_t *src, size_t n, oh_min_op op, size_t a, size_t b,
                              uint8_t *dst) {
  if (op == OH_MIN_KEEP_ONLY) {
    memcpy(dst, src + a, b - a);
    return (long)(b - a);
  }
  if (op == OH_MIN_REMOVE) {
    memcpy(dst, src, a);
    memcpy(dst + a, src + b, n - b);
    return (long)(n - (b - a));
  }
  if (!oh_min_nonzero_in(src + a, b - a)) return -1;
  memcpy(dst, src, n);
  memset(dst + a, 0, b - a);
  return (long)n;
}

/* Units: the bytes of frame f of stream j. */
static int oh_min_frame_emit(oh_min *m, void *ctx, oh_min_op op, size_t a, size_t b,
                             oh_min_buf *out) {
  oh_min_pk *pk = ctx;
  oh_packet_spec s = pk->spec;
  long n = oh_min_edit_bytes(s.frame_data[pk->f], s.frame_len[pk->f], op, a, b, pk->frame.p);
  (void)m;
  if (n < 0) return 0;
  s.frame_data[pk->f] = pk->frame.p;
  s.frame_len[pk->f] = (size_t)n;
  oh_min_fix_code(&s);
  return oh_min_pk_emit(pk, &s, out);
}

static int oh_min_frame_reload(oh_min *m, void *ctx, size_t *n) {
  oh_min_pk *pk = ctx;
  int rc = oh_min_pk_reload(pk);
  (void)m;
  if (rc != OH_OK) return rc;
  if (!pk->valid || pk->f >= pk->spec.frame_count) return 1;
  *n = pk->spec.frame_len[pk->f];
  return OH_OK;
}

/* Units: the bytes after the leading ones of a packet without a model. */
static int oh_min_raw_emit(oh_min *m, void *ctx, oh_min_op op, size_t a, size_t b,
                           oh_min_buf *out) {
  oh_min_pk *pk = ctx;
  long n = oh_min_edit_bytes(pk->s.data + pk->lo, pk->s.len - pk->lo, op, a, b, pk->frame.p);
  (void)m;
  return n < 0 ? 0 : oh_min_pk_emit_raw(pk, pk->frame.p, (size_t)n, out);
}

static int oh_min_raw_reload(oh_min *m, void *ctx, size_t *n) {
  oh_min_pk *pk = ctx;
  int rc = oh_min_pk_reload(pk);
  (void)m;
  if (rc != OH_OK) return rc;
  *n = pk->s.len - pk->lo;
  return OH_OK;
}

/* Removal, then zeroing, over one row of units. */
static int oh_min_shrink(oh_min *m, oh_min_units *u) {
  int rc = oh_min_ddmin(m, OH_MIN_STAGE_PAYLOAD, u);
  if (rc != OH_OK || m->stopped) return rc;
  /* The row as removal left it (it may be gone: a frame no longer there). */
  rc = u->reload(m, u->ctx, &u->n);
  if (rc != OH_OK) return rc < 0 ? rc : OH_OK;
  return oh_min_zero(m, OH_MIN_STAGE_PAYLOAD, u);
}

static int oh_min_payload_slot(oh_min_pk *pk) {
  oh_min_units u;
  int rc = oh_min_pk_load(pk);
  if (rc != OH_OK) return rc;
  memset(&u, 0, sizeof u);
  u.ctx = pk;
  if (!pk->valid) {
    u.emit = oh_min_raw_emit;
    u.reload = oh_min_raw_reload;
    u.n = pk->s.len - pk->lo;
    return oh_min_shrink(pk->m, &u);
  }
  u.emit = oh_min_frame_emit;
  u.reload = oh_min_frame_reload;
  for (pk->j = 0; rc == OH_OK && pk->j < pk->s.nsub && !pk->m->stopped; pk->j++) {
    for (pk->f = 0; !pk->m->stopped; pk->f++) {
      if ((rc = oh_min_frame_reload(pk->m, pk, &u.n)) != OH_OK) break;
      if ((rc = oh_min_shrink(pk->m, &u)) != OH_OK) return rc;
    }
    if (rc == 1) rc = OH_OK; /* past the last frame */
  }
  return rc;
}

int oh_min_packet_payload(oh_min *m, const oh_min_slots *sl) {
  oh_min_pk pk;
  size_t i, n = sl->count(sl->ctx);
  int rc = OH_OK;
  memset(&pk, 0, sizeof pk);
  pk.m = m;
  pk.sl = sl;
  for (i = 0; i < n && rc == OH_OK && !m->stopped; i++) {
    pk.slot = i;
    pk.j = 0;
    pk.f = 0;
    rc = oh_min_payload_slot(&pk);
  }
  oh_min_pk_free(&pk);
  return rc;
}
