/* Several different kinds of undefined behaviour in one run, built with
 * recovery so every one is reported: the parser must find all of them. */
#include <stdbool.h>
#include <string.h>

int main(int argc, char **argv) {
  volatile int big = 2147483647, neg = -argc, idx = 3 + argc;
  volatile double huge = 1e20;
  int table[4] = {0};
  unsigned char raw = 2;
  bool b;
  int sink = 0;
  sink += big + argc;           /* signed-integer-overflow */
  sink += neg << 2;             /* shift-base */
  sink += table[idx];           /* out-of-bounds index */
  sink += (int)huge;            /* float-cast-overflow */
  memcpy(&b, &raw, 1);
  sink += b;                    /* invalid bool */
  if (sink != 12345) __builtin_unreachable(); /* unreachable: always fatal */
  return sink & 1;
}
