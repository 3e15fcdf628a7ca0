/* Reading a finished replay: the runner's events (events.h), a guard-fault
 * line, the tool's report on stderr (sanreport.h) and the child's exit
 * status, combined into one oh_replay_result: verdict, faulting call,
 * finding attributed to a caller buffer, contract rules. A pure function
 * of those bytes, so tests drive it with synthetic children. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/events.h"
#include "opushunt/guard.h"
#include "opushunt/replay.h"
#include "opushunt/sanreport.h"

typedef struct actx {
  oh_replay_result *res;
  int has_guard;
  oh_guard_fault guard;
  oh_event ev; /* scratch: about 7 KB, kept off the stack */
} actx;

void oh_replay_note(oh_replay_result *res, const char *fmt, ...) {
  va_list ap;
  if (res->nnotes >= OH_REPLAY_MAX_NOTES) return;
  va_start(ap, fmt);
  vsnprintf(res->notes[res->nnotes++], sizeof res->notes[0], fmt, ap);
  va_end(ap);
}

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- Events. */

static oh_replay_call *thread_slot(oh_replay_result *res, const char *thread) {
  int i;
  for (i = 0; i < res->nthreads; i++)
    if (strcmp(res->threads[i].thread, thread) == 0) return &res->threads[i];
  if (res->nthreads >= OH_REPLAY_MAX_THREADS) return NULL;
  return &res->threads[res->nthreads++];
}

static void on_ret(oh_replay_result *res, const oh_event *ev) {
  const char *th = oh_event_get(ev, "thread");
  oh_replay_call *c = thread_slot(res, th ? th : "0");
  if (!c || !c->present) return;
  c->returned = 1;
  c->ret = oh_event_get_int(ev, "ret", 0);
}

/* Buffers are kept newest last. When the table is full, the oldest entry
 * superseded by a newer one of the same name goes (packet copies come and
 * go once per call; the pcm buffer and the state stay for the whole run). */
static int evict_index(const oh_replay_result *res, const char *incoming) {
  int i, j;
  for (i = 0; incoming && i < res->nbuffers; i++) /* the common case, in O(n) */
    if (!strcmp(res->buffers[i].name, incoming)) return i;
  for (i = 0; i < res->nbuffers; i++)
    for (j = i + 1; j < res->nbuffers; j++)
      if (!strcmp(res->buffers[i].name, res->buffers[j].name)) return i;
  return 0;
}

static void add_buffer(oh_replay_result *res, const char *name, const char *how, uint64_t addr,
                       uint64_t size) {
  oh_replay_buffer *b;
  if (res->nbuffers == OH_REPLAY_MAX_BUFFERS) {
    int k = evict_index(res, name);
    memmove(res->buffers + k, res->buffers + k + 1,
            sizeof res->buffers[0] * (size_t)(OH_REPLAY_MAX_BUFFERS - 1 - k));
    res->nbuffers--;
  }
  b = &res->buffers[res->nbuffers++];
  memset(b, 0, sizeof *b);
  copy(b->name, sizeof b->name, name);
  copy(b->how, sizeof b->how, how);
  b->addr = addr;
  b->size = size;
}

static void on_buffer(oh_replay_result *res, const oh_event *ev) {
  add_buffer(res, oh_event_get(ev, "name"), oh_event_get(ev, "how"),
             oh_event_get_u64(ev, "addr", 0), oh_event_get_u64(ev, "size", 0));
}

static void on_call(oh_replay_result *res, const oh_event *ev) {
  const char *th = oh_event_get(ev, "thread");
  oh_replay_call *c = thread_slot(res, th ? th : "0");
  if (!c) return;
  memset(c, 0, sizeof *c);
  c->present = 1;
  c->seq = res->seq_;
  c->index = oh_event_get_int(ev, "index", -1);
  c->offset = oh_event_get_int(ev, "offset", -1);
  c->len = oh_event_get_int(ev, "len", -1);
  c->frame_size = oh_event_get_int(ev, "frame_size", -1);
  copy(c->kind, sizeof c->kind, oh_event_get(ev, "kind"));
  copy(c->api, sizeof c->api, oh_event_get(ev, "api"));
  copy(c->thread, sizeof c->thread, th ? th : "0");
  /* The caller's packet copy travels in the call line itself (one event
   * less per packet): it is a buffer like any other. */
  if (oh_event_get(ev, "data"))
    add_buffer(res, "packet", oh_event_get(ev, "how"), oh_event_get_u64(ev, "data", 0),
               oh_event_get_u64(ev, "data_size", 0));
}

static void on_free(oh_replay_result *res, const oh_event *ev) {
  uint64_t addr = oh_event_get_u64(ev, "addr", 0);
  const char *name = oh_event_get(ev, "name");
  int i;
  for (i = res->nbuffers - 1; i >= 0; i--) {
    oh_replay_buffer *b = &res->buffers[i];
    if (b->addr == addr && !b->freed && (!name || !*name || !strcmp(name, b->name))) {
      b->freed = 1;
      return;
    }
  }
}

static void on_contract(oh_replay_result *res, const oh_event *ev) {
  oh_replay_contract c;
  memset(&c, 0, sizeof c);
  c.present = 1;
  c.index = oh_event_get_int(ev, "index", -1);
  c.fault_expected = oh_event_get_int(ev, "fault", 0) != 0;
  copy(c.rule, sizeof c.rule, oh_event_get(ev, "rule"));
  copy(c.detail, sizeof c.detail, oh_event_get(ev, "detail"));
  if (c.fault_expected) {
    if (!res->n_fault++) res->first_fault = c;
  } else if (!res->n_latent++) {
    res->first_latent = c;
  }
  if (res->nrecent_ == OH_REPLAY_RECENT_CONTRACTS) {
    memmove(res->recent_, res->recent_ + 1,
            sizeof res->recent_[0] * (OH_REPLAY_RECENT_CONTRACTS - 1));
    res->nrecent_--;
  }
  res->recent_[res->nrecent_++] = c;
}

static void on_start(oh_replay_result *res, const oh_event *ev) {
  res->started = 1;
  copy(res->opus_version, sizeof res->opus_version, oh_event_get(ev, "opus"));
  copy(res->model, sizeof res->model, oh_event_get(ev, "model"));
  copy(res->sample, sizeof res->sample, oh_event_get(ev, "sample"));
  res->pcm_capacity = oh_event_get_int(ev, "pcm_capacity", -1);
  res->rate = oh_event_get_int(ev, "rate", -1);
  res->channels = oh_event_get_int(ev, "channels", -1);
}

static void on_other(oh_replay_result *res, const oh_event *ev) {
  if (!strcmp(ev->name, "diverge") && !res->diverged) {
    res->diverged = 1;
    res->diverge_index = oh_event_get_int(ev, "index", -1);
    copy(res->diverge_what, sizeof res->diverge_what, oh_event_get(ev, "what"));
    copy(res->diverge_expected, sizeof res->diverge_expected, oh_event_get(ev, "expected"));
    copy(res->diverge_got, sizeof res->diverge_got, oh_event_get(ev, "got"));
  } else if (!strcmp(ev->name, "end")) {
    res->end_seen = 1;
    res->end_calls = oh_event_get_int(ev, "calls", -1);
    /* events.h says packets=; the runner writes records= */
    res->end_packets = oh_event_get_int(ev, "packets", oh_event_get_int(ev, "records", -1));
    res->end_errors = oh_event_get_int(ev, "errors", -1);
  } else {
    res->bad_events++; /* an event this parent does not know */
  }
}

static void guard_line(actx *a, const char *line, size_t len) {
  char buf[OH_GUARD_LINE_MAX + 1];
  oh_guard_fault f;
  if (a->has_guard || len > OH_GUARD_LINE_MAX) return;
  memcpy(buf, line, len);
  buf[len] = '\0';
  if (oh_guard_parse_fault(buf, &f) == OH_OK) {
    a->guard = f;
    a->has_guard = 1;
  }
}

static void one_line(actx *a, const char *line, size_t len) {
  oh_replay_result *res = a->res;
  oh_event *ev = &a->ev;
  if (len >= 11 && memcmp(line, "guard-fault", 11) == 0) {
    guard_line(a, line, len);
    return;
  }
  if (oh_event_parse(line, len, ev) != 0) {
    if (len) res->bad_events++;
    return;
  }
  res->seq_++;
  if (!strcmp(ev->name, "call")) on_call(res, ev);
  else if (!strcmp(ev->name, "ret")) on_ret(res, ev);
  else if (!strcmp(ev->name, "buffer")) on_buffer(res, ev);
  else if (!strcmp(ev->name, "free")) on_free(res, ev);
  else if (!strcmp(ev->name, "contract")) on_contract(res, ev);
  else if (!strcmp(ev->name, "start")) on_start(res, ev);
  else on_other(res, ev);
}

/* Complete lines of buf[from..to): a last line without its newline was cut
 * by the child's death and is not trusted. */
static void lines(actx *a, const char *buf, size_t from, size_t to, int events_only) {
  size_t i = from, start = from;
  for (; i < to; i++) {
    if (buf[i] != '\n') continue;
    if (!events_only) one_line(a, buf + start, i - start);
    else if (i - start >= 11 && memcmp(buf + start, "guard-fault", 11) == 0)
      guard_line(a, buf + start, i - start);
    start = i + 1;
  }
}

/* A capture over its cap is head, marker line, tail (child.h); the line
 * cut by the marker on either side is dropped. */
static void scan(actx *a, const oh_child_output *out, int guard_only) {
  static const char mark[] = "\n[opushunt: ";
  const char *m, *end;
  size_t head_end;
  if (!out->data || !out->len) return;
  m = out->truncated ? memmem(out->data, out->len, mark, sizeof mark - 1) : NULL;
  if (!m) {
    lines(a, out->data, 0, out->len, guard_only);
    return;
  }
  head_end = (size_t)(m - out->data);
  while (head_end > 0 && out->data[head_end - 1] != '\n') head_end--;
  lines(a, out->data, 0, head_end, guard_only);
  end = memchr(m + 1, '\n', out->len - (size_t)(m + 1 - out->data));      /* marker's end */
  if (end) end = memchr(end + 1, '\n', out->len - (size_t)(end + 1 - out->data)); /* cut line */
  if (end) lines(a, out->data, (size_t)(end + 1 - out->data), out->len, guard_only);
}

/* ---- The faulting call. */

/* The call in flight when the child died (the latest if several threads
 * were inside libopus), else the latest call, which had returned. After
 * the `end` event nothing is in flight and no call is blamed. */
static void pick_fault_call(oh_replay_result *res) {
  const oh_replay_call *best = NULL;
  int i, in_flight = 0;
  for (i = 0; i < res->nthreads; i++) {
    const oh_replay_call *c = &res->threads[i];
    if (!c->present) continue;
    if (!c->returned && (!in_flight || c->seq > best->seq)) {
      best = c;
      in_flight = 1;
    } else if (!in_flight && (!best || c->seq > best->seq)) {
      best = c;
    }
  }
  if (!best || (res->end_seen && !in_flight)) return;
  res->fault_call = *best;
}

/* ---- Buffer attribution. */

static void set_buffer(oh_replay_finding *f, const oh_replay_buffer *b, const char *rel,
                       int64_t off) {
  f->has_buffer = 1;
  copy(f->buffer, sizeof f->buffer, b->name);
  copy(f->relation, sizeof f->relation, rel);
  f->buffer_offset = off;
  f->buffer_size = b->size;
  f->by = off < 0 ? (uint64_t)-off : (uint64_t)off >= b->size ? (uint64_t)off - b->size : 0;
}

/* Nearest buffer within this many bytes of an edge counts as the one
 * overrun; further away, an address is not pinned on any buffer. */
#define NEAR_EDGE ((uint64_t)64 << 10)

static void attribute_by_range(oh_replay_result *res, oh_replay_finding *f) {
  const oh_replay_buffer *best = NULL;
  uint64_t a = f->address, dist = NEAR_EDGE + 1;
  int i;
  for (i = res->nbuffers - 1; i >= 0; i--) {
    const oh_replay_buffer *b = &res->buffers[i];
    uint64_t d;
    if (a >= b->addr && a - b->addr < b->size) {
      set_buffer(f, b, b->freed ? "freed" : "inside", (int64_t)(a - b->addr));
      return;
    }
    d = a >= b->addr + b->size ? a - (b->addr + b->size) : b->addr - a;
    if (d < dist) {
      dist = d;
      best = b;
    }
  }
  if (best)
    set_buffer(f, best, a >= best->addr ? "after-end" : "before-start",
               (int64_t)(a - best->addr));
}

/* region_start: where the tool says the block the address hits begins
 * (0 unknown); an exact match with a buffer event settles it. A block the
 * runner never announced is library-owned memory (the decoder state from
 * opus_decoder_create): then only a buffer holding the address counts,
 * never the nearest one, which would be a guess. */
static void attribute(oh_replay_result *res, oh_replay_finding *f, uint64_t region_start,
                      uint64_t region_size, const char *rel) {
  int i;
  if (!f->has_address) return;
  if (!region_start) {
    attribute_by_range(res, f);
    return;
  }
  for (i = res->nbuffers - 1; i >= 0; i--) {
    const oh_replay_buffer *b = &res->buffers[i];
    if (b->addr == region_start) {
      set_buffer(f, b, b->freed ? "freed" : rel, (int64_t)(f->address - b->addr));
      return;
    }
  }
  for (i = res->nbuffers - 1; i >= 0; i--) {
    const oh_replay_buffer *b = &res->buffers[i];
    if (f->address >= b->addr && f->address - b->addr < b->size) {
      set_buffer(f, b, b->freed ? "freed" : "inside", (int64_t)(f->address - b->addr));
      return;
    }
  }
  oh_replay_note(res, "the address is in a %" PRIu64 "-byte block no caller buffer event names: "
                 "memory libopus owns (the decoder state from opus_decoder_create?)", region_size);
}

/* ---- Findings. */

static void from_guard(const actx *a, oh_replay_finding *f) {
  const oh_guard_fault *g = &a->guard;
  static const char *const acc[] = {"UNKNOWN", "READ", "WRITE"};
  f->present = 1;
  copy(f->source, sizeof f->source, "guard");
  copy(f->access, sizeof f->access, acc[g->access <= OH_GUARD_ACCESS_WRITE ? g->access : 0]);
  f->has_address = 1;
  f->address = g->addr;
  copy(f->kind, sizeof f->kind,
       g->hit.relation == OH_GUARD_REL_AFTER_END || g->hit.relation == OH_GUARD_REL_BEFORE_START
           ? "buffer-overflow"
           : g->hit.relation == OH_GUARD_REL_FREED ? "use-after-free" : "SEGV");
  if (g->hit.relation != OH_GUARD_REL_NONE) {
    f->has_buffer = 1;
    copy(f->buffer, sizeof f->buffer, g->hit.name);
    copy(f->relation, sizeof f->relation, oh_guard_relation_name(g->hit.relation));
    f->buffer_offset = g->hit.offset;
    f->buffer_size = g->hit.size;
    f->by = g->hit.by;
  }
  snprintf(f->description, sizeof f->description, "guard page: %s at 0x%" PRIx64, f->access,
           g->addr);
  if (f->has_buffer) {
    char hit[160];
    size_t n = strlen(f->description);
    oh_guard_format_hit(&g->hit, hit, sizeof hit);
    snprintf(f->description + n, sizeof f->description - n, ", %s", hit);
  }
}

static void copy_frames(const oh_san_stack *s, oh_replay_finding *f) {
  int i;
  for (i = 0; i < s->count && f->nframes < OH_REPLAY_MAX_FRAMES; i++) {
    const oh_san_frame *in = &s->frame[i];
    oh_replay_frame *o = &f->frames[f->nframes++];
    o->index = in->index;
    o->pc = in->pc;
    copy(o->function, sizeof o->function, in->function);
    copy(o->file, sizeof o->file, in->file);
    copy(o->module, sizeof o->module, in->module);
    o->line = in->line;
    o->column = in->column;
    o->noise = oh_frame_is_noise(in);
  }
}

/* The first allocation frame that is not noise (the allocator itself). */
static void alloc_site(const oh_san_report *r, oh_replay_finding *f) {
  int i;
  for (i = 0; i < r->alloc_stack.count; i++) {
    const oh_san_frame *in = &r->alloc_stack.frame[i];
    if (oh_frame_is_noise(in) || !in->function) continue;
    copy(f->alloc_function, sizeof f->alloc_function, in->function);
    copy(f->alloc_file, sizeof f->alloc_file, in->file);
    return;
  }
}

static const char *san_relation(const oh_san_report *r) {
  if (r->kind == OH_SAN_KIND_HEAP_USE_AFTER_FREE) return "freed";
  switch (r->relation) {
  case OH_SAN_REL_BEFORE: return "before-start";
  case OH_SAN_REL_AFTER: return "after-end";
  default: return "inside";
  }
}

static void from_report(oh_replay_result *res, const oh_san_report *r,
                        oh_replay_finding *f) {
  uint64_t start = r->region_start;
  f->present = 1;
  copy(f->source, sizeof f->source, oh_san_tool_name(r->tool));
  copy(f->kind, sizeof f->kind,
       r->kind == OH_SAN_KIND_UNKNOWN && r->kind_text ? r->kind_text : oh_san_kind_name(r->kind));
  copy(f->access, sizeof f->access, oh_san_access_name(r->access));
  f->size = r->size;
  f->has_address = r->has_address;
  f->address = r->address;
  copy(f->thread, sizeof f->thread, r->thread);
  f->further = r->further;
  oh_san_report_describe(r, f->description, sizeof f->description);
  copy_frames(&r->stack, f);
  alloc_site(r, f);
  if (r->region != OH_SAN_REGION_UNKNOWN)
    copy(f->region, sizeof f->region, oh_san_region_name(r->region));
  if (!start && r->has_address && r->relation != OH_SAN_REL_NONE)
    start = r->address - (uint64_t)r->region_offset;
  attribute(res, f, start, r->region_size, san_relation(r));
}

static int is_signal_kind(oh_san_kind k) {
  return k == OH_SAN_KIND_SEGV || k == OH_SAN_KIND_BUS || k == OH_SAN_KIND_FPE ||
         k == OH_SAN_KIND_ILL || k == OH_SAN_KIND_ABRT || k == OH_SAN_KIND_STACK_OVERFLOW ||
         k == OH_SAN_KIND_DEADLY_SIGNAL;
}

/* ---- The verdict. */

/* The last non-empty line of stderr, for errors (the runner's usage error
 * is one line). */
static void last_line(const oh_child_output *err, char *out, size_t cap) {
  size_t end = err->len, start;
  out[0] = '\0';
  if (!err->data) return;
  while (end > 0 && (err->data[end - 1] == '\n' || err->data[end - 1] == '\r')) end--;
  start = end;
  while (start > 0 && err->data[start - 1] != '\n') start--;
  snprintf(out, cap, "%.*s", (int)(end - start), err->data + start);
}

/* The exit code a tool's runtime uses after a report (replay.c sets
 * TSan's to 66 and Valgrind's to 99). */
static int tool_exit_code(oh_replay_tool t) {
  switch (t) {
  case OH_UNDER_ASAN:
  case OH_UNDER_UBSAN: return 1;
  case OH_UNDER_MSAN: return 77;
  case OH_UNDER_TSAN: return 66;
  case OH_UNDER_VALGRIND:
  case OH_UNDER_HELGRIND: return 99;
  default: return -1;
  }
}

/* A runner that failed to allocate under RLIMIT_AS says so on its way out. */
static int says_out_of_memory(const oh_child_output *err) {
  size_t from = err->len > 4096 ? err->len - 4096 : 0;
  const char *p = err->data ? err->data + from : NULL;
  size_t n = err->len - from;
  return p && (memmem(p, n, "out of memory", 13) || memmem(p, n, "Cannot allocate memory", 22) ||
               memmem(p, n, "cannot allocate memory", 22));
}

/* The line holding the first of needles in the last 8 KB of stderr: its
 * index, or -1. How glibc's malloc checks and Valgrind's own allocator
 * announce a heap the program has damaged. */
static int heap_message(const oh_child_output *err, const char *const *needles, char *out,
                        size_t cap) {
  size_t from = err->len > 8192 ? err->len - 8192 : 0, n = err->len - from;
  const char *p = err->data ? err->data + from : NULL, *hit, *b, *e;
  int i;
  for (i = 0; p && needles[i]; i++) {
    if (!(hit = memmem(p, n, needles[i], strlen(needles[i])))) continue;
    for (b = hit; b > p && b[-1] != '\n'; b--) {
    }
    e = memchr(hit, '\n', n - (size_t)(hit - p));
    snprintf(out, cap, "%.*s", (int)((e ? e : p + n) - b), b);
    return i;
  }
  return -1;
}

/* glibc's messages, and what each means: a bad free is caught at the free
 * (that call is the culprit); a damaged heap only at some later malloc or
 * free ("heap-corruption": the call then is not blamed). */
static const char *const glibc_heap[] = {
    "double free detected in tcache", "free(): invalid pointer", "munmap_chunk(): invalid pointer",
    "free(): invalid size", "double free or corruption", "free(): ", "malloc(): ", "realloc(): ",
    "corrupted size vs. prev_size", "malloc_consolidate(): ", NULL};
static const char *const glibc_kind[] = {
    "double-free", "invalid-free", "invalid-free", "invalid-free", "heap-corruption",
    "heap-corruption", "heap-corruption", "heap-corruption", "heap-corruption",
    "heap-corruption"};
static const char *const valgrind_heap[] = {
    "Heap block lo/hi size mismatch", "corrupting heap metadata", NULL};
/* A fuzz target's differential check (fuzz_target.h) prints this, then
 * aborts. */
static const char *const oracle_message[] = {"opushunt-oracle: ", NULL};

static void from_signal(const oh_child_result *cr, oh_replay_finding *f) {
  const char *name = oh_signal_name(cr->term_signal);
  char line[200];
  int k;
  f->present = 1;
  copy(f->source, sizeof f->source, "signal");
  copy(f->kind, sizeof f->kind, strncmp(name, "SIG", 3) == 0 ? name + 3 : name);
  copy(f->access, sizeof f->access, "UNKNOWN");
  snprintf(f->description, sizeof f->description, "killed by %s", name);
  if (heap_message(&cr->err, oracle_message, line, sizeof line) >= 0) {
    copy(f->source, sizeof f->source, "oracle");
    copy(f->kind, sizeof f->kind, "oracle-divergence");
    snprintf(f->description, sizeof f->description, "%s", line);
  } else if ((k = heap_message(&cr->err, glibc_heap, line, sizeof line)) >= 0) {
    copy(f->source, sizeof f->source, "glibc");
    copy(f->kind, sizeof f->kind, glibc_kind[k]);
    snprintf(f->description, sizeof f->description, "killed by %s after glibc: %s", name, line);
  }
}

/* Valgrind's allocator found its block headers overwritten and stopped
 * (Helgrind does not check accesses, so this is how it sees an overrun). */
static int valgrind_heap_verdict(oh_replay_result *res, const oh_child_result *cr) {
  oh_replay_finding *f = &res->finding;
  char line[200];
  if ((res->tool != OH_UNDER_VALGRIND && res->tool != OH_UNDER_HELGRIND) ||
      heap_message(&cr->err, valgrind_heap, line, sizeof line) < 0)
    return 0;
  res->verdict = OH_VERDICT_SANITIZER;
  f->present = 1;
  snprintf(f->source, sizeof f->source, "valgrind-%s",
           res->tool == OH_UNDER_HELGRIND ? "helgrind" : "memcheck");
  copy(f->kind, sizeof f->kind, "heap-corruption");
  copy(f->access, sizeof f->access, "WRITE");
  snprintf(f->description, sizeof f->description, "%s", line);
  snprintf(res->why, sizeof res->why, "Valgrind found its heap overwritten: %s", line);
  return 1;
}

static void exit_verdict(actx *a, const oh_child_result *cr) {
  oh_replay_result *res = a->res;
  char line[200];
  last_line(&cr->err, line, sizeof line);
  if (cr->exit_code == 3) {
    res->verdict = OH_VERDICT_ERROR;
    snprintf(res->why, sizeof res->why, "runner refused: %s", line[0] ? line : "exit 3");
  } else if (says_out_of_memory(&cr->err)) {
    res->verdict = OH_VERDICT_OOM;
    snprintf(res->why, sizeof res->why, "out of memory: %s", line);
  } else if (cr->exit_code == tool_exit_code(res->tool)) {
    res->verdict = OH_VERDICT_SANITIZER;
    res->finding.present = 1;
    copy(res->finding.source, sizeof res->finding.source, oh_replay_tool_name(res->tool));
    copy(res->finding.kind, sizeof res->finding.kind, "unknown");
    copy(res->finding.access, sizeof res->finding.access, "UNKNOWN");
    snprintf(res->why, sizeof res->why, "%s exit code %d", oh_replay_tool_name(res->tool),
             cr->exit_code);
    oh_replay_note(res, "exit %d is %s's report exit code, but no report could be read "
                   "from stderr (see --keep-logs)", cr->exit_code, oh_replay_tool_name(res->tool));
  } else {
    res->verdict = OH_VERDICT_ERROR;
    snprintf(res->why, sizeof res->why, "runner exited with status %d%s%s", cr->exit_code,
             line[0] ? ": " : "", line);
  }
}

static void clean_verdict(oh_replay_result *res) {
  if (res->diverged) {
    res->verdict = OH_VERDICT_DIVERGENCE;
    snprintf(res->why, sizeof res->why, "%s differs from the reference session at record %" PRId64,
             res->diverge_what[0] ? res->diverge_what : "output", res->diverge_index);
  } else if (res->n_latent + res->n_fault) {
    res->verdict = OH_VERDICT_CONTRACT;
    snprintf(res->why, sizeof res->why,
             "%" PRIu64 " contract violations (%" PRIu64 " expected to fault), nothing faulted",
             res->n_latent + res->n_fault, res->n_fault);
  } else {
    res->verdict = OH_VERDICT_CLEAN;
    snprintf(res->why, sizeof res->why, "clean");
  }
}

static void fault_verdict(actx *a, const oh_child_result *cr, const oh_san_report *r) {
  oh_replay_result *res = a->res;
  if (a->has_guard && cr->signaled) {
    from_guard(a, &res->finding);
    res->verdict = OH_VERDICT_CRASH;
  } else if (r) {
    from_report(res, r, &res->finding);
    res->verdict = r->kind == OH_SAN_KIND_OUT_OF_MEMORY ? OH_VERDICT_OOM
                   : is_signal_kind(r->kind) || cr->signaled ? OH_VERDICT_CRASH
                                                             : OH_VERDICT_SANITIZER;
  } else {
    from_signal(cr, &res->finding);
    res->verdict = OH_VERDICT_CRASH;
  }
  if (cr->signaled)
    copy(res->finding.signal, sizeof res->finding.signal, oh_signal_name(cr->term_signal));
  if (res->verdict == OH_VERDICT_CRASH && cr->signaled) {
    int said = !strcmp(res->finding.source, "glibc") || !strcmp(res->finding.source, "oracle");
    snprintf(res->why, sizeof res->why, "crash (%s)%s%s", oh_signal_name(cr->term_signal),
             said ? ": " : "", said ? res->finding.description : "");
  }
  else
    snprintf(res->why, sizeof res->why, "%s", res->finding.description);
}

static void decide(actx *a, const oh_child_result *cr, const oh_san_report *r) {
  oh_replay_result *res = a->res;
  if (cr->timed_out || cr->oom) {
    res->verdict = cr->timed_out ? OH_VERDICT_TIMEOUT : OH_VERDICT_OOM;
    oh_child_describe(cr, res->why, sizeof res->why);
  } else if (cr->signaled || r) {
    fault_verdict(a, cr, r);
  } else if (cr->exited && cr->exit_code != 0) {
    if (!valgrind_heap_verdict(res, cr)) exit_verdict(a, cr);
  } else {
    clean_verdict(res);
  }
}

/* ---- After the verdict: which record it is about, and what that call
 * broke. */

/* The call in flight is a destroy that broke a destroy rule. */
static int bad_destroy(const oh_replay_result *res) {
  int i;
  if (strcmp(res->fault_call.kind, "destroy") || res->fault_call.returned) return 0;
  for (i = 0; i < res->nrecent_; i++) {
    const oh_replay_contract *c = &res->recent_[i];
    if (c->index == res->fault_call.index &&
        (!strcmp(c->rule, "double-destroy") || !strcmp(c->rule, "destroy-foreign")))
      return 1;
  }
  return 0;
}

static void pick_fault_index(oh_replay_result *res) {
  res->fault_index = -1;
  switch (res->verdict) {
  case OH_VERDICT_DIVERGENCE: res->fault_index = res->diverge_index; break;
  case OH_VERDICT_CONTRACT:
    res->fault_index = res->first_fault.present ? res->first_fault.index : res->first_latent.index;
    break;
  case OH_VERDICT_CRASH:
  case OH_VERDICT_SANITIZER:
  case OH_VERDICT_TIMEOUT:
  case OH_VERDICT_OOM:
    /* A corrupted heap is noticed at a later malloc or free, not at the
     * overrun: the call in flight then is not the culprit, unless it is a
     * destroy the contract already called wrong. */
    if (res->fault_call.present &&
        (strcmp(res->finding.kind, "heap-corruption") || bad_destroy(res))) {
      res->fault_index = res->fault_call.index;
      res->call_blamed = 1;
    }
    break;
  default: break;
  }
  /* After a clean exit the last call is just the last call (the threads
   * list keeps it); only a fault or a kill makes it "the call". */
  if (res->verdict != OH_VERDICT_CRASH && res->verdict != OH_VERDICT_SANITIZER &&
      res->verdict != OH_VERDICT_TIMEOUT && res->verdict != OH_VERDICT_OOM)
    memset(&res->fault_call, 0, sizeof res->fault_call);
}

/* The rules broken at the record the report is about; for a set-up or
 * teardown call that faulted (index -1), the rules checked outside the
 * stream. */
static void pick_call_rules(oh_replay_result *res) {
  int pass, i;
  int64_t key = res->fault_index;
  if (key < 0 && !res->call_blamed) return;
  for (pass = 1; pass >= 0; pass--) /* fault-expected ones first */
    for (i = 0; i < res->nrecent_ && res->n_call_rules < 4; i++) {
      const oh_replay_contract *c = &res->recent_[i];
      if (c->index == key && c->fault_expected == pass)
        res->call_rules[res->n_call_rules++] = *c;
    }
}

static void add_notes(oh_replay_result *res, const oh_child_result *cr) {
  int faulted = res->verdict == OH_VERDICT_CRASH || res->verdict == OH_VERDICT_SANITIZER;
  if (res->target[0] && !res->target_events) {
    if (oh_replay_verdict_is_finding(res->verdict))
      oh_replay_note(res, "fuzz target %s reports no calls: the faulting record is unknown%s",
                     res->target, strcmp(res->target, "pipeline") ? ""
                     : " (replay the script without --target for the pipeline's events)");
  } else if (!res->started && res->verdict != OH_VERDICT_ERROR) {
    oh_replay_note(res, "the runner wrote no events: the faulting call is unknown");
  }
  if (faulted && !res->fault_call.present && res->end_seen)
    oh_replay_note(res, "the report came after the runner's last call (end of stream, exit "
                   "or a tool that keeps going): no call is blamed");
  if (res->finding.further)
    oh_replay_note(res, "%d more report%s after the first (see --keep-logs)",
                   res->finding.further, res->finding.further == 1 ? "" : "s");
  if (!strcmp(res->finding.kind, "heap-corruption") && res->fault_index < 0)
    oh_replay_note(res, "heap corruption is noticed after the overrun, not at it: --under guard "
                   "or valgrind names the packet that overran");
  if (faulted && res->fault_call.present && res->fault_call.returned)
    oh_replay_note(res, "the fault came after the last call returned (in the caller's own "
                   "code, e.g. the PCM consumer)");
  if (faulted && res->call_blamed && !res->n_call_rules)
    oh_replay_note(res, "the faulting call broke no contract rule the checker knows: suspect "
                   "libopus itself rather than the caller");
  if (cr->err.truncated || cr->result.truncated)
    oh_replay_note(res, "the child's %s exceeded the capture cap; the middle was dropped",
                   cr->err.truncated ? "stderr" : "event stream");
}

void oh_replay_analyze(const oh_child_result *cr, oh_replay_result *res) {
  actx *a = calloc(1, sizeof *a);
  oh_san_report rep;
  oh_error err;
  int have;
  res->ran = 1;
  res->exited = cr->exited;
  res->exit_code = cr->exit_code;
  res->signaled = cr->signaled;
  res->term_signal = cr->term_signal;
  res->timed_out = cr->timed_out;
  res->oom = cr->oom;
  res->wall_us = cr->wall_us;
  res->peak_rss = cr->peak_rss;
  res->fault_index = -1;
  if (!a) {
    res->verdict = OH_VERDICT_ERROR;
    snprintf(res->why, sizeof res->why, "out of memory reading the results");
    return;
  }
  a->res = res;
  scan(a, &cr->result, 0);
  scan(a, &cr->err, 1); /* a guard-fault line may go to stderr too */
  pick_fault_call(res);
  have = cr->err.data && oh_san_parse((const uint8_t *)cr->err.data, cr->err.len, &rep, &err) == OH_OK;
  decide(a, cr, have ? &rep : NULL);
  if (have) oh_san_report_free(&rep);
  pick_fault_index(res);
  pick_call_rules(res);
  add_notes(res, cr);
  free(a);
}
