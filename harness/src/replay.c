/* The reproducer's driver: tool and libopus-variant names, which tool can
 * see into which build, where runners live, the child's command line and
 * environment per tool, and one replay run end to end (replay.h). Reading
 * the results is replay_analyze.c; the input side is replay_input.c. */
#define _GNU_SOURCE
#include "opushunt/replay.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "opushunt/file.h"
#include "opushunt/script.h"

static const char *const tool_names[OH_UNDER_COUNT] = {
    "plain", "guard", "asan", "ubsan", "msan", "tsan", "valgrind", "helgrind"};

/* What a libopus variant's runner is compiled with: the runner follows
 * its library, so this also says which sanitizer runtime is inside. */
typedef enum instr { INSTR_NONE, INSTR_ASAN, INSTR_UBSAN, INSTR_MSAN, INSTR_TSAN } instr;

static const struct {
  const char *name;
  instr in;
} libs[] = {
    {"system", INSTR_NONE},      {"plain", INSTR_NONE},      {"asan", INSTR_ASAN},
    {"ubsan", INSTR_UBSAN},      {"ubsan-full", INSTR_UBSAN}, {"msan", INSTR_MSAN},
    {"tsan", INSTR_TSAN},        {"fixed-plain", INSTR_NONE}, {"fixed-asan", INSTR_ASAN},
    {"fixed-ubsan", INSTR_UBSAN},
};

const char *const oh_replay_models[] = {
    "caller", "reference", "pcm-per-channel", "frame-size-overstated",
    "state-undersized", "destroy-foreign-state", "packet-freed-early",
    "length-trusted", "shared-decoder-race", "length-truncated",
    "double-destroy", "pcm-read-past-samples", NULL};

/* CMake passes the names from harness/fuzzers/TARGETS (the only list). */
#ifndef OH_FUZZ_TARGET_NAMES
#define OH_FUZZ_TARGET_NAMES ""
#endif
#define OH_MAX_TARGETS 32
static char target_store[sizeof OH_FUZZ_TARGET_NAMES];
static const char *target_table[OH_MAX_TARGETS + 1];
/* Splits the comma-separated names once; not thread-safe on first use. */
const char *const *oh_replay_target_list(void) {
  char *p = target_store, *comma;
  int n = 0;
  if (target_table[0] || !OH_FUZZ_TARGET_NAMES[0]) return target_table;
  memcpy(target_store, OH_FUZZ_TARGET_NAMES, sizeof target_store);
  while (*p && n < OH_MAX_TARGETS) {
    target_table[n++] = p;
    if (!(comma = strchr(p, ','))) break;
    *comma = '\0';
    p = comma + 1;
  }
  return target_table;
}

int oh_replay_target_known(const char *name) {
  const char *const *t = oh_replay_target_list();
  int i;
  for (i = 0; name && t[i]; i++)
    if (strcmp(name, t[i]) == 0) return 1;
  return 0;
}

static const char *api_target(int api) {
  switch (api) {
  case OH_SCRIPT_DECODER: return "stream";
  case OH_SCRIPT_MULTISTREAM: return "multistream";
  case OH_SCRIPT_PROJECTION: return "projection";
  case OH_SCRIPT_CUSTOM: return "custom";
  case OH_SCRIPT_REPACKETIZER: return "repacketizer";
  case OH_SCRIPT_PIPELINE: return "pipeline";
  default: return "unknown";
  }
}

/* The same choice the runner makes (runner_main.c). */
const char *oh_replay_input_target(const oh_replay_options *o, const uint8_t *buf, size_t len,
                                   int *events) {
  *events = 1;
  if (o->target && strcmp(o->target, "auto") != 0) {
    *events = 0;
    return o->target;
  }
  if ((o->format != OH_FMT_AUTO && o->format != OH_FMT_SCRIPT) || len < OH_SCRIPT_HEADER_LEN ||
      memcmp(buf, OH_SCRIPT_MAGIC, 4) != 0)
    return NULL;
  *events = buf[4] == OH_SCRIPT_PIPELINE;
  return api_target(buf[4]);
}

const char *oh_replay_tool_name(oh_replay_tool t) {
  return (unsigned)t < OH_UNDER_COUNT ? tool_names[t] : "unknown";
}

int oh_replay_tool_from_name(const char *name, oh_replay_tool *t) {
  int i;
  for (i = 0; name && i < OH_UNDER_COUNT; i++)
    if (strcmp(name, tool_names[i]) == 0) {
      *t = (oh_replay_tool)i;
      return OH_OK;
    }
  return OH_ERR_ARG;
}

const char *oh_replay_default_lib(oh_replay_tool t) {
  switch (t) {
  case OH_UNDER_ASAN: return "asan";
  case OH_UNDER_UBSAN: return "ubsan";
  case OH_UNDER_MSAN: return "msan";
  case OH_UNDER_TSAN: return "tsan";
  default: return "system";
  }
}

static int lib_instr(const char *name) {
  size_t i;
  for (i = 0; name && i < sizeof libs / sizeof libs[0]; i++)
    if (strcmp(name, libs[i].name) == 0) return (int)libs[i].in;
  return -1;
}

int oh_replay_lib_known(const char *name) { return lib_instr(name) >= 0; }

int oh_replay_model_known(const char *name) {
  int i;
  for (i = 0; name && oh_replay_models[i]; i++)
    if (strcmp(name, oh_replay_models[i]) == 0) return 1;
  return 0;
}

static const char *instr_name(int in) {
  static const char *const n[] = {"no sanitizer", "ASan", "UBSan", "MSan", "TSan"};
  return in >= 0 && in <= INSTR_TSAN ? n[in] : "?";
}

/* The sanitizer a tool needs inside the runner, or INSTR_NONE. */
static instr tool_needs(oh_replay_tool t) {
  switch (t) {
  case OH_UNDER_ASAN: return INSTR_ASAN;
  case OH_UNDER_UBSAN: return INSTR_UBSAN;
  case OH_UNDER_MSAN: return INSTR_MSAN;
  case OH_UNDER_TSAN: return INSTR_TSAN;
  default: return INSTR_NONE;
  }
}

static const char *libs_for(instr in) {
  switch (in) {
  case INSTR_ASAN: return "--lib asan or --lib fixed-asan";
  case INSTR_UBSAN: return "--lib ubsan, ubsan-full or fixed-ubsan";
  case INSTR_MSAN: return "--lib msan";
  case INSTR_TSAN: return "--lib tsan";
  default: return "--lib system, plain or fixed-plain";
  }
}

/* A sanitizer tool over a build without that sanitizer. */
static int sanitizer_mismatch(oh_replay_tool t, const char *lib, int have, oh_error *err) {
  const char *san = instr_name(tool_needs(t));
  if (have == INSTR_NONE)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "%s sees nothing inside the uninstrumented %s libopus: use %s, or "
                   "--under guard/valgrind for the %s library",
                   san, lib, libs_for(tool_needs(t)), lib);
  return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                 "--under %s needs a libopus built with %s, and lib '%s' is built with %s: "
                 "use %s, or --under %s",
                 oh_replay_tool_name(t), san, lib, instr_name(have), libs_for(tool_needs(t)),
                 have == INSTR_ASAN ? "asan" : have == INSTR_UBSAN ? "ubsan"
                 : have == INSTR_MSAN ? "msan" : "tsan");
}

int oh_replay_check_combo(oh_replay_tool t, const char *lib, oh_error *err) {
  int have = lib_instr(lib);
  if ((unsigned)t >= OH_UNDER_COUNT)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "unknown tool");
  if (have < 0)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "unknown lib '%s': system, plain, asan, ubsan, ubsan-full, msan, tsan, "
                   "fixed-plain, fixed-asan or fixed-ubsan", lib ? lib : "");
  if (t == OH_UNDER_VALGRIND || t == OH_UNDER_HELGRIND) {
    if (have != INSTR_NONE)
      return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                     "Valgrind cannot run a runner built with %s (lib '%s'): use %s with "
                     "--under %s, or --under %s for this library",
                     instr_name(have), lib, libs_for(INSTR_NONE), oh_replay_tool_name(t),
                     have == INSTR_ASAN ? "asan" : have == INSTR_UBSAN ? "ubsan"
                     : have == INSTR_MSAN ? "msan" : "tsan");
    return OH_OK;
  }
  if (tool_needs(t) != INSTR_NONE && have != (int)tool_needs(t))
    return sanitizer_mismatch(t, lib, have, err);
  return OH_OK; /* plain and guard run any build; its sanitizer stays on */
}

void oh_replay_options_init(oh_replay_options *o) {
  memset(o, 0, sizeof *o);
  oh_reader_options_init(&o->ropt);
  o->caller.state_size = -1;
  o->compare = 1;
  o->timeout_ms = 60000;
  o->memory_bytes = (uint64_t)2048 << 20;
  o->valgrind = "valgrind";
}

const char *oh_replay_default_runner_dir(char *buf, size_t cap) {
  const char *env = getenv("OPUSHUNT_RUNNER_DIR");
  char exe[PATH_MAX];
  ssize_t n;
  char *slash;
  if (env && *env) {
    snprintf(buf, cap, "%s", env);
    return buf;
  }
  n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = '\0';
  if (!(slash = strrchr(exe, '/'))) return NULL;
  *slash = '\0';
  snprintf(buf, cap, "%s/runners", exe);
  return buf;
}

const char *oh_replay_find_symbolizer(void) {
  static const char *const where[] = {"/usr/bin/llvm-symbolizer-14",
                                      "/usr/lib/llvm-14/bin/llvm-symbolizer"};
  size_t i;
  for (i = 0; i < sizeof where / sizeof where[0]; i++)
    if (access(where[i], X_OK) == 0) return where[i];
  return NULL;
}

int oh_replay_runner_path(const char *runner_dir, const char *lib, char *out, size_t cap,
                          oh_error *err) {
  struct stat st;
  if (!runner_dir || !*runner_dir)
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "no runner directory: pass --runner-dir or set OPUSHUNT_RUNNER_DIR");
  if (stat(runner_dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "runner directory '%s' does not exist: build the runners, or point "
                   "--runner-dir or OPUSHUNT_RUNNER_DIR at them", runner_dir);
  if ((size_t)snprintf(out, cap, "%s/oh-runner-%s", runner_dir, lib) >= cap)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "runner path too long");
  if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return OH_OK;
  /* The system runner links the distribution's libopus; the others a
   * variant scripts/build-libopus makes. */
  if (strcmp(lib, "system") == 0)
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                   "runner for lib 'system' not built: install the distribution's libopus "
                   "(apt-get install libopus-dev) and rebuild");
  return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET,
                 "runner for lib '%s' not built: run scripts/build-libopus %s and rebuild",
                 lib, lib);
}

/* ---- The command line. */

/* Copies s into the command's store and returns the copy (NULL if full). */
static char *keep(oh_replay_cmd *c, const char *s) {
  size_t n = strlen(s) + 1;
  char *p;
  if (c->used + n > sizeof c->store) return NULL;
  p = c->store + c->used;
  memcpy(p, s, n);
  c->used += n;
  return p;
}

static int add(oh_replay_cmd *c, const char *s) {
  char *p;
  if (c->argc >= OH_REPLAY_MAX_ARGS || !(p = keep(c, s))) return -1;
  c->argv[c->argc++] = p;
  c->argv[c->argc] = NULL;
  return 0;
}

static int addf(oh_replay_cmd *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int addf(oh_replay_cmd *c, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof buf) return -1;
  return add(c, buf);
}

static int add_opt(oh_replay_cmd *c, const char *opt, const char *val) {
  return add(c, opt) || add(c, val);
}

static int add_num(oh_replay_cmd *c, const char *opt, long v) {
  return add(c, opt) || addf(c, "%ld", v);
}

static int add_input_opts(oh_replay_cmd *c, const oh_replay_options *o) {
  const oh_reader_options *r = &o->ropt;
  int bad = 0;
  if (o->format != OH_FMT_AUTO) bad |= add_opt(c, "--format", oh_format_name(o->format));
  if (r->header_skip) bad |= add_num(c, "--header-skip", (long)r->header_skip);
  if (r->max_packet_len && r->max_packet_len != OH_DEFAULT_MAX_PACKET)
    bad |= add_num(c, "--max-packet", (long)r->max_packet_len);
  if (r->ogg_serial_set) bad |= add_num(c, "--serial", (long)r->ogg_serial);
  if (r->rtp_ssrc_set) bad |= add_num(c, "--ssrc", (long)r->rtp_ssrc);
  if (r->udp_port) bad |= add_num(c, "--port", (long)r->udp_port);
  if (r->rtp_payload_type >= 0) bad |= add_num(c, "--payload-type", (long)r->rtp_payload_type);
  return bad;
}

static int add_caller_opts(oh_replay_cmd *c, const oh_replay_caller *k) {
  int bad = 0;
  if (k->model) bad |= add_opt(c, "--model", k->model);
  if (k->rate) bad |= add_num(c, "--rate", k->rate);
  if (k->channels) bad |= add_num(c, "--channels", k->channels);
  if (k->frame_size) bad |= add_num(c, "--frame-size", k->frame_size);
  if (k->pcm_capacity) bad |= add_opt(c, "--pcm-capacity", k->pcm_capacity);
  if (k->sample) bad |= add_opt(c, "--sample", k->sample);
  if (k->fec) bad |= add(c, "--fec");
  if (k->state) bad |= add_opt(c, "--state", k->state);
  if (k->state_size >= 0) bad |= add_num(c, "--state-size", k->state_size);
  if (k->threads) bad |= add_num(c, "--threads", k->threads);
  if (k->lock) bad |= add(c, "--lock");
  if (k->reset_every) bad |= add_num(c, "--reset-every", k->reset_every);
  return bad;
}

/* Valgrind stops at the first error so that the last `call` event is the
 * one that faulted, and counts leaks as errors like ASan's detect_leaks. */
static int add_valgrind(oh_replay_cmd *c, const oh_replay_options *o, oh_replay_tool t) {
  int bad = add(c, o->valgrind ? o->valgrind : "valgrind");
  if (t == OH_UNDER_HELGRIND) {
    bad |= add(c, "--tool=helgrind");
  } else {
    bad |= add(c, "--tool=memcheck") || add(c, "--track-origins=yes") ||
           add(c, "--leak-check=full") || add(c, "--show-leak-kinds=definite,indirect") ||
           add(c, "--errors-for-leak-kinds=definite,indirect");
  }
  bad |= add(c, "--error-exitcode=99") || add(c, "--exit-on-first-error=yes") ||
         add(c, "--child-silent-after-fork=yes") || add(c, "--num-callers=40");
  return bad;
}

static int add_env(oh_replay_cmd *c, const char *name, const char *opts, const char *sym) {
  char buf[1024];
  char *p;
  int n = sym ? snprintf(buf, sizeof buf, "%s=%s:external_symbolizer_path=%s", name, opts, sym)
              : snprintf(buf, sizeof buf, "%s=%s", name, opts);
  if (n < 0 || (size_t)n >= sizeof buf || c->nenv >= OH_REPLAY_MAX_ENV || !(p = keep(c, buf)))
    return -1;
  c->env[c->nenv++] = p;
  c->env[c->nenv] = NULL;
  return 0;
}

/* The sanitizer runtime inside the runner follows the library, whatever
 * the tool: its options are set for plain and guard runs too. */
static int set_env(oh_replay_cmd *c, int in, const char *sym) {
  switch (in) {
  case INSTR_ASAN:
    return add_env(c, "ASAN_OPTIONS",
                   "abort_on_error=0:detect_leaks=1:symbolize=1:allocator_may_return_null=1:"
                   "handle_segv=1", sym);
  case INSTR_UBSAN: return add_env(c, "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:handle_sigill=1", sym);
  case INSTR_MSAN: return add_env(c, "MSAN_OPTIONS", "halt_on_error=1", sym);
  case INSTR_TSAN: return add_env(c, "TSAN_OPTIONS", "halt_on_error=0:exitcode=66", sym);
  default: return 0;
  }
}

/* RLIMIT_AS only where no sanitizer reserves terabytes of shadow and no
 * Valgrind sits in the address space; twice the limit, because address
 * space runs ahead of RSS (stacks, guard quarantine), while the RSS poll
 * at the limit itself is what names an `oom`. */
/* LLVM 14's TSan and MSan cannot map their shadow under the full address
 * randomisation of current kernels (they die with "unexpected memory
 * mapping"): run them through setarch -R, which only turns ASLR off. */
static int add_no_aslr(oh_replay_cmd *c) {
  static struct utsname u;
  if (uname(&u) != 0) return 0;
  return add(c, "setarch") | add(c, u.machine) | add(c, "-R");
}

static void set_limits(oh_replay_cmd *c, const oh_replay_options *o, oh_replay_tool t, int in) {
  c->rss_limit = o->memory_bytes;
  c->as_limit = 0;
  if (in == INSTR_NONE && t != OH_UNDER_VALGRIND && t != OH_UNDER_HELGRIND && o->memory_bytes)
    c->as_limit = o->memory_bytes * 2;
}

int oh_replay_build_cmd(const oh_replay_options *o, oh_replay_tool t, const char *lib,
                        const char *runner, oh_replay_cmd *c, oh_error *err) {
  int in = lib_instr(lib), bad = 0;
  memset(c, 0, sizeof *c);
  if (oh_replay_check_combo(t, lib, err) != OH_OK) return err ? err->code : OH_ERR_ARG;
  if (t == OH_UNDER_VALGRIND || t == OH_UNDER_HELGRIND) bad |= add_valgrind(c, o, t);
  if (in == INSTR_TSAN || in == INSTR_MSAN) bad |= add_no_aslr(c);
  bad |= add(c, runner);
  if (o->target && strcmp(o->target, "auto") != 0) bad |= add_opt(c, "--target", o->target);
  bad |= add_input_opts(c, o);
  bad |= add_caller_opts(c, &o->caller);
  if (t == OH_UNDER_GUARD) bad |= add(c, "--guard");
  if (o->check_only) bad |= add(c, "--check-only");
  else if (o->compare) bad |= add(c, "--compare");
  bad |= add_num(c, "--events-fd", OH_REPLAY_EVENTS_FD);
  bad |= add(c, o->input ? o->input : "-");
  bad |= set_env(c, in, o->symbolizer);
  if (bad)
    return oh_fail(err, OH_ERR_LIMIT, OH_NO_OFFSET, "runner command line too long");
  set_limits(c, o, t, in);
  return OH_OK;
}

/* ---- One run. */

/* The child's command line for a person, ready to paste: environment,
 * argv with single quotes where needed, events to stderr. */
static void join_cmd(const oh_replay_cmd *c, char *out, size_t cap) {
  size_t n = 0;
  int i;
  out[0] = '\0';
  for (i = 0; i < c->nenv + c->argc && n < cap; i++) {
    const char *s = i < c->nenv ? c->env[i] : c->argv[i - c->nenv];
    int plain = strcspn(s, " \t\n'\"\\$`*?;&|<>()[]{}!#~") == strlen(s);
    int k = snprintf(out + n, cap - n, plain ? "%s%s" : "%s'%s'", i ? " " : "", s);
    if (k < 0) return;
    n += (size_t)k;
  }
  if (n < cap) snprintf(out + n, cap - n, " %d>&2", OH_REPLAY_EVENTS_FD);
}

static void keep_log(oh_replay_result *res, const oh_replay_options *o, const char *ext,
                     const void *data, size_t len) {
  char path[4096];
  oh_error e;
  oh_error_clear(&e);
  snprintf(path, sizeof path, "%s/%s-%s.%s", o->keep_logs, oh_replay_tool_name(res->tool),
           res->lib, ext);
  if (oh_file_write(path, data ? data : "", data ? len : 0, o->input, &e) != OH_OK)
    oh_replay_note(res, "--keep-logs: %s", e.reason);
}

static void keep_logs(oh_replay_result *res, const oh_replay_options *o,
                      const oh_child_result *cr) {
  char line[sizeof res->argv_line + 1];
  if (mkdir(o->keep_logs, 0777) != 0 && errno != EEXIST) {
    oh_replay_note(res, "--keep-logs: cannot create %s: %s", o->keep_logs, strerror(errno));
    return;
  }
  snprintf(line, sizeof line, "%s\n", res->argv_line);
  keep_log(res, o, "cmd", line, strlen(line));
  keep_log(res, o, "stderr", cr->err.data, cr->err.len);
  keep_log(res, o, "stdout", cr->out.data, cr->out.len);
  keep_log(res, o, "events", cr->result.data, cr->result.len);
}

static int run_failed(oh_replay_result *res, const oh_error *err) {
  res->verdict = OH_VERDICT_ERROR;
  snprintf(res->why, sizeof res->why, "%s", err->reason);
  return err->code ? err->code : OH_ERR_IO;
}

static int start_child(const oh_replay_options *o, const oh_replay_cmd *cmd, const uint8_t *buf,
                       size_t len, oh_child_result *cr, oh_error *err) {
  oh_child_opts co;
  oh_child_opts_init(&co);
  co.argv = cmd->argv;
  co.env_add = cmd->env;
  co.timeout_ms = o->timeout_ms;
  co.as_limit = cmd->as_limit;
  co.rss_limit = cmd->rss_limit;
  co.result_fd = OH_REPLAY_EVENTS_FD;
  if (o->input && strcmp(o->input, "-") == 0) { /* the runner reads stdin */
    co.stdin_data = buf;
    co.stdin_len = len;
  }
  return oh_child_run(&co, cr, err);
}

int oh_replay_run(const oh_replay_options *o, oh_replay_tool t, const uint8_t *buf, size_t len,
                  oh_replay_result *res, oh_error *err) {
  const char *lib = o->lib ? o->lib : oh_replay_default_lib(t), *target;
  oh_replay_cmd *cmd = NULL;
  oh_child_result cr;
  oh_error e;
  int rc;
  memset(res, 0, sizeof *res);
  memset(&cr, 0, sizeof cr);
  oh_error_clear(&e);
  res->tool = t;
  res->fault_index = -1;
  snprintf(res->lib, sizeof res->lib, "%s", lib);
  snprintf(res->target, sizeof res->target, "%s",
           (target = oh_replay_input_target(o, buf, len, &res->target_events)) ? target : "");
  if (oh_replay_check_combo(t, lib, &e) != OH_OK ||
      oh_replay_runner_path(o->runner_dir, lib, res->runner, sizeof res->runner, &e) != OH_OK ||
      !(cmd = malloc(sizeof *cmd)) ||
      oh_replay_build_cmd(o, t, lib, res->runner, cmd, &e) != OH_OK) {
    if (!e.code) oh_fail(&e, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    free(cmd);
    if (err) *err = e;
    return run_failed(res, &e);
  }
  join_cmd(cmd, res->argv_line, sizeof res->argv_line);
  rc = start_child(o, cmd, buf, len, &cr, &e);
  free(cmd);
  if (rc != OH_OK) {
    if (rc == OH_ERR_NOT_FOUND && (t == OH_UNDER_VALGRIND || t == OH_UNDER_HELGRIND))
      oh_fail(&e, rc, OH_NO_OFFSET, "valgrind not found: install it (apt-get install valgrind)");
    oh_child_result_free(&cr);
    if (err) *err = e;
    return run_failed(res, &e);
  }
  oh_replay_analyze(&cr, res);
  if (o->keep_logs) keep_logs(res, o, &cr);
  oh_child_result_free(&cr);
  oh_replay_locate(o, buf, len, res);
  return OH_OK;
}

/* ---- Verdict names. */

static const char *const verdict_names[OH_VERDICT_COUNT] = {
    "clean", "crash", "sanitizer", "contract", "timeout", "oom", "divergence", "error"};

const char *oh_replay_verdict_name(oh_replay_verdict v) {
  return (unsigned)v < OH_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

int oh_replay_verdict_is_finding(oh_replay_verdict v) {
  return v != OH_VERDICT_CLEAN && v != OH_VERDICT_ERROR && (unsigned)v < OH_VERDICT_COUNT;
}

oh_replay_verdict oh_replay_overall(const oh_replay_result *runs, int nruns) {
  int i, error = 0;
  for (i = 0; i < nruns; i++) {
    if (oh_replay_verdict_is_finding(runs[i].verdict)) return runs[i].verdict;
    error |= runs[i].verdict == OH_VERDICT_ERROR;
  }
  return error ? OH_VERDICT_ERROR : OH_VERDICT_CLEAN;
}
