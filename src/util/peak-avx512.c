/* The AVX-512 loops of the peak probe, one per arithmetic the kernels use:
 * fp32 FMA (vfmadd231ps), the bf16 pair dot product (vdpbf16ps: 2 products
 * per fp32 lane) and the u8 x s8 quad dot product (vpdpbusd: 4 products per
 * int32 lane).  Independent zmm chains, at least latency times the pipes
 * so that the pipes never wait: 12 for the FMA (latency 4, 2 pipes); 24 for
 * the dot products, whose latency is longer (vdpbf16ps on Zen 5: 12 chains
 * reach only about 90% of what 24 do, and the GEMM micro-kernel, with 28
 * accumulators, ran faster than that "ceiling").  Compiled with the
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

/* The dot-product loops in assembly: given 24 vector variables and an
 * intrinsic that reads and writes each, GCC moves some through the stack
 * every iteration, and the loop measures the stack instead of the pipes.
 * zmm0-23 are the chains, zmm30/31 the operands; the chains' sum is left
 * in zmm0 and comes out through OUT. */
#define DOT24(op)							\
	op " %%zmm31, %%zmm30, %%zmm0\n\t" op " %%zmm31, %%zmm30, %%zmm1\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm2\n\t" op " %%zmm31, %%zmm30, %%zmm3\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm4\n\t" op " %%zmm31, %%zmm30, %%zmm5\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm6\n\t" op " %%zmm31, %%zmm30, %%zmm7\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm8\n\t" op " %%zmm31, %%zmm30, %%zmm9\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm10\n\t" op " %%zmm31, %%zmm30, %%zmm11\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm12\n\t" op " %%zmm31, %%zmm30, %%zmm13\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm14\n\t" op " %%zmm31, %%zmm30, %%zmm15\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm16\n\t" op " %%zmm31, %%zmm30, %%zmm17\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm18\n\t" op " %%zmm31, %%zmm30, %%zmm19\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm20\n\t" op " %%zmm31, %%zmm30, %%zmm21\n\t"	\
	op " %%zmm31, %%zmm30, %%zmm22\n\t" op " %%zmm31, %%zmm30, %%zmm23\n\t"
#define SUM24(add)							\
	add " %%zmm1, %%zmm0, %%zmm0\n\t" add " %%zmm3, %%zmm2, %%zmm2\n\t"		\
	add " %%zmm5, %%zmm4, %%zmm4\n\t" add " %%zmm7, %%zmm6, %%zmm6\n\t"		\
	add " %%zmm9, %%zmm8, %%zmm8\n\t" add " %%zmm11, %%zmm10, %%zmm10\n\t"	\
	add " %%zmm13, %%zmm12, %%zmm12\n\t" add " %%zmm15, %%zmm14, %%zmm14\n\t"	\
	add " %%zmm17, %%zmm16, %%zmm16\n\t" add " %%zmm19, %%zmm18, %%zmm18\n\t"	\
	add " %%zmm21, %%zmm20, %%zmm20\n\t" add " %%zmm23, %%zmm22, %%zmm22\n\t"	\
	add " %%zmm2, %%zmm0, %%zmm0\n\t" add " %%zmm6, %%zmm4, %%zmm4\n\t"		\
	add " %%zmm10, %%zmm8, %%zmm8\n\t" add " %%zmm14, %%zmm12, %%zmm12\n\t"	\
	add " %%zmm18, %%zmm16, %%zmm16\n\t" add " %%zmm22, %%zmm20, %%zmm20\n\t"	\
	add " %%zmm4, %%zmm0, %%zmm0\n\t" add " %%zmm12, %%zmm8, %%zmm8\n\t"		\
	add " %%zmm20, %%zmm16, %%zmm16\n\t" add " %%zmm8, %%zmm0, %%zmm0\n\t"	\
	add " %%zmm16, %%zmm0, %%zmm0\n\t"
#define CLOBBERS24							\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",	\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",	\
	"xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",\
	"xmm30", "xmm31", "cc", "memory"

/* Starts every chain at a distinct value (identical chains could be
 * merged), runs ITERS x 24 instructions OP, leaves the sum in OUT. */
static void dot24(long iters, int bf16, uint32_t out[16])
{
	static const uint32_t init[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					   13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 };
	/* bf16: x = 1.0, y = 2^-7 (pairs); int8: 1 x -1 */
	uint32_t x = bf16 ? 0x3f803f80u : 0x01010101u, y = bf16 ? 0x3c003c00u : 0xffffffffu;

#define INIT24 \
	"vpbroadcastd 0(%[i]), %%zmm0\n\t vpbroadcastd 4(%[i]), %%zmm1\n\t"	\
	"vpbroadcastd 8(%[i]), %%zmm2\n\t vpbroadcastd 12(%[i]), %%zmm3\n\t"	\
	"vpbroadcastd 16(%[i]), %%zmm4\n\t vpbroadcastd 20(%[i]), %%zmm5\n\t"	\
	"vpbroadcastd 24(%[i]), %%zmm6\n\t vpbroadcastd 28(%[i]), %%zmm7\n\t"	\
	"vpbroadcastd 32(%[i]), %%zmm8\n\t vpbroadcastd 36(%[i]), %%zmm9\n\t"	\
	"vpbroadcastd 40(%[i]), %%zmm10\n\t vpbroadcastd 44(%[i]), %%zmm11\n\t"	\
	"vpbroadcastd 48(%[i]), %%zmm12\n\t vpbroadcastd 52(%[i]), %%zmm13\n\t"	\
	"vpbroadcastd 56(%[i]), %%zmm14\n\t vpbroadcastd 60(%[i]), %%zmm15\n\t"	\
	"vpbroadcastd 64(%[i]), %%zmm16\n\t vpbroadcastd 68(%[i]), %%zmm17\n\t"	\
	"vpbroadcastd 72(%[i]), %%zmm18\n\t vpbroadcastd 76(%[i]), %%zmm19\n\t"	\
	"vpbroadcastd 80(%[i]), %%zmm20\n\t vpbroadcastd 84(%[i]), %%zmm21\n\t"	\
	"vpbroadcastd 88(%[i]), %%zmm22\n\t vpbroadcastd 92(%[i]), %%zmm23\n\t"	\
	"vpbroadcastd %[x], %%zmm31\n\t vpbroadcastd %[y], %%zmm30\n\t"
	if (iters < 1)
		iters = 1;
	if (bf16)
		__asm__ volatile(INIT24 "1:\n\t" DOT24("vdpbf16ps") "dec %[n]\n\t" "jnz 1b\n\t"
				 SUM24("vaddps") "vmovdqu32 %%zmm0, (%[o])\n\t"
				 : [n] "+r"(iters)
				 : [i] "r"(init), [x] "m"(x), [y] "m"(y), [o] "r"(out)
				 : CLOBBERS24);
	else
		__asm__ volatile(INIT24 "1:\n\t" DOT24("vpdpbusd") "dec %[n]\n\t" "jnz 1b\n\t"
				 SUM24("vpaddd") "vmovdqu32 %%zmm0, (%[o])\n\t"
				 : [n] "+r"(iters)
				 : [i] "r"(init), [x] "m"(x), [y] "m"(y), [o] "r"(out)
				 : CLOBBERS24);
#undef INIT24
}

/* Counts 2 operations (multiply, add) per bf16 product: 32 products per
 * instruction. */
double peak_loop_bf16dot(long iters, float *sink)
{
	uint32_t out[16];

	dot24(iters, 1, out);
	*sink = (float)out[0];
	return 2.0 * 24 * 32 * (double)(iters < 1 ? 1 : iters);
}

/* 2 operations per u8 x s8 product: 64 products per instruction. */
double peak_loop_int8dot(long iters, float *sink)
{
	uint32_t out[16], sum = 0;

	dot24(iters, 0, out);
	for (int l = 0; l < 16; l++)	/* as unsigned: the chains wrap */
		sum += out[l];
	*sink = (float)sum;
	return 2.0 * 24 * 64 * (double)(iters < 1 ? 1 : iters);
}
#endif
