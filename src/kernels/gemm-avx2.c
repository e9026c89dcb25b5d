/* AVX2 + FMA + F16C GEMM kernels: packing with conversion, the 6x16 fp32
 * FMA and int16-pair vpmaddwd micro-kernels, and the small-m path that
 * streams B in place.  Compiled with -mavx2 -mfma -mf16c and called only
 * after run-time dispatch (gemm_impl_for).  Layouts and preconditions are
 * in gemm.h; the kernels trust them. */
#include "config.h"

#ifdef NB_HAVE_X86_KERNELS
#include "kernels/gemm.h"
#include "kernels/simd-load.h"

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
					d[r] = ld1(rows[r], dt, p0 + p);
		} else {
			for (long p = 0; p < kc; p++, d += GEMM_MR)
				for (long r = 0; r < GEMM_MR; r++)
					d[r] = r < mr ? ld1(rows[r], dt, p0 + p) : 0.0f;
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
					d[j] = j < nr ? ld1(b->p, dt, (p0 + p) * b->ld + j0 + jr + j) : 0.0f;
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

static void pack_b_int8(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
			void *dst)
{
	pack_b_i(NB_INT8, b, p0, kc, j0, nc, kmax, dst);
}

/* int4 for vpmaddubsw: A as a + 8 (the nibble XOR 8) in k-quads.  One row's
 * 32 k at a time are unpacked with vector code, then scattered 4 bytes per
 * quad into the panel. */
static void pack_a_int4q(const struct gemm_mat *a, long i0, long mc, long p0, long kc,
			 long kmax, void *dst)
{
	uint8_t *d = dst;
	long kq = (kc + 3) / 4;

	for (long ir = 0; ir < mc; ir += GEMM_MR, d += (size_t)kq * 4 * GEMM_MR)
		for (long r = 0; r < GEMM_MR; r++) {
			long i = i0 + ir + r;
			long p = 0;

			if (ir + r >= mc) {
				for (long q = 0; q < kq; q++)
					memset(d + (q * GEMM_MR + r) * 4, 0, 4);
				continue;
			}
			for (; p + 32 <= kc; p += 32) {
				uint32_t w[8];
				__m128i v = _mm_loadu_si128((const __m128i *)((const uint8_t *)a->p + i * a->ld + (p0 + p) / 2));
				__m128i m = _mm_set1_epi8(15);
				__m128i lo = _mm_and_si128(v, m), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m);
				__m256i u = _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));

				u = _mm256_xor_si256(u, _mm256_set1_epi8(8));
				_mm256_storeu_si256((__m256i *)w, u);
				for (int q = 0; q < 8; q++)
					memcpy(d + ((p / 4 + q) * GEMM_MR + r) * 4, &w[q], 4);
			}
			for (; p < kq * 4; p++)
				d[((p / 4) * GEMM_MR + r) * 4 + p % 4] =
					(uint8_t)(p0 + p < kmax && p < kc ? get1_i(NB_INT4, a, i, p0 + p) + 8 : 0);
		}
}

/* int4 B for vpmaddubsw: 4 rows x 16 columns become 16 column-quads of
 * signed bytes; the column sums (times 8, the A offset) follow the panel. */
static void pack_b_int4q(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
			 void *dst)
{
	int8_t *d = dst;
	long kq = (kc + 3) / 4;

	for (long jr = 0; jr < nc; jr += GEMM_NR) {
		long nr = nc - jr < GEMM_NR ? nc - jr : GEMM_NR;
		__m256i s0 = _mm256_setzero_si256(), s1 = s0;
		__m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);

		for (long q = 0; q < kq; q++, d += 4 * GEMM_NR) {
			long r = p0 + 4 * q;
			__m256i q0, q1;

			if (nr == GEMM_NR && r + 4 <= kmax && 4 * q + 4 <= kc) {
				__m128i x0 = load16_i8(NB_INT4, b, r, j0 + jr), x1 = load16_i8(NB_INT4, b, r + 1, j0 + jr);
				__m128i x2 = load16_i8(NB_INT4, b, r + 2, j0 + jr), x3 = load16_i8(NB_INT4, b, r + 3, j0 + jr);
				__m128i t0 = _mm_unpacklo_epi8(x0, x1), t1 = _mm_unpackhi_epi8(x0, x1);
				__m128i t2 = _mm_unpacklo_epi8(x2, x3), t3 = _mm_unpackhi_epi8(x2, x3);

				q0 = _mm256_set_m128i(_mm_unpackhi_epi16(t0, t2), _mm_unpacklo_epi16(t0, t2));
				q1 = _mm256_set_m128i(_mm_unpackhi_epi16(t1, t3), _mm_unpacklo_epi16(t1, t3));
				_mm256_store_si256((__m256i *)d, q0);
				_mm256_store_si256((__m256i *)d + 1, q1);
			} else {
				for (long j = 0; j < GEMM_NR; j++)
					for (long x = 0; x < 4; x++)
						d[j * 4 + x] = (int8_t)(j < nr && r + x < kmax && 4 * q + x < kc
									? get1_i(NB_INT4, b, r + x, j0 + jr + j) : 0);
				q0 = _mm256_load_si256((const __m256i *)d);
				q1 = _mm256_load_si256((const __m256i *)d + 1);
			}
			s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q0), ones16));
			s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q1), ones16));
		}
		_mm256_store_si256((__m256i *)d, _mm256_slli_epi32(s0, 3));
		_mm256_store_si256((__m256i *)d + 1, _mm256_slli_epi32(s1, 3));
		d += 64;
	}
}

/* int8 A as int16 pairs: 16 k of a row widened with vector code, then
 * scattered one pair (4 bytes) per MR-row group. */
static void pack_a_int8v(const struct gemm_mat *a, long i0, long mc, long p0, long kc, long kmax,
			 void *dst)
{
	int16_t *d = dst;
	long kp = (kc + 1) / 2;

	for (long ir = 0; ir < mc; ir += GEMM_MR, d += (size_t)kp * 2 * GEMM_MR)
		for (long r = 0; r < GEMM_MR; r++) {
			long i = i0 + ir + r, p = 0;

			if (ir + r >= mc) {
				for (long q = 0; q < kp; q++)
					d[(q * GEMM_MR + r) * 2] = d[(q * GEMM_MR + r) * 2 + 1] = 0;
				continue;
			}
			for (; p + 16 <= kc; p += 16) {
				uint32_t w[8];
				__m128i v = _mm_loadu_si128((const __m128i *)((const int8_t *)a->p + i * a->ld + p0 + p));

				_mm256_storeu_si256((__m256i *)w, _mm256_cvtepi8_epi16(v));
				for (int q = 0; q < 8; q++)
					memcpy(d + ((p / 2 + q) * GEMM_MR + r) * 2, &w[q], 4);
			}
			for (; p < kp * 2; p++)
				d[((p / 2) * GEMM_MR + r) * 2 + p % 2] =
					(int16_t)(p0 + p < kmax && p < kc ? get1_i(NB_INT8, a, i, p0 + p) : 0);
		}
}

/* --- micro-kernels --- */

/* 6x16 u8 x s8 (int4 values): vpmaddubsw sums two products into int16
 * exactly (|pair| <= 240) and vpaddw accumulates 64 quads in int16 before
 * vpmaddwd widens into the int32 tile: 24 vector ops per 384 multiply-adds,
 * twice the int16-pair kernel's rate.  The +8 offset of A comes off with
 * the column sums stored after the B panel. */
#define U8S8_FLUSH 64
static void ukr_u8s8_6x16(long kq, const void *ap, const void *bp, void *cp, long ldc,
			  int accumulate)
{
	const int32_t *a = ap;
	const __m256i *b = bp;
	const __m256i *cs = b + 2 * kq;	/* 8 * column sums */
	int32_t *c = cp;
	__m256i t[12], ones = _mm256_set1_epi16(1);

	for (int x = 0; x < 12; x++)
		t[x] = _mm256_setzero_si256();
	for (long q0 = 0; q0 < kq; q0 += U8S8_FLUSH) {
		long qe = kq - q0 < U8S8_FLUSH ? kq : q0 + U8S8_FLUSH;
		__m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
		__m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
		const int32_t *ar = a + q0 * GEMM_MR;
		const __m256i *br = b + 2 * q0;

		/* In assembly: GCC hoists the six broadcasts and spills the
		 * accumulators; here 12 accumulators, 2 B vectors, 1 broadcast
		 * and 1 product use exactly the 16 ymm registers. */
		long nq = qe - q0;
		__asm__ volatile(
			"1:\n\t"
			"vmovdqa (%[b]), %%ymm12\n\t"
			"vmovdqa 32(%[b]), %%ymm13\n\t"
#define U8S8_ROW(off, lo, hi)							\
			"vpbroadcastd " #off "(%[a]), %%ymm14\n\t"			\
			"vpmaddubsw %%ymm12, %%ymm14, %%ymm15\n\t"			\
			"vpaddw %%ymm15, %[" #lo "], %[" #lo "]\n\t"			\
			"vpmaddubsw %%ymm13, %%ymm14, %%ymm15\n\t"			\
			"vpaddw %%ymm15, %[" #hi "], %[" #hi "]\n\t"
			U8S8_ROW(0, c00, c01)
			U8S8_ROW(4, c10, c11)
			U8S8_ROW(8, c20, c21)
			U8S8_ROW(12, c30, c31)
			U8S8_ROW(16, c40, c41)
			U8S8_ROW(20, c50, c51)
#undef U8S8_ROW
			"add $24, %[a]\n\t"
			"add $64, %[b]\n\t"
			"dec %[n]\n\t"
			"jnz 1b\n\t"
			: [a] "+r"(ar), [b] "+r"(br), [n] "+r"(nq),
			  [c00] "+x"(c00), [c01] "+x"(c01), [c10] "+x"(c10), [c11] "+x"(c11),
			  [c20] "+x"(c20), [c21] "+x"(c21), [c30] "+x"(c30), [c31] "+x"(c31),
			  [c40] "+x"(c40), [c41] "+x"(c41), [c50] "+x"(c50), [c51] "+x"(c51)
			:
			: "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
		t[0] = _mm256_add_epi32(t[0], _mm256_madd_epi16(c00, ones));
		t[1] = _mm256_add_epi32(t[1], _mm256_madd_epi16(c01, ones));
		t[2] = _mm256_add_epi32(t[2], _mm256_madd_epi16(c10, ones));
		t[3] = _mm256_add_epi32(t[3], _mm256_madd_epi16(c11, ones));
		t[4] = _mm256_add_epi32(t[4], _mm256_madd_epi16(c20, ones));
		t[5] = _mm256_add_epi32(t[5], _mm256_madd_epi16(c21, ones));
		t[6] = _mm256_add_epi32(t[6], _mm256_madd_epi16(c30, ones));
		t[7] = _mm256_add_epi32(t[7], _mm256_madd_epi16(c31, ones));
		t[8] = _mm256_add_epi32(t[8], _mm256_madd_epi16(c40, ones));
		t[9] = _mm256_add_epi32(t[9], _mm256_madd_epi16(c41, ones));
		t[10] = _mm256_add_epi32(t[10], _mm256_madd_epi16(c50, ones));
		t[11] = _mm256_add_epi32(t[11], _mm256_madd_epi16(c51, ones));
	}
	for (int r = 0; r < GEMM_MR; r++) {
		__m256i *cr = (__m256i *)(c + r * ldc);
		__m256i lo = _mm256_sub_epi32(t[2 * r], _mm256_load_si256(cs));
		__m256i hi = _mm256_sub_epi32(t[2 * r + 1], _mm256_load_si256(cs + 1));

		if (accumulate) {
			lo = _mm256_add_epi32(lo, _mm256_loadu_si256(cr));
			hi = _mm256_add_epi32(hi, _mm256_loadu_si256(cr + 1));
		}
		_mm256_storeu_si256(cr, lo);
		_mm256_storeu_si256(cr + 1, hi);
	}
}



/* 6x16 fp32: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16
 * ymm registers; two FMAs per B load pair per row keep both FMA pipes fed. */
static void ukr_f32_6x16(long kc, const void *ap, const void *bp, void *cp, long ldc,
			 int accumulate)
{
	const float *a = ap, *b = bp;
	float *c = cp;
	__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
	__m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;

#pragma GCC unroll 1
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

#pragma GCC unroll 1
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
						sum += a[i * k + q] * ld1(b, dt, q * ldb + j);
					c[i * n + j] = sum;
				}
		}
		for (; p < k; p++)
			for (long i = 0; i < m; i++)
				for (long j = jb; j < je; j++) {
					float prev = p ? c[i * n + j] : 0.0f;

					c[i * n + j] = prev + a[i * k + p] * ld1(b, dt, p * ldb + j);
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

/* Widens one flush of int4 GEMV int16 accumulators (columns by class mod
 * 4: P = 4w, Q = 4w+1, R = 4w+2, S = 4w+3) into int32 C[c..c+63], in
 * column order; first: C = sums - off, else C += sums. */
INLINE void int4v_flush(__m256i p, __m256i q, __m256i r, __m256i x, int32_t *c, int first,
			int32_t off)
{
	__m256i t0 = _mm256_unpacklo_epi16(p, q), t1 = _mm256_unpacklo_epi16(r, x);
	__m256i t2 = _mm256_unpackhi_epi16(p, q), t3 = _mm256_unpackhi_epi16(r, x);
	__m256i u[4] = { _mm256_unpacklo_epi32(t0, t1), _mm256_unpackhi_epi32(t0, t1),
			 _mm256_unpacklo_epi32(t2, t3), _mm256_unpackhi_epi32(t2, t3) };
	__m256i o = _mm256_set1_epi32(off);

	for (int g = 0; g < 4; g++) {
		__m256i lo = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(u[g]));
		__m256i hi = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(u[g], 1));
		__m256i *c0 = (__m256i *)(c + 8 * g), *c1 = (__m256i *)(c + 32 + 8 * g);

		if (first) {
			_mm256_storeu_si256(c0, _mm256_sub_epi32(lo, o));
			_mm256_storeu_si256(c1, _mm256_sub_epi32(hi, o));
		} else {
			_mm256_storeu_si256(c0, _mm256_add_epi32(_mm256_loadu_si256(c0), lo));
			_mm256_storeu_si256(c1, _mm256_add_epi32(_mm256_loadu_si256(c1), hi));
		}
	}
}

/* int4 small m with vpmaddubsw: two rows of B (64 columns, 32 bytes each)
 * are regrouped with shifts and masks into four vectors of {b[k0][j],
 * b[k1][j]} + 8 byte pairs, one per column class mod 4 (no byte shuffles);
 * vpmaddubsw with the A pair {a[k0], a[k1]} gives exact int16 pair sums
 * (|.| <= 240), accumulated in int16 for 128 pairs, then widened.  The +8
 * offset comes off as 8 * sum(a).  One row of C at a time, so the four
 * accumulators stay in registers; columns past the last 64-block and
 * non-AVX2 shapes go to small_i. */
#define INT4V_FLUSH 128
static void small_int4v(const struct gemm_small *s, long j0, long j1)
{
	const int16_t *a = s->ap;	/* m x 2kp int16, zero-padded */
	int32_t *c = s->c;
	long m = s->m, n = s->n, k = s->k, kp = (k + 1) / 2, ld = s->b.ld;
	long jt = j0 + (j1 - j0) / 64 * 64;
	const __m256i x88 = _mm256_set1_epi8((char)0x88), m0f = _mm256_set1_epi16(0x000f);
	const __m256i mf00 = _mm256_set1_epi16(0x0f00);

	if (jt < j1)
		small_i(NB_INT4, s, jt, j1);
	/* One row of C at a time (A's offset sum once per row); within it k
	 * blocks of 128 pairs outside, 64-column blocks inside: the second half
	 * of each 64-byte line of B is read from L1 by the next block. */
	for (long i = 0; i < m; i++) {
		const int16_t *ai = a + i * 2 * kp;
		int32_t off = 0;

		for (long q = 0; q < k; q++)
			off += 8 * ai[q];
		for (long p0 = 0; p0 < kp; p0 += INT4V_FLUSH) {
			long pe = kp - p0 < INT4V_FLUSH ? kp : p0 + INT4V_FLUSH;

			for (long j = j0; j < jt; j += 64) {
				const uint8_t *bj = (const uint8_t *)s->b.p + j / 2;
				__m256i accp = _mm256_setzero_si256(), accq = accp, accr = accp, accs = accp;

				for (long p = p0; p < pe; p++) {
					__m256i u0 = _mm256_loadu_si256((const __m256i *)(bj + 2 * p * ld));
					__m256i u1 = 2 * p + 1 < k ? _mm256_loadu_si256((const __m256i *)(bj + (2 * p + 1) * ld))
								  : _mm256_setzero_si256();
					__m256i w = _mm256_set1_epi16((short)((ai[2 * p] & 0xff) | ((ai[2 * p + 1] & 0xff) << 8)));
					__m256i vp, vq, vr, vs;

					u0 = _mm256_xor_si256(u0, x88);
					u1 = _mm256_xor_si256(u1, x88);
					vp = _mm256_or_si256(_mm256_and_si256(u0, m0f),
							     _mm256_slli_epi16(_mm256_and_si256(u1, m0f), 8));
					vq = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(u0, 4), m0f),
							     _mm256_and_si256(_mm256_slli_epi16(u1, 4), mf00));
					vr = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(u0, 8), m0f),
							     _mm256_and_si256(u1, mf00));
					vs = _mm256_or_si256(_mm256_srli_epi16(u0, 12),
							     _mm256_and_si256(_mm256_srli_epi16(u1, 4), mf00));
					accp = _mm256_add_epi16(accp, _mm256_maddubs_epi16(vp, w));
					accq = _mm256_add_epi16(accq, _mm256_maddubs_epi16(vq, w));
					accr = _mm256_add_epi16(accr, _mm256_maddubs_epi16(vr, w));
					accs = _mm256_add_epi16(accs, _mm256_maddubs_epi16(vs, w));
				}
				int4v_flush(accp, accq, accr, accs, c + i * n + j, p0 == 0, off);
			}
		}
	}
}

static void small_fp32(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP32, s, j0, j1); }
static void small_fp16(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP16, s, j0, j1); }
static void small_bf16(const struct gemm_small *s, long j0, long j1) { small_f(NB_BF16, s, j0, j1); }
static void small_int8(const struct gemm_small *s, long j0, long j1) { small_i(NB_INT8, s, j0, j1); }

static const struct gemm_impl avx2_impls[NB_DTYPE_COUNT] = {
	[NB_FP32] = { "gemm_fp32_avx2_6x16", "gemv_fp32_avx2", 1, 4, 4, 0, 4, pack_a_fp32, pack_b_fp32,
		      ukr_f32_6x16, small_fp32, GEMM_MR, GEMM_NR },
	[NB_FP16] = { "gemm_fp16_avx2_6x16", "gemv_fp16_avx2", 1, 4, 4, 0, 4, pack_a_fp16, pack_b_fp16,
		      ukr_f32_6x16, small_fp16, GEMM_MR, GEMM_NR },
	[NB_BF16] = { "gemm_bf16_avx2_6x16", "gemv_bf16_avx2", 1, 4, 4, 0, 4, pack_a_bf16, pack_b_bf16,
		      ukr_f32_6x16, small_bf16, GEMM_MR, GEMM_NR },
	[NB_INT8] = { "gemm_int8_avx2_6x16", "gemv_int8_avx2", 2, 2, 2, 0, 4, pack_a_int8v, pack_b_int8,
		      ukr_i16_6x16, small_int8, GEMM_MR, GEMM_NR },
	[NB_INT4] = { "gemm_int4_avx2_u8s8_6x16", "gemv_int4_avx2", 4, 1, 1, 64, 2, pack_a_int4q,
		      pack_b_int4q, ukr_u8s8_6x16, small_int4v, GEMM_MR, GEMM_NR },
};

const struct gemm_impl *gemm_avx2_impl(enum nb_dtype dt)
{
	return (unsigned)dt < NB_DTYPE_COUNT && avx2_impls[dt].ukr ? &avx2_impls[dt] : NULL;
}

#endif
