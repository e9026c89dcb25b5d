/* gemm-anchor: npubench's GEMM kernels side by side with OpenBLAS sgemm and
 * oneDNN's u8 x s8 -> s32 and bf16 x bf16 -> f32 matmuls, on the same shapes
 * and thread count, interleaved (one timed sample of each contender per
 * round, best of the rounds).  A benchmark, not a test.  Built and run by
 * scripts/anchors/gemm.sh; links libnpubench.a for npubench's kernels
 * (through the kernel descriptor, exactly as the harness runs them) and its
 * peak and read-bandwidth probes (the roofs results are reported against).
 *
 *   gemm-anchor THREADS ROUNDS SIZE...   (SIZE: m=n=k; skinny m=1, 4, 8 and 16
 *                                         at n=k=4096, and m=4 and 8 at 512, are added)
 *   gemm-anchor one WHO THREADS M N K [pool]    (one contender, internal)
 *
 * Every sample runs in a process of its own ("one"), so each contender runs
 * exactly as it would alone: no other library's threads spinning beside it,
 * no affinity inherited from npubench's pool.  After each shape a sanity
 * check prints, for every library, its rate at THREADS against its rate at 1
 * thread, and against a process that created npubench's pinned pool first
 * (the old harness's setting, which once crippled oneDNN's OpenMP threads):
 * that one must match the library alone. */
#include <cblas.h>
#include <dnnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/peak.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/timer.h"
#include "util/util.h"

/* The contenders, in the order of each round. */
enum { C_FP32, C_FP16, C_BF16, SGEMM, DNNL_BF16, C_INT8, DNNL_U8, C_INT4, NC };

static const struct who {
	const char *label;
	const char *dtype;	/* npubench's dtype, NULL for a library */
	int peak;		/* enum nb_peak of its ceiling */
} whos[NC] = {
	[C_FP32] = { "npubench fp32", "fp32", NB_PEAK_FP32 },
	[C_FP16] = { "npubench fp16", "fp16", NB_PEAK_FP32 },
	[C_BF16] = { "npubench bf16", "bf16", NB_PEAK_BF16 },
	[SGEMM] = { "OpenBLAS sgemm", NULL, NB_PEAK_FP32 },
	[DNNL_BF16] = { "oneDNN bf16", NULL, NB_PEAK_BF16 },
	[C_INT8] = { "npubench int8", "int8", NB_PEAK_INT8 },
	[DNNL_U8] = { "oneDNN u8s8s32", NULL, NB_PEAK_INT8 },
	[C_INT4] = { "npubench int4", "int4", NB_PEAK_INT8 },
};

/* One contender set up in this process. */
struct contender {
	int who;
	long m, n, k;
	double ops, bytes;
	int reps;
	char impl[64];
	const struct nb_kernel *kern;
	void *state;
	float *fa, *fb, *fc;
	dnnl_engine_t eng;
	dnnl_primitive_t prim;
	dnnl_stream_t strm;
	dnnl_exec_arg_t args[3];
};

#define DNNL_OK(x)								\
	do {									\
		dnnl_status_t st_ = (x);					\
		if (st_ != dnnl_success) {					\
			fprintf(stderr, "gemm-anchor: %s failed: %d\n", #x, (int)st_); \
			exit(1);						\
		}								\
	} while (0)

static void setup_nb(struct contender *c, struct nb_pool *pool)
{
	char text[160], msg[256];
	struct nb_case cs;
	struct nb_work w;
	const struct nb_cpu *cpu = cpu_detect();
	struct nb_host_env env = { pool, cpu, 1, cpu->isa };

	snprintf(text, sizeof(text), "gemm dtype=%s m=%ld n=%ld k=%ld", whos[c->who].dtype, c->m,
		 c->n, c->k);
	if (case_parse(text, &cs, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "gemm-anchor: %s\n", msg);
		exit(1);
	}
	c->kern = cs.kernel;
	c->kern->work(&cs, &w);
	c->ops = w.ops;
	c->bytes = w.bytes;
	snprintf(c->impl, sizeof(c->impl), "%s", c->kern->impl(&cs, cpu->isa));
	if (c->kern->setup(&cs, &env, &c->state) < 0)
		exit(1);
}

static void setup_sgemm(struct contender *c)
{
	long m = c->m, n = c->n, k = c->k;
	struct nb_rng g;

	rng_seed(&g, 3, 1);
	c->fa = nb_aligned_alloc((size_t)(m * k) * 4);
	c->fb = nb_aligned_alloc((size_t)(k * n) * 4);
	c->fc = nb_aligned_alloc((size_t)(m * n) * 4);
	for (long i = 0; i < m * k; i++)
		c->fa[i] = rng_float(&g);
	for (long i = 0; i < k * n; i++)
		c->fb[i] = rng_float(&g);
	memset(c->fc, 0, (size_t)(m * n) * 4);
	c->ops = 2.0 * m * n * k;
	c->bytes = 4.0 * (m * k + k * n + m * n);
	snprintf(c->impl, sizeof(c->impl), "%.63s", openblas_get_config());
}

/* oneDNN matmul on plain row-major layouts, as npubench gets them (no
 * prepacked weights): u8 x s8 -> s32, or bf16 x bf16 -> f32. */
static void setup_dnnl(struct contender *c)
{
	int bf = c->who == DNNL_BF16;
	long m = c->m, n = c->n, k = c->k;
	dnnl_memory_desc_t a_md, b_md, c_md;
	dnnl_matmul_desc_t md;
	dnnl_primitive_desc_t pd;
	dnnl_memory_t am, bm, cm;
	dnnl_dims_t ad = { m, k }, bd = { k, n }, cd = { m, n };
	const char *info = NULL;
	struct nb_rng g;
	size_t es = bf ? 2 : 1;
	uint8_t *a = nb_aligned_alloc((size_t)(m * k) * es), *b = nb_aligned_alloc((size_t)(k * n) * es);
	void *cc = nb_aligned_alloc((size_t)(m * n) * 4);

	rng_seed(&g, 3, 2);
	for (long i = 0; i < m * k; i++)
		if (bf)
			((uint16_t *)a)[i] = nb_f32_to_bf16(rng_float(&g));
		else
			a[i] = (uint8_t)rng_range(&g, 0, 255);
	for (long i = 0; i < k * n; i++)
		if (bf)
			((uint16_t *)b)[i] = nb_f32_to_bf16(rng_float(&g));
		else
			b[i] = (uint8_t)rng_range(&g, -128, 127);
	DNNL_OK(dnnl_engine_create(&c->eng, dnnl_cpu, 0));
	DNNL_OK(dnnl_memory_desc_init_by_tag(&a_md, 2, ad, bf ? dnnl_bf16 : dnnl_u8, dnnl_ab));
	DNNL_OK(dnnl_memory_desc_init_by_tag(&b_md, 2, bd, bf ? dnnl_bf16 : dnnl_s8, dnnl_ab));
	DNNL_OK(dnnl_memory_desc_init_by_tag(&c_md, 2, cd, bf ? dnnl_f32 : dnnl_s32, dnnl_ab));
	DNNL_OK(dnnl_matmul_desc_init(&md, &a_md, &b_md, NULL, &c_md));
	DNNL_OK(dnnl_primitive_desc_create(&pd, &md, NULL, c->eng, NULL));
	DNNL_OK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info));
	snprintf(c->impl, sizeof(c->impl), "%.63s", info ? info : "?");
	DNNL_OK(dnnl_primitive_create(&c->prim, pd));
	DNNL_OK(dnnl_memory_create(&am, &a_md, c->eng, a));
	DNNL_OK(dnnl_memory_create(&bm, &b_md, c->eng, b));
	DNNL_OK(dnnl_memory_create(&cm, &c_md, c->eng, cc));
	DNNL_OK(dnnl_stream_create(&c->strm, c->eng, dnnl_stream_default_flags));
	c->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, am };
	c->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, bm };
	c->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DST, cm };
	c->ops = 2.0 * m * n * k;
	c->bytes = (double)(m * k + k * n) * (double)es + 4.0 * m * n;
}

static void run(struct contender *c)
{
	for (int i = 0; i < c->reps; i++) {
		if (c->state)
			c->kern->execute(c->state);
		else if (c->fa)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->m, (int)c->n,
				    (int)c->k, 1.0f, c->fa, (int)c->k, c->fb, (int)c->n, 0.0f, c->fc,
				    (int)c->n);
		else
			dnnl_primitive_execute(c->prim, c->strm, 3, c->args);
	}
	if (c->prim)
		dnnl_stream_wait(c->strm);
}

/* "one": sets up WHO, warms up, times SAMPLES samples of at least 50 ms
 * and prints "seconds ops bytes verify impl" for the best.  POOL: create
 * npubench's pinned pool first even for a library. */
static int one(int who, int nt, long m, long n, long k, int samples, int with_pool)
{
	struct contender c = { .who = who, .m = m, .n = n, .k = k, .reps = 1 };
	struct nb_pool *pool = NULL;
	const char *verify = "-";
	double t0, dt, best = 1e30;

	if (whos[who].dtype || with_pool) {
		pool = pool_create(nt, 1);
		if (!pool)
			return 1;
	}
	if (whos[who].dtype)
		setup_nb(&c, pool);
	else if (who == SGEMM)
		setup_sgemm(&c);
	else
		setup_dnnl(&c);
	t0 = timer_now();
	run(&c);	/* warm-up: pages, packing buffers, JIT, thread start */
	dt = timer_now() - t0;
	c.reps = dt < 0.05 ? (int)(0.05 / (dt > 1e-6 ? dt : 1e-6)) + 1 : 1;
	for (int s = 0; s < samples; s++) {
		t0 = timer_now();
		run(&c);
		dt = (timer_now() - t0) / c.reps;
		if (dt < best)
			best = dt;
	}
	if (c.state) {
		struct nb_verify v;

		c.kern->verify(c.state, &v);
		verify = v.ok ? "ok" : "FAILED";
	}
	printf("%.9g %.9g %.9g %s %s\n", best, c.ops, c.bytes, verify, c.impl);
	/* The process ends here: the OS frees the rest. */
	pool_free(pool);
	return 0;
}

/* One result read back from a child. */
struct res {
	double sec, ops, bytes;
	char verify[16], impl[64];
};

static char self[4096];

static int spawn(int who, int nt, long m, long n, long k, int samples, int with_pool,
		 struct res *r)
{
	char cmd[4300], line[512], t[16];
	FILE *p;
	int ok;

	snprintf(t, sizeof(t), "%d", nt);
	setenv("OMP_NUM_THREADS", t, 1);
	setenv("OPENBLAS_NUM_THREADS", t, 1);
	snprintf(cmd, sizeof(cmd), "'%s' one %d %d %ld %ld %ld %d%s", self, who, nt, m, n, k, samples,
		 with_pool ? " pool" : "");
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fgets(line, sizeof(line), p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%lf %lf %lf %15s %63[^\n]", &r->sec, &r->ops, &r->bytes, r->verify, r->impl) != 5)
		return -1;
	return 0;
}

static void report(const char *shape, int nt, const struct res *rs, const double peaks[3],
		   double bw, long m, long n)
{
	int gemv = m <= 16;
	/* Skinny integer targets: int8 at or above oneDNN up to m = 4 (0.9 at
	 * m = 16); int4, which reads half the weight bytes, 1.3x int8 at m = 2-4
	 * when B streams from DRAM. */
	double i8 = m <= 4 ? 1.0 : 0.90, i4 = m == 1 ? 1.6 : m <= 4 && n >= 4096 ? 1.3 : gemv ? 0 : 1.0;
	const int bf_dot = peaks[NB_PEAK_BF16] > 0;
	/* Each contender's reference and the target for that ratio. */
	const struct { int ref; double target; } refs[NC] = {
		[C_FP32] = { SGEMM, gemv ? 0 : 0.95 },
		[C_FP16] = { SGEMM, gemv ? 0 : 0.95 },
		[C_BF16] = { bf_dot ? DNNL_BF16 : SGEMM, gemv ? 0 : bf_dot ? 0.90 : 0.95 },
		[SGEMM] = { -1, 0 },
		[DNNL_BF16] = { -1, 0 },
		[C_INT8] = { DNNL_U8, i8 },
		[DNNL_U8] = { -1, 0 },
		[C_INT4] = { C_INT8, i4 },
	};

	for (int i = 0; i < NC; i++) {
		const struct res *r = &rs[i];
		double rate = r->ops / r->sec, pk = peaks[whos[i].peak];
		char ratio[64] = "", tgt[16] = "", pct[16] = "-";

		if (refs[i].ref >= 0) {
			double x = rate / (rs[refs[i].ref].ops / rs[refs[i].ref].sec);
			const char *l = whos[refs[i].ref].label;

			snprintf(ratio, sizeof(ratio), "%.2fx %s", x, !strncmp(l, "npubench ", 9) ? l + 9 : l);
			if (refs[i].target > 0)
				snprintf(tgt, sizeof(tgt), "%s%.2f", x >= refs[i].target ? ">=" : "MISS<",
					 refs[i].target);
		}
		if (pk > 0)
			snprintf(pct, sizeof(pct), "%.1f%%", 100 * rate / pk);
		printf("%-12s %3d  %-15s %-30.30s %9.3f %8.1f %s %6s %7.1f %5.2f  %-22s %-9s %s\n", shape,
		       nt, whos[i].label, r->impl, r->sec * 1e3, rate / 1e9,
		       whos[i].peak == NB_PEAK_INT8 ? "GOP/s  " : "GFLOP/s", pct, r->bytes / r->sec / 1e9,
		       r->bytes / r->sec / bw, ratio, tgt, r->verify);
	}
}

/* The libraries' 1-thread rate and their rate beside npubench's pool. */
static void sanity(int nt, long m, long n, long k, const struct res *rs)
{
	static const int libs[] = { SGEMM, DNNL_BF16, DNNL_U8 };

	for (size_t i = 0; i < NB_ARRAY_SIZE(libs); i++) {
		int w = libs[i];
		double alone = rs[w].ops / rs[w].sec;
		struct res one1, pooled;
		char scale[96] = "";

		if (nt > 1 && spawn(w, 1, m, n, k, 2, 0, &one1) == 0)
			snprintf(scale, sizeof(scale), "%.1f at 1 thread (%.2fx scaling%s); ",
				 one1.ops / one1.sec / 1e9, alone / (one1.ops / one1.sec),
				 alone / (one1.ops / one1.sec) < 1.3 ? ", SUSPECT" : "");
		if (spawn(w, nt, m, n, k, 2, 1, &pooled) != 0)
			continue;
		printf("#   sanity %-15s %d thr: alone %.1f; %swith npubench's pool in the process %.1f (%.2fx alone%s)\n",
		       whos[w].label, nt, alone / 1e9, scale, pooled.ops / pooled.sec / 1e9,
		       pooled.ops / pooled.sec / alone,
		       pooled.ops / pooled.sec / alone < 0.85 ? ", SUSPECT" : "");
	}
}

static void one_shape(long m, long n, long k, int nt, int rounds, const double peaks[3], double bw)
{
	struct res rs[NC], r;
	char shape[32];

	for (int i = 0; i < NC; i++)
		rs[i].sec = 1e30;
	for (int round = 0; round < rounds; round++)
		for (int i = 0; i < NC; i++) {
			if (spawn(i, nt, m, n, k, m <= 16 ? 3 : 1, 0, &r) != 0) {
				fprintf(stderr, "gemm-anchor: %s %ldx%ldx%ld failed\n", whos[i].label, m, n, k);
				exit(1);
			}
			if (r.sec < rs[i].sec)
				rs[i] = r;
		}
	if (m == n && n == k)
		snprintf(shape, sizeof(shape), "%ld^3", m);
	else
		snprintf(shape, sizeof(shape), "%ldx%ldx%ld", m, n, k);
	report(shape, nt, rs, peaks, bw, m, n);
	sanity(nt, m, n, k, rs);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int nt, rounds;
	double peaks[3], bw;
	ssize_t len;

	if (argc >= 8 && !strcmp(argv[1], "one"))
		return one(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atol(argv[5]), atol(argv[6]),
			   atoi(argv[7]), argc > 8 && !strcmp(argv[8], "pool"));
	if (argc < 3) {
		fprintf(stderr, "usage: gemm-anchor THREADS ROUNDS [SIZE...]\n");
		return 2;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	nt = atoi(argv[1]);
	rounds = atoi(argv[2]);
	/* The probes, with their own pinned threads and nothing else running. */
	for (int p = NB_PEAK_FP32; p <= NB_PEAK_INT8; p++)
		peaks[p] = peak_ops((enum nb_peak)p, nt, 0.6);
	bw = peak_read_bandwidth(nt, 0);
	printf("# threads %d (npubench probes): fp32 FMA %.1f GFLOP/s, bf16 dot %.1f GFLOP/s, int8 dot %.1f GOP/s, read bandwidth %.1f GB/s (4x LLC)\n",
	       nt, peaks[0] / 1e9, peaks[1] / 1e9, peaks[2] / 1e9, bw / 1e9);
	fflush(stdout);
	for (int i = 3; i < argc; i++) {
		long s = atol(argv[i]);

		one_shape(s, s, s, nt, rounds, peaks, bw);
	}
	/* Skinny products as a decode step runs them: weights from DRAM
	 * (4096^2) and from L2 (512^2, 0.5 MiB in bf16). */
	one_shape(1, 4096, 4096, nt, rounds, peaks, bw);
	one_shape(4, 4096, 4096, nt, rounds, peaks, bw);
	one_shape(8, 4096, 4096, nt, rounds, peaks, bw);
	one_shape(16, 4096, 4096, nt, rounds, peaks, bw);
	one_shape(4, 512, 512, nt, rounds, peaks, bw);
	one_shape(8, 512, 512, nt, rounds, peaks, bw);
	return 0;
}
