/* What running a case on a target gives. */
#ifndef NB_RESULT_H
#define NB_RESULT_H

#include <stdint.h>

#include "kernels/kernel.h"
#include "util/stats.h"

enum nb_result_kind { NB_MEASURED, NB_PREDICTED };

enum nb_result_status {
	NB_RES_OK,
	NB_RES_VERIFY_FAILED,	/* host output differed from the reference */
	NB_RES_UNSUPPORTED,	/* the target cannot run this case (dtype, kernel) */
	NB_RES_NO_FIT,		/* the working set exceeds the target's memory */
	NB_RES_ERROR,		/* setup failed (allocation, threads) */
};

struct nb_result {
	int64_t id;			/* 0 until stored */
	int64_t run_id;
	int seq;			/* position in the run */
	struct nb_case kcase;		/* kernel NULL when loaded for an unknown kernel */
	char *kernel;			/* kernel name */
	char *case_text;		/* canonical case text */
	char *params_json;		/* {"dtype":"bf16","m":4096,...} */
	char *dtype;			/* the case's dtype, or NULL */
	char *target;			/* "host" or a chip profile id */
	enum nb_result_kind kind;
	enum nb_result_status status;
	char *message;			/* why not OK, or a label */
	int threads;
	char *impl;			/* host implementation name */
	double *samples;		/* seconds per execution, in order */
	int nsamples;
	struct nb_stats stats;
	double seconds;			/* headline: median measured, or predicted */
	double ops, bytes, actual_ops;	/* declared work (see struct nb_work) */
	double bytes_wa;		/* bytes with write-allocate traffic (0: unknown) */
	char *unit;			/* "FLOP/s", "OP/s", "B/s" */
	double throughput;		/* ops / seconds */
	double verify_err, verify_tol;
	char *verify_what;
	char *bound;			/* predicted: compute, memory, latency */
	double util;			/* predicted: fraction of peak */
	char *model_json;		/* predicted: the model's breakdown */
	char *profile_json;		/* predicted: the profile snapshot */
	char *flags;			/* measurement warnings, comma separated */
	char *created_at;
	/* Under mpirun, a kernel run on every rank at once: each rank's own
	 * result (target "host/rankN"), stored after this one, the aggregate. */
	struct nb_result *ranks;
	int nranks;
};

const char *result_kind_name(enum nb_result_kind k);
const char *result_status_name(enum nb_result_status s);
int result_status_parse(const char *s);
/* How many timing samples the statistics summarise: nsamples, or stats.n
 * when the samples themselves were not kept (a run imported without them). */
int result_sample_count(const struct nb_result *r);
/* Whether R is a workload (train, infer): its work is counted in tokens,
 * its util is the MFU and its seconds the step time. */
int result_is_workload(const struct nb_result *r);
/* The dtype R was computed in: the one its prediction emulated the case's
 * dtype with ("fp32 emulated via tf32" in its message), else the case's
 * own; -1 when unknown. */
int result_computed_in(const struct nb_result *r);
/* Whether A and B (results of one case) computed at the same precision: a
 * chip that runs fp32 on a TF32-class path is not compared with one that
 * runs true FP32, so no ratio of the two is quoted. */
int result_same_precision(const struct nb_result *a, const struct nb_result *b);
/* Frees every owned field and zeroes the struct. */
void result_release(struct nb_result *r);
/* Fills the case-derived fields (kernel, case_text, params_json, dtype, work)
 * from r->kcase. */
void result_set_case(struct nb_result *r, const struct nb_case *c);
/* Sets the declared work from RESOLVED, the case with its target-dependent
 * defaults set for the target that produced R (case_resolve). */
void result_set_work(struct nb_result *r, const struct nb_case *resolved);

#endif
