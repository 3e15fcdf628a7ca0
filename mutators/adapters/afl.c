/* AFL++ (4.04c) adapter of the structure-aware mutator, built as the module
 * AFL_CUSTOM_MUTATOR_LIBRARY loads. OPUSHUNT_MUTATOR_TARGET (required) names
 * the fuzz target; the seed is the one afl-fuzz passes to init. It returns
 * its own reusable buffer (never NULL, never AFL's), describes each
 * mutation by its operator names, and trims structurally (whole records,
 * entries, frames; the result never grows). AFL++ ships no headers here:
 * the afl state pointer is opaque. afl-fuzz 4.04c does not check what init
 * returns (a NULL state crashes it at the first call), so init ends the
 * process with a message when it cannot start. OPUSHUNT_MUTATOR_BREAK and
 * OPUSHUNT_MUTATOR_BYTES (0..1) override the break and byte-fallback
 * probabilities. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/mutate.h"

#define OH_AFL_API __attribute__((visibility("default")))
#define OH_AFL_BUF (1u << 16)

typedef struct oh_afl {
  oh_mutator *m;
  uint8_t *buf; /* what afl_custom_fuzz hands back, reused */
  size_t cap;
  char desc[128];
} oh_afl;

OH_AFL_API void *afl_custom_init(void *afl, unsigned int seed);
OH_AFL_API size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
                                  uint8_t **out_buf, uint8_t *add_buf,
                                  size_t add_buf_size, size_t max_size);
OH_AFL_API const char *afl_custom_describe(void *data, size_t max_len);
OH_AFL_API void afl_custom_deinit(void *data);
OH_AFL_API int32_t afl_custom_init_trim(void *data, uint8_t *buf,
                                        size_t buf_size);
OH_AFL_API size_t afl_custom_trim(void *data, uint8_t **out_buf);
OH_AFL_API int32_t afl_custom_post_trim(void *data, uint8_t success);

#define OH_AFL_TARGETS                                                    \
  "packet, stream, multistream, projection, custom, repacketizer, "      \
  "pipeline, readers"

/* Ends afl-fuzz with a message: see the header comment. */
static void oh_afl_fail(const char *what, const char *arg) {
  fprintf(stderr, "opushunt mutator: %s%s\n", what, arg ? arg : "");
  exit(EXIT_FAILURE);
}

void *afl_custom_init(void *afl, unsigned int seed) {
  const char *target = getenv("OPUSHUNT_MUTATOR_TARGET"), *bad = NULL;
  oh_mutator_options opt;
  oh_afl *st;
  (void)afl;
  if (!target || !*target)
    oh_afl_fail("OPUSHUNT_MUTATOR_TARGET is not set; set it to the fuzz "
                "target: " OH_AFL_TARGETS, NULL);
  if (!oh_mutator_target_known(target))
    oh_afl_fail("OPUSHUNT_MUTATOR_TARGET names no fuzz target (known: "
                OH_AFL_TARGETS "): ", target);
  oh_mutator_options_init(&opt);
  if (oh_mutator_options_env(&opt, &bad) != 0)
    oh_afl_fail("not a number in 0..1: ", bad);
  st = calloc(1, sizeof *st);
  if (st) {
    st->buf = malloc(OH_AFL_BUF);
    st->cap = OH_AFL_BUF;
    st->m = oh_mutator_new(target, seed, &opt);
  }
  if (!st || !st->buf || !st->m) {
    afl_custom_deinit(st);
    oh_afl_fail("out of memory", NULL);
  }
  return st;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
                       uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size) {
  oh_afl *st = data;
  if (max_size > st->cap) {
    uint8_t *b = realloc(st->buf, max_size);
    if (b) {
      st->buf = b;
      st->cap = max_size;
    }
  }
  *out_buf = st->buf;
  return oh_mutate(st->m, buf, buf_size, st->buf,
                   max_size < st->cap ? max_size : st->cap, add_buf,
                   add_buf_size);
}

const char *afl_custom_describe(void *data, size_t max_len) {
  oh_afl *st = data;
  const char *last = oh_mutator_last(st->m);
  size_t n = strlen(last);
  if (n == 0) {
    last = "ohmutate";
    n = 8;
  }
  if (n > sizeof st->desc - 1) n = sizeof st->desc - 1;
  if (n > max_len) n = max_len;
  memcpy(st->desc, last, n);
  st->desc[n] = '\0';
  return st->desc;
}

void afl_custom_deinit(void *data) {
  oh_afl *st = data;
  if (!st) return;
  oh_mutator_free(st->m);
  free(st->buf);
  free(st);
}

int32_t afl_custom_init_trim(void *data, uint8_t *buf, size_t buf_size) {
  oh_afl *st = data;
  size_t steps = oh_trim_init(st->m, buf, buf_size);
  return steps > INT32_MAX ? INT32_MAX : (int32_t)steps;
}

size_t afl_custom_trim(void *data, uint8_t **out_buf) {
  oh_afl *st = data;
  const uint8_t *out = NULL;
  size_t n = oh_trim_step(st->m, &out);
  /* AFL copies the bytes; they stay ours until the next call. */
  *out_buf = (uint8_t *)(uintptr_t)out;
  return n;
}

int32_t afl_custom_post_trim(void *data, uint8_t success) {
  oh_afl *st = data;
  size_t next = oh_trim_post(st->m, success);
  return next > INT32_MAX ? INT32_MAX : (int32_t)next;
}
