/* Targets: where a case runs.  The host measures for real; a chip target
 * predicts with the model from its profile. */
#ifndef NB_TARGET_H
#define NB_TARGET_H

#include <signal.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "targets/result.h"

struct nb_pool;
struct nb_profile;

/* How the host harness measures (STREAM's discipline, as code). */
struct nb_measure_opts {
	double min_time;	/* keep sampling at least this long (s) ... */
	int min_reps;		/* ... and at least this many samples */
	int max_reps;		/* never more samples than this */
	double stable_rel;	/* stop early once the median's 95% CI half-width
				 * is within this fraction of the median (0: never) */
	uint64_t seed;		/* input generator seed */
	double case_timeout;	/* abandon a case after this long (s) */
};

#define NB_MEASURE_DEFAULTS { 0.5, 5, 1000, 0.01, 42, 600 }

/* Set by a signal handler: the harness stops between samples. */
extern volatile sig_atomic_t nb_interrupted;

/* Measures case C on the host with POOL's threads, filling R (status OK,
 * VERIFY_FAILED, NO_FIT or ERROR).  Returns 0, or -1 when interrupted (R is
 * then released). */
int host_measure(const struct nb_case *c, struct nb_pool *pool,
		 const struct nb_measure_opts *o, struct nb_result *r);

/* Predicts case C on chip profile P, filling R (status OK, UNSUPPORTED or
 * NO_FIT). */
void chip_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_result *r);

#endif
