/* Seeds of the `multistream` and `projection` targets: OHS1 scripts whose
 * packets come from opus_multistream_encoder_create (family 0 and odd
 * family-255 layouts), opus_multistream_surround_encoder_create (family 1,
 * 1..8 channels; family 2 ambisonics) and
 * opus_projection_ambisonics_encoder_create (family 3, orders 1..3, with
 * and without the two non-diegetic channels, demixing matrix from
 * OPUS_PROJECTION_GET_DEMIXING_MATRIX). Every packet is checked to hold one
 * self-delimited packet per stream but the last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_multistream.h>
#include <opus_projection.h>

#include "corpus_gen_impl.h"

/* The packet holds `streams` Opus packets, all but the last self-delimited. */
static int check_ms_packet(oh_cg *g, const uint8_t *data, size_t len, int streams) {
  size_t off = 0;
  int s;
  for (s = 0; s < streams && g->status == OH_OK; s++) {
    oh_packet p;
    oh_error perr;
    oh_rule rule;
    int last = s == streams - 1;
    if (oh_packet_parse(data + off, len - off, !last, &p, &rule, &perr) != OH_OK)
      return oh_cg_fail(g, OH_ERR_MALFORMED, "multistream packet: stream %d breaks %s: %s", s,
                        oh_rule_name(rule), perr.reason);
    off += last ? len - off : p.packet_len;
  }
  return g->status;
}

/* Encodes n frames of the signal with either encoder (one of ms, pr). */
static int encode(oh_cg *g, OpusMSEncoder *ms, OpusProjectionEncoder *pr, int channels,
                  int streams, oh_cg_signal sig, int frame48, int n, oh_cg_list *out) {
  int16_t *pcm = malloc(sizeof *pcm * (size_t)frame48 * (size_t)channels);
  uint8_t *buf = malloc(OH_CG_MAX_PACKET);
  int i;
  if (!pcm || !buf) oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
  for (i = 0; i < n && g->status == OH_OK; i++) {
    int len;
    oh_cg_signal_fill(sig, (int64_t)i * frame48, frame48, channels, 48000, pcm);
    len = ms ? opus_multistream_encode(ms, pcm, frame48, buf, OH_CG_MAX_PACKET)
             : opus_projection_encode(pr, pcm, frame48, buf, OH_CG_MAX_PACKET);
    if (oh_cg_opus(g, len, "multistream encode") != OH_OK) break;
    if (check_ms_packet(g, buf, (size_t)len, streams) != OH_OK) break;
    oh_cg_list_add(g, out, buf, (size_t)len);
  }
  free(pcm);
  free(buf);
  return g->status;
}

typedef struct ms_seed {
  int channels, streams, coupled, family;
  const uint8_t *mapping; /* the decoder's mapping, channels bytes */
  uint32_t rate;
  int flags;
} ms_seed;

/* Writes the script: header, mapping, the packets, optional extra records
 * (loss, CTL) after the second packet. */
static int emit_ms(oh_cg *g, const ms_seed *m, const oh_cg_list *l, int extras,
                   const char *name) {
  oh_script s;
  oh_script_header h;
  oh_cg_header(&h, OH_SCRIPT_MULTISTREAM, m->channels, m->rate);
  h.streams = m->streams;
  h.coupled = m->coupled;
  h.family = m->family;
  h.flags = m->flags;
  h.extra = m->mapping;
  h.extra_len = (size_t)m->channels;
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, l, 0, 2);
  if (extras) {
    oh_cg_rec_loss(g, &s, (int)(960 * m->rate / 48000));
    oh_cg_rec_ctl(g, &s, OH_CTL_GET_FINAL_RANGE, 0);
    oh_cg_rec_ctl(g, &s, OH_CTL_SET_GAIN, -3 * 256);
    oh_cg_rec_fec(g, &s, (int)(960 * m->rate / 48000), l->data[3], l->len[3]);
    oh_cg_rec_list(g, &s, l, 3, l->n - 3);
  } else {
    oh_cg_rec_list(g, &s, l, 2, l->n - 2);
  }
  return oh_cg_emit_script(g, &s, "%s", name);
}

/* Family 0 and family 255: the encoder layout, then the decoder's. */
static int plain_layouts(oh_cg *g) {
  static const uint8_t id[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  static const uint8_t silent[6] = {0, 1, 2, 3, 255, 255}, dup[2] = {0, 0}, one[1] = {2},
                       rev[4] = {3, 2, 1, 0};
  static const struct {
    int enc_channels; /* the encoder's channels (identity mapping) */
    ms_seed dec;
    int mode, bw, frame48, extras;
    const char *name;
  } t[] = {
      {1, {1, 1, 0, 0, id, 48000, 0}, 1002, OPUS_BANDWIDTH_FULLBAND, 960, 0,
       "fam0-mono-celt-20ms-48k.ohs"},
      {2, {2, 1, 1, 0, id, 48000, 0}, 1000, OPUS_BANDWIDTH_WIDEBAND, 960, 0,
       "fam0-stereo-silk-20ms-48k.ohs"},
      {2, {2, 1, 1, 0, id, 24000, OH_SCRIPT_F_DIFFERENTIAL}, 1001, OPUS_BANDWIDTH_FULLBAND, 480,
       1, "fam0-stereo-hybrid-10ms-24k-loss-ctl-fec-diff.ohs"},
      {3, {3, 3, 0, 255, id, 48000, 0}, OPUS_AUTO, OPUS_AUTO, 960, 0,
       "fam255-3ch-3streams-0coupled.ohs"},
      {5, {5, 4, 1, 255, id, 48000, 0}, OPUS_AUTO, OPUS_AUTO, 960, 0,
       "fam255-5ch-4streams-1coupled.ohs"},
      {4, {6, 2, 2, 255, silent, 48000, 0}, OPUS_AUTO, OPUS_AUTO, 960, 0,
       "fam255-6ch-2coupled-two-silent-channels.ohs"},
      {1, {2, 1, 0, 255, dup, 16000, OH_SCRIPT_F_FLOAT}, 1000, OPUS_BANDWIDTH_WIDEBAND, 960, 0,
       "fam255-2ch-one-mono-stream-duplicated-16k-float.ohs"},
      {3, {1, 2, 1, 255, one, 48000, 0}, OPUS_AUTO, OPUS_AUTO, 960, 0,
       "fam255-1ch-from-second-of-2streams.ohs"},
      {4, {4, 2, 2, 255, rev, 12000, 0}, 1002, OPUS_AUTO, 480, 0,
       "fam255-4ch-2coupled-reversed-12k.ohs"},
      {8, {8, 8, 0, 255, id, 8000, 0}, OPUS_AUTO, OPUS_AUTO, 1920, 0,
       "fam255-8ch-8mono-streams-40ms-8k.ohs"},
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0] && g->status == OH_OK; i++) {
    int err = OPUS_OK, enc_streams = t[i].dec.streams, enc_coupled = t[i].dec.coupled;
    OpusMSEncoder *enc;
    oh_cg_list l = {0};
    enc = opus_multistream_encoder_create(48000, t[i].enc_channels, enc_streams, enc_coupled, id,
                                          OPUS_APPLICATION_AUDIO, &err);
    if (oh_cg_opus(g, err, "opus_multistream_encoder_create") != OH_OK) break;
    opus_multistream_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
    opus_multistream_encoder_ctl(enc, OPUS_SET_BITRATE(24000 * t[i].enc_channels));
    opus_multistream_encoder_ctl(enc, OPUS_SET_FORCE_MODE(t[i].mode));
    opus_multistream_encoder_ctl(enc, OPUS_SET_BANDWIDTH(t[i].bw));
    if (t[i].extras) {
      opus_multistream_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
      opus_multistream_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(20));
    }
    encode(g, enc, NULL, t[i].enc_channels, enc_streams, OH_SIG_MIX, t[i].frame48, 6, &l);
    opus_multistream_encoder_destroy(enc);
    emit_ms(g, &t[i].dec, &l, t[i].extras, t[i].name);
    oh_cg_list_free(&l);
  }
  return g->status;
}

/* Family 1 (Vorbis order) for 1..8 channels through the surround encoder,
 * durations and rates varying; the layout comes from the encoder. */
static int surround_layouts(oh_cg *g) {
  static const int frame48[9] = {0, 960, 480, 960, 1920, 960, 960, 2880, 240};
  static const uint32_t rate[9] = {0, 48000, 48000, 16000, 48000, 24000, 48000, 48000, 12000};
  static const char *const what[9] = {"",     "mono", "stereo", "3.0", "quad",
                                      "5.0", "5.1",  "6.1",    "7.1"};
  int ch;
  for (ch = 1; ch <= 8 && g->status == OH_OK; ch++) {
    int err = OPUS_OK, streams = 0, coupled = 0;
    uint8_t mapping[8];
    OpusMSEncoder *enc;
    oh_cg_list l = {0};
    ms_seed m;
    char name[96];
    enc = opus_multistream_surround_encoder_create(48000, ch, 1, &streams, &coupled, mapping,
                                                   OPUS_APPLICATION_AUDIO, &err);
    if (oh_cg_opus(g, err, "opus_multistream_surround_encoder_create") != OH_OK) break;
    opus_multistream_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
    opus_multistream_encoder_ctl(enc, OPUS_SET_BITRATE(20000 * ch));
    encode(g, enc, NULL, ch, streams, ch & 1 ? OH_SIG_MIX : OH_SIG_TONE, frame48[ch],
           ch == 7 ? 4 : 6, &l);
    opus_multistream_encoder_destroy(enc);
    m = (ms_seed){ch, streams, coupled, 1, mapping, rate[ch], ch == 6 ? OH_SCRIPT_F_DIFFERENTIAL : 0};
    snprintf(name, sizeof name, "fam1-%dch-%s-%s-%uk%s.ohs", ch, what[ch],
             oh_cg_dur_slug(frame48[ch]), (unsigned)(rate[ch] / 1000),
             m.flags ? "-diff" : "");
    emit_ms(g, &m, &l, ch == 2, name);
    oh_cg_list_free(&l);
  }
  return g->status;
}

int oh_cg_multistream(oh_cg *g) {
  plain_layouts(g);
  surround_layouts(g);
  return g->status;
}

/* ---- projection ------------------------------------------------------ */

static int emit_projection(oh_cg *g, int channels, int streams, int coupled, int family,
                           const uint8_t *matrix, size_t matrix_len, uint32_t rate, int flags,
                           const oh_cg_list *l, int extras, const char *name) {
  oh_script s;
  oh_script_header h;
  oh_cg_header(&h, OH_SCRIPT_PROJECTION, channels, rate);
  h.streams = streams;
  h.coupled = coupled;
  h.family = family;
  h.flags = flags;
  h.extra = matrix;
  h.extra_len = matrix_len;
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, l, 0, 2);
  if (extras) {
    oh_cg_rec_loss(g, &s, (int)(960 * rate / 48000));
    oh_cg_rec_ctl(g, &s, OH_CTL_GET_FINAL_RANGE, 0);
    oh_cg_rec_ctl(g, &s, OH_CTL_RESET_STATE, 0);
  }
  oh_cg_rec_list(g, &s, l, 2, l->n - 2);
  return oh_cg_emit_script(g, &s, "%s", name);
}

/* Family 3: orders 1..3, plus two non-diegetic channels or not. */
static int ambisonics(oh_cg *g) {
  static const struct {
    int channels;
    uint32_t rate;
    int flags, extras;
  } t[] = {{4, 48000, 0, 0},  {6, 48000, OH_SCRIPT_F_FLOAT, 0},
           {9, 48000, OH_SCRIPT_F_DIFFERENTIAL, 0}, {11, 24000, 0, 0},
           {16, 48000, 0, 0}, {18, 48000, 0, 0},
           {4, 16000, OH_SCRIPT_F_FLOAT, 1}};
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0] && g->status == OH_OK; i++) {
    int err = OPUS_OK, streams = 0, coupled = 0, size = 0, order;
    OpusProjectionEncoder *enc;
    uint8_t *matrix = NULL;
    oh_cg_list l = {0};
    char name[96];
    enc = opus_projection_ambisonics_encoder_create(48000, t[i].channels, 3, &streams, &coupled,
                                                    OPUS_APPLICATION_AUDIO, &err);
    if (oh_cg_opus(g, err, "opus_projection_ambisonics_encoder_create") != OH_OK) break;
    opus_projection_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
    opus_projection_encoder_ctl(enc, OPUS_SET_BITRATE(12000 * t[i].channels));
    oh_cg_opus(g, opus_projection_encoder_ctl(enc, OPUS_PROJECTION_GET_DEMIXING_MATRIX_SIZE(&size)),
               "OPUS_PROJECTION_GET_DEMIXING_MATRIX_SIZE");
    if (g->status == OH_OK && !(matrix = malloc((size_t)size)))
      oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
    if (g->status == OH_OK)
      oh_cg_opus(g, opus_projection_encoder_ctl(enc, OPUS_PROJECTION_GET_DEMIXING_MATRIX(matrix, size)),
                 "OPUS_PROJECTION_GET_DEMIXING_MATRIX");
    encode(g, NULL, enc, t[i].channels, streams, OH_SIG_MIX, 960, 5, &l);
    opus_projection_encoder_destroy(enc);
    order = t[i].channels >= 16 ? 3 : t[i].channels >= 9 ? 2 : 1;
    snprintf(name, sizeof name, "fam3-order%d-%dch%s-%uk%s%s%s.ohs", order, t[i].channels,
             t[i].channels > (order + 1) * (order + 1) ? "-nondiegetic" : "",
             (unsigned)(t[i].rate / 1000), t[i].extras ? "-loss-ctl" : "",
             t[i].flags & OH_SCRIPT_F_FLOAT ? "-float" : "",
             t[i].flags & OH_SCRIPT_F_DIFFERENTIAL ? "-diff" : "");
    emit_projection(g, t[i].channels, streams, coupled, 3, matrix, (size_t)size, t[i].rate,
                    t[i].flags, &l, t[i].extras, name);
    free(matrix);
    oh_cg_list_free(&l);
  }
  return g->status;
}

/* Family 2 (plain ambisonics, one stream per channel) through the surround
 * encoder, decoded through the projection API with an identity matrix. */
static int ambisonics_identity(oh_cg *g) {
  int err = OPUS_OK, streams = 0, coupled = 0, ch = 4, i, cols;
  uint8_t mapping[4], *matrix;
  OpusMSEncoder *enc;
  oh_cg_list l = {0};
  enc = opus_multistream_surround_encoder_create(48000, ch, 2, &streams, &coupled, mapping,
                                                 OPUS_APPLICATION_AUDIO, &err);
  if (oh_cg_opus(g, err, "surround encoder, family 2") != OH_OK) return g->status;
  opus_multistream_encoder_ctl(enc, OPUS_SET_BITRATE(16000 * ch));
  encode(g, enc, NULL, ch, streams, OH_SIG_CHIRP, 960, 5, &l);
  opus_multistream_encoder_destroy(enc);
  cols = streams + coupled;
  matrix = calloc((size_t)(ch * cols), 2);
  if (!matrix) return oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
  /* Column-major, little-endian Q15: output i takes stream channel
   * mapping[i] at full gain. */
  for (i = 0; i < ch; i++) oh_cg_le16(matrix + 2 * (ch * mapping[i] + i), 32767);
  emit_projection(g, ch, streams, coupled, 2, matrix, (size_t)(ch * cols * 2), 48000, 0, &l, 0,
                  "fam2-order1-4ch-identity-matrix-48k.ohs");
  free(matrix);
  oh_cg_list_free(&l);
  return g->status;
}

int oh_cg_projection(oh_cg *g) {
  ambisonics(g);
  ambisonics_identity(g);
  return g->status;
}
