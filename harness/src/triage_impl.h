/* Internal interfaces between the triage steps (triage_*.c): crash
 * extraction and classification, grouping, the parallel replay pool, the
 * known-bucket database and suppressions, input discovery and the
 * minimisation driver. Not installed; tests include it directly. */
#ifndef OPUSHUNT_TRIAGE_IMPL_H
#define OPUSHUNT_TRIAGE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/replay.h"
#include "opushunt/sanreport.h"
#include "opushunt/triage.h"

/* ---- triage_crash.c: one crash, its state, class and attribution. */

/* Fills c from a replay result; returns 1 when the run is a finding (a
 * crash, sanitizer report, contract violation, timeout, oom, divergence),
 * 0 when it is clean or failed (c is then zeroed). */
int oh_triage_crash_from_result(const oh_replay_result *r, oh_triage_crash *c);
/* Fills c from a parsed sanitizer or Valgrind report (logs). */
void oh_triage_crash_from_report(const oh_san_report *r, oh_triage_crash *c);
/* Computes c->state_frames, c->lib_* and c->state from the rest. */
void oh_triage_crash_finish(oh_triage_crash *c);
/* 1 when a source path is inside the libopus tree; *rel then points at
 * the path relative to the tree ("celt/bands.c"). */
int oh_triage_lib_path(const char *file, const char **rel);
oh_triage_class oh_triage_classify(const oh_triage_crash *c, char *subclass, size_t cap);
oh_triage_attr oh_triage_attribute(const oh_triage_crash *c, char *detail, size_t cap);

/* ---- triage_bucket.c: grouping. */

/* 1 when b is a near-duplicate of a: same kind, access and broken rule,
 * and then, for API misuse, nothing more (the caller's bug is one bug
 * wherever in libopus it lands, and the buffer a sanitizer names for an
 * overflow is only the nearest one), otherwise at least two of the state
 * frames in common; crashes without frames group only on equal states. */
int oh_triage_same_bucket(const oh_triage_crash *a, const oh_triage_crash *b);
/* The grouping key hashed into a new bucket's id. */
void oh_triage_bucket_key(const oh_triage_crash *c, char *out, size_t cap);
/* 16 lowercase hex digits of the 64-bit FNV-1a hash of s. */
void oh_triage_hash_id(const char *s, char out[OH_TRIAGE_ID_LEN + 1]);
/* Groups every crashing item of t into t->buckets, picks representatives,
 * ids, class and attribution. Returns OH_OK or OH_ERR_NOMEM. */
int oh_triage_group(oh_triage *t);

/* ---- triage_pool.c: replays in parallel children. */

typedef struct oh_triage_job {
  oh_replay_options opt;  /* opt.input names the file to run */
  oh_replay_tool tool;
  const uint8_t *buf;     /* the file's bytes (for input detection) */
  size_t len;
  oh_replay_result *res;  /* filled */
  int rc;                 /* oh_replay_run's return */
  oh_error err;
} oh_triage_job;

/* Runs the jobs, at most workers at a time (each in a forked worker that
 * calls oh_replay_run); progress (may be NULL) is called after each job
 * with the number done. Never fails as a whole: a worker that dies leaves
 * its job with rc OH_ERR_IO and res->verdict OH_VERDICT_ERROR. */
void oh_triage_run_jobs(oh_triage_job *jobs, int n, int workers,
                        void (*progress)(void *ctx, int done, int total), void *ctx);

/* ---- triage_db.c: known buckets and suppressions. */

typedef struct oh_triage_db_entry {
  char id[OH_TRIAGE_ID_LEN + 1];
  char first_seen[32], last_seen[32];
  uint64_t count;
  char status[24];
  char state[OH_TRIAGE_STATE_MAX];
} oh_triage_db_entry;

typedef struct oh_triage_db {
  oh_triage_db_entry *e;
  size_t n, cap;
} oh_triage_db;

/* Loads path; a missing file is an empty database. Errors name the line. */
int oh_triage_db_load(const char *path, oh_triage_db *db, oh_error *err);
int oh_triage_db_save(const char *path, const oh_triage_db *db, oh_error *err);
void oh_triage_db_free(oh_triage_db *db);
/* Marks each bucket new or known (matching any of its variant states,
 * which also gives a known bucket its old id), then records this run. */
int oh_triage_db_apply(oh_triage_db *db, oh_triage *t, const char *now);

typedef struct oh_triage_suppression {
  char match[OH_TRIAGE_STATE_MAX]; /* a bucket id, or state:GLOB */
  char expires[16];                /* YYYY-MM-DD or "never" */
  char reason[200];
  int line;
} oh_triage_suppression;

typedef struct oh_triage_suppressions {
  oh_triage_suppression *s;
  size_t n;
} oh_triage_suppressions;

int oh_triage_suppressions_load(const char *path, oh_triage_suppressions *sup,
                                oh_error *err);
void oh_triage_suppressions_free(oh_triage_suppressions *sup);
/* Marks suppressed buckets (today: YYYY-MM-DD); an expired entry is noted
 * on the run and suppresses nothing. */
void oh_triage_suppressions_apply(const oh_triage_suppressions *sup, oh_triage *t,
                                  const char *today);

/* ---- triage_inputs.c: what the command line names. */

/* Adds the items a path stands for: a file (crash file, log, Valgrind
 * XML), a libFuzzer artifact folder, an AFL++ output folder (every
 * instance's crashes/ and hangs/), an `opushunt fuzz` output folder, or any
 * folder of crash files. Returns OH_OK, OH_ERR_IO (with the path) when it
 * does not exist, OH_ERR_NOMEM. */
int oh_triage_add_path(oh_triage *t, const char *path, oh_error *err);
oh_triage_item *oh_triage_new_item(oh_triage *t);

/* ---- triage_min.c: minimisation of a bucket's representative. */
int oh_triage_minimise_bucket(oh_triage *t, oh_triage_bucket *b, const char *work_dir);
/* Turns a stream input replayed with caller options into a pipeline
 * script carrying them (so the reproducer stands alone). Returns OH_OK,
 * or OH_ERR_UNSUPPORTED with the reason (threads, a record too long...). */
int oh_triage_stream_to_script(const oh_replay_options *o, const uint8_t *buf, size_t len,
                               uint8_t **out, size_t *out_len, oh_error *err);

/* ---- triage.c */
/* Options for one item's replays (its target, lib and tool applied). */
void oh_triage_item_options(const oh_triage *t, const oh_triage_item *it,
                            oh_replay_options *o);
/* A script names its own target and caller: --target (but readers) and
 * the caller options are dropped for one; a target drops the caller. */
void oh_triage_fix_options(oh_replay_options *o, const uint8_t *buf, size_t len);
void oh_triage_note(oh_triage *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* ISO 8601 UTC of now; YYYY-MM-DD of today. */
void oh_triage_now(char *out, size_t cap);
void oh_triage_today(char *out, size_t cap);

#endif
