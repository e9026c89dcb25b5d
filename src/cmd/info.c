/* npubench info: what the host is and what it can do. */
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/report.h"
#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "util/util.h"

static int cmd_info(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "peaks", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	enum nb_format fmt = NB_FMT_TABLE;
	double peaks[3];
	int c, want_peaks = 0;

	NB_UNUSED(ctx);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:p", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_option(&nb_cmd_info, optarg, NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_JSON), &fmt))
				return NB_EXIT_USAGE;
			break;
		case 'p':
			want_peaks = 1;
			break;
		default:
			return bad_option(&nb_cmd_info, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_info, "unexpected argument '%s'", argv[optind]);
	if (want_peaks && hostinfo_peaks(peaks) < 0)
		return 1;
	if (fmt == NB_FMT_JSON) {
		char *j = report_host_json_full(1, want_peaks ? peaks : NULL, 1);

		printf("%s\n", j);
		free(j);
	} else {
		hostinfo_print();
		if (want_peaks)
			hostinfo_print_peaks(peaks);
		cuda_info_print(stdout);
	}
	return 0;
}

const struct nb_command nb_cmd_info = {
	.name = "info",
	.exec = cmd_info,
	.usage = "info [--format table|json] [--peaks]",
	.summary = "Describe this host: CPU, SIMD features, caches, memory, build, kernels and GPUs.",
	.help = "Options:\n"
		"  -f, --format table|json  output format (default table, also called text)\n"
		"  -p, --peaks              also measure the arithmetic ceilings on all CPUs\n"
		"                           (about a second): fp32 FMA, and where the CPU\n"
		"                           has them the bf16 and int8 dot products\n",
};
