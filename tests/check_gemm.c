/* Unit tests of the GEMM kernels: every implementation (portable and, where
 * the runner's level has it: AVX2, AVX-512), every dtype, both paths (packed and small-m), on
 * shapes that hit every edge (1, primes, tall-skinny, GEMV m = 1..16,
 * non-multiples of the tiles, k across cache blocks), against a reference
 * computed here in double / int64; integer extremes for overflow; and the
 * fall back to portable code when AVX2 is absent. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_suites.h"
#include "kernels/gemm.h"
#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/peak.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/util.h"

static const enum nb_dtype dtypes[] = { NB_FP32, NB_FP16, NB_BF16, NB_INT8, NB_INT4 };

/* Fill modes: random over the format's range, or integer extremes. */
enum { FILL_RANDOM, FILL_MIN, FILL_MINMAX };

static void *make(enum nb_dtype dt, long rows, long cols, int mode, uint64_t stream)
{
	long ld = gemm_ld(dt, cols);
	size_t bytes = (size_t)gemm_mat_bytes(dt, rows, cols) + 1;
	void *p = xcalloc(1, bytes);
	struct nb_rng g;

	rng_seed(&g, 42, stream);
	for (long i = 0; i < rows; i++)
		for (long j = 0; j < cols; j++) {
			int lo = dt == NB_INT4 ? -8 : -128, hi = dt == NB_INT4 ? 7 : 127;
			int v = mode == FILL_MIN ? lo
				: mode == FILL_MINMAX ? ((i + j) % 3 ? lo : hi)
				: (int)rng_range(&g, lo, hi);

			switch (dt) {
			case NB_FP16: ((uint16_t *)p)[i * ld + j] = nb_f32_to_fp16(rng_float(&g)); break;
			case NB_BF16: ((uint16_t *)p)[i * ld + j] = nb_f32_to_bf16(rng_float(&g)); break;
			case NB_FP32: ((float *)p)[i * ld + j] = rng_float(&g); break;
			case NB_INT8: ((int8_t *)p)[i * ld + j] = (int8_t)v; break;
			default: {
				uint8_t *b = (uint8_t *)p + i * ld + j / 2;

				*b = (j & 1) ? (uint8_t)((*b & 15) | ((v & 15) << 4)) : (uint8_t)(v & 15);
			}
			}
		}
	return p;
}

/* Runs IMPL on one shape and compares every element with the reference. */
static void check_one(const struct gemm_impl *im, struct nb_pool *pool, enum nb_dtype dt,
		      long m, long n, long k, int small, int mode)
{
	void *a = make(dt, m, k, mode, 1), *b = make(dt, k, n, mode, 2);
	void *c = xmalloc((size_t)m * (size_t)n * 4);
	struct gemm_mat ma = { a, dt, gemm_ld(dt, k) }, mb = { b, dt, gemm_ld(dt, n) };

	memset(c, 0xa5, (size_t)m * (size_t)n * 4);	/* garbage: C must be overwritten */
	ck_assert_int_eq(gemm_compute(im, pool, dt, m, n, k, a, b, c, small), 0);
	for (long i = 0; i < m; i++)
		for (long j = 0; j < n; j++) {
			if (gemm_is_int(dt)) {
				int64_t ref = 0;

				for (long p = 0; p < k; p++)
					ref += (int64_t)gemm_get_i(&ma, i, p) * gemm_get_i(&mb, p, j);
				ck_assert_msg(((int32_t *)c)[i * n + j] == ref,
					      "%s small=%d m=%ld n=%ld k=%ld: C[%ld][%ld] = %d, expected %lld",
					      im->name, small, m, n, k, i, j, ((int32_t *)c)[i * n + j],
					      (long long)ref);
			} else {
				double ref = 0, mag = 0, got = ((float *)c)[i * n + j];

				for (long p = 0; p < k; p++) {
					double x = (double)gemm_get_f(&ma, i, p) * gemm_get_f(&mb, p, j);

					ref += x;
					mag += fabs(x);
				}
				double slack = dt == NB_BF16 ? GEMM_BF16_FLUSH(k) : 0;

				ck_assert_msg(fabs(got - ref) <= (k + 2) * 0x1p-24 * mag + slack,
					      "%s small=%d m=%ld n=%ld k=%ld: C[%ld][%ld] = %g, expected %g",
					      im->name, small, m, n, k, i, j, got, ref);
			}
		}
	free(a);
	free(b);
	free(c);
}

static const long shapes[][3] = {
	{ 1, 1, 1 }, { 1, 17, 5 }, { 2, 3, 7 }, { 5, 16, 16 }, { 6, 16, 8 }, { 7, 17, 33 },
	{ 13, 31, 29 }, { 16, 64, 130 }, { 17, 19, 257 }, { 37, 1, 300 }, { 1, 1000, 37 },
	{ 3, 300, 1 }, { 100, 7, 3 }, { 64, 48, 600 }, { 97, 130, 515 }, { 300, 40, 70 },
	{ 20, 50, 1100 }, { 4, 333, 9 }, { 9, 40, 2 }, { 2, 200, 601 }, { 1, 128, 514 },
};

/* The implementation under test: at the runner's level (check_isa), which
 * the runner has checked the CPU has: the portable one in check_npubench,
 * AVX2 and AVX-512 in the per-ISA runners. */
static int impls_for(enum nb_dtype dt, const struct gemm_impl *out[2])
{
	out[0] = gemm_impl_for(dt, check_isa);
	return 1;
}

START_TEST(every_impl_matches_reference)
{
	enum nb_dtype dt = dtypes[_i];
	struct nb_pool *pool1 = pool_create(1, 0), *pool2 = pool_create(2, 0);
	const struct gemm_impl *im[2];
	int nim = impls_for(dt, im);

	ck_assert_ptr_nonnull(pool1);
	ck_assert_ptr_nonnull(pool2);
	for (int x = 0; x < nim; x++)
		for (size_t s = 0; s < NB_ARRAY_SIZE(shapes); s++) {
			const long *sh = shapes[s];

			check_one(im[x], pool1, dt, sh[0], sh[1], sh[2], 0, FILL_RANDOM);
			check_one(im[x], pool2, dt, sh[0], sh[1], sh[2], 0, FILL_RANDOM);
			if (sh[0] <= 20) {
				check_one(im[x], pool1, dt, sh[0], sh[1], sh[2], 1, FILL_RANDOM);
				check_one(im[x], pool2, dt, sh[0], sh[1], sh[2], 1, FILL_RANDOM);
			}
		}
	/* GEMV shapes m = 1..16 on the path the descriptor chooses. */
	for (int x = 0; x < nim; x++)
		for (long m = 1; m <= 16; m++)
			check_one(im[x], pool2, dt, m, 67, 45, -1, FILL_RANDOM);
	pool_free(pool1);
	pool_free(pool2);
}
END_TEST

/* 2 and 3 threads on shapes where the threads share packed B blocks (m at
 * least 4 tiles per thread) or just miss it: uneven row shares, edge tiles
 * in m, n and k, n below one tile (a thread packs no share of B), k and n
 * across several cache blocks (so the two B buffers alternate), and m
 * below one tile per thread (column split). */
static const long thread_shapes[][3] = {
	{ 113, 45, 70 }, { 173, 37, 131 }, { 229, 15, 33 }, { 170, 1, 9 }, { 13, 300, 77 },
	{ 5, 40, 3 }, { 130, 1000, 2100 }, { 150, 40, 4200 },
};

START_TEST(threads_match_reference)
{
	enum nb_dtype dt = dtypes[_i];
	const struct gemm_impl *im = gemm_impl_for(dt, check_isa);

	for (int nt = 2; nt <= 3; nt++) {
		struct nb_pool *pool = pool_create(nt, 0);

		ck_assert_ptr_nonnull(pool);
		for (size_t s = 0; s < NB_ARRAY_SIZE(thread_shapes); s++)
			check_one(im, pool, dt, thread_shapes[s][0], thread_shapes[s][1],
				  thread_shapes[s][2], 0, FILL_RANDOM);
		pool_free(pool);
	}
}
END_TEST

/* The small-m path forced on, at 1, 2 and 3 threads (the threads split the
 * columns in multiples of 16): m of one to eight rows (the float strips
 * hold up to 4 rows 64 columns wide, 5 to 8 rows 32 wide) and past one and
 * two groups (9, 16, 17); n at and around its 16-column vectors and 32- and
 * 64-column strips (a masked last strip, threads with no columns); k at and
 * around whole k-pairs and -quads and across the 256-k blocks (a partial
 * last pair or quad in a later block). */
START_TEST(small_path_odd_shapes)
{
	static const long ms[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17 };
	static const long ns[] = { 1, 15, 17, 31, 33, 63, 65, 129 };
	static const long ks[] = { 1, 3, 4, 5, 255, 257, 259, 1031 };
	enum nb_dtype dt = dtypes[_i];
	const struct gemm_impl *im = gemm_impl_for(dt, check_isa);

	for (int nt = 1; nt <= 3; nt++) {
		struct nb_pool *pool = pool_create(nt, 0);

		ck_assert_ptr_nonnull(pool);
		for (size_t a = 0; a < NB_ARRAY_SIZE(ms); a++)
			for (size_t b = 0; b < NB_ARRAY_SIZE(ns); b++)
				for (size_t c = 0; c < NB_ARRAY_SIZE(ks); c++)
					if (ms[a] <= 9 || ks[c] < 1000)
						check_one(im, pool, dt, ms[a], ns[b], ks[c], 1, FILL_RANDOM);
		pool_free(pool);
	}
}
END_TEST

/* -128 * -128 sums (and -8 * -8), mixed with +127: where vpmaddubsw would
 * saturate int16 and a careless sign trick would flip signs. */
START_TEST(integer_extremes_are_exact)
{
	struct nb_pool *pool = pool_create(2, 0);
	const enum nb_dtype ints[] = { NB_INT8, NB_INT4 };

	for (size_t d = 0; d < 2; d++) {
		const struct gemm_impl *im[2];
		int nim = impls_for(ints[d], im);

		for (int x = 0; x < nim; x++)
			for (int small = 0; small <= 1; small++) {
				check_one(im[x], pool, ints[d], 7, 35, 2001, small, FILL_MIN);
				check_one(im[x], pool, ints[d], 7, 35, 999, small, FILL_MINMAX);
				check_one(im[x], pool, ints[d], 3, 130, 1001, small, FILL_MIN);
				check_one(im[x], pool, ints[d], 2, 200, 777, small, FILL_MINMAX);
			}
	}
	pool_free(pool);
}
END_TEST

/* The bf16 bound, (k + 2) u32 sum |a b| + GEMM_BF16_FLUSH(k), where it is
 * tight: denormal inputs (which vdpbf16ps flushes to zero: the AVX-512
 * kernel must return exactly 0 there, the others the exact sum) and values
 * over 2^-20..2^20 with alternating signs (cancellation, where the order
 * and rounding of the pair additions differ from separate FMAs). */
START_TEST(bf16_error_bound_holds)
{
	struct nb_pool *pool = pool_create(2, 0);
	const struct gemm_impl *im = gemm_impl_for(NB_BF16, check_isa);
	int dot = strstr(im->name, "dpbf16") != NULL;
	const long m = 17, n = 33, k = 101;
	uint16_t *a = xmalloc(m * k * 2), *b = xmalloc(k * n * 2);
	float *c = xmalloc(m * n * 4);
	struct gemm_mat ma = { a, NB_BF16, k }, mb = { b, NB_BF16, n };
	struct nb_rng g;

	for (int mode = 0; mode < 2; mode++) {
		rng_seed(&g, 5, (uint64_t)mode);
		for (long i = 0; i < m * k; i++)
			a[i] = mode ? nb_f32_to_bf16(ldexpf(rng_float(&g), (int)rng_range(&g, -20, 0)))
				    : 0x0010;	/* 2^-129, a bf16 denormal */
		for (long i = 0; i < k * n; i++)
			b[i] = mode ? nb_f32_to_bf16((i & 1 ? -1 : 1) * (0.5f + 0.5f * fabsf(rng_float(&g))))
				    : 0x3f80;	/* 1.0 */
		for (int small = 0; small <= 1; small++) {
			ck_assert_int_eq(gemm_compute(im, pool, NB_BF16, m, n, k, a, b, c, small), 0);
			for (long i = 0; i < m; i++)
				for (long j = 0; j < n; j++) {
					double ref = 0, mag = 0;

					for (long p = 0; p < k; p++) {
						double x = (double)gemm_get_f(&ma, i, p) * gemm_get_f(&mb, p, j);

						ref += x;
						mag += fabs(x);
					}
					ck_assert_msg(fabs(c[i * n + j] - ref) <= (k + 2) * 0x1p-24 * mag + GEMM_BF16_FLUSH(k),
						      "%s mode %d small %d: C[%ld][%ld] = %a, ref %a", im->name,
						      mode, small, i, j, c[i * n + j], ref);
					if (mode == 0 && !small)
						ck_assert_msg(dot ? c[i * n + j] == 0 : c[i * n + j] == (float)ref,
							      "%s: denormal sum %a (ref %a)", im->name, c[i * n + j], ref);
				}
		}
	}
	free(a);
	free(b);
	free(c);
	pool_free(pool);
}
END_TEST

/* The largest k the descriptor accepts for int8 cannot overflow int32. */
START_TEST(int8_k_bound)
{
	struct nb_case c;
	char msg[256];

	ck_assert_int_eq(case_parse("gemm dtype=int8 m=1 n=1 k=131071", &c, msg, sizeof(msg)), 0);
	ck_assert_int_eq(case_check(&c, msg, sizeof(msg)), 0);
	ck_assert_int_eq(case_parse("gemm dtype=int8 m=1 n=1 k=131072", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "overflow"));
	ck_assert_int_eq(case_parse("gemm dtype=int8 round=1", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "round"));
	ck_assert_int_eq(case_parse("gemm m=1048576 n=1048576 k=1", &c, msg, sizeof(msg)), -1);
}
END_TEST

/* The descriptor end to end: setup, execute twice, verify, teardown. */
static void run_case(const char *text, int isa, struct nb_pool *pool)
{
	const struct nb_kernel *k = kernel_find("gemm");
	struct nb_host_env env = { pool, cpu_detect(), 7, isa };
	struct nb_case c;
	struct nb_verify v;
	struct nb_work w;
	struct nb_shape sh;
	char msg[256];
	void *state = NULL;

	ck_assert_ptr_nonnull(k);
	ck_assert_msg(case_parse(text, &c, msg, sizeof(msg)) == 0, "%s", msg);
	ck_assert_msg(case_check(&c, msg, sizeof(msg)) == 0, "%s", msg);
	k->work(&c, &w);
	ck_assert(w.ops == 2.0 * case_int(&c, "m") * case_int(&c, "n") * case_int(&c, "k"));
	k->shape(&c, &sh);
	ck_assert_int_eq(sh.kind, NB_SHAPE_GEMM);
	ck_assert(k->host_bytes(&c) >= w.bytes);
	ck_assert_int_eq(k->setup(&c, &env, &state), 0);
	k->execute(state);
	k->execute(state);
	ck_assert_int_eq(k->verify(state, &v), 0);
	ck_assert_msg(v.ok, "%s: err %g > tol %g (%s)", text, v.max_err, v.tol, v.what);
	k->teardown(state);
}

START_TEST(descriptor_runs_and_verifies)
{
	struct nb_pool *pool = pool_create(2, 0);
	const char *cases[] = {
		"gemm dtype=fp32 m=33 n=47 k=65", "gemm dtype=fp16 m=64 n=64 k=300 round=1",
		"gemm dtype=bf16 m=1 n=513 k=77 round=1", "gemm dtype=int8 m=50 n=31 k=129",
		"gemm dtype=int4 m=3 n=99 k=101", "gemm dtype=bf16 m=520 n=520 k=520",
		"gemm dtype=int4 m=512 n=520 k=530",
	};

	for (size_t i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		run_case(cases[i], NB_ISA_PORTABLE, pool);
		run_case(cases[i], cpu_detect()->isa, pool);
	}
	pool_free(pool);
}
END_TEST

/* NPUBENCH_ISA=portable: the dispatch picks the portable kernels and the
 * descriptor names them; the peak probe still runs. */
START_TEST(dispatch_falls_back_to_portable)
{
	const struct nb_kernel *k = kernel_find("gemm");
	struct nb_pool *pool = NULL;
	struct nb_case c;
	char msg[128];

	setenv("NPUBENCH_ISA", "portable", 1);
	cpu_refresh_isa();
	ck_assert_int_eq(cpu_detect()->isa, NB_ISA_PORTABLE);
	for (size_t d = 0; d < NB_ARRAY_SIZE(dtypes); d++) {
		ck_assert_ptr_eq(gemm_impl_for(dtypes[d], cpu_detect()->isa), gemm_ref_impl(dtypes[d]));
		ck_assert_int_eq(case_parse("gemm m=100", &c, msg, sizeof(msg)), 0);
		ck_assert_ptr_nonnull(strstr(k->impl(&c, cpu_detect()->isa), "_c_"));
	}
	pool = pool_create(1, 0);
	run_case("gemm dtype=int8 m=40 n=40 k=40", cpu_detect()->isa, pool);
	pool_free(pool);
	ck_assert(peak_fp32_flops(1, 0.01) > 0);
	unsetenv("NPUBENCH_ISA");
	cpu_refresh_isa();
#ifdef NB_HAVE_X86_KERNELS
	if (cpu_has_isa(NB_ISA_AVX2, NULL)) {
		ck_assert_int_ge(cpu_detect()->isa, NB_ISA_AVX2);
		ck_assert_ptr_eq(gemm_impl_for(NB_BF16, NB_ISA_AVX2), gemm_avx2_impl(NB_BF16));
		ck_assert(peak_fp32_flops(1, 0.01) > 0);
	}
#endif
	/* A level the CPU lacks falls back to the best it has. */
	if (!cpu_has_isa(NB_ISA_AVX512, NULL)) {
		setenv("NPUBENCH_ISA", "avx512", 1);
		cpu_refresh_isa();
		ck_assert_int_lt(cpu_detect()->isa, NB_ISA_AVX512);
		unsetenv("NPUBENCH_ISA");
		cpu_refresh_isa();
	}
}
END_TEST

/* This thread's CPU time: a preempted thread (the tests run beside
 * builds) loses no time on this clock, so two loops measured with it
 * compare fairly on a loaded machine. */
static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* What one ceiling measurement runs: the probe's loop, or the GEMM
 * micro-kernel over panels that stay in L1. */
struct ceil_run {
	double (*loop)(long iters, float *sink);	/* the probe's loop, or NULL */
	const struct gemm_impl *im;
	long kstep;
	void *a, *b, *c;
};

/* ITERS repetitions; returns the operations (2 per multiply-add). */
static double ceil_once(const struct ceil_run *r, long iters)
{
	float sink;

	if (r->loop)
		return r->loop(iters, &sink);
	for (long i = 0; i < iters; i++)
		r->im->ukr(r->kstep, r->a, r->b, r->c, r->im->nr, 0);
	return 2.0 * r->im->mr * r->im->nr * (double)(r->kstep * r->im->kgran) * (double)iters;
}

/* Operations per CPU second: best of 3 runs of at least 10 ms. */
static double ceil_rate(const struct ceil_run *r)
{
	long iters = 16;
	double best = 0;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = cpu_seconds(), ops = ceil_once(r, iters), dt = cpu_seconds() - t0;

		if (dt < 0.01) {
			iters *= 4;
			rep--;
			continue;
		}
		if (ops / dt > best)
			best = ops / dt;
	}
	return best;
}

/* The probe's loop for a ceiling at the runner's level (peak.c's choice). */
static double (*probe_loop(enum nb_peak kind))(long, float *)
{
#ifdef NB_HAVE_AVX512_KERNELS
	if (kind == NB_PEAK_BF16)
		return check_isa >= NB_ISA_AVX512 ? peak_loop_bf16dot : NULL;
	if (kind == NB_PEAK_INT8)
		return check_isa >= NB_ISA_AVX512 ? peak_loop_int8dot : NULL;
	if (check_isa >= NB_ISA_AVX512)
		return peak_loop_avx512;
#endif
	if (kind != NB_PEAK_FP32)
		return NULL;
#ifdef NB_HAVE_X86_KERNELS
	if (check_isa >= NB_ISA_AVX2)
		return peak_loop_avx2;
#endif
	return NULL;
}

/* The probed ceiling of each arithmetic is a ceiling: the GEMM
 * micro-kernel that uses the instruction, run on L1-resident panels, must
 * not beat the probe's loop by more than noise (10%).  A loop that
 * measures the stack instead of the pipes (12 bf16 chains kept in an array
 * ran at 0.36 of the micro-kernel on Zen 5) fails here; a small shortfall
 * such as too few chains for the latency (about 7% for 12 vdpbf16ps
 * chains) is within the noise and is not caught.  Interleaved, best of 5,
 * on one thread's CPU time; and peak_ops itself must measure something. */
START_TEST(probed_ceiling_bounds_micro_kernel)
{
	static const struct {
		enum nb_peak kind;
		enum nb_dtype dt;
	} pairs[] = { { NB_PEAK_FP32, NB_FP32 }, { NB_PEAK_BF16, NB_BF16 }, { NB_PEAK_INT8, NB_INT8 } };

	for (size_t i = 0; i < NB_ARRAY_SIZE(pairs); i++) {
		const struct gemm_impl *im = gemm_impl_for(pairs[i].dt, check_isa);
		struct ceil_run probe = { probe_loop(pairs[i].kind), NULL, 0, NULL, NULL, NULL };
		struct ceil_run kern = { NULL, im, 64, NULL, NULL, NULL };
		size_t asz = (size_t)(im->mr * kern.kstep * im->kgran * im->ea);
		size_t bsz = (size_t)(im->nr * kern.kstep * im->kgran * im->eb + im->bextra);
		double peak = 0, rate = 0;

		if (!probe.loop || im == gemm_ref_impl(pairs[i].dt))
			continue;	/* no such instruction, or portable C */
		ck_assert(peak_ops(pairs[i].kind, 1, 0.01) > 0);
		kern.a = nb_aligned_alloc(asz);
		kern.b = nb_aligned_alloc(bsz);
		kern.c = nb_aligned_alloc((size_t)(im->mr * im->nr) * 4);
		ck_assert(kern.a && kern.b && kern.c);
		memset(kern.a, 0, asz);	/* zeros: no denormals, no int32 wrap */
		memset(kern.b, 0, bsz);
		for (int round = 0; round < 5; round++) {
			double p = ceil_rate(&probe), k = ceil_rate(&kern);

			peak = p > peak ? p : peak;
			rate = k > rate ? k : rate;
		}
		nb_aligned_free(kern.a);
		nb_aligned_free(kern.b);
		nb_aligned_free(kern.c);
		ck_assert_msg(rate <= 1.10 * peak, "%s: micro-kernel %s at %.1f G/s beats the probed "
			      "%s ceiling %.1f G/s", dtype_name(pairs[i].dt), im->name, rate / 1e9,
			      peak_name(pairs[i].kind), peak / 1e9);
	}
}
END_TEST

/* The per-ISA runners' share: every dtype and the integer extremes at
 * their level. */
Suite *suite_gemm_isa(void)
{
	Suite *s = suite_create("gemm");
	TCase *tc = tcase_create(isa_name((enum nb_isa)check_isa));

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, every_impl_matches_reference, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_loop_test(tc, threads_match_reference, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_loop_test(tc, small_path_odd_shapes, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_test(tc, integer_extremes_are_exact);
	tcase_add_test(tc, bf16_error_bound_holds);
	tcase_add_test(tc, probed_ceiling_bounds_micro_kernel);
	suite_add_tcase(s, tc);
	return s;
}

Suite *suite_gemm(void)
{
	Suite *s = suite_create("gemm");
	TCase *tc = tcase_create("kernels");

	tcase_add_loop_test(tc, every_impl_matches_reference, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_loop_test(tc, threads_match_reference, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_loop_test(tc, small_path_odd_shapes, 0, (int)NB_ARRAY_SIZE(dtypes));
	tcase_add_test(tc, integer_extremes_are_exact);
	tcase_add_test(tc, bf16_error_bound_holds);
	tcase_add_test(tc, int8_k_bound);
	tcase_add_test(tc, descriptor_runs_and_verifies);
	tcase_add_test(tc, dispatch_falls_back_to_portable);
	suite_add_tcase(s, tc);
	return s;
}
