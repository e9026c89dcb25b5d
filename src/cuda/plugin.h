/* Inside the CUDA plugin: the opened device, the job each kernel family
 * prepares for the timing harness, and the device kernels (kernels.cu). */
#ifndef NB_CUDA_PLUGIN_INTERNAL_H
#define NB_CUDA_PLUGIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#include "targets/cuda-plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cuda_nvml;

/* An opened GPU; library handles are created on first use. */
struct cuda_dev {
	int index;
	struct nb_cuda_device info;
	cudaStream_t stream;
	void *lt;		/* cublasLtHandle_t */
	void *dnn;		/* cudnnHandle_t */
	void *sparse;		/* cusparseHandle_t */
	void *workspace;	/* for cuBLASLt and cuDNN */
	size_t workspace_bytes;
	void *flush;		/* overwritten to evict the L2 */
	size_t flush_bytes;
	struct cuda_nvml *nvml;
	char nvml_why[160];	/* why nvml is NULL */
};

/* What a family prepares: inputs on the device, descriptors chosen.
 * launch enqueues one execution on the stream and must not synchronize;
 * verify runs after timing and fills verify_err/tol/what and the status. */
struct cuda_job {
	void *state;
	int (*launch)(struct cuda_job *j, cudaStream_t s);
	int (*verify)(struct cuda_job *j, struct cuda_dev *d, struct nb_cuda_result *r);
	void (*release)(struct cuda_job *j);
	/* Optional: switches launch to a library yardstick doing the same
	 * work (ON 1) and back (ON 0); returns the yardstick's name. */
	const char *(*yardstick)(struct cuda_job *j, int on);
	char err[256];		/* why launch failed */
};

/* Each returns 0 with J ready, or -1 with R's status and message set. */
int cuda_gemm_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
		      struct nb_cuda_result *r);
int cuda_attention_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
			   struct nb_cuda_result *r);
int cuda_spmm_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
		      struct nb_cuda_result *r);
int cuda_stream_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
			struct nb_cuda_result *r);

/* Release the library handles a family created on D. */
void cuda_gemm_close(struct cuda_dev *d);
void cuda_attention_close(struct cuda_dev *d);
void cuda_spmm_close(struct cuda_dev *d);

/* Sets R to STATUS with a printf-style message; returns -1. */
int cuda_fail(struct nb_cuda_result *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Allocates BYTES on the device; on failure sets R (NO_FIT when memory
 * ran out) and returns NULL. */
void *cuda_alloc(size_t bytes, const char *what, struct nb_cuda_result *r);
/* Makes D's library workspace at least WANT bytes (cuda_workspace_bytes);
 * 0, or -1 with R set (UNSUPPORTED when WANT is over the cap). */
int cuda_workspace(struct cuda_dev *d, size_t want, const char *who, struct nb_cuda_result *r);
/* Whether the device has compute capability CC (10*major+minor). */
int cuda_has_cc(const struct cuda_dev *d, int cc);

/* NVML, loaded with dlopen; every call tolerates a NULL handle. */
struct cuda_nvml *cuda_nvml_open(const char *pci_bus_id, char *why, size_t whylen);
void cuda_nvml_read(struct cuda_nvml *n, struct nb_cuda_sensors *s);
void cuda_nvml_close(struct cuda_nvml *n);

/* Device kernels (kernels.cu).  Each enqueues on S and returns the launch
 * error. */
/* Fills N elements of DTYPE at P from a counter-based generator seeded by
 * SEED: floats uniform on [-AMP, AMP) rounded to the type, int8 over its
 * whole range. */
cudaError_t cuda_k_fill(void *p, int dtype, size_t n, uint64_t seed, double amp, cudaStream_t s);
/* GEMM check: *ERR (device, zeroed first) = max over checked entries of
 * |c - ref| / sum |a||b|, ref in double.  A[m,k], B[n,k], C[m,n] row-major;
 * OUT is C's type (NB_CUDA_FP32, FP16, BF16, or INT8 meaning int32).  All
 * of C when FULL, else four rows and four columns. */
cudaError_t cuda_k_gemm_check(const void *a, const void *b, const void *c, int in_dtype,
			      int out, int64_t m, int64_t n, int64_t k, int full, double *err,
			      cudaStream_t s);
/* Stream operations on arrays A, B, C of N elements (ELEM 4 or 8 bytes);
 * SUM accumulates into *SUM (double, device).  Q is the scalar. */
cudaError_t cuda_k_stream(int op, int elem, void *a, void *b, void *c, size_t n, double q,
			  double *sum, int sms, cudaStream_t s);
/* Threads cuda_k_stream runs OP with (its sum's per-thread share sets the
 * rounding bound). */
size_t cuda_k_stream_threads(int op, int elem, size_t n, int sms);
/* Stream check: *ERR = max relative error of the operation's output. */
cudaError_t cuda_k_stream_check(int op, int elem, const void *a, const void *b, const void *c,
				size_t n, double q, double *err, cudaStream_t s);
/* Reference sum of A in double into *SUM and of |A| into *ABS. */
cudaError_t cuda_k_sum_ref(int elem, const void *a, size_t n, double *sum, double *abs,
			   cudaStream_t s);
/* Overwrites N bytes at P (evicting the L2). */
cudaError_t cuda_k_flush(void *p, size_t n, cudaStream_t s);
/* Attention reference for ROWS query rows spread over b*h*sq, each the
 * exact softmax(q K^T scale + mask) V in fp32: *ERR = max |o - ref| / AMP. */
cudaError_t cuda_k_attention_check(const void *q, const void *k, const void *v, const void *o,
				   int dtype, int64_t bh, int64_t sq, int64_t sk, int64_t d,
				   int causal, double scale, double amp, int64_t rows,
				   double *err, cudaStream_t s);
/* CSR SpMM check of ROWS rows of C[m,n] (fp32) against A (CSR) times B[k,n]. */
cudaError_t cuda_k_spmm_check(const int *rowptr, const int *col, const void *val, const void *b,
			      const float *c, int dtype, int64_t m, int64_t n, int64_t rows,
			      double *err, cudaStream_t s);

#ifdef __cplusplus
}
#endif

#endif
