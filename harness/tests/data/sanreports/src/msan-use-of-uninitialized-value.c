/* Branches on a heap value nobody wrote, passed through a copy so the
 * origin chain has a store step. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int gain_of(const int *state) {
  if (state[1] > 0) return 1;
  return 0;
}

int main(void) {
  int *fresh = malloc(4 * sizeof(int));
  int copy[4];
  memcpy(copy, fresh, sizeof copy);
  free(fresh);
  return gain_of(copy);
}
