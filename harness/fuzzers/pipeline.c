/* Fuzz target "pipeline": the incident's production pipeline (length-prefix
 * framing -> opus_decode[_float] -> PCM consumer) with one misuse model
 * planted, run in-process by the replay runner's own code.
 *
 * Input: an OHS1 script (opushunt/script.h) with api OH_SCRIPT_PIPELINE;
 * anything else is ignored. Header: family = the misuse model (0 caller,
 * 1 reference, ... as `opushunt replay --model` numbers them in
 * harness/runner/runner.h; unknown numbers are ignored, never wrapped),
 * rate (8/12/16/24/48 kHz), channels (1, 2), frame_size (0: the model's,
 * else at most 120 ms), flags (OH_SCRIPT_F_DIFFERENTIAL: compare with the
 * reference session). Extra: u32be pcm_capacity (samples, all channels;
 * 0: the model's), u8 OH_SCRIPT_PF_* (FEC, float, caller-allocated state).
 * Body: the received bytes, u16be length then packet, a zero length being
 * a loss. harness/runner/script_run.c has every rule.
 *
 * Per input: one thread, at most OH_SCRIPT_MAX_RECORDS records, no guard
 * pages, no events. Under `reference` no input may crash; each defective
 * model crashes the way `opushunt replay` shows it (ASan: pcm-per-channel,
 * frame-size-overstated, state-undersized, destroy-foreign-state,
 * packet-freed-early, length-trusted, double-destroy; MSan:
 * pcm-read-past-samples; the differential check: length-truncated).
 * shared-decoder-race runs single-threaded and cannot race here.
 * Oracle: with OH_SCRIPT_F_DIFFERENTIAL, output that differs from the
 * reference session's fails (oh_fuzz_oracle_fail), whatever the model.
 * The same file replays with `opushunt replay FILE` (events and the first
 * faulting record) or `--target pipeline` (this function as is).
 *
 * OPUSHUNT_PIPELINE_MODEL=NAME|NUMBER in the environment forces the model
 * whatever the header says: a campaign then hunts one model's defect (the
 * time-to-detection benchmark, the smoke test's "reference never crashes").
 * A crash file found that way carries its original family byte; replay it
 * with the same variable set or patch byte 9. A build for continuous
 * fuzzing that must not report the planted defects on every run
 * (ClusterFuzzLite) compiles with -DOH_PIPELINE_PIN=1: the reference model,
 * unless the variable says otherwise. */
#include "fuzz_target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

#ifndef OH_PIPELINE_PIN
#define OH_PIPELINE_PIN -1
#endif

/* The model OPUSHUNT_PIPELINE_MODEL forces, else the build's pin (-1:
 * none). A value that names no model ends the process: a campaign must not
 * run with a typo. */
static int forced_model(void) {
  const char *v = getenv("OPUSHUNT_PIPELINE_MODEL");
  oh_model m;
  char *end;
  if (!v || !*v) return OH_PIPELINE_PIN;
  long n = strtol(v, &end, 10);
  if (*end == '\0' && n >= 0 && n < OH_MODEL_COUNT) return (int)n;
  if (oh_model_from_name(v, &m) == 0) return (int)m;
  fprintf(stderr, "fuzz pipeline: OPUSHUNT_PIPELINE_MODEL=%s names no misuse model\n", v);
  exit(2);
}

int oh_fuzz_pipeline(const uint8_t *data, size_t size) {
  runner_env env = {-1, 0, 0, 0, 1};
  runner_script_result res;
  uint8_t *copy = NULL;
  if (size < OH_SCRIPT_HEADER_LEN || data[4] != OH_SCRIPT_PIPELINE) return 0;
  int model = forced_model();
  if (model >= 0) {
    copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    copy[9] = (uint8_t)model;
    data = copy;
  }
  env.compare = (data[5] & OH_SCRIPT_F_DIFFERENTIAL) != 0;
  runner_script_run(data, size, &env, &res);
  free(copy);
  if (res.diverged)
    oh_fuzz_oracle_fail("pipeline", "model %s: record #%" PRId64
                        " differs from the reference session", res.model, res.diverge_index);
  return 0;
}
