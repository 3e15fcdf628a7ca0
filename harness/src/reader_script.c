/* Readers for the formats fuzz inputs come in, so that every crash file
 * replays as is: OHS1 stream scripts (script.h) and raw single packets.
 *
 * script: the header goes into the stream info; 'P' and 'F' records are
 * handed out as packets (fec = 1 for 'F'), 'L' records as losses with their
 * frame size; 'C' and 'R' records change decoder state only, so they are
 * read, counted against OH_SCRIPT_MAX_RECORDS and skipped, and record
 * indexes count the handed-out records alone. An api pipeline script's body
 * is a u16be length-prefixed stream, read by the lp16be reader itself
 * starting at the body, so its offsets are offsets in the whole file.
 *
 * raw: the whole input is one packet. */
#include "reader_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/script.h"

typedef struct oh_script_state {
  oh_script_header h;
  size_t pos;        /* offset of the next script record */
  size_t seen;       /* script records read so far, every type */
  oh_reader *body;   /* api pipeline: lp16be over the input, from the body */
} oh_script_state;

/* Header fields into the stream info, as a decoder of this api sees them. */
static void oh_script_info(oh_stream_info *info, const oh_script_header *h) {
  info->known = 1;
  info->channels = h->channels;
  info->input_rate = h->rate;
  if (h->api == OH_SCRIPT_MULTISTREAM || h->api == OH_SCRIPT_PROJECTION) {
    info->mapping_family = h->family;
    info->stream_count = h->streams;
    info->coupled_count = h->coupled;
    if (h->api == OH_SCRIPT_MULTISTREAM) {
      size_t n = h->extra_len < (size_t)h->channels ? h->extra_len : (size_t)h->channels;
      if (n) memcpy(info->mapping, h->extra, n);
    }
    return;
  }
  /* The pipeline's family byte is its misuse model, not a mapping. */
  info->mapping_family = 0;
  info->stream_count = 1;
  info->coupled_count = h->channels == 2;
}

/* Walks the records once so the describe line can say how many there are
 * and where a bad one sits; reading them later repeats the same checks. */
static void oh_script_count(const oh_reader *r, size_t pos, char *out, size_t cap) {
  size_t n = 0, next;
  oh_script_record rec;
  oh_error err;
  int rc = 0;
  oh_error_clear(&err);
  while (n <= OH_SCRIPT_MAX_RECORDS &&
         (rc = oh_script_read_record(r->buf, r->len, pos, &rec, &next, &err)) == 1) {
    n++;
    pos = next;
  }
  if (n > OH_SCRIPT_MAX_RECORDS)
    snprintf(out, cap, "records>%d", OH_SCRIPT_MAX_RECORDS);
  else if (rc < 0)
    snprintf(out, cap, "records=%zu, then a bad record at offset %" PRIu64, n, err.offset);
  else
    snprintf(out, cap, "records=%zu", n);
}

static void oh_script_describe(oh_reader *r, const oh_script_state *s) {
  const oh_script_header *h = &s->h;
  char frame[48], tail[96];
  oh_script header_only;
  oh_script_init(&header_only, h);
  if (h->frame_size)
    snprintf(frame, sizeof frame, "%d", h->frame_size);
  else
    snprintf(frame, sizeof frame, "120ms(%d)", oh_script_frame_size(&header_only, NULL));
  if (h->api == OH_SCRIPT_PIPELINE)
    snprintf(tail, sizeof tail, "model=%d body=%zu bytes of u16be-prefixed packets", h->family,
             r->len - s->pos);
  else
    oh_script_count(r, s->pos, tail, sizeof tail);
  snprintf(r->describe, sizeof r->describe, "script api=%s rate=%" PRIu32
           " channels=%d frame_size=%s %s",
           oh_script_api_name(h->api), h->rate, h->channels, frame, tail);
}

static int oh_script_open(oh_reader *r, oh_error *err) {
  oh_script_state *s = calloc(1, sizeof *s);
  oh_reader_options body_opt;
  int rc;
  if (!s) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  r->state = s;
  rc = oh_script_read_header(r->buf, r->len, &s->h, &s->pos, err);
  if (rc != OH_OK) return rc;
  oh_script_info(&r->info, &s->h);
  oh_script_describe(r, s);
  if (s->h.api != OH_SCRIPT_PIPELINE) return OH_OK;
  body_opt = r->opt;
  body_opt.header_skip = s->pos;
  return oh_reader_open(&s->body, OH_FMT_LP16BE, r->buf, r->len, &body_opt, err);
}

/* Fills rec from a packet, FEC or loss record; 0 for the skipped types. */
static int oh_script_hand_out(const oh_script_record *sr, oh_record *rec) {
  if (sr->type != OH_SREC_PACKET && sr->type != OH_SREC_FEC && sr->type != OH_SREC_LOSS)
    return 0;
  rec->offset = sr->offset;
  rec->data = sr->data;
  rec->len = sr->len;
  rec->lost = sr->type == OH_SREC_LOSS || sr->len == 0;
  rec->fec = sr->type == OH_SREC_FEC;
  rec->frame_size = sr->type == OH_SREC_PACKET ? 0 : sr->frame_size;
  return 1;
}

static int oh_script_next_record(oh_reader *r, oh_script_state *s, oh_record *rec,
                                 oh_error *err) {
  for (;;) {
    oh_script_record sr;
    size_t next;
    int rc = oh_script_read_record(r->buf, r->len, s->pos, &sr, &next, err);
    if (rc == 0) return 0;
    if (rc < 0) {
      char why[sizeof err->reason];
      snprintf(why, sizeof why, "%s", err->reason);
      return oh_fail(err, rc, err->offset, "script record %zu: %s", s->seen, why);
    }
    if (s->seen >= OH_SCRIPT_MAX_RECORDS)
      return oh_fail(err, OH_ERR_LIMIT, s->pos, "script record %zu: more than %d records",
                     s->seen, OH_SCRIPT_MAX_RECORDS);
    if (sr.len > r->opt.max_packet_len)
      return oh_fail(err, OH_ERR_LIMIT, s->pos,
                     "script record %zu: packet length %zu exceeds the %zu-byte limit",
                     s->seen, sr.len, r->opt.max_packet_len);
    s->seen++;
    s->pos = next;
    if (oh_script_hand_out(&sr, rec)) return 1;
  }
}

static int oh_script_next(oh_reader *r, oh_record *rec, oh_error *err) {
  oh_script_state *s = r->state;
  if (s->body) return oh_reader_next(s->body, rec, err);
  return oh_script_next_record(r, s, rec, err);
}

static void oh_script_close(oh_reader *r) {
  oh_script_state *s = r->state;
  if (s) oh_reader_close(s->body);
  free(s);
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_script = {oh_script_open, oh_script_next, oh_script_close};

/* ---- raw: one packet, the whole input --------------------------------- */

static int oh_raw_open(oh_reader *r, oh_error *err) {
  snprintf(r->describe, sizeof r->describe, "raw: the whole input (%zu bytes) is one packet",
           r->len);
  return OH_OK;
}

static int oh_raw_next(oh_reader *r, oh_record *rec, oh_error *err) {
  if (r->next_index > 0) return 0;
  if (r->len > r->opt.max_packet_len)
    return oh_fail(err, OH_ERR_LIMIT, 0, "raw packet of %zu bytes exceeds the %zu-byte limit",
                   r->len, r->opt.max_packet_len);
  rec->offset = 0;
  rec->lost = r->len == 0;
  rec->data = r->len ? r->buf : NULL;
  rec->len = r->len;
  return 1;
}

static void oh_raw_close(oh_reader *r) { r->state = NULL; }

const oh_reader_ops oh_reader_ops_raw = {oh_raw_open, oh_raw_next, oh_raw_close};
