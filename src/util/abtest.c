#include "util/abtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/rng.h"
#include "util/stats.h"
#include "util/util.h"

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->v, b = ((const struct ranked *)y)->v;

	return (a > b) - (a < b);
}

/* Counts of U = 0..m*n over the C(m+n, m) equally likely arrangements: the
 * coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); every partial product is a
 * polynomial with integer coefficients, so the divisions are exact. */
static double *u_counts(size_t m, size_t n)
{
	size_t deg = m * n;
	double *c = xcalloc(deg + 1, sizeof(*c));

	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		/* times (1 - q^(n+i)), highest degree first */
		for (size_t j = deg; j >= n + i && j <= deg; j--)
			c[j] -= c[j - n - i];
		/* divided by (1 - q^i): a running sum with stride i */
		for (size_t j = i; j <= deg; j++)
			c[j] += c[j - i];
	}
	return c;
}

void stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
			struct nb_mwu *out)
{
	size_t n = na + nb, i = 0;
	struct ranked *all = xmalloc(n * sizeof(*all));
	double ra = 0, ties = 0, mu, var, u_hi;

	for (size_t k = 0; k < na; k++)
		all[k] = (struct ranked){ a[k], 1 };
	for (size_t k = 0; k < nb; k++)
		all[na + k] = (struct ranked){ b[k], 0 };
	qsort(all, n, sizeof(*all), cmp_ranked);
	/* Mid-ranks for tied groups; the tie term sum(t^3 - t). */
	while (i < n) {
		size_t j = i;
		double rank;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		rank = (double)(i + j) / 2 + 1;
		for (size_t k = i; k <= j; k++)
			if (all[k].from_a)
				ra += rank;
		ties += pow((double)(j - i + 1), 3) - (double)(j - i + 1);
		i = j + 1;
	}
	free(all);
	memset(out, 0, sizeof(*out));
	out->u = ra - (double)na * (double)(na + 1) / 2;
	u_hi = fmax(out->u, (double)na * (double)nb - out->u);
	if (ties == 0 && n <= NB_MWU_EXACT_MAX) {
		double *c = u_counts(na, nb), total = 0, tail = 0;

		for (size_t u = 0; u <= na * nb; u++) {
			total += c[u];
			if ((double)u >= u_hi)
				tail += c[u];
		}
		free(c);
		out->exact = 1;
		out->p = fmin(1, 2 * tail / total);
		return;
	}
	mu = (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 * ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (var <= 0) {
		out->p = 1;	/* every value tied: no evidence of a difference */
		return;
	}
	out->z = (u_hi - mu - 0.5) / sqrt(var);
	out->p = fmin(1, erfc(out->z / sqrt(2.0)));	/* 2 * P(Z > z) */
}

struct indexed {
	double p;
	size_t i;
};

static int cmp_indexed(const void *x, const void *y)
{
	const struct indexed *a = x, *b = y;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

void stats_p_adjust(const double *p, size_t n, enum nb_p_adjust method, double *out)
{
	struct indexed *s;
	double run;

	if (n == 0)
		return;
	s = xmalloc(n * sizeof(*s));
	for (size_t k = 0; k < n; k++)
		s[k] = (struct indexed){ p[k], k };
	qsort(s, n, sizeof(*s), cmp_indexed);
	switch (method) {
	case NB_P_HOLM:
		/* adj(k) = max over j <= k of (n - j) p(j), capped at 1 (0-based). */
		run = 0;
		for (size_t k = 0; k < n; k++) {
			run = fmax(run, fmin(1, (double)(n - k) * s[k].p));
			out[s[k].i] = run;
		}
		break;
	case NB_P_BH:
		/* adj(k) = min over j >= k of n p(j) / (j + 1), capped at 1. */
		run = 1;
		for (size_t k = n; k-- > 0;) {
			run = fmin(run, (double)n * s[k].p / (double)(k + 1));
			out[s[k].i] = run;
		}
		break;
	case NB_P_NONE:
		for (size_t k = 0; k < n; k++)
			out[s[k].i] = s[k].p;
		break;
	}
	free(s);
}

static const char *const adjust_names[] = {
	[NB_P_NONE] = "none",
	[NB_P_HOLM] = "holm",
	[NB_P_BH] = "bh",
};

int stats_p_adjust_parse(const char *s)
{
	for (size_t i = 0; i < NB_ARRAY_SIZE(adjust_names); i++)
		if (!strcmp(s, adjust_names[i]))
			return (int)i;
	return -1;
}

const char *stats_p_adjust_name(enum nb_p_adjust m)
{
	return (unsigned)m < NB_ARRAY_SIZE(adjust_names) ? adjust_names[m] : "?";
}

/* The K-th smallest of X[0..n) (0-based), reordering X (quickselect). */
static double select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = x[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (x[i] < pivot)
				i++;
			while (x[j] > pivot)
				j--;
			if (i <= j) {
				double t = x[i];

				x[i] = x[j];
				x[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return x[k];
}

/* Median of X[0..n), reordering X; the mean of the middle two when n is even. */
static double median_inplace(double *x, size_t n)
{
	double hi = select_kth(x, n, n / 2), lo;

	if (n % 2)
		return hi;
	/* After selection everything below n/2 is <= x[n/2]: the lower middle
	 * is their maximum. */
	lo = x[0];
	for (size_t i = 1; i < n / 2; i++)
		lo = fmax(lo, x[i]);
	return (lo + hi) / 2;
}

void stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, int reps,
		    uint64_t seed, double *ratio, double *lo, double *hi)
{
	double *ra = xmalloc(na * sizeof(double)), *rb = xmalloc(nb * sizeof(double));
	double *r = xmalloc((size_t)reps * sizeof(double));
	struct nb_rng g;

	*ratio = stats_median(b, nb) / stats_median(a, na);
	rng_seed(&g, seed, 0);
	for (int k = 0; k < reps; k++) {
		for (size_t i = 0; i < na; i++)
			ra[i] = a[rng_next(&g) % na];
		for (size_t i = 0; i < nb; i++)
			rb[i] = b[rng_next(&g) % nb];
		r[k] = median_inplace(rb, nb) / median_inplace(ra, na);
	}
	qsort(r, (size_t)reps, sizeof(double), stats_cmp_double);
	*lo = stats_quantile_sorted(r, (size_t)reps, 0.025);
	*hi = stats_quantile_sorted(r, (size_t)reps, 0.975);
	free(ra);
	free(rb);
	free(r);
}
