/* Tests for the child-process runner, with /bin/sh snippets as targets:
 * exit codes, death by each crash signal, a hang cut by the timeout, a
 * memory hog cut by the RSS limit, huge output under a cap, a hanging
 * grandchild, the result pipe, environment, stdin and a missing program. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opushunt/child.h"
#include "test_util.h"

/* Runs `sh -c script` with opts (argv is filled in) and asserts it ran. */
static void run_sh(oh_child_opts *o, const char *script, oh_child_result *res) {
  char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
  oh_error err;
  int rc;
  oh_error_clear(&err);
  o->argv = argv;
  rc = oh_child_run(o, res, &err);
  if (rc != OH_OK) fail_msg("oh_child_run(%s): %s", script, err.reason);
  o->argv = NULL;
}

static oh_child_verdict run_simple(const char *script, oh_child_result *res) {
  oh_child_opts o;
  oh_child_opts_init(&o);
  o.timeout_ms = 20000;
  run_sh(&o, script, res);
  return oh_child_verdict_of(res);
}

static void assert_group_gone(pid_t pgid) {
  unsigned n = 1;
  assert_int_equal(oh_child_group_usage(pgid, &n, NULL), OH_OK);
  assert_int_equal(n, 0);
}

static void test_clean_exit_captures_stdout(void **state) {
  oh_child_result r;
  char what[64];
  assert_int_equal(run_simple("printf hello; printf oops >&2", &r),
                   OH_CHILD_CLEAN);
  assert_true(r.exited);
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out.data, "hello");
  assert_string_equal(r.err.data, "oops");
  assert_false(r.out.truncated);
  oh_child_describe(&r, what, sizeof what);
  assert_string_equal(what, "clean");
  oh_child_result_free(&r);
}

static void test_exit_code_3(void **state) {
  oh_child_result r;
  char what[64];
  assert_int_equal(run_simple("exit 3", &r), OH_CHILD_EXIT);
  assert_int_equal(r.exit_code, 3);
  oh_child_describe(&r, what, sizeof what);
  assert_string_equal(what, "exit 3");
  oh_child_result_free(&r);
}

static void test_crash_signals_named(void **state) {
  static const struct { const char *kill; int sig; const char *name; } s[] = {
      {"SEGV", SIGSEGV, "SIGSEGV"}, {"ABRT", SIGABRT, "SIGABRT"},
      {"BUS", SIGBUS, "SIGBUS"},    {"FPE", SIGFPE, "SIGFPE"},
      {"ILL", SIGILL, "SIGILL"},    {"KILL", SIGKILL, "SIGKILL"},
  };
  size_t i;
  for (i = 0; i < sizeof s / sizeof s[0]; i++) {
    char script[64], what[64], want[64];
    oh_child_result r;
    snprintf(script, sizeof script, "kill -%s $$", s[i].kill);
    assert_int_equal(run_simple(script, &r), OH_CHILD_CRASH);
    assert_true(r.signaled);
    assert_int_equal(r.term_signal, s[i].sig);
    assert_string_equal(oh_signal_name(r.term_signal), s[i].name);
    oh_child_describe(&r, what, sizeof what);
    snprintf(want, sizeof want, "crash (%s)", s[i].name);
    assert_string_equal(what, want);
    oh_child_result_free(&r);
  }
}

/* The child ignores SIGTERM and its background job hangs too: the kill must
 * be SIGKILL to the whole group. */
static void test_hang_killed_at_timeout(void **state) {
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.timeout_ms = 300;
  run_sh(&o, "trap '' TERM; sleep 100 & sleep 100; wait", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_TIMEOUT);
  assert_true(r.timed_out);
  assert_true(r.wall_us >= 300000);
  assert_true(r.wall_us < 5000000);
  assert_group_gone(r.pid);
  oh_child_result_free(&r);
}

/* tail keeps a line it has not seen the end of: /dev/zero has no newline. */
static void test_memory_hog_killed_by_rss_limit(void **state) {
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.timeout_ms = 30000;
  o.rss_limit = 64u << 20;
  run_sh(&o, "head -c 4000000000 /dev/zero | tail", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_OOM);
  assert_true(r.peak_rss > o.rss_limit);
  assert_true(r.wall_us < 20000000);
  assert_group_gone(r.pid);
  oh_child_result_free(&r);
}

static void test_address_space_and_core_limits_applied(void **state) {
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.as_limit = 256u << 20;
  run_sh(&o, "ulimit -v; ulimit -c", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_CLEAN);
  assert_string_equal(r.out.data, "262144\n0\n");
  oh_child_result_free(&r);
}

/* 50 MB to stderr under a 1 MB cap: the start and the end are both kept,
 * as a sanitizer report at the end must never be lost. */
static void test_huge_stderr_keeps_both_ends(void **state) {
  oh_child_opts o;
  oh_child_result r;
  const char *end;
  oh_child_opts_init(&o);
  o.timeout_ms = 60000;
  o.output_cap = 1u << 20;
  run_sh(&o, "printf BEGIN >&2; head -c 50000000 /dev/zero | tr '\\0' x >&2;"
             " printf 'ASan report END' >&2; echo out", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_CLEAN);
  assert_true(r.err.truncated);
  assert_int_equal(r.err.total, 5 + 50000000 + 15);
  assert_true(r.err.len < o.output_cap + 100);
  assert_memory_equal(r.err.data, "BEGINxxx", 8);
  end = r.err.data + r.err.len - 15;
  assert_string_equal(end, "ASan report END");
  assert_non_null(strstr(r.err.data, "bytes dropped here"));
  assert_string_equal(r.out.data, "out\n");
  assert_false(r.out.truncated);
  oh_child_result_free(&r);
}

static void test_grandchild_hang_killed_with_group(void **state) {
  oh_child_result r;
  assert_int_equal(run_simple("sleep 100 & echo started", &r), OH_CHILD_CLEAN);
  assert_string_equal(r.out.data, "started\n");
  assert_true(r.wall_us < 5000000);
  assert_group_gone(r.pid);
  oh_child_result_free(&r);
}

static void test_fork_storm_killed(void **state) {
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.timeout_ms = 300;
  run_sh(&o, "i=0; while [ $i -lt 3000 ]; do sleep 100 & i=$((i+1)); done;"
             " wait", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_TIMEOUT);
  assert_group_gone(r.pid);
  oh_child_result_free(&r);
}

static void test_result_pipe_receives_lines(void **state) {
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.result_fd = 3;
  o.result_env = "OH_RESULT_FD";
  run_sh(&o, "echo '{\"calling\":0}' >&3; echo \"fd=$OH_RESULT_FD\" >&3;"
             " kill -SEGV $$", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_CRASH);
  assert_string_equal(r.result.data, "{\"calling\":0}\nfd=3\n");
  oh_child_result_free(&r);
}

static void test_env_cwd_and_stdin_passed(void **state) {
  const char *env[] = {"OH_X=hello world", "HOME=/nowhere", NULL};
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  o.env_add = env;
  o.cwd = "/";
  o.stdin_data = "fed\n";
  o.stdin_len = 4;
  run_sh(&o, "printf '%s|%s|' \"$OH_X\" \"$HOME\"; pwd; cat", &r);
  assert_string_equal(r.out.data, "hello world|/nowhere|/\nfed\n");
  oh_child_result_free(&r);
}

/* 8 MB of stdin to a child that reads 10 bytes and leaves: the parent must
 * see EPIPE, not die of SIGPIPE. */
static void test_child_closing_stdin_and_stdout_early(void **state) {
  size_t len = 8u << 20;
  char *big = malloc(len);
  oh_child_opts o;
  oh_child_result r;
  assert_non_null(big);
  memset(big, 'a', len);
  oh_child_opts_init(&o);
  o.stdin_data = big;
  o.stdin_len = len;
  o.timeout_ms = 20000;
  run_sh(&o, "head -c 10; exec 0<&- 1>&-; sleep 0.2; echo late >&2", &r);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_CLEAN);
  assert_string_equal(r.out.data, "aaaaaaaaaa");
  assert_string_equal(r.err.data, "late\n");
  oh_child_result_free(&r);
  free(big);
}

/* A runner given by path, the way replay will start one. */
static void test_program_by_path_gets_argv(void **state) {
  static const char script[] = "#!/bin/sh\necho \"$1 $2\"\nexit 5\n";
  char *path = oh_test_tmpfile(script, sizeof script - 1);
  char *argv[] = {path, "packet", "7", NULL};
  oh_child_opts o;
  oh_child_result r;
  oh_error err;
  assert_int_equal(chmod(path, 0700), 0);
  oh_child_opts_init(&o);
  o.argv = argv;
  assert_int_equal(oh_child_run(&o, &r, &err), OH_OK);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_EXIT);
  assert_int_equal(r.exit_code, 5);
  assert_string_equal(r.out.data, "packet 7\n");
  oh_child_result_free(&r);
  unlink(path);
  free(path);
}

static void test_missing_program_is_an_error(void **state) {
  char *argv1[] = {"opushunt-no-such-program", NULL};
  char *argv2[] = {"/nonexistent/runner", NULL};
  char *argv3[] = {"/bin/true", NULL};
  oh_child_opts o;
  oh_child_result r;
  oh_error err;
  oh_child_opts_init(&o);
  o.argv = argv1;
  assert_int_equal(oh_child_run(&o, &r, &err), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(err.reason, "opushunt-no-such-program"));
  oh_child_result_free(&r);
  o.argv = argv2;
  assert_int_equal(oh_child_run(&o, &r, &err), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(err.reason, "/nonexistent/runner"));
  oh_child_result_free(&r);
  o.argv = argv3;
  o.cwd = "/nonexistent-dir";
  assert_int_equal(oh_child_run(&o, &r, &err), OH_ERR_NOT_FOUND);
  assert_non_null(strstr(err.reason, "/nonexistent-dir"));
  oh_child_result_free(&r);
}

static void test_bad_options_rejected(void **state) {
  char *argv[] = {"/bin/true", NULL};
  oh_child_opts o;
  oh_child_result r;
  oh_child_opts_init(&o);
  assert_int_equal(oh_child_run(&o, &r, NULL), OH_ERR_ARG);
  o.argv = argv;
  o.result_fd = 1;
  assert_int_equal(oh_child_run(&o, &r, NULL), OH_ERR_ARG);
}

static void on_alarm(int sig) { (void)sig; }

/* A timer signal every 2 ms interrupts poll, read, write and waitpid. */
static void test_signals_in_parent_do_not_disturb(void **state) {
  struct sigaction sa, old, ignore;
  struct itimerval every = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
  oh_child_opts o;
  oh_child_result r;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: calls fail with EINTR */
  assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
  assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
  oh_child_opts_init(&o);
  o.stdin_data = "abc";
  o.stdin_len = 3;
  o.timeout_ms = 20000;
  run_sh(&o, "sleep 0.3; cat; head -c 300000 /dev/zero", &r);
  setitimer(ITIMER_REAL, &off, NULL);
  /* A tick may already be pending (seen under Valgrind on a loaded
   * machine): ignoring the signal discards it before the default action,
   * which would kill the test, comes back. */
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ignore.sa_flags = 0;
  sigaction(SIGALRM, &ignore, NULL);
  sigaction(SIGALRM, &old, NULL);
  assert_int_equal(oh_child_verdict_of(&r), OH_CHILD_CLEAN);
  assert_int_equal(r.out.len, 3 + 300000);
  assert_memory_equal(r.out.data, "abc", 3);
  oh_child_result_free(&r);
}

/* Runs last: every earlier child must have been reaped. */
static void test_no_zombies_left(void **state) {
  errno = 0;
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_clean_exit_captures_stdout),
      cmocka_unit_test(test_exit_code_3),
      cmocka_unit_test(test_crash_signals_named),
      cmocka_unit_test(test_hang_killed_at_timeout),
      cmocka_unit_test(test_memory_hog_killed_by_rss_limit),
      cmocka_unit_test(test_address_space_and_core_limits_applied),
      cmocka_unit_test(test_huge_stderr_keeps_both_ends),
      cmocka_unit_test(test_grandchild_hang_killed_with_group),
      cmocka_unit_test(test_fork_storm_killed),
      cmocka_unit_test(test_result_pipe_receives_lines),
      cmocka_unit_test(test_env_cwd_and_stdin_passed),
      cmocka_unit_test(test_child_closing_stdin_and_stdout_early),
      cmocka_unit_test(test_program_by_path_gets_argv),
      cmocka_unit_test(test_missing_program_is_an_error),
      cmocka_unit_test(test_bad_options_rejected),
      cmocka_unit_test(test_signals_in_parent_do_not_disturb),
      cmocka_unit_test(test_no_zombies_left),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
