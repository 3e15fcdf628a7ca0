/* Shifts by more than the width of the type. */
__attribute__((noinline)) static int scale(int v, int shift) { return v << shift; }

int main(int argc, char **argv) { return scale(1, 31 + argc) & 1; }
