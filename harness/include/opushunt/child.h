/* Runs a target program in an isolated child process so that its crash,
 * hang or memory blow-up never takes opushunt down and never loses a
 * finding: own process group (the whole tree is killed), no core dumps,
 * optional address-space or RSS limit, wall-clock timeout, stdout/stderr
 * captured with a cap that keeps both ends (a sanitizer report comes last),
 * and an optional extra pipe on which the target writes structured results.
 *
 * No global state and no SIGCHLD handler, so runs may go on in several
 * threads at once; SIGPIPE is blocked in the calling thread during a run.
 * The caller must not set SIGCHLD to SIG_IGN (the kernel would then reap
 * the child and its exit status would be lost). */
#ifndef OPUSHUNT_CHILD_H
#define OPUSHUNT_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default cap on each captured stream: 16 MiB. */
#define OH_CHILD_DEFAULT_CAP ((size_t)16 << 20)

typedef struct oh_child_opts {
  char *const *argv;          /* argv[0] is looked up in PATH if it has no '/' */
  const char *const *env_add; /* "NAME=value" entries that add to or replace
                                 the inherited environment; NULL-terminated,
                                 may be NULL */
  const char *cwd;            /* working directory, NULL = inherit */
  const void *stdin_data;     /* bytes fed to stdin; NULL = /dev/null */
  size_t stdin_len;
  uint64_t as_limit;          /* RLIMIT_AS in bytes, 0 = none. Useless under
                                 ASan/TSan/MSan, which reserve terabytes */
  uint64_t rss_limit;         /* summed RSS of the process group in bytes,
                                 polled every OH_CHILD_POLL_MS; 0 = none */
  uint32_t timeout_ms;        /* wall clock, 0 = none */
  size_t output_cap;          /* bytes kept per stream, 0 = default */
  int result_fd;              /* 0 = no result pipe; else the fd number
                                 (>= 3) the child gets the write end on */
  const char *result_env;     /* optional variable set to that fd number */
} oh_child_opts;

/* How often the RSS limit is checked and the child's state polled. */
#define OH_CHILD_POLL_MS 50

/* One captured stream. When the child wrote more than the cap, data holds
 * the first half of the cap, a marker line, then the last bytes written. */
typedef struct oh_child_output {
  char *data;     /* NUL-terminated (the child's bytes may hold NULs too) */
  size_t len;
  uint64_t total; /* bytes the child wrote to the stream */
  int truncated;
} oh_child_output;

typedef struct oh_child_result {
  pid_t pid;          /* the child, also its process group id */
  int exited;         /* 1: exit_code is valid */
  int exit_code;
  int signaled;       /* 1: term_signal is valid */
  int term_signal;
  int timed_out;      /* opushunt killed the group at the timeout */
  int oom;            /* opushunt killed the group over the RSS limit */
  uint64_t peak_rss;  /* bytes: the largest polled group RSS or the
                         kernel's maximum RSS of the child, whichever is more */
  uint64_t wall_us;
  oh_child_output out, err, result;
} oh_child_result;

typedef enum oh_child_verdict {
  OH_CHILD_CLEAN = 0, /* exit code 0 */
  OH_CHILD_EXIT,      /* non-zero exit code */
  OH_CHILD_CRASH,     /* died of a signal opushunt did not send */
  OH_CHILD_TIMEOUT,
  OH_CHILD_OOM
} oh_child_verdict;

/* Fills opts with defaults: no limits, no timeout, default cap, no pipe. */
void oh_child_opts_init(oh_child_opts *opts);

/* 1 when prog is executable: as a path when it holds a '/', else found in
 * $PATH as execvp would find it. */
int oh_child_in_path(const char *prog);

/* Runs opts->argv to completion and fills res (free it with
 * oh_child_result_free, also after a failure). A program that cannot be
 * found or started is OH_ERR_NOT_FOUND or OH_ERR_IO, never a "crash": the
 * verdict of a run only describes a target that actually ran. When the child
 * ends, whatever is left of its process group is killed too. */
int oh_child_run(const oh_child_opts *opts, oh_child_result *res,
                 oh_error *err);

void oh_child_result_free(oh_child_result *res);

oh_child_verdict oh_child_verdict_of(const oh_child_result *res);

/* "clean", "exit", "crash", "timeout", "oom". */
const char *oh_child_verdict_name(oh_child_verdict v);

/* One phrase for a person: "crash (SIGSEGV)", "exit 3", "timeout after
 * 300 ms", "oom (peak RSS 70 MiB)". */
void oh_child_describe(const oh_child_result *res, char *buf, size_t cap);

/* "SIGSEGV" etc.; "SIG?" for numbers it does not know. */
const char *oh_signal_name(int sig);

/* Number of live (non-zombie) processes in process group pgid and their
 * summed RSS in bytes, from /proc. Either output may be NULL. */
int oh_child_group_usage(pid_t pgid, unsigned *nprocs, uint64_t *rss);

#ifdef __cplusplus
}
#endif
#endif
