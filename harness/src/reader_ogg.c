/* Ogg Opus reader: Ogg pages (RFC 3533) carrying one Opus logical stream
 * (RFC 7845). Parses pages itself (capture pattern, version, flags, CRC-32,
 * lacing), picks one logical stream out of any interleaved ones, parses its
 * OpusHead into the stream info, checks and skips OpusTags, and hands out
 * the audio packets, reassembling those that span pages.
 *
 * Choices where the RFCs leave room, all strict so a damaged file is named
 * rather than silently patched:
 * - Every page is parsed and CRC-checked, other streams' pages included;
 *   a bad page is an error at its offset (no resync).
 * - A gap or repeat in the chosen stream's page sequence numbers is an error:
 *   a lost page can hold any number of packets, so lost records could not be
 *   counted honestly.
 * - The OpusHead version is accepted up to 15 (same major version), as
 *   libopusfile does; mapping families 0, 1, 2 and 255 are read, family 3
 *   (demixing matrix) and unknown families are unsupported.
 * - Reading stops at the chosen stream's EOS page; later links of a chained
 *   file are reached only by choosing their serial.
 * - A packet that fits in one page points into the input buffer; only
 *   packets spanning pages are copied. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_impl.h"

#define OGG_HEADER_LEN 27
#define OGG_FLAG_CONTINUED 0x01
#define OGG_FLAG_BOS 0x02
#define OGG_FLAG_EOS 0x04
#define OGG_CRC_POLY 0x04c11db7u
#define OPUS_HEAD_MIN_LEN 19
#define OGG_SERIALS_NAMED 8

typedef struct ogg_page {
  size_t off;        /* offset of "OggS" */
  size_t size;       /* header + lacing table + body */
  uint8_t flags;
  int64_t granule;
  uint32_t serial;
  uint32_t seq;
  int nsegs;
  const uint8_t *lacing;
  size_t body_off;
  size_t body_len;
  int last_end_seg;  /* index of the last lacing value < 255, -1 if none */
} ogg_page;

typedef struct ogg_packet {
  const uint8_t *data;
  size_t len;
  uint64_t page_off;  /* page where the packet starts */
  uint64_t start;     /* offset of its first byte */
  int has_granule;
  int64_t granule;
  int eos;
} ogg_packet;

typedef struct ogg_state {
  uint32_t crc_table[256];
  size_t pos;          /* offset of the next page to read */
  ogg_page page;       /* the chosen stream's current page */
  int in_page;         /* page still has segments to hand out */
  int seg;             /* next lacing index in page */
  size_t seg_pos;      /* offset of that segment's data */
  uint32_t last_seq;
  int eos_seen;
  int tags_done;
  int done;
  /* A packet spanning pages, gathered here. */
  int partial;
  uint64_t partial_page_off;
  uint64_t partial_start;
  uint8_t *span;
  size_t span_len, span_cap;
} ogg_state;

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static int64_t rd64(const uint8_t *p) {
  return (int64_t)((uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32);
}

static void crc_init(uint32_t table[256]) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i << 24;
    for (int k = 0; k < 8; k++)
      c = (c & 0x80000000u) ? (c << 1) ^ OGG_CRC_POLY : c << 1;
    table[i] = c;
  }
}

/* The page CRC covers the whole page with its own CRC field read as zero. */
static uint32_t page_crc(const uint32_t table[256], const uint8_t *p,
                         size_t n) {
  uint32_t c = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = (i >= 22 && i < 26) ? 0 : p[i];
    c = (c << 8) ^ table[((c >> 24) ^ b) & 0xff];
  }
  return c;
}

static int check_capture(const oh_reader *r, size_t pos, oh_error *err) {
  size_t left = r->len - pos, n = left < 4 ? left : 4;
  if (memcmp(r->buf + pos, "OggS", n) != 0)
    return oh_fail(err, OH_ERR_MALFORMED, pos,
                   "no Ogg capture pattern 'OggS' where a page should start");
  if (left < OGG_HEADER_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "page header needs %d bytes, %zu left", OGG_HEADER_LEN,
                   left);
  return OH_OK;
}

static void page_fields(const uint8_t *h, size_t pos, ogg_page *pg) {
  pg->off = pos;
  pg->flags = h[5];
  pg->granule = rd64(h + 6);
  pg->serial = rd32(h + 14);
  pg->seq = rd32(h + 18);
  pg->nsegs = h[26];
  pg->lacing = h + OGG_HEADER_LEN;
  pg->body_off = pos + OGG_HEADER_LEN + (size_t)pg->nsegs;
  pg->body_len = 0;
  pg->last_end_seg = -1;
  for (int i = 0; i < pg->nsegs; i++) {
    pg->body_len += pg->lacing[i];
    if (pg->lacing[i] < 255) pg->last_end_seg = i;
  }
  pg->size = OGG_HEADER_LEN + (size_t)pg->nsegs + pg->body_len;
}

/* Parses and checks the page at pos (which must be < r->len). */
static int read_page(const oh_reader *r, const ogg_state *st, size_t pos,
                     ogg_page *pg, oh_error *err) {
  const uint8_t *h = r->buf + pos;
  size_t left = r->len - pos;
  int rc = check_capture(r, pos, err);
  if (rc != OH_OK) return rc;
  if (h[4] != 0)
    return oh_fail(err, OH_ERR_UNSUPPORTED, pos + 4,
                   "Ogg stream structure version %u (only 0 exists)", h[4]);
  if (h[5] & ~7u)
    return oh_fail(err, OH_ERR_MALFORMED, pos + 5,
                   "reserved header-type bits set (0x%02x)", h[5]);
  if (left < OGG_HEADER_LEN + (size_t)h[26])
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "segment table of %u entries runs past the end", h[26]);
  page_fields(h, pos, pg);
  if (left < pg->size)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "page needs %zu bytes, %zu left", pg->size, left);
  uint32_t want = rd32(h + 22), got = page_crc(st->crc_table, h, pg->size);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  /* Fuzzing builds accept any CRC so mutations reach what lies behind it. */
  want = got;
#endif
  if (want != got)
    return oh_fail(err, OH_ERR_MALFORMED, pos,
                   "page CRC 0x%08" PRIx32 " but the page sums to 0x%08" PRIx32,
                   want, got);
  return OH_OK;
}

/* ---- Choosing the stream ------------------------------------------------ */

typedef struct serial_list {
  uint32_t v[OGG_SERIALS_NAMED];
  int n, total;
} serial_list;

static void serials_add(serial_list *s, uint32_t serial) {
  if (s->n < OGG_SERIALS_NAMED) s->v[s->n++] = serial;
  s->total++;
}

static void serials_format(const serial_list *s, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  if (s->total == 0) snprintf(buf, cap, "none");
  for (int i = 0; i < s->n && used < cap; i++)
    used += (size_t)snprintf(buf + used, cap - used, "%s%" PRIu32,
                             i ? ", " : "", s->v[i]);
  if (s->total > s->n && used < cap)
    snprintf(buf + used, cap - used, " and %d more", s->total - s->n);
}

static int first_packet_is_opus_head(const oh_reader *r, const ogg_page *pg) {
  return pg->body_len >= 8 && pg->nsegs > 0 && pg->lacing[0] >= 8 &&
         memcmp(r->buf + pg->body_off, "OpusHead", 8) == 0;
}

/* Walks BOS pages until the requested serial, or the first Opus stream. */
static int find_stream(oh_reader *r, ogg_state *st, ogg_page *bos,
                       oh_error *err) {
  serial_list seen = {{0}, 0, 0};
  char names[160];
  size_t pos = 0;
  if (r->len == 0) return oh_fail(err, OH_ERR_TRUNCATED, 0, "empty input");
  while (pos < r->len) {
    int rc = read_page(r, st, pos, bos, err);
    if (rc != OH_OK) return rc;
    pos += bos->size;
    if (!(bos->flags & OGG_FLAG_BOS)) continue;
    serials_add(&seen, bos->serial);
    if (r->opt.ogg_serial_set) {
      if (bos->serial != r->opt.ogg_serial) continue;
      if (!first_packet_is_opus_head(r, bos))
        return oh_fail(err, OH_ERR_MALFORMED, bos->body_off,
                       "stream serial %" PRIu32 " is not Opus (no OpusHead)",
                       bos->serial);
      return OH_OK;
    }
    if (first_packet_is_opus_head(r, bos)) return OH_OK;
  }
  serials_format(&seen, names, sizeof names);
  if (r->opt.ogg_serial_set)
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "no stream with serial %" PRIu32 " (serials found: %s)",
                   r->opt.ogg_serial, names);
  return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                 "no Opus stream (serials found: %s)", names);
}

/* ---- OpusHead (RFC 7845 section 5.1) ------------------------------------ */

static int ambisonic_channels_ok(int ch) {
  /* RFC 8486: (1 + order)^2 channels, plus 2 for a non-diegetic pair. */
  for (int n = 1; n <= 15; n++)
    if (ch == n * n || ch == n * n + 2) return 1;
  return 0;
}

static int head_mapping(oh_reader *r, const uint8_t *p, size_t len,
                        uint64_t off, oh_error *err) {
  oh_stream_info *in = &r->info;
  int ch = in->channels, fam = in->mapping_family;
  if (fam == 0) {
    if (ch > 2)
      return oh_fail(err, OH_ERR_MALFORMED, off + 9,
                     "mapping family 0 allows 1 or 2 channels, not %d", ch);
    in->stream_count = 1;
    in->coupled_count = ch - 1;
    for (int i = 0; i < ch; i++) in->mapping[i] = (uint8_t)i;
    return OH_OK;
  }
  if (fam == 3)
    return oh_fail(err, OH_ERR_UNSUPPORTED, off + 18,
                   "mapping family 3 (demixing matrix) is not supported");
  if (fam != 1 && fam != 2 && fam != 255)
    return oh_fail(err, OH_ERR_UNSUPPORTED, off + 18,
                   "unknown channel mapping family %d", fam);
  if (fam == 1 && ch > 8)
    return oh_fail(err, OH_ERR_MALFORMED, off + 9,
                   "mapping family 1 allows 1 to 8 channels, not %d", ch);
  if (fam == 2 && !ambisonic_channels_ok(ch))
    return oh_fail(err, OH_ERR_MALFORMED, off + 9,
                   "%d channels is not an ambisonics layout (family 2)", ch);
  if (len < (size_t)21 + (size_t)ch)
    return oh_fail(err, OH_ERR_MALFORMED, off + len,
                   "OpusHead of %zu bytes is too short for %d channels' "
                   "mapping table", len, ch);
  in->stream_count = p[19];
  in->coupled_count = p[20];
  if (in->stream_count == 0)
    return oh_fail(err, OH_ERR_MALFORMED, off + 19, "stream count is 0");
  if (in->coupled_count > in->stream_count)
    return oh_fail(err, OH_ERR_MALFORMED, off + 20,
                   "coupled count %d exceeds stream count %d",
                   in->coupled_count, in->stream_count);
  if (in->stream_count + in->coupled_count > 255)
    return oh_fail(err, OH_ERR_MALFORMED, off + 20,
                   "streams plus coupled streams exceed 255");
  for (int i = 0; i < ch; i++) {
    int m = p[21 + i];
    if (m != 255 && m >= in->stream_count + in->coupled_count)
      return oh_fail(err, OH_ERR_MALFORMED, off + 21 + (uint64_t)i,
                     "channel %d maps to decoded channel %d of %d", i, m,
                     in->stream_count + in->coupled_count);
    in->mapping[i] = (uint8_t)m;
  }
  return OH_OK;
}

static int parse_head(oh_reader *r, const uint8_t *p, size_t len,
                      uint64_t off, oh_error *err) {
  oh_stream_info *in = &r->info;
  if (len < OPUS_HEAD_MIN_LEN)
    return oh_fail(err, OH_ERR_MALFORMED, off,
                   "OpusHead of %zu bytes (at least %d needed)", len,
                   OPUS_HEAD_MIN_LEN);
  if (p[8] > 15)
    return oh_fail(err, OH_ERR_UNSUPPORTED, off + 8,
                   "OpusHead version %u (major version %u unknown)", p[8],
                   p[8] >> 4);
  if (p[9] == 0)
    return oh_fail(err, OH_ERR_MALFORMED, off + 9, "channel count is 0");
  in->channels = p[9];
  in->pre_skip = rd16(p + 10);
  in->input_rate = rd32(p + 12);
  in->output_gain_q8 = (int16_t)rd16(p + 16);
  in->mapping_family = p[18];
  return head_mapping(r, p, len, off, err);
}

/* RFC 7845 section 3: the ID header completes alone on the BOS page. */
static int read_head(oh_reader *r, const ogg_page *bos, oh_error *err) {
  if (bos->flags & OGG_FLAG_CONTINUED)
    return oh_fail(err, OH_ERR_MALFORMED, bos->off + 5,
                   "BOS page has the continued flag");
  int first_end = 0;
  while (first_end < bos->nsegs && bos->lacing[first_end] == 255) first_end++;
  if (first_end >= bos->nsegs)
    return oh_fail(err, OH_ERR_MALFORMED, bos->off,
                   "OpusHead does not complete on its BOS page");
  if (first_end != bos->nsegs - 1)
    return oh_fail(err, OH_ERR_MALFORMED, bos->off,
                   "BOS page holds more than the OpusHead packet");
  int rc = parse_head(r, r->buf + bos->body_off, bos->body_len,
                      bos->body_off, err);
  if (rc != OH_OK) return rc;
  r->info.known = 1;
  r->info.serial = bos->serial;
  return OH_OK;
}

/* The last granule of the chosen stream, from page headers alone (no CRC):
 * a cheap look ahead so the stream info is complete after open. next()
 * keeps it up to date as it reads, and reports any damage it finds. */
static void scan_final_granule(oh_reader *r, size_t pos) {
  while (r->len - pos >= OGG_HEADER_LEN &&
         memcmp(r->buf + pos, "OggS", 4) == 0) {
    ogg_page pg;
    if (r->len - pos < OGG_HEADER_LEN + (size_t)r->buf[pos + 26]) return;
    page_fields(r->buf + pos, pos, &pg);
    if (r->len - pos < pg.size) return;
    if (pg.serial == r->info.serial) {
      if (pg.granule != -1) r->info.final_granule = pg.granule;
      if (pg.flags & OGG_FLAG_EOS) return;
    }
    pos += pg.size;
  }
}

static void ogg_describe(oh_reader *r) {
  const oh_stream_info *in = &r->info;
  int n = snprintf(r->describe, sizeof r->describe,
                   "ogg serial %" PRIu32 ": Opus %d ch, family %d", in->serial,
                   in->channels, in->mapping_family);
  if (in->mapping_family != 0 && n > 0 && (size_t)n < sizeof r->describe)
    n += snprintf(r->describe + n, sizeof r->describe - (size_t)n,
                  " (%d streams, %d coupled)", in->stream_count,
                  in->coupled_count);
  if (n > 0 && (size_t)n < sizeof r->describe)
    snprintf(r->describe + n, sizeof r->describe - (size_t)n,
             ", pre-skip %d, input %" PRIu32 " Hz", in->pre_skip,
             in->input_rate);
}

static int ogg_open(oh_reader *r, oh_error *err) {
  ogg_state *st = calloc(1, sizeof *st);
  ogg_page bos;
  if (!st) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  r->state = st;
  crc_init(st->crc_table);
  r->info.final_granule = -1;
  int rc = find_stream(r, st, &bos, err);
  if (rc == OH_OK) rc = read_head(r, &bos, err);
  if (rc != OH_OK) return rc;
  st->pos = bos.off + bos.size;
  st->last_seq = bos.seq;
  if (bos.flags & OGG_FLAG_EOS) st->eos_seen = 1;
  scan_final_granule(r, st->pos);
  ogg_describe(r);
  return OH_OK;
}

/* ---- Packets ------------------------------------------------------------ */

/* Next page of the chosen stream; 0 at the end of the input. */
static int next_stream_page(oh_reader *r, ogg_state *st, oh_error *err) {
  ogg_page *pg = &st->page;
  while (st->pos < r->len) {
    int rc = read_page(r, st, st->pos, pg, err);
    if (rc != OH_OK) return rc;
    st->pos += pg->size;
    if (pg->serial != r->info.serial) continue;
    if (pg->flags & OGG_FLAG_BOS)
      return oh_fail(err, OH_ERR_MALFORMED, pg->off,
                     "second BOS page for serial %" PRIu32, pg->serial);
    if (pg->seq != st->last_seq + 1)
      return oh_fail(err, OH_ERR_MALFORMED, pg->off + 18,
                     "page sequence %" PRIu32 " follows %" PRIu32
                     ": pages missing or repeated",
                     pg->seq, st->last_seq);
    st->last_seq = pg->seq;
    return 1;
  }
  return 0;
}

static int start_page(oh_reader *r, ogg_state *st, oh_error *err) {
  const ogg_page *pg = &st->page;
  if ((pg->flags & OGG_FLAG_CONTINUED) && !st->partial)
    return oh_fail(err, OH_ERR_MALFORMED, pg->off + 5,
                   "continued flag set but no packet is open");
  if (!(pg->flags & OGG_FLAG_CONTINUED) && st->partial)
    return oh_fail(err, OH_ERR_MALFORMED, pg->off + 5,
                   "packet begun on the page at %" PRIu64
                   " is not continued here",
                   st->partial_page_off);
  if (pg->granule != -1) r->info.final_granule = pg->granule;
  if (pg->flags & OGG_FLAG_EOS) st->eos_seen = 1;
  st->in_page = 1;
  st->seg = 0;
  st->seg_pos = pg->body_off;
  return OH_OK;
}

/* OpusTags is never handed out and may be large (cover art): only its magic
 * is kept, and the packet size limit does not apply to it. */
#define OGG_TAGS_KEPT 8

static int span_append(oh_reader *r, ogg_state *st, const uint8_t *p,
                       size_t n, oh_error *err) {
  if (!st->tags_done && n > OGG_TAGS_KEPT - st->span_len)
    n = OGG_TAGS_KEPT - st->span_len;
  else if (n > r->opt.max_packet_len - st->span_len)
    return oh_fail(err, OH_ERR_LIMIT, st->partial_page_off,
                   "packet longer than the %zu-byte limit",
                   r->opt.max_packet_len);
  if (st->span_len + n > st->span_cap) {
    size_t cap = st->span_cap ? st->span_cap : 4096;
    while (cap < st->span_len + n) cap *= 2;
    uint8_t *bigger = realloc(st->span, cap);
    if (!bigger)
      return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    st->span = bigger;
    st->span_cap = cap;
  }
  if (n) memcpy(st->span + st->span_len, p, n);
  st->span_len += n;
  return OH_OK;
}

/* Takes segments from the current page up to the end of a packet or of the
 * page. Returns 1 when *pkt is complete, 0 when it continues. */
static int take_segments(oh_reader *r, ogg_state *st, ogg_packet *pkt,
                         oh_error *err) {
  const ogg_page *pg = &st->page;
  size_t start = st->seg_pos, n = 0;
  int end_seg = -1;
  while (st->seg < pg->nsegs) {
    int v = pg->lacing[st->seg++];
    n += (size_t)v;
    if (v < 255) {
      end_seg = st->seg - 1;
      break;
    }
  }
  st->seg_pos = start + n;
  if (st->seg >= pg->nsegs) st->in_page = 0;
  if (!st->partial) {
    st->partial_page_off = pg->off;
    st->partial_start = start;
  }
  if (end_seg < 0 || st->partial) {
    int rc = span_append(r, st, r->buf + start, n, err);
    if (rc != OH_OK) return rc;
  } else if (n > r->opt.max_packet_len && st->tags_done) {
    return oh_fail(err, OH_ERR_LIMIT, pg->off,
                   "packet longer than the %zu-byte limit",
                   r->opt.max_packet_len);
  }
  if (end_seg < 0) {
    st->partial = 1;
    return 0;
  }
  pkt->data = st->partial ? st->span : r->buf + start;
  pkt->len = st->partial ? st->span_len : n;
  pkt->page_off = st->partial_page_off;
  pkt->start = st->partial_start;
  pkt->has_granule = end_seg == pg->last_end_seg && pg->granule != -1;
  pkt->granule = pkt->has_granule ? pg->granule : 0;
  pkt->eos = end_seg == pg->last_end_seg && (pg->flags & OGG_FLAG_EOS);
  st->partial = 0;
  st->span_len = 0;
  return 1;
}

/* The stream ended (EOF or EOS) with nothing more to take from pages. */
static int stream_end(oh_reader *r, ogg_state *st, oh_error *err) {
  if (st->partial && st->eos_seen)
    return oh_fail(err, OH_ERR_MALFORMED, st->page.off,
                   "packet begun at %" PRIu64 " continues past the EOS page",
                   st->partial_page_off);
  if (st->partial)
    return oh_fail(err, OH_ERR_TRUNCATED, r->len,
                   "input ends inside the packet begun at %" PRIu64,
                   st->partial_page_off);
  if (!st->tags_done)
    return oh_fail(err, OH_ERR_MALFORMED, r->len,
                   "stream ends before its OpusTags header");
  return 0;
}

static int next_packet(oh_reader *r, ogg_state *st, ogg_packet *pkt,
                       oh_error *err) {
  for (;;) {
    int rc;
    if (!st->in_page) {
      if (st->eos_seen) return stream_end(r, st, err);
      rc = next_stream_page(r, st, err);
      if (rc == 0) return stream_end(r, st, err);
      if (rc < 0) return rc;
      rc = start_page(r, st, err);
      if (rc != OH_OK) return rc;
      if (st->page.nsegs == 0) st->in_page = 0;
      continue;
    }
    rc = take_segments(r, st, pkt, err);
    if (rc != 0) return rc;
  }
}

static int check_tags(const ogg_packet *pkt, oh_error *err) {
  if (pkt->len < 8 || memcmp(pkt->data, "OpusTags", 8) != 0)
    return oh_fail(err, OH_ERR_MALFORMED, pkt->start,
                   "second packet is not an OpusTags header");
  return OH_OK;
}

static int ogg_next(oh_reader *r, oh_record *rec, oh_error *err) {
  ogg_state *st = r->state;
  ogg_packet pkt;
  if (st->done) return 0;
  for (;;) {
    int rc = next_packet(r, st, &pkt, err);
    if (rc < 0) return rc;
    if (rc == 0) {
      st->done = 1;
      return 0;
    }
    if (st->tags_done) break;
    rc = check_tags(&pkt, err);
    if (rc != OH_OK) return rc;
    st->tags_done = 1;
  }
  memset(rec, 0, sizeof *rec);
  rec->index = r->next_index;
  rec->offset = pkt.page_off;
  rec->data = pkt.data;
  rec->len = pkt.len;
  rec->has_timestamp = pkt.has_granule;
  rec->timestamp = pkt.granule;
  rec->end_of_stream = pkt.eos;
  return 1;
}

static void ogg_close(oh_reader *r) {
  ogg_state *st = r->state;
  if (!st) return;
  free(st->span);
  free(st);
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_ogg = {ogg_open, ogg_next, ogg_close};
