/* fixed: a target kind that exists only in the tests, to show what a new
 * kind (MPI ranks, a GPU through a plugin) costs: this file and the one
 * target_register() line below, nothing in the commands.  "fixed:US" is an
 * imaginary device on which every case takes US microseconds; results are
 * predicted.  It has a spelling of its own (the "fixed:" prefix), says why
 * a target is not available ("fixed:0"), and stays out of the group words
 * default, chips and all, as a device that may be missing would.  Programs
 * that link this file get the kind: tests/npubench-fixed (the real program
 * plus this file). */
#include "targets/target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

extern const struct nb_target_kind nb_target_fixed;

/* "fixed:US": a whole number of microseconds from 0 to 10^9. */
static int fixed_resolve(struct nb_ctx *ctx, const char *word, struct nb_targets *out)
{
	int64_t us;

	NB_UNUSED(ctx);
	if (nb_parse_i64(word + strlen("fixed:"), &us) || us < 0 || us > 1000000000) {
		error("'%s': expected fixed:MICROSECONDS", word);
		return NB_TARGETS_USAGE;
	}
	if (us == 0) {
		error("'%s': not available: a device that takes no time does not exist", word);
		return -1;
	}
	targets_add(out, &nb_target_fixed, word, NULL, 0);
	return 1;
}

/* The one target `list targets` shows as an example of the spelling. */
static int fixed_each(struct nb_ctx *ctx, int default_only, struct nb_targets *out)
{
	NB_UNUSED(default_only);
	return fixed_resolve(ctx, "fixed:1000", out);
}

static const char *fixed_name_of(const struct nb_target *t, int i)
{
	return i == 0 ? t->id : NULL;
}

static const char *fixed_describe(const struct nb_target *t)
{
	NB_UNUSED(t);
	return "every case takes the given microseconds (test kind)";
}

static int fixed_run(struct nb_target *t, const struct nb_case *c, const struct nb_target_run *env,
		     struct nb_result *r)
{
	NB_UNUSED(env);
	memset(r, 0, sizeof(*r));
	result_set_case(r, c);
	r->target = xstrdup(t->id);
	r->kind = NB_PREDICTED;
	r->status = NB_RES_OK;
	r->seconds = strtod(t->id + strlen("fixed:"), NULL) * 1e-6;
	r->throughput = (!strcmp(r->unit, "B/s") ? r->bytes : r->ops) / r->seconds;
	r->bound = xstrdup("fixed");
	return 0;
}

const struct nb_target_kind nb_target_fixed = {
	.name = "fixed",
	.spelling = "fixed:US",
	.prefix = "fixed:",
	.result_kind = NB_PREDICTED,
	.groups = 0,
	.resolve = fixed_resolve,
	.each = fixed_each,
	.name_of = fixed_name_of,
	.describe = fixed_describe,
	.run = fixed_run,
};

__attribute__((constructor)) static void fixed_register(void) { target_register(&nb_target_fixed); }
