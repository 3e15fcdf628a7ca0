/* The table of fuzz targets by name (for `opushunt replay --target` and the
 * runner) and the oracle-failure report every differential check uses. */
#include "fuzz_target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  oh_fuzz_fn fn;
} targets[] = {
    {"packet", oh_fuzz_packet},
    {"stream", oh_fuzz_stream},
    {"multistream", oh_fuzz_multistream},
    {"projection", oh_fuzz_projection},
    {"custom", oh_fuzz_custom},
    {"repacketizer", oh_fuzz_repacketizer},
    {"pipeline", oh_fuzz_pipeline},
    {"readers", oh_fuzz_readers},
};

oh_fuzz_fn oh_fuzz_target_find(const char *name) {
  for (size_t i = 0; name && i < sizeof targets / sizeof targets[0]; i++)
    if (strcmp(targets[i].name, name) == 0) return targets[i].fn;
  return NULL;
}

void oh_fuzz_oracle_fail(const char *target, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  fprintf(stderr, "opushunt-oracle: %s: %s\n", target, what);
  fflush(stderr);
  abort();
}
