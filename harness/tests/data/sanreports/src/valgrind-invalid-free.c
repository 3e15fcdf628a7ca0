/* Frees the same block twice. */
#include <stdlib.h>

__attribute__((noinline)) static void release(void *p) { free(p); }

int main(void) {
  char *p = malloc(32);
  release(p);
  release(p);
  return 0;
}
