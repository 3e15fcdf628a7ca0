/* WAV writer and header parser (see wav.h). Samples are written little-
 * endian as the format requires; the header is rewritten with the final
 * sizes on close, then the temporary file is renamed over the target. */
#define _GNU_SOURCE
#include "opushunt/wav.h"

#include "opushunt/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oh_wav {
  oh_outfile out;
  int rate, channels;
  oh_sample_format sample;
  uint64_t data_bytes;
};

static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static unsigned rd16(const uint8_t *p) { return p[0] | (unsigned)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) {
  return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int bytes_per_sample(oh_sample_format s) { return s == OH_SAMPLE_FLOAT ? 4 : 2; }

/* Builds the header: plain PCM/float fmt for 1-2 channels (float adds the
 * fact chunk WAVE requires for non-PCM), WAVE_FORMAT_EXTENSIBLE beyond. */
static size_t build_header(const oh_wav *w, uint8_t *h) {
  int bps = bytes_per_sample(w->sample);
  int ext = w->channels > 2;
  uint32_t fmt_len = ext ? 40 : (w->sample == OH_SAMPLE_FLOAT ? 18 : 16);
  int fact = w->sample == OH_SAMPLE_FLOAT || ext;
  uint32_t data = w->data_bytes > 0xFFFFFFF0u ? 0xFFFFFFF0u : (uint32_t)w->data_bytes;
  size_t n = 12;
  memcpy(h, "RIFF", 4);
  memcpy(h + 8, "WAVE", 4);
  memcpy(h + n, "fmt ", 4);
  le32(h + n + 4, fmt_len);
  le16(h + n + 8, ext ? 0xFFFE : (w->sample == OH_SAMPLE_FLOAT ? 3 : 1));
  le16(h + n + 10, (unsigned)w->channels);
  le32(h + n + 12, (uint32_t)w->rate);
  le32(h + n + 16, (uint32_t)(w->rate * w->channels * bps));
  le16(h + n + 20, (unsigned)(w->channels * bps));
  le16(h + n + 22, (unsigned)(8 * bps));
  if (fmt_len >= 18) le16(h + n + 24, ext ? 22 : 0);
  if (ext) {
    static const uint8_t guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                          0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    le16(h + n + 26, (unsigned)(8 * bps));
    le32(h + n + 28, 0); /* no speaker positions claimed */
    le16(h + n + 32, w->sample == OH_SAMPLE_FLOAT ? 3 : 1);
    memcpy(h + n + 34, guid_tail, sizeof guid_tail);
  }
  n += 8 + fmt_len;
  if (fact) {
    memcpy(h + n, "fact", 4);
    le32(h + n + 4, 4);
    le32(h + n + 8, (uint32_t)(w->data_bytes / (uint64_t)(w->channels * bps)));
    n += 12;
  }
  memcpy(h + n, "data", 4);
  le32(h + n + 4, data);
  n += 8;
  le32(h + 4, (uint32_t)(n - 8 + data));
  return n;
}

int oh_wav_open(oh_wav **out, const char *path, int rate, int channels,
                oh_sample_format sample, const char *protect, oh_error *err) {
  oh_wav *w;
  uint8_t hdr[128];
  int rc;
  *out = NULL;
  if (strcmp(path, "-") == 0)
    return oh_fail(err, OH_ERR_ARG, OH_NO_OFFSET, "WAV output needs a file name");
  w = calloc(1, sizeof *w);
  if (!w) return oh_fail(err, OH_ERR_NOMEM, OH_NO_OFFSET, "out of memory");
  w->rate = rate;
  w->channels = channels;
  w->sample = sample;
  if ((rc = oh_outfile_open(&w->out, path, protect, err)) != OH_OK) {
    free(w);
    return rc;
  }
  /* A placeholder header; oh_wav_close rewrites it with the real sizes. */
  if (fwrite(hdr, 1, build_header(w, hdr), w->out.f) == 0) {
    oh_wav_abort(w);
    return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "write %s failed", path);
  }
  *out = w;
  return OH_OK;
}

int oh_wav_write(oh_wav *w, const void *samples, size_t frames, oh_error *err) {
  size_t n = frames * (size_t)w->channels, i;
  const uint8_t *src = samples;
  int bps = bytes_per_sample(w->sample);
  uint8_t buf[4096];
  size_t fill = 0;
  /* Serialise little-endian explicitly: the format is LE on every host. */
  for (i = 0; i < n; i++) {
    if (bps == 2) {
      int16_t v;
      memcpy(&v, src + 2 * i, 2);
      le16(buf + fill, (uint16_t)v);
    } else {
      uint32_t v;
      memcpy(&v, src + 4 * i, 4);
      le32(buf + fill, v);
    }
    fill += (size_t)bps;
    if (fill == sizeof buf || i + 1 == n) {
      if (fwrite(buf, 1, fill, w->out.f) != fill)
        return oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "write %s: %s", w->out.path,
                       strerror(errno));
      fill = 0;
    }
  }
  w->data_bytes += (uint64_t)n * (uint64_t)bps;
  return OH_OK;
}

int oh_wav_close(oh_wav *w, oh_error *err) {
  uint8_t hdr[128];
  size_t n = build_header(w, hdr);
  int rc;
  if (fseek(w->out.f, 0, SEEK_SET) != 0 || fwrite(hdr, 1, n, w->out.f) != n) {
    rc = oh_fail(err, OH_ERR_IO, OH_NO_OFFSET, "rewriting the header of %s: %s",
                 w->out.path, strerror(errno));
    oh_wav_abort(w);
    return rc;
  }
  rc = oh_outfile_commit(&w->out, err);
  free(w);
  return rc;
}

void oh_wav_abort(oh_wav *w) {
  if (!w) return;
  oh_outfile_abort(&w->out);
  free(w);
}

static int parse_fmt(const uint8_t *p, uint32_t sz, uint64_t off, oh_wav_info *info,
                     oh_error *err) {
  if (sz < 16) return oh_fail(err, OH_ERR_MALFORMED, off, "fmt chunk of %u bytes, need 16", sz);
  info->format_tag = (int)rd16(p);
  info->channels = (int)rd16(p + 2);
  info->rate = rd32(p + 4);
  info->bits = (int)rd16(p + 14);
  info->sub_format = info->format_tag;
  if (info->format_tag == 0xFFFE) {
    if (sz < 40)
      return oh_fail(err, OH_ERR_MALFORMED, off, "extensible fmt chunk of %u bytes, need 40", sz);
    info->sub_format = (int)rd16(p + 24);
  }
  if (info->channels < 1) return oh_fail(err, OH_ERR_MALFORMED, off + 2, "0 channels");
  if (info->sub_format != 1 && info->sub_format != 3)
    return oh_fail(err, OH_ERR_UNSUPPORTED, off, "format tag %d", info->sub_format);
  return OH_OK;
}

int oh_wav_parse(const uint8_t *buf, size_t len, oh_wav_info *info, oh_error *err) {
  size_t pos = 12;
  int have_fmt = 0;
  memset(info, 0, sizeof *info);
  if (len < 12 || memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
    return oh_fail(err, OH_ERR_MALFORMED, 0, "not a RIFF/WAVE file");
  if ((uint64_t)rd32(buf + 4) + 8 != len)
    return oh_fail(err, OH_ERR_MALFORMED, 4, "RIFF size %u does not match file size %zu",
                   rd32(buf + 4), len);
  while (pos + 8 <= len) {
    uint32_t sz = rd32(buf + pos + 4);
    if (sz > len - pos - 8)
      return oh_fail(err, OH_ERR_TRUNCATED, pos, "chunk of %u bytes overruns the file", sz);
    if (memcmp(buf + pos, "fmt ", 4) == 0) {
      int rc = parse_fmt(buf + pos + 8, sz, pos + 8, info, err);
      if (rc) return rc;
      have_fmt = 1;
    } else if (memcmp(buf + pos, "data", 4) == 0) {
      if (!have_fmt) return oh_fail(err, OH_ERR_MALFORMED, pos, "data chunk before fmt");
      info->data_offset = pos + 8;
      info->data_bytes = sz;
      info->frames = sz / (uint64_t)(info->channels * (info->bits / 8 ? info->bits / 8 : 1));
      return OH_OK;
    }
    pos += 8 + (size_t)sz + (sz & 1);
  }
  return oh_fail(err, OH_ERR_MALFORMED, pos, "no data chunk");
}
