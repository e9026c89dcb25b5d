/* validate --measurements workloads: published training step times, MFUs
 * and serving throughputs (data/workload-measurements.csv), each row's
 * configuration as a train or infer case predicted on its chip. */
#include "npubench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/validate.h"
#include "model/compose.h"
#include "model/profile.h"
#include "util/csv.h"
#include "util/util.h"

enum { C_SYSTEM, C_METRIC, C_VALUE, C_UNIT, C_TARGET, C_CASE, C_ASSUMED, NCOL };
static const char *const colnames[NCOL] = {
	"chips", "metric", "value", "unit", "target", "case", "assumed",
};

/* The metric a row reports, from the prediction: MFU in percent, the step
 * time, tokens per second (per card when the unit says so), or model FLOP/s
 * per GPU as Narayanan et al. 2021 count them (recomputation included,
 * their equation 3): the hardware FLOPs. */
static int metric_value(const char *metric, const char *unit, const struct nb_wl_result *r, double *out)
{
	if (!strcmp(metric, "MFU") && !strcmp(unit, "%"))
		*out = 100 * r->mfu;
	else if (!strcmp(metric, "step time") && !strcmp(unit, "s"))
		*out = r->step_s;
	else if (strstr(metric, "FLOP/s per GPU") && !strcmp(unit, "TFLOP/s"))
		*out = r->hfu * r->peak / 1e12;
	else if (strstr(metric, "throughput") && !strncmp(unit, "tokens/s", 8))
		*out = r->tokens_per_s / (strstr(unit, "per card") ? r->chips : 1);
	else
		return -1;
	return 0;
}

static void predict_row(const struct nb_profiles *set, char **f, struct outcome *o)
{
	const struct nb_profile *p;
	struct nb_prediction pr;
	struct nb_wl_result r;
	struct nb_case c;
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
	if (metric_value(f[C_METRIC], f[C_UNIT], &r, &got))
		return (void)snprintf(o->note, sizeof(o->note), "skipped: metric '%s' in %s not understood",
				      f[C_METRIC], f[C_UNIT]);
	o->prediction = got;
	o->predicted = 1;
	o->err = (got - value) / value;
	o->bound = pr.bound;
	snprintf(o->note, sizeof(o->note), "step %.3g s, MFU %.1f%%; assumed: %.150s", r.step_s, 100 * r.mfu,
		 f[C_ASSUMED]);
}

int validate_is_workloads(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[512] = "";
	int yes;

	if (!fp)
		return 0;
	yes = fgets(line, sizeof(line), fp) && !strncmp(line, "kind,chips,system,model,config,metric,", 38);
	fclose(fp);
	return yes;
}

int validate_workloads(const char *path, const struct nb_profiles *set, const char *format,
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
			for (int c = 0; c < NCOL; c++) {
				col[c] = -1;
				for (int j = 0; j < nf; j++)
					if (!strcmp(f[j], colnames[c]))
						col[c] = j;
				if (col[c] < 0) {
					error("%s:1: no column '%s' (see data/workload-measurements.md)", path,
					      colnames[c]);
					goto out;
				}
			}
			continue;
		}
		for (int c = 0; c < NCOL; c++)
			fields[c] = col[c] < nf ? f[col[c]] : (char *)"";
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
	for (int i = 0; i < n; i++) {
		free((char *)o[i].chip);
		free((char *)o[i].unit);
	}
	free(o);
	free(text);
	return ret;
}
