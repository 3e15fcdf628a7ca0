/* The targets the mutator knows and the value tables its operators draw
 * from (legal and illegal rates, frame sizes, lengths, CTL arguments). The
 * dictionary generator reads the same tables, so a dictionary never offers
 * a value the mutator does not know. */
#include <string.h>

#include "mut_impl.h"

static const oh_mut_target oh_targets[] = {
    {"packet", OH_TK_PACKET, -1, OH_T_PACKET},
    {"stream", OH_TK_SCRIPT, OH_SCRIPT_DECODER, OH_T_STREAM},
    {"multistream", OH_TK_SCRIPT, OH_SCRIPT_MULTISTREAM, OH_T_MULTI},
    {"projection", OH_TK_SCRIPT, OH_SCRIPT_PROJECTION, OH_T_PROJ},
    {"custom", OH_TK_SCRIPT, OH_SCRIPT_CUSTOM, OH_T_CUSTOM},
    {"repacketizer", OH_TK_SCRIPT, OH_SCRIPT_REPACKETIZER, OH_T_REPACK},
    {"pipeline", OH_TK_PIPELINE, OH_SCRIPT_PIPELINE, OH_T_PIPE},
    {"readers", OH_TK_READERS, -1, OH_T_READERS},
};

const oh_mut_target *oh_mut_target_find(const char *name) {
  size_t i;
  for (i = 0; name && i < sizeof oh_targets / sizeof oh_targets[0]; i++)
    if (strcmp(oh_targets[i].name, name) == 0) return &oh_targets[i];
  return NULL;
}

size_t oh_mut_target_count(void) {
  return sizeof oh_targets / sizeof oh_targets[0];
}

const oh_mut_target *oh_mut_target_at(size_t i) {
  return i < oh_mut_target_count() ? &oh_targets[i] : NULL;
}

int oh_mutator_target_known(const char *name) {
  return oh_mut_target_find(name) != NULL;
}

const uint32_t oh_legal_rates[5] = {8000, 12000, 16000, 24000, 48000};
const uint32_t oh_odd_rates[8] = {0, 1, 7999, 11025, 44100, 48001, 96000,
                                  0xFFFFFFFFu};
const uint32_t oh_custom_rates[8] = {48000, 44100, 32000, 24000,
                                     22050, 16000, 8000,  96000};
/* opus_custom_mode_create (1.3.1): 40..1024 samples, even. */
const int oh_custom_frames[12] = {120, 240, 480, 960, 64,  128,
                                  256, 512, 1024, 40,  882, 100};
const int oh_bad_custom_frames[7] = {0, 1, 38, 39, 41, 1025, 2048};
/* 2.5, 5, 10, 20, 40, 60, 120 ms. */
const int oh_dur_units[7] = {1, 2, 4, 8, 16, 24, 48};
const int oh_odd_frame_sizes[9] = {0, 1, 119, 121, 479, 959, 961, 5761, 65535};
const size_t oh_edge_lengths[6] = {0, 1, 251, 252, 1275, 1276};
/* Padding chains: 254 fits one byte, 255 carries 254 and continues. */
const size_t oh_padding_lengths[10] = {0, 1, 253, 254, 255, 508,
                                       509, 762, 1016, 2000};
const uint32_t oh_pcm_capacities[6] = {0, 1, 960, 1920, 5760, 0xFFFFFFFFu};
const int oh_proj_channels[11] = {1, 4, 6, 9, 11, 16, 18, 25, 27, 36, 38};
const int oh_vorbis_streams[9] = {0, 1, 1, 2, 2, 3, 4, 5, 5};
const int oh_vorbis_coupled[9] = {0, 0, 1, 1, 2, 2, 2, 2, 3};

int oh_frame_size_at(uint32_t rate, int units) {
  return (int)(rate / 400 * (uint32_t)units);
}

static const int32_t oh_gain_legal[] = {0, 1, -1, 256, -256, 32767, -32768};
static const int32_t oh_gain_bad[] = {32768, -32769, INT32_MAX, INT32_MIN};
static const int32_t oh_bool_legal[] = {0, 1};
static const int32_t oh_bool_bad[] = {2, -1, INT32_MAX, INT32_MIN};
static const int32_t oh_cplx_legal[] = {0, 5, 10};
static const int32_t oh_cplx_bad[] = {-1, 11, INT32_MAX, INT32_MIN};
static const int32_t oh_any[] = {0, 1, -1, INT32_MAX, INT32_MIN};

void oh_ctl_values(int ctl, int legal, const int32_t **vals, size_t *n) {
#define OH_PICK(a, b)                                               \
  do {                                                              \
    *vals = legal ? (a) : (b);                                      \
    *n = legal ? sizeof(a) / sizeof(a)[0] : sizeof(b) / sizeof(b)[0]; \
  } while (0)
  switch (ctl) {
  case OH_CTL_SET_GAIN: OH_PICK(oh_gain_legal, oh_gain_bad); break;
  case OH_CTL_SET_PHASE_INVERSION_DISABLED:
    OH_PICK(oh_bool_legal, oh_bool_bad);
    break;
  case OH_CTL_SET_COMPLEXITY: OH_PICK(oh_cplx_legal, oh_cplx_bad); break;
  default: OH_PICK(oh_any, oh_any); break;
  }
#undef OH_PICK
}
