/* The decode session: libopus called the documented way. It owns the
 * decoder state (opus_decoder_create, or opus_multistream_decoder_create for
 * Ogg mapping families != 0) and a PCM buffer sized for the largest legal
 * frame, so no packet can make libopus write past the buffer. */
#include "opushunt/session.h"

#include <stdlib.h>
#include <string.h>

#include <opus.h>
#include <opus_multistream.h>

struct oh_session {
  oh_session_config cfg;
  OpusDecoder *dec;
  OpusMSDecoder *ms;
  int max_frame;  /* 120 ms at cfg.rate, per channel */
  void *pcm;      /* max_frame * channels samples */
};

void oh_session_config_init(oh_session_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->rate = 48000;
  cfg->channels = 2;
  cfg->sample = OH_SAMPLE_FLOAT;
}

void oh_session_config_from_stream(oh_session_config *cfg,
                                   const oh_stream_info *info) {
  if (!info || !info->known) return;
  cfg->channels = info->channels;
  cfg->gain_q8 = info->output_gain_q8;
  cfg->mapping_family = info->mapping_family;
  cfg->streams = info->stream_count;
  cfg->coupled = info->coupled_count;
  memcpy(cfg->mapping, info->mapping, sizeof cfg->mapping);
  if (info->mapping_family == 0) {
    /* Family 0 is a single stream: one decoder, no mapping table. */
    cfg->streams = 1;
    cfg->coupled = info->channels == 2;
  }
}

static int valid_rate(int32_t rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 ||
         rate == 48000;
}

static int check_config(const oh_session_config *cfg, oh_error *err) {
  if (!valid_rate(cfg->rate))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "output rate %d Hz is not one of 8000, 12000, 16000, 24000, 48000",
                   (int)cfg->rate);
  if (cfg->mapping_family == 0 && (cfg->channels < 1 || cfg->channels > 2))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "%d channels: a single-stream decoder takes 1 or 2", cfg->channels);
  if (cfg->mapping_family != 0 && (cfg->channels < 1 || cfg->channels > 255))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "%d channels out of range 1..255",
                   cfg->channels);
  if (cfg->sample != OH_SAMPLE_S16 && cfg->sample != OH_SAMPLE_FLOAT)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "unknown sample format %d", cfg->sample);
  if (cfg->gain_q8 < -32768 || cfg->gain_q8 > 32767)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "gain %d out of Q7.8 range", cfg->gain_q8);
  return OH_OK;
}

static int create_decoder(oh_session *s, oh_error *err) {
  const oh_session_config *c = &s->cfg;
  int e = OPUS_OK;
  if (c->mapping_family == 0) {
    s->dec = opus_decoder_create(c->rate, c->channels, &e);
    if (!s->dec || e != OPUS_OK)
      return oh_fail(err, OH_ERR_OPUS, OH_NO_OFFSET, "opus_decoder_create(%d, %d): %s",
                     (int)c->rate, c->channels, opus_strerror(e));
    if (c->gain_q8) e = opus_decoder_ctl(s->dec, OPUS_SET_GAIN(c->gain_q8));
  } else {
    s->ms = opus_multistream_decoder_create(c->rate, c->channels, c->streams,
                                            c->coupled, c->mapping, &e);
    if (!s->ms || e != OPUS_OK)
      return oh_fail(err, OH_ERR_OPUS, OH_NO_OFFSET,
                     "opus_multistream_decoder_create(%d Hz, %d ch, %d streams, %d coupled): %s",
                     (int)c->rate, c->channels, c->streams, c->coupled, opus_strerror(e));
    if (c->gain_q8) e = opus_multistream_decoder_ctl(s->ms, OPUS_SET_GAIN(c->gain_q8));
  }
  if (e != OPUS_OK)
    return oh_fail(err, OH_ERR_OPUS, OH_NO_OFFSET, "OPUS_SET_GAIN(%d): %s", c->gain_q8,
                   opus_strerror(e));
  return OH_OK;
}

int oh_session_create(oh_session **out, const oh_session_config *cfg,
                      oh_error *err) {
  oh_session *s;
  int rc;
  *out = NULL;
  if ((rc = check_config(cfg, err)) != OH_OK) return rc;
  s = calloc(1, sizeof *s);
  if (!s) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  s->cfg = *cfg;
  s->max_frame = cfg->rate / 1000 * 120;
  s->pcm = calloc((size_t)s->max_frame * (size_t)cfg->channels,
                  cfg->sample == OH_SAMPLE_FLOAT ? sizeof(float) : sizeof(opus_int16));
  if (!s->pcm) {
    free(s);
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  }
  if ((rc = create_decoder(s, err)) != OH_OK) {
    oh_session_destroy(s);
    return rc;
  }
  *out = s;
  return OH_OK;
}

void oh_session_destroy(oh_session *s) {
  if (!s) return;
  if (s->dec) opus_decoder_destroy(s->dec);
  if (s->ms) opus_multistream_decoder_destroy(s->ms);
  free(s->pcm);
  free(s);
}

/* One libopus call; data may be NULL (PLC). */
static int call(oh_session *s, const uint8_t *data, size_t len, int frame_size,
                int fec, oh_decode_result *res) {
  opus_uint32 range = 0;
  opus_int32 n = (opus_int32)len;
  int ret;
  if (len > 0x7fffffff) n = 0x7fffffff; /* libopus takes opus_int32 */
  if (s->dec) {
    ret = s->cfg.sample == OH_SAMPLE_FLOAT
              ? opus_decode_float(s->dec, data, n, s->pcm, frame_size, fec)
              : opus_decode(s->dec, data, n, s->pcm, frame_size, fec);
    opus_decoder_ctl(s->dec, OPUS_GET_FINAL_RANGE(&range));
  } else {
    ret = s->cfg.sample == OH_SAMPLE_FLOAT
              ? opus_multistream_decode_float(s->ms, data, n, s->pcm, frame_size, fec)
              : opus_multistream_decode(s->ms, data, n, s->pcm, frame_size, fec);
    opus_multistream_decoder_ctl(s->ms, OPUS_GET_FINAL_RANGE(&range));
  }
  res->frame_size = frame_size;
  res->ret = ret;
  res->final_range = range;
  return ret;
}

int oh_session_decode(oh_session *s, const uint8_t *data, size_t len,
                      oh_decode_result *res) {
  res->kind = OH_CALL_PACKET;
  return call(s, data, len, s->max_frame, 0, res);
}

static int last_duration(oh_session *s) {
  opus_int32 d = 0;
  if (s->dec)
    opus_decoder_ctl(s->dec, OPUS_GET_LAST_PACKET_DURATION(&d));
  else {
    /* The multistream decoder has no such CTL of its own: ask stream 0. */
    OpusDecoder *st = NULL;
    if (opus_multistream_decoder_ctl(s->ms, OPUS_MULTISTREAM_GET_DECODER_STATE(0, &st)) ==
            OPUS_OK && st)
      opus_decoder_ctl(st, OPUS_GET_LAST_PACKET_DURATION(&d));
  }
  return d;
}

int oh_session_conceal(oh_session *s, int frame_size, const uint8_t *next,
                       size_t next_len, oh_decode_result *res) {
  if (frame_size <= 0) frame_size = last_duration(s);
  /* Before any packet there is no duration: conceal 20 ms, as opus_demo's
   * callers commonly do. */
  if (frame_size <= 0) frame_size = s->cfg.rate / 50;
  if (frame_size > s->max_frame) frame_size = s->max_frame;
  if (s->cfg.fec && next && next_len > 0) {
    res->kind = OH_CALL_FEC;
    return call(s, next, next_len, frame_size, 1, res);
  }
  res->kind = OH_CALL_PLC;
  return call(s, NULL, 0, frame_size, 0, res);
}

const void *oh_session_pcm(const oh_session *s) { return s->pcm; }

size_t oh_session_sample_bytes(const oh_session *s) {
  return s->cfg.sample == OH_SAMPLE_FLOAT ? sizeof(float) : sizeof(opus_int16);
}

const oh_session_config *oh_session_config_get(const oh_session *s) { return &s->cfg; }

int oh_session_max_frame(const oh_session *s) { return s->max_frame; }

int oh_session_reset(oh_session *s) {
  int e = s->dec ? opus_decoder_ctl(s->dec, OPUS_RESET_STATE)
                 : opus_multistream_decoder_ctl(s->ms, OPUS_RESET_STATE);
  return e == OPUS_OK ? OH_OK : OH_ERR_OPUS;
}
