/* validate --measurements collectives: each row of a collective
 * measurements file (data/collective-measurements.csv) predicted by the
 * collective model on its chip, in nccl-tests' bandwidth conventions. */
#include "npubench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/validate.h"
#include "model/collective.h"
#include "model/profile.h"
#include "util/csv.h"
#include "util/util.h"

enum { C_SYSTEM, C_RANKS, C_OP, C_METRIC, C_VALUE, C_UNIT, C_CHIP, C_BYTES, C_ALGO, C_CONFIG, NCOL };
static const char *const colnames[NCOL] = {
	"system", "ranks", "collective", "metric", "value", "unit", "chip", "bytes", "algo", "config",
};
/* Columns a file may lack. */
static const int col_optional[NCOL] = { [C_ALGO] = 1, [C_CONFIG] = 1 };

/* The source's spelling of an operation: "all-reduce", "all_reduce", "allreduce". */
static int parse_op(const char *text)
{
	char buf[32];
	size_t j = 0;

	for (; *text && j + 1 < sizeof(buf); text++)
		if (*text != '-' && *text != '_' && *text != ' ')
			buf[j++] = *text;
	buf[j] = '\0';
	for (int op = 0; op < NB_COLL_NOPS; op++)
		if (!strcasecmp(buf, coll_op_name((enum nb_coll_op)op)))
			return op;
	return -1;
}

static int parse_algo(const char *text)
{
	for (int a = 0; a < NB_ALGO_NALGOS; a++)
		if (!strcmp(text, coll_algo_name((enum nb_coll_algo)a)))
			return a;
	return -1;
}

/* Predicts one row into O; skipped (O->predicted 0) with the reason in the note. */
static void predict_row(const struct nb_profiles *set, char **f, struct outcome *o)
{
	const struct nb_profile *p = profiles_find(set, f[C_CHIP]);
	struct nb_interconnect ic;
	struct nb_coll_pred pr;
	int64_t ranks, bytes;
	int op = parse_op(f[C_OP]), algo = parse_algo(*f[C_ALGO] ? f[C_ALGO] : "auto");
	double value;
	int alg = strstr(f[C_METRIC], "algorithm") != NULL;

	o->family = "collective";
	o->unit = f[C_UNIT];
	if (strcmp(f[C_UNIT], "GB/s") || (!alg && !strstr(f[C_METRIC], "bus")))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: expected a bus or algorithm bandwidth in GB/s");
	if (nb_parse_double(f[C_VALUE], &value) || !(value > 0))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: value is not a positive number");
	o->measured = value;
	if (!p)
		return (void)snprintf(o->note, sizeof(o->note), "skipped: no profile '%s'", f[C_CHIP]);
	o->profile = profile_id(p);
	if (op < 0 || algo < 0 || nb_parse_i64(f[C_RANKS], &ranks) || ranks < 2 ||
	    nb_parse_i64(f[C_BYTES], &bytes) || bytes < 1)
		return (void)snprintf(o->note, sizeof(o->note), "skipped: collective, ranks, bytes or algo not understood");
	if (profile_interconnect(p, &ic))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: the profile has no interconnect.scale_up");
	if (*f[C_CONFIG] && coll_interconnect_override(&ic, f[C_CONFIG], o->note, sizeof(o->note)))
		return;
	coll_predict(&ic, (enum nb_coll_op)op, (double)bytes, (int)ranks, (enum nb_coll_algo)algo, &pr);
	if (!pr.ok)
		return (void)snprintf(o->note, sizeof(o->note), "skipped: %s", pr.reason);
	o->prediction = (alg ? pr.algbw : pr.busbw) / 1e9;
	o->predicted = 1;
	o->err = (o->prediction - o->measured) / o->measured;
	o->bound = coll_algo_name(pr.algo);
	snprintf(o->note, sizeof(o->note), "%s%s%s", f[C_CONFIG], *f[C_CONFIG] ? "; " : "",
		 alg ? "algbw" : "busbw");
}

/* The header line of PATH names the collective columns. */
int validate_is_collectives(const char *path)
{
	return validate_header_is(path, "system,ranks,collective,");
}

int validate_collectives(const char *path, const struct nb_profiles *set, const char *format,
			 double max_median, double max_error)
{
	char *text = NULL, *save = NULL, *line;
	struct outcome *o = NULL;
	int col[NCOL], n = 0, lineno = 0, ret = NB_EXIT_FAIL;
	size_t len;

	if (nb_read_file(path, 16 << 20, &text, &len))
		return NB_EXIT_FAIL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[32], *fields[NCOL];
		int nf = csv_split(line, f, (int)NB_ARRAY_SIZE(f));

		if (++lineno == 1) {
			if (validate_columns(path, "see data/collective-measurements.md",
					     f, nf, colnames, col_optional, NCOL, col))
				goto out;
			continue;
		}
		for (int c = 0; c < NCOL; c++)
			fields[c] = col[c] >= 0 && col[c] < nf ? f[col[c]] : (char *)"";
		o = xrealloc(o, (size_t)(n + 1) * sizeof(*o));
		memset(&o[n], 0, sizeof(o[n]));
		o[n].line = lineno;
		o[n].chip = xstrdup(fields[C_SYSTEM]);
		predict_row(set, fields, &o[n]);
		o[n].unit = xstrdup(o[n].unit);
		n++;
	}
	ret = validate_report(o, n, path, format, max_median, max_error);
out:
	validate_outcomes_free(o, n);
	free(text);
	return ret;
}
