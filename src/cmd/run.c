/* npubench run: run a suite or chosen kernels on the host and chips, and store the results. */
#include "npubench.h"

#include "util/util.h"

static int cmd_run(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'run' is not available yet in this build");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_run = {
	.name = "run",
	.exec = cmd_run,
	.usage = "run [--suite NAME|FILE] [--kernel PATTERN]... [--target LIST] [options]",
	.summary = "Run a suite or chosen kernels on the host and chips, and store the results.",
	.help = "",
};
