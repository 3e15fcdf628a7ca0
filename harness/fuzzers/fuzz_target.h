/* What every fuzz target provides and may use. A target is one function,
 * oh_fuzz_<name>(data, size), that runs one input against one libopus API
 * surface and returns 0; it never exits, never keeps state between calls
 * (every allocation is released before it returns) and never reads files.
 * Engines call it through the drivers (driver_libfuzzer.c for libFuzzer and
 * AFL++, driver_replay.c for the engine-free corpus runner) and the replay
 * runner calls it through oh_fuzz_target_find (`opushunt replay --target`). */
#ifndef OH_FUZZ_TARGET_H
#define OH_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

typedef int (*oh_fuzz_fn)(const uint8_t *data, size_t size);

int oh_fuzz_packet(const uint8_t *data, size_t size);
int oh_fuzz_stream(const uint8_t *data, size_t size);
int oh_fuzz_multistream(const uint8_t *data, size_t size);
int oh_fuzz_projection(const uint8_t *data, size_t size);
int oh_fuzz_custom(const uint8_t *data, size_t size);
int oh_fuzz_repacketizer(const uint8_t *data, size_t size);
int oh_fuzz_pipeline(const uint8_t *data, size_t size);
int oh_fuzz_readers(const uint8_t *data, size_t size);

/* A differential check failed: prints one line
 *   opushunt-oracle: <target>: <what>
 * to stderr and aborts, so every engine records the input as a crash and
 * the triage tool classifies it as an oracle divergence. */
void oh_fuzz_oracle_fail(const char *target, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), noreturn))
#endif
    ;

/* The target called name, or NULL (targets.c). */
oh_fuzz_fn oh_fuzz_target_find(const char *name);

#endif
