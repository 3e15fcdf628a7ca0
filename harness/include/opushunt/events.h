/* The replay event protocol: what a runner (the child process that calls
 * libopus the way the production service did) tells the parent about every
 * call, buffer and contract check, so that when the child dies the parent
 * still knows which packet was being decoded, with which arguments, into
 * which buffer. One event per line:
 *
 *   NAME key=value key=value ...\n
 *
 * Values are percent-encoded (space, '%', '=', control and non-ASCII bytes
 * as %XX), so a line always splits on blanks. Events, in the order a runner
 * writes them:
 *
 *   start   lib= opus= model= rate= channels= sample=float|s16 frame_size=
 *           pcm_capacity= (samples, all channels) state=create|init
 *           state_size= threads= lock=0|1 tool=plain|guard|... fec=0|1
 *   buffer  name=pcm|packet|state|input addr=0x.. size=(bytes) how=heap|guard
 *   free    name= addr=
 *   contract index= rule= fault=0|1 detail=   (fault=1: this call is expected
 *           to touch memory out of bounds; 0: latent, the rule is broken but
 *           this packet does not make it bite)
 *   call    index= offset= len= kind=packet|plc|fec|init|destroy|create|ctl
 *           api= frame_size= thread=      (written before the call returns
 *           control to libopus; index -1 for calls outside the stream)
 *           [data= data_size= how=]       (the caller's packet copy: a buffer
 *           named "packet", announced here rather than in its own line)
 *   ret     index= ret= range= thread= samples=
 *   diverge index= what=ret|pcm|range expected= got=
 *   end     calls= packets= errors=
 *   guard-fault ...  (written by the guard-page SIGSEGV handler, guard.h)
 *
 * The runner writes to the fd named by its --events-fd option and flushes
 * before every libopus call, so the last `call` line survives a crash. */
#ifndef OPUSHUNT_EVENTS_H
#define OPUSHUNT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OH_EVENT_MAX_FIELDS 24

typedef struct oh_event_field {
  char key[32];
  char value[256]; /* decoded */
} oh_event_field;

typedef struct oh_event {
  char name[32];
  int nfields;
  oh_event_field fields[OH_EVENT_MAX_FIELDS];
} oh_event;

/* Parses one line (without or with its newline). Returns 0 on success, -1
 * when the line is not an event (then ev->name is empty). Keys beyond
 * OH_EVENT_MAX_FIELDS and over-long values are truncated, never overrun. */
int oh_event_parse(const char *line, size_t len, oh_event *ev);

/* The value of key, or NULL. */
const char *oh_event_get(const oh_event *ev, const char *key);
/* The value of key as a number (decimal or 0x hex); def when absent/bad. */
int64_t oh_event_get_int(const oh_event *ev, const char *key, int64_t def);
uint64_t oh_event_get_u64(const oh_event *ev, const char *key, uint64_t def);

/* Event writer with a fixed buffer; flushes with write(2). */
typedef struct oh_event_writer {
  int fd;           /* -1: events are dropped */
  size_t fill;
  size_t line_start; /* where the line being written begins */
  char buf[4096];   /* PIPE_BUF: each flush is one atomic pipe write */
} oh_event_writer;

void oh_event_writer_init(oh_event_writer *w, int fd);
/* Starts an event line. */
void oh_event_begin(oh_event_writer *w, const char *name);
void oh_event_str(oh_event_writer *w, const char *key, const char *value);
void oh_event_int(oh_event_writer *w, const char *key, int64_t value);
void oh_event_hex(oh_event_writer *w, const char *key, uint64_t value);
/* Ends the line. */
void oh_event_end(oh_event_writer *w);
/* Writes everything buffered (call before anything that may crash). */
void oh_event_flush(oh_event_writer *w);

#ifdef __cplusplus
}
#endif
#endif
