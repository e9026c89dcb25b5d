/* Every implementation (portable and, where the CPU has it, AVX2) of the
 * attention, spmm and stream families against its reference, on shapes
 * chosen to hit the edges: odd sizes, seq_q != seq_k, causal with one
 * query, large-magnitude scores, densities at both extremes, arrays that
 * are not a multiple of the vector width; run with one thread and with
 * more threads than work in places.  Plus attention's memory bound. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#include "check_suites.h"
#include "kernels/attention-impl.h"
#include "kernels/gemm.h"
#include "kernels/spmm-impl.h"
#include "kernels/workload-ew.h"
#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/half.h"
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

/* The runner of one ISA level (check_isa.c) has checked that the CPU has
 * it, so this always runs what it names. */
START_TEST(isa_matches_reference)
{
	run_case(cases[_i], check_isa, 1);
	run_case(cases[_i], check_isa, 3);
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

/* The elementwise table's round-and-transpose (the KV cache's K^T append)
 * at ISA against the portable table, bit for bit, over odd row counts N
 * and widths D (the AVX-512 blocks' edges), a row stride wider than D and
 * column offsets P0 into a wider output; ties, NaN, infinities and signed
 * zero among the inputs.  The whole output is compared, so a store past
 * row N or column D fails too.  Returns 0 when ISA's table is the portable one. */
static int ew_t_check(int isa)
{
	static const long ns[] = { 1, 3, 17, 128, 129 }, ds[] = { 1, 8, 64, 80, 128 }, p0s[] = { 0, 1, 37 };
	enum { LDX = 3, CTXX = 11, MAXN = 129, MAXD = 128 };
	const struct wl_ew *ref = wl_ew_for(NB_ISA_PORTABLE), *t = wl_ew_for(isa);
	static float in[MAXN * (MAXD + LDX)];
	static uint16_t a[MAXD * (37 + MAXN + CTXX)], b[MAXD * (37 + MAXN + CTXX)];

	if (t == ref)
		return 0;
	for (long i = 0; i < MAXN * (MAXD + LDX); i++) {
		uint32_t bits = 0x3f808000u + (uint32_t)i * 0x10001u;

		if (i % 3 == 0)
			memcpy(&in[i], &bits, 4);	/* halfway and near-halfway cases */
		else
			in[i] = (float)((i * 7919) % 4001 - 2000) / 7.0f;
	}
	in[5] = NAN;
	in[6] = -INFINITY;
	in[7] = INFINITY;
	in[8] = -0.0f;
	in[MAXD + LDX + 1] = -NAN;
	for (size_t in_ = 0; in_ < sizeof(ns) / sizeof(ns[0]); in_++)
		for (size_t id = 0; id < sizeof(ds) / sizeof(ds[0]); id++)
			for (size_t ip = 0; ip < sizeof(p0s) / sizeof(p0s[0]); ip++) {
				long n = ns[in_], d = ds[id], p0 = p0s[ip], ld = d + LDX, ctx = p0 + n + CTXX;

				memset(a, 0xa5, sizeof(a));
				memset(b, 0xa5, sizeof(b));
				ref->to_bf16_t(in, ld, n, d, a + p0, ctx);
				t->to_bf16_t(in, ld, n, d, b + p0, ctx);
				for (long k = 0; k < (long)(sizeof(a) / sizeof(a[0])); k++)
					ck_assert_msg(a[k] == b[k],
						      "%s to_bf16_t n=%ld d=%ld p0=%ld: [%ld] %#x, portable %#x",
						      isa_name((enum nb_isa)isa), n, d, p0, k, b[k], a[k]);
			}
	return 1;
}

/* Every vector level this CPU has. */
START_TEST(ew_to_bf16_t_matches_portable)
{
	for (int isa = NB_ISA_AVX2; isa <= NB_ISA_AVX512; isa++)
		if (cpu_has_isa((enum nb_isa)isa, NULL))
			ew_t_check(isa);
}
END_TEST

/* The runner's level, which it has checked the CPU has (check_isa.c). */
START_TEST(ew_to_bf16_t_isa_matches_portable)
{
	ck_assert_msg(ew_t_check(check_isa), "%s: no vector table to test", isa_name((enum nb_isa)check_isa));
}
END_TEST

Suite *suite_kernels(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("reference");
	int n = collect_cases();

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, portable_matches_reference, 0, n);
	tcase_add_test(tc, attention_memory_is_linear);
	tcase_add_test(tc, ew_to_bf16_t_matches_portable);
	tcase_add_test(tc, work_is_declared_exactly);
	tcase_add_test(tc, impossible_cases_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

#ifdef NB_HAVE_AVX512_KERNELS
/* The numerics of the bf16 pair path (attention-avx512.c), on its
 * micro-kernels directly.  P V: 63 keys whose weight P ~ 0.5019 rounds to
 * bf16 0.5, a relative error of 0.96 x 2^-8 each, all in one direction,
 * against one key of weight 1, every v = 1: the exact output is 1, the
 * kernel's must be off by nearly ATT_BF16_PAIR_ERR and by no more. */
START_TEST(bf16_pair_p_rounding_bound)
{
	const struct attn_ops *ops = &attn_ops_avx512_bf16;
	float *s = nb_aligned_alloc(ATT_MR * ATT_BC * sizeof(float));
	uint32_t *v = nb_aligned_alloc(ATT_BC / 2 * 16 * sizeof(uint32_t));
	float *acc = nb_aligned_alloc(ATT_MR * 16 * sizeof(float));
	float m[ATT_MR], l[ATT_MR], alpha[ATT_MR];
	double p = 0.5 + 0.99 * 0x1p-9;	/* just under the rounding midpoint */

	for (int r = 0; r < ATT_MR; r++) {
		m[r] = -INFINITY;
		l[r] = 0;
		s[r * ATT_BC] = 0;
		for (int c = 1; c < ATT_BC; c++)
			s[r * ATT_BC + c] = (float)log2(p);
	}
	for (int i = 0; i < ATT_BC / 2 * 16; i++)
		v[i] = 0x3f803f80u;	/* the pair (1.0, 1.0) */
	memset(acc, 0, ATT_MR * 16 * sizeof(float));
	ops->softmax(s, ATT_BC, 1.0f, m, l, alpha);
	ops->pv(s, ATT_BC, (const float *)v, 16, acc, alpha);
	for (int r = 0; r < ATT_MR; r++)
		for (int j = 0; j < 16; j++) {
			double err = fabs(acc[r * 16 + j] / l[r] - 1.0);

			ck_assert_msg(err <= ATT_BF16_PAIR_ERR + 1e-5, "row %d: err %g > bound %g", r, err,
				      ATT_BF16_PAIR_ERR);
			ck_assert_msg(err >= 0.9 * ATT_BF16_PAIR_ERR, "row %d: err %g: P not rounded as documented",
				      r, err);
		}
	nb_aligned_free(s);
	nb_aligned_free(v);
	nb_aligned_free(acc);
}
END_TEST

/* Q K^T on bf16 pairs: products exact, fp32 sums, so within d u32 of
 * sum |q k| of the exact dot product for scores of any size; and products
 * under 2^-126 flushed to zero (vdpbf16ps ignores MXCSR), as documented. */
START_TEST(bf16_pair_scores_exact_products)
{
	enum { D = 37, SK = 32 };	/* odd d: a padded last pair */
	const struct attn_ops *ops = &attn_ops_avx512_bf16;
	int dq2 = (D + 1) / 2;
	uint16_t q16[ATT_MR * 2 * ((D + 1) / 2)] = { 0 }, k16[SK * D], v16[SK * D];
	float *kp = nb_aligned_alloc((size_t)ATT_BC * dq2 * 4), *vp = nb_aligned_alloc((size_t)ATT_BC * 48 * 4);
	float *s = nb_aligned_alloc(ATT_MR * ATT_BC * sizeof(float));
	unsigned x = 12345;

	for (int round = 0; round < 2; round++) {
		/* Round 0: values up to 300 (scores ~1e5); round 1: 2^-70 each,
		 * products 2^-140 in magnitude. */
		for (int i = 0; i < SK * D; i++) {
			x = x * 1103515245u + 12345u;
			k16[i] = nb_f32_to_bf16(round ? 0x1p-70f : (float)((int)(x >> 16) % 601 - 300) * 0.999f);
			v16[i] = 0;
		}
		for (int r = 0; r < ATT_MR; r++)
			for (int t = 0; t < D; t++) {
				x = x * 1103515245u + 12345u;
				q16[r * 2 * dq2 + t] = nb_f32_to_bf16(round ? 0x1p-70f : (float)((int)(x >> 16) % 601 - 300) * 1.001f);
			}
		ops->pack(k16, v16, SK, ATT_BC, D, 48, kp, vp);
		ops->qk((const float *)q16, D, kp, SK, s);
		for (int r = 0; r < ATT_MR; r++)
			for (int c = 0; c < SK; c++) {
				double dot = 0, mag = 0, err;

				for (int t = 0; t < D; t++) {
					double y = (double)nb_bf16_to_f32(q16[r * 2 * dq2 + t]) * nb_bf16_to_f32(k16[c * D + t]);

					dot += y;
					mag += fabs(y);
				}
				err = fabs(s[r * ATT_BC + c] - dot);
				if (round)
					ck_assert_msg(s[r * ATT_BC + c] == 0.0f, "tiny products: %g, not flushed to 0",
						      s[r * ATT_BC + c]);
				else
					ck_assert_msg(err <= D * 0x1p-24 * mag, "row %d key %d: err %g > %g", r, c, err,
						      D * 0x1p-24 * mag);
			}
	}
	nb_aligned_free(kp);
	nb_aligned_free(vp);
	nb_aligned_free(s);
}
END_TEST

/* The 2:4 bf16 dot-product kernel (spmm-avx512.c) directly, on a shape with
 * every edge (rows off the 48-row tile, a partial column panel, a second k
 * block of an odd number of groups) and every one of the six index pairs:
 *   round 0: small integers, every sum exact in fp32, so C must equal the
 *            reference exactly (a wrongly selected row of B cannot pass);
 *   round 1: B denormal (2^-127) times A = 1: vdpbf16ps flushes it to 0,
 *            as documented, and the error (the whole exact result) stays
 *            within GEMM_BF16_FLUSH of the row's products (|a|, |b| <= 1,
 *            as the generated data). */
START_TEST(spmm24_bf16_dot_numerics)
{
	enum { M = 11, N = 53, K = 148 };
	static const uint8_t nibs[6] = { 4, 8, 12, 9, 13, 14 };
	long meta_ld = (K / 4 + 1) / 2;
	uint16_t *aval = nb_aligned_alloc(M * K / 2 * 2), *b = nb_aligned_alloc(K * N * 2);
	uint8_t *meta = nb_aligned_alloc((size_t)(M * meta_ld));
	float *c = nb_aligned_alloc(M * N * sizeof(float)), *ws = nb_aligned_alloc(S24D_WS_FLOATS(N) * sizeof(float));
	uint64_t *bq = nb_aligned_alloc((size_t)S24D_BQ_BYTES(K, N));
	unsigned x = 777;

	memset(meta, 0, (size_t)(M * meta_ld));
	for (int i = 0; i < M; i++)
		for (int g = 0; g < K / 4; g++)
			meta[i * meta_ld + g / 2] |= (uint8_t)(nibs[(i + 5 * g) % 6] << (g % 2 * 4));
	for (int round = 0; round < 2; round++) {
		struct spmm_args a = { NB_BF16, M, N, K, b, c, aval, meta, meta_ld, NULL, NULL, NULL, bq };

		for (int i = 0; i < M * K / 2; i++) {
			x = x * 1103515245u + 12345u;
			aval[i] = nb_f32_to_bf16(round ? 1.0f : (float)((int)(x >> 16) % 17 - 8));
		}
		for (int i = 0; i < K * N; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = round ? 0x0040 : nb_f32_to_bf16((float)((int)(x >> 16) % 17 - 8));
		}
		spmm24_avx512bf16_run(&a, 0, N, ws);
		for (int i = 0; i < M; i++)
			for (int j = 0; j < N; j++) {
				double ref = 0;

				for (int g = 0; g < K / 4; g++) {
					unsigned nib = (meta[i * meta_ld + g / 2] >> (g % 2 * 4)) & 15;

					ref += (double)nb_bf16_to_f32(aval[i * K / 2 + 2 * g]) *
					       nb_bf16_to_f32(b[(4 * g + (nib & 3)) * N + j]);
					ref += (double)nb_bf16_to_f32(aval[i * K / 2 + 2 * g + 1]) *
					       nb_bf16_to_f32(b[(4 * g + (nib >> 2)) * N + j]);
				}
				if (round == 0) {
					ck_assert_msg(c[i * N + j] == ref, "C[%d][%d] = %g, exact %g", i, j,
						      c[i * N + j], ref);
				} else {
					ck_assert_msg(c[i * N + j] == 0.0f, "C[%d][%d] = %g: denormal B not flushed",
						      i, j, c[i * N + j]);
					ck_assert_msg(fabs(c[i * N + j] - ref) <= GEMM_BF16_FLUSH(K / 2),
						      "C[%d][%d]: err %g > %g", i, j, fabs(c[i * N + j] - ref),
						      GEMM_BF16_FLUSH(K / 2));
				}
			}
	}
	nb_aligned_free(aval);
	nb_aligned_free(b);
	nb_aligned_free(meta);
	nb_aligned_free(c);
	nb_aligned_free(ws);
	nb_aligned_free(bq);
}
END_TEST
#endif

Suite *suite_kernels_isa(void)
{
	Suite *s = suite_create(isa_name((enum nb_isa)check_isa));
	TCase *tc = tcase_create("kernels");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, isa_matches_reference, 0, collect_cases());
	tcase_add_test(tc, ew_to_bf16_t_isa_matches_portable);
	suite_add_tcase(s, tc);
	return s;
}

/* The bf16 attention and 2:4 spmm cases among the declared ones. */
static const char *bf16_cases[MAX_CASES];

START_TEST(bf16dot_matches_reference)
{
	struct nb_case c;
	char msg[256];

	/* Past the decode rows, dispatch must pick the dot-product path; 2:4
	 * spmm always. */
	ck_assert_int_eq(case_parse(bf16_cases[_i], &c, msg, sizeof(msg)), 0);
	if (!strcmp(c.kernel->name, "spmm") || case_int(&c, "seq_q") > ATT_DECODE_ROWS)
		ck_assert_msg(strstr(c.kernel->impl(&c, NB_ISA_AVX512), "avx512bf16"), "%s: runs %s",
			      bf16_cases[_i], c.kernel->impl(&c, NB_ISA_AVX512));
	run_case(bf16_cases[_i], NB_ISA_AVX512, 1);
	run_case(bf16_cases[_i], NB_ISA_AVX512, 3);
}
END_TEST

/* Only the runner that has checked for avx512_bf16 (check_isa.c) calls
 * this; a build without AVX-512 kernels never gets there. */
Suite *suite_kernels_bf16dot(void)
{
	Suite *s = suite_create("avx512bf16");
	TCase *tc = tcase_create("kernels");
	int n = collect_cases(), nb = 0;

	for (int i = 0; i < n; i++)
		if ((!strncmp(cases[i], "attention ", 10) ||
		     (!strncmp(cases[i], "spmm ", 5) && !strstr(cases[i], "pattern=csr"))) &&
		    strstr(cases[i], "dtype=bf16"))
			bf16_cases[nb++] = cases[i];
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, bf16dot_matches_reference, 0, nb);
#ifdef NB_HAVE_AVX512_KERNELS
	tcase_add_test(tc, bf16_pair_p_rounding_bound);
	tcase_add_test(tc, bf16_pair_scores_exact_products);
	tcase_add_test(tc, spmm24_bf16_dot_numerics);
#endif
	suite_add_tcase(s, tc);
	return s;
}
