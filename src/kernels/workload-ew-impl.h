/* The vectorisable bodies of the elementwise table (workload-ew.h),
 * included by workload-ew-avx2.c and workload-ew-avx512.c, which name the
 * table WL_EW_TABLE and are compiled with that ISA's flags and the
 * vectoriser on.  Every loop is branch-free (selects, not jumps) and calls
 * nothing, so each becomes one vector loop.  exp: Cephes' expf, the
 * argument split into k ln 2 + r (|r| <= ln 2 / 2), a degree-5 polynomial
 * for e^r, 2^k put into the exponent bits: within 2 ulp of libm over the
 * clamped range; tanh(y) = 1 - 2 / (e^2y + 1). */
#include "kernels/workload-ew.h"

#include <string.h>

static inline float ew_exp(float x)
{
	float k, r, p, two_k;
	int32_t ki;
	uint32_t bits;

	x = x < -87.0f ? -87.0f : x;
	x = x > 88.0f ? 88.0f : x;
	/* Round to nearest through the fp32 significand (1.5 x 2^23). */
	k = x * 1.44269504088896341f + 12582912.0f;
	k -= 12582912.0f;
	r = x - k * 0.693359375f;
	r = r + k * 2.12194440e-4f;
	p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	p = p * r * r + r + 1.0f;
	ki = (int32_t)k;
	bits = (uint32_t)(ki + 127) << 23;
	memcpy(&two_k, &bits, 4);
	return p * two_k;
}

static inline float ew_sigm(float z)
{
	return 1.0f / (1.0f + ew_exp(-z));
}

#define GELU_K 0.7978845608f	/* sqrt(2 / pi) */

static inline float ew_tanh_gelu(float z)
{
	return 1.0f - 2.0f / (ew_exp(2.0f * GELU_K * (z + 0.044715f * z * z * z)) + 1.0f);
}

static void ew_to_bf16(const float *restrict in, uint16_t *restrict out, long n)
{
	for (long i = 0; i < n; i++) {
		uint32_t u, nan, rounded;

		memcpy(&u, &in[i], 4);
		nan = (u >> 16) | 0x40;
		rounded = (u + 0x7fffu + ((u >> 16) & 1)) >> 16;
		out[i] = (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
	}
}

#ifdef __AVX512BW__
#include <immintrin.h>

/* The 16 x 16 transpose of 32-bit lanes R[0..15] in place (afterwards
 * R[k] holds what was lane k of every vector, in order): 32-bit, then
 * 64-bit interleaves within 128-bit lanes, then two rounds of 128-bit
 * lane shuffles. */
static inline void ew_tr16(__m512i r[16])
{
	__m512i t[16];

	for (int k = 0; k < 16; k += 2) {
		t[k] = _mm512_unpacklo_epi32(r[k], r[k + 1]);
		t[k + 1] = _mm512_unpackhi_epi32(r[k], r[k + 1]);
	}
	for (int k = 0; k < 16; k += 4) {
		r[k] = _mm512_unpacklo_epi64(t[k], t[k + 2]);
		r[k + 1] = _mm512_unpackhi_epi64(t[k], t[k + 2]);
		r[k + 2] = _mm512_unpacklo_epi64(t[k + 1], t[k + 3]);
		r[k + 3] = _mm512_unpackhi_epi64(t[k + 1], t[k + 3]);
	}
	for (int k = 0; k < 16; k += 8)
		for (int j = 0; j < 4; j++) {
			t[k + j] = _mm512_shuffle_i32x4(r[k + j], r[k + j + 4], 0x88);
			t[k + j + 4] = _mm512_shuffle_i32x4(r[k + j], r[k + j + 4], 0xdd);
		}
	for (int j = 0; j < 8; j++) {
		r[j] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0x88);
		r[j + 8] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0xdd);
	}
}

/* IN's 16 values at ROW (masked to ME; a row past the block's is zeros)
 * rounded as ew_to_bf16 does, each in the low half of a 32-bit lane. */
static inline __m512i ew_rnd16(const float *row, __mmask16 me)
{
	const __m512i u = _mm512_maskz_loadu_epi32(me, row), hi = _mm512_srli_epi32(u, 16);
	const __m512i rnd = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)),
								_mm512_and_si512(hi, _mm512_set1_epi32(1))),
					      16);
	const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)),
						      _mm512_set1_epi32(0x7f800000));

	return _mm512_mask_or_epi32(rnd, nan, hi, _mm512_set1_epi32(0x40));
}

/* Blocks of 32 rows x 16 columns: rows 2j and 2j + 1 rounded (each row
 * one vector, masked at D's edge; rows past N are zeros, never stored)
 * and packed into vector j's 32-bit lanes, low and high half; the 16 x 16
 * transpose of those lanes leaves in vector k column k's 32 values in
 * order, as memory holds 16-bit values, so each is stored as it is: one
 * run of up to 32 values of K^T's row (masked at N's edge).  Nothing past
 * row N or column D is read or written.  Column blocks outside: one
 * block's input rows stay in L1 for the next. */
static void ew_to_bf16_t(const float *restrict in, long ld, long n, long d, uint16_t *restrict out, long ldo)
{
	for (long e0 = 0; e0 < d; e0 += 16) {
		long ne = d - e0 < 16 ? d - e0 : 16;
		__mmask16 me = (__mmask16)((1u << ne) - 1);

		for (long i0 = 0; i0 < n; i0 += 32) {
			long ni = n - i0 < 32 ? n - i0 : 32;
			__mmask32 mi = (__mmask32)(ni == 32 ? 0xffffffffu : (1u << ni) - 1);
			__m512i r[16];

			for (long k = 0; k < 16; k++) {
				const float *row = in + (i0 + 2 * k) * ld + e0;

				/* The first column block walks the rows a line each,
				 * ld apart: fetch the next block's rows whole. */
				if (e0 == 0 && i0 + 32 + 2 * k + 1 < n)
					for (long e = 0; e < d; e += 16) {
						_mm_prefetch((const char *)(row + 32 * ld + e), _MM_HINT_T0);
						_mm_prefetch((const char *)(row + 33 * ld + e), _MM_HINT_T0);
					}
				__m512i lo = 2 * k < ni ? ew_rnd16(row, me) : _mm512_setzero_si512();
				__m512i hi = 2 * k + 1 < ni ? ew_rnd16(row + ld, me) : _mm512_setzero_si512();

				r[k] = _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16));
			}
			ew_tr16(r);
			for (long k = 0; k < ne; k++)
				_mm512_mask_storeu_epi16(out + (e0 + k) * ldo + i0, mi, r[k]);
		}
	}
}
#else
/* Blocks of 16 rows: each rounded by the vector loop into a dense block
 * on the stack, then written out a column at a time, so that neither
 * side strides through memory per element. */
static void ew_to_bf16_t(const float *restrict in, long ld, long n, long d, uint16_t *restrict out, long ldo)
{
	enum { R = 16, C = 256 };
	uint16_t blk[R * C];

	for (long i0 = 0; i0 < n; i0 += R) {
		long ni = n - i0 < R ? n - i0 : R;

		for (long e0 = 0; e0 < d; e0 += C) {
			long ne = d - e0 < C ? d - e0 : C;

			for (long k = 0; k < ni; k++)
				ew_to_bf16(in + (i0 + k) * ld + e0, blk + k * ne, ne);
			for (long e = 0; e < ne; e++)
				for (long k = 0; k < ni; k++)
					out[(e0 + e) * ldo + i0 + k] = blk[k * ne + e];
		}
	}
}
#endif

static void ew_gelu(const float *restrict u, float *restrict g, long n)
{
	for (long i = 0; i < n; i++)
		g[i] = 0.5f * u[i] * (1.0f + ew_tanh_gelu(u[i]));
}

static void ew_gelu_bwd(const float *restrict u, const float *restrict dg, float *restrict du, long n)
{
	for (long i = 0; i < n; i++) {
		float z = u[i], th = ew_tanh_gelu(z);

		du[i] = dg[i] * (0.5f * (1 + th) + 0.5f * z * (1 - th * th) * GELU_K * (1 + 3 * 0.044715f * z * z));
	}
}

static void ew_swiglu(const float *restrict u1, const float *restrict u2, float *restrict g, long n)
{
	for (long i = 0; i < n; i++)
		g[i] = u1[i] * ew_sigm(u1[i]) * u2[i];
}

static void ew_swiglu_bwd(const float *restrict u1, const float *restrict u2, const float *restrict dg,
			  float *restrict du1, float *restrict du2, long n)
{
	for (long i = 0; i < n; i++) {
		float z = u1[i], sg = ew_sigm(z);

		du1[i] = dg[i] * u2[i] * sg * (1 + z * (1 - sg));
		du2[i] = dg[i] * z * sg;
	}
}

static void ew_adam(float *restrict w, float *restrict g, float *restrict m, float *restrict v, long n, float c1,
		    float c2)
{
	const float b1 = WL_ADAM_B1, b2 = WL_ADAM_B2, lr = WL_ADAM_LR, eps = WL_ADAM_EPS;

	for (long j = 0; j < n; j++) {
		float gj = g[j];

		m[j] = b1 * m[j] + (1 - b1) * gj;
		v[j] = b2 * v[j] + (1 - b2) * gj * gj;
		w[j] -= lr * (m[j] / c1) / (__builtin_sqrtf(v[j] / c2) + eps);
		g[j] = 0;
	}
}

static void ew_add(const float *restrict a, const float *restrict b, float *restrict out, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

static void ew_exp_shift(const float *in, float *out, long n, float scale, float shift)
{
	for (long i = 0; i < n; i++)
		out[i] = ew_exp(in[i] * scale - shift);
}

/* Reductions in EW_LANES partial results, one per vector lane: each lane's
 * sum or maximum runs in order, so the vectoriser needs no reassociation
 * (which -O2 without -ffast-math never does) and the loops become vector
 * loops; the lanes are combined at the end (the RMS norm's in double, as
 * the reference sums), the tail in scalar code.  Against the portable reference's single running sum the
 * order of additions differs, nothing else. */
#define EW_LANES 16

static float ew_rms_row(const float *restrict x, float *restrict y, long n)
{
	float acc[EW_LANES];
	long nv = n / EW_LANES * EW_LANES, i;
	double ss = 0;
	float r;

	for (int l = 0; l < EW_LANES; l++)
		acc[l] = 0;
	for (i = 0; i < nv; i += EW_LANES)
		for (int l = 0; l < EW_LANES; l++)
			acc[l] += x[i + l] * x[i + l];
	for (int l = 0; l < EW_LANES; l++)
		ss += acc[l];
	for (; i < n; i++)
		ss += (double)x[i] * x[i];
	r = (float)(1 / __builtin_sqrt(ss / n + 1e-6));
	for (i = 0; i < n; i++)
		y[i] = x[i] * r;
	return r;
}

static void ew_softmax_row(float *row, long seen, long n, float scale)
{
	float mx[EW_LANES], acc[EW_LANES], m = -__builtin_inff(), sum = 0;
	long nv = seen / EW_LANES * EW_LANES, i;

	for (int l = 0; l < EW_LANES; l++) {
		mx[l] = -__builtin_inff();
		acc[l] = 0;
	}
	for (i = 0; i < nv; i += EW_LANES)
		for (int l = 0; l < EW_LANES; l++) {
			float v = row[i + l] * scale;

			mx[l] = v > mx[l] ? v : mx[l];
		}
	for (int l = 0; l < EW_LANES; l++)
		m = mx[l] > m ? mx[l] : m;
	for (; i < seen; i++) {
		float v = row[i] * scale;

		m = v > m ? v : m;
	}
	ew_exp_shift(row, row, seen, scale, m);
	for (i = 0; i < nv; i += EW_LANES)
		for (int l = 0; l < EW_LANES; l++)
			acc[l] += row[i + l];
	for (int l = 0; l < EW_LANES; l++)
		sum += acc[l];
	for (; i < seen; i++)
		sum += row[i];
	for (i = 0; i < seen; i++)
		row[i] /= sum;
	for (; i < n; i++)
		row[i] = 0;
}

const struct wl_ew WL_EW_TABLE = {
	ew_to_bf16, ew_to_bf16_t, ew_gelu, ew_gelu_bwd, ew_swiglu, ew_swiglu_bwd, ew_adam, ew_exp_shift,
	ew_rms_row, ew_softmax_row, ew_add,
};
