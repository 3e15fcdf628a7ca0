/* Private pieces shared by the sanitizer-report parser's files: the parse
 * context, the line reader that strips Valgrind/sanitizer "==PID==" prefixes,
 * the string arena, number scanners and the per-format entry points. */
#ifndef OPUSHUNT_SANREPORT_IMPL_H
#define OPUSHUNT_SANREPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "opushunt/sanreport.h"

/* Longer lines are cut: nothing worth reading in a report is this long,
 * and a fixed buffer keeps every scanner on NUL-terminated text. */
#define OH_SAN_LINE_MAX 4096

typedef struct oh_san_ctx {
  const uint8_t *buf;
  size_t len;
  oh_san_iter *it;  /* remembers the Valgrind tool named by a preamble */
  oh_san_report *r; /* being filled */
  int nomem;        /* an arena allocation failed */
} oh_san_ctx;

typedef struct oh_san_line {
  size_t begin;    /* offset of the line's first byte */
  size_t next;     /* offset of the line after it */
  int complete;    /* ended by '\n' rather than by the end of input */
  char prefix;     /* '=', '-' or '*' for "==PID==", "--PID--", "**PID**"; 0 */
  long pid;        /* from the prefix, else 0 */
  int indent;      /* spaces after the prefix (or at the start) */
  const char *s;   /* text after prefix and indentation */
  char text[OH_SAN_LINE_MAX]; /* NUL bytes read as '?', '\r' dropped */
} oh_san_line;

typedef enum oh_san_header {
  OH_SAN_H_NONE = 0,
  OH_SAN_H_LLVM,      /* "ERROR: AddressSanitizer: ..." and kin */
  OH_SAN_H_UBSAN,     /* "file:line:col: runtime error: ..." */
  OH_SAN_H_LIBFUZZER, /* "ERROR: libFuzzer: ..." */
  OH_SAN_H_ALARM,     /* "ALARM: working on the last Unit for N seconds" */
  OH_SAN_H_ASSERT,    /* celt_fatal() or glibc assert() message */
  OH_SAN_H_VALGRIND,  /* a Valgrind error headline */
  OH_SAN_H_XML        /* "<error>" or "<fatal_signal>" */
} oh_san_header;

/* Reads the line at pos; 0 at the end of input. */
int oh_san_read_line(const oh_san_ctx *c, size_t pos, oh_san_line *l);

/* Which report, if any, this line opens. May read the next line. */
oh_san_header oh_san_classify(const oh_san_ctx *c, const oh_san_line *l);

/* Copies n bytes (or a C string) into the report's arena; NULL on failure
 * (and c->nomem set). */
const char *oh_san_keep(oh_san_ctx *c, const char *s, size_t n);
const char *oh_san_keep_str(oh_san_ctx *c, const char *s);

/* The next free frame of st, or NULL (counted in omitted) when full. */
oh_san_frame *oh_san_stack_push(oh_san_stack *st);

/* "0x" and hex digits; decimal digits, with thousands separators when
 * commas is set. Values saturate at UINT64_MAX. *end is past the digits. */
int oh_san_scan_hex(const char *s, uint64_t *v, const char **end);
int oh_san_scan_dec(const char *s, int commas, uint64_t *v, const char **end);
int oh_san_clamp_int(uint64_t v);

/* Pointer just past needle in s, or NULL. */
const char *oh_san_after(const char *s, const char *needle);
int oh_san_starts(const char *s, const char *prefix);

/* Splits "path:LINE[:COL]" (n bytes) into its parts; 0 when it has no line. */
int oh_san_split_location(const char *s, size_t n, size_t *file_len,
                          int *line, int *column);

/* Frame lines: "#N 0xPC in fn file:l:c" / "#N fn file:l:c (mod+0x..)"
 * (LLVM) and "at 0xPC: fn (file:l)" / "by 0xPC: fn (in /mod)" (Valgrind). */
int oh_san_parse_llvm_frame(oh_san_ctx *c, const char *s, oh_san_frame *f);
int oh_san_parse_vg_frame(oh_san_ctx *c, const char *s, oh_san_frame *f);

/* Kind from a UBSan message, a Valgrind headline, a Valgrind XML <kind>. */
oh_san_kind oh_san_ubsan_kind(const char *msg);
oh_san_kind oh_san_signal_kind(const char *signame);

/* Body parsers: fill c->r from the header line on and return the offset
 * just past the report. */
size_t oh_san_parse_llvm(oh_san_ctx *c, const oh_san_line *hdr);
size_t oh_san_parse_ubsan(oh_san_ctx *c, const oh_san_line *hdr);
size_t oh_san_parse_libfuzzer(oh_san_ctx *c, const oh_san_line *hdr);
size_t oh_san_parse_assert(oh_san_ctx *c, const oh_san_line *hdr);
size_t oh_san_parse_valgrind(oh_san_ctx *c, const oh_san_line *hdr);
size_t oh_san_parse_xml(oh_san_ctx *c, const oh_san_line *hdr);

/* Header line predicates the classifier and body parsers share. */
int oh_san_is_valgrind_headline(const oh_san_line *l, const oh_san_line *next);
int oh_san_is_valgrind_continuation(const char *s);

/* Parses one report starting at the header line (dispatch by type). */
size_t oh_san_parse_at(oh_san_ctx *c, const oh_san_line *hdr,
                       oh_san_header type);

/* Sets the region from "N bytes after|before|inside ... M" pieces. */
void oh_san_set_region(oh_san_report *r, oh_san_relation rel,
                       uint64_t distance, uint64_t size);

#endif
