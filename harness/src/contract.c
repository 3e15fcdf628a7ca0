/* The decoder API contract (see contract.h). Each rule is one small check;
 * "fault expected" is decided from what this call will really write or read
 * given this packet, which is what separates the latent misuse from the
 * packet that makes it crash. */
#include "opushunt/contract.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <opus.h>

#include "opushunt/packet.h"

static const struct {
  const char *name, *text;
} RULES[OH_RULE_COUNT] = {
    {"rate", "the output rate must be 8000, 12000, 16000, 24000 or 48000 Hz"},
    {"channels", "a decoder has 1 or 2 channels"},
    {"pcm-capacity", "frame_size x channels must not exceed the samples the pcm buffer holds"},
    {"frame-size", "frame_size must be positive, a multiple of 2.5 ms and at most 120 ms"},
    {"frame-too-small", "frame_size must hold the packet's duration (else OPUS_BUFFER_TOO_SMALL)"},
    {"loss-frame-size", "for PLC and FEC, frame_size must equal the duration of the gap"},
    {"packet-length", "len must not exceed the bytes actually readable at data"},
    {"packet-freed", "the packet buffer must stay allocated during the call"},
    {"state-size", "caller-allocated state must be at least opus_decoder_get_size(channels) bytes"},
    {"use-after-destroy", "a destroyed decoder must not be used"},
    {"destroy-foreign", "opus_decoder_destroy only frees state made by opus_decoder_create"},
    {"double-destroy", "a decoder is destroyed once"},
    {"concurrent-use", "one decoder must not be used by two threads at once"},
};

const char *oh_contract_rule_name(oh_contract_rule r) {
  return (unsigned)r < OH_RULE_COUNT ? RULES[r].name : "unknown";
}

const char *oh_contract_rule_text(oh_contract_rule r) {
  return (unsigned)r < OH_RULE_COUNT ? RULES[r].text : "unknown rule";
}

int oh_contract_rule_from_name(const char *name) {
  int i;
  for (i = 0; i < OH_RULE_COUNT; i++)
    if (strcmp(RULES[i].name, name) == 0) return i;
  return -1;
}

int oh_contract_packet_samples(const uint8_t *data, size_t len, int32_t rate) {
  oh_packet p;
  if (!data || len == 0 || len > 0x7fffffff) return -1;
  if (oh_packet_parse(data, len, 0, &p, NULL, NULL) != OH_OK) return -1;
  return (int)((int64_t)p.duration48 * rate / 48000);
}

typedef struct sink {
  oh_contract_violation *out;
  int max, n;
} sink;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void add(sink *s, oh_contract_rule rule, int fault, const char *fmt, ...) {
  if (s->n < s->max) {
    oh_contract_violation *v = &s->out[s->n];
    va_list ap;
    v->rule = rule;
    v->fault_expected = fault;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
  }
  s->n++;
}

static int valid_rate(int32_t r) {
  return r == 8000 || r == 12000 || r == 16000 || r == 24000 || r == 48000;
}

/* Rules about the decoder state and its life cycle. */
static void check_state(const oh_call_desc *c, sink *s) {
  if (c->destroyed && c->api != OH_API_DESTROY)
    add(s, OH_RULE_USE_AFTER_DESTROY, 1, "call on a decoder destroyed earlier");
  if (c->api == OH_API_DESTROY && c->destroyed)
    add(s, OH_RULE_DOUBLE_DESTROY, 1, "second opus_decoder_destroy of the same state");
  if (c->api == OH_API_DESTROY && !c->destroyed && !c->state_from_create)
    add(s, OH_RULE_DESTROY_FOREIGN, 1,
        "opus_decoder_destroy on %ld bytes of caller memory given to opus_decoder_init",
        (long)c->state_size);
  if (c->state_size && (c->channels == 1 || c->channels == 2)) {
    long need = opus_decoder_get_size(c->channels);
    if ((long)c->state_size < need)
      add(s, OH_RULE_STATE_SIZE, 1, "state of %ld bytes, opus_decoder_get_size(%ld) is %ld",
          (long)c->state_size, (long)c->channels, need);
  }
  if (c->concurrent)
    add(s, OH_RULE_CONCURRENT_USE, 0, "another thread is inside a call on this decoder");
}

/* What this call will write: the packet's duration, or frame_size for a
 * loss; -1 when libopus will return before writing (invalid packet). */
static long samples_written(const oh_call_desc *c, size_t readable) {
  if (!c->data || c->len <= 0) return c->frame_size;
  if (c->fec) return c->frame_size;
  return oh_contract_packet_samples(c->data, readable, c->rate);
}

static void check_decode(const oh_call_desc *c, sink *s) {
  long fs = c->frame_size, cap = (long)c->pcm_capacity, ch = c->channels;
  size_t readable = c->len > 0 ? (size_t)c->len : 0;
  long dur;
  if (!valid_rate(c->rate)) add(s, OH_RULE_RATE, 0, "rate %ld Hz", (long)c->rate);
  if (ch < 1 || ch > 2) add(s, OH_RULE_CHANNELS, 0, "%ld channels", ch);
  if (c->data && c->len > 0 && c->available != SIZE_MAX && (size_t)c->len > c->available) {
    add(s, OH_RULE_PACKET_LENGTH, 1, "len %ld but only %ld bytes readable", (long)c->len,
        (long)c->available);
    readable = c->available;
  }
  if (c->data && c->packet_released)
    add(s, OH_RULE_PACKET_FREED, 1, "packet of %ld bytes freed before the call",
        (long)c->len);
  if (valid_rate(c->rate) && (fs <= 0 || fs % (c->rate / 400) != 0 || fs > c->rate / 1000 * 120))
    add(s, OH_RULE_FRAME_SIZE, 0, "frame_size %ld at %ld Hz", fs, (long)c->rate);
  dur = samples_written(c, readable);
  if (fs > 0 && ch > 0 && fs * ch > cap) {
    /* Only what this call writes decides whether it faults now. */
    long w = dur > 0 ? (dur < fs ? dur : fs) : 0;
    add(s, OH_RULE_PCM_CAPACITY, w * ch > cap,
        "frame_size %ld x %ld channels > pcm capacity %ld samples", fs, ch, cap);
  }
  if (c->data && c->len > 0 && !c->fec && dur > fs)
    add(s, OH_RULE_FRAME_TOO_SMALL, 0, "packet of %ld samples, frame_size %ld", dur, fs);
  if ((!c->data || c->fec) && c->gap > 0 && fs != c->gap)
    add(s, OH_RULE_LOSS_FRAME_SIZE, 0, "loss of %ld samples concealed with frame_size %ld",
        (long)c->gap, fs);
}

int oh_contract_check(const oh_call_desc *c, oh_contract_violation *out, int max) {
  sink s = {out, max, 0};
  check_state(c, &s);
  if (c->api == OH_API_DECODE) check_decode(c, &s);
  if (c->api == OH_API_INIT) {
    if (!valid_rate(c->rate)) add(&s, OH_RULE_RATE, 0, "rate %ld Hz", (long)c->rate);
    if (c->channels < 1 || c->channels > 2)
      add(&s, OH_RULE_CHANNELS, 0, "%ld channels", (long)c->channels);
  }
  return s.n;
}
