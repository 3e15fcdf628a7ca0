/* `opushunt fuzz TARGET`: one fuzzing campaign. Checks the options and the
 * target, finds (or builds) the fuzz binary, copies the seeds into a
 * working corpus inside the campaign folder, runs the engine (fuzz_run.h)
 * with a live progress line, and prints the summary. Ctrl-C stops the
 * engines cleanly; a second Ctrl-C kills them; the summary comes either way. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "opushunt/child.h"
#include "opushunt/fuzz_run.h"
#include "opushunt/replay.h"

static const char *CMD = "fuzz";

#define MAX_CORPORA 16
/* Plain status lines in --verbose runs without a progress line. */
#define VERBOSE_EVERY_S 10.0

void oh_cmd_fuzz_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt fuzz [options] TARGET [-- ENGINE-ARGS...]\n"
          "Fuzz one target (harness/fuzzers/TARGETS) with libFuzzer or AFL++ in isolated\n"
          "child processes; collect every crash and hang with a JSON sidecar.\n\n"
          "engine:\n"
          "  --engine E           libfuzzer (default) or afl\n"
          "  --sanitizer S        none, asan (default), ubsan, msan (libfuzzer only)\n"
          "  --fixed              the fixed-point libopus build\n"
          "  --no-custom-mutator  byte-level mutation only (libFuzzer: fuzz-TARGET-bytes;\n"
          "                       AFL++: no AFL_CUSTOM_MUTATOR_LIBRARY)\n"
          "  --binary PATH        run this fuzz binary instead of build/fuzz/<build>/bin/\n"
          "  --dict FILE          dictionary (default mutators/dict/TARGET.dict if present)\n"
          "limits:\n"
          "  --time T             SECONDS, Nm or Nh (default 60 unless --runs is given)\n"
          "  --runs N             stop after N executions (AFL++: shared among the jobs;\n"
          "                       libFuzzer with --jobs needs --time as well)\n"
          "  --jobs N             libFuzzer -fork=N (keeps going after crashes);\n"
          "                       AFL++ one -M and N-1 -S instances (default 1)\n"
          "  --seed N             random seed (default: from the clock; printed)\n"
          "  --timeout SECONDS    per input (default: libFuzzer 10, AFL++ its own)\n"
          "  --memory MB          per fuzzing process, 0 none (default 2048)\n"
          "folders:\n"
          "  --corpus DIR         more seeds (repeatable); corpus/TARGET and\n"
          "                       corpus/regressions/TARGET are always used, never written\n"
          "  --crashes DIR        collect findings here (default OUT/crashes)\n"
          "  --out DIR            campaign folder, new or empty (default\n"
          "                       reports/fuzz/TARGET-ENGINE-SANITIZER-<UTC time>)\n"
          "output:\n"
          "  -q, --quiet          no progress line or banner, only the summary\n"
          "  -v, --verbose        progress lines even in CI or a log\n"
          "  -h, --help\n\n"
          "The seeds are copied into OUT/corpus, which the engine grows. Findings land in\n"
          "the crash folder with a NAME.json sidecar each (target, engine, build, instance,\n"
          "original path, sanitizer report); OUT/summary.json describes the campaign.\n"
          "An engine running past --time (or 24 h without it) is stopped, then killed.\n"
          "A missing binary is built with scripts/build-fuzzers ENGINE SANITIZER [--fixed].\n"
          "Exit status: 0 no findings; 1 crashes or hangs found; 2 bad usage, a setup\n"
          "problem, or an engine that failed or overran.\n");
}

enum {
  OPT_ENGINE = OH_OPT_FIRST_FREE, OPT_SANITIZER, OPT_FIXED, OPT_TIME, OPT_RUNS, OPT_JOBS,
  OPT_SEED, OPT_CORPUS, OPT_CRASHES, OPT_OUT, OPT_NO_CUSTOM, OPT_BINARY, OPT_DICT, OPT_TIMEOUT,
  OPT_MEMORY
};

typedef struct fuzz_args {
  oh_fuzz_config c;
  const char *corpora[MAX_CORPORA];
  int ncorpora;
  const char *out, *crashes;
  int time_set, seed_set, quiet, verbose;
  char source[PATH_MAX], build[64], build_dir[PATH_MAX], binary[PATH_MAX], mutator[PATH_MAX];
  char dict[PATH_MAX], out_dir[PATH_MAX], crash_dir[PATH_MAX], corpus_dir[PATH_MAX];
  char reproduce[PATH_MAX + 128], stamp[32];
} fuzz_args;

/* "90", "90s", "15m", "2h". */
static int parse_time(const char *s, uint32_t *out) {
  char buf[32];
  long v, mult = 1;
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, s, n + 1);
  switch (buf[n - 1]) {
  case 's': mult = 1; buf[n - 1] = '\0'; break;
  case 'm': mult = 60; buf[n - 1] = '\0'; break;
  case 'h': mult = 3600; buf[n - 1] = '\0'; break;
  default: break;
  }
  if (oh_cli_parse_long(buf, 1, 30L * 86400 / mult, &v)) return -1;
  *out = (uint32_t)(v * mult);
  return 0;
}

static int num(const char *opt, const char *arg, long lo, long hi, long *out) {
  if (oh_cli_parse_long(arg, lo, hi, out))
    return oh_cli_usage_error(CMD, "%s takes a number %ld..%ld, not '%s'", opt, lo, hi, arg);
  return 0;
}

static int engine_option(fuzz_args *a, int opt, const char *arg) {
  switch (opt) {
  case OPT_ENGINE:
    if (oh_fuzz_engine_from_name(arg, &a->c.engine) != OH_OK)
      return oh_cli_usage_error(CMD, "--engine takes libfuzzer or afl, not '%s'", arg);
    return 0;
  case OPT_SANITIZER:
    if (!oh_fuzz_sanitizer_known(arg))
      return oh_cli_usage_error(CMD, "--sanitizer takes none, asan, ubsan or msan, not '%s'", arg);
    a->c.sanitizer = arg;
    return 0;
  case OPT_FIXED: a->c.fixed = 1; return 0;
  case OPT_NO_CUSTOM: a->c.custom_mutator = 0; return 0;
  case OPT_BINARY: a->c.binary = arg; return 0;
  case OPT_DICT: a->c.dict = arg; return 0;
  default: return 1;
  }
}

static int limit_option(fuzz_args *a, int opt, const char *arg) {
  long v;
  switch (opt) {
  case OPT_TIME:
    if (parse_time(arg, &a->c.time_s))
      return oh_cli_usage_error(CMD, "--time takes SECONDS, Nm or Nh (up to 30 days), not '%s'", arg);
    a->time_set = 1;
    return 0;
  case OPT_RUNS:
    if (num("--runs", arg, 1, 0x7fffffffffffffffL, &v)) return OH_EXIT_USAGE;
    a->c.runs = (uint64_t)v;
    return 0;
  case OPT_JOBS:
    if (num("--jobs", arg, 1, 64, &v)) return OH_EXIT_USAGE;
    a->c.jobs = (int)v;
    return 0;
  case OPT_SEED:
    if (oh_cli_parse_u32(arg, &a->c.seed) || a->c.seed == 0)
      return oh_cli_usage_error(CMD, "--seed takes a number 1..4294967295, not '%s'", arg);
    a->seed_set = 1;
    return 0;
  case OPT_TIMEOUT:
    if (num("--timeout", arg, 1, 3600, &v)) return OH_EXIT_USAGE;
    a->c.timeout_s = (uint32_t)v;
    return 0;
  case OPT_MEMORY:
    if (num("--memory", arg, 0, 1L << 20, &v)) return OH_EXIT_USAGE;
    a->c.memory_mb = (uint32_t)v;
    return 0;
  default: return 1;
  }
}

static int folder_option(fuzz_args *a, int opt, const char *arg) {
  switch (opt) {
  case OPT_CORPUS:
    if (a->ncorpora == MAX_CORPORA)
      return oh_cli_usage_error(CMD, "at most %d --corpus folders", MAX_CORPORA);
    a->corpora[a->ncorpora++] = arg;
    return 0;
  case OPT_CRASHES: a->crashes = arg; return 0;
  case OPT_OUT: a->out = arg; return 0;
  case 'q': a->quiet = 1; return 0;
  case 'v': a->verbose = 1; return 0;
  default: return 1;
  }
}

static const struct option longopts[] = {
    {"engine", required_argument, NULL, OPT_ENGINE},
    {"sanitizer", required_argument, NULL, OPT_SANITIZER},
    {"fixed", no_argument, NULL, OPT_FIXED},
    {"time", required_argument, NULL, OPT_TIME},
    {"runs", required_argument, NULL, OPT_RUNS},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"corpus", required_argument, NULL, OPT_CORPUS},
    {"crashes", required_argument, NULL, OPT_CRASHES},
    {"out", required_argument, NULL, OPT_OUT},
    {"no-custom-mutator", no_argument, NULL, OPT_NO_CUSTOM},
    {"binary", required_argument, NULL, OPT_BINARY},
    {"dict", required_argument, NULL, OPT_DICT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Combinations no single option can catch. */
static int check_args(fuzz_args *a) {
  int i;
  struct stat st;
  if (a->quiet && a->verbose) return oh_cli_usage_error(CMD, "--quiet and --verbose: pick one");
  if (a->c.engine == OH_FUZZ_AFL && !strcmp(a->c.sanitizer, "msan"))
    return oh_cli_usage_error(CMD, "--sanitizer msan works with --engine libfuzzer only");
  /* Fork mode counts only the runs of jobs that ended normally: with a
   * crash in every job, -runs alone would never be reached. */
  if (a->c.engine == OH_FUZZ_LIBFUZZER && a->c.jobs > 1 && a->c.runs && !a->time_set)
    return oh_cli_usage_error(CMD, "--runs with --jobs > 1 needs --time too: libFuzzer's fork "
                              "mode does not count the runs of jobs that crash");
  if (!a->time_set && !a->c.runs) a->c.time_s = 60;
  for (i = 0; i < a->ncorpora; i++)
    if (stat(a->corpora[i], &st) != 0 || !S_ISDIR(st.st_mode))
      return oh_cli_usage_error(CMD, "--corpus %s: not a folder", a->corpora[i]);
  if (a->c.dict && (stat(a->c.dict, &st) != 0 || !S_ISREG(st.st_mode)))
    return oh_cli_usage_error(CMD, "--dict %s: no such file", a->c.dict);
  if (a->c.binary && access(a->c.binary, X_OK) != 0)
    return oh_cli_usage_error(CMD, "--binary %s: not an executable file", a->c.binary);
  if (a->out && !oh_fuzz_dir_unused(a->out))
    return oh_cli_usage_error(CMD, "--out %s is not empty: pick a new folder", a->out);
  return 0;
}

/* Returns 0, -1 after --help, or OH_EXIT_USAGE. Arguments after "--" go
 * to the engine untouched. */
static int parse_args(int argc, char **argv, fuzz_args *a) {
  int c, h, end = argc, i;
  for (i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      end = i;
      a->c.extra = argv + i + 1;
      a->c.nextra = argc - i - 1;
      break;
    }
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(end, argv, "qvh", longopts, NULL)) != -1) {
    if (c == 'h') {
      oh_cmd_fuzz_usage(stdout);
      return -1;
    }
    if (c == '?' || c == ':')
      return oh_cli_usage_error(CMD, "unknown option or missing value: '%s'", argv[optind - 1]);
    if ((h = engine_option(a, c, optarg)) != 1 || (h = limit_option(a, c, optarg)) != 1 ||
        (h = folder_option(a, c, optarg)) != 1) {
      if (h) return OH_EXIT_USAGE;
      continue;
    }
    return oh_cli_usage_error(CMD, "unknown option");
  }
  if (optind != end - 1)
    return oh_cli_usage_error(CMD, optind >= end ? "missing TARGET" : "one TARGET only");
  a->c.target = argv[optind];
  return check_args(a);
}

/* ---- Where things are. */

/* The source tree (cli_util.c), or a usage error. */
static int find_source(fuzz_args *a) {
  char why[256];
  if (oh_cli_source_dir(a->source, sizeof a->source, why, sizeof why) == 0) return 0;
  return oh_cli_usage_error(CMD, "%s", why);
}

static int check_target(fuzz_args *a) {
  char names[1024];
  oh_error err;
  int known;
  oh_error_clear(&err);
  known = oh_fuzz_target_known(a->source, a->c.target, names, sizeof names, &err);
  if (known < 0) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  if (!known) return oh_cli_usage_error(CMD, "unknown target '%s': %s", a->c.target, names);
  return 0;
}

/* Sidecars and summaries are read from elsewhere: keep absolute paths. */
static void absolute(char *path, size_t cap) {
  char real[PATH_MAX];
  if (realpath(path, real)) snprintf(path, cap, "%s", real);
}

static void resolve_paths(fuzz_args *a) {
  char *slash;
  oh_fuzz_build_name(a->c.engine, a->c.sanitizer, a->c.fixed, a->build, sizeof a->build);
  if (a->c.binary) {
    /* A given binary's build folder is the one above its bin/. */
    snprintf(a->binary, sizeof a->binary, "%s", a->c.binary);
    absolute(a->binary, sizeof a->binary);
    snprintf(a->build_dir, sizeof a->build_dir, "%s", a->binary);
    if ((slash = strrchr(a->build_dir, '/')) != NULL) *slash = '\0';
    else snprintf(a->build_dir, sizeof a->build_dir, ".");
    strncat(a->build_dir, "/..", sizeof a->build_dir - strlen(a->build_dir) - 1);
  } else {
    snprintf(a->build_dir, sizeof a->build_dir, "%s/build/fuzz/%s", a->source, a->build);
    oh_fuzz_binary_path(a->build_dir, a->c.engine, a->c.target, a->c.custom_mutator, a->binary,
                        sizeof a->binary);
  }
  oh_fuzz_mutator_path(a->build_dir, a->mutator, sizeof a->mutator);
  absolute(a->mutator, sizeof a->mutator);
  if (a->c.dict) {
    snprintf(a->dict, sizeof a->dict, "%s", a->c.dict);
    absolute(a->dict, sizeof a->dict);
    a->c.dict = a->dict;
  } else {
    snprintf(a->dict, sizeof a->dict, "%s/mutators/dict/%s.dict", a->source, a->c.target);
    if (access(a->dict, R_OK) == 0) a->c.dict = a->dict;
  }
}

static int make_out_dir(fuzz_args *a) {
  char base[PATH_MAX], stem[256];
  oh_error err;
  oh_error_clear(&err);
  if (a->out) {
    snprintf(a->out_dir, sizeof a->out_dir, "%s", a->out);
    {
      time_t t = time(NULL);
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(a->stamp, sizeof a->stamp, "%Y%m%dT%H%M%SZ", &tm);
    }
  } else {
    snprintf(base, sizeof base, "%s/reports/fuzz", a->source);
    snprintf(stem, sizeof stem, "%s-%s", a->c.target, a->build);
    oh_fuzz_fresh_dir(base, stem, a->out_dir, sizeof a->out_dir, a->stamp, sizeof a->stamp);
  }
  if (oh_fuzz_mkdirs(a->out_dir, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  absolute(a->out_dir, sizeof a->out_dir);
  snprintf(a->corpus_dir, sizeof a->corpus_dir, "%s/corpus", a->out_dir);
  if (a->crashes) snprintf(a->crash_dir, sizeof a->crash_dir, "%s", a->crashes);
  else snprintf(a->crash_dir, sizeof a->crash_dir, "%s/crashes", a->out_dir);
  if (oh_fuzz_mkdirs(a->crash_dir, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  absolute(a->crash_dir, sizeof a->crash_dir);
  return 0;
}

/* Builds what is missing with scripts/build-fuzzers (its log goes next to
 * the builds); a given --binary is never rebuilt. */
static int ensure_built(fuzz_args *a) {
  int need_lib = a->c.engine == OH_FUZZ_AFL && a->c.custom_mutator;
  char script[PATH_MAX], log[PATH_MAX + 64], dir[PATH_MAX];
  oh_error err;
  if (access(a->binary, X_OK) == 0 && (!need_lib || access(a->mutator, R_OK) == 0)) return 0;
  snprintf(script, sizeof script, "%s/scripts/build-fuzzers", a->source);
  if (access(script, X_OK) != 0) {
    fprintf(stderr, "opushunt %s: %s is not built and %s is missing\n", CMD,
            access(a->binary, X_OK) ? a->binary : a->mutator, script);
    return OH_EXIT_USAGE;
  }
  snprintf(dir, sizeof dir, "%s/build/fuzz/logs", a->source);
  snprintf(log, sizeof log, "%s/opushunt-fuzz-%s.log", dir, a->build);
  oh_error_clear(&err);
  if (oh_fuzz_mkdirs(dir, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  fprintf(stderr, "opushunt %s: %s is not built: running scripts/build-fuzzers %s %s%s\n", CMD,
          access(a->binary, X_OK) ? a->binary : a->mutator, oh_fuzz_engine_name(a->c.engine),
          a->c.sanitizer, a->c.fixed ? " --fixed" : "");
  if (oh_fuzz_run_build(a->source, a->c.engine, a->c.sanitizer, a->c.fixed, log, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  if (access(a->binary, X_OK) != 0 || (need_lib && access(a->mutator, R_OK) != 0)) {
    fprintf(stderr, "opushunt %s: scripts/build-fuzzers succeeded but made no %s\n", CMD,
            access(a->binary, X_OK) ? a->binary : a->mutator);
    return OH_EXIT_USAGE;
  }
  return 0;
}

static int copy_seeds(fuzz_args *a) {
  const char *dirs[MAX_CORPORA + 2];
  char committed[PATH_MAX], regressions[PATH_MAX];
  size_t n = 0, copied = 0;
  int i;
  oh_error err;
  snprintf(committed, sizeof committed, "%s/corpus/%s", a->source, a->c.target);
  snprintf(regressions, sizeof regressions, "%s/corpus/regressions/%s", a->source, a->c.target);
  dirs[n++] = committed;
  dirs[n++] = regressions;
  for (i = 0; i < a->ncorpora; i++) dirs[n++] = a->corpora[i];
  oh_error_clear(&err);
  if (oh_fuzz_copy_seeds(a->corpus_dir, dirs, n, a->c.engine == OH_FUZZ_AFL, &copied, &err) !=
      OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    return OH_EXIT_USAGE;
  }
  a->c.seeds = copied;
  return 0;
}

static void finish_config(fuzz_args *a) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  oh_fuzz_config *c = &a->c;
  exe[n > 0 ? n : 0] = '\0';
  if (c->engine == OH_FUZZ_AFL) c->mutator_lib = c->custom_mutator ? a->mutator : NULL;
  else if (c->binary) c->custom_mutator = -1; /* a given binary: whatever it links */
  c->binary = a->binary;
  c->build = a->build;
  c->out_dir = a->out_dir;
  c->corpus_dir = a->corpus_dir;
  c->crash_dir = a->crash_dir;
  c->started_utc = a->stamp;
  c->symbolizer = oh_replay_find_symbolizer();
  if (!a->seed_set) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->seed = (uint32_t)(ts.tv_nsec ^ ts.tv_sec ^ getpid()) | 1u;
  }
  if (c->engine == OH_FUZZ_LIBFUZZER && !c->timeout_s) c->timeout_s = 10;
  /* The replay tool reads a packet target's input as one raw packet. */
  snprintf(a->reproduce, sizeof a->reproduce, "%s replay --target %s%s", n > 0 ? exe : "opushunt",
           c->target, !strcmp(c->target, "packet") ? " --format raw" : " --format auto");
  c->reproduce = a->reproduce;
}

/* ---- Running. */

static volatile sig_atomic_t stop_requests;

static void on_stop(int sig) {
  static const char msg[] = "\nopushunt fuzz: stopping the engines (again to kill them)\n";
  ssize_t w;
  (void)sig;
  if (stop_requests < 100) stop_requests++;
  if (stop_requests == 1) w = write(2, msg, sizeof msg - 1);
  (void)w;
}

typedef struct progress_ctx {
  oh_progress p;
  int verbose;
  double next_plain;
  oh_fuzz_engine engine;
} progress_ctx;

static const char *human(uint64_t v, char *buf, size_t cap) {
  if (v >= 10000000u) snprintf(buf, cap, "%.1fM", (double)v / 1e6);
  else if (v >= 10000u) snprintf(buf, cap, "%.1fk", (double)v / 1e3);
  else snprintf(buf, cap, "%llu", (unsigned long long)v);
  return buf;
}

static void format_stats(const progress_ctx *pc, const oh_fuzz_stats *s, char *buf, size_t cap) {
  char e[32], r[32], cov[96], age[32] = "";
  time_t now = time(NULL);
  if (s->stats_time && (uint64_t)now > s->stats_time + 2)
    snprintf(age, sizeof age, ", %llus ago", (unsigned long long)((uint64_t)now - s->stats_time));
  if (pc->engine == OH_FUZZ_LIBFUZZER)
    snprintf(cov, sizeof cov, "cov %llu ft %llu", (unsigned long long)s->cov,
             (unsigned long long)s->ft);
  else
    snprintf(cov, sizeof cov, "edges %llu (%.2f%%)", (unsigned long long)s->edges_found,
             s->bitmap_cvg);
  snprintf(buf, cap, "execs %s (%s/s%s) | %s | corpus %llu | crashes %llu hangs %llu",
           human(s->execs, e, sizeof e), human((uint64_t)s->exec_per_sec, r, sizeof r), age, cov,
           (unsigned long long)s->corpus_count, (unsigned long long)s->crashes,
           (unsigned long long)s->hangs);
}

static void on_progress(const oh_fuzz_stats *s, void *ctx) {
  progress_ctx *pc = ctx;
  char line[256];
  if (!pc->p.enabled && !(pc->verbose && s->elapsed >= pc->next_plain)) return;
  format_stats(pc, s, line, sizeof line);
  if (pc->p.enabled) {
    oh_progress_update(&pc->p, "%s", line);
  } else {
    fprintf(stderr, "[%6.0fs] %s\n", s->elapsed, line);
    pc->next_plain = s->elapsed + VERBOSE_EVERY_S;
  }
}

static int exit_code(const oh_fuzz_result *res) {
  if (res->nfindings) return OH_EXIT_FINDING;
  if (res->end == OH_FUZZ_END_ENGINE_ERROR || res->end == OH_FUZZ_END_WALL_CAP) return OH_EXIT_USAGE;
  return OH_EXIT_OK;
}

static int campaign(fuzz_args *a) {
  struct sigaction sa, old_int, old_term, old_hup;
  progress_ctx pc;
  oh_fuzz_result res;
  oh_error err;
  int rc;
  memset(&pc, 0, sizeof pc);
  oh_progress_init(&pc.p, a->quiet);
  pc.verbose = a->verbose;
  pc.engine = a->c.engine;
  if (!a->quiet)
    fprintf(stderr, "opushunt %s: %s with %s (%s), seed %u, %zu seed file%s -> %s\n", CMD,
            a->c.target, oh_fuzz_engine_name(a->c.engine), a->build, a->c.seed, a->c.seeds,
            a->c.seeds == 1 ? "" : "s", a->out_dir);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  stop_requests = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);
  oh_error_clear(&err);
  rc = oh_fuzz_run(&a->c, &stop_requests, on_progress, &pc, &res, &err);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGHUP, &old_hup, NULL);
  oh_progress_done(&pc.p);
  if (rc != OH_OK && !res.ninstances) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    oh_fuzz_result_free(&res);
    return OH_EXIT_USAGE;
  }
  oh_fuzz_print_summary(stdout, &a->c, &res);
  fflush(stdout);
  if (rc != OH_OK) fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
  if (res.warning[0]) fprintf(stderr, "opushunt %s: %s\n", CMD, res.warning);
  if (res.end == OH_FUZZ_END_ENGINE_ERROR)
    fprintf(stderr, "opushunt %s: %s\n", CMD, res.engine_error);
  else if (res.end == OH_FUZZ_END_WALL_CAP)
    fprintf(stderr, "opushunt %s: the engine did not stop at its limit and was stopped\n", CMD);
  rc = rc != OH_OK && !res.nfindings ? OH_EXIT_USAGE : exit_code(&res);
  oh_fuzz_result_free(&res);
  return rc;
}

static int prepare(fuzz_args *a) {
  int rc;
  if ((rc = find_source(a))) return rc;
  absolute(a->source, sizeof a->source);
  if ((rc = check_target(a))) return rc;
  resolve_paths(a);
  if (a->c.binary && a->c.engine == OH_FUZZ_AFL && a->c.custom_mutator &&
      access(a->mutator, R_OK) != 0)
    return oh_cli_usage_error(CMD, "custom mutator library %s not found: build it "
                              "(scripts/build-fuzzers afl %s) or pass --no-custom-mutator",
                              a->mutator, a->c.sanitizer);
  if (a->c.engine == OH_FUZZ_AFL && !oh_child_in_path("afl-fuzz")) {
    fprintf(stderr, "opushunt %s: afl-fuzz not found in PATH: install AFL++ (apt-get install afl++)\n", CMD);
    return OH_EXIT_USAGE;
  }
  if ((rc = ensure_built(a)) || (rc = make_out_dir(a)) || (rc = copy_seeds(a))) return rc;
  finish_config(a);
  return 0;
}

int oh_cmd_fuzz(int argc, char **argv) {
  fuzz_args *a = calloc(1, sizeof *a);
  int rc;
  if (!a) return oh_cli_usage_error(CMD, "out of memory");
  oh_fuzz_config_init(&a->c);
  rc = parse_args(argc, argv, a);
  if (rc == 0) rc = prepare(a);
  if (rc == 0) rc = campaign(a);
  free(a);
  return rc < 0 ? OH_EXIT_OK : rc;
}
