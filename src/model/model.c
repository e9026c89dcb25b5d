/* Placeholder until the model issue lands: every prediction is refused. */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int model_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out)
{
	NB_UNUSED(c);
	NB_UNUSED(p);
	memset(out, 0, sizeof(*out));
	out->status = NB_PRED_UNSUPPORTED;
	snprintf(out->reason, sizeof(out->reason), "the chip model is not available yet");
	return 0;
}

void prediction_release(struct nb_prediction *pr)
{
	free(pr->breakdown_json);
	pr->breakdown_json = NULL;
}
