/* Whole-file input and safe output: read a file into memory with a size
 * limit, and write outputs through a temporary file renamed into place so a
 * failed run never leaves a half-written file or touches the input. */
#ifndef OPUSHUNT_FILE_H
#define OPUSHUNT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "opushunt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest input file read by default: 1 GiB. */
#define OH_MAX_INPUT_FILE ((size_t)1 << 30)

/* Reads path ("-" is standard input) into a malloc'd buffer (*data, *len).
 * A buffer is always allocated, even for an empty file. */
int oh_file_read(const char *path, size_t max_len, uint8_t **data,
                 size_t *len, oh_error *err);

/* Writes data to path atomically (temporary file in the same directory,
 * then rename). Refuses to overwrite the file named by protect (the input),
 * which may be NULL. */
int oh_file_write(const char *path, const void *data, size_t len,
                  const char *protect, oh_error *err);

/* An output file written through a temporary sibling and renamed into
 * place by commit, so readers never see a torn file. "-" is stdout. */
typedef struct oh_outfile {
  FILE *f;
  int is_stdout;
  char path[4096];
  char tmp[4096 + 16];
} oh_outfile;

int oh_outfile_open(oh_outfile *o, const char *path, const char *protect,
                    oh_error *err);
int oh_outfile_commit(oh_outfile *o, oh_error *err);
void oh_outfile_abort(oh_outfile *o);

#ifdef __cplusplus
}
#endif
#endif
