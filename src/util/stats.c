#include "util/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int stats_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));

	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_double);
	return s;
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

double stats_median(const double *x, size_t n)
{
	double *s = sorted_copy(x, n), m;

	m = stats_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

void stats_median_ci(const double *sorted, size_t n, double *lo, double *hi)
{
	size_t j;

	if (n < 6) {
		*lo = sorted[0];
		*hi = sorted[n - 1];
		return;
	}
	if (n <= 1000) {
		/* Largest j with P(X < j) <= 2.5%: the interval is
		 * [x(j), x(n-j+1)] in 1-based order statistics.  The CDF is
		 * summed term by term (each term from the last). */
		double logp = -(double)n * log(2.0), term = exp(logp), cdf = term;

		j = 0;
		while (j + 1 < n && cdf <= 0.025) {
			j++;
			term *= (double)(n - j + 1) / (double)j;
			cdf += term;
		}
		if (j < 1)
			j = 1;
	} else {
		/* Normal approximation with continuity correction. */
		double d = 1.959964 * sqrt((double)n) / 2.0;

		j = (size_t)floor((double)n / 2.0 + 0.5 - d);
		if (j < 1)
			j = 1;
	}
	*lo = sorted[j - 1];
	*hi = sorted[n - j];
}

void stats_compute(const double *x, size_t n, struct nb_stats *s)
{
	double *sorted, *dev, sum = 0, sq = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	sorted = sorted_copy(x, n);
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s->median = stats_quantile_sorted(sorted, n, 0.5);
	s->p5 = stats_quantile_sorted(sorted, n, 0.05);
	s->p95 = stats_quantile_sorted(sorted, n, 0.95);
	dev = xmalloc(n * sizeof(*dev));
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(x[i] - s->median);
	s->mad = stats_median(dev, n);
	/* Outliers: beyond 5 scaled MADs (1.4826 MAD estimates sigma). */
	for (size_t i = 0; i < n; i++)
		if (s->mad > 0 && dev[i] > 5 * 1.4826 * s->mad)
			s->outliers++;
	stats_median_ci(sorted, n, &s->ci_lo, &s->ci_hi);
	free(dev);
	free(sorted);
}

double stats_noise_pct(const struct nb_stats *s)
{
	if (!(s->median > 0))
		return 0;
	return round((s->ci_hi - s->ci_lo) / 2 / s->median * 1000) / 10;
}

int stats_noisy(const struct nb_stats *s)
{
	return stats_noise_pct(s) > NB_NOISY_PCT;
}

double stats_median_rel_width(const double *x, size_t n)
{
	double *s, lo, hi, m;

	if (n < 6)
		return INFINITY;
	s = sorted_copy(x, n);
	stats_median_ci(s, n, &lo, &hi);
	m = stats_quantile_sorted(s, n, 0.5);
	free(s);
	return m > 0 ? (hi - lo) / 2.0 / m : INFINITY;
}
