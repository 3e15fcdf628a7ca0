/* Whole-input byte operators: byte havoc (every target's fallback), and for
 * the readers target, whose input is any container, container tokens
 * written in and splices with the donor. They edit m->bytes in place. */
#include <string.h>

#include "mut_ops.h"

int oh_op_byte_havoc(oh_mutator *m) {
  size_t n;
  if (m->bytes_max == 0) return 0;
  n = oh_mut_bytes(m, m->bytes, m->bytes_len, m->bytes_max);
  m->bytes_len = n;
  return 1;
}

int oh_op_byte_container(oh_mutator *m) {
  size_t tl = 0, at;
  const uint8_t *tok =
      oh_container_token(oh_rng_below(&m->rng, (uint32_t)oh_container_token_count()), &tl);
  if (!tok || tl > m->bytes_max) return 0;
  at = oh_rng_below(&m->rng, (uint32_t)m->bytes_len + 1);
  if (oh_rng_below(&m->rng, 2) && m->bytes_len + tl <= m->bytes_max) {
    memmove(m->bytes + at + tl, m->bytes + at, m->bytes_len - at); /* insert */
    m->bytes_len += tl;
  } else {
    if (at + tl > m->bytes_max) at = m->bytes_max - tl; /* overwrite */
    if (at + tl > m->bytes_len) m->bytes_len = at + tl;
  }
  memcpy(m->bytes + at, tok, tl);
  return 1;
}

int oh_op_byte_splice(oh_mutator *m) {
  const uint8_t *src = m->dn_len ? m->dn : m->bytes;
  size_t slen = m->dn_len ? m->dn_len : m->bytes_len, i, j, n;
  uint8_t *tmp;
  if (slen == 0) return 0;
  /* Our prefix [0, i), the source's suffix [j, ...). */
  i = oh_rng_below(&m->rng, (uint32_t)m->bytes_len + 1);
  j = oh_rng_below(&m->rng, (uint32_t)slen);
  n = slen - j;
  if (n > m->bytes_max - i) n = m->bytes_max - i;
  tmp = oh_arena_dup(&m->arena, src + j, n);
  if (!tmp) return 0;
  memcpy(m->bytes + i, tmp, n);
  m->bytes_len = i + n;
  return 1;
}
