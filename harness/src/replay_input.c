/* The reproducer's own reading of the input: validating it before any
 * child runs, finding the faulting record (offset, length, TOC, first
 * bytes) by its index, and --extract's standalone .bit file. The parent
 * reads with the same reader options as the runner, so an index from the
 * runner names the same record here. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/file.h"
#include "opushunt/replay.h"
#include "opushunt/session.h"

int oh_replay_scan_input(const oh_replay_options *o, const uint8_t *buf, size_t len,
                         oh_replay_input *in, oh_error *err) {
  oh_reader *r = NULL;
  oh_record rec;
  const char *target;
  int rc, events;
  memset(in, 0, sizeof *in);
  in->path = o->input;
  in->bytes = len;
  in->format = o->format;
  target = oh_replay_input_target(o, buf, len, &events);
  snprintf(in->target, sizeof in->target, "%s", target ? target : "");
  if ((rc = oh_reader_open(&r, o->format, buf, len, &o->ropt, &in->tail)) == OH_OK) {
    in->format = oh_reader_format(r);
    snprintf(in->describe, sizeof in->describe, "%s", oh_reader_describe(r));
    while ((rc = oh_reader_next(r, &rec, &in->tail)) == 1) in->records++;
    oh_reader_close(r);
  }
  if (rc == 0) return OH_OK;
  /* A crash log often ends inside its last record; that tail is the
   * runner's business (length-trusted reads it on purpose). A pipeline
   * script's body may be cut in its very first record: its header already
   * made it a valid input. */
  if (rc == OH_ERR_TRUNCATED && (in->records > 0 || in->format == OH_FMT_SCRIPT)) {
    in->tail_error = 1;
    return OH_OK;
  }
  if (target && !events) {
    in->unreadable = 1;
    snprintf(in->describe, sizeof in->describe, "bytes for fuzz target %s", target);
    return OH_OK;
  }
  if (err) *err = in->tail;
  return rc;
}

static void describe_packet(oh_replay_packet *p, const oh_record *rec) {
  oh_packet pkt;
  oh_rule rule = OH_RULE_NONE;
  oh_error e;
  p->present = 1;
  p->index = rec->index;
  p->offset = rec->offset;
  p->len = rec->len;
  p->lost = rec->lost;
  p->head_len = rec->len < sizeof p->head ? rec->len : sizeof p->head;
  if (p->head_len) memcpy(p->head, rec->data, p->head_len);
  if (rec->lost || !rec->len) return;
  oh_toc_decode(rec->data[0], &p->toc);
  oh_error_clear(&e);
  if (oh_packet_parse(rec->data, rec->len, 0, &pkt, &rule, &e) == OH_OK) {
    p->valid = 1;
    p->frame_count = pkt.frame_count;
    p->duration48 = pkt.duration48;
  } else {
    snprintf(p->invalid, sizeof p->invalid, "%s at byte %" PRIu64 ": %s", oh_rule_name(rule),
             e.offset, e.reason);
  }
}

/* The record the readers stop at because the input ends inside it: what
 * length-trusted reads past the end. */
static void describe_cut_off(oh_replay_result *res, const oh_error *e) {
  oh_replay_packet *p = &res->packet;
  p->present = 1;
  p->cut_off = 1;
  p->index = (uint64_t)res->fault_index;
  p->offset = e->offset;
  p->len = res->fault_call.present && res->fault_call.len > 0 ? (size_t)res->fault_call.len : 0;
  snprintf(p->invalid, sizeof p->invalid, "%s", e->reason);
}

void oh_replay_locate(const oh_replay_options *o, const uint8_t *buf, size_t len,
                      oh_replay_result *res) {
  oh_reader *r = NULL;
  oh_record rec;
  oh_error e;
  uint64_t n = 0;
  int rc;
  if (res->fault_index < 0) return;
  oh_error_clear(&e);
  if (oh_reader_open(&r, o->format, buf, len, &o->ropt, &e) != OH_OK) return;
  while ((rc = oh_reader_next(r, &rec, &e)) == 1) {
    n++;
    if (rec.index == (uint64_t)res->fault_index) {
      describe_packet(&res->packet, &rec);
      break;
    }
  }
  if (rc == OH_ERR_TRUNCATED && n == (uint64_t)res->fault_index)
    describe_cut_off(res, &e);
  else if (rc != 1)
    oh_replay_note(res, "record %" PRId64 " is not in the input as the parent reads it%s%s",
                   res->fault_index, rc < 0 ? ": " : "", rc < 0 ? e.reason : "");
  oh_reader_close(r);
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static int write_record(FILE *f, const oh_record *rec) {
  uint8_t hdr[8];
  size_t n = rec->lost ? 0 : rec->len;
  put_be32(hdr, (uint32_t)n);
  put_be32(hdr + 4, rec->has_final_range ? rec->final_range : 0);
  if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr) return -1;
  return n && fwrite(rec->data, 1, n, f) != n ? -1 : 0;
}

/* Copies records first..last from r to the open output. */
/* A .bit record carries the encoder's final range. Inputs without one get
 * the range the reference decoder ends on, which equals the encoder's for a
 * valid packet (the range coder state depends on the packet alone), so the
 * extract passes `opushunt decode`'s check; an invalid packet keeps 0. */
static void fill_range(oh_session *s, oh_record *rec) {
  oh_decode_result res;
  if (rec->has_final_range || rec->lost || !s) return;
  if (oh_session_decode(s, rec->data, rec->len, &res) >= 0) {
    rec->has_final_range = 1;
    rec->final_range = res.final_range;
  }
}

static int copy_range(oh_reader *r, FILE *f, uint64_t first, uint64_t last, oh_error *err) {
  oh_record rec;
  oh_session *s = NULL;
  oh_session_config cfg;
  int rc, reached = 0, failed = 0;
  oh_session_config_init(&cfg);
  if (oh_session_create(&s, &cfg, NULL) != OH_OK) s = NULL;
  while (!reached && !failed && (rc = oh_reader_next(r, &rec, err)) == 1) {
    if (rec.index < first) continue;
    reached = rec.index >= last;
    if (rec.index > last) break;
    fill_range(s, &rec);
    failed = write_record(f, &rec) != 0;
  }
  oh_session_destroy(s);
  if (failed) return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "writing the .bit file failed");
  if (reached) return OH_OK;
  if (rc < 0 && rc != OH_ERR_TRUNCATED) return rc;
  return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                 "record %" PRIu64 " is past the end of the input", last);
}

int oh_replay_extract(const oh_replay_options *o, const uint8_t *buf, size_t len,
                      uint64_t first, uint64_t last, const char *out, oh_error *err) {
  oh_reader *r = NULL;
  oh_outfile of;
  int rc;
  if (first > last)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "empty range %" PRIu64 "..%" PRIu64, first,
                   last);
  if ((rc = oh_reader_open(&r, o->format, buf, len, &o->ropt, err)) != OH_OK) return rc;
  if ((rc = oh_outfile_open(&of, out, o->input, err)) != OH_OK) {
    oh_reader_close(r);
    return rc;
  }
  rc = copy_range(r, of.f, first, last, err);
  oh_reader_close(r);
  if (rc != OH_OK) {
    oh_outfile_abort(&of);
    return rc;
  }
  return oh_outfile_commit(&of, err);
}
