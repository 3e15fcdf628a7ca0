/* One crash as triage sees it: extracted from a replay result or a parsed
 * log, reduced to a crash state for deduplication, given a severity class
 * (in the spirit of CASR) and attributed to libopus or to its caller. The
 * rules are documented in harness/TRIAGE.md; change both together. */
#include <stdio.h>
#include <string.h>

#include "opushunt/contract.h"
#include "triage_impl.h"

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- Where code lives. */

static const char *const lib_dirs[] = {"celt/", "silk/", "src/", NULL};
static const char *const lib_src_files[] = {"opus", "mapping_matrix", "repacketizer",
                                            "analysis", "mlp", NULL};

int oh_triage_lib_path(const char *file, const char **rel) {
  const char *p, *tree;
  int i;
  if (!file || !*file || strstr(file, "/harness/") || strstr(file, "/mutators/")) return 0;
  /* Our libopus builds live under .../tree/; any other tree is recognised
   * by its top folders (celt/, silk/, src/opus*.c and friends). */
  tree = strstr(file, "/tree/");
  p = tree ? tree + 6 : file;
  for (;;) {
    for (i = 0; lib_dirs[i]; i++) {
      size_t n = strlen(lib_dirs[i]);
      if (strncmp(p, lib_dirs[i], n) != 0 || (p != file && p[-1] != '/')) continue;
      if (i == 2) { /* src/: only libopus's own files, directly in it */
        int k, ok = 0;
        if (strchr(p + 4, '/')) continue;
        for (k = 0; lib_src_files[k]; k++)
          if (!strncmp(p + 4, lib_src_files[k], strlen(lib_src_files[k]))) ok = 1;
        if (!ok) continue;
      }
      if (rel) *rel = p;
      return 1;
    }
    p = strchr(p, '/');
    if (!p) return 0;
    p++;
  }
}

/* Noise for a crash state: the sanitizer's own list plus our runtime's
 * failure helpers (the oracle's abort path). */
static int frame_noise(const oh_replay_frame *f) {
  oh_san_frame sf;
  memset(&sf, 0, sizeof sf);
  sf.function = f->function[0] ? f->function : NULL;
  sf.file = f->file[0] ? f->file : NULL;
  sf.module = f->module[0] ? f->module : NULL;
  sf.pc = f->pc;
  if (oh_frame_is_noise(&sf)) return 1;
  return !strncmp(f->function, "oh_fuzz_oracle", 14) || !strncmp(f->function, "oh_runtime", 10);
}

/* The buffer a broken rule is about, where the rule names one: a
 * sanitizer names the allocation nearest an overflow, which need not be
 * the one the caller got wrong. */
static const char *rule_buffer(const char *rule) {
  static const char *const map[][2] = {
      {"pcm-capacity", "pcm"},        {"packet-length", "packet"},
      {"packet-freed", "packet"},     {"state-size", "decoder-state"},
      {"use-after-destroy", "decoder-state"}, {"destroy-foreign", "decoder-state"},
      {"double-destroy", "decoder-state"}};
  size_t i;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(rule, map[i][0])) return map[i][1];
  return NULL;
}

/* "at:celt/celt_decoder.c:126" from an assertion message naming a
 * libopus source line ("..., at /x/tree/celt/celt_decoder.c:126"); the
 * place also becomes the crash's libopus location. */
static int assertion_site(oh_triage_crash *c, char *out, size_t cap) {
  const char *at, *rel;
  char path[200];
  size_t len;
  int line;
  if (strcmp(c->kind, "assertion") != 0 || !(at = strstr(c->description, " at "))) return 0;
  at += 4;
  len = strcspn(at, ": \n");
  if (len == 0 || len >= sizeof path || at[len] != ':' || sscanf(at + len + 1, "%d", &line) != 1)
    return 0;
  memcpy(path, at, len);
  path[len] = '\0';
  if (!oh_triage_lib_path(path, &rel)) rel = path;
  else if (!c->lib_file[0]) {
    copy(c->lib_file, sizeof c->lib_file, rel);
    c->lib_line = line;
  }
  snprintf(out, cap, "at:%s:%d", rel, line);
  return 1;
}

/* "oracle:custom: created a decoder of N channels": the oracle's words,
 * numbers masked so one check with different values stays one state. */
static int oracle_message(const oh_triage_crash *c, char *out, size_t cap) {
  static const char prefix[] = "opushunt-oracle: ";
  const char *m = strstr(c->description, prefix);
  size_t n = 0;
  if (strcmp(c->kind, "oracle-divergence") != 0 || !m || cap < 16) return 0;
  n = (size_t)snprintf(out, cap, "oracle:");
  for (m += sizeof prefix - 1; *m && *m != '\n' && n + 2 < cap && n < 96; m++) {
    if (*m >= '0' && *m <= '9') {
      if (n == 0 || out[n - 1] != 'N') out[n++] = 'N';
      continue;
    }
    out[n++] = *m == '|' ? '/' : *m;
  }
  out[n] = '\0';
  return 1;
}

void oh_triage_crash_finish(oh_triage_crash *c) {
  size_t n;
  int i, k;
  if (c->rule[0] && rule_buffer(c->rule)) copy(c->buffer, sizeof c->buffer, rule_buffer(c->rule));
  c->nstate_frames = 0;
  c->lib_function[0] = c->lib_file[0] = '\0';
  c->lib_line = 0;
  for (i = 0; i < c->nframes; i++) {
    oh_replay_frame *f = &c->frames[i];
    const char *rel;
    f->noise = frame_noise(f);
    if (f->noise) continue;
    if (!c->lib_file[0] && oh_triage_lib_path(f->file, &rel)) {
      copy(c->lib_function, sizeof c->lib_function, f->function);
      copy(c->lib_file, sizeof c->lib_file, rel);
      c->lib_line = f->line;
    }
    if (c->nstate_frames < OH_TRIAGE_STATE_FRAMES) {
      char *out = c->state_frames[c->nstate_frames];
      if (f->function[0])
        oh_frame_normalise_function(f->function, out, sizeof c->state_frames[0]);
      else
        snprintf(out, sizeof c->state_frames[0], "%s+0x%llx",
                 f->module[0] ? f->module : "?", (unsigned long long)f->pc);
      if (*out) c->nstate_frames++;
    }
  }
  n = (size_t)snprintf(c->state, sizeof c->state, "%s|%s", c->kind[0] ? c->kind : "unknown",
                       c->access[0] && strcmp(c->access, "UNKNOWN") ? c->access : "-");
  for (k = 0; k < c->nstate_frames && n < sizeof c->state; k++)
    n += (size_t)snprintf(c->state + n, sizeof c->state - n, "|%s", c->state_frames[k]);
  if (!c->nstate_frames && n < sizeof c->state) {
    char where[160];
    if (assertion_site(c, where, sizeof where) || oracle_message(c, where, sizeof where))
      /* An assertion without a stack is told apart by where it fired, an
       * oracle failure by what it says (numbers masked). */
      n += (size_t)snprintf(c->state + n, sizeof c->state - n, "|%s", where);
    else
      /* No stack (guard pages, a signal against the system library): the
       * call in flight and the buffer are what is known. */
      n += (size_t)snprintf(c->state + n, sizeof c->state - n, "|call:%s|buf:%s",
                            c->api[0] ? c->api : "?", c->buffer[0] ? c->buffer : "?");
  }
  if (c->rule[0] && n < sizeof c->state)
    snprintf(c->state + n, sizeof c->state - n, "|misuse:%s", c->rule);
}

/* A buffer name when the runner did not register one: decoder state when
 * a create call made the block, internal when libopus made it or it is a
 * libopus stack or global object. */
static void guess_buffer(oh_triage_crash *c, const oh_replay_finding *f) {
  if (f->has_buffer) {
    copy(c->buffer, sizeof c->buffer, f->buffer);
    if (!strcmp(c->buffer, "state")) copy(c->buffer, sizeof c->buffer, "decoder-state");
    return;
  }
  if (f->alloc_function[0]) {
    if (strstr(f->alloc_function, "_create") || strstr(f->alloc_function, "decoder_init"))
      copy(c->buffer, sizeof c->buffer, "decoder-state");
    else if (oh_triage_lib_path(f->alloc_file, NULL))
      copy(c->buffer, sizeof c->buffer, "internal");
    return;
  }
  if (!strcmp(f->region, "stack") || !strcmp(f->region, "global")) {
    int i;
    for (i = 0; i < f->nframes; i++)
      if (!f->frames[i].noise) {
        if (oh_triage_lib_path(f->frames[i].file, NULL))
          copy(c->buffer, sizeof c->buffer, "internal");
        return;
      }
  }
}

static const oh_replay_contract *blamed_rule(const oh_replay_result *r) {
  int i;
  for (i = 0; i < r->n_call_rules; i++)
    if (r->call_rules[i].fault_expected) return &r->call_rules[i];
  /* No fault: the rule the call broke is what made the difference (a
   * divergence from the reference session), or the first one broken. */
  if (r->verdict == OH_VERDICT_DIVERGENCE && r->n_call_rules > 0) return &r->call_rules[0];
  if (r->verdict == OH_VERDICT_CONTRACT)
    return r->first_fault.present ? &r->first_fault
           : r->first_latent.present ? &r->first_latent : NULL;
  return NULL;
}

int oh_triage_crash_from_result(const oh_replay_result *r, oh_triage_crash *c) {
  const oh_replay_finding *f = &r->finding;
  const oh_replay_contract *rule;
  int i;
  memset(c, 0, sizeof *c);
  c->fault_index = -1;
  if (!oh_replay_verdict_is_finding(r->verdict)) return 0;
  if (f->present) {
    copy(c->tool, sizeof c->tool, f->source);
    copy(c->kind, sizeof c->kind, f->kind);
    copy(c->access, sizeof c->access, f->access);
    c->size = f->size;
    copy(c->relation, sizeof c->relation, f->relation);
    c->buffer_offset = f->buffer_offset;
    c->buffer_size = f->buffer_size;
    copy(c->description, sizeof c->description, f->description);
    copy(c->signal, sizeof c->signal, f->signal);
    guess_buffer(c, f);
    for (i = 0; i < f->nframes && i < OH_REPLAY_MAX_FRAMES; i++) c->frames[i] = f->frames[i];
    c->nframes = f->nframes;
  } else {
    copy(c->tool, sizeof c->tool, oh_replay_tool_name(r->tool));
    copy(c->description, sizeof c->description, r->why);
  }
  switch (r->verdict) {
  case OH_VERDICT_TIMEOUT: copy(c->kind, sizeof c->kind, "timeout"); break;
  case OH_VERDICT_OOM: copy(c->kind, sizeof c->kind, "out-of-memory"); break;
  case OH_VERDICT_DIVERGENCE:
    if (!c->kind[0]) copy(c->kind, sizeof c->kind, "oracle-divergence");
    break;
  case OH_VERDICT_CONTRACT:
    if (!c->kind[0]) copy(c->kind, sizeof c->kind, "contract-violation");
    break;
  default:
    if (!c->kind[0]) copy(c->kind, sizeof c->kind, r->term_signal ? "deadly-signal" : "crash");
  }
  if (!strcmp(c->access, "UNKNOWN")) c->access[0] = '\0';
  c->fault_index = r->fault_index;
  if (r->fault_call.present) {
    copy(c->api, sizeof c->api, r->fault_call.api);
    c->call_len = r->fault_call.len;
    c->call_frame_size = r->fault_call.frame_size;
  }
  if ((rule = blamed_rule(r)) != NULL) {
    copy(c->rule, sizeof c->rule, rule->rule);
    copy(c->rule_detail, sizeof c->rule_detail, rule->detail);
  }
  oh_triage_crash_finish(c);
  return 1;
}

void oh_triage_crash_from_report(const oh_san_report *r, oh_triage_crash *c) {
  int i;
  memset(c, 0, sizeof *c);
  c->fault_index = -1;
  copy(c->tool, sizeof c->tool, oh_san_tool_name(r->tool));
  copy(c->kind, sizeof c->kind,
       r->kind == OH_SAN_KIND_UNKNOWN && r->kind_text ? r->kind_text : oh_san_kind_name(r->kind));
  if (r->access != OH_SAN_ACCESS_UNKNOWN)
    copy(c->access, sizeof c->access, oh_san_access_name(r->access));
  c->size = r->size;
  if (r->relation != OH_SAN_REL_NONE) {
    copy(c->relation, sizeof c->relation, oh_san_relation_name(r->relation));
    c->buffer_offset = r->region_offset;
    c->buffer_size = r->region_size;
  }
  oh_san_report_describe(r, c->description, sizeof c->description);
  for (i = 0; i < r->stack.count && c->nframes < OH_REPLAY_MAX_FRAMES; i++) {
    const oh_san_frame *in = &r->stack.frame[i];
    oh_replay_frame *o = &c->frames[c->nframes++];
    o->index = in->index;
    o->pc = in->pc;
    copy(o->function, sizeof o->function, in->function);
    copy(o->file, sizeof o->file, in->file);
    copy(o->module, sizeof o->module, in->module);
    o->line = in->line;
    o->column = in->column;
  }
  for (i = 0; i < r->alloc_stack.count; i++) {
    const oh_san_frame *in = &r->alloc_stack.frame[i];
    if (oh_frame_is_noise(in) || !in->function) continue;
    if (strstr(in->function, "_create") || strstr(in->function, "decoder_init"))
      copy(c->buffer, sizeof c->buffer, "decoder-state");
    else if (oh_triage_lib_path(in->file, NULL))
      copy(c->buffer, sizeof c->buffer, "internal");
    break;
  }
  oh_triage_crash_finish(c);
}

/* ---- Severity. */

static int in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (!strcmp(s, *list)) return 1;
  return 0;
}

/* Out-of-bounds and use-after-free kinds whose access decides the class. */
static const char *const memory_kinds[] = {
    "heap-buffer-overflow", "stack-buffer-overflow", "stack-buffer-underflow",
    "dynamic-stack-buffer-overflow", "global-buffer-overflow", "container-overflow",
    "unknown-crash", "use-after-poison", "buffer-overflow", "invalid-read", "invalid-write",
    NULL};
static const char *const freed_kinds[] = {"heap-use-after-free", "stack-use-after-return",
                                          "stack-use-after-scope", "use-after-free", NULL};
static const char *const always_exploitable[] = {"double-free", "bad-free", "invalid-free",
                                                 "invalid-jump", NULL};
static const char *const wild_kinds[] = {"SEGV", "BUS", "deadly-signal", NULL};

oh_triage_class oh_triage_classify(const oh_triage_crash *c, char *subclass, size_t cap) {
  int write = !strcmp(c->access, "WRITE") || !strcmp(c->kind, "invalid-write");
  oh_triage_class cls = OH_CLASS_NOT_EXPLOITABLE;
  if (in_list(c->kind, always_exploitable))
    cls = OH_CLASS_EXPLOITABLE;
  else if (in_list(c->kind, memory_kinds))
    cls = write ? OH_CLASS_EXPLOITABLE : OH_CLASS_NOT_EXPLOITABLE;
  else if (in_list(c->kind, freed_kinds))
    cls = write ? OH_CLASS_EXPLOITABLE : OH_CLASS_PROBABLY_EXPLOITABLE;
  else if (in_list(c->kind, wild_kinds))
    /* A fault on a write is someone steering a pointer; a read fault
     * near address 0 is a null dereference. */
    cls = write ? OH_CLASS_EXPLOITABLE
          : (c->access[0] ? OH_CLASS_PROBABLY_EXPLOITABLE : OH_CLASS_NOT_EXPLOITABLE);
  else if (!strcmp(c->kind, "data-race"))
    cls = write ? OH_CLASS_PROBABLY_EXPLOITABLE : OH_CLASS_NOT_EXPLOITABLE;
  if (subclass && cap) {
    size_t n = (size_t)snprintf(subclass, cap, "%s", c->kind[0] ? c->kind : "unknown");
    if (c->access[0] && n < cap)
      n += (size_t)snprintf(subclass + n, cap - n, "(%s)", write ? "write" : "read");
    if (c->buffer[0] && n < cap) snprintf(subclass + n, cap - n, " in %s", c->buffer);
  }
  return cls;
}

/* ---- Attribution. */

static const oh_replay_frame *first_real_frame(const oh_triage_crash *c) {
  int i;
  for (i = 0; i < c->nframes; i++)
    if (!c->frames[i].noise && (c->frames[i].function[0] || c->frames[i].file[0]))
      return &c->frames[i];
  return NULL;
}

oh_triage_attr oh_triage_attribute(const oh_triage_crash *c, char *detail, size_t cap) {
  const oh_replay_frame *f;
  char dummy[8];
  if (!detail || !cap) {
    detail = dummy;
    cap = sizeof dummy;
  }
  if (c->rule[0]) {
    int r = oh_contract_rule_from_name(c->rule);
    snprintf(detail, cap, "%s: %s%s%s", c->rule, r >= 0 ? oh_contract_rule_text(r) : "",
             c->rule_detail[0] ? " -- " : "", c->rule_detail);
    return OH_ATTR_API_MISUSE;
  }
  if (!strcmp(c->kind, "oracle-divergence") && strstr(c->description, "reference session")) {
    /* The caller's pipeline decoded differently from a correct caller on
     * the same input, with no rule broken: its own code (framing,
     * buffering) changed what libopus was given. */
    snprintf(detail, cap, "the caller's output differs from a correct caller's with no "
             "libopus rule broken: %s", c->description);
    return OH_ATTR_CALLER_BUG;
  }
  if (!strcmp(c->kind, "oracle-divergence")) {
    snprintf(detail, cap, "libopus disagrees with itself (the target's oracle): %s",
             c->description);
    return OH_ATTR_LIBRARY_BUG;
  }
  if ((f = first_real_frame(c)) != NULL) {
    const char *rel = NULL;
    if (oh_triage_lib_path(f->file, &rel)) {
      snprintf(detail, cap, "in libopus %s (%s:%d) with the API contract honoured",
               f->function, rel, f->line);
      return OH_ATTR_LIBRARY_BUG;
    }
    if (f->file[0] || f->function[0]) {
      snprintf(detail, cap, "in the calling code: %s (%s:%d), no libopus rule broken",
               f->function[0] ? f->function : "?", f->file[0] ? f->file : "?", f->line);
      return OH_ATTR_CALLER_BUG;
    }
  }
  if (c->lib_file[0]) {
    snprintf(detail, cap, "in libopus at %s:%d with the API contract honoured", c->lib_file,
             c->lib_line);
    return OH_ATTR_LIBRARY_BUG;
  }
  if (c->api[0] && strcmp(c->kind, "timeout") && strcmp(c->kind, "out-of-memory")) {
    snprintf(detail, cap, "during %s with the API contract honoured (no stack: %s)", c->api,
             c->tool);
    return OH_ATTR_LIBRARY_BUG;
  }
  snprintf(detail, cap, "no stack and no call to attribute it to");
  return OH_ATTR_UNKNOWN;
}
