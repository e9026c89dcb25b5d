/* npubench info: what the host is and what it can do. */
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/report.h"
#include "targets/hostinfo.h"
#include "util/util.h"

static int cmd_info(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum nb_format fmt = NB_FMT_TABLE;
	int c;

	NB_UNUSED(ctx);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_option(&nb_cmd_info, optarg, NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_JSON), &fmt))
				return NB_EXIT_USAGE;
			break;
		default:
			return bad_option(&nb_cmd_info, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_info, "unexpected argument '%s'", argv[optind]);
	if (fmt == NB_FMT_JSON) {
		char *j = report_host_json(1);

		printf("%s\n", j);
		free(j);
	} else {
		hostinfo_print();
	}
	return 0;
}

const struct nb_command nb_cmd_info = {
	.name = "info",
	.exec = cmd_info,
	.usage = "info [--format table|json]",
	.summary = "Describe this host: CPU, SIMD features, caches, memory, build and kernels.",
	.help = "Options:\n"
		"  -f, --format table|json  output format (default table, also called text)\n",
};
