/* `opushunt decode`: the reference decoder. Reads any supported container,
 * decodes it through the decode session (libopus called correctly), writes
 * a WAV, optionally a JSONL trace, verifies recorded final ranges, and
 * prints a summary. A stream that breaks off is decoded up to the break and
 * the error names where it stopped. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "opushunt/decode_loop.h"
#include "opushunt/file.h"
#include "opushunt/trace.h"
#include "opushunt/wav.h"

static const char *CMD = "decode";

void oh_cmd_decode_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt decode [options] INPUT\n"
          "Decode INPUT with libopus the documented way; write WAV and a trace.\n\n"
          OH_CLI_INPUT_HELP
          "decoding:\n"
          "  -r, --rate HZ        output rate: 8000, 12000, 16000, 24000, 48000 (default 48000)\n"
          "  -c, --channels N     output channels, 1 or 2 (default: OpusHead for Ogg, else 2)\n"
          "  --sample s16|float   decode API and WAV sample format (default s16)\n"
          "  --fec                recover lost packets from the next packet's FEC\n"
          "  --gain Q8            decoder gain in dB, Q7.8 (Ogg: OpusHead's by default)\n"
          "  --no-range-check     do not compare final ranges recorded in .bit files\n"
          "output:\n"
          "  -o, --out FILE.wav   write the decoded audio (written atomically)\n"
          "  --trace FILE.jsonl   one JSON object per libopus call\n"
          "  -q, --quiet          print nothing but errors\n"
          "  -h, --help\n\n"
          "Ogg input: pre-skip and end trimming are applied to the WAV.\n"
          "Exit status: 0 clean; 1 final-range mismatches; 2 bad usage or input\n"
          "(a broken stream is decoded up to the break, which is reported).\n");
}

enum { OPT_SAMPLE = OH_OPT_FIRST_FREE, OPT_FEC, OPT_GAIN, OPT_NO_RANGE, OPT_TRACE };

typedef struct decode_args {
  const char *input, *out, *trace;
  oh_format format;
  oh_reader_options ropt;
  oh_session_config cfg;
  int channels_set, gain_set, check_range, quiet;
} decode_args;

static int parse_args(int argc, char **argv, decode_args *a) {
  static const struct option longopts[] = {
      OH_CLI_INPUT_LONGOPTS,
      {"rate", required_argument, NULL, 'r'},
      {"channels", required_argument, NULL, 'c'},
      {"sample", required_argument, NULL, OPT_SAMPLE},
      {"fec", no_argument, NULL, OPT_FEC},
      {"gain", required_argument, NULL, OPT_GAIN},
      {"no-range-check", no_argument, NULL, OPT_NO_RANGE},
      {"out", required_argument, NULL, 'o'},
      {"trace", required_argument, NULL, OPT_TRACE},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  long v;
  memset(a, 0, sizeof *a);
  oh_reader_options_init(&a->ropt);
  oh_session_config_init(&a->cfg);
  a->cfg.sample = OH_SAMPLE_S16;
  a->check_range = 1;
  optind = 1;
  while ((c = getopt_long(argc, argv, "f:r:c:o:qh", longopts, NULL)) != -1) {
    int h = oh_cli_input_option(CMD, c, optarg, &a->format, &a->ropt);
    if (h == 1) continue;
    if (h != 0) return h;
    switch (c) {
    case 'r':
      if (oh_cli_parse_long(optarg, 1, 1000000, &v))
        return oh_cli_usage_error(CMD, "--rate takes a sample rate, not '%s'", optarg);
      a->cfg.rate = (int32_t)v;
      break;
    case 'c':
      if (oh_cli_parse_long(optarg, 1, 2, &v))
        return oh_cli_usage_error(CMD, "--channels takes 1 or 2, not '%s'", optarg);
      a->cfg.channels = (int)v;
      a->channels_set = 1;
      break;
    case OPT_SAMPLE:
      if (!strcmp(optarg, "s16"))
        a->cfg.sample = OH_SAMPLE_S16;
      else if (!strcmp(optarg, "float"))
        a->cfg.sample = OH_SAMPLE_FLOAT;
      else
        return oh_cli_usage_error(CMD, "--sample takes s16 or float, not '%s'", optarg);
      break;
    case OPT_FEC: a->cfg.fec = 1; break;
    case OPT_GAIN:
      if (oh_cli_parse_long(optarg, -32768, 32767, &v))
        return oh_cli_usage_error(CMD, "--gain takes a Q7.8 value -32768..32767, not '%s'",
                                  optarg);
      a->cfg.gain_q8 = (int)v;
      a->gain_set = 1;
      break;
    case OPT_NO_RANGE: a->check_range = 0; break;
    case 'o': a->out = optarg; break;
    case OPT_TRACE: a->trace = optarg; break;
    case 'q': a->quiet = 1; break;
    case 'h': oh_cmd_decode_usage(stdout); return -1;
    default: return oh_cli_usage_error(CMD, "unknown option");
    }
  }
  if (optind != argc - 1)
    return oh_cli_usage_error(CMD, optind >= argc ? "missing INPUT" : "one INPUT only");
  a->input = argv[optind];
  return 0;
}

/* Where decoded samples go: pre-skip and end trimming (Ogg), the WAV, the
 * trace, the per-mode tally and the progress line. */
typedef struct sink {
  oh_wav *wav;
  FILE *trace;
  uint64_t skip;      /* output samples per channel still to drop */
  int64_t remaining;  /* output samples per channel still to keep; -1 all */
  size_t frame_bytes; /* bytes of one sample for all channels */
  uint64_t written;
  uint64_t modes[3];
  oh_progress progress;
  oh_error err;
  int failed;
} sink;

static int on_event(void *user, const oh_decode_event *ev) {
  sink *k = user;
  const uint8_t *pcm = ev->pcm;
  uint64_t n = ev->res.ret > 0 ? (uint64_t)ev->res.ret : 0;
  if (k->trace) oh_trace_write(k->trace, ev);
  if (ev->res.kind == OH_CALL_PACKET && ev->rec->len > 0) {
    oh_toc t;
    oh_toc_decode(ev->rec->data[0], &t);
    k->modes[t.mode]++;
  }
  if (k->skip) {
    uint64_t d = n < k->skip ? n : k->skip;
    k->skip -= d;
    n -= d;
    pcm += d * k->frame_bytes;
  }
  if (k->remaining >= 0 && n > (uint64_t)k->remaining) n = (uint64_t)k->remaining;
  if (k->remaining >= 0) k->remaining -= (int64_t)n;
  if (k->wav && n && oh_wav_write(k->wav, pcm, (size_t)n, &k->err) != OH_OK) {
    k->failed = 1;
    return 1;
  }
  k->written += n;
  oh_progress_update(&k->progress, "record %" PRIu64 " at offset %" PRIu64,
                     ev->rec->index, ev->rec->offset);
  return 0;
}

/* Ogg: channel layout and gain from OpusHead, trimming from pre-skip and
 * the last granule position (RFC 7845 section 4). */
static int apply_stream_info(decode_args *a, const oh_stream_info *info, sink *k) {
  int channels = a->cfg.channels, gain = a->cfg.gain_q8;
  if (!info->known) return 0;
  oh_session_config_from_stream(&a->cfg, info);
  if (a->channels_set && info->mapping_family == 0) {
    a->cfg.channels = channels;
    a->cfg.coupled = channels == 2;
  } else if (a->channels_set && channels != info->channels) {
    return oh_cli_usage_error(CMD, "--channels %d: this stream has mapping family %d with %d "
                              "channels", channels, info->mapping_family, info->channels);
  }
  if (a->gain_set) a->cfg.gain_q8 = gain;
  k->skip = (uint64_t)info->pre_skip * (uint64_t)a->cfg.rate / 48000;
  if (info->final_granule >= info->pre_skip)
    k->remaining = (info->final_granule - info->pre_skip) * a->cfg.rate / 48000;
  return 0;
}

static void print_summary(const decode_args *a, const oh_reader *r, const oh_decode_stats *st,
                          const sink *k) {
  printf("input: %s (%s)\n", a->input, oh_reader_describe(r));
  printf("records: %" PRIu64 " (%" PRIu64 " packets, %" PRIu64 " lost: %" PRIu64
         " concealed, %" PRIu64 " recovered by FEC)\n",
         st->records, st->packets, st->lost, st->concealed, st->recovered);
  printf("modes: SILK %" PRIu64 ", Hybrid %" PRIu64 ", CELT %" PRIu64 "\n", k->modes[0],
         k->modes[1], k->modes[2]);
  printf("decode errors: %" PRIu64 "; packets breaking RFC 6716 rules: %" PRIu64 "\n",
         st->decode_errors, st->invalid_packets);
  if (st->range_checked)
    printf("final range: %" PRIu64 " checked, %" PRIu64 " mismatches%s\n", st->range_checked,
           st->range_mismatches, st->range_mismatches ? "" : " (bit-exact)");
  if (st->first_mismatch >= 0)
    printf("first final-range mismatch at record %" PRId64 "\n", st->first_mismatch);
  printf("output: %" PRIu64 " samples per channel at %d Hz, %d channel%s, %s%s%s\n", k->written,
         (int)a->cfg.rate, a->cfg.channels, a->cfg.channels == 1 ? "" : "s",
         a->cfg.sample == OH_SAMPLE_FLOAT ? "float" : "s16", a->out ? " -> " : "",
         a->out ? a->out : "");
}

static int run(decode_args *a, const uint8_t *buf, size_t len) {
  oh_reader *r = NULL;
  oh_session *s = NULL;
  oh_outfile trace = {0};
  oh_decode_options dopt;
  oh_decode_stats st;
  oh_error err;
  sink k;
  int rc, exit_code = OH_EXIT_USAGE;
  memset(&k, 0, sizeof k);
  k.remaining = -1;
  oh_error_clear(&err);
  if (oh_reader_open(&r, a->format, buf, len, &a->ropt, &err) != OH_OK) {
    oh_cli_print_error(CMD, a->input, &err);
    return OH_EXIT_USAGE;
  }
  if (apply_stream_info(a, oh_reader_stream_info(r), &k)) goto out;
  if (oh_session_create(&s, &a->cfg, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    goto out;
  }
  k.frame_bytes = oh_session_sample_bytes(s) * (size_t)a->cfg.channels;
  if (a->out && oh_wav_open(&k.wav, a->out, a->cfg.rate, a->cfg.channels, a->cfg.sample,
                            a->input, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    goto out;
  }
  if (a->trace) {
    if (oh_outfile_open(&trace, a->trace, a->input, &err) != OH_OK) {
      oh_cli_print_error(CMD, NULL, &err);
      goto out;
    }
    k.trace = trace.f;
  }
  oh_decode_options_init(&dopt);
  dopt.check_range = a->check_range;
  oh_progress_init(&k.progress, a->quiet);
  rc = oh_decode_run(r, s, &dopt, on_event, &k, &st, &err);
  oh_progress_done(&k.progress);
  if (k.failed) {
    oh_cli_print_error(CMD, NULL, &k.err);
    goto out;
  }
  /* Finish the outputs even after a reader error: they hold what decoded. */
  if (k.wav) {
    oh_wav *w = k.wav;
    k.wav = NULL;
    if (oh_wav_close(w, &err) != OH_OK) {
      oh_cli_print_error(CMD, NULL, &err);
      goto out;
    }
  }
  if (k.trace && oh_outfile_commit(&trace, &err) != OH_OK) {
    oh_cli_print_error(CMD, NULL, &err);
    goto out;
  }
  if (!a->quiet) print_summary(a, r, &st, &k);
  if (rc < 0) {
    oh_cli_print_error(CMD, a->input, &err);
    fprintf(stderr, "opushunt decode: stopped after %" PRIu64 " records; output holds what "
            "decoded before the error\n", st.records);
    exit_code = OH_EXIT_USAGE;
  } else {
    exit_code = st.range_mismatches ? OH_EXIT_FINDING : OH_EXIT_OK;
  }
out:
  oh_wav_abort(k.wav);
  oh_outfile_abort(&trace);
  oh_session_destroy(s);
  oh_reader_close(r);
  return exit_code;
}

int oh_cmd_decode(int argc, char **argv) {
  decode_args a;
  uint8_t *buf;
  size_t len;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc < 0 ? OH_EXIT_OK : rc;
  if (!(buf = oh_cli_read_input(CMD, a.input, &len))) return OH_EXIT_USAGE;
  rc = run(&a, buf, len);
  free(buf);
  return rc;
}
