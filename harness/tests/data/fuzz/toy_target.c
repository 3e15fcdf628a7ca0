/* A throwaway fuzz target for the `opushunt fuzz` tests: a heap overflow
 * on inputs starting with "CRASH" and an endless loop on inputs starting
 * with "HANG". Each byte is compared on its own, so coverage leads both
 * engines there from a near miss ("CRASX") within a few thousand runs.
 * Built with -DOH_TOY_NO_BUGS it has neither (the clean-run twin). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static int starts(const uint8_t *d, size_t n, const char *p) {
  size_t i;
  for (i = 0; p[i]; i++)
    if (i >= n || d[i] != (uint8_t)p[i]) return 0;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (starts(data, size, "CRASH")) {
#ifndef OH_TOY_NO_BUGS
    volatile char *buf = malloc(4);
    buf[8] = 1; /* the planted heap-buffer-overflow */
    free((void *)buf);
#endif
  }
  if (starts(data, size, "HANG")) {
#ifndef OH_TOY_NO_BUGS
    volatile int forever = 1;
    while (forever) {
    }
#endif
  }
  return 0;
}
