/* affine: a kernel family that exists only in the tests, y[i] = 2 x[i] + 1
 * in fp32, to show what a new family costs: this file and the one
 * kernel_register() line below, nothing else.  It runs on the host (with a
 * portable loop, verified against the same formula in double), is predicted
 * on chips as a stream (one array read, one written, 2 operations per
 * element), and sizes n=0 past each target's last-level cache.  Programs
 * that link this file get the family: tests/npubench-affine (the real
 * program plus this file) and the unit-test runner. */
#include "kernels/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rng.h"
#include "util/util.h"

enum { P_N };

static const struct nb_param_desc params[] = {
	[P_N] = { "n", NB_P_INT, "0", NULL, 0, 1LL << 32, "elements; 0 = four times the last-level cache" },
};

struct state {
	long n;
	float *x, *y;
};

static void affine_resolve(struct nb_case *c, const struct nb_target_mem *m)
{
	if (c->v[P_N].i == 0)
		c->v[P_N].i = (int64_t)fmax(4 * m->llc_bytes / 4, 1 << 16);
}

static double elements(const struct nb_case *c)
{
	return c->v[P_N].i > 0 ? (double)c->v[P_N].i : 1 << 16;
}

static void affine_work(const struct nb_case *c, struct nb_work *w)
{
	memset(w, 0, sizeof(*w));
	w->ops = 2 * elements(c);
	w->bytes = 8 * elements(c);
	w->bytes_wa = 12 * elements(c);
	w->unit = "FLOP/s";
}

static void affine_shape(const struct nb_case *c, struct nb_shape *s)
{
	(void)c;
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_STREAM;
	s->dtype = NB_FP32;
	s->batch = 1;
	s->stream_reads = 1;
	s->stream_writes = 1;
}

static double affine_host_bytes(const struct nb_case *c)
{
	return 8 * elements(c) + 4096;
}

static int affine_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct state *s = xcalloc(1, sizeof(*s));
	struct nb_rng r;

	s->n = (long)elements(c);
	s->x = xmalloc((size_t)s->n * sizeof(float));
	s->y = xcalloc((size_t)s->n, sizeof(float));
	rng_seed(&r, env->seed, 1);
	for (long i = 0; i < s->n; i++)
		s->x[i] = rng_float(&r);
	*out = s;
	return 0;
}

/* Idempotent, so verify holds after any number of timed runs. */
static void affine_execute(void *state)
{
	struct state *s = state;

	for (long i = 0; i < s->n; i++)
		s->y[i] = 2.0f * s->x[i] + 1.0f;
}

static int affine_verify(void *state, struct nb_verify *v)
{
	struct state *s = state;

	v->max_err = 0;
	for (long i = 0; i < s->n; i++) {
		double e = fabs(s->y[i] - (2.0 * s->x[i] + 1.0));

		if (!(e <= v->max_err))
			v->max_err = isnan(e) ? INFINITY : e;
	}
	v->tol = 4 * 0x1p-24;
	v->ok = v->max_err <= v->tol;
	snprintf(v->what, sizeof(v->what), "max |y - (2x+1)|");
	return 0;
}

static void affine_teardown(void *state)
{
	struct state *s = state;

	free(s->x);
	free(s->y);
	free(s);
}

static const char *affine_impl(const struct nb_case *c, int isa)
{
	(void)c;
	(void)isa;
	return "affine_fp32_portable";
}

static const struct nb_sweep sweep = { { "n", NULL, NULL }, 1 << 12, 1 << 24, "elements" };
static const char *const test_cases[] = { "affine n=1", "affine n=1001", NULL };

static const struct nb_kernel nb_kernel_affine = {
	.name = "affine",
	.summary = "test family: y = 2x + 1 (fp32)",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.work = affine_work,
	.shape = affine_shape,
	.resolve = affine_resolve,
	.sweep = &sweep,
	.test_cases = test_cases,
	.host_bytes = affine_host_bytes,
	.setup = affine_setup,
	.execute = affine_execute,
	.verify = affine_verify,
	.teardown = affine_teardown,
	.impl = affine_impl,
};

/* The registration: the one line a family adds (a built-in one adds it to
 * src/kernels/registry.c instead). */
__attribute__((constructor)) static void affine_register(void) { kernel_register(&nb_kernel_affine); }
