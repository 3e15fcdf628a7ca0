/* oh-runner-<lib>: the replay target. Parses the caller description and
 * the model, loads the input, and runs the pipeline, reporting events on
 * --events-fd. An OHS1 script input (format auto or script) describes its
 * own caller: api pipeline runs this pipeline from the script's header
 * (script_run.c), any other api the fuzz target for it; --target NAME runs
 * that fuzz target on the input's bytes instead, exactly as a fuzzer does.
 * Exit 0 when the run finished, 3 on bad usage or input; any other end
 * (signal, sanitizer exit) is the finding the parent analyses. It is
 * normally started by `opushunt replay`, but runs fine by hand. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "cli.h"
#include "opushunt/file.h"
#include "opushunt/guard.h"
#include "fuzz_target.h"
#include "runner.h"

enum {
  OPT_GUARD = OH_OPT_CALLER_END, OPT_CHECK_ONLY, OPT_COMPARE, OPT_EVENTS_FD, OPT_TARGET, OPT_HELP
};

/* What the options say beyond the caller's configuration. */
typedef struct runner_args {
  const char *target;   /* --target NAME */
  const char *caller;   /* a caller option given (its name), for refusals */
} runner_args;

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
          "  --events-fd N       write events (see events.h) to file descriptor N\n"
          "  --target NAME       run fuzz target NAME (packet, stream, multistream, projection,\n"
          "                      custom, repacketizer, pipeline, readers) on INPUT's bytes;\n"
          "                      without it an OHS1 script runs the target of its api, a\n"
          "                      pipeline script this pipeline configured by its header\n");
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

static const char *const CALLER_OPTS[] = {
    "--model", "--rate", "--channels", "--frame-size", "--pcm-capacity", "--sample",
    "--fec", "--state", "--state-size", "--threads", "--lock", "--reset-every"};

static int parse(int argc, char **argv, runner_config *c, runner_args *a) {
  static const struct option longopts[] = {
      OH_CLI_INPUT_LONGOPTS,
      OH_CLI_CALLER_LONGOPTS,
      {"guard", no_argument, NULL, OPT_GUARD},
      {"check-only", no_argument, NULL, OPT_CHECK_ONLY},
      {"compare", no_argument, NULL, OPT_COMPARE},
      {"events-fd", required_argument, NULL, OPT_EVENTS_FD},
      {"target", required_argument, NULL, OPT_TARGET},
      {"help", no_argument, NULL, OPT_HELP},
      {NULL, 0, NULL, 0}};
  runner_given g = {0};
  int o;
  runner_config_init(c);
  while ((o = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
    int h = oh_cli_input_option("runner", o, optarg, &c->format, &c->ropt);
    if (h == 1) continue;
    if (h != 0) return -1;
    if (o == OPT_HELP) {
      usage(stdout);
      exit(0);
    }
    if (o == OPT_TARGET) {
      a->target = optarg;
      continue;
    }
    if (o >= OH_OPT_MODEL && o < OH_OPT_CALLER_END) a->caller = CALLER_OPTS[o - OH_OPT_MODEL];
    if (o == '?' || option(c, &g, o, optarg)) return -1;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "oh-runner: one INPUT expected (see --help)\n");
    return -1;
  }
  c->input = argv[optind];
  g.state = g.state || c->state_init;
  runner_config_finish(c, &g);
  return 0;
}

/* ---- Fuzz targets and scripts. */

/* The fuzz target an OHS1 script of this api is the input of. */
static const char *target_for_api(int api) {
  switch (api) {
  case OH_SCRIPT_DECODER: return "stream";
  case OH_SCRIPT_MULTISTREAM: return "multistream";
  case OH_SCRIPT_PROJECTION: return "projection";
  case OH_SCRIPT_CUSTOM: return "custom";
  case OH_SCRIPT_REPACKETIZER: return "repacketizer";
  case OH_SCRIPT_PIPELINE: return "pipeline";
  default: return NULL;
  }
}

static int is_script(const runner_config *c, const uint8_t *buf, size_t len) {
  return (c->format == OH_FMT_AUTO || c->format == OH_FMT_SCRIPT) && len >= 4 &&
         memcmp(buf, OH_SCRIPT_MAGIC, 4) == 0;
}

/* Runs target name on buf in memory of exactly len bytes (guard pages
 * under --guard, named "input"), as the fuzzing engines hand it over. */
static int run_target(const runner_config *c, const char *name, const uint8_t *buf, size_t len) {
  oh_fuzz_fn fn = oh_fuzz_target_find(name);
  oh_event_writer ev;
  uint8_t *copy;
  if (!fn) {
    fprintf(stderr, "oh-runner: unknown target '%s': packet, stream, multistream, projection, "
            "custom, repacketizer, pipeline or readers\n", name);
    return 3;
  }
  copy = c->guard ? oh_guard_alloc(len ? len : 1, "input", OH_GUARD_END) : malloc(len ? len : 1);
  if (!copy) {
    fprintf(stderr, "oh-runner: out of memory\n");
    return 3;
  }
  if (len) memcpy(copy, buf, len);
  /* The target reports no calls: only what ran, and where the input is. */
  oh_event_writer_init(&ev, c->events_fd);
  oh_event_begin(&ev, "start");
  oh_event_str(&ev, "lib", OH_RUNNER_LIB);
  oh_event_str(&ev, "opus", opus_get_version_string());
  oh_event_str(&ev, "target", name);
  oh_event_end(&ev);
  oh_event_begin(&ev, "buffer");
  oh_event_str(&ev, "name", "input");
  oh_event_hex(&ev, "addr", (uint64_t)(uintptr_t)copy);
  oh_event_int(&ev, "size", (int64_t)len);
  oh_event_str(&ev, "how", c->guard ? "guard" : "heap");
  oh_event_end(&ev);
  oh_event_flush(&ev);
  fn(copy, len);
  if (c->guard) oh_guard_free(copy);
  else free(copy);
  return 0;
}

/* A pipeline script: this pipeline, configured by the script's header. */
static int run_pipeline_script(const runner_config *c, const uint8_t *buf, size_t len) {
  runner_env env;
  runner_script_result res;
  env.events_fd = c->events_fd;
  env.guard = c->guard;
  env.check_only = c->check_only;
  /* The script's differential flag asks for the comparison, as in the
   * fuzz target; here a divergence is reported, not an abort. */
  env.compare = c->compare || (buf[5] & OH_SCRIPT_F_DIFFERENTIAL);
  env.quiet = 0;
  runner_script_run(buf, len, &env, &res);
  return res.exit_code;
}

/* The input's bytes run through a fuzz target or a script's header. */
static int run_fuzz_input(const runner_config *c, const runner_args *a, const uint8_t *buf,
                          size_t len) {
  const char *name = a->target;
  if (a->caller) {
    fprintf(stderr, "oh-runner: %s: %s describes the caller itself: drop %s\n", c->input,
            name ? "a fuzz target's input" : "an OHS1 script's header", a->caller);
    return 3;
  }
  if (!name) {
    if (len < OH_SCRIPT_HEADER_LEN) {
      fprintf(stderr, "oh-runner: %s: OHS1 script header cut short (%zu of %d bytes)\n",
              c->input, len, OH_SCRIPT_HEADER_LEN);
      return 3;
    }
    if (buf[4] == OH_SCRIPT_PIPELINE) return run_pipeline_script(c, buf, len);
    if (!(name = target_for_api(buf[4]))) {
      fprintf(stderr, "oh-runner: %s: OHS1 script with unknown api %d\n", c->input, buf[4]);
      return 3;
    }
  }
  if (c->check_only) {
    fprintf(stderr, "oh-runner: --check-only needs the runner's own pipeline, not target %s\n",
            name);
    return 3;
  }
  return run_target(c, name, buf, len);
}

int main(int argc, char **argv) {
  static runner r;
  runner_args a = {0};
  uint8_t *buf = NULL;
  size_t len = 0;
  oh_error err;
  int rc;
  if (parse(argc, argv, &r.cfg, &a)) return 3;
  oh_event_writer_init(&r.ev, r.cfg.events_fd);
  if (r.cfg.guard && oh_guard_install_handler(r.cfg.events_fd >= 0 ? r.cfg.events_fd : 2)) {
    fprintf(stderr, "oh-runner: cannot install the guard-page fault handler\n");
    return 3;
  }
  oh_error_clear(&err);
  if (oh_file_read(r.cfg.input, OH_MAX_INPUT_FILE, &buf, &len, &err) != OH_OK) {
    char line[600];
    oh_error_format(&err, r.cfg.input, line, sizeof line);
    fprintf(stderr, "oh-runner: %s\n", line);
    return 3;
  }
  if (a.target || is_script(&r.cfg, buf, len)) {
    rc = run_fuzz_input(&r.cfg, &a, buf, len);
    free(buf);
    return rc;
  }
  rc = runner_load_buffer(&r, buf, len);
  free(buf);
  if (rc) return 3;
  return runner_run(&r);
}
