/* Seeds of the `custom` target: OHS1 scripts of raw CELT frames (no TOC)
 * made by opus_custom_encode for a few legal rate/frame-size pairs, the
 * standard 48 kHz mode at several of its sizes as well as truly custom
 * modes (44.1 kHz/320, 22.05 kHz/512, 96 kHz/960, ...), mono and stereo,
 * CBR and VBR, one with losses and CTLs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_custom.h>

#include "corpus_gen_impl.h"

static int encode_custom(oh_cg *g, int rate, int frame, int channels, int vbr, int n,
                         oh_cg_list *out) {
  int err = OPUS_OK, i, bytes;
  OpusCustomMode *mode = opus_custom_mode_create(rate, frame, &err);
  OpusCustomEncoder *enc = NULL;
  int16_t pcm[1024 * 2];
  uint8_t buf[1275];
  if (oh_cg_opus(g, err, "opus_custom_mode_create") != OH_OK) return g->status;
  enc = opus_custom_encoder_create(mode, channels, &err);
  if (oh_cg_opus(g, err, "opus_custom_encoder_create") != OH_OK) goto out;
  /* About 48 kb/s per channel, never over one frame's limit. */
  bytes = (int)((int64_t)48000 * channels * frame / 8 / rate);
  if (bytes > 1275) bytes = 1275;
  if (bytes < 8) bytes = 8;
  opus_custom_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
  if (vbr) {
    /* A target below the byte budget, so frame sizes vary. */
    opus_custom_encoder_ctl(enc, OPUS_SET_VBR(1));
    opus_custom_encoder_ctl(enc, OPUS_SET_BITRATE(32000 * channels));
  }
  for (i = 0; i < n && g->status == OH_OK; i++) {
    int len;
    oh_cg_signal_fill(i & 2 ? OH_SIG_CHIRP : OH_SIG_MIX, (int64_t)i * frame, frame, channels,
                      rate, pcm);
    len = opus_custom_encode(enc, pcm, frame, buf, bytes);
    if (oh_cg_opus(g, len, "opus_custom_encode") != OH_OK) break;
    oh_cg_list_add(g, out, buf, (size_t)len);
  }
out:
  if (enc) opus_custom_encoder_destroy(enc);
  opus_custom_mode_destroy(mode);
  return g->status;
}

/* Only modes libopus 1.3.1 decodes without tripping its own defects (see
 * harness/fuzzers/custom.c): more than 21 bands (48000/256, 44100/512,
 * 96000/1024, ...) abort every decode, and 2.5 ms short blocks below 48 kHz
 * (8000/80, 16000/160, 32000/320, ...) overflow a stack buffer. Checked
 * under ASan over 8..96 kHz and 40..1024 samples; the seeds must run clean
 * so the fuzzer can start from them and reach those defects itself. */
int oh_cg_custom(oh_cg *g) {
  static const struct {
    int rate, frame, channels, vbr, extras, flags;
  } t[] = {
      {48000, 960, 2, 0, 0, 0},   {48000, 120, 1, 1, 0, 0},
      {48000, 240, 2, 1, 0, OH_SCRIPT_F_DIFFERENTIAL}, {48000, 400, 1, 0, 0, 0},
      {44100, 320, 2, 1, 0, 0},   {32000, 480, 1, 0, 0, OH_SCRIPT_F_FLOAT},
      {22050, 512, 2, 1, 0, 0},   {16000, 256, 2, 0, 0, 0},
      {8000, 128, 1, 1, 0, 0},    {96000, 960, 1, 0, 0, 0},
      {48000, 480, 2, 1, 1, 0},
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0] && g->status == OH_OK; i++) {
    oh_cg_list l = {0};
    oh_script s;
    oh_script_header h;
    encode_custom(g, t[i].rate, t[i].frame, t[i].channels, t[i].vbr, 6, &l);
    oh_cg_header(&h, OH_SCRIPT_CUSTOM, t[i].channels, (uint32_t)t[i].rate);
    h.frame_size = t[i].frame;
    h.custom_frame = t[i].frame;
    h.flags = t[i].flags;
    oh_script_init(&s, &h);
    oh_cg_rec_list(g, &s, &l, 0, 2);
    if (t[i].extras) {
      oh_cg_rec_loss(g, &s, t[i].frame);
      oh_cg_rec_ctl(g, &s, OH_CTL_GET_FINAL_RANGE, 0);
      oh_cg_rec_ctl(g, &s, OH_CTL_RESET_STATE, 0);
      oh_cg_rec_ctl(g, &s, OH_CTL_GET_PITCH, 0);
    }
    oh_cg_rec_list(g, &s, &l, 2, l.n - 2);
    oh_cg_emit_script(g, &s, "custom-%dhz-%d-%s-%s%s%s%s.ohs", t[i].rate, t[i].frame,
                      t[i].channels == 2 ? "stereo" : "mono", t[i].vbr ? "vbr" : "cbr",
                      t[i].extras ? "-loss-ctl" : "",
                      t[i].flags & OH_SCRIPT_F_FLOAT ? "-float" : "",
                      t[i].flags & OH_SCRIPT_F_DIFFERENTIAL ? "-diff" : "");
    oh_cg_list_free(&l);
  }
  return g->status;
}
