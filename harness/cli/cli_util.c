/* Helpers for the subcommands: strict number parsing, error lines, and the
 * single updating progress line (terminal only; silent in CI logs). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opushunt/file.h"

int oh_cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "opushunt %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see 'opushunt %s --help')\n", cmd);
  return OH_EXIT_USAGE;
}

void oh_cli_print_error(const char *cmd, const char *file, const oh_error *err) {
  char line[1024];
  oh_error_format(err, file, line, sizeof line);
  fprintf(stderr, "opushunt %s: %s\n", cmd, line);
}

int oh_cli_parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  long v;
  if (!s || !*s) return -1;
  errno = 0;
  v = strtol(s, &end, 0);
  if (errno || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int oh_cli_parse_u32(const char *s, uint32_t *out) {
  char *end;
  unsigned long long v;
  if (!s || !*s || *s == '-') return -1;
  errno = 0;
  v = strtoull(s, &end, 0);
  if (errno || *end || v > 0xFFFFFFFFull) return -1;
  *out = (uint32_t)v;
  return 0;
}

double oh_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void oh_progress_init(oh_progress *p, int quiet) {
  const char *force = getenv("OPUSHUNT_PROGRESS");
  const char *ci = getenv("CI");
  p->enabled = !quiet && isatty(2) && !(ci && *ci && strcmp(ci, "false") != 0);
  if (force) p->enabled = strcmp(force, "0") != 0;
  p->start = oh_now();
  p->last = 0;
}

void oh_progress_update(oh_progress *p, const char *fmt, ...) {
  va_list ap;
  double t;
  if (!p->enabled) return;
  t = oh_now();
  if (t - p->last < 0.1) return;
  p->last = t;
  fprintf(stderr, "\r\033[K[%6.1fs] ", t - p->start);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fflush(stderr);
}

void oh_progress_done(oh_progress *p) {
  if (p->enabled && p->last > 0) fputs("\r\033[K", stderr);
}

int oh_cli_input_option(const char *cmd, int opt, const char *arg,
                        oh_format *fmt, oh_reader_options *ropt) {
  long v;
  uint32_t u;
  switch (opt) {
  case 'f':
  case OH_OPT_FORMAT:
    if (oh_format_from_name(arg, fmt) != OH_OK)
      return oh_cli_usage_error(cmd, "unknown format '%s'", arg);
    return 1;
  case OH_OPT_HEADER_SKIP:
    if (oh_cli_parse_long(arg, 0, 1L << 30, &v))
      return oh_cli_usage_error(cmd, "--header-skip takes a byte count, not '%s'", arg);
    ropt->header_skip = (size_t)v;
    return 1;
  case OH_OPT_MAX_PACKET:
    if (oh_cli_parse_long(arg, 1, 1L << 30, &v))
      return oh_cli_usage_error(cmd, "--max-packet takes a positive byte count, not '%s'", arg);
    ropt->max_packet_len = (size_t)v;
    return 1;
  case OH_OPT_SERIAL:
    if (oh_cli_parse_u32(arg, &u))
      return oh_cli_usage_error(cmd, "--serial takes a 32-bit number, not '%s'", arg);
    ropt->ogg_serial_set = 1;
    ropt->ogg_serial = u;
    return 1;
  case OH_OPT_SSRC:
    if (oh_cli_parse_u32(arg, &u))
      return oh_cli_usage_error(cmd, "--ssrc takes a 32-bit number, not '%s'", arg);
    ropt->rtp_ssrc_set = 1;
    ropt->rtp_ssrc = u;
    return 1;
  case OH_OPT_PORT:
    if (oh_cli_parse_long(arg, 1, 65535, &v))
      return oh_cli_usage_error(cmd, "--port takes 1..65535, not '%s'", arg);
    ropt->udp_port = (int)v;
    return 1;
  case OH_OPT_PAYLOAD_TYPE:
    if (oh_cli_parse_long(arg, 0, 127, &v))
      return oh_cli_usage_error(cmd, "--payload-type takes 0..127, not '%s'", arg);
    ropt->rtp_payload_type = (int)v;
    return 1;
  default:
    return 0;
  }
}

uint8_t *oh_cli_read_input(const char *cmd, const char *path, size_t *len) {
  uint8_t *data = NULL;
  oh_error err;
  oh_error_clear(&err);
  if (oh_file_read(path, OH_MAX_INPUT_FILE, &data, len, &err) != OH_OK) {
    oh_cli_print_error(cmd, path, &err);
    return NULL;
  }
  return data;
}

static int has_fuzz_targets(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/harness/fuzzers/TARGETS", dir);
  return access(path, R_OK) == 0;
}

int oh_cli_source_dir(char *buf, size_t cap, char *why, size_t why_cap) {
  const char *env = getenv("OPUSHUNT_SOURCE_DIR");
  char exe[4096];
  ssize_t n;
  if (env && *env) {
    snprintf(buf, cap, "%s", env);
    if (has_fuzz_targets(buf)) return 0;
    snprintf(why, why_cap, "OPUSHUNT_SOURCE_DIR=%s has no harness/fuzzers/TARGETS", env);
    return -1;
  }
#ifdef OH_SOURCE_DIR
  snprintf(buf, cap, "%s", OH_SOURCE_DIR);
  if (has_fuzz_targets(buf)) return 0;
#endif
  if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
    char *slash;
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) != NULL) *slash = '\0';
    snprintf(buf, cap, "%s/../..", exe);
    if (has_fuzz_targets(buf)) return 0;
  }
  snprintf(why, why_cap, "cannot find the opushunt source tree: set OPUSHUNT_SOURCE_DIR");
  return -1;
}

