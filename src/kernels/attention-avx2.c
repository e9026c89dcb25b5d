/* attention: AVX2 + FMA + F16C micro-kernels (see attention-impl.h for the
 * layouts they trust).  Compiled with -mavx2 -mfma -mf16c; called only
 * after run-time dispatch. */
#include "kernels/attention-impl.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

/* S = Q K^T for MR rows and nc keys: a 6x16 GEMM micro-kernel per K panel,
 * 12 accumulators, Q broadcast from L1, the panel streamed from L2. */
static void qk_avx2(const float *q, int d, const float *kp, int nc, float *s)
{
	for (int cp = 0; cp < nc; cp += ATT_NR) {
		const float *b = kp + (long)(cp / ATT_NR) * d * ATT_NR;
		__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
		__m256 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
		__m256 c40 = c00, c41 = c00, c50 = c00, c51 = c00;

		for (int t = 0; t < d; t++) {
			__m256 b0 = _mm256_load_ps(b + t * ATT_NR);
			__m256 b1 = _mm256_load_ps(b + t * ATT_NR + 8);
			__m256 a;

			a = _mm256_broadcast_ss(q + t);
			c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
			a = _mm256_broadcast_ss(q + d + t);
			c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
			a = _mm256_broadcast_ss(q + 2 * d + t);
			c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
			a = _mm256_broadcast_ss(q + 3 * d + t);
			c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
			a = _mm256_broadcast_ss(q + 4 * d + t);
			c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
			a = _mm256_broadcast_ss(q + 5 * d + t);
			c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
		}
		_mm256_store_ps(s + 0 * ATT_BC + cp, c00); _mm256_store_ps(s + 0 * ATT_BC + cp + 8, c01);
		_mm256_store_ps(s + 1 * ATT_BC + cp, c10); _mm256_store_ps(s + 1 * ATT_BC + cp + 8, c11);
		_mm256_store_ps(s + 2 * ATT_BC + cp, c20); _mm256_store_ps(s + 2 * ATT_BC + cp + 8, c21);
		_mm256_store_ps(s + 3 * ATT_BC + cp, c30); _mm256_store_ps(s + 3 * ATT_BC + cp + 8, c31);
		_mm256_store_ps(s + 4 * ATT_BC + cp, c40); _mm256_store_ps(s + 4 * ATT_BC + cp + 8, c41);
		_mm256_store_ps(s + 5 * ATT_BC + cp, c50); _mm256_store_ps(s + 5 * ATT_BC + cp + 8, c51);
	}
}

/* 2^x for x <= 0 (cephes exp2f polynomial on [-1/2, 1/2], rel. error
 * ~2e-7); x below -127 (masked: -inf) gives exactly 0. */
static inline __m256 exp2_neg(__m256 x)
{
	__m256 n, f, p;
	__m256i e;

	x = _mm256_max_ps(x, _mm256_set1_ps(-127.0f));
	n = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	f = _mm256_sub_ps(x, n);
	p = _mm256_set1_ps(1.535336188319500e-4f);
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.339887440266574e-3f));
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.618437357674640e-3f));
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.550332471162809e-2f));
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.402264791363012e-1f));
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.931472028550421e-1f));
	p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
	/* 2^n by building the exponent; n = -127 makes the bits 0, i.e. 0.0. */
	e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
	return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static inline float hmax(__m256 v)
{
	__m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_max_ps(x, _mm_movehl_ps(x, x));
	x = _mm_max_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

static inline float hsum(__m256 v)
{
	__m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_add_ps(x, _mm_movehl_ps(x, x));
	x = _mm_add_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

static void softmax_avx2(float *s, int nc, float scale, float *m, float *l, float *alpha)
{
	__m256 k = _mm256_set1_ps(scale);

	for (int r = 0; r < ATT_MR; r++) {
		float *row = s + r * ATT_BC;
		__m256 mx = _mm256_set1_ps(-INFINITY), sum = _mm256_setzero_ps(), mu;
		float mnew, base;

		for (int c = 0; c < nc; c += 8)
			mx = _mm256_max_ps(mx, _mm256_load_ps(row + c));
		mnew = hmax(mx) * scale;	/* scale > 0 keeps the maximum */
		if (m[r] > mnew)
			mnew = m[r];
		/* A row with nothing unmasked yet keeps acc = l = 0: any finite
		 * base avoids -inf - -inf. */
		base = mnew == -INFINITY ? 0.0f : mnew;
		alpha[r] = exp2f(m[r] - base);
		mu = _mm256_set1_ps(base);
		for (int c = 0; c < nc; c += 8) {
			/* With scale 1 (the fp32 layout) exactly S - m. */
			__m256 p = exp2_neg(_mm256_fmsub_ps(_mm256_load_ps(row + c), k, mu));

			_mm256_store_ps(row + c, p);
			sum = _mm256_add_ps(sum, p);
		}
		l[r] = l[r] * alpha[r] + hsum(sum);
		m[r] = mnew;
	}
}

/* acc = alpha * acc + P V, one 16-column strip of V at a time: the strip's
 * 6x16 accumulator lives in registers across all nc keys. */
static void pv_avx2(const float *p, int nc, const float *v, int dp, float *acc, const float *alpha)
{
	for (int cs = 0; cs < dp; cs += ATT_NR) {
		float *o = acc + cs;
		__m256 a;
		__m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;

#define LOADROW(r, x0, x1) \
		a = _mm256_broadcast_ss(alpha + r); \
		x0 = _mm256_mul_ps(a, _mm256_load_ps(o + r * dp)); \
		x1 = _mm256_mul_ps(a, _mm256_load_ps(o + r * dp + 8))
		LOADROW(0, c00, c01); LOADROW(1, c10, c11); LOADROW(2, c20, c21);
		LOADROW(3, c30, c31); LOADROW(4, c40, c41); LOADROW(5, c50, c51);
#undef LOADROW
		for (int c = 0; c < nc; c++) {
			__m256 b0 = _mm256_load_ps(v + (long)c * dp + cs);
			__m256 b1 = _mm256_load_ps(v + (long)c * dp + cs + 8);

			a = _mm256_broadcast_ss(p + c);
			c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
			a = _mm256_broadcast_ss(p + ATT_BC + c);
			c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
			a = _mm256_broadcast_ss(p + 2 * ATT_BC + c);
			c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
			a = _mm256_broadcast_ss(p + 3 * ATT_BC + c);
			c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
			a = _mm256_broadcast_ss(p + 4 * ATT_BC + c);
			c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
			a = _mm256_broadcast_ss(p + 5 * ATT_BC + c);
			c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
		}
		_mm256_store_ps(o + 0 * dp, c00); _mm256_store_ps(o + 0 * dp + 8, c01);
		_mm256_store_ps(o + 1 * dp, c10); _mm256_store_ps(o + 1 * dp + 8, c11);
		_mm256_store_ps(o + 2 * dp, c20); _mm256_store_ps(o + 2 * dp + 8, c21);
		_mm256_store_ps(o + 3 * dp, c30); _mm256_store_ps(o + 3 * dp + 8, c31);
		_mm256_store_ps(o + 4 * dp, c40); _mm256_store_ps(o + 4 * dp + 8, c41);
		_mm256_store_ps(o + 5 * dp, c50); _mm256_store_ps(o + 5 * dp + 8, c51);
	}
}

/* Converts with F16C (fp16) or a 16-bit shift (bf16); unaligned is fine. */
static void load_avx2(const void *src, enum nb_dtype dt, float *dst, long n, float scale)
{
	__m256 k = _mm256_set1_ps(scale);
	long i = 0;

	if (dt == NB_FP32) {
		const float *x = src;

		for (; i + 8 <= n; i += 8)
			_mm256_storeu_ps(dst + i, _mm256_mul_ps(k, _mm256_loadu_ps(x + i)));
		for (; i < n; i++)
			dst[i] = scale * x[i];
	} else if (dt == NB_FP16) {
		const uint16_t *x = src;

		for (; i + 8 <= n; i += 8)
			_mm256_storeu_ps(dst + i, _mm256_mul_ps(k,
				_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i)))));
		for (; i < n; i++)
			dst[i] = scale * _cvtsh_ss(x[i]);
	} else {
		const uint16_t *x = src;

		for (; i + 8 <= n; i += 8) {
			__m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));

			_mm256_storeu_ps(dst + i, _mm256_mul_ps(k, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16))));
		}
		for (; i < n; i++) {
			union { uint32_t u; float f; } b = { .u = (uint32_t)x[i] << 16 };

			dst[i] = scale * b.f;
		}
	}
}

/* Eight elements of dtype dt at x[i], as fp32. */
static inline __m256 ld8(const void *x, enum nb_dtype dt, long i)
{
	if (dt == NB_FP32)
		return _mm256_loadu_ps((const float *)x + i);
	__m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)x + i));
	if (dt == NB_FP16)
		return _mm256_cvtph_ps(h);
	return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* The decode row: memory-bound, so K and V are read once, converted in
 * registers; scores in blocks of ATT_BC for the online softmax. */
static void row_avx2(const float *q, const void *k, const void *v, enum nb_dtype dt, long n, int d,
		     float *s, float *out)
{
	size_t es = (size_t)dtype_bits(dt) / 8;
	long dv = d / 8 * 8;
	float m = -INFINITY, l = 0;

	for (int t = 0; t < d; t++)
		out[t] = 0;
	for (long j0 = 0; j0 < n; j0 += ATT_BC) {
		int nc = (int)(n - j0 < ATT_BC ? n - j0 : ATT_BC), nc8 = (nc + 7) / 8 * 8;
		float mx = m, alpha, sum;
		__m256 vs = _mm256_setzero_ps(), mu;

		for (int c = 0; c < nc; c++) {
			const char *kr = (const char *)k + (size_t)(j0 + c) * (size_t)d * es;
			__m256 a0 = _mm256_setzero_ps(), a1 = a0;
			long t = 0;
			float acc;

			for (; t + 16 <= dv; t += 16) {
				a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + t), ld8(kr, dt, t), a0);
				a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + t + 8), ld8(kr, dt, t + 8), a1);
			}
			for (; t < dv; t += 8)
				a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + t), ld8(kr, dt, t), a0);
			acc = hsum(_mm256_add_ps(a0, a1));
			for (; t < d; t++)
				acc += q[t] * ld1(kr, dt, t);
			s[c] = acc;
			if (acc > mx)
				mx = acc;
		}
		for (int c = nc; c < nc8; c++)
			s[c] = -INFINITY;
		alpha = exp2f(m - mx);	/* mx is finite: the block has keys */
		mu = _mm256_set1_ps(mx);
		for (int c = 0; c < nc8; c += 8) {
			__m256 p = exp2_neg(_mm256_sub_ps(_mm256_loadu_ps(s + c), mu));

			_mm256_storeu_ps(s + c, p);
			vs = _mm256_add_ps(vs, p);
		}
		sum = hsum(vs);
		l = l * alpha + sum;
		m = mx;
		for (long t = 0; t < dv; t += 8) {
			__m256 o = _mm256_mul_ps(_mm256_set1_ps(alpha), _mm256_loadu_ps(out + t));

			for (int c = 0; c < nc; c++)
				o = _mm256_fmadd_ps(_mm256_set1_ps(s[c]),
						    ld8((const char *)v + (size_t)(j0 + c) * (size_t)d * es, dt, t), o);
			_mm256_storeu_ps(out + t, o);
		}
		for (long t = dv; t < d; t++) {
			float o = alpha * out[t];

			for (int c = 0; c < nc; c++)
				o += s[c] * ld1((const char *)v + (size_t)(j0 + c) * (size_t)d * es, dt, t);
			out[t] = o;
		}
	}
	for (int t = 0; t < d; t++)
		out[t] /= l;
}

/* Output conversion: F16C for fp16; bf16 rounds to nearest even with the
 * integer trick (outputs are finite: weighted means of V). */
static void store_avx2(const float *src, enum nb_dtype dt, void *dst, long n, float scale)
{
	__m256 k = _mm256_set1_ps(scale);
	long i = 0;

	if (dt == NB_FP32) {
		for (; i + 8 <= n; i += 8)
			_mm256_storeu_ps((float *)dst + i, _mm256_mul_ps(k, _mm256_loadu_ps(src + i)));
		for (; i < n; i++)
			((float *)dst)[i] = scale * src[i];
		return;
	}
	for (; i + 8 <= n; i += 8) {
		__m256 y = _mm256_mul_ps(k, _mm256_loadu_ps(src + i));
		__m128i h;

		if (dt == NB_FP16) {
			h = _mm256_cvtps_ph(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		} else {
			__m256i u = _mm256_castps_si256(y);
			__m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));

			u = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff))), 16);
			h = _mm_packus_epi32(_mm256_castsi256_si128(u), _mm256_extracti128_si256(u, 1));
		}
		_mm_storeu_si128((__m128i *)((uint16_t *)dst + i), h);
	}
	for (; i < n; i++) {
		float y = scale * src[i];

		if (dt == NB_FP16) {
			((uint16_t *)dst)[i] = _cvtss_sh(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		} else {
			union { float f; uint32_t u; } b = { .f = y };

			((uint16_t *)dst)[i] = (uint16_t)((b.u + 0x7fffu + ((b.u >> 16) & 1)) >> 16);
		}
	}
}

const struct attn_ops attn_ops_avx2 = { qk_avx2, softmax_avx2, pv_avx2, row_avx2, store_avx2, load_avx2, NULL };
