/* attention: the blocking shared by the framework (attention.c) and the
 * micro-kernels (portable in attention.c, AVX2 in attention-avx2.c,
 * AVX-512 in attention-avx512.c).
 *
 * A micro-block is MR query rows against NC keys (NC a multiple of NR, at
 * most BC).  S/P is MR x BC fp32, row-major.  Two layouts:
 *
 * fp32 (ops->pack NULL): Q rows are fp32, pre-scaled by log2(e)/sqrt(d)
 * so the softmax runs in base 2 (its scale is 1).  K is packed in panels
 * of NR keys: panel p holds kp[p*d*NR + t*NR + c] = K[p*NR + c][t].  V is
 * packed row-major with its rows padded to dp (a multiple of NR) floats.
 *
 * bf16 pairs (ops->pack set; bf16 inputs, for vdpbf16ps, which sums the
 * products of adjacent bf16 pairs): with dq2 = (d + 1) / 2 pairs per row
 * (an odd d padded with a zero), the float buffers hold 32-bit pairs.
 * Q rows are the bf16 inputs unscaled, dq2 pairs each; the softmax gets
 * log2(e)/sqrt(d) as its scale.  K panel p holds
 * kp[p*dq2*NR + t*NR + c] = (K[p*NR + c][2t], K[p*NR + c][2t+1]).  V holds
 * one row of dp pairs per key pair: vp[i*dp + j] = (V[2i][j], V[2i+1][j]).
 * The softmax leaves P as bf16 in the first half of each S row, so P's
 * pairs are 32-bit words of the row. */
#ifndef NB_ATTENTION_IMPL_H
#define NB_ATTENTION_IMPL_H

#include "util/dtype.h"

#define ATT_MR 6	/* query rows per micro-block: 12 accumulators + 3 */
#define ATT_NR 16	/* keys per K panel and V columns per strip: 2 ymm */
#define ATT_BC 64	/* keys per block: K and V chunks stay in L2 */
#define ATT_QB 48	/* query rows per task: 8 micro-blocks share a chunk */
/* Up to this many query rows per head, a 6-row micro-block would mostly
 * compute padding and packing K and V would cost more than reading them:
 * such cases (decoding) take the row path instead. */
#define ATT_DECODE_ROWS 4

struct attn_ops {
	/* S[r][c] = sum_t Q[r][t] * K[c][t] for r < MR, c < nc. */
	void (*qk)(const float *q, int d, const float *kp, int nc, float *s);
	/* Online softmax step over MR rows of S (masked entries -inf):
	 * updates the running max m and sum l (of scale x S), replaces S by
	 * P = 2^(scale S - m), and writes alpha, the factor rescaling each
	 * row's accumulator. */
	void (*softmax)(float *s, int nc, float scale, float *m, float *l, float *alpha);
	/* acc[r][:] = alpha[r] * acc[r][:] + sum_c P[r][c] * V[c][:]. */
	void (*pv)(const float *p, int nc, const float *v, int dp, float *acc, const float *alpha);
	/* Decode shapes (a few query rows, see ATT_DECODE_ROWS): one query row
	 * against keys [0, n) read straight from K and V in the dtype, no
	 * packing.  q is fp32, pre-scaled; s is scratch of ATT_BC floats; out
	 * receives the normalized output row (d floats). */
	void (*row)(const float *q, const void *k, const void *v, enum nb_dtype dt, long n, int d,
		    float *s, float *out);
	/* dst[i] = (dtype)(scale * src[i]), rounding to nearest even. */
	void (*store)(const float *src, enum nb_dtype dt, void *dst, long n, float scale);
	/* dst[i] = scale * (float)src[i] for n elements of dtype dt. */
	void (*load)(const void *src, enum nb_dtype dt, float *dst, long n, float scale);
	/* NULL: the fp32 layout, packed by the framework.  Else the bf16 pair
	 * layout: packs keys [0, skp) of one head's K and V (bf16, sk rows of
	 * d) into kp and vp, zeros past sk. */
	void (*pack)(const void *k, const void *v, long sk, long skp, int d, int dp, float *kp, float *vp);
};

extern const struct attn_ops attn_ops_avx2;
/* fp32 FMA (fp32 and fp16 inputs) and vdpbf16ps (bf16 inputs, only on
 * CPUs with AVX512_BF16). */
extern const struct attn_ops attn_ops_avx512, attn_ops_avx512_bf16;

/* The bf16 pair path's extra error, as a fraction of max|v|: P rounded to
 * bf16 moves each weight by at most 2^-8 of itself, so the output by at
 * most 2^-8 max|v| (l sums the unrounded P).  Denormals flushed by
 * vdpbf16ps add under 2^-126 per key, far below. */
#define ATT_BF16_PAIR_ERR 0x1p-8

/* Bytes a set-up attention case allocated (the tests hold it to
 * host_bytes). */
double attention_allocated_bytes(void *state);

#endif
