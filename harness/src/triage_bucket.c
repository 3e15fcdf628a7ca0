/* Deduplication: crashing inputs grouped into buckets of near-duplicates
 * (same kind, access and broken rule; for API misuse nothing more, else
 * two state frames in common), each bucket's representative chosen (the
 * smallest reliable input), its id derived from the grouping key, and its
 * class and attribution set. The rules are in harness/TRIAGE.md. */
#include <stdlib.h>
#include <string.h>

#include "triage_impl.h"

void oh_triage_hash_id(const char *s, char out[OH_TRIAGE_ID_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  uint64_t h = 0xcbf29ce484222325ULL;
  int i;
  for (; *s; s++) {
    h ^= (uint8_t)*s;
    h *= 0x100000001b3ULL;
  }
  for (i = OH_TRIAGE_ID_LEN - 1; i >= 0; i--) {
    out[i] = hex[h & 15];
    h >>= 4;
  }
  out[OH_TRIAGE_ID_LEN] = '\0';
}

void oh_triage_bucket_key(const oh_triage_crash *c, char *out, size_t cap) {
  if (c->rule[0])
    snprintf(out, cap, "misuse|%s|%s|%s", c->kind, c->access, c->rule);
  else
    snprintf(out, cap, "%s", c->state);
}

static int shared_frames(const oh_triage_crash *a, const oh_triage_crash *b) {
  int i, k, n = 0;
  for (i = 0; i < a->nstate_frames; i++)
    for (k = 0; k < b->nstate_frames; k++)
      if (!strcmp(a->state_frames[i], b->state_frames[k])) {
        n++;
        break;
      }
  return n;
}

int oh_triage_same_bucket(const oh_triage_crash *a, const oh_triage_crash *b) {
  if (strcmp(a->kind, b->kind) || strcmp(a->access, b->access) || strcmp(a->rule, b->rule))
    return 0;
  if (a->rule[0]) return 1;
  if (a->nstate_frames >= 2 && b->nstate_frames >= 2) return shared_frames(a, b) >= 2;
  return !strcmp(a->state, b->state);
}

/* Better representative: reproduces more reliably, then smaller, then
 * the path (so the choice does not depend on input order). */
static int better_rep(const oh_triage_item *a, const oh_triage_item *b) {
  int ra = a->status == OH_TSTAT_RELIABLE, rb = b->status == OH_TSTAT_RELIABLE;
  int ta = a->status != OH_TSTAT_REPORT_ONLY, tb = b->status != OH_TSTAT_REPORT_ONLY;
  if (ta != tb) return ta > tb;
  if (ra != rb) return ra > rb;
  if (a->bytes != b->bytes) return a->bytes < b->bytes;
  return strcmp(a->path, b->path) < 0;
}

static void add_variant(oh_triage_bucket *b, const char *state) {
  int i;
  for (i = 0; i < b->nvariants; i++)
    if (!strcmp(b->variants[i], state)) {
      b->variant_count[i]++;
      return;
    }
  if (b->nvariants < OH_TRIAGE_MAX_VARIANTS) {
    snprintf(b->variants[b->nvariants], sizeof b->variants[0], "%s", state);
    b->variant_count[b->nvariants++] = 1;
  }
}

static oh_triage_bucket *new_bucket(oh_triage *t) {
  if (t->nbuckets == t->cap_buckets) {
    size_t cap = t->cap_buckets ? t->cap_buckets * 2 : 16;
    oh_triage_bucket *nb = realloc(t->buckets, cap * sizeof *nb);
    if (!nb) return NULL;
    t->buckets = nb;
    t->cap_buckets = cap;
  }
  memset(&t->buckets[t->nbuckets], 0, sizeof t->buckets[0]);
  return &t->buckets[t->nbuckets++];
}

static void finish_bucket(oh_triage *t, oh_triage_bucket *b) {
  const oh_triage_item *rep = &t->items[b->rep];
  char key[OH_TRIAGE_STATE_MAX + 64];
  b->crash = rep->crash;
  snprintf(b->state, sizeof b->state, "%s", rep->crash.state);
  oh_triage_bucket_key(&b->crash, key, sizeof key);
  oh_triage_hash_id(key, b->id);
  b->cls = oh_triage_classify(&b->crash, b->subclass, sizeof b->subclass);
  b->attr = oh_triage_attribute(&b->crash, b->attr_detail, sizeof b->attr_detail);
  b->status = rep->status;
  b->runs = rep->runs;
  b->crashes = rep->crashes;
}

int oh_triage_group(oh_triage *t) {
  size_t i, k;
  /* Each bucket is compared through its first member, which never
   * changes, so the grouping does not move with the representative. */
  int *first = malloc((t->nitems ? t->nitems : 1) * sizeof *first);
  if (!first) return OH_ERR_NOMEM;
  for (i = 0; i < t->nitems; i++) {
    oh_triage_item *it = &t->items[i];
    oh_triage_bucket *b = NULL;
    it->bucket = -1;
    if (!oh_triage_status_has_crash(it->status)) continue;
    for (k = 0; k < t->nbuckets; k++)
      if (oh_triage_same_bucket(&t->items[first[k]].crash, &it->crash)) {
        b = &t->buckets[k];
        break;
      }
    if (!b) {
      if (!(b = new_bucket(t))) {
        free(first);
        return OH_ERR_NOMEM;
      }
      b->rep = (int)i;
      first[t->nbuckets - 1] = (int)i;
    } else if (better_rep(it, &t->items[b->rep])) {
      b->rep = (int)i;
    }
    it->bucket = (int)(b - t->buckets);
    b->nitems++;
    add_variant(b, it->crash.state);
  }
  free(first);
  for (k = 0; k < t->nbuckets; k++) finish_bucket(t, &t->buckets[k]);
  return OH_OK;
}
