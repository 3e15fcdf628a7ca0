/* Tests for the pcap/pcapng RTP reader: the loopback captures under
 * corpus/samples (tcpdump on lo and any, dumpcap's pcapng; see
 * make-samples.sh for what was sent), checked payload for payload against
 * the Ogg file the sender replayed; the flow choice, losses, duplicates and
 * late packets; every link type and IP variant from a small test-only frame
 * and file writer (big-endian pcap, multi-section pcapng with SPB and
 * unknown blocks); each error path with its code and offset; truncation at
 * every length and random damage (never a crash, always an end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "test_util.h"

/* ---- Running the reader ------------------------------------------------- */

typedef oh_test_run run;

/* What every pcap record must satisfy. */
static void check_record(const oh_record *rec, const uint8_t *buf, size_t len) {
  assert_true(rec->lost ? rec->data == NULL && rec->len == 0 : rec->data != NULL);
  if (!rec->lost)
    assert_true(rec->data >= buf && rec->data + rec->len <= buf + len &&
                rec->data > buf + rec->offset);
}

static int run_reader(const uint8_t *buf, size_t len,
                      const oh_reader_options *opt, run *out) {
  return oh_test_run_reader(OH_FMT_PCAP, buf, len, opt, check_record, out);
}

static void run_free(run *rn) { oh_test_run_free(rn); }

static uint8_t *sample(const char *name, size_t *len) { return oh_test_sample(name, len); }

static void expect_error(const uint8_t *buf, size_t len,
                         const oh_reader_options *opt, int code,
                         uint64_t offset) {
  run rn;
  run_reader(buf, len, opt, &rn);
  if (rn.end != code || rn.err.offset != offset)
    fail_msg("expected code %d at %llu, got %d at %llu: %s", code,
             (unsigned long long)offset, rn.end,
             (unsigned long long)rn.err.offset, rn.err.reason);
  run_free(&rn);
}

/* ---- Test-only writers: RTP, UDP/IP, link headers, pcap, pcapng -------- */

typedef struct bytes {
  uint8_t *p;
  size_t n, cap;
} bytes;

static void put(bytes *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    assert_non_null(b->p);
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void put16(bytes *b, int big, uint32_t v) {
  uint8_t x[2] = {(uint8_t)(big ? v >> 8 : v), (uint8_t)(big ? v : v >> 8)};
  put(b, x, 2);
}

static void put32(bytes *b, int big, uint32_t v) {
  uint8_t x[4];
  for (int i = 0; i < 4; i++) x[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
  put(b, x, 4);
}

static void set16be(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void set32be(uint8_t *p, uint32_t v) {
  set16be(p, v >> 16);
  set16be(p + 2, v);
}

static const uint8_t opus_payload[6] = {0xfc, 0x01, 0x02, 0x03, 0x04, 0x05};

/* A 12-byte RTP header and the payload. */
static size_t rtp(uint8_t *out, uint8_t b0, int pt, uint16_t seq, uint32_t ts,
                  uint32_t ssrc, const uint8_t *pl, size_t n) {
  out[0] = b0;
  out[1] = (uint8_t)pt;
  set16be(out + 2, seq);
  set32be(out + 4, ts);
  set32be(out + 8, ssrc);
  memcpy(out + 12, pl, n);
  return 12 + n;
}

static size_t rtp_simple(uint8_t *out, uint16_t seq, uint32_t ts) {
  return rtp(out, 0x80, 111, seq, ts, 0x1234abcd, opus_payload, 6);
}

static size_t udp_header(uint8_t *out, const uint8_t *pl, size_t n) {
  set16be(out, 5004);
  set16be(out + 2, 5006);
  set16be(out + 4, (uint32_t)(8 + n));
  set16be(out + 6, 0);
  memcpy(out + 8, pl, n);
  return 8 + n;
}

/* IPv4 + UDP; opt_words of IPv4 options, frag = flags and offset field. */
static size_t udp4(uint8_t *out, const uint8_t *pl, size_t n, int opt_words,
                   uint16_t frag) {
  size_t ihl = 20 + 4 * (size_t)opt_words;
  memset(out, 0, ihl);
  out[0] = (uint8_t)(0x40 | (ihl / 4));
  out[8] = 64;
  out[9] = 17;
  set16be(out + 6, frag);
  out[12] = 127;
  out[15] = 1;
  out[16] = 127;
  out[19] = 1;
  size_t total = ihl + udp_header(out + ihl, pl, n);
  set16be(out + 2, (uint32_t)total);
  return total;
}

/* IPv6 + UDP; with ext, hop-by-hop, an atomic fragment header and
 * destination options come first. */
static size_t udp6(uint8_t *out, const uint8_t *pl, size_t n, int ext) {
  size_t h = 40;
  memset(out, 0, 40);
  out[0] = 0x60;
  out[7] = 64;
  out[23] = 1;
  out[39] = 1;
  out[6] = ext ? 0 : 17;
  if (ext) {
    static const uint8_t hbh[8] = {44, 0, 1, 4, 0, 0, 0, 0};
    static const uint8_t frag[8] = {60, 0, 0, 0, 0, 0, 0, 7};
    static const uint8_t dst[16] = {17, 1, 1, 12};
    memcpy(out + h, hbh, 8);
    memcpy(out + h + 8, frag, 8);
    memcpy(out + h + 16, dst, 16);
    h += 32;
  }
  size_t total = h + udp_header(out + h, pl, n);
  set16be(out + 4, (uint32_t)(total - 40));
  return total;
}

/* The link header for linktype in front of an IP packet. */
static size_t framed(uint8_t *out, int linktype, int ipver, const uint8_t *ip,
                     size_t n) {
  size_t h = 0;
  uint16_t et = ipver == 4 ? 0x0800 : 0x86dd;
  switch (linktype) {
  case 0: /* null, little-endian host */
    out[0] = ipver == 4 ? 2 : 10;
    out[1] = out[2] = out[3] = 0;
    h = 4;
    break;
  case 108: /* loop, network order */
    set32be(out, ipver == 4 ? 2 : 24);
    h = 4;
    break;
  case 1: /* Ethernet with an 802.1ad and an 802.1Q tag */
    memset(out, 0xaa, 12);
    set16be(out + 12, 0x88a8);
    set16be(out + 14, 5);
    set16be(out + 16, 0x8100);
    set16be(out + 18, 7);
    set16be(out + 20, et);
    h = 22;
    break;
  case 113:
    memset(out, 0, 14);
    set16be(out + 14, et);
    h = 16;
    break;
  case 276:
    memset(out, 0, 20);
    set16be(out, et);
    h = 20;
    break;
  }
  memcpy(out + h, ip, n);
  return h + n;
}

static void pcap_header(bytes *b, int big, uint32_t magic, uint32_t linktype) {
  put32(b, big, magic);
  put16(b, big, 2);
  put16(b, big, 4);
  put32(b, big, 0);
  put32(b, big, 0);
  put32(b, big, 65535);
  put32(b, big, linktype);
}

static void pcap_record(bytes *b, int big, const uint8_t *d, size_t cap,
                        size_t orig) {
  put32(b, big, 1700000000);
  put32(b, big, 0);
  put32(b, big, (uint32_t)cap);
  put32(b, big, (uint32_t)orig);
  put(b, d, cap);
}

static void ng_block(bytes *b, int big, uint32_t type, const bytes *body) {
  size_t pad = (4 - body->n % 4) % 4;
  static const uint8_t zero[4] = {0};
  uint32_t total = (uint32_t)(12 + body->n + pad);
  put32(b, big, type);
  put32(b, big, total);
  put(b, body->p, body->n);
  put(b, zero, pad);
  put32(b, big, total);
}

static void ng_shb(bytes *b, int big) {
  bytes body = {0};
  put32(&body, big, 0x1a2b3c4d);
  put16(&body, big, 1);
  put16(&body, big, 0);
  put32(&body, big, 0xffffffff);
  put32(&body, big, 0xffffffff);
  ng_block(b, big, 0x0a0d0d0a, &body);
  free(body.p);
}

static void ng_idb(bytes *b, int big, int linktype, uint32_t snaplen) {
  bytes body = {0};
  put16(&body, big, (uint32_t)linktype);
  put16(&body, big, 0);
  put32(&body, big, snaplen);
  ng_block(b, big, 1, &body);
  free(body.p);
}

static void ng_epb(bytes *b, int big, uint32_t ifid, const uint8_t *d,
                   size_t cap, size_t orig) {
  bytes body = {0};
  static const uint8_t zero[4] = {0};
  put32(&body, big, ifid);
  put32(&body, big, 0);
  put32(&body, big, 0);
  put32(&body, big, (uint32_t)cap);
  put32(&body, big, (uint32_t)orig);
  put(&body, d, cap);
  put(&body, zero, (4 - cap % 4) % 4);
  ng_block(b, big, 6, &body);
  free(body.p);
}

static void ng_spb(bytes *b, int big, const uint8_t *d, size_t n) {
  bytes body = {0};
  put32(&body, big, (uint32_t)n);
  put(&body, d, n);
  ng_block(b, big, 3, &body);
  free(body.p);
}

/* One-frame classic pcap, little-endian. */
static bytes one_frame(int linktype, const uint8_t *frame, size_t cap,
                       size_t orig) {
  bytes b = {0};
  pcap_header(&b, 0, 0xa1b2c3d4, (uint32_t)linktype);
  pcap_record(&b, 0, frame, cap, orig);
  return b;
}

/* A classic little-endian pcap of Ethernet/IPv4 frames of RTP packets. */
static void add_rtp(bytes *b, const uint8_t *pkt, size_t n) {
  uint8_t ip[2048], fr[2100];
  size_t in = udp4(ip, pkt, n, 0, 0), fn = framed(fr, 1, 4, ip, in);
  pcap_record(b, 0, fr, fn, fn);
}

/* The classic sample's records: offsets of the record headers. */
static size_t classic_records(const uint8_t *b, size_t len, size_t *offs,
                              size_t max) {
  size_t n = 0, off = 24;
  while (off + 16 <= len && n < max) {
    uint32_t incl = (uint32_t)b[off + 8] | (uint32_t)b[off + 9] << 8 |
                    (uint32_t)b[off + 10] << 16 | (uint32_t)b[off + 11] << 24;
    if (off + 16 + incl > len) break;
    offs[n++] = off;
    off += 16 + incl;
  }
  return n;
}

/* ---- Samples ------------------------------------------------------------ */

/* The first 50 audio packets of the Ogg file the sender replayed. */
static run ogg_packets(void) {
  size_t len;
  uint8_t *buf = sample("sine-stereo-48k-20ms.opus", &len);
  oh_reader *r;
  oh_record rec;
  oh_error err;
  run rn;
  memset(&rn, 0, sizeof rn);
  assert_int_equal(oh_reader_open(&r, OH_FMT_OGG, buf, len, NULL, &err), OH_OK);
  while (rn.n < 50 && oh_reader_next(r, &rec, &err) == 1) {
    rn.v = realloc(rn.v, (rn.n + 1) * sizeof *rn.v);
    rn.v[rn.n].rec = rec;
    rn.v[rn.n].bytes = malloc(rec.len);
    memcpy(rn.v[rn.n].bytes, rec.data, rec.len);
    rn.n++;
  }
  oh_reader_close(r);
  free(buf);
  assert_int_equal(rn.n, 50);
  return rn;
}

/* Flow A as make-samples.sh sent it: packets 10 and 30 lost (30 came late),
 * 20 duplicated. */
static void check_flow_a(const run *rn, const run *ogg) {
  assert_int_equal(rn->end, 0);
  assert_int_equal(rn->n, 50);
  for (size_t i = 0; i < 50; i++) {
    const oh_record *rec = &rn->v[i].rec;
    assert_int_equal(rec->index, i);
    assert_int_equal(rec->lost, i == 10 || i == 30);
    assert_true(rec->has_timestamp);
    assert_int_equal(rec->timestamp, 48000 + 960 * (int64_t)i);
    if (rec->lost) {
      assert_int_equal(rec->offset, rn->v[i + 1].rec.offset);
      continue;
    }
    assert_int_equal(rec->len, ogg->v[i].rec.len);
    assert_memory_equal(rn->v[i].bytes, ogg->v[i].bytes, rec->len);
  }
  assert_non_null(strstr(rn->describe,
                         "; dropped 1 duplicate, 1 late, 0 other payload type"));
}

static void test_samples_match_the_replayed_ogg(void **state) {
  static const struct {
    const char *file, *describe;
  } cases[] = {
      {"rtp-opus-ipv4-lo-ethernet.pcap", "pcap (Ethernet, IPv4) "},
      {"rtp-opus-ipv6-any-sll.pcap", "pcap (Linux cooked, IPv6) "},
      {"rtp-opus-ipv4-any-sll2-nsec.pcap", "pcap (Linux cooked v2, IPv4) "},
      {"rtp-opus-ipv4-lo.pcapng", "pcapng (Ethernet, IPv4) "},
  };
  run ogg = ogg_packets();
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    size_t len;
    char want[256];
    uint8_t *buf = sample(cases[k].file, &len);
    run rn;
    run_reader(buf, len, NULL, &rn);
    if (rn.end != 0) fail_msg("%s: %s", cases[k].file, rn.err.reason);
    check_flow_a(&rn, &ogg);
    snprintf(want, sizeof want,
             "%sRTP ssrc 0x1234abcd pt 111 udp 5004 -> 5006", cases[k].describe);
    assert_memory_equal(rn.describe, want, strlen(want));
    run_free(&rn);
    free(buf);
  }
  run_free(&ogg);
}

/* Flow B has a CSRC, a header extension and padding around 3 bytes. */
static void check_flow_b(const uint8_t *buf, size_t len,
                         const oh_reader_options *opt) {
  static const uint8_t payload[3] = {0xf8, 0xff, 0xfe};
  run rn;
  assert_int_equal(run_reader(buf, len, opt, &rn), 0);
  assert_int_equal(rn.n, 5);
  for (size_t i = 0; i < 5; i++) {
    assert_int_equal(rn.v[i].rec.len, 3);
    assert_memory_equal(rn.v[i].bytes, payload, 3);
    assert_int_equal(rn.v[i].rec.timestamp, 5000 + 480 * (int64_t)i);
  }
  assert_string_equal(rn.describe, "pcap (Ethernet, IPv4) RTP ssrc 0x0badcafe "
                                   "pt 96 udp 5010 -> 5012");
  run_free(&rn);
}

static void test_flow_choice_by_ssrc_port_and_type(void **state) {
  size_t len;
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  oh_reader_options opt;
  oh_reader_options_init(&opt);
  opt.rtp_ssrc_set = 1;
  opt.rtp_ssrc = 0x0badcafe;
  check_flow_b(buf, len, &opt);
  oh_reader_options_init(&opt);
  opt.udp_port = 5012;
  check_flow_b(buf, len, &opt);
  oh_reader_options_init(&opt);
  opt.rtp_payload_type = 96;
  check_flow_b(buf, len, &opt);
  free(buf);
}

static void test_missing_ssrc_names_ssrcs_fail(void **state) {
  size_t len;
  uint8_t *buf = sample("rtp-opus-ipv4-lo.pcapng", &len);
  oh_reader_options opt;
  run rn;
  oh_reader_options_init(&opt);
  opt.rtp_ssrc_set = 1;
  opt.rtp_ssrc = 7;
  assert_int_equal(run_reader(buf, len, &opt, &rn), OH_ERR_NOT_FOUND);
  assert_int_equal(rn.err.offset, OH_NO_OFFSET);
  assert_non_null(strstr(rn.err.reason, "0x1234abcd, 0x0badcafe"));
  run_free(&rn);
  oh_reader_options_init(&opt);
  opt.udp_port = 9;
  expect_error(buf, len, &opt, OH_ERR_NOT_FOUND, OH_NO_OFFSET);
  free(buf);
}

/* The classic sample rewritten big-endian with the nanosecond magic. */
static void test_big_endian_nanosecond_pcap(void **state) {
  size_t len, offs[128], n;
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  bytes b = {0};
  run ogg = ogg_packets(), rn;
  pcap_header(&b, 1, 0xa1b23c4d, 1);
  n = classic_records(buf, len, offs, 128);
  assert_int_equal(n, 57);
  for (size_t i = 0; i < n; i++) {
    size_t incl = buf[offs[i] + 8] | buf[offs[i] + 9] << 8;
    pcap_record(&b, 1, buf + offs[i] + 16, incl, incl);
  }
  run_reader(b.p, b.n, NULL, &rn);
  check_flow_a(&rn, &ogg);
  run_free(&rn);
  run_free(&ogg);
  free(b.p);
  free(buf);
}

/* The classic sample as a two-section pcapng: a big-endian section with an
 * interface of an unknown link type, EPBs and an unknown block, then a
 * little-endian section of simple packet blocks. */
static void test_pcapng_sections_spb_and_unknown_blocks(void **state) {
  size_t len, offs[128], n;
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  bytes b = {0}, custom = {0};
  run ogg = ogg_packets(), rn;
  n = classic_records(buf, len, offs, 128);
  ng_shb(&b, 1);
  ng_idb(&b, 1, 147, 0);
  ng_idb(&b, 1, 1, 0);
  put(&custom, "opushunt", 8);
  for (size_t i = 0; i < n; i++) {
    size_t incl = buf[offs[i] + 8] | buf[offs[i] + 9] << 8;
    if (i == n / 2) {
      ng_block(&b, 1, 0x40000bad, &custom);
      ng_shb(&b, 0);
      ng_idb(&b, 0, 1, 0);
    }
    if (i < n / 2) {
      ng_epb(&b, 1, 0, opus_payload, 6, 6); /* on the unknown link */
      ng_epb(&b, 1, 1, buf + offs[i] + 16, incl, incl);
    } else {
      ng_spb(&b, 0, buf + offs[i] + 16, incl);
    }
  }
  run_reader(b.p, b.n, NULL, &rn);
  check_flow_a(&rn, &ogg);
  assert_memory_equal(rn.describe, "pcapng (Ethernet, IPv4)", 23);
  run_free(&rn);
  run_free(&ogg);
  free(custom.p);
  free(b.p);
  free(buf);
}

/* ---- Link types and IP variants ----------------------------------------- */

static void test_every_link_type_and_ip_variant(void **state) {
  static const struct {
    int linktype, ipver, ext;
  } cases[] = {{0, 4, 0},   {0, 6, 0},   {108, 4, 0}, {1, 4, 0},
               {1, 6, 1},   {101, 4, 0}, {101, 6, 0}, {228, 4, 0},
               {229, 6, 1}, {113, 4, 0}, {276, 6, 0}};
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    uint8_t pkt[64], ip[256], fr[300];
    size_t pn = rtp_simple(pkt, 1, 960);
    size_t in = cases[k].ipver == 4 ? udp4(ip, pkt, pn, 0, 0)
                                    : udp6(ip, pkt, pn, cases[k].ext);
    size_t fn = framed(fr, cases[k].linktype, cases[k].ipver, ip, in);
    bytes b = one_frame(cases[k].linktype, fr, fn, fn);
    run rn;
    run_reader(b.p, b.n, NULL, &rn);
    if (rn.end != 0 || rn.n != 1)
      fail_msg("link %d IPv%d: %d records, end %d (%s)", cases[k].linktype,
               cases[k].ipver, (int)rn.n, rn.end, rn.err.reason);
    assert_int_equal(rn.v[0].rec.len, 6);
    assert_memory_equal(rn.v[0].bytes, opus_payload, 6);
    assert_int_equal(rn.v[0].rec.offset, 24);
    run_free(&rn);
    free(b.p);
  }
}

static void test_ipv4_options_and_fragments(void **state) {
  uint8_t pkt[64], ip[256], fr[300];
  size_t pn = rtp_simple(pkt, 1, 960), in, fn;
  bytes b = {0};
  run rn;
  pcap_header(&b, 0, 0xa1b2c3d4, 1);
  in = udp4(ip, pkt, pn, 2, 0); /* 8 bytes of options */
  fn = framed(fr, 1, 4, ip, in);
  pcap_record(&b, 0, fr, fn, fn);
  in = udp4(ip, pkt, pn, 0, 0x0010); /* a later fragment: skipped */
  fn = framed(fr, 1, 4, ip, in);
  pcap_record(&b, 0, fr, fn, fn);
  assert_int_equal(run_reader(b.p, b.n, NULL, &rn), 0);
  assert_int_equal(rn.n, 1);
  run_free(&rn);
  size_t at = b.n;
  in = udp4(ip, pkt, pn, 0, 0x2000); /* first fragment of the flow */
  set16be(ip + 24, 500);             /* the whole datagram is longer */
  fn = framed(fr, 1, 4, ip, in);
  pcap_record(&b, 0, fr, fn, fn);
  expect_error(b.p, b.n, NULL, OH_ERR_UNSUPPORTED, at);
  free(b.p);
}

/* RTCP and STUN on the flow's ports, another SSRC, a DTMF-like packet of
 * another payload type in the flow, and sequence wrap. */
static void test_skips_and_sequence_wrap(void **state) {
  uint8_t pkt[64];
  bytes b = {0};
  run rn;
  pcap_header(&b, 0, 0xa1b2c3d4, 1);
  add_rtp(&b, pkt, rtp_simple(pkt, 65534, 0));
  add_rtp(&b, pkt, rtp(pkt, 0x80, 200, 0, 0, 0x1234abcd, opus_payload, 6));
  add_rtp(&b, pkt, rtp(pkt, 0x00, 1, 0, 0, 0x2112a442, opus_payload, 6));
  add_rtp(&b, pkt, rtp(pkt, 0x80, 111, 9, 0, 0x99, opus_payload, 6));
  add_rtp(&b, pkt, rtp_simple(pkt, 65535, 960));
  add_rtp(&b, pkt, rtp(pkt, 0x80, 101, 0, 1920, 0x1234abcd, opus_payload, 6));
  add_rtp(&b, pkt, rtp_simple(pkt, 1, 2880));
  assert_int_equal(run_reader(b.p, b.n, NULL, &rn), 0);
  assert_int_equal(rn.n, 3);
  assert_false(rn.v[2].rec.lost);
  assert_int_equal(rn.v[2].rec.timestamp, 2880);
  assert_non_null(strstr(rn.describe, "0 late, 1 other payload type"));
  run_free(&rn);
  free(b.p);
}

static void test_lost_timestamps_only_when_even(void **state) {
  uint8_t pkt[64];
  bytes b = {0};
  run rn;
  pcap_header(&b, 0, 0xa1b2c3d4, 1);
  add_rtp(&b, pkt, rtp_simple(pkt, 1, 0));
  add_rtp(&b, pkt, rtp_simple(pkt, 4, 1000)); /* 2 lost, 1000 / 3 uneven */
  add_rtp(&b, pkt, rtp_simple(pkt, 6, 4000)); /* 1 lost at 2500 */
  assert_int_equal(run_reader(b.p, b.n, NULL, &rn), 0);
  assert_int_equal(rn.n, 6);
  assert_true(rn.v[1].rec.lost && !rn.v[1].rec.has_timestamp);
  assert_true(rn.v[2].rec.lost && !rn.v[2].rec.has_timestamp);
  assert_true(rn.v[4].rec.lost && rn.v[4].rec.has_timestamp);
  assert_int_equal(rn.v[4].rec.timestamp, 2500);
  run_free(&rn);
  free(b.p);
}

/* ---- Error paths -------------------------------------------------------- */

static void test_sequence_jump_limit_fail(void **state) {
  uint8_t pkt[64];
  bytes b = {0};
  pcap_header(&b, 0, 0xa1b2c3d4, 1);
  add_rtp(&b, pkt, rtp_simple(pkt, 1, 0));
  size_t at = b.n;
  add_rtp(&b, pkt, rtp_simple(pkt, 1003, 960));
  expect_error(b.p, b.n, NULL, OH_ERR_LIMIT, at);
  free(b.p);
}

static void test_truncated_record_fail(void **state) {
  size_t len, offs[128];
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  assert_int_equal(classic_records(buf, len, offs, 128), 57);
  expect_error(buf, offs[40] + 100, NULL, OH_ERR_TRUNCATED, offs[40]);
  expect_error(buf, offs[40] + 10, NULL, OH_ERR_TRUNCATED, offs[40]);
  expect_error(buf, 20, NULL, OH_ERR_TRUNCATED, 0);
  /* Captured longer than the original. */
  buf[offs[40] + 12] = 1;
  buf[offs[40] + 13] = 0;
  expect_error(buf, len, NULL, OH_ERR_MALFORMED, offs[40] + 8);
  free(buf);
}

static void test_snaplen_cut_packet_fail(void **state) {
  uint8_t pkt[64], ip[256], fr[300];
  size_t pn = rtp_simple(pkt, 1, 0), in = udp4(ip, pkt, pn, 0, 0);
  size_t fn = framed(fr, 1, 4, ip, in);
  bytes b = {0};
  run rn;
  pcap_header(&b, 0, 0xa1b2c3d4, 1);
  add_rtp(&b, pkt, pn);
  /* Another SSRC, cut after its RTP header: visibly not ours, skipped. */
  rtp(pkt, 0x80, 111, 2, 0, 0x77, opus_payload, 6);
  in = udp4(ip, pkt, pn, 0, 0);
  fn = framed(fr, 1, 4, ip, in);
  pcap_record(&b, 0, fr, fn - 3, fn);
  assert_int_equal(run_reader(b.p, b.n, NULL, &rn), 0);
  assert_int_equal(rn.n, 1);
  run_free(&rn);
  /* Ours, cut inside the payload. */
  size_t at = b.n;
  rtp_simple(pkt, 2, 960);
  in = udp4(ip, pkt, pn, 0, 0);
  fn = framed(fr, 1, 4, ip, in);
  pcap_record(&b, 0, fr, fn - 3, fn);
  expect_error(b.p, b.n, NULL, OH_ERR_TRUNCATED, at);
  free(b.p);
}

static void test_unknown_link_type_fail(void **state) {
  uint8_t frame[8] = {0};
  bytes b = one_frame(147, frame, 8, 8);
  expect_error(b.p, b.n, NULL, OH_ERR_UNSUPPORTED, 20);
  free(b.p);
}

static void test_bad_magic_and_version_fail(void **state) {
  uint8_t frame[8] = {0};
  bytes b = one_frame(1, frame, 8, 8);
  b.p[4] = 3; /* version 3.4 */
  expect_error(b.p, b.n, NULL, OH_ERR_UNSUPPORTED, 4);
  b.p[0] = 'X';
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, 0);
  expect_error(b.p, 2, NULL, OH_ERR_TRUNCATED, 0);
  free(b.p);
}

/* One Ethernet/IPv4 frame of the flow with a header field changed. */
typedef struct header_case {
  const char *what;
  size_t field;  /* offset in the frame */
  uint8_t value;
  int code;
  size_t at;     /* expected error offset in the frame */
} header_case;

static void test_bad_ip_udp_rtp_headers_fail(void **state) {
  /* Frame layout: Ethernet 22 (two tags), IPv4 20, UDP 8, RTP 12 + 6. */
  static const header_case cases[] = {
      {"IPv4 header length 16", 22, 0x44, OH_ERR_MALFORMED, 22},
      {"IPv4 version 5", 22, 0x55, OH_ERR_MALFORMED, 22},
      {"IPv4 total length past the frame", 25, 0xff, OH_ERR_MALFORMED, 24},
      {"UDP length mismatch", 47, 30, OH_ERR_MALFORMED, 46},
      {"UDP length below 8", 47, 4, OH_ERR_MALFORMED, 46},
      {"RTP with 15 CSRCs", 50, 0x8f, OH_ERR_MALFORMED, 50},
      {"RTP extension past the end", 50, 0x90, OH_ERR_MALFORMED, 50},
      {"RTP padding of 7 (payload 6)", 50, 0xa0, OH_ERR_MALFORMED, 67},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    uint8_t pkt[64], ip[256], fr[300];
    size_t pn = rtp(pkt, 0x80, 111, 1, 0, 0x1234abcd, opus_payload, 6);
    pkt[pn - 1] = 0x07; /* padding count when P is set: more than 6 */
    size_t fn = framed(fr, 1, 4, ip, udp4(ip, pkt, pn, 0, 0));
    assert_int_equal(fn, 68);
    fr[cases[k].field] = cases[k].value;
    bytes b = one_frame(1, fr, fn, fn);
    run rn;
    run_reader(b.p, b.n, NULL, &rn);
    if (rn.end != cases[k].code || rn.err.offset != 40 + cases[k].at)
      fail_msg("%s: got %d at %llu (%s)", cases[k].what, rn.end,
               (unsigned long long)rn.err.offset, rn.err.reason);
    run_free(&rn);
    free(b.p);
  }
}

static void test_rtp_version_in_flow_fail(void **state) {
  size_t len, offs[128];
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  run rn;
  assert_int_equal(classic_records(buf, len, offs, 128), 57);
  /* Record 7 is flow A's packet 4 (after B's first packets); its RTP header
   * follows the record header, Ethernet, IPv4 and UDP. */
  size_t rtp_at = offs[6] + 16 + 14 + 20 + 8;
  assert_int_equal(buf[rtp_at], 0x80);
  assert_int_equal(buf[rtp_at + 3], (1004 & 0xff));
  buf[rtp_at] = 0xc0;
  run_reader(buf, len, NULL, &rn);
  assert_int_equal(rn.end, OH_ERR_MALFORMED);
  assert_int_equal(rn.err.offset, rtp_at);
  assert_int_equal(rn.n, 4); /* packets 0-3 came out first */
  run_free(&rn);
  free(buf);
}

static void test_packet_limit_fail(void **state) {
  size_t len, offs[128];
  uint8_t *buf = sample("rtp-opus-ipv4-lo-ethernet.pcap", &len);
  oh_reader_options opt;
  oh_reader_options_init(&opt);
  opt.max_packet_len = 100;
  classic_records(buf, len, offs, 128);
  expect_error(buf, len, &opt, OH_ERR_LIMIT, offs[0]);
  free(buf);
}

static void test_pcapng_framing_fail(void **state) {
  uint8_t pkt[64], ip[256], fr[300];
  size_t pn = rtp_simple(pkt, 1, 0);
  size_t fn = framed(fr, 1, 4, ip, udp4(ip, pkt, pn, 0, 0));
  bytes b = {0};
  ng_shb(&b, 0);
  ng_idb(&b, 0, 1, 0);
  size_t epb = b.n;
  ng_epb(&b, 0, 0, fr, fn, fn);
  size_t end = b.n;
  run rn;
  assert_int_equal(run_reader(b.p, b.n, NULL, &rn), 0);
  assert_int_equal(rn.n, 1);
  assert_int_equal(rn.v[0].rec.offset, epb);
  run_free(&rn);
  /* Trailing length differs from the leading one. */
  b.p[end - 4] ^= 4;
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, epb);
  b.p[end - 4] ^= 4;
  /* Length not a multiple of 4. */
  b.p[epb + 4] ^= 1;
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, epb + 4);
  b.p[epb + 4] ^= 1;
  /* Block runs past the end. */
  expect_error(b.p, b.n - 4, NULL, OH_ERR_TRUNCATED, epb);
  /* Interface 1 was never described. */
  b.p[epb + 8] = 1;
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, epb + 8);
  b.p[epb + 8] = 0;
  /* Captured length larger than the block. */
  b.p[epb + 21] = 1;
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, epb + 20);
  b.p[epb + 21] = 0;
  /* Byte-order magic. */
  b.p[8] = 0;
  expect_error(b.p, b.n, NULL, OH_ERR_MALFORMED, 8);
  free(b.p);
}

/* ---- Robustness --------------------------------------------------------- */

static void check_prefixes(const uint8_t *buf, size_t len) {
  for (size_t cut = 0; cut <= len; cut++) {
    uint8_t *copy = malloc(cut ? cut : 1);
    run rn;
    memcpy(copy, buf, cut);
    run_reader(copy, cut, NULL, &rn);
    if (rn.end != 0)
      assert_true(rn.err.offset == OH_NO_OFFSET || rn.err.offset <= cut);
    run_free(&rn);
    free(copy);
  }
}

/* Every prefix of the first records of each sample ends, cleanly or with an
 * error inside the prefix; exactly-sized copies make over-reads visible. */
static void test_truncation_at_every_length(void **state) {
  static const char *const files[] = {"rtp-opus-ipv4-lo-ethernet.pcap",
                                      "rtp-opus-ipv4-lo.pcapng"};
  for (size_t k = 0; k < 2; k++) {
    size_t len;
    uint8_t *buf = sample(files[k], &len);
    check_prefixes(buf, len < 3000 ? len : 3000);
    free(buf);
  }
}

static void test_random_damage_ends(void **state) {
  size_t len;
  uint8_t *orig = sample("rtp-opus-ipv6-any-sll.pcap", &len);
  oh_test_rng rng;
  long iters = oh_test_iterations(3000);
  size_t n = len < 4000 ? len : 4000;
  oh_test_rng_init(&rng, 11, "pcap damage");
  for (long it = 0; it < iters; it++) {
    uint8_t *buf = malloc(n);
    run rn;
    memcpy(buf, orig, n);
    int flips = 1 + (int)oh_test_rng_below(&rng, 4);
    for (int f = 0; f < flips; f++)
      buf[oh_test_rng_below(&rng, (uint32_t)n)] = (uint8_t)oh_test_rng_next(&rng);
    run_reader(buf, n, NULL, &rn);
    assert_true(rn.end <= 0);
    run_free(&rn);
    free(buf);
  }
  free(orig);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_samples_match_the_replayed_ogg),
      cmocka_unit_test(test_flow_choice_by_ssrc_port_and_type),
      cmocka_unit_test(test_missing_ssrc_names_ssrcs_fail),
      cmocka_unit_test(test_big_endian_nanosecond_pcap),
      cmocka_unit_test(test_pcapng_sections_spb_and_unknown_blocks),
      cmocka_unit_test(test_every_link_type_and_ip_variant),
      cmocka_unit_test(test_ipv4_options_and_fragments),
      cmocka_unit_test(test_skips_and_sequence_wrap),
      cmocka_unit_test(test_lost_timestamps_only_when_even),
      cmocka_unit_test(test_sequence_jump_limit_fail),
      cmocka_unit_test(test_truncated_record_fail),
      cmocka_unit_test(test_snaplen_cut_packet_fail),
      cmocka_unit_test(test_unknown_link_type_fail),
      cmocka_unit_test(test_bad_magic_and_version_fail),
      cmocka_unit_test(test_bad_ip_udp_rtp_headers_fail),
      cmocka_unit_test(test_rtp_version_in_flow_fail),
      cmocka_unit_test(test_packet_limit_fail),
      cmocka_unit_test(test_pcapng_framing_fail),
      cmocka_unit_test(test_truncation_at_every_length),
      cmocka_unit_test(test_random_damage_ends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
