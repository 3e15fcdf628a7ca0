/* Byte-level mutation: the core's own havoc (used when no engine hook is
 * set, and for whole-input fallback), the dispatch to the configured hook,
 * and the container tokens the readers target splices in. */
#include <string.h>

#include "mut_impl.h"

static const int32_t oh_interesting[] = {
    0, 1, -1, 16, 32, 64, 100, 127, -128, 128, 255, 256, 512, 1000, 1024,
    1275, 1276, 4096, 32767, -32768, 65535, 65536, INT32_MAX, INT32_MIN};

static void oh_put(uint8_t *d, size_t at, size_t size, int32_t v, int width) {
  int i;
  /* Big-endian, like every field of the formats being mutated. */
  for (i = 0; i < width && at + (size_t)i < size; i++)
    d[at + (size_t)i] = (uint8_t)((uint32_t)v >> (8 * (width - 1 - i)));
}

/* One havoc step; returns the new size. */
static size_t oh_havoc_step(oh_rng *r, uint8_t *d, size_t size,
                            size_t max_size) {
  size_t at = oh_rng_below(r, (uint32_t)size), n, from;
  switch (oh_rng_below(r, 9)) {
  case 0: d[at] ^= (uint8_t)(1u << oh_rng_below(r, 8)); break;
  case 1: d[at] = (uint8_t)oh_rng_next(r); break;
  case 2:
    oh_put(d, at, size,
           oh_interesting[oh_rng_below(r, sizeof oh_interesting /
                                             sizeof oh_interesting[0])],
           1 + (int)oh_rng_below(r, 4));
    break;
  case 3: d[at] = (uint8_t)(d[at] + oh_rng_range(r, 1, 35) - 18); break;
  case 4: /* delete a chunk, keep at least one byte */
    if (size < 2) break;
    n = 1 + oh_rng_below(r, (uint32_t)(size - at < 16 ? size - at : 16));
    if (n >= size) n = size - 1;
    if (at + n > size) n = size - at;
    memmove(d + at, d + at + n, size - at - n);
    return size - n;
  case 5: /* insert a copy of a chunk */
  case 6: /* insert random bytes */
    if (size >= max_size) break;
    n = 1 + oh_rng_below(r, 16);
    if (n > max_size - size) n = max_size - size;
    from = oh_rng_below(r, (uint32_t)size);
    if (from + n > size) n = size - from;
    memmove(d + at + n, d + at, size - at);
    if (from >= at) from += n;
    {
      size_t i;
      for (i = 0; i < n; i++)
        d[at + i] = oh_rng_below(r, 2) ? d[from + i < size + n ? from + i : at]
                                       : (uint8_t)oh_rng_next(r);
    }
    return size + n;
  case 7: /* overwrite with a copy of another chunk */
    from = oh_rng_below(r, (uint32_t)size);
    n = 1 + oh_rng_below(r, 16);
    if (n > size - at) n = size - at;
    if (n > size - from) n = size - from;
    memmove(d + at, d + from, n);
    break;
  default: /* swap two bytes */
    from = oh_rng_below(r, (uint32_t)size);
    {
      uint8_t t = d[at];
      d[at] = d[from];
      d[from] = t;
    }
    break;
  }
  return size;
}

size_t oh_byte_havoc(void *rng, uint8_t *data, size_t size, size_t max_size) {
  oh_rng *r = rng;
  int steps = 1 << oh_rng_below(r, 4), i;
  if (max_size == 0) return 0;
  if (size > max_size) size = max_size;
  if (size == 0) {
    data[0] = (uint8_t)oh_rng_next(r);
    size = 1;
  }
  for (i = 0; i < steps; i++) size = oh_havoc_step(r, data, size, max_size);
  return size;
}

size_t oh_mut_bytes(struct oh_mutator *m, uint8_t *data, size_t size,
                    size_t max_size) {
  size_t n;
  if (max_size == 0) return 0;
  if (size == 0) {
    data[0] = (uint8_t)oh_rng_next(&m->rng);
    size = 1;
  }
  if (m->opt.byte_mutate)
    n = m->opt.byte_mutate(m->opt.byte_ctx, data, size, max_size);
  else
    n = oh_byte_havoc(&m->rng, data, size, max_size);
  return n > max_size ? max_size : n;
}

/* What the readers look for at a record's start. */
static const struct {
  const char *bytes;
  size_t len;
} oh_tokens[] = {
    {"OggS\0", 5},
    {"OpusHead\1", 9},
    {"OpusTags", 8},
    {"\xa1\xb2\xc3\xd4", 4}, /* pcap, big-endian, microseconds */
    {"\xd4\xc3\xb2\xa1", 4}, /* pcap, little-endian */
    {"\xa1\xb2\x3c\x4d", 4}, /* pcap, nanoseconds */
    {"\x4d\x3c\xb2\xa1", 4},
    {"\x0a\x0d\x0d\x0a", 4}, /* pcapng section header block */
    {"\x1a\x2b\x3c\x4d", 4}, /* pcapng byte-order magic */
    {"\x4d\x3c\x2b\x1a", 4},
    {"\x80\x78", 2},         /* RTP v2, payload type 120 */
    {"\x80\xe0", 2},         /* RTP v2, marker, payload type 96 */
    {"\x08\x00\x45\x00", 4}, /* Ethernet IPv4 */
    {"\x86\xdd\x60\x00", 4}, /* Ethernet IPv6 */
    {"\x11", 1},             /* UDP */
    {"data=", 5},
    {"packet_len=", 11},
    {"\"data\":\"", 8},
    {"\n", 1},
};

size_t oh_container_token_count(void) {
  return sizeof oh_tokens / sizeof oh_tokens[0];
}

const uint8_t *oh_container_token(size_t i, size_t *len) {
  if (i >= oh_container_token_count()) return NULL;
  *len = oh_tokens[i].len;
  return (const uint8_t *)oh_tokens[i].bytes;
}
