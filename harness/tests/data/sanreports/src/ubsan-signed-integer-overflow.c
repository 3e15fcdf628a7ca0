/* Adds two ints whose sum does not fit, like an unclamped accumulator. */
__attribute__((noinline)) static int mac(int acc, int a, int b) { return acc + a * b; }

int main(int argc, char **argv) { return mac(2147483000, 1000, argc) & 1; }
