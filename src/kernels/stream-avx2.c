/* stream: AVX2 loops for every op and element type, with ordinary (cached)
 * or non-temporal (streaming) stores.  Compiled with -mavx2; called only
 * after run-time dispatch.  Preconditions (the framework guarantees them):
 * the arrays are 64-byte aligned and BEGIN is a multiple of 64 elements,
 * so every vector access below is aligned; END may be anything. */
#include "kernels/stream-impl.h"

#include <immintrin.h>

/* One body per (type, store kind).  Four vectors per iteration keep enough
 * loads in flight to saturate a core's share of memory bandwidth; the tail
 * is scalar.  The sum keeps four partial vectors in the element type and
 * folds them into double every block so fp32 stays exact for ones. */
#define SUM_BLOCK 65536L

#define DEFINE_STREAM(NAME, T, V, W, LOAD, STORE, SET1, ADD, MUL, FMA, ZERO, HSUM) \
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
		for (; i < e; i++) c[i] = a[i];				\
		break;							\
	case OP_SCALE:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(bb + i, MUL(vq, LOAD(c + i)));		\
			STORE(bb + i + W, MUL(vq, LOAD(c + i + W)));	\
			STORE(bb + i + 2 * W, MUL(vq, LOAD(c + i + 2 * W))); \
			STORE(bb + i + 3 * W, MUL(vq, LOAD(c + i + 3 * W))); \
		}							\
		for (; i < e; i++) bb[i] = q * c[i];			\
		break;							\
	case OP_ADD:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(c + i, ADD(LOAD(a + i), LOAD(bb + i)));	\
			STORE(c + i + W, ADD(LOAD(a + i + W), LOAD(bb + i + W))); \
			STORE(c + i + 2 * W, ADD(LOAD(a + i + 2 * W), LOAD(bb + i + 2 * W))); \
			STORE(c + i + 3 * W, ADD(LOAD(a + i + 3 * W), LOAD(bb + i + 3 * W))); \
		}							\
		for (; i < e; i++) c[i] = a[i] + bb[i];			\
		break;							\
	case OP_TRIAD:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(a + i, FMA(vq, LOAD(c + i), LOAD(bb + i)));	\
			STORE(a + i + W, FMA(vq, LOAD(c + i + W), LOAD(bb + i + W))); \
			STORE(a + i + 2 * W, FMA(vq, LOAD(c + i + 2 * W), LOAD(bb + i + 2 * W))); \
			STORE(a + i + 3 * W, FMA(vq, LOAD(c + i + 3 * W), LOAD(bb + i + 3 * W))); \
		}							\
		for (; i < e; i++) a[i] = bb[i] + q * c[i];		\
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
		for (; i < e; i++) acc += a[i];				\
		break;							\
	case OP_FILL:							\
		for (; i < ev; i += 4 * W) {				\
			STORE(c + i, vq);				\
			STORE(c + i + W, vq);				\
			STORE(c + i + 2 * W, vq);			\
			STORE(c + i + 3 * W, vq);			\
		}							\
		for (; i < e; i++) c[i] = q;				\
		break;							\
	}								\
	*sum = acc;							\
}

static double hsum_pd(__m256d v)
{
	__m128d x = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));

	return _mm_cvtsd_f64(_mm_add_sd(x, _mm_unpackhi_pd(x, x)));
}

static double hsum_ps(__m256 v)
{
	__m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
	__m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));

	return hsum_pd(_mm256_add_pd(lo, hi));
}

#define FMA_PD(q, x, y) _mm256_fmadd_pd(q, x, y)
#define FMA_PS(q, x, y) _mm256_fmadd_ps(q, x, y)

DEFINE_STREAM(run_pd_cached, double, __m256d, 4, _mm256_load_pd, _mm256_store_pd,
	      _mm256_set1_pd, _mm256_add_pd, _mm256_mul_pd, FMA_PD, _mm256_setzero_pd, hsum_pd)
DEFINE_STREAM(run_pd_nt, double, __m256d, 4, _mm256_load_pd, _mm256_stream_pd,
	      _mm256_set1_pd, _mm256_add_pd, _mm256_mul_pd, FMA_PD, _mm256_setzero_pd, hsum_pd)
DEFINE_STREAM(run_ps_cached, float, __m256, 8, _mm256_load_ps, _mm256_store_ps,
	      _mm256_set1_ps, _mm256_add_ps, _mm256_mul_ps, FMA_PS, _mm256_setzero_ps, hsum_ps)
DEFINE_STREAM(run_ps_nt, float, __m256, 8, _mm256_load_ps, _mm256_stream_ps,
	      _mm256_set1_ps, _mm256_add_ps, _mm256_mul_ps, FMA_PS, _mm256_setzero_ps, hsum_ps)

void stream_avx2_run(const struct stream_args *s, long begin, long end, double *sum)
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
