/* Left-shifts a negative value. */
__attribute__((noinline)) static int scale(int v, int shift) { return v << shift; }

int main(int argc, char **argv) { return scale(-argc, 3) & 1; }
