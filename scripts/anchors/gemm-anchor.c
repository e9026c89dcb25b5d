/* gemm-anchor: npubench's GEMM kernels side by side with OpenBLAS sgemm and
 * oneDNN's u8 x s8 -> s32 matmul, on the same shapes and thread count,
 * interleaved (one timed sample of each contender per round, best of the
 * rounds).  A benchmark, not a test.  Built and run by
 * scripts/anchors/gemm.sh; links libnpubench.a for npubench's kernels
 * (through the kernel descriptor, exactly as the harness runs them), its
 * peak and read-bandwidth probes (the roofs results are reported against).
 *
 *   gemm-anchor THREADS ROUNDS SIZE...     (SIZE: m=n=k; GEMV m=1 n=k=4096 is added)
 *
 * Threads of the libraries come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS,
 * which the script sets to THREADS. */
#include <cblas.h>
#include <dnnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/peak.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/timer.h"
#include "util/util.h"

#define MAX_C 12

struct contender {
	char label[48];
	char impl[48];
	double ops, bytes;	/* per execution */
	int is_int;
	double best;		/* seconds per execution */
	int reps;		/* executions per timed sample */
	void (*run)(struct contender *);
	/* npubench */
	const struct nb_kernel *k;
	void *state;
	char verify[40];
	/* libraries */
	long m, n, k_;
	float *fa, *fb, *fc;
	dnnl_primitive_t prim;
	dnnl_stream_t strm;
	dnnl_exec_arg_t args[3];
	int ref;		/* index of the contender the ratio is against, -1 none */
	double target;		/* the target for that ratio, 0 none */
	int ref2;		/* a second ratio (int4 vs oneDNN) */
};

static struct nb_pool *pool;
static dnnl_engine_t eng;

static void run_nb(struct contender *c)
{
	for (int i = 0; i < c->reps; i++)
		c->k->execute(c->state);
}

static void run_sgemm(struct contender *c)
{
	for (int i = 0; i < c->reps; i++)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->m, (int)c->n, (int)c->k_,
			    1.0f, c->fa, (int)c->k_, c->fb, (int)c->n, 0.0f, c->fc, (int)c->n);
}

static void run_dnnl(struct contender *c)
{
	for (int i = 0; i < c->reps; i++)
		dnnl_primitive_execute(c->prim, c->strm, 3, c->args);
	dnnl_stream_wait(c->strm);
}

#define DNNL_OK(x)								\
	do {									\
		dnnl_status_t st_ = (x);					\
		if (st_ != dnnl_success) {					\
			fprintf(stderr, "gemm-anchor: %s failed: %d\n", #x, (int)st_); \
			exit(1);						\
		}								\
	} while (0)

static void add_nb(struct contender *c, const char *dtype, long m, long n, long k, int nt)
{
	char text[160], msg[256];
	struct nb_case cs;
	struct nb_work w;
	const struct nb_cpu *cpu = cpu_detect();
	struct nb_host_env env = { pool, cpu, 1, cpu->isa };

	snprintf(text, sizeof(text), "gemm dtype=%s m=%ld n=%ld k=%ld", dtype, m, n, k);
	if (case_parse(text, &cs, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "gemm-anchor: %s\n", msg);
		exit(1);
	}
	c->k = cs.kernel;
	c->k->work(&cs, &w);
	c->ops = w.ops;
	c->bytes = w.bytes;
	c->is_int = !strcmp(w.unit, "OP/s");
	snprintf(c->label, sizeof(c->label), "npubench %s", dtype);
	snprintf(c->impl, sizeof(c->impl), "%s", c->k->impl(&cs, cpu->isa));
	if (c->k->setup(&cs, &env, &c->state) < 0)
		exit(1);
	c->run = run_nb;
	(void)nt;
}

static void add_sgemm(struct contender *c, long m, long n, long k)
{
	struct nb_rng g;

	rng_seed(&g, 3, 1);
	c->m = m;
	c->n = n;
	c->k_ = k;
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
	snprintf(c->label, sizeof(c->label), "OpenBLAS sgemm");
	snprintf(c->impl, sizeof(c->impl), "%.47s", openblas_get_config());
	c->run = run_sgemm;
}

static void add_dnnl(struct contender *c, long m, long n, long k)
{
	dnnl_memory_desc_t a_md, b_md, c_md;
	dnnl_matmul_desc_t md;
	dnnl_primitive_desc_t pd;
	dnnl_memory_t am, bm, cm;
	dnnl_dims_t ad = { m, k }, bd = { k, n }, cd = { m, n };
	const char *info = NULL;
	struct nb_rng g;
	uint8_t *a = nb_aligned_alloc((size_t)(m * k));
	int8_t *b = nb_aligned_alloc((size_t)(k * n));
	int32_t *cc = nb_aligned_alloc((size_t)(m * n) * 4);

	rng_seed(&g, 3, 2);
	for (long i = 0; i < m * k; i++)
		a[i] = (uint8_t)rng_range(&g, 0, 255);
	for (long i = 0; i < k * n; i++)
		b[i] = (int8_t)rng_range(&g, -128, 127);
	/* Plain row-major layouts, as npubench gets them: no prepacked weights. */
	DNNL_OK(dnnl_memory_desc_init_by_tag(&a_md, 2, ad, dnnl_u8, dnnl_ab));
	DNNL_OK(dnnl_memory_desc_init_by_tag(&b_md, 2, bd, dnnl_s8, dnnl_ab));
	DNNL_OK(dnnl_memory_desc_init_by_tag(&c_md, 2, cd, dnnl_s32, dnnl_ab));
	DNNL_OK(dnnl_matmul_desc_init(&md, &a_md, &b_md, NULL, &c_md));
	DNNL_OK(dnnl_primitive_desc_create(&pd, &md, NULL, eng, NULL));
	DNNL_OK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info));
	DNNL_OK(dnnl_primitive_create(&c->prim, pd));
	DNNL_OK(dnnl_memory_create(&am, &a_md, eng, a));
	DNNL_OK(dnnl_memory_create(&bm, &b_md, eng, b));
	DNNL_OK(dnnl_memory_create(&cm, &c_md, eng, cc));
	DNNL_OK(dnnl_stream_create(&c->strm, eng, dnnl_stream_default_flags));
	c->args[0] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, am };
	c->args[1] = (dnnl_exec_arg_t){ DNNL_ARG_WEIGHTS, bm };
	c->args[2] = (dnnl_exec_arg_t){ DNNL_ARG_DST, cm };
	c->ops = 2.0 * m * n * k;
	c->bytes = (double)(m * k + k * n) + 4.0 * m * n;
	c->is_int = 1;
	snprintf(c->label, sizeof(c->label), "oneDNN u8s8s32");
	snprintf(c->impl, sizeof(c->impl), "%.47s", info ? info : "?");
	c->run = run_dnnl;
}

/* Times all contenders, interleaved, ROUNDS rounds; keeps the best. */
static void measure(struct contender *cs, int nc, int rounds)
{
	for (int i = 0; i < nc; i++) {
		double t0 = timer_now(), dt;

		cs[i].reps = 1;
		cs[i].run(&cs[i]);	/* warm-up: pages, packing buffers, JIT */
		dt = timer_now() - t0;
		cs[i].reps = dt < 0.05 ? (int)(0.05 / (dt > 1e-6 ? dt : 1e-6)) + 1 : 1;
		cs[i].best = 1e30;
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < nc; i++) {
			double t0 = timer_now(), dt;

			cs[i].run(&cs[i]);
			dt = (timer_now() - t0) / cs[i].reps;
			if (dt < cs[i].best)
				cs[i].best = dt;
		}
}

static void report(const char *shape, int nt, struct contender *cs, int nc, double peak, double bw)
{
	for (int i = 0; i < nc; i++) {
		struct contender *c = &cs[i];
		double rate = c->ops / c->best;
		char ratio[64] = "", tgt[16] = "";

		if (c->ref >= 0) {
			double x = rate / (cs[c->ref].ops / cs[c->ref].best);

			snprintf(ratio, sizeof(ratio), "%.2fx %s", x, cs[c->ref].label + (cs[c->ref].label[0] == 'n' ? 9 : 0));
			if (c->target > 0)
				snprintf(tgt, sizeof(tgt), "%s%.2f", x >= c->target ? ">=" : "MISS<", c->target);
		}
		if (c->ref2 >= 0) {
			size_t l = strlen(ratio);

			snprintf(ratio + l, sizeof(ratio) - l, ", %.2fx oneDNN",
				 rate / (cs[c->ref2].ops / cs[c->ref2].best));
		}
		printf("%-12s %3d  %-15s %-24.24s %9.3f %8.1f %s %6.1f%% %7.1f %5.2f  %-22s %-9s %s\n",
		       shape, nt, c->label, c->impl, c->best * 1e3, rate / 1e9, c->is_int ? "GOP/s " : "GFLOP/s",
		       100 * rate / peak, c->bytes / c->best / 1e9, c->bytes / c->best / bw, ratio, tgt,
		       c->verify);
	}
}

static void verify_nb(struct contender *cs, int nc)
{
	for (int i = 0; i < nc; i++) {
		struct nb_verify v;

		if (!cs[i].state)
			continue;
		cs[i].k->verify(cs[i].state, &v);
		snprintf(cs[i].verify, sizeof(cs[i].verify), "%s", v.ok ? "ok" : "FAILED");
		cs[i].k->teardown(cs[i].state);
		cs[i].state = NULL;
	}
}

static void free_libs(struct contender *cs, int nc)
{
	for (int i = 0; i < nc; i++) {
		nb_aligned_free(cs[i].fa);
		nb_aligned_free(cs[i].fb);
		nb_aligned_free(cs[i].fc);
		if (cs[i].prim) {
			for (int a = 0; a < 3; a++) {
				void *h = NULL;

				dnnl_memory_get_data_handle(cs[i].args[a].memory, &h);
				dnnl_memory_destroy(cs[i].args[a].memory);
				nb_aligned_free(h);
			}
			dnnl_primitive_destroy(cs[i].prim);
			dnnl_stream_destroy(cs[i].strm);
		}
	}
}

/* One shape: npubench fp32/fp16/bf16/int8/int4, OpenBLAS, oneDNN. */
static void one_shape(long m, long n, long k, int nt, int rounds, double peak, double bw)
{
	struct contender cs[MAX_C];
	enum { FP32, FP16, BF16, SGEMM, INT8, DNNL, INT4, NC };
	char shape[32];
	int gemv = m <= 16;

	memset(cs, 0, sizeof(cs));
	for (int i = 0; i < NC; i++)
		cs[i].ref = cs[i].ref2 = -1;
	add_nb(&cs[FP32], "fp32", m, n, k, nt);
	add_nb(&cs[FP16], "fp16", m, n, k, nt);
	add_nb(&cs[BF16], "bf16", m, n, k, nt);
	add_sgemm(&cs[SGEMM], m, n, k);
	add_nb(&cs[INT8], "int8", m, n, k, nt);
	add_dnnl(&cs[DNNL], m, n, k);
	add_nb(&cs[INT4], "int4", m, n, k, nt);
	cs[FP32].ref = cs[FP16].ref = cs[BF16].ref = SGEMM;
	/* The targets: square shapes, and int4 at m = 1 (GEMV). */
	cs[FP16].target = cs[BF16].target = gemv ? 0 : 0.90;
	cs[INT8].ref = DNNL;
	cs[INT8].target = gemv ? 0 : 1.0;
	cs[INT4].ref = INT8;
	cs[INT4].target = m == 1 ? 1.6 : gemv ? 0 : 0.9;
	cs[INT4].ref2 = DNNL;
	measure(cs, NC, gemv ? rounds * 3 : rounds);
	verify_nb(cs, NC);
	if (m == n && n == k)
		snprintf(shape, sizeof(shape), "%ld^3", m);
	else
		snprintf(shape, sizeof(shape), "%ldx%ldx%ld", m, n, k);
	report(shape, nt, cs, NC, peak, bw);
	free_libs(cs, NC);
}

int main(int argc, char **argv)
{
	int nt, rounds;
	double peak, bw;

	if (argc < 3) {
		fprintf(stderr, "usage: gemm-anchor THREADS ROUNDS [SIZE...]\n");
		return 2;
	}
	nt = atoi(argv[1]);
	rounds = atoi(argv[2]);
	/* The probes first, each with its own pinned threads and nothing else
	 * of ours running. */
	peak = peak_fp32_flops(nt, 0.6);
	bw = peak_read_bandwidth(nt, 0);
	pool = pool_create(nt, 1);
	if (!pool)
		return 1;
	DNNL_OK(dnnl_engine_create(&eng, dnnl_cpu, 0));
	printf("# threads %d: fp32 FMA peak %.1f GFLOP/s (npubench probe), read bandwidth %.1f GB/s (npubench probe, 4x LLC)\n",
	       nt, peak / 1e9, bw / 1e9);
	fflush(stdout);
	for (int i = 3; i < argc; i++) {
		long s = atol(argv[i]);

		one_shape(s, s, s, nt, rounds, peak, bw);
		fflush(stdout);
	}
	one_shape(1, 4096, 4096, nt, rounds, peak, bw);
	one_shape(16, 4096, 4096, nt, rounds, peak, bw);
	pool_free(pool);
	dnnl_engine_destroy(eng);
	return 0;
}
