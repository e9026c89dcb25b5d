/* Chip targets: the model's prediction, recorded as a result. */
#include "targets/target.h"

#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/profile.h"
#include "util/util.h"

void chip_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_result *r)
{
	struct nb_target_mem mem = { profile_llc_bytes(p) };
	struct nb_prediction pr;
	struct nb_case rc;

	memset(r, 0, sizeof(*r));
	result_set_case(r, c);
	case_resolve(c, &mem, &rc);
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
		if (pr.reason[0])
			r->message = xstrdup(pr.reason);
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
