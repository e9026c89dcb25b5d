/* AVX2 + FMA + F16C GEMM kernels: packing with conversion, the 6x16 fp32
 * FMA and int16-pair vpmaddwd micro-kernels, and the small-m path that
 * streams B in place.  Compiled with -mavx2 -mfma -mf16c and called only
 * after run-time dispatch (gemm_impl_for).  Layouts and preconditions are
 * in gemm.h; the kernels trust them. */
#include "config.h"

#ifdef NB_HAVE_X86_KERNELS
#include "kernels/gemm.h"

#include <immintrin.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

/* 16 elements of a float-class row at index idx, as two fp32 vectors. */
INLINE void load16_f(enum nb_dtype dt, const void *p, long idx, __m256 *lo, __m256 *hi)
{
	if (dt == NB_FP32) {
		*lo = _mm256_loadu_ps((const float *)p + idx);
		*hi = _mm256_loadu_ps((const float *)p + idx + 8);
	} else if (dt == NB_FP16) {
		const __m128i *q = (const __m128i *)((const uint16_t *)p + idx);

		*lo = _mm256_cvtph_ps(_mm_loadu_si128(q));
		*hi = _mm256_cvtph_ps(_mm_loadu_si128(q + 1));
	} else {	/* bf16: the upper half of an fp32 */
		const __m128i *q = (const __m128i *)((const uint16_t *)p + idx);

		*lo = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(q)), 16));
		*hi = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(q + 1)), 16));
	}
}

INLINE float get1_f(enum nb_dtype dt, const void *p, long idx)
{
	if (dt == NB_FP32)
		return ((const float *)p)[idx];
	if (dt == NB_FP16)
		return _cvtsh_ss(((const uint16_t *)p)[idx]);
	uint32_t u = (uint32_t)((const uint16_t *)p)[idx] << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/* 16 signed 8-bit values of an integer-class row starting at column col
 * (even for int4), in column order. */
INLINE __m128i load16_i8(enum nb_dtype dt, const struct gemm_mat *x, long row, long col)
{
	if (dt == NB_INT8)
		return _mm_loadu_si128((const __m128i *)((const int8_t *)x->p + row * x->ld + col));
	/* int4: 8 bytes, low nibble first; sign-extend with (v ^ 8) - 8. */
	__m128i v = _mm_loadl_epi64((const __m128i *)((const uint8_t *)x->p + row * x->ld + col / 2));
	__m128i m = _mm_set1_epi8(15), e = _mm_set1_epi8(8);
	__m128i lo = _mm_and_si128(v, m), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m);

	v = _mm_unpacklo_epi8(lo, hi);
	return _mm_sub_epi8(_mm_xor_si128(v, e), e);
}

INLINE int get1_i(enum nb_dtype dt, const struct gemm_mat *x, long r, long c)
{
	if (dt == NB_INT8)
		return ((const int8_t *)x->p)[r * x->ld + c];
	uint8_t byte = ((const uint8_t *)x->p)[r * x->ld + c / 2];
	int v = (c & 1) ? byte >> 4 : byte & 15;

	return (v ^ 8) - 8;
}

/* Rows r0 and r1 (r1 may be past k: zeros) x 16 columns as int16 pairs
 * {b[r0][j], b[r1][j]}: two vectors, columns 0-7 and 8-15. */
INLINE void pairs16(enum nb_dtype dt, const struct gemm_mat *x, long r0, long r1, long kmax,
		    long col, __m256i *lo, __m256i *hi)
{
	__m128i x0 = load16_i8(dt, x, r0, col);
	__m128i x1 = r1 < kmax ? load16_i8(dt, x, r1, col) : _mm_setzero_si128();

	*lo = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(x0, x1));
	*hi = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(x0, x1));
}

/* --- packing --- */

INLINE void pack_a_f(enum nb_dtype dt, const struct gemm_mat *a, long i0, long mc, long p0,
		     long kc, float *d)
{
	for (long ir = 0; ir < mc; ir += GEMM_MR) {
		long mr = mc - ir < GEMM_MR ? mc - ir : GEMM_MR;
		const char *rows[GEMM_MR];

		for (long r = 0; r < mr; r++)
			rows[r] = (const char *)a->p + (i0 + ir + r) * a->ld * (dt == NB_FP32 ? 4 : 2);
		if (mr == GEMM_MR) {
			for (long p = 0; p < kc; p++, d += GEMM_MR)
				for (long r = 0; r < GEMM_MR; r++)
					d[r] = get1_f(dt, rows[r], p0 + p);
		} else {
			for (long p = 0; p < kc; p++, d += GEMM_MR)
				for (long r = 0; r < GEMM_MR; r++)
					d[r] = r < mr ? get1_f(dt, rows[r], p0 + p) : 0.0f;
		}
	}
}

INLINE void pack_b_f(enum nb_dtype dt, const struct gemm_mat *b, long p0, long kc, long j0,
		     long nc, float *d)
{
	for (long jr = 0; jr < nc; jr += GEMM_NR) {
		long nr = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;

		if (nr == GEMM_NR) {
			for (long p = 0; p < kc; p++, d += GEMM_NR) {
				__m256 lo, hi;

				load16_f(dt, b->p, (p0 + p) * b->ld + j0 + jr, &lo, &hi);
				_mm256_store_ps(d, lo);
				_mm256_store_ps(d + 8, hi);
			}
		} else {
			for (long p = 0; p < kc; p++, d += GEMM_NR)
				for (long j = 0; j < GEMM_NR; j++)
					d[j] = j < nr ? get1_f(dt, b->p, (p0 + p) * b->ld + j0 + jr + j) : 0.0f;
		}
	}
}

INLINE void pack_a_i(enum nb_dtype dt, const struct gemm_mat *a, long i0, long mc, long p0,
		     long kc, long kmax, int16_t *d)
{
	for (long ir = 0; ir < mc; ir += GEMM_MR) {
		long mr = mc - ir < GEMM_MR ? mc - ir : GEMM_MR;

		for (long p = 0; p < kc; p += 2, d += 2 * GEMM_MR)
			for (long r = 0; r < GEMM_MR; r++) {
				long i = i0 + ir + r, q = p0 + p;

				d[2 * r] = (int16_t)(r < mr ? get1_i(dt, a, i, q) : 0);
				d[2 * r + 1] = (int16_t)(r < mr && q + 1 < kmax ? get1_i(dt, a, i, q + 1) : 0);
			}
	}
}

INLINE void pack_b_i(enum nb_dtype dt, const struct gemm_mat *b, long p0, long kc, long j0,
		     long nc, long kmax, int16_t *d)
{
	for (long jr = 0; jr < nc; jr += GEMM_NR) {
		long nr = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;

		for (long p = 0; p < kc; p += 2, d += 2 * GEMM_NR) {
			long q = p0 + p;

			if (nr == GEMM_NR) {
				__m256i lo, hi;

				pairs16(dt, b, q, q + 1, kmax, j0 + jr, &lo, &hi);
				_mm256_store_si256((__m256i *)d, lo);
				_mm256_store_si256((__m256i *)d + 1, hi);
			} else {
				for (long j = 0; j < GEMM_NR; j++) {
					d[2 * j] = (int16_t)(j < nr ? get1_i(dt, b, q, j0 + jr + j) : 0);
					d[2 * j + 1] = (int16_t)(j < nr && q + 1 < kmax
								 ? get1_i(dt, b, q + 1, j0 + jr + j) : 0);
				}
			}
		}
	}
}

#define PACKERS(tag, dt)								\
static void pack_a_##tag(const struct gemm_mat *a, long i0, long mc, long p0, long kc,	\
			 long kmax, void *dst)						\
{ (void)kmax; pack_a_f(dt, a, i0, mc, p0, kc, dst); }					\
static void pack_b_##tag(const struct gemm_mat *b, long p0, long kc, long j0, long nc,	\
			 long kmax, void *dst)						\
{ (void)kmax; pack_b_f(dt, b, p0, kc, j0, nc, dst); }
PACKERS(fp32, NB_FP32)
PACKERS(fp16, NB_FP16)
PACKERS(bf16, NB_BF16)

#define PACKERS_I(tag, dt)								\
static void pack_a_##tag(const struct gemm_mat *a, long i0, long mc, long p0, long kc,	\
			 long kmax, void *dst)						\
{ pack_a_i(dt, a, i0, mc, p0, kc, kmax, dst); }						\
static void pack_b_##tag(const struct gemm_mat *b, long p0, long kc, long j0, long nc,	\
			 long kmax, void *dst)						\
{ pack_b_i(dt, b, p0, kc, j0, nc, kmax, dst); }
PACKERS_I(int8, NB_INT8)
PACKERS_I(int4, NB_INT4)

/* --- micro-kernels --- */

/* 6x16 fp32: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16
 * ymm registers; two FMAs per B load pair per row keep both FMA pipes fed. */
static void ukr_f32_6x16(long kc, const void *ap, const void *bp, void *cp, long ldc,
			 int accumulate)
{
	const float *a = ap, *b = bp;
	float *c = cp;
	__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
	__m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

#pragma GCC unroll 4
	for (long p = 0; p < kc; p++, a += GEMM_MR, b += GEMM_NR) {
		__m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8), x;

		x = _mm256_broadcast_ss(a + 0);
		c00 = _mm256_fmadd_ps(x, b0, c00);
		c01 = _mm256_fmadd_ps(x, b1, c01);
		x = _mm256_broadcast_ss(a + 1);
		c10 = _mm256_fmadd_ps(x, b0, c10);
		c11 = _mm256_fmadd_ps(x, b1, c11);
		x = _mm256_broadcast_ss(a + 2);
		c20 = _mm256_fmadd_ps(x, b0, c20);
		c21 = _mm256_fmadd_ps(x, b1, c21);
		x = _mm256_broadcast_ss(a + 3);
		c30 = _mm256_fmadd_ps(x, b0, c30);
		c31 = _mm256_fmadd_ps(x, b1, c31);
		x = _mm256_broadcast_ss(a + 4);
		c40 = _mm256_fmadd_ps(x, b0, c40);
		c41 = _mm256_fmadd_ps(x, b1, c41);
		x = _mm256_broadcast_ss(a + 5);
		c50 = _mm256_fmadd_ps(x, b0, c50);
		c51 = _mm256_fmadd_ps(x, b1, c51);
	}
#define STORE_F(r, lo, hi)							\
	do {									\
		float *cr = c + (r) * ldc;					\
		if (accumulate) {						\
			lo = _mm256_add_ps(lo, _mm256_loadu_ps(cr));		\
			hi = _mm256_add_ps(hi, _mm256_loadu_ps(cr + 8));	\
		}								\
		_mm256_storeu_ps(cr, lo);					\
		_mm256_storeu_ps(cr + 8, hi);					\
	} while (0)
	STORE_F(0, c00, c01);
	STORE_F(1, c10, c11);
	STORE_F(2, c20, c21);
	STORE_F(3, c30, c31);
	STORE_F(4, c40, c41);
	STORE_F(5, c50, c51);
}

/* 6x16 int16 pairs: vpmaddwd multiplies two k at once into int32 exactly
 * (int8/int4 values widened to int16 while packing), vpaddd accumulates. */
static void ukr_i16_6x16(long kp, const void *ap, const void *bp, void *cp, long ldc,
			 int accumulate)
{
	const int32_t *a = ap;	/* one int32 = one {a[r][2p], a[r][2p+1]} pair */
	const __m256i *b = bp;
	int32_t *c = cp;
	__m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
	__m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

#pragma GCC unroll 4
	for (long p = 0; p < kp; p++, a += GEMM_MR, b += 2) {
		__m256i b0 = _mm256_load_si256(b), b1 = _mm256_load_si256(b + 1), x;

		x = _mm256_set1_epi32(a[0]);
		c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, b0));
		c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, b1));
		x = _mm256_set1_epi32(a[1]);
		c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, b0));
		c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, b1));
		x = _mm256_set1_epi32(a[2]);
		c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, b0));
		c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, b1));
		x = _mm256_set1_epi32(a[3]);
		c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, b0));
		c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, b1));
		x = _mm256_set1_epi32(a[4]);
		c40 = _mm256_add_epi32(c40, _mm256_madd_epi16(x, b0));
		c41 = _mm256_add_epi32(c41, _mm256_madd_epi16(x, b1));
		x = _mm256_set1_epi32(a[5]);
		c50 = _mm256_add_epi32(c50, _mm256_madd_epi16(x, b0));
		c51 = _mm256_add_epi32(c51, _mm256_madd_epi16(x, b1));
	}
#define STORE_I(r, lo, hi)								\
	do {										\
		__m256i *cr = (__m256i *)(c + (r) * ldc);				\
		if (accumulate) {							\
			lo = _mm256_add_epi32(lo, _mm256_loadu_si256(cr));		\
			hi = _mm256_add_epi32(hi, _mm256_loadu_si256(cr + 1));		\
		}									\
		_mm256_storeu_si256(cr, lo);						\
		_mm256_storeu_si256(cr + 1, hi);					\
	} while (0)
	STORE_I(0, c00, c01);
	STORE_I(1, c10, c11);
	STORE_I(2, c20, c21);
	STORE_I(3, c30, c31);
	STORE_I(4, c40, c41);
	STORE_I(5, c50, c51);
}

/* --- small m: B streamed in place --- */

/* For each block of columns and each group of 4 rows of B: the 4 x 16
 * block of B is loaded (and converted) once into 8 registers and applied
 * to every row of C, so B is read from memory once and C[m][nb] stays in
 * cache.  Column and k tails in scalar code. */
INLINE void small_f(enum nb_dtype dt, const struct gemm_small *s, long j0, long j1)
{
	const float *a = s->ap;
	const void *b = s->b.p;
	float *c = s->c;
	long m = s->m, n = s->n, k = s->k, ldb = s->b.ld;

	for (long jb = j0; jb < j1; jb += s->nb) {
		long je = j1 - jb < s->nb ? j1 : jb + s->nb;
		long p = 0;

		for (; p + 4 <= k; p += 4) {
			long j = jb;

			for (; j + 16 <= je; j += 16) {
				__m256 b00, b01, b10, b11, b20, b21, b30, b31;

				load16_f(dt, b, (p + 0) * ldb + j, &b00, &b01);
				load16_f(dt, b, (p + 1) * ldb + j, &b10, &b11);
				load16_f(dt, b, (p + 2) * ldb + j, &b20, &b21);
				load16_f(dt, b, (p + 3) * ldb + j, &b30, &b31);
				for (long i = 0; i < m; i++) {
					float *ci = c + i * n + j;
					const float *ai = a + i * k + p;
					__m256 x, lo, hi;

					if (p) {
						lo = _mm256_loadu_ps(ci);
						hi = _mm256_loadu_ps(ci + 8);
					} else {
						lo = hi = _mm256_setzero_ps();
					}
					x = _mm256_broadcast_ss(ai + 0);
					lo = _mm256_fmadd_ps(x, b00, lo);
					hi = _mm256_fmadd_ps(x, b01, hi);
					x = _mm256_broadcast_ss(ai + 1);
					lo = _mm256_fmadd_ps(x, b10, lo);
					hi = _mm256_fmadd_ps(x, b11, hi);
					x = _mm256_broadcast_ss(ai + 2);
					lo = _mm256_fmadd_ps(x, b20, lo);
					hi = _mm256_fmadd_ps(x, b21, hi);
					x = _mm256_broadcast_ss(ai + 3);
					lo = _mm256_fmadd_ps(x, b30, lo);
					hi = _mm256_fmadd_ps(x, b31, hi);
					_mm256_storeu_ps(ci, lo);
					_mm256_storeu_ps(ci + 8, hi);
				}
			}
			for (; j < je; j++)
				for (long i = 0; i < m; i++) {
					float sum = p ? c[i * n + j] : 0.0f;

					for (long q = p; q < p + 4; q++)
						sum += a[i * k + q] * get1_f(dt, b, q * ldb + j);
					c[i * n + j] = sum;
				}
		}
		for (; p < k; p++)
			for (long i = 0; i < m; i++)
				for (long j = jb; j < je; j++) {
					float prev = p ? c[i * n + j] : 0.0f;

					c[i * n + j] = prev + a[i * k + p] * get1_f(dt, b, p * ldb + j);
				}
	}
}

/* The same for the integer class: 4 rows of B become 2 pair-vectors per 8
 * columns (widened once, applied to every row of C). */
INLINE void small_i(enum nb_dtype dt, const struct gemm_small *s, long j0, long j1)
{
	const int32_t *a = s->ap;	/* pairs, row stride kp */
	int32_t *c = s->c;
	long m = s->m, n = s->n, k = s->k, kp = (k + 1) / 2;

	for (long jb = j0; jb < j1; jb += s->nb) {
		long je = j1 - jb < s->nb ? j1 : jb + s->nb;
		long p = 0;	/* pair index */

		for (; p + 2 <= kp; p += 2) {
			long j = jb;

			for (; j + 16 <= je; j += 16) {
				__m256i b00, b01, b10, b11;

				pairs16(dt, &s->b, 2 * p, 2 * p + 1, k, j, &b00, &b01);
				pairs16(dt, &s->b, 2 * p + 2, 2 * p + 3, k, j, &b10, &b11);
				for (long i = 0; i < m; i++) {
					__m256i *ci = (__m256i *)(c + i * n + j);
					__m256i x0 = _mm256_set1_epi32(a[i * kp + p]);
					__m256i x1 = _mm256_set1_epi32(a[i * kp + p + 1]);
					__m256i lo, hi;

					if (p) {
						lo = _mm256_loadu_si256(ci);
						hi = _mm256_loadu_si256(ci + 1);
					} else {
						lo = hi = _mm256_setzero_si256();
					}
					lo = _mm256_add_epi32(lo, _mm256_madd_epi16(x0, b00));
					hi = _mm256_add_epi32(hi, _mm256_madd_epi16(x0, b01));
					lo = _mm256_add_epi32(lo, _mm256_madd_epi16(x1, b10));
					hi = _mm256_add_epi32(hi, _mm256_madd_epi16(x1, b11));
					_mm256_storeu_si256(ci, lo);
					_mm256_storeu_si256(ci + 1, hi);
				}
			}
			for (; j < je; j++)
				for (long i = 0; i < m; i++) {
					const int16_t *ai = (const int16_t *)(a + i * kp);
					int32_t sum = p ? c[i * n + j] : 0;

					for (long q = 2 * p; q < 2 * p + 4 && q < k; q++)
						sum += ai[q] * get1_i(dt, &s->b, q, j);
					c[i * n + j] = sum;
				}
		}
		for (; p < kp; p++)
			for (long i = 0; i < m; i++) {
				const int16_t *ai = (const int16_t *)(a + i * kp);

				for (long j = jb; j < je; j++) {
					int32_t sum = p ? c[i * n + j] : 0;

					for (long q = 2 * p; q < 2 * p + 2 && q < k; q++)
						sum += ai[q] * get1_i(dt, &s->b, q, j);
					c[i * n + j] = sum;
				}
			}
	}
}

static void small_fp32(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP32, s, j0, j1); }
static void small_fp16(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP16, s, j0, j1); }
static void small_bf16(const struct gemm_small *s, long j0, long j1) { small_f(NB_BF16, s, j0, j1); }
static void small_int8(const struct gemm_small *s, long j0, long j1) { small_i(NB_INT8, s, j0, j1); }
static void small_int4(const struct gemm_small *s, long j0, long j1) { small_i(NB_INT4, s, j0, j1); }

static const struct gemm_impl avx2_impls[NB_DTYPE_COUNT] = {
	[NB_FP32] = { "gemm_fp32_avx2_6x16", "gemv_fp32_avx2", pack_a_fp32, pack_b_fp32,
		      ukr_f32_6x16, small_fp32 },
	[NB_FP16] = { "gemm_fp16_avx2_6x16", "gemv_fp16_avx2", pack_a_fp16, pack_b_fp16,
		      ukr_f32_6x16, small_fp16 },
	[NB_BF16] = { "gemm_bf16_avx2_6x16", "gemv_bf16_avx2", pack_a_bf16, pack_b_bf16,
		      ukr_f32_6x16, small_bf16 },
	[NB_INT8] = { "gemm_int8_avx2_6x16", "gemv_int8_avx2", pack_a_int8, pack_b_int8,
		      ukr_i16_6x16, small_int8 },
	[NB_INT4] = { "gemm_int4_avx2_6x16", "gemv_int4_avx2", pack_a_int4, pack_b_int4,
		      ukr_i16_6x16, small_int4 },
};

const struct gemm_impl *gemm_avx2_impl(enum nb_dtype dt)
{
	return (unsigned)dt < NB_DTYPE_COUNT && avx2_impls[dt].ukr ? &avx2_impls[dt] : NULL;
}

#endif
