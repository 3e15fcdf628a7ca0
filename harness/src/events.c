/* The replay event protocol (see events.h): a buffered line writer for the
 * runner and a parser for the parent. */
#include "opushunt/events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void oh_event_writer_init(oh_event_writer *w, int fd) {
  w->fd = fd;
  w->fill = 0;
  w->line_start = 0;
}

void oh_event_flush(oh_event_writer *w) {
  size_t done = 0;
  if (w->fd < 0) {
    w->fill = 0;
    return;
  }
  while (done < w->fill) {
    ssize_t n = write(w->fd, w->buf + done, w->fill - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* the parent is gone: nothing useful left to do */
    done += (size_t)n;
  }
  w->fill = 0;
  w->line_start = 0;
}

/* Writes whole lines only: when a line does not fit, the complete lines
 * before it go out and the partial line moves to the front. Every write(2)
 * is then at most PIPE_BUF bytes of whole lines, which the kernel keeps
 * unbroken when several threads share one pipe. */
static void put(oh_event_writer *w, const char *s, size_t n) {
  if (w->fill + n > sizeof w->buf) {
    size_t start = w->line_start, partial = w->fill - start;
    w->fill = start;
    oh_event_flush(w);
    memmove(w->buf, w->buf + start, partial);
    w->fill = partial;
    w->line_start = 0;
  }
  if (w->fill + n > sizeof w->buf) n = sizeof w->buf - w->fill; /* over-long line: cut */
  memcpy(w->buf + w->fill, s, n);
  w->fill += n;
}

static int needs_escape(unsigned char c) {
  return c <= ' ' || c >= 0x7F || c == '%' || c == '=';
}

void oh_event_begin(oh_event_writer *w, const char *name) {
  w->line_start = w->fill;
  put(w, name, strlen(name));
}

void oh_event_str(oh_event_writer *w, const char *key, const char *value) {
  const unsigned char *v = (const unsigned char *)(value ? value : "");
  char esc[4];
  put(w, " ", 1);
  put(w, key, strlen(key));
  put(w, "=", 1);
  while (*v) {
    /* Runs of plain characters go out in one copy: this is on the hot path
     * of every replayed packet. */
    const unsigned char *run = v;
    while (*v && !needs_escape(*v)) v++;
    if (v > run) put(w, (const char *)run, (size_t)(v - run));
    if (*v) {
      snprintf(esc, sizeof esc, "%%%02X", *v++);
      put(w, esc, 3);
    }
  }
}

/* Decimal digits of v into the end of buf; returns the first digit. */
static char *format_u64(uint64_t v, char *end) {
  *--end = '\0';
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

void oh_event_int(oh_event_writer *w, const char *key, int64_t value) {
  char num[24], *p = format_u64(value < 0 ? 0 - (uint64_t)value : (uint64_t)value, num + sizeof num);
  if (value < 0) *--p = '-';
  oh_event_str(w, key, p);
}

void oh_event_hex(oh_event_writer *w, const char *key, uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  char num[24], *p = num + sizeof num;
  *--p = '\0';
  do {
    *--p = digits[value & 15];
    value >>= 4;
  } while (value);
  *--p = 'x';
  *--p = '0';
  oh_event_str(w, key, p);
}

void oh_event_end(oh_event_writer *w) {
  if (w->fill == sizeof w->buf) w->fill--; /* a cut line still ends */
  put(w, "\n", 1);
  w->line_start = w->fill;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Copies s[0..n) into out (cap bytes), decoding %XX; returns the length. */
static size_t decode(const char *s, size_t n, char *out, size_t cap) {
  size_t i, o = 0;
  if (!memchr(s, '%', n)) { /* the common case: nothing escaped */
    o = n < cap ? n : cap - 1;
    memcpy(out, s, o);
    out[o] = '\0';
    return o;
  }
  for (i = 0; i < n && o + 1 < cap; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  return o;
}

int oh_event_parse(const char *line, size_t len, oh_event *ev) {
  size_t i = 0, start;
  memset(ev->name, 0, sizeof ev->name);
  ev->nfields = 0;
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
  while (i < len && line[i] != ' ') i++;
  if (i == 0 || i >= sizeof ev->name) return -1;
  memcpy(ev->name, line, i);
  ev->name[i] = '\0';
  while (i < len) {
    size_t eq;
    while (i < len && line[i] == ' ') i++;
    start = i;
    while (i < len && line[i] != ' ') i++;
    if (i == start) break;
    for (eq = start; eq < i && line[eq] != '='; eq++) {
    }
    if (eq == i || eq == start) continue; /* not key=value: ignore the word */
    if (ev->nfields < OH_EVENT_MAX_FIELDS) {
      oh_event_field *f = &ev->fields[ev->nfields++];
      decode(line + start, eq - start, f->key, sizeof f->key);
      decode(line + eq + 1, i - eq - 1, f->value, sizeof f->value);
    }
  }
  return 0;
}

const char *oh_event_get(const oh_event *ev, const char *key) {
  int i;
  for (i = 0; i < ev->nfields; i++)
    if (strcmp(ev->fields[i].key, key) == 0) return ev->fields[i].value;
  return NULL;
}

int64_t oh_event_get_int(const oh_event *ev, const char *key, int64_t def) {
  const char *v = oh_event_get(ev, key);
  char *end;
  long long x;
  if (!v || !*v) return def;
  errno = 0;
  x = strtoll(v, &end, 0);
  return errno || *end ? def : (int64_t)x;
}

uint64_t oh_event_get_u64(const oh_event *ev, const char *key, uint64_t def) {
  const char *v = oh_event_get(ev, key);
  char *end;
  unsigned long long x;
  if (!v || !*v || *v == '-') return def;
  errno = 0;
  x = strtoull(v, &end, 0);
  return errno || *end ? def : (uint64_t)x;
}
