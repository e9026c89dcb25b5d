/* attention: AVX-512 micro-kernels (layouts in attention-impl.h).
 * Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512bf16; called only
 * after run-time dispatch (the bf16 ops only where the CPU has
 * AVX512_BF16).
 *
 * Two sets of operations:
 *   attn_ops_avx512       fp32 FMA on the fp32 layout, for fp32 and fp16
 *                         inputs (fp16 converts to fp32 exactly);
 *   attn_ops_avx512_bf16  vdpbf16ps on the pair layout, for bf16 inputs.
 *
 * Numerics of the bf16 path (attention-impl.h has the bound the verifier
 * uses).  Q K^T: the inputs are bf16 already and Q is not pre-scaled, so
 * every product of vdpbf16ps is exact (8 x 8 significant bits fit in
 * fp32's 24) and only the fp32 additions round, as in an FMA chain; the
 * scale log2(e)/sqrt(d) is applied to S in fp32.  vdpbf16ps ignores MXCSR:
 * it treats bf16 denormals as zero, flushes denormal results to zero and
 * rounds to nearest even, so a product or partial sum below 2^-126 in
 * magnitude becomes 0, an absolute error under 2^-126 per key.  P V: P is
 * rounded to bf16 (relative error <= 2^-8 each), so the output moves by at
 * most 2^-8 max|v|, while the row sum l is taken from the unrounded fp32 P
 * (normalizing by the rounded sum would double that bound).  Denormal P
 * (scores 126 binary orders below the row's maximum) become 0.
 *
 * fp16 inputs do not take the dot product: fp16 has 11 significant bits,
 * bf16 8, so rounding Q and K to bf16 would perturb every score by 2^-8 of
 * |q||k| -- an error the exponent then multiplies by the score's size --
 * and an exact hi + lo split of each fp16 value needs three or four bf16
 * products per pair, more work than the fp32 FMAs it would replace. */
#include "kernels/attention-impl.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- fp32 layout ---- */

/* S = Q K^T for MR rows and nc keys: 6 rows x 2 panels (32 keys) of
 * accumulators, 12 zmm; a lone last panel takes 6. */
static void qk_avx512(const float *q, int d, const float *kp, int nc, float *s)
{
	int cp = 0;

	for (; cp + 2 * ATT_NR <= nc; cp += 2 * ATT_NR) {
		const float *b = kp + (long)(cp / ATT_NR) * d * ATT_NR;
		__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
		__m512 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
		__m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00;

		for (int t = 0; t < d; t++) {
			/* The second panel is d * NR floats further on. */
			__m512 b0 = _mm512_load_ps(b + t * ATT_NR);
			__m512 b1 = _mm512_load_ps(b + (long)d * ATT_NR + t * ATT_NR);
			__m512 a;

			a = _mm512_set1_ps(q[t]);
			c00 = _mm512_fmadd_ps(a, b0, c00); c01 = _mm512_fmadd_ps(a, b1, c01);
			a = _mm512_set1_ps(q[d + t]);
			c10 = _mm512_fmadd_ps(a, b0, c10); c11 = _mm512_fmadd_ps(a, b1, c11);
			a = _mm512_set1_ps(q[2 * d + t]);
			c20 = _mm512_fmadd_ps(a, b0, c20); c21 = _mm512_fmadd_ps(a, b1, c21);
			a = _mm512_set1_ps(q[3 * d + t]);
			c30 = _mm512_fmadd_ps(a, b0, c30); c31 = _mm512_fmadd_ps(a, b1, c31);
			a = _mm512_set1_ps(q[4 * d + t]);
			c40 = _mm512_fmadd_ps(a, b0, c40); c41 = _mm512_fmadd_ps(a, b1, c41);
			a = _mm512_set1_ps(q[5 * d + t]);
			c50 = _mm512_fmadd_ps(a, b0, c50); c51 = _mm512_fmadd_ps(a, b1, c51);
		}
		_mm512_store_ps(s + 0 * ATT_BC + cp, c00); _mm512_store_ps(s + 0 * ATT_BC + cp + 16, c01);
		_mm512_store_ps(s + 1 * ATT_BC + cp, c10); _mm512_store_ps(s + 1 * ATT_BC + cp + 16, c11);
		_mm512_store_ps(s + 2 * ATT_BC + cp, c20); _mm512_store_ps(s + 2 * ATT_BC + cp + 16, c21);
		_mm512_store_ps(s + 3 * ATT_BC + cp, c30); _mm512_store_ps(s + 3 * ATT_BC + cp + 16, c31);
		_mm512_store_ps(s + 4 * ATT_BC + cp, c40); _mm512_store_ps(s + 4 * ATT_BC + cp + 16, c41);
		_mm512_store_ps(s + 5 * ATT_BC + cp, c50); _mm512_store_ps(s + 5 * ATT_BC + cp + 16, c51);
	}
	if (cp < nc) {
		const float *b = kp + (long)(cp / ATT_NR) * d * ATT_NR;
		__m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;

		for (int t = 0; t < d; t++) {
			__m512 b0 = _mm512_load_ps(b + t * ATT_NR);

			c0 = _mm512_fmadd_ps(_mm512_set1_ps(q[t]), b0, c0);
			c1 = _mm512_fmadd_ps(_mm512_set1_ps(q[d + t]), b0, c1);
			c2 = _mm512_fmadd_ps(_mm512_set1_ps(q[2 * d + t]), b0, c2);
			c3 = _mm512_fmadd_ps(_mm512_set1_ps(q[3 * d + t]), b0, c3);
			c4 = _mm512_fmadd_ps(_mm512_set1_ps(q[4 * d + t]), b0, c4);
			c5 = _mm512_fmadd_ps(_mm512_set1_ps(q[5 * d + t]), b0, c5);
		}
		_mm512_store_ps(s + 0 * ATT_BC + cp, c0); _mm512_store_ps(s + 1 * ATT_BC + cp, c1);
		_mm512_store_ps(s + 2 * ATT_BC + cp, c2); _mm512_store_ps(s + 3 * ATT_BC + cp, c3);
		_mm512_store_ps(s + 4 * ATT_BC + cp, c4); _mm512_store_ps(s + 5 * ATT_BC + cp, c5);
	}
}

/* 2^x for x <= 0 (cephes exp2f polynomial on [-1/2, 1/2], rel. error
 * ~2e-7); x below -127 (masked: -inf) gives exactly 0, as in the AVX2
 * kernel. */
static inline __m512 exp2_neg(__m512 x)
{
	__m512 n, f, p;
	__m512i e;

	x = _mm512_max_ps(x, _mm512_set1_ps(-127.0f));
	n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	f = _mm512_sub_ps(x, n);
	p = _mm512_set1_ps(1.535336188319500e-4f);
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.339887440266574e-3f));
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.618437357674640e-3f));
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550332471162809e-2f));
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.402264791363012e-1f));
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931472028550421e-1f));
	p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
	/* 2^n by building the exponent; n = -127 makes the bits 0, i.e. 0.0. */
	e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
	return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

/* One row's online softmax step; S holds scale x the scores.  With PAIRS
 * set, P is written back as bf16 (round to nearest even) into the first
 * half of the row's bytes, for vdpbf16ps; the sum uses the fp32 P. */
static inline void softmax_row(float *row, int nc, float scale, float *m, float *l, float *alpha, int pairs)
{
	__m512 mx = _mm512_set1_ps(-INFINITY), sum = _mm512_setzero_ps(), mu, k = _mm512_set1_ps(scale);
	float mnew, base;

	for (int c = 0; c < nc; c += 16)
		mx = _mm512_max_ps(mx, _mm512_load_ps(row + c));
	mnew = _mm512_reduce_max_ps(mx) * scale;
	if (*m > mnew)
		mnew = *m;
	/* A row with nothing unmasked yet keeps acc = l = 0: any finite base
	 * avoids -inf - -inf. */
	base = mnew == -INFINITY ? 0.0f : mnew;
	*alpha = exp2f(*m - base);
	mu = _mm512_set1_ps(base);
	for (int c = 0; c < nc; c += 16) {
		/* Vector c is read before anything is written at or past its
		 * bytes: the bf16 store lands at byte 2c, inside vectors
		 * already read. */
		__m512 p = exp2_neg(_mm512_fmsub_ps(_mm512_load_ps(row + c), k, mu));

		if (pairs)
			_mm256_store_si256((__m256i *)((uint16_t *)row + c), (__m256i)_mm512_cvtneps_pbh(p));
		else
			_mm512_store_ps(row + c, p);
		sum = _mm512_add_ps(sum, p);
	}
	*l = *l * *alpha + _mm512_reduce_add_ps(sum);
	*m = mnew;
}

static void softmax_avx512(float *s, int nc, float scale, float *m, float *l, float *alpha)
{
	for (int r = 0; r < ATT_MR; r++)
		softmax_row(s + r * ATT_BC, nc, scale, m + r, l + r, alpha + r, 0);
}

/* acc = alpha * acc + P V, two 16-column strips of V at a time (a 6 x 32
 * accumulator in 12 zmm across all nc keys); a lone last strip takes 6. */
static void pv_avx512(const float *p, int nc, const float *v, int dp, float *acc, const float *alpha)
{
	int cs = 0;

	for (; cs + 32 <= dp; cs += 32) {
		float *o = acc + cs;
		__m512 a, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;

#define LOADROW(r, x0, x1) \
		a = _mm512_set1_ps(alpha[r]); \
		x0 = _mm512_mul_ps(a, _mm512_load_ps(o + r * dp)); \
		x1 = _mm512_mul_ps(a, _mm512_load_ps(o + r * dp + 16))
		LOADROW(0, c00, c01); LOADROW(1, c10, c11); LOADROW(2, c20, c21);
		LOADROW(3, c30, c31); LOADROW(4, c40, c41); LOADROW(5, c50, c51);
#undef LOADROW
		for (int c = 0; c < nc; c++) {
			__m512 b0 = _mm512_load_ps(v + (long)c * dp + cs);
			__m512 b1 = _mm512_load_ps(v + (long)c * dp + cs + 16);

			a = _mm512_set1_ps(p[c]);
			c00 = _mm512_fmadd_ps(a, b0, c00); c01 = _mm512_fmadd_ps(a, b1, c01);
			a = _mm512_set1_ps(p[ATT_BC + c]);
			c10 = _mm512_fmadd_ps(a, b0, c10); c11 = _mm512_fmadd_ps(a, b1, c11);
			a = _mm512_set1_ps(p[2 * ATT_BC + c]);
			c20 = _mm512_fmadd_ps(a, b0, c20); c21 = _mm512_fmadd_ps(a, b1, c21);
			a = _mm512_set1_ps(p[3 * ATT_BC + c]);
			c30 = _mm512_fmadd_ps(a, b0, c30); c31 = _mm512_fmadd_ps(a, b1, c31);
			a = _mm512_set1_ps(p[4 * ATT_BC + c]);
			c40 = _mm512_fmadd_ps(a, b0, c40); c41 = _mm512_fmadd_ps(a, b1, c41);
			a = _mm512_set1_ps(p[5 * ATT_BC + c]);
			c50 = _mm512_fmadd_ps(a, b0, c50); c51 = _mm512_fmadd_ps(a, b1, c51);
		}
		_mm512_store_ps(o + 0 * dp, c00); _mm512_store_ps(o + 0 * dp + 16, c01);
		_mm512_store_ps(o + 1 * dp, c10); _mm512_store_ps(o + 1 * dp + 16, c11);
		_mm512_store_ps(o + 2 * dp, c20); _mm512_store_ps(o + 2 * dp + 16, c21);
		_mm512_store_ps(o + 3 * dp, c30); _mm512_store_ps(o + 3 * dp + 16, c31);
		_mm512_store_ps(o + 4 * dp, c40); _mm512_store_ps(o + 4 * dp + 16, c41);
		_mm512_store_ps(o + 5 * dp, c50); _mm512_store_ps(o + 5 * dp + 16, c51);
	}
	if (cs < dp) {
		float *o = acc + cs;
		__m512 c0, c1, c2, c3, c4, c5;

		c0 = _mm512_mul_ps(_mm512_set1_ps(alpha[0]), _mm512_load_ps(o));
		c1 = _mm512_mul_ps(_mm512_set1_ps(alpha[1]), _mm512_load_ps(o + dp));
		c2 = _mm512_mul_ps(_mm512_set1_ps(alpha[2]), _mm512_load_ps(o + 2 * dp));
		c3 = _mm512_mul_ps(_mm512_set1_ps(alpha[3]), _mm512_load_ps(o + 3 * dp));
		c4 = _mm512_mul_ps(_mm512_set1_ps(alpha[4]), _mm512_load_ps(o + 4 * dp));
		c5 = _mm512_mul_ps(_mm512_set1_ps(alpha[5]), _mm512_load_ps(o + 5 * dp));
		for (int c = 0; c < nc; c++) {
			__m512 b0 = _mm512_load_ps(v + (long)c * dp + cs);

			c0 = _mm512_fmadd_ps(_mm512_set1_ps(p[c]), b0, c0);
			c1 = _mm512_fmadd_ps(_mm512_set1_ps(p[ATT_BC + c]), b0, c1);
			c2 = _mm512_fmadd_ps(_mm512_set1_ps(p[2 * ATT_BC + c]), b0, c2);
			c3 = _mm512_fmadd_ps(_mm512_set1_ps(p[3 * ATT_BC + c]), b0, c3);
			c4 = _mm512_fmadd_ps(_mm512_set1_ps(p[4 * ATT_BC + c]), b0, c4);
			c5 = _mm512_fmadd_ps(_mm512_set1_ps(p[5 * ATT_BC + c]), b0, c5);
		}
		_mm512_store_ps(o, c0); _mm512_store_ps(o + dp, c1); _mm512_store_ps(o + 2 * dp, c2);
		_mm512_store_ps(o + 3 * dp, c3); _mm512_store_ps(o + 4 * dp, c4); _mm512_store_ps(o + 5 * dp, c5);
	}
}

/* ---- conversions and the decode row, shared by both sets ---- */

static void load_avx512(const void *src, enum nb_dtype dt, float *dst, long n, float scale)
{
	__m512 k = _mm512_set1_ps(scale);

	for (long i = 0; i < n; i += 16) {
		__mmask16 m = tail16(n - i);

		_mm512_mask_storeu_ps(dst + i, m, _mm512_mul_ps(k, ld16(src, dt, i, m)));
	}
}

/* Output conversion: vcvtps2ph for fp16; bf16 rounds to nearest even with
 * the integer trick, exactly as the portable code (vcvtneps2bf16 would
 * flush denormals; outputs are finite weighted means of V). */
static void store_avx512(const float *src, enum nb_dtype dt, void *dst, long n, float scale)
{
	__m512 k = _mm512_set1_ps(scale);

	for (long i = 0; i < n; i += 16) {
		__mmask16 m = tail16(n - i);
		__m512 y = _mm512_mul_ps(k, _mm512_maskz_loadu_ps(m, src + i));

		if (dt == NB_FP32) {
			_mm512_mask_storeu_ps((float *)dst + i, m, y);
		} else if (dt == NB_FP16) {
			_mm256_mask_storeu_epi16((uint16_t *)dst + i, m,
						 _mm512_cvtps_ph(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
		} else {
			__m512i u = _mm512_castps_si512(y);
			__m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));

			u = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff))), 16);
			_mm256_mask_storeu_epi16((uint16_t *)dst + i, m, _mm512_cvtepi32_epi16(u));
		}
	}
}

/* The decode row: memory-bound, so K and V are read once, converted in
 * registers (every dtype converts exactly to fp32; no dot product, no
 * rounding of P); scores in blocks of ATT_BC for the online softmax. */
static void row_avx512(const float *q, const void *k, const void *v, enum nb_dtype dt, long n, int d,
		       float *s, float *out)
{
	size_t es = (size_t)dtype_bits(dt) / 8;
	float m = -INFINITY, l = 0;

	for (int t = 0; t < d; t++)
		out[t] = 0;
	for (long j0 = 0; j0 < n; j0 += ATT_BC) {
		int nc = (int)(n - j0 < ATT_BC ? n - j0 : ATT_BC), nc16 = (nc + 15) / 16 * 16;
		float mx = m, alpha;
		__m512 vs = _mm512_setzero_ps(), mu;

		for (int c = 0; c < nc; c++) {
			const char *kr = (const char *)k + (size_t)(j0 + c) * (size_t)d * es;
			__m512 a0 = _mm512_setzero_ps(), a1 = a0;
			long t = 0;
			float acc;

			for (; t + 32 <= d; t += 32) {
				a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + t), ld16(kr, dt, t, 0xffff), a0);
				a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + t + 16), ld16(kr, dt, t + 16, 0xffff), a1);
			}
			for (; t < d; t += 16) {
				__mmask16 mk = tail16(d - t);

				a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk, q + t), ld16(kr, dt, t, mk), a0);
			}
			acc = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
			s[c] = acc;
			if (acc > mx)
				mx = acc;
		}
		for (int c = nc; c < nc16; c++)
			s[c] = -INFINITY;
		alpha = exp2f(m - mx);	/* mx is finite: the block has keys */
		mu = _mm512_set1_ps(mx);
		for (int c = 0; c < nc16; c += 16) {
			__m512 p = exp2_neg(_mm512_sub_ps(_mm512_loadu_ps(s + c), mu));

			_mm512_storeu_ps(s + c, p);
			vs = _mm512_add_ps(vs, p);
		}
		l = l * alpha + _mm512_reduce_add_ps(vs);
		m = mx;
		for (long t = 0; t < d; t += 16) {
			__mmask16 mk = tail16(d - t);
			__m512 o = _mm512_mul_ps(_mm512_set1_ps(alpha), _mm512_maskz_loadu_ps(mk, out + t));

			for (int c = 0; c < nc; c++)
				o = _mm512_fmadd_ps(_mm512_set1_ps(s[c]),
						    ld16((const char *)v + (size_t)(j0 + c) * (size_t)d * es, dt, t, mk), o);
			_mm512_mask_storeu_ps(out + t, mk, o);
		}
	}
	for (int t = 0; t < d; t++)
		out[t] /= l;
}

/* ---- the bf16 pair layout (vdpbf16ps) ---- */

/* Two pairs-of-bf16 vectors' dot product into fp32 lanes. */
#define DP(acc, a, b) acc = _mm512_dpbf16_ps(acc, (__m512bh)(a), (__m512bh)(b))

/* S = Q K^T on pairs: q holds MR rows of dq2 bf16 pairs, a K panel holds
 * dq2 x NR pairs.  Per pair index: two panel loads, six broadcasts of a
 * row's pair, twelve dot products into 6 x 32 keys. */
static void qk_avx512_bf16(const float *qf, int d, const float *kf, int nc, float *s)
{
	const uint32_t *q = (const uint32_t *)qf, *kp = (const uint32_t *)kf;
	int dq2 = (d + 1) / 2, cp = 0;

	for (; cp + 2 * ATT_NR <= nc; cp += 2 * ATT_NR) {
		const uint32_t *b = kp + (long)(cp / ATT_NR) * dq2 * ATT_NR;
		__m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
		__m512 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
		__m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00;

		for (int t = 0; t < dq2; t++) {
			__m512i b0 = _mm512_load_si512(b + t * ATT_NR);
			__m512i b1 = _mm512_load_si512(b + (long)dq2 * ATT_NR + t * ATT_NR);
			__m512i a;

			a = _mm512_set1_epi32((int)q[t]);
			DP(c00, a, b0); DP(c01, a, b1);
			a = _mm512_set1_epi32((int)q[dq2 + t]);
			DP(c10, a, b0); DP(c11, a, b1);
			a = _mm512_set1_epi32((int)q[2 * dq2 + t]);
			DP(c20, a, b0); DP(c21, a, b1);
			a = _mm512_set1_epi32((int)q[3 * dq2 + t]);
			DP(c30, a, b0); DP(c31, a, b1);
			a = _mm512_set1_epi32((int)q[4 * dq2 + t]);
			DP(c40, a, b0); DP(c41, a, b1);
			a = _mm512_set1_epi32((int)q[5 * dq2 + t]);
			DP(c50, a, b0); DP(c51, a, b1);
		}
		_mm512_store_ps(s + 0 * ATT_BC + cp, c00); _mm512_store_ps(s + 0 * ATT_BC + cp + 16, c01);
		_mm512_store_ps(s + 1 * ATT_BC + cp, c10); _mm512_store_ps(s + 1 * ATT_BC + cp + 16, c11);
		_mm512_store_ps(s + 2 * ATT_BC + cp, c20); _mm512_store_ps(s + 2 * ATT_BC + cp + 16, c21);
		_mm512_store_ps(s + 3 * ATT_BC + cp, c30); _mm512_store_ps(s + 3 * ATT_BC + cp + 16, c31);
		_mm512_store_ps(s + 4 * ATT_BC + cp, c40); _mm512_store_ps(s + 4 * ATT_BC + cp + 16, c41);
		_mm512_store_ps(s + 5 * ATT_BC + cp, c50); _mm512_store_ps(s + 5 * ATT_BC + cp + 16, c51);
	}
	if (cp < nc) {
		const uint32_t *b = kp + (long)(cp / ATT_NR) * dq2 * ATT_NR;
		__m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;

		for (int t = 0; t < dq2; t++) {
			__m512i b0 = _mm512_load_si512(b + t * ATT_NR);

			DP(c0, _mm512_set1_epi32((int)q[t]), b0);
			DP(c1, _mm512_set1_epi32((int)q[dq2 + t]), b0);
			DP(c2, _mm512_set1_epi32((int)q[2 * dq2 + t]), b0);
			DP(c3, _mm512_set1_epi32((int)q[3 * dq2 + t]), b0);
			DP(c4, _mm512_set1_epi32((int)q[4 * dq2 + t]), b0);
			DP(c5, _mm512_set1_epi32((int)q[5 * dq2 + t]), b0);
		}
		_mm512_store_ps(s + 0 * ATT_BC + cp, c0); _mm512_store_ps(s + 1 * ATT_BC + cp, c1);
		_mm512_store_ps(s + 2 * ATT_BC + cp, c2); _mm512_store_ps(s + 3 * ATT_BC + cp, c3);
		_mm512_store_ps(s + 4 * ATT_BC + cp, c4); _mm512_store_ps(s + 5 * ATT_BC + cp, c5);
	}
}

static void softmax_avx512_bf16(float *s, int nc, float scale, float *m, float *l, float *alpha)
{
	for (int r = 0; r < ATT_MR; r++)
		softmax_row(s + r * ATT_BC, nc, scale, m + r, l + r, alpha + r, 1);
}

/* acc = alpha * acc + P V on pairs: p rows hold nc / 2 bf16 pairs of P,
 * v rows (one per key pair) dp pairs.  Two 16-column strips at a time. */
static void pv_avx512_bf16(const float *pf, int nc, const float *vf, int dp, float *acc, const float *alpha)
{
	const uint32_t *p = (const uint32_t *)pf, *v = (const uint32_t *)vf;
	int np = nc / 2, cs = 0;

	for (; cs < dp; cs += 32) {
		float *o = acc + cs;
		int two = cs + 32 <= dp;	/* else a lone last strip */
		__m512 a, c00, c01 = _mm512_setzero_ps(), c10, c11 = c01, c20, c21 = c01;
		__m512 c30, c31 = c01, c40, c41 = c01, c50, c51 = c01;

#define LOADROW(r, x0, x1) \
		a = _mm512_set1_ps(alpha[r]); \
		x0 = _mm512_mul_ps(a, _mm512_load_ps(o + r * dp)); \
		if (two) \
			x1 = _mm512_mul_ps(a, _mm512_load_ps(o + r * dp + 16))
		LOADROW(0, c00, c01); LOADROW(1, c10, c11); LOADROW(2, c20, c21);
		LOADROW(3, c30, c31); LOADROW(4, c40, c41); LOADROW(5, c50, c51);
#undef LOADROW
		if (two) {
			for (int c = 0; c < np; c++) {
				__m512i b0 = _mm512_load_si512(v + (long)c * dp + cs);
				__m512i b1 = _mm512_load_si512(v + (long)c * dp + cs + 16);
				__m512i w;

				w = _mm512_set1_epi32((int)p[c]);
				DP(c00, w, b0); DP(c01, w, b1);
				w = _mm512_set1_epi32((int)p[ATT_BC + c]);
				DP(c10, w, b0); DP(c11, w, b1);
				w = _mm512_set1_epi32((int)p[2 * ATT_BC + c]);
				DP(c20, w, b0); DP(c21, w, b1);
				w = _mm512_set1_epi32((int)p[3 * ATT_BC + c]);
				DP(c30, w, b0); DP(c31, w, b1);
				w = _mm512_set1_epi32((int)p[4 * ATT_BC + c]);
				DP(c40, w, b0); DP(c41, w, b1);
				w = _mm512_set1_epi32((int)p[5 * ATT_BC + c]);
				DP(c50, w, b0); DP(c51, w, b1);
			}
		} else {
			for (int c = 0; c < np; c++) {
				__m512i b0 = _mm512_load_si512(v + (long)c * dp + cs);

				DP(c00, _mm512_set1_epi32((int)p[c]), b0);
				DP(c10, _mm512_set1_epi32((int)p[ATT_BC + c]), b0);
				DP(c20, _mm512_set1_epi32((int)p[2 * ATT_BC + c]), b0);
				DP(c30, _mm512_set1_epi32((int)p[3 * ATT_BC + c]), b0);
				DP(c40, _mm512_set1_epi32((int)p[4 * ATT_BC + c]), b0);
				DP(c50, _mm512_set1_epi32((int)p[5 * ATT_BC + c]), b0);
			}
		}
		_mm512_store_ps(o + 0 * dp, c00); _mm512_store_ps(o + 1 * dp, c10);
		_mm512_store_ps(o + 2 * dp, c20); _mm512_store_ps(o + 3 * dp, c30);
		_mm512_store_ps(o + 4 * dp, c40); _mm512_store_ps(o + 5 * dp, c50);
		if (two) {
			_mm512_store_ps(o + 0 * dp + 16, c01); _mm512_store_ps(o + 1 * dp + 16, c11);
			_mm512_store_ps(o + 2 * dp + 16, c21); _mm512_store_ps(o + 3 * dp + 16, c31);
			_mm512_store_ps(o + 4 * dp + 16, c41); _mm512_store_ps(o + 5 * dp + 16, c51);
		}
	}
}

/* Packs keys [0, skp) of one head, bf16 row-major K and V with sk valid
 * rows of d, into the pair layout (keys past sk are zeros).  K: one
 * gather of sixteen keys' pair t per vector; V: two rows widened to
 * 32 bits and interleaved. */
static void pack_avx512_bf16(const void *kv, const void *vv, long sk, long skp, int d, int dp,
			     float *kpf, float *vpf)
{
	const uint16_t *k = kv, *v = vv;
	uint32_t *kp = (uint32_t *)kpf, *vp = (uint32_t *)vpf;
	int dq2 = (d + 1) / 2, full = d / 2;	/* pairs, whole pairs */
	__m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
					 _mm512_set1_epi32(2 * d));

	for (long j0 = 0; j0 < skp; j0 += ATT_NR) {
		uint32_t *panel = kp + j0 * dq2;
		__mmask16 live = j0 >= sk ? 0 : tail16(sk - j0);
		const uint16_t *base = k + (size_t)(j0 < sk ? j0 : 0) * d;

		/* Byte offsets 2 d c + 4 t of key j0 + c's pair t. */
		for (int t = 0; t < full; t++)
			_mm512_store_si512(panel + t * ATT_NR,
					   _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live, idx,
								       (const char *)base + 4 * t, 1));
		if (dq2 > full) {	/* odd d: the last pair is (K[c][d-1], 0) */
			for (int c = 0; c < ATT_NR; c++)
				panel[full * ATT_NR + c] = (live >> c) & 1 ? base[(size_t)c * d + d - 1] : 0;
		}
	}
	for (long cp = 0; cp < skp / 2; cp++) {
		const uint16_t *r0 = v + (size_t)(2 * cp) * d, *r1 = r0 + d;
		int have0 = 2 * cp < sk, have1 = 2 * cp + 1 < sk;

		for (int t = 0; t < dp; t += 16) {
			__mmask16 m = t < d ? tail16(d - t) : 0;
			__m512i a = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(have0 ? m : 0, have0 ? r0 + t : v));
			__m512i b = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(have1 ? m : 0, have1 ? r1 + t : v));

			_mm512_store_si512(vp + cp * dp + t, _mm512_or_si512(a, _mm512_slli_epi32(b, 16)));
		}
	}
}

const struct attn_ops attn_ops_avx512 = {
	qk_avx512, softmax_avx512, pv_avx512, row_avx512, store_avx512, load_avx512, NULL,
};

const struct attn_ops attn_ops_avx512_bf16 = {
	qk_avx512_bf16, softmax_avx512_bf16, pv_avx512_bf16, row_avx512, store_avx512, load_avx512,
	pack_avx512_bf16,
};
