/* libFuzzer adapter of the structure-aware mutator: LLVMFuzzerCustomMutator
 * and LLVMFuzzerCustomCrossOver over the engine-neutral core, with
 * LLVMFuzzerMutate as the byte hook for packet payloads. Linked into a fuzz
 * binary only when the custom mutator is wanted (defining these functions
 * replaces every libFuzzer mutation); OH_MUTATOR_TARGET names the target
 * ("stream", ...). libFuzzer passes a seed per call: each call reseeds, so
 * a mutation is a function of (input, seed). OPUSHUNT_MUTATOR_BREAK and
 * OPUSHUNT_MUTATOR_BYTES (0..1) override the break and byte-fallback
 * probabilities. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "opushunt/mutate.h"

#ifndef OH_MUTATOR_TARGET
#error "OH_MUTATOR_TARGET must name the fuzz target (e.g. -DOH_MUTATOR_TARGET=\"stream\")"
#endif

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

static size_t oh_lf_bytes(void *ctx, uint8_t *data, size_t size,
                          size_t max_size) {
  (void)ctx;
  return LLVMFuzzerMutate(data, size, max_size);
}

static oh_mutator *oh_lf_mutator(void) {
  static oh_mutator *m;
  oh_mutator_options opt;
  const char *bad = NULL;
  if (m) return m;
  oh_mutator_options_init(&opt);
  if (oh_mutator_options_env(&opt, &bad) != 0) {
    fprintf(stderr, "opushunt mutator: bad %s (want a number in 0..1)\n", bad);
    abort();
  }
  opt.byte_mutate = oh_lf_bytes;
  m = oh_mutator_new(OH_MUTATOR_TARGET, 0, &opt);
  if (!m) {
    fprintf(stderr, "opushunt mutator: cannot create the mutator for '%s'\n",
            OH_MUTATOR_TARGET);
    abort();
  }
  return m;
}

/* Length control. Defining a custom mutator switches libFuzzer's own off
 * (-len_control), and unchecked inputs drift towards -max_len: in a 5-minute
 * `stream` campaign they averaged 2.3 times the byte-level ones and ran 4.4
 * times fewer executions for the same coverage. So growth is rationed: 15
 * calls in 16 may add at most a quarter of the input plus 64 bytes, the
 * 16th may use all of max_size. */
static size_t oh_lf_growth_cap(size_t size, size_t max_size, unsigned int seed) {
  size_t cap = size + size / 4 + 64;
  if ((seed & 15u) == 0 || cap > max_size) return max_size;
  return cap;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed) {
  oh_mutator *m = oh_lf_mutator();
  oh_mutator_reseed(m, seed);
  return oh_mutate(m, data, size, data, oh_lf_growth_cap(size, max_size, seed), NULL, 0);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed) {
  oh_mutator *m = oh_lf_mutator();
  size_t larger = size1 > size2 ? size1 : size2;
  oh_mutator_reseed(m, seed);
  return oh_mutate_crossover(m, data1, size1, data2, size2, out,
                             oh_lf_growth_cap(larger, max_out_size, seed));
}
