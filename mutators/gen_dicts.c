/* Generates the fuzzing dictionaries mutators/dict/<target>.dict from the
 * RFC 6716 tables of the packet model (every TOC byte with its meaning,
 * frame-length encodings of the edge lengths, code 3 count and padding
 * bytes) and from the mutator's own value tables (OHS1 headers, record
 * types with typical fields, rates, frame sizes, CTLs, container magics),
 * in the `name="\xNN..."` form AFL++ and libFuzzer both read.
 *
 *   oh-gen-dicts DIR            write DIR/<target>.dict for every target
 *   oh-gen-dicts --check DIR    exit 1 (naming the first difference) unless
 *                               every DIR/<target>.dict is what it generates
 *   oh-gen-dicts --print TARGET one dictionary to stdout
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mut_impl.h"

/* ---- Output buffer ------------------------------------------------------- */

typedef struct dict {
  char *s;
  size_t len, cap;
  int entries;
} dict;

static void put(dict *d, const char *fmt, ...) {
  va_list ap;
  int n;
  if (!d->s) {
    d->cap = 4096;
    d->s = malloc(d->cap);
    if (!d->s) abort();
  }
  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(d->s + d->len, d->cap - d->len, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    if ((size_t)n < d->cap - d->len) break;
    d->cap = d->cap * 2 + (size_t)n + 64;
    d->s = realloc(d->s, d->cap);
    if (!d->s) abort();
  }
  d->len += (size_t)n;
}

/* One entry: an optional comment line, then name="bytes". */
static void entry(dict *d, const char *comment, const char *name,
                  const uint8_t *b, size_t n) {
  size_t i;
  if (comment) put(d, "# %s\n", comment);
  put(d, "%s=\"", name);
  for (i = 0; i < n; i++) {
    if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\')
      put(d, "%c", b[i]);
    else
      put(d, "\\x%02x", b[i]);
  }
  put(d, "\"\n");
  d->entries++;
}

static void be16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* ---- RFC 6716 pieces ----------------------------------------------------- */

static void toc_bytes(dict *d) {
  static const char *const codes[4] = {"one frame", "two equal frames",
                                       "two frames, first length coded",
                                       "a frame count byte follows"};
  int b;
  put(d, "\n# TOC bytes (RFC 6716 section 3.1): config, stereo bit, code\n");
  for (b = 0; b < 256; b++) {
    oh_toc t;
    char comment[160], name[16];
    uint8_t byte = (uint8_t)b;
    oh_toc_decode(byte, &t);
    snprintf(comment, sizeof comment, "config %d %s %s %g ms, %s, code %d: %s",
             t.config, oh_mode_name(t.mode), oh_bandwidth_name(t.bandwidth),
             t.frame_samples48 / 48.0, t.stereo ? "stereo" : "mono", t.code,
             codes[t.code]);
    snprintf(name, sizeof name, "toc_%02x", b);
    entry(d, comment, name, &byte, 1);
  }
}

static void frame_lengths(dict *d) {
  static const size_t more[3] = {253, 254, 255};
  size_t i;
  put(d, "\n# Frame lengths (section 3.2.1): one byte below 252, else two\n");
  for (i = 0; i < 6 + 3; i++) {
    size_t v = i < 6 ? oh_edge_lengths[i] : more[i - 6];
    uint8_t enc[2];
    size_t n = oh_frame_length_encode(v, enc, sizeof enc);
    char comment[96], name[24];
    if (n == 0) {
      /* 1276 has no encoding: a first byte >= 252 with nothing after it
       * is the cut-off length that breaks R4/R7 instead. */
      enc[0] = 252;
      snprintf(comment, sizeof comment,
               "length %zu cannot be coded; a lone 252 is a cut-off length", v);
      snprintf(name, sizeof name, "len_cut_off");
      entry(d, comment, name, enc, 1);
      continue;
    }
    snprintf(comment, sizeof comment, "frame length %zu", v);
    snprintf(name, sizeof name, "len_%zu", v);
    entry(d, comment, name, enc, n);
  }
}

static void count_bytes(dict *d) {
  static const int counts[9] = {1, 2, 3, 4, 6, 12, 24, 48, 0};
  int i, flags;
  put(d, "\n# Code 3 frame count bytes (section 3.2.5): v, p, M\n");
  for (i = 0; i < 9; i++)
    for (flags = 0; flags < 4; flags++) {
      int vbr = flags & 2, pad = flags & 1;
      uint8_t b = (uint8_t)((vbr ? 0x80 : 0) | (pad ? 0x40 : 0) | counts[i]);
      char comment[96], name[32];
      snprintf(comment, sizeof comment, "%d frame%s, %s, %s%s", counts[i],
               counts[i] == 1 ? "" : "s", vbr ? "VBR" : "CBR",
               pad ? "padded" : "no padding",
               counts[i] == 0 ? " (breaks R5)" : "");
      snprintf(name, sizeof name, "count_%s%s_%d", vbr ? "vbr" : "cbr",
               pad ? "_pad" : "", counts[i]);
      entry(d, comment, name, &b, 1);
    }
  {
    uint8_t b = 0x31; /* 49 frames: more than 120 ms of any frame size */
    entry(d, "49 frames: more than 120 ms (breaks R5)", "count_49", &b, 1);
  }
}

static void padding(dict *d) {
  size_t i;
  put(d, "\n# Code 3 padding length chains (section 3.2.5): 255 adds 254\n");
  for (i = 0; i < 10; i++) {
    size_t pad = oh_padding_lengths[i], n = 0;
    uint8_t chain[16];
    char comment[64], name[24];
    if (pad > 1016) continue;
    while (pad > 254) {
      chain[n++] = 255;
      pad -= 254;
    }
    chain[n++] = (uint8_t)pad;
    snprintf(comment, sizeof comment, "%zu bytes of padding", oh_padding_lengths[i]);
    snprintf(name, sizeof name, "pad_%zu", oh_padding_lengths[i]);
    entry(d, comment, name, chain, n);
  }
}

static void rfc_tables(dict *d) {
  toc_bytes(d);
  frame_lengths(d);
  count_bytes(d);
  padding(d);
}

/* ---- OHS1 ---------------------------------------------------------------- */

static void header(dict *d, const char *comment, const char *name, int api,
                   int ch, int streams, int coupled, int family, uint32_t rate,
                   int fs, int custom, int extra) {
  uint8_t h[OH_SCRIPT_HEADER_LEN];
  memcpy(h, OH_SCRIPT_MAGIC, 4);
  h[4] = (uint8_t)api;
  h[5] = 0;
  h[6] = (uint8_t)ch;
  h[7] = (uint8_t)streams;
  h[8] = (uint8_t)coupled;
  h[9] = (uint8_t)family;
  be32(h + 10, rate);
  be16(h + 14, (unsigned)fs);
  be16(h + 16, (unsigned)custom);
  be16(h + 18, (unsigned)extra);
  entry(d, comment, name, h, sizeof h);
}

static void records(dict *d, uint32_t rate) {
  uint8_t r[8];
  char comment[96], name[40];
  size_t i, n;
  int ctl;
  put(d, "\n# Records\n");
  r[0] = 'P';
  be16(r + 1, 60);
  entry(d, "'P' record, a 60-byte packet follows", "rec_packet_60", r, 3);
  for (i = 0; i < 7; i++) {
    int fs = oh_frame_size_at(rate, oh_dur_units[i]);
    r[0] = 'L';
    be16(r + 1, (unsigned)fs);
    snprintf(comment, sizeof comment, "'L' loss of %d samples (%g ms at %u Hz)",
             fs, oh_dur_units[i] * 2.5, rate);
    snprintf(name, sizeof name, "rec_loss_%d", fs);
    entry(d, comment, name, r, 3);
  }
  for (i = 0; i < 9; i++) {
    r[0] = 'L';
    be16(r + 1, (unsigned)oh_odd_frame_sizes[i]);
    snprintf(comment, sizeof comment, "'L' loss of %d samples (illegal: not a positive 2.5 ms multiple)",
             oh_odd_frame_sizes[i]);
    snprintf(name, sizeof name, "rec_loss_odd_%d", oh_odd_frame_sizes[i]);
    entry(d, comment, name, r, 3);
  }
  r[0] = 'F';
  be16(r + 1, (unsigned)oh_frame_size_at(rate, 8));
  be16(r + 3, 60);
  entry(d, "'F' FEC recovery of 20 ms from a 60-byte packet", "rec_fec_20ms", r, 5);
  for (ctl = 0; ctl < OH_CTL_COUNT; ctl++) {
    const int32_t *vals;
    int legal;
    for (legal = 1; legal >= 0; legal--) {
      oh_ctl_values(ctl, legal, &vals, &n);
      for (i = 0; i < n; i++) {
        r[0] = 'C';
        r[1] = (uint8_t)ctl;
        be32(r + 2, (uint32_t)vals[i]);
        snprintf(comment, sizeof comment, "'C' %s, value %ld%s",
                 oh_script_ctl_name(ctl), (long)vals[i], legal ? "" : " (illegal)");
        snprintf(name, sizeof name, "rec_ctl_%d_%s%zu", ctl, legal ? "" : "bad_", i);
        entry(d, comment, name, r, 6);
      }
      if (ctl != OH_CTL_SET_GAIN && ctl != OH_CTL_SET_PHASE_INVERSION_DISABLED &&
          ctl != OH_CTL_SET_COMPLEXITY)
        break; /* one table for CTLs without legal/illegal values */
    }
  }
  for (i = 0; i < 5; i++) {
    int ch;
    for (ch = 1; ch <= 2; ch++) {
      r[0] = 'R';
      be32(r + 1, oh_legal_rates[i]);
      r[5] = (uint8_t)ch;
      snprintf(comment, sizeof comment, "'R' re-create at %u Hz, %d channel%s",
               oh_legal_rates[i], ch, ch == 1 ? "" : "s");
      snprintf(name, sizeof name, "rec_recreate_%u_%d", oh_legal_rates[i], ch);
      entry(d, comment, name, r, 6);
    }
  }
}

static void values(dict *d, uint32_t rate) {
  uint8_t b[4];
  char comment[64], name[32];
  size_t i;
  put(d, "\n# Header fields: rates (u32) and frame sizes (u16)\n");
  for (i = 0; i < 5; i++) {
    be32(b, oh_legal_rates[i]);
    snprintf(comment, sizeof comment, "rate %u Hz", oh_legal_rates[i]);
    snprintf(name, sizeof name, "rate_%u", oh_legal_rates[i]);
    entry(d, comment, name, b, 4);
  }
  for (i = 0; i < 8; i++) {
    be32(b, oh_odd_rates[i]);
    snprintf(comment, sizeof comment, "rate %u Hz (illegal for opus_decoder)",
             oh_odd_rates[i]);
    snprintf(name, sizeof name, "rate_odd_%u", oh_odd_rates[i]);
    entry(d, comment, name, b, 4);
  }
  for (i = 0; i < 7; i++) {
    int fs = oh_frame_size_at(rate, oh_dur_units[i]);
    be16(b, (unsigned)fs);
    snprintf(comment, sizeof comment, "frame size %d (%g ms at %u Hz)", fs,
             oh_dur_units[i] * 2.5, rate);
    snprintf(name, sizeof name, "frame_size_%d", fs);
    entry(d, comment, name, b, 2);
  }
}

static void ohs1(dict *d, const char *target) {
  const oh_mut_target *t = oh_mut_target_find(target);
  char name[48];
  put(d, "\n# OHS1 stream script (harness/include/opushunt/script.h)\n");
  entry(d, "magic", "ohs1_magic", (const uint8_t *)OH_SCRIPT_MAGIC, 4);
  snprintf(name, sizeof name, "ohs1_header_%s", target);
  switch (t->bit) {
  case OH_T_MULTI:
    header(d, "header: multistream, stereo, 1 stream 1 coupled, 2-byte mapping",
           name, t->api, 2, 1, 1, 0, 48000, 960, 0, 2);
    header(d, "header: multistream 5.1, family 1 (4 streams, 2 coupled)",
           "ohs1_header_multistream_51", t->api, 6, 4, 2, 1, 48000, 960, 0, 6);
    entry(d, "stereo mapping", "mapping_stereo", (const uint8_t *)"\x00\x01", 2);
    entry(d, "5.1 mapping (Vorbis order)", "mapping_51",
          (const uint8_t *)"\x00\x04\x01\x02\x03\x05", 6);
    break;
  case OH_T_PROJ:
    header(d, "header: projection, 4 channels, 2 streams 2 coupled, 32-byte matrix",
           name, t->api, 4, 2, 2, 3, 48000, 960, 0, 32);
    entry(d, "Q15 unity, little-endian", "matrix_unity", (const uint8_t *)"\xff\x7f", 2);
    break;
  case OH_T_CUSTOM:
    header(d, "header: custom mode 48 kHz, 960-sample frames, stereo", name,
           t->api, 2, 0, 0, 0, 48000, 960, 960, 0);
    break;
  case OH_T_PIPE: {
    int model;
    for (model = 0; model < 12; model++) {
      char comment[64];
      snprintf(comment, sizeof comment, "header: pipeline, misuse model %d", model);
      snprintf(name, sizeof name, "ohs1_header_pipeline_model_%d", model);
      header(d, comment, name, t->api, 2, 0, 0, model, 48000, 960, 0, 5);
    }
    break;
  }
  default:
    header(d, "header: 48 kHz stereo, 20 ms decode calls", name, t->api, 2, 0, 0,
           0, 48000, 960, 0, 0);
    break;
  }
}

static void custom_values(dict *d) {
  uint8_t b[4];
  char comment[64], name[32];
  size_t i;
  put(d, "\n# Custom modes (opus_custom_mode_create)\n");
  for (i = 0; i < 8; i++) {
    be32(b, oh_custom_rates[i]);
    snprintf(comment, sizeof comment, "custom rate %u Hz", oh_custom_rates[i]);
    snprintf(name, sizeof name, "custom_rate_%u", oh_custom_rates[i]);
    entry(d, comment, name, b, 4);
  }
  for (i = 0; i < 12; i++) {
    be16(b, (unsigned)oh_custom_frames[i]);
    snprintf(comment, sizeof comment, "custom frame %d samples", oh_custom_frames[i]);
    snprintf(name, sizeof name, "custom_frame_%d", oh_custom_frames[i]);
    entry(d, comment, name, b, 2);
  }
}

static void pipeline_values(dict *d) {
  static const unsigned prefixes[8] = {0, 1, 251, 252, 1275, 1276, 4096, 65535};
  uint8_t b[5];
  char comment[80], name[32];
  size_t i;
  put(d, "\n# Pipeline body: u16be length prefixes; extra: u32 pcm_capacity, u8 flags\n");
  for (i = 0; i < 8; i++) {
    be16(b, prefixes[i]);
    snprintf(comment, sizeof comment, "length prefix %u%s", prefixes[i],
             prefixes[i] == 0 ? " (a loss)" : "");
    snprintf(name, sizeof name, "prefix_%u", prefixes[i]);
    entry(d, comment, name, b, 2);
  }
  for (i = 0; i < 6; i++) {
    be32(b, oh_pcm_capacities[i]);
    b[4] = 0;
    snprintf(comment, sizeof comment, "caller parameters: pcm_capacity %u, no flags",
             oh_pcm_capacities[i]);
    snprintf(name, sizeof name, "params_capacity_%u", oh_pcm_capacities[i]);
    entry(d, comment, name, b, 5);
  }
}

static void container_values(dict *d) {
  size_t i, n = 0;
  char name[32];
  put(d, "\n# Containers the readers know: Ogg, pcap/pcapng, RTP, text logs\n");
  for (i = 0; i < oh_container_token_count(); i++) {
    const uint8_t *tok = oh_container_token(i, &n);
    snprintf(name, sizeof name, "container_%zu", i);
    entry(d, NULL, name, tok, n);
  }
  {
    static const uint8_t ogg_bos[6] = {'O', 'g', 'g', 'S', 0, 2};
    static const uint8_t opushead[19] = {'O', 'p', 'u', 's', 'H', 'e', 'a',
                                         'd', 1,   2,   0x38, 1,  0x80, 0xbb,
                                         0,   0,   0,   0,    0};
    uint8_t b[8];
    entry(d, "Ogg page, version 0, beginning of stream", "ogg_bos", ogg_bos, 6);
    entry(d, "OpusHead: version 1, stereo, pre-skip 312, 48 kHz, gain 0, family 0",
          "opushead_stereo", opushead, sizeof opushead);
    be32(b, 8);
    be32(b + 4, 0);
    entry(d, ".bit record: length 8, final range 0", "bit_record_8", b, 8);
  }
}

/* ---- Targets ------------------------------------------------------------- */

static void generate(dict *d, const char *target) {
  const oh_mut_target *t = oh_mut_target_find(target);
  put(d, "# Fuzzing dictionary for the opushunt fuzz target '%s'.\n", target);
  put(d, "# Generated by mutators/gen_dicts.c (mutators/gen-dicts): do not edit.\n");
  put(d, "# Format: name=\"bytes\" with \\xNN escapes (AFL++ -x, libFuzzer -dict=).\n");
  if (t->kind == OH_TK_SCRIPT || t->kind == OH_TK_PIPELINE) {
    ohs1(d, target);
    if (t->kind == OH_TK_SCRIPT) records(d, 48000);
    values(d, 48000);
  }
  if (t->bit == OH_T_CUSTOM) custom_values(d);
  if (t->bit == OH_T_PIPE) pipeline_values(d);
  if (t->bit == OH_T_READERS) container_values(d);
  /* Custom frames are raw CELT: the TOC tables do not apply there. */
  if (t->bit != OH_T_CUSTOM) rfc_tables(d);
  else frame_lengths(d);
}

static char *path_of(const char *dir, const char *target) {
  size_t n = strlen(dir) + strlen(target) + 8;
  char *p = malloc(n);
  if (!p) abort();
  snprintf(p, n, "%s/%s.dict", dir, target);
  return p;
}

static int check_one(const char *dir, const char *target, const dict *d) {
  char *path = path_of(dir, target), *have;
  FILE *f = fopen(path, "rb");
  long n;
  size_t i, line = 1;
  int rc = 0;
  if (!f) {
    fprintf(stderr, "%s: missing (run mutators/gen-dicts)\n", path);
    free(path);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  have = malloc((size_t)n + 1);
  if (!have || fread(have, 1, (size_t)n, f) != (size_t)n) abort();
  fclose(f);
  for (i = 0; i < (size_t)n && i < d->len && have[i] == d->s[i]; i++)
    line += have[i] == '\n';
  if (i != (size_t)n || i != d->len) {
    fprintf(stderr, "%s: line %zu differs from what gen_dicts generates "
                    "(run mutators/gen-dicts)\n", path, line);
    rc = 1;
  }
  free(have);
  free(path);
  return rc;
}

static int write_one(const char *dir, const char *target, const dict *d) {
  char *path = path_of(dir, target);
  FILE *f = fopen(path, "wb");
  int rc = 0;
  if (!f || fwrite(d->s, 1, d->len, f) != d->len || fclose(f) != 0) {
    fprintf(stderr, "%s: cannot write\n", path);
    rc = 1;
  } else {
    printf("%s: %d entries\n", path, d->entries);
  }
  free(path);
  return rc;
}

int main(int argc, char **argv) {
  int check = argc == 3 && strcmp(argv[1], "--check") == 0;
  int print = argc == 3 && strcmp(argv[1], "--print") == 0;
  const char *dir = check || print ? argv[2] : argv[1];
  size_t i;
  int rc = 0;
  if (argc != 2 && !check && !print) {
    fprintf(stderr, "usage: %s DIR | --check DIR | --print TARGET\n", argv[0]);
    return 2;
  }
  for (i = 0; i < oh_mut_target_count(); i++) {
    const char *target = oh_mut_target_at(i)->name;
    dict d = {NULL, 0, 0, 0};
    if (print && strcmp(target, dir) != 0) continue;
    generate(&d, target);
    if (print)
      fwrite(d.s, 1, d.len, stdout);
    else
      rc |= check ? check_one(dir, target, &d) : write_one(dir, target, &d);
    free(d.s);
  }
  return rc;
}
