/* Helpers shared by the unit tests (see test_util.h). */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "opushunt/file.h"

const char *oh_test_path(const char *relpath, char *buf, size_t cap) {
  const char *root = getenv("OH_SOURCE_DIR");
  if (!root) {
    fprintf(stderr, "OH_SOURCE_DIR is not set (run the tests through ctest)\n");
    abort();
  }
  snprintf(buf, cap, "%s/%s", root, relpath);
  return buf;
}

uint8_t *oh_test_read(const char *path, size_t *len) {
  uint8_t *data = NULL;
  oh_error err;
  oh_error_clear(&err);
  if (oh_file_read(path, OH_MAX_INPUT_FILE, &data, len, &err) != OH_OK) {
    fprintf(stderr, "cannot read test input %s: %s\n", path, err.reason);
    abort();
  }
  return data;
}

int oh_test_quick(void) {
  const char *q = getenv("OH_TEST_QUICK");
  return q && *q && strcmp(q, "0") != 0;
}

long oh_test_iterations(long n) {
  if (!oh_test_quick()) return n;
  return n / 100 > 0 ? n / 100 : 1;
}

void oh_test_rng_init(oh_test_rng *r, uint64_t default_seed, const char *what) {
  const char *env = getenv("OH_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : default_seed;
  r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
  fprintf(stderr, "[%s] seed %llu (set OH_TEST_SEED to replay)\n",
          what ? what : "rng", (unsigned long long)seed);
}

uint64_t oh_test_rng_next(oh_test_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

uint32_t oh_test_rng_below(oh_test_rng *r, uint32_t bound) {
  return bound ? (uint32_t)(oh_test_rng_next(r) % bound) : 0;
}

const char *oh_test_hex(const uint8_t *data, size_t len) {
  static char buf[64 * 2 + 8];
  size_t i, n = len > 64 ? 64 : len;
  for (i = 0; i < n; i++) snprintf(buf + 2 * i, 3, "%02x", data[i]);
  if (len > 64) strcpy(buf + 2 * n, "...");
  if (n == 0) buf[0] = '\0';
  return buf;
}

char *oh_test_tmpfile(const void *data, size_t len) {
  char *path = strdup("/tmp/opushunt-test-XXXXXX");
  int fd;
  if (!path) abort();
  fd = mkstemp(path);
  if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) abort();
  close(fd);
  return path;
}

const uint8_t *oh_test_guarded(const uint8_t *data, size_t len) {
  static uint8_t *map;
  uint8_t *dst;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (!map) {
    map = mmap(NULL, OH_TEST_GUARD_SPAN + page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + OH_TEST_GUARD_SPAN, page, PROT_NONE) != 0) {
      fprintf(stderr, "cannot map the guard page\n");
      abort();
    }
  }
  if (len > OH_TEST_GUARD_SPAN) {
    fprintf(stderr, "guarded copy of %zu bytes exceeds %d\n", len, OH_TEST_GUARD_SPAN);
    abort();
  }
  dst = map + OH_TEST_GUARD_SPAN - len;
  if (len) memcpy(dst, data, len);
  return dst;
}

uint8_t *oh_test_sample(const char *name, size_t *len) {
  char rel[256], path[1024];
  snprintf(rel, sizeof rel, "corpus/samples/%s", name);
  return oh_test_read(oh_test_path(rel, path, sizeof path), len);
}

#define OH_TEST_MAX_RECORDS 100000

int oh_test_run_reader(oh_format fmt, const uint8_t *buf, size_t len,
                       const oh_reader_options *opt,
                       void (*check)(const oh_record *rec, const uint8_t *buf, size_t len),
                       oh_test_run *out) {
  oh_reader *r = NULL;
  oh_record rec;
  memset(out, 0, sizeof *out);
  out->end = oh_reader_open(&r, fmt, buf, len, opt, &out->err);
  if (out->end != OH_OK) return out->end;
  for (;;) {
    int rc = oh_reader_next(r, &rec, &out->err);
    if (rc != 1) {
      out->end = rc;
      break;
    }
    if (out->n >= OH_TEST_MAX_RECORDS) {
      fprintf(stderr, "reader handed out more than %d records\n", OH_TEST_MAX_RECORDS);
      abort();
    }
    if (check) check(&rec, buf, len);
    out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
    if (!out->v) abort();
    out->v[out->n].rec = rec;
    out->v[out->n].bytes = malloc(rec.len ? rec.len : 1);
    if (!out->v[out->n].bytes) abort();
    if (rec.len) memcpy(out->v[out->n].bytes, rec.data, rec.len);
    out->n++;
  }
  out->info = *oh_reader_stream_info(r);
  snprintf(out->describe, sizeof out->describe, "%s", oh_reader_describe(r));
  oh_reader_close(r);
  return out->end;
}

void oh_test_run_free(oh_test_run *run) {
  size_t i;
  for (i = 0; i < run->n; i++) free(run->v[i].bytes);
  free(run->v);
  memset(run, 0, sizeof *run);
}
