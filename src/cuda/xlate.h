/* How a case becomes library descriptors: cuBLASLt matrix layouts and
 * types for gemm, cuDNN tensors for attention, cuSPARSE types for spmm.
 * Pure C over the libraries' enum values: nothing here launches or links
 * CUDA, so unit tests check the translation on machines without a GPU. */
#ifndef NB_CUDA_XLATE_H
#define NB_CUDA_XLATE_H

#include <stddef.h>
#include <stdint.h>

#include <cublasLt.h>
#include <cudnn_graph.h>
#include <cusparse.h>
#include <library_types.h>

#include "targets/cuda-plugin.h"

/* GEMM, row-major C[m,n] = A[m,k] B with B stored as [n,k] (k contiguous,
 * the weight layout of a linear layer).  cuBLASLt is column-major, so it
 * computes C^T = B A^T: its A is our B transposed (op T), its B is our A
 * (op N), its D (n x m, ld n) is our C row-major.  This "TN" form is the
 * one every cuBLASLt int8 and fp8 kernel accepts. */
struct cuda_gemm_desc {
	cublasComputeType_t compute;
	cudaDataType_t scale_type;	/* alpha and beta */
	cudaDataType_t a_type, b_type, d_type;	/* cuBLASLt's A, B, C = D */
	cublasOperation_t transa, transb;
	uint64_t a_rows, a_cols, b_rows, b_cols, d_rows, d_cols;
	int64_t lda, ldb, ldd;
	int in_bytes, out_bytes;	/* element sizes of our A/B and of C */
	int min_cc;			/* compute capability it needs, 10*major+minor */
	double tol;			/* verification: max |c-ref| / sum |a||b| */
	const char *layout;		/* for people */
};

int cuda_xlate_gemm(const struct nb_cuda_case *c, struct cuda_gemm_desc *d, char *msg, size_t msglen);

/* The input type a GEMM case text asks cuBLASLt for, from its words:
 * DTYPE as written ("fp32", "tf32", "fp16", "bf16", "fp8", "int8"); IMPL,
 * the case's impl= (NULL, "auto" or "cublaslt": the dtype's own path;
 * "tf32": fp32 inputs multiplied as TF32, as `dtype=tf32`); FP8, the fp8=
 * storage format (NULL or "e4m3"); FP8_SCALE, fp8_scale= (NULL or
 * "tensor": inputs already fp8 with per-tensor scales).  Returns the enum
 * nb_cuda_dtype, or -1 with the reason in MSG. */
int cuda_xlate_gemm_dtype(const char *dtype, const char *impl, const char *fp8, const char *fp8_scale,
			  char *msg, size_t msglen);

/* Attention: Q[b,h,sq,d], K and V [b,h,sk,d], O[b,h,sq,d], each contiguous
 * in that order; the scores S = Q K^T scaled by 1/sqrt(d), the causal mask
 * bottom-right aligned (row i sees keys j <= i + sk - sq), as on the host. */
struct cuda_attention_desc {
	cudnnDataType_t io_type;	/* Q, K, V, O */
	cudnnDataType_t compute_type;	/* scores, softmax, accumulation */
	int64_t q_dim[4], q_stride[4];
	int64_t k_dim[4], k_stride[4];	/* V has the same */
	int64_t kt_dim[4], kt_stride[4];	/* K^T as the first matmul's B */
	int64_t s_dim[4], s_stride[4];	/* scores, virtual */
	int64_t o_dim[4], o_stride[4];
	double scale;
	int causal;
	int64_t diag_offset;		/* sk - sq: keys row i sees past the diagonal */
	/* The bottom-right shift as cudnn_frontend spells it, the pattern
	 * cuDNN's fused engines match: row + mask_add - mask_sub >= column
	 * (both 0 when sk == sq, the plain top-left mask). */
	int32_t mask_add, mask_sub;
	/* The softmax output P fed to the second matmul: cuDNN's fused
	 * engines take that operand in the I/O type, not fp32. */
	cudnnDataType_t p_type;
	int elem_bytes;
	int min_cc;
	double tol;			/* max |o-ref| / max|v| */
};

int cuda_xlate_attention(const struct nb_cuda_case *c, struct cuda_attention_desc *d,
			 char *msg, size_t msglen);

/* SpMM, CSR A[m,k] (int32 offsets and columns) times dense row-major
 * B[k,n] into row-major C[m,n], fp32 accumulation. */
struct cuda_spmm_desc {
	cudaDataType_t value_type;	/* A and B values */
	cudaDataType_t compute_type;	/* and C */
	cusparseIndexType_t index_type;
	cusparseOrder_t order;
	cusparseSpMMAlg_t alg;
	int elem_bytes;
	double tol;
};

int cuda_xlate_spmm(const struct nb_cuda_case *c, struct cuda_spmm_desc *d, char *msg, size_t msglen);

/* Stream: element size and the arrays each operation reads and writes. */
struct cuda_stream_desc {
	int elem_bytes;
	int reads, writes;
};

int cuda_xlate_stream(const struct nb_cuda_case *c, struct cuda_stream_desc *d, char *msg, size_t msglen);

/* Timing decisions, pure too. */

/* Bytes overwritten before a sample to evict the L2: twice L2_BYTES, so
 * that nothing an earlier sample left survives whatever the replacement
 * policy; 64 MiB each way when the size is unknown (0). */
size_t cuda_flush_bytes(int64_t l2_bytes);

/* The library workspace: what cuBLASLt wants for its best kernels
 * (32 MiB, cuBLAS documentation, cublasSetWorkspace) kept from the start;
 * a cuDNN plan wanting more (WANT) grows it, rounded up to a MiB, up to an
 * eighth of the device's memory MEM_BYTES.  Returns the size to hold:
 * HAVE when it suffices, 0 when WANT is over the cap. */
#define CUDA_WORKSPACE_BYTES ((size_t)32 << 20)
size_t cuda_workspace_bytes(size_t have, size_t want, uint64_t mem_bytes);

/* The SM and memory clocks seen across a case: lowest and highest of the
 * valid NVML readings tracked. */
struct cuda_clock_span {
	double lo[2], hi[2];	/* [0] SM, [1] memory, MHz */
	int readings;
};

void cuda_clock_span_init(struct cuda_clock_span *c);
void cuda_clock_track(struct cuda_clock_span *c, const struct nb_cuda_sensors *s);
/* Whether either clock moved by more than TOLERANCE (a fraction of its
 * highest reading): the case ran at more than one speed. */
int cuda_clocks_moved(const struct cuda_clock_span *c, double tolerance);

/* "fp16", "bf16", ... for messages. */
const char *cuda_dtype_name(int dtype);

#endif
