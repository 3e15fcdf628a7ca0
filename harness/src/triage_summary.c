/* The one-screen text summary `opushunt triage` prints at the end: the
 * counts, then one line per bucket (new first), capped so it fits a
 * terminal, then a few notes. Control bytes and invalid UTF-8 from the
 * data are shown as '?', so a crafted file name cannot drive the
 * terminal. Where the reports went is printed by the caller. */
#include <inttypes.h>
#include <stdio.h>

#include "opushunt/triage.h"
#include "opushunt/json.h"
#include "triage_report_impl.h"

#define MAX_LINES 20
#define MAX_NOTES 3

static void text(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  size_t u;
  while (*s) {
    if (*s >= 0x20 && *s < 0x7F) {
      fputc(*s++, f);
    } else if ((u = oh_utf8_len(s)) > 0) {
      fwrite(s, 1, u, f);
      s += u;
    } else {
      fputc(*s == '\n' || *s == '\t' ? ' ' : '?', f);
      s++;
    }
  }
}

static void counts(FILE *f, const oh_triage *t) {
  oh_trep_counts c;
  oh_trep_count(t, &c);
  fprintf(f, "triage: %zu input%s, %zu crashing, %zu bucket%s (%zu new, %zu known, %zu "
          "suppressed); %zu flaky, %zu not reproducible, %zu report-only, %zu garbage, "
          "%zu empty, %zu error%s; %.1f s\n", c.inputs, c.inputs == 1 ? "" : "s", c.crashing,
          c.buckets, c.buckets == 1 ? "" : "s", c.fresh, c.known, c.suppressed,
          c.status[OH_TSTAT_FLAKY], c.status[OH_TSTAT_NOT_REPRODUCIBLE],
          c.status[OH_TSTAT_REPORT_ONLY], c.status[OH_TSTAT_GARBAGE],
          c.status[OH_TSTAT_EMPTY], c.status[OH_TSTAT_ERROR],
          c.status[OH_TSTAT_ERROR] == 1 ? "" : "s", t->seconds);
}

static const char *label(oh_triage_known k) {
  return k == OH_KNOWN_NEW ? "NEW" : k == OH_KNOWN_KNOWN ? "KNOWN" : "SUPPR";
}

/* "NEW    3f2a9c1d00e4b7a1  EXPLOITABLE  heap-buffer-overflow(write) in pcm
 *  api-misuse: pcm-capacity  packet #12  3/3  412 B -> 23 B" on one line. */
static void bucket_line(FILE *f, const oh_triage_bucket *b) {
  char attr[80], packet[40], repro[32], size[64];
  oh_trep_attr(b, attr, sizeof attr);
  oh_trep_packet(b, packet, sizeof packet);
  oh_trep_repro(b, repro, sizeof repro);
  oh_trep_min_size(&b->min, "->", size, sizeof size);
  fprintf(f, "%-5s  ", label(b->known));
  text(f, b->id);
  fprintf(f, "  %-20s  ", oh_triage_class_name(b->cls));
  text(f, oh_trep_subclass(b));
  fputs("  ", f);
  text(f, attr);
  fprintf(f, "  %s  %s  %s\n", packet, repro, size);
}

void oh_triage_print_summary(FILE *f, const oh_triage *t) {
  size_t n;
  int k;
  counts(f, t);
  for (n = 0; n < t->nbuckets && n < MAX_LINES; n++)
    bucket_line(f, &t->buckets[oh_trep_rank(t, n)]);
  if (t->nbuckets > MAX_LINES)
    fprintf(f, "... and %zu more buckets (see the reports)\n", t->nbuckets - MAX_LINES);
  for (k = 0; k < oh_trep_nnotes(t) && k < MAX_NOTES; k++) {
    fputs("note: ", f);
    text(f, t->notes[k]);
    fputc('\n', f);
  }
  if (oh_trep_nnotes(t) > MAX_NOTES)
    fprintf(f, "... and %d more notes (see the reports)\n", oh_trep_nnotes(t) - MAX_NOTES);
}
