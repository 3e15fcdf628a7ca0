/* The seed-corpus generator's entry point: runs the per-target generators
 * (corpus_gen_<area>.c) in a fixed order and hands every seed to the
 * caller. `opushunt corpus generate` writes them to corpus/<target>/.
 *
 * What is generated (all from fixed synthetic signals: tones, chirps,
 * speech-like harmonics, fixed-seed noise, silence; the same bytes on every
 * run with the same libopus build; another float build or compiler may
 * encode differently, which only changes bytes, never names):
 *
 *   packet/        one raw packet each (.raw)
 *     <mode>-<bw>-<dur>-<mono|stereo>-code<0..3>[-cbr|-vbr][-pad]: all 32
 *     TOC configurations x mono/stereo x codes 0-3 (256 files), from
 *     encoder frames forced to the configuration, re-packed with
 *     oh_packet_write, TOC read back; code 3 varies CBR/VBR and padding
 *     (7 bytes, or 300 with a two-byte padding length);
 *     edge packets: 48 frames of 2.5 ms, empty frames, TOC only, padding
 *     flag without padding, 1275-byte frames, two-byte frame lengths,
 *     CBR frames, SILK/hybrid packets carrying LBRR (in-band FEC).
 *   stream/        OHS1 decoder scripts (.ohs), <= 10 records each
 *     every mode/bandwidth/duration, decode rates 8/12/16/24/48 kHz,
 *     decode frame sizes exact, 2.5 ms and too small; FEC recovery
 *     (every third lost, bursts, 60 ms, short sizes, on CELT); DTX (and DTX
 *     as losses); mode, bandwidth, duration and channel switches
 *     mid-stream; losses (bursts, first, odd sizes, only losses); CTL
 *     records (getters, gain, phase inversion, reset, rejected values);
 *     re-create records (rates, channels, refused ones); re-packed code 1-3
 *     packets; -float and -diff mark the F_FLOAT / F_DIFFERENTIAL flags.
 *   multistream/   family 0 mono/stereo, family 1 for 1..8 channels
 *     (surround encoder), family 255 with odd stream/coupled counts,
 *     silent (255), duplicated and reordered mappings; losses, CTLs, FEC.
 *   projection/    family 3 ambisonics orders 1..3 with and without the
 *     non-diegetic pair (the encoder's demixing matrix), family 2 order 1
 *     through an identity matrix; a lossy one at 16 kHz.
 *   custom/        opus_custom frames: 48 kHz at 120/240/400/480/960 and
 *     44.1k/320, 32k/480, 22.05k/512, 16k/256, 8k/128, 96k/960; CBR and
 *     VBR (only modes 1.3.1 decodes without its known custom-mode bugs).
 *   repacketizer/  same-TOC runs (to 120 ms and past it, 2.5 ms x 10,
 *     40/60 ms SILK, code 3 padded, a TOC-only packet) and mismatched
 *     runs (mode, s bit, duration, bandwidth).
 *   pipeline/      model<NN>-<name>: one per misuse model 0..11 but 5
 *     (destroy-foreign-state crashes on every input), each with a valid
 *     u16be length-prefixed body that runs clean one mutation away from
 *     its defect, plus caller variations (mono 16 kHz FEC float with a
 *     loss, 120 ms buffer, PCM capacity 1920, caller-allocated state, a
 *     truncated tail, an invalid packet).
 *   readers/       the same packets as .bit (with final ranges), lp16be,
 *     lp16le, lp32be, lp32le (with a loss), Ogg (mono with end trimming,
 *     a packet spanning pages, 5.1 family 1), pcap (Ethernet/IPv4 with a
 *     sequence gap; Linux cooked/IPv6 with CSRC, extension, wrap), pcapng
 *     (raw IPv4 with RTCP), key=value hex, JSON base64 and separated hex
 *     logs, an OHS1 script.
 *   tv-*           with a vector folder: slices of five official vectors
 *     as stream scripts and single packets (see corpus_gen_vectors.c).
 */
#include <string.h>

#include "corpus_gen_impl.h"

static const char *const NAMES[OH_CT_COUNT] = {"packet", "stream", "multistream", "projection",
                                               "custom", "repacketizer", "pipeline", "readers"};

const char *oh_corpus_target_name(int target) {
  return target >= 0 && target < OH_CT_COUNT ? NAMES[target] : NULL;
}

int oh_corpus_target_from_name(const char *name) {
  int i;
  for (i = 0; name && i < OH_CT_COUNT; i++)
    if (strcmp(name, NAMES[i]) == 0) return i;
  return -1;
}

int oh_corpus_generate(const oh_corpus_gen_options *opt, oh_corpus_emit_fn emit, void *user,
                       oh_error *err) {
  static int (*const gen[OH_CT_COUNT])(oh_cg *) = {
      oh_cg_packets, oh_cg_streams,      oh_cg_multistream, oh_cg_projection,
      oh_cg_custom,  oh_cg_repacketizer, oh_cg_pipeline,    oh_cg_readers};
  oh_cg g;
  int t;
  memset(&g, 0, sizeof g);
  g.opt = opt;
  g.emit = emit;
  g.user = user;
  g.err = err;
  oh_error_clear(err);
  for (t = 0; t < OH_CT_COUNT && g.status == OH_OK; t++) {
    if (opt->targets && !(opt->targets & (1u << t))) continue;
    g.target = NAMES[t];
    gen[t](&g);
    if (t == OH_CT_PACKET || t == OH_CT_STREAM) oh_cg_vectors(&g, t);
  }
  return g.status;
}
