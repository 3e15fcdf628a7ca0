/* Placing generated seeds into a corpus folder: <dir>/<target>/<name>,
 * written atomically, an identical file left alone, a different one
 * replaced only when asked. Only fuzz-target folders are ever written, so
 * <dir>/regressions/ and anything else a person keeps there is untouched. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opushunt/corpus_gen.h"
#include "opushunt/file.h"

/* mkdir -p for the folders on the way to path. */
static int make_dirs(const char *path, oh_error *err) {
  char buf[4096];
  size_t i, n = strlen(path);
  if (n >= sizeof buf) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long: %s", path);
  memcpy(buf, path, n + 1);
  for (i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    buf[i] = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create folder %s: %s", buf,
                     strerror(errno));
    buf[i] = i == n ? '\0' : '/';
  }
  {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s is not a folder", path);
  }
  return OH_OK;
}

int oh_corpus_store(const char *dir, const char *target, const char *name, const uint8_t *data,
                    size_t len, int force, oh_corpus_store_outcome *outcome, oh_error *err) {
  char folder[4096], path[4096];
  struct stat st;
  uint8_t *old = NULL;
  size_t old_len = 0;
  int rc;
  if (oh_corpus_target_from_name(target) < 0)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "'%s' is not a fuzz target folder", target);
  if (!*name || name[0] == '.' || strchr(name, '/'))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "bad seed file name '%s'", name);
  if (snprintf(folder, sizeof folder, "%s/%s", dir, target) >= (int)sizeof folder ||
      snprintf(path, sizeof path, "%s/%s", folder, name) >= (int)sizeof path)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long under %s", dir);
  if ((rc = make_dirs(folder, err)) != OH_OK) return rc;
  if (lstat(path, &st) == 0) {
    if (!S_ISREG(st.st_mode))
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "%s exists and is not a regular file", path);
    /* Read one byte more than the seed: a longer file differs. */
    if ((rc = oh_file_read(path, len + 1, &old, &old_len, err)) != OH_OK &&
        rc != OH_ERR_LIMIT)
      return rc;
    if (rc == OH_OK && old_len == len && memcmp(old, data, len) == 0) {
      free(old);
      *outcome = OH_CS_UNCHANGED;
      return OH_OK;
    }
    free(old);
    oh_error_clear(err);
    if (!force) {
      *outcome = OH_CS_SKIPPED;
      return OH_OK;
    }
  }
  if ((rc = oh_file_write(path, data, len, NULL, err)) != OH_OK) return rc;
  *outcome = OH_CS_WRITTEN;
  return OH_OK;
}
