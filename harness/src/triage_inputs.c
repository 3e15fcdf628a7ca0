/* What a path on the triage command line stands for. A file is a crash
 * input, a sanitizer text log or a Valgrind XML file (told apart by their
 * content, not their names). A folder is an `opushunt fuzz` output folder
 * (crashes/ and hangs/ with JSON sidecars naming target and build), an
 * AFL++ output folder (every instance's crashes/ and hangs/, the target
 * read from fuzzer_stats), or any folder of crash files (libFuzzer's
 * crash-*, leak-*, timeout-*, oom-* artifacts among them). Logs become
 * report-only items, unless the report names a libFuzzer artifact that
 * exists, which is then run instead. Nothing here runs anything. */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opushunt/file.h"
#include "opushunt/json_read.h"
#include "triage_impl.h"

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

oh_triage_item *oh_triage_new_item(oh_triage *t) {
  oh_triage_item *it;
  if (t->nitems == t->cap_items) {
    size_t cap = t->cap_items ? t->cap_items * 2 : 64;
    oh_triage_item *ni = realloc(t->items, cap * sizeof *ni);
    if (!ni) return NULL;
    t->items = ni;
    t->cap_items = cap;
  }
  it = &t->items[t->nitems++];
  memset(it, 0, sizeof *it);
  it->bucket = -1;
  it->records = -1;
  it->crash.fault_index = -1;
  it->tool = t->opt.tool;
  return it;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Sorted names in a folder, dot files left out; NULL-terminated. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char **v;
  size_t n = 0;
  if (!d) return NULL;
  if (!(v = calloc(1, sizeof *v))) {
    closedir(d);
    return NULL;
  }
  while ((e = readdir(d)) != NULL) {
    char **bigger;
    if (e->d_name[0] == '.') continue;
    if (!(bigger = realloc(v, (n + 2) * sizeof *v))) break;
    v = bigger;
    if (!(v[n] = strdup(e->d_name))) break;
    v[++n] = NULL;
  }
  closedir(d);
  qsort(v, n, sizeof *v, cmp_str);
  return v;
}

static void free_list(char **v) {
  char **p;
  for (p = v; p && *p; p++) free(*p);
  free(v);
}

/* ---- Which build found it. */

/* Sets lib and tool from a sanitizer or tool name ("asan", "ubsan",
 * "msan", "tsan", "valgrind", "guard"; anything else, "none" included,
 * means ASan) and a build string. A fuzzing build ("libfuzzer-fixed-asan")
 * may say fixed-point; a replay's sidecar (ci/nightly) names the libopus
 * build itself ("ubsan-full", "system"), which is then used as is. */
static void set_build(oh_triage_item *it, const char *san, const char *build) {
  char lib[24];
  int fixed = build && strstr(build, "fixed") != NULL;
  oh_replay_tool tool = OH_UNDER_ASAN;
  if (!san) return;
  if (oh_replay_tool_from_name(san, &tool) != OH_OK || tool == OH_UNDER_PLAIN ||
      tool == OH_UNDER_HELGRIND)
    tool = OH_UNDER_ASAN;
  if (build && oh_replay_lib_known(build)) {
    snprintf(lib, sizeof lib, "%s", build);
  } else {
    snprintf(lib, sizeof lib, "%s%s", fixed ? "fixed-" : "", oh_replay_tool_name(tool));
    if (!oh_replay_lib_known(lib)) snprintf(lib, sizeof lib, "%s", oh_replay_default_lib(tool));
  }
  it->tool = tool;
  copy(it->lib, sizeof it->lib, lib);
}

/* An `opushunt fuzz` sidecar next to a crash file. */
static void read_sidecar(oh_triage_item *it, const char *json_path) {
  oh_jv *root = NULL;
  oh_error err;
  const char *target;
  oh_error_clear(&err);
  if (oh_json_parse_file(json_path, &root, &err) != OH_OK) return; /* the input still counts */
  target = oh_jv_str(oh_jv_get(root, "target"));
  if (target && oh_replay_target_known(target)) copy(it->target, sizeof it->target, target);
  set_build(it, oh_jv_str(oh_jv_get(root, "sanitizer")), oh_jv_str(oh_jv_get(root, "build")));
  oh_jv_free(root);
}

/* The target of an AFL++ instance: the fuzz-<target> in its command line. */
static void afl_target(const char *instance_dir, char *target, size_t cap) {
  char path[PATH_MAX], line[4096];
  FILE *f;
  target[0] = '\0';
  snprintf(path, sizeof path, "%s/fuzzer_stats", instance_dir);
  if (!(f = fopen(path, "r"))) return;
  while (fgets(line, sizeof line, f)) {
    char *p;
    if (strncmp(line, "command_line", 12) != 0) continue;
    for (p = strstr(line, "fuzz-"); p; p = strstr(p + 1, "fuzz-")) {
      size_t n = strcspn(p + 5, " \t\n/");
      char name[32];
      if (p != line && p[-1] != '/' && p[-1] != ' ') continue;
      snprintf(name, sizeof name, "%.*s", (int)(n < 31 ? n : 31), p + 5);
      if (oh_replay_target_known(name)) {
        snprintf(target, cap, "%s", name);
        break;
      }
    }
    break;
  }
  fclose(f);
}

/* ---- Logs. */

/* 1 when the bytes look like a text report rather than a fuzz input. */
static int looks_like_log(const uint8_t *d, size_t n, int *xml) {
  size_t i, printable = 0, probe = n < 65536 ? n : 65536;
  oh_san_report r;
  oh_error err;
  int found;
  *xml = 0;
  if (n >= 5 && !memcmp(d, "<?xml", 5) && memmem(d, probe, "<valgrindoutput", 15)) {
    *xml = 1;
    return 1;
  }
  for (i = 0; i < probe; i++)
    if (d[i] == '\n' || d[i] == '\t' || d[i] == '\r' || (d[i] >= 32 && d[i] < 127)) printable++;
  if (probe == 0 || printable * 100 < probe * 95) return 0;
  oh_error_clear(&err);
  found = oh_san_parse(d, n, &r, &err) == OH_OK;
  if (found) oh_san_report_free(&r);
  return found;
}

static int path_seen(const oh_triage *t, const char *path) {
  char a[PATH_MAX], b[PATH_MAX];
  size_t i;
  if (!realpath(path, a)) return 0;
  for (i = 0; i < t->nitems; i++)
    if (t->items[i].origin != OH_ORIGIN_LOG && t->items[i].origin != OH_ORIGIN_VALGRIND_XML &&
        realpath(t->items[i].path, b) && !strcmp(a, b))
      return 1;
  return 0;
}

static int add_file(oh_triage *t, const char *path, oh_triage_origin origin, const char *target,
                    oh_error *err);

/* The artifact a libFuzzer log names, relative to the log's folder when
 * it is not found as written. */
static int artifact_path(const char *log, const char *artifact, char *out, size_t cap) {
  const char *slash;
  if (is_file(artifact)) return snprintf(out, cap, "%s", artifact) < (int)cap;
  if (artifact[0] == '/' || !(slash = strrchr(log, '/'))) return 0;
  snprintf(out, cap, "%.*s/%s", (int)(slash - log), log, artifact);
  return is_file(out);
}

static int add_log(oh_triage *t, const char *path, const uint8_t *d, size_t n, int xml,
                   oh_error *err) {
  oh_san_iter it;
  oh_san_report r;
  oh_error e;
  int count = 0;
  oh_san_iter_init(&it, d, n);
  oh_error_clear(&e);
  while (oh_san_iter_next(&it, &r, &e) == OH_OK) {
    char art[PATH_MAX];
    count++;
    if (r.artifact && artifact_path(path, r.artifact, art, sizeof art)) {
      if (!path_seen(t, art)) {
        int rc = add_file(t, art, OH_ORIGIN_LIBFUZZER, NULL, err);
        if (rc != OH_OK) {
          oh_san_report_free(&r);
          return rc;
        }
      }
    } else {
      oh_triage_item *item = oh_triage_new_item(t);
      if (!item) {
        oh_san_report_free(&r);
        return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
      }
      snprintf(item->path, sizeof item->path, "%s", path);
      item->origin = xml ? OH_ORIGIN_VALGRIND_XML : OH_ORIGIN_LOG;
      item->bytes = (uint64_t)(r.end - r.begin);
      item->status = OH_TSTAT_REPORT_ONLY;
      item->tool = OH_UNDER_PLAIN;
      oh_triage_crash_from_report(&r, &item->crash);
      snprintf(item->error, sizeof item->error, "report at offset %zu", r.begin);
    }
    oh_san_report_free(&r);
  }
  if (!count) {
    oh_triage_item *item = oh_triage_new_item(t);
    if (!item) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    snprintf(item->path, sizeof item->path, "%s", path);
    item->origin = xml ? OH_ORIGIN_VALGRIND_XML : OH_ORIGIN_LOG;
    item->bytes = n;
    item->status = OH_TSTAT_GARBAGE;
    snprintf(item->error, sizeof item->error, "%s: offset 0: no sanitizer or Valgrind report "
             "in it", path);
  }
  return OH_OK;
}

/* ---- Files and folders. */

static oh_triage_origin name_origin(const char *name, oh_triage_origin dflt) {
  static const char *const lf[] = {"crash-", "leak-", "timeout-", "oom-", "slow-unit-", NULL};
  int i;
  for (i = 0; lf[i]; i++)
    if (!strncmp(name, lf[i], strlen(lf[i]))) return OH_ORIGIN_LIBFUZZER;
  return dflt;
}

static int add_file(oh_triage *t, const char *path, oh_triage_origin origin, const char *target,
                    oh_error *err) {
  uint8_t *d = NULL;
  size_t n = 0;
  char side[PATH_MAX];
  oh_triage_item *it;
  oh_error e;
  int xml;
  oh_error_clear(&e);
  if (oh_file_read(path, OH_MAX_INPUT_FILE, &d, &n, &e) != OH_OK) {
    if (!(it = oh_triage_new_item(t))) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "oom");
    snprintf(it->path, sizeof it->path, "%s", path);
    it->origin = origin;
    it->status = OH_TSTAT_ERROR;
    oh_error_format(&e, path, it->error, sizeof it->error);
    return OH_OK;
  }
  if (looks_like_log(d, n, &xml)) {
    int rc = add_log(t, path, d, n, xml, err);
    free(d);
    return rc;
  }
  free(d);
  if (!(it = oh_triage_new_item(t))) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "oom");
  snprintf(it->path, sizeof it->path, "%s", path);
  {
    const char *base = strrchr(path, '/');
    it->origin = name_origin(base ? base + 1 : path, origin);
  }
  it->bytes = n;
  it->status = OH_TSTAT_NOT_REPRODUCIBLE; /* until it is run (runs == 0) */
  if (target) copy(it->target, sizeof it->target, target);
  snprintf(side, sizeof side, "%s.json", path);
  if (is_file(side)) read_sidecar(it, side);
  return OH_OK;
}

/* Skipped in crash folders: sidecars, AFL++'s README, our own logs. */
static int skip_name(const char *name) {
  return ends_with(name, ".json") || !strcmp(name, "README.txt") || !strcmp(name, ".state");
}

static int add_folder_files(oh_triage *t, const char *dir, oh_triage_origin origin,
                            const char *target, const char *instance, oh_error *err) {
  char **names = list_dir(dir), **p;
  int rc = OH_OK;
  if (!names) return OH_OK;
  for (p = names; *p && rc == OH_OK; p++) {
    char path[PATH_MAX];
    size_t before = t->nitems, i;
    if (skip_name(*p)) continue;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, *p) >= sizeof path) continue;
    if (!is_file(path)) continue;
    rc = add_file(t, path, origin, target, err);
    for (i = before; i < t->nitems && instance; i++)
      copy(t->items[i].instance, sizeof t->items[i].instance, instance);
  }
  free_list(names);
  return rc;
}

/* An AFL++ output folder: instances hold fuzzer_stats or crashes/. */
static int add_afl(oh_triage *t, const char *out, oh_error *err) {
  char **names = list_dir(out), **p;
  int rc = OH_OK, any = 0;
  for (p = names; p && *p && rc == OH_OK; p++) {
    char inst[PATH_MAX], sub[PATH_MAX + 16], target[32];
    if ((size_t)snprintf(inst, sizeof inst, "%s/%s", out, *p) >= sizeof inst || !is_dir(inst))
      continue;
    snprintf(sub, sizeof sub, "%s/crashes", inst);
    if (!is_dir(sub)) continue;
    any = 1;
    afl_target(inst, target, sizeof target);
    rc = add_folder_files(t, sub, OH_ORIGIN_AFL, target[0] ? target : NULL, *p, err);
    snprintf(sub, sizeof sub, "%s/hangs", inst);
    if (rc == OH_OK && is_dir(sub))
      rc = add_folder_files(t, sub, OH_ORIGIN_AFL, target[0] ? target : NULL, *p, err);
  }
  free_list(names);
  return rc == OH_OK && !any ? OH_ERR_NOT_FOUND : rc;
}

static int is_afl_out(const char *dir) {
  char **names = list_dir(dir), **p;
  int yes = 0;
  for (p = names; p && *p && !yes; p++) {
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/%s/fuzzer_stats", dir, *p);
    if (is_file(sub)) yes = 1;
    snprintf(sub, sizeof sub, "%s/%s/crashes", dir, *p);
    if (is_dir(sub)) yes = 1;
  }
  free_list(names);
  return yes;
}

/* An `opushunt fuzz` folder: summary.json names target and build. */
static int add_opushunt_fuzz(oh_triage *t, const char *dir, oh_error *err) {
  char path[PATH_MAX];
  oh_jv *root = NULL;
  oh_error e;
  const char *target = NULL, *san = NULL, *build = NULL;
  size_t before = t->nitems, i;
  int rc;
  oh_error_clear(&e);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  if (oh_json_parse_file(path, &root, &e) == OH_OK) {
    target = oh_jv_str(oh_jv_get(root, "target"));
    san = oh_jv_str(oh_jv_get(root, "sanitizer"));
    build = oh_jv_str(oh_jv_get(root, "build"));
    if (target && !oh_replay_target_known(target)) target = NULL;
  }
  snprintf(path, sizeof path, "%s/crashes", dir);
  rc = add_folder_files(t, path, OH_ORIGIN_OPUSHUNT_FUZZ, target, NULL, err);
  snprintf(path, sizeof path, "%s/hangs", dir);
  if (rc == OH_OK && is_dir(path))
    rc = add_folder_files(t, path, OH_ORIGIN_OPUSHUNT_FUZZ, target, NULL, err);
  for (i = before; i < t->nitems; i++) {
    char side[PATH_MAX + 8];
    snprintf(side, sizeof side, "%s.json", t->items[i].path);
    if (!is_file(side) && san) set_build(&t->items[i], san, build);
  }
  oh_jv_free(root);
  return rc;
}

int oh_triage_add_path(oh_triage *t, const char *path, oh_error *err) {
  char probe[PATH_MAX];
  if (is_file(path)) return add_file(t, path, OH_ORIGIN_FILE, NULL, err);
  if (!is_dir(path))
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s: no such file or folder", path);
  snprintf(probe, sizeof probe, "%s/summary.json", path);
  {
    char crashes[PATH_MAX];
    snprintf(crashes, sizeof crashes, "%s/crashes", path);
    if (is_file(probe) && is_dir(crashes)) return add_opushunt_fuzz(t, path, err);
  }
  if (is_afl_out(path)) return add_afl(t, path, err);
  snprintf(probe, sizeof probe, "%s/fuzzer_stats", path);
  if (is_file(probe)) { /* one AFL++ instance named directly */
    char target[32], sub[PATH_MAX];
    int rc;
    afl_target(path, target, sizeof target);
    snprintf(sub, sizeof sub, "%s/crashes", path);
    rc = add_folder_files(t, sub, OH_ORIGIN_AFL, target[0] ? target : NULL, NULL, err);
    snprintf(sub, sizeof sub, "%s/hangs", path);
    if (rc == OH_OK && is_dir(sub))
      rc = add_folder_files(t, sub, OH_ORIGIN_AFL, target[0] ? target : NULL, NULL, err);
    return rc;
  }
  return add_folder_files(t, path, OH_ORIGIN_FILE, NULL, NULL, err);
}
