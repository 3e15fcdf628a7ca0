/* Corpus minimisation: runs libFuzzer's `-merge=1` or AFL++'s afl-cmin on a
 * fuzz binary under the child runner (own process group, wall-clock
 * timeout), always into a NEW folder, never deleting or rewriting the
 * original; optionally swaps the merged folder into place after moving the
 * original aside to a timestamped backup. Folder statistics for the
 * before/after report. */
#ifndef OPUSHUNT_CORPUS_MERGE_H
#define OPUSHUNT_CORPUS_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_merge_engine { OH_MERGE_LIBFUZZER = 0, OH_MERGE_AFL = 1 } oh_merge_engine;

/* "libfuzzer", "afl". */
const char *oh_merge_engine_name(oh_merge_engine e);

typedef struct oh_merge_options {
  oh_merge_engine engine;
  const char *binary;         /* the fuzz binary (fuzz-<target>) */
  const char *const *inputs;  /* folders to minimise; inputs[0] is the corpus */
  int ninputs;                /* libFuzzer: any number >= 1; afl-cmin: 1 */
  const char *into;           /* the new folder: must not exist, or (libFuzzer)
                                 be the folder of an interrupted merge, which
                                 then resumes from its control file */
  uint32_t timeout_ms;        /* the whole merge; 0 = none */
  int input_timeout_s;        /* per input (libFuzzer -timeout, afl-cmin -t) */
} oh_merge_options;

typedef struct oh_merge_result {
  int resumed;          /* an interrupted libFuzzer merge was continued */
  int ok;               /* the engine finished with exit status 0 */
  char outcome[128];    /* the child's fate: "clean", "exit 1", "timeout ..." */
  char last_line[256];  /* the engine's last line of output, for errors */
} oh_merge_result;

/* The control file of a libFuzzer merge into `into` ("<into>.merge-control",
 * next to the folder so it never lands in the corpus). */
int oh_merge_control_path(const char *into, char *buf, size_t cap);

/* Runs the merge. Returns OH_OK when the engine ran (check res->ok), or an
 * error before anything ran (missing binary or folder, an existing `into`
 * that is not a resumable merge, afl-cmin not installed). On success of a
 * libFuzzer merge the control file is removed; after a timeout or failure
 * it stays so the same command resumes. */
int oh_merge_run(const oh_merge_options *opt, oh_merge_result *res, oh_error *err);

/* Regular files (recursively, hidden names skipped) and their bytes. */
int oh_corpus_dir_stats(const char *dir, uint64_t *files, uint64_t *bytes, oh_error *err);

/* Moves corpus aside to "<corpus>.bak-<stamp>" (backup receives the path)
 * and renames merged to corpus. When the second rename fails the first is
 * undone. Neither folder's contents is deleted. */
int oh_corpus_swap(const char *corpus, const char *merged, const char *stamp, char *backup,
                   size_t cap, oh_error *err);

/* 1 when a component of path is named "regressions". */
int oh_path_in_regressions(const char *path);

#ifdef __cplusplus
}
#endif
#endif
