/* Shared by the two halves of `npubench compare`. */
#ifndef NB_REPORT_COMPARE_H
#define NB_REPORT_COMPARE_H

struct nb_ctx;

#include "report/format.h"

/* The formats both halves print. */
#define NB_FMTS_COMPARE (NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_MARKDOWN) | NB_FMT(NB_FMT_CSV) | \
			 NB_FMT(NB_FMT_JSON))

/* `npubench compare chips ...` (ARGV[0] is "chips"); an exit status. */
int compare_chips(int argc, char **argv, struct nb_ctx *ctx);

#endif
