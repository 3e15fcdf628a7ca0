/* The libopus decoder API contract, checked before each call: what the
 * documentation of opus_decode/opus_decode_float and the decoder life cycle
 * require of a caller. A violation is "latent" when the rule is broken but
 * this call will not touch memory out of bounds (e.g. frame_size exceeds
 * the buffer, but this packet is short), and "fault expected" when this
 * call, given this packet, will. Used by the reproducer (contract verdicts,
 * --check-only) and by triage (API misuse vs library bug). */
#ifndef OPUSHUNT_CONTRACT_H
#define OPUSHUNT_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_contract_rule {
  OH_RULE_RATE = 0,          /* Fs is 8000, 12000, 16000, 24000 or 48000 */
  OH_RULE_CHANNELS,          /* channels is 1 or 2 */
  OH_RULE_PCM_CAPACITY,      /* frame_size x channels <= samples the pcm holds */
  OH_RULE_FRAME_SIZE,        /* frame_size positive, a multiple of 2.5 ms, <= 120 ms */
  OH_RULE_FRAME_TOO_SMALL,   /* frame_size >= the packet's duration */
  OH_RULE_LOSS_FRAME_SIZE,   /* PLC/FEC: frame_size equals the gap */
  OH_RULE_PACKET_LENGTH,     /* len <= bytes actually readable at data */
  OH_RULE_PACKET_FREED,      /* data points at memory still owned */
  OH_RULE_STATE_SIZE,        /* caller state >= opus_decoder_get_size(channels) */
  OH_RULE_USE_AFTER_DESTROY, /* no call on a destroyed decoder */
  OH_RULE_DESTROY_FOREIGN,   /* destroy only what opus_decoder_create made */
  OH_RULE_DOUBLE_DESTROY,    /* destroy once */
  OH_RULE_CONCURRENT_USE,    /* one thread at a time per decoder */
  OH_RULE_COUNT
} oh_contract_rule;

/* "pcm-capacity", ... (stable names used in reports and JSON). */
const char *oh_contract_rule_name(oh_contract_rule r);
/* The rule as one sentence. */
const char *oh_contract_rule_text(oh_contract_rule r);
/* Parses a name back; -1 when unknown. */
int oh_contract_rule_from_name(const char *name);

typedef enum oh_call_api {
  OH_API_DECODE = 0,   /* opus_decode / opus_decode_float */
  OH_API_INIT,         /* opus_decoder_init on caller memory */
  OH_API_DESTROY       /* opus_decoder_destroy */
} oh_call_api;

/* One call as the caller makes it. Sizes are what the caller really has,
 * not what it claims. */
typedef struct oh_call_desc {
  oh_call_api api;
  int32_t rate;
  int channels;
  int frame_size;            /* per channel */
  size_t pcm_capacity;       /* samples (all channels) the pcm buffer holds */
  const uint8_t *data;       /* NULL for PLC */
  int32_t len;               /* the len argument */
  size_t available;          /* bytes readable at data; SIZE_MAX unknown */
  int fec;                   /* decode_fec argument */
  int gap;                   /* loss: samples per channel missing; 0 unknown */
  size_t state_size;         /* bytes the caller allocated; 0 library-owned */
  int state_from_create;     /* the state came from opus_decoder_create */
  int destroyed;             /* destroy was already called on this state */
  int packet_released;       /* the packet memory was freed before the call */
  int concurrent;            /* another thread is inside a call on it */
} oh_call_desc;

typedef struct oh_contract_violation {
  oh_contract_rule rule;
  int fault_expected;
  char detail[200];
} oh_contract_violation;

/* Checks one call; writes at most max violations and returns how many were
 * found (which may exceed max). Pure: it never dereferences data beyond
 * min(len, available) bytes, and only to read the packet's TOC and frame
 * count. */
int oh_contract_check(const oh_call_desc *c, oh_contract_violation *out, int max);

/* The number of samples per channel a packet decodes to at rate, or -1
 * when libopus will reject it (invalid packet). */
int oh_contract_packet_samples(const uint8_t *data, size_t len, int32_t rate);

#ifdef __cplusplus
}
#endif
#endif
