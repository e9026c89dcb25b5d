/* spmm: AVX-512 kernels for 2:4 structured and CSR sparse A (layouts in
 * spmm-impl.h), the AVX2 ones of spmm-avx2.c at twice the width.
 * Compiled with the AVX-512 flags (F, BW, VL, BF16); called after dispatch.
 * The FMA kernels convert every dtype exactly to fp32 (B when packed, A's
 * values when decoded), so their arithmetic is fp32 FMA as at AVX2; 2:4
 * bf16 has a vdpbf16ps kernel of its own (at the end), which spmm.c runs
 * only where the CPU has AVX512_BF16. */
#include "kernels/spmm-impl.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <string.h>

/* 2:4 FMA kernel (fp16, fp32, and bf16 without AVX512_BF16): B is
 * converted to fp32 once per block of KC x NC (panels of NR columns,
 * 32 KiB, L1-resident while a decoded A block of MC rows streams past
 * them) and reused by all m rows; the micro-tile is MR rows x NR columns
 * (16 accumulators).  Each of a row's kept values multiplies the B-panel
 * row it selects, loaded straight into the FMA: one load per FMA, where a
 * dense GEMM's B vector serves many rows.  Selecting B with shuffles
 * instead (vpermps down 16 rows of C^T, as the bf16 kernel below does
 * with vpshufb) was slower on Zen 5: the shuffles share the FMA ports,
 * the loads do not.  So what is left to trim is the rest: A's values and
 * offsets in three loads a group for four rows, two broadcasts a row, and
 * 64 columns (not 48) a row for each broadcast; the workspace holds
 * S24_KC x S24_NC floats of B and S24_MC x S24_KC x 3 bytes of A
 * (spmm-impl.h), which these blocks fit. */
#define MR 4
#define NR 64
#define NC (NR * 32)
#define KC 128		/* k a block (32 groups) */
#define MC 96		/* rows a decoded A block, a multiple of MR */

_Static_assert((long)KC * NC <= (long)S24_KC * S24_NC && MC * KC * 3 <= S24_MC * S24_KC * 3 &&
	       (KC - 1) * NR * 4 < 65536 && MC % MR == 0, "2:4 blocks exceed the workspace or the offsets");

/* N elements of dtype DT at SRC to fp32 at DST, then zeros up to WIDTH (a
 * multiple of 16). */
static inline void cvt_row(const void *src, enum nb_dtype dt, float *dst, long n, long width)
{
	for (long i = 0; i < width; i += 16) {
		__mmask16 k = i < n ? tail16(n - i) : 0;

		_mm512_storeu_ps(dst + i, ld16(src, dt, i, k));
	}
}

/* One group of a 4-row micro-panel, decoded: the rows' kept values in
 * fp32 (row r: v[2r], v[2r + 1]) and the byte offsets of the B-panel rows
 * they multiply (offs[2r], offs[2r + 1]; at most (KC - 1) x NR x 4 bytes).
 * One 32-byte load gives the tile's eight values and two 8-byte loads its
 * eight offsets: the kernel is bound by loads, so A costs three a group
 * instead of eight. */
struct quad {
	float v[2 * MR];
	uint16_t offs[2 * MR];
};

/* Packs B[p0:p0+kc, j0:j0+nc] into fp32 panels of NR columns,
 * zero-padding the last panel. */
static void pack_b(const struct spmm_args *a, long p0, int kc, long j0, long nc, float *bp)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;

	for (long jp = 0; jp < nc; jp += NR) {
		long w = nc - jp < NR ? nc - jp : NR;
		float *panel = bp + jp * kc;

		for (int p = 0; p < kc; p++)
			cvt_row((const char *)a->b + ((size_t)(p0 + p) * a->n + j0 + jp) * es, a->dt,
				panel + p * NR, w, NR);
	}
}

/* Decodes rows [i0, i0+mc) over groups [g0, g0+ng) into micro-panels of
 * MR rows: ap[(ir / MR) * ng + g]; padded rows are 0 at offset 0.  A row's
 * values are converted 16 at a time, then spread over the groups. */
static void pack_a(const struct spmm_args *a, long i0, int mc, long g0, int ng, struct quad *ap)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;
	float vals[KC / 2];

	for (int ir = 0; ir < mc; ir += MR) {
		struct quad *blk = ap + (long)(ir / MR) * ng;

		for (int r = 0; r < MR; r++) {
			long i = i0 + ir + r, ip = i + 2 * MR;
			const uint8_t *meta = a->meta + i * a->meta_ld;

			if (ir + r >= mc) {
				for (int g = 0; g < ng; g++) {
					blk[g].v[2 * r] = blk[g].v[2 * r + 1] = 0;
					blk[g].offs[2 * r] = blk[g].offs[2 * r + 1] = 0;
				}
				continue;
			}
			/* Rows are k/2 values apart: a stride the hardware
			 * prefetcher misses, so fetch a few rows ahead. */
			if (ip < a->m) {
				const char *v = (const char *)a->aval + ((size_t)ip * (size_t)(a->k / 2) + 2 * (size_t)g0) * es;

				_mm_prefetch(v, _MM_HINT_T0);
				_mm_prefetch(v + 64, _MM_HINT_T0);
				if (es == 4) {
					_mm_prefetch(v + 128, _MM_HINT_T0);
					_mm_prefetch(v + 192, _MM_HINT_T0);
				}
				_mm_prefetch((const char *)a->meta + ip * a->meta_ld + g0 / 2, _MM_HINT_T0);
			}
			for (int p = 0; p < 2 * ng; p += 16)
				_mm512_storeu_ps(vals + p, ld16(a->aval, a->dt, i * (a->k / 2) + 2 * g0 + p,
								tail16(2 * ng - p)));
			for (int g = 0; g < ng; g++) {
				long gg = g0 + g;
				unsigned nib = (meta[gg / 2] >> (gg % 2 * 4)) & 15;

				blk[g].v[2 * r] = vals[2 * g];
				blk[g].v[2 * r + 1] = vals[2 * g + 1];
				blk[g].offs[2 * r] = (uint16_t)((4u * (unsigned)g + (nib & 3)) * NR * 4);
				blk[g].offs[2 * r + 1] = (uint16_t)((4u * (unsigned)g + (nib >> 2)) * NR * 4);
			}
		}
	}
}

/* Row r's two non-zeros of the group: its two values broadcast from the
 * register holding the tile's eight; eight B loads (each 64 bytes, a whole
 * line) feed eight FMAs. */
#define ROW_FMA(r, O, A0, A1, A2, A3) do {						\
		const float *b0 = (const float *)((const char *)bp + ((O) >> (32 * ((r) & 1)) & 0xffff)); \
		const float *b1 = (const float *)((const char *)bp + ((O) >> (32 * ((r) & 1) + 16) & 0xffff)); \
		__m512 v0 = _mm512_permutexvar_ps(_mm512_set1_epi32(2 * (r)), vv);	\
		__m512 v1 = _mm512_permutexvar_ps(_mm512_set1_epi32(2 * (r) + 1), vv); \
		A0 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0), A0);		\
		A1 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0 + 16), A1);		\
		A2 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0 + 32), A2);		\
		A3 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0 + 48), A3);		\
		A0 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1), A0);		\
		A1 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1 + 16), A1);		\
		A2 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1 + 32), A2);		\
		A3 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1 + 48), A3);		\
	} while (0)

#define LD4(p, A0, A1, A2, A3) do {						\
		if (acc) {							\
			A0 = _mm512_loadu_ps(p);				\
			A1 = _mm512_loadu_ps(p + 16);				\
			A2 = _mm512_loadu_ps(p + 32);				\
			A3 = _mm512_loadu_ps(p + 48);				\
		} else {							\
			A0 = A1 = A2 = A3 = _mm512_setzero_ps();		\
		}								\
	} while (0)
#define ST4(p, A0, A1, A2, A3) do {						\
		_mm512_storeu_ps(p, A0);					\
		_mm512_storeu_ps(p + 16, A1);					\
		_mm512_storeu_ps(p + 32, A2);					\
		_mm512_storeu_ps(p + 48, A3);					\
	} while (0)

/* The 4x64 micro-kernel: C (ldc) = (ACC ? C : 0) + decoded A micro-panel x
 * B panel.  The next tile (NEXT, rows ldc apart) is prefetched so its
 * misses overlap this tile's FMAs. */
static void ukr_4x64(int ng, const struct quad *ap, const float *bp, float *c, long ldc, const float *next,
		     int acc)
{
	__m512 a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;

	for (int r = 0; r < MR; r++)
		for (int l = 0; l < NR; l += 16)
			_mm_prefetch((const char *)(next + r * ldc + l), _MM_HINT_T0);
	LD4(c, a00, a01, a02, a03);
	LD4(c + ldc, a10, a11, a12, a13);
	LD4(c + 2 * ldc, a20, a21, a22, a23);
	LD4(c + 3 * ldc, a30, a31, a32, a33);
	for (int g = 0; g < ng; g++) {
		__m512 vv = _mm512_castps256_ps512(_mm256_loadu_ps(ap[g].v));
		uint64_t o01, o23;

		memcpy(&o01, ap[g].offs, sizeof(o01));
		memcpy(&o23, ap[g].offs + 4, sizeof(o23));
		ROW_FMA(0, o01, a00, a01, a02, a03);
		ROW_FMA(1, o01, a10, a11, a12, a13);
		ROW_FMA(2, o23, a20, a21, a22, a23);
		ROW_FMA(3, o23, a30, a31, a32, a33);
	}
	ST4(c, a00, a01, a02, a03);
	ST4(c + ldc, a10, a11, a12, a13);
	ST4(c + 2 * ldc, a20, a21, a22, a23);
	ST4(c + 3 * ldc, a30, a31, a32, a33);
}

/* C is written by the first k block and accumulated by the others, so it
 * needs no clearing first. */
void spmm24_avx512_run(const struct spmm_args *a, long n0, long n1, float *ws)
{
	float *bp = ws;
	struct quad *ap = (struct quad *)(ws + (long)KC * NC);
	long ngroups = a->k / 4;

	for (long j0 = n0; j0 < n1; j0 += NC) {
		long nc = n1 - j0 < NC ? n1 - j0 : NC;

		for (long g0 = 0; g0 < ngroups; g0 += KC / 4) {
			int ng = (int)(ngroups - g0 < KC / 4 ? ngroups - g0 : KC / 4), acc = g0 > 0;

			pack_b(a, 4 * g0, 4 * ng, j0, nc, bp);
			for (long i0 = 0; i0 < a->m; i0 += MC) {
				int mc = (int)(a->m - i0 < MC ? a->m - i0 : MC);

				pack_a(a, i0, mc, g0, ng, ap);
				for (long jp = 0; jp < nc; jp += NR) {
					long w = nc - jp < NR ? nc - jp : NR;

					for (int ir = 0; ir < mc; ir += MR) {
						int h = mc - ir < MR ? mc - ir : MR;
						const struct quad *tq = ap + (long)(ir / MR) * ng;
						float *c = a->c + (i0 + ir) * a->n + j0 + jp;

						if (h == MR && w == NR) {
							ukr_4x64(ng, tq, bp + jp * 4 * ng, c, a->n,
								 ir + 2 * MR <= mc ? c + MR * a->n : c, acc);
						} else {	/* edge tile through a buffer */
							float t[MR * NR] = { 0 };

							for (int r = 0; r < h && acc; r++)
								memcpy(t + r * NR, c + r * a->n, (size_t)w * 4);
							ukr_4x64(ng, tq, bp + jp * 4 * ng, t, NR, t, acc);
							for (int r = 0; r < h; r++)
								memcpy(c + r * a->n, t + r * NR, (size_t)w * 4);
						}
					}
				}
			}
		}
	}
}

/* CSR: for each strip of CSR_NS columns, B's strip is converted to fp32 and
 * made contiguous (k x 64, L2-resident for k <= 2048), then every row of
 * the thread accumulates its non-zeros in 4 zmm; a partial strip stores
 * through a mask. */
void spmm_csr_avx512_run(const struct spmm_args *a, long r0, long r1, float *ws)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;

	for (long j0 = 0; j0 < a->n; j0 += CSR_NS) {
		long w = a->n - j0 < CSR_NS ? a->n - j0 : CSR_NS;

		for (long p = 0; p < a->k; p++)
			cvt_row((const char *)a->b + ((size_t)p * a->n + j0) * es, a->dt, ws + p * CSR_NS, w, CSR_NS);
		for (long i = r0; i < r1; i++) {
			__m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
			float *out = a->c + i * a->n + j0;

			for (int32_t q = a->row_ptr[i]; q < a->row_ptr[i + 1]; q++) {
				const float *b = ws + (long)a->col[q] * CSR_NS;
				__m512 v = _mm512_set1_ps(ld1(a->val, a->dt, q));

				c0 = _mm512_fmadd_ps(v, _mm512_load_ps(b), c0);
				c1 = _mm512_fmadd_ps(v, _mm512_load_ps(b + 16), c1);
				c2 = _mm512_fmadd_ps(v, _mm512_load_ps(b + 32), c2);
				c3 = _mm512_fmadd_ps(v, _mm512_load_ps(b + 48), c3);
			}
			_mm512_mask_storeu_ps(out, tail16(w), c0);
			if (w > 16)
				_mm512_mask_storeu_ps(out + 16, tail16(w - 16), c1);
			if (w > 32)
				_mm512_mask_storeu_ps(out + 32, tail16(w - 32), c2);
			if (w > 48)
				_mm512_mask_storeu_ps(out + 48, tail16(w - 48), c3);
		}
	}
}

/* ---- 2:4 bf16 with vdpbf16ps (AVX512_BF16) ----
 *
 * A row's two kept values of a group, {a[4g + x0], a[4g + x1]} with
 * x0 < x1, already lie side by side in memory as a bf16 pair (values
 * [m][k/2]), which is what vdpbf16ps takes: two products summed into each
 * fp32 lane.  The matching pair of B, {b[4g + x0][j], b[4g + x1][j]},
 * differs from row to row, so here a vector runs down 16 rows of A for one
 * column j of B: the four candidates b[4g..4g+3][j] (8 bytes) are broadcast
 * and each row's lane picks its two with vpshufb, whose byte indices
 * decoding A has computed once per row and group.  Per group and tile
 * (32 rows x 8 columns): four vector loads of A (pairs, indices), then per
 * column one 8-byte broadcast, two shuffles and two dot products --
 * each two useful multiply-adds per lane, and under one load per dot
 * product (a kernel that loads B's pair per row instead is bound by the
 * loads at about half the dot-product peak).
 *
 * Packed B (a->bq, once per run, each thread its columns): per block of
 * KCG groups, panels of 8 columns, in each for each group the 8 quads
 * {b[4g][j], .., b[4g+3][j]} (64 bytes); columns past n are zero.  A k
 * block of all panels is contiguous, so the panels the tiles read one
 * after the other stream in order.  Decoded A micro-panel (32 rows): for
 * each group 32 pairs then 32 shuffle controls (bytes 2x0, 2x0+1, 2x1,
 * 2x1+1); rows past m are zero.  The tiles accumulate C^T in the
 * workspace (column-major, S24D_MC rows) over all of k, and the block is
 * transposed into C once at the end.
 *
 * Numerics, as the dense bf16 GEMM (gemm-avx512.c): bf16 products are
 * exact in fp32, the sums round to nearest even in fp32 (two products per
 * rounding instead of one per FMA), and vdpbf16ps flushes denormal inputs
 * and results to zero whatever MXCSR says; spmm.c's verification adds
 * GEMM_BF16_FLUSH's slack for that. */
#define DMR S24D_MR
#define DNR S24D_NR
#define KCG (S24D_KC / 4)
#define DMC S24D_MC

/* The vpshufb control of a 4-bit index pair (x0 | x1 << 2): the bytes of
 * b[4g + x0] and b[4g + x1] in the 8-byte quad; nibbles with x0 >= x1 do
 * not occur (spmm-impl.h). */
#define CTL(x0, x1) ((2 * (x0)) | (2 * (x0) + 1) << 8 | (2 * (x1)) << 16 | (2 * (x1) + 1) << 24)
static const int32_t nib_ctl[16] = {
	[4] = CTL(0, 1), [8] = CTL(0, 2), [12] = CTL(0, 3), [9] = CTL(1, 2), [13] = CTL(1, 3), [14] = CTL(2, 3),
};

/* Where the quads of panel P (columns 8 P..) and group G start. */
static inline uint64_t *bq_at(const struct spmm_args *a, long p, long g)
{
	long ngroups = a->k / 4, g0 = g / KCG * KCG, ng = ngroups - g0 < KCG ? ngroups - g0 : KCG;
	long npanels = (a->n + DNR - 1) / DNR;

	return a->bq + (g0 * npanels + p * ng + (g - g0)) * DNR;
}

/* Packs columns [n0, n1) (n0 a multiple of DNR) of B as column quads,
 * sweeping B's rows in order (a panel at a time would touch a new page
 * per row and each line four times). */
static void pack_bq(const struct spmm_args *a, long n0, long n1)
{
	long ng = a->k / 4;

	for (long g = 0; g < ng; g++) {
		const uint16_t *b = (const uint16_t *)a->b + (size_t)(4 * g) * (size_t)a->n;

		for (long j0 = n0; j0 < n1; j0 += DNR) {
			long w = n1 - j0 < DNR ? n1 - j0 : DNR;
			__mmask8 k = (__mmask8)((1u << w) - 1);
			__m128i *d = (__m128i *)bq_at(a, j0 / DNR, g);
			__m128i r0 = _mm_maskz_loadu_epi16(k, b + j0), r1 = _mm_maskz_loadu_epi16(k, b + a->n + j0);
			__m128i r2 = _mm_maskz_loadu_epi16(k, b + 2 * a->n + j0);
			__m128i r3 = _mm_maskz_loadu_epi16(k, b + 3 * a->n + j0);
			__m128i lo01 = _mm_unpacklo_epi16(r0, r1), hi01 = _mm_unpackhi_epi16(r0, r1);
			__m128i lo23 = _mm_unpacklo_epi16(r2, r3), hi23 = _mm_unpackhi_epi16(r2, r3);

			_mm_store_si128(d, _mm_unpacklo_epi32(lo01, lo23));
			_mm_store_si128(d + 1, _mm_unpackhi_epi32(lo01, lo23));
			_mm_store_si128(d + 2, _mm_unpacklo_epi32(hi01, hi23));
			_mm_store_si128(d + 3, _mm_unpackhi_epi32(hi01, hi23));
		}
	}
}

/* Decodes groups [g0, g0 + ng) (g0 even) of row I into the micro-panel
 * slot R: pairs at ap[g * 2 DMR + r], controls DMR words later. */
static void decode_row_q(const struct spmm_args *a, long i, long g0, int ng, uint32_t *ap, int r)
{
	const __m512i table = _mm512_loadu_si512(nib_ctl);
	const __m128i dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
	const __m512i shift = _mm512_set_epi32(4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0);
	const __m512i slot = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
						_mm512_set1_epi32(2 * DMR));
	const uint32_t *v = (const uint32_t *)((const uint16_t *)a->aval + (size_t)i * (size_t)(a->k / 2)) + g0;
	const uint8_t *meta = a->meta + i * a->meta_ld + g0 / 2;

	for (int g = 0; g < ng; g += 16) {
		int t = ng - g < 16 ? ng - g : 16;
		__mmask16 k = tail16(t);
		__m128i mb = _mm_maskz_loadu_epi8((__mmask16)((1u << ((t + 1) / 2)) - 1), meta + g / 2);
		__m512i nib = _mm512_cvtepu8_epi32(_mm_shuffle_epi8(mb, dup));
		uint32_t *base = ap + (long)g * 2 * DMR + r;

		nib = _mm512_and_si512(_mm512_srlv_epi32(nib, shift), _mm512_set1_epi32(15));
		_mm512_mask_i32scatter_epi32(base, k, slot, _mm512_maskz_loadu_epi32(k, v + g), 4);
		_mm512_mask_i32scatter_epi32(base + DMR, k, slot, _mm512_permutexvar_epi32(nib, table), 4);
	}
}

/* Decodes rows [i0, i0 + mc) over groups [g0, g0 + ng) into micro-panels
 * of DMR rows, 2 DMR ng words each; rows past mc are zero. */
static void pack_a_q(const struct spmm_args *a, long i0, int mc, long g0, int ng, uint32_t *ap)
{
	for (int ir = 0; ir < mc; ir += DMR) {
		uint32_t *blk = ap + (long)ir * 2 * ng;

		for (int r = 0; r < DMR; r++) {
			long i = i0 + ir + r, ip = i + 2 * DMR;

			if (ir + r >= mc) {
				for (int g = 0; g < ng; g++)
					blk[g * 2 * DMR + r] = blk[g * 2 * DMR + DMR + r] = 0;
				continue;
			}
			/* Rows are k bytes apart: a stride the hardware
			 * prefetcher misses, so fetch a few rows ahead. */
			if (ip < a->m) {
				const char *pv = (const char *)a->aval + ((size_t)ip * (size_t)(a->k / 2) + 2 * (size_t)g0) * 2;

				_mm_prefetch(pv, _MM_HINT_T0);
				_mm_prefetch(pv + 64, _MM_HINT_T0);
				_mm_prefetch((const char *)a->meta + ip * a->meta_ld + g0 / 2, _MM_HINT_T0);
			}
			decode_row_q(a, i, g0, ng, blk, r);
		}
	}
}

#define DP(acc, x, b, c) acc = _mm512_dpbf16_ps(acc, (__m512bh)(x), (__m512bh)_mm512_shuffle_epi8(b, c))
/* Column j of the tile: its quad broadcast, each row vector's pairs. */
#define COL_Q(j, A0, A1) do {							\
		__m512i b_ = _mm512_set1_epi64((long long)q[j]);		\
		DP(A0, x0, b_, c0);						\
		DP(A1, x1, b_, c1);						\
	} while (0)
#define LDC2(j, A0, A1) do {							\
		if (acc) {							\
			A0 = _mm512_load_ps(ct + (j) * DMC);			\
			A1 = _mm512_load_ps(ct + (j) * DMC + 16);		\
		} else {							\
			A0 = A1 = _mm512_setzero_ps();				\
		}								\
	} while (0)
#define STC2(j, A0, A1) do {							\
		_mm512_store_ps(ct + (j) * DMC, A0);				\
		_mm512_store_ps(ct + (j) * DMC + 16, A1);			\
	} while (0)

/* The 32x8 micro-kernel on C^T: ct (columns DMC floats apart) = (ACC ? ct
 * : 0) + the decoded A micro-panel x the packed B panel over ng groups.
 * 16 accumulators (enough dot products in flight for the latency) leave
 * registers for A and the shuffles; 48 rows would spill. */
static void ukr_q_32x8(int ng, const uint32_t *ap, const uint64_t *bq, float *ct, int acc)
{
	__m512 a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;

	LDC2(0, a00, a01); LDC2(1, a10, a11); LDC2(2, a20, a21); LDC2(3, a30, a31);
	LDC2(4, a40, a41); LDC2(5, a50, a51); LDC2(6, a60, a61); LDC2(7, a70, a71);
	for (int g = 0; g < ng; g++) {
		const __m512i *p = (const __m512i *)(ap + (long)g * 2 * DMR);
		const uint64_t *q = bq + (long)g * DNR;
		__m512i x0, x1;

		/* The next panel's quads: the tiles of a block read the
		 * panels in turn, and only the first tile of each misses. */
		_mm_prefetch((const char *)(q + ng * DNR), _MM_HINT_T0);
		x0 = _mm512_load_si512(p);
		x1 = _mm512_load_si512(p + 1);
		__m512i c0 = _mm512_load_si512(p + 2), c1 = _mm512_load_si512(p + 3);

		COL_Q(0, a00, a01); COL_Q(1, a10, a11); COL_Q(2, a20, a21); COL_Q(3, a30, a31);
		COL_Q(4, a40, a41); COL_Q(5, a50, a51); COL_Q(6, a60, a61); COL_Q(7, a70, a71);
	}
	STC2(0, a00, a01); STC2(1, a10, a11); STC2(2, a20, a21); STC2(3, a30, a31);
	STC2(4, a40, a41); STC2(5, a50, a51); STC2(6, a60, a61); STC2(7, a70, a71);
}

/* C[i0 + r][n0 + j] = ct[j * DMC + r] for r < mc, j < w: 16 columns of a
 * row gathered at a time. */
static void store_ct(const struct spmm_args *a, const float *ct, long i0, int mc, long n0, long w)
{
	const __m512i idx = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
					       _mm512_set1_epi32(DMC));

	for (long j = 0; j < w; j += 16) {
		__mmask16 k = tail16(w - j);

		for (int r = 0; r < mc; r++)
			_mm512_mask_storeu_ps(a->c + (i0 + r) * a->n + n0 + j, k,
					      _mm512_mask_i32gather_ps(_mm512_setzero_ps(), k, idx, ct + j * DMC + r, 4));
	}
}

void spmm24_avx512bf16_run(const struct spmm_args *a, long n0, long n1, float *ws)
{
	uint32_t *ap = (uint32_t *)ws;
	float *ct = ws + S24D_A_WORDS;
	long ngroups = a->k / 4;

	pack_bq(a, n0, n1);
	for (long i0 = 0; i0 < a->m; i0 += DMC) {
		int mc = (int)(a->m - i0 < DMC ? a->m - i0 : DMC);

		for (long g0 = 0; g0 < ngroups; g0 += KCG) {
			int ng = (int)(ngroups - g0 < KCG ? ngroups - g0 : KCG);

			pack_a_q(a, i0, mc, g0, ng, ap);
			for (long j0 = n0; j0 < n1; j0 += DNR) {
				const uint64_t *bq = bq_at(a, j0 / DNR, g0);

				for (int ir = 0; ir < mc; ir += DMR)
					ukr_q_32x8(ng, ap + (long)ir * 2 * ng, bq, ct + (j0 - n0) * DMC + ir, g0 > 0);
			}
		}
		store_ct(a, ct, i0, mc, n0, n1 - n0);
	}
}
