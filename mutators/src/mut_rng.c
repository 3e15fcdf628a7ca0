/* The mutator's random numbers: splitmix64 over one 64-bit state per
 * mutator, so a seed and a call sequence fix every choice (no rand(), no
 * time()). */
#include "mut_impl.h"

void oh_rng_seed(oh_rng *r, uint64_t seed) { r->s = seed ^ 0x6f70757368756e74ull; }

uint64_t oh_rng_next(oh_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t oh_rng_below(oh_rng *r, uint32_t n) {
  if (n == 0) return 0;
  /* The high 32 bits scaled by n: no modulo bias worth noticing. */
  return (uint32_t)(((oh_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

uint32_t oh_rng_range(oh_rng *r, uint32_t lo, uint32_t hi) {
  if (hi <= lo) return lo;
  if (hi - lo == UINT32_MAX) return (uint32_t)oh_rng_next(r);
  return lo + oh_rng_below(r, hi - lo + 1);
}

int oh_rng_chance(oh_rng *r, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return (double)(oh_rng_next(r) >> 11) * 0x1.0p-53 < p;
}
