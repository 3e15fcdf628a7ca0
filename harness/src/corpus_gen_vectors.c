/* Vector-derived seeds: short slices of a handful of the official
 * testvectorNN.bit files become `stream` scripts (8 records starting just
 * before the first mode change) and single `packet` seeds (the packet at
 * that change), all named tv-*. Only made when a vector folder is given;
 * the vectors' README asks that they stay out of the project's repository,
 * so these seeds are meant for a working corpus, not the committed one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_gen_impl.h"
#include "opushunt/file.h"
#include "opushunt/reader.h"

#define SLICE 8
#define MAX_RECORDS 4096

static const char *const VECTORS[] = {"testvector02", "testvector04", "testvector06",
                                      "testvector08", "testvector10"};

typedef struct vrec {
  size_t off, len; /* into the file buffer; len 0 = lost */
} vrec;

/* Reads every record of one vector with the project's .bit reader. */
static int load(oh_cg *g, const uint8_t *buf, size_t len, const char *path, vrec *recs,
                int *n) {
  oh_reader *r = NULL;
  oh_record rec;
  oh_error rerr;
  int rc;
  *n = 0;
  if (oh_reader_open(&r, OH_FMT_BIT, buf, len, NULL, &rerr) != OH_OK)
    return oh_cg_fail(g, rerr.code, "%s: %s", path, rerr.reason);
  while ((rc = oh_reader_next(r, &rec, &rerr)) == 1 && *n < MAX_RECORDS) {
    recs[*n].off = rec.data ? (size_t)(rec.data - buf) : 0;
    recs[*n].len = rec.lost ? 0 : rec.len;
    (*n)++;
  }
  oh_reader_close(r);
  if (rc < 0) return oh_cg_fail(g, rerr.code, "%s: %s", path, rerr.reason);
  return OH_OK;
}

/* The first record whose mode differs from the packet before it, or 0. */
static int first_switch(const uint8_t *buf, const vrec *recs, int n) {
  int i, prev = -1;
  for (i = 0; i < n; i++) {
    oh_toc t;
    if (!recs[i].len) continue;
    oh_toc_decode(buf[recs[i].off], &t);
    if (prev >= 0 && (int)t.mode != prev) return i;
    prev = (int)t.mode;
  }
  return 0;
}

static int one_vector(oh_cg *g, int target, const char *dir, const char *vname, int *found) {
  char path[4096];
  uint8_t *buf = NULL;
  size_t len = 0;
  vrec *recs = malloc(sizeof *recs * MAX_RECORDS);
  oh_error ferr;
  int n = 0, at, from, i;
  if (!recs) return oh_cg_fail(g, OH_ERR_NOMEM, "out of memory");
  snprintf(path, sizeof path, "%s/%s.bit", dir, vname);
  if (oh_file_read(path, (size_t)64 << 20, &buf, &len, &ferr) != OH_OK) {
    free(recs);
    return OH_OK; /* a vector this folder lacks */
  }
  (*found)++;
  if (load(g, buf, len, path, recs, &n) != OH_OK || n == 0) goto out;
  at = first_switch(buf, recs, n);
  from = at >= 3 ? at - 3 : 0;
  if (target == OH_CT_PACKET) {
    if (recs[at].len) oh_cg_emit(g, buf + recs[at].off, recs[at].len, "tv-%s-pkt%d.raw", vname, at);
  } else {
    oh_script s;
    oh_script_header h;
    oh_cg_header(&h, OH_SCRIPT_DECODER, 2, 48000);
    oh_script_init(&s, &h);
    for (i = from; i < from + SLICE && i < n; i++) {
      if (recs[i].len)
        oh_cg_rec_packet(g, &s, buf + recs[i].off, recs[i].len);
      else
        oh_cg_rec_loss(g, &s, 960);
    }
    oh_cg_emit_script(g, &s, "tv-%s-from%d-%dpkts.ohs", vname, from, i - from);
  }
out:
  free(buf);
  free(recs);
  return g->status;
}

int oh_cg_vectors(oh_cg *g, int target) {
  size_t i;
  int found = 0;
  const char *dir = g->opt->testvectors;
  if (!dir) return OH_OK;
  for (i = 0; i < sizeof VECTORS / sizeof VECTORS[0] && g->status == OH_OK; i++)
    one_vector(g, target, dir, VECTORS[i], &found);
  if (g->status == OH_OK && !found)
    oh_cg_fail(g, OH_ERR_NOT_FOUND, "no testvectorNN.bit of the chosen ones in %s", dir);
  return g->status;
}
