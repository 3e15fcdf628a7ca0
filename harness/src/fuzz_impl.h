/* Pieces shared by the fuzz_*.c files and nobody else: a growable string
 * list for command lines and environments, the engine command builders,
 * file helpers and crash collection. */
#ifndef OPUSHUNT_FUZZ_IMPL_H
#define OPUSHUNT_FUZZ_IMPL_H

#include <stddef.h>

#include "opushunt/fuzz_run.h"

/* NULL-terminated list of malloc'd strings; a failed push sets failed. */
typedef struct oh_strvec {
  char **v;
  size_t n, cap;
  int failed;
} oh_strvec;

void oh_strvec_push(oh_strvec *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void oh_strvec_free(oh_strvec *s);

/* ---- fuzz_engine.c: what each engine process is. */

/* Engine processes in a campaign: libFuzzer 1 (its fork mode forks
 * inside), AFL++ one per job. */
int oh_fuzz_instance_count(const oh_fuzz_config *c);
/* "libfuzzer", or "main", "s1", "s2", ... for AFL++. */
void oh_fuzz_instance_name(const oh_fuzz_config *c, int i, char *buf, size_t cap);
/* The engine's own command line for instance i. */
void oh_fuzz_engine_argv(const oh_fuzz_config *c, int i, oh_strvec *argv);
/* Variables added to the inherited environment for it. */
void oh_fuzz_engine_env(const oh_fuzz_config *c, int i, oh_strvec *env);
/* Bytes of summed RSS the process group of one instance may reach. */
uint64_t oh_fuzz_group_rss_limit(const oh_fuzz_config *c);
/* <out_dir>/afl/<instance>/<file>. */
void oh_fuzz_afl_path(const oh_fuzz_config *c, int i, const char *file, char *buf, size_t cap);

/* ---- fuzz_corpus.c: files. */

int oh_fuzz_copy_file(const char *from, const char *to, oh_error *err);
/* 1 when both files can be read and hold the same bytes. */
int oh_fuzz_same_bytes(const char *a, const char *b);
/* rm -r of a folder this campaign made. */
void oh_fuzz_remove_tree(const char *path);
/* Whole small text file, NUL-terminated, at most max bytes; NULL if absent. */
char *oh_fuzz_slurp(const char *path, size_t max);
/* Bytes [start, end) of a file, at most cap bytes: the head, a marker, the
 * tail. *truncated says whether bytes were dropped. NULL on failure. */
char *oh_fuzz_read_range(const char *path, uint64_t start, uint64_t end, size_t cap,
                         int *truncated);

/* ---- fuzz_collect.c: findings. */

/* Names of the files in dir, to tell new findings from old ones; NULL-
 * terminated (never NULL itself unless out of memory). */
char **oh_fuzz_list_dir(const char *dir);
void oh_fuzz_free_list(char **names);

/* Collects what the engines left (libFuzzer's artifacts in crash_dir that
 * are not in before, AFL++'s crashes/ and hangs/ of every instance), adds
 * a report to each (from the libFuzzer log, else by running the input
 * again) and writes the sidecars. */
int oh_fuzz_collect(const oh_fuzz_config *c, char *const *before, const oh_lf_parser *lf,
                    const char *lf_log, oh_fuzz_result *res, oh_error *err);

/* Largest report kept in a sidecar. */
#define OH_FUZZ_REPORT_CAP ((size_t)64 << 10)

#endif
