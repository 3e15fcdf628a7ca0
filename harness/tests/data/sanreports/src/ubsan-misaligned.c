/* Loads an int from an odd address. */
#include <string.h>

__attribute__((noinline)) static int read32(const unsigned char *p) {
  return *(const int *)p;
}

int main(int argc, char **argv) {
  unsigned char buf[16];
  memset(buf, 0, sizeof buf);
  return read32(buf + argc);
}
