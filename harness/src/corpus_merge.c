/* Corpus minimisation through the fuzzing engines' own tools (libFuzzer
 * -merge=1 with a control file, AFL++ afl-cmin), run in a child with a
 * timeout, always into a new folder; plus folder statistics and the
 * backup-then-swap step. See corpus_merge.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opushunt/child.h"
#include "opushunt/corpus_merge.h"

const char *oh_merge_engine_name(oh_merge_engine e) {
  return e == OH_MERGE_AFL ? "afl" : "libfuzzer";
}

int oh_merge_control_path(const char *into, char *buf, size_t cap) {
  size_t n = strlen(into);
  while (n > 1 && into[n - 1] == '/') n--;
  return snprintf(buf, cap, "%.*s.merge-control", (int)n, into) < (int)cap ? OH_OK : OH_ERR_ARG;
}

int oh_path_in_regressions(const char *path) {
  const char *p = path;
  while ((p = strstr(p, "regressions")) != NULL) {
    int starts = p == path || p[-1] == '/';
    int ends = p[11] == '\0' || p[11] == '/';
    if (starts && ends) return 1;
    p += 11;
  }
  return 0;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int dir_empty(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  int empty = 1;
  if (!d) return 0;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      empty = 0;
      break;
    }
  closedir(d);
  return empty;
}

/* The last non-empty line of a captured stream. */
static void last_line(const oh_child_output *o, char *buf, size_t cap) {
  size_t end = o->len, start;
  buf[0] = '\0';
  if (!o->data) return;
  while (end > 0 && (o->data[end - 1] == '\n' || o->data[end - 1] == '\r')) end--;
  start = end;
  while (start > 0 && o->data[start - 1] != '\n') start--;
  snprintf(buf, cap, "%.*s", (int)(end - start), o->data + start);
}

/* Checks the folders and prepares `into`; sets *created when it made it. */
static int prepare(const oh_merge_options *opt, const char *control, oh_merge_result *res,
                   int *created, oh_error *err) {
  struct stat st;
  int i;
  if (opt->ninputs < 1)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no corpus folder to merge");
  if (opt->engine == OH_MERGE_AFL && opt->ninputs != 1)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "afl-cmin minimises one folder at a time");
  if (access(opt->binary, X_OK) != 0)
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "fuzz binary %s not found or not executable (build the %s fuzz targets, or "
                   "pass --binary)",
                   opt->binary, oh_merge_engine_name(opt->engine));
  if (opt->engine == OH_MERGE_AFL && !oh_child_in_path("afl-cmin"))
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET, "afl-cmin is not installed (in PATH)");
  for (i = 0; i < opt->ninputs; i++)
    if (!is_dir(opt->inputs[i]))
      return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET, "%s: no such folder", opt->inputs[i]);
  if (oh_path_in_regressions(opt->into))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "%s: refusing to write under a regressions folder", opt->into);
  if (lstat(opt->into, &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "%s exists and is not a folder", opt->into);
    if (opt->engine == OH_MERGE_LIBFUZZER && access(control, F_OK) == 0) {
      res->resumed = 1;
      return OH_OK;
    }
    if (!dir_empty(opt->into))
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                     "%s exists and is not an interrupted merge: choose another --into",
                     opt->into);
    /* afl-cmin wants to create its output folder itself. */
    if (opt->engine == OH_MERGE_AFL && rmdir(opt->into) != 0)
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s: %s", opt->into, strerror(errno));
    return OH_OK;
  }
  if (opt->engine == OH_MERGE_AFL) return OH_OK;
  if (mkdir(opt->into, 0755) != 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create %s: %s", opt->into,
                   strerror(errno));
  *created = 1;
  return OH_OK;
}

int oh_merge_run(const oh_merge_options *opt, oh_merge_result *res, oh_error *err) {
  char control[4096], ctl_arg[4200], timeout_arg[32];
  char *argv[32 + 64];
  oh_child_opts co;
  oh_child_result cr;
  int argc = 0, i, rc, created = 0;
  memset(res, 0, sizeof *res);
  if (opt->ninputs > 64)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "at most 64 folders per merge");
  if (oh_merge_control_path(opt->into, control, sizeof control) != OH_OK)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long: %s", opt->into);
  if ((rc = prepare(opt, control, res, &created, err)) != OH_OK) return rc;
  if (opt->engine == OH_MERGE_LIBFUZZER) {
    snprintf(ctl_arg, sizeof ctl_arg, "-merge_control_file=%s", control);
    snprintf(timeout_arg, sizeof timeout_arg, "-timeout=%d", opt->input_timeout_s);
    argv[argc++] = (char *)opt->binary;
    argv[argc++] = "-merge=1";
    argv[argc++] = ctl_arg;
    argv[argc++] = timeout_arg;
    argv[argc++] = (char *)opt->into;
    for (i = 0; i < opt->ninputs; i++) argv[argc++] = (char *)opt->inputs[i];
  } else {
    /* The structure-aware mutator must not be loaded by afl-showmap. */
    static char *const head[] = {"env", "-u", "AFL_CUSTOM_MUTATOR_LIBRARY", "-u",
                                 "AFL_CUSTOM_MUTATOR_ONLY", "afl-cmin", "-i"};
    snprintf(timeout_arg, sizeof timeout_arg, "%d", opt->input_timeout_s * 1000);
    for (i = 0; i < (int)(sizeof head / sizeof head[0]); i++) argv[argc++] = head[i];
    argv[argc++] = (char *)opt->inputs[0];
    argv[argc++] = "-o";
    argv[argc++] = (char *)opt->into;
    argv[argc++] = "-t";
    argv[argc++] = timeout_arg;
    argv[argc++] = "--";
    argv[argc++] = (char *)opt->binary;
  }
  argv[argc] = NULL;
  oh_child_opts_init(&co);
  co.argv = argv;
  co.timeout_ms = opt->timeout_ms;
  co.output_cap = (size_t)1 << 20;
  memset(&cr, 0, sizeof cr);
  rc = oh_child_run(&co, &cr, err);
  if (rc != OH_OK) {
    oh_child_result_free(&cr);
    if (created) rmdir(opt->into);
    return rc;
  }
  oh_child_describe(&cr, res->outcome, sizeof res->outcome);
  last_line(cr.err.len ? &cr.err : &cr.out, res->last_line, sizeof res->last_line);
  res->ok = oh_child_verdict_of(&cr) == OH_CHILD_CLEAN;
  oh_child_result_free(&cr);
  if (res->ok && opt->engine == OH_MERGE_LIBFUZZER) unlink(control);
  if (!res->ok && created && access(control, F_OK) != 0 && dir_empty(opt->into))
    rmdir(opt->into);
  return OH_OK;
}

static int stats(const char *dir, int depth, uint64_t *files, uint64_t *bytes, oh_error *err) {
  DIR *d;
  struct dirent *e;
  char path[4096];
  int rc = OH_OK;
  if (depth > 16) return OH_OK;
  if (!(d = opendir(dir)))
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s: %s", dir, strerror(errno));
  while (rc == OH_OK && (e = readdir(d)) != NULL) {
    struct stat st;
    if (e->d_name[0] == '.') continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
    if (lstat(path, &st) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      (*files)++;
      *bytes += (uint64_t)st.st_size;
    } else if (S_ISDIR(st.st_mode)) {
      rc = stats(path, depth + 1, files, bytes, err);
    }
  }
  closedir(d);
  return rc;
}

int oh_corpus_dir_stats(const char *dir, uint64_t *files, uint64_t *bytes, oh_error *err) {
  *files = 0;
  *bytes = 0;
  return stats(dir, 0, files, bytes, err);
}

int oh_corpus_swap(const char *corpus, const char *merged, const char *stamp, char *backup,
                   size_t cap, oh_error *err) {
  struct stat st;
  size_t n = strlen(corpus);
  while (n > 1 && corpus[n - 1] == '/') n--;
  if (snprintf(backup, cap, "%.*s.bak-%s", (int)n, corpus, stamp) >= (int)cap)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long: %s", corpus);
  if (lstat(backup, &st) == 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "backup %s already exists", backup);
  if (rename(corpus, backup) != 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot move %s to %s: %s", corpus, backup,
                   strerror(errno));
  if (rename(merged, corpus) != 0) {
    int e = errno;
    if (rename(backup, corpus) != 0)
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET,
                     "cannot move %s into place (%s); the original is at %s", merged,
                     strerror(e), backup);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot move %s to %s: %s", merged, corpus,
                   strerror(e));
  }
  return OH_OK;
}
