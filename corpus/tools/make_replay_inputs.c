/* Writes the replay inputs of corpus/replay/: real Opus packets from the
 * libopus encoder, framed as the production service received them (u16
 * big-endian length prefixes), each shaped to trigger one misuse model.
 * Usage: oh-make-replay-inputs DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

typedef struct stream {
  OpusEncoder *enc;
  long t;       /* samples encoded so far */
  FILE *f;
} stream;

/* Speech-like test signal: a gliding voiced tone with formant-ish partials. */
static void signal(long t0, int n, float *pcm) {
  int i;
  for (i = 0; i < n; i++) {
    double t = (double)(t0 + i) / 48000.0, f0 = 140 + 40 * sin(2 * M_PI * 0.7 * t);
    double v = 0.25 * sin(2 * M_PI * f0 * t) + 0.12 * sin(2 * M_PI * 3 * f0 * t) +
               0.06 * sin(2 * M_PI * 7 * f0 * t);
    double env = 0.6 + 0.4 * sin(2 * M_PI * 2.5 * t);
    pcm[2 * i] = (float)(v * env);
    pcm[2 * i + 1] = (float)(0.8 * v * env + 0.05 * sin(2 * M_PI * 523 * t));
  }
}

static int open_stream(stream *s, const char *dir, const char *name, int bitrate) {
  char path[1024];
  int err;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  s->f = fopen(path, "wb");
  s->enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  s->t = 0;
  if (!s->f || err != OPUS_OK) return -1;
  opus_encoder_ctl(s->enc, OPUS_SET_BITRATE(bitrate));
  return 0;
}

static void put_lp16(FILE *f, const unsigned char *p, int n) {
  fputc(n >> 8 & 255, f);
  fputc(n & 255, f);
  fwrite(p, 1, (size_t)n, f);
}

/* Encodes one packet of ms milliseconds; returns its length. */
static int encode(stream *s, int ms, unsigned char *pkt, int cap) {
  float pcm[5760 * 2];
  int n = 48 * ms, dur;
  switch (ms) {
  case 10: dur = OPUS_FRAMESIZE_10_MS; break;
  case 40: dur = OPUS_FRAMESIZE_40_MS; break;
  case 60: dur = OPUS_FRAMESIZE_60_MS; break;
  default: dur = OPUS_FRAMESIZE_20_MS; break;
  }
  opus_encoder_ctl(s->enc, OPUS_SET_EXPERT_FRAME_DURATION(dur));
  signal(s->t, n, pcm);
  s->t += n;
  return opus_encode_float(s->enc, pcm, n, pkt, cap);
}

static int close_stream(stream *s) {
  opus_encoder_destroy(s->enc);
  return fclose(s->f);
}

/* count packets of 20 ms, except packet `longer` which lasts long_ms. */
static int plain(const char *dir, const char *name, int count, int longer, int long_ms,
                 int bitrate) {
  stream s;
  unsigned char pkt[1500];
  int i;
  if (open_stream(&s, dir, name, bitrate)) return -1;
  for (i = 0; i < count; i++) {
    int n = encode(&s, i == longer ? long_ms : 20, pkt, sizeof pkt);
    if (n < 0) return -1;
    put_lp16(s.f, pkt, n);
  }
  return close_stream(&s);
}

/* 10 packets, then a prefix claiming 200 bytes of which 40 arrived. */
static int truncated_tail(const char *dir) {
  stream s;
  unsigned char pkt[1500];
  int i, n;
  if (open_stream(&s, dir, "stereo-20ms-truncated-tail.lp16be", 32000)) return -1;
  for (i = 0; i < 10; i++) {
    n = encode(&s, 20, pkt, sizeof pkt);
    put_lp16(s.f, pkt, n);
  }
  n = encode(&s, 20, pkt, sizeof pkt);
  fputc(0, s.f);
  fputc(200, s.f);
  fwrite(pkt, 1, n < 40 ? (size_t)n : 40, s.f);
  return close_stream(&s);
}

/* 12 packets; packet 7 breaks R3 (code 1 with an odd payload), so libopus
 * returns OPUS_INVALID_PACKET and the caller's recovery path runs. */
static int invalid_packet(const char *dir) {
  stream s;
  unsigned char pkt[1500];
  int i, n;
  if (open_stream(&s, dir, "stereo-20ms-invalid-packet7.lp16be", 32000)) return -1;
  for (i = 0; i < 12; i++) {
    n = encode(&s, 20, pkt, sizeof pkt);
    if (i == 7) {
      pkt[0] = (unsigned char)((pkt[0] & 0xFC) | 1);
      n = 4;
    }
    put_lp16(s.f, pkt, n);
  }
  return close_stream(&s);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : NULL;
  if (!dir) {
    fprintf(stderr, "usage: oh-make-replay-inputs DIR\n");
    return 2;
  }
  if (plain(dir, "stereo-20ms.lp16be", 30, -1, 20, 32000) ||
      plain(dir, "stereo-20ms-packet12-60ms.lp16be", 24, 12, 60, 48000) ||
      plain(dir, "stereo-20ms-160k.lp16be", 20, -1, 20, 160000) || truncated_tail(dir) ||
      invalid_packet(dir)) {
    fprintf(stderr, "oh-make-replay-inputs: failed writing into %s\n", dir);
    return 1;
  }
  return 0;
}
