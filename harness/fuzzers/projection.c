/* Fuzz target "projection": runs one OHS1 stream script (script.h) with api
 * OH_SCRIPT_PROJECTION against opus_projection_decoder_* (ambisonics,
 * mapping family 3: channels (order+1)^2 [+2]); other apis and unparsable
 * inputs return at once.
 *
 * Input layout (OHS1 header): rate, channels, streams and coupled go to
 * libopus as they are; the extra bytes are the demixing matrix, passed with
 * its own length (libopus wants exactly 2 x channels x (streams + coupled)
 * bytes: any other length must be refused); family is not passed to libopus.
 * Flags: OH_SCRIPT_F_FLOAT decodes with _decode_float, else int16;
 * OH_SCRIPT_F_DIFFERENTIAL runs the round-trip check below; bit 7
 * (PJ_F_STATE_INIT) puts the decoders in caller buffers of exactly
 * opus_projection_decoder_get_size bytes (_init) instead of _create.
 * Records: 'P' decode, 'L' loss (NULL data), 'F' FEC decode (decode_fec 1),
 * 'C' a CTL (projection decoders answer the multistream decoder CTLs,
 * OPUS_MULTISTREAM_GET_DECODER_STATE included), 'R' destroy and re-create
 * with the record's rate and channels (the rest stays the header's).
 *
 * Checks: create/init accepts exactly the documented configurations (valid
 * rate and stream counts, the exact matrix length, at most streams + coupled
 * output channels, a matrix of at most 65004 bytes); every decode returns an
 * error or at most the frame_size asked for (and at most 120 ms) into a PCM
 * buffer of exactly frame_size x channels from a heap copy of exactly the
 * packet (ASan sees overruns); CTLs answer as documented (unsupported ones
 * OPUS_UNIMPLEMENTED, OPUS_SET_COMPLEXITY too before libopus 1.5; a stream
 * index out of range OPUS_BAD_ARG). With OH_SCRIPT_F_DIFFERENTIAL a second
 * decoder ("rt") decodes every packet after opus_multistream_packet_pad
 * (len + k) then _unpad with the header's stream count, and must return the
 * same values, samples bit for bit and CTL answers. Work is bounded by
 * PJ_MAX_RECORDS records and PJ_BUDGET (states created, samples decoded per
 * stream, demixing multiply-adds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_multistream.h>
#include <opus_projection.h>

#include "fuzz_target.h"
#include "fuzz_util.h"
#include "opushunt/script.h"

#define PJ_NAME "projection"
#define PJ_F_STATE_INIT (1 << 7)
#define PJ_MAX_RECORDS 256
/* Work units of about 45 ns on the plain build: one 48 kHz sample decoded
 * by one stream, or 32 multiply-adds of the demixing. About 70 ms. */
#define PJ_BUDGET 1500000L
#define PJ_CREATE_COST 1500L   /* per stream state, at every (re)creation */
#define PJ_MAX_MATRIX 65004    /* bytes: mapping_matrix_get_size's limit */

typedef struct pj_run {
  const oh_script_header *h;
  int use_float;
  int differential;
  long budget;
  size_t rec_index;
  OpusProjectionDecoder *dut; /* the decoder under test */
  OpusProjectionDecoder *rt;  /* differential: decodes pad/unpad round trips */
  opus_int32 rate;
  int channels;
} pj_run;

/* What the API documents as a valid configuration. */
static int pj_config_valid(const oh_script_header *h, opus_int32 rate, int channels) {
  long coded = (long)h->streams + h->coupled;
  if (rate != 8000 && rate != 12000 && rate != 16000 && rate != 24000 && rate != 48000)
    return 0;
  if (channels < 1 || channels > 255 || h->streams < 1 || h->coupled < 0 ||
      h->coupled > h->streams || coded > 255 || channels > coded)
    return 0;
  return h->extra_len == (size_t)(2 * channels * coded) && h->extra_len <= PJ_MAX_MATRIX;
}

static OpusProjectionDecoder *pj_new(const pj_run *r, opus_int32 rate, int channels) {
  const oh_script_header *h = r->h;
  unsigned char *matrix = oh_fuzz_copy_exact(h->extra, h->extra_len, h->extra_len);
  OpusProjectionDecoder *d = NULL;
  int err = OPUS_INTERNAL_ERROR;
  if (!matrix) return NULL;
  if (h->flags & PJ_F_STATE_INIT) {
    opus_int32 size = opus_projection_decoder_get_size(channels, h->streams, h->coupled);
    if (size > 0 && (d = malloc((size_t)size)) != NULL &&
        opus_projection_decoder_init(d, rate, channels, h->streams, h->coupled, matrix,
                                     (opus_int32)h->extra_len) != OPUS_OK) {
      free(d);
      d = NULL;
    }
  } else {
    d = opus_projection_decoder_create(rate, channels, h->streams, h->coupled, matrix,
                                       (opus_int32)h->extra_len, &err);
    if ((d != NULL) != (err == OPUS_OK))
      oh_fuzz_oracle_fail(PJ_NAME, "create returned %s with error %d",
                          d ? "a decoder" : "NULL", err);
  }
  oh_fuzz_release(matrix);
  return d;
}

static void pj_free(const pj_run *r, OpusProjectionDecoder *d) {
  if (!d) return;
  if (r->h->flags & PJ_F_STATE_INIT)
    free(d);
  else
    opus_projection_decoder_destroy(d);
}

static void pj_close(pj_run *r) {
  pj_free(r, r->dut);
  pj_free(r, r->rt);
  r->dut = r->rt = NULL;
}

/* (Re)creates the decoders. Returns 0 to stop the run (over budget, out of
 * memory). */
static int pj_open(pj_run *r, opus_int32 rate, int channels) {
  int valid = pj_config_valid(r->h, rate, channels);
  pj_close(r);
  r->budget -= PJ_CREATE_COST * (r->h->streams + 1) * (r->differential ? 2 : 1);
  if (r->budget < 0) return 0;
  r->rate = rate;
  r->channels = channels;
  r->dut = pj_new(r, rate, channels);
  if ((r->dut != NULL) != valid)
    oh_fuzz_oracle_fail(PJ_NAME, "%s rate %ld, %d channels, %d streams, %d coupled, a "
                        "%zu-byte matrix", r->dut ? "accepted" : "refused", (long)rate,
                        channels, r->h->streams, r->h->coupled, r->h->extra_len);
  if (r->dut && r->differential) r->rt = pj_new(r, rate, channels);
  return !r->dut || !r->differential || r->rt;
}

static size_t pj_sample_bytes(const pj_run *r) {
  return r->use_float ? sizeof(float) : sizeof(opus_int16);
}

/* A PCM buffer of exactly frame_size x channels samples. */
static void *pj_pcm(const pj_run *r, int frame_size) {
  size_t bytes = (size_t)(frame_size > 0 ? frame_size : 0) * (size_t)r->channels *
                 pj_sample_bytes(r);
  return oh_fuzz_alloc_exact(bytes);
}

static int pj_decode(const pj_run *r, OpusProjectionDecoder *d, const unsigned char *pkt,
                     size_t len, void *pcm, int frame_size, int fec) {
  if (r->use_float)
    return opus_projection_decode_float(d, pkt, (opus_int32)len, pcm, frame_size, fec);
  return opus_projection_decode(d, pkt, (opus_int32)len, pcm, frame_size, fec);
}

/* pad to len + k then unpad, as an exact heap copy; a copy of the original
 * when libopus refuses to pad, which it may only do for a packet the
 * decoder under test refused too (want <= 0). */
static unsigned char *pj_round_trip(const pj_run *r, const unsigned char *pkt, size_t len,
                                    int want, size_t *out_len) {
  size_t k = 1 + (len + r->rec_index) % 513; /* crosses the 255-byte padding steps */
  unsigned char *buf = oh_fuzz_alloc_exact(len + k), *out;
  opus_int32 n;
  *out_len = len;
  if (!buf) return NULL;
  if (len) memcpy(buf, pkt, len);
  n = opus_multistream_packet_pad(buf, (opus_int32)len, (opus_int32)(len + k), r->h->streams);
  if (n != OPUS_OK && want > 0 && len > 0)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: pad %zu -> %zu refused (%ld) a packet the "
                        "decoder accepted", r->rec_index, len, len + k, (long)n);
  if (n != OPUS_OK) {
    oh_fuzz_release(buf);
    return oh_fuzz_copy_exact(pkt, len, len);
  }
  n = opus_multistream_packet_unpad(buf, (opus_int32)(len + k), r->h->streams);
  if (n <= 0 || (size_t)n > len)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: unpad after pad %zu -> %zu returned %ld",
                        r->rec_index, len, len + k, (long)n);
  out = oh_fuzz_copy_exact(buf, (size_t)n, (size_t)n);
  oh_fuzz_release(buf);
  *out_len = (size_t)n;
  return out;
}

static int pj_rt_step(const pj_run *r, const unsigned char *pkt, size_t len, int frame_size,
                      int fec, int want, const void *want_pcm) {
  size_t rt_len = 0;
  unsigned char *rt_pkt = pkt ? pj_round_trip(r, pkt, len, want, &rt_len) : NULL;
  void *pcm = pj_pcm(r, frame_size);
  int ok = pcm && (rt_pkt || !pkt), got;
  if (ok) {
    got = pj_decode(r, r->rt, rt_pkt, rt_len, pcm, frame_size, fec);
    if (got != want)
      oh_fuzz_oracle_fail(PJ_NAME, "record %zu: the pad/unpad round trip decoded to %d, "
                          "the original to %d", r->rec_index, got, want);
    if (want > 0 && memcmp(want_pcm, pcm, (size_t)want * r->channels * pj_sample_bytes(r)))
      oh_fuzz_oracle_fail(PJ_NAME, "record %zu: the pad/unpad round trip decoded %d "
                          "samples differently", r->rec_index, want);
  }
  oh_fuzz_release(rt_pkt);
  oh_fuzz_release(pcm);
  return ok;
}

/* One decode call of every decoder: at most 120 ms per stream (in 48 kHz
 * samples) plus the demixing, frame_size x channels x channels
 * multiply-adds. */
static long pj_cost(const pj_run *r, int frame_size) {
  long fs = frame_size > 0 ? frame_size : 0, max = r->rate / 25 * 3;
  long decoded48 = (fs < max ? fs : max) * (48000 / r->rate);
  long coded = r->h->streams + r->h->coupled, ch = r->channels;
  return (r->differential ? 2 : 1) * (decoded48 * coded + fs * ch * ch / 32 + fs * ch);
}

/* One 'P', 'L' or 'F' record. Returns 0 to stop the run. */
static int pj_run_decode(pj_run *r, const oh_script_record *rec, int frame_size) {
  int fec = rec->type == OH_SREC_FEC, want, ok = 1;
  unsigned char *pkt = NULL;
  void *pcm;
  if ((r->budget -= pj_cost(r, frame_size)) < 0) return 0;
  if (rec->type != OH_SREC_LOSS && !(pkt = oh_fuzz_copy_exact(rec->data, rec->len, rec->len))) return 0;
  if (!(pcm = pj_pcm(r, frame_size))) {
    oh_fuzz_release(pkt);
    return 0;
  }
  want = pj_decode(r, r->dut, pkt, rec->len, pcm, frame_size, fec);
  if (want > frame_size || want > r->rate / 25 * 3 || (frame_size <= 0 && want != OPUS_BAD_ARG))
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: frame_size %d at %ld Hz returned %d",
                        r->rec_index, frame_size, (long)r->rate, want);
  if (r->rt) ok = pj_rt_step(r, pkt, rec->len, frame_size, fec, want, pcm);
  oh_fuzz_release(pcm);
  oh_fuzz_release(pkt);
  return ok;
}

/* The request a script CTL maps to and what a projection decoder must
 * answer (PJ_ANY_RET: either way); *is_get tells whether the request
 * writes through a pointer. */
#define PJ_ANY_RET 1
static int pj_request(int ctl, opus_int32 v, int *expect, int *is_get) {
  *expect = OPUS_OK;
  *is_get = 1;
  switch (ctl) {
  case OH_CTL_SET_GAIN:
    *is_get = 0;
    *expect = v >= -32768 && v <= 32767 ? OPUS_OK : OPUS_BAD_ARG;
    return OPUS_SET_GAIN_REQUEST;
  case OH_CTL_RESET_STATE: *is_get = 0; return OPUS_RESET_STATE;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED:
    *is_get = 0;
    *expect = v == 0 || v == 1 ? OPUS_OK : OPUS_BAD_ARG;
    return OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST;
  case OH_CTL_GET_FINAL_RANGE: return OPUS_GET_FINAL_RANGE_REQUEST;
  case OH_CTL_GET_BANDWIDTH: return OPUS_GET_BANDWIDTH_REQUEST;
  case OH_CTL_GET_SAMPLE_RATE: return OPUS_GET_SAMPLE_RATE_REQUEST;
  case OH_CTL_GET_PITCH: *expect = OPUS_UNIMPLEMENTED; return OPUS_GET_PITCH_REQUEST;
  case OH_CTL_GET_LAST_PACKET_DURATION: return OPUS_GET_LAST_PACKET_DURATION_REQUEST;
  case OH_CTL_GET_GAIN: return OPUS_GET_GAIN_REQUEST;
  case OH_CTL_GET_PHASE_INVERSION_DISABLED: return OPUS_GET_PHASE_INVERSION_DISABLED_REQUEST;
  default: /* OH_CTL_SET_COMPLEXITY: not a decoder CTL */
    *is_get = 0;
    *expect = oh_fuzz_complexity_unimplemented() ? OPUS_UNIMPLEMENTED : PJ_ANY_RET;
    return OPUS_SET_COMPLEXITY_REQUEST;
  }
}

/* A GET on stream `stream` through OPUS_MULTISTREAM_GET_DECODER_STATE,
 * which must refuse an index out of range and give a state that answers. */
static void pj_stream_get(const pj_run *r, OpusProjectionDecoder *d, int req,
                          opus_int32 stream) {
  OpusDecoder *sd = NULL;
  int in_range = stream >= 0 && stream < r->h->streams;
  opus_uint32 u = 0;
  opus_int32 i = 0;
  int ret = opus_projection_decoder_ctl(d, OPUS_MULTISTREAM_GET_DECODER_STATE(stream, &sd));
  if (ret != (in_range ? OPUS_OK : OPUS_BAD_ARG) || (ret == OPUS_OK && !sd))
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: GET_DECODER_STATE(%ld) of %d streams "
                        "returned %d", r->rec_index, (long)stream, r->h->streams, ret);
  if (sd && req == OPUS_GET_FINAL_RANGE_REQUEST)
    ret = opus_decoder_ctl(sd, req, &u);
  else if (sd)
    ret = opus_decoder_ctl(sd, req, &i);
  if (sd && ret != OPUS_OK)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: request %d on stream %ld returned %d",
                        r->rec_index, req, (long)stream, ret);
}

/* Runs a CTL and returns its answer (ret, value) for comparison. */
static void pj_ctl(const pj_run *r, OpusProjectionDecoder *d, const oh_script_record *rec,
                   int *ret, opus_uint32 *value) {
  int expect, is_get, req = pj_request(rec->ctl, rec->value, &expect, &is_get);
  opus_int32 i = 0;
  *value = 0;
  if (rec->ctl == OH_CTL_RESET_STATE) {
    *ret = opus_projection_decoder_ctl(d, req);
  } else if (req == OPUS_GET_FINAL_RANGE_REQUEST) {
    *ret = opus_projection_decoder_ctl(d, req, value);
  } else if (is_get) {
    *ret = opus_projection_decoder_ctl(d, req, &i);
    *value = (opus_uint32)i;
  } else
    *ret = opus_projection_decoder_ctl(d, req, rec->value);
  if (*ret != expect && expect != PJ_ANY_RET)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: %s(%ld) returned %d, expected %d",
                        r->rec_index, oh_script_ctl_name(rec->ctl), (long)rec->value, *ret,
                        expect);
  if (rec->ctl == OH_CTL_GET_SAMPLE_RATE && (opus_int32)*value != r->rate)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: sample rate %lu, created with %ld",
                        r->rec_index, (unsigned long)*value, (long)r->rate);
  if (is_get) pj_stream_get(r, d, req, rec->value);
}

static void pj_run_ctl(const pj_run *r, const oh_script_record *rec) {
  int ret, rt_ret;
  opus_uint32 value, rt_value;
  pj_ctl(r, r->dut, rec, &ret, &value);
  if (!r->rt) return;
  pj_ctl(r, r->rt, rec, &rt_ret, &rt_value);
  if (ret != rt_ret || value != rt_value)
    oh_fuzz_oracle_fail(PJ_NAME, "record %zu: %s: the round-trip decoder answered (%d, %lu), "
                        "the decoder under test (%d, %lu)", r->rec_index,
                        oh_script_ctl_name(rec->ctl), rt_ret, (unsigned long)rt_value, ret,
                        (unsigned long)value);
}

static int pj_run_record(pj_run *r, const oh_script *s, const oh_script_record *rec) {
  if (rec->type == OH_SREC_RECREATE) return pj_open(r, (opus_int32)rec->rate, rec->channels);
  if (!r->dut) return 1; /* nothing to run until a valid 'R' */
  if (rec->type == OH_SREC_CTL) {
    pj_run_ctl(r, rec);
    return 1;
  }
  return pj_run_decode(r, rec, oh_script_frame_size(s, rec));
}

int oh_fuzz_projection(const uint8_t *data, size_t size) {
  oh_script s;
  pj_run r;
  if (oh_script_parse(data, size, 0, &s, NULL) != OH_OK) return 0;
  if (s.h.api != OH_SCRIPT_PROJECTION) {
    oh_script_free(&s);
    return 0;
  }
  memset(&r, 0, sizeof r);
  r.h = &s.h;
  r.use_float = (s.h.flags & OH_SCRIPT_F_FLOAT) != 0;
  r.differential = (s.h.flags & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  r.budget = PJ_BUDGET;
  if (pj_open(&r, (opus_int32)s.h.rate, s.h.channels))
    for (r.rec_index = 0; r.rec_index < s.nrecs && r.rec_index < PJ_MAX_RECORDS; r.rec_index++)
      if (!pj_run_record(&r, &s, &s.recs[r.rec_index]) || r.budget < 0) break;
  pj_close(&r);
  oh_script_free(&s);
  return 0;
}
