/* npubench plot: rooflines, grouped bars, scaling curves and spec sheets,
 * drawn by gnuplot from stored results, chip profiles and the model. */
#include "util/output.h"
#include "npubench.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/profile-probe.h"
#include "model/model.h"
#include "model/profile.h"
#include "report/chart.h"
#include "report/format.h"
#include "report/gnuplot.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/util.h"

struct plot_opts {
	enum chart_kind kind;
	const char *chips;
	const char *run;
	const char *kernel;
	const char *dtype;
	const char *output;
	const char *term;
	const char *script;
	const char *title;
	const char *normalize;
	const char *op;
	const char *workload;
};

/* One chip asked for or found in the run. */
struct chip {
	const char *id;			/* as stored, or the profile's id */
	const struct nb_profile *p;	/* NULL: no profile loaded for it */
	int target;			/* index in the chart */
};

struct plot {
	struct plot_opts o;
	struct nb_ctx *ctx;
	struct nb_profiles *set;
	struct nb_run run;
	int have_run;
	struct nb_result *rs;
	int nrs;
	struct chip *chips;
	int nchips;
	int host;			/* host's target index, -1 */
	struct chart chart;
};

static int add_chip(struct plot *pl, const char *id, const struct nb_profile *p)
{
	for (int i = 0; i < pl->nchips; i++)
		if ((p && pl->chips[i].p == p) || !strcasecmp(pl->chips[i].id, id))
			return i;
	pl->chips = xrealloc(pl->chips, (size_t)(pl->nchips + 1) * sizeof(*pl->chips));
	pl->chips[pl->nchips] = (struct chip){ id, p, -1 };
	return pl->nchips++;
}

/* The chips of --chips (the words of 'run --target'); "host" is the
 * profile 'profile probe' wrote, where a chart draws the host as a chip.
 * Returns 0, or an exit status after reporting. */
static int chips_from_option(struct plot *pl)
{
	struct nb_targets ts = { 0 };
	int ret = targets_option(&nb_cmd_plot, pl->ctx, "--chips", pl->o.chips, 0, &ts);

	for (int i = 0; !ret && i < ts.n; i++) {
		const struct nb_profile *p = ts.v[i].profile;

		if (target_measured(&ts.v[i])) {
			/* The host's results are always drawn; its roof is its profile's. */
			if (pl->o.kind == CHART_ROOFLINE || pl->o.kind == CHART_BARS ||
			    pl->o.kind == CHART_COLLECTIVES)
				continue;
			if (!(p = probe_host_profile(pl->set))) {
				error("--chips host: this machine has no profile yet (make one with "
				      "'npubench profile probe')");
				ret = NB_EXIT_FAIL;
				break;
			}
		}
		if (p)
			add_chip(pl, profile_id(p), p);
	}
	targets_release(&ts);
	return ret;
}

/* The chips marked default_target, else every chip. */
static void chips_default(struct plot *pl)
{
	struct nb_targets ts = { 0 };

	nb_quiet_errors++;
	if (targets_parse(pl->ctx, "--chips", "default", 0, &ts) == 0)
		for (int i = 0; i < ts.n; i++)
			if (ts.v[i].profile)
				add_chip(pl, profile_id(ts.v[i].profile), ts.v[i].profile);
	nb_quiet_errors--;
	targets_release(&ts);
	for (int i = 0; pl->nchips == 0 && i < profiles_count(pl->set); i++)
		add_chip(pl, profile_id(profiles_get(pl->set, i)), profiles_get(pl->set, i));
}

static int is_host(const struct nb_result *r)
{
	return r->kind == NB_MEASURED;
}

/* A result usable in a chart: OK, with a time and a throughput. */
static int usable(const struct nb_result *r)
{
	return r->status == NB_RES_OK && r->seconds > 0 && isfinite(r->throughput) && r->throughput > 0;
}

/* The chart name of a chip: its profile's name, else the stored id.  (The
 * roofline's legend, which adds each chip's figures, uses the short id.) */
static const char *chip_label(const struct chip *ch)
{
	return ch->p ? profile_name(ch->p) : ch->id;
}

/* A short label for a case ("gemm bf16 m=4096 n=4096 k=4096", "stream
 * triad fp64 n=65536"): the kernel; its dtype and its first choice (the
 * operation) bare; every size; other choices and flags only when they differ
 * from the defaults.  The stored text when the kernel is unknown here. */
static char *case_label(const struct nb_result *r)
{
	const struct nb_kernel *k = r->kcase.kernel;
	struct strbuf sb = STRBUF_INIT;
	struct nb_case def;
	char buf[64], dbuf[64];

	if (!k) {
		/* Unknown here: the stored text, its "dtype=" dropped for brevity. */
		const char *t = r->case_text ? r->case_text : "?", *d = strstr(t, " dtype=");

		if (!d)
			return xstrdup(t);
		sb_add(&sb, t, (size_t)(d - t));
		sb_adds(&sb, " ");
		sb_adds(&sb, d + 7);
		return sb_detach(&sb);
	}
	case_init(&def, k);
	sb_adds(&sb, k->name);
	for (int i = 0; i < k->nparams; i++) {
		const struct nb_param_desc *d = &k->params[i];
		const char *v = case_value_text(&r->kcase, i, buf, sizeof(buf));
		int is_default = !strcmp(v, case_value_text(&def, i, dbuf, sizeof(dbuf)));

		if (d->type == NB_P_DTYPE || (d->type == NB_P_ENUM && (i == 0 || !is_default)))
			sb_addf(&sb, " %s", v);
		else if (d->type == NB_P_BOOL && !is_default)
			sb_addf(&sb, " %s=%s", d->name, v);
		else if ((d->type == NB_P_INT || d->type == NB_P_REAL) && !(is_default && !strcmp(v, "0")))
			sb_addf(&sb, " %s=%s", d->name, v);
	}
	return sb_detach(&sb);
}

/* Loads the run (--run, or the last) and its results.  OPTIONAL: a
 * database without runs, or no database at all, is not an error (scaling
 * draws chips alone). */
static int load_run(struct plot *pl, int optional)
{
	struct nb_store *st;
	struct nb_run *runs = NULL;
	int64_t id;
	int n = 0;

	if (optional && !pl->o.run) {
		if (ctx_store_if_any(pl->ctx, &st))
			return -1;
		if (!st)
			return 0;
		if (store_runs_list(st, &runs, &n))
			return -1;
		for (int i = 0; i < n; i++)
			run_release(&runs[i]);
		free(runs);
		if (n == 0)
			return 0;
	} else if (!(st = ctx_store_existing(pl->ctx)))
		return -1;
	if (store_run_resolve(st, pl->o.run ? pl->o.run : "last", &id) || store_run_get(st, id, &pl->run))
		return -1;
	pl->have_run = 1;
	return store_results_get(st, id, &pl->rs, &pl->nrs);
}

static int kernel_matches(const struct plot *pl, const struct nb_result *r)
{
	return !pl->o.kernel || nb_glob_match(pl->o.kernel, r->kernel ? r->kernel : "");
}

static int dtype_matches(const char *want, const struct nb_result *r)
{
	return !want || (r->dtype && !strcmp(r->dtype, want));
}

/* "run 3 (1a2b3c4d) on HOST, tag T, DETAIL" */
static void set_subtitle(struct plot *pl, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;

	if (pl->have_run) {
		sb_addf(&sb, "run %lld (%.8s)", (long long)pl->run.id, pl->run.uuid ? pl->run.uuid : "");
		if (pl->run.started_at)
			sb_addf(&sb, ", %.10s", pl->run.started_at);
		if (pl->run.tag && *pl->run.tag)
			sb_addf(&sb, ", tag %s", pl->run.tag);
	}
	if (detail)
		sb_addf(&sb, "%s%s", sb.len ? " - " : "", detail);
	pl->chart.subtitle = sb.len ? sb_detach(&sb) : NULL;
	sb_release(&sb);
}

/* The chip of a stored prediction, added when --chips does not restrict. */
static int chip_of_result(struct plot *pl, const struct nb_result *r)
{
	for (int i = 0; i < pl->nchips; i++)
		if (!strcasecmp(pl->chips[i].id, r->target))
			return i;
	if (pl->o.chips)
		return -1;
	return add_chip(pl, r->target, profiles_find(pl->set, r->target));
}

/* Host and chip results of the selection as chart points, one group per
 * case.  Chips of --chips that the run lacks are predicted now.  X is the
 * group's value (roofline: intensity). */
static int collect(struct plot *pl, const char *dtype, int roofline)
{
	struct chart *c = &pl->chart;
	int nsel = 0;

	pl->host = -1;
	for (int i = 0; i < pl->nrs; i++) {
		const struct nb_result *r = &pl->rs[i];

		if (!kernel_matches(pl, r) || !dtype_matches(dtype, r))
			continue;
		nsel++;
		if (is_host(r) && pl->host < 0 && usable(r))
			pl->host = chart_add_target(c, "host", 1);
		else if (!is_host(r))
			chip_of_result(pl, r);
	}
	if (nsel == 0)
		return error("no results in run %lld match%s%s%s%s: see 'npubench show %lld'",
			     (long long)pl->run.id, pl->o.kernel ? " --kernel " : "",
			     pl->o.kernel ? pl->o.kernel : "", dtype ? " --dtype " : "", dtype ? dtype : "",
			     (long long)pl->run.id);
	for (int i = 0; i < pl->nchips; i++)
		pl->chips[i].target = chart_add_target(c, roofline ? pl->chips[i].id :
						       chip_label(&pl->chips[i]), 0);

	for (int i = 0; i < pl->nrs; i++) {
		const struct nb_result *r = &pl->rs[i];
		int g = -1, t = -1;
		char *label;
		double x = roofline && r->bytes > 0 ? r->ops / r->bytes : 0;

		if (!kernel_matches(pl, r) || !dtype_matches(dtype, r))
			continue;
		label = case_label(r);
		for (int j = 0; j < c->ngroups && g < 0; j++)
			if (!strcmp(c->groups[j].label, label))
				g = j;
		if (g < 0)
			g = chart_add_group(c, label, r->unit, x);
		free(label);
		if (is_host(r)) {
			t = pl->host;
		} else {
			int ch = chip_of_result(pl, r);

			t = ch >= 0 ? pl->chips[ch].target : -1;
		}
		if (t < 0 || !usable(r))
			continue;
		if (roofline) {
			if (r->ops > 0 && r->bytes > 0)
				chart_add_point(c, t, g, x, r->ops / r->seconds);
		} else {
			chart_add_point(c, t, g, g, r->throughput);
		}
	}
	/* Chips asked for that the run did not predict: the model, now. */
	for (int ch = 0; ch < pl->nchips; ch++) {
		const struct chip *chp = &pl->chips[ch];
		int stored = 0;

		for (int k = 0; k < c->npoints; k++)
			stored |= c->points[k].target == chp->target;
		if (stored || !chp->p)
			continue;
		for (int g = 0; g < c->ngroups; g++) {
			const struct nb_result *r = NULL;
			struct nb_prediction pr;
			char *label;

			for (int i = 0; i < pl->nrs && !r; i++) {
				if (!pl->rs[i].kcase.kernel || !kernel_matches(pl, &pl->rs[i]) ||
				    !dtype_matches(dtype, &pl->rs[i]))
					continue;
				label = case_label(&pl->rs[i]);
				if (!strcmp(label, c->groups[g].label))
					r = &pl->rs[i];
				free(label);
			}
			if (!r || model_predict(&r->kcase, chp->p, &pr))
				continue;
			if (pr.status == NB_PRED_OK && pr.seconds > 0) {
				if (roofline && r->ops > 0 && r->bytes > 0)
					chart_add_point(c, chp->target, g, c->groups[g].x, r->ops / pr.seconds);
				else if (!roofline && pr.throughput > 0)
					chart_add_point(c, chp->target, g, g, pr.throughput);
			}
			prediction_release(&pr);
		}
	}
	chart_drop_empty_groups(c);
	return 0;
}

/* Sets T's compute roof to P's dense peak for DT, or, where P emulates DT
 * with another dtype, that dtype's peak (named in the legend). */
static void set_peak(struct chart_target *t, const struct nb_profile *p, enum nb_dtype dt)
{
	int via = profile_emulation(p, dt);

	t->peak = profile_peak(p, dt);
	if (t->peak <= 0 && via >= 0) {
		t->peak = profile_peak(p, (enum nb_dtype)via);
		snprintf(t->via, sizeof(t->via), "%s", dtype_name((enum nb_dtype)via));
	}
}

/* The dtype a roofline is drawn for: --dtype, else bf16 (the dtype of
 * training) when the run has it, else the most common one. */
static const char *roofline_dtype(struct plot *pl)
{
	int count[NB_DTYPE_COUNT] = { 0 }, best = -1, kinds = 0;

	if (pl->o.dtype)
		return pl->o.dtype;
	for (int i = 0; i < pl->nrs; i++) {
		int d = pl->rs[i].dtype ? dtype_parse(pl->rs[i].dtype) : -1;

		if (d >= 0 && kernel_matches(pl, &pl->rs[i]) && pl->rs[i].ops > 0 && pl->rs[i].bytes > 0)
			kinds += count[d]++ == 0;
	}
	if (count[NB_BF16] > 0)
		best = NB_BF16;
	for (int d = 0; d < NB_DTYPE_COUNT && best < 0; d++)
		if (count[d] > 0 && (best < 0 || count[d] > count[best]))
			best = d;
	for (int d = 0; d < NB_DTYPE_COUNT && best != NB_BF16; d++)
		if (count[d] > count[best])
			best = d;
	if (best < 0)
		return NULL;
	if (kinds > 1)
		warning("the run has several dtypes: drawing the %s roofline (choose with --dtype)",
			dtype_name((enum nb_dtype)best));
	return dtype_name((enum nb_dtype)best);
}

static int build_roofline(struct plot *pl)
{
	struct chart *c = &pl->chart;
	const char *dtype;
	const struct nb_profile *hostp;
	int dt;
	char detail[96];

	if (load_run(pl, 0))
		return -1;
	dtype = roofline_dtype(pl);
	dt = dtype ? dtype_parse(dtype) : NB_FP32;
	c->unit = xstrdup(dtype_is_int((enum nb_dtype)dt) ? "OP/s" : "FLOP/s");
	if (collect(pl, dtype, 1))
		return -1;
	for (int i = 0; i < pl->nchips; i++) {
		struct chart_target *t = &c->targets[pl->chips[i].target];

		if (pl->chips[i].p) {
			set_peak(t, pl->chips[i].p, (enum nb_dtype)dt);
			t->bw = profile_bw_bytes_per_s(pl->chips[i].p);
		}
	}
	/* The host's roof, when 'profile probe' measured it. */
	hostp = probe_host_profile(pl->set);
	if (pl->host >= 0 && hostp) {
		set_peak(&c->targets[pl->host], hostp, (enum nb_dtype)dt);
		c->targets[pl->host].bw = profile_bw_bytes_per_s(hostp);
	} else if (pl->host >= 0) {
		c->note = xstrdup("No host roof: this machine has no profile yet "
				  "('npubench profile probe' measures its peaks)");
	}
	snprintf(detail, sizeof(detail), "%s roofs; %s", dtype_name((enum nb_dtype)dt),
		 pl->host >= 0 ? "host measured, chips predicted by the model" :
		 "chips predicted by the model");
	set_subtitle(pl, detail);
	if (c->npoints == 0)
		return error("nothing to draw: no selected result has operations, bytes and a time "
			     "(a pure copy moves bytes but does no arithmetic)");
	return 0;
}

static int build_bars(struct plot *pl)
{
	struct chart *c = &pl->chart;
	int base = -2;

	if (load_run(pl, 0) || collect(pl, pl->o.dtype, 0))
		return -1;
	if (pl->o.normalize) {
		const struct nb_profile *p = profiles_find(pl->set, pl->o.normalize);
		int keep = 0;

		if (!strcmp(pl->o.normalize, "host"))
			base = pl->host;
		for (int i = 0; i < pl->nchips && p && base == -2; i++)
			if (pl->chips[i].p == p)
				base = pl->chips[i].target;
		if (base < 0)
			return error("--normalize %s: not among the plotted targets (use host or a chip "
				     "of --chips)", pl->o.normalize);
		/* Each case's values over the baseline's; cases it lacks are dropped. */
		for (int g = 0; g < c->ngroups; g++) {
			double ref = 0;

			for (int k = 0; k < c->npoints; k++)
				if (c->points[k].group == g && c->points[k].target == base)
					ref = c->points[k].y;
			for (int k = 0; k < c->npoints; k++)
				if (c->points[k].group == g)
					c->points[k].y = ref > 0 ? c->points[k].y / ref : NAN;
		}
		for (int k = 0; k < c->npoints; k++)
			if (isfinite(c->points[k].y))
				c->points[keep++] = c->points[k];
		c->npoints = keep;
		c->normalize = xstrdup(c->targets[base].name);
		if (keep == 0)
			return error("--normalize %s: it has no result in the selection", pl->o.normalize);
	}
	set_subtitle(pl, pl->o.dtype);
	return 0;
}

/* The value of the case's sweep parameters when they are all equal, or -1. */
static int64_t sweep_size(const struct nb_sweep *sw, const struct nb_case *c)
{
	int64_t v = -1;

	for (int i = 0; i < 3 && sw->params[i]; i++) {
		int64_t x = case_int(c, sw->params[i]);

		if (v >= 0 && x != v)
			return -1;
		v = x;
	}
	return v;
}

/* True when A and B differ at most in the swept parameters (and a zero
 * "n" meaning "sized past the cache" is not compared). */
static int same_but_size(const struct nb_sweep *sw, const struct nb_case *a, const struct nb_case *b)
{
	const struct nb_kernel *k = a->kernel;

	for (int i = 0; i < k->nparams; i++) {
		int swept = 0;

		for (int j = 0; j < 3 && sw->params[j]; j++)
			swept |= !strcmp(sw->params[j], k->params[i].name);
		if (swept)
			continue;
		if (k->params[i].type == NB_P_REAL ? a->v[i].r != b->v[i].r : a->v[i].i != b->v[i].i)
			return 0;
	}
	return 1;
}

/* The sweep of a workload's chip count: train doubles dp (tp, pp and the
 * global batch as the case gives them: strong scaling) while the batch
 * divides; infer doubles tp (one replica, the batch as given). */
static int workload_sweep(const struct nb_case *base, int train, int i, struct nb_case *out, int64_t *chips)
{
	int64_t v = (int64_t)1 << i;
	const char *knob = train ? "dp" : "tp";

	*out = *base;
	out->v[kernel_param_index(out->kernel, knob)].i = v;
	if (train) {
		if (v * case_int(out, "micro_batch") > case_int(out, "global_batch") ||
		    case_int(out, "global_batch") % (v * case_int(out, "micro_batch")))
			return -1;
		*chips = case_int(out, "tp") * case_int(out, "pp") * v;
	} else {
		if (v > case_int(out, "heads") && case_int(out, "heads") > 0)
			return -1;
		*chips = v * case_int(out, "pp");
	}
	return *chips <= (1 << 20) ? 0 : -1;
}

/* Scaling of a train or infer case (--workload): step time and MFU
 * against chip count, a line pair per chip, each point the model's
 * prediction of the case at that count (what 'run --target CHIP --case'
 * stores for it). */
static int build_scaling_workload(struct plot *pl)
{
	struct chart *c = &pl->chart;
	struct nb_case base;
	char msg[256];
	int train;

	if (case_parse(pl->o.workload, &base, msg, sizeof(msg)) || case_check(&base, msg, sizeof(msg)))
		return error("--workload '%s': %s", pl->o.workload, msg);
	train = !strcmp(base.kernel->name, "train");
	if (!train && strcmp(base.kernel->name, "infer"))
		return error("--workload '%s': expected a train or infer case", pl->o.workload);
	if (!pl->o.chips)
		chips_default(pl);
	chart_add_group(c, "step time", "s", 0);
	chart_add_group(c, "MFU", "%", 0);
	for (int i = 0; i < pl->nchips; i++) {
		int t = chart_add_target(c, chip_label(&pl->chips[i]), 0), any = 0;

		for (int k = 0; k <= 20; k++) {
			struct nb_case cs;
			struct nb_prediction pr;
			int64_t chips;

			if (workload_sweep(&base, train, k, &cs, &chips))
				continue;
			if (model_predict(&cs, pl->chips[i].p, &pr))
				continue;
			if (pr.status == NB_PRED_OK && pr.seconds > 0) {
				chart_add_point(c, t, 0, (double)chips, pr.seconds);
				chart_add_point(c, t, 1, (double)chips, 100 * pr.util);
				any = 1;
			}
			prediction_release(&pr);
		}
		if (!any) {
			char *note = xasprintf("%s%s%s", c->note ? c->note : "Not drawn (no chip count fits or "
					       "runs): ", c->note ? ", " : "", pl->chips[i].id);

			warning("%s: the model predicts '%s' at no chip count (memory or layout)", pl->chips[i].id,
				pl->o.workload);
			free(c->note);
			c->note = note;
		}
	}
	if (c->npoints == 0)
		return error("nothing to draw: no chip predicts '%s' at any chip count", pl->o.workload);
	c->xlabel = xstrdup(train ? "chips (tp x pp x dp, dp doubled)" : "chips (tp doubled)");
	c->ylabel = xstrdup(train ? "step time (s)" : "batch time (s)");
	c->y2label = xstrdup("MFU (%)");
	c->unit = xstrdup("s");
	if (!pl->o.title)
		c->title = xasprintf("%s: %s and MFU against chip count", pl->o.workload,
				     train ? "step time" : "batch time");
	set_subtitle(pl, train ? "predicted by the model; tp, pp and the global batch as given, dp doubled"
		     : "predicted by the model; one replica, tp doubled");
	return 0;
}

static int build_scaling(struct plot *pl)
{
	struct chart *c = &pl->chart;
	const struct nb_sweep *sw = NULL;
	const struct nb_kernel *k = NULL;
	struct nb_case base;
	struct nb_work w;
	char msg[256];
	int host = -1;

	if (pl->o.workload)
		return build_scaling_workload(pl);

	/* The first family with a sweep that --kernel names (gemm by default). */
	for (int i = 0; i < nb_nkernels && !k; i++) {
		const struct nb_kernel *cand = nb_kernels[i];

		if (cand->sweep && nb_glob_match(pl->o.kernel ? pl->o.kernel : "gemm", cand->name)) {
			k = cand;
			sw = cand->sweep;
		}
	}
	if (!k) {
		struct strbuf names = STRBUF_INIT;

		for (int i = 0; i < nb_nkernels; i++)
			if (nb_kernels[i]->sweep)
				sb_addf(&names, "%s%s", names.len ? ", " : "", nb_kernels[i]->name);
		error("--kernel %s: no kernel with a size sweep (scaling draws %s)",
		      pl->o.kernel ? pl->o.kernel : "", sb_str(&names));
		sb_release(&names);
		return -1;
	}
	case_init(&base, k);
	if (pl->o.dtype && case_set(&base, "dtype", pl->o.dtype, msg, sizeof(msg)))
		return error("--dtype %s: %s", pl->o.dtype, msg);
	/* bf16 by default, the dtype of training, where the family has it. */
	if (!pl->o.dtype && kernel_param_index(k, "dtype") >= 0) {
		struct nb_case bf = base;

		if (case_set(&bf, "dtype", "bf16", msg, sizeof(msg)) == 0 && case_check(&bf, msg, sizeof(msg)) == 0)
			base = bf;
	}
	if (load_run(pl, 1))
		return -1;
	if (!pl->o.chips)
		chips_default(pl);
	/* Stored host results of this kernel and dtype with every swept
	 * parameter equal: the measured curve. */
	for (int i = 0; i < pl->nrs; i++) {
		const struct nb_result *r = &pl->rs[i];
		int64_t s;

		if (!is_host(r) || r->kcase.kernel != k || !usable(r) || !same_but_size(sw, &r->kcase, &base) ||
		    (s = sweep_size(sw, &r->kcase)) <= 0)
			continue;
		if (host < 0)
			host = chart_add_target(c, "host", 1);
		chart_add_point(c, host, 0, (double)s, r->throughput);
	}
	for (int i = 0; i < pl->nchips; i++) {
		int t = chart_add_target(c, pl->chips[i].id, 0), any = 0;

		k->work(&base, &w);
		if (!strcmp(w.unit, "B/s"))
			c->targets[t].peak = profile_bw_bytes_per_s(pl->chips[i].p);
		else if (kernel_param_index(k, "dtype") >= 0)
			set_peak(&c->targets[t], pl->chips[i].p, case_dtype(&base));
		for (int64_t s = sw->from; s <= sw->to; s *= 2) {
			struct nb_case cs = base;
			struct nb_prediction pr;
			char v[32];
			int bad = 0;

			snprintf(v, sizeof(v), "%lld", (long long)s);
			for (int j = 0; j < 3 && sw->params[j]; j++)
				bad |= case_set(&cs, sw->params[j], v, msg, sizeof(msg)) != 0;
			if (bad || case_check(&cs, msg, sizeof(msg)) || model_predict(&cs, pl->chips[i].p, &pr))
				continue;
			if (pr.status == NB_PRED_OK && pr.throughput > 0) {
				chart_add_point(c, t, 0, (double)s, pr.throughput);
				c->points[c->npoints - 1].compute_bound =
					pr.bound && !strcmp(pr.bound, "compute");
				any = 1;
			}
			prediction_release(&pr);
		}
		if (!any) {
			char *note = xasprintf("%s%s%s", c->note ? c->note : "Not drawn (no size predicted: "
					       "dtype or memory): ", c->note ? ", " : "", pl->chips[i].id);

			warning("%s: the model predicts no size of '%s' on it (dtype or memory)",
				pl->chips[i].id, k->name);
			free(c->note);
			c->note = note;
		}
	}
	if (c->npoints == 0)
		return error("nothing to draw: no chip predicts '%s' and the run has no host results for it",
			     k->name);
	{
		char detail[96];

		c->unit = xstrdup(w.unit);
		c->xlabel = xstrdup(sw->xlabel);
		snprintf(detail, sizeof(detail), "%s%s%s", k->name,
			 kernel_param_index(k, "dtype") >= 0 ? " " : "",
			 kernel_param_index(k, "dtype") >= 0 ? dtype_name(case_dtype(&base)) : "");
		if (!pl->o.title)
			c->title = xasprintf("%s: throughput against size", detail);
		set_subtitle(pl, host >= 0 ? "host measured, chips predicted by the model" :
			     "chips predicted by the model");
	}
	return 0;
}

/* The op of a stored collective result, or "". */
static const char *coll_op(const struct nb_result *r, char *buf, size_t n)
{
	int i = r->kcase.kernel ? kernel_param_index(r->kcase.kernel, "op") : -1;

	return i >= 0 ? case_value_text(&r->kcase, i, buf, n) : "";
}

/* Collectives: bus bandwidth against message size, a line per chip and
 * case (op, dtype, ranks: the case label less its size). */
static int build_collectives(struct plot *pl)
{
	struct chart *c = &pl->chart;
	const char *op = pl->o.op ? pl->o.op : "allreduce";
	int ncoll = 0, host = 0;
	char buf[64];

	if (load_run(pl, 0))
		return -1;
	for (int i = 0; i < pl->nrs; i++) {
		const struct nb_result *r = &pl->rs[i];
		struct strbuf name = STRBUF_INIT;
		char *label, *b;
		int ch, t = -1;

		if (!r->kernel || strcmp(r->kernel, "collective") || !r->kcase.kernel)
			continue;
		ncoll++;
		if (!nb_glob_match(op, coll_op(r, buf, sizeof(buf))) || !dtype_matches(pl->o.dtype, r) ||
		    !usable(r) || case_int(&r->kcase, "bytes") <= 0)
			continue;
		if (is_host(r)) {
			sb_adds(&name, "host");
		} else {
			if ((ch = chip_of_result(pl, r)) < 0)
				continue;
			sb_adds(&name, pl->chips[ch].id);	/* short: the legend holds several per chip */
		}
		/* "collective allreduce fp32 bytes=8" -> "allreduce fp32" */
		label = case_label(r);
		if ((b = strstr(label, " bytes=")))
			memmove(b, b + 7 + strcspn(b + 7, " "), strlen(b + 7 + strcspn(b + 7, " ")) + 1);
		sb_addf(&name, " %s", !strncmp(label, "collective ", 11) ? label + 11 : label);
		free(label);
		for (int j = 0; j < c->ntargets && t < 0; j++)
			if (!strcmp(c->targets[j].name, sb_str(&name)))
				t = j;
		if (t < 0)
			t = chart_add_target(c, sb_str(&name), is_host(r));
		sb_release(&name);
		chart_add_point(c, t, 0, (double)case_int(&r->kcase, "bytes"), r->throughput);
		host |= is_host(r);
	}
	if (ncoll == 0)
		return error("run %lld has no collective results (store some with 'npubench run --suite "
			     "collectives --target CHIPS')", (long long)pl->run.id);
	if (c->npoints == 0)
		return error("run %lld: no collective result matches --op %s%s%s%s (see 'npubench show %lld')",
			     (long long)pl->run.id, op, pl->o.dtype ? " --dtype " : "",
			     pl->o.dtype ? pl->o.dtype : "", pl->o.chips ? " and --chips" : "", (long long)pl->run.id);
	c->unit = xstrdup("B/s");
	c->ylabel = xstrdup("bus bandwidth");
	c->xlabel = xstrdup("message size (bytes)");
	if (!pl->o.title)
		c->title = xasprintf("Collectives (%s): bus bandwidth against message size", op);
	set_subtitle(pl, host ? "host measured, chips predicted by the model" : "chips predicted by the model");
	return 0;
}

/* The parts of a workload's step (doc/export.md, "Workload breakdown"):
 * each a number, or an object whose numbers add up. */
static const char *const bd_keys[] = { "compute_s", "exposed_comm_s", "bubble_s", "optimizer_s" };
static const char *const bd_labels[] = { "compute", "exposed communication", "pipeline bubble", "optimizer" };

/* Breakdown: a stacked bar per stored train/infer prediction, its step
 * time split into compute, exposed communication, bubble and optimizer. */
static int build_breakdown(struct plot *pl)
{
	struct chart *c = &pl->chart;
	int nwork = 0, ncases = 0, other = -1, ntrain = 0, ninfer = 0;
	char *first = NULL, buf[64];

	if (load_run(pl, 0))
		return -1;
	for (size_t p = 0; p < NB_ARRAY_SIZE(bd_labels); p++)
		chart_add_group(c, bd_labels[p], "s", 0);
	/* Several workloads in the selection: each bar names its case. */
	for (int i = 0; i < pl->nrs; i++)
		if (result_is_workload(&pl->rs[i]) && pl->rs[i].model_json && kernel_matches(pl, &pl->rs[i])) {
			if (!first)
				first = pl->rs[i].case_text ? pl->rs[i].case_text : "";
			ncases += !pl->rs[i].case_text || strcmp(first, pl->rs[i].case_text);
		}
	for (int i = 0; i < pl->nrs; i++) {
		const struct nb_result *r = &pl->rs[i];
		double v[NB_ARRAY_SIZE(bd_keys)], sum = 0;
		int ch, t;

		if (!result_is_workload(r) || is_host(r) || !r->model_json || !kernel_matches(pl, r))
			continue;
		nwork++;
		if (r->status != NB_RES_OK || !(r->seconds > 0) || (ch = chip_of_result(pl, r)) < 0)
			continue;
		if (json_key_sums(r->model_json, bd_keys, (int)NB_ARRAY_SIZE(bd_keys), v)) {
			warning("result %lld (%s): its model breakdown is not JSON; skipped", (long long)r->id,
				r->target);
			continue;
		}
		if (ncases > 0) {
			/* Short: chip, kind and model ("h100-sxm train llama3-8b"), numbered
			 * when two cases of a model differ in other settings. */
			int mi = r->kcase.kernel ? kernel_param_index(r->kcase.kernel, "model") : -1, dup = 1;
			char *name = xasprintf("%s %s %s", pl->chips[ch].id, r->kernel,
					       mi >= 0 ? case_value_text(&r->kcase, mi, buf, sizeof(buf)) : "");

			for (int j = 0; j < c->ntargets; j++)
				dup += !strncmp(c->targets[j].name, name, strlen(name)) &&
				       (!c->targets[j].name[strlen(name)] || c->targets[j].name[strlen(name)] == ' ');
			if (dup > 1) {
				char *n2 = xasprintf("%s #%d", name, dup);

				free(name);
				name = n2;
			}
			t = chart_add_target(c, name, 0);
			free(name);
		} else {
			t = chart_add_target(c, chip_label(&pl->chips[ch]), 0);
		}
		ntrain += !strcmp(r->kernel, "train");
		ninfer += !strcmp(r->kernel, "infer");
		for (size_t p = 0; p < NB_ARRAY_SIZE(bd_keys); p++) {
			sum += v[p];
			chart_add_point(c, t, (int)p, 0, v[p]);
		}
		/* What the parts leave of the step (rounding aside): shown, not hidden. */
		if (r->seconds - sum > 1e-3 * r->seconds) {
			if (other < 0)
				other = chart_add_group(c, "other", "s", 0);
			chart_add_point(c, t, other, 0, r->seconds - sum);
		}
	}
	if (nwork == 0)
		return error("run %lld has no train or infer predictions (store some with 'npubench run "
			     "--suite llm --target CHIPS')", (long long)pl->run.id);
	if (c->ntargets == 0)
		return error("run %lld: no train or infer prediction with a step time%s%s%s%s (see "
			     "'npubench show %lld')", (long long)pl->run.id, pl->o.kernel ? " for --kernel " : "",
			     pl->o.kernel ? pl->o.kernel : "", pl->o.chips ? " on --chips " : "",
			     pl->o.chips ? pl->o.chips : "", (long long)pl->run.id);
	/* What a bar's time is per: a training step, or the whole served batch
	 * of an infer case (prefill and every decode step). */
	c->ylabel = xstrdup(!ninfer ? "time per step" : !ntrain ? "time per served batch (prefill + decode)"
			    : "time per step (train) or served batch (infer)");
	if (!pl->o.title)
		c->title = xasprintf("%s by part%s%s", !ninfer ? "Step time" : !ntrain ? "Served batch time"
				     : "Step and served batch time", ncases == 0 && first ? ": " : "",
				     ncases == 0 && first ? first : "");
	set_subtitle(pl, "predicted by the model, critical chip");
	return 0;
}

static int build_specs(struct plot *pl)
{
	struct chart *c = &pl->chart;

	if (!pl->o.chips)
		chips_default(pl);
	if (pl->nchips == 0)
		return error("no chip profiles found: nothing to compare (searched %s)",
			     pl->ctx->profile_dirs[0]);
	for (int i = 0; i < pl->nchips; i++) {
		int t = chart_add_target(c, pl->chips[i].id, 0);

		for (int d = 0; d < NB_DTYPE_COUNT; d++)
			c->targets[t].peaks[d] = profile_peak(pl->chips[i].p, (enum nb_dtype)d);
		c->targets[t].bw = profile_bw_bytes_per_s(pl->chips[i].p);
		c->targets[t].mem_bytes = profile_mem_bytes(pl->chips[i].p);
	}
	pl->chart.subtitle = xstrdup("dense (no sparsity) peaks; figures and their sources: "
				     "npubench profile show CHIP");
	return 0;
}

/* The width of a text chart: $COLUMNS when set, else the terminal's when
 * standard output is one, else 80. */
static int text_columns(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	int64_t v;

	if (env && *env && nb_parse_i64(env, &v) == 0 && v > 0 && v < 10000)
		return (int)v;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Renders or writes the chart as the options ask. */
static int output(struct plot *pl)
{
	const struct plot_opts *o = &pl->o;
	int term = -1;
	char *script = NULL;
	int ret = -1;

	if (o->term)
		term = chart_term_parse(o->term);
	else if (o->output && !strcmp(o->output, "-"))
		term = CHART_DUMB;
	else if (o->output)
		term = chart_term_for_path(o->output);
	else if (o->script)
		term = CHART_PNG;
	else
		term = CHART_DUMB;
	if (term == CHART_DUMB)
		pl->chart.columns = text_columns();
	if (o->script) {
		if (!(script = chart_script(&pl->chart, (enum chart_term)term,
					    o->output && strcmp(o->output, "-") ? o->output : NULL)))
			return -1;
		if (nb_write_output(o->script, script, strlen(script)))
			goto out;
		free(script);
		script = NULL;
		if (!o->output && !o->term) {
			if (!strcmp(o->script, "-")) {
				ret = 0;
				goto out;
			}
			fprintf(stderr, "wrote %s: render it with 'gnuplot %s > chart.png'\n", o->script,
				o->script);
			ret = 0;
			goto out;
		}
	}
	if (chart_render(&pl->chart, (enum chart_term)term, o->output))
		goto out;
	if (o->output && strcmp(o->output, "-"))
		fprintf(stderr, "wrote %s\n", o->output);
	ret = 0;
out:
	free(script);
	return ret;
}

static int parse_options(int argc, char **argv, struct plot_opts *o)
{
	static const char *const kinds[] = { "roofline", "bars", "scaling", "specs", "collectives",
					     "breakdown" };
	static const struct option longopts[] = {
		{ "chips", required_argument, NULL, 'c' },
		{ "run", required_argument, NULL, 'r' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "dtype", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "term", required_argument, NULL, 't' },
		{ "script", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 'T' },
		{ "normalize", required_argument, NULL, 'n' },
		{ "op", required_argument, NULL, 'O' },
		{ "workload", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct nb_near nr;
	int c, kind = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->chips = optarg; break;
		case 'r': o->run = optarg; break;
		case 'k': o->kernel = optarg; break;
		case 'd': o->dtype = optarg; break;
		case 'o': o->output = optarg; break;
		case 't': o->term = optarg; break;
		case 's': o->script = optarg; break;
		case 'T': o->title = optarg; break;
		case 'n': o->normalize = optarg; break;
		case 'O': o->op = optarg; break;
		case 'W': o->workload = optarg; break;
		default: return bad_option(&nb_cmd_plot, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(&nb_cmd_plot, "which chart? roofline, bars, scaling, specs, collectives or breakdown");
	for (size_t i = 0; i < NB_ARRAY_SIZE(kinds); i++)
		if (!strcmp(argv[optind], kinds[i]))
			kind = (int)i;
	if (kind < 0)
		return usage_error(&nb_cmd_plot, "unknown chart '%s'%s (use roofline, bars, scaling, specs, collectives "
				   "or breakdown)", argv[optind],
				   nb_near_choices(&nr, argv[optind], "roofline|bars|scaling|specs|collectives|breakdown"));
	if (optind + 1 < argc)
		return usage_error(&nb_cmd_plot, "unexpected argument '%s'", argv[optind + 1]);
	o->kind = (enum chart_kind)kind;
	if (o->term && chart_term_parse(o->term) < 0)
		return usage_error(&nb_cmd_plot, "--term %s: unknown terminal%s (use dumb, png, svg or pdf)", o->term,
				   nb_near_choices(&nr, o->term, "dumb|png|svg|pdf"));
	if (o->output && strcmp(o->output, "-") && !o->term && chart_term_for_path(o->output) < 0)
		return usage_error(&nb_cmd_plot, "-o %s: name a .png, .svg, .pdf or .txt file, or give --term",
				   o->output);
	if (o->dtype && dtype_parse(o->dtype) < 0)
		return usage_error(&nb_cmd_plot, "--dtype %s: unknown dtype%s (fp64, fp32, tf32, fp16, bf16, "
				   "fp8, int8, int4)", o->dtype,
				   nb_near_choices(&nr, o->dtype, "fp64|fp32|tf32|fp16|bf16|fp8|int8|int4"));
	if (o->normalize && o->kind != CHART_BARS)
		return usage_error(&nb_cmd_plot, "--normalize applies to bars only");
	if (o->op && o->kind != CHART_COLLECTIVES)
		return usage_error(&nb_cmd_plot, "--op applies to collectives only");
	if (o->workload && o->kind != CHART_SCALING)
		return usage_error(&nb_cmd_plot, "--workload applies to scaling only");
	if (o->workload && (o->kernel || o->dtype || o->run))
		return usage_error(&nb_cmd_plot, "--workload draws its own case: --kernel, --dtype and --run do not apply");
	if (o->workload) {
		struct nb_case wc;
		char msg[256];

		if (case_parse(o->workload, &wc, msg, sizeof(msg)) || case_check(&wc, msg, sizeof(msg)))
			return usage_error(&nb_cmd_plot, "--workload '%s': %s", o->workload, msg);
		if (strcmp(wc.kernel->name, "train") && strcmp(wc.kernel->name, "infer"))
			return usage_error(&nb_cmd_plot, "--workload '%s': expected a train or infer case", o->workload);
	}
	if (o->run && o->kind == CHART_SPECS)
		return usage_error(&nb_cmd_plot, "--run does not apply to specs (they come from profiles)");
	return 0;
}

static int cmd_plot(int argc, char **argv, struct nb_ctx *ctx)
{
	struct plot pl;
	int ret;

	memset(&pl, 0, sizeof(pl));
	pl.ctx = ctx;
	pl.host = -1;
	if ((ret = parse_options(argc, argv, &pl.o)))
		return ret;
	ret = NB_EXIT_FAIL;
	chart_init(&pl.chart, pl.o.kind);
	if (!(pl.set = ctx_profiles(ctx)))
		goto out;
	if (pl.o.chips && (ret = chips_from_option(&pl)))
		goto out;
	ret = NB_EXIT_FAIL;
	switch (pl.o.kind) {
	case CHART_ROOFLINE:
		if (build_roofline(&pl))
			goto out;
		break;
	case CHART_BARS:
		if (build_bars(&pl))
			goto out;
		break;
	case CHART_SCALING:
		if (build_scaling(&pl))
			goto out;
		break;
	case CHART_SPECS:
		if (build_specs(&pl))
			goto out;
		break;
	case CHART_COLLECTIVES:
		if (build_collectives(&pl))
			goto out;
		break;
	case CHART_BREAKDOWN:
		if (build_breakdown(&pl))
			goto out;
		break;
	}
	if (pl.o.title) {
		free(pl.chart.title);
		pl.chart.title = xstrdup(pl.o.title);
	}
	if (output(&pl))
		goto out;
	ret = 0;
out:
	chart_release(&pl.chart);
	if (pl.rs)
		results_free(pl.rs, pl.nrs);
	if (pl.have_run)
		run_release(&pl.run);
	free(pl.chips);
	return ret;
}

const struct nb_command nb_cmd_plot = {
	.name = "plot",
	.exec = cmd_plot,
	.usage = "plot roofline|bars|scaling|specs|collectives|breakdown [--chips LIST] [--run ID] [--kernel PATTERN] "
		 "[--dtype D] [-o FILE] [--term dumb|png|svg|pdf] [--script FILE] [--title TEXT] "
		 "[--normalize CHIP] [--op PATTERN] [--workload CASE]",
	.summary = "Draw rooflines, bars, scaling curves and spec charts with gnuplot.",
	.help = "Charts:\n"
		"  roofline   log-log: operational intensity against attained throughput; a roof per\n"
		"             chip for the dtype (compute ceiling, memory slope, ridge point circled),\n"
		"             the host's roof when 'profile probe' measured it (else a note says so),\n"
		"             and the run's cases, measured on the host and predicted on the chips,\n"
		"             numbered above the plot with a key; each chip's marker in the legend\n"
		"  bars       throughput per case by target: a panel per unit (more where the cases\n"
		"             do not fit across), names wrapped at spaces, one legend\n"
		"  scaling    throughput against size for one kernel family, the model swept over the\n"
		"             chips (gemm m=n=k 64..16384, attention seq 256..32768), with the run's\n"
		"             host results where present; with --workload, step time (left) and MFU\n"
		"             (right) against chip count, a line pair per chip\n"
		"  specs      dense peak per dtype, memory bandwidth and capacity per chip\n"
		"  collectives log-log: bus bandwidth against message size of the run's collective\n"
		"             results, a line per chip and op (e.g. after 'run --suite collectives')\n"
		"  breakdown  a stacked bar per stored train/infer prediction: the time of a training\n"
		"             step or of an infer case's whole served batch, split into compute,\n"
		"             exposed communication, pipeline bubble and optimizer\n"
		"\nOptions:\n"
		"  --chips LIST      the words of 'run --target' (default: the run's chips; scaling\n"
		"                    and specs: 'default', 910b, a100, h100, tpu-v5e); chips the run did\n"
		"                    not predict are predicted now for its cases; 'host' is this\n"
		"                    machine's probed profile (its measured results are always drawn)\n"
		"  --run ID          the stored run: id, UUID prefix or 'last' (default)\n"
		"  --kernel PATTERN  only kernels matching the glob (scaling: the family, default gemm)\n"
		"  --dtype D         only cases of this dtype; the roofline's roofs (default: bf16 when\n"
		"                    the run has it, else its most common dtype); scaling: the swept\n"
		"                    dtype (default bf16 where the family has it)\n"
		"  -o, --output FILE write the chart; the type follows the extension: .png, .svg, .pdf,\n"
		"                    .txt (text); '-' is standard output (text unless --term)\n"
		"  --term T          dumb (text), png, svg or pdf, whatever the file name says; without\n"
		"                    -o and --script the chart is drawn as text on standard output,\n"
		"                    $COLUMNS wide (else the terminal's width, else 80), the y axis's\n"
		"                    label written over the axis\n"
		"  --script FILE     also write the gnuplot script with its data inline, to re-render\n"
		"                    and restyle with gnuplot alone; alone, only the script is written;\n"
		"                    '-' is standard output.  Existing files are replaced keeping their\n"
		"                    mode and owner; links are followed; devices and FIFOs written into\n"
		"  --title TEXT      the chart's title\n"
		"  --normalize CHIP  bars: throughput relative to CHIP (or host) instead\n"
		"  --op PATTERN      collectives: the ops matching the glob (default allreduce; '*'\n"
		"                    for every op)\n"
		"  --workload CASE   scaling: a train or infer case, predicted per chip at doubling\n"
		"                    chip counts (train: dp doubled, tp, pp and the global batch as\n"
		"                    given; infer: tp doubled); counts that do not fit are left out\n"
		"\ngnuplot is found on PATH (or NPUBENCH_GNUPLOT names it); Debian: gnuplot-nox.\n",
};
