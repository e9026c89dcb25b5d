/* Output formats: the one table of formats and the one parser of --format
 * that every command uses, and a writer of flat records (listings) in each
 * of them. */
#ifndef NB_FORMAT_H
#define NB_FORMAT_H

#include <stdio.h>

enum nb_format {
	NB_FMT_TABLE,		/* aligned text for people ("text" is its other name) */
	NB_FMT_CSV,		/* RFC 4180 */
	NB_FMT_JSON,
	NB_FMT_MARKDOWN,	/* pipe tables ("md") */
	NB_FMT_PROMETHEUS,	/* text exposition format, where a command has metrics */
	NB_FMT_COUNT
};

#define NB_FMT(f) (1u << (f))
#define NB_FMTS_LISTING (NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_CSV) | NB_FMT(NB_FMT_JSON) | \
			 NB_FMT(NB_FMT_MARKDOWN))

struct nb_format_desc {
	enum nb_format id;
	const char *name;
	const char *alias;	/* a second spelling, or NULL */
};

extern const struct nb_format_desc nb_formats[NB_FMT_COUNT];

const char *format_name(enum nb_format f);
/* Parses ARG as one of the formats in ALLOWED (NB_FMT bits) into *OUT.
 * Returns 0, or -1 with MSG set to "--format 'x': unknown format (use a, b
 * or c)". */
int format_parse(const char *arg, unsigned allowed, enum nb_format *out, char *msg, size_t n);

/* A column of a listing. */
enum nb_col_type { NB_COL_STR, NB_COL_INT, NB_COL_NUM, NB_COL_BOOL };

#define NB_COL_QUOTED 1u	/* csv: always quoted */
#define NB_COL_NO_TABLE 2u	/* not shown in the table (csv and json only) */

struct nb_col {
	const char *name;	/* csv header and json key */
	enum nb_col_type type;
	const char *title;	/* table header; NULL: NAME */
	int width;		/* table: > 0 right-aligned, < 0 left-aligned, 0 as is */
	int trunc;		/* table: at most this many bytes of text (0: all) */
	unsigned flags;
};

/* One cell: TEXT for the table, csv and markdown (NULL: NUM written
 * plainly); NUM for json numbers and booleans; NUL for null/empty. */
struct nb_cell {
	const char *text;
	double num;
	int null;
};

#define NB_REC_NO_HEADER 1u	/* table: no header line */

struct nb_records;

/* Starts a listing of COLS[0..n) on F.  SEP separates table columns. */
struct nb_records *records_begin(FILE *f, enum nb_format fmt, const struct nb_col *cols, int n,
				 const char *sep, unsigned flags);
void records_row(struct nb_records *w, const struct nb_cell *cells);
/* Ends the listing (json: prints the array) and frees W. */
void records_end(struct nb_records *w);

/* For each of the N KEYS of the JSON object TEXT, its number, or the sum of
 * the numbers of the object it names (0 when absent), into OUT[i].  -1 when
 * TEXT is not a JSON object. */
int json_key_sums(const char *text, const char *const *keys, int n, double *out);

#endif
