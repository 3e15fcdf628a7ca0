#!/usr/bin/env bash
# Makes the sample inputs the reader tests read: Ogg Opus files encoded by
# opusenc from synthetic audio, and RTP/Opus captures taken by tcpdump and
# dumpcap on loopback while a small sender replays the packets of one of
# those Ogg files. The committed files are this script's output; re-running
# it gives the same Ogg files (opusenc is deterministic with a fixed serial)
# and captures that differ only in their capture timestamps.
#
# Needs: a C compiler, opus-tools (opusenc), libogg-dev, oggz-tools
# (oggz-merge), tcpdump, dumpcap (wireshark-common), and root for capturing:
#   apt-get install -y opus-tools libogg-dev oggz-tools tcpdump tshark
# Usage: corpus/samples/make-samples.sh        (writes into its own folder)
#
# What the captures hold (the tests count on it): flow A, SSRC 0x1234abcd,
# payload type 111, UDP 5004 -> 5006, carries the first 50 audio packets of
# sine-stereo-48k-20ms.opus as RTP sequence numbers 1000.., timestamps
# 48000 + 960*i, marker on the first. Packet 10 is never sent (a gap), packet
# 20 is sent twice (a duplicate), packets 30 and 31 are sent in the order 31,
# 30 (30 arrives late). In between: an RTCP sender report on the same ports
# (rtcp-mux, skipped), a non-RTP datagram to port 5008, and flow B (SSRC
# 0x0badcafe, payload type 96, UDP 5010 -> 5012), 5 small packets with a
# 4-byte header extension, one CSRC and padding, sent after flow A's packet
# 2, 3, ... 6.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
cap_pid=
# A failed sender must not leave its capture running.
trap '[ -z "$cap_pid" ] || kill "$cap_pid" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

# ---- synthetic audio: s16le raw PCM on stdout ----------------------------
cat > gen-audio.c <<'C'
/* gen-audio MODE RATE CHANNELS SECONDS: s16le PCM on stdout.
 * sine: channel c plays 440 * (1 + c / 2) Hz at -12 dBFS.
 * speech: a pitch-gliding pulse train through two formant resonators, with
 * syllable-rate loudness and short pauses, plus a little noise. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static uint32_t seed = 12345;
static double noise(void) {
  seed = seed * 1664525u + 1013904223u;
  return (double)(seed >> 8) / 8388608.0 - 1.0;
}
static double speech(double t, double rate) {
  static double phase, y1[2], y2[2];
  static const double fc[2] = {700, 1200}, bw[2] = {130, 200};
  double f0 = 120 + 40 * sin(2 * M_PI * 0.7 * t), x, s = 0;
  double env = 0.5 + 0.5 * sin(2 * M_PI * 4 * t);
  if (fmod(t, 1.3) > 1.0) env = 0;
  phase += f0 / rate;
  x = phase >= 1 ? 1 : 0;
  if (phase >= 1) phase -= 1;
  x += 0.02 * noise();
  for (int k = 0; k < 2; k++) {
    double r = exp(-M_PI * bw[k] / rate), th = 2 * M_PI * fc[k] / rate;
    double y = x + 2 * r * cos(th) * y1[k] - r * r * y2[k];
    y2[k] = y1[k];
    y1[k] = y;
    s += y;
  }
  return 0.05 * env * s;
}
int main(int argc, char **argv) {
  if (argc != 5) return 2;
  double rate = atof(argv[2]), secs = atof(argv[4]);
  int ch = atoi(argv[3]);
  long n = (long)(rate * secs);
  for (long i = 0; i < n; i++) {
    double t = i / rate;
    for (int c = 0; c < ch; c++) {
      double v = strcmp(argv[1], "sine") == 0
                     ? 0.25 * sin(2 * M_PI * 440 * (1 + c / 2.0) * t)
                     : speech(t, rate);
      if (v > 1) v = 1;
      if (v < -1) v = -1;
      int16_t s = (int16_t)lrint(v * 32767);
      fwrite(&s, 2, 1, stdout);
    }
  }
  return 0;
}
C
cc -O2 -o gen-audio gen-audio.c -lm

enc() { # enc MODE RATE CHANNELS SECONDS SERIAL OUT [opusenc options...]
  local mode=$1 rate=$2 ch=$3 secs=$4 serial=$5 out=$6
  shift 6
  ./gen-audio "$mode" "$rate" "$ch" "$secs" > "$out.raw"
  opusenc --quiet --raw --raw-rate "$rate" --raw-chan "$ch" --serial "$serial" \
    "$@" "$out.raw" "$out"
}

enc sine 48000 2 1.0 1001 sine-stereo-48k-20ms.opus --bitrate 48 --framesize 20
enc speech 16000 1 2.0 1002 speechlike-mono-16k-60ms.opus --bitrate 16 --framesize 60
enc sine 48000 6 0.5 1003 surround-5.1-48k-20ms.opus --bitrate 128 --framesize 20
enc sine 48000 2 0.3 2001 link1.opus --bitrate 32 --framesize 20
enc speech 48000 1 0.3 2002 link2.opus --bitrate 24 --framesize 10
enc speech 48000 1 0.4 3001 mux1.opus --bitrate 24 --framesize 20
enc sine 48000 2 0.4 3002 mux2.opus --bitrate 32 --framesize 40
# A chained file is its links one after the other (RFC 7845 section 3).
cat link1.opus link2.opus > chained-two-links.opus
# Two logical streams whose pages interleave.
oggz-merge -o multiplexed-two-streams.opus mux1.opus mux2.opus

# ---- RTP sender ------------------------------------------------------------
cat > rtp-send.c <<'C'
/* rtp-send FILE.opus ADDR: sends the audio packets of FILE's first stream
 * as RTP (the schedule is described in make-samples.sh) to ADDR (an IPv4 or
 * IPv6 literal). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ogg/ogg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#define MAXP 64
static unsigned char *pkt[MAXP];
static long plen[MAXP];
static int npkt;
static void load(const char *path) {
  FILE *f = fopen(path, "rb");
  ogg_sync_state oy;
  ogg_stream_state os;
  ogg_page og;
  ogg_packet op;
  int started = 0, skip = 2;
  if (!f) exit(1);
  ogg_sync_init(&oy);
  for (;;) {
    char *b = ogg_sync_buffer(&oy, 4096);
    size_t n = fread(b, 1, 4096, f);
    ogg_sync_wrote(&oy, (long)n);
    while (ogg_sync_pageout(&oy, &og) == 1) {
      if (!started) { ogg_stream_init(&os, ogg_page_serialno(&og)); started = 1; }
      ogg_stream_pagein(&os, &og);
      while (ogg_stream_packetout(&os, &op) == 1) {
        if (skip) { skip--; continue; }
        if (npkt == MAXP) continue;
        pkt[npkt] = malloc((size_t)op.bytes);
        memcpy(pkt[npkt], op.packet, (size_t)op.bytes);
        plen[npkt++] = op.bytes;
      }
    }
    if (n == 0) break;
  }
  fclose(f);
}
static int sock_for(const char *addr, int port, struct sockaddr_storage *dst,
                    socklen_t *dlen, int src_port) {
  struct sockaddr_storage src;
  memset(dst, 0, sizeof *dst);
  memset(&src, 0, sizeof src);
  int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
  if (fam == AF_INET) {
    struct sockaddr_in *d = (void *)dst, *s = (void *)&src;
    d->sin_family = s->sin_family = AF_INET;
    d->sin_port = htons(port);
    s->sin_port = htons(src_port);
    inet_pton(AF_INET, addr, &d->sin_addr);
    s->sin_addr = d->sin_addr;
    *dlen = sizeof *d;
  } else {
    struct sockaddr_in6 *d = (void *)dst, *s = (void *)&src;
    d->sin6_family = s->sin6_family = AF_INET6;
    d->sin6_port = htons(port);
    s->sin6_port = htons(src_port);
    inet_pton(AF_INET6, addr, &d->sin6_addr);
    s->sin6_addr = d->sin6_addr;
    *dlen = sizeof *d;
  }
  int fd = socket(fam, SOCK_DGRAM, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (void *)&src, *dlen) != 0) { perror("bind"); exit(1); }
  return fd;
}
static void put32(unsigned char *p, unsigned v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static void send_a(int fd, struct sockaddr_storage *d, socklen_t dl, int i) {
  unsigned char b[1600];
  b[0] = 0x80;
  b[1] = (unsigned char)(111 | (i == 0 ? 0x80 : 0));
  b[2] = (unsigned char)((1000 + i) >> 8);
  b[3] = (unsigned char)(1000 + i);
  put32(b + 4, 48000u + 960u * (unsigned)i);
  put32(b + 8, 0x1234abcdu);
  memcpy(b + 12, pkt[i], (size_t)plen[i]);
  sendto(fd, b, 12 + (size_t)plen[i], 0, (void *)d, dl);
  usleep(2000);
}
static void send_b(int fd, struct sockaddr_storage *d, socklen_t dl, int j) {
  /* V=2 P=1 X=1 CC=1 | pt 96 | seq | ts | ssrc | csrc | ext 0xbede len 1 |
   * 4 ext bytes | payload 0xf8 0xff 0xfe | 3 padding bytes, last says 3 */
  unsigned char b[40];
  size_t n = 0;
  b[n++] = 0x80 | 0x20 | 0x10 | 1;
  b[n++] = 96;
  b[n++] = 0; b[n++] = (unsigned char)(7 + j);
  put32(b + n, 5000u + 480u * (unsigned)j); n += 4;
  put32(b + n, 0x0badcafeu); n += 4;
  put32(b + n, 0x11223344u); n += 4;
  b[n++] = 0xbe; b[n++] = 0xde; b[n++] = 0; b[n++] = 1;
  put32(b + n, 0x10aabbccu); n += 4;
  b[n++] = 0xf8; b[n++] = 0xff; b[n++] = 0xfe;
  b[n++] = 0; b[n++] = 0; b[n++] = 3;
  sendto(fd, b, n, 0, (void *)d, dl);
  usleep(2000);
}
int main(int argc, char **argv) {
  struct sockaddr_storage da, db, dx;
  socklen_t la, lb, lx;
  if (argc != 3) return 2;
  load(argv[1]);
  if (npkt < 50) { fprintf(stderr, "expected 50 packets, got %d\n", npkt); return 1; }
  npkt = 50;
  int fa = sock_for(argv[2], 5006, &da, &la, 5004);
  int fb = sock_for(argv[2], 5012, &db, &lb, 5010);
  int fx = sock_for(argv[2], 5008, &dx, &lx, 5009);
  for (int i = 0; i < npkt; i++) {
    if (i == 10) continue;                      /* the gap */
    if (i == 30) continue;                      /* sent after 31 */
    send_a(fa, &da, la, i);
    if (i == 20) send_a(fa, &da, la, i);        /* the duplicate */
    if (i == 31) send_a(fa, &da, la, 30);       /* late */
    if (i >= 2 && i <= 6) send_b(fb, &db, lb, i - 2);
    if (i == 5) {                               /* RTCP SR, rtcp-mux */
      unsigned char sr[28] = {0x80, 200, 0, 6};
      put32(sr + 4, 0x1234abcdu);
      sendto(fa, sr, sizeof sr, 0, (void *)&da, la);
      usleep(2000);
    }
    if (i == 7) {                               /* not RTP at all */
      sendto(fx, "hello, not rtp", 14, 0, (void *)&dx, lx);
      usleep(2000);
    }
  }
  return 0;
}
C
cc -O2 -o rtp-send rtp-send.c -logg

filter='udp and (port 5004 or port 5006 or port 5008 or port 5010 or port 5012)'
capture() { # capture OUT ADDR TOOL ARGS...: runs the sender under a capture
  local out=$1 addr=$2 tool=$3
  shift 3
  if [ "$tool" = tcpdump ]; then
    tcpdump -q --immediate-mode -U "$@" -w "$out" "$filter" 2> cap.log &
  else
    dumpcap -q "$@" -f "$filter" -w "$out" 2> cap.log &
  fi
  cap_pid=$!
  sleep 2
  ./rtp-send sine-stereo-48k-20ms.opus "$addr"
  sleep 1
  kill -INT "$cap_pid"
  wait "$cap_pid" || true
  cap_pid=
}
capture rtp-opus-ipv4-lo-ethernet.pcap 127.0.0.1 tcpdump -i lo
capture rtp-opus-ipv6-any-sll.pcap ::1 tcpdump -i any -y LINUX_SLL
capture rtp-opus-ipv4-any-sll2-nsec.pcap 127.0.0.1 tcpdump -i any -y LINUX_SLL2 \
  --time-stamp-precision=nano
capture rtp-opus-ipv4-lo.pcapng 127.0.0.1 dumpcap -i lo

out=(sine-stereo-48k-20ms.opus speechlike-mono-16k-60ms.opus
     surround-5.1-48k-20ms.opus chained-two-links.opus
     multiplexed-two-streams.opus rtp-opus-ipv4-lo-ethernet.pcap
     rtp-opus-ipv6-any-sll.pcap rtp-opus-ipv4-any-sll2-nsec.pcap
     rtp-opus-ipv4-lo.pcapng)
chmod 644 "${out[@]}"
cp "${out[@]}" "$here/"
ls -l "${out[@]/#/$here/}"
