/* AVX-512 GEMM kernels (placeholder until the micro-kernels land). */
#include "config.h"

#ifdef NB_HAVE_AVX512_KERNELS
#include "kernels/gemm.h"

const struct gemm_impl *gemm_avx512_impl(enum nb_dtype dt)
{
	(void)dt;
	return NULL;
}
#endif
