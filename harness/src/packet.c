/* The Opus packet model (RFC 6716 section 3 and Appendix B): TOC fields,
 * parsing with the exact rule R1-R7 an invalid packet breaks, and a writer
 * that builds valid packets. Accept/reject agrees with libopus 1.3.1's
 * opus_packet_parse_impl; where libopus and the RFC differ, libopus wins and
 * the difference is noted where it matters.
 *
 * Offsets reported with a rule are where parsing stands when it finds the
 * violation: the byte it needed but could not read (or that was already
 * claimed by padding), the length or count field whose value breaks the
 * rule, or the first byte of a frame whose implicit length is too large.
 *
 * Self-delimited packets (Appendix B) add one explicit length; a violation
 * of it is reported under the rule of the packet's code: R4 for codes 0 and
 * 2 (an explicit length that must fit), R3 for code 1, R6/R7 for code 3. */
#include "opushunt/packet.h"

#include <limits.h>
#include <string.h>

/* ---- TOC ---------------------------------------------------------------- */

/* Frame durations in 48 kHz samples: 2.5, 5, 10, 20, 40, 60 ms. */
static const int oh_silk_samples[4] = {480, 960, 1920, 2880};
static const int oh_hybrid_samples[2] = {480, 960};
static const int oh_celt_samples[4] = {120, 240, 480, 960};

void oh_toc_decode(uint8_t byte, oh_toc *toc) {
  int config = byte >> 3;
  toc->byte = byte;
  toc->config = config;
  toc->stereo = (byte >> 2) & 1;
  toc->code = byte & 3;
  if (config < 12) {
    toc->mode = OH_MODE_SILK;
    toc->bandwidth = (oh_bandwidth)(OH_BW_NB + config / 4);
    toc->frame_samples48 = oh_silk_samples[config & 3];
  } else if (config < 16) {
    toc->mode = OH_MODE_HYBRID;
    toc->bandwidth = config < 14 ? OH_BW_SWB : OH_BW_FB;
    toc->frame_samples48 = oh_hybrid_samples[config & 1];
  } else {
    /* CELT has no MB: configs 16-19 NB, 20-23 WB, 24-27 SWB, 28-31 FB. */
    static const oh_bandwidth celt_bw[4] = {OH_BW_NB, OH_BW_WB, OH_BW_SWB,
                                            OH_BW_FB};
    toc->mode = OH_MODE_CELT;
    toc->bandwidth = celt_bw[(config - 16) / 4];
    toc->frame_samples48 = oh_celt_samples[config & 3];
  }
}

uint8_t oh_toc_encode(int config, int stereo, int code) {
  return (uint8_t)(((config & 31) << 3) | (stereo ? 4 : 0) | (code & 3));
}

const char *oh_mode_name(oh_mode mode) {
  switch (mode) {
  case OH_MODE_SILK: return "SILK";
  case OH_MODE_HYBRID: return "Hybrid";
  case OH_MODE_CELT: return "CELT";
  }
  return "?";
}

const char *oh_bandwidth_name(oh_bandwidth bw) {
  switch (bw) {
  case OH_BW_NB: return "NB";
  case OH_BW_MB: return "MB";
  case OH_BW_WB: return "WB";
  case OH_BW_SWB: return "SWB";
  case OH_BW_FB: return "FB";
  }
  return "?";
}

/* ---- Rules -------------------------------------------------------------- */

const char *oh_rule_name(oh_rule rule) {
  static const char *const names[] = {"none", "R1", "R2", "R3",
                                      "R4",   "R5", "R6", "R7"};
  if ((int)rule < 0 || (int)rule > (int)OH_RULE_R7) return "?";
  return names[rule];
}

const char *oh_rule_text(oh_rule rule) {
  switch (rule) {
  case OH_RULE_NONE: return "The packet breaks no rule.";
  case OH_RULE_R1: return "A packet has at least one byte, the TOC byte.";
  case OH_RULE_R2:
    return "No frame whose length is implied rather than coded is longer "
           "than 1275 bytes.";
  case OH_RULE_R3:
    return "A code 1 packet has an odd total length so its two frames have "
           "equal length.";
  case OH_RULE_R4:
    return "A code 2 packet has a valid first-frame length after the TOC "
           "byte that fits in the bytes remaining.";
  case OH_RULE_R5:
    return "A code 3 packet has a frame count byte declaring at least one "
           "frame and at most 120 ms of audio.";
  case OH_RULE_R6:
    return "A CBR code 3 packet's padding fits and the bytes left divide "
           "evenly among its frames.";
  case OH_RULE_R7:
    return "A VBR code 3 packet is long enough for its header, padding and "
           "frame lengths, and no frame length exceeds the bytes remaining.";
  }
  return "?";
}

/* ---- Parsing ------------------------------------------------------------ */

/* Parse state: end is where frame data must stop (the input's end minus
 * code-3 padding), so every check below is "fits before end". */
typedef struct oh_parse {
  const uint8_t *data;
  size_t len;
  size_t pos;
  size_t end;
  oh_packet *pkt;
  oh_rule *rule;
  oh_error *err;
} oh_parse;

static int oh_violate(oh_parse *p, oh_rule rule, size_t offset,
                      const char *what) {
  if (p->rule) *p->rule = rule;
  return oh_fail(p->err, OH_ERR_MALFORMED, offset, "%s: %s",
                 oh_rule_name(rule), what);
}

/* Reads a 1- or 2-byte frame length at p->pos (section 3.2.1). Returns 0,
 * or 1 with *missing_at set to the offset of the byte that is not there. */
static int oh_read_length(oh_parse *p, size_t *out, size_t *missing_at) {
  const uint8_t *d = p->data + p->pos;
  size_t avail = p->end - p->pos;
  if (avail < 1) {
    *missing_at = p->pos;
    return 1;
  }
  if (d[0] < 252) {
    *out = d[0];
    p->pos += 1;
    return 0;
  }
  if (avail < 2) {
    *missing_at = p->pos + 1;
    return 1;
  }
  *out = (size_t)d[1] * 4 + d[0];
  p->pos += 2;
  return 0;
}

static size_t oh_sum_lengths(const oh_packet *pkt, int n) {
  size_t sum = 0;
  int i;
  for (i = 0; i < n; i++) sum += pkt->frame_len[i];
  return sum;
}

static int oh_parse_code2(oh_parse *p) {
  size_t field = p->pos, missing = 0;
  p->pkt->frame_count = 2;
  p->pkt->vbr = 1;
  if (oh_read_length(p, &p->pkt->frame_len[0], &missing))
    return oh_violate(p, OH_RULE_R4, missing,
                      "code 2 first frame length is cut off");
  if (p->pkt->frame_len[0] > p->end - p->pos)
    return oh_violate(p, OH_RULE_R4, field,
                      "code 2 first frame length exceeds the bytes left");
  return OH_OK;
}

static int oh_parse_count(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  uint8_t ch;
  /* RFC R6 asks N >= 2 only of CBR packets; without this byte the packet has
   * no frame count at all, so R5 (at least one frame) names it. */
  if (p->pos >= p->len)
    return oh_violate(p, OH_RULE_R5, p->pos,
                      "code 3 packet has no frame count byte");
  ch = p->data[p->pos];
  pkt->frame_count = ch & 0x3F;
  pkt->vbr = (ch & 0x80) != 0;
  pkt->padded = (ch & 0x40) != 0;
  if (pkt->frame_count == 0)
    return oh_violate(p, OH_RULE_R5, p->pos, "code 3 frame count is 0");
  if (pkt->frame_count * pkt->toc.frame_samples48 > OH_MAX_PACKET_SAMPLES48)
    return oh_violate(p, OH_RULE_R5, p->pos,
                      "code 3 frames total more than 120 ms");
  p->pos++;
  return OH_OK;
}

/* The padding length chain: 255 means 254 bytes plus another length byte.
 * libopus subtracts each amount as it reads it and wants every further
 * length byte to lie before the padding claimed so far; that rejects the
 * same packets as the RFC's "P <= N-2" and tells where the chain broke. */
static int oh_parse_padding(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  oh_rule rule = pkt->vbr ? OH_RULE_R7 : OH_RULE_R6;
  size_t start = p->pos;
  uint8_t b;
  if (!pkt->padded) return OH_OK;
  do {
    if (p->pos >= p->len || p->len - p->pos <= pkt->padding_len)
      return oh_violate(p, rule, p->pos,
                        "code 3 padding length runs past the padding");
    b = p->data[p->pos++];
    pkt->padding_len += b == 255 ? 254 : b;
  } while (b == 255);
  pkt->padding_len_bytes = p->pos - start;
  if (pkt->padding_len > p->len - p->pos)
    return oh_violate(p, rule, p->pos - 1,
                      "code 3 padding is longer than the packet");
  p->end = p->len - pkt->padding_len;
  return OH_OK;
}

/* The explicit lengths of the first M-1 frames of a VBR code 3 packet. The
 * running sum is checked at each field, which rejects exactly when libopus
 * does (its per-field check ignores earlier frames, its final one does not)
 * and points at the first frame that does not fit. */
static int oh_parse_vbr_lengths(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  size_t sum = 0, field, missing = 0;
  int i;
  for (i = 0; i < pkt->frame_count - 1; i++) {
    field = p->pos;
    if (oh_read_length(p, &pkt->frame_len[i], &missing))
      return oh_violate(p, OH_RULE_R7, missing,
                        "code 3 frame length is cut off");
    sum += pkt->frame_len[i];
    if (sum > p->end - p->pos)
      return oh_violate(p, OH_RULE_R7, field,
                        "code 3 frame length exceeds the bytes left");
  }
  return OH_OK;
}

static int oh_parse_code3(oh_parse *p) {
  int rc = oh_parse_count(p);
  if (rc == OH_OK) rc = oh_parse_padding(p);
  if (rc == OH_OK && p->pkt->vbr) rc = oh_parse_vbr_lengths(p);
  return rc;
}

/* Appendix B: the rule a broken self-delimiting length is reported under. */
static oh_rule oh_sd_rule(const oh_packet *pkt) {
  switch (pkt->toc.code) {
  case 1: return OH_RULE_R3;
  case 3: return pkt->vbr ? OH_RULE_R7 : OH_RULE_R6;
  default: return OH_RULE_R4;
  }
}

/* Appendix B: one more explicit length, for the last frame or, for code 1
 * and CBR code 3, for every frame. Explicit lengths never exceed 1275, so R2
 * cannot apply. */
static int oh_parse_sd_length(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  int n = pkt->frame_count, cbr = !pkt->vbr, i;
  size_t field = p->pos, missing = 0, len = 0, need;
  oh_rule rule = oh_sd_rule(pkt);
  if (oh_read_length(p, &len, &missing))
    return oh_violate(p, rule, missing,
                      "self-delimiting frame length is cut off");
  need = cbr ? len * (size_t)n : len + oh_sum_lengths(pkt, n - 1);
  if (need > p->end - p->pos)
    return oh_violate(p, rule, field,
                      "self-delimiting frame length exceeds the bytes left");
  for (i = cbr ? 0 : n - 1; i < n; i++) pkt->frame_len[i] = len;
  return OH_OK;
}

/* The last frame's length (every frame's, for CBR) is what is left. */
static int oh_parse_implicit_length(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  int n = pkt->frame_count, cbr = !pkt->vbr, i;
  size_t left = p->end - p->pos, len;
  if (cbr && left % (size_t)n != 0) {
    /* Code 1's parity was checked as R3 already; only code 3 gets here. */
    return oh_violate(p, OH_RULE_R6, p->pos,
                      "code 3 CBR bytes do not divide among the frames");
  }
  len = cbr ? left / (size_t)n : left - oh_sum_lengths(pkt, n - 1);
  if (len > OH_MAX_FRAME_BYTES) {
    size_t start = p->pos + (cbr ? 0 : left - len);
    return oh_violate(p, OH_RULE_R2, start,
                      "implicit frame length is longer than 1275 bytes");
  }
  for (i = cbr ? 0 : n - 1; i < n; i++) pkt->frame_len[i] = len;
  return OH_OK;
}

static int oh_parse_header(oh_parse *p, int self_delimited) {
  oh_packet *pkt = p->pkt;
  switch (pkt->toc.code) {
  case 0:
    pkt->frame_count = 1;
    return OH_OK;
  case 1:
    pkt->frame_count = 2;
    /* Appendix B: a self-delimited code 1 packet codes its length, so the
     * parity of what follows does not matter (libopus skips it too). */
    if (!self_delimited && (p->len - 1) % 2 != 0)
      return oh_violate(p, OH_RULE_R3,
                        p->pos, "code 1 packet has an even total length");
    return OH_OK;
  case 2: return oh_parse_code2(p);
  default: return oh_parse_code3(p);
  }
}

static void oh_layout(oh_parse *p) {
  oh_packet *pkt = p->pkt;
  size_t off = p->pos;
  int i;
  pkt->header_len = p->pos;
  for (i = 0; i < pkt->frame_count; i++) {
    pkt->frame_offset[i] = off;
    off += pkt->frame_len[i];
  }
  pkt->packet_len = off + pkt->padding_len;
  pkt->duration48 = pkt->frame_count * pkt->toc.frame_samples48;
}

int oh_packet_parse(const uint8_t *data, size_t len, int self_delimited,
                    oh_packet *pkt, oh_rule *rule, oh_error *err) {
  oh_parse p;
  int rc;
  memset(pkt, 0, sizeof *pkt);
  if (rule) *rule = OH_RULE_NONE;
  oh_error_clear(err);
  p.data = data;
  p.len = len;
  p.pos = 1;
  p.end = len;
  p.pkt = pkt;
  p.rule = rule;
  p.err = err;
  if (len == 0) return oh_violate(&p, OH_RULE_R1, 0, "packet is empty");
  oh_toc_decode(data[0], &pkt->toc);
  rc = oh_parse_header(&p, self_delimited);
  if (rc == OH_OK)
    rc = self_delimited ? oh_parse_sd_length(&p) : oh_parse_implicit_length(&p);
  if (rc != OH_OK) return rc;
  oh_layout(&p);
  return OH_OK;
}

/* ---- Writing ------------------------------------------------------------ */

size_t oh_frame_length_encode(size_t len, uint8_t *out, size_t cap) {
  if (len > OH_MAX_FRAME_BYTES) return 0;
  if (len < 252) {
    if (cap < 1) return 0;
    out[0] = (uint8_t)len;
    return 1;
  }
  if (cap < 2) return 0;
  out[0] = (uint8_t)(252 + (len & 3));
  out[1] = (uint8_t)((len - out[0]) / 4);
  return 2;
}

/* Bytes of the shortest padding length chain for pad bytes of padding:
 * 254 fits one byte, and each 255 carries 254 more. */
static size_t oh_padding_chain_len(size_t pad) {
  return pad == 0 ? 1 : (pad - 1) / 254 + 1;
}

static size_t oh_write_padding_chain(size_t pad, uint8_t *out) {
  size_t n = 0;
  while (pad > 254) {
    out[n++] = 255;
    pad -= 254;
  }
  out[n++] = (uint8_t)pad;
  return n;
}

static int oh_spec_frames_equal(const oh_packet_spec *s) {
  int i;
  for (i = 1; i < s->frame_count; i++)
    if (s->frame_len[i] != s->frame_len[0]) return 0;
  return 1;
}

static int oh_spec_check_frames(const oh_packet_spec *s, oh_error *err) {
  int i;
  if (s->frame_count < 1 || s->frame_count > OH_MAX_FRAMES)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "frame count %d is outside 1..48", s->frame_count);
  for (i = 0; i < s->frame_count; i++) {
    if (s->frame_len[i] > OH_MAX_FRAME_BYTES)
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                     "R2: frame %d is %zu bytes, more than 1275", i,
                     s->frame_len[i]);
    if (s->frame_len[i] > 0 && !s->frame_data[i])
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                     "frame %d has a length but no data", i);
  }
  return OH_OK;
}

static int oh_spec_check_code(const oh_packet_spec *s, oh_error *err) {
  oh_toc toc;
  static const int want[3] = {1, 2, 2};
  if (s->code < 3 && s->frame_count != want[s->code])
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "code %d needs %d frame(s), the spec has %d", s->code,
                   want[s->code], s->frame_count);
  if (s->code < 3 && (s->padding_len > 0 || s->force_padding_flag))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "only code 3 packets carry padding (code %d)", s->code);
  if ((s->code == 1 || (s->code == 3 && !s->vbr)) && !oh_spec_frames_equal(s))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "%s frames must all have the same length",
                   s->code == 1 ? "R3: code 1" : "R6: code 3 CBR");
  oh_toc_decode(oh_toc_encode(s->config, s->stereo, s->code), &toc);
  if (s->frame_count * toc.frame_samples48 > OH_MAX_PACKET_SAMPLES48)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "R5: %d frames of %d samples exceed 120 ms",
                   s->frame_count, toc.frame_samples48);
  return OH_OK;
}

static int oh_spec_check(const oh_packet_spec *s, oh_error *err) {
  int rc;
  if (!s) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no packet spec");
  if (s->config < 0 || s->config > 31)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "config %d is outside 0..31", s->config);
  if (s->stereo != 0 && s->stereo != 1)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "stereo must be 0 or 1, not %d", s->stereo);
  if (s->code < 0 || s->code > 3)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "code %d is outside 0..3", s->code);
  rc = oh_spec_check_frames(s, err);
  if (rc == OH_OK) rc = oh_spec_check_code(s, err);
  return rc;
}

/* Header bytes between the TOC and the first frame, padding chain
 * excluded: the count byte, explicit VBR lengths and the Appendix B
 * length. */
static size_t oh_spec_length_fields(const oh_packet_spec *s) {
  uint8_t tmp[2];
  size_t n = 0;
  int i, vbr = s->code == 2 || (s->code == 3 && s->vbr);
  if (vbr)
    for (i = 0; i < s->frame_count - 1; i++)
      n += oh_frame_length_encode(s->frame_len[i], tmp, sizeof tmp);
  if (s->self_delimited)
    n += oh_frame_length_encode(s->frame_len[s->frame_count - 1], tmp,
                                sizeof tmp);
  return n;
}

static size_t oh_write_length_fields(const oh_packet_spec *s, uint8_t *out) {
  size_t n = 0;
  int i, vbr = s->code == 2 || (s->code == 3 && s->vbr);
  if (vbr)
    for (i = 0; i < s->frame_count - 1; i++)
      n += oh_frame_length_encode(s->frame_len[i], out + n, 2);
  if (s->self_delimited)
    n += oh_frame_length_encode(s->frame_len[s->frame_count - 1], out + n, 2);
  return n;
}

long oh_packet_write(const oh_packet_spec *spec, uint8_t *out, size_t cap,
                     oh_error *err) {
  int rc, i, padded;
  size_t need, pos = 0, chain = 0, frames = 0;
  oh_error_clear(err);
  rc = oh_spec_check(spec, err);
  if (rc != OH_OK) return rc;
  padded =
      spec->code == 3 && (spec->padding_len > 0 || spec->force_padding_flag);
  if (padded) chain = oh_padding_chain_len(spec->padding_len);
  for (i = 0; i < spec->frame_count; i++) frames += spec->frame_len[i];
  need = 1 + (spec->code == 3) + chain + oh_spec_length_fields(spec) + frames;
  /* The result is returned as a long; refuse anything that cannot be. */
  if (spec->padding_len > (size_t)LONG_MAX - need ||
      need + spec->padding_len > cap)
    return oh_fail(err, OH_ERR_LIMIT, OH_NO_OFFSET,
                   "packet needs %zu bytes plus %zu of padding, buffer has %zu",
                   need, spec->padding_len, cap);
  out[pos++] = oh_toc_encode(spec->config, spec->stereo, spec->code);
  if (spec->code == 3)
    out[pos++] = (uint8_t)((spec->vbr ? 0x80 : 0) | (padded ? 0x40 : 0) |
                           spec->frame_count);
  if (padded) pos += oh_write_padding_chain(spec->padding_len, out + pos);
  pos += oh_write_length_fields(spec, out + pos);
  for (i = 0; i < spec->frame_count; i++) {
    if (spec->frame_len[i])
      memcpy(out + pos, spec->frame_data[i], spec->frame_len[i]);
    pos += spec->frame_len[i];
  }
  memset(out + pos, 0, spec->padding_len);
  return (long)(pos + spec->padding_len);
}

void oh_packet_to_spec(const oh_packet *pkt, const uint8_t *data,
                       int self_delimited, oh_packet_spec *spec) {
  int i;
  memset(spec, 0, sizeof *spec);
  spec->config = pkt->toc.config;
  spec->stereo = pkt->toc.stereo;
  spec->code = pkt->toc.code;
  spec->vbr = pkt->vbr;
  spec->padding_len = pkt->padding_len;
  spec->force_padding_flag = pkt->padded;
  spec->self_delimited = self_delimited;
  spec->frame_count = pkt->frame_count;
  for (i = 0; i < pkt->frame_count; i++) {
    spec->frame_data[i] = data + pkt->frame_offset[i];
    spec->frame_len[i] = pkt->frame_len[i];
  }
}
