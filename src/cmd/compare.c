/* npubench compare: chips side by side (specs and kernel results), or two
 * stored runs with statistics (doc/export.md, "compare runs"). */
#include "npubench.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/compare.h"
#include "model/profile.h"
#include "report/jsonw.h"
#include "report/report.h"
#include "report/table.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/abtest.h"
#include "util/util.h"

/* One case found in both runs (or in one only), and what the comparison says. */
struct pair {
	const struct nb_result *a, *b;	/* either may be NULL: only in one run */
	double ratio, lo, hi;		/* time B/A and its 95% CI; 0 when none */
	double p, p_adj;		/* NAN when not tested */
	int tested;
	const char *verdict;		/* faster, slower, same, uncertain, n/a, only in A/B */
	char why[160];
};

struct runs_opts {
	double threshold;		/* relative: 0.05 is 5% */
	double fail_on;			/* relative; < 0: never fail */
	double alpha;
	enum nb_p_adjust adjust;
	enum nb_format format;
	struct nb_filter filter;
};

static int usable(const struct nb_result *r)
{
	return r->status == NB_RES_OK && r->seconds > 0;
}

/* Compares what can be compared without the correction: ratio, CI, raw p. */
static void pair_measure(struct pair *q)
{
	const struct nb_result *a = q->a, *b = q->b;

	q->p = q->p_adj = NAN;
	if (!a || !b) {
		q->verdict = !a ? "only in B" : "only in A";
		return;
	}
	if (!usable(a) || !usable(b)) {
		q->verdict = "n/a";
		snprintf(q->why, sizeof(q->why), "A %s, B %s", result_status_name(a->status),
			 result_status_name(b->status));
		return;
	}
	q->ratio = b->seconds / a->seconds;
	/* The model has no noise and nothing was measured: a statistical
	 * verdict ("same") would claim a test that never ran. */
	if (a->kind == NB_PREDICTED && b->kind == NB_PREDICTED) {
		q->lo = q->hi = q->ratio;
		q->verdict = "predicted";
		if (fabs(q->ratio - 1) < 1e-9)
			snprintf(q->why, sizeof(q->why), "not measured: the model's figure is unchanged");
		else
			snprintf(q->why, sizeof(q->why), "not measured: the model's figure moved %+.1f%% "
				 "(its profile or the model changed)", (q->ratio - 1) * 100);
		return;
	}
	if (a->kind == NB_PREDICTED || b->kind == NB_PREDICTED) {
		q->lo = q->hi = q->ratio;
		q->verdict = "n/a";
		snprintf(q->why, sizeof(q->why), "one measured, one predicted: not comparable");
		return;
	}
	if (a->nsamples == 0 || b->nsamples == 0) {
		q->lo = q->hi = q->ratio;
		snprintf(q->why, sizeof(q->why), "no samples stored in run %s (export with --samples)",
			 a->nsamples == 0 ? "A" : "B");
		return;
	}
	stats_ratio_ci(a->samples, (size_t)a->nsamples, b->samples, (size_t)b->nsamples,
		       NB_BOOT_REPS, NB_BOOT_SEED, &q->ratio, &q->lo, &q->hi);
	if (a->nsamples < NB_MWU_MIN_SAMPLES || b->nsamples < NB_MWU_MIN_SAMPLES) {
		snprintf(q->why, sizeof(q->why), "too few samples to test (%d and %d; the test needs %d each)",
			 a->nsamples, b->nsamples, NB_MWU_MIN_SAMPLES);
		return;
	}
	{
		struct nb_mwu m;

		stats_mann_whitney(a->samples, (size_t)a->nsamples, b->samples, (size_t)b->nsamples, &m);
		q->p = m.p;
		q->tested = 1;
	}
}

/* The verdict once the p-values are corrected. */
static void pair_judge(struct pair *q, const struct runs_opts *o)
{
	int within;

	if (q->verdict)
		return;
	within = q->ratio <= 1 + o->threshold && q->ratio >= 1 - o->threshold;
	if (!q->tested) {
		/* Untestable samples say only whether the medians moved beyond
		 * the threshold. */
		q->verdict = within ? "same" : "uncertain";
		return;
	}
	if (q->p_adj < o->alpha)
		q->verdict = within ? "same" : q->ratio > 1 ? "slower" : "faster";
	else
		q->verdict = within ? "same" : "uncertain";
	if (q->p_adj < o->alpha && within)
		snprintf(q->why, sizeof(q->why), "a real difference, below the %g%% threshold",
			 o->threshold * 100);
	else if (!within && q->p_adj >= o->alpha)
		snprintf(q->why, sizeof(q->why), "not significant: more samples needed");
}

static const struct nb_result *find_case(const struct nb_result *rs, int n, const struct nb_result *r)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rs[i].case_text, r->case_text) && !strcmp(rs[i].target, r->target))
			return &rs[i];
	return NULL;
}

static char *host_field(const char *host_json, const char *key)
{
	return json_text_field(host_json, key);
}

static int differ(const char *x, const char *y)
{
	return (x || y) && (!x || !y || strcmp(x, y));
}

/* Warns when the two runs were not made under the same conditions. */
static void warn_conditions(const struct nb_run *ra, const struct nb_run *rb,
			    const struct pair *ps, int n)
{
	char *ca = host_field(ra->host_json, "cpu_model"), *cb = host_field(rb->host_json, "cpu_model");

	if (differ(ra->hostname, rb->hostname) || differ(ca, cb))
		warning("the runs come from different hosts (A: %s, %s; B: %s, %s): differences may "
			"be the machines, not the code", ra->hostname ? ra->hostname : "?", ca ? ca : "?",
			rb->hostname ? rb->hostname : "?", cb ? cb : "?");
	if (differ(ra->tool_version, rb->tool_version) || differ(ra->build_flags, rb->build_flags))
		warning("the runs come from different builds (A: npubench %s, %s; B: npubench %s, %s)",
			ra->tool_version, ra->build_flags ? ra->build_flags : "?", rb->tool_version,
			rb->build_flags ? rb->build_flags : "?");
	for (int i = 0; i < n; i++) {
		const struct nb_result *a = ps[i].a, *b = ps[i].b;

		if (a && b && a->kind == NB_MEASURED && b->kind == NB_MEASURED &&
		    a->threads != b->threads) {
			warning("thread counts differ (A: %d, B: %d, e.g. '%s')", a->threads, b->threads,
				a->case_text);
			break;
		}
	}
	free(ca);
	free(cb);
}

static void fmt_ratio(char *buf, size_t n, const struct pair *q)
{
	if (q->ratio <= 0)
		snprintf(buf, n, "-");
	else if (q->lo != q->hi)
		snprintf(buf, n, "%.3f [%.3f, %.3f]", q->ratio, q->lo, q->hi);
	else
		snprintf(buf, n, "%.3f", q->ratio);
}

static void fmt_p(char *buf, size_t n, double p)
{
	if (isnan(p))
		snprintf(buf, n, "-");
	else if (p < 0.001)
		snprintf(buf, n, "<0.001");
	else
		snprintf(buf, n, "%.3f", p);
}

static void fmt_time(char *buf, size_t n, const struct nb_result *r)
{
	if (r && usable(r))
		nb_format_time(buf, n, r->seconds);
	else
		snprintf(buf, n, "-");
}

/* ",V" with V exact, or "," when absent. */
static void csv_number(int present, double v)
{
	char buf[40];

	putchar(',');
	if (present) {
		nb_format_exact(buf, sizeof(buf), v);
		fputs(buf, stdout);
	}
}

static const struct nb_result *either(const struct pair *q)
{
	return q->a ? q->a : q->b;
}

static void render_runs(const struct pair *ps, int n, const struct runs_opts *o,
			const struct nb_run *ra, const struct nb_run *rb)
{
	char ta[32], tb[32], r[64], p[16], pa[16], *label;
	int w = 4, tw = 6;

	for (int i = 0; i < n; i++) {
		int len, tlen = (int)strlen(either(&ps[i])->target);

		label = result_label(either(&ps[i]));
		len = (int)strlen(label);
		free(label);
		if (len > w)
			w = len;
		if (tlen > tw)
			tw = tlen;
	}
	switch (o->format) {
	case NB_FMT_TABLE:
		printf("A: run %lld (%.8s, %s)   B: run %lld (%.8s, %s)\n\n", (long long)ra->id, ra->uuid,
		       ra->started_at, (long long)rb->id, rb->uuid, rb->started_at);
		printf("%-*s  %-*s  %10s  %10s  %-24s  %7s  %-9s  %s\n", w, "case", tw, "target", "A",
		       "B", "time B/A [95% CI]", "p adj", "verdict", "note");
		break;
	case NB_FMT_MARKDOWN:
		printf("A: run %lld (`%s`), B: run %lld (`%s`)\n\n", (long long)ra->id, ra->uuid,
		       (long long)rb->id, rb->uuid);
		printf("| case | target | A | B | time B/A [95%% CI] | p | p adj | verdict | note |\n"
		       "|---|---|---:|---:|---|---:|---:|---|---|\n");
		break;
	case NB_FMT_CSV:
		printf("case,target,a_seconds,b_seconds,ratio,ratio_ci_lo,ratio_ci_hi,p,p_adjusted,"
		       "verdict,note\r\n");
		break;
	default:
		break;
	}
	for (int i = 0; i < n; i++) {
		const struct pair *q = &ps[i];
		const struct nb_result *e = either(q);

		fmt_time(ta, sizeof(ta), q->a);
		fmt_time(tb, sizeof(tb), q->b);
		fmt_ratio(r, sizeof(r), q);
		fmt_p(p, sizeof(p), q->p);
		fmt_p(pa, sizeof(pa), q->p_adj);
		switch (o->format) {
		case NB_FMT_TABLE:
			label = result_label(e);
			printf("%-*s  %-*s  %10s  %10s  %-24s  %7s  ", w, label, tw, e->target,
			       ta, tb, r, pa);
			free(label);
			if (*q->why)
				printf("%-9s  %s\n", q->verdict, q->why);
			else
				printf("%s\n", q->verdict);
			break;
		case NB_FMT_MARKDOWN:
			label = result_label(e);
			fputs("| ", stdout);
			md_text(stdout, label);
			free(label);
			fputs(" | ", stdout);
			md_text(stdout, e->target);
			printf(" | %s | %s | %s | %s | %s | %s | ", ta, tb, r, p, pa, q->verdict);
			md_text(stdout, q->why);
			fputs(" |\n", stdout);
			break;
		case NB_FMT_CSV:
			csv_field(stdout, e->case_text);
			putchar(',');
			csv_field(stdout, e->target);
			csv_number(q->a && usable(q->a), q->a ? q->a->seconds : 0);
			csv_number(q->b && usable(q->b), q->b ? q->b->seconds : 0);
			csv_number(q->ratio > 0, q->ratio);
			csv_number(q->ratio > 0, q->lo);
			csv_number(q->ratio > 0, q->hi);
			csv_number(!isnan(q->p), q->p);
			csv_number(!isnan(q->p), q->p_adj);
			putchar(',');
			csv_field(stdout, q->verdict);
			putchar(',');
			csv_field(stdout, q->why);
			fputs("\r\n", stdout);
			break;
		default:
			break;
		}
	}
}

static void render_runs_json(const struct pair *ps, int n, const struct runs_opts *o,
			     const struct nb_run *ra, const struct nb_run *rb, const int *counts)
{
	struct nb_json *root = json_object(), *arr, *c;
	char *text;
	static const char *const names[] = { "faster", "slower", "same", "uncertain", "predicted",
					     "n/a", "only in A", "only in B" };

	json_set_str(root, "schema", "npubench-compare-runs");
	json_set_num(root, "schema_version", 1);
	json_set_str(root, "a", ra->uuid);
	json_set_str(root, "b", rb->uuid);
	json_set_str(root, "test", "mann-whitney-u");
	json_set_str(root, "correction", stats_p_adjust_name(o->adjust));
	json_set_num(root, "alpha", o->alpha);
	json_set_num(root, "threshold", o->threshold);
	arr = json_set(root, "cases", json_array());
	for (int i = 0; i < n; i++) {
		const struct pair *q = &ps[i];
		struct nb_json *x = json_object();

		json_set_str(x, "case", either(q)->case_text);
		json_set_str(x, "target", either(q)->target);
		if (q->a && usable(q->a))
			json_set_num(x, "a_seconds", q->a->seconds);
		else
			json_set(x, "a_seconds", json_null());
		if (q->b && usable(q->b))
			json_set_num(x, "b_seconds", q->b->seconds);
		else
			json_set(x, "b_seconds", json_null());
		if (q->ratio > 0) {
			json_set_num(x, "ratio", q->ratio);
			json_set_num(x, "ratio_ci_lo", q->lo);
			json_set_num(x, "ratio_ci_hi", q->hi);
		} else {
			json_set(x, "ratio", json_null());
			json_set(x, "ratio_ci_lo", json_null());
			json_set(x, "ratio_ci_hi", json_null());
		}
		if (!isnan(q->p)) {
			json_set_num(x, "p", q->p);
			json_set_num(x, "p_adjusted", q->p_adj);
		} else {
			json_set(x, "p", json_null());
			json_set(x, "p_adjusted", json_null());
		}
		json_set_str(x, "verdict", q->verdict);
		json_set_str(x, "note", q->why);
		json_push(arr, x);
	}
	c = json_set(root, "summary", json_object());
	for (size_t i = 0; i < NB_ARRAY_SIZE(names); i++)
		json_set_num(c, names[i], counts[i]);
	text = json_finish(root, 1);
	printf("%s\n", text);
	free(text);
}

static int parse_pct(const struct nb_command *cmd, const char *opt, const char *arg, double *out)
{
	if (nb_parse_double(arg, out) || *out < 0 || *out > 1000)
		return usage_error(cmd, "%s '%s': expected a percentage from 0 to 1000", opt, arg);
	*out /= 100;
	return 0;
}

/* The options of `compare runs`; the two runs are left at argv[optind]. */
static int parse_runs_opts(int argc, char **argv, struct nb_ctx *ctx, struct runs_opts *o,
			   struct nb_targets *targets)
{
	enum { O_THRESHOLD = 256, O_FAIL, O_ALPHA, O_CORRECTION };
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "fail-on-regression", required_argument, NULL, O_FAIL },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "correction", required_argument, NULL, O_CORRECTION },
		{ "format", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const struct nb_command *cmd = &nb_cmd_compare;
	const char *target_list = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:t:k:", longopts, NULL)) != -1) {
		switch (c) {
		case O_THRESHOLD:
			if (parse_pct(cmd, "--threshold", optarg, &o->threshold))
				return NB_EXIT_USAGE;
			break;
		case O_FAIL:
			if (parse_pct(cmd, "--fail-on-regression", optarg, &o->fail_on))
				return NB_EXIT_USAGE;
			break;
		case O_ALPHA:
			if (nb_parse_double(optarg, &o->alpha) || o->alpha <= 0 || o->alpha >= 1)
				return usage_error(cmd, "--alpha '%s': expected a level between 0 and 1 "
						   "(e.g. 0.05)", optarg);
			break;
		case O_CORRECTION:
			if (stats_p_adjust_parse(optarg) < 0) {
				struct nb_near nr;

				return usage_error(cmd, "--correction: unknown method '%s'%s (use holm, bh or none)", optarg,
						   nb_near_choices(&nr, optarg, "holm|bh|none"));
			}
			o->adjust = (enum nb_p_adjust)stats_p_adjust_parse(optarg);
			break;
		case 'f':
			if (format_option(cmd, optarg, NB_FMTS_COMPARE, &o->format))
				return NB_EXIT_USAGE;
			break;
		case 't':
			target_list = optarg;
			break;
		case 'k':
			o->filter.kernels = xrealloc(o->filter.kernels,
						     (size_t)(o->filter.nkernels + 1) * sizeof(char *));
			o->filter.kernels[o->filter.nkernels++] = optarg;
			break;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (argc - optind != 2) {
		if (argc - optind < 2)
			return usage_error(cmd, "compare runs needs two runs: RUN_A RUN_B");
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 2]);
	}
	if (target_list) {
		int rc = targets_option(cmd, ctx, "--target", target_list, NB_TARGETS_FILTER, targets);

		if (rc)
			return rc;
		o->filter.targets = targets;
	}
	return 0;
}

static int compare_runs(int argc, char **argv, struct nb_ctx *ctx)
{
	static const char *const names[] = { "faster", "slower", "same", "uncertain", "predicted",
					     "n/a", "only in A", "only in B" };
	struct runs_opts o = { .threshold = 0.05, .fail_on = -1, .alpha = 0.05, .adjust = NB_P_HOLM };
	struct nb_targets targets = { 0 };
	struct nb_run ra = { 0 }, rb = { 0 };
	struct nb_result *as = NULL, *bs = NULL;
	struct pair *ps = NULL;
	struct nb_store *st;
	int64_t ida, idb;
	int na = 0, nb = 0, n = 0, ntested = 0, regressions = 0, ret;
	int counts[NB_ARRAY_SIZE(names)] = { 0 };
	double *p = NULL;

	if ((ret = parse_runs_opts(argc, argv, ctx, &o, &targets)))
		goto out;
	ret = NB_EXIT_FAIL;
	if (!(st = ctx_store_existing(ctx)) || store_run_resolve(st, argv[optind], &ida) ||
	    store_run_resolve(st, argv[optind + 1], &idb) || store_run_get(st, ida, &ra) ||
	    store_run_get(st, idb, &rb) || store_results_get(st, ida, &as, &na) ||
	    store_results_get(st, idb, &bs, &nb))
		goto out;
	/* Cases of A in A's order, then those only in B. */
	ps = xcalloc((size_t)(na + nb) + 1, sizeof(*ps));
	for (int i = 0; i < na; i++) {
		if (!report_result_selected(&o.filter, &as[i]) || find_case(as, i, &as[i]))
			continue;
		ps[n].a = &as[i];
		ps[n++].b = find_case(bs, nb, &as[i]);
	}
	for (int i = 0; i < nb; i++) {
		if (!report_result_selected(&o.filter, &bs[i]) || find_case(bs, i, &bs[i]) ||
		    find_case(as, na, &bs[i]))
			continue;
		ps[n++].b = &bs[i];
	}
	if (n == 0) {
		error("the runs have no results%s to compare", o.filter.targets || o.filter.nkernels ?
		      " matching --target/--kernel" : "");
		goto out;
	}
	warn_conditions(&ra, &rb, ps, n);
	p = xcalloc((size_t)n, sizeof(*p));
	for (int i = 0; i < n; i++) {
		pair_measure(&ps[i]);
		if (ps[i].tested)
			p[ntested++] = ps[i].p;
	}
	stats_p_adjust(p, (size_t)ntested, o.adjust, p);
	for (int i = 0, k = 0; i < n; i++) {
		if (ps[i].tested)
			ps[i].p_adj = p[k++];
		pair_judge(&ps[i], &o);
		for (size_t j = 0; j < NB_ARRAY_SIZE(names); j++)
			counts[j] += !strcmp(ps[i].verdict, names[j]);
		if (o.fail_on >= 0 && ps[i].tested && ps[i].p_adj < o.alpha &&
		    ps[i].ratio > 1 + o.fail_on)
			regressions++;
	}
	if (o.format == NB_FMT_JSON)
		render_runs_json(ps, n, &o, &ra, &rb, counts);
	else
		render_runs(ps, n, &o, &ra, &rb);
	if (o.format == NB_FMT_TABLE || o.format == NB_FMT_MARKDOWN) {
		printf("\n%d case(s):", n);
		for (size_t j = 0, first = 1; j < NB_ARRAY_SIZE(names); j++) {
			if (!counts[j])
				continue;
			printf("%s %d %s", first ? "" : ",", counts[j], names[j]);
			first = 0;
		}
		printf(".  Mann-Whitney U on the samples, %s-corrected over %d tested case(s), "
		       "alpha %g; 'same' within %g%%.\n", o.adjust == NB_P_HOLM ? "Holm" :
		       o.adjust == NB_P_BH ? "Benjamini-Hochberg" : "not", ntested, o.alpha,
		       o.threshold * 100);
	}
	ret = 0;
	if (regressions) {
		error("%d case(s) significantly slower by more than %g%% (--fail-on-regression)",
		      regressions, o.fail_on * 100);
		ret = NB_EXIT_FAIL;
	}
out:
	free(p);
	free(ps);
	results_free(as, na);
	results_free(bs, nb);
	run_release(&ra);
	run_release(&rb);
	free(o.filter.kernels);
	targets_release(&targets);
	return ret;
}

static int cmd_compare(int argc, char **argv, struct nb_ctx *ctx)
{
	if (argc < 2)
		return usage_error(&nb_cmd_compare, "compare what? 'chips' or 'runs'");
	if (!strcmp(argv[1], "runs"))
		return compare_runs(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "chips")) {
		for (int i = 2; i < argc; i++)
			if (!strncmp(argv[i], "--workload", 10) || !strcmp(argv[i], "-w"))
				return compare_workload(argc - 1, argv + 1, ctx);
		return compare_chips(argc - 1, argv + 1, ctx);
	}
	{
		struct nb_near nr;

		return usage_error(&nb_cmd_compare, "cannot compare '%s'%s (use 'chips' or 'runs')", argv[1],
				   nb_near_choices(&nr, argv[1], "chips|runs"));
	}
}

const struct nb_command nb_cmd_compare = {
	.name = "compare",
	.exec = cmd_compare,
	.usage = "compare chips [CHIP...] [--baseline CHIP] [--kernel PATTERN]... [--run ID]\n"
		 "                        [--format table|markdown|csv|json] [--sources]\n"
		 "       npubench compare chips [CHIP...] --workload CASE [--chips N] [--format FMT]\n"
		 "       npubench compare runs RUN_A RUN_B [--threshold PCT] [--fail-on-regression PCT]\n"
		 "                        [--alpha A] [--correction holm|bh|none] [--target LIST]\n"
		 "                        [--kernel PATTERN]... [--format table|markdown|csv|json]",
	.summary = "Compare chips side by side, or two stored runs with statistics.",
	.help = "compare chips: a spec sheet and kernel results, one column per chip\n"
		"  CHIP...                  chip ids, aliases or globs, 'host', 'chips' or 'default'\n"
		"                           (default: the chips marked default_target: 910b a100\n"
		"                           h100 tpu-v5e)\n"
		"  -b, --baseline CHIP      ratios relative to this chip (default: the first)\n"
		"  -k, --kernel PATTERN     kernel results for kernels or cases matching the glob\n"
		"                           (repeatable; default every case stored for these chips)\n"
		"  -r, --run ID             kernel results from this run (default: per case and chip,\n"
		"                           the latest run that has it)\n"
		"  -f, --format FMT         table (default), markdown, csv or json\n"
		"  -s, --sources            footnotes with the source of every figure\n"
		"  -w, --workload CASE      instead: a train or infer case on N chips of each chip,\n"
		"                           each with the fastest parallel layout that fits (a\n"
		"                           bounded search over tp, pp, dp and, for training,\n"
		"                           interleave, recompute, ZeRO and tp_overlap): step time,\n"
		"                           MFU, memory, tokens/s, energy estimate (TDP x chips x\n"
		"                           step) and the layout that won\n"
		"  -n, --chips N            chips of each (default: the case's tp x pp x dp)\n"
		"\ncompare runs: per case in both runs, the median time ratio B/A with a 95%\n"
		"bootstrap confidence interval, a Mann-Whitney U test on the stored samples\n"
		"(at least 4 per run), corrected for testing many cases, and a verdict:\n"
		"faster, slower, same or uncertain; two predicted results are 'predicted'\n"
		"(nothing measured: the note says whether the model's figure moved).\n"
		"      --threshold PCT      changes within PCT% count as 'same' (default 5)\n"
		"      --fail-on-regression PCT\n"
		"                           exit 1 when a case is significantly slower by more\n"
		"                           than PCT% (for CI)\n"
		"      --alpha A            significance level after correction (default 0.05)\n"
		"      --correction M       holm (default, family-wise), bh (false discovery\n"
		"                           rate) or none\n"
		"  -t, --target LIST        only these targets: the words of 'run --target' (globs\n"
		"                           also match targets this machine has no profile for)\n"
		"  -k, --kernel PATTERN     only kernels or cases matching the glob (repeatable)\n"
		"  -f, --format FMT         table (default), markdown, csv or json\n"
		"Warns when the runs' hosts, builds or thread counts differ.  The method is\n"
		"described in doc/export.md.\n",
};
