/* Seeds of the `repacketizer` target: OHS1 scripts of packets for
 * opus_repacketizer_cat/out and opus_packet_pad/unpad. Runs that share one
 * TOC (so they concatenate) up to and past the 120 ms limit, multi-frame
 * and padded packets, and runs whose TOCs differ in mode, s bit or
 * duration (concatenation must be refused). */
#include <stdio.h>
#include <string.h>

#include "corpus_gen_impl.h"

enum { SILK = OH_MODE_SILK, HYB = OH_MODE_HYBRID, CELT = OH_MODE_CELT };
enum { NB = OH_BW_NB, WB = OH_BW_WB, SWB = OH_BW_SWB, FB = OH_BW_FB };

static int emit_list(oh_cg *g, const oh_cg_list *l, const char *name) {
  oh_script s;
  oh_script_header h;
  oh_cg_header(&h, OH_SCRIPT_REPACKETIZER, 2, 48000);
  oh_script_init(&s, &h);
  oh_cg_rec_list(g, &s, l, 0, l->n);
  return oh_cg_emit_script(g, &s, "%s", name);
}

/* n packets of one setting, all with the same TOC byte (checked). */
static int same_toc(oh_cg *g, int mode, int bw, int frame48, int channels, int n,
                    const char *name) {
  oh_cg_list l = {0};
  int i;
  oh_cg_encode_run(g, mode, bw, frame48, channels, OH_SIG_MIX, n, &l);
  for (i = 1; i < l.n && g->status == OH_OK; i++)
    if (l.data[i][0] != l.data[0][0])
      oh_cg_fail(g, OH_ERR_MALFORMED, "%s: TOC 0x%02x after 0x%02x", name, l.data[i][0],
                 l.data[0][0]);
  emit_list(g, &l, name);
  oh_cg_list_free(&l);
  return g->status;
}

/* Re-packs encoder packets (code 0) into code 3 packets of k frames with
 * padding: the same TOC, more frames per packet. */
static int multi_frame(oh_cg *g) {
  oh_cg_list l = {0}, out = {0};
  int p, i;
  oh_cg_encode_run(g, CELT, FB, 480, 2, OH_SIG_TONE, 9, &l);
  for (p = 0; p < 3 && g->status == OH_OK; p++) {
    oh_packet_spec s;
    uint8_t buf[4096];
    oh_error perr;
    long n;
    memset(&s, 0, sizeof s);
    s.config = l.data[0][0] >> 3;
    s.stereo = 1;
    s.code = 3;
    s.vbr = p != 1;
    s.padding_len = (size_t)(p * 9);
    for (i = 0; i < 3; i++) {
      int k = s.vbr ? 3 * p + i : 3 * p;
      oh_cg_expect_toc(g, l.data[k], l.len[k], -1, 1, 0, "encoder output");
      s.frame_data[s.frame_count] = l.data[k] + 1;
      s.frame_len[s.frame_count++] = l.len[k] - 1;
    }
    if ((n = oh_packet_write(&s, buf, sizeof buf, &perr)) < 0) {
      oh_cg_fail(g, (int)n, "code 3 packet: %s", perr.reason);
      break;
    }
    oh_cg_list_add(g, &out, buf, (size_t)n);
  }
  emit_list(g, &out, "same-toc-celt-fb-10ms-stereo-code3-padded-x3.ohs");
  oh_cg_list_free(&l);
  oh_cg_list_free(&out);
  return g->status;
}

/* Packets whose TOCs differ, appended one after the other. */
static int mismatched(oh_cg *g, const oh_cg_step *st, int n, const char *name) {
  oh_cg_enc e;
  oh_cg_list l = {0};
  if (oh_cg_enc_open(g, &e, 2, 48000, OH_SIG_MIX) == OH_OK) {
    oh_cg_enc_steps(g, &e, st, n, &l);
    oh_cg_enc_close(&e);
  }
  emit_list(g, &l, name);
  oh_cg_list_free(&l);
  return g->status;
}

/* Same-TOC packets with an empty (TOC-only) one among them. */
static int with_empty(oh_cg *g) {
  oh_cg_list l = {0}, out = {0};
  int i;
  oh_cg_encode_run(g, HYB, FB, 960, 2, OH_SIG_MIX, 4, &l);
  for (i = 0; i < l.n && g->status == OH_OK; i++) {
    oh_cg_list_add(g, &out, l.data[i], l.len[i]);
    if (i == 1) oh_cg_list_add(g, &out, l.data[i], 1);
  }
  emit_list(g, &out, "same-toc-hybrid-fb-20ms-stereo-with-toc-only-packet.ohs");
  oh_cg_list_free(&l);
  oh_cg_list_free(&out);
  return g->status;
}

int oh_cg_repacketizer(oh_cg *g) {
  static const oh_cg_step modes[] = {
      {SILK, WB, 960, 1}, {SILK, WB, 960, 1}, {CELT, FB, 960, 1}, {CELT, FB, 960, 1}};
  static const oh_cg_step chans[] = {
      {CELT, FB, 960, 2}, {CELT, FB, 960, 1}, {CELT, FB, 960, 2}, {CELT, FB, 960, 1}};
  static const oh_cg_step durs[] = {
      {CELT, FB, 960, 2}, {CELT, FB, 480, 2}, {CELT, FB, 480, 2}, {CELT, FB, 240, 2}};
  static const oh_cg_step bws[] = {
      {CELT, FB, 480, 2}, {CELT, SWB, 480, 2}, {CELT, WB, 480, 2}, {CELT, NB, 480, 2}};
  same_toc(g, CELT, FB, 960, 2, 6, "same-toc-celt-fb-20ms-stereo-x6-120ms.ohs");
  same_toc(g, CELT, FB, 960, 1, 7, "same-toc-celt-fb-20ms-mono-x7-past-120ms.ohs");
  same_toc(g, SILK, WB, 2880, 1, 3, "same-toc-silk-wb-60ms-mono-x3-past-120ms.ohs");
  same_toc(g, CELT, NB, 120, 2, 10, "same-toc-celt-nb-2.5ms-stereo-x10.ohs");
  same_toc(g, SILK, NB, 1920, 2, 3, "same-toc-silk-nb-40ms-stereo-x3.ohs");
  multi_frame(g);
  with_empty(g);
  mismatched(g, modes, 4, "mismatched-toc-silk-then-celt.ohs");
  mismatched(g, chans, 4, "mismatched-toc-stereo-mono-alternating.ohs");
  mismatched(g, durs, 4, "mismatched-toc-durations.ohs");
  mismatched(g, bws, 4, "mismatched-toc-bandwidths.ohs");
  return g->status;
}
