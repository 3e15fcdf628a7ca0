/* The mutator's per-call arena: every byte an operator creates (rewritten
 * packets, new frames, extra data) is bump-allocated here and released at
 * once when the next call resets it. Chunks are kept between calls and
 * never move, so pointers into them stay valid for the whole call. */
#include <stdlib.h>
#include <string.h>

#include "mut_impl.h"

struct oh_arena_chunk {
  oh_arena_chunk *next;
  size_t cap, used;
  _Alignas(16) uint8_t data[];
};

#define OH_ARENA_CHUNK ((size_t)64 << 10)

static oh_arena_chunk *oh_arena_grow(oh_arena *a, size_t n) {
  size_t cap = n > OH_ARENA_CHUNK ? n : OH_ARENA_CHUNK;
  oh_arena_chunk *c;
  if (a->total + cap > OH_ARENA_LIMIT) return NULL;
  c = malloc(sizeof *c + cap);
  if (!c) return NULL;
  c->next = NULL;
  c->cap = cap;
  c->used = 0;
  a->total += cap;
  return c;
}

void *oh_arena_alloc(oh_arena *a, size_t n) {
  oh_arena_chunk *c = a->cur;
  size_t need = (n + 15) & ~(size_t)15;
  if (need < n) return NULL;
  /* Walk the kept chunks first: after a reset they are all empty. */
  while (c && c->cap - c->used < need) {
    if (!c->next) break;
    c = c->next;
  }
  if (!c || c->cap - c->used < need) {
    oh_arena_chunk *fresh = oh_arena_grow(a, need);
    if (!fresh) return NULL;
    if (c) {
      fresh->next = c->next;
      c->next = fresh;
    } else {
      a->head = fresh;
    }
    c = fresh;
  }
  a->cur = c;
  c->used += need;
  return c->data + c->used - need;
}

uint8_t *oh_arena_dup(oh_arena *a, const uint8_t *p, size_t n) {
  uint8_t *d = oh_arena_alloc(a, n ? n : 1);
  if (d && n) memcpy(d, p, n);
  return d;
}

void oh_arena_reset(oh_arena *a) {
  oh_arena_chunk *c;
  for (c = a->head; c; c = c->next) c->used = 0;
  a->cur = a->head;
}

void oh_arena_free(oh_arena *a) {
  oh_arena_chunk *c = a->head;
  while (c) {
    oh_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = a->cur = NULL;
  a->total = 0;
}
