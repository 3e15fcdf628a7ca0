/* Internal contract between the minimiser's files: the run state and the
 * candidate trial loop (minimize.c), the two generic reductions over a row
 * of units (chunk removal, chunk zeroing), the packet stages that work on
 * "slots" any container provides (minimize_packet.c), and the script
 * stages (minimize_script.c). */
#ifndef OPUSHUNT_MINIMIZE_IMPL_H
#define OPUSHUNT_MINIMIZE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/minimize.h"

/* A growable byte buffer; candidates are built into these. */
typedef struct oh_min_buf {
  uint8_t *p;
  size_t len, cap;
} oh_min_buf;

/* OH_OK or OH_ERR_NOMEM; cap is at least 1 afterwards. */
int oh_min_buf_reserve(oh_min_buf *b, size_t cap);

/* One remembered verdict (the candidate is known by a 128-bit hash and its
 * length). */
typedef struct oh_min_seen {
  uint64_t h1, h2;
  size_t len;
  int keep;
  int used;
} oh_min_seen;

typedef struct oh_min {
  oh_min_layout layout;
  int batch, max_tests;
  double max_seconds, t0;
  oh_min_test_fn test;
  void *ctx;
  oh_min_buf best;            /* the smallest input the oracle kept */
  size_t best_cfg, best_nz;   /* its rank after the length */
  oh_min_buf *pend;           /* batch candidate buffers */
  size_t *pend_idx;           /* the generator index of each */
  uint64_t *pend_h;           /* two hashes each */
  const uint8_t **bufs;       /* what the oracle gets */
  size_t *lens;
  int *keep;
  oh_min_seen *seen;          /* open addressing, power-of-two size */
  size_t seen_cap, seen_n;
  oh_min_stats *st;
  int stopped;                /* an oh_min_stats.stopped code; 0 running */
  int progress;               /* set by every acceptance */
} oh_min;

/* oh_min_try's results besides a negative oh_status. */
enum { OH_MIN_NONE = 0, OH_MIN_ACCEPTED = 1, OH_MIN_STOP = 2 };

/* Builds candidate i of a round into out from the current best. Returns 1
 * when built, 0 when candidate i does not apply (skipped), or a negative
 * oh_status. */
typedef int (*oh_min_gen)(oh_min *m, void *g, size_t i, oh_min_buf *out);

/* Tries candidates from..n-1 in order, handing the new ones to the oracle
 * in batches, and accepts the first that keeps: it becomes m->best and
 * *which is its index. Returns OH_MIN_ACCEPTED, OH_MIN_NONE, OH_MIN_STOP
 * (budget spent or oracle abort: m->stopped says which) or a negative
 * oh_status. After an acceptance anything the generator parsed from the
 * old best is stale. */
int oh_min_try(oh_min *m, const char *stage, oh_min_gen gen, void *g,
               size_t from, size_t n, size_t *which);

/* A row of n units (records, packets, frames, bytes) a container can
 * rebuild with a range [a, b) kept alone, removed, or zeroed. */
typedef enum oh_min_op { OH_MIN_KEEP_ONLY, OH_MIN_REMOVE, OH_MIN_ZERO } oh_min_op;

typedef struct oh_min_units {
  void *ctx;
  size_t n;
  /* Same return values as oh_min_gen. */
  int (*emit)(oh_min *m, void *ctx, oh_min_op op, size_t a, size_t b,
              oh_min_buf *out);
  /* After an acceptance: re-read the row from m->best into *n. Returns
   * OH_OK, 1 when the row is gone (the reduction ends), or < 0. */
  int (*reload)(oh_min *m, void *ctx, size_t *n);
} oh_min_units;

/* Chunk removal (delta debugging). Returns OH_OK (also when stopped) or a
 * negative oh_status. */
int oh_min_ddmin(oh_min *m, const char *stage, oh_min_units *u);
/* Chunks set to zero, halving the chunk size. Same returns. */
int oh_min_zero(oh_min *m, const char *stage, oh_min_units *u);

/* ---- Packet slots (minimize_packet.c) ---------------------------------- */

/* One packet a container holds. */
typedef struct oh_min_slot {
  const uint8_t *data; /* points into m->best */
  size_t len;
  int nsub;            /* Opus streams in it: 1, or the multistream count;
                          0: opaque bytes (no packet model) */
  size_t lo;           /* opaque: leading bytes never edited */
} oh_min_slot;

typedef struct oh_min_slots {
  void *ctx;
  size_t (*count)(void *ctx);
  void (*get)(void *ctx, size_t i, oh_min_slot *slot);
  /* The best with slot i's bytes replaced by pkt[0..len). Same return
   * values as oh_min_gen. */
  int (*emit)(oh_min *m, void *ctx, size_t i, const uint8_t *pkt, size_t len,
              oh_min_buf *out);
  /* Re-reads the container from m->best after an acceptance (the slot
   * count does not change). OH_OK or < 0. */
  int (*reload)(oh_min *m, void *ctx);
} oh_min_slots;

/* Stage "frames" over every slot, then stage "payload" over every slot.
 * OH_OK (also when stopped) or a negative oh_status. */
int oh_min_packet_frames(oh_min *m, const oh_min_slots *sl);
int oh_min_packet_payload(oh_min *m, const oh_min_slots *sl);

/* ---- Scripts (minimize_script.c) -------------------------------------- */

/* One pass of the script stages (records, losses, frames, payload,
 * config) over m->best, which parses strictly. */
int oh_min_script_pass(oh_min *m);

/* How many header fields of a script are off their simplest value (the
 * rank between the length and the non-zero count); 0 if no header. */
size_t oh_min_script_cfg(const uint8_t *buf, size_t len);

#endif
