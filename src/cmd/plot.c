/* npubench plot: draw rooflines, bars and scaling charts with gnuplot. */
#include "npubench.h"

#include "util/util.h"

static int cmd_plot(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'plot' is not available yet in this build (it lands with the plot work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_plot = {
	.name = "plot",
	.exec = cmd_plot,
	.usage = "plot KIND [options]",
	.summary = "Draw rooflines, bars and scaling charts with gnuplot.",
	.help = "",
};
