/* Seeds of the `stream` target: OHS1 scripts for the single-stream decoder,
 * each a few records long. Every mode, bandwidth and frame duration, all
 * five decode rates, exact and too-small decode frame sizes, in-band FEC
 * with losses, DTX, mode and bandwidth switches mid-stream, loss patterns,
 * CTL records, decoder re-creation, re-packed code 1-3 packets; some with
 * the float or differential flag. */
#include <stdio.h>
#include <string.h>

#include "corpus_gen_impl.h"

enum { SILK = OH_MODE_SILK, HYB = OH_MODE_HYBRID, CELT = OH_MODE_CELT };
enum { NB = OH_BW_NB, MB = OH_BW_MB, WB = OH_BW_WB, SWB = OH_BW_SWB, FB = OH_BW_FB };
#define DIFF OH_SCRIPT_F_DIFFERENTIAL
#define FLT OH_SCRIPT_F_FLOAT

typedef oh_cg_step step;

static oh_cg_signal signal_for(int mode, int i) {
  return mode == SILK ? OH_SIG_SPEECH : mode == HYB ? OH_SIG_MIX : i & 1 ? OH_SIG_CHIRP : OH_SIG_TONE;
}

/* "celt-fb-20ms-stereo-48k" */
static const char *stem(char *buf, size_t cap, int mode, int bw, int frame48, int channels,
                        uint32_t rate) {
  snprintf(buf, cap, "%s-%s-%s-%s-%uk", oh_cg_mode_slug(mode), oh_cg_bw_slug(bw),
           oh_cg_dur_slug(frame48), channels == 2 ? "stereo" : "mono", (unsigned)(rate / 1000));
  return buf;
}

static const char *flag_suffix(int flags) {
  return (flags & (DIFF | FLT)) == (DIFF | FLT) ? "-float-diff"
         : flags & DIFF                         ? "-diff"
         : flags & FLT                          ? "-float"
                                                : "";
}

/* Plain runs of six packets: every mode, bandwidth and duration, every
 * decode rate, and decode frame sizes that fit exactly or do not fit. */
static int simple_streams(oh_cg *g) {
  static const struct {
    int mode, bw, frame48, channels;
    uint32_t rate;
    int flags, frame_size;
    const char *suffix;
  } t[] = {
      {SILK, NB, 960, 1, 48000, 0, 0, ""},
      {SILK, MB, 1920, 2, 48000, 0, 0, ""},
      {SILK, WB, 2880, 1, 48000, DIFF, 0, ""},
      {SILK, WB, 480, 2, 48000, FLT, 0, ""},
      {HYB, SWB, 480, 1, 48000, 0, 0, ""},
      {HYB, FB, 960, 2, 48000, DIFF, 0, ""},
      {HYB, FB, 1920, 1, 48000, 0, 0, ""},
      {CELT, NB, 120, 1, 48000, 0, 0, ""},
      {CELT, WB, 240, 2, 48000, 0, 0, ""},
      {CELT, SWB, 480, 1, 48000, FLT | DIFF, 0, ""},
      {CELT, FB, 960, 2, 48000, 0, 0, ""},
      {CELT, FB, 2880, 2, 48000, 0, 0, ""},
      {CELT, FB, 5760, 1, 48000, DIFF, 0, ""},
      {SILK, NB, 960, 1, 8000, 0, 0, ""},
      {SILK, WB, 960, 2, 12000, DIFF, 0, ""},
      {HYB, SWB, 960, 1, 16000, FLT, 0, ""},
      {CELT, FB, 960, 2, 24000, 0, 0, ""},
      {CELT, FB, 480, 1, 8000, FLT, 0, ""},
      {CELT, FB, 960, 2, 16000, 0, 320, "-framesize-20ms"},
      {CELT, FB, 120, 2, 48000, DIFF, 120, "-framesize-2.5ms"},
      {SILK, WB, 2880, 1, 48000, 0, 960, "-framesize-too-small"},
  };
  size_t i;
  char base[64];
  for (i = 0; i < sizeof t / sizeof t[0] && g->status == OH_OK; i++) {
    oh_cg_list l = {0};
    oh_script s;
    oh_script_header h;
    oh_cg_encode_run(g, t[i].mode, t[i].bw, t[i].frame48, t[i].channels, signal_for(t[i].mode, (int)i),
               6, &l);
    oh_cg_header(&h, OH_SCRIPT_DECODER, t[i].channels, t[i].rate);
    h.flags = t[i].flags;
    h.frame_size = t[i].frame_size;
    oh_script_init(&s, &h);
    oh_cg_rec_list(g, &s, &l, 0, l.n);
    oh_cg_emit_script(g, &s, "%s%s%s.ohs",
                      stem(base, sizeof base, t[i].mode, t[i].bw, t[i].frame48, t[i].channels,
                           t[i].rate),
                      t[i].suffix, flag_suffix(t[i].flags));
    oh_cg_list_free(&l);
  }
  return g->status;
}

/* An encoder with in-band FEC on, as a sender expecting loss would run. */
static int encode_fec(oh_cg *g, int mode, int bw, int frame48, int channels, int n,
                      oh_cg_list *out) {
  oh_cg_enc e;
  step st[16];
  int i;
  if (oh_cg_enc_open(g, &e, channels, oh_cg_default_bitrate(mode, channels) + 8000, OH_SIG_SPEECH) !=
      OH_OK)
    return g->status;
  oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_INBAND_FEC(1)), "OPUS_SET_INBAND_FEC");
  oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_PACKET_LOSS_PERC(30)),
             "OPUS_SET_PACKET_LOSS_PERC");
  for (i = 0; i < n && i < 16; i++) st[i] = (step){mode, bw, frame48, channels};
  oh_cg_enc_steps(g, &e, st, n, out);
  oh_cg_enc_close(&e);
  return g->status;
}

/* 'F' stands for a lost packet and recovers it from the next packet's
 * FEC, which is then decoded normally; an 'L' before it is a second loss
 * that only concealment can fill. */
static int fec_streams(oh_cg *g) {
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;

  /* Every third packet lost and recovered. */
  encode_fec(g, SILK, WB, 960, 1, 9, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 48000);
  oh_script_init(&s, &h);
  if (l.n == 9) {
    oh_cg_rec_list(g, &s, &l, 0, 2);
    oh_cg_rec_fec(g, &s, 960, l.data[3], l.len[3]);
    oh_cg_rec_list(g, &s, &l, 3, 2);
    oh_cg_rec_fec(g, &s, 960, l.data[6], l.len[6]);
    oh_cg_rec_list(g, &s, &l, 6, 3);
  }
  oh_cg_emit_script(g, &s, "silk-wb-20ms-mono-48k-fec-loss-every3.ohs");
  oh_cg_list_free(&l);

  /* A burst of two: the first concealed, the second recovered. */
  encode_fec(g, HYB, SWB, 960, 2, 7, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  h.flags = DIFF;
  oh_script_init(&s, &h);
  if (l.n == 7) {
    oh_cg_rec_list(g, &s, &l, 0, 2);
    oh_cg_rec_loss(g, &s, 960);
    oh_cg_rec_fec(g, &s, 960, l.data[4], l.len[4]);
    oh_cg_rec_list(g, &s, &l, 4, 3);
  }
  oh_cg_emit_script(g, &s, "hybrid-swb-20ms-stereo-48k-fec-burst-diff.ohs");
  oh_cg_list_free(&l);

  /* 60 ms SILK frames at 16 kHz, float output. */
  encode_fec(g, SILK, NB, 2880, 2, 5, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 16000);
  h.flags = FLT;
  oh_script_init(&s, &h);
  if (l.n == 5) {
    oh_cg_rec_list(g, &s, &l, 0, 1);
    oh_cg_rec_fec(g, &s, 960, l.data[2], l.len[2]);
    oh_cg_rec_list(g, &s, &l, 2, 3);
  }
  oh_cg_emit_script(g, &s, "silk-nb-60ms-stereo-16k-fec-loss-float.ohs");
  oh_cg_list_free(&l);

  /* Recovery asked for less than the packet's duration. */
  encode_fec(g, SILK, WB, 960, 1, 5, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 48000);
  oh_script_init(&s, &h);
  if (l.n == 5) {
    oh_cg_rec_list(g, &s, &l, 0, 2);
    oh_cg_rec_fec(g, &s, 480, l.data[3], l.len[3]);
    oh_cg_rec_list(g, &s, &l, 3, 2);
  }
  oh_cg_emit_script(g, &s, "silk-wb-20ms-mono-48k-fec-short-frame-size.ohs");
  oh_cg_list_free(&l);

  /* CELT carries no FEC: recovery falls back to concealment. */
  oh_cg_encode_run(g, CELT, FB, 960, 2, OH_SIG_TONE, 5, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  oh_script_init(&s, &h);
  if (l.n == 5) {
    oh_cg_rec_list(g, &s, &l, 0, 2);
    oh_cg_rec_fec(g, &s, 960, l.data[3], l.len[3]);
    oh_cg_rec_list(g, &s, &l, 3, 2);
  }
  oh_cg_emit_script(g, &s, "celt-fb-20ms-stereo-48k-fec-on-celt.ohs");
  oh_cg_list_free(&l);
  return g->status;
}

/* Speech then digital silence with DTX on; the window holds the first
 * 1-byte DTX packets. as_losses: the DTX packets become 'L' records, as a
 * sender that stops sending would look. */
static int dtx_stream(oh_cg *g, int mode, int bw, int channels, int as_losses, const char *name) {
  oh_cg_enc e;
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;
  int i, first = -1, from;
  if (oh_cg_enc_open(g, &e, channels, oh_cg_default_bitrate(mode, channels), OH_SIG_SPEECH) != OH_OK)
    return g->status;
  oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_DTX(1)), "OPUS_SET_DTX");
  /* DTX outside SILK needs the signal analysis, which runs from
   * complexity 7 up. */
  oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_COMPLEXITY(10)), "OPUS_SET_COMPLEXITY");
  oh_cg_enc_force(g, &e, oh_cg_opus_mode(mode), oh_cg_opus_bw(bw), channels);
  for (i = 0; i < 40 && g->status == OH_OK; i++) {
    if (i == 4) e.signal = OH_SIG_SILENCE;
    oh_cg_enc_frame(g, &e, 960, &l);
    if (first < 0 && l.len[l.n - 1] == 1) first = l.n - 1;
    if (first >= 0 && l.n - first >= 7) break;
  }
  oh_cg_enc_close(&e);
  if (g->status == OH_OK && first < 0)
    oh_cg_fail(g, OH_ERR_OPUS, "%s: the encoder made no DTX packet", name);
  oh_cg_header(&h, OH_SCRIPT_DECODER, channels, 48000);
  oh_script_init(&s, &h);
  from = first - 3 < 0 ? 0 : first - 3;
  for (i = from; g->status == OH_OK && i < l.n && i < from + 10; i++) {
    if (as_losses && l.len[i] == 1)
      oh_cg_rec_loss(g, &s, 960);
    else
      oh_cg_rec_packet(g, &s, l.data[i], l.len[i]);
  }
  oh_cg_emit_script(g, &s, "%s", name);
  oh_cg_list_free(&l);
  return g->status;
}

/* Forced mode, bandwidth, duration and channel changes frame by frame. */
static int switch_stream(oh_cg *g, const step *st, int n, int channels, uint32_t rate, int flags,
                         int loss_at, const char *name) {
  oh_cg_enc e;
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;
  int i;
  if (oh_cg_enc_open(g, &e, channels, channels == 2 ? 48000 : 32000, OH_SIG_MIX) != OH_OK)
    return g->status;
  oh_cg_enc_steps(g, &e, st, n, &l);
  oh_cg_enc_close(&e);
  oh_cg_header(&h, OH_SCRIPT_DECODER, channels, rate);
  h.flags = flags;
  oh_script_init(&s, &h);
  for (i = 0; i < l.n; i++) {
    if (i == loss_at) oh_cg_rec_loss(g, &s, (int)(960 * rate / 48000));
    oh_cg_rec_packet(g, &s, l.data[i], l.len[i]);
  }
  oh_cg_emit_script(g, &s, "%s", name);
  oh_cg_list_free(&l);
  return g->status;
}

static int switch_streams(oh_cg *g) {
  static const step modes[] = {{SILK, NB, 960, 1},  {SILK, WB, 960, 1}, {HYB, SWB, 960, 1},
                               {HYB, FB, 960, 1},   {CELT, FB, 960, 1}, {CELT, WB, 480, 1},
                               {CELT, NB, 240, 1},  {SILK, WB, 960, 1}, {HYB, FB, 480, 1},
                               {CELT, FB, 120, 1}};
  /* Coded channels switch too: SILK and hybrid need two mono frames in
   * a row before the s bit drops (the first one is a transition). */
  static const step stereo[] = {{SILK, NB, 960, 2}, {SILK, MB, 960, 1},  {SILK, MB, 960, 1},
                                {HYB, SWB, 960, 2}, {HYB, FB, 960, 2},   {CELT, FB, 960, 1},
                                {CELT, SWB, 480, 1}, {SILK, WB, 1920, 2}, {HYB, FB, 480, 1},
                                {CELT, FB, 240, 2}};
  static const step durations[] = {{CELT, FB, 120, 2},  {CELT, FB, 240, 2},  {CELT, FB, 480, 2},
                                   {CELT, FB, 960, 2},  {CELT, FB, 1920, 2}, {CELT, FB, 2880, 2},
                                   {SILK, WB, 480, 2},  {SILK, WB, 960, 2},  {SILK, WB, 1920, 2},
                                   {SILK, WB, 2880, 2}};
  static const step lossy[] = {{CELT, FB, 960, 2}, {CELT, FB, 960, 2}, {CELT, FB, 960, 2},
                               {SILK, WB, 960, 2}, {SILK, WB, 960, 2}, {SILK, WB, 960, 2},
                               {HYB, SWB, 960, 2}, {HYB, SWB, 960, 2}};
  switch_stream(g, modes, 10, 1, 48000, 0, -1, "switch-silk-hybrid-celt-mono-48k.ohs");
  switch_stream(g, stereo, 10, 2, 48000, DIFF, -1,
                "switch-silk-hybrid-celt-stereo-mono-48k-diff.ohs");
  switch_stream(g, durations, 10, 2, 24000, 0, -1, "switch-frame-durations-stereo-24k.ohs");
  switch_stream(g, lossy, 8, 2, 16000, FLT, 3, "switch-celt-silk-hybrid-loss-at-switch-16k.ohs");
  return g->status;
}

static int loss_streams(oh_cg *g) {
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;

  oh_cg_encode_run(g, CELT, FB, 960, 2, OH_SIG_TONE, 4, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 2);
  oh_cg_rec_loss(g, &s, 960);
  oh_cg_rec_loss(g, &s, 960);
  oh_cg_rec_loss(g, &s, 960);
  oh_cg_rec_list(g, &s, &l, 2, 2);
  oh_cg_emit_script(g, &s, "celt-fb-20ms-stereo-48k-loss-burst.ohs");
  oh_cg_list_free(&l);

  oh_cg_encode_run(g, SILK, WB, 960, 1, OH_SIG_SPEECH, 4, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 16000);
  oh_script_init(&s, &h);
  oh_cg_rec_loss(g, &s, 320);
  oh_cg_rec_list(g, &s, &l, 0, 4);
  oh_cg_emit_script(g, &s, "silk-wb-20ms-mono-16k-loss-first.ohs");
  oh_cg_list_free(&l);

  /* 2.5 ms and 120 ms concealment, and a size that is no multiple of
   * 2.5 ms (the decoder must refuse it). */
  oh_cg_encode_run(g, HYB, FB, 960, 1, OH_SIG_MIX, 4, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 48000);
  h.flags = DIFF;
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 1);
  oh_cg_rec_loss(g, &s, 120);
  oh_cg_rec_list(g, &s, &l, 1, 1);
  oh_cg_rec_loss(g, &s, 5760);
  oh_cg_rec_list(g, &s, &l, 2, 1);
  oh_cg_rec_loss(g, &s, 100);
  oh_cg_rec_list(g, &s, &l, 3, 1);
  oh_cg_emit_script(g, &s, "hybrid-fb-20ms-mono-48k-loss-odd-sizes-diff.ohs");
  oh_cg_list_free(&l);

  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 8000);
  oh_script_init(&s, &h);
  oh_cg_rec_loss(g, &s, 80);
  oh_cg_rec_loss(g, &s, 160);
  oh_cg_rec_loss(g, &s, 960);
  oh_cg_emit_script(g, &s, "stereo-8k-losses-only.ohs");
  return g->status;
}

static int ctl_streams(oh_cg *g) {
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;
  int c;

  oh_cg_encode_run(g, SILK, WB, 960, 1, OH_SIG_SPEECH, 3, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 48000);
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 2);
  for (c = OH_CTL_GET_FINAL_RANGE; c <= OH_CTL_GET_PHASE_INVERSION_DISABLED; c++)
    oh_cg_rec_ctl(g, &s, c, 0);
  oh_cg_rec_list(g, &s, &l, 2, 1);
  oh_cg_emit_script(g, &s, "silk-wb-20ms-mono-48k-ctl-getters.ohs");
  oh_cg_list_free(&l);

  oh_cg_encode_run(g, CELT, FB, 960, 2, OH_SIG_CHIRP, 4, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  h.flags = DIFF;
  oh_script_init(&s, &h);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_GAIN, 6 * 256);
  oh_cg_rec_list(g, &s, &l, 0, 1);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_PHASE_INVERSION_DISABLED, 1);
  oh_cg_rec_list(g, &s, &l, 1, 1);
  oh_cg_rec_ctl(g, &s, OH_CTL_RESET_STATE, 0);
  oh_cg_rec_list(g, &s, &l, 2, 1);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_GAIN, -32768);
  oh_cg_rec_list(g, &s, &l, 3, 1);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_GAIN, 32767);
  oh_cg_emit_script(g, &s, "celt-fb-20ms-stereo-48k-ctl-gain-phase-reset-diff.ohs");
  oh_cg_list_free(&l);

  oh_cg_encode_run(g, HYB, SWB, 960, 1, OH_SIG_MIX, 2, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 24000);
  oh_script_init(&s, &h);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_COMPLEXITY, 5);
  oh_cg_rec_list(g, &s, &l, 0, 1);
  oh_cg_rec_ctl(g, &s, OH_CTL_SET_GAIN, 40000);
  oh_cg_rec_list(g, &s, &l, 1, 1);
  oh_cg_emit_script(g, &s, "hybrid-swb-20ms-mono-24k-ctl-rejected.ohs");
  oh_cg_list_free(&l);
  return g->status;
}

static int recreate_streams(oh_cg *g) {
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;

  oh_cg_encode_run(g, CELT, FB, 960, 2, OH_SIG_TONE, 5, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 1);
  oh_cg_rec_recreate(g, &s, 16000, 1);
  oh_cg_rec_list(g, &s, &l, 1, 1);
  oh_cg_rec_recreate(g, &s, 8000, 2);
  oh_cg_rec_list(g, &s, &l, 2, 1);
  oh_cg_rec_recreate(g, &s, 24000, 1);
  oh_cg_rec_list(g, &s, &l, 3, 1);
  oh_cg_rec_recreate(g, &s, 12000, 2);
  oh_cg_rec_list(g, &s, &l, 4, 1);
  oh_cg_emit_script(g, &s, "celt-fb-20ms-stereo-48k-recreate-rates-channels.ohs");
  oh_cg_list_free(&l);

  /* Re-creation with a rate and a channel count libopus refuses. */
  oh_cg_encode_run(g, SILK, NB, 960, 1, OH_SIG_SPEECH, 4, &l);
  oh_cg_header(&h, OH_SCRIPT_DECODER, 1, 48000);
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 1);
  oh_cg_rec_recreate(g, &s, 44100, 1);
  oh_cg_rec_list(g, &s, &l, 1, 1);
  oh_cg_rec_recreate(g, &s, 48000, 3);
  oh_cg_rec_list(g, &s, &l, 2, 1);
  oh_cg_rec_recreate(g, &s, 16000, 1);
  oh_cg_rec_list(g, &s, &l, 3, 1);
  oh_cg_emit_script(g, &s, "silk-nb-20ms-mono-48k-recreate-refused.ohs");
  oh_cg_list_free(&l);
  return g->status;
}

/* Encoder frames re-packed into code 1, 2 and 3 packets (padded too). */
static int repacked_stream(oh_cg *g) {
  oh_cg_list l = {0};
  oh_script s;
  oh_script_header h;
  uint8_t pk[4][2048];
  size_t n[4] = {0};
  int i, code;
  static const int use[4][3] = {{0}, {2, 2}, {3, 4}, {5, 6, 7}};
  oh_cg_encode_run(g, CELT, FB, 960, 2, OH_SIG_CHIRP, 9, &l);
  for (i = 0; i < l.n; i++) oh_cg_expect_toc(g, l.data[i], l.len[i], 31, 1, 0, "encoder output");
  for (code = 1; code <= 3 && g->status == OH_OK; code++) {
    oh_packet_spec sp;
    oh_error perr;
    long w;
    memset(&sp, 0, sizeof sp);
    sp.config = 31;
    sp.stereo = 1;
    sp.code = code;
    sp.vbr = code == 3;
    sp.padding_len = code == 3 ? 20 : 0;
    for (i = 0; i < (code == 3 ? 3 : 2); i++) {
      int k = use[code][i];
      sp.frame_data[sp.frame_count] = l.data[k] + 1;
      sp.frame_len[sp.frame_count++] = l.len[k] - 1;
    }
    w = oh_packet_write(&sp, pk[code], sizeof pk[code], &perr);
    if (w < 0) {
      oh_cg_fail(g, (int)w, "re-packing: %s", perr.reason);
      break;
    }
    n[code] = (size_t)w;
    oh_cg_expect_toc(g, pk[code], n[code], 31, 1, code, "re-packed packet");
  }
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  h.flags = DIFF;
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, &l, 0, 2);
  for (code = 1; code <= 3; code++) oh_cg_rec_packet(g, &s, pk[code], n[code]);
  oh_cg_rec_list(g, &s, &l, 8, 1);
  oh_cg_emit_script(g, &s, "celt-fb-20ms-stereo-48k-repacked-codes-1-3-diff.ohs");
  oh_cg_list_free(&l);
  return g->status;
}

int oh_cg_streams(oh_cg *g) {
  simple_streams(g);
  fec_streams(g);
  dtx_stream(g, SILK, WB, 1, 0, "silk-wb-20ms-mono-48k-dtx.ohs");
  dtx_stream(g, CELT, FB, 2, 0, "celt-fb-20ms-stereo-48k-dtx.ohs");
  dtx_stream(g, SILK, WB, 1, 1, "silk-wb-20ms-mono-48k-dtx-as-losses.ohs");
  switch_streams(g);
  loss_streams(g);
  ctl_streams(g);
  recreate_streams(g);
  repacked_stream(g);
  return g->status;
}
