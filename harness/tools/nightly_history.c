/* Loading nights: one summary.json into an oh_night (with the numbers the
 * trends plot), and the history folder's earlier nights, ordered by when
 * they started. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nightly.h"

static double sum_execs(const oh_jv *campaigns) {
  double s = 0;
  size_t i;
  for (i = 0; i < oh_jv_count(campaigns); i++) {
    double e = oh_nightly_num(oh_jv_get(oh_jv_at(campaigns, i), "execs"));
    if (!isnan(e)) s += e;
  }
  return s;
}

/* The number of entries of buckets.<group>, NAN when there is no list. */
static double bucket_count(const oh_jv *root, const char *group) {
  const oh_jv *b = oh_jv_get(oh_jv_get(root, "buckets"), group);
  return b && b->type == OH_JV_ARRAY ? (double)b->len : NAN;
}

int oh_night_load(oh_night *n, const char *path, oh_error *err) {
  const char *schema;
  memset(n, 0, sizeof *n);
  snprintf(n->path, sizeof n->path, "%s", path);
  if (oh_json_parse_file(path, &n->root, err) != OH_OK) return err->code;
  if (n->root->type != OH_JV_OBJECT) {
    oh_night_free(n);
    return oh_fail(err, OH_ERR_MALFORMED, 0, "not a JSON object");
  }
  schema = oh_jv_str(oh_jv_get(n->root, "schema"));
  if (!schema || strcmp(schema, OH_NIGHTLY_SCHEMA) != 0) {
    oh_night_free(n);
    return oh_fail(err, OH_ERR_UNSUPPORTED, OH_NO_OFFSET, "schema is not %s", OH_NIGHTLY_SCHEMA);
  }
  n->date = oh_nightly_str(oh_jv_get(n->root, "date"), "?");
  n->started = oh_nightly_str(oh_jv_get(n->root, "started"), "");
  n->line_pct = oh_nightly_num(oh_jv_path(n->root, "coverage.lines.percent"));
  n->branch_pct = oh_nightly_num(oh_jv_path(n->root, "coverage.branches.percent"));
  n->execs = sum_execs(oh_jv_get(n->root, "campaigns"));
  n->buckets_new = bucket_count(n->root, "new");
  n->buckets_known = bucket_count(n->root, "known");
  n->buckets_fixed = bucket_count(n->root, "fixed");
  return OH_OK;
}

void oh_night_free(oh_night *n) {
  oh_jv_free(n->root);
  n->root = NULL;
}

/* Nights order by start time, then date (a night without "started"
 * sorts by its date alone). */
static int night_cmp(const void *a, const void *b) {
  const oh_night *x = a, *y = b;
  int c = strcmp(x->started, y->started);
  return c ? c : strcmp(x->date, y->date);
}

static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/* 1 when night n happened before tonight. */
static int earlier(const oh_night *n, const oh_night *tonight) {
  if (*n->started && *tonight->started) return strcmp(n->started, tonight->started) < 0;
  return strcmp(n->date, tonight->date) < 0;
}

static int push(oh_nightly *r, size_t *cap, oh_night *n, oh_error *err) {
  if (r->nhist == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    oh_night *bigger = realloc(r->hist, c * sizeof *bigger);
    if (!bigger) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    r->hist = bigger;
    *cap = c;
  }
  r->hist[r->nhist++] = *n;
  return OH_OK;
}

/* Reads one candidate folder's summary; keeps it when it is earlier. */
static int consider(oh_nightly *r, size_t *cap, const char *path, oh_error *err) {
  oh_night n;
  oh_error e;
  oh_error_clear(&e);
  if (same_file(path, r->tonight.path)) return OH_OK;
  if (oh_night_load(&n, path, &e) != OH_OK) {
    char line[600];
    oh_error_format(&e, path, line, sizeof line);
    fprintf(stderr, "oh-nightly-report: skipped %s\n", line);
    return OH_OK;
  }
  if (!earlier(&n, &r->tonight)) {
    oh_night_free(&n);
    return OH_OK;
  }
  if (push(r, cap, &n, err) != OH_OK) {
    oh_night_free(&n);
    return err->code;
  }
  return OH_OK;
}

int oh_nightly_load_history(oh_nightly *r, const char *dir, size_t max, oh_error *err) {
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t cap = 0, i, drop;
  int rc = OH_OK;
  if (!d) return OH_OK; /* no history yet */
  while (rc == OH_OK && (e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (e->d_name[0] == '.') continue;
    if ((size_t)snprintf(path, sizeof path, "%s/%s/summary.json", dir, e->d_name) >= sizeof path)
      continue;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    rc = consider(r, &cap, path, err);
  }
  closedir(d);
  if (rc != OH_OK) return rc;
  qsort(r->hist, r->nhist, sizeof *r->hist, night_cmp);
  if (r->nhist > max) {
    drop = r->nhist - max;
    for (i = 0; i < drop; i++) oh_night_free(&r->hist[i]);
    memmove(r->hist, r->hist + drop, max * sizeof *r->hist);
    r->nhist = max;
  }
  return OH_OK;
}

void oh_nightly_free(oh_nightly *r) {
  size_t i;
  for (i = 0; i < r->nhist; i++) oh_night_free(&r->hist[i]);
  free(r->hist);
  free(r->cmp.new_buckets);
  free(r->cmp.fixed);
  free(r->cmp.rates);
  oh_night_free(&r->tonight);
  memset(r, 0, sizeof *r);
}
