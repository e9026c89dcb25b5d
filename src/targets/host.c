/* The host harness: real execution, measured with STREAM's discipline.
 * Untimed warm-up; samples batched to stay far above the timer's tick;
 * repetitions until both a minimum time and a minimum count are met, or
 * early once the median is stable; verification after timing. */
#include "targets/target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/cpu.h"
#include "util/load.h"
#include "util/pool.h"
#include "util/stats.h"
#include "util/timer.h"
#include "util/mpi.h"
#include "util/util.h"

volatile sig_atomic_t nb_interrupted;
volatile sig_atomic_t nb_abandon;

static void on_alarm(int sig)
{
	NB_UNUSED(sig);
	nb_abandon = 1;
}

/* Arms (SECONDS > 0) or disarms the per-case time limit. */
static void case_timer(double seconds)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (seconds > 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		it.it_value.tv_sec = (time_t)seconds;
		it.it_value.tv_usec = (suseconds_t)((seconds - floor(seconds)) * 1e6);
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A sample must last at least this many timer ticks (STREAM asks for 20;
 * we keep quantization error below 0.1%). */
#define MIN_TICKS_PER_SAMPLE 1000.0
#define MAX_BATCH 1000000

/* What one case watches while it runs, between executions: the progress
 * shown, and whether another npubench measurement shares the machine. */
struct watch {
	const struct nb_measure_opts *o;
	double start, last_tick, last_scan;
	int concurrent;			/* another measurement was seen */
	struct nb_load_snap l0;		/* the CPUs' busy time when sampling began */
};

#define TICK_EVERY 0.2
#define SCAN_EVERY 1.0

static void watch_start(struct watch *w, const struct nb_measure_opts *o)
{
	memset(w, 0, sizeof(*w));
	w->o = o;
	w->start = w->last_tick = w->last_scan = timer_now();
	/* Ranks of one job on one machine load each other by design. */
	if (!ranks_many())
		w->concurrent = active_others(NULL, 0) > 0;
}

/* NOW: timer_now() just taken; LEFT: the case's estimated time left. */
static void watch(struct watch *w, double now, double left)
{
	if (w->o->tick && now - w->last_tick >= TICK_EVERY) {
		w->last_tick = now;
		w->o->tick(w->o->tick_arg, now - w->start, left > 0 ? left : 0);
	}
	if (!w->concurrent && !ranks_many() && now - w->last_scan >= SCAN_EVERY) {
		w->last_scan = now;
		w->concurrent = active_others(NULL, 0) > 0;
	}
}

static void add_flag(struct strbuf *flags, const char *f)
{
	sb_addf(flags, "%s%s", flags->len ? "," : "", f);
}

static int fail_result(struct nb_result *r, enum nb_result_status st, const char *fmt, ...)
	NB_PRINTF(3, 4);

static int fail_result(struct nb_result *r, enum nb_result_status st, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->status = st;
	free(r->message);
	r->message = sb_detach(&sb);
	return 0;
}

struct nb_target_mem host_target_mem(void)
{
	struct nb_target_mem m = { (double)cpu_detect()->l3, ranks_size() };

	return m;
}

/* Under MPI every rank must take the same decisions in the same order: the
 * figures they rest on become the maxima over the ranks (the slowest rank's
 * time, as nccl-tests reports), an interrupt on one rank stops all. */
static int in_step2(double *a, double *b)
{
	double v[4] = { *a, b ? *b : 0, nb_interrupted, nb_abandon };

	if (!ranks_many())
		return nb_interrupted || nb_abandon;
	ranks_max(v, 4);
	*a = v[0];
	if (b)
		*b = v[1];
	if (v[2] > 0)
		nb_interrupted = 1;
	if (v[3] > 0)		/* one rank's --case-timeout stops them all */
		nb_abandon = 1;
	/* The shared decision: a signal after the exchange must not make one
	 * rank leave a loop the others stay in. */
	return v[2] > 0 || v[3] > 0;
}

/* After the timer is off: whether any rank ran out of time or was
 * interrupted, the same on every rank. */
static void abandon_in_step(void)
{
	double v[2] = { nb_abandon, nb_interrupted };

	ranks_max(v, 2);
	nb_abandon = v[0] > 0 || v[1] > 0;
	nb_interrupted = v[1] > 0;
}

/* The watchdog's time for a case: --case-timeout and a grace for the
 * sample in progress when it runs out. */
static double watchdog_seconds(const struct nb_measure_opts *o)
{
	return o->case_timeout > 0 ? o->case_timeout + fmax(5, o->case_timeout / 4) : 0;
}

static int in_step(double *a)
{
	return in_step2(a, NULL);
}

/* Whether OK holds on every rank. */
static int in_step_ok(int ok)
{
	double bad = !ok;

	ranks_max(&bad, 1);
	return bad == 0;
}

/* Untimed warm-up: pages faulted, caches and frequency settled.  Short
 * kernels get at least 50 ms of it (or a quarter of --min-time).  The
 * fastest warm-up run sizes the batch, which is returned; *WARM is the first,
 * cold run. */
static long warm_up(const struct nb_kernel *k, void *state, const struct nb_measure_opts *o,
		    double *warm, struct watch *wt)
{
	double tick = timer_tick(), fastest = INFINITY, t0, dt;
	long batch = 1;

	/* Under MPI the interrupt is acted on once the ranks have shared it. */
	for (double w = 0; !nb_abandon || ranks_many();) {
		t0 = timer_now();
		k->execute(state);
		dt = timer_now() - t0;
		w += dt;
		if (dt < fastest)
			fastest = dt;
		*warm = *warm > 0 ? *warm : dt;
		if (in_step(&w) || w >= 0.05 || w >= o->min_time / 4)
			break;
		watch(wt, t0 + dt, (w < 0.05 ? 0.05 - w : 0) + o->min_time);
	}
	if (fastest < MIN_TICKS_PER_SAMPLE * tick) {
		batch = (long)ceil(MIN_TICKS_PER_SAMPLE * tick / (fastest > 0 ? fastest : tick));
		if (batch > MAX_BATCH)
			batch = MAX_BATCH;
	}
	if (ranks_many()) {	/* every rank runs the same batch: the largest asked */
		double b = (double)batch;

		ranks_max(&b, 1);
		batch = (long)b;
		ranks_barrier();
	}
	return batch;
}

/* Samples until both --min-time and --min-reps are met; then, while the
 * median's 95% CI is wider than --stable, goes on up to four times
 * --min-time.  Never beyond --max-reps.  Returns the sample count. */
static int sample(const struct nb_kernel *k, void *state, long batch,
		  const struct nb_measure_opts *o, double **samples_out, double **own_out,
		  struct watch *wt)
{
	double start = timer_now(), t0, t1, elapsed, *samples = NULL, *own = NULL;
	int n = 0, cap = 0, stop;

	while (!nb_abandon || ranks_many()) {
		t0 = timer_now();
		for (long b = 0; b < batch; b++)
			k->execute(state);
		t1 = timer_now();
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			samples = xrealloc(samples, (size_t)cap * sizeof(*samples));
			if (ranks_many())	/* this rank's own times, before the maximum */
				own = xrealloc(own, (size_t)cap * sizeof(*own));
		}
		samples[n] = (t1 - t0) / (double)batch;
		if (own)
			own[n] = samples[n];
		elapsed = t1 - start;
		stop = in_step2(&samples[n], &elapsed);
		n++;
		if (stop)
			break;
		if (n >= o->max_reps)
			break;
		/* Left: the longer of --min-time and --min-reps still to go;
		 * then, while the median settles, the most it may take. */
		watch(wt, t1, n < o->min_reps || elapsed < o->min_time ?
			  fmax(o->min_time - elapsed, (o->min_reps - n) * (elapsed / n)) :
			  fmin(4 * o->min_time - elapsed, (o->max_reps - n) * (elapsed / n)));
		if (n < o->min_reps || elapsed < o->min_time)
			continue;
		if (o->stable_rel <= 0 || elapsed >= 4 * o->min_time)
			break;
		/* The check sorts: every sample while few, then every 16th. */
		if ((n < 200 || n % 16 == 0) &&
		    stats_median_rel_width(samples, (size_t)n) <= o->stable_rel)
			break;
	}
	*samples_out = samples;
	*own_out = own;
	return n;
}

/* Rank I's own row (target host/rankI) from the aggregate R and what rank I
 * sent: V = { status, verification error, N samples }. */
static void rank_result(const struct nb_result *r, struct nb_result *x, int i, const double *v, int n,
			const char *host)
{
	x->kcase = r->kcase;
	x->kernel = xstrdup(r->kernel);
	x->case_text = xstrdup(r->case_text);
	x->params_json = xstrdup(r->params_json);
	x->dtype = r->dtype ? xstrdup(r->dtype) : NULL;
	x->target = xasprintf("host/rank%d", i);
	x->kind = NB_MEASURED;
	x->threads = r->threads;
	x->impl = r->impl ? xstrdup(r->impl) : NULL;
	x->ops = r->ops;
	x->bytes = r->bytes;
	x->actual_ops = r->actual_ops;
	x->bytes_wa = r->bytes_wa;
	x->unit = xstrdup(r->unit);
	x->samples = xmalloc((size_t)n * sizeof(double));
	memcpy(x->samples, v + 2, (size_t)n * sizeof(double));
	x->nsamples = n;
	stats_compute(x->samples, (size_t)n, &x->stats);
	x->seconds = x->stats.median;
	x->throughput = (!strcmp(x->unit, "B/s") ? x->bytes : x->ops) / x->seconds;
	x->status = (enum nb_result_status)(int)v[0];
	x->verify_err = v[1];
	x->verify_tol = r->verify_tol;
	x->verify_what = r->verify_what ? xstrdup(r->verify_what) : NULL;
	x->message = x->status == NB_RES_OK ?
		     xasprintf("rank %d of %d on %s", i, ranks_size(), host) :
		     xasprintf("rank %d of %d on %s: verification failed: error %.3g exceeds tolerance %.3g",
			       i, ranks_size(), host, x->verify_err, x->verify_tol);
}

/* Under mpirun, a kernel that ran on every rank at once: rank 0 gets each
 * rank's own timing and verification as rows of their own, and R becomes
 * the aggregate: every rank's work over the slowest rank's time (the
 * maximum per sample), failed when any rank's verification failed.  Every
 * rank calls it. */
static void per_rank(struct nb_result *r, const double *own, int n)
{
	int nr = ranks_size(), w = n + 2, bad = -1;
	double *mine = xmalloc((size_t)w * sizeof(double)), *all;
	char *hosts = ranks_hostnames(), *save = NULL, *h;

	mine[0] = r->status;
	mine[1] = r->verify_err;
	memcpy(mine + 2, own, (size_t)n * sizeof(double));
	all = ranks_gather(mine, w);
	free(mine);
	if (ranks_rank() == 0) {
		r->ranks = xcalloc((size_t)nr, sizeof(*r->ranks));
		r->nranks = nr;
		h = strtok_r(hosts, ",", &save);
		for (int i = 0; i < nr; i++, h = strtok_r(NULL, ",", &save)) {
			rank_result(r, &r->ranks[i], i, all + (size_t)i * (size_t)w, n, h ? h : "?");
			if (r->ranks[i].status != NB_RES_OK && bad < 0)
				bad = i;
		}
		r->ops *= nr;
		r->bytes *= nr;
		r->actual_ops *= nr;
		r->bytes_wa *= nr;
		r->throughput = (!strcmp(r->unit, "B/s") ? r->bytes : r->ops) / r->seconds;
		free(r->message);
		if (bad >= 0 && r->status == NB_RES_OK)
			r->status = NB_RES_VERIFY_FAILED;
		r->message = bad >= 0 ? xasprintf("verification failed on rank %d (%s)", bad,
						  r->ranks[bad].message) :
			     xasprintf("%d ranks at once: their work over the slowest rank's time", nr);
	}
	free(all);
	free(hosts);
}

/* Statistics, verification after timing (as STREAM does) and the flags a
 * reader needs to judge the samples.  Tears the case down. */
static int finish(const struct nb_case *c, void *state, double *samples, int n, long batch,
		  double warm, const struct watch *wt, struct nb_result *r)
{
	const struct nb_measure_opts *o = wt->o;
	struct nb_load_snap l1;
	double others;
	const struct nb_kernel *k = c->kernel;
	struct strbuf flags = STRBUF_INIT;
	struct nb_verify v;

	load_snap(&l1);		/* before verification, which is not measured */
	others = ranks_many() ? -1 : load_others(&wt->l0, &l1);
	r->samples = samples;
	r->nsamples = n;
	stats_compute(samples, (size_t)n, &r->stats);
	r->seconds = r->stats.median;
	memset(&v, 0, sizeof(v));
	if (k->verify(state, &v)) {
		k->teardown(state);
		return fail_result(r, NB_RES_ERROR, "verification could not run");
	}
	k->teardown(state);

	r->throughput = (!strcmp(r->unit, "B/s") ? r->bytes : r->ops) / r->seconds;
	if (k->note) {
		char note[160];

		k->note(c, r->seconds, note, sizeof(note));
		r->message = xstrdup(note);
	}
	r->verify_err = v.max_err;
	r->verify_tol = v.tol;
	r->verify_what = xstrdup(v.what[0] ? v.what : "max error");
	if (!v.ok) {
		r->status = NB_RES_VERIFY_FAILED;
		free(r->message);
		r->message = xasprintf("verification failed: error %.3g exceeds tolerance %.3g (%s)",
				       v.max_err, v.tol, r->verify_what);
	}

	if (batch > 1) {
		char b[48];

		snprintf(b, sizeof(b), "batched=%ld", batch);
		add_flag(&flags, b);
	}
	if (n < o->min_reps)
		add_flag(&flags, "few_samples");
	if (stats_noisy(&r->stats))
		add_flag(&flags, "noisy");
	if (r->stats.outliers >= 2 && r->stats.outliers * 20 > n)
		add_flag(&flags, "outliers");
	if (batch == 1 && warm > 2.0 * r->stats.median)
		add_flag(&flags, "slow_first_run");
	if (r->threads > cpu_detect()->online_cpus)
		add_flag(&flags, "oversubscribed");
	if (load_disturbs(others, r->threads, cpu_detect()->online_cpus)) {
		char b[48];

		snprintf(b, sizeof(b), "loaded=%.1f", others);
		add_flag(&flags, b);
	}
	if (wt->concurrent)
		add_flag(&flags, "concurrent_run");
	if (flags.len)
		r->flags = sb_detach(&flags);
	sb_release(&flags);
	return 0;
}

int host_measure(const struct nb_case *given, struct nb_pool *pool,
		 const struct nb_measure_opts *o, struct nb_result *r)
{
	const struct nb_kernel *k = given->kernel;
	const struct nb_cpu *cpu = cpu_detect();
	struct nb_target_mem mem = host_target_mem();
	struct nb_case rc;
	const struct nb_case *c = &rc;
	struct nb_host_env env = { pool, cpu, o->seed, cpu->isa };
	void *state = NULL;
	double need, warm = 0, *samples = NULL, *own = NULL;
	struct watch wt;
	long batch;
	int n, ret;

	memset(r, 0, sizeof(*r));
	/* The case as given is recorded; it runs with the host's sizes. */
	case_resolve(given, &mem, &rc);
	result_set_case(r, k->store_resolved ? c : given);
	result_set_work(r, c);
	r->target = xstrdup("host");
	r->kind = NB_MEASURED;
	r->threads = pool_threads(pool);
	{
		char why[256];

		if (case_measurable(c, NULL, 0, why, sizeof(why)) ||
		    (k->host_available && k->host_available(c, why, sizeof(why)))) {
			r->impl = xstrdup(k->name);
			return fail_result(r, NB_RES_UNSUPPORTED, "%s", why);
		}
	}
	r->impl = xstrdup(k->impl ? k->impl(c, cpu->isa) : k->name);
	/* Checked before allocating anything. */
	need = k->host_bytes(c);
	if (need > (double)cpu->mem_available * 0.9)
		return fail_result(r, NB_RES_NO_FIT,
				   "needs %.2f GiB but the host has %.2f GiB available",
				   need / 1073741824.0, (double)cpu->mem_available / 1073741824.0);
	nb_abandon = nb_interrupted;
	case_timer(o->case_timeout);
	ranks_watchdog_arm(watchdog_seconds(o), r->case_text);
	if (!in_step_ok(k->setup(c, &env, &state) == 0)) {
		case_timer(0);
		ranks_watchdog_disarm();
		if (state)
			k->teardown(state);
		return fail_result(r, NB_RES_ERROR, "setup failed (see the message above)%s",
				   ranks_many() ? " on at least one rank" : "");
	}

	watch_start(&wt, o);
	load_snap(&wt.l0);
	batch = warm_up(k, state, o, &warm, &wt);
	n = sample(k, state, batch, o, &samples, &own, &wt);
	case_timer(0);
	abandon_in_step();
	ranks_watchdog_disarm();
	if (nb_abandon) {
		/* The last execution may have returned early: nothing of this
		 * case is kept, only that it ran out of time. */
		k->teardown(state);
		free(samples);
		free(own);
		nb_abandon = 0;
		if (nb_interrupted) {
			result_release(r);
			return -1;
		}
		return fail_result(r, NB_RES_ERROR, "stopped after %g s (--case-timeout)",
				   o->case_timeout);
	}
	/* Verification and the per-rank rows talk to the other ranks too. */
	ranks_watchdog_arm(watchdog_seconds(o), r->case_text);
	ret = finish(c, state, samples, n, batch, warm, &wt, r);
	if (ranks_many() && !k->across_ranks)
		per_rank(r, own, n);
	ranks_watchdog_disarm();
	free(own);
	return ret;
}

/* The host as a target kind: one target, "host", measured for real. */

static int host_resolve(struct nb_ctx *ctx, const char *word, struct nb_targets *out)
{
	NB_UNUSED(ctx);
	if (strcmp(word, "host") && !(strpbrk(word, "*?[") && nb_glob_match(word, "host")))
		return 0;
	targets_add(out, &nb_target_host, "host", NULL, 1);
	return 1;
}

static int host_each(struct nb_ctx *ctx, int default_only, struct nb_targets *out)
{
	NB_UNUSED(default_only);
	return host_resolve(ctx, "host", out);
}

static const char *host_name_of(const struct nb_target *t, int i)
{
	NB_UNUSED(t);
	return i == 0 ? "host" : NULL;
}

static const char *host_describe(const struct nb_target *t)
{
	NB_UNUSED(t);
	return cpu_detect()->model;
}

/* Impossible on this host: said before anything is stored. */
static int host_check(const struct nb_target *t, const struct nb_case *c)
{
	const struct nb_cpu *cpu = cpu_detect();
	struct nb_target_mem mem = host_target_mem();
	struct nb_case rc;
	double need;
	char msg[256];

	NB_UNUSED(t);
	case_resolve(c, &mem, &rc);	/* the sizes the host will run */
	if (case_measurable(&rc, NULL, 0, msg, sizeof(msg)) ||
	    (rc.kernel->host_available && rc.kernel->host_available(&rc, msg, sizeof(msg))))
		return 0;		/* recorded as unsupported when its turn comes */
	if (case_check(&rc, msg, sizeof(msg))) {	/* e.g. bytes the ranks do not divide */
		char *text = case_format(&rc);

		error("'%s' on the host: %s", text, msg);
		free(text);
		return -2;
	}
	need = rc.kernel->host_bytes(&rc);
	if (need > (double)cpu->mem_available * 0.9) {
		char *text = case_format(c);

		error("'%s' needs %.2f GiB on the host, which has %.2f GiB available: "
		      "choose smaller sizes or --target without host", text, need / 1073741824.0,
		      (double)cpu->mem_available / 1073741824.0);
		free(text);
		return -1;
	}
	return 0;
}

static int host_open(struct nb_target *t, const struct nb_target_run *env)
{
	/* Ranks sharing a machine would all pin to its first cores: under MPI
	 * the launcher places them, the pool does not pin. */
	t->priv = pool_create(env->threads, !ranks_many());
	return t->priv ? 0 : -1;
}

static int host_run(struct nb_target *t, const struct nb_case *c, const struct nb_target_run *env,
		    struct nb_result *r)
{
	return host_measure(c, t->priv, env->m, r);
}

static void host_close(struct nb_target *t)
{
	pool_free(t->priv);
	t->priv = NULL;
}

const struct nb_target_kind nb_target_host = {
	.name = "host",
	.spelling = "host",
	.result_kind = NB_MEASURED,
	.groups = NB_TG_DEFAULT | NB_TG_ALL,
	.resolve = host_resolve,
	.each = host_each,
	.name_of = host_name_of,
	.describe = host_describe,
	.check = host_check,
	.open = host_open,
	.run = host_run,
	.close = host_close,
};
