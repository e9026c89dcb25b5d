/* GEMM through cuBLASLt: the descriptors from cuda_xlate_gemm, the
 * heuristic's first algorithm within the workspace, and that algorithm's
 * identity recorded as the implementation. */
#include "cuda/plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/xlate.h"

struct gemm_state {
	struct nb_cuda_case c;
	struct cuda_gemm_desc x;
	cublasLtHandle_t lt;
	cublasLtMatmulDesc_t op;
	cublasLtMatrixLayout_t la, lb, ld;
	cublasLtMatmulAlgo_t algo;
	size_t ws_bytes;
	void *ws;
	void *a, *b, *c_;	/* our A[m,k], B[n,k], C[m,n] */
	double *err;
	float alpha_f, beta_f;
	int32_t alpha_i, beta_i;
};

void cuda_gemm_close(struct cuda_dev *d)
{
	if (d->lt)
		cublasLtDestroy((cublasLtHandle_t)d->lt);
	d->lt = NULL;
}

static int gemm_launch(struct cuda_job *j, cudaStream_t s)
{
	struct gemm_state *g = j->state;
	const void *alpha = g->x.scale_type == CUDA_R_32I ? (const void *)&g->alpha_i : &g->alpha_f;
	const void *beta = g->x.scale_type == CUDA_R_32I ? (const void *)&g->beta_i : &g->beta_f;
	/* cuBLASLt's A is our B, its B our A (see xlate.h). */
	cublasStatus_t st = cublasLtMatmul(g->lt, g->op, alpha, g->b, g->la, g->a, g->lb, beta,
					   g->c_, g->ld, g->c_, g->ld, &g->algo, g->ws, g->ws_bytes, s);

	if (st != CUBLAS_STATUS_SUCCESS) {
		snprintf(j->err, sizeof(j->err), "cublasLtMatmul: %s", cublasLtGetStatusString(st));
		return -1;
	}
	return 0;
}

static int gemm_verify(struct cuda_job *j, struct cuda_dev *d, struct nb_cuda_result *r)
{
	struct gemm_state *g = j->state;
	int full = (double)g->c.m * (double)g->c.n * (double)g->c.k <= 134217728.0;
	int out = g->x.d_type == CUDA_R_32I ? NB_CUDA_INT8
		: g->x.d_type == CUDA_R_16F ? NB_CUDA_FP16
		: g->x.d_type == CUDA_R_16BF ? NB_CUDA_BF16 : NB_CUDA_FP32;
	double err = 0;

	if (cuda_k_gemm_check(g->a, g->b, g->c_, g->c.dtype, out, g->c.m, g->c.n, g->c.k, full,
			      g->err, d->stream) != cudaSuccess ||
	    cudaMemcpyAsync(&err, g->err, sizeof(err), cudaMemcpyDeviceToHost, d->stream) != cudaSuccess ||
	    cudaStreamSynchronize(d->stream) != cudaSuccess)
		return -1;
	r->verify_err = err;
	r->verify_tol = g->x.tol;
	snprintf(r->verify_what, sizeof(r->verify_what), "max |c-ref|/sum|a||b|, %s",
		 full ? "all of C" : "4 rows + 4 columns");
	if (!(err <= g->x.tol))
		r->status = NB_CUDA_RES_VERIFY_FAILED;
	return 0;
}

static void gemm_release(struct cuda_job *j)
{
	struct gemm_state *g = j->state;

	if (!g)
		return;
	if (g->ld)
		cublasLtMatrixLayoutDestroy(g->ld);
	if (g->lb)
		cublasLtMatrixLayoutDestroy(g->lb);
	if (g->la)
		cublasLtMatrixLayoutDestroy(g->la);
	if (g->op)
		cublasLtMatmulDescDestroy(g->op);
	cudaFree(g->a);
	cudaFree(g->b);
	cudaFree(g->c_);
	cudaFree(g->err);
	free(g);
	j->state = NULL;
}

/* The descriptors and layouts; the heuristic's best algorithm. */
static int describe(struct cuda_dev *d, struct gemm_state *g, struct nb_cuda_result *r)
{
	cublasLtMatmulPreference_t pref = NULL;
	cublasLtMatmulHeuristicResult_t h;
	static const cublasLtMatmulAlgoConfigAttributes_t cfg_attr[4] = {
		CUBLASLT_ALGO_CONFIG_ID, CUBLASLT_ALGO_CONFIG_TILE_ID, CUBLASLT_ALGO_CONFIG_STAGES_ID,
		CUBLASLT_ALGO_CONFIG_SPLITK_NUM,
	};
	int found = 0;
	int32_t cfg[4] = { 0, 0, 0, 0 };
	size_t written = 0;
	cublasStatus_t st;

	memset(&h, 0, sizeof(h));
	st = cublasLtMatmulDescCreate(&g->op, g->x.compute, g->x.scale_type);
	if (!st)
		st = cublasLtMatmulDescSetAttribute(g->op, CUBLASLT_MATMUL_DESC_TRANSA, &g->x.transa,
						    sizeof(g->x.transa));
	if (!st)
		st = cublasLtMatmulDescSetAttribute(g->op, CUBLASLT_MATMUL_DESC_TRANSB, &g->x.transb,
						    sizeof(g->x.transb));
	if (!st)
		st = cublasLtMatrixLayoutCreate(&g->la, g->x.a_type, g->x.a_rows, g->x.a_cols, g->x.lda);
	if (!st)
		st = cublasLtMatrixLayoutCreate(&g->lb, g->x.b_type, g->x.b_rows, g->x.b_cols, g->x.ldb);
	if (!st)
		st = cublasLtMatrixLayoutCreate(&g->ld, g->x.d_type, g->x.d_rows, g->x.d_cols, g->x.ldd);
	if (!st)
		st = cublasLtMatmulPreferenceCreate(&pref);
	if (!st)
		st = cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
							  &g->ws_bytes, sizeof(g->ws_bytes));
	if (!st)
		st = cublasLtMatmulAlgoGetHeuristic(g->lt, g->op, g->la, g->lb, g->ld, g->ld, pref, 1,
						    &h, &found);
	if (pref)
		cublasLtMatmulPreferenceDestroy(pref);
	if (st == CUBLAS_STATUS_NOT_SUPPORTED || (!st && found == 0))
		return cuda_fail(r, NB_CUDA_RES_UNSUPPORTED,
				 "cuBLASLt has no algorithm for %s m=%lld n=%lld k=%lld on %s",
				 cuda_dtype_name(g->c.dtype), (long long)g->c.m, (long long)g->c.n,
				 (long long)g->c.k, d->info.name);
	if (st)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "cuBLASLt: %s", cublasLtGetStatusString(st));
	g->algo = h.algo;
	/* The algorithm's identity, for the record only (each attribute a
	 * 32-bit integer; one that cannot be read stays 0). */
	for (int i = 0; i < 4; i++)
		cublasLtMatmulAlgoConfigGetAttribute(&g->algo, cfg_attr[i], &cfg[i], sizeof(cfg[i]), &written);
	snprintf(r->impl, sizeof(r->impl), "cublasLt %s algo=%d tile=%d stages=%d splitk=%d ws=%zuKiB/%zuMiB",
		 g->c.dtype == NB_CUDA_TF32 ? "tf32" : cuda_dtype_name(g->c.dtype), cfg[0], cfg[1],
		 cfg[2], cfg[3], h.workspaceSize >> 10, g->ws_bytes >> 20);
	return 0;
}

int cuda_gemm_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
		      struct nb_cuda_result *r)
{
	struct gemm_state *g = calloc(1, sizeof(*g));
	size_t na, nb, nc;

	if (!g)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "out of memory");
	j->state = g;
	j->launch = gemm_launch;
	j->verify = gemm_verify;
	j->release = gemm_release;
	g->c = *c;
	g->alpha_f = 1, g->alpha_i = 1;
	if (cuda_xlate_gemm(c, &g->x, r->message, sizeof(r->message))) {
		r->status = NB_CUDA_RES_UNSUPPORTED;
		goto fail;
	}
	if (!cuda_has_cc(d, g->x.min_cc)) {
		cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "%s GEMM needs compute capability %d.%d, %s has %d.%d",
			  cuda_dtype_name(c->dtype), g->x.min_cc / 10, g->x.min_cc % 10, d->info.name,
			  d->info.cc_major, d->info.cc_minor);
		goto fail;
	}
	if (!d->lt && cublasLtCreate((cublasLtHandle_t *)&d->lt) != CUBLAS_STATUS_SUCCESS) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot create a cuBLASLt handle");
		goto fail;
	}
	g->lt = d->lt;
	g->ws = d->workspace;
	g->ws_bytes = d->workspace_bytes;
	na = (size_t)c->m * (size_t)c->k * (size_t)g->x.in_bytes;
	nb = (size_t)c->n * (size_t)c->k * (size_t)g->x.in_bytes;
	nc = (size_t)c->m * (size_t)c->n * (size_t)g->x.out_bytes;
	if (!(g->a = cuda_alloc(na, "A", r)) || !(g->b = cuda_alloc(nb, "B", r)) ||
	    !(g->c_ = cuda_alloc(nc, "C", r)) || !(g->err = cuda_alloc(sizeof(double), "the check", r)))
		goto fail;
	if (cuda_k_fill(g->a, c->dtype, (size_t)c->m * (size_t)c->k, c->seed, 1.0, d->stream) ||
	    cuda_k_fill(g->b, c->dtype, (size_t)c->n * (size_t)c->k, c->seed + 1, 1.0, d->stream) ||
	    cudaMemsetAsync(g->c_, 0, nc, d->stream) || cudaStreamSynchronize(d->stream)) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot fill the GEMM inputs");
		goto fail;
	}
	if (describe(d, g, r))
		goto fail;
	return 0;
fail:
	gemm_release(j);
	return -1;
}
