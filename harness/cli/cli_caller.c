/* The caller description options (OH_CLI_CALLER_LONGOPTS) parsed into an
 * oh_replay_caller, shared by `opushunt replay` and `opushunt triage`
 * (the runner parses the same names itself, against its own config). */
#include <string.h>

#include "cli.h"
#include "opushunt/replay.h"

/* "1920" or "7680b": a positive count, bytes with the b. */
static int valid_capacity(const char *s) {
  long v;
  char buf[32];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n + 1);
  if (buf[n - 1] == 'b') buf[n - 1] = '\0';
  return oh_cli_parse_long(buf, 1, 1L << 30, &v) == 0;
}

static int caller_num(const char *cmd, const char *opt, const char *arg, long lo, long hi,
                      long *out) {
  if (oh_cli_parse_long(arg, lo, hi, out))
    return oh_cli_usage_error(cmd, "%s takes a number %ld..%ld, not '%s'", opt, lo, hi, arg);
  return 0;
}

int oh_cli_caller_option(const char *cmd, int opt, const char *arg, oh_replay_caller *k) {
  switch (opt) {
  case OH_OPT_MODEL:
    if (!oh_replay_model_known(arg))
      return oh_cli_usage_error(cmd, "unknown model '%s': caller, reference, pcm-per-channel, "
                                "frame-size-overstated, state-undersized, destroy-foreign-state, "
                                "packet-freed-early, length-trusted, shared-decoder-race, "
                                "length-truncated, double-destroy or pcm-read-past-samples", arg);
    k->model = arg;
    return 0;
  case OH_OPT_RATE: return caller_num(cmd, "--rate", arg, 1, 1000000, &k->rate);
  case OH_OPT_CHANNELS: return caller_num(cmd, "--channels", arg, 1, 255, &k->channels);
  case OH_OPT_FRAME_SIZE: return caller_num(cmd, "--frame-size", arg, 1, 1000000, &k->frame_size);
  case OH_OPT_STATE_SIZE: return caller_num(cmd, "--state-size", arg, 0, 1L << 30, &k->state_size);
  case OH_OPT_THREADS: return caller_num(cmd, "--threads", arg, 1, 64, &k->threads);
  case OH_OPT_RESET_EVERY:
    return caller_num(cmd, "--reset-every", arg, 1, 1L << 30, &k->reset_every);
  case OH_OPT_FEC: k->fec = 1; return 0;
  case OH_OPT_LOCK: k->lock = 1; return 0;
  case OH_OPT_PCM_CAPACITY:
    if (!valid_capacity(arg))
      return oh_cli_usage_error(cmd, "--pcm-capacity takes samples (1920) or bytes (7680b), "
                                "not '%s'", arg);
    k->pcm_capacity = arg;
    return 0;
  case OH_OPT_SAMPLE:
    if (strcmp(arg, "float") && strcmp(arg, "s16"))
      return oh_cli_usage_error(cmd, "--sample takes float or s16, not '%s'", arg);
    k->sample = arg;
    return 0;
  case OH_OPT_STATE:
    if (strcmp(arg, "create") && strcmp(arg, "init"))
      return oh_cli_usage_error(cmd, "--state takes create or init, not '%s'", arg);
    k->state = arg;
    return 0;
  default: return 1;
  }
}
