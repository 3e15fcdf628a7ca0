/* Before a campaign: where the fuzz builds and their binaries live, making
 * a missing build with scripts/build-fuzzers (an isolated child, its output
 * kept in a log), and naming a fresh campaign folder. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_impl.h"
#include "opushunt/child.h"

/* A build of libopus and every target takes minutes; hours mean stuck. */
#define BUILD_TIMEOUT_MS (2u * 3600u * 1000u)

void oh_fuzz_build_name(oh_fuzz_engine e, const char *sanitizer, int fixed, char *buf,
                        size_t cap) {
  snprintf(buf, cap, "%s-%s%s", oh_fuzz_engine_name(e), sanitizer, fixed ? "-fixed" : "");
}

void oh_fuzz_binary_path(const char *build_dir, oh_fuzz_engine e, const char *target,
                         int custom_mutator, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/bin/fuzz-%s%s", build_dir, target,
           e == OH_FUZZ_LIBFUZZER && !custom_mutator ? "-bytes" : "");
}

void oh_fuzz_mutator_path(const char *build_dir, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/lib/libohmutate-afl.so", build_dir);
}

/* One line of a failed build's output for the error: the script's last
 * line that says "failed" if there is one, else its last non-empty line. */
static void telling_line(const char *text, char *out, size_t cap) {
  const char *p = text, *best = NULL, *best_end = NULL;
  int best_failed = 0;
  while (*p) {
    const char *end = strchr(p, '\n'), *e;
    if (!end) end = p + strlen(p);
    for (e = end; e > p && (e[-1] == '\r' || e[-1] == ' ');) e--;
    if (e > p) {
      int failed = memmem(p, (size_t)(e - p), "failed", 6) != NULL;
      if (failed || !best_failed) {
        best = p;
        best_end = e;
        best_failed |= failed;
      }
    }
    p = *end ? end + 1 : end;
  }
  snprintf(out, cap, "%.*s", best ? (int)(best_end - best) : 0, best ? best : "");
}

static void save_log(const char *path, const oh_child_result *r) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  if (r->out.len) fwrite(r->out.data, 1, r->out.len, f);
  if (r->err.len) fwrite(r->err.data, 1, r->err.len, f);
  fclose(f);
}

int oh_fuzz_run_build(const char *source_dir, oh_fuzz_engine e, const char *sanitizer, int fixed,
                      const char *log_path, oh_error *err) {
  char script[PATH_MAX], how[96], tail[200];
  char *argv[5];
  oh_child_opts o;
  oh_child_result r;
  int rc, n = 0;
  snprintf(script, sizeof script, "%s/scripts/build-fuzzers", source_dir);
  if (access(script, X_OK) != 0)
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "the fuzz binaries are not built and %s is missing", script);
  argv[n++] = script;
  argv[n++] = (char *)oh_fuzz_engine_name(e);
  argv[n++] = (char *)sanitizer;
  if (fixed) argv[n++] = "--fixed";
  argv[n] = NULL;
  oh_child_opts_init(&o);
  o.argv = argv;
  o.cwd = source_dir;
  o.timeout_ms = BUILD_TIMEOUT_MS;
  o.output_cap = (size_t)4 << 20;
  if ((rc = oh_child_run(&o, &r, err)) != OH_OK) {
    oh_child_result_free(&r);
    return rc;
  }
  save_log(log_path, &r);
  if (oh_child_verdict_of(&r) != OH_CHILD_CLEAN) {
    oh_child_describe(&r, how, sizeof how);
    telling_line(r.err.len ? r.err.data : r.out.data ? r.out.data : "", tail, sizeof tail);
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s %s %s%s failed (%s)%s%s; log: %s", script,
                 oh_fuzz_engine_name(e), sanitizer, fixed ? " --fixed" : "", how,
                 tail[0] ? ": " : "", tail, log_path);
  }
  oh_child_result_free(&r);
  return rc;
}

int oh_fuzz_dir_unused(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  int empty = 1;
  if (!d) return errno == ENOENT;
  while (empty && (e = readdir(d)) != NULL)
    empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
  closedir(d);
  return empty;
}

void oh_fuzz_fresh_dir(const char *base, const char *stem, char *buf, size_t cap, char *stamp,
                       size_t stamp_cap) {
  time_t t = time(NULL);
  struct tm tm;
  int k;
  gmtime_r(&t, &tm);
  strftime(stamp, stamp_cap, "%Y%m%dT%H%M%SZ", &tm);
  snprintf(buf, cap, "%s/%s-%s", base, stem, stamp);
  for (k = 2; k < 100 && access(buf, F_OK) == 0; k++)
    snprintf(buf, cap, "%s/%s-%s-%d", base, stem, stamp, k);
}
