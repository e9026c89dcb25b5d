/* compare chips --workload: one train or infer case on N chips of each
 * chip, each given the parallel layout that serves it best from a bounded
 * search, side by side: step time, MFU, memory fit, tokens/s and an energy
 * estimate. */
#include "npubench.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/compare.h"
#include "kernels/workload.h"
#include "model/compose.h"
#include "model/profile.h"
#include "report/format.h"
#include "targets/target.h"
#include "util/util.h"

struct best {
	struct nb_case c;
	struct nb_prediction pr;	/* breakdown released; status, seconds, util kept */
	struct nb_wl_result r;
	int found, tried, fitting;
	char reason[256];		/* why nothing fits or runs */
	double need;			/* the smallest memory any layout needed */
};

static void setv(struct nb_case *c, const char *name, int64_t v)
{
	c->v[kernel_param_index(c->kernel, name)].i = v;
}

/* Predicts one layout; keeps it when it runs and is faster. */
static void try_layout(const struct nb_case *c, const struct nb_profile *p, struct best *b)
{
	struct nb_prediction pr;
	struct nb_wl_result r;
	char msg[256];

	if (case_check(c, msg, sizeof(msg)))
		return;
	b->tried++;
	compose_predict(c, p, &pr, &r);
	prediction_release(&pr);
	if (pr.status == NB_PRED_NO_FIT && (b->need == 0 || r.mem.total < b->need))
		b->need = r.mem.total;
	if (pr.status != NB_PRED_OK) {
		if (!b->found && (!b->reason[0] || pr.status != NB_PRED_NO_FIT))
			snprintf(b->reason, sizeof(b->reason), "%s", pr.reason);
		return;
	}
	b->fitting++;
	if (b->found && pr.seconds >= b->pr.seconds)
		return;
	b->found = 1;
	b->c = *c;
	b->pr = pr;
	b->r = r;
}

/* tp within one scale-up domain (powers of two up to 16), pp up to 64,
 * dp what is left of CHIPS; for training also interleave 1|2, recompute
 * selective|full and ZeRO 0|1, sequence parallelism with tp, and with it
 * the tensor-parallel collectives exposed or pipelined with their GEMMs
 * (tp_overlap): implementations offer both, so the search tries both. */
static void search(const struct nb_case *base, const struct nb_profile *p, int64_t chips, struct best *b)
{
	struct nb_interconnect ic;
	int domain = profile_interconnect(p, &ic) ? 8 : ic.chips, train = !strcmp(base->kernel->name, "train");

	memset(b, 0, sizeof(*b));
	for (int64_t tp = 1; tp <= 16 && tp <= domain && tp <= chips; tp *= 2)
		for (int64_t pp = 1; pp <= 64 && tp * pp <= chips; pp *= 2) {
			struct nb_case c = *base;

			if (chips % (tp * pp))
				continue;
			setv(&c, "tp", tp);
			setv(&c, "pp", pp);
			if (!train) {
				try_layout(&c, p, b);
				continue;
			}
			setv(&c, "dp", chips / (tp * pp));
			setv(&c, "sp", tp > 1);
			for (int v = 1; v <= (pp > 1 ? 2 : 1); v++)
				for (int rc = 1; rc <= 2; rc++)
					for (int z = 0; z <= 1; z++)
						for (int ov = 0; ov <= (tp > 1); ov++) {
							setv(&c, "interleave", v);
							setv(&c, "recompute", rc);
							setv(&c, "zero", z);
							setv(&c, "tp_overlap", ov);
							try_layout(&c, p, b);
						}
		}
}

static const char *layout_text(const struct nb_case *c, char *buf, size_t n)
{
	if (!strcmp(c->kernel->name, "train")) {
		static const char *const rc[] = { "none", "selective", "full" };

		snprintf(buf, n, "tp=%lld pp=%lld dp=%lld%s%s interleave=%lld recompute=%s zero=%lld",
			 (long long)case_int(c, "tp"), (long long)case_int(c, "pp"), (long long)case_int(c, "dp"),
			 case_int(c, "sp") ? " sp=true" : "", case_int(c, "tp_overlap") ? " tp_overlap=true" : "",
			 (long long)case_int(c, "interleave"),
			 rc[case_int(c, "recompute")], (long long)case_int(c, "zero"));
	} else {
		snprintf(buf, n, "tp=%lld pp=%lld", (long long)case_int(c, "tp"), (long long)case_int(c, "pp"));
	}
	return buf;
}

static void print_rows(const struct nb_profile *const *ps, struct best *bs, int n, int64_t chips, int train,
		       enum nb_format fmt)
{
	/* Rounded text for people; csv and json get the numbers. */
	int human = fmt == NB_FMT_TABLE || fmt == NB_FMT_MARKDOWN;
	static const struct nb_col cols[] = {
		{ "chip", NB_COL_STR, NULL, -15, 0, 0 },
		{ "fits", NB_COL_STR, NULL, -4, 0, 0 },
		{ "step_s", NB_COL_NUM, "step(s)", 8, 0, 0 },
		{ "tokens_per_s", NB_COL_NUM, "token/s", 10, 0, 0 },
		{ "mfu", NB_COL_NUM, "MFU", 5, 0, 0 },
		{ "memory_gib", NB_COL_NUM, "mem(GiB)", 8, 0, 0 },
		{ "capacity_gib", NB_COL_NUM, "of", 5, 0, 0 },
		{ "energy_kj", NB_COL_NUM, "energy(kJ)*", 11, 0, 0 },
		{ "layout", NB_COL_STR, "best layout (searched)", 0, 0, 0 },
		{ "tried", NB_COL_INT, NULL, 0, 0, NB_COL_NO_TABLE },
		{ "fitting", NB_COL_INT, NULL, 0, 0, NB_COL_NO_TABLE },
		{ "note", NB_COL_STR, NULL, 0, 0, NB_COL_NO_TABLE },
	};
	struct nb_records *w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), "  ", 0);

	for (int i = 0; i < n; i++) {
		struct best *b = &bs[i];
		char t[9][64], lay[200] = "-";
		double tdp = profile_tdp_w(ps[i]);
		double energy = b->found && tdp > 0 ? tdp * (double)chips * b->pr.seconds / 1e3 : 0;
		double mem = b->found ? b->r.mem.total : b->need;

		snprintf(t[0], sizeof(t[0]), "%.3g", b->pr.seconds);
		snprintf(t[1], sizeof(t[1]), "%.4g", b->r.tokens_per_s * (train ? 1 : (double)chips / b->r.chips));
		snprintf(t[2], sizeof(t[2]), "%.1f%%", 100 * b->r.mfu);
		snprintf(t[3], sizeof(t[3]), "%.1f", mem / 1073741824.0);
		snprintf(t[4], sizeof(t[4]), "%.0f", profile_mem_bytes(ps[i]) / 1073741824.0);
		snprintf(t[5], sizeof(t[5]), "%.4g", energy);
		if (b->found)
			layout_text(&b->c, lay, sizeof(lay));
		{
			struct nb_cell row[] = {
				{ profile_id(ps[i]), 0, 0 },
				{ b->found ? "yes" : "no", 0, 0 },
				{ human ? t[0] : NULL, b->pr.seconds, !b->found },
				{ human ? t[1] : NULL, b->r.tokens_per_s * (train ? 1 : (double)chips / b->r.chips), !b->found },
				{ human ? t[2] : NULL, b->r.mfu, !b->found },
				{ human ? t[3] : NULL, mem / 1073741824.0, mem <= 0 },
				{ human ? t[4] : NULL, profile_mem_bytes(ps[i]) / 1073741824.0, 0 },
				{ human ? t[5] : NULL, energy, energy <= 0 },
				{ lay, 0, !b->found },
				{ NULL, b->tried, 0 },
				{ NULL, b->fitting, 0 },
				{ b->found ? "" : b->reason, 0, b->found },
			};

			records_row(w, row);
		}
	}
	records_end(w);
}

static void print_notes(const struct nb_profile *const *ps, const struct best *bs, int n, const char *text,
			int64_t chips, int train)
{
	printf("\n%s on %lld chips of each.  Each chip gets the fastest layout that fits out of\n"
	       "tp 1-16 (within its scale-up domain) x pp 1-64 x dp = chips / (tp x pp)%s.\n",
	       text, (long long)chips, train ? ",\ninterleave 1|2, recompute selective|full, ZeRO 0|1, sp with tp, tp_overlap false|true" : "");
	for (int i = 0; i < n; i++)
		if (!bs[i].found)
			printf("%s: no layout of %d tried runs: %s\n", profile_id(ps[i]), bs[i].tried, bs[i].reason);
		else
			printf("%s: %d layouts tried, %d fit and run; the fastest won.\n", profile_id(ps[i]), bs[i].tried,
			       bs[i].fitting);
	printf("%s\n"
	       "Predicted, not measured: every GEMM, attention and elementwise op by the kernel model, every\n"
	       "collective by the collective model over the profile's interconnect (tp inside the scale-up\n"
	       "domain, dp and pp across it); MFU = model FLOPs without recomputation / (step x chips x the\n"
	       "dtype's dense peak).  * energy = TDP x chips x step time: an estimate, not a measurement.\n",
	       train ? "" : "Inference: token/s is output tokens over all chips (chips / (tp x pp) replicas).");
}

int compare_workload(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "chips", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct nb_profile **ps = NULL;
	struct nb_targets ts = { 0 };
	enum nb_format fmt = NB_FMT_TABLE;
	const char *text = NULL, *list = NULL;
	struct best *bs = NULL;
	struct nb_case base;
	int64_t chips = 0;
	char msg[256];
	int c, n = 0, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:n:f:", longopts, NULL)) != -1) {
		if (c == 'w')
			text = optarg;
		else if (c == 'n' && (nb_parse_i64(optarg, &chips) || chips < 1))
			return usage_error(&nb_cmd_compare, "--chips '%s': expected a positive integer", optarg);
		else if (c == 'f' && format_option(&nb_cmd_compare, optarg, NB_FMTS_LISTING, &fmt))
			return NB_EXIT_USAGE;
		else if (c != 'w' && c != 'n' && c != 'f')
			return bad_option(&nb_cmd_compare, argv, c);
	}
	if (!text)
		return usage_error(&nb_cmd_compare, "--workload needs a train or infer case");
	if (case_parse(text, &base, msg, sizeof(msg)) || case_check(&base, msg, sizeof(msg)))
		return usage_error(&nb_cmd_compare, "--workload '%s': %s", text, msg);
	if (strcmp(base.kernel->name, "train") && strcmp(base.kernel->name, "infer"))
		return usage_error(&nb_cmd_compare, "--workload '%s': expected a train or infer case", text);
	if (chips == 0)
		chips = strcmp(base.kernel->name, "train") ? case_int(&base, "tp") * case_int(&base, "pp")
			: case_int(&base, "tp") * case_int(&base, "pp") * case_int(&base, "dp");
	for (int i = optind; i < argc; i++) {
		char *joined = list ? xasprintf("%s,%s", list, argv[i]) : xstrdup(argv[i]);

		free((char *)list);
		list = joined;
	}
	ret = targets_option(&nb_cmd_compare, ctx, "compare chips", list ? list : "default", 0, &ts);
	free((char *)list);
	if (ret)
		return ret;
	for (int i = 0; i < ts.n; i++) {
		if (target_measured(&ts.v[i]) || !ts.v[i].profile)
			continue;
		ps = xrealloc(ps, (size_t)(n + 1) * sizeof(*ps));
		bs = xrealloc(bs, (size_t)(n + 1) * sizeof(*bs));
		ps[n] = ts.v[i].profile;
		search(&base, ps[n], chips, &bs[n]);
		n++;
	}
	if (n == 0)
		ret = usage_error(&nb_cmd_compare, "--workload compares chips: name chip profiles");
	else {
		print_rows(ps, bs, n, chips, !strcmp(base.kernel->name, "train"), fmt);
		if (fmt == NB_FMT_TABLE || fmt == NB_FMT_MARKDOWN)
			print_notes(ps, bs, n, text, chips, !strcmp(base.kernel->name, "train"));
	}
	targets_release(&ts);
	free(ps);
	free(bs);
	return ret;
}
