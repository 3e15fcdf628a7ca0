/* The triage report as a pull-request comment (GitHub-flavoured Markdown):
 * a headline with the new / known / suppressed counts, one table row per
 * bucket (new ones first) and, per new bucket, a folded block with its top
 * frames, the head of its minimised reproducer and the command that
 * reproduces it. Sized for a comment: rows and blocks are capped, the rest
 * is in the HTML and JSON reports. Every byte from the data is escaped, so
 * a file name cannot break the table, open HTML or mention anyone. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opushunt/triage.h"
#include "triage_impl.h"
#include "opushunt/json.h"
#include "triage_report_impl.h"

#define MAX_ROWS 20
#define MAX_DETAILS 5
#define SHORT_ID 8
#define TOP_FRAMES 3

/* One byte that is not text (control, invalid UTF-8) as "\xNN". Returns
 * the bytes of s consumed, after writing a valid UTF-8 sequence as is. */
static size_t put_raw(FILE *f, const unsigned char *s) {
  size_t u = oh_utf8_len(s);
  if (u) {
    fwrite(s, 1, u, f);
    return u;
  }
  if (*s < 0x20 || *s >= 0x7F) {
    fprintf(f, "\\x%02x", *s);
    return 1;
  }
  fputc(*s, f);
  return 1;
}

/* Text in a table cell or list item: one line, Markdown punctuation
 * backslash-escaped, HTML metacharacters as entities. */
static void md_text(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  while (*s) {
    if (*s == '\n' || *s == '\r' || *s == '\t') {
      fputc(' ', f);
      s++;
    } else if (*s == '<' || *s == '>' || *s == '&') {
      fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&amp;", f);
      s++;
    } else if (strchr("|`\\*_[]~", *s)) {
      fputc('\\', f);
      fputc(*s++, f);
    } else if (*s == '@') {
      fputs("@\xe2\x80\x8b", f); /* a zero-width space: no mention */
      s++;
    } else {
      s += put_raw(f, s);
    }
  }
}

/* Text inside HTML (the <summary> line). */
static void html_text(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  while (*s) {
    if (*s == '<' || *s == '>' || *s == '&' || *s == '"') {
      fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "&quot;", f);
      s++;
    } else if (*s == '\n' || *s == '\r' || *s == '\t') {
      fputc(' ', f);
      s++;
    } else {
      s += put_raw(f, s);
    }
  }
}

static void fence(FILE *f, int n) {
  while (n-- > 0) fputc('`', f);
}

/* A fenced code block whose fence is longer than any backtick run in s. */
static void code_block(FILE *f, const char *lang, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  int run = 0, longest = 0, n;
  for (; *s; s++) {
    run = *s == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  n = longest >= 3 ? longest + 1 : 3;
  fence(f, n);
  fprintf(f, "%s\n", lang);
  for (s = (const unsigned char *)str; *s;)
    if (*s == '\n' || *s == '\t') fputc(*s++, f);
    else s += put_raw(f, s);
  fputc('\n', f);
  fence(f, n);
  fputc('\n', f);
}

static void headline(FILE *f, const oh_trep_counts *c) {
  if (c->fresh)
    fprintf(f, "### opushunt triage: %zu new crash bucket%s, %zu known, %zu suppressed\n\n",
            c->fresh, c->fresh == 1 ? "" : "s", c->known, c->suppressed);
  else if (c->buckets)
    fprintf(f, "### opushunt triage: No new crashes (%zu known, %zu suppressed)\n\n", c->known,
            c->suppressed);
  else
    fprintf(f, "### opushunt triage: No new crashes\n\n");
}

static void run_line(FILE *f, const oh_triage *t, const oh_trep_counts *c) {
  fprintf(f, "%zu input%s, %zu crashing", c->inputs, c->inputs == 1 ? "" : "s", c->crashing);
  if (c->status[OH_TSTAT_FLAKY]) fprintf(f, ", %zu flaky", c->status[OH_TSTAT_FLAKY]);
  if (c->status[OH_TSTAT_NOT_REPRODUCIBLE])
    fprintf(f, ", %zu not reproducible", c->status[OH_TSTAT_NOT_REPRODUCIBLE]);
  if (c->status[OH_TSTAT_GARBAGE]) fprintf(f, ", %zu garbage", c->status[OH_TSTAT_GARBAGE]);
  if (c->status[OH_TSTAT_EMPTY]) fprintf(f, ", %zu empty", c->status[OH_TSTAT_EMPTY]);
  if (c->status[OH_TSTAT_REPORT_ONLY])
    fprintf(f, ", %zu from logs only", c->status[OH_TSTAT_REPORT_ONLY]);
  if (c->status[OH_TSTAT_ERROR])
    fprintf(f, ", %zu error%s", c->status[OH_TSTAT_ERROR],
            c->status[OH_TSTAT_ERROR] == 1 ? "" : "s");
  if (t->opus_version[0]) {
    fputs(" · ", f);
    md_text(f, t->opus_version);
  }
  fprintf(f, " · %.1f s\n\n", t->seconds);
}

/* The first SHORT_ID characters of a bucket id, alphanumerics only (ids
 * are hex; this keeps a code span intact whatever the engine wrote). */
static void short_id(FILE *f, const char *id) {
  int i;
  for (i = 0; i < SHORT_ID && id[i]; i++)
    if ((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z') ||
        (id[i] >= 'A' && id[i] <= 'Z'))
      fputc(id[i], f);
}

static void table_row(FILE *f, const oh_triage_bucket *b) {
  char repro[32], size[64], attr[80];
  oh_trep_repro(b, repro, sizeof repro);
  oh_trep_min_size(&b->min, "→", size, sizeof size);
  oh_trep_attr(b, attr, sizeof attr);
  fputs("| `", f);
  short_id(f, b->id);
  fprintf(f, "` | %s | %s | ",
          b->known == OH_KNOWN_NEW ? "**new**" : oh_triage_known_name(b->known),
          oh_triage_class_name(b->cls));
  md_text(f, oh_trep_subclass(b));
  fputs(" | ", f);
  md_text(f, attr);
  if (b->crash.fault_index >= 0) fprintf(f, " | #%" PRId64, b->crash.fault_index);
  else fputs(" | ?", f);
  fprintf(f, " | %s | %s |\n", repro, size);
}

static void table(FILE *f, const oh_triage *t) {
  size_t n;
  fputs("| Bucket | Status | Class | Subclass | Attribution: rule | Packet | Repro | "
        "Minimised |\n|---|---|---|---|---|---|---|---|\n", f);
  for (n = 0; n < t->nbuckets && n < MAX_ROWS; n++)
    table_row(f, &t->buckets[oh_trep_rank(t, n)]);
  if (t->nbuckets > MAX_ROWS)
    fprintf(f, "\n%zu more buckets are in the HTML and JSON reports.\n", t->nbuckets - MAX_ROWS);
  fputc('\n', f);
}

static void frames_line(FILE *f, const oh_triage_crash *c) {
  int i, shown = 0;
  fputs("- Top frames: ", f);
  for (i = 0; i < oh_trep_nframes(c) && shown < TOP_FRAMES; i++) {
    const oh_replay_frame *fr = &c->frames[i];
    if (!oh_trep_frame_shown(c, i)) continue;
    if (shown++) fputs(" ← ", f);
    md_text(f, fr->function[0] ? fr->function : "??");
    if (fr->file[0]) {
      const char *file = fr->file;
      oh_triage_lib_path(fr->file, &file); /* celt/bands.c, not the build's path */
      fputs(" (", f);
      md_text(f, file);
      if (fr->line > 0) fprintf(f, ":%d", fr->line);
      fputc(')', f);
    }
  }
  fputs(shown ? "\n" : "none known\n", f);
}

static void reproducer_line(FILE *f, const oh_triage_min *m) {
  size_t i, n = oh_trep_head_len(m);
  char size[64];
  if (!m->attempted && !m->bytes_before && !n) {
    fputs("- Reproducer: none", f);
    if (m->note[0]) {
      fputs(" (", f);
      md_text(f, m->note);
      fputc(')', f);
    }
    fputc('\n', f);
    return;
  }
  oh_trep_min_size(m, "→", size, sizeof size);
  fprintf(f, "- Reproducer (%s", size);
  if (m->format[0]) {
    fputs(", ", f);
    md_text(f, m->format);
  }
  fputc(')', f);
  if (n) {
    fputs(": `", f);
    for (i = 0; i < n; i++) fprintf(f, "%s%02x", i ? " " : "", m->head[i]);
    fputc('`', f);
  }
  fputc('\n', f);
}

static void details(FILE *f, const oh_triage_bucket *b) {
  fputs("<details><summary><code>", f);
  short_id(f, b->id);
  fprintf(f, "</code> %s ", oh_triage_class_name(b->cls));
  html_text(f, oh_trep_subclass(b));
  fputs("</summary>\n\n", f);
  frames_line(f, &b->crash);
  reproducer_line(f, &b->min);
  fputc('\n', f);
  if (b->reproduce[0]) code_block(f, "sh", b->reproduce);
  fputs("</details>\n", f);
}

void oh_triage_write_markdown(FILE *f, const oh_triage *t) {
  oh_trep_counts c;
  size_t n, shown = 0;
  oh_trep_count(t, &c);
  headline(f, &c);
  run_line(f, t, &c);
  if (!t->nbuckets) return;
  table(f, t);
  for (n = 0; n < t->nbuckets; n++) {
    const oh_triage_bucket *b = &t->buckets[oh_trep_rank(t, n)];
    if (b->known != OH_KNOWN_NEW) break; /* new ones come first */
    if (shown++ == MAX_DETAILS) {
      fprintf(f, "\n%zu more new buckets are in the HTML report.\n", c.fresh - MAX_DETAILS);
      break;
    }
    details(f, b);
  }
}
