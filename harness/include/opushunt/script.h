/* The opushunt stream script ("OHS1"): one binary layout for every fuzz input
 * that is more than a single packet. A fixed header says which libopus API
 * decodes the stream and how it is configured; a sequence of records follows
 * (packets, losses, FEC recoveries, CTLs, decoder re-creation). The fuzz
 * targets execute scripts, the mutators edit them as a model and write them
 * back, the corpus generator writes them, and `opushunt replay` reads them
 * (format "script"), so every crash file replays as is.
 *
 * Byte layout (all integers big-endian):
 *
 *   header, 20 bytes + extra:
 *    0  4  magic "OHS1"
 *    4  1  api            oh_script_api
 *    5  1  flags          OH_SCRIPT_F_*
 *    6  1  channels       output channels (decoder: 1..2; multistream and
 *                         projection: 1..255); passed to libopus as is
 *    7  1  streams        multistream/projection stream count, else 0
 *    8  1  coupled        multistream/projection coupled count, else 0
 *    9  1  family         mapping family (multistream 0, 1, 255; projection
 *                         2, 3); pipeline: the misuse model (oh_model)
 *   10  4  rate           decoder sample rate in Hz, passed as is
 *   14  2  frame_size     samples per channel each decode call asks for
 *                         (the PCM buffer holds this many); 0 = 120 ms
 *   16  2  custom_frame   custom API: the mode's frame size; else 0
 *   18  2  extra_len      bytes of extra data that follow the header
 *   20  .  extra          multistream: the channel mapping (channels bytes);
 *                         projection: the demixing matrix;
 *                         pipeline: caller parameters (see below);
 *                         otherwise ignored
 *
 *   records, each one type byte then its fields, until the end of input:
 *    'P' u16 len, len bytes           decode a packet (frame_size from the
 *                                     header)
 *    'L' u16 frame_size               a loss: decode(NULL, 0, frame_size)
 *    'F' u16 frame_size, u16 len, bytes
 *                                     recover the previous loss from this
 *                                     packet's FEC (decode_fec = 1)
 *    'C' u8 ctl, i32 value            a CTL (oh_script_ctl)
 *    'R' u32 rate, u8 channels        destroy and re-create the decoder
 *
 *   api pipeline: the records are replaced by a raw length-prefixed stream
 *   (u16 big-endian length, packet; the framing the incident's service
 *   used), because the framing parser under test must see the lengths as
 *   sent. Its extra bytes: u32 pcm_capacity (samples, all channels; 0 =
 *   frame_size x channels), u8 pipeline flags (OH_SCRIPT_PF_*).
 *
 * What the parser checks and what it leaves to the targets: it checks the
 * syntax (magic, a known api, extra_len and every record inside the input,
 * known record types, known CTLs, OH_SCRIPT_MAX_RECORDS) and nothing about
 * the values, which go to libopus as they are (a fuzzer wants rate 7,
 * channels 0 and a 255-stream mapping tried). So a target must itself
 * check extra_len against what it reads from extra (a multistream mapping
 * needs channels bytes; pipeline parameters need 5). Unknown flag bits are
 * kept, so they round-trip. Errors point at the start of the record that
 * is truncated or holds a bad value (the header: offset 0; a bad api: 4; an
 * extra_len past the end: 18).
 */
#ifndef OPUSHUNT_SCRIPT_H
#define OPUSHUNT_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OH_SCRIPT_MAGIC "OHS1"
#define OH_SCRIPT_HEADER_LEN 20
#define OH_SCRIPT_MAX_EXTRA 65535
/* The most records one script may hold: keeps a fuzz input's run time
 * bounded (120 ms PLC per record). */
#define OH_SCRIPT_MAX_RECORDS 4096

typedef enum oh_script_api {
  OH_SCRIPT_DECODER = 0,      /* opus_decoder_* */
  OH_SCRIPT_MULTISTREAM = 1,  /* opus_multistream_decoder_* */
  OH_SCRIPT_PROJECTION = 2,   /* opus_projection_decoder_* */
  OH_SCRIPT_CUSTOM = 3,       /* opus_custom_mode_create, opus_custom_decoder_* */
  OH_SCRIPT_REPACKETIZER = 4, /* opus_repacketizer_*, opus_packet_pad/unpad */
  OH_SCRIPT_PIPELINE = 5,     /* framing -> decode -> consumer, misuse model */
  OH_SCRIPT_API_COUNT
} oh_script_api;

/* "decoder", "multistream", "projection", "custom", "repacketizer",
 * "pipeline"; "unknown" otherwise. */
const char *oh_script_api_name(int api);

enum {
  OH_SCRIPT_F_FLOAT = 1 << 0,         /* decode to float (else int16) */
  OH_SCRIPT_F_DIFFERENTIAL = 1 << 1,  /* run the differential checks */
  OH_SCRIPT_F_SELF_DELIMITED = 1 << 2 /* multistream: packets carry
                                         self-delimited inner streams */
};

enum {
  OH_SCRIPT_PF_FEC = 1 << 0,     /* pipeline: decode_fec on losses */
  OH_SCRIPT_PF_FLOAT = 1 << 1,   /* pipeline: opus_decode_float */
  OH_SCRIPT_PF_STATE_INIT = 1 << 2 /* pipeline: caller-allocated state */
};

typedef enum oh_script_ctl {
  OH_CTL_SET_GAIN = 0,                    /* value: Q8 dB */
  OH_CTL_RESET_STATE = 1,
  OH_CTL_SET_PHASE_INVERSION_DISABLED = 2,
  OH_CTL_GET_FINAL_RANGE = 3,
  OH_CTL_GET_BANDWIDTH = 4,
  OH_CTL_GET_SAMPLE_RATE = 5,
  OH_CTL_GET_PITCH = 6,
  OH_CTL_GET_LAST_PACKET_DURATION = 7,
  OH_CTL_GET_GAIN = 8,
  OH_CTL_GET_PHASE_INVERSION_DISABLED = 9,
  OH_CTL_SET_COMPLEXITY = 10,             /* not a decoder CTL in 1.3.1: the
                                             error path must hold */
  OH_CTL_COUNT
} oh_script_ctl;

/* "set-gain", "reset-state", ...; "unknown" otherwise. */
const char *oh_script_ctl_name(int ctl);

typedef enum oh_script_rec_type {
  OH_SREC_PACKET = 'P',
  OH_SREC_LOSS = 'L',
  OH_SREC_FEC = 'F',
  OH_SREC_CTL = 'C',
  OH_SREC_RECREATE = 'R'
} oh_script_rec_type;

typedef struct oh_script_record {
  int type;              /* oh_script_rec_type */
  uint64_t offset;       /* byte offset of the type byte in the input */
  int frame_size;        /* 'L', 'F' */
  const uint8_t *data;   /* 'P', 'F': packet bytes (points into the input
                            or into memory the caller owns) */
  size_t len;
  int ctl;               /* 'C' */
  int32_t value;         /* 'C' */
  uint32_t rate;         /* 'R' */
  int channels;          /* 'R' */
} oh_script_record;

typedef struct oh_script_header {
  int api;
  int flags;
  int channels;
  int streams;
  int coupled;
  int family;
  uint32_t rate;
  int frame_size;
  int custom_frame;
  const uint8_t *extra;  /* extra_len bytes */
  size_t extra_len;
} oh_script_header;

typedef struct oh_script {
  oh_script_header h;
  oh_script_record *recs; /* api != pipeline */
  size_t nrecs;
  size_t cap;
  const uint8_t *body;   /* api pipeline: the raw framed stream */
  size_t body_len;
  size_t parsed_len;     /* oh_script_parse: the bytes the header and the
                            kept records span (len, unless lenient parsing
                            stopped early: then the bad record's offset) */
} oh_script;

/* Parses buf[0..len) into s (records point into buf). strict != 0: any
 * malformed or truncated record, or a record past OH_SCRIPT_MAX_RECORDS, is
 * an error (offset, reason) — what replay wants. strict == 0: parsing stops
 * at the first malformed record, or at the limit, and keeps the records
 * before it — what fuzz targets want. A bad magic, an unknown api (the rest
 * cannot be read without one) or a short header or extra is an error either
 * way. On an error s is left empty; either way it must be released with
 * oh_script_free. */
int oh_script_parse(const uint8_t *buf, size_t len, int strict, oh_script *s,
                    oh_error *err);

/* The two steps oh_script_parse is made of, for readers that hand records
 * out one at a time (the "script" stream reader). oh_script_read_header
 * reads the header and extra; *body_off is where the records (pipeline: the
 * framed body) start. oh_script_read_record reads the record at buf[pos]
 * (pos <= len): returns 1 with *rec filled (rec->data points into buf) and
 * *next_pos past it, 0 when pos == len, or a negative oh_status with err
 * set to the record's offset. Neither checks OH_SCRIPT_MAX_RECORDS. */
int oh_script_read_header(const uint8_t *buf, size_t len, oh_script_header *h,
                          size_t *body_off, oh_error *err);
int oh_script_read_record(const uint8_t *buf, size_t len, size_t pos,
                          oh_script_record *rec, size_t *next_pos, oh_error *err);

/* Serialises s into out (cap bytes). Returns the bytes written, or a
 * negative oh_status (OH_ERR_LIMIT when cap is too small or there are more
 * than OH_SCRIPT_MAX_RECORDS records, OH_ERR_ARG when a field does not fit
 * its width, e.g. a packet longer than 65535, or the parser would not read
 * it back: an unknown api, record type or CTL, records in a pipeline script
 * or a body in another). Nothing is written on an error. Record offsets are
 * not read: the writer lays records out itself. */
long oh_script_write(const oh_script *s, uint8_t *out, size_t cap,
                     oh_error *err);

/* Bytes oh_script_write needs for s (when it can write s at all). */
size_t oh_script_size(const oh_script *s);

/* An empty script with the given header (no records). */
void oh_script_init(oh_script *s, const oh_script_header *h);

/* Appends a record (the data pointer is stored, not copied). Returns OH_OK,
 * OH_ERR_LIMIT past OH_SCRIPT_MAX_RECORDS, OH_ERR_NOMEM, or OH_ERR_ARG for
 * a NULL script or record. Fields are checked by oh_script_write. */
int oh_script_append(oh_script *s, const oh_script_record *rec);

void oh_script_free(oh_script *s);

/* The frame size a record decodes with: its own for 'L'/'F', else (and
 * for rec NULL) the header's; the header's 0 means 120 ms at the header
 * rate, capped at 65535 (the largest size the header could state), so the
 * result is always 0..65535: 0 for rates below 9 Hz, at which no decoder
 * opens. */
int oh_script_frame_size(const oh_script *s, const oh_script_record *rec);

#ifdef __cplusplus
}
#endif
#endif
