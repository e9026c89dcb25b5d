/* The analytical chip model.  Every number it uses comes from the case's
 * shape and work and from the profile; per-family logic only, nothing about
 * a particular chip. */
#include "model/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/collective.h"
#include "model/compose.h"
#include "model/profile.h"
#include "util/util.h"

#define MODEL_NAME "npubench-analytical-1"

/* What the compute side of a matrix-like case costs on the chosen tiling. */
struct tiling {
	int bm, bn, split;	/* work tile and split-K */
	int stream_k;		/* the last partial wave split along k over every unit */
	double tiles, waves;	/* work tiles in all, waves of them over the units (stream-K:
				 * the full waves plus the share of one the remainder takes) */
	double seconds;		/* compute time, overheads included */
	double overhead_s;	/* the per-tile prologue/epilogue part of it */
	double fixup_s;		/* partial accumulators of split tiles written and read back */
	double small_tile;	/* time factor of a tile smaller than the block, or of a unit
				 * left with too little work to hide its latency (>= 1) */
};

/* What a tiling search is given. */
struct tiling_in {
	double batch, M, N;	/* BATCH problems of M x N outputs */
	double flops_per_elem;	/* operations per output element (2K for a GEMM) */
	double k_steps;		/* reduction steps of one output tile */
	double rate;		/* sustained rate of the whole chip */
	double once_k;		/* per-tile cost a unit pays once (hidden under the
				 * previous tile's main loop), in reduction steps */
	double wave_k;		/* per-tile cost every wave pays, in reduction steps */
	double fixup_bw;	/* bytes/s one unit moves partial accumulators at */
	double math;		/* math time per flop relative to a dense tile's (2:4: < 1) */
	double a_feed;		/* bytes of A fed per flop relative to dense (2:4: values + metadata) */
	int split_ok;		/* split-K allowed */
	int causal;		/* tile j of each row of tiles does (j + 1/2) / (n/2) of the mean work */
	const struct nb_model_params *mp;
};

struct terms {
	const char *family;
	double peak;		/* dense peak of the dtype computed in, FLOP/s */
	double rate;		/* sustained matrix rate: peak x efficiency (x sparsity) */
	double efficiency;
	const char *eff_key;
	double tile_q;		/* padded work / real work (>= 1) */
	double wave_q;		/* unit-slots used / slots busy (>= 1) */
	enum nb_dtype via;	/* the dtype computed in (emulation) */
	struct tiling t;
	double compute_s, vector_s, memory_s, launch_s;
	double cast_s;		/* fp8: the separate amax-and-cast pass of the inputs, or 0 */
	double traffic, bandwidth;
	double level_bw;	/* full bandwidth of the level served from */
	int from_llc;
	double dir_bw;		/* stream: read-only or write-only bandwidth, or 0 */
	double sparse_speedup;
	int zeros_computed;	/* 2:4 on a chip without the mode: the zeros are multiplied too */
	cJSON *assumptions;
};

static double ceil_to(double x, double q)
{
	return ceil(x / q) * q;
}

static void assume(struct terms *t, const char *text)
{
	cJSON_AddItemToArray(t->assumptions, cJSON_CreateString(text));
}

/* Latency hiding: a unit holding a share R of a full block's work (fewer,
 * smaller tiles resident than the block the library sizes for) keeps its
 * matrix unit busy only part of the time: R(1+knee)/(R+knee) of its rate,
 * 1 at R = 1, falling towards R(1+knee)/knee for little work. */
static double hiding(double r, double knee)
{
	if (knee <= 0 || r >= 1)
		return 1;
	return r * (1 + knee) / (r + knee);
}

/* The time a unit takes for L tiles of WORK_S seconds each (at full
 * latency hiding), A the share of a block one tile is: up to 1/A of them
 * share the unit at a time; a group of fewer hides less. */
static double unit_time(double L, double work_s, double a, double knee)
{
	double r = fmax(1, floor(1 / a)), groups = floor(L / r), left = L - groups * r;

	return groups * r * work_s / hiding(r * a, knee) + (left > 0 ? left * work_s / hiding(left * a, knee) : 0);
}

/* Causal attention's query blocks do unequal work: block j of NQ sees
 * j + 1/2 blocks of keys.  A grid is dispatched in launch order (the query
 * blocks of one head, then the next head's, COPIES in all), each tile to the
 * first unit that falls free.  Returns the busiest unit's work in mean
 * tiles: at least tiles / units, more when the last tiles handed out are
 * long and few units share them (large head dims: few heads at a given
 * hidden size).  Past a million tiles the spread is negligible. */
static double causal_makespan(double nq, double copies, int units)
{
	double tiles = nq * copies, mean = nq / 2, worst = 0, *heap;

	if (nq < 2 || tiles > 1 << 20)
		return tiles / units;
	heap = xcalloc((size_t)units, sizeof(*heap));
	for (double c = 0; c < copies; c++) {
		for (double j = 0; j < nq; j++) {
			/* Min-heap of the units' finish times: the root is
			 * the unit free first; it takes the tile, sift down. */
			double v = heap[0] + (j + 0.5) / mean;
			int i = 0;

			for (;;) {
				int l = 2 * i + 1, r = l + 1, m = i;
				double mv = v;

				if (l < units && heap[l] < mv)
					m = l, mv = heap[l];
				if (r < units && heap[r] < mv)
					m = r;
				if (m == i)
					break;
				heap[i] = heap[m];
				i = m;
			}
			heap[i] = v;
		}
	}
	for (int u = 0; u < units; u++)
		worst = fmax(worst, heap[u]);
	free(heap);
	return worst;
}

/* One candidate tiling: EM x EN tiles split S ways along k, or with
 * STREAM_K the classic waves and then the remainder split over every unit. */
static struct tiling one_tiling(const struct nb_profile *p, const struct tiling_in *in, int bm0, int bn0,
				int bm, int bn, double em, double en, int s, int stream_k)
{
	int units = profile_units(p);
	double per_unit = in->rate / units, i0 = (double)bm0 * bn0 / (bm0 + bn0), c = i0 / 4;
	/* Reuse is the chosen block's: a block clipped by the matrix edge
	 * streams its operands, which the memory term counts.  Per flop a
	 * tile costs its math plus feeding its operands, c / intensity: A's
	 * share c / bn, B's c / bm. */
	double reuse = (in->math + c * (in->a_feed / bn + 1.0 / bm)) / (1 + c / i0);
	double mn_tiles = in->batch * ceil(in->M / em) * ceil(in->N / en);
	double tiles = mn_tiles * s, full = floor(tiles / units), rem = tiles - full * units;
	double waves = stream_k ? full + rem / units : ceil(tiles / units);
	double tile_rate = per_unit / reuse, knee = in->mp->occupancy_knee;
	double a = em * en / ((double)bm0 * bn0);
	double once_s = em * en * 2 * in->once_k / tile_rate;
	double wave_s = em * en * 2 * in->wave_k / tile_rate;
	double work_s = em * en * in->flops_per_elem / s / tile_rate;
	/* A tile split along k writes its fp32 partial sums and one unit
	 * reads them all back: 8 bytes per output element of each piece. */
	double fix_s = 8 * em * en / in->fixup_bw;
	/* The busiest unit: its tiles in groups that share it; stream-K's
	 * last wave gives each unit a piece of one tile. */
	double busy = stream_k ? unit_time(full, work_s, a, knee) + rem / units * work_s / hiding(a, knee)
			       : unit_time(ceil(tiles / units), work_s, a, knee);
	struct tiling t = { 0 };

	/* Causal: the busiest unit of the launch-order schedule, at the
	 * latency hiding the even split would have. */
	if (in->causal && !stream_k && s == 1)
		busy *= causal_makespan(ceil(in->M / em), in->batch * ceil(in->N / en), units) /
			ceil(tiles / units);

	t.bm = (int)em;
	t.bn = (int)en;
	t.split = s;
	t.stream_k = stream_k;
	t.tiles = tiles;
	t.waves = waves;
	t.overhead_s = once_s + ceil(waves) * wave_s;
	t.fixup_s = (s > 1 ? ceil(waves) * fix_s : 0) + (stream_k && rem > 0 ? fix_s : 0);
	t.seconds = busy + t.overhead_s + t.fixup_s;
	/* Small tiles and too little work per unit, as one time factor. */
	t.small_tile = reuse * (waves > 0 ? busy / (waves * work_s) : 1);
	return t;
}

/* The best of a few work tiles and split-K factors, as a library's heuristic
 * would choose: the block from the profile, its halves and quarters (down to
 * the matrix tile), split-K while the units are not filled, and, where the
 * chip's library has it (model.stream_k), stream-K: the full waves as usual,
 * then the remaining tiles' k-steps dealt evenly to every unit, each unit
 * paying one partial-sum fixup instead of a wave mostly idle.  A tile's
 * prologue and epilogue cost reduction steps: the part hidden under the
 * previous tile's main loop once per unit, the rest every wave.  A tile chosen smaller than
 * the block reuses its operands less: its rate falls with its intensity
 * mn/(m+n); a unit left with less than a block's work hides less latency. */
static struct tiling best_tiling(const struct nb_profile *p, const struct tiling_in *in)
{
	int tm, tn, tk, bm0, bn0, units = profile_units(p);
	struct tiling best = { 0 };

	profile_tile(p, &tm, &tn, &tk);
	profile_block(p, &bm0, &bn0);
	best.seconds = INFINITY;
	for (int hm = 1; hm <= 4; hm *= 2) {
		for (int hn = 1; hn <= 4; hn *= 2) {
			int bm = bm0 / hm, bn = bn0 / hn;

			if (bm < tm || bn < tn)
				continue;
			/* A tile bigger than the padded matrix shrinks to it. */
			double em = fmin(bm, in->M), en = fmin(bn, in->N);
			double mn_tiles = in->batch * ceil(in->M / em) * ceil(in->N / en);

			for (int s = 1; s <= 16; s *= 2) {
				if (s > 1 && (!in->split_ok || mn_tiles * s > 2.0 * units ||
					      in->k_steps / s < 4))
					break;
				struct tiling t = one_tiling(p, in, bm0, bn0, bm, bn, em, en, s, 0);

				if (t.seconds < best.seconds * (1 - 1e-9))
					best = t;
				if (s > 1 || !in->split_ok || in->mp->stream_k <= 0)
					continue;
				t = one_tiling(p, in, bm0, bn0, bm, bn, em, en, 1, 1);
				if (t.seconds < best.seconds * (1 - 1e-9))
					best = t;
			}
		}
	}
	return best;
}

static void fail(struct nb_prediction *out, enum nb_pred_status st, const char *fmt, ...)
	NB_PRINTF(3, 4);
static void fail(struct nb_prediction *out, enum nb_pred_status st, const char *fmt, ...)
{
	va_list ap;

	out->status = st;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static void list_dtypes(const struct nb_profile *p, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int d = 0; d < NB_DTYPE_COUNT && len < n; d++)
		if (profile_peak(p, (enum nb_dtype)d) > 0)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						dtype_name((enum nb_dtype)d));
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
}

/* The dtype a matrix-like case computes in: native, emulated (labelled in
 * LABEL), or refused. */
static int matrix_dtype(const struct nb_shape *s, const struct nb_profile *p, const struct nb_impl *im,
			struct terms *t, struct nb_prediction *out, char *label, size_t nlabel)
{
	enum nb_dtype dt = s->dtype;
	char have[128];
	int e;

	if (im->computes_in >= 0 && (enum nb_dtype)im->computes_in != dt) {
		/* An implementation that rounds the inputs to a narrower
		 * format of the same storage (tf32 for fp32) is labelled as
		 * such: its numbers are not the case dtype's. */
		enum nb_dtype via = (enum nb_dtype)im->computes_in;

		if (dtype_bits(via) != dtype_bits(dt) || dtype_is_int(via) != dtype_is_int(dt)) {
			fail(out, NB_PRED_UNSUPPORTED, "impl %s computes in %s, which does not store %s",
			     im->name, dtype_name(via), dtype_name(dt));
			return -1;
		}
		t->via = via;
		t->peak = profile_peak(p, via);
		snprintf(label, nlabel, "%s computed as %s by impl %s (inputs rounded to %s)",
			 dtype_name(dt), dtype_name(via), im->name, dtype_name(via));
		return 0;
	}
	t->via = dt;
	t->peak = profile_peak(p, dt);
	if (t->peak > 0)
		return 0;
	e = profile_emulation(p, dt);
	if (e < 0) {
		list_dtypes(p, have, sizeof(have));
		fail(out, NB_PRED_UNSUPPORTED, "%s has no %s matrix throughput (its profile lists %s)",
		     profile_id(p), dtype_name(dt), have);
		return -1;
	}
	t->via = (enum nb_dtype)e;
	t->peak = profile_peak(p, t->via);
	snprintf(label, nlabel, "%s emulated via %s (see the profile's emulation note)",
		 dtype_name(dt), dtype_name(t->via));
	return 0;
}

/* Unstructured sparse A: the non-zeros at a fraction of the dense rate; the
 * traffic is the kernel's declared bytes (values, indices, B and C). */
static void csr_terms(const struct nb_shape *s, const struct nb_work *w, const struct nb_model_params *mp,
		      struct terms *t)
{
	double batch = s->batch > 0 ? (double)s->batch : 1;
	double m = (double)s->m, n = (double)s->n;

	t->family = "spmm-csr";
	t->efficiency = mp->csr_efficiency;
	t->eff_key = "model.csr_efficiency";
	t->rate = t->peak * t->efficiency;
	/* Every output element also costs model.csr_output_madds
	 * multiply-adds: initialising and storing C, the row loop. */
	t->compute_s = batch * 2.0 * (s->nnz * n + m * n * mp->csr_output_madds) / t->rate;
	t->wave_q = 1;
	t->tile_q = 1;
	t->traffic = w->bytes;
	assume(t, "CSR: non-zeros computed at model.csr_efficiency of the dense peak, "
	       "plus model.csr_output_madds per output element; no tiling; "
	       "traffic = the kernel's declared bytes (values, column indices, row pointers, B, C)");
}

/* The bandwidth one unit writes and reads split tiles' partial sums at: its
 * share of the on-chip level (device memory when the profile gives no
 * on-chip bandwidth), at model.stream_efficiency. */
static double fixup_bw(const struct nb_profile *p, const struct nb_model_params *mp)
{
	double bw = profile_llc_bw_bytes_per_s(p);

	if (bw <= 0)
		bw = profile_bw_bytes_per_s(p);
	return bw * mp->stream_efficiency / profile_units(p);
}

/* How many of the dtype's reduction steps a tile's prologue or epilogue
 * step costs.  Those move data and wait on memory, and convert (an int8
 * GEMM's int32 sums are dequantized, scaled and rounded to 16 bits): they
 * run at the chip's 16-bit pace whatever the dtype, so a dtype faster than
 * 16 bits (fp8, int8, int4) pays proportionally more of its own steps. */
static double overhead_scale(const struct nb_profile *p, const struct terms *t)
{
	double ref = fmax(profile_peak(p, NB_FP16), profile_peak(p, NB_BF16));

	return ref > 0 && t->peak > ref ? t->peak / ref : 1;
}

/* A batch of dense (or 2:4 sparse) GEMMs. */
static int gemm_terms(const struct nb_shape *s, const struct nb_work *w, const struct nb_profile *p,
		      const struct nb_model_params *mp, struct terms *t, struct nb_prediction *out)
{
	double batch = s->batch > 0 ? (double)s->batch : 1;
	double m = (double)s->m, n = (double)s->n, k = (double)s->k;
	double esize = dtype_bits(s->dtype) / 8.0, M, N, K, S, hk;
	struct tiling_in tin = { 0 };
	int tm, tn, tk;

	if (m < 1 || n < 1 || k < 1) {
		fail(out, NB_PRED_UNSUPPORTED, "the GEMM shape is incomplete (m, n, k >= 1)");
		return -1;
	}
	if (s->sparsity == NB_SPARSE_CSR) {
		csr_terms(s, w, mp, t);
		return 0;
	}
	profile_tile(p, &tm, &tn, &tk);
	M = ceil_to(m, tm);
	N = ceil_to(n, tn);
	K = ceil_to(k, tk);
	t->tile_q = (M * N * K) / (m * n * k);
	t->family = "gemm";
	t->efficiency = mp->gemm_efficiency;
	t->eff_key = "model.gemm_efficiency";
	t->rate = t->peak * t->efficiency;
	tin.batch = batch;
	tin.M = M;
	tin.N = N;
	tin.flops_per_elem = 2.0 * K;
	tin.k_steps = K / tk;
	tin.rate = t->rate;
	/* Libraries stream a unit's tiles back to back (persistent kernels,
	 * or two resident blocks per unit): only the first prologue and the
	 * last epilogue show. */
	tin.once_k = mp->tile_overhead_k * overhead_scale(p, t);
	tin.fixup_bw = fixup_bw(p, mp);
	tin.math = tin.a_feed = 1;
	tin.split_ok = 1;
	tin.mp = mp;
	if (s->sparsity == NB_SPARSE_2_4) {
		double f = profile_sparse_factor(p);

		if (f > 0) {
			/* The sparse matrix unit skips the zeros of A: the math
			 * speeds up by 1 + (factor - 1) x sparsity.efficiency;
			 * A is fed compressed with 2 bits of metadata per kept
			 * value; B is fed whole.  The speed-up is what that
			 * leaves: less for skinny tiles, whose time is operand
			 * feed, and the memory term's for memory-bound shapes. */
			tin.math = 1 / (1 + (f - 1) * mp->sparse_efficiency);
			tin.a_feed = 0.5 + 1.0 / dtype_bits(s->dtype);
			assume(t, "2:4 sparsity: math time / (1 + (factor - 1) x sparsity.efficiency); "
			       "A fed compressed (half the values + 2-bit metadata), B fed whole");
		} else {
			t->zeros_computed = 1;
			assume(t, "no 2:4 sparsity mode on this chip: computed as dense");
		}
	}
	t->t = best_tiling(p, &tin);
	if (tin.math < 1) {
		struct tiling_in dense = tin;

		dense.math = dense.a_feed = 1;
		t->sparse_speedup = best_tiling(p, &dense).seconds / t->t.seconds;
	}
	t->compute_s = t->t.seconds;
	t->wave_q = t->t.waves * profile_units(p) / t->t.tiles;
	/* Off-chip traffic: at least the operands once; with an on-chip buffer
	 * of S elements no schedule moves fewer than 2mnk/sqrt(S) elements
	 * (Hong and Kung). */
	S = profile_llc_bytes(p) / esize;
	hk = batch * 2.0 * m * n * k / sqrt(S) * esize;
	t->traffic = fmax(w->bytes, hk);
	assume(t, "GEMM traffic: max(declared minimum bytes, Hong-Kung bound 2mnk/sqrt(on-chip elements))");
	return 0;
}

/* Fused (FlashAttention-style) forward attention. */
static int attention_terms(const struct nb_shape *s, const struct nb_work *w, const struct nb_profile *p,
			   const struct nb_model_params *mp, struct terms *t, struct nb_prediction *out)
{
	double bh = s->batch > 0 ? (double)s->batch : 1;
	double sq = (double)s->seq_q, sk = (double)s->seq_k, d = (double)s->head_dim;
	double SQ, SK, D, sk_eff, scores, rate;
	struct tiling_in tin = { 0 };
	int tm, tn, tk, bq, bn;

	if (sq < 1 || sk < 1 || d < 1) {
		fail(out, NB_PRED_UNSUPPORTED, "the attention shape is incomplete");
		return -1;
	}
	profile_tile(p, &tm, &tn, &tk);
	profile_block(p, &bq, &bn);
	t->family = "attention";
	t->efficiency = mp->attention_efficiency;
	t->eff_key = "model.attention_efficiency";
	t->rate = t->peak * t->efficiency;
	SQ = ceil_to(sq, tm);
	SK = ceil_to(sk, tk);
	D = ceil_to(d, tn);
	t->tile_q = (SQ * SK * D) / (sq * sk * d);
	/* Causal: each block of queries sees the keys up to its own last row,
	 * so a query sees on average its exact keys (the declared pairs) plus
	 * half a block more. */
	sk_eff = s->causal ? fmin(SK, s->pairs / sq * (SK / sk) + (fmin(SQ, (double)bq) - 1) / 2) : SK;
	/* One work tile is a block of queries against all keys, two GEMMs of
	 * 2 x d flops per score.  The softmax costs about one exponential per
	 * score on the special function units, and it does not hide under the
	 * matrix work: the row max and sum sit between the two GEMMs of each
	 * key block.  So a score costs 4d / (peak x efficiency) + 1 / special
	 * rate, which makes small head dimensions slower per flop (FA3 on H100:
	 * 497, 648 and 756 TFLOPS at head_dim 64, 128 and 256 fit it within 2%
	 * with the special rate of the profile). */
	scores = bh * s->pairs;
	rate = t->rate;
	if (profile_vector_flops(p) > 0) {
		rate = 4 * D / (4 * D / t->rate + 1 / profile_vector_flops(p));
		t->vector_s = scores / profile_vector_flops(p);
		assume(t, "softmax: one exponential per score at compute.special_tflops, "
		       "in series with the matrix work of its key block");
	}
	/* A work tile pays a prologue (load Q, fill the two-GEMM pipeline)
	 * and an epilogue (normalise, write O), about two key blocks of
	 * tile_overhead_k each.  The next query block's prologue is issued
	 * under the current one's last key blocks (asynchronous copies,
	 * persistent or two resident blocks per unit), so a unit pays it
	 * once; the epilogue follows the last key block and every wave pays
	 * it, which short sequences feel. */
	tin.batch = bh;
	tin.M = SQ;
	tin.N = D;
	tin.flops_per_elem = 4.0 * sk_eff;
	tin.k_steps = sk_eff / tk;
	tin.rate = rate;
	tin.once_k = tin.wave_k = 2 * mp->tile_overhead_k * overhead_scale(p, t);
	tin.causal = s->causal && sq == sk;
	tin.fixup_bw = fixup_bw(p, mp);
	tin.math = tin.a_feed = 1;
	tin.mp = mp;
	t->t = best_tiling(p, &tin);
	t->compute_s = t->t.seconds;
	t->wave_q = t->t.waves * profile_units(p) / t->t.tiles;
	t->traffic = w->bytes;
	assume(t, "attention: fused forward; traffic = the declared bytes (Q, K, V and O once); "
	       "work tile = block_m queries x head_dim against all keys");
	return 0;
}

/* Memory streams: the declared bytes, nothing to compute. */
static int stream_terms(const struct nb_shape *s, const struct nb_work *w, const struct nb_profile *p,
			const struct nb_model_params *mp, struct terms *t, struct nb_prediction *out)
{
	(void)mp;
	(void)out;
	t->family = "stream";
	t->traffic = w->bytes;
	t->compute_s = 0;
	t->tile_q = t->wave_q = 1;
	assume(t, "stream: the declared bytes at model.stream_efficiency of the bandwidth "
	       "(memory.read_bandwidth_gbs or write_bandwidth_gbs for read-only or "
	       "write-only streams, when the profile has them)");
	t->dir_bw = profile_stream_bw_bytes_per_s(p, s->stream_reads, s->stream_writes);
	return 0;
}

/* One predictor per shape kind.  MATRIX kinds compute in a dtype the chip
 * must have (or emulate) and report their rate against its peak; the others
 * are rated against the memory bandwidth. */
static int collective_predict(const struct nb_shape *s, const struct nb_profile *p,
			      struct nb_prediction *out);

static const struct kind_model {
	const char *name;
	int matrix;
	int (*terms)(const struct nb_shape *s, const struct nb_work *w, const struct nb_profile *p,
		     const struct nb_model_params *mp, struct terms *t, struct nb_prediction *out);
	/* A kind outside the compute/memory roofline predicts on its own. */
	int (*predict)(const struct nb_shape *s, const struct nb_profile *p, struct nb_prediction *out);
} kinds[NB_SHAPE_KINDS] = {
	[NB_SHAPE_GEMM] = { "gemm", 1, gemm_terms, NULL },
	[NB_SHAPE_ATTENTION] = { "attention", 1, attention_terms, NULL },
	[NB_SHAPE_STREAM] = { "stream", 0, stream_terms, NULL },
	[NB_SHAPE_COLLECTIVE] = { "collective", 0, NULL, collective_predict },
};

/* Collectives: the collective model over the profile's interconnect.  The
 * throughput is the bus bandwidth; util is the share of a chip's line rate
 * its links carry. */
static int collective_predict(const struct nb_shape *s, const struct nb_profile *p,
			      struct nb_prediction *out)
{
	struct nb_interconnect ic;
	struct nb_coll_pred pr;

	if (profile_interconnect(p, &ic)) {
		fail(out, NB_PRED_UNSUPPORTED, "%s's profile has no interconnect.scale_up section",
		     profile_id(p));
		return -1;
	}
	coll_predict(&ic, (enum nb_coll_op)s->coll_op, s->coll_bytes, (int)s->ranks,
		     (enum nb_coll_algo)s->coll_algo, &pr);
	if (!pr.ok) {
		fail(out, NB_PRED_UNSUPPORTED, "%s", pr.reason);
		return -1;
	}
	out->status = NB_PRED_OK;
	out->seconds = pr.seconds;
	out->throughput = pr.busbw;
	out->util = pr.bytes_inner / pr.seconds / (ic.links_per_chip * ic.link_bytes_per_s);
	if (pr.domains > 1)
		out->util = fmax(out->util, pr.bytes_outer / pr.seconds /
				 (ic.nics_per_chip * ic.nic_bytes_per_s));
	out->bound = pr.launch_s + pr.alpha_s > pr.beta_s ? "latency" : "interconnect";
	snprintf(out->reason, sizeof(out->reason), "algbw %.4g GB/s, %s", pr.algbw / 1e9,
		 coll_algo_name(pr.algo));
	out->breakdown_json = coll_breakdown_json(&pr, (enum nb_coll_op)s->coll_op, s->coll_bytes,
						  (int)s->ranks);
	return 0;
}

/* The memory level a working set is served from on repeated execution: the
 * on-chip buffer when it fits there and the profile gives that level's
 * bandwidth, else device memory (read-only or write-only bandwidth for such
 * streams).  Every level is used at model.stream_efficiency of its
 * bandwidth, so no prediction moves bytes faster than its level allows. */
static void serve_from(const struct nb_profile *p, const struct nb_model_params *mp, double working_set,
		       struct terms *t)
{
	double llc_bw = profile_llc_bw_bytes_per_s(p);
	int fits = working_set <= profile_llc_bytes(p);

	t->from_llc = fits && llc_bw > 0;
	if (t->from_llc) {
		t->level_bw = llc_bw;
		assume(t, "repeated execution: a working set within the on-chip buffer is served "
		       "at on_chip.llc_bandwidth_gbs");
	} else {
		t->level_bw = t->dir_bw > 0 ? t->dir_bw : profile_bw_bytes_per_s(p);
		if (fits)
			assume(t, "the working set fits the on-chip buffer, but the profile gives no "
			       "on_chip.llc_bandwidth_gbs: served at the device memory bandwidth");
	}
	t->bandwidth = t->level_bw * mp->stream_efficiency;
}

/* A memory-bound matrix case (a decode step's skinny GEMM) streams its
 * larger operand, the weights, through once: a read-only stream.  From
 * device memory it reads at memory.read_bandwidth_gbs where the profile
 * gives it.  From the last-level cache it walks them down the rows of a
 * strip of columns, short runs a row apart, which the hardware prefetchers
 * follow less well than the triad's long sequential streams: where the
 * profile gives the rate such a kernel reads the cache at
 * (on_chip.llc_gemv_bandwidth_gbs, measured by the probe with the host's
 * skinny GEMM), it serves those cases.  Without these figures the level's
 * bandwidth does (GPUs' L2 and HBM feed skinny GEMMs from many units at
 * once, near their stream rates; no shipped accelerator profile gives
 * them). */
static void skinny_stream(const struct nb_profile *p, struct terms *t)
{
	double bw = t->from_llc ? profile_llc_gemv_bw_bytes_per_s(p) : profile_stream_bw_bytes_per_s(p, 1, 0);

	/* Memory-bound at the rate it would be served at. */
	if (bw <= 0 || bw == t->level_bw || t->traffic / (t->bandwidth * bw / t->level_bw) <= t->compute_s)
		return;
	t->bandwidth *= bw / t->level_bw;
	t->level_bw = bw;
	assume(t, t->from_llc ? "memory-bound from the on-chip cache: weights streamed at "
	       "on_chip.llc_gemv_bandwidth_gbs" : "memory-bound from device memory: weights streamed at "
	       "memory.read_bandwidth_gbs");
}

/* Time, bound and rates from the terms. */
static void combine(const struct kind_model *km, const struct nb_work *w, const struct nb_profile *p,
		    const struct nb_model_params *mp, struct terms *t, struct nb_prediction *out)
{
	double tc = t->compute_s, tm = t->memory_s = t->traffic / t->bandwidth;

	out->seconds = fmax(tc, tm) + (1 - mp->overlap) * fmin(tc, tm) + t->launch_s + t->cast_s;
	if (t->launch_s > fmax(tc, tm))
		out->bound = "latency";
	else
		out->bound = tm > tc ? "memory" : "compute";
	out->status = NB_PRED_OK;
	/* Rates in the family's declared unit (streams count bytes unless they
	 * declare operations); matrix kinds are rated against the dtype's
	 * peak, the others against the memory bandwidth. */
	if (!km->matrix && !(w->ops > 0 && w->unit && strcmp(w->unit, "B/s")))
		out->throughput = t->traffic / out->seconds;
	else
		out->throughput = (w->ops > 0 ? w->ops : 0) / out->seconds;
	/* One rule for dense and sparse: the multiply-adds the chip executes
	 * per second over the dense peak of the path.  Sparse work counts its
	 * non-zeros (actual_ops), unless the chip computes the zeros too (2:4
	 * without a 2:4 mode): then it executes the dense work. */
	if (km->matrix)
		out->util = (w->actual_ops > 0 && !t->zeros_computed ? w->actual_ops : w->ops) /
			    out->seconds / t->peak;
	else
		out->util = t->traffic / out->seconds / profile_bw_bytes_per_s(p);
}

/* Each loss as the time it costs. */
static void add_losses(cJSON *root, const struct kind_model *km, const struct nb_model_params *mp,
		       const struct terms *t)
{
	cJSON *losses = cJSON_AddObjectToObject(root, "losses_s");
	double tc = t->compute_s, tm = t->memory_s;

	if (km->matrix && t->t.tiles > 0) {
		/* Matrix work: peel the losses off one at a time. */
		double busy = t->t.seconds - t->t.overhead_s - t->t.fixup_s;
		double no_wave = busy / t->wave_q;
		double no_small = no_wave / t->t.small_tile;
		double ideal = no_small / t->tile_q;

		add_num(losses, "wave_quantization", busy - no_wave);
		add_num(losses, "small_tile", no_wave - no_small);
		add_num(losses, "tile_quantization", no_small - ideal);
		add_num(losses, "tile_overhead", t->t.overhead_s);
		add_num(losses, "split_fixup", t->t.fixup_s);
		add_num(losses, "efficiency", ideal * (1 - t->efficiency));
	}
	add_num(losses, "memory_not_overlapped",
		tc > tm ? (1 - mp->overlap) * tm : (!km->matrix ? 0 : tm - tc + (1 - mp->overlap) * tc));
	add_num(losses, "launch", t->launch_s);
	if (t->cast_s > 0)
		add_num(losses, "fp8_cast", t->cast_s);
}

/* The breakdown of a prediction, as JSON. */
static char *breakdown(const struct nb_shape *s, const struct kind_model *km, const struct nb_profile *p,
		       const struct nb_model_params *mp, const struct nb_impl *im,
		       const struct nb_pred_opts *o, struct terms *t, const struct nb_prediction *out)
{
	cJSON *root = cJSON_CreateObject(), *tiling;
	char *json;

	cJSON_AddStringToObject(root, "model", MODEL_NAME);
	cJSON_AddStringToObject(root, "profile", profile_id(p));
	cJSON_AddStringToObject(root, "family", t->family);
	cJSON_AddStringToObject(root, "dtype", dtype_name(s->dtype));
	if (km->matrix && t->via != s->dtype)
		cJSON_AddStringToObject(root, "computed_as", dtype_name(t->via));
	if (km->matrix && s->dtype == NB_FP8) {
		char fmt[16];

		cJSON_AddStringToObject(root, "fp8_format", nb_choice_at(NB_FP8_CHOICES, o->fp8_format,
									  fmt, sizeof(fmt)));
		cJSON_AddStringToObject(root, "fp8_scale", o->fp8_cast ? "cast" : "tensor");
	}
	cJSON_AddStringToObject(root, "impl", im->name ? im->name : "model defaults");
	if (im->name)
		cJSON_AddBoolToObject(root, "impl_default", im->is_default);
	if (im->note)
		cJSON_AddStringToObject(root, "impl_note", im->note);
	cJSON_AddStringToObject(root, "timing", o->timing == NB_TIMING_CALL ? "call" : "device");
	cJSON_AddStringToObject(root, "bound", out->bound);
	add_num(root, "seconds", out->seconds);
	if (km->matrix) {
		add_num(root, "peak_per_s", t->peak);
		add_num(root, "efficiency", t->efficiency);
		cJSON_AddStringToObject(root, "efficiency_param", t->eff_key);
		add_num(root, "sustained_rate_per_s", t->rate);
		if (t->sparse_speedup > 0)
			add_num(root, "sparse_speedup", t->sparse_speedup);
	}
	add_num(root, "compute_s", t->compute_s);
	if (t->vector_s > 0)
		add_num(root, s->kind == NB_SHAPE_GEMM ? "dequant_s" : "softmax_s", t->vector_s);
	add_num(root, "memory_s", t->memory_s);
	add_num(root, "launch_s", t->launch_s);
	add_num(root, "overlap", mp->overlap);
	add_num(root, "traffic_bytes", t->traffic);
	add_num(root, "bandwidth_per_s", t->bandwidth);
	cJSON_AddStringToObject(root, "memory_level", t->from_llc ? "on-chip" : "device");
	add_num(root, "memory_level_bandwidth_per_s", t->level_bw);
	if (t->t.tiles > 0) {
		tiling = cJSON_AddObjectToObject(root, "tiling");
		add_num(tiling, "block_m", t->t.bm);
		add_num(tiling, "block_n", t->t.bn);
		add_num(tiling, "split_k", t->t.split);
		cJSON_AddBoolToObject(tiling, "stream_k", t->t.stream_k);
		add_num(tiling, "tiles", t->t.tiles);
		add_num(tiling, "waves", t->t.waves);
		add_num(tiling, "units", profile_units(p));
	}
	add_losses(root, km, mp, t);
	add_num(root, "tile_quantization_factor", t->tile_q);
	add_num(root, "wave_quantization_factor", t->wave_q);
	cJSON_AddItemToObject(root, "assumptions", t->assumptions);
	t->assumptions = NULL;
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

/* The breakdown of a prediction that was refused. */
static char *refusal(const struct nb_profile *p, const struct nb_prediction *out)
{
	cJSON *root = cJSON_CreateObject();
	char *json;

	cJSON_AddStringToObject(root, "model", MODEL_NAME);
	cJSON_AddStringToObject(root, "profile", profile_id(p));
	cJSON_AddStringToObject(root, "status", prediction_status_name(out->status));
	cJSON_AddStringToObject(root, "reason", out->reason);
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

/* The launch term under the case's timing convention: the gap between
 * kernels queued back to back, or the host's round trip of a call timed on
 * its own (dispatch, launch and the wait), model.sync_us. */
static void timing_terms(const struct nb_model_params *mp, const struct nb_pred_opts *o, struct terms *t)
{
	t->launch_s = mp->launch_us * 1e-6;
	if (o->timing != NB_TIMING_CALL)
		return;
	if (mp->sync_us > mp->launch_us) {
		t->launch_s = mp->sync_us * 1e-6;
		assume(t, "timing=call: each call waits for the chip, model.sync_us of host round trip "
		       "in place of the queued launch gap");
	} else {
		assume(t, "timing=call: the profile gives no model.sync_us above model.launch_us; "
		       "the queued launch gap is charged");
	}
}

/* fp8: per-tensor scales are folded into the epilogue (one multiply per
 * output element, under the matrix work); with fp8_scale=cast the inputs
 * arrive in bf16 and a separate pass reads them (2 bytes), finds the amax
 * and writes them as fp8 (1 byte) at the stream rate, one launch more. */
static void fp8_terms(const struct nb_shape *s, const struct nb_profile *p, const struct nb_model_params *mp,
		      const struct nb_pred_opts *o, struct terms *t)
{
	double batch = s->batch > 0 ? (double)s->batch : 1, elems;

	if (s->dtype != NB_FP8)
		return;
	assume(t, "fp8: per-tensor scaling, the descale folded into the epilogue");
	if (!o->fp8_cast)
		return;
	if (s->kind == NB_SHAPE_ATTENTION)
		elems = batch * (double)s->head_dim * ((double)s->seq_q + 2.0 * (double)s->seq_k);
	else
		elems = batch * ((double)s->m * (double)s->k + (double)s->k * (double)s->n);
	t->cast_s = elems * 3 / (profile_bw_bytes_per_s(p) * mp->stream_efficiency) + mp->launch_us * 1e-6;
	assume(t, "fp8_scale=cast: a separate amax-and-cast pass of the inputs from bf16 "
	       "(3 bytes per element at model.stream_efficiency of the bandwidth, one launch)");
}

/* Weight-only quantisation (int8 weights, bf16 math, as torchao's int8wo,
 * TensorRT-LLM's W8A16 and gpt-fast run it): B is read from memory at the
 * weight dtype's size, and each weight is converted to the math dtype in
 * registers once per pass of a row of tiles over it.  A conversion is one
 * instruction on the units beside the matrix unit, which the profile rates
 * at compute.special_tflops (CUDA's arithmetic-throughput table gives
 * type conversions the special function units' 16 per clock per SM on
 * Ampere and Hopper).  Unlike the softmax's exponentials no reduction
 * sits between them and the matrix work, so the next tile's conversions
 * run on their units while the matrix unit works on this one: a tile
 * costs the longer of the two.  Returns the byte saving for the caller to
 * take off the declared traffic. */
static double weight_only_terms(const struct nb_shape *s, const struct nb_profile *p, const struct nb_pred_opts *o,
				struct terms *t)
{
	double batch = s->batch > 0 ? (double)s->batch : 1, passes, conv;

	if (!o->weight_only || s->kind != NB_SHAPE_GEMM || dtype_bits(o->weight_dtype) >= dtype_bits(s->dtype))
		return 0;
	passes = ceil((double)s->m / (t->t.bm > 0 ? t->t.bm : 1));
	conv = batch * passes * (double)s->k * (double)s->n;
	if (profile_vector_flops(p) > 0) {
		t->vector_s = conv / profile_vector_flops(p);
		t->compute_s = fmax(t->compute_s, t->vector_s);
	}
	assume(t, "weight-only: B read at the weight dtype's size and converted once per row of tiles, "
	       "one conversion per weight at compute.special_tflops, beside the matrix work (the longer shows)");
	return batch * (double)s->k * (double)s->n * (dtype_bits(s->dtype) - dtype_bits(o->weight_dtype)) / 8;
}

int model_predict_shape(const struct nb_shape *s, const struct nb_work *w,
			const struct nb_profile *p, const struct nb_pred_opts *o,
			struct nb_prediction *out)
{
	static const struct nb_pred_opts defaults = { "", NB_TIMING_DEVICE, 0, 0, 0, NB_BF16, 0 };
	const struct nb_model_params *mp;
	const struct kind_model *km;
	struct terms t = { 0 };
	struct nb_impl im;
	char label[200] = "";

	if (!o)
		o = &defaults;
	memset(out, 0, sizeof(*out));
	out->bound = "compute";
	t.assumptions = cJSON_CreateArray();
	if ((unsigned)s->kind >= NB_SHAPE_KINDS || (!kinds[s->kind].terms && !kinds[s->kind].predict)) {
		fail(out, NB_PRED_UNSUPPORTED, "the model has no predictor for shape kind %d", (int)s->kind);
		goto out;
	}
	km = &kinds[s->kind];
	if (km->predict) {
		km->predict(s, p, out);
		goto out;
	}
	if (profile_impl(p, o->impl[0] ? o->impl : NULL, km->name, &im, out->reason, sizeof(out->reason))) {
		out->status = NB_PRED_UNSUPPORTED;
		goto out;
	}
	mp = im.params;
	timing_terms(mp, o, &t);
	if (km->matrix && matrix_dtype(s, p, &im, &t, out, label, sizeof(label)))
		goto out;
	if (w->bytes > profile_mem_bytes(p)) {
		fail(out, NB_PRED_NO_FIT, "does not fit: working set %.4g GiB exceeds %s's %.4g GiB of memory",
		     w->bytes / 1073741824.0, profile_id(p), profile_mem_bytes(p) / 1073741824.0);
		goto out;
	}
	if (km->terms(s, w, p, mp, &t, out))
		goto out;
	if (km->matrix)
		fp8_terms(s, p, mp, o, &t);
	if (km->matrix && o->weight_only) {
		t.traffic = fmax(0, t.traffic - weight_only_terms(s, p, o, &t));
	}
	serve_from(p, mp, fmax(w->bytes, o->reuse_bytes), &t);
	if (o->reuse_bytes > w->bytes)
		assume(&t, "in a sequence: served from the level that holds what the sequence touches "
		       "between two runs of this case (a step's weights, KV cache and activations)");
	if (km->matrix)
		skinny_stream(p, &t);
	combine(km, w, p, mp, &t, out);
	snprintf(out->reason, sizeof(out->reason), "%s", label);
	snprintf(out->impl, sizeof(out->impl), "%s", im.name ? im.name : "");
	out->impl_default = im.is_default;
	out->peak = km->matrix ? t.peak : 0;
	out->breakdown_json = breakdown(s, km, p, mp, &im, o, &t, out);
out:
	if (out->status != NB_PRED_OK) {
		out->breakdown_json = refusal(p, out);
		out->bound = "";
	}
	cJSON_Delete(t.assumptions);
	if (!out->breakdown_json)
		die("out of memory");
	return 0;
}

/* Parameter NAME of C as a choice index, or DEF when its kernel lacks it. */
static int case_choice(const struct nb_case *c, const char *name, int def)
{
	int i = kernel_param_index(c->kernel, name);

	return i < 0 ? def : (int)c->v[i].i;
}

void model_case_opts(const struct nb_case *c, struct nb_pred_opts *o)
{
	memset(o, 0, sizeof(*o));
	nb_choice_at(NB_IMPL_CHOICES, case_choice(c, "impl", 0), o->impl, sizeof(o->impl));
	o->timing = (enum nb_timing)case_choice(c, "timing", NB_TIMING_DEVICE);
	o->fp8_format = case_choice(c, "fp8", 0);
	o->fp8_cast = case_choice(c, "fp8_scale", 0) == 1;
}

int model_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out)
{
	struct nb_target_mem mem = { profile_llc_bytes(p), 0 };
	struct nb_pred_opts o;
	struct nb_case rc;
	struct nb_shape s;
	struct nb_work w;

	memset(out, 0, sizeof(*out));
	if (!c->kernel->shape || !c->kernel->work) {
		out->status = NB_PRED_UNSUPPORTED;
		snprintf(out->reason, sizeof(out->reason), "kernel %s describes no shape for the model",
			 c->kernel->name);
		return -1;
	}
	/* Sizes that depend on the target are this chip's, not the host's. */
	case_resolve(c, &mem, &rc);
	rc.kernel->shape(&rc, &s);
	/* A workload is a sequence of cases, each predicted here in turn. */
	if (s.kind == NB_SHAPE_WORKLOAD)
		return compose_predict(&rc, p, out, NULL);
	rc.kernel->work(&rc, &w);
	model_case_opts(&rc, &o);
	return model_predict_shape(&s, &w, p, &o, out);
}

void prediction_release(struct nb_prediction *pr)
{
	cJSON_free(pr->breakdown_json);
	pr->breakdown_json = NULL;
}

const char *prediction_status_name(enum nb_pred_status st)
{
	switch (st) {
	case NB_PRED_OK: return "ok";
	case NB_PRED_UNSUPPORTED: return "unsupported";
	case NB_PRED_NO_FIT: return "no-fit";
	}
	return "?";
}
