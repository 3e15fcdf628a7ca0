/* The triage report as one self-contained HTML page: inline CSS, no
 * script, no external resource, every string from the data HTML-escaped
 * (control bytes and invalid UTF-8 shown as \xNN). A header with the run
 * and its counts, a table of buckets, one section per bucket (crash state,
 * variants, frames, the buffer the fault touched, the reproducibility
 * matrix as a coloured grid, minimisation, a hex dump of the reproducer,
 * the command that reproduces it), the inputs, and the notes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opushunt/triage.h"
#include "opushunt/json.h"
#include "opushunt/html.h"
#include "triage_report_impl.h"

static const char css[] =
  "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;"
  "padding:0 1em;color:#222}"
  "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1em}"
  "table{border-collapse:collapse;margin:.5em 0}"
  "th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}"
  "th{background:#f2f2f2}code,pre{font:12px/1.4 ui-monospace,monospace}"
  "pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto}"
  ".badge,.cls{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;"
  "font-weight:600;color:#fff}"
  ".new{background:#c62828}.known{background:#1565c0}.suppressed{background:#757575}"
  ".EXPLOITABLE{background:#b71c1c}.PROBABLY_EXPLOITABLE{background:#e65100}"
  ".NOT_EXPLOITABLE{background:#546e7a}"
  "tr.noise td{color:#999}"
  "td.same{background:#ffcdd2}td.other{background:#ffe0b2}td.clean{background:#c8e6c9}"
  "td.skip{background:#eee;color:#777}td.err{background:#fff9c4}"
  "dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}"
  "dd{margin:0}section.bucket{border-top:2px solid #ddd;margin-top:2em}";

/* Text: HTML metacharacters as entities; control bytes (but newline and
 * tab) and invalid UTF-8 as a visible \xNN. */
static void esc(FILE *f, const char *str) { oh_html_write_escaped(f, str); }

/* A bucket id fit for an id attribute and a fragment: alphanumerics. */
static void anchor(FILE *f, const char *id) {
  for (; *id; id++)
    if ((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z'))
      fputc(*id, f);
}

static void cell(FILE *f, const char *s) {
  fputs("<td>", f);
  esc(f, s && *s ? s : "-");
  fputs("</td>", f);
}

static void badge(FILE *f, oh_triage_known k) {
  fprintf(f, "<span class=\"badge %s\">%s</span>", oh_triage_known_name(k),
          oh_triage_known_name(k));
}

static void cls(FILE *f, oh_triage_class c) {
  fprintf(f, "<span class=\"cls %s\">%s</span>", oh_triage_class_name(c),
          oh_triage_class_name(c));
}

/* ---- Header and overview. */

static void header(FILE *f, const oh_triage *t) {
  oh_trep_counts c;
  int k;
  oh_trep_count(t, &c);
  fputs("<header><h1>opushunt triage</h1>\n<p>Started ", f);
  esc(f, t->started[0] ? t->started : "?");
  fprintf(f, ", %.1f s; ", t->seconds);
  esc(f, t->opus_version[0] ? t->opus_version : "libopus version unknown");
  fputs("; tools available: ", f);
  for (k = 0; k < oh_trep_ntools(t); k++) {
    if (k) fputs(", ", f);
    esc(f, t->tools_available[k]);
  }
  if (!oh_trep_ntools(t)) fputs("none", f);
  fputs(".</p>\n<table><tr><th>inputs</th><th>crashing</th><th>buckets</th><th>new</th>"
        "<th>known</th><th>suppressed</th><th>flaky</th><th>not reproducible</th>"
        "<th>report only</th><th>garbage</th><th>empty</th><th>errors</th></tr>\n", f);
  fprintf(f, "<tr><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
          "<td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>"
          "</table></header>\n", c.inputs, c.crashing, c.buckets, c.fresh, c.known,
          c.suppressed, c.status[OH_TSTAT_FLAKY], c.status[OH_TSTAT_NOT_REPRODUCIBLE],
          c.status[OH_TSTAT_REPORT_ONLY], c.status[OH_TSTAT_GARBAGE], c.status[OH_TSTAT_EMPTY],
          c.status[OH_TSTAT_ERROR]);
}

static void overview_row(FILE *f, const oh_triage_bucket *b) {
  char packet[40], repro[32];
  oh_trep_packet(b, packet, sizeof packet);
  oh_trep_repro(b, repro, sizeof repro);
  fputs("<tr><td><a href=\"#b-", f);
  anchor(f, b->id);
  fputs("\"><code>", f);
  esc(f, b->id);
  fputs("</code></a></td><td>", f);
  badge(f, b->known);
  fputs("</td><td>", f);
  cls(f, b->cls);
  fputs("</td>", f);
  cell(f, oh_trep_subclass(b));
  cell(f, oh_triage_attr_name(b->attr));
  cell(f, b->crash.rule);
  cell(f, packet);
  fprintf(f, "<td>%d</td>", b->nitems);
  cell(f, repro);
  fputs("</tr>\n", f);
}

static void overview(FILE *f, const oh_triage *t) {
  size_t n;
  fputs("<h2>Buckets</h2>\n", f);
  if (!t->nbuckets) {
    fputs("<p>No crash buckets.</p>\n", f);
    return;
  }
  fputs("<table><tr><th>bucket</th><th>status</th><th>class</th><th>subclass</th>"
        "<th>attribution</th><th>rule</th><th>first faulting</th><th>items</th>"
        "<th>reproduced</th></tr>\n", f);
  for (n = 0; n < t->nbuckets; n++) overview_row(f, &t->buckets[oh_trep_rank(t, n)]);
  fputs("</table>\n", f);
}

/* ---- One bucket. */

static void dt(FILE *f, const char *term, const char *value) {
  if (!value || !*value) return;
  fprintf(f, "<dt>%s</dt><dd>", term);
  esc(f, value);
  fputs("</dd>\n", f);
}

/* "WRITE of 4 bytes at offset 7680 of the 7680-byte buffer pcm (after-end)". */
static void buffer_phrase(const oh_triage_crash *c, char *out, size_t cap) {
  char size[40] = "";
  if (c->size) snprintf(size, sizeof size, " of %" PRIu64 " bytes", c->size);
  if (!c->buffer[0]) {
    snprintf(out, cap, "%s%s, not in a caller buffer", c->access[0] ? c->access : "access",
             size);
    return;
  }
  snprintf(out, cap, "%s%s at offset %" PRId64 " of the %" PRIu64 "-byte buffer %s%s%s%s",
           c->access[0] ? c->access : "access", size, c->buffer_offset, c->buffer_size,
           c->buffer, c->relation[0] ? " (" : "", c->relation, c->relation[0] ? ")" : "");
}

static void facts(FILE *f, const oh_triage *t, const oh_triage_bucket *b) {
  const oh_triage_crash *c = &b->crash;
  char buf[700];
  fputs("<dl>\n", f);
  dt(f, "crash state", b->state);
  snprintf(buf, sizeof buf, "%s%s%s", oh_triage_attr_name(b->attr), b->attr_detail[0] ? ": " : "",
           b->attr_detail);
  dt(f, "attribution", buf);
  snprintf(buf, sizeof buf, "%s%s%s", c->rule, c->rule_detail[0] ? ": " : "", c->rule_detail);
  dt(f, "broken rule", c->rule[0] ? buf : "");
  snprintf(buf, sizeof buf, "%s %s%s%s", c->tool[0] ? c->tool : "?", c->kind[0] ? c->kind : "?",
           c->signal[0] ? ", " : "", c->signal);
  dt(f, "finding", buf);
  if (c->access[0] || c->size || c->buffer[0]) {
    buffer_phrase(c, buf, sizeof buf);
    dt(f, "memory", buf);
  }
  dt(f, "description", c->description);
  dt(f, "call", c->api);
  oh_trep_packet(b, buf, sizeof buf);
  dt(f, "first faulting", buf);
  if (b->status == OH_TSTAT_REPORT_ONLY || b->runs <= 0)
    snprintf(buf, sizeof buf, "seen in a log only, not re-run; %d input%s", b->nitems,
             b->nitems == 1 ? "" : "s");
  else
    snprintf(buf, sizeof buf, "%s, %d of %d runs, %d input%s", oh_triage_status_name(b->status),
             b->crashes, b->runs, b->nitems, b->nitems == 1 ? "" : "s");
  dt(f, "reproduced", buf);
  if (b->known != OH_KNOWN_NEW && (b->first_seen[0] || b->seen_count)) {
    snprintf(buf, sizeof buf, "first seen %s, last seen %s, %" PRIu64 " runs, status %s",
             b->first_seen[0] ? b->first_seen : "?", b->last_seen[0] ? b->last_seen : "?",
             b->seen_count, b->db_status[0] ? b->db_status : "?");
    dt(f, "known", buf);
  }
  if (b->known == OH_KNOWN_SUPPRESSED) {
    snprintf(buf, sizeof buf, "%s%s%s", b->suppress_reason,
             b->suppress_expires[0] ? "; expires " : "", b->suppress_expires);
    dt(f, "suppressed", buf);
  }
  if (b->rep >= 0 && (size_t)b->rep < t->nitems) dt(f, "representative", t->items[b->rep].path);
  fputs("</dl>\n", f);
}

static void variants(FILE *f, const oh_triage_bucket *b) {
  int v;
  if (oh_trep_nvariants(b) < 2) return;
  fputs("<h3>Variants</h3>\n<ul>\n", f);
  for (v = 0; v < oh_trep_nvariants(b); v++) {
    fputs("<li><code>", f);
    esc(f, b->variants[v]);
    fprintf(f, "</code> &times; %d</li>\n", b->variant_count[v]);
  }
  fputs("</ul>\n", f);
}

static void frames(FILE *f, const oh_triage_crash *c) {
  int i;
  fputs("<h3>Frames</h3>\n", f);
  if (!oh_trep_nframes(c)) {
    fputs("<p>No stack: the tool reported none.</p>\n", f);
    return;
  }
  fputs("<table><tr><th>#</th><th>function</th><th>file</th><th>line</th></tr>\n", f);
  for (i = 0; i < oh_trep_nframes(c); i++) {
    const oh_replay_frame *fr = &c->frames[i];
    fprintf(f, "<tr%s><td>%d</td>", fr->noise ? " class=\"noise\"" : "", i);
    cell(f, fr->function);
    cell(f, fr->file);
    if (fr->line > 0) fprintf(f, "<td>%d</td></tr>\n", fr->line);
    else fputs("<td>-</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static const char *run_class(const oh_triage_tool_run *r) {
  if (!r->ran) return "skip";
  if (r->same_state) return "same";
  if (oh_replay_verdict_is_finding(r->verdict)) return "other";
  return r->verdict == OH_VERDICT_CLEAN ? "clean" : "err";
}

static void matrix(FILE *f, const oh_triage_bucket *b) {
  int i;
  fputs("<h3>Reproducibility</h3>\n", f);
  if (!oh_trep_nmatrix(b)) {
    fputs("<p>No other tool was tried.</p>\n", f);
    return;
  }
  fputs("<table><tr><th>tool</th><th>lib</th><th>ran</th><th>verdict</th>"
        "<th>same state</th></tr>\n", f);
  for (i = 0; i < oh_trep_nmatrix(b); i++) {
    const oh_triage_tool_run *r = &b->matrix[i];
    const char *k = run_class(r);
    fputs("<tr>", f);
    cell(f, oh_replay_tool_name(r->tool));
    cell(f, r->lib);
    if (r->ran) {
      fputs("<td>ran</td>", f);
    } else {
      fputs("<td>skipped: ", f);
      esc(f, r->reason[0] ? r->reason : "no reason given");
      fputs("</td>", f);
    }
    fprintf(f, "<td class=\"%s\">%s</td><td class=\"%s\">%s</td></tr>\n", k,
            r->ran ? oh_replay_verdict_name(r->verdict) : "-", k,
            !r->ran ? "-" : r->same_state ? "yes" : "no");
  }
  fputs("</table>\n", f);
}

static void before_after(FILE *f, const char *what, int64_t before, int64_t after) {
  fprintf(f, "<tr><td>%s</td>", what);
  if (before >= 0) fprintf(f, "<td>%" PRId64 "</td>", before);
  else fputs("<td>-</td>", f);
  if (after >= 0) fprintf(f, "<td>%" PRId64 "</td></tr>\n", after);
  else fputs("<td>-</td></tr>\n", f);
}

/* "00000000  fc ff 01 ...  |..<s|": offset, hex and ASCII, 16 a line. */
static void hexdump(FILE *f, const uint8_t *p, size_t n) {
  size_t i, k;
  fputs("<pre class=\"hex\">", f);
  for (i = 0; i < n; i += 16) {
    char ascii[2] = {0, 0};
    fprintf(f, "%08zx  ", i);
    for (k = i; k < i + 16; k++)
      if (k < n) fprintf(f, "%02x ", p[k]);
      else fputs("   ", f);
    fputs(" |", f);
    for (k = i; k < i + 16 && k < n; k++) {
      ascii[0] = p[k] >= 0x20 && p[k] < 0x7F ? (char)p[k] : '.';
      esc(f, ascii);
    }
    fputs("|\n", f);
  }
  fputs("</pre>\n", f);
}

static void minimised(FILE *f, const oh_triage_min *m) {
  const int ok = m->attempted && m->ok;
  fputs("<h3>Minimised reproducer</h3>\n<p>", f);
  if (!m->attempted) fputs("Not minimised", f);
  else fputs(ok ? "Minimised" : "Minimisation failed", f);
  if (m->note[0]) {
    fputs(": ", f);
    esc(f, m->note);
  }
  fputs(".", f);
  if (m->path[0]) {
    fputs(" File <code>", f);
    esc(f, m->path);
    fputs("</code>", f);
    if (m->format[0]) {
      fputs(" (", f);
      esc(f, m->format);
      fputs(")", f);
    }
    fputs(".", f);
  }
  fputs("</p>\n", f);
  if (m->attempted) {
    fputs("<table><tr><th></th><th>before</th><th>after</th></tr>\n", f);
    /* A failed minimisation has no result to show. */
    before_after(f, "bytes", (int64_t)m->bytes_before, ok ? (int64_t)m->bytes_after : -1);
    before_after(f, "records", m->records_before, ok ? m->records_after : -1);
    before_after(f, "packets", m->packets_before, ok ? m->packets_after : -1);
    fprintf(f, "<tr><td>tests</td><td colspan=\"2\">%d in %.1f s</td></tr></table>\n", m->tests,
            m->seconds);
  }
  if (oh_trep_head_len(m)) {
    uint64_t total = ok ? m->bytes_after : m->bytes_before;
    if (total > oh_trep_head_len(m))
      fprintf(f, "<p>First %zu of %" PRIu64 " bytes:</p>\n", oh_trep_head_len(m), total);
    hexdump(f, m->head, oh_trep_head_len(m));
  }
}

static void bucket(FILE *f, const oh_triage *t, const oh_triage_bucket *b) {
  fputs("<section class=\"bucket\" id=\"b-", f);
  anchor(f, b->id);
  fputs("\">\n<h2><code>", f);
  esc(f, b->id);
  fputs("</code> ", f);
  badge(f, b->known);
  fputc(' ', f);
  cls(f, b->cls);
  fputc(' ', f);
  esc(f, oh_trep_subclass(b));
  fputs("</h2>\n", f);
  facts(f, t, b);
  variants(f, b);
  frames(f, &b->crash);
  matrix(f, b);
  minimised(f, &b->min);
  fputs("<h3>Reproduce</h3>\n<pre><code>", f);
  esc(f, b->reproduce[0] ? b->reproduce : "(no command: the input was a log)");
  fputs("</code></pre>\n</section>\n", f);
}

/* ---- Inputs and notes. */

static void inputs(FILE *f, const oh_triage *t) {
  size_t i;
  fputs("<h2>Inputs</h2>\n<table><tr><th>#</th><th>path</th><th>origin</th><th>status</th>"
        "<th>bucket</th><th>first faulting</th><th>error</th></tr>\n", f);
  for (i = 0; i < t->nitems; i++) {
    const oh_triage_item *it = &t->items[i];
    int crash = oh_triage_status_has_crash(it->status);
    fprintf(f, "<tr><td>%zu</td>", i);
    cell(f, it->path);
    cell(f, oh_triage_origin_name(it->origin));
    cell(f, oh_triage_status_name(it->status));
    if (it->bucket >= 0 && (size_t)it->bucket < t->nbuckets) {
      fputs("<td><a href=\"#b-", f);
      anchor(f, t->buckets[it->bucket].id);
      fputs("\"><code>", f);
      esc(f, t->buckets[it->bucket].id);
      fputs("</code></a></td>", f);
    } else {
      fputs("<td>-</td>", f);
    }
    if (crash && it->crash.fault_index >= 0)
      fprintf(f, "<td>#%" PRId64 "</td>", it->crash.fault_index);
    else
      fputs("<td>-</td>", f);
    cell(f, it->error);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void notes(FILE *f, const oh_triage *t) {
  int k;
  if (!oh_trep_nnotes(t)) return;
  fputs("<h2>Notes</h2>\n<ul>\n", f);
  for (k = 0; k < oh_trep_nnotes(t); k++) {
    fputs("<li>", f);
    esc(f, t->notes[k]);
    fputs("</li>\n", f);
  }
  fputs("</ul>\n", f);
}

void oh_triage_write_html(FILE *f, const oh_triage *t) {
  size_t n;
  oh_trep_counts c;
  oh_trep_count(t, &c);
  fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>opushunt triage: %zu new, %zu known, %zu suppressed</title>\n"
          "<style>%s</style>\n</head>\n<body>\n", c.fresh, c.known, c.suppressed, css);
  header(f, t);
  overview(f, t);
  for (n = 0; n < t->nbuckets; n++) bucket(f, t, &t->buckets[oh_trep_rank(t, n)]);
  inputs(f, t);
  notes(f, t);
  fputs("</body>\n</html>\n", f);
}
