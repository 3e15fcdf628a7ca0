/* Writes the tone samples of corpus/samples/: 1 s of a stereo tone mix
 * encoded by libopus (20 ms frames, 32 kb/s VBR) as .bit, .lp16be, a
 * key=value hex log and a base64 JSON-lines log (frame 10 marked lost).
 * Usage: oh-make-tone-samples DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <opus.h>

static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void b64(FILE *f, const unsigned char *p, int n) {
  int i;
  for (i = 0; i + 2 < n; i += 3) {
    unsigned v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
    fprintf(f, "%c%c%c%c", T[v >> 18], T[v >> 12 & 63], T[v >> 6 & 63], T[v & 63]);
  }
  if (n - i == 1) { unsigned v = p[i] << 16; fprintf(f, "%c%c==", T[v >> 18], T[v >> 12 & 63]); }
  if (n - i == 2) { unsigned v = p[i] << 16 | p[i+1] << 8; fprintf(f, "%c%c%c=", T[v >> 18], T[v >> 12 & 63], T[v >> 6 & 63]); }
}
int main(int argc, char **argv) {
  const char *dir = argv[1];
  char path[512];
  int err, k, i;
  unsigned seed = 1;
  OpusEncoder *enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_AUDIO, &err);
  FILE *fb, *fl, *fh, *fj;
  if (argc < 2 || err != OPUS_OK) return 1;
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
  opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(10));
#define OPEN(f, name) snprintf(path, sizeof path, "%s/%s", dir, name); f = fopen(path, "wb"); if (!f) return 1
  OPEN(fb, "tone-20ms-stereo-32k.bit");
  OPEN(fl, "tone-20ms-stereo-32k.lp16be");
  OPEN(fh, "tone-20ms-stereo-32k-hex.log");
  OPEN(fj, "tone-20ms-stereo-32k-b64.jsonl");
  fprintf(fh, "# opushunt sample: 1 s stereo tone mix, libopus 1.3.1, 20 ms frames, 32 kb/s VBR\n");
  for (k = 0; k < 50; k++) {
    short pcm[960 * 2];
    unsigned char pkt[1500];
    opus_uint32 rng;
    int n;
    for (i = 0; i < 960; i++) {
      double t = (k * 960 + i) / 48000.0, env = 0.5 + 0.5 * sin(2 * M_PI * 3 * t);
      double l = 0.3 * env * sin(2 * M_PI * (220 + 200 * t) * t) + 0.1 * sin(2 * M_PI * 1760 * t);
      double r = 0.3 * env * sin(2 * M_PI * 330 * t) + 0.1 * sin(2 * M_PI * 2640 * t);
      seed = seed * 1103515245u + 12345u;
      pcm[2 * i] = (short)(l * 20000 + ((int)(seed >> 16) % 200 - 100));
      pcm[2 * i + 1] = (short)(r * 20000);
    }
    n = opus_encode(enc, pcm, 960, pkt, sizeof pkt);
    if (n < 0) return 1;
    opus_encoder_ctl(enc, OPUS_GET_FINAL_RANGE(&rng));
    fputc(n >> 24, fb); fputc(n >> 16 & 255, fb); fputc(n >> 8 & 255, fb); fputc(n & 255, fb);
    fputc(rng >> 24, fb); fputc(rng >> 16 & 255, fb); fputc(rng >> 8 & 255, fb); fputc(rng & 255, fb);
    fwrite(pkt, 1, n, fb);
    fputc(n >> 8, fl); fputc(n & 255, fl); fwrite(pkt, 1, n, fl);
    fprintf(fh, "seq=%d packet_len=%d data=", k, n);
    for (i = 0; i < n; i++) fprintf(fh, "%02x", pkt[i]);
    fprintf(fh, "\n");
    if (k == 10) { fprintf(fj, "{\"seq\":%d,\"packet\":null}\n", k); continue; }
    fprintf(fj, "{\"seq\":%d,\"len\":%d,\"packet\":\"", k, n);
    b64(fj, pkt, n);
    fprintf(fj, "\"}\n");
  }
  fclose(fb); fclose(fl); fclose(fh); fclose(fj);
  opus_encoder_destroy(enc);
  return 0;
}
