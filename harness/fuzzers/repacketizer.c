/* Fuzz target "repacketizer": runs one OHS1 stream script (script.h) with
 * api OH_SCRIPT_REPACKETIZER against opus_repacketizer_*, opus_packet_pad /
 * _unpad and opus_multistream_packet_pad / _unpad; other apis and
 * unparsable inputs return at once.
 *
 * Input layout (OHS1 header): channels: the decoders of the decode check
 * (1 or 2, else no decode check); streams: the stream count given to the
 * multistream pad/unpad calls (0 exercises their error path); frame_size:
 * the padding amount k of the pad checks (0 = varying, 1..513); flags:
 * OH_SCRIPT_F_DIFFERENTIAL runs the decode check; bit 7 (RP_F_STATE_INIT)
 * starts with a repacketizer in a caller buffer of exactly
 * opus_repacketizer_get_size bytes (_init), else _create; every 'R' flips
 * between the two. rate, coupled, family and extra are ignored. Records:
 *   'P', 'F'  the packet is checked alone (pad/unpad) and then given to
 *             opus_repacketizer_cat; when the repacketizer refuses a valid
 *             packet (another TOC, or past 120 ms) what it holds is flushed
 *             and the packet catted again into the empty repacketizer;
 *   'C'       ctl % 3 picks: 0 opus_repacketizer_out_range(begin, end),
 *             1 opus_repacketizer_out, 2 flush; value: begin = signed byte 3,
 *             end = signed byte 2, maxlen = bytes 1..0 (0 = exactly what the
 *             output needs; smaller is too small);
 *   'L'       flush;  'R'  flush, destroy, re-create.
 * A flush takes opus_repacketizer_out of everything held, checks it, and
 * re-inits; the end of the script flushes too.
 *
 * Checks: cat accepts exactly the valid packets that share the first TOC's
 * upper six bits and keep the total at most 120 ms, and get_nb_frames counts
 * what was accepted; out_range refuses a bad range with OPUS_BAD_ARG, writes
 * nothing past maxlen (exact heap buffers), refuses a too small maxlen with
 * OPUS_BUFFER_TOO_SMALL and otherwise returns the same bytes; every output
 * parses the same with opus_packet_parse and oh_packet_parse (which must
 * also agree on every input packet), has the frames asked for, byte for
 * byte; opus_packet_pad(len + k) of a valid packet succeeds, is len + k
 * bytes with the same frames, and _unpad gives back at most len bytes with
 * the same frames; the multistream variants do the same stream by stream.
 * The decode check: a fresh 48 kHz decoder decoding the held packets one by
 * one (opus_decode_float, no soft clipping) and another decoding the
 * repacketized packet must produce the same samples bit for bit: every
 * frame goes through the same opus_decode_frame call with the same decoder
 * state, since a repacketizer only merges frames of one TOC configuration.
 * Work is bounded by RP_MAX_RECORDS records and RP_BUDGET. */
#include <stdlib.h>
#include <string.h>

#include <opus.h>
#include <opus_multistream.h>

#include "fuzz_target.h"
#include "fuzz_util.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"

#define RP_NAME "repacketizer"
#define RP_F_STATE_INIT (1 << 7)
#define RP_MAX_RECORDS 256
#define RP_MAX_SAMPLES 5760 /* 120 ms at 48 kHz */
/* Packet bytes handled plus 48 kHz samples decoded: about 100 ms of work
 * on the plain build. */
#define RP_BUDGET 400000L
#define RP_RECORD_COST 64L

typedef struct rp_frames {
  int count;
  const unsigned char *data[OH_MAX_FRAMES];
  opus_int16 len[OH_MAX_FRAMES];
} rp_frames;

typedef struct rp_run {
  const oh_script_header *h;
  int differential;
  long budget;
  size_t rec_index;
  OpusRepacketizer *rp;
  int rp_in_caller_buffer;
  int recreations;
  /* The packets catted since the last flush (the repacketizer points into
   * them) and their frames in order. */
  unsigned char *held[OH_MAX_FRAMES];
  opus_int32 held_len[OH_MAX_FRAMES];
  int nheld;
  rp_frames frames;
  unsigned char first_toc;
} rp_run;

/* ---- Parsing: libopus and opushunt must agree ---------------------------- */

/* Parses a whole (not self-delimited) packet both ways; returns the frame
 * count (0 when invalid) and fills f from libopus's answer. */
static int rp_parse(const rp_run *r, const unsigned char *p, opus_int32 len, rp_frames *f) {
  unsigned char toc;
  oh_packet pkt;
  int n = len > 0 ? opus_packet_parse(p, len, &toc, f->data, f->len, NULL) : OPUS_INVALID_PACKET;
  int oh = oh_packet_parse(p, (size_t)len, 0, &pkt, NULL, NULL);
  f->count = n > 0 ? n : 0;
  if ((n > 0) != (oh == OH_OK))
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: opus_packet_parse says %d, oh_packet_parse %d "
                        "for a %ld-byte packet", r->rec_index, n, oh, (long)len);
  if (n <= 0) return 0;
  if (pkt.frame_count != n || pkt.packet_len != (size_t)len)
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: %d frames in %ld bytes, oh_packet_parse %d "
                        "frames in %zu", r->rec_index, n, (long)len, pkt.frame_count,
                        pkt.packet_len);
  for (int i = 0; i < n; i++)
    if (pkt.frame_len[i] != (size_t)f->len[i] || p + pkt.frame_offset[i] != f->data[i])
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: frame %d: libopus %d bytes at %ld, "
                          "oh_packet_parse %zu at %zu", r->rec_index, i, f->len[i],
                          (long)(f->data[i] - p), pkt.frame_len[i], pkt.frame_offset[i]);
  return n;
}

/* Frames a[first..first+count) equal b's frames, byte for byte. */
static int rp_same_frames(const rp_frames *a, int first, int count, const rp_frames *b) {
  if (b->count != count) return 0;
  for (int i = 0; i < count; i++)
    if (a->len[first + i] != b->len[i] ||
        memcmp(a->data[first + i], b->data[i], (size_t)b->len[i]) != 0)
      return 0;
  return 1;
}

/* ---- Single-stream pad / unpad ------------------------------------------- */

static size_t rp_pad_amount(const rp_run *r, size_t len) {
  return r->h->frame_size ? (size_t)r->h->frame_size : 1 + (len + r->rec_index) % 513;
}

static void rp_check_unpad(const rp_run *r, const unsigned char *p, opus_int32 len,
                           const rp_frames *orig) {
  unsigned char *c = oh_fuzz_copy_exact(p, (size_t)len, (size_t)len);
  rp_frames f;
  opus_int32 n;
  if (!c) return;
  n = opus_packet_unpad(c, len);
  if ((n > 0) != (orig->count > 0) || n > len)
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: unpad of a %s %ld-byte packet returned %ld",
                        r->rec_index, orig->count ? "valid" : "invalid", (long)len, (long)n);
  if (n > 0 && (!rp_parse(r, c, n, &f) || !rp_same_frames(orig, 0, orig->count, &f)))
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: unpad changed the frames", r->rec_index);
  oh_fuzz_release(c);
}

/* pad(len + k) then unpad, on a buffer of exactly len + k bytes. */
static void rp_check_pad(const rp_run *r, const unsigned char *p, opus_int32 len,
                         const rp_frames *orig) {
  size_t k = rp_pad_amount(r, (size_t)len);
  opus_int32 new_len = len + (opus_int32)k, n;
  unsigned char *c = oh_fuzz_copy_exact(p, (size_t)len, (size_t)new_len);
  rp_frames f;
  int ret;
  if (!c) return;
  ret = opus_packet_pad(c, len, new_len);
  if ((ret == OPUS_OK) != (orig->count > 0))
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: pad %ld -> %ld of a %s packet returned %d",
                        r->rec_index, (long)len, (long)new_len,
                        orig->count ? "valid" : "invalid", ret);
  if (ret == OPUS_OK) {
    if (!rp_parse(r, c, new_len, &f) || !rp_same_frames(orig, 0, orig->count, &f))
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: pad changed the frames", r->rec_index);
    n = opus_packet_unpad(c, new_len);
    if (n <= 0 || n > len || !rp_parse(r, c, n, &f) || !rp_same_frames(orig, 0, orig->count, &f))
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: unpad after pad %ld -> %ld returned %ld "
                          "or other frames", r->rec_index, (long)len, (long)new_len, (long)n);
  }
  oh_fuzz_release(c);
}

/* ---- Multistream pad / unpad --------------------------------------------- */

/* Walks `streams` streams (all but the last self-delimited) with
 * oh_packet_parse; returns the bytes they take, 0 when one is invalid. */
static size_t rp_ms_len(const unsigned char *p, size_t len, int streams) {
  size_t off = 0;
  for (int s = 0; s < streams; s++) {
    oh_packet pkt;
    if (off >= len || oh_packet_parse(p + off, len - off, s < streams - 1, &pkt, NULL, NULL))
      return 0;
    off += pkt.packet_len;
  }
  return off;
}

/* Stream by stream, a and b carry the same frames. */
static int rp_ms_same(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen,
                      int streams) {
  for (int s = 0; s < streams; s++) {
    oh_packet pa, pb;
    int sd = s < streams - 1;
    if (oh_packet_parse(a, alen, sd, &pa, NULL, NULL) ||
        oh_packet_parse(b, blen, sd, &pb, NULL, NULL) || pa.frame_count != pb.frame_count ||
        (pa.toc.byte & 0xFC) != (pb.toc.byte & 0xFC))
      return 0;
    for (int i = 0; i < pa.frame_count; i++)
      if (pa.frame_len[i] != pb.frame_len[i] ||
          memcmp(a + pa.frame_offset[i], b + pb.frame_offset[i], pa.frame_len[i]))
        return 0;
    a += pa.packet_len, alen -= pa.packet_len;
    b += pb.packet_len, blen -= pb.packet_len;
  }
  return 1;
}

static void rp_check_ms_pad(const rp_run *r, const unsigned char *p, opus_int32 len) {
  int streams = r->h->streams, valid, ret;
  size_t k = rp_pad_amount(r, (size_t)len);
  opus_int32 new_len = len + (opus_int32)k, n;
  unsigned char *c = oh_fuzz_copy_exact(p, (size_t)len, (size_t)new_len);
  if (!c) return;
  if (streams < 1) {
    /* 1.3.1 returns 0 (no streams, no bytes) rather than an error. */
    if ((n = opus_multistream_packet_unpad(c, len, streams)) > 0)
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: unpad with %d streams returned %ld",
                          r->rec_index, streams, (long)n);
    oh_fuzz_release(c);
    return;
  }
  valid = len > 0 && rp_ms_len(p, (size_t)len, streams) != 0;
  ret = opus_multistream_packet_pad(c, len, new_len, streams);
  if ((ret == OPUS_OK) != valid)
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: multistream pad (%d streams) of a %s packet "
                        "returned %d", r->rec_index, streams, valid ? "valid" : "invalid", ret);
  if (ret == OPUS_OK) {
    if (!rp_ms_same(p, (size_t)len, c, (size_t)new_len, streams) ||
        rp_ms_len(c, (size_t)new_len, streams) != (size_t)new_len)
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: multistream pad changed the frames",
                          r->rec_index);
    n = opus_multistream_packet_unpad(c, new_len, streams);
    if (n <= 0 || n > len || !rp_ms_same(p, (size_t)len, c, (size_t)n, streams))
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: multistream unpad after pad returned %ld or "
                          "other frames", r->rec_index, (long)n);
  }
  oh_fuzz_release(c);
}

/* ---- The repacketizer ---------------------------------------------------- */

static int rp_create(rp_run *r) {
  r->rp_in_caller_buffer = ((r->h->flags & RP_F_STATE_INIT) != 0) ^ (r->recreations & 1);
  if (!r->rp_in_caller_buffer) return (r->rp = opus_repacketizer_create()) != NULL;
  r->rp = malloc((size_t)opus_repacketizer_get_size());
  return r->rp && opus_repacketizer_init(r->rp) == r->rp;
}

static void rp_drop_held(rp_run *r) {
  for (int i = 0; i < r->nheld; i++) oh_fuzz_release(r->held[i]);
  r->nheld = 0;
  r->frames.count = 0;
}

static void rp_destroy(rp_run *r) {
  rp_drop_held(r);
  if (r->rp_in_caller_buffer)
    free(r->rp);
  else
    opus_repacketizer_destroy(r->rp);
  r->rp = NULL;
}

/* An upper bound of out_range's output size: a code 3 VBR header plus
 * every frame with a two-byte length. */
static opus_int32 rp_bound(const rp_run *r, int begin, int end) {
  opus_int32 n = 2;
  for (int i = begin; i < end; i++) n += 2 + r->frames.len[i];
  return n;
}

/* ---- The decode check ---------------------------------------------------- */

/* Decodes packets in order on one fresh 48 kHz decoder into pcm (room for
 * RP_MAX_SAMPLES); returns the samples per channel, or an error. */
static int rp_decode(int channels, unsigned char *const *pkts, const opus_int32 *lens, int n,
                     float *pcm) {
  int err, total = 0;
  OpusDecoder *d = opus_decoder_create(48000, channels, &err);
  if (!d) return OPUS_ALLOC_FAIL;
  for (int i = 0; i < n && total >= 0; i++) {
    float *out = oh_fuzz_alloc_exact(sizeof(float) * RP_MAX_SAMPLES * (size_t)channels);
    int ret = out ? opus_decode_float(d, pkts[i], lens[i], out, RP_MAX_SAMPLES, 0)
                  : OPUS_ALLOC_FAIL;
    if (ret > 0 && total + ret > RP_MAX_SAMPLES) ret = OPUS_INTERNAL_ERROR;
    if (ret > 0) memcpy(pcm + (size_t)total * channels, out, sizeof(float) * ret * channels);
    total = ret > 0 ? total + ret : ret;
    oh_fuzz_release(out);
  }
  opus_decoder_destroy(d);
  return total;
}

static void rp_decode_check(rp_run *r, unsigned char *out, opus_int32 out_len) {
  int ch = r->h->channels, a, b;
  size_t bytes = sizeof(float) * RP_MAX_SAMPLES * (size_t)(ch > 0 ? ch : 1);
  float *pcm_a, *pcm_b;
  if (!r->differential || (ch != 1 && ch != 2)) return;
  r->budget -= 2L * RP_MAX_SAMPLES * ch;
  pcm_a = oh_fuzz_alloc_exact(bytes);
  pcm_b = oh_fuzz_alloc_exact(bytes);
  if (pcm_a && pcm_b) {
    a = rp_decode(ch, r->held, r->held_len, r->nheld, pcm_a);
    b = rp_decode(ch, &out, &out_len, 1, pcm_b);
    if (a == OPUS_ALLOC_FAIL || b == OPUS_ALLOC_FAIL) {
      /* out of memory: nothing to compare */
    } else if ((a < 0) != (b < 0) || (a > 0 && a != b)) {
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: the held packets decode to %d samples, the "
                          "repacketized packet to %d", r->rec_index, a, b);
    } else if (a > 0 && memcmp(pcm_a, pcm_b, sizeof(float) * (size_t)a * ch)) {
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: the repacketized packet decodes %d samples "
                          "differently", r->rec_index, a);
    }
  }
  oh_fuzz_release(pcm_a);
  oh_fuzz_release(pcm_b);
}

/* ---- Output --------------------------------------------------------------- */

/* out_range(begin, end) into a buffer of exactly maxlen bytes (0: exactly
 * what it needs); the whole range also runs the decode check. */
static void rp_out(rp_run *r, int begin, int end, opus_int32 maxlen, int whole) {
  int valid = begin >= 0 && begin < end && end <= r->frames.count;
  opus_int32 bound = valid ? rp_bound(r, begin, end) : 1, need, got;
  unsigned char *scratch = oh_fuzz_alloc_exact((size_t)bound), *out;
  rp_frames f;
  if (!scratch) return;
  need = whole ? opus_repacketizer_out(r->rp, scratch, bound)
               : opus_repacketizer_out_range(r->rp, begin, end, scratch, bound);
  if (!valid || need <= 0 || need > bound) {
    if (valid || need != OPUS_BAD_ARG)
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: out_range(%d, %d) of %d frames returned %ld",
                          r->rec_index, begin, end, r->frames.count, (long)need);
    oh_fuzz_release(scratch);
    return;
  }
  if (rp_parse(r, scratch, need, &f) != end - begin ||
      !rp_same_frames(&r->frames, begin, end - begin, &f) ||
      (scratch[0] & 0xFC) != (r->first_toc & 0xFC))
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: out_range(%d, %d) gave %d frames, or other "
                        "frames or TOC", r->rec_index, begin, end, f.count);
  if (maxlen <= 0) maxlen = need;
  if ((out = oh_fuzz_alloc_exact((size_t)maxlen)) != NULL) {
    got = opus_repacketizer_out_range(r->rp, begin, end, out, maxlen);
    if (maxlen >= need ? got != need || memcmp(out, scratch, (size_t)need)
                       : got != OPUS_BUFFER_TOO_SMALL)
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: out_range(%d, %d) into %ld bytes returned "
                          "%ld (needs %ld)", r->rec_index, begin, end, (long)maxlen, (long)got,
                          (long)need);
    oh_fuzz_release(out);
  }
  if (begin == 0 && end == r->frames.count) rp_decode_check(r, scratch, need);
  oh_fuzz_release(scratch);
}

static void rp_flush(rp_run *r) {
  if (r->frames.count)
    rp_out(r, 0, r->frames.count, 0, 1);
  else
    rp_out(r, 0, 0, 1, 1); /* nothing held: must be refused */
  rp_drop_held(r);
  opus_repacketizer_init(r->rp);
}

/* ---- Records --------------------------------------------------------------- */

/* Whether cat must accept a packet of `count` frames (0: invalid). */
static int rp_cat_expected(const rp_run *r, const unsigned char *p, int count) {
  int dur48;
  if (count <= 0) return 0;
  dur48 = opus_packet_get_samples_per_frame(p, 48000);
  if (r->frames.count && (p[0] & 0xFC) != (r->first_toc & 0xFC)) return 0;
  return (r->frames.count + count) * dur48 <= RP_MAX_SAMPLES;
}

/* Cats a held copy; returns what cat returned. */
static int rp_cat(rp_run *r, unsigned char *c, opus_int32 len, const rp_frames *f) {
  int expected = rp_cat_expected(r, c, f->count), ret = opus_repacketizer_cat(r->rp, c, len);
  if ((ret == OPUS_OK) != expected)
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: cat of a %d-frame packet onto %d frames "
                        "returned %d", r->rec_index, f->count, r->frames.count, ret);
  if (ret != OPUS_OK) return ret;
  if (r->frames.count == 0) r->first_toc = c[0];
  for (int i = 0; i < f->count; i++) {
    r->frames.data[r->frames.count + i] = f->data[i];
    r->frames.len[r->frames.count + i] = f->len[i];
  }
  r->frames.count += f->count;
  r->held[r->nheld] = c;
  r->held_len[r->nheld++] = len;
  if (opus_repacketizer_get_nb_frames(r->rp) != r->frames.count)
    oh_fuzz_oracle_fail(RP_NAME, "record %zu: get_nb_frames %d, %d frames catted",
                        r->rec_index, opus_repacketizer_get_nb_frames(r->rp), r->frames.count);
  return ret;
}

static int rp_run_packet(rp_run *r, const oh_script_record *rec) {
  opus_int32 len = (opus_int32)rec->len;
  unsigned char *c = oh_fuzz_copy_exact(rec->data, rec->len, rec->len);
  rp_frames f;
  if (!c) return 0;
  r->budget -= RP_RECORD_COST + 3L * (len + (long)rp_pad_amount(r, rec->len));
  rp_parse(r, c, len, &f);
  rp_check_unpad(r, c, len, &f);
  rp_check_pad(r, c, len, &f);
  rp_check_ms_pad(r, c, len);
  if (rp_cat(r, c, len, &f) != OPUS_OK && f.count > 0 && r->frames.count > 0) {
    rp_flush(r); /* another TOC or past 120 ms: start a new packet */
    if (rp_cat(r, c, len, &f) != OPUS_OK)
      oh_fuzz_oracle_fail(RP_NAME, "record %zu: an empty repacketizer refused a valid packet",
                          r->rec_index);
    return 1;
  }
  if (r->nheld == 0 || r->held[r->nheld - 1] != c) oh_fuzz_release(c);
  return 1;
}

static void rp_run_ctl(rp_run *r, const oh_script_record *rec) {
  uint32_t v = (uint32_t)rec->value;
  int begin = (int8_t)(v >> 24), end = (int8_t)(v >> 16);
  opus_int32 maxlen = (opus_int32)(v & 0xFFFF);
  switch (rec->ctl % 3) {
  case 0: rp_out(r, begin, end, maxlen, 0); break;
  case 1: rp_out(r, 0, r->frames.count, maxlen, 1); break;
  default: rp_flush(r); break;
  }
}

static int rp_run_record(rp_run *r, const oh_script_record *rec) {
  r->budget -= RP_RECORD_COST;
  switch (rec->type) {
  case OH_SREC_PACKET:
  case OH_SREC_FEC: return rp_run_packet(r, rec);
  case OH_SREC_CTL: rp_run_ctl(r, rec); return 1;
  case OH_SREC_LOSS: rp_flush(r); return 1;
  default: /* OH_SREC_RECREATE */
    rp_flush(r);
    rp_destroy(r);
    r->recreations++;
    return rp_create(r);
  }
}

int oh_fuzz_repacketizer(const uint8_t *data, size_t size) {
  oh_script s;
  rp_run r;
  if (oh_script_parse(data, size, 0, &s, NULL) != OH_OK) return 0;
  if (s.h.api != OH_SCRIPT_REPACKETIZER) {
    oh_script_free(&s);
    return 0;
  }
  memset(&r, 0, sizeof r);
  r.h = &s.h;
  r.differential = (s.h.flags & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  r.budget = RP_BUDGET;
  if (rp_create(&r)) {
    for (r.rec_index = 0; r.rec_index < s.nrecs && r.rec_index < RP_MAX_RECORDS; r.rec_index++)
      if (!rp_run_record(&r, &s.recs[r.rec_index]) || r.budget < 0) break;
    if (r.rp) rp_flush(&r);
  }
  if (r.rp) rp_destroy(&r);
  oh_script_free(&s);
  return 0;
}
