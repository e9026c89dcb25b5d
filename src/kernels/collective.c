/* The collective family: all-reduce, all-gather, reduce-scatter,
 * all-to-all, broadcast and send/recv of BYTES (nccl-tests' size) across
 * RANKS.  On the host it runs over MPI ranks (util/mpi.h), timed by the
 * harness in step on every rank, the slowest rank's time kept; on a chip
 * the collective model predicts it from the profile's interconnect.
 *
 * Work is declared in nccl-tests' bus bytes: bytes x the operation's busbw
 * factor, so throughput = bytes / time is the bus bandwidth everywhere;
 * algbw = bytes / time is in the prediction's breakdown and in reports. */
#include "kernels/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/collective.h"
#include "util/mpi.h"
#include "util/util.h"

enum { P_OP, P_DTYPE, P_BYTES, P_RANKS, P_ALGO, NPARAMS };

static const struct nb_param_desc params[] = {
	[P_OP] = { "op", NB_P_ENUM, "allreduce", NB_COLL_OP_CHOICES, 0, 0, "the collective operation" },
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp32", "fp32|bf16|fp16", 0, 0,
		      "element type (reductions add in it)" },
	[P_BYTES] = { "bytes", NB_P_INT, "67108864", NULL, 1, 1LL << 40,
		      "message size as nccl-tests counts it (all-gather: the gathered buffer)" },
	[P_RANKS] = { "ranks", NB_P_INT, "0", NULL, 0, 1 << 20,
		      "ranks (chips); 0 = the MPI world size on the host, 8 on a chip" },
	[P_ALGO] = { "algo", NB_P_ENUM, "auto", NB_COLL_ALGO_CHOICES, 0, 0,
		     "algorithm on a chip (auto: the fastest the interconnect offers); the host uses MPI's" },
};

/* A chip's default: one board of eight, the size most published figures use. */
#define CHIP_RANKS 8

static int coll_check(const struct nb_case *c, char *msg, size_t msglen)
{
	int64_t r = c->v[P_RANKS].i, esize = dtype_bits((enum nb_dtype)c->v[P_DTYPE].i) / 8;
	int64_t n = c->v[P_BYTES].i / esize;
	int op = (int)c->v[P_OP].i;

	if (c->v[P_BYTES].i % esize) {
		snprintf(msg, msglen, "bytes=%lld is not a whole number of %lld-byte elements",
			 (long long)c->v[P_BYTES].i, (long long)esize);
		return -1;
	}
	if (r == 1) {
		snprintf(msg, msglen, "ranks=1: a collective needs at least 2 ranks");
		return -1;
	}
	if (r > 1 && (op == NB_COLL_ALLGATHER || op == NB_COLL_REDUCESCATTER || op == NB_COLL_ALLTOALL) &&
	    n % r) {
		snprintf(msg, msglen, "bytes=%lld: %lld elements do not divide among ranks=%lld",
			 (long long)c->v[P_BYTES].i, (long long)n, (long long)r);
		return -1;
	}
	return 0;
}

/* ranks=0: the world this process runs in (host), or one board (chip). */
static void coll_resolve(struct nb_case *c, const struct nb_target_mem *m)
{
	if (c->v[P_RANKS].i == 0)
		c->v[P_RANKS].i = m->ranks > 0 ? m->ranks : CHIP_RANKS;
}

static int64_t ranks_of(const struct nb_case *c)
{
	return c->v[P_RANKS].i > 0 ? c->v[P_RANKS].i : CHIP_RANKS;
}

static void coll_work(const struct nb_case *c, struct nb_work *w)
{
	memset(w, 0, sizeof(*w));
	w->bytes = (double)c->v[P_BYTES].i *
		   coll_busbw_factor((enum nb_coll_op)c->v[P_OP].i, (int)ranks_of(c));
	w->unit = "B/s";
}

static void coll_shape(const struct nb_case *c, struct nb_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_COLLECTIVE;
	s->dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	s->batch = 1;
	s->coll_op = (int)c->v[P_OP].i;
	s->coll_algo = (int)c->v[P_ALGO].i;
	s->coll_bytes = (double)c->v[P_BYTES].i;
	s->ranks = ranks_of(c);
}

/* Send and receive buffers: at most twice the message. */
static double coll_host_bytes(const struct nb_case *c)
{
	return 2.0 * (double)c->v[P_BYTES].i + 4096;
}

/* A collective on the host needs MPI and more than one rank. */
static int coll_available(const struct nb_case *c, char *msg, size_t msglen)
{
	(void)c;
	if (!ranks_built()) {
		snprintf(msg, msglen, "MPI is missing: this npubench was built without MPI (install the "
			 "Debian packages libopenmpi-dev and openmpi-bin, then run ./configure and make)");
		return -1;
	}
	if (!ranks_many()) {
		snprintf(msg, msglen, "a collective on the host runs across MPI ranks: start npubench "
			 "with 'mpirun -np N npubench run ...'");
		return -1;
	}
	return 0;
}

static int coll_setup(const struct nb_case *c, const struct nb_host_env *env, void **state)
{
	struct ranks_coll *rc = NULL;
	char msg[256];

	(void)env;
	if (c->v[P_RANKS].i != ranks_size() && ranks_size() > 1) {
		error("collective: ranks=%lld but mpirun started %d ranks (leave ranks out to use them all)",
		      (long long)c->v[P_RANKS].i, ranks_size());
		return -1;
	}
	if (ranks_coll_setup((enum nb_coll_op)c->v[P_OP].i, (enum nb_dtype)c->v[P_DTYPE].i,
			     (double)c->v[P_BYTES].i, &rc, msg, sizeof(msg)))
		return error("collective: %s", msg);
	*state = rc;
	return 0;
}

static void coll_execute(void *state)
{
	ranks_coll_run(state);
}

static int coll_verify(void *state, struct nb_verify *v)
{
	double bad = ranks_coll_errors(state);

	v->max_err = bad;
	v->tol = 0;
	v->ok = bad == 0;
	snprintf(v->what, sizeof(v->what), "elements differing from the exact result, all ranks");
	return 0;
}

static void coll_teardown(void *state)
{
	ranks_coll_free(state);
}

static void coll_note(const struct nb_case *c, double seconds, char *buf, size_t n)
{
	snprintf(buf, n, "algbw %.4g GB/s", (double)c->v[P_BYTES].i / seconds / 1e9);
}

static const char *coll_impl(const struct nb_case *c, int isa)
{
	(void)c;
	(void)isa;
	return ranks_built() ? "mpi" : "none (built without MPI)";
}

static const char *coll_why(const struct nb_case *c, int isa)
{
	(void)c;
	(void)isa;
	return ranks_built() ? "the MPI library's collectives; no SIMD level applies"
			     : "configure found no MPI: host collectives unsupported";
}

const struct nb_kernel nb_kernel_collective = {
	.name = "collective",
	.summary = "all-reduce, all-gather, reduce-scatter, all-to-all, broadcast, send/recv across ranks",
	.params = params,
	.nparams = NPARAMS,
	.check = coll_check,
	.work = coll_work,
	.shape = coll_shape,
	.resolve = coll_resolve,
	.store_resolved = 1,
	.across_ranks = 1,
	.host_bytes = coll_host_bytes,
	.host_available = coll_available,
	.note = coll_note,
	.setup = coll_setup,
	.execute = coll_execute,
	.verify = coll_verify,
	.teardown = coll_teardown,
	.impl = coll_impl,
	.impl_why = coll_why,
};
