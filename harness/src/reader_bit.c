/* The opus_demo bitstream (.bit): records of u32be packet length, u32be
 * encoder final range, then the packet. Length 0 is a lost packet. Errors
 * point at the start of the record that cannot be completed. */
#include "reader_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct oh_bit_state {
  size_t pos;
} oh_bit_state;

static uint32_t oh_bit_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int oh_bit_open(oh_reader *r, oh_error *err) {
  r->state = calloc(1, sizeof(oh_bit_state));
  if (!r->state) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  snprintf(r->describe, sizeof r->describe,
           "bit: opus_demo records (u32be length, u32be final range, packet)");
  return OH_OK;
}

static int oh_bit_next(oh_reader *r, oh_record *rec, oh_error *err) {
  oh_bit_state *s = r->state;
  size_t left = r->len - s->pos;
  uint32_t n;
  if (left == 0) return 0;
  if (left < 8)
    return oh_fail(err, OH_ERR_TRUNCATED, s->pos,
                   "record %" PRIu64 ": header needs 8 bytes, only %zu left",
                   r->next_index, left);
  n = oh_bit_be32(r->buf + s->pos);
  if (n > r->opt.max_packet_len)
    return oh_fail(err, OH_ERR_LIMIT, s->pos,
                   "record %" PRIu64 ": length %" PRIu32 " exceeds the %zu-byte limit",
                   r->next_index, n, r->opt.max_packet_len);
  if (n > left - 8)
    return oh_fail(err, OH_ERR_TRUNCATED, s->pos,
                   "record %" PRIu64 ": length %" PRIu32 " exceeds the %zu bytes left",
                   r->next_index, n, left - 8);
  rec->offset = s->pos;
  rec->has_final_range = 1;
  rec->final_range = oh_bit_be32(r->buf + s->pos + 4);
  rec->lost = n == 0;
  rec->data = n ? r->buf + s->pos + 8 : NULL;
  rec->len = n;
  s->pos += 8 + (size_t)n;
  return 1;
}

static void oh_bit_close(oh_reader *r) {
  free(r->state);
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_bit = {oh_bit_open, oh_bit_next, oh_bit_close};
