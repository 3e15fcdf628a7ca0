/* The names the triage data model prints (triage.h): every report and the
 * command line spell origins, statuses, classes, attributions and known
 * states through these, so the JSON schema and the text agree. */
#include "opushunt/triage.h"

static const char *const origin_names[OH_ORIGIN_COUNT] = {
  [OH_ORIGIN_FILE] = "file",
  [OH_ORIGIN_LIBFUZZER] = "libfuzzer",
  [OH_ORIGIN_AFL] = "afl",
  [OH_ORIGIN_OPUSHUNT_FUZZ] = "opushunt-fuzz",
  [OH_ORIGIN_LOG] = "log",
  [OH_ORIGIN_VALGRIND_XML] = "valgrind-xml",
};

static const char *const status_names[OH_TSTAT_COUNT] = {
  [OH_TSTAT_RELIABLE] = "reliable",
  [OH_TSTAT_FLAKY] = "flaky",
  [OH_TSTAT_NOT_REPRODUCIBLE] = "not-reproducible",
  [OH_TSTAT_REPORT_ONLY] = "report-only",
  [OH_TSTAT_EMPTY] = "empty",
  [OH_TSTAT_GARBAGE] = "garbage",
  [OH_TSTAT_ERROR] = "error",
};

static const char *const class_names[OH_CLASS_COUNT] = {
  [OH_CLASS_EXPLOITABLE] = "EXPLOITABLE",
  [OH_CLASS_PROBABLY_EXPLOITABLE] = "PROBABLY_EXPLOITABLE",
  [OH_CLASS_NOT_EXPLOITABLE] = "NOT_EXPLOITABLE",
};

static const char *const attr_names[OH_ATTR_COUNT] = {
  [OH_ATTR_LIBRARY_BUG] = "library-bug",
  [OH_ATTR_API_MISUSE] = "api-misuse",
  [OH_ATTR_CALLER_BUG] = "caller-bug",
  [OH_ATTR_UNKNOWN] = "unknown",
};

static const char *const known_names[] = {
  [OH_KNOWN_NEW] = "new",
  [OH_KNOWN_KNOWN] = "known",
  [OH_KNOWN_SUPPRESSED] = "suppressed",
};

const char *oh_triage_origin_name(oh_triage_origin o) {
  return (unsigned)o < OH_ORIGIN_COUNT ? origin_names[o] : "unknown";
}

const char *oh_triage_status_name(oh_triage_status s) {
  return (unsigned)s < OH_TSTAT_COUNT ? status_names[s] : "unknown";
}

int oh_triage_status_has_crash(oh_triage_status s) {
  return s == OH_TSTAT_RELIABLE || s == OH_TSTAT_FLAKY || s == OH_TSTAT_REPORT_ONLY;
}

const char *oh_triage_class_name(oh_triage_class c) {
  return (unsigned)c < OH_CLASS_COUNT ? class_names[c] : "unknown";
}

const char *oh_triage_attr_name(oh_triage_attr a) {
  return (unsigned)a < OH_ATTR_COUNT ? attr_names[a] : "unknown";
}

const char *oh_triage_known_name(oh_triage_known k) {
  return (unsigned)k <= OH_KNOWN_SUPPRESSED ? known_names[k] : "unknown";
}
