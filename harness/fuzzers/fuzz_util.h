/* Helpers the fuzz targets share: buffers of exactly the size asked for
 * (so ASan sees a one-byte overrun), and what this libopus answers to the
 * decoder CTLs that only newer releases have. Header-only (static inline):
 * every target binary links all targets, and each uses its own subset. */
#ifndef OH_FUZZ_UTIL_H
#define OH_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus_defines.h>

/* A buffer of exactly n bytes that ends where its allocation ends, so ASan
 * reports any access past it, even into an empty one (ASan gives malloc(0)
 * a usable byte); the 16 bytes in front keep malloc's alignment. Release
 * with oh_fuzz_release. */
static inline void *oh_fuzz_alloc_exact(size_t n) {
  unsigned char *base = malloc(n + 16);
  return base ? base + 16 : NULL;
}

static inline void oh_fuzz_release(void *p) {
  if (p) free((unsigned char *)p - 16);
}

/* An exact buffer of cap bytes holding the first len (<= cap) bytes of p;
 * NULL when out of memory. */
static inline unsigned char *oh_fuzz_copy_exact(const unsigned char *p, size_t len, size_t cap) {
  unsigned char *c = oh_fuzz_alloc_exact(cap);
  if (c && len) memcpy(c, p, len);
  return c;
}

/* 1 when this libopus predates decoder complexity (1.5), so
 * OPUS_SET_COMPLEXITY must be OPUS_UNIMPLEMENTED; 0 when newer or unknown. */
static inline int oh_fuzz_complexity_unimplemented(void) {
  int major = 0, minor = 0;
  if (sscanf(opus_get_version_string(), "libopus %d.%d", &major, &minor) != 2) return 0;
  return major == 1 && minor < 5;
}

#endif
