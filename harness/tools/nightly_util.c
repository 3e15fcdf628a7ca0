/* Small helpers of the nightly report: reading numbers and strings out of
 * a summary tree, HTML escaping, links that stay inside the report folder,
 * and compact number formatting. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nightly.h"

double oh_nightly_num(const oh_jv *v) {
  return v && v->type == OH_JV_NUMBER ? v->number : NAN;
}

const char *oh_nightly_str(const oh_jv *v, const char *dflt) {
  const char *s = oh_jv_str(v);
  return s ? s : dflt;
}

/* The length of the well-formed UTF-8 sequence at s, else 0. */
static size_t utf8_len(const unsigned char *s) {
  size_t n, i;
  unsigned char lo = 0x80, hi = 0xBF;
  if (s[0] < 0xC2 || s[0] > 0xF4) return 0;
  n = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
  if (s[0] == 0xE0) lo = 0xA0;
  else if (s[0] == 0xED) hi = 0x9F;
  else if (s[0] == 0xF0) lo = 0x90;
  else if (s[0] == 0xF4) hi = 0x8F;
  if (s[1] < lo || s[1] > hi) return 0;
  for (i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return n;
}

void oh_nightly_esc(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  size_t u;
  if (!s) return;
  while (*s) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else if (*s == '"') fputs("&quot;", f);
    else if (*s == '\'') fputs("&#39;", f);
    else if (*s == '\n' || *s == '\t' || (*s >= 0x20 && *s < 0x7F)) fputc(*s, f);
    else if ((u = utf8_len(s)) > 0) {
      fwrite(s, 1, u, f);
      s += u;
      continue;
    } else fprintf(f, "\\x%02x", *s);
    s++;
  }
}

int oh_nightly_link_ok(const char *rel) {
  const char *p;
  if (!rel || !*rel || rel[0] == '/' || strchr(rel, '\\') || strchr(rel, ':')) return 0;
  for (p = rel; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7F) return 0;
  /* no ".." path component anywhere */
  for (p = rel; (p = strstr(p, "..")) != NULL; p += 2)
    if ((p == rel || p[-1] == '/') && (p[2] == '\0' || p[2] == '/')) return 0;
  return 1;
}

void oh_nightly_href(FILE *f, const char *rel) {
  const unsigned char *s = (const unsigned char *)rel;
  for (; *s; s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
        strchr("/._-~#", *s))
      fputc(*s, f);
    else fprintf(f, "%%%02X", *s);
  }
}

const char *oh_nightly_fmt_count(double v, char *buf, size_t cap) {
  if (isnan(v)) snprintf(buf, cap, "-");
  else if (fabs(v) >= 1e9) snprintf(buf, cap, "%.2f G", v / 1e9);
  else if (fabs(v) >= 1e6) snprintf(buf, cap, "%.2f M", v / 1e6);
  else if (fabs(v) >= 1e4) snprintf(buf, cap, "%.1f k", v / 1e3);
  else if (v == floor(v)) snprintf(buf, cap, "%.0f", v);
  else snprintf(buf, cap, "%.1f", v);
  return buf;
}
