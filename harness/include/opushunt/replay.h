/* The crash reproducer behind `opushunt replay`: runs a replay runner
 * (oh-runner-<lib>, one per libopus build) in an isolated child under one
 * checking tool, reads back what it said (events.h) and what the tool
 * printed (sanreport.h, guard.h), and combines both into one result: the
 * verdict, the first faulting packet, the call that faulted with its
 * arguments, the tool's finding attributed to a caller buffer, and the
 * contract rules the caller broke — latent ones kept apart from the one
 * that made this call fault. The command line (cmd_replay.c) and the
 * reports (replay_report.c) are thin layers over this. */
#ifndef OPUSHUNT_REPLAY_H
#define OPUSHUNT_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opushunt/child.h"
#include "opushunt/error.h"
#include "opushunt/packet.h"
#include "opushunt/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --under: which tool watches the runner. */
typedef enum oh_replay_tool {
  OH_UNDER_PLAIN = 0, /* nothing: just run it */
  OH_UNDER_GUARD,     /* caller buffers between PROT_NONE pages (--guard) */
  OH_UNDER_ASAN,
  OH_UNDER_UBSAN,
  OH_UNDER_MSAN,
  OH_UNDER_TSAN,
  OH_UNDER_VALGRIND,  /* Valgrind memcheck */
  OH_UNDER_HELGRIND,  /* Valgrind helgrind */
  OH_UNDER_COUNT
} oh_replay_tool;

/* "plain", "guard", ..., "helgrind". */
const char *oh_replay_tool_name(oh_replay_tool t);
/* OH_OK or OH_ERR_ARG. */
int oh_replay_tool_from_name(const char *name, oh_replay_tool *t);
/* The library a tool uses unless told: system for plain, guard, valgrind
 * and helgrind; the matching instrumented build for a sanitizer. */
const char *oh_replay_default_lib(oh_replay_tool t);
/* 1 when name is a libopus variant a runner can be built for. */
int oh_replay_lib_known(const char *name);
/* The caller misuse models the runner knows (--model), NULL-terminated. */
extern const char *const oh_replay_models[];
int oh_replay_model_known(const char *name);

/* The fuzz target names of harness/fuzzers/TARGETS, NULL-terminated (empty
 * in a build without the list), and whether name is one of them. */
const char *const *oh_replay_target_list(void);
int oh_replay_target_known(const char *name);

/* OH_OK when tool can see anything in a runner built for lib, else
 * OH_ERR_ARG with a reason that says what to do instead. */
int oh_replay_check_combo(oh_replay_tool t, const char *lib, oh_error *err);

/* How the production service called libopus: passed to the runner as is.
 * Zero / NULL / -1 (where noted) leave the runner's default. */
typedef struct oh_replay_caller {
  const char *model;
  long rate;
  long channels;
  long frame_size;
  const char *pcm_capacity; /* "1920" samples or "7680b" bytes */
  const char *sample;       /* "float" or "s16" */
  int fec;
  const char *state;        /* "create" or "init" */
  long state_size;          /* -1: unset */
  long threads;
  int lock;
  long reset_every;
} oh_replay_caller;

typedef struct oh_replay_options {
  const char *input;
  oh_format format;
  oh_reader_options ropt;
  oh_replay_caller caller;
  const char *target;        /* --target NAME: that fuzz target runs on the
                                input's bytes; NULL or "auto": an OHS1
                                script picks by its api, else the pipeline */
  const char *lib;           /* NULL: the tool's default */
  const char *runner_dir;    /* folder holding oh-runner-<lib> */
  int check_only;
  int compare;               /* default on */
  uint32_t timeout_ms;       /* 0: none */
  uint64_t memory_bytes;     /* 0: none */
  const char *keep_logs;     /* folder for the child's stderr and events */
  const char *symbolizer;    /* llvm-symbolizer path for the sanitizers */
  const char *valgrind;      /* the valgrind program (default "valgrind") */
} oh_replay_options;

/* Defaults: compare on, 60 s, 2048 MiB, everything else unset. */
void oh_replay_options_init(oh_replay_options *o);

/* The runner folder: env OPUSHUNT_RUNNER_DIR, else <dir of exe>/runners.
 * Writes into buf and returns it, or NULL when neither is known. */
const char *oh_replay_default_runner_dir(char *buf, size_t cap);
/* The llvm-symbolizer-14 the sanitizers should use, or NULL. */
const char *oh_replay_find_symbolizer(void);

/* <runner_dir>/oh-runner-<lib> when it exists and is executable; else
 * OH_ERR_NOT_FOUND with a reason naming what to build. */
int oh_replay_runner_path(const char *runner_dir, const char *lib, char *out,
                          size_t cap, oh_error *err);

/* The fd the runner writes its events to. */
#define OH_REPLAY_EVENTS_FD 3
#define OH_REPLAY_MAX_ARGS 96
#define OH_REPLAY_MAX_ENV 4

/* One child command line: argv, added environment and the limits. */
typedef struct oh_replay_cmd {
  char *argv[OH_REPLAY_MAX_ARGS + 1];
  const char *env[OH_REPLAY_MAX_ENV + 1];
  int argc, nenv;
  uint64_t as_limit, rss_limit;
  size_t used;
  char store[16384]; /* the strings argv and env point into */
} oh_replay_cmd;

/* Builds the command for tool over the runner at runner (lib given for
 * its instrumentation, which sets the sanitizer's environment). */
int oh_replay_build_cmd(const oh_replay_options *o, oh_replay_tool t,
                        const char *lib, const char *runner,
                        oh_replay_cmd *cmd, oh_error *err);

typedef enum oh_replay_verdict {
  OH_VERDICT_CLEAN = 0,
  OH_VERDICT_CRASH,      /* killed by a signal */
  OH_VERDICT_SANITIZER,  /* a sanitizer or Valgrind report */
  OH_VERDICT_CONTRACT,   /* API contract broken, nothing faulted */
  OH_VERDICT_TIMEOUT,
  OH_VERDICT_OOM,
  OH_VERDICT_DIVERGENCE, /* output differs from the reference session */
  OH_VERDICT_ERROR,      /* the replay itself failed (no finding) */
  OH_VERDICT_COUNT
} oh_replay_verdict;

const char *oh_replay_verdict_name(oh_replay_verdict v);
/* 1 for crash, sanitizer, contract, timeout, oom, divergence. */
int oh_replay_verdict_is_finding(oh_replay_verdict v);

/* One `call` event, with the `ret` that followed it if any. */
typedef struct oh_replay_call {
  int present;
  uint64_t seq;        /* position among the events */
  int64_t index;       /* record index; -1 outside the stream */
  int64_t offset, len, frame_size;
  char kind[16];       /* packet, plc, fec, init, destroy, create, ctl */
  char api[48];
  char thread[16];
  int returned;        /* a `ret` for it came back */
  int64_t ret;
} oh_replay_call;

typedef struct oh_replay_contract {
  int present;
  int64_t index;
  char rule[32];
  int fault_expected;
  char detail[256];
} oh_replay_contract;

typedef struct oh_replay_buffer {
  char name[32];
  char how[16];
  uint64_t addr, size;
  int freed;
} oh_replay_buffer;

typedef struct oh_replay_frame {
  int index;
  uint64_t pc;
  char function[160];
  char file[200];
  int line, column;
  char module[120];
  int noise; /* oh_frame_is_noise */
} oh_replay_frame;

#define OH_REPLAY_MAX_FRAMES 16

/* What the tool saw. */
typedef struct oh_replay_finding {
  int present;
  char source[24];     /* "guard", "signal", or a sanreport tool name */
  char kind[48];       /* sanreport kind name; guard: buffer-overflow,
                          use-after-free, SEGV; signal: SEGV, ABRT, ... */
  char access[8];      /* READ, WRITE, UNKNOWN */
  uint64_t size;       /* bytes accessed, 0 unknown */
  int has_address;
  uint64_t address;
  char signal[16];     /* the signal the runner died of, "" if none */
  /* The caller buffer the address is in or next to. */
  int has_buffer;
  char buffer[32];
  char relation[16];   /* inside, after-end, before-start, freed */
  int64_t buffer_offset; /* address minus buffer start */
  uint64_t buffer_size;
  uint64_t by;         /* bytes past the edge (ASan's count) */
  char description[400]; /* the tool's one line */
  char thread[24];
  int nframes;
  int further;         /* more reports after the first */
  char region[8];      /* heap, stack, global, or "" (sanitizer reports) */
  /* The first frame of the allocation stack that is not noise: who made
   * the block ("" when the report has no allocation stack). */
  char alloc_function[96];
  char alloc_file[200];
  oh_replay_frame frames[OH_REPLAY_MAX_FRAMES];
} oh_replay_finding;

/* The first faulting packet as the input holds it (found by the parent
 * reading the input itself). */
typedef struct oh_replay_packet {
  int present;
  uint64_t index, offset;
  size_t len;
  int lost;
  int cut_off;          /* the input's last record, cut short: offset is
                           where it starts, len what the call was given,
                           invalid says what is missing */
  uint8_t head[16];
  size_t head_len;
  int valid;            /* parses under RFC 6716 */
  char invalid[160];    /* why not */
  oh_toc toc;
  int frame_count, duration48;
} oh_replay_packet;

#define OH_REPLAY_MAX_THREADS 32
#define OH_REPLAY_MAX_BUFFERS 64
#define OH_REPLAY_RECENT_CONTRACTS 16
#define OH_REPLAY_MAX_NOTES 6

typedef struct oh_replay_result {
  oh_replay_tool tool;
  char lib[24];
  char target[24];        /* the fuzz target that ran; "" the pipeline */
  int target_events;      /* the run reports its calls (see
                             oh_replay_input_target) */
  char runner[512];
  char argv_line[2048];   /* the child's command line, for a person */
  oh_replay_verdict verdict;
  char why[300];          /* one phrase: "crash (SIGSEGV)", an error */
  /* How the child ended. */
  int ran, exited, exit_code, signaled, timed_out, oom;
  int term_signal;
  uint64_t wall_us, peak_rss;
  /* start / end events */
  int started;
  char opus_version[64], model[40], sample[8];
  int64_t pcm_capacity, rate, channels;
  int end_seen;
  int64_t end_calls, end_packets, end_errors;
  /* The call that faulted (in flight at death) or the last before it, and
   * the record the report is about (-1: none): that call's, the first
   * divergence's, or the first contract violation's. */
  oh_replay_call fault_call;
  int call_blamed;        /* fault_call made the fault (not just came last) */
  int64_t fault_index;
  oh_replay_packet packet;
  oh_replay_finding finding;
  /* Contract: first latent and first fault-expected kept apart, and the
   * rules the faulting call broke. */
  oh_replay_contract first_latent, first_fault;
  uint64_t n_latent, n_fault;
  oh_replay_contract call_rules[4];
  int n_call_rules;
  /* First divergence from the reference session. */
  int diverged;
  int64_t diverge_index;
  char diverge_what[16], diverge_expected[64], diverge_got[64];
  /* Last call per thread. */
  oh_replay_call threads[OH_REPLAY_MAX_THREADS];
  int nthreads;
  oh_replay_buffer buffers[OH_REPLAY_MAX_BUFFERS];
  int nbuffers;
  uint64_t bad_events; /* lines that were not events */
  char notes[OH_REPLAY_MAX_NOTES][240];
  int nnotes;
  /* private: analysis state */
  uint64_t seq_;
  oh_replay_contract recent_[OH_REPLAY_RECENT_CONTRACTS];
  int nrecent_;
} oh_replay_result;

/* Combines what a finished child left (exit status, captured stderr, the
 * event text in cr->result) into res->verdict and the rest. Pure: tests
 * feed synthetic children. res->tool and res->lib must be set first. */
void oh_replay_analyze(const oh_child_result *cr, oh_replay_result *res);

/* Appends a note (printf style) to res. */
void oh_replay_note(oh_replay_result *res, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* What the parent learnt reading the input itself. */
typedef struct oh_replay_input {
  const char *path;
  oh_format format;        /* detected */
  char describe[256];
  uint64_t bytes, records;
  int tail_error;          /* the stream ends in a truncated record */
  oh_error tail;           /* that error */
  int unreadable;          /* a fuzz target's input that no reader takes
                              as a stream (tail says why): the target
                              gets the bytes anyway */
  char target[24];         /* what runs on it (oh_replay_input_target) */
} oh_replay_input;

/* Reads the whole input with the readers. A stream that ends in a cut-off
 * record after at least one good one is accepted (crash logs end that way;
 * the length-trusted model needs it) and noted in in->tail; any other
 * reader error is returned (the caller prints it and exits 2), except for
 * an input a fuzz target reads without reporting calls: any bytes are a
 * target's input, so that is only noted (in->unreadable). */
int oh_replay_scan_input(const oh_replay_options *o, const uint8_t *buf,
                         size_t len, oh_replay_input *in, oh_error *err);

/* Fills res->packet with record res->fault_call.index (if any). */
void oh_replay_locate(const oh_replay_options *o, const uint8_t *buf,
                      size_t len, oh_replay_result *res);

/* Writes records first..last as an opus_demo .bit file (u32be length,
 * u32be final range or 0, packet; a lost record is length 0). */
int oh_replay_extract(const oh_replay_options *o, const uint8_t *buf,
                      size_t len, uint64_t first, uint64_t last,
                      const char *out, oh_error *err);

/* What will run on the input: the fuzz target's name, or NULL for the
 * runner's own pipeline over a stream. *events is set to 1 when the run
 * reports its calls (the runner's pipeline, and pipeline scripts, which
 * run it from their header), 0 when only the tool's report will tell. */
const char *oh_replay_input_target(const oh_replay_options *o, const uint8_t *buf,
                                   size_t len, int *events);

/* Runs one tool over the input end to end: combination check, runner
 * lookup, child, analysis, packet lookup, --keep-logs. A replay that
 * cannot start (runner missing, valgrind missing) returns the error with
 * res->verdict OH_VERDICT_ERROR; a replay that ran returns OH_OK. */
int oh_replay_run(const oh_replay_options *o, oh_replay_tool t,
                  const uint8_t *buf, size_t len, oh_replay_result *res,
                  oh_error *err);

/* A tool --under all did not run, and why. */
typedef struct oh_replay_skip {
  oh_replay_tool tool;
  char lib[24];
  char reason[256];
} oh_replay_skip;

/* Reports (replay_report.c). */
void oh_replay_print(FILE *f, const oh_replay_input *in,
                     const oh_replay_result *r);
void oh_replay_print_matrix(FILE *f, const oh_replay_input *in,
                            const oh_replay_result *runs, int nruns,
                            const oh_replay_skip *skips, int nskips);
/* The JSON document of REPLAY.md. */
void oh_replay_json(FILE *f, const oh_replay_input *in,
                    const oh_replay_result *runs, int nruns,
                    const oh_replay_skip *skips, int nskips);
/* The verdict of several runs: the first finding in run order, else error
 * if any run failed, else clean. */
oh_replay_verdict oh_replay_overall(const oh_replay_result *runs, int nruns);

#ifdef __cplusplus
}
#endif
#endif
