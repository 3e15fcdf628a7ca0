/* The minimiser behind `opushunt triage`: shrinks a crashing input while an
 * oracle says the crash state is unchanged (the same bug, not any crash).
 * It knows the input's layout (an OHS1 script, one Opus packet, or plain
 * bytes) and works from coarse to fine, repeating the whole sequence until
 * a pass changes nothing or the budget runs out:
 *
 *   1. records   scripts: whole records removed by delta debugging (chunks
 *                of n, n/2, n/4, ... and, at 3..8 chunks, each chunk kept
 *                alone); pipeline: the length-prefixed packets of the body,
 *                with a truncated tail as one unit of its own
 *   2. losses    each packet record turned into a loss ('L' at the header
 *                frame size; pipeline: a zero-length packet)
 *   3. frames    inside each packet, through the RFC 6716 packet model: one
 *                frame kept as a code-0 packet, frames dropped, padding
 *                dropped or halved, frames halved; multistream packets are
 *                edited one inner stream at a time and stay multistream.
 *                A packet that is not valid (or has no model: custom API
 *                frames, a pipeline body's truncated tail) is only cut
 *                short, its TOC (tail: its length prefix) kept.
 *   4. payload   inside each frame's coded bytes (never the TOC or framing
 *                bytes): chunk removal, then chunks set to zero; lengths
 *                are recomputed so a valid packet stays valid. A packet
 *                without a valid model gets the same over the bytes after
 *                its TOC (tail: after its length prefix).
 *   5. config    the script header, one field at a time: rate 48000,
 *                channels 1 (decoder, custom, pipeline), each flag bit
 *                cleared, frame_size 960; pipeline: pcm_capacity 0 and
 *                each pipeline flag bit cleared
 *   plain bytes: chunk removal, then chunk zeroing ("bytes").
 *
 * A candidate is only tried when it is simpler than the best so far: fewer
 * bytes, or as many with fewer header fields off their simplest value
 * (scripts), or as many with fewer non-zero bytes. Candidates go to the
 * oracle up to opt->batch at a time; the first (lowest index) that keeps
 * wins, and every tested candidate's verdict is remembered by content, so
 * no candidate is tested twice and the result does not depend on the batch
 * size (for an oracle that answers the same way every time). Every script
 * candidate parses with oh_script_parse in strict mode. */
#ifndef OPUSHUNT_MINIMIZE_H
#define OPUSHUNT_MINIMIZE_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OH_MIN_DEFAULT_MAX_TESTS 2000

/* The oracle: tests n candidates (n <= batch) and sets keep[i] = 1 when
 * candidate i still shows the same crash state (keep[] arrives zeroed). It
 * may run them in parallel. Returns 0, or -1 to abort minimisation (the
 * best so far is kept; the verdicts of that call are not used). */
typedef int (*oh_min_test_fn)(void *ctx, const uint8_t *const *bufs,
                              const size_t *lens, int n, int *keep);

typedef enum oh_min_layout {
  OH_MIN_SCRIPT = 0, /* an OHS1 script (any api, pipeline included) */
  OH_MIN_PACKET,     /* one raw Opus packet */
  OH_MIN_BYTES       /* anything else: plain bytes */
} oh_min_layout;

typedef struct oh_min_options {
  int batch;          /* candidates per oracle call, >= 1 (the worker
                         count); 0 counts as 1 */
  int max_tests;      /* stop after this many candidate tests (0: 2000) */
  double max_seconds; /* wall clock budget (0: none); checked between
                         oracle calls */
} oh_min_options;

typedef struct oh_min_stats {
  size_t bytes_before, bytes_after;
  long records_before, records_after; /* script records (pipeline: length-
                                         prefixed packets, a truncated tail
                                         one more); -1 for packet/bytes */
  long packets_before, packets_after; /* records that carry a packet (P/F;
                                         pipeline: complete packets of at
                                         least one byte); -1 for
                                         packet/bytes */
  int tests;          /* candidates tested */
  int oracle_calls;
  int stopped;        /* 0 done (fixpoint), 1 max_tests, 2 max_seconds,
                         3 oracle aborted */
  char stage[32];     /* last stage that made progress: "records",
                         "losses", "frames", "payload", "config", "bytes";
                         "" when nothing shrank */
} oh_min_stats;

/* Minimises in[0..len). The input itself must already satisfy the oracle
 * (the caller checked). On success *out is a malloc'd buffer (never NULL,
 * even when nothing shrank) that satisfied the oracle (or is the input
 * unchanged). opt may be NULL (batch 1, defaults); st and err may be NULL.
 * Returns OH_OK, OH_ERR_NOMEM, OH_ERR_ARG (no oracle, no output pointers,
 * an unknown layout), or OH_ERR_MALFORMED when layout is OH_MIN_SCRIPT and
 * the input does not parse strictly (err offset/reason from the script
 * parser; callers then fall back to OH_MIN_BYTES). On an error *out is
 * NULL. */
int oh_minimize(const uint8_t *in, size_t len, oh_min_layout layout,
                const oh_min_options *opt, oh_min_test_fn test, void *ctx,
                uint8_t **out, size_t *out_len, oh_min_stats *st,
                oh_error *err);

/* Counting helpers used by reports: records and packet-carrying records of
 * a script (pipeline: length-prefixed packets in its body, a truncated tail
 * counts as one record; a packet is a complete one of at least one byte).
 * -1 when it does not parse strictly. packets may be NULL. */
long oh_min_count_records(const uint8_t *buf, size_t len, long *packets);

/* "records", "losses", ...: the stage names stats report. */
#define OH_MIN_STAGE_RECORDS "records"
#define OH_MIN_STAGE_LOSSES "losses"
#define OH_MIN_STAGE_FRAMES "frames"
#define OH_MIN_STAGE_PAYLOAD "payload"
#define OH_MIN_STAGE_CONFIG "config"
#define OH_MIN_STAGE_BYTES "bytes"

#ifdef __cplusplus
}
#endif
#endif
