/* opushunt: the one command-line entry point. Each subcommand lives in its
 * own cmd_<name>.c and registers in the table below. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const oh_command commands[] = {
    {"decode", "reference decoder: any supported input to WAV, with a trace",
     oh_cmd_decode, oh_cmd_decode_usage},
    {"replay", "crash reproducer: replay packets as the service called libopus, under a tool",
     oh_cmd_replay, oh_cmd_replay_usage},
    {"fuzz", "fuzzing campaign: libFuzzer or AFL++ on one target, findings collected",
     oh_cmd_fuzz, oh_cmd_fuzz_usage},
    {"triage", "crash triage: reproduce, deduplicate, classify, minimise, report",
     oh_cmd_triage, oh_cmd_triage_usage},
    {"corpus", "seed corpus: generate it, or minimise it with libFuzzer or afl-cmin",
     oh_cmd_corpus, oh_cmd_corpus_usage},
};

static void usage(FILE *f) {
  size_t i;
  fprintf(f,
          "usage: opushunt COMMAND [options] ...\n"
          "Robustness testing and fuzzing for programs that decode Opus with libopus.\n\n"
          "commands:\n");
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n'opushunt COMMAND --help' describes a command.\n"
          "Exit status: 0 clean, 1 a finding, 2 bad usage or unreadable input.\n");
}

int main(int argc, char **argv) {
  size_t i;
  const char *name = argc > 1 ? argv[1] : NULL;
  if (!name || !strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
    if (name && !strcmp(name, "help") && argc > 2) {
      for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[2], commands[i].name)) {
          commands[i].usage(stdout);
          return OH_EXIT_OK;
        }
    }
    usage(name ? stdout : stderr);
    return name ? OH_EXIT_OK : OH_EXIT_USAGE;
  }
  if (!strcmp(name, "--version")) {
    printf("opushunt 0.1.0\n");
    return OH_EXIT_OK;
  }
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(name, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "opushunt: unknown command '%s'\n", name);
  usage(stderr);
  return OH_EXIT_USAGE;
}
