/* A libFuzzer target that hits a libopus-style assertion: celt_fatal()
 * prints its message and aborts, libFuzzer reports a deadly signal. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void celt_fatal(const char *str, const char *file, int line) {
  fprintf(stderr, "Fatal (internal) error in %s, line %d: %s\n", file, line, str);
  abort();
}

#define celt_assert(cond) \
  do { if (!(cond)) celt_fatal("assertion failed: " #cond, "celt/celt_decoder.c", 123); } while (0)

__attribute__((noinline)) static void celt_decode_lost(int N) { celt_assert(N <= 960); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 0) celt_decode_lost(data[0] * 8);
  return 0;
}
