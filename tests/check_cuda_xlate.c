/* The plugin's case translation, checked without a GPU: which cuBLASLt,
 * cuDNN and cuSPARSE types, layouts and tolerances a case becomes.  Built
 * only where configure found CUDA (it needs the libraries' headers, not
 * their code). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "cuda/xlate.h"

static struct nb_cuda_case gemm_case(int dtype, int64_t m, int64_t n, int64_t k, int round)
{
	struct nb_cuda_case c;

	memset(&c, 0, sizeof(c));
	c.family = NB_CUDA_GEMM;
	c.dtype = dtype;
	c.m = m, c.n = n, c.k = k, c.round = round;
	return c;
}

/* Every dtype: its cuBLASLt input, output and scale types and compute mode. */
START_TEST(gemm_types)
{
	static const struct {
		int dtype, round;
		cudaDataType_t in, out, scale;
		cublasComputeType_t compute;
		int in_bytes, out_bytes, min_cc;
	} want[] = {
		{ NB_CUDA_FP32, 0, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 4, 4, 50 },
		{ NB_CUDA_TF32, 0, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, 4, 4, 80 },
		{ NB_CUDA_FP16, 0, CUDA_R_16F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 2, 4, 70 },
		{ NB_CUDA_FP16, 1, CUDA_R_16F, CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 2, 2, 70 },
		{ NB_CUDA_BF16, 0, CUDA_R_16BF, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 2, 4, 80 },
		{ NB_CUDA_BF16, 1, CUDA_R_16BF, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, 2, 2, 80 },
		{ NB_CUDA_FP8_E4M3, 0, CUDA_R_8F_E4M3, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 1, 4, 89 },
		{ NB_CUDA_FP8_E4M3, 1, CUDA_R_8F_E4M3, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, 1, 2, 89 },
		{ NB_CUDA_INT8, 0, CUDA_R_8I, CUDA_R_32I, CUDA_R_32I, CUBLAS_COMPUTE_32I, 1, 4, 75 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct nb_cuda_case c = gemm_case(want[i].dtype, 64, 32, 16, want[i].round);
		struct cuda_gemm_desc d;
		char msg[256];

		ck_assert_int_eq(cuda_xlate_gemm(&c, &d, msg, sizeof(msg)), 0);
		ck_assert_msg(d.a_type == want[i].in && d.b_type == want[i].in, "%s: input type %d",
			      cuda_dtype_name(want[i].dtype), (int)d.a_type);
		ck_assert_msg(d.d_type == want[i].out, "%s round=%d: output type %d",
			      cuda_dtype_name(want[i].dtype), want[i].round, (int)d.d_type);
		ck_assert_int_eq(d.scale_type, want[i].scale);
		ck_assert_int_eq(d.compute, want[i].compute);
		ck_assert_int_eq(d.in_bytes, want[i].in_bytes);
		ck_assert_int_eq(d.out_bytes, want[i].out_bytes);
		ck_assert_int_eq(d.min_cc, want[i].min_cc);
	}
}
END_TEST

/* The words of a GEMM case text, to the cuBLASLt types: fp8 (e4m3 with
 * per-tensor scales) and TF32 (dtype=tf32, or fp32 with impl=tf32). */
START_TEST(gemm_case_words)
{
	static const struct {
		const char *dtype, *impl, *fp8, *scale;
		int want;
		cudaDataType_t in;
		cublasComputeType_t compute;
	} ok[] = {
		{ "fp8", NULL, NULL, NULL, NB_CUDA_FP8_E4M3, CUDA_R_8F_E4M3, CUBLAS_COMPUTE_32F },
		{ "fp8", "auto", "e4m3", "tensor", NB_CUDA_FP8_E4M3, CUDA_R_8F_E4M3, CUBLAS_COMPUTE_32F },
		{ "fp8", "cublaslt", "e4m3", NULL, NB_CUDA_FP8_E4M3, CUDA_R_8F_E4M3, CUBLAS_COMPUTE_32F },
		{ "fp32", "tf32", NULL, NULL, NB_CUDA_TF32, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32 },
		{ "tf32", NULL, NULL, NULL, NB_CUDA_TF32, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32 },
		{ "tf32", "tf32", NULL, NULL, NB_CUDA_TF32, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32 },
		{ "fp32", NULL, NULL, NULL, NB_CUDA_FP32, CUDA_R_32F, CUBLAS_COMPUTE_32F },
		{ "fp32", "auto", NULL, NULL, NB_CUDA_FP32, CUDA_R_32F, CUBLAS_COMPUTE_32F },
		{ "bf16", NULL, "e4m3", "tensor", NB_CUDA_BF16, CUDA_R_16BF, CUBLAS_COMPUTE_32F },
		{ "int8", NULL, NULL, NULL, NB_CUDA_INT8, CUDA_R_8I, CUBLAS_COMPUTE_32I },
	};
	static const struct {
		const char *dtype, *impl, *fp8, *scale, *why;
	} refused[] = {
		{ "fp8", NULL, "e5m2", NULL, "no e5m2 x e5m2 GEMM" },
		{ "fp8", NULL, NULL, "cast", "fp8_scale=cast" },
		{ "bf16", "tf32", NULL, NULL, "impl=tf32 multiplies fp32 inputs" },
		{ "fp32", "cutlass", NULL, NULL, "impl=cutlass" },
		{ "fp16", NULL, "e5m2", NULL, "need dtype=fp8" },
		{ "int4", NULL, NULL, NULL, "no cuBLASLt path for dtype int4" },
		{ NULL, NULL, NULL, NULL, "no cuBLASLt path" },
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int dt = cuda_xlate_gemm_dtype(ok[i].dtype, ok[i].impl, ok[i].fp8, ok[i].scale, msg, sizeof(msg));
		struct nb_cuda_case c = gemm_case(dt, 64, 32, 16, 0);
		struct cuda_gemm_desc d;

		ck_assert_msg(dt == ok[i].want, "%s impl=%s: %d (%s)", ok[i].dtype, ok[i].impl, dt, msg);
		ck_assert_int_eq(cuda_xlate_gemm(&c, &d, msg, sizeof(msg)), 0);
		ck_assert_int_eq(d.a_type, ok[i].in);
		ck_assert_int_eq(d.compute, ok[i].compute);
		/* Both fp8 operands e4m3, in the TN form cuBLASLt requires. */
		if (dt == NB_CUDA_FP8_E4M3)
			ck_assert(d.b_type == CUDA_R_8F_E4M3 && d.transa == CUBLAS_OP_T &&
				  d.transb == CUBLAS_OP_N && d.min_cc == 89);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		msg[0] = '\0';
		ck_assert_int_eq(cuda_xlate_gemm_dtype(refused[i].dtype, refused[i].impl, refused[i].fp8,
						       refused[i].scale, msg, sizeof(msg)), -1);
		ck_assert_msg(strstr(msg, refused[i].why), "'%s' lacks '%s'", msg, refused[i].why);
	}
}
END_TEST

/* Row-major C[m,n] = A[m,k] B[n,k]^T as cuBLASLt's column-major TN:
 * its A is B (k x n, ld k, transposed), its B is A (k x m, ld k), its D is
 * n x m with ld n. */
START_TEST(gemm_layout)
{
	struct nb_cuda_case c = gemm_case(NB_CUDA_BF16, 300, 200, 100, 0);
	struct cuda_gemm_desc d;
	char msg[256];

	ck_assert_int_eq(cuda_xlate_gemm(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.transa, CUBLAS_OP_T);
	ck_assert_int_eq(d.transb, CUBLAS_OP_N);
	ck_assert_int_eq(d.a_rows, 100);
	ck_assert_int_eq(d.a_cols, 200);
	ck_assert_int_eq(d.lda, 100);
	ck_assert_int_eq(d.b_rows, 100);
	ck_assert_int_eq(d.b_cols, 300);
	ck_assert_int_eq(d.ldb, 100);
	ck_assert_int_eq(d.d_rows, 200);
	ck_assert_int_eq(d.d_cols, 300);
	ck_assert_int_eq(d.ldd, 200);
	/* op(A') is n x k and op(B') k x m: the product is n x m, D's shape. */
	ck_assert_int_eq(d.transa == CUBLAS_OP_T ? d.a_cols : d.a_rows, d.d_rows);
	ck_assert_int_eq(d.transb == CUBLAS_OP_N ? d.b_cols : d.b_rows, d.d_cols);
}
END_TEST

/* Tolerances: exact for int8, the fp32 accumulation bound otherwise, and
 * what the type loses on top. */
START_TEST(gemm_tolerance)
{
	struct cuda_gemm_desc d32, dtf, d16, d16r, di8;
	struct nb_cuda_case c;
	char msg[256];

	c = gemm_case(NB_CUDA_FP32, 8, 8, 1022, 0);
	ck_assert_int_eq(cuda_xlate_gemm(&c, &d32, msg, sizeof(msg)), 0);
	ck_assert_double_eq_tol(d32.tol, 1024 * 0x1p-24, 1e-18);
	c.dtype = NB_CUDA_TF32;
	ck_assert_int_eq(cuda_xlate_gemm(&c, &dtf, msg, sizeof(msg)), 0);
	/* Truncated tf32 inputs: each product off by up to 2 x 2^-10. */
	ck_assert_double_eq_tol(dtf.tol - d32.tol, 0x1p-9, 1e-18);
	c.dtype = NB_CUDA_FP16;
	ck_assert_int_eq(cuda_xlate_gemm(&c, &d16, msg, sizeof(msg)), 0);
	ck_assert_double_eq_tol(d16.tol, d32.tol, 1e-18);
	c.round = 1;
	ck_assert_int_eq(cuda_xlate_gemm(&c, &d16r, msg, sizeof(msg)), 0);
	ck_assert_double_eq_tol(d16r.tol - d16.tol, 0x1p-11, 1e-18);
	c = gemm_case(NB_CUDA_INT8, 8, 8, 1020, 0);
	ck_assert_int_eq(cuda_xlate_gemm(&c, &di8, msg, sizeof(msg)), 0);
	ck_assert(di8.tol == 0);
}
END_TEST

/* Whether translation RC with message MSG is the verdict wanted: taken
 * (OK), or refused with a message saying WHY (NULL: any message). */
static void verdict(const char *what, int rc, const char *msg, int ok, const char *why)
{
	ck_assert_msg(rc == (ok ? 0 : -1), "%s: %s (%s)", what, rc ? "refused" : "taken", msg);
	if (!ok && why)
		ck_assert_msg(strstr(msg, why), "%s: '%s' lacks '%s'", what, msg, why);
}

START_TEST(gemm_refused)
{
	static const struct {
		int dtype;
		int64_t m, n, k;
		int ok;
		const char *why;
	} cases[] = {
		{ NB_CUDA_FP64, 8, 8, 8, 0, "fp64" },
		{ NB_CUDA_FP16, 0, 8, 8, 0, NULL },
		/* cuBLASLt's int8 and fp8 kernels: aligned k and n (its m), any m. */
		{ NB_CUDA_INT8, 7, 8, 6, 0, "multiples of 4" },
		{ NB_CUDA_INT8, 7, 6, 8, 0, NULL },
		{ NB_CUDA_INT8, 7, 12, 8, 1, NULL },
		{ NB_CUDA_FP8_E4M3, 1, 24, 32, 0, "multiples of 16" },
		{ NB_CUDA_FP8_E4M3, 1, 32, 24, 0, NULL },
		{ NB_CUDA_FP8_E4M3, 1, 32, 48, 1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_cuda_case c = gemm_case(cases[i].dtype, cases[i].m, cases[i].n, cases[i].k, 0);
		struct cuda_gemm_desc d;
		char msg[256] = "", what[96];

		snprintf(what, sizeof(what), "gemm %s %lldx%lldx%lld", cuda_dtype_name(cases[i].dtype),
			 (long long)cases[i].m, (long long)cases[i].n, (long long)cases[i].k);
		verdict(what, cuda_xlate_gemm(&c, &d, msg, sizeof(msg)), msg, cases[i].ok, cases[i].why);
	}
}
END_TEST

static struct nb_cuda_case attention_case(int dtype, int causal, int64_t sq, int64_t sk, int64_t d)
{
	struct nb_cuda_case c;

	memset(&c, 0, sizeof(c));
	c.family = NB_CUDA_ATTENTION;
	c.dtype = dtype;
	c.batch = 2, c.heads = 3, c.seq_q = sq, c.seq_k = sk, c.head_dim = d;
	c.causal = causal;
	c.amp = 1;
	return c;
}

/* Q, K, V, O packed [b,h,s,d]; K^T the same memory with the last two
 * dimensions swapped; the scale 1/sqrt(d); the causal offset sk - sq. */
START_TEST(attention_tensors)
{
	struct nb_cuda_case c = attention_case(NB_CUDA_BF16, 1, 100, 160, 64);
	struct cuda_attention_desc d;
	char msg[256];

	ck_assert_int_eq(cuda_xlate_attention(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.io_type, CUDNN_DATA_BFLOAT16);
	ck_assert_int_eq(d.compute_type, CUDNN_DATA_FLOAT);
	ck_assert_int_eq(d.q_dim[0], 2);
	ck_assert_int_eq(d.q_dim[1], 3);
	ck_assert_int_eq(d.q_dim[2], 100);
	ck_assert_int_eq(d.q_dim[3], 64);
	ck_assert_int_eq(d.q_stride[0], 3 * 100 * 64);
	ck_assert_int_eq(d.q_stride[1], 100 * 64);
	ck_assert_int_eq(d.q_stride[2], 64);
	ck_assert_int_eq(d.q_stride[3], 1);
	ck_assert_int_eq(d.k_dim[2], 160);
	ck_assert_int_eq(d.k_stride[1], 160 * 64);
	ck_assert_int_eq(d.kt_dim[2], 64);
	ck_assert_int_eq(d.kt_dim[3], 160);
	ck_assert_int_eq(d.kt_stride[2], 1);
	ck_assert_int_eq(d.kt_stride[3], 64);
	ck_assert_int_eq(d.kt_stride[1], d.k_stride[1]);
	ck_assert_int_eq(d.s_dim[2], 100);
	ck_assert_int_eq(d.s_dim[3], 160);
	ck_assert_int_eq(d.s_stride[2], 160);
	ck_assert_double_eq_tol(d.scale, 0.125, 1e-15);
	ck_assert_int_eq(d.causal, 1);
	ck_assert_int_eq(d.diag_offset, 60);
	/* The shift as cudnn_frontend writes it: + seq_k, then - seq_q. */
	ck_assert_int_eq(d.mask_add, 160);
	ck_assert_int_eq(d.mask_sub, 100);
	/* P enters the second matmul in the I/O type. */
	ck_assert_int_eq(d.p_type, CUDNN_DATA_BFLOAT16);
	c.dtype = NB_CUDA_FP16;
	ck_assert_int_eq(cuda_xlate_attention(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.io_type, CUDNN_DATA_HALF);
	ck_assert_int_eq(d.p_type, CUDNN_DATA_HALF);
	/* Square or not causal: no shift (the plain top-left pattern). */
	c = attention_case(NB_CUDA_FP16, 1, 128, 128, 64);
	ck_assert_int_eq(cuda_xlate_attention(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.mask_add, 0);
	ck_assert_int_eq(d.mask_sub, 0);
	c = attention_case(NB_CUDA_FP16, 0, 100, 160, 64);
	ck_assert_int_eq(cuda_xlate_attention(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.mask_add, 0);
	ck_assert_int_eq(d.mask_sub, 0);
	ck_assert(d.tol < 0x1p-6);
}
END_TEST

START_TEST(attention_refused)
{
	static const struct {
		int dtype, causal;
		int64_t sq, sk, d;
		const char *why;
	} cases[] = {
		{ NB_CUDA_FP32, 0, 64, 64, 64, "fp32" },
		{ NB_CUDA_FP16, 0, 64, 64, 60, "head_dim" },
		{ NB_CUDA_FP16, 1, 128, 64, 64, "seq_q <= seq_k" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nb_cuda_case c = attention_case(cases[i].dtype, cases[i].causal, cases[i].sq,
						       cases[i].sk, cases[i].d);
		struct cuda_attention_desc d;
		char msg[256] = "";

		verdict(cases[i].why, cuda_xlate_attention(&c, &d, msg, sizeof(msg)), msg, 0, cases[i].why);
	}
}
END_TEST

START_TEST(spmm_types)
{
	struct nb_cuda_case c;
	struct cuda_spmm_desc d;
	char msg[256];

	memset(&c, 0, sizeof(c));
	c.family = NB_CUDA_SPMM;
	c.sparsity = NB_CUDA_SPARSE_CSR;
	c.dtype = NB_CUDA_FP16;
	c.m = c.n = c.k = 4096;
	c.density = 0.05;
	ck_assert_int_eq(cuda_xlate_spmm(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.value_type, CUDA_R_16F);
	ck_assert_int_eq(d.compute_type, CUDA_R_32F);
	ck_assert_int_eq(d.index_type, CUSPARSE_INDEX_32I);
	ck_assert_int_eq(d.order, CUSPARSE_ORDER_ROW);
	c.dtype = NB_CUDA_BF16;
	ck_assert_int_eq(cuda_xlate_spmm(&c, &d, msg, sizeof(msg)), 0);
	ck_assert_int_eq(d.value_type, CUDA_R_16BF);
	c.sparsity = NB_CUDA_SPARSE_2_4;
	ck_assert_int_eq(cuda_xlate_spmm(&c, &d, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "cuSPARSELt"));
	ck_assert_ptr_nonnull(strstr(msg, "not packaged"));
	c.sparsity = NB_CUDA_SPARSE_CSR;
	c.m = c.k = 1 << 20;
	c.density = 0.5;
	ck_assert_int_eq(cuda_xlate_spmm(&c, &d, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "32-bit"));
}
END_TEST

START_TEST(stream_arrays)
{
	static const int rw[][3] = {
		{ NB_CUDA_COPY, 1, 1 }, { NB_CUDA_SCALE, 1, 1 }, { NB_CUDA_ADD, 2, 1 },
		{ NB_CUDA_TRIAD, 2, 1 }, { NB_CUDA_SUM, 1, 0 }, { NB_CUDA_FILL, 0, 1 },
		{ NB_CUDA_MEMCPY, 1, 1 },
	};
	struct nb_cuda_case c;
	struct cuda_stream_desc d;
	char msg[256];

	memset(&c, 0, sizeof(c));
	c.family = NB_CUDA_STREAM;
	c.elems = 1000;
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		c.op = rw[i][0];
		c.dtype = NB_CUDA_FP64;
		ck_assert_int_eq(cuda_xlate_stream(&c, &d, msg, sizeof(msg)), 0);
		ck_assert_int_eq(d.elem_bytes, 8);
		ck_assert_int_eq(d.reads, rw[i][1]);
		ck_assert_int_eq(d.writes, rw[i][2]);
		c.dtype = NB_CUDA_FP32;
		ck_assert_int_eq(cuda_xlate_stream(&c, &d, msg, sizeof(msg)), 0);
		ck_assert_int_eq(d.elem_bytes, 4);
	}
	c.dtype = NB_CUDA_FP16;
	ck_assert_int_eq(cuda_xlate_stream(&c, &d, msg, sizeof(msg)), -1);
}
END_TEST

/* The L2 flush overwrites twice the L2 (H200: 50 MiB, so 100 MiB). */
START_TEST(flush_size)
{
	ck_assert_uint_eq(cuda_flush_bytes(50 << 20), (size_t)100 << 20);
	ck_assert_uint_eq(cuda_flush_bytes(40 << 20), (size_t)80 << 20);
	/* Unknown: 64 MiB assumed. */
	ck_assert_uint_eq(cuda_flush_bytes(0), (size_t)128 << 20);
	ck_assert_uint_eq(cuda_flush_bytes(-1), (size_t)128 << 20);
}
END_TEST

/* Workspace: kept when it suffices, grown to whole MiB, refused past an
 * eighth of device memory. */
START_TEST(workspace_size)
{
	uint64_t gib = 1ull << 30, mem = 141 * gib;

	ck_assert_uint_eq(CUDA_WORKSPACE_BYTES, (size_t)32 << 20);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, 0, mem), CUDA_WORKSPACE_BYTES);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, 5 << 20, mem), CUDA_WORKSPACE_BYTES);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, 32 << 20, mem), CUDA_WORKSPACE_BYTES);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, (32 << 20) + 1, mem), (size_t)33 << 20);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, (size_t)3 << 30, mem), (size_t)3 << 30);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, (size_t)mem / 8 + 1, mem), 0);
	ck_assert_uint_eq(cuda_workspace_bytes(CUDA_WORKSPACE_BYTES, (size_t)1 << 30, 4 * gib), 0);
}
END_TEST

static void track(struct cuda_clock_span *c, int valid, double sm, double mem)
{
	struct nb_cuda_sensors s = { valid, sm, mem, 300, 40 };

	cuda_clock_track(c, &s);
}

/* Clocks moved: either clock more than 2% below its highest reading. */
START_TEST(clocks_moved)
{
	struct cuda_clock_span c;

	/* Steady. */
	cuda_clock_span_init(&c);
	track(&c, 1, 1980, 3201);
	track(&c, 1, 1980, 3201);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 0);
	/* Within 2%: 1950 of 1980 is 1.5% down. */
	track(&c, 1, 1950, 3201);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 0);
	/* Throttled SM clock: 1755 of 1980 is 11% down. */
	track(&c, 1, 1755, 3201);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 1);
	/* The memory clock alone. */
	cuda_clock_span_init(&c);
	track(&c, 1, 1980, 3201);
	track(&c, 1, 1980, 2619);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 1);
	/* Invalid readings (NVML missing) never flag; one reading cannot. */
	cuda_clock_span_init(&c);
	track(&c, 0, 0, 0);
	track(&c, 1, 1980, 3201);
	track(&c, 0, 100, 100);
	ck_assert_int_eq(c.readings, 1);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 0);
	cuda_clock_span_init(&c);
	ck_assert_int_eq(cuda_clocks_moved(&c, 0.02), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cuda_xlate");
	TCase *t = tcase_create("translate");

	tcase_add_test(t, gemm_types);
	tcase_add_test(t, gemm_case_words);
	tcase_add_test(t, gemm_layout);
	tcase_add_test(t, gemm_tolerance);
	tcase_add_test(t, gemm_refused);
	tcase_add_test(t, attention_tensors);
	tcase_add_test(t, attention_refused);
	tcase_add_test(t, spmm_types);
	tcase_add_test(t, stream_arrays);
	tcase_add_test(t, flush_size);
	tcase_add_test(t, workspace_size);
	tcase_add_test(t, clocks_moved);
	suite_add_tcase(s, t);
	return check_run(srunner_create(s));
}
