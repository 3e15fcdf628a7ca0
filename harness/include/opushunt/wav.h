/* WAV output for the reference decoder: 16-bit PCM or 32-bit float, written
 * to a temporary file and renamed into place on close, plus a header parser
 * so tests (and users) can check what was written. */
#ifndef OPUSHUNT_WAV_H
#define OPUSHUNT_WAV_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"
#include "opushunt/session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct oh_wav oh_wav;

/* Opens path for writing (atomically; "-" is not allowed). protect names a
 * file that must not be overwritten (the input). */
int oh_wav_open(oh_wav **out, const char *path, int rate, int channels,
                oh_sample_format sample, const char *protect, oh_error *err);

/* Appends frames (samples per channel) of interleaved samples. */
int oh_wav_write(oh_wav *w, const void *samples, size_t frames, oh_error *err);

/* Patches the header sizes and renames the file into place. Frees w. */
int oh_wav_close(oh_wav *w, oh_error *err);

/* Removes the temporary file and frees w (on a failed run). */
void oh_wav_abort(oh_wav *w);

typedef struct oh_wav_info {
  int format_tag;      /* 1 PCM, 3 IEEE float, 0xFFFE extensible */
  int sub_format;      /* 1 or 3 for extensible, else = format_tag */
  int channels;
  uint32_t rate;
  int bits;
  uint64_t data_offset;
  uint64_t data_bytes;
  uint64_t frames;
} oh_wav_info;

/* Parses a RIFF/WAVE header; checks chunk sizes against the buffer. */
int oh_wav_parse(const uint8_t *buf, size_t len, oh_wav_info *info,
                 oh_error *err);

#ifdef __cplusplus
}
#endif
#endif
