/* The replay runner: a small program that decodes a stream with libopus the
 * way a production caller does (framing -> decoder -> PCM consumer), with
 * the caller's own parameters or with one of the misuse models planted, and
 * reports every call to the parent over the event protocol (events.h). One
 * binary is built per libopus variant (oh-runner-<lib>).
 *
 * Everything but option parsing is a library (framing.c, pipeline.c,
 * models.c, script_run.c) that never exits, reads no file and frees all it
 * allocates (runner_cleanup), so the pipeline fuzz target runs the very
 * same code in-process over a buffer (harness/fuzzers/pipeline.c). */
#ifndef OH_RUNNER_H
#define OH_RUNNER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "opushunt/contract.h"
#include "opushunt/events.h"
#include "opushunt/reader.h"
#include "opushunt/script.h"
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
  int events_fd;         /* -1: no events */
  int quiet;             /* no notes on stderr (the fuzz target) */
  size_t max_records;    /* framing stops after this many; 0 = no limit */
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

/* The runner's defaults: 48 kHz stereo float, one thread, no events. */
void runner_config_init(runner_config *cfg);
/* Applies the model, then fills frame_size (0: 120 ms) and pcm_capacity
 * (0: frame_size x channels). */
void runner_config_finish(runner_config *cfg, const runner_given *given);

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
  int mutex_ready;
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
  int64_t diverge_index;
  uint64_t calls, errors;
  volatile uint64_t audio_sink; /* keeps the consumer's reads alive */
} runner;

/* Reads the input file cfg.input and splits it into records (framing.c).
 * Returns 0, or prints one line to stderr and returns -1. */
int runner_load(runner *r);
/* The same over buf[0..len) (copied into caller memory of exactly len
 * bytes; cfg.input only names it in messages). */
int runner_load_buffer(runner *r, const uint8_t *buf, size_t len);

/* Runs the pipeline (pipeline.c). Returns the process exit code: 0 when
 * the stream was decoded, 3 when the decoder could not be set up. */
int runner_run(runner *r);

/* Frees everything runner_load* and runner_run allocated (pipeline.c);
 * r can be loaded again after it. */
void runner_cleanup(runner *r);

/* ---- OHS1 pipeline scripts (script_run.c): the header is the caller, the
 * body the received bytes. */

/* The most PCM samples (all channels) a script may ask for: 1 Mi. */
#define OH_RUNNER_SCRIPT_MAX_PCM (1L << 20)

/* How a script is run: by the runner (events, guard pages, --compare) or
 * by the fuzz target (none of them, quiet). */
typedef struct runner_env {
  int events_fd;
  int guard;
  int check_only;
  int compare;
  int quiet;
} runner_env;

/* Fills cfg from a pipeline script's header. Returns 0, or -1 with a
 * one-line reason in why (unknown model, rate, channels, sizes too big). */
int runner_script_config(runner_config *cfg, const oh_script_header *h, char *why,
                         size_t cap);

/* What running a script gave. */
typedef struct runner_script_result {
  int exit_code;          /* runner_run's, or 3 when refused */
  int diverged;           /* the reference session disagreed ... */
  int64_t diverge_index;  /* ... first at this record */
  char model[32];
  char why[200];          /* when refused */
} runner_script_result;

/* Parses data as an OHS1 pipeline script (leniently, as fuzz targets do),
 * builds the pipeline from its header and runs it over the body, then
 * frees everything. The body is read where it lies in data, so record
 * offsets are offsets in the script. */
void runner_script_run(const uint8_t *data, size_t size, const runner_env *env,
                       runner_script_result *out);

/* Caller memory: malloc, or guard pages under --guard (pipeline.c). */
void *runner_alloc(runner *r, size_t size, const char *name);
void runner_free(runner *r, void *p, const char *name);

#endif
