/* Workloads composed from cases.  A training step or a served batch is the
 * sequence of GEMMs, attentions, streams and collectives a Megatron-style
 * implementation runs; each is predicted by model_predict() or
 * coll_predict() on the same profile, and this file only counts them, says
 * which overlap, and adds the pipeline bubble.  No rate or bandwidth is
 * read here except the dense peak for MFU and the memory capacity. */
#include "model/compose.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/collective.h"
#include "model/llm.h"
#include "model/profile.h"
#include "util/util.h"

#define WL_MODEL "npubench-workload-1"

/* FlashAttention's backward runs five matrix products to the forward's two
 * (Dao 2023, FlashAttention-2, section 3.1.2): 2.5 times the forward. */
#define ATTN_BWD_FACTOR 2.5

/* A training step's matrix work (GEMMs, attention) runs at this fraction
 * of the rate the kernel model predicts for the same kernel timed alone:
 * sustained clocks under a step's power draw, and communication kernels
 * sharing the compute units and memory.  The one parameter fitted to the
 * workload measurements (data/workload-measurements.csv): the median of
 * measured over predicted rate of its predicted training rows with this
 * set to 1, at most 1 (a step's kernels do not outrun the same kernels
 * timed alone); data/workload-measurements.md gives the rows and ratios.
 * Nothing else was fitted to published step times. */
#define TRAIN_SUSTAINED 1.0
#define STR_(v) #v
#define STR(v) STR_(v)

/* Compute time per op family, and the communication left exposed. */
enum fam { F_GEMM, F_ATTN, F_STREAM, F_LOGITS, F_RECOMPUTE, F_NFAM };
static const char *const fam_names[] = { "gemm", "attention", "streams", "embedding_logits", "recompute" };
enum comm { C_TP, C_EP, C_PP, C_DP, C_NCOMM };
static const char *const comm_names[] = { "tp", "ep", "pp_sendrecv", "dp" };

struct wctx {
	const struct nb_profile *p;
	const struct nb_workload *w;
	const struct nb_wl_memory *mem;
	struct nb_interconnect ic;
	int has_ic;
	enum nb_dtype mdt, adt;	/* matrix dtype; attention and activation dtype */
	double sustained;	/* matrix members' rate in a step / alone */
	double weight;		/* how many times the members now predicted run */
	double bound_s[3];	/* member time by its bound: compute, memory, latency */
	double ab;		/* activation bytes per element */
	double reuse;		/* bytes a step touches between two runs of a product (infer), or 0 */
	int fail;
	enum nb_pred_status st;
	char reason[256];
	double ew_rate[3];	/* elements/s of the plain, exponential and activation passes, or 0 */
	double ew_elems[3], ew_s;	/* what the step's passes count and cost */
	const char *coll_op[C_NCOMM];
	double coll_bytes[C_NCOMM];
	int coll_ranks[C_NCOMM];
	char coll_algo[C_NCOMM][16];
};

/* The kernels module resolves model= through the catalog (model/llm.c);
 * installed before main, since cases are parsed before anything predicts. */
__attribute__((constructor)) static void install_catalog(void)
{
	workload_set_catalog(llm_find);
}

/* One layer's time on one chip for one micro-batch (or one decode step). */
struct layer {
	double gemm_f, gemm_b, attn_f, attn_b, stream_f, stream_b, tp, tp_b, ep;
};

static void failf(struct wctx *x, enum nb_pred_status st, const char *fmt, ...) NB_PRINTF(3, 4);

static void failf(struct wctx *x, enum nb_pred_status st, const char *fmt, ...)
{
	va_list ap;

	if (x->fail)
		return;
	x->fail = 1;
	x->st = st;
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
}

static void kcase(struct nb_case *c, const char *kernel)
{
	const struct nb_kernel *k = kernel_find(kernel);

	if (!k)
		die("internal error: no kernel family '%s'", kernel);
	case_init(c, k);
}

/* Values are set by index: members may use a dtype the family's parser
 * would not offer on the host (fp8 GEMMs), which the model judges per chip. */
static void kset(struct nb_case *c, const char *name, int64_t v)
{
	c->v[kernel_param_index(c->kernel, name)].i = v;
}

static double member(struct wctx *x, const struct nb_case *c)
{
	struct nb_prediction pr;
	struct nb_pred_opts o;
	struct nb_case bc = *c;
	struct nb_shape sh;
	struct nb_work wk;
	double s;

	if (x->fail)
		return 0;
	model_case_opts(&bc, &o);
	if (x->w->weight_only && !strcmp(c->kernel->name, "gemm")) {
		/* Weight-only: B (the weights) stored in the case's dtype, the
		 * GEMM's math in bf16 (model.c, weight_only_terms). */
		kset(&bc, "dtype", NB_BF16);
		model_case_opts(&bc, &o);
		o.weight_only = 1;
		o.weight_dtype = x->w->dtype;
	}
	/* A product's operands come back round only after the rest of the
	 * step has been through the caches. */
	if (!strcmp(c->kernel->name, "gemm"))
		o.reuse_bytes = x->reuse;
	bc.kernel->shape(&bc, &sh);
	bc.kernel->work(&bc, &wk);
	model_predict_shape(&sh, &wk, x->p, &o, &pr);
	s = pr.seconds;
	if (pr.status == NB_PRED_OK && pr.bound)
		x->bound_s[!strcmp(pr.bound, "memory") ? 1 : !strcmp(pr.bound, "latency") ? 2 : 0] += x->weight * s;
	if (pr.status != NB_PRED_OK) {
		char *text = case_format(c);

		failf(x, NB_PRED_UNSUPPORTED, "member case '%s': %s", text, pr.reason);
		free(text);
		s = 0;
	}
	prediction_release(&pr);
	return s;
}

static double gemm(struct wctx *x, int64_t m, int64_t n, int64_t k)
{
	struct nb_case c;

	kcase(&c, "gemm");
	kset(&c, "dtype", x->mdt);
	kset(&c, "m", m > 0 ? m : 1);
	kset(&c, "n", n > 0 ? n : 1);
	kset(&c, "k", k > 0 ? k : 1);
	return member(x, &c) / x->sustained;
}

static double attention(struct wctx *x, int64_t b, int64_t heads, int64_t sq, int64_t sk, int64_t d)
{
	struct nb_case c;

	kcase(&c, "attention");
	kset(&c, "dtype", x->adt);
	kset(&c, "batch", b);
	kset(&c, "heads", heads);
	kset(&c, "seq_q", sq);
	kset(&c, "seq_k", sk);
	kset(&c, "head_dim", d);
	kset(&c, "causal", 1);
	return member(x, &c) / x->sustained;
}

/* BYTES moved by an elementwise op reading READS and writing WRITES arrays
 * of equal size, as the stream family's matching operation. */
static double stream(struct wctx *x, double bytes, int reads, int writes)
{
	static const int op_of[3][2] = { { -1, 5 }, { 4, 0 }, { -1, 2 } };	/* [reads][writes] */
	struct nb_case c;
	double pieces = ceil(bytes / (profile_mem_bytes(x->p) / 4));
	int64_t n;

	/* A pass over more than a quarter of the chip's memory (Adam over
	 * every parameter) is predicted in pieces that fit, then summed. */
	if (pieces < 1)
		pieces = 1;
	n = (int64_t)(bytes / pieces / (4.0 * (reads + writes)));
	kcase(&c, "stream");
	kset(&c, "op", op_of[reads][writes]);
	kset(&c, "dtype", NB_FP32);
	kset(&c, "n", n > 1024 ? n : 1024);
	return pieces * member(x, &c);
}

/* An elementwise group whose bytes take STREAM_S seconds at their memory
 * level, run by an implementation whose elementwise work is separate vector
 * passes over fp32 activations, one thread's, as the profile's
 * compute.elementwise_* rates measure them (the host's): PLAIN elements of
 * plain passes (rounding to the dtype, copies, adds, the norm's two passes,
 * the softmax's maximum, sum and division), EXP exponentials, ACT
 * activations.  The rates are measured with the arrays in L2; a pass whose
 * arrays (ARRAY bytes, in and out) do not fit there also moves its fp32
 * elements, 4 bytes read and 4 written, at the bandwidth of the level that
 * holds them (the last-level cache's or device memory's), and takes the
 * longer of the two.  The group costs the longer of that and STREAM_S.
 * A profile without the rates (accelerators, whose frameworks fuse these
 * ops into bandwidth-bound kernels over 16-bit activations) keeps
 * STREAM_S. */
static double ew_group(struct wctx *x, double stream_s, double plain, double exp, double act, double array)
{
	double n[3] = { plain, exp, act }, t = 0, level = 0;

	if (x->ew_rate[0] <= 0 || x->fail)
		return stream_s;
	for (int i = 0; i < 3; i++) {
		/* Without its own rate a class runs as plain passes. */
		double r = x->ew_rate[i] > 0 ? x->ew_rate[i] : x->ew_rate[0];

		t += n[i] / r;
		x->ew_elems[i] += x->weight * n[i];
	}
	if (2 * array > profile_local_bytes(x->p)) {
		double bw = 2 * array <= profile_llc_bytes(x->p) && profile_llc_bw_bytes_per_s(x->p) > 0
			? profile_llc_bw_bytes_per_s(x->p) : profile_bw_bytes_per_s(x->p);

		level = 8 * (plain + exp + act) / bw;
	}
	t = fmax(t, level);
	x->ew_s += x->weight * fmax(t, stream_s);
	return fmax(t, stream_s);
}

/* Collective OP of BYTES (nccl-tests' convention) over RANKS ranks whose
 * neighbours are STRIDE chips apart: the scale-up domain then holds
 * chips / stride of them (one per domain past that), so a group strided
 * over other groups crosses the scale-out network. */
static double coll(struct wctx *x, enum comm kind, enum nb_coll_op op, double bytes, int ranks, int stride)
{
	struct nb_interconnect ic;
	struct nb_coll_pred pr;

	if (ranks <= 1 || x->fail)
		return 0;
	if (!x->has_ic) {
		failf(x, NB_PRED_UNSUPPORTED, "the profile has no interconnect section: %s communication "
		      "over %d ranks cannot be predicted", comm_names[kind], ranks);
		return 0;
	}
	ic = x->ic;
	ic.chips = stride >= ic.chips ? 1 : ic.chips / stride;
	coll_predict(&ic, op, bytes, ranks, NB_ALGO_AUTO, &pr);
	if (!pr.ok) {
		failf(x, NB_PRED_UNSUPPORTED, "%s %s over %d ranks: %s", comm_names[kind], coll_op_name(op), ranks,
		      pr.reason);
		return 0;
	}
	x->coll_op[kind] = coll_op_name(op);
	x->coll_bytes[kind] = bytes;
	x->coll_ranks[kind] = ranks;
	snprintf(x->coll_algo[kind], sizeof(x->coll_algo[kind]), "%s", coll_algo_name(pr.algo));
	return pr.seconds;
}

static int64_t heads_per_chip(const struct nb_workload *w)
{
	return w->m.heads / w->tp;
}

static int64_t kv_per_chip(const struct nb_workload *w)
{
	return w->m.kv_heads >= w->tp ? w->m.kv_heads / w->tp : 1;
}

/* The exposed part of a collective of COMM seconds pipelined with a GEMM
 * of G seconds in CHUNKS pieces (one per tensor-parallel rank, as
 * Megatron's userbuffer overlap, XLA's collective matmul and Ascend's
 * fused matmul-communication kernels split them; Wang et al. 2023,
 * "Overlap Communication with Dependent Computation via Decomposition"):
 * the longer of the two runs whole, one piece of the shorter does not
 * hide. */
static double overlap(double comm, double g, int64_t chunks)
{
	return fmax(0, comm - g) + fmin(comm, g) / (double)chunks;
}

/* The plain passes of attention with the scores in memory over ROWS query
 * rows (sequences x heads x rows each) of NH heads, N rows each, against
 * CTX keys: each query row rounded to the dtype (a head's d values), the
 * softmax's maximum, sum and division and the scores' rounding over the
 * full rows, the output copied out, and (inference) the new keys and
 * values rounded into the cache. */
static double att_plain(const struct wctx *x, double rows_tok, double nh, double n, double ctx)
{
	const struct nb_workload *w = x->w;
	double d = (double)w->m.head_dim, kv = w->train ? 0 : 2.0 * rows_tok / heads_per_chip(w) * kv_per_chip(w) * d;

	return 2 * rows_tok * d + 4 * nh * n * ctx + kv;
}

/* Attention with the scores in memory, for NH heads (sequences x heads
 * per chip) of SEQ x SEQ: QK^T and PV as one GEMM per head over the full
 * square (the mask is applied to the scores, not skipped), a fused
 * scale-mask-softmax pass over the scores, and in training the attention
 * dropout (the scores and a byte mask written); backward the four GEMMs of
 * dV, dP, dQ, dK and the dropout and softmax gradients as passes over the
 * scores (Korthikanti et al. 2022's 5 as^2b bytes a layer are these
 * tensors). */
static void materialized(struct wctx *x, int64_t nh, int64_t seq, int64_t d, struct layer *L)
{
	double sc = (double)nh * seq * seq * x->ab, w = x->weight, seen = (double)nh * seq * (seq + 1) / 2;
	int train = x->w->train;

	x->weight = w * nh;
	L->attn_f = nh * (gemm(x, seq, seq, d) + gemm(x, seq, d, seq));
	if (train)
		L->attn_b = nh * (3 * gemm(x, seq, d, seq) + gemm(x, seq, seq, d));
	x->weight = w;
	/* The causal softmax's exponentials cover the keys each row sees. */
	L->attn_f += ew_group(x, stream(x, 2 * sc, 1, 1) + (train ? stream(x, 2.5 * sc, 1, 1) : 0),
			      att_plain(x, nh * seq, nh, seq, seq) - 3.0 * nh * seq * seq + 3 * seen, seen, 0,
			      4.0 * seq * seq);
	if (train)	/* dropout backward: dP' and the mask in, dP out; softmax backward: P, dP in, dS out */
		L->attn_b += stream(x, 2.5 * sc, 1, 1) + stream(x, 3 * sc, 2, 1);
}

/* One layer for T tokens of B sequences on one chip.  CTX > 0: a decode
 * step over a KV cache of CTX tokens (attention read as a stream), else
 * causal attention over SEQ. */
static void layer(struct wctx *x, int64_t T, int64_t b, int64_t seq, int64_t ctx, struct layer *L)
{
	const struct nb_workload *w = x->w;
	const struct nb_llm *m = &w->m;
	int64_t t = w->tp, ha = heads_per_chip(w), hkv = kv_per_chip(w), d = m->head_dim, h = m->hidden;
	int64_t fl = m->ffn / t, up = (m->gated ? 2 : 1) * fl;
	double Tn = w->sp ? (double)T / t : (double)T, tok_mlp = (double)T * m->topk, ab = x->ab;
	struct { int64_t m, n, k; double count; } g[5];
	double gt[5];
	int ng = 0;

	memset(L, 0, sizeof(*L));
	g[ng++] = (typeof(g[0])){ T, (ha + 2 * hkv) * d, h, 1 };
	g[ng++] = (typeof(g[0])){ T, h, ha * d, 1 };
	if (m->experts > 1) {
		/* The local experts run as one grouped GEMM (Megatron's
		 * moe-grouped-gemm, Ascend's GroupedMatmul, vLLM's fused MoE):
		 * one kernel whose work, weights and output are those of the
		 * experts side by side, each over its te tokens, predicted as
		 * the GEMM of te rows against their weights laid end to end
		 * (one launch, not one per expert).  A group whose fp32 output
		 * would exceed a quarter of the chip's memory (a long prompt's
		 * prefill) runs in pieces of fewer experts that fit, as the
		 * implementations chunk it. */
		int64_t local = m->experts / w->ep;
		int64_t te = (int64_t)ceil((double)T * m->topk * w->ep / m->experts);
		double out = 4.0 * te * local * (double)(up > h ? up : h);
		int64_t pieces = (int64_t)fmin((double)local, fmax(1, ceil(out / (profile_mem_bytes(x->p) / 4))));
		int64_t per = (local + pieces - 1) / pieces;

		pieces = (local + per - 1) / per;
		g[ng++] = (typeof(g[0])){ T, m->experts, h, 1 };
		g[ng++] = (typeof(g[0])){ te, up * per, h, (double)pieces };
		g[ng++] = (typeof(g[0])){ te, h * per, fl, (double)pieces };
	} else {
		g[ng++] = (typeof(g[0])){ T, up, h, 1 };
		g[ng++] = (typeof(g[0])){ T, h, fl, 1 };
	}
	for (int i = 0; i < ng; i++) {
		gt[i] = g[i].count * gemm(x, g[i].m, g[i].n, g[i].k);
		L->gemm_f += gt[i];
		if (x->w->train)	/* data gradient, weight gradient */
			L->gemm_b += g[i].count * (gemm(x, g[i].m, g[i].k, g[i].n) + gemm(x, g[i].k, g[i].n, g[i].m));
	}
	if (ctx > 0 && w->attn_materialized) {
		/* A decode step with the scores in memory: per sequence and
		 * head a row of scores against the cache (1 x ctx x d), the
		 * softmax over it, and the row times V (1 x d x ctx), as the
		 * unfused implementations (and the host) run them. */
		double wt = x->weight, nh = (double)b * ha;

		x->weight = wt * nh;
		L->attn_f = nh * (gemm(x, 1, ctx, d) + gemm(x, 1, d, ctx));
		x->weight = wt;
		L->attn_f += ew_group(x, stream(x, 2 * nh * ctx * ab, 1, 1), att_plain(x, nh, nh, 1, (double)ctx),
				      nh * ctx, 0, 4.0 * ctx);
	} else if (ctx > 0) {
		L->attn_f = stream(x, (double)b * ctx * 2 * hkv * d * dtype_bits(w->kv_dtype) / 8, 1, 0);
	} else if (w->attn_materialized) {
		materialized(x, b * ha, seq, d, L);
	} else {
		L->attn_f = attention(x, b, ha, seq, seq, d);
		L->attn_b = w->train ? ATTN_BWD_FACTOR * L->attn_f : 0;
	}
	/* Two norms, two residual adds, the activation, rotary embedding.
	 * As passes: each norm two (the sum of squares, the scaling), each
	 * add one, and the input of each of the four products rounded to the
	 * dtype in one. */
	L->stream_f = ew_group(x, 2 * stream(x, 2 * Tn * h * ab, 1, 1) + 2 * stream(x, 3 * Tn * h * ab, 2, 1)
		+ (m->gated ? stream(x, 3 * tok_mlp * fl * ab, 2, 1) : stream(x, 2 * tok_mlp * fl * ab, 1, 1))
		+ stream(x, 2.0 * T * (ha + hkv) * d * ab, 1, 1),
		6.0 * Tn * h + 2.0 * T * h + (double)T * ha * d + tok_mlp * fl, 0, tok_mlp * fl,
		4.0 * tok_mlp * up);
	L->stream_b = w->train ? 2 * L->stream_f : 0;
	/* Experts with sequence parallelism (Megatron-core's all-to-all
	 * dispatcher): each tensor-parallel rank sends only its 1/tp of the
	 * tokens through the expert-parallel all-to-all, then the tp group
	 * all-gathers them for its slice of every expert, and the combine
	 * reduce-scatters them back before the all-to-all.  Computed before
	 * the layer's own tp collectives, which the breakdown then names. */
	if (m->experts > 1 && w->sp)
		L->ep = coll(x, C_TP, NB_COLL_ALLGATHER, tok_mlp * h * ab, (int)t, 1)
			+ coll(x, C_TP, NB_COLL_REDUCESCATTER, tok_mlp * h * ab, (int)t, 1);
	/* Tensor parallelism: an all-reduce after attention and after the MLP,
	 * or with sequence parallelism a reduce-scatter and an all-gather. */
	if (w->sp) {
		double rs = coll(x, C_TP, NB_COLL_REDUCESCATTER, (double)T * h * ab, (int)t, 1);
		double ag = coll(x, C_TP, NB_COLL_ALLGATHER, (double)T * h * ab, (int)t, 1);

		L->tp = L->tp_b = 2 * (rs + ag);
		if (w->tp_overlap) {
			/* Each all-gather feeds the GEMM after it (QKV, the MLP's
			 * first), each reduce-scatter drains the one before it (the
			 * output projection, the MLP's second); backward, the same
			 * collectives beside the data- and weight-gradient GEMMs,
			 * twice the forward's work. */
			int up_i = m->experts > 1 ? 3 : 2;

			L->tp = overlap(ag, gt[0], t) + overlap(rs, gt[1], t) + overlap(ag, gt[up_i], t)
				+ overlap(rs, gt[up_i + 1], t);
			L->tp_b = overlap(ag, 2 * gt[0], t) + overlap(rs, 2 * gt[1], t) + overlap(ag, 2 * gt[up_i], t)
				  + overlap(rs, 2 * gt[up_i + 1], t);
		}
	} else {
		L->tp = L->tp_b = 2 * coll(x, C_TP, NB_COLL_ALLREDUCE, (double)T * h * ab, (int)t, 1);
	}
	/* Experts: dispatch and combine all-to-all (each rank its 1/tp of
	 * the tokens with sequence parallelism, above). */
	L->ep += 2 * coll(x, C_EP, NB_COLL_ALLTOALL, tok_mlp * h * ab / (w->sp ? (double)t : 1), (int)w->ep, (int)t);
}

/* Forward operations of one token through the model with attention over
 * CTX keys, counted as publications do: 2 per multiply-add of every weight
 * the token passes through, the attention scores and values 4 x ctx x
 * heads x head_dim per layer, the logits; the input embedding is a lookup. */
static double fwd_flops_per_token(const struct nb_llm *m, double ctx)
{
	double per_layer = 2 * (workload_active_params(m) - 2.0 * m->vocab * m->hidden) / m->layers
		+ (m->experts > 1 ? 2.0 * m->hidden * m->experts : 0)
		+ 4 * ctx * m->heads * m->head_dim;

	return m->layers * per_layer + 2.0 * m->vocab * m->hidden;
}

static double attn_core_flops_per_token(const struct nb_llm *m, double ctx)
{
	return m->layers * 4 * ctx * m->heads * m->head_dim;
}

static int64_t layers_per_stage(const struct nb_workload *w)
{
	return (w->m.layers + w->pp - 1) / w->pp;
}

/* Parameters held by the most loaded chip: a stage's layers (attention and
 * MLP split over tp, experts over ep) plus the embedding or output layer. */
static double params_per_chip(const struct nb_workload *w)
{
	const struct nb_llm *m = &w->m;
	double attn = (double)m->hidden * (m->heads + 2 * m->kv_heads) * m->head_dim
		+ (double)m->heads * m->head_dim * m->hidden;
	double mlp = (m->gated ? 3.0 : 2.0) * m->hidden * m->ffn * m->experts / w->ep;

	return layers_per_stage(w) * ((attn + mlp) / w->tp + 4.0 * m->hidden)
		+ (double)m->vocab * m->hidden / w->tp * (w->pp > 1 ? 1 : 2);
}

/* Activation bytes of one layer and one micro-batch (Korthikanti et al.
 * 2022, section 4, generalised from the paper's GPT layer to GQA, gated
 * and MoE MLPs): per token, in units of hidden x 2 bytes, attention 11,
 * MLP 19 and norms 4 (34 in all), of which 10 are not split by tensor
 * parallelism without sequence parallelism; the attention scores, softmax
 * and dropout 5 x heads x seq per token, dropped by selective recompute;
 * full recompute keeps only each layer's input (2 bytes x hidden). */
static double act_per_layer(const struct nb_workload *w)
{
	const struct nb_llm *m = &w->m;
	double h = (double)m->hidden, s = (double)w->seq, b = (double)w->micro_batch, t = (double)w->tp;
	double att = 2 + 2.0 * (m->heads + m->kv_heads) * m->head_dim / h + 2.0 * m->kv_heads * m->head_dim / h
		+ 2.0 * m->heads * m->head_dim / h + 1;
	double mlp = 3 + m->topk * (m->gated ? 6.0 : 4.0) * m->ffn / h;
	double total = att + mlp + 4, per;

	if (w->recompute == NB_RECOMPUTE_FULL)
		return 2 * s * b * h / (w->sp ? t : 1);
	per = w->sp ? total / t : 10 + (total - 10) / t;
	if (w->recompute == NB_RECOMPUTE_NONE)
		per += 5.0 * m->heads * s / (h * t);
	return s * b * h * per;
}

void compose_memory(const struct nb_workload *w, double capacity, struct nb_wl_memory *out)
{
	double P = params_per_chip(w);

	memset(out, 0, sizeof(*out));
	out->capacity = capacity;
	out->params_per_chip = P;
	if (w->train) {
		double m = (double)w->global_batch / (w->dp * w->micro_batch);
		double inflight = fmin((double)w->pp, m);

		out->weights = 2 * P / (w->zero >= 3 ? w->dp : 1);
		out->grads = 2 * P / (w->zero >= 2 ? w->dp : 1);
		out->optimizer = 12 * P / (w->zero >= 1 ? w->dp : 1);
		out->activations = act_per_layer(w) * layers_per_stage(w) * inflight;
		if (w->interleave > 1 && w->pp > 1)
			out->activations *= 1 + (double)(w->pp - 1) / ((double)w->pp * w->interleave);
	} else {
		const struct nb_llm *m = &w->m;

		out->weights = P * dtype_bits(w->dtype) / 8;
		out->kv_cache = (double)w->batch * (w->input + w->output) * layers_per_stage(w) * 2
			* kv_per_chip(w) * m->head_dim * dtype_bits(w->kv_dtype) / 8;
		/* The prefill's largest live tensors: the MLP's input and output. */
		out->activations = (double)w->batch * w->input * 2
			* (2.0 * m->hidden + (m->gated ? 3.0 : 2.0) * m->ffn / w->tp);
	}
	out->total = out->weights + out->grads + out->optimizer + out->activations + out->kv_cache;
}

/* A step's time, by where it goes. */
struct step {
	double fam[F_NFAM], comm[C_NCOMM], bubble, optimizer, seconds;
	double ttft, tpot;
};

/* The data-parallel gradient reduction and parameter gathers, as exposed
 * time: with ZeRO 0-2 the reduction overlaps the last micro-batch's
 * backward and the gather (ZeRO 1-2) the next step's first forward; with
 * ZeRO 3 (FSDP) every micro-batch gathers the weights twice and
 * reduce-scatters the gradients, prefetched under compute, so only what
 * exceeds the compute and the first gather are exposed. */
static double dp_exposed(struct wctx *x, double fwd_window, double bwd_window, double compute, double mbs)
{
	const struct nb_workload *w = x->w;
	double G = 2 * params_per_chip(w), rs, ag;
	int dp = (int)w->dp, stride = (int)w->tp;

	if (w->zero == 0)
		return fmax(0, coll(x, C_DP, NB_COLL_ALLREDUCE, G, dp, stride) - bwd_window);
	rs = coll(x, C_DP, NB_COLL_REDUCESCATTER, G, dp, stride);
	ag = coll(x, C_DP, NB_COLL_ALLGATHER, G, dp, stride);
	if (w->zero < 3)
		return fmax(0, rs - bwd_window) + fmax(0, ag - fwd_window);
	return fmax(0, mbs * (2 * ag + rs) - compute) + ag;
}

static void train_step(struct wctx *x, struct step *st)
{
	const struct nb_workload *w = x->w;
	const struct nb_llm *m = &w->m;
	int64_t T = w->micro_batch * w->seq, t = w->tp, vt = m->vocab / t, h = m->hidden;
	double Ls = (double)layers_per_stage(w), mbs = (double)w->global_batch / (w->dp * w->micro_batch);
	double fwd, bwd, rec = 0, rec_comm = 0, head, t_mb, send;
	struct layer L;

	x->weight = mbs * Ls;
	layer(x, T, w->micro_batch, w->seq, 0, &L);
	x->weight = mbs;
	fwd = L.gemm_f + L.attn_f + L.stream_f;
	bwd = L.gemm_b + L.attn_b + L.stream_b;
	if (w->recompute == NB_RECOMPUTE_FULL) {
		rec = fwd;
		rec_comm = L.tp + L.ep;
	} else if (w->recompute == NB_RECOMPUTE_SELECTIVE) {
		rec = L.attn_f;
	}
	/* Output layer (forward, both gradients), the fp32 cross-entropy over
	 * the logits, the embedding lookup and its gradient: on the pipeline's
	 * last and first stages, counted on the critical stage. */
	head = gemm(x, T, vt, h) + gemm(x, T, h, vt) + gemm(x, h, vt, T)
		+ 3 * stream(x, 2.0 * T * vt * 4, 1, 1) + 3 * stream(x, 2.0 * T * h * x->ab, 1, 1);
	st->fam[F_GEMM] = mbs * Ls * (L.gemm_f + L.gemm_b);
	st->fam[F_ATTN] = mbs * Ls * (L.attn_f + L.attn_b);
	st->fam[F_STREAM] = mbs * Ls * (L.stream_f + L.stream_b);
	st->fam[F_LOGITS] = mbs * head;
	st->fam[F_RECOMPUTE] = mbs * Ls * rec;
	st->comm[C_TP] = mbs * Ls * (L.tp + L.tp_b + (rec_comm > 0 ? L.tp : 0));
	st->comm[C_EP] = mbs * Ls * (2 * L.ep + (rec_comm > 0 ? L.ep : 0));
	t_mb = Ls * (fwd + bwd + rec + L.tp + L.tp_b + 2 * L.ep + rec_comm) + head;
	/* 1F1B: (pp - 1) micro-batch slots idle at start and end, divided by
	 * the virtual stages of the interleaved schedule (Narayanan et al.
	 * 2021, section 2.2). */
	st->bubble = (double)(w->pp - 1) / w->interleave * t_mb;
	/* Each micro-batch crosses every stage boundary forward and backward,
	 * once per virtual stage; with tp the activations go scattered (1/tp
	 * each) and are gathered on arrival. */
	send = coll(x, C_PP, NB_COLL_SENDRECV, (double)T * h * x->ab / t, w->pp > 1 ? 2 : 1, (int)(t * w->dp));
	st->comm[C_PP] = mbs * 2 * w->interleave * send;
	st->comm[C_DP] = dp_exposed(x, Ls * fwd, Ls * bwd, mbs * t_mb, mbs);
	/* Adam: fp32 master weights, both moments and the gradient read, the
	 * three fp32 states and the bf16 weights written: 28 bytes a parameter. */
	x->weight = 1;
	st->optimizer = stream(x, 28 * params_per_chip(w) / (w->zero >= 1 ? w->dp : 1), 1, 1);
	st->seconds = mbs * t_mb + st->bubble + st->comm[C_PP] + st->comm[C_DP] + st->optimizer;
}

/* Prefill of the prompt, then decode steps over a growing KV cache (taken
 * at its mean length); pipeline stages run one batch in series. */
static void infer_run(struct wctx *x, struct step *st)
{
	const struct nb_workload *w = x->w;
	const struct nb_llm *m = &w->m;
	int64_t T = w->batch * w->input, t = w->tp, h = m->hidden, vt = m->vocab / t;
	double Lm = (double)m->layers, ctx = w->input + w->output / 2.0, steps = (double)w->output - 1;
	double logits_p, logits_d, send_p, send_d, pre, dec;
	struct layer P, D;

	/* Between two uses of a weight matrix a step reads every other one,
	 * the KV cache and (prefill) its activations: the level that holds
	 * them all serves the products (a small model's decode weights stay
	 * in the last-level cache, a large one's stream from memory). */
	x->weight = Lm;
	x->reuse = x->mem->weights + x->mem->kv_cache + x->mem->activations;
	layer(x, T, w->batch, w->input, 0, &P);
	x->weight = 1;
	logits_p = gemm(x, w->batch, vt, h);
	x->weight = Lm * steps;
	x->reuse = x->mem->weights + x->mem->kv_cache;
	layer(x, w->batch, w->batch, 1, (int64_t)ctx, &D);
	x->weight = steps;
	logits_d = gemm(x, w->batch, vt, h);
	x->reuse = 0;
	/* Around the logits: the final norm's two passes and the rounding of
	 * each sequence's last row, the greedy pick over the vocabulary; and
	 * the embedding rows copied in (the prompt's in prefill). */
	x->weight = 1;
	logits_p += ew_group(x, 0, 3.0 * w->batch * h + (double)w->batch * vt + (double)T * h, 0, 0,
			     4.0 * fmax((double)w->batch * vt, (double)T * h));
	x->weight = steps;
	logits_d += ew_group(x, 0, 4.0 * w->batch * h + (double)w->batch * vt, 0, 0, 4.0 * w->batch * vt);
	send_p = coll(x, C_PP, NB_COLL_SENDRECV, (double)T * h * x->ab, w->pp > 1 ? 2 : 1, (int)t);
	send_d = coll(x, C_PP, NB_COLL_SENDRECV, (double)w->batch * h * x->ab, w->pp > 1 ? 2 : 1, (int)t);
	pre = Lm * (P.gemm_f + P.attn_f + P.stream_f + P.tp + P.ep) + logits_p + (w->pp - 1) * send_p;
	dec = Lm * (D.gemm_f + D.attn_f + D.stream_f + D.tp + D.ep) + logits_d + (w->pp - 1) * send_d;
	st->fam[F_GEMM] = Lm * (P.gemm_f + steps * D.gemm_f);
	st->fam[F_ATTN] = Lm * (P.attn_f + steps * D.attn_f);
	st->fam[F_STREAM] = Lm * (P.stream_f + steps * D.stream_f);
	st->fam[F_LOGITS] = logits_p + steps * logits_d;
	st->comm[C_TP] = Lm * (P.tp + steps * D.tp);
	st->comm[C_EP] = Lm * (P.ep + steps * D.ep);
	st->comm[C_PP] = (w->pp - 1) * (send_p + steps * send_d);
	st->ttft = pre;
	st->tpot = dec;
	st->seconds = pre + steps * dec;
}

static void add_num(cJSON *o, const char *key, double v)
{
	cJSON_AddNumberToObject(o, key, isfinite(v) ? v : 0);
}

static void add_memory(cJSON *root, const struct nb_wl_memory *mem)
{
	cJSON *o = cJSON_AddObjectToObject(root, "memory_per_chip_bytes");

	add_num(o, "weights", mem->weights);
	add_num(o, "grads", mem->grads);
	add_num(o, "optimizer", mem->optimizer);
	add_num(o, "activations", mem->activations);
	add_num(o, "kv_cache", mem->kv_cache);
	add_num(o, "total", mem->total);
	add_num(o, "capacity", mem->capacity);
	add_num(o, "params_per_chip", mem->params_per_chip);
}

static void add_layout(cJSON *root, const struct nb_workload *w, int chips)
{
	cJSON *o = cJSON_AddObjectToObject(root, "layout");
	static const char *const rc[] = { "none", "selective", "full" };

	add_num(root, "chips", chips);
	add_num(o, "tp", (double)w->tp);
	add_num(o, "pp", (double)w->pp);
	add_num(o, "dp", (double)w->dp);
	cJSON_AddStringToObject(o, "attention", w->attn_materialized ? "materialized" : "flash");
	if (w->train) {
		add_num(o, "ep", (double)w->ep);
		cJSON_AddBoolToObject(o, "sp", w->sp);
		add_num(o, "zero", (double)w->zero);
		add_num(o, "interleave", (double)w->interleave);
		add_num(o, "micro_batches", (double)w->global_batch / (w->dp * w->micro_batch));
		cJSON_AddStringToObject(o, "recompute", rc[w->recompute]);
		cJSON_AddBoolToObject(o, "tp_overlap", w->tp_overlap);
	}
}

static void add_overlap(cJSON *root, const struct nb_workload *w)
{
	cJSON *o = cJSON_AddObjectToObject(root, "overlap");

	cJSON_AddStringToObject(o, "tp", w->tp_overlap
		? "tp_overlap: each all-gather/reduce-scatter pipelined with its GEMM in tp pieces; "
		  "the excess over the GEMM and one piece are exposed"
		: "none: the collectives sit between a layer's GEMMs (exposed)");
	cJSON_AddStringToObject(o, "ep", "none: dispatch and combine wait for the router (exposed)");
	cJSON_AddStringToObject(o, "pp_sendrecv", "none: a stage waits for its input (exposed)");
	if (w->train) {
		cJSON_AddStringToObject(o, "dp", w->zero >= 3
			? "prefetched under compute: the excess over compute and the first all-gather are exposed"
			: "the gradient reduction under the last micro-batch's backward, the parameter all-gather "
			  "under the next step's first forward: the excess is exposed");
		cJSON_AddStringToObject(o, "optimizer", "none: Adam runs after the gradient reduction");
		cJSON_AddStringToObject(o, "bubble", "1F1B: (pp - 1) / interleave micro-batch times idle");
	}
	cJSON_AddStringToObject(o, "members", "each member case keeps the kernel model's own "
				"compute/memory overlap; members run one after another");
}

/* What every prediction assumes, stored with it ("train:" only for steps). */
static const char *const assumptions[] = {
	"Megatron-style layers: QKV and output projections, FlashAttention (causal) or, with "
	"attention=materialized, the scores in memory between two full GEMMs, MLP, two norms, "
	"two residual adds, the activation and rotary embedding as memory streams, the logits",
	"train: backward = data- and weight-gradient GEMMs, attention backward 2.5x its forward, "
	"elementwise backward 2x forward",
	"train: recompute=selective reruns attention forward, full the whole layer forward "
	"(Korthikanti et al. 2022)",
	"train: 1F1B pipeline, bubble (pp - 1) / interleave micro-batch times; the critical stage "
	"also holds the embedding and output layer",
	"train: Adam as a memory stream of 28 bytes a parameter; weights, gradients and optimizer "
	"16 bytes a parameter split per ZeRO stage (Rajbhandari et al. 2020)",
	"train: matrix work at " STR(TRAIN_SUSTAINED) " of the isolated-kernel rate (matrix_sustained_fraction), "
	"fitted to the workload measurements",
	"tp inside the scale-up domain, dp across it (stride tp), pp outermost",
	"MoE tokens spread evenly over experts (exact for grouped routing, MoGE); a chip's experts run as one grouped "
	"GEMM; with sp the expert all-to-all carries 1/tp of the tokens, gathered and scattered in the tp group",
	"ew: the profile gives compute.elementwise_* rates (an implementation running its elementwise work "
	"as separate one-thread vector passes over fp32 activations, the host's): each elementwise group costs "
	"the longer of its bytes at their memory level and its passes' elements at those rates (plain passes: "
	"the norms' two, the adds, each product's input rounded, the softmax's maximum, sum and division, "
	"the scores rounded, the KV rows appended, the embedding rows, the greedy pick)",
	"infer quant=weight (int8 default): weights read at their dtype's size, each converted to bf16 "
	"once per row of tiles at compute.special_tflops, beside the bf16 matrix work",
	NULL,
};

static char *wl_breakdown(const struct wctx *x, const struct step *st, const struct nb_wl_result *r)
{
	const struct nb_workload *w = x->w;
	cJSON *root = cJSON_CreateObject(), *o;
	char peak[64], *json;

	cJSON_AddStringToObject(root, "model", WL_MODEL);
	cJSON_AddStringToObject(root, "profile", profile_id(x->p));
	cJSON_AddStringToObject(root, "workload", w->train ? "train" : "infer");
	if (w->m.id[0])
		cJSON_AddStringToObject(root, "llm", w->m.id);
	add_layout(root, w, r->chips);
	add_num(root, "seconds", st->seconds);
	add_num(root, "tokens_per_s", r->tokens_per_s);
	add_num(root, "mfu", r->mfu);
	add_num(root, "hfu", r->hfu);
	snprintf(peak, sizeof(peak), "%s dense (peak_dense_tflops.%s)%s", dtype_name(w->weight_only ? NB_BF16 : w->dtype),
		 dtype_name(w->weight_only ? NB_BF16 : w->dtype), w->weight_only ? ", weight-only: bf16 math" : "");
	cJSON_AddStringToObject(root, "peak", peak);
	add_num(root, "peak_per_s", r->peak);
	add_num(root, "model_flops", r->model_flops);
	add_num(root, "hardware_flops", r->hardware_flops);
	add_num(root, "matrix_sustained_fraction", x->sustained);
	if (!w->train) {
		add_num(root, "ttft_s", st->ttft);
		add_num(root, "tpot_s", st->tpot);
	}
	o = cJSON_AddObjectToObject(root, "compute_s");
	for (int i = 0; i < F_NFAM; i++)
		add_num(o, fam_names[i], st->fam[i]);
	o = cJSON_AddObjectToObject(root, "exposed_comm_s");
	for (int i = 0; i < C_NCOMM; i++)
		add_num(o, comm_names[i], st->comm[i]);
	o = cJSON_AddObjectToObject(root, "collectives");
	for (int i = 0; i < C_NCOMM; i++) {
		cJSON *c;

		if (!x->coll_op[i])
			continue;
		c = cJSON_AddObjectToObject(o, comm_names[i]);
		cJSON_AddStringToObject(c, "op", x->coll_op[i]);
		add_num(c, "bytes", x->coll_bytes[i]);
		add_num(c, "ranks", x->coll_ranks[i]);
		cJSON_AddStringToObject(c, "algorithm", x->coll_algo[i]);
	}
	if (x->ew_rate[0] > 0) {
		static const char *const cls[3] = { "plain", "exp", "activation" };
		cJSON *e = cJSON_AddObjectToObject(root, "elementwise_passes");

		o = cJSON_AddObjectToObject(e, "elements");
		for (int i = 0; i < 3; i++)
			add_num(o, cls[i], x->ew_elems[i]);
		o = cJSON_AddObjectToObject(e, "rate_per_s");
		for (int i = 0; i < 3; i++)
			add_num(o, cls[i], x->ew_rate[i] > 0 ? x->ew_rate[i] : x->ew_rate[0]);
		add_num(e, "seconds", x->ew_s);
	}
	add_num(root, "bubble_s", st->bubble);
	add_num(root, "optimizer_s", st->optimizer);
	/* What keeps the step from its compute alone. */
	o = cJSON_AddObjectToObject(root, "losses_s");
	add_num(o, "bubble", st->bubble);
	for (int i = 0; i < C_NCOMM; i++)
		add_num(o, comm_names[i], st->comm[i]);
	add_num(o, "recompute", st->fam[F_RECOMPUTE]);
	add_memory(root, &r->mem);
	add_overlap(root, w);
	o = cJSON_AddArrayToObject(root, "assumptions");
	for (const char *const *a = assumptions; *a; a++)
		if ((w->train || strncmp(*a, "train:", 6)) && (x->ew_rate[0] > 0 || strncmp(*a, "ew:", 3)))
			cJSON_AddItemToArray(o, cJSON_CreateString(*a));
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

static char *wl_refusal(const struct nb_profile *p, const struct nb_prediction *out, const struct nb_wl_memory *mem)
{
	cJSON *root = cJSON_CreateObject();
	char *json;

	cJSON_AddStringToObject(root, "model", WL_MODEL);
	cJSON_AddStringToObject(root, "profile", profile_id(p));
	cJSON_AddStringToObject(root, "status", prediction_status_name(out->status));
	cJSON_AddStringToObject(root, "reason", out->reason);
	if (mem)
		add_memory(root, mem);
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

/* Model FLOPs (no recomputation) and the hardware's (with it). */
static void flops(const struct nb_workload *w, struct nb_wl_result *r)
{
	const struct nb_llm *m = &w->m;

	if (w->train) {
		double tokens = (double)w->global_batch * w->seq, rec = 0;

		r->model_flops = 3 * tokens * fwd_flops_per_token(m, (double)w->seq);
		if (w->recompute == NB_RECOMPUTE_FULL)
			rec = tokens * (fwd_flops_per_token(m, (double)w->seq) - 2.0 * m->vocab * m->hidden);
		else if (w->recompute == NB_RECOMPUTE_SELECTIVE)
			rec = tokens * attn_core_flops_per_token(m, (double)w->seq);
		r->hardware_flops = r->model_flops + rec;
	} else {
		/* Causal: a prompt token attends to half the prompt on average. */
		r->model_flops = (double)w->batch * w->input * fwd_flops_per_token(m, w->input / 2.0)
			+ (double)w->batch * w->output * fwd_flops_per_token(m, w->input + w->output / 2.0);
		r->hardware_flops = r->model_flops;
	}
}

int compose_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out,
		    struct nb_wl_result *res)
{
	struct wctx x = { 0 };
	struct nb_workload w;
	struct step st = { 0 };
	struct nb_wl_result r = { 0 };

	memset(out, 0, sizeof(*out));
	out->bound = "";
	if (workload_resolve(c, &w, out->reason, sizeof(out->reason))) {
		out->status = NB_PRED_UNSUPPORTED;
		out->breakdown_json = wl_refusal(p, out, NULL);
		return 0;
	}
	x.p = p;
	x.w = &w;
	x.has_ic = !profile_interconnect(p, &x.ic);
	x.mdt = w.dtype;
	x.adt = w.dtype == NB_FP16 ? NB_FP16 : NB_BF16;
	x.ab = 2;
	x.sustained = w.train ? TRAIN_SUSTAINED : 1;
	x.ew_rate[0] = profile_ew_rate(p);
	x.ew_rate[1] = profile_ew_exp_rate(p);
	x.ew_rate[2] = profile_ew_act_rate(p);
	x.weight = 1;
	r.chips = (int)(w.tp * w.pp * w.dp);
	compose_memory(&w, profile_mem_bytes(p), &r.mem);
	x.mem = &r.mem;
	if (r.mem.total > r.mem.capacity) {
		out->status = NB_PRED_NO_FIT;
		snprintf(out->reason, sizeof(out->reason),
			 "does not fit: needs %.1f GiB per chip (weights %.1f, gradients %.1f, optimizer %.1f, "
			 "activations %.1f, KV cache %.1f) against %s's %.1f GiB",
			 r.mem.total / 1073741824.0, r.mem.weights / 1073741824.0, r.mem.grads / 1073741824.0,
			 r.mem.optimizer / 1073741824.0, r.mem.activations / 1073741824.0,
			 r.mem.kv_cache / 1073741824.0, profile_id(p), r.mem.capacity / 1073741824.0);
		out->breakdown_json = wl_refusal(p, out, &r.mem);
		goto done;
	}
	if (w.train)
		train_step(&x, &st);
	else
		infer_run(&x, &st);
	if (x.fail) {
		out->status = x.st;
		snprintf(out->reason, sizeof(out->reason), "%s", x.reason);
		out->breakdown_json = wl_refusal(p, out, &r.mem);
		goto done;
	}
	flops(&w, &r);
	r.peak = profile_peak(p, w.weight_only ? NB_BF16 : w.dtype);
	r.step_s = st.seconds;
	r.tokens_per_s = (w.train ? (double)w.global_batch * w.seq : (double)w.batch * w.output) / st.seconds;
	r.mfu = r.peak > 0 ? r.model_flops / (st.seconds * r.chips * r.peak) : 0;
	r.hfu = r.peak > 0 ? r.hardware_flops / (st.seconds * r.chips * r.peak) : 0;
	r.ttft_s = st.ttft;
	r.tpot_s = st.tpot;
	out->status = NB_PRED_OK;
	out->seconds = st.seconds;
	out->throughput = r.tokens_per_s;
	out->util = r.mfu;
	/* What most of the step waits on: the members' own bounds, weighted by
	 * how often they run, against the exposed communication and bubble. */
	{
		static const char *const names[] = { "compute", "memory", "latency" };
		double comm = st.comm[C_TP] + st.comm[C_EP] + st.comm[C_PP] + st.comm[C_DP] + st.bubble;
		int k = 0;

		for (int i = 1; i < 3; i++)
			if (x.bound_s[i] > x.bound_s[k])
				k = i;
		out->bound = comm > x.bound_s[k] ? "communication" : names[k];
	}
	out->breakdown_json = wl_breakdown(&x, &st, &r);
done:
	if (!out->breakdown_json)
		die("out of memory");
	if (res)
		*res = r;
	return 0;
}
