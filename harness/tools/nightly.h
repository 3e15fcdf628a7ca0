/* oh-nightly-report's shared types: one night of the nightly job (its
 * summary.json, schema opushunt-nightly/1, parsed), the nights before it,
 * and what changed since the previous one. The program reads; ci/nightly
 * writes the summaries (the schema is described there and in README.md). */
#ifndef OPUSHUNT_TOOLS_NIGHTLY_H
#define OPUSHUNT_TOOLS_NIGHTLY_H

#include <stddef.h>
#include <stdio.h>

#include "opushunt/error.h"
#include "opushunt/json_read.h"

#define OH_NIGHTLY_SCHEMA "opushunt-nightly/1"
/* At most this many earlier nights are plotted (the newest ones). */
#define OH_NIGHTLY_MAX_HISTORY 60

/* One night, with the numbers the trends and the comparison need. */
typedef struct oh_night {
  oh_jv *root;           /* the whole summary.json */
  char path[4096];       /* where it was read */
  const char *date;      /* "date", never NULL ("?" when absent) */
  const char *started;   /* "started", never NULL ("" when absent) */
  double line_pct;       /* coverage.lines.percent; NAN when unknown */
  double branch_pct;     /* coverage.branches.percent; NAN when unknown */
  double execs;          /* sum of campaigns[].execs */
  double buckets_new;    /* buckets.new etc. counted; NAN without triage */
  double buckets_known;
  double buckets_fixed;
} oh_night;

/* One campaign's exec/s tonight and the night before, by its key. */
typedef struct oh_rate_change {
  char key[160];         /* "target engine build" */
  double before, after;  /* NAN when that night had no such campaign */
} oh_rate_change;

/* Tonight against the previous night. Pointers go into the nights' trees. */
typedef struct oh_nightly_cmp {
  const oh_night *prev;  /* NULL: no earlier night in the history */
  double line_delta;     /* percentage points; NAN when either is unknown */
  double branch_delta;
  double execs_delta;
  int targets_changed;   /* the two nights ran different target lists */
  const oh_jv **new_buckets; /* tonight's buckets.new entries */
  size_t nnew;
  const oh_jv **fixed;   /* the previous night's buckets not seen tonight */
  size_t nfixed;
  oh_rate_change *rates; /* every campaign key of either night */
  size_t nrates;
} oh_nightly_cmp;

/* Everything the writers need. */
typedef struct oh_nightly {
  oh_night tonight;
  oh_night *hist;        /* earlier nights, oldest first */
  size_t nhist;
  oh_nightly_cmp cmp;
} oh_nightly;

/* nightly_history.c */
int oh_night_load(oh_night *n, const char *path, oh_error *err);
void oh_night_free(oh_night *n);
/* Reads DIR/<night>/summary.json of every night that started before
 * tonight (tonight's own file skipped), the newest max of them, oldest
 * first. A folder without a summary or with another schema is skipped with
 * a warning on stderr; a missing DIR is an empty history. */
int oh_nightly_load_history(oh_nightly *r, const char *dir, size_t max, oh_error *err);
void oh_nightly_free(oh_nightly *r);

/* nightly_compare.c: fills r->cmp from tonight and the last earlier night. */
int oh_nightly_compare(oh_nightly *r, oh_error *err);
/* Why a "fixed?" bucket may not be fixed at all (its target was not
 * fuzzed tonight), or NULL. */
const char *oh_nightly_fixed_note(const oh_nightly *r, const oh_jv *bucket);

/* nightly_util.c */
double oh_nightly_num(const oh_jv *v);               /* NAN unless a number */
const char *oh_nightly_str(const oh_jv *v, const char *dflt);
/* HTML text: metacharacters as entities, control bytes and invalid UTF-8
 * as a visible \xNN. NULL writes nothing. */
void oh_nightly_esc(FILE *f, const char *s);
/* 1 when rel is a harmless relative link into the report folder: no
 * scheme, not absolute, no "..", no backslash or control byte. */
int oh_nightly_link_ok(const char *rel);
/* rel percent-encoded for an href (call only when oh_nightly_link_ok). */
void oh_nightly_href(FILE *f, const char *rel);
/* Formats a number compactly ("1.2 M", "812", "-") into buf. */
const char *oh_nightly_fmt_count(double v, char *buf, size_t cap);

/* nightly_jv_write.c: the tree back as pretty JSON, number literals as
 * they were written, strings re-escaped. */
void oh_nightly_write_jv(FILE *f, const oh_jv *v, int indent);
/* summary.json again with buckets.fixed and comparison from r->cmp. */
void oh_nightly_write_summary(FILE *f, const oh_nightly *r);

/* nightly_svg.c: inline SVG charts (no script, no external resource). */
typedef struct oh_svg_series {
  const char *name;
  const char *color;     /* a CSS colour literal chosen by the caller */
  const double *y;       /* n values; NAN leaves a gap */
} oh_svg_series;
/* A line chart over n nights: x labels (dates), one line per series. */
void oh_svg_line_chart(FILE *f, const char *id, const char *title, const char *unit,
                       const char *const *xlabels, size_t n,
                       const oh_svg_series *series, size_t nseries);
/* A horizontal bar chart: one bar per label. */
void oh_svg_bar_chart(FILE *f, const char *id, const char *title, const char *unit,
                      const char *const *labels, const double *values, size_t n);

/* nightly_html.c, nightly_md.c */
void oh_nightly_write_html(FILE *f, const oh_nightly *r);
void oh_nightly_write_markdown(FILE *f, const oh_nightly *r);

#endif
