/* gnuplot, the one module that spawns it.  Scripts are written to a private
 * temporary folder and run by gnuplot found at run time; every piece of text
 * that reaches a script goes through gp_quote() or gp_datum(), which
 * neutralize what gnuplot could treat as commands. */
#ifndef NB_GNUPLOT_H
#define NB_GNUPLOT_H

#include <stdio.h>

#include "util/util.h"

/* The gnuplot to run: $NPUBENCH_GNUPLOT when set, else the first
 * executable "gnuplot" in an absolute folder of PATH, else the one configure
 * found.  Returns a malloc'd path, or NULL after reporting that it is
 * missing (naming the Debian package). */
char *gnuplot_find(void);

/* TEXT made fit to show (malloc'd): control characters (newlines, tabs,
 * escape, C1) become spaces, bytes that are not UTF-8 become '?', and the
 * result is at most MAX bytes (cut on a UTF-8 boundary, "..." appended).
 * MAX 0: no limit.  Quotes, backslashes and the like are kept: gp_quote()
 * makes any of them a literal. */
char *gp_clean(const char *text, size_t max);
/* Appends TEXT, cleaned, as a double-quoted gnuplot string literal that
 * reads back as exactly that text: everything but letters, digits and
 * harmless punctuation is an octal escape, so no quote, backslash,
 * backtick, macro ('@'), or format ('%') is ever seen by gnuplot. */
void gp_quote(struct strbuf *sb, const char *text);
/* gp_quote() for an explicit tic label, which gnuplot uses as a number
 * format: '%' is doubled too, so user text is never a format. */
void gp_quote_tic(struct strbuf *sb, const char *text);
/* Appends TEXT as one double-quoted column of an inline data block:
 * cleaned, so that it can neither end the block nor the column. */
void gp_datum(struct strbuf *sb, const char *text);

/* The script line an error message from gnuplot points at ("... line 12:
 * ..."), or 0 when it names none. */
int gnuplot_error_line(const char *message);

/* Runs SCRIPT with gnuplot.  What gnuplot writes to its standard output
 * (the chart) goes to OUT_PATH, replaced atomically, or to stdout when
 * OUT_PATH is NULL.  On failure reports gnuplot's message with the script
 * line it names and returns -1; nothing is written. */
int gnuplot_run(const char *script, const char *out_path);
/* gnuplot_run(), the chart kept in memory: *CHART (malloc'd, *CHART_LEN
 * bytes, NUL-terminated) on success. */
int gnuplot_capture(const char *script, char **chart, size_t *chart_len);

#endif
