/* npubench export: write a run or a query as CSV, JSON or Markdown. */
#include "npubench.h"

#include "util/util.h"

static int cmd_export(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'export' is not available yet in this build (it lands with the compare/export work)");
	return NB_EXIT_FAIL;
}

const struct nb_command nb_cmd_export = {
	.name = "export",
	.exec = cmd_export,
	.usage = "export [--run ID|--last|--all] --format csv|json|markdown [-o FILE]",
	.summary = "Write a run or a query as CSV, JSON or Markdown.",
	.help = "",
};
