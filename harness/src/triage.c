/* The triage run, step by step: reproduce every input (--repeat times,
 * in parallel children), group the crashes into buckets, mark them new,
 * known or suppressed, run each bucket's representative under every other
 * tool available (the reproducibility matrix), minimise it keeping the
 * same crash state, and write the reports and one folder per bucket
 * (buckets/<id>/: the minimised reproducer and info.txt, which `--promote`
 * reads). Inputs that cannot be run are reported, never fatal. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opushunt/child.h"
#include "opushunt/file.h"
#include "opushunt/minimize.h"
#include "opushunt/script.h"
#include "triage_impl.h"

void oh_triage_options_init(oh_triage_options *o) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  memset(o, 0, sizeof *o);
  oh_replay_options_init(&o->replay);
  o->replay.timeout_ms = 20000;
  o->tool = OH_UNDER_ASAN;
  o->repeat = 3;
  o->matrix = 1;
  o->minimise = 1;
  o->min_max_tests = 2000;
  o->min_max_seconds = 120;
  o->jobs = cores > 0 ? (int)(cores > 16 ? 16 : cores) : 1;
}

void oh_triage_init(oh_triage *t, const oh_triage_options *opt) {
  memset(t, 0, sizeof *t);
  t->opt = *opt;
  if (t->opt.repeat < 1) t->opt.repeat = 1;
  if (t->opt.jobs < 1) t->opt.jobs = 1;
}

void oh_triage_free(oh_triage *t) {
  free(t->items);
  free(t->buckets);
  t->items = NULL;
  t->buckets = NULL;
  t->nitems = t->nbuckets = 0;
}

int oh_triage_add(oh_triage *t, const char *path, oh_error *err) {
  return oh_triage_add_path(t, path, err);
}

void oh_triage_note(oh_triage *t, const char *fmt, ...) {
  va_list ap;
  if (t->nnotes >= (int)(sizeof t->notes / sizeof t->notes[0])) return;
  va_start(ap, fmt);
  vsnprintf(t->notes[t->nnotes++], sizeof t->notes[0], fmt, ap);
  va_end(ap);
}

void oh_triage_now(char *out, size_t cap) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void oh_triage_today(char *out, size_t cap) {
  char now[32];
  oh_triage_now(now, sizeof now);
  snprintf(out, cap, "%.10s", now);
}

static int is_script(const uint8_t *b, size_t n) {
  return n >= 4 && !memcmp(b, OH_SCRIPT_MAGIC, 4);
}

void oh_triage_item_options(const oh_triage *t, const oh_triage_item *it, oh_replay_options *o) {
  *o = t->opt.replay;
  o->input = it->path;
  o->target = it->target[0] ? it->target : t->opt.target;
  o->lib = it->lib[0] ? it->lib : t->opt.lib;
  o->keep_logs = NULL;
}

void oh_triage_fix_options(oh_replay_options *o, const uint8_t *b, size_t n) {
  if (is_script(b, n) && (!o->target || strcmp(o->target, "readers") != 0)) o->target = NULL;
  if (o->target || is_script(b, n)) {
    memset(&o->caller, 0, sizeof o->caller);
    o->caller.state_size = -1;
  }
}

static void progress(const oh_triage *t, const char *phase, int done, int total) {
  if (t->opt.progress) t->opt.progress(t->opt.progress_ctx, phase, done, total);
}

typedef struct pctx {
  const oh_triage *t;
  const char *phase;
} pctx;

static void job_progress(void *vctx, int done, int total) {
  pctx *p = vctx;
  progress(p->t, p->phase, done, total);
}

/* ---- Reproduction. */

typedef struct loaded {
  uint8_t *buf;
  size_t len;
} loaded;

/* Reads an item and checks the readers take it; returns 1 when it can run. */
static int prepare(oh_triage *t, oh_triage_item *it, loaded *l) {
  oh_replay_options o;
  oh_replay_input in;
  oh_error err;
  oh_error_clear(&err);
  if (oh_file_read(it->path, OH_MAX_INPUT_FILE, &l->buf, &l->len, &err) != OH_OK) {
    it->status = OH_TSTAT_ERROR;
    oh_error_format(&err, it->path, it->error, sizeof it->error);
    return 0;
  }
  it->bytes = l->len;
  if (l->len == 0) {
    it->status = OH_TSTAT_EMPTY;
    snprintf(it->error, sizeof it->error, "%s: offset 0: empty file", it->path);
    return 0;
  }
  oh_triage_item_options(t, it, &o);
  oh_triage_fix_options(&o, l->buf, l->len);
  memset(&in, 0, sizeof in);
  if (oh_replay_scan_input(&o, l->buf, l->len, &in, &err) != OH_OK) {
    it->status = OH_TSTAT_GARBAGE;
    oh_error_format(&err, it->path, it->error, sizeof it->error);
    return 0;
  }
  it->records = in.unreadable ? -1 : (int64_t)in.records;
  it->script = is_script(l->buf, l->len);
  if (!it->target[0] && in.target[0] && !t->opt.target)
    snprintf(it->target, sizeof it->target, "%s", in.target);
  return 1;
}

/* The most frequent crash state among an item's runs. */
static void conclude(oh_triage_item *it, oh_triage_job *jobs, int n) {
  oh_triage_crash c;
  int i, k, best = -1, best_count = 0, errors = 0;
  for (i = 0; i < n; i++) {
    int count = 0;
    if (jobs[i].rc != OH_OK || jobs[i].res->verdict == OH_VERDICT_ERROR) {
      errors++;
      continue;
    }
    if (!oh_triage_crash_from_result(jobs[i].res, &c)) continue;
    for (k = 0; k < n; k++) {
      oh_triage_crash d;
      if (jobs[k].rc == OH_OK && oh_triage_crash_from_result(jobs[k].res, &d) &&
          !strcmp(c.state, d.state))
        count++;
    }
    if (count > best_count) {
      best_count = count;
      best = i;
    }
  }
  it->runs = n - errors;
  it->crashes = best_count;
  it->wall_us = 0;
  for (i = 0; i < n; i++) it->wall_us += jobs[i].res->wall_us;
  if (errors == n) {
    it->status = OH_TSTAT_ERROR;
    snprintf(it->error, sizeof it->error, "%s: %s", it->path,
             jobs[0].err.reason[0] ? jobs[0].err.reason : jobs[0].res->why);
    return;
  }
  if (best < 0) {
    it->status = OH_TSTAT_NOT_REPRODUCIBLE;
    snprintf(it->error, sizeof it->error, "no finding in %d run%s under %s", it->runs,
             it->runs == 1 ? "" : "s", oh_replay_tool_name(it->tool));
    return;
  }
  oh_triage_crash_from_result(jobs[best].res, &it->crash);
  it->status = best_count == it->runs ? OH_TSTAT_RELIABLE : OH_TSTAT_FLAKY;
}

static int reproduce(oh_triage *t) {
  size_t i, nrun = 0, j = 0;
  int r, rep = t->opt.repeat;
  loaded *ld = calloc(t->nitems ? t->nitems : 1, sizeof *ld);
  oh_triage_job *jobs;
  oh_replay_result *res;
  pctx pc = {t, "reproduce"};
  if (!ld) return OH_ERR_NOMEM;
  for (i = 0; i < t->nitems; i++) {
    oh_triage_item *it = &t->items[i];
    if (it->runs || it->status != OH_TSTAT_NOT_REPRODUCIBLE) continue; /* logs, errors */
    if (prepare(t, it, &ld[i])) nrun++;
    else {
      free(ld[i].buf);
      ld[i].buf = NULL;
    }
  }
  jobs = calloc(nrun * (size_t)rep + 1, sizeof *jobs);
  res = calloc(nrun * (size_t)rep + 1, sizeof *res);
  if (!jobs || !res) {
    free(jobs);
    free(res);
    for (i = 0; i < t->nitems; i++) free(ld[i].buf);
    free(ld);
    return OH_ERR_NOMEM;
  }
  for (i = 0; i < t->nitems; i++) {
    if (!ld[i].buf) continue;
    for (r = 0; r < rep; r++, j++) {
      oh_triage_item_options(t, &t->items[i], &jobs[j].opt);
      oh_triage_fix_options(&jobs[j].opt, ld[i].buf, ld[i].len);
      jobs[j].tool = t->items[i].tool;
      jobs[j].buf = ld[i].buf;
      jobs[j].len = ld[i].len;
      jobs[j].res = &res[j];
    }
  }
  oh_triage_run_jobs(jobs, (int)j, t->opt.jobs, job_progress, &pc);
  for (i = 0, j = 0; i < t->nitems; i++) {
    if (!ld[i].buf) continue;
    conclude(&t->items[i], &jobs[j], rep);
    j += (size_t)rep;
    if (!t->opus_version[0] && res[j - 1].opus_version[0])
      snprintf(t->opus_version, sizeof t->opus_version, "%s", res[j - 1].opus_version);
    free(ld[i].buf);
  }
  free(jobs);
  free(res);
  free(ld);
  return OH_OK;
}

/* ---- The reproducibility matrix. */

/* Why tool cannot run for this bucket, or NULL. */
static const char *unavailable(const oh_triage *t, const oh_triage_bucket *b, oh_replay_tool tool,
                               char *why, size_t cap) {
  char path[4096];
  oh_error err;
  oh_error_clear(&err);
  if (tool == OH_UNDER_HELGRIND || tool == OH_UNDER_PLAIN) {
    snprintf(why, cap, "not part of the matrix");
    return why;
  }
  if (tool == OH_UNDER_TSAN && t->opt.replay.caller.threads <= 1 &&
      strcmp(b->crash.kind, "data-race") != 0) {
    snprintf(why, cap, "single-threaded input: ThreadSanitizer has nothing to see");
    return why;
  }
  if (tool == OH_UNDER_VALGRIND && !oh_child_in_path(t->opt.replay.valgrind ? t->opt.replay.valgrind
                                                                   : "valgrind")) {
    snprintf(why, cap, "valgrind not found: install it (apt-get install valgrind)");
    return why;
  }
  if (oh_replay_runner_path(t->opt.replay.runner_dir, oh_replay_default_lib(tool), path,
                            sizeof path, &err) != OH_OK) {
    snprintf(why, cap, "%s", err.reason);
    return why;
  }
  return NULL;
}

/* The matrix asks "does this tool see the bug": a finding at the same
 * record (when both know it), or any finding when the record is unknown. */
static int sees_it(const oh_triage_bucket *b, const oh_replay_result *r, char *state,
                   size_t cap) {
  oh_triage_crash c;
  if (!oh_triage_crash_from_result(r, &c)) return 0;
  snprintf(state, cap, "%s", c.state);
  /* A divergence or a bare contract verdict is not the tool seeing a
   * memory error, unless that is what the bucket is. */
  if ((!strcmp(c.kind, "oracle-divergence") || !strcmp(c.kind, "contract-violation")) &&
      strcmp(c.kind, b->crash.kind))
    return 0;
  if (b->crash.fault_index >= 0 && c.fault_index >= 0)
    return b->crash.fault_index == c.fault_index;
  return 1;
}

static int run_matrix(oh_triage *t) {
  static const oh_replay_tool order[] = {OH_UNDER_ASAN, OH_UNDER_UBSAN, OH_UNDER_MSAN,
                                         OH_UNDER_TSAN, OH_UNDER_VALGRIND, OH_UNDER_GUARD};
  size_t k, nt = sizeof order / sizeof order[0], nj = 0, i;
  oh_triage_job *jobs = calloc(t->nbuckets * nt + 1, sizeof *jobs);
  oh_replay_result *res = calloc(t->nbuckets * nt + 1, sizeof *res);
  int *owner = calloc(t->nbuckets * nt + 1, sizeof *owner);
  pctx pc = {t, "matrix"};
  if (!jobs || !res || !owner) {
    free(jobs);
    free(res);
    free(owner);
    return OH_ERR_NOMEM;
  }
  for (k = 0; k < t->nbuckets; k++) {
    oh_triage_bucket *b = &t->buckets[k];
    const oh_triage_item *rep = &t->items[b->rep];
    b->nmatrix = 0;
    if (rep->status == OH_TSTAT_REPORT_ONLY || b->known == OH_KNOWN_SUPPRESSED) continue;
    for (i = 0; i < nt; i++) {
      oh_triage_tool_run *run = &b->matrix[b->nmatrix++];
      memset(run, 0, sizeof *run);
      run->tool = order[i];
      if (order[i] == rep->tool) { /* the primary runs already happened */
        snprintf(run->lib, sizeof run->lib, "%s",
                 rep->lib[0] ? rep->lib : oh_replay_default_lib(rep->tool));
        run->ran = 1;
        run->verdict = OH_VERDICT_SANITIZER;
        run->same_state = 1;
        snprintf(run->state, sizeof run->state, "%s", b->state);
        snprintf(run->reason, sizeof run->reason, "the reproduction runs: %d of %d",
                 rep->crashes, rep->runs);
        continue;
      }
      snprintf(run->lib, sizeof run->lib, "%s", oh_replay_default_lib(order[i]));
      if (!t->opt.matrix) {
        snprintf(run->reason, sizeof run->reason, "matrix turned off (--no-matrix)");
        continue;
      }
      if (unavailable(t, b, order[i], run->reason, sizeof run->reason)) continue;
      oh_triage_item_options(t, rep, &jobs[nj].opt);
      jobs[nj].opt.lib = NULL; /* each tool with its own build */
      jobs[nj].tool = order[i];
      jobs[nj].res = &res[nj];
      owner[nj] = (int)(k * nt + (size_t)(b->nmatrix - 1));
      nj++;
    }
  }
  /* The jobs need the input bytes for detection: read them per job. */
  {
    uint8_t **bufs = calloc(nj + 1, sizeof *bufs);
    if (!bufs) {
      free(jobs);
      free(res);
      free(owner);
      return OH_ERR_NOMEM;
    }
    for (i = 0; i < nj; i++) {
      size_t len = 0;
      oh_error e;
      oh_error_clear(&e);
      if (oh_file_read(jobs[i].opt.input, OH_MAX_INPUT_FILE, &bufs[i], &len, &e) == OH_OK) {
        jobs[i].buf = bufs[i];
        jobs[i].len = len;
        oh_triage_fix_options(&jobs[i].opt, bufs[i], len);
      }
    }
    oh_triage_run_jobs(jobs, (int)nj, t->opt.jobs, job_progress, &pc);
    for (i = 0; i < nj; i++) free(bufs[i]);
    free(bufs);
  }
  for (i = 0; i < nj; i++) {
    oh_triage_bucket *b = &t->buckets[(size_t)owner[i] / nt];
    oh_triage_tool_run *run = &b->matrix[(size_t)owner[i] % nt];
    run->ran = jobs[i].rc == OH_OK && res[i].verdict != OH_VERDICT_ERROR;
    run->verdict = res[i].verdict;
    run->wall_us = res[i].wall_us;
    if (!run->ran)
      snprintf(run->reason, sizeof run->reason, "%s",
               jobs[i].err.reason[0] ? jobs[i].err.reason : res[i].why);
    else
      run->same_state = sees_it(b, &res[i], run->state, sizeof run->state);
  }
  free(jobs);
  free(res);
  free(owner);
  return OH_OK;
}

/* ---- Output. */

static int make_dir(const char *path, oh_error *err) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST) return OH_OK;
  return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s: cannot create the folder: %s", path,
                 strerror(errno));
}

/* Appends " 'arg'" quoted for a POSIX shell. */
static void shell_arg(char *out, size_t cap, const char *arg) {
  size_t n = strlen(out);
  const char *p;
  int plain = *arg != '\0';
  for (p = arg; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+,", *p))
      plain = 0;
  if (n + 1 >= cap) return;
  if (plain) {
    snprintf(out + n, cap - n, " %s", arg);
    return;
  }
  n += (size_t)snprintf(out + n, cap - n, " '");
  for (p = arg; *p && n + 5 < cap; p++) {
    if (*p == '\'') n += (size_t)snprintf(out + n, cap - n, "'\\''");
    else out[n++] = *p;
  }
  out[n] = '\0';
  snprintf(out + n, cap - n, "'");
}

static void add_opt(char *out, size_t cap, const char *name, const char *value) {
  shell_arg(out, cap, name);
  if (value) shell_arg(out, cap, value);
}

static void add_num(char *out, size_t cap, const char *name, long v) {
  char b[32];
  snprintf(b, sizeof b, "%ld", v);
  add_opt(out, cap, name, b);
}

static void reproduce_command(const oh_triage *t, oh_triage_bucket *b) {
  const oh_triage_item *rep = &t->items[b->rep];
  oh_replay_options o;
  char *c = b->reproduce;
  size_t cap = sizeof b->reproduce;
  int standalone = b->min.ok && !strcmp(b->min.format, "script");
  snprintf(c, cap, "opushunt replay");
  if (rep->status == OH_TSTAT_REPORT_ONLY) {
    snprintf(c, cap, "(a log: no input to replay; see %s)", rep->path);
    return;
  }
  oh_triage_item_options(t, rep, &o);
  if (rep->script || standalone) {
    if (!o.target || strcmp(o.target, "readers")) o.target = NULL;
  }
  add_opt(c, cap, "--under", oh_replay_tool_name(rep->tool));
  if (o.lib) add_opt(c, cap, "--lib", o.lib);
  if (o.target) add_opt(c, cap, "--target", o.target);
  if (!o.target && !standalone && !rep->script) {
    const oh_replay_caller *k = &o.caller;
    if (o.format != OH_FMT_AUTO) add_opt(c, cap, "--format", oh_format_name(o.format));
    if (k->model) add_opt(c, cap, "--model", k->model);
    if (k->rate) add_num(c, cap, "--rate", k->rate);
    if (k->channels) add_num(c, cap, "--channels", k->channels);
    if (k->frame_size) add_num(c, cap, "--frame-size", k->frame_size);
    if (k->pcm_capacity) add_opt(c, cap, "--pcm-capacity", k->pcm_capacity);
    if (k->sample) add_opt(c, cap, "--sample", k->sample);
    if (k->fec) add_opt(c, cap, "--fec", NULL);
    if (k->state) add_opt(c, cap, "--state", k->state);
    if (k->state_size >= 0) add_num(c, cap, "--state-size", k->state_size);
    if (k->threads) add_num(c, cap, "--threads", k->threads);
    if (k->lock) add_opt(c, cap, "--lock", NULL);
    if (k->reset_every) add_num(c, cap, "--reset-every", k->reset_every);
  }
  shell_arg(c, cap, b->min.ok ? b->min.path : rep->path);
}

static void write_info(const oh_triage *t, const oh_triage_bucket *b, const char *dir) {
  char path[1200];
  FILE *f;
  const oh_triage_item *rep = &t->items[b->rep];
  snprintf(path, sizeof path, "%s/info.txt", dir);
  if (!(f = fopen(path, "w"))) return;
  fprintf(f, "id=%s\nstate=%s\nclass=%s\nsubclass=%s\nattribution=%s\nrule=%s\ntarget=%s\n"
          "kind=%s\naccess=%s\nbuffer=%s\nfunction=%s\nreproducer=%s\nformat=%s\noriginal=%s\n"
          "reproduce=%s\n",
          b->id, b->state, oh_triage_class_name(b->cls), b->subclass,
          oh_triage_attr_name(b->attr), b->crash.rule,
          rep->target[0] ? rep->target : "pipeline", b->crash.kind, b->crash.access,
          b->crash.buffer, b->crash.nstate_frames ? b->crash.state_frames[0] : "",
          b->min.ok ? b->min.path : "", b->min.ok ? b->min.format : "", rep->path,
          b->reproduce);
  fclose(f);
}

static int write_report(const char *dir, const char *name, void (*fn)(FILE *, const oh_triage *),
                        const oh_triage *t, oh_error *err) {
  char path[1200];
  oh_outfile of;
  int rc;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if ((rc = oh_outfile_open(&of, path, NULL, err)) != OH_OK) return rc;
  fn(of.f, t);
  return oh_outfile_commit(&of, err);
}

static void count(oh_triage *t) {
  size_t k;
  t->n_new = t->n_known = t->n_suppressed = 0;
  for (k = 0; k < t->nbuckets; k++) {
    if (t->buckets[k].known == OH_KNOWN_NEW) t->n_new++;
    else if (t->buckets[k].known == OH_KNOWN_KNOWN) t->n_known++;
    else t->n_suppressed++;
  }
}

static void list_tools(oh_triage *t) {
  int tool;
  t->ntools_available = 0;
  for (tool = 0; tool < OH_UNDER_COUNT; tool++) {
    char path[4096];
    oh_error e;
    oh_error_clear(&e);
    if (tool == OH_UNDER_PLAIN || tool == OH_UNDER_HELGRIND) continue;
    if ((tool == OH_UNDER_VALGRIND && !oh_child_in_path("valgrind")) ||
        oh_replay_runner_path(t->opt.replay.runner_dir,
                              oh_replay_default_lib((oh_replay_tool)tool), path, sizeof path,
                              &e) != OH_OK)
      continue;
    snprintf(t->tools_available[t->ntools_available++], sizeof t->tools_available[0], "%s",
             oh_replay_tool_name((oh_replay_tool)tool));
  }
}

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int oh_triage_run(oh_triage *t, oh_error *err) {
  oh_triage_db db;
  oh_triage_suppressions sup;
  char dir[1100], now[32], today[16];
  double t0 = mono();
  size_t k;
  int rc;
  memset(&db, 0, sizeof db);
  memset(&sup, 0, sizeof sup);
  if (t->opt.now) snprintf(now, sizeof now, "%s", t->opt.now);
  else oh_triage_now(now, sizeof now);
  snprintf(today, sizeof today, "%.10s", now);
  snprintf(t->started, sizeof t->started, "%s", now);
  if (!t->opt.out_dir) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "no output folder");
  /* Everything that can refuse the run is checked before any work. */
  if (t->opt.db_path && (rc = oh_triage_db_load(t->opt.db_path, &db, err)) != OH_OK) {
    char why[300];
    snprintf(why, sizeof why, "%s", err->reason);
    return oh_fail(err, rc, err->offset, "database %s: %s", t->opt.db_path, why);
  }
  if (t->opt.suppressions &&
      (rc = oh_triage_suppressions_load(t->opt.suppressions, &sup, err)) != OH_OK) {
    char why[300];
    snprintf(why, sizeof why, "%s", err->reason);
    oh_triage_db_free(&db);
    return oh_fail(err, rc, err->offset, "suppressions %s: %s", t->opt.suppressions, why);
  }
  snprintf(dir, sizeof dir, "%s/buckets", t->opt.out_dir);
  if ((rc = make_dir(t->opt.out_dir, err)) != OH_OK || (rc = make_dir(dir, err)) != OH_OK)
    goto out;
  list_tools(t);
  if ((rc = reproduce(t)) != OH_OK || (rc = oh_triage_group(t)) != OH_OK) goto out;
  if ((rc = oh_triage_db_apply(&db, t, now)) != OH_OK) goto out;
  oh_triage_suppressions_apply(&sup, t, today);
  if ((rc = run_matrix(t)) != OH_OK) goto out;
  for (k = 0; k < t->nbuckets; k++) {
    oh_triage_bucket *b = &t->buckets[k];
    snprintf(dir, sizeof dir, "%s/buckets/%s", t->opt.out_dir, b->id);
    if (make_dir(dir, err) != OH_OK) continue;
    progress(t, "minimise", (int)k, (int)t->nbuckets);
    if (!t->opt.minimise)
      snprintf(b->min.note, sizeof b->min.note, "minimisation turned off (--no-minimise)");
    else if (b->known == OH_KNOWN_SUPPRESSED)
      snprintf(b->min.note, sizeof b->min.note, "suppressed: not minimised");
    else
      oh_triage_minimise_bucket(t, b, dir);
    reproduce_command(t, b);
    write_info(t, b, dir);
  }
  progress(t, "minimise", (int)t->nbuckets, (int)t->nbuckets);
  count(t);
  t->seconds = mono() - t0;
  if (t->opt.db_path && (rc = oh_triage_db_save(t->opt.db_path, &db, err)) != OH_OK) goto out;
  if ((rc = write_report(t->opt.out_dir, "triage.json", oh_triage_write_json, t, err)) ||
      (rc = write_report(t->opt.out_dir, "triage.sarif", oh_triage_write_sarif, t, err)) ||
      (rc = write_report(t->opt.out_dir, "triage.md", oh_triage_write_markdown, t, err)) ||
      (rc = write_report(t->opt.out_dir, "triage.html", oh_triage_write_html, t, err)))
    goto out;
out:
  oh_triage_db_free(&db);
  oh_triage_suppressions_free(&sup);
  return rc;
}

/* ---- --promote. */

static int read_info(const char *path, const char *key, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  char line[4096];
  size_t kl = strlen(key);
  int found = 0;
  out[0] = '\0';
  if (!f) return 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, kl) || line[kl] != '=') continue;
    line[strcspn(line, "\n")] = '\0';
    snprintf(out, cap, "%s", line + kl + 1);
    found = 1;
    break;
  }
  fclose(f);
  return found;
}

/* "heap-buffer-overflow-write-deemphasis-pcm-capacity": [a-z0-9-] only. */
static void slug(char *out, size_t cap, const char *const *parts, int n) {
  size_t len = 0;
  int i, dash = 0;
  for (i = 0; i < n; i++) {
    const char *p;
    if (!parts[i] || !*parts[i]) continue;
    for (p = parts[i]; *p && len + 2 < cap; p++) {
      char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && len) out[len++] = '-';
        out[len++] = c;
        dash = 0;
      } else {
        dash = 1;
      }
    }
    dash = 1;
  }
  out[len] = '\0';
}

int oh_triage_promote(const char *out_dir, const char *id, const char *corpus_dir,
                      char *out_path, size_t cap, oh_error *err) {
  char info[1200], repro[1100], target[32], kind[64], access[16], fn[128], rule[64], buf[64],
      ext[16], name[200], dir[1200];
  const char *parts[6];
  uint8_t *data = NULL;
  size_t len = 0;
  const char *dot;
  struct stat st;
  int rc;
  if (strlen(id) != OH_TRIAGE_ID_LEN || strspn(id, "0123456789abcdef") != OH_TRIAGE_ID_LEN)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "'%s' is not a bucket id (16 lowercase hex digits)", id);
  snprintf(info, sizeof info, "%s/buckets/%s/info.txt", out_dir, id);
  if (!read_info(info, "reproducer", repro, sizeof repro))
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "%s: no such bucket in this triage output (run triage with --out %s first)",
                   info, out_dir);
  if (!repro[0])
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "bucket %s has no minimised reproducer (see its report for why)", id);
  read_info(info, "target", target, sizeof target);
  read_info(info, "kind", kind, sizeof kind);
  read_info(info, "access", access, sizeof access);
  read_info(info, "function", fn, sizeof fn);
  read_info(info, "rule", rule, sizeof rule);
  read_info(info, "buffer", buf, sizeof buf);
  if (!oh_replay_target_known(target) && strcmp(target, "pipeline") != 0)
    return oh_fail(err, OH_ERR_MALFORMED, OH_NO_OFFSET, "%s: unknown target '%s'", info, target);
  dot = strrchr(repro, '.');
  snprintf(ext, sizeof ext, "%s", dot && strlen(dot) < sizeof ext ? dot : "");
  parts[0] = kind;
  parts[1] = access;
  parts[2] = fn;
  parts[3] = rule;
  parts[4] = buf;
  parts[5] = NULL;
  slug(name, sizeof name - 40, parts, 5);
  /* The regression corpus of a stream misuse is the pipeline's. */
  snprintf(dir, sizeof dir, "%s/regressions/%s", corpus_dir, target);
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s: cannot create: %s", dir, strerror(errno));
  if ((size_t)snprintf(out_path, cap, "%s/%s-%.8s%s", dir, name[0] ? name : "crash", id, ext) >=
      cap)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long");
  if (stat(out_path, &st) == 0)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "%s already exists: not overwritten",
                   out_path);
  if ((rc = oh_file_read(repro, OH_MAX_INPUT_FILE, &data, &len, err)) != OH_OK) return rc;
  rc = oh_file_write(out_path, data, len, repro, err);
  free(data);
  return rc;
}
