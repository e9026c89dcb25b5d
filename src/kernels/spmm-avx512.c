/* spmm: AVX-512 kernels for 2:4 structured and CSR sparse A (layouts in
 * spmm-impl.h), the AVX2 ones of spmm-avx2.c at twice the width.
 * Compiled with -mavx512f -mavx512bw -mavx512vl; called after dispatch.
 * Every dtype converts exactly to fp32 (B when packed, A's values when
 * decoded), so the arithmetic is fp32 FMA as at AVX2. */
#include "kernels/spmm-impl.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <string.h>

/* 2:4 micro-tile: 4 rows x 48 columns (3 zmm per row, 12 accumulators),
 * against the same packed B panels of S24_NR = 48 columns as AVX2. */
#define MR 4

/* N elements of dtype DT at SRC to fp32 at DST, then zeros up to WIDTH (a
 * multiple of 16). */
static inline void cvt_row(const void *src, enum nb_dtype dt, float *dst, long n, long width)
{
	for (long i = 0; i < width; i += 16) {
		__mmask16 k = i < n ? tail16(n - i) : 0;

		_mm512_storeu_ps(dst + i, ld16(src, dt, i, k));
	}
}

/* One decoded non-zero pair of a row in a group, as at AVX2: both values
 * in fp32 and both B-panel byte offsets in one word. */
struct pair {
	float v0, v1;
	uint32_t offs;	/* offset0 | offset1 << 16, bytes into the B panel */
};

/* Packs B[p0:p0+kc, j0:j0+nc] into fp32 panels of S24_NR columns,
 * zero-padding the last panel. */
static void pack_b(const struct spmm_args *a, long p0, int kc, long j0, long nc, float *bp)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;

	for (long jp = 0; jp < nc; jp += S24_NR) {
		long w = nc - jp < S24_NR ? nc - jp : S24_NR;
		float *panel = bp + jp * kc;

		for (int p = 0; p < kc; p++)
			cvt_row((const char *)a->b + ((size_t)(p0 + p) * a->n + j0 + jp) * es, a->dt,
				panel + p * S24_NR, w, S24_NR);
	}
}

/* Decodes rows [i0, i0+mc) over groups [g0, g0+ng) into micro-panels of
 * MR rows: ap[(ir / MR) * ng * MR + g * MR + r]; padded rows are 0. */
static void pack_a(const struct spmm_args *a, long i0, int mc, long g0, int ng, struct pair *ap)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;

	for (int ir = 0; ir < mc; ir += MR) {
		struct pair *blk = ap + (long)ir * ng;

		for (int r = 0; r < MR; r++) {
			long i = i0 + ir + r, ip = i + 2 * MR;

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
			for (int g = 0; g < ng; g++) {
				struct pair *e = &blk[g * MR + r];
				long gg = g0 + g;
				unsigned nib, x0, x1;

				if (ir + r >= mc) {
					e->v0 = e->v1 = 0;
					e->offs = 0;
					continue;
				}
				nib = (a->meta[i * a->meta_ld + gg / 2] >> (gg % 2 * 4)) & 15;
				x0 = (unsigned)(4 * g) + (nib & 3);
				x1 = (unsigned)(4 * g) + (nib >> 2);
				e->v0 = ld1(a->aval, a->dt, i * (a->k / 2) + 2 * gg);
				e->v1 = ld1(a->aval, a->dt, i * (a->k / 2) + 2 * gg + 1);
				e->offs = (x0 * S24_NR * 4) | (x1 * S24_NR * 4) << 16;
			}
		}
	}
}

/* One row's two non-zeros of group g: both values in one 8-byte load,
 * broadcast from a register; six B loads (each 64 bytes, a whole line)
 * feed six FMAs -- loads, not FMAs, bound a sparse kernel. */
#define ROW_FMA(r, A0, A1, A2) do {						\
		const struct pair *e = &ap[g * MR + r];				\
		const float *b0 = (const float *)((const char *)bp + (e->offs & 0xffff)); \
		const float *b1 = (const float *)((const char *)bp + (e->offs >> 16)); \
		__m128 vv = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)&e->v0)); \
		__m512 v0 = _mm512_broadcastss_ps(vv);				\
		__m512 v1 = _mm512_broadcastss_ps(_mm_movehdup_ps(vv));	\
		A0 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0), A0);		\
		A1 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0 + 16), A1);		\
		A2 = _mm512_fmadd_ps(v0, _mm512_load_ps(b0 + 32), A2);		\
		A0 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1), A0);		\
		A1 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1 + 16), A1);		\
		A2 = _mm512_fmadd_ps(v1, _mm512_load_ps(b1 + 32), A2);		\
	} while (0)

#define LD3(p, A0, A1, A2) \
	A0 = _mm512_loadu_ps(p); A1 = _mm512_loadu_ps(p + 16); A2 = _mm512_loadu_ps(p + 32)
#define ST3(p, A0, A1, A2) \
	_mm512_storeu_ps(p, A0); _mm512_storeu_ps(p + 16, A1); _mm512_storeu_ps(p + 32, A2)

/* The 4x48 micro-kernel: C (ldc) += decoded A micro-panel x B panel.  The
 * next tile (NEXT, rows ldc apart) is prefetched so its misses overlap
 * this tile's FMAs. */
static void ukr_4x48(int ng, const struct pair *ap, const float *bp, float *c, long ldc, const float *next)
{
	__m512 a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;

	for (int r = 0; r < MR; r++)
		for (int l = 0; l < S24_NR; l += 16)
			_mm_prefetch((const char *)(next + r * ldc + l), _MM_HINT_T0);
	LD3(c, a00, a01, a02);
	LD3(c + ldc, a10, a11, a12);
	LD3(c + 2 * ldc, a20, a21, a22);
	LD3(c + 3 * ldc, a30, a31, a32);
	for (int g = 0; g < ng; g++) {
		ROW_FMA(0, a00, a01, a02);
		ROW_FMA(1, a10, a11, a12);
		ROW_FMA(2, a20, a21, a22);
		ROW_FMA(3, a30, a31, a32);
	}
	ST3(c, a00, a01, a02);
	ST3(c + ldc, a10, a11, a12);
	ST3(c + 2 * ldc, a20, a21, a22);
	ST3(c + 3 * ldc, a30, a31, a32);
}

void spmm24_avx512_run(const struct spmm_args *a, long n0, long n1, float *ws)
{
	float *bp = ws;
	struct pair *ap = (struct pair *)(ws + (long)S24_KC * S24_NC);
	long ngroups = a->k / 4;

	for (long i = 0; i < a->m; i++)
		memset(a->c + i * a->n + n0, 0, (size_t)(n1 - n0) * sizeof(float));
	for (long j0 = n0; j0 < n1; j0 += S24_NC) {
		long nc = n1 - j0 < S24_NC ? n1 - j0 : S24_NC;

		for (long g0 = 0; g0 < ngroups; g0 += S24_KC / 4) {
			int ng = (int)(ngroups - g0 < S24_KC / 4 ? ngroups - g0 : S24_KC / 4);

			pack_b(a, 4 * g0, 4 * ng, j0, nc, bp);
			for (long i0 = 0; i0 < a->m; i0 += S24_MC) {
				int mc = (int)(a->m - i0 < S24_MC ? a->m - i0 : S24_MC);

				pack_a(a, i0, mc, g0, ng, ap);
				for (long jp = 0; jp < nc; jp += S24_NR) {
					long w = nc - jp < S24_NR ? nc - jp : S24_NR;

					for (int ir = 0; ir < mc; ir += MR) {
						int h = mc - ir < MR ? mc - ir : MR;
						float *c = a->c + (i0 + ir) * a->n + j0 + jp;

						if (h == MR && w == S24_NR) {
							ukr_4x48(ng, ap + (long)ir * ng, bp + jp * 4 * ng, c, a->n,
								 ir + 2 * MR <= mc ? c + MR * a->n : c);
						} else {	/* edge tile through a buffer */
							float t[MR * S24_NR] = { 0 };

							for (int r = 0; r < h; r++)
								memcpy(t + r * S24_NR, c + r * a->n, (size_t)w * 4);
							ukr_4x48(ng, ap + (long)ir * ng, bp + jp * 4 * ng, t, S24_NR, t);
							for (int r = 0; r < h; r++)
								memcpy(c + r * a->n, t + r * S24_NR, (size_t)w * 4);
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
