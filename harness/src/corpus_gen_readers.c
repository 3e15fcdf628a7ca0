/* Seeds of the `readers` target: the same few encoder packets in every
 * container the stream readers know, each built here byte by byte so the
 * seeds stay tiny: opus_demo .bit (with real final ranges), lp16/lp32 in
 * both byte orders, Ogg Opus (family 0, a packet spanning pages, family 1
 * 5.1), pcap and pcapng RTP (Ethernet/IPv4 with a sequence gap, raw IPv4
 * with RTCP mixed in, Linux cooked/IPv6 with CSRC and extension), text logs
 * (key=value hex, JSON base64 with a loss, separated hex) and an OHS1
 * script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_multistream.h>

#include "corpus_gen_impl.h"

#define NPKT 6
#define OUT_CAP 65536

typedef struct pkts {
  int n;
  uint8_t data[NPKT][1500];
  size_t len[NPKT];
  uint32_t range[NPKT];
} pkts;

typedef struct out {
  uint8_t buf[OUT_CAP];
  size_t n;
  int overflow; /* a put did not fit: the seed must not be emitted */
} out;

static void put(out *o, const void *p, size_t len) {
  if (o->n + len > OUT_CAP) {
    o->overflow = 1;
    return;
  }
  memcpy(o->buf + o->n, p, len);
  o->n += len;
}

static void reset(out *o) {
  o->n = 0;
  o->overflow = 0;
}

/* Emits the bytes built in o, unless they did not fit. */
static int emit_out(oh_cg *g, const out *o, const char *name) {
  if (o->overflow) return oh_cg_fail(g, OH_ERR_LIMIT, "%s: more than %d bytes", name, OUT_CAP);
  return oh_cg_emit(g, o->buf, o->n, "%s", name);
}
static void put8(out *o, unsigned v) {
  uint8_t b = (uint8_t)v;
  put(o, &b, 1);
}
static void putbe16(out *o, unsigned v) {
  uint8_t b[2];
  oh_cg_be16(b, v);
  put(o, b, 2);
}
static void putbe32(out *o, uint32_t v) {
  uint8_t b[4];
  oh_cg_be32(b, v);
  put(o, b, 4);
}
static void putle16(out *o, unsigned v) {
  uint8_t b[2];
  oh_cg_le16(b, v);
  put(o, b, 2);
}
static void putle32(out *o, uint32_t v) {
  uint8_t b[4];
  oh_cg_le32(b, v);
  put(o, b, 4);
}
static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

/* Six 20 ms stereo packets (CELT, then hybrid) with their final ranges. */
static int encode(oh_cg *g, int channels, pkts *p) {
  oh_cg_enc e;
  int i;
  memset(p, 0, sizeof *p);
  if (oh_cg_enc_open(g, &e, channels, 24000 * channels, OH_SIG_MIX) != OH_OK) return g->status;
  for (i = 0; i < NPKT && g->status == OH_OK; i++) {
    int16_t pcm[960 * 2];
    int n;
    oh_cg_enc_force(g, &e, i < 3 ? OH_CG_MODE_CELT : OH_CG_MODE_HYBRID, OPUS_BANDWIDTH_FULLBAND,
                    channels);
    oh_cg_signal_fill(e.signal, e.pos, 960, channels, 48000, pcm);
    e.pos += 960;
    n = opus_encode(e.enc, pcm, 960, p->data[i], (opus_int32)sizeof p->data[i]);
    if (oh_cg_opus(g, n, "opus_encode") != OH_OK) break;
    opus_encoder_ctl(e.enc, OPUS_GET_FINAL_RANGE(&p->range[i]));
    p->len[i] = (size_t)n;
    p->n++;
  }
  oh_cg_enc_close(&e);
  return g->status;
}

static int length_prefixed(oh_cg *g, const pkts *p) {
  static out o;
  int i, f;
  static const char *const name[5] = {"tone-stereo-20ms.bit", "tone-stereo-20ms.lp16be",
                                      "tone-stereo-20ms.lp16le", "tone-stereo-20ms.lp32be",
                                      "tone-stereo-20ms-with-loss.lp32le"};
  for (f = 0; f < 5 && g->status == OH_OK; f++) {
    reset(&o);
    for (i = 0; i < p->n; i++) {
      if (f == 4 && i == 3) putle32(&o, 0); /* a lost packet */
      switch (f) {
      case 0: putbe32(&o, (uint32_t)p->len[i]); putbe32(&o, p->range[i]); break;
      case 1: putbe16(&o, (unsigned)p->len[i]); break;
      case 2: putle16(&o, (unsigned)p->len[i]); break;
      case 3: putbe32(&o, (uint32_t)p->len[i]); break;
      default: putle32(&o, (uint32_t)p->len[i]); break;
      }
      put(&o, p->data[i], p->len[i]);
    }
    emit_out(g, &o, name[f]);
  }
  return g->status;
}

/* ---- Ogg ------------------------------------------------------------- */

static uint32_t ogg_crc(const uint8_t *p, size_t n) {
  uint32_t crc = 0;
  size_t i;
  int b;
  for (i = 0; i < n; i++) {
    crc ^= (uint32_t)p[i] << 24;
    for (b = 0; b < 8; b++) crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
  }
  return crc;
}

typedef struct ogg {
  out *o;
  uint32_t serial, seq;
} ogg;

/* One page holding the given lacing values and body; CRC filled in. */
static void ogg_page(ogg *s, int flags, int64_t granule, const uint8_t *lacing, int nlacing,
                     const uint8_t *body, size_t len) {
  size_t start = s->o->n;
  int i;
  puts_(s->o, "OggS");
  put8(s->o, 0);
  put8(s->o, (unsigned)flags);
  for (i = 0; i < 8; i++) put8(s->o, (unsigned)((uint64_t)granule >> (8 * i)));
  putle32(s->o, s->serial);
  putle32(s->o, s->seq++);
  putle32(s->o, 0);
  put8(s->o, (unsigned)nlacing);
  put(s->o, lacing, (size_t)nlacing);
  put(s->o, body, len);
  oh_cg_le32(s->o->buf + start + 22, ogg_crc(s->o->buf + start, s->o->n - start));
}

/* A page of whole packets. */
static void ogg_packets(ogg *s, int flags, int64_t granule, const pkts *p, int from, int count) {
  uint8_t lacing[255], body[8192];
  int nl = 0, i;
  size_t len = 0, k;
  for (i = from; i < from + count; i++) {
    for (k = p->len[i]; k >= 255; k -= 255) lacing[nl++] = 255;
    lacing[nl++] = (uint8_t)k;
    memcpy(body + len, p->data[i], p->len[i]);
    len += p->len[i];
  }
  ogg_page(s, flags, granule, lacing, nl, body, len);
}

static void opus_head(ogg *s, int channels, int family, int streams, int coupled,
                      const uint8_t *mapping) {
  static out h;
  uint8_t lacing[1];
  reset(&h);
  puts_(&h, "OpusHead");
  put8(&h, 1);
  put8(&h, (unsigned)channels);
  putle16(&h, 312);
  putle32(&h, 48000);
  putle16(&h, 0);
  put8(&h, (unsigned)family);
  if (family != 0) {
    put8(&h, (unsigned)streams);
    put8(&h, (unsigned)coupled);
    put(&h, mapping, (size_t)channels);
  }
  lacing[0] = (uint8_t)h.n;
  ogg_page(s, 0x02, 0, lacing, 1, h.buf, h.n);
  reset(&h);
  puts_(&h, "OpusTags");
  putle32(&h, 8);
  puts_(&h, "opushunt");
  putle32(&h, 1);
  putle32(&h, 12);
  puts_(&h, "TITLE=corpus");
  lacing[0] = (uint8_t)h.n;
  ogg_page(s, 0, 0, lacing, 1, h.buf, h.n);
}

static int ogg_streams(oh_cg *g, const pkts *stereo, const pkts *mono) {
  static out o;
  ogg s;
  /* Mono, two audio pages, EOS with the end trimmed by the granule. */
  reset(&o);
  s = (ogg){&o, 0x6f707573u, 0};
  opus_head(&s, 1, 0, 1, 0, NULL);
  ogg_packets(&s, 0, 312 + 3 * 960, mono, 0, 3);
  ogg_packets(&s, 0x04, 312 + 6 * 960 - 200, mono, 3, 3);
  emit_out(g, &o, "mono-celt-hybrid-20ms.opus");

  /* Stereo: one packet continued over the page boundary. */
  reset(&o);
  s = (ogg){&o, 0x00c0ffeeu, 0};
  opus_head(&s, 2, 0, 1, 1, NULL);
  ogg_packets(&s, 0, 312 + 960, stereo, 0, 1);
  if (stereo->len[1] >= 255) {
    uint8_t lacing[255];
    size_t k = stereo->len[1], cut;
    int nl = 0;
    for (; k >= 255; k -= 255) lacing[nl++] = 255;
    lacing[nl++] = (uint8_t)k;
    /* The first page takes the first lacing value only. */
    cut = 255;
    ogg_page(&s, 0, -1, lacing, 1, stereo->data[1], cut);
    ogg_page(&s, 0x01, 312 + 2 * 960, lacing + 1, nl - 1, stereo->data[1] + cut,
             stereo->len[1] - cut);
  } else {
    ogg_packets(&s, 0, 312 + 2 * 960, stereo, 1, 1);
  }
  ogg_packets(&s, 0x04, 312 + 6 * 960, stereo, 2, 4);
  emit_out(g, &o, "stereo-packet-spanning-pages.opus");
  return g->status;
}

/* 5.1 in family 1 from the surround encoder. */
static int ogg_surround(oh_cg *g) {
  static out o;
  static pkts p;
  int err = OPUS_OK, streams = 0, coupled = 0, i;
  uint8_t mapping[6];
  int16_t pcm[960 * 6];
  ogg s;
  OpusMSEncoder *enc = opus_multistream_surround_encoder_create(
      48000, 6, 1, &streams, &coupled, mapping, OPUS_APPLICATION_AUDIO, &err);
  if (oh_cg_opus(g, err, "opus_multistream_surround_encoder_create") != OH_OK) return g->status;
  opus_multistream_encoder_ctl(enc, OPUS_SET_BITRATE(64000));
  memset(&p, 0, sizeof p);
  for (i = 0; i < 4 && g->status == OH_OK; i++) {
    int n;
    oh_cg_signal_fill(OH_SIG_MIX, (int64_t)i * 960, 960, 6, 48000, pcm);
    n = opus_multistream_encode(enc, pcm, 960, p.data[i], (opus_int32)sizeof p.data[i]);
    if (oh_cg_opus(g, n, "opus_multistream_encode") != OH_OK) break;
    p.len[i] = (size_t)n;
    p.n++;
  }
  opus_multistream_encoder_destroy(enc);
  if (g->status != OH_OK) return g->status;
  reset(&o);
  s = (ogg){&o, 51u, 0};
  opus_head(&s, 6, 1, streams, coupled, mapping);
  ogg_packets(&s, 0x04, 312 + 4 * 960, &p, 0, 4);
  return emit_out(g, &o, "surround-5.1-family1.opus");
}

/* ---- pcap ------------------------------------------------------------ */

static unsigned ip_sum(const uint8_t *p, size_t n, uint32_t sum) {
  size_t i;
  for (i = 0; i + 1 < n; i += 2) sum += (uint32_t)p[i] << 8 | p[i + 1];
  if (n & 1) sum += (uint32_t)p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* RTP (optionally with one CSRC and a one-word extension) in UDP in IPv4
 * or IPv6, written into f; returns the frame length. */
static size_t rtp_frame(uint8_t *f, int ipv6, int rtcp, uint16_t seq, uint32_t ts, int fancy,
                        const uint8_t *payload, size_t len) {
  uint8_t *ip = f, *udp, *rtp;
  size_t rtp_len, udp_len, i;
  uint32_t sum = 0;
  rtp = f + (ipv6 ? 40 : 20) + 8;
  if (rtcp) {
    /* An RTCP receiver report: second byte 201. */
    static const uint8_t rr[8] = {0x80, 201, 0, 1, 0x0b, 0xad, 0xca, 0xfe};
    memcpy(rtp, rr, sizeof rr);
    rtp_len = sizeof rr;
  } else {
    rtp[0] = fancy ? 0x80 | 0x10 | 1 : 0x80;
    rtp[1] = (uint8_t)((seq == 1000 ? 0x80 : 0) | 111);
    oh_cg_be16(rtp + 2, seq);
    oh_cg_be32(rtp + 4, ts);
    oh_cg_be32(rtp + 8, 0x0badcafeu);
    rtp_len = 12;
    if (fancy) {
      oh_cg_be32(rtp + 12, 0x12345678u);              /* one CSRC */
      oh_cg_be16(rtp + 16, 0xbede);                   /* RFC 8285 one-byte */
      oh_cg_be16(rtp + 18, 1);                        /* one word */
      oh_cg_be32(rtp + 20, 0x10ff0000u);              /* id 1, 1 byte */
      rtp_len = 24;
    }
    memcpy(rtp + rtp_len, payload, len);
    rtp_len += len;
  }
  udp_len = 8 + rtp_len;
  udp = rtp - 8;
  oh_cg_be16(udp, 5004);
  oh_cg_be16(udp + 2, 5006);
  oh_cg_be16(udp + 4, (unsigned)udp_len);
  oh_cg_be16(udp + 6, 0);
  if (ipv6) {
    memset(ip, 0, 40);
    ip[0] = 0x60;
    oh_cg_be16(ip + 4, (unsigned)udp_len);
    ip[6] = 17;
    ip[7] = 64;
    ip[8] = 0xfd;
    ip[23] = 1;
    ip[24] = 0xfd;
    ip[39] = 2;
    /* The pseudo-header: addresses, length, next header. */
    for (i = 8; i < 40; i += 2) sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    sum += (uint32_t)udp_len + 17;
    oh_cg_be16(udp + 6, ip_sum(udp, udp_len, sum));
    return 40 + udp_len;
  }
  memset(ip, 0, 20);
  ip[0] = 0x45;
  oh_cg_be16(ip + 2, (unsigned)(20 + udp_len));
  oh_cg_be16(ip + 4, seq);
  ip[6] = 0x40; /* don't fragment */
  ip[8] = 64;
  ip[9] = 17;
  oh_cg_be32(ip + 12, 0x7f000001u);
  oh_cg_be32(ip + 16, 0x7f000001u);
  oh_cg_be16(ip + 10, ip_sum(ip, 20, 0));
  return 20 + udp_len;
}

static void pcap_record(out *o, uint32_t sec, uint32_t usec, const uint8_t *frame, size_t len) {
  putle32(o, sec);
  putle32(o, usec);
  putle32(o, (uint32_t)len);
  putle32(o, (uint32_t)len);
  put(o, frame, len);
}

static int pcaps(oh_cg *g, const pkts *p) {
  static out o;
  uint8_t frame[2048];
  int i;
  size_t n;

  /* Classic pcap, Ethernet, IPv4; sequence 1002 never arrives. */
  reset(&o);
  putle32(&o, 0xa1b2c3d4u);
  putle16(&o, 2);
  putle16(&o, 4);
  putle32(&o, 0);
  putle32(&o, 0);
  putle32(&o, 65535);
  putle32(&o, 1);
  for (i = 0; i < p->n; i++) {
    uint16_t seq = (uint16_t)(1000 + i + (i >= 2));
    memset(frame, 0, 14);
    frame[5] = 1;
    frame[11] = 2;
    oh_cg_be16(frame + 12, 0x0800);
    n = 14 + rtp_frame(frame + 14, 0, 0, seq, 4242u + 960u * (seq - 1000u), 0, p->data[i],
                       p->len[i]);
    pcap_record(&o, 1700000000u, (uint32_t)(20000 * i), frame, n);
  }
  emit_out(g, &o, "rtp-ethernet-ipv4-seq-gap.pcap");

  /* pcapng, raw IPv4, an RTCP packet on the same ports. */
  reset(&o);
  putle32(&o, 0x0a0d0d0au);
  putle32(&o, 28);
  putle32(&o, 0x1a2b3c4du);
  putle16(&o, 1);
  putle16(&o, 0);
  putle32(&o, 0xffffffffu);
  putle32(&o, 0xffffffffu);
  putle32(&o, 28);
  putle32(&o, 1); /* IDB */
  putle32(&o, 20);
  putle16(&o, 101);
  putle16(&o, 0);
  putle32(&o, 0);
  putle32(&o, 20);
  for (i = 0; i < p->n; i++) {
    size_t pad, total;
    n = rtp_frame(frame, 0, i == 3, (uint16_t)(1000 + i - (i > 3)), 960u * (uint32_t)i, 0,
                  p->data[i], p->len[i]);
    pad = (4 - n % 4) % 4;
    total = 32 + n + pad;
    putle32(&o, 6); /* EPB */
    putle32(&o, (uint32_t)total);
    putle32(&o, 0);
    putle32(&o, 0);
    putle32(&o, (uint32_t)(20000 * i));
    putle32(&o, (uint32_t)n);
    putle32(&o, (uint32_t)n);
    put(&o, frame, n);
    while (pad--) put8(&o, 0);
    putle32(&o, (uint32_t)total);
  }
  emit_out(g, &o, "rtp-rawip-ipv4-with-rtcp.pcapng");

  /* Classic pcap, Linux cooked capture, IPv6, CSRC and header extension. */
  reset(&o);
  putle32(&o, 0xa1b2c3d4u);
  putle16(&o, 2);
  putle16(&o, 4);
  putle32(&o, 0);
  putle32(&o, 0);
  putle32(&o, 65535);
  putle32(&o, 113);
  for (i = 0; i < 4; i++) {
    memset(frame, 0, 16);
    oh_cg_be16(frame + 2, 772);
    oh_cg_be16(frame + 4, 6);
    oh_cg_be16(frame + 14, 0x86dd);
    n = 16 + rtp_frame(frame + 16, 1, 0, (uint16_t)(65534 + i), 960u * (uint32_t)i, 1,
                       p->data[i], p->len[i]);
    pcap_record(&o, 1700000000u, (uint32_t)(20000 * i), frame, n);
  }
  emit_out(g, &o, "rtp-sll-ipv6-csrc-extension-seq-wrap.pcap");
  return g->status;
}

/* ---- logs and a script ----------------------------------------------- */

static void hex(out *o, const uint8_t *p, size_t n, const char *sep) {
  size_t i;
  char b[8];
  for (i = 0; i < n; i++) {
    snprintf(b, sizeof b, "%s%02x", i ? sep : "", p[i]);
    puts_(o, b);
  }
}

static void b64(out *o, const uint8_t *p, size_t n) {
  static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;
  for (i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                 (i + 2 < n ? p[i + 2] : 0);
    put8(o, (unsigned char)T[v >> 18]);
    put8(o, (unsigned char)T[v >> 12 & 63]);
    put8(o, i + 1 < n ? (unsigned char)T[v >> 6 & 63] : '=');
    put8(o, i + 2 < n ? (unsigned char)T[v & 63] : '=');
  }
}

static int logs(oh_cg *g, const pkts *p) {
  static out o;
  char line[96];
  int i;
  reset(&o);
  puts_(&o, "# opushunt corpus: key=value hex log, packet 3 lost\n");
  for (i = 0; i < p->n; i++) {
    if (i == 3) {
      puts_(&o, "lost\n");
      continue;
    }
    snprintf(line, sizeof line, "seq=%d packet_len=%zu data=", i, p->len[i]);
    puts_(&o, line);
    hex(&o, p->data[i], p->len[i], "");
    puts_(&o, "\n");
  }
  emit_out(g, &o, "keyvalue-hex-with-loss.log");

  reset(&o);
  for (i = 0; i < p->n; i++) {
    if (i == 2) {
      snprintf(line, sizeof line, "{\"seq\":%d,\"packet\":null}\n", i);
      puts_(&o, line);
      continue;
    }
    snprintf(line, sizeof line, "{\"seq\":%d,\"len\":%zu,\"packet\":\"", i, p->len[i]);
    puts_(&o, line);
    b64(&o, p->data[i], p->len[i]);
    puts_(&o, "\"}\n");
  }
  emit_out(g, &o, "json-base64-with-null.jsonl");

  reset(&o);
  for (i = 0; i < 4; i++) {
    hex(&o, p->data[i], p->len[i], i == 0 ? " " : i == 1 ? ":" : i == 2 ? ",0x" : "");
    puts_(&o, "\n");
  }
  emit_out(g, &o, "separated-hex.log");
  return g->status;
}

static int script(oh_cg *g, const pkts *p) {
  oh_script s;
  oh_script_header h;
  int i;
  oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
  oh_script_init(&s, &h);
  for (i = 0; i < p->n; i++) {
    if (i == 3) oh_cg_rec_loss(g, &s, 960);
    oh_cg_rec_packet(g, &s, p->data[i], p->len[i]);
  }
  return oh_cg_emit_script(g, &s, "decoder-script-with-loss.ohs");
}

int oh_cg_readers(oh_cg *g) {
  static pkts stereo, mono, span;
  oh_cg_enc e;
  encode(g, 2, &stereo);
  encode(g, 1, &mono);
  /* The page-spanning Ogg seed needs a packet of 255 bytes or more: the
   * second frame of a 128 kb/s encoder replaces its second packet. */
  span = stereo;
  if (oh_cg_enc_open(g, &e, 2, 128000, OH_SIG_MIX) == OH_OK) {
    int16_t pcm[960 * 2];
    int i, n;
    oh_cg_enc_force(g, &e, OH_CG_MODE_CELT, OPUS_BANDWIDTH_FULLBAND, 2);
    for (i = 0; i < 2 && g->status == OH_OK; i++) {
      oh_cg_signal_fill(OH_SIG_MIX, 960 * i, 960, 2, 48000, pcm);
      n = opus_encode(e.enc, pcm, 960, span.data[1], (opus_int32)sizeof span.data[1]);
      if (oh_cg_opus(g, n, "opus_encode") == OH_OK) span.len[1] = (size_t)n;
    }
    oh_cg_enc_close(&e);
    if (g->status == OH_OK && span.len[1] < 255)
      oh_cg_fail(g, OH_ERR_MALFORMED, "128 kb/s packet of only %zu bytes", span.len[1]);
  }
  length_prefixed(g, &stereo);
  ogg_streams(g, &span, &mono);
  ogg_surround(g);
  pcaps(g, &stereo);
  logs(g, &stereo);
  script(g, &stereo);
  return g->status;
}
