/* fuzz-replay-<target>: the engine-free corpus runner of one fuzz target,
 * which turns every corpus and regression input into a test (ctest runs it
 * over corpus/<target>/ and corpus/regressions/<target>/).
 *
 *   fuzz-replay-<target> [--timeout-ms N] [--rss-limit-mb N] [--allow-empty]
 *                        [--verbose] PATH...
 *
 * A PATH is an input file or a folder whose regular files are inputs (not
 * recursive, sorted by name, dot files skipped); a folder that does not exist
 * is noted and skipped, so an empty regressions folder needs no placeholder.
 * Every input runs in its own child process (this program again, with --one
 * FILE) under a timeout and an RSS limit: a crash, a sanitizer report, an
 * oracle failure, a hang or a memory blow-up fails that input, names the
 * file and shows the end of its report, and the run goes on with the next.
 * Exit status: 0 every input ran clean; 1 an input failed, or no input was
 * found (unless --allow-empty); 2 a usage error. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "opushunt/child.h"
#include "opushunt/file.h"

#ifndef OH_FUZZ_TARGET_FN
#error "OH_FUZZ_TARGET_FN must name the target function"
#endif
#ifndef OH_FUZZ_TARGET_NAME
#error "OH_FUZZ_TARGET_NAME must be the target's name"
#endif

/* Largest input read: far above anything a fuzzer writes (-max_len). */
#define MAX_INPUT_BYTES ((size_t)16 << 20)
/* Lines of a failing input's stderr shown (the end: a report comes last). */
#define TAIL_LINES 25

static const char *prog = "fuzz-replay-" OH_FUZZ_TARGET_NAME;

typedef struct run_opts {
  uint32_t timeout_ms;
  uint64_t rss_limit;
  int allow_empty;
  int verbose;
} run_opts;

static int run_one_in_process(const char *path) {
  uint8_t *data = NULL;
  size_t len = 0;
  oh_error err;
  if (oh_file_read(path, MAX_INPUT_BYTES, &data, &len, &err) != OH_OK) {
    char line[512];
    oh_error_format(&err, path, line, sizeof line);
    fprintf(stderr, "%s: %s\n", prog, line);
    return 3;
  }
  OH_FUZZ_TARGET_FN(data, len);
  free(data);
  return 0;
}

static void print_tail(const char *text, size_t len) {
  size_t start = len, lines = 0;
  while (start > 0 && lines <= TAIL_LINES) {
    start--;
    if (text[start] == '\n' && start + 1 < len) lines++;
  }
  if (start > 0) start++;
  fwrite(text + start, 1, len - start, stderr);
  if (len > 0 && text[len - 1] != '\n') fputc('\n', stderr);
}

/* Runs one input in a child; returns 0 clean, 1 failed. */
static int run_child(const char *self, const char *path, const run_opts *o) {
  char *argv[] = {(char *)self, "--one", (char *)path, NULL};
  oh_child_opts copts;
  oh_child_result res;
  oh_error err;
  oh_child_opts_init(&copts);
  copts.argv = argv;
  copts.timeout_ms = o->timeout_ms;
  copts.rss_limit = o->rss_limit;
  copts.output_cap = (size_t)1 << 20;
  if (oh_child_run(&copts, &res, &err) != OH_OK) {
    fprintf(stderr, "%s: %s: cannot run: %s\n", prog, path, err.reason);
    oh_child_result_free(&res);
    return 1;
  }
  oh_child_verdict v = oh_child_verdict_of(&res);
  if (v == OH_CHILD_CLEAN) {
    if (o->verbose) printf("ok   %s (%.1f ms)\n", path, res.wall_us / 1000.0);
    oh_child_result_free(&res);
    return 0;
  }
  char what[128];
  oh_child_describe(&res, what, sizeof what);
  fprintf(stderr, "FAIL %s: %s\n", path, what);
  print_tail(res.err.data, res.err.len);
  fprintf(stderr, "---- reproduce: %s --one %s\n", self, path);
  oh_child_result_free(&res);
  return 1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the inputs under path to *list. Returns 0, or -1 on an error
 * already reported. */
static int collect(const char *path, char ***list, size_t *n, size_t *cap) {
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT) {
      fprintf(stderr, "%s: %s: absent, skipped\n", prog, path);
      return 0;
    }
    fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
    return -1;
  }
  char **found = NULL;
  size_t nfound = 0, capfound = 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
      return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      size_t need = strlen(path) + strlen(e->d_name) + 2;
      char *full = malloc(need);
      if (!full) break;
      snprintf(full, need, "%s/%s", path, e->d_name);
      struct stat fst;
      if (stat(full, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        free(full);
        continue;
      }
      if (nfound == capfound) {
        capfound = capfound ? capfound * 2 : 64;
        char **grown = realloc(found, capfound * sizeof *found);
        if (!grown) {
          free(full);
          break;
        }
        found = grown;
      }
      found[nfound++] = full;
    }
    closedir(d);
    qsort(found, nfound, sizeof *found, by_name);
  } else {
    found = malloc(sizeof *found);
    if (found && (found[0] = strdup(path)) != NULL) nfound = 1;
  }
  for (size_t i = 0; i < nfound; i++) {
    if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 64;
      char **grown = realloc(*list, *cap * sizeof **list);
      if (!grown) {
        for (size_t j = i; j < nfound; j++) free(found[j]);
        free(found);
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
      }
      *list = grown;
    }
    (*list)[(*n)++] = found[i];
  }
  free(found);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: %s [--timeout-ms N] [--rss-limit-mb N] [--allow-empty] "
          "[--verbose] PATH...\n"
          "       %s --one FILE   (runs one input in this process)\n",
          prog, prog);
  return 2;
}

static int parse_u32(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || v == 0 || v > 86400000UL) return -1;
  *out = (uint32_t)v;
  return 0;
}

int main(int argc, char **argv) {
  run_opts o = {.timeout_ms = 25000, .rss_limit = (uint64_t)2560 << 20};
  int first = 1;
  if (argc == 3 && strcmp(argv[1], "--one") == 0) return run_one_in_process(argv[2]);
  for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
    const char *a = argv[first];
    uint32_t v;
    if (strcmp(a, "--") == 0) {
      first++;
      break;
    } else if (strcmp(a, "--allow-empty") == 0) {
      o.allow_empty = 1;
    } else if (strcmp(a, "--verbose") == 0) {
      o.verbose = 1;
    } else if ((strcmp(a, "--timeout-ms") == 0 || strcmp(a, "--rss-limit-mb") == 0) &&
               first + 1 < argc) {
      if (parse_u32(argv[first + 1], &v) != 0) {
        fprintf(stderr, "%s: %s: not a positive number: '%s'\n", prog, a, argv[first + 1]);
        return 2;
      }
      if (a[2] == 't')
        o.timeout_ms = v;
      else
        o.rss_limit = (uint64_t)v << 20;
      first++;
    } else if (strcmp(a, "--help") == 0) {
      usage();
      return 0;
    } else {
      fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
      return usage();
    }
  }
  if (first >= argc) return usage();

  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0) {
    fprintf(stderr, "%s: cannot find my own binary: %s\n", prog, strerror(errno));
    return 2;
  }
  self[sl] = '\0';

  char **inputs = NULL;
  size_t n = 0, cap = 0;
  int status = 0;
  for (int i = first; i < argc; i++)
    if (collect(argv[i], &inputs, &n, &cap) != 0) status = 1;

  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    failed += (size_t)run_child(self, inputs[i], &o);
    free(inputs[i]);
  }
  free(inputs);
  printf("%s: %zu inputs, %zu failed\n", prog, n, failed);
  if (failed) status = 1;
  if (n == 0 && !o.allow_empty) {
    fprintf(stderr, "%s: no inputs found (a corpus folder is missing or empty)\n", prog);
    status = 1;
  }
  return status;
}
