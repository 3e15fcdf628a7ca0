/* Reads from a block after freeing it: Memcheck "Invalid read" inside a
 * free'd block, with the free stack and the allocation stack. */
#include <stdlib.h>

__attribute__((noinline)) static short *make_state(void) {
  return calloc(64, sizeof(short));
}

__attribute__((noinline)) static void drop_state(short *s) { free(s); }

int main(void) {
  short *s = make_state();
  drop_state(s);
  return s[5];
}
