/* The analytical chip model: predicts a case on a chip profile and says
 * why.  A pure function of (case, profile): no I/O, no global state.
 *
 * Mechanisms (see profiles/SCHEMA.md "How the model uses a profile"):
 * compute time from the dtype's dense peak scaled by the family's
 * efficiency (2:4: the math sped up, the operand feed not); tile
 * quantization (m, n, k padded to the matrix-unit tile); wave quantization
 * (work tiles over the compute units, the best of a few tile sizes, split-K
 * and stream-K, as libraries choose, with the partial sums' fixup); latency
 * hiding lost when a unit holds less than a block's work; a fixed cost per
 * work tile at the 16-bit pace (once per unit for GEMM; for attention the
 * prologue once per unit, the epilogue every wave); causal attention's
 * unequal query blocks scheduled in launch order; the softmax of
 * attention in series with its matrix work;
 * memory time from the bytes the kernel
 * must move given the on-chip buffer (the Hong-Kung bound for GEMM); their
 * overlap; a launch latency. */
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
	double util;		/* fraction of the dtype's dense peak (streams: of memory bandwidth) */
	const char *bound;	/* "compute", "memory" or "latency" */
	char reason[256];	/* why not OK; or a label such as "int4 emulated via int8" */
	char *breakdown_json;	/* malloc'd JSON object: terms, losses, assumptions */
};

/* Predicts case C on chip P.  Returns 0 (the verdict is in OUT->status), or
 * -1 when the case cannot be described (a kernel without shape()). */
int model_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out);

/* The same from a shape and its work, as a kernel's shape() and work() give
 * them.  HINT names the software measured or wanted (e.g. "FlashAttention-2")
 * and selects a profile's model variant; NULL for the defaults. */
int model_predict_shape(const struct nb_shape *s, const struct nb_work *w,
			const struct nb_profile *p, const char *hint, struct nb_prediction *out);

void prediction_release(struct nb_prediction *pr);

/* "ok", "unsupported" or "no-fit". */
const char *prediction_status_name(enum nb_pred_status st);

#endif
