/* Statistics over timing samples. */
#ifndef NB_STATS_H
#define NB_STATS_H

#include <stddef.h>

struct nb_stats {
	size_t n;
	double min, max, mean, median, sd, mad;
	double p5, p95;
	double ci_lo, ci_hi;	/* 95% confidence interval of the median */
	int outliers;		/* samples more than 5 scaled MADs from the median */
};

/* qsort comparison of two doubles, ascending. */
int stats_cmp_double(const void *a, const void *b);
/* Computes every statistic of X[0..n) (n >= 1); X is not modified. */
void stats_compute(const double *x, size_t n, struct nb_stats *s);
/* Median of X[0..n) (n >= 1); X is not modified. */
double stats_median(const double *x, size_t n);
/* Linear-interpolation quantile (Hyndman-Fan type 7) of SORTED[0..n). */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
/* Distribution-free 95% confidence interval of the median from order
 * statistics (exact binomial up to 1000 samples, continuity-corrected normal
 * beyond); with fewer than 6 samples no interval reaches 95% and the whole
 * range (93.75% at 5 samples) is returned. */
void stats_median_ci(const double *sorted, size_t n, double *lo, double *hi);
/* Relative half-width of the median's CI: (hi - lo) / 2 / median. */
double stats_median_rel_width(const double *x, size_t n);

/* The one noise rule.  A result's noise is the relative half-width of its
 * median's 95% confidence interval (the "±X%" tables print, to 0.1%); it
 * is flagged "noisy" exactly when that printed figure exceeds
 * NB_NOISY_PCT percent, so the figure and the flag never disagree. */
#define NB_NOISY_PCT 5.0
/* The noise in percent, rounded to 0.1 as printed; 0 without a median. */
double stats_noise_pct(const struct nb_stats *s);
int stats_noisy(const struct nb_stats *s);

#endif
