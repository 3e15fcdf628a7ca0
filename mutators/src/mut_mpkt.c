/* Packets as the operators edit them: a packet split into its streams (one
 * for a plain packet; for a multistream packet the first streams-1 in the
 * self-delimited framing of RFC 6716 Appendix B, the last one plain), each
 * an oh_packet_spec, or raw bytes when an operator broke it on purpose.
 * Also the spec normaliser that keeps an edited spec writable, and the
 * validity check the tests and the operators share. */
#include <string.h>

#include "mut_impl.h"

/* ---- Specs --------------------------------------------------------------- */

int oh_spec_max_frames(int config) {
  oh_toc toc;
  int n;
  oh_toc_decode(oh_toc_encode(config, 0, 0), &toc);
  n = OH_MAX_PACKET_SAMPLES48 / toc.frame_samples48;
  return n > OH_MAX_FRAMES ? OH_MAX_FRAMES : n;
}

static int oh_spec_equal_frames(const oh_packet_spec *s) {
  int i;
  for (i = 1; i < s->frame_count; i++)
    if (s->frame_len[i] != s->frame_len[0]) return 0;
  return 1;
}

void oh_spec_normalise(oh_packet_spec *s) {
  int i, max, equal, padded;
  s->config &= 31;
  s->stereo = s->stereo ? 1 : 0;
  s->code &= 3;
  if (s->frame_count < 1) {
    s->frame_count = 1;
    s->frame_data[0] = NULL;
    s->frame_len[0] = 0;
  }
  max = oh_spec_max_frames(s->config);
  if (s->frame_count > max) s->frame_count = max;
  for (i = 0; i < s->frame_count; i++) {
    if (s->frame_len[i] > OH_MAX_FRAME_BYTES)
      s->frame_len[i] = OH_MAX_FRAME_BYTES;
    if (!s->frame_data[i]) s->frame_len[i] = 0;
  }
  if (s->padding_len > 4096) s->padding_len = 4096;
  equal = oh_spec_equal_frames(s);
  padded = s->padding_len > 0 || s->force_padding_flag;
  if (s->frame_count > 2 || padded) s->code = 3;
  if (s->code == 3) {
    if (!equal) s->vbr = 1;
  } else if (s->frame_count == 1) {
    s->code = 0;
  } else if (s->code == 0 || (s->code == 1 && !equal)) {
    s->code = equal ? 1 : 2;
  }
  if (s->code < 3) {
    s->vbr = 0;
    s->padding_len = 0;
    s->force_padding_flag = 0;
  }
  s->vbr = s->vbr ? 1 : 0;
}

size_t oh_spec_bound(const oh_packet_spec *s) {
  size_t n = 2 + s->padding_len / 254 + 1 + 2 * (size_t)s->frame_count + 2 +
             s->padding_len;
  int i;
  for (i = 0; i < s->frame_count && i < OH_MAX_FRAMES; i++)
    n += s->frame_len[i];
  return n;
}

long oh_spec_store(oh_arena *a, const oh_packet_spec *s, uint8_t **out) {
  size_t cap = oh_spec_bound(s);
  uint8_t *b = oh_arena_alloc(a, cap);
  long n;
  if (!b) return OH_ERR_NOMEM;
  n = oh_packet_write(s, b, cap, NULL);
  if (n >= 0) *out = b;
  return n;
}

/* ---- Streams ------------------------------------------------------------- */

int oh_mpkt_load(oh_mpkt *mp, const uint8_t *data, size_t len, int n) {
  size_t pos = 0;
  int i;
  if (n < 1 || n > 255) return OH_ERR_ARG;
  for (i = 0; i < n; i++) {
    int sd = i < n - 1;
    oh_packet pkt;
    if (oh_packet_parse(data + pos, len - pos, sd, &pkt, NULL, NULL) != OH_OK)
      return OH_ERR_MALFORMED;
    oh_packet_to_spec(&pkt, data + pos, sd, &mp->s[i].spec);
    mp->s[i].is_raw = 0;
    mp->s[i].raw = NULL;
    mp->s[i].raw_len = 0;
    pos += sd ? pkt.packet_len : len - pos;
  }
  mp->n = n;
  return OH_OK;
}

/* A valid code 0 packet made of what is there: the TOC byte's config and
 * stereo bit (config 0 mono when there is no byte) and up to `take` bytes
 * as its frame. Returns the bytes used. */
static size_t oh_rebuild(oh_packet_spec *s, const uint8_t *d, size_t rest,
                         size_t take) {
  memset(s, 0, sizeof *s);
  s->frame_count = 1;
  if (rest == 0) return 0;
  s->config = d[0] >> 3;
  s->stereo = (d[0] >> 2) & 1;
  if (take > rest - 1) take = rest - 1;
  if (take > OH_MAX_FRAME_BYTES) take = OH_MAX_FRAME_BYTES;
  s->frame_data[0] = d + 1;
  s->frame_len[0] = take;
  return 1 + take;
}

void oh_mpkt_repair(oh_mpkt *mp, const uint8_t *data, size_t len, int n) {
  size_t pos = 0;
  int i;
  if (n < 1) n = 1;
  if (n > 255) n = 255;
  mp->n = n;
  for (i = 0; i < n; i++) {
    int sd = i < n - 1;
    size_t rest = len - pos;
    oh_packet pkt;
    oh_mstream *st = &mp->s[i];
    st->is_raw = 0;
    st->raw = NULL;
    st->raw_len = 0;
    if (rest > 0 &&
        oh_packet_parse(data + pos, rest, sd, &pkt, NULL, NULL) == OH_OK) {
      oh_packet_to_spec(&pkt, data + pos, sd, &st->spec);
      pos += sd ? pkt.packet_len : rest;
      continue;
    }
    /* Self-delimited streams share what is left with the ones after. */
    pos += oh_rebuild(&st->spec, data + pos, rest,
                      rest ? (rest - 1) / (size_t)(n - i) : 0);
  }
  if (n > 1) oh_mpkt_harmonise(mp, 0);
}

long oh_mpkt_store(oh_arena *a, const oh_mpkt *mp, const uint8_t **out) {
  size_t total = 0, pos = 0;
  uint8_t *b;
  int i;
  for (i = 0; i < mp->n; i++) {
    const oh_mstream *st = &mp->s[i];
    total += st->is_raw ? st->raw_len : oh_spec_bound(&st->spec);
  }
  b = oh_arena_alloc(a, total ? total : 1);
  if (!b) return OH_ERR_NOMEM;
  for (i = 0; i < mp->n; i++) {
    const oh_mstream *st = &mp->s[i];
    if (st->is_raw) {
      if (st->raw_len) memcpy(b + pos, st->raw, st->raw_len);
      pos += st->raw_len;
    } else {
      oh_packet_spec s = st->spec;
      long n;
      s.self_delimited = i < mp->n - 1;
      n = oh_packet_write(&s, b + pos, total - pos, NULL);
      if (n < 0) return n;
      pos += (size_t)n;
    }
  }
  *out = b;
  return (long)pos;
}

static int oh_spec_duration(const oh_packet_spec *s) {
  oh_toc toc;
  oh_toc_decode(oh_toc_encode(s->config, 0, 0), &toc);
  return toc.frame_samples48 * s->frame_count;
}

void oh_mpkt_harmonise(oh_mpkt *mp, int k) {
  const oh_packet_spec *ref;
  int i, f, want;
  if (k < 0 || k >= mp->n || mp->s[k].is_raw) return;
  ref = &mp->s[k].spec;
  want = oh_spec_duration(ref);
  for (i = 0; i < mp->n; i++) {
    oh_packet_spec *s = &mp->s[i].spec, old;
    if (i == k || mp->s[i].is_raw || oh_spec_duration(s) == want) continue;
    old = *s;
    s->config = ref->config;
    s->code = ref->code;
    s->vbr = ref->vbr;
    s->frame_count = ref->frame_count;
    /* Cycle the stream's own frames over the reference's frame count. */
    for (f = 0; f < ref->frame_count; f++) {
      s->frame_data[f] = old.frame_data[f % old.frame_count];
      s->frame_len[f] = old.frame_len[f % old.frame_count];
    }
    oh_spec_normalise(s);
  }
}

/* ---- Validity ------------------------------------------------------------ */

int oh_mutate_packet_check(int streams, const uint8_t *data, size_t len,
                           oh_rule *rule) {
  size_t pos = 0;
  int i, dur = -1;
  if (rule) *rule = OH_RULE_NONE;
  if (streams < 1) streams = 1;
  for (i = 0; i < streams; i++) {
    int sd = i < streams - 1;
    oh_packet pkt;
    int rc = oh_packet_parse(data ? data + pos : data, len - pos, sd, &pkt,
                             rule, NULL);
    if (rc != OH_OK) return rc;
    /* libopus wants every stream of a multistream packet equally long; no
     * RFC rule says so, so no rule is named. */
    if (dur >= 0 && pkt.duration48 != dur) return OH_ERR_MALFORMED;
    dur = pkt.duration48;
    pos += sd ? pkt.packet_len : len - pos;
  }
  return OH_OK;
}
