/* A plain assert() that fails: glibc prints "Assertion `...' failed." and
 * aborts. */
#include <assert.h>

__attribute__((noinline)) static int frame_size(int n) {
  assert(n <= 960);
  return n;
}

int main(int argc, char **argv) { return frame_size(2000 + argc); }
