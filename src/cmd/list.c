/* npubench list: list kernels, suites, targets or stored runs. */
#include "npubench.h"

#include "util/util.h"

static int cmd_list(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'list' is not available yet in this build");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_list = {
	.name = "list",
	.exec = cmd_list,
	.usage = "list kernels|suites|targets|runs",
	.summary = "List kernels, suites, targets or stored runs.",
	.help = "",
};
