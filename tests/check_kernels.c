/* Every implementation (portable and, where the CPU has it, AVX2) of the
 * attention, spmm and stream families against its reference, on shapes
 * chosen to hit the edges: odd sizes, seq_q != seq_k, causal with one
 * query, large-magnitude scores, densities at both extremes, arrays that
 * are not a multiple of the vector width; run with one thread and with
 * more threads than work in places.  Plus attention's memory bound. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "kernels/attention-impl.h"
#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/pool.h"
#include "util/util.h"

/* The edge cases every family declares in its descriptor, collected. */
#define MAX_CASES 256
static const char *cases[MAX_CASES];

static int collect_cases(void)
{
	int n = 0;

	for (int k = 0; k < nb_nkernels; k++)
		for (const char *const *t = nb_kernels[k]->test_cases; t && *t; t++) {
			if (n == MAX_CASES)
				die("check_kernels: more than %d declared test cases", MAX_CASES);
			cases[n++] = *t;
		}
	return n;
}

/* Runs CASE at dispatch level ISA with THREADS threads, twice (the timed
 * region must be repeatable), and checks the verdict. */
static void run_case(const char *text, int isa, int threads)
{
	struct nb_case c;
	struct nb_pool *pool = pool_create(threads, 0);
	struct nb_host_env env = { pool, cpu_detect(), 7, isa };
	struct nb_verify v;
	void *st = NULL;
	char msg[256];

	ck_assert_ptr_nonnull(pool);
	ck_assert_msg(case_parse(text, &c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
	ck_assert_msg(case_check(&c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
	ck_assert_msg(c.kernel->setup(&c, &env, &st) == 0, "%s: setup failed", text);
	/* host_bytes assumes at most one thread per online CPU. */
	if (!strcmp(c.kernel->name, "attention") && threads <= cpu_detect()->online_cpus)
		ck_assert_msg(attention_allocated_bytes(st) <= c.kernel->host_bytes(&c),
			      "%s: allocated %.0f > declared %.0f", text,
			      attention_allocated_bytes(st), c.kernel->host_bytes(&c));
	c.kernel->execute(st);
	c.kernel->execute(st);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(c.kernel->verify(st, &v), 0);
	c.kernel->teardown(st);
	pool_free(pool);
	ck_assert_msg(v.ok, "%s [%s, %d threads]: %s = %g > tol %g", text, c.kernel->impl(&c, isa),
		      threads, v.what, v.max_err, v.tol);
}

START_TEST(portable_matches_reference)
{
	run_case(cases[_i], NB_ISA_PORTABLE, 1 + _i % 3);
}
END_TEST

START_TEST(avx2_matches_reference)
{
	if (cpu_detect()->isa < NB_ISA_AVX2 && !cpu_detect()->avx2)
		return;	/* nothing to test on this CPU */
	run_case(cases[_i], NB_ISA_AVX2, 1);
	run_case(cases[_i], NB_ISA_AVX2, 3);
}
END_TEST

static double host_bytes(const char *text)
{
	struct nb_case c;
	char msg[256];

	ck_assert_msg(case_parse(text, &c, msg, sizeof(msg)) == 0, "%s", msg);
	return c.kernel->host_bytes(&c);
}

/* Memory grows with seq * head_dim, never seq^2. */
START_TEST(attention_memory_is_linear)
{
	double a = host_bytes("attention heads=1 seq_q=4096 head_dim=128");
	double b = host_bytes("attention heads=1 seq_q=8192 head_dim=128");
	double big = host_bytes("attention heads=1 seq_q=1048576 head_dim=64");

	ck_assert_msg(b < 2.2 * a, "doubling seq: %.0f -> %.0f bytes", a, b);
	ck_assert_msg(big < 1e-3 * 1048576.0 * 1048576.0 * 4, "seq 1M: %.0f bytes", big);
}
END_TEST

/* Work declarations: causal counts exactly the unmasked pairs, 2:4 keeps
 * dense-equivalent and actual operations apart. */
START_TEST(work_is_declared_exactly)
{
	struct nb_case c;
	struct nb_work w;
	char msg[256];

	ck_assert_int_eq(case_parse("attention heads=1 seq_q=3 seq_k=5 head_dim=2 causal=1", &c, msg, sizeof(msg)), 0);
	c.kernel->work(&c, &w);
	/* rows see 3, 4, 5 keys: 12 pairs, 4 d FLOPs each */
	ck_assert_double_eq(w.ops, 12 * 4 * 2);
	ck_assert_int_eq(case_parse("attention heads=2 seq_q=3 seq_k=5 head_dim=2", &c, msg, sizeof(msg)), 0);
	c.kernel->work(&c, &w);
	ck_assert_double_eq(w.ops, 2 * 15 * 4 * 2);
	ck_assert_int_eq(case_parse("spmm m=8 n=4 k=16", &c, msg, sizeof(msg)), 0);
	c.kernel->work(&c, &w);
	ck_assert_double_eq(w.ops, 2.0 * 8 * 4 * 16);
	ck_assert_double_eq(w.actual_ops, w.ops / 2);
	ck_assert_int_eq(case_parse("stream op=copy n=100 store=cached", &c, msg, sizeof(msg)), 0);
	c.kernel->work(&c, &w);
	ck_assert_double_eq(w.bytes, 1600);
	ck_assert_double_eq(w.bytes_wa, 2400);
}
END_TEST

START_TEST(impossible_cases_are_refused)
{
	struct nb_case c;
	char msg[256];

	ck_assert_int_eq(case_parse("attention seq_q=10 seq_k=5 causal=1", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "seq_q"));
	ck_assert_int_eq(case_parse("spmm k=10", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "k=10"));
	ck_assert_int_eq(case_parse("spmm pattern=csr density=0.6", &c, msg, sizeof(msg)), -1);
}
END_TEST

Suite *suite_kernels(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("reference");
	int n = collect_cases();

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, portable_matches_reference, 0, n);
	tcase_add_loop_test(tc, avx2_matches_reference, 0, n);
	tcase_add_test(tc, attention_memory_is_linear);
	tcase_add_test(tc, work_is_declared_exactly);
	tcase_add_test(tc, impossible_cases_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
