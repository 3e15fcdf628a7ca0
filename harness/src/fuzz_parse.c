/* Reading the engines' own accounts: libFuzzer's output line by line as it
 * is written (status lines, final stats, artifacts and where the report
 * before each one starts and ends) and AFL++'s fuzzer_stats files. Pure
 * functions of the bytes given; any bytes are accepted. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_impl.h"

void oh_lf_parser_init(oh_lf_parser *p) { memset(p, 0, sizeof *p); }

void oh_lf_parser_free(oh_lf_parser *p) {
  size_t i;
  for (i = 0; i < p->nartifacts; i++) free(p->artifacts[i].path);
  free(p->artifacts);
  memset(p, 0, sizeof *p);
}

/* The unsigned number after key in line, if key is there. */
static int field_u64(const char *line, const char *key, uint64_t *out) {
  const char *k = strstr(line, key);
  char *end;
  unsigned long long v;
  if (!k) return 0;
  v = strtoull(k + strlen(key), &end, 10);
  if (end == k + strlen(key)) return 0;
  *out = v;
  return 1;
}

/* "#123\tNEW    cov: ..." or fork mode's "#123: cov: ...". */
static int status_line(oh_lf_parser *p, const char *line) {
  const char *s = line + 1;
  uint64_t execs, v, a, b, c;
  char *end;
  if (line[0] != '#' || s[0] < '0' || s[0] > '9') return 0;
  execs = strtoull(s, &end, 10);
  if (*end != '\t' && *end != ':') return 0;
  if (!strstr(end, "cov: ") && !strstr(end, "corp: ")) return 0;
  p->stats.execs = execs;
  if (*end == ':') p->fork_mode = 1;
  if (field_u64(end, "cov: ", &v)) p->stats.cov = v;
  if (field_u64(end, "ft: ", &v)) p->stats.ft = v;
  if (field_u64(end, "corp: ", &v)) p->stats.corpus_count = v;
  if (field_u64(end, "exec/s: ", &v) || field_u64(end, "exec/s ", &v))
    p->stats.exec_per_sec = (double)v;
  if (field_u64(end, "rss: ", &v) && v > p->stats.peak_rss_mb) p->stats.peak_rss_mb = v;
  {
    const char *f = strstr(end, "oom/timeout/crash: ");
    if (f && sscanf(f + 19, "%" SCNu64 "/%" SCNu64 "/%" SCNu64, &a, &b, &c) == 3) {
      p->stats.crashes = a + c;
      p->stats.hangs = b;
    }
  }
  return 1;
}

static void add_artifact(oh_lf_parser *p, const char *path, uint64_t line_end) {
  const char *base = strrchr(path, '/');
  oh_lf_artifact *a;
  char *copy;
  if (p->nartifacts == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 8;
    oh_lf_artifact *bigger = realloc(p->artifacts, cap * sizeof *bigger);
    if (!bigger) {
      p->nomem = 1;
      return;
    }
    p->artifacts = bigger;
    p->cap = cap;
  }
  if (!(copy = strdup(path))) {
    p->nomem = 1;
    return;
  }
  a = &p->artifacts[p->nartifacts++];
  a->path = copy;
  a->report_start = p->report_start;
  a->report_end = line_end;
  base = base ? base + 1 : path;
  p->timeout_open = strncmp(base, "timeout-", 8) == 0;
  if (!p->fork_mode) {
    if (p->timeout_open)
      p->stats.hangs++;
    else if (strncmp(base, "slow-unit-", 10) != 0)
      p->stats.crashes++;
  }
}

static void final_stat(oh_lf_parser *p, const char *line) {
  uint64_t v;
  if (field_u64(line, "stat::number_of_executed_units: ", &v)) p->stats.execs = v;
  if (field_u64(line, "stat::average_exec_per_sec: ", &v)) p->stats.exec_per_sec = (double)v;
  if (field_u64(line, "stat::peak_rss_mb: ", &v) && v > p->stats.peak_rss_mb)
    p->stats.peak_rss_mb = v;
}

/* libFuzzer writes a timeout's artifact first and its report (ERROR line,
 * stack, SUMMARY) after it: those lines extend the last artifact's range
 * until the final stats, a status line or another artifact. */
static void extend_timeout(oh_lf_parser *p, const char *line, uint64_t line_end) {
  if (!p->nartifacts || !p->timeout_open) return;
  if (line[0] == '#' || strncmp(line, "stat::", 6) == 0 || strstr(line, "Test unit written to ")) {
    p->timeout_open = 0;
    return;
  }
  p->artifacts[p->nartifacts - 1].report_end = line_end;
  p->report_start = line_end;
}

static void one_line(oh_lf_parser *p, char *line, uint64_t line_end) {
  const char *w;
  uint64_t v;
  size_t n = strlen(line);
  while (n && (line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = '\0';
  extend_timeout(p, line, line_end);
  if (status_line(p, line)) {
    p->report_start = line_end;
  } else if ((w = strstr(line, "Test unit written to ")) != NULL) {
    add_artifact(p, w + 21, line_end);
    p->report_start = line_end;
  } else if (strncmp(line, "stat::", 6) == 0) {
    final_stat(p, line);
  } else if (strncmp(line, "Done ", 5) == 0 && field_u64(line, "Done ", &v)) {
    p->done = 1;
    p->stats.execs = v;
  } else if (strstr(line, "libFuzzer: run interrupted")) {
    p->interrupted = 1;
  } else if (strncmp(line, "INFO: seed corpus:", 18) == 0 || strncmp(line, "INFO: -fork=", 12) == 0) {
    p->report_start = line_end;
  }
  if (strstr(line, "ERROR:")) snprintf(p->last_error, sizeof p->last_error, "%s", line);
}

void oh_lf_parser_feed(oh_lf_parser *p, const char *data, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    char ch = data[i];
    p->offset++;
    if (ch != '\n') {
      if (p->len < sizeof p->buf - 1) p->buf[p->len++] = ch ? ch : ' ';
      continue;
    }
    p->buf[p->len] = '\0';
    one_line(p, p->buf, p->offset);
    p->len = 0;
    p->line_start = p->offset;
  }
}

/* ---- AFL++ fuzzer_stats: "key   : value" lines. */

int oh_afl_stats_parse(const char *text, oh_fuzz_stats *s) {
  int found = 0;
  uint64_t run_time = 0;
  while (text && *text) {
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text);
    char line[256], key[64];
    double d;
    if (n < sizeof line) {
      memcpy(line, text, n);
      line[n] = '\0';
      if (sscanf(line, "%63s : %lf", key, &d) == 2 && isfinite(d) && d >= 0 && d < 1e19) {
        uint64_t u = (uint64_t)d;
        found++;
        if (!strcmp(key, "execs_done")) s->execs = u;
        else if (!strcmp(key, "execs_per_sec")) s->exec_per_sec = d;
        else if (!strcmp(key, "corpus_count")) s->corpus_count = u;
        else if (!strcmp(key, "saved_crashes") || !strcmp(key, "unique_crashes")) s->crashes = u;
        else if (!strcmp(key, "saved_hangs") || !strcmp(key, "unique_hangs")) s->hangs = u;
        else if (!strcmp(key, "bitmap_cvg")) s->bitmap_cvg = d;
        else if (!strcmp(key, "edges_found")) s->edges_found = u;
        else if (!strcmp(key, "total_edges")) s->total_edges = u;
        else if (!strcmp(key, "peak_rss_mb")) s->peak_rss_mb = u;
        else if (!strcmp(key, "last_update")) s->stats_time = u;
        else if (!strcmp(key, "run_time")) run_time = u;
        else found--;
      }
    }
    text += n + (nl != NULL);
  }
  /* AFL++'s own rate is smoothed from its start-up calibration and reads
   * 100x too high in the first minute: the average is honest. */
  if (run_time) s->exec_per_sec = (double)s->execs / (double)run_time;
  return found;
}

#define MAXOF(a, b) ((a) > (b) ? (a) : (b))

void oh_fuzz_stats_merge(oh_fuzz_stats *t, const oh_fuzz_stats *o) {
  t->execs += o->execs;
  t->exec_per_sec += o->exec_per_sec;
  t->crashes += o->crashes;
  t->hangs += o->hangs;
  t->cov = MAXOF(t->cov, o->cov);
  t->ft = MAXOF(t->ft, o->ft);
  t->edges_found = MAXOF(t->edges_found, o->edges_found);
  t->total_edges = MAXOF(t->total_edges, o->total_edges);
  t->bitmap_cvg = MAXOF(t->bitmap_cvg, o->bitmap_cvg);
  t->corpus_count = MAXOF(t->corpus_count, o->corpus_count);
  t->peak_rss_mb = MAXOF(t->peak_rss_mb, o->peak_rss_mb);
  /* The oldest figures decide how old the total is. */
  if (o->stats_time && (!t->stats_time || o->stats_time < t->stats_time))
    t->stats_time = o->stats_time;
}
