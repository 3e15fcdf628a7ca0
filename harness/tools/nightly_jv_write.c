/* summary.json written back: the parsed tree as pretty JSON (numbers as
 * their original literals, so nothing is rounded; strings re-escaped by
 * json.c), with buckets.fixed and the comparison with the previous night
 * filled in from oh_nightly_cmp. Everything else round-trips unchanged. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nightly.h"
#include "opushunt/json.h"

static void pad(FILE *f, int indent) {
  fputc('\n', f);
  while (indent-- > 0) fputs("  ", f);
}

static void key(FILE *f, int indent, int first, const char *k) {
  if (!first) fputc(',', f);
  pad(f, indent);
  oh_json_write_string(f, k);
  fputs(": ", f);
}

static void num(FILE *f, double v) {
  if (isnan(v) || isinf(v)) fputs("null", f);
  else fprintf(f, "%.10g", v);
}

void oh_nightly_write_jv(FILE *f, const oh_jv *v, int indent) {
  size_t i;
  switch (v ? v->type : OH_JV_NULL) {
  case OH_JV_NULL: fputs("null", f); break;
  case OH_JV_BOOL: fputs(v->boolean ? "true" : "false", f); break;
  case OH_JV_NUMBER: fputs(v->string, f); break;
  case OH_JV_STRING: oh_json_write_string(f, v->string); break;
  case OH_JV_ARRAY:
    if (!v->len) { fputs("[]", f); break; }
    fputc('[', f);
    for (i = 0; i < v->len; i++) {
      if (i) fputc(',', f);
      pad(f, indent + 1);
      oh_nightly_write_jv(f, &v->items[i], indent + 1);
    }
    pad(f, indent);
    fputc(']', f);
    break;
  case OH_JV_OBJECT:
    if (!v->len) { fputs("{}", f); break; }
    fputc('{', f);
    for (i = 0; i < v->len; i++) {
      key(f, indent + 1, i == 0, v->keys[i]);
      oh_nightly_write_jv(f, &v->items[i], indent + 1);
    }
    pad(f, indent);
    fputc('}', f);
    break;
  }
}

static void str_member(FILE *f, int indent, int first, const char *k, const oh_jv *b) {
  key(f, indent, first, k);
  oh_nightly_write_jv(f, oh_jv_get(b, k), indent);
}

static void write_fixed(FILE *f, const oh_nightly *r, int indent) {
  size_t i;
  if (!r->cmp.nfixed) { fputs("[]", f); return; }
  fputc('[', f);
  for (i = 0; i < r->cmp.nfixed; i++) {
    const oh_jv *b = r->cmp.fixed[i];
    const char *note = oh_nightly_fixed_note(r, b);
    if (i) fputc(',', f);
    pad(f, indent + 1);
    fputc('{', f);
    str_member(f, indent + 2, 1, "id", b);
    str_member(f, indent + 2, 0, "class", b);
    str_member(f, indent + 2, 0, "subclass", b);
    str_member(f, indent + 2, 0, "attribution", b);
    str_member(f, indent + 2, 0, "target", b);
    key(f, indent + 2, 0, "last_seen");
    oh_json_write_string(f, r->cmp.prev->date);
    key(f, indent + 2, 0, "note");
    if (note) oh_json_write_string(f, note);
    else fputs("null", f);
    pad(f, indent + 1);
    fputc('}', f);
  }
  pad(f, indent);
  fputc(']', f);
}

static void write_buckets(FILE *f, const oh_nightly *r, const oh_jv *b, int indent) {
  size_t i;
  int first = 1;
  fputc('{', f);
  for (i = 0; b && b->type == OH_JV_OBJECT && i < b->len; i++) {
    if (!strcmp(b->keys[i], "fixed")) continue;
    key(f, indent + 1, first, b->keys[i]);
    oh_nightly_write_jv(f, &b->items[i], indent + 1);
    first = 0;
  }
  key(f, indent + 1, first, "fixed");
  write_fixed(f, r, indent + 1);
  pad(f, indent);
  fputc('}', f);
}

static void id_list(FILE *f, const oh_jv *const *list, size_t n, int indent) {
  size_t i;
  fputc('[', f);
  for (i = 0; i < n; i++) {
    if (i) fputc(',', f);
    pad(f, indent + 1);
    oh_nightly_write_jv(f, oh_jv_get(list[i], "id"), indent + 1);
  }
  if (n) pad(f, indent);
  fputc(']', f);
}

static void write_rates(FILE *f, const oh_nightly_cmp *c, int indent) {
  size_t i;
  fputc('[', f);
  for (i = 0; i < c->nrates; i++) {
    const oh_rate_change *rc = &c->rates[i];
    if (i) fputc(',', f);
    pad(f, indent + 1);
    fputs("{\"campaign\": ", f);
    oh_json_write_string(f, rc->key);
    fputs(", \"before\": ", f);
    num(f, rc->before);
    fputs(", \"after\": ", f);
    num(f, rc->after);
    fputs(", \"change_percent\": ", f);
    num(f, rc->before > 0 && !isnan(rc->after) ? 100.0 * (rc->after / rc->before - 1) : NAN);
    fputc('}', f);
  }
  if (c->nrates) pad(f, indent);
  fputc(']', f);
}

static void write_comparison(FILE *f, const oh_nightly *r, int indent) {
  const oh_nightly_cmp *c = &r->cmp;
  fputc('{', f);
  key(f, indent + 1, 1, "previous_date");
  if (c->prev) oh_json_write_string(f, c->prev->date);
  else fputs("null", f);
  key(f, indent + 1, 0, "previous_started");
  if (c->prev) oh_json_write_string(f, c->prev->started);
  else fputs("null", f);
  key(f, indent + 1, 0, "coverage_lines_delta_pp");
  num(f, c->line_delta);
  key(f, indent + 1, 0, "coverage_branches_delta_pp");
  num(f, c->branch_delta);
  key(f, indent + 1, 0, "execs_delta");
  num(f, c->execs_delta);
  key(f, indent + 1, 0, "targets_changed");
  fputs(c->targets_changed ? "true" : "false", f);
  key(f, indent + 1, 0, "new_buckets");
  id_list(f, c->new_buckets, c->nnew, indent + 1);
  key(f, indent + 1, 0, "fixed_buckets");
  id_list(f, c->fixed, c->nfixed, indent + 1);
  key(f, indent + 1, 0, "exec_per_sec");
  write_rates(f, c, indent + 1);
  key(f, indent + 1, 0, "nights_in_history");
  fprintf(f, "%zu", r->nhist);
  pad(f, indent);
  fputc('}', f);
}

void oh_nightly_write_summary(FILE *f, const oh_nightly *r) {
  const oh_jv *root = r->tonight.root;
  size_t i;
  int first = 1, had_buckets = 0;
  fputc('{', f);
  for (i = 0; i < root->len; i++) {
    if (!strcmp(root->keys[i], "comparison")) continue;
    key(f, 1, first, root->keys[i]);
    first = 0;
    if (!strcmp(root->keys[i], "buckets")) {
      write_buckets(f, r, &root->items[i], 1);
      had_buckets = 1;
    } else oh_nightly_write_jv(f, &root->items[i], 1);
  }
  if (!had_buckets) {
    key(f, 1, first, "buckets");
    write_buckets(f, r, NULL, 1);
    first = 0;
  }
  key(f, 1, first, "comparison");
  write_comparison(f, r, 1);
  fputs("\n}\n", f);
}
