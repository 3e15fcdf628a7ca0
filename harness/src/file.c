/* Whole-file reads with a size limit and atomic writes (temporary file plus
 * rename), so bad or huge inputs fail cleanly and outputs are never torn. */
#define _GNU_SOURCE
#include "opushunt/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_fd(int fd, const char *path, size_t max_len, uint8_t **data,
                   size_t *len, oh_error *err) {
  size_t cap = 65536, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "%s: out of memory", path);
  for (;;) {
    ssize_t got;
    if (n == cap) {
      uint8_t *bigger;
      if (cap > max_len) {
        free(buf);
        return oh_fail(err, OH_ERR_LIMIT, (uint64_t)max_len,
                       "file larger than the %zu-byte limit", max_len);
      }
      bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
      }
      buf = bigger;
      cap *= 2;
    }
    got = read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      return oh_fail(err, OH_ERR_IO, (uint64_t)n, "read failed: %s", strerror(e));
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  if (n > max_len) {
    free(buf);
    return oh_fail(err, OH_ERR_LIMIT, (uint64_t)max_len,
                   "file larger than the %zu-byte limit", max_len);
  }
  *data = buf;
  *len = n;
  return OH_OK;
}

int oh_file_read(const char *path, size_t max_len, uint8_t **data,
                 size_t *len, oh_error *err) {
  int fd, rc;
  struct stat st;
  *data = NULL;
  *len = 0;
  if (strcmp(path, "-") == 0) return read_fd(0, "-", max_len, data, len, err);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot open: %s", strerror(errno));
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "is a directory");
  }
  rc = read_fd(fd, path, max_len, data, len, err);
  close(fd);
  return rc;
}

static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!a || !b) return 0;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int oh_file_write(const char *path, const void *data, size_t len,
                  const char *protect, oh_error *err) {
  char tmp[4096];
  const uint8_t *p = data;
  size_t done = 0;
  int fd;
  if (same_file(path, protect))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "refusing to overwrite the input file %s", path);
  if (strcmp(path, "-") == 0) {
    while (done < len) {
      ssize_t w = write(1, p + done, len - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "write to stdout: %s", strerror(errno));
      }
      done += (size_t)w;
    }
    return OH_OK;
  }
  if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long");
  fd = mkstemp(tmp);
  if (fd < 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create %s: %s", tmp, strerror(errno));
  while (done < len) {
    ssize_t w = write(fd, p + done, len - done);
    if (w < 0) {
      int e = errno;
      if (e == EINTR) continue;
      close(fd);
      unlink(tmp);
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "write %s: %s", path, strerror(e));
    }
    done += (size_t)w;
  }
  if (fchmod(fd, 0644) != 0 || close(fd) != 0) {
    int e = errno;
    unlink(tmp);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "close %s: %s", path, strerror(e));
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "rename to %s: %s", path, strerror(e));
  }
  return OH_OK;
}

int oh_outfile_open(oh_outfile *o, const char *path, const char *protect,
                    oh_error *err) {
  int fd;
  memset(o, 0, sizeof *o);
  if (strcmp(path, "-") == 0) {
    o->f = stdout;
    o->is_stdout = 1;
    return OH_OK;
  }
  if (same_file(path, protect))
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET,
                   "refusing to overwrite the input file %s", path);
  if (strlen(path) >= sizeof o->path)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "path too long");
  strcpy(o->path, path);
  snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path);
  fd = mkstemp(o->tmp);
  if (fd < 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create %s: %s", path, strerror(errno));
  o->f = fdopen(fd, "wb");
  if (!o->f) {
    int e = errno;
    close(fd);
    unlink(o->tmp);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot open %s: %s", path, strerror(e));
  }
  return OH_OK;
}

int oh_outfile_commit(oh_outfile *o, oh_error *err) {
  int bad;
  if (!o->f) return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "output not open");
  if (o->is_stdout) {
    o->f = NULL;
    return fflush(stdout) == 0 ? OH_OK
                               : oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "write to stdout failed");
  }
  bad = ferror(o->f) || fflush(o->f) != 0 || fchmod(fileno(o->f), 0644) != 0;
  bad |= fclose(o->f) != 0;
  o->f = NULL;
  if (bad || rename(o->tmp, o->path) != 0) {
    int e = errno;
    unlink(o->tmp);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "writing %s: %s", o->path, strerror(e));
  }
  return OH_OK;
}

void oh_outfile_abort(oh_outfile *o) {
  if (!o->f) return;
  if (!o->is_stdout) {
    fclose(o->f);
    unlink(o->tmp);
  }
  o->f = NULL;
}
