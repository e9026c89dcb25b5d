/* npubench push: send results to an HTTP endpoint (JSON, Prometheus). */
#include "npubench.h"

#include "util/util.h"

static int cmd_push(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'push' is not available yet in this build (it lands with the network work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_push = {
	.name = "push",
	.exec = cmd_push,
	.usage = "push URL [--run ID|--pending] [options]",
	.summary = "Send results to an HTTP endpoint (JSON, Prometheus).",
	.help = "",
};
