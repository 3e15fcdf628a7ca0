/* Fuzzing campaigns: run libFuzzer or AFL++ on one opushunt fuzz target as
 * isolated child processes (own process group, wall-time cap, memory limit),
 * follow their progress (libFuzzer's log lines, AFL++'s fuzzer_stats), stop
 * them cleanly on request, collect every crash and hang into one folder with
 * a JSON sidecar each, and write summary.json. `opushunt fuzz` only parses
 * options, finds the binary and draws the progress line. */
#ifndef OPUSHUNT_FUZZ_RUN_H
#define OPUSHUNT_FUZZ_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_fuzz_engine { OH_FUZZ_LIBFUZZER = 0, OH_FUZZ_AFL = 1 } oh_fuzz_engine;

const char *oh_fuzz_engine_name(oh_fuzz_engine e); /* "libfuzzer", "afl" */
int oh_fuzz_engine_from_name(const char *name, oh_fuzz_engine *e);
/* none, asan, ubsan, msan */
int oh_fuzz_sanitizer_known(const char *name);

/* Looks target up in <source_dir>/harness/fuzzers/TARGETS: 1 known, 0 not
 * (names gets "packet, stream, ..."), or a negative oh_status. */
int oh_fuzz_target_known(const char *source_dir, const char *target, char *names,
                         size_t cap, oh_error *err);

/* Copies every regular file under each existing folder of dirs (missing
 * folders are skipped; hidden files too) into dest, flat, keeping names
 * (a clash with different bytes gets a "~N" suffix, identical bytes are
 * copied once). With need_one and nothing copied, writes one minimal seed.
 * *copied counts the files written. The sources are only read. */
int oh_fuzz_copy_seeds(const char *dest, const char *const *dirs, size_t ndirs, int need_one,
                       size_t *copied, oh_error *err);

/* mkdir -p. */
int oh_fuzz_mkdirs(const char *path, oh_error *err);

/* ---- Where the fuzz builds live: <source_dir>/build/fuzz/<build>/, made by
 * scripts/build-fuzzers ENGINE SANITIZER [--fixed]. */

/* "libfuzzer-asan", "afl-ubsan-fixed". */
void oh_fuzz_build_name(oh_fuzz_engine e, const char *sanitizer, int fixed, char *buf,
                        size_t cap);
/* <build dir>/bin/fuzz-<target>[-bytes]: -bytes is libFuzzer without the
 * custom mutator. */
void oh_fuzz_binary_path(const char *build_dir, oh_fuzz_engine e, const char *target,
                         int custom_mutator, char *buf, size_t cap);
/* <build dir>/lib/libohmutate-afl.so. */
void oh_fuzz_mutator_path(const char *build_dir, char *buf, size_t cap);
/* Runs scripts/build-fuzzers in source_dir as an isolated child, its
 * output kept in log_path. On failure err says why in one line. */
int oh_fuzz_run_build(const char *source_dir, oh_fuzz_engine e, const char *sanitizer, int fixed,
                      const char *log_path, oh_error *err);
/* 1 when path is a folder with no entries, or does not exist. */
int oh_fuzz_dir_unused(const char *path);
/* A fresh folder name "<base>/<stem>-<UTC stamp>" (with -N when taken);
 * stamp gets the UTC time as 20250131T235959Z. */
void oh_fuzz_fresh_dir(const char *base, const char *stem, char *buf, size_t cap, char *stamp,
                       size_t stamp_cap);

typedef struct oh_fuzz_config {
  const char *target;
  oh_fuzz_engine engine;
  const char *sanitizer;      /* none, asan, ubsan, msan */
  int fixed;                  /* the fixed-point libopus build */
  int custom_mutator;         /* 1 on, 0 off, -1 unknown (a given libFuzzer binary) */
  const char *binary;         /* the fuzz target program */
  const char *build;          /* what built it: "libfuzzer-asan-fixed", "--binary" */
  const char *afl_fuzz;       /* AFL++ driver program; NULL = "afl-fuzz" */
  const char *mutator_lib;    /* AFL++ custom mutator library; NULL = none */
  const char *dict;           /* NULL = none */
  const char *out_dir;        /* the campaign folder (exists): logs/, afl/, tmp/ go here */
  const char *corpus_dir;     /* the working corpus the engine reads and grows */
  const char *crash_dir;      /* findings are collected here (exists) */
  uint32_t time_s;            /* engine time limit, 0 = none */
  uint64_t runs;              /* engine run limit, 0 = none */
  int jobs;                   /* libFuzzer -fork=N, AFL++ one -M and N-1 -S */
  uint32_t seed;
  uint32_t timeout_s;         /* per input, 0 = the engine's default */
  uint32_t memory_mb;         /* per fuzzing process, 0 = none */
  char *const *extra;         /* more engine arguments */
  int nextra;
  const char *reproduce;      /* command prefix a crash file is appended to */
  const char *symbolizer;     /* llvm-symbolizer for re-run reports, may be NULL */
  size_t seeds;               /* seed files copied (for the summary) */
  const char *started_utc;    /* for the summary */
} oh_fuzz_config;

void oh_fuzz_config_init(oh_fuzz_config *c);

/* Live and final numbers; fields an engine does not report stay 0. */
typedef struct oh_fuzz_stats {
  double elapsed;             /* seconds since the campaign started */
  uint64_t execs;
  double exec_per_sec;
  uint64_t cov, ft;           /* libFuzzer */
  uint64_t edges_found, total_edges;
  double bitmap_cvg;          /* AFL++, percent */
  uint64_t corpus_count;
  uint64_t crashes, hangs;    /* as the engine counts them so far */
  uint64_t peak_rss_mb;
  uint64_t stats_time;        /* AFL++: unix time its fuzzer_stats were written
                                 (once a minute), 0 = live numbers */
  int running;                /* engine processes still running */
} oh_fuzz_stats;

/* ---- libFuzzer's output, read as it is written. Status lines ("#N NEW cov:
 * ...", fork mode's "#N: cov: ..."), final stats and every "Test unit written
 * to PATH" line with the byte range of the report that preceded it. */
typedef struct oh_lf_artifact {
  char *path;
  uint64_t report_start, report_end; /* offsets into the whole output */
} oh_lf_artifact;

typedef struct oh_lf_parser {
  oh_fuzz_stats stats;
  oh_lf_artifact *artifacts;
  size_t nartifacts, cap;
  uint64_t offset;            /* bytes fed so far */
  uint64_t line_start;        /* offset of the line in buf */
  uint64_t report_start;      /* just after the last status line */
  int fork_mode;              /* fork-mode status lines seen */
  int interrupted;            /* "run interrupted" seen */
  int done;                   /* "Done N runs" seen */
  int timeout_open;           /* the last artifact is a timeout: its report follows */
  char last_error[256];       /* the last line that says ERROR */
  char buf[4096];             /* the current partial line (longer ones are cut) */
  size_t len;
  int nomem;
} oh_lf_parser;

void oh_lf_parser_init(oh_lf_parser *p);
void oh_lf_parser_feed(oh_lf_parser *p, const char *data, size_t len);
void oh_lf_parser_free(oh_lf_parser *p);

/* Reads one AFL++ fuzzer_stats text into s (execs, exec/s, corpus, crashes,
 * hangs, edges, bitmap). Returns the number of fields it recognised. */
int oh_afl_stats_parse(const char *text, oh_fuzz_stats *s);
/* Adds an instance's numbers into a campaign total (sums counters, keeps
 * the largest coverage and corpus). */
void oh_fuzz_stats_merge(oh_fuzz_stats *total, const oh_fuzz_stats *one);

/* ---- A campaign. */

typedef enum oh_fuzz_end {
  OH_FUZZ_END_TIME = 0,       /* the engine reached --time */
  OH_FUZZ_END_RUNS,           /* the engine reached --runs */
  OH_FUZZ_END_CRASH,          /* libFuzzer stopped at its first crash or hang */
  OH_FUZZ_END_INTERRUPTED,    /* stopped on request (Ctrl-C) */
  OH_FUZZ_END_WALL_CAP,       /* killed: overran its time by the grace */
  OH_FUZZ_END_ENGINE_ERROR    /* the engine failed to start or died */
} oh_fuzz_end;

const char *oh_fuzz_end_name(oh_fuzz_end e);

typedef struct oh_fuzz_finding {
  char name[256];             /* file name in crash_dir */
  char path[4096];            /* crash_dir/name */
  char source[4096];          /* where the engine wrote it */
  char kind[16];              /* crash, leak, oom, timeout (libFuzzer); crash, hang (AFL++) */
  char instance[16];          /* libfuzzer, main, s1, ... */
  uint64_t size;
  char summary[256];          /* the report's SUMMARY line, or its first ERROR line */
  const char *report_source;  /* "engine", "rerun", or NULL (no report) */
  char rerun[96];             /* how a re-run to get the report ended, "" if none */
  uint64_t found_ns;          /* the file's modification time, for ordering */
} oh_fuzz_finding;

typedef struct oh_fuzz_instance_end {
  char name[16];
  char log[4096];
  char how[96];               /* "exit 0", "crash (SIGSEGV)", "timeout after ..." */
  int exit_code;              /* -1 when it did not exit */
} oh_fuzz_instance_end;

typedef struct oh_fuzz_result {
  oh_fuzz_stats stats;
  oh_fuzz_end end;
  char engine_error[512];     /* why the engine failed (a line of its log) */
  oh_fuzz_finding *findings;
  size_t nfindings;
  size_t ncrashes, nhangs;    /* crash/leak/oom versus timeout/hang */
  oh_fuzz_instance_end *instances;
  int ninstances;
  char command[8192];         /* the first engine command line, shell-quoted */
  char warning[512];          /* a problem after the run (a copy, the summary) */
} oh_fuzz_result;

typedef void (*oh_fuzz_progress_fn)(const oh_fuzz_stats *s, void *ctx);

/* How long past time_s an engine may run before it is asked to stop
 * (SIGINT) and then killed, in seconds. Without time_s the cap applies to
 * OH_FUZZ_DEFAULT_CAP_S. */
#define OH_FUZZ_DEFAULT_CAP_S 86400u
uint32_t oh_fuzz_soft_grace(uint32_t time_s);
uint32_t oh_fuzz_hard_grace(uint32_t time_s);

/* Runs the campaign to its end. *stop is read throughout: 1 asks the
 * engines to stop (SIGINT to their groups), 2 or more kills them. progress
 * (may be NULL) is called about every 100 ms from the calling thread. Then
 * collects findings and writes <out_dir>/summary.json. Returns OH_OK when
 * the campaign ran (res->end says how it ended, findings may be empty) or
 * an error when it could not start at all. res must be freed with
 * oh_fuzz_result_free either way. */
int oh_fuzz_run(const oh_fuzz_config *c, volatile sig_atomic_t *stop,
                oh_fuzz_progress_fn progress, void *ctx, oh_fuzz_result *res, oh_error *err);

void oh_fuzz_result_free(oh_fuzz_result *res);

/* The human summary (several lines). */
void oh_fuzz_print_summary(FILE *f, const oh_fuzz_config *c, const oh_fuzz_result *res);

/* Writes <out_dir>/summary.json. */
int oh_fuzz_write_summary(const oh_fuzz_config *c, const oh_fuzz_result *res, oh_error *err);

/* Appends s to buf (of cap bytes) quoted for a POSIX shell when needed. */
void oh_fuzz_shell_quote(char *buf, size_t cap, const char *s);

#ifdef __cplusplus
}
#endif
#endif
