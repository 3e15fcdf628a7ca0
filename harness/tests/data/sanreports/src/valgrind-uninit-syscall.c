/* Hands uninitialised bytes to write(2). */
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  char *buf = malloc(8);
  ssize_t n = write(2, buf, 8);
  free(buf);
  return n < 0;
}
