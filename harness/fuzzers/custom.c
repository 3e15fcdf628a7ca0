/* Fuzz target "custom": runs one OHS1 stream script (script.h) with api
 * OH_SCRIPT_CUSTOM against the Opus Custom API (opus_custom_mode_create,
 * opus_custom_decoder_*; libopus built with --enable-custom-modes); other
 * apis and unparsable inputs return at once.
 *
 * Input layout (OHS1 header): rate and custom_frame go to
 * opus_custom_mode_create as they are (legal: 8000..96000 Hz, an even frame
 * of 40..1024 samples, at least 1 ms, short blocks of at most 3.3 ms, radix
 * 2/3/5 only: celt/modes.c), channels to the decoder. frame_size: what each
 * 'P' record asks for, 0 = the mode's frame size (custom_frame); 'L' and 'F'
 * ask for their own frame_size, 0 = the mode's. Flags: OH_SCRIPT_F_FLOAT
 * decodes with opus_custom_decode_float, else opus_custom_decode;
 * OH_SCRIPT_F_DIFFERENTIAL runs a twin decoder in the other sample format;
 * bit 7 (CU_F_STATE_INIT) puts the decoders in caller buffers of exactly
 * opus_custom_decoder_get_size bytes (_init) instead of _create. Records:
 * 'P' decode; 'L' loss (NULL data); 'F' decodes its packet with its own
 * frame_size (Opus Custom has no FEC); 'C' a CTL; 'R' destroys decoder and
 * mode and re-creates both with the record's rate and channels.
 *
 * Checks: a mode exists only inside the documented ranges; a decoder exists
 * only for 1 or 2 channels; every decode returns an error or a count no
 * larger than asked that is the mode's frame size times a power of two
 * (short blocks of 1/8 .. 8 times), into a PCM buffer of exactly
 * frame_size x channels from a heap copy of exactly the packet (ASan sees
 * overruns); CTLs the custom decoder lacks (gain, bandwidth, sample rate,
 * last packet duration; complexity before libopus 1.5) return
 * OPUS_UNIMPLEMENTED and the others succeed or refuse bad values. With
 * OH_SCRIPT_F_DIFFERENTIAL the twin must return the same counts and CTL
 * answers, and the same samples to within one int16 step (float build:
 * int16 = round(float x 32768); fixed build: float = int16 / 32768).
 *
 * Known libopus 1.3.1 defects, avoided unless built with
 * -DCU_AVOID_KNOWN_BUGS=0 so the fuzzer can look past them, or run with
 * OPUSHUNT_CUSTOM_KNOWN_BUGS=1 in the environment (read once) so a replay
 * or triage of corpus/known-bugs/custom/ shows the defects themselves:
 *   - opus_custom_decoder_init accepts 0 channels (it checks channels < 0),
 *     and the next decode aborts in validate_celt_decoder (hardening
 *     assertion, on in Debian's libopus0 too): such decoders are not run;
 *   - opus_custom_decode[_float] with data != NULL and len == 0 reads data[0]
 *     (celt_decode_with_ec's signalling path) before checking len: 'P' and
 *     'F' records of length 0 are not run;
 *   - opus_custom_mode_create with a frame size that has a prime factor
 *     above 5 (documented as invalid) frees an uninitialised pointer when
 *     opus_fft_alloc_twiddles fails (kiss_fft.c): such modes are not made;
 *   - modes with more than 21 coded bands (effEBands; e.g. 48000/256,
 *     44100/512, 96000/1024) abort every decode on st->end <= 21 in
 *     validate_celt_decoder, and modes with 2.5 ms short blocks of fewer
 *     than 90 samples (8000/80, 16000/320, 24000/480, 32000/320, ...; bands
 *     past the short block) overflow the decoder's stack X buffer in
 *     quant_band (bands.c:1146: lowband_scratch at X + M*eBands[nbEBands - 1],
 *     upstream later effEBands - 1). No public call tells a mode's bands, so
 *     custom_modes.h predicts them from (rate, frame) as celt/modes.c makes
 *     them; such modes and their decoders are still made, take CTLs and are
 *     destroyed, but their 'P', 'L' and 'F' records are not run. The model
 *     must know every mode libopus makes (else the oracle fails: its answer
 *     would be a guess).
 *   - opus_custom_mode_create aborts on its own compute_ebands assertions
 *     (the last band must be the widest) for 1805 legal pairs between 9192
 *     and 18759 Hz (e.g. 9192/48): custom_modes.h predicts those too and
 *     such modes are not made.
 * Work is bounded by CU_MAX_RECORDS records, CU_MAX_RECREATE mode creations
 * and CU_BUDGET samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_custom.h>

#include "custom_modes.h"
#include "fuzz_target.h"
#include "fuzz_util.h"
#include "opushunt/script.h"

#ifndef CU_AVOID_KNOWN_BUGS
#define CU_AVOID_KNOWN_BUGS_DEFAULT 1
#else
#define CU_AVOID_KNOWN_BUGS_DEFAULT CU_AVOID_KNOWN_BUGS
#undef CU_AVOID_KNOWN_BUGS
#endif

/* The build's choice unless OPUSHUNT_CUSTOM_KNOWN_BUGS=1 asks to run into
 * the known defects. */
static int cu_avoid_known_bugs(void) {
  static int cached = -1;
  if (cached < 0) {
    const char *e = getenv("OPUSHUNT_CUSTOM_KNOWN_BUGS");
    cached = e && !strcmp(e, "1") ? 0 : CU_AVOID_KNOWN_BUGS_DEFAULT;
  }
  return cached;
}
#define CU_AVOID_KNOWN_BUGS (cu_avoid_known_bugs())

#define CU_NAME "custom"
#define CU_F_STATE_INIT (1 << 7)
#define CU_MAX_RECORDS 256
#define CU_MAX_RECREATE 8    /* mode creation computes FFT and MDCT tables */
#define CU_BUDGET 4000000L   /* samples written, over every decoder and call */
#define CU_CALL_COST 2048L   /* the fixed part of one decode call */

typedef struct cu_run {
  const oh_script_header *h;
  int use_float;
  int differential;
  long budget;
  int recreated;
  size_t rec_index;
  OpusCustomMode *mode;
  OpusCustomDecoder *dut;  /* the decoder under test */
  OpusCustomDecoder *twin; /* differential: the other sample format */
  int channels;
  int no_decode; /* the mode reaches a known decode defect: skip decodes */
} cu_run;

static OpusCustomDecoder *cu_new(const cu_run *r, int channels) {
  OpusCustomDecoder *d = NULL;
  int err = OPUS_INTERNAL_ERROR;
  if (r->h->flags & CU_F_STATE_INIT) {
    int size = opus_custom_decoder_get_size(r->mode, channels);
    if (size > 0 && (d = malloc((size_t)size)) != NULL &&
        opus_custom_decoder_init(d, r->mode, channels) != OPUS_OK) {
      free(d);
      d = NULL;
    }
    return d;
  }
  d = opus_custom_decoder_create(r->mode, channels, &err);
  if ((d != NULL) != (err == OPUS_OK))
    oh_fuzz_oracle_fail(CU_NAME, "decoder create returned %s with error %d",
                        d ? "a decoder" : "NULL", err);
  return d;
}

static void cu_free(const cu_run *r, OpusCustomDecoder *d) {
  if (!d) return;
  if (r->h->flags & CU_F_STATE_INIT)
    free(d);
  else
    opus_custom_decoder_destroy(d);
}

static void cu_close(cu_run *r) {
  cu_free(r, r->dut);
  cu_free(r, r->twin);
  opus_custom_mode_destroy(r->mode); /* a no-op for the built-in modes */
  r->dut = r->twin = NULL;
  r->mode = NULL;
  r->no_decode = 0;
}

static void cu_check_mode(const cu_run *r, opus_int32 rate, int err) {
  int frame = r->h->custom_frame;
  if ((r->mode != NULL) != (err == OPUS_OK))
    oh_fuzz_oracle_fail(CU_NAME, "mode create returned %s with error %d",
                        r->mode ? "a mode" : "NULL", err);
  if (r->mode && (rate < 8000 || rate > 96000 || frame < 40 || frame > 1024 || frame % 2))
    oh_fuzz_oracle_fail(CU_NAME, "a mode for %ld Hz, %d-sample frames", (long)rate, frame);
}

/* A frame size whose FFT needs a radix other than 2, 3, 4 or 5. */
static int cu_bad_radix(int frame) {
  int odd = frame;
  if (odd <= 0) return 0;
  while (odd % 2 == 0) odd /= 2;
  while (odd % 3 == 0) odd /= 3;
  while (odd % 5 == 0) odd /= 5;
  return odd != 1;
}

/* Whether opus_custom_mode_create(rate, frame) would abort on its own
 * compute_ebands assertions (known defect 6, custom_modes.h). */
static int cu_create_aborts(opus_int32 rate, int frame) {
  cu_mode_shape shape;
  return cu_mode_predict(rate, frame, &shape) == CU_MODE_CREATE_ABORTS;
}

/* Whether decoding with the mode just made for rate would hit the known
 * >21-band abort or the fold-scratch overflow (custom_modes.h). */
static int cu_mode_avoided(const cu_run *r, opus_int32 rate) {
  cu_mode_shape shape;
  int made = cu_mode_predict(rate, r->h->custom_frame, &shape);
  if (made != 1)
    oh_fuzz_oracle_fail(CU_NAME, "libopus made a %ld Hz, %d-sample mode the mode model %s",
                        (long)rate, r->h->custom_frame,
                        made < 0 ? "cannot describe" : "says it refuses");
  return cu_mode_defect(&shape) != CU_MODE_OK;
}

/* (Re)creates mode and decoders. Returns 0 to stop the run. */
static int cu_open(cu_run *r, opus_int32 rate, int channels) {
  int err = OPUS_INTERNAL_ERROR;
  cu_close(r);
  if (++r->recreated > CU_MAX_RECREATE) return 0;
  r->channels = channels;
  if (CU_AVOID_KNOWN_BUGS && cu_bad_radix(r->h->custom_frame)) return 1;
  if (CU_AVOID_KNOWN_BUGS && cu_create_aborts(rate, r->h->custom_frame)) return 1;
  r->mode = opus_custom_mode_create(rate, r->h->custom_frame, &err);
  cu_check_mode(r, rate, err);
  if (!r->mode) return 1;
  r->no_decode = CU_AVOID_KNOWN_BUGS && cu_mode_avoided(r, rate);
  r->dut = cu_new(r, channels);
  if (r->dut && CU_AVOID_KNOWN_BUGS && channels == 0) {
    cu_free(r, r->dut); /* known defect: 0 channels accepted, decode aborts */
    r->dut = NULL;
  }
  if ((r->dut != NULL) != (channels == 1 || channels == 2) &&
      !(CU_AVOID_KNOWN_BUGS && channels == 0))
    oh_fuzz_oracle_fail(CU_NAME, "%s a decoder of %d channels",
                        r->dut ? "created" : "refused", channels);
  if (r->dut && r->differential && !(r->twin = cu_new(r, channels))) return 0;
  return 1;
}

static size_t cu_sample_bytes(int use_float) {
  return use_float ? sizeof(float) : sizeof(opus_int16);
}

static int cu_decode(OpusCustomDecoder *d, int use_float, const unsigned char *pkt, size_t len,
                     void *pcm, int frame_size) {
  if (use_float) return opus_custom_decode_float(d, pkt, (int)len, pcm, frame_size);
  return opus_custom_decode(d, pkt, (int)len, pcm, frame_size);
}

/* a == b x 2^k for some k in -3..3: a frame of 1..8 short blocks. */
static int cu_pow2_related(int a, int b) {
  for (int k = 0; k <= 3; k++)
    if (a == b << k || (b % (1 << k) == 0 && a == b >> k)) return 1;
  return 0;
}

static void cu_check_count(const cu_run *r, int ret, int frame_size) {
  if (ret > frame_size || (frame_size <= 0 && ret >= 0) ||
      (ret > 0 && !cu_pow2_related(ret, r->h->custom_frame)))
    oh_fuzz_oracle_fail(CU_NAME, "record %zu: asked for %d samples of a %d-sample mode, "
                        "decode returned %d", r->rec_index, frame_size, r->h->custom_frame,
                        ret);
}

/* The twin's samples against the decoder under test's, to one int16 step. */
static void cu_compare(const cu_run *r, int n, const void *dut_pcm, const void *twin_pcm) {
  const opus_int16 *s = r->use_float ? twin_pcm : dut_pcm;
  const float *f = r->use_float ? dut_pcm : twin_pcm;
  for (long i = 0; i < (long)n * r->channels; i++) {
    float scaled = f[i] * 32768.f;
    if (scaled > 32767.f) scaled = 32767.f;
    if (scaled < -32768.f) scaled = -32768.f;
    if (!(fabsf(scaled - (float)s[i]) <= 1.f))
      oh_fuzz_oracle_fail(CU_NAME, "record %zu: sample %ld: int16 %d, float %g",
                          r->rec_index, i, s[i], (double)f[i]);
  }
}

static int cu_twin_step(const cu_run *r, const unsigned char *pkt, size_t len, int frame_size,
                        int want, const void *want_pcm) {
  void *pcm = oh_fuzz_alloc_exact((size_t)frame_size * r->channels * cu_sample_bytes(!r->use_float));
  int got;
  if (!pcm) return 0;
  got = cu_decode(r->twin, !r->use_float, pkt, len, pcm, frame_size);
  if (got != want)
    oh_fuzz_oracle_fail(CU_NAME, "record %zu: the %s twin returned %d, the decoder %d",
                        r->rec_index, r->use_float ? "int16" : "float", got, want);
  if (want > 0) cu_compare(r, want, want_pcm, pcm);
  oh_fuzz_release(pcm);
  return 1;
}

/* One 'P', 'L' or 'F' record. Returns 0 to stop the run. */
static int cu_run_decode(cu_run *r, const oh_script_record *rec) {
  int asked = rec->type == OH_SREC_PACKET ? r->h->frame_size : rec->frame_size;
  int frame_size = asked ? asked : r->h->custom_frame, want, ok = 1;
  size_t pcm_bytes = (size_t)frame_size * r->channels * cu_sample_bytes(r->use_float);
  unsigned char *pkt = NULL;
  void *pcm;
  if (r->no_decode) return 1; /* known defect: see the top of the file */
  if (rec->type != OH_SREC_LOSS && rec->len == 0 && CU_AVOID_KNOWN_BUGS) return 1;
  r->budget -= (r->differential ? 2 : 1) * ((long)frame_size * r->channels + CU_CALL_COST);
  if (r->budget < 0) return 0;
  if (rec->type != OH_SREC_LOSS) {
    if (!(pkt = oh_fuzz_alloc_exact(rec->len))) return 0;
    memcpy(pkt, rec->data, rec->len);
  }
  if (!(pcm = oh_fuzz_alloc_exact(pcm_bytes))) {
    oh_fuzz_release(pkt);
    return 0;
  }
  want = cu_decode(r->dut, r->use_float, pkt, rec->len, pcm, frame_size);
  cu_check_count(r, want, frame_size);
  if (r->twin) ok = cu_twin_step(r, pkt, rec->len, frame_size, want, pcm);
  oh_fuzz_release(pcm);
  oh_fuzz_release(pkt);
  return ok;
}

/* What a custom decoder must answer: it has no gain, bandwidth, sample rate,
 * last packet duration (nor complexity before 1.5); CU_ANY_RET: either. */
#define CU_ANY_RET 1
static int cu_expected(int ctl, opus_int32 v) {
  switch (ctl) {
  case OH_CTL_RESET_STATE:
  case OH_CTL_GET_FINAL_RANGE:
  case OH_CTL_GET_PITCH:
  case OH_CTL_GET_PHASE_INVERSION_DISABLED: return OPUS_OK;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED: return v == 0 || v == 1 ? OPUS_OK : OPUS_BAD_ARG;
  case OH_CTL_SET_COMPLEXITY:
    return oh_fuzz_complexity_unimplemented() ? OPUS_UNIMPLEMENTED : CU_ANY_RET;
  default: return OPUS_UNIMPLEMENTED;
  }
}

/* Runs a script CTL on a custom decoder, checks the documented return and
 * gives the answer (ret, value) for the twin comparison. */
static void cu_ctl(const cu_run *r, OpusCustomDecoder *d, const oh_script_record *rec,
                   int *ret, opus_uint32 *value) {
  opus_int32 v = rec->value, i = 0;
  int expect = cu_expected(rec->ctl, v);
  *value = 0;
  switch (rec->ctl) {
  case OH_CTL_RESET_STATE: *ret = opus_custom_decoder_ctl(d, OPUS_RESET_STATE); break;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED:
    *ret = opus_custom_decoder_ctl(d, OPUS_SET_PHASE_INVERSION_DISABLED(v));
    break;
  case OH_CTL_GET_FINAL_RANGE:
    *ret = opus_custom_decoder_ctl(d, OPUS_GET_FINAL_RANGE(value));
    break;
  case OH_CTL_GET_PITCH: *ret = opus_custom_decoder_ctl(d, OPUS_GET_PITCH(&i)); break;
  case OH_CTL_GET_PHASE_INVERSION_DISABLED:
    *ret = opus_custom_decoder_ctl(d, OPUS_GET_PHASE_INVERSION_DISABLED(&i));
    break;
  case OH_CTL_SET_GAIN: *ret = opus_custom_decoder_ctl(d, OPUS_SET_GAIN(v)); break;
  case OH_CTL_SET_COMPLEXITY: *ret = opus_custom_decoder_ctl(d, OPUS_SET_COMPLEXITY(v)); break;
  case OH_CTL_GET_BANDWIDTH: *ret = opus_custom_decoder_ctl(d, OPUS_GET_BANDWIDTH(&i)); break;
  case OH_CTL_GET_SAMPLE_RATE: *ret = opus_custom_decoder_ctl(d, OPUS_GET_SAMPLE_RATE(&i)); break;
  case OH_CTL_GET_LAST_PACKET_DURATION:
    *ret = opus_custom_decoder_ctl(d, OPUS_GET_LAST_PACKET_DURATION(&i));
    break;
  default: *ret = opus_custom_decoder_ctl(d, OPUS_GET_GAIN(&i)); break; /* OH_CTL_GET_GAIN */
  }
  if (i) *value = (opus_uint32)i;
  if (*ret != expect && expect != CU_ANY_RET)
    oh_fuzz_oracle_fail(CU_NAME, "record %zu: %s(%ld) returned %d, expected %d", r->rec_index,
                        oh_script_ctl_name(rec->ctl), (long)v, *ret, expect);
}

static void cu_run_ctl(const cu_run *r, const oh_script_record *rec) {
  int ret, twin_ret;
  opus_uint32 value, twin_value;
  cu_ctl(r, r->dut, rec, &ret, &value);
  if (!r->twin) return;
  cu_ctl(r, r->twin, rec, &twin_ret, &twin_value);
  if (ret != twin_ret || value != twin_value)
    oh_fuzz_oracle_fail(CU_NAME, "record %zu: %s: the twin answered (%d, %lu), the decoder "
                        "(%d, %lu)", r->rec_index, oh_script_ctl_name(rec->ctl), twin_ret,
                        (unsigned long)twin_value, ret, (unsigned long)value);
}

static int cu_run_record(cu_run *r, const oh_script_record *rec) {
  if (rec->type == OH_SREC_RECREATE) return cu_open(r, (opus_int32)rec->rate, rec->channels);
  if (!r->dut) return 1; /* nothing to run until a valid 'R' */
  if (rec->type == OH_SREC_CTL) {
    cu_run_ctl(r, rec);
    return 1;
  }
  return cu_run_decode(r, rec);
}

int oh_fuzz_custom(const uint8_t *data, size_t size) {
  oh_script s;
  cu_run r;
  if (oh_script_parse(data, size, 0, &s, NULL) != OH_OK) return 0;
  if (s.h.api != OH_SCRIPT_CUSTOM) {
    oh_script_free(&s);
    return 0;
  }
  memset(&r, 0, sizeof r);
  r.h = &s.h;
  r.use_float = (s.h.flags & OH_SCRIPT_F_FLOAT) != 0;
  r.differential = (s.h.flags & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  r.budget = CU_BUDGET;
  if (cu_open(&r, (opus_int32)s.h.rate, s.h.channels))
    for (r.rec_index = 0; r.rec_index < s.nrecs && r.rec_index < CU_MAX_RECORDS; r.rec_index++)
      if (!cu_run_record(&r, &s.recs[r.rec_index]) || r.budget < 0) break;
  cu_close(&r);
  oh_script_free(&s);
  return 0;
}
