/* Collectives on a cluster of chips: an alpha-beta model per algorithm over a
 * profile's interconnect (profiles/SCHEMA.md "How the collective model uses
 * the interconnect").  A pure function of (operation, size, ranks,
 * interconnect): no I/O, no global state.
 *
 * Conventions are nccl-tests' (doc/PERFORMANCE.md): BYTES is the size
 * nccl-tests prints (the whole buffer of all-reduce, the gathered buffer of
 * all-gather, the input of reduce-scatter, each rank's send buffer of
 * all-to-all); algbw = bytes / time; busbw = algbw x 2(R-1)/R for
 * all-reduce, x (R-1)/R for all-gather, reduce-scatter and all-to-all, x 1
 * for broadcast and send/recv.  Bus bandwidth is then what one chip's links
 * sustain, comparable across rank counts. */
#ifndef NB_COLLECTIVE_H
#define NB_COLLECTIVE_H

#include <stddef.h>

#include "model/profile.h"
#include "util/mpi.h"	/* enum nb_coll_op */


/* Algorithms; AUTO takes the fastest the topology offers, as NCCL's tuner
 * does.  The names are the case text's algo= values, in this order. */
enum nb_coll_algo {
	NB_ALGO_AUTO,
	NB_ALGO_RING,	/* rings over every link the topology gives a chip */
	NB_ALGO_TREE,	/* double binary tree: log steps, the whole message twice */
	NB_ALGO_NVLS,	/* in-switch reduction: send once, receive once */
	NB_ALGO_TORUS,	/* bidirectional rings along every torus dimension at once */
	NB_ALGO_MESH,	/* full mesh: every peer directly, in one step */
	NB_ALGO_DIRECT,	/* pairwise exchange (all-to-all, send/recv) */
	NB_ALGO_NALGOS
};

#define NB_COLL_OP_CHOICES "allreduce|allgather|reducescatter|alltoall|broadcast|sendrecv"
#define NB_COLL_ALGO_CHOICES "auto|ring|tree|nvls|torus|mesh|direct"

const char *coll_op_name(enum nb_coll_op op);
const char *coll_algo_name(enum nb_coll_algo algo);
/* busbw / algbw for OP on RANKS ranks. */
double coll_busbw_factor(enum nb_coll_op op, int ranks);
/* One chip's line rate, one direction, in B/s: every scale-up link; every
 * scale-out NIC of the chip (0 without a scale-out network). */
double coll_scale_up_bytes_per_s(const struct nb_interconnect *ic);
double coll_scale_out_bytes_per_s(const struct nb_interconnect *ic);

struct nb_coll_pred {
	int ok;				/* 0: reason says why the chip cannot */
	char reason[200];
	enum nb_coll_algo algo;		/* inside a domain (the chosen one under AUTO) */
	enum nb_coll_algo outer_algo;	/* across domains: ring or tree; AUTO when one domain */
	int domains, per_domain;	/* scale-up domains spanned, ranks in each */
	int steps, outer_steps;		/* latency-bound steps inside and across domains */
	double seconds, algbw, busbw;	/* busbw in B/s, as stored in throughput */
	double launch_s;		/* start and completion of the operation */
	double alpha_s;			/* steps x hop latency, both levels */
	double beta_s;			/* bytes / bandwidth: the slower level (they pipeline) */
	double beta_inner_s, beta_outer_s;
	double bytes_inner, bytes_outer;/* bytes one chip sends at each level */
	double bw_inner, bw_outer;	/* the effective per-chip bandwidth of each level, B/s */
};

/* Predicts OP of BYTES on RANKS ranks (>= 2) of chips joined by IC with
 * algorithm ALGO.  Fills OUT; OUT->ok is 0 with a reason when the chip
 * cannot (no such algorithm on this topology, no scale-out network for
 * ranks beyond one domain). */
void coll_predict(const struct nb_interconnect *ic, enum nb_coll_op op, double bytes, int ranks,
		  enum nb_coll_algo algo, struct nb_coll_pred *out);

/* Fits t = ALPHA + bytes / BETA to N timings (N >= 2, sizes not all
 * equal), each point weighted by its own size of error (least squares on
 * relative residuals), so the microsecond points count as much as the
 * megabyte ones.  ALPHA in seconds, BETA in B/s.  Returns 0, or -1 when the
 * timings do not rise with the size (no positive BETA); a negative ALPHA
 * (noise) becomes the smallest time less its bandwidth term, at least half
 * the smallest time. */
int coll_fit_alpha_beta(const double *bytes, const double *seconds, int n, double *alpha_s,
			double *beta_Bps);

/* The breakdown stored with a prediction, as a malloc'd JSON object. */
char *coll_breakdown_json(const struct nb_coll_pred *pr, enum nb_coll_op op, double bytes, int ranks);

/* Applies "key=value[,key=value]" to IC, for measurements taken on a
 * variant of a chip's system (an H800 is an H100 with 8 NVLinks):
 * links_per_chip, chips, link_bandwidth_gbs.  Returns -1 after writing a
 * message naming the key or value. */
int coll_interconnect_override(struct nb_interconnect *ic, const char *text, char *msg, size_t msglen);

#endif
