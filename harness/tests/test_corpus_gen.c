/* Tests for the seed-corpus generator and the corpus store: every packet
 * seed carries the TOC its name claims and all 256 TOC bytes occur, every
 * script parses strictly with the api of its target, generation is
 * deterministic and stops at the first emit error, names are unique and
 * plain, and the store leaves identical files alone, keeps different ones
 * unless forced and writes only fuzz-target folders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opushunt/corpus_gen.h"
#include "opushunt/file.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"
#include "test_util.h"

typedef struct seed {
  int target;
  char name[160];
  uint8_t *data;
  size_t len;
} seed;

typedef struct seeds {
  seed *v;
  size_t n, cap;
  size_t stop_after; /* fail the emit after this many seeds; 0 never */
} seeds;

static int collect(void *user, const char *target, const char *name, const uint8_t *data,
                   size_t len, oh_error *err) {
  seeds *s = user;
  seed *e;
  if (s->stop_after && s->n == s->stop_after) return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "full");
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    assert_non_null(s->v);
  }
  e = &s->v[s->n++];
  e->target = oh_corpus_target_from_name(target);
  assert_true(e->target >= 0);
  assert_true(strlen(name) < sizeof e->name);
  strcpy(e->name, name);
  e->data = malloc(len ? len : 1);
  assert_non_null(e->data);
  memcpy(e->data, data, len);
  e->len = len;
  return OH_OK;
}

static void seeds_free(seeds *s) {
  size_t i;
  for (i = 0; i < s->n; i++) free(s->v[i].data);
  free(s->v);
  memset(s, 0, sizeof *s);
}

static void generate(seeds *s, unsigned targets) {
  oh_corpus_gen_options opt;
  oh_error err;
  int rc;
  memset(&opt, 0, sizeof opt);
  opt.targets = targets;
  rc = oh_corpus_generate(&opt, collect, s, &err);
  if (rc != OH_OK) fail_msg("oh_corpus_generate: %s", err.reason);
}

#define T(x) (1u << (x))

/* "celt-fb-20ms-stereo-code3-vbr-pad.raw" -> config 31, stereo, code 3;
 * 0 when the name is not of that form (the edge seeds have longer names). */
static int claimed_toc(const char *name, int *config, int *stereo, int *code) {
  static const char *const modes[3] = {"silk", "hybrid", "celt"};
  static const char *const bws[5] = {"nb", "mb", "wb", "swb", "fb"};
  static const struct {
    const char *s;
    int samples48;
  } durs[] = {{"2.5ms", 120}, {"5ms", 240}, {"10ms", 480},
              {"20ms", 960},  {"40ms", 1920}, {"60ms", 2880}};
  char mode[16], bw[8], dur[8], ch[8], rest[32];
  int m, b, d, c;
  if (sscanf(name, "%15[a-z]-%7[a-z]-%7[0-9.ms]-%7[a-z]-code%d%31s", mode, bw, dur, ch, code,
             rest) < 5)
    return 0;
  if (strcmp(rest, ".raw") && strcmp(rest, "-cbr.raw") && strcmp(rest, "-vbr.raw") &&
      strcmp(rest, "-cbr-pad.raw") && strcmp(rest, "-vbr-pad.raw"))
    return 0;
  for (m = 0; m < 3 && strcmp(mode, modes[m]); m++) {}
  for (b = 0; b < 5 && strcmp(bw, bws[b]); b++) {}
  for (d = 0; d < 6 && strcmp(dur, durs[d].s); d++) {}
  assert_true(m < 3 && b < 5 && d < 6);
  *stereo = !strcmp(ch, "stereo");
  for (c = 0; c < 32; c++) {
    oh_toc t;
    oh_toc_decode(oh_toc_encode(c, 0, 0), &t);
    if ((int)t.mode == m && (int)t.bandwidth == b && t.frame_samples48 == durs[d].samples48) {
      *config = c;
      return 1;
    }
  }
  fail_msg("%s names no TOC configuration", name);
  return 0;
}

static void test_packet_seeds_carry_the_toc_their_name_claims(void **state) {
  seeds s = {0};
  int seen[256] = {0}, named = 0;
  size_t i;
  /* About 350 encoder runs: minutes under Valgrind, where the other tests
   * cover the same code paths on fewer seeds. */
  if (oh_test_quick()) skip();
  generate(&s, T(OH_CT_PACKET));
  for (i = 0; i < s.n; i++) {
    oh_packet p;
    oh_error err;
    oh_rule rule;
    int config, stereo, code;
    if (oh_packet_parse(s.v[i].data, s.v[i].len, 0, &p, &rule, &err) != OH_OK)
      fail_msg("%s breaks %s: %s", s.v[i].name, oh_rule_name(rule), err.reason);
    seen[s.v[i].data[0]]++;
    if (!claimed_toc(s.v[i].name, &config, &stereo, &code)) continue;
    named++;
    if (p.toc.config != config || p.toc.stereo != stereo || p.toc.code != code)
      fail_msg("%s: TOC 0x%02x is config %d s=%d code %d", s.v[i].name, s.v[i].data[0],
               p.toc.config, p.toc.stereo, p.toc.code);
    if (code == 3 && (p.vbr != (strstr(s.v[i].name, "-vbr") != NULL) ||
                      p.padded != (strstr(s.v[i].name, "-pad") != NULL)))
      fail_msg("%s: vbr %d, padded %d", s.v[i].name, p.vbr, p.padded);
    if (code == 3 && p.frame_count < 2 && p.duration48 < OH_MAX_PACKET_SAMPLES48 / 2)
      fail_msg("%s: only %d frame(s)", s.v[i].name, p.frame_count);
  }
  assert_int_equal(named, 32 * 2 * 4);
  for (i = 0; i < 256; i++)
    if (!seen[i]) fail_msg("no packet seed starts with TOC byte 0x%02zx", i);
  seeds_free(&s);
}

static void test_scripts_parse_strictly_with_their_targets_api(void **state) {
  static const int api[OH_CT_COUNT] = {-1,
                                       OH_SCRIPT_DECODER,
                                       OH_SCRIPT_MULTISTREAM,
                                       OH_SCRIPT_PROJECTION,
                                       OH_SCRIPT_CUSTOM,
                                       OH_SCRIPT_REPACKETIZER,
                                       OH_SCRIPT_PIPELINE,
                                       -1};
  seeds s = {0};
  int models[16] = {0}, per_target[OH_CT_COUNT] = {0};
  size_t i;
  unsigned targets = oh_test_quick()
                         ? T(OH_CT_CUSTOM) | T(OH_CT_REPACKETIZER)
                         : 0xffu & ~T(OH_CT_PACKET);
  generate(&s, targets);
  for (i = 0; i < s.n; i++) {
    oh_script sc;
    oh_error err;
    const seed *e = &s.v[i];
    per_target[e->target]++;
    if (e->target == OH_CT_READERS && !strstr(e->name, ".ohs")) continue;
    memset(&sc, 0, sizeof sc);
    assert_true(e->len >= 4 && memcmp(e->data, OH_SCRIPT_MAGIC, 4) == 0);
    if (oh_script_parse(e->data, e->len, 1, &sc, &err) != OH_OK)
      fail_msg("%s: %s", e->name, err.reason);
    if (api[e->target] >= 0 && sc.h.api != api[e->target])
      fail_msg("%s: api %d in the %s folder", e->name, sc.h.api,
               oh_corpus_target_name(e->target));
    /* A few records each: seeds stay small and fast. */
    if (sc.nrecs > 10) fail_msg("%s: %zu records", e->name, sc.nrecs);
    if (sc.h.api == OH_SCRIPT_PIPELINE) {
      assert_true(sc.h.family >= 0 && sc.h.family < 12);
      assert_int_equal(sc.h.extra_len, 5);
      models[sc.h.family]++;
    }
    oh_script_free(&sc);
  }
  for (i = 0; i < 12 && (targets & T(OH_CT_PIPELINE)); i++)
    if (i != 5 && !models[i]) fail_msg("no pipeline seed for model %zu", i);
  for (i = 0; i < OH_CT_COUNT; i++)
    if ((targets & T(i)) && per_target[i] == 0) fail_msg("no seed for %s", oh_corpus_target_name((int)i));
  seeds_free(&s);
}

static void test_generation_is_deterministic_and_names_are_unique(void **state) {
  seeds a = {0}, b = {0};
  size_t i, j;
  unsigned targets = T(OH_CT_CUSTOM);
  if (!oh_test_quick())
    targets |= T(OH_CT_STREAM) | T(OH_CT_MULTISTREAM) | T(OH_CT_READERS) | T(OH_CT_PIPELINE);
  generate(&a, targets);
  generate(&b, targets);
  assert_int_equal(a.n, b.n);
  for (i = 0; i < a.n; i++) {
    assert_string_equal(a.v[i].name, b.v[i].name);
    assert_int_equal(a.v[i].len, b.v[i].len);
    if (memcmp(a.v[i].data, b.v[i].data, a.v[i].len))
      fail_msg("%s differs between two runs", a.v[i].name);
    for (j = 0; j < i; j++)
      if (a.v[j].target == a.v[i].target && !strcmp(a.v[j].name, a.v[i].name))
        fail_msg("%s twice", a.v[i].name);
  }
  seeds_free(&a);
  seeds_free(&b);
}

static void test_emit_error_stops_generation(void **state) {
  seeds s = {0};
  oh_corpus_gen_options opt;
  oh_error err;
  memset(&opt, 0, sizeof opt);
  opt.targets = T(OH_CT_READERS);
  s.stop_after = 3;
  assert_int_equal(oh_corpus_generate(&opt, collect, &s, &err), OH_ERR_IO);
  assert_int_equal(s.n, 3);
  assert_string_equal(err.reason, "full");
  seeds_free(&s);
}

static void test_missing_vector_folder_fails(void **state) {
  seeds s = {0};
  oh_corpus_gen_options opt;
  oh_error err;
  memset(&opt, 0, sizeof opt);
  opt.targets = T(OH_CT_STREAM);
  opt.testvectors = "/nonexistent-opushunt-vectors";
  assert_int_equal(oh_corpus_generate(&opt, collect, &s, &err), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(err.reason, "/nonexistent-opushunt-vectors"));
  seeds_free(&s);
}

static void test_vector_slices_become_tv_seeds(void **state) {
  const char *dir = getenv("OPUS_TESTVECTORS");
  char probe[4096];
  seeds s = {0};
  oh_corpus_gen_options opt;
  oh_error err;
  size_t i;
  int packets = 0, scripts = 0;
  snprintf(probe, sizeof probe, "%s/testvector02.bit", dir ? dir : "");
  if (!dir || access(probe, R_OK) != 0) skip();
  memset(&opt, 0, sizeof opt);
  opt.targets = T(OH_CT_PACKET) | T(OH_CT_STREAM);
  opt.testvectors = dir;
  if (oh_test_quick()) opt.targets = T(OH_CT_STREAM);
  assert_int_equal(oh_corpus_generate(&opt, collect, &s, &err), OH_OK);
  for (i = 0; i < s.n; i++) {
    oh_script sc;
    if (strncmp(s.v[i].name, "tv-", 3)) continue;
    if (s.v[i].target == OH_CT_PACKET) {
      oh_packet p;
      assert_int_equal(oh_packet_parse(s.v[i].data, s.v[i].len, 0, &p, NULL, &err), OH_OK);
      packets++;
      continue;
    }
    memset(&sc, 0, sizeof sc);
    assert_int_equal(oh_script_parse(s.v[i].data, s.v[i].len, 1, &sc, &err), OH_OK);
    assert_true(sc.nrecs >= 1 && sc.nrecs <= 8);
    oh_script_free(&sc);
    scripts++;
  }
  assert_int_equal(scripts, 5);
  assert_int_equal(packets, oh_test_quick() ? 0 : 5);
  seeds_free(&s);
}

/* ---- the store ------------------------------------------------------- */

static char *tmpdir(void) {
  char *d = strdup("/tmp/opushunt-corpus-XXXXXX");
  assert_non_null(d);
  assert_non_null(mkdtemp(d));
  return d;
}

static void rm_rf(const char *dir) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static void test_store_keeps_different_files_unless_forced(void **state) {
  char *dir = tmpdir(), out[4200], path[4300];
  static const uint8_t a[3] = {1, 2, 3}, b[4] = {1, 2, 3, 4};
  oh_corpus_store_outcome how;
  oh_error err;
  uint8_t *back;
  size_t len;
  /* The corpus folder and the target folder are created on the way. */
  snprintf(out, sizeof out, "%s/sub", dir);
  snprintf(path, sizeof path, "%s/packet/x.raw", out);
  assert_int_equal(oh_corpus_store(out, "packet", "x.raw", a, 3, 0, &how, &err), OH_OK);
  assert_int_equal(how, OH_CS_WRITTEN);
  assert_int_equal(oh_corpus_store(out, "packet", "x.raw", a, 3, 0, &how, &err), OH_OK);
  assert_int_equal(how, OH_CS_UNCHANGED);
  /* A longer and a shorter seed both differ from the file. */
  assert_int_equal(oh_corpus_store(out, "packet", "x.raw", b, 4, 0, &how, &err), OH_OK);
  assert_int_equal(how, OH_CS_SKIPPED);
  assert_int_equal(oh_corpus_store(out, "packet", "x.raw", a, 2, 0, &how, &err), OH_OK);
  assert_int_equal(how, OH_CS_SKIPPED);
  assert_int_equal(oh_file_read(path, 100, &back, &len, &err), OH_OK);
  assert_int_equal(len, 3);
  assert_memory_equal(back, a, 3);
  free(back);
  assert_int_equal(oh_corpus_store(out, "packet", "x.raw", b, 4, 1, &how, &err), OH_OK);
  assert_int_equal(how, OH_CS_WRITTEN);
  assert_int_equal(oh_file_read(path, 100, &back, &len, &err), OH_OK);
  assert_int_equal(len, 4);
  assert_memory_equal(back, b, 4);
  free(back);
  rm_rf(dir);
  free(dir);
}

static void test_store_writes_only_target_folders(void **state) {
  char *dir = tmpdir(), sub[4200];
  static const uint8_t a[1] = {7};
  oh_corpus_store_outcome how;
  oh_error err;
  struct stat st;
  assert_int_equal(oh_corpus_store(dir, "regressions", "x", a, 1, 1, &how, &err), OH_ERR_ARG);
  assert_int_equal(oh_corpus_store(dir, "samples", "x", a, 1, 1, &how, &err), OH_ERR_ARG);
  assert_int_equal(oh_corpus_store(dir, "packet", "../x", a, 1, 1, &how, &err), OH_ERR_ARG);
  assert_int_equal(oh_corpus_store(dir, "packet", ".hidden", a, 1, 1, &how, &err), OH_ERR_ARG);
  assert_int_equal(oh_corpus_store(dir, "packet", "", a, 1, 1, &how, &err), OH_ERR_ARG);
  snprintf(sub, sizeof sub, "%s/regressions", dir);
  assert_int_not_equal(stat(sub, &st), 0);
  /* A folder where the seed would go is not replaced, even forced. */
  snprintf(sub, sizeof sub, "%s/packet/d.raw", dir);
  assert_int_equal(oh_corpus_store(dir, "packet", "y.raw", a, 1, 0, &how, &err), OH_OK);
  assert_int_equal(mkdir(sub, 0755), 0);
  assert_int_equal(oh_corpus_store(dir, "packet", "d.raw", a, 1, 1, &how, &err), OH_ERR_IO);
  assert_int_equal(stat(sub, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  rm_rf(dir);
  free(dir);
}

static void test_target_names_follow_the_targets_list(void **state) {
  int i;
  for (i = 0; i < OH_CT_COUNT; i++)
    assert_int_equal(oh_corpus_target_from_name(oh_corpus_target_name(i)), i);
  assert_null(oh_corpus_target_name(OH_CT_COUNT));
  assert_int_equal(oh_corpus_target_from_name("regressions"), -1);
  assert_int_equal(oh_corpus_target_from_name(NULL), -1);
  assert_string_equal(oh_corpus_target_name(OH_CT_PACKET), "packet");
  assert_string_equal(oh_corpus_target_name(OH_CT_READERS), "readers");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_packet_seeds_carry_the_toc_their_name_claims),
      cmocka_unit_test(test_scripts_parse_strictly_with_their_targets_api),
      cmocka_unit_test(test_generation_is_deterministic_and_names_are_unique),
      cmocka_unit_test(test_emit_error_stops_generation),
      cmocka_unit_test(test_missing_vector_folder_fails),
      cmocka_unit_test(test_vector_slices_become_tv_seeds),
      cmocka_unit_test(test_store_keeps_different_files_unless_forced),
      cmocka_unit_test(test_store_writes_only_target_folders),
      cmocka_unit_test(test_target_names_follow_the_targets_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
