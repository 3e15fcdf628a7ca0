/* Stream readers: one iterator interface over every container opushunt reads
 * (opus_demo .bit, length-prefixed streams, Ogg Opus, pcap/pcapng RTP, text
 * logs, and the fuzz inputs: OHS1 stream scripts and raw single packets).
 * Readers are pure functions over a byte buffer the caller owns: no file
 * I/O, no global state, and every malformed input ends in an oh_error
 * naming the byte offset and the reason, never a crash or an endless loop. */
#ifndef OPUSHUNT_READER_H
#define OPUSHUNT_READER_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum oh_format {
  OH_FMT_AUTO = 0,
  OH_FMT_BIT,     /* opus_demo: u32be length, u32be final range, packet */
  OH_FMT_LP16BE,  /* u16 big-endian length prefix, packet */
  OH_FMT_LP16LE,
  OH_FMT_LP32BE,
  OH_FMT_LP32LE,
  OH_FMT_OGG,     /* Ogg Opus, RFC 7845 */
  OH_FMT_PCAP,    /* pcap or pcapng, RTP/UDP, RFC 7587 */
  OH_FMT_LOG,     /* one packet per text line, hex or base64, maybe in JSON */
  OH_FMT_SCRIPT,  /* an OHS1 stream script (script.h), a fuzz target's input:
                     'P' and 'F' records are packets ('P' of length 0 is
                     lost, as a zero length is everywhere), 'L' records
                     losses, 'C' and 'R' records are skipped; api
                     pipeline: the records of its u16be length-prefixed body.
                     Detected by its "OHS1" magic. */
  OH_FMT_RAW      /* the whole input is one packet (the packet fuzz target's
                     input): one record, index 0, offset 0; an empty input
                     is one lost record. Never detected: every byte string
                     is a raw packet, so it would match anything. */
} oh_format;

/* "auto", "bit", "lp16be", ..., "ogg", "pcap", "log", "script", "raw". */
const char *oh_format_name(oh_format fmt);
/* Parses a name as above; returns OH_OK or OH_ERR_ARG. */
int oh_format_from_name(const char *name, oh_format *fmt);

/* The largest packet any reader hands out unless told otherwise: 120 ms at
 * the largest legal frame sizes, generously (multistream packets included). */
#define OH_DEFAULT_MAX_PACKET (1275 * 48 * 8)

typedef struct oh_reader_options {
  size_t header_skip;      /* lp*: fixed header bytes before the first prefix */
  size_t max_packet_len;   /* 0 = OH_DEFAULT_MAX_PACKET; longer records are
                              an error (a length prefix of 4 GB is garbage) */
  int ogg_serial_set;      /* ogg: pick this logical stream (else the first
                              Opus stream) */
  uint32_t ogg_serial;
  int rtp_ssrc_set;        /* pcap: pick this SSRC (else the first RTP flow) */
  uint32_t rtp_ssrc;
  int udp_port;            /* pcap: only UDP packets to/from this port; 0 any */
  int rtp_payload_type;    /* pcap: only this payload type; -1 any */
} oh_reader_options;

/* Sets every option to its default. */
void oh_reader_options_init(oh_reader_options *opt);

/* What the container says about the stream, where it says anything
 * (OpusHead for Ogg, the header of a script). known == 0 for formats that
 * carry no header. A script fills channels and, by api: decoder, custom,
 * repacketizer and pipeline as mapping family 0 (stream_count 1,
 * coupled_count channels == 2); multistream and projection with the
 * header's family, streams and coupled, and for multistream the mapping
 * from the extra bytes (at most channels of them). */
typedef struct oh_stream_info {
  int known;
  int channels;            /* OpusHead output channel count */
  uint32_t input_rate;     /* OpusHead original input rate (informational);
                              script: the header's decoder rate */
  int pre_skip;            /* 48 kHz samples to drop at the start */
  int output_gain_q8;      /* dB in Q7.8 */
  int mapping_family;      /* 0, 1, 2, 3 or 255 */
  int stream_count;        /* families != 0 */
  int coupled_count;
  uint8_t mapping[255];
  uint32_t serial;         /* Ogg logical stream serial */
  int64_t final_granule;   /* granule of the last page (end trimming), -1 unknown */
} oh_stream_info;

typedef struct oh_record {
  uint64_t index;          /* 0-based position in the stream, losses included;
                              script: counts only the records handed out
                              ('P', 'F', 'L'), so it is the decode call's
                              number; offset names the script record */
  uint64_t offset;         /* byte offset of the record in the input buffer */
  const uint8_t *data;     /* packet bytes (valid until the next call); NULL
                              when lost */
  size_t len;              /* 0 when lost */
  int lost;                /* 1: the container says a packet is missing here */
  int has_final_range;     /* bit: the encoder's final range after the packet */
  uint32_t final_range;
  int has_timestamp;       /* pcap: RTP timestamp; ogg: granule position of the
                              page this packet ends (only on its last packet) */
  int64_t timestamp;
  int end_of_stream;       /* ogg: packet completes the EOS page */
  int fec;                 /* script 'F': decode this packet with decode_fec
                              = 1 to recover the loss before it; 0 elsewhere */
  int frame_size;          /* script 'L' and 'F': the frame size the record
                              decodes (conceals, recovers) with; 0 elsewhere
                              (the caller's choice; a script's 'P' records
                              use the header's, see oh_reader_describe) */
} oh_record;

typedef struct oh_reader oh_reader;

/* Opens a reader over buf[0..len). fmt OH_FMT_AUTO detects the format.
 * opt may be NULL for defaults. The buffer must outlive the reader. */
int oh_reader_open(oh_reader **out, oh_format fmt, const uint8_t *buf,
                   size_t len, const oh_reader_options *opt, oh_error *err);

/* Returns 1 with *rec filled, 0 at the clean end of the stream, or a negative
 * oh_status with err set (offset, reason). After an error, next returns the
 * same error again. */
int oh_reader_next(oh_reader *r, oh_record *rec, oh_error *err);

/* The format being read (the detected one for OH_FMT_AUTO). */
oh_format oh_reader_format(const oh_reader *r);

/* Container header information (Ogg, script); known == 0 elsewhere. */
const oh_stream_info *oh_reader_stream_info(const oh_reader *r);

/* One line describing what was detected or selected, e.g.
 * "pcap (Ethernet, IPv4) RTP ssrc 0x1234abcd pt 111 udp 5004". */
const char *oh_reader_describe(const oh_reader *r);

void oh_reader_close(oh_reader *r);

/* Guesses the format of buf. Returns OH_FMT_AUTO when nothing fits and
 * writes a one-line reason for the choice (or the failure) into why. */
oh_format oh_format_detect(const uint8_t *buf, size_t len, char *why,
                           size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
