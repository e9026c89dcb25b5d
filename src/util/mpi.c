/* MPI ranks and host collectives (see util/mpi.h).  Everything MPI is
 * behind NB_HAVE_MPI; without it the world is one rank. */
#include "util/mpi.h"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/half.h"
#include "util/util.h"

/* The launchers' rank and world size variables, in every process they
 * start, read before MPI is initialised (or in a build without it): an
 * error from the command line is then printed once, not once a rank. */
static int launch_rank(void)
{
	static const char *const vars[][2] = {
		{ "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE" },
		{ "PMI_RANK", "PMI_SIZE" },
		{ "PMIX_RANK", NULL },
	};

	for (size_t i = 0; i < NB_ARRAY_SIZE(vars); i++) {
		const char *rank = getenv(vars[i][0]), *size = vars[i][1] ? getenv(vars[i][1]) : NULL;
		int64_t r, n;

		if (!rank || nb_parse_i64(rank, &r) || r < 0 || r > INT32_MAX)
			continue;
		if (size && (nb_parse_i64(size, &n) || n <= 1))
			return -1;	/* a world of one: nothing to tell apart */
		return (int)r;
	}
	return -1;
}

static int ever_initialised;

/* The launcher stops every rank as soon as one exits failing: a rank that
 * left its error to rank 0 gives rank 0 time to print it first.  Ranks that
 * initialised MPI need no wait, MPI_Finalize waits for them all. */
static void let_rank0_speak(void)
{
	if (nb_errors_held && !ever_initialised)
		sleep(2);
}

int ranks_launch_rank(void)
{
	int r = launch_rank();

	if (r > 0)
		atexit(let_rank0_speak);
	return r;
}

#ifdef NB_HAVE_MPI
#include <mpi.h>

static int initialised, world_rank, world_size = 1;
static char library[MPI_MAX_LIBRARY_VERSION_STRING];

int ranks_built(void) { return 1; }

/* Open MPI, MPICH and Slurm's PMI set these in every process they start. */
static int launched(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS" };

	for (size_t i = 0; i < NB_ARRAY_SIZE(vars); i++)
		if (getenv(vars[i]))
			return 1;
	return 0;
}

int ranks_init(int *argc, char ***argv)
{
	if (!launched())
		return 0;
	if (MPI_Init(argc, argv) != MPI_SUCCESS)
		return error_rank("MPI_Init failed: is this process started by mpirun?");
	initialised = ever_initialised = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &world_size);
	nb_error_rank = world_size > 1 ? world_rank : -1;
	return 0;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int started, quit, armed;
	struct timespec deadline;
	double seconds;
	char what[160];
	void (*hook)(void *);
	void *arg;
} dog = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static void *watchdog(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&dog.lock);
	while (!dog.quit) {
		int rc = dog.armed ? pthread_cond_timedwait(&dog.wake, &dog.lock, &dog.deadline)
				   : pthread_cond_wait(&dog.wake, &dog.lock);

		if (rc != ETIMEDOUT || !dog.armed || dog.quit)
			continue;
		fprintf(stderr, "npubench: rank %d: %s: still waiting on the other ranks %.0f s after "
			"the case started (--case-timeout and its grace): a rank hangs or died; "
			"stopping every rank, the finished results are kept\n", world_rank, dog.what,
			dog.seconds);
		if (dog.hook)
			dog.hook(dog.arg);
		MPI_Abort(MPI_COMM_WORLD, 1);
		_exit(1);	/* MPI_Abort does not return; if it ever did, stop anyway */
	}
	pthread_mutex_unlock(&dog.lock);
	return NULL;
}

void ranks_watchdog_arm(double seconds, const char *what)
{
	if (!ranks_many() || !(seconds > 0))
		return;
	pthread_mutex_lock(&dog.lock);
	if (!dog.started)
		dog.started = pthread_create(&dog.thread, NULL, watchdog, NULL) == 0;
	clock_gettime(CLOCK_REALTIME, &dog.deadline);
	dog.deadline.tv_sec += (time_t)seconds;
	dog.deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (dog.deadline.tv_nsec >= 1000000000L) {
		dog.deadline.tv_sec++;
		dog.deadline.tv_nsec -= 1000000000L;
	}
	dog.seconds = seconds;
	snprintf(dog.what, sizeof(dog.what), "'%s'", what);
	dog.armed = 1;
	pthread_cond_signal(&dog.wake);
	pthread_mutex_unlock(&dog.lock);
}

void ranks_watchdog_disarm(void)
{
	pthread_mutex_lock(&dog.lock);
	dog.armed = 0;
	pthread_cond_signal(&dog.wake);
	pthread_mutex_unlock(&dog.lock);
}

void ranks_on_abort(void (*fn)(void *arg), void *arg)
{
	pthread_mutex_lock(&dog.lock);
	dog.hook = fn;
	dog.arg = arg;
	pthread_mutex_unlock(&dog.lock);
}

void ranks_finalize(void)
{
	if (dog.started) {
		pthread_mutex_lock(&dog.lock);
		dog.quit = 1;
		pthread_cond_signal(&dog.wake);
		pthread_mutex_unlock(&dog.lock);
		pthread_join(dog.thread, NULL);
		dog.started = 0;
	}
	if (initialised)
		MPI_Finalize();
	initialised = 0;
}

int ranks_rank(void) { return world_rank; }
int ranks_size(void) { return world_size; }
int ranks_many(void) { return initialised && world_size > 1; }

int ranks_rank0_status(int status)
{
	const struct timespec nap = { 0, 20 * 1000 * 1000 };
	MPI_Request req;
	int done = 0;

	if (!ranks_many())
		return status;
	MPI_Ibcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
	while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
		nanosleep(&nap, NULL);
	return status;
}

void ranks_barrier(void)
{
	if (ranks_many())
		MPI_Barrier(MPI_COMM_WORLD);
}

void ranks_max(double *v, int n)
{
	if (ranks_many())
		MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
}

double *ranks_gather(const double *v, int n)
{
	double *all = NULL;

	if (!ranks_many()) {
		all = xmalloc((size_t)(n ? n : 1) * sizeof(double));
		memcpy(all, v, (size_t)n * sizeof(double));
		return all;
	}
	if (world_rank == 0)
		all = xmalloc((size_t)world_size * (size_t)(n ? n : 1) * sizeof(double));
	MPI_Gather(v, n, MPI_DOUBLE, all, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	return all;
}

int ranks_agree(uint64_t v)
{
	unsigned long long lo = v, hi = v;

	if (!ranks_many())
		return 0;
	MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
	MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
	return lo == hi ? 0 : -1;
}

char *ranks_hostnames(void)
{
	char name[MPI_MAX_PROCESSOR_NAME] = "";
	char *all, *out;
	int len = 0;
	struct strbuf sb = STRBUF_INIT;

	if (initialised)
		MPI_Get_processor_name(name, &len);
	else
		gethostname(name, sizeof(name) - 1);
	if (!ranks_many())
		return xstrdup(name);
	all = xcalloc((size_t)world_size, MPI_MAX_PROCESSOR_NAME);
	MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR,
		      MPI_COMM_WORLD);
	for (int r = 0; r < world_size; r++)
		sb_addf(&sb, "%s%s", r ? "," : "", all + (size_t)r * MPI_MAX_PROCESSOR_NAME);
	free(all);
	out = sb_detach(&sb);
	return out;
}

const char *ranks_library(void)
{
	int len = 0;

	if (!library[0]) {
		MPI_Get_library_version(library, &len);
		library[strcspn(library, "\n")] = '\0';
	}
	return library;
}

struct ranks_coll {
	enum nb_coll_op op;
	enum nb_dtype dtype;
	size_t esize, count;	/* elements per block the operation is called with */
	void *send, *recv;
	size_t send_bytes, recv_bytes;
	MPI_Datatype type;
	MPI_Op sum;
};

/* Sums of 16-bit floats, which MPI lacks: widened to float and back. */
static void sum_half(void *in, void *inout, int *len, MPI_Datatype *dt, int bf16)
{
	uint16_t *a = in, *b = inout;

	(void)dt;
	for (int i = 0; i < *len; i++)
		b[i] = bf16 ? nb_f32_to_bf16(nb_bf16_to_f32(a[i]) + nb_bf16_to_f32(b[i]))
			    : nb_f32_to_fp16(nb_fp16_to_f32(a[i]) + nb_fp16_to_f32(b[i]));
}

static void sum_bf16(void *in, void *inout, int *len, MPI_Datatype *dt) { sum_half(in, inout, len, dt, 1); }
static void sum_fp16(void *in, void *inout, int *len, MPI_Datatype *dt) { sum_half(in, inout, len, dt, 0); }

/* The value rank R puts at element I: small integers, so every sum over up
 * to 64 ranks is exact even in bf16. */
static double fill_value(int r, size_t i)
{
	return (double)((r + (int)(i % 4096)) % 4 + 1);
}

static void put(struct ranks_coll *c, void *buf, size_t i, double v)
{
	if (c->dtype == NB_FP32)
		((float *)buf)[i] = (float)v;
	else if (c->dtype == NB_BF16)
		((uint16_t *)buf)[i] = nb_f32_to_bf16((float)v);
	else
		((uint16_t *)buf)[i] = nb_f32_to_fp16((float)v);
}

static double get(const struct ranks_coll *c, const void *buf, size_t i)
{
	if (c->dtype == NB_FP32)
		return ((const float *)buf)[i];
	if (c->dtype == NB_BF16)
		return nb_bf16_to_f32(((const uint16_t *)buf)[i]);
	return nb_fp16_to_f32(((const uint16_t *)buf)[i]);
}

int ranks_coll_setup(enum nb_coll_op op, enum nb_dtype dtype, double bytes, struct ranks_coll **out,
		     char *msg, size_t msglen)
{
	struct ranks_coll *c;
	size_t esize = (size_t)dtype_bits(dtype) / 8, n = (size_t)bytes / esize, R = (size_t)world_size;
	int split = op == NB_COLL_ALLGATHER || op == NB_COLL_REDUCESCATTER || op == NB_COLL_ALLTOALL;

	*out = NULL;
	if (!initialised) {
		snprintf(msg, msglen, "a collective on the host runs across MPI ranks: start it with "
			 "'mpirun -np N npubench run ...'");
		return -1;
	}
	if ((size_t)bytes % esize || (split && n % R)) {
		snprintf(msg, msglen, "bytes=%.0f is not a whole number of %s elements%s (%d ranks)", bytes,
			 dtype_name(dtype), split ? " per rank" : "", world_size);
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->op = op;
	c->dtype = dtype;
	c->esize = esize;
	c->count = split ? n / R : n;
	c->send_bytes = op == NB_COLL_ALLGATHER ? (size_t)bytes / R : (size_t)bytes;
	c->recv_bytes = op == NB_COLL_REDUCESCATTER ? (size_t)bytes / R : (size_t)bytes;
	c->send = xmalloc(c->send_bytes ? c->send_bytes : 1);
	c->recv = xcalloc(1, c->recv_bytes ? c->recv_bytes : 1);
	c->type = dtype == NB_FP32 ? MPI_FLOAT : MPI_UINT16_T;
	c->sum = MPI_SUM;
	if (dtype != NB_FP32)
		MPI_Op_create(dtype == NB_BF16 ? sum_bf16 : sum_fp16, 1, &c->sum);
	for (size_t i = 0; i < c->send_bytes / esize; i++)
		put(c, c->send, i, fill_value(world_rank, i));
	*out = c;
	return 0;
}

void ranks_coll_run(struct ranks_coll *c)
{
	int n = (int)c->count, next = (world_rank + 1) % world_size;
	int prev = (world_rank + world_size - 1) % world_size;

	switch (c->op) {
	case NB_COLL_ALLREDUCE:
		MPI_Allreduce(c->send, c->recv, n, c->type, c->sum, MPI_COMM_WORLD);
		break;
	case NB_COLL_ALLGATHER:
		MPI_Allgather(c->send, n, c->type, c->recv, n, c->type, MPI_COMM_WORLD);
		break;
	case NB_COLL_REDUCESCATTER:
		MPI_Reduce_scatter_block(c->send, c->recv, n, c->type, c->sum, MPI_COMM_WORLD);
		break;
	case NB_COLL_ALLTOALL:
		MPI_Alltoall(c->send, n, c->type, c->recv, n, c->type, MPI_COMM_WORLD);
		break;
	case NB_COLL_BROADCAST:
		MPI_Bcast(world_rank ? c->recv : c->send, n, c->type, 0, MPI_COMM_WORLD);
		break;
	default:
		MPI_Sendrecv(c->send, n, c->type, next, 0, c->recv, n, c->type, prev, 0, MPI_COMM_WORLD,
			     MPI_STATUS_IGNORE);
		break;
	}
}

/* The value element I of this rank's result must hold. */
static double expected(const struct ranks_coll *c, size_t i)
{
	size_t blk = c->count ? i / c->count : 0, off = c->count ? i % c->count : i;
	double s = 0;

	switch (c->op) {
	case NB_COLL_ALLREDUCE:
	case NB_COLL_REDUCESCATTER:
		if (c->op == NB_COLL_REDUCESCATTER)
			i += (size_t)world_rank * c->count;
		for (int r = 0; r < world_size; r++)
			s += fill_value(r, i);
		return s;
	case NB_COLL_ALLGATHER:
		return fill_value((int)blk, off);
	case NB_COLL_ALLTOALL:	/* block BLK came from rank BLK: its block for me */
		return fill_value((int)blk, (size_t)world_rank * c->count + off);
	case NB_COLL_BROADCAST:
		return fill_value(0, i);
	default:
		return fill_value((world_rank + world_size - 1) % world_size, i);
	}
}

double ranks_coll_errors(struct ranks_coll *c)
{
	const void *res = c->op == NB_COLL_BROADCAST && world_rank == 0 ? c->send : c->recv;
	double bad = 0;

	for (size_t i = 0; i < c->recv_bytes / c->esize; i++)
		bad += get(c, res, i) != expected(c, i);
	MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	return bad;
}

void ranks_coll_free(struct ranks_coll *c)
{
	if (!c)
		return;
	if (c->sum != MPI_SUM)
		MPI_Op_free(&c->sum);
	free(c->send);
	free(c->recv);
	free(c);
}

#else	/* no MPI: one rank */

int ranks_built(void) { return 0; }
int ranks_init(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }
void ranks_finalize(void) {}
int ranks_rank0_status(int status) { return status; }
int ranks_rank(void) { return 0; }
int ranks_size(void) { return 1; }
int ranks_many(void) { return 0; }
void ranks_barrier(void) {}
void ranks_max(double *v, int n) { (void)v; (void)n; }
int ranks_agree(uint64_t v) { (void)v; return 0; }
void ranks_watchdog_arm(double seconds, const char *what) { (void)seconds; (void)what; }
void ranks_watchdog_disarm(void) {}
void ranks_on_abort(void (*fn)(void *arg), void *arg) { (void)fn; (void)arg; }

double *ranks_gather(const double *v, int n)
{
	double *all = xmalloc((size_t)(n ? n : 1) * sizeof(double));

	memcpy(all, v, (size_t)n * sizeof(double));
	return all;
}

char *ranks_hostnames(void)
{
	char name[256] = "";

	gethostname(name, sizeof(name) - 1);
	return xstrdup(name);
}

const char *ranks_library(void) { return "none"; }

int ranks_coll_setup(enum nb_coll_op op, enum nb_dtype dtype, double bytes, struct ranks_coll **out,
		     char *msg, size_t msglen)
{
	(void)op;
	(void)dtype;
	(void)bytes;
	*out = NULL;
	snprintf(msg, msglen, "MPI is missing: this npubench was built without MPI (install the Debian "
		 "packages libopenmpi-dev and openmpi-bin, then run ./configure and make again)");
	return -1;
}

void ranks_coll_run(struct ranks_coll *c) { (void)c; }
double ranks_coll_errors(struct ranks_coll *c) { (void)c; return 0; }
void ranks_coll_free(struct ranks_coll *c) { (void)c; }

#endif
