/* Fuzz target "stream": an OHS1 stream script (opushunt/script.h) with api
 * "decoder", run against opus_decoder_* one record after another.
 *
 * Input: an OHS1 script, parsed leniently (the records before the first
 * malformed one run); any other api, or no valid header, returns at once.
 * The header's rate and channels go to opus_decoder_create as they are:
 * invalid ones exercise the create error path and end the run. Records:
 *   'P' decode the packet with the header's frame size (0: 120 ms at the
 *       header's rate; oh_script_frame_size);
 *   'L' a loss: decode(NULL, 0, frame_size), any frame_size, legal or not;
 *   'F' decode_fec = 1 on the packet, with the record's frame_size;
 *   'C' a CTL (oh_script_ctl; unknown numbers are skipped);
 *   'R' destroy and re-create with the record's rate and channels (when
 *       that fails, decode and CTL records are skipped until the next 'R').
 * Output buffers hold exactly frame_size x channels samples (AddressSanitizer
 * sees a write past them). The decoder writes float when the header sets
 * OH_SCRIPT_F_FLOAT or OH_SCRIPT_F_DIFFERENTIAL, else int16.
 *
 * Bounded work: every input may spend WORK_BUDGET_48K units, one unit one
 * sample per channel per decoder at 48 kHz (a call at 8 kHz counts 6 per
 * sample, as libopus synthesises at 48 kHz inside). A decode call costs the
 * samples it can synthesise (a normal call at most its packet's duration);
 * creating or resetting a decoder costs INIT_COST_48K, about what it takes
 * (4096 'R' records otherwise take 230 ms). The run stops at the first
 * record that would overspend. The slowest inputs tried (2000 records of
 * 120 ms random hybrid or CELT packets, 4096 re-creations or resets, test
 * vector scripts) take at most 30 ms of CPU on the plain build, 56 ms with
 * ASan.
 *
 * Checks on every script (oh_fuzz_oracle_fail):
 *  - opus_decoder_create succeeds exactly for rates 8/12/16/24/48 kHz and
 *    1 or 2 channels, else fails with OPUS_BAD_ARG;
 *  - each decode returns what libopus 1.3.1's rules make it: a loss or FEC
 *    call whose frame_size is not a positive multiple of 2.5 ms is
 *    OPUS_BAD_ARG, a loss returns frame_size, an FEC call returns
 *    frame_size for a packet opus_packet_parse accepts, a normal call
 *    returns opus_decoder_get_nb_samples when that fits frame_size and
 *    OPUS_BUFFER_TOO_SMALL when not, a packet that does not parse is
 *    OPUS_INVALID_PACKET; so no call returns more than frame_size;
 *  - OPUS_GET_LAST_PACKET_DURATION equals a successful call's return;
 *  - SET_GAIN and SET_PHASE_INVERSION_DISABLED succeed exactly for values
 *    in range (then the GET reads it back) and fail with OPUS_BAD_ARG
 *    otherwise; RESET_STATE succeeds; GET_SAMPLE_RATE is the decoder's
 *    rate; OPUS_SET_COMPLEXITY, not a decoder CTL before libopus 1.5,
 *    returns OPUS_UNIMPLEMENTED there (unchecked on 1.5 and later).
 *
 * With OH_SCRIPT_F_DIFFERENTIAL two more decoders take every record:
 *  (a) a twin created alike that decodes with opus_decode (int16) must
 *      return the same value, the same OPUS_GET_FINAL_RANGE after every call
 *      and the same CTL results; its samples must equal the float output
 *      converted as opus_decode converts: opus_pcm_soft_clip first (only
 *      after a normal decode, never after a loss or FEC, with a soft-clip
 *      memory mirrored here: carried from call to call, cleared by
 *      RESET_STATE and re-creation), then x 32768, clamped, rounded to
 *      nearest. Tolerance: INT16_TOLERANCE (1). Measured on the ten official
 *      test vectors and on fuzzed scripts, the largest difference with this
 *      rule is 0; the 1 allows libopus builds whose float2int rounds halves
 *      up instead of to even. Without the soft-clip step differences reach
 *      thousands near full scale, so the step is not optional.
 *  (b) a clone: after records 0, CLONE_PERIOD, 2 x CLONE_PERIOD, ... the
 *      float decoder's state (opus_decoder_get_size(channels) bytes) is
 *      memcpy'd into a buffer of exactly that size, and the copy then runs
 *      every following record: its returns, float output (bit for bit) and
 *      final range must equal the original's. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "fuzz_target.h"
#include "fuzz_util.h"
#include "opushunt/script.h"

#define TARGET "stream"
#define WORK_BUDGET_48K (48000L * 20) /* 20 s of mono 48 kHz audio */
#define INIT_COST_48K 960L          /* a create or reset: 20 ms of audio */
#define CLONE_PERIOD 8
#define INT16_TOLERANCE 1
#define OUT_OF_MEMORY INT_MIN /* a decode result: skip the record */

typedef struct stream_run {
  const oh_script *s;
  int differential;
  int use_float;       /* main decodes with opus_decode_float */
  opus_int32 rate;
  int channels;
  OpusDecoder *main;
  OpusDecoder *twin;   /* differential: the int16 decoder */
  OpusDecoder *clone;  /* differential: memcpy of main, malloc'd; or NULL */
  float softclip_mem[2]; /* what the twin's opus_decode keeps for soft clip */
  long budget;         /* WORK_BUDGET_48K units left */
  const oh_script_record *rec; /* the record running, for messages */
  size_t index;
} stream_run;

/* One decode call as every decoder makes it. */
typedef struct decode_call {
  const uint8_t *data;
  opus_int32 len;
  int frame_size;
  int fec;
} decode_call;

/* Outputs of one call on each decoder. */
typedef struct decode_outputs {
  void *main_pcm;
  opus_int16 *twin_pcm;
  float *clone_pcm;
  int main_ret, twin_ret, clone_ret;
} decode_outputs;

static void fail_at(const stream_run *r, const char *what, long a, long b) {
  oh_fuzz_oracle_fail(TARGET,
                      "record %zu ('%c' at offset %llu, %d Hz %d ch): %s: %ld, expected %ld",
                      r->index, r->rec ? r->rec->type : '-',
                      r->rec ? (unsigned long long)r->rec->offset : 0ULL, (int)r->rate,
                      r->channels, what, a, b);
}

static opus_uint32 final_range(OpusDecoder *d) {
  opus_uint32 rng = 0;
  opus_decoder_ctl(d, OPUS_GET_FINAL_RANGE(&rng));
  return rng;
}

/* ---- Decoder life cycle ---------------------------------------------- */

static int params_valid(opus_int32 rate, int channels) {
  return (rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000) &&
         (channels == 1 || channels == 2);
}

/* opus_decoder_create with its error contract checked; NULL when the
 * parameters are invalid (or memory ran out). */
static OpusDecoder *create_checked(stream_run *r, opus_int32 rate, int channels) {
  int err = 1;
  OpusDecoder *d = opus_decoder_create(rate, channels, &err);
  int valid = params_valid(rate, channels);
  if (valid && !d && err == OPUS_ALLOC_FAIL) return NULL;
  if (valid != (d != NULL) || (d && err != OPUS_OK) || (!d && err != OPUS_BAD_ARG)) {
    if (d) opus_decoder_destroy(d);
    r->rate = rate;
    r->channels = channels;
    fail_at(r, "opus_decoder_create error", err, valid ? OPUS_OK : OPUS_BAD_ARG);
  }
  return d;
}

static void decoders_destroy(stream_run *r) {
  if (r->main) opus_decoder_destroy(r->main);
  if (r->twin) opus_decoder_destroy(r->twin);
  free(r->clone);
  r->main = r->twin = r->clone = NULL;
}

/* Replaces the decoders; returns 0, or -1 when there is no decoder now. */
static int decoders_create(stream_run *r, opus_int32 rate, int channels) {
  decoders_destroy(r);
  r->rate = rate;
  r->channels = channels;
  r->softclip_mem[0] = r->softclip_mem[1] = 0;
  r->main = create_checked(r, rate, channels);
  if (r->main && r->differential) r->twin = create_checked(r, rate, channels);
  if (!r->main || (r->differential && !r->twin)) {
    decoders_destroy(r);
    return -1;
  }
  return 0;
}

/* (b): the clone is a byte copy of main, in memory of exactly the size
 * opus_decoder_get_size reports. */
static void clone_main(stream_run *r) {
  int size = opus_decoder_get_size(r->channels);
  if (size <= 0) fail_at(r, "opus_decoder_get_size", size, 1);
  if (!r->clone) r->clone = malloc((size_t)size);
  if (r->clone) memcpy(r->clone, r->main, (size_t)size);
}

/* ---- Expected results ------------------------------------------------ */

/* The return libopus 1.3.1 must give (opus_decode_native and its int16 and
 * float wrappers, which agree on every case here). */
static int expected_return(const stream_run *r, const decode_call *c) {
  int multiple = c->frame_size > 0 && c->frame_size % (r->rate / 400) == 0, nb, frames;
  unsigned char toc;
  const unsigned char *frame_data[48];
  opus_int16 frame_len[48];
  if (c->frame_size <= 0) return OPUS_BAD_ARG;
  if (c->len == 0 || !c->data) return multiple ? c->frame_size : OPUS_BAD_ARG;
  if (c->fec && !multiple) return OPUS_BAD_ARG;
  frames = opus_packet_parse(c->data, c->len, &toc, frame_data, frame_len, NULL);
  if (frames < 0) return c->fec ? frames : OPUS_INVALID_PACKET;
  if (c->fec) return c->frame_size;
  nb = opus_decoder_get_nb_samples(r->main, c->data, c->len);
  return nb > c->frame_size ? OPUS_BUFFER_TOO_SMALL : nb;
}

static void check_main_result(const stream_run *r, const decode_call *c, int ret) {
  opus_int32 duration = -1;
  if (ret > c->frame_size) fail_at(r, "samples returned above frame_size", ret, c->frame_size);
  if (ret != expected_return(r, c)) fail_at(r, "decode returned", ret, expected_return(r, c));
  if (ret <= 0) return;
  opus_decoder_ctl(r->main, OPUS_GET_LAST_PACKET_DURATION(&duration));
  if (duration != ret) fail_at(r, "OPUS_GET_LAST_PACKET_DURATION", duration, ret);
}

/* ---- Differential comparisons ---------------------------------------- */

/* FLOAT2INT16 of libopus float builds (celt/float_cast.h). */
static opus_int16 float_to_int16(float x) {
  x *= 32768.0f;
  if (x < -32768.0f) x = -32768.0f;
  if (x > 32767.0f) x = 32767.0f;
  return (opus_int16)lrintf(x);
}

/* (a) The twin's int16 samples against main's float ones converted as
 * opus_decode converts them. */
static void compare_twin(stream_run *r, const decode_call *c, const decode_outputs *o) {
  size_t count = (size_t)(o->main_ret > 0 ? o->main_ret : 0) * (size_t)r->channels;
  int normal = !c->fec && c->len > 0 && c->data;
  float *converted;
  if (o->twin_ret != o->main_ret) fail_at(r, "opus_decode returned", o->twin_ret, o->main_ret);
  if (final_range(r->twin) != final_range(r->main))
    fail_at(r, "opus_decode final range", (long)final_range(r->twin), (long)final_range(r->main));
  if (count == 0) return;
  converted = malloc(count * sizeof *converted);
  if (!converted) return;
  memcpy(converted, o->main_pcm, count * sizeof *converted);
  if (normal) opus_pcm_soft_clip(converted, o->main_ret, r->channels, r->softclip_mem);
  for (size_t i = 0; i < count; i++) {
    int want = float_to_int16(converted[i]), got = o->twin_pcm[i];
    if (abs(got - want) > INT16_TOLERANCE) {
      free(converted);
      fail_at(r, "opus_decode sample differs from the converted float one", got, want);
    }
  }
  free(converted);
}

/* (b) The clone must match main bit for bit. */
static void compare_clone(stream_run *r, const decode_outputs *o) {
  size_t count = (size_t)(o->main_ret > 0 ? o->main_ret : 0) * (size_t)r->channels;
  if (o->clone_ret != o->main_ret) fail_at(r, "cloned decoder returned", o->clone_ret, o->main_ret);
  if (final_range(r->clone) != final_range(r->main))
    fail_at(r, "cloned decoder final range", (long)final_range(r->clone),
            (long)final_range(r->main));
  if (count && memcmp(o->clone_pcm, o->main_pcm, count * sizeof(float)) != 0)
    fail_at(r, "cloned decoder output differs (bytes compared)", (long)count, 0);
}

/* ---- Decoding --------------------------------------------------------- */

static int decode_one(OpusDecoder *d, int use_float, const decode_call *c, int channels,
                      void **pcm) {
  size_t count = (size_t)c->frame_size * (size_t)channels;
  *pcm = malloc(count * (use_float ? sizeof(float) : sizeof(opus_int16)));
  if (!*pcm && count) return OUT_OF_MEMORY;
  return use_float ? opus_decode_float(d, c->data, c->len, *pcm, c->frame_size, c->fec)
                   : opus_decode(d, c->data, c->len, *pcm, c->frame_size, c->fec);
}

/* Work this call may do, in 48 kHz samples (see WORK_BUDGET_48K): a loss
 * or FEC call synthesises frame_size samples, a normal call at most the
 * packet's duration (nothing for a packet without one: it fails at once). */
static long call_cost(const stream_run *r, const decode_call *c) {
  long samples = c->frame_size;
  if (!c->fec && c->len > 0 && c->data) {
    int nb = opus_packet_get_nb_samples(c->data, c->len, r->rate);
    samples = nb < 0 ? 0 : nb < samples ? nb : samples;
  }
  return samples * (48000 / r->rate) * r->channels;
}

static decode_call call_for(const stream_run *r, const oh_script_record *rec) {
  decode_call c;
  c.frame_size = oh_script_frame_size(r->s, rec);
  c.fec = rec->type == OH_SREC_FEC;
  c.data = rec->type == OH_SREC_LOSS ? NULL : rec->data;
  c.len = rec->type == OH_SREC_LOSS ? 0 : (opus_int32)rec->len;
  return c;
}

/* Charges cost units on every decoder; -1 when the budget is spent. */
static int spend(stream_run *r, long cost) {
  long lanes = 1 + (r->twin != NULL) + (r->clone != NULL);
  r->budget -= cost * lanes;
  return r->budget < 0 ? -1 : 0;
}

/* Runs one 'P', 'L' or 'F' record on every decoder. Returns 0, or -1 when
 * the work budget is spent. */
static int run_decode(stream_run *r, const oh_script_record *rec) {
  decode_call c = call_for(r, rec);
  decode_outputs o = {NULL, NULL, NULL, 0, 0, 0};
  if (c.frame_size < 0 || c.frame_size > 65535 || rec->len > INT_MAX) return 0;
  if (spend(r, call_cost(r, &c)) != 0) return -1;
  o.main_ret = decode_one(r->main, r->use_float, &c, r->channels, &o.main_pcm);
  if (r->twin) o.twin_ret = decode_one(r->twin, 0, &c, r->channels, (void **)&o.twin_pcm);
  if (r->clone) o.clone_ret = decode_one(r->clone, 1, &c, r->channels, (void **)&o.clone_pcm);
  if (o.main_ret != OUT_OF_MEMORY && o.twin_ret != OUT_OF_MEMORY &&
      o.clone_ret != OUT_OF_MEMORY) {
    check_main_result(r, &c, o.main_ret);
    if (r->clone) compare_clone(r, &o);
    if (r->twin) compare_twin(r, &c, &o);
  }
  free(o.main_pcm);
  free(o.twin_pcm);
  free(o.clone_pcm);
  return 0;
}

/* ---- CTLs ------------------------------------------------------------- */

/* One CTL on one decoder: *value gets what a GET reads (for a SET, the
 * matching GET afterwards). Returns the CTL's return code. */
static int ctl_apply(OpusDecoder *d, int ctl, opus_int32 arg, opus_int32 *value) {
  opus_uint32 rng = 0;
  int ret;
  *value = 0;
  switch (ctl) {
  case OH_CTL_SET_GAIN:
    ret = opus_decoder_ctl(d, OPUS_SET_GAIN(arg));
    opus_decoder_ctl(d, OPUS_GET_GAIN(value));
    return ret;
  case OH_CTL_RESET_STATE: return opus_decoder_ctl(d, OPUS_RESET_STATE);
  case OH_CTL_SET_PHASE_INVERSION_DISABLED:
    ret = opus_decoder_ctl(d, OPUS_SET_PHASE_INVERSION_DISABLED(arg));
    opus_decoder_ctl(d, OPUS_GET_PHASE_INVERSION_DISABLED(value));
    return ret;
  case OH_CTL_GET_FINAL_RANGE:
    ret = opus_decoder_ctl(d, OPUS_GET_FINAL_RANGE(&rng));
    *value = (opus_int32)rng;
    return ret;
  case OH_CTL_GET_BANDWIDTH: return opus_decoder_ctl(d, OPUS_GET_BANDWIDTH(value));
  case OH_CTL_GET_SAMPLE_RATE: return opus_decoder_ctl(d, OPUS_GET_SAMPLE_RATE(value));
  case OH_CTL_GET_PITCH: return opus_decoder_ctl(d, OPUS_GET_PITCH(value));
  case OH_CTL_GET_LAST_PACKET_DURATION:
    return opus_decoder_ctl(d, OPUS_GET_LAST_PACKET_DURATION(value));
  case OH_CTL_GET_GAIN: return opus_decoder_ctl(d, OPUS_GET_GAIN(value));
  case OH_CTL_GET_PHASE_INVERSION_DISABLED:
    return opus_decoder_ctl(d, OPUS_GET_PHASE_INVERSION_DISABLED(value));
  default: return opus_decoder_ctl(d, OPUS_SET_COMPLEXITY(arg));
  }
}

/* What the main decoder's CTL must return and, for SETs that succeed, read
 * back. */
static void check_ctl(const stream_run *r, int ctl, opus_int32 arg, int ret, opus_int32 value) {
  int in_range = 1;
  switch (ctl) {
  case OH_CTL_SET_GAIN: in_range = arg >= -32768 && arg <= 32767; break;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED: in_range = arg == 0 || arg == 1; break;
  case OH_CTL_GET_SAMPLE_RATE:
    if (value != r->rate) fail_at(r, "OPUS_GET_SAMPLE_RATE", value, r->rate);
    break;
  case OH_CTL_SET_COMPLEXITY:
    if (oh_fuzz_complexity_unimplemented() && ret != OPUS_UNIMPLEMENTED)
      fail_at(r, "OPUS_SET_COMPLEXITY on a decoder returned", ret, OPUS_UNIMPLEMENTED);
    return;
  default: break;
  }
  if (ret != (in_range ? OPUS_OK : OPUS_BAD_ARG))
    fail_at(r, "CTL returned", ret, in_range ? OPUS_OK : OPUS_BAD_ARG);
  if ((ctl == OH_CTL_SET_GAIN || ctl == OH_CTL_SET_PHASE_INVERSION_DISABLED) && in_range &&
      value != arg)
    fail_at(r, "value read back after the SET", value, arg);
}

static void run_ctl(stream_run *r, const oh_script_record *rec) {
  opus_int32 value, other = 0;
  int ret, other_ret;
  if (rec->ctl < 0 || rec->ctl >= OH_CTL_COUNT) return;
  ret = ctl_apply(r->main, rec->ctl, rec->value, &value);
  check_ctl(r, rec->ctl, rec->value, ret, value);
  if (rec->ctl == OH_CTL_RESET_STATE) r->softclip_mem[0] = r->softclip_mem[1] = 0;
  if (r->twin && (other_ret = ctl_apply(r->twin, rec->ctl, rec->value, &other)) != ret)
    fail_at(r, "int16 twin's CTL returned", other_ret, ret);
  if (r->twin && other != value) fail_at(r, "int16 twin's CTL value", other, value);
  if (r->clone && (other_ret = ctl_apply(r->clone, rec->ctl, rec->value, &other)) != ret)
    fail_at(r, "cloned decoder's CTL returned", other_ret, ret);
  if (r->clone && other != value) fail_at(r, "cloned decoder's CTL value", other, value);
}

/* ---- The script --------------------------------------------------------- */

static void run_records(stream_run *r) {
  for (size_t i = 0; i < r->s->nrecs; i++) {
    const oh_script_record *rec = &r->s->recs[i];
    r->rec = rec;
    r->index = i;
    if (rec->type == OH_SREC_RECREATE) {
      if (spend(r, INIT_COST_48K) != 0) return;
      decoders_create(r, (opus_int32)rec->rate, rec->channels);
    } else if (!r->main) {
      continue;
    } else if (rec->type == OH_SREC_CTL) {
      if (rec->ctl == OH_CTL_RESET_STATE && spend(r, INIT_COST_48K) != 0) return;
      run_ctl(r, rec);
    } else if (run_decode(r, rec) != 0) {
      return;
    }
    if (r->differential && r->main && i % CLONE_PERIOD == 0) clone_main(r);
  }
}

int oh_fuzz_stream(const uint8_t *data, size_t size) {
  oh_script s;
  oh_error err;
  stream_run r;
  memset(&r, 0, sizeof r);
  if (oh_script_parse(data, size, 0, &s, &err) != OH_OK) {
    oh_script_free(&s);
    return 0;
  }
  r.s = &s;
  r.differential = (s.h.flags & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  r.use_float = r.differential || (s.h.flags & OH_SCRIPT_F_FLOAT) != 0;
  r.budget = WORK_BUDGET_48K;
  if (s.h.api == OH_SCRIPT_DECODER &&
      decoders_create(&r, (opus_int32)s.h.rate, s.h.channels) == 0)
    run_records(&r);
  decoders_destroy(&r);
  oh_script_free(&s);
  return 0;
}
