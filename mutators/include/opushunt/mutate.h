/* Structure-aware mutation of opushunt fuzz inputs, engine-neutral: parses an
 * input the way its fuzz target reads it (one raw packet, an OHS1 script with
 * records, an OHS1 pipeline script with a u16be length-prefixed body, or any
 * bytes for the readers), edits that model with named operators (packet
 * fields per RFC 6716, records, header, framing) and writes it back. Rules
 * are broken on purpose with a tunable probability; inputs that do not parse
 * fall back to byte mutation. Deterministic: the same seed, inputs and call
 * sequence give the same outputs. Thin adapters wrap it for libFuzzer
 * (adapters/libfuzzer.c) and AFL++ (adapters/afl.c). */
#ifndef OPUSHUNT_MUTATE_H
#define OPUSHUNT_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Byte-level mutation of data[0..size) in place, growing to at most max_size
 * bytes; returns the new size (<= max_size). size >= 1 and max_size >= 1 on
 * every call. The libFuzzer adapter passes LLVMFuzzerMutate. */
typedef size_t (*oh_byte_mutate_fn)(void *ctx, uint8_t *data, size_t size,
                                    size_t max_size);

typedef struct oh_mutator_options {
  /* Probability that an operator deliberately breaks a rule: an RFC 6716
   * packet rule (R1-R7), a lying length, an API-illegal value (frame size,
   * rate, channel layout, CTL). 0..1, default 0.1. */
  double break_prob;
  /* Probability that a mutation is plain byte havoc over the whole input
   * (which may break the script structure). 0..1, default 0.02. */
  double byte_prob;
  /* Most operators stacked in one mutation (1..16, default 4; the count is
   * geometric, so most mutations apply one or two). */
  int max_stack;
  /* Byte mutation of packet payloads; NULL: the core's own havoc. */
  oh_byte_mutate_fn byte_mutate;
  void *byte_ctx;
} oh_mutator_options;

void oh_mutator_options_init(oh_mutator_options *opt);
/* Overrides break_prob and byte_prob from OPUSHUNT_MUTATOR_BREAK and
 * OPUSHUNT_MUTATOR_BYTES when set (for the engine adapters). Returns 0, or
 * -1 with *bad naming a variable that is not a number in 0..1. */
int oh_mutator_options_env(oh_mutator_options *opt, const char **bad);

typedef struct oh_mutator oh_mutator;

/* 1 when name is a fuzz target the mutator knows (harness/fuzzers/TARGETS). */
int oh_mutator_target_known(const char *name);

/* A mutator for one target, seeded. opt may be NULL (defaults). Returns
 * NULL for an unknown target, bad options or no memory. */
oh_mutator *oh_mutator_new(const char *target, uint64_t seed,
                           const oh_mutator_options *opt);
void oh_mutator_free(oh_mutator *m);
/* Restarts the random sequence (libFuzzer passes a seed per call). */
void oh_mutator_reseed(oh_mutator *m, uint64_t seed);
const char *oh_mutator_target(const oh_mutator *m);

/* Mutates in[0..len) into out (at most max_out bytes; out may equal in).
 * other (may be NULL) is a donor for splices. Returns the output size
 * (0 only when max_out is 0). */
size_t oh_mutate(oh_mutator *m, const uint8_t *in, size_t len, uint8_t *out,
                 size_t max_out, const uint8_t *other, size_t other_len);

/* Combines a and b structurally (records, frames, body entries; bytes for
 * readers) into out. Returns the output size. */
size_t oh_mutate_crossover(oh_mutator *m, const uint8_t *a, size_t alen,
                           const uint8_t *b, size_t blen, uint8_t *out,
                           size_t max_out);

/* ---- Operators ------------------------------------------------------------
 * Every operator has a stable name ("pkt.config", "brk.r4-code2-length",
 * "rec.insert-fec", ...) and a hit counter per mutator (applications that
 * changed the model). */

typedef enum oh_mut_class {
  OH_MUT_VALID = 0, /* keeps packets and the script well-formed */
  OH_MUT_BREAK = 1  /* breaks a rule on purpose (chosen with break_prob) */
} oh_mut_class;

size_t oh_mutator_op_count(void);
const char *oh_mutator_op_name(size_t op); /* NULL past the end */
int oh_mutator_op_class(size_t op);        /* oh_mut_class */
/* The operator called name, or -1. */
int oh_mutator_op_find(const char *name);
/* 1 when the operator can run for this mutator's target. */
int oh_mutator_op_applies(const oh_mutator *m, size_t op);
uint64_t oh_mutator_op_hits(const oh_mutator *m, size_t op);
void oh_mutator_clear_hits(oh_mutator *m);
/* The operators of the last oh_mutate call, "pkt.config+rec.dup" (for
 * afl_custom_describe and logs). Valid until the next call. */
const char *oh_mutator_last(const oh_mutator *m);

/* Applies exactly one operator (no byte fallback, no stacking). *applied
 * (may be NULL) is set to 1 when the operator changed the input; the output
 * is the input rewritten otherwise. For tests and debugging. */
size_t oh_mutate_with(oh_mutator *m, size_t op, const uint8_t *in, size_t len,
                      uint8_t *out, size_t max_out, const uint8_t *other,
                      size_t other_len, int *applied);

/* ---- Trimming (AFL++ custom trim) ------------------------------------------
 * Removes whole units and never grows: records (script targets), body
 * entries (pipeline), frames and padding (packet), code-3 frames of script
 * packets, byte chunks (readers). oh_trim_init returns the number of steps
 * (0: nothing to trim); oh_trim_step gives the next candidate (a buffer the
 * mutator owns, valid until the next call, never larger than the current
 * input); oh_trim_post tells whether the target accepted it (the candidate
 * becomes the current input) and returns the next step index: trimming ends
 * when it reaches the count oh_trim_init returned. */
size_t oh_trim_init(oh_mutator *m, const uint8_t *in, size_t len);
size_t oh_trim_step(oh_mutator *m, const uint8_t **out);
size_t oh_trim_post(oh_mutator *m, int success);

/* ---- Validity --------------------------------------------------------------
 * Parses a packet of `streams` Opus streams (the first streams-1 in
 * self-delimited framing, RFC 6716 Appendix B, as multistream packets are;
 * streams <= 1: a plain packet). Returns OH_OK, or OH_ERR_MALFORMED with
 * *rule (may be NULL) set to the first broken rule. */
int oh_mutate_packet_check(int streams, const uint8_t *data, size_t len,
                           oh_rule *rule);

#ifdef __cplusplus
}
#endif
#endif
