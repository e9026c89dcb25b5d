/* stream: STREAM's copy, scale, add and triad, plus a read-only sum and a
 * write-only fill, over arrays sized past the last-level cache.
 * Bytes are declared under two conventions, both in struct nb_work:
 *   bytes     STREAM's and likwid-bench's minimum: each array element read
 *             or written once per pass;
 *   bytes_wa  adds the write-allocate read of every array written with
 *             ordinary stores (equal to bytes with non-temporal stores).
 * The store kind is chosen per case (param store=auto|cached|nt; auto picks
 * non-temporal stores when the arrays do not fit in the last-level cache)
 * and named in the implementation, e.g. stream_fp64_avx512_nt. */
#include "kernels/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kernels/stream-impl.h"
#include "util/cpu.h"
#include "util/pool.h"
#include "util/util.h"

enum { P_OP, P_DTYPE, P_N, P_STORE, P_TIMING };
enum { STORE_AUTO, STORE_CACHED, STORE_NT };

static const struct nb_param_desc params[] = {
	[P_OP] = { "op", NB_P_ENUM, "triad", "copy|scale|add|triad|sum|fill", 0, 0,
		   "the STREAM operation" },
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp64", "fp32|fp64", 0, 0, "element type" },
	[P_N] = { "n", NB_P_INT, "0", NULL, 0, 1LL << 40,
		  "elements per array; 0 = at least 4x the last-level cache" },
	[P_STORE] = { "store", NB_P_ENUM, "auto", "auto|cached|nt", 0, 0,
		      "store kind: non-temporal (nt) when arrays exceed the LLC (auto), or forced" },
	[P_TIMING] = NB_PARAM_TIMING,
};
/* Arrays read and written per element, by op. */
static const int reads[] = { 1, 1, 2, 2, 1, 0 };
static const int writes[] = { 1, 1, 1, 1, 0, 1 };
static const int flops[] = { 0, 1, 1, 2, 1, 0 };

static int64_t esize_of(const struct nb_case *c)
{
	return dtype_bits((enum nb_dtype)c->v[P_DTYPE].i) / 8;
}

/* n=0: at least four times the target's last-level cache, so that no
 * target serves the arrays from it (STREAM's rule). */
static int64_t elements_past(const struct nb_case *c, double llc_bytes)
{
	int64_t n = (int64_t)(4 * llc_bytes) / esize_of(c);

	return n < (1 << 20) ? 1 << 20 : n;
}

/* Callers resolve n=0 for their target first (case_resolve); an unresolved
 * case gets the smallest size. */
static int64_t elements(const struct nb_case *c)
{
	int64_t n = c->v[P_N].i;

	return n == 0 ? elements_past(c, 0) : n;
}

static void stream_resolve(struct nb_case *c, const struct nb_target_mem *m)
{
	if (c->v[P_N].i == 0)
		c->v[P_N].i = elements_past(c, m->llc_bytes);
}

/* Whether the implementation chosen at dispatch level ISA uses
 * non-temporal stores.  The portable loop always stores through the cache. */
static int uses_nt(const struct nb_case *c, int isa)
{
	int op = (int)c->v[P_OP].i;
	double touched;

	if (isa < NB_ISA_AVX2 || writes[op] == 0)
		return 0;
	switch (c->v[P_STORE].i) {
	case STORE_CACHED: return 0;
	case STORE_NT: return 1;
	}
	touched = (double)elements(c) * (double)esize_of(c) * (reads[op] + writes[op]);
	return touched > (double)cpu_detect()->l3;
}

/* bytes_wa follows the implementation this CPU will run (cpu_detect()->isa,
 * after NPUBENCH_ISA), since only that knows the store kind. */
static void stream_work(const struct nb_case *c, struct nb_work *w)
{
	int op = (int)c->v[P_OP].i;
	double n = (double)elements(c), es = (double)esize_of(c);

	memset(w, 0, sizeof(*w));
	w->bytes = n * es * (reads[op] + writes[op]);
	w->bytes_wa = w->bytes + (uses_nt(c, cpu_detect()->isa) ? 0 : n * es * writes[op]);
	w->ops = n * flops[op];
	w->unit = "B/s";
}

static void stream_shape(const struct nb_case *c, struct nb_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_STREAM;
	s->dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	s->batch = 1;
	s->stream_reads = reads[c->v[P_OP].i];
	s->stream_writes = writes[c->v[P_OP].i];
}

static double stream_host_bytes(const struct nb_case *c)
{
	return 3.0 * (double)elements(c) * (double)esize_of(c) + 4096;
}

#define MAX_THREADS 256

struct state {
	struct nb_pool *pool;
	struct stream_args args;
	int level;	/* enum nb_isa of the loops */
	long n;
	double partial[MAX_THREADS];
};

#define SCALAR 3.0

static void init_part(void *arg, int tid, int nt)
{
	struct state *s = arg;
	long b, e;

	/* First touch by the thread that will use this part: the same split
	 * as run_part, so each page lands on the node of its user. */
	pool_split(s->n, 64, tid, nt, &b, &e);
	for (long i = b; i < e; i++) {
		if (s->args.dbl) {
			((double *)s->args.a)[i] = 1.0;
			((double *)s->args.b)[i] = 2.0;
			((double *)s->args.c)[i] = 0.0;
		} else {
			((float *)s->args.a)[i] = 1.0f;
			((float *)s->args.b)[i] = 2.0f;
			((float *)s->args.c)[i] = 0.0f;
		}
	}
}

/* The portable reference loop: plain C, cached stores. */
#define STREAM_BODY(T)							\
	do {								\
		T *a = s->a, *bb = s->b, *c = s->c;			\
		T q = (T)s->scalar; double acc = 0;			\
		switch (s->op) {					\
		case OP_COPY: for (long i = b; i < e; i++) c[i] = a[i]; break;	\
		case OP_SCALE: for (long i = b; i < e; i++) bb[i] = q * c[i]; break; \
		case OP_ADD: for (long i = b; i < e; i++) c[i] = a[i] + bb[i]; break; \
		case OP_TRIAD: for (long i = b; i < e; i++) a[i] = bb[i] + q * c[i]; break; \
		case OP_SUM: for (long i = b; i < e; i++) acc += a[i]; break;	\
		case OP_FILL: for (long i = b; i < e; i++) c[i] = q; break;	\
		}							\
		*sum = acc;						\
	} while (0)

static void portable_run(const struct stream_args *s, long b, long e, double *sum)
{
	if (s->dbl)
		STREAM_BODY(double);
	else
		STREAM_BODY(float);
}

static void run_part(void *arg, int tid, int nt)
{
	struct state *s = arg;
	long b, e;

	pool_split(s->n, 64, tid, nt, &b, &e);
#ifdef NB_HAVE_AVX512_KERNELS
	if (s->level >= NB_ISA_AVX512) {
		stream_avx512_run(&s->args, b, e, &s->partial[tid]);
		return;
	}
#endif
#ifdef NB_HAVE_X86_KERNELS
	if (s->level >= NB_ISA_AVX2) {
		stream_avx2_run(&s->args, b, e, &s->partial[tid]);
		return;
	}
#endif
	portable_run(&s->args, b, e, &s->partial[tid]);
}

static int stream_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct state *s;
	size_t es = (size_t)esize_of(c);
	long n = (long)elements(c);

	if (pool_threads(env->pool) > MAX_THREADS)
		return error("stream: at most %d threads, not %d", MAX_THREADS, pool_threads(env->pool));
	s = xcalloc(1, sizeof(*s));
	s->pool = env->pool;
	s->n = n;
	s->args.op = (int)c->v[P_OP].i;
	s->args.dbl = es == 8;
	s->args.scalar = SCALAR;
	s->level = isa_built(env->isa);
	s->args.nt = uses_nt(c, s->level);
	s->args.a = nb_aligned_alloc((size_t)n * es);
	s->args.b = nb_aligned_alloc((size_t)n * es);
	s->args.c = nb_aligned_alloc((size_t)n * es);
	if (!s->args.a || !s->args.b || !s->args.c) {
		nb_aligned_free(s->args.a);
		nb_aligned_free(s->args.b);
		nb_aligned_free(s->args.c);
		free(s);
		return error_rank("stream: cannot allocate 3 x %ld elements", n);
	}
	pool_run(s->pool, init_part, s);
	*out = s;
	return 0;
}

static void stream_execute(void *state)
{
	struct state *s = state;

	pool_run(s->pool, run_part, s);
}

/* Checks every element against the value the op must leave there, after
 * timing, the way STREAM does.  Ops are idempotent on these inputs (a=1,
 * b=2, c=0 initially), so any number of timed repetitions leaves the same
 * values; the sum is checked from the last repetition's partials. */
static int stream_verify(void *state, struct nb_verify *v)
{
	struct state *s = state;
	double err = 0, want;
	void *arr;

	switch (s->args.op) {
	case OP_COPY: arr = s->args.c; want = 1.0; break;
	case OP_SCALE: arr = s->args.b; want = 0.0; break;	/* b = 3 * c, c = 0 */
	case OP_ADD: arr = s->args.c; want = 3.0; break;
	case OP_TRIAD: arr = s->args.a; want = 2.0; break;	/* a = b + 3 * 0 */
	case OP_FILL: arr = s->args.c; want = SCALAR; break;
	default: arr = NULL; want = 0; break;
	}
	if (arr) {
		for (long i = 0; i < s->n; i++) {
			double x = s->args.dbl ? ((double *)arr)[i] : ((float *)arr)[i];

			if (!(fabs(x - want) <= err))	/* also catches NaN */
				err = isnan(x) ? INFINITY : fabs(x - want);
		}
	} else {
		double sum = 0;

		for (int t = 0; t < pool_threads(s->pool); t++)
			sum += s->partial[t];
		err = fabs(sum - (double)s->n) / (double)s->n;
	}
	v->max_err = err;
	v->tol = s->args.dbl ? 1e-12 : 1e-6;
	v->ok = err <= v->tol;
	snprintf(v->what, sizeof(v->what), "%s", arr ? "max |x - expected|" : "|sum - n| / n");
	return 0;
}

static void stream_teardown(void *state)
{
	struct state *s = state;

	nb_aligned_free(s->args.a);
	nb_aligned_free(s->args.b);
	nb_aligned_free(s->args.c);
	free(s);
}

static const char *stream_impl(const struct nb_case *c, int isa)
{
	static const char *const names[2][NB_ISA_COUNT][2] = {
		{ { "stream_fp64_c_cached", "stream_fp64_c_cached" },
		  { "stream_fp64_avx2_cached", "stream_fp64_avx2_nt" },
		  { "stream_fp64_avx512_cached", "stream_fp64_avx512_nt" } },
		{ { "stream_fp32_c_cached", "stream_fp32_c_cached" },
		  { "stream_fp32_avx2_cached", "stream_fp32_avx2_nt" },
		  { "stream_fp32_avx512_cached", "stream_fp32_avx512_nt" } },
	};
	int fp32 = c->v[P_DTYPE].i == NB_FP32, level = isa_built(isa);

	return names[fp32][level][uses_nt(c, level)];
}

/* Why stream_impl's choice stores as it does (info). */
static const char *stream_why(const struct nb_case *c, int isa)
{
	int level = isa_built(isa), nt = uses_nt(c, level);

	if (level == NB_ISA_PORTABLE)
		return isa > NB_ISA_PORTABLE ? "this build has no x86 kernels: portable C, cached stores"
					     : "portable C, cached stores";
	if (level < isa)
		return nt ? "this build has no AVX-512 kernels: AVX2, non-temporal stores"
			  : "this build has no AVX-512 kernels: AVX2, cached stores";
	switch (c->v[P_STORE].i) {
	case STORE_CACHED: return "store=cached";
	case STORE_NT: return "store=nt: non-temporal stores";
	}
	return nt ? "store=auto: the arrays exceed the L3, non-temporal stores"
		  : "store=auto: the arrays fit the L3, cached stores";
}

static const struct nb_sweep sweep = { { "n", NULL, NULL }, 1 << 12, 1 << 28, "elements per array" };

static const char *const test_cases[] = {
	"stream op=copy n=1001 dtype=fp32",
	"stream op=scale n=1001",
	"stream op=add n=999 store=nt",
	"stream op=triad n=4099 dtype=fp32 store=nt",
	"stream op=triad n=4099 store=cached",
	"stream op=sum n=100003 dtype=fp32",
	"stream op=sum n=7",
	"stream op=fill n=333 store=nt",
	"stream op=fill n=5 dtype=fp32",
	NULL,
};

const struct nb_kernel nb_kernel_stream = {
	.name = "stream",
	.summary = "memory streams: copy, scale, add, triad, sum (read), fill (write)",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.work = stream_work,
	.shape = stream_shape,
	.resolve = stream_resolve,
	.label_omit = "n=0 store=auto timing=device",
	.sweep = &sweep,
	.test_cases = test_cases,
	.host_bytes = stream_host_bytes,
	.setup = stream_setup,
	.execute = stream_execute,
	.verify = stream_verify,
	.teardown = stream_teardown,
	.impl = stream_impl,
	.impl_why = stream_why,
};
