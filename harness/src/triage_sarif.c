/* The triage report as SARIF 2.1.0 for GitHub code scanning: one run, one
 * rule per class-and-kind present ("EXPLOITABLE/heap-buffer-overflow-write"),
 * one result per crashing bucket located at its top libopus frame (under
 * the LIBOPUS base), else its first own frame, else its reproducer file.
 * The bucket id and crash state are partial fingerprints, so the same bug
 * stays the same alert across runs; known buckets are "unchanged" and
 * suppressed ones carry an external suppression. See harness/TRIAGE.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opushunt/json.h"
#include "opushunt/triage.h"
#include "triage_impl.h"
#include "triage_report_impl.h"

#ifndef OPUSHUNT_VERSION
#define OPUSHUNT_VERSION "0.1.0"
#endif
#ifndef OPUSHUNT_INFORMATION_URI
#define OPUSHUNT_INFORMATION_URI "https://opus-codec.org/"
#endif
#define UPSTREAM_OPUS "https://gitlab.xiph.org/xiph/opus/-/blob/"
#define RULE_ID_MAX 112

/* ---- Rules. */

static int has_crash(const oh_triage_bucket *b) { return oh_triage_status_has_crash(b->status); }

/* ASCII only: lowercase letters, digits and '.', '_', '-'; the rest '-'. */
static void slug(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; *s && n + 1 < cap; s++) {
    char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    out[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
               ? c : '-';
  }
  out[n] = 0;
}

/* "EXPLOITABLE/heap-buffer-overflow-write"; the access is left out when
 * the tool did not say. */
static void rule_id(const oh_triage_bucket *b, char *out, size_t cap) {
  char kind[56], access[12] = "";
  slug(b->crash.kind[0] ? b->crash.kind : "unknown", kind, sizeof kind);
  if (b->crash.access[0] && strcmp(b->crash.access, "UNKNOWN"))
    slug(b->crash.access, access, sizeof access);
  snprintf(out, cap, "%s/%s%s%s", oh_triage_class_name(b->cls), kind, access[0] ? "-" : "",
           access);
}

/* Distinct rule ids in order of first use; ids[n] for every bucket with a
 * crash, rule[bucket] its index (-1 none). Returns the rule count. */
static size_t collect_rules(const oh_triage *t, char (*ids)[RULE_ID_MAX], size_t *first,
                            int *rule) {
  size_t i, k, n = 0;
  for (i = 0; i < t->nbuckets; i++) {
    char id[RULE_ID_MAX];
    rule[i] = -1;
    if (!has_crash(&t->buckets[i])) continue;
    rule_id(&t->buckets[i], id, sizeof id);
    for (k = 0; k < n && strcmp(ids[k], id); k++) continue;
    if (k == n) {
      memcpy(ids[n], id, sizeof id);
      first[n++] = i;
    }
    rule[i] = (int)k;
  }
  return n;
}

static const char *severity(oh_triage_class c) {
  return c == OH_CLASS_EXPLOITABLE ? "9.0" : c == OH_CLASS_PROBABLY_EXPLOITABLE ? "7.0" : "3.0";
}

static const char *level(oh_triage_class c) {
  return c == OH_CLASS_EXPLOITABLE || c == OH_CLASS_PROBABLY_EXPLOITABLE ? "error" : "warning";
}

static const char *class_phrase(oh_triage_class c) {
  return c == OH_CLASS_EXPLOITABLE ? "Exploitable"
         : c == OH_CLASS_PROBABLY_EXPLOITABLE ? "Probably exploitable" : "Not exploitable";
}

static const char *class_why(oh_triage_class c) {
  if (c == OH_CLASS_EXPLOITABLE)
    return "a write out of bounds or into freed memory, or control of execution: an attacker "
           "who controls the Opus input can likely corrupt memory on purpose";
  if (c == OH_CLASS_PROBABLY_EXPLOITABLE)
    return "memory is misused in a way that can corrupt or disclose data, depending on what "
           "lies next to the buffer";
  return "the process stops or misbehaves (denial of service), but the fault gives no "
         "obvious control over memory";
}

/* "ExploitableHeapBufferOverflowWrite": the id in PascalCase. */
static void rule_name(const char *id, char *out, size_t cap) {
  size_t n = 0;
  int up = 1;
  for (; *id && n + 1 < cap; id++) {
    char c = *id;
    if (c == '/' || c == '-' || c == '_' || c == '.') {
      up = 1;
      continue;
    }
    if (c >= 'A' && c <= 'Z' && !up) c = (char)(c - 'A' + 'a');
    else if (c >= 'a' && c <= 'z' && up) c = (char)(c - 'a' + 'A');
    out[n++] = c;
    up = 0;
  }
  out[n] = 0;
}

static void write_rule(oh_json *j, const char *id, const oh_triage_bucket *b) {
  const char *kind = b->crash.kind[0] ? b->crash.kind : "unknown fault";
  char text[700], name[RULE_ID_MAX], lower[12] = "";
  const char *access = NULL;
  if (b->crash.access[0] && strcmp(b->crash.access, "UNKNOWN")) {
    slug(b->crash.access, lower, sizeof lower);
    access = lower;
  }
  rule_name(id, name, sizeof name);
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "id", id);
  oh_json_str(j, "name", name);
  snprintf(text, sizeof text, "%s %s%s%s%s while decoding Opus", class_phrase(b->cls), kind,
           access ? " (" : "", access ? access : "", access ? ")" : "");
  oh_json_object_begin(j, "shortDescription");
  oh_json_str(j, "text", text);
  oh_json_object_end(j);
  snprintf(text, sizeof text, "opushunt triage reproduced a %s%s%s%s in a program decoding "
           "Opus with libopus and rated it %s: %s. Each result names the faulting code, the "
           "first faulting packet, whether libopus or its caller is to blame, and how "
           "reliably it reproduces.", kind, access ? " (" : "", access ? access : "",
           access ? ")" : "", oh_triage_class_name(b->cls), class_why(b->cls));
  oh_json_object_begin(j, "fullDescription");
  oh_json_str(j, "text", text);
  oh_json_object_end(j);
  oh_json_object_begin(j, "help");
  oh_json_str(j, "text",
              "Run the command in the result's \"reproduce\" property to see the crash again "
              "(opushunt replay on the minimised reproducer). For api-misuse the message names "
              "the contract rule the calling code broke: fix the caller. For library-bug the "
              "caller honoured the contract: report it to libopus with the reproducer. "
              "harness/TRIAGE.md explains the classes and attributions.");
  oh_json_object_end(j);
  oh_json_object_begin(j, "defaultConfiguration");
  oh_json_str(j, "level", level(b->cls));
  oh_json_object_end(j);
  oh_json_object_begin(j, "properties");
  oh_json_array_begin(j, "tags");
  oh_json_str(j, NULL, "security");
  oh_json_str(j, NULL, "memory-safety");
  oh_json_array_end(j);
  oh_json_str(j, "security-severity", severity(b->cls));
  oh_json_str(j, "problem.severity", level(b->cls));
  oh_json_object_end(j);
  oh_json_object_end(j);
}

/* ---- Locations. */

/* A path as a URI reference: unreserved bytes and '/' kept, the rest
 * percent-encoded; an absolute path becomes a file:// URI. */
static void path_uri(const char *path, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)path;
  if (*s == '/' && cap > 8) n = (size_t)snprintf(out, cap, "file://");
  for (; *s && n + 4 < cap; s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
        strchr("/-._~", *s)) {
      out[n++] = (char)*s;
    } else {
      out[n++] = '%';
      out[n++] = hex[*s >> 4];
      out[n++] = hex[*s & 15];
    }
  }
  out[n] = 0;
}

/* A file in the libopus tree (the crash's lib_file, or any frame's path
 * the engine recognises) goes under LIBOPUS; any other file as it is. */
static void artifact(oh_json *j, const char *path, int libopus) {
  char uri[1024 * 3 + 16];
  const char *rel = path;
  if (!libopus || path[0] == '/') libopus = oh_triage_lib_path(path, &rel);
  path_uri(rel, uri, sizeof uri);
  oh_json_object_begin(j, "artifactLocation");
  oh_json_str(j, "uri", uri);
  if (libopus) oh_json_str(j, "uriBaseId", "LIBOPUS");
  oh_json_object_end(j);
}

static void region(oh_json *j, int line, int column) {
  if (line < 1) return; /* a region needs a real line */
  oh_json_object_begin(j, "region");
  oh_json_int(j, "startLine", line);
  if (column >= 1) oh_json_int(j, "startColumn", column);
  oh_json_object_end(j);
}

static void logical(oh_json *j, const char *function) {
  if (!function[0]) return;
  oh_json_array_begin(j, "logicalLocations");
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "name", function);
  oh_json_str(j, "kind", "function");
  oh_json_object_end(j);
  oh_json_array_end(j);
}

/* The first frame worth pointing at outside libopus's own frame: not
 * noise, with a file. -1 none. */
static int own_frame(const oh_triage_crash *c) {
  int i;
  for (i = 0; i < oh_trep_nframes(c); i++)
    if (!c->frames[i].noise && c->frames[i].file[0]) return i;
  return -1;
}

static const char *reproducer(const oh_triage *t, const oh_triage_bucket *b) {
  if (b->min.path[0]) return b->min.path;
  if (b->rep >= 0 && (size_t)b->rep < t->nitems) return t->items[b->rep].path;
  return "";
}

/* locations[0]: the top libopus frame, else the first own frame, else the
 * reproducer file with no region. Returns the frame used (-1 none). */
static int primary_location(oh_json *j, const oh_triage *t, const oh_triage_bucket *b) {
  const oh_triage_crash *c = &b->crash;
  int fr = c->lib_file[0] ? -1 : own_frame(c);
  oh_json_array_begin(j, "locations");
  oh_json_object_begin(j, NULL);
  oh_json_object_begin(j, "physicalLocation");
  if (c->lib_file[0]) {
    artifact(j, c->lib_file, 1);
    region(j, c->lib_line, 0);
  } else if (fr >= 0) {
    artifact(j, c->frames[fr].file, 0);
    region(j, c->frames[fr].line, c->frames[fr].column);
  } else {
    artifact(j, reproducer(t, b)[0] ? reproducer(t, b) : "unknown", 0);
  }
  oh_json_object_end(j);
  logical(j, c->lib_file[0] ? c->lib_function : fr >= 0 ? c->frames[fr].function : "");
  oh_json_object_end(j);
  oh_json_array_end(j);
  return fr;
}

/* The other frames with a file and line, as the stack a person follows. */
static void related_locations(oh_json *j, const oh_triage_crash *c, int primary) {
  int i, id = 0;
  for (i = 0; i < oh_trep_nframes(c); i++) {
    const oh_replay_frame *fr = &c->frames[i];
    char text[220];
    if (i == primary || fr->noise || !fr->file[0] || fr->line < 1) continue;
    if (c->lib_file[0] && !strcmp(fr->function, c->lib_function) && fr->line == c->lib_line)
      continue; /* the primary location already */
    if (id == 0) oh_json_array_begin(j, "relatedLocations");
    oh_json_object_begin(j, NULL);
    oh_json_int(j, "id", ++id);
    oh_json_object_begin(j, "physicalLocation");
    artifact(j, fr->file, 0);
    region(j, fr->line, fr->column);
    oh_json_object_end(j);
    snprintf(text, sizeof text, "frame #%d %s", i, fr->function[0] ? fr->function : "??");
    oh_json_object_begin(j, "message");
    oh_json_str(j, "text", text);
    oh_json_object_end(j);
    oh_json_object_end(j);
  }
  if (id) oh_json_array_end(j);
}

/* ---- Results. */

/* One sentence: what, whose fault, which rule, where in the stream, how
 * reliably. */
static void message(const oh_triage_bucket *b, char *out, size_t cap) {
  char rule[300], where[48], repro[96];
  if (b->attr == OH_ATTR_API_MISUSE || b->crash.rule[0])
    snprintf(rule, sizeof rule, "API misuse: the caller broke contract rule %s",
             b->crash.rule[0] ? b->crash.rule : "(unnamed)");
  else
    snprintf(rule, sizeof rule, "%s", b->attr == OH_ATTR_LIBRARY_BUG ? "a libopus bug"
                                      : b->attr == OH_ATTR_CALLER_BUG ? "a bug in the caller"
                                      : "attribution unknown");
  if (b->crash.fault_index >= 0)
    snprintf(where, sizeof where, "first faulting packet #%" PRId64, b->crash.fault_index);
  else
    snprintf(where, sizeof where, "first faulting packet unknown");
  if (b->status == OH_TSTAT_REPORT_ONLY || b->runs <= 0)
    snprintf(repro, sizeof repro, "seen in a log only, not re-run");
  else
    snprintf(repro, sizeof repro, "reproduced in %d of %d runs", b->crashes, b->runs);
  snprintf(out, cap, "%s %s (%s); %s; %s.", class_phrase(b->cls), oh_trep_subclass(b), rule,
           where, repro);
}

static void result_properties(oh_json *j, const oh_triage *t, const oh_triage_bucket *b) {
  char repro[32];
  oh_trep_repro(b, repro, sizeof repro);
  oh_json_object_begin(j, "properties");
  oh_json_str(j, "bucket", b->id);
  oh_json_str(j, "class", oh_triage_class_name(b->cls));
  oh_json_str(j, "attribution", oh_triage_attr_name(b->attr));
  if (b->crash.rule[0]) oh_json_str(j, "contractRule", b->crash.rule);
  else oh_json_null(j, "contractRule");
  oh_json_str(j, "known", oh_triage_known_name(b->known));
  oh_json_str(j, "reproducibility", repro);
  if (b->crash.fault_index >= 0) oh_json_int(j, "firstFaultingPacket", b->crash.fault_index);
  else oh_json_null(j, "firstFaultingPacket");
  if (reproducer(t, b)[0]) oh_json_str(j, "reproducer", reproducer(t, b));
  else oh_json_null(j, "reproducer");
  if (b->reproduce[0]) oh_json_str(j, "reproduce", b->reproduce);
  else oh_json_null(j, "reproduce");
  oh_json_object_end(j);
}

static void write_result(oh_json *j, const oh_triage *t, const oh_triage_bucket *b,
                         const char *id, int index) {
  char text[1024];
  int fr;
  oh_json_object_begin(j, NULL);
  oh_json_str(j, "ruleId", id);
  oh_json_int(j, "ruleIndex", index);
  oh_json_str(j, "level", level(b->cls));
  message(b, text, sizeof text);
  oh_json_object_begin(j, "message");
  oh_json_str(j, "text", text);
  oh_json_object_end(j);
  fr = primary_location(j, t, b);
  related_locations(j, &b->crash, fr);
  oh_json_object_begin(j, "partialFingerprints");
  oh_json_str(j, "opushuntCrashState/v1", b->state);
  oh_json_str(j, "opushuntBucket/v1", b->id);
  oh_json_object_end(j);
  oh_json_str(j, "baselineState", b->known == OH_KNOWN_NEW ? "new" : "unchanged");
  if (b->known == OH_KNOWN_SUPPRESSED) {
    snprintf(text, sizeof text, "%s%s%s", b->suppress_reason[0] ? b->suppress_reason : "suppressed",
             b->suppress_expires[0] ? "; expires " : "", b->suppress_expires);
    oh_json_array_begin(j, "suppressions");
    oh_json_object_begin(j, NULL);
    oh_json_str(j, "kind", "external");
    oh_json_str(j, "status", "accepted");
    oh_json_str(j, "justification", text);
    oh_json_object_end(j);
    oh_json_array_end(j);
  }
  result_properties(j, t, b);
  oh_json_object_end(j);
}

/* ---- The run. */

/* The upstream tree of the libopus the run used, for the LIBOPUS base:
 * "libopus 1.3.1-fixed" -> tag v1.3.1; no version -> main. */
static void libopus_base(const char *version, char *out, size_t cap) {
  const char *v = version;
  size_t n = 0;
  char tag[32];
  while (*v && !(*v >= '0' && *v <= '9')) v++;
  while (n + 1 < sizeof tag && ((v[n] >= '0' && v[n] <= '9') || v[n] == '.')) n++;
  memcpy(tag, v, n);
  tag[n] = 0;
  while (n && tag[n - 1] == '.') tag[--n] = 0;
  if (n) snprintf(out, cap, UPSTREAM_OPUS "v%s/", tag);
  else snprintf(out, cap, UPSTREAM_OPUS "main/");
}

static void write_driver(oh_json *j, const oh_triage *t, char (*ids)[RULE_ID_MAX],
                         const size_t *first, size_t nrules) {
  size_t k;
  oh_json_object_begin(j, "tool");
  oh_json_object_begin(j, "driver");
  oh_json_str(j, "name", "opushunt");
  oh_json_str(j, "informationUri", OPUSHUNT_INFORMATION_URI);
  oh_json_str(j, "version", OPUSHUNT_VERSION);
  oh_json_array_begin(j, "rules");
  for (k = 0; k < nrules; k++) write_rule(j, ids[k], &t->buckets[first[k]]);
  oh_json_array_end(j);
  oh_json_object_end(j);
  oh_json_object_end(j);
}

static void write_base(oh_json *j, const oh_triage *t) {
  char base[160], text[300];
  libopus_base(t->opus_version, base, sizeof base);
  snprintf(text, sizeof text, "The libopus source tree (%s); the build may carry distribution "
           "patches.", t->opus_version[0] ? t->opus_version : "version unknown");
  oh_json_object_begin(j, "originalUriBaseIds");
  oh_json_object_begin(j, "LIBOPUS");
  oh_json_str(j, "uri", base);
  oh_json_object_begin(j, "description");
  oh_json_str(j, "text", text);
  oh_json_object_end(j);
  oh_json_object_end(j);
  oh_json_object_end(j);
}

void oh_triage_write_sarif(FILE *f, const oh_triage *t) {
  size_t n = t->nbuckets ? t->nbuckets : 1, nrules, i;
  char (*ids)[RULE_ID_MAX] = calloc(n, sizeof *ids);
  size_t *first = calloc(n, sizeof *first);
  int *rule = calloc(n, sizeof *rule);
  oh_json j;
  if (!ids || !first || !rule) {
    free(ids);
    free(first);
    free(rule);
    return;
  }
  nrules = collect_rules(t, ids, first, rule);
  oh_json_init(&j, f, 1);
  oh_json_object_begin(&j, NULL);
  oh_json_str(&j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  oh_json_str(&j, "version", "2.1.0");
  oh_json_array_begin(&j, "runs");
  oh_json_object_begin(&j, NULL);
  write_driver(&j, t, ids, first, nrules);
  write_base(&j, t);
  oh_json_array_begin(&j, "results");
  for (i = 0; i < t->nbuckets; i++)
    if (rule[i] >= 0) write_result(&j, t, &t->buckets[i], ids[rule[i]], rule[i]);
  oh_json_array_end(&j);
  oh_json_object_end(&j);
  oh_json_array_end(&j);
  oh_json_object_end(&j);
  free(ids);
  free(first);
  free(rule);
}
