/* Rows of results for people (aligned text) and for tools (CSV). */
#ifndef NB_TABLE_H
#define NB_TABLE_H

#include <stdio.h>

#include "targets/result.h"

/* Throughput in its unit with an SI prefix ("1.23 TFLOP/s"), or "-". */
void result_throughput_text(const struct nb_result *r, char *buf, size_t n);
/* The one-line note: bound and utilization, verification, or why not. */
void result_note_text(const struct nb_result *r, char *buf, size_t n);

/* The aligned run table: header, then one row per result. */
/* The case as a reader sees it (placeholders left out, see
 * case_format_label); malloc'd.  Machine formats keep the canonical text. */
char *result_label(const struct nb_result *r);
void table_header(FILE *f, int case_width);
void table_row(FILE *f, const struct nb_result *r, int case_width);

struct nb_run;

/* The CSV columns of results (RFC 4180, full precision, CRLF), documented in
 * doc/export.md; stable: new columns are only ever appended.  After the
 * fixed columns come one column per case parameter in PARAMS, named
 * "param_NAME" (empty when a result's case lacks it); `run --format csv`
 * streams rows and passes none. */
void csv_header(FILE *f, char *const *params, int nparams);
void csv_row(FILE *f, const struct nb_result *r, const struct nb_run *run,
	     char *const *params, int nparams);
/* The same without the record's CRLF, for writers that append columns. */
void csv_header_fields(FILE *f, char *const *params, int nparams);
void csv_row_fields(FILE *f, const struct nb_result *r, const struct nb_run *run,
		    char *const *params, int nparams);
/* The parameter names of RS[0..n), in order of first appearance; *names and
 * each name are malloc'd. */
void csv_param_names(const struct nb_result *rs, int n, char ***names, int *count);

/* Markdown: a pipe table of results ('|' and line breaks escaped). */
void md_header(FILE *f);
void md_row(FILE *f, const struct nb_result *r);
/* Writes S as Markdown table cell text. */
void md_text(FILE *f, const char *s);
/* Writes S as one CSV field, quoted when needed. */
void csv_field(FILE *f, const char *s);

#endif
