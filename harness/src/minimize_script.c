/* The minimiser's script stages (see minimize.h): whole records (for a
 * pipeline script, the length-prefixed packets of its body and a truncated
 * tail) removed by chunks, packet records turned into losses, every packet
 * handed to the packet stages as a slot, and the header simplified one
 * field at a time. Every candidate is written through oh_script_write, so
 * it parses strictly. Also the record counts reports show. */
#include <stdlib.h>
#include <string.h>

#include "minimize_impl.h"
#include "opushunt/script.h"

#define OH_MIN_RATE 48000u
#define OH_MIN_FRAME_SIZE 960
#define OH_MIN_PIPE_EXTRA 5 /* u32 pcm_capacity, u8 pipeline flags */

/* A span of a pipeline body: a packet with its u16 prefix, or the tail. */
typedef struct oh_min_span {
  size_t off, len;
} oh_min_span;

typedef struct oh_min_sc {
  oh_min *m;
  oh_script s;           /* m->best, parsed (records point into it) */
  int pipeline;
  oh_min_span *units;    /* pipeline: the packets, then the tail */
  size_t nunits, cap_units;
  int has_tail;
  size_t *slots;         /* record (pipeline: unit) index of each packet */
  size_t nslots, cap_slots;
  oh_script_record *tmp; /* a candidate's records */
  size_t cap_tmp;
  oh_min_buf body;       /* a candidate's pipeline body */
  oh_min_buf extra;      /* a candidate's header extra */
} oh_min_sc;

static unsigned oh_min_get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t oh_min_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int oh_min_popcount(unsigned v) {
  int n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

/* The apis whose channel count is free to drop to 1 (the others tie it to
 * a mapping). */
static int oh_min_mono_api(int api) {
  return api == OH_SCRIPT_DECODER || api == OH_SCRIPT_CUSTOM || api == OH_SCRIPT_PIPELINE;
}

/* ---- Counting ------------------------------------------------------------ */

/* Calls fn for each span of a pipeline body; returns the span count. */
static size_t oh_min_body_spans(const uint8_t *b, size_t len,
                                void (*fn)(void *ctx, size_t off, size_t n, int tail),
                                void *ctx) {
  size_t pos = 0, count = 0;
  while (len - pos >= 2 && oh_min_get16(b + pos) <= len - pos - 2) {
    size_t n = 2 + oh_min_get16(b + pos);
    if (fn) fn(ctx, pos, n, 0);
    pos += n;
    count++;
  }
  if (pos < len) {
    if (fn) fn(ctx, pos, len - pos, 1);
    count++;
  }
  return count;
}

static void oh_min_count_packet(void *ctx, size_t off, size_t n, int tail) {
  (void)off;
  if (!tail && n > 2) ++*(long *)ctx;
}

long oh_min_count_records(const uint8_t *buf, size_t len, long *packets) {
  oh_script s;
  long recs = -1, pkts = -1;
  size_t i;
  if (oh_script_parse(buf, len, 1, &s, NULL) == OH_OK) {
    pkts = 0;
    if (s.h.api == OH_SCRIPT_PIPELINE) {
      recs = (long)oh_min_body_spans(s.body, s.body_len, oh_min_count_packet, &pkts);
    } else {
      recs = (long)s.nrecs;
      for (i = 0; i < s.nrecs; i++)
        pkts += s.recs[i].type == OH_SREC_PACKET || s.recs[i].type == OH_SREC_FEC;
    }
  }
  oh_script_free(&s);
  if (packets) *packets = pkts;
  return recs;
}

size_t oh_min_script_cfg(const uint8_t *buf, size_t len) {
  oh_script_header h;
  size_t body_off, n;
  if (oh_script_read_header(buf, len, &h, &body_off, NULL) != OH_OK) return 0;
  n = (h.rate != OH_MIN_RATE) + (h.frame_size != OH_MIN_FRAME_SIZE) +
      (size_t)oh_min_popcount((unsigned)h.flags);
  if (oh_min_mono_api(h.api)) n += h.channels != 1;
  if (h.api == OH_SCRIPT_PIPELINE && h.extra_len >= OH_MIN_PIPE_EXTRA)
    n += (oh_min_get32(h.extra) != 0) + (size_t)oh_min_popcount(h.extra[4]);
  return n;
}

/* ---- The parsed best ----------------------------------------------------- */

static void oh_min_sc_free(oh_min_sc *sc) {
  oh_script_free(&sc->s);
  free(sc->units);
  free(sc->slots);
  free(sc->tmp);
  free(sc->body.p);
  free(sc->extra.p);
}

static void oh_min_add_unit(void *ctx, size_t off, size_t n, int tail) {
  oh_min_sc *sc = ctx;
  sc->units[sc->nunits].off = off;
  sc->units[sc->nunits].len = n;
  sc->nunits++;
  sc->has_tail = tail;
}

static int oh_min_add_slot(oh_min_sc *sc, size_t unit) {
  if (sc->nslots == sc->cap_slots) {
    size_t ncap = sc->cap_slots ? 2 * sc->cap_slots : 16;
    size_t *n = realloc(sc->slots, ncap * sizeof *n);
    if (!n) return OH_ERR_NOMEM;
    sc->slots = n;
    sc->cap_slots = ncap;
  }
  sc->slots[sc->nslots++] = unit;
  return OH_OK;
}

static int oh_min_sc_units(oh_min_sc *sc) {
  size_t n = oh_min_body_spans(sc->s.body, sc->s.body_len, NULL, NULL), i;
  int rc = OH_OK;
  if (n > sc->cap_units) {
    oh_min_span *u = realloc(sc->units, n * sizeof *u);
    if (!u) return OH_ERR_NOMEM;
    sc->units = u;
    sc->cap_units = n;
  }
  sc->nunits = 0;
  sc->has_tail = 0;
  oh_min_body_spans(sc->s.body, sc->s.body_len, oh_min_add_unit, sc);
  for (i = 0; i < sc->nunits && rc == OH_OK; i++) rc = oh_min_add_slot(sc, i);
  return rc;
}

/* Parses m->best (it always parses: every accepted candidate was written
 * by oh_script_write) and lists its packets. */
static int oh_min_sc_load(oh_min_sc *sc) {
  const oh_min_buf *b = &sc->m->best;
  size_t i, need;
  int rc;
  oh_script_free(&sc->s);
  rc = oh_script_parse(b->p, b->len, 1, &sc->s, NULL);
  if (rc != OH_OK) return rc == OH_ERR_NOMEM ? rc : OH_ERR_MALFORMED;
  sc->pipeline = sc->s.h.api == OH_SCRIPT_PIPELINE;
  sc->nslots = 0;
  if (sc->pipeline) return oh_min_sc_units(sc);
  need = sc->s.nrecs ? sc->s.nrecs : 1;
  if (need > sc->cap_tmp) {
    oh_script_record *t = realloc(sc->tmp, need * sizeof *t);
    if (!t) return OH_ERR_NOMEM;
    sc->tmp = t;
    sc->cap_tmp = need;
  }
  for (i = 0; i < sc->s.nrecs && rc == OH_OK; i++)
    if (sc->s.recs[i].type == OH_SREC_PACKET || sc->s.recs[i].type == OH_SREC_FEC)
      rc = oh_min_add_slot(sc, i);
  return rc;
}

/* ---- Writing candidates -------------------------------------------------- */

static int oh_min_sc_write(const oh_script_header *h, oh_script_record *recs, size_t n,
                           const uint8_t *body, size_t body_len, oh_min_buf *out) {
  oh_script t;
  long w;
  memset(&t, 0, sizeof t);
  t.h = *h;
  t.recs = n ? recs : NULL;
  t.nrecs = n;
  t.body = body_len ? body : NULL;
  t.body_len = body_len;
  if (oh_min_buf_reserve(out, oh_script_size(&t)) != OH_OK) return OH_ERR_NOMEM;
  w = oh_script_write(&t, out->p, out->cap, NULL);
  if (w < 0) return 0; /* nothing the parser would read back */
  out->len = (size_t)w;
  return 1;
}

/* A copy of the records with record i replaced by *rec (i past the end:
 * none replaced). */
static size_t oh_min_sc_copy(oh_min_sc *sc, size_t i, const oh_script_record *rec) {
  if (sc->s.nrecs) memcpy(sc->tmp, sc->s.recs, sc->s.nrecs * sizeof *sc->tmp);
  if (i < sc->s.nrecs) sc->tmp[i] = *rec;
  return sc->s.nrecs;
}

static int oh_min_body_put(oh_min_sc *sc, size_t *pos, const uint8_t *p, size_t n) {
  if (oh_min_buf_reserve(&sc->body, *pos + n) != OH_OK) return OH_ERR_NOMEM;
  if (n) memcpy(sc->body.p + *pos, p, n);
  *pos += n;
  return OH_OK;
}

/* The body with units [a, b) kept alone (keep_only) or left out, and unit
 * r (if < nunits) replaced by rep[0..rep_len), framed unless it is the
 * tail. Written as a candidate. */
static int oh_min_body_emit(oh_min_sc *sc, size_t a, size_t b, int keep_only, size_t r,
                            const uint8_t *rep, size_t rep_len, oh_min_buf *out) {
  size_t i, pos = 0;
  int rc = OH_OK;
  for (i = 0; i < sc->nunits && rc == OH_OK; i++) {
    int in = i >= a && i < b;
    if (in != keep_only) continue;
    if (i == r && !(sc->has_tail && i == sc->nunits - 1)) {
      uint8_t len16[2];
      if (rep_len > 65535) return 0;
      len16[0] = (uint8_t)(rep_len >> 8);
      len16[1] = (uint8_t)rep_len;
      rc = oh_min_body_put(sc, &pos, len16, 2);
      if (rc == OH_OK) rc = oh_min_body_put(sc, &pos, rep, rep_len);
    } else if (i == r) {
      rc = oh_min_body_put(sc, &pos, rep, rep_len);
    } else {
      rc = oh_min_body_put(sc, &pos, sc->s.body + sc->units[i].off, sc->units[i].len);
    }
  }
  if (rc != OH_OK) return rc;
  return oh_min_sc_write(&sc->s.h, NULL, 0, sc->body.p, pos, out);
}

/* ---- Stage "records" ----------------------------------------------------- */

static int oh_min_rec_emit(oh_min *m, void *ctx, oh_min_op op, size_t a, size_t b,
                           oh_min_buf *out) {
  oh_min_sc *sc = ctx;
  size_t i, n = 0;
  (void)m;
  if (op == OH_MIN_ZERO) return 0;
  if (sc->pipeline)
    return oh_min_body_emit(sc, a, b, op == OH_MIN_KEEP_ONLY, SIZE_MAX, NULL, 0, out);
  for (i = 0; i < sc->s.nrecs; i++)
    if ((i >= a && i < b) == (op == OH_MIN_KEEP_ONLY)) sc->tmp[n++] = sc->s.recs[i];
  return oh_min_sc_write(&sc->s.h, sc->tmp, n, NULL, 0, out);
}

static int oh_min_rec_reload(oh_min *m, void *ctx, size_t *n) {
  oh_min_sc *sc = ctx;
  int rc = oh_min_sc_load(sc);
  (void)m;
  *n = sc->pipeline ? sc->nunits : sc->s.nrecs;
  return rc;
}

static int oh_min_stage_records(oh_min_sc *sc) {
  oh_min_units u;
  int rc;
  memset(&u, 0, sizeof u);
  u.ctx = sc;
  u.emit = oh_min_rec_emit;
  u.reload = oh_min_rec_reload;
  rc = oh_min_rec_reload(sc->m, sc, &u.n);
  return rc == OH_OK ? oh_min_ddmin(sc->m, OH_MIN_STAGE_RECORDS, &u) : rc;
}

/* ---- Stage "losses" ------------------------------------------------------ */

/* Record i as a loss: 'L' at the header frame size ('F': at its own);
 * pipeline: a zero-length packet. */
static int oh_min_loss_gen(oh_min *m, void *g, size_t i, oh_min_buf *out) {
  static const uint8_t nothing[1] = {0};
  oh_min_sc *sc = g;
  oh_script_record loss;
  const oh_script_record *r;
  (void)m;
  if (sc->pipeline) {
    if (i >= sc->nunits || (sc->has_tail && i == sc->nunits - 1) || sc->units[i].len <= 2)
      return 0;
    return oh_min_body_emit(sc, 0, 0, 0, i, nothing, 0, out);
  }
  r = &sc->s.recs[i];
  if (r->type != OH_SREC_PACKET && r->type != OH_SREC_FEC) return 0;
  memset(&loss, 0, sizeof loss);
  loss.type = OH_SREC_LOSS;
  loss.frame_size = oh_script_frame_size(&sc->s, r);
  return oh_min_sc_write(&sc->s.h, sc->tmp, oh_min_sc_copy(sc, i, &loss), NULL, 0, out);
}

static int oh_min_stage_losses(oh_min_sc *sc) {
  size_t from = 0, which = 0;
  int rc = oh_min_sc_load(sc);
  while (rc == OH_OK && !sc->m->stopped) {
    size_t n = sc->pipeline ? sc->nunits : sc->s.nrecs;
    rc = oh_min_try(sc->m, OH_MIN_STAGE_LOSSES, oh_min_loss_gen, sc, from, n, &which);
    if (rc != OH_MIN_ACCEPTED) return rc < 0 ? rc : OH_OK;
    rc = oh_min_sc_load(sc);
    from = which + 1;
  }
  return rc;
}

/* ---- Packet slots -------------------------------------------------------- */

static size_t oh_min_slot_count(void *ctx) { return ((oh_min_sc *)ctx)->nslots; }

static void oh_min_slot_get(void *ctx, size_t i, oh_min_slot *slot) {
  oh_min_sc *sc = ctx;
  const oh_script_header *h = &sc->s.h;
  size_t k = sc->slots[i];
  memset(slot, 0, sizeof *slot);
  slot->nsub = 1;
  if (h->api == OH_SCRIPT_CUSTOM) slot->nsub = 0; /* raw CELT frames, no TOC */
  if ((h->api == OH_SCRIPT_MULTISTREAM || h->api == OH_SCRIPT_PROJECTION) && h->streams > 1)
    slot->nsub = h->streams;
  if (!sc->pipeline) {
    slot->data = sc->s.recs[k].data;
    slot->len = sc->s.recs[k].len;
  } else if (sc->has_tail && k == sc->nunits - 1) {
    slot->data = sc->s.body + sc->units[k].off; /* keeps its length prefix */
    slot->len = sc->units[k].len;
    slot->nsub = 0;
    slot->lo = 2;
  } else {
    slot->data = sc->s.body + sc->units[k].off + 2;
    slot->len = sc->units[k].len - 2;
  }
}

static int oh_min_slot_emit(oh_min *m, void *ctx, size_t i, const uint8_t *pkt, size_t len,
                            oh_min_buf *out) {
  oh_min_sc *sc = ctx;
  oh_script_record r;
  size_t k = sc->slots[i];
  (void)m;
  if (sc->pipeline) return oh_min_body_emit(sc, 0, 0, 0, k, pkt, len, out);
  r = sc->s.recs[k];
  r.data = len ? pkt : NULL;
  r.len = len;
  return oh_min_sc_write(&sc->s.h, sc->tmp, oh_min_sc_copy(sc, k, &r), NULL, 0, out);
}

static int oh_min_slot_reload(oh_min *m, void *ctx) {
  (void)m;
  return oh_min_sc_load(ctx);
}

static int oh_min_stage_packets(oh_min_sc *sc) {
  oh_min_slots sl = {NULL, oh_min_slot_count, oh_min_slot_get, oh_min_slot_emit,
                     oh_min_slot_reload};
  int rc = oh_min_sc_load(sc);
  sl.ctx = sc;
  if (rc == OH_OK) rc = oh_min_packet_frames(sc->m, &sl);
  if (rc == OH_OK && !sc->m->stopped) rc = oh_min_sc_load(sc);
  if (rc == OH_OK && !sc->m->stopped) rc = oh_min_packet_payload(sc->m, &sl);
  return rc;
}

/* ---- Stage "config" ------------------------------------------------------ */

/* Header edits, one field each (1 done, 0 not applicable, or < 0), in
 * this order: rate, channels, the 8 flag
 * bits, frame_size; pipeline: pcm_capacity, the 8 pipeline flag bits. */
enum { OH_C_RATE, OH_C_CHANNELS, OH_C_FLAGS, OH_C_FRAME = OH_C_FLAGS + 8, OH_C_PCM_CAP,
       OH_C_PFLAGS, OH_C_COUNT = OH_C_PFLAGS + 8 };

static int oh_min_cfg_edit(oh_min_sc *sc, size_t i, oh_script_header *h) {
  uint8_t *x;
  int pipe_extra = h->api == OH_SCRIPT_PIPELINE && h->extra_len >= OH_MIN_PIPE_EXTRA;
  if (i == OH_C_RATE) {
    if (h->rate == OH_MIN_RATE) return 0;
    h->rate = OH_MIN_RATE;
  } else if (i == OH_C_CHANNELS) {
    if (!oh_min_mono_api(h->api) || h->channels == 1) return 0;
    h->channels = 1;
  } else if (i < OH_C_FRAME) {
    int bit = 1 << (i - OH_C_FLAGS);
    if (!(h->flags & bit)) return 0;
    h->flags &= ~bit;
  } else if (i == OH_C_FRAME) {
    if (h->frame_size == OH_MIN_FRAME_SIZE) return 0;
    h->frame_size = OH_MIN_FRAME_SIZE;
  } else {
    if (!pipe_extra) return 0;
    if (i == OH_C_PCM_CAP && oh_min_get32(h->extra) == 0) return 0;
    if (i > OH_C_PCM_CAP && !(h->extra[4] & 1 << (i - OH_C_PFLAGS))) return 0;
    if (oh_min_buf_reserve(&sc->extra, h->extra_len) != OH_OK) return OH_ERR_NOMEM;
    x = sc->extra.p;
    memcpy(x, h->extra, h->extra_len);
    if (i == OH_C_PCM_CAP) memset(x, 0, 4);
    else x[4] = (uint8_t)(x[4] & ~(1 << (i - OH_C_PFLAGS)));
    h->extra = x;
  }
  return 1;
}

static int oh_min_cfg_gen(oh_min *m, void *g, size_t i, oh_min_buf *out) {
  oh_min_sc *sc = g;
  oh_script_header h = sc->s.h;
  int rc = oh_min_cfg_edit(sc, i, &h);
  (void)m;
  if (rc <= 0) return rc;
  return oh_min_sc_write(&h, sc->s.recs, sc->s.nrecs, sc->s.body, sc->s.body_len, out);
}

static int oh_min_stage_config(oh_min_sc *sc) {
  size_t from = 0, which = 0;
  int rc = oh_min_sc_load(sc);
  while (rc == OH_OK && !sc->m->stopped) {
    rc = oh_min_try(sc->m, OH_MIN_STAGE_CONFIG, oh_min_cfg_gen, sc, from, OH_C_COUNT, &which);
    if (rc != OH_MIN_ACCEPTED) return rc < 0 ? rc : OH_OK;
    rc = oh_min_sc_load(sc);
    from = which + 1;
  }
  return rc;
}

/* ---- One pass ------------------------------------------------------------ */

int oh_min_script_pass(oh_min *m) {
  int (*const stages[])(oh_min_sc *) = {oh_min_stage_records, oh_min_stage_losses,
                                        oh_min_stage_packets, oh_min_stage_config};
  oh_min_sc sc;
  size_t i;
  int rc = OH_OK;
  memset(&sc, 0, sizeof sc);
  sc.m = m;
  for (i = 0; i < sizeof stages / sizeof stages[0] && rc == OH_OK && !m->stopped; i++)
    rc = stages[i](&sc);
  oh_min_sc_free(&sc);
  return rc;
}
