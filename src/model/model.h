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
	char impl[16];		/* the implementation assumed ("" when the profile names none) */
	int impl_default;	/* it was the profile's default (impl=auto) */
	double peak;		/* the dense peak assumed, per second (matrix kinds; else 0) */
	char *breakdown_json;	/* malloc'd JSON object: terms, losses, assumptions */
};

/* How a prediction is asked for, besides the shape: read from a case's
 * impl=, timing=, fp8= and fp8_scale= parameters (model_case_opts), so that
 * every command that predicts a case predicts it the same way. */
struct nb_pred_opts {
	char impl[16];		/* a word of NB_IMPL_CHOICES; "" or "auto": the profile's default */
	enum nb_timing timing;	/* device time, or call by call with the host's round trip */
	int fp8_format;		/* index in NB_FP8_CHOICES (dtype fp8 only) */
	int fp8_cast;		/* fp8 inputs cast from bf16 by a separate pass */
	/* A GEMM whose B (k x n, the weights) is stored in this dtype and
	 * dequantised to the GEMM's dtype in the kernel (weight-only
	 * quantisation); NB_DTYPE_COUNT (or 0 with weight_only 0): none. */
	int weight_only;
	enum nb_dtype weight_dtype;
	/* Bytes the sequence the case runs in touches between two runs of it
	 * (a workload step's weights, KV cache and activations): the memory
	 * level serving the case is the one that holds the larger of this and
	 * its own working set.  0: the case repeated alone. */
	double reuse_bytes;
};

/* The options case C states (defaults for the parameters its kernel lacks). */
void model_case_opts(const struct nb_case *c, struct nb_pred_opts *o);

/* Predicts case C on chip P: the one prediction path of run, validate,
 * compare and plot.  Returns 0 (the verdict is in OUT->status), or -1 when
 * the case cannot be described (a kernel without shape()). */
int model_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out);

/* The same from a shape and its work, as a kernel's shape() and work() give
 * them, with options O (NULL: the defaults). */
int model_predict_shape(const struct nb_shape *s, const struct nb_work *w,
			const struct nb_profile *p, const struct nb_pred_opts *o,
			struct nb_prediction *out);

void prediction_release(struct nb_prediction *pr);

/* "ok", "unsupported" or "no-fit". */
const char *prediction_status_name(enum nb_pred_status st);

#endif
