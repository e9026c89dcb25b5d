/* npubench info: what the host is and what it can do. */
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "util/util.h"

static int cmd_info(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int c;

	NB_UNUSED(ctx);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		default:
			return bad_option(&nb_cmd_info, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_info, "unexpected argument '%s'", argv[optind]);
	if (!strcmp(format, "json")) {
		char *j = hostinfo_json(1);

		printf("%s\n", j);
		free(j);
	} else if (!strcmp(format, "text")) {
		hostinfo_print();
		cuda_info_print(stdout);
	} else {
		return usage_error(&nb_cmd_info, "unknown format '%s' (use text or json)", format);
	}
	return 0;
}

const struct nb_command nb_cmd_info = {
	.name = "info",
	.exec = cmd_info,
	.usage = "info [--format text|json]",
	.summary = "Describe this host: CPU, SIMD features, caches, memory, build, kernels and GPUs.",
	.help = "Options:\n"
		"  -f, --format text|json   output format (default text)\n",
};
