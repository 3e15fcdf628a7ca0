/* Length-prefixed packet streams: an optional fixed header (header_skip
 * bytes), then records of a 16- or 32-bit, big- or little-endian length
 * followed by that many packet bytes. One ops table serves all four
 * variants through r->format. A zero length is reported as a lost packet:
 * in the production framing it is an empty message, i.e. no packet arrived,
 * and zero-length Opus packets are invalid anyway (RFC 6716 R1). Errors
 * point at the start of the record that cannot be completed. */
#include "reader_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct oh_lp_state {
  size_t pos;
  size_t prefix;  /* 2 or 4 bytes */
  int big_endian;
} oh_lp_state;

static size_t oh_lp_read(const oh_lp_state *s, const uint8_t *p) {
  size_t v = 0, i;
  for (i = 0; i < s->prefix; i++) {
    size_t byte = s->big_endian ? p[i] : p[s->prefix - 1 - i];
    v = v << 8 | byte;
  }
  return v;
}

static int oh_lp_open(oh_reader *r, oh_error *err) {
  oh_lp_state *s;
  if (r->opt.header_skip > r->len)
    return oh_fail(err, OH_ERR_TRUNCATED, 0,
                   "header of %zu bytes to skip, but the input has only %zu",
                   r->opt.header_skip, r->len);
  s = calloc(1, sizeof *s);
  if (!s) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  s->pos = r->opt.header_skip;
  s->prefix = (r->format == OH_FMT_LP16BE || r->format == OH_FMT_LP16LE) ? 2 : 4;
  s->big_endian = r->format == OH_FMT_LP16BE || r->format == OH_FMT_LP32BE;
  r->state = s;
  snprintf(r->describe, sizeof r->describe, "%s: u%zu %s-endian length prefixes%s",
           oh_format_name(r->format), s->prefix * 8, s->big_endian ? "big" : "little",
           r->opt.header_skip ? " after a skipped header" : "");
  return OH_OK;
}

static int oh_lp_next(oh_reader *r, oh_record *rec, oh_error *err) {
  oh_lp_state *s = r->state;
  size_t left = r->len - s->pos, n;
  if (left == 0) return 0;
  if (left < s->prefix)
    return oh_fail(err, OH_ERR_TRUNCATED, s->pos,
                   "record %" PRIu64 ": length prefix needs %zu bytes, only %zu left",
                   r->next_index, s->prefix, left);
  n = oh_lp_read(s, r->buf + s->pos);
  if (n > r->opt.max_packet_len)
    return oh_fail(err, OH_ERR_LIMIT, s->pos,
                   "record %" PRIu64 ": length prefix %zu exceeds the %zu-byte limit",
                   r->next_index, n, r->opt.max_packet_len);
  if (n > left - s->prefix)
    return oh_fail(err, OH_ERR_TRUNCATED, s->pos,
                   "record %" PRIu64 ": length prefix %zu exceeds the %zu bytes left",
                   r->next_index, n, left - s->prefix);
  rec->offset = s->pos;
  rec->lost = n == 0;
  rec->data = n ? r->buf + s->pos + s->prefix : NULL;
  rec->len = n;
  s->pos += s->prefix + n;
  return 1;
}

static void oh_lp_close(oh_reader *r) {
  free(r->state);
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_lp = {oh_lp_open, oh_lp_next, oh_lp_close};
