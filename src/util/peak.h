/* The host's measured arithmetic peak: a loop of independent fp32 FMAs
 * (AVX2+FMA when the dispatch level allows it, portable C otherwise) on N
 * pinned threads.  The roof that GEMM results are reported against. */
#ifndef NB_PEAK_H
#define NB_PEAK_H

#include <stddef.h>
#include <stdint.h>

/* Measures fp32 FMA throughput in FLOP/s (2 per FMA lane) on NTHREADS
 * threads for about SECONDS (0: a default of 0.2 s): the best of runs of
 * about 20 ms each (at least 3), at the current dispatch level
 * (cpu_detect()->isa).  Returns a negative
 * value after reporting an error (no threads). */
double peak_fp32_flops(int nthreads, double seconds);

/* The loop itself on the calling thread: ITERS iterations; returns the
 * FLOPs performed.  Exposed for the dispatch test. */
double peak_loop_c(long iters);
#ifdef NB_HAVE_X86_KERNELS
/* Leaves the lanes' sum in *SINK, so that the loop is not optimised away;
 * it writes nothing outside its own library. */
double peak_loop_avx2(long iters, float *sink);
#endif

#endif
