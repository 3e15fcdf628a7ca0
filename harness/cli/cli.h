/* Shared pieces of the opushunt command line: the subcommand table, strict
 * option parsing, error printing and the one-line progress display. */
#ifndef OPUSHUNT_CLI_H
#define OPUSHUNT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "opushunt/reader.h"

#include "opushunt/error.h"

/* Exit codes shared by every subcommand. */
enum {
  OH_EXIT_OK = 0,       /* clean */
  OH_EXIT_FINDING = 1,  /* a finding: crash, mismatch, violation */
  OH_EXIT_USAGE = 2     /* bad usage, unreadable or malformed input */
};

typedef struct oh_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
  void (*usage)(FILE *f);
} oh_command;

/* Prints "opushunt CMD: message" to stderr and returns OH_EXIT_USAGE. */
int oh_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints an oh_error as "opushunt CMD: FILE: offset N: reason". */
void oh_cli_print_error(const char *cmd, const char *file, const oh_error *err);

/* Strict integer parsing: the whole string, within [lo, hi]. */
int oh_cli_parse_long(const char *s, long lo, long hi, long *out);
int oh_cli_parse_u32(const char *s, uint32_t *out);

/* Progress line on a terminal: shown only when stderr is a TTY and not in
 * CI (CI set) unless OPUSHUNT_PROGRESS=1; updated at most 10 times a second. */
typedef struct oh_progress {
  int enabled;
  double last;
  double start;
} oh_progress;
void oh_progress_init(oh_progress *p, int quiet);
void oh_progress_update(oh_progress *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void oh_progress_done(oh_progress *p);
double oh_now(void);

/* The opushunt source tree (fuzz targets, corpus, scripts): the folder in
 * $OPUSHUNT_SOURCE_DIR, else the tree this binary was built from, else two
 * folders above the binary (build/bin/opushunt). Returns 0, or -1 with a
 * one-line reason in why. */
int oh_cli_source_dir(char *buf, size_t cap, char *why, size_t why_cap);

#endif

/* Input options shared by every command that reads a stream: --format,
 * --header-skip, --max-packet, --serial, --ssrc, --port, --payload-type.
 * OH_CLI_INPUT_LONGOPTS goes into a getopt_long table; oh_cli_input_option
 * handles one of them (returns 1 when handled, 0 when not its option,
 * OH_EXIT_USAGE after printing an error). */
enum {
  OH_OPT_FORMAT = 1000,
  OH_OPT_HEADER_SKIP,
  OH_OPT_MAX_PACKET,
  OH_OPT_SERIAL,
  OH_OPT_SSRC,
  OH_OPT_PORT,
  OH_OPT_PAYLOAD_TYPE,
  OH_OPT_FIRST_FREE /* subcommands number their own options from here */
};
#define OH_CLI_INPUT_LONGOPTS                                         \
  {"format", required_argument, NULL, OH_OPT_FORMAT},                 \
  {"header-skip", required_argument, NULL, OH_OPT_HEADER_SKIP},       \
  {"max-packet", required_argument, NULL, OH_OPT_MAX_PACKET},         \
  {"serial", required_argument, NULL, OH_OPT_SERIAL},                 \
  {"ssrc", required_argument, NULL, OH_OPT_SSRC},                     \
  {"port", required_argument, NULL, OH_OPT_PORT},                     \
  {"payload-type", required_argument, NULL, OH_OPT_PAYLOAD_TYPE}
#define OH_CLI_INPUT_HELP                                                           \
  "input:\n"                                                                        \
  "  -f, --format FMT     auto (default), bit, lp16be, lp16le, lp32be, lp32le,\n"   \
  "                       ogg, pcap, log\n"                                         \
  "  --header-skip N      lp*: bytes of fixed header before the first length\n"     \
  "  --max-packet N       reject records longer than N bytes\n"                     \
  "  --serial N           ogg: the logical stream to read\n"                        \
  "  --ssrc N             pcap: the RTP SSRC to read (default: first seen)\n"       \
  "  --port N             pcap: only UDP packets to or from port N\n"               \
  "  --payload-type N     pcap: only RTP payload type N\n"

/* The caller description shared by `opushunt replay` and the runner it
 * starts (oh-runner-<lib>), which parse the same options: one table, so the
 * two can never disagree on a name. Their own options number from
 * OH_OPT_CALLER_END. */
enum {
  OH_OPT_MODEL = OH_OPT_FIRST_FREE,
  OH_OPT_RATE,
  OH_OPT_CHANNELS,
  OH_OPT_FRAME_SIZE,
  OH_OPT_PCM_CAPACITY,
  OH_OPT_SAMPLE,
  OH_OPT_FEC,
  OH_OPT_STATE,
  OH_OPT_STATE_SIZE,
  OH_OPT_THREADS,
  OH_OPT_LOCK,
  OH_OPT_RESET_EVERY,
  OH_OPT_CALLER_END
};
#define OH_CLI_CALLER_LONGOPTS \
  {"model", required_argument, NULL, OH_OPT_MODEL}, \
  {"rate", required_argument, NULL, OH_OPT_RATE}, \
  {"channels", required_argument, NULL, OH_OPT_CHANNELS}, \
  {"frame-size", required_argument, NULL, OH_OPT_FRAME_SIZE}, \
  {"pcm-capacity", required_argument, NULL, OH_OPT_PCM_CAPACITY}, \
  {"sample", required_argument, NULL, OH_OPT_SAMPLE}, \
  {"fec", no_argument, NULL, OH_OPT_FEC}, \
  {"state", required_argument, NULL, OH_OPT_STATE}, \
  {"state-size", required_argument, NULL, OH_OPT_STATE_SIZE}, \
  {"threads", required_argument, NULL, OH_OPT_THREADS}, \
  {"lock", no_argument, NULL, OH_OPT_LOCK}, \
  {"reset-every", required_argument, NULL, OH_OPT_RESET_EVERY}

int oh_cli_input_option(const char *cmd, int opt, const char *arg,
                        oh_format *fmt, oh_reader_options *ropt);

/* Handles one OH_CLI_CALLER_LONGOPTS option into k: 0 done, 1 not a
 * caller option, OH_EXIT_USAGE after printing the error. */
struct oh_replay_caller;
int oh_cli_caller_option(const char *cmd, int opt, const char *arg,
                         struct oh_replay_caller *k);

/* Reads a whole input file, printing the error on failure (returns NULL). */
uint8_t *oh_cli_read_input(const char *cmd, const char *path, size_t *len);
