/* A libFuzzer target that never returns on some input. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  volatile size_t spin = 0;
  if (size > 0 && data[0] == 'T')
    for (;;) spin++;
  return 0;
}
