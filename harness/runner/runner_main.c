/* oh-runner-<lib>: the replay target. Parses the caller description and
 * the model, loads the input, and runs the pipeline, reporting events on
 * --events-fd. Exit 0 when the run finished, 3 on bad usage or input; any
 * other end (signal, sanitizer exit) is the finding the parent analyses.
 * It is normally started by `opushunt replay`, but runs fine by hand. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "cli.h"
#include "opushunt/guard.h"
#include "runner.h"

enum {
  OPT_GUARD = OH_OPT_CALLER_END, OPT_CHECK_ONLY, OPT_COMPARE, OPT_EVENTS_FD, OPT_HELP
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: oh-runner-" OH_RUNNER_LIB " [options] INPUT\n"
          "Decode INPUT with libopus (" OH_RUNNER_LIB " build) as a production caller would.\n\n"
          OH_CLI_INPUT_HELP
          "caller:\n"
          "  --model NAME        caller (default), reference, pcm-per-channel,\n"
          "                      frame-size-overstated, state-undersized, destroy-foreign-state,\n"
          "                      packet-freed-early, length-trusted, shared-decoder-race,\n"
          "                      length-truncated, double-destroy, pcm-read-past-samples\n"
          "  --rate HZ --channels N --frame-size N --sample float|s16 --fec\n"
          "  --pcm-capacity N    samples for all channels (N followed by b: bytes)\n"
          "  --state create|init --state-size BYTES --threads N --lock --reset-every K\n"
          "run:\n"
          "  --guard             caller buffers in guard pages, report faults\n"
          "  --check-only        contract checks only, no libopus calls\n"
          "  --compare           report the first divergence from the reference session\n"
          "  --events-fd N       write events (see events.h) to file descriptor N\n");
}

static int num(const char *opt, const char *arg, long lo, long hi, long *out) {
  if (oh_cli_parse_long(arg, lo, hi, out) == 0) return 0;
  fprintf(stderr, "oh-runner: %s takes a number in %ld..%ld, not '%s'\n", opt, lo, hi, arg);
  return -1;
}

static int capacity(runner_config *c, const char *arg) {
  char buf[32];
  size_t n = strlen(arg);
  long v;
  if (n > 1 && n < sizeof buf && arg[n - 1] == 'b') {
    memcpy(buf, arg, n - 1);
    buf[n - 1] = '\0';
    if (num("--pcm-capacity", buf, 1, 1L << 30, &v)) return -1;
    c->pcm_capacity_bytes = v;
    return 0;
  }
  if (num("--pcm-capacity", arg, 1, 1L << 28, &v)) return -1;
  c->pcm_capacity = v;
  return 0;
}

static int option(runner_config *c, runner_given *g, int opt, const char *arg) {
  long v;
  switch (opt) {
  case OH_OPT_MODEL:
    if (oh_model_from_name(arg, &c->model) == 0) return 0;
    fprintf(stderr, "oh-runner: unknown model '%s'\n", arg);
    return -1;
  case OH_OPT_RATE: if (num("--rate", arg, 1, 1000000, &v)) return -1; c->rate = (int32_t)v; return 0;
  case OH_OPT_CHANNELS:
    if (num("--channels", arg, 1, 255, &v)) return -1;
    c->channels = (int)v; g->channels = 1; return 0;
  case OH_OPT_FRAME_SIZE:
    if (num("--frame-size", arg, 0, 1 << 20, &v)) return -1;
    c->frame_size = (int)v; g->frame_size = 1; return 0;
  case OH_OPT_PCM_CAPACITY: g->pcm_capacity = 1; return capacity(c, arg);
  case OH_OPT_SAMPLE:
    if (!strcmp(arg, "float")) c->sample = OH_SAMPLE_FLOAT;
    else if (!strcmp(arg, "s16")) c->sample = OH_SAMPLE_S16;
    else { fprintf(stderr, "oh-runner: --sample takes float or s16\n"); return -1; }
    return 0;
  case OH_OPT_FEC: c->fec = 1; return 0;
  case OH_OPT_STATE:
    if (!strcmp(arg, "create")) c->state_init = 0;
    else if (!strcmp(arg, "init")) c->state_init = 1;
    else { fprintf(stderr, "oh-runner: --state takes create or init\n"); return -1; }
    g->state = 1; return 0;
  case OH_OPT_STATE_SIZE:
    if (num("--state-size", arg, 1, 1L << 26, &v)) return -1;
    c->state_size = v; g->state_size = 1; return 0;
  case OH_OPT_THREADS:
    if (num("--threads", arg, 1, 64, &v)) return -1;
    c->threads = (int)v; g->threads = 1; return 0;
  case OH_OPT_LOCK: c->lock = 1; g->lock = 1; return 0;
  case OH_OPT_RESET_EVERY:
    if (num("--reset-every", arg, 1, 1L << 30, &v)) return -1;
    c->reset_every = (int)v; return 0;
  case OPT_GUARD: c->guard = 1; return 0;
  case OPT_CHECK_ONLY: c->check_only = 1; return 0;
  case OPT_COMPARE: c->compare = 1; return 0;
  case OPT_EVENTS_FD:
    if (num("--events-fd", arg, 0, 1 << 20, &v)) return -1;
    c->events_fd = (int)v; return 0;
  default:
    return -1;
  }
}

static int parse(int argc, char **argv, runner_config *c) {
  static const struct option longopts[] = {
      OH_CLI_INPUT_LONGOPTS,
      OH_CLI_CALLER_LONGOPTS,
      {"guard", no_argument, NULL, OPT_GUARD},
      {"check-only", no_argument, NULL, OPT_CHECK_ONLY},
      {"compare", no_argument, NULL, OPT_COMPARE},
      {"events-fd", required_argument, NULL, OPT_EVENTS_FD},
      {"help", no_argument, NULL, OPT_HELP},
      {NULL, 0, NULL, 0}};
  runner_given g = {0};
  int o;
  memset(c, 0, sizeof *c);
  oh_reader_options_init(&c->ropt);
  c->rate = 48000;
  c->channels = 2;
  c->sample = OH_SAMPLE_FLOAT;
  c->threads = 1;
  c->events_fd = -1;
  while ((o = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
    int h = oh_cli_input_option("runner", o, optarg, &c->format, &c->ropt);
    if (h == 1) continue;
    if (h != 0) return -1;
    if (o == OPT_HELP) {
      usage(stdout);
      exit(0);
    }
    if (o == '?' || option(c, &g, o, optarg)) return -1;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "oh-runner: one INPUT expected (see --help)\n");
    return -1;
  }
  c->input = argv[optind];
  g.state = g.state || c->state_init;
  oh_model_apply(c, &g);
  if (c->frame_size == 0) c->frame_size = c->rate / 1000 * 120;
  if (c->pcm_capacity == 0 && c->pcm_capacity_bytes == 0)
    c->pcm_capacity = (long)c->frame_size * c->channels;
  return 0;
}

int main(int argc, char **argv) {
  static runner r;
  int rc;
  if (parse(argc, argv, &r.cfg)) return 3;
  oh_event_writer_init(&r.ev, r.cfg.events_fd);
  if (r.cfg.guard && oh_guard_install_handler(r.cfg.events_fd >= 0 ? r.cfg.events_fd : 2)) {
    fprintf(stderr, "oh-runner: cannot install the guard-page fault handler\n");
    return 3;
  }
  if (runner_load(&r)) return 3;
  rc = runner_run(&r);
  return rc;
}
