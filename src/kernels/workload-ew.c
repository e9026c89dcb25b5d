/* The host workloads' elementwise table: the portable reference (libm,
 * one element at a time) and the run-time choice between it and the
 * vector tables (workload-ew-impl.h). */
#include "kernels/workload-ew.h"

#include <math.h>
#include <stdlib.h>

#include "config.h"

#include "util/cpu.h"
#include "util/half.h"
#include "util/timer.h"
#include "util/util.h"

static void ref_to_bf16(const float *in, uint16_t *out, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = nb_f32_to_bf16(in[i]);
}

/* Column by column, each a run of N contiguous stores: the reference the
 * vector tables must match bit for bit. */
static void ref_to_bf16_t(const float *in, long ld, long n, long d, uint16_t *out, long ldo)
{
	for (long e = 0; e < d; e++)
		for (long i = 0; i < n; i++)
			out[e * ldo + i] = nb_f32_to_bf16(in[i * ld + e]);
}

static float sigm(float z)
{
	return 1 / (1 + expf(-z));
}

#define GELU_K 0.7978845608f	/* sqrt(2 / pi) */

static void ref_gelu(const float *u, float *g, long n)
{
	for (long i = 0; i < n; i++)
		g[i] = 0.5f * u[i] * (1 + tanhf(GELU_K * (u[i] + 0.044715f * u[i] * u[i] * u[i])));
}

static void ref_gelu_bwd(const float *u, const float *dg, float *du, long n)
{
	for (long i = 0; i < n; i++) {
		float z = u[i], th = tanhf(GELU_K * (z + 0.044715f * z * z * z));

		du[i] = dg[i] * (0.5f * (1 + th) + 0.5f * z * (1 - th * th) * GELU_K * (1 + 3 * 0.044715f * z * z));
	}
}

static void ref_swiglu(const float *u1, const float *u2, float *g, long n)
{
	for (long i = 0; i < n; i++)
		g[i] = u1[i] * sigm(u1[i]) * u2[i];
}

static void ref_swiglu_bwd(const float *u1, const float *u2, const float *dg, float *du1, float *du2, long n)
{
	for (long i = 0; i < n; i++) {
		float z = u1[i], sg = sigm(z);

		du1[i] = dg[i] * u2[i] * sg * (1 + z * (1 - sg));
		du2[i] = dg[i] * z * sg;
	}
}

static void ref_adam(float *w, float *g, float *m, float *v, long n, float c1, float c2)
{
	const float b1 = WL_ADAM_B1, b2 = WL_ADAM_B2, lr = WL_ADAM_LR, eps = WL_ADAM_EPS;

	for (long j = 0; j < n; j++) {
		float gj = g[j];

		m[j] = b1 * m[j] + (1 - b1) * gj;
		v[j] = b2 * v[j] + (1 - b2) * gj * gj;
		w[j] -= lr * (m[j] / c1) / (sqrtf(v[j] / c2) + eps);
		g[j] = 0;
	}
}

static void ref_exp_shift(const float *in, float *out, long n, float scale, float shift)
{
	for (long i = 0; i < n; i++)
		out[i] = expf(in[i] * scale - shift);
}

static float ref_rms_row(const float *x, float *y, long n)
{
	double ss = 0;
	float r;

	for (long i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	r = (float)(1 / sqrt(ss / n + 1e-6));
	for (long i = 0; i < n; i++)
		y[i] = x[i] * r;
	return r;
}

static void ref_softmax_row(float *row, long seen, long n, float scale)
{
	float mx = -INFINITY, sum = 0;

	for (long j = 0; j < seen; j++)
		mx = fmaxf(mx, row[j] * scale);
	ref_exp_shift(row, row, seen, scale, mx);
	for (long j = 0; j < seen; j++)
		sum += row[j];
	for (long j = 0; j < n; j++)
		row[j] = j < seen ? row[j] / sum : 0;
}

static void ref_add(const float *a, const float *b, float *out, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

static const struct wl_ew portable = {
	ref_to_bf16, ref_to_bf16_t, ref_gelu, ref_gelu_bwd, ref_swiglu, ref_swiglu_bwd, ref_adam, ref_exp_shift,
	ref_rms_row, ref_softmax_row, ref_add,
};

const struct wl_ew *wl_ew_for(int isa)
{
#ifdef NB_HAVE_AVX512_KERNELS
	if (isa >= NB_ISA_AVX512)
		return &wl_ew_avx512;
#endif
#ifdef NB_HAVE_X86_KERNELS
	if (isa >= NB_ISA_AVX2)
		return &wl_ew_avx2;
#endif
	(void)isa;
	return &portable;
}

/* Elements per second of one thread running ISA's table over an array
 * within L2 (32 Ki fp32 in, out of 128 KiB and 64 or 128 KiB, so the
 * loop's own throughput shows, not a memory level's): WHICH 0 the plain
 * pass (fp32 rounded to bf16, as before each product), 1 a pass with one
 * exponential per element (the softmax's), 2 the GELU (tanh form).  STREAM's
 * discipline: one untimed pass, then blocks of at least 2 ms, the fastest
 * of 7 blocks.  -1 when the buffers cannot be had. */
double wl_ew_rate(int isa, int which)
{
	enum { N = 32768, BLOCKS = 7 };
	const struct wl_ew *ew = wl_ew_for(isa);
	float *in = nb_aligned_alloc(N * sizeof(float)), *out = nb_aligned_alloc(N * sizeof(float));
	double best = 0;
	long reps = 1;

	if (!in || !out) {
		nb_aligned_free(in);
		nb_aligned_free(out);
		return -1;
	}
	for (long i = 0; i < N; i++)
		in[i] = (float)((i * 37) % 1001) / 1001.0f - 0.5f;
	for (int b = -1; b < BLOCKS; b++) {
		double t0 = timer_now(), dt;

		for (long r = 0; r < reps; r++) {
			if (which == 1)
				ew->exp_shift(in, out, N, 1, 0.5f);
			else if (which == 2)
				ew->gelu(in, out, N);
			else
				ew->to_bf16(in, (uint16_t *)out, N);
		}
		dt = timer_now() - t0;
		if (dt < 2e-3) {	/* too short to time: longer blocks, this one again */
			reps *= 2;
			b--;
			continue;
		}
		if (b >= 0 && (best == 0 || reps * (double)N / dt > best))
			best = reps * (double)N / dt;
	}
	nb_aligned_free(in);
	nb_aligned_free(out);
	return best;
}
