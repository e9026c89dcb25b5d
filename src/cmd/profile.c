/* npubench profile: list, show, validate, probe and fetch chip profiles. */
#include "npubench.h"

#include "util/util.h"

static int cmd_profile(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'profile' is not available yet in this build (it lands with the profiles/model work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_profile = {
	.name = "profile",
	.exec = cmd_profile,
	.usage = "profile list|show|validate|probe|fetch [ARGS]",
	.summary = "List, show, validate, probe and fetch chip profiles.",
	.help = "",
};
