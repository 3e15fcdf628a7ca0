/* Seeds of the `pipeline` target: OHS1 pipeline scripts, whose family byte
 * is the misuse model (harness/runner/runner.h oh_model) and whose body is
 * the raw u16 big-endian length-prefixed stream the incident's service
 * read. One seed per model (but destroy-foreign-state, see below) with a
 * valid body of a few packets, plus caller parameter variations (mono,
 * 16 kHz, FEC, float, caller-allocated state, PCM capacities, a 120 ms
 * buffer, a truncated tail, an invalid packet). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_gen_impl.h"

enum { SILK = OH_MODE_SILK, HYB = OH_MODE_HYBRID, CELT = OH_MODE_CELT };
enum { NB = OH_BW_NB, WB = OH_BW_WB, SWB = OH_BW_SWB, FB = OH_BW_FB };

/* The names of harness/runner/models.c (oh_model_name), in model order;
 * the runner is not part of ohcore, so they are repeated here for file
 * names only. */
static const char *const MODEL[12] = {
    "caller",           "reference",          "pcm-per-channel",       "frame-size-overstated",
    "state-undersized", "destroy-foreign-state", "packet-freed-early", "length-trusted",
    "shared-decoder-race", "length-truncated", "double-destroy",      "pcm-read-past-samples"};

/* What goes into the body besides the common packets. */
enum { BODY_PLAIN = 0, BODY_60MS = 1, BODY_LONG = 2, BODY_INVALID = 4, BODY_LOSS = 8,
       BODY_CUT_TAIL = 16, BODY_LOSSES_ONLY = 32 };

typedef struct pipe_seed {
  int model, channels;
  uint32_t rate;
  int frame_size;
  uint32_t pcm_capacity;
  int pflags, body;
  const char *what;
} pipe_seed;

static void put_packet(uint8_t *body, size_t *n, const uint8_t *p, size_t len) {
  oh_cg_be16(body + *n, (unsigned)len);
  if (len) memcpy(body + *n + 2, p, len);
  *n += 2 + len;
}

/* The body: encoder packets of the caller's channel count through SILK,
 * hybrid and CELT, with the extras the seed asks for. */
static int make_body(oh_cg *g, const pipe_seed *ps, uint8_t *body, size_t cap, size_t *len) {
  static const oh_cg_step base[] = {{CELT, FB, 960, 2}, {CELT, FB, 960, 2}, {HYB, FB, 960, 2},
                                    {HYB, SWB, 960, 2}, {SILK, WB, 960, 2}};
  static const uint8_t invalid[3] = {0xff, 0x00, 0x00}; /* code 3, 0 frames */
  oh_cg_step st[8];
  oh_cg_enc e;
  oh_cg_list l = {0};
  size_t n = 0;
  int i, k = 0;
  for (i = 0; i < 5; i++) {
    st[k] = base[i];
    st[k++].channels = ps->channels;
  }
  if (ps->body & BODY_60MS) st[k++] = (oh_cg_step){CELT, FB, 2880, ps->channels};
  if (oh_cg_enc_open(g, &e, ps->channels, ps->channels == 2 ? 48000 : 32000, OH_SIG_MIX) != OH_OK)
    return g->status;
  oh_cg_enc_steps(g, &e, st, k, &l);
  if (ps->body & BODY_LONG) {
    oh_cg_opus(g, opus_encoder_ctl(e.enc, OPUS_SET_BITRATE(160000)), "OPUS_SET_BITRATE");
    oh_cg_enc_steps(g, &e, &base[0], 1, &l);
    if (g->status == OH_OK && l.len[l.n - 1] <= 255)
      oh_cg_fail(g, OH_ERR_MALFORMED, "long packet of only %zu bytes", l.len[l.n - 1]);
  }
  oh_cg_enc_close(&e);
  for (i = 0; i < l.n && g->status == OH_OK; i++) {
    if (ps->body & BODY_LOSSES_ONLY) {
      put_packet(body, &n, NULL, 0);
      continue;
    }
    if (n + 2 + l.len[i] + 8 > cap) {
      oh_cg_fail(g, OH_ERR_LIMIT, "pipeline body too long");
      break;
    }
    if (i == 2 && (ps->body & BODY_INVALID)) put_packet(body, &n, invalid, sizeof invalid);
    if (i == 3 && (ps->body & BODY_LOSS)) put_packet(body, &n, NULL, 0);
    put_packet(body, &n, l.data[i], l.len[i]);
  }
  if (g->status == OH_OK && (ps->body & BODY_CUT_TAIL)) {
    /* A last prefix announcing 200 bytes of which 5 arrived. */
    oh_cg_be16(body + n, 200);
    memcpy(body + n + 2, l.data[0], 5);
    n += 7;
  }
  oh_cg_list_free(&l);
  *len = n;
  return g->status;
}

static int emit_pipe(oh_cg *g, const pipe_seed *ps) {
  uint8_t body[8192], extra[5];
  size_t n = 0;
  oh_script s;
  oh_script_header h;
  if (make_body(g, ps, body, sizeof body, &n) != OH_OK) return g->status;
  oh_cg_header(&h, OH_SCRIPT_PIPELINE, ps->channels, ps->rate);
  h.family = ps->model;
  h.frame_size = ps->frame_size;
  oh_cg_be32(extra, ps->pcm_capacity);
  extra[4] = (uint8_t)ps->pflags;
  h.extra = extra;
  h.extra_len = sizeof extra;
  oh_script_init(&s, &h);
  s.body = body;
  s.body_len = n;
  return oh_cg_emit_script(g, &s, "model%02d-%s-%s-%uk%s.ohs", ps->model, MODEL[ps->model],
                           ps->channels == 2 ? "stereo" : "mono", (unsigned)(ps->rate / 1000),
                           ps->what);
}

/* Each defective model gets a seed that runs clean but sits one mutation
 * from its defect (channels 1 -> 2, a 20 ms packet -> 60 ms, a loss -> a
 * packet, a valid packet -> an invalid one), so a fuzzer has to find the
 * crash and the time it takes means something; a seed that crashes would
 * also stop libFuzzer at start-up and fail the corpus replay test.
 * destroy-foreign-state (5) frees a foreign pointer at teardown after any
 * input that sets up a decoder: no clean seed exists, so it has none. */
int oh_cg_pipeline(oh_cg *g) {
  static const pipe_seed t[] = {
      {0, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {1, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {2, 1, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {3, 2, 48000, 0, 0, 0, BODY_PLAIN, "-20ms-packets"},
      {4, 1, 48000, 960, 0, OH_SCRIPT_PF_STATE_INIT, BODY_PLAIN, "-state-init"},
      {6, 2, 48000, 960, 0, 0, BODY_LOSSES_ONLY, "-losses-only"},
      {7, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {8, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {9, 2, 48000, 960, 0, 0, BODY_LONG, "-long-packet"},
      {10, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      {11, 2, 48000, 960, 0, 0, BODY_PLAIN, ""},
      /* The caller's own parameters, varied. */
      {0, 1, 16000, 320, 0, OH_SCRIPT_PF_FEC | OH_SCRIPT_PF_FLOAT, BODY_LOSS, "-fec-float-loss"},
      {0, 2, 48000, 0, 0, 0, BODY_60MS, "-120ms-buffer"},
      {0, 2, 48000, 960, 1920, 0, BODY_60MS, "-pcm-capacity-1920"},
      {0, 2, 24000, 480, 0, OH_SCRIPT_PF_STATE_INIT, BODY_PLAIN, "-state-init"},
      {0, 2, 48000, 960, 0, 0, BODY_CUT_TAIL, "-truncated-tail"},
      {1, 1, 12000, 0, 0, OH_SCRIPT_PF_FLOAT, BODY_INVALID | BODY_LOSS, "-invalid-packet-loss"},
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0] && g->status == OH_OK; i++) emit_pipe(g, &t[i]);
  return g->status;
}
