#define _GNU_SOURCE
#include "util/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct worker {
	struct nb_pool *pool;
	pthread_t thread;
	int tid;
};

struct nb_pool {
	int n;
	struct worker *w;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	atomic_ulong generation;	/* bumped for each pool_run */
	atomic_int pending;		/* workers still running this generation */
	atomic_int quit;
	atomic_int arrived;		/* pool_barrier: threads at the barrier */
	atomic_ulong phase;		/* pool_barrier: bumped when all arrive */
	pthread_cond_t phase_cv;
	int pinned;
	cpu_set_t mask;			/* the caller's affinity: workers pin within it */
	nb_pool_fn fn;
	void *arg;
};

#define SPIN_LIMIT 20000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* Pins the calling thread to the SLOT-th CPU of MASK (wrapping around). */
static void pin_to(const cpu_set_t *mask, int slot)
{
	cpu_set_t one;
	int seen = 0, count = CPU_COUNT(mask);

	if (count < 1)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, mask))
			continue;
		if (seen++ == slot % count) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct nb_pool *p = w->pool;
	unsigned long seen = 0;

	if (p->pinned)
		pin_to(&p->mask, w->tid);
	for (;;) {
		/* Spin briefly: back-to-back pool_run calls (small kernels) then
		 * cost a cache-line transfer, not a futex wake-up. */
		for (int spin = 0; spin < SPIN_LIMIT; spin++) {
			if (atomic_load_explicit(&p->generation, memory_order_acquire) != seen ||
			    atomic_load_explicit(&p->quit, memory_order_relaxed))
				break;
			cpu_relax();
			if ((spin & 255) == 255)
				sched_yield();
		}
		pthread_mutex_lock(&p->mu);
		while (atomic_load(&p->generation) == seen && !atomic_load(&p->quit))
			pthread_cond_wait(&p->go, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (atomic_load(&p->quit))
			return NULL;
		seen = atomic_load_explicit(&p->generation, memory_order_acquire);

		p->fn(p->arg, w->tid, p->n);

		if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

struct nb_pool *pool_create(int n, int pin)
{
	struct nb_pool *p;

	if (n < 1) {
		error("thread count must be at least 1, not %d", n);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->n = n;
	p->w = xcalloc((size_t)n, sizeof(*p->w));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	pthread_cond_init(&p->phase_cv, NULL);
	if (pin && sched_getaffinity(0, sizeof(p->mask), &p->mask) == 0)
		p->pinned = 1;
	for (int i = 1; i < n; i++) {
		p->w[i].pool = p;
		p->w[i].tid = i;
		if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i])) {
			p->n = i;
			pool_free(p);
			error("cannot start worker thread %d", i);
			return NULL;
		}
	}
	/* The caller is thread 0 but is never pinned: threads it starts later
	 * (a library's OpenMP or BLAS threads, in a program that links the
	 * pool) inherit its mask, and pinning it to one core would crowd them
	 * all onto that core.  Setting and restoring the mask around every
	 * pool_run would cost two system calls (about 10 us) per run, more
	 * than small kernels take; the workers stay off slot 0 instead. */
	return p;
}

void pool_free(struct nb_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->quit, 1);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int i = 1; i < p->n; i++)
		pthread_join(p->w[i].thread, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->phase_cv);
	free(p->w);
	free(p);
}

int pool_threads(const struct nb_pool *p)
{
	return p->n;
}

void pool_run(struct nb_pool *p, nb_pool_fn fn, void *arg)
{
	if (p->n == 1) {
		fn(arg, 0, 1);
		return;
	}
	p->fn = fn;
	p->arg = arg;
	atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);

	fn(arg, 0, p->n);

	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
			return;
		cpu_relax();
		/* Oversubscribed or shared CPUs: let the awaited thread run. */
		if ((spin & 255) == 255)
			sched_yield();
	}
	pthread_mutex_lock(&p->mu);
	while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* Spins first (the threads of a GEMM arrive within microseconds of each
 * other), then sleeps: on a loaded machine the last thread may be
 * preempted for a whole time slice. */
void pool_barrier(struct nb_pool *p)
{
	unsigned long ph;

	if (p->n == 1)
		return;
	ph = atomic_load_explicit(&p->phase, memory_order_acquire);
	if (atomic_fetch_add_explicit(&p->arrived, 1, memory_order_acq_rel) == p->n - 1) {
		atomic_store_explicit(&p->arrived, 0, memory_order_relaxed);
		pthread_mutex_lock(&p->mu);
		atomic_fetch_add_explicit(&p->phase, 1, memory_order_release);
		pthread_cond_broadcast(&p->phase_cv);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		if (atomic_load_explicit(&p->phase, memory_order_acquire) != ph)
			return;
		cpu_relax();
		if ((spin & 255) == 255)
			sched_yield();
	}
	pthread_mutex_lock(&p->mu);
	while (atomic_load_explicit(&p->phase, memory_order_acquire) == ph)
		pthread_cond_wait(&p->phase_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void pool_split(long total, long align, int tid, int nthreads, long *begin, long *end)
{
	long units, per, extra, b, e;

	if (align < 1)
		align = 1;
	units = (total + align - 1) / align;
	per = units / nthreads;
	extra = units % nthreads;
	b = tid * per + (tid < extra ? tid : extra);
	e = b + per + (tid < extra ? 1 : 0);
	b *= align;
	e *= align;
	*begin = b < total ? b : total;
	*end = e < total ? e : total;
}
