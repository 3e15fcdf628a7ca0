/* An independent reading of Ogg Opus files for the Ogg reader's cross-check
 * (test_reader_ogg): libogg's demuxer for the packets and libopusfile's
 * decoder for the audio. It links only the system libraries, never the
 * static libopus inside ohcore, so the two sides share no code.
 *
 *   ogg_reference packets FILE [SERIAL]
 *     One line per packet of the chosen logical stream (SERIAL, else the
 *     first whose BOS page starts with OpusHead), headers included, up to
 *     its EOS page: "LEN GRANULEPOS EOS HEX". A hole (lost data, per libogg)
 *     prints "hole". Exit 0, or 1 when the file cannot be read.
 *   ogg_reference pcm FILE OUT
 *     Decodes the first link with op_read_float (48 kHz, header gain off so
 *     the output is the raw decoder output after pre-skip and end trimming)
 *     and writes interleaved native-endian floats to OUT. Prints the
 *     channel count. */
#include <ogg/ogg.h>
#include <opusfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bos_is_chosen(ogg_page *og, int want_set, long want) {
  if (!ogg_page_bos(og)) return 0;
  if (want_set) return ogg_page_serialno(og) == (int)(unsigned)want;
  return og->body_len >= 8 && memcmp(og->body, "OpusHead", 8) == 0;
}

static void print_packet(const ogg_packet *op) {
  printf("%ld %lld %d ", op->bytes, (long long)op->granulepos,
         op->e_o_s ? 1 : 0);
  for (long i = 0; i < op->bytes; i++) printf("%02x", op->packet[i]);
  printf("\n");
}

/* Returns 1 once the stream's EOS packet went out. */
static int drain(ogg_stream_state *os) {
  ogg_packet op;
  int rc;
  while ((rc = ogg_stream_packetout(os, &op)) != 0) {
    if (rc < 0) {
      printf("hole\n");
      continue;
    }
    print_packet(&op);
    if (op.e_o_s) return 1;
  }
  return 0;
}

static int dump_packets(const char *path, int want_set, long want) {
  FILE *f = fopen(path, "rb");
  ogg_sync_state oy;
  ogg_stream_state os;
  ogg_page og;
  int chosen = 0, done = 0;
  if (!f) return 1;
  ogg_sync_init(&oy);
  while (!done) {
    char *b = ogg_sync_buffer(&oy, 4096);
    size_t n = fread(b, 1, 4096, f);
    ogg_sync_wrote(&oy, (long)n);
    while (!done && ogg_sync_pageout(&oy, &og) == 1) {
      if (!chosen && bos_is_chosen(&og, want_set, want)) {
        ogg_stream_init(&os, ogg_page_serialno(&og));
        chosen = 1;
      }
      if (!chosen || ogg_page_serialno(&og) != os.serialno) continue;
      ogg_stream_pagein(&os, &og);
      done = drain(&os);
    }
    if (n == 0) break;
  }
  if (chosen) ogg_stream_clear(&os);
  ogg_sync_clear(&oy);
  fclose(f);
  return 0;
}

static int dump_pcm(const char *path, const char *out_path) {
  int error = 0, li = 0, n, channels;
  float pcm[5760 * 8];
  OggOpusFile *of = op_open_file(path, &error);
  FILE *out;
  if (!of) {
    fprintf(stderr, "op_open_file: %d\n", error);
    return 1;
  }
  op_set_gain_offset(of, OP_ABSOLUTE_GAIN, 0);
  channels = op_channel_count(of, 0);
  out = fopen(out_path, "wb");
  if (!out) return 1;
  while ((n = op_read_float(of, pcm, (int)(sizeof pcm / sizeof pcm[0]), &li)) >
             0 &&
         li == 0)
    fwrite(pcm, sizeof(float), (size_t)n * (size_t)channels, out);
  fclose(out);
  op_free(of);
  if (n < 0) {
    fprintf(stderr, "op_read_float: %d\n", n);
    return 1;
  }
  printf("%d\n", channels);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "packets") == 0)
    return dump_packets(argv[2], argc > 3, argc > 3 ? strtol(argv[3], NULL, 0)
                                                    : 0);
  if (argc == 4 && strcmp(argv[1], "pcm") == 0) return dump_pcm(argv[2], argv[3]);
  fprintf(stderr, "usage: ogg_reference packets FILE [SERIAL] | pcm FILE OUT\n");
  return 2;
}
