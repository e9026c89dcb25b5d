/* train and infer on the host, for real: a small decoder-only transformer
 * run with the project's own GEMM (gemm.c, at the dispatched ISA) for every
 * matrix product -- projections, MLP, logits, and attention's QK^T and PV
 * per sequence and head -- and for the elementwise work the loops of
 * workload-ew.h at the same ISA (bf16 rounding, SiLU/GELU and their
 * gradients, Adam) and plain C (RMS norms, softmax, residual adds,
 * cross-entropy).
 *
 * What a step is:
 *   train: for each micro-batch, the forward pass of every layer, the
 *     cross-entropy over next tokens, the backward pass (data and weight
 *     gradients, attention backward as five products), with the recompute
 *     option's extra forward work; then one Adam step over every parameter.
 *   infer: the prefill of batch x input prompt tokens (filling the KV cache),
 *     then output - 1 greedy decode steps, each one token a sequence.
 * Matrix inputs are rounded to the case's dtype (bf16 or fp16) before each
 * product, as mixed-precision frameworks do; accumulation, activations and
 * the optimizer state are fp32.  The norms carry no gain and positions no
 * rotary embedding: neither changes the work's shape.  The recompute options
 * add their forward work; the host keeps every activation regardless.
 *
 * Verification: the same step with the portable GEMM (the test oracle of
 * gemm-ref.c) and the portable elementwise table, from the same seed; train compares the loss and every
 * parameter's gradient, infer every step's logits (the reference fed the
 * timed run's tokens).  That the backward pass is the forward's derivative
 * is checked separately by finite differences (workload_host_gradcheck). */
#include "kernels/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm.h"
#include "kernels/workload-ew.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/timer.h"
#include "util/util.h"

enum { W_QKV, W_O, W_UP, W_DOWN, W_PER_LAYER };

#define TT_ROWS 32	/* rows to_dt_t rounds at a time */

/* Opt-in per-phase timing of the timed runs (NPUBENCH_HOST_PHASES=1 in the
 * environment): where a step's time goes between the products, printed to
 * stderr at teardown as the mean per run.  Off, a phase costs one test of
 * a null pointer; on, two clock reads per timed region (tens of
 * nanoseconds each), which a decode step's many small regions notice. */
enum phase {
	PH_EMBED, PH_NORM, PH_ROUND, PH_GEMM, PH_KV, PH_ATT_ROUND, PH_ATT_QK, PH_SOFTMAX, PH_ATT_PV,
	PH_ATT_COPY, PH_RESID, PH_ACT, PH_LOGITS_GEMM, PH_PICK, PH_N
};
static const char *const phase_names[PH_N] = {
	"embed", "rmsnorm", "round_in", "gemm", "kv_append", "att_round", "att_qk", "softmax", "att_pv",
	"att_copy", "residual", "activation", "logits_gemm", "argmax"
};

struct phases {
	double s[2][PH_N];	/* [prefill, decode] seconds */
	long runs;
	int stage;
};

#define PHASE(s, p, stmt)                                      \
	do {                                                   \
		double t0_ = (s)->ph ? timer_now() : 0;        \
		stmt;                                          \
		if ((s)->ph)                                   \
			(s)->ph->s[(s)->ph->stage][p] += timer_now() - t0_; \
	} while (0)

struct dims {
	int train;
	long b, S, T, h, H, Hkv, d, f, up, qkvw, hd, V, L, maxd, mbs;
	long input, output;
	int gated;
	enum nb_recompute rc;
	enum nb_dtype dt;
};

/* A parameter tensor (rows x cols, row-major): fp32 master, gradient, Adam
 * moments, and its dtype copies as stored (wl) and transposed (wt), since
 * the GEMM takes its operands untransposed. */
struct ptens {
	float *w, *g, *m, *v;
	void *wl, *wt;
	long r, c;
};

/* One layer's activations (train: one set per layer, kept for backward). */
struct act {
	float *xin, *rms1, *a, *qkv, *P, *o, *x1, *rms2, *c, *u, *g;
};

struct lm {
	struct dims x;
	const struct gemm_impl *impl;
	const struct wl_ew *ew;	/* elementwise loops: the GEMM's ISA, or the portable reference */
	struct nb_pool *pool;
	struct gemm_ws ws;	/* packing buffers, allocated by the first step */
	uint64_t seed;
	char *base;		/* one allocation; NULL while counting */
	size_t used;
	struct ptens *pt;	/* L x W_PER_LAYER, then the embedding, then the output layer */
	int npt;
	struct act *act;	/* train: L sets; infer: one */
	int *tok;		/* train: b x (S + 1); infer: b x (input + output) */
	float *xL, *rmsf, *xf, *logits, *tmp, *dx, *dx1, *dbig, *dqkv, *du, *kv;
	void *al, *atl, *bl;	/* matrix operands in the dtype */
	float *as, *adp;	/* attention scratch: scores, dP */
	void *aq, *ak, *av, *ap;
	float *ao, *adk;
	uint16_t *tt;		/* to_dt_t's block of rows */
	struct phases *ph;	/* per-phase timing, or NULL */
	double loss;
	long step;
};

static struct ptens *ptn(struct lm *s, long l, int w)
{
	return &s->pt[l * W_PER_LAYER + w];
}

static size_t esz(const struct lm *s)
{
	return (size_t)dtype_bits(s->x.dt) / 8;
}

/* Carves N bytes from the single allocation (or counts them). */
static void *take(struct lm *s, size_t n)
{
	void *p = s->base ? s->base + s->used : NULL;

	s->used += (n + 63) & ~(size_t)63;
	return p;
}

static float *fl(struct lm *s, long n)
{
	return take(s, (size_t)n * sizeof(float));
}

static void layout_params(struct lm *s)
{
	const struct dims *x = &s->x;
	long shape[W_PER_LAYER][2] = { { x->h, x->qkvw }, { x->hd, x->h }, { x->h, x->up }, { x->f, x->h } };

	for (int i = 0; i < s->npt; i++) {
		struct ptens *p = &s->pt[i];
		int w = i % W_PER_LAYER;

		p->r = i < x->L * W_PER_LAYER ? shape[w][0] : i == s->npt - 2 ? x->V : x->h;
		p->c = i < x->L * W_PER_LAYER ? shape[w][1] : i == s->npt - 2 ? x->h : x->V;
		p->w = fl(s, p->r * p->c);
		p->wl = take(s, (size_t)(p->r * p->c) * esz(s));
		if (x->train) {
			p->g = fl(s, p->r * p->c);
			p->m = fl(s, p->r * p->c);
			p->v = fl(s, p->r * p->c);
			p->wt = take(s, (size_t)(p->r * p->c) * esz(s));
		}
	}
}

/* Every buffer, in one pass that either counts (base NULL) or assigns. */
static void layout(struct lm *s)
{
	const struct dims *x = &s->x;
	long T = x->T, nact = x->train ? x->L : 1, ctx = x->train ? x->S : x->input + x->output;
	long sq = x->train ? x->S : x->input, big = x->maxd * T, pmax = 0;

	s->used = 0;
	layout_params(s);
	for (int i = 0; i < s->npt; i++)
		pmax = s->pt[i].r * s->pt[i].c > pmax ? s->pt[i].r * s->pt[i].c : pmax;
	for (long l = 0; l < nact; l++) {
		struct act *a = &s->act[l];

		a->xin = fl(s, T * x->h);
		a->rms1 = fl(s, T);
		a->a = fl(s, T * x->h);
		a->qkv = fl(s, T * x->qkvw);
		/* Attention probabilities kept for backward; with recompute
		 * they are rebuilt layer by layer into the first set's. */
		a->P = x->train && (l == 0 || x->rc == NB_RECOMPUTE_NONE) ? fl(s, x->b * x->H * x->S * x->S)
			: x->train ? s->act[0].P : NULL;
		a->o = fl(s, T * x->hd);
		a->x1 = fl(s, T * x->h);
		a->rms2 = fl(s, T);
		a->c = fl(s, T * x->h);
		a->u = fl(s, T * x->up);
		a->g = fl(s, T * x->f);
	}
	s->tok = take(s, (size_t)(x->b * (x->train ? x->S + 1 : x->input + x->output)) * sizeof(int));
	s->xL = fl(s, T * x->h);
	s->rmsf = fl(s, T);
	s->xf = fl(s, T * x->h);
	s->logits = fl(s, (x->train ? T : x->b) * x->V);
	s->tmp = fl(s, big > pmax ? big : pmax);
	s->dx = fl(s, T * x->h);
	s->dx1 = fl(s, T * x->h);
	s->dbig = fl(s, big);
	s->dqkv = x->train ? fl(s, T * x->qkvw) : NULL;
	s->du = x->train ? fl(s, T * x->up) : NULL;
	s->kv = x->train ? NULL : fl(s, x->L * x->b * ctx * 2 * x->Hkv * x->d);
	s->al = take(s, (size_t)(big > pmax ? big : pmax) * esz(s));
	s->atl = take(s, (size_t)(big > pmax ? big : pmax) * esz(s));
	s->bl = take(s, (size_t)big * esz(s));
	s->as = fl(s, sq * ctx);
	s->adp = fl(s, sq * ctx);
	s->aq = take(s, (size_t)(sq * x->d) * esz(s));
	s->ak = take(s, (size_t)(ctx * x->d) * esz(s));
	s->av = take(s, (size_t)(ctx * x->d) * esz(s));
	s->ap = take(s, (size_t)(sq * ctx) * esz(s));
	s->ao = fl(s, sq * x->d);
	s->adk = fl(s, ctx * x->d);
	s->tt = take(s, (size_t)TT_ROWS * (size_t)(big / T > ctx ? big / T : ctx) * sizeof(uint16_t));
}

/* Rounds N fp32 values to the dtype (strided rows: R rows of N at stride
 * LD into dense rows). */
static void to_dt(const struct lm *s, const float *src, long rows, long n, long ld, void *dst)
{
	for (long r = 0; r < rows; r++) {
		const float *in = src + r * ld;

		if (s->x.dt == NB_FP32) {
			memcpy((float *)dst + r * n, in, (size_t)n * sizeof(float));
		} else if (s->x.dt == NB_BF16) {
			s->ew->to_bf16(in, (uint16_t *)dst + r * n, n);
		} else {
			uint16_t *o = (uint16_t *)dst + r * n;

			for (long i = 0; i < n; i++)
				o[i] = s->x.dt == NB_BF16 ? nb_f32_to_bf16(in[i]) : nb_f32_to_fp16(in[i]);
		}
	}
}

/* The transpose of ROWS x N (stride LD) into N x ROWS, in the dtype.
 * bf16 goes TT_ROWS rows at a time: rounded by the vector loop into a
 * dense block, then written out a column at a time, TT_ROWS contiguous
 * values each, so that neither side strides through memory per element. */
static void to_dt_t(const struct lm *s, const float *src, long rows, long n, long ld, void *dst)
{
	if (s->x.dt == NB_BF16) {
		uint16_t *o = dst, *blk = s->tt;

		for (long r0 = 0; r0 < rows; r0 += TT_ROWS) {
			long nr = rows - r0 < TT_ROWS ? rows - r0 : TT_ROWS;

			for (long r = 0; r < nr; r++)
				s->ew->to_bf16(src + (r0 + r) * ld, blk + r * n, n);
			for (long i = 0; i < n; i++)
				for (long r = 0; r < nr; r++)
					o[i * rows + r0 + r] = blk[r * n + i];
		}
		return;
	}
	for (long r = 0; r < rows; r++)
		for (long i = 0; i < n; i++) {
			float v = src[r * ld + i];

			if (s->x.dt == NB_FP32)
				((float *)dst)[i * rows + r] = v;
			else
				((uint16_t *)dst)[i * rows + r] = nb_f32_to_fp16(v);
		}
}

/* C (m x n, fp32) = A (m x k) B (k x n, rows LDB apart; 0: dense), both
 * in the dtype. */
static void mm_ld(struct lm *s, long m, long n, long k, const void *a, const void *b, long ldb, float *c)
{
	if (gemm_compute_ws(&s->ws, s->impl, s->pool, s->x.dt, m, n, k, a, b, ldb, c))
		die("out of memory in a host %s step's GEMM", s->x.train ? "train" : "infer");
}

static void mm(struct lm *s, long m, long n, long k, const void *a, const void *b, float *c)
{
	mm_ld(s, m, n, k, a, b, 0, c);
}

/* Y (T x n) = X (T x k) W. */
static void linear(struct lm *s, const float *X, long T, struct ptens *W, float *Y)
{
	PHASE(s, PH_ROUND, to_dt(s, X, T, W->r, W->r, s->al));
	PHASE(s, W == &s->pt[s->npt - 1] ? PH_LOGITS_GEMM : PH_GEMM, mm(s, T, W->c, W->r, s->al, W->wl, Y));
}

/* Given dY (T x n): the weight gradient W.g += X^T dY and, when DX is
 * given, DX = dY W^T. */
static void linear_bwd(struct lm *s, const float *X, const float *dY, long T, struct ptens *W, float *DX)
{
	long n = W->r * W->c;

	to_dt(s, dY, T, W->c, W->c, s->bl);
	if (DX)
		mm(s, T, W->r, W->c, s->bl, W->wt, DX);
	to_dt_t(s, X, T, W->r, W->r, s->atl);
	mm(s, W->r, W->c, T, s->atl, s->bl, s->tmp);
	for (long i = 0; i < n; i++)
		W->g[i] += s->tmp[i];
}

static void rmsnorm(const struct lm *s, const float *x, float *y, float *r, long T, long h)
{
	PHASE(s, PH_NORM, for (long t = 0; t < T; t++) r[t] = s->ew->rms_row(x + t * h, y + t * h, h));
}

/* dx = r (dy - y mean(dy y)) with y = x r; added to ACC. */
static void rmsnorm_bwd(const float *x, const float *r, const float *dy, long T, long h, float *acc)
{
	for (long t = 0; t < T; t++) {
		double dot = 0;

		for (long i = 0; i < h; i++)
			dot += (double)dy[t * h + i] * x[t * h + i] * r[t];
		for (long i = 0; i < h; i++)
			acc[t * h + i] += r[t] * (dy[t * h + i] - (float)(x[t * h + i] * r[t] * dot / h));
	}
}

/* g = silu(u1) u2 (gated) or gelu(u) (tanh form), row by row. */
static void activate(const struct lm *s, const struct dims *x, const float *u, float *g)
{
	for (long t = 0; t < x->T; t++) {
		const float *ut = u + t * x->up;

		if (x->gated)
			s->ew->swiglu(ut, ut + x->f, g + t * x->f, x->f);
		else
			s->ew->gelu(ut, g + t * x->f, x->f);
	}
}

static void activate_bwd(const struct lm *s, const struct dims *x, const float *u, const float *dg, float *du)
{
	for (long t = 0; t < x->T; t++) {
		const float *ut = u + t * x->up;
		float *dt = du + t * x->up;

		if (x->gated)
			s->ew->swiglu_bwd(ut, ut + x->f, dg + t * x->f, dt, dt + x->f, x->f);
		else
			s->ew->gelu_bwd(ut, dg + t * x->f, dt, x->f);
	}
}

/* One sequence's and head's attention: N query rows at positions P0.. of
 * Q (row stride QS) against keys 0..P0+N-1 of K and V (row stride KS);
 * output rows to O (stride OS); the probabilities (n x ctx) to P when
 * given.  Or, with KT, keys and values already in the dtype: K^T (d rows
 * LDKT apart) and V (dense rows of d), as inference's cache holds them. */
struct att_io {
	const float *q, *k, *v;
	long qs, ks, n, p0, os;
	float *o, *P;
	const void *kt, *vt;
	long ldkt;
};

static void att_fwd(struct lm *s, const struct att_io *io)
{
	long d = s->x.d, n = io->n, ctx = io->p0 + n;
	float scale = 1 / sqrtf((float)d), *S = io->P ? io->P : s->as;

	PHASE(s, PH_ATT_ROUND, to_dt(s, io->q, n, d, io->qs, s->aq));
	if (io->kt) {
		PHASE(s, PH_ATT_QK, mm_ld(s, n, ctx, d, s->aq, io->kt, io->ldkt, S));
	} else {
		to_dt_t(s, io->k, ctx, d, io->ks, s->ak);
		mm(s, n, ctx, d, s->aq, s->ak, S);
	}
	PHASE(s, PH_SOFTMAX, for (long i = 0; i < n; i++) s->ew->softmax_row(S + i * ctx, io->p0 + i + 1, ctx, scale));
	PHASE(s, PH_ATT_ROUND, to_dt(s, S, n, ctx, ctx, s->ap));
	if (!io->vt)
		to_dt(s, io->v, ctx, d, io->ks, s->av);
	PHASE(s, PH_ATT_PV, mm(s, n, d, ctx, s->ap, io->vt ? io->vt : s->av, s->ao));
	PHASE(s, PH_ATT_COPY, for (long i = 0; i < n; i++)
		memcpy(io->o + i * io->os, s->ao + i * d, (size_t)d * sizeof(float)));
}

/* Attention backward of one training sequence and head: dP = dO V^T,
 * dV = P^T dO, dS = P (dP - rowsum(P dP)), dQ = dS K, dK = dS^T Q (the five
 * products of FlashAttention-2's backward).  dK and dV add up over the
 * query heads sharing a KV head. */
static void att_bwd(struct lm *s, const struct att_io *io, const float *dO, float *dq, float *dk, float *dv)
{
	long d = s->x.d, n = io->n, ld = s->x.qkvw;
	float scale = 1 / sqrtf((float)d);

	to_dt(s, dO, n, d, s->x.hd, s->aq);
	to_dt_t(s, io->v, n, d, io->ks, s->ak);
	mm(s, n, n, d, s->aq, s->ak, s->adp);
	to_dt_t(s, io->P, n, n, n, s->ap);
	mm(s, n, d, n, s->ap, s->aq, s->adk);
	for (long i = 0; i < n; i++)
		for (long t = 0; t < d; t++)
			dv[i * ld + t] += s->adk[i * d + t];
	for (long i = 0; i < n; i++) {
		const float *p = io->P + i * n;
		float *dp = s->adp + i * n, dot = 0;

		for (long j = 0; j < n; j++)
			dot += p[j] * dp[j];
		for (long j = 0; j < n; j++)
			dp[j] = p[j] * (dp[j] - dot) * scale;
	}
	to_dt(s, s->adp, n, n, n, s->ap);
	to_dt(s, io->k, n, d, io->ks, s->av);
	mm(s, n, d, n, s->ap, s->av, s->ao);
	for (long i = 0; i < n; i++)
		memcpy(dq + i * ld, s->ao + i * d, (size_t)d * sizeof(float));
	to_dt_t(s, s->adp, n, n, n, s->ap);
	to_dt(s, io->q, n, d, io->qs, s->av);
	mm(s, n, d, n, s->ap, s->av, s->adk);
	for (long i = 0; i < n; i++)
		for (long t = 0; t < d; t++)
			dk[i * ld + t] += s->adk[i * d + t];
}

/* A training layer's attention over every sequence and head. */
static void att_train(struct lm *s, struct act *A)
{
	const struct dims *x = &s->x;
	long g = x->H / x->Hkv;

	for (long b = 0; b < x->b; b++)
		for (long hh = 0; hh < x->H; hh++) {
			const float *base = A->qkv + b * x->S * x->qkvw;
			struct att_io io = { base + hh * x->d, base + x->hd + hh / g * x->d,
					     base + x->hd + (x->Hkv + hh / g) * x->d, x->qkvw, x->qkvw, x->S, 0,
					     x->hd, A->o + b * x->S * x->hd + hh * x->d,
					     A->P + (b * x->H + hh) * x->S * x->S, NULL, NULL, 0 };

			att_fwd(s, &io);
		}
}

/* Inference attention: this step's keys and values into layer L's cache,
 * then every sequence's N new rows at P0.  The cache holds them in the
 * dtype, as a serving implementation does: per sequence and KV head, K^T
 * (d x ctx) and V (ctx x d), each row rounded once when it is appended,
 * not the whole cache again at every step. */
static void att_infer(struct lm *s, struct act *A, long l, long n, long p0)
{
	const struct dims *x = &s->x;
	long ctx = x->input + x->output, g = x->H / x->Hkv, d = x->d, es = (long)esz(s);
	char *cache = (char *)s->kv + (size_t)(l * x->b * x->Hkv * 2 * ctx * d * es);

	for (long b = 0; b < x->b; b++) {
		double t0 = s->ph ? timer_now() : 0;

		for (long hk = 0; hk < x->Hkv; hk++) {
			char *kt = cache + (b * x->Hkv + hk) * 2 * ctx * d * es, *v = kt + ctx * d * es;

			const float *rows = A->qkv + b * n * x->qkvw + x->hd + hk * d;

			/* V's rows as they are; K's rows in bf16 rounded and
			 * transposed in one pass by the table (blocks of rows,
			 * each of K^T's d rows written as runs of values);
			 * otherwise rounded into scratch (s->ap, free until
			 * att_fwd), then each of K^T's d rows written as one run
			 * of n values, not n scattered ones. */
			to_dt(s, rows + x->Hkv * d, n, d, x->qkvw, v + p0 * d * es);
			if (x->dt == NB_BF16) {
				s->ew->to_bf16_t(rows, x->qkvw, n, d, (uint16_t *)kt + p0, ctx);
				continue;
			}
			to_dt(s, rows, n, d, x->qkvw, s->ap);
			if (es == 2) {
				const uint16_t *src = s->ap;
				uint16_t *dst = (uint16_t *)kt + p0;

				for (long e = 0; e < d; e++)
					for (long i = 0; i < n; i++)
						dst[e * ctx + i] = src[i * d + e];
			} else {
				for (long e = 0; e < d; e++)
					for (long i = 0; i < n; i++)
						memcpy(kt + (e * ctx + p0 + i) * es, (char *)s->ap + (i * d + e) * es,
						       (size_t)es);
			}
		}
		if (s->ph)
			s->ph->s[s->ph->stage][PH_KV] += timer_now() - t0;
		for (long hh = 0; hh < x->H; hh++) {
			const char *kt = cache + (b * x->Hkv + hh / g) * 2 * ctx * d * es;
			struct att_io io = { A->qkv + b * n * x->qkvw + hh * x->d, NULL, NULL,
					     x->qkvw, 0, n, p0, x->hd, A->o + b * n * x->hd + hh * x->d, NULL,
					     kt, kt + ctx * d * es, ctx };

			att_fwd(s, &io);
		}
	}
}

/* One layer forward from A->xin to OUT (T rows); infer passes the step's
 * rows per sequence N and position P0 (train: -1). */
static void layer_fwd(struct lm *s, long l, struct act *A, float *out, long T, long n, long p0)
{
	const struct dims *x = &s->x;
	struct dims xt = *x;

	rmsnorm(s, A->xin, A->a, A->rms1, T, x->h);
	linear(s, A->a, T, ptn(s, l, W_QKV), A->qkv);
	if (p0 < 0)
		att_train(s, A);
	else
		att_infer(s, A, l, n, p0);
	linear(s, A->o, T, ptn(s, l, W_O), s->tmp);
	PHASE(s, PH_RESID, s->ew->add(A->xin, s->tmp, A->x1, T * x->h));
	rmsnorm(s, A->x1, A->c, A->rms2, T, x->h);
	linear(s, A->c, T, ptn(s, l, W_UP), A->u);
	xt.T = T;
	PHASE(s, PH_ACT, activate(s, &xt, A->u, A->g));
	linear(s, A->g, T, ptn(s, l, W_DOWN), s->tmp);
	PHASE(s, PH_RESID, s->ew->add(A->x1, s->tmp, out, T * x->h));
}

/* One layer backward: S->dx holds the gradient at the layer's output and
 * receives the one at its input. */
static void layer_bwd(struct lm *s, long l, struct act *A)
{
	const struct dims *x = &s->x;
	long T = x->T, g = x->H / x->Hkv;
	float *dg = s->dbig, *du = s->du;

	if (x->rc == NB_RECOMPUTE_FULL)	/* the output is not needed: into dx1, free until below */
		layer_fwd(s, l, A, s->dx1, T, 0, -1);
	else if (x->rc == NB_RECOMPUTE_SELECTIVE)
		att_train(s, A);
	linear_bwd(s, A->g, s->dx, T, ptn(s, l, W_DOWN), dg);
	activate_bwd(s, x, A->u, dg, du);
	memcpy(s->dx1, s->dx, (size_t)(T * x->h) * sizeof(float));
	linear_bwd(s, A->c, du, T, ptn(s, l, W_UP), s->dbig);
	rmsnorm_bwd(A->x1, A->rms2, s->dbig, T, x->h, s->dx1);
	linear_bwd(s, A->o, s->dx1, T, ptn(s, l, W_O), s->dbig);
	memset(s->dqkv, 0, (size_t)(T * x->qkvw) * sizeof(float));
	for (long b = 0; b < x->b; b++)
		for (long hh = 0; hh < x->H; hh++) {
			const float *base = A->qkv + b * x->S * x->qkvw;
			float *db = s->dqkv + b * x->S * x->qkvw;
			long ko = x->hd + hh / g * x->d, vo = x->hd + (x->Hkv + hh / g) * x->d;
			struct att_io io = { base + hh * x->d, base + ko, base + vo, x->qkvw, x->qkvw, x->S, 0,
					     x->hd, NULL, A->P + (b * x->H + hh) * x->S * x->S, NULL, NULL, 0 };

			att_bwd(s, &io, s->dbig + b * x->S * x->hd + hh * x->d, db + hh * x->d, db + ko, db + vo);
		}
	linear_bwd(s, A->a, s->dqkv, T, ptn(s, l, W_QKV), s->dbig);
	memcpy(s->dx, s->dx1, (size_t)(T * x->h) * sizeof(float));
	rmsnorm_bwd(A->xin, A->rms1, s->dbig, T, x->h, s->dx);
}

static void refresh(struct lm *s, struct ptens *p)
{
	to_dt(s, p->w, p->r, p->c, p->c, p->wl);
	if (p->wt)
		to_dt_t(s, p->w, p->r, p->c, p->c, p->wt);
}

/* Weights uniform with the fan-in's scale (the embedding unscaled), the
 * optimizer state zero, prompt tokens uniform over the vocabulary. */
static void init(struct lm *s)
{
	const struct dims *x = &s->x;
	struct nb_rng r;
	long ntok = x->b * (x->train ? x->S + 1 : x->input + x->output);

	rng_seed(&r, s->seed, 0x11);
	for (int i = 0; i < s->npt; i++) {
		struct ptens *p = &s->pt[i];
		float scale = i == s->npt - 2 ? 1 : 1 / sqrtf((float)p->r);
		size_t n = (size_t)(p->r * p->c);

		for (size_t j = 0; j < n; j++)
			p->w[j] = scale * rng_float(&r);
		if (p->g) {
			memset(p->g, 0, n * sizeof(float));
			memset(p->m, 0, n * sizeof(float));
			memset(p->v, 0, n * sizeof(float));
		}
		refresh(s, p);
	}
	for (long i = 0; i < ntok; i++)
		s->tok[i] = (int)rng_range(&r, 0, x->V - 1);
	s->step = 0;
}

/* ROWS token rows into X: the embedding's rows of tokens TOK[i * STRIDE]. */
static void embed(struct lm *s, const int *tok, long rows, long per, long stride, float *X)
{
	const struct ptens *E = &s->pt[s->npt - 2];

	for (long i = 0; i < rows; i++)
		memcpy(X + i * s->x.h, E->w + (long)tok[i / per * stride + i % per] * s->x.h,
		       (size_t)s->x.h * sizeof(float));
}

/* One micro-batch forward and backward, gradients added to each
 * parameter's; returns its share of the step's mean cross-entropy. */
static double fwd_bwd(struct lm *s)
{
	const struct dims *x = &s->x;
	struct ptens *E = &s->pt[s->npt - 2], *Wout = &s->pt[s->npt - 1];
	long T = x->T, V = x->V;
	double loss = 0, norm = (double)T * x->mbs;

	embed(s, s->tok, T, x->S, x->S + 1, s->act[0].xin);
	for (long l = 0; l < x->L; l++)
		layer_fwd(s, l, &s->act[l], l + 1 < x->L ? s->act[l + 1].xin : s->xL, T, 0, -1);
	rmsnorm(s, s->xL, s->xf, s->rmsf, T, x->h);
	linear(s, s->xf, T, Wout, s->logits);
	/* Cross-entropy over the next token; the logits become its gradient. */
	for (long t = 0; t < T; t++) {
		float *z = s->logits + t * V, mx = -INFINITY;
		int target = s->tok[t / x->S * (x->S + 1) + t % x->S + 1];
		double sum = 0;

		for (long j = 0; j < V; j++)
			mx = fmaxf(mx, z[j]);
		s->ew->exp_shift(z, z, V, 1, mx);
		for (long j = 0; j < V; j++)
			sum += z[j];
		loss -= log(z[target] / sum);
		for (long j = 0; j < V; j++)
			z[j] = (float)(z[j] / sum / norm);
		z[target] -= (float)(1 / norm);
	}

	linear_bwd(s, s->xf, s->logits, T, Wout, s->dbig);
	memset(s->dx, 0, (size_t)(T * x->h) * sizeof(float));
	rmsnorm_bwd(s->xL, s->rmsf, s->dbig, T, x->h, s->dx);
	for (long l = x->L - 1; l >= 0; l--)
		layer_bwd(s, l, &s->act[l]);
	for (long t = 0; t < T; t++) {
		float *g = E->g + (long)s->tok[t / x->S * (x->S + 1) + t % x->S] * x->h;

		for (long i = 0; i < x->h; i++)
			g[i] += s->dx[t * x->h + i];
	}
	return loss / norm;
}

/* Adam (beta 0.9, 0.95, bias-corrected: workload-ew.h), then the dtype copies. */
static void adam(struct lm *s)
{
	const float b1 = WL_ADAM_B1, b2 = WL_ADAM_B2;
	float c1, c2;

	s->step++;
	c1 = 1 - powf(b1, (float)s->step);
	c2 = 1 - powf(b2, (float)s->step);
	for (int i = 0; i < s->npt; i++) {
		struct ptens *p = &s->pt[i];
		s->ew->adam(p->w, p->g, p->m, p->v, p->r * p->c, c1, c2);
		refresh(s, p);
	}
}

static void train_step(struct lm *s)
{
	s->loss = 0;
	for (long i = 0; i < s->x.mbs; i++)
		s->loss += fwd_bwd(s);
	adam(s);
}

/* The logits of the B rows in X (b x h). */
static void infer_logits(struct lm *s, const float *X)
{
	rmsnorm(s, X, s->xf, s->rmsf, s->x.b, s->x.h);
	linear(s, s->xf, s->x.b, &s->pt[s->npt - 1], s->logits);
}

/* Each sequence's token at POS: FORCED's (the reference follows the timed
 * run), else the most likely one. */
static void pick(struct lm *s, long pos, const int *forced)
{
	long ctx = s->x.input + s->x.output;

	for (long b = 0; b < s->x.b; b++) {
		const float *z = s->logits + b * s->x.V;
		long best = 0;

		for (long j = 1; j < s->x.V; j++)
			if (z[j] > z[best])
				best = j;
		s->tok[b * ctx + pos] = forced ? forced[b * ctx + pos] : (int)best;
	}
}

/* Generation step I: 0 the prefill of the prompts, then the decode of the
 * token at input + I - 1; leaves the logits of the next token. */
static void infer_step(struct lm *s, long i)
{
	const struct dims *x = &s->x;
	struct act *A = &s->act[0];
	long ctx = x->input + x->output, n = i ? 1 : x->input, p0 = i ? x->input + i - 1 : 0;

	if (s->ph)
		s->ph->stage = i > 0;
	PHASE(s, PH_EMBED, embed(s, s->tok + p0, x->b * n, n, ctx, A->xin));
	for (long l = 0; l < x->L; l++)
		layer_fwd(s, l, A, A->xin, x->b * n, n, p0);
	PHASE(s, PH_EMBED, for (long b = 0; b < x->b; b++)
		memcpy(s->xL + b * x->h, A->xin + (b * n + n - 1) * x->h, (size_t)x->h * sizeof(float)));
	infer_logits(s, s->xL);
}

static void infer_run(struct lm *s)
{
	for (long i = 0; i < s->x.output; i++) {
		infer_step(s, i);
		PHASE(s, PH_PICK, pick(s, s->x.input + i, NULL));
	}
}

/* The host runs one chip's worth: no parallel layout, dense models, the
 * dtypes its GEMM has (fp32 only for the gradient check). */
static int dims_of(const struct nb_case *c, struct dims *x, char *msg, size_t n)
{
	struct nb_workload w;
	const struct nb_llm *m = &w.m;

	if (workload_resolve(c, &w, msg, n))
		return -1;
	if (w.tp * w.pp * w.dp * w.ep > 1 || m->experts > 1) {
		snprintf(msg, n, "%s on the host runs one dense model on one chip: tp=%lld pp=%lld dp=%lld "
			 "ep=%lld experts=%lld are predicted on chip targets only", c->kernel->name,
			 (long long)w.tp, (long long)w.pp, (long long)w.dp, (long long)w.ep, (long long)m->experts);
		return -1;
	}
	if (!w.attn_materialized) {
		snprintf(msg, n, "%s on the host runs attention with the scores in memory (two GEMMs around a "
			 "softmax): give attention=materialized", c->kernel->name);
		return -1;
	}
	if (w.dtype != NB_BF16 && w.dtype != NB_FP16) {
		snprintf(msg, n, "%s on the host: dtype=%s is predicted only (the host runs bf16 and fp16)",
			 c->kernel->name, dtype_name(w.dtype));
		return -1;
	}
	memset(x, 0, sizeof(*x));
	x->train = w.train;
	x->dt = w.dtype;
	x->h = m->hidden;
	x->H = m->heads;
	x->Hkv = m->kv_heads;
	x->d = m->head_dim;
	x->f = m->ffn;
	x->gated = m->gated;
	x->up = (m->gated ? 2 : 1) * m->ffn;
	x->qkvw = (m->heads + 2 * m->kv_heads) * m->head_dim;
	x->hd = m->heads * m->head_dim;
	x->V = m->vocab;
	x->L = m->layers;
	x->rc = w.recompute;
	if (w.train) {
		x->b = w.micro_batch;
		x->S = w.seq;
		x->T = x->b * x->S;
		x->mbs = w.global_batch / w.micro_batch;
	} else {
		x->b = w.batch;
		x->input = w.input;
		x->output = w.output;
		x->T = x->b * x->input;
	}
	x->maxd = x->h;
	for (const long *v = (const long[]){ x->qkvw, x->hd, x->up, x->f, x->V, 0 }; *v; v++)
		x->maxd = *v > x->maxd ? *v : x->maxd;
	return 0;
}

static void lm_free(struct lm *s)
{
	if (!s)
		return;
	nb_aligned_free(s->base);
	gemm_ws_free(&s->ws);
	free(s->pt);
	free(s->act);
	free(s);
}

/* The state of X: counted, then allocated once (NULL after an error when
 * ALLOCATE; a counted-only state otherwise). */
static struct lm *lm_new(const struct dims *x, struct nb_pool *pool, const struct gemm_impl *impl,
			 const struct wl_ew *ew, uint64_t seed, int allocate)
{
	struct lm *s = xcalloc(1, sizeof(*s));

	s->x = *x;
	s->pool = pool;
	s->impl = impl;
	s->ew = ew;
	s->seed = seed;
	s->npt = (int)(x->L * W_PER_LAYER + 2);
	s->pt = xcalloc((size_t)s->npt, sizeof(*s->pt));
	s->act = xcalloc((size_t)(x->train ? x->L : 1), sizeof(*s->act));
	layout(s);
	if (!allocate)
		return s;
	if (!(s->base = nb_aligned_alloc(s->used))) {
		error_rank("%s on the host: cannot allocate %.1f MiB", x->train ? "train" : "infer", s->used / 1048576.0);
		lm_free(s);
		return NULL;
	}
	layout(s);
	return s;
}

int workload_host_available(const struct nb_case *c, char *msg, size_t n)
{
	struct dims x;

	return dims_of(c, &x, msg, n);
}

/* The state, twice (verification builds the reference beside it), plus
 * the GEMM's packing buffers. */
double workload_host_bytes(const struct nb_case *c)
{
	struct dims x;
	struct lm *s;
	char msg[256];
	double bytes;

	if (dims_of(c, &x, msg, sizeof(msg)))
		return 0;
	s = lm_new(&x, NULL, NULL, NULL, 0, 0);
	bytes = 2.0 * (double)s->used + 64.0 * 1048576;
	lm_free(s);
	return bytes;
}

struct host_state {
	struct lm *s;
	int isa;
	struct phases *ph;	/* NPUBENCH_HOST_PHASES: kept across the timed runs */
};

/* The phases' mean per run, to stderr. */
static void phases_report(const struct lm *s, const struct phases *ph)
{
	static const char *const stage[2] = { "prefill", "decode" };
	double all = 0;

	if (!ph->runs)
		return;
	for (int g = 0; g < 2; g++)
		for (int p = 0; p < PH_N; p++)
			all += ph->s[g][p];
	fprintf(stderr, "npubench: %s phases, mean of %ld runs (ms per run; %% of the timed phases):\n",
		s->x.train ? "train" : "infer", ph->runs);
	for (int g = 0; g < 2; g++)
		for (int p = 0; p < PH_N; p++)
			if (ph->s[g][p] > 0)
				fprintf(stderr, "  %-8s %-12s %9.4f  %5.1f%%\n", stage[g], phase_names[p],
					1e3 * ph->s[g][p] / ph->runs, 100 * ph->s[g][p] / all);
	fprintf(stderr, "  %-21s %9.4f\n", "all phases", 1e3 * all / ph->runs);
}

int workload_host_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct host_state *hs;
	struct dims x;
	char msg[256];

	if (dims_of(c, &x, msg, sizeof(msg)))
		return error("%s", msg);
	hs = xcalloc(1, sizeof(*hs));
	hs->isa = env->isa;
	if (!(hs->s = lm_new(&x, env->pool, gemm_impl_for(x.dt, env->isa), wl_ew_for(env->isa), env->seed, 1))) {
		free(hs);
		return -1;
	}
	init(hs->s);
	if (getenv("NPUBENCH_HOST_PHASES") && !strcmp(getenv("NPUBENCH_HOST_PHASES"), "1"))
		hs->ph = xcalloc(1, sizeof(*hs->ph));
	*out = hs;
	return 0;
}

void workload_host_execute(void *state)
{
	struct host_state *hs = state;

	hs->s->ph = hs->ph;
	if (hs->s->x.train)
		train_step(hs->s);
	else
		infer_run(hs->s);
	hs->s->ph = NULL;
	if (hs->ph)
		hs->ph->runs++;
}

void workload_host_teardown(void *state)
{
	struct host_state *hs = state;

	if (hs->ph)
		phases_report(hs->s, hs->ph);
	free(hs->ph);
	lm_free(hs->s);
	free(hs);
}

/* max |a - b| over max |b|. */
static double rel_diff(const float *a, const float *b, long n)
{
	double e = 0, mx = 0;

	for (long i = 0; i < n; i++) {
		double d = fabs((double)a[i] - b[i]);

		if (!(d <= e))
			e = isnan(d) ? INFINITY : d;
		mx = fmax(mx, fabs((double)b[i]));
	}
	return mx > 0 ? e / mx : e;
}

/* The timed run against the portable GEMM's, from the same seed: train
 * the loss and every gradient of a fresh step, infer every step's logits.
 * The tolerance: a matrix input rounded differently after the two GEMMs'
 * different fp32 summation orders moves by one unit of the dtype; held to
 * 16 units, relative to the largest value, at the model's depths here. */
int workload_host_verify(void *state, struct nb_verify *v)
{
	struct host_state *hs = state;
	struct lm *s = hs->s, *r = lm_new(&s->x, s->pool, gemm_ref_impl(s->x.dt), wl_ew_for(NB_ISA_PORTABLE), s->seed, 1);
	double err = 0;

	if (!r)
		return -1;
	init(s);
	init(r);
	if (s->x.train) {
		double ls = 0, lr = 0;

		for (long i = 0; i < s->x.mbs; i++) {
			ls += fwd_bwd(s);
			lr += fwd_bwd(r);
		}
		err = fabs(ls - lr) / fabs(lr);
		for (int i = 0; i < s->npt; i++)
			err = fmax(err, rel_diff(s->pt[i].g, r->pt[i].g, s->pt[i].r * s->pt[i].c));
		snprintf(v->what, sizeof(v->what), "loss and max |grad-ref|/max|ref| per tensor, ref portable GEMM");
	} else {
		for (long i = 0; i < s->x.output; i++) {
			infer_step(s, i);
			infer_step(r, i);
			err = fmax(err, rel_diff(s->logits, r->logits, s->x.b * s->x.V));
			pick(s, s->x.input + i, NULL);
			pick(r, s->x.input + i, s->tok);
		}
		snprintf(v->what, sizeof(v->what), "max |logit-ref|/max|ref| every step, ref portable GEMM");
	}
	lm_free(r);
	v->max_err = err;
	v->tol = 16 * dtype_eps(s->x.dt);
	v->ok = err <= v->tol;
	return 0;
}

/* The host runs bf16 and fp16 models only (dims_of); other dtypes are
 * predicted on chips and have no implementation here. */
static int host_runs_dtype(const struct nb_case *c)
{
	return case_dtype(c) == NB_BF16 || case_dtype(c) == NB_FP16;
}

const char *workload_host_impl(const struct nb_case *c, int isa)
{
	static char name[64];
	const struct gemm_impl *g = gemm_impl_for(case_dtype(c) == NB_FP16 ? NB_FP16 : NB_BF16, isa);

	if (!host_runs_dtype(c))
		return "none";
	snprintf(name, sizeof(name), "%s_%s", c->kernel->name, g ? g->name : "gemm");
	return name;
}

const char *workload_host_why(const struct nb_case *c, int isa)
{
	(void)isa;
	if (!host_runs_dtype(c))
		return "predicted only: the host runs bf16 and fp16 models";
	return "its GEMMs are gemm's kernel of the dtype; attention with the scores in memory";
}

/* The backward pass against central differences of the loss, in fp32 with
 * the portable GEMM: NPROBE parameters spread over every tensor.  Returns
 * |fd - grad| summed over |grad| summed. */
int workload_host_gradcheck(const char *text, int nprobe, double *err)
{
	struct nb_case c;
	struct dims x;
	struct lm *s;
	struct nb_pool *pool;
	struct nb_rng r;
	char msg[256];
	double num = 0, den = 0, *grad;
	long *probe;

	if (case_parse(text, &c, msg, sizeof(msg)) || dims_of(&c, &x, msg, sizeof(msg)) || !x.train)
		return error("gradcheck '%s': %s", text, x.train ? msg : "not a train case");
	x.dt = NB_FP32;
	if (!(pool = pool_create(1, 0)))
		return -1;
	if (!(s = lm_new(&x, pool, gemm_ref_impl(NB_FP32), wl_ew_for(NB_ISA_PORTABLE), 5, 1))) {
		pool_free(pool);
		return -1;
	}
	probe = xcalloc((size_t)nprobe, sizeof(*probe));
	grad = xcalloc((size_t)nprobe, sizeof(*grad));
	init(s);
	for (long i = 0; i < x.mbs; i++)
		fwd_bwd(s);
	/* The analytic gradients first: each loss evaluation below adds to them. */
	rng_seed(&r, 9, 0);
	for (int k = 0; k < nprobe; k++) {
		struct ptens *p = &s->pt[k % s->npt];

		probe[k] = (long)rng_range(&r, 0, p->r * p->c - 1);
		grad[k] = p->g[probe[k]];
	}
	for (int k = 0; k < nprobe; k++) {
		struct ptens *p = &s->pt[k % s->npt];
		long j = probe[k];
		double lp = 0, lm = 0, w0 = p->w[j], h = 1e-2;

		p->w[j] = (float)(w0 + h);
		refresh(s, p);
		for (long i = 0; i < x.mbs; i++)
			lp += fwd_bwd(s);
		p->w[j] = (float)(w0 - h);
		refresh(s, p);
		for (long i = 0; i < x.mbs; i++)
			lm += fwd_bwd(s);
		p->w[j] = (float)w0;
		refresh(s, p);
		num += fabs((lp - lm) / (2 * h) - grad[k]);
		den += fabs(grad[k]);
	}
	free(probe);
	free(grad);
	*err = den > 0 ? num / den : INFINITY;
	lm_free(s);
	pool_free(pool);
	return 0;
}
