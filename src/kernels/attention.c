/* attention: forward scaled-dot-product attention,
 *   O = softmax(Q K^T / sqrt(d) [+ causal mask]) V,
 * fused and tiled the FlashAttention way (online softmax), so memory grows
 * with seq * head_dim, never seq^2.  Inputs Q [b,h,seq_q,d], K and V
 * [b,h,seq_k,d] and the output O [b,h,seq_q,d] are stored in the dtype
 * (fp32, fp16 or bf16); all arithmetic is fp32.
 *
 * Causal masking is aligned bottom-right (as FlashAttention 2): query i may
 * see keys j <= i + (seq_k - seq_q), which needs seq_q <= seq_k.
 * Work counted: 4 d FLOPs per unmasked (query, key) pair -- 2 d for the
 * score, 2 d for the weighted value -- so non-causal 4 b h seq_q seq_k d and
 * causal 4 b h d (seq_q (seq_k - seq_q) + seq_q (seq_q + 1) / 2).  The
 * softmax's exponentials, maxima and sums are not counted.
 *
 * Up to ATT_DECODE_ROWS query rows (decoding), each row reads K and V
 * directly instead (the *_decode_row implementations).
 *
 * Peak memory (attention_host_bytes, tested): the four tensors, plus per
 * thread K and V of one head converted to fp32 and the accumulators of one
 * task of ATT_QB query rows, plus the task table. */
#include "kernels/kernel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kernels/attention-impl.h"
#include "util/cpu.h"
#include "util/half.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/util.h"

enum { P_DTYPE, P_BATCH, P_HEADS, P_SEQ_Q, P_SEQ_K, P_HEAD_DIM, P_CAUSAL, P_AMP, P_IMPL, P_TIMING, P_FP8,
       P_FP8_SCALE };

static const struct nb_param_desc params[] = {
	[P_DTYPE] = { "dtype", NB_P_DTYPE, "fp32", "fp32|fp16|bf16|fp8", 0, 0,
		      "storage of Q, K, V and O; math is fp32; fp8 on chips only" },
	[P_BATCH] = { "batch", NB_P_INT, "1", NULL, 1, 1 << 20, "batch size" },
	[P_HEADS] = { "heads", NB_P_INT, "8", NULL, 1, 1 << 16, "attention heads" },
	[P_SEQ_Q] = { "seq_q", NB_P_INT, "2048", NULL, 1, 1 << 24, "query sequence length" },
	[P_SEQ_K] = { "seq_k", NB_P_INT, "0", NULL, 0, 1 << 24,
		      "key/value sequence length; 0 = seq_q" },
	[P_HEAD_DIM] = { "head_dim", NB_P_INT, "128", NULL, 1, 1024, "head dimension d" },
	[P_CAUSAL] = { "causal", NB_P_BOOL, "false", NULL, 0, 0,
		       "causal mask, bottom-right aligned (needs seq_q <= seq_k)" },
	[P_AMP] = { "amp", NB_P_REAL, "1", NULL, 1e-3, 1e4,
		    "inputs uniform on [-amp, amp]; large values test softmax overflow" },
	[P_IMPL] = NB_PARAM_IMPL,
	[P_TIMING] = NB_PARAM_TIMING,
	[P_FP8] = NB_PARAM_FP8,
	[P_FP8_SCALE] = NB_PARAM_FP8_SCALE,
};

struct dims {
	long b, h, sq, sk, d, dp;
	int causal;
	enum nb_dtype dt;
};

static void get_dims(const struct nb_case *c, struct dims *x)
{
	x->dt = (enum nb_dtype)c->v[P_DTYPE].i;
	x->b = (long)c->v[P_BATCH].i;
	x->h = (long)c->v[P_HEADS].i;
	x->sq = (long)c->v[P_SEQ_Q].i;
	x->sk = c->v[P_SEQ_K].i ? (long)c->v[P_SEQ_K].i : x->sq;
	x->d = (long)c->v[P_HEAD_DIM].i;
	x->dp = (x->d + ATT_NR - 1) / ATT_NR * ATT_NR;
	x->causal = (int)c->v[P_CAUSAL].i;
}

/* Keys query row I may see: all, or i + seq_k - seq_q + 1 under the mask. */
static long keys_seen(const struct dims *x, long i)
{
	long n = x->causal ? i + x->sk - x->sq + 1 : x->sk;

	return n < x->sk ? n : x->sk;
}

/* Unmasked (query, key) pairs of one head. */
static double pairs(const struct dims *x)
{
	if (!x->causal)
		return (double)x->sq * (double)x->sk;
	return (double)x->sq * (double)(x->sk - x->sq) + (double)x->sq * (double)(x->sq + 1) / 2;
}

static int attention_check(const struct nb_case *c, char *msg, size_t n)
{
	struct dims x;

	get_dims(c, &x);
	if (case_check_fp8(c, msg, n))
		return -1;
	if (x.causal && x.sq > x.sk) {
		snprintf(msg, n, "attention: causal needs seq_q <= seq_k, got seq_q=%ld seq_k=%ld",
			 x.sq, x.sk);
		return -1;
	}
	return 0;
}

static void attention_work(const struct nb_case *c, struct nb_work *w)
{
	struct dims x;
	double es;

	get_dims(c, &x);
	es = dtype_bits(x.dt) / 8.0;
	memset(w, 0, sizeof(*w));
	w->ops = 4.0 * (double)x.b * (double)x.h * (double)x.d * pairs(&x);
	w->bytes = (double)x.b * (double)x.h * (double)x.d * es * (2.0 * (double)x.sq + 2.0 * (double)x.sk);
	w->bytes_wa = w->bytes + (double)x.b * (double)x.h * (double)x.sq * (double)x.d * es;
	w->unit = "FLOP/s";
	if (x.causal)
		w->nominal_ops = 2.0 * (double)x.b * (double)x.h * (double)x.d * (double)x.sq * (double)x.sk;
}

static void attention_shape(const struct nb_case *c, struct nb_shape *s)
{
	struct dims x;

	get_dims(c, &x);
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_ATTENTION;
	s->dtype = x.dt;
	s->batch = x.b * x.h;
	s->seq_q = x.sq;
	s->seq_k = x.sk;
	s->head_dim = x.d;
	s->causal = x.causal;
	s->pairs = pairs(&x);
	/* As two GEMMs per head: [sq x d] [d x sk] then [sq x sk] [sk x d]. */
	s->m = x.sq;
	s->n = x.sk;
	s->k = x.d;
}

/* Per-thread workspace, in floats. */
static long skp_of(const struct dims *x)
{
	return (x->sk + ATT_BC - 1) / ATT_BC * ATT_BC;
}

static long workspace_floats(const struct dims *x)
{
	long skp = skp_of(x);

	return skp * x->d + skp * x->dp + ATT_QB * x->d + ATT_QB * x->dp +
	       ATT_MR * ATT_BC + 3 * ATT_QB + 64;
}

static long ntasks_of(const struct dims *x)
{
	return x->b * x->h * ((x->sq + ATT_QB - 1) / ATT_QB);
}

#define MAX_THREADS 1024

static double host_bytes_for(const struct dims *x, int threads)
{
	double es = dtype_bits(x->dt) / 8.0;
	double tensors = (double)x->b * (double)x->h * (double)x->d * es * 2.0 * (double)(x->sq + x->sk);

	return tensors + (double)threads * ((double)workspace_floats(x) * 4 + 256) +
	       (double)ntasks_of(x) * sizeof(double) + (MAX_THREADS + 1) * sizeof(long) + 4096;
}

/* Bounded by the online CPUs: no pool has more threads than that. */
static double attention_host_bytes(const struct nb_case *c)
{
	struct dims x;

	get_dims(c, &x);
	return host_bytes_for(&x, cpu_detect()->online_cpus);
}

/* Portable micro-kernels: plain C, the fallback on every CPU. */
static void qk_c(const float *q, int d, const float *kp, int nc, float *s)
{
	for (int r = 0; r < ATT_MR; r++)
		for (int c = 0; c < nc; c++) {
			const float *b = kp + (long)(c / ATT_NR) * d * ATT_NR + c % ATT_NR;
			float acc = 0;

			for (int t = 0; t < d; t++)
				acc += q[r * d + t] * b[t * ATT_NR];
			s[r * ATT_BC + c] = acc;
		}
}

static void softmax_c(float *s, int nc, float scale, float *m, float *l, float *alpha)
{
	for (int r = 0; r < ATT_MR; r++) {
		float *row = s + r * ATT_BC, mnew = m[r], base, sum = 0;

		for (int c = 0; c < nc; c++)
			if (row[c] * scale > mnew)
				mnew = row[c] * scale;
		base = mnew == -INFINITY ? 0.0f : mnew;
		alpha[r] = exp2f(m[r] - base);
		for (int c = 0; c < nc; c++) {
			row[c] = exp2f(row[c] * scale - base);
			sum += row[c];
		}
		l[r] = l[r] * alpha[r] + sum;
		m[r] = mnew;
	}
}

static void pv_c(const float *p, int nc, const float *v, int dp, float *acc, const float *alpha)
{
	for (int r = 0; r < ATT_MR; r++) {
		float *o = acc + (long)r * dp;

		for (int j = 0; j < dp; j++)
			o[j] *= alpha[r];
		for (int c = 0; c < nc; c++) {
			float w = p[r * ATT_BC + c];

			for (int j = 0; j < dp; j++)
				o[j] += w * v[(long)c * dp + j];
		}
	}
}

static float to_f32(const void *src, enum nb_dtype dt, long i)
{
	switch (dt) {
	case NB_FP16: return nb_fp16_to_f32(((const uint16_t *)src)[i]);
	case NB_BF16: return nb_bf16_to_f32(((const uint16_t *)src)[i]);
	default: return ((const float *)src)[i];
	}
}

static void load_c(const void *src, enum nb_dtype dt, float *dst, long n, float scale)
{
	for (long i = 0; i < n; i++)
		dst[i] = scale * to_f32(src, dt, i);
}

/* The decode row in plain C: scores for a block of keys, the online
 * softmax step, the weighted values. */
static void row_c(const float *q, const void *k, const void *v, enum nb_dtype dt, long n, int d,
		  float *s, float *out)
{
	float m = -INFINITY, l = 0;

	for (int t = 0; t < d; t++)
		out[t] = 0;
	for (long j0 = 0; j0 < n; j0 += ATT_BC) {
		int nc = (int)(n - j0 < ATT_BC ? n - j0 : ATT_BC);
		float mx = m, alpha, sum = 0;

		for (int c = 0; c < nc; c++) {
			float acc = 0;

			for (int t = 0; t < d; t++)
				acc += q[t] * to_f32(k, dt, (j0 + c) * d + t);
			s[c] = acc;
			if (acc > mx)
				mx = acc;
		}
		alpha = exp2f(m - mx);
		for (int c = 0; c < nc; c++) {
			s[c] = exp2f(s[c] - mx);
			sum += s[c];
		}
		l = l * alpha + sum;
		m = mx;
		for (int t = 0; t < d; t++) {
			float o = alpha * out[t];

			for (int c = 0; c < nc; c++)
				o += s[c] * to_f32(v, dt, (j0 + c) * d + t);
			out[t] = o;
		}
	}
	for (int t = 0; t < d; t++)
		out[t] /= l;
}

static void store_row(const float *src, enum nb_dtype dt, void *dst, long n, float scale);

static const struct attn_ops attn_ops_c = { qk_c, softmax_c, pv_c, row_c, store_row, load_c, NULL };

struct work_area {
	float *kp, *vp, *q, *acc, *s, *m, *l, *alpha;
	long head;	/* the head packed in kp/vp, -1 none */
};

struct state {
	struct dims x;
	struct nb_pool *pool;
	const struct attn_ops *ops;
	void *q, *k, *v, *o;
	double amp;
	long ntasks;
	long *task_begin;	/* thread t runs tasks [task_begin[t], task_begin[t+1]) */
	struct work_area *wa;	/* per thread */
	float *wa_mem;
	double bytes;		/* what setup allocated, checked against host_bytes */
};

static size_t esize(enum nb_dtype dt)
{
	return (size_t)dtype_bits(dt) / 8;
}

/* Packs K into panels of ATT_NR keys and V into rows of dp, both fp32,
 * zero-padded to a whole number of key blocks; or, for ops with their own
 * packing, into the bf16 pair layout (attention-impl.h). */
static void pack_head(const struct state *st, struct work_area *w, long head)
{
	const struct dims *x = &st->x;
	long skp = skp_of(x), d = x->d, dp = x->dp;
	size_t es = esize(x->dt);
	const char *k = (const char *)st->k + (size_t)head * x->sk * d * es;
	const char *v = (const char *)st->v + (size_t)head * x->sk * d * es;
	float row[1024];

	w->head = head;
	if (st->ops->pack) {
		st->ops->pack(k, v, x->sk, skp, (int)d, (int)dp, w->kp, w->vp);
		return;
	}
	for (long j = 0; j < skp; j++) {
		float *panel = w->kp + (j / ATT_NR) * d * ATT_NR + j % ATT_NR;

		/* A head of millions of keys takes seconds to pack: a stop is
		 * seen every 64Ki keys (the output is then never used). */
		if ((j & 0xffff) == 0 && nb_abandon)
			return;
		float *vr = w->vp + j * dp;

		if (j < x->sk) {
			st->ops->load(k + (size_t)j * d * es, x->dt, row, d, 1.0f);
			for (long t = 0; t < d; t++)
				panel[t * ATT_NR] = row[t];
			st->ops->load(v + (size_t)j * d * es, x->dt, vr, d, 1.0f);
		} else {
			for (long t = 0; t < d; t++)
				panel[t * ATT_NR] = 0;
			memset(vr, 0, (size_t)d * sizeof(float));
		}
		memset(vr + d, 0, (size_t)(dp - d) * sizeof(float));
	}
}

/* The portable output conversion (half.h's round-to-nearest-even). */
static void store_row(const float *src, enum nb_dtype dt, void *dst, long n, float scale)
{
	for (long i = 0; i < n; i++) {
		float y = src[i] * scale;

		switch (dt) {
		case NB_FP16: ((uint16_t *)dst)[i] = nb_f32_to_fp16(y); break;
		case NB_BF16: ((uint16_t *)dst)[i] = nb_f32_to_bf16(y); break;
		default: ((float *)dst)[i] = y; break;
		}
	}
}

/* The task's ROWS query rows of Q (in the dtype at SRC) into w->q, zero
 * rows after them: fp32 and pre-scaled by QSCALE, or for the pair layout
 * the bf16 inputs as they are, each row padded to whole pairs. */
static void load_q(const struct state *st, struct work_area *w, const char *src, long rows, float qscale)
{
	long d = st->x.d, qld = (d + 1) / 2;
	uint16_t *q = (uint16_t *)w->q;

	if (!st->ops->pack) {
		st->ops->load(src, st->x.dt, w->q, rows * d, qscale);
		memset(w->q + rows * d, 0, (size_t)(ATT_QB - rows) * d * sizeof(float));
		return;
	}
	memset(q, 0, (size_t)ATT_QB * qld * 4);
	for (long r = 0; r < rows; r++)
		memcpy(q + r * 2 * qld, src + (size_t)r * d * 2, (size_t)d * 2);
}

/* One task: ATT_QB query rows of one head against every key they see. */
static void run_task(const struct state *st, struct work_area *w, long task)
{
	const struct dims *x = &st->x;
	const struct attn_ops *ops = st->ops;
	long nqb = (x->sq + ATT_QB - 1) / ATT_QB;
	long head = task / nqb, q0 = task % nqb * ATT_QB;
	long rows = x->sq - q0 < ATT_QB ? x->sq - q0 : ATT_QB;
	long d = x->d, dp = x->dp, kend;
	size_t es = esize(x->dt);
	float qscale = (float)(M_LOG2E / sqrt((double)d));
	/* Floats per Q row and per key of a K panel: d, or (d + 1) / 2 pairs. */
	long qld = ops->pack ? (d + 1) / 2 : d;
	float sscale = ops->pack ? qscale : 1.0f;

	if (x->sq <= ATT_DECODE_ROWS) {
		const char *k = (const char *)st->k + (size_t)head * x->sk * d * es;
		const char *v = (const char *)st->v + (size_t)head * x->sk * d * es;

		for (long r = 0; r < rows && !nb_abandon; r++) {
			ops->load((const char *)st->q + ((size_t)head * x->sq + q0 + r) * d * es, x->dt, w->q, d, qscale);
			ops->row(w->q, k, v, x->dt, keys_seen(x, q0 + r), (int)d, w->s, w->acc);
			ops->store(w->acc, x->dt, (char *)st->o + ((size_t)head * x->sq + q0 + r) * d * es, d, 1.0f);
		}
		return;
	}
	if (w->head != head)
		pack_head(st, w, head);
	load_q(st, w, (const char *)st->q + ((size_t)head * x->sq + q0) * d * es, rows, qscale);
	memset(w->acc, 0, (size_t)ATT_QB * dp * sizeof(float));
	for (int r = 0; r < ATT_QB; r++) {
		w->m[r] = -INFINITY;
		w->l[r] = 0;
	}
	kend = keys_seen(x, q0 + rows - 1);
	for (long j0 = 0; j0 < kend && !nb_abandon; j0 += ATT_BC) {
		for (long r0 = 0; r0 < rows; r0 += ATT_MR) {
			long last = (r0 + ATT_MR < rows ? r0 + ATT_MR : rows) - 1;
			long need = keys_seen(x, q0 + last) - j0, nc;

			if (need <= 0)
				continue;	/* the whole micro-block is masked here */
			if (need > ATT_BC)
				need = ATT_BC;
			nc = (need + ATT_NR - 1) / ATT_NR * ATT_NR;
			ops->qk(w->q + r0 * qld, (int)d, w->kp + j0 * qld, (int)nc, w->s);
			/* Mask keys past the end or past each row's causal limit. */
			for (long r = 0; r < ATT_MR; r++) {
				long lim = r0 + r < rows ? keys_seen(x, q0 + r0 + r) - j0 : need;

				for (long c = lim < 0 ? 0 : lim; c < nc; c++)
					w->s[r * ATT_BC + c] = -INFINITY;
			}
			ops->softmax(w->s, (int)nc, sscale, w->m + r0, w->l + r0, w->alpha);
			ops->pv(w->s, (int)nc, w->vp + (ops->pack ? j0 / 2 : j0) * dp, (int)dp, w->acc + r0 * dp,
				w->alpha);
		}
	}
	for (long r = 0; r < rows; r++)
		ops->store(w->acc + r * dp, x->dt,
			  (char *)st->o + ((size_t)head * x->sq + q0 + r) * d * es, d, 1.0f / w->l[r]);
}

static void run_part(void *arg, int tid, int nt)
{
	struct state *st = arg;
	struct work_area *w = &st->wa[tid];

	NB_UNUSED(nt);
	w->head = -1;	/* repack once per execute: the packing is timed work */
	for (long t = st->task_begin[tid]; t < st->task_begin[tid + 1] && !nb_abandon; t++)
		run_task(st, w, t);
}

/* First touch of each thread's workspace by that thread. */
static void touch_part(void *arg, int tid, int nt)
{
	struct state *st = arg;
	long n = workspace_floats(&st->x);

	NB_UNUSED(nt);
	/* In pieces of 4 MiB, so that a stop is seen during a huge one. */
	for (long off = 0; off < n && !nb_abandon; off += 1L << 20)
		memset(st->wa_mem + (size_t)tid * n + off, 0,
		       (size_t)(n - off < (1L << 20) ? n - off : 1L << 20) * sizeof(float));
}

static void fill(void *dst, enum nb_dtype dt, size_t n, struct nb_rng *r, double amp)
{
	for (size_t i = 0; i < n; i++) {
		float y = (float)(amp * rng_float(r));

		if ((i & 0xfffff) == 0 && nb_abandon)
			return;	/* setup of a stopped case: the data is never used */
		switch (dt) {
		case NB_FP16: ((uint16_t *)dst)[i] = nb_f32_to_fp16(y); break;
		case NB_BF16: ((uint16_t *)dst)[i] = nb_f32_to_bf16(y); break;
		default: ((float *)dst)[i] = y; break;
		}
	}
}

/* Splits tasks into contiguous runs of equal cost (keys seen), so causal
 * cases balance and each thread repacks as few heads as possible. */
static void balance(struct state *st, int nt)
{
	const struct dims *x = &st->x;
	long nqb = (x->sq + ATT_QB - 1) / ATT_QB;
	double *cum = xmalloc((size_t)(st->ntasks + 1) * sizeof(double)), total;
	long t = 0;

	cum[0] = 0;
	for (long i = 0; i < st->ntasks; i++) {
		long q0 = i % nqb * ATT_QB, q1 = q0 + ATT_QB < x->sq ? q0 + ATT_QB : x->sq;

		cum[i + 1] = cum[i] + (double)(keys_seen(x, q0) + keys_seen(x, q1 - 1)) * (double)(q1 - q0) / 2 +
			     (double)x->sk / 16;	/* packing and per-task overhead */
	}
	total = cum[st->ntasks];
	st->task_begin[0] = 0;
	for (int k = 1; k < nt; k++) {
		while (t < st->ntasks && cum[t] < total * k / nt)
			t++;
		st->task_begin[k] = t;
	}
	st->task_begin[nt] = st->ntasks;
	free(cum);
}

/* The micro-kernels at dispatch level ISA, as far as this build has them;
 * bf16 takes the dot-product ones where the CPU has AVX512_BF16. */
static const struct attn_ops *ops_for(enum nb_dtype dt, int isa)
{
#ifdef NB_HAVE_AVX512_KERNELS
	if (isa >= NB_ISA_AVX512)
		return dt == NB_BF16 && cpu_has_bf16_dot((enum nb_isa)isa, NULL) ? &attn_ops_avx512_bf16
										 : &attn_ops_avx512;
#endif
#ifdef NB_HAVE_X86_KERNELS
	if (isa >= NB_ISA_AVX2)
		return &attn_ops_avx2;
#endif
	NB_UNUSED(dt);
	NB_UNUSED(isa);
	return &attn_ops_c;
}

static int attention_setup(const struct nb_case *c, const struct nb_host_env *env, void **out)
{
	struct state *st = xcalloc(1, sizeof(*st));
	struct dims *x = &st->x;
	struct nb_rng rng;
	size_t es, nq, nk, nws;
	int nt = pool_threads(env->pool);
	double need;

	get_dims(c, x);
	if (nt > MAX_THREADS) {
		free(st);
		return error("attention: at most %d threads, not %d", MAX_THREADS, nt);
	}
	es = esize(x->dt);
	nq = (size_t)(x->b * x->h * x->sq * x->d);
	nk = (size_t)(x->b * x->h * x->sk * x->d);
	st->pool = env->pool;
	st->amp = c->v[P_AMP].r;
	st->ops = ops_for(x->dt, env->isa);
	st->ntasks = ntasks_of(x);
	nws = (size_t)workspace_floats(x);
	st->q = nb_aligned_alloc(nq * es);
	st->o = nb_aligned_alloc(nq * es);
	st->k = nb_aligned_alloc(nk * es);
	st->v = nb_aligned_alloc(nk * es);
	st->wa_mem = nb_aligned_alloc((size_t)nt * nws * sizeof(float));
	if (!st->q || !st->o || !st->k || !st->v || !st->wa_mem) {
		nb_aligned_free(st->q);
		nb_aligned_free(st->o);
		nb_aligned_free(st->k);
		nb_aligned_free(st->v);
		nb_aligned_free(st->wa_mem);
		need = host_bytes_for(x, nt);
		free(st);
		return error_rank("attention: cannot allocate %.0f MiB", need / 1048576);
	}
	st->task_begin = xcalloc((size_t)nt + 1, sizeof(long));
	st->wa = xcalloc((size_t)nt, sizeof(*st->wa));
	st->bytes = (double)(2 * nq + 2 * nk) * (double)es + (double)nt * ((double)nws * 4 + sizeof(*st->wa)) +
		    (double)(nt + 1) * sizeof(long) + (double)(st->ntasks + 1) * sizeof(double) + sizeof(*st);
	for (int t = 0; t < nt; t++) {
		struct work_area *w = &st->wa[t];
		long skp = skp_of(x);

		/* Every piece starts on a 64-byte boundary: all sizes are
		 * multiples of 16 floats except the small tail ones. */
		w->kp = st->wa_mem + (size_t)t * nws;
		w->vp = w->kp + skp * x->d;
		w->acc = w->vp + skp * x->dp;
		w->s = w->acc + ATT_QB * x->dp;
		w->q = w->s + ATT_MR * ATT_BC;
		w->m = w->q + ATT_QB * x->d;
		w->l = w->m + ATT_QB;
		w->alpha = w->l + ATT_QB;
		w->head = -1;
	}
	pool_run(st->pool, touch_part, st);
	balance(st, nt);
	rng_seed(&rng, env->seed, 1);
	fill(st->q, x->dt, nq, &rng, st->amp);
	rng_seed(&rng, env->seed, 2);
	fill(st->k, x->dt, nk, &rng, st->amp);
	rng_seed(&rng, env->seed, 3);
	fill(st->v, x->dt, nk, &rng, 1.0);
	memset(st->o, 0, nq * es);
	*out = st;
	return 0;
}

static void attention_execute(void *state)
{
	struct state *st = state;

	pool_run(st->pool, run_part, st);
}

/* The reference: one output row with the scores materialized in double.
 * Memory: seq_k doubles for the row, never seq^2. */
static void reference_row(const struct state *st, long head, long i, double *sc, double *out)
{
	const struct dims *x = &st->x;
	size_t es = esize(x->dt);
	const char *q = (const char *)st->q + ((size_t)head * x->sq + i) * x->d * es;
	const char *k = (const char *)st->k + (size_t)head * x->sk * x->d * es;
	const char *v = (const char *)st->v + (size_t)head * x->sk * x->d * es;
	long n = keys_seen(x, i);
	double mx = -INFINITY, sum = 0, scale = 1.0 / sqrt((double)x->d);

	for (long j = 0; j < n; j++) {
		double acc = 0;

		for (long t = 0; t < x->d; t++)
			acc += (double)to_f32(q, x->dt, t) * (double)to_f32(k, x->dt, j * x->d + t);
		sc[j] = acc * scale;
		if (sc[j] > mx)
			mx = sc[j];
	}
	for (long j = 0; j < n; j++) {
		sc[j] = exp(sc[j] - mx);
		sum += sc[j];
	}
	for (long t = 0; t < x->d; t++)
		out[t] = 0;
	for (long j = 0; j < n; j++)
		for (long t = 0; t < x->d; t++)
			out[t] += sc[j] * (double)to_f32(v, x->dt, j * x->d + t);
	for (long t = 0; t < x->d; t++)
		out[t] /= sum;
}

/* Compares against the reference on every row of small cases and on a
 * spread sample (first, last, middle, pseudo-random) of big ones.  The
 * error is max |o - ref| / max |v|, held to the output's rounding plus
 * fp32 accumulation in the scores (which grows with amp^2 d) and the
 * weighted sum (which grows with seq_k). */
static int attention_verify(void *state, struct nb_verify *v)
{
	struct state *st = state;
	const struct dims *x = &st->x;
	long heads = x->b * x->h, nrows = heads * x->sq;
	double cost = (double)nrows * (double)x->sk * (double)x->d, err = 0, u32 = dtype_eps(NB_FP32);
	long step = cost <= 4e7 ? 1 : (long)ceil(cost / 4e7);
	double *sc = xmalloc((size_t)x->sk * sizeof(double)), *ref = xmalloc((size_t)x->d * sizeof(double));
	size_t es = esize(x->dt);
	double sigma;

	for (long idx = 0; idx < nrows; idx += step) {
		/* Scramble the sampled rows over heads and positions, keeping the
		 * first and last rows of each head in small strides. */
		long row = step == 1 ? idx : (long)(((unsigned long)idx * 2654435761ul + (unsigned long)(idx / step)) % (unsigned long)nrows);
		long head = row / x->sq, i = row % x->sq;

		if (step > 1 && idx / step % 4 == 0)
			i = (idx / step / 4) % 2 ? x->sq - 1 : 0;
		reference_row(st, head, i, sc, ref);
		for (long t = 0; t < x->d; t++) {
			double o = to_f32((const char *)st->o + ((size_t)head * x->sq + i) * x->d * es, x->dt, t);
			double e = fabs(o - ref[t]);

			if (!(e <= err))
				err = isnan(e) ? INFINITY : e;
		}
	}
	free(sc);
	free(ref);
	sigma = M_LOG2E * sqrt((double)x->d) * st->amp * st->amp * sqrt((double)x->d);
	v->max_err = err;	/* max|v| is 1: V is uniform on [-1, 1) */
	v->tol = dtype_eps(x->dt) + 2 * u32 * (sigma + sqrt((double)x->sk) + 8);
	if (st->ops->pack && x->sq > ATT_DECODE_ROWS)
		v->tol += ATT_BF16_PAIR_ERR;	/* P rounded to bf16 for vdpbf16ps */
	v->ok = err <= v->tol;
	snprintf(v->what, sizeof(v->what), "max |o-ref|/max|v| over %s rows, ref materialized in double",
		 step == 1 ? "all" : "sampled");
	return 0;
}

static void attention_teardown(void *state)
{
	struct state *st = state;

	nb_aligned_free(st->q);
	nb_aligned_free(st->o);
	nb_aligned_free(st->k);
	nb_aligned_free(st->v);
	nb_aligned_free(st->wa_mem);
	free(st->task_begin);
	free(st->wa);
	free(st);
}

static const char *attention_impl(const struct nb_case *c, int isa)
{
	/* By path: portable, AVX2, AVX-512 FMA, AVX-512 BF16 dot product. */
	static const char *const names[2][4][3] = {
		{ { "attention_fp32_c_flash", "attention_fp16_c_flash", "attention_bf16_c_flash" },
		  { "attention_fp32_avx2_flash_6x16", "attention_fp16_avx2_flash_6x16",
		    "attention_bf16_avx2_flash_6x16" },
		  { "attention_fp32_avx512_flash_6x32", "attention_fp16_avx512_flash_6x32",
		    "attention_bf16_avx512_flash_6x32" },
		  { NULL, NULL, "attention_bf16_avx512bf16_flash_6x32" } },
		{ { "attention_fp32_c_decode_row", "attention_fp16_c_decode_row", "attention_bf16_c_decode_row" },
		  { "attention_fp32_avx2_decode_row", "attention_fp16_avx2_decode_row",
		    "attention_bf16_avx2_decode_row" },
		  { "attention_fp32_avx512_decode_row", "attention_fp16_avx512_decode_row",
		    "attention_bf16_avx512_decode_row" },
		  { NULL, NULL, "attention_bf16_avx512_decode_row" } },
	};
	enum nb_dtype dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	int dt = dtype == NB_FP16 ? 1 : dtype == NB_BF16 ? 2 : 0;
	const struct attn_ops *ops = ops_for(dtype, isa);
	int path = ops == &attn_ops_c ? 0 : ops->pack ? 3 : 1;

#ifdef NB_HAVE_AVX512_KERNELS
	if (ops == &attn_ops_avx512)
		path = 2;
#endif

	return names[c->v[P_SEQ_Q].i <= ATT_DECODE_ROWS][path][dt];
}

/* What attention_impl's choice computes with, and why not something
 * faster (info). */
static const char *attention_why(const struct nb_case *c, int isa)
{
	enum nb_dtype dtype = (enum nb_dtype)c->v[P_DTYPE].i;
	const struct attn_ops *ops = ops_for(dtype, isa);
	const char *why = NULL;

	if (ops == &attn_ops_c)
		return isa > NB_ISA_PORTABLE ? "this build has no x86 kernels: portable C, fp32 math"
					     : "portable C, fp32 math";
	if (c->v[P_SEQ_Q].i <= ATT_DECODE_ROWS)
		return "seq_q <= 4: one query row at a time, K and V converted to fp32 in registers";
	if (ops->pack)
		return "avx512_bf16: vdpbf16ps for Q.K^T and P.V, P rounded to bf16";
#ifdef NB_HAVE_AVX512_KERNELS
	if (ops == &attn_ops_avx512) {
		if (dtype == NB_FP32)
			return "fp32 FMA, 6x32 tiles";
		if (dtype == NB_FP16)
			return "fp16 converted exactly to fp32, FMA (bf16 dot products would round Q and K)";
		cpu_has_bf16_dot((enum nb_isa)isa, &why);
		return why ? "no avx512_bf16 on this CPU: bf16 converted to fp32, FMA"
			   : "bf16 converted to fp32, FMA";
	}
#endif
	NB_UNUSED(why);
	if (isa >= NB_ISA_AVX512)
		return "this build has no AVX-512 kernels: AVX2 FMA";
	return dtype == NB_FP32 ? "fp32 FMA, 6x16 tiles" : "converted to fp32 when packed, FMA";
}

double attention_allocated_bytes(void *state)
{
	return ((struct state *)state)->bytes;
}

/* seq_k stays 0: "the same as seq_q". */
static const struct nb_sweep sweep = { { "seq_q", NULL, NULL }, 256, 32768, "sequence length (seq_q = seq_k)" };

static const char *const test_cases[] = {
	"attention seq_q=1 head_dim=64",
	"attention seq_q=1 causal=1 head_dim=64 dtype=bf16",
	"attention seq_q=1 seq_k=77 causal=1 head_dim=128 dtype=fp16",
	"attention batch=2 heads=3 seq_q=37 seq_k=101 head_dim=20 causal=1 dtype=fp16",
	"attention batch=1 heads=2 seq_q=101 seq_k=37 head_dim=64",
	"attention heads=2 seq_q=130 head_dim=128 causal=1",
	"attention heads=1 seq_q=70 head_dim=256 dtype=bf16",
	"attention heads=1 seq_q=97 head_dim=64 amp=100",
	"attention heads=1 seq_q=64 head_dim=64 amp=300 causal=1 dtype=fp16",
	"attention heads=1 seq_q=3 seq_k=1500 head_dim=64",
	"attention batch=2 heads=3 seq_q=4 seq_k=131 head_dim=20 causal=1 dtype=fp16",
	"attention heads=2 seq_q=2 seq_k=70 head_dim=136 dtype=bf16 amp=100",
	"attention heads=1 seq_q=5 seq_k=9 head_dim=7 causal=1",
	/* bf16 past the decode rows (the pair layout at AVX-512): odd d, key
	 * counts off the panel and pair sizes, a lone 16-column strip. */
	"attention batch=2 heads=3 seq_q=37 seq_k=101 head_dim=21 causal=1 dtype=bf16",
	"attention heads=2 seq_q=5 seq_k=9 head_dim=7 causal=1 dtype=bf16",
	"attention heads=1 seq_q=9 seq_k=3 head_dim=1 dtype=bf16",
	"attention heads=1 seq_q=97 head_dim=64 amp=100 dtype=bf16",
	"attention heads=1 seq_q=130 seq_k=300 head_dim=48 dtype=bf16",
	"attention heads=1 seq_q=64 head_dim=16 causal=1 dtype=bf16",
	"attention heads=1 seq_q=50 seq_k=70 head_dim=48",
	"attention heads=1 seq_q=3 seq_k=200 head_dim=33 dtype=bf16",
	NULL,
};

const struct nb_kernel nb_kernel_attention = {
	.name = "attention",
	.summary = "fused scaled-dot-product attention (online softmax), fp32/fp16/bf16",
	.params = params,
	.nparams = (int)NB_ARRAY_SIZE(params),
	.check = attention_check,
	.work = attention_work,
	.shape = attention_shape,
	.label_omit = "seq_k=0 amp=1 impl=auto timing=device fp8@dtype!=fp8 fp8_scale@dtype!=fp8",
	.sweep = &sweep,
	.test_cases = test_cases,
	.host_bytes = attention_host_bytes,
	.setup = attention_setup,
	.execute = attention_execute,
	.verify = attention_verify,
	.teardown = attention_teardown,
	.impl = attention_impl,
	.impl_why = attention_why,
};
