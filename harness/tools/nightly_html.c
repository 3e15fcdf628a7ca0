/* The nightly report as one self-contained HTML page: inline CSS, inline
 * SVG, no script and no external resource; links only to files inside the
 * report folder (triage reproducers, the coverage pages). Every string from
 * the summaries is HTML-escaped. Sections: the night at a glance, what
 * changed since the previous night, the campaigns (table and exec/s bars),
 * the replays, the crash buckets, the reproducibility matrix, coverage,
 * trends over nights, corpus maintenance, tools run and skipped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nightly.h"

static const char css[] =
  "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1150px;"
  "padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;"
  "border-bottom:2px solid #ddd}p.sub{color:#555}"
  "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 7px;"
  "text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right;"
  "font-variant-numeric:tabular-nums}code{font:12px ui-monospace,monospace}"
  ".tiles{display:flex;flex-wrap:wrap;gap:10px}.tile{border:1px solid #ddd;border-radius:4px;"
  "padding:6px 12px;min-width:9em}.tile b{display:block;font-size:1.4em}"
  ".badge,.cls{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;"
  "font-weight:600;color:#fff}.new{background:#c62828}.known{background:#1565c0}"
  ".suppressed{background:#757575}.fixed{background:#2e7d32}"
  ".EXPLOITABLE{background:#b71c1c}.PROBABLY_EXPLOITABLE{background:#e65100}"
  ".NOT_EXPLOITABLE{background:#546e7a}.up{color:#2e7d32}.down{color:#c62828}"
  "td.same{background:#ffcdd2}td.other{background:#ffe0b2}td.clean{background:#c8e6c9}"
  "td.skipped{background:#eee;color:#777}td.error{background:#fff9c4}"
  ".pbar{display:inline-block;height:9px;background:#1565c0;vertical-align:middle}"
  ".ptrack{display:inline-block;width:80px;height:9px;background:#e3e3e3;margin-right:6px}"
  "svg.chart{display:block;margin:.6em 0;max-width:100%;height:auto}"
  "svg .grid{stroke:#e3e3e3}svg text{font:11px system-ui,sans-serif;fill:#333}"
  "svg .ylab{text-anchor:end}svg .xlab{text-anchor:middle}svg .title{text-anchor:middle;"
  "font-weight:600}svg .blab{text-anchor:end}svg .bar{fill:#1565c0}svg .unit{fill:#777}"
  "footer{margin-top:2em;color:#777;font-size:12px}";

static const char *const groups[] = {"new", "known", "suppressed", NULL};

/* ---- Cells. */

static void td(FILE *f, const char *s) {
  fputs("<td>", f);
  oh_nightly_esc(f, s && *s ? s : "-");
  fputs("</td>", f);
}

static void td_jv(FILE *f, const oh_jv *v) {
  char buf[64];
  if (v && v->type == OH_JV_NUMBER) {
    fprintf(f, "<td class=\"n\">%s</td>", oh_nightly_fmt_count(v->number, buf, sizeof buf));
  } else if (v && v->type == OH_JV_BOOL) td(f, v->boolean ? "yes" : "no");
  else td(f, oh_jv_str(v));
}

static void td_num(FILE *f, double v, const char *fmt) {
  if (isnan(v)) fputs("<td class=\"n\">-</td>", f);
  else {
    fputs("<td class=\"n\">", f);
    fprintf(f, fmt, v);
    fputs("</td>", f);
  }
}

static void rel_link(FILE *f, const char *rel, const char *text) {
  if (!oh_nightly_link_ok(rel)) {
    oh_nightly_esc(f, rel ? text : "-");
    return;
  }
  fputs("<a href=\"", f);
  oh_nightly_href(f, rel);
  fputs("\">", f);
  oh_nightly_esc(f, text);
  fputs("</a>", f);
}

/* A signed change with a colour: up is good unless lower_is_better. */
static void delta(FILE *f, double d, const char *fmt, int lower_is_better) {
  const char *cls = d > 0 ? (lower_is_better ? "down" : "up") : d < 0 ? (lower_is_better ? "up" : "down") : "";
  if (isnan(d)) {
    fputs("-", f);
    return;
  }
  fprintf(f, "<span class=\"%s\">", cls);
  fprintf(f, fmt, d);
  fputs("</span>", f);
}

static void cls_badge(FILE *f, const char *c) {
  static const char *const known[] = {"EXPLOITABLE", "PROBABLY_EXPLOITABLE", "NOT_EXPLOITABLE", NULL};
  size_t i;
  for (i = 0; known[i]; i++)
    if (c && !strcmp(c, known[i])) {
      fprintf(f, "<span class=\"cls %s\">%s</span>", c, c);
      return;
    }
  oh_nightly_esc(f, c ? c : "-");
}

static double percent(const oh_jv *o) { return oh_nightly_num(oh_jv_get(o, "percent")); }

/* ---- Sections. */

static void header(FILE *f, const oh_nightly *r) {
  const oh_jv *t = r->tonight.root;
  char buf[64];
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>opushunt nightly ", f);
  oh_nightly_esc(f, r->tonight.date);
  fprintf(f, "</title><style>%s</style></head><body>\n<h1>opushunt nightly ", css);
  oh_nightly_esc(f, r->tonight.date);
  fputs("</h1>\n<p class=\"sub\">Budget ", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_get(t, "budget"), "?"));
  fprintf(f, " of fuzzing and replays; the whole night took %s s (started ",
          oh_nightly_fmt_count(oh_nightly_num(oh_jv_get(t, "wall_s")), buf, sizeof buf));
  oh_nightly_esc(f, r->tonight.started);
  fputs(", seed ", f);
  oh_nightly_esc(f, oh_nightly_fmt_count(oh_nightly_num(oh_jv_get(t, "seed")), buf, sizeof buf));
  fputs(", libopus ", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_get(t, "opus_version"), "?"));
  fputs("). ", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_path(t, "host.note"), ""));
  fputs("</p>\n", f);
}

static void tile(FILE *f, const char *label, const char *value, const char *extra) {
  fputs("<div class=\"tile\"><b>", f);
  oh_nightly_esc(f, value);
  fputs("</b>", f);
  oh_nightly_esc(f, label);
  if (extra) fputs(extra, f);
  fputs("</div>", f);
}

static void glance(FILE *f, const oh_nightly *r) {
  const oh_night *t = &r->tonight;
  char v[64], n[64];
  fputs("<section id=\"glance\"><div class=\"tiles\">", f);
  snprintf(v, sizeof v, "%zu", oh_jv_count(oh_jv_get(t->root, "campaigns")));
  tile(f, "campaigns", v, NULL);
  tile(f, "executions", oh_nightly_fmt_count(t->execs, n, sizeof n), NULL);
  if (isnan(t->line_pct)) snprintf(v, sizeof v, "-");
  else snprintf(v, sizeof v, "%.2f %%", t->line_pct);
  tile(f, "decoder lines covered", v, NULL);
  if (isnan(t->branch_pct)) snprintf(v, sizeof v, "-");
  else snprintf(v, sizeof v, "%.2f %%", t->branch_pct);
  tile(f, "decoder branches covered", v, NULL);
  tile(f, "new buckets", oh_nightly_fmt_count((double)r->cmp.nnew, n, sizeof n), NULL);
  tile(f, "known buckets", oh_nightly_fmt_count(t->buckets_known, n, sizeof n), NULL);
  tile(f, "fixed? since last night", oh_nightly_fmt_count((double)r->cmp.nfixed, n, sizeof n), NULL);
  fputs("</div></section>\n", f);
}

static void bucket_ids(FILE *f, const oh_jv *const *list, size_t n, const char *none) {
  size_t i;
  if (!n) {
    oh_nightly_esc(f, none);
    return;
  }
  for (i = 0; i < n; i++) {
    const oh_jv *b = list[i];
    if (i) fputs(", ", f);
    fputs("<code>", f);
    oh_nightly_esc(f, oh_nightly_str(oh_jv_get(b, "id"), "?"));
    fputs("</code> (", f);
    oh_nightly_esc(f, oh_nightly_str(oh_jv_get(b, "subclass"), "?"));
    fputs(")", f);
  }
}

static void comparison_rates(FILE *f, const oh_nightly_cmp *c) {
  size_t i;
  if (!c->nrates) return;
  fputs("<table class=\"rates\"><tr><th>campaign</th><th>exec/s before</th><th>exec/s tonight</th>"
        "<th>change</th></tr>\n", f);
  for (i = 0; i < c->nrates; i++) {
    const oh_rate_change *rc = &c->rates[i];
    fputs("<tr>", f);
    td(f, rc->key);
    td_num(f, rc->before, "%.1f");
    td_num(f, rc->after, "%.1f");
    fputs("<td class=\"n\">", f);
    if (rc->before > 0 && !isnan(rc->after)) delta(f, 100.0 * (rc->after / rc->before - 1), "%+.1f %%", 0);
    else fputs(isnan(rc->before) ? "new tonight" : "not run tonight", f);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void comparison(FILE *f, const oh_nightly *r) {
  const oh_nightly_cmp *c = &r->cmp;
  char buf[64];
  fputs("<section id=\"comparison\"><h2>Compared with the previous night</h2>\n", f);
  if (!c->prev) {
    fputs("<p>No earlier night in the history: nothing to compare with yet.</p></section>\n", f);
    return;
  }
  fputs("<p>Previous night: ", f);
  oh_nightly_esc(f, c->prev->date);
  fputs(" (started ", f);
  oh_nightly_esc(f, c->prev->started);
  fputs(").</p>\n", f);
  if (c->targets_changed)
    fputs("<p id=\"cmp-targets\"><b>The target list changed since then:</b> coverage and "
          "executions cover different targets and do not compare.</p>\n", f);
  fputs("<table><tr><th>what</th><th>previous</th><th>tonight</th><th>change</th></tr>\n", f);
  fputs("<tr><td>decoder line coverage</td>", f);
  td_num(f, c->prev->line_pct, "%.2f %%");
  td_num(f, r->tonight.line_pct, "%.2f %%");
  fputs("<td class=\"n delta\" id=\"delta-lines\">", f);
  delta(f, c->line_delta, "%+.2f pp", 0);
  fputs("</td></tr>\n<tr><td>decoder branch coverage</td>", f);
  td_num(f, c->prev->branch_pct, "%.2f %%");
  td_num(f, r->tonight.branch_pct, "%.2f %%");
  fputs("<td class=\"n delta\" id=\"delta-branches\">", f);
  delta(f, c->branch_delta, "%+.2f pp", 0);
  fputs("</td></tr>\n<tr><td>executions</td>", f);
  fprintf(f, "<td class=\"n\">%s</td>", oh_nightly_fmt_count(c->prev->execs, buf, sizeof buf));
  fprintf(f, "<td class=\"n\">%s</td>", oh_nightly_fmt_count(r->tonight.execs, buf, sizeof buf));
  fputs("<td class=\"n delta\" id=\"delta-execs\">", f);
  delta(f, c->execs_delta, "%+.0f", 0);
  fputs("</td></tr>\n</table>\n<p id=\"cmp-new\"><b>New buckets:</b> ", f);
  bucket_ids(f, c->new_buckets, c->nnew, "none");
  fputs("</p>\n<p id=\"cmp-fixed\"><b>Fixed? (seen the previous night, not tonight):</b> ", f);
  bucket_ids(f, c->fixed, c->nfixed, "none");
  fputs("</p>\n", f);
  comparison_rates(f, c);
  fputs("</section>\n", f);
}

static void campaign_row(FILE *f, const oh_jv *c) {
  fputs("<tr>", f);
  td_jv(f, oh_jv_get(c, "target"));
  td_jv(f, oh_jv_get(c, "engine"));
  td_jv(f, oh_jv_get(c, "build"));
  td_jv(f, oh_jv_get(c, "seconds"));
  td_jv(f, oh_jv_get(c, "execs"));
  td_num(f, oh_nightly_num(oh_jv_get(c, "exec_per_sec")), "%.1f");
  td_jv(f, oh_jv_get(c, "cov"));
  td_jv(f, oh_jv_get(c, "ft"));
  td_jv(f, oh_jv_get(c, "corpus_count"));
  td_jv(f, oh_jv_get(c, "crashes"));
  td_jv(f, oh_jv_get(c, "hangs"));
  td_jv(f, oh_jv_get(c, "status"));
  td_jv(f, oh_jv_get(c, "note"));
  fputs("</tr>\n", f);
}

/* Bars sorted by label (target, then build). */
static const char *const *sort_labels;
static int by_label(const void *a, const void *b) {
  return strcmp(sort_labels[*(const size_t *)a], sort_labels[*(const size_t *)b]);
}

static void rate_chart(FILE *f, const oh_jv *cs, size_t n) {
  char (*labels)[160] = calloc(n, sizeof *labels);
  const char **lp = calloc(n, sizeof *lp), **sl = calloc(n, sizeof *sl);
  double *vals = calloc(n, sizeof *vals), *sv = calloc(n, sizeof *sv);
  size_t *order = calloc(n, sizeof *order), i;
  if (labels && lp && sl && vals && sv && order) {
    for (i = 0; i < n; i++) {
      const oh_jv *c = oh_jv_at(cs, i);
      snprintf(labels[i], sizeof labels[i], "%s %s", oh_nightly_str(oh_jv_get(c, "target"), "?"),
               oh_nightly_str(oh_jv_get(c, "build"), "?"));
      lp[i] = labels[i];
      vals[i] = oh_nightly_num(oh_jv_get(c, "exec_per_sec"));
      order[i] = i;
    }
    sort_labels = lp;
    qsort(order, n, sizeof *order, by_label);
    for (i = 0; i < n; i++) {
      sl[i] = lp[order[i]];
      sv[i] = vals[order[i]];
    }
    oh_svg_bar_chart(f, "chart-exec-rate", "Executions per second by target and build", "exec/s",
                     sl, sv, n);
  }
  free(labels);
  free(lp);
  free(sl);
  free(vals);
  free(sv);
  free(order);
}

static void campaigns(FILE *f, const oh_nightly *r) {
  const oh_jv *cs = oh_jv_get(r->tonight.root, "campaigns");
  size_t i, n = oh_jv_count(cs);
  fputs("<section id=\"campaigns\"><h2>Campaigns</h2>\n<p>", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_path(r->tonight.root, "plan.note"), ""));
  fputs("</p>\n<table><tr><th>target</th><th>engine</th><th>build</th><th>seconds</th><th>execs</th>"
        "<th>exec/s</th><th>cov</th><th>ft</th><th>corpus</th><th>crashes</th><th>hangs</th>"
        "<th>status</th><th>note</th></tr>\n", f);
  for (i = 0; i < n; i++) campaign_row(f, oh_jv_at(cs, i));
  fputs("</table>\n", f);
  if (n) rate_chart(f, cs, n);
  fputs("</section>\n", f);
}

static void replays(FILE *f, const oh_nightly *r) {
  const oh_jv *rs = oh_jv_get(r->tonight.root, "replays");
  size_t i;
  fputs("<section id=\"replays\"><h2>Replays</h2>\n<table><tr><th>replay</th><th>tool</th>"
        "<th>libopus</th><th>what</th><th>files</th><th>of</th><th>failures</th><th>errors</th>"
        "<th>seconds</th><th>note</th></tr>\n", f);
  for (i = 0; i < oh_jv_count(rs); i++) {
    const oh_jv *x = oh_jv_at(rs, i);
    fputs("<tr>", f);
    td_jv(f, oh_jv_get(x, "name"));
    td_jv(f, oh_jv_get(x, "under"));
    td_jv(f, oh_jv_get(x, "lib"));
    td_jv(f, oh_jv_get(x, "what"));
    td_jv(f, oh_jv_get(x, "files"));
    td_jv(f, oh_jv_get(x, "total"));
    td_jv(f, oh_jv_get(x, "failures"));
    td_jv(f, oh_jv_get(x, "errors"));
    td_jv(f, oh_jv_get(x, "seconds"));
    td_jv(f, oh_jv_get(x, "note"));
    fputs("</tr>\n", f);
  }
  fputs("</table></section>\n", f);
}

static void bucket_row(FILE *f, const oh_jv *b, const char *group) {
  const char *id = oh_nightly_str(oh_jv_get(b, "id"), "?");
  const char *rule = oh_jv_str(oh_jv_get(b, "rule"));
  char anchor[200];
  fprintf(f, "<tr><td><span class=\"badge %s\">%s</span></td><td><code>", group, group);
  oh_nightly_esc(f, id);
  fputs("</code></td><td>", f);
  cls_badge(f, oh_jv_str(oh_jv_get(b, "class")));
  fputs("</td>", f);
  td_jv(f, oh_jv_get(b, "subclass"));
  fputs("<td>", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_get(b, "attribution"), "-"));
  if (rule) {
    fputs(": ", f);
    oh_nightly_esc(f, rule);
  }
  fputs("</td>", f);
  td_jv(f, oh_jv_get(b, "target"));
  td_jv(f, oh_jv_get(b, "reproducibility"));
  td_jv(f, oh_jv_get(b, "first_seen"));
  fputs("<td>", f);
  rel_link(f, oh_jv_str(oh_jv_get(b, "reproducer")), "reproducer");
  fputs(" ", f);
  rel_link(f, oh_jv_str(oh_jv_get(b, "info")), "info");
  fputs(" ", f);
  snprintf(anchor, sizeof anchor, "triage/triage.html#b-%s", id);
  if (strspn(id, "0123456789abcdef") == strlen(id)) rel_link(f, anchor, "triage");
  fputs("</td></tr>\n", f);
}

static void buckets(FILE *f, const oh_nightly *r) {
  const oh_jv *bs = oh_jv_get(r->tonight.root, "buckets");
  size_t g, i, total = 0;
  fputs("<section id=\"buckets\"><h2>Crash buckets</h2>\n<p>", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_path(r->tonight.root, "triage.note"), ""));
  if (oh_jv_str(oh_jv_path(r->tonight.root, "triage.html"))) {
    fputs(" ", f);
    rel_link(f, oh_jv_str(oh_jv_path(r->tonight.root, "triage.html")), "triage report");
  }
  fputs("</p>\n<table><tr><th></th><th>bucket</th><th>class</th><th>subclass</th><th>attribution</th>"
        "<th>target</th><th>reproduced</th><th>first seen</th><th>files</th></tr>\n", f);
  for (g = 0; groups[g]; g++) {
    const oh_jv *list = oh_jv_get(bs, groups[g]);
    for (i = 0; i < oh_jv_count(list); i++, total++) bucket_row(f, oh_jv_at(list, i), groups[g]);
  }
  fputs("</table>\n", f);
  if (!total) fputs("<p>No crash buckets tonight.</p>\n", f);
  if (r->cmp.nfixed) {
    fputs("<h3>Fixed? (seen the previous night, not tonight)</h3>\n<table><tr><th></th>"
          "<th>bucket</th><th>class</th><th>subclass</th><th>attribution</th><th>target</th>"
          "<th>last seen</th><th>note</th></tr>\n", f);
    for (i = 0; i < r->cmp.nfixed; i++) {
      const oh_jv *b = r->cmp.fixed[i];
      const char *target = oh_jv_str(oh_jv_get(b, "target"));
      fputs("<tr><td><span class=\"badge fixed\">fixed?</span></td><td><code>", f);
      oh_nightly_esc(f, oh_nightly_str(oh_jv_get(b, "id"), "?"));
      fputs("</code></td><td>", f);
      cls_badge(f, oh_jv_str(oh_jv_get(b, "class")));
      fputs("</td>", f);
      td_jv(f, oh_jv_get(b, "subclass"));
      td_jv(f, oh_jv_get(b, "attribution"));
      td(f, target);
      td(f, r->cmp.prev->date);
      td(f, oh_nightly_fixed_note(r, b));
      fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
  }
  fputs("</section>\n", f);
}

/* One bucket's row of the reproducibility grid, in the order of tools. */
static void matrix_row(FILE *f, const oh_jv *b, const oh_jv *tools) {
  const oh_jv *m = oh_jv_get(b, "matrix");
  size_t i, k;
  fputs("<tr><td><code>", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_get(b, "id"), "?"));
  fputs("</code></td>", f);
  for (i = 0; i < oh_jv_count(tools); i++) {
    const char *tool = oh_jv_str(oh_jv_at(tools, i));
    const oh_jv *cell = NULL;
    for (k = 0; k < oh_jv_count(m) && tool; k++) {
      const char *t = oh_jv_str(oh_jv_get(oh_jv_at(m, k), "tool"));
      if (t && !strcmp(t, tool)) cell = oh_jv_at(m, k);
    }
    {
      const char *o = oh_nightly_str(oh_jv_get(cell, "outcome"), "skipped");
      const char *title = oh_jv_str(oh_jv_get(cell, "reason"));
      if (!title) title = oh_jv_str(oh_jv_get(cell, "verdict"));
      if (strcmp(o, "same") && strcmp(o, "other") && strcmp(o, "clean") && strcmp(o, "error"))
        o = "skipped";
      fprintf(f, "<td class=\"%s\" title=\"", o);
      oh_nightly_esc(f, title ? title : "");
      fprintf(f, "\">%s</td>", o);
    }
  }
  fputs("</tr>\n", f);
}

static void matrix(FILE *f, const oh_nightly *r) {
  const oh_jv *rep = oh_jv_get(r->tonight.root, "reproducibility");
  const oh_jv *tools = oh_jv_get(rep, "tools"), *per = oh_jv_get(rep, "per_tool");
  const oh_jv *bs = oh_jv_get(r->tonight.root, "buckets");
  size_t g, i;
  fputs("<section id=\"matrix\"><h2>Reproducibility matrix</h2>\n<p>Each bucket's "
        "representative re-run under every tool built: <b>same</b> crash, <b>other</b> finding, "
        "<b>clean</b>, skipped (hover for the reason) or error.</p>\n<table><tr><th>bucket</th>", f);
  for (i = 0; i < oh_jv_count(tools); i++) {
    fputs("<th>", f);
    oh_nightly_esc(f, oh_jv_str(oh_jv_at(tools, i)));
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  for (g = 0; groups[g]; g++) {
    const oh_jv *list = oh_jv_get(bs, groups[g]);
    for (i = 0; i < oh_jv_count(list); i++) matrix_row(f, oh_jv_at(list, i), tools);
  }
  fputs("</table>\n<table><tr><th>tool</th><th>same</th><th>other</th><th>clean</th>"
        "<th>skipped</th><th>error</th></tr>\n", f);
  for (i = 0; i < oh_jv_count(per); i++) {
    const oh_jv *p = oh_jv_at(per, i);
    fputs("<tr>", f);
    td_jv(f, oh_jv_get(p, "tool"));
    td_jv(f, oh_jv_get(p, "same"));
    td_jv(f, oh_jv_get(p, "other"));
    td_jv(f, oh_jv_get(p, "clean"));
    td_jv(f, oh_jv_get(p, "skipped"));
    td_jv(f, oh_jv_get(p, "error"));
    fputs("</tr>\n", f);
  }
  fputs("</table></section>\n", f);
}

static void pct_cell(FILE *f, const oh_jv *o) {
  double p = percent(o);
  char buf[32];
  if (isnan(p)) {
    fputs("<td class=\"n\">-</td>", f);
    return;
  }
  fprintf(f, "<td class=\"n\"><span class=\"ptrack\"><span class=\"pbar\" style=\"width:%.0fpx\">"
          "</span></span>%.1f %% <small>(%s/", p * 0.8, p,
          oh_nightly_fmt_count(oh_nightly_num(oh_jv_get(o, "covered")), buf, sizeof buf));
  fprintf(f, "%s)</small></td>", oh_nightly_fmt_count(oh_nightly_num(oh_jv_get(o, "count")), buf, sizeof buf));
}

static void coverage(FILE *f, const oh_nightly *r) {
  const oh_jv *c = oh_jv_get(r->tonight.root, "coverage");
  const oh_jv *files = oh_jv_get(c, "files");
  size_t i;
  fputs("<section id=\"coverage\"><h2>Coverage of the libopus decoder</h2>\n<p>", f);
  oh_nightly_esc(f, oh_nightly_str(oh_jv_get(c, "note"), ""));
  fputs(" ", f);
  rel_link(f, oh_jv_str(oh_jv_get(c, "html")), "line-by-line pages");
  fputs(" · ", f);
  rel_link(f, oh_jv_str(oh_jv_get(c, "files_json")), "files.json");
  fputs("</p>\n<table><tr><th>files</th><th>lines</th><th>branches</th></tr>\n"
        "<tr><td>decoder files (total)</td>", f);
  pct_cell(f, oh_jv_get(c, "lines"));
  pct_cell(f, oh_jv_get(c, "branches"));
  fputs("</tr>\n<tr><td>all of libopus linked</td>", f);
  pct_cell(f, oh_jv_get(c, "libopus_lines"));
  pct_cell(f, oh_jv_get(c, "libopus_branches"));
  fputs("</tr>\n", f);
  for (i = 0; i < oh_jv_count(files); i++) {
    const oh_jv *x = oh_jv_at(files, i);
    fputs("<tr><td><code>", f);
    oh_nightly_esc(f, oh_nightly_str(oh_jv_get(x, "file"), "?"));
    fputs("</code></td>", f);
    pct_cell(f, oh_jv_get(x, "lines"));
    pct_cell(f, oh_jv_get(x, "branches"));
    fputs("</tr>\n", f);
  }
  fputs("</table></section>\n", f);
}

/* The three plots: tonight appended to the history. */
static void trends(FILE *f, const oh_nightly *r) {
  size_t n = r->nhist + 1, i;
  const char **x = calloc(n, sizeof *x);
  double *lines = calloc(n, sizeof *lines), *branches = calloc(n, sizeof *branches);
  double *execs = calloc(n, sizeof *execs), *bnew = calloc(n, sizeof *bnew);
  double *bknown = calloc(n, sizeof *bknown), *bfixed = calloc(n, sizeof *bfixed);
  fputs("<section id=\"trends\"><h2>Over the nights</h2>\n", f);
  if (x && lines && branches && execs && bnew && bknown && bfixed) {
    for (i = 0; i < n; i++) {
      const oh_night *nt = i < r->nhist ? &r->hist[i] : &r->tonight;
      x[i] = nt->date;
      lines[i] = nt->line_pct;
      branches[i] = nt->branch_pct;
      execs[i] = nt->execs;
      bnew[i] = nt->buckets_new;
      bknown[i] = nt->buckets_known;
      bfixed[i] = i < r->nhist ? nt->buckets_fixed : (double)r->cmp.nfixed;
    }
    {
      oh_svg_series cov[] = {{"lines", "#1565c0", lines}, {"branches", "#e65100", branches}};
      oh_svg_series ex[] = {{"executions", "#2e7d32", execs}};
      oh_svg_series bk[] = {{"new", "#c62828", bnew}, {"known", "#1565c0", bknown},
                            {"fixed?", "#2e7d32", bfixed}};
      oh_svg_line_chart(f, "plot-coverage", "Decoder coverage over nights", "%", x, n, cov, 2);
      oh_svg_line_chart(f, "plot-execs", "Executions over nights", "executions", x, n, ex, 1);
      oh_svg_line_chart(f, "plot-buckets", "Crash buckets over nights", "buckets", x, n, bk, 3);
    }
  }
  free(x);
  free(lines);
  free(branches);
  free(execs);
  free(bnew);
  free(bknown);
  free(bfixed);
  fputs("</section>\n", f);
}

static void corpus(FILE *f, const oh_nightly *r) {
  const oh_jv *cs = oh_jv_get(r->tonight.root, "corpus");
  size_t i;
  fputs("<section id=\"corpus\"><h2>Corpus maintenance</h2>\n<p>Each target's committed corpus "
        "and tonight's grown corpora, minimised into <code>corpus/&lt;target&gt;/</code> of this "
        "folder. The committed <code>corpus/</code> is not changed: commit the merged folders "
        "by hand or from CI if wanted; <code>corpus/regressions/</code> is never touched.</p>\n"
        "<table><tr><th>target</th><th>files before</th><th>bytes before</th><th>files after</th>"
        "<th>bytes after</th><th>status</th><th>note</th></tr>\n", f);
  for (i = 0; i < oh_jv_count(cs); i++) {
    const oh_jv *c = oh_jv_at(cs, i);
    fputs("<tr>", f);
    td_jv(f, oh_jv_get(c, "target"));
    td_jv(f, oh_jv_get(c, "before_files"));
    td_jv(f, oh_jv_get(c, "before_bytes"));
    td_jv(f, oh_jv_get(c, "after_files"));
    td_jv(f, oh_jv_get(c, "after_bytes"));
    td_jv(f, oh_jv_get(c, "status"));
    td_jv(f, oh_jv_get(c, "note"));
    fputs("</tr>\n", f);
  }
  fputs("</table></section>\n", f);
}

static void tool_list(FILE *f, const oh_jv *list, const char *detail_key) {
  size_t i;
  fputs("<ul>", f);
  for (i = 0; i < oh_jv_count(list); i++) {
    const oh_jv *x = oh_jv_at(list, i);
    fputs("<li><b>", f);
    oh_nightly_esc(f, oh_nightly_str(oh_jv_get(x, "name"), "?"));
    fputs("</b>: ", f);
    oh_nightly_esc(f, oh_nightly_str(oh_jv_get(x, detail_key), ""));
    fputs("</li>", f);
  }
  if (!oh_jv_count(list)) fputs("<li>none</li>", f);
  fputs("</ul>\n", f);
}

static void tools(FILE *f, const oh_nightly *r) {
  const oh_jv *t = oh_jv_get(r->tonight.root, "tools");
  fputs("<section id=\"tools\"><h2>Tools</h2>\n<h3>Run</h3>\n", f);
  tool_list(f, oh_jv_get(t, "run"), "what");
  fputs("<h3>Skipped</h3>\n", f);
  tool_list(f, oh_jv_get(t, "skipped"), "reason");
  fputs("</section>\n", f);
}

static void footer(FILE *f, const oh_nightly *r) {
  const oh_jv *files = oh_jv_get(r->tonight.root, "files");
  fputs("<footer>This folder: ", f);
  rel_link(f, "summary.json", "summary.json");
  fputs(" · ", f);
  rel_link(f, "summary.md", "summary.md");
  if (oh_jv_str(oh_jv_get(files, "sarif"))) {
    fputs(" · ", f);
    rel_link(f, oh_jv_str(oh_jv_get(files, "sarif")), "triage.sarif");
  }
  if (oh_jv_str(oh_jv_path(r->tonight.root, "triage.html"))) {
    fputs(" · ", f);
    rel_link(f, oh_jv_str(oh_jv_path(r->tonight.root, "triage.html")), "triage report");
  }
  fputs(". Written by oh-nightly-report (ci/nightly).</footer>\n</body></html>\n", f);
}

void oh_nightly_write_html(FILE *f, const oh_nightly *r) {
  header(f, r);
  glance(f, r);
  comparison(f, r);
  campaigns(f, r);
  replays(f, r);
  buckets(f, r);
  matrix(f, r);
  coverage(f, r);
  trends(f, r);
  corpus(f, r);
  tools(f, r);
  footer(f, r);
}
