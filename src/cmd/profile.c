/* npubench profile: list, show, validate, probe and fetch chip profiles. */
#include "npubench.h"

#include <string.h>

#include "cmd/profile-fetch.h"
#include "util/util.h"

static int cmd_profile(int argc, char **argv, struct nb_ctx *ctx)
{
	if (argc >= 2 && !strcmp(argv[1], "fetch"))
		return profile_fetch_main(argc - 1, argv + 1, ctx);
	error("'profile' is not available yet in this build (it lands with the profiles/model work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_profile = {
	.name = "profile",
	.exec = cmd_profile,
	.usage = "profile list|show|validate|probe|fetch [ARGS]",
	.summary = "List, show, validate, probe and fetch chip profiles.",
	.help = "Subcommands:\n" PROFILE_FETCH_HELP,
};
