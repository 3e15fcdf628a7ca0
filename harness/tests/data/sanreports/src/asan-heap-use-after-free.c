/* Allocates in one function, frees in another and reads afterwards, so the
 * report carries an allocation stack and a free stack. */
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
