/* The stream reader front end: format names, options, opening a reader
 * (dispatching to a format's ops table), record numbering, the sticky
 * error, and format detection from the bytes alone (every format but raw,
 * which any bytes would match). */
#include "reader_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const oh_format_names[] = {
    "auto", "bit", "lp16be", "lp16le", "lp32be", "lp32le", "ogg", "pcap", "log", "script",
    "raw"};

#define OH_FORMAT_COUNT (sizeof oh_format_names / sizeof oh_format_names[0])

const char *oh_format_name(oh_format fmt) {
  if ((unsigned)fmt >= OH_FORMAT_COUNT) return "unknown";
  return oh_format_names[fmt];
}

int oh_format_from_name(const char *name, oh_format *fmt) {
  size_t i;
  if (!name || !fmt) return OH_ERR_ARG;
  for (i = 0; i < OH_FORMAT_COUNT; i++) {
    if (strcasecmp(name, oh_format_names[i]) == 0) {
      *fmt = (oh_format)i;
      return OH_OK;
    }
  }
  /* pcapng is read by the same reader; people will type it. */
  if (strcasecmp(name, "pcapng") == 0) {
    *fmt = OH_FMT_PCAP;
    return OH_OK;
  }
  return OH_ERR_ARG;
}

void oh_reader_options_init(oh_reader_options *opt) {
  if (!opt) return;
  memset(opt, 0, sizeof *opt);
  opt->max_packet_len = OH_DEFAULT_MAX_PACKET;
  opt->rtp_payload_type = -1;
}

static const oh_reader_ops *oh_ops_for(oh_format fmt) {
  switch (fmt) {
  case OH_FMT_BIT: return &oh_reader_ops_bit;
  case OH_FMT_LP16BE:
  case OH_FMT_LP16LE:
  case OH_FMT_LP32BE:
  case OH_FMT_LP32LE: return &oh_reader_ops_lp;
  case OH_FMT_OGG: return &oh_reader_ops_ogg;
  case OH_FMT_PCAP: return &oh_reader_ops_pcap;
  case OH_FMT_LOG: return &oh_reader_ops_log;
  case OH_FMT_SCRIPT: return &oh_reader_ops_script;
  case OH_FMT_RAW: return &oh_reader_ops_raw;
  default: return NULL;
  }
}

static void oh_info_init(oh_stream_info *info) {
  memset(info, 0, sizeof *info);
  info->final_granule = -1;
}

/* The reader's own line comes first; for detected formats the detection
 * reason follows so a user sees why the bytes were read this way. */
static void oh_finish_describe(oh_reader *r, const char *why) {
  char own[sizeof r->describe];
  if (r->describe[0] == '\0')
    snprintf(r->describe, sizeof r->describe, "%s", oh_format_name(r->format));
  if (!why) return;
  memcpy(own, r->describe, sizeof own);
  snprintf(r->describe, sizeof r->describe, "%s [detected: %s]", own, why);
}

static int oh_is_lp(oh_format fmt) {
  return fmt == OH_FMT_LP16BE || fmt == OH_FMT_LP16LE || fmt == OH_FMT_LP32BE ||
         fmt == OH_FMT_LP32LE;
}

/* A header to skip only exists in lp streams, so with one, detection looks
 * past it and must find an lp format there. */
static int oh_detect_after_header(oh_format *fmt, const uint8_t *buf, size_t len,
                                  size_t skip, char *why, size_t why_cap, oh_error *err) {
  char inner[200];
  if (skip > len)
    return oh_fail(err, OH_ERR_TRUNCATED, 0,
                   "header of %zu bytes to skip, but the input has only %zu", skip, len);
  *fmt = oh_format_detect(buf + skip, len - skip, inner, sizeof inner);
  snprintf(why, why_cap, "after the %zu-byte header, %s", skip, inner);
  if (!oh_is_lp(*fmt))
    return oh_fail(err, OH_ERR_UNKNOWN_FORMAT, skip,
                   "a header to skip needs an lp format, but %s", why);
  return OH_OK;
}

static int oh_resolve_format(oh_format *fmt, const uint8_t *buf, size_t len, size_t skip,
                             char *why, size_t why_cap, oh_error *err) {
  if (*fmt != OH_FMT_AUTO) {
    if (!oh_ops_for(*fmt))
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "unknown format %d", (int)*fmt);
    return OH_OK;
  }
  if (skip) return oh_detect_after_header(fmt, buf, len, skip, why, why_cap, err);
  *fmt = oh_format_detect(buf, len, why, why_cap);
  if (*fmt == OH_FMT_AUTO)
    return oh_fail(err, OH_ERR_UNKNOWN_FORMAT, 0, "%s", why);
  return OH_OK;
}

int oh_reader_open(oh_reader **out, oh_format fmt, const uint8_t *buf,
                   size_t len, const oh_reader_options *opt, oh_error *err) {
  char why[240] = "";
  int auto_detect = fmt == OH_FMT_AUTO, rc;
  oh_reader *r;
  if (out) *out = NULL;
  if (!out || (!buf && len))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no output or no input buffer");
  rc = oh_resolve_format(&fmt, buf, len, opt ? opt->header_skip : 0, why, sizeof why, err);
  if (rc != OH_OK) return rc;
  r = calloc(1, sizeof *r);
  if (!r) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  r->format = fmt;
  r->ops = oh_ops_for(fmt);
  r->buf = buf;
  r->len = len;
  if (opt) r->opt = *opt;
  else oh_reader_options_init(&r->opt);
  if (r->opt.max_packet_len == 0) r->opt.max_packet_len = OH_DEFAULT_MAX_PACKET;
  oh_error_clear(&r->sticky);
  oh_info_init(&r->info);
  rc = r->ops->open(r, err);
  if (rc != OH_OK) {
    r->ops->close(r);
    free(r);
    return rc;
  }
  oh_finish_describe(r, auto_detect ? why : NULL);
  *out = r;
  return OH_OK;
}

int oh_reader_next(oh_reader *r, oh_record *rec, oh_error *err) {
  oh_error local;
  int rc;
  if (!r || !rec) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no reader or record");
  if (r->sticky.code != OH_OK) {
    if (err) *err = r->sticky;
    return r->sticky.code;
  }
  memset(rec, 0, sizeof *rec);
  oh_error_clear(&local);
  rc = r->ops->next(r, rec, &local);
  if (rc == 1) {
    rec->index = r->next_index++;
    return 1;
  }
  if (rc < 0) {
    /* Every failure must leave a code behind, even a careless one. */
    if (local.code == OH_OK) oh_fail(&local, rc, OH_NO_OFFSET, "%s", oh_strerror(rc));
    r->sticky = local;
    if (err) *err = local;
    return rc;
  }
  return 0;
}

oh_format oh_reader_format(const oh_reader *r) { return r ? r->format : OH_FMT_AUTO; }

const oh_stream_info *oh_reader_stream_info(const oh_reader *r) {
  return r ? &r->info : NULL;
}

const char *oh_reader_describe(const oh_reader *r) { return r ? r->describe : ""; }

void oh_reader_close(oh_reader *r) {
  if (!r) return;
  r->ops->close(r);
  free(r);
}

/* ---- Format detection ------------------------------------------------ */

static uint32_t oh_rd_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t oh_rd_le32(const uint8_t *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A stream script starts with its magic; a truncated one is still a script
 * (the script reader says what is missing). The magic wins over a length
 * chain: "OH" read as a 16-bit prefix (20296) is an unlikely packet. */
static int oh_detect_script(const uint8_t *buf, size_t len, char *why, size_t cap) {
  if (len < 4 || memcmp(buf, "OHS1", 4) != 0) return 0;
  snprintf(why, cap, "script: \"OHS1\" stream script magic");
  return 1;
}

/* Ogg: the capture pattern, and OpusHead at the start of the first page's
 * body (RFC 7845 section 5.1). A file starting "OggS" is Ogg either way;
 * the Ogg reader explains what it does not like. */
static int oh_detect_ogg(const uint8_t *buf, size_t len, char *why, size_t cap) {
  size_t body;
  if (len < 4 || memcmp(buf, "OggS", 4) != 0) return 0;
  /* The body follows the 27-byte header and its lacing values. */
  body = len > 26 ? 27 + (size_t)buf[26] : len;
  if (body + 8 <= len && memcmp(buf + body, "OpusHead", 8) == 0) {
    snprintf(why, cap, "ogg: OggS capture pattern, OpusHead in the first page");
    return 1;
  }
  snprintf(why, cap, "ogg: OggS capture pattern (no OpusHead in the first page)");
  return 1;
}

static int oh_detect_pcap(const uint8_t *buf, size_t len, char *why, size_t cap) {
  static const struct { uint32_t magic; const char *what; } magics[] = {
      {0xa1b2c3d4u, "microsecond"}, {0xa1b23c4du, "nanosecond"}};
  size_t i;
  if (len >= 12 && oh_rd_be32(buf) == 0x0a0d0d0au &&
      (oh_rd_be32(buf + 8) == 0x1a2b3c4du || oh_rd_le32(buf + 8) == 0x1a2b3c4du)) {
    snprintf(why, cap, "pcap: pcapng section header block, %s-endian",
             oh_rd_be32(buf + 8) == 0x1a2b3c4du ? "big" : "little");
    return 1;
  }
  if (len < 4) return 0;
  for (i = 0; i < 2; i++) {
    const char *order = oh_rd_be32(buf) == magics[i].magic   ? "big"
                        : oh_rd_le32(buf) == magics[i].magic ? "little"
                                                             : NULL;
    if (order) {
      snprintf(why, cap, "pcap: magic %08x (%s timestamps, %s-endian)",
               (unsigned)magics[i].magic, magics[i].what, order);
      return 1;
    }
  }
  return 0;
}

/* Text: control bytes other than tab/CR/LF are at most 1 in 1000 of the
 * first 64 KiB, so a log with one stray NUL is still read as a log and the
 * log reader names the line; binary Opus streams are full of them. */
static int oh_looks_text(const uint8_t *buf, size_t len) {
  size_t n = len < 65536 ? len : 65536, i, odd = 0;
  for (i = 0; i < n; i++) {
    uint8_t c = buf[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) odd++;
  }
  return n > 0 && odd * 1000 <= n;
}

/* Runs the log reader itself over the first records: detection and reading
 * can then never disagree about what a packet line is. Returns 1 for a log,
 * 0 for binary, -1 for text that is no packet log (why says which line). */
static int oh_detect_log(const uint8_t *buf, size_t len, char *why, size_t cap) {
  oh_reader r;
  oh_record rec;
  oh_error err;
  int rc = 0, n = 0;
  if (!oh_looks_text(buf, len)) return 0;
  memset(&r, 0, sizeof r);
  r.format = OH_FMT_LOG;
  r.buf = buf;
  r.len = len;
  oh_reader_options_init(&r.opt);
  oh_error_clear(&err);
  if (oh_reader_ops_log.open(&r, &err) == OH_OK) {
    while (n < 64 && (rc = oh_reader_ops_log.next(&r, &rec, &err)) == 1) n++;
  } else {
    rc = err.code;
  }
  oh_reader_ops_log.close(&r);
  if (n > 0 && rc >= 0)
    snprintf(why, cap, "log: text, %s%d packet lines read without error",
             n == 64 ? "the first " : "all ", n);
  else if (n > 0)
    snprintf(why, cap, "log: text, %d packet lines before a bad one", n);
  else if (rc == 0)
    snprintf(why, cap, "log: text with only blank and comment lines");
  else {
    snprintf(why, cap, "text, but not a packet log: %s", err.reason);
    return -1;
  }
  return 1;
}

/* A light RFC 6716 section 3 plausibility check of a packet's TOC byte and
 * framing: enough to tell real packets from misaligned bytes. */
static int oh_toc_plausible(const uint8_t *p, size_t len) {
  static const int dur[32] = {480, 960, 1920, 2880, 480, 960, 1920, 2880,
                              480, 960, 1920, 2880, 480, 960, 480, 960,
                              120, 240, 480, 960, 120, 240, 480, 960,
                              120, 240, 480, 960, 120, 240, 480, 960};
  size_t n1, hdr;
  int m;
  if (len < 1) return 0;
  switch (p[0] & 3) {
  case 0: return len - 1 <= 1275;
  case 1: return (len - 1) % 2 == 0 && (len - 1) / 2 <= 1275;
  case 2:
    if (len < 2) return 0;
    n1 = p[1];
    hdr = 2;
    if (p[1] >= 252) {
      if (len < 3) return 0;
      n1 += 4 * (size_t)p[2];
      hdr = 3;
    }
    return n1 <= len - hdr && len - hdr - n1 <= 1275;
  default:
    if (len < 2) return 0;
    m = p[1] & 0x3f;
    return m >= 1 && m * dur[p[0] >> 3] <= 5760;
  }
}

/* Detection walks at most this many records: "plausible for many records"
 * is decided on a prefix so detection stays cheap on huge files. */
#define OH_DETECT_MAX_RECORDS 100000

typedef struct oh_chain {
  oh_format fmt;
  unsigned long records, zeros, bad_toc;
  int exact;             /* the last record ends on the last byte */
  int capped;            /* stopped at OH_DETECT_MAX_RECORDS, all consistent */
  size_t stop;           /* where the walk stopped */
  char stop_why[80];
} oh_chain;

static size_t oh_chain_hdr(oh_format fmt) {
  return fmt == OH_FMT_BIT ? 8 : (fmt == OH_FMT_LP16BE || fmt == OH_FMT_LP16LE) ? 2 : 4;
}

static size_t oh_chain_len(oh_format fmt, const uint8_t *p) {
  switch (fmt) {
  case OH_FMT_LP16BE: return (size_t)p[0] << 8 | p[1];
  case OH_FMT_LP16LE: return (size_t)p[1] << 8 | p[0];
  case OH_FMT_LP32LE: return oh_rd_le32(p);
  default: return oh_rd_be32(p);
  }
}

static void oh_chain_walk(oh_format fmt, const uint8_t *buf, size_t len, oh_chain *c) {
  size_t hdr = oh_chain_hdr(fmt), pos = 0;
  memset(c, 0, sizeof *c);
  c->fmt = fmt;
  while (pos < len && c->records < OH_DETECT_MAX_RECORDS) {
    size_t left = len - pos, n;
    if (left < hdr) {
      snprintf(c->stop_why, sizeof c->stop_why, "%zu bytes too short for a header", left);
      break;
    }
    n = oh_chain_len(fmt, buf + pos);
    if (n > OH_DEFAULT_MAX_PACKET || n > left - hdr) {
      snprintf(c->stop_why, sizeof c->stop_why, "length %zu exceeds the %zu bytes left",
               n, left - hdr);
      break;
    }
    c->records++;
    if (n == 0) c->zeros++;
    else if (!oh_toc_plausible(buf + pos + hdr, n)) c->bad_toc++;
    pos += hdr + n;
  }
  c->stop = pos;
  c->exact = pos == len;
  c->capped = !c->exact && c->records == OH_DETECT_MAX_RECORDS;
}

/* Zero-length records break rule R1 and are what a 32-bit prefix read as a
 * 16-bit one produces, so they count against a chain; implausible TOCs are
 * what misaligned reads produce, so they count double. */
static long oh_chain_score(const oh_chain *c) {
  long good = (long)(c->records - c->zeros - c->bad_toc);
  return good - (long)c->zeros - 2 * (long)c->bad_toc;
}

static long oh_chain_rank(const oh_chain *c) {
  long s = oh_chain_score(c);
  if (s <= 0) return 0;
  if (c->exact) return 2 * s + 4;
  if (c->capped || s >= 8) return s;
  return 0;
}

static void oh_chain_why(const oh_chain *c, char *why, size_t cap) {
  const char *name = oh_format_name(c->fmt);
  const char *what = c->fmt == OH_FMT_BIT ? "opus_demo records" : "length prefixes";
  char extra[80] = "";
  if (c->zeros || c->bad_toc)
    snprintf(extra, sizeof extra, " (%lu zero-length, %lu with an implausible TOC)",
             c->zeros, c->bad_toc);
  if (c->exact)
    snprintf(why, cap, "%s: %lu %s chain exactly to end of file%s", name, c->records,
             what, extra);
  else if (c->capped)
    snprintf(why, cap, "%s: the first %lu %s chain consistently%s", name, c->records,
             what, extra);
  else
    snprintf(why, cap, "%s: %lu %s chain consistently%s, then at offset %zu: %s", name,
             c->records, what, extra, c->stop, c->stop_why);
}

static oh_format oh_detect_chains(const uint8_t *buf, size_t len, char *why, size_t cap) {
  /* Ties go to the earlier entry: opus_demo first, then the production
   * incident's 16-bit framing. */
  static const oh_format order[] = {OH_FMT_BIT, OH_FMT_LP16BE, OH_FMT_LP16LE,
                                    OH_FMT_LP32BE, OH_FMT_LP32LE};
  oh_chain c, best, longest;
  long best_rank = 0;
  size_t i;
  memset(&best, 0, sizeof best);
  memset(&longest, 0, sizeof longest);
  for (i = 0; i < sizeof order / sizeof order[0]; i++) {
    long rank;
    oh_chain_walk(order[i], buf, len, &c);
    rank = oh_chain_rank(&c);
    if (rank > best_rank) {
      best_rank = rank;
      best = c;
    }
    if (i == 0 || c.stop > longest.stop) longest = c;
  }
  if (best_rank > 0) {
    oh_chain_why(&best, why, cap);
    return best.fmt;
  }
  snprintf(why, cap,
           "no format fits: not Ogg, pcap or a packet log, and no length-prefix "
           "chain holds (longest: %s, %lu records, then at offset %zu: %s)",
           oh_format_name(longest.fmt), longest.records, longest.stop,
           longest.exact ? "zero-length or implausible packets" : longest.stop_why);
  return OH_FMT_AUTO;
}

oh_format oh_format_detect(const uint8_t *buf, size_t len, char *why, size_t why_cap) {
  char scratch[8], chain_why[256];
  oh_format fmt;
  int text;
  if (!why || why_cap == 0) {
    why = scratch;
    why_cap = sizeof scratch;
  }
  if (!buf || len == 0) {
    snprintf(why, why_cap, "empty input");
    return OH_FMT_AUTO;
  }
  if (oh_detect_script(buf, len, why, why_cap)) return OH_FMT_SCRIPT;
  if (oh_detect_ogg(buf, len, why, why_cap)) return OH_FMT_OGG;
  if (oh_detect_pcap(buf, len, why, why_cap)) return OH_FMT_PCAP;
  text = oh_detect_log(buf, len, why, why_cap);
  if (text > 0) return OH_FMT_LOG;
  if (text == 0) return oh_detect_chains(buf, len, why, why_cap);
  /* For text, the log reader's complaint beats a chain walk's. */
  fmt = oh_detect_chains(buf, len, chain_why, sizeof chain_why);
  if (fmt != OH_FMT_AUTO) snprintf(why, why_cap, "%s", chain_why);
  return fmt;
}
