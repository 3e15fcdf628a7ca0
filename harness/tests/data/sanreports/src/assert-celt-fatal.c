/* libopus's celt_fatal() as celt/arch.h defines it, built without any
 * sanitizer: only the message and the abort. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void celt_fatal(const char *str, const char *file, int line) {
  fprintf(stderr, "Fatal (internal) error in %s, line %d: %s\n", file, line, str);
  abort();
}

int main(int argc, char **argv) {
  if (argc < 5) celt_fatal("assertion failed: st->start < st->end", "celt/celt_decoder.c", 1105);
  return 0;
}
