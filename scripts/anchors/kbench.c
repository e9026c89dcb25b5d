/* kbench: times npubench kernel cases directly through their descriptors
 * (setup, untimed warm-up, timed repetitions, verify after timing), for the
 * anchor benchmarks in scripts/anchors/.  One line per case on stdout:
 *   CASE<TAB>IMPL<TAB>best_s<TAB>median_s<TAB>rate<TAB>actual_rate<TAB>wa_rate<TAB>ok<TAB>err/tol
 * rate is ops/s (or bytes/s for B/s kernels) at the best time; actual_rate
 * uses work.actual_ops (sparse), wa_rate work.bytes_wa; 0 when undeclared.
 *   kbench [-t THREADS] [-s MIN_SECONDS] [-r MIN_REPS] CASE...
 *   kbench -l     prints the detected last-level cache size in bytes
 * Built by the anchor scripts against libnpubench.a of a build tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/pool.h"
#include "util/stats.h"
#include "util/timer.h"
#include "util/util.h"

#define MAX_REPS 1000

static int bench_one(const char *text, struct nb_pool *pool, double min_s, int min_reps)
{
	struct nb_case c;
	struct nb_work w;
	struct nb_host_env env = { pool, cpu_detect(), 42, cpu_detect()->isa };
	struct nb_verify v;
	double t[MAX_REPS], total = 0, best, med, q;
	void *st = NULL;
	char msg[256];
	int n = 0;

	if (case_parse(text, &c, msg, sizeof(msg)) || case_check(&c, msg, sizeof(msg)))
		return error("%s", msg);
	c.kernel->work(&c, &w);
	if (c.kernel->setup(&c, &env, &st))
		return -1;
	c.kernel->execute(st);	/* warm-up, untimed */
	while (n < MAX_REPS && (n < min_reps || total < min_s)) {
		double t0 = timer_now();

		c.kernel->execute(st);
		t[n] = timer_now() - t0;
		total += t[n++];
	}
	memset(&v, 0, sizeof(v));
	c.kernel->verify(st, &v);
	c.kernel->teardown(st);
	best = t[0];
	for (int i = 1; i < n; i++)
		if (t[i] < best)
			best = t[i];
	med = stats_median(t, (size_t)n);
	q = strcmp(w.unit, "B/s") ? w.ops : w.bytes;
	printf("%s\t%s\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%s\t%.2g/%.2g\n", text, c.kernel->impl(&c, env.isa),
	       best, med, q / best, w.actual_ops / best, w.bytes_wa / best, v.ok ? "ok" : "FAIL",
	       v.max_err, v.tol);
	if (!v.ok)
		fprintf(stderr, "kbench: %s: verification failed: %s = %g > %g\n", text, v.what,
			v.max_err, v.tol);
	fflush(stdout);
	return v.ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	int threads = 1, reps = 3, opt, rc = 0;
	double secs = 0.5;
	struct nb_pool *pool;

	while ((opt = getopt(argc, argv, "t:s:r:l")) != -1) {
		switch (opt) {
		case 'l':
			printf("%lld\n", (long long)cpu_detect()->l3);
			return 0;
		case 't': threads = atoi(optarg); break;
		case 's': secs = atof(optarg); break;
		case 'r': reps = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: kbench [-t THREADS] [-s SECONDS] [-r REPS] CASE...\n");
			return 2;
		}
	}
	pool = pool_create(threads, 1);
	if (!pool)
		return 1;
	for (int i = optind; i < argc; i++)
		if (bench_one(argv[i], pool, secs, reps))
			rc = 1;
	pool_free(pool);
	return rc;
}
