/* Reads one int past a 40-byte heap buffer, with ordinary program output on
 * stdout interleaved (the fixture captures stdout and stderr together). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int sum(const int *v, int n) {
  int s = 0, i;
  for (i = 0; i <= n; i++) s += v[i];
  return s;
}

int main(void) {
  int *v = calloc(10, sizeof *v);
  printf("decoding frame 3\n");
  fflush(stdout);
  printf("sum %d\n", sum(v, 10));
  free(v);
  return 0;
}
