/* Small helpers shared by the unit tests: fixture paths, whole-file reads,
 * a seeded reproducible PRNG that prints its seed, hex dumps for failure
 * messages, and the quick mode used under Valgrind. */
#ifndef OH_TEST_UTIL_H
#define OH_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* OH_SOURCE_DIR/relpath into buf; aborts the test if OH_SOURCE_DIR unset. */
const char *oh_test_path(const char *relpath, char *buf, size_t cap);

/* Reads a whole file or fails the test. Caller frees. */
uint8_t *oh_test_read(const char *path, size_t *len);

/* 1 when OH_TEST_QUICK is set (under Valgrind): scale loops down. */
int oh_test_quick(void);

/* Scales an iteration count: n normally, n / 100 (at least 1) when quick. */
long oh_test_iterations(long n);

/* xorshift64* PRNG. Seed from OH_TEST_SEED if set, else the given default;
 * the seed is printed once so a failure can be replayed. */
typedef struct oh_test_rng { uint64_t s; } oh_test_rng;
void oh_test_rng_init(oh_test_rng *r, uint64_t default_seed, const char *what);
uint64_t oh_test_rng_next(oh_test_rng *r);
uint32_t oh_test_rng_below(oh_test_rng *r, uint32_t bound);

/* Hex of data[0..len) (at most 64 bytes shown, "..." after) into a static
 * buffer, for assertion messages. */
const char *oh_test_hex(const uint8_t *data, size_t len);

/* Writes a temporary file with the given bytes; returns its malloc'd path. */
char *oh_test_tmpfile(const void *data, size_t len);

#endif
