/* Unbounded recursion, as a decoder recursing on nested frames might. */
__attribute__((noinline)) static int descend(volatile int depth) {
  volatile char pad[256];
  pad[0] = (char)depth;
  return descend(depth + 1) + pad[0];
}

int main(void) { return descend(0); }
