/* Small helpers of the nightly report: reading numbers and strings out of
 * a summary tree, HTML escaping, links that stay inside the report folder,
 * and compact number formatting. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nightly.h"
#include "opushunt/html.h"

double oh_nightly_num(const oh_jv *v) {
  return v && v->type == OH_JV_NUMBER ? v->number : NAN;
}

const char *oh_nightly_str(const oh_jv *v, const char *dflt) {
  const char *s = oh_jv_str(v);
  return s ? s : dflt;
}

void oh_nightly_esc(FILE *f, const char *str) { oh_html_write_escaped(f, str); }

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
