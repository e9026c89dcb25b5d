/* Sparse times dense through cuSPARSE: CSR with int32 indices.  2:4
 * structured sparsity would need cuSPARSELt, which is not packaged with
 * the toolkit; cuda_xlate_spmm says so. */
#include "cuda/plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/xlate.h"

struct spmm_state {
	struct nb_cuda_case c;
	struct cuda_spmm_desc x;
	cusparseHandle_t h;
	cusparseSpMatDescr_t a;
	cusparseDnMatDescr_t b, cm;
	int *rowptr, *col;
	void *val, *bv;
	float *cv;
	void *buf;
	double *err;
	float alpha, beta;
};

void cuda_spmm_close(struct cuda_dev *d)
{
	if (d->sparse)
		cusparseDestroy((cusparseHandle_t)d->sparse);
	d->sparse = NULL;
}

static int spmm_launch(struct cuda_job *j, cudaStream_t s)
{
	struct spmm_state *p = j->state;
	cusparseStatus_t st;

	(void)s;	/* the handle was bound to the stream in prepare */
	st = cusparseSpMM(p->h, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE,
			  &p->alpha, p->a, p->b, &p->beta, p->cm, p->x.compute_type, p->x.alg, p->buf);
	if (st != CUSPARSE_STATUS_SUCCESS) {
		snprintf(j->err, sizeof(j->err), "cusparseSpMM: %s", cusparseGetErrorString(st));
		return -1;
	}
	return 0;
}

static int spmm_verify(struct cuda_job *j, struct cuda_dev *d, struct nb_cuda_result *r)
{
	struct spmm_state *p = j->state;
	int64_t rows = p->c.m < 64 ? p->c.m : 64;
	double err = 0;

	if (cuda_k_spmm_check(p->rowptr, p->col, p->val, p->bv, p->cv, p->c.dtype, p->c.m, p->c.n,
			      rows, p->err, d->stream) != cudaSuccess ||
	    cudaMemcpyAsync(&err, p->err, sizeof(err), cudaMemcpyDeviceToHost, d->stream) != cudaSuccess ||
	    cudaStreamSynchronize(d->stream) != cudaSuccess)
		return -1;
	r->verify_err = err;
	r->verify_tol = p->x.tol;
	snprintf(r->verify_what, sizeof(r->verify_what), "max |c-ref|/sum|a||b|, %lld rows of C",
		 (long long)rows);
	if (!(err <= p->x.tol))
		r->status = NB_CUDA_RES_VERIFY_FAILED;
	return 0;
}

static void spmm_release(struct cuda_job *j)
{
	struct spmm_state *p = j->state;

	if (!p)
		return;
	if (p->a)
		cusparseDestroySpMat(p->a);
	if (p->b)
		cusparseDestroyDnMat(p->b);
	if (p->cm)
		cusparseDestroyDnMat(p->cm);
	cudaFree(p->rowptr);
	cudaFree(p->col);
	cudaFree(p->val);
	cudaFree(p->bv);
	cudaFree(p->cv);
	cudaFree(p->buf);
	cudaFree(p->err);
	free(p);
	j->state = NULL;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Exactly round(density m k) non-zeros, as on the host, spread evenly over
 * the rows; within a row each falls at a random column of its own equal
 * stratum, so columns are distinct and sorted.  Built on the host and
 * copied over. */
static int make_csr(struct spmm_state *p, int64_t nnz, cudaStream_t s)
{
	int64_t m = p->c.m, k = p->c.k, q = 0;
	int *rp = malloc((size_t)(m + 1) * sizeof(int)), *col = malloc((size_t)(nnz ? nnz : 1) * sizeof(int));
	int rc = -1;

	if (!rp || !col)
		goto out;
	for (int64_t i = 0; i < m; i++) {
		int64_t r = (i + 1) * nnz / m - i * nnz / m;

		rp[i] = (int)q;
		for (int64_t t = 0; t < r; t++) {
			int64_t lo = t * k / r, hi = (t + 1) * k / r;

			col[q] = (int)(lo + (int64_t)(mix(p->c.seed ^ mix((uint64_t)q)) % (uint64_t)(hi - lo)));
			q++;
		}
	}
	rp[m] = (int)q;
	if (cudaMemcpyAsync(p->rowptr, rp, (size_t)(m + 1) * sizeof(int), cudaMemcpyHostToDevice, s) ||
	    cudaMemcpyAsync(p->col, col, (size_t)nnz * sizeof(int), cudaMemcpyHostToDevice, s) ||
	    cudaStreamSynchronize(s))
		goto out;
	rc = 0;
out:
	free(rp);
	free(col);
	return rc;
}

/* Descriptors, the work buffer, and cuSPARSE's own preprocessing. */
static int describe(struct spmm_state *p, int64_t nnz, struct nb_cuda_result *r)
{
	size_t bytes = 0;
	cusparseStatus_t st;

	st = cusparseCreateCsr(&p->a, p->c.m, p->c.k, nnz, p->rowptr, p->col, p->val, p->x.index_type,
			       p->x.index_type, CUSPARSE_INDEX_BASE_ZERO, p->x.value_type);
	if (!st)
		st = cusparseCreateDnMat(&p->b, p->c.k, p->c.n, p->c.n, p->bv, p->x.value_type, p->x.order);
	if (!st)
		st = cusparseCreateDnMat(&p->cm, p->c.m, p->c.n, p->c.n, p->cv, p->x.compute_type, p->x.order);
	if (!st)
		st = cusparseSpMM_bufferSize(p->h, CUSPARSE_OPERATION_NON_TRANSPOSE,
					     CUSPARSE_OPERATION_NON_TRANSPOSE, &p->alpha, p->a, p->b,
					     &p->beta, p->cm, p->x.compute_type, p->x.alg, &bytes);
	if (st == CUSPARSE_STATUS_NOT_SUPPORTED)
		return cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "cuSPARSE SpMM does not support %s CSR "
				 "with an fp32 C", cuda_dtype_name(p->c.dtype));
	if (st)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "cuSPARSE: %s", cusparseGetErrorString(st));
	if (!(p->buf = cuda_alloc(bytes, "the cuSPARSE buffer", r)))
		return -1;
	st = cusparseSpMM_preprocess(p->h, CUSPARSE_OPERATION_NON_TRANSPOSE,
				     CUSPARSE_OPERATION_NON_TRANSPOSE, &p->alpha, p->a, p->b, &p->beta,
				     p->cm, p->x.compute_type, p->x.alg, p->buf);
	if (st)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "cusparseSpMM_preprocess: %s",
				 cusparseGetErrorString(st));
	snprintf(r->impl, sizeof(r->impl), "cusparseSpMM csr %s alg=default buffer=%zuKiB",
		 cuda_dtype_name(p->c.dtype), bytes >> 10);
	return 0;
}

int cuda_spmm_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
		      struct nb_cuda_result *r)
{
	struct spmm_state *p = calloc(1, sizeof(*p));
	int64_t nnz;

	if (!p)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "out of memory");
	j->state = p;
	j->launch = spmm_launch;
	j->verify = spmm_verify;
	j->release = spmm_release;
	p->c = *c;
	p->alpha = 1;
	if (cuda_xlate_spmm(c, &p->x, r->message, sizeof(r->message))) {
		r->status = NB_CUDA_RES_UNSUPPORTED;
		goto fail;
	}
	if (!d->sparse && cusparseCreate((cusparseHandle_t *)&d->sparse) != CUSPARSE_STATUS_SUCCESS) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot create a cuSPARSE handle");
		goto fail;
	}
	p->h = d->sparse;
	if (cusparseSetStream(p->h, d->stream) != CUSPARSE_STATUS_SUCCESS) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot bind the cuSPARSE handle to the stream");
		goto fail;
	}
	nnz = llround(c->density * (double)c->m * (double)c->k);
	if (!(p->rowptr = cuda_alloc((size_t)(c->m + 1) * 4, "CSR offsets", r)) ||
	    !(p->col = cuda_alloc((size_t)nnz * 4, "CSR columns", r)) ||
	    !(p->val = cuda_alloc((size_t)nnz * (size_t)p->x.elem_bytes, "CSR values", r)) ||
	    !(p->bv = cuda_alloc((size_t)c->k * (size_t)c->n * (size_t)p->x.elem_bytes, "B", r)) ||
	    !(p->cv = cuda_alloc((size_t)c->m * (size_t)c->n * 4, "C", r)) ||
	    !(p->err = cuda_alloc(sizeof(double), "the check", r)))
		goto fail;
	if (make_csr(p, nnz, d->stream) ||
	    cuda_k_fill(p->val, c->dtype, (size_t)nnz, c->seed, 1.0, d->stream) ||
	    cuda_k_fill(p->bv, c->dtype, (size_t)(c->k * c->n), c->seed + 1, 1.0, d->stream) ||
	    cudaStreamSynchronize(d->stream)) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot build the CSR inputs");
		goto fail;
	}
	if (describe(p, nnz, r))
		goto fail;
	return 0;
fail:
	spmm_release(j);
	return -1;
}
