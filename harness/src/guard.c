/* Guard-page buffers, their registry, and the fault handler that names the
 * buffer a SIGSEGV/SIGBUS hit (see guard.h). The registry is a fixed table
 * because the handler may run inside malloc or libopus and can only read
 * plain memory: slots are filled under a lock and published by an atomic
 * store of their state, which the handler reads with acquire loads. */
#define _GNU_SOURCE
#include "opushunt/guard.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

enum { SLOT_EMPTY = 0, SLOT_BUSY, SLOT_LIVE, SLOT_FREED };

typedef struct slot {
  int state; /* atomic */
  uintptr_t map;
  size_t map_len;
  uintptr_t ptr;
  size_t size;
  uint64_t freed_seq;
  char name[OH_GUARD_NAME_MAX];
} slot;

static slot g_slots[OH_GUARD_MAX_REGIONS];
static int g_used; /* atomic: slots past this index were never used */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t g_quarantine_max = OH_GUARD_DEFAULT_QUARANTINE;
static size_t g_quarantined;
static uint64_t g_seq;
static volatile int g_fault_fd = -1;

static int slot_state(const slot *s) {
  return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static void slot_publish(slot *s, int state) {
  __atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
}

static size_t page_size(void) {
  static size_t ps;
  if (!ps) ps = (size_t)sysconf(_SC_PAGESIZE);
  return ps;
}

static void copy_name(char *dst, const char *src) {
  size_t i = 0;
  if (!src || !*src) src = "unnamed";
  if (strcmp(src, "none") == 0) src = "none_"; /* "none" means no buffer */
  for (; src[i] && i < OH_GUARD_NAME_MAX - 1; i++) {
    char c = src[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
             c == '-';
    dst[i] = ok ? c : '_'; /* the fault line splits on blanks */
  }
  dst[i] = '\0';
}

/* ---- Registry (callers hold g_lock). */

static void unmap_slot(slot *s) {
  slot_publish(s, SLOT_BUSY);
  munmap((void *)s->map, s->map_len);
  slot_publish(s, SLOT_EMPTY);
}

static slot *oldest_freed(void) {
  slot *best = NULL;
  int i, used = __atomic_load_n(&g_used, __ATOMIC_RELAXED);
  for (i = 0; i < used; i++)
    if (g_slots[i].state == SLOT_FREED &&
        (!best || g_slots[i].freed_seq < best->freed_seq))
      best = &g_slots[i];
  return best;
}

static void evict_until(size_t bound) {
  slot *s;
  while (g_quarantined > bound && (s = oldest_freed())) {
    g_quarantined -= s->map_len;
    unmap_slot(s);
  }
}

static slot *claim_slot(void) {
  int i, used = __atomic_load_n(&g_used, __ATOMIC_RELAXED);
  slot *s;
  for (i = 0; i < used; i++)
    if (g_slots[i].state == SLOT_EMPTY) return &g_slots[i];
  if (used < OH_GUARD_MAX_REGIONS) {
    __atomic_store_n(&g_used, used + 1, __ATOMIC_RELEASE);
    return &g_slots[used];
  }
  if (!(s = oldest_freed())) return NULL;
  g_quarantined -= s->map_len;
  unmap_slot(s);
  return s;
}

/* ---- Allocation. */

static void *map_region(size_t size, oh_guard_mode mode, slot *s) {
  size_t ps = page_size();
  size_t data = (size + ps - 1) / ps * ps;
  char *base;
  if (data == 0) data = ps;
  base = mmap(NULL, data + 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
              0);
  if (base == MAP_FAILED) return NULL;
  if (mprotect(base + ps, data, PROT_READ | PROT_WRITE) < 0) {
    munmap(base, data + 2 * ps);
    return NULL;
  }
  s->map = (uintptr_t)base;
  s->map_len = data + 2 * ps;
  s->size = size;
  s->ptr = (uintptr_t)(mode == OH_GUARD_START ? base + ps
                                               : base + ps + data - size);
  return (void *)s->ptr;
}

void *oh_guard_alloc(size_t size, const char *name, oh_guard_mode mode) {
  slot *s;
  void *p = NULL;
  if (size > SIZE_MAX / 2) return NULL;
  pthread_mutex_lock(&g_lock);
  if ((s = claim_slot())) {
    slot_publish(s, SLOT_BUSY);
    copy_name(s->name, name);
    p = map_region(size, mode, s);
    slot_publish(s, p ? SLOT_LIVE : SLOT_EMPTY);
  }
  pthread_mutex_unlock(&g_lock);
  return p;
}

static slot *find_live(uintptr_t p) {
  int i, used = __atomic_load_n(&g_used, __ATOMIC_RELAXED);
  for (i = 0; i < used; i++)
    if (g_slots[i].state == SLOT_LIVE && g_slots[i].ptr == p)
      return &g_slots[i];
  return NULL;
}

int oh_guard_free(void *ptr) {
  slot *s;
  if (!ptr) return OH_OK;
  pthread_mutex_lock(&g_lock);
  if (!(s = find_live((uintptr_t)ptr))) {
    pthread_mutex_unlock(&g_lock);
    return OH_ERR_ARG;
  }
  mprotect((void *)s->map, s->map_len, PROT_NONE);
  s->freed_seq = ++g_seq;
  slot_publish(s, SLOT_FREED);
  g_quarantined += s->map_len;
  evict_until(g_quarantine_max);
  pthread_mutex_unlock(&g_lock);
  return OH_OK;
}

void oh_guard_set_quarantine(size_t bytes) {
  pthread_mutex_lock(&g_lock);
  g_quarantine_max = bytes;
  evict_until(bytes);
  pthread_mutex_unlock(&g_lock);
}

/* ---- Lookup (async-signal-safe: plain loads, no locks, no libc). */

oh_guard_relation oh_guard_describe(const void *addr, oh_guard_hit *hit) {
  uintptr_t a = (uintptr_t)addr;
  int i, used = __atomic_load_n(&g_used, __ATOMIC_ACQUIRE);
  for (i = 0; i < OH_GUARD_NAME_MAX; i++) hit->name[i] = '\0';
  hit->relation = OH_GUARD_REL_NONE;
  hit->size = 0;
  hit->offset = 0;
  hit->by = 0;
  for (i = 0; i < used; i++) {
    const slot *s = &g_slots[i];
    int st = slot_state(s), k;
    if ((st != SLOT_LIVE && st != SLOT_FREED) || a < s->map ||
        a - s->map >= s->map_len)
      continue;
    for (k = 0; k < OH_GUARD_NAME_MAX; k++) hit->name[k] = s->name[k];
    hit->size = s->size;
    hit->offset = (int64_t)(a - s->ptr);
    if (st == SLOT_FREED) {
      hit->relation = OH_GUARD_REL_FREED;
    } else if (hit->offset < 0) {
      hit->relation = OH_GUARD_REL_BEFORE_START;
      hit->by = (uint64_t)-hit->offset;
    } else if ((uint64_t)hit->offset >= s->size) {
      hit->relation = OH_GUARD_REL_AFTER_END;
      hit->by = (uint64_t)hit->offset - s->size;
    } else {
      hit->relation = OH_GUARD_REL_INSIDE;
    }
    break;
  }
  return hit->relation;
}

const char *oh_guard_relation_name(oh_guard_relation r) {
  switch (r) {
  case OH_GUARD_REL_INSIDE: return "inside";
  case OH_GUARD_REL_AFTER_END: return "after-end";
  case OH_GUARD_REL_BEFORE_START: return "before-start";
  case OH_GUARD_REL_FREED: return "freed";
  case OH_GUARD_REL_NONE: break;
  }
  return "none";
}

void oh_guard_format_hit(const oh_guard_hit *h, char *buf, size_t cap) {
  unsigned long long by = h->by, size = h->size;
  long long off = h->offset;
  switch (h->relation) {
  case OH_GUARD_REL_AFTER_END:
    snprintf(buf, cap, "%llu bytes after the end of %llu-byte buffer %s "
             "(offset %lld)", by, size, h->name, off);
    break;
  case OH_GUARD_REL_BEFORE_START:
    snprintf(buf, cap, "%llu bytes before the start of %llu-byte buffer %s "
             "(offset %lld)", by, size, h->name, off);
    break;
  case OH_GUARD_REL_FREED:
    snprintf(buf, cap, "inside freed buffer %s (offset %lld of %llu)",
             h->name, off, size);
    break;
  case OH_GUARD_REL_INSIDE:
    snprintf(buf, cap, "inside buffer %s (offset %lld of %llu)", h->name,
             off, size);
    break;
  case OH_GUARD_REL_NONE:
    snprintf(buf, cap, "outside every guarded buffer");
    break;
  }
}

/* ---- The fault line, formatted by hand: snprintf is not async-signal-safe. */

typedef struct line {
  char *buf;
  size_t cap, len;
} line;

static void put_str(line *l, const char *s) {
  for (; *s; s++)
    if (l->len + 1 < l->cap) l->buf[l->len++] = *s;
}

static void put_u64(line *l, uint64_t v, unsigned base) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n > 0 && l->len + 1 < l->cap) l->buf[l->len++] = tmp[--n];
}

static void put_i64(line *l, int64_t v) {
  if (v < 0) put_str(l, "-");
  put_u64(l, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10);
}

static const char *access_name(oh_guard_access a) {
  return a == OH_GUARD_ACCESS_READ    ? "READ"
         : a == OH_GUARD_ACCESS_WRITE ? "WRITE"
                                      : "UNKNOWN";
}

static const char *fault_signal_name(int sig) {
  return sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "SIG?";
}

size_t oh_guard_format_fault(const oh_guard_fault *f, char *buf, size_t cap) {
  line l = {buf, cap, 0};
  if (cap == 0) return 0;
  put_str(&l, "guard-fault addr=0x");
  put_u64(&l, f->addr, 16);
  put_str(&l, " access=");
  put_str(&l, access_name(f->access));
  put_str(&l, " buffer=");
  if (f->hit.relation == OH_GUARD_REL_NONE) {
    put_str(&l, "none");
  } else {
    put_str(&l, f->hit.name);
    put_str(&l, " offset=");
    put_i64(&l, f->hit.offset);
    put_str(&l, " size=");
    put_u64(&l, f->hit.size, 10);
    put_str(&l, " relation=");
    put_str(&l, oh_guard_relation_name(f->hit.relation));
    put_str(&l, " by=");
    put_u64(&l, f->hit.by, 10);
  }
  put_str(&l, " signal=");
  put_str(&l, fault_signal_name(f->signal));
  /* The newline always fits: put_str kept one byte free. */
  l.buf[l.len++] = '\n';
  if (l.len < cap) l.buf[l.len] = '\0';
  return l.len;
}

/* ---- Parsing the line (in the parent: ordinary libc is fine). */

static int parse_value(oh_guard_fault *f, const char *key, size_t klen,
                       const char *val, size_t vlen, unsigned *seen) {
  char v[64], *end;
  if (vlen >= sizeof v) return OH_ERR_MALFORMED;
  memcpy(v, val, vlen);
  v[vlen] = '\0';
#define KEY(k) (klen == sizeof k - 1 && memcmp(key, k, klen) == 0)
  errno = 0;
  if (KEY("addr")) {
    if (strncmp(v, "0x", 2) != 0) return OH_ERR_MALFORMED;
    f->addr = strtoull(v + 2, &end, 16);
    *seen |= 1;
  } else if (KEY("access")) {
    f->access = strcmp(v, "READ") == 0    ? OH_GUARD_ACCESS_READ
                : strcmp(v, "WRITE") == 0 ? OH_GUARD_ACCESS_WRITE
                                          : OH_GUARD_ACCESS_UNKNOWN;
    *seen |= 2;
    return OH_OK;
  } else if (KEY("buffer")) {
    if (vlen >= OH_GUARD_NAME_MAX) return OH_ERR_MALFORMED;
    memcpy(f->hit.name, v, vlen + 1);
    *seen |= 4;
    return OH_OK;
  } else if (KEY("signal")) {
    f->signal = strcmp(v, "SIGSEGV") == 0 ? SIGSEGV
                : strcmp(v, "SIGBUS") == 0 ? SIGBUS
                                           : 0;
    *seen |= 8;
    return OH_OK;
  } else if (KEY("relation")) {
    oh_guard_relation r;
    for (r = OH_GUARD_REL_NONE; r <= OH_GUARD_REL_FREED; r++)
      if (strcmp(v, oh_guard_relation_name(r)) == 0) break;
    if (r > OH_GUARD_REL_FREED || r == OH_GUARD_REL_NONE)
      return OH_ERR_MALFORMED;
    f->hit.relation = r;
    *seen |= 16;
    return OH_OK;
  } else if (KEY("offset")) {
    f->hit.offset = strtoll(v, &end, 10);
  } else if (KEY("size")) {
    f->hit.size = strtoull(v, &end, 10);
  } else if (KEY("by")) {
    f->hit.by = strtoull(v, &end, 10);
  } else {
    return OH_OK; /* a key from a newer writer */
  }
#undef KEY
  return *end || end == v || errno ? OH_ERR_MALFORMED : OH_OK;
}

int oh_guard_parse_fault(const char *text, oh_guard_fault *f) {
  static const char prefix[] = "guard-fault";
  const char *p = text;
  unsigned seen = 0;
  memset(f, 0, sizeof *f);
  while (*p == ' ' || *p == '\t') p++;
  if (strncmp(p, prefix, sizeof prefix - 1) != 0) return OH_ERR_MALFORMED;
  p += sizeof prefix - 1;
  while (*p && *p != '\n') {
    const char *key, *eq;
    size_t tok;
    while (*p == ' ') p++;
    if (!*p || *p == '\n' || *p == '\r') break;
    key = p;
    tok = strcspn(p, " \r\n");
    eq = memchr(key, '=', tok);
    if (!eq ||
        parse_value(f, key, (size_t)(eq - key), eq + 1,
                    tok - (size_t)(eq - key) - 1, &seen) != OH_OK)
      return OH_ERR_MALFORMED;
    p += tok;
  }
  if ((seen & 15) != 15) return OH_ERR_MALFORMED;
  if (strcmp(f->hit.name, "none") == 0) {
    f->hit.name[0] = '\0';
    f->hit.relation = OH_GUARD_REL_NONE;
    return OH_OK;
  }
  return seen & 16 ? OH_OK : OH_ERR_MALFORMED;
}

/* ---- The handler. */

static oh_guard_access access_of(const siginfo_t *si, void *ucv) {
#if defined(__x86_64__)
  const ucontext_t *uc = ucv;
  /* The error code means "page fault flags" only for trap 14 (#PF); a
   * general-protection fault (non-canonical address) says nothing. */
  if (si->si_code > 0 && uc && uc->uc_mcontext.gregs[REG_TRAPNO] == 14)
    return uc->uc_mcontext.gregs[REG_ERR] & 2 ? OH_GUARD_ACCESS_WRITE
                                              : OH_GUARD_ACCESS_READ;
#endif
  (void)si;
  (void)ucv;
  return OH_GUARD_ACCESS_UNKNOWN;
}

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  int saved = errno, fd = g_fault_fd;
  struct sigaction dfl;
  oh_guard_fault f;
  char buf[OH_GUARD_LINE_MAX];
  size_t n, off = 0;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, NULL);
  /* si_addr is only meaningful for a fault, not for kill() or raise(). */
  f.addr = si->si_code > 0 ? (uint64_t)(uintptr_t)si->si_addr : 0;
  f.access = access_of(si, ucv);
  f.signal = sig;
  oh_guard_describe((const void *)(uintptr_t)f.addr, &f.hit);
  n = oh_guard_format_fault(&f, buf, sizeof buf);
  while (fd >= 0 && off < n) {
    ssize_t w = write(fd, buf + off, n - off);
    if (w > 0)
      off += (size_t)w;
    else if (w < 0 && errno != EINTR)
      break;
  }
  /* A real fault repeats on return and now kills with the default action;
   * a sent signal would not repeat, so send it again (it is blocked until
   * the handler returns). */
  if (si->si_code <= 0) raise(sig);
  errno = saved;
}

/* The handler must run even when the fault is a stack overflow. */
static int ensure_altstack(void) {
  const size_t want = 64 * 1024;
  stack_t cur, st;
  void *mem;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) &&
      cur.ss_size >= 16 * 1024)
    return OH_OK;
  mem = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
  if (mem == MAP_FAILED) return OH_ERR_NOMEM;
  st.ss_sp = mem;
  st.ss_size = want;
  st.ss_flags = 0;
  if (sigaltstack(&st, NULL) < 0) {
    munmap(mem, want);
    return OH_ERR_IO;
  }
  return OH_OK; /* kept for the life of the thread */
}

int oh_guard_install_handler(int fd) {
  struct sigaction sa;
  int rc = ensure_altstack();
  if (rc != OH_OK) return rc;
  g_fault_fd = fd;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, NULL) < 0 || sigaction(SIGBUS, &sa, NULL) < 0)
    return OH_ERR_IO;
  return OH_OK;
}
