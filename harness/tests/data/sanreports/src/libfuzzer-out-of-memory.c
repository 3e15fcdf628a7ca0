/* A libFuzzer target that asks for more memory than -malloc_limit_mb. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 0 && data[0] == 'M') {
    volatile char *p = malloc((size_t)1 << 31);
    if (p) { p[0] = 1; free((void *)p); }
  }
  return 0;
}
