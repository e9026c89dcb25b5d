/* spmm: sparse A times dense B, C [m x n] fp32 = A [m x k] B [k x n].
 *   pattern=2:4  A has exactly two non-zeros in every group of four along k,
 *                stored compressed with 2-bit index metadata (spmm-impl.h);
 *   pattern=csr  A unstructured in CSR, exactly round(density m k)
 *                non-zeros placed uniformly at random with the seed.
 * Values and B are stored in the dtype (fp16, bf16 or fp32); products are
 * accumulated in fp32.
 *
 * Work is declared both ways, never mixed: work.ops is the dense-equivalent
 * 2 m n k (the *effective* rate vendors quote for sparse throughput) and
 * work.actual_ops is 2 n nnz (the multiply-adds actually done on
 * non-zeros: m n k for 2:4). */
#include "kernels/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kernels/gemm.h"
#include "kernels/spmm-impl.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/util.h"

enum { P_PATTERN, P_DTYPE, P_M, P_N, P_K, P_DENSITY, P_IMPL, P_TIMING };
enum { PAT_24, PAT_CSR };

static const struct nb_param_desc params[] = {
	[P_PATTERN] = { "pattern", NB_P_ENUM, "2:4", "2:4|csr", 0, 0,
			"2:4 structured (compressed + metadata) or unstructured CSR" },
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp16", "fp16|bf16|fp32", 0, 0,
		      "values of A and B; accumulation is fp32" },
	[P_M] = { "m", NB_P_INT, "4096", NULL, 1, 1 << 20, "rows of A and C" },
	[P_N] = { "n", NB_P_INT, "4096", NULL, 1, 1 << 20, "columns of B and C" },
	[P_K] = { "k", NB_P_INT, "4096", NULL, 1, 1 << 20, "columns of A, rows of B (2:4: a multiple of 4)" },
	[P_DENSITY] = { "density", NB_P_REAL, "0.05", NULL, 0.001, 0.5,
			"csr: fraction of non-zeros (2:4 is always 0.5)" },
	[P_IMPL] = NB_PARAM_IMPL,
	[P_TIMING] = NB_PARAM_TIMING,
};

struct dims {
	int pattern;
	enum nb_dtype dt;
	long m, n, k;
	double density;
	long nnz;
};

static void get_dims(const struct nb_case *c, struct dims *x)
{
	x->pattern = (int)c->v[P_PATTERN].i;
	x->dt = (enum nb_dtype)c->v[P_DTYPE].i;
	x->m = (long)c->v[P_M].i;
	x->n = (long)c->v[P_N].i;
	x->k = (long)c->v[P_K].i;
	x->density = x->pattern == PAT_24 ? 0.5 : c->v[P_DENSITY].r;
	x->nnz = x->pattern == PAT_24 ? x->m * (x->k / 2) : lround(x->density * (double)x->m * (double)x->k);
}

static int spmm_check(const struct nb_case *c, char *msg, size_t len)
{
	struct dims x;

	get_dims(c, &x);
	if (x.pattern == PAT_24 && x.k % 4) {
		snprintf(msg, len, "spmm: pattern=2:4 needs k a multiple of 4, got k=%ld", x.k);
		return -1;
	}
	if (x.pattern == PAT_CSR && (double)x.m * (double)x.k * x.density >= 2147483647.0) {
		snprintf(msg, len, "spmm: csr with %.0f non-zeros exceeds 32-bit indices",
			 (double)x.m * (double)x.k * x.density);
		return -1;
	}
	return 0;
}

static size_t esize(enum nb_dtype dt)
{
	return (size_t)dtype_bits(dt) / 8;
}

/* Bytes of A as stored: values plus metadata or indices. */
static double a_bytes(const struct dims *x)
{
	double es = (double)esize(x->dt);

	if (x->pattern == PAT_24)
		return (double)x->nnz * es + (double)x->m * (double)((x->k / 4 + 1) / 2);
	return (double)x->nnz * (es + 4) + (double)(x->m + 1) * 4;
}

static void spmm_work(const struct nb_case *c, struct nb_work *w)
{
	struct dims x;

	get_dims(c, &x);
	memset(w, 0, sizeof(*w));
	w->ops = 2.0 * (double)x.m * (double)x.n * (double)x.k;
	w->actual_ops = 2.0 * (double)x.n * (double)x.nnz;
	w->bytes = a_bytes(&x) + (double)x.k * (double)x.n * (double)esize(x.dt) + (double)x.m * (double)x.n * 4;
	w->bytes_wa = w->bytes + (double)x.m * (double)x.n * 4;
	w->unit = "FLOP/s";
}

static void spmm_shape(const struct nb_case *c, struct nb_shape *s)
{
	struct dims x;

	get_dims(c, &x);
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_GEMM;
	s->dtype = x.dt;
	s->batch = 1;
	s->m = x.m;
	s->n = x.n;
	s->k = x.k;
	s->sparsity = x.pattern == PAT_24 ? NB_SPARSE_2_4 : NB_SPARSE_CSR;
	s->density = x.density;
	s->nnz = (double)x.nnz;
}

#define MAX_THREADS 1024

/* 2:4 bf16 is sized for the vdpbf16ps kernel whatever path runs (C^T of
 * up to all n columns per thread); the FMA kernels' fixed blocks fit. */
static long ws_floats(const struct dims *x)
{
	if (x->pattern == PAT_CSR)
		return x->k * CSR_NS + 64;
	if (x->dt == NB_BF16 && S24D_WS_FLOATS(x->n) > S24_WS_FLOATS)
		return S24D_WS_FLOATS(x->n);
	return S24_WS_FLOATS;
}

static double spmm_host_bytes(const struct nb_case *c)
{
	struct dims x;

	get_dims(c, &x);
	return a_bytes(&x) + (double)x.k * (double)x.n * (double)esize(x.dt) + (double)x.m * (double)x.n * 4 +
	       (double)cpu_detect()->online_cpus * (double)ws_floats(&x) * 4 + (MAX_THREADS + 1) * 8.0 + 4096 +
	       (x.pattern == PAT_CSR ? (double)(x.nnz + 1) * 8 : 0) +	/* the generator's positions */
	       (x.pattern == PAT_24 && x.dt == NB_BF16 ? S24D_BQ_BYTES(x.k, x.n) + 64 : 0);	/* packed B */
}

struct state {
	struct dims x;
	struct spmm_args a;
	struct nb_pool *pool;
	int level;	/* enum nb_isa of the kernels that run */
	int dot;	/* 2:4 bf16 on the vdpbf16ps kernel */
	long *split;	/* thread t: columns (2:4) or rows (csr) [split[t], split[t+1]) */
	float *ws;	/* per-thread workspace, ws_floats each */
	void *aval, *b;
	uint8_t *meta;
	uint64_t *bq;	/* 2:4 bf16 on the vdpbf16ps kernel: packed B */
	int32_t *row_ptr, *col;
	float *c;
};

static float val_f32(const void *src, enum nb_dtype dt, long i)
{
	switch (dt) {
	case NB_FP16: return nb_fp16_to_f32(((const uint16_t *)src)[i]);
	case NB_BF16: return nb_bf16_to_f32(((const uint16_t *)src)[i]);
	default: return ((const float *)src)[i];
	}
}

static void put(void *dst, enum nb_dtype dt, long i, float y)
{
	switch (dt) {
	case NB_FP16: ((uint16_t *)dst)[i] = nb_f32_to_fp16(y); break;
	case NB_BF16: ((uint16_t *)dst)[i] = nb_f32_to_bf16(y); break;
	default: ((float *)dst)[i] = y; break;
	}
}

/* Index pairs of a 2:4 group, first < second. */
static const uint8_t pairs24[6][2] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 2 }, { 1, 3 }, { 2, 3 } };

/* Calls FN(i, p, value) for every non-zero of row I, p ascending. */
#define FOR_ROW_NZ(st, i, BODY) do {						\
		const struct state *s_ = (st);					\
		if (s_->x.pattern == PAT_24) {					\
			for (long g_ = 0; g_ < s_->x.k / 4; g_++) {		\
				unsigned nib_ = (s_->meta[(i) * s_->a.meta_ld + g_ / 2] >> (g_ % 2 * 4)) & 15; \
				for (int z_ = 0; z_ < 2; z_++) {		\
					long p = 4 * g_ + (z_ ? nib_ >> 2 : nib_ & 3);	\
					float av = val_f32(s_->aval, s_->x.dt, (i) * (s_->x.k / 2) + 2 * g_ + z_); \
					BODY;					\
				}						\
			}							\
		} else {							\
			for (int32_t q_ = s_->row_ptr[i]; q_ < s_->row_ptr[(i) + 1]; q_++) { \
				long p = s_->col[q_];				\
				float av = val_f32(s_->aval, s_->x.dt, q_);	\
				BODY;						\
			}							\
		}								\
	} while (0)

/* The portable kernel: row by row, non-zero by non-zero, B converted as it
 * is read.  Rows [r0, r1) for both patterns. */
static void portable_rows(const struct state *st, long r0, long r1)
{
	long n = st->x.n;

	for (long i = r0; i < r1; i++) {
		float *c = st->c + i * n;

		memset(c, 0, (size_t)n * sizeof(float));
		FOR_ROW_NZ(st, i, {
			for (long j = 0; j < n; j++)
				c[j] += av * val_f32(st->b, st->x.dt, p * n + j);
		});
	}
}

/* 1 when 2:4 bf16 runs the vdpbf16ps kernel at dispatch level ISA: an
 * AVX-512 build on a CPU with AVX512_BF16. */
static int uses_dot(const struct dims *x, int isa)
{
	return x->pattern == PAT_24 && x->dt == NB_BF16 && isa_built(isa) >= NB_ISA_AVX512 &&
	       cpu_has_bf16_dot((enum nb_isa)isa, NULL);
}

static void run_part(void *arg, int tid, int nt)
{
	struct state *st = arg;
	long b, e;

	if (st->level == NB_ISA_PORTABLE) {
		pool_split(st->x.m, 1, tid, nt, &b, &e);
		portable_rows(st, b, e);
		return;
	}
#ifdef NB_HAVE_X86_KERNELS
	b = st->split[tid];
	e = st->split[tid + 1];
	if (b < e) {
		float *ws = st->ws + (size_t)tid * (size_t)ws_floats(&st->x);

#ifdef NB_HAVE_AVX512_KERNELS
		if (st->level >= NB_ISA_AVX512) {
			if (st->dot)
				spmm24_avx512bf16_run(&st->a, b, e, ws);
			else if (st->x.pattern == PAT_24)
				spmm24_avx512_run(&st->a, b, e, ws);
			else
				spmm_csr_avx512_run(&st->a, b, e, ws);
			return;
		}
#endif
		if (st->x.pattern == PAT_24)
			spmm24_avx2_run(&st->a, b, e, ws);
		else
			spmm_csr_avx2_run(&st->a, b, e, ws);
	}
#endif
}

static void touch_part(void *arg, int tid, int nt)
{
	struct state *st = arg;
	long n = ws_floats(&st->x), b, e;

	memset(st->ws + (size_t)tid * (size_t)n, 0, (size_t)n * sizeof(float));
	pool_split(st->x.m, 1, tid, nt, &b, &e);
	memset(st->c + b * st->x.n, 0, (size_t)(e - b) * (size_t)st->x.n * sizeof(float));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Exactly nnz distinct positions of the m x k grid, uniformly at random:
 * draw the missing number with replacement, sort, drop duplicates, repeat.
 * The procedure treats every position alike, so every set of nnz positions
 * is equally likely; work is O(nnz log nnz), not O(m k), and density <= 0.5
 * keeps the rounds few.  Sorted positions give ascending columns. */
static void gen_csr(struct state *st, struct nb_rng *r)
{
	const struct dims *x = &st->x;
	uint64_t cells = (uint64_t)x->m * (uint64_t)x->k;
	uint64_t *pos = xmalloc((size_t)(x->nnz + 1) * sizeof(*pos));
	long have = 0, q = 0;

	while (have < x->nnz) {
		long u = 0;

		for (long i = have; i < x->nnz; i++)
			pos[i] = (uint64_t)rng_range(r, 0, (int64_t)(cells - 1));
		qsort(pos, (size_t)x->nnz, sizeof(*pos), cmp_u64);
		for (long i = 0; i < x->nnz; i++)
			if (u == 0 || pos[i] != pos[u - 1])
				pos[u++] = pos[i];
		have = u;
	}
	st->row_ptr[0] = 0;
	for (long i = 0; i < x->m; i++) {
		while (q < x->nnz && pos[q] / (uint64_t)x->k == (uint64_t)i) {
			st->col[q] = (int32_t)(pos[q] % (uint64_t)x->k);
			put(st->aval, x->dt, q, rng_float(r));
			q++;
		}
		st->row_ptr[i + 1] = (int32_t)q;
	}
	free(pos);
}

static void gen_24(struct state *st, struct nb_rng *r)
{
	const struct dims *x = &st->x;

	for (long i = 0; i < x->m; i++)
		for (long g = 0; g < x->k / 4; g++) {
			int pick = (int)rng_range(r, 0, 5);
			uint8_t *byte = &st->meta[i * st->a.meta_ld + g / 2];
			unsigned nib = pairs24[pick][0] | (unsigned)pairs24[pick][1] << 2;

			*byte = (uint8_t)(g % 2 ? (*byte & 0x0f) | nib << 4 : (*byte & 0xf0) | nib);
			put(st->aval, x->dt, i * (x->k / 2) + 2 * g, rng_float(r));
			put(st->aval, x->dt, i * (x->k / 2) + 2 * g + 1, rng_float(r));
		}
}

/* Thread shares: 2:4 splits columns in panels of S24_NR; CSR splits rows
 * so that each thread gets about the same number of non-zeros. */
static void balance(struct state *st, int nt)
{
	const struct dims *x = &st->x;

	if (x->pattern == PAT_24) {
		for (int t = 0; t <= nt; t++) {
			long b, e;

			pool_split(x->n, S24_NR, t < nt ? t : nt - 1, nt, &b, &e);
			st->split[t] = t < nt ? b : e;
		}
		return;
	}
	st->split[0] = 0;
	for (int t = 1, i = 0; t < nt; t++) {
		/* Rows weigh their non-zeros plus a fixed cost per row. */
		double want = ((double)x->nnz + (double)x->m) * t / nt;

		while (i < x->m && (double)st->row_ptr[i] + i < want)
			i++;
		st->split[t] = i;
	}
	st->split[nt] = x->m;
}

static void free_state(struct state *st)
{
	nb_aligned_free(st->aval);
	nb_aligned_free(st->b);
	nb_aligned_free(st->meta);
	nb_aligned_free(st->bq);
	nb_aligned_free(st->row_ptr);
	nb_aligned_free(st->col);
	nb_aligned_free(st->c);
	nb_aligned_free(st->ws);
	free(st->split);
	free(st);
}

static int spmm_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct state *st = xcalloc(1, sizeof(*st));
	struct dims *x = &st->x;
	struct nb_rng rng;
	int nt = pool_threads(env->pool);
	size_t es;

	get_dims(c, x);
	es = esize(x->dt);
	if (nt > MAX_THREADS) {
		free(st);
		return error("spmm: at most %d threads, not %d", MAX_THREADS, nt);
	}
	st->pool = env->pool;
	st->level = isa_built(env->isa);
	st->dot = uses_dot(x, env->isa);
	st->aval = nb_aligned_alloc((size_t)x->nnz * es + 64);
	st->b = nb_aligned_alloc((size_t)x->k * (size_t)x->n * es);
	st->c = nb_aligned_alloc((size_t)x->m * (size_t)x->n * sizeof(float));
	st->ws = nb_aligned_alloc((size_t)nt * (size_t)ws_floats(x) * sizeof(float));
	st->a.meta_ld = (x->k / 4 + 1) / 2;
	if (x->pattern == PAT_24) {
		st->meta = nb_aligned_alloc((size_t)x->m * (size_t)st->a.meta_ld + 64);
	} else {
		st->row_ptr = nb_aligned_alloc((size_t)(x->m + 1) * sizeof(int32_t));
		st->col = nb_aligned_alloc((size_t)x->nnz * sizeof(int32_t) + 64);
	}
	if (st->dot)
		st->bq = nb_aligned_alloc((size_t)S24D_BQ_BYTES(x->k, x->n) + 64);
	if (!st->aval || !st->b || !st->c || !st->ws || (st->dot && !st->bq) ||
	    (x->pattern == PAT_24 ? !st->meta : !st->row_ptr || !st->col)) {
		free_state(st);
		return error_rank("spmm: cannot allocate the operands");
	}
	st->split = xcalloc((size_t)nt + 1, sizeof(long));
	if (st->meta)
		memset(st->meta, 0, (size_t)x->m * (size_t)st->a.meta_ld);
	rng_seed(&rng, env->seed, 1);
	if (x->pattern == PAT_24)
		gen_24(st, &rng);
	else
		gen_csr(st, &rng);
	rng_seed(&rng, env->seed, 2);
	for (long i = 0; i < x->k * x->n; i++)
		put(st->b, x->dt, i, rng_float(&rng));
	st->a = (struct spmm_args){ x->dt, x->m, x->n, x->k, st->b, st->c, st->aval, st->meta,
				    st->a.meta_ld, st->row_ptr, st->col, st->aval, st->bq };
	balance(st, nt);
	pool_run(st->pool, touch_part, st);
	*out = st;
	return 0;
}

static void spmm_execute(void *state)
{
	struct state *st = state;

	pool_run(st->pool, run_part, st);
}

/* Against a dense reference in double on every row of small cases and a
 * spread of rows of big ones: err = max |c - ref| / sum_p |a_ip b_pj|,
 * held to fp32 accumulation over the row's non-zeros. */
static int spmm_verify(void *state, struct nb_verify *v)
{
	struct state *st = state;
	const struct dims *x = &st->x;
	double *ref = xmalloc((size_t)x->n * sizeof(double)), *mag = xmalloc((size_t)x->n * sizeof(double));
	double cost = (double)x->nnz * (double)x->n, err = 0, maxnz = 0;
	long step = cost <= 3e7 ? 1 : (long)ceil(cost / 3e7);

	for (long idx = 0; idx < x->m; idx += step) {
		long i = step == 1 ? idx : (idx * 7919 + idx / step) % x->m, nz = 0;

		if (step > 1 && idx == 0)
			i = x->m - 1;
		for (long j = 0; j < x->n; j++)
			ref[j] = mag[j] = 0;
		FOR_ROW_NZ(st, i, {
			nz++;
			for (long j = 0; j < x->n; j++) {
				double t = (double)av * (double)val_f32(st->b, x->dt, p * x->n + j);

				ref[j] += t;
				mag[j] += fabs(t);
			}
		});
		if (nz > maxnz)
			maxnz = (double)nz;
		for (long j = 0; j < x->n; j++) {
			double e = fabs((double)st->c[i * x->n + j] - ref[j]);

			/* bf16: the dot-product kernel flushes denormals, the
			 * dense bf16 GEMM's absolute slack over the row's
			 * products (gemm.h). */
			if (x->dt == NB_BF16)
				e = e > GEMM_BF16_FLUSH(nz) ? e - GEMM_BF16_FLUSH(nz) : 0;
			e /= mag[j] + 1e-30;

			if (!(e <= err))
				err = isnan(e) ? INFINITY : e;
		}
	}
	free(ref);
	free(mag);
	v->max_err = err;
	v->tol = 2 * dtype_eps(NB_FP32) * (maxnz + 2);
	v->ok = err <= v->tol;
	snprintf(v->what, sizeof(v->what), "max |c-ref|/sum|a b| over %s rows, ref dense in double%s",
		 step == 1 ? "all" : "sampled", x->dt == NB_BF16 ? ", less nnz 2^-125" : "");
	return 0;
}

static void spmm_teardown(void *state)
{
	free_state(state);
}

static const char *spmm_impl(const struct nb_case *c, int isa)
{
	static const char *const names[NB_ISA_COUNT][2][3] = {
		{ { "spmm_24_fp16_c", "spmm_24_bf16_c", "spmm_24_fp32_c" },
		  { "spmm_csr_fp16_c", "spmm_csr_bf16_c", "spmm_csr_fp32_c" } },
		{ { "spmm_24_fp16_avx2_2x48", "spmm_24_bf16_avx2_2x48", "spmm_24_fp32_avx2_2x48" },
		  { "spmm_csr_fp16_avx2_1x64", "spmm_csr_bf16_avx2_1x64", "spmm_csr_fp32_avx2_1x64" } },
		{ { "spmm_24_fp16_avx512_4x64", "spmm_24_bf16_avx512_4x64", "spmm_24_fp32_avx512_4x64" },
		  { "spmm_csr_fp16_avx512_1x64", "spmm_csr_bf16_avx512_1x64", "spmm_csr_fp32_avx512_1x64" } },
	};
	int dt = c->v[P_DTYPE].i == NB_FP16 ? 0 : c->v[P_DTYPE].i == NB_BF16 ? 1 : 2;
	struct dims x;

	get_dims(c, &x);
	if (uses_dot(&x, isa))
		return "spmm_24_bf16_avx512bf16_32x8";
	return names[isa_built(isa)][c->v[P_PATTERN].i == PAT_CSR][dt];
}

/* What spmm_impl's choice computes with (info). */
static const char *spmm_why(const struct nb_case *c, int isa)
{
	int csr = c->v[P_PATTERN].i == PAT_CSR, fp32 = c->v[P_DTYPE].i == NB_FP32;
	struct dims x;

	get_dims(c, &x);
	if (uses_dot(&x, isa))
		return "avx512_bf16: vdpbf16ps on each group's kept pair, B's pair picked per row by vpshufb, fp32 accumulation";

	switch (isa_built(isa)) {
	case NB_ISA_PORTABLE:
		return isa > NB_ISA_PORTABLE ? "this build has no x86 kernels: portable C" : "portable C";
	case NB_ISA_AVX2:
		if (isa > NB_ISA_AVX2)
			return "this build has no AVX-512 kernels: AVX2 FMA";
		break;
	}
	if (csr)
		return fp32 ? "fp32 FMA over strips of 64 columns of B"
			    : "B converted exactly to fp32 per strip of 64 columns, FMA";
	if (!fp32 && x.dt == NB_BF16 && isa_built(isa) >= NB_ISA_AVX512 && !cpu_has_bf16_dot((enum nb_isa)isa, NULL))
		return "no avx512_bf16 on this CPU: B converted exactly to fp32 when packed, FMA";
	return fp32 ? "2-bit indices decoded, fp32 FMA against packed B"
		    : "B converted exactly to fp32 when packed, FMA";
}

static const struct nb_sweep sweep = { { "m", "n", "k" }, 256, 16384, "matrix size (m = n = k)" };

static const char *const test_cases[] = {
	"spmm m=1 n=1 k=4",
	"spmm m=37 n=45 k=36",
	"spmm m=100 n=70 k=200 dtype=bf16",
	"spmm m=7 n=131 k=260 dtype=fp32",
	/* Rows off the 4-row AVX-512 tile, several k blocks, columns past
	 * one S24_NC block. */
	"spmm m=6 n=49 k=516 dtype=bf16",
	"spmm m=3 n=2100 k=8 dtype=fp32",
	/* The AVX-512 FMA kernel (4 x 64 tiles, 96-row A blocks, 32-group
	 * k blocks, 2048-column B blocks): past one A block with a partial
	 * tile, a last k block of two groups, a partial panel; a C block
	 * past 2048 columns with rows off the tile. */
	"spmm m=101 n=70 k=264",
	"spmm m=5 n=2113 k=132 dtype=fp32",
	/* bf16 at AVX512_BF16 (32 x 8 tiles, S24D_MC = 96, S24D_KC = 128):
	 * rows off the tile, a partial last column panel, a last k block of
	 * one group; past one 96-row A block with a short k block of two
	 * groups; one element of three groups. */
	"spmm m=13 n=500 k=260 dtype=bf16",
	"spmm m=105 n=97 k=136 dtype=bf16",
	"spmm m=1 n=1 k=12 dtype=bf16",
	"spmm pattern=csr m=37 n=45 k=50 density=0.5",
	"spmm pattern=csr m=9 n=200 k=70 density=0.3 dtype=fp16",
	"spmm pattern=csr m=37 n=130 k=50 density=0.001 dtype=fp16",
	"spmm pattern=csr m=60 n=65 k=300 density=0.2 dtype=bf16",
	"spmm pattern=csr m=1 n=3 k=1 density=0.5 dtype=fp32",
	NULL,
};

const struct nb_kernel nb_kernel_spmm = {
	.name = "spmm",
	.summary = "sparse x dense matmul: 2:4 structured (compressed) or CSR, fp32 accumulation",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.check = spmm_check,
	.work = spmm_work,
	.shape = spmm_shape,
	.label_omit = "density@pattern=2:4 impl=auto timing=device",
	.sweep = &sweep,
	.test_cases = test_cases,
	.host_bytes = spmm_host_bytes,
	.setup = spmm_setup,
	.execute = spmm_execute,
	.verify = spmm_verify,
	.teardown = spmm_teardown,
	.impl = spmm_impl,
	.impl_why = spmm_why,
	.info_vary = "pattern",
};
