/* A libFuzzer target that reads past its input: the ASan report wrapped
 * in libFuzzer's own lines (MS:, Test unit written to ...). */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 0 && data[0] == 'O') return data[size];
  return 0;
}
