#include "targets/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dtype.h"
#include "util/util.h"

const char *result_kind_name(enum nb_result_kind k)
{
	return k == NB_MEASURED ? "measured" : "predicted";
}

static const char *const status_names[] = {
	[NB_RES_OK] = "ok",
	[NB_RES_VERIFY_FAILED] = "verify_failed",
	[NB_RES_UNSUPPORTED] = "unsupported",
	[NB_RES_NO_FIT] = "no_fit",
	[NB_RES_ERROR] = "error",
};

const char *result_status_name(enum nb_result_status s)
{
	return (unsigned)s < NB_ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

int result_status_parse(const char *s)
{
	for (size_t i = 0; i < NB_ARRAY_SIZE(status_names); i++)
		if (!strcmp(s, status_names[i]))
			return (int)i;
	return -1;
}

int result_sample_count(const struct nb_result *r)
{
	return r->nsamples > (int)r->stats.n ? r->nsamples : (int)r->stats.n;
}

void result_release(struct nb_result *r)
{
	free(r->kernel);
	free(r->case_text);
	free(r->params_json);
	free(r->dtype);
	free(r->target);
	free(r->message);
	free(r->impl);
	free(r->samples);
	free(r->unit);
	free(r->verify_what);
	free(r->bound);
	free(r->model_json);
	free(r->profile_json);
	free(r->flags);
	free(r->created_at);
	for (int i = 0; i < r->nranks; i++)
		result_release(&r->ranks[i]);
	free(r->ranks);
	memset(r, 0, sizeof(*r));
}

void result_set_case(struct nb_result *r, const struct nb_case *c)
{
	const struct nb_kernel *k = c->kernel;

	r->kcase = *c;
	free(r->kernel);
	free(r->case_text);
	free(r->params_json);
	free(r->dtype);
	r->kernel = xstrdup(k->name);
	r->case_text = case_format(c);
	r->dtype = NULL;
	for (int i = 0; i < k->nparams; i++)
		if (k->params[i].type == NB_P_DTYPE)
			r->dtype = xstrdup(dtype_name((enum nb_dtype)c->v[i].i));
	r->params_json = case_params_json(c);
	result_set_work(r, c);
}

void result_set_work(struct nb_result *r, const struct nb_case *resolved)
{
	struct nb_work w;

	free(r->unit);
	r->unit = NULL;
	resolved->kernel->work(resolved, &w);
	r->ops = w.ops;
	r->bytes = w.bytes;
	r->actual_ops = w.actual_ops;
	r->bytes_wa = w.bytes_wa > 0 ? w.bytes_wa : w.bytes;
	r->unit = xstrdup(w.unit);
}

int result_is_workload(const struct nb_result *r)
{
	return r->unit && !strcmp(r->unit, "token/s");
}

int result_computed_in(const struct nb_result *r)
{
	const char *via = r->message ? strstr(r->message, " emulated via ") : NULL;
	char word[16];

	if (via && sscanf(via, " emulated via %15[a-z0-9]", word) == 1 && dtype_parse(word) >= 0)
		return dtype_parse(word);
	return r->dtype ? dtype_parse(r->dtype) : -1;
}

int result_same_precision(const struct nb_result *a, const struct nb_result *b)
{
	int pa = result_computed_in(a), pb = result_computed_in(b);
	int d = a->dtype ? dtype_parse(a->dtype) : -1;

	if (pa < 0 || pb < 0 || d < 0 || pa == pb)
		return 1;
	return dtype_exact_in((enum nb_dtype)d, (enum nb_dtype)pa) &&
	       dtype_exact_in((enum nb_dtype)d, (enum nb_dtype)pb);
}
