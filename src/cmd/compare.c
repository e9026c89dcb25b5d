/* npubench compare: compare chips or runs side by side. */
#include "npubench.h"

#include "util/util.h"

static int cmd_compare(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'compare' is not available yet in this build (it lands with the compare/export work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_compare = {
	.name = "compare",
	.exec = cmd_compare,
	.usage = "compare chips [CHIP...] [options] | compare runs RUN_A RUN_B [options]",
	.summary = "Compare chips or runs side by side.",
	.help = "",
};
