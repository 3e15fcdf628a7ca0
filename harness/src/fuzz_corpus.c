/* Files around a campaign: the target list, the working copy of the seed
 * corpus (the committed folders are only ever read), folder creation and
 * removal, and bounded reads of logs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_impl.h"

/* Deepest folder nesting walked under a seed folder (stops symlink loops). */
#define MAX_DEPTH 8
/* Largest TARGETS file read. */
#define TARGETS_MAX (64u << 10)

char *oh_fuzz_slurp(const char *path, size_t max) {
  FILE *f = fopen(path, "rb");
  char *buf;
  size_t n;
  if (!f) return NULL;
  if (!(buf = malloc(max + 1))) {
    fclose(f);
    return NULL;
  }
  n = fread(buf, 1, max, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

int oh_fuzz_target_known(const char *source_dir, const char *target, char *names, size_t cap,
                         oh_error *err) {
  char path[PATH_MAX], *text, *line, *save = NULL;
  int known = 0;
  size_t used = 0;
  snprintf(path, sizeof path, "%s/harness/fuzzers/TARGETS", source_dir);
  if (!(text = oh_fuzz_slurp(path, TARGETS_MAX)))
    return oh_fail(err, OH_ERR_NOT_FOUND, OH_NO_OFFSET, "cannot read the target list %s: %s",
                   path, strerror(errno));
  if (cap) names[0] = '\0';
  for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *end;
    while (*line == ' ' || *line == '\t') line++;
    end = line + strlen(line);
    while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
    if (!*line || *line == '#') continue;
    if (!strcmp(line, target)) known = 1;
    if (used < cap)
      used += (size_t)snprintf(names + used, cap - used, "%s%s", used ? ", " : "", line);
  }
  free(text);
  return known;
}

int oh_fuzz_mkdirs(const char *path, oh_error *err) {
  char buf[PATH_MAX];
  size_t i, n = strlen(path);
  if (n == 0 || n >= sizeof buf)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "bad folder name '%s'", path);
  memcpy(buf, path, n + 1);
  for (i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    buf[i] = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create %s: %s", buf, strerror(errno));
    buf[i] = path[i];
  }
  return OH_OK;
}

int oh_fuzz_copy_file(const char *from, const char *to, oh_error *err) {
  char buf[65536];
  int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = OH_OK;
  ssize_t got;
  if (in < 0)
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot read %s: %s", from, strerror(errno));
  if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot create %s: %s", to, strerror(errno));
    close(in);
    return rc;
  }
  while (rc == OH_OK && (got = read(in, buf, sizeof buf)) != 0) {
    ssize_t off = 0;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot read %s: %s", from, strerror(errno));
    while (rc == OH_OK && off < got) {
      ssize_t w = write(out, buf + off, (size_t)(got - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot write %s: %s", to, strerror(errno));
      else off += w;
    }
  }
  close(in);
  if (close(out) != 0 && rc == OH_OK)
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot write %s: %s", to, strerror(errno));
  if (rc != OH_OK) unlink(to);
  return rc;
}

int oh_fuzz_same_bytes(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = getc(fa), cb = getc(fb);
    if (ca != cb) same = 0;
    if (ca == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

typedef struct seed_copy {
  const char *dest;
  size_t copied;
  oh_error *err;
} seed_copy;

/* Copies one seed under its own name, or name~N when another seed of that
 * name with other bytes is there already. */
static int copy_seed(seed_copy *s, const char *from, const char *name) {
  char to[PATH_MAX];
  int k;
  for (k = 1; k < 1000; k++) {
    if (k == 1) snprintf(to, sizeof to, "%s/%s", s->dest, name);
    else snprintf(to, sizeof to, "%s/%s~%d", s->dest, name, k);
    if (access(to, F_OK) != 0) break;
    if (oh_fuzz_same_bytes(from, to)) return OH_OK;
  }
  if (k == 1000)
    return oh_fail(s->err, OH_ERR_LIMIT, OH_NO_OFFSET, "too many seeds named %s", name);
  if (oh_fuzz_copy_file(from, to, s->err) != OH_OK) return OH_ERR_IO;
  s->copied++;
  return OH_OK;
}

static int copy_tree(seed_copy *s, const char *dir, int depth) {
  DIR *d;
  struct dirent *e;
  int rc = OH_OK;
  if (depth > MAX_DEPTH) return OH_OK;
  if (!(d = opendir(dir)))
    return oh_fail(s->err, OH_ERR_IO, OH_NO_OFFSET, "cannot read seed folder %s: %s", dir,
                   strerror(errno));
  while (rc == OH_OK && (e = readdir(d)) != NULL) {
    char path[PATH_MAX];
    struct stat st;
    if (e->d_name[0] == '.') continue;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path) continue;
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) rc = copy_tree(s, path, depth + 1);
    else if (S_ISREG(st.st_mode)) rc = copy_seed(s, path, e->d_name);
  }
  closedir(d);
  return rc;
}

static int dir_has_files(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int any = 0;
  if (!d) return 0;
  while (!any && (e = readdir(d)) != NULL) any = e->d_name[0] != '.';
  closedir(d);
  return any;
}

int oh_fuzz_copy_seeds(const char *dest, const char *const *dirs, size_t ndirs, int need_one,
                       size_t *copied, oh_error *err) {
  seed_copy s = {dest, 0, err};
  size_t i;
  int rc = oh_fuzz_mkdirs(dest, err);
  for (i = 0; rc == OH_OK && i < ndirs; i++) {
    struct stat st;
    if (stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    rc = copy_tree(&s, dirs[i], 0);
  }
  if (rc == OH_OK && need_one && !dir_has_files(dest)) {
    /* AFL++ needs one input; a single zero byte is also a valid Opus TOC. */
    char path[PATH_MAX];
    FILE *f;
    snprintf(path, sizeof path, "%s/opushunt-minimal-seed", dest);
    if (!(f = fopen(path, "wb")) || fputc(0, f) == EOF || fclose(f) != 0)
      rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "cannot write %s: %s", path, strerror(errno));
    else
      s.copied++;
  }
  if (copied) *copied = s.copied;
  return rc;
}

static void remove_tree_at(const char *path, int depth) {
  DIR *d;
  struct dirent *e;
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (!S_ISDIR(st.st_mode) || depth > 32) {
    unlink(path);
    return;
  }
  if ((d = opendir(path)) != NULL) {
    while ((e = readdir(d)) != NULL) {
      char child[PATH_MAX];
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if ((size_t)snprintf(child, sizeof child, "%s/%s", path, e->d_name) < sizeof child)
        remove_tree_at(child, depth + 1);
    }
    closedir(d);
  }
  rmdir(path);
}

void oh_fuzz_remove_tree(const char *path) { remove_tree_at(path, 0); }

static int read_at(int fd, char *buf, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = pread(fd, buf + done, n - done, (off_t)(off + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    done += (size_t)got;
  }
  return 0;
}

char *oh_fuzz_read_range(const char *path, uint64_t start, uint64_t end, size_t cap,
                         int *truncated) {
  static const char marker[] = "\n[opushunt: report cut here]\n";
  uint64_t want = end > start ? end - start : 0;
  size_t tail = cap / 8, head = cap - tail - (sizeof marker - 1), n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char *buf;
  *truncated = 0;
  if (fd < 0) return NULL;
  n = want <= cap ? (size_t)want : cap;
  if (!(buf = malloc(n + 1))) {
    close(fd);
    return NULL;
  }
  if (want <= cap) {
    if (read_at(fd, buf, n, start) != 0) n = 0;
  } else if (read_at(fd, buf, head, start) != 0 ||
             read_at(fd, buf + head + sizeof marker - 1, tail, end - tail) != 0) {
    n = 0;
  } else {
    memcpy(buf + head, marker, sizeof marker - 1);
    *truncated = 1;
  }
  close(fd);
  buf[n] = '\0';
  return buf;
}
