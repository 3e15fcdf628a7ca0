/* The engines' command lines and environments: libFuzzer (one process,
 * -fork=N for several jobs) and AFL++ 4.04c (one -M main and -S secondaries
 * sharing <out>/afl), plus the names and limits that go with them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_impl.h"

void oh_strvec_push(oh_strvec *s, const char *fmt, ...) {
  va_list ap;
  char *str = NULL;
  if (s->failed) return;
  if (s->n + 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    char **bigger = realloc(s->v, cap * sizeof *bigger);
    if (!bigger) {
      s->failed = 1;
      return;
    }
    s->v = bigger;
    s->cap = cap;
  }
  va_start(ap, fmt);
  if (vasprintf(&str, fmt, ap) < 0) str = NULL;
  va_end(ap);
  if (!str) {
    s->failed = 1;
    return;
  }
  s->v[s->n++] = str;
  s->v[s->n] = NULL;
}

void oh_strvec_free(oh_strvec *s) {
  size_t i;
  for (i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  memset(s, 0, sizeof *s);
}

const char *oh_fuzz_engine_name(oh_fuzz_engine e) {
  return e == OH_FUZZ_AFL ? "afl" : "libfuzzer";
}

int oh_fuzz_engine_from_name(const char *name, oh_fuzz_engine *e) {
  if (!strcmp(name, "libfuzzer")) *e = OH_FUZZ_LIBFUZZER;
  else if (!strcmp(name, "afl")) *e = OH_FUZZ_AFL;
  else return OH_ERR_ARG;
  return OH_OK;
}

int oh_fuzz_sanitizer_known(const char *name) {
  return !strcmp(name, "none") || !strcmp(name, "asan") || !strcmp(name, "ubsan") ||
         !strcmp(name, "msan");
}

void oh_fuzz_config_init(oh_fuzz_config *c) {
  memset(c, 0, sizeof *c);
  c->engine = OH_FUZZ_LIBFUZZER;
  c->sanitizer = "asan";
  c->custom_mutator = 1;
  c->jobs = 1;
  c->memory_mb = 2048;
}

int oh_fuzz_instance_count(const oh_fuzz_config *c) {
  return c->engine == OH_FUZZ_AFL && c->jobs > 1 ? c->jobs : 1;
}

void oh_fuzz_instance_name(const oh_fuzz_config *c, int i, char *buf, size_t cap) {
  if (c->engine == OH_FUZZ_LIBFUZZER) snprintf(buf, cap, "libfuzzer");
  else if (i == 0) snprintf(buf, cap, "main");
  else snprintf(buf, cap, "s%d", i);
}

void oh_fuzz_afl_path(const oh_fuzz_config *c, int i, const char *file, char *buf, size_t cap) {
  char name[16];
  oh_fuzz_instance_name(c, i, name, sizeof name);
  snprintf(buf, cap, "%s/afl/%s/%s", c->out_dir, name, file);
}

uint64_t oh_fuzz_group_rss_limit(const oh_fuzz_config *c) {
  uint64_t mb;
  if (!c->memory_mb) return 0;
  /* libFuzzer enforces -rss_limit_mb itself (per worker in fork mode);
   * this only catches an engine that stopped watching. AFL++ targets run
   * in their own sessions, so only afl-fuzz itself is in the group. */
  if (c->engine == OH_FUZZ_LIBFUZZER)
    mb = (uint64_t)(c->jobs > 1 ? c->jobs : 1) * (c->memory_mb + 256u) + 512u;
  else
    mb = (uint64_t)c->memory_mb + 512u;
  return mb << 20;
}

static void libfuzzer_argv(const oh_fuzz_config *c, oh_strvec *a) {
  int i;
  oh_strvec_push(a, "%s", c->binary);
  oh_strvec_push(a, "-seed=%u", c->seed);
  if (c->time_s) oh_strvec_push(a, "-max_total_time=%u", c->time_s);
  if (c->runs) oh_strvec_push(a, "-runs=%llu", (unsigned long long)c->runs);
  if (c->timeout_s) oh_strvec_push(a, "-timeout=%u", c->timeout_s);
  oh_strvec_push(a, "-rss_limit_mb=%u", c->memory_mb);
  if (c->dict) oh_strvec_push(a, "-dict=%s", c->dict);
  oh_strvec_push(a, "-artifact_prefix=%s/", c->crash_dir);
  oh_strvec_push(a, "-print_final_stats=1");
  if (c->jobs > 1) {
    /* Fork mode survives crashes, timeouts and OOMs and keeps fuzzing. */
    oh_strvec_push(a, "-fork=%d", c->jobs);
    oh_strvec_push(a, "-ignore_crashes=1");
  }
  for (i = 0; i < c->nextra; i++) oh_strvec_push(a, "%s", c->extra[i]);
  oh_strvec_push(a, "%s", c->corpus_dir);
}

static void afl_argv(const oh_fuzz_config *c, int inst, oh_strvec *a) {
  char name[16];
  int i;
  oh_fuzz_instance_name(c, inst, name, sizeof name);
  oh_strvec_push(a, "%s", c->afl_fuzz ? c->afl_fuzz : "afl-fuzz");
  oh_strvec_push(a, "-i");
  oh_strvec_push(a, "%s", c->corpus_dir);
  oh_strvec_push(a, "-o");
  oh_strvec_push(a, "%s/afl", c->out_dir);
  oh_strvec_push(a, "%s", inst == 0 ? "-M" : "-S");
  oh_strvec_push(a, "%s", name);
  oh_strvec_push(a, "-s");
  oh_strvec_push(a, "%u", c->seed + (uint32_t)inst);
  if (c->time_s) {
    oh_strvec_push(a, "-V");
    oh_strvec_push(a, "%u", c->time_s);
  }
  if (c->runs) {
    /* -E counts one instance's executions: share the total out. */
    uint64_t n = oh_fuzz_instance_count(c);
    oh_strvec_push(a, "-E");
    oh_strvec_push(a, "%llu", (unsigned long long)((c->runs + n - 1) / n));
  }
  if (c->dict) {
    oh_strvec_push(a, "-x");
    oh_strvec_push(a, "%s", c->dict);
  }
  if (c->timeout_s) {
    oh_strvec_push(a, "-t");
    oh_strvec_push(a, "%u", c->timeout_s * 1000u);
  }
  /* An address-space limit breaks ASan and MSan, which reserve terabytes. */
  oh_strvec_push(a, "-m");
  if (!c->memory_mb || !strcmp(c->sanitizer, "asan") || !strcmp(c->sanitizer, "msan"))
    oh_strvec_push(a, "none");
  else
    oh_strvec_push(a, "%u", c->memory_mb);
  for (i = 0; i < c->nextra; i++) oh_strvec_push(a, "%s", c->extra[i]);
  oh_strvec_push(a, "--");
  oh_strvec_push(a, "%s", c->binary);
}

void oh_fuzz_engine_argv(const oh_fuzz_config *c, int i, oh_strvec *argv) {
  if (c->engine == OH_FUZZ_AFL) afl_argv(c, i, argv);
  else libfuzzer_argv(c, argv);
}

/* NAME=<ours>:<the user's>:<required>: the user's settings win over our
 * defaults, the required ones win over both. */
static void sanitizer_options(oh_strvec *e, const char *name, const char *defaults,
                              const char *required) {
  const char *user = getenv(name);
  oh_strvec_push(e, "%s=%s%s%s%s%s", name, defaults, *defaults ? ":" : "", user ? user : "",
                 user && *user ? ":" : "", required);
}

static void afl_env(const oh_fuzz_config *c, oh_strvec *e) {
  oh_strvec_push(e, "AFL_SKIP_CPUFREQ=1");
  oh_strvec_push(e, "AFL_NO_UI=1");
  oh_strvec_push(e, "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1");
  /* Shared machines: binding fails when other fuzzers hold every core. */
  if (!getenv("AFL_NO_AFFINITY") && !getenv("AFL_TRY_AFFINITY"))
    oh_strvec_push(e, "AFL_NO_AFFINITY=1");
  if (c->mutator_lib) {
    oh_strvec_push(e, "AFL_CUSTOM_MUTATOR_LIBRARY=%s", c->mutator_lib);
    oh_strvec_push(e, "OPUSHUNT_MUTATOR_TARGET=%s", c->target);
  }
  /* afl-fuzz refuses to start without abort_on_error=1 and symbolize=0;
   * leaks are checked only at exit in persistent mode, where no input can
   * be blamed, so they are left to libFuzzer. */
  sanitizer_options(e, "ASAN_OPTIONS",
                    "detect_leaks=0:malloc_context_size=0:allocator_may_return_null=1:"
                    "detect_odr_violation=0",
                    "abort_on_error=1:symbolize=0");
  sanitizer_options(e, "UBSAN_OPTIONS", "print_stacktrace=1",
                    "halt_on_error=1:abort_on_error=1:symbolize=0");
  sanitizer_options(e, "MSAN_OPTIONS", "", "exit_code=86:symbolize=0");
}

void oh_fuzz_engine_env(const oh_fuzz_config *c, int i, oh_strvec *env) {
  (void)i;
  /* libFuzzer's fork mode keeps its job files under TMPDIR. */
  oh_strvec_push(env, "TMPDIR=%s/tmp", c->out_dir);
  if (c->symbolizer && !getenv("ASAN_SYMBOLIZER_PATH"))
    oh_strvec_push(env, "ASAN_SYMBOLIZER_PATH=%s", c->symbolizer);
  if (c->engine == OH_FUZZ_AFL) {
    afl_env(c, env);
  } else if (!getenv("UBSAN_OPTIONS")) {
    oh_strvec_push(env, "UBSAN_OPTIONS=print_stacktrace=1");
  }
}
