/* Branches on heap memory nobody wrote (run with --track-origins=yes). */
#include <stdlib.h>

__attribute__((noinline)) static int gain_of(const int *state) {
  if (state[1] > 0) return 1;
  return 0;
}

int main(void) {
  int *fresh = malloc(4 * sizeof(int));
  int r = gain_of(fresh);
  free(fresh);
  return r;
}
