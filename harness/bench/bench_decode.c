/* bench_decode: decoder throughput of one libopus build, for comparing
 * sanitizer variants (scripts/bench-ubsan). Decodes every packet of opus_demo
 * .bit files PASSES times at 48 kHz stereo with opus_decode_float and prints,
 * per file, one line of key=value pairs:
 *
 *   file=F packets=P passes=N cpu_s=C wall_s=W packets_per_cpu_s=X range_mismatches=M
 *
 * Each pass starts from a reset decoder, so the final range after every packet
 * must match the one recorded in the file: a mismatch (exit 1) means the build
 * under test decodes wrongly, and its speed is meaningless.
 *
 * -r K destroys and recreates the decoder every K packets, which is what a
 * fuzzer does between short inputs; ranges are not checked then, since the
 * packets are decoded out of their context.
 *
 * .bit record: u32be packet length (0 = lost), u32be encoder final range,
 * then the packet. Only <opus.h> is used, so any libopus prefix links.
 *
 * Usage: bench_decode [-n PASSES] [-r K] FILE.bit...
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <opus.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_MAX_FRAME 5760 /* 120 ms at 48 kHz */
#define BENCH_CHANNELS 2

struct bench_packet {
  const unsigned char *data;
  int32_t len;
  uint32_t range;
};

struct bench_stream {
  unsigned char *bytes;
  struct bench_packet *packets;
  size_t count;
};

static uint32_t read_u32be(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long len;

  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
      free(buf);
      buf = NULL;
    }
    *size = (size_t)len;
  }
  fclose(f);
  return buf;
}

/* Splits a .bit file into packets; returns 0, or -1 with a message. */
static int stream_load(struct bench_stream *s, const char *path) {
  size_t size = 0, pos = 0, cap = 0;

  memset(s, 0, sizeof(*s));
  s->bytes = read_file(path, &size);
  if (!s->bytes) {
    fprintf(stderr, "bench_decode: %s: %s\n", path, strerror(errno));
    return -1;
  }
  while (pos < size) {
    uint32_t len;

    if (size - pos < 8) goto truncated;
    len = read_u32be(s->bytes + pos);
    /* 48 frames of 1275 bytes is the largest packet Opus allows. */
    if (len > size - pos - 8 || len > 1275 * 48) goto truncated;
    if (s->count == cap) {
      struct bench_packet *grown;

      cap = cap ? 2 * cap : 1024;
      grown = realloc(s->packets, cap * sizeof(*grown));
      if (!grown) {
        fprintf(stderr, "bench_decode: out of memory\n");
        return -1;
      }
      s->packets = grown;
    }
    s->packets[s->count].len = (int32_t)len;
    s->packets[s->count].range = read_u32be(s->bytes + pos + 4);
    s->packets[s->count].data = s->bytes + pos + 8;
    s->count++;
    pos += 8 + len;
  }
  return 0;
truncated:
  fprintf(stderr, "bench_decode: %s: bad or truncated record at byte %zu\n", path, pos);
  return -1;
}

static void stream_free(struct bench_stream *s) {
  free(s->packets);
  free(s->bytes);
}

static double seconds(clockid_t clock) {
  struct timespec ts;

  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Decodes the stream once from a reset state, recreating the decoder every
 * `recreate` packets if nonzero; returns range mismatches, or -1 when the
 * decoder reports an error. */
static long decode_pass(OpusDecoder **decp, const struct bench_stream *s, float *pcm,
                        long recreate) {
  OpusDecoder *dec = *decp;
  long mismatches = 0;
  size_t i;

  opus_decoder_ctl(dec, OPUS_RESET_STATE);
  for (i = 0; i < s->count; i++) {
    const struct bench_packet *p = &s->packets[i];
    opus_int32 last = 960;
    opus_uint32 range = 0;
    int ret;

    if (recreate && i % (size_t)recreate == 0) {
      opus_decoder_destroy(dec);
      *decp = dec = opus_decoder_create(48000, BENCH_CHANNELS, &ret);
      if (!dec) {
        fprintf(stderr, "bench_decode: opus_decoder_create: %s\n", opus_strerror(ret));
        return -1;
      }
    }
    if (p->len == 0) {
      /* Lost packet: conceal as long as the last one lasted. */
      opus_decoder_ctl(dec, OPUS_GET_LAST_PACKET_DURATION(&last));
      ret = opus_decode_float(dec, NULL, 0, pcm, last, 0);
    } else {
      ret = opus_decode_float(dec, p->data, p->len, pcm, BENCH_MAX_FRAME, 0);
    }
    if (ret < 0) {
      fprintf(stderr, "bench_decode: packet %zu: %s\n", i, opus_strerror(ret));
      return -1;
    }
    opus_decoder_ctl(dec, OPUS_GET_FINAL_RANGE(&range));
    if (!recreate && p->len != 0 && range != p->range) mismatches++;
  }
  return mismatches;
}

static int bench_file(const char *path, long passes, long recreate, float *pcm) {
  struct bench_stream s;
  OpusDecoder *dec = NULL;
  long pass, mismatches = 0;
  double cpu0, wall0, cpu, wall;
  int err = OPUS_OK, rc = 1;

  if (stream_load(&s, path) != 0) goto out;
  dec = opus_decoder_create(48000, BENCH_CHANNELS, &err);
  if (!dec) {
    fprintf(stderr, "bench_decode: opus_decoder_create: %s\n", opus_strerror(err));
    goto out;
  }
  cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  wall0 = seconds(CLOCK_MONOTONIC);
  for (pass = 0; pass < passes; pass++) {
    long m = decode_pass(&dec, &s, pcm, recreate);

    if (m < 0) goto out;
    mismatches += m;
  }
  cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  wall = seconds(CLOCK_MONOTONIC) - wall0;
  printf(
      "file=%s packets=%zu passes=%ld recreate=%ld cpu_s=%.3f wall_s=%.3f "
      "packets_per_cpu_s=%.0f range_mismatches=%ld\n",
      path, s.count, passes, recreate, cpu, wall, cpu > 0 ? (double)s.count * passes / cpu : 0.0,
      mismatches);
  rc = mismatches ? 1 : 0;
out:
  opus_decoder_destroy(dec);
  stream_free(&s);
  return rc;
}

int main(int argc, char **argv) {
  static float pcm[BENCH_MAX_FRAME * BENCH_CHANNELS];
  long passes = 1, recreate = 0;
  int i = 1, rc = 0;

  for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
    if (strcmp(argv[i], "-n") == 0)
      passes = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "-r") == 0)
      recreate = strtol(argv[i + 1], NULL, 10);
    else
      break;
  }
  if (i >= argc || argv[i][0] == '-' || passes < 1 || recreate < 0) {
    fprintf(stderr, "usage: bench_decode [-n PASSES] [-r K] FILE.bit...\n");
    return 2;
  }
  for (; i < argc; i++) rc |= bench_file(argv[i], passes, recreate, pcm);
  return rc;
}
