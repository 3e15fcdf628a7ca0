/* `opushunt replay`: the crash reproducer. Validates the input with the
 * stream readers, then runs the replay runner for the chosen libopus build
 * in an isolated child under one tool (or every tool built, --under all)
 * and prints what faulted, where and why (replay.h). --target runs a fuzz
 * target on the input instead of the pipeline (an OHS1 script picks its
 * own). --extract cuts a standalone .bit file out of the input instead. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "opushunt/child.h"
#include "opushunt/file.h"
#include "opushunt/replay.h"

static const char *CMD = "replay";

void oh_cmd_replay_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt replay [options] INPUT\n"
          "Replay logged packets the way the production service called libopus, in an\n"
          "isolated child under a checking tool; report the first faulting packet, the call,\n"
          "the tool's finding and the API contract rules the caller broke.\n\n"
          OH_CLI_INPUT_HELP
          "the caller (passed to the runner):\n"
          "  --model NAME         caller (default), reference, pcm-per-channel,\n"
          "                       frame-size-overstated, state-undersized, destroy-foreign-state,\n"
          "                       packet-freed-early, length-trusted, shared-decoder-race,\n"
          "                       length-truncated, double-destroy, pcm-read-past-samples\n"
          "  --rate HZ --channels N --frame-size N (per channel, per call)\n"
          "  --pcm-capacity N     samples the pcm buffer holds (all channels), or bytes: 7680b\n"
          "  --sample float|s16 --fec --state create|init --state-size BYTES\n"
          "  --threads N --lock --reset-every K\n"
          "the target (what runs on the input):\n"
          "  --target NAME        auto (default): an OHS1 script runs what its api names (a\n"
          "                       pipeline script: the pipeline above, configured by its header,\n"
          "                       with every call reported), anything else the pipeline above;\n"
          "                       or a fuzz target run on the input's bytes as a fuzzer does:\n"
          "                       packet (pairs with --format raw), stream, multistream,\n"
          "                       projection, custom, repacketizer, pipeline, readers. A fuzz\n"
          "                       target reports no calls: the tool says what it saw, the\n"
          "                       faulting record is unknown. No caller options with a target\n"
          "                       or a script: the input describes the caller\n"
          "tools:\n"
          "  --under TOOL         plain, guard (default), asan, ubsan, msan, tsan, valgrind,\n"
          "                       helgrind, or all (every tool whose runner is built)\n"
          "  --lib NAME           libopus build: system, plain, asan, ubsan, ubsan-full, msan,\n"
          "                       tsan, fixed-plain, fixed-asan, fixed-ubsan (default: system\n"
          "                       for plain/guard/valgrind/helgrind, else the tool's own)\n"
          "  --check-only         contract checks only, no libopus calls\n"
          "  --no-compare         do not decode a reference session alongside (on by default)\n"
          "  --timeout SECONDS    wall clock per run (default 60)\n"
          "  --memory MB          memory limit per run, 0 none (default 2048)\n"
          "  --runner-dir DIR     where oh-runner-<lib> live (default: $OPUSHUNT_RUNNER_DIR,\n"
          "                       else <opushunt's folder>/runners)\n"
          "output:\n"
          "  --json               the JSON report (harness/REPLAY.md) on stdout\n"
          "  --json-out FILE      the JSON report to FILE, the human one on stdout\n"
          "  --keep-logs DIR      save each run's stderr, events and command line\n"
          "  --extract N..M --out FILE.bit\n"
          "                       write records N..M as an opus_demo .bit file; runs nothing\n"
          "  -h, --help\n\n"
          "Exit status: 0 clean; 1 a finding (crash, sanitizer, contract, timeout, oom,\n"
          "divergence); 2 bad usage, unreadable input or a replay that could not run.\n");
}

enum {
  OPT_LIB = OH_OPT_CALLER_END, OPT_UNDER, OPT_TIMEOUT, OPT_MEMORY, OPT_JSON, OPT_JSON_OUT,
  OPT_EXTRACT, OPT_OUT, OPT_RUNNER_DIR, OPT_CHECK_ONLY, OPT_COMPARE, OPT_NO_COMPARE, OPT_KEEP_LOGS,
  OPT_TARGET
};

typedef struct replay_args {
  oh_replay_options o;
  int all;                  /* --under all */
  oh_replay_tool tool;
  int json;
  const char *json_out;
  const char *extract, *out;
  uint64_t first, last;
  const char *caller_opt;   /* a caller option given (its name), for refusals */
  char runner_dir[4096];
} replay_args;

static int num(const char *opt, const char *arg, long lo, long hi, long *out) {
  if (oh_cli_parse_long(arg, lo, hi, out))
    return oh_cli_usage_error(CMD, "%s takes a number %ld..%ld, not '%s'", opt, lo, hi, arg);
  return 0;
}

/* "N..M" or "N". */
static int parse_range(replay_args *a, const char *arg) {
  char buf[64];
  char *dots;
  long lo, hi;
  snprintf(buf, sizeof buf, "%s", arg);
  dots = strstr(buf, "..");
  if (dots) *dots = '\0';
  if (oh_cli_parse_long(buf, 0, 0x7fffffffL, &lo) ||
      oh_cli_parse_long(dots ? dots + 2 : buf, 0, 0x7fffffffL, &hi))
    return oh_cli_usage_error(CMD, "--extract takes record indices N..M (or N), not '%s'", arg);
  if (lo > hi)
    return oh_cli_usage_error(CMD, "--extract %s: the range is empty (N must be <= M)", arg);
  a->extract = arg;
  a->first = (uint64_t)lo;
  a->last = (uint64_t)hi;
  return 0;
}

static int parse_under(replay_args *a, const char *arg) {
  if (!strcmp(arg, "all")) {
    a->all = 1;
    return 0;
  }
  a->all = 0;
  if (oh_replay_tool_from_name(arg, &a->tool) != OH_OK)
    return oh_cli_usage_error(CMD, "--under takes plain, guard, asan, ubsan, msan, tsan, "
                              "valgrind, helgrind or all, not '%s'", arg);
  return 0;
}

/* The tool and output options; returns 1 when opt is not one of them. */
static int parse_target(replay_args *a, const char *arg) {
  const char *const *t = oh_replay_target_list();
  char names[256] = "";
  size_t n = 0;
  int i;
  if (strcmp(arg, "auto") != 0 && !oh_replay_target_known(arg)) {
    for (i = 0; t[i] && n < sizeof names; i++)
      n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", t[i]);
    return oh_cli_usage_error(CMD, "unknown target '%s': auto, %s", arg, names);
  }
  a->o.target = strcmp(arg, "auto") ? arg : NULL;
  return 0;
}

static int run_option(replay_args *a, int opt, const char *arg) {
  long v;
  switch (opt) {
  case OPT_UNDER: return parse_under(a, arg);
  case OPT_TARGET: return parse_target(a, arg);
  case OPT_LIB:
    if (!oh_replay_lib_known(arg))
      return oh_cli_usage_error(CMD, "unknown lib '%s': system, plain, asan, ubsan, ubsan-full, "
                                "msan, tsan, fixed-plain, fixed-asan or fixed-ubsan", arg);
    a->o.lib = arg;
    return 0;
  case OPT_TIMEOUT:
    if (num("--timeout", arg, 1, 86400, &v)) return OH_EXIT_USAGE;
    a->o.timeout_ms = (uint32_t)v * 1000u;
    return 0;
  case OPT_MEMORY:
    if (num("--memory", arg, 0, 1L << 20, &v)) return OH_EXIT_USAGE;
    a->o.memory_bytes = (uint64_t)v << 20;
    return 0;
  case OPT_JSON: a->json = 1; return 0;
  case OPT_JSON_OUT: a->json_out = arg; return 0;
  case OPT_EXTRACT: return parse_range(a, arg);
  case OPT_OUT: a->out = arg; return 0;
  case OPT_RUNNER_DIR: a->o.runner_dir = arg; return 0;
  case OPT_CHECK_ONLY: a->o.check_only = 1; return 0;
  case OPT_COMPARE: a->o.compare = 1; return 0;
  case OPT_NO_COMPARE: a->o.compare = 0; return 0;
  case OPT_KEEP_LOGS: a->o.keep_logs = arg; return 0;
  default: return 1;
  }
}

/* Combinations no single option can catch. */
static int check_args(replay_args *a) {
  oh_error err;
  if (a->extract && !a->out)
    return oh_cli_usage_error(CMD, "--extract needs --out FILE.bit");
  if (a->out && !a->extract)
    return oh_cli_usage_error(CMD, "--out goes with --extract N..M");
  if (a->all && a->o.lib)
    return oh_cli_usage_error(CMD, "--under all runs each tool with its own library: drop "
                              "--lib, or name one tool with --under");
  if (a->json && a->json_out)
    return oh_cli_usage_error(CMD, "--json writes to stdout and --json-out to a file: pick one");
  if (a->o.target && a->caller_opt)
    return oh_cli_usage_error(CMD, "--target %s reads its configuration from the input: drop %s",
                              a->o.target, a->caller_opt);
  if (a->o.target && a->o.check_only)
    return oh_cli_usage_error(CMD, "--check-only needs the runner's pipeline, not target %s",
                              a->o.target);
  oh_error_clear(&err);
  if (!a->all && !a->extract &&
      oh_replay_check_combo(a->tool, a->o.lib ? a->o.lib : oh_replay_default_lib(a->tool),
                            &err) != OH_OK)
    return oh_cli_usage_error(CMD, "%s", err.reason);
  return 0;
}

static const struct option longopts[] = {
    OH_CLI_INPUT_LONGOPTS,
    OH_CLI_CALLER_LONGOPTS,
    {"lib", required_argument, NULL, OPT_LIB},
    {"under", required_argument, NULL, OPT_UNDER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"json", no_argument, NULL, OPT_JSON},
    {"json-out", required_argument, NULL, OPT_JSON_OUT},
    {"extract", required_argument, NULL, OPT_EXTRACT},
    {"out", required_argument, NULL, OPT_OUT},
    {"runner-dir", required_argument, NULL, OPT_RUNNER_DIR},
    {"check-only", no_argument, NULL, OPT_CHECK_ONLY},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"no-compare", no_argument, NULL, OPT_NO_COMPARE},
    {"keep-logs", required_argument, NULL, OPT_KEEP_LOGS},
    {"target", required_argument, NULL, OPT_TARGET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* "--model" for OH_OPT_MODEL. */
static const char *option_name(int opt) {
  static char buf[40];
  size_t i;
  for (i = 0; longopts[i].name; i++)
    if (longopts[i].val == opt) {
      snprintf(buf, sizeof buf, "--%s", longopts[i].name);
      return buf;
    }
  return "a caller option";
}

/* Returns 0, -1 after --help, or OH_EXIT_USAGE. */
static int parse_args(int argc, char **argv, replay_args *a) {
  int c, h;
  memset(a, 0, sizeof *a);
  oh_replay_options_init(&a->o);
  a->tool = OH_UNDER_GUARD;
  optind = 1;
  opterr = 0; /* our own one-line messages */
  while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
    if (c == 'h') {
      oh_cmd_replay_usage(stdout);
      return -1;
    }
    if (c == '?' || c == ':')
      return oh_cli_usage_error(CMD, "unknown option or missing value: '%s'", argv[optind - 1]);
    if ((h = oh_cli_input_option(CMD, c, optarg, &a->o.format, &a->o.ropt)) != 0) {
      if (h == 1) continue;
      return h;
    }
    if (c >= OH_OPT_MODEL && c < OH_OPT_CALLER_END) a->caller_opt = option_name(c);
    if ((h = oh_cli_caller_option(CMD, c, optarg, &a->o.caller)) != 1 || (h = run_option(a, c, optarg)) != 1) {
      if (h) return OH_EXIT_USAGE;
      continue;
    }
    return oh_cli_usage_error(CMD, "unknown option");
  }
  if (optind != argc - 1)
    return oh_cli_usage_error(CMD, optind >= argc ? "missing INPUT" : "one INPUT only");
  a->o.input = argv[optind];
  return check_args(a);
}

/* ---- Running. */

/* Why a tool cannot run here, or NULL. */
static const char *unavailable(const replay_args *a, oh_replay_tool t, char *why, size_t cap) {
  char path[4096];
  oh_error err;
  oh_error_clear(&err);
  if ((t == OH_UNDER_VALGRIND || t == OH_UNDER_HELGRIND) && !oh_child_in_path(a->o.valgrind)) {
    snprintf(why, cap, "valgrind not found: install it (apt-get install valgrind)");
    return why;
  }
  if (oh_replay_runner_path(a->o.runner_dir, oh_replay_default_lib(t), path, sizeof path,
                            &err) != OH_OK) {
    snprintf(why, cap, "%s", err.reason);
    return why;
  }
  return NULL;
}

static int write_json(const replay_args *a, const oh_replay_input *in,
                      const oh_replay_result *runs, int nruns, const oh_replay_skip *skips,
                      int nskips) {
  oh_outfile of;
  oh_error err;
  if (!a->json_out) {
    oh_replay_json(stdout, in, runs, nruns, skips, nskips);
    return 0;
  }
  oh_error_clear(&err);
  if (oh_outfile_open(&of, a->json_out, a->o.input, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    return -1;
  }
  oh_replay_json(of.f, in, runs, nruns, skips, nskips);
  if (oh_outfile_commit(&of, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    return -1;
  }
  return 0;
}

static int exit_for(oh_replay_verdict v) {
  return v == OH_VERDICT_CLEAN ? OH_EXIT_OK
         : v == OH_VERDICT_ERROR ? OH_EXIT_USAGE : OH_EXIT_FINDING;
}

static int run_one(const replay_args *a, const oh_replay_input *in, const uint8_t *buf,
                   size_t len) {
  oh_replay_result *res = calloc(1, sizeof *res);
  oh_error err;
  int rc;
  if (!res) return oh_cli_usage_error(CMD, "out of memory");
  oh_error_clear(&err);
  if (oh_replay_run(&a->o, a->tool, buf, len, res, &err) != OH_OK) {
    fprintf(stderr, "opushunt %s: %s\n", CMD, err.reason);
    free(res);
    return OH_EXIT_USAGE;
  }
  if (!a->json || a->json_out) oh_replay_print(stdout, in, res);
  rc = a->json || a->json_out ? write_json(a, in, res, 1, NULL, 0) : 0;
  if (res->verdict == OH_VERDICT_ERROR)
    fprintf(stderr, "opushunt %s: %s\n", CMD, res->why);
  rc = rc ? OH_EXIT_USAGE : exit_for(res->verdict);
  free(res);
  return rc;
}

typedef struct all_runs {
  oh_replay_result runs[OH_UNDER_COUNT];
  oh_replay_skip skips[OH_UNDER_COUNT];
  int nruns, nskips;
} all_runs;

static void run_each(const replay_args *a, const uint8_t *buf, size_t len, all_runs *m) {
  oh_progress p;
  oh_error err;
  int t;
  oh_progress_init(&p, a->json && !a->json_out);
  for (t = 0; t < OH_UNDER_COUNT; t++) {
    oh_replay_skip *s = &m->skips[m->nskips];
    if (unavailable(a, (oh_replay_tool)t, s->reason, sizeof s->reason)) {
      s->tool = (oh_replay_tool)t;
      snprintf(s->lib, sizeof s->lib, "%s", oh_replay_default_lib((oh_replay_tool)t));
      m->nskips++;
      continue;
    }
    oh_progress_update(&p, "replay under %s", oh_replay_tool_name((oh_replay_tool)t));
    oh_error_clear(&err);
    oh_replay_run(&a->o, (oh_replay_tool)t, buf, len, &m->runs[m->nruns++], &err);
  }
  oh_progress_done(&p);
}

static int run_all(const replay_args *a, const oh_replay_input *in, const uint8_t *buf,
                   size_t len) {
  all_runs *m = calloc(1, sizeof *m);
  int rc;
  if (!m) return oh_cli_usage_error(CMD, "out of memory");
  run_each(a, buf, len, m);
  if (!a->json || a->json_out)
    oh_replay_print_matrix(stdout, in, m->runs, m->nruns, m->skips, m->nskips);
  rc = a->json || a->json_out ? write_json(a, in, m->runs, m->nruns, m->skips, m->nskips) : 0;
  if (!m->nruns)
    fprintf(stderr, "opushunt %s: no tool could run: %s\n", CMD,
            m->nskips ? m->skips[0].reason : "nothing built");
  rc = rc || !m->nruns ? OH_EXIT_USAGE : exit_for(oh_replay_overall(m->runs, m->nruns));
  free(m);
  return rc;
}

static int extract(const replay_args *a, const uint8_t *buf, size_t len,
                   const oh_replay_input *in) {
  oh_error err;
  oh_error_clear(&err);
  if (a->last >= in->records) {
    fprintf(stderr, "opushunt %s: --extract %s: record %" PRIu64 " is past the end (%s has %"
            PRIu64 " records, 0..%" PRIu64 ")\n", CMD, a->extract, a->last, a->o.input,
            in->records, in->records ? in->records - 1 : 0);
    return OH_EXIT_USAGE;
  }
  if (oh_replay_extract(&a->o, buf, len, a->first, a->last, a->out, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    return OH_EXIT_USAGE;
  }
  printf("extract: records %" PRIu64 "..%" PRIu64 " of %s -> %s (bit)\n", a->first, a->last,
         a->o.input, a->out);
  return OH_EXIT_OK;
}

/* An OHS1 script describes its own caller (checked once the bytes are in). */
static int check_script(const replay_args *a, const uint8_t *buf, size_t len) {
  int events;
  const char *target = oh_replay_input_target(&a->o, buf, len, &events);
  if (!target || a->o.target) return 0;
  if (a->caller_opt)
    return oh_cli_usage_error(CMD, "%s is an OHS1 %s script, whose header describes the "
                              "caller: drop %s", a->o.input, target, a->caller_opt);
  if (!events && a->o.check_only)
    return oh_cli_usage_error(CMD, "--check-only needs the runner's pipeline, and %s is an "
                              "OHS1 %s script", a->o.input, target);
  return 0;
}

static int replay_input(replay_args *a, const uint8_t *buf, size_t len) {
  oh_replay_input in;
  oh_error err;
  oh_error_clear(&err);
  if (!a->extract && check_script(a, buf, len)) return OH_EXIT_USAGE;
  if (oh_replay_scan_input(&a->o, buf, len, &in, &err) != OH_OK) {
    oh_cli_print_error(CMD, a->o.input, &err);
    return OH_EXIT_USAGE;
  }
  if (a->extract) return extract(a, buf, len, &in);
  if (!a->o.runner_dir && !oh_replay_default_runner_dir(a->runner_dir, sizeof a->runner_dir))
    return oh_cli_usage_error(CMD, "cannot tell where the runners are: pass --runner-dir");
  if (!a->o.runner_dir) a->o.runner_dir = a->runner_dir;
  a->o.symbolizer = oh_replay_find_symbolizer();
  return a->all ? run_all(a, &in, buf, len) : run_one(a, &in, buf, len);
}

int oh_cmd_replay(int argc, char **argv) {
  replay_args *a = calloc(1, sizeof *a);
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc;
  if (!a) return oh_cli_usage_error(CMD, "out of memory");
  rc = parse_args(argc, argv, a);
  if (rc == 0 && (buf = oh_cli_read_input(CMD, a->o.input, &len)) == NULL) rc = OH_EXIT_USAGE;
  if (rc == 0) rc = replay_input(a, buf, len);
  free(buf);
  free(a);
  return rc < 0 ? OH_EXIT_OK : rc;
}
