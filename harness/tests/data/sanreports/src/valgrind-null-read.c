/* Reads through a null pointer: an invalid read, then death by SIGSEGV. */
#include <stddef.h>

__attribute__((noinline)) static int load(const int *p) { return p[2]; }

int main(int argc, char **argv) {
  return load(argc > 5 ? (const int *)argv : NULL);
}
