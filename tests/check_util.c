/* Unit tests of src/util: parsing, strings, fp16/bf16, statistics, pool. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_suites.h"
#include "util/half.h"
#include "util/load.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/stats.h"
#include "util/util.h"

START_TEST(parse_numbers)
{
	int64_t v;
	double d;

	ck_assert_int_eq(nb_parse_i64("4096", &v), 0);
	ck_assert_int_eq(v, 4096);
	ck_assert_int_eq(nb_parse_i64("4k", &v), 0);
	ck_assert_int_eq(v, 4096);
	ck_assert_int_eq(nb_parse_i64("2M", &v), 0);
	ck_assert_int_eq(v, 2 << 20);
	ck_assert_int_eq(nb_parse_i64("-7", &v), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(nb_parse_i64("12x", &v), -1);
	ck_assert_int_eq(nb_parse_i64("", &v), -1);
	ck_assert_int_eq(nb_parse_i64("99999999999999999999", &v), -1);
	ck_assert_int_eq(nb_parse_i64("9000000000G", &v), -1);
	ck_assert_int_eq(nb_parse_double("0.25", &d), 0);
	ck_assert_double_eq(d, 0.25);
	ck_assert_int_eq(nb_parse_double("nan", &d), -1);
	ck_assert_int_eq(nb_parse_double("1e999", &d), -1);
}
END_TEST

START_TEST(strbuf_grows)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_str_eq(sb_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i % 10);
	ck_assert_uint_eq(sb.len, 2000);
	ck_assert_int_eq(strncmp(sb.buf, "0,1,2,", 6), 0);
	sb_release(&sb);
}
END_TEST

START_TEST(half_roundtrip)
{
	/* Every fp16 value converts to float and back unchanged. */
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = nb_fp16_to_f32((uint16_t)h);

		if (isnan(f))
			continue;
		ck_assert_uint_eq(nb_f32_to_fp16(f), h);
	}
	ck_assert_uint_eq(nb_f32_to_fp16(65520.0f), 0x7c00);	/* rounds to inf */
	ck_assert_uint_eq(nb_f32_to_fp16(1.0f + 0x1p-11f), 0x3c00);	/* tie to even */
	ck_assert_uint_eq(nb_f32_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
	ck_assert_float_eq(nb_fp16_to_f32(0x0001), 0x1p-24f);
	ck_assert_uint_eq(nb_f32_to_bf16(1.0f), 0x3f80);
	ck_assert_uint_eq(nb_f32_to_bf16(1.0f + 0x1p-8f), 0x3f80);	/* tie to even */
	ck_assert_uint_eq(nb_f32_to_bf16(1.0f + 0x1p-8f + 0x1p-12f), 0x3f81);
	ck_assert_float_eq(nb_bf16_to_f32(0xc040), -3.0f);
}
END_TEST

START_TEST(stats_known_values)
{
	/* Hand-computed: sorted 1..10 plus an outlier 100. */
	double x[] = { 5, 3, 100, 1, 2, 4, 6, 7, 8, 9, 10 };
	struct nb_stats s;

	stats_compute(x, 11, &s);
	ck_assert_uint_eq(s.n, 11);
	ck_assert_double_eq(s.min, 1);
	ck_assert_double_eq(s.max, 100);
	ck_assert_double_eq(s.median, 6);
	ck_assert_double_eq_tol(s.mean, 155.0 / 11.0, 1e-12);
	/* |x - 6|: 1 3 94 5 4 2 0 1 2 3 4 -> sorted median 3 */
	ck_assert_double_eq(s.mad, 3);
	/* type 7: p95 at h = 9.5 between 10 and 100 */
	ck_assert_double_eq_tol(s.p95, 55, 1e-12);
	ck_assert_double_eq_tol(s.p5, 1.5, 1e-12);
	ck_assert_int_eq(s.outliers, 1);
	/* n = 11: P(X <= 1) = 12/2048 <= 2.5%, P(X <= 2) = 67/2048 > 2.5%,
	 * so j = 2: the interval is [x(2), x(10)] = [2, 10]. */
	ck_assert_double_eq(s.ci_lo, 2);
	ck_assert_double_eq(s.ci_hi, 10);
	/* sample sd, computed by hand: sum of squares about the mean */
	double sq = 0;
	for (int i = 0; i < 11; i++)
		sq += (x[i] - 155.0 / 11.0) * (x[i] - 155.0 / 11.0);
	ck_assert_double_eq_tol(s.sd, sqrt(sq / 10), 1e-12);
}
END_TEST

START_TEST(stats_large_n_ci)
{
	double x[100];
	struct nb_stats s;

	for (int i = 0; i < 100; i++)
		x[i] = i + 1;
	stats_compute(x, 100, &s);
	/* j = floor(50 - 1.96 * 10 / 2) = 40: [x(40), x(61)] */
	ck_assert_double_eq(s.ci_lo, 40);
	ck_assert_double_eq(s.ci_hi, 61);
	ck_assert_double_eq(s.median, 50.5);
}
END_TEST

struct sum_arg {
	long total;
	long parts[8];
};

static void count_part(void *arg, int tid, int nt)
{
	struct sum_arg *a = arg;
	long b, e;

	pool_split(a->total, 16, tid, nt, &b, &e);
	a->parts[tid] = e - b;
}

START_TEST(pool_splits_all_work)
{
	struct nb_pool *p = pool_create(3, 0);
	struct sum_arg a = { .total = 1001 };

	ck_assert_ptr_nonnull(p);
	for (int rep = 0; rep < 100; rep++) {
		memset(a.parts, 0, sizeof(a.parts));
		pool_run(p, count_part, &a);
		ck_assert_int_eq(a.parts[0] + a.parts[1] + a.parts[2], 1001);
		ck_assert_int_eq(a.parts[0] % 16, 0);
	}
	pool_free(p);
}
END_TEST

/* pool_barrier: no thread passes round R's barrier before all have
 * written round R, over many rounds (the spin path) and with a late thread
 * that sleeps past the spinning (the sleeping path). */
struct barrier_arg {
	struct nb_pool *pool;
	volatile long slot[3];
	volatile int bad;
};

static void barrier_rounds(void *arg, int tid, int nt)
{
	struct barrier_arg *a = arg;

	for (long r = 1; r <= 2000; r++) {
		if (tid == nt - 1 && r % 500 == 0)
			usleep(50000);
		a->slot[tid] = r;
		pool_barrier(a->pool);
		for (int t = 0; t < nt; t++)
			if (a->slot[t] != r)
				a->bad = 1;
		pool_barrier(a->pool);
	}
}

START_TEST(pool_barrier_holds_every_thread)
{
	struct barrier_arg a = { .pool = pool_create(3, 0) };

	ck_assert_ptr_nonnull(a.pool);
	pool_run(a.pool, barrier_rounds, &a);
	ck_assert_int_eq(a.bad, 0);
	pool_free(a.pool);
	a.pool = pool_create(1, 0);	/* one thread: a no-op */
	ck_assert_ptr_nonnull(a.pool);
	pool_run(a.pool, barrier_rounds, &a);
	ck_assert_int_eq(a.bad, 0);
	pool_free(a.pool);
}
END_TEST

/* A pinned pool leaves its caller's affinity as it was, during its life
 * and after, so threads the caller starts (a library's OpenMP team) are not
 * confined to one core; a thread started meanwhile sees the full mask. */
static void *mask_count(void *arg)
{
	cpu_set_t m;

	sched_getaffinity(0, sizeof(m), &m);
	*(int *)arg = CPU_COUNT(&m);
	return NULL;
}

static void touch(void *arg, int tid, int nt)
{
	(void)arg;
	(void)tid;
	(void)nt;
}

START_TEST(pool_leaves_caller_unpinned)
{
	cpu_set_t before, during;
	struct nb_pool *p;
	pthread_t t;
	int child = 0;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	p = pool_create(2, 1);
	ck_assert_ptr_nonnull(p);
	pool_run(p, touch, NULL);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(during), &during), 0);
	ck_assert(CPU_EQUAL(&before, &during));
	ck_assert_int_eq(pthread_create(&t, NULL, mask_count, &child), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(child, CPU_COUNT(&before));
	pool_free(p);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(during), &during), 0);
	ck_assert(CPU_EQUAL(&before, &during));
}
END_TEST

START_TEST(rng_is_seeded)
{
	struct nb_rng a, b, c;
	int differ = 0;

	rng_seed(&a, 42, 0);
	rng_seed(&b, 42, 0);
	rng_seed(&c, 42, 1);
	for (int i = 0; i < 1000; i++) {
		float x = rng_float(&a);

		ck_assert_float_eq(x, rng_float(&b));
		ck_assert(x >= -1.0f && x < 1.0f);
		differ += x != rng_float(&c);
	}
	ck_assert_int_gt(differ, 990);
}
END_TEST

/* /proc/stat text: only the cpuN lines of the chosen CPUs count, idle and
 * iowait never. */
START_TEST(load_parses_stat)
{
	const char *text = "cpu  100 10 50 1000 7 1 2 3 0 0\n"
			   "cpu0 40 5 20 500 3 1 1 1 0 0\n"
			   "cpu1 60 5 30 500 4 0 1 2 0 0\n"
			   "intr 1 2 3\n";
	unsigned char only1 = 2;
	struct nb_load_snap a = { 0, 10, 1, 1 }, b = { 2, 13, 2, 1 }, c = b;
	double ticks;

	ck_assert_int_eq(load_parse_stat(text, NULL, 0, &ticks), 2);
	ck_assert_double_eq(ticks, 40 + 5 + 20 + 1 + 1 + 1 + 60 + 5 + 30 + 0 + 1 + 2);
	ck_assert_int_eq(load_parse_stat(text, &only1, 8, &ticks), 1);
	ck_assert_double_eq(ticks, 60 + 5 + 30 + 1 + 2);
	ck_assert_int_eq(load_parse_stat("cpu  1 2 3 4\n", NULL, 0, &ticks), -1);
	/* 3 CPU-seconds busy in 2 s, 1 of them ours: others kept 1 CPU busy. */
	ck_assert_double_eq_tol(load_others(&a, &b), 1.0, 1e-12);
	c.t = a.t + NB_LOAD_MIN_INTERVAL / 2;	/* too short to judge */
	ck_assert(load_others(&a, &c) < 0);
	c = b;
	c.ok = 0;
	ck_assert(load_others(&a, &c) < 0);
	c = b;
	c.busy = a.busy;			/* our time beyond the CPUs' busy time: 0 */
	ck_assert_double_eq(load_others(&a, &c), 0);
	/* 2 threads on 2 CPUs: any real load disturbs; 1 thread on 2 CPUs: a
	 * CPU's worth of others fits on the free one. */
	ck_assert(load_disturbs(0.5, 2, 2));
	ck_assert(!load_disturbs(0.1, 2, 2));
	ck_assert(!load_disturbs(1.0, 1, 2));
	ck_assert(load_disturbs(1.5, 1, 2));
	ck_assert(!load_disturbs(-1, 2, 2));
}
END_TEST

/* Registrations: a live one (locked by a child) is seen and described, a
 * stale one (no lock) is removed, this process's own never counts. */
START_TEST(load_active_registrations)
{
	char dir[] = "/tmp/npubench-active-test.XXXXXX", desc[256], *path;
	int up[2], down[2], fd;
	pid_t child;
	char c = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("NPUBENCH_ACTIVE_DIR", dir, 1);
	ck_assert_str_eq(active_dir(), dir);
	ck_assert_int_eq(active_others(desc, sizeof(desc)), 0);
	ck_assert_int_eq(active_register("npubench run --case x"), 0);
	ck_assert_int_eq(active_others(desc, sizeof(desc)), 0);
	active_unregister();

	path = xasprintf("%s/999999999", dir);	/* stale: nobody holds it */
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(active_others(desc, sizeof(desc)), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(path);

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {	/* registers, says so, waits for the parent */
		if (active_register("npubench probe in the child"))
			_exit(1);
		if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(read(up[0], &c, 1), 1);
	ck_assert_int_eq(active_others(desc, sizeof(desc)), 1);
	ck_assert_ptr_nonnull(strstr(desc, "npubench probe in the child"));
	ck_assert_int_eq(write(down[1], "q", 1), 1);
	waitpid(child, NULL, 0);
	/* The child exited without unregistering: its lock died with it. */
	ck_assert_int_eq(active_others(desc, sizeof(desc)), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	unsetenv("NPUBENCH_ACTIVE_DIR");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}
END_TEST

/* "Did you mean" guesses a slip (a swap is one), never another word. */
START_TEST(near_guesses_slips_only)
{
	struct nb_near nr;

	ck_assert_int_eq(nb_edit_distance("hots", 4, "host", 4), 1);
	ck_assert_int_eq(nb_edit_distance("mkl", 3, "ck", 2), 2);
	ck_assert_int_eq(nb_edit_distance("abc", 3, "ca", 2), 3);
	ck_assert_str_eq(nb_near_choices(&nr, "bf61", "fp32|bf16"), ": did you mean 'bf16'?");
	ck_assert_str_eq(nb_near_choices(&nr, "comapre", "compare|report"), ": did you mean 'compare'?");
	ck_assert_str_eq(nb_near_choices(&nr, "mkl", "auto|cublas|ck"), "");
	ck_assert_str_eq(nb_near_choices(&nr, "x", "m|n|k"), "");
	ck_assert_str_eq(nb_near_choices(&nr, "cublsalt", "cublas|cublaslt"), ": did you mean 'cublaslt'?");
}
END_TEST

/* What error(), warning() and error_rank() print as rank RANK (-1: no
 * ranks), into BUF. */
static void errors_as_rank(int rank, char *buf, size_t len)
{
	char path[] = "/tmp/npubench-check-XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	nb_error_rank = rank;
	error("shared %s", "error");
	warning("shared warning");
	error_rank("own error");
	nb_error_rank = -1;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

/* Under mpirun rank 0 alone prints what every rank meets; a rank's own
 * error names the rank. */
START_TEST(errors_once_across_ranks)
{
	char buf[512];
	int held = nb_errors_held;

	errors_as_rank(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "npubench: shared error\nnpubench: warning: shared warning\n"
			 "npubench: own error\n");
	errors_as_rank(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "npubench: shared error\nnpubench: warning: shared warning\n"
			 "npubench: rank 0: own error\n");
	ck_assert_int_eq(nb_errors_held, held);
	errors_as_rank(3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "npubench: rank 3: own error\n");
	ck_assert_int_eq(nb_errors_held, held + 2);
	nb_errors_held = held;
}
END_TEST

Suite *suite_util(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_numbers);
	tcase_add_test(tc, errors_once_across_ranks);
	tcase_add_test(tc, near_guesses_slips_only);
	tcase_add_test(tc, strbuf_grows);
	tcase_add_test(tc, half_roundtrip);
	tcase_add_test(tc, stats_known_values);
	tcase_add_test(tc, stats_large_n_ci);
	tcase_add_test(tc, pool_splits_all_work);
	tcase_add_test(tc, pool_barrier_holds_every_thread);
	tcase_add_test(tc, pool_leaves_caller_unpinned);
	tcase_add_test(tc, rng_is_seeded);
	tcase_add_test(tc, load_parses_stat);
	tcase_add_test(tc, load_active_registrations);
	suite_add_tcase(s, tc);
	return s;
}
