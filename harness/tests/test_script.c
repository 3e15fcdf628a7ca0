/* Tests for the OHS1 stream script library (script.c) and the two readers
 * of fuzz inputs (reader_script.c): the byte layout against hand-written
 * bytes, random round trips through every api and record type, truncation
 * at every byte (strict errors with their offsets, lenient prefixes), the
 * record, length and field limits, garbage and bit-flipped inputs placed
 * against a guard page, and the "script" and "raw" stream readers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/reader.h"
#include "opushunt/script.h"
#include "test_util.h"

/* Random bytes records point into; a packet of 65535 bytes fits. */
#define POOL_LEN 70000
static uint8_t pool[POOL_LEN];

static void fill_pool(void) {
  oh_test_rng rng = {0x5eed};
  size_t i;
  for (i = 0; i < POOL_LEN; i++) pool[i] = (uint8_t)oh_test_rng_next(&rng);
}

/* ---- building scripts -------------------------------------------------- */

static oh_script_header header(int api, uint32_t rate, int channels, int frame_size) {
  oh_script_header h;
  memset(&h, 0, sizeof h);
  h.api = api;
  h.rate = rate;
  h.channels = channels;
  h.frame_size = frame_size;
  return h;
}

static oh_script_record packet_rec(int type, int frame_size, size_t len, const uint8_t *data) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = type;
  r.frame_size = type == OH_SREC_PACKET ? 0 : frame_size;
  r.len = type == OH_SREC_LOSS ? 0 : len;
  r.data = r.len ? data : NULL;
  return r;
}

static oh_script_record ctl_rec(int ctl, int32_t value) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_CTL;
  r.ctl = ctl;
  r.value = value;
  return r;
}

static oh_script_record recreate_rec(uint32_t rate, int channels) {
  oh_script_record r;
  memset(&r, 0, sizeof r);
  r.type = OH_SREC_RECREATE;
  r.rate = rate;
  r.channels = channels;
  return r;
}

static void append(oh_script *s, oh_script_record r) {
  assert_int_equal(oh_script_append(s, &r), OH_OK);
}

/* Writes s into a fresh malloc'd buffer of exactly its size. */
static uint8_t *write_all(const oh_script *s, size_t *len) {
  oh_error err;
  size_t need = oh_script_size(s);
  uint8_t *out = malloc(need ? need : 1);
  long n;
  assert_non_null(out);
  n = oh_script_write(s, out, need, &err);
  if (n < 0) fail_msg("write failed: %s", err.reason);
  assert_int_equal(n, need);
  *len = need;
  return out;
}

/* One script holding every record type: P, L, F, C, R and an empty P. */
static void every_type(oh_script *s, int api) {
  oh_script_header h = header(api, 48000, 2, 960);
  h.extra = pool;
  h.extra_len = 3;
  oh_script_init(s, &h);
  append(s, packet_rec(OH_SREC_PACKET, 0, 5, pool + 10));
  append(s, packet_rec(OH_SREC_LOSS, 480, 0, NULL));
  append(s, packet_rec(OH_SREC_FEC, 960, 3, pool + 20));
  append(s, ctl_rec(OH_CTL_SET_GAIN, -256));
  append(s, recreate_rec(16000, 1));
  append(s, packet_rec(OH_SREC_PACKET, 0, 0, NULL));
}

/* A record's size on the wire, from the layout in script.h. */
static size_t rec_bytes(const oh_script_record *r) {
  switch (r->type) {
  case OH_SREC_PACKET: return 3 + r->len;
  case OH_SREC_LOSS: return 3;
  case OH_SREC_FEC: return 5 + r->len;
  default: return 6;
  }
}

/* ---- comparing scripts ------------------------------------------------- */

static void expect_same_bytes(const uint8_t *a, const uint8_t *b, size_t len, const char *what) {
  if (len && memcmp(a, b, len) != 0) fail_msg("%s differ", what);
}

static void expect_same_header(const oh_script_header *a, const oh_script_header *b) {
  assert_int_equal(a->api, b->api);
  assert_int_equal(a->flags, b->flags);
  assert_int_equal(a->channels, b->channels);
  assert_int_equal(a->streams, b->streams);
  assert_int_equal(a->coupled, b->coupled);
  assert_int_equal(a->family, b->family);
  assert_int_equal(a->rate, b->rate);
  assert_int_equal(a->frame_size, b->frame_size);
  assert_int_equal(a->custom_frame, b->custom_frame);
  assert_int_equal(a->extra_len, b->extra_len);
  assert_int_equal(a->extra == NULL, b->extra == NULL);
  expect_same_bytes(a->extra, b->extra, a->extra_len, "extra bytes");
}

static void expect_same_record(const oh_script_record *a, const oh_script_record *b, size_t i) {
  if (a->type != b->type || a->offset != b->offset || a->frame_size != b->frame_size ||
      a->len != b->len || a->ctl != b->ctl || a->value != b->value || a->rate != b->rate ||
      a->channels != b->channels || (a->data == NULL) != (b->data == NULL))
    fail_msg("record %zu: '%c' at %llu differs from '%c' at %llu", i, a->type,
             (unsigned long long)a->offset, b->type, (unsigned long long)b->offset);
  expect_same_bytes(a->data, b->data, a->len, "packet bytes");
}

/* want holds the records' expected offsets; got was parsed. */
static void expect_same_script(const oh_script *want, const oh_script *got) {
  size_t i;
  expect_same_header(&want->h, &got->h);
  assert_int_equal(want->nrecs, got->nrecs);
  for (i = 0; i < want->nrecs; i++) expect_same_record(&want->recs[i], &got->recs[i], i);
  assert_int_equal(want->body_len, got->body_len);
  expect_same_bytes(want->body, got->body, want->body_len, "bodies");
}

/* ---- names and frame sizes ---------------------------------------------- */

static void test_api_and_ctl_names(void **state) {
  static const char *const apis[] = {"decoder",      "multistream", "projection",
                                     "custom",       "repacketizer", "pipeline"};
  int i, j;
  for (i = 0; i < OH_SCRIPT_API_COUNT; i++) assert_string_equal(oh_script_api_name(i), apis[i]);
  assert_string_equal(oh_script_api_name(-1), "unknown");
  assert_string_equal(oh_script_api_name(OH_SCRIPT_API_COUNT), "unknown");
  assert_string_equal(oh_script_ctl_name(OH_CTL_SET_GAIN), "set-gain");
  assert_string_equal(oh_script_ctl_name(OH_CTL_SET_COMPLEXITY), "set-complexity");
  for (i = 0; i < OH_CTL_COUNT; i++) {
    assert_string_not_equal(oh_script_ctl_name(i), "unknown");
    for (j = 0; j < i; j++) assert_string_not_equal(oh_script_ctl_name(i), oh_script_ctl_name(j));
  }
  assert_string_equal(oh_script_ctl_name(-1), "unknown");
  assert_string_equal(oh_script_ctl_name(OH_CTL_COUNT), "unknown");
}

static int frame_size_at(uint32_t rate, int header_frame) {
  oh_script s;
  oh_script_header h = header(OH_SCRIPT_DECODER, rate, 1, header_frame);
  oh_script_init(&s, &h);
  return oh_script_frame_size(&s, NULL);
}

static void test_frame_size_defaults_to_120ms(void **state) {
  assert_int_equal(frame_size_at(48000, 0), 5760);
  assert_int_equal(frame_size_at(8000, 0), 960);
  assert_int_equal(frame_size_at(44100, 0), 5292);
  assert_int_equal(frame_size_at(48000, 960), 960);
  assert_int_equal(frame_size_at(0, 0), 0);
  assert_int_equal(frame_size_at(8, 0), 0);
  assert_int_equal(frame_size_at(9, 0), 1);
  assert_int_equal(frame_size_at(546125, 0), 65535);
  assert_int_equal(frame_size_at(UINT32_MAX, 0), 65535);
  assert_int_equal(frame_size_at(35791395, 0), 65535); /* rate * 120 wraps 32 bits to 104 */
  assert_int_equal(frame_size_at(48000, -5), 0);
  assert_int_equal(oh_script_frame_size(NULL, NULL), 0);
}

static void test_frame_size_of_each_record_type(void **state) {
  oh_script s;
  oh_script_header h = header(OH_SCRIPT_DECODER, 48000, 2, 960);
  oh_script_record loss = packet_rec(OH_SREC_LOSS, 480, 0, NULL);
  oh_script_record fec = packet_rec(OH_SREC_FEC, 2880, 3, pool);
  oh_script_record pkt = packet_rec(OH_SREC_PACKET, 0, 3, pool);
  oh_script_record ctl = ctl_rec(OH_CTL_RESET_STATE, 0);
  oh_script_init(&s, &h);
  assert_int_equal(oh_script_frame_size(&s, &loss), 480);
  assert_int_equal(oh_script_frame_size(&s, &fec), 2880);
  assert_int_equal(oh_script_frame_size(&s, &pkt), 960);
  assert_int_equal(oh_script_frame_size(&s, &ctl), 960);
  assert_int_equal(oh_script_frame_size(NULL, &loss), 480);
  loss.frame_size = -1;
  assert_int_equal(oh_script_frame_size(&s, &loss), 0);
}

/* ---- the byte layout ---------------------------------------------------- */

/* Every field of every record type, written by hand from script.h. */
static const uint8_t LAYOUT[] = {
    'O', 'H', 'S', '1', 1, 0x05, 3, 2, 1, 1, 0x00, 0x00, 0xbb, 0x80, 0x03, 0xc0, 0x00,
    0x78, 0x00, 0x03, 0, 2, 1,                         /* header, extra = mapping */
    'P', 0x00, 0x02, 0xfc, 0xff,                       /* 23: packet of 2 bytes */
    'L', 0x01, 0xe0,                                   /* 28: loss, 480 */
    'F', 0x03, 0xc0, 0x00, 0x01, 0x78,                 /* 31: fec, 960, 1 byte */
    'C', 0x00, 0xff, 0xff, 0xff, 0x00,                 /* 37: set-gain -256 */
    'R', 0x00, 0x00, 0x3e, 0x80, 0x02,                 /* 43: 16000 Hz, 2 ch */
};

static void test_layout_matches_the_header_comment(void **state) {
  oh_script s;
  oh_error err;
  uint8_t out[sizeof LAYOUT];
  assert_int_equal(oh_script_parse(LAYOUT, sizeof LAYOUT, 1, &s, &err), OH_OK);
  assert_int_equal(s.h.api, OH_SCRIPT_MULTISTREAM);
  assert_int_equal(s.h.flags, OH_SCRIPT_F_FLOAT | OH_SCRIPT_F_SELF_DELIMITED);
  assert_int_equal(s.h.channels, 3);
  assert_int_equal(s.h.streams, 2);
  assert_int_equal(s.h.coupled, 1);
  assert_int_equal(s.h.family, 1);
  assert_int_equal(s.h.rate, 48000);
  assert_int_equal(s.h.frame_size, 960);
  assert_int_equal(s.h.custom_frame, 120);
  assert_int_equal(s.h.extra_len, 3);
  assert_ptr_equal(s.h.extra, LAYOUT + 20);
  assert_int_equal(s.nrecs, 5);
  assert_int_equal(s.parsed_len, sizeof LAYOUT);
  assert_int_equal(s.recs[0].type, 'P');
  assert_int_equal(s.recs[0].offset, 23);
  assert_int_equal(s.recs[0].len, 2);
  assert_ptr_equal(s.recs[0].data, LAYOUT + 26);
  assert_int_equal(s.recs[1].frame_size, 480);
  assert_int_equal(s.recs[2].offset, 31);
  assert_int_equal(s.recs[2].frame_size, 960);
  assert_int_equal(s.recs[2].len, 1);
  assert_int_equal(s.recs[2].data[0], 0x78);
  assert_int_equal(s.recs[3].ctl, OH_CTL_SET_GAIN);
  assert_int_equal(s.recs[3].value, -256);
  assert_int_equal(s.recs[4].rate, 16000);
  assert_int_equal(s.recs[4].channels, 2);
  assert_int_equal(oh_script_size(&s), sizeof LAYOUT);
  assert_int_equal(oh_script_write(&s, out, sizeof out, &err), sizeof LAYOUT);
  assert_memory_equal(out, LAYOUT, sizeof LAYOUT);
  oh_script_free(&s);
}

static void test_pipeline_body_is_the_rest(void **state) {
  static const uint8_t in[] = {'O', 'H', 'S', '1', 5, 0, 2, 0, 0, 3, 0, 0, 0xbb, 0x80,
                               0x03, 0xc0, 0, 0, 0, 5, 0, 0, 7, 0x80, 1,
                               0x00, 0x01, 0xfc, 'P', 'P'};
  oh_script s;
  oh_error err;
  uint8_t out[sizeof in];
  assert_int_equal(oh_script_parse(in, sizeof in, 1, &s, &err), OH_OK);
  assert_int_equal(s.h.api, OH_SCRIPT_PIPELINE);
  assert_int_equal(s.h.family, 3);
  assert_int_equal(s.nrecs, 0); /* 'P' here is body, not a record */
  assert_ptr_equal(s.body, in + 25);
  assert_int_equal(s.body_len, 5);
  assert_int_equal(oh_script_write(&s, out, sizeof out, &err), sizeof in);
  assert_memory_equal(out, in, sizeof in);
  oh_script_free(&s);
  assert_int_equal(oh_script_parse(in, 25, 1, &s, &err), OH_OK); /* empty body */
  assert_null(s.body);
  assert_int_equal(s.body_len, 0);
}

/* ---- random round trips --------------------------------------------------- */

static oh_script_record random_record(oh_test_rng *rng) {
  static const int types[] = {OH_SREC_PACKET, OH_SREC_LOSS, OH_SREC_FEC, OH_SREC_CTL,
                              OH_SREC_RECREATE};
  int type = types[oh_test_rng_below(rng, 5)];
  size_t len = oh_test_rng_below(rng, oh_test_rng_below(rng, 8) ? 60 : 1500);
  const uint8_t *data = pool + oh_test_rng_below(rng, POOL_LEN - 1500);
  if (type == OH_SREC_CTL)
    return ctl_rec((int)oh_test_rng_below(rng, OH_CTL_COUNT), (int32_t)oh_test_rng_next(rng));
  if (type == OH_SREC_RECREATE)
    return recreate_rec((uint32_t)oh_test_rng_next(rng), (int)oh_test_rng_below(rng, 256));
  return packet_rec(type, (int)oh_test_rng_below(rng, 65536), len, data);
}

static void random_script(oh_test_rng *rng, int api, oh_script *s) {
  oh_script_header h = header(api, (uint32_t)oh_test_rng_next(rng),
                              (int)oh_test_rng_below(rng, 256), (int)oh_test_rng_below(rng, 65536));
  size_t n = oh_test_rng_below(rng, 40), i, off;
  h.flags = (int)oh_test_rng_below(rng, 256);
  h.streams = (int)oh_test_rng_below(rng, 256);
  h.coupled = (int)oh_test_rng_below(rng, 256);
  h.family = (int)oh_test_rng_below(rng, 256);
  h.custom_frame = (int)oh_test_rng_below(rng, 65536);
  h.extra_len = oh_test_rng_below(rng, 3) ? oh_test_rng_below(rng, 300) : 0;
  h.extra = h.extra_len ? pool + oh_test_rng_below(rng, 1000) : NULL;
  oh_script_init(s, &h);
  off = OH_SCRIPT_HEADER_LEN + h.extra_len;
  if (api == OH_SCRIPT_PIPELINE) {
    s->body_len = oh_test_rng_below(rng, 400);
    s->body = s->body_len ? pool + oh_test_rng_below(rng, 1000) : NULL;
    return;
  }
  for (i = 0; i < n; i++) {
    oh_script_record r = random_record(rng);
    r.offset = off; /* where the writer must put it */
    off += rec_bytes(&r);
    append(s, r);
  }
}

static void test_random_scripts_round_trip(void **state) {
  oh_test_rng rng;
  long i, n = oh_test_iterations(20000);
  oh_test_rng_init(&rng, 1, "script round trip");
  for (i = 0; i < n; i++) {
    oh_script want, got;
    oh_error err;
    size_t len;
    uint8_t *buf, *again;
    random_script(&rng, (int)(i % OH_SCRIPT_API_COUNT), &want);
    buf = write_all(&want, &len);
    if (oh_script_parse(buf, len, 1, &got, &err) != OH_OK)
      fail_msg("case %ld: offset %llu: %s", i, (unsigned long long)err.offset, err.reason);
    assert_int_equal(got.parsed_len, len);
    expect_same_script(&want, &got);
    again = write_all(&got, &len);
    assert_memory_equal(again, buf, len);
    free(again);
    free(buf);
    oh_script_free(&got);
    oh_script_free(&want);
  }
}

/* ---- truncation ----------------------------------------------------------- */

/* Records of full that end within cut bytes, and where the last one ends. */
static size_t complete_records(const oh_script *full, size_t cut, size_t *end) {
  size_t k = 0;
  *end = OH_SCRIPT_HEADER_LEN + full->h.extra_len;
  while (k < full->nrecs && full->recs[k].offset + rec_bytes(&full->recs[k]) <= cut) {
    *end = full->recs[k].offset + rec_bytes(&full->recs[k]);
    k++;
  }
  return k;
}

/* A cut inside the header or extra: an error in both modes. */
static void check_header_cut(const uint8_t *buf, size_t cut) {
  oh_script s;
  oh_error err;
  int strict;
  for (strict = 0; strict < 2; strict++) {
    assert_int_equal(oh_script_parse(buf, cut, strict, &s, &err), OH_ERR_TRUNCATED);
    assert_int_equal(err.offset, cut < OH_SCRIPT_HEADER_LEN ? 0 : 18);
    assert_null(s.recs);
    oh_script_free(&s);
  }
}

/* A cut in the records: strict fails at the cut record's start unless the
 * cut falls between records; lenient keeps the complete ones. */
static void check_record_cut(const uint8_t *buf, size_t cut, const oh_script *full) {
  size_t end, k = complete_records(full, cut, &end);
  oh_script st, le;
  oh_error err;
  int rs = oh_script_parse(buf, cut, 1, &st, &err);
  if (end == cut) {
    assert_int_equal(rs, OH_OK);
    assert_int_equal(st.nrecs, k);
  } else {
    char want[32];
    assert_int_equal(rs, OH_ERR_TRUNCATED);
    assert_int_equal(err.offset, full->recs[k].offset);
    snprintf(want, sizeof want, "record %zu: ", k);
    assert_memory_equal(err.reason, want, strlen(want));
    assert_null(st.recs);
    assert_int_equal(st.nrecs, 0);
  }
  assert_int_equal(oh_script_parse(buf, cut, 0, &le, &err), OH_OK);
  assert_int_equal(err.code, OH_OK);
  assert_int_equal(le.nrecs, k);
  assert_int_equal(le.parsed_len, end);
  oh_script_free(&st);
  oh_script_free(&le);
}

static void test_truncation_at_every_byte(void **state) {
  int api;
  for (api = OH_SCRIPT_DECODER; api < OH_SCRIPT_PIPELINE; api++) {
    oh_script built, full;
    oh_error err;
    size_t len, cut;
    uint8_t *whole;
    every_type(&built, api);
    whole = write_all(&built, &len);
    assert_int_equal(oh_script_parse(whole, len, 1, &full, &err), OH_OK);
    for (cut = 0; cut <= len; cut++) {
      const uint8_t *buf = oh_test_guarded(whole, cut);
      if (cut < OH_SCRIPT_HEADER_LEN + full.h.extra_len) check_header_cut(buf, cut);
      else check_record_cut(buf, cut, &full);
    }
    oh_script_free(&full);
    oh_script_free(&built);
    free(whole);
  }
}

/* ---- header and record errors ---------------------------------------------- */

static void expect_parse_error(const uint8_t *buf, size_t len, int strict, int code,
                               uint64_t offset, const char *words) {
  oh_script s;
  oh_error err;
  int rc = oh_script_parse(oh_test_guarded(buf, len), len, strict, &s, &err);
  if (rc != code || err.offset != offset)
    fail_msg("parse: %d at %llu (%s), want %d at %llu", rc, (unsigned long long)err.offset,
             err.reason, code, (unsigned long long)offset);
  if (words && !strstr(err.reason, words)) fail_msg("reason '%s' lacks '%s'", err.reason, words);
  assert_null(s.recs);
  assert_int_equal(s.nrecs, 0);
}

static void test_bad_magic_fail(void **state) {
  uint8_t buf[sizeof LAYOUT];
  memcpy(buf, LAYOUT, sizeof buf);
  buf[3] = '2';
  expect_parse_error(buf, sizeof buf, 0, OH_ERR_MALFORMED, 0, "magic");
  expect_parse_error(buf, 4, 1, OH_ERR_MALFORMED, 0, "magic");
  expect_parse_error((const uint8_t *)"OggS", 4, 1, OH_ERR_MALFORMED, 0, "magic");
  expect_parse_error((const uint8_t *)"X", 1, 1, OH_ERR_MALFORMED, 0, "magic");
  expect_parse_error(NULL, 0, 1, OH_ERR_TRUNCATED, 0, "only 0");
}

static void test_unknown_api_fail(void **state) {
  uint8_t buf[sizeof LAYOUT];
  memcpy(buf, LAYOUT, sizeof buf);
  buf[4] = OH_SCRIPT_API_COUNT;
  expect_parse_error(buf, sizeof buf, 1, OH_ERR_MALFORMED, 4, "unknown script api 6");
  expect_parse_error(buf, sizeof buf, 0, OH_ERR_MALFORMED, 4, NULL); /* lenient too */
}

static void test_extra_past_end_fail(void **state) {
  uint8_t buf[sizeof LAYOUT];
  memcpy(buf, LAYOUT, sizeof buf);
  buf[18] = 0xff;
  buf[19] = 0xff;
  expect_parse_error(buf, sizeof buf, 0, OH_ERR_TRUNCATED, 18,
                     "extra_len 65535 exceeds the 29 bytes after the script header");
}

/* An unknown record type or CTL: strict names it, lenient stops before it. */
static void check_bad_record(uint8_t *buf, size_t len, size_t at, const char *words) {
  oh_script s;
  oh_error err;
  expect_parse_error(buf, len, 1, OH_ERR_MALFORMED, at, words);
  assert_int_equal(oh_script_parse(buf, len, 0, &s, &err), OH_OK);
  assert_int_equal(s.parsed_len, at);
  assert_true(s.nrecs > 0 && s.recs[s.nrecs - 1].offset < at);
  oh_script_free(&s);
}

static void test_unknown_record_type_and_ctl_fail(void **state) {
  uint8_t buf[sizeof LAYOUT];
  memcpy(buf, LAYOUT, sizeof buf);
  buf[28] = 'Q';
  check_bad_record(buf, sizeof buf, 28, "record 1: unknown record type 0x51");
  memcpy(buf, LAYOUT, sizeof buf);
  buf[38] = OH_CTL_COUNT;
  check_bad_record(buf, sizeof buf, 37, "record 3: 'C' record: unknown ctl 11");
}

/* ---- limits ---------------------------------------------------------------- */

/* A script of n loss records (3 bytes each), written by hand. */
static uint8_t *losses(size_t n, size_t *len) {
  uint8_t *buf = calloc(1, OH_SCRIPT_HEADER_LEN + 3 * n);
  size_t i;
  assert_non_null(buf);
  memcpy(buf, LAYOUT, OH_SCRIPT_HEADER_LEN);
  buf[4] = OH_SCRIPT_DECODER;
  buf[19] = 0; /* no extra */
  for (i = 0; i < n; i++) {
    buf[OH_SCRIPT_HEADER_LEN + 3 * i] = 'L';
    buf[OH_SCRIPT_HEADER_LEN + 3 * i + 2] = (uint8_t)i;
  }
  *len = OH_SCRIPT_HEADER_LEN + 3 * n;
  return buf;
}

static void test_record_limit(void **state) {
  size_t len;
  uint8_t *buf = losses(OH_SCRIPT_MAX_RECORDS + 1, &len), out[16];
  oh_script s;
  oh_error err;
  size_t past = OH_SCRIPT_HEADER_LEN + 3 * OH_SCRIPT_MAX_RECORDS;
  oh_script_record extra = packet_rec(OH_SREC_LOSS, 1, 0, NULL);
  assert_int_equal(oh_script_parse(buf, len - 3, 1, &s, &err), OH_OK); /* exactly at it */
  assert_int_equal(s.nrecs, OH_SCRIPT_MAX_RECORDS);
  assert_int_equal(oh_script_append(&s, &extra), OH_ERR_LIMIT);
  assert_int_equal(s.nrecs, OH_SCRIPT_MAX_RECORDS);
  oh_script_free(&s);
  expect_parse_error(buf, len, 1, OH_ERR_LIMIT, past, "more than 4096 records");
  assert_int_equal(oh_script_parse(buf, len, 0, &s, &err), OH_OK);
  assert_int_equal(s.nrecs, OH_SCRIPT_MAX_RECORDS);
  assert_int_equal(s.parsed_len, past);
  s.nrecs = OH_SCRIPT_MAX_RECORDS + 1; /* a caller that went around append */
  assert_int_equal(oh_script_write(&s, out, sizeof out, &err), OH_ERR_LIMIT);
  s.nrecs = OH_SCRIPT_MAX_RECORDS;
  oh_script_free(&s);
  free(buf);
}

/* The widest fields the layout holds round-trip; one more is refused. */
static void test_widest_fields_round_trip(void **state) {
  oh_script s, back;
  oh_script_header h = header(OH_SCRIPT_CUSTOM, UINT32_MAX, 255, 65535);
  oh_error err;
  size_t len;
  uint8_t *buf;
  h.flags = h.streams = h.coupled = h.family = 255;
  h.custom_frame = 65535;
  h.extra = pool;
  h.extra_len = OH_SCRIPT_MAX_EXTRA;
  oh_script_init(&s, &h);
  append(&s, packet_rec(OH_SREC_PACKET, 0, 65535, pool));
  append(&s, packet_rec(OH_SREC_FEC, 65535, 65535, pool + 1));
  append(&s, ctl_rec(OH_CTL_COUNT - 1, INT32_MIN));
  append(&s, recreate_rec(UINT32_MAX, 255));
  buf = write_all(&s, &len);
  assert_int_equal(oh_script_parse(buf, len, 1, &back, &err), OH_OK);
  s.recs[0].offset = OH_SCRIPT_HEADER_LEN + OH_SCRIPT_MAX_EXTRA;
  s.recs[1].offset = s.recs[0].offset + 3 + 65535;
  s.recs[2].offset = s.recs[1].offset + 5 + 65535;
  s.recs[3].offset = s.recs[2].offset + 6;
  expect_same_script(&s, &back);
  oh_script_free(&back);
  oh_script_free(&s);
  free(buf);
}

static void expect_write_refused(const oh_script *s, int code, const char *words) {
  uint8_t out[256];
  oh_error err;
  long rc;
  memset(out, 0xaa, sizeof out);
  rc = oh_script_write(s, out, sizeof out, &err);
  if (rc != code) fail_msg("write returned %ld, want %d (%s)", rc, code, err.reason);
  if (!strstr(err.reason, words)) fail_msg("reason '%s' lacks '%s'", err.reason, words);
  assert_int_equal(out[0], 0xaa); /* nothing written */
}

/* Breaks one field of an every_type script (case i of 12); returns the
 * words the writer's refusal must contain. */
static const char *break_one_field(oh_script *s, int i) {
  switch (i) {
  case 0: s->h.api = OH_SCRIPT_API_COUNT; return "api 6";
  case 1: s->h.channels = 256; return "channels 256";
  case 2: s->h.flags = -1; return "flags -1";
  case 3: s->h.frame_size = 65536; return "frame_size 65536";
  case 4: s->h.extra = NULL; return "no data";
  case 5: s->recs[0].len = 65536; return "record 0: packet of 65536";
  case 6: s->recs[1].frame_size = -1; return "record 1: frame_size -1";
  case 7: s->recs[3].ctl = OH_CTL_COUNT; return "record 3: unknown ctl";
  case 8: s->recs[4].channels = 256; return "record 4: channels 256";
  case 9: s->recs[5].type = 'X'; return "record 5: unknown type";
  case 10:
    s->body = pool;
    s->body_len = 4;
    return "only a pipeline script carries a body";
  default: s->h.api = OH_SCRIPT_PIPELINE; return "not 6 records";
  }
}

static void test_write_refuses_what_cannot_be_read_back(void **state) {
  oh_script s;
  int i;
  for (i = 0; i < 12; i++) {
    const char *words;
    every_type(&s, OH_SCRIPT_DECODER);
    words = break_one_field(&s, i);
    expect_write_refused(&s, OH_ERR_ARG, words);
    oh_script_free(&s);
  }
}

static void test_write_needs_room(void **state) {
  oh_script s;
  oh_error err;
  uint8_t out[64];
  every_type(&s, OH_SCRIPT_DECODER);
  assert_int_equal(oh_script_write(&s, out, oh_script_size(&s) - 1, &err), OH_ERR_LIMIT);
  assert_int_equal(oh_script_write(&s, NULL, 0, &err), OH_ERR_LIMIT);
  assert_int_equal(oh_script_write(&s, out, oh_script_size(&s), &err), oh_script_size(&s));
  assert_int_equal(oh_script_write(NULL, out, sizeof out, &err), OH_ERR_ARG);
  oh_script_free(&s);
}

/* ---- garbage --------------------------------------------------------------- */

static int within(const uint8_t *p, size_t n, const uint8_t *buf, size_t len) {
  return !n || (p >= buf && p + n <= buf + len);
}

/* What must hold for any bytes: both modes agree on the header, lenient
 * keeps strict's records up to strict's error, records lie inside buf, and
 * whatever parsed writes back as the very bytes it came from. */
static void check_any_bytes(const uint8_t *buf, size_t len) {
  oh_script_header h;
  oh_script st, le;
  oh_error eh, es, el;
  size_t body, i, wlen;
  int rh = oh_script_read_header(buf, len, &h, &body, &eh);
  int rs = oh_script_parse(buf, len, 1, &st, &es);
  int rl = oh_script_parse(buf, len, 0, &le, &el);
  uint8_t *again;
  if (rh != OH_OK) {
    assert_int_equal(rs, rh);
    assert_int_equal(rl, rh);
    assert_int_equal(es.offset, eh.offset);
    assert_true(eh.offset == 0 || eh.offset == 4 || eh.offset == 18);
    return;
  }
  assert_int_equal(rl, OH_OK);
  assert_int_equal(le.parsed_len, rs == OH_OK ? len : es.offset);
  if (rs != OH_OK) assert_true(es.offset >= body && es.offset < len);
  if (rs == OH_OK) assert_int_equal(st.nrecs, le.nrecs);
  assert_true(le.nrecs <= OH_SCRIPT_MAX_RECORDS);
  for (i = 0; i < le.nrecs; i++) assert_true(within(le.recs[i].data, le.recs[i].len, buf, len));
  assert_true(within(le.body, le.body_len, buf, len));
  again = write_all(&le, &wlen);
  assert_int_equal(wlen, le.parsed_len);
  assert_memory_equal(again, buf, wlen);
  free(again);
  oh_script_free(&st);
  oh_script_free(&le);
}

static void check_reader_any_bytes(const uint8_t *buf, size_t len);

static void check_guarded(const uint8_t *data, size_t len) {
  const uint8_t *buf = oh_test_guarded(data, len);
  check_any_bytes(buf, len);
  check_reader_any_bytes(buf, len);
}

/* Random bytes behind a valid magic and a known api, so most cases reach
 * the records; record type bytes are made likely. */
static size_t random_input(oh_test_rng *rng, uint8_t *buf, size_t cap) {
  static const uint8_t likely[] = {'P', 'L', 'F', 'C', 'R', 0, 1, 0xff};
  size_t len = oh_test_rng_below(rng, (uint32_t)cap + 1), i;
  for (i = 0; i < len; i++)
    buf[i] = oh_test_rng_below(rng, 2) ? likely[oh_test_rng_below(rng, sizeof likely)]
                                       : (uint8_t)oh_test_rng_next(rng);
  if (len >= OH_SCRIPT_HEADER_LEN && oh_test_rng_below(rng, 8)) {
    memcpy(buf, OH_SCRIPT_MAGIC, 4);
    buf[4] = (uint8_t)oh_test_rng_below(rng, OH_SCRIPT_API_COUNT + 1);
    buf[18] = 0;
    buf[19] = (uint8_t)oh_test_rng_below(rng, 16);
  }
  return len;
}

static void test_random_bytes(void **state) {
  static uint8_t buf[600];
  oh_test_rng rng;
  long i, n = oh_test_iterations(100000);
  oh_test_rng_init(&rng, 2, "script random bytes");
  for (i = 0; i < n; i++) check_guarded(buf, random_input(&rng, buf, sizeof buf));
}

/* A valid script written out, for the mutation tests to damage. */
static uint8_t *random_written(oh_test_rng *rng, size_t *len) {
  oh_script s;
  uint8_t *buf;
  random_script(rng, (int)oh_test_rng_below(rng, OH_SCRIPT_API_COUNT), &s);
  buf = write_all(&s, len);
  oh_script_free(&s);
  if (*len > OH_TEST_GUARD_SPAN) *len = OH_TEST_GUARD_SPAN;
  return buf;
}

static void test_bit_flipped_scripts(void **state) {
  oh_test_rng rng;
  long i, n = oh_test_iterations(30000);
  oh_test_rng_init(&rng, 3, "script bit flips");
  for (i = 0; i < n; i++) {
    size_t len, flips = 1 + oh_test_rng_below(&rng, 8), f;
    uint8_t *buf = random_written(&rng, &len);
    for (f = 0; f < flips; f++) {
      size_t bit = oh_test_rng_below(&rng, (uint32_t)(len * 8));
      buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    check_guarded(buf, len);
    free(buf);
  }
}

/* Records cut out or repeated at any byte: later records are misaligned,
 * so their lengths and types come from the middle of other fields. */
static void test_spliced_scripts(void **state) {
  oh_test_rng rng;
  long i, n = oh_test_iterations(30000);
  oh_test_rng_init(&rng, 4, "script splices");
  for (i = 0; i < n; i++) {
    size_t len, from, span;
    uint8_t *buf = random_written(&rng, &len), *out = malloc(2 * len + 1);
    assert_non_null(out);
    from = oh_test_rng_below(&rng, (uint32_t)len + 1);
    span = oh_test_rng_below(&rng, (uint32_t)(len - from) + 1);
    memcpy(out, buf, from + span);
    if (oh_test_rng_below(&rng, 2)) { /* repeat buf[from..from+span) */
      memcpy(out + from + span, buf + from, len - from);
      len += span;
    } else { /* cut it */
      memmove(out + from, buf + from + span, len - from - span);
      len -= span;
    }
    check_guarded(out, len > OH_TEST_GUARD_SPAN ? OH_TEST_GUARD_SPAN : len);
    free(out);
    free(buf);
  }
}

/* ---- the script and raw readers ----------------------------------------- */

static void record_inside(const oh_record *rec, const uint8_t *buf, size_t len) {
  assert_true(rec->offset < len);
  assert_true(within(rec->data, rec->len, buf, len));
  if (rec->lost) assert_null(rec->data);
  else assert_non_null(rec->data);
}

static size_t handed_out(const oh_script *s) {
  size_t i, n = 0;
  for (i = 0; i < s->nrecs; i++)
    n += s->recs[i].type != OH_SREC_CTL && s->recs[i].type != OH_SREC_RECREATE;
  return n;
}

/* The reader must agree with the parser: the same header error, the same
 * packets, and strict parsing's error as its end. A pipeline body must
 * read as lp16be does from the body on. */
static void check_reader_any_bytes(const uint8_t *buf, size_t len) {
  oh_script st, le;
  oh_error es, el;
  oh_test_run run, lp;
  oh_reader_options opt;
  int rs = oh_script_parse(buf, len, 1, &st, &es);
  int rl = oh_script_parse(buf, len, 0, &le, &el);
  int rc = oh_test_run_reader(OH_FMT_SCRIPT, buf, len, NULL, record_inside, &run);
  if (rl != OH_OK) {
    assert_int_equal(rc, rl);
    assert_int_equal(run.err.offset, el.offset);
  } else if (le.h.api == OH_SCRIPT_PIPELINE) {
    oh_reader_options_init(&opt);
    opt.header_skip = len - le.body_len;
    oh_test_run_reader(OH_FMT_LP16BE, buf, len, &opt, NULL, &lp);
    assert_int_equal(run.n, lp.n);
    assert_int_equal(run.end, lp.end);
    assert_int_equal(run.err.offset, lp.err.offset);
    oh_test_run_free(&lp);
  } else {
    assert_int_equal(run.n, handed_out(&le));
    assert_int_equal(rc, rs == OH_OK ? 0 : rs);
    if (rs != OH_OK) assert_int_equal(run.err.offset, es.offset);
  }
  assert_int_equal(oh_format_detect(buf, len, NULL, 0) == OH_FMT_SCRIPT,
                   len >= 4 && memcmp(buf, OH_SCRIPT_MAGIC, 4) == 0);
  oh_test_run_free(&run);
  oh_script_free(&st);
  oh_script_free(&le);
}

static void expect_record(const oh_test_run *run, size_t i, uint64_t offset, size_t len,
                          int lost, int fec, int frame_size) {
  const oh_record *r = &run->v[i].rec;
  assert_true(i < run->n);
  if (r->index != i || r->offset != offset || r->len != len || r->lost != lost ||
      r->fec != fec || r->frame_size != frame_size)
    fail_msg("record %zu: index %llu offset %llu len %zu lost %d fec %d frame_size %d", i,
             (unsigned long long)r->index, (unsigned long long)r->offset, r->len, r->lost,
             r->fec, r->frame_size);
}

/* LAYOUT read as a stream: P, L and F are handed out in order, C and R
 * skipped; the header fills the stream info. */
static void test_reader_hands_out_packets_losses_and_fec(void **state) {
  oh_test_run run;
  assert_int_equal(
      oh_test_run_reader(OH_FMT_AUTO, LAYOUT, sizeof LAYOUT, NULL, record_inside, &run), 0);
  assert_int_equal(run.n, 3);
  expect_record(&run, 0, 23, 2, 0, 0, 0);
  assert_memory_equal(run.v[0].bytes, LAYOUT + 26, 2);
  expect_record(&run, 1, 28, 0, 1, 0, 480);
  expect_record(&run, 2, 31, 1, 0, 1, 960);
  assert_int_equal(run.v[2].bytes[0], 0x78);
  assert_false(run.v[0].rec.has_final_range);
  assert_string_equal(run.describe,
                      "script api=multistream rate=48000 channels=3 frame_size=960 records=5 "
                      "[detected: script: \"OHS1\" stream script magic]");
  assert_int_equal(run.info.known, 1);
  assert_int_equal(run.info.channels, 3);
  assert_int_equal(run.info.input_rate, 48000);
  assert_int_equal(run.info.mapping_family, 1);
  assert_int_equal(run.info.stream_count, 2);
  assert_int_equal(run.info.coupled_count, 1);
  assert_memory_equal(run.info.mapping, LAYOUT + 20, 3);
  oh_test_run_free(&run);
}

/* Packet index counts handed-out records only; an empty 'P' is a loss. */
static void test_reader_index_skips_ctl_and_recreate(void **state) {
  oh_script s;
  oh_test_run run;
  size_t len;
  uint8_t *buf;
  every_type(&s, OH_SCRIPT_DECODER);
  s.h.frame_size = 0;
  buf = write_all(&s, &len);
  assert_int_equal(oh_test_run_reader(OH_FMT_SCRIPT, buf, len, NULL, record_inside, &run), 0);
  assert_int_equal(run.n, 4);
  expect_record(&run, 0, 23, 5, 0, 0, 0);
  expect_record(&run, 1, 31, 0, 1, 0, 480);
  expect_record(&run, 2, 34, 3, 0, 1, 960);
  expect_record(&run, 3, 54, 0, 1, 0, 0); /* after C at 42 and R at 48 */
  assert_string_equal(run.describe,
                      "script api=decoder rate=48000 channels=2 frame_size=120ms(5760) records=6");
  assert_int_equal(run.info.mapping_family, 0);
  assert_int_equal(run.info.stream_count, 1);
  assert_int_equal(run.info.coupled_count, 1);
  oh_test_run_free(&run);
  free(buf);
  oh_script_free(&s);
}

static void test_reader_reports_a_bad_record_after_the_good_ones(void **state) {
  uint8_t buf[sizeof LAYOUT];
  oh_test_run run;
  memcpy(buf, LAYOUT, sizeof buf);
  buf[43] = 'Z'; /* the 'R' record */
  assert_int_equal(oh_test_run_reader(OH_FMT_SCRIPT, buf, sizeof buf, NULL, NULL, &run),
                   OH_ERR_MALFORMED);
  assert_int_equal(run.n, 3);
  assert_int_equal(run.err.offset, 43);
  assert_string_equal(run.err.reason, "script record 4: unknown record type 0x5a");
  assert_non_null(strstr(run.describe, "records=4, then a bad record at offset 43"));
  oh_test_run_free(&run);
}

static void test_reader_header_errors_fail_open(void **state) {
  oh_reader *r = (oh_reader *)1;
  oh_error err;
  uint8_t buf[sizeof LAYOUT];
  memcpy(buf, LAYOUT, sizeof buf);
  assert_int_equal(oh_reader_open(&r, OH_FMT_SCRIPT, buf, 10, NULL, &err), OH_ERR_TRUNCATED);
  assert_null(r);
  assert_int_equal(err.offset, 0);
  buf[4] = 200;
  assert_int_equal(oh_reader_open(&r, OH_FMT_AUTO, buf, sizeof buf, NULL, &err), OH_ERR_MALFORMED);
  assert_int_equal(err.offset, 4);
  assert_int_equal(oh_reader_open(&r, OH_FMT_SCRIPT, (const uint8_t *)"OggS", 4, NULL, &err),
                   OH_ERR_MALFORMED);
}

static void test_reader_packet_limit_and_record_limit(void **state) {
  oh_reader_options opt;
  oh_test_run run;
  size_t len;
  uint8_t *buf = losses(OH_SCRIPT_MAX_RECORDS + 1, &len);
  oh_reader_options_init(&opt);
  opt.max_packet_len = 1;
  assert_int_equal(oh_test_run_reader(OH_FMT_SCRIPT, LAYOUT, sizeof LAYOUT, &opt, NULL, &run),
                   OH_ERR_LIMIT);
  assert_int_equal(run.n, 0);
  assert_int_equal(run.err.offset, 23);
  oh_test_run_free(&run);
  assert_int_equal(oh_test_run_reader(OH_FMT_SCRIPT, buf, len, NULL, NULL, &run), OH_ERR_LIMIT);
  assert_int_equal(run.n, OH_SCRIPT_MAX_RECORDS);
  assert_int_equal(run.err.offset, OH_SCRIPT_HEADER_LEN + 3 * OH_SCRIPT_MAX_RECORDS);
  assert_non_null(strstr(run.describe, "records>4096"));
  oh_test_run_free(&run);
  free(buf);
}

/* Pipeline: the body's u16be records, offsets in the whole file, and the
 * body reader's truncation error where the body breaks. */
static void test_reader_pipeline_body(void **state) {
  static const uint8_t in[] = {'O', 'H', 'S', '1', 5, 0, 2, 0, 0, 3, 0, 0, 0xbb, 0x80,
                               0x03, 0xc0, 0, 0, 0, 5, 0, 0, 7, 0x80, 1,
                               0x00, 0x02, 0xfc, 0xfd, 0x00, 0x00, 0x00, 0x01, 0xf8,
                               0x01, 0x00, 0xaa};
  oh_test_run run;
  assert_int_equal(oh_test_run_reader(OH_FMT_AUTO, in, sizeof in, NULL, record_inside, &run),
                   OH_ERR_TRUNCATED);
  assert_int_equal(run.n, 3);
  expect_record(&run, 0, 25, 2, 0, 0, 0);
  assert_memory_equal(run.v[0].bytes, in + 27, 2);
  expect_record(&run, 1, 29, 0, 1, 0, 0); /* an empty message: lost */
  expect_record(&run, 2, 31, 1, 0, 0, 0);
  assert_int_equal(run.err.offset, 34);
  assert_string_equal(run.err.reason, "record 3: length prefix 256 exceeds the 1 bytes left");
  assert_non_null(strstr(run.describe, "script api=pipeline rate=48000 channels=2 "
                                       "frame_size=960 model=3 body=12 bytes"));
  assert_int_equal(run.info.known, 1);
  assert_int_equal(run.info.mapping_family, 0); /* 3 is the model, not a mapping */
  oh_test_run_free(&run);
}

static void test_raw_is_one_packet(void **state) {
  static const uint8_t pkt[] = {0xfc, 1, 2, 3};
  oh_test_run run;
  oh_reader_options opt;
  assert_int_equal(oh_test_run_reader(OH_FMT_RAW, pkt, sizeof pkt, NULL, record_inside, &run), 0);
  assert_int_equal(run.n, 1);
  expect_record(&run, 0, 0, 4, 0, 0, 0);
  assert_ptr_not_equal(run.v[0].bytes, pkt);
  assert_memory_equal(run.v[0].bytes, pkt, 4);
  assert_string_equal(run.describe, "raw: the whole input (4 bytes) is one packet");
  assert_int_equal(run.info.known, 0);
  oh_test_run_free(&run);
  assert_int_equal(oh_test_run_reader(OH_FMT_RAW, NULL, 0, NULL, NULL, &run), 0);
  assert_int_equal(run.n, 1);
  assert_true(run.v[0].rec.lost);
  oh_test_run_free(&run);
  oh_reader_options_init(&opt);
  opt.max_packet_len = 3;
  assert_int_equal(oh_test_run_reader(OH_FMT_RAW, pkt, sizeof pkt, &opt, NULL, &run), OH_ERR_LIMIT);
  assert_int_equal(run.n, 0);
  assert_int_equal(run.err.offset, 0);
  oh_test_run_free(&run);
}

static void test_format_names_and_detection(void **state) {
  oh_format f;
  char why[256];
  assert_int_equal(OH_FMT_LOG, 8); /* older values keep their numbers */
  assert_int_equal(OH_FMT_SCRIPT, 9);
  assert_int_equal(OH_FMT_RAW, 10);
  assert_string_equal(oh_format_name(OH_FMT_SCRIPT), "script");
  assert_string_equal(oh_format_name(OH_FMT_RAW), "raw");
  assert_int_equal(oh_format_from_name("script", &f), OH_OK);
  assert_int_equal(f, OH_FMT_SCRIPT);
  assert_int_equal(oh_format_from_name("RAW", &f), OH_OK);
  assert_int_equal(f, OH_FMT_RAW);
  assert_int_equal(oh_format_detect((const uint8_t *)"OHS1", 4, why, sizeof why), OH_FMT_SCRIPT);
  assert_int_equal(oh_format_detect((const uint8_t *)"OHS", 3, why, sizeof why), OH_FMT_AUTO);
  /* A raw packet is never taken for raw: it is what it looks like, or nothing. */
  assert_int_equal(oh_format_detect((const uint8_t *)"\xfc\x01\x02", 3, why, sizeof why),
                   OH_FMT_AUTO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_api_and_ctl_names),
      cmocka_unit_test(test_frame_size_defaults_to_120ms),
      cmocka_unit_test(test_frame_size_of_each_record_type),
      cmocka_unit_test(test_layout_matches_the_header_comment),
      cmocka_unit_test(test_pipeline_body_is_the_rest),
      cmocka_unit_test(test_random_scripts_round_trip),
      cmocka_unit_test(test_truncation_at_every_byte),
      cmocka_unit_test(test_bad_magic_fail),
      cmocka_unit_test(test_unknown_api_fail),
      cmocka_unit_test(test_extra_past_end_fail),
      cmocka_unit_test(test_unknown_record_type_and_ctl_fail),
      cmocka_unit_test(test_record_limit),
      cmocka_unit_test(test_widest_fields_round_trip),
      cmocka_unit_test(test_write_refuses_what_cannot_be_read_back),
      cmocka_unit_test(test_write_needs_room),
      cmocka_unit_test(test_random_bytes),
      cmocka_unit_test(test_bit_flipped_scripts),
      cmocka_unit_test(test_spliced_scripts),
      cmocka_unit_test(test_reader_hands_out_packets_losses_and_fec),
      cmocka_unit_test(test_reader_index_skips_ctl_and_recreate),
      cmocka_unit_test(test_reader_reports_a_bad_record_after_the_good_ones),
      cmocka_unit_test(test_reader_header_errors_fail_open),
      cmocka_unit_test(test_reader_packet_limit_and_record_limit),
      cmocka_unit_test(test_reader_pipeline_body),
      cmocka_unit_test(test_raw_is_one_packet),
      cmocka_unit_test(test_format_names_and_detection),
  };
  fill_pool();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
