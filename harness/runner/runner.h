/* The replay runner: a small program that decodes a stream with libopus the
 * way a production caller does (framing -> decoder -> PCM consumer), with
 * the caller's own parameters or with one of the misuse models planted, and
 * reports every call to the parent over the event protocol (events.h). One
 * binary is built per libopus variant (oh-runner-<lib>). */
#ifndef OH_RUNNER_H
#define OH_RUNNER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "opushunt/contract.h"
#include "opushunt/events.h"
#include "opushunt/reader.h"
#include "opushunt/session.h"

/* The misuse models of the incident's hypotheses (models.c). */
typedef enum oh_model {
  OH_MODEL_CALLER = 0,
  OH_MODEL_REFERENCE,
  OH_MODEL_PCM_PER_CHANNEL,
  OH_MODEL_FRAME_SIZE_OVERSTATED,
  OH_MODEL_STATE_UNDERSIZED,
  OH_MODEL_DESTROY_FOREIGN_STATE,
  OH_MODEL_PACKET_FREED_EARLY,
  OH_MODEL_LENGTH_TRUSTED,
  OH_MODEL_SHARED_DECODER_RACE,
  OH_MODEL_LENGTH_TRUNCATED,
  OH_MODEL_DOUBLE_DESTROY,
  OH_MODEL_PCM_READ_PAST_SAMPLES,
  OH_MODEL_COUNT
} oh_model;

typedef struct runner_config {
  const char *input;
  oh_format format;
  oh_reader_options ropt;
  oh_model model;
  int32_t rate;
  int channels;
  int frame_size;        /* per channel; 0 = 120 ms */
  long pcm_capacity;     /* samples, all channels; 0 = frame_size x channels */
  long pcm_capacity_bytes; /* when given in bytes */
  oh_sample_format sample;
  int fec;
  int state_init;        /* caller-allocated state + opus_decoder_init */
  long state_size;       /* bytes; 0 = opus_decoder_get_size(channels) */
  int threads;
  int lock;
  int reset_every;
  int guard;
  int check_only;
  int compare;
  int events_fd;
  /* Defects the model switches on (models.c sets them). */
  int free_packet_early;
  int trust_length_prefix;
  int truncate_length_bits; /* 0, 8 or 16 */
  int destroy_twice_on_error;
  int destroy_foreign_state;
  int read_whole_pcm;
  int plc_uses_gap;      /* conceal with the gap, not the constant frame_size */
  int state_channels;    /* channels the state is sized for; 0 = channels */
} runner_config;

const char *oh_model_name(oh_model m);
int oh_model_from_name(const char *name, oh_model *m);
/* Sets the model's defaults and defect switches; explicit options the user
 * gave (marked in *given) win over model defaults. */
typedef struct runner_given {
  int frame_size, pcm_capacity, channels, state, state_size, threads, lock;
} runner_given;
void oh_model_apply(runner_config *cfg, const runner_given *given);

/* One record of the stream as the pipeline sees it. */
typedef struct runner_record {
  uint64_t index;
  uint64_t offset;
  const uint8_t *data;   /* into the input buffer or a private copy */
  long len;              /* the length the framing claims */
  size_t available;      /* bytes really readable at data */
  int lost;
} runner_record;

/* Shared state of one run (pipeline.c). */
typedef struct runner {
  runner_config cfg;
  oh_event_writer ev;     /* set-up and teardown; workers have their own */
  pthread_mutex_t dec_lock;
  uint8_t *input;        /* the whole input file, caller-owned copy */
  size_t input_len;
  runner_record *recs;
  size_t nrecs;
  void *dec;             /* OpusDecoder * */
  size_t state_size;     /* bytes allocated by the caller; 0 from create */
  void *state_block;     /* what the caller allocated (destroy-foreign) */
  int destroyed;
  int inflight;          /* threads inside a decode call right now */
  oh_session *ref;       /* reference session for --compare */
  int diverged;
  uint64_t calls, errors;
  volatile uint64_t audio_sink; /* keeps the consumer's reads alive */
} runner;

/* Reads the input and splits it into records (framing.c). Returns 0, or
 * prints one line to stderr and returns -1. */
int runner_load(runner *r);

/* Runs the pipeline (pipeline.c). Returns the process exit code. */
int runner_run(runner *r);

/* Caller memory: malloc, or guard pages under --guard (pipeline.c). */
void *runner_alloc(runner *r, size_t size, const char *name);
void runner_free(runner *r, void *p, const char *name);

#endif
