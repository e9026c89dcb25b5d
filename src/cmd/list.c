/* npubench list: kernels, suites, targets or stored runs. */
#include "npubench.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/suite.h"
#include "model/profile.h"
#include "report/format.h"
#include "model/llm.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/cpu.h"
#include "util/util.h"

static const char *const ptype_names[] = { "int", "real", "bool", "enum", "dtype" };

/* Kernels as people read them: a family, then its parameters indented. */
static void kernels_table(void)
{
	for (int i = 0; i < nb_nkernels; i++) {
		const struct nb_kernel *k = nb_kernels[i];

		printf("%s — %s\n", k->name, k->summary);
		for (int j = 0; j < k->nparams; j++) {
			const struct nb_param_desc *d = &k->params[j];
			char range[256] = "";	/* the impl vocabulary whole */

			if (d->type == NB_P_INT || d->type == NB_P_REAL)
				snprintf(range, sizeof(range), " [%g..%g]", d->min, d->max);
			else if (d->choices)
				snprintf(range, sizeof(range), " {%s}", d->choices);
			printf("    %-10s default %-8s%s  %s\n", d->name, d->def, range, d->help ? d->help : "");
		}
	}
}

/* For tools: one record per kernel parameter. */
static int list_kernels(enum nb_format fmt)
{
	static const struct nb_col cols[] = {
		{ "kernel", NB_COL_STR, NULL, 0, 0, 0 },
		{ "summary", NB_COL_STR, NULL, 0, 0, 0 },
		{ "param", NB_COL_STR, NULL, 0, 0, 0 },
		{ "type", NB_COL_STR, NULL, 0, 0, 0 },
		{ "default", NB_COL_STR, NULL, 0, 0, 0 },
		{ "min", NB_COL_NUM, NULL, 0, 0, 0 },
		{ "max", NB_COL_NUM, NULL, 0, 0, 0 },
		{ "choices", NB_COL_STR, NULL, 0, 0, 0 },
		{ "help", NB_COL_STR, NULL, 0, 0, 0 },
	};
	struct nb_records *w;

	if (fmt == NB_FMT_TABLE) {
		kernels_table();
		return 0;
	}
	w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), NULL, 0);
	for (int i = 0; i < nb_nkernels; i++) {
		const struct nb_kernel *k = nb_kernels[i];

		for (int j = 0; j < k->nparams; j++) {
			const struct nb_param_desc *d = &k->params[j];
			int ranged = d->type == NB_P_INT || d->type == NB_P_REAL;
			struct nb_cell row[] = {
				{ k->name, 0, 0 }, { k->summary, 0, 0 }, { d->name, 0, 0 },
				{ ptype_names[d->type], 0, 0 }, { d->def, 0, 0 },
				{ NULL, d->min, !ranged }, { NULL, d->max, !ranged },
				{ d->choices, 0, !d->choices }, { d->help, 0, !d->help },
			};

			records_row(w, row);
		}
	}
	records_end(w);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_suites(struct nb_ctx *ctx, enum nb_format fmt)
{
	static const struct nb_col cols[] = {
		{ "name", NB_COL_STR, NULL, -10, 0, 0 },
		{ "cases", NB_COL_INT, NULL, 0, 0, 0 },
		{ "description", NB_COL_STR, NULL, 0, 0, 0 },
	};
	struct nb_records *w = NULL;
	char *dir = xasprintf("%s/suites", ctx->data_dir), **names = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d) {
		error("cannot read the suites folder '%s'", dir);
		free(dir);
		return NB_EXIT_FAIL;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
			names = xrealloc(names, (size_t)(n + 1) * sizeof(char *));
			names[n++] = xstrndup(e->d_name, len - 5);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, (size_t)n, sizeof(char *), cmp_str);
	w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), " ", NB_REC_NO_HEADER);
	for (int i = 0; i < n; i++) {
		struct nb_suite *s;
		char count[32];

		if (suite_load(names[i], dir, &s)) {
			ret = NB_EXIT_FAIL;
		} else {
			/* The table says "12 cases"; tools get the number. */
			struct nb_cell row[] = {
				{ s->name, 0, 0 },
				{ fmt == NB_FMT_TABLE ? count : NULL, s->ncases, 0 },
				{ s->description ? s->description : "", 0, 0 },
			};

			snprintf(count, sizeof(count), "%4d cases ", s->ncases);
			records_row(w, row);
			suite_free(s);
		}
		free(names[i]);
	}
	records_end(w);
	free(names);
	free(dir);
	return ret;
}

/* Every target the registry knows: the host, then each chip. */
static int list_targets(struct nb_ctx *ctx, enum nb_format fmt)
{
	static const struct nb_col cols[] = {
		{ "id", NB_COL_STR, NULL, -16, 0, 0 },
		{ "name", NB_COL_STR, NULL, 0, 0, 0 },
		{ "kind", NB_COL_STR, NULL, 0, 0, NB_COL_NO_TABLE },
		{ "result", NB_COL_STR, NULL, 0, 0, NB_COL_NO_TABLE },
		{ "default", NB_COL_BOOL, NULL, 0, 0, NB_COL_NO_TABLE },
	};
	struct nb_targets ts = { 0 };
	struct nb_records *w;

	if (targets_all(ctx, &ts)) {
		targets_release(&ts);
		return NB_EXIT_FAIL;
	}
	w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), " ", NB_REC_NO_HEADER);
	for (int i = 0; i < ts.n; i++) {
		const struct nb_target *t = &ts.v[i];
		struct nb_cell row[] = {
			{ t->id, 0, 0 },
			{ t->kind->describe(t), 0, 0 },
			{ t->kind->name, 0, 0 },
			{ result_kind_name(t->kind->result_kind), 0, 0 },
			{ NULL, t->is_default, 0 },
		};

		records_row(w, row);
	}
	records_end(w);
	targets_release(&ts);
	return 0;
}

/* The stored runs, newest first. */
static int list_runs(struct nb_ctx *ctx, enum nb_format fmt)
{
	static const struct nb_col cols[] = {
		{ "run", NB_COL_INT, NULL, 5, 0, 0 },
		{ "started", NB_COL_STR, NULL, -20, 0, 0 },
		{ "status", NB_COL_STR, NULL, -11, 0, 0 },
		{ "results", NB_COL_INT, NULL, 7, 0, 0 },
		{ "uuid", NB_COL_STR, NULL, -8, 8, 0 },
		{ "tag", NB_COL_STR, NULL, 0, 0, 0 },
	};
	struct nb_store *st = ctx_store_existing(ctx);
	struct nb_records *w = NULL;
	struct nb_run *runs;
	int n;

	if (!st || store_runs_list(st, &runs, &n))
		return NB_EXIT_FAIL;
	if (n == 0)
		fprintf(stderr, "no runs in %s yet: try 'npubench run'\n", store_path(st));
	if (n > 0 || fmt != NB_FMT_TABLE)
		w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), "  ", 0);
	for (int i = 0; i < n; i++) {
		struct nb_cell row[] = {
			{ NULL, (double)runs[i].id, 0 },
			{ runs[i].started_at, 0, 0 },
			{ runs[i].status, 0, 0 },
			{ NULL, runs[i].nresults, 0 },
			{ runs[i].uuid, 0, 0 },
			{ runs[i].tag ? runs[i].tag : "", 0, fmt != NB_FMT_TABLE && !runs[i].tag },
		};

		records_row(w, row);
		run_release(&runs[i]);
	}
	records_end(w);
	free(runs);
	return 0;
}

/* The model catalog (data/models/): the names train and infer take as
 * model=, with their dimensions and sources. */
static int list_models(enum nb_format fmt)
{
	static const struct nb_col cols[] = {
		{ "id", NB_COL_STR, NULL, -18, 0, 0 },
		{ "params", NB_COL_NUM, "params(B)", 9, 0, 0 },
		{ "active", NB_COL_NUM, "active(B)", 9, 0, 0 },
		{ "layers", NB_COL_INT, NULL, 6, 0, 0 },
		{ "hidden", NB_COL_INT, NULL, 6, 0, 0 },
		{ "heads", NB_COL_INT, NULL, 5, 0, 0 },
		{ "kv_heads", NB_COL_INT, "kv", 3, 0, 0 },
		{ "head_dim", NB_COL_INT, "d", 3, 0, NB_COL_NO_TABLE },
		{ "ffn", NB_COL_INT, NULL, 6, 0, 0 },
		{ "gated", NB_COL_BOOL, NULL, 0, 0, NB_COL_NO_TABLE },
		{ "vocab", NB_COL_INT, NULL, 6, 0, 0 },
		{ "experts", NB_COL_INT, "E", 3, 0, 0 },
		{ "topk", NB_COL_INT, "k", 2, 0, 0 },
		{ "seq", NB_COL_INT, NULL, 5, 0, 0 },
		{ "name", NB_COL_STR, NULL, 0, 0, 0 },
		{ "source", NB_COL_STR, NULL, 0, 0, NB_COL_NO_TABLE },
	};
	struct nb_records *w;
	int n = llm_count();

	if (n == 0)
		return error("no models in '%s'", llm_dir()), NB_EXIT_FAIL;
	w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), " ", 0);
	for (int i = 0; i < n; i++) {
		const struct nb_llm *m = llm_get(i);
		char num[16][32];
		double v[] = { workload_params(m) / 1e9, workload_active_params(m) / 1e9, (double)m->layers,
			       (double)m->hidden, (double)m->heads, (double)m->kv_heads, (double)m->head_dim,
			       (double)m->ffn, m->gated, (double)m->vocab, (double)m->experts, (double)m->topk,
			       (double)m->seq };
		struct nb_cell row[16];

		row[0] = (struct nb_cell){ m->id, 0, 0 };
		for (int j = 0; j < 13; j++) {
			snprintf(num[j], sizeof(num[j]), j < 2 ? "%.1f" : "%.0f", v[j]);
			row[j + 1] = (struct nb_cell){ j == 8 ? NULL : num[j], v[j], 0 };
		}
		row[14] = (struct nb_cell){ llm_name(i), 0, 0 };
		row[15] = (struct nb_cell){ llm_source(i), 0, 0 };
		records_row(w, row);
	}
	records_end(w);
	return 0;
}

static int cmd_list(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum nb_format fmt = NB_FMT_TABLE;
	const char *what;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
		if (c != 'f')
			return bad_option(&nb_cmd_list, argv, c);
		if (format_option(&nb_cmd_list, optarg, NB_FMTS_LISTING, &fmt))
			return NB_EXIT_USAGE;
	}
	if (argc - optind < 1)
		return usage_error(&nb_cmd_list, "what to list? kernels, suites, targets, runs or models");
	if (argc - optind > 1)
		return usage_error(&nb_cmd_list, "unexpected argument '%s'", argv[optind + 1]);
	what = argv[optind];
	if (!strcmp(what, "kernels"))
		return list_kernels(fmt);
	if (!strcmp(what, "suites"))
		return list_suites(ctx, fmt);
	if (!strcmp(what, "targets") || !strcmp(what, "chips"))
		return list_targets(ctx, fmt);
	if (!strcmp(what, "runs"))
		return list_runs(ctx, fmt);
	if (!strcmp(what, "models"))
		return list_models(fmt);
	{
		struct nb_near nr;
		const char *hint = nb_near_choices(&nr, what, "kernels|suites|targets|runs|models");

		return usage_error(&nb_cmd_list, "cannot list '%s'%s (use kernels, suites, targets, runs "
				   "or models)", what, hint);
	}
}

const struct nb_command nb_cmd_list = {
	.name = "list",
	.exec = cmd_list,
	.usage = "list kernels|suites|targets|runs|models [--format table|csv|json|markdown]",
	.summary = "List kernels (with parameters), suites, targets or stored runs.",
	.help = "  kernels   every kernel family with its parameters, defaults and ranges\n"
		"            (csv, json, markdown: one record per parameter)\n"
		"  suites    the suites in the data folder, with their case counts\n"
		"  targets   host, every chip profile found and the GPUs the CUDA plugin sees\n"
		"            (cuda:N): the names 'run --target' takes\n"
		"            (csv, json, markdown also give the kind, measured or predicted,\n"
		"            and whether 'default' takes it in)\n"
		"  runs      the runs in the database, newest first\n"
		"  models    the transformer models train and infer take as model=NAME\n"
		"            (data/models/), with parameters in billions and sources\n"
		"Options:\n"
		"  -f, --format FMT   table (default), csv, json or markdown\n",
};
