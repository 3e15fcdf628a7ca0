/* The decode session: the correct way to call libopus, used by the
 * reference decoder and as the `reference` model of the reproducer and the
 * fuzzers. State comes from opus_decoder_create (or the multistream twin for
 * Ogg channel mapping families != 0), the PCM buffer holds the largest legal
 * frame (120 ms x channels at the output rate), losses are concealed with a
 * frame_size equal to the gap, FEC is used when asked, and the final range
 * is read after every call. */
#ifndef OPUSHUNT_SESSION_H
#define OPUSHUNT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"
#include "opushunt/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_sample_format { OH_SAMPLE_S16 = 0, OH_SAMPLE_FLOAT = 1 } oh_sample_format;

typedef struct oh_session_config {
  int32_t rate;            /* 8000, 12000, 16000, 24000 or 48000 */
  int channels;            /* 1 or 2; up to 255 with a multistream mapping */
  oh_sample_format sample;
  int fec;                 /* recover a lost packet from the next one's LBRR */
  int gain_q8;             /* OPUS_SET_GAIN, dB in Q7.8 */
  int mapping_family;      /* 0: plain decoder; else multistream with: */
  int streams;
  int coupled;
  uint8_t mapping[255];
} oh_session_config;

/* Defaults: 48 kHz stereo float, no FEC, no gain, family 0. */
void oh_session_config_init(oh_session_config *cfg);

/* Fills the multistream fields (and channels) from an Ogg OpusHead. */
void oh_session_config_from_stream(oh_session_config *cfg,
                                   const oh_stream_info *info);

typedef enum oh_call_kind {
  OH_CALL_PACKET = 0,  /* a packet decoded normally */
  OH_CALL_PLC = 1,     /* a loss concealed (data NULL) */
  OH_CALL_FEC = 2      /* a loss recovered from the next packet's FEC */
} oh_call_kind;

typedef struct oh_decode_result {
  oh_call_kind kind;
  int frame_size;          /* frame_size argument passed, per channel */
  int ret;                 /* samples per channel, or a negative OPUS_ error */
  uint32_t final_range;    /* OPUS_GET_FINAL_RANGE after the call */
} oh_decode_result;

typedef struct oh_session oh_session;

int oh_session_create(oh_session **out, const oh_session_config *cfg,
                      oh_error *err);
void oh_session_destroy(oh_session *s);

/* Decodes one packet. The return value is res->ret. */
int oh_session_decode(oh_session *s, const uint8_t *data, size_t len,
                      oh_decode_result *res);

/* Conceals one loss. frame_size is the gap in samples per channel at the
 * output rate; 0 means "the duration of the last packet"
 * (OPUS_GET_LAST_PACKET_DURATION). With fec enabled and next != NULL, the
 * loss is recovered from next's in-band FEC (decode_fec = 1) instead. */
int oh_session_conceal(oh_session *s, int frame_size, const uint8_t *next,
                       size_t next_len, oh_decode_result *res);

/* Output of the last successful call: res->ret samples per channel,
 * interleaved, int16_t or float per the config. */
const void *oh_session_pcm(const oh_session *s);
size_t oh_session_sample_bytes(const oh_session *s);
const oh_session_config *oh_session_config_get(const oh_session *s);

/* Largest frame_size accepted: 120 ms at the output rate. */
int oh_session_max_frame(const oh_session *s);

/* OPUS_RESET_STATE. */
int oh_session_reset(oh_session *s);

#ifdef __cplusplus
}
#endif
#endif
