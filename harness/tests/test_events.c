/* Tests for the replay event protocol: writer and parser round-trip with
 * escaping, whole-line flushes of at most PIPE_BUF bytes, over-long lines
 * cut but terminated, and garbage lines rejected without overrun. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opushunt/events.h"
#include "test_util.h"

/* Writes through a pipe and returns what came out (static buffer). */
static char out[1 << 16];
static size_t outlen;

static void drain(int fd) {
  ssize_t n;
  while ((n = read(fd, out + outlen, sizeof out - 1 - outlen)) > 0) outlen += (size_t)n;
  out[outlen] = '\0';
}

static void test_round_trip_with_escapes(void **state) {
  int p[2];
  oh_event_writer w;
  oh_event ev;
  assert_int_equal(pipe(p), 0);
  outlen = 0;
  oh_event_writer_init(&w, p[1]);
  oh_event_begin(&w, "contract");
  oh_event_int(&w, "index", -1);
  oh_event_str(&w, "detail", "a b=c%d\n");
  oh_event_hex(&w, "addr", 0xdeadbeef);
  oh_event_end(&w);
  oh_event_flush(&w);
  close(p[1]);
  drain(p[0]);
  close(p[0]);
  assert_string_equal(out, "contract index=-1 detail=a%20b%3Dc%25d%0A addr=0xdeadbeef\n");
  assert_int_equal(oh_event_parse(out, outlen, &ev), 0);
  assert_string_equal(ev.name, "contract");
  assert_int_equal(oh_event_get_int(&ev, "index", 0), -1);
  assert_string_equal(oh_event_get(&ev, "detail"), "a b=c%d\n");
  assert_int_equal(oh_event_get_u64(&ev, "addr", 0), 0xdeadbeef);
  assert_null(oh_event_get(&ev, "missing"));
  assert_int_equal(oh_event_get_int(&ev, "detail", 7), 7); /* not a number */
}

static void test_flushes_are_whole_lines(void **state) {
  int p[2], i;
  oh_event_writer w;
  char *line, *save = NULL;
  assert_int_equal(pipe(p), 0);
  outlen = 0;
  oh_event_writer_init(&w, p[1]);
  for (i = 0; i < 400; i++) { /* far more than one buffer */
    oh_event_begin(&w, "ret");
    oh_event_int(&w, "index", i);
    oh_event_str(&w, "pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    oh_event_end(&w);
    /* nothing partial is ever written: what is out ends with a newline */
    assert_true(w.fill <= sizeof w.buf);
  }
  oh_event_flush(&w);
  close(p[1]);
  drain(p[0]);
  close(p[0]);
  for (i = 0, line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
    oh_event ev;
    assert_int_equal(oh_event_parse(line, strlen(line), &ev), 0);
    assert_int_equal(oh_event_get_int(&ev, "index", -1), i);
  }
  assert_int_equal(i, 400);
}

static void test_overlong_line_is_cut_and_ended(void **state) {
  int p[2];
  oh_event_writer w;
  static char big[10000];
  assert_int_equal(pipe(p), 0);
  fcntl(p[1], F_SETPIPE_SZ, 1 << 16);
  outlen = 0;
  memset(big, 'a', sizeof big - 1);
  oh_event_writer_init(&w, p[1]);
  oh_event_begin(&w, "x");
  oh_event_str(&w, "v", big);
  oh_event_end(&w);
  oh_event_begin(&w, "y");
  oh_event_end(&w);
  oh_event_flush(&w);
  close(p[1]);
  drain(p[0]);
  close(p[0]);
  assert_true(outlen <= 4096 + 2);
  assert_non_null(strstr(out, "\ny\n"));
}

static void test_dropped_writer_never_writes(void **state) {
  oh_event_writer w;
  oh_event_writer_init(&w, -1);
  oh_event_begin(&w, "call");
  oh_event_end(&w);
  oh_event_flush(&w);
  assert_int_equal(w.fill, 0);
}

static void test_parse_rejects_garbage_fail(void **state) {
  oh_event ev;
  oh_test_rng rng;
  char buf[600];
  int i, k;
  assert_int_equal(oh_event_parse("", 0, &ev), -1);
  assert_int_equal(oh_event_parse(" leading", 8, &ev), -1);
  assert_int_equal(oh_event_parse("call =x novalue k=v", 19, &ev), 0);
  assert_int_equal(ev.nfields, 1); /* only k=v is a field */
  oh_test_rng_init(&rng, 7, "events garbage");
  for (i = 0; i < oh_test_iterations(20000); i++) {
    int n = (int)oh_test_rng_below(&rng, sizeof buf);
    for (k = 0; k < n; k++) buf[k] = (char)oh_test_rng_below(&rng, 256);
    oh_event_parse(buf, (size_t)n, &ev); /* must not overrun */
    assert_true(ev.nfields <= OH_EVENT_MAX_FIELDS);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_with_escapes),
      cmocka_unit_test(test_flushes_are_whole_lines),
      cmocka_unit_test(test_overlong_line_is_cut_and_ended),
      cmocka_unit_test(test_dropped_writer_never_writes),
      cmocka_unit_test(test_parse_rejects_garbage_fail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
