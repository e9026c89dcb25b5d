/* AVX-512 GEMM kernels: packing with conversion and the 14x32 micro-kernels
 * for fp32/fp16 (vfmadd231ps), bf16 (vdpbf16ps on k-pairs) and int8/int4
 * (vpdpbusd on k-quads).  Compiled with the AVX-512 flags (F, BW, VL, DQ,
 * VNNI, BF16) and called only after run-time dispatch (gemm_impl_for),
 * which also checks avx512_bf16 and avx512_vnni per dtype.
 *
 * Why 14 x 32: AVX-512 has 32 zmm registers.  A tile of 14 rows x 2
 * vectors holds 28 accumulators, 2 for the B vectors of one k and 2 for
 * A's broadcasts (alternating, so one row's broadcast need not wait for
 * the previous row's instructions).  Per k: 2 vector loads and 14
 * broadcasts feed 28 FMAs, a better load-to-FMA ratio than 12 x 32 and
 * fewer partial tiles than 6 x 64 (which needs 4 B vectors and reaches
 * only 24 accumulators).  The same tile serves the three arithmetics, so
 * packing, blocking and edges are shared.
 *
 * Packed layouts (MR = 14, NR = 32):
 *   fp32/fp16: as gemm.h's GEMM_F32 (fp16 converted while packing).
 *   bf16: A: for each pair p: MR x {a[r][2p], a[r][2p+1]} (raw bf16 pairs);
 *     B: for each pair p: NR x {b[2p][j], b[2p+1][j]}.  k past the end is 0.
 *   int8/int4: A: for each quad q: MR x 4 bytes a[r][4q..4q+3] + 128 (u8);
 *     B: for each quad q: NR x 4 signed bytes b[4q..4q+3][j], then NR int32
 *     128 * (sum over the panel's k of b[k][j]).  int4 is unpacked to int8
 *     while packing, so both run the same micro-kernel.
 *
 * Numerics.  vdpbf16ps adds two bf16 products to an fp32 lane: the products
 * are exact in fp32 (8-bit significands), the additions round to nearest
 * even, inputs and results that are denormal are flushed to zero (it
 * ignores MXCSR), and the order of the two additions differs from two
 * separate FMAs.  So each output is a sum of exact products with at most k
 * roundings, as with FMAs, plus at most 2^-126 per flushed input times the
 * other factor; verification uses (k + 2) u32 sum |a b| + k 2^-126 max|b|
 * (gemm.c, and a unit test that meets the bound).  vpdpbusd multiplies u8
 * by s8 and adds four products to an int32 lane without saturation
 * (wrapping, which only ever happens in the intermediate before the offset
 * comes off): with A shifted to a + 128 and 128 * (column sums of B)
 * subtracted, C is bit-identical to the int64 reference whenever the true
 * result fits int32 (gemm.c bounds k for that).
 *
 * Not used: AMX tiles and AVX512-FP16, which would serve bf16/int8 and fp16
 * on CPUs that have them; no machine with them has been available to run
 * and verify such a path on. */
#include "config.h"

#ifdef NB_HAVE_AVX512_KERNELS
#include "kernels/gemm.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <string.h>


#define INLINE static inline __attribute__((always_inline))
#define MR 14
#define NR 32

INLINE int get1_i(enum nb_dtype dt, const struct gemm_mat *x, long r, long c)
{
	if (dt == NB_INT8)
		return ((const int8_t *)x->p)[r * x->ld + c];
	uint8_t byte = ((const uint8_t *)x->p)[r * x->ld + c / 2];
	int v = (c & 1) ? byte >> 4 : byte & 15;

	return (v ^ 8) - 8;
}

/* 16 elements of a float-class row at index idx, as fp32. */
INLINE __m512 load16_f(enum nb_dtype dt, const void *p, long idx)
{
	if (dt == NB_FP32)
		return _mm512_loadu_ps((const float *)p + idx);
	__m256i h = _mm256_loadu_si256((const __m256i *)((const uint16_t *)p + idx));

	if (dt == NB_FP16)
		return _mm512_cvtph_ps(h);
	return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* 32 signed bytes of an integer-class row from column col (even for int4),
 * in column order. */
INLINE __m256i load32_i8(enum nb_dtype dt, const struct gemm_mat *x, long row, long col)
{
	if (dt == NB_INT8)
		return _mm256_loadu_si256((const __m256i *)((const int8_t *)x->p + row * x->ld + col));
	/* int4: 16 bytes, low nibble first; sign-extend with (v ^ 8) - 8. */
	__m128i v = _mm_loadu_si128((const __m128i *)((const uint8_t *)x->p + row * x->ld + col / 2));
	__m128i m = _mm_set1_epi8(15);
	__m128i lo = _mm_and_si128(v, m), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m);
	__m256i u = _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));

	return _mm256_sub_epi8(_mm256_xor_si256(u, _mm256_set1_epi8(8)), _mm256_set1_epi8(8));
}

/* --- packing --- */

INLINE void pack_a_f(enum nb_dtype dt, const struct gemm_mat *a, long i0, long mc, long p0,
		     long kc, float *d)
{
	long es = dt == NB_FP32 ? 4 : 2;

	for (long ir = 0; ir < mc; ir += MR) {
		long mr = mc - ir < MR ? mc - ir : MR;
		const char *rows[MR];

		for (long r = 0; r < MR; r++)
			rows[r] = (const char *)a->p + (i0 + ir + (r < mr ? r : 0)) * a->ld * es;
		for (long p = 0; p < kc; p++, d += MR)
			for (long r = 0; r < MR; r++)
				d[r] = r < mr ? ld1(rows[r], dt, p0 + p) : 0.0f;
	}
}

INLINE void pack_b_f(enum nb_dtype dt, const struct gemm_mat *b, long p0, long kc, long j0,
		     long nc, float *d)
{
	for (long jr = 0; jr < nc; jr += NR) {
		long nr = nc - jr < NR ? nc - jr : NR;

		for (long p = 0; p < kc; p++, d += NR) {
			long base = (p0 + p) * b->ld + j0 + jr;

			if (nr == NR) {
				_mm512_store_ps(d, load16_f(dt, b->p, base));
				_mm512_store_ps(d + 16, load16_f(dt, b->p, base + 16));
			} else {
				for (long j = 0; j < NR; j++)
					d[j] = j < nr ? ld1(b->p, dt, base + j) : 0.0f;
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

/* bf16 A: a row's pair {a[2p], a[2p+1]} is already contiguous in memory;
 * the last pair of an odd k gets a zero high half. */
static void pack_a_bf16p(const struct gemm_mat *a, long i0, long mc, long p0, long kc,
			 long kmax, void *dst)
{
	uint32_t *d = dst;
	long kp = (kc + 1) / 2;

	for (long ir = 0; ir < mc; ir += MR, d += kp * MR)
		for (long r = 0; r < MR; r++) {
			const uint16_t *row = (const uint16_t *)a->p + (i0 + ir + r) * a->ld + p0;
			long full = (p0 + kc <= kmax ? kc : kmax - p0) / 2;	/* whole pairs */

			if (ir + r >= mc) {
				for (long q = 0; q < kp; q++)
					d[q * MR + r] = 0;
				continue;
			}
			for (long q = 0; q < full; q++) {
				uint32_t w;

				memcpy(&w, row + 2 * q, 4);
				d[q * MR + r] = w;
			}
			for (long q = full; q < kp; q++)
				d[q * MR + r] = 2 * q < kc && p0 + 2 * q < kmax ? row[2 * q] : 0;
		}
}

/* bf16 B: rows 2p and 2p+1 interleaved column by column with vpermt2w. */
static void pack_b_bf16p(const struct gemm_mat *b, long p0, long kc, long j0, long nc,
			 long kmax, void *dst)
{
	uint16_t *d = dst;
	long kp = (kc + 1) / 2;
	const __m512i lo = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9,
					    40, 8, 39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33,
					    1, 32, 0);
	const __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));

	for (long jr = 0; jr < nc; jr += NR) {
		long nr = nc - jr < NR ? nc - jr : NR;

		for (long q = 0; q < kp; q++, d += 2 * NR) {
			long r0 = p0 + 2 * q, r1 = r0 + 1;
			int has1 = 2 * q + 1 < kc && r1 < kmax;
			const uint16_t *b0 = (const uint16_t *)b->p + r0 * b->ld + j0 + jr;
			const uint16_t *b1 = (const uint16_t *)b->p + r1 * b->ld + j0 + jr;

			if (nr == NR) {
				__m512i x0 = _mm512_loadu_si512(b0);
				__m512i x1 = has1 ? _mm512_loadu_si512(b1) : _mm512_setzero_si512();

				_mm512_store_si512(d, _mm512_permutex2var_epi16(x0, lo, x1));
				_mm512_store_si512(d + 32, _mm512_permutex2var_epi16(x0, hi, x1));
			} else {
				for (long j = 0; j < NR; j++) {
					d[2 * j] = j < nr ? b0[j] : 0;
					d[2 * j + 1] = j < nr && has1 ? b1[j] : 0;
				}
			}
		}
	}
}

/* int8/int4 A as u8 quads: a + 128 is a XOR 0x80; 32 k of a row at a time
 * with vector code, scattered one quad (4 bytes) per row of the panel.  The
 * padding quads past k hold 0x80 (B is zero there, so they add nothing). */
INLINE void pack_a_q(enum nb_dtype dt, const struct gemm_mat *a, long i0, long mc, long p0,
		     long kc, long kmax, uint8_t *d)
{
	long kq = (kc + 3) / 4, kend = p0 + kc < kmax ? kc : kmax - p0;

	for (long ir = 0; ir < mc; ir += MR, d += (size_t)kq * 4 * MR)
		for (long r = 0; r < MR; r++) {
			long i = i0 + ir + r, p = 0;

			if (ir + r >= mc) {
				for (long q = 0; q < kq; q++)
					memset(d + (q * MR + r) * 4, 0x80, 4);
				continue;
			}
			for (; p + 32 <= kend; p += 32) {
				uint32_t w[8];
				__m256i v = load32_i8(dt, a, i, p0 + p);

				_mm256_storeu_si256((__m256i *)w, _mm256_xor_si256(v, _mm256_set1_epi8((char)0x80)));
				for (int q = 0; q < 8; q++)
					memcpy(d + ((p / 4 + q) * MR + r) * 4, &w[q], 4);
			}
			for (; p < kq * 4; p++)
				d[((p / 4) * MR + r) * 4 + p % 4] =
					(uint8_t)(p < kend ? get1_i(dt, a, i, p0 + p) + 128 : 128);
		}
}

/* int8/int4 B as s8 column quads: 4 rows x 32 columns interleaved with
 * byte and word unpacks (per 128-bit lane, so the halves are regrouped
 * with vpermq); column sums with vpdpbusd against ones, times 128, after
 * the panel. */
INLINE void pack_b_q(enum nb_dtype dt, const struct gemm_mat *b, long p0, long kc, long j0,
		     long nc, long kmax, int8_t *d)
{
	long kq = (kc + 3) / 4;

	for (long jr = 0; jr < nc; jr += NR) {
		long nr = nc - jr < NR ? nc - jr : NR;
		__m512i s0 = _mm512_setzero_si512(), s1 = s0, ones = _mm512_set1_epi8(1);

		for (long q = 0; q < kq; q++, d += 4 * NR) {
			long r = p0 + 4 * q;
			__m512i q0, q1;

			if (nr == NR && r + 4 <= kmax && 4 * q + 4 <= kc) {
				__m256i x0 = load32_i8(dt, b, r, j0 + jr), x1 = load32_i8(dt, b, r + 1, j0 + jr);
				__m256i x2 = load32_i8(dt, b, r + 2, j0 + jr), x3 = load32_i8(dt, b, r + 3, j0 + jr);
				__m256i t0 = _mm256_unpacklo_epi8(x0, x1), t1 = _mm256_unpackhi_epi8(x0, x1);
				__m256i t2 = _mm256_unpacklo_epi8(x2, x3), t3 = _mm256_unpackhi_epi8(x2, x3);
				/* Lane l of u0..u3: columns 16l + {0-3, 4-7, 8-11, 12-15}. */
				__m256i u0 = _mm256_unpacklo_epi16(t0, t2), u1 = _mm256_unpackhi_epi16(t0, t2);
				__m256i u2 = _mm256_unpacklo_epi16(t1, t3), u3 = _mm256_unpackhi_epi16(t1, t3);

				q0 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_permute2x128_si256(u0, u1, 0x20)),
							_mm256_permute2x128_si256(u2, u3, 0x20), 1);
				q1 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_permute2x128_si256(u0, u1, 0x31)),
							_mm256_permute2x128_si256(u2, u3, 0x31), 1);
				_mm512_store_si512(d, q0);
				_mm512_store_si512(d + 64, q1);
			} else {
				for (long j = 0; j < NR; j++)
					for (long x = 0; x < 4; x++)
						d[j * 4 + x] = (int8_t)(j < nr && r + x < kmax && 4 * q + x < kc
									? get1_i(dt, b, r + x, j0 + jr + j) : 0);
				q0 = _mm512_load_si512(d);
				q1 = _mm512_load_si512(d + 64);
			}
			s0 = _mm512_dpbusd_epi32(s0, ones, q0);
			s1 = _mm512_dpbusd_epi32(s1, ones, q1);
		}
		_mm512_store_si512(d, _mm512_slli_epi32(s0, 7));
		_mm512_store_si512(d + 64, _mm512_slli_epi32(s1, 7));
		d += 128;
	}
}

static void pack_a_int8q(const struct gemm_mat *a, long i0, long mc, long p0, long kc, long kmax,
			 void *dst)
{
	pack_a_q(NB_INT8, a, i0, mc, p0, kc, kmax, dst);
}

static void pack_b_int8q(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
			 void *dst)
{
	pack_b_q(NB_INT8, b, p0, kc, j0, nc, kmax, dst);
}

static void pack_a_int4q(const struct gemm_mat *a, long i0, long mc, long p0, long kc, long kmax,
			 void *dst)
{
	pack_a_q(NB_INT4, a, i0, mc, p0, kc, kmax, dst);
}

static void pack_b_int4q(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
			 void *dst)
{
	pack_b_q(NB_INT4, b, p0, kc, j0, nc, kmax, dst);
}

/* --- micro-kernels: 14 x 32, 28 zmm accumulators --- */

/* The k loop in assembly: GCC, given 28 accumulator variables, moves some
 * through the stack every iteration.  Here zmm0-27 accumulate (row r in
 * zmm 2r, 2r+1), zmm28-29 hold B's two vectors, zmm30-31 A's broadcasts
 * where the instruction cannot broadcast from memory; at the end the tile
 * goes to OUT (28 x 64 bytes) for the C epilogue.  N >= 1. */
#define ZERO(x) "vpxord %%zmm" #x ", %%zmm" #x ", %%zmm" #x "\n\t"
#define STORE(x, off) "vmovdqu32 %%zmm" #x ", " #off "(%[o])\n\t"
/* vpdpbusd: the unsigned operand (A) must be a register. */
#define ROWI(off, c0, c1, t)							\
	"vpbroadcastd " #off "(%[a]), %%zmm" #t "\n\t"				\
	"vpdpbusd %%zmm28, %%zmm" #t ", %%zmm" #c0 "\n\t"			\
	"vpdpbusd %%zmm29, %%zmm" #t ", %%zmm" #c1 "\n\t"
#define ZEROALL								\
	ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)		\
	ZERO(8) ZERO(9) ZERO(10) ZERO(11) ZERO(12) ZERO(13) ZERO(14) ZERO(15)	\
	ZERO(16) ZERO(17) ZERO(18) ZERO(19) ZERO(20) ZERO(21) ZERO(22)		\
	ZERO(23) ZERO(24) ZERO(25) ZERO(26) ZERO(27)
#define STOREALL \
	STORE(0, 0) STORE(1, 64) \
	STORE(2, 128) STORE(3, 192) \
	STORE(4, 256) STORE(5, 320) \
	STORE(6, 384) STORE(7, 448) \
	STORE(8, 512) STORE(9, 576) \
	STORE(10, 640) STORE(11, 704) \
	STORE(12, 768) STORE(13, 832) \
	STORE(14, 896) STORE(15, 960) \
	STORE(16, 1024) STORE(17, 1088) \
	STORE(18, 1152) STORE(19, 1216) \
	STORE(20, 1280) STORE(21, 1344) \
	STORE(22, 1408) STORE(23, 1472) \
	STORE(24, 1536) STORE(25, 1600) \
	STORE(26, 1664) STORE(27, 1728)
#define LOOP_HEAD							\
	"1:\n\t"							\
	"vmovdqa32 (%[b]), %%zmm28\n\t"					\
	"vmovdqa32 64(%[b]), %%zmm29\n\t"
#define LOOP_TAIL							\
	"add $56, %[a]\n\t"						\
	"add $128, %[b]\n\t"						\
	"dec %[n]\n\t"							\
	"jnz 1b\n\t"
#define CLOBBERS							\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",	\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",	\
	"xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",\
	"xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31",\
	"cc", "memory"

/* fp32 FMA and bf16 pair dot: A broadcast into a register once per row
 * and used by both columns' instructions (an embedded {1to16} broadcast
 * would load it twice: 30 loads per 28 FMAs, which on Zen 5 runs about 10%
 * slower than 16). */
#define ROWR(op, off, c0, c1, t)						\
	"vbroadcastss " #off "(%[a]), %%zmm" #t "\n\t"				\
	op " %%zmm28, %%zmm" #t ", %%zmm" #c0 "\n\t"				\
	op " %%zmm29, %%zmm" #t ", %%zmm" #c1 "\n\t"
#define BODYR(op)							\
	ROWR(op, 0, 0, 1, 30) ROWR(op, 4, 2, 3, 31)			\
	ROWR(op, 8, 4, 5, 30) ROWR(op, 12, 6, 7, 31)			\
	ROWR(op, 16, 8, 9, 30) ROWR(op, 20, 10, 11, 31)			\
	ROWR(op, 24, 12, 13, 30) ROWR(op, 28, 14, 15, 31)		\
	ROWR(op, 32, 16, 17, 30) ROWR(op, 36, 18, 19, 31)		\
	ROWR(op, 40, 20, 21, 30) ROWR(op, 44, 22, 23, 31)		\
	ROWR(op, 48, 24, 25, 30) ROWR(op, 52, 26, 27, 31)

static void loop_f32(long n, const void *a, const void *b, void *out)
{
	__asm__ volatile(
		ZEROALL
		LOOP_HEAD
		BODYR("vfmadd231ps")
		LOOP_TAIL
		STOREALL
		: [a] "+r"(a), [b] "+r"(b), [n] "+r"(n)
		: [o] "r"(out)
		: CLOBBERS);
}

static void loop_bf16(long n, const void *a, const void *b, void *out)
{
	__asm__ volatile(
		ZEROALL
		LOOP_HEAD
		BODYR("vdpbf16ps")
		LOOP_TAIL
		STOREALL
		: [a] "+r"(a), [b] "+r"(b), [n] "+r"(n)
		: [o] "r"(out)
		: CLOBBERS);
}

static void loop_u8s8(long n, const void *a, const void *b, void *out)
{
	__asm__ volatile(
		ZEROALL
		LOOP_HEAD
		ROWI(0, 0, 1, 30)
		ROWI(4, 2, 3, 31)
		ROWI(8, 4, 5, 30)
		ROWI(12, 6, 7, 31)
		ROWI(16, 8, 9, 30)
		ROWI(20, 10, 11, 31)
		ROWI(24, 12, 13, 30)
		ROWI(28, 14, 15, 31)
		ROWI(32, 16, 17, 30)
		ROWI(36, 18, 19, 31)
		ROWI(40, 20, 21, 30)
		ROWI(44, 22, 23, 31)
		ROWI(48, 24, 25, 30)
		ROWI(52, 26, 27, 31)
		LOOP_TAIL
		STOREALL
		: [a] "+r"(a), [b] "+r"(b), [n] "+r"(n)
		: [o] "r"(out)
		: CLOBBERS);
}

/* The tile of C, requested into L2 before the k loop so that the epilogue
 * does not wait on memory: C is read and written once per k block, and
 * its rows (a multiple of 4 KiB apart for power-of-two widths) would
 * conflict in L1's sets, hence L2. */
INLINE void prefetch_c(const void *c, long ldc)
{
	const char *p = c;

	for (int r = 0; r < MR; r++, p += ldc * 4) {
		_mm_prefetch(p, _MM_HINT_T1);
		_mm_prefetch(p + 64, _MM_HINT_T1);
	}
}

/* The float tiles' epilogue: C = tile, or C += tile. */
static void store_f(const float *t, float *c, long ldc, int accumulate)
{
	for (int r = 0; r < MR; r++, t += NR) {
		float *cr = c + r * ldc;
		__m512 lo = _mm512_load_ps(t), hi = _mm512_load_ps(t + 16);

		if (accumulate) {
			lo = _mm512_add_ps(lo, _mm512_loadu_ps(cr));
			hi = _mm512_add_ps(hi, _mm512_loadu_ps(cr + 16));
		}
		_mm512_storeu_ps(cr, lo);
		_mm512_storeu_ps(cr + 16, hi);
	}
}

static void ukr_f32_14x32(long kc, const void *ap, const void *bp, void *cp, long ldc,
			  int accumulate)
{
	float t[MR * NR] __attribute__((aligned(64)));

	prefetch_c(cp, ldc);
	loop_f32(kc, ap, bp, t);
	store_f(t, cp, ldc, accumulate);
}

static void ukr_bf16_14x32(long kp, const void *ap, const void *bp, void *cp, long ldc,
			   int accumulate)
{
	float t[MR * NR] __attribute__((aligned(64)));

	prefetch_c(cp, ldc);
	loop_bf16(kp, ap, bp, t);
	store_f(t, cp, ldc, accumulate);
}

/* The offset of A (+128) comes off with the column sums after the B panel. */
static void ukr_u8s8_14x32(long kq, const void *ap, const void *bp, void *cp, long ldc,
			   int accumulate)
{
	int32_t t[MR * NR] __attribute__((aligned(64)));
	const __m512i *cs = (const __m512i *)bp + 2 * kq;	/* 128 * column sums */
	__m512i s0 = _mm512_load_si512(cs), s1 = _mm512_load_si512(cs + 1);
	int32_t *c = cp;

	prefetch_c(cp, ldc);
	loop_u8s8(kq, ap, bp, t);
	for (int r = 0; r < MR; r++) {
		int32_t *cr = c + r * ldc;
		__m512i lo = _mm512_sub_epi32(_mm512_load_si512(t + r * NR), s0);
		__m512i hi = _mm512_sub_epi32(_mm512_load_si512(t + r * NR + 16), s1);

		if (accumulate) {
			lo = _mm512_add_epi32(lo, _mm512_loadu_si512(cr));
			hi = _mm512_add_epi32(hi, _mm512_loadu_si512(cr + 16));
		}
		_mm512_storeu_si512(cr, lo);
		_mm512_storeu_si512(cr + 16, hi);
	}
}

/* --- small m (GEMV-like): B streamed in place, never packed --- */

static inline __mmask16 tail_mask(long left)
{
	return left >= 16 ? (__mmask16)0xffff : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
}

/* 16 elements (masked) of a float-class row at index idx, as fp32. */
INLINE __m512 load16m_f(enum nb_dtype dt, const void *p, long idx, __mmask16 mk)
{
	if (dt == NB_FP32)
		return _mm512_maskz_loadu_ps(mk, (const float *)p + idx);
	__m256i h = _mm256_maskz_loadu_epi16(mk, (const uint16_t *)p + idx);

	if (dt == NB_FP16)
		return _mm512_cvtph_ps(h);
	return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* Float class, register-blocked: a strip of NV vectors (16 NV columns) of
 * C for MI rows stays in MI x NV accumulators over a block of SMALL_KB rows
 * of B, so C is read and written once per block, not once per few rows of
 * B, and A's values are broadcast once per row of B and strip.  Up to 4
 * rows take strips of 4 vectors (64 columns, up to 16 accumulators); 5 to
 * 8 rows take strips of 2 (32 columns, up to 16 accumulators), so that one
 * pass over B serves all 8 rows of a decode step at batch 8 (in groups of
 * 4 it was read twice, and the packed 14-row tile would leave 6 of its 14
 * rows idle and pack B first).  Per row of B (per pair for bf16): NV vector
 * loads and MI broadcasts for MI x NV FMAs (or vdpbf16ps).  More rows of C
 * go in groups of 8 (the last one what remains), each over the whole
 * block of B.  The float types take this path up to m = 16: at m = 10-16
 * (x 2048 x 512, one thread, interleaved) it ran 1.0-2.3x the packed
 * kernel in bf16 and 1.4-3.6x in fp32; at m = 24-32 bf16 was at parity
 * (fp32 still 1.4-1.8x), so past 16 the packed tile takes over.
 *
 * B is read in place down the strip, a row's NV x 64 (fp32) or NV x 32
 * bytes at a time.  When B is larger than L2 (s->prefetch), each row also
 * prefetches its part of the strip after next, so that the next strips
 * stream from DRAM as whole rows would; a B within L2 does not: there the
 * prefetches, which at a stride of a power of two crowd a few sets of L1,
 * evicted lines before their use (measured at m = 4, n = k = 256:
 * 0.6-0.85x the rate without).
 *
 * bf16 runs on vdpbf16ps: two rows of B (32 columns per pair of vectors)
 * are interleaved into k-pairs with unpacklo/hi_epi16, which pairs columns
 * within each 128-bit lane: accumulator v holds columns 16(v/2) + {0-3,
 * 8-11} (lo) or {4-7, 12-15} (hi) of every 32, put back in order when C is
 * written.  A's pairs are its raw bf16 values (exact in the fp32 copy).
 * Numerics as the packed bf16 kernel's (top of file).  The loops over rows
 * and vectors are unrolled by pragma so the accumulators stay in
 * registers. */
#define SMALL_KB 256
#define SMALL_MI 8	/* rows of C a strip holds */

/* The 32-bit pair (a[p], a[p + 1]) of bf16 values held exactly in fp32
 * (p + 1 past k reads as 0). */
static inline int32_t bf16_pair(const float *ai, long p, long k)
{
	uint32_t lo, hi = 0;

	memcpy(&lo, ai + p, 4);
	if (p + 1 < k)
		memcpy(&hi, ai + p + 1, 4);
	return (int32_t)((lo >> 16) | (hi & 0xffff0000u));
}

/* A strip's MI x NV accumulators, zeroed. */
INLINE void strip_zero(const int MI, const int NV, __m512 acc[SMALL_MI][4])
{
	_Pragma("GCC unroll 8")
	for (int i = 0; i < MI; i++)
		_Pragma("GCC unroll 4")
		for (int v = 0; v < NV; v++)
			acc[i][v] = _mm512_setzero_ps();
}

/* 16 columns of a strip into C: added to what an earlier k block left
 * there, or stored over it for the first. */
INLINE void strip_out(float *d, __mmask16 mk, __m512 r, int add)
{
	if (add)
		r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(mk, d));
	_mm512_mask_storeu_ps(d, mk, r);
}

/* Columns j..j+16NV-1 of C's rows i0..i0+MI-1 over B's rows [p0, pe):
 * float class (fp32, fp16), one FMA per row of B, row of C and vector. */
INLINE void strip_f(enum nb_dtype dt, const int MI, const int NV, const struct gemm_small *s, long i0,
		    long p0, long pe, long j, const __mmask16 mk[4])
{
	const float *a = s->ap;
	const char *bp = s->b.p;
	float *c = s->c;
	long k = s->k, ldb = s->b.ld, es = dt == NB_FP32 ? 4 : 2;
	__m512 acc[SMALL_MI][4];

	strip_zero(MI, NV, acc);
	for (long p = p0; p < pe; p++) {
		const char *row = bp + (p * ldb + j) * es;
		__m512 b[4];

		for (long l = 0; s->prefetch && l < 16 * NV * es; l += 64)
			_mm_prefetch(row + 32 * NV * es + l, _MM_HINT_T0);
		_Pragma("GCC unroll 4")
		for (int v = 0; v < NV; v++)
			b[v] = load16m_f(dt, bp, p * ldb + j + 16 * v, mk[v]);
		_Pragma("GCC unroll 8")
		for (int i = 0; i < MI; i++) {
			__m512 x = _mm512_set1_ps(a[(i0 + i) * k + p]);

			_Pragma("GCC unroll 4")
			for (int v = 0; v < NV; v++)
				acc[i][v] = _mm512_fmadd_ps(x, b[v], acc[i][v]);
		}
	}
	_Pragma("GCC unroll 8")
	for (int i = 0; i < MI; i++) {
		float *ci = c + (i0 + i) * s->n + j;

		_Pragma("GCC unroll 4")
		for (int v = 0; v < NV; v++)
			strip_out(ci + 16 * v, mk[v], acc[i][v], p0 > 0);
	}
}

/* The same for bf16 with vdpbf16ps over k-pairs [p0, pe) (p0 even); NV is
 * 2 or 4. */
INLINE void strip_bf16(const int MI, const int NV, const struct gemm_small *s, long i0, long p0, long pe,
		       long j, const __mmask16 mk[4], const int32_t aq[][SMALL_KB / 2])
{
	const uint16_t *bp = s->b.p;
	float *c = s->c;
	long k = s->k, ldb = s->b.ld;
	__mmask32 m0 = (__mmask32)mk[0] | (__mmask32)mk[1] << 16;
	__mmask32 m1 = NV > 2 ? (__mmask32)mk[2] | (__mmask32)mk[3] << 16 : 0;
	const __m512i lo_idx = _mm512_set_epi32(23, 22, 21, 20, 7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0);
	const __m512i hi_idx = _mm512_set_epi32(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8);
	__m512 acc[SMALL_MI][4];

	strip_zero(MI, NV, acc);
	for (long p = p0; p < pe; p += 2) {
		const uint16_t *r0 = bp + p * ldb + j, *r1 = r0 + ldb;
		__m512i x[2] = { _mm512_setzero_si512(), _mm512_setzero_si512() };
		__m512i y[2] = { _mm512_setzero_si512(), _mm512_setzero_si512() };
		__m512bh b[4];

		x[0] = _mm512_maskz_loadu_epi16(m0, r0);
		if (NV > 2)
			x[1] = _mm512_maskz_loadu_epi16(m1, r0 + 32);
		for (int l = 0; s->prefetch && l < 16 * NV; l += 32)
			_mm_prefetch((const char *)(r0 + 32 * NV + l), _MM_HINT_T0);
		if (p + 1 < k) {
			for (int l = 0; s->prefetch && l < 16 * NV; l += 32)
				_mm_prefetch((const char *)(r1 + 32 * NV + l), _MM_HINT_T0);
			y[0] = _mm512_maskz_loadu_epi16(m0, r1);
			if (NV > 2)
				y[1] = _mm512_maskz_loadu_epi16(m1, r1 + 32);
		}
		_Pragma("GCC unroll 2")
		for (int h = 0; h < NV / 2; h++) {
			b[2 * h] = (__m512bh)_mm512_unpacklo_epi16(x[h], y[h]);
			b[2 * h + 1] = (__m512bh)_mm512_unpackhi_epi16(x[h], y[h]);
		}
		_Pragma("GCC unroll 8")
		for (int i = 0; i < MI; i++) {
			__m512bh w = (__m512bh)_mm512_set1_epi32(aq[i][(p - p0) / 2]);

			_Pragma("GCC unroll 4")
			for (int v = 0; v < NV; v++)
				acc[i][v] = _mm512_dpbf16_ps(acc[i][v], b[v], w);
		}
	}
	_Pragma("GCC unroll 8")
	for (int i = 0; i < MI; i++) {
		float *ci = c + (i0 + i) * s->n + j;

		_Pragma("GCC unroll 2")
		for (int h = 0; h < NV / 2; h++) {
			__m512 r[2] = { _mm512_permutex2var_ps(acc[i][2 * h], lo_idx, acc[i][2 * h + 1]),
					_mm512_permutex2var_ps(acc[i][2 * h], hi_idx, acc[i][2 * h + 1]) };

			_Pragma("GCC unroll 2")
			for (int u = 0; u < 2; u++)
				strip_out(ci + 16 * (2 * h + u), mk[2 * h + u], r[u], p0 > 0);
		}
	}
}

/* One group of MI rows (1..8) over B's rows [p0, pe), strip by strip of
 * columns [j0, j1): 4 vectors a strip up to 4 rows, 2 past that.  The
 * switch instantiates each MI with its accumulators in registers. */
INLINE void small_group(enum nb_dtype dt, const struct gemm_small *s, long mi, long i0, long p0, long pe,
			long j0, long j1, const int32_t aq[][SMALL_KB / 2])
{
	long w = mi > 4 ? 32 : 64;

	for (long j = j0; j < j1; j += w) {
		__mmask16 mk[4];

		for (int v = 0; v < 4; v++)
			mk[v] = tail_mask(j1 - j - 16 * v);
#define SMALL_CASE(MI, NV)								\
		case MI:								\
			if (dt == NB_BF16)						\
				strip_bf16(MI, NV, s, i0, p0, pe, j, mk, aq);		\
			else								\
				strip_f(dt, MI, NV, s, i0, p0, pe, j, mk);		\
			break
		switch (mi) {
		SMALL_CASE(1, 4);
		SMALL_CASE(2, 4);
		SMALL_CASE(3, 4);
		SMALL_CASE(4, 4);
		SMALL_CASE(5, 2);
		SMALL_CASE(6, 2);
		SMALL_CASE(7, 2);
		default: SMALL_CASE(8, 2);
		}
#undef SMALL_CASE
	}
}

INLINE void small_f(enum nb_dtype dt, const struct gemm_small *s, long j0, long j1)
{
	const float *a = s->ap;
	long m = s->m, k = s->k;
	int32_t aq[SMALL_MI][SMALL_KB / 2];

	for (long p0 = 0; p0 < k; p0 += SMALL_KB) {
		long pe = k - p0 < SMALL_KB ? k : p0 + SMALL_KB;

		for (long i0 = 0; i0 < m; i0 += SMALL_MI) {
			long mi = m - i0 < SMALL_MI ? m - i0 : SMALL_MI;

			/* bf16: A's pairs for this group and block, once. */
			for (long i = 0; dt == NB_BF16 && i < mi; i++)
				for (long p = p0; p < pe; p += 2)
					aq[i][(p - p0) / 2] = bf16_pair(a + (i0 + i) * k, p, k);
			small_group(dt, s, mi, i0, p0, pe, j0, j1, aq);
		}
	}
}

static void small_fp32(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP32, s, j0, j1); }
static void small_fp16(const struct gemm_small *s, long j0, long j1) { small_f(NB_FP16, s, j0, j1); }
static void small_bf16(const struct gemm_small *s, long j0, long j1) { small_f(NB_BF16, s, j0, j1); }

/* Integer class with vpdpbusd, register-blocked as the float strips are:
 * B is the unsigned operand (b + off, off = 128 for int8, 8 for int4), A's
 * quads are broadcast as the signed one, and off * (sum of row i of A)
 * comes off by starting row i's accumulators at its negative (int32 sums
 * wrap, in vpdpbusd and here in unsigned arithmetic, so the order does not
 * matter: C is exact whenever the true result fits int32).  k goes in blocks of GEMV_QB quads
 * (GEMV_QB1 for int8 with one row of C, see below); within one, each strip of 64 columns holds up to 4 rows of C in 16
 * accumulators: per quad, the 4 rows of B are loaded, regrouped into
 * column quads (8 unpacks; int4 with one row: 6, on the packed bytes)
 * and applied to every row of the group.  More
 * rows of C (up to GEMV_MG at a time) run group after group on the same
 * strip, whose B block (16 KiB for int8) is then still in L1.  B larger
 * than L2 is prefetched per row, as in the float strips, but 256 bytes
 * ahead (int8: 4 strips, int4: 8): at 2 strips (as there) m = 4 ran about
 * 0.75x the rate from DRAM (4096^2 int8, interleaved, loaded machine).
 * What the prefetches keep in flight has to fit L1 (48 KiB) until it is
 * read: with 256 rows a block, int8 at 512 bytes ahead held 128 KiB, and
 * both 256 bytes ahead and blocks of 16 quads for m = 1 (64 rows: 16 KiB
 * in flight) ran faster (4096^2 int8, 1 thread: m = 1 1.23x, m = 4 1.10x;
 * int4, whose rows are half as long, and 512^2 within noise).  More rows
 * keep 64 quads: the buffered quads of a block serve all their groups.
 * The quads' lanes are in unpack order; C gets its columns back with two
 * vpermt2d and a blend per vector (gemv_perm) as it is written.  The last
 * strip's columns and bytes are masked, so no column needs scalar code. */
#define GEMV_QB 64
#define GEMV_QB1 16
#define GEMV_MG 16

/* One row of 64 columns of B as unsigned bytes b + off, BYTES of it
 * (mask; full strips load plainly): int8 in column order; int4 as the 32
 * low nibbles (even columns) then the 32 high nibbles (odd columns), which
 * saves a shuffle: gemv_perm undoes any order. */
INLINE __m512i gemv_row(enum nb_dtype dt, const int FULL, const uint8_t *row, __mmask64 mb)
{
	if (dt == NB_INT8) {
		__m512i x = FULL ? _mm512_loadu_si512(row) : _mm512_maskz_loadu_epi8(mb, row);

		return _mm512_xor_si512(x, _mm512_set1_epi8((char)0x80));
	}
	/* The 32 bytes in both halves, the upper one shifted down a nibble;
	 * then (x & 15) ^ 8 = x + 8 for a nibble x of -8..7, in one vpternlogd. */
	__m256i h = FULL ? _mm256_loadu_si256((const __m256i *)row) : _mm256_maskz_loadu_epi8((__mmask32)mb, row);
	const long long s4 = 0x0004000400040004;	/* 4 in each 16-bit lane */
	__m512i x = _mm512_srlv_epi16(_mm512_broadcast_i64x4(h), _mm512_set_epi64(s4, s4, s4, s4, 0, 0, 0, 0));

	return _mm512_ternarylogic_epi32(x, _mm512_set1_epi8(15), _mm512_set1_epi8(8), 0x6a);
}

/* Four rows of 64 columns as u8 k-quads: q[g] lane w (of 16) holds the quad
 * of one column; which, gemv_perm works out. */
INLINE void gemv_quads(__m512i x0, __m512i x1, __m512i x2, __m512i x3, __m512i q[4])
{
	__m512i t0 = _mm512_unpacklo_epi8(x0, x1), t1 = _mm512_unpackhi_epi8(x0, x1);
	__m512i t2 = _mm512_unpacklo_epi8(x2, x3), t3 = _mm512_unpackhi_epi8(x2, x3);

	q[0] = _mm512_unpacklo_epi16(t0, t2);
	q[1] = _mm512_unpackhi_epi16(t0, t2);
	q[2] = _mm512_unpacklo_epi16(t1, t3);
	q[3] = _mm512_unpackhi_epi16(t1, t3);
}

/* int4 with one row of C (and no buffer) regroups packed bytes
 * (gemv_quads4): fewer instructions per quad, which is what limits m = 1;
 * with more rows the decode is shared and the unpack order ran faster
 * (m = 4: about 5%).  Such a group takes the perm of the packed order. */
#define GEMV_PACKED(dt, MI, BUF) ((dt) == NB_INT4 && (MI) == 1 && (BUF) == GEMV_BUF_NONE)

/* int4: one row of the strip (32 packed bytes) in both halves of a vector. */
INLINE __m512i gemv_raw4(const int FULL, const uint8_t *row, __mmask64 mb)
{
	if (FULL)
		return _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)row));
	return _mm512_broadcast_i64x4(_mm256_maskz_loadu_epi8((__mmask32)mb, row));
}

/* int4: four rows as u8 k-quads, transposed while still packed (half the
 * bytes of the decoded rows, so half the shuffles): the low lanes of each
 * pair of rows take unpacklo, the high ones (a merge) unpackhi, which
 * interleaves all 32 bytes of both rows in two unpacks; one unpack per
 * half then makes packed quads (4 bytes of one column pair), whose low and
 * high nibbles are the quads of the even and odd column.  (x & 15) ^ 8 =
 * x + 8 for a nibble x of -8..7, in one vpternlogd.  Columns as
 * gemv_perm_init works them out. */
INLINE void gemv_quads4(__m512i r0, __m512i r1, __m512i r2, __m512i r3, __m512i q[4])
{
	const __mmask64 up = 0xffffffff00000000ull;
	__m512i t = _mm512_mask_unpackhi_epi8(_mm512_unpacklo_epi8(r0, r1), up, r0, r1);
	__m512i u = _mm512_mask_unpackhi_epi8(_mm512_unpacklo_epi8(r2, r3), up, r2, r3);
	__m512i lo = _mm512_unpacklo_epi16(t, u), hi = _mm512_unpackhi_epi16(t, u);
	__m512i f = _mm512_set1_epi8(15), e = _mm512_set1_epi8(8);

	q[0] = _mm512_ternarylogic_epi32(lo, f, e, 0x6a);
	q[1] = _mm512_ternarylogic_epi32(_mm512_srli_epi16(lo, 4), f, e, 0x6a);
	q[2] = _mm512_ternarylogic_epi32(hi, f, e, 0x6a);
	q[3] = _mm512_ternarylogic_epi32(_mm512_srli_epi16(hi, 4), f, e, 0x6a);
}

/* Output vector v (columns 16v..16v+15 of a strip) from the quads' lanes:
 * vpermt2d of accumulators 0-1 (lo) and 2-3 (hi), hi where sel is set. */
struct gemv_perm {
	__m512i lo[4], hi[4];
	__mmask16 sel[4];
};

/* The same loads and shuffles run on column numbers instead of data give
 * each lane's column; inverted into the permutes' indices. */
static void gemv_perm_init(enum nb_dtype dt, int packed, struct gemv_perm *pm)
{
	uint8_t idx[64], out[4][64];
	int32_t lo[4][16], hi[4][16];
	__m512i x, q[4];

	for (int j = 0; j < 64; j++)
		idx[j] = (uint8_t)(dt == NB_INT8 ? j : j < 32 ? 2 * j : 2 * (j - 32) + 1);
	x = _mm512_loadu_si512(idx);
	gemv_quads(x, x, x, x, q);
	for (int g = 0; g < 4; g++)
		_mm512_storeu_si512(out[g], q[g]);
	/* int4 (gemv_quads4): 128-bit lane L of the packed quads holds byte
	 * pairs base[L].. of the rows, its high half 4 further on. */
	for (int g = 0; packed && g < 4; g++)
		for (int w = 0; w < 16; w++) {
			static const int base[4] = { 0, 16, 8, 24 };

			out[g][4 * w] = (uint8_t)(2 * (base[w / 4] + w % 4 + (g >= 2 ? 4 : 0)) + (g & 1));
		}
	memset(pm->sel, 0, sizeof(pm->sel));
	for (int g = 0; g < 4; g++)
		for (int w = 0; w < 16; w++) {
			int col = out[g][4 * w], v = col / 16, e = col % 16;

			lo[v][e] = hi[v][e] = (g & 1) * 16 + w;
			if (g >= 2)
				pm->sel[v] |= (__mmask16)(1u << e);
		}
	for (int v = 0; v < 4; v++) {
		pm->lo[v] = _mm512_loadu_si512(lo[v]);
		pm->hi[v] = _mm512_loadu_si512(hi[v]);
	}
}

/* One strip's block: state shared by its groups of rows. */
struct gemv_strip {
	const uint8_t *b;	/* B at the strip's first column, row 0 */
	long q0, qe;		/* quads of the k block */
	__mmask64 mb;		/* bytes of a row in the strip */
	__mmask16 mk[4];	/* columns of each output vector */
	int32_t *c;		/* C at the strip's first column, row 0 */
	__m512i *buf;		/* the block's quads, 4 per k quad, for later groups */
};

/* Where a group gets B's quads: from B (the only group), from B keeping
 * them in the strip's buffer (the first of several), or from the buffer. */
enum { GEMV_BUF_NONE, GEMV_BUF_STORE, GEMV_BUF_LOAD };

/* acc += u8 quads of U times s8 quads of S, in place: with the intrinsic,
 * GCC 12 copies every accumulator through another register per use. */
INLINE void dpbusd(__m512i *acc, __m512i u, __m512i s)
{
	__asm__("vpdpbusd %2, %1, %0" : "+v"(*acc) : "v"(u), "v"(s));
}

/* One k quad of a group: B's four rows (or the buffer's quads) times A's
 * broadcast quads into ACC.  PART: the last quad, with rows past k (where
 * A's bytes are 0; B is not read there). */
INLINE void gemv_quad(enum nb_dtype dt, const int MI, const int FULL, const int BUF, const int PART,
		      const struct gemm_small *s, const struct gemv_strip *st, long q,
		      const int32_t (*aq)[GEMV_QB + 8], __m512i acc[4][4])
{
	long k = s->k, ld = s->b.ld;
	const uint8_t *b0 = st->b + 4 * q * ld;
	__m512i *bq = st->buf + 4 * (q - st->q0), qd[4], z = _mm512_setzero_si512();

	if (BUF == GEMV_BUF_LOAD) {
		_Pragma("GCC unroll 4")
		for (int g = 0; g < 4; g++)
			qd[g] = _mm512_load_si512(bq + g);
	} else {
		if (s->prefetch)	/* 256 bytes ahead, in each row */
			for (int r = 0; r < 4; r++)
				_mm_prefetch((const char *)(b0 + r * ld + 256), _MM_HINT_T0);
		if (GEMV_PACKED(dt, MI, BUF))
			gemv_quads4(gemv_raw4(FULL, b0, st->mb),
				    !PART || 4 * q + 1 < k ? gemv_raw4(FULL, b0 + ld, st->mb) : z,
				    !PART || 4 * q + 2 < k ? gemv_raw4(FULL, b0 + 2 * ld, st->mb) : z,
				    !PART ? gemv_raw4(FULL, b0 + 3 * ld, st->mb) : z, qd);
		else
			gemv_quads(gemv_row(dt, FULL, b0, st->mb),
				   !PART || 4 * q + 1 < k ? gemv_row(dt, FULL, b0 + ld, st->mb) : z,
				   !PART || 4 * q + 2 < k ? gemv_row(dt, FULL, b0 + 2 * ld, st->mb) : z,
				   !PART ? gemv_row(dt, FULL, b0 + 3 * ld, st->mb) : z, qd);
		_Pragma("GCC unroll 4")
		for (int g = 0; BUF == GEMV_BUF_STORE && g < 4; g++)
			_mm512_store_si512(bq + g, qd[g]);
	}
	_Pragma("GCC unroll 4")
	for (int i = 0; i < MI; i++) {
		__m512i w = _mm512_set1_epi32(aq[i][q - st->q0]);

		_Pragma("GCC unroll 4")
		for (int g = 0; g < 4; g++)
			dpbusd(&acc[i][g], qd[g], w);
	}
}

/* Rows i0..i0+MI-1 of C (MI <= 4) over one strip and k block; aq: the
 * group's quads of A for the block, init: -off * (row sums of A). */
INLINE void gemv_group(enum nb_dtype dt, const int MI, const int FULL, const int BUF,
		       const struct gemm_small *s, const struct gemv_strip *st, long i0,
		       const int32_t (*aq)[GEMV_QB + 8], const int32_t *init, const struct gemv_perm *pm)
{
	long qf = s->k / 4 < st->qe ? s->k / 4 : st->qe, q = st->q0;
	__m512i acc[4][4];

	_Pragma("GCC unroll 4")
	for (int i = 0; i < MI; i++)
		_Pragma("GCC unroll 4")
		for (int g = 0; g < 4; g++)
			acc[i][g] = st->q0 ? _mm512_setzero_si512() : _mm512_set1_epi32(init[i]);
	for (; q < qf; q++)
		gemv_quad(dt, MI, FULL, BUF, 0, s, st, q, aq, acc);
	if (q < st->qe)
		gemv_quad(dt, MI, FULL, BUF, 1, s, st, q, aq, acc);
	_Pragma("GCC unroll 4")
	for (int i = 0; i < MI; i++) {
		int32_t *ci = st->c + (i0 + i) * s->n;

		_Pragma("GCC unroll 4")
		for (int v = 0; v < 4; v++) {
			__m512i r = _mm512_mask_blend_epi32(pm->sel[v],
							    _mm512_permutex2var_epi32(acc[i][0], pm->lo[v], acc[i][1]),
							    _mm512_permutex2var_epi32(acc[i][2], pm->hi[v], acc[i][3]));

			if (st->q0)
				r = _mm512_add_epi32(r, _mm512_maskz_loadu_epi32(st->mk[v], ci + 16 * v));
			_mm512_mask_storeu_epi32(ci + 16 * v, st->mk[v], r);
		}
	}
}

/* All groups of rows i0..i0+mg-1 on one strip and k block. */
INLINE void gemv_strip(enum nb_dtype dt, const int FULL, const struct gemm_small *s,
		       const struct gemv_strip *st, long i0, long mg, const int32_t (*aq)[GEMV_QB + 8],
		       const int32_t *init, const struct gemv_perm *pm)
{
	if (mg <= 4) {
		switch (mg) {
		case 1: gemv_group(dt, 1, FULL, GEMV_BUF_NONE, s, st, i0, aq, init, pm + GEMV_PACKED(dt, 1, GEMV_BUF_NONE)); break;
		case 2: gemv_group(dt, 2, FULL, GEMV_BUF_NONE, s, st, i0, aq, init, pm); break;
		case 3: gemv_group(dt, 3, FULL, GEMV_BUF_NONE, s, st, i0, aq, init, pm); break;
		default: gemv_group(dt, 4, FULL, GEMV_BUF_NONE, s, st, i0, aq, init, pm); break;
		}
		return;
	}
	gemv_group(dt, 4, FULL, GEMV_BUF_STORE, s, st, i0, aq, init, pm);
	for (long g = 4; g < mg; g += 4) {
		const int32_t (*ag)[GEMV_QB + 8] = aq + g;

		switch (mg - g < 4 ? mg - g : 4) {
		case 1: gemv_group(dt, 1, FULL, GEMV_BUF_LOAD, s, st, i0 + g, ag, init + g, pm); break;
		case 2: gemv_group(dt, 2, FULL, GEMV_BUF_LOAD, s, st, i0 + g, ag, init + g, pm); break;
		case 3: gemv_group(dt, 3, FULL, GEMV_BUF_LOAD, s, st, i0 + g, ag, init + g, pm); break;
		default: gemv_group(dt, 4, FULL, GEMV_BUF_LOAD, s, st, i0 + g, ag, init + g, pm); break;
		}
	}
}

/* Row i's quads [q0, qe) of A as signed bytes, from the int16 copy (kp2
 * elements, zero past k), 8 quads per conversion; dst has 8 spare. */
static void a_quads(const int16_t *ai, long kp2, long q0, long qe, int32_t *dst)
{
	for (long q = q0; q < qe; q += 8) {
		long left = kp2 - 4 * q;
		__mmask32 m = left >= 32 ? ~(__mmask32)0 : left <= 0 ? 0 : (__mmask32)((1u << left) - 1);
		__m256i v = _mm512_cvtepi16_epi8(_mm512_maskz_loadu_epi16(m, ai + 4 * q));

		_mm256_storeu_si256((__m256i *)(dst + (q - q0)), v);
	}
}

/* The sum of N int16 (vpmaddwd against ones, 32 at a time). */
static int32_t row_sum(const int16_t *x, long n)
{
	__m512i acc = _mm512_setzero_si512();

	for (long p = 0; p < n; p += 32) {
		__mmask32 m = n - p >= 32 ? ~(__mmask32)0 : (__mmask32)((1u << (n - p)) - 1);

		acc = _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maskz_loadu_epi16(m, x + p), _mm512_set1_epi16(1)));
	}
	return _mm512_reduce_add_epi32(acc);
}

INLINE void small_q(enum nb_dtype dt, const struct gemm_small *s, long j0, long j1)
{
	const int16_t *a = s->ap;	/* m x kp2 int16 */
	long m = s->m, k = s->k, kp2 = 2 * ((k + 1) / 2), kq = (k + 3) / 4;
	int32_t off = dt == NB_INT8 ? 128 : 8, aq[GEMV_MG][GEMV_QB + 8], init[GEMV_MG];
	__m512i buf[4 * GEMV_QB];
	struct gemv_perm pm[2];	/* unpack order, packed order */

	gemv_perm_init(dt, 0, &pm[0]);
	gemv_perm_init(dt, dt == NB_INT4, &pm[1]);
	for (long i0 = 0; i0 < m; i0 += GEMV_MG) {
		long mg = m - i0 < GEMV_MG ? m - i0 : GEMV_MG, qb = mg == 1 && dt == NB_INT8 ? GEMV_QB1 : GEMV_QB;

		for (long i = 0; i < mg; i++)
			init[i] = (int32_t)(0u - (uint32_t)off * (uint32_t)row_sum(a + (i0 + i) * kp2, kp2));
		for (long q0 = 0; q0 < kq; q0 += qb) {
			long qe = kq - q0 < qb ? kq : q0 + qb;

			for (long i = 0; i < mg; i++)
				a_quads(a + (i0 + i) * kp2, kp2, q0, qe, aq[i]);
			for (long j = j0; j < j1; j += 64) {
				long cols = j1 - j < 64 ? j1 - j : 64, bytes = dt == NB_INT8 ? cols : (cols + 1) / 2;
				struct gemv_strip st = {
					(const uint8_t *)s->b.p + (dt == NB_INT8 ? j : j / 2), q0, qe,
					bytes >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << bytes) - 1,
					{ tail_mask(cols), tail_mask(cols - 16), tail_mask(cols - 32), tail_mask(cols - 48) },
					(int32_t *)s->c + j, buf,
				};

				if (cols == 64)
					gemv_strip(dt, 1, s, &st, i0, mg, aq, init, pm);
				else
					gemv_strip(dt, 0, s, &st, i0, mg, aq, init, pm);
			}
		}
	}
}

static void small_int8(const struct gemm_small *s, long j0, long j1) { small_q(NB_INT8, s, j0, j1); }
static void small_int4(const struct gemm_small *s, long j0, long j1) { small_q(NB_INT4, s, j0, j1); }

static const struct gemm_impl avx512_impls[NB_DTYPE_COUNT] = {
	[NB_FP32] = { "gemm_fp32_avx512_14x32", "gemv_fp32_avx512", 1, 4, 4, 0, 16, pack_a_fp32,
		      pack_b_fp32, ukr_f32_14x32, small_fp32, MR, NR },
	[NB_FP16] = { "gemm_fp16_avx512_14x32", "gemv_fp16_avx512", 1, 4, 4, 0, 16, pack_a_fp16,
		      pack_b_fp16, ukr_f32_14x32, small_fp16, MR, NR },
	[NB_BF16] = { "gemm_bf16_avx512_dpbf16_14x32", "gemv_bf16_avx512", 2, 2, 2, 0, 16, pack_a_bf16p,
		      pack_b_bf16p, ukr_bf16_14x32, small_bf16, MR, NR },
	[NB_INT8] = { "gemm_int8_avx512_vnni_14x32", "gemv_int8_avx512", 4, 1, 1, 4 * NR, 16,
		      pack_a_int8q, pack_b_int8q, ukr_u8s8_14x32, small_int8, MR, NR },
	[NB_INT4] = { "gemm_int4_avx512_vnni_14x32", "gemv_int4_avx512", 4, 1, 1, 4 * NR, 16,
		      pack_a_int4q, pack_b_int4q, ukr_u8s8_14x32, small_int4, MR, NR },
};

const struct gemm_impl *gemm_avx512_impl(enum nb_dtype dt)
{
	return (unsigned)dt < NB_DTYPE_COUNT && avx512_impls[dt].ukr ? &avx512_impls[dt] : NULL;
}
#endif
