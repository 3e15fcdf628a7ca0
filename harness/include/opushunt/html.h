/* HTML text escaping shared by every page opushunt writes (the triage page
 * and the nightly report): markup characters as entities, well-formed UTF-8
 * as is, control bytes and invalid UTF-8 as a visible \\xNN. */
#ifndef OPUSHUNT_HTML_H
#define OPUSHUNT_HTML_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes s escaped for HTML text and attribute values; NULL writes nothing. */
void oh_html_write_escaped(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif
#endif
