/* Offsets a pointer so far that the address wraps. */
#include <stdint.h>

__attribute__((noinline)) static const char *advance(const char *p, uintptr_t n) {
  return p + n;
}

int main(int argc, char **argv) {
  return advance(argv[0], UINTPTR_MAX - 16 + (uintptr_t)argc) != 0;
}
