/* Writes through a wild pointer into unmapped memory. */
#include <stdint.h>

__attribute__((noinline)) static void store(int *p) { *p = 7; }

int main(void) {
  store((int *)(uintptr_t)0x10000);
  return 0;
}
