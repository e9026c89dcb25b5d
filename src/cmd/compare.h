/* Shared by the two halves of `npubench compare`. */
#ifndef NB_REPORT_COMPARE_H
#define NB_REPORT_COMPARE_H

struct nb_ctx;

enum compare_format { CMP_TABLE, CMP_MARKDOWN, CMP_CSV, CMP_JSON };

/* LIST ("host", "chips", chip ids or aliases, comma separated) with every
 * alias a loaded profile knows replaced by its id, as results store it;
 * words no profile knows are kept.  malloc'd. */
char *targets_resolve(struct nb_ctx *ctx, const char *list);

/* `npubench compare chips ...` (ARGV[0] is "chips"); an exit status. */
int compare_chips(int argc, char **argv, struct nb_ctx *ctx);

#endif
