/* Seeds of the `packet` target: one raw packet each. Every one of the 32
 * TOC configurations, mono and stereo, in each frame packing code 0-3,
 * built with oh_packet_write from frames the encoder made under a forced
 * mode, bandwidth, frame size and channel count; each packet's TOC is read
 * back before it is written. A few edge packets follow (48 frames, empty
 * frames, 1275-byte frames, two-byte lengths, LBRR data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_gen_impl.h"

#define WARMUP 2

/* Encodes nframes frames of config c (mono or stereo) after a warm-up and
 * puts each frame's payload (the packet minus its TOC) in frames. */
static int encode_config(oh_cg *g, int config, int stereo, int bitrate, int cbr, int fec,
                         int nframes, oh_cg_list *frames) {
  oh_toc t;
  oh_cg_enc e;
  oh_cg_list pk = {0};
  int i;
  oh_toc_decode(oh_toc_encode(config, stereo, 0), &t);
  if (oh_cg_enc_open(g, &e, 2, bitrate,
                     t.mode == OH_MODE_SILK     ? OH_SIG_SPEECH
                     : t.mode == OH_MODE_HYBRID ? OH_SIG_MIX
                     : config & 1               ? OH_SIG_CHIRP
                                                : OH_SIG_TONE) != OH_OK)
    return g->status;
  oh_cg_enc_force(g, &e, oh_cg_opus_mode(t.mode), oh_cg_opus_bw(t.bandwidth), stereo ? 2 : 1);
  if (cbr) oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_VBR(0)), "OPUS_SET_VBR");
  if (fec) {
    oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_INBAND_FEC(1)), "OPUS_SET_INBAND_FEC");
    oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_PACKET_LOSS_PERC(25)),
               "OPUS_SET_PACKET_LOSS_PERC");
  }
  for (i = 0; i < WARMUP + nframes && g->status == OH_OK; i++)
    oh_cg_enc_frame(g, &e, t.frame_samples48, &pk);
  for (i = WARMUP; i < pk.n && g->status == OH_OK; i++) {
    oh_packet p;
    oh_error perr;
    if (oh_cg_expect_toc(g, pk.data[i], pk.len[i], config, stereo, 0, "encoder output") != OH_OK)
      break;
    oh_packet_parse(pk.data[i], pk.len[i], 0, &p, NULL, &perr);
    oh_cg_list_add(g, frames, pk.data[i] + p.frame_offset[0], p.frame_len[0]);
  }
  oh_cg_list_free(&pk);
  oh_cg_enc_close(&e);
  return g->status;
}

static int bitrate_for(int config, int stereo) {
  oh_toc t;
  oh_toc_decode(oh_toc_encode(config, 0, 0), &t);
  if (t.mode == OH_MODE_SILK) return stereo ? 32000 : 20000;
  if (t.mode == OH_MODE_HYBRID) return stereo ? 48000 : 32000;
  return stereo ? 64000 : 32000;
}

/* Writes spec as a packet, checks its TOC and emits it under name. */
static int emit_spec(oh_cg *g, const oh_packet_spec *spec, const char *name) {
  uint8_t out[OH_CG_MAX_PACKET];
  oh_error perr;
  long n;
  if (g->status != OH_OK) return g->status;
  n = oh_packet_write(spec, out, sizeof out, &perr);
  if (n < 0) return oh_cg_fail(g, (int)n, "%s: oh_packet_write: %s", name, perr.reason);
  if (oh_cg_expect_toc(g, out, (size_t)n, spec->config, spec->stereo, spec->code, name) != OH_OK)
    return g->status;
  return oh_cg_emit(g, out, (size_t)n, "%s.raw", name);
}

static void spec_init(oh_packet_spec *s, int config, int stereo, int code) {
  memset(s, 0, sizeof *s);
  s->config = config;
  s->stereo = stereo;
  s->code = code;
}

static void spec_frame(oh_packet_spec *s, const oh_cg_list *frames, int i) {
  s->frame_data[s->frame_count] = frames->data[i];
  s->frame_len[s->frame_count++] = frames->len[i];
}

static void stem(char *buf, size_t cap, int config, int stereo) {
  oh_toc t;
  oh_toc_decode(oh_toc_encode(config, stereo, 0), &t);
  snprintf(buf, cap, "%s-%s-%s-%s", oh_cg_mode_slug(t.mode), oh_cg_bw_slug(t.bandwidth),
           oh_cg_dur_slug(t.frame_samples48), stereo ? "stereo" : "mono");
}

/* The four packing codes of one configuration. Code 3 varies with the
 * configuration so that CBR/VBR with and without padding (short and
 * two-byte padding lengths) all occur many times. */
static int one_config(oh_cg *g, int config, int stereo) {
  static const char *const variant[4] = {"cbr", "cbr-pad", "vbr", "vbr-pad"};
  oh_cg_list frames = {0};
  oh_packet_spec s;
  oh_toc t;
  char base[64], name[96];
  int v = (config + stereo) % 4, n, i;
  oh_toc_decode(oh_toc_encode(config, stereo, 0), &t);
  n = OH_MAX_PACKET_SAMPLES48 / t.frame_samples48;
  if (n > 3) n = 3;
  if (encode_config(g, config, stereo, bitrate_for(config, stereo), 0, 0, 3, &frames) != OH_OK)
    goto out;
  stem(base, sizeof base, config, stereo);
  spec_init(&s, config, stereo, 0);
  spec_frame(&s, &frames, 0);
  snprintf(name, sizeof name, "%s-code0", base);
  emit_spec(g, &s, name);
  spec_init(&s, config, stereo, 1);
  spec_frame(&s, &frames, 0);
  spec_frame(&s, &frames, 0);
  snprintf(name, sizeof name, "%s-code1", base);
  emit_spec(g, &s, name);
  spec_init(&s, config, stereo, 2);
  spec_frame(&s, &frames, 0);
  spec_frame(&s, &frames, 1);
  snprintf(name, sizeof name, "%s-code2", base);
  emit_spec(g, &s, name);
  spec_init(&s, config, stereo, 3);
  s.vbr = v >= 2;
  for (i = 0; i < n; i++) spec_frame(&s, &frames, s.vbr ? i : 0);
  if (v & 1) s.padding_len = (config >> 2) & 1 ? 300 : 7;
  snprintf(name, sizeof name, "%s-code3-%s", base, variant[v]);
  emit_spec(g, &s, name);
out:
  oh_cg_list_free(&frames);
  return g->status;
}

/* 48 frames of 2.5 ms: the most frames a packet may hold. */
static int max_frames(oh_cg *g, int stereo) {
  oh_cg_list frames = {0};
  oh_packet_spec s;
  int i;
  if (encode_config(g, 28, stereo, 32000, 0, 0, stereo ? OH_MAX_FRAMES : 1, &frames) == OH_OK) {
    spec_init(&s, 28, stereo, 3);
    s.vbr = stereo;
    s.padding_len = stereo ? 3 : 0;
    for (i = 0; i < OH_MAX_FRAMES; i++) spec_frame(&s, &frames, stereo ? i : 0);
    emit_spec(g, &s, stereo ? "celt-fb-2.5ms-stereo-code3-48frames-vbr-pad"
                            : "celt-fb-2.5ms-mono-code3-48frames-cbr");
  }
  oh_cg_list_free(&frames);
  return g->status;
}

/* Empty frames, a padding flag with no padding, a TOC-only packet. */
static int empty_frames(oh_cg *g) {
  oh_cg_list frames = {0};
  oh_packet_spec s;
  static const uint8_t none[1] = {0};
  int i;
  spec_init(&s, 1, 0, 0);
  s.frame_count = 1;
  s.frame_data[0] = none;
  emit_spec(g, &s, "silk-nb-20ms-mono-code0-toc-only");
  spec_init(&s, 31, 1, 3);
  s.frame_count = 3;
  for (i = 0; i < 3; i++) s.frame_data[i] = none;
  emit_spec(g, &s, "celt-fb-20ms-stereo-code3-cbr-empty-frames");
  if (encode_config(g, 31, 0, 32000, 0, 0, 2, &frames) == OH_OK) {
    spec_init(&s, 31, 0, 2);
    s.frame_count = 1;
    s.frame_data[0] = none;
    spec_frame(&s, &frames, 1);
    emit_spec(g, &s, "celt-fb-20ms-mono-code2-empty-first");
  }
  oh_cg_list_free(&frames);
  if (encode_config(g, 15, 1, 48000, 0, 0, 2, &frames) == OH_OK) {
    spec_init(&s, 15, 1, 3);
    s.vbr = 1;
    s.force_padding_flag = 1;
    spec_frame(&s, &frames, 0);
    spec_frame(&s, &frames, 1);
    emit_spec(g, &s, "hybrid-fb-20ms-stereo-code3-vbr-pad-flag-zero");
  }
  oh_cg_list_free(&frames);
  return g->status;
}

/* Long frames: 1275 bytes (the most one frame may hold) and frames whose
 * lengths take the two-byte form. */
static int long_frames(oh_cg *g) {
  oh_cg_list frames = {0};
  oh_packet_spec s;
  int i;
  if (encode_config(g, 31, 1, OPUS_BITRATE_MAX, 1, 0, 1, &frames) == OH_OK) {
    if (frames.len[0] != OH_MAX_FRAME_BYTES)
      oh_cg_fail(g, OH_ERR_MALFORMED, "CBR frame at the highest bitrate of %zu bytes, not 1275",
                 frames.len[0]);
    spec_init(&s, 31, 1, 1);
    spec_frame(&s, &frames, 0);
    spec_frame(&s, &frames, 0);
    emit_spec(g, &s, "celt-fb-20ms-stereo-code1-1275-byte-frames");
  }
  oh_cg_list_free(&frames);
  if (encode_config(g, 31, 1, 160000, 0, 0, 3, &frames) == OH_OK) {
    spec_init(&s, 31, 1, 2);
    spec_frame(&s, &frames, 0);
    spec_frame(&s, &frames, 1);
    emit_spec(g, &s, "celt-fb-20ms-stereo-code2-two-byte-length");
    spec_init(&s, 31, 1, 3);
    s.vbr = 1;
    for (i = 0; i < 3; i++) spec_frame(&s, &frames, i);
    emit_spec(g, &s, "celt-fb-20ms-stereo-code3-vbr-two-byte-lengths");
  }
  oh_cg_list_free(&frames);
  /* CBR CELT frames of equal length: code 1 from two different frames. */
  if (encode_config(g, 31, 1, 64000, 1, 0, 2, &frames) == OH_OK) {
    if (frames.len[0] != frames.len[1])
      oh_cg_fail(g, OH_ERR_MALFORMED, "CBR frames of %zu and %zu bytes", frames.len[0],
                 frames.len[1]);
    spec_init(&s, 31, 1, 1);
    spec_frame(&s, &frames, 0);
    spec_frame(&s, &frames, 1);
    emit_spec(g, &s, "celt-fb-20ms-stereo-code1-cbr-distinct-frames");
  }
  oh_cg_list_free(&frames);
  return g->status;
}

/* Packets carrying SILK's in-band FEC (LBRR) for the frame before. */
static int lbrr(oh_cg *g) {
  static const struct {
    int config, stereo, bitrate;
    const char *name;
  } cases[] = {{9, 0, 24000, "silk-wb-20ms-mono-code0-lbrr"},
               {13, 1, 48000, "hybrid-swb-20ms-stereo-code0-lbrr"},
               {11, 1, 40000, "silk-wb-60ms-stereo-code0-lbrr"}};
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    oh_cg_list frames = {0};
    oh_packet_spec s;
    if (encode_config(g, cases[i].config, cases[i].stereo, cases[i].bitrate, 0, 1, 3, &frames) ==
        OH_OK) {
      spec_init(&s, cases[i].config, cases[i].stereo, 0);
      spec_frame(&s, &frames, 2);
      emit_spec(g, &s, cases[i].name);
    }
    oh_cg_list_free(&frames);
  }
  return g->status;
}

int oh_cg_packets(oh_cg *g) {
  int c, s;
  for (c = 0; c < 32; c++)
    for (s = 0; s < 2; s++) one_config(g, c, s);
  max_frames(g, 0);
  max_frames(g, 1);
  empty_frames(g);
  long_frames(g);
  lbrr(g);
  return g->status;
}
