/* attention: the blocking shared by the framework (attention.c) and the
 * micro-kernels (portable in attention.c, AVX2 in attention-avx2.c).
 *
 * A micro-block is MR query rows against NC keys (NC a multiple of NR, at
 * most BC).  Q rows are fp32, pre-scaled by log2(e)/sqrt(d) so the softmax
 * runs in base 2.  K is packed in panels of NR keys: panel p holds
 * kp[p*d*NR + t*NR + c] = K[p*NR + c][t].  V is packed row-major with its
 * rows padded to dp (a multiple of NR) floats.  S/P is MR x BC, row-major. */
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
	 * updates the running max m and sum l, replaces S by P = 2^(S - m),
	 * and writes alpha, the factor rescaling each row's accumulator. */
	void (*softmax)(float *s, int nc, float *m, float *l, float *alpha);
	/* acc[r][:] = alpha[r] * acc[r][:] + sum_c P[r][c] * V[c][:]. */
	void (*pv)(const float *p, int nc, const float *v, int dp, float *acc, const float *alpha);
	/* Decode shapes (a few query rows, see ATT_DECODE_ROWS): one query row
	 * against keys [0, n) read straight from K and V in the dtype, no
	 * packing.  q is fp32, pre-scaled; s is scratch of ATT_BC floats; out
	 * receives the normalized output row (d floats). */
	void (*row)(const float *q, const void *k, const void *v, enum nb_dtype dt, long n, int d,
		    float *s, float *out);
	/* dst[i] = scale * (float)src[i] for n elements of dtype dt. */
	void (*load)(const void *src, enum nb_dtype dt, float *dst, long n, float scale);
};

extern const struct attn_ops attn_ops_avx2;

/* Bytes a set-up attention case allocated (the tests hold it to
 * host_bytes). */
double attention_allocated_bytes(void *state);

#endif
