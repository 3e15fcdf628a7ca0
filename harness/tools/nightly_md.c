/* summary.md: the night in a few lines of Markdown (for a CI log, a chat
 * message or a pull-request comment): headline, what ran, coverage and its
 * change, the buckets new and fixed, tools skipped. Text from the data is
 * kept to one line and has Markdown and HTML metacharacters escaped. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nightly.h"

/* A few lines: the page has the rest. */
#define MAX_SKIPPED 8
#define REASON_MAX 160

static void md(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)(s ? s : "-");
  for (; *p; p++) {
    if (strchr("|`\\*_[]~#", *p)) fprintf(f, "\\%c", *p);
    else if (*p == '<') fputs("&lt;", f);
    else if (*p == '>') fputs("&gt;", f);
    else if (*p == '&') fputs("&amp;", f);
    else if (*p == '@') fputs("@\xe2\x80\x8b", f); /* no one is mentioned */
    else if (*p < 0x20 || *p == 0x7F) fputc(' ', f);
    else fputc(*p, f);
  }
}

static void pct(FILE *f, double v, double d) {
  if (isnan(v)) {
    fputs("-", f);
    return;
  }
  fprintf(f, "%.2f %%", v);
  if (!isnan(d)) fprintf(f, " (%+.2f pp)", d);
}

static void bucket_line(FILE *f, const char *tag, const oh_jv *b) {
  fprintf(f, "- %s `", tag);
  md(f, oh_nightly_str(oh_jv_get(b, "id"), "?"));
  fputs("` ", f);
  md(f, oh_nightly_str(oh_jv_get(b, "class"), "?"));
  fputs(", ", f);
  md(f, oh_nightly_str(oh_jv_get(b, "subclass"), "?"));
  fputs(", ", f);
  md(f, oh_nightly_str(oh_jv_get(b, "attribution"), "?"));
  fputs(" (", f);
  md(f, oh_nightly_str(oh_jv_get(b, "target"), "?"));
  fputs(")\n", f);
}

void oh_nightly_write_markdown(FILE *f, const oh_nightly *r) {
  const oh_jv *t = r->tonight.root, *skipped = oh_jv_path(t, "tools.skipped");
  const oh_nightly_cmp *c = &r->cmp;
  size_t i;
  char buf[64];
  fputs("# opushunt nightly ", f);
  md(f, r->tonight.date);
  fprintf(f, "\n\n**%zu new crash bucket%s, %zu known, %zu suppressed, %zu fixed?**\n\n", c->nnew,
          c->nnew == 1 ? "" : "s", oh_jv_count(oh_jv_path(t, "buckets.known")),
          oh_jv_count(oh_jv_path(t, "buckets.suppressed")), c->nfixed);
  fputs("- budget ", f);
  md(f, oh_nightly_str(oh_jv_get(t, "budget"), "?"));
  fprintf(f, ", %zu campaigns, %s executions", oh_jv_count(oh_jv_get(t, "campaigns")),
          oh_nightly_fmt_count(r->tonight.execs, buf, sizeof buf));
  fprintf(f, ", whole night %s s\n", oh_nightly_fmt_count(oh_nightly_num(oh_jv_get(t, "wall_s")), buf, sizeof buf));
  fputs("- decoder coverage: lines ", f);
  pct(f, r->tonight.line_pct, c->line_delta);
  fputs(", branches ", f);
  pct(f, r->tonight.branch_pct, c->branch_delta);
  fputs("\n- compared with: ", f);
  md(f, c->prev ? c->prev->date : "no earlier night");
  fputs(c->targets_changed ? " (other targets: not comparable)\n" : "\n", f);
  for (i = 0; i < c->nnew; i++) bucket_line(f, "NEW", c->new_buckets[i]);
  for (i = 0; i < c->nfixed; i++) bucket_line(f, "FIXED?", c->fixed[i]);
  for (i = 0; i < oh_jv_count(skipped) && i < MAX_SKIPPED; i++) {
    char reason[REASON_MAX + 1];
    const char *full = oh_nightly_str(oh_jv_get(oh_jv_at(skipped, i), "reason"), "?");
    size_t n = strlen(full);
    if (n > REASON_MAX) /* cut on a UTF-8 character boundary */
      for (n = REASON_MAX; n > 0 && ((unsigned char)full[n] & 0xC0) == 0x80; n--) {}
    snprintf(reason, sizeof reason, "%.*s", (int)n, full);
    fputs("- skipped ", f);
    md(f, oh_nightly_str(oh_jv_get(oh_jv_at(skipped, i), "name"), "?"));
    fputs(": ", f);
    md(f, reason);
    fputs(strlen(full) > REASON_MAX ? " (...)\n" : "\n", f);
  }
  if (oh_jv_count(skipped) > MAX_SKIPPED)
    fprintf(f, "- and %zu more skipped\n", oh_jv_count(skipped) - MAX_SKIPPED);
  fputs("\nFull report: index.html (this folder).\n", f);
}
