/* The corpus generator's shared tools: first-error bookkeeping, the seed
 * emit step, the fixed synthetic signals, the single-stream encoder wrapper,
 * TOC checks and OHS1 script assembly (see corpus_gen_impl.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_gen_impl.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

int oh_cg_fail(oh_cg *g, int code, const char *fmt, ...) {
  char what[200];
  va_list ap;
  if (g->status != OH_OK) return g->status;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  g->status = oh_fail(g->err, code, OH_NO_OFFSET, "%s: %s", g->target ? g->target : "corpus",
                      what);
  return g->status;
}

int oh_cg_opus(oh_cg *g, int ret, const char *what) {
  if (ret >= 0) return OH_OK;
  return oh_cg_fail(g, OH_ERR_OPUS, "%s: %s", what, opus_strerror(ret));
}

static int name_ok(const char *name) {
  const char *p;
  if (!*name || name[0] == '.') return 0;
  for (p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
          *p == '_'))
      return 0;
  return 1;
}

static int emit_v(oh_cg *g, const uint8_t *data, size_t len, const char *fmt, va_list ap) {
  char name[160];
  int n, rc;
  if (g->status != OH_OK) return g->status;
  n = vsnprintf(name, sizeof name, fmt, ap);
  if (n < 0 || (size_t)n >= sizeof name || !name_ok(name))
    return oh_cg_fail(g, OH_ERR_ARG, "bad seed name '%s'", name);
  rc = g->emit(g->user, g->target, name, data, len, g->err);
  if (rc < 0) g->status = rc;
  return g->status;
}

int oh_cg_emit(oh_cg *g, const uint8_t *data, size_t len, const char *fmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = emit_v(g, data, len, fmt, ap);
  va_end(ap);
  return rc;
}

/* ---- signals --------------------------------------------------------- */

/* A 32-bit hash of a position: noise that does not depend on how the
 * signal is cut into frames. */
static uint32_t hash32(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return (uint32_t)x;
}

static double noise(int64_t pos, int c) {
  return (double)hash32((uint64_t)pos * 31u + (uint64_t)c + 0x9e3779b9u) / 2147483648.0 - 1.0;
}

static double tone(double t, int c) {
  double env = 0.6 + 0.4 * sin(2 * M_PI * 3 * t);
  double f1 = 220.0 * (1 + 0.5 * c), f2 = 1760.0 + 440.0 * c;
  return 0.3 * env * sin(2 * M_PI * f1 * t) + 0.1 * sin(2 * M_PI * f2 * t);
}

/* An exponential sweep from 100 Hz to 8 kHz every 2 s. */
static double chirp(double t, int c) {
  const double f0 = 100.0 * (c & 1 ? 1.5 : 1.0), period = 2.0, k = log(80.0);
  double u = fmod(t, period);
  double phase = f0 * period * (exp(k * u / period) - 1) / k;
  return 0.3 * sin(2 * M_PI * phase);
}

/* Harmonics of a gliding pitch weighted by three formant bumps, under a
 * syllable envelope with pauses: enough voicing for SILK's pitch analysis. */
static double speech(double t, int c) {
  static const double formant[3] = {700, 1220, 2600}, width[3] = {130, 200, 300},
                      gain[3] = {1.0, 0.6, 0.25};
  double f0 = 130.0 + 25 * c, glide = 0.7;
  double phase = f0 * t - 30.0 / (2 * M_PI * glide) * cos(2 * M_PI * glide * t);
  double syl = sin(2 * M_PI * 3.5 * t), env = syl > 0 ? syl : 0, s = 0;
  int k, j;
  for (k = 1; k * f0 < 4000; k++) {
    double f = k * (f0 + 30 * sin(2 * M_PI * glide * t)), a = 0;
    for (j = 0; j < 3; j++) {
      double d = (f - formant[j]) / width[j];
      a += gain[j] / (1 + d * d);
    }
    s += a * sin(2 * M_PI * k * phase);
  }
  return 0.12 * env * s;
}

void oh_cg_signal_fill(oh_cg_signal sig, int64_t pos, int n, int channels, int rate,
                       int16_t *pcm) {
  int i, c;
  for (i = 0; i < n; i++) {
    double t = (double)(pos + i) / rate;
    for (c = 0; c < channels; c++) {
      double v = 0;
      switch (sig) {
      case OH_SIG_TONE: v = tone(t, c); break;
      case OH_SIG_CHIRP: v = chirp(t, c); break;
      case OH_SIG_NOISE: v = 0.25 * noise(pos + i, c); break;
      case OH_SIG_SPEECH: v = speech(t, c); break;
      case OH_SIG_SILENCE: v = 0; break;
      case OH_SIG_MIX:
        v = c % 3 == 0   ? speech(t, c) + 0.02 * noise(pos + i, c)
            : c % 3 == 1 ? tone(t, c) + 0.5 * chirp(t, c)
                         : 0.5 * chirp(t, c) + 0.05 * noise(pos + i, c);
        break;
      }
      if (v > 0.99) v = 0.99;
      if (v < -0.99) v = -0.99;
      pcm[(size_t)i * (size_t)channels + (size_t)c] = (int16_t)lrint(v * 32767);
    }
  }
}

/* ---- packet lists ---------------------------------------------------- */

int oh_cg_list_add(oh_cg *g, oh_cg_list *l, const uint8_t *data, size_t len) {
  uint8_t *copy;
  if (g->status != OH_OK) return g->status;
  if (l->n >= OH_CG_LIST_MAX) return oh_cg_fail(g, OH_ERR_LIMIT, "packet list full");
  copy = malloc(len ? len : 1);
  if (!copy) return oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
  if (len) memcpy(copy, data, len);
  l->data[l->n] = copy;
  l->len[l->n++] = len;
  return OH_OK;
}

void oh_cg_list_free(oh_cg_list *l) {
  int i;
  for (i = 0; i < l->n; i++) free(l->data[i]);
  l->n = 0;
}

/* ---- the single-stream encoder --------------------------------------- */

int oh_cg_enc_open(oh_cg *g, oh_cg_enc *e, int channels, int bitrate, oh_cg_signal signal) {
  int err = OPUS_OK;
  memset(e, 0, sizeof *e);
  if (g->status != OH_OK) return g->status;
  e->enc = opus_encoder_create(48000, channels, OPUS_APPLICATION_AUDIO, &err);
  if (oh_cg_opus(g, err, "opus_encoder_create") != OH_OK) return g->status;
  e->channels = channels;
  e->signal = signal;
  opus_encoder_ctl(e->enc, OPUS_SET_COMPLEXITY(5));
  return oh_cg_opus(g, opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(bitrate)), "OPUS_SET_BITRATE");
}

void oh_cg_enc_close(oh_cg_enc *e) {
  if (e->enc) opus_encoder_destroy(e->enc);
  e->enc = NULL;
}

int oh_cg_enc_force(oh_cg *g, oh_cg_enc *e, int mode, int bandwidth, int channels) {
  if (g->status != OH_OK) return g->status;
  oh_cg_opus(g, opus_encoder_ctl(e->enc, OPUS_SET_FORCE_MODE(mode)), "OPUS_SET_FORCE_MODE");
  oh_cg_opus(g, opus_encoder_ctl(e->enc, OPUS_SET_BANDWIDTH(bandwidth)), "OPUS_SET_BANDWIDTH");
  if (e->channels == 2)
    oh_cg_opus(g, opus_encoder_ctl(e->enc, OPUS_SET_FORCE_CHANNELS(channels)),
               "OPUS_SET_FORCE_CHANNELS");
  return g->status;
}

int oh_cg_enc_frame(oh_cg *g, oh_cg_enc *e, int frame48, oh_cg_list *l) {
  int16_t pcm[5760 * 2];
  uint8_t out[4000];
  int n;
  if (g->status != OH_OK) return g->status;
  oh_cg_signal_fill(e->signal, e->pos, frame48, e->channels, 48000, pcm);
  e->pos += frame48;
  n = opus_encode(e->enc, pcm, frame48, out, (opus_int32)sizeof out);
  if (oh_cg_opus(g, n, "opus_encode") != OH_OK) return g->status;
  return oh_cg_list_add(g, l, out, (size_t)n);
}

int oh_cg_default_bitrate(int mode, int channels) {
  if (mode == OH_MODE_SILK) return channels == 2 ? 24000 : 16000;
  if (mode == OH_MODE_HYBRID) return channels == 2 ? 48000 : 32000;
  return channels == 2 ? 64000 : 32000;
}

int oh_cg_enc_steps(oh_cg *g, oh_cg_enc *e, const oh_cg_step *st, int n, oh_cg_list *out) {
  int i, first = out->n;
  for (i = 0; i < n && g->status == OH_OK; i++) {
    oh_cg_enc_force(g, e, oh_cg_opus_mode(st[i].mode), oh_cg_opus_bw(st[i].bw), st[i].channels);
    oh_cg_enc_frame(g, e, st[i].frame48, out);
  }
  for (i = first; i < out->n && g->status == OH_OK; i++)
    oh_cg_expect_toc(g, out->data[i], out->len[i], -1, -1, -1, "encoder output");
  return g->status;
}

int oh_cg_encode_run(oh_cg *g, int mode, int bw, int frame48, int channels, oh_cg_signal sig,
                     int n, oh_cg_list *out) {
  oh_cg_enc e;
  oh_cg_step st[OH_CG_LIST_MAX];
  int i;
  if (n > OH_CG_LIST_MAX) n = OH_CG_LIST_MAX;
  if (oh_cg_enc_open(g, &e, channels, oh_cg_default_bitrate(mode, channels), sig) != OH_OK)
    return g->status;
  for (i = 0; i < n; i++) st[i] = (oh_cg_step){mode, bw, frame48, channels};
  oh_cg_enc_steps(g, &e, st, n, out);
  oh_cg_enc_close(&e);
  return g->status;
}

int oh_cg_expect_toc(oh_cg *g, const uint8_t *pkt, size_t len, int config, int stereo, int code,
                     const char *what) {
  oh_packet p;
  oh_rule rule = OH_RULE_NONE;
  oh_error perr;
  if (g->status != OH_OK) return g->status;
  if (oh_packet_parse(pkt, len, 0, &p, &rule, &perr) != OH_OK)
    return oh_cg_fail(g, OH_ERR_MALFORMED, "%s: packet breaks %s: %s", what,
                      oh_rule_name(rule), perr.reason);
  if ((config >= 0 && p.toc.config != config) || (stereo >= 0 && p.toc.stereo != stereo) ||
      (code >= 0 && p.toc.code != code))
    return oh_cg_fail(g, OH_ERR_MALFORMED,
                      "%s: the encoder made config %d %s code %d, not config %d %s code %d",
                      what, p.toc.config, p.toc.stereo ? "stereo" : "mono", p.toc.code, config,
                      stereo ? "stereo" : "mono", code);
  return OH_OK;
}

const char *oh_cg_mode_slug(int mode) {
  static const char *const n[] = {"silk", "hybrid", "celt"};
  return mode >= 0 && mode < 3 ? n[mode] : "mode";
}

const char *oh_cg_bw_slug(int bw) {
  static const char *const n[] = {"nb", "mb", "wb", "swb", "fb"};
  return bw >= 0 && bw < 5 ? n[bw] : "bw";
}

const char *oh_cg_dur_slug(int samples48) {
  switch (samples48) {
  case 120: return "2.5ms";
  case 240: return "5ms";
  case 480: return "10ms";
  case 960: return "20ms";
  case 1920: return "40ms";
  case 2880: return "60ms";
  case 3840: return "80ms";
  case 4800: return "100ms";
  case 5760: return "120ms";
  default: return "dur";
  }
}

int oh_cg_opus_bw(int bw) { return OPUS_BANDWIDTH_NARROWBAND + bw; }

int oh_cg_opus_mode(int mode) {
  return mode == OH_MODE_SILK ? OH_CG_MODE_SILK
         : mode == OH_MODE_HYBRID ? OH_CG_MODE_HYBRID
                                  : OH_CG_MODE_CELT;
}

/* ---- scripts --------------------------------------------------------- */

void oh_cg_header(oh_script_header *h, int api, int channels, uint32_t rate) {
  memset(h, 0, sizeof *h);
  h->api = api;
  h->channels = channels;
  h->rate = rate;
}

static void append(oh_cg *g, oh_script *s, const oh_script_record *r) {
  int rc;
  if (g->status != OH_OK) return;
  rc = oh_script_append(s, r);
  if (rc != OH_OK) oh_cg_fail(g, rc, "cannot append a script record");
}

void oh_cg_rec_packet(oh_cg *g, oh_script *s, const uint8_t *data, size_t len) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_PACKET;
  r.data = data;
  r.len = len;
  append(g, s, &r);
}

void oh_cg_rec_list(oh_cg *g, oh_script *s, const oh_cg_list *l, int from, int count) {
  int i;
  for (i = from; i < from + count && i < l->n; i++) oh_cg_rec_packet(g, s, l->data[i], l->len[i]);
}

void oh_cg_rec_loss(oh_cg *g, oh_script *s, int frame_size) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_LOSS;
  r.frame_size = frame_size;
  append(g, s, &r);
}

void oh_cg_rec_fec(oh_cg *g, oh_script *s, int frame_size, const uint8_t *data, size_t len) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_FEC;
  r.frame_size = frame_size;
  r.data = data;
  r.len = len;
  append(g, s, &r);
}

void oh_cg_rec_ctl(oh_cg *g, oh_script *s, int ctl, int32_t value) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_CTL;
  r.ctl = ctl;
  r.value = value;
  append(g, s, &r);
}

void oh_cg_rec_recreate(oh_cg *g, oh_script *s, uint32_t rate, int channels) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_RECREATE;
  r.rate = rate;
  r.channels = channels;
  append(g, s, &r);
}

int oh_cg_emit_script(oh_cg *g, oh_script *s, const char *fmt, ...) {
  uint8_t *buf = NULL;
  size_t cap;
  long n;
  oh_script back;
  oh_error perr;
  va_list ap;
  if (g->status != OH_OK) goto out;
  cap = oh_script_size(s);
  if (!(buf = malloc(cap ? cap : 1))) {
    oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
    goto out;
  }
  n = oh_script_write(s, buf, cap, &perr);
  if (n < 0) {
    oh_cg_fail(g, (int)n, "script does not serialise: %s", perr.reason);
    goto out;
  }
  memset(&back, 0, sizeof back);
  if (oh_script_parse(buf, (size_t)n, 1, &back, &perr) != OH_OK) {
    oh_script_free(&back);
    oh_cg_fail(g, OH_ERR_MALFORMED, "script does not parse back: %s", perr.reason);
    goto out;
  }
  if (back.nrecs != s->nrecs || back.body_len != s->body_len) {
    oh_cg_fail(g, OH_ERR_MALFORMED, "script parses back as %zu records, not %zu", back.nrecs,
               s->nrecs);
  }
  oh_script_free(&back);
  if (g->status != OH_OK) goto out;
  va_start(ap, fmt);
  emit_v(g, buf, (size_t)n, fmt, ap);
  va_end(ap);
out:
  free(buf);
  oh_script_free(s);
  return g->status;
}

void oh_cg_be16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
void oh_cg_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
void oh_cg_le16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
void oh_cg_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
