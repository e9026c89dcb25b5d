/* npubench show: show one stored run and its results. */
#include "npubench.h"

#include "util/util.h"

static int cmd_show(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'show' is not available yet in this build");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_show = {
	.name = "show",
	.exec = cmd_show,
	.usage = "show [RUN]",
	.summary = "Show one stored run and its results.",
	.help = "",
};
