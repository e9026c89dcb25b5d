/* The arithmetic peak probes (fp32 FMA, and at AVX-512 the bf16 and int8
 * dot products): every pinned thread runs the same loop of independent
 * multiply-adds and times it on its own CPU clock; the threads' rates add
 * up (at most one thread's worth per CPU).  The wall time of the slowest
 * thread, used before, halved a 2-thread ceiling whenever another process
 * shared one of the two CPUs, so that GEMMs measured in a quiet moment
 * read 150% of their "peak". */
#include "config.h"

#include "util/peak.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

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
	double (*loop)(long iters, float *sink);
	double flops[256];
	double cpu[256];	/* the thread's CPU seconds for its loop */
};

static double thread_cpu_seconds(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
		return 0;
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void probe_thread(void *arg, int tid, int nt)
{
	struct probe *p = arg;
	float sink = 0;
	double t0 = thread_cpu_seconds();

	(void)nt;
	p->flops[tid % 256] = p->loop(p->iters, &sink);
	p->cpu[tid % 256] = thread_cpu_seconds() - t0;
	peak_sink = sink;
}

static double loop_c(long iters, float *sink)
{
	(void)sink;
	return peak_loop_c(iters);
}

const char *peak_name(enum nb_peak kind)
{
	switch (kind) {
	case NB_PEAK_FP32: return "fp32 FMA";
	case NB_PEAK_BF16: return "bf16 dot product (vdpbf16ps)";
	case NB_PEAK_INT8: return "int8 dot product (vpdpbusd)";
	}
	return "?";
}

/* The loop that measures KIND at the current dispatch level, or NULL. */
static double (*peak_loop(enum nb_peak kind))(long, float *)
{
	enum nb_isa isa = cpu_detect()->isa;

	(void)isa;
#ifdef NB_HAVE_AVX512_KERNELS
	if (kind == NB_PEAK_BF16)
		return cpu_has_bf16_dot(isa, NULL) ? peak_loop_bf16dot : NULL;
	if (kind == NB_PEAK_INT8)
		return cpu_has_int8_dot(isa, NULL) ? peak_loop_int8dot : NULL;
	if (isa >= NB_ISA_AVX512)
		return peak_loop_avx512;
#endif
	if (kind != NB_PEAK_FP32)
		return NULL;
#ifdef NB_HAVE_X86_KERNELS
	if (isa >= NB_ISA_AVX2)
		return peak_loop_avx2;
#endif
	return loop_c;
}

double peak_fp32_flops(int nthreads, double seconds)
{
	return peak_ops(NB_PEAK_FP32, nthreads, seconds);
}

double peak_ops(enum nb_peak kind, int nthreads, double seconds)
{
	struct nb_pool *pool = NULL;
	struct probe pr = { 0 };
	double best = 0, t0, dt;
	int ncpu = cpu_detect()->online_cpus > 0 ? cpu_detect()->online_cpus : 1;

	if (nthreads < 1)
		return error("peak probe: %d threads", nthreads);
	pr.loop = peak_loop(kind);
	if (!pr.loop)
		return 0;
	if (seconds <= 0)
		seconds = 0.2;
	pool = pool_create(nthreads, 1);
	if (!pool)
		return -1;
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
		int nt = nthreads < 256 ? nthreads : 256;

		t0 = timer_now();
		pool_run(pool, probe_thread, &pr);
		dt = timer_now() - t0;
		/* A thread's CPU time cannot exceed the wall time; a clock that
		 * failed (0) falls back to the wall time. */
		for (int t = 0; t < nt; t++)
			total += pr.flops[t] / (pr.cpu[t] > 0.01 * dt && pr.cpu[t] < dt ? pr.cpu[t] : dt);
		/* More threads than CPUs share them: the CPUs' worth only. */
		if (nt > ncpu)
			total *= (double)ncpu / nt;
		if (dt > 0 && total > best)
			best = total;
	}
	pool_free(pool);
	return best;
}

struct readbw {
	const uint64_t *p;
	long words;
	uint64_t sums[256];
};

/* First touch by the thread that will read the part (NUMA placement). */
static void readbw_fill(void *arg, int tid, int nt)
{
	struct readbw *r = arg;
	long b, e;

	pool_split(r->words, 64, tid, nt, &b, &e);
	for (long i = b; i < e; i++)
		((uint64_t *)r->p)[i] = (uint64_t)i;
}

/* Eight independent sums, so the adds never wait on each other. */
static void readbw_sum(void *arg, int tid, int nt)
{
	struct readbw *r = arg;
	uint64_t s[8] = { 0 };
	long b, e;

	pool_split(r->words, 64, tid, nt, &b, &e);
	for (long i = b; i + 8 <= e; i += 8)
		for (int l = 0; l < 8; l++)
			s[l] += r->p[i + l];
	r->sums[tid % 256] = s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

double peak_read_bandwidth(int nthreads, size_t bytes)
{
	struct nb_pool *pool = NULL;
	struct readbw r = { 0 };
	double best = 0;

	if (nthreads < 1)
		return error("read bandwidth probe: %d threads", nthreads);
	if (bytes == 0) {
		bytes = (size_t)(cpu_detect()->l3 > 0 ? cpu_detect()->l3 : 0) * 4;
		if (bytes < (256u << 20))
			bytes = 256u << 20;
	}
	r.words = (long)(bytes / 8);
	r.p = nb_aligned_alloc((size_t)r.words * 8);
	if (!r.p)
		return error("read bandwidth probe: cannot allocate %zu bytes", bytes);
	pool = pool_create(nthreads, 1);
	if (!pool) {
		nb_aligned_free((void *)r.p);
		return -1;
	}
	pool_run(pool, readbw_fill, &r);
	pool_run(pool, readbw_sum, &r);
	for (int rep = 0; rep < 5; rep++) {
		double t0 = timer_now(), dt;

		pool_run(pool, readbw_sum, &r);
		dt = timer_now() - t0;
		if (dt > 0 && (double)r.words * 8 / dt > best)
			best = (double)r.words * 8 / dt;
	}
	peak_sink = (float)r.sums[0];
	pool_free(pool);
	nb_aligned_free((void *)r.p);
	return best;
}
