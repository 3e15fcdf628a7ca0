/* Writes one element past a local array. */
__attribute__((noinline)) static int fill(int n) {
  int buf[8];
  int i;
  for (i = 0; i <= n; i++) buf[i] = i;
  return buf[3];
}

int main(void) { return fill(8); }
