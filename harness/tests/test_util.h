/* Small helpers shared by the unit tests: fixture paths, whole-file reads,
 * a seeded reproducible PRNG that prints its seed, hex dumps for failure
 * messages, and the quick mode used under Valgrind. */
#ifndef OH_TEST_UTIL_H
#define OH_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/reader.h"

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

/* Bytes a guarded copy may hold. */
#define OH_TEST_GUARD_SPAN (4 * 4096)

/* Copies data (len <= OH_TEST_GUARD_SPAN, else the test aborts) so that its
 * last byte sits just before a PROT_NONE page: an over-read faults instead
 * of reading stray bytes. The copy is valid until the next call. */
const uint8_t *oh_test_guarded(const uint8_t *data, size_t len);

/* corpus/samples/NAME read whole (test fails if absent). Caller frees. */
uint8_t *oh_test_sample(const char *name, size_t *len);

/* Every record a reader hands out, copied, with how the stream ended. */
typedef struct oh_test_got {
  oh_record rec;
  uint8_t *bytes;  /* copy of rec.data (rec.len bytes) */
} oh_test_got;

typedef struct oh_test_run {
  oh_test_got *v;
  size_t n;
  int end;            /* 0 clean end, else the error code */
  oh_error err;
  oh_stream_info info; /* as the reader says at the end */
  char describe[256];  /* as the reader says at the end */
} oh_test_run;

/* Reads buf to its end with format fmt, calling check (may be NULL) on
 * every record before copying it. Aborts past 100,000 records. Returns
 * out->end. */
int oh_test_run_reader(oh_format fmt, const uint8_t *buf, size_t len,
                       const oh_reader_options *opt,
                       void (*check)(const oh_record *rec, const uint8_t *buf, size_t len),
                       oh_test_run *out);
void oh_test_run_free(oh_test_run *run);

#endif
