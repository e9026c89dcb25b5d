/* spmm: AVX2 + FMA + F16C kernels for 2:4 structured and CSR sparse A
 * (layouts in spmm-impl.h).  Compiled with -mavx2; called after dispatch. */
#include "kernels/spmm-impl.h"
#include "kernels/simd-load.h"

#include <immintrin.h>
#include <string.h>

/* Converts N elements of dtype DT at SRC to fp32 at DST. */
static inline void cvt_row(const void *src, enum nb_dtype dt, float *dst, long n)
{
	long i = 0;

	if (dt == NB_FP32) {
		memcpy(dst, src, (size_t)n * sizeof(float));
		return;
	}
	if (dt == NB_FP16) {
		const uint16_t *x = src;

		for (; i + 8 <= n; i += 8)
			_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
		for (; i < n; i++)
			dst[i] = _cvtsh_ss(x[i]);
	} else {
		const uint16_t *x = src;

		for (; i + 8 <= n; i += 8) {
			__m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));

			_mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
		}
		for (; i < n; i++) {
			union { uint32_t u; float f; } b = { .u = (uint32_t)x[i] << 16 };

			dst[i] = b.f;
		}
	}
}

/* One decoded non-zero pair of a row in a group: both values in fp32 and
 * both B-panel byte offsets in one word, so the micro-kernel spends one
 * scalar load per pair (the vector load ports are the bottleneck). */
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

		for (int p = 0; p < kc; p++) {
			cvt_row((const char *)a->b + ((size_t)(p0 + p) * a->n + j0 + jp) * es, a->dt,
				panel + p * S24_NR, w);
			for (long j = w; j < S24_NR; j++)
				panel[p * S24_NR + j] = 0;
		}
	}
}

/* Decodes rows [i0, i0+mc) over groups [g0, g0+ng) into micro-panels of
 * S24_MR rows: ap[(ir / MR) * ng * MR + g * MR + r]; padded rows are 0. */
static void pack_a(const struct spmm_args *a, long i0, int mc, long g0, int ng, struct pair *ap)
{
	for (int ir = 0; ir < mc; ir += S24_MR) {
		struct pair *blk = ap + (long)ir * ng;

		for (int r = 0; r < S24_MR; r++) {
			long i = i0 + ir + r, ip = i + 4 * S24_MR;
			size_t es = (size_t)dtype_bits(a->dt) / 8;

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
				struct pair *e = &blk[g * S24_MR + r];
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

/* One row's two non-zeros of group g: both values come in one 8-byte load
 * and are broadcast from a register, since vector loads (two per cycle),
 * not FMAs, bound a sparse kernel; the B rows are read by the FMAs. */
#define ROW_FMA(r, A0, A1, A2, A3, A4, A5) do {					\
		const struct pair *e = &ap[g * S24_MR + r];			\
		const float *b0 = (const float *)((const char *)bp + (e->offs & 0xffff)); \
		const float *b1 = (const float *)((const char *)bp + (e->offs >> 16)); \
		__m128 vv = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)&e->v0)); \
		__m256 v0 = _mm256_broadcastss_ps(vv);				\
		__m256 v1 = _mm256_broadcastss_ps(_mm_movehdup_ps(vv));	\
		A0 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0), A0);		\
		A1 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0 + 8), A1);		\
		A2 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0 + 16), A2);		\
		A3 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0 + 24), A3);		\
		A4 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0 + 32), A4);		\
		A5 = _mm256_fmadd_ps(v0, _mm256_load_ps(b0 + 40), A5);		\
		A0 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1), A0);		\
		A1 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1 + 8), A1);		\
		A2 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1 + 16), A2);		\
		A3 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1 + 24), A3);		\
		A4 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1 + 32), A4);		\
		A5 = _mm256_fmadd_ps(v1, _mm256_load_ps(b1 + 40), A5);		\
	} while (0)

#define LD6(p, A0, A1, A2, A3, A4, A5) \
	A0 = _mm256_loadu_ps(p); A1 = _mm256_loadu_ps(p + 8); A2 = _mm256_loadu_ps(p + 16); \
	A3 = _mm256_loadu_ps(p + 24); A4 = _mm256_loadu_ps(p + 32); A5 = _mm256_loadu_ps(p + 40)
#define ST6(p, A0, A1, A2, A3, A4, A5) \
	_mm256_storeu_ps(p, A0); _mm256_storeu_ps(p + 8, A1); _mm256_storeu_ps(p + 16, A2); \
	_mm256_storeu_ps(p + 24, A3); _mm256_storeu_ps(p + 32, A4); _mm256_storeu_ps(p + 40, A5)

/* The 2x48 micro-kernel: C (ldc) += decoded A micro-panel x B panel.
 * Per (row, group): one scalar and one 8-byte load for the metadata and
 * values, twelve B loads feeding twelve FMAs, so 13 vector loads per 12
 * FMAs (a 3x32 tile needs 10 per 8).  C tiles come from memory once per
 * KC block: the next tile (NEXT, rows ldc apart) is prefetched so its
 * misses overlap this tile's FMAs. */
static void ukr_2x48(int ng, const struct pair *ap, const float *bp, float *c, long ldc,
		     const float *next)
{
	__m256 a00, a01, a02, a03, a04, a05, a10, a11, a12, a13, a14, a15;

	for (int r = 0; r < S24_MR; r++)
		for (int l = 0; l < S24_NR; l += 16)
			_mm_prefetch((const char *)(next + r * ldc + l), _MM_HINT_T0);
	LD6(c, a00, a01, a02, a03, a04, a05);
	LD6(c + ldc, a10, a11, a12, a13, a14, a15);
	for (int g = 0; g < ng; g++) {
		ROW_FMA(0, a00, a01, a02, a03, a04, a05);
		ROW_FMA(1, a10, a11, a12, a13, a14, a15);
	}
	ST6(c, a00, a01, a02, a03, a04, a05);
	ST6(c + ldc, a10, a11, a12, a13, a14, a15);
}

void spmm24_avx2_run(const struct spmm_args *a, long n0, long n1, float *ws)
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

					for (int ir = 0; ir < mc; ir += S24_MR) {
						int h = mc - ir < S24_MR ? mc - ir : S24_MR;
						float *c = a->c + (i0 + ir) * a->n + j0 + jp;

						if (h == S24_MR && w == S24_NR) {
							ukr_2x48(ng, ap + (long)ir * ng, bp + jp * 4 * ng, c, a->n,
								 ir + 2 * S24_MR <= mc ? c + S24_MR * a->n : c);
						} else {	/* edge tile through a buffer */
							float t[S24_MR * S24_NR] = { 0 };

							for (int r = 0; r < h; r++)
								memcpy(t + r * S24_NR, c + r * a->n, (size_t)w * 4);
							ukr_2x48(ng, ap + (long)ir * ng, bp + jp * 4 * ng, t, S24_NR, t);
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
 * the thread accumulates its non-zeros in 8 registers. */
void spmm_csr_avx2_run(const struct spmm_args *a, long r0, long r1, float *ws)
{
	size_t es = (size_t)dtype_bits(a->dt) / 8;

	for (long j0 = 0; j0 < a->n; j0 += CSR_NS) {
		long w = a->n - j0 < CSR_NS ? a->n - j0 : CSR_NS;

		for (long p = 0; p < a->k; p++) {
			cvt_row((const char *)a->b + ((size_t)p * a->n + j0) * es, a->dt, ws + p * CSR_NS, w);
			for (long j = w; j < CSR_NS; j++)
				ws[p * CSR_NS + j] = 0;
		}
		for (long i = r0; i < r1; i++) {
			__m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
			__m256 c4 = c0, c5 = c0, c6 = c0, c7 = c0;
			float *out = a->c + i * a->n + j0;

			for (int32_t q = a->row_ptr[i]; q < a->row_ptr[i + 1]; q++) {
				const float *b = ws + (long)a->col[q] * CSR_NS;
				__m256 v = _mm256_set1_ps(ld1(a->val, a->dt, q));

				c0 = _mm256_fmadd_ps(v, _mm256_load_ps(b), c0);
				c1 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 8), c1);
				c2 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 16), c2);
				c3 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 24), c3);
				c4 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 32), c4);
				c5 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 40), c5);
				c6 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 48), c6);
				c7 = _mm256_fmadd_ps(v, _mm256_load_ps(b + 56), c7);
			}
			if (w == CSR_NS) {
				_mm256_storeu_ps(out, c0); _mm256_storeu_ps(out + 8, c1);
				_mm256_storeu_ps(out + 16, c2); _mm256_storeu_ps(out + 24, c3);
				_mm256_storeu_ps(out + 32, c4); _mm256_storeu_ps(out + 40, c5);
				_mm256_storeu_ps(out + 48, c6); _mm256_storeu_ps(out + 56, c7);
			} else {
				float t[CSR_NS];

				_mm256_storeu_ps(t, c0); _mm256_storeu_ps(t + 8, c1);
				_mm256_storeu_ps(t + 16, c2); _mm256_storeu_ps(t + 24, c3);
				_mm256_storeu_ps(t + 32, c4); _mm256_storeu_ps(t + 40, c5);
				_mm256_storeu_ps(t + 48, c6); _mm256_storeu_ps(t + 56, c7);
				memcpy(out, t, (size_t)w * sizeof(float));
			}
		}
	}
}
