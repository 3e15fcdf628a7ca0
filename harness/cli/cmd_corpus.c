/* `opushunt corpus`: the seed corpus. `generate` writes the generator's
 * seeds (corpus_gen.h) to <out>/<target>/ without ever replacing a
 * different file unasked; `merge` minimises a target's corpus with
 * libFuzzer -merge=1 or afl-cmin into a new folder (corpus_merge.h) and
 * reports the counts before and after. */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "opushunt/corpus_gen.h"
#include "opushunt/corpus_merge.h"

#define GEN "corpus generate"
#define MERGE "corpus merge"

static void generate_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt corpus generate [--out DIR] [--target NAME]... [--testvectors DIR]\n"
          "                                [--force] [-q]\n"
          "Write the deterministic seed corpus of every fuzz target to DIR/<target>/.\n\n"
          "  -o, --out DIR        corpus folder (default: corpus); DIR/regressions/ and other\n"
          "                       folders are never touched\n"
          "  -t, --target NAME    only this target (repeatable): packet, stream, multistream,\n"
          "                       projection, custom, repacketizer, pipeline, readers\n"
          "  --testvectors DIR    also slice a few official testvectorNN.bit files into tv-*\n"
          "                       seeds (default: $OPUSHUNT_TESTVECTORS; none when unset).\n"
          "                       The vectors stay out of the repository: keep tv-* seeds in\n"
          "                       a working corpus, not the committed one\n"
          "  --force              replace files whose bytes differ from the generated seed\n"
          "  -q, --quiet          print nothing but errors\n"
          "  -h, --help\n\n"
          "A file with identical bytes is left alone; a different one is kept (and counted\n"
          "as skipped) unless --force. Every file is written atomically. The bytes depend on\n"
          "the libopus build (float encoder): regenerate with the same build to compare.\n"
          "Exit status: 0 done; 1 some files differ and were kept; 2 bad usage or failure.\n");
}

static void merge_usage(FILE *f) {
  fprintf(f,
          "usage: opushunt corpus merge TARGET [options] [EXTRA_DIR...]\n"
          "Minimise a fuzz target's corpus into a NEW folder; the original is never changed.\n\n"
          "  --engine E           libfuzzer (default: fuzz-TARGET -merge=1) or afl (afl-cmin)\n"
          "  --sanitizer NAME     picks the default binary (default: asan)\n"
          "  --binary PATH        the fuzz binary (default:\n"
          "                       build/fuzz/<engine>-<sanitizer>/bin/fuzz-TARGET)\n"
          "  --corpus DIR         folder to minimise (default: corpus/TARGET)\n"
          "  --into DIR           the new folder (default: <corpus>.merged-<YYYYMMDD>); an\n"
          "                       interrupted libFuzzer merge into it resumes\n"
          "  --replace            afterwards move <corpus> to <corpus>.bak-<time> and the\n"
          "                       merged folder into its place\n"
          "  --timeout SEC        limit on the whole merge (default: 3600)\n"
          "  --input-timeout SEC  limit per input (default: 10)\n"
          "  -q, --quiet          print nothing but errors\n"
          "  -h, --help\n\n"
          "EXTRA_DIR folders (e.g. a campaign's output) are merged in too (libFuzzer only).\n"
          "corpus/regressions/ is never read, written or replaced.\n"
          "Exit status: 0 merged; 2 bad usage or the merge failed (an interrupted\n"
          "libFuzzer merge resumes when run again).\n");
}

void oh_cmd_corpus_usage(FILE *f) {
  fprintf(f, "usage: opushunt corpus generate|merge [options]\n\n");
  generate_usage(f);
  fprintf(f, "\n");
  merge_usage(f);
}

/* One line for an option getopt_long rejected (opterr is off). */
static int bad_option(const char *cmd, int c, char **argv) {
  const char *arg = argv[optind - 1];
  if (c == ':') return oh_cli_usage_error(cmd, "option '%s' needs a value", arg);
  return oh_cli_usage_error(cmd, "unknown option '%s'", arg);
}

/* ---- generate -------------------------------------------------------- */

typedef struct gen_counts {
  uint64_t seeds, bytes, written, unchanged, skipped;
} gen_counts;

typedef struct gen_state {
  const char *out;
  int force, quiet;
  gen_counts per[OH_CT_COUNT], total;
  oh_progress progress;
} gen_state;

static int store_seed(void *user, const char *target, const char *name, const uint8_t *data,
                      size_t len, oh_error *err) {
  gen_state *st = user;
  oh_corpus_store_outcome how;
  int t = oh_corpus_target_from_name(target), rc;
  gen_counts *c = &st->per[t];
  rc = oh_corpus_store(st->out, target, name, data, len, st->force, &how, err);
  if (rc != OH_OK) return rc;
  c->seeds++;
  c->bytes += len;
  if (how == OH_CS_WRITTEN) c->written++;
  if (how == OH_CS_UNCHANGED) c->unchanged++;
  if (how == OH_CS_SKIPPED) {
    c->skipped++;
    if (st->total.skipped++ < 10)
      fprintf(stderr, "opushunt " GEN ": kept %s/%s/%s: it differs from the generated seed\n",
              st->out, target, name);
  }
  oh_progress_update(&st->progress, "%s/%s", target, name);
  return OH_OK;
}

static void print_counts(const char *what, const gen_counts *c) {
  printf("%-13s %4" PRIu64 " seeds %9.1f KB: %" PRIu64 " written, %" PRIu64 " unchanged, %" PRIu64
         " skipped\n",
         what, c->seeds, (double)c->bytes / 1024, c->written, c->unchanged, c->skipped);
}

static int cmd_generate(int argc, char **argv) {
  enum { OPT_TESTVECTORS = 1000, OPT_FORCE };
  static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                           {"target", required_argument, NULL, 't'},
                                           {"testvectors", required_argument, NULL, OPT_TESTVECTORS},
                                           {"force", no_argument, NULL, OPT_FORCE},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  gen_state st;
  oh_corpus_gen_options opt;
  oh_error err;
  const char *vectors = getenv("OPUSHUNT_TESTVECTORS");
  double t0 = oh_now();
  int c, i, rc;
  memset(&st, 0, sizeof st);
  memset(&opt, 0, sizeof opt);
  st.out = "corpus";
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:t:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': st.out = optarg; break;
    case 't':
      if ((i = oh_corpus_target_from_name(optarg)) < 0)
        return oh_cli_usage_error(GEN, "unknown target '%s'", optarg);
      opt.targets |= 1u << i;
      break;
    case OPT_TESTVECTORS: vectors = optarg; break;
    case OPT_FORCE: st.force = 1; break;
    case 'q': st.quiet = 1; break;
    case 'h': generate_usage(stdout); return OH_EXIT_OK;
    default: return bad_option(GEN, c, argv);
    }
  }
  if (optind != argc) return oh_cli_usage_error(GEN, "unexpected argument '%s'", argv[optind]);
  if (!*st.out) return oh_cli_usage_error(GEN, "--out needs a folder");
  if (vectors && *vectors) {
    struct stat sb;
    if (stat(vectors, &sb) != 0 || !S_ISDIR(sb.st_mode))
      return oh_cli_usage_error(GEN, "test vector folder '%s' does not exist", vectors);
    opt.testvectors = vectors;
  }
  oh_progress_init(&st.progress, st.quiet);
  rc = oh_corpus_generate(&opt, store_seed, &st, &err);
  oh_progress_done(&st.progress);
  if (rc != OH_OK) {
    oh_cli_print_error(GEN, NULL, &err);
    return OH_EXIT_USAGE;
  }
  for (i = 0; i < OH_CT_COUNT; i++) {
    st.total.seeds += st.per[i].seeds;
    st.total.bytes += st.per[i].bytes;
    st.total.written += st.per[i].written;
    st.total.unchanged += st.per[i].unchanged;
  }
  if (!st.quiet) {
    for (i = 0; i < OH_CT_COUNT; i++)
      if (st.per[i].seeds) print_counts(oh_corpus_target_name(i), &st.per[i]);
    print_counts("total", &st.total);
    printf("into %s/ in %.1f s; test vectors: %s\n", st.out, oh_now() - t0,
           opt.testvectors ? opt.testvectors : "none");
  }
  if (st.total.skipped) {
    fprintf(stderr, "opushunt " GEN ": %" PRIu64 " file%s differ%s from the generated seeds "
            "and %s kept; --force replaces them\n", st.total.skipped,
            st.total.skipped == 1 ? "" : "s", st.total.skipped == 1 ? "s" : "",
            st.total.skipped == 1 ? "was" : "were");
    return OH_EXIT_FINDING;
  }
  return OH_EXIT_OK;
}

/* ---- merge ----------------------------------------------------------- */

typedef struct merge_args {
  oh_merge_options opt;
  const char *target, *sanitizer, *binary, *corpus, *into;
  const char *inputs[65];
  int replace, quiet;
  long timeout_s, input_timeout_s;
  char binary_buf[4096], corpus_buf[4096], into_buf[4200];
} merge_args;

static void stamp(char *buf, size_t cap, const char *fmt) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, cap, fmt, &tm);
}

static int parse_merge(int argc, char **argv, merge_args *a) {
  enum { OPT_ENGINE = 1000, OPT_SAN, OPT_BINARY, OPT_CORPUS, OPT_INTO, OPT_REPLACE, OPT_TIMEOUT,
         OPT_INPUT_TIMEOUT };
  static const struct option longopts[] = {
      {"engine", required_argument, NULL, OPT_ENGINE},
      {"sanitizer", required_argument, NULL, OPT_SAN},
      {"binary", required_argument, NULL, OPT_BINARY},
      {"corpus", required_argument, NULL, OPT_CORPUS},
      {"into", required_argument, NULL, OPT_INTO},
      {"replace", no_argument, NULL, OPT_REPLACE},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"input-timeout", required_argument, NULL, OPT_INPUT_TIMEOUT},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c, i;
  a->sanitizer = "asan";
  a->timeout_s = 3600;
  a->input_timeout_s = 10;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_ENGINE:
      if (!strcmp(optarg, "libfuzzer"))
        a->opt.engine = OH_MERGE_LIBFUZZER;
      else if (!strcmp(optarg, "afl"))
        a->opt.engine = OH_MERGE_AFL;
      else
        return oh_cli_usage_error(MERGE, "--engine takes libfuzzer or afl, not '%s'", optarg);
      break;
    case OPT_SAN: a->sanitizer = optarg; break;
    case OPT_BINARY: a->binary = optarg; break;
    case OPT_CORPUS: a->corpus = optarg; break;
    case OPT_INTO: a->into = optarg; break;
    case OPT_REPLACE: a->replace = 1; break;
    case OPT_TIMEOUT:
      if (oh_cli_parse_long(optarg, 1, 7 * 86400, &a->timeout_s))
        return oh_cli_usage_error(MERGE, "--timeout takes seconds, not '%s'", optarg);
      break;
    case OPT_INPUT_TIMEOUT:
      if (oh_cli_parse_long(optarg, 1, 3600, &a->input_timeout_s))
        return oh_cli_usage_error(MERGE, "--input-timeout takes seconds, not '%s'", optarg);
      break;
    case 'q': a->quiet = 1; break;
    case 'h': merge_usage(stdout); return -1;
    default: return bad_option(MERGE, c, argv);
    }
  }
  if (optind >= argc) return oh_cli_usage_error(MERGE, "missing TARGET");
  a->target = argv[optind++];
  if (oh_corpus_target_from_name(a->target) < 0)
    return oh_cli_usage_error(MERGE, "unknown target '%s'", a->target);
  if (argc - optind > 63) return oh_cli_usage_error(MERGE, "too many folders");
  if (!a->corpus) {
    snprintf(a->corpus_buf, sizeof a->corpus_buf, "corpus/%s", a->target);
    a->corpus = a->corpus_buf;
  }
  if (!a->binary) {
    char src[2048], why[256];
    if (oh_cli_source_dir(src, sizeof src, why, sizeof why) != 0)
      return oh_cli_usage_error(MERGE, "%s (or pass --binary)", why);
    snprintf(a->binary_buf, sizeof a->binary_buf, "%s/build/fuzz/%s-%s/bin/fuzz-%s", src,
             oh_merge_engine_name(a->opt.engine), a->sanitizer, a->target);
    a->binary = a->binary_buf;
  }
  if (!a->into) {
    char date[16];
    size_t n = strlen(a->corpus);
    while (n > 1 && a->corpus[n - 1] == '/') n--;
    stamp(date, sizeof date, "%Y%m%d");
    snprintf(a->into_buf, sizeof a->into_buf, "%.*s.merged-%s", (int)n, a->corpus, date);
    a->into = a->into_buf;
  }
  if (a->replace && oh_path_in_regressions(a->corpus))
    return oh_cli_usage_error(MERGE, "--replace never replaces a regressions folder");
  if (a->replace && argc - optind > 0)
    return oh_cli_usage_error(MERGE, "--replace takes no EXTRA_DIR: the merged folder would "
                              "hold inputs the replaced corpus never had");
  a->inputs[0] = a->corpus;
  for (i = 0; optind < argc; i++) a->inputs[i + 1] = argv[optind++];
  a->opt.binary = a->binary;
  a->opt.inputs = a->inputs;
  a->opt.ninputs = i + 1;
  a->opt.into = a->into;
  a->opt.timeout_ms = (uint32_t)(a->timeout_s * 1000);
  a->opt.input_timeout_s = (int)a->input_timeout_s;
  return 0;
}

static int sum_stats(const merge_args *a, uint64_t *files, uint64_t *bytes, oh_error *err) {
  int i, rc;
  *files = *bytes = 0;
  for (i = 0; i < a->opt.ninputs; i++) {
    uint64_t f, b;
    if ((rc = oh_corpus_dir_stats(a->inputs[i], &f, &b, err)) != OH_OK) return rc;
    *files += f;
    *bytes += b;
  }
  return OH_OK;
}

static int cmd_merge(int argc, char **argv) {
  merge_args a;
  oh_merge_result res;
  oh_error err;
  uint64_t files0, bytes0, files1, bytes1;
  char control[4096];
  int rc;
  memset(&a, 0, sizeof a);
  if ((rc = parse_merge(argc, argv, &a)) != 0) return rc < 0 ? OH_EXIT_OK : rc;
  oh_error_clear(&err);
  if (sum_stats(&a, &files0, &bytes0, &err) != OH_OK) {
    oh_cli_print_error(MERGE, NULL, &err);
    return OH_EXIT_USAGE;
  }
  if (oh_merge_run(&a.opt, &res, &err) != OH_OK) {
    oh_cli_print_error(MERGE, NULL, &err);
    return OH_EXIT_USAGE;
  }
  if (!res.ok) {
    oh_merge_control_path(a.into, control, sizeof control);
    fprintf(stderr, "opushunt " MERGE ": %s %s: %s%s%s%s\n", oh_merge_engine_name(a.opt.engine),
            a.binary, res.outcome, res.last_line[0] ? ": " : "", res.last_line,
            a.opt.engine == OH_MERGE_LIBFUZZER && access(control, 0) == 0
                ? "; run the same command again to resume"
                : "");
    return OH_EXIT_USAGE;
  }
  if (oh_corpus_dir_stats(a.into, &files1, &bytes1, &err) != OH_OK) {
    oh_cli_print_error(MERGE, NULL, &err);
    return OH_EXIT_USAGE;
  }
  if (!a.quiet) {
    printf("%s: %s%s\n", a.target, oh_merge_engine_name(a.opt.engine),
           res.resumed ? " (resumed an interrupted merge)" : "");
    printf("before: %" PRIu64 " file%s, %.1f KB in %s%s\n", files0, files0 == 1 ? "" : "s",
           (double)bytes0 / 1024,
           a.corpus, a.opt.ninputs > 1 ? " and the extra folders" : "");
    printf("after:  %" PRIu64 " file%s, %.1f KB in %s\n", files1, files1 == 1 ? "" : "s",
           (double)bytes1 / 1024, a.into);
  }
  if (a.replace) {
    char when[32], backup[4200];
    if (files1 == 0 && files0 > 0) {
      fprintf(stderr, "opushunt " MERGE ": the merge kept no file; %s not replaced\n", a.corpus);
      return OH_EXIT_USAGE;
    }
    stamp(when, sizeof when, "%Y%m%d-%H%M%S");
    if (oh_corpus_swap(a.corpus, a.into, when, backup, sizeof backup, &err) != OH_OK) {
      oh_cli_print_error(MERGE, NULL, &err);
      return OH_EXIT_USAGE;
    }
    if (!a.quiet) printf("replaced: %s is the merged corpus; the old one is %s\n", a.corpus, backup);
  } else if (!a.quiet) {
    printf("the original is unchanged: swap the folders yourself, or rerun with --replace\n");
  }
  return OH_EXIT_OK;
}

int oh_cmd_corpus(int argc, char **argv) {
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub) return oh_cli_usage_error("corpus", "missing generate or merge");
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    oh_cmd_corpus_usage(stdout);
    return OH_EXIT_OK;
  }
  if (!strcmp(sub, "generate")) return cmd_generate(argc - 1, argv + 1);
  if (!strcmp(sub, "merge")) return cmd_merge(argc - 1, argv + 1);
  return oh_cli_usage_error("corpus", "unknown subcommand '%s' (generate or merge)", sub);
}
