/* Helpers shared by the triage report writers (triage_report_impl.h): the
 * counts and the short phrases, kept in one place so the JSON, SARIF,
 * Markdown, HTML and terminal reports never disagree. */
#include <inttypes.h>
#include <stdio.h>

#include "triage_report_impl.h"

void oh_trep_count(const oh_triage *t, oh_trep_counts *c) {
  size_t i;
  *c = (oh_trep_counts){0};
  c->inputs = t->nitems;
  c->buckets = t->nbuckets;
  for (i = 0; i < t->nitems; i++) {
    oh_triage_status s = t->items[i].status;
    if ((unsigned)s < OH_TSTAT_COUNT) c->status[s]++;
    c->crashing += oh_triage_status_has_crash(s);
  }
  for (i = 0; i < t->nbuckets; i++) {
    oh_triage_known k = t->buckets[i].known;
    c->fresh += k == OH_KNOWN_NEW;
    c->known += k == OH_KNOWN_KNOWN;
    c->suppressed += k == OH_KNOWN_SUPPRESSED;
  }
}

/* Buckets with a known state outside the enum sort last. */
static int group(oh_triage_known k) { return (unsigned)k <= OH_KNOWN_SUPPRESSED ? (int)k : 3; }

size_t oh_trep_rank(const oh_triage *t, size_t n) {
  size_t i;
  int g;
  for (g = 0; g <= 3; g++)
    for (i = 0; i < t->nbuckets; i++)
      if (group(t->buckets[i].known) == g && n-- == 0) return i;
  return 0;
}

void oh_trep_packet(const oh_triage_bucket *b, char *out, size_t cap) {
  if (b->crash.fault_index >= 0)
    snprintf(out, cap, "packet #%" PRId64, b->crash.fault_index);
  else
    snprintf(out, cap, "packet ?");
}

void oh_trep_repro(const oh_triage_bucket *b, char *out, size_t cap) {
  if (b->status == OH_TSTAT_REPORT_ONLY || b->runs <= 0)
    snprintf(out, cap, "log only");
  else
    snprintf(out, cap, "%d/%d", b->crashes, b->runs);
}

void oh_trep_min_size(const oh_triage_min *m, const char *arrow, char *out, size_t cap) {
  if (m->attempted && m->ok)
    snprintf(out, cap, "%" PRIu64 " B %s %" PRIu64 " B", m->bytes_before, arrow, m->bytes_after);
  else if (m->bytes_before)
    snprintf(out, cap, "%" PRIu64 " B, not minimised", m->bytes_before);
  else
    snprintf(out, cap, "-");
}

void oh_trep_attr(const oh_triage_bucket *b, char *out, size_t cap) {
  if (b->crash.rule[0])
    snprintf(out, cap, "%s: %s", oh_triage_attr_name(b->attr), b->crash.rule);
  else
    snprintf(out, cap, "%s", oh_triage_attr_name(b->attr));
}

const char *oh_trep_subclass(const oh_triage_bucket *b) {
  if (b->subclass[0]) return b->subclass;
  return b->crash.kind[0] ? b->crash.kind : "unknown";
}

static int clamp(int n, int max) { return n < 0 ? 0 : n > max ? max : n; }

int oh_trep_nframes(const oh_triage_crash *c) { return clamp(c->nframes, OH_REPLAY_MAX_FRAMES); }
int oh_trep_nvariants(const oh_triage_bucket *b) {
  return clamp(b->nvariants, OH_TRIAGE_MAX_VARIANTS);
}
int oh_trep_nmatrix(const oh_triage_bucket *b) { return clamp(b->nmatrix, OH_UNDER_COUNT); }
size_t oh_trep_head_len(const oh_triage_min *m) {
  return m->head_len < sizeof m->head ? m->head_len : sizeof m->head;
}
int oh_trep_nnotes(const oh_triage *t) {
  return clamp(t->nnotes, (int)(sizeof t->notes / sizeof t->notes[0]));
}
int oh_trep_ntools(const oh_triage *t) { return clamp(t->ntools_available, OH_UNDER_COUNT); }

int oh_trep_frame_shown(const oh_triage_crash *c, int i) {
  int k;
  if (!c->frames[i].noise) return 1;
  for (k = 0; k < oh_trep_nframes(c); k++)
    if (!c->frames[k].noise) return 0;
  return 1;
}
