/* The engine entry point of one fuzz target: libFuzzer links it with
 * -fsanitize=fuzzer; AFL++ builds the same file with afl-clang-fast and
 * -fsanitize=fuzzer, which swaps in AFL++'s own driver (persistent mode,
 * test cases in shared memory). OH_FUZZ_TARGET_FN names the target function
 * (a compile definition set per binary by CMakeLists.txt). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_target.h"

#ifndef OH_FUZZ_TARGET_FN
#error "OH_FUZZ_TARGET_FN must name the target function (e.g. oh_fuzz_stream)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return OH_FUZZ_TARGET_FN(data, size);
}
