/* Fuzz target "readers": any bytes through every opushunt stream reader,
 * format detection and the packet parser.
 *
 * Input: any bytes.
 *
 * What it exercises, per input: oh_format_detect; oh_reader_open with
 * OH_FMT_AUTO and with every concrete format oh_format_name knows (walked
 * from 1 until it answers "unknown", so formats added to reader.h are
 * fuzzed without touching this file), each twice: with default options and
 * with tight ones picked by an FNV-1a hash of the input (a small
 * max_packet_len, a header_skip, an Ogg serial, an RTP SSRC, port and
 * payload type taken from the input); every record of every reader (at most
 * MAX_RECORDS each) goes through oh_packet_parse in both framings.
 *
 * Checks (oh_fuzz_oracle_fail):
 *  - detection: the same answer with a reason buffer, a 5-byte one and none;
 *    the reason is non-empty and fits its buffer; AUTO opens what detection
 *    names (without a header_skip) and fails with OH_ERR_UNKNOWN_FORMAT when
 *    detection names nothing; with a header_skip it opens only lp formats;
 *  - open: succeeds exactly when it hands out a reader; a concrete format
 *    opens as itself; the description is non-empty; format names parse back;
 *  - records: index counts 0, 1, 2, ...; a lost record has no data and
 *    length 0; a record with bytes has data, at most max_packet_len of them;
 *    offset lies in the input (0 for an empty one); the bytes lie wholly
 *    inside the input or wholly outside it (Ogg and log readers may copy),
 *    and wholly inside for the formats that hand out slices of the input
 *    (bit, lp*, pcap, script, raw); every byte is read so AddressSanitizer
 *    sees a stale or short buffer;
 *  - errors: a negative code equal to the return, a non-empty reason, an
 *    offset in the input or OH_NO_OFFSET; next after an error returns the
 *    same error again (code, offset, reason), and next after the clean end
 *    returns 0 again. */
#include <stdio.h>
#include <string.h>

#include "fuzz_target.h"
#include "opushunt/error.h"
#include "opushunt/packet.h"
#include "opushunt/reader.h"

#define TARGET "readers"
#define MAX_RECORDS 65536 /* per reader: bounds the work of one input */
#define MAX_FORMATS 64    /* the format walk stops here even without "unknown" */

/* Where one reader run stands, for messages. */
typedef struct reader_run {
  const uint8_t *data;
  size_t size;
  oh_format fmt;
  const oh_reader_options *opt;
  const char *options_name;
} reader_run;

static uint32_t fnv1a(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
  return h;
}

static uint32_t input_u32(const uint8_t *data, size_t size, size_t at) {
  uint32_t v = 0;
  for (size_t i = at; i < at + 4 && i < size; i++) v = v << 8 | data[i];
  return v;
}

static void fail_run(const reader_run *r, const char *what, const char *detail) {
  oh_fuzz_oracle_fail(TARGET, "%s reader (%s options, max_packet_len %zu, header_skip %zu): "
                      "%s: %s", oh_format_name(r->fmt), r->options_name,
                      r->opt->max_packet_len, r->opt->header_skip, what, detail);
}

/* Length of a string that must end within cap bytes; cap when it does not. */
static size_t bounded_len(const char *s, size_t cap) {
  size_t n = 0;
  while (n < cap && s[n]) n++;
  return n;
}

static int is_lp(oh_format fmt) {
  return fmt == OH_FMT_LP16BE || fmt == OH_FMT_LP16LE || fmt == OH_FMT_LP32BE ||
         fmt == OH_FMT_LP32LE;
}

/* Formats whose records are always slices of the input. */
static int hands_out_slices(oh_format fmt) {
  static const char *const names[] = {"bit", "lp16be", "lp16le", "lp32be",
                                      "lp32le", "pcap", "script", "raw"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(oh_format_name(fmt), names[i]) == 0) return 1;
  return 0;
}

/* ---- Errors ------------------------------------------------------------ */

static void check_error(const reader_run *r, int rc, const oh_error *err, const char *where) {
  char detail[400];
  size_t reason_len = bounded_len(err->reason, sizeof err->reason);
  if (rc < 0 && err->code == rc && reason_len > 0 && reason_len < sizeof err->reason &&
      (err->offset == OH_NO_OFFSET || err->offset <= r->size))
    return;
  snprintf(detail, sizeof detail, "returned %d, error code %d, offset %llu of %zu, reason '%.*s'",
           rc, err->code, (unsigned long long)err->offset, r->size, (int)reason_len,
           err->reason);
  fail_run(r, where, detail);
}

/* After an error, next repeats it exactly. */
static void check_sticky(const reader_run *r, oh_reader *rd, int rc, const oh_error *first) {
  oh_record rec;
  oh_error again;
  char detail[600];
  int rc2;
  oh_error_clear(&again);
  rc2 = oh_reader_next(rd, &rec, &again);
  if (rc2 == rc && again.code == first->code && again.offset == first->offset &&
      strcmp(again.reason, first->reason) == 0)
    return;
  snprintf(detail, sizeof detail, "first %d at %llu '%s', then %d at %llu '%s'", rc,
           (unsigned long long)first->offset, first->reason, rc2,
           (unsigned long long)again.offset, again.reason);
  fail_run(r, "next after an error did not repeat it", detail);
}

/* ---- Records ----------------------------------------------------------- */

static void check_bytes(const reader_run *r, const oh_record *rec) {
  uintptr_t lo = (uintptr_t)r->data, hi = lo + r->size;
  uintptr_t p = (uintptr_t)rec->data, end = p + rec->len;
  int inside = r->data && p >= lo && end <= hi && end >= p;
  int outside = end <= lo || p >= hi;
  volatile uint8_t sink = 0;
  char detail[160];
  if (inside || (outside && !hands_out_slices(r->fmt))) {
    for (size_t i = 0; i < rec->len; i++) sink = (uint8_t)(sink ^ rec->data[i]);
    return;
  }
  snprintf(detail, sizeof detail, "record %llu: %zu bytes at input%+lld, input is %zu bytes",
           (unsigned long long)rec->index, rec->len, (long long)(p - lo), r->size);
  fail_run(r, inside || outside ? "packet bytes not a slice of the input"
                                : "packet bytes straddle the input's end",
           detail);
}

static void check_record(const reader_run *r, const oh_record *rec, uint64_t expected_index) {
  const char *what = NULL;
  char detail[200];
  if (rec->index != expected_index) what = "record index out of sequence";
  else if (rec->lost && (rec->data || rec->len)) what = "lost record carries bytes";
  else if (rec->len && !rec->data) what = "record length without data";
  else if (rec->len > r->opt->max_packet_len) what = "record above max_packet_len";
  else if (!(rec->offset < r->size || (r->size == 0 && rec->offset == 0)))
    what = "record offset outside the input";
  if (what) {
    snprintf(detail, sizeof detail, "record %llu (expected index %llu): lost %d, data %s, "
             "len %zu, offset %llu of %zu", (unsigned long long)rec->index,
             (unsigned long long)expected_index, rec->lost, rec->data ? "set" : "NULL",
             rec->len, (unsigned long long)rec->offset, r->size);
    fail_run(r, what, detail);
  }
  if (rec->len) check_bytes(r, rec);
}

static void parse_both_framings(const oh_record *rec) {
  oh_packet pkt;
  oh_rule rule;
  oh_error err;
  if (!rec->len) return;
  oh_packet_parse(rec->data, rec->len, 0, &pkt, &rule, &err);
  oh_packet_parse(rec->data, rec->len, 1, &pkt, &rule, &err);
}

static void read_all(const reader_run *r, oh_reader *rd) {
  oh_record rec;
  oh_error err;
  uint64_t n = 0;
  int rc;
  for (;;) {
    if (n == MAX_RECORDS) return;
    oh_error_clear(&err);
    rc = oh_reader_next(rd, &rec, &err);
    if (rc != 1) break;
    check_record(r, &rec, n++);
    parse_both_framings(&rec);
  }
  if (rc < 0) {
    check_error(r, rc, &err, "next failed badly");
    check_sticky(r, rd, rc, &err);
  } else if (rc == 0) {
    if (oh_reader_next(rd, &rec, &err) != 0) fail_run(r, "next after the end", "did not return 0");
  } else {
    char detail[32];
    snprintf(detail, sizeof detail, "%d", rc);
    fail_run(r, "next returned neither 1, 0 nor an error", detail);
  }
}

/* ---- Opening ----------------------------------------------------------- */

/* What AUTO must open: the detected format, when there is no header_skip. */
static void check_auto(const reader_run *r, oh_reader *rd, int rc, const oh_error *err,
                       oh_format detected) {
  char detail[400];
  if (r->opt->header_skip) {
    if (rd && !is_lp(oh_reader_format(rd)))
      fail_run(r, "AUTO with a header_skip opened a non-lp format",
               oh_format_name(oh_reader_format(rd)));
    return;
  }
  if (rd && oh_reader_format(rd) != detected) {
    snprintf(detail, sizeof detail, "opened %s, oh_format_detect says %s",
             oh_format_name(oh_reader_format(rd)), oh_format_name(detected));
    fail_run(r, "AUTO disagrees with detection", detail);
  }
  if (detected == OH_FMT_AUTO && rc != OH_ERR_UNKNOWN_FORMAT) {
    snprintf(detail, sizeof detail, "returned %d (%s)", rc, rc ? err->reason : "a reader");
    fail_run(r, "AUTO opened what detection does not know", detail);
  }
}

static void run_reader(reader_run *r, oh_format detected) {
  oh_reader *rd = NULL;
  oh_error err;
  int rc;
  oh_error_clear(&err);
  rc = oh_reader_open(&rd, r->fmt, r->data, r->size, r->opt, &err);
  if ((rc == OH_OK) != (rd != NULL)) fail_run(r, "open", rc ? "error with a reader" : "no reader");
  if (rc != OH_OK) check_error(r, rc, &err, "open failed badly");
  if (r->fmt == OH_FMT_AUTO) check_auto(r, rd, rc, &err, detected);
  if (!rd) return;
  if (r->fmt != OH_FMT_AUTO && oh_reader_format(rd) != r->fmt)
    fail_run(r, "opened as another format", oh_format_name(oh_reader_format(rd)));
  if (oh_reader_describe(rd)[0] == '\0') fail_run(r, "describe", "empty");
  if (r->fmt == OH_FMT_AUTO) r->fmt = oh_reader_format(rd); /* messages name it */
  read_all(r, rd);
  oh_reader_close(rd);
}

/* ---- Detection and the format list ------------------------------------ */

static oh_format detect_checked(const uint8_t *data, size_t size) {
  char why[256], tiny[5];
  oh_format fmt = oh_format_detect(data, size, why, sizeof why);
  oh_format fmt_tiny = oh_format_detect(data, size, tiny, sizeof tiny);
  oh_format fmt_none = oh_format_detect(data, size, NULL, 0);
  if (fmt != fmt_tiny || fmt != fmt_none)
    oh_fuzz_oracle_fail(TARGET, "oh_format_detect answers %s, %s (5-byte reason) and %s (none)",
                        oh_format_name(fmt), oh_format_name(fmt_tiny), oh_format_name(fmt_none));
  if (why[0] == '\0' || bounded_len(why, sizeof why) == sizeof why ||
      bounded_len(tiny, sizeof tiny) == sizeof tiny)
    oh_fuzz_oracle_fail(TARGET, "oh_format_detect reason empty or unterminated");
  return fmt;
}

static int format_known(oh_format fmt) {
  oh_format back;
  const char *name = oh_format_name(fmt);
  if (strcmp(name, "unknown") == 0) return 0;
  if (oh_format_from_name(name, &back) != OH_OK || back != fmt)
    oh_fuzz_oracle_fail(TARGET, "format %d named '%s' does not parse back", (int)fmt, name);
  return 1;
}

static void tight_options(const uint8_t *data, size_t size, oh_reader_options *opt) {
  static const size_t max_len[4] = {1, 3, 64, 1275};
  static const size_t skip[4] = {0, 1, 2, 4};
  static const int port[4] = {0, 0, 5004, 5006};
  static const int payload_type[4] = {-1, -1, 111, 96};
  uint32_t h = fnv1a(data, size);
  oh_reader_options_init(opt);
  opt->max_packet_len = max_len[h % 4];
  opt->header_skip = skip[h / 4 % 4];
  opt->ogg_serial_set = (h >> 4) & 1;
  opt->ogg_serial = input_u32(data, size, 14) ^ ((h >> 5) & 1); /* a page's serial, or not */
  opt->rtp_ssrc_set = (h >> 6) & 1;
  opt->rtp_ssrc = input_u32(data, size, (h >> 7) % (size ? size : 1));
  opt->udp_port = port[(h >> 16) % 4];
  opt->rtp_payload_type = payload_type[(h >> 18) % 4];
}

int oh_fuzz_readers(const uint8_t *data, size_t size) {
  static const uint8_t empty[1] = {0};
  oh_reader_options opts[2];
  static const char *const opt_names[2] = {"default", "tight"};
  const uint8_t *buf = data ? data : empty;
  oh_format detected = detect_checked(buf, size);
  oh_reader_options_init(&opts[0]);
  tight_options(buf, size, &opts[1]);
  for (int o = 0; o < 2; o++) {
    for (int f = OH_FMT_AUTO; f < MAX_FORMATS && (f == OH_FMT_AUTO || format_known(f)); f++) {
      reader_run r = {buf, size, (oh_format)f, &opts[o], opt_names[o]};
      run_reader(&r, detected);
    }
  }
  return 0;
}
