/* The framing stage of the runner: the input becomes a list of records.
 * Normally the project's stream readers do it (a broken tail is reported and
 * the records before it are kept). The length-trusted model instead parses a
 * length-prefixed stream the naive way production did, believing every
 * prefix, so records may claim more bytes than the input holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/file.h"
#include "runner.h"

static int prefix_size(oh_format f) {
  return f == OH_FMT_LP16BE || f == OH_FMT_LP16LE ? 2 : f == OH_FMT_LP32BE || f == OH_FMT_LP32LE ? 4 : 0;
}

static long read_prefix(const uint8_t *p, oh_format f) {
  switch (f) {
  case OH_FMT_LP16BE: return (long)p[0] << 8 | p[1];
  case OH_FMT_LP16LE: return (long)p[1] << 8 | p[0];
  case OH_FMT_LP32BE: return (long)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
  default: return (long)((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
  }
}

/* The record limit (cfg.max_records) is reached: framing stops there. */
static int full(const runner *r) {
  return r->cfg.max_records && r->nrecs >= r->cfg.max_records;
}

static int push(runner *r, size_t *cap, const runner_record *rec) {
  if (r->nrecs == *cap) {
    size_t ncap = *cap ? *cap * 2 : 256;
    runner_record *n = realloc(r->recs, ncap * sizeof *n);
    if (!n) return -1;
    r->recs = n;
    *cap = ncap;
  }
  r->recs[r->nrecs++] = *rec;
  return 0;
}

/* Production's parser: length prefix, then that many bytes, believed. */
static int load_trusting(runner *r, oh_format fmt) {
  size_t off = r->cfg.ropt.header_skip, cap = 0;
  int ps = prefix_size(fmt);
  if (!ps) {
    if (!r->cfg.quiet)
      fprintf(stderr, "oh-runner: %s: the length-trusted model needs a length-prefixed input "
              "(--format lp16be, lp16le, lp32be or lp32le)\n", r->cfg.input);
    return -1;
  }
  while (off + (size_t)ps <= r->input_len && !full(r)) {
    runner_record rec = {0};
    rec.index = r->nrecs;
    rec.offset = off;
    rec.len = read_prefix(r->input + off, fmt);
    rec.data = r->input + off + ps;
    rec.available = r->input_len - off - (size_t)ps;
    rec.lost = rec.len == 0;
    if (push(r, &cap, &rec)) return -1;
    if ((size_t)rec.len > rec.available) break; /* the read that overruns */
    off += (size_t)ps + (size_t)rec.len;
  }
  return 0;
}

static int load_reader(runner *r) {
  oh_reader *rd = NULL;
  oh_record rec;
  oh_error err;
  size_t cap = 0;
  int got = 0;
  oh_error_clear(&err);
  if (oh_reader_open(&rd, r->cfg.format, r->input, r->input_len, &r->cfg.ropt, &err) != OH_OK) {
    char line[600];
    oh_error_format(&err, r->cfg.input, line, sizeof line);
    if (!r->cfg.quiet) fprintf(stderr, "oh-runner: %s\n", line);
    return -1;
  }
  while (!full(r) && (got = oh_reader_next(rd, &rec, &err)) == 1) {
    runner_record rr = {0};
    rr.index = rec.index;
    rr.offset = rec.offset;
    rr.lost = rec.lost || !rec.data;
    rr.len = (long)rec.len;
    rr.available = rec.len;
    if (!rr.lost) {
      /* Framework memory, not the caller's: the pipeline copies each packet
       * into the caller's own packet buffer before decoding. */
      uint8_t *copy = malloc(rec.len ? rec.len : 1);
      if (!copy) break;
      memcpy(copy, rec.data, rec.len);
      rr.data = copy;
    }
    if (push(r, &cap, &rr)) {
      free((void *)rr.data);
      break;
    }
  }
  if (got < 0 && !r->cfg.quiet) {
    char line[600];
    oh_error_format(&err, r->cfg.input, line, sizeof line);
    fprintf(stderr, "oh-runner: note: %s; replaying the %zu records before it\n", line, r->nrecs);
  }
  oh_reader_close(rd);
  return 0;
}

int runner_load_buffer(runner *r, const uint8_t *buf, size_t len) {
  oh_format fmt = r->cfg.format;
  /* The received bytes live in caller memory of exactly their size, so a
   * read past them is out of bounds for every tool. */
  r->input = runner_alloc(r, len ? len : 1, "input");
  if (!r->input) {
    if (!r->cfg.quiet) fprintf(stderr, "oh-runner: out of memory\n");
    return -1;
  }
  if (len) memcpy(r->input, buf, len);
  r->input_len = len;
  if (!r->cfg.trust_length_prefix) return load_reader(r);
  if (fmt == OH_FMT_AUTO) fmt = oh_format_detect(r->input, len, NULL, 0);
  return load_trusting(r, fmt);
}

int runner_load(runner *r) {
  uint8_t *file = NULL;
  size_t len = 0;
  oh_error err;
  int rc;
  oh_error_clear(&err);
  if (oh_file_read(r->cfg.input, OH_MAX_INPUT_FILE, &file, &len, &err) != OH_OK) {
    char line[600];
    oh_error_format(&err, r->cfg.input, line, sizeof line);
    fprintf(stderr, "oh-runner: %s\n", line);
    return -1;
  }
  rc = runner_load_buffer(r, file, len);
  free(file);
  return rc;
}
