/* stream: STREAM's copy, scale, add and triad, plus a read-only sum and a
 * write-only fill, over arrays sized past the last-level cache.
 * Bytes are declared under STREAM's convention (each array element read or
 * written once); write-allocate traffic is reported separately. */
#include "kernels/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cpu.h"
#include "util/pool.h"
#include "util/util.h"

enum { OP_COPY, OP_SCALE, OP_ADD, OP_TRIAD, OP_SUM, OP_FILL };
enum { P_OP, P_DTYPE, P_N };

static const struct nb_param_desc params[] = {
	[P_OP] = { "op", NB_P_ENUM, "triad", "copy|scale|add|triad|sum|fill", 0, 0,
		   "the STREAM operation" },
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp64", "fp32|fp64", 0, 0, "element type" },
	[P_N] = { "n", NB_P_INT, "0", NULL, 0, 1LL << 40,
		  "elements per array; 0 = at least 4x the last-level cache" },
};

/* Arrays read and written per element, by op. */
static const int reads[] = { 1, 1, 2, 2, 1, 0 };
static const int writes[] = { 1, 1, 1, 1, 0, 1 };
static const int flops[] = { 0, 1, 1, 2, 1, 0 };

static int64_t elements(const struct nb_case *c)
{
	int64_t n = c->v[P_N].i;
	int64_t esize = c->v[P_DTYPE].i == NB_FP32 ? 4 : 8;

	if (n == 0) {
		int64_t llc = cpu_detect()->l3;

		n = 4 * llc / esize;
		if (n < (1 << 20))
			n = 1 << 20;
	}
	return n;
}

static void stream_work(const struct nb_case *c, struct nb_work *w)
{
	int op = (int)c->v[P_OP].i;
	int64_t esize = c->v[P_DTYPE].i == NB_FP32 ? 4 : 8;
	double n = (double)elements(c);

	memset(w, 0, sizeof(*w));
	w->bytes = n * esize * (reads[op] + writes[op]);
	w->ops = n * flops[op];
	w->unit = "B/s";
}

static void stream_shape(const struct nb_case *c, struct nb_shape *s)
{
	struct nb_work w;

	memset(s, 0, sizeof(*s));
	stream_work(c, &w);
	s->kind = NB_SHAPE_STREAM;
	s->dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	s->batch = 1;
	s->stream_bytes = w.bytes;
	s->stream_reads = reads[c->v[P_OP].i];
	s->stream_writes = writes[c->v[P_OP].i];
}

static double stream_host_bytes(const struct nb_case *c)
{
	int64_t esize = c->v[P_DTYPE].i == NB_FP32 ? 4 : 8;

	return 3.0 * (double)elements(c) * (double)esize;
}

struct state {
	struct nb_pool *pool;
	int op, dbl;
	long n;
	void *a, *b, *cc;
	double partial[256];
	double scalar;
};

#define SCALAR 3.0

static void init_part(void *arg, int tid, int nt)
{
	struct state *s = arg;
	long b, e;

	/* First touch by the thread that will use this part. */
	pool_split(s->n, 64, tid, nt, &b, &e);
	for (long i = b; i < e; i++) {
		if (s->dbl) {
			((double *)s->a)[i] = 1.0;
			((double *)s->b)[i] = 2.0;
			((double *)s->cc)[i] = 0.0;
		} else {
			((float *)s->a)[i] = 1.0f;
			((float *)s->b)[i] = 2.0f;
			((float *)s->cc)[i] = 0.0f;
		}
	}
}

#define STREAM_BODY(T)							\
	do {								\
		T *a = s->a, *bb = s->b, *c = s->cc;			\
		T q = (T)SCALAR; double acc = 0;				\
		switch (s->op) {					\
		case OP_COPY: for (long i = b; i < e; i++) c[i] = a[i]; break;	\
		case OP_SCALE: for (long i = b; i < e; i++) bb[i] = q * c[i]; break; \
		case OP_ADD: for (long i = b; i < e; i++) c[i] = a[i] + bb[i]; break; \
		case OP_TRIAD: for (long i = b; i < e; i++) a[i] = bb[i] + q * c[i]; break; \
		case OP_SUM: for (long i = b; i < e; i++) acc += a[i]; break;	\
		case OP_FILL: for (long i = b; i < e; i++) c[i] = q; break;	\
		}							\
		s->partial[tid] = (double)acc;				\
	} while (0)

static void run_part(void *arg, int tid, int nt)
{
	struct state *s = arg;
	long b, e;

	pool_split(s->n, 64, tid, nt, &b, &e);
	if (s->dbl)
		STREAM_BODY(double);
	else
		STREAM_BODY(float);
}

static int stream_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct state *s = xcalloc(1, sizeof(*s));
	size_t esize = c->v[P_DTYPE].i == NB_FP32 ? 4 : 8;

	s->pool = env->pool;
	s->op = (int)c->v[P_OP].i;
	s->dbl = esize == 8;
	s->n = (long)elements(c);
	s->a = nb_aligned_alloc((size_t)s->n * esize);
	s->b = nb_aligned_alloc((size_t)s->n * esize);
	s->cc = nb_aligned_alloc((size_t)s->n * esize);
	if (!s->a || !s->b || !s->cc) {
		nb_aligned_free(s->a);
		nb_aligned_free(s->b);
		nb_aligned_free(s->cc);
		free(s);
		return error("stream: cannot allocate 3 x %ld elements", (long)elements(c));
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

/* Checks every element against the value the op must leave there.  Ops are
 * idempotent on these inputs (a=1, b=2, c=0 initially), so any number of
 * timed repetitions leaves the same values. */
static int stream_verify(void *state, struct nb_verify *v)
{
	struct state *s = state;
	double err = 0, want;
	void *arr;

	switch (s->op) {
	case OP_COPY: arr = s->cc; want = 1.0; break;
	case OP_SCALE: arr = s->b; want = 0.0; break;	/* b = 3 * c, c = 0 */
	case OP_ADD: arr = s->cc; want = 3.0; break;
	case OP_TRIAD: arr = s->a; want = 2.0; break;	/* a = b + 3 * 0 */
	case OP_FILL: arr = s->cc; want = SCALAR; break;
	default: arr = NULL; want = 0; break;
	}
	if (arr) {
		for (long i = 0; i < s->n; i++) {
			double x = s->dbl ? ((double *)arr)[i] : ((float *)arr)[i];

			if (fabs(x - want) > err)
				err = fabs(x - want);
		}
	} else {
		double sum = 0;

		for (int t = 0; t < pool_threads(s->pool); t++)
			sum += s->partial[t];
		err = fabs(sum - (double)s->n) / (double)s->n;
	}
	v->max_err = err;
	v->tol = s->dbl ? 1e-12 : 1e-6;
	v->ok = err <= v->tol;
	snprintf(v->what, sizeof(v->what), "%s", arr ? "max |x - expected|" : "|sum - n| / n");
	return 0;
}

static void stream_teardown(void *state)
{
	struct state *s = state;

	nb_aligned_free(s->a);
	nb_aligned_free(s->b);
	nb_aligned_free(s->cc);
	free(s);
}

static const char *stream_impl(const struct nb_case *c, int isa)
{
	NB_UNUSED(isa);
	return c->v[P_DTYPE].i == NB_FP32 ? "stream_fp32_c" : "stream_fp64_c";
}

const struct nb_kernel nb_kernel_stream = {
	.name = "stream",
	.summary = "memory streams: copy, scale, add, triad, sum (read), fill (write)",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.work = stream_work,
	.shape = stream_shape,
	.host_bytes = stream_host_bytes,
	.setup = stream_setup,
	.execute = stream_execute,
	.verify = stream_verify,
	.teardown = stream_teardown,
	.impl = stream_impl,
};
