/* The collective model: time = launch + steps x hop latency + the bytes one
 * chip must send / the bandwidth the algorithm gets out of the topology.
 * Ranks beyond one scale-up domain go hierarchical: the domain's part and
 * the scale-out part pipeline chunk by chunk, so the slower of the two
 * bandwidth terms sets the time while both latencies add. */
#include "model/collective.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static const char *const op_names[NB_COLL_NOPS] = {
	"allreduce", "allgather", "reducescatter", "alltoall", "broadcast", "sendrecv",
};

static const char *const algo_names[NB_ALGO_NALGOS] = {
	"auto", "ring", "tree", "nvls", "torus", "mesh", "direct",
};

enum topo { T_SWITCH, T_MESH, T_TORUS, T_RING };

#define OP(o) (1u << (o))
#define OPS_REDUCE (OP(NB_COLL_ALLREDUCE) | OP(NB_COLL_ALLGATHER) | OP(NB_COLL_REDUCESCATTER))

/* Which algorithm serves which operations on which topologies. */
static const struct algo_desc {
	enum nb_coll_algo algo;
	unsigned ops;		/* bit per enum nb_coll_op */
	unsigned topos;		/* bit per enum topo */
} algos[] = {
	{ NB_ALGO_RING, OPS_REDUCE | OP(NB_COLL_BROADCAST), 0xf },
	{ NB_ALGO_TREE, OP(NB_COLL_ALLREDUCE) | OP(NB_COLL_BROADCAST), 0xf },
	{ NB_ALGO_NVLS, OP(NB_COLL_ALLREDUCE), 1u << T_SWITCH },
	{ NB_ALGO_TORUS, OPS_REDUCE, 1u << T_TORUS },
	{ NB_ALGO_MESH, OPS_REDUCE | OP(NB_COLL_BROADCAST), 1u << T_MESH },
	{ NB_ALGO_DIRECT, OP(NB_COLL_ALLTOALL) | OP(NB_COLL_SENDRECV), 0xf },
};

/* The ranks' place in the topology: one domain's share and the slice of a
 * torus they occupy. */
struct net {
	const struct nb_interconnect *ic;
	enum topo topo;
	int g, n;		/* ranks per domain, domains */
	int ndims, dims[3], wrap[3];
	double link;		/* one link, one direction, effective B/s */
};

const char *coll_op_name(enum nb_coll_op op)
{
	return (unsigned)op < NB_COLL_NOPS ? op_names[op] : "?";
}

const char *coll_algo_name(enum nb_coll_algo a)
{
	return (unsigned)a < NB_ALGO_NALGOS ? algo_names[a] : "?";
}

double coll_busbw_factor(enum nb_coll_op op, int ranks)
{
	double r = ranks;

	switch (op) {
	case NB_COLL_ALLREDUCE:
		return 2 * (r - 1) / r;
	case NB_COLL_ALLGATHER:
	case NB_COLL_REDUCESCATTER:
	case NB_COLL_ALLTOALL:
		return (r - 1) / r;
	default:
		return 1;
	}
}

double coll_scale_up_bytes_per_s(const struct nb_interconnect *ic)
{
	return ic->links_per_chip * ic->link_bytes_per_s;
}

double coll_scale_out_bytes_per_s(const struct nb_interconnect *ic)
{
	return ic->out_name ? ic->nics_per_chip * ic->nic_bytes_per_s : 0;
}

static int ceil_log2(int n)
{
	int s = 0;

	while ((1 << s) < n)
		s++;
	return s;
}

/* The most compact slice of the torus holding G chips: dimensions that
 * divide G and fit the pod's, the largest as small as possible.  A slice
 * spanning a whole dimension has its wrap-around link. */
static void torus_slice(struct net *nt)
{
	int full[3] = { 1, 1, 1 }, nd = 0, best = -1;
	const char *c = nt->ic->shape;

	for (; c && *c && nd < 3; nd++) {
		full[nd] = (int)strtol(c, (char **)&c, 10);
		if (*c == 'x')
			c++;
	}
	nt->ndims = nd;
	for (int a = 1; a <= full[0]; a++) {
		for (int b = 1; b <= full[1]; b++) {
			int ab = a * b, z, worst;

			if (nt->g % ab)
				continue;
			z = nt->g / ab;
			if ((nd < 3 && z != 1) || z > full[2])
				continue;
			worst = a > b ? a : b;
			worst = worst > z ? worst : z;
			if (best < 0 || worst < best) {
				best = worst;
				nt->dims[0] = a, nt->dims[1] = b, nt->dims[2] = z;
			}
		}
	}
	if (best < 0) {		/* no slice: the chips form a snake, a line */
		nt->ndims = 1;
		nt->dims[0] = nt->g;
		full[0] = 0;
	}
	for (int i = 0; i < 3; i++)
		nt->wrap[i] = i < nt->ndims && nt->dims[i] > 2 && nt->dims[i] == full[i];
}

/* Per-direction ring capacity of dimension I: both directions of a ring with
 * wrap-around, one when the slice is a line there. */
static int torus_dim_links(const struct net *nt, int i)
{
	return nt->dims[i] < 2 ? 0 : nt->wrap[i] ? 2 : 1;
}

/* The bandwidth one chip gets from algorithm A inside a domain for OP. */
static double inner_bw(const struct net *nt, enum nb_coll_algo a, enum nb_coll_op op)
{
	const struct nb_interconnect *ic = nt->ic;
	double chip = ic->links_per_chip * nt->link;
	double peer = nt->topo == T_MESH ? chip / (ic->chips - 1) : chip;
	double sum = 0, hops = 0;

	if (a == NB_ALGO_NVLS)
		return ic->links_per_chip * ic->link_bytes_per_s * ic->reduction_efficiency;
	if (nt->topo == T_TORUS) {
		int lines = 0;

		for (int i = 0; i < nt->ndims; i++) {
			sum += torus_dim_links(nt, i) * nt->link;
			lines += nt->dims[i] > 1;
			hops += nt->dims[i] / (nt->wrap[i] ? 4.0 : 3.0);
		}
		if (a == NB_ALGO_TORUS)
			return sum;
		if (op == NB_COLL_SENDRECV)
			return nt->link;
		if (a == NB_ALGO_DIRECT)	/* all-to-all: each byte crosses hops links */
			return sum / fmax(1, hops);
		/* one ring, both ways round, along a Hamiltonian cycle of the slice */
		return (lines > 1 || nt->wrap[0]) ? 2 * nt->link : nt->link;
	}
	if (nt->topo == T_MESH)	/* rings (or direct sends) over every peer's links at once */
		return op == NB_COLL_SENDRECV ? peer : (nt->g - 1) * peer;
	if (nt->topo == T_RING) {
		if (a == NB_ALGO_DIRECT && op == NB_COLL_ALLTOALL)
			return chip / fmax(1, nt->g / 4.0);
		return op == NB_COLL_SENDRECV ? nt->link : chip;
	}
	return chip;		/* a switch: every link of the chip */
}

/* Bytes one chip sends inside a domain of G ranks, and the steps it takes. */
static double inner_bytes(const struct net *nt, enum nb_coll_algo a, enum nb_coll_op op,
			  double s, int *steps)
{
	double g = nt->g, dimsteps = 0;
	int reduce = op == NB_COLL_ALLREDUCE;

	for (int i = 0; i < nt->ndims; i++)
		dimsteps += nt->dims[i] - 1;
	switch (a) {
	case NB_ALGO_NVLS:
		*steps = 2;	/* up to the switch, back down */
		return s;
	case NB_ALGO_TREE:
		*steps = (reduce ? 2 : 1) * ceil_log2(nt->g);
		return reduce ? 2 * s : s;
	case NB_ALGO_TORUS:
		*steps = (int)((reduce ? 2 : 1) * dimsteps);
		return coll_busbw_factor(op, nt->g) * s;
	case NB_ALGO_MESH:
		*steps = reduce || op == NB_COLL_BROADCAST ? 2 : 1;
		return op == NB_COLL_BROADCAST ? 2 * (g - 1) / g * s : coll_busbw_factor(op, nt->g) * s;
	case NB_ALGO_DIRECT:
		*steps = 1;
		if (op == NB_COLL_ALLTOALL && nt->topo == T_TORUS) {
			double diam = 0;

			for (int i = 0; i < nt->ndims; i++)
				diam += nt->wrap[i] ? nt->dims[i] / 2 : nt->dims[i] - 1;
			*steps = (int)fmax(1, diam);
		}
		/* all-to-all: S/R to each peer of the domain */
		return op == NB_COLL_ALLTOALL ? (g - 1) / (g * nt->n) * s : s;
	default:
		*steps = (reduce ? 2 : 1) * (nt->g - 1);
		return (op == NB_COLL_BROADCAST ? 1 : coll_busbw_factor(op, nt->g)) * s;
	}
}

/* Bytes one chip sends across N domains (each chip through its own share
 * of the NICs) with algorithm *ALGO (all-reduce: ring or double binary
 * tree; the others have one way, which *ALGO becomes), and the steps. */
static double outer_bytes(const struct net *nt, enum nb_coll_op op, double s, int *steps,
			  enum nb_coll_algo *algo)
{
	double n = nt->n, g = nt->g, r = g * n;

	switch (op) {
	case NB_COLL_ALLREDUCE:
		if (*algo == NB_ALGO_TREE) {
			*steps = 2 * ceil_log2(nt->n);
			return 2 * s / g;
		}
		*algo = NB_ALGO_RING;
		*steps = 2 * (nt->n - 1);
		return 2 * (n - 1) / n * s / g;
	case NB_COLL_ALLGATHER:
	case NB_COLL_REDUCESCATTER:
		*algo = NB_ALGO_RING;
		*steps = nt->n - 1;
		return (n - 1) / n * s / g;
	case NB_COLL_ALLTOALL:
		*algo = NB_ALGO_DIRECT;
		*steps = 1;
		return (r - g) / r * s;
	case NB_COLL_BROADCAST:
		*algo = NB_ALGO_RING;
		*steps = nt->n - 1;
		return s / g;
	default:
		*algo = NB_ALGO_DIRECT;
		*steps = 1;
		return s;
	}
}

/* The time of OUT with the scale-out part done by OUTER (filled in OUT). */
static double with_outer(const struct net *nt, enum nb_coll_op op, double s, enum nb_coll_algo outer,
			 struct nb_coll_pred *out)
{
	const struct nb_interconnect *ic = nt->ic;

	out->outer_algo = outer;
	out->bw_outer = ic->nics_per_chip * ic->nic_bytes_per_s * ic->out_efficiency;
	out->bytes_outer = outer_bytes(nt, op, s, &out->outer_steps, &out->outer_algo);
	out->beta_outer_s = out->bytes_outer / out->bw_outer;
	out->alpha_s = out->steps * ic->latency_s + out->outer_steps * ic->out_latency_s;
	out->beta_s = fmax(out->beta_inner_s, out->beta_outer_s);
	out->seconds = out->launch_s + out->alpha_s + out->beta_s;
	return out->seconds;
}

/* One algorithm: OUT filled, returns its time or INFINITY when it does not apply. */
static double predict_algo(const struct net *nt, enum nb_coll_op op, double s, enum nb_coll_algo a,
			   struct nb_coll_pred *out)
{
	const struct nb_interconnect *ic = nt->ic;
	const struct algo_desc *d = NULL;

	for (size_t i = 0; i < NB_ARRAY_SIZE(algos); i++)
		if (algos[i].algo == a)
			d = &algos[i];
	if (!d || !(d->ops & OP(op)) || !(d->topos & (1u << nt->topo)) ||
	    (a == NB_ALGO_NVLS && !ic->reduction))
		return INFINITY;
	memset(out, 0, sizeof(*out));
	out->ok = 1;
	out->algo = a;
	out->outer_algo = NB_ALGO_AUTO;
	out->domains = nt->n;
	out->per_domain = nt->g;
	out->launch_s = ic->launch_s;
	out->bw_inner = inner_bw(nt, a, op);
	out->bytes_inner = nt->g > 1 ? inner_bytes(nt, a, op, s, &out->steps) : 0;
	out->beta_inner_s = out->bytes_inner / out->bw_inner;
	if (nt->n > 1) {
		/* Ring or tree across, whichever makes the whole operation
		 * faster: while the domain's part sets the bandwidth term, the
		 * tree's fewer steps win even where its bytes alone would lose. */
		struct nb_coll_pred tree = *out;

		with_outer(nt, op, s, NB_ALGO_RING, out);
		if (op == NB_COLL_ALLREDUCE && with_outer(nt, op, s, NB_ALGO_TREE, &tree) < out->seconds)
			*out = tree;
		return out->seconds;
	}
	out->alpha_s = out->steps * ic->latency_s;
	out->beta_s = out->beta_inner_s;
	out->seconds = out->launch_s + out->alpha_s + out->beta_s;
	return out->seconds;
}

static int unsupported(struct nb_coll_pred *out, const char *fmt, ...) NB_PRINTF(2, 3);
static int unsupported(struct nb_coll_pred *out, const char *fmt, ...)
{
	va_list ap;

	memset(out, 0, sizeof(*out));
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* The topology and the ranks' share of it; -1 with OUT's reason when the
 * chips cannot hold RANKS. */
static int place(const struct nb_interconnect *ic, int ranks, struct net *nt, struct nb_coll_pred *out)
{
	static const char *const kinds[] = { "switch", "full_mesh", "torus", "ring" };

	memset(nt, 0, sizeof(*nt));
	nt->ic = ic;
	nt->link = ic->link_bytes_per_s * ic->efficiency;
	nt->topo = T_SWITCH;
	for (int i = 0; i < 4; i++)
		if (!strncmp(ic->kind, kinds[i], strlen(kinds[i])))
			nt->topo = (enum topo)i;
	nt->g = ranks < ic->chips ? ranks : ic->chips;
	nt->n = (ranks + nt->g - 1) / nt->g;
	if (nt->n > 1 && !ic->out_name)
		return unsupported(out, "%d ranks exceed one scale-up domain (%d chips) and the profile "
				   "has no interconnect.scale_out", ranks, ic->chips);
	if (nt->topo == T_TORUS)
		torus_slice(nt);
	return 0;
}

void coll_predict(const struct nb_interconnect *ic, enum nb_coll_op op, double bytes, int ranks,
		  enum nb_coll_algo algo, struct nb_coll_pred *out)
{
	struct nb_coll_pred best, cur;
	struct net nt;
	double tbest = INFINITY;

	if (place(ic, ranks, &nt, out))
		return;
	for (int a = NB_ALGO_RING; a < NB_ALGO_NALGOS; a++) {
		double t;

		if (algo != NB_ALGO_AUTO && a != (int)algo)
			continue;
		t = predict_algo(&nt, op, bytes, (enum nb_coll_algo)a, &cur);
		if (t < tbest) {
			tbest = t;
			best = cur;
		}
	}
	if (tbest == INFINITY) {
		unsupported(out, "algorithm %s does not serve %s on this chip's interconnect (%s%s)",
			    coll_algo_name(algo), coll_op_name(op), ic->kind,
			    algo == NB_ALGO_NVLS ? ", no in-network reduction" : "");
		return;
	}
	*out = best;
	out->algbw = bytes / out->seconds;
	out->busbw = out->algbw * coll_busbw_factor(op, ranks);
}

int coll_fit_alpha_beta(const double *bytes, const double *seconds, int n, double *alpha_s,
			double *beta_Bps)
{
	double sw = 0, sws = 0, swss = 0, swt = 0, swst = 0, det, a, g;
	int small = 0;

	for (int i = 0; i < n; i++) {
		double w = 1 / (seconds[i] * seconds[i]);

		sw += w;
		sws += w * bytes[i];
		swss += w * bytes[i] * bytes[i];
		swt += w * seconds[i];
		swst += w * bytes[i] * seconds[i];
		if (bytes[i] < bytes[small])
			small = i;
	}
	det = sw * swss - sws * sws;
	if (n < 2 || !(det > 0))
		return -1;
	a = (swss * swt - sws * swst) / det;
	g = (sw * swst - sws * swt) / det;
	if (!(g > 0))
		return -1;
	if (!(a > 0))
		a = fmax(seconds[small] - bytes[small] * g, seconds[small] / 2);
	*alpha_s = a;
	*beta_Bps = 1 / g;
	return 0;
}

char *coll_breakdown_json(const struct nb_coll_pred *pr, enum nb_coll_op op, double bytes, int ranks)
{
	return xasprintf("{\"model\":\"collective\",\"op\":\"%s\",\"bytes\":%.17g,\"ranks\":%d,"
			 "\"algorithm\":\"%s\",\"outer_algorithm\":%s%s%s,\"domains\":%d,"
			 "\"ranks_per_domain\":%d,\"steps\":%d,\"outer_steps\":%d,"
			 "\"launch_s\":%.6g,\"alpha_s\":%.6g,\"beta_s\":%.6g,"
			 "\"beta_inner_s\":%.6g,\"beta_outer_s\":%.6g,"
			 "\"bytes_inner\":%.6g,\"bytes_outer\":%.6g,"
			 "\"bandwidth_inner_Bps\":%.6g,\"bandwidth_outer_Bps\":%.6g,"
			 "\"seconds\":%.6g,\"algbw_Bps\":%.6g,\"busbw_Bps\":%.6g,"
			 "\"busbw_factor\":%.6g,\"losses_s\":{\"launch\":%.6g,\"steps\":%.6g,"
			 "\"slower_level\":%.6g},\"assumptions\":[\"bytes per chip follow the algorithm "
			 "(ring 2(R-1)/R of an all-reduce, NVLS once, tree twice)\",\"domain and "
			 "scale-out parts pipeline: the slower bandwidth term sets the time, "
			 "latencies add\"]}",
			 coll_op_name(op), bytes, ranks, coll_algo_name(pr->algo),
			 pr->domains > 1 ? "\"" : "", pr->domains > 1 ? coll_algo_name(pr->outer_algo) : "null",
			 pr->domains > 1 ? "\"" : "", pr->domains, pr->per_domain, pr->steps, pr->outer_steps,
			 pr->launch_s, pr->alpha_s, pr->beta_s, pr->beta_inner_s, pr->beta_outer_s,
			 pr->bytes_inner, pr->bytes_outer, pr->bw_inner, pr->bw_outer, pr->seconds,
			 pr->algbw, pr->busbw, coll_busbw_factor(op, ranks), pr->launch_s, pr->alpha_s,
			 fmin(pr->beta_inner_s, pr->beta_outer_s));
}

int coll_interconnect_override(struct nb_interconnect *ic, const char *text, char *msg, size_t msglen)
{
	char *copy = xstrdup(text), *save = NULL;
	int ret = 0;

	for (char *t = strtok_r(copy, ", ", &save); t && !ret; t = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(t, '='), *end = NULL;
		double v = eq ? strtod(eq + 1, &end) : 0;

		if (!eq || end == eq + 1 || *end || !(v > 0)) {
			snprintf(msg, msglen, "'%s': expected KEY=POSITIVE-NUMBER", t);
			ret = -1;
		} else if (!strncmp(t, "links_per_chip=", 15)) {
			ic->links_per_chip = (int)v;
		} else if (!strncmp(t, "chips=", 6)) {
			ic->chips = (int)v;
		} else if (!strncmp(t, "link_bandwidth_gbs=", 19)) {
			ic->link_bytes_per_s = v * 1e9;
		} else {
			snprintf(msg, msglen, "'%s': unknown key (links_per_chip, chips, link_bandwidth_gbs)", t);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}
