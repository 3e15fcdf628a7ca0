/* HTML text escaping (html.h): one definition for every page opushunt
 * writes, so a hostile string in a crash report is escaped the same way in
 * the triage page and the nightly report. */
#include "opushunt/html.h"

#include "opushunt/json.h"

void oh_html_write_escaped(FILE *f, const char *str) {
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
    else if ((u = oh_utf8_len(s)) > 0) {
      fwrite(s, 1, u, f);
      s += u;
      continue;
    } else fprintf(f, "\\x%02x", *s);
    s++;
  }
}
