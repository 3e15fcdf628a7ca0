/* Internal contract between the reader front end (reader.c) and each
 * container format's implementation (reader_<format>.c). */
#ifndef OPUSHUNT_READER_IMPL_H
#define OPUSHUNT_READER_IMPL_H

#include "opushunt/reader.h"

typedef struct oh_reader_ops {
  /* Allocates r->state and validates any file header. */
  int (*open)(oh_reader *r, oh_error *err);
  /* Same contract as oh_reader_next; r->index is managed by the caller. */
  int (*next)(oh_reader *r, oh_record *rec, oh_error *err);
  /* Frees r->state (may be NULL after a failed open). */
  void (*close)(oh_reader *r);
} oh_reader_ops;

struct oh_reader {
  oh_format format;
  const oh_reader_ops *ops;
  const uint8_t *buf;
  size_t len;
  oh_reader_options opt;     /* max_packet_len already resolved */
  uint64_t next_index;       /* index of the next record handed out */
  oh_error sticky;           /* the error to repeat after a failure */
  oh_stream_info info;
  char describe[256];
  void *state;
};

extern const oh_reader_ops oh_reader_ops_bit;
extern const oh_reader_ops oh_reader_ops_lp;   /* all four lp* variants */
extern const oh_reader_ops oh_reader_ops_ogg;
extern const oh_reader_ops oh_reader_ops_pcap;
extern const oh_reader_ops oh_reader_ops_log;
extern const oh_reader_ops oh_reader_ops_script; /* reader_script.c */
extern const oh_reader_ops oh_reader_ops_raw;    /* reader_script.c */

#endif
