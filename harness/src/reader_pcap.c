/* pcap and pcapng reader: RTP (RFC 3550) carrying Opus (RFC 7587) over UDP
 * over IPv4 or IPv6, from captures in classic pcap (either byte order,
 * micro- or nanosecond magic) or pcapng (any number of sections, either
 * byte order, EPB, SPB and the obsolete packet block; other blocks skipped).
 * Link types: null/loopback (0, 108), Ethernet with 802.1Q/802.1ad tags (1),
 * raw IP (101, 228, 229), Linux cooked SLL (113) and SLL2 (276).
 *
 * One RTP flow is read: the SSRC asked for, else the first RTP packet's,
 * after the UDP port and payload type filters. The flow's first packet also
 * binds its UDP port pair: on that pair, datagrams RFC 7983 says are not RTP
 * (STUN, DTLS, ...) and RTCP (second byte 192-223, RFC 5761) are skipped,
 * while any other version than 2 is an error.
 *
 * Sequence numbers (16-bit, wrapping): a forward gap of n becomes n lost
 * records (timestamps interpolated when the RTP timestamps step evenly),
 * placed before the packet that revealed it, at its offset; a gap above
 * OH_PCAP_MAX_GAP is an error (a reset or another stream, not losses). A
 * repeat of the last number is dropped as a duplicate, an older number as
 * late; both are counted and noted in the description at the end. Packets
 * of the flow's SSRC with another payload type (e.g. DTMF events) advance
 * the sequence but are not handed out.
 *
 * A frame is never silently dropped when it might belong to the flow but
 * cannot be read whole: cut by the snapshot length, or the first fragment
 * of a fragmented IP datagram (no reassembly). Those are errors; frames the
 * visible headers already exclude (other protocols, ports, SSRCs) are
 * skipped, as are later IP fragments. Headers that contradict themselves
 * (IPv4 header length, UDP length against IP length, ...) are errors on any
 * frame, ours or not. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_impl.h"

#define OH_PCAP_MAX_GAP 1000

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_HEADER_LEN 24
#define PCAP_RECORD_LEN 16
#define NG_SHB 0x0a0d0d0au
#define NG_BYTE_ORDER 0x1a2b3c4du
#define NG_IDB 1u
#define NG_OPB 2u
#define NG_SPB 3u
#define NG_EPB 6u
#define RTP_HEADER_LEN 12
#define SSRCS_NAMED 8

enum {
  LT_NULL = 0, LT_ETHERNET = 1, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113,
  LT_IPV4 = 228, LT_IPV6 = 229, LT_SLL2 = 276
};

/* How much of a UDP datagram the frame holds. */
enum { DG_WHOLE = 0, DG_CUT = 1, DG_FRAGMENT = 2 };

typedef struct pcap_iface {
  int linktype;
  uint32_t snaplen;
} pcap_iface;

typedef struct pcap_frame {
  uint64_t off;          /* offset of its record or block */
  int linktype;
  const uint8_t *data;   /* into r->buf */
  size_t caplen;
  uint64_t origlen;
} pcap_frame;

typedef struct rtp_packet {
  uint64_t off;
  int linktype, ipver;
  uint16_t sport, dport;
  uint16_t seq;
  uint32_t ts, ssrc;
  int pt;
  const uint8_t *payload;
  size_t payload_len;
} rtp_packet;

typedef struct pcap_state {
  int ng, big;
  size_t pos;
  pcap_iface classic;     /* classic pcap's one link */
  pcap_iface *ifaces;     /* pcapng: this section's interfaces */
  size_t nifaces, ifaces_cap;
  /* The flow, once chosen. */
  int have_flow;
  rtp_packet first;
  /* Sequence state and the packet waiting behind lost records. */
  uint16_t last_seq;
  uint32_t last_ts;
  int have_pending;
  rtp_packet pending;
  uint32_t lost_left, lost_run, lost_step;
  int lost_stamped;
  uint32_t lost_base_ts;
  int done;
  /* What was skipped, for messages. */
  uint64_t frames, udp, dup, late, other_pt, unknown_link;
  int unknown_linktype;
  uint32_t ssrcs[SSRCS_NAMED];
  int nssrcs;
} pcap_state;

/* ---- Byte access -------------------------------------------------------- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
         p[0];
}

static uint16_t rd16(const pcap_state *st, const uint8_t *p) {
  return st->big ? be16(p) : le16(p);
}

static uint32_t rd32(const pcap_state *st, const uint8_t *p) {
  return st->big ? be32(p) : le32(p);
}

static uint64_t at(const oh_reader *r, const uint8_t *p) {
  return (uint64_t)(p - r->buf);
}

static const char *link_name(int linktype) {
  switch (linktype) {
  case LT_NULL: return "null";
  case LT_LOOP: return "loop";
  case LT_ETHERNET: return "Ethernet";
  case LT_RAW: return "raw IP";
  case LT_IPV4: return "raw IPv4";
  case LT_IPV6: return "raw IPv6";
  case LT_SLL: return "Linux cooked";
  case LT_SLL2: return "Linux cooked v2";
  }
  return NULL;
}

/* ---- Containers: classic pcap ------------------------------------------- */

static int classic_open(oh_reader *r, pcap_state *st, oh_error *err) {
  const uint8_t *h = r->buf;
  if (r->len < PCAP_HEADER_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, 0,
                   "pcap file header needs %d bytes, %zu present",
                   PCAP_HEADER_LEN, r->len);
  if (rd16(st, h + 4) != 2)
    return oh_fail(err, OH_ERR_UNSUPPORTED, 4, "pcap version %u.%u",
                   rd16(st, h + 4), rd16(st, h + 6));
  st->classic.snaplen = rd32(st, h + 16);
  /* The upper bits may carry FCS information (pcap spec, LinkType). */
  st->classic.linktype = (int)(rd32(st, h + 20) & 0xffff);
  if (!link_name(st->classic.linktype))
    return oh_fail(err, OH_ERR_UNSUPPORTED, 20, "unsupported link type %d",
                   st->classic.linktype);
  st->pos = PCAP_HEADER_LEN;
  return OH_OK;
}

static int classic_next(oh_reader *r, pcap_state *st, pcap_frame *fr,
                        oh_error *err) {
  size_t pos = st->pos, left = r->len - pos;
  if (left == 0) return 0;
  if (left < PCAP_RECORD_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "record header needs %d bytes, %zu left", PCAP_RECORD_LEN,
                   left);
  uint32_t incl = rd32(st, r->buf + pos + 8), orig = rd32(st, r->buf + pos + 12);
  if (incl > left - PCAP_RECORD_LEN)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "record of %" PRIu32 " captured bytes, %zu left", incl,
                   left - PCAP_RECORD_LEN);
  if (incl > orig)
    return oh_fail(err, OH_ERR_MALFORMED, pos + 8,
                   "captured length %" PRIu32 " exceeds original length %" PRIu32,
                   incl, orig);
  fr->off = pos;
  fr->linktype = st->classic.linktype;
  fr->data = r->buf + pos + PCAP_RECORD_LEN;
  fr->caplen = incl;
  fr->origlen = orig;
  st->pos = pos + PCAP_RECORD_LEN + incl;
  return 1;
}

/* ---- Containers: pcapng ------------------------------------------------- */

/* Reads the byte order and checks the section header block at pos. */
static int ng_section(oh_reader *r, pcap_state *st, size_t pos, oh_error *err) {
  const uint8_t *b = r->buf + pos;
  if (r->len - pos < 12)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "section header block needs 12 bytes to start, %zu left",
                   r->len - pos);
  if (be32(b + 8) == NG_BYTE_ORDER) st->big = 1;
  else if (le32(b + 8) == NG_BYTE_ORDER) st->big = 0;
  else
    return oh_fail(err, OH_ERR_MALFORMED, pos + 8,
                   "section header byte-order magic is 0x%08" PRIx32, be32(b + 8));
  st->nifaces = 0;
  return OH_OK;
}

/* Checks a block's framing; *total is its length. */
static int ng_block(oh_reader *r, pcap_state *st, size_t pos, uint32_t *total,
                    oh_error *err) {
  size_t left = r->len - pos;
  if (left < 12)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "block header needs 12 bytes, %zu left", left);
  *total = rd32(st, r->buf + pos + 4);
  if (*total < 12 || *total % 4 != 0)
    return oh_fail(err, OH_ERR_MALFORMED, pos + 4,
                   "block length %" PRIu32 " (a multiple of 4, at least 12)",
                   *total);
  if (*total > left)
    return oh_fail(err, OH_ERR_TRUNCATED, pos,
                   "block of %" PRIu32 " bytes, %zu left", *total, left);
  uint32_t trailer = rd32(st, r->buf + pos + *total - 4);
  if (trailer != *total)
    return oh_fail(err, OH_ERR_MALFORMED, pos,
                   "block length mismatch: %" PRIu32 " at the start, %" PRIu32
                   " at the end", *total, trailer);
  return OH_OK;
}

static int ng_min_len(uint32_t total, uint32_t min, size_t pos, const char *what,
                      oh_error *err) {
  if (total >= min) return OH_OK;
  return oh_fail(err, OH_ERR_MALFORMED, pos + 4,
                 "%s of %" PRIu32 " bytes (at least %" PRIu32 ")", what, total,
                 min);
}

static int ng_interface(oh_reader *r, pcap_state *st, size_t pos,
                        uint32_t total, oh_error *err) {
  int rc = ng_min_len(total, 20, pos, "interface description block", err);
  if (rc != OH_OK) return rc;
  if (st->nifaces == st->ifaces_cap) {
    size_t cap = st->ifaces_cap ? st->ifaces_cap * 2 : 4;
    pcap_iface *bigger = realloc(st->ifaces, cap * sizeof *bigger);
    if (!bigger) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    st->ifaces = bigger;
    st->ifaces_cap = cap;
  }
  st->ifaces[st->nifaces].linktype = rd16(st, r->buf + pos + 8);
  st->ifaces[st->nifaces].snaplen = rd32(st, r->buf + pos + 12);
  st->nifaces++;
  return OH_OK;
}

static int ng_iface_of(const pcap_state *st, uint32_t id, size_t field,
                       oh_error *err) {
  if (id < st->nifaces) return OH_OK;
  return oh_fail(err, OH_ERR_MALFORMED, field,
                 "interface %" PRIu32 " not described (%zu in this section)",
                 id, st->nifaces);
}

/* Enhanced (6) and obsolete (2) packet blocks share their layout from the
 * timestamp on; they differ in the width of the interface id. */
static int ng_packet(oh_reader *r, pcap_state *st, size_t pos, uint32_t type,
                     uint32_t total, pcap_frame *fr, oh_error *err) {
  const uint8_t *b = r->buf + pos;
  int rc = ng_min_len(total, 32, pos, "packet block", err);
  if (rc != OH_OK) return rc;
  uint32_t id = type == NG_EPB ? rd32(st, b + 8) : rd16(st, b + 8);
  rc = ng_iface_of(st, id, pos + 8, err);
  if (rc != OH_OK) return rc;
  uint32_t cap = rd32(st, b + 20);
  if (cap > total - 32)
    return oh_fail(err, OH_ERR_MALFORMED, pos + 20,
                   "captured length %" PRIu32 " exceeds the %" PRIu32
                   "-byte block", cap, total);
  fr->linktype = st->ifaces[id].linktype;
  fr->data = b + 28;
  fr->caplen = cap;
  fr->origlen = rd32(st, b + 24);
  if (fr->origlen < cap)
    return oh_fail(err, OH_ERR_MALFORMED, pos + 20,
                   "captured length %" PRIu32 " exceeds original length %" PRIu64,
                   cap, fr->origlen);
  return 1;
}

/* Simple packet blocks: interface 0, captured length implied. */
static int ng_simple(oh_reader *r, pcap_state *st, size_t pos, uint32_t total,
                     pcap_frame *fr, oh_error *err) {
  int rc = ng_min_len(total, 16, pos, "simple packet block", err);
  if (rc == OH_OK) rc = ng_iface_of(st, 0, pos, err);
  if (rc != OH_OK) return rc;
  uint32_t orig = rd32(st, r->buf + pos + 8), room = total - 16;
  uint32_t snap = st->ifaces[0].snaplen;
  size_t cap = orig < room ? orig : room;
  if (snap && snap < cap) cap = snap;
  fr->linktype = st->ifaces[0].linktype;
  fr->data = r->buf + pos + 12;
  fr->caplen = cap;
  fr->origlen = orig;
  return 1;
}

static int ng_next(oh_reader *r, pcap_state *st, pcap_frame *fr,
                   oh_error *err) {
  while (st->pos < r->len) {
    size_t pos = st->pos;
    uint32_t total, type;
    int rc;
    /* A section header sets the byte order its own length is read in; its
     * type reads the same in both. */
    if (r->len - pos >= 4 && be32(r->buf + pos) == NG_SHB) {
      rc = ng_section(r, st, pos, err);
      if (rc != OH_OK) return rc;
    }
    rc = ng_block(r, st, pos, &total, err);
    if (rc != OH_OK) return rc;
    type = rd32(st, r->buf + pos);
    st->pos = pos + total;
    fr->off = pos;
    if (type == NG_SHB) rc = ng_min_len(total, 28, pos, "section header", err);
    else if (type == NG_IDB) rc = ng_interface(r, st, pos, total, err);
    else if (type == NG_EPB || type == NG_OPB)
      rc = ng_packet(r, st, pos, type, total, fr, err);
    else if (type == NG_SPB) rc = ng_simple(r, st, pos, total, fr, err);
    else rc = OH_OK; /* statistics, name resolution, custom: not ours */
    if (type == NG_SHB && rc == OH_OK && rd16(st, r->buf + pos + 12) != 1)
      rc = oh_fail(err, OH_ERR_UNSUPPORTED, pos + 12, "pcapng version %u.%u",
                   rd16(st, r->buf + pos + 12), rd16(st, r->buf + pos + 14));
    if (rc != OH_OK) return rc;
  }
  return 0;
}

static int next_frame(oh_reader *r, pcap_state *st, pcap_frame *fr,
                      oh_error *err) {
  int rc = st->ng ? ng_next(r, st, fr, err) : classic_next(r, st, fr, err);
  if (rc == 1) st->frames++;
  return rc;
}

/* ---- Layers: link, IP, UDP ---------------------------------------------- */

/* The view of a frame while walking its headers. */
typedef struct walk {
  const pcap_frame *fr;
  const uint8_t *p;  /* current header */
  size_t avail;      /* captured bytes from p on */
  int cut;           /* the frame was cut by the snapshot length */
} walk;

/* Headers need n bytes at p: 1 when present, 0 when the snapshot length
 * cut them off, an error when the frame itself is too short. */
static int need(const oh_reader *r, const walk *w, size_t n, const char *what,
                oh_error *err) {
  if (w->avail >= n) return 1;
  if (w->cut) return 0;
  return oh_fail(err, OH_ERR_MALFORMED, at(r, w->p),
                 "frame ends inside the %s (%zu of %zu bytes)", what, w->avail,
                 n);
}

static void advance(walk *w, size_t n) {
  w->p += n;
  w->avail -= n;
}

static int family_ip(uint32_t fam) {
  if (fam == 2) return 4;
  if (fam == 10 || fam == 24 || fam == 28 || fam == 30) return 6;
  return 0;
}

static int ethertype_ip(uint16_t type) {
  return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
}

/* Steps over the link header and sets *ipver (0: not IP). Returns 1, 0 when
 * the frame was cut inside it, or an error. */
static int link_layer(const oh_reader *r, walk *w, int *ipver, oh_error *err) {
  int rc;
  uint16_t type;
  *ipver = 0;
  switch (w->fr->linktype) {
  case LT_NULL:
  case LT_LOOP:
    /* The family is in the capturing host's byte order. */
    if ((rc = need(r, w, 4, "loopback header", err)) != 1) return rc;
    *ipver = family_ip(le32(w->p)) ? family_ip(le32(w->p)) : family_ip(be32(w->p));
    advance(w, 4);
    return 1;
  case LT_ETHERNET:
    if ((rc = need(r, w, 14, "Ethernet header", err)) != 1) return rc;
    type = be16(w->p + 12);
    advance(w, 14);
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if ((rc = need(r, w, 4, "VLAN tag", err)) != 1) return rc;
      type = be16(w->p + 2);
      advance(w, 4);
    }
    *ipver = ethertype_ip(type);
    return 1;
  case LT_SLL:
    if ((rc = need(r, w, 16, "Linux cooked header", err)) != 1) return rc;
    *ipver = ethertype_ip(be16(w->p + 14));
    advance(w, 16);
    return 1;
  case LT_SLL2:
    if ((rc = need(r, w, 20, "Linux cooked v2 header", err)) != 1) return rc;
    *ipver = ethertype_ip(be16(w->p));
    advance(w, 20);
    return 1;
  case LT_RAW:
    if ((rc = need(r, w, 1, "IP header", err)) != 1) return rc;
    *ipver = w->p[0] >> 4 == 4 ? 4 : w->p[0] >> 4 == 6 ? 6 : 0;
    return 1;
  case LT_IPV4: *ipver = 4; return 1;
  case LT_IPV6: *ipver = 6; return 1;
  }
  *ipver = 0;
  return 1;
}

/* What the IP layer found: the UDP datagram's place and completeness. */
typedef struct ip_result {
  int udp;            /* protocol is UDP and this is the first fragment */
  int fragment;       /* more fragments follow */
  size_t payload_len; /* the IP payload length the headers claim */
} ip_result;

static int ipv4_layer(const oh_reader *r, walk *w, ip_result *ip,
                      oh_error *err) {
  int rc = need(r, w, 20, "IPv4 header", err);
  if (rc != 1) return rc;
  const uint8_t *h = w->p;
  size_t ihl = (size_t)(h[0] & 15) * 4, total = be16(h + 2);
  if (h[0] >> 4 != 4)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h),
                   "IPv4 header with version %d", h[0] >> 4);
  if (ihl < 20)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h),
                   "bad IPv4 header length %zu (at least 20)", ihl);
  if (total < ihl)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h + 2),
                   "IPv4 total length %zu is less than its header length %zu",
                   total, ihl);
  if (total > w->avail && !w->cut)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h + 2),
                   "IPv4 total length %zu exceeds the %zu bytes in the frame",
                   total, w->avail);
  uint16_t frag = be16(h + 6);
  ip->udp = h[9] == 17 && (frag & 0x1fff) == 0;
  ip->fragment = (frag & 0x2000) != 0;
  ip->payload_len = total - ihl;
  if ((frag & 0x1fff) != 0) return 2; /* a later fragment */
  if (!ip->udp) return 1;
  if ((rc = need(r, w, ihl, "IPv4 options", err)) != 1) return rc;
  if (w->avail > total) w->avail = total; /* link-layer padding */
  advance(w, ihl);
  return 1;
}

/* IPv6 extension headers that can precede UDP and have the common
 * next-header/length layout (RFC 8200 section 4, RFC 4302 for AH). */
static int ipv6_ext(uint8_t nh) {
  return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 ||
         nh == 135 || nh == 139 || nh == 140;
}

static int ipv6_layer(const oh_reader *r, walk *w, ip_result *ip,
                      oh_error *err) {
  int rc = need(r, w, 40, "IPv6 header", err);
  if (rc != 1) return rc;
  const uint8_t *h = w->p;
  size_t plen = be16(h + 4);
  uint8_t nh = h[6];
  if (h[0] >> 4 != 6)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h),
                   "IPv6 header with version %d", h[0] >> 4);
  if (40 + plen > w->avail && !w->cut)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, h + 4),
                   "IPv6 payload length %zu exceeds the %zu bytes in the frame",
                   plen, w->avail - 40);
  if (w->avail > 40 + plen) w->avail = 40 + plen;
  advance(w, 40);
  ip->udp = 0;
  ip->fragment = 0;
  while (ipv6_ext(nh)) {
    if ((rc = need(r, w, 8, "IPv6 extension header", err)) != 1) return rc;
    size_t n = nh == 51 ? ((size_t)w->p[1] + 2) * 4 : ((size_t)w->p[1] + 1) * 8;
    if (n > plen)
      return oh_fail(err, OH_ERR_MALFORMED, at(r, w->p),
                     "IPv6 extension header of %zu bytes runs past the "
                     "payload", n);
    if (nh == 44) {
      if ((be16(w->p + 2) & 0xfff8) != 0) return 2; /* a later fragment */
      ip->fragment = be16(w->p + 2) & 1;
    }
    nh = w->p[0];
    plen -= n;
    if ((rc = need(r, w, n, "IPv6 extension header", err)) != 1) return rc;
    advance(w, n);
  }
  ip->udp = nh == 17;
  ip->payload_len = plen;
  return 1;
}

/* The UDP datagram in a frame. */
typedef struct datagram {
  const pcap_frame *fr;
  int state;             /* DG_WHOLE, DG_CUT, DG_FRAGMENT */
  int have_ports;        /* the UDP header was captured */
  int ipver;
  uint16_t sport, dport;
  const uint8_t *payload;
  size_t avail;          /* payload bytes present */
} datagram;

static int udp_layer(const oh_reader *r, walk *w, const ip_result *ip,
                     datagram *dg, oh_error *err) {
  if (ip->payload_len < 8)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, w->p),
                   "IP payload of %zu bytes is too short for UDP",
                   ip->payload_len);
  int rc = need(r, w, 8, "UDP header", err);
  if (rc != 1) return rc;
  size_t ulen = be16(w->p + 4);
  if (ulen < 8 || (!ip->fragment && ulen != ip->payload_len))
    return oh_fail(err, OH_ERR_MALFORMED, at(r, w->p + 4),
                   "UDP length %zu but the IP payload is %zu bytes", ulen,
                   ip->payload_len);
  dg->sport = be16(w->p);
  dg->dport = be16(w->p + 2);
  dg->have_ports = 1;
  advance(w, 8);
  dg->payload = w->p;
  dg->avail = w->avail < ulen - 8 ? w->avail : ulen - 8;
  dg->state = ip->fragment ? DG_FRAGMENT : dg->avail < ulen - 8 ? DG_CUT
                                                                : DG_WHOLE;
  return 1;
}

/* Finds the UDP datagram in a frame: 1 found, 0 none (skip), or an error.
 * A frame cut before its UDP header shows as DG_CUT with no payload. */
static int find_datagram(oh_reader *r, pcap_state *st, const pcap_frame *fr,
                         datagram *dg, oh_error *err) {
  walk w = {fr, fr->data, fr->caplen, fr->caplen < fr->origlen};
  ip_result ip = {0, 0, 0};
  int ipver, rc;
  memset(dg, 0, sizeof *dg);
  dg->fr = fr;
  if (!link_name(fr->linktype)) {
    st->unknown_link++;
    st->unknown_linktype = fr->linktype;
    return 0;
  }
  rc = link_layer(r, &w, &ipver, err);
  if (rc == 1 && ipver == 0) return 0;
  if (rc == 1)
    rc = ipver == 4 ? ipv4_layer(r, &w, &ip, err) : ipv6_layer(r, &w, &ip, err);
  if (rc == 2 || (rc == 1 && !ip.udp)) return 0;
  if (rc == 1) rc = udp_layer(r, &w, &ip, dg, err);
  if (rc < 0) return rc;
  dg->ipver = ipver;
  if (rc == 0) dg->state = DG_CUT; /* cut before the UDP payload */
  st->udp++;
  return 1;
}

/* ---- RTP and the flow --------------------------------------------------- */

/* RFC 7983: first bytes below 80 are STUN, ZRTP, DTLS or TURN channels. */
#define RTP_DEMUX_BELOW 80

static int rtcp_type(uint8_t second) { return second >= 192 && second <= 223; }

static void note_ssrc(pcap_state *st, uint32_t ssrc) {
  for (int i = 0; i < st->nssrcs; i++)
    if (st->ssrcs[i] == ssrc) return;
  if (st->nssrcs < SSRCS_NAMED) st->ssrcs[st->nssrcs++] = ssrc;
}

static int bound_to_flow(const pcap_state *st, const datagram *dg) {
  return st->have_flow && dg->have_ports && dg->sport == st->first.sport &&
         dg->dport == st->first.dport;
}

/* Header fields of an RTP packet known to be version 2 and ours. */
static int rtp_fields(oh_reader *r, const datagram *dg, rtp_packet *pk,
                      oh_error *err) {
  const uint8_t *p = dg->payload;
  size_t len = dg->avail, hdr = RTP_HEADER_LEN + 4 * (size_t)(p[0] & 15);
  if ((p[0] & 0x10) && hdr + 4 <= len)
    hdr += 4 + 4 * (size_t)be16(p + hdr + 2);
  else if (p[0] & 0x10)
    hdr += 4;
  if (hdr > len)
    return oh_fail(err, OH_ERR_MALFORMED, at(r, p),
                   "RTP header of %zu bytes (CSRCs, extension) exceeds the "
                   "%zu-byte datagram", hdr, len);
  size_t pad = (p[0] & 0x20) ? p[len - 1] : 0;
  if ((p[0] & 0x20) && (pad == 0 || pad > len - hdr))
    return oh_fail(err, OH_ERR_MALFORMED, at(r, p + len - 1),
                   "RTP padding count %zu with %zu bytes after the header", pad,
                   len - hdr);
  pk->seq = be16(p + 2);
  pk->ts = be32(p + 4);
  pk->ssrc = be32(p + 8);
  pk->pt = p[1] & 0x7f;
  pk->payload = p + hdr;
  pk->payload_len = len - hdr - pad;
  pk->sport = dg->sport;
  pk->dport = dg->dport;
  pk->ipver = dg->ipver;
  if (pk->payload_len > r->opt.max_packet_len)
    return oh_fail(err, OH_ERR_LIMIT, pk->off,
                   "RTP payload of %zu bytes exceeds the %zu-byte limit",
                   pk->payload_len, r->opt.max_packet_len);
  return 1;
}

/* Does the SSRC (and, for a new flow, the payload type) fit? */
static int wanted(const oh_reader *r, const pcap_state *st, const uint8_t *p) {
  const oh_reader_options *o = &r->opt;
  uint32_t ssrc = be32(p + 8);
  if (st->have_flow) return ssrc == st->first.ssrc;
  if (o->rtp_ssrc_set && ssrc != o->rtp_ssrc) return 0;
  return o->rtp_payload_type < 0 || (p[1] & 0x7f) == o->rtp_payload_type;
}

/* A datagram of the flow that cannot be read whole. */
static int incomplete(const pcap_frame *fr, int state, oh_error *err) {
  if (state == DG_FRAGMENT)
    return oh_fail(err, OH_ERR_UNSUPPORTED, fr->off,
                   "fragmented IP datagram (reassembly is not supported)");
  return oh_fail(err, OH_ERR_TRUNCATED, fr->off,
                 "packet cut to %zu of %" PRIu64 " bytes by the snapshot "
                 "length", fr->caplen, fr->origlen);
}

/* Is this datagram an RTP packet of the flow (or, before there is a flow,
 * one that may start it)? Each test runs as soon as its field is captured,
 * so a cut frame is an error only while it might still be ours. 1 yes,
 * 0 skip, or an error. */
static int rtp_classify(oh_reader *r, pcap_state *st, const datagram *dg,
                        rtp_packet *pk, oh_error *err) {
  const uint8_t *p = dg->payload;
  int bound = bound_to_flow(st, dg), port = r->opt.udp_port;
  if (dg->have_ports && port && dg->sport != port && dg->dport != port)
    return 0;
  if (dg->avail == 0 && dg->state == DG_WHOLE) return 0; /* keepalive */
  if (dg->avail >= 1 && p[0] < RTP_DEMUX_BELOW) return 0;
  if (dg->avail >= 1 && p[0] >> 6 != 2) {
    if (!bound) return 0;
    return oh_fail(err, OH_ERR_MALFORMED, at(r, p),
                   "RTP version %d in the flow's datagrams", p[0] >> 6);
  }
  if (dg->avail >= 2 && rtcp_type(p[1])) return 0;
  if (dg->avail >= RTP_HEADER_LEN) {
    note_ssrc(st, be32(p + 8));
    if (!wanted(r, st, p)) return 0;
  }
  if (dg->state != DG_WHOLE) return incomplete(dg->fr, dg->state, err);
  if (dg->avail < RTP_HEADER_LEN) {
    if (!bound) return 0;
    return oh_fail(err, OH_ERR_MALFORMED, at(r, p),
                   "datagram of %zu bytes in the flow is too short for RTP",
                   dg->avail);
  }
  return rtp_fields(r, dg, pk, err);
}

/* The next RTP packet of the flow, in capture order: 1, 0 at the end, or an
 * error. Chooses the flow on the first match. */
static int next_rtp(oh_reader *r, pcap_state *st, rtp_packet *pk,
                    oh_error *err) {
  for (;;) {
    pcap_frame fr;
    datagram dg;
    int rc = next_frame(r, st, &fr, err);
    if (rc <= 0) return rc;
    rc = find_datagram(r, st, &fr, &dg, err);
    if (rc <= 0) {
      if (rc < 0) return rc;
      continue;
    }
    memset(pk, 0, sizeof *pk);
    pk->off = fr.off;
    pk->linktype = fr.linktype;
    rc = rtp_classify(r, st, &dg, pk, err);
    if (rc != 0) return rc;
  }
}

/* ---- Sequence numbers and records --------------------------------------- */

/* Places a packet of the flow in the sequence: 1 keep it (behind
 * st->lost_left lost records), 0 drop it, or an error. */
static int sequence(pcap_state *st, const rtp_packet *pk, oh_error *err) {
  uint16_t delta = (uint16_t)(pk->seq - st->last_seq);
  uint32_t step = pk->ts - st->last_ts;
  if (delta == 0) {
    st->dup++;
    return 0;
  }
  if (delta >= 0x8000) {
    st->late++;
    return 0;
  }
  if (delta - 1u > OH_PCAP_MAX_GAP)
    return oh_fail(err, OH_ERR_LIMIT, pk->off,
                   "RTP sequence number jumps from %u to %u (more than %d "
                   "missing)", st->last_seq, pk->seq, OH_PCAP_MAX_GAP);
  st->lost_left = st->lost_run = delta - 1u;
  /* Lost packets get timestamps when the gap divides the step evenly. */
  st->lost_stamped = step % delta == 0;
  st->lost_step = step / delta;
  st->lost_base_ts = st->last_ts;
  st->last_seq = pk->seq;
  st->last_ts = pk->ts;
  return 1;
}

static void emit_packet(const oh_reader *r, const rtp_packet *pk,
                        oh_record *rec) {
  memset(rec, 0, sizeof *rec);
  rec->index = r->next_index;
  rec->offset = pk->off;
  rec->data = pk->payload;
  rec->len = pk->payload_len;
  rec->has_timestamp = 1;
  rec->timestamp = pk->ts;
}

static void emit_lost(const oh_reader *r, pcap_state *st, oh_record *rec) {
  uint32_t k = st->lost_run - st->lost_left + 1;
  memset(rec, 0, sizeof *rec);
  rec->index = r->next_index;
  rec->offset = st->pending.off;
  rec->lost = 1;
  rec->has_timestamp = st->lost_stamped;
  if (st->lost_stamped)
    rec->timestamp = (uint32_t)(st->lost_base_ts + k * st->lost_step);
  st->lost_left--;
}

/* ---- Open, next, close -------------------------------------------------- */

static void pcap_describe(oh_reader *r, const pcap_state *st) {
  const rtp_packet *f = &st->first;
  snprintf(r->describe, sizeof r->describe,
           "%s (%s, IPv%d) RTP ssrc 0x%08" PRIx32 " pt %d udp %u -> %u",
           st->ng ? "pcapng" : "pcap", link_name(f->linktype), f->ipver,
           f->ssrc, f->pt, f->sport, f->dport);
}

static int no_flow(oh_reader *r, const pcap_state *st, oh_error *err) {
  char seen[128] = "none", extra[96] = "";
  size_t used = 0;
  for (int i = 0; i < st->nssrcs && used < sizeof seen; i++)
    used += (size_t)snprintf(seen + used, sizeof seen - used, "%s0x%08" PRIx32,
                             i ? ", " : "", st->ssrcs[i]);
  if (st->unknown_link)
    snprintf(extra, sizeof extra, ", %" PRIu64 " on unsupported link type %d",
             st->unknown_link, st->unknown_linktype);
  return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                 "no matching RTP packet in %" PRIu64 " frames (%" PRIu64
                 " UDP%s; SSRCs seen: %s)",
                 st->frames, st->udp, extra, seen);
}

static int open_container(oh_reader *r, pcap_state *st, oh_error *err) {
  uint32_t m;
  if (r->len < 4)
    return oh_fail(err, OH_ERR_TRUNCATED, 0, "%zu bytes: no pcap header",
                   r->len);
  m = be32(r->buf);
  if (m == NG_SHB) {
    st->ng = 1;
    return OH_OK;
  }
  if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS) st->big = 1;
  else if (le32(r->buf) == PCAP_MAGIC_US || le32(r->buf) == PCAP_MAGIC_NS)
    st->big = 0;
  else
    return oh_fail(err, OH_ERR_MALFORMED, 0,
                   "not a pcap or pcapng file (magic 0x%08" PRIx32 ")", m);
  return classic_open(r, st, err);
}

static int pcap_open(oh_reader *r, oh_error *err) {
  pcap_state *st = calloc(1, sizeof *st);
  int rc;
  if (!st) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  r->state = st;
  rc = open_container(r, st, err);
  if (rc != OH_OK) return rc;
  /* Find the flow now so the description and a missing SSRC are known. */
  rc = next_rtp(r, st, &st->first, err);
  if (rc < 0) return rc;
  if (rc == 0) return no_flow(r, st, err);
  st->have_flow = 1;
  st->pending = st->first;
  st->have_pending = 1;
  st->last_seq = st->first.seq;
  st->last_ts = st->first.ts;
  pcap_describe(r, st);
  return OH_OK;
}

static void note_drops(oh_reader *r, const pcap_state *st) {
  size_t n = strlen(r->describe);
  if (st->dup || st->late || st->other_pt)
    snprintf(r->describe + n, sizeof r->describe - n,
             "; dropped %" PRIu64 " duplicate, %" PRIu64 " late, %" PRIu64
             " other payload type",
             st->dup, st->late, st->other_pt);
}

static int pcap_next(oh_reader *r, oh_record *rec, oh_error *err) {
  pcap_state *st = r->state;
  for (;;) {
    int rc;
    if (st->done) return 0;
    if (st->have_pending && st->lost_left) {
      emit_lost(r, st, rec);
      return 1;
    }
    if (st->have_pending) {
      st->have_pending = 0;
      if (st->pending.pt == st->first.pt) {
        emit_packet(r, &st->pending, rec);
        return 1;
      }
      st->other_pt++;
      continue;
    }
    rc = next_rtp(r, st, &st->pending, err);
    if (rc == 0) {
      st->done = 1;
      note_drops(r, st);
    }
    if (rc <= 0) return rc;
    rc = sequence(st, &st->pending, err);
    if (rc < 0) return rc;
    st->have_pending = rc;
  }
}

static void pcap_close(oh_reader *r) {
  pcap_state *st = r->state;
  if (!st) return;
  free(st->ifaces);
  free(st);
  r->state = NULL;
}

const oh_reader_ops oh_reader_ops_pcap = {pcap_open, pcap_next, pcap_close};
