/* gemm: C = A B, row-major, A m x k, B k x n, in fp32, fp16, bf16 (fp32
 * accumulation and C), int8 and int4 (int32 accumulation and C).
 *
 * The framework (this file) is BLIS's: it blocks for the caches (sizes from
 * cpu_detect(), never this machine's numbers), packs (converting fp16/bf16
 * to fp32 and int8/int4 to int16 pairs while packing, so conversion is paid
 * once per panel), threads over the pool and calls MR x NR micro-kernels
 * that only compute.  Small m (GEMV-like, bandwidth-bound) takes a path
 * that streams B in place instead of packing it.  Storage formats, the
 * int4 nibble order and the packed layouts are documented in gemm.h. */
#include "config.h"

#include "kernels/gemm.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/util.h"

enum { P_DTYPE, P_M, P_N, P_K, P_ROUND, P_IMPL, P_TIMING, P_FP8, P_FP8_SCALE };

#define GEMM_MAX_DIM (1L << 20)
/* Largest element count of any one matrix (2^34: 64 GiB of fp32). */
#define GEMM_MAX_ELEMS (1.0 * (1L << 34))
/* int32 sums stay exact while k * 128 * 128 < 2^31. */
#define GEMM_MAX_K_INT8 131071L
/* Above this many multiply-adds, verify() checks sampled rows and columns. */
#define GEMM_FULL_VERIFY (1.0 * (1L << 27))
#define GEMM_SAMPLES 4

static const struct nb_param_desc params[] = {
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp32", "fp32|fp16|bf16|fp8|int8|int4", 0, 0,
		      "input type; fp16/bf16/fp8 accumulate in fp32, int8/int4 in int32; "
		      "fp8 on chips only" },
	[P_M] = { "m", NB_P_INT, "1024", NULL, 1, GEMM_MAX_DIM, "rows of A and C" },
	[P_N] = { "n", NB_P_INT, "1024", NULL, 1, GEMM_MAX_DIM, "columns of B and C" },
	[P_K] = { "k", NB_P_INT, "1024", NULL, 1, GEMM_MAX_DIM, "columns of A, rows of B" },
	[P_ROUND] = { "round", NB_P_BOOL, "0", NULL, 0, 1,
		      "fp16/bf16: round C to the input format (C stored at 2 bytes)" },
	[P_IMPL] = NB_PARAM_IMPL,
	[P_TIMING] = NB_PARAM_TIMING,
	[P_FP8] = NB_PARAM_FP8,
	[P_FP8_SCALE] = NB_PARAM_FP8_SCALE,
};

static int gemm_check(const struct nb_case *c, char *msg, size_t msglen)
{
	enum nb_dtype dt = (enum nb_dtype)c->v[P_DTYPE].i;
	double m = (double)c->v[P_M].i, n = (double)c->v[P_N].i, k = (double)c->v[P_K].i;

	if (m * k > GEMM_MAX_ELEMS || k * n > GEMM_MAX_ELEMS || m * n > GEMM_MAX_ELEMS) {
		snprintf(msg, msglen, "gemm m=%.0f n=%.0f k=%.0f: a matrix exceeds 2^34 elements",
			 m, n, k);
		return -1;
	}
	if (gemm_is_int(dt) && k > GEMM_MAX_K_INT8) {
		snprintf(msg, msglen, "gemm dtype=%s k=%.0f: int32 sums may overflow above k=%ld",
			 dtype_name(dt), k, GEMM_MAX_K_INT8);
		return -1;
	}
	if (case_check_fp8(c, msg, msglen))
		return -1;
	if (c->v[P_ROUND].i && dt != NB_FP16 && dt != NB_BF16) {
		snprintf(msg, msglen, "gemm dtype=%s: round=1 needs dtype fp16 or bf16",
			 dtype_name(dt));
		return -1;
	}
	return 0;
}

static void gemm_work(const struct nb_case *c, struct nb_work *w)
{
	enum nb_dtype dt = (enum nb_dtype)c->v[P_DTYPE].i;
	long m = (long)c->v[P_M].i, n = (long)c->v[P_N].i, k = (long)c->v[P_K].i;
	int cbytes = c->v[P_ROUND].i ? 2 : 4;

	memset(w, 0, sizeof(*w));
	w->ops = 2.0 * (double)m * (double)n * (double)k;
	w->bytes = gemm_mat_bytes(dt, m, k) + gemm_mat_bytes(dt, k, n) + (double)m * (double)n * cbytes;
	w->unit = dtype_is_int(dt) ? "OP/s" : "FLOP/s";
}

static void gemm_shape(const struct nb_case *c, struct nb_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_GEMM;
	s->dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	s->batch = 1;
	s->m = c->v[P_M].i;
	s->n = c->v[P_N].i;
	s->k = c->v[P_K].i;
	s->sparsity = NB_SPARSE_NONE;
}

const struct gemm_impl *gemm_impl_for(enum nb_dtype dt, int isa)
{
#ifdef NB_HAVE_AVX512_KERNELS
	if (isa >= NB_ISA_AVX512 && gemm_avx512_impl(dt)
	    && (dt != NB_BF16 || cpu_has_bf16_dot((enum nb_isa)isa, NULL))
	    && (!gemm_is_int(dt) || cpu_has_int8_dot((enum nb_isa)isa, NULL)))
		return gemm_avx512_impl(dt);
#endif
#ifdef NB_HAVE_X86_KERNELS
	if (isa >= NB_ISA_AVX2 && gemm_avx2_impl(dt))
		return gemm_avx2_impl(dt);
#else
	(void)isa;
#endif
	return gemm_ref_impl(dt);
}

/* Cache blocking, derived from the detected caches. */
struct gemm_blocking {
	long kc, mc, nc;	/* kc: k per packed block (even); mc, nc: rows, columns */
	size_t apack, bpack;	/* bytes of one thread's packed A block and B panel */
};

static long round_down(long x, long to)
{
	return x / to * to;
}

static long clampl(long x, long lo, long hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* The 6x16 kernels (portable, AVX2): B's NR-wide micro-panel (kc x NR)
 * fills half of L1; A's block (mc x kc) a quarter of L2; B's panel
 * (kc x nc) a quarter of L3 per thread.
 *
 * The wider AVX-512 tiles: C is read and written once per k block, and
 * with kc from the L1 rule (128-256 k) that traffic, not the arithmetic,
 * bounded the bf16 and int8 kernels (about 70% of the dot-product peak at
 * 2048^3 on Zen 5).  So kc is as long as L2 allows: B's micro-panel at an
 * eighth of L2 and A's block at a third of it, both streamed from L2 by the
 * hardware prefetchers (B is reused across A's micro-panels from L2, not
 * L1).  Not when m is a few tiles: then C is small, B is read by only a
 * few micro-kernels per panel, and a long B block (kc x nc) falling out of
 * L2 costs more than C's traffic saves, so the L1 rule stays.  Sizes in
 * the implementation's packed element (eb bytes of B). */
static void gemm_blocking(const struct gemm_impl *im, enum nb_dtype dt, long m, long n, long k,
			  int nthreads, struct gemm_blocking *bl)
{
	const struct nb_cpu *cpu = cpu_detect();
	int narrow = im->mr == GEMM_MR && im->nr == GEMM_NR;
	/* The 6x16 kernels keep the sizes they were tuned with (4-byte floats,
	 * 2-byte integers); the wider tiles use their packed element size. */
	long es = narrow ? (gemm_is_int(dt) ? 2 : 4) : im->eb > im->ea ? im->eb : im->ea;
	long l1 = cpu->l1d > 0 ? cpu->l1d : 32768;
	long l2 = cpu->l2 > 0 ? cpu->l2 : 262144;
	long l3 = cpu->l3 > 0 ? cpu->l3 : 4L << 20;
	long mr = im->mr, nr = im->nr, kc, mc, nc;

	if (narrow || m < 4 * mr)
		kc = clampl(round_down(l1 / 2 / (nr * es), 16), 64, 2048);
	else
		kc = clampl(round_down(l2 / 8 / (nr * es), 16), 64, 4096);
	if (kc > k)
		kc = (k + 3) / 4 * 4;
	mc = clampl(round_down(l2 / (narrow || m < 4 * mr ? 4 : 3) / (kc * es), mr), mr, 4096 / mr * mr);
	if (mc > m)
		mc = (m + mr - 1) / mr * mr;
	nc = clampl(round_down(l3 / 4 / nthreads / (kc * es), nr), nr, 16384 / nr * nr);
	if (nc > n)
		nc = (n + nr - 1) / nr * nr;
	bl->kc = kc;
	bl->mc = mc;
	bl->nc = nc;
	/* Sized for the widest packed element (4 bytes) plus per-panel extras. */
	bl->apack = (size_t)mc * (size_t)kc * 4;
	bl->bpack = (size_t)nc * (size_t)kc * 4 + (size_t)(nc / nr) * (size_t)(im->bextra > 64 ? im->bextra : 64);
}

/* One GEMM ready to run: inputs, output, blocking and per-thread buffers,
 * all allocated before the timed region. */
struct gemm_run {
	const struct gemm_impl *impl;
	struct nb_pool *pool;
	enum nb_dtype dt;
	long m, n, k;
	struct gemm_mat a, b;
	void *c;
	int small;
	int shared;		/* threads share packed B blocks (run_shared) */
	atomic_long ticket;	/* run_shared: the next row block to hand out */
	struct gemm_blocking bl;
	int nthreads;
	void **apack, **bpack;	/* per thread */
	void *aprep;		/* small path: A converted */
	struct gemm_small sm;
};

/* m at or below the implementation's small_m takes the small-m
 * (GEMV-like) path, where B streams in place instead of being packed. */
static int small_path(const struct gemm_impl *im, long m, int force)
{
	return force >= 0 ? force : m <= im->small_m;
}

/* Shared packing (run_shared) when every thread gets at least 4 tiles'
 * rows of C; with fewer rows the threads split the columns, each packing
 * its own B (run_private). */
static int shared_mode(const struct gemm_impl *im, long m, int nthreads)
{
	return nthreads > 1 && m >= 4L * im->mr * nthreads;
}

/* The blocking of a packed run: a shared B block is sized for one thread. */
static void run_blocking(const struct gemm_impl *im, enum nb_dtype dt, long m, long n, long k,
			 int nthreads, struct gemm_blocking *bl)
{
	gemm_blocking(im, dt, m, n, k, shared_mode(im, m, nthreads) ? 1 : nthreads, bl);
}

static size_t small_prep_bytes(enum nb_dtype dt, long m, long k)
{
	return gemm_is_int(dt) ? (size_t)m * (size_t)((k + 1) / 2) * 4 : (size_t)m * (size_t)k * 4;
}

static void run_free(struct gemm_run *r)
{
	if (r->apack)
		for (int t = 0; t < r->nthreads; t++)
			nb_aligned_free(r->apack[t]);
	if (r->bpack)
		for (int t = 0; t < r->nthreads; t++)
			nb_aligned_free(r->bpack[t]);
	free(r->apack);
	free(r->bpack);
	nb_aligned_free(r->aprep);
	r->apack = r->bpack = NULL;
	r->aprep = NULL;
}

/* Everything of a run but its buffers. */
static void run_setup(struct gemm_run *r, const struct gemm_impl *impl, struct nb_pool *pool,
		      enum nb_dtype dt, long m, long n, long k, const void *a, const void *b, void *c,
		      int force_small)
{
	const struct nb_cpu *cpu = cpu_detect();

	memset(r, 0, sizeof(*r));
	r->impl = impl;
	r->pool = pool;
	r->dt = dt;
	r->m = m;
	r->n = n;
	r->k = k;
	r->a = (struct gemm_mat){ a, dt, gemm_ld(dt, k) };
	r->b = (struct gemm_mat){ b, dt, gemm_ld(dt, n) };
	r->c = c;
	r->nthreads = pool_threads(pool);
	r->small = small_path(impl, m, force_small);
	if (r->small) {
		long l1 = cpu->l1d > 0 ? cpu->l1d : 32768;

		r->sm.dt = dt;
		r->sm.m = m;
		r->sm.n = n;
		r->sm.k = k;
		r->sm.b = r->b;
		r->sm.c = c;
		r->sm.nb = clampl(round_down(l1 / 2 / (m * 4), 16), 64, GEMM_MAX_DIM);
		r->sm.prefetch = gemm_mat_bytes(dt, k, n) > (cpu->l2 > 0 ? cpu->l2 : 262144);
		return;
	}
	r->shared = shared_mode(impl, m, r->nthreads);
	run_blocking(impl, dt, m, n, k, r->nthreads, &r->bl);
}

static int run_init(struct gemm_run *r, const struct gemm_impl *impl, struct nb_pool *pool,
		    enum nb_dtype dt, long m, long n, long k, const void *a, const void *b, void *c,
		    int force_small)
{
	run_setup(r, impl, pool, dt, m, n, k, a, b, c, force_small);
	if (r->small) {
		r->aprep = nb_aligned_alloc(small_prep_bytes(dt, m, k));
		if (!r->aprep)
			goto fail;
		r->sm.ap = r->aprep;
		return 0;
	}
	r->apack = xcalloc((size_t)r->nthreads, sizeof(void *));
	r->bpack = xcalloc((size_t)r->nthreads, sizeof(void *));
	for (int t = 0; t < r->nthreads; t++) {
		r->apack[t] = nb_aligned_alloc(r->bl.apack);
		r->bpack[t] = nb_aligned_alloc(r->bl.bpack);
		if (!r->apack[t] || !r->bpack[t])
			goto fail;
	}
	return 0;
fail:
	run_free(r);
	return error_rank("gemm: cannot allocate packing buffers for m=%ld n=%ld k=%ld", m, n, k);
}

/* Private mode: the thread's block of C, columns when there are enough of
 * them for every thread, rows otherwise. */
static void thread_range(const struct gemm_run *r, int tid, int nt, long *i0, long *i1,
			 long *j0, long *j1)
{
	long mr = r->impl->mr, nr = r->impl->nr;

	if (r->n >= 4L * nr * nt || r->m < mr * nt) {
		*i0 = 0;
		*i1 = r->m;
		pool_split(r->n, nr, tid, nt, j0, j1);
	} else {
		*j0 = 0;
		*j1 = r->n;
		pool_split(r->m, mr, tid, nt, i0, i1);
	}
}

/* One packed k block's sizes: k steps of the micro-kernel (k, pairs or
 * quads) and the bytes of one A and one B micro-panel. */
struct kblock {
	long kc, kstep;
	size_t apanel, bpanel;
};

static void kblock_at(const struct gemm_run *r, long pc, struct kblock *kb)
{
	const struct gemm_impl *im = r->impl;

	kb->kc = r->k - pc < r->bl.kc ? r->k - pc : r->bl.kc;
	kb->kstep = (kb->kc + im->kgran - 1) / im->kgran;
	kb->apanel = (size_t)(im->mr * kb->kstep * im->kgran * im->ea);
	kb->bpanel = (size_t)(im->nr * kb->kstep * im->kgran * im->eb + im->bextra);
}

/* The two loops around the micro-kernel: packed A block (rows ic..ic+mc)
 * times packed B block (columns jc..jc+nc) into C, accumulating when ACC. */
static void macro_kernel(const struct gemm_run *r, const struct kblock *kb, const void *ap,
			 const void *bp, long ic, long mc, long jc, long nc, int acc)
{
	const struct gemm_impl *im = r->impl;
	int isint = gemm_is_int(r->dt);
	long ldc = r->n, MR = im->mr, NR = im->nr;
	char *cbase = r->c;
	union {
		int32_t i[GEMM_MAX_TILE];
		float f[GEMM_MAX_TILE];
	} edge __attribute__((aligned(64)));

	for (long jr = 0; jr < nc; jr += NR) {
		const char *bpan = (const char *)bp + (size_t)(jr / NR) * kb->bpanel;
		long nr = nc - jr < NR ? nc - jr : NR;

		for (long ir = 0; ir < mc; ir += MR) {
			const char *apan = (const char *)ap + (size_t)(ir / MR) * kb->apanel;
			long mr = mc - ir < MR ? mc - ir : MR;
			char *ct = cbase + ((ic + ir) * ldc + jc + jr) * 4;

			if (mr == MR && nr == NR) {
				im->ukr(kb->kstep, apan, bpan, ct, ldc, acc);
				continue;
			}
			/* Edge tile: full tile into a buffer, valid part out. */
			im->ukr(kb->kstep, apan, bpan, &edge, NR, 0);
			for (long x = 0; x < mr; x++)
				for (long y = 0; y < nr; y++) {
					if (isint) {
						int32_t *d = (int32_t *)ct + x * ldc + y;
						*d = acc ? *d + edge.i[x * NR + y] : edge.i[x * NR + y];
					} else {
						float *d = (float *)ct + x * ldc + y;
						float e = edge.f[x * NR + y];
						*d = acc ? *d + e : e;
					}
				}
		}
	}
}

/* Private mode: the five BLIS loops over the thread's own block of C, with
 * its own packed A and B. */
static void run_private(struct gemm_run *r, int tid, int nt)
{
	const struct gemm_impl *im = r->impl;
	long i0, i1, j0, j1;
	void *ap = r->apack[tid], *bp = r->bpack[tid];

	thread_range(r, tid, nt, &i0, &i1, &j0, &j1);
	for (long jc = j0; jc < j1; jc += r->bl.nc) {
		long nc = j1 - jc < r->bl.nc ? j1 - jc : r->bl.nc;

		for (long pc = 0; pc < r->k; pc += r->bl.kc) {
			struct kblock kb;

			kblock_at(r, pc, &kb);
			im->pack_b(&r->b, pc, kb.kc, jc, nc, r->k, bp);
			/* A stop is seen between macro-blocks (milliseconds of work
			 * each), never inside the micro-kernel loops. */
			for (long ic = i0; ic < i1 && !nb_abandon; ic += r->bl.mc) {
				long mc = i1 - ic < r->bl.mc ? i1 - ic : r->bl.mc;

				im->pack_a(&r->a, ic, mc, pc, kb.kc, r->k, ap);
				macro_kernel(r, &kb, ap, bp, ic, mc, jc, nc, pc > 0);
			}
		}
	}
}

/* Shared mode's row blocks, in order: mc rows while there are many, then
 * a quarter of what is left per thread (in whole tiles), so that the
 * threads finish a B block within a tile or two of each other.  Item IDX's
 * first row and row count; returns 0 past the last item. */
static int row_item(const struct gemm_run *r, long idx, long *ic, long *mc)
{
	long mr = r->impl->mr, at = 0, len = 0;

	for (long i = 0; i <= idx; i++, at += len) {
		long left = r->m - at;

		if (left <= 0)
			return 0;
		len = (left / (2L * r->nthreads) + mr - 1) / mr * mr;
		len = len > r->bl.mc ? r->bl.mc : len < mr ? mr : len;
		len = len > left ? left : len;
		if (i == idx)
			break;
	}
	*ic = at;
	*mc = len;
	return 1;
}

/* Shared mode (BLIS's): the threads pack each B block (kc x nc) together,
 * one share of its micro-panels each, into one buffer, then compute all
 * rows of C against it, each packing the A blocks (mc rows) it computes.
 * So A and B are each packed once, not once per thread, and nc is sized for
 * the one B block.  The row blocks (row_item) are handed out in order from
 * one counter over the whole run (block b's tickets, then block b + 1's): a
 * thread that a loaded machine preempts is covered by the others within
 * the block, not waited for.  A thread that draws a ticket of a later
 * block keeps it for that block.  The B blocks alternate between two
 * buffers, so one barrier per block suffices: a thread packing block b + 1
 * may run beside another still computing block b, and all have left block
 * b - 1 (the other buffer) before anyone passes the barrier of block b.
 * Every thread passes every barrier, also after a stop (nb_abandon skips
 * the work). */
static void run_shared(struct gemm_run *r, int tid, int nt)
{
	const struct gemm_impl *im = r->impl;
	long blk = 0, first = 0, ticket = -1, per = 0, ic, mc;
	void *ap = r->apack[tid];

	while (row_item(r, per, &ic, &mc))	/* row blocks per B block */
		per++;

	for (long jc = 0; jc < r->n; jc += r->bl.nc) {
		long nc = r->n - jc < r->bl.nc ? r->n - jc : r->bl.nc;

		for (long pc = 0; pc < r->k; pc += r->bl.kc, blk++, first += per) {
			char *bp = r->bpack[blk & 1];
			struct kblock kb;
			long b0, b1;

			kblock_at(r, pc, &kb);
			pool_split(nc, im->nr, tid, nt, &b0, &b1);
			if (b0 < b1 && !nb_abandon)
				im->pack_b(&r->b, pc, kb.kc, jc + b0, b1 - b0, r->k,
					   bp + (size_t)(b0 / im->nr) * kb.bpanel);
			pool_barrier(r->pool);
			while (!nb_abandon) {
				if (ticket < 0)
					ticket = atomic_fetch_add_explicit(&r->ticket, 1, memory_order_relaxed);
				if (ticket >= first + per)
					break;	/* a later block's */
				row_item(r, ticket - first, &ic, &mc);
				ticket = -1;
				im->pack_a(&r->a, ic, mc, pc, kb.kc, r->k, ap);
				macro_kernel(r, &kb, ap, bp, ic, mc, jc, nc, pc > 0);
			}
		}
	}
}

static void run_thread(void *arg, int tid, int nt)
{
	struct gemm_run *r = arg;

	if (r->small) {
		long j0, j1;

		pool_split(r->n, 16, tid, nt, &j0, &j1);
		if (j0 < j1)
			r->impl->small(&r->sm, j0, j1);
		return;
	}
	if (r->shared)
		run_shared(r, tid, nt);
	else
		run_private(r, tid, nt);
}

static void run_exec(struct gemm_run *r)
{
	if (r->small)
		gemm_small_prep_a(&r->a, r->m, r->k, r->aprep);
	atomic_store(&r->ticket, 0);
	pool_run(r->pool, run_thread, r);
}

int gemm_compute(const struct gemm_impl *impl, struct nb_pool *pool, enum nb_dtype dt,
		 long m, long n, long k, const void *a, const void *b, void *c, int small)
{
	struct gemm_run r;

	if (run_init(&r, impl, pool, dt, m, n, k, a, b, c, small) < 0)
		return -1;
	run_exec(&r);
	run_free(&r);
	return 0;
}

/* Grows buffer *P to N bytes (kept when already that large). */
static int ws_grow(void **p, size_t *have, size_t n)
{
	if (*have >= n)
		return 0;
	nb_aligned_free(*p);
	*have = 0;
	if (!(*p = nb_aligned_alloc(n)))
		return -1;
	*have = n;
	return 0;
}

int gemm_compute_ws(struct gemm_ws *ws, const struct gemm_impl *impl, struct nb_pool *pool, enum nb_dtype dt,
		    long m, long n, long k, const void *a, const void *b, long ldb, void *c)
{
	struct gemm_run r;

	run_setup(&r, impl, pool, dt, m, n, k, a, b, c, -1);
	if (ldb > 0)
		r.b.ld = r.sm.b.ld = ldb;
	if (!ws->apack) {
		ws->nthreads = r.nthreads;
		ws->apack = xcalloc((size_t)r.nthreads, sizeof(void *));
		ws->bpack = xcalloc((size_t)r.nthreads, sizeof(void *));
		ws->asz = xcalloc((size_t)r.nthreads, sizeof(size_t));
		ws->bsz = xcalloc((size_t)r.nthreads, sizeof(size_t));
	}
	if (ws->nthreads != r.nthreads)
		die("internal error: a GEMM workspace used with pools of %d and %d threads", ws->nthreads,
		    r.nthreads);
	if (r.small) {
		if (ws_grow(&ws->aprep, &ws->psz, small_prep_bytes(dt, m, k)))
			return error_rank("gemm: cannot allocate for m=%ld n=%ld k=%ld", m, n, k);
		r.aprep = ws->aprep;
		r.sm.ap = ws->aprep;
	} else {
		for (int t = 0; t < r.nthreads; t++)
			if (ws_grow(&ws->apack[t], &ws->asz[t], r.bl.apack) ||
			    ws_grow(&ws->bpack[t], &ws->bsz[t], r.bl.bpack))
				return error_rank("gemm: cannot allocate packing buffers for m=%ld n=%ld k=%ld",
						  m, n, k);
		r.apack = ws->apack;
		r.bpack = ws->bpack;
	}
	run_exec(&r);
	return 0;
}

void gemm_ws_free(struct gemm_ws *ws)
{
	for (int t = 0; ws->apack && t < ws->nthreads; t++) {
		nb_aligned_free(ws->apack[t]);
		nb_aligned_free(ws->bpack[t]);
	}
	free(ws->apack);
	free(ws->bpack);
	free(ws->asz);
	free(ws->bsz);
	nb_aligned_free(ws->aprep);
	memset(ws, 0, sizeof(*ws));
}

/* The kernel descriptor's state. */
struct state {
	struct gemm_run run;
	void *a, *b, *c;
	uint16_t *c16;		/* round=1: C rounded to the input format */
	int round;
};

static size_t packing_bytes(enum nb_dtype dt, long m, long n, long k, int nthreads)
{
	struct gemm_blocking bl, bl2;
	size_t packed;

	/* The larger of the two paths and of the portable and dispatched
	 * tiles (the ISA of the run is not known here). */
	run_blocking(gemm_ref_impl(dt), dt, m, n, k, nthreads, &bl);
	run_blocking(gemm_impl_for(dt, cpu_detect()->isa), dt, m, n, k, nthreads, &bl2);
	if (bl2.apack + bl2.bpack > bl.apack + bl.bpack)
		bl = bl2;
	packed = (bl.apack + bl.bpack) * (size_t)nthreads;
	return packed > small_prep_bytes(dt, m, k) ? packed : small_prep_bytes(dt, m, k);
}

static double gemm_host_bytes(const struct nb_case *c)
{
	enum nb_dtype dt = (enum nb_dtype)c->v[P_DTYPE].i;
	long m = (long)c->v[P_M].i, n = (long)c->v[P_N].i, k = (long)c->v[P_K].i;
	int nt = cpu_detect()->online_cpus > 0 ? cpu_detect()->online_cpus : 1;

	return gemm_mat_bytes(dt, m, k) + gemm_mat_bytes(dt, k, n) + (double)m * (double)n * 4
	       + (c->v[P_ROUND].i ? (double)m * (double)n * 2 : 0)
	       + (double)packing_bytes(dt, m, n, k, nt);
}

/* Fills an r x c matrix at storage format: floats uniform on [-1, 1)
 * (rounded to the format), integers uniform over the format's range. */
static void fill(struct nb_rng *g, enum nb_dtype dt, long rows, long cols, void *p)
{
	long ld = gemm_ld(dt, cols);

	for (long i = 0; i < rows; i++)
		for (long j = 0; j < cols; j++) {
			switch (dt) {
			case NB_FP16:
				((uint16_t *)p)[i * ld + j] = nb_f32_to_fp16(rng_float(g));
				break;
			case NB_BF16:
				((uint16_t *)p)[i * ld + j] = nb_f32_to_bf16(rng_float(g));
				break;
			case NB_INT8:
				((int8_t *)p)[i * ld + j] = (int8_t)rng_range(g, -128, 127);
				break;
			case NB_INT4: {
				uint8_t *byte = (uint8_t *)p + i * ld + j / 2;
				int v = (int)rng_range(g, -8, 7) & 15;

				*byte = (j & 1) ? (uint8_t)((*byte & 15) | (v << 4)) : (uint8_t)v;
				break;
			}
			default:
				((float *)p)[i * ld + j] = rng_float(g);
				break;
			}
		}
}

static int gemm_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	enum nb_dtype dt = (enum nb_dtype)c->v[P_DTYPE].i;
	long m = (long)c->v[P_M].i, n = (long)c->v[P_N].i, k = (long)c->v[P_K].i;
	struct state *s = xcalloc(1, sizeof(*s));
	struct nb_rng g;

	s->round = (int)c->v[P_ROUND].i;
	s->a = nb_aligned_alloc((size_t)gemm_mat_bytes(dt, m, k) + 1);
	s->b = nb_aligned_alloc((size_t)gemm_mat_bytes(dt, k, n) + 1);
	s->c = nb_aligned_alloc((size_t)m * (size_t)n * 4);
	if (s->round)
		s->c16 = nb_aligned_alloc((size_t)m * (size_t)n * 2);
	if (!s->a || !s->b || !s->c || (s->round && !s->c16)) {
		nb_aligned_free(s->a);
		nb_aligned_free(s->b);
		nb_aligned_free(s->c);
		nb_aligned_free(s->c16);
		free(s);
		return error_rank("gemm: cannot allocate A, B and C for m=%ld n=%ld k=%ld", m, n, k);
	}
	rng_seed(&g, env->seed, 1);
	fill(&g, dt, m, k, s->a);
	rng_seed(&g, env->seed, 2);
	fill(&g, dt, k, n, s->b);
	memset(s->c, 0, (size_t)m * (size_t)n * 4);
	if (run_init(&s->run, gemm_impl_for(dt, env->isa), env->pool, dt, m, n, k, s->a, s->b, s->c,
		     -1) < 0) {
		nb_aligned_free(s->a);
		nb_aligned_free(s->b);
		nb_aligned_free(s->c);
		nb_aligned_free(s->c16);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* round=1: converts each thread's share of C to the input format. */
static void round_part(void *arg, int tid, int nt)
{
	struct state *s = arg;
	long total = s->run.m * s->run.n, b, e;
	const float *c = s->c;

	pool_split(total, 64, tid, nt, &b, &e);
	if (s->run.dt == NB_FP16)
		for (long i = b; i < e; i++)
			s->c16[i] = nb_f32_to_fp16(c[i]);
	else
		for (long i = b; i < e; i++)
			s->c16[i] = nb_f32_to_bf16(c[i]);
}

static void gemm_execute(void *state)
{
	struct state *s = state;

	run_exec(&s->run);
	if (s->round)
		pool_run(s->run.pool, round_part, s);
}

/* Rows and columns verify() checks: all of them for small problems, a
 * spread (first, last, between) otherwise. */
static int sample(long total, int full, long idx[GEMM_SAMPLES], long *count)
{
	if (full) {
		*count = total;
		return 1;
	}
	*count = total < GEMM_SAMPLES ? total : GEMM_SAMPLES;
	for (long i = 0; i < *count; i++)
		idx[i] = *count == 1 ? 0 : i * (total - 1) / (*count - 1);
	return 0;
}

/* Compares C[i][j] with the reference: exact for integers; for floats
 * |c - ref| / sum |a||b| in double, the error of an fp32 dot product. */
static void check_elem(const struct state *s, long i, long j, double *err)
{
	const struct gemm_run *r = &s->run;
	double e;

	if (gemm_is_int(r->dt)) {
		int64_t ref = 0;

		for (long p = 0; p < r->k; p++)
			ref += (int64_t)gemm_get_i(&r->a, i, p) * gemm_get_i(&r->b, p, j);
		e = fabs((double)(((int32_t *)s->c)[i * r->n + j] - ref));
	} else {
		double ref = 0, mag = 0, got;

		for (long p = 0; p < r->k; p++) {
			double x = (double)gemm_get_f(&r->a, i, p) * gemm_get_f(&r->b, p, j);

			ref += x;
			mag += fabs(x);
		}
		if (s->round)
			got = r->dt == NB_FP16 ? nb_fp16_to_f32(s->c16[i * r->n + j])
					       : nb_bf16_to_f32(s->c16[i * r->n + j]);
		else
			got = ((float *)s->c)[i * r->n + j];
		/* bf16: the AVX-512 dot product flushes denormal inputs and sums
		 * to zero, at most 3 flushes of <= 2^-126 (|a|, |b| <= 1) per
		 * pair: an absolute slack of k 2^-125 (gemm-avx512.c). */
		e = fabs(got - ref);
		if (r->dt == NB_BF16)
			e = e > GEMM_BF16_FLUSH(r->k) ? e - GEMM_BF16_FLUSH(r->k) : 0;
		e /= mag > 0 ? mag : 1.0;
	}
	if (!(e <= *err))	/* NaN counts as failure */
		*err = isnan(e) ? INFINITY : e;
}

static int gemm_verify(void *state, struct nb_verify *v)
{
	struct state *s = state;
	const struct gemm_run *r = &s->run;
	int full = (double)r->m * r->n * r->k <= GEMM_FULL_VERIFY;
	long rows[GEMM_SAMPLES], cols[GEMM_SAMPLES], nr, ncol;
	double err = 0;

	sample(r->m, full, rows, &nr);
	sample(r->n, full, cols, &ncol);
	if (full) {
		for (long i = 0; i < r->m; i++)
			for (long j = 0; j < r->n; j++)
				check_elem(s, i, j, &err);
	} else {
		for (long x = 0; x < nr; x++)
			for (long j = 0; j < r->n; j++)
				check_elem(s, rows[x], j, &err);
		for (long y = 0; y < ncol; y++)
			for (long i = 0; i < r->m; i++)
				check_elem(s, i, cols[y], &err);
	}
	v->max_err = err;
	if (gemm_is_int(r->dt)) {
		v->tol = 0;
		snprintf(v->what, sizeof(v->what), "max |c-ref|, exact int64 ref%s",
			 full ? "" : ", 4 rows+4 cols sampled");
	} else {
		/* fp32 accumulation of products exact in fp32: k + 2 roundings. */
		v->tol = (double)(r->k + 2) * dtype_eps(NB_FP32)
			 + (s->round ? dtype_eps(r->dt) : 0);
		snprintf(v->what, sizeof(v->what), "max |c-ref|/sum|a||b|, fp64 ref, tol (k+2)u32%s%s%s",
			 s->round ? "+u" : "", r->dt == NB_BF16 ? "+k2^-125" : "",
			 full ? "" : "; 4 rows+4 cols sampled");
	}
	v->ok = err <= v->tol;
	return 0;
}

static void gemm_teardown(void *state)
{
	struct state *s = state;

	run_free(&s->run);
	nb_aligned_free(s->a);
	nb_aligned_free(s->b);
	nb_aligned_free(s->c);
	nb_aligned_free(s->c16);
	free(s);
}

static const char *gemm_impl_name(const struct nb_case *c, int isa)
{
	const struct gemm_impl *im = gemm_impl_for((enum nb_dtype)c->v[P_DTYPE].i, isa);

	return small_path(im, (long)c->v[P_M].i, -1) ? im->small_name : im->name;
}

/* What gemm_impl_name's choice computes with, and why not the AVX-512
 * kernel where the level has one (info). */
static const char *gemm_why(const struct nb_case *c, int isa)
{
	enum nb_dtype dt = (enum nb_dtype)c->v[P_DTYPE].i;
	const struct gemm_impl *im = gemm_impl_for(dt, isa);
	const char *why = NULL;

	if (im == gemm_ref_impl(dt))
		return isa > NB_ISA_PORTABLE ? "this build has no x86 kernels: portable C" : "portable C";
#ifdef NB_HAVE_AVX512_KERNELS
	if (im == gemm_avx512_impl(dt)) {
		switch (dt) {
		case NB_BF16: return "avx512_bf16: vdpbf16ps, fp32 accumulation";
		case NB_INT8: return "avx512_vnni: vpdpbusd on A + 128, exact int32";
		case NB_INT4: return "avx512_vnni: int4 unpacked to int8 while packing, vpdpbusd, exact";
		case NB_FP16: return "fp16 converted exactly to fp32 when packed, FMA";
		default: return "fp32 FMA";
		}
	}
	if (isa >= NB_ISA_AVX512 && dt == NB_BF16 && !cpu_has_bf16_dot((enum nb_isa)isa, &why))
		return why;
	if (isa >= NB_ISA_AVX512 && gemm_is_int(dt) && !cpu_has_int8_dot((enum nb_isa)isa, &why))
		return why;
#endif
	if (isa >= NB_ISA_AVX512)
		return "this build has no AVX-512 kernels: AVX2";
	NB_UNUSED(why);
	return gemm_is_int(dt) ? "AVX2 integer multiply-adds, exact int32" : dt == NB_FP32 ? "fp32 FMA"
		: "converted exactly to fp32 when packed, FMA";
}

static const struct nb_sweep sweep = { { "m", "n", "k" }, 64, 16384, "matrix size (m = n = k)" };

const struct nb_kernel nb_kernel_gemm = {
	.name = "gemm",
	.summary = "dense C = A B: fp32, fp16/bf16 (fp32 acc), int8/int4 (int32 acc)",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.check = gemm_check,
	.work = gemm_work,
	.shape = gemm_shape,
	.label_omit = "round=0 impl=auto timing=device fp8@dtype!=fp8 fp8_scale@dtype!=fp8",
	.sweep = &sweep,
	.host_bytes = gemm_host_bytes,
	.setup = gemm_setup,
	.execute = gemm_execute,
	.verify = gemm_verify,
	.teardown = gemm_teardown,
	.impl = gemm_impl_name,
	.impl_why = gemm_why,
};
