/* The misuse models: the production pipeline with exactly one defect from
 * the incident's list of hypotheses each. A model only changes parameters
 * and switches defects on; the pipeline (pipeline.c) is shared, so any
 * difference in behaviour comes from the one defect. */
#include <string.h>

#include <opus.h>

#include "runner.h"

static const char *const NAMES[OH_MODEL_COUNT] = {
    "caller",
    "reference",
    "pcm-per-channel",
    "frame-size-overstated",
    "state-undersized",
    "destroy-foreign-state",
    "packet-freed-early",
    "length-trusted",
    "shared-decoder-race",
    "length-truncated",
    "double-destroy",
    "pcm-read-past-samples",
};

const char *oh_model_name(oh_model m) {
  return (unsigned)m < OH_MODEL_COUNT ? NAMES[m] : "unknown";
}

int oh_model_from_name(const char *name, oh_model *m) {
  int i;
  for (i = 0; i < OH_MODEL_COUNT; i++)
    if (strcmp(NAMES[i], name) == 0) {
      *m = (oh_model)i;
      return 0;
    }
  return -1;
}

void runner_config_init(runner_config *c) {
  memset(c, 0, sizeof *c);
  oh_reader_options_init(&c->ropt);
  c->rate = 48000;
  c->channels = 2;
  c->sample = OH_SAMPLE_FLOAT;
  c->threads = 1;
  c->events_fd = -1;
}

static int ms(const runner_config *c, int millis) { return c->rate / 1000 * millis; }

void oh_model_apply(runner_config *c, const runner_given *g) {
  switch (c->model) {
  case OH_MODEL_CALLER:
    /* The caller exactly as described by the options. */
    break;
  case OH_MODEL_REFERENCE:
    /* The correct pipeline: the reference decoder's session parameters,
     * whatever the options said about buffers, state and threads. */
    c->frame_size = ms(c, 120);
    c->pcm_capacity = (long)c->frame_size * c->channels;
    c->pcm_capacity_bytes = 0;
    c->state_init = 0;
    c->state_size = 0;
    c->threads = 1;
    c->plc_uses_gap = 1;
    break;
  case OH_MODEL_PCM_PER_CHANNEL:
    /* Hypothesis: the PCM buffer holds max_frame_samples floats, sized per
     * channel, but the decoder is stereo and writes frame x 2 samples. The
     * incident's max_frame_samples=960 is the default. */
    if (!g->channels) c->channels = 2;
    if (!g->frame_size) c->frame_size = 960;
    if (!g->pcm_capacity) c->pcm_capacity = c->frame_size;
    break;
  case OH_MODEL_FRAME_SIZE_OVERSTATED:
    /* Hypothesis: frame_size claims 120 ms while the buffer holds 20 ms:
     * harmless until a packet longer than 20 ms arrives. */
    if (!g->frame_size) c->frame_size = ms(c, 120);
    if (!g->pcm_capacity) c->pcm_capacity = (long)ms(c, 20) * c->channels;
    break;
  case OH_MODEL_STATE_UNDERSIZED:
    /* Hypothesis: the caller allocates decoder state for mono
     * (opus_decoder_get_size(1)) and initialises it for stereo. */
    if (!g->channels) c->channels = 2;
    c->state_init = 1;
    c->state_channels = 1;
    if (!g->state_size) c->state_size = opus_decoder_get_size(1);
    break;
  case OH_MODEL_DESTROY_FOREIGN_STATE:
    /* Hypothesis: state lives in caller memory (a ctypes buffer inside a
     * larger object) and is given to opus_decoder_init, then released with
     * opus_decoder_destroy, which frees memory libopus never allocated. */
    c->state_init = 1;
    c->destroy_foreign_state = 1;
    break;
  case OH_MODEL_PACKET_FREED_EARLY:
    /* Hypothesis: the packet's buffer is released (garbage-collected)
     * before the decode call that reads it. */
    c->free_packet_early = 1;
    break;
  case OH_MODEL_LENGTH_TRUSTED:
    /* Hypothesis: the framing parser believes the length prefix and hands
     * libopus a length running past the end of the received bytes. */
    c->trust_length_prefix = 1;
    break;
  case OH_MODEL_SHARED_DECODER_RACE:
    /* Hypothesis: several request threads decode on one decoder with no
     * lock ("worse under concurrency"). */
    if (!g->threads) c->threads = 4;
    if (!g->lock) c->lock = 0;
    break;
  case OH_MODEL_LENGTH_TRUNCATED:
    /* Hypothesis: the packet length goes through an 8-bit variable: no
     * crash, wrong audio for packets of 256 bytes or more. */
    c->truncate_length_bits = 8;
    break;
  case OH_MODEL_DOUBLE_DESTROY:
    /* Hypothesis: "rebuild the decoder when corrupted" destroys the old
     * decoder twice when a decode call fails. */
    c->destroy_twice_on_error = 1;
    break;
  case OH_MODEL_PCM_READ_PAST_SAMPLES:
    /* Hypothesis: the consumer reads the whole PCM buffer instead of the
     * samples the call returned: uninitialised memory reaches the audio. */
    c->read_whole_pcm = 1;
    break;
  default:
    break;
  }
}

void runner_config_finish(runner_config *c, const runner_given *g) {
  oh_model_apply(c, g);
  if (c->frame_size == 0) c->frame_size = ms(c, 120);
  if (c->pcm_capacity == 0 && c->pcm_capacity_bytes == 0)
    c->pcm_capacity = (long)c->frame_size * c->channels;
}
