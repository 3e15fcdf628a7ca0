/* Robustness of every reader (bit, lp*, ogg, pcap, log, and auto
 * detection) on hostile input: random buffers, each valid input truncated
 * at every length (evenly spaced lengths past 8 KiB), and valid inputs with
 * random bit flips. Every case must end with 0 or an error within a bounded
 * number of next() calls (at most len + 2 packets, at most 65536 lost
 * records in a row), hand out records inside the input (or, for
 * log/ogg/pcap, a readable reader buffer), and repeat its error. Inputs end at a PROT_NONE page on even cases, so an
 * over-read faults even without a sanitizer; odd cases use an exact-size
 * heap copy for ASan and Valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "opushunt/reader.h"
#include "test_util.h"

static const oh_format ALL[] = {OH_FMT_BIT,    OH_FMT_LP16BE, OH_FMT_LP16LE,
                                OH_FMT_LP32BE, OH_FMT_LP32LE, OH_FMT_OGG,
                                OH_FMT_PCAP,   OH_FMT_LOG,    OH_FMT_AUTO};
#define NFMT (sizeof ALL / sizeof ALL[0])
#define OH_GARBAGE_MAX_INPUT (1 << 20)

/* ---- where inputs live ----------------------------------------------- */

static uint8_t *arena;      /* OH_GARBAGE_MAX_INPUT bytes, then a PROT_NONE page */
static size_t arena_len;
static unsigned long cases;

static void arena_setup(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  arena_len = (OH_GARBAGE_MAX_INPUT + page - 1) / page * page;
  arena = mmap(NULL, arena_len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(arena != MAP_FAILED);
  assert_int_equal(mprotect(arena + arena_len, page, PROT_NONE), 0);
}

static const uint8_t *place(const uint8_t *data, size_t len, uint8_t **heap) {
  assert_true(len <= OH_GARBAGE_MAX_INPUT);
  *heap = NULL;
  if (cases % 2 == 0) {
    uint8_t *p = arena + arena_len - len;
    if (len) memcpy(p, data, len);
    return p;
  }
  *heap = malloc(len ? len : 1);
  assert_non_null(*heap);
  if (len) memcpy(*heap, data, len);
  return *heap;
}

/* ---- one case --------------------------------------------------------- */

static int in_buffer(oh_format f) {
  return f == OH_FMT_BIT || f == OH_FMT_LP16BE || f == OH_FMT_LP16LE ||
         f == OH_FMT_LP32BE || f == OH_FMT_LP32LE;
}

static volatile unsigned sink;

static void check_record(const oh_reader *r, const oh_record *rec, uint64_t index,
                         const uint8_t *buf, size_t len) {
  size_t i;
  unsigned sum = 0;
  assert_int_equal(rec->index, index);
  assert_true(rec->offset < len);
  if (rec->lost) {
    assert_null(rec->data);
    assert_int_equal(rec->len, 0);
    return;
  }
  assert_true(rec->len <= OH_DEFAULT_MAX_PACKET);
  if (rec->len) assert_non_null(rec->data);
  if (in_buffer(oh_reader_format(r)))
    assert_true(rec->data >= buf && rec->data + rec->len <= buf + len);
  for (i = 0; i < rec->len; i++) sum += rec->data[i]; /* faults if out of bounds */
  sink = sum;
}

static void check_error(int rc, const oh_error *err, size_t len) {
  assert_true(rc < 0 && rc >= OH_ERR_UNKNOWN_FORMAT);
  assert_int_equal(err->code, rc);
  assert_true(err->reason[0] != '\0');
  assert_true(err->offset == OH_NO_OFFSET || err->offset <= len);
}

/* Opens and drains one input; returns the number of records read. */
static long run_case(oh_format fmt, const uint8_t *data, size_t len) {
  uint8_t *heap;
  const uint8_t *buf = place(data, len, &heap);
  oh_reader *r = NULL;
  oh_record rec;
  oh_error err, again;
  uint64_t n = 0, present = 0, run_lost = 0;
  int rc;
  cases++;
  rc = oh_reader_open(&r, fmt, buf, len, NULL, &err);
  if (rc != OH_OK) {
    check_error(rc, &err, len);
    assert_null(r);
    free(heap);
    return 0;
  }
  assert_non_null(oh_reader_stream_info(r));
  assert_true(oh_reader_describe(r)[0] != '\0');
  for (;;) {
    rc = oh_reader_next(r, &rec, &err);
    if (rc != 1) break;
    check_record(r, &rec, n++, buf, len);
    /* Each packet takes at least a byte; lost records take none in pcap
     * (a sequence gap), but one gap is at most the 16-bit RTP space. */
    run_lost = rec.lost ? run_lost + 1 : 0;
    present += !rec.lost;
    if (present > len + 2 || run_lost > 65536)
      fail_msg("%s: no end after %llu records on %zu bytes: %s", oh_format_name(fmt),
               (unsigned long long)n, len, oh_test_hex(data, len));
  }
  if (rc < 0) {
    check_error(rc, &err, len);
    assert_int_equal(oh_reader_next(r, &rec, &again), rc);
    assert_int_equal(again.offset, err.offset);
  } else {
    assert_int_equal(rc, 0);
    assert_int_equal(oh_reader_next(r, &rec, &again), 0);
  }
  oh_reader_close(r);
  free(heap);
  return (long)n;
}

static void run_all_formats(const uint8_t *data, size_t len) {
  size_t f;
  for (f = 0; f < NFMT; f++) run_case(ALL[f], data, len);
}

/* ---- valid inputs ----------------------------------------------------- */

typedef struct input {
  char name[64];
  oh_format fmt;
  uint8_t *data;
  size_t len;
} input;

static input inputs[32];
static int ninputs;

static void add_input(const char *name, oh_format fmt, uint8_t *data, size_t len) {
  assert_true(ninputs < (int)(sizeof inputs / sizeof inputs[0]));
  snprintf(inputs[ninputs].name, sizeof inputs[0].name, "%s", name);
  inputs[ninputs].fmt = fmt;
  inputs[ninputs].data = data;
  inputs[ninputs].len = len;
  ninputs++;
}

static void add_sample(const char *file, oh_format fmt) {
  char rel[256], path[1024];
  size_t len;
  uint8_t *data;
  snprintf(rel, sizeof rel, "corpus/samples/%s", file);
  data = oh_test_read(oh_test_path(rel, path, sizeof path), &len);
  add_input(file, fmt, data, len);
}

/* The first `count` lp16be records of the sample, reframed as fmt. */
static void add_reframed(const input *lp16be, oh_format fmt, int count) {
  uint8_t *out = malloc(lp16be->len * 2 + 16);
  size_t pos = 0, n = 0, p = fmt == OH_FMT_LP16LE ? 2 : 4, i;
  char name[64];
  int k;
  int be = fmt == OH_FMT_LP32BE;
  assert_non_null(out);
  for (k = 0; k < count && pos + 2 <= lp16be->len; k++) {
    size_t len = (size_t)lp16be->data[pos] << 8 | lp16be->data[pos + 1];
    for (i = 0; i < p; i++) out[n + (be ? p - 1 - i : i)] = (uint8_t)(len >> (8 * i));
    memcpy(out + n + p, lp16be->data + pos + 2, len);
    n += p + len;
    pos += 2 + len;
  }
  snprintf(name, sizeof name, "reframed.%s", oh_format_name(fmt));
  add_input(name, fmt, out, n);
}

static void add_handmade_log(void) {
  static const char text[] =
      "\xef\xbb\xbf# handmade log\r\n"
      "7c a4 ff\r\n"
      "0x7c, 0xa4, 0xff\n"
      "fKT/\n"
      "lost\n"
      "seq=4 packet_len=3 data=\"7c:a4:ff\", b=1\n"
      "{\"seq\":5,\"len\":3,\"b64\":\"fKT\\/\",\"x\":{\"y\":[1,\"]\"]}}\n"
      "{\"packet\": null}\n"
      "{\"hex\": \"\\u0037ca4ff\"}\n"
      "b64=-_-_EA length=4";
  uint8_t *d = malloc(sizeof text);
  assert_non_null(d);
  memcpy(d, text, sizeof text - 1);
  add_input("handmade.log", OH_FMT_LOG, d, sizeof text - 1);
}

/* Ogg and pcap samples come from the other readers' engineer: use what is
 * there, and say so. */
static void add_container_samples(void) {
  char dir[1024];
  struct dirent *e;
  DIR *d = opendir(oh_test_path("corpus/samples", dir, sizeof dir));
  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    const char *dot = strrchr(e->d_name, '.');
    oh_format f;
    if (dot && (!strcmp(dot, ".opus") || !strcmp(dot, ".ogg")))
      f = OH_FMT_OGG;
    else if (dot && (!strcmp(dot, ".pcap") || !strcmp(dot, ".pcapng")))
      f = OH_FMT_PCAP;
    else
      continue;
    add_sample(e->d_name, f);
  }
  closedir(d);
}

static int setup(void **state) {
  arena_setup();
  add_sample("tone-20ms-stereo-32k.bit", OH_FMT_BIT);
  add_sample("tone-20ms-stereo-32k.lp16be", OH_FMT_LP16BE);
  add_reframed(&inputs[1], OH_FMT_LP16LE, 12);
  add_reframed(&inputs[1], OH_FMT_LP32BE, 12);
  add_reframed(&inputs[1], OH_FMT_LP32LE, 12);
  add_sample("tone-20ms-stereo-32k-hex.log", OH_FMT_LOG);
  add_sample("tone-20ms-stereo-32k-b64.jsonl", OH_FMT_LOG);
  add_handmade_log();
  add_container_samples();
  return 0;
}

static int teardown(void **state) {
  int i;
  for (i = 0; i < ninputs; i++) free(inputs[i].data);
  munmap(arena, arena_len + (size_t)sysconf(_SC_PAGESIZE));
  fprintf(stderr, "[garbage] %lu cases in all\n", cases);
  return 0;
}

/* ---- the tests -------------------------------------------------------- */

/* Valid inputs read cleanly with their own format and with auto. */
static void test_valid_inputs_read_cleanly(void **state) {
  int i;
  for (i = 0; i < ninputs; i++) {
    fprintf(stderr, "[garbage] %s: %zu bytes\n", inputs[i].name, inputs[i].len);
    assert_true(run_case(inputs[i].fmt, inputs[i].data, inputs[i].len) > 0);
    assert_true(run_case(OH_FMT_AUTO, inputs[i].data, inputs[i].len) > 0);
  }
}

/* Byte soup of three kinds: uniform, mostly zero (small length prefixes
 * chain), and text from the log grammar's alphabet. */
static void fill_random(oh_test_rng *rng, uint8_t *b, size_t n, int kind) {
  static const char text[] = "0123456789abcdefABCDEFxX+/-_= \t:,;\"'{}[]#\\\r\n\n\nnulost"
                             "packet=data=len=hex=b64=\"packet\":";
  size_t i;
  for (i = 0; i < n; i++) {
    uint32_t x = (uint32_t)oh_test_rng_next(rng);
    if (kind == 0) b[i] = (uint8_t)x;
    else if (kind == 1) b[i] = (x & 0xff00) < 0x3000 ? (uint8_t)x : 0;
    else b[i] = (uint8_t)text[(x >> 8) % (sizeof text - 1)];
  }
}

static void test_random_buffers(void **state) {
  static const uint8_t magics[][12] = {
      {'O', 'g', 'g', 'S', 0, 2},
      {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0},
      {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a}};
  oh_test_rng rng;
  uint8_t b[600];
  long i, n = oh_test_iterations(3000);
  oh_test_rng_init(&rng, 0x5eed0001, "random buffers");
  for (i = 0; i < n; i++) {
    size_t len = oh_test_rng_below(&rng, sizeof b + 1);
    int kind = (int)(i % 3);
    fill_random(&rng, b, len, kind);
    /* Every fourth binary buffer starts like Ogg, pcap or pcapng. */
    if (kind != 2 && i % 4 == 0 && len >= 12) memcpy(b, magics[(i / 4) % 3], 12);
    run_all_formats(b, len);
  }
}

/* Every prefix of every valid input, with its format and with auto; for
 * inputs over 8 KiB, 8192 evenly spaced prefixes keep the run short. */
static void test_truncations(void **state) {
  int i;
  for (i = 0; i < ninputs; i++) {
    const input *in = &inputs[i];
    long points = oh_test_iterations(in->len < 8192 ? (long)in->len : 8192);
    size_t step = (in->len + (size_t)points - 1) / (size_t)points, k;
    if (step == 0) step = 1;
    for (k = 0; k < in->len; k += step) {
      run_case(in->fmt, in->data, k);
      run_case(OH_FMT_AUTO, in->data, k);
    }
  }
}

static void test_bit_flips(void **state) {
  oh_test_rng rng;
  long n = oh_test_iterations(600), j;
  int i;
  oh_test_rng_init(&rng, 0x5eed0002, "bit flips");
  for (i = 0; i < ninputs; i++) {
    const input *in = &inputs[i];
    uint8_t *b = malloc(in->len);
    assert_non_null(b);
    for (j = 0; j < n; j++) {
      int flips = 1 + (int)oh_test_rng_below(&rng, 4), f;
      memcpy(b, in->data, in->len);
      for (f = 0; f < flips; f++) {
        size_t at = oh_test_rng_below(&rng, (uint32_t)in->len);
        b[at] ^= (uint8_t)(1u << oh_test_rng_below(&rng, 8));
      }
      run_case(in->fmt, b, in->len);
      if (j % 4 == 0) run_all_formats(b, in->len);
    }
    free(b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_inputs_read_cleanly),
      cmocka_unit_test(test_random_buffers),
      cmocka_unit_test(test_truncations),
      cmocka_unit_test(test_bit_flips),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
