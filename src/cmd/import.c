/* npubench import: merge an exported run (JSON) into the database. */
#include "npubench.h"

#include "util/util.h"

static int cmd_import(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'import' is not available yet in this build (it lands with the compare/export work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_import = {
	.name = "import",
	.exec = cmd_import,
	.usage = "import FILE.json",
	.summary = "Merge an exported run (JSON) into the database.",
	.help = "",
};
