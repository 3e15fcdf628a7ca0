/* Findings: gathers what the engines left into the crash folder (libFuzzer
 * writes its artifacts there itself; AFL++'s crashes/ and hangs/ of every
 * instance are copied, never moved), attaches the sanitizer report (the
 * part of libFuzzer's log before the artifact, or a re-run of the input in
 * an isolated child) and writes a JSON sidecar next to each input. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_impl.h"
#include "opushunt/child.h"
#include "opushunt/file.h"
#include "opushunt/json.h"

/* Re-runs for reports are bounded: a campaign with thousands of crashes
 * must still end; the triage tool re-runs the rest. */
#define MAX_RERUNS 16
#define RERUN_BUDGET_MS 120000u
#define RERUN_TIMEOUT_S 30u

char **oh_fuzz_list_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char **v = calloc(1, sizeof *v);
  size_t n = 0;
  if (!v || !d) {
    if (d) closedir(d);
    return v;
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
  return v;
}

void oh_fuzz_free_list(char **names) {
  char **p;
  for (p = names; p && *p; p++) free(*p);
  free(names);
}

static int in_list(char *const *names, const char *name) {
  for (; names && *names; names++)
    if (!strcmp(*names, name)) return 1;
  return 0;
}

static const char *libfuzzer_kind(const char *name) {
  static const char *const kinds[] = {"crash", "leak", "timeout", "oom"};
  size_t i, n = strlen(name);
  if (n > 5 && !strcmp(name + n - 5, ".json")) return NULL;
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    size_t k = strlen(kinds[i]);
    if (!strncmp(name, kinds[i], k) && name[k] == '-') return kinds[i];
  }
  return NULL;
}

static oh_fuzz_finding *add_finding(oh_fuzz_result *res, oh_error *err) {
  oh_fuzz_finding *bigger = realloc(res->findings, (res->nfindings + 1) * sizeof *bigger);
  if (!bigger) {
    oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    return NULL;
  }
  res->findings = bigger;
  memset(&bigger[res->nfindings], 0, sizeof *bigger);
  return &bigger[res->nfindings++];
}

static void stat_finding(oh_fuzz_finding *f) {
  struct stat st;
  if (stat(f->path, &st) != 0) return;
  f->size = (uint64_t)st.st_size;
  f->found_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
}

static const oh_lf_artifact *artifact_named(const oh_lf_parser *lf, const char *name) {
  size_t i;
  for (i = 0; lf && i < lf->nartifacts; i++) {
    const char *base = strrchr(lf->artifacts[i].path, '/');
    if (!strcmp(base ? base + 1 : lf->artifacts[i].path, name)) return &lf->artifacts[i];
  }
  return NULL;
}

static int collect_libfuzzer(const oh_fuzz_config *c, char *const *before,
                             const oh_lf_parser *lf, oh_fuzz_result *res, oh_error *err) {
  char **names = oh_fuzz_list_dir(c->crash_dir), **p;
  int rc = OH_OK;
  if (!names) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  for (p = names; rc == OH_OK && *p; p++) {
    const char *kind = libfuzzer_kind(*p);
    oh_fuzz_finding *f;
    /* An old file counts again only when this run wrote it anew. */
    if (!kind || (in_list(before, *p) && !artifact_named(lf, *p))) continue;
    if (!(f = add_finding(res, err))) {
      rc = OH_ERR_NOMEM;
      break;
    }
    snprintf(f->name, sizeof f->name, "%s", *p);
    snprintf(f->path, sizeof f->path, "%s/%s", c->crash_dir, *p);
    snprintf(f->source, sizeof f->source, "%s", f->path);
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->instance, sizeof f->instance, "libfuzzer");
    stat_finding(f);
  }
  oh_fuzz_free_list(names);
  return rc;
}

/* AFL++ names ("id:000000,sig:06,src:...") made safe for every tool. */
static void safe_name(char *out, size_t cap, const char *kind, const char *inst,
                      const char *name) {
  size_t n = (size_t)snprintf(out, cap, "%s-%s-", kind, inst), i;
  for (i = 0; name[i] && n + 1 < cap; i++) {
    char ch = name[i];
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '-' || ch == '+';
    out[n++] = ok ? ch : '_';
  }
  out[n < cap ? n : cap - 1] = '\0';
}

/* The copy's name in crash_dir; an older campaign's file of that name with
 * other bytes (a reused --crashes folder) gets a "~N" twin, never replaced. */
static void name_copy(const oh_fuzz_config *c, oh_fuzz_finding *f, const char *kind,
                      const char *inst, const char *afl_name) {
  char base[200];
  int k;
  safe_name(base, sizeof base, kind, inst, afl_name);
  for (k = 1; k < 1000; k++) {
    if (k == 1) snprintf(f->name, sizeof f->name, "%s", base);
    else snprintf(f->name, sizeof f->name, "%s~%d", base, k);
    snprintf(f->path, sizeof f->path, "%s/%s", c->crash_dir, f->name);
    if (access(f->path, F_OK) != 0 || oh_fuzz_same_bytes(f->source, f->path)) return;
  }
}

static int collect_afl_dir(const oh_fuzz_config *c, int inst, const char *sub, const char *kind,
                           oh_fuzz_result *res, int *copy_failed, oh_error *err) {
  char dir[PATH_MAX], name[16], **names, **p;
  int rc = OH_OK;
  oh_fuzz_afl_path(c, inst, sub, dir, sizeof dir);
  oh_fuzz_instance_name(c, inst, name, sizeof name);
  if (!(names = oh_fuzz_list_dir(dir))) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  for (p = names; rc == OH_OK && *p; p++) {
    oh_fuzz_finding *f;
    if (strncmp(*p, "id:", 3) != 0) continue; /* README.txt */
    if (!(f = add_finding(res, err))) {
      rc = OH_ERR_NOMEM;
      break;
    }
    snprintf(f->source, sizeof f->source, "%s/%s", dir, *p);
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->instance, sizeof f->instance, "%s", name);
    name_copy(c, f, kind, name, *p);
    /* A copy that fails leaves the finding where AFL++ put it: still listed. */
    if (access(f->path, F_OK) != 0 && oh_fuzz_copy_file(f->source, f->path, err) != OH_OK) {
      snprintf(f->path, sizeof f->path, "%s", f->source);
      *copy_failed = 1;
    }
    stat_finding(f);
  }
  oh_fuzz_free_list(names);
  return rc;
}

static int by_time(const void *a, const void *b) {
  const oh_fuzz_finding *x = a, *y = b;
  if (x->found_ns != y->found_ns) return x->found_ns < y->found_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* ---- Reports. */

/* One line for a person: what the SUMMARY line says, else the ERROR line
 * from the tool's name on, else the whole line of a UBSan or libopus
 * assertion message. */
static void summary_of(const char *report, char *out, size_t cap) {
  static const char *const after[] = {"SUMMARY: ", "ERROR: "};
  static const char *const whole[] = {"runtime error: ", "Fatal (internal) error"};
  const char *start = NULL, *nl;
  size_t i;
  out[0] = '\0';
  for (i = 0; report && !start && i < 2; i++)
    if ((start = strstr(report, after[i])) != NULL) start += strlen(after[i]);
  for (i = 0; report && !start && i < 2; i++)
    if ((start = strstr(report, whole[i])) != NULL)
      while (start > report && start[-1] != '\n') start--;
  if (!start) return;
  nl = strchr(start, '\n');
  snprintf(out, cap, "%.*s", (int)(nl ? (size_t)(nl - start) : strlen(start)), start);
}

/* The child's stderr, cut to the sidecar's cap (head and tail kept). */
static char *cap_report(const oh_child_output *o, int *truncated) {
  size_t n = o->len, tail = OH_FUZZ_REPORT_CAP / 8, head;
  static const char marker[] = "\n[opushunt: report cut here]\n";
  char *r;
  *truncated = o->truncated;
  if (n <= OH_FUZZ_REPORT_CAP) return strdup(o->data ? o->data : "");
  head = OH_FUZZ_REPORT_CAP - tail - (sizeof marker - 1);
  if (!(r = malloc(OH_FUZZ_REPORT_CAP + 1))) return NULL;
  memcpy(r, o->data, head);
  memcpy(r + head, marker, sizeof marker - 1);
  memcpy(r + head + sizeof marker - 1, o->data + n - tail, tail);
  r[OH_FUZZ_REPORT_CAP] = '\0';
  *truncated = 1;
  return r;
}

/* Runs the input once under the fuzz binary itself (libFuzzer and AFL++'s
 * driver both take a file argument) and keeps what it printed. */
static char *rerun(const oh_fuzz_config *c, oh_fuzz_finding *f, uint32_t *budget_ms,
                   int *truncated) {
  oh_strvec argv = {0}, env = {0};
  oh_child_opts o;
  oh_child_result r;
  oh_error err;
  char *report = NULL;
  uint32_t limit = (c->timeout_s ? c->timeout_s : RERUN_TIMEOUT_S) + 10u;
  oh_strvec_push(&argv, "%s", c->binary);
  if (c->engine == OH_FUZZ_LIBFUZZER) {
    if (c->timeout_s) oh_strvec_push(&argv, "-timeout=%u", c->timeout_s);
    oh_strvec_push(&argv, "-rss_limit_mb=%u", c->memory_mb);
  }
  oh_strvec_push(&argv, "%s", f->path);
  if (c->symbolizer) oh_strvec_push(&env, "ASAN_SYMBOLIZER_PATH=%s", c->symbolizer);
  oh_strvec_push(&env, "UBSAN_OPTIONS=print_stacktrace=1");
  oh_child_opts_init(&o);
  o.argv = argv.v;
  o.env_add = (const char *const *)env.v;
  o.timeout_ms = (limit * 1000u < *budget_ms ? limit * 1000u : *budget_ms);
  o.rss_limit = oh_fuzz_group_rss_limit(c);
  o.output_cap = (size_t)1 << 20;
  oh_error_clear(&err);
  if (!argv.failed && !env.failed && oh_child_run(&o, &r, &err) == OH_OK) {
    oh_child_describe(&r, f->rerun, sizeof f->rerun);
    report = cap_report(&r.err, truncated);
    *budget_ms -= (uint32_t)(r.wall_us / 1000u) < *budget_ms ? (uint32_t)(r.wall_us / 1000u)
                                                              : *budget_ms;
  } else {
    snprintf(f->rerun, sizeof f->rerun, "could not run: %.80s", err.reason);
  }
  oh_child_result_free(&r);
  oh_strvec_free(&argv);
  oh_strvec_free(&env);
  return report;
}

static void write_sidecar(const oh_fuzz_config *c, const oh_fuzz_finding *f, const char *report,
                          int truncated) {
  char path[PATH_MAX + 8], repro[8192];
  oh_outfile of;
  oh_json j;
  oh_error err;
  snprintf(path, sizeof path, "%s.json", f->path);
  snprintf(repro, sizeof repro, "%s ", c->reproduce ? c->reproduce : "opushunt replay");
  oh_fuzz_shell_quote(repro, sizeof repro, f->path);
  oh_error_clear(&err);
  if (oh_outfile_open(&of, path, f->path, &err) != OH_OK) return;
  oh_json_init(&j, of.f, 1);
  oh_json_object_begin(&j, NULL);
  oh_json_str(&j, "input", f->name);
  oh_json_str(&j, "target", c->target);
  oh_json_str(&j, "engine", oh_fuzz_engine_name(c->engine));
  oh_json_str(&j, "sanitizer", c->sanitizer);
  oh_json_bool(&j, "fixed", c->fixed);
  oh_json_str(&j, "build", c->build);
  oh_json_str(&j, "binary", c->binary);
  oh_json_str(&j, "instance", f->instance);
  oh_json_str(&j, "kind", f->kind);
  oh_json_uint(&j, "size", f->size);
  oh_json_str(&j, "original_path", f->source);
  oh_json_str(&j, "campaign", c->out_dir);
  oh_json_uint(&j, "seed", c->seed);
  oh_json_str(&j, "summary", f->summary[0] ? f->summary : NULL);
  oh_json_str(&j, "report_source", f->report_source);
  if (f->rerun[0]) oh_json_str(&j, "rerun", f->rerun);
  oh_json_bool(&j, "report_truncated", truncated);
  oh_json_str(&j, "report", report);
  oh_json_str(&j, "reproduce", repro);
  oh_json_object_end(&j);
  fputc('\n', of.f);
  if (oh_outfile_commit(&of, &err) != OH_OK) oh_outfile_abort(&of);
}

static void describe(const oh_fuzz_config *c, oh_fuzz_finding *f, const oh_lf_parser *lf,
                     const char *lf_log, uint32_t *budget_ms, int *reruns) {
  const oh_lf_artifact *a = artifact_named(lf, f->name);
  char *report = NULL;
  int truncated = 0;
  if (a && lf_log) {
    report = oh_fuzz_read_range(lf_log, a->report_start, a->report_end, OH_FUZZ_REPORT_CAP,
                                &truncated);
    if (report && *report) f->report_source = "engine";
  }
  /* A hang re-run only hangs again; AFL++'s driver has no timeout of its own. */
  if (!f->report_source && *budget_ms > 1000u && *reruns < MAX_RERUNS &&
      !(c->engine == OH_FUZZ_AFL && !strcmp(f->kind, "hang"))) {
    free(report);
    (*reruns)++;
    report = rerun(c, f, budget_ms, &truncated);
    if (report) f->report_source = "rerun";
  }
  summary_of(report, f->summary, sizeof f->summary);
  write_sidecar(c, f, report, truncated);
  free(report);
}

int oh_fuzz_collect(const oh_fuzz_config *c, char *const *before, const oh_lf_parser *lf,
                    const char *lf_log, oh_fuzz_result *res, oh_error *err) {
  uint32_t budget = RERUN_BUDGET_MS;
  int rc = OH_OK, i, reruns = 0, copy_failed = 0;
  size_t k;
  if (c->engine == OH_FUZZ_LIBFUZZER) {
    rc = collect_libfuzzer(c, before, lf, res, err);
  } else {
    for (i = 0; rc == OH_OK && i < oh_fuzz_instance_count(c); i++) {
      rc = collect_afl_dir(c, i, "crashes", "crash", res, &copy_failed, err);
      if (rc == OH_OK) rc = collect_afl_dir(c, i, "hangs", "hang", res, &copy_failed, err);
    }
  }
  if (res->nfindings) qsort(res->findings, res->nfindings, sizeof *res->findings, by_time);
  res->ncrashes = res->nhangs = 0;
  for (k = 0; k < res->nfindings; k++) {
    oh_fuzz_finding *f = &res->findings[k];
    if (!strcmp(f->kind, "timeout") || !strcmp(f->kind, "hang")) res->nhangs++;
    else res->ncrashes++;
    describe(c, f, lf, lf_log, &budget, &reruns);
  }
  /* err holds the last failed copy; the findings are all listed anyway. */
  return rc != OH_OK ? rc : copy_failed ? OH_ERR_IO : OH_OK;
}
