/* What triage remembers between runs. The known-bucket database is a text
 * file, one line per crash state seen:
 *
 *   # opushunt triage database v1
 *   ID<TAB>FIRST_SEEN<TAB>LAST_SEEN<TAB>COUNT<TAB>STATUS<TAB>STATE
 *
 * (a bucket with several variants has several lines with the same id), so
 * it diffs well in a repository and a person can set STATUS (open, fixed,
 * wontfix, ...) by hand. It is rewritten atomically after a run. The
 * suppression file is hand-written, one entry per line:
 *
 *   MATCH  EXPIRES  REASON...
 *
 * MATCH is a bucket id or state:GLOB (fnmatch over each variant state),
 * EXPIRES is YYYY-MM-DD or never. Both files are checked strictly; errors
 * name the line. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/file.h"
#include "triage_impl.h"

#define DB_MAGIC "# opushunt triage database v1"

void oh_triage_db_free(oh_triage_db *db) {
  free(db->e);
  memset(db, 0, sizeof *db);
}

static oh_triage_db_entry *db_add(oh_triage_db *db) {
  if (db->n == db->cap) {
    size_t cap = db->cap ? db->cap * 2 : 32;
    oh_triage_db_entry *ne = realloc(db->e, cap * sizeof *ne);
    if (!ne) return NULL;
    db->e = ne;
    db->cap = cap;
  }
  memset(&db->e[db->n], 0, sizeof db->e[0]);
  return &db->e[db->n++];
}

static int is_id(const char *s, size_t n) {
  size_t i;
  if (n != OH_TRIAGE_ID_LEN) return 0;
  for (i = 0; i < n; i++)
    if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) return 0;
  return 1;
}

static int is_date(const char *s, size_t n) {
  size_t i;
  if (n != 10) return 0;
  for (i = 0; i < n; i++)
    if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i])) return 0;
  return 1;
}

/* Splits line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max) {
  int n = 0;
  f[n++] = line;
  while (n < max) {
    char *t = strchr(f[n - 1], '\t');
    if (!t) break;
    *t = '\0';
    f[n++] = t + 1;
  }
  return n;
}

/* Calls fn for each line of the file (newline removed). */
typedef int (*line_fn)(void *ctx, char *line, int lineno, uint64_t offset, oh_error *err);

static int each_line(const char *path, void *ctx, line_fn fn, int *missing, oh_error *err) {
  uint8_t *data = NULL;
  size_t len = 0, pos = 0;
  int lineno = 0, rc = OH_OK;
  FILE *probe = fopen(path, "rb");
  *missing = 0;
  if (!probe) {
    *missing = 1;
    return OH_OK;
  }
  fclose(probe);
  if ((rc = oh_file_read(path, 64u << 20, &data, &len, err)) != OH_OK) return rc;
  while (pos < len && rc == OH_OK) {
    size_t end = pos;
    char *line;
    while (end < len && data[end] != '\n') end++;
    lineno++;
    if (memchr(data + pos, '\0', end - pos)) {
      rc = oh_fail(err, OH_ERR_MALFORMED, pos, "line %d holds a NUL byte", lineno);
      break;
    }
    if (!(line = malloc(end - pos + 1))) {
      rc = oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
      break;
    }
    memcpy(line, data + pos, end - pos);
    line[end - pos] = '\0';
    if (end > pos && line[end - pos - 1] == '\r') line[end - pos - 1] = '\0';
    rc = fn(ctx, line, lineno, pos, err);
    free(line);
    pos = end + 1;
  }
  free(data);
  return rc;
}

static int db_line(void *ctx, char *line, int lineno, uint64_t off, oh_error *err) {
  oh_triage_db *db = ctx;
  oh_triage_db_entry *e;
  char *f[7], *endp;
  unsigned long long count;
  int n;
  if (lineno == 1) {
    if (strcmp(line, DB_MAGIC) != 0)
      return oh_fail(err, OH_ERR_MALFORMED, off,
                     "line 1: not a triage database (expected '%s')", DB_MAGIC);
    return OH_OK;
  }
  if (!*line || *line == '#') return OH_OK;
  n = split_tabs(line, f, 7);
  if (n != 6)
    return oh_fail(err, OH_ERR_MALFORMED, off,
                   "line %d: %d tab-separated fields, expected 6 (id, first seen, last seen, "
                   "count, status, state)", lineno, n);
  if (!is_id(f[0], strlen(f[0])))
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: '%.40s' is not a bucket id "
                   "(16 lowercase hex digits)", lineno, f[0]);
  count = strtoull(f[3], &endp, 10);
  if (!*f[3] || *endp || !isdigit((unsigned char)*f[3]))
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: count '%.20s' is not a number",
                   lineno, f[3]);
  if (!*f[5] || strlen(f[5]) >= OH_TRIAGE_STATE_MAX || strlen(f[1]) >= 32 ||
      strlen(f[2]) >= 32 || strlen(f[4]) >= 24 || !*f[4])
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: a field is empty or too long",
                   lineno);
  if (!(e = db_add(db))) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  snprintf(e->id, sizeof e->id, "%s", f[0]);
  snprintf(e->first_seen, sizeof e->first_seen, "%s", f[1]);
  snprintf(e->last_seen, sizeof e->last_seen, "%s", f[2]);
  e->count = count;
  snprintf(e->status, sizeof e->status, "%s", f[4]);
  snprintf(e->state, sizeof e->state, "%s", f[5]);
  return OH_OK;
}

int oh_triage_db_load(const char *path, oh_triage_db *db, oh_error *err) {
  int missing, rc;
  memset(db, 0, sizeof *db);
  rc = each_line(path, db, db_line, &missing, err);
  if (rc != OH_OK) oh_triage_db_free(db);
  return rc;
}

int oh_triage_db_save(const char *path, const oh_triage_db *db, oh_error *err) {
  oh_outfile of;
  size_t i;
  int rc;
  if ((rc = oh_outfile_open(&of, path, NULL, err)) != OH_OK) return rc;
  fprintf(of.f, "%s\n# id\tfirst_seen\tlast_seen\tcount\tstatus\tstate\n", DB_MAGIC);
  for (i = 0; i < db->n; i++) {
    const oh_triage_db_entry *e = &db->e[i];
    fprintf(of.f, "%s\t%s\t%s\t%llu\t%s\t%s\n", e->id, e->first_seen, e->last_seen,
            (unsigned long long)e->count, e->status, e->state);
  }
  return oh_outfile_commit(&of, err);
}

static oh_triage_db_entry *find_state(oh_triage_db *db, const char *state) {
  size_t i;
  for (i = 0; i < db->n; i++)
    if (!strcmp(db->e[i].state, state)) return &db->e[i];
  return NULL;
}

/* Tabs and newlines cannot appear in a state stored in the file. */
static void clean_state(char *s) {
  for (; *s; s++)
    if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

int oh_triage_db_apply(oh_triage_db *db, oh_triage *t, const char *now) {
  size_t k;
  int v;
  for (k = 0; k < t->nbuckets; k++) {
    oh_triage_bucket *b = &t->buckets[k];
    oh_triage_db_entry *hit = NULL;
    for (v = 0; v < b->nvariants && !hit; v++) {
      clean_state(b->variants[v]);
      hit = find_state(db, b->variants[v]);
    }
    if (hit) {
      size_t i;
      snprintf(b->id, sizeof b->id, "%s", hit->id);
      b->known = OH_KNOWN_KNOWN;
      snprintf(b->first_seen, sizeof b->first_seen, "%s", hit->first_seen);
      snprintf(b->db_status, sizeof b->db_status, "%s", hit->status);
      b->seen_count = hit->count + 1;
      /* The earliest first-seen and largest count over its lines. */
      for (i = 0; i < db->n; i++)
        if (!strcmp(db->e[i].id, b->id)) {
          if (strcmp(db->e[i].first_seen, b->first_seen) < 0)
            snprintf(b->first_seen, sizeof b->first_seen, "%s", db->e[i].first_seen);
          if (db->e[i].count + 1 > b->seen_count) b->seen_count = db->e[i].count + 1;
        }
    } else {
      b->known = OH_KNOWN_NEW;
      snprintf(b->first_seen, sizeof b->first_seen, "%s", now);
      snprintf(b->db_status, sizeof b->db_status, "open");
      b->seen_count = 1;
    }
    snprintf(b->last_seen, sizeof b->last_seen, "%s", now);
    /* Record every variant under the bucket's id. */
    for (v = 0; v < b->nvariants; v++) {
      oh_triage_db_entry *e = find_state(db, b->variants[v]);
      if (!e) {
        if (!(e = db_add(db))) return OH_ERR_NOMEM;
        snprintf(e->id, sizeof e->id, "%s", b->id);
        snprintf(e->first_seen, sizeof e->first_seen, "%s", b->first_seen);
        snprintf(e->status, sizeof e->status, "%s", b->db_status);
        snprintf(e->state, sizeof e->state, "%s", b->variants[v]);
      }
      snprintf(e->last_seen, sizeof e->last_seen, "%s", now);
      e->count = b->seen_count;
    }
  }
  return OH_OK;
}

/* ---- Suppressions. */

typedef struct sup_ctx {
  oh_triage_suppressions *sup;
  size_t cap;
} sup_ctx;

static int sup_line(void *vctx, char *line, int lineno, uint64_t off, oh_error *err) {
  sup_ctx *c = vctx;
  oh_triage_suppression *s;
  char *p = line, *match, *exp;
  size_t mlen, elen;
  while (*p == ' ' || *p == '\t') p++;
  if (!*p || *p == '#') return OH_OK;
  match = p;
  mlen = strcspn(p, " \t");
  p += mlen;
  while (*p == ' ' || *p == '\t') p++;
  exp = p;
  elen = strcspn(p, " \t");
  p += elen;
  while (*p == ' ' || *p == '\t') p++;
  if (!elen || !*p)
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: expected 'MATCH EXPIRES REASON' "
                   "(a bucket id or state:GLOB, YYYY-MM-DD or never, then why)", lineno);
  if (!is_id(match, mlen) && strncmp(match, "state:", 6) != 0)
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: '%.*s' is neither a bucket id "
                   "(16 lowercase hex digits) nor state:GLOB", lineno, (int)(mlen > 40 ? 40 : mlen),
                   match);
  if (mlen >= OH_TRIAGE_STATE_MAX)
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: the match is too long", lineno);
  if (!is_date(exp, elen) && !(elen == 5 && !strncmp(exp, "never", 5)))
    return oh_fail(err, OH_ERR_MALFORMED, off, "line %d: expiry '%.*s' is not YYYY-MM-DD or "
                   "never", lineno, (int)(elen > 20 ? 20 : elen), exp);
  if (c->sup->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    oh_triage_suppression *ns = realloc(c->sup->s, cap * sizeof *ns);
    if (!ns) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
    c->sup->s = ns;
    c->cap = cap;
  }
  s = &c->sup->s[c->sup->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->match, sizeof s->match, "%.*s", (int)mlen, match);
  snprintf(s->expires, sizeof s->expires, "%.*s", (int)elen, exp);
  snprintf(s->reason, sizeof s->reason, "%s", p);
  s->line = lineno;
  return OH_OK;
}

int oh_triage_suppressions_load(const char *path, oh_triage_suppressions *sup, oh_error *err) {
  sup_ctx c = {sup, 0};
  int missing, rc;
  memset(sup, 0, sizeof *sup);
  rc = each_line(path, &c, sup_line, &missing, err);
  if (rc == OH_OK && missing)
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "no such file");
  if (rc != OH_OK) oh_triage_suppressions_free(sup);
  return rc;
}

void oh_triage_suppressions_free(oh_triage_suppressions *sup) {
  free(sup->s);
  memset(sup, 0, sizeof *sup);
}

static int matches(const oh_triage_suppression *s, const oh_triage_bucket *b) {
  int v;
  if (strncmp(s->match, "state:", 6) != 0) return !strcmp(s->match, b->id);
  for (v = 0; v < b->nvariants; v++)
    if (fnmatch(s->match + 6, b->variants[v], 0) == 0) return 1;
  return fnmatch(s->match + 6, b->state, 0) == 0;
}

void oh_triage_suppressions_apply(const oh_triage_suppressions *sup, oh_triage *t,
                                  const char *today) {
  size_t i, k;
  for (k = 0; k < t->nbuckets; k++) {
    oh_triage_bucket *b = &t->buckets[k];
    for (i = 0; i < sup->n; i++) {
      const oh_triage_suppression *s = &sup->s[i];
      if (!matches(s, b)) continue;
      if (strcmp(s->expires, "never") && strcmp(s->expires, today) < 0) {
        oh_triage_note(t, "suppression on line %d for bucket %s expired on %s: reported again",
                       s->line, b->id, s->expires);
        continue;
      }
      b->known = OH_KNOWN_SUPPRESSED;
      snprintf(b->suppress_reason, sizeof b->suppress_reason, "%s", s->reason);
      snprintf(b->suppress_expires, sizeof b->suppress_expires, "%s", s->expires);
      break;
    }
  }
}
