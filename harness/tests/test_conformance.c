/* Conformance: every official RFC 6716 test vector decodes with the final
 * range recorded by the encoder after every packet, at every output rate,
 * mono and stereo, through both the float and the int16 API. The vectors
 * live outside the repository: OPUS_TESTVECTORS names the folder, and the
 * test exits 77 (skipped, visible to ctest) when it is absent. Under
 * Valgrind (OH_TEST_QUICK) one small vector at 48 kHz stereo float runs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "opushunt/decode_loop.h"
#include "test_util.h"

static const int RATES[] = {8000, 12000, 16000, 24000, 48000};

static int run_one(const char *path, const uint8_t *buf, size_t len, int rate, int channels,
                   oh_sample_format sample) {
  oh_reader *r = NULL;
  oh_session *s = NULL;
  oh_session_config cfg;
  oh_decode_stats st;
  oh_error err;
  int rc, bad = 0;
  oh_error_clear(&err);
  oh_session_config_init(&cfg);
  cfg.rate = rate;
  cfg.channels = channels;
  cfg.sample = sample;
  if (oh_reader_open(&r, OH_FMT_BIT, buf, len, NULL, &err) != OH_OK ||
      oh_session_create(&s, &cfg, &err) != OH_OK) {
    fprintf(stderr, "FAIL %s: %s\n", path, err.reason);
    oh_reader_close(r);
    return 1;
  }
  rc = oh_decode_run(r, s, NULL, NULL, NULL, &st, &err);
  if (rc != OH_OK) {
    fprintf(stderr, "FAIL %s: reader stopped at offset %" PRIu64 ": %s\n", path, err.offset,
            err.reason);
    bad = 1;
  } else if (st.range_mismatches || st.range_checked != st.packets || st.packets == 0 ||
             st.decode_errors) {
    fprintf(stderr,
            "FAIL %s @ %d Hz %dch %s: %" PRIu64 " packets, %" PRIu64 " checked, %" PRIu64
            " mismatches (first at record %" PRId64 "), %" PRIu64 " decode errors\n",
            path, rate, channels, sample == OH_SAMPLE_FLOAT ? "float" : "s16", st.packets,
            st.range_checked, st.range_mismatches, st.first_mismatch, st.decode_errors);
    bad = 1;
  }
  oh_session_destroy(s);
  oh_reader_close(r);
  return bad;
}

int main(void) {
  const char *dir = getenv("OPUS_TESTVECTORS");
  char path[4096];
  struct stat sb;
  int v, failures = 0, runs = 0, quick = oh_test_quick();
  if (!dir || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    printf("SKIP: no test vectors at OPUS_TESTVECTORS=%s\n", dir ? dir : "(unset)");
    return 77;
  }
  for (v = 1; v <= 10; v++) {
    size_t len, ri;
    uint8_t *buf;
    if (quick && v != 2) continue;
    snprintf(path, sizeof path, "%s/testvector%02d.bit", dir, v);
    if (stat(path, &sb) != 0) {
      fprintf(stderr, "FAIL: %s is missing from the vector folder\n", path);
      failures++;
      continue;
    }
    buf = oh_test_read(path, &len);
    for (ri = 0; ri < sizeof RATES / sizeof RATES[0]; ri++) {
      int ch, sf;
      if (quick && RATES[ri] != 48000) continue;
      for (ch = 1; ch <= 2; ch++)
        for (sf = 0; sf <= 1; sf++) {
          if (quick && (ch != 2 || sf != 1)) continue;
          failures += run_one(path, buf, len, RATES[ri], ch, sf ? OH_SAMPLE_FLOAT : OH_SAMPLE_S16);
          runs++;
        }
    }
    free(buf);
  }
  printf("conformance: %d decodes, %d passed, %d failed\n", runs, runs - failures, failures);
  return failures ? 1 : 0;
}
