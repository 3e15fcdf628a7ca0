/* The decode loop: reads records from a stream reader and drives a decode
 * session the way a correct application would (PLC for losses, FEC from the
 * following packet when enabled, final-range verification when the container
 * records it), reporting every libopus call to a callback. */
#ifndef OPUSHUNT_DECODE_LOOP_H
#define OPUSHUNT_DECODE_LOOP_H

#include <stdint.h>

#include "opushunt/packet.h"
#include "opushunt/reader.h"
#include "opushunt/session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct oh_decode_event {
  const oh_record *rec;     /* the record this call decodes (or conceals) */
  int parsed;               /* 1 when rec holds a packet the model accepts */
  oh_packet pkt;            /* valid when parsed */
  oh_rule rule;             /* the broken rule when the packet is not valid */
  oh_decode_result res;
  const void *pcm;          /* res.ret samples per channel when res.ret > 0 */
  int range_checked;        /* the container recorded a final range */
  int range_ok;
} oh_decode_event;

/* Return non-zero to stop the loop early (the value is returned by run). */
typedef int (*oh_decode_cb)(void *user, const oh_decode_event *ev);

typedef struct oh_decode_stats {
  uint64_t records;          /* records read, losses included */
  uint64_t packets;          /* packets decoded */
  uint64_t lost;             /* lost records */
  uint64_t concealed;        /* PLC calls */
  uint64_t recovered;        /* FEC calls */
  uint64_t decode_errors;    /* calls that returned a negative code */
  uint64_t invalid_packets;  /* packets the model rejects */
  uint64_t samples;          /* samples per channel produced */
  uint64_t range_checked;
  uint64_t range_mismatches;
  int64_t first_mismatch;    /* record index, -1 when none */
  uint64_t stop_offset;      /* where a reader error stopped the loop */
} oh_decode_stats;

typedef struct oh_decode_options {
  int check_range;           /* verify recorded final ranges (default 1) */
} oh_decode_options;

void oh_decode_options_init(oh_decode_options *opt);

/* Runs until the reader ends (returns OH_OK), the reader fails (returns its
 * error, with err set and stats->stop_offset the error offset; everything
 * before was decoded and reported), or the callback stops it (returns the
 * callback's value, positive). cb may be NULL. */
int oh_decode_run(oh_reader *r, oh_session *s, const oh_decode_options *opt,
                  oh_decode_cb cb, void *user, oh_decode_stats *stats,
                  oh_error *err);

#ifdef __cplusplus
}
#endif
#endif
