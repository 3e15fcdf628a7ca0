/* Fuzz target "multistream": runs one OHS1 stream script (script.h) with api
 * OH_SCRIPT_MULTISTREAM against opus_multistream_decoder_*; other apis and
 * unparsable inputs return at once.
 *
 * Input layout (OHS1 header): rate, channels, streams and coupled go to
 * libopus as they are; the extra bytes are the channel mapping (channels
 * bytes: a short table is completed with 255 = silent channel, a long one is
 * cut; any values, so invalid layouts reach the error paths); family is not
 * passed to libopus (it only names the table's shape for mutators). Flags:
 *   OH_SCRIPT_F_FLOAT         decode with _decode_float, else int16;
 *   OH_SCRIPT_F_DIFFERENTIAL  run the differential checks below;
 *   OH_SCRIPT_F_SELF_DELIMITED changes nothing here: libopus always reads all
 *                             but the last stream as self-delimited; the flag
 *                             only tells mutators and generators to build
 *                             packets that way;
 *   bit 7 (MS_F_STATE_INIT)   the decoders live in caller buffers of exactly
 *                             opus_multistream_decoder_get_size bytes (_init)
 *                             instead of _create.
 * Records: 'P' decode, 'L' loss (NULL data), 'F' FEC decode (decode_fec 1),
 * 'C' a CTL, 'R' destroy and re-create with the record's rate and channels
 * (streams, coupled and mapping stay the header's).
 *
 * Checks: create/init accepts exactly the layouts and rates the API
 * documents; every decode returns an error or at most the frame_size asked
 * for (and at most 120 ms), writing into a PCM buffer of exactly
 * frame_size x channels and reading a heap copy of exactly the packet, so
 * ASan sees any overrun; CTLs answer as documented (unsupported ones
 * OPUS_UNIMPLEMENTED, OPUS_SET_COMPLEXITY too before libopus 1.5;
 * OPUS_MULTISTREAM_GET_DECODER_STATE OPUS_BAD_ARG for a
 * stream index out of range, else a state that answers the same GET).
 * With OH_SCRIPT_F_DIFFERENTIAL, two more decoders run in step:
 *   - "rt", same layout, decodes each packet after
 *     opus_multistream_packet_pad(len + k) then _unpad: same return values,
 *     samples bit for bit and CTL answers as the decoder under test;
 *   - "ref", a plain opus_decoder, when the layout is one stream mapped as
 *     the identity (mono uncoupled [0], or stereo coupled [0 1]): the same
 *     again. The multistream decoder clamps frame_size to 120 ms, so ref is
 *     asked for the clamped size; on an FEC record whose packet is longer
 *     than frame_size the multistream decoder refuses (OPUS_BUFFER_TOO_SMALL)
 *     where opus_decode conceals instead (or refuses with another code when
 *     frame_size is not a multiple of 2.5 ms), a documented difference after
 *     which ref is out of step and no longer compared until the next 'R'.
 * Work is bounded by MS_MAX_RECORDS records and MS_BUDGET (decoder states
 * created, samples decoded per stream and written per channel). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_multistream.h>

#include "fuzz_target.h"
#include "fuzz_util.h"
#include "opushunt/script.h"

#define MS_NAME "multistream"
#define MS_F_STATE_INIT (1 << 7)
#define MS_MAX_RECORDS 256
/* Work units of about 45 ns on the plain build: one 48 kHz sample decoded
 * by one stream, or written to one channel. The budget is about 70 ms. */
#define MS_BUDGET 1500000L
#define MS_CREATE_COST 1500L /* per stream state, at every (re)creation */

typedef struct ms_state {
  OpusMSDecoder *dut; /* the decoder under test */
  OpusMSDecoder *rt;  /* differential: decodes pad/unpad round trips */
  OpusDecoder *ref;   /* differential, identity layout: a plain decoder */
  int ref_in_step;    /* ref has seen what dut has seen */
  opus_int32 rate;
  int channels;
} ms_state;

typedef struct ms_run {
  const oh_script_header *h;
  int use_float;
  int differential;
  long budget;
  size_t rec_index;
  ms_state st;
} ms_run;

/* A CTL's outcome, for comparing decoders. */
typedef struct ms_answer {
  int ret;
  opus_int32 value;
} ms_answer;

static int ms_rate_valid(opus_int32 rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

/* What opus_multistream_decoder_create documents as a valid layout. */
static int ms_layout_valid(int channels, int streams, int coupled,
                           const unsigned char *mapping) {
  if (channels < 1 || channels > 255 || streams < 1 || coupled < 0 || coupled > streams ||
      streams + coupled > 255)
    return 0;
  for (int i = 0; i < channels; i++)
    if (mapping[i] != 255 && mapping[i] >= streams + coupled) return 0;
  return 1;
}

/* The header's mapping as a table of exactly channels bytes. */
static unsigned char *ms_mapping(const oh_script_header *h, int channels) {
  unsigned char *m = oh_fuzz_alloc_exact(channels > 0 ? (size_t)channels : 0);
  if (!m) return NULL;
  for (int i = 0; i < channels; i++)
    m[i] = (size_t)i < h->extra_len ? h->extra[i] : 255;
  return m;
}

static OpusMSDecoder *ms_new(const oh_script_header *h, opus_int32 rate, int channels,
                             const unsigned char *mapping) {
  OpusMSDecoder *d;
  int err = OPUS_INTERNAL_ERROR;
  if (h->flags & MS_F_STATE_INIT) {
    opus_int32 size = opus_multistream_decoder_get_size(h->streams, h->coupled);
    if (size <= 0) return NULL;
    d = malloc((size_t)size);
    if (d && opus_multistream_decoder_init(d, rate, channels, h->streams, h->coupled,
                                           mapping) != OPUS_OK) {
      free(d);
      d = NULL;
    }
    return d;
  }
  d = opus_multistream_decoder_create(rate, channels, h->streams, h->coupled, mapping, &err);
  if ((d != NULL) != (err == OPUS_OK))
    oh_fuzz_oracle_fail(MS_NAME, "create returned %s with error %d", d ? "a decoder" : "NULL",
                        err);
  return d;
}

static void ms_free(const oh_script_header *h, OpusMSDecoder *d) {
  if (!d) return;
  if (h->flags & MS_F_STATE_INIT)
    free(d);
  else
    opus_multistream_decoder_destroy(d);
}

static void ms_close(ms_run *r) {
  ms_free(r->h, r->st.dut);
  ms_free(r->h, r->st.rt);
  if (r->st.ref) opus_decoder_destroy(r->st.ref);
  memset(&r->st, 0, sizeof r->st);
}

static int ms_is_identity(const oh_script_header *h, int channels, const unsigned char *m) {
  if (h->streams != 1) return 0;
  if (channels == 1) return h->coupled == 0 && m[0] == 0;
  return channels == 2 && h->coupled == 1 && m[0] == 0 && m[1] == 1;
}

/* (Re)creates every decoder for rate and channels. Returns 0 to stop the
 * run (over budget, out of memory), else 1, also when libopus rightly
 * refused. */
static int ms_open(ms_run *r, opus_int32 rate, int channels) {
  unsigned char *map;
  int valid;
  ms_close(r);
  r->budget -= MS_CREATE_COST * (r->h->streams + 1) * (r->differential ? 3 : 1);
  if (r->budget < 0 || !(map = ms_mapping(r->h, channels))) return 0;
  r->st.rate = rate;
  r->st.channels = channels;
  valid = ms_rate_valid(rate) &&
          ms_layout_valid(channels, r->h->streams, r->h->coupled, map);
  r->st.dut = ms_new(r->h, rate, channels, map);
  if (r->st.dut && !valid)
    oh_fuzz_oracle_fail(MS_NAME, "accepted rate %ld, %d channels, %d streams, %d coupled "
                        "with an invalid mapping or rate", (long)rate, channels,
                        r->h->streams, r->h->coupled);
  if (!r->st.dut && valid)
    oh_fuzz_oracle_fail(MS_NAME, "refused a valid layout: rate %ld, %d channels, %d streams, "
                        "%d coupled", (long)rate, channels, r->h->streams, r->h->coupled);
  if (r->st.dut && r->differential) {
    int err;
    r->st.rt = ms_new(r->h, rate, channels, map);
    if (ms_is_identity(r->h, channels, map))
      r->st.ref = opus_decoder_create(rate, channels, &err);
    r->st.ref_in_step = r->st.ref != NULL;
  }
  oh_fuzz_release(map);
  return !r->st.dut || !r->differential || r->st.rt; /* rt NULL: out of memory */
}

/* A PCM buffer of exactly frame_size x channels samples. */
static void *ms_pcm(const ms_run *r, int frame_size, int channels) {
  size_t n = (size_t)(frame_size > 0 ? frame_size : 0) * (size_t)channels;
  size_t bytes = n * (r->use_float ? sizeof(float) : sizeof(opus_int16));
  return oh_fuzz_alloc_exact(bytes);
}

static int ms_decode(const ms_run *r, OpusMSDecoder *d, const unsigned char *pkt,
                     size_t len, void *pcm, int frame_size, int fec) {
  if (r->use_float)
    return opus_multistream_decode_float(d, pkt, (opus_int32)len, pcm, frame_size, fec);
  return opus_multistream_decode(d, pkt, (opus_int32)len, pcm, frame_size, fec);
}

static int ref_decode(const ms_run *r, const unsigned char *pkt, size_t len, void *pcm,
                      int frame_size, int fec) {
  if (r->use_float)
    return opus_decode_float(r->st.ref, pkt, (opus_int32)len, pcm, frame_size, fec);
  return opus_decode(r->st.ref, pkt, (opus_int32)len, pcm, frame_size, fec);
}

static size_t ms_sample_bytes(const ms_run *r) {
  return r->use_float ? sizeof(float) : sizeof(opus_int16);
}

/* Another decoder (who) returned got where the decoder under test returned
 * want: they must be equal, and so must the first want x channels samples. */
static void ms_compare(const ms_run *r, const char *who, int want, int got, const void *a,
                       const void *b) {
  if (want != got)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: %s returned %d, the multistream decoder %d",
                        r->rec_index, who, got, want);
  if (want > 0 && memcmp(a, b, (size_t)want * (size_t)r->st.channels * ms_sample_bytes(r)))
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: %s decoded %d samples differently",
                        r->rec_index, who, want);
}

/* pad to len + k, then unpad: the packet rt decodes, as an exact heap copy,
 * or a copy of the original when libopus refuses to pad it, which it may
 * only do for a packet the decoder under test refused too (want <= 0). */
static unsigned char *ms_round_trip(const ms_run *r, const unsigned char *pkt, size_t len,
                                    int want, size_t *out_len) {
  size_t k = 1 + (len + r->rec_index) % 513; /* crosses the 255-byte padding steps */
  unsigned char *buf = oh_fuzz_alloc_exact(len + k), *out;
  opus_int32 n;
  *out_len = len;
  if (!buf) return NULL;
  if (len) memcpy(buf, pkt, len);
  n = opus_multistream_packet_pad(buf, (opus_int32)len, (opus_int32)(len + k), r->h->streams);
  if (n != OPUS_OK && want > 0 && len > 0)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: pad %zu -> %zu refused (%ld) a packet the "
                        "decoder accepted", r->rec_index, len, len + k, (long)n);
  if (n != OPUS_OK) {
    oh_fuzz_release(buf);
    return oh_fuzz_copy_exact(pkt, len, len);
  }
  n = opus_multistream_packet_unpad(buf, (opus_int32)(len + k), r->h->streams);
  if (n <= 0 || (size_t)n > len)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: unpad after pad %zu -> %zu returned %ld",
                        r->rec_index, len, len + k, (long)n);
  out = oh_fuzz_copy_exact(buf, (size_t)n, (size_t)n);
  oh_fuzz_release(buf);
  *out_len = (size_t)n;
  return out;
}

/* The request a script CTL maps to. */
static int ms_request(int ctl) {
  switch (ctl) {
  case OH_CTL_SET_GAIN: return OPUS_SET_GAIN_REQUEST;
  case OH_CTL_RESET_STATE: return OPUS_RESET_STATE;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED: return OPUS_SET_PHASE_INVERSION_DISABLED_REQUEST;
  case OH_CTL_GET_FINAL_RANGE: return OPUS_GET_FINAL_RANGE_REQUEST;
  case OH_CTL_GET_BANDWIDTH: return OPUS_GET_BANDWIDTH_REQUEST;
  case OH_CTL_GET_SAMPLE_RATE: return OPUS_GET_SAMPLE_RATE_REQUEST;
  case OH_CTL_GET_PITCH: return OPUS_GET_PITCH_REQUEST;
  case OH_CTL_GET_LAST_PACKET_DURATION: return OPUS_GET_LAST_PACKET_DURATION_REQUEST;
  case OH_CTL_GET_GAIN: return OPUS_GET_GAIN_REQUEST;
  case OH_CTL_GET_PHASE_INVERSION_DISABLED: return OPUS_GET_PHASE_INVERSION_DISABLED_REQUEST;
  default: return OPUS_SET_COMPLEXITY_REQUEST; /* OH_CTL_SET_COMPLEXITY */
  }
}

static int ms_is_get(int ctl) {
  return ctl != OH_CTL_SET_GAIN && ctl != OH_CTL_RESET_STATE &&
         ctl != OH_CTL_SET_PHASE_INVERSION_DISABLED && ctl != OH_CTL_SET_COMPLEXITY;
}

/* What the decoder under test must return for this CTL (ms level);
 * MS_ANY_RET when libopus 1.5 or later may answer either way. */
#define MS_ANY_RET 1
static int ms_expected(int ctl, opus_int32 v) {
  switch (ctl) {
  case OH_CTL_SET_GAIN: return v >= -32768 && v <= 32767 ? OPUS_OK : OPUS_BAD_ARG;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED: return v == 0 || v == 1 ? OPUS_OK : OPUS_BAD_ARG;
  case OH_CTL_GET_PITCH: return OPUS_UNIMPLEMENTED;
  case OH_CTL_SET_COMPLEXITY:
    return oh_fuzz_complexity_unimplemented() ? OPUS_UNIMPLEMENTED : MS_ANY_RET;
  default: return OPUS_OK;
  }
}

/* One GET or SET on a plain decoder (a multistream stream state or ref). */
static ms_answer dec_ctl(OpusDecoder *d, int ctl, opus_int32 v) {
  ms_answer a = {0, 0};
  int req = ms_request(ctl);
  if (ctl == OH_CTL_GET_FINAL_RANGE) {
    opus_uint32 u = 0;
    a.ret = opus_decoder_ctl(d, req, &u);
    a.value = (opus_int32)u;
  } else if (ctl == OH_CTL_RESET_STATE) {
    a.ret = opus_decoder_ctl(d, req);
  } else if (ms_is_get(ctl)) {
    a.ret = opus_decoder_ctl(d, req, &a.value);
  } else {
    a.ret = opus_decoder_ctl(d, req, v);
  }
  return a;
}

static ms_answer ms_ctl_level(OpusMSDecoder *d, int ctl, opus_int32 v) {
  ms_answer a = {0, 0};
  int req = ms_request(ctl);
  if (ctl == OH_CTL_GET_FINAL_RANGE) {
    opus_uint32 u = 0;
    a.ret = opus_multistream_decoder_ctl(d, req, &u);
    a.value = (opus_int32)u;
  } else if (ctl == OH_CTL_RESET_STATE) {
    a.ret = opus_multistream_decoder_ctl(d, req);
  } else if (ms_is_get(ctl)) {
    a.ret = opus_multistream_decoder_ctl(d, req, &a.value);
  } else {
    a.ret = opus_multistream_decoder_ctl(d, req, v);
  }
  return a;
}

/* The state of stream `stream`, checking GET_DECODER_STATE's range rule. */
static OpusDecoder *ms_stream(const ms_run *r, OpusMSDecoder *d, opus_int32 stream) {
  OpusDecoder *sd = NULL;
  int in_range = stream >= 0 && stream < r->h->streams;
  int ret = opus_multistream_decoder_ctl(d, OPUS_MULTISTREAM_GET_DECODER_STATE(stream, &sd));
  if (ret != (in_range ? OPUS_OK : OPUS_BAD_ARG) || (ret == OPUS_OK && !sd))
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: GET_DECODER_STATE(%ld) of %d streams "
                        "returned %d", r->rec_index, (long)stream, r->h->streams, ret);
  return ret == OPUS_OK ? sd : NULL;
}

/* Runs one CTL on a multistream decoder, checks the documented answer and
 * returns what to compare: for GET_PITCH, which the multistream decoder does
 * not implement, the pitch of stream 0 read through GET_DECODER_STATE. A GET
 * also runs on stream `value` when that index is valid. */
static ms_answer ms_ctl(const ms_run *r, OpusMSDecoder *d, const oh_script_record *rec) {
  ms_answer a = ms_ctl_level(d, rec->ctl, rec->value);
  int expected = ms_expected(rec->ctl, rec->value);
  if (a.ret != expected && expected != MS_ANY_RET)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: %s(%ld) returned %d, expected %d",
                        r->rec_index, oh_script_ctl_name(rec->ctl), (long)rec->value, a.ret,
                        expected);
  if (rec->ctl == OH_CTL_GET_SAMPLE_RATE && a.value != r->st.rate)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: sample rate %ld, created with %ld",
                        r->rec_index, (long)a.value, (long)r->st.rate);
  if (ms_is_get(rec->ctl)) {
    OpusDecoder *sd = ms_stream(r, d, rec->value);
    if (sd && dec_ctl(sd, rec->ctl, 0).ret != OPUS_OK)
      oh_fuzz_oracle_fail(MS_NAME, "record %zu: %s on stream %ld failed", r->rec_index,
                          oh_script_ctl_name(rec->ctl), (long)rec->value);
  }
  if (rec->ctl == OH_CTL_GET_PITCH) a = dec_ctl(ms_stream(r, d, 0), rec->ctl, 0);
  return a;
}

static void ms_compare_answer(const ms_run *r, const char *who, ms_answer want,
                              ms_answer got, int ctl) {
  if (want.ret != got.ret || want.value != got.value)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: %s: %s answered (%d, %ld), the multistream "
                        "decoder (%d, %ld)", r->rec_index, oh_script_ctl_name(ctl), who,
                        got.ret, (long)got.value, want.ret, (long)want.value);
}

static void ms_run_ctl(ms_run *r, const oh_script_record *rec) {
  ms_answer want = ms_ctl(r, r->st.dut, rec);
  if (r->st.rt) ms_compare_answer(r, "rt", want, ms_ctl(r, r->st.rt, rec), rec->ctl);
  if (r->st.ref && r->st.ref_in_step) {
    ms_compare_answer(r, "ref", want, dec_ctl(r->st.ref, rec->ctl, rec->value), rec->ctl);
  }
}

static void ms_check_count(const ms_run *r, int ret, int frame_size) {
  if (ret > frame_size || ret > r->st.rate / 25 * 3)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: decoded %d samples, asked for %d at %ld Hz",
                        r->rec_index, ret, frame_size, (long)r->st.rate);
  if (frame_size <= 0 && ret != OPUS_BAD_ARG)
    oh_fuzz_oracle_fail(MS_NAME, "record %zu: frame_size %d returned %d, not OPUS_BAD_ARG",
                        r->rec_index, frame_size, ret);
}

/* The ref decoder on the same input; marks ref out of step after the
 * documented FEC difference instead of comparing. */
static int ms_ref_step(ms_run *r, const unsigned char *pkt, size_t len, int frame_size,
                       int fec, int want, const void *want_pcm) {
  int fs = frame_size < r->st.rate / 25 * 3 ? frame_size : r->st.rate / 25 * 3;
  void *pcm = ms_pcm(r, fs, r->st.channels);
  int got;
  if (!pcm) return 0;
  got = ref_decode(r, pkt, len, pcm, fs, fec);
  if (fec && len && want == OPUS_BUFFER_TOO_SMALL) {
    if (got > 0) r->st.ref_in_step = 0; /* ref concealed; dut refused */
  } else {
    ms_compare(r, "ref (opus_decode)", want, got, want_pcm, pcm);
  }
  oh_fuzz_release(pcm);
  return 1;
}

static int ms_rt_step(ms_run *r, const unsigned char *pkt, size_t len, int frame_size,
                      int fec, int want, const void *want_pcm) {
  size_t rt_len = 0;
  unsigned char *rt_pkt = pkt ? ms_round_trip(r, pkt, len, want, &rt_len) : NULL;
  void *pcm = ms_pcm(r, frame_size, r->st.channels);
  int ok = pcm && (rt_pkt || !pkt);
  if (ok)
    ms_compare(r, "rt (pad/unpad)", want,
               ms_decode(r, r->st.rt, rt_pkt, rt_len, pcm, frame_size, fec), want_pcm, pcm);
  oh_fuzz_release(rt_pkt);
  oh_fuzz_release(pcm);
  return ok;
}

/* What one decode call of every decoder costs: at most 120 ms decoded per
 * stream (counted in 48 kHz samples: libopus decodes at 48 kHz inside) and
 * frame_size samples written per channel. */
static long ms_cost(const ms_run *r, int frame_size) {
  long fs = frame_size > 0 ? frame_size : 0, max = r->st.rate / 25 * 3;
  long decoded48 = (fs < max ? fs : max) * (48000 / r->st.rate);
  long decoders = r->differential ? 3 : 1;
  return decoders * (decoded48 * (r->h->streams + r->h->coupled) + fs * r->st.channels);
}

/* One 'P', 'L' or 'F' record. Returns 0 to stop the run. */
static int ms_run_decode(ms_run *r, const oh_script_record *rec, int frame_size) {
  int fec = rec->type == OH_SREC_FEC, want, ok = 1;
  unsigned char *pkt = NULL;
  void *pcm;
  if ((r->budget -= ms_cost(r, frame_size)) < 0) return 0;
  if (rec->type != OH_SREC_LOSS && !(pkt = oh_fuzz_copy_exact(rec->data, rec->len, rec->len))) return 0;
  pcm = ms_pcm(r, frame_size, r->st.channels);
  if (!pcm) {
    oh_fuzz_release(pkt);
    return 0;
  }
  want = ms_decode(r, r->st.dut, pkt, rec->len, pcm, frame_size, fec);
  ms_check_count(r, want, frame_size);
  if (r->st.rt) ok = ms_rt_step(r, pkt, rec->len, frame_size, fec, want, pcm);
  if (ok && r->st.ref && r->st.ref_in_step)
    ok = ms_ref_step(r, pkt, rec->len, frame_size, fec, want, pcm);
  oh_fuzz_release(pcm);
  oh_fuzz_release(pkt);
  return ok;
}

static int ms_run_record(ms_run *r, const oh_script *s, const oh_script_record *rec) {
  if (rec->type == OH_SREC_RECREATE) return ms_open(r, (opus_int32)rec->rate, rec->channels);
  if (!r->st.dut) return 1; /* nothing to run until a valid 'R' */
  if (rec->type == OH_SREC_CTL) {
    ms_run_ctl(r, rec);
    return 1;
  }
  return ms_run_decode(r, rec, oh_script_frame_size(s, rec));
}

int oh_fuzz_multistream(const uint8_t *data, size_t size) {
  oh_script s;
  ms_run r;
  if (oh_script_parse(data, size, 0, &s, NULL) != OH_OK) return 0;
  if (s.h.api != OH_SCRIPT_MULTISTREAM) {
    oh_script_free(&s);
    return 0;
  }
  memset(&r, 0, sizeof r);
  r.h = &s.h;
  r.use_float = (s.h.flags & OH_SCRIPT_F_FLOAT) != 0;
  r.differential = (s.h.flags & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  r.budget = MS_BUDGET;
  if (ms_open(&r, (opus_int32)s.h.rate, s.h.channels))
    for (r.rec_index = 0; r.rec_index < s.nrecs && r.rec_index < MS_MAX_RECORDS; r.rec_index++)
      if (!ms_run_record(&r, &s, &s.recs[r.rec_index]) || r.budget < 0) break;
  ms_close(&r);
  oh_script_free(&s);
  return 0;
}
