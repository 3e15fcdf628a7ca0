/* Crash triage behind `opushunt triage`: every input (crash file, fuzzer
 * output folder, sanitizer log, Valgrind XML) is reproduced in isolated
 * children, its report turned into a crash state, grouped into buckets,
 * each bucket classified (severity, and library bug vs API misuse), its
 * smallest input minimised keeping the same crash state, checked against a
 * database of known buckets and written out as JSON, SARIF, Markdown and
 * HTML. The data model lives here; triage_*.c hold the steps and the
 * report writers, cmd_triage.c is the command line. TRIAGE.md documents
 * the rules and the JSON schema. */
#ifndef OPUSHUNT_TRIAGE_H
#define OPUSHUNT_TRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opushunt/error.h"
#include "opushunt/replay.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OH_TRIAGE_STATE_MAX 320  /* a crash state string */
#define OH_TRIAGE_ID_LEN 16      /* hex digits of a bucket id */
#define OH_TRIAGE_STATE_FRAMES 3 /* frames in a crash state */
#define OH_TRIAGE_MAX_VARIANTS 8

/* Where an input came from. */
typedef enum oh_triage_origin {
  OH_ORIGIN_FILE = 0,      /* a crash file named on the command line */
  OH_ORIGIN_LIBFUZZER,     /* crash-*, leak-*, timeout-*, oom-* in a folder */
  OH_ORIGIN_AFL,           /* <out>/<instance>/crashes|hangs/id:* */
  OH_ORIGIN_OPUSHUNT_FUZZ, /* an `opushunt fuzz` output folder */
  OH_ORIGIN_LOG,           /* a sanitizer text log: a report, no input */
  OH_ORIGIN_VALGRIND_XML,  /* a Valgrind --xml=yes file */
  OH_ORIGIN_COUNT
} oh_triage_origin;
const char *oh_triage_origin_name(oh_triage_origin o); /* "file", "libfuzzer",
  "afl", "opushunt-fuzz", "log", "valgrind-xml" */

/* What reproduction concluded for one input. */
typedef enum oh_triage_status {
  OH_TSTAT_RELIABLE = 0,   /* every run showed the same crash state */
  OH_TSTAT_FLAKY,          /* some runs did (rate in crashes/runs) */
  OH_TSTAT_NOT_REPRODUCIBLE, /* ran, never a finding */
  OH_TSTAT_REPORT_ONLY,    /* a log with no input to run: parsed only */
  OH_TSTAT_EMPTY,          /* a zero-byte file */
  OH_TSTAT_GARBAGE,        /* no reader or target takes it (error says why) */
  OH_TSTAT_ERROR,          /* could not run (runner missing, ...) */
  OH_TSTAT_COUNT
} oh_triage_status;
const char *oh_triage_status_name(oh_triage_status s); /* "reliable", "flaky",
  "not-reproducible", "report-only", "empty", "garbage", "error" */
/* 1 when the input belongs to a bucket (reliable, flaky, report-only). */
int oh_triage_status_has_crash(oh_triage_status s);

/* Severity in the spirit of CASR. */
typedef enum oh_triage_class {
  OH_CLASS_EXPLOITABLE = 0,
  OH_CLASS_PROBABLY_EXPLOITABLE,
  OH_CLASS_NOT_EXPLOITABLE,
  OH_CLASS_COUNT
} oh_triage_class;
const char *oh_triage_class_name(oh_triage_class c); /* "EXPLOITABLE",
  "PROBABLY_EXPLOITABLE", "NOT_EXPLOITABLE" */

/* Whose bug it is. */
typedef enum oh_triage_attr {
  OH_ATTR_LIBRARY_BUG = 0, /* libopus misbehaves while the caller honours
                              the contract */
  OH_ATTR_API_MISUSE,      /* the caller broke a contract rule (named) */
  OH_ATTR_CALLER_BUG,      /* the fault is in the calling code itself (the
                              framing parser, the harness), no rule broken */
  OH_ATTR_UNKNOWN,         /* no stack and no call to tell */
  OH_ATTR_COUNT
} oh_triage_attr;
const char *oh_triage_attr_name(oh_triage_attr a); /* "library-bug",
  "api-misuse", "caller-bug", "unknown" */

/* The parsed essence of one crash, from a replay result or a log. */
typedef struct oh_triage_crash {
  char tool[24];       /* who reported it: asan, ubsan, guard, signal, ... */
  char kind[48];       /* sanreport kind name; "oracle-divergence" */
  char access[8];      /* READ, WRITE or "" */
  uint64_t size;       /* bytes accessed, 0 unknown */
  char buffer[32];     /* pcm, packet, decoder-state, internal, or "" */
  char relation[16];
  int64_t buffer_offset;
  uint64_t buffer_size;
  char description[400];
  char signal[16];
  int nframes;
  oh_replay_frame frames[OH_REPLAY_MAX_FRAMES]; /* noise flagged */
  /* The frames the crash state uses, normalised. */
  int nstate_frames;
  char state_frames[OH_TRIAGE_STATE_FRAMES][96];
  /* Top in-library (libopus) frame, for SARIF locations; file "" none. */
  char lib_function[96];
  char lib_file[200];  /* path inside the libopus tree ("celt/bands.c") */
  int lib_line;
  /* The stream position and the call. */
  int64_t fault_index; /* record that faulted, -1 unknown */
  char api[48];        /* the libopus call in flight, "" unknown */
  int64_t call_len, call_frame_size;
  /* The contract rule the faulting call broke (fault-expected), "" none. */
  char rule[32];
  char rule_detail[256];
  char state[OH_TRIAGE_STATE_MAX]; /* the exact crash state */
} oh_triage_crash;

/* One reproduction run under one tool. */
typedef struct oh_triage_tool_run {
  oh_replay_tool tool;
  char lib[24];
  int ran;             /* 0: skipped (reason says why) */
  char reason[200];
  oh_replay_verdict verdict;
  int same_state;      /* the crash state equals the bucket's (or, for the
                          matrix, a finding of the same kind and buffer) */
  char state[OH_TRIAGE_STATE_MAX];
  uint64_t wall_us;
} oh_triage_tool_run;

/* One input. */
typedef struct oh_triage_item {
  char path[1024];
  oh_triage_origin origin;
  char instance[64];   /* AFL++ instance folder, "" otherwise */
  uint64_t bytes;
  /* The build that found it (sidecar, folder name, or --lib/--target). */
  char target[24];     /* fuzz target, "" the pipeline / auto */
  char lib[24];        /* libopus variant of the primary tool */
  oh_replay_tool tool; /* the primary tool */
  oh_triage_status status;
  int runs, crashes;   /* reproduction: runs made, runs with this state */
  char error[300];     /* garbage / error: file, offset and reason */
  oh_triage_crash crash; /* valid when oh_triage_status_has_crash */
  int64_t records;     /* records in the input, -1 unknown */
  int script;          /* an OHS1 script (it names its own target) */
  int bucket;          /* index into oh_triage.buckets, -1 none */
  uint64_t wall_us;
} oh_triage_item;

/* The minimised reproducer of a bucket. */
typedef struct oh_triage_min {
  int attempted, ok;     /* ok: the result still shows the same state */
  char path[1024];       /* written file ("" none) */
  char format[16];       /* "script", "raw", "lp16be", ... */
  char note[240];        /* why it stopped, or why it was not attempted */
  uint64_t bytes_before, bytes_after;
  int64_t records_before, records_after;
  int64_t packets_before, packets_after;
  int tests;             /* candidate runs made */
  double seconds;
  uint8_t head[64];      /* the first bytes, for the reports' hex dump */
  size_t head_len;
} oh_triage_min;

typedef enum oh_triage_known {
  OH_KNOWN_NEW = 0,
  OH_KNOWN_KNOWN,
  OH_KNOWN_SUPPRESSED
} oh_triage_known;
const char *oh_triage_known_name(oh_triage_known k); /* "new", "known",
  "suppressed" */

typedef struct oh_triage_bucket {
  char id[OH_TRIAGE_ID_LEN + 1];
  char state[OH_TRIAGE_STATE_MAX]; /* the representative's crash state */
  int nvariants;                   /* distinct exact states grouped here */
  char variants[OH_TRIAGE_MAX_VARIANTS][OH_TRIAGE_STATE_MAX];
  int variant_count[OH_TRIAGE_MAX_VARIANTS];
  int nitems;
  int rep;                /* representative item (smallest reproducing) */
  oh_triage_crash crash;  /* the representative's crash */
  oh_triage_class cls;
  char subclass[160];     /* "heap-buffer-overflow(write) in pcm" */
  oh_triage_attr attr;
  char attr_detail[300];  /* the rule and its text, or where it faulted */
  oh_triage_status status; /* the representative's */
  int runs, crashes;
  /* The reproducibility matrix: one entry per tool tried. */
  int nmatrix;
  oh_triage_tool_run matrix[OH_UNDER_COUNT];
  oh_triage_min min;
  /* Known-bucket database. */
  oh_triage_known known;
  char first_seen[32], last_seen[32]; /* ISO 8601 UTC */
  uint64_t seen_count;    /* runs of triage that saw it, this one included */
  char db_status[24];     /* open, fixed, wontfix, ... (from the database) */
  char suppress_reason[200];
  char suppress_expires[16];
  char reproduce[1536];   /* the exact command that reproduces it */
} oh_triage_bucket;

/* Options. */
typedef struct oh_triage_options {
  const char *out_dir;      /* required for reports */
  oh_replay_options replay; /* caller, format, limits, runner dir: applied
                               to inputs with no sidecar saying otherwise */
  const char *target;       /* --target; NULL: sidecar or auto */
  const char *lib;          /* --lib; NULL: sidecar or the tool's default */
  oh_replay_tool tool;      /* --under for the primary runs (default asan) */
  int repeat;               /* runs per input (default 3) */
  int matrix;               /* run the other tools per bucket (default 1) */
  int minimise;             /* default 1 */
  int min_max_tests;        /* per bucket (default 2000) */
  double min_max_seconds;   /* per bucket (default 120) */
  int jobs;                 /* parallel children (default: cores) */
  const char *db_path;      /* known-bucket database, NULL none */
  const char *suppressions; /* suppression file, NULL none */
  const char *now;          /* "YYYY-MM-DDTHH:MM:SSZ" override for tests,
                               NULL: the clock */
  /* Called as work advances (phase "reproduce", "matrix", "minimise"). */
  void (*progress)(void *ctx, const char *phase, int done, int total);
  void *progress_ctx;
} oh_triage_options;

void oh_triage_options_init(oh_triage_options *o);

/* A whole triage run. */
typedef struct oh_triage {
  oh_triage_options opt;
  oh_triage_item *items;
  size_t nitems, cap_items;
  oh_triage_bucket *buckets;
  size_t nbuckets, cap_buckets;
  char started[32];        /* ISO 8601 UTC */
  double seconds;
  char opus_version[64];
  char tools_available[OH_UNDER_COUNT][16];
  int ntools_available;
  int n_new, n_known, n_suppressed;
  char notes[8][240];
  int nnotes;
} oh_triage;

/* Sets t up for a run over the options (copied). */
void oh_triage_init(oh_triage *t, const oh_triage_options *opt);
/* Adds the inputs a command-line path names (triage_inputs.c); OH_ERR_IO
 * when the path does not exist. */
int oh_triage_add(oh_triage *t, const char *path, oh_error *err);
/* Reproduces, groups, classifies, runs the matrix, minimises, applies the
 * database and suppressions, and writes the reports into opt.out_dir.
 * Returns OH_OK, or an error that stopped the run (database unreadable,
 * out folder not writable); inputs that fail are reported, not errors. */
int oh_triage_run(oh_triage *t, oh_error *err);
void oh_triage_free(oh_triage *t);
/* Copies bucket id's minimised reproducer from a triage output folder into
 * corpus_dir/regressions/<target>/ under a descriptive name (written to
 * out_path). Never overwrites. */
int oh_triage_promote(const char *out_dir, const char *id, const char *corpus_dir,
                      char *out_path, size_t cap, oh_error *err);

/* Reports (triage_json.c, triage_sarif.c, triage_markdown.c,
 * triage_html.c, triage_summary.c). Each writes one whole document to f. */
void oh_triage_write_json(FILE *f, const oh_triage *t);
void oh_triage_write_sarif(FILE *f, const oh_triage *t);
void oh_triage_write_markdown(FILE *f, const oh_triage *t);
void oh_triage_write_html(FILE *f, const oh_triage *t);
/* The one-screen text summary printed at the end. */
void oh_triage_print_summary(FILE *f, const oh_triage *t);

#ifdef __cplusplus
}
#endif
#endif
