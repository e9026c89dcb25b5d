/* The host's measured arithmetic peaks: loops of independent multiply-adds
 * (AVX-512, AVX2+FMA or portable C, as the dispatch level allows; at
 * AVX-512 also the bf16 and int8 dot products) on N pinned threads, and the
 * read bandwidth.  The roofs that GEMM results are reported against. */
#ifndef NB_PEAK_H
#define NB_PEAK_H

#include <stddef.h>
#include <stdint.h>

/* Measures fp32 FMA throughput in FLOP/s (2 per FMA lane) on NTHREADS
 * threads for about SECONDS (0: a default of 0.2 s): the best of runs of
 * about 20 ms each (at least 3), each the sum of the threads' rates on
 * their own CPU clocks (so another process on one CPU does not lower it),
 * at the current dispatch level (cpu_detect()->isa).  Returns a negative
 * value after reporting an error (no threads). */
double peak_fp32_flops(int nthreads, double seconds);

/* The arithmetic ceilings, one per instruction the GEMM kernels use. */
enum nb_peak {
	NB_PEAK_FP32,	/* fp32 FMA (fp16 and, without a bf16 dot product, bf16 too) */
	NB_PEAK_BF16,	/* bf16 pair dot product into fp32 (vdpbf16ps) */
	NB_PEAK_INT8,	/* u8 x s8 quad dot product into int32 (vpdpbusd) */
};
/* Measures the ceiling KIND in operations/s (2 per multiply-add) as
 * peak_fp32_flops does.  Returns 0 when the dispatch level has no such
 * instruction (bf16 and int8 below AVX-512 or without avx512_bf16 /
 * avx512_vnni: the kernels then run on the fp32 or int16 paths), negative
 * after reporting an error. */
double peak_ops(enum nb_peak kind, int nthreads, double seconds);
const char *peak_name(enum nb_peak kind);

/* Measures read bandwidth in bytes/s: NTHREADS pinned threads sum their
 * share of a BYTES-long buffer (0: 4x the last-level cache, at least
 * 256 MiB), best of 5 passes after one untimed.  Returns a negative value after reporting an
 * error (no memory). */
double peak_read_bandwidth(int nthreads, size_t bytes);

/* The loop itself on the calling thread: ITERS iterations; returns the
 * FLOPs performed.  Exposed for the dispatch test. */
double peak_loop_c(long iters);
#ifdef NB_HAVE_X86_KERNELS
/* Leaves the lanes' sum in *SINK, so that the loop is not optimised away;
 * it writes nothing outside its own library. */
double peak_loop_avx2(long iters, float *sink);
#endif
#ifdef NB_HAVE_AVX512_KERNELS
double peak_loop_avx512(long iters, float *sink);
double peak_loop_bf16dot(long iters, float *sink);
double peak_loop_int8dot(long iters, float *sink);
#endif

#endif
