/* Tests for the crash reproducer's pure parts: tool/lib combinations and
 * the messages that teach, the child command line and environment per
 * tool, the analysis of synthetic event streams plus real sanitizer
 * report fixtures (verdict, faulting record, buffer attribution, latent vs
 * fault-expected contract violations, last call per thread), the input
 * side (record lookup, --extract), the JSON report's shape, and fuzz
 * targets (--target, OHS1 scripts: what runs, what can be known). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opushunt/decode_loop.h"
#include "opushunt/replay.h"
#include "test_util.h"

/* ---- Tools and libraries. */

static void test_tool_names_round_trip(void **state) {
  int i;
  for (i = 0; i < OH_UNDER_COUNT; i++) {
    oh_replay_tool t;
    assert_int_equal(oh_replay_tool_from_name(oh_replay_tool_name((oh_replay_tool)i), &t), OH_OK);
    assert_int_equal(t, i);
  }
  assert_int_equal(oh_replay_tool_from_name("all", &(oh_replay_tool){0}), OH_ERR_ARG);
  assert_int_equal(oh_replay_tool_from_name("gdb", &(oh_replay_tool){0}), OH_ERR_ARG);
}

static void test_default_lib_per_tool(void **state) {
  assert_string_equal(oh_replay_default_lib(OH_UNDER_PLAIN), "system");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_GUARD), "system");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_VALGRIND), "system");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_HELGRIND), "system");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_ASAN), "asan");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_UBSAN), "ubsan");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_MSAN), "msan");
  assert_string_equal(oh_replay_default_lib(OH_UNDER_TSAN), "tsan");
}

static void test_every_default_combination_is_valid(void **state) {
  oh_error err;
  int i;
  for (i = 0; i < OH_UNDER_COUNT; i++)
    assert_int_equal(oh_replay_check_combo((oh_replay_tool)i,
                                           oh_replay_default_lib((oh_replay_tool)i), &err), OH_OK);
}

static void test_asan_on_system_lib_teaches(void **state) {
  oh_error err;
  assert_int_equal(oh_replay_check_combo(OH_UNDER_ASAN, "system", &err), OH_ERR_ARG);
  assert_string_equal(err.reason,
                      "ASan sees nothing inside the uninstrumented system libopus: use --lib "
                      "asan or --lib fixed-asan, or --under guard/valgrind for the system library");
}

static void test_sanitizer_on_other_sanitizer_refused(void **state) {
  oh_error err;
  assert_int_equal(oh_replay_check_combo(OH_UNDER_UBSAN, "asan", &err), OH_ERR_ARG);
  assert_non_null(strstr(err.reason, "needs a libopus built with UBSan"));
  assert_non_null(strstr(err.reason, "--under asan"));
  assert_int_equal(oh_replay_check_combo(OH_UNDER_UBSAN, "ubsan-full", &err), OH_OK);
  assert_int_equal(oh_replay_check_combo(OH_UNDER_ASAN, "fixed-asan", &err), OH_OK);
  assert_int_equal(oh_replay_check_combo(OH_UNDER_MSAN, "tsan", &err), OH_ERR_ARG);
}

static void test_valgrind_refuses_instrumented_runner(void **state) {
  oh_error err;
  assert_int_equal(oh_replay_check_combo(OH_UNDER_VALGRIND, "asan", &err), OH_ERR_ARG);
  assert_non_null(strstr(err.reason, "Valgrind cannot run a runner built with ASan"));
  assert_non_null(strstr(err.reason, "--under asan"));
  assert_int_equal(oh_replay_check_combo(OH_UNDER_HELGRIND, "tsan", &err), OH_ERR_ARG);
  assert_int_equal(oh_replay_check_combo(OH_UNDER_VALGRIND, "fixed-plain", &err), OH_OK);
}

static void test_guard_and_plain_take_any_lib(void **state) {
  oh_error err;
  assert_int_equal(oh_replay_check_combo(OH_UNDER_GUARD, "asan", &err), OH_OK);
  assert_int_equal(oh_replay_check_combo(OH_UNDER_PLAIN, "msan", &err), OH_OK);
  assert_int_equal(oh_replay_check_combo(OH_UNDER_GUARD, "nosuch", &err), OH_ERR_ARG);
  assert_non_null(strstr(err.reason, "unknown lib 'nosuch'"));
}

static void test_runner_path_messages(void **state) {
  char dir[] = "/tmp/oh-replay-runners.XXXXXX", path[512], exe[600];
  oh_error err;
  FILE *f;
  assert_non_null(mkdtemp(dir));
  assert_int_equal(oh_replay_runner_path("/nonexistent/runners", "system", path, sizeof path,
                                         &err), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(err.reason, "runner directory '/nonexistent/runners' does not exist"));
  assert_int_equal(oh_replay_runner_path(dir, "msan", path, sizeof path, &err), OH_ERR_NOT_FOUND);
  assert_string_equal(err.reason,
                      "runner for lib 'msan' not built: run scripts/build-libopus msan and rebuild");
  snprintf(exe, sizeof exe, "%s/oh-runner-msan", dir);
  assert_non_null(f = fopen(exe, "w"));
  fclose(f);
  assert_int_equal(oh_replay_runner_path(dir, "msan", path, sizeof path, &err), OH_ERR_NOT_FOUND);
  chmod(exe, 0755);
  assert_int_equal(oh_replay_runner_path(dir, "msan", path, sizeof path, &err), OH_OK);
  assert_string_equal(path, exe);
  unlink(exe);
  rmdir(dir);
}

/* ---- Command lines. */

static int argv_index(const oh_replay_cmd *c, const char *s) {
  int i;
  for (i = 0; i < c->argc; i++)
    if (strcmp(c->argv[i], s) == 0) return i;
  return -1;
}

static void options(oh_replay_options *o) {
  oh_replay_options_init(o);
  o->input = "in.lp16be";
  o->memory_bytes = (uint64_t)100 << 20;
}

static void test_cmd_guard(void **state) {
  oh_replay_options o;
  oh_replay_cmd c;
  oh_error err;
  options(&o);
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_GUARD, "system", "/r/oh-runner-system", &c,
                                       &err), OH_OK);
  assert_string_equal(c.argv[0], "/r/oh-runner-system");
  assert_true(argv_index(&c, "--guard") > 0);
  assert_true(argv_index(&c, "--compare") > 0);
  assert_string_equal(c.argv[argv_index(&c, "--events-fd") + 1], "3");
  assert_string_equal(c.argv[c.argc - 1], "in.lp16be");
  assert_null(c.argv[c.argc]);
  assert_int_equal(c.nenv, 0);
  /* uninstrumented: an address-space limit backs up the RSS poll */
  assert_int_equal(c.rss_limit, (uint64_t)100 << 20);
  assert_int_equal(c.as_limit, (uint64_t)200 << 20);
}

static void test_cmd_asan_env(void **state) {
  oh_replay_options o;
  oh_replay_cmd c;
  oh_error err;
  options(&o);
  o.symbolizer = "/usr/bin/llvm-symbolizer-14";
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_ASAN, "asan", "/r/oh-runner-asan", &c, &err),
                   OH_OK);
  assert_string_equal(c.argv[0], "/r/oh-runner-asan");
  assert_int_equal(argv_index(&c, "--guard"), -1);
  assert_int_equal(c.nenv, 1);
  assert_string_equal(c.env[0],
                      "ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:symbolize=1:"
                      "allocator_may_return_null=1:handle_segv=1:"
                      "external_symbolizer_path=/usr/bin/llvm-symbolizer-14");
  assert_null(c.env[1]);
  assert_int_equal(c.as_limit, 0); /* ASan reserves terabytes of shadow */
  assert_int_equal(c.rss_limit, (uint64_t)100 << 20);
}

static void test_cmd_sanitizer_envs(void **state) {
  static const struct { oh_replay_tool t; const char *lib, *env; } want[] = {
      {OH_UNDER_UBSAN, "ubsan", "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:handle_sigill=1"},
      {OH_UNDER_MSAN, "msan", "MSAN_OPTIONS=halt_on_error=1"},
      {OH_UNDER_TSAN, "tsan", "TSAN_OPTIONS=halt_on_error=0:exitcode=66"},
      /* the guard run over an ASan build keeps ASan's options */
      {OH_UNDER_GUARD, "fixed-asan", "ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:"
                                     "symbolize=1:allocator_may_return_null=1:handle_segv=1"},
  };
  size_t i;
  for (i = 0; i < sizeof want / sizeof want[0]; i++) {
    oh_replay_options o;
    oh_replay_cmd c;
    oh_error err;
    options(&o);
    assert_int_equal(oh_replay_build_cmd(&o, want[i].t, want[i].lib, "/r/x", &c, &err), OH_OK);
    assert_int_equal(c.nenv, 1);
    assert_string_equal(c.env[0], want[i].env);
    assert_int_equal(c.as_limit, 0);
  }
}

static void test_cmd_valgrind_wraps_runner(void **state) {
  oh_replay_options o;
  oh_replay_cmd c;
  oh_error err;
  int runner;
  options(&o);
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_VALGRIND, "system", "/r/oh-runner-system",
                                       &c, &err), OH_OK);
  assert_string_equal(c.argv[0], "valgrind");
  runner = argv_index(&c, "/r/oh-runner-system");
  assert_true(runner > 0);
  assert_true(argv_index(&c, "--tool=memcheck") > 0 && argv_index(&c, "--tool=memcheck") < runner);
  assert_true(argv_index(&c, "--error-exitcode=99") < runner);
  assert_true(argv_index(&c, "--exit-on-first-error=yes") < runner);
  assert_true(argv_index(&c, "--track-origins=yes") < runner);
  assert_true(argv_index(&c, "--child-silent-after-fork=yes") < runner);
  assert_int_equal(argv_index(&c, "--guard"), -1);
  assert_int_equal(c.nenv, 0);
  assert_int_equal(c.as_limit, 0); /* Valgrind lives in the same address space */
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_HELGRIND, "system", "/r/x", &c, &err),
                   OH_OK);
  assert_true(argv_index(&c, "--tool=helgrind") > 0);
  assert_int_equal(argv_index(&c, "--track-origins=yes"), -1);
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_VALGRIND, "asan", "/r/x", &c, &err),
                   OH_ERR_ARG);
}

static void test_cmd_passes_caller_and_input_options(void **state) {
  oh_replay_options o;
  oh_replay_cmd c;
  oh_error err;
  options(&o);
  o.format = OH_FMT_LP16BE;
  o.ropt.header_skip = 4;
  o.caller.model = "frame-size-overstated";
  o.caller.rate = 48000;
  o.caller.channels = 2;
  o.caller.frame_size = 5760;
  o.caller.pcm_capacity = "7680b";
  o.caller.sample = "float";
  o.caller.state = "init";
  o.caller.state_size = 0;
  o.caller.threads = 4;
  o.caller.lock = 1;
  o.check_only = 1;
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_PLAIN, "plain", "/r/x", &c, &err), OH_OK);
  assert_string_equal(c.argv[argv_index(&c, "--format") + 1], "lp16be");
  assert_string_equal(c.argv[argv_index(&c, "--header-skip") + 1], "4");
  assert_int_equal(argv_index(&c, "--max-packet"), -1); /* the default is not passed */
  assert_string_equal(c.argv[argv_index(&c, "--model") + 1], "frame-size-overstated");
  assert_string_equal(c.argv[argv_index(&c, "--frame-size") + 1], "5760");
  assert_string_equal(c.argv[argv_index(&c, "--pcm-capacity") + 1], "7680b");
  assert_string_equal(c.argv[argv_index(&c, "--state") + 1], "init");
  assert_string_equal(c.argv[argv_index(&c, "--state-size") + 1], "0");
  assert_string_equal(c.argv[argv_index(&c, "--threads") + 1], "4");
  assert_true(argv_index(&c, "--lock") > 0);
  assert_true(argv_index(&c, "--check-only") > 0);
  assert_int_equal(argv_index(&c, "--compare"), -1); /* nothing to compare without calls */
  assert_int_equal(argv_index(&c, "--fec"), -1);
  assert_int_equal(argv_index(&c, "--reset-every"), -1);
}

/* ---- Analysis of synthetic runs. */

#define PCM 0x7f0000100000ull

static char events[1 << 18];
static size_t events_len;

static void ev(const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(events + events_len, sizeof events - events_len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof events - events_len) fail_msg("test event buffer full");
  events_len += (size_t)n;
}

/* The incident: stereo, frame_size 5760 into a 1920-sample float buffer;
 * every call is a latent violation until record fault_at, whose call
 * starts and never returns. pcm at pcm_addr. */
static void incident_events(unsigned long long pcm_addr, int fault_at) {
  int i;
  events_len = 0;
  ev("start lib=system opus=libopus%%201.3.1 model=caller rate=48000 channels=2 sample=float "
     "frame_size=5760 pcm_capacity=1920 state=create state_size=0 threads=1 lock=0 fec=0\n");
  ev("buffer name=input addr=0x600000 size=3299 how=heap\n");
  ev("call index=-1 offset=0 len=0 kind=create api=opus_decoder_create frame_size=0 thread=0\n");
  ev("buffer name=pcm addr=0x%llx size=7680 how=guard\n", pcm_addr);
  for (i = 0; i <= fault_at; i++) {
    ev("buffer name=packet addr=0x%x size=120 how=guard\n", 0x900000 + i * 0x1000);
    ev("contract index=%d rule=pcm-capacity fault=%d detail=frame_size%%205760%%20x%%202\n", i,
       i == fault_at);
    ev("call index=%d offset=%d len=120 kind=packet api=opus_decode_float frame_size=5760 "
       "thread=0\n", i, i * 122);
    if (i < fault_at) ev("ret index=%d ret=960 range=1 thread=0\n", i);
  }
}

static void fake_child(oh_child_result *cr, const char *err_text) {
  memset(cr, 0, sizeof *cr);
  cr->exited = 1;
  cr->result.data = events;
  cr->result.len = events_len;
  cr->err.data = (char *)(err_text ? err_text : "");
  cr->err.len = strlen(cr->err.data);
}

static void killed(oh_child_result *cr, int sig) {
  cr->exited = 0;
  cr->signaled = 1;
  cr->term_signal = sig;
}

static oh_replay_result *analyze(oh_replay_tool t, const char *lib, const oh_child_result *cr) {
  oh_replay_result *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->tool = t;
  snprintf(r->lib, sizeof r->lib, "%s", lib);
  oh_replay_analyze(cr, r);
  return r;
}

static void assert_incident_contract(const oh_replay_result *r, int fault_at) {
  assert_true(r->first_latent.present);
  assert_int_equal(r->first_latent.index, 0);
  assert_false(r->first_latent.fault_expected);
  assert_true(r->first_fault.present);
  assert_int_equal(r->first_fault.index, fault_at);
  assert_true(r->first_fault.fault_expected);
  assert_int_equal(r->n_latent, fault_at);
  assert_int_equal(r->n_fault, 1);
  assert_int_equal(r->n_call_rules, 1);
  assert_string_equal(r->call_rules[0].rule, "pcm-capacity");
  assert_true(r->call_rules[0].fault_expected);
  assert_string_equal(r->call_rules[0].detail, "frame_size 5760 x 2");
}

static void test_guard_fault_names_packet_and_pcm(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 12);
  ev("guard-fault addr=0x%llx access=WRITE buffer=pcm offset=7680 size=7680 relation=after-end "
     "by=0 signal=SIGSEGV\n", PCM + 7680);
  fake_child(&cr, NULL);
  killed(&cr, SIGSEGV);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH);
  assert_string_equal(r->why, "crash (SIGSEGV)");
  assert_int_equal(r->fault_index, 12);
  assert_true(r->fault_call.present);
  assert_false(r->fault_call.returned);
  assert_string_equal(r->fault_call.api, "opus_decode_float");
  assert_int_equal(r->fault_call.frame_size, 5760);
  assert_string_equal(r->finding.source, "guard");
  assert_string_equal(r->finding.kind, "buffer-overflow");
  assert_string_equal(r->finding.access, "WRITE");
  assert_string_equal(r->finding.signal, "SIGSEGV");
  assert_true(r->finding.has_buffer);
  assert_string_equal(r->finding.buffer, "pcm");
  assert_string_equal(r->finding.relation, "after-end");
  assert_int_equal(r->finding.buffer_offset, 7680);
  assert_int_equal(r->finding.by, 0);
  assert_incident_contract(r, 12);
  assert_string_equal(r->opus_version, "libopus 1.3.1");
  assert_int_equal(r->pcm_capacity, 1920);
  free(r);
}

static char *fixture(const char *name) {
  char rel[256], path[1024];
  size_t len;
  char *data, *z;
  snprintf(rel, sizeof rel, "harness/tests/data/sanreports/%s", name);
  data = (char *)oh_test_read(oh_test_path(rel, path, sizeof path), &len);
  assert_non_null(z = realloc(data, len + 1));
  z[len] = '\0';
  return z;
}

static void test_asan_report_attributed_to_pcm(void **state) {
  /* The fixture: WRITE of size 4, 0 bytes right of [0x624000002100, +7680). */
  char *err = fixture("asan-heap-buffer-overflow-write.txt");
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(0x624000002100ull, 12);
  fake_child(&cr, err);
  cr.exit_code = 1;
  r = analyze(OH_UNDER_ASAN, "asan", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_SANITIZER);
  assert_int_equal(r->fault_index, 12);
  assert_string_equal(r->finding.source, "asan");
  assert_string_equal(r->finding.kind, "heap-buffer-overflow");
  assert_string_equal(r->finding.access, "WRITE");
  assert_int_equal(r->finding.size, 4);
  assert_int_equal(r->finding.address, 0x624000003f00ull);
  assert_string_equal(r->finding.buffer, "pcm");
  assert_string_equal(r->finding.relation, "after-end");
  assert_int_equal(r->finding.buffer_offset, 7680);
  assert_int_equal(r->finding.by, 0);
  assert_true(r->finding.nframes >= 3);
  assert_string_equal(r->finding.frames[1].function, "put_sample");
  assert_incident_contract(r, 12);
  free(r);
  free(err);
}

static void test_valgrind_report_attributed_to_pcm(void **state) {
  /* The fixture: Invalid write of size 4 at 0x4a43e40, 0 bytes after a
   * block of size 7,680, which therefore starts at 0x4a42040. */
  char *err = fixture("valgrind-invalid-write.txt");
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(0x4a42040ull, 12);
  fake_child(&cr, err);
  cr.exit_code = 99;
  r = analyze(OH_UNDER_VALGRIND, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_SANITIZER);
  assert_int_equal(r->fault_index, 12);
  assert_string_equal(r->finding.access, "WRITE");
  assert_string_equal(r->finding.buffer, "pcm");
  assert_string_equal(r->finding.relation, "after-end");
  assert_int_equal(r->finding.buffer_offset, 7680);
  assert_incident_contract(r, 12);
  free(r);
  free(err);
}

static void test_plain_signal_crash_without_guard(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 3);
  fake_child(&cr, "");
  killed(&cr, SIGBUS);
  r = analyze(OH_UNDER_PLAIN, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH);
  assert_string_equal(r->finding.source, "signal");
  assert_string_equal(r->finding.kind, "BUS");
  assert_string_equal(r->finding.access, "UNKNOWN");
  assert_false(r->finding.has_buffer);
  assert_int_equal(r->fault_index, 3);
  free(r);
}

static void test_glibc_abort_is_heap_corruption_not_blamed(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 5);
  fake_child(&cr, "free(): invalid next size (normal)\n");
  killed(&cr, SIGABRT);
  r = analyze(OH_UNDER_PLAIN, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH);
  assert_string_equal(r->finding.kind, "heap-corruption");
  assert_int_equal(r->fault_index, -1); /* noticed later than the overrun */
  assert_true(r->fault_call.present);
  free(r);
}

/* Two threads on one decoder: thread 1's call is the one still inside. */
static void test_last_call_per_thread(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  ev("start model=shared-decoder-race threads=2\n");
  ev("call index=4 len=10 kind=packet api=opus_decode thread=0\n");
  ev("call index=5 len=10 kind=packet api=opus_decode thread=1\n");
  ev("ret index=4 ret=960 thread=0\n");
  ev("call index=6 len=10 kind=packet api=opus_decode thread=0\n");
  ev("ret index=6 ret=960 thread=0\n");
  fake_child(&cr, NULL);
  killed(&cr, SIGSEGV);
  r = analyze(OH_UNDER_PLAIN, "system", &cr);
  assert_int_equal(r->nthreads, 2);
  assert_string_equal(r->threads[0].thread, "0");
  assert_int_equal(r->threads[0].index, 6);
  assert_true(r->threads[0].returned);
  assert_int_equal(r->threads[1].index, 5);
  assert_false(r->threads[1].returned);
  assert_string_equal(r->fault_call.thread, "1");
  assert_int_equal(r->fault_index, 5);
  free(r);
}

static void test_timeout_blames_call_in_flight(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 7);
  fake_child(&cr, NULL);
  killed(&cr, SIGKILL);
  cr.timed_out = 1;
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_TIMEOUT);
  assert_int_equal(r->fault_index, 7);
  assert_false(r->finding.present);
  cr.timed_out = 0;
  cr.oom = 1;
  free(r);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_OOM);
  assert_int_equal(r->fault_index, 7);
  free(r);
}

static void test_clean_contract_and_divergence(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  ev("start model=reference\ncall index=0 kind=packet api=opus_decode thread=0\n"
     "ret index=0 ret=960 thread=0\nend calls=1 records=1 errors=0\n");
  fake_child(&cr, NULL);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CLEAN);
  assert_int_equal(r->fault_index, -1);
  assert_true(r->end_seen);
  assert_int_equal(r->end_packets, 1);
  free(r);
  ev("contract index=0 rule=frame-size fault=0 detail=x\n");
  fake_child(&cr, NULL);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CONTRACT);
  assert_int_equal(r->fault_index, 0);
  free(r);
  ev("diverge index=3 what=ret expected=960 got=-4\n");
  fake_child(&cr, NULL);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_DIVERGENCE);
  assert_int_equal(r->fault_index, 3);
  assert_string_equal(r->diverge_got, "-4");
  free(r);
}

static void test_runner_refusal_is_error(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  fake_child(&cr, "oh-runner: --frame-size takes a number, not 'x'\n");
  cr.exit_code = 3;
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_ERROR);
  assert_string_equal(r->why, "runner refused: oh-runner: --frame-size takes a number, not 'x'");
  free(r);
}

static void test_sanitizer_exit_without_report(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 2);
  fake_child(&cr, "garbage that is no report\n");
  cr.exit_code = 77;
  r = analyze(OH_UNDER_MSAN, "msan", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_SANITIZER);
  assert_string_equal(r->finding.kind, "unknown");
  assert_int_equal(r->fault_index, 2);
  free(r);
  r = analyze(OH_UNDER_GUARD, "system", &cr); /* 77 means nothing without MSan */
  assert_int_equal(r->verdict, OH_VERDICT_ERROR);
  free(r);
}

/* TSan keeps going after a race: after `end`, no call is blamed, but the
 * racing address still lands in the decoder state. */
static void test_tsan_race_after_end_hits_state(void **state) {
  char *err = fixture("tsan-heap-data-race.txt");
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  ev("start model=shared-decoder-race threads=2\n");
  ev("buffer name=state addr=0x7b0400000000 size=8 how=heap\n");
  ev("call index=0 kind=packet api=opus_decode thread=0\nret index=0 ret=960 thread=0\n");
  ev("end calls=1 records=1 errors=0\n");
  fake_child(&cr, err);
  cr.exit_code = 66;
  r = analyze(OH_UNDER_TSAN, "tsan", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_SANITIZER);
  assert_string_equal(r->finding.kind, "data-race");
  assert_false(r->fault_call.present);
  assert_int_equal(r->fault_index, -1);
  assert_string_equal(r->finding.buffer, "state");
  assert_string_equal(r->finding.relation, "inside");
  assert_true(r->nnotes > 0);
  free(r);
  free(err);
}

static void test_address_in_freed_buffer(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  char err[512];
  events_len = 0;
  ev("start model=packet-freed-early\nbuffer name=packet addr=0x1000 size=64 how=heap\n");
  ev("contract index=0 rule=packet-freed fault=1 detail=d\nfree name=packet addr=0x1000\n");
  ev("call index=0 len=64 kind=packet api=opus_decode thread=0\n");
  /* No region in the report: the range match finds the freed buffer. */
  snprintf(err, sizeof err, "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000001010 "
           "(pc 0x1 bp 0x2 sp 0x3 T0)\n==1==The signal is caused by a READ memory access.\n");
  fake_child(&cr, err);
  cr.exit_code = 1;
  r = analyze(OH_UNDER_ASAN, "asan", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH); /* a SEGV report is a crash */
  assert_string_equal(r->finding.kind, "SEGV");
  assert_string_equal(r->finding.buffer, "packet");
  assert_string_equal(r->finding.relation, "freed");
  assert_int_equal(r->finding.buffer_offset, 0x10);
  assert_string_equal(r->call_rules[0].rule, "packet-freed");
  free(r);
}

/* Hundreds of packet copies must not push the pcm buffer out of the table. */
static void test_pcm_survives_many_packet_buffers(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  incident_events(PCM, 300);
  ev("guard-fault addr=0x%llx access=WRITE buffer=none signal=SIGSEGV\n", PCM + 7690);
  fake_child(&cr, NULL);
  killed(&cr, SIGSEGV);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  assert_int_equal(r->fault_index, 300);
  /* the guard line names no buffer: no attribution from it */
  assert_false(r->finding.has_buffer);
  assert_int_equal(r->n_latent, 300);
  {
    int i, pcm = 0;
    for (i = 0; i < r->nbuffers; i++) pcm |= !strcmp(r->buffers[i].name, "pcm");
    assert_true(pcm);
  }
  free(r);
}

/* A capture over its cap: head, marker, tail; the lines the marker cut
 * must not be read as events. */
static void test_truncated_capture_drops_cut_lines(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  ev("start model=caller\ncall index=1 kind=packet api=opus_decode thread=0\nret ind");
  ev("\n[opushunt: 999 bytes dropped here]\n");
  ev("ex=77 ret=1 thread=0\ncall index=9 kind=packet api=opus_decode thread=0\n");
  fake_child(&cr, NULL);
  cr.result.truncated = 1;
  killed(&cr, SIGSEGV);
  r = analyze(OH_UNDER_PLAIN, "system", &cr);
  assert_int_equal(r->fault_index, 9);
  assert_false(r->fault_call.returned);
  free(r);
}

static void test_no_events_noted(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  events_len = 0;
  fake_child(&cr, NULL);
  killed(&cr, SIGILL);
  r = analyze(OH_UNDER_PLAIN, "system", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH);
  assert_int_equal(r->fault_index, -1);
  assert_non_null(strstr(r->notes[0], "no events"));
  free(r);
}

/* ---- Fuzz targets (--target, OHS1 scripts). */

static void test_target_names_from_targets_file(void **state) {
  const char *const *t = oh_replay_target_list();
  assert_non_null(t[0]);
  assert_string_equal(t[0], "packet"); /* harness/fuzzers/TARGETS' first line */
  assert_true(oh_replay_target_known("pipeline"));
  assert_true(oh_replay_target_known("readers"));
  assert_false(oh_replay_target_known("auto"));
  assert_false(oh_replay_target_known("pipe"));
  assert_false(oh_replay_target_known(NULL));
}

static void test_cmd_passes_target(void **state) {
  oh_replay_options o;
  oh_replay_cmd c;
  oh_error err;
  options(&o);
  o.target = "packet";
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_ASAN, "asan", "/r/oh-runner-asan", &c, &err),
                   OH_OK);
  assert_int_equal(argv_index(&c, "--target"), 1);
  assert_string_equal(c.argv[2], "packet");
  o.target = "auto"; /* the runner picks: nothing passed */
  assert_int_equal(oh_replay_build_cmd(&o, OH_UNDER_ASAN, "asan", "/r/oh-runner-asan", &c, &err),
                   OH_OK);
  assert_int_equal(argv_index(&c, "--target"), -1);
}

/* A 20-byte OHS1 header with this api. */
static void script_header(uint8_t *h, int api) {
  memset(h, 0, 20);
  memcpy(h, "OHS1", 4);
  h[4] = (uint8_t)api;
  h[6] = 2;
  h[12] = 0xbb;
  h[13] = 0x80;
}

static void test_input_target_choice(void **state) {
  static const uint8_t stream[] = {0, 3, 0xfc, 1, 2};
  uint8_t h[20];
  oh_replay_options o;
  int reported = -1;
  oh_replay_options_init(&o);
  assert_null(oh_replay_input_target(&o, stream, sizeof stream, &reported));
  assert_int_equal(reported, 1);
  script_header(h, 5);
  assert_string_equal(oh_replay_input_target(&o, h, sizeof h, &reported), "pipeline");
  assert_int_equal(reported, 1); /* the runner's pipeline, from the header */
  script_header(h, 0);
  assert_string_equal(oh_replay_input_target(&o, h, sizeof h, &reported), "stream");
  assert_int_equal(reported, 0);
  assert_null(oh_replay_input_target(&o, h, 19, &reported)); /* header cut short */
  o.format = OH_FMT_LP16BE; /* told it is a stream: the pipeline reads it as one */
  assert_null(oh_replay_input_target(&o, h, sizeof h, &reported));
  o.target = "readers";
  assert_string_equal(oh_replay_input_target(&o, stream, sizeof stream, &reported), "readers");
  assert_int_equal(reported, 0);
}

/* A fuzz target's run: a start event, the input buffer, nothing else. */
static void target_events(const char *target) {
  events_len = 0;
  ev("start lib=asan opus=libopus%%201.3.1 target=%s\n", target);
  ev("buffer name=input addr=0x602000000010 size=300 how=heap\n");
}

static oh_replay_result *analyze_target(const char *target, const oh_child_result *cr) {
  oh_replay_result *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->tool = OH_UNDER_ASAN;
  snprintf(r->lib, sizeof r->lib, "asan");
  snprintf(r->target, sizeof r->target, "%s", target);
  oh_replay_analyze(cr, r);
  return r;
}

static void test_target_oracle_is_a_crash_with_no_record(void **state) {
  oh_child_result cr;
  oh_replay_result *r;
  target_events("pipeline");
  fake_child(&cr, "opushunt-oracle: pipeline: model length-truncated: record #0 differs from the "
                  "reference session\n");
  killed(&cr, SIGABRT);
  r = analyze_target("pipeline", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CRASH);
  assert_string_equal(r->finding.source, "oracle");
  assert_string_equal(r->finding.kind, "oracle-divergence");
  assert_non_null(strstr(r->why, "crash (SIGABRT): opushunt-oracle: pipeline: model"));
  assert_int_equal(r->fault_index, -1);
  assert_false(r->fault_call.present);
  assert_non_null(strstr(r->notes[0], "fuzz target pipeline reports no calls"));
  assert_non_null(strstr(r->notes[0], "without --target"));
  free(r);
}

static void test_target_asan_report_and_clean_run(void **state) {
  static const char asan[] =
      "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x60200000013c at pc 0x1 "
      "bp 0x2 sp 0x3\nREAD of size 1 at 0x60200000013c thread T0\n"
      "    #0 0x4 in opus_packet_parse_impl src/opus.c:240:7\n\n"
      "0x60200000013c is located 0 bytes to the right of 300-byte region "
      "[0x602000000010,0x60200000013c)\nSUMMARY: AddressSanitizer: heap-buffer-overflow\n";
  oh_child_result cr;
  oh_replay_result *r;
  target_events("packet");
  fake_child(&cr, asan);
  cr.exit_code = 1;
  r = analyze_target("packet", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_SANITIZER);
  assert_string_equal(r->finding.kind, "heap-buffer-overflow");
  assert_string_equal(r->finding.buffer, "input"); /* the bytes the target was given */
  assert_string_equal(r->finding.relation, "after-end");
  assert_int_equal(r->fault_index, -1);
  assert_non_null(strstr(r->notes[0], "fuzz target packet reports no calls"));
  free(r);
  target_events("readers");
  fake_child(&cr, NULL);
  r = analyze_target("readers", &cr);
  assert_int_equal(r->verdict, OH_VERDICT_CLEAN);
  assert_int_equal(r->nnotes, 0);
  free(r);
}

static void test_scan_keeps_a_targets_unreadable_input(void **state) {
  static const uint8_t garbage[] = {0xff, 0xff, 1, 2, 3};
  oh_replay_options o;
  oh_replay_input in;
  oh_error err;
  oh_replay_options_init(&o);
  o.format = OH_FMT_LP16BE;
  assert_int_not_equal(oh_replay_scan_input(&o, garbage, sizeof garbage, &in, &err), OH_OK);
  o.target = "readers";
  assert_int_equal(oh_replay_scan_input(&o, garbage, sizeof garbage, &in, &err), OH_OK);
  assert_true(in.unreadable);
  assert_string_equal(in.target, "readers");
  assert_int_equal(in.tail.offset, 0);
  assert_non_null(strstr(in.describe, "fuzz target readers"));
}

/* ---- Input side. */

static uint8_t *incident_input(size_t *len) {
  char path[1024];
  return oh_test_read(oh_test_path("corpus/replay/stereo-20ms-packet12-60ms.lp16be", path,
                                   sizeof path), len);
}

static void test_locate_packet_12(void **state) {
  oh_replay_options o;
  oh_replay_input in;
  oh_replay_result *r = calloc(1, sizeof *r);
  oh_error err;
  size_t len;
  uint8_t *buf = incident_input(&len);
  oh_replay_options_init(&o);
  o.format = OH_FMT_LP16BE;
  assert_int_equal(oh_replay_scan_input(&o, buf, len, &in, &err), OH_OK);
  assert_int_equal(in.records, 24);
  assert_false(in.tail_error);
  r->fault_index = 12;
  oh_replay_locate(&o, buf, len, r);
  assert_true(r->packet.present);
  assert_int_equal(r->packet.index, 12);
  assert_int_equal(r->packet.offset, 1596);
  assert_int_equal(r->packet.len, 362);
  assert_true(r->packet.valid);
  assert_int_equal(r->packet.duration48, 2880); /* the 60 ms packet */
  assert_int_equal(r->packet.head_len, 16);
  assert_int_equal(r->packet.head[0], buf[1596 + 2]);
  free(r);
  free(buf);
}

static void test_scan_rejects_garbage_accepts_cut_tail(void **state) {
  static const uint8_t garbage[] = {0xff, 0xff, 1, 2, 3};
  oh_replay_options o;
  oh_replay_input in;
  oh_error err;
  size_t len;
  uint8_t *buf = incident_input(&len);
  oh_replay_options_init(&o);
  o.format = OH_FMT_LP16BE;
  assert_int_not_equal(oh_replay_scan_input(&o, garbage, sizeof garbage, &in, &err), OH_OK);
  assert_int_equal(err.offset, 0);
  /* Cut the last record short: a crash log's usual end. */
  assert_int_equal(oh_replay_scan_input(&o, buf, len - 5, &in, &err), OH_OK);
  assert_true(in.tail_error);
  assert_int_equal(in.records, 23);
  free(buf);
}

/* Record idx of buf read as fmt: its bytes and length. */
static const uint8_t *record_at(oh_format fmt, const uint8_t *buf, size_t len, uint64_t idx,
                                size_t *n, oh_reader **keep) {
  oh_record rec;
  oh_error err;
  assert_int_equal(oh_reader_open(keep, fmt, buf, len, NULL, &err), OH_OK);
  while (oh_reader_next(*keep, &rec, &err) == 1)
    if (rec.index == idx) {
      *n = rec.len;
      return rec.data;
    }
  fail_msg("record %llu not found", (unsigned long long)idx);
  return NULL;
}

static void test_extract_writes_bit_file(void **state) {
  oh_replay_options o;
  oh_replay_input in;
  oh_error err;
  size_t len, blen, i;
  uint8_t *buf = incident_input(&len), *bit;
  char *out = oh_test_tmpfile("", 0);
  oh_replay_options_init(&o);
  o.format = OH_FMT_LP16BE;
  assert_int_equal(oh_replay_extract(&o, buf, len, 10, 12, out, &err), OH_OK);
  bit = oh_test_read(out, &blen);
  o.format = OH_FMT_BIT;
  assert_int_equal(oh_replay_scan_input(&o, bit, blen, &in, &err), OH_OK);
  assert_int_equal(in.records, 3);
  for (i = 0; i < 3; i++) { /* record 10 + i of the input is record i of the .bit */
    oh_reader *a = NULL, *b = NULL;
    size_t na, nb;
    const uint8_t *da = record_at(OH_FMT_LP16BE, buf, len, 10 + i, &na, &a);
    const uint8_t *db = record_at(OH_FMT_BIT, bit, blen, i, &nb, &b);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    oh_reader_close(a);
    oh_reader_close(b);
  }
  /* lp16 records carry no final range: the extract holds the reference
   * decoder's, which must verify bit-exactly when the .bit is decoded. */
  assert_int_not_equal(bit[4] | bit[5] | bit[6] | bit[7], 0);
  {
    oh_reader *r = NULL;
    oh_session *s = NULL;
    oh_session_config cfg;
    oh_decode_stats st;
    oh_session_config_init(&cfg);
    assert_int_equal(oh_reader_open(&r, OH_FMT_BIT, bit, blen, NULL, &err), OH_OK);
    assert_int_equal(oh_session_create(&s, &cfg, &err), OH_OK);
    assert_int_equal(oh_decode_run(r, s, NULL, NULL, NULL, &st, &err), OH_OK);
    assert_int_equal(st.range_checked, 3);
    assert_int_equal(st.range_mismatches, 0);
    oh_session_destroy(s);
    oh_reader_close(r);
  }
  o.format = OH_FMT_LP16BE;
  assert_int_equal(oh_replay_extract(&o, buf, len, 20, 30, out, &err), OH_ERR_ARG);
  unlink(out);
  free(out);
  free(bit);
  free(buf);
}

/* ---- JSON shape. */

static char *json_of(const oh_replay_result *r, int n) {
  oh_replay_input in;
  oh_replay_skip skip = {OH_UNDER_MSAN, "msan", "runner for lib 'msan' not built"};
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  memset(&in, 0, sizeof in);
  in.path = "in.lp16be";
  in.format = OH_FMT_LP16BE;
  in.records = 24;
  assert_non_null(f);
  oh_replay_json(f, &in, r, n, &skip, 1);
  fclose(f);
  return text;
}

static int balanced(const char *s) {
  int depth = 0, in_str = 0;
  for (; *s; s++) {
    if (in_str) {
      if (*s == '\\' && s[1]) s++;
      else if (*s == '"') in_str = 0;
    } else if (*s == '"') {
      in_str = 1;
    } else if (*s == '{' || *s == '[') {
      depth++;
    } else if (*s == '}' || *s == ']') {
      if (--depth < 0) return 0;
    }
  }
  return depth == 0 && !in_str;
}

static void test_json_shape(void **state) {
  static const char *const want[] = {
      "\"schema\": \"opushunt-replay/1\"", "\"verdict\": \"crash\"", "\"runs\": [",
      "\"tool\": \"guard\"", "\"lib\": \"system\"", "\"fault\": {", "\"index\": 12",
      "\"call\": {", "\"api\": \"opus_decode_float\"", "\"returned\": false",
      "\"finding\": {", "\"source\": \"guard\"", "\"access\": \"WRITE\"",
      "\"buffer\": {", "\"name\": \"pcm\"", "\"relation\": \"after-end\"", "\"offset\": 7680",
      "\"first_latent\": {", "\"first_fault_expected\": {", "\"rule\": \"pcm-capacity\"",
      "\"fault_expected\": true", "\"skipped\": [", "\"divergence\": null",
      "\"address\": \"0x7f0000101e00\"", "\"records\": 24"};
  oh_child_result cr;
  oh_replay_result *r;
  char *text;
  size_t i;
  incident_events(PCM, 12);
  ev("guard-fault addr=0x%llx access=WRITE buffer=pcm offset=7680 size=7680 relation=after-end "
     "by=0 signal=SIGSEGV\n", PCM + 7680);
  fake_child(&cr, NULL);
  killed(&cr, SIGSEGV);
  r = analyze(OH_UNDER_GUARD, "system", &cr);
  text = json_of(r, 1);
  assert_true(balanced(text));
  for (i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(text, want[i])) fail_msg("JSON lacks %s:\n%s", want[i], text);
  free(text);
  free(r);
}

static void test_overall_verdict(void **state) {
  oh_replay_result runs[3];
  memset(runs, 0, sizeof runs);
  runs[0].verdict = OH_VERDICT_CLEAN;
  runs[1].verdict = OH_VERDICT_ERROR;
  runs[2].verdict = OH_VERDICT_CLEAN;
  assert_int_equal(oh_replay_overall(runs, 3), OH_VERDICT_ERROR);
  runs[2].verdict = OH_VERDICT_SANITIZER;
  assert_int_equal(oh_replay_overall(runs, 3), OH_VERDICT_SANITIZER);
  assert_int_equal(oh_replay_overall(runs, 1), OH_VERDICT_CLEAN);
  assert_int_equal(oh_replay_overall(runs, 0), OH_VERDICT_CLEAN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tool_names_round_trip),
      cmocka_unit_test(test_default_lib_per_tool),
      cmocka_unit_test(test_every_default_combination_is_valid),
      cmocka_unit_test(test_asan_on_system_lib_teaches),
      cmocka_unit_test(test_sanitizer_on_other_sanitizer_refused),
      cmocka_unit_test(test_valgrind_refuses_instrumented_runner),
      cmocka_unit_test(test_guard_and_plain_take_any_lib),
      cmocka_unit_test(test_runner_path_messages),
      cmocka_unit_test(test_cmd_guard),
      cmocka_unit_test(test_cmd_asan_env),
      cmocka_unit_test(test_cmd_sanitizer_envs),
      cmocka_unit_test(test_cmd_valgrind_wraps_runner),
      cmocka_unit_test(test_cmd_passes_caller_and_input_options),
      cmocka_unit_test(test_guard_fault_names_packet_and_pcm),
      cmocka_unit_test(test_asan_report_attributed_to_pcm),
      cmocka_unit_test(test_valgrind_report_attributed_to_pcm),
      cmocka_unit_test(test_plain_signal_crash_without_guard),
      cmocka_unit_test(test_glibc_abort_is_heap_corruption_not_blamed),
      cmocka_unit_test(test_last_call_per_thread),
      cmocka_unit_test(test_timeout_blames_call_in_flight),
      cmocka_unit_test(test_clean_contract_and_divergence),
      cmocka_unit_test(test_runner_refusal_is_error),
      cmocka_unit_test(test_sanitizer_exit_without_report),
      cmocka_unit_test(test_tsan_race_after_end_hits_state),
      cmocka_unit_test(test_address_in_freed_buffer),
      cmocka_unit_test(test_pcm_survives_many_packet_buffers),
      cmocka_unit_test(test_truncated_capture_drops_cut_lines),
      cmocka_unit_test(test_no_events_noted),
      cmocka_unit_test(test_target_names_from_targets_file),
      cmocka_unit_test(test_cmd_passes_target),
      cmocka_unit_test(test_input_target_choice),
      cmocka_unit_test(test_target_oracle_is_a_crash_with_no_record),
      cmocka_unit_test(test_target_asan_report_and_clean_run),
      cmocka_unit_test(test_scan_keeps_a_targets_unreadable_input),
      cmocka_unit_test(test_locate_packet_12),
      cmocka_unit_test(test_scan_rejects_garbage_accepts_cut_tail),
      cmocka_unit_test(test_extract_writes_bit_file),
      cmocka_unit_test(test_json_shape),
      cmocka_unit_test(test_overall_verdict),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
