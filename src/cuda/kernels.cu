/* The plugin's own device kernels: the input generator, the STREAM
 * operations, and the references every library result is checked against
 * after timing.  References compute in double and read the very inputs the
 * library read, so their error bounds only cover the library's arithmetic. */
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>

#include "cuda/plugin.h"

#define THREADS 256

/* splitmix64's finalizer: a counter-based generator, so any element can be
 * made by any thread in any order and the inputs depend on the seed only. */
__device__ static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

__device__ static double load(const void *p, int dtype, size_t i)
{
	switch (dtype) {
	case NB_CUDA_FP64: return ((const double *)p)[i];
	case NB_CUDA_FP32:
	case NB_CUDA_TF32: return ((const float *)p)[i];
	case NB_CUDA_FP16: return __half2float(((const __half *)p)[i]);
	case NB_CUDA_BF16: return __bfloat162float(((const __nv_bfloat16 *)p)[i]);
	case NB_CUDA_FP8_E4M3: return (float)((const __nv_fp8_e4m3 *)p)[i];
	case NB_CUDA_INT8: return ((const int8_t *)p)[i];
	}
	return 0;
}

/* C's element: INT8 stands for the int32 accumulators. */
__device__ static double load_out(const void *p, int out, size_t i)
{
	return out == NB_CUDA_INT8 ? (double)((const int32_t *)p)[i] : load(p, out, i);
}

/* Non-negative doubles order like their bit patterns; NaN sorts above
 * infinity, so a NaN result is never within tolerance. */
__device__ static void max_err(double *err, double v)
{
	atomicMax((unsigned long long *)err, (unsigned long long)__double_as_longlong(v));
}

static int blocks_for(size_t n, int cap)
{
	size_t b = (n + THREADS - 1) / THREADS;

	return b < 1 ? 1 : b > (size_t)cap ? cap : (int)b;
}

__global__ void k_fill(void *p, int dtype, size_t n, uint64_t seed, double amp)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x) {
		uint64_t r = mix(seed ^ mix(i));
		double v = ((double)(r >> 11) * 0x1p-53 * 2 - 1) * amp;

		switch (dtype) {
		case NB_CUDA_FP64: ((double *)p)[i] = v; break;
		case NB_CUDA_FP32:
		case NB_CUDA_TF32: ((float *)p)[i] = (float)v; break;
		case NB_CUDA_FP16: ((__half *)p)[i] = __float2half((float)v); break;
		case NB_CUDA_BF16: ((__nv_bfloat16 *)p)[i] = __float2bfloat16((float)v); break;
		case NB_CUDA_FP8_E4M3: ((__nv_fp8_e4m3 *)p)[i] = __nv_fp8_e4m3((float)v); break;
		case NB_CUDA_INT8: ((int8_t *)p)[i] = (int8_t)(r >> 56); break;
		}
	}
}

extern "C" cudaError_t cuda_k_fill(void *p, int dtype, size_t n, uint64_t seed, double amp,
				   cudaStream_t s)
{
	k_fill<<<blocks_for(n, 65535), THREADS, 0, s>>>(p, dtype, n, seed, amp);
	return cudaGetLastError();
}

/* Row or column T (0..3) of the four checked: first, thirds, last. */
__device__ static int64_t pick(int t, int64_t n)
{
	return t == 0 ? 0 : t == 1 ? n / 3 : t == 2 ? 2 * n / 3 : n - 1;
}

__global__ void k_gemm_check(const void *a, const void *b, const void *c, int dt, int out,
			     int64_t m, int64_t n, int64_t k, int full, int64_t ne, double *err)
{
	int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x, i, j;
	double ref = 0, mag = 0;

	if (e >= ne)
		return;
	if (full) {
		i = e / n, j = e % n;
	} else if (e < 4 * n) {
		i = pick((int)(e / n), m), j = e % n;
	} else {
		e -= 4 * n;
		j = pick((int)(e / m), n), i = e % m;
	}
	for (int64_t l = 0; l < k; l++) {
		double p = load(a, dt, (size_t)(i * k + l)) * load(b, dt, (size_t)(j * k + l));

		ref += p;
		mag += fabs(p);
	}
	max_err(err, fabs(load_out(c, out, (size_t)(i * n + j)) - ref) / (mag > 0 ? mag : 1));
}

extern "C" cudaError_t cuda_k_gemm_check(const void *a, const void *b, const void *c, int in_dtype,
					 int out, int64_t m, int64_t n, int64_t k, int full,
					 double *err, cudaStream_t s)
{
	int64_t ne = full ? m * n : 4 * n + 4 * m;

	cudaMemsetAsync(err, 0, sizeof(double), s);
	k_gemm_check<<<(unsigned)((ne + THREADS - 1) / THREADS), THREADS, 0, s>>>(
		a, b, c, in_dtype, out, m, n, k, full, ne, err);
	return cudaGetLastError();
}

/* 16-byte vectors, so every thread moves full 128-bit words. */
template <typename T> struct __align__(16) vec16 {
	T v[16 / sizeof(T)];
};

/* Vectors each thread has in flight per array per step: all UNROLL loads
 * are issued before the first store.  Hopper needs about 32 KiB in flight
 * per SM to cover the memory latency at full bandwidth; 2048 threads x 16
 * bytes is just that, so one load per thread per step (what a plain
 * grid-stride loop gives, its loads ordered after the previous store when
 * the arrays may alias) leaves a copy short of cudaMemcpy. */
#define UNROLL 4

template <typename T, int OP> __device__ static void stream_step(T *a, T *b, T *c, size_t i, T q, T &acc)
{
	switch (OP) {
	case NB_CUDA_COPY: c[i] = a[i]; break;
	case NB_CUDA_SCALE: b[i] = q * c[i]; break;
	case NB_CUDA_ADD: c[i] = a[i] + b[i]; break;
	case NB_CUDA_TRIAD: a[i] = b[i] + q * c[i]; break;
	case NB_CUDA_SUM: acc += a[i]; break;
	case NB_CUDA_FILL: c[i] = q; break;
	}
}

/* The two inputs of vector I for OP (one for copy, scale and sum). */
template <typename T, int OP>
__device__ static void stream_load(const vec16<T> *__restrict__ a, const vec16<T> *__restrict__ b,
				   const vec16<T> *__restrict__ c, size_t i, vec16<T> &x, vec16<T> &y)
{
	switch (OP) {
	case NB_CUDA_COPY: case NB_CUDA_SUM: x = a[i]; break;
	case NB_CUDA_SCALE: x = c[i]; break;
	case NB_CUDA_ADD: x = a[i], y = b[i]; break;
	case NB_CUDA_TRIAD: x = b[i], y = c[i]; break;
	}
}

template <typename T, int OP>
__device__ static void stream_store(vec16<T> *__restrict__ a, vec16<T> *__restrict__ b,
				    vec16<T> *__restrict__ c, size_t i, vec16<T> x, const vec16<T> &y,
				    T q, T &acc)
{
	const int W = 16 / sizeof(T);

	switch (OP) {
	case NB_CUDA_COPY: c[i] = x; break;
	case NB_CUDA_SCALE:
		for (int w = 0; w < W; w++) x.v[w] *= q;
		b[i] = x;
		break;
	case NB_CUDA_ADD:
		for (int w = 0; w < W; w++) x.v[w] += y.v[w];
		c[i] = x;
		break;
	case NB_CUDA_TRIAD:
		for (int w = 0; w < W; w++) x.v[w] += q * y.v[w];
		a[i] = x;
		break;
	case NB_CUDA_SUM:
		for (int w = 0; w < W; w++) acc += x.v[w];
		break;
	case NB_CUDA_FILL:
		for (int w = 0; w < W; w++) x.v[w] = q;
		c[i] = x;
		break;
	}
}

/* The arrays are distinct allocations, hence __restrict__. */
template <typename T, int OP>
__global__ void __launch_bounds__(THREADS) k_stream(T *__restrict__ a, T *__restrict__ b, T *__restrict__ c,
						    size_t n, T q, double *sum)
{
	const int W = 16 / sizeof(T);
	typedef vec16<T> V;
	size_t nv = n / W, t = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
	size_t st = (size_t)gridDim.x * blockDim.x;
	T acc = 0;

	for (size_t base = t; base < nv; base += st * UNROLL) {
		V x[UNROLL], y[UNROLL];

#pragma unroll
		for (int u = 0; u < UNROLL; u++)
			if (base + u * st < nv)
				stream_load<T, OP>((const V *)a, (const V *)b, (const V *)c, base + u * st, x[u], y[u]);
#pragma unroll
		for (int u = 0; u < UNROLL; u++)
			if (base + u * st < nv)
				stream_store<T, OP>((V *)a, (V *)b, (V *)c, base + u * st, x[u], y[u], q, acc);
	}
	for (size_t i = nv * W + t; i < n; i += st)
		stream_step<T, OP>(a, b, c, i, q, acc);
	if (OP == NB_CUDA_SUM) {
		double d = acc;

		for (int o = 16; o > 0; o /= 2)
			d += __shfl_down_sync(0xffffffffu, d, o);
		if ((threadIdx.x & 31) == 0)
			atomicAdd(sum, d);
	}
}

/* The grid: as many blocks as stay resident on every SM at once (the
 * occupancy the compiled kernel allows, asked once per kernel), never more
 * than the vectors need.  The loops stride over the arrays, so the grid is
 * sized by the GPU, not by n. */
template <typename T, int OP> static int stream_grid(size_t n, int sms)
{
	static int per_sm;

	if (!per_sm &&
	    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, k_stream<T, OP>, THREADS, 0) != cudaSuccess)
		per_sm = 0;
	return blocks_for((n + 16 / sizeof(T) - 1) / (16 / sizeof(T)), sms * (per_sm > 0 ? per_sm : 4));
}

template <typename T> static int grid_of(int op, size_t n, int sms)
{
	switch (op) {
	case NB_CUDA_COPY: return stream_grid<T, NB_CUDA_COPY>(n, sms);
	case NB_CUDA_SCALE: return stream_grid<T, NB_CUDA_SCALE>(n, sms);
	case NB_CUDA_ADD: return stream_grid<T, NB_CUDA_ADD>(n, sms);
	case NB_CUDA_TRIAD: return stream_grid<T, NB_CUDA_TRIAD>(n, sms);
	case NB_CUDA_SUM: return stream_grid<T, NB_CUDA_SUM>(n, sms);
	case NB_CUDA_FILL: return stream_grid<T, NB_CUDA_FILL>(n, sms);
	}
	return 1;
}

template <typename T>
static void launch_stream(int op, T *a, T *b, T *c, size_t n, T q, double *sum, int sms, cudaStream_t s)
{
	int g = grid_of<T>(op, n, sms);

	switch (op) {
	case NB_CUDA_COPY: k_stream<T, NB_CUDA_COPY><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	case NB_CUDA_SCALE: k_stream<T, NB_CUDA_SCALE><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	case NB_CUDA_ADD: k_stream<T, NB_CUDA_ADD><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	case NB_CUDA_TRIAD: k_stream<T, NB_CUDA_TRIAD><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	case NB_CUDA_SUM: k_stream<T, NB_CUDA_SUM><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	case NB_CUDA_FILL: k_stream<T, NB_CUDA_FILL><<<g, THREADS, 0, s>>>(a, b, c, n, q, sum); break;
	}
}

extern "C" cudaError_t cuda_k_stream(int op, int elem, void *a, void *b, void *c, size_t n, double q,
				     double *sum, int sms, cudaStream_t s)
{
	if (op == NB_CUDA_MEMCPY)
		return cudaMemcpyAsync(c, a, n * (size_t)elem, cudaMemcpyDeviceToDevice, s);
	if (elem == 8)
		launch_stream<double>(op, (double *)a, (double *)b, (double *)c, n, q, sum, sms, s);
	else
		launch_stream<float>(op, (float *)a, (float *)b, (float *)c, n, (float)q, sum, sms, s);
	return cudaGetLastError();
}

extern "C" size_t cuda_k_stream_threads(int op, int elem, size_t n, int sms)
{
	return (size_t)(elem == 8 ? grid_of<double>(op, n, sms) : grid_of<float>(op, n, sms)) * THREADS;
}

/* The output the operation must have left, relative to the magnitude of
 * its terms (one rounding each, and a fused multiply-add may differ from
 * a separate multiply and add by one). */
template <typename T>
__global__ void k_stream_check(int op, const T *a, const T *b, const T *c, size_t n, T q, double *err)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x) {
		double got, want, mag;

		switch (op) {
		case NB_CUDA_COPY:
		case NB_CUDA_MEMCPY: got = c[i], want = a[i], mag = fabs(want); break;
		case NB_CUDA_SCALE: got = b[i], want = (double)q * c[i], mag = fabs(want); break;
		case NB_CUDA_ADD: got = c[i], want = (double)a[i] + b[i], mag = fabs((double)a[i]) + fabs((double)b[i]); break;
		case NB_CUDA_TRIAD:
			got = a[i], want = (double)b[i] + (double)q * c[i];
			mag = fabs((double)b[i]) + fabs((double)q * c[i]);
			break;
		case NB_CUDA_FILL: got = c[i], want = q, mag = fabs(want); break;
		default: return;
		}
		max_err(err, fabs(got - want) / (mag > 0 ? mag : 1));
	}
}

extern "C" cudaError_t cuda_k_stream_check(int op, int elem, const void *a, const void *b,
					   const void *c, size_t n, double q, double *err, cudaStream_t s)
{
	int g = blocks_for(n, 65535);

	cudaMemsetAsync(err, 0, sizeof(double), s);
	if (elem == 8)
		k_stream_check<double><<<g, THREADS, 0, s>>>(op, (const double *)a, (const double *)b,
							     (const double *)c, n, q, err);
	else
		k_stream_check<float><<<g, THREADS, 0, s>>>(op, (const float *)a, (const float *)b,
							    (const float *)c, n, (float)q, err);
	return cudaGetLastError();
}

__global__ void k_sum_ref(int elem, const void *a, size_t n, double *sum, double *abs_sum)
{
	double s = 0, m = 0;

	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x) {
		double x = elem == 8 ? ((const double *)a)[i] : ((const float *)a)[i];

		s += x;
		m += fabs(x);
	}
	for (int o = 16; o > 0; o /= 2) {
		s += __shfl_down_sync(0xffffffffu, s, o);
		m += __shfl_down_sync(0xffffffffu, m, o);
	}
	if ((threadIdx.x & 31) == 0) {
		atomicAdd(sum, s);
		atomicAdd(abs_sum, m);
	}
}

extern "C" cudaError_t cuda_k_sum_ref(int elem, const void *a, size_t n, double *sum, double *abs,
				      cudaStream_t s)
{
	cudaMemsetAsync(sum, 0, sizeof(double), s);
	cudaMemsetAsync(abs, 0, sizeof(double), s);
	k_sum_ref<<<blocks_for(n, 4096), THREADS, 0, s>>>(elem, a, n, sum, abs);
	return cudaGetLastError();
}

extern "C" cudaError_t cuda_k_flush(void *p, size_t n, cudaStream_t s)
{
	static unsigned char v;

	return cudaMemsetAsync(p, ++v, n, s);
}

#define ATT_MAX_D 256

/* One thread per checked query row: the exact softmax over the keys the
 * row may see (bottom-right causal mask), accumulated in double. */
__global__ void k_attention_check(const void *q, const void *k, const void *v, const void *o, int dt,
				  int64_t bh, int64_t sq, int64_t sk, int64_t d, int causal,
				  double scale, double amp, int64_t rows, double *err)
{
	int64_t r = blockIdx.x * (int64_t)blockDim.x + threadIdx.x, row, b, i, last;
	double acc[ATT_MAX_D], mx = -INFINITY, l = 0, e = 0;

	if (r >= rows)
		return;
	row = r * (bh * sq) / rows;
	b = row / sq, i = row % sq;
	last = causal ? i + sk - sq : sk - 1;
	for (int64_t x = 0; x < d; x++)
		acc[x] = 0;
	for (int64_t j = 0; j <= last; j++) {
		double s = 0, nm, f, p;

		for (int64_t x = 0; x < d; x++)
			s += load(q, dt, (size_t)((b * sq + i) * d + x)) *
			     load(k, dt, (size_t)((b * sk + j) * d + x));
		s *= scale;
		nm = s > mx ? s : mx;
		f = exp(mx - nm);
		p = exp(s - nm);
		l = l * f + p;
		for (int64_t x = 0; x < d; x++)
			acc[x] = acc[x] * f + p * load(v, dt, (size_t)((b * sk + j) * d + x));
		mx = nm;
	}
	for (int64_t x = 0; x < d; x++) {
		double got = load(o, dt, (size_t)((b * sq + i) * d + x));
		double de = fabs(got - acc[x] / l);

		if (!(de <= e))
			e = de;
	}
	max_err(err, e / amp);
}

extern "C" cudaError_t cuda_k_attention_check(const void *q, const void *k, const void *v,
					      const void *o, int dtype, int64_t bh, int64_t sq,
					      int64_t sk, int64_t d, int causal, double scale,
					      double amp, int64_t rows, double *err, cudaStream_t s)
{
	if (d > ATT_MAX_D)
		return cudaErrorInvalidValue;
	cudaMemsetAsync(err, 0, sizeof(double), s);
	k_attention_check<<<(unsigned)((rows + 63) / 64), 64, 0, s>>>(q, k, v, o, dtype, bh, sq, sk, d,
								      causal, scale, amp, rows, err);
	return cudaGetLastError();
}

/* One thread per checked element of C: rows spread over m, every column. */
__global__ void k_spmm_check(const int *rowptr, const int *col, const void *val, const void *b,
			     const float *c, int dt, int64_t m, int64_t n, int64_t rows, double *err)
{
	int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x, i, j;
	double ref = 0, mag = 0;

	if (e >= rows * n)
		return;
	i = (e / n) * m / rows, j = e % n;
	for (int p = rowptr[i]; p < rowptr[i + 1]; p++) {
		double x = load(val, dt, (size_t)p) * load(b, dt, (size_t)((int64_t)col[p] * n + j));

		ref += x;
		mag += fabs(x);
	}
	max_err(err, fabs((double)c[i * n + j] - ref) / (mag > 0 ? mag : 1));
}

extern "C" cudaError_t cuda_k_spmm_check(const int *rowptr, const int *col, const void *val,
					 const void *b, const float *c, int dtype, int64_t m, int64_t n,
					 int64_t rows, double *err, cudaStream_t s)
{
	int64_t ne = rows * n;

	cudaMemsetAsync(err, 0, sizeof(double), s);
	k_spmm_check<<<(unsigned)((ne + THREADS - 1) / THREADS), THREADS, 0, s>>>(
		rowptr, col, val, b, c, dtype, m, n, rows, err);
	return cudaGetLastError();
}
