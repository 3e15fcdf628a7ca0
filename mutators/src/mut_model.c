/* The input model: an OHS1 header with its records, an OHS1 pipeline
 * header with its framed body split into entries, or the single raw packet
 * of the packet target; parsed from the input (script.h does the OHS1
 * layout), edited by the operators, and written back. */
#include <stdlib.h>
#include <string.h>

#include "mut_impl.h"

/* ---- Vector of records --------------------------------------------------- */

int oh_model_reserve(oh_model *md, size_t n) {
  oh_mrec *v;
  size_t cap;
  if (n <= md->cap) return OH_OK;
  cap = md->cap ? md->cap : 16;
  while (cap < n) cap *= 2;
  v = realloc(md->recs, cap * sizeof *v);
  if (!v) return OH_ERR_NOMEM;
  md->recs = v;
  md->cap = cap;
  return OH_OK;
}

int oh_model_insert(oh_model *md, size_t at, const oh_mrec *r) {
  if (md->n >= OH_SCRIPT_MAX_RECORDS) return OH_ERR_LIMIT;
  if (oh_model_reserve(md, md->n + 1) != OH_OK) return OH_ERR_NOMEM;
  if (at > md->n) at = md->n;
  memmove(md->recs + at + 1, md->recs + at, (md->n - at) * sizeof *r);
  md->recs[at] = *r;
  md->n++;
  return OH_OK;
}

void oh_model_remove(oh_model *md, size_t at) {
  if (at >= md->n) return;
  memmove(md->recs + at, md->recs + at + 1, (md->n - at - 1) * sizeof *md->recs);
  md->n--;
}

void oh_model_free(oh_model *md) {
  free(md->recs);
  memset(md, 0, sizeof *md);
}

/* ---- Defaults ------------------------------------------------------------ */

static const uint8_t oh_stereo_map[2] = {0, 1};
/* 4x4 identity, little-endian Q15 (opus_projection_decoder_create). */
static const uint8_t oh_proj_identity[32] = {
    0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x7f, 0, 0, 0, 0,
    0, 0, 0, 0, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x7f};
static const uint8_t oh_pipe_extra[5] = {0, 0, 0, 0, 0};

void oh_model_default(struct oh_mutator *m, oh_model *md) {
  oh_script_header *h = &md->h;
  memset(h, 0, sizeof *h);
  md->n = 0;
  md->tail = NULL;
  md->tail_len = 0;
  md->ok = 1;
  h->api = m->t->api < 0 ? 0 : m->t->api;
  h->channels = 2;
  h->rate = 48000;
  h->frame_size = 960;
  switch (m->t->bit) {
  case OH_T_MULTI:
    h->streams = 1;
    h->coupled = 1;
    h->extra = oh_stereo_map;
    h->extra_len = 2;
    break;
  case OH_T_PROJ:
    h->channels = 4;
    h->streams = 2;
    h->coupled = 2;
    h->family = 3;
    h->extra = oh_proj_identity;
    h->extra_len = sizeof oh_proj_identity;
    break;
  case OH_T_CUSTOM: h->custom_frame = 960; break;
  case OH_T_PIPE:
    h->extra = oh_pipe_extra;
    h->extra_len = sizeof oh_pipe_extra;
    break;
  default: break;
  }
}

/* ---- Parsing ------------------------------------------------------------- */

static int oh_rd16(const uint8_t *p) { return (p[0] << 8) | p[1]; }

static int oh_parse_body(oh_model *md, const uint8_t *b, size_t len) {
  size_t pos = 0;
  while (len - pos >= 2) {
    size_t n = (size_t)oh_rd16(b + pos);
    oh_mrec r;
    if (n > len - pos - 2) break;
    memset(&r, 0, sizeof r);
    r.type = OH_SREC_PACKET;
    r.data = b + pos + 2;
    r.len = n;
    r.claimed = -1;
    if (oh_model_insert(md, md->n, &r) != OH_OK) break;
    pos += 2 + n;
  }
  md->tail = pos < len ? b + pos : NULL;
  md->tail_len = len - pos;
  return OH_OK;
}

static int oh_parse_records(oh_model *md, const oh_script *s) {
  size_t i;
  int rc = oh_model_reserve(md, s->nrecs);
  if (rc != OH_OK) return rc;
  for (i = 0; i < s->nrecs && i < OH_SCRIPT_MAX_RECORDS; i++) {
    const oh_script_record *sr = &s->recs[i];
    oh_mrec *r = &md->recs[md->n++];
    memset(r, 0, sizeof *r);
    r->type = sr->type;
    r->frame_size = sr->frame_size;
    r->data = sr->data;
    r->len = sr->len;
    r->ctl = sr->ctl;
    r->value = sr->value;
    r->rate = sr->rate;
    r->channels = sr->channels;
    r->claimed = -1;
  }
  return OH_OK;
}

int oh_model_parse(struct oh_mutator *m, oh_model *md, uint8_t *buf,
                   size_t len) {
  oh_script s;
  oh_error err;
  int rc;
  md->ok = 0;
  md->n = 0;
  md->tail = NULL;
  md->tail_len = 0;
  memset(&md->h, 0, sizeof md->h);
  if (m->t->kind == OH_TK_PACKET) {
    oh_mrec r;
    memset(&r, 0, sizeof r);
    r.type = OH_SREC_PACKET;
    r.data = buf;
    r.len = len;
    r.claimed = -1;
    oh_model_default(m, md);
    rc = oh_model_insert(md, 0, &r);
    md->ok = rc == OH_OK;
    return rc;
  }
  if (m->t->kind == OH_TK_READERS) return OH_ERR_UNSUPPORTED;
  if (len < OH_SCRIPT_HEADER_LEN || memcmp(buf, OH_SCRIPT_MAGIC, 4) != 0)
    return OH_ERR_MALFORMED;
  /* The target decides the API: a script for another one is read as ours. */
  buf[4] = (uint8_t)m->t->api;
  memset(&s, 0, sizeof s);
  rc = oh_script_parse(buf, len, 0, &s, &err);
  if (rc != OH_OK) {
    oh_script_free(&s);
    return rc;
  }
  md->h = s.h;
  rc = m->t->kind == OH_TK_PIPELINE ? oh_parse_body(md, s.body, s.body_len)
                                    : oh_parse_records(md, &s);
  oh_script_free(&s);
  md->ok = rc == OH_OK;
  return rc;
}

/* ---- Writing ------------------------------------------------------------- */

static size_t oh_rec_size(const oh_mutator *m, const oh_mrec *r) {
  if (m->t->kind == OH_TK_PIPELINE) return 2 + r->len;
  switch (r->type) {
  case OH_SREC_PACKET: return 3 + r->len;
  case OH_SREC_LOSS: return 3;
  case OH_SREC_FEC: return 5 + r->len;
  case OH_SREC_CTL: return 6;
  default: return 6;
  }
}

size_t oh_model_size(const struct oh_mutator *m, const oh_model *md) {
  size_t n = 0, i;
  if (m->t->kind == OH_TK_PACKET) return md->n ? md->recs[0].len : 0;
  n = OH_SCRIPT_HEADER_LEN + md->h.extra_len + md->tail_len;
  for (i = 0; i < md->n; i++) n += oh_rec_size(m, &md->recs[i]);
  return n;
}

static void oh_wr16(uint8_t *p, size_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* The pipeline body: entries as framed (claimed lengths may lie), tail. */
static const uint8_t *oh_build_body(struct oh_mutator *m, const oh_model *md,
                                    size_t nrec, size_t *len) {
  size_t i, pos = 0, total = md->tail_len;
  uint8_t *b;
  for (i = 0; i < nrec; i++) total += 2 + md->recs[i].len;
  b = oh_arena_alloc(&m->arena, total ? total : 1);
  if (!b) return NULL;
  for (i = 0; i < nrec; i++) {
    const oh_mrec *r = &md->recs[i];
    oh_wr16(b + pos, r->claimed >= 0 ? (size_t)r->claimed : r->len);
    if (r->len) memcpy(b + pos + 2, r->data, r->len);
    pos += 2 + r->len;
  }
  if (md->tail_len) memcpy(b + pos, md->tail, md->tail_len);
  *len = total;
  return b;
}

static size_t oh_write_script(struct oh_mutator *m, const oh_model *md,
                              size_t nrec, uint8_t *out, size_t max_out) {
  oh_script s;
  oh_script_record *recs = NULL;
  oh_error err;
  size_t i;
  long n;
  memset(&s, 0, sizeof s);
  s.h = md->h;
  s.h.api = m->t->api;
  if (m->t->kind == OH_TK_PIPELINE) {
    s.body = oh_build_body(m, md, nrec, &s.body_len);
    if (!s.body) return 0;
  } else if (nrec) {
    recs = oh_arena_alloc(&m->arena, nrec * sizeof *recs);
    if (!recs) return 0;
    for (i = 0; i < nrec; i++) {
      const oh_mrec *r = &md->recs[i];
      memset(&recs[i], 0, sizeof recs[i]);
      recs[i].type = r->type;
      recs[i].frame_size = r->frame_size;
      recs[i].data = r->data;
      recs[i].len = r->len;
      recs[i].ctl = r->ctl;
      recs[i].value = r->value;
      recs[i].rate = r->rate;
      recs[i].channels = r->channels;
    }
  }
  /* The records are ours; oh_script_write only reads them. */
  s.recs = recs;
  s.nrecs = s.cap = recs ? nrec : 0;
  n = oh_script_write(&s, out, max_out, &err);
  if (n < 0) return 0;
  if (m->t->kind != OH_TK_PIPELINE && md->tail_len &&
      (size_t)n + md->tail_len <= max_out) {
    memcpy(out + n, md->tail, md->tail_len);
    n += (long)md->tail_len;
  }
  return (size_t)n;
}

size_t oh_model_write(struct oh_mutator *m, const oh_model *md, uint8_t *out,
                      size_t max_out) {
  size_t nrec = md->n, size, n;
  if (m->t->kind == OH_TK_PACKET) {
    n = md->n ? md->recs[0].len : 0;
    if (n > max_out) n = max_out;
    if (n) memmove(out, md->recs[0].data, n);
    return n;
  }
  size = oh_model_size(m, md);
  /* Too big: drop records from the end (whole records keep it parseable). */
  while (size > max_out && nrec > 0) {
    size -= oh_rec_size(m, &md->recs[nrec - 1]);
    nrec--;
  }
  if (OH_SCRIPT_HEADER_LEN + md->h.extra_len > max_out) return 0;
  return oh_write_script(m, md, nrec, out, max_out);
}

/* ---- Queries ------------------------------------------------------------- */

int oh_model_streams(const struct oh_mutator *m, const oh_model *md) {
  if (!(m->t->bit & OH_T_MS)) return 1;
  if (md->h.streams < 1) return 1;
  return md->h.streams > 255 ? 255 : md->h.streams;
}

long oh_model_pick_packet(struct oh_mutator *m, const oh_model *md,
                          int with_fec) {
  size_t i, count = 0, k;
  for (i = 0; i < md->n; i++)
    count += md->recs[i].type == OH_SREC_PACKET ||
             (with_fec && md->recs[i].type == OH_SREC_FEC);
  if (count == 0) return -1;
  k = oh_rng_below(&m->rng, (uint32_t)count);
  for (i = 0; i < md->n; i++) {
    int is = md->recs[i].type == OH_SREC_PACKET ||
             (with_fec && md->recs[i].type == OH_SREC_FEC);
    if (is && k-- == 0) return (long)i;
  }
  return -1;
}
