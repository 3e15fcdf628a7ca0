/* Internals shared by the mutator's source files: the random generator, the
 * per-call arena, the input model (header, records, body entries), the
 * multistream packet decomposition, the operator table and the mutator
 * object itself. Nothing here is public API. */
#ifndef OH_MUT_IMPL_H
#define OH_MUT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/mutate.h"
#include "opushunt/packet.h"
#include "opushunt/script.h"

/* ---- Random numbers (mut_rng.c): splitmix64, nothing global ------------- */

typedef struct oh_rng {
  uint64_t s;
} oh_rng;

void oh_rng_seed(oh_rng *r, uint64_t seed);
uint64_t oh_rng_next(oh_rng *r);
/* Uniform in 0..n-1; 0 when n == 0. */
uint32_t oh_rng_below(oh_rng *r, uint32_t n);
/* Uniform in lo..hi inclusive (lo <= hi). */
uint32_t oh_rng_range(oh_rng *r, uint32_t lo, uint32_t hi);
/* 1 with probability p. */
int oh_rng_chance(oh_rng *r, double p);

/* ---- Arena (mut_arena.c): bump allocation, reset per call -------------- */

typedef struct oh_arena_chunk oh_arena_chunk;
typedef struct oh_arena {
  oh_arena_chunk *head, *cur;
  size_t total; /* bytes of all chunks */
} oh_arena;

/* NULL when out of memory or past OH_ARENA_LIMIT. Memory never moves. */
void *oh_arena_alloc(oh_arena *a, size_t n);
uint8_t *oh_arena_dup(oh_arena *a, const uint8_t *p, size_t n);
void oh_arena_reset(oh_arena *a);
void oh_arena_free(oh_arena *a);
#define OH_ARENA_LIMIT ((size_t)64 << 20)

/* ---- Targets (mut_tables.c) --------------------------------------------- */

typedef enum oh_tkind {
  OH_TK_PACKET = 0,   /* one raw packet */
  OH_TK_SCRIPT = 1,   /* OHS1 header + records */
  OH_TK_PIPELINE = 2, /* OHS1 header + u16be framed body */
  OH_TK_READERS = 3   /* any bytes */
} oh_tkind;

typedef struct oh_mut_target {
  const char *name;
  oh_tkind kind;
  int api;      /* oh_script_api of script and pipeline targets */
  unsigned bit; /* OH_T_* */
} oh_mut_target;

enum {
  OH_T_PACKET = 1u << 0,
  OH_T_STREAM = 1u << 1,
  OH_T_MULTI = 1u << 2,
  OH_T_PROJ = 1u << 3,
  OH_T_CUSTOM = 1u << 4,
  OH_T_REPACK = 1u << 5,
  OH_T_PIPE = 1u << 6,
  OH_T_READERS = 1u << 7
};
#define OH_T_MS (OH_T_MULTI | OH_T_PROJ)
#define OH_T_SCRIPTS (OH_T_STREAM | OH_T_MS | OH_T_CUSTOM | OH_T_REPACK)
/* Targets whose packets are Opus packets (custom decodes raw CELT frames). */
#define OH_T_OPUS (OH_T_PACKET | OH_T_STREAM | OH_T_MS | OH_T_REPACK | OH_T_PIPE)

const oh_mut_target *oh_mut_target_find(const char *name);
size_t oh_mut_target_count(void);
const oh_mut_target *oh_mut_target_at(size_t i);

/* ---- Value tables (mut_tables.c), shared with the dictionary generator -- */

extern const uint32_t oh_legal_rates[5];       /* 8000 .. 48000 */
extern const uint32_t oh_odd_rates[8];         /* API-illegal rates */
extern const uint32_t oh_custom_rates[8];      /* opus_custom_mode_create */
extern const int oh_custom_frames[12];         /* legal custom frame sizes */
extern const int oh_bad_custom_frames[7];
extern const int oh_dur_units[7];              /* 2.5 ms units: 1..48 */
extern const int oh_odd_frame_sizes[9];        /* never a 2.5 ms multiple */
extern const size_t oh_edge_lengths[6];        /* 0 1 251 252 1275 1276 */
extern const size_t oh_padding_lengths[10];
extern const uint32_t oh_pcm_capacities[6];    /* pipeline edge capacities */
/* Edge values of a CTL's argument: n values into *vals. */
void oh_ctl_values(int ctl, int legal, const int32_t **vals, size_t *n);
/* Ambisonic channel counts of projection (orders 0..5, +2 non-diegetic). */
extern const int oh_proj_channels[11];
/* Vorbis channel layouts (mapping family 1): streams, coupled per count. */
extern const int oh_vorbis_streams[9], oh_vorbis_coupled[9];

/* A legal frame size at rate: units 2.5 ms units (rate / 400 * units). */
int oh_frame_size_at(uint32_t rate, int units);

/* ---- The model (mut_model.c) -------------------------------------------- */

/* One record; for the pipeline body, one framed entry ('P' only). */
typedef struct oh_mrec {
  int type; /* oh_script_rec_type */
  int frame_size;
  int ctl;
  int32_t value;
  uint32_t rate;
  int channels;
  const uint8_t *data; /* packet bytes: input copy or arena */
  size_t len;
  long claimed; /* pipeline: the u16 written before it; -1: len */
} oh_mrec;

typedef struct oh_model {
  int ok;                /* parsed (or synthesised) */
  oh_script_header h;    /* extra points into the input copy or arena */
  oh_mrec *recs;
  size_t n, cap;
  const uint8_t *tail;   /* raw bytes written after the last record */
  size_t tail_len;
} oh_model;

struct oh_mutator;
/* Parses buf as the mutator's target reads it. Returns OH_OK or an error
 * (bad magic, short header). Records point into buf. */
int oh_model_parse(struct oh_mutator *m, oh_model *md, uint8_t *buf,
                   size_t len);
/* A valid empty model with the target's default header. */
void oh_model_default(struct oh_mutator *m, oh_model *md);
/* Writes the model; drops trailing records when max_out is too small.
 * Returns the size, or 0 when nothing fits. */
size_t oh_model_write(struct oh_mutator *m, const oh_model *md, uint8_t *out,
                      size_t max_out);
/* Bytes oh_model_write would produce. */
size_t oh_model_size(const struct oh_mutator *m, const oh_model *md);
int oh_model_insert(oh_model *md, size_t at, const oh_mrec *r);
void oh_model_remove(oh_model *md, size_t at);
int oh_model_reserve(oh_model *md, size_t n);
void oh_model_free(oh_model *md);
/* Streams per packet: header streams for multistream/projection, else 1. */
int oh_model_streams(const struct oh_mutator *m, const oh_model *md);
/* Index of a random 'P' (or 'F' when with_fec) record, or -1. */
long oh_model_pick_packet(struct oh_mutator *m, const oh_model *md,
                          int with_fec);

/* ---- Multistream packets (mut_mpkt.c) ----------------------------------- */

typedef struct oh_mstream {
  oh_packet_spec spec; /* valid when raw == NULL */
  const uint8_t *raw;  /* bytes written as is (rule breaks) */
  size_t raw_len;
  int is_raw;
} oh_mstream;

typedef struct oh_mpkt {
  int n;
  oh_mstream s[255];
} oh_mpkt;

/* Splits data into n streams. OH_OK when every stream parses. */
int oh_mpkt_load(oh_mpkt *mp, const uint8_t *data, size_t len, int n);
/* Like load, but never fails: streams that do not parse are rebuilt as
 * valid code 0 packets from their bytes. */
void oh_mpkt_repair(oh_mpkt *mp, const uint8_t *data, size_t len, int n);
/* Writes the streams (all but the last self-delimited) into the arena. */
long oh_mpkt_store(oh_arena *a, const oh_mpkt *mp, const uint8_t **out);
/* Makes every other stream last as long as stream k (multistream packets
 * need equal durations). */
void oh_mpkt_harmonise(oh_mpkt *mp, int k);

/* Makes a spec writable: code agrees with frame count and lengths, at most
 * 120 ms, frames of at most 1275 bytes. */
void oh_spec_normalise(oh_packet_spec *s);
/* Most frames the spec's config allows in 120 ms (1..48). */
int oh_spec_max_frames(int config);
/* Bytes a written spec takes (upper bound). */
size_t oh_spec_bound(const oh_packet_spec *s);
/* Writes a spec into the arena. Returns the length or < 0. */
long oh_spec_store(oh_arena *a, const oh_packet_spec *s, uint8_t **out);

/* ---- Bytes (mut_bytes.c) ------------------------------------------------ */

/* The core's own byte havoc, a valid oh_byte_mutate_fn (ctx: oh_rng *). */
size_t oh_byte_havoc(void *rng, uint8_t *data, size_t size, size_t max_size);
/* Calls the configured byte hook on data (size >= 1). */
size_t oh_mut_bytes(struct oh_mutator *m, uint8_t *data, size_t size,
                    size_t max_size);
/* Container tokens for the readers ("OggS", pcap magics, ...). */
size_t oh_container_token_count(void);
const uint8_t *oh_container_token(size_t i, size_t *len);

/* ---- Operators (mut_ops.c and the mut_op_*.c files) --------------------- */

typedef int (*oh_mut_op_fn)(struct oh_mutator *m);

typedef struct oh_mut_op {
  const char *name;
  int cls;         /* oh_mut_class */
  unsigned targets; /* OH_T_* */
  int weight;
  oh_mut_op_fn fn; /* 1: changed the model, 0: not applicable */
} oh_mut_op;

extern const oh_mut_op oh_mut_ops[];
extern const size_t oh_mut_op_total;

/* ---- The mutator -------------------------------------------------------- */

#define OH_MUT_MAX_LAST 160
#define OH_MUT_MAX_PACKET 65535 /* a 'P' record's u16 length */

struct oh_mutator {
  const oh_mut_target *t;
  oh_mutator_options opt;
  oh_rng rng;
  oh_arena arena;
  oh_model model; /* the input being mutated */
  oh_model donor; /* the splice donor (ok == 0 when absent) */
  oh_mpkt mp;
  oh_mpkt mp2; /* donor packets re-split while mp is in use */
  uint8_t *in, *dn; /* private copies of input and donor */
  size_t in_cap, dn_cap, dn_len; /* dn_len: 0 without a donor */
  uint64_t *hits;
  char last[OH_MUT_MAX_LAST];
  /* Whole-input bytes the byte operators edit (the output buffer). */
  uint8_t *bytes;
  size_t bytes_len, bytes_max;
  /* Trimming state (mut_trim.c). */
  uint8_t *trim_cur, *trim_cand;
  size_t trim_cur_cap, trim_cap, trim_len, trim_cand_len;
  size_t trim_steps, trim_done, trim_pos;
  int trim_steps_struct; /* structure found: no byte chunks */
  int trim_phase;
};

/* Copies src into *buf (growing it). Returns the copy or NULL. */
uint8_t *oh_mut_copy(uint8_t **buf, size_t *cap, const uint8_t *src,
                     size_t len);
/* 1 with break_prob. */
int oh_mut_breaking(struct oh_mutator *m);
/* Random packet bytes from the model or the donor: a whole packet, or NULL. */
const uint8_t *oh_mut_pool_packet(struct oh_mutator *m, size_t *len);
/* A random frame of a random packet of the model or the donor. */
const uint8_t *oh_mut_pool_frame(struct oh_mutator *m, size_t *len);
/* A fresh small valid packet in the arena. */
const uint8_t *oh_mut_fresh_packet(struct oh_mutator *m, size_t *len);

/* Loads record idx's packet into m->mp (repairing it). Returns the number
 * of streams, or 0 when the record holds no packet. */
int oh_mut_load_packet(struct oh_mutator *m, long idx);
/* Writes m->mp back into record idx. Returns 1 on success. */
int oh_mut_store_packet(struct oh_mutator *m, long idx);

#endif
