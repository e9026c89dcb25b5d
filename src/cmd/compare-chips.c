/* npubench compare chips: spec sheets and kernel results side by side. */
#include "npubench.h"

#include "cmd/compare.h"
#include "util/util.h"

int compare_chips(int argc, char **argv, struct nb_ctx *ctx)
{
	NB_UNUSED(argc);
	NB_UNUSED(argv);
	NB_UNUSED(ctx);
	error("'compare chips' is not available yet in this build");
	return NB_EXIT_FAIL;
}
