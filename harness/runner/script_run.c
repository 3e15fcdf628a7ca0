/* OHS1 pipeline scripts (script.h, api OH_SCRIPT_PIPELINE) in the runner:
 * the header becomes a runner_config (family = the misuse model; rate,
 * channels, frame size; sample format, FEC and caller-allocated state from
 * the pipeline flags; PCM capacity from the extra bytes) and the body, a
 * raw u16be length-prefixed stream, goes through the runner's own framing,
 * decode and consumer stages. The pipeline fuzz target and oh-runner both
 * come here, so a script runs the same code in the fuzzer and in replay;
 * only events, guard pages and the comparison differ (runner_env).
 *
 * Decisions, so a script means the same thing forever:
 * - a family that names no model is refused, not taken modulo the model
 *   count (a corpus file must not change meaning when a model is added);
 * - rate must be an Opus decoder rate and channels 1 or 2: set-up errors
 *   are not what the pipeline is about, and refusing them keeps the work
 *   per input bounded;
 * - a header frame_size or pcm_capacity of 0 lets the model choose (as an
 *   option left out on the command line does); a frame_size above 120 ms
 *   is refused (no call returns more; only concealment would, and that is
 *   unbounded work); pcm_capacity is capped at OH_RUNNER_SCRIPT_MAX_PCM;
 * - missing extra bytes read as 0, bytes after the five known are ignored;
 * - one thread always, at most OH_SCRIPT_MAX_RECORDS records: the fuzz
 *   target must be deterministic and bounded, and replay runs the same
 *   thing. shared-decoder-race therefore shows no race here (TSan needs
 *   the threads): replay the body with --model shared-decoder-race. */
#include <stdio.h>
#include <string.h>

#include "runner.h"

static int valid_rate(uint32_t rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int runner_script_config(runner_config *c, const oh_script_header *h, char *why, size_t cap) {
  runner_given g = {0};
  uint8_t extra[5] = {0};
  int pflags, max_frame;
  runner_config_init(c);
  if (h->api != OH_SCRIPT_PIPELINE) {
    snprintf(why, cap, "script api %s is not a pipeline", oh_script_api_name(h->api));
    return -1;
  }
  if (h->family < 0 || h->family >= OH_MODEL_COUNT) {
    snprintf(why, cap, "script family %d names no misuse model (0..%d)", h->family,
             OH_MODEL_COUNT - 1);
    return -1;
  }
  if (!valid_rate(h->rate) || h->channels < 1 || h->channels > 2) {
    snprintf(why, cap, "script rate %u, channels %d: not a decoder configuration "
             "(8000/12000/16000/24000/48000 Hz, 1 or 2 channels)", h->rate, h->channels);
    return -1;
  }
  if (h->extra && h->extra_len)
    memcpy(extra, h->extra, h->extra_len < sizeof extra ? h->extra_len : sizeof extra);
  pflags = extra[4];
  c->model = (oh_model)h->family;
  c->format = OH_FMT_LP16BE;
  c->rate = (int32_t)h->rate;
  c->channels = h->channels;
  c->sample = pflags & OH_SCRIPT_PF_FLOAT ? OH_SAMPLE_FLOAT : OH_SAMPLE_S16;
  c->fec = (pflags & OH_SCRIPT_PF_FEC) != 0;
  c->state_init = (pflags & OH_SCRIPT_PF_STATE_INIT) != 0;
  c->frame_size = h->frame_size;
  c->pcm_capacity = (long)be32(extra);
  c->threads = 1;
  c->max_records = OH_SCRIPT_MAX_RECORDS;
  g.channels = 1;
  g.frame_size = c->frame_size != 0;
  g.pcm_capacity = c->pcm_capacity != 0;
  g.state = c->state_init;
  g.threads = 1;
  max_frame = c->rate / 1000 * 120;
  if (c->frame_size > max_frame || c->pcm_capacity > OH_RUNNER_SCRIPT_MAX_PCM) {
    snprintf(why, cap, "script frame_size %d or pcm_capacity %ld too large (at most %d and %ld)",
             c->frame_size, c->pcm_capacity, max_frame, OH_RUNNER_SCRIPT_MAX_PCM);
    return -1;
  }
  runner_config_finish(c, &g);
  return 0;
}

static void refuse(runner_script_result *out, const runner_env *env, const char *why) {
  out->exit_code = 3;
  if (why != out->why) snprintf(out->why, sizeof out->why, "%s", why);
  if (!env->quiet) fprintf(stderr, "oh-runner: %s\n", out->why);
}

void runner_script_run(const uint8_t *data, size_t size, const runner_env *env,
                       runner_script_result *out) {
  static const runner zero;
  runner r = zero;
  oh_script s;
  oh_error err;
  memset(out, 0, sizeof *out);
  out->diverge_index = -1;
  oh_error_clear(&err);
  if (oh_script_parse(data, size, 0, &s, &err) != OH_OK) {
    refuse(out, env, err.reason[0] ? err.reason : "not an OHS1 script");
    return;
  }
  if (runner_script_config(&r.cfg, &s.h, out->why, sizeof out->why)) {
    oh_script_free(&s);
    refuse(out, env, out->why);
    return;
  }
  snprintf(out->model, sizeof out->model, "%s", oh_model_name(r.cfg.model));
  r.cfg.input = "script";
  /* The body is read where it lies, so record offsets are script offsets
   * and the "input" buffer ends where the script does. */
  r.cfg.ropt.header_skip = s.body ? (size_t)(s.body - data) : size;
  oh_script_free(&s);
  r.cfg.events_fd = env->events_fd;
  r.cfg.guard = env->guard;
  r.cfg.check_only = env->check_only;
  r.cfg.compare = env->compare;
  r.cfg.quiet = env->quiet;
  if (runner_load_buffer(&r, data, size)) {
    runner_cleanup(&r);
    refuse(out, env, "the script's body cannot be framed");
    return;
  }
  out->exit_code = runner_run(&r);
  out->diverged = r.diverged;
  out->diverge_index = r.diverged ? r.diverge_index : -1;
  runner_cleanup(&r);
}
