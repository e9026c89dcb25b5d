/* The AVX-512 loops of the peak probe, one per arithmetic the kernels use:
 * fp32 FMA (vfmadd231ps), the bf16 pair dot product (vdpbf16ps: 2 products
 * per fp32 lane) and the u8 x s8 quad dot product (vpdpbusd: 4 products per
 * int32 lane).  12 independent zmm chains each, more than latency (4-6
 * cycles) times the pipes (2), so the pipes never wait.  Compiled with the
 * AVX-512 flags and called only after dispatch. */
#include "config.h"

#ifdef NB_HAVE_AVX512_KERNELS
#include "util/peak.h"

#include <immintrin.h>
#include <stdint.h>

#define CHAINS12(op)	\
	op(a0); op(a1); op(a2); op(a3); op(a4); op(a5);	\
	op(a6); op(a7); op(a8); op(a9); op(a10); op(a11)

double peak_loop_avx512(long iters, float *sink)
{
	__m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
	__m512 a0 = _mm512_set1_ps(0.1f), a1 = _mm512_set1_ps(0.2f), a2 = _mm512_set1_ps(0.3f);
	__m512 a3 = _mm512_set1_ps(0.4f), a4 = _mm512_set1_ps(0.5f), a5 = _mm512_set1_ps(0.6f);
	__m512 a6 = _mm512_set1_ps(0.7f), a7 = _mm512_set1_ps(0.8f), a8 = _mm512_set1_ps(0.9f);
	__m512 a9 = _mm512_set1_ps(1.0f), a10 = _mm512_set1_ps(1.1f), a11 = _mm512_set1_ps(1.2f);

	for (long i = 0; i < iters; i++) {
#define FMA(a) a = _mm512_fmadd_ps(a, x, y)
		CHAINS12(FMA);
#undef FMA
	}
	a0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
			   _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
	a0 = _mm512_add_ps(a0, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
	*sink = _mm512_reduce_add_ps(a0);
	return 2.0 * 12 * 16 * (double)iters;
}

/* Counts 2 operations (multiply, add) per bf16 product: 32 products per
 * instruction. */
double peak_loop_bf16dot(long iters, float *sink)
{
	__m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3c00);
	/* Distinct starting values: identical chains would be merged into one. */
	__m512 a0 = _mm512_set1_ps(0.1f), a1 = _mm512_set1_ps(0.2f), a2 = _mm512_set1_ps(0.3f);
	__m512 a3 = _mm512_set1_ps(0.4f), a4 = _mm512_set1_ps(0.5f), a5 = _mm512_set1_ps(0.6f);
	__m512 a6 = _mm512_set1_ps(0.7f), a7 = _mm512_set1_ps(0.8f), a8 = _mm512_set1_ps(0.9f);
	__m512 a9 = _mm512_set1_ps(1.0f), a10 = _mm512_set1_ps(1.1f), a11 = _mm512_set1_ps(1.2f);

	for (long i = 0; i < iters; i++) {
#define DOT(a) a = _mm512_dpbf16_ps(a, x, y)
		CHAINS12(DOT);
#undef DOT
	}
	a0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
			   _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
	a0 = _mm512_add_ps(a0, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
	*sink = _mm512_reduce_add_ps(a0);
	return 2.0 * 12 * 32 * (double)iters;
}

/* 2 operations per u8 x s8 product: 64 products per instruction. */
double peak_loop_int8dot(long iters, float *sink)
{
	__m512i x = _mm512_set1_epi8(1), y = _mm512_set1_epi8(-1);
	/* Distinct starting values: identical chains would be merged into one. */
	__m512i a0 = _mm512_set1_epi32(0), a1 = _mm512_set1_epi32(1), a2 = _mm512_set1_epi32(2);
	__m512i a3 = _mm512_set1_epi32(3), a4 = _mm512_set1_epi32(4), a5 = _mm512_set1_epi32(5);
	__m512i a6 = _mm512_set1_epi32(6), a7 = _mm512_set1_epi32(7), a8 = _mm512_set1_epi32(8);
	__m512i a9 = _mm512_set1_epi32(9), a10 = _mm512_set1_epi32(10), a11 = _mm512_set1_epi32(11);

	for (long i = 0; i < iters; i++) {
#define DOT(a) a = _mm512_dpbusd_epi32(a, x, y)
		CHAINS12(DOT);
#undef DOT
	}
	a0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
			      _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7)));
	a0 = _mm512_add_epi32(a0, _mm512_add_epi32(_mm512_add_epi32(a8, a9), _mm512_add_epi32(a10, a11)));
	{	/* summed as unsigned: the chains wrap, and only the sink reads them */
		uint32_t lane[16], sum = 0;

		_mm512_storeu_si512(lane, a0);
		for (int l = 0; l < 16; l++)
			sum += lane[l];
		*sink = (float)sum;
	}
	return 2.0 * 12 * 64 * (double)iters;
}
#endif
