/* Internal to the corpus generator (corpus_gen*.c): the generator context
 * with its sticky first error, the synthetic signals, encoder helpers, a
 * packet list, OHS1 script assembly and the emit step that checks a seed
 * before handing it out. */
#ifndef OH_CORPUS_GEN_IMPL_H
#define OH_CORPUS_GEN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <opus.h>

#include "opushunt/corpus_gen.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"

/* libopus's private mode switch (src/opus_private.h, unchanged since 1.0;
 * opus_demo uses it): forcing a mode is the only way to reach every TOC
 * configuration on purpose. */
#ifndef OPUS_SET_FORCE_MODE
#define OPUS_SET_FORCE_MODE_REQUEST 11002
#define OPUS_SET_FORCE_MODE(x) OPUS_SET_FORCE_MODE_REQUEST, __opus_check_int(x)
#endif
#define OH_CG_MODE_SILK 1000
#define OH_CG_MODE_HYBRID 1001
#define OH_CG_MODE_CELT 1002
#define OH_CG_MODE_AUTO OPUS_AUTO

#define OH_CG_MAX_PACKET 16384 /* the largest packet any generator asks for */
#define OH_CG_MAX_CHANNELS 18  /* projection, order 3 plus two */

typedef struct oh_cg {
  const oh_corpus_gen_options *opt;
  oh_corpus_emit_fn emit;
  void *user;
  oh_error *err;
  const char *target; /* folder of the seeds being made */
  int status;         /* first error; OH_OK while none */
} oh_cg;

/* Records the first failure in g (later ones are dropped) and returns it. */
int oh_cg_fail(oh_cg *g, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A libopus return code: OH_OK when >= 0, else a failure naming what. */
int oh_cg_opus(oh_cg *g, int ret, const char *what);

/* Hands one seed to the emit callback (name formatted like printf). */
int oh_cg_emit(oh_cg *g, const uint8_t *data, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- signals --------------------------------------------------------- */
typedef enum oh_cg_signal {
  OH_SIG_TONE = 0, /* two tones per channel under a slow envelope */
  OH_SIG_CHIRP,    /* a 100 Hz .. 8 kHz sweep, channels a fifth apart */
  OH_SIG_NOISE,    /* white noise from a fixed-seed hash of the position */
  OH_SIG_SPEECH,   /* a pitch-gliding pulse train with vowel-like formants */
  OH_SIG_SILENCE,
  OH_SIG_MIX       /* speech, tone and noise, different per channel */
} oh_cg_signal;

/* Fills pcm with n interleaved frames of the signal at rate, starting at
 * sample position pos (the same position always gives the same samples). */
void oh_cg_signal_fill(oh_cg_signal sig, int64_t pos, int n, int channels,
                       int rate, int16_t *pcm);

/* ---- a list of packets ----------------------------------------------- */
#define OH_CG_LIST_MAX 64
typedef struct oh_cg_list {
  int n;
  uint8_t *data[OH_CG_LIST_MAX];
  size_t len[OH_CG_LIST_MAX];
} oh_cg_list;

/* Copies a packet to the end of l. */
int oh_cg_list_add(oh_cg *g, oh_cg_list *l, const uint8_t *data, size_t len);
void oh_cg_list_free(oh_cg_list *l);

/* ---- the single-stream encoder --------------------------------------- */
typedef struct oh_cg_enc {
  OpusEncoder *enc;
  int channels;
  int64_t pos;       /* 48 kHz sample position of the next frame */
  oh_cg_signal signal;
} oh_cg_enc;

/* A 48 kHz encoder with fixed settings: complexity 5, the bitrate given,
 * VBR, everything else default. */
int oh_cg_enc_open(oh_cg *g, oh_cg_enc *e, int channels, int bitrate,
                   oh_cg_signal signal);
void oh_cg_enc_close(oh_cg_enc *e);
/* Forces mode (OH_CG_MODE_*), bandwidth (OPUS_BANDWIDTH_* or OPUS_AUTO) and
 * coded channels (1, 2 or OPUS_AUTO) for the next frames. */
int oh_cg_enc_force(oh_cg *g, oh_cg_enc *e, int mode, int bandwidth,
                    int channels);
/* Encodes frame48 samples of the signal and appends the packet to l. */
int oh_cg_enc_frame(oh_cg *g, oh_cg_enc *e, int frame48, oh_cg_list *l);

/* One forced setting for one frame: oh_mode, oh_bandwidth, 48 kHz
 * samples, coded channels (1, 2). */
typedef struct oh_cg_step {
  int mode, bw, frame48, channels;
} oh_cg_step;
/* The bitrate the generators use for a mode and channel count. */
int oh_cg_default_bitrate(int mode, int channels);
/* Encodes one frame per step; every packet must parse. */
int oh_cg_enc_steps(oh_cg *g, oh_cg_enc *e, const oh_cg_step *st, int n, oh_cg_list *out);
/* n frames of one setting from a fresh encoder (default bitrate). */
int oh_cg_encode_run(oh_cg *g, int mode, int bw, int frame48, int channels, oh_cg_signal sig,
                     int n, oh_cg_list *out);

/* The TOC a packet starts with, checked: config, s bit, code. Fails (and
 * records why) when the packet does not parse or its TOC differs. Pass -1
 * to leave a field unchecked. */
int oh_cg_expect_toc(oh_cg *g, const uint8_t *pkt, size_t len, int config,
                     int stereo, int code, const char *what);

/* "silk", "hybrid", "celt"; "nb", "mb", "wb", "swb", "fb"; "2.5ms" .. */
const char *oh_cg_mode_slug(int mode);
const char *oh_cg_bw_slug(int bw);
const char *oh_cg_dur_slug(int samples48);
/* The OPUS_BANDWIDTH_* value of an oh_bandwidth, the OH_CG_MODE_* of an
 * oh_mode. */
int oh_cg_opus_bw(int bw);
int oh_cg_opus_mode(int mode);

/* ---- scripts --------------------------------------------------------- */
/* A header for api with the common fields; the rest stays 0. */
void oh_cg_header(oh_script_header *h, int api, int channels, uint32_t rate);
/* Appends records to s; failures are recorded in g and turn later calls
 * into no-ops, so a generator checks once, at oh_cg_emit_script. */
void oh_cg_rec_packet(oh_cg *g, oh_script *s, const uint8_t *data, size_t len);
void oh_cg_rec_list(oh_cg *g, oh_script *s, const oh_cg_list *l, int from,
                    int count);
void oh_cg_rec_loss(oh_cg *g, oh_script *s, int frame_size);
void oh_cg_rec_fec(oh_cg *g, oh_script *s, int frame_size, const uint8_t *data,
                   size_t len);
void oh_cg_rec_ctl(oh_cg *g, oh_script *s, int ctl, int32_t value);
void oh_cg_rec_recreate(oh_cg *g, oh_script *s, uint32_t rate, int channels);
/* Serialises s, checks it parses back strictly, emits it and frees s. */
int oh_cg_emit_script(oh_cg *g, oh_script *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Big-endian and little-endian stores. */
void oh_cg_be16(uint8_t *p, unsigned v);
void oh_cg_be32(uint8_t *p, uint32_t v);
void oh_cg_le16(uint8_t *p, unsigned v);
void oh_cg_le32(uint8_t *p, uint32_t v);

/* The generators, one per target (or group of targets). */
int oh_cg_packets(oh_cg *g);
int oh_cg_streams(oh_cg *g);
int oh_cg_multistream(oh_cg *g);
int oh_cg_projection(oh_cg *g);
int oh_cg_custom(oh_cg *g);
int oh_cg_repacketizer(oh_cg *g);
int oh_cg_pipeline(oh_cg *g);
int oh_cg_readers(oh_cg *g);
/* Vector-derived seeds for the packet and stream targets. */
int oh_cg_vectors(oh_cg *g, int target);

#endif
