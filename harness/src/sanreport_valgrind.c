/* Valgrind reports, as text ("==PID== Invalid write of size 4" and the
 * lines under it) and as --xml=yes protocol 4 (<error>, <fatal_signal>).
 * Both feed the same three events, headline, auxiliary line and frame, so
 * Memcheck, Helgrind and DRD are read one way whatever the format. The XML
 * scanner is a small hand-written one that stops wherever the input does. */
#include "sanreport_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum vtarget { V_IGNORE = 0, V_MAIN, V_ALLOC, V_FREE, V_ORIGIN, V_CONFLICT } vtarget;

typedef struct vg_state {
  oh_san_ctx *c;
  vtarget target;
} vg_state;

/* ---- headlines -------------------------------------------------------- */

typedef struct vg_head {
  oh_san_kind kind;
  oh_san_access access;
  uint64_t size;
  oh_san_tool tool; /* UNKNOWN when any Valgrind tool could say it */
} vg_head;

static int size_after(const char *s, const char *needle, uint64_t *v) {
  const char *p = oh_san_after(s, needle);
  return p && oh_san_scan_dec(p, 1, v, NULL);
}

/* Recognises a headline; 0 when the text is not one Valgrind prints. */
static int vg_headline(const char *s, vg_head *h) {
  memset(h, 0, sizeof *h);
  if (oh_san_starts(s, "Invalid read of size ")) {
    h->kind = OH_SAN_KIND_INVALID_READ, h->access = OH_SAN_ACCESS_READ;
    size_after(s, "of size ", &h->size);
  } else if (oh_san_starts(s, "Invalid write of size ")) {
    h->kind = OH_SAN_KIND_INVALID_WRITE, h->access = OH_SAN_ACCESS_WRITE;
    size_after(s, "of size ", &h->size);
  } else if (oh_san_starts(s, "Invalid free()")) {
    h->kind = OH_SAN_KIND_INVALID_FREE;
  } else if (oh_san_starts(s, "Mismatched free()")) {
    h->kind = OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH;
  } else if (oh_san_starts(s, "Conditional jump or move depends on uninitialised")) {
    h->kind = OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE;
  } else if (oh_san_starts(s, "Use of uninitialised value of size ")) {
    h->kind = OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE;
    size_after(s, "of size ", &h->size);
  } else if (oh_san_starts(s, "Syscall param ")) {
    h->kind = strstr(s, "unaddressable") ? OH_SAN_KIND_INVALID_READ
                                          : OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE;
  } else if (oh_san_starts(s, "Uninitialised byte(s) found during client check")) {
    h->kind = OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE;
  } else if (oh_san_starts(s, "Unaddressable byte(s) found during client check")) {
    h->kind = OH_SAN_KIND_INVALID_READ;
  } else if (oh_san_starts(s, "Source and destination overlap in ")) {
    h->kind = OH_SAN_KIND_PARAM_OVERLAP;
  } else if (strstr(s, "has a fishy (possibly negative) value") ||
             oh_san_starts(s, "realloc() with size 0")) {
    h->kind = OH_SAN_KIND_FISHY_VALUE;
  } else if (oh_san_starts(s, "Jump to the invalid address")) {
    h->kind = OH_SAN_KIND_INVALID_JUMP;
  } else if (strstr(s, " in loss record ") &&
             (strstr(s, " definitely lost") || strstr(s, " indirectly lost") ||
              strstr(s, " possibly lost") || strstr(s, " still reachable"))) {
    h->kind = OH_SAN_KIND_MEMORY_LEAK;
    oh_san_scan_dec(s, 1, &h->size, NULL);
  } else if (oh_san_starts(s, "Process terminating with default action of signal ")) {
    const char *p = strchr(s, '(');
    h->kind = p ? oh_san_signal_kind(p + 1) : OH_SAN_KIND_DEADLY_SIGNAL;
  } else if (oh_san_starts(s, "Stack overflow in thread")) {
    h->kind = OH_SAN_KIND_STACK_OVERFLOW;
  } else if (oh_san_starts(s, "Possible data race during ")) {
    h->kind = OH_SAN_KIND_DATA_RACE, h->tool = OH_SAN_TOOL_HELGRIND;
    h->access = strstr(s, "during write") ? OH_SAN_ACCESS_WRITE : OH_SAN_ACCESS_READ;
    size_after(s, "of size ", &h->size);
  } else if (oh_san_starts(s, "Thread #") && strstr(s, "lock order")) {
    h->kind = OH_SAN_KIND_LOCK_ORDER_INVERSION, h->tool = OH_SAN_TOOL_HELGRIND;
  } else if (oh_san_starts(s, "Thread #") && !strstr(s, " was created") &&
             !strstr(s, "root thread") &&
             (strstr(s, "unlock") || strstr(s, "pthread_") || strstr(s, "'s call to") ||
              strstr(s, "still holds") || strstr(s, "Bug in libpthread"))) {
    h->kind = OH_SAN_KIND_THREAD_API_MISUSE, h->tool = OH_SAN_TOOL_HELGRIND;
  } else if (oh_san_starts(s, "Conflicting load by thread") ||
             oh_san_starts(s, "Conflicting store by thread")) {
    h->kind = OH_SAN_KIND_DATA_RACE, h->tool = OH_SAN_TOOL_DRD;
    h->access = s[12] == 'l' ? OH_SAN_ACCESS_READ : OH_SAN_ACCESS_WRITE;
    size_after(s, " size ", &h->size);
  } else {
    return 0;
  }
  return 1;
}

/* Lines at the headline's indentation that still belong to the report. */
static const char *const continuation[] = {
  "Locks held", "This conflicts with", "Address 0x", "Location 0x",
  "Allocation context", "Other segment", "Observed (incorrect) order",
  "Required order", "Lock at", "followed by a later", "Block was alloc'd",
  "Uninitialised value was created", "Access not within", "Bad permissions",
  "General Protection Fault",
};

int oh_san_is_valgrind_continuation(const char *s) {
  size_t i;
  for (i = 0; i < sizeof continuation / sizeof *continuation; i++)
    if (oh_san_starts(s, continuation[i])) return 1;
  return 0;
}

int oh_san_is_valgrind_headline(const oh_san_line *l, const oh_san_line *next) {
  vg_head h;
  if (l->prefix != '=' || l->indent != 1) return 0;
  if (vg_headline(l->s, &h)) return 1;
  /* Anything else followed straight by a stack is a report we do not know
   * by name (DRD, newer Valgrind): keep it, as kind unknown. */
  if (!next || next->prefix != '=' || next->pid != l->pid || !oh_san_starts(next->s, "at 0x"))
    return 0;
  if (oh_san_starts(l->s, "Thread #") &&
      (strstr(l->s, " was created") || strstr(l->s, "root thread")))
    return 0; /* Helgrind's thread announcements */
  return !oh_san_is_valgrind_continuation(l->s);
}

static oh_san_tool tool_for(oh_san_ctx *c, oh_san_tool hint) {
  if (c->it && c->it->valgrind_tool != OH_SAN_TOOL_UNKNOWN) return c->it->valgrind_tool;
  return hint != OH_SAN_TOOL_UNKNOWN ? hint : OH_SAN_TOOL_MEMCHECK;
}

static void on_headline(vg_state *v, const char *s) {
  oh_san_report *r = v->c->r;
  vg_head h;
  const char *p;
  uint64_t a;
  if (r->headline) { /* a second <what> in one error: keep the first */
    return;
  }
  vg_headline(s, &h);
  r->headline = oh_san_keep_str(v->c, s);
  r->message = r->headline;
  if (!r->kind_text) r->kind_text = r->headline;
  r->kind = h.kind;
  r->access = h.access;
  r->size = h.size;
  r->tool = tool_for(v->c, h.tool);
  if (((p = oh_san_after(s, " at 0x")) || (p = oh_san_after(s, " at address 0x"))) &&
      oh_san_scan_hex(p - 2, &a, NULL)) {
    r->has_address = 1;
    r->address = a;
  }
  if ((p = oh_san_after(s, " by thread "))) {
    size_t n = strcspn(p, " :,");
    r->thread = oh_san_keep(v->c, p - 7, n + 7); /* "thread #1" / "thread 1" */
  }
  v->target = V_MAIN;
}

/* ---- auxiliary lines -------------------------------------------------- */

/* "Address 0xA is N bytes after|before|inside a block of size M alloc'd". */
static void address_line(vg_state *v, const char *s) {
  oh_san_report *r = v->c->r;
  const char *p;
  uint64_t a, dist, size;
  oh_san_relation rel;
  v->target = V_IGNORE;
  /* In a lock-order report the addresses are the locks' */
  if (r->kind == OH_SAN_KIND_LOCK_ORDER_INVERSION) return;
  if (!oh_san_scan_hex(s + 8, &a, &p)) return;
  if (!r->has_address) r->has_address = 1, r->address = a;
  if (oh_san_starts(p, " is on thread ") || strstr(p, " below stack pointer")) {
    r->region = OH_SAN_REGION_STACK;
    return;
  }
  if (strstr(p, " data symbol \"") || strstr(p, " global var \"") || strstr(p, " BSS segment") ||
      strstr(p, " Data segment")) {
    const char *q = strchr(p, '"'), *e = q ? strchr(q + 1, '"') : NULL;
    r->region = OH_SAN_REGION_GLOBAL;
    if (e && !r->region_name) r->region_name = oh_san_keep(v->c, q + 1, (size_t)(e - q - 1));
    if (oh_san_starts(p, " is ") && oh_san_scan_dec(p + 4, 1, &dist, NULL))
      oh_san_set_region(r, OH_SAN_REL_INSIDE, dist, 0);
    return;
  }
  if (!oh_san_starts(p, " is ") || !oh_san_scan_dec(p + 4, 1, &dist, &p)) return;
  if (oh_san_starts(p, " bytes after ")) rel = OH_SAN_REL_AFTER;
  else if (oh_san_starts(p, " bytes before ")) rel = OH_SAN_REL_BEFORE;
  else if (oh_san_starts(p, " bytes inside ")) rel = OH_SAN_REL_INSIDE;
  else return;
  p = oh_san_after(p, " block of size ");
  if (!p || !oh_san_scan_dec(p, 1, &size, &p)) return;
  r->region = OH_SAN_REGION_HEAP;
  oh_san_set_region(r, rel, dist, size);
  if (r->region_offset <= 0 || (uint64_t)r->region_offset <= a)
    r->region_start = a - (uint64_t)r->region_offset;
  if (strstr(p, "free'd")) v->target = V_FREE;
  else if (strstr(p, "alloc'd")) v->target = V_ALLOC;
}

/* "This conflicts with a previous write of size 4 by thread #2" (Helgrind)
 * and "Other segment start (thread 2)" (DRD). */
static void conflict_line(vg_state *v, const char *s) {
  oh_san_report *r = v->c->r;
  const char *p;
  uint64_t n;
  v->target = V_IGNORE;
  if (r->conflict.present) return;
  r->conflict.present = 1;
  if (strstr(s, " previous write")) r->conflict.access = OH_SAN_ACCESS_WRITE;
  else if (strstr(s, " previous read")) r->conflict.access = OH_SAN_ACCESS_READ;
  if (size_after(s, " of size ", &n)) r->conflict.size = n;
  if ((p = oh_san_after(s, " by thread ")))
    r->conflict.thread = oh_san_keep(v->c, p - 7, strcspn(p, " :,") + 7);
  else if ((p = oh_san_after(s, "(thread ")))
    r->conflict.thread = oh_san_keep(v->c, p - 7, strcspn(p, ")") + 7);
  v->target = V_CONFLICT;
}

static void on_aux(vg_state *v, const char *s) {
  oh_san_report *r = v->c->r;
  const char *p;
  uint64_t a;
  if (oh_san_starts(s, "Locks held")) return; /* the access's stack follows */
  if (oh_san_starts(s, "Address 0x")) {
    address_line(v, s);
  } else if (oh_san_starts(s, "Block was alloc'd at")) {
    v->target = V_ALLOC;
  } else if (oh_san_starts(s, "Uninitialised value was created")) {
    r->origin_stack.count = 0;
    r->origin_stack.omitted = 0;
    v->target = V_ORIGIN;
  } else if (oh_san_starts(s, "This conflicts with") || oh_san_starts(s, "Other segment start")) {
    conflict_line(v, s);
  } else if ((p = oh_san_after(s, " at address 0x")) && oh_san_scan_hex(p - 2, &a, NULL)) {
    /* "Access not within mapped region at address 0x8": the crash stack follows */
    if (!r->has_address) r->has_address = 1, r->address = a;
    v->target = V_MAIN;
  } else if (oh_san_starts(s, "Allocation context: ") && (strstr(s, "BSS") || strstr(s, "data"))) {
    r->region = OH_SAN_REGION_GLOBAL;
    v->target = V_IGNORE;
  } else if (oh_san_starts(s, "Location 0x") && strstr(s, "global var \"")) {
    const char *q = strchr(s, '"'), *e = strchr(q + 1, '"');
    r->region = OH_SAN_REGION_GLOBAL;
    if (e && !r->region_name) r->region_name = oh_san_keep(v->c, q + 1, (size_t)(e - q - 1));
    v->target = V_IGNORE;
  } else if (oh_san_starts(s, "followed by a later acquisition") && r->stack.count == 0) {
    /* Helgrind's lock order: the text shows the whole observed order, the
     * XML only its second acquisition, the one that broke the order. */
    v->target = V_MAIN;
  } else if (oh_san_starts(s, "Required order was established")) {
    v->target = V_IGNORE;
    if (!r->conflict.present) {
      r->conflict.present = 1;
      v->target = V_CONFLICT;
    }
  } else {
    v->target = V_IGNORE;
  }
}

static oh_san_stack *vg_stack(vg_state *v) {
  oh_san_report *r = v->c->r;
  switch (v->target) {
  case V_MAIN: return &r->stack;
  case V_ALLOC: return &r->alloc_stack;
  case V_FREE: return &r->free_stack;
  case V_ORIGIN: return &r->origin_stack;
  case V_CONFLICT: return &r->conflict.stack;
  default: return NULL;
  }
}

static void on_frame(vg_state *v, const oh_san_frame *f) {
  oh_san_stack *st = vg_stack(v);
  oh_san_frame *slot;
  if (!st) return;
  slot = oh_san_stack_push(st);
  if (!slot) return;
  *slot = *f;
  slot->index = st->count - 1;
}

/* ---- text ------------------------------------------------------------- */

size_t oh_san_parse_valgrind(oh_san_ctx *c, const oh_san_line *hdr) {
  vg_state v = {c, V_MAIN};
  size_t pos = hdr->next;
  int blank_last = 0;
  oh_san_line *l = malloc(sizeof *l);
  on_headline(&v, hdr->s);
  if (!l) {
    c->nomem = 1;
    return pos;
  }
  while (oh_san_read_line(c, pos, l)) {
    const char *s = l->s;
    if (l->prefix == '=' && l->pid == hdr->pid) {
      if (*s == '\0') {
        blank_last = 1;
      } else if (l->indent == 1 && !oh_san_is_valgrind_continuation(s)) {
        break; /* the next headline, or the closing summaries */
      } else if (oh_san_starts(s, "at 0x") || oh_san_starts(s, "by 0x")) {
        oh_san_frame f;
        memset(&f, 0, sizeof f);
        if (l->complete && oh_san_parse_vg_frame(c, s, &f)) on_frame(&v, &f);
        blank_last = 0;
      } else {
        on_aux(&v, s);
        blank_last = 0;
      }
    } else if (l->prefix == '=') {
      break; /* another process */
    } else if (l->prefix == 0 && oh_san_classify(c, l) != OH_SAN_H_NONE) {
      break;
    }
    /* unprefixed lines in between are the program's own output */
    pos = l->next;
  }
  if (pos >= c->len && !blank_last) c->r->truncated = 1;
  free(l);
  return pos;
}

/* ---- XML -------------------------------------------------------------- */

typedef struct xml {
  const uint8_t *buf;
  size_t len, pos;
} xml;

static size_t find(const xml *x, size_t from, const char *needle) {
  size_t n = strlen(needle), i;
  for (i = from; i + n <= x->len; i++)
    if (x->buf[i] == (uint8_t)needle[0] && memcmp(x->buf + i, needle, n) == 0) return i;
  return (size_t)-1;
}

/* Next tag: its name (cut to cap) and whether it closes. 0 at the end. */
static int next_tag(xml *x, char *name, size_t cap, int *closing) {
  size_t i, n = 0, gt;
  for (;;) {
    const uint8_t *lt = x->pos < x->len ? memchr(x->buf + x->pos, '<', x->len - x->pos) : NULL;
    if (!lt) return 0;
    i = (size_t)(lt - x->buf) + 1;
    if (i + 8 <= x->len && memcmp(x->buf + i, "![CDATA[", 8) == 0) {
      size_t e = find(x, i, "]]>");
      if (e == (size_t)-1) return 0;
      x->pos = e + 3;
      continue;
    }
    gt = find(x, i, ">");
    if (gt == (size_t)-1) return 0;
    *closing = x->buf[i] == '/';
    if (*closing) i++;
    while (i < gt && n + 1 < cap) {
      char ch = (char)x->buf[i];
      if (ch == ' ' || ch == '/' || ch == '\t' || ch == '\n') break;
      name[n++] = ch;
      i++;
    }
    name[n] = '\0';
    x->pos = gt + 1;
    return 1;
  }
}

/* Text up to the next '<', entities decoded, into out (always terminated). */
static void text_content(const xml *x, char *out, size_t cap) {
  size_t i = x->pos, n = 0;
  while (i < x->len && x->buf[i] != '<' && n + 1 < cap) {
    static const struct { const char *ent; char ch; } ents[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''},
    };
    size_t k;
    char ch = (char)x->buf[i];
    for (k = 0; ch == '&' && k < sizeof ents / sizeof *ents; k++) {
      size_t el = strlen(ents[k].ent);
      if (i + el <= x->len && memcmp(x->buf + i, ents[k].ent, el) == 0) {
        ch = ents[k].ch;
        i += el - 1;
        break;
      }
    }
    out[n++] = ch == '\0' ? '?' : ch;
    i++;
  }
  while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\n' || out[n - 1] == '\r')) n--;
  out[n] = '\0';
}

static const struct {
  const char *name;
  oh_san_kind kind;
  oh_san_tool tool;
} xml_kinds[] = {
  {"InvalidRead", OH_SAN_KIND_INVALID_READ, OH_SAN_TOOL_MEMCHECK},
  {"InvalidWrite", OH_SAN_KIND_INVALID_WRITE, OH_SAN_TOOL_MEMCHECK},
  {"InvalidFree", OH_SAN_KIND_INVALID_FREE, OH_SAN_TOOL_MEMCHECK},
  {"MismatchedFree", OH_SAN_KIND_ALLOC_DEALLOC_MISMATCH, OH_SAN_TOOL_MEMCHECK},
  {"InvalidJump", OH_SAN_KIND_INVALID_JUMP, OH_SAN_TOOL_MEMCHECK},
  {"InvalidMemPool", OH_SAN_KIND_INVALID_FREE, OH_SAN_TOOL_MEMCHECK},
  {"UninitCondition", OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE, OH_SAN_TOOL_MEMCHECK},
  {"UninitValue", OH_SAN_KIND_USE_OF_UNINITIALIZED_VALUE, OH_SAN_TOOL_MEMCHECK},
  {"Overlap", OH_SAN_KIND_PARAM_OVERLAP, OH_SAN_TOOL_MEMCHECK},
  {"FishyValue", OH_SAN_KIND_FISHY_VALUE, OH_SAN_TOOL_MEMCHECK},
  {"ReallocSizeZero", OH_SAN_KIND_FISHY_VALUE, OH_SAN_TOOL_MEMCHECK},
  {"Leak_DefinitelyLost", OH_SAN_KIND_MEMORY_LEAK, OH_SAN_TOOL_MEMCHECK},
  {"Leak_IndirectlyLost", OH_SAN_KIND_MEMORY_LEAK, OH_SAN_TOOL_MEMCHECK},
  {"Leak_PossiblyLost", OH_SAN_KIND_MEMORY_LEAK, OH_SAN_TOOL_MEMCHECK},
  {"Leak_StillReachable", OH_SAN_KIND_MEMORY_LEAK, OH_SAN_TOOL_MEMCHECK},
  {"Race", OH_SAN_KIND_DATA_RACE, OH_SAN_TOOL_HELGRIND},
  {"LockOrder", OH_SAN_KIND_LOCK_ORDER_INVERSION, OH_SAN_TOOL_HELGRIND},
  {"UnlockUnlocked", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_HELGRIND},
  {"UnlockForeign", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_HELGRIND},
  {"UnlockBogus", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_HELGRIND},
  {"PthAPIerror", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_HELGRIND},
  {"ConflictingAccess", OH_SAN_KIND_DATA_RACE, OH_SAN_TOOL_DRD},
  {"MutexErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"CondErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"CondDestrErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"CondRaceErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"CondWaitErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"SemaphoreErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"BarrierErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
  {"RwlockErr", OH_SAN_KIND_THREAD_API_MISUSE, OH_SAN_TOOL_DRD},
};

/* <kind> decides over the headline when it is one we know: SyscallParam
 * and ClientCheck stay with the headline, which says which sort they are. */
static void xml_kind(oh_san_ctx *c, const char *k, oh_san_tool *hint) {
  oh_san_report *r = c->r;
  size_t i;
  r->kind_text = oh_san_keep_str(c, k);
  for (i = 0; i < sizeof xml_kinds / sizeof *xml_kinds; i++)
    if (strcmp(xml_kinds[i].name, k) == 0) {
      r->kind = xml_kinds[i].kind;
      *hint = xml_kinds[i].tool;
      return;
    }
}

typedef struct xframe {
  oh_san_frame f;
  char dir[1024];
  int open;
} xframe;

static void xml_leaf(vg_state *v, xframe *fr, const char *tag, const char *text,
                     int in_x, oh_san_kind *xkind_out) {
  oh_san_ctx *c = v->c;
  oh_san_report *r = c->r;
  uint64_t n;
  if (fr->open) {
    if (strcmp(tag, "ip") == 0 && oh_san_scan_hex(text, &n, NULL)) fr->f.pc = n;
    else if (strcmp(tag, "obj") == 0) fr->f.module = oh_san_keep_str(c, text);
    else if (strcmp(tag, "fn") == 0) fr->f.function = oh_san_keep_str(c, text);
    else if (strcmp(tag, "dir") == 0) snprintf(fr->dir, sizeof fr->dir, "%s", text);
    else if (strcmp(tag, "file") == 0) {
      char path[2048];
      if (fr->dir[0]) snprintf(path, sizeof path, "%s/%s", fr->dir, text);
      else snprintf(path, sizeof path, "%s", text);
      fr->f.file = oh_san_keep_str(c, path);
    } else if (strcmp(tag, "line") == 0 && oh_san_scan_dec(text, 0, &n, NULL))
      fr->f.line = oh_san_clamp_int(n);
    return;
  }
  if (strcmp(tag, "what") == 0 || (strcmp(tag, "text") == 0 && in_x == 1)) {
    on_headline(v, text);
  } else if (strcmp(tag, "auxwhat") == 0 || (strcmp(tag, "text") == 0 && in_x == 2)) {
    on_aux(v, text);
  } else if (strcmp(tag, "leakedbytes") == 0 && oh_san_scan_dec(text, 0, &n, NULL)) {
    r->size = n;
  } else if (strcmp(tag, "signame") == 0) {
    *xkind_out = oh_san_signal_kind(text);
    r->kind_text = oh_san_keep_str(c, text);
  } else if (strcmp(tag, "event") == 0) {
    on_headline(v, text);
  } else if (strcmp(tag, "siaddr") == 0 && oh_san_scan_hex(text, &n, NULL)) {
    r->has_address = 1;
    r->address = n;
  }
}

size_t oh_san_parse_xml(oh_san_ctx *c, const oh_san_line *hdr) {
  oh_san_report *r = c->r;
  vg_state v = {c, V_MAIN};
  xml x = {c->buf, c->len, hdr->begin};
  char tag[64], *text = malloc(OH_SAN_LINE_MAX);
  xframe *fr = malloc(sizeof *fr);
  int closing, in_x = 0, stacks = 0, done = 0;
  oh_san_tool hint = OH_SAN_TOOL_UNKNOWN;
  oh_san_kind xkind = OH_SAN_KIND_UNKNOWN, sigkind = OH_SAN_KIND_UNKNOWN;
  const char *kind_text = NULL;

  if (!text || !fr) {
    free(text);
    free(fr);
    c->nomem = 1;
    return hdr->next;
  }
  memset(fr, 0, sizeof *fr);
  next_tag(&x, tag, sizeof tag, &closing); /* <error> or <fatal_signal> */
  while (!done && next_tag(&x, tag, sizeof tag, &closing)) {
    if (closing) {
      if (strcmp(tag, "error") == 0 || strcmp(tag, "fatal_signal") == 0) done = 1;
      else if (strcmp(tag, "xwhat") == 0 || strcmp(tag, "xauxwhat") == 0) in_x = 0;
      else if (strcmp(tag, "frame") == 0 && fr->open) {
        on_frame(&v, &fr->f);
        memset(fr, 0, sizeof *fr);
      } else if (strcmp(tag, "stack") == 0) {
        v.target = V_IGNORE; /* until an auxwhat names the next one */
      }
      continue;
    }
    if (strcmp(tag, "error") == 0 || strcmp(tag, "fatal_signal") == 0) {
      x.pos = x.pos - 1; /* a new report: this one was cut short */
      while (x.pos > 0 && c->buf[x.pos] != '<') x.pos--;
      break;
    }
    if (strcmp(tag, "suppression") == 0) {
      size_t e = find(&x, x.pos, "</suppression>");
      if (e == (size_t)-1) break;
      x.pos = e + 14;
    } else if (strcmp(tag, "xwhat") == 0) {
      in_x = 1;
    } else if (strcmp(tag, "xauxwhat") == 0) {
      in_x = 2;
    } else if (strcmp(tag, "stack") == 0) {
      if (stacks++ == 0 && r->stack.count == 0) v.target = V_MAIN;
    } else if (strcmp(tag, "frame") == 0) {
      memset(fr, 0, sizeof *fr);
      fr->open = 1;
    } else if (strcmp(tag, "kind") == 0) {
      oh_san_kind before = r->kind;
      text_content(&x, text, OH_SAN_LINE_MAX);
      xml_kind(c, text, &hint);
      xkind = r->kind != before ? r->kind : OH_SAN_KIND_UNKNOWN;
      kind_text = r->kind_text;
    } else {
      text_content(&x, text, OH_SAN_LINE_MAX);
      xml_leaf(&v, fr, tag, text, in_x, &sigkind);
    }
  }
  /* The headline set kind, tool and access from its words; <kind> and
   * <signame> are more exact. */
  if (xkind != OH_SAN_KIND_UNKNOWN) r->kind = xkind;
  if (sigkind != OH_SAN_KIND_UNKNOWN) r->kind = sigkind;
  if (kind_text) r->kind_text = kind_text;
  r->tool = tool_for(c, hint != OH_SAN_TOOL_UNKNOWN ? hint : r->tool);
  if (r->kind == OH_SAN_KIND_INVALID_READ && r->access == OH_SAN_ACCESS_UNKNOWN)
    r->access = OH_SAN_ACCESS_READ;
  if (r->kind == OH_SAN_KIND_INVALID_WRITE) r->access = OH_SAN_ACCESS_WRITE;
  if (!done) r->truncated = 1;
  free(text);
  free(fr);
  return x.pos > hdr->begin ? x.pos : hdr->next;
}
