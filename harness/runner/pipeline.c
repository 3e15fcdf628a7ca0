/* The runner's pipeline: decoder set-up, the per-record decode call with its
 * contract check and events, the PCM consumer, optional comparison with the
 * reference session, and teardown. Models only flip switches read here. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>

#include "opushunt/guard.h"
#include "runner.h"

/* The libopus build in the start event: each runner names its variant; a
 * fuzz build that links this file names none. */
#ifndef OH_RUNNER_LIB
#define OH_RUNNER_LIB "in-process"
#endif

void *runner_alloc(runner *r, size_t size, const char *name) {
  void *p;
  if (r->cfg.guard) return oh_guard_alloc(size, name, OH_GUARD_END);
  p = malloc(size);
  return p;
}

void runner_free(runner *r, void *p, const char *name) {
  if (!p) return;
  if (r->cfg.guard)
    oh_guard_free(p);
  else
    free(p);
}

static void event_buffer(const runner *r, oh_event_writer *ev, const char *name, const void *p,
                         size_t size) {
  oh_event_begin(ev, "buffer");
  oh_event_str(ev, "name", name);
  oh_event_hex(ev, "addr", (uint64_t)(uintptr_t)p);
  oh_event_int(ev, "size", (int64_t)size);
  oh_event_str(ev, "how", r->cfg.guard ? "guard" : "heap");
  oh_event_end(ev);
}

/* The call line; data/data_size name the caller's packet copy (NULL: none). */
static void event_call_data(const runner *r, oh_event_writer *ev, int64_t index, uint64_t offset,
                            long len, const char *kind, const char *api, int frame_size,
                            int thread, const void *data, size_t data_size);

static void event_call(oh_event_writer *ev, int64_t index, uint64_t offset, long len,
                       const char *kind, const char *api, int frame_size, int thread) {
  event_call_data(NULL, ev, index, offset, len, kind, api, frame_size, thread, NULL, 0);
}

static void event_call_data(const runner *r, oh_event_writer *ev, int64_t index, uint64_t offset,
                            long len, const char *kind, const char *api, int frame_size,
                            int thread, const void *data, size_t data_size) {
  oh_event_begin(ev, "call");
  oh_event_int(ev, "index", index);
  oh_event_int(ev, "offset", (int64_t)offset);
  oh_event_int(ev, "len", len);
  oh_event_str(ev, "kind", kind);
  oh_event_str(ev, "api", api);
  oh_event_int(ev, "frame_size", frame_size);
  oh_event_int(ev, "thread", thread);
  if (data && r) {
    oh_event_hex(ev, "data", (uint64_t)(uintptr_t)data);
    oh_event_int(ev, "data_size", (int64_t)data_size);
    oh_event_str(ev, "how", r->cfg.guard ? "guard" : "heap");
  }
  oh_event_end(ev);
  /* The line must be out before libopus runs: it may never return. */
  oh_event_flush(ev);
}

/* Runs the contract check and reports each violation. */
static void check(oh_event_writer *ev, int64_t index, const oh_call_desc *d) {
  oh_contract_violation v[8];
  int n = oh_contract_check(d, v, 8), i;
  for (i = 0; i < n && i < 8; i++) {
    oh_event_begin(ev, "contract");
    oh_event_int(ev, "index", index);
    oh_event_str(ev, "rule", oh_contract_rule_name(v[i].rule));
    oh_event_int(ev, "fault", v[i].fault_expected);
    oh_event_str(ev, "detail", v[i].detail);
    oh_event_end(ev);
  }
}

static void base_desc(const runner *r, oh_call_desc *d, oh_call_api api) {
  memset(d, 0, sizeof *d);
  d->api = api;
  d->rate = r->cfg.rate;
  d->channels = r->cfg.channels;
  d->state_size = r->state_size;
  d->state_from_create = !r->cfg.state_init;
  d->destroyed = r->destroyed;
  d->available = SIZE_MAX;
}

/* opus_decoder_create, or caller memory + opus_decoder_init. */
static int setup_decoder(runner *r) {
  const runner_config *c = &r->cfg;
  oh_call_desc d;
  int e = OPUS_OK;
  base_desc(r, &d, OH_API_INIT);
  if (!c->state_init) {
    event_call(&r->ev, -1, 0, 0, "create", "opus_decoder_create", 0, 0);
    if (!c->check_only) r->dec = opus_decoder_create(c->rate, c->channels, &e);
    /* Library-owned, but naming it lets a race or overflow on it say "state". */
    if (r->dec && c->channels >= 1 && c->channels <= 2) {
      oh_event_begin(&r->ev, "buffer");
      oh_event_str(&r->ev, "name", "state");
      oh_event_hex(&r->ev, "addr", (uint64_t)(uintptr_t)r->dec);
      oh_event_int(&r->ev, "size", opus_decoder_get_size(c->channels));
      oh_event_str(&r->ev, "how", "library");
      oh_event_end(&r->ev);
    }
  } else {
    int sc = c->state_channels ? c->state_channels : c->channels;
    size_t size = c->state_size > 0 ? (size_t)c->state_size
                                    : (size_t)opus_decoder_get_size(sc >= 1 && sc <= 2 ? sc : 2);
    /* A caller buffer with the state 16 bytes in, as a ctypes buffer sits
     * inside its Python object: freeing the state pointer is foreign. */
    size_t lead = c->destroy_foreign_state ? 16 : 0;
    r->state_block = runner_alloc(r, size + lead, "state");
    if (!r->state_block) return -1;
    event_buffer(r, &r->ev, "state", r->state_block, size + lead);
    r->state_size = size;
    r->dec = (uint8_t *)r->state_block + lead;
    d.state_size = size;
    d.state_from_create = 0;
    check(&r->ev, -1, &d);
    event_call(&r->ev, -1, 0, 0, "init", "opus_decoder_init", 0, 0);
    if (!c->check_only) e = opus_decoder_init(r->dec, c->rate, c->channels);
  }
  if (!c->check_only && (e != OPUS_OK || !r->dec)) {
    if (!c->quiet) fprintf(stderr, "oh-runner: decoder set-up failed: %s\n", opus_strerror(e));
    return -1;
  }
  return 0;
}

static void teardown_decoder(runner *r) {
  oh_call_desc d;
  if (r->cfg.state_init && !r->cfg.destroy_foreign_state) {
    /* The caller owns the memory: it frees it, no destroy call. */
    runner_free(r, r->state_block, "state");
    r->destroyed = 1;
    return;
  }
  base_desc(r, &d, OH_API_DESTROY);
  check(&r->ev, -1, &d);
  event_call(&r->ev, -1, 0, 0, "destroy", "opus_decoder_destroy", 0, 0);
  if (!r->cfg.check_only && r->dec) opus_decoder_destroy(r->dec);
  r->destroyed = 1;
}

/* "Rebuild the decoder when corrupted", as the incident's team did, with
 * the double-destroy defect: the old decoder is destroyed twice. */
static void rebuild_decoder(runner *r, oh_event_writer *ev, int64_t index) {
  oh_call_desc d;
  int e, times = 2, i;
  if (r->cfg.state_init) return;
  for (i = 0; i < times; i++) {
    base_desc(r, &d, OH_API_DESTROY);
    d.destroyed = i > 0;
    check(ev, index, &d);
    event_call(ev, index, 0, 0, "destroy", "opus_decoder_destroy", 0, 0);
    if (!r->cfg.check_only) opus_decoder_destroy(r->dec);
  }
  event_call(ev, index, 0, 0, "create", "opus_decoder_create", 0, 0);
  r->dec = r->cfg.check_only ? NULL : opus_decoder_create(r->cfg.rate, r->cfg.channels, &e);
  r->destroyed = 0;
}

typedef struct worker {
  runner *r;
  oh_event_writer ev; /* one per thread: no lock, so no false ordering */
  int thread;
  void *pcm;
  size_t pcm_bytes;
  long capacity; /* samples */
  int last_duration;
} worker;

/* A clipping counter behind a call the compiler cannot turn into a
 * branch-free select: the consumer must really branch on every sample. */
static volatile uint64_t clipped;
__attribute__((noinline)) static void note_clip(void) { clipped++; }

/* The consumer: what production did with the PCM (clip metering and a
 * checksum). Branching on every sample makes uninitialised data visible to
 * Valgrind and MSan. */
static uint64_t consume(const worker *w, long nsamples) {
  uint64_t h = 1469598103934665603ull;
  long i;
  if (w->r->cfg.sample == OH_SAMPLE_FLOAT) {
    const float *f = w->pcm;
    for (i = 0; i < nsamples; i++) {
      uint32_t bits;
      if (f[i] > 0.99f || f[i] < -0.99f) note_clip();
      memcpy(&bits, &f[i], 4);
      h = (h ^ bits) * 1099511628211ull;
    }
  } else {
    const int16_t *s = w->pcm;
    for (i = 0; i < nsamples; i++) {
      if (s[i] > 32000 || s[i] < -32000) note_clip();
      h = (h ^ (uint16_t)s[i]) * 1099511628211ull;
    }
  }
  return h;
}

static int decode_call(worker *w, const uint8_t *data, int32_t len, int frame_size, int fec) {
  runner *r = w->r;
  if (r->cfg.sample == OH_SAMPLE_FLOAT)
    return opus_decode_float(r->dec, data, len, w->pcm, frame_size, fec);
  return opus_decode(r->dec, data, len, w->pcm, frame_size, fec);
}

/* Decodes the same record with the reference session and reports the first
 * difference in return value or PCM. */
static void compare(worker *w, const runner_record *rec, const runner_record *next, int ret,
                    uint64_t hash) {
  runner *r = w->r;
  oh_decode_result res;
  uint64_t want_hash = 0;
  long n;
  if (!r->ref || r->diverged) return;
  if (rec->lost)
    oh_session_conceal(r->ref, 0, next && !next->lost ? next->data : NULL,
                       next && !next->lost ? (size_t)next->len : 0, &res);
  else
    oh_session_decode(r->ref, rec->data, (size_t)(rec->len < 0 ? 0 : rec->len), &res);
  n = res.ret > 0 ? (long)res.ret * r->cfg.channels : 0;
  if (res.ret == ret && n > 0) {
    worker tmp = *w;
    tmp.pcm = (void *)oh_session_pcm(r->ref);
    want_hash = consume(&tmp, n);
  }
  if (res.ret != ret || (n > 0 && want_hash != hash)) {
    r->diverged = 1;
    r->diverge_index = (int64_t)rec->index;
    oh_event_begin(&w->ev, "diverge");
    oh_event_int(&w->ev, "index", (int64_t)rec->index);
    oh_event_str(&w->ev, "what", res.ret != ret ? "ret" : "pcm");
    oh_event_int(&w->ev, "expected", res.ret);
    oh_event_int(&w->ev, "got", ret);
    oh_event_end(&w->ev);
  }
}

/* Copies a packet into caller memory, as a binding copies its bytes. */
static uint8_t *packet_buffer(runner *r, const runner_record *rec) {
  uint8_t *p;
  if (r->cfg.trust_length_prefix) return (uint8_t *)rec->data; /* into the input */
  p = runner_alloc(r, rec->len > 0 ? (size_t)rec->len : 1, "packet");
  if (p) memcpy(p, rec->data, (size_t)rec->len);
  return p;
}

/* Counts threads inside a decode call. Relaxed atomics on purpose: they
 * must not create the happens-before edges that would hide a race from
 * TSan or Helgrind. */
static int enter_call(runner *r) {
  return __atomic_fetch_add(&r->inflight, 1, __ATOMIC_RELAXED) > 0;
}
static void leave_call(runner *r) { __atomic_fetch_sub(&r->inflight, 1, __ATOMIC_RELAXED); }

static void event_ret(worker *w, const runner_record *rec, int ret, uint32_t range) {
  oh_event_begin(&w->ev, "ret");
  oh_event_int(&w->ev, "index", (int64_t)rec->index);
  oh_event_int(&w->ev, "ret", ret);
  oh_event_int(&w->ev, "range", range);
  oh_event_int(&w->ev, "thread", w->thread);
  oh_event_end(&w->ev);
  /* Out now too, so a fault in the consumer or the recovery path is not
   * mistaken for one inside libopus. */
  oh_event_flush(&w->ev);
}

/* The call as the contract sees it. */
static void describe_call(const worker *w, const runner_record *rec, const uint8_t *pkt,
                          int32_t len, size_t available, int frame_size, int fec,
                          oh_call_desc *d) {
  const runner *r = w->r;
  base_desc(r, d, OH_API_DECODE);
  d->frame_size = frame_size;
  d->pcm_capacity = (size_t)w->capacity;
  d->data = pkt;
  d->len = len;
  d->available = pkt ? available : 0;
  d->fec = fec;
  d->gap = rec->lost ? w->last_duration : 0;
  d->packet_released = r->cfg.free_packet_early && pkt;
}

/* One record: contract check, events, the libopus call, the consumer. */
static void process(worker *w, const runner_record *rec, const runner_record *next) {
  runner *r = w->r;
  const runner_config *c = &r->cfg;
  oh_call_desc d;
  uint8_t *pkt = NULL;
  int fec = rec->lost && c->fec && next && !next->lost;
  const runner_record *src = fec ? next : rec;
  int32_t len = src->lost ? 0 : (int32_t)src->len;
  int ret = 0, frame_size = c->frame_size;
  uint32_t range = 0;
  uint64_t hash = 0;
  if (!src->lost) pkt = packet_buffer(r, src);
  if (c->truncate_length_bits == 8) len = (uint8_t)len;
  if (c->truncate_length_bits == 16) len = (uint16_t)len;
  /* The reference conceals exactly the gap; callers pass their constant. */
  if (rec->lost && c->plc_uses_gap)
    frame_size = w->last_duration > 0 ? w->last_duration : c->rate / 50;
  describe_call(w, rec, src->lost ? NULL : pkt, len, src->available, frame_size, fec, &d);
  d.concurrent = enter_call(r);
  check(&w->ev, (int64_t)rec->index, &d);
  if (c->free_packet_early && pkt) {
    runner_free(r, pkt, "packet"); /* the defect: released before use */
    oh_event_begin(&w->ev, "free");
    oh_event_str(&w->ev, "name", "packet");
    oh_event_hex(&w->ev, "addr", (uint64_t)(uintptr_t)pkt);
    oh_event_end(&w->ev);
  }
  event_call_data(r, &w->ev, (int64_t)rec->index, rec->offset, len,
                  rec->lost ? (fec ? "fec" : "plc") : "packet",
                  c->sample == OH_SAMPLE_FLOAT ? "opus_decode_float" : "opus_decode",
                  frame_size, w->thread, c->trust_length_prefix ? NULL : pkt,
                  src->lost ? 0 : (size_t)src->len);
  if (!c->check_only) {
    if (c->lock) pthread_mutex_lock(&r->dec_lock);
    ret = decode_call(w, src->lost ? NULL : pkt, len, frame_size, fec);
    opus_decoder_ctl(r->dec, OPUS_GET_FINAL_RANGE(&range));
    if (c->lock) pthread_mutex_unlock(&r->dec_lock);
  }
  leave_call(r);
  if (!c->check_only && r->ref) {
    /* Only the comparison needs the checksum of the returned samples. */
    long n = ret > 0 ? (long)ret * c->channels : 0;
    if (n > w->capacity) n = w->capacity; /* the consumer never reads past its buffer */
    hash = consume(w, n);
  }
  if (!c->check_only) {
    /* The defect: the whole buffer goes to the audio path, written or not. */
    if (c->read_whole_pcm) r->audio_sink ^= consume(w, w->capacity);
  }
  if (ret > 0 && !rec->lost) w->last_duration = ret;
  event_ret(w, rec, ret, range);
  __atomic_fetch_add(&r->calls, 1, __ATOMIC_RELAXED);
  if (ret < 0) __atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
  if (!c->check_only && c->threads == 1) compare(w, rec, next, ret, hash);
  if (pkt && !c->free_packet_early && !c->trust_length_prefix) runner_free(r, pkt, "packet");
  /* Only the double-destroy model has the incident's "rebuild the decoder
   * when corrupted" recovery: a correct caller keeps decoding after an
   * invalid packet, as the reference session does. */
  if (ret < 0 && c->destroy_twice_on_error && !c->check_only && !rec->lost)
    rebuild_decoder(r, &w->ev, (int64_t)rec->index);
  if (c->reset_every > 0 && (rec->index + 1) % (uint64_t)c->reset_every == 0 && r->dec &&
      !c->check_only)
    opus_decoder_ctl(r->dec, OPUS_RESET_STATE);
  oh_event_flush(&w->ev);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  runner *r = w->r;
  size_t i;
  for (i = (size_t)w->thread; i < r->nrecs; i += (size_t)r->cfg.threads)
    process(w, &r->recs[i], i + 1 < r->nrecs ? &r->recs[i + 1] : NULL);
  return NULL;
}

static int make_worker(runner *r, worker *w, int thread) {
  size_t sb = r->cfg.sample == OH_SAMPLE_FLOAT ? sizeof(float) : sizeof(int16_t);
  memset(w, 0, sizeof *w);
  w->r = r;
  oh_event_writer_init(&w->ev, r->cfg.events_fd);
  w->thread = thread;
  w->capacity = r->cfg.pcm_capacity;
  w->pcm_bytes = (size_t)w->capacity * sb;
  if (r->cfg.pcm_capacity_bytes > 0) {
    w->pcm_bytes = (size_t)r->cfg.pcm_capacity_bytes;
    w->capacity = (long)(w->pcm_bytes / sb);
  }
  /* malloc, not calloc: a consumer reading unwritten samples must read
   * uninitialised memory, as it did in production. */
  w->pcm = runner_alloc(r, w->pcm_bytes ? w->pcm_bytes : 1, "pcm");
  if (!w->pcm) return -1;
  event_buffer(r, &w->ev, "pcm", w->pcm, w->pcm_bytes);
  return 0;
}

static void event_start(runner *r) {
  const runner_config *c = &r->cfg;
  oh_event_begin(&r->ev, "start");
  oh_event_str(&r->ev, "lib", OH_RUNNER_LIB);
  oh_event_str(&r->ev, "opus", opus_get_version_string());
  oh_event_str(&r->ev, "model", oh_model_name(c->model));
  oh_event_int(&r->ev, "rate", c->rate);
  oh_event_int(&r->ev, "channels", c->channels);
  oh_event_str(&r->ev, "sample", c->sample == OH_SAMPLE_FLOAT ? "float" : "s16");
  oh_event_int(&r->ev, "frame_size", c->frame_size);
  oh_event_int(&r->ev, "pcm_capacity", c->pcm_capacity_bytes > 0
                   ? c->pcm_capacity_bytes / (c->sample == OH_SAMPLE_FLOAT ? 4 : 2)
                   : c->pcm_capacity);
  oh_event_str(&r->ev, "state", c->state_init ? "init" : "create");
  oh_event_int(&r->ev, "state_size", c->state_size);
  oh_event_int(&r->ev, "threads", c->threads);
  oh_event_int(&r->ev, "lock", c->lock);
  oh_event_int(&r->ev, "fec", c->fec);
  oh_event_int(&r->ev, "records", (int64_t)r->nrecs);
  oh_event_end(&r->ev);
  if (r->input) event_buffer(r, &r->ev, "input", r->input, r->input_len);
  oh_event_flush(&r->ev);
}

static int run_workers(runner *r) {
  int n = r->cfg.threads, i, made = 0, started = 0, rc = -1;
  worker *ws = calloc((size_t)n, sizeof *ws);
  pthread_t *tids = calloc((size_t)n, sizeof *tids);
  if (!ws || !tids) goto out;
  for (made = 0; made < n; made++)
    if (make_worker(r, &ws[made], made)) goto out;
  if (n == 1) {
    worker_main(&ws[0]);
  } else {
    for (started = 0; started < n; started++)
      if (pthread_create(&tids[started], NULL, worker_main, &ws[started])) break;
    for (i = 0; i < started; i++) pthread_join(tids[i], NULL);
    if (started < n) goto out;
  }
  rc = 0;
out:
  for (i = 0; ws && i < made; i++) runner_free(r, ws[i].pcm, "pcm");
  free(ws);
  free(tids);
  return rc;
}

int runner_run(runner *r) {
  oh_error err;
  oh_event_writer_init(&r->ev, r->cfg.events_fd);
  pthread_mutex_init(&r->dec_lock, NULL);
  r->mutex_ready = 1;
  event_start(r);
  if (r->cfg.compare && !r->cfg.check_only && r->cfg.threads == 1) {
    oh_session_config sc;
    oh_session_config_init(&sc);
    sc.rate = r->cfg.rate;
    sc.channels = r->cfg.channels;
    sc.sample = r->cfg.sample;
    sc.fec = r->cfg.fec;
    if (oh_session_create(&r->ref, &sc, &err) != OH_OK) r->ref = NULL;
  }
  if (setup_decoder(r)) {
    oh_event_flush(&r->ev);
    return 3;
  }
  oh_event_flush(&r->ev); /* the state's buffer event, before any worker runs */
  if (run_workers(r)) {
    if (!r->cfg.quiet) fprintf(stderr, "oh-runner: out of memory or threads\n");
    teardown_decoder(r);
    oh_event_flush(&r->ev);
    return 3;
  }
  teardown_decoder(r);
  oh_event_begin(&r->ev, "end");
  oh_event_int(&r->ev, "calls", (int64_t)r->calls);
  oh_event_int(&r->ev, "records", (int64_t)r->nrecs);
  oh_event_int(&r->ev, "packets", (int64_t)r->nrecs);
  oh_event_int(&r->ev, "errors", (int64_t)r->errors);
  oh_event_end(&r->ev);
  oh_event_flush(&r->ev);
  return 0;
}

void runner_cleanup(runner *r) {
  size_t i;
  /* A decoder still set up here means runner_run stopped early; under
   * --check-only the foreign state was never handed to destroy. */
  if (r->cfg.state_init && (!r->destroyed || (r->cfg.check_only && r->cfg.destroy_foreign_state)))
    runner_free(r, r->state_block, "state");
  else if (!r->cfg.state_init && !r->destroyed && r->dec)
    opus_decoder_destroy(r->dec);
  if (!r->cfg.trust_length_prefix)
    for (i = 0; i < r->nrecs; i++) free((void *)r->recs[i].data);
  free(r->recs);
  runner_free(r, r->input, "input");
  oh_session_destroy(r->ref);
  if (r->mutex_ready) pthread_mutex_destroy(&r->dec_lock);
  r->recs = NULL;
  r->nrecs = 0;
  r->input = NULL;
  r->input_len = 0;
  r->ref = NULL;
  r->dec = NULL;
  r->state_block = NULL;
  r->mutex_ready = 0;
}
