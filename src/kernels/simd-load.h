/* Element loads the x86 kernel files share: one element, or up to sixteen,
 * of an fp32, fp16 or bf16 array as fp32 (fp16 and bf16 convert exactly).
 * Only for files compiled with the ISA flags: F16C at least, AVX-512F/BW
 * for the vector loads; the caller has dispatched. */
#ifndef NB_KERNELS_SIMD_LOAD_H
#define NB_KERNELS_SIMD_LOAD_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "util/dtype.h"

/* Element I of X, of dtype DT, as fp32. */
static inline __attribute__((always_inline)) float ld1(const void *x, enum nb_dtype dt, long i)
{
	uint32_t u;
	float f;

	if (dt == NB_FP32)
		return ((const float *)x)[i];
	if (dt == NB_FP16)
		return _cvtsh_ss(((const uint16_t *)x)[i]);
	u = (uint32_t)((const uint16_t *)x)[i] << 16;
	memcpy(&f, &u, sizeof(f));
	return f;
}

#ifdef __AVX512F__
/* The lanes of a tail of N (0 < N) elements in a vector of 16. */
static inline __mmask16 tail16(long n)
{
	return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

/* Up to sixteen elements (mask K) of dtype DT at X + I as fp32, zeros
 * elsewhere; lanes outside K are not read. */
static inline __m512 ld16(const void *x, enum nb_dtype dt, long i, __mmask16 k)
{
	__m256i h;

	if (dt == NB_FP32)
		return _mm512_maskz_loadu_ps(k, (const float *)x + i);
	h = _mm256_maskz_loadu_epi16(k, (const uint16_t *)x + i);
	if (dt == NB_FP16)
		return _mm512_cvtph_ps(h);
	return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}
#endif

#endif
