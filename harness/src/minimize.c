/* The minimiser's engine (see minimize.h): the run state and its budget,
 * the trial loop that batches candidates for the oracle and remembers every
 * verdict by content, the two generic reductions (chunk removal in the
 * manner of delta debugging, chunk zeroing), the raw-packet and plain-bytes
 * layouts, and oh_minimize itself. The script and packet stages live in
 * minimize_script.c and minimize_packet.c. */
#include "minimize_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opushunt/script.h"

/* ---- Buffers, time, rank ------------------------------------------------ */

int oh_min_buf_reserve(oh_min_buf *b, size_t cap) {
  uint8_t *p;
  if (cap == 0) cap = 1;
  if (b->cap >= cap) return OH_OK;
  p = realloc(b->p, cap);
  if (!p) return OH_ERR_NOMEM;
  b->p = p;
  b->cap = cap;
  return OH_OK;
}

static double oh_min_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t oh_min_nonzero(const uint8_t *p, size_t n) {
  size_t i, nz = 0;
  for (i = 0; i < n; i++) nz += p[i] != 0;
  return nz;
}

static size_t oh_min_cfg(const oh_min *m, const uint8_t *p, size_t n) {
  return m->layout == OH_MIN_SCRIPT ? oh_min_script_cfg(p, n) : 0;
}

/* Simpler than the best: fewer bytes, else fewer header fields off their
 * simplest value, else fewer non-zero bytes. Every acceptance lowers this
 * rank, so the minimiser ends. */
static int oh_min_better(const oh_min *m, const oh_min_buf *b) {
  size_t cfg;
  if (b->len != m->best.len) return b->len < m->best.len;
  cfg = oh_min_cfg(m, b->p, b->len);
  if (cfg != m->best_cfg) return cfg < m->best_cfg;
  return oh_min_nonzero(b->p, b->len) < m->best_nz;
}

static void oh_min_rank_best(oh_min *m) {
  m->best_cfg = oh_min_cfg(m, m->best.p, m->best.len);
  m->best_nz = oh_min_nonzero(m->best.p, m->best.len);
}

/* ---- Remembered verdicts ------------------------------------------------- */

/* Two independent 64-bit hashes: a false "seen" needs both to collide. */
static void oh_min_hash(const uint8_t *p, size_t n, uint64_t h[2]) {
  uint64_t a = 0xcbf29ce484222325ull ^ n, b = 0x9e3779b97f4a7c15ull + n;
  size_t i;
  for (i = 0; i < n; i++) {
    a = (a ^ p[i]) * 0x100000001b3ull;
    b = (b ^ p[i]) * 0xff51afd7ed558ccdull;
    b ^= b >> 29;
  }
  h[0] = a;
  h[1] = b;
}

static oh_min_seen *oh_min_seen_find(oh_min *m, const uint64_t h[2], size_t len) {
  size_t mask = m->seen_cap - 1, i;
  if (!m->seen_cap) return NULL;
  for (i = h[0] & mask; m->seen[i].used; i = (i + 1) & mask)
    if (m->seen[i].h1 == h[0] && m->seen[i].h2 == h[1] && m->seen[i].len == len)
      return &m->seen[i];
  return NULL;
}

static void oh_min_seen_put(oh_min_seen *tab, size_t cap, const oh_min_seen *e) {
  size_t mask = cap - 1, i;
  for (i = e->h1 & mask; tab[i].used; i = (i + 1) & mask) {
  }
  tab[i] = *e;
}

static int oh_min_seen_add(oh_min *m, const uint64_t h[2], size_t len, int keep) {
  oh_min_seen e;
  if (oh_min_seen_find(m, h, len)) return OH_OK;
  if (2 * (m->seen_n + 1) > m->seen_cap) {
    size_t ncap = m->seen_cap ? 2 * m->seen_cap : 256, i;
    oh_min_seen *n = calloc(ncap, sizeof *n);
    if (!n) return OH_ERR_NOMEM;
    for (i = 0; i < m->seen_cap; i++)
      if (m->seen[i].used) oh_min_seen_put(n, ncap, &m->seen[i]);
    free(m->seen);
    m->seen = n;
    m->seen_cap = ncap;
  }
  e.h1 = h[0];
  e.h2 = h[1];
  e.len = len;
  e.keep = keep;
  e.used = 1;
  oh_min_seen_put(m->seen, m->seen_cap, &e);
  m->seen_n++;
  return OH_OK;
}

/* ---- The trial loop ------------------------------------------------------ */

static void oh_min_accept(oh_min *m, const char *stage, int slot) {
  oh_min_buf t = m->best;
  m->best = m->pend[slot];
  m->pend[slot] = t;
  oh_min_rank_best(m);
  m->progress = 1;
  strncpy(m->st->stage, stage, sizeof m->st->stage - 1);
  m->st->stage[sizeof m->st->stage - 1] = '\0';
}

/* 1 when the budget allows another oracle call; else sets m->stopped. */
static int oh_min_budget_left(oh_min *m) {
  if (m->stopped) return 0;
  if (m->st->tests >= m->max_tests) m->stopped = 1;
  else if (m->max_seconds > 0 && oh_min_now() - m->t0 >= m->max_seconds)
    m->stopped = 2;
  return !m->stopped;
}

/* Hands pend[0..npend) to the oracle (fewer when the budget ends first). */
static int oh_min_flush(oh_min *m, const char *stage, int npend, size_t *which) {
  int k = npend, i, rc;
  if (!oh_min_budget_left(m)) return OH_MIN_STOP;
  if (k > m->max_tests - m->st->tests) k = m->max_tests - m->st->tests;
  for (i = 0; i < k; i++) {
    m->bufs[i] = m->pend[i].p;
    m->lens[i] = m->pend[i].len;
    m->keep[i] = 0;
  }
  rc = m->test(m->ctx, m->bufs, m->lens, k, m->keep);
  m->st->oracle_calls++;
  if (rc != 0) {
    m->stopped = 3;
    return OH_MIN_STOP;
  }
  m->st->tests += k;
  for (i = 0; i < k; i++) {
    rc = oh_min_seen_add(m, m->pend_h + 2 * i, m->pend[i].len, m->keep[i] != 0);
    if (rc != OH_OK) return rc;
  }
  for (i = 0; i < k; i++)
    if (m->keep[i]) {
      *which = m->pend_idx[i];
      oh_min_accept(m, stage, i);
      return OH_MIN_ACCEPTED;
    }
  if (k < npend) {
    m->stopped = 1;
    return OH_MIN_STOP;
  }
  return OH_MIN_NONE;
}

static int oh_min_pending(const oh_min *m, int npend, const uint64_t h[2], size_t len) {
  int i;
  for (i = 0; i < npend; i++)
    if (m->pend_h[2 * i] == h[0] && m->pend_h[2 * i + 1] == h[1] && m->pend[i].len == len)
      return 1;
  return 0;
}

int oh_min_try(oh_min *m, const char *stage, oh_min_gen gen, void *g, size_t from,
               size_t n, size_t *which) {
  int npend = 0, rc;
  size_t i;
  for (i = from; i < n && !m->stopped; i++) {
    oh_min_buf *b = &m->pend[npend];
    const oh_min_seen *seen;
    uint64_t h[2];
    rc = gen(m, g, i, b);
    if (rc < 0) return rc;
    if (rc == 0 || !oh_min_better(m, b)) continue;
    oh_min_hash(b->p, b->len, h);
    if (oh_min_pending(m, npend, h, b->len)) continue;
    seen = oh_min_seen_find(m, h, b->len);
    if (seen) {
      /* A known verdict: the pending candidates come first in order, and
       * this one stays in its buffer, after theirs, meanwhile. */
      int keep = seen->keep, slot = npend;
      if (npend && (rc = oh_min_flush(m, stage, npend, which)) != OH_MIN_NONE) return rc;
      npend = 0;
      if (keep) {
        *which = i;
        oh_min_accept(m, stage, slot);
        return OH_MIN_ACCEPTED;
      }
      continue;
    }
    m->pend_h[2 * npend] = h[0];
    m->pend_h[2 * npend + 1] = h[1];
    m->pend_idx[npend] = i;
    npend++;
    if (npend == m->batch) {
      rc = oh_min_flush(m, stage, npend, which);
      if (rc != OH_MIN_NONE) return rc;
      npend = 0;
    }
  }
  if (m->stopped) return OH_MIN_STOP;
  return npend ? oh_min_flush(m, stage, npend, which) : OH_MIN_NONE;
}

/* ---- Generic reductions -------------------------------------------------- */

typedef struct oh_min_round {
  oh_min_units *u;
  size_t c;     /* chunk size */
  size_t pos;   /* first chunk's start */
  size_t nsubs; /* leading "keep chunk k alone" candidates */
  oh_min_op op; /* what the other candidates do to their chunk */
} oh_min_round;

static size_t oh_min_chunks(size_t n, size_t pos, size_t c) {
  return pos >= n ? 0 : (n - pos + c - 1) / c;
}

static int oh_min_round_gen(oh_min *m, void *g, size_t i, oh_min_buf *out) {
  oh_min_round *r = g;
  size_t n = r->u->n, a;
  if (i < r->nsubs) {
    a = i * r->c;
    return r->u->emit(m, r->u->ctx, OH_MIN_KEEP_ONLY, a, a + r->c < n ? a + r->c : n, out);
  }
  a = r->pos + (i - r->nsubs) * r->c;
  return r->u->emit(m, r->u->ctx, r->op, a, a + r->c < n ? a + r->c : n, out);
}

/* Runs rounds of chunk size c, c/2, ..., 1. After an accepted chunk the
 * round resumes at the same place (the chunks before it were tried), after
 * an accepted "keep alone" it starts over on what is left. */
static int oh_min_rounds(oh_min *m, const char *stage, oh_min_units *u, oh_min_op op) {
  oh_min_round r;
  int subs = 0, rc;
  memset(&r, 0, sizeof r);
  r.u = u;
  r.op = op;
  r.c = u->n;
  while (u->n > 0 && !m->stopped) {
    size_t which = 0, nchunks = oh_min_chunks(u->n, 0, r.c);
    r.nsubs = subs && op == OH_MIN_REMOVE && nchunks >= 3 && nchunks <= 8 ? nchunks : 0;
    rc = oh_min_try(m, stage, oh_min_round_gen, &r, 0,
                    r.nsubs + oh_min_chunks(u->n, r.pos, r.c), &which);
    if (rc < 0) return rc;
    if (rc == OH_MIN_STOP) return OH_OK;
    if (rc == OH_MIN_ACCEPTED) {
      int kept_alone = which < r.nsubs;
      rc = u->reload(m, u->ctx, &u->n);
      if (rc < 0) return rc;
      if (rc == 1) return OH_OK;
      subs = 0;
      if (kept_alone) {
        r.c = (u->n + 1) / 2;
        r.pos = 0;
      } else {
        r.pos += (which - r.nsubs) * r.c + (op == OH_MIN_ZERO ? r.c : 0);
      }
      continue;
    }
    if (r.c <= 1) break;
    r.c = (r.c + 1) / 2;
    r.pos = 0;
    subs = 1;
  }
  return OH_OK;
}

int oh_min_ddmin(oh_min *m, const char *stage, oh_min_units *u) {
  return oh_min_rounds(m, stage, u, OH_MIN_REMOVE);
}

int oh_min_zero(oh_min *m, const char *stage, oh_min_units *u) {
  return oh_min_rounds(m, stage, u, OH_MIN_ZERO);
}

/* ---- Plain bytes --------------------------------------------------------- */

/* The best's bytes rebuilt with [a, b) kept alone, removed or zeroed. */
static int oh_min_bytes_emit(oh_min *m, void *ctx, oh_min_op op, size_t a, size_t b,
                             oh_min_buf *out) {
  const uint8_t *p = m->best.p;
  size_t n = m->best.len;
  (void)ctx;
  if (oh_min_buf_reserve(out, n) != OH_OK) return OH_ERR_NOMEM;
  if (op == OH_MIN_KEEP_ONLY) {
    memcpy(out->p, p + a, b - a);
    out->len = b - a;
  } else if (op == OH_MIN_REMOVE) {
    memcpy(out->p, p, a);
    memcpy(out->p + a, p + b, n - b);
    out->len = n - (b - a);
  } else {
    if (oh_min_nonzero(p + a, b - a) == 0) return 0;
    memcpy(out->p, p, n);
    memset(out->p + a, 0, b - a);
    out->len = n;
  }
  return 1;
}

static int oh_min_bytes_reload(oh_min *m, void *ctx, size_t *n) {
  (void)ctx;
  *n = m->best.len;
  return OH_OK;
}

static int oh_min_bytes_pass(oh_min *m) {
  oh_min_units u = {NULL, 0, oh_min_bytes_emit, oh_min_bytes_reload};
  int rc;
  u.n = m->best.len;
  rc = oh_min_ddmin(m, OH_MIN_STAGE_BYTES, &u);
  u.n = m->best.len;
  if (rc == OH_OK && !m->stopped) rc = oh_min_zero(m, OH_MIN_STAGE_BYTES, &u);
  return rc;
}

/* ---- One raw packet ------------------------------------------------------ */

static size_t oh_min_raw_count(void *ctx) {
  (void)ctx;
  return 1;
}

static void oh_min_raw_get(void *ctx, size_t i, oh_min_slot *slot) {
  oh_min *m = ctx;
  (void)i;
  slot->data = m->best.p;
  slot->len = m->best.len;
  slot->nsub = 1;
  slot->lo = 1;
}

static int oh_min_raw_emit(oh_min *m, void *ctx, size_t i, const uint8_t *pkt, size_t len,
                           oh_min_buf *out) {
  (void)ctx;
  (void)i;
  if (oh_min_buf_reserve(out, len) != OH_OK) return OH_ERR_NOMEM;
  if (len) memcpy(out->p, pkt, len);
  out->len = len;
  return 1;
}

static int oh_min_raw_reload(oh_min *m, void *ctx) {
  (void)m;
  (void)ctx;
  return OH_OK;
}

static int oh_min_packet_pass(oh_min *m) {
  oh_min_slots sl = {NULL, oh_min_raw_count, oh_min_raw_get, oh_min_raw_emit,
                     oh_min_raw_reload};
  int rc;
  sl.ctx = m;
  rc = oh_min_packet_frames(m, &sl);
  if (rc == OH_OK && !m->stopped) rc = oh_min_packet_payload(m, &sl);
  return rc;
}

/* ---- The run ------------------------------------------------------------- */

static void oh_min_free(oh_min *m) {
  int i;
  for (i = 0; m->pend && i < m->batch; i++) free(m->pend[i].p);
  free(m->pend);
  free(m->pend_idx);
  free(m->pend_h);
  free(m->bufs);
  free(m->lens);
  free(m->keep);
  free(m->seen);
  free(m->best.p);
}

static int oh_min_init(oh_min *m, const uint8_t *in, size_t len, oh_min_layout layout,
                       const oh_min_options *opt, oh_min_test_fn test, void *ctx,
                       oh_min_stats *st) {
  size_t nb;
  memset(m, 0, sizeof *m);
  m->layout = layout;
  m->batch = opt && opt->batch > 1 ? opt->batch : 1;
  m->max_tests = opt && opt->max_tests > 0 ? opt->max_tests : OH_MIN_DEFAULT_MAX_TESTS;
  m->max_seconds = opt && opt->max_seconds > 0 ? opt->max_seconds : 0;
  m->t0 = oh_min_now();
  m->test = test;
  m->ctx = ctx;
  m->st = st;
  nb = (size_t)m->batch;
  m->pend = calloc(nb, sizeof *m->pend);
  m->pend_idx = calloc(nb, sizeof *m->pend_idx);
  m->pend_h = calloc(2 * nb, sizeof *m->pend_h);
  m->bufs = calloc(nb, sizeof *m->bufs);
  m->lens = calloc(nb, sizeof *m->lens);
  m->keep = calloc(nb, sizeof *m->keep);
  if (!m->pend || !m->pend_idx || !m->pend_h || !m->bufs || !m->lens || !m->keep ||
      oh_min_buf_reserve(&m->best, len) != OH_OK)
    return OH_ERR_NOMEM;
  if (len) memcpy(m->best.p, in, len);
  m->best.len = len;
  oh_min_rank_best(m);
  return OH_OK;
}

static int oh_min_pass(oh_min *m) {
  switch (m->layout) {
  case OH_MIN_SCRIPT: return oh_min_script_pass(m);
  case OH_MIN_PACKET: return oh_min_packet_pass(m);
  default: return oh_min_bytes_pass(m);
  }
}

static int oh_min_run(oh_min *m) {
  int rc;
  do {
    m->progress = 0;
    rc = oh_min_pass(m);
  } while (rc == OH_OK && m->progress && !m->stopped);
  return rc;
}

/* The strict parse a script input must pass, its failure as MALFORMED. */
static int oh_min_check_script(const uint8_t *in, size_t len, oh_error *err) {
  oh_script s;
  int rc = oh_script_parse(in, len, 1, &s, err);
  oh_script_free(&s);
  if (rc == OH_OK || rc == OH_ERR_NOMEM) return rc;
  if (err) err->code = OH_ERR_MALFORMED;
  return OH_ERR_MALFORMED;
}

static void oh_min_count(const oh_min *m, const uint8_t *p, size_t len, long *recs,
                         long *pkts) {
  *recs = -1;
  *pkts = -1;
  if (m->layout == OH_MIN_SCRIPT) *recs = oh_min_count_records(p, len, pkts);
}

int oh_minimize(const uint8_t *in, size_t len, oh_min_layout layout,
                const oh_min_options *opt, oh_min_test_fn test, void *ctx, uint8_t **out,
                size_t *out_len, oh_min_stats *st, oh_error *err) {
  oh_min_stats local;
  oh_min m;
  int rc;
  oh_error_clear(err);
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  if (!out || !out_len || !test || (!in && len) || (int)layout < 0 || layout > OH_MIN_BYTES)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "minimise: no oracle, no output, no input or an unknown layout");
  if (!st) st = &local;
  memset(st, 0, sizeof *st);
  st->bytes_before = st->bytes_after = len;
  if (layout == OH_MIN_SCRIPT && (rc = oh_min_check_script(in, len, err)) != OH_OK)
    return rc;
  rc = oh_min_init(&m, in, len, layout, opt, test, ctx, st);
  oh_min_count(&m, in, len, &st->records_before, &st->packets_before);
  if (rc == OH_OK) rc = oh_min_run(&m);
  if (rc != OH_OK) {
    oh_min_free(&m);
    return oh_fail(err, rc, OH_NO_OFFSET, "minimise: %s", oh_strerror(rc));
  }
  st->stopped = m.stopped;
  st->bytes_after = m.best.len;
  oh_min_count(&m, m.best.p, m.best.len, &st->records_after, &st->packets_after);
  *out = m.best.p;
  *out_len = m.best.len;
  m.best.p = NULL;
  oh_min_free(&m);
  return OH_OK;
}
