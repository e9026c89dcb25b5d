/* HTML for the self-contained report page: escaping, the Markdown that the
 * tables commands print turned into HTML tables, and gnuplot's SVG made fit
 * to sit inline.  Every byte of data passes through html_text(). */
#ifndef NB_HTML_H
#define NB_HTML_H

#include "util/util.h"

/* Appends TEXT with &, <, >, " and ' escaped, control characters as
 * spaces and bytes that are not UTF-8 as U+FFFD. */
void html_text(struct strbuf *sb, const char *text);
/* Appends "<TAG>TEXT</TAG>" with TEXT escaped. */
void html_elem(struct strbuf *sb, const char *tag, const char *text);

/* Appends MD (the Markdown subset `compare chips --format markdown`
 * prints: "##" headings, pipe tables, "- " lists, paragraphs) as HTML;
 * the section whose heading is SKIP (or none when NULL) is left out.
 * Headings are demoted by one level so that the page's own stay above. */
void html_markdown(struct strbuf *sb, const char *md, const char *skip);

/* Appends the SVG document gnuplot wrote (SVG) as an inline <svg>
 * element: the XML prolog and doctype dropped, element ids prefixed with
 * PREFIX so that several charts on one page never share one, and nothing
 * active kept (a <script> or an event attribute fails: -1).  Returns 0, or
 * -1 when SVG holds no <svg> element or anything active. */
int html_inline_svg(struct strbuf *sb, const char *svg, const char *prefix);

#endif
