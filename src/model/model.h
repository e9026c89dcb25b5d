/* The analytical chip model: predicts a case on a chip profile and says
 * why.  A pure function of (case, profile). */
#ifndef NB_MODEL_H
#define NB_MODEL_H

#include "kernels/kernel.h"

struct nb_profile;

enum nb_pred_status {
	NB_PRED_OK,
	NB_PRED_UNSUPPORTED,	/* the chip lacks the dtype or the kernel */
	NB_PRED_NO_FIT,		/* the working set exceeds the chip's memory */
};

struct nb_prediction {
	enum nb_pred_status status;
	double seconds;		/* predicted time of one execution */
	double throughput;	/* work.ops / seconds (or bytes / seconds for streams) */
	double util;		/* fraction of the dtype's dense peak */
	const char *bound;	/* "compute", "memory" or "latency" */
	char reason[256];	/* why not OK; or a label such as "int4 emulated via int8" */
	char *breakdown_json;	/* malloc'd JSON object: terms, losses, assumptions */
};

int model_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out);
void prediction_release(struct nb_prediction *pr);

#endif
