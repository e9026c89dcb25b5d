/* The AVX2+FMA loop of the peak probe: 12 independent 8-lane chains, more
 * than FMA latency (4-5 cycles) times two FMA pipes, so the pipes never
 * wait.  Compiled with -mavx2 -mfma, called only after dispatch. */
#include "config.h"

#ifdef NB_HAVE_X86_KERNELS
#include "util/peak.h"

#include <immintrin.h>

double peak_loop_avx2(long iters, float *sink)
{
	__m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
	__m256 a0 = _mm256_set1_ps(0.1f), a1 = _mm256_set1_ps(0.2f), a2 = _mm256_set1_ps(0.3f);
	__m256 a3 = _mm256_set1_ps(0.4f), a4 = _mm256_set1_ps(0.5f), a5 = _mm256_set1_ps(0.6f);
	__m256 a6 = _mm256_set1_ps(0.7f), a7 = _mm256_set1_ps(0.8f), a8 = _mm256_set1_ps(0.9f);
	__m256 a9 = _mm256_set1_ps(1.0f), a10 = _mm256_set1_ps(1.1f), a11 = _mm256_set1_ps(1.2f);

	for (long i = 0; i < iters; i++) {
		a0 = _mm256_fmadd_ps(a0, x, y);
		a1 = _mm256_fmadd_ps(a1, x, y);
		a2 = _mm256_fmadd_ps(a2, x, y);
		a3 = _mm256_fmadd_ps(a3, x, y);
		a4 = _mm256_fmadd_ps(a4, x, y);
		a5 = _mm256_fmadd_ps(a5, x, y);
		a6 = _mm256_fmadd_ps(a6, x, y);
		a7 = _mm256_fmadd_ps(a7, x, y);
		a8 = _mm256_fmadd_ps(a8, x, y);
		a9 = _mm256_fmadd_ps(a9, x, y);
		a10 = _mm256_fmadd_ps(a10, x, y);
		a11 = _mm256_fmadd_ps(a11, x, y);
	}
	a0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
			   _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
	a0 = _mm256_add_ps(a0, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
	*sink = _mm256_cvtss_f32(a0);
	return 2.0 * 12 * 8 * (double)iters;
}
#endif
