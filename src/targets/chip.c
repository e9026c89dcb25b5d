/* Chip targets: the model's prediction, recorded as a result. */
#include "targets/target.h"

#include <stdlib.h>
#include <string.h>

#include "npubench.h"
#include "model/model.h"
#include "model/profile.h"
#include "util/util.h"

/* What a prediction assumed, for people: the implementation (and whether
 * it was the profile's default), the peak, the fp8 format and scaling, then
 * the model's own label (emulation, tf32). */
static char *assumed(const struct nb_case *c, const struct nb_prediction *pr, const char *unit)
{
	struct strbuf sb = STRBUF_INIT;
	struct nb_pred_opts o;
	char v[32], fmt[16];

	model_case_opts(c, &o);
	if (pr->impl[0])
		sb_addf(&sb, "impl %s%s", pr->impl, pr->impl_default ? " (default)" : "");
	if (pr->peak > 0) {
		nb_format_si(v, sizeof(v), pr->peak, unit && *unit ? unit : "FLOP/s");
		sb_addf(&sb, "%speak %s", sb.len ? ", " : "", v);
	}
	if (kernel_param_index(c->kernel, "dtype") >= 0 && case_dtype(c) == NB_FP8)
		sb_addf(&sb, "%sfp8 %s, %s", sb.len ? ", " : "",
			nb_choice_at(NB_FP8_CHOICES, o.fp8_format, fmt, sizeof(fmt)),
			o.fp8_cast ? "cast from bf16" : "per-tensor scales");
	if (o.timing == NB_TIMING_CALL)
		sb_addf(&sb, "%stimed call by call", sb.len ? ", " : "");
	if (pr->reason[0])
		sb_addf(&sb, "%s%s", sb.len ? "; " : "", pr->reason);
	if (!sb.len) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

void chip_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_result *r)
{
	struct nb_target_mem mem = { profile_llc_bytes(p), 0 };
	struct nb_prediction pr;
	struct nb_case rc;

	memset(r, 0, sizeof(*r));
	case_resolve(c, &mem, &rc);
	result_set_case(r, c->kernel->store_resolved ? &rc : c);
	result_set_work(r, &rc);
	r->target = xstrdup(profile_id(p));
	r->kind = NB_PREDICTED;
	model_predict(c, p, &pr);
	r->profile_json = profile_snapshot_json(p);
	r->model_json = pr.breakdown_json;
	pr.breakdown_json = NULL;
	switch (pr.status) {
	case NB_PRED_OK:
		r->status = NB_RES_OK;
		r->seconds = pr.seconds;
		r->throughput = pr.throughput;
		r->util = pr.util;
		r->bound = xstrdup(pr.bound ? pr.bound : "?");
		if (pr.impl[0])
			r->impl = xstrdup(pr.impl);
		r->message = assumed(c, &pr, r->unit);
		break;
	case NB_PRED_UNSUPPORTED:
		r->status = NB_RES_UNSUPPORTED;
		r->message = xstrdup(pr.reason[0] ? pr.reason : "not supported by this chip");
		break;
	case NB_PRED_NO_FIT:
		r->status = NB_RES_NO_FIT;
		r->message = xstrdup(pr.reason[0] ? pr.reason : "does not fit in the chip's memory");
		break;
	}
	prediction_release(&pr);
}

/* Chips as a target kind: one target per loaded profile, predicted. */

static int chip_resolve(struct nb_ctx *ctx, const char *word, struct nb_targets *out)
{
	struct nb_profiles *set = ctx_profiles(ctx);
	const struct nb_profile *p;
	int got = 0;

	if (!set)
		return -1;
	if (!strpbrk(word, "*?[")) {
		if (!(p = profiles_find(set, word)))
			return 0;
		targets_add(out, &nb_target_chip, profile_id(p), p, profile_default_target(p));
		return 1;
	}
	for (int i = 0; i < profiles_count(set); i++) {
		const char *name;

		p = profiles_get(set, i);
		for (int j = 0; (name = j ? profile_alias(p, j - 1) : profile_id(p)); j++) {
			if (nb_glob_match(word, name)) {
				targets_add(out, &nb_target_chip, profile_id(p), p, profile_default_target(p));
				got++;
				break;
			}
		}
	}
	return got;
}

static int chip_each(struct nb_ctx *ctx, int default_only, struct nb_targets *out)
{
	struct nb_profiles *set = ctx_profiles(ctx);
	int got = 0, place = 0;

	if (!set)
		return -1;
	if (!default_only) {
		for (int i = 0; i < profiles_count(set); i++) {
			const struct nb_profile *p = profiles_get(set, i);

			targets_add(out, &nb_target_chip, profile_id(p), p, profile_default_target(p));
			got++;
		}
		return got;
	}
	/* The default chips in the order their profiles give, ties by id. */
	for (;;) {
		int next = 0;

		for (int i = 0; i < profiles_count(set); i++) {
			int d = profile_default_target(profiles_get(set, i));

			if (d > place && (!next || d < next))
				next = d;
		}
		if (!next)
			return got;
		for (int i = 0; i < profiles_count(set); i++) {
			const struct nb_profile *p = profiles_get(set, i);

			if (profile_default_target(p) == next) {
				targets_add(out, &nb_target_chip, profile_id(p), p, next);
				got++;
			}
		}
		place = next;
	}
}

static const char *chip_name_of(const struct nb_target *t, int i)
{
	return i == 0 ? profile_id(t->profile) : profile_alias(t->profile, i - 1);
}

static const char *chip_describe(const struct nb_target *t)
{
	return profile_name(t->profile);
}

static int chip_run(struct nb_target *t, const struct nb_case *c, const struct nb_target_run *env,
		    struct nb_result *r)
{
	NB_UNUSED(env);
	chip_predict(c, t->profile, r);
	return 0;
}

const struct nb_target_kind nb_target_chip = {
	.name = "chip",
	.spelling = "ID|ALIAS",
	.result_kind = NB_PREDICTED,
	.groups = NB_TG_DEFAULT | NB_TG_CHIPS | NB_TG_ALL,
	.resolve = chip_resolve,
	.each = chip_each,
	.name_of = chip_name_of,
	.describe = chip_describe,
	.run = chip_run,
};
