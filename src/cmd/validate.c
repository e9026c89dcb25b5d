/* npubench validate: check the model against measurements. */
#include "npubench.h"

#include "util/util.h"

static int cmd_validate(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'validate' is not available yet in this build (it lands with the profiles/model work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_validate = {
	.name = "validate",
	.exec = cmd_validate,
	.usage = "validate --measurements FILE.csv | --host RUN",
	.summary = "Check the model against measurements.",
	.help = "",
};
