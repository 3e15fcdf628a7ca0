/* `opushunt triage`: the crash triage tool. Collects the inputs the
 * command line names (crash files, fuzzer output folders, sanitizer logs,
 * Valgrind XML), runs the triage (triage.h) with a progress line, prints a
 * one-screen summary and where the reports are, and exits by --fail-on.
 * --promote copies a bucket's minimised reproducer into the regression
 * corpus instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "opushunt/triage.h"

static const char *CMD = "triage";

void oh_cmd_triage_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt triage [options] INPUT...\n"
          "       opushunt triage --promote BUCKET --out DIR [--corpus DIR]\n"
          "Reproduce, deduplicate, classify and minimise crashes. INPUT is a crash file, a\n"
          "folder of them (libFuzzer artifacts), an AFL++ output folder, an `opushunt fuzz`\n"
          "output folder, a sanitizer log or a Valgrind XML file.\n\n"
          "reproduction:\n"
          "  --repeat N           runs per input under its primary tool (default 3)\n"
          "  --under TOOL         primary tool where no sidecar names the build: asan\n"
          "                       (default), ubsan, msan, tsan, guard, valgrind\n"
          "  --lib NAME           libopus build for the primary runs (default: the tool's)\n"
          "  --target NAME        fuzz target for inputs that do not name one (default auto)\n"
          "  --jobs N             parallel children (default: the number of cores)\n"
          "  --timeout SECONDS    per run (default 20); a run past it is a hang\n"
          "  --memory MB          per run, 0 none (default 2048)\n"
          "  --runner-dir DIR     where oh-runner-<lib> live\n"
          "  --no-matrix          do not re-run each bucket under the other tools\n"
          "  --no-minimise        do not minimise\n"
          "  --min-tests N        candidate runs per bucket when minimising (default 2000)\n"
          "  --min-time SECONDS   time per bucket when minimising (default 120)\n"
          OH_CLI_INPUT_HELP
          "the caller (for stream inputs, as `opushunt replay` takes them):\n"
          "  --model NAME --rate HZ --channels N --frame-size N --pcm-capacity N\n"
          "  --sample float|s16 --fec --state create|init --state-size BYTES\n"
          "  --threads N --lock --reset-every K\n"
          "memory:\n"
          "  --db FILE            known-bucket database (created if missing, updated)\n"
          "  --suppressions FILE  lines 'BUCKET-ID|state:GLOB  YYYY-MM-DD|never  reason'\n"
          "  --fail-on WHAT       exit 1 on: any bucket not suppressed (any, default), new\n"
          "                       buckets only (new), never (none)\n"
          "  --promote BUCKET     copy BUCKET's minimised reproducer from --out DIR into\n"
          "                       CORPUS/regressions/<target>/ (default corpus: the source\n"
          "                       tree's corpus/); runs nothing\n"
          "  --corpus DIR         the corpus folder for --promote\n"
          "output:\n"
          "  --out DIR            report folder (default reports/triage/<UTC time>): triage.json,\n"
          "                       triage.sarif, triage.md, triage.html, buckets/<id>/\n"
          "  -q, --quiet          no progress line and no summary\n"
          "  -h, --help\n\n"
          "Exit status: 0 nothing to fail on; 1 buckets by --fail-on; 2 bad usage, an input\n"
          "that is missing, empty or garbage, or a database or suppression file that is not.\n");
}

enum {
  OPT_REPEAT = OH_OPT_CALLER_END, OPT_UNDER, OPT_LIB, OPT_TARGET, OPT_JOBS, OPT_TIMEOUT,
  OPT_MEMORY, OPT_RUNNER_DIR, OPT_NO_MATRIX, OPT_NO_MINIMISE, OPT_MIN_TESTS, OPT_MIN_TIME,
  OPT_DB, OPT_SUPPRESSIONS, OPT_FAIL_ON, OPT_PROMOTE, OPT_CORPUS, OPT_OUT, OPT_NOW
};

static const struct option longopts[] = {
    OH_CLI_INPUT_LONGOPTS,
    OH_CLI_CALLER_LONGOPTS,
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"under", required_argument, NULL, OPT_UNDER},
    {"lib", required_argument, NULL, OPT_LIB},
    {"target", required_argument, NULL, OPT_TARGET},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"runner-dir", required_argument, NULL, OPT_RUNNER_DIR},
    {"no-matrix", no_argument, NULL, OPT_NO_MATRIX},
    {"no-minimise", no_argument, NULL, OPT_NO_MINIMISE},
    {"no-minimize", no_argument, NULL, OPT_NO_MINIMISE},
    {"min-tests", required_argument, NULL, OPT_MIN_TESTS},
    {"min-time", required_argument, NULL, OPT_MIN_TIME},
    {"db", required_argument, NULL, OPT_DB},
    {"suppressions", required_argument, NULL, OPT_SUPPRESSIONS},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"promote", required_argument, NULL, OPT_PROMOTE},
    {"corpus", required_argument, NULL, OPT_CORPUS},
    {"out", required_argument, NULL, OPT_OUT},
    {"now", required_argument, NULL, OPT_NOW}, /* tests: a fixed clock */
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef enum { FAIL_ANY, FAIL_NEW, FAIL_NONE } fail_on;

typedef struct triage_args {
  oh_triage_options o;
  fail_on fail;
  const char *promote, *corpus, *out;
  char out_dir[PATH_MAX];
  char runner_dir[PATH_MAX];
  int quiet;
  char **inputs;
  int ninputs;
} triage_args;

static int num(const char *opt, const char *arg, long lo, long hi, long *out) {
  if (oh_cli_parse_long(arg, lo, hi, out))
    return oh_cli_usage_error(CMD, "%s takes a number %ld..%ld, not '%s'", opt, lo, hi, arg);
  return 0;
}

static int own_option(triage_args *a, int c, const char *arg) {
  long v;
  switch (c) {
  case OPT_REPEAT:
    if (num("--repeat", arg, 1, 100, &v)) return OH_EXIT_USAGE;
    a->o.repeat = (int)v;
    return 0;
  case OPT_UNDER:
    if (oh_replay_tool_from_name(arg, &a->o.tool) != OH_OK || a->o.tool == OH_UNDER_PLAIN ||
        a->o.tool == OH_UNDER_HELGRIND)
      return oh_cli_usage_error(CMD, "--under takes asan, ubsan, msan, tsan, guard or "
                                "valgrind, not '%s'", arg);
    return 0;
  case OPT_LIB:
    if (!oh_replay_lib_known(arg))
      return oh_cli_usage_error(CMD, "unknown lib '%s': system, plain, asan, ubsan, ubsan-full, "
                                "msan, tsan, fixed-plain, fixed-asan or fixed-ubsan", arg);
    a->o.lib = arg;
    return 0;
  case OPT_TARGET:
    if (strcmp(arg, "auto") && !oh_replay_target_known(arg))
      return oh_cli_usage_error(CMD, "unknown target '%s' (see opushunt replay --help)", arg);
    a->o.target = strcmp(arg, "auto") ? arg : NULL;
    return 0;
  case OPT_JOBS:
    if (num("--jobs", arg, 1, 64, &v)) return OH_EXIT_USAGE;
    a->o.jobs = (int)v;
    return 0;
  case OPT_TIMEOUT:
    if (num("--timeout", arg, 1, 86400, &v)) return OH_EXIT_USAGE;
    a->o.replay.timeout_ms = (uint32_t)v * 1000u;
    return 0;
  case OPT_MEMORY:
    if (num("--memory", arg, 0, 1L << 20, &v)) return OH_EXIT_USAGE;
    a->o.replay.memory_bytes = (uint64_t)v << 20;
    return 0;
  case OPT_RUNNER_DIR: a->o.replay.runner_dir = arg; return 0;
  case OPT_NO_MATRIX: a->o.matrix = 0; return 0;
  case OPT_NO_MINIMISE: a->o.minimise = 0; return 0;
  case OPT_MIN_TESTS:
    if (num("--min-tests", arg, 1, 1000000, &v)) return OH_EXIT_USAGE;
    a->o.min_max_tests = (int)v;
    return 0;
  case OPT_MIN_TIME:
    if (num("--min-time", arg, 1, 86400, &v)) return OH_EXIT_USAGE;
    a->o.min_max_seconds = (double)v;
    return 0;
  case OPT_DB: a->o.db_path = arg; return 0;
  case OPT_SUPPRESSIONS: a->o.suppressions = arg; return 0;
  case OPT_FAIL_ON:
    if (!strcmp(arg, "any")) a->fail = FAIL_ANY;
    else if (!strcmp(arg, "new")) a->fail = FAIL_NEW;
    else if (!strcmp(arg, "none")) a->fail = FAIL_NONE;
    else return oh_cli_usage_error(CMD, "--fail-on takes any, new or none, not '%s'", arg);
    return 0;
  case OPT_PROMOTE: a->promote = arg; return 0;
  case OPT_CORPUS: a->corpus = arg; return 0;
  case OPT_OUT: a->out = arg; return 0;
  case OPT_NOW:
    if (strlen(arg) != 20 || arg[4] != '-' || arg[10] != 'T' || arg[19] != 'Z')
      return oh_cli_usage_error(CMD, "--now takes YYYY-MM-DDTHH:MM:SSZ, not '%s'", arg);
    a->o.now = arg;
    return 0;
  case 'q': a->quiet = 1; return 0;
  default: return 1;
  }
}

/* Returns 0, -1 after --help, or OH_EXIT_USAGE. */
static int parse_args(int argc, char **argv, triage_args *a) {
  int c, h;
  oh_triage_options_init(&a->o);
  a->fail = FAIL_ANY;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
    if (c == 'h') {
      oh_cmd_triage_usage(stdout);
      return -1;
    }
    if (c == '?' || c == ':')
      return oh_cli_usage_error(CMD, "unknown option or missing value: '%s'", argv[optind - 1]);
    if ((h = oh_cli_input_option(CMD, c, optarg, &a->o.replay.format, &a->o.replay.ropt)) != 0) {
      if (h == 1) continue;
      return h;
    }
    if ((h = oh_cli_caller_option(CMD, c, optarg, &a->o.replay.caller)) != 1 ||
        (h = own_option(a, c, optarg)) != 1) {
      if (h) return OH_EXIT_USAGE;
      continue;
    }
    return oh_cli_usage_error(CMD, "unknown option");
  }
  a->inputs = argv + optind;
  a->ninputs = argc - optind;
  if (a->promote) {
    if (a->ninputs) return oh_cli_usage_error(CMD, "--promote runs nothing: drop the INPUTs");
    if (!a->out) return oh_cli_usage_error(CMD, "--promote needs --out DIR of an earlier triage");
    return 0;
  }
  if (a->corpus) return oh_cli_usage_error(CMD, "--corpus goes with --promote");
  if (!a->ninputs) return oh_cli_usage_error(CMD, "missing INPUT (crash files or folders)");
  return 0;
}

static int mkdirs(const char *path) {
  char buf[PATH_MAX];
  char *p;
  snprintf(buf, sizeof buf, "%s", path);
  for (p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int out_folder(triage_args *a) {
  if (a->out) {
    snprintf(a->out_dir, sizeof a->out_dir, "%s", a->out);
  } else {
    char src[PATH_MAX], why[256], stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    if (oh_cli_source_dir(src, sizeof src, why, sizeof why) != 0) snprintf(src, sizeof src, ".");
    snprintf(a->out_dir, sizeof a->out_dir, "%s/reports/triage/%s", src, stamp);
  }
  if (mkdirs(a->out_dir) != 0) {
    fprintf(stderr, "opushunt %s: %s: cannot create the report folder: %s\n", CMD, a->out_dir,
            strerror(errno));
    return OH_EXIT_USAGE;
  }
  a->o.out_dir = a->out_dir;
  return 0;
}

static int promote(triage_args *a) {
  char corpus[PATH_MAX], src[PATH_MAX], why[256], out[PATH_MAX];
  oh_error err;
  oh_error_clear(&err);
  if (a->corpus) {
    snprintf(corpus, sizeof corpus, "%s", a->corpus);
  } else {
    if (oh_cli_source_dir(src, sizeof src, why, sizeof why) != 0)
      return oh_cli_usage_error(CMD, "%s: pass --corpus DIR", why);
    snprintf(corpus, sizeof corpus, "%s/corpus", src);
  }
  if (oh_triage_promote(a->out, a->promote, corpus, out, sizeof out, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: --promote %s: %s\n", CMD, a->promote, err.reason);
    return OH_EXIT_USAGE;
  }
  printf("promoted bucket %s to %s\n", a->promote, out);
  return OH_EXIT_OK;
}

typedef struct prog {
  oh_progress p;
} prog;

static void on_progress(void *ctx, const char *phase, int done, int total) {
  prog *pr = ctx;
  oh_progress_update(&pr->p, "triage: %s %d/%d", phase, done, total);
}

static int exit_status(const triage_args *a, const oh_triage *t) {
  size_t i;
  int bad_input = 0, failing = 0;
  for (i = 0; i < t->nbuckets; i++) {
    const oh_triage_bucket *b = &t->buckets[i];
    if (b->known == OH_KNOWN_SUPPRESSED) continue;
    if (a->fail == FAIL_ANY || (a->fail == FAIL_NEW && b->known == OH_KNOWN_NEW)) failing = 1;
  }
  for (i = 0; i < t->nitems; i++) {
    oh_triage_status s = t->items[i].status;
    if (s == OH_TSTAT_GARBAGE || s == OH_TSTAT_EMPTY || s == OH_TSTAT_ERROR) bad_input = 1;
  }
  return failing ? OH_EXIT_FINDING : bad_input ? OH_EXIT_USAGE : OH_EXIT_OK;
}

int oh_cmd_triage(int argc, char **argv) {
  triage_args a;
  oh_triage *t;
  oh_error err;
  prog pr;
  size_t i;
  int rc, k;
  memset(&a, 0, sizeof a);
  if ((rc = parse_args(argc, argv, &a)) != 0) return rc < 0 ? OH_EXIT_OK : rc;
  if (a.promote) return promote(&a);
  if (!a.o.replay.runner_dir)
    a.o.replay.runner_dir = oh_replay_default_runner_dir(a.runner_dir, sizeof a.runner_dir);
  if (!a.o.replay.symbolizer) a.o.replay.symbolizer = oh_replay_find_symbolizer();
  if ((rc = out_folder(&a)) != 0) return rc;
  if (!(t = malloc(sizeof *t))) return oh_cli_usage_error(CMD, "out of memory");
  oh_triage_init(t, &a.o);
  for (k = 0; k < a.ninputs; k++) {
    oh_error_clear(&err);
    if (oh_triage_add(t, a.inputs[k], &err) != OH_OK) {
      fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
      oh_triage_free(t);
      free(t);
      return OH_EXIT_USAGE;
    }
  }
  oh_progress_init(&pr.p, a.quiet);
  t->opt.progress = on_progress;
  t->opt.progress_ctx = &pr;
  oh_error_clear(&err);
  rc = oh_triage_run(t, &err);
  oh_progress_done(&pr.p);
  if (rc != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    oh_triage_free(t);
    free(t);
    return OH_EXIT_USAGE;
  }
  for (i = 0; i < t->nitems; i++) {
    const oh_triage_item *it = &t->items[i];
    if (it->status == OH_TSTAT_GARBAGE || it->status == OH_TSTAT_EMPTY ||
        it->status == OH_TSTAT_ERROR)
      fprintf(stderr, "opushunt %s: %s\n", CMD, it->error);
  }
  if (!a.quiet) {
    oh_triage_print_summary(stdout, t);
    printf("reports: %s/triage.html (also triage.json, triage.sarif, triage.md)\n", a.out_dir);
  }
  rc = exit_status(&a, t);
  oh_triage_free(t);
  free(t);
  return rc;
}
