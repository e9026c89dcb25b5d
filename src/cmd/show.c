/* npubench show: one stored run and its results. */
#include "npubench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/table.h"
#include "store/store.h"
#include "util/util.h"

static int cmd_show(int argc, char **argv, struct nb_ctx *ctx)
{
	struct nb_store *st;
	struct nb_run run;
	struct nb_result *rs;
	int64_t id;
	int n, width = 4;

	if (argc > 2)
		return usage_error(&nb_cmd_show, "unexpected argument '%s'", argv[2]);
	if (argc == 2 && argv[1][0] == '-')
		return usage_error(&nb_cmd_show, "unknown option '%s'", argv[1]);
	if (!(st = ctx_store(ctx)) || store_run_resolve(st, argc == 2 ? argv[1] : "last", &id) ||
	    store_run_get(st, id, &run))
		return NB_EXIT_FAIL;
	if (store_results_get(st, id, &rs, &n)) {
		run_release(&run);
		return NB_EXIT_FAIL;
	}
	printf("run:        %lld (%s)\n", (long long)run.id, run.uuid);
	printf("status:     %s\n", run.status);
	printf("started:    %s\n", run.started_at);
	printf("ended:      %s\n", run.ended_at ? run.ended_at : "-");
	printf("host:       %s\n", run.hostname ? run.hostname : "?");
	printf("version:    npubench %s (%s)\n", run.tool_version, run.build_flags ? run.build_flags : "");
	printf("command:    %s\n", run.cmdline ? run.cmdline : "");
	printf("seed:       %lld, inputs %s\n", (long long)run.seed, run.distribution ? run.distribution : "?");
	if (run.tag)
		printf("tag:        %s\n", run.tag);
	printf("results:    %d\n\n", n);
	for (int i = 0; i < n; i++) {
		int len = (int)strlen(rs[i].case_text);

		if (len > width)
			width = len;
	}
	if (n > 0)
		table_header(stdout, width);
	for (int i = 0; i < n; i++)
		table_row(stdout, &rs[i], width);
	results_free(rs, n);
	run_release(&run);
	return 0;
}

const struct nb_command nb_cmd_show = {
	.name = "show",
	.exec = cmd_show,
	.usage = "show [RUN]",
	.summary = "Show one stored run (default: the last) and its results.",
	.help = "RUN is a run id, a UUID or its first characters (at least 4), or 'last'.\n",
};
