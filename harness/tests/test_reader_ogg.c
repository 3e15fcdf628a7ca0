/* Tests for the Ogg Opus reader: the opusenc samples under corpus/samples
 * (OpusHead fields, packet counts, granules, chained and multiplexed
 * streams), a cross-check against independent implementations (libogg's
 * packets and libopusfile's decoded audio through the ogg_reference helper,
 * opusinfo's summary), every error path with its code and offset, packets
 * spanning pages from a small test-only page writer, and truncation at every
 * length plus CRC-repaired mutations (never a crash, always an end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opus_multistream.h>

#include "opushunt/reader.h"
#include "test_util.h"

/* ---- Running the reader ------------------------------------------------- */

typedef oh_test_run run;

/* What every Ogg record must satisfy. */
static void check_record(const oh_record *rec, const uint8_t *buf, size_t len) {
  assert_non_null(rec->data);
}

static int run_reader(const uint8_t *buf, size_t len,
                      const oh_reader_options *opt, run *out) {
  return oh_test_run_reader(OH_FMT_OGG, buf, len, opt, check_record, out);
}

static void run_free(run *rn) { oh_test_run_free(rn); }

static uint8_t *sample(const char *name, size_t *len) { return oh_test_sample(name, len); }

static oh_reader_options serial_opt(uint32_t serial) {
  oh_reader_options opt;
  oh_reader_options_init(&opt);
  opt.ogg_serial_set = 1;
  opt.ogg_serial = serial;
  return opt;
}

/* Asserts the whole read ends in error code at offset. */
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

/* ---- Test-only Ogg page tools ------------------------------------------- */

static uint32_t crc_ogg(const uint8_t *p, size_t n) {
  uint32_t c = 0;
  for (size_t i = 0; i < n; i++) {
    c ^= (uint32_t)p[i] << 24;
    for (int k = 0; k < 8; k++)
      c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
  }
  return c;
}

static size_t page_size_at(const uint8_t *b, size_t len, size_t off) {
  size_t n, body = 0;
  if (len - off < 27 || memcmp(b + off, "OggS", 4) != 0) return 0;
  n = b[off + 26];
  if (len - off < 27 + n) return 0;
  for (size_t i = 0; i < n; i++) body += b[off + 27 + i];
  return len - off < 27 + n + body ? 0 : 27 + n + body;
}

/* Recomputes the CRC of the page at off after a test changed it. */
static void fix_crc(uint8_t *b, size_t len, size_t off) {
  size_t size = page_size_at(b, len, off);
  uint32_t c;
  if (!size) return;
  memset(b + off + 22, 0, 4);
  c = crc_ogg(b + off, size);
  for (int i = 0; i < 4; i++) b[off + 22 + i] = (uint8_t)(c >> (8 * i));
}

static size_t page_offsets(const uint8_t *b, size_t len, size_t *offs,
                           size_t max) {
  size_t n = 0, off = 0, size;
  while (n < max && off < len && (size = page_size_at(b, len, off)) != 0) {
    offs[n++] = off;
    off += size;
  }
  return n;
}

/* A page writer like libogg's: at most max_segs lacing values per page,
 * splitting packets across pages with the continued flag. */
typedef struct ogg_w {
  uint8_t *out;
  size_t n, cap;
  uint32_t serial, seq;
  int max_segs, nlac, bos, cont;
  uint8_t lac[255];
  uint8_t body[255 * 255];
  size_t blen;
  int64_t granule;
} ogg_w;

static ogg_w *w_new(uint32_t serial, int max_segs) {
  ogg_w *w = calloc(1, sizeof *w);
  assert_non_null(w);
  w->serial = serial;
  w->max_segs = max_segs;
  w->bos = 1;
  w->granule = -1;
  return w;
}

static void w_put(ogg_w *w, const void *d, size_t n) {
  if (w->n + n > w->cap) {
    w->cap = (w->n + n) * 2;
    w->out = realloc(w->out, w->cap);
    assert_non_null(w->out);
  }
  memcpy(w->out + w->n, d, n);
  w->n += n;
}

static void w_flush(ogg_w *w, int eos) {
  uint8_t h[27] = {'O', 'g', 'g', 'S', 0};
  size_t start = w->n;
  h[5] = (uint8_t)((w->cont ? 1 : 0) | (w->bos ? 2 : 0) | (eos ? 4 : 0));
  for (int i = 0; i < 8; i++) h[6 + i] = (uint8_t)((uint64_t)w->granule >> (8 * i));
  for (int i = 0; i < 4; i++) h[14 + i] = (uint8_t)(w->serial >> (8 * i));
  for (int i = 0; i < 4; i++) h[18 + i] = (uint8_t)(w->seq >> (8 * i));
  h[26] = (uint8_t)w->nlac;
  w_put(w, h, 27);
  w_put(w, w->lac, (size_t)w->nlac);
  w_put(w, w->body, w->blen);
  fix_crc(w->out, w->n, start);
  w->seq++;
  w->nlac = 0;
  w->blen = 0;
  w->bos = 0;
  w->cont = 0;
  w->granule = -1;
}

static void w_packet(ogg_w *w, const uint8_t *d, size_t len, int64_t granule) {
  size_t done = 0;
  int first = 1;
  for (;;) {
    size_t v = len - done > 255 ? 255 : len - done;
    if (w->nlac == w->max_segs) {
      w_flush(w, 0);
      w->cont = !first;
    }
    w->lac[w->nlac++] = (uint8_t)v;
    memcpy(w->body + w->blen, d + done, v);
    w->blen += v;
    done += v;
    first = 0;
    if (v < 255) break;
  }
  w->granule = granule;
}

static size_t opus_head(uint8_t *h, int version, int ch, int family,
                        int streams, int coupled, const uint8_t *map) {
  memset(h, 0, 21 + 255);
  memcpy(h, "OpusHead", 8);
  h[8] = (uint8_t)version;
  h[9] = (uint8_t)ch;
  h[10] = 0x38; /* pre-skip 312 */
  h[11] = 0x01;
  h[12] = 0x80; /* 48000 Hz */
  h[13] = 0xbb;
  h[18] = (uint8_t)family;
  if (family == 0) return 19;
  h[19] = (uint8_t)streams;
  h[20] = (uint8_t)coupled;
  memcpy(h + 21, map, (size_t)ch);
  return 21 + (size_t)ch;
}

static void w_headers(ogg_w *w, const uint8_t *head, size_t head_len) {
  static const uint8_t tags[] = "OpusTags\x04\0\0\0test\0\0\0\0";
  w_packet(w, head, head_len, 0);
  w_flush(w, 0);
  w_packet(w, tags, sizeof tags - 1, 0);
  w_flush(w, 0);
}

static void fill(uint8_t *d, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(seed * 31 + i * 7);
}

/* Stereo stream: packets of the given lengths, 960 samples each. */
static ogg_w *w_stream(uint32_t serial, int max_segs, const size_t *lens,
                       int n, int eos) {
  uint8_t head[300], pkt[2000];
  ogg_w *w = w_new(serial, max_segs);
  w_headers(w, head, opus_head(head, 1, 2, 0, 0, 0, NULL));
  for (int i = 0; i < n; i++) {
    fill(pkt, lens[i], (unsigned)i);
    w_packet(w, pkt, lens[i], 312 + 960 * (int64_t)(i + 1));
  }
  if (w->nlac || eos) w_flush(w, eos);
  return w;
}

static void w_free(ogg_w *w) {
  free(w->out);
  free(w);
}

/* ---- Samples ------------------------------------------------------------ */

static void test_sine_stereo_fields_and_packets(void **state) {
  size_t len, offs[8];
  uint8_t *buf = sample("sine-stereo-48k-20ms.opus", &len);
  run rn;
  int stamped = 0;
  assert_int_equal(page_offsets(buf, len, offs, 8), 4);
  assert_int_equal(run_reader(buf, len, NULL, &rn), 0);
  assert_int_equal(rn.info.known, 1);
  assert_int_equal(rn.info.channels, 2);
  assert_int_equal(rn.info.pre_skip, 312);
  assert_int_equal(rn.info.input_rate, 48000);
  assert_int_equal(rn.info.output_gain_q8, 0);
  assert_int_equal(rn.info.mapping_family, 0);
  assert_int_equal(rn.info.stream_count, 1);
  assert_int_equal(rn.info.coupled_count, 1);
  assert_int_equal(rn.info.serial, 1001);
  assert_int_equal(rn.info.final_granule, 48000 + 312);
  /* 1 s plus 312 samples of pre-skip: 51 packets of 20 ms. */
  assert_int_equal(rn.n, 51);
  /* opusenc puts 50 packets (1 s) on page 2 and the last one on page 3. */
  assert_int_equal(rn.v[0].rec.offset, offs[2]);
  assert_int_equal(rn.v[49].rec.offset, offs[2]);
  assert_int_equal(rn.v[50].rec.offset, offs[3]);
  for (size_t i = 0; i < rn.n; i++) {
    assert_int_equal(rn.v[i].rec.index, i);
    assert_false(rn.v[i].rec.lost);
    assert_int_equal(opus_packet_get_nb_samples(rn.v[i].bytes,
                                                (opus_int32)rn.v[i].rec.len,
                                                48000), 960);
    stamped += rn.v[i].rec.has_timestamp;
    assert_int_equal(rn.v[i].rec.end_of_stream, i == rn.n - 1);
  }
  /* One granule per audio page, on the last packet it completes. */
  assert_int_equal(stamped, 2);
  assert_true(rn.v[49].rec.has_timestamp);
  assert_int_equal(rn.v[49].rec.timestamp, 48000);
  assert_int_equal(rn.v[50].rec.timestamp, 48312);
  assert_string_equal(rn.describe, "ogg serial 1001: Opus 2 ch, family 0, "
                                   "pre-skip 312, input 48000 Hz");
  run_free(&rn);
  free(buf);
}

static void test_speechlike_mono_16k(void **state) {
  size_t len;
  uint8_t *buf = sample("speechlike-mono-16k-60ms.opus", &len);
  run rn;
  assert_int_equal(run_reader(buf, len, NULL, &rn), 0);
  assert_int_equal(rn.info.channels, 1);
  assert_int_equal(rn.info.input_rate, 16000);
  assert_int_equal(rn.info.coupled_count, 0);
  /* 2 s + pre-skip in 60 ms packets. */
  assert_int_equal(rn.n, (2 * 48000 + rn.info.pre_skip + 2879) / 2880);
  assert_int_equal(opus_packet_get_nb_samples(rn.v[3].bytes,
                                              (opus_int32)rn.v[3].rec.len,
                                              48000), 2880);
  assert_int_equal(rn.info.final_granule, 2 * 48000 + rn.info.pre_skip);
  run_free(&rn);
  free(buf);
}

static void test_surround_family1(void **state) {
  static const uint8_t vorbis51[6] = {0, 4, 1, 2, 3, 5};
  size_t len;
  uint8_t *buf = sample("surround-5.1-48k-20ms.opus", &len);
  run rn;
  assert_int_equal(run_reader(buf, len, NULL, &rn), 0);
  assert_int_equal(rn.info.channels, 6);
  assert_int_equal(rn.info.mapping_family, 1);
  assert_int_equal(rn.info.stream_count, 4);
  assert_int_equal(rn.info.coupled_count, 2);
  assert_memory_equal(rn.info.mapping, vorbis51, 6);
  assert_int_equal(rn.n, (24000 + rn.info.pre_skip + 959) / 960);
  assert_non_null(strstr(rn.describe, "(4 streams, 2 coupled)"));
  run_free(&rn);
  free(buf);
}

static void test_chained_reads_one_link(void **state) {
  size_t len;
  uint8_t *buf = sample("chained-two-links.opus", &len);
  oh_reader_options opt = serial_opt(2002);
  run a, b;
  assert_int_equal(run_reader(buf, len, NULL, &a), 0);
  assert_int_equal(a.info.serial, 2001);
  assert_int_equal(a.info.channels, 2);
  assert_true(a.v[a.n - 1].rec.end_of_stream);
  assert_int_equal(a.info.final_granule, 14400 + 312);
  assert_int_equal(run_reader(buf, len, &opt, &b), 0);
  assert_int_equal(b.info.serial, 2002);
  assert_int_equal(b.info.channels, 1);
  assert_true(b.v[0].rec.offset > a.v[a.n - 1].rec.offset);
  /* 10 ms packets in the second link. */
  assert_int_equal(opus_packet_get_nb_samples(b.v[0].bytes,
                                              (opus_int32)b.v[0].rec.len,
                                              48000), 480);
  run_free(&a);
  run_free(&b);
  free(buf);
}

static void test_multiplexed_picks_each_stream(void **state) {
  size_t len;
  uint8_t *buf = sample("multiplexed-two-streams.opus", &len);
  oh_reader_options opt = serial_opt(3002);
  run a, b;
  assert_int_equal(run_reader(buf, len, NULL, &a), 0);
  assert_int_equal(a.info.serial, 3001);
  assert_int_equal(a.info.channels, 1);
  assert_int_equal(run_reader(buf, len, &opt, &b), 0);
  assert_int_equal(b.info.serial, 3002);
  assert_int_equal(b.info.channels, 2);
  /* 0.4 s in 40 ms packets, plus pre-skip. */
  assert_int_equal(b.n, (19200 + b.info.pre_skip + 1919) / 1920);
  run_free(&a);
  run_free(&b);
  free(buf);
}

static void test_missing_serial_names_serials_fail(void **state) {
  size_t len;
  uint8_t *buf = sample("multiplexed-two-streams.opus", &len);
  oh_reader_options opt = serial_opt(77);
  run rn;
  assert_int_equal(run_reader(buf, len, &opt, &rn), OH_ERR_NOT_FOUND);
  assert_int_equal(rn.err.offset, OH_NO_OFFSET);
  assert_non_null(strstr(rn.err.reason, "3001, 3002"));
  run_free(&rn);
  free(buf);
}

/* ---- Cross-check with libogg, libopusfile and opusinfo ------------------ */

static const char *const xcheck_samples[] = {
    "sine-stereo-48k-20ms.opus", "speechlike-mono-16k-60ms.opus",
    "surround-5.1-48k-20ms.opus", "chained-two-links.opus",
    "multiplexed-two-streams.opus"};

static char *run_command(const char *cmd, int *status) {
  FILE *p = popen(cmd, "r");
  size_t n = 0, cap = 1 << 16;
  char *out = malloc(cap);
  assert_non_null(p);
  assert_non_null(out);
  for (;;) {
    size_t got = fread(out + n, 1, cap - n - 1, p);
    n += got;
    if (got == 0) break;
    if (cap - n < 4096) {
      cap *= 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
  }
  out[n] = '\0';
  *status = pclose(p);
  return out;
}

static int hex_value(char c) {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Compares one reference line "LEN GRANULE EOS HEX" with a record. */
static void compare_line(const char *line, const oh_test_got *g, size_t i) {
  char *end;
  unsigned long plen = strtoul(line, &end, 10);
  long long granule = strtoll(end, &end, 10);
  long eos = strtol(end, &end, 10);
  if (plen != g->rec.len)
    fail_msg("packet %zu: libogg length %lu, reader %zu", i, plen, g->rec.len);
  end++;
  for (size_t k = 0; k < plen; k++)
    if ((uint8_t)(hex_value(end[2 * k]) << 4 | hex_value(end[2 * k + 1])) !=
        g->bytes[k])
      fail_msg("packet %zu: byte %zu differs from libogg", i, k);
  assert_int_equal(g->rec.has_timestamp, granule != -1);
  if (granule != -1) assert_int_equal(g->rec.timestamp, granule);
  assert_int_equal(g->rec.end_of_stream, eos);
}

/* Packet for packet: the reader against libogg on the file at path. */
static void compare_with_libogg(const char *path, int serial_set,
                                uint32_t serial) {
#ifdef OH_OGG_REFERENCE
  char cmd[2048];
  int status;
  size_t len, i = 0, line_no = 0;
  uint8_t *buf = oh_test_read(path, &len);
  oh_reader_options opt = serial_opt(serial);
  run rn;
  assert_int_equal(run_reader(buf, len, serial_set ? &opt : NULL, &rn), 0);
  if (serial_set)
    snprintf(cmd, sizeof cmd, "'%s' packets '%s' %u", OH_OGG_REFERENCE, path,
             serial);
  else
    snprintf(cmd, sizeof cmd, "'%s' packets '%s'", OH_OGG_REFERENCE, path);
  char *out = run_command(cmd, &status), *line = out, *next;
  assert_int_equal(status, 0);
  for (; *line; line = next, line_no++) {
    next = strchr(line, '\n');
    assert_non_null(next);
    *next++ = '\0';
    assert_string_not_equal(line, "hole");
    if (line_no < 2) continue; /* OpusHead and OpusTags */
    assert_true(i < rn.n);
    compare_line(line, &rn.v[i], i);
    i++;
  }
  assert_int_equal(i, rn.n);
  free(out);
  run_free(&rn);
  free(buf);
#else
  (void)path, (void)serial_set, (void)serial;
  skip();
#endif
}

static void test_packets_match_libogg(void **state) {
  char path[1024], rel[256];
  for (size_t k = 0; k < sizeof xcheck_samples / sizeof *xcheck_samples; k++) {
    snprintf(rel, sizeof rel, "corpus/samples/%s", xcheck_samples[k]);
    compare_with_libogg(oh_test_path(rel, path, sizeof path), 0, 0);
  }
  compare_with_libogg(
      oh_test_path("corpus/samples/chained-two-links.opus", path, sizeof path),
      1, 2002);
  compare_with_libogg(oh_test_path("corpus/samples/multiplexed-two-streams.opus",
                                   path, sizeof path),
                      1, 3002);
}

/* Packets spanning pages, a zero-length packet and an empty EOS page, as
 * written by the test page writer, read the same by libogg. */
static void test_spanning_packets_match_libogg(void **state) {
  static const size_t lens[] = {600, 0, 1000, 255, 510, 3, 1275, 254};
  ogg_w *w = w_stream(5, 4, lens, 8, 0);
  w_flush(w, 1);
  char *path = oh_test_tmpfile(w->out, w->n);
  compare_with_libogg(path, 0, 0);
  unlink(path);
  free(path);
  w_free(w);
}

/* Decodes a run with the static libopus, pre-skip and end trimming applied
 * the way RFC 7845 section 4 says; returns interleaved floats. */
static float *decode_run(const run *rn, size_t *frames) {
  const oh_stream_info *in = &rn->info;
  int e, ch = in->channels;
  size_t total = 0, keep;
  float *all = NULL, pcm[5760 * 8];
  OpusMSDecoder *d = opus_multistream_decoder_create(
      48000, ch, in->stream_count, in->coupled_count, in->mapping, &e);
  assert_int_equal(e, OPUS_OK);
  for (size_t i = 0; i < rn->n; i++) {
    int n = opus_multistream_decode_float(d, rn->v[i].bytes,
                                          (opus_int32)rn->v[i].rec.len, pcm,
                                          5760, 0);
    assert_true(n > 0);
    all = realloc(all, (total + (size_t)n) * (size_t)ch * sizeof *all);
    assert_non_null(all);
    memcpy(all + total * (size_t)ch, pcm, (size_t)n * (size_t)ch * sizeof *all);
    total += (size_t)n;
  }
  opus_multistream_decoder_destroy(d);
  assert_true(total >= (size_t)in->pre_skip);
  keep = total - (size_t)in->pre_skip;
  if (in->final_granule >= in->pre_skip &&
      (size_t)(in->final_granule - in->pre_skip) < keep)
    keep = (size_t)(in->final_granule - in->pre_skip);
  memmove(all, all + (size_t)in->pre_skip * (size_t)ch,
          keep * (size_t)ch * sizeof *all);
  *frames = keep;
  return all;
}

static void compare_with_opusfile(const char *name) {
#ifdef OH_OGG_REFERENCE
  char rel[256], path[1024], cmd[2048];
  int status, ch;
  size_t len, ref_len, frames;
  double max_diff = 0;
  snprintf(rel, sizeof rel, "corpus/samples/%s", name);
  oh_test_path(rel, path, sizeof path);
  char *tmp = oh_test_tmpfile("", 0);
  snprintf(cmd, sizeof cmd, "'%s' pcm '%s' '%s'", OH_OGG_REFERENCE, path, tmp);
  char *out = run_command(cmd, &status);
  assert_int_equal(status, 0);
  ch = atoi(out);
  uint8_t *ref = oh_test_read(tmp, &ref_len);
  uint8_t *buf = oh_test_read(path, &len);
  run rn;
  assert_int_equal(run_reader(buf, len, NULL, &rn), 0);
  assert_int_equal(ch, rn.info.channels);
  float *mine = decode_run(&rn, &frames);
  assert_int_equal(ref_len, frames * (size_t)ch * sizeof(float));
  for (size_t i = 0; i < frames * (size_t)ch; i++) {
    float r;
    memcpy(&r, ref + i * sizeof r, sizeof r);
    if (fabs((double)r - mine[i]) > max_diff) max_diff = fabs((double)r - mine[i]);
  }
  /* Same libopus release on both sides, built differently: equal to well
   * below one 16-bit step. */
  fprintf(stderr, "[opusfile] %s: %zu frames x %d ch, max difference %g\n",
          name, frames, ch, max_diff);
  if (max_diff > 1e-5) fail_msg("%s: decoded audio differs by %g", name, max_diff);
  free(mine);
  run_free(&rn);
  free(buf);
  free(ref);
  free(out);
  unlink(tmp);
  free(tmp);
#else
  (void)name;
  skip();
#endif
}

static void test_audio_matches_opusfile(void **state) {
  /* Skipped in quick mode (under Valgrind): this decodes with libopus,
   * which is not the code under test here, and the clang-14 -O2 libopus
   * reads a VLA after releasing it at the end of silk_decode_core, which
   * Valgrind reports as a read below the stack pointer. */
  if (oh_test_quick()) skip();
  for (size_t k = 0; k < sizeof xcheck_samples / sizeof *xcheck_samples; k++)
    compare_with_opusfile(xcheck_samples[k]);
}

static double after(const char *text, const char *key) {
  const char *p = strstr(text, key);
  assert_non_null(p);
  return atof(p + strlen(key));
}

/* opusinfo's summary of single-stream samples against the reader's view. */
static void test_summary_matches_opusinfo(void **state) {
#ifdef OH_OPUSINFO
  for (size_t k = 0; k < 3; k++) {
    char rel[256], path[1024], cmd[2048];
    int status, max = 0, min = 1 << 30;
    size_t len;
    snprintf(rel, sizeof rel, "corpus/samples/%s", xcheck_samples[k]);
    oh_test_path(rel, path, sizeof path);
    snprintf(cmd, sizeof cmd, "'%s' '%s' 2>&1", OH_OPUSINFO, path);
    char *out = run_command(cmd, &status);
    uint8_t *buf = oh_test_read(path, &len);
    run rn;
    assert_int_equal(run_reader(buf, len, NULL, &rn), 0);
    assert_int_equal((int)after(out, "Pre-skip: "), rn.info.pre_skip);
    assert_int_equal((int)after(out, "Channels: "), rn.info.channels);
    for (size_t i = 0; i < rn.n; i++) {
      int s = opus_packet_get_nb_samples(rn.v[i].bytes,
                                         (opus_int32)rn.v[i].rec.len, 48000);
      max = s > max ? s : max;
      min = s < min ? s : min;
    }
    assert_true(fabs(after(out, "Packet duration: ") - max / 48.0) < 0.05);
    assert_true(fabs(after(out, "(avg), ") - min / 48.0) < 0.05);
    const char *pl = strstr(out, "Playback length: ");
    assert_non_null(pl);
    double secs = atof(pl + 17) * 60 + atof(strchr(pl + 17, ':') + 1);
    assert_true(fabs(secs - (rn.info.final_granule - rn.info.pre_skip) /
                                48000.0) < 0.0015);
    run_free(&rn);
    free(buf);
    free(out);
  }
#else
  skip();
#endif
}

/* ---- Error paths -------------------------------------------------------- */

typedef struct mutated {
  uint8_t *buf;
  size_t len;
  size_t off[8];
} mutated;

static mutated sine_copy(void) {
  mutated m;
  m.buf = sample("sine-stereo-48k-20ms.opus", &m.len);
  assert_int_equal(page_offsets(m.buf, m.len, m.off, 8), 4);
  return m;
}

static void test_bad_crc_names_page_fail(void **state) {
  mutated m = sine_copy();
  m.buf[m.off[3] + 100] ^= 0x40;
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[3]);
  m.buf[m.off[3] + 100] ^= 0x40;
  m.buf[40] ^= 1; /* inside OpusHead: open fails */
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, 0);
  free(m.buf);
}

static void test_bad_capture_pattern_fail(void **state) {
  mutated m = sine_copy();
  m.buf[m.off[2] + 3] = 'X';
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[2]);
  m.buf[0] = 'R';
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, 0);
  free(m.buf);
}

static void test_truncated_page_fail(void **state) {
  mutated m = sine_copy();
  expect_error(m.buf, m.off[3] + 100, NULL, OH_ERR_TRUNCATED, m.off[3]);
  expect_error(m.buf, m.off[3] + 20, NULL, OH_ERR_TRUNCATED, m.off[3]);
  expect_error(m.buf, m.off[3] + 2, NULL, OH_ERR_TRUNCATED, m.off[3]);
  expect_error(m.buf, 0, NULL, OH_ERR_TRUNCATED, 0);
  free(m.buf);
}

static void test_page_header_fields_fail(void **state) {
  mutated m = sine_copy();
  m.buf[m.off[2] + 4] = 1; /* stream structure version */
  fix_crc(m.buf, m.len, m.off[2]);
  expect_error(m.buf, m.len, NULL, OH_ERR_UNSUPPORTED, m.off[2] + 4);
  m.buf[m.off[2] + 4] = 0;
  m.buf[m.off[2] + 5] = 0x08; /* reserved flag */
  fix_crc(m.buf, m.len, m.off[2]);
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[2] + 5);
  m.buf[m.off[2] + 5] = 0x01; /* continued, but nothing is open */
  fix_crc(m.buf, m.len, m.off[2]);
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[2] + 5);
  m.buf[m.off[2] + 5] = 0x02; /* a second BOS for the same serial */
  fix_crc(m.buf, m.len, m.off[2]);
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[2]);
  free(m.buf);
}

static void test_page_sequence_gap_fail(void **state) {
  mutated m = sine_copy();
  m.buf[m.off[3] + 18] = 4; /* 3 expected */
  fix_crc(m.buf, m.len, m.off[3]);
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[3] + 18);
  m.buf[m.off[3] + 18] = 2; /* a repeat */
  fix_crc(m.buf, m.len, m.off[3]);
  expect_error(m.buf, m.len, NULL, OH_ERR_MALFORMED, m.off[3] + 18);
  free(m.buf);
}

static void test_packet_limit_fail(void **state) {
  static const size_t lens[] = {100, 2000};
  mutated m = sine_copy();
  oh_reader_options opt;
  oh_reader_options_init(&opt);
  opt.max_packet_len = 50;
  expect_error(m.buf, m.len, &opt, OH_ERR_LIMIT, m.off[2]);
  free(m.buf);
  /* The same limit on a packet gathered across pages. */
  ogg_w *w = w_stream(9, 3, lens, 2, 1);
  assert_int_equal(page_offsets(w->out, w->n, m.off, 8), 5);
  opt.max_packet_len = 1000;
  expect_error(w->out, w->n, &opt, OH_ERR_LIMIT, m.off[2]);
  w_free(w);
}

typedef struct head_case {
  const char *what;
  int version, ch, family, streams, coupled;
  uint8_t map[16];
  int code;
  int field; /* offset of the field in the OpusHead packet */
} head_case;

static void test_bad_opus_head_fail(void **state) {
  static const head_case cases[] = {
      {"version 16", 16, 2, 0, 0, 0, {0}, OH_ERR_UNSUPPORTED, 8},
      {"0 channels", 1, 0, 0, 0, 0, {0}, OH_ERR_MALFORMED, 9},
      {"family 0, 3 channels", 1, 3, 0, 0, 0, {0}, OH_ERR_MALFORMED, 9},
      {"family 1, 9 channels", 1, 9, 1, 5, 4, {0}, OH_ERR_MALFORMED, 9},
      {"family 2, 5 channels", 1, 5, 2, 5, 0, {0}, OH_ERR_MALFORMED, 9},
      {"family 3", 1, 4, 3, 2, 2, {0}, OH_ERR_UNSUPPORTED, 18},
      {"family 7", 1, 2, 7, 1, 1, {0}, OH_ERR_UNSUPPORTED, 18},
      {"0 streams", 1, 2, 1, 0, 0, {0, 1}, OH_ERR_MALFORMED, 19},
      {"coupled > streams", 1, 2, 1, 1, 2, {0, 1}, OH_ERR_MALFORMED, 20},
      {"map out of range", 1, 2, 1, 1, 0, {0, 1}, OH_ERR_MALFORMED, 22},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    const head_case *c = &cases[k];
    uint8_t head[300];
    ogg_w *w = w_new(1, 255);
    w_headers(w, head, opus_head(head, c->version, c->ch, c->family,
                                 c->streams, c->coupled, c->map));
    w_flush(w, 1);
    run rn;
    run_reader(w->out, w->n, NULL, &rn);
    /* The BOS page's body starts at 28: one lacing value. */
    if (rn.end != c->code || rn.err.offset != (uint64_t)(28 + c->field))
      fail_msg("%s: got %d at %llu (%s)", c->what, rn.end,
               (unsigned long long)rn.err.offset, rn.err.reason);
    run_free(&rn);
    w_free(w);
  }
}

static void test_short_opus_head_fail(void **state) {
  uint8_t head[300];
  ogg_w *w = w_new(1, 255);
  opus_head(head, 1, 2, 0, 0, 0, NULL);
  w_headers(w, head, 18);
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, 28);
  w_free(w);
}

/* 255 channels of family 255: the OpusHead needs two lacing values. */
static void test_large_family255_head(void **state) {
  uint8_t head[300], map[255], pkt[3] = {0xfc, 0xff, 0xfe};
  for (int i = 0; i < 255; i++) map[i] = (uint8_t)(i % 3 == 2 ? 255 : i % 3);
  ogg_w *w = w_new(1, 255);
  w_headers(w, head, opus_head(head, 1, 255, 255, 1, 1, map));
  w_packet(w, pkt, 3, 960);
  w_flush(w, 1);
  run rn;
  assert_int_equal(run_reader(w->out, w->n, NULL, &rn), 0);
  assert_int_equal(rn.info.channels, 255);
  assert_int_equal(rn.info.mapping[2], 255);
  assert_int_equal(rn.n, 1);
  run_free(&rn);
  w_free(w);
}

static void test_missing_opus_tags_fail(void **state) {
  uint8_t head[300];
  ogg_w *w = w_new(1, 255);
  w_packet(w, head, opus_head(head, 1, 2, 0, 0, 0, NULL), 0);
  w_flush(w, 0);
  w_packet(w, (const uint8_t *)"OpusTagz\0\0\0\0\0\0\0\0", 16, 0);
  w_flush(w, 1);
  /* Second page at 28 + 19; its body after 27 + 1. */
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, 47 + 28);
  w_free(w);
  w = w_new(1, 255);
  w_packet(w, head, 19, 0);
  w_flush(w, 1);
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, w->n);
  w_free(w);
}

static void test_opus_head_not_alone_fail(void **state) {
  uint8_t head[300];
  ogg_w *w = w_new(1, 255);
  w_packet(w, head, opus_head(head, 1, 2, 0, 0, 0, NULL), 0);
  w_packet(w, (const uint8_t *)"OpusTags\0\0\0\0\0\0\0\0", 16, 0);
  w_flush(w, 1);
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, 0);
  w_free(w);
}

static void test_no_opus_stream_fail(void **state) {
  ogg_w *w = w_new(42, 255);
  w_packet(w, (const uint8_t *)"\x01vorbis\0\0\0\0\0\0\0\0\0\0\0\0\0", 20, 0);
  w_flush(w, 1);
  oh_reader_options opt = serial_opt(42);
  run rn;
  assert_int_equal(run_reader(w->out, w->n, NULL, &rn), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(rn.err.reason, "42"));
  run_free(&rn);
  expect_error(w->out, w->n, &opt, OH_ERR_MALFORMED, 28);
  w_free(w);
}

static void test_spanning_packets(void **state) {
  static const size_t lens[] = {600, 0, 1000, 255, 510, 3};
  size_t offs[16];
  ogg_w *w = w_stream(5, 2, lens, 6, 1);
  uint8_t expect[2000];
  run rn;
  /* Two lacing values a page: [255 255] [90 0] [255 255] [255 235]
   * [255 0] [255 255] [0 3] after the two header pages. */
  assert_int_equal(page_offsets(w->out, w->n, offs, 16), 9);
  assert_int_equal(run_reader(w->out, w->n, NULL, &rn), 0);
  assert_int_equal(rn.n, 6);
  for (size_t i = 0; i < 6; i++) {
    fill(expect, lens[i], (unsigned)i);
    assert_int_equal(rn.v[i].rec.len, lens[i]);
    if (lens[i]) assert_memory_equal(rn.v[i].bytes, expect, lens[i]);
  }
  /* A record's offset is the page where the packet starts; the granule
   * goes to the last packet completed on a page. */
  static const size_t start_page[6] = {2, 3, 4, 6, 7, 8};
  static const int stamped[6] = {0, 1, 1, 1, 0, 1};
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(rn.v[i].rec.offset, offs[start_page[i]]);
    assert_int_equal(rn.v[i].rec.has_timestamp, stamped[i]);
    if (stamped[i])
      assert_int_equal(rn.v[i].rec.timestamp, 312 + 960 * (int64_t)(i + 1));
    assert_int_equal(rn.v[i].rec.end_of_stream, i == 5);
  }
  assert_int_equal(rn.info.final_granule, 312 + 6 * 960);
  run_free(&rn);
  w_free(w);
}

static void test_spanning_packet_broken_fail(void **state) {
  static const size_t lens[] = {600, 20};
  size_t offs[16];
  ogg_w *w = w_stream(5, 2, lens, 2, 1);
  assert_true(page_offsets(w->out, w->n, offs, 16) >= 4);
  /* Cut at the page boundary inside the 600-byte packet. */
  expect_error(w->out, offs[3], NULL, OH_ERR_TRUNCATED, offs[3]);
  /* Drop the continued flag on the page that finishes it. */
  w->out[offs[3] + 5] &= (uint8_t)~1u;
  fix_crc(w->out, w->n, offs[3]);
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, offs[3] + 5);
  w_free(w);
  /* A packet left open on the EOS page. */
  w = w_stream(5, 2, lens, 1, 0);
  page_offsets(w->out, w->n, offs, 16);
  w->out[offs[2] + 5] |= 4;
  fix_crc(w->out, w->n, offs[2]);
  expect_error(w->out, w->n, NULL, OH_ERR_MALFORMED, offs[2]);
  w_free(w);
}

static void test_other_streams_pages_are_checked(void **state) {
  size_t len, offs[8];
  uint8_t *buf = sample("multiplexed-two-streams.opus", &len);
  /* Page 2 belongs to serial 3002; reading 3001 still checks it. */
  assert_int_equal(page_offsets(buf, len, offs, 8), 6);
  buf[offs[3] - 1] ^= 1;
  expect_error(buf, len, NULL, OH_ERR_MALFORMED, offs[2]);
  free(buf);
}

/* ---- Robustness --------------------------------------------------------- */

/* Every prefix ends, cleanly or with an error inside the prefix; the copy
 * is exactly the prefix long so an over-read shows under ASan/Valgrind. */
static void test_truncation_at_every_length(void **state) {
  size_t len, full;
  uint8_t *buf = sample("speechlike-mono-16k-60ms.opus", &len);
  run rn;
  run_reader(buf, len, NULL, &rn);
  full = rn.n;
  run_free(&rn);
  for (size_t cut = 0; cut <= len; cut++) {
    uint8_t *copy = malloc(cut ? cut : 1);
    memcpy(copy, buf, cut);
    run_reader(copy, cut, NULL, &rn);
    assert_true(rn.n <= full);
    if (rn.end != 0) {
      assert_true(rn.err.offset == OH_NO_OFFSET || rn.err.offset <= cut);
      assert_true(rn.end == OH_ERR_TRUNCATED || rn.end == OH_ERR_MALFORMED ||
                  rn.end == OH_ERR_NOT_FOUND);
    }
    assert_true(rn.end != 0 || cut == len || rn.n < full);
    run_free(&rn);
    free(copy);
  }
  free(buf);
}

/* Random byte changes with every page's CRC repaired, so the damage reaches
 * the lacing, flag, sequence and OpusHead logic instead of the CRC check. */
static void test_mutations_with_fixed_crc_end(void **state) {
  size_t len, offs[16];
  uint8_t *orig = sample("multiplexed-two-streams.opus", &len);
  oh_test_rng rng;
  long iters = oh_test_iterations(3000);
  oh_test_rng_init(&rng, 7, "ogg mutations");
  for (long it = 0; it < iters; it++) {
    uint8_t *buf = malloc(len);
    memcpy(buf, orig, len);
    int flips = 1 + (int)oh_test_rng_below(&rng, 4);
    for (int f = 0; f < flips; f++)
      buf[oh_test_rng_below(&rng, (uint32_t)len)] =
          (uint8_t)oh_test_rng_next(&rng);
    size_t np = page_offsets(buf, len, offs, 16);
    for (size_t p = 0; p < np; p++) fix_crc(buf, len, offs[p]);
    run rn;
    run_reader(buf, len, NULL, &rn);
    assert_true(rn.end <= 0);
    run_free(&rn);
    free(buf);
  }
  free(orig);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sine_stereo_fields_and_packets),
      cmocka_unit_test(test_speechlike_mono_16k),
      cmocka_unit_test(test_surround_family1),
      cmocka_unit_test(test_chained_reads_one_link),
      cmocka_unit_test(test_multiplexed_picks_each_stream),
      cmocka_unit_test(test_missing_serial_names_serials_fail),
      cmocka_unit_test(test_packets_match_libogg),
      cmocka_unit_test(test_spanning_packets_match_libogg),
      cmocka_unit_test(test_audio_matches_opusfile),
      cmocka_unit_test(test_summary_matches_opusinfo),
      cmocka_unit_test(test_bad_crc_names_page_fail),
      cmocka_unit_test(test_bad_capture_pattern_fail),
      cmocka_unit_test(test_truncated_page_fail),
      cmocka_unit_test(test_page_header_fields_fail),
      cmocka_unit_test(test_page_sequence_gap_fail),
      cmocka_unit_test(test_packet_limit_fail),
      cmocka_unit_test(test_bad_opus_head_fail),
      cmocka_unit_test(test_short_opus_head_fail),
      cmocka_unit_test(test_large_family255_head),
      cmocka_unit_test(test_missing_opus_tags_fail),
      cmocka_unit_test(test_opus_head_not_alone_fail),
      cmocka_unit_test(test_no_opus_stream_fail),
      cmocka_unit_test(test_spanning_packets),
      cmocka_unit_test(test_spanning_packet_broken_fail),
      cmocka_unit_test(test_other_streams_pages_are_checked),
      cmocka_unit_test(test_truncation_at_every_length),
      cmocka_unit_test(test_mutations_with_fixed_crc_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
