/* The OHS1 stream script (see script.h): names, the header and record
 * parsers (strict for replay, lenient for fuzz targets), the writer that
 * reproduces a parsed script byte for byte, and the record list. Every
 * input may be garbage: each read is checked against the bytes left first. */
#include "opushunt/script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OH_SCRIPT_U8_MAX 255
#define OH_SCRIPT_U16_MAX 65535

static const char *const oh_script_api_names[OH_SCRIPT_API_COUNT] = {
    "decoder", "multistream", "projection", "custom", "repacketizer", "pipeline"};

static const char *const oh_script_ctl_names[OH_CTL_COUNT] = {
    "set-gain",
    "reset-state",
    "set-phase-inversion-disabled",
    "get-final-range",
    "get-bandwidth",
    "get-sample-rate",
    "get-pitch",
    "get-last-packet-duration",
    "get-gain",
    "get-phase-inversion-disabled",
    "set-complexity"};

const char *oh_script_api_name(int api) {
  if (api < 0 || api >= OH_SCRIPT_API_COUNT) return "unknown";
  return oh_script_api_names[api];
}

const char *oh_script_ctl_name(int ctl) {
  if (ctl < 0 || ctl >= OH_CTL_COUNT) return "unknown";
  return oh_script_ctl_names[ctl];
}

/* ---- Reading ----------------------------------------------------------- */

static unsigned oh_get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t oh_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int oh_script_read_header(const uint8_t *buf, size_t len, oh_script_header *h,
                          size_t *body_off, oh_error *err) {
  size_t extra_len, magic_len = len < 4 ? len : 4;
  if (!h || !body_off || (!buf && len))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no script, header or body offset");
  memset(h, 0, sizeof *h);
  *body_off = 0;
  /* A prefix of the magic is a truncated script; anything else is not one. */
  if (magic_len && memcmp(buf, OH_SCRIPT_MAGIC, magic_len) != 0)
    return oh_fail(err, OH_ERR_MALFORMED, 0, "not a stream script: no \"%s\" magic",
                   OH_SCRIPT_MAGIC);
  if (len < OH_SCRIPT_HEADER_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, 0,
                   "script header needs %d bytes, only %zu in the input",
                   OH_SCRIPT_HEADER_LEN, len);
  if (buf[4] >= OH_SCRIPT_API_COUNT)
    return oh_fail(err, OH_ERR_MALFORMED, 4, "unknown script api %u (0..%d known)",
                   (unsigned)buf[4], OH_SCRIPT_API_COUNT - 1);
  extra_len = oh_get16(buf + 18);
  if (extra_len > len - OH_SCRIPT_HEADER_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, 18,
                   "extra_len %zu exceeds the %zu bytes after the script header",
                   extra_len, len - OH_SCRIPT_HEADER_LEN);
  h->api = buf[4];
  h->flags = buf[5];
  h->channels = buf[6];
  h->streams = buf[7];
  h->coupled = buf[8];
  h->family = buf[9];
  h->rate = oh_get32(buf + 10);
  h->frame_size = (int)oh_get16(buf + 14);
  h->custom_frame = (int)oh_get16(buf + 16);
  h->extra = extra_len ? buf + OH_SCRIPT_HEADER_LEN : NULL;
  h->extra_len = extra_len;
  *body_off = OH_SCRIPT_HEADER_LEN + extra_len;
  return OH_OK;
}

/* Bytes a record of this type takes before its packet bytes, 0 if the type
 * is unknown. */
static size_t oh_fixed_len(int type) {
  switch (type) {
  case OH_SREC_PACKET: return 3;
  case OH_SREC_LOSS: return 3;
  case OH_SREC_FEC: return 5;
  case OH_SREC_CTL: return 6;
  case OH_SREC_RECREATE: return 6;
  default: return 0;
  }
}

/* Fills the fields after the type byte; p holds oh_fixed_len(type) bytes. */
static void oh_decode_fields(const uint8_t *p, oh_script_record *rec) {
  switch (rec->type) {
  case OH_SREC_PACKET: rec->len = oh_get16(p + 1); break;
  case OH_SREC_LOSS: rec->frame_size = (int)oh_get16(p + 1); break;
  case OH_SREC_FEC:
    rec->frame_size = (int)oh_get16(p + 1);
    rec->len = oh_get16(p + 3);
    break;
  case OH_SREC_CTL:
    rec->ctl = p[1];
    rec->value = (int32_t)oh_get32(p + 2);
    break;
  default: /* OH_SREC_RECREATE */
    rec->rate = oh_get32(p + 1);
    rec->channels = p[5];
    break;
  }
}

int oh_script_read_record(const uint8_t *buf, size_t len, size_t pos,
                          oh_script_record *rec, size_t *next_pos, oh_error *err) {
  size_t left, fixed, data_off;
  if (!rec || !next_pos || (!buf && len) || pos > len)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no record, or position past the input");
  memset(rec, 0, sizeof *rec);
  *next_pos = pos;
  if (pos == len) return 0;
  left = len - pos;
  rec->type = buf[pos];
  rec->offset = pos;
  fixed = oh_fixed_len(rec->type);
  if (fixed == 0)
    return oh_fail(err, OH_ERR_MALFORMED, pos, "unknown record type 0x%02x",
                   (unsigned)buf[pos]);
  if (left < fixed)
    return oh_fail(err, OH_ERR_TRUNCATED, pos, "'%c' record needs %zu bytes, only %zu left",
                   rec->type, fixed, left);
  oh_decode_fields(buf + pos, rec);
  if (rec->type == OH_SREC_CTL && rec->ctl >= OH_CTL_COUNT)
    return oh_fail(err, OH_ERR_MALFORMED, pos, "'C' record: unknown ctl %d (0..%d known)",
                   rec->ctl, OH_CTL_COUNT - 1);
  if (rec->len > left - fixed)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "'%c' record: packet length %zu exceeds the %zu bytes left", rec->type,
                   rec->len, left - fixed);
  data_off = pos + fixed;
  rec->data = rec->len ? buf + data_off : NULL;
  *next_pos = data_off + rec->len;
  return 1;
}

/* Prefixes err's reason with the script record number, for parse's users
 * who have no reader to count records for them. */
static void oh_name_record(oh_error *err, size_t n) {
  char reason[sizeof err->reason];
  if (!err) return;
  snprintf(reason, sizeof reason, "record %zu: %s", n, err->reason);
  memcpy(err->reason, reason, sizeof reason);
}

static int oh_parse_records(const uint8_t *buf, size_t len, size_t pos, int strict,
                            oh_script *s, oh_error *err) {
  for (;;) {
    oh_script_record rec;
    size_t next;
    int rc = oh_script_read_record(buf, len, pos, &rec, &next, err);
    if (rc == 0) break;
    if (rc == 1 && s->nrecs >= OH_SCRIPT_MAX_RECORDS)
      rc = oh_fail(err, OH_ERR_LIMIT, pos, "more than %d records", OH_SCRIPT_MAX_RECORDS);
    else if (rc == 1)
      rc = oh_script_append(s, &rec);
    if (rc == OH_ERR_NOMEM) return oh_fail(err, rc, pos, "out of memory");
    if (rc < 0) {
      if (!strict) {
        oh_error_clear(err);
        break;
      }
      oh_name_record(err, s->nrecs);
      return rc;
    }
    pos = next;
  }
  s->parsed_len = pos;
  return OH_OK;
}

int oh_script_parse(const uint8_t *buf, size_t len, int strict, oh_script *s,
                    oh_error *err) {
  oh_script_header h;
  size_t body_off;
  int rc;
  if (!s) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no script");
  memset(s, 0, sizeof *s);
  oh_error_clear(err);
  rc = oh_script_read_header(buf, len, &h, &body_off, err);
  if (rc != OH_OK) return rc;
  oh_script_init(s, &h);
  if (h.api == OH_SCRIPT_PIPELINE) {
    s->body = body_off < len ? buf + body_off : NULL;
    s->body_len = len - body_off;
    s->parsed_len = len;
    return OH_OK;
  }
  rc = oh_parse_records(buf, len, body_off, strict, s, err);
  if (rc != OH_OK) {
    oh_script_free(s);
    memset(s, 0, sizeof *s);
  }
  return rc;
}

/* ---- Writing ----------------------------------------------------------- */

static int oh_fits(long v, long max) { return v >= 0 && v <= max; }

static int oh_check_header(const oh_script *s, oh_error *err) {
  const oh_script_header *h = &s->h;
  if (!oh_fits(h->api, OH_SCRIPT_API_COUNT - 1))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "unknown script api %d", h->api);
  if (!oh_fits(h->flags, OH_SCRIPT_U8_MAX) || !oh_fits(h->channels, OH_SCRIPT_U8_MAX) ||
      !oh_fits(h->streams, OH_SCRIPT_U8_MAX) || !oh_fits(h->coupled, OH_SCRIPT_U8_MAX) ||
      !oh_fits(h->family, OH_SCRIPT_U8_MAX))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "a header byte field is outside 0..255 (flags %d, channels %d, "
                   "streams %d, coupled %d, family %d)",
                   h->flags, h->channels, h->streams, h->coupled, h->family);
  if (!oh_fits(h->frame_size, OH_SCRIPT_U16_MAX) || !oh_fits(h->custom_frame, OH_SCRIPT_U16_MAX))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "frame_size %d or custom_frame %d is outside 0..65535", h->frame_size,
                   h->custom_frame);
  if (h->extra_len > OH_SCRIPT_MAX_EXTRA || (h->extra_len && !h->extra))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "extra of %zu bytes: more than %d, or no data", h->extra_len,
                   OH_SCRIPT_MAX_EXTRA);
  if (h->api == OH_SCRIPT_PIPELINE && s->nrecs)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "a pipeline script carries a framed body, not %zu records", s->nrecs);
  if (h->api != OH_SCRIPT_PIPELINE && s->body_len)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "only a pipeline script carries a body (%zu bytes here)", s->body_len);
  if (s->body_len && !s->body)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "body of %zu bytes but no data",
                   s->body_len);
  if (s->nrecs && !s->recs)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "%zu records but no list", s->nrecs);
  if (s->nrecs > OH_SCRIPT_MAX_RECORDS)
    return oh_fail(err, OH_ERR_LIMIT, OH_NO_OFFSET, "%zu records: more than %d", s->nrecs,
                   OH_SCRIPT_MAX_RECORDS);
  return OH_OK;
}

static int oh_check_record(const oh_script_record *r, size_t i, oh_error *err) {
  int has_data = r->type == OH_SREC_PACKET || r->type == OH_SREC_FEC;
  if (oh_fixed_len(r->type) == 0)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "record %zu: unknown type %d", i, r->type);
  if (has_data && (r->len > OH_SCRIPT_U16_MAX || (r->len && !r->data)))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "record %zu: packet of %zu bytes: longer than 65535, or no data", i, r->len);
  if ((r->type == OH_SREC_LOSS || r->type == OH_SREC_FEC) &&
      !oh_fits(r->frame_size, OH_SCRIPT_U16_MAX))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "record %zu: frame_size %d outside 0..65535",
                   i, r->frame_size);
  if (r->type == OH_SREC_CTL && !oh_fits(r->ctl, OH_CTL_COUNT - 1))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "record %zu: unknown ctl %d", i, r->ctl);
  if (r->type == OH_SREC_RECREATE && !oh_fits(r->channels, OH_SCRIPT_U8_MAX))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "record %zu: channels %d outside 0..255", i,
                   r->channels);
  return OH_OK;
}

static size_t oh_record_size(const oh_script_record *r) {
  size_t fixed = oh_fixed_len(r->type);
  int has_data = r->type == OH_SREC_PACKET || r->type == OH_SREC_FEC;
  return fixed + (has_data ? r->len : 0);
}

size_t oh_script_size(const oh_script *s) {
  size_t n, i;
  if (!s) return 0;
  n = OH_SCRIPT_HEADER_LEN + s->h.extra_len + s->body_len;
  for (i = 0; s->recs && i < s->nrecs; i++) n += oh_record_size(&s->recs[i]);
  return n;
}

static uint8_t *oh_put16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
  return p + 2;
}

static uint8_t *oh_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
  return p + 4;
}

static uint8_t *oh_put_bytes(uint8_t *p, const uint8_t *data, size_t len) {
  if (len) memcpy(p, data, len);
  return p + len;
}

static uint8_t *oh_put_header(uint8_t *p, const oh_script_header *h) {
  memcpy(p, OH_SCRIPT_MAGIC, 4);
  p[4] = (uint8_t)h->api;
  p[5] = (uint8_t)h->flags;
  p[6] = (uint8_t)h->channels;
  p[7] = (uint8_t)h->streams;
  p[8] = (uint8_t)h->coupled;
  p[9] = (uint8_t)h->family;
  p = oh_put32(p + 10, h->rate);
  p = oh_put16(p, (unsigned)h->frame_size);
  p = oh_put16(p, (unsigned)h->custom_frame);
  p = oh_put16(p, (unsigned)h->extra_len);
  return oh_put_bytes(p, h->extra, h->extra_len);
}

static uint8_t *oh_put_record(uint8_t *p, const oh_script_record *r) {
  *p++ = (uint8_t)r->type;
  switch (r->type) {
  case OH_SREC_PACKET:
    p = oh_put16(p, (unsigned)r->len);
    return oh_put_bytes(p, r->data, r->len);
  case OH_SREC_LOSS: return oh_put16(p, (unsigned)r->frame_size);
  case OH_SREC_FEC:
    p = oh_put16(p, (unsigned)r->frame_size);
    p = oh_put16(p, (unsigned)r->len);
    return oh_put_bytes(p, r->data, r->len);
  case OH_SREC_CTL:
    *p++ = (uint8_t)r->ctl;
    return oh_put32(p, (uint32_t)r->value);
  default: /* OH_SREC_RECREATE */
    p = oh_put32(p, r->rate);
    *p++ = (uint8_t)r->channels;
    return p;
  }
}

long oh_script_write(const oh_script *s, uint8_t *out, size_t cap, oh_error *err) {
  size_t need, i;
  uint8_t *p;
  int rc;
  if (!s || (!out && cap))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no script or no output buffer");
  if ((rc = oh_check_header(s, err)) != OH_OK) return rc;
  for (i = 0; i < s->nrecs; i++)
    if ((rc = oh_check_record(&s->recs[i], i, err)) != OH_OK) return rc;
  need = oh_script_size(s);
  if (need > cap || !out)
    return oh_fail(err, OH_ERR_LIMIT, OH_NO_OFFSET,
                   "the script needs %zu bytes, the buffer holds %zu", need, cap);
  p = oh_put_header(out, &s->h);
  for (i = 0; i < s->nrecs; i++) p = oh_put_record(p, &s->recs[i]);
  p = oh_put_bytes(p, s->body, s->body_len);
  return (long)(p - out);
}

/* ---- The record list --------------------------------------------------- */

void oh_script_init(oh_script *s, const oh_script_header *h) {
  if (!s) return;
  memset(s, 0, sizeof *s);
  if (h) s->h = *h;
}

int oh_script_append(oh_script *s, const oh_script_record *rec) {
  if (!s || !rec) return OH_ERR_ARG;
  if (s->nrecs >= OH_SCRIPT_MAX_RECORDS) return OH_ERR_LIMIT;
  if (s->nrecs == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 16;
    oh_script_record *n;
    if (ncap > OH_SCRIPT_MAX_RECORDS) ncap = OH_SCRIPT_MAX_RECORDS;
    n = realloc(s->recs, ncap * sizeof *n);
    if (!n) return OH_ERR_NOMEM;
    s->recs = n;
    s->cap = ncap;
  }
  s->recs[s->nrecs++] = *rec;
  return OH_OK;
}

void oh_script_free(oh_script *s) {
  if (!s) return;
  free(s->recs);
  s->recs = NULL;
  s->nrecs = 0;
  s->cap = 0;
}

/* 120 ms at the header rate, in 64 bits so no rate overflows it. */
static int oh_default_frame_size(uint32_t rate) {
  uint64_t n = (uint64_t)rate * 120 / 1000;
  return n > OH_SCRIPT_U16_MAX ? OH_SCRIPT_U16_MAX : (int)n;
}

int oh_script_frame_size(const oh_script *s, const oh_script_record *rec) {
  int n;
  if (rec && (rec->type == OH_SREC_LOSS || rec->type == OH_SREC_FEC))
    return oh_fits(rec->frame_size, OH_SCRIPT_U16_MAX) ? rec->frame_size : 0;
  if (!s) return 0;
  n = s->h.frame_size;
  if (n == 0) return oh_default_frame_size(s->h.rate);
  return oh_fits(n, OH_SCRIPT_U16_MAX) ? n : 0;
}
