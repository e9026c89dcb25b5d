/* stream: AVX-512 loops for every op and element type, with ordinary
 * (cached) or non-temporal (streaming) stores: the AVX2 loops of
 * stream-avx2.c at twice the width, so a 64-byte line is one load or one
 * store.  Compiled with -mavx512f; called only after run-time dispatch.
 * Preconditions (the framework guarantees them): the arrays are 64-byte
 * aligned and BEGIN is a multiple of 64 elements, so every vector access
 * below is aligned; END may be anything. */
#include "kernels/stream-impl.h"

#include <immintrin.h>

/* One body per (type, store kind).  Four vectors (four cache lines) per
 * iteration keep enough loads in flight; the tail is masked, one vector at
 * a time, so no scalar loop.  The sum keeps four partial vectors in the
 * element type and folds them into double every block so fp32 stays exact
 * for ones. */
#define SUM_BLOCK 65536L

#define DEFINE_STREAM(NAME, T, V, W, MT, LOAD, STORE, SET1, ADD, MUL, FMA, ZERO, HSUM, MLOAD, MSTORE) \
static void NAME(const struct stream_args *s, long b, long e, double *sum) \
{									\
	T *a = s->a, *bb = s->b, *c = s->c;				\
	const T q = (T)s->scalar;					\
	const V vq = SET1(q);						\
	long i = b, ev = b + (e - b) / (4 * W) * (4 * W);		\
	double acc = 0;							\
									\
	switch (s->op) {						\
	case OP_COPY:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(c + i, LOAD(a + i));			\
			STORE(c + i + W, LOAD(a + i + W));		\
			STORE(c + i + 2 * W, LOAD(a + i + 2 * W));	\
			STORE(c + i + 3 * W, LOAD(a + i + 3 * W));	\
		}							\
		for (; i < e; i += W) {					\
			MT k = tail_mask(e - i, W);			\
			MSTORE(c + i, k, MLOAD(a + i, k));		\
		}							\
		break;							\
	case OP_SCALE:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(bb + i, MUL(vq, LOAD(c + i)));		\
			STORE(bb + i + W, MUL(vq, LOAD(c + i + W)));	\
			STORE(bb + i + 2 * W, MUL(vq, LOAD(c + i + 2 * W))); \
			STORE(bb + i + 3 * W, MUL(vq, LOAD(c + i + 3 * W))); \
		}							\
		for (; i < e; i += W) {					\
			MT k = tail_mask(e - i, W);			\
			MSTORE(bb + i, k, MUL(vq, MLOAD(c + i, k)));	\
		}							\
		break;							\
	case OP_ADD:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(c + i, ADD(LOAD(a + i), LOAD(bb + i)));	\
			STORE(c + i + W, ADD(LOAD(a + i + W), LOAD(bb + i + W))); \
			STORE(c + i + 2 * W, ADD(LOAD(a + i + 2 * W), LOAD(bb + i + 2 * W))); \
			STORE(c + i + 3 * W, ADD(LOAD(a + i + 3 * W), LOAD(bb + i + 3 * W))); \
		}							\
		for (; i < e; i += W) {					\
			MT k = tail_mask(e - i, W);			\
			MSTORE(c + i, k, ADD(MLOAD(a + i, k), MLOAD(bb + i, k))); \
		}							\
		break;							\
	case OP_TRIAD:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(a + i, FMA(vq, LOAD(c + i), LOAD(bb + i)));	\
			STORE(a + i + W, FMA(vq, LOAD(c + i + W), LOAD(bb + i + W))); \
			STORE(a + i + 2 * W, FMA(vq, LOAD(c + i + 2 * W), LOAD(bb + i + 2 * W))); \
			STORE(a + i + 3 * W, FMA(vq, LOAD(c + i + 3 * W), LOAD(bb + i + 3 * W))); \
		}							\
		for (; i < e; i += W) {					\
			MT k = tail_mask(e - i, W);			\
			MSTORE(a + i, k, FMA(vq, MLOAD(c + i, k), MLOAD(bb + i, k))); \
		}							\
		break;							\
	case OP_SUM:							\
		while (i < ev) {					\
			long stop = i + SUM_BLOCK < ev ? i + SUM_BLOCK : ev; \
			V s0 = ZERO(), s1 = ZERO(), s2 = ZERO(), s3 = ZERO(); \
			for (; i < stop; i += 4 * W) {			\
				s0 = ADD(s0, LOAD(a + i));		\
				s1 = ADD(s1, LOAD(a + i + W));		\
				s2 = ADD(s2, LOAD(a + i + 2 * W));	\
				s3 = ADD(s3, LOAD(a + i + 3 * W));	\
			}						\
			acc += HSUM(ADD(ADD(s0, s1), ADD(s2, s3)));	\
		}							\
		for (; i < e; i += W)					\
			acc += HSUM(MLOAD(a + i, tail_mask(e - i, W))); \
		break;							\
	case OP_FILL:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(c + i, vq);				\
			STORE(c + i + W, vq);				\
			STORE(c + i + 2 * W, vq);			\
			STORE(c + i + 3 * W, vq);			\
		}							\
		for (; i < e; i += W)					\
			MSTORE(c + i, tail_mask(e - i, W), vq);		\
		break;							\
	}								\
	*sum = acc;							\
}

/* The lanes of a tail of N elements (N > 0) in a vector of W. */
static inline __mmask16 tail_mask(long n, int w)
{
	return n >= w ? (__mmask16)((1u << w) - 1) : (__mmask16)((1u << n) - 1);
}

static inline double hsum_pd(__m512d v)
{
	return _mm512_reduce_add_pd(v);
}

/* fp32 partials are added in double so a block of ones stays exact. */
static inline double hsum_ps(__m512 v)
{
	__m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
	__m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));

	return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}

/* Masked loads: lanes past the end are not read (no fault) and are 0. */
#define MLOAD_PD(p, k) _mm512_maskz_load_pd((__mmask8)(k), p)
#define MLOAD_PS(p, k) _mm512_maskz_load_ps(k, p)
/* Masked stores of the tail go through the cache even in the nt bodies:
 * there is no masked streaming store, and a tail is under one line. */
#define MSTORE_PD(p, k, x) _mm512_mask_store_pd(p, (__mmask8)(k), x)
#define MSTORE_PS(p, k, x) _mm512_mask_store_ps(p, k, x)
#define FMA_PD(q, x, y) _mm512_fmadd_pd(q, x, y)
#define FMA_PS(q, x, y) _mm512_fmadd_ps(q, x, y)

DEFINE_STREAM(run_pd_cached, double, __m512d, 8, __mmask16, _mm512_load_pd, _mm512_store_pd,
	      _mm512_set1_pd, _mm512_add_pd, _mm512_mul_pd, FMA_PD, _mm512_setzero_pd, hsum_pd,
	      MLOAD_PD, MSTORE_PD)
DEFINE_STREAM(run_pd_nt, double, __m512d, 8, __mmask16, _mm512_load_pd, _mm512_stream_pd,
	      _mm512_set1_pd, _mm512_add_pd, _mm512_mul_pd, FMA_PD, _mm512_setzero_pd, hsum_pd,
	      MLOAD_PD, MSTORE_PD)
DEFINE_STREAM(run_ps_cached, float, __m512, 16, __mmask16, _mm512_load_ps, _mm512_store_ps,
	      _mm512_set1_ps, _mm512_add_ps, _mm512_mul_ps, FMA_PS, _mm512_setzero_ps, hsum_ps,
	      MLOAD_PS, MSTORE_PS)
DEFINE_STREAM(run_ps_nt, float, __m512, 16, __mmask16, _mm512_load_ps, _mm512_stream_ps,
	      _mm512_set1_ps, _mm512_add_ps, _mm512_mul_ps, FMA_PS, _mm512_setzero_ps, hsum_ps,
	      MLOAD_PS, MSTORE_PS)

void stream_avx512_run(const struct stream_args *s, long begin, long end, double *sum)
{
	if (s->dbl)
		(s->nt ? run_pd_nt : run_pd_cached)(s, begin, end, sum);
	else
		(s->nt ? run_ps_nt : run_ps_cached)(s, begin, end, sum);
	/* Streaming stores are weakly ordered: make them visible before the
	 * pool's barrier hands the arrays to another thread. */
	if (s->nt)
		_mm_sfence();
}
