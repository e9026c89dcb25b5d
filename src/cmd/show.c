/* npubench show: one stored run and its results. */
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/report.h"
#include "report/table.h"
#include "store/store.h"
#include "util/util.h"

/* The run for people: its metadata, then the results table. */
static void show_table(const struct nb_run *run, const struct nb_result *rs, int n)
{
	int width = 4;

	printf("run:        %lld (%s)\n", (long long)run->id, run->uuid);
	printf("status:     %s\n", run->status);
	printf("started:    %s\n", run->started_at);
	printf("ended:      %s\n", run->ended_at ? run->ended_at : "-");
	printf("host:       %s\n", run->hostname ? run->hostname : "?");
	printf("version:    npubench %s (%s)\n", run->tool_version, run->build_flags ? run->build_flags : "");
	printf("command:    %s\n", run->cmdline ? run->cmdline : "");
	printf("seed:       %lld, inputs %s\n", (long long)run->seed, run->distribution ? run->distribution : "?");
	if (run->tag)
		printf("tag:        %s\n", run->tag);
	printf("results:    %d\n\n", n);
	for (int i = 0; i < n; i++) {
		char *label = result_label(&rs[i]);
		int len = (int)strlen(label);

		free(label);
		if (len > width)
			width = len;
	}
	if (n > 0)
		table_header(stdout, width);
	for (int i = 0; i < n; i++)
		table_row(stdout, &rs[i], width);
}

/* The run for tools: the export's csv columns, or a markdown table. */
static void show_rows(enum nb_format fmt, const struct nb_run *run, const struct nb_result *rs, int n)
{
	char **params = NULL;
	int nparams = 0;

	if (fmt == NB_FMT_MARKDOWN) {
		md_header(stdout);
		for (int i = 0; i < n; i++)
			md_row(stdout, &rs[i]);
		return;
	}
	csv_param_names(rs, n, &params, &nparams);
	csv_header(stdout, params, nparams);
	for (int i = 0; i < n; i++)
		csv_row(stdout, &rs[i], run, params, nparams);
	for (int i = 0; i < nparams; i++)
		free(params[i]);
	free(params);
}

static int cmd_show(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum nb_format fmt = NB_FMT_TABLE;
	struct nb_store *st;
	struct nb_run run;
	struct nb_result *rs;
	int64_t id;
	int n, c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
		if (c != 'f')
			return bad_option(&nb_cmd_show, argv, c);
		if (format_option(&nb_cmd_show, optarg, NB_FMTS_LISTING, &fmt))
			return NB_EXIT_USAGE;
	}
	if (argc - optind > 1)
		return usage_error(&nb_cmd_show, "unexpected argument '%s'", argv[optind + 1]);
	if (!(st = ctx_store_existing(ctx)) ||
	    store_run_resolve(st, argc - optind == 1 ? argv[optind] : "last", &id) ||
	    store_run_get(st, id, &run))
		return NB_EXIT_FAIL;
	if (store_results_get(st, id, &rs, &n)) {
		run_release(&run);
		return NB_EXIT_FAIL;
	}
	if (fmt == NB_FMT_TABLE) {
		show_table(&run, rs, n);
	} else if (fmt == NB_FMT_JSON) {
		char *j = report_run_records_json(&run, rs, n);

		printf("%s\n", j);
		free(j);
	} else {
		show_rows(fmt, &run, rs, n);
	}
	results_free(rs, n);
	run_release(&run);
	return ret;
}

const struct nb_command nb_cmd_show = {
	.name = "show",
	.exec = cmd_show,
	.usage = "show [RUN] [--format table|csv|json|markdown]",
	.summary = "Show one stored run (default: the last) and its results.",
	.help = "RUN is a run id, a UUID or its first characters (at least 4), or 'last'.\n"
		"Options:\n"
		"  -f, --format FMT   table (default), csv (the columns of 'export --format csv'),\n"
		"                     json (the export schema \"npubench-run\") or markdown\n",
};
