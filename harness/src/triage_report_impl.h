/* What the triage report writers (triage_json.c, triage_sarif.c,
 * triage_markdown.c, triage_html.c, triage_summary.c) share: one count of
 * the run, so every report prints the same numbers, the short phrases the
 * human reports use for a bucket, and the UTF-8 check behind each
 * format's escaping. Internal to harness/src. */
#ifndef OH_TRIAGE_REPORT_IMPL_H
#define OH_TRIAGE_REPORT_IMPL_H

#include <stddef.h>

#include "opushunt/triage.h"

typedef struct oh_trep_counts {
  size_t inputs, crashing, buckets;
  size_t fresh, known, suppressed; /* buckets by known state */
  size_t status[OH_TSTAT_COUNT];   /* inputs by status */
} oh_trep_counts;

/* Counted from the items and buckets themselves (not t->n_new & co). */
void oh_trep_count(const oh_triage *t, oh_trep_counts *c);


/* The bucket index shown n-th by the human reports: new buckets first,
 * then known, then suppressed, each in the engine's order. */
size_t oh_trep_rank(const oh_triage *t, size_t n);

/* "packet #12", or "packet ?" when the record is unknown. */
void oh_trep_packet(const oh_triage_bucket *b, char *out, size_t cap);
/* "3/3" runs that crashed, or "log only" for a report with no input. */
void oh_trep_repro(const oh_triage_bucket *b, char *out, size_t cap);
/* "412 B -> 23 B" (arrow given), "412 B, not minimised", or "-". */
void oh_trep_min_size(const oh_triage_min *m, const char *arrow, char *out, size_t cap);
/* "api-misuse: pcm-capacity", or the attribution alone. */
void oh_trep_attr(const oh_triage_bucket *b, char *out, size_t cap);
/* The subclass, or the kind when the engine left it empty. */
const char *oh_trep_subclass(const oh_triage_bucket *b);
/* Counts clamped to their arrays, so a sloppy count never reads past. */
int oh_trep_nframes(const oh_triage_crash *c);
int oh_trep_nvariants(const oh_triage_bucket *b);
int oh_trep_nmatrix(const oh_triage_bucket *b);
size_t oh_trep_head_len(const oh_triage_min *m);
int oh_trep_nnotes(const oh_triage *t);
int oh_trep_ntools(const oh_triage *t);
/* The frames worth showing: 1 when fr is not noise or every frame is. */
int oh_trep_frame_shown(const oh_triage_crash *c, int i);

#endif
