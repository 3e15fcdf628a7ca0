/* Guard-page buffers for the replay "guard" tool: each caller buffer (PCM
 * output, packet copy, caller-allocated decoder state) sits flush against a
 * PROT_NONE page, with another one on its other side, so an out-of-bounds
 * access faults at the first bad byte even inside an uninstrumented system
 * libopus. A SIGSEGV/SIGBUS handler then writes one line naming the buffer
 * and the offset, and the process still dies of the signal.
 *
 * The registry of guarded regions is process-global (the signal handler
 * needs it); alloc and free take a lock, lookups are lock-free and
 * async-signal-safe. */
#ifndef OPUSHUNT_GUARD_H
#define OPUSHUNT_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Live plus quarantined regions the registry can hold. */
#define OH_GUARD_MAX_REGIONS 4096
#define OH_GUARD_NAME_MAX 32
/* Default bound on the memory kept mapped for freed buffers: 64 MiB. */
#define OH_GUARD_DEFAULT_QUARANTINE ((size_t)64 << 20)

typedef enum oh_guard_mode {
  /* The buffer ends at a page boundary: the first byte past the end
   * faults. The pointer is then aligned only as far as size allows (a
   * multiple of 4 bytes gives float alignment). Bytes before the start,
   * down to the previous page boundary, do not fault. */
  OH_GUARD_END = 0,
  /* The buffer starts at a page boundary: the first byte before it
   * faults; bytes past the end, up to the next page boundary, do not. */
  OH_GUARD_START = 1
} oh_guard_mode;

/* A zero-filled buffer of size bytes with PROT_NONE pages on both sides;
 * name (sanitised to [A-Za-z0-9_.:-], cut at OH_GUARD_NAME_MAX - 1) is what
 * fault reports call it. NULL when out of memory or registry slots. */
void *oh_guard_alloc(size_t size, const char *name, oh_guard_mode mode);

/* Makes the whole region PROT_NONE and keeps it mapped ("quarantine") so a
 * use after free faults too; the oldest quarantined regions are unmapped
 * when the quarantine bound is passed. NULL is OH_OK; a pointer that is not
 * a live guarded buffer (double free, foreign pointer) is OH_ERR_ARG. */
int oh_guard_free(void *ptr);

/* Bound on the bytes kept mapped for freed regions (guard pages included);
 * 0 unmaps at once. Shrinking it unmaps the oldest regions now. */
void oh_guard_set_quarantine(size_t bytes);

typedef enum oh_guard_relation {
  OH_GUARD_REL_NONE = 0,     /* in no guarded region */
  OH_GUARD_REL_INSIDE,       /* within a live buffer */
  OH_GUARD_REL_AFTER_END,
  OH_GUARD_REL_BEFORE_START,
  OH_GUARD_REL_FREED         /* anywhere in a quarantined region */
} oh_guard_relation;

typedef struct oh_guard_hit {
  oh_guard_relation relation;
  char name[OH_GUARD_NAME_MAX];
  uint64_t size;
  int64_t offset; /* address minus buffer start */
  /* Distance past the edge, counted as ASan does: after-end is
   * offset - size (0 = the first byte past the end), before-start is
   * -offset (1 = the byte just before the start); 0 otherwise. */
  uint64_t by;
} oh_guard_hit;

/* Maps an address to the guarded buffer it belongs to. Async-signal-safe.
 * Returns hit->relation. */
oh_guard_relation oh_guard_describe(const void *addr, oh_guard_hit *hit);

/* "after-end", "before-start", "inside", "freed", "none". */
const char *oh_guard_relation_name(oh_guard_relation r);

/* For a person: "0 bytes after the end of 7680-byte buffer pcm (offset
 * 7680)", "inside freed buffer state (offset 10 of 64)", ... */
void oh_guard_format_hit(const oh_guard_hit *hit, char *buf, size_t cap);

typedef enum oh_guard_access {
  OH_GUARD_ACCESS_UNKNOWN = 0,
  OH_GUARD_ACCESS_READ,
  OH_GUARD_ACCESS_WRITE
} oh_guard_access;

typedef struct oh_guard_fault {
  uint64_t addr;
  oh_guard_access access;
  int signal; /* SIGSEGV or SIGBUS; 0 if the line named another */
  oh_guard_hit hit;
} oh_guard_fault;

/* Longest line oh_guard_format_fault writes, newline included. */
#define OH_GUARD_LINE_MAX 256

/* Writes the one-line report into buf, newline-terminated, and returns its
 * length (cut short if cap is too small). Async-signal-safe:
 *   guard-fault addr=0x7f0012345e00 access=WRITE buffer=pcm offset=7680
 *   size=7680 relation=after-end by=0 signal=SIGSEGV
 * (one line); a fault outside every guarded buffer is
 *   guard-fault addr=0x10 access=READ buffer=none signal=SIGSEGV */
size_t oh_guard_format_fault(const oh_guard_fault *f, char *buf, size_t cap);

/* Parses such a line (leading blanks and a trailing newline allowed,
 * unknown keys ignored). OH_OK or OH_ERR_MALFORMED. */
int oh_guard_parse_fault(const char *line, oh_guard_fault *f);

/* Installs the SIGSEGV/SIGBUS handler that writes the line to fd, restores
 * the default action and lets the fault repeat, so the process still dies
 * of the original signal. Runs on an alternate signal stack: the calling
 * thread's existing one if big enough (ASan installs one), else a new one;
 * other threads need their own sigaltstack to survive a stack overflow.
 * Installed after ASan's handler it takes precedence (ASan's default
 * allow_user_segv_handler=1); ASan's own SEGV report is then not printed.
 * READ/WRITE comes from the x86_64 page-fault error code; elsewhere the
 * access is UNKNOWN. */
int oh_guard_install_handler(int fd);

#ifdef __cplusplus
}
#endif
#endif
