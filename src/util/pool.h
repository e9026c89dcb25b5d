/* A fixed pool of worker threads, each pinned to one core, that run one
 * function together and meet at a barrier.  Thread 0 is the caller, which
 * keeps its own affinity (it is never pinned, so threads it starts later
 * are not confined to one core). */
#ifndef NB_POOL_H
#define NB_POOL_H

struct nb_pool;

/* fn(arg, tid, nthreads) runs on every thread, tid 0 on the caller. */
typedef void (*nb_pool_fn)(void *arg, int tid, int nthreads);

/* Creates a pool of N threads (N >= 1).  pin: pin worker i (1..N-1) to the
 * i-th CPU of the caller's mask; the caller is left as it is.  Returns NULL
 * after reporting an error. */
struct nb_pool *pool_create(int n, int pin);
void pool_free(struct nb_pool *p);
int pool_threads(const struct nb_pool *p);
/* Runs fn on every thread and returns when all have finished. */
void pool_run(struct nb_pool *p, nb_pool_fn fn, void *arg);
/* Inside fn: returns when all N threads of the run have called it (the
 * same number of times on every thread).  A no-op with one thread. */
void pool_barrier(struct nb_pool *p);
/* Splits [0, total) into nthreads contiguous parts, aligned to ALIGN. */
void pool_split(long total, long align, int tid, int nthreads, long *begin, long *end);

#endif
