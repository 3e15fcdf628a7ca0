/* Reads a member through a null struct pointer. Built twice: with
 * -fno-sanitize-recover (first report stops the program) and with recovery
 * (the program goes on and crashes on the same null pointer). */
#include <stddef.h>

struct decoder { int channels; int rate; };

__attribute__((noinline)) static int rate_of(const struct decoder *d) {
  return d->rate;
}

int main(int argc, char **argv) {
  return rate_of(argc > 5 ? (const struct decoder *)argv : NULL);
}
