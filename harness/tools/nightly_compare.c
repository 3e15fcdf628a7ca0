/* Tonight against the previous night: coverage and execution deltas, the
 * buckets new tonight, the buckets the previous night saw that tonight did
 * not ("fixed?": gone, or just not reached again), and every campaign's
 * exec/s before and after, matched on target, engine and build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nightly.h"

static const char *const seen_groups[] = {"new", "known", "suppressed", NULL};

static double delta(double after, double before) {
  return isnan(after) || isnan(before) ? NAN : after - before;
}

/* 1 when a bucket with this id is in any of the night's seen groups. */
static int seen(const oh_jv *root, const char *id) {
  const oh_jv *buckets = oh_jv_get(root, "buckets");
  size_t g, i;
  for (g = 0; seen_groups[g]; g++) {
    const oh_jv *list = oh_jv_get(buckets, seen_groups[g]);
    for (i = 0; i < oh_jv_count(list); i++) {
      const char *other = oh_jv_str(oh_jv_get(oh_jv_at(list, i), "id"));
      if (other && !strcmp(other, id)) return 1;
    }
  }
  return 0;
}

static int collect_fixed(oh_nightly_cmp *c, const oh_jv *prev, const oh_jv *tonight,
                         oh_error *err) {
  const oh_jv *buckets = oh_jv_get(prev, "buckets");
  size_t g, i, n = 0;
  for (g = 0; seen_groups[g]; g++) n += oh_jv_count(oh_jv_get(buckets, seen_groups[g]));
  if (!n) return OH_OK;
  if (!(c->fixed = calloc(n, sizeof *c->fixed)))
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  for (g = 0; seen_groups[g]; g++) {
    const oh_jv *list = oh_jv_get(buckets, seen_groups[g]);
    for (i = 0; i < oh_jv_count(list); i++) {
      const char *id = oh_jv_str(oh_jv_get(oh_jv_at(list, i), "id"));
      if (id && !seen(tonight, id)) c->fixed[c->nfixed++] = oh_jv_at(list, i);
    }
  }
  return OH_OK;
}

static int collect_new(oh_nightly_cmp *c, const oh_jv *tonight, oh_error *err) {
  const oh_jv *list = oh_jv_path(tonight, "buckets.new");
  size_t i, n = oh_jv_count(list);
  if (!n) return OH_OK;
  if (!(c->new_buckets = calloc(n, sizeof *c->new_buckets)))
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  for (i = 0; i < n; i++) c->new_buckets[c->nnew++] = oh_jv_at(list, i);
  return OH_OK;
}

static void campaign_key(const oh_jv *camp, char *key, size_t cap) {
  snprintf(key, cap, "%s %s %s", oh_nightly_str(oh_jv_get(camp, "target"), "?"),
           oh_nightly_str(oh_jv_get(camp, "engine"), "?"),
           oh_nightly_str(oh_jv_get(camp, "build"), "?"));
}

/* The entry for key, appended (with both rates unknown) when new. */
static oh_rate_change *rate_slot(oh_nightly_cmp *c, const char *key) {
  size_t i;
  for (i = 0; i < c->nrates; i++)
    if (!strcmp(c->rates[i].key, key)) return &c->rates[i];
  snprintf(c->rates[c->nrates].key, sizeof c->rates[c->nrates].key, "%s", key);
  c->rates[c->nrates].before = c->rates[c->nrates].after = NAN;
  return &c->rates[c->nrates++];
}

static int collect_rates(oh_nightly_cmp *c, const oh_jv *prev, const oh_jv *tonight,
                         oh_error *err) {
  const oh_jv *pc = oh_jv_get(prev, "campaigns"), *tc = oh_jv_get(tonight, "campaigns");
  size_t i, n = oh_jv_count(pc) + oh_jv_count(tc);
  char key[160];
  if (!n) return OH_OK;
  if (!(c->rates = calloc(n, sizeof *c->rates)))
    return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  for (i = 0; i < oh_jv_count(tc); i++) {
    campaign_key(oh_jv_at(tc, i), key, sizeof key);
    rate_slot(c, key)->after = oh_nightly_num(oh_jv_get(oh_jv_at(tc, i), "exec_per_sec"));
  }
  for (i = 0; i < oh_jv_count(pc); i++) {
    campaign_key(oh_jv_at(pc, i), key, sizeof key);
    rate_slot(c, key)->before = oh_nightly_num(oh_jv_get(oh_jv_at(pc, i), "exec_per_sec"));
  }
  return OH_OK;
}

/* 1 when both nights list targets and the lists differ. */
static int targets_differ(const oh_jv *a, const oh_jv *b) {
  size_t i;
  if (!a || !b) return 0;
  if (oh_jv_count(a) != oh_jv_count(b)) return 1;
  for (i = 0; i < oh_jv_count(a); i++) {
    const char *x = oh_jv_str(oh_jv_at(a, i)), *y = oh_jv_str(oh_jv_at(b, i));
    if (!x || !y || strcmp(x, y)) return 1;
  }
  return 0;
}

int oh_nightly_compare(oh_nightly *r, oh_error *err) {
  oh_nightly_cmp *c = &r->cmp;
  const oh_night *t = &r->tonight;
  int rc;
  c->line_delta = c->branch_delta = c->execs_delta = NAN;
  if ((rc = collect_new(c, t->root, err)) != OH_OK) return rc;
  if (!r->nhist) return OH_OK;
  c->prev = &r->hist[r->nhist - 1];
  c->line_delta = delta(t->line_pct, c->prev->line_pct);
  c->branch_delta = delta(t->branch_pct, c->prev->branch_pct);
  c->execs_delta = delta(t->execs, c->prev->execs);
  c->targets_changed = targets_differ(oh_jv_get(t->root, "targets"), oh_jv_get(c->prev->root, "targets"));
  if ((rc = collect_fixed(c, c->prev->root, t->root, err)) != OH_OK) return rc;
  return collect_rates(c, c->prev->root, t->root, err);
}

/* 1 when the array of objects (or of strings, key NULL) holds name. */
static int names(const oh_jv *list, const char *key, const char *name) {
  size_t i;
  for (i = 0; i < oh_jv_count(list); i++) {
    const oh_jv *v = oh_jv_at(list, i);
    const char *s = oh_jv_str(key ? oh_jv_get(v, key) : v);
    if (s && !strcmp(s, name)) return 1;
  }
  return 0;
}

const char *oh_nightly_fixed_note(const oh_nightly *r, const oh_jv *bucket) {
  const char *target = oh_jv_str(oh_jv_get(bucket, "target"));
  const oh_jv *targets = oh_jv_get(r->tonight.root, "targets");
  if (!target) return NULL;
  if (targets && !names(targets, NULL, target))
    return "its target was not run tonight: not evidence of a fix";
  if (!names(oh_jv_get(r->tonight.root, "campaigns"), "target", target))
    return "its target was only replayed tonight, not fuzzed";
  return NULL;
}
