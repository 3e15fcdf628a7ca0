/* Reads one entry past a global table. */
static const short table[21] = {1, 2, 3};

__attribute__((noinline)) static int lookup(int i) { return table[i]; }

int main(int argc, char **argv) { return lookup(20 + argc); }
