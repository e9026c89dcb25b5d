/* MPI ranks: the one module that includes <mpi.h>.  Without MPI at build
 * time every function still exists: the world is one rank and a collective
 * says that MPI is missing.  Under `mpirun -np N npubench ...` every rank
 * runs the same cases in step; only rank 0 touches the database and prints. */
#ifndef NB_UTIL_MPI_H
#define NB_UTIL_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "util/dtype.h"

/* Collective operations, in nccl-tests' sense (see model/collective.h). */
enum nb_coll_op {
	NB_COLL_ALLREDUCE,
	NB_COLL_ALLGATHER,
	NB_COLL_REDUCESCATTER,
	NB_COLL_ALLTOALL,
	NB_COLL_BROADCAST,
	NB_COLL_SENDRECV,
	NB_COLL_NOPS
};

/* This process's rank when an MPI launcher started several, from the
 * launcher's environment (MPI need not be initialised); else -1.  Called
 * once, first thing: a rank other than 0 that fails with an error left to
 * rank 0 then waits a moment at exit, for rank 0 to print it. */
int ranks_launch_rank(void);
/* Whether this build has MPI. */
int ranks_built(void);
/* Initialises MPI when the process was started by an MPI launcher (its
 * environment says so); a plain run stays one rank and never loads MPI's
 * run time.  Returns 0, or -1 after reporting. */
int ranks_init(int *argc, char ***argv);
void ranks_finalize(void);
/* For a command that runs once, on rank 0 (every command but `run` and
 * `profile probe`): rank 0 passes its exit status, the other ranks
 * anything; every rank returns rank 0's.  The others wait with naps, not
 * spinning, so rank 0 keeps the cores.  Alone (or without MPI): STATUS. */
int ranks_rank0_status(int status);
/* This process's rank and the world size (0 and 1 without a launcher). */
int ranks_rank(void);
int ranks_size(void);
/* Whether several ranks run in step (world size > 1). */
int ranks_many(void);
void ranks_barrier(void);
/* Element-wise maximum over the ranks of N doubles, in place (no-op alone). */
void ranks_max(double *v, int n);
/* The watchdog for a rank that stops answering: a rank blocked in MPI
 * waiting for a hung or stopped peer cannot look at a flag, so a thread
 * watches the clock.  Armed for SECONDS around the part of a case that
 * talks to the other ranks (WHAT names it); when it runs out, the rank says
 * so, calls the hook (rank 0: the run is marked interrupted; its finished
 * results are committed already) and aborts every rank.  No-ops alone. */
void ranks_watchdog_arm(double seconds, const char *what);
void ranks_watchdog_disarm(void);
void ranks_on_abort(void (*fn)(void *arg), void *arg);

/* Every rank's N doubles, rank by rank, on rank 0 (malloc'd, size x N);
 * NULL on the other ranks.  Alone: a copy of V. */
double *ranks_gather(const double *v, int n);
/* 0 when every rank passed the same value, else -1 on every rank. */
int ranks_agree(uint64_t v);
/* Every rank's host name, comma separated (malloc'd; on every rank). */
char *ranks_hostnames(void);
/* The MPI library and its version, one line ("Open MPI v4.1.4, ..."), or "none". */
const char *ranks_library(void);

/* A collective timed on the host: buffers for OP of BYTES (nccl-tests'
 * size) of DTYPE over every rank, filled so results are exact. */
struct ranks_coll;
/* Returns 0, or -1 with a message (MPI missing, a size the ranks do not
 * divide). */
int ranks_coll_setup(enum nb_coll_op op, enum nb_dtype dtype, double bytes, struct ranks_coll **out,
		     char *msg, size_t msglen);
/* One operation; the timed region.  Trusts setup. */
void ranks_coll_run(struct ranks_coll *c);
/* Elements that differ from the expected result on this rank, summed over
 * every rank. */
double ranks_coll_errors(struct ranks_coll *c);
void ranks_coll_free(struct ranks_coll *c);

#endif
