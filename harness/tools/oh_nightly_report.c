/* oh-nightly-report: turns one night of ci/nightly into its report. Reads
 * tonight's summary.json (schema opushunt-nightly/1) and the summary.json
 * of every earlier night under --history, compares tonight with the night
 * before, and writes into --out (default: the summary's folder):
 *
 *   summary.json  tonight's again, with buckets.fixed and "comparison"
 *                 filled in (every other value kept as written)
 *   index.html    one self-contained page with SVG plots over the nights
 *   summary.md    a short text version
 *
 *   oh-nightly-report [--history DIR] [--out DIR] [--max-history N] SUMMARY.json
 *
 * Each file is written to a temporary name and renamed. Exit status: 0
 * written; 2 bad usage, an unreadable summary or a file not written. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nightly.h"

typedef struct args {
  const char *summary, *history, *out;
  size_t max_history;
} args;

static void usage(FILE *f) {
  fputs("usage: oh-nightly-report [--history DIR] [--out DIR] [--max-history N] SUMMARY.json\n"
        "Write index.html, summary.md and summary.json (with the comparison with the\n"
        "previous night) from tonight's summary and the nights under DIR.\n", f);
}

static int parse_args(int argc, char **argv, args *a) {
  int i;
  a->max_history = OH_NIGHTLY_MAX_HISTORY;
  for (i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(o, "--history") && i + 1 < argc) a->history = argv[++i];
    else if (!strcmp(o, "--out") && i + 1 < argc) a->out = argv[++i];
    else if (!strcmp(o, "--max-history") && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 0 || n > 10000) return -1;
      a->max_history = (size_t)n;
    } else if (o[0] != '-' && !a->summary) a->summary = o;
    else return -1;
  }
  return a->summary ? 0 : -1;
}

typedef void (*writer_fn)(FILE *f, const oh_nightly *r);

/* Writes DIR/NAME through a temporary file; 0 or -1 with a message. */
static int write_file(const char *dir, const char *name, writer_fn fn, const oh_nightly *r) {
  char path[4096], tmp[4200];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  if (!(f = fopen(tmp, "w"))) {
    perror(tmp);
    return -1;
  }
  fn(f, r);
  if (ferror(f) | fclose(f)) {
    perror(tmp);
    unlink(tmp);
    return -1;
  }
  if (rename(tmp, path) != 0) {
    perror(path);
    unlink(tmp);
    return -1;
  }
  return 0;
}

/* The folder of a file path ("." for a bare name). */
static void dir_of(const char *path, char *out, size_t cap) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(out, cap, ".");
  else if (slash == path) snprintf(out, cap, "/");
  else snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static int fail(const oh_error *err, const char *file) {
  char line[600];
  oh_error_format(err, file, line, sizeof line);
  fprintf(stderr, "oh-nightly-report: %s\n", line);
  return 2;
}

int main(int argc, char **argv) {
  args a = {0};
  oh_nightly r;
  oh_error err;
  char out[4096];
  int rc = 0;
  memset(&r, 0, sizeof r);
  oh_error_clear(&err);
  if (parse_args(argc, argv, &a) != 0) {
    usage(stderr);
    return 2;
  }
  if (a.out) snprintf(out, sizeof out, "%s", a.out);
  else dir_of(a.summary, out, sizeof out);
  if (oh_night_load(&r.tonight, a.summary, &err) != OH_OK) return fail(&err, a.summary);
  if (a.history && oh_nightly_load_history(&r, a.history, a.max_history, &err) != OH_OK)
    rc = fail(&err, a.history);
  if (!rc && oh_nightly_compare(&r, &err) != OH_OK) rc = fail(&err, a.summary);
  if (!rc && (write_file(out, "index.html", oh_nightly_write_html, &r) ||
              write_file(out, "summary.md", oh_nightly_write_markdown, &r) ||
              write_file(out, "summary.json", oh_nightly_write_summary, &r)))
    rc = 2;
  oh_nightly_free(&r);
  return rc;
}
