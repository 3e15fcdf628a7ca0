/* The reproducer's reports: the human one for a single tool, the matrix
 * for --under all, and the JSON document described in harness/REPLAY.md.
 * Only formatting: every fact comes from oh_replay_result. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "opushunt/replay.h"

/* ---- Phrases shared by both forms. */

/* "0 bytes after the end of 7680-byte buffer pcm (offset 7680)". */
static void buffer_phrase(const oh_replay_finding *f, char *out, size_t cap) {
  if (!strcmp(f->relation, "after-end"))
    snprintf(out, cap, "%" PRIu64 " bytes after the end of %" PRIu64 "-byte buffer %s (offset %"
             PRId64 ")", f->by, f->buffer_size, f->buffer, f->buffer_offset);
  else if (!strcmp(f->relation, "before-start"))
    snprintf(out, cap, "%" PRIu64 " bytes before the start of %" PRIu64 "-byte buffer %s",
             f->by, f->buffer_size, f->buffer);
  else if (!strcmp(f->relation, "freed"))
    snprintf(out, cap, "inside freed buffer %s (offset %" PRId64 " of %" PRIu64 ")", f->buffer,
             f->buffer_offset, f->buffer_size);
  else
    snprintf(out, cap, "inside %" PRIu64 "-byte buffer %s at offset %" PRId64, f->buffer_size,
             f->buffer, f->buffer_offset);
}

/* "TOC 0xfc: config 31, CELT FB, 20 ms frames, stereo, code 0, 1 frame = 20 ms". */
static void toc_phrase(const oh_replay_packet *p, char *out, size_t cap) {
  const oh_toc *t = &p->toc;
  int n = snprintf(out, cap, "TOC 0x%02x: config %d, %s %s, %g ms frames, %s, code %d", t->byte,
                   t->config, oh_mode_name(t->mode), oh_bandwidth_name(t->bandwidth),
                   t->frame_samples48 / 48.0, t->stereo ? "stereo" : "mono", t->code);
  if (n < 0 || (size_t)n >= cap) return;
  if (p->valid)
    snprintf(out + n, cap - (size_t)n, ", %d frame%s = %g ms", p->frame_count,
             p->frame_count == 1 ? "" : "s", p->duration48 / 48.0);
  else
    snprintf(out + n, cap - (size_t)n, "; invalid packet: %s", p->invalid);
}

static int is_decode(const oh_replay_call *c) { return !strncmp(c->api, "opus_decode", 11) &&
                                                       strncmp(c->api, "opus_decoder_", 13); }

/* "opus_decode_float(st, data, 312, pcm, 5760, 0)". */
static void call_phrase(const oh_replay_call *c, char *out, size_t cap) {
  const char *api = c->api[0] ? c->api : "call";
  if (is_decode(c))
    snprintf(out, cap, "%s(st, %s, %" PRId64 ", pcm, %" PRId64 ", %d)", api,
             !strcmp(c->kind, "plc") ? "NULL" : "data", c->len, c->frame_size,
             !strcmp(c->kind, "fec"));
  else
    snprintf(out, cap, "%s (%s)", api, c->kind[0] ? c->kind : "?");
}

/* ---- Human report, one tool. */

static void print_packet(FILE *f, const oh_replay_result *r) {
  const oh_replay_packet *p = &r->packet;
  char toc[300];
  size_t i;
  if (r->target[0] && !r->target_events) {
    if (oh_replay_verdict_is_finding(r->verdict))
      fprintf(f, "first faulting packet: unknown (fuzz target %s reports no calls)\n",
              r->target);
    return;
  }
  if (!p->present) {
    if (r->fault_index >= 0) fprintf(f, "record: #%" PRId64 "\n", r->fault_index);
    return;
  }
  if (p->cut_off) {
    fprintf(f, "first faulting packet: #%" PRIu64 " at byte offset %" PRIu64 ", the input's "
            "last record, cut short: %s\n", p->index, p->offset, p->invalid);
    return;
  }
  if (p->lost) {
    fprintf(f, "record: #%" PRIu64 " at byte offset %" PRIu64 ": lost (concealed)\n", p->index,
            p->offset);
    return;
  }
  toc_phrase(p, toc, sizeof toc);
  fprintf(f, "%s: #%" PRIu64 " at byte offset %" PRIu64 ", %zu bytes\n  %s\n  bytes:",
          r->verdict == OH_VERDICT_DIVERGENCE ? "first differing packet"
          : r->verdict == OH_VERDICT_CONTRACT ? "first violating packet" : "first faulting packet",
          p->index, p->offset, p->len, toc);
  for (i = 0; i < p->head_len; i++) fprintf(f, " %02x", p->head[i]);
  fprintf(f, "%s\n", p->len > p->head_len ? " ..." : "");
}

static void print_call(FILE *f, const oh_replay_result *r) {
  const oh_replay_call *c = &r->fault_call;
  char call[200];
  if (!c->present) return;
  call_phrase(c, call, sizeof call);
  fprintf(f, "%s: %s on thread %s, %s\n", r->call_blamed ? "call" : "last call", call,
          c->thread,
          c->returned ? "returned before the fault"
                      : "its return was never reported (it faulted, or what followed it did)");
  if (r->started && is_decode(c))
    fprintf(f, "  caller: %" PRId64 " Hz, %" PRId64 " channel%s, %s pcm holding %" PRId64
            " samples (all channels)\n", r->rate, r->channels, r->channels == 1 ? "" : "s",
            r->sample[0] ? r->sample : "?", r->pcm_capacity);
}

static void print_frames(FILE *f, const oh_replay_finding *fd) {
  int i, shown = 0, useful = 0;
  for (i = 0; i < fd->nframes; i++) useful += !fd->frames[i].noise;
  for (i = 0; i < fd->nframes && shown < 8; i++) {
    const oh_replay_frame *fr = &fd->frames[i];
    if (fr->noise && useful) continue; /* runtime and libc frames say nothing */
    fprintf(f, "    #%d %s", fr->index, fr->function[0] ? fr->function : "??");
    if (fr->file[0]) fprintf(f, " %s:%d", fr->file, fr->line);
    else if (fr->module[0]) fprintf(f, " (%s)", fr->module);
    fputc('\n', f);
    shown++;
  }
}

static void print_finding(FILE *f, const oh_replay_finding *fd, const char *why) {
  char buf[300];
  if (!fd->present) return;
  fprintf(f, "finding: %s %s", fd->source, fd->kind);
  if (strcmp(fd->access, "UNKNOWN")) fprintf(f, ", %s", fd->access);
  if (fd->size) fprintf(f, " of size %" PRIu64, fd->size);
  if (fd->has_address) fprintf(f, " at 0x%" PRIx64, fd->address);
  if (fd->signal[0]) fprintf(f, " (%s)", fd->signal);
  fputc('\n', f);
  if (fd->has_buffer) {
    buffer_phrase(fd, buf, sizeof buf);
    fprintf(f, "  buffer: %s\n", buf);
  }
  if (strcmp(fd->source, "guard") && strcmp(fd->source, "signal") && fd->description[0] &&
      !strstr(why, fd->description)) /* not what the verdict line said already */
    fprintf(f, "  %s\n", fd->description);
  print_frames(f, fd);
}

static void print_contract_line(FILE *f, const char *what, const oh_replay_contract *c) {
  char where[40] = "outside the stream (set-up or teardown)";
  if (!c->present) return;
  if (c->index >= 0) snprintf(where, sizeof where, "at record #%" PRId64, c->index);
  fprintf(f, "  %s %s: %s%s%s\n", what, where, c->rule, c->detail[0] ? ": " : "", c->detail);
}

static void print_contract(FILE *f, const oh_replay_result *r) {
  int i;
  for (i = 0; i < r->n_call_rules; i++)
    fprintf(f, "broken rule at this call: %s (%s)%s%s\n", r->call_rules[i].rule,
            r->call_rules[i].fault_expected ? "expected to fault" : "latent",
            r->call_rules[i].detail[0] ? ": " : "", r->call_rules[i].detail);
  if (!r->n_latent && !r->n_fault) return;
  fprintf(f, "contract: %" PRIu64 " latent and %" PRIu64 " fault-expected violations\n",
          r->n_latent, r->n_fault);
  print_contract_line(f, "first latent", &r->first_latent);
  print_contract_line(f, "first fault-expected", &r->first_fault);
}

static void print_header(FILE *f, const oh_replay_input *in, const oh_replay_result *r) {
  fprintf(f, "replay: %s (%s, %" PRIu64 " records, %" PRIu64 " bytes) under %s, lib %s",
          in->path ? in->path : "-", in->describe, in->records, in->bytes,
          oh_replay_tool_name(r->tool), r->lib);
  if (r->opus_version[0]) fprintf(f, " (%s)", r->opus_version);
  if (r->target[0])
    fprintf(f, ", target %s%s", r->target,
            r->target_events ? " (the pipeline as the script's header sets it up)" : "");
  if (r->model[0]) fprintf(f, ", model %s", r->model);
  /* "crash (SIGSEGV)" already starts with its verdict's name */
  if (!strncmp(r->why, oh_replay_verdict_name(r->verdict), strlen(oh_replay_verdict_name(r->verdict))))
    fprintf(f, "\nverdict: %s\n", r->why);
  else
    fprintf(f, "\nverdict: %s: %s\n", oh_replay_verdict_name(r->verdict), r->why);
}

void oh_replay_print(FILE *f, const oh_replay_input *in, const oh_replay_result *r) {
  int i;
  print_header(f, in, r);
  print_packet(f, r);
  print_call(f, r);
  print_finding(f, &r->finding, r->why);
  if (r->diverged && !strcmp(r->diverge_what, "pcm"))
    fprintf(f, "divergence at record #%" PRId64 ": PCM differs from the reference session "
            "(returns %s and %s)\n", r->diverge_index, r->diverge_expected, r->diverge_got);
  else if (r->diverged)
    fprintf(f, "divergence at record #%" PRId64 ": %s is %s, the reference session's %s\n",
            r->diverge_index, r->diverge_what, r->diverge_got, r->diverge_expected);
  print_contract(f, r);
  if (r->verdict == OH_VERDICT_TIMEOUT || r->verdict == OH_VERDICT_OOM)
    for (i = 0; i < r->nthreads; i++)
      fprintf(f, "  thread %s: last call record #%" PRId64 " %s%s\n", r->threads[i].thread,
              r->threads[i].index, r->threads[i].api,
              r->threads[i].returned ? " (returned)" : " (in progress)");
  if (in->unreadable)
    fprintf(f, "note: no reader takes the input as a stream (%s); the target reads the bytes "
            "as they are\n", in->tail.reason);
  else if (in->tail_error)
    fprintf(f, "note: the input ends in a cut-off record at offset %" PRIu64 ": %s\n",
            in->tail.offset, in->tail.reason);
  for (i = 0; i < r->nnotes; i++) fprintf(f, "note: %s\n", r->notes[i]);
  if (r->packet.present && oh_replay_verdict_is_finding(r->verdict))
    fprintf(f, "extract: opushunt replay --format %s --extract 0..%" PRIu64 " --out record-%"
            PRIu64 ".bit %s\n", oh_format_name(in->format), r->packet.index, r->packet.index,
            in->path);
  if (r->argv_line[0]) fprintf(f, "runner: %s\n", r->argv_line);
}

/* ---- Matrix, --under all. */

void oh_replay_print_matrix(FILE *f, const oh_replay_input *in, const oh_replay_result *runs,
                            int nruns, const oh_replay_skip *skips, int nskips) {
  int i;
  fprintf(f, "replay: %s (%s, %" PRIu64 " records)%s%s\n", in->path ? in->path : "-",
          in->describe, in->records, in->target[0] ? ", target " : "", in->target);
  fprintf(f, "%-9s %-12s %-10s %-7s %-24s %-7s %s\n", "tool", "lib", "verdict", "record",
          "kind", "access", "buffer");
  for (i = 0; i < nruns; i++) {
    const oh_replay_result *r = &runs[i];
    const oh_replay_finding *fd = &r->finding;
    char idx[24] = "-", buf[80] = "-";
    if (r->target[0] && !r->target_events && oh_replay_verdict_is_finding(r->verdict))
      snprintf(idx, sizeof idx, "unknown");
    else if (r->fault_index >= 0) snprintf(idx, sizeof idx, "%" PRId64, r->fault_index);
    else if (r->call_blamed && r->fault_call.index < 0) /* set-up or teardown */
      snprintf(idx, sizeof idx, "%s", r->fault_call.kind);
    if (fd->has_buffer)
      snprintf(buf, sizeof buf, "%s %s %+" PRId64, fd->buffer, fd->relation, fd->buffer_offset);
    fprintf(f, "%-9s %-12s %-10s %-7s %-24s %-7s %s\n", oh_replay_tool_name(r->tool), r->lib,
            oh_replay_verdict_name(r->verdict), idx, fd->present ? fd->kind : "-",
            fd->present && strcmp(fd->access, "UNKNOWN") ? fd->access : "-", buf);
  }
  for (i = 0; i < nskips; i++)
    fprintf(f, "%-9s %-12s skipped: %s\n", oh_replay_tool_name(skips[i].tool), skips[i].lib,
            skips[i].reason);
  for (i = 0; i < nruns; i++)
    if (runs[i].verdict != OH_VERDICT_CLEAN)
      fprintf(f, "%s: %s\n", oh_replay_tool_name(runs[i].tool), runs[i].why);
  fprintf(f, "overall: %s\n", oh_replay_verdict_name(oh_replay_overall(runs, nruns)));
}
