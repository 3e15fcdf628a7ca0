/* Divides by a count that can be zero. */
__attribute__((noinline)) static int average(int sum, int n) { return sum / n; }

int main(int argc, char **argv) { return average(10, argc - 1); }
