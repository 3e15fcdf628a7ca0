/* The decode loop (see decode_loop.h). Keeps one record of look-ahead so a
 * loss can be recovered from the next packet's in-band FEC; the look-ahead
 * packet is copied because readers reuse their buffers on the next call. */
#include "opushunt/decode_loop.h"

#include <stdlib.h>
#include <string.h>

void oh_decode_options_init(oh_decode_options *opt) {
  memset(opt, 0, sizeof *opt);
  opt->check_range = 1;
}

typedef struct held {
  oh_record rec;
  uint8_t *buf;
  size_t cap;
} held;

/* Copies rec into h so it survives the reader's next call. */
static int hold(held *h, const oh_record *rec, oh_error *err) {
  h->rec = *rec;
  if (rec->data && rec->len) {
    if (rec->len > h->cap) {
      uint8_t *nb = realloc(h->buf, rec->len);
      if (!nb) return oh_fail(err, OH_ERR_NOMEM, rec->offset, "out of memory");
      h->buf = nb;
      h->cap = rec->len;
    }
    memcpy(h->buf, rec->data, rec->len);
    h->rec.data = h->buf;
  }
  return OH_OK;
}

static void account(oh_decode_stats *st, const oh_decode_event *ev) {
  if (ev->res.ret < 0)
    st->decode_errors++;
  else
    st->samples += (uint64_t)ev->res.ret;
  if (ev->res.kind == OH_CALL_PLC) st->concealed++;
  if (ev->res.kind == OH_CALL_FEC) st->recovered++;
  if (ev->res.kind == OH_CALL_PACKET) st->packets++;
  if (ev->range_checked) {
    st->range_checked++;
    if (!ev->range_ok) {
      st->range_mismatches++;
      if (st->first_mismatch < 0) st->first_mismatch = (int64_t)ev->rec->index;
    }
  }
}

/* Decodes (or conceals) cur; next is the following record when known. */
static int step(oh_session *s, const oh_decode_options *opt, const oh_record *cur,
                const oh_record *next, oh_decode_cb cb, void *user,
                oh_decode_stats *st) {
  oh_decode_event ev;
  memset(&ev, 0, sizeof ev);
  ev.rec = cur;
  if (cur->lost || !cur->data) {
    const uint8_t *nd = next && !next->lost ? next->data : NULL;
    size_t nl = next && !next->lost ? next->len : 0;
    st->lost++;
    oh_session_conceal(s, 0, nd, nl, &ev.res);
  } else {
    ev.parsed = oh_packet_parse(cur->data, cur->len, 0, &ev.pkt, &ev.rule, NULL) == OH_OK;
    if (!ev.parsed) st->invalid_packets++;
    oh_session_decode(s, cur->data, cur->len, &ev.res);
    if (opt->check_range && cur->has_final_range) {
      ev.range_checked = 1;
      ev.range_ok = ev.res.final_range == cur->final_range;
    }
  }
  ev.pcm = oh_session_pcm(s);
  account(st, &ev);
  return cb ? cb(user, &ev) : 0;
}

int oh_decode_run(oh_reader *r, oh_session *s, const oh_decode_options *opt,
                  oh_decode_cb cb, void *user, oh_decode_stats *st,
                  oh_error *err) {
  oh_decode_options defaults;
  held cur = {0}, nxt = {0};
  oh_record rec;
  int have_cur = 0, rc = OH_OK, stop = 0;
  if (!opt) {
    oh_decode_options_init(&defaults);
    opt = &defaults;
  }
  memset(st, 0, sizeof *st);
  st->first_mismatch = -1;
  for (;;) {
    int got = oh_reader_next(r, &rec, err);
    if (got < 0) {
      rc = got;
      st->stop_offset = err ? err->offset : 0;
    }
    if (got <= 0) break;
    st->records++;
    if ((rc = hold(&nxt, &rec, err)) != OH_OK) break;
    if (have_cur && (stop = step(s, opt, &cur.rec, &nxt.rec, cb, user, st)) != 0) break;
    /* Swap: the look-ahead becomes current. */
    {
      held t = cur;
      cur = nxt;
      nxt = t;
    }
    have_cur = 1;
  }
  if (!stop && have_cur) stop = step(s, opt, &cur.rec, NULL, cb, user, st);
  free(cur.buf);
  free(nxt.buf);
  if (stop) return stop;
  return rc;
}
