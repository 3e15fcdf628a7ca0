/* Decode traces: one JSON object per libopus call (JSON Lines), so a run can
 * be diffed, grepped and compared against another build or tool. */
#ifndef OPUSHUNT_TRACE_H
#define OPUSHUNT_TRACE_H

#include <stdio.h>

#include "opushunt/decode_loop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes one line: index, offset, len, lost, call kind, the TOC fields
 * (config, mode, bandwidth, duration_us, stereo, code, frames), valid/rule,
 * frame_size, ret (samples or error name), final_range, range check. */
void oh_trace_write(FILE *f, const oh_decode_event *ev);

/* libopus error name for a negative return ("OPUS_INVALID_PACKET"). */
const char *oh_opus_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
