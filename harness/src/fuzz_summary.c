/* What a campaign produced, told twice: a few lines for a person (numbers,
 * where the findings are, the command that replays the first one) and
 * <out>/summary.json for scripts, CI and the triage tool. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_impl.h"
#include "opushunt/file.h"
#include "opushunt/json.h"

const char *oh_fuzz_end_name(oh_fuzz_end e) {
  switch (e) {
  case OH_FUZZ_END_TIME: return "time-limit";
  case OH_FUZZ_END_RUNS: return "run-limit";
  case OH_FUZZ_END_CRASH: return "first-finding";
  case OH_FUZZ_END_INTERRUPTED: return "interrupted";
  case OH_FUZZ_END_WALL_CAP: return "wall-cap";
  case OH_FUZZ_END_ENGINE_ERROR: return "engine-error";
  }
  return "?";
}

static const char *end_phrase(oh_fuzz_end e) {
  switch (e) {
  case OH_FUZZ_END_TIME: return "reached the time limit";
  case OH_FUZZ_END_RUNS: return "reached the run limit";
  case OH_FUZZ_END_CRASH: return "stopped at its first finding (--jobs 2 or more keeps going)";
  case OH_FUZZ_END_INTERRUPTED: return "interrupted";
  case OH_FUZZ_END_WALL_CAP: return "overran its time and was stopped";
  case OH_FUZZ_END_ENGINE_ERROR: return "the engine failed";
  }
  return "?";
}

void oh_fuzz_shell_quote(char *buf, size_t cap, const char *s) {
  size_t n = strlen(buf);
  const char *p;
  int plain = *s != '\0';
  for (p = s; *p && plain; p++)
    plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,+@%-",
                   *p) != NULL;
  if (plain) {
    snprintf(buf + n, n < cap ? cap - n : 0, "%s", s);
    return;
  }
  if (n + 1 < cap) buf[n++] = '\'';
  for (p = s; *p && n + 5 < cap; p++) {
    if (*p == '\'') {
      memcpy(buf + n, "'\\''", 4);
      n += 4;
    } else {
      buf[n++] = *p;
    }
  }
  if (n + 1 < cap) buf[n++] = '\'';
  if (n < cap) buf[n] = '\0';
  else if (cap) buf[cap - 1] = '\0';
}

/* The first crash (by time), else the first hang, else NULL. */
static const oh_fuzz_finding *first_finding(const oh_fuzz_result *res) {
  size_t i;
  for (i = 0; i < res->nfindings; i++)
    if (strcmp(res->findings[i].kind, "timeout") && strcmp(res->findings[i].kind, "hang"))
      return &res->findings[i];
  return res->nfindings ? &res->findings[0] : NULL;
}

static void reproduce_line(const oh_fuzz_config *c, const oh_fuzz_finding *f, char *buf,
                           size_t cap) {
  snprintf(buf, cap, "%s ", c->reproduce ? c->reproduce : "opushunt replay");
  oh_fuzz_shell_quote(buf, cap, f->path);
}

static void final_corpus(const oh_fuzz_config *c, char *buf, size_t cap) {
  if (c->engine == OH_FUZZ_AFL) oh_fuzz_afl_path(c, 0, "queue", buf, cap);
  else snprintf(buf, cap, "%s", c->corpus_dir);
}

static double exec_rate(const oh_fuzz_result *res) {
  return res->stats.elapsed > 0 ? (double)res->stats.execs / res->stats.elapsed : 0;
}

static void print_header(FILE *f, const oh_fuzz_config *c) {
  fprintf(f, "fuzz %s: %s, %s%s, %s, seed %u, %d job%s", c->target,
          oh_fuzz_engine_name(c->engine), c->sanitizer, c->fixed ? ", fixed-point" : "",
          c->custom_mutator > 0 ? "custom mutator"
          : c->custom_mutator == 0 ? "byte-level mutator"
                                   : "mutator as built",
          c->seed, c->jobs, c->jobs == 1 ? "" : "s");
  if (c->time_s) fprintf(f, ", %u s", c->time_s);
  if (c->runs) fprintf(f, ", %llu runs", (unsigned long long)c->runs);
  fputc('\n', f);
}

static void print_findings(FILE *f, const oh_fuzz_config *c, const oh_fuzz_result *res) {
  size_t i, shown = res->nfindings < 10 ? res->nfindings : 10;
  fprintf(f, "  findings    crashes=%zu hangs=%zu in %s\n", res->ncrashes, res->nhangs,
          c->crash_dir);
  for (i = 0; i < shown; i++) {
    const oh_fuzz_finding *x = &res->findings[i];
    fprintf(f, "              %s (%llu bytes, %s)%s%s\n", x->name, (unsigned long long)x->size,
            x->instance, x->summary[0] ? ": " : "", x->summary);
  }
  if (res->nfindings > shown) fprintf(f, "              ... and %zu more\n", res->nfindings - shown);
}

void oh_fuzz_print_summary(FILE *f, const oh_fuzz_config *c, const oh_fuzz_result *res) {
  const oh_fuzz_finding *first = first_finding(res);
  char line[8192];
  print_header(f, c);
  fprintf(f, "  ended       %s after %.1f s\n", end_phrase(res->end), res->stats.elapsed);
  if (res->end == OH_FUZZ_END_ENGINE_ERROR) fprintf(f, "  engine      %s\n", res->engine_error);
  fprintf(f, "  execs       %llu (%.0f/s)\n", (unsigned long long)res->stats.execs, exec_rate(res));
  if (c->engine == OH_FUZZ_LIBFUZZER)
    fprintf(f, "  coverage    cov %llu, ft %llu\n", (unsigned long long)res->stats.cov,
            (unsigned long long)res->stats.ft);
  else
    fprintf(f, "  coverage    edges %llu/%llu, bitmap %.2f%%\n",
            (unsigned long long)res->stats.edges_found, (unsigned long long)res->stats.total_edges,
            res->stats.bitmap_cvg);
  final_corpus(c, line, sizeof line);
  fprintf(f, "  corpus      %llu inputs in %s\n", (unsigned long long)res->stats.corpus_count, line);
  print_findings(f, c, res);
  if (first) {
    reproduce_line(c, first, line, sizeof line);
    fprintf(f, "  reproduce   %s\n", line);
  }
  fprintf(f, "  logs        %s/logs\n", c->out_dir);
  fprintf(f, "  summary     %s/summary.json\n", c->out_dir);
}

static void json_findings(oh_json *j, const char *key, const oh_fuzz_result *res, int hangs) {
  size_t i;
  oh_json_array_begin(j, key);
  for (i = 0; i < res->nfindings; i++) {
    const oh_fuzz_finding *x = &res->findings[i];
    char sidecar[PATH_MAX + 8];
    int is_hang = !strcmp(x->kind, "timeout") || !strcmp(x->kind, "hang");
    if (is_hang != hangs) continue;
    snprintf(sidecar, sizeof sidecar, "%s.json", x->path);
    oh_json_object_begin(j, NULL);
    oh_json_str(j, "path", x->path);
    oh_json_str(j, "sidecar", sidecar);
    oh_json_str(j, "kind", x->kind);
    oh_json_str(j, "instance", x->instance);
    oh_json_uint(j, "size", x->size);
    oh_json_str(j, "summary", x->summary[0] ? x->summary : NULL);
    oh_json_str(j, "original_path", x->source);
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
}

static void json_config(oh_json *j, const oh_fuzz_config *c) {
  oh_json_str(j, "target", c->target);
  oh_json_str(j, "engine", oh_fuzz_engine_name(c->engine));
  oh_json_str(j, "sanitizer", c->sanitizer);
  oh_json_bool(j, "fixed", c->fixed);
  if (c->custom_mutator < 0) oh_json_null(j, "custom_mutator");
  else oh_json_bool(j, "custom_mutator", c->custom_mutator);
  oh_json_str(j, "mutator_library", c->mutator_lib);
  oh_json_str(j, "build", c->build);
  oh_json_str(j, "binary", c->binary);
  oh_json_str(j, "dict", c->dict);
  oh_json_uint(j, "seed", c->seed);
  oh_json_int(j, "jobs", c->jobs);
  if (c->time_s) oh_json_uint(j, "time_s", c->time_s);
  else oh_json_null(j, "time_s");
  if (c->runs) oh_json_uint(j, "runs", c->runs);
  else oh_json_null(j, "runs");
  oh_json_uint(j, "timeout_s", c->timeout_s);
  oh_json_uint(j, "memory_mb", c->memory_mb);
  oh_json_str(j, "started_utc", c->started_utc);
  oh_json_uint(j, "seeds", c->seeds);
}

static void json_stats(oh_json *j, const oh_fuzz_config *c, const oh_fuzz_result *res) {
  const oh_fuzz_stats *s = &res->stats;
  char corpus[PATH_MAX];
  oh_json_double(j, "elapsed_s", s->elapsed);
  oh_json_uint(j, "execs", s->execs);
  oh_json_double(j, "exec_per_sec", exec_rate(res));
  if (c->engine == OH_FUZZ_LIBFUZZER) {
    oh_json_uint(j, "cov", s->cov);
    oh_json_uint(j, "ft", s->ft);
    oh_json_null(j, "edges_found");
    oh_json_null(j, "total_edges");
    oh_json_null(j, "bitmap_cvg");
  } else {
    oh_json_null(j, "cov");
    oh_json_null(j, "ft");
    oh_json_uint(j, "edges_found", s->edges_found);
    oh_json_uint(j, "total_edges", s->total_edges);
    oh_json_double(j, "bitmap_cvg", s->bitmap_cvg);
  }
  oh_json_uint(j, "corpus_count", s->corpus_count);
  final_corpus(c, corpus, sizeof corpus);
  oh_json_str(j, "corpus_dir", corpus);
  oh_json_uint(j, "peak_rss_mb", s->peak_rss_mb);
}

static void json_instances(oh_json *j, const oh_fuzz_result *res) {
  int i;
  oh_json_array_begin(j, "instances");
  for (i = 0; i < res->ninstances; i++) {
    oh_json_object_begin(j, NULL);
    oh_json_str(j, "name", res->instances[i].name);
    oh_json_str(j, "log", res->instances[i].log);
    oh_json_str(j, "ended", res->instances[i].how);
    if (res->instances[i].exit_code >= 0) oh_json_int(j, "exit_code", res->instances[i].exit_code);
    else oh_json_null(j, "exit_code");
    oh_json_object_end(j);
  }
  oh_json_array_end(j);
}

int oh_fuzz_write_summary(const oh_fuzz_config *c, const oh_fuzz_result *res, oh_error *err) {
  char path[PATH_MAX], repro[8192];
  const oh_fuzz_finding *first = first_finding(res);
  oh_outfile of;
  oh_json j;
  int rc;
  snprintf(path, sizeof path, "%s/summary.json", c->out_dir);
  if ((rc = oh_outfile_open(&of, path, NULL, err)) != OH_OK) return rc;
  oh_json_init(&j, of.f, 1);
  oh_json_object_begin(&j, NULL);
  json_config(&j, c);
  oh_json_str(&j, "out_dir", c->out_dir);
  oh_json_str(&j, "crash_dir", c->crash_dir);
  oh_json_str(&j, "command", res->command);
  oh_json_str(&j, "exit_reason", oh_fuzz_end_name(res->end));
  oh_json_str(&j, "engine_error", res->engine_error[0] ? res->engine_error : NULL);
  json_stats(&j, c, res);
  oh_json_uint(&j, "crash_count", res->ncrashes);
  oh_json_uint(&j, "hang_count", res->nhangs);
  json_findings(&j, "crashes", res, 0);
  json_findings(&j, "hangs", res, 1);
  if (first) reproduce_line(c, first, repro, sizeof repro);
  oh_json_str(&j, "reproduce", first ? repro : NULL);
  json_instances(&j, res);
  oh_json_object_end(&j);
  fputc('\n', of.f);
  return oh_outfile_commit(&of, err);
}
