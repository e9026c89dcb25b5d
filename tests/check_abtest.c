/* Unit tests of src/util/abtest: the U test, p-value corrections and the
 * bootstrap ratio interval, against values computed with SciPy 1.10.1
 * (scipy.stats.mannwhitneyu, two-sided, default continuity correction). */
#include <math.h>
#include <stdlib.h>

#include "check_suites.h"
#include "util/abtest.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

START_TEST(mwu_exact_small)
{
	/* mannwhitneyu([19,22,16,29,24], [20,11,17,12], method="exact")
	 * -> statistic=17.0, pvalue=0.1111111111111111 */
	static const double x[] = { 19, 22, 16, 29, 24 }, y[] = { 20, 11, 17, 12 };
	struct nb_mwu m;

	stats_mann_whitney(x, N(x), y, N(y), &m);
	ck_assert_int_eq(m.exact, 1);
	ck_assert_double_eq(m.u, 17);
	ck_assert_double_eq_tol(m.p, 0.1111111111111111, 1e-12);
	/* Swapping the samples gives U' = na*nb - U and the same p. */
	stats_mann_whitney(y, N(y), x, N(x), &m);
	ck_assert_double_eq(m.u, 3);
	ck_assert_double_eq_tol(m.p, 0.1111111111111111, 1e-12);
}
END_TEST

START_TEST(mwu_exact_separated)
{
	/* Complete separation, 8 vs 7: exact p = 2 / C(15,7) = 2/6435
	 * (scipy: statistic=0.0, pvalue=0.0003108003108003108). */
	static const double x[] = { 1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8 };
	static const double y[] = { 9.9, 10.1, 11.2, 12.3, 13.4, 14.5, 15.6 };
	struct nb_mwu m;

	stats_mann_whitney(x, N(x), y, N(y), &m);
	ck_assert_int_eq(m.exact, 1);
	ck_assert_double_eq(m.u, 0);
	ck_assert_double_eq_tol(m.p, 0.0003108003108003108, 1e-15);
}
END_TEST

START_TEST(mwu_asymptotic_ties)
{
	/* Ties force the normal approximation with tie correction:
	 * mannwhitneyu([1,2,2,3,3,3,4,5], [3,4,4,5,5,6,7,7,8], method="asymptotic")
	 * -> statistic=7.5, pvalue=0.006373133838085873 */
	static const double x[] = { 1, 2, 2, 3, 3, 3, 4, 5 }, y[] = { 3, 4, 4, 5, 5, 6, 7, 7, 8 };
	struct nb_mwu m;

	stats_mann_whitney(x, N(x), y, N(y), &m);
	ck_assert_int_eq(m.exact, 0);
	ck_assert_double_eq(m.u, 7.5);
	ck_assert_double_eq_tol(m.p, 0.006373133838085873, 1e-12);
}
END_TEST

START_TEST(mwu_asymptotic_large)
{
	/* 25 + 25 > NB_MWU_EXACT_MAX: normal approximation.
	 * a = [1.0 + 0.01*i for i in range(25)], b = [1.2 + 0.01*i ...]:
	 * mannwhitneyu(a, b, method="asymptotic")
	 * -> statistic=12.5, pvalue=6.178570519634018e-09 (the sums are
	 * inexact in binary, so some values of a and b tie) */
	double a[25], b[25];
	struct nb_mwu m;

	for (int i = 0; i < 25; i++) {
		a[i] = 1.0 + 0.01 * i;
		b[i] = 1.2 + 0.01 * i;
	}
	stats_mann_whitney(a, 25, b, 25, &m);
	ck_assert_int_eq(m.exact, 0);
	ck_assert_double_eq(m.u, 12.5);
	ck_assert_double_eq_tol(m.p, 6.178570519634018e-09, 1e-18);
}
END_TEST

START_TEST(mwu_identical)
{
	/* A sample against itself: U = na*nb/2 and p = 1 (scipy: 4.5, 1.0). */
	static const double x[] = { 3, 3, 3 };
	static const double t[] = { 1.5, 1.2, 1.9, 1.4, 1.3, 1.6 };
	struct nb_mwu m;

	stats_mann_whitney(x, N(x), x, N(x), &m);
	ck_assert_double_eq(m.u, 4.5);
	ck_assert_double_eq(m.p, 1);
	stats_mann_whitney(t, N(t), t, N(t), &m);
	ck_assert_double_eq(m.u, 18);
	ck_assert_double_eq(m.p, 1);
}
END_TEST

START_TEST(p_adjust_known)
{
	/* Holm and Benjamini-Hochberg by hand (as R's p.adjust):
	 * p = 0.01 0.04 0.03 0.005 0.2
	 * holm = 0.04 0.09 0.09 0.025 0.2
	 * BH   = 0.025 0.05 0.05 0.025 0.2 */
	static const double p[] = { 0.01, 0.04, 0.03, 0.005, 0.2 };
	static const double holm[] = { 0.04, 0.09, 0.09, 0.025, 0.2 };
	static const double bh[] = { 0.025, 0.05, 0.05, 0.025, 0.2 };
	double out[5];

	stats_p_adjust(p, 5, NB_P_HOLM, out);
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(out[i], holm[i], 1e-15);
	stats_p_adjust(p, 5, NB_P_BH, out);
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(out[i], bh[i], 1e-15);
	stats_p_adjust(p, 5, NB_P_NONE, out);
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq(out[i], p[i]);
	ck_assert_int_eq(stats_p_adjust_parse("holm"), NB_P_HOLM);
	ck_assert_int_eq(stats_p_adjust_parse("bh"), NB_P_BH);
	ck_assert_int_eq(stats_p_adjust_parse("bonferroni"), -1);
}
END_TEST

START_TEST(ratio_ci_properties)
{
	static const double a[] = { 1.00, 1.02, 0.99, 1.01, 1.03, 0.98, 1.00, 1.01 };
	double b[N(a)], c1[N(a)], c2[N(a)], r, lo, hi, r2, lo2, hi2;

	for (size_t i = 0; i < N(a); i++) {
		b[i] = 2 * a[i];
		c1[i] = 1;
		c2[i] = 3;
	}
	/* Constant samples: every resample gives the same ratio. */
	stats_ratio_ci(c1, N(c1), c2, N(c2), 500, 1, &r, &lo, &hi);
	ck_assert_double_eq(r, 3);
	ck_assert_double_eq(lo, 3);
	ck_assert_double_eq(hi, 3);
	/* A sample against itself: ratio 1 inside a narrow interval. */
	stats_ratio_ci(a, N(a), a, N(a), NB_BOOT_REPS, NB_BOOT_SEED, &r, &lo, &hi);
	ck_assert_double_eq(r, 1);
	ck_assert(lo <= 1 && hi >= 1 && lo > 0.96 && hi < 1.04);
	/* Twice as slow: the interval surrounds 2; the seed makes it repeatable. */
	stats_ratio_ci(a, N(a), b, N(b), NB_BOOT_REPS, NB_BOOT_SEED, &r, &lo, &hi);
	ck_assert_double_eq_tol(r, 2, 1e-12);
	ck_assert(lo <= r && hi >= r && lo > 1.9 && hi < 2.1);
	stats_ratio_ci(a, N(a), b, N(b), NB_BOOT_REPS, NB_BOOT_SEED, &r2, &lo2, &hi2);
	ck_assert_double_eq(lo, lo2);
	ck_assert_double_eq(hi, hi2);
}
END_TEST

Suite *suite_abtest(void)
{
	Suite *s = suite_create("abtest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mwu_exact_small);
	tcase_add_test(tc, mwu_exact_separated);
	tcase_add_test(tc, mwu_asymptotic_ties);
	tcase_add_test(tc, mwu_asymptotic_large);
	tcase_add_test(tc, mwu_identical);
	tcase_add_test(tc, p_adjust_known);
	tcase_add_test(tc, ratio_ci_properties);
	suite_add_tcase(s, tc);
	return s;
}
