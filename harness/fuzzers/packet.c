/* Fuzz target "packet": one raw Opus packet against the single-stream
 * decoder and the packet query API.
 *
 * Input: the whole input is one packet (replay format "raw"); an empty
 * input is a packet of length 0, which libopus treats as a loss.
 *
 * What it exercises, per input:
 *  - opus_packet_parse, opus_packet_get_bandwidth, _get_nb_channels,
 *    _get_nb_frames, _get_samples_per_frame and _get_nb_samples, next to
 *    opushunt's oh_packet_parse (both framings);
 *  - opus_decode / opus_decode_float under 3 of the 40 decoder
 *    configurations (rate 8/12/16/24/48 kHz x 1/2 channels x int16/float x
 *    decode_fec 0/1), each on a fresh decoder. Configuration i of an input
 *    is (h + 17 i) mod 40, h an FNV-1a hash of the input, so the three are
 *    distinct and, as inputs change, every configuration comes up. Each
 *    decoder is called twice: with a frame_size that is too small (1, one
 *    2.5 ms frame minus one, or the packet's duration minus one), then with
 *    a legal one (the packet's duration exactly, 2.5 ms, or the 120 ms
 *    maximum), both picked by the hash: 6 calls, at most 3 of them decode
 *    audio. The PCM buffer holds exactly frame_size x channels samples so
 *    that AddressSanitizer sees a write past it; opus_decoder_get_nb_samples
 *    and opus_pcm_soft_clip (on the float output) run too.
 *
 * Checks (oh_fuzz_oracle_fail):
 *  - oh_packet_parse (not self-delimited) accepts exactly when
 *    opus_packet_parse does, with the same TOC byte, first-frame offset,
 *    frame count, frame offsets and sizes; when it accepts, the query API
 *    agrees with its TOC fields and duration; in either framing an accepted
 *    packet's frames tile it (each frame starts where the previous ended,
 *    padding ends the packet, nothing lies past the input);
 *  - a decode never returns more samples than frame_size, and returns what
 *    libopus 1.3.1's rules make it (opus_decode_native): a loss or FEC call
 *    with a frame_size that is not a multiple of 2.5 ms is OPUS_BAD_ARG; a
 *    loss returns frame_size; an FEC call returns frame_size for a packet
 *    opus_packet_parse accepts; a normal call returns exactly
 *    opus_packet_get_nb_samples(packet, rate) when that fits frame_size and
 *    OPUS_BUFFER_TOO_SMALL when it does not; a packet that does not parse
 *    is OPUS_INVALID_PACKET;
 *  - after a successful call OPUS_GET_LAST_PACKET_DURATION is its return;
 *  - float output after opus_pcm_soft_clip lies within [-1, 1] (a NaN
 *    fails too). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "fuzz_target.h"
#include "opushunt/packet.h"

#define TARGET "packet"
#define CONFIG_COUNT 40
#define CONFIGS_PER_INPUT 3
#define CONFIG_STRIDE 17 /* coprime to CONFIG_COUNT: configurations differ */

typedef struct decode_config {
  opus_int32 rate;
  int channels;
  int use_float;
  int fec;
} decode_config;

/* What every check needs to know about the packet under test. */
typedef struct packet_under_test {
  const uint8_t *data;
  opus_int32 len;
  int parse_rc; /* opus_packet_parse: frame count, or a negative error */
} packet_under_test;

static uint32_t fnv1a(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
  return h;
}

static decode_config config_at(unsigned index) {
  static const opus_int32 rates[5] = {8000, 12000, 16000, 24000, 48000};
  decode_config c;
  c.rate = rates[index % 5];
  c.channels = 1 + (int)(index / 5 % 2);
  c.use_float = (int)(index / 10 % 2);
  c.fec = (int)(index / 20 % 2);
  return c;
}

/* ---- Parser and query API -------------------------------------------- */

/* Frames follow each other from header_len on, and padding ends the packet:
 * true of any packet oh_packet_parse accepts, in either framing. */
static void check_layout(const oh_packet *pkt, size_t size, int self_delimited) {
  size_t off = pkt->header_len;
  if (pkt->frame_count < 1 || pkt->frame_count > OH_MAX_FRAMES)
    oh_fuzz_oracle_fail(TARGET, "oh_packet_parse(sd=%d) accepted %d frames",
                        self_delimited, pkt->frame_count);
  for (int i = 0; i < pkt->frame_count; i++) {
    if (pkt->frame_offset[i] != off || pkt->frame_len[i] > OH_MAX_FRAME_BYTES)
      oh_fuzz_oracle_fail(TARGET, "oh_packet_parse(sd=%d) frame %d at %zu len %zu, "
                          "expected offset %zu and len <= %d", self_delimited, i,
                          pkt->frame_offset[i], pkt->frame_len[i], off, OH_MAX_FRAME_BYTES);
    off += pkt->frame_len[i];
  }
  if (off + pkt->padding_len != pkt->packet_len || pkt->packet_len > size ||
      (!self_delimited && pkt->packet_len != size))
    oh_fuzz_oracle_fail(TARGET, "oh_packet_parse(sd=%d): frames end at %zu, padding %zu, "
                        "packet_len %zu, input %zu", self_delimited, off,
                        pkt->padding_len, pkt->packet_len, size);
  if (pkt->duration48 != pkt->frame_count * pkt->toc.frame_samples48 ||
      pkt->duration48 > OH_MAX_PACKET_SAMPLES48)
    oh_fuzz_oracle_fail(TARGET, "oh_packet_parse(sd=%d): duration %d for %d frames of %d",
                        self_delimited, pkt->duration48, pkt->frame_count,
                        pkt->toc.frame_samples48);
}

/* The query API reads only the TOC (and code 3's count byte), so for a
 * packet that parses it must agree with the parse. */
static void check_queries(const uint8_t *data, opus_int32 len, const oh_packet *pkt) {
  int bandwidth = opus_packet_get_bandwidth(data);
  int channels = opus_packet_get_nb_channels(data);
  int frames = opus_packet_get_nb_frames(data, len);
  int spf = opus_packet_get_samples_per_frame(data, 48000);
  int samples = opus_packet_get_nb_samples(data, len, 48000);
  if (bandwidth != OPUS_BANDWIDTH_NARROWBAND + (int)pkt->toc.bandwidth ||
      channels != 1 + pkt->toc.stereo || frames != pkt->frame_count ||
      spf != pkt->toc.frame_samples48 || samples != pkt->duration48)
    oh_fuzz_oracle_fail(TARGET, "TOC %02x: libopus says bandwidth %d channels %d frames %d "
                        "x %d = %d samples; oh_packet_parse says %d, %d, %d x %d = %d",
                        data[0], bandwidth, channels, frames, spf, samples,
                        OPUS_BANDWIDTH_NARROWBAND + (int)pkt->toc.bandwidth,
                        1 + pkt->toc.stereo, pkt->frame_count, pkt->toc.frame_samples48,
                        pkt->duration48);
}

/* Ours against libopus's: accept/reject, TOC, offsets, frame sizes. */
static int check_parse(const uint8_t *data, opus_int32 len) {
  unsigned char toc = 0;
  const unsigned char *frames[48];
  opus_int16 sizes[48];
  int payload_offset = -1;
  int theirs = opus_packet_parse(data, len, &toc, frames, sizes, &payload_offset);
  oh_packet pkt;
  oh_rule rule = OH_RULE_NONE;
  oh_error err;
  int ours = oh_packet_parse(data, (size_t)len, 0, &pkt, &rule, &err);
  if ((ours == OH_OK) != (theirs > 0))
    oh_fuzz_oracle_fail(TARGET, "%d-byte packet: oh_packet_parse %s (%s), opus_packet_parse "
                        "returned %d", (int)len, ours == OH_OK ? "accepts" : "rejects",
                        ours == OH_OK ? "ok" : err.reason, theirs);
  if (ours != OH_OK) return theirs;
  if (theirs != pkt.frame_count || toc != pkt.toc.byte ||
      (size_t)payload_offset != pkt.header_len)
    oh_fuzz_oracle_fail(TARGET, "frame count %d / %d, toc %02x / %02x, first frame at %d / %zu "
                        "(libopus / ours)", theirs, pkt.frame_count, toc, pkt.toc.byte,
                        payload_offset, pkt.header_len);
  for (int i = 0; i < theirs; i++)
    if ((size_t)(frames[i] - data) != pkt.frame_offset[i] || (size_t)sizes[i] != pkt.frame_len[i])
      oh_fuzz_oracle_fail(TARGET, "frame %d: libopus at %d len %d, ours at %zu len %zu", i,
                          (int)(frames[i] - data), sizes[i], pkt.frame_offset[i],
                          pkt.frame_len[i]);
  check_layout(&pkt, (size_t)len, 0);
  check_queries(data, len, &pkt);
  return theirs;
}

static void check_self_delimited(const uint8_t *data, size_t size) {
  oh_packet pkt;
  oh_error err;
  if (oh_packet_parse(data, size, 1, &pkt, NULL, &err) == OH_OK) check_layout(&pkt, size, 1);
}

/* ---- Decoding --------------------------------------------------------- */

/* The return libopus 1.3.1 must give (opus_decode_native and its int16 and
 * float wrappers, which agree on every case here). */
static int expected_return(const packet_under_test *p, const decode_config *c,
                           int frame_size) {
  int multiple = frame_size % (c->rate / 400) == 0, nb;
  if (frame_size <= 0) return OPUS_BAD_ARG;
  if (p->len == 0) return multiple ? frame_size : OPUS_BAD_ARG;
  if (c->fec) {
    if (!multiple) return OPUS_BAD_ARG;
    return p->parse_rc < 0 ? p->parse_rc : frame_size;
  }
  if (p->parse_rc < 0) return OPUS_INVALID_PACKET;
  nb = opus_packet_get_nb_samples(p->data, p->len, c->rate);
  return nb > frame_size ? OPUS_BUFFER_TOO_SMALL : nb;
}

static void check_soft_clip(float *pcm, int samples, int channels, const decode_config *c) {
  float mem[2] = {0, 0};
  opus_pcm_soft_clip(pcm, samples, channels, mem);
  for (int i = 0; i < samples * channels; i++)
    if (!(pcm[i] >= -1.0f && pcm[i] <= 1.0f))
      oh_fuzz_oracle_fail(TARGET, "%d Hz %d ch: sample %d is %g after opus_pcm_soft_clip",
                          (int)c->rate, channels, i, (double)pcm[i]);
}

static void decode_and_check(OpusDecoder *dec, const packet_under_test *p,
                             const decode_config *c, int frame_size) {
  size_t count = (size_t)frame_size * (size_t)c->channels;
  void *pcm = malloc(count * (c->use_float ? sizeof(float) : sizeof(opus_int16)));
  int ret, want;
  opus_int32 duration = -1;
  if (!pcm) return;
  ret = c->use_float ? opus_decode_float(dec, p->data, p->len, pcm, frame_size, c->fec)
                     : opus_decode(dec, p->data, p->len, pcm, frame_size, c->fec);
  want = expected_return(p, c, frame_size);
  if (ret > frame_size || ret != want)
    oh_fuzz_oracle_fail(TARGET, "%s at %d Hz, %d ch, fec %d, frame_size %d, %d-byte packet: "
                        "returned %d, expected %d",
                        c->use_float ? "opus_decode_float" : "opus_decode", (int)c->rate,
                        c->channels, c->fec, frame_size, (int)p->len, ret, want);
  if (ret > 0) {
    opus_decoder_ctl(dec, OPUS_GET_LAST_PACKET_DURATION(&duration));
    if (duration != ret)
      oh_fuzz_oracle_fail(TARGET, "OPUS_GET_LAST_PACKET_DURATION is %d after a decode of %d",
                          (int)duration, ret);
    if (c->use_float) check_soft_clip(pcm, ret, c->channels, c);
  }
  free(pcm);
}

/* frame_size choices: [0] too small, [1] legal. */
static void pick_frame_sizes(const packet_under_test *p, const decode_config *c,
                             uint32_t h, int sizes[2]) {
  int f2_5 = c->rate / 400, max = c->rate / 25 * 3;
  int nb = p->len > 0 ? opus_packet_get_nb_samples(p->data, p->len, c->rate) : 0;
  int small[3] = {1, f2_5 - 1, nb - 1};
  int legal[3] = {nb, f2_5, max};
  sizes[0] = small[h % 3];
  sizes[1] = legal[h / 3 % 3];
  if (sizes[0] < 1) sizes[0] = 1;       /* no duration: 1 sample */
  if (sizes[1] < 1) sizes[1] = max;     /* no duration: 120 ms */
}

static void decode_under(const packet_under_test *p, unsigned index, uint32_t h) {
  decode_config c = config_at(index);
  int err = OPUS_OK, sizes[2], samples;
  OpusDecoder *dec = opus_decoder_create(c.rate, c.channels, &err);
  if (!dec || err != OPUS_OK)
    oh_fuzz_oracle_fail(TARGET, "opus_decoder_create(%d, %d) failed: %d", (int)c.rate,
                        c.channels, err);
  if (p->len > 0) {
    samples = opus_decoder_get_nb_samples(dec, p->data, p->len);
    if (samples != opus_packet_get_nb_samples(p->data, p->len, c.rate))
      oh_fuzz_oracle_fail(TARGET, "opus_decoder_get_nb_samples %d differs from "
                          "opus_packet_get_nb_samples at %d Hz", samples, (int)c.rate);
  }
  pick_frame_sizes(p, &c, h, sizes);
  decode_and_check(dec, p, &c, sizes[0]);
  decode_and_check(dec, p, &c, sizes[1]);
  opus_decoder_destroy(dec);
}

int oh_fuzz_packet(const uint8_t *data, size_t size) {
  static const uint8_t empty[1] = {0};
  packet_under_test p;
  uint32_t h;
  if (size > INT_MAX) return 0;
  p.data = data ? data : empty; /* len 0 either way: a loss */
  p.len = (opus_int32)size;
  p.parse_rc = check_parse(p.data, p.len);
  if (size > 0) check_self_delimited(p.data, size);
  h = fnv1a(p.data, size);
  for (unsigned i = 0; i < CONFIGS_PER_INPUT; i++)
    decode_under(&p, (h + CONFIG_STRIDE * i) % CONFIG_COUNT, h / CONFIG_COUNT + i);
  return 0;
}
