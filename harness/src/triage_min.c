/* Minimisation of a bucket's representative, keeping the same crash
 * state: picks the layout (an OHS1 script, one raw packet, or plain
 * bytes), turns a stream replayed with caller options into a pipeline
 * script that carries them (so the reproducer stands alone and replays
 * with `opushunt replay FILE` as is), and drives minimize.c with an oracle
 * that runs candidates through the replay pool, one per worker. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "opushunt/file.h"
#include "opushunt/minimize.h"
#include "opushunt/script.h"
#include "triage_impl.h"

static int is_script(const uint8_t *b, size_t n) {
  return n >= 4 && !memcmp(b, OH_SCRIPT_MAGIC, 4);
}

static void put16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static int model_number(const char *name) {
  int i;
  for (i = 0; oh_replay_models[i]; i++)
    if (!strcmp(oh_replay_models[i], name ? name : "caller")) return i;
  return -1;
}

int oh_triage_stream_to_script(const oh_replay_options *o, const uint8_t *buf, size_t len,
                               uint8_t **out, size_t *out_len, oh_error *err) {
  const oh_replay_caller *k = &o->caller;
  oh_reader *r = NULL;
  oh_record rec;
  uint8_t *s;
  size_t cap, n;
  long cap_samples = 0;
  int model = model_number(k->model), rc, pflags = 0;
  *out = NULL;
  *out_len = 0;
  if (model < 0)
    return oh_fail(err, OH_ERR_UNSUPPORTED, OH_NO_OFFSET, "unknown model");
  if (k->threads > 1 || k->lock || k->reset_every > 0 || k->state_size >= 0)
    return oh_fail(err, OH_ERR_UNSUPPORTED, OH_NO_OFFSET,
                   "--threads, --lock, --reset-every and --state-size cannot be written into "
                   "a script: the reproducer keeps the input's own format");
  if (k->pcm_capacity) {
    size_t pl = strlen(k->pcm_capacity);
    cap_samples = strtol(k->pcm_capacity, NULL, 10);
    if (pl && k->pcm_capacity[pl - 1] == 'b')
      cap_samples /= (k->sample && !strcmp(k->sample, "s16")) ? 2 : 4;
  }
  if (!k->sample || !strcmp(k->sample, "float")) pflags |= OH_SCRIPT_PF_FLOAT;
  if (k->fec) pflags |= OH_SCRIPT_PF_FEC;
  if (k->state && !strcmp(k->state, "init")) pflags |= OH_SCRIPT_PF_STATE_INIT;
  cap = OH_SCRIPT_HEADER_LEN + 5 + len * 2 + 64;
  if (!(s = calloc(1, cap))) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  memcpy(s, OH_SCRIPT_MAGIC, 4);
  s[4] = OH_SCRIPT_PIPELINE;
  s[6] = (uint8_t)(k->channels > 0 ? k->channels : 2);
  s[9] = (uint8_t)model;
  put32(s + 10, (uint32_t)(k->rate > 0 ? k->rate : 48000));
  put16(s + 14, (unsigned)(k->frame_size > 0 && k->frame_size < 65536 ? k->frame_size : 0));
  put16(s + 18, 5);
  put32(s + 20, (uint32_t)cap_samples);
  s[24] = (uint8_t)pflags;
  n = OH_SCRIPT_HEADER_LEN + 5;
  if ((o->format == OH_FMT_LP16BE || o->format == OH_FMT_AUTO) &&
      oh_format_detect(buf, len, NULL, 0) == OH_FMT_LP16BE) {
    /* The stream as sent, truncated tail and all (the framing under test
     * must see the same lengths). */
    size_t skip = o->ropt.header_skip < len ? o->ropt.header_skip : len;
    memcpy(s + n, buf + skip, len - skip);
    *out = s;
    *out_len = n + len - skip;
    return OH_OK;
  }
  if ((rc = oh_reader_open(&r, o->format, buf, len, &o->ropt, err)) != OH_OK) {
    free(s);
    return rc;
  }
  while ((rc = oh_reader_next(r, &rec, err)) == 1) {
    if (rec.len > 65535) {
      rc = oh_fail(err, OH_ERR_UNSUPPORTED, rec.offset,
                   "record %llu is %zu bytes: longer than a u16 length prefix",
                   (unsigned long long)rec.index, rec.len);
      break;
    }
    put16(s + n, (unsigned)rec.len);
    if (rec.len) memcpy(s + n + 2, rec.data, rec.len);
    n += 2 + rec.len;
  }
  oh_reader_close(r);
  if (rc < 0) {
    free(s);
    return rc;
  }
  *out = s;
  *out_len = n;
  return OH_OK;
}

/* ---- The oracle. */

typedef struct oracle {
  oh_triage *t;
  const oh_triage_bucket *b;
  const char *work_dir;
  oh_replay_options opt;
  oh_replay_tool tool;
  const char *ext;
  int tests;
} oracle;

static int oracle_test(void *vctx, const uint8_t *const *bufs, const size_t *lens, int n,
                       int *keep) {
  oracle *o = vctx;
  oh_triage_job *jobs = calloc((size_t)n, sizeof *jobs);
  oh_replay_result *res = calloc((size_t)n, sizeof *res);
  char (*paths)[1100] = calloc((size_t)n, sizeof *paths);
  int i, rc = 0;
  if (!jobs || !res || !paths) {
    free(jobs);
    free(res);
    free(paths);
    return -1;
  }
  for (i = 0; i < n; i++) {
    oh_error e;
    snprintf(paths[i], sizeof paths[i], "%s/candidate-%d.%s", o->work_dir, i, o->ext);
    oh_error_clear(&e);
    if (oh_file_write(paths[i], bufs[i], lens[i], NULL, &e) != OH_OK) rc = -1;
    jobs[i].opt = o->opt;
    jobs[i].opt.input = paths[i];
    jobs[i].tool = o->tool;
    jobs[i].buf = bufs[i];
    jobs[i].len = lens[i];
    jobs[i].res = &res[i];
  }
  if (rc == 0) {
    oh_triage_run_jobs(jobs, n, o->t->opt.jobs, NULL, NULL);
    for (i = 0; i < n; i++) {
      oh_triage_crash c;
      keep[i] = jobs[i].rc == OH_OK && oh_triage_crash_from_result(&res[i], &c) &&
                !strcmp(c.state, o->b->state);
    }
    o->tests += n;
  }
  for (i = 0; i < n; i++) remove(paths[i]);
  free(jobs);
  free(res);
  free(paths);
  return rc;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_note(oh_triage_min *m, const char *fmt, const char *a) {
  snprintf(m->note, sizeof m->note, fmt, a ? a : "");
}

int oh_triage_minimise_bucket(oh_triage *t, oh_triage_bucket *b, const char *work_dir) {
  const oh_triage_item *rep = &t->items[b->rep];
  oh_triage_min *m = &b->min;
  oracle o;
  oh_min_options mo;
  oh_min_stats st;
  oh_min_layout layout;
  uint8_t *in = NULL, *conv = NULL, *out = NULL;
  size_t len = 0, conv_len = 0, out_len = 0;
  const uint8_t *start;
  size_t start_len;
  oh_error err;
  double t0 = now_s();
  int keep = 0, rc;
  memset(&o, 0, sizeof o);
  oh_error_clear(&err);
  m->attempted = 0;
  if (rep->status == OH_TSTAT_REPORT_ONLY) {
    set_note(m, "no input to minimise: the bucket comes from a log", NULL);
    return OH_OK;
  }
  if (rep->status != OH_TSTAT_RELIABLE) {
    set_note(m, "not minimised: the representative is %s, so a shrunk input could not be "
             "told apart from luck", oh_triage_status_name(rep->status));
    return OH_OK;
  }
  if (oh_file_read(rep->path, OH_MAX_INPUT_FILE, &in, &len, &err) != OH_OK) {
    set_note(m, "not minimised: %s", err.reason);
    return OH_OK;
  }
  m->attempted = 1;
  o.t = t;
  o.b = b;
  o.work_dir = work_dir;
  o.tool = rep->tool;
  oh_triage_item_options(t, rep, &o.opt);
  oh_triage_fix_options(&o.opt, in, len);
  m->bytes_before = len;
  start = in;
  start_len = len;
  if (is_script(in, len)) {
    layout = OH_MIN_SCRIPT;
    o.ext = "ohs";
    snprintf(m->format, sizeof m->format, "script");
  } else if (o.opt.target && !strcmp(o.opt.target, "packet")) {
    layout = OH_MIN_PACKET;
    o.ext = "raw";
    snprintf(m->format, sizeof m->format, "raw");
  } else if (o.opt.target) {
    layout = OH_MIN_BYTES;
    o.ext = "bin";
    snprintf(m->format, sizeof m->format, "bytes");
  } else if (oh_triage_stream_to_script(&o.opt, in, len, &conv, &conv_len, &err) == OH_OK) {
    /* The stream and its caller options as one pipeline script: check it
     * still shows the same state before shrinking it. */
    const uint8_t *cb = conv;
    layout = OH_MIN_SCRIPT;
    o.ext = "ohs";
    memset(&o.opt.caller, 0, sizeof o.opt.caller);
    o.opt.caller.state_size = -1;
    o.opt.format = OH_FMT_AUTO;
    if (oracle_test(&o, &cb, &conv_len, 1, &keep) != 0 || !keep) {
      set_note(m, "not minimised: the stream written as a pipeline script does not show "
               "the same crash state", NULL);
      m->seconds = now_s() - t0;
      m->tests = o.tests;
      free(in);
      free(conv);
      return OH_OK;
    }
    snprintf(m->format, sizeof m->format, "script");
    start = conv;
    start_len = conv_len;
  } else {
    set_note(m, "not minimised: %s", err.reason);
    m->attempted = 0;
    free(in);
    return OH_OK;
  }
  m->records_before = oh_min_count_records(start, start_len, &m->packets_before);
  if (m->records_before < 0) m->packets_before = -1;
  memset(&mo, 0, sizeof mo);
  mo.batch = t->opt.jobs > 0 ? t->opt.jobs : 1;
  mo.max_tests = t->opt.min_max_tests;
  mo.max_seconds = t->opt.min_max_seconds;
  memset(&st, 0, sizeof st);
  rc = oh_minimize(start, start_len, layout, &mo, oracle_test, &o, &out, &out_len, &st, &err);
  if (rc == OH_ERR_MALFORMED && layout == OH_MIN_SCRIPT) {
    layout = OH_MIN_BYTES;
    snprintf(m->format, sizeof m->format, "bytes");
    rc = oh_minimize(start, start_len, layout, &mo, oracle_test, &o, &out, &out_len, &st, &err);
  }
  m->tests = o.tests;
  m->seconds = now_s() - t0;
  if (rc != OH_OK) {
    set_note(m, "minimisation failed: %s", err.reason);
    m->ok = 0;
  } else {
    char path[1100];
    oh_error e;
    oh_error_clear(&e);
    snprintf(path, sizeof path, "%s/reproducer.%s", work_dir, o.ext);
    /* The work folder is the bucket's own: the reproducer lands there. */
    if (oh_file_write(path, out, out_len, rep->path, &e) != OH_OK) {
      set_note(m, "could not write the reproducer: %s", e.reason);
    } else {
      snprintf(m->path, sizeof m->path, "%s", path);
      m->ok = 1;
      m->bytes_after = out_len;
      m->records_after = oh_min_count_records(out, out_len, &m->packets_after);
      if (m->records_after < 0) m->packets_after = -1;
      m->head_len = out_len < sizeof m->head ? out_len : sizeof m->head;
      memcpy(m->head, out, m->head_len);
      snprintf(m->note, sizeof m->note, "%s after %d tests (%s)",
               st.stopped == 0 ? "done" : st.stopped == 1 ? "test budget reached"
               : st.stopped == 2 ? "time budget reached" : "stopped",
               st.tests, st.stage[0] ? st.stage : "no stage shrank it");
    }
  }
  free(out);
  free(in);
  free(conv);
  return OH_OK;
}
