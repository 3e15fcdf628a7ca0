/* The Opus packet model of RFC 6716 section 3: TOC byte, frame packing
 * codes 0-3, frame lengths, code-3 padding, and the self-delimiting framing
 * of Appendix B. Parsing names the rule (R1-R7) an invalid packet breaks and
 * the byte offset where it breaks it; writing builds a packet from frames so
 * mutators and the minimiser can re-encode a packet after changing it. */
#ifndef OPUSHUNT_PACKET_H
#define OPUSHUNT_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OH_MAX_FRAMES 48         /* 120 ms of 2.5 ms frames */
#define OH_MAX_FRAME_BYTES 1275  /* largest frame length (R2) */
#define OH_MAX_PACKET_SAMPLES48 5760 /* 120 ms at 48 kHz (R5) */

typedef enum oh_mode { OH_MODE_SILK = 0, OH_MODE_HYBRID = 1, OH_MODE_CELT = 2 } oh_mode;

typedef enum oh_bandwidth {
  OH_BW_NB = 0, /* 4 kHz audio bandwidth, 8 kHz effective rate */
  OH_BW_MB = 1, /* 6 kHz */
  OH_BW_WB = 2, /* 8 kHz */
  OH_BW_SWB = 3, /* 12 kHz */
  OH_BW_FB = 4  /* 20 kHz */
} oh_bandwidth;

/* The fields of one TOC byte (RFC 6716 section 3.1, table 2). */
typedef struct oh_toc {
  uint8_t byte;
  int config;         /* 0..31 */
  oh_mode mode;
  oh_bandwidth bandwidth;
  int frame_samples48; /* one frame's duration in 48 kHz samples: 120..2880 */
  int stereo;         /* the s bit */
  int code;           /* frame packing code 0..3 */
} oh_toc;

void oh_toc_decode(uint8_t byte, oh_toc *toc);
uint8_t oh_toc_encode(int config, int stereo, int code);
const char *oh_mode_name(oh_mode mode);           /* "SILK", "Hybrid", "CELT" */
const char *oh_bandwidth_name(oh_bandwidth bw);   /* "NB", "MB", "WB", "SWB", "FB" */

/* The packet validity rules of RFC 6716 section 3.4, plus the frame-count
 * and duration limits libopus applies. */
typedef enum oh_rule {
  OH_RULE_NONE = 0,
  OH_RULE_R1, /* at least one byte */
  OH_RULE_R2, /* no implicit frame length above 1275 bytes */
  OH_RULE_R3, /* code 1: odd total length */
  OH_RULE_R4, /* code 2: a valid first-frame length that fits */
  OH_RULE_R5, /* code 3: 1..48 frames, at most 120 ms */
  OH_RULE_R6, /* code 3 CBR: padding fits, remainder a multiple of M */
  OH_RULE_R7  /* code 3 VBR: header, lengths and padding fit */
} oh_rule;

/* "R4: code 2 first frame length exceeds the bytes left" style summaries. */
const char *oh_rule_name(oh_rule rule);  /* "R1".."R7", "none" */
const char *oh_rule_text(oh_rule rule);  /* the rule in one sentence */

typedef struct oh_packet {
  oh_toc toc;
  int frame_count;          /* 1..48 */
  int vbr;                  /* code 2 and VBR code 3: 1; else 0 */
  int padded;               /* code 3 padding flag set */
  size_t padding_len;       /* trailing padding bytes (excluding length bytes) */
  size_t padding_len_bytes; /* bytes used to encode padding_len */
  size_t header_len;        /* bytes before the first frame's data */
  size_t frame_offset[OH_MAX_FRAMES]; /* offset of each frame from packet start */
  size_t frame_len[OH_MAX_FRAMES];
  size_t packet_len;        /* bytes this packet occupies; for self-delimited
                               packets it may be less than the input length */
  int duration48;           /* frame_count * frame_samples48 */
} oh_packet;

/* Parses one packet. Returns OH_OK, or OH_ERR_MALFORMED with *rule set to the
 * broken rule and err->offset to the byte offset (within data) where parsing
 * found the violation. rule may be NULL. self_delimited selects Appendix B
 * framing (the last frame's length is explicit; trailing bytes are allowed
 * and not part of the packet). */
int oh_packet_parse(const uint8_t *data, size_t len, int self_delimited,
                    oh_packet *pkt, oh_rule *rule, oh_error *err);

/* Encodes a frame length in the 1- or 2-byte form of section 3.2.1.
 * Returns the bytes written (1 or 2), or 0 if len > 1275 or cap too small. */
size_t oh_frame_length_encode(size_t len, uint8_t *out, size_t cap);

/* What oh_packet_write builds. code is chosen by the caller: 0 needs one
 * frame; 1 needs two equal frames; 2 needs two frames; 3 takes 1..48 frames,
 * cbr when vbr == 0 (all frames equal), padding_len trailing zero bytes. */
typedef struct oh_packet_spec {
  int config;   /* 0..31 */
  int stereo;
  int code;
  int vbr;      /* code 3 only */
  size_t padding_len; /* code 3 only; sets the padding flag when > 0 or
                         when force_padding_flag is set */
  int force_padding_flag;
  int self_delimited;
  int frame_count;
  const uint8_t *frame_data[OH_MAX_FRAMES];
  size_t frame_len[OH_MAX_FRAMES];
} oh_packet_spec;

/* Writes the packet described by spec into out. Returns the number of bytes
 * written (>= 1) or a negative oh_status with err explaining why the spec
 * cannot be written (inconsistent with its code, rule it would break, or
 * cap too small). The result always parses back with oh_packet_parse. */
long oh_packet_write(const oh_packet_spec *spec, uint8_t *out, size_t cap,
                     oh_error *err);

/* Fills spec from a parsed packet (frame pointers point into data). */
void oh_packet_to_spec(const oh_packet *pkt, const uint8_t *data,
                       int self_delimited, oh_packet_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
