/* Case to library descriptors (see xlate.h); no CUDA call is made here. */
#include "cuda/xlate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *cuda_dtype_name(int dtype)
{
	static const char *const names[] = {
		[NB_CUDA_FP64] = "fp64", [NB_CUDA_FP32] = "fp32", [NB_CUDA_TF32] = "tf32",
		[NB_CUDA_FP16] = "fp16", [NB_CUDA_BF16] = "bf16", [NB_CUDA_FP8_E4M3] = "fp8",
		[NB_CUDA_INT8] = "int8",
	};

	return dtype >= 0 && dtype < NB_CUDA_DTYPE_COUNT ? names[dtype] : "?";
}

/* Per input dtype: cuBLASLt's types and compute mode, the size of C, and
 * the verification tolerance.  Inputs are exact in their type and the
 * reference reads the same inputs in double, so the error is the
 * accumulation's ((k+2) 2^-24 of sum |a||b| in fp32) plus what the type
 * itself loses: tf32 keeps 11 significant bits of each input, and since
 * the tensor cores may truncate rather than round (cuBLAS does not promise
 * either), each product may lose 2 x 2^-10; fp8 tensor
 * cores on Hopper keep about 14 bits while accumulating (DeepSeek-V3
 * technical report, 3.3.2), bounded loosely by 2^-9; C rounded to a 16-bit
 * type adds its unit roundoff. */
static const struct gemm_type {
	int dtype;
	cublasComputeType_t compute;
	cudaDataType_t scale, in, out, out_round;
	int in_bytes, out_bytes, out_round_bytes, min_cc;
	double type_err, round_err;
	int align;	/* k and n must be multiples of this (0: any) */
} gemm_types[] = {
	{ NB_CUDA_FP32, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F,
	  4, 4, 4, 50, 0, 0, 0 },
	{ NB_CUDA_TF32, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F,
	  4, 4, 4, 80, 0x1p-9, 0, 0 },
	{ NB_CUDA_FP16, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F, CUDA_R_32F, CUDA_R_16F,
	  2, 4, 2, 70, 0, 0x1p-11, 0 },
	{ NB_CUDA_BF16, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16BF, CUDA_R_32F, CUDA_R_16BF,
	  2, 4, 2, 80, 0, 0x1p-8, 0 },
	{ NB_CUDA_FP8_E4M3, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_8F_E4M3, CUDA_R_32F, CUDA_R_16BF,
	  1, 4, 2, 89, 0x1p-9, 0x1p-8, 16 },
	{ NB_CUDA_INT8, CUBLAS_COMPUTE_32I, CUDA_R_32I, CUDA_R_8I, CUDA_R_32I, CUDA_R_32I,
	  1, 4, 4, 75, 0, 0, 4 },
};

int cuda_xlate_gemm(const struct nb_cuda_case *c, struct cuda_gemm_desc *d, char *msg, size_t msglen)
{
	const struct gemm_type *t = NULL;

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < sizeof(gemm_types) / sizeof(gemm_types[0]); i++)
		if (gemm_types[i].dtype == c->dtype)
			t = &gemm_types[i];
	if (!t) {
		snprintf(msg, msglen, "gemm: no cuBLASLt path for dtype %s", cuda_dtype_name(c->dtype));
		return -1;
	}
	if (c->m < 1 || c->n < 1 || c->k < 1) {
		snprintf(msg, msglen, "gemm: m, n and k must be positive");
		return -1;
	}
	/* cuBLASLt's int8 (IMMA) kernels with the plain column order need the
	 * leading dimensions and its m and k multiples of 4; its fp8 kernels
	 * need 16-byte aligned rows.  Its m and the leading dimension of D are
	 * our n, lda and ldb our k (see xlate.h). */
	if (t->align && (c->k % t->align || c->n % t->align)) {
		snprintf(msg, msglen, "gemm dtype=%s: cuBLASLt needs k and n multiples of %d, got n=%lld "
			 "k=%lld", cuda_dtype_name(c->dtype), t->align, (long long)c->n, (long long)c->k);
		return -1;
	}
	d->compute = t->compute;
	d->scale_type = t->scale;
	d->a_type = d->b_type = t->in;
	d->d_type = c->round ? t->out_round : t->out;
	d->in_bytes = t->in_bytes;
	d->out_bytes = c->round ? t->out_round_bytes : t->out_bytes;
	d->min_cc = t->min_cc;
	/* cuBLASLt's A = our B [n,k] read transposed; its B = our A [m,k]. */
	d->transa = CUBLAS_OP_T;
	d->transb = CUBLAS_OP_N;
	d->a_rows = (uint64_t)c->k;
	d->a_cols = (uint64_t)c->n;
	d->lda = c->k;
	d->b_rows = (uint64_t)c->k;
	d->b_cols = (uint64_t)c->m;
	d->ldb = c->k;
	d->d_rows = (uint64_t)c->n;
	d->d_cols = (uint64_t)c->m;
	d->ldd = c->n;
	d->tol = t->dtype == NB_CUDA_INT8 ? 0
		: (double)(c->k + 2) * 0x1p-24 + t->type_err + (c->round ? t->round_err : 0);
	d->layout = "A[m,k] row-major, B[n,k] row-major (k contiguous), C[m,n] row-major";
	return 0;
}

int cuda_xlate_gemm_dtype(const char *dtype, const char *impl, const char *fp8, const char *fp8_scale,
			  char *msg, size_t msglen)
{
	static const struct { const char *name; int dtype; } names[] = {
		{ "fp32", NB_CUDA_FP32 }, { "tf32", NB_CUDA_TF32 }, { "fp16", NB_CUDA_FP16 },
		{ "bf16", NB_CUDA_BF16 }, { "fp8", NB_CUDA_FP8_E4M3 }, { "int8", NB_CUDA_INT8 },
	};
	int dt = -1;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && dtype; i++)
		if (!strcmp(dtype, names[i].name))
			dt = names[i].dtype;
	if (dt < 0) {
		snprintf(msg, msglen, "gemm: no cuBLASLt path for dtype %s", dtype ? dtype : "(none)");
		return -1;
	}
	if (impl && strcmp(impl, "auto") && strcmp(impl, "cublaslt")) {
		if (strcmp(impl, "tf32")) {
			snprintf(msg, msglen, "gemm impl=%s: the GPU runs cuBLASLt (impl=auto, cublaslt or "
				 "tf32)", impl);
			return -1;
		}
		/* TF32 is a way of multiplying fp32 inputs, not a storage type. */
		if (dt != NB_CUDA_FP32 && dt != NB_CUDA_TF32) {
			snprintf(msg, msglen, "gemm impl=tf32 multiplies fp32 inputs; dtype=%s has its own "
				 "path (drop impl=tf32)", dtype);
			return -1;
		}
		dt = NB_CUDA_TF32;
	}
	if (dt != NB_CUDA_FP8_E4M3) {
		if ((fp8 && strcmp(fp8, "e4m3")) || (fp8_scale && strcmp(fp8_scale, "tensor"))) {
			snprintf(msg, msglen, "gemm fp8=/fp8_scale= need dtype=fp8, got dtype=%s", dtype);
			return -1;
		}
		return dt;
	}
	/* cuBLASLt multiplies e4m3 by e4m3 or mixes it with e5m2, never e5m2
	 * by e5m2; the plugin runs e4m3 x e4m3 (forward-pass GEMMs). */
	if (fp8 && strcmp(fp8, "e4m3")) {
		snprintf(msg, msglen, "gemm dtype=fp8 fp8=%s: the GPU path multiplies e4m3 inputs "
			 "(cuBLASLt has no e5m2 x e5m2 GEMM)", fp8);
		return -1;
	}
	if (fp8_scale && strcmp(fp8_scale, "tensor")) {
		snprintf(msg, msglen, "gemm dtype=fp8 fp8_scale=%s: the GPU path takes inputs already in "
			 "fp8 with per-tensor scales (fp8_scale=tensor); it has no cast pass", fp8_scale);
		return -1;
	}
	return dt;
}

/* Row-major strides of a 4-d tensor with dimensions DIM. */
static void packed(const int64_t dim[4], int64_t stride[4])
{
	stride[3] = 1;
	for (int i = 2; i >= 0; i--)
		stride[i] = stride[i + 1] * dim[i + 1];
}

int cuda_xlate_attention(const struct nb_cuda_case *c, struct cuda_attention_desc *d,
			 char *msg, size_t msglen)
{
	int64_t b = c->batch, h = c->heads, sq = c->seq_q, sk = c->seq_k, hd = c->head_dim;

	memset(d, 0, sizeof(*d));
	if (c->dtype == NB_CUDA_FP16) {
		d->io_type = CUDNN_DATA_HALF;
		d->tol = 0x1p-9;
	} else if (c->dtype == NB_CUDA_BF16) {
		d->io_type = CUDNN_DATA_BFLOAT16;
		d->tol = 0x1p-6;
	} else {
		snprintf(msg, msglen, "attention: cuDNN's fused attention takes fp16 or bf16, not %s",
			 cuda_dtype_name(c->dtype));
		return -1;
	}
	if (c->causal && sq > sk) {
		snprintf(msg, msglen, "attention: causal needs seq_q <= seq_k, got seq_q=%lld seq_k=%lld",
			 (long long)sq, (long long)sk);
		return -1;
	}
	if (sq < 1 || sk < 1 || sq > INT32_MAX || sk > INT32_MAX) {
		snprintf(msg, msglen, "attention: seq_q=%lld seq_k=%lld, expected 1 to %d (cuDNN's "
			 "indices are 32-bit)", (long long)sq, (long long)sk, INT32_MAX);
		return -1;
	}
	/* cuDNN's fused kernels need the head dimension a multiple of 8 and
	 * at most 256. */
	if (hd % 8 || hd > 256) {
		snprintf(msg, msglen, "attention: cuDNN's fused attention needs head_dim a multiple "
			 "of 8 up to 256, got %lld", (long long)hd);
		return -1;
	}
	d->compute_type = CUDNN_DATA_FLOAT;
	d->elem_bytes = 2;
	d->min_cc = 80;
	d->scale = 1.0 / sqrt((double)hd);
	d->causal = c->causal;
	d->diag_offset = sk - sq;
	if (d->causal && d->diag_offset) {
		d->mask_add = (int32_t)sk;
		d->mask_sub = (int32_t)sq;
	}
	d->p_type = d->io_type;
	d->q_dim[0] = b, d->q_dim[1] = h, d->q_dim[2] = sq, d->q_dim[3] = hd;
	packed(d->q_dim, d->q_stride);
	d->k_dim[0] = b, d->k_dim[1] = h, d->k_dim[2] = sk, d->k_dim[3] = hd;
	packed(d->k_dim, d->k_stride);
	/* K^T is K's memory read with the last two dimensions swapped. */
	d->kt_dim[0] = b, d->kt_dim[1] = h, d->kt_dim[2] = hd, d->kt_dim[3] = sk;
	d->kt_stride[0] = d->k_stride[0], d->kt_stride[1] = d->k_stride[1];
	d->kt_stride[2] = 1, d->kt_stride[3] = hd;
	d->s_dim[0] = b, d->s_dim[1] = h, d->s_dim[2] = sq, d->s_dim[3] = sk;
	packed(d->s_dim, d->s_stride);
	memcpy(d->o_dim, d->q_dim, sizeof(d->o_dim));
	packed(d->o_dim, d->o_stride);
	return 0;
}

int cuda_xlate_spmm(const struct nb_cuda_case *c, struct cuda_spmm_desc *d, char *msg, size_t msglen)
{
	memset(d, 0, sizeof(*d));
	if (c->sparsity == NB_CUDA_SPARSE_2_4) {
		snprintf(msg, msglen, "spmm pattern=2:4 needs cuSPARSELt, which is not packaged with "
			 "this CUDA toolkit: only pattern=csr runs on the GPU");
		return -1;
	}
	switch (c->dtype) {
	case NB_CUDA_FP32: d->value_type = CUDA_R_32F, d->elem_bytes = 4; break;
	case NB_CUDA_FP16: d->value_type = CUDA_R_16F, d->elem_bytes = 2; break;
	case NB_CUDA_BF16: d->value_type = CUDA_R_16BF, d->elem_bytes = 2; break;
	default:
		snprintf(msg, msglen, "spmm: no cuSPARSE path for dtype %s", cuda_dtype_name(c->dtype));
		return -1;
	}
	d->compute_type = CUDA_R_32F;
	d->index_type = CUSPARSE_INDEX_32I;
	d->order = CUSPARSE_ORDER_ROW;
	d->alg = CUSPARSE_SPMM_ALG_DEFAULT;
	d->tol = (double)(c->k + 2) * 0x1p-24;
	if ((double)c->m * (double)c->k * c->density >= 2147483647.0) {
		snprintf(msg, msglen, "spmm: %.0f non-zeros exceed the 32-bit CSR indices",
			 (double)c->m * (double)c->k * c->density);
		return -1;
	}
	return 0;
}

int cuda_xlate_stream(const struct nb_cuda_case *c, struct cuda_stream_desc *d, char *msg, size_t msglen)
{
	static const int rw[][2] = {
		[NB_CUDA_COPY] = { 1, 1 }, [NB_CUDA_SCALE] = { 1, 1 }, [NB_CUDA_ADD] = { 2, 1 },
		[NB_CUDA_TRIAD] = { 2, 1 }, [NB_CUDA_SUM] = { 1, 0 }, [NB_CUDA_FILL] = { 0, 1 },
		[NB_CUDA_MEMCPY] = { 1, 1 },
	};

	memset(d, 0, sizeof(*d));
	if (c->dtype != NB_CUDA_FP32 && c->dtype != NB_CUDA_FP64) {
		snprintf(msg, msglen, "stream: dtype %s, expected fp32 or fp64", cuda_dtype_name(c->dtype));
		return -1;
	}
	if (c->op < 0 || c->op > NB_CUDA_MEMCPY || c->elems < 1) {
		snprintf(msg, msglen, "stream: bad operation %d or size %lld", c->op, (long long)c->elems);
		return -1;
	}
	d->elem_bytes = c->dtype == NB_CUDA_FP64 ? 8 : 4;
	d->reads = rw[c->op][0];
	d->writes = rw[c->op][1];
	return 0;
}

size_t cuda_flush_bytes(int64_t l2_bytes)
{
	return 2 * (l2_bytes > 0 ? (size_t)l2_bytes : (size_t)64 << 20);
}

size_t cuda_workspace_bytes(size_t have, size_t want, uint64_t mem_bytes)
{
	size_t mib = (size_t)1 << 20;

	if (want <= have)
		return have;
	want = (want + mib - 1) / mib * mib;
	return mem_bytes > 0 && want > mem_bytes / 8 ? 0 : want;
}

void cuda_clock_span_init(struct cuda_clock_span *c)
{
	c->lo[0] = c->lo[1] = INFINITY;
	c->hi[0] = c->hi[1] = 0;
	c->readings = 0;
}

void cuda_clock_track(struct cuda_clock_span *c, const struct nb_cuda_sensors *s)
{
	double v[2] = { s->sm_mhz, s->mem_mhz };

	if (!s->valid)
		return;
	c->readings++;
	for (int i = 0; i < 2; i++) {
		if (v[i] < c->lo[i])
			c->lo[i] = v[i];
		if (v[i] > c->hi[i])
			c->hi[i] = v[i];
	}
}

int cuda_clocks_moved(const struct cuda_clock_span *c, double tolerance)
{
	for (int i = 0; i < 2; i++)
		if (c->readings > 1 && c->hi[i] > 0 && c->hi[i] - c->lo[i] > tolerance * c->hi[i])
			return 1;
	return 0;
}
