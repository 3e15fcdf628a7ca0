/* Reads two ints before the start of a heap buffer: ASan calls it a
 * heap-buffer-overflow located some bytes before the region. */
#include <stdlib.h>

__attribute__((noinline)) static int at(const int *v, int i) { return v[i]; }

int main(void) {
  int *v = calloc(10, sizeof *v);
  int r = at(v, -2);
  free(v);
  return r;
}
