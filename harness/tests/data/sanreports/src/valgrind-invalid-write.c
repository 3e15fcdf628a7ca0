/* Writes one int past a 7680-byte heap block (Memcheck "Invalid write",
 * block size printed with a thousands separator). */
#include <stdlib.h>

__attribute__((noinline)) static void put(int *v, int i) { v[i] = 1; }

int main(void) {
  int *v = malloc(1920 * sizeof *v);
  put(v, 1920);
  free(v);
  return 0;
}
