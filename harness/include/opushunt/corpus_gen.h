/* The seed corpus: a deterministic generator of named seed inputs for every
 * fuzz target (packets, OHS1 stream scripts, containers), built with the
 * libopus encoder from fixed synthetic signals, and the rules for placing
 * seeds into a corpus folder without ever replacing a user's file unasked.
 * `opushunt corpus generate` is a thin layer over this; corpus_gen.c lists
 * what is generated. */
#ifndef OPUSHUNT_CORPUS_GEN_H
#define OPUSHUNT_CORPUS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fuzz targets, in the order of harness/fuzzers/TARGETS. */
typedef enum oh_corpus_target {
  OH_CT_PACKET = 0,
  OH_CT_STREAM,
  OH_CT_MULTISTREAM,
  OH_CT_PROJECTION,
  OH_CT_CUSTOM,
  OH_CT_REPACKETIZER,
  OH_CT_PIPELINE,
  OH_CT_READERS,
  OH_CT_COUNT
} oh_corpus_target;

/* "packet", "stream", ...; NULL outside 0..OH_CT_COUNT-1. */
const char *oh_corpus_target_name(int target);
/* The target called name, or -1. */
int oh_corpus_target_from_name(const char *name);

/* Receives one seed: target folder name, file name, bytes (valid during
 * the call only). Returns OH_OK to go on, or a negative oh_status (with err
 * filled) to stop the generator, which then returns that status. */
typedef int (*oh_corpus_emit_fn)(void *user, const char *target,
                                 const char *name, const uint8_t *data,
                                 size_t len, oh_error *err);

typedef struct oh_corpus_gen_options {
  unsigned targets;        /* bit (1u << oh_corpus_target) per target;
                              0 = all */
  const char *testvectors; /* folder holding the official testvectorNN.bit,
                              or NULL: no vector-derived seeds */
} oh_corpus_gen_options;

/* Names and bytes are the same on every run with the same libopus build
 * (encoder output may differ between float builds and compilers). Every
 * seed is checked before it is emitted: packets parse and carry the TOC
 * their name claims, scripts serialise. Returns OH_OK or the first error
 * (an encoder failure, a claim that does not hold, a vector that cannot be
 * read, or the emit callback's status). */
int oh_corpus_generate(const oh_corpus_gen_options *opt, oh_corpus_emit_fn emit,
                       void *user, oh_error *err);

/* What oh_corpus_store did with one seed. */
typedef enum oh_corpus_store_outcome {
  OH_CS_WRITTEN = 0,  /* new file, or replaced under force */
  OH_CS_UNCHANGED,    /* a file with identical bytes was already there */
  OH_CS_SKIPPED       /* a different file is there and force is off */
} oh_corpus_store_outcome;

/* Places a seed at dir/target/name: creates dir and dir/target when
 * missing, leaves an identical file alone, replaces a different one only
 * when force is set, and writes atomically (temporary file + rename). The
 * target must be a fuzz target name (never "regressions") and name a plain
 * file name (no '/', not starting with '.'). */
int oh_corpus_store(const char *dir, const char *target, const char *name,
                    const uint8_t *data, size_t len, int force,
                    oh_corpus_store_outcome *outcome, oh_error *err);

#ifdef __cplusplus
}
#endif
#endif
