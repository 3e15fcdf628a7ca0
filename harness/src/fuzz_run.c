/* A campaign from start to summary: every engine process runs through
 * oh_child_run (own process group, hard wall-time cap, RSS limit) on a
 * thread of its own, behind a tiny shell that records its pid and sends its
 * output to <out>/logs/<instance>.log. This thread follows the logs and
 * AFL++'s fuzzer_stats, reports progress, turns a stop request into SIGINT
 * (then SIGKILL) for each group, and finally collects findings and writes
 * summary.json. Nothing the engine does can take opushunt down with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_impl.h"
#include "opushunt/child.h"

#define TICK_MS 100
/* How long an engine asked to stop (SIGINT) may take before SIGKILL. */
#define KILL_AFTER_S 20.0
/* Largest fuzzer_stats and log tail read. */
#define STATS_MAX (16u << 10)
#define LOG_TAIL (64u << 10)
/* AFL++ without a UI logs every queue entry it fuzzes (MBs an hour per
 * instance): past LOG_CAP its log is cut back to its first LOG_KEEP bytes,
 * the start-up messages. */
#define LOG_CAP ((off_t)64 << 20)
#define LOG_KEEP ((off_t)1 << 20)

/* The shell records its pid (the process group, once it execs) and sends
 * everything the engine prints to the instance's log. */
static const char WRAPPER[] =
    "echo $$ >\"$OH_FUZZ_PIDFILE\" || exit 125; exec \"$@\" >>\"$OH_FUZZ_LOG\" 2>&1";

typedef struct instance {
  const oh_fuzz_config *c;
  int index;
  char name[16];
  char log[PATH_MAX], pidfile[PATH_MAX], stats_path[PATH_MAX];
  oh_strvec engine, argv, env;
  oh_child_opts opts;
  oh_child_result res;
  oh_error err;
  int rc;
  pthread_t thread;
  int started;
  atomic_int done;
  pid_t pid;
  int int_sent;        /* SIGINT delivered to its group */
  int log_fd;
  oh_fuzz_stats stats; /* AFL++: the last complete fuzzer_stats */
} instance;

typedef struct campaign {
  const oh_fuzz_config *c;
  instance *in;
  int n;
  oh_lf_parser lf;
  double start, next_stats, stop_sent_at;
  int stop_sent, kill_sent, interrupted, overran;
} campaign;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(unsigned ms) {
  struct timespec ts = {0, (long)ms * 1000000L};
  nanosleep(&ts, NULL); /* a signal ends it early, which is what we want */
}

uint32_t oh_fuzz_soft_grace(uint32_t time_s) {
  uint32_t g = time_s / 20u;
  return g < 30u ? 30u : g > 300u ? 300u : g;
}

uint32_t oh_fuzz_hard_grace(uint32_t time_s) {
  uint32_t g = time_s / 20u;
  return oh_fuzz_soft_grace(time_s) + (g < 60u ? 60u : g > 600u ? 600u : g);
}

static void *instance_main(void *arg) {
  instance *in = arg;
  in->rc = oh_child_run(&in->opts, &in->res, &in->err);
  atomic_store(&in->done, 1);
  return NULL;
}

static int prepare(campaign *k, instance *in, int i, oh_error *err) {
  const oh_fuzz_config *c = k->c;
  uint32_t cap = (c->time_s ? c->time_s : OH_FUZZ_DEFAULT_CAP_S) + oh_fuzz_hard_grace(c->time_s);
  in->c = c;
  in->index = i;
  in->log_fd = -1;
  oh_fuzz_instance_name(c, i, in->name, sizeof in->name);
  snprintf(in->log, sizeof in->log, "%s/logs/%s.log", c->out_dir, in->name);
  snprintf(in->pidfile, sizeof in->pidfile, "%s/logs/%s.pid", c->out_dir, in->name);
  oh_fuzz_afl_path(c, i, "fuzzer_stats", in->stats_path, sizeof in->stats_path);
  oh_fuzz_engine_argv(c, i, &in->engine);
  oh_strvec_push(&in->argv, "/bin/sh");
  oh_strvec_push(&in->argv, "-c");
  oh_strvec_push(&in->argv, "%s", WRAPPER);
  oh_strvec_push(&in->argv, "opushunt-fuzz-%s", in->name);
  for (size_t a = 0; a < in->engine.n; a++) oh_strvec_push(&in->argv, "%s", in->engine.v[a]);
  oh_fuzz_engine_env(c, i, &in->env);
  oh_strvec_push(&in->env, "OH_FUZZ_LOG=%s", in->log);
  oh_strvec_push(&in->env, "OH_FUZZ_PIDFILE=%s", in->pidfile);
  if (in->engine.failed || in->argv.failed || in->env.failed)
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  oh_child_opts_init(&in->opts);
  in->opts.argv = in->argv.v;
  in->opts.env_add = (const char *const *)in->env.v;
  in->opts.timeout_ms = cap * 1000u;
  in->opts.rss_limit = oh_fuzz_group_rss_limit(c);
  in->opts.output_cap = (size_t)64 << 10;
  unlink(in->pidfile);
  return OH_OK;
}

/* Starts every instance's thread with the stop signals blocked, so that
 * they reach the calling thread only. */
static int start_all(campaign *k, oh_error *err) {
  sigset_t block, old;
  int i, rc = OH_OK;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  for (i = 0; i < k->n && rc == OH_OK; i++) {
    if ((errno = pthread_create(&k->in[i].thread, NULL, instance_main, &k->in[i])) != 0)
      rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot start a thread: %s", strerror(errno));
    else
      k->in[i].started = 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

static void read_pid(instance *in) {
  char *text;
  long v;
  if (in->pid > 0 || atomic_load(&in->done)) return;
  if (!(text = oh_fuzz_slurp(in->pidfile, 32))) return;
  v = strtol(text, NULL, 10);
  if (v > 1) in->pid = (pid_t)v;
  free(text);
}

/* SIGINT goes to each group once (an engine shutting down must not be
 * interrupted again); SIGKILL whenever asked. */
static void signal_all(campaign *k, int sig) {
  int i;
  for (i = 0; i < k->n; i++) {
    instance *in = &k->in[i];
    read_pid(in);
    if (in->pid <= 0 || atomic_load(&in->done) || (sig == SIGINT && in->int_sent)) continue;
    killpg(in->pid, sig);
    in->int_sent |= sig == SIGINT;
  }
}

/* Ctrl-C, the soft deadline, and the kill that follows a stop ignored. */
static void enforce(campaign *k, volatile sig_atomic_t *stop, double t) {
  const oh_fuzz_config *c = k->c;
  double soft = (double)(c->time_s ? c->time_s : OH_FUZZ_DEFAULT_CAP_S) +
                (double)oh_fuzz_soft_grace(c->time_s);
  if (stop && *stop >= 1 && !k->interrupted) {
    k->interrupted = 1;
    if (!k->stop_sent) k->stop_sent_at = t;
    k->stop_sent = 1;
  }
  if (!k->stop_sent && t - k->start > soft) {
    k->overran = 1;
    k->stop_sent = 1;
    k->stop_sent_at = t;
  }
  /* Tried every tick: an instance whose pid was not known yet gets it too. */
  if (k->stop_sent && !k->kill_sent) signal_all(k, SIGINT);
  if ((stop && *stop >= 2) || (k->stop_sent && t - k->stop_sent_at > KILL_AFTER_S)) {
    k->kill_sent = 1;
    signal_all(k, SIGKILL);
  }
}

static void follow_log(campaign *k, instance *in) {
  char buf[65536];
  ssize_t got;
  if (in->log_fd < 0 && (in->log_fd = open(in->log, O_RDONLY | O_CLOEXEC)) < 0) return;
  while ((got = read(in->log_fd, buf, sizeof buf)) > 0) oh_lf_parser_feed(&k->lf, buf, (size_t)got);
}

/* Entries named "id:..." in one of an AFL++ instance's folders. */
static uint64_t count_ids(const instance *in, const char *sub) {
  char dir[PATH_MAX], **names, **p;
  uint64_t n = 0;
  oh_fuzz_afl_path(in->c, in->index, sub, dir, sizeof dir);
  names = oh_fuzz_list_dir(dir);
  for (p = names; p && *p; p++) n += strncmp(*p, "id:", 3) == 0;
  oh_fuzz_free_list(names);
  return n;
}

static void cap_log(const instance *in) {
  static const char marker[] = "\n[opushunt: log cut here to keep it small]\n";
  struct stat st;
  int fd;
  if (stat(in->log, &st) != 0 || st.st_size <= LOG_CAP) return;
  /* The engine appends (O_APPEND), so it goes on writing at the new end. */
  if ((fd = open(in->log, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) return;
  if (ftruncate(fd, LOG_KEEP) == 0) {
    ssize_t w = write(fd, marker, sizeof marker - 1);
    (void)w; /* a missing marker loses nothing */
  }
  close(fd);
}

/* AFL++ 4.04c rewrites fuzzer_stats once a minute (and at exit): its
 * executions and coverage lag, while the queue, crashes and hangs are
 * counted from the folders each time. */
static void follow_stats(instance *in) {
  char *text = oh_fuzz_slurp(in->stats_path, STATS_MAX);
  oh_fuzz_stats s;
  uint64_t v;
  memset(&s, 0, sizeof s);
  /* A file caught half-written is skipped; the next poll reads it whole. */
  if (text && oh_afl_stats_parse(text, &s) >= 6) in->stats = s;
  free(text);
  if ((v = count_ids(in, "queue")) > in->stats.corpus_count) in->stats.corpus_count = v;
  if ((v = count_ids(in, "crashes")) > in->stats.crashes) in->stats.crashes = v;
  if ((v = count_ids(in, "hangs")) > in->stats.hangs) in->stats.hangs = v;
  cap_log(in);
}

static void current_stats(campaign *k, double t, int all, oh_fuzz_stats *out) {
  int i;
  memset(out, 0, sizeof *out);
  if (k->c->engine == OH_FUZZ_LIBFUZZER) {
    follow_log(k, &k->in[0]);
    *out = k->lf.stats;
  } else {
    for (i = 0; i < k->n; i++) {
      if (all || t >= k->next_stats) follow_stats(&k->in[i]);
      oh_fuzz_stats_merge(out, &k->in[i].stats);
    }
    if (t >= k->next_stats) k->next_stats = t + 1.0;
  }
  for (i = 0; i < k->n; i++) out->running += !atomic_load(&k->in[i].done);
  out->elapsed = t - k->start;
}

static int all_done(const campaign *k) {
  int i;
  for (i = 0; i < k->n; i++)
    if (!atomic_load(&k->in[i].done)) return 0;
  return 1;
}

static void watch(campaign *k, volatile sig_atomic_t *stop, oh_fuzz_progress_fn progress,
                  void *ctx) {
  oh_fuzz_stats s;
  for (;;) {
    double t = now_s();
    int done = all_done(k);
    for (int i = 0; i < k->n; i++) read_pid(&k->in[i]);
    if (!done) enforce(k, stop, t);
    current_stats(k, t, 0, &s);
    if (progress) progress(&s, ctx);
    if (done) return;
    sleep_ms(TICK_MS);
  }
}

/* ---- How it ended. */

static void strip_ansi(char *s) {
  char *w = s;
  while (*s) {
    if (*s == '\033') {
      s++;
      if (*s == '[') {
        s++;
        while (*s && !(*s >= '@' && *s <= '~')) s++;
        if (*s) s++;
      }
      continue;
    }
    *w++ = *s++;
  }
  *w = '\0';
}

/* The line of an engine's log that says why it failed: the last AFL++
 * abort line, else the last error line, else the last line. */
static void log_reason(const instance *in, char *out, size_t cap) {
  static const char *const marks[] = {"PROGRAM ABORT", "[-] ", "ERROR", "error", NULL};
  struct stat st;
  uint64_t size = stat(in->log, &st) == 0 ? (uint64_t)st.st_size : 0;
  int truncated, rank = 99, r;
  char *text = oh_fuzz_read_range(in->log, size > LOG_TAIL ? size - LOG_TAIL : 0, size,
                                  LOG_TAIL, &truncated);
  char *line, *save = NULL;
  const char *best = NULL;
  out[0] = '\0';
  if (!text) return;
  strip_ansi(text);
  for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    while (*line == ' ') line++;
    if (!*line) continue;
    for (r = 0; marks[r] && !strstr(line, marks[r]); r++) {
    }
    if (r <= rank) {
      rank = r;
      best = line;
    }
  }
  if (best) snprintf(out, cap, "%s", best);
  free(text);
}

static oh_fuzz_end decide_end(campaign *k, oh_fuzz_result *res) {
  const oh_fuzz_config *c = k->c;
  int i, failed = -1, wall = 0;
  for (i = 0; i < k->n; i++) {
    instance *in = &k->in[i];
    oh_fuzz_instance_end *e = &res->instances[i];
    if (in->rc != OH_OK) {
      snprintf(e->how, sizeof e->how, "did not start");
      if (failed < 0) failed = i;
      continue;
    }
    oh_child_describe(&in->res, e->how, sizeof e->how);
    if (in->res.timed_out) wall = 1;
    else if (k->kill_sent && in->res.signaled && in->res.term_signal == SIGKILL)
      snprintf(e->how, sizeof e->how, "killed by opushunt after ignoring SIGINT");
    /* libFuzzer ends a single-process run with an error code at its crash,
     * and a fork-mode run that saw crashes with 1. */
    if (k->interrupted || k->overran || wall || (in->res.exited && in->res.exit_code == 0))
      continue;
    if (c->engine == OH_FUZZ_LIBFUZZER && res->nfindings) continue;
    if (failed < 0) failed = i;
  }
  if (k->interrupted) return OH_FUZZ_END_INTERRUPTED;
  if (failed >= 0) {
    instance *in = &k->in[failed];
    if (in->rc != OH_OK)
      snprintf(res->engine_error, sizeof res->engine_error, "%s", in->err.reason);
    else {
      char why[400];
      log_reason(in, why, sizeof why);
      if (!why[0] && in->res.err.len) snprintf(why, sizeof why, "%.300s", in->res.err.data);
      snprintf(res->engine_error, sizeof res->engine_error, "%s %s: %s", in->name,
               res->instances[failed].how, why[0] ? why : "(no output; see its log)");
    }
    return OH_FUZZ_END_ENGINE_ERROR;
  }
  if (wall || k->overran) return OH_FUZZ_END_WALL_CAP;
  if (c->engine == OH_FUZZ_LIBFUZZER && c->jobs <= 1 && res->nfindings &&
      k->in[0].res.exited && k->in[0].res.exit_code != 0)
    return OH_FUZZ_END_CRASH;
  if (c->runs && (!c->time_s || res->stats.execs >= c->runs)) return OH_FUZZ_END_RUNS;
  return OH_FUZZ_END_TIME;
}

static void record_command(campaign *k, oh_fuzz_result *res) {
  instance *in = &k->in[0];
  size_t i;
  res->command[0] = '\0';
  for (i = 0; i < in->env.n; i++) {
    if (!strncmp(in->env.v[i], "OH_FUZZ_", 8) || !strncmp(in->env.v[i], "TMPDIR=", 7)) continue;
    oh_fuzz_shell_quote(res->command, sizeof res->command, in->env.v[i]);
    strncat(res->command, " ", sizeof res->command - strlen(res->command) - 1);
  }
  for (i = 0; i < in->engine.n; i++) {
    if (i) strncat(res->command, " ", sizeof res->command - strlen(res->command) - 1);
    oh_fuzz_shell_quote(res->command, sizeof res->command, in->engine.v[i]);
  }
}

static int setup(campaign *k, oh_fuzz_result *res, oh_error *err) {
  const oh_fuzz_config *c = k->c;
  char dir[PATH_MAX];
  int i, rc;
  snprintf(dir, sizeof dir, "%s/logs", c->out_dir);
  if ((rc = oh_fuzz_mkdirs(dir, err)) != OH_OK) return rc;
  snprintf(dir, sizeof dir, "%s/tmp", c->out_dir);
  if ((rc = oh_fuzz_mkdirs(dir, err)) != OH_OK) return rc;
  if ((rc = oh_fuzz_mkdirs(c->crash_dir, err)) != OH_OK) return rc;
  k->n = oh_fuzz_instance_count(c);
  k->in = calloc((size_t)k->n, sizeof *k->in);
  res->instances = calloc((size_t)k->n, sizeof *res->instances);
  if (!k->in || !res->instances) {
    k->n = 0;
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  }
  res->ninstances = k->n;
  for (i = 0; i < k->n; i++) k->in[i].log_fd = -1;
  for (i = 0; i < k->n; i++) {
    if ((rc = prepare(k, &k->in[i], i, err)) != OH_OK) return rc;
    snprintf(res->instances[i].name, sizeof res->instances[i].name, "%s", k->in[i].name);
    snprintf(res->instances[i].log, sizeof res->instances[i].log, "%s", k->in[i].log);
    res->instances[i].exit_code = -1;
  }
  record_command(k, res);
  return OH_OK;
}

static void teardown(campaign *k) {
  char dir[PATH_MAX];
  int i;
  for (i = 0; k->in && i < k->n; i++) {
    instance *in = &k->in[i];
    if (in->started) pthread_join(in->thread, NULL);
    if (in->log_fd >= 0) close(in->log_fd);
    oh_child_result_free(&in->res);
    oh_strvec_free(&in->engine);
    oh_strvec_free(&in->argv);
    oh_strvec_free(&in->env);
    unlink(in->pidfile);
  }
  free(k->in);
  oh_lf_parser_free(&k->lf);
  snprintf(dir, sizeof dir, "%s/tmp", k->c->out_dir);
  oh_fuzz_remove_tree(dir);
}

/* Collects findings, decides how the campaign ended and writes the
 * summary; problems there become res->warning, never a lost finding. */
static void conclude(campaign *k, char *const *before, oh_fuzz_result *res) {
  const oh_fuzz_config *c = k->c;
  oh_error err;
  oh_error_clear(&err);
  if (oh_fuzz_collect(c, before, &k->lf, c->engine == OH_FUZZ_LIBFUZZER ? k->in[0].log : NULL,
                      res, &err) != OH_OK)
    snprintf(res->warning, sizeof res->warning, "collecting findings: %s", err.reason);
  res->end = decide_end(k, res);
  oh_error_clear(&err);
  if (oh_fuzz_write_summary(c, res, &err) != OH_OK && !res->warning[0])
    snprintf(res->warning, sizeof res->warning, "%s", err.reason);
}

int oh_fuzz_run(const oh_fuzz_config *c, volatile sig_atomic_t *stop,
                oh_fuzz_progress_fn progress, void *ctx, oh_fuzz_result *res, oh_error *err) {
  campaign k;
  char **before = NULL;
  int rc, i, any = 0;
  memset(res, 0, sizeof *res);
  memset(&k, 0, sizeof k);
  k.c = c;
  oh_lf_parser_init(&k.lf);
  rc = setup(&k, res, err);
  if (rc == OH_OK && !(before = oh_fuzz_list_dir(c->crash_dir)))
    rc = oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  k.start = now_s();
  if (rc == OH_OK && (rc = start_all(&k, err)) != OH_OK) {
    /* Threads already started run on: ask them to stop, then collect. */
    k.stop_sent = 1;
    k.stop_sent_at = k.start;
  }
  for (i = 0; i < k.n; i++) {
    if (!k.in[i].started) atomic_store(&k.in[i].done, 1);
    any |= k.in[i].started;
  }
  if (any) watch(&k, stop, progress, ctx);
  for (i = 0; i < k.n; i++) {
    instance *in = &k.in[i];
    if (!in->started) continue;
    pthread_join(in->thread, NULL);
    in->started = 0;
    if (in->rc == OH_OK && in->res.exited) res->instances[i].exit_code = in->res.exit_code;
  }
  if (any) {
    current_stats(&k, now_s(), 1, &res->stats);
    conclude(&k, before, res);
  }
  oh_fuzz_free_list(before);
  teardown(&k);
  return rc;
}

void oh_fuzz_result_free(oh_fuzz_result *res) {
  free(res->findings);
  free(res->instances);
  memset(res, 0, sizeof *res);
}
