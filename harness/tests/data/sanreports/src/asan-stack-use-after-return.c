/* Returns the address of a local and writes through it later (needs
 * ASAN_OPTIONS=detect_stack_use_after_return=1). */
__attribute__((noinline)) static int *leak_local(void) {
  int x[4] = {0};
  int *volatile p = x;
  return p;
}

int main(void) {
  int *p = leak_local();
  p[1] = 4;
  return 0;
}
