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
void table_header(FILE *f, int case_width);
void table_row(FILE *f, const struct nb_result *r, int case_width);

/* The CSV columns of results (RFC 4180, full precision); stable: new
 * columns are only ever appended. */
void csv_header(FILE *f);
void csv_row(FILE *f, const struct nb_result *r, int64_t run_id, const char *run_uuid);
/* Writes S as one CSV field, quoted when needed. */
void csv_field(FILE *f, const char *s);

#endif
