/* The fp32 FMA peak probe: every pinned thread runs the same loop of
 * independent multiply-adds; the wall time of the slowest gives FLOP/s. */
#include "config.h"

#include "util/peak.h"

#include <math.h>
#include <stdint.h>

#include "util/cpu.h"
#include "util/pool.h"
#include "util/timer.h"
#include "util/util.h"

/* 16 independent chains of 8 lanes: enough to cover FMA latency times
 * the FMA pipes on any current core, so the compiler's vector code runs
 * at its peak too. */
#define CHAINS 16
#define LANES 8

volatile float peak_sink;

double peak_loop_c(long iters)
{
	float acc[CHAINS][LANES], x = 1.0000001f, y = 0.9999999f;

	for (int c = 0; c < CHAINS; c++)
		for (int l = 0; l < LANES; l++)
			acc[c][l] = (float)(c + l) * 1e-3f;
	for (long i = 0; i < iters; i++)
		for (int c = 0; c < CHAINS; c++)
			for (int l = 0; l < LANES; l++)
				acc[c][l] = fmaf(acc[c][l], x, y);
	for (int c = 1; c < CHAINS; c++)
		for (int l = 0; l < LANES; l++)
			acc[0][l] += acc[c][l];
	peak_sink = acc[0][0];
	return 2.0 * CHAINS * LANES * (double)iters;
}

struct probe {
	long iters;
	int avx2;
	double flops[256];
};

static void probe_thread(void *arg, int tid, int nt)
{
	struct probe *p = arg;

	(void)nt;
#ifdef NB_HAVE_X86_KERNELS
	if (p->avx2) {
		float sink;

		p->flops[tid % 256] = peak_loop_avx2(p->iters, &sink);
		peak_sink = sink;
		return;
	}
#endif
	p->flops[tid % 256] = peak_loop_c(p->iters);
}

double peak_fp32_flops(int nthreads, double seconds)
{
	struct nb_pool *pool = NULL;
	struct probe pr = { 0 };
	double best = 0, t0, dt;

	if (nthreads < 1)
		return error("peak probe: %d threads", nthreads);
	if (seconds <= 0)
		seconds = 0.2;
	pool = pool_create(nthreads, 1);
	if (!pool)
		return -1;
	pr.avx2 = cpu_detect()->isa == NB_ISA_AVX2;
	/* Calibrate to runs of about 20 ms, then keep the best of as many as
	 * fit in the budget (at least 3): short runs on a shared machine
	 * often find a quiet moment that one long run never has. */
	pr.iters = 1000;
	for (;;) {
		t0 = timer_now();
		pool_run(pool, probe_thread, &pr);
		dt = timer_now() - t0;
		if (dt >= 0.005 || pr.iters > (1L << 40))
			break;
		pr.iters *= 4;
	}
	pr.iters = (long)((double)pr.iters * 0.02 / (dt > 0 ? dt : 1e-6));
	if (pr.iters < 1000)
		pr.iters = 1000;
	for (int rep = 0; rep < 3 || rep < (int)(seconds / 0.02); rep++) {
		double total = 0;

		t0 = timer_now();
		pool_run(pool, probe_thread, &pr);
		dt = timer_now() - t0;
		for (int t = 0; t < nthreads && t < 256; t++)
			total += pr.flops[t];
		if (dt > 0 && total / dt > best)
			best = total / dt;
	}
	pool_free(pool);
	return best;
}
