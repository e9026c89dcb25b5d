/* validate --measurements workloads: published training step times, MFUs
 * and serving throughputs (data/workload-measurements.csv), each row's
 * configuration as a train or infer case predicted on its chip. */
#include "npubench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/validate.h"
#include "kernels/workload.h"
#include "model/compose.h"
#include "model/profile.h"
#include "util/csv.h"
#include "util/util.h"

enum { C_SYSTEM, C_METRIC, C_VALUE, C_UNIT, C_TARGET, C_CASE, C_ASSUMED, C_SPLIT, NCOL };
static const char *const colnames[NCOL] = {
	"chips", "metric", "value", "unit", "target", "case", "assumed", "split",
};
/* Columns a file may lack (every row then counts in the summary). */
static const int col_optional[NCOL] = { [C_SPLIT] = 1 };

/* The metric a row reports, from the prediction: MFU in percent, the step
 * time, tokens per second (per card when the unit says so), or model FLOP/s
 * per GPU as Narayanan et al. 2021 count them (recomputation included,
 * their equation 3): the hardware FLOPs.  A decode throughput is the
 * decode phase's (the batch's tokens of one step over the time per output
 * token: serving systems and llama-bench's tg report it without the
 * prompt), a generation throughput the whole generation's (prefill
 * included, as gpt-fast times it).  BATCH is the infer case's. */
static int metric_value(const char *metric, const char *unit, const struct nb_wl_result *r, int64_t batch,
			double *out)
{
	double per = strstr(unit, "per card") ? r->chips : 1;

	if (!strcmp(metric, "MFU") && !strcmp(unit, "%"))
		*out = 100 * r->mfu;
	else if (!strcmp(metric, "step time") && !strcmp(unit, "s"))
		*out = r->step_s;
	else if (strstr(metric, "FLOP/s per GPU") && !strcmp(unit, "TFLOP/s"))
		*out = r->hfu * r->peak / 1e12;
	else if (!strcmp(metric, "decode throughput") && !strncmp(unit, "tokens/s", 8) && batch > 0 && r->tpot_s > 0)
		*out = batch / r->tpot_s / per;
	else if (!strcmp(metric, "generation throughput") && !strncmp(unit, "tokens/s", 8))
		*out = r->tokens_per_s / per;
	else
		return -1;
	return 0;
}

static void predict_row(const struct nb_profiles *set, char **f, struct outcome *o)
{
	const struct nb_profile *p;
	struct nb_prediction pr;
	struct nb_wl_result r;
	struct nb_workload w;
	struct nb_case c;
	int64_t batch = 0;
	double value, got;
	char msg[256];

	o->family = "workload";
	o->unit = f[C_UNIT];
	if (nb_parse_double(f[C_VALUE], &value) || !(value > 0))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: value is not a positive number");
	o->measured = value;
	if (!*f[C_CASE])
		return (void)snprintf(o->note, sizeof(o->note), "%.200s",
				      *f[C_ASSUMED] ? f[C_ASSUMED] : "skipped: no case");
	if (!(p = profiles_find(set, f[C_TARGET])))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: no profile '%s'", f[C_TARGET]);
	o->profile = profile_id(p);
	if (case_parse(f[C_CASE], &c, msg, sizeof(msg)) || case_check(&c, msg, sizeof(msg)))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: %.200s", msg);
	o->family = c.kernel->name;
	compose_predict(&c, p, &pr, &r);
	if (pr.status != NB_PRED_OK) {
		snprintf(o->note, sizeof(o->note), "skipped: %.200s", pr.reason);
		prediction_release(&pr);
		return;
	}
	prediction_release(&pr);
	if (c.kernel == kernel_find("infer") && !workload_resolve(&c, &w, msg, sizeof(msg)))
		batch = w.batch;
	if (metric_value(f[C_METRIC], f[C_UNIT], &r, batch, &got))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: metric '%s' in %s not understood",
				      f[C_METRIC], f[C_UNIT]);
	o->prediction = got;
	o->predicted = 1;
	o->err = (got - value) / value;
	o->bound = pr.bound;
	if (c.kernel == kernel_find("infer"))
		snprintf(o->note, sizeof(o->note), "TTFT %.3g s, TPOT %.3g ms; assumed: %.150s", r.ttft_s,
			 1e3 * r.tpot_s, f[C_ASSUMED]);
	else
		snprintf(o->note, sizeof(o->note), "step %.3g s, MFU %.1f%%; assumed: %.150s", r.step_s,
			 100 * r.mfu, f[C_ASSUMED]);
}

/* A holdout row (split=holdout) is predicted but kept out of the summary
 * and the thresholds: nothing was fitted to it, and its error is reported
 * on its own line.  Returns 1 when O was one. */
static int cmp_abs(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int hold_out(struct outcome *o, const char *split, double *err, int *n)
{
	char note[sizeof(o->note)];

	if (strcmp(split, "holdout"))
		return 0;
	if (o->predicted) {
		snprintf(note, sizeof(note), "holdout (not in the summary): predicted %.4g, error %+.1f%%; %.150s",
			 o->prediction, 100 * o->err, o->note);
		memcpy(o->note, note, sizeof(note));
		err[(*n)++] = fabs(o->err);
		o->predicted = 0;
	}
	return 1;
}

int validate_is_workloads(const char *path)
{
	return validate_header_is(path, "kind,chips,system,model,config,metric,");
}

int validate_workloads(const char *path, const struct nb_profiles *set, const char *format,
		       double max_median, double max_error)
{
	char *text = NULL, *save = NULL, *line;
	struct outcome *o = NULL;
	double *hold = NULL;
	int col[NCOL], n = 0, lineno = 0, ret = NB_EXIT_FAIL, nhold = 0, nhold_rows = 0;
	size_t len;

	if (nb_read_file(path, 16 << 20, &text, &len))
		return NB_EXIT_FAIL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[32], *fields[NCOL];
		int nf = csv_split(line, f, (int)NB_ARRAY_SIZE(f));

		if (++lineno == 1) {
			if (validate_columns(path, "see data/workload-measurements.md",
					     f, nf, colnames, col_optional, NCOL, col))
				goto out;
			continue;
		}
		for (int c = 0; c < NCOL; c++)
			fields[c] = col[c] >= 0 && col[c] < nf ? f[col[c]] : (char *)"";
		o = xrealloc(o, (size_t)(n + 1) * sizeof(*o));
		hold = xrealloc(hold, (size_t)(n + 1) * sizeof(*hold));
		memset(&o[n], 0, sizeof(o[n]));
		o[n].line = lineno;
		o[n].chip = xstrdup(fields[C_SYSTEM]);
		predict_row(set, fields, &o[n]);
		o[n].unit = xstrdup(o[n].unit);
		nhold_rows += hold_out(&o[n], fields[C_SPLIT], hold, &nhold);
		n++;
	}
	ret = validate_report(o, n, path, format, max_median, max_error);
	/* validate_report printed the median and p90 of the fitted rows. */
	qsort(hold, (size_t)nhold, sizeof(double), cmp_abs);
	if (strcmp(format, "csv")) {
		if (nhold_rows)
			printf("  holdout: %d of %d rows predicted, median |error| %.1f%% (not fitted, not in the "
			       "summary)\n", nhold, nhold_rows, nhold ? 100 * hold[(nhold - 1) / 2] : 0);
	} else if (nhold) {
		printf("summary,holdout_median,all,,%.4f,,\n", hold[(nhold - 1) / 2]);
	}
out:
	validate_outcomes_free(o, n);
	free(hold);
	free(text);
	return ret;
}
