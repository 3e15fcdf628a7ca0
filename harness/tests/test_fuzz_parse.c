/* Tests for reading the engines' accounts (fuzz_run.h): libFuzzer output
 * fed in chunks of every size gives the same status numbers, artifacts and
 * report ranges (a crash's report before its artifact line, a timeout's
 * after it); fork mode's counters; over-long lines and garbage never
 * overrun; AFL++ fuzzer_stats fields, including the non-finite rates it
 * writes at start-up, and how instances add up. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/fuzz_run.h"
#include "test_util.h"

static const char CRASH_LOG[] =
    "INFO: Seed: 1\n"
    "INFO: seed corpus: files: 1 min: 5b max: 5b total: 5b rss: 29Mb\n"
    "#2\tINITED cov: 2 ft: 2 corp: 1/5b exec/s: 0 rss: 30Mb\n"
    "#98\tREDUCE cov: 7 ft: 9 corp: 6/26b lim: 5 exec/s: 49 rss: 31Mb L: 1/5 MS: 4 CMP- DE: \"cov: 99\"-\n"
    "=================================================================\n"
    "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020\n"
    "    #0 0x1 in LLVMFuzzerTestOneInput toy.c:7:40\n"
    "SUMMARY: AddressSanitizer: heap-buffer-overflow toy.c:7:40 in LLVMFuzzerTestOneInput\n"
    "MS: 1 InsertByte-; base unit: 9f11\n"
    "artifact_prefix='out/crashes/'; Test unit written to out/crashes/crash-97db\n"
    "Base64: Q1JBU0hY\n"
    "stat::number_of_executed_units: 1859\n"
    "stat::average_exec_per_sec:     1240\n"
    "stat::peak_rss_mb:              45\n";

static const char TIMEOUT_LOG[] =
    "INFO: seed corpus: files: 1 min: 4b max: 4b total: 4b rss: 30Mb\n"
    "ALARM: working on the last Unit for 1 seconds\n"
    "artifact_prefix='c/'; Test unit written to c/timeout-cf0f\n"
    "Base64: SEFORw==\n"
    "==7== ERROR: libFuzzer: timeout after 1 seconds\n"
    "    #0 0x2 in LLVMFuzzerTestOneInput hang.c:4\n"
    "SUMMARY: libFuzzer: timeout\n"
    "stat::number_of_executed_units: 2\n";

static const char FORK_LOG[] =
    "INFO: -fork=2: fuzzing in separate process(s)\n"
    "#1859: cov: 2 ft: 2 corp: 1 exec/s 0 oom/timeout/crash: 0/0/0 time: 0s job: 1 dft_time: 0\n"
    "==5==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020\n"
    "#46837: cov: 7 ft: 8 corp: 6 exec/s 311 oom/timeout/crash: 1/2/3 time: 1s job: 4 dft_time: 0\n"
    "INFO: exiting: 1 time: 1s\n";

/* Feeds text in chunks of at most chunk bytes. */
static void feed(oh_lf_parser *p, const char *text, size_t chunk) {
  size_t off = 0, n = strlen(text);
  while (off < n) {
    size_t k = n - off < chunk ? n - off : chunk;
    oh_lf_parser_feed(p, text + off, k);
    off += k;
  }
}

static const char *range_of(const char *text, const oh_lf_artifact *a, char *buf, size_t cap) {
  size_t n = (size_t)(a->report_end - a->report_start);
  assert_true(a->report_end >= a->report_start);
  assert_true(a->report_end <= strlen(text));
  assert_true(n < cap);
  memcpy(buf, text + a->report_start, n);
  buf[n] = '\0';
  return buf;
}

static void test_crash_log_in_any_chunking(void **state) {
  size_t chunk;
  char report[2048];
  (void)state;
  for (chunk = 1; chunk <= sizeof CRASH_LOG; chunk++) {
    oh_lf_parser p;
    oh_lf_parser_init(&p);
    feed(&p, CRASH_LOG, chunk);
    /* The final stats win over the last status line. */
    assert_int_equal(p.stats.execs, 1859);
    assert_true(p.stats.exec_per_sec == 1240.0);
    assert_int_equal(p.stats.cov, 7); /* not the 99 inside the DE: text */
    assert_int_equal(p.stats.ft, 9);
    assert_int_equal(p.stats.corpus_count, 6);
    assert_int_equal(p.stats.peak_rss_mb, 45);
    assert_int_equal(p.stats.crashes, 1);
    assert_int_equal(p.stats.hangs, 0);
    assert_int_equal(p.nartifacts, 1);
    assert_string_equal(p.artifacts[0].path, "out/crashes/crash-97db");
    range_of(CRASH_LOG, &p.artifacts[0], report, sizeof report);
    assert_non_null(strstr(report, "=====\n==1==ERROR: AddressSanitizer: heap-buffer-overflow"));
    assert_null(strstr(report, "REDUCE"));
    assert_non_null(strstr(report, "Test unit written to out/crashes/crash-97db\n"));
    assert_null(strstr(report, "Base64"));
    assert_string_equal(p.last_error,
                        "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020");
    oh_lf_parser_free(&p);
  }
}

static void test_timeout_report_follows_its_artifact(void **state) {
  oh_lf_parser p;
  char report[2048];
  (void)state;
  oh_lf_parser_init(&p);
  feed(&p, TIMEOUT_LOG, 7);
  assert_int_equal(p.nartifacts, 1);
  assert_int_equal(p.stats.hangs, 1);
  assert_int_equal(p.stats.crashes, 0);
  range_of(TIMEOUT_LOG, &p.artifacts[0], report, sizeof report);
  assert_non_null(strstr(report, "ALARM: working on the last Unit"));
  assert_non_null(strstr(report, "ERROR: libFuzzer: timeout after 1 seconds"));
  assert_non_null(strstr(report, "SUMMARY: libFuzzer: timeout\n"));
  assert_null(strstr(report, "stat::"));
  oh_lf_parser_free(&p);
}

static void test_fork_mode_counters(void **state) {
  oh_lf_parser p;
  (void)state;
  oh_lf_parser_init(&p);
  feed(&p, FORK_LOG, 13);
  assert_true(p.fork_mode);
  assert_int_equal(p.stats.execs, 46837);
  assert_int_equal(p.stats.cov, 7);
  assert_int_equal(p.stats.ft, 8);
  assert_int_equal(p.stats.corpus_count, 6);
  assert_true(p.stats.exec_per_sec == 311.0);
  assert_int_equal(p.stats.crashes, 4); /* crashes + ooms */
  assert_int_equal(p.stats.hangs, 2);   /* timeouts */
  assert_int_equal(p.nartifacts, 0);    /* the jobs write them, not this log */
  oh_lf_parser_free(&p);
}

static void test_interrupt_and_done(void **state) {
  oh_lf_parser p;
  (void)state;
  oh_lf_parser_init(&p);
  feed(&p, "#5\tpulse  cov: 3 ft: 4 corp: 2/2b exec/s: 1 rss: 9Mb\n"
           "==9== libFuzzer: run interrupted; exiting\n", 64);
  assert_true(p.interrupted);
  assert_false(p.done);
  feed(&p, "Done 200000 runs in 3 second(s)\n", 5);
  assert_true(p.done);
  assert_int_equal(p.stats.execs, 200000);
  oh_lf_parser_free(&p);
}

/* A line longer than the parser's buffer is cut, yet offsets stay exact. */
static void test_long_lines_and_garbage(void **state) {
  oh_test_rng rng;
  oh_lf_parser p;
  size_t n = 3 * sizeof p.buf, i;
  char *junk = malloc(n + 1);
  static const char tail[] = "artifact_prefix='x/'; Test unit written to x/crash-1\n";
  (void)state;
  assert_non_null(junk);
  oh_test_rng_init(&rng, 77, "fuzz_parse garbage");
  oh_lf_parser_init(&p);
  for (i = 0; i < n; i++) junk[i] = (char)(1 + oh_test_rng_below(&rng, 255));
  for (i = 0; i < n; i++)
    if (junk[i] == '\n') junk[i] = 'x';
  oh_lf_parser_feed(&p, junk, n);
  oh_lf_parser_feed(&p, "\n", 1);
  oh_lf_parser_feed(&p, tail, strlen(tail));
  assert_int_equal(p.offset, n + 1 + strlen(tail));
  assert_int_equal(p.nartifacts, 1);
  assert_int_equal(p.artifacts[0].report_end, p.offset);
  for (i = 0; i < (size_t)oh_test_iterations(200); i++) {
    size_t k = oh_test_rng_below(&rng, (uint32_t)n);
    uint32_t j;
    for (j = 0; j < k; j++) junk[j] = (char)oh_test_rng_next(&rng);
    oh_lf_parser_feed(&p, junk, k);
  }
  oh_lf_parser_free(&p);
  free(junk);
}

static const char AFL_STATS[] =
    "start_time        : 1795785997\n"
    "last_update       : 1795786007\n"
    "run_time          : 10\n"
    "execs_done        : 221315\n"
    "execs_per_sec     : 22113.81\n"
    "corpus_count      : 6\n"
    "bitmap_cvg        : 80.00%\n"
    "saved_crashes     : 1\n"
    "saved_hangs       : 2\n"
    "edges_found       : 8\n"
    "total_edges       : 10\n"
    "peak_rss_mb       : 12\n"
    "afl_banner        : ./afl-crash\n"
    "command_line      : afl-fuzz -i ain -o aout -V 10 -- ./afl-crash\n";

static void test_afl_stats(void **state) {
  oh_fuzz_stats s, t;
  (void)state;
  memset(&s, 0, sizeof s);
  assert_int_equal(oh_afl_stats_parse(AFL_STATS, &s), 11);
  assert_int_equal(s.execs, 221315);
  assert_true(s.exec_per_sec == 22131.5); /* execs / run_time, not AFL++'s 22113.81 */
  assert_int_equal(s.corpus_count, 6);
  assert_true(s.bitmap_cvg == 80.0);
  assert_int_equal(s.crashes, 1);
  assert_int_equal(s.hangs, 2);
  assert_int_equal(s.edges_found, 8);
  assert_int_equal(s.total_edges, 10);
  assert_int_equal(s.stats_time, 1795786007u);
  /* Without run_time AFL++'s own rate stands. */
  memset(&s, 0, sizeof s);
  assert_int_equal(oh_afl_stats_parse("execs_per_sec : 12.5\n", &s), 1);
  assert_true(s.exec_per_sec == 12.5);
  /* Old names, and the rates AFL++ writes before its first execution. */
  memset(&s, 0, sizeof s);
  assert_int_equal(oh_afl_stats_parse("unique_crashes : 3\nexecs_per_sec : inf\n"
                                      "bitmap_cvg : -nan%\nunique_hangs : 4", &s), 2);
  assert_int_equal(s.crashes, 3);
  assert_int_equal(s.hangs, 4);
  assert_true(s.exec_per_sec == 0.0 && s.bitmap_cvg == 0.0);
  assert_int_equal(oh_afl_stats_parse("", &s), 0);
  assert_int_equal(oh_afl_stats_parse(NULL, &s), 0);
  /* Two instances: counters add up, coverage and corpus take the larger. */
  memset(&s, 0, sizeof s);
  memset(&t, 0, sizeof t);
  oh_afl_stats_parse(AFL_STATS, &s);
  oh_fuzz_stats_merge(&t, &s);
  s.execs = 100;
  s.edges_found = 5;
  s.corpus_count = 9;
  s.stats_time = 1795786000u;
  oh_fuzz_stats_merge(&t, &s);
  assert_int_equal(t.execs, 221415);
  assert_int_equal(t.crashes, 2);
  assert_int_equal(t.edges_found, 8);
  assert_int_equal(t.corpus_count, 9);
  assert_int_equal(t.stats_time, 1795786000u); /* the older one */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crash_log_in_any_chunking),
      cmocka_unit_test(test_timeout_report_follows_its_artifact),
      cmocka_unit_test(test_fork_mode_counters),
      cmocka_unit_test(test_interrupt_and_done),
      cmocka_unit_test(test_long_lines_and_garbage),
      cmocka_unit_test(test_afl_stats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
