/* Statistics for comparing two sets of timing samples (A/B): the
 * Mann-Whitney U test, corrections for testing many cases at once, and a
 * bootstrap confidence interval of the ratio of medians.  Used by
 * `npubench compare runs`; the method is documented in doc/export.md. */
#ifndef NB_ABTEST_H
#define NB_ABTEST_H

#include <stddef.h>
#include <stdint.h>

/* The fewest samples per side the U test needs: with 4 and 4 the smallest
 * possible two-sided p-value is 2/C(8,4) = 0.029, below 0.05; with 3 and 3
 * it is 0.1, so no difference could ever be significant. */
#define NB_MWU_MIN_SAMPLES 4

/* Largest n_a + n_b for which the exact null distribution is used (when
 * there are no ties); the counts stay exact in a double up to C(40,20). */
#define NB_MWU_EXACT_MAX 40

struct nb_mwu {
	double u;	/* U of the first sample: pairs (a, b) with a > b, ties count 1/2 */
	double z;	/* the normal deviate (0 when exact) */
	double p;	/* two-sided p-value */
	int exact;	/* 1: exact distribution; 0: normal approximation */
};

/* Two-sided Mann-Whitney U test of A[0..na) against B[0..nb) (na, nb >= 1).
 * Exact when there are no ties and na + nb <= NB_MWU_EXACT_MAX; otherwise
 * the normal approximation with tie correction and continuity correction
 * (the same conventions as scipy.stats.mannwhitneyu). */
void stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
			struct nb_mwu *out);

enum nb_p_adjust {
	NB_P_NONE,
	NB_P_HOLM,	/* Holm-Bonferroni step-down: controls the family-wise error rate */
	NB_P_BH,	/* Benjamini-Hochberg step-up: controls the false discovery rate */
};

/* Adjusted p-values of P[0..n) into OUT[0..n) (may alias P), same order. */
void stats_p_adjust(const double *p, size_t n, enum nb_p_adjust method, double *out);
/* Parses "holm", "bh" or "none"; -1 when unknown. */
int stats_p_adjust_parse(const char *s);
const char *stats_p_adjust_name(enum nb_p_adjust m);

/* Repetitions and seed of the bootstrap: fixed, so a report is reproducible. */
#define NB_BOOT_REPS 2000
#define NB_BOOT_SEED 20261128

/* Ratio of medians median(B) / median(A) and its 95% percentile-bootstrap
 * confidence interval: REPS resamples of each side (with replacement,
 * independently, from the seeded generator), the 2.5% and 97.5% quantiles of
 * the resampled ratios.  Needs na, nb >= 1 and positive medians. */
void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, int reps,
		    uint64_t seed, double *ratio, double *lo, double *hi);

#endif
