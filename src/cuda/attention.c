/* Attention through cuDNN's fused scaled-dot-product attention, described
 * as a backend operation graph (the same graph cudnn_frontend builds for
 * SDPA inference): S = Q K^T, S *= scale, [causal mask], softmax with its
 * (virtual) statistics, P in the I/O type, O = P V.
 * cuDNN recognises the pattern and runs a fused flash-attention kernel;
 * when no engine accepts the graph the case is reported unsupported. */
#include "cuda/plugin.h"

#include <float.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cudnn_graph.h>

#include "cuda/xlate.h"

#define MAX_DESC 192

enum { ID_Q = 1, ID_K, ID_V, ID_O, ID_SCALE, ID_NEG, ID_SKV, ID_SQ, ID_VIRTUAL = 100 };

struct att_state {
	struct nb_cuda_case c;
	struct cuda_attention_desc x;
	cudnnHandle_t h;
	cudnnBackendDescriptor_t desc[MAX_DESC];	/* every descriptor made, for release */
	int ndesc;
	int64_t next_id;
	cudnnBackendDescriptor_t plan, pack;
	void *q, *k, *v, *o, *ws;
	double *err;
	float scale, neg;
	int32_t skv, sq;	/* the bottom-right shift's two scalars */
	cudnnStatus_t st;	/* the first failure while building */
	const char *failed;	/* what was being built */
};

void cuda_attention_close(struct cuda_dev *d)
{
	if (d->dnn)
		cudnnDestroy((cudnnHandle_t)d->dnn);
	d->dnn = NULL;
}

/* Builders: each records the first failure in S and returns NULL from then on. */
static cudnnBackendDescriptor_t make(struct att_state *s, cudnnBackendDescriptorType_t type,
				     const char *what)
{
	cudnnBackendDescriptor_t d = NULL;

	if (s->st)
		return NULL;
	if (s->ndesc == MAX_DESC) {
		/* Never drop a descriptor silently: the graph would lose an operation. */
		s->st = CUDNN_STATUS_INTERNAL_ERROR;
		s->failed = "more descriptors than the plugin keeps";
		return NULL;
	}
	s->st = cudnnBackendCreateDescriptor(type, &d);
	if (s->st) {
		s->failed = what;
		return NULL;
	}
	s->desc[s->ndesc++] = d;
	return d;
}

static void set(struct att_state *s, cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t name,
		cudnnBackendAttributeType_t type, int64_t n, const void *v, const char *what)
{
	if (s->st || !d)
		return;
	s->st = cudnnBackendSetAttribute(d, name, type, n, v);
	if (s->st)
		s->failed = what;
}

static void finish(struct att_state *s, cudnnBackendDescriptor_t d, const char *what)
{
	if (s->st || !d)
		return;
	s->st = cudnnBackendFinalize(d);
	if (s->st)
		s->failed = what;
}

/* A 4-d tensor; ID 0 makes a virtual one with a fresh id. */
static cudnnBackendDescriptor_t tensor(struct att_state *s, int64_t id, cudnnDataType_t type,
				       const int64_t dim[4], const int64_t stride[4], int by_value)
{
	cudnnBackendDescriptor_t t = make(s, CUDNN_BACKEND_TENSOR_DESCRIPTOR, "a tensor");
	bool is_virtual = id == 0, byval = by_value != 0;
	int64_t align = 16;

	if (is_virtual)
		id = s->next_id++;
	set(s, t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type, "tensor type");
	set(s, t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dim, "tensor dimensions");
	set(s, t, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, stride, "tensor strides");
	set(s, t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &id, "tensor id");
	set(s, t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &align, "tensor alignment");
	set(s, t, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &is_virtual, "tensor virtual");
	if (byval)
		set(s, t, CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, 1, &byval, "tensor by value");
	finish(s, t, "a tensor");
	return t;
}

/* A virtual tensor shaped like DIM, packed. */
static cudnnBackendDescriptor_t virt(struct att_state *s, cudnnDataType_t type, const int64_t dim[4])
{
	int64_t stride[4] = { dim[1] * dim[2] * dim[3], dim[2] * dim[3], dim[3], 1 };

	return tensor(s, 0, type, dim, stride, 0);
}

static cudnnBackendDescriptor_t scalar(struct att_state *s, int64_t id, cudnnDataType_t type)
{
	static const int64_t one[4] = { 1, 1, 1, 1 };

	return tensor(s, id, type, one, one, 1);
}

/* Y = mode(X[, B[, T]]) elementwise, broadcasting B and T. */
static cudnnBackendDescriptor_t pointwise(struct att_state *s, cudnnPointwiseMode_t mode,
					  cudnnDataType_t math, int64_t axis, cudnnBackendDescriptor_t x,
					  cudnnBackendDescriptor_t b, cudnnBackendDescriptor_t t,
					  cudnnBackendDescriptor_t y)
{
	cudnnBackendDescriptor_t pw = make(s, CUDNN_BACKEND_POINTWISE_DESCRIPTOR, "a pointwise mode");
	cudnnBackendDescriptor_t op;

	set(s, pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode, "pointwise mode");
	set(s, pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &math, "pointwise precision");
	if (axis >= 0)
		set(s, pw, CUDNN_ATTR_POINTWISE_AXIS, CUDNN_TYPE_INT64, 1, &axis, "pointwise axis");
	finish(s, pw, "a pointwise mode");
	op = make(s, CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR, "a pointwise operation");
	set(s, op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw,
	    "pointwise descriptor");
	set(s, op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x, "pointwise x");
	if (b)
		set(s, op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &b,
		    "pointwise b");
	if (t)
		set(s, op, CUDNN_ATTR_OPERATION_POINTWISE_TDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &t,
		    "pointwise t");
	set(s, op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y, "pointwise y");
	finish(s, op, "a pointwise operation");
	return op;
}

static cudnnBackendDescriptor_t reduction(struct att_state *s, cudnnReduceTensorOp_t how,
					  cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t y)
{
	cudnnBackendDescriptor_t r = make(s, CUDNN_BACKEND_REDUCTION_DESCRIPTOR, "a reduction");
	cudnnBackendDescriptor_t op;
	cudnnDataType_t f = CUDNN_DATA_FLOAT;

	set(s, r, CUDNN_ATTR_REDUCTION_OPERATOR, CUDNN_TYPE_REDUCTION_OPERATOR_TYPE, 1, &how, "reduction");
	set(s, r, CUDNN_ATTR_REDUCTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &f, "reduction precision");
	finish(s, r, "a reduction");
	op = make(s, CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR, "a reduction operation");
	set(s, op, CUDNN_ATTR_OPERATION_REDUCTION_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &r, "reduction desc");
	set(s, op, CUDNN_ATTR_OPERATION_REDUCTION_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x, "reduction x");
	set(s, op, CUDNN_ATTR_OPERATION_REDUCTION_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y, "reduction y");
	finish(s, op, "a reduction operation");
	return op;
}

static cudnnBackendDescriptor_t matmul(struct att_state *s, cudnnBackendDescriptor_t a,
				       cudnnBackendDescriptor_t b, cudnnBackendDescriptor_t c)
{
	cudnnBackendDescriptor_t mm = make(s, CUDNN_BACKEND_MATMUL_DESCRIPTOR, "a matmul");
	cudnnBackendDescriptor_t op;
	cudnnDataType_t f = CUDNN_DATA_FLOAT;

	set(s, mm, CUDNN_ATTR_MATMUL_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &f, "matmul precision");
	finish(s, mm, "a matmul");
	op = make(s, CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR, "a matmul operation");
	set(s, op, CUDNN_ATTR_OPERATION_MATMUL_ADESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &a, "matmul a");
	set(s, op, CUDNN_ATTR_OPERATION_MATMUL_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &b, "matmul b");
	set(s, op, CUDNN_ATTR_OPERATION_MATMUL_CDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &c, "matmul c");
	set(s, op, CUDNN_ATTR_OPERATION_MATMUL_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &mm, "matmul desc");
	finish(s, op, "a matmul operation");
	return op;
}

/* The causal mask, bottom-right aligned: keep S where row + sk - sq >=
 * column, else the lowest float.  The shift is an ADD of sk then a SUB of
 * sq, as cudnn_frontend writes it: the fused engines match that pattern. */
static cudnnBackendDescriptor_t causal_mask(struct att_state *s, cudnnBackendDescriptor_t in,
					    cudnnBackendDescriptor_t *ops, int *nops)
{
	const int64_t *sd = s->x.s_dim;
	cudnnBackendDescriptor_t row = virt(s, CUDNN_DATA_INT32, sd), col = virt(s, CUDNN_DATA_INT32, sd);
	cudnnBackendDescriptor_t mask = virt(s, CUDNN_DATA_BOOLEAN, sd), out = virt(s, CUDNN_DATA_FLOAT, sd);

	ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_GEN_INDEX, CUDNN_DATA_INT32, 2, in, NULL, NULL, row);
	ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_GEN_INDEX, CUDNN_DATA_INT32, 3, in, NULL, NULL, col);
	if (s->x.mask_add || s->x.mask_sub) {
		cudnnBackendDescriptor_t added = virt(s, CUDNN_DATA_INT32, sd);
		cudnnBackendDescriptor_t shifted = virt(s, CUDNN_DATA_INT32, sd);

		ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_ADD, CUDNN_DATA_INT32, -1, row,
					   scalar(s, ID_SKV, CUDNN_DATA_INT32), NULL, added);
		ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_SUB, CUDNN_DATA_INT32, -1, added,
					   scalar(s, ID_SQ, CUDNN_DATA_INT32), NULL, shifted);
		row = shifted;
	}
	ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_CMP_GE, CUDNN_DATA_BOOLEAN, -1, row, col, NULL, mask);
	ops[(*nops)++] = pointwise(s, CUDNN_POINTWISE_BINARY_SELECT, CUDNN_DATA_FLOAT, -1, in,
				   scalar(s, ID_NEG, CUDNN_DATA_FLOAT), mask, out);
	return out;
}

/* The operation graph: matmul, scale, mask, softmax, matmul.  The
 * softmax also yields its statistics max + log(sum), virtual here, as
 * cudnn_frontend's flash-attention node always does. */
static cudnnBackendDescriptor_t graph(struct att_state *s)
{
	struct cuda_attention_desc *x = &s->x;
	int64_t rd[4] = { x->s_dim[0], x->s_dim[1], x->s_dim[2], 1 };
	cudnnBackendDescriptor_t ops[20], g, q, kt, v, o, sc, t, mx, sub, ex, sum, lg, stats, p;
	int n = 0;

	q = tensor(s, ID_Q, x->io_type, x->q_dim, x->q_stride, 0);
	kt = tensor(s, ID_K, x->io_type, x->kt_dim, x->kt_stride, 0);
	v = tensor(s, ID_V, x->io_type, x->k_dim, x->k_stride, 0);
	o = tensor(s, ID_O, x->io_type, x->o_dim, x->o_stride, 0);
	sc = virt(s, CUDNN_DATA_FLOAT, x->s_dim);
	ops[n++] = matmul(s, q, kt, sc);
	t = virt(s, CUDNN_DATA_FLOAT, x->s_dim);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, -1, sc,
			     scalar(s, ID_SCALE, CUDNN_DATA_FLOAT), NULL, t);
	if (x->causal)
		t = causal_mask(s, t, ops, &n);
	mx = virt(s, CUDNN_DATA_FLOAT, rd);
	ops[n++] = reduction(s, CUDNN_REDUCE_TENSOR_MAX, t, mx);
	sub = virt(s, CUDNN_DATA_FLOAT, x->s_dim);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_SUB, CUDNN_DATA_FLOAT, -1, t, mx, NULL, sub);
	ex = virt(s, CUDNN_DATA_FLOAT, x->s_dim);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_EXP, CUDNN_DATA_FLOAT, -1, sub, NULL, NULL, ex);
	sum = virt(s, CUDNN_DATA_FLOAT, rd);
	ops[n++] = reduction(s, CUDNN_REDUCE_TENSOR_ADD, ex, sum);
	lg = virt(s, CUDNN_DATA_FLOAT, rd);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_LOG, CUDNN_DATA_FLOAT, -1, sum, NULL, NULL, lg);
	stats = virt(s, CUDNN_DATA_FLOAT, rd);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_ADD, CUDNN_DATA_FLOAT, -1, mx, lg, NULL, stats);
	p = virt(s, x->p_type, x->s_dim);
	ops[n++] = pointwise(s, CUDNN_POINTWISE_DIV, CUDNN_DATA_FLOAT, -1, ex, sum, NULL, p);
	ops[n++] = matmul(s, p, v, o);
	g = make(s, CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR, "the operation graph");
	set(s, g, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, n, ops, "graph operations");
	set(s, g, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &s->h, "graph handle");
	finish(s, g, "the operation graph (no cuDNN engine fuses this attention)");
	return g;
}

/* MODE's engine configurations, in order; the first that makes a plan is
 * used (1), its global index naming the implementation; 0 when none does. */
static int plan_from(struct att_state *s, cudnnBackendDescriptor_t g, cudnnBackendHeurMode_t mode,
		     int64_t *engine)
{
	cudnnBackendDescriptor_t heur, cfg[16], eng;
	int64_t count = 0, got = 0;

	heur = make(s, CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR, "the heuristic");
	set(s, heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &g, "heuristic graph");
	set(s, heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode, "heuristic mode");
	finish(s, heur, "the heuristic");
	for (int i = 0; i < 16; i++)
		cfg[i] = make(s, CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, "an engine configuration");
	if (!s->st)
		s->st = cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS,
						 CUDNN_TYPE_BACKEND_DESCRIPTOR, 16, &count, cfg);
	if (s->st) {
		s->failed = s->failed ? s->failed : "the heuristic's results";
		return 0;
	}
	for (int64_t i = 0; i < count && i < 16; i++) {
		cudnnBackendDescriptor_t plan;

		plan = make(s, CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR, "an execution plan");
		set(s, plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &s->h, "plan handle");
		set(s, plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
		    &cfg[i], "plan configuration");
		if (s->st)
			return 0;
		if (cudnnBackendFinalize(plan) != CUDNN_STATUS_SUCCESS)
			continue;	/* this engine cannot run the graph: try the next */
		eng = make(s, CUDNN_BACKEND_ENGINE_DESCRIPTOR, "an engine");
		if (!s->st && cudnnBackendGetAttribute(cfg[i], CUDNN_ATTR_ENGINECFG_ENGINE,
						       CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &got, &eng) == 0)
			cudnnBackendGetAttribute(eng, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1,
						 &got, engine);
		s->plan = plan;
		return 1;
	}
	return 0;
}

/* Heuristic mode A first, then the fallback list, as cudnn_frontend's
 * SDPA samples ask for both. */
static int choose_plan(struct att_state *s, int64_t *engine)
{
	cudnnBackendDescriptor_t g = graph(s);

	if (plan_from(s, g, CUDNN_HEUR_MODE_A, engine) || plan_from(s, g, CUDNN_HEUR_MODE_FALLBACK, engine))
		return 0;
	if (!s->st) {
		s->st = CUDNN_STATUS_NOT_SUPPORTED;
		s->failed = "an execution plan (no engine accepts the graph)";
	}
	return -1;
}

static int att_launch(struct cuda_job *j, cudaStream_t st)
{
	struct att_state *s = j->state;
	cudnnStatus_t e;

	(void)st;	/* the handle was bound to the stream in prepare */
	e = cudnnBackendExecute(s->h, s->plan, s->pack);
	if (e != CUDNN_STATUS_SUCCESS) {
		snprintf(j->err, sizeof(j->err), "cudnnBackendExecute: %s", cudnnGetErrorString(e));
		return -1;
	}
	return 0;
}

/* The variant pack: device pointers by id, host pointers for by-value scalars. */
static void variant_pack(struct att_state *s)
{
	int64_t ids[] = { ID_Q, ID_K, ID_V, ID_O, ID_SCALE, ID_NEG, ID_SKV, ID_SQ };
	void *ptrs[] = { s->q, s->k, s->v, s->o, &s->scale, &s->neg, &s->skv, &s->sq };
	int64_t n = !s->x.causal ? 5 : s->x.mask_add || s->x.mask_sub ? 8 : 6;

	s->pack = make(s, CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, "the variant pack");
	set(s, s->pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, n, ids, "pack ids");
	set(s, s->pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, n, ptrs, "pack pointers");
	set(s, s->pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &s->ws, "pack workspace");
	finish(s, s->pack, "the variant pack");
}

/* Checked against the exact softmax on up to 2048 query rows. */
static int att_verify(struct cuda_job *j, struct cuda_dev *d, struct nb_cuda_result *r)
{
	struct att_state *s = j->state;
	int64_t bh = s->c.batch * s->c.heads, all = bh * s->c.seq_q, rows = all < 2048 ? all : 2048;
	double err = 0;

	if (cuda_k_attention_check(s->q, s->k, s->v, s->o, s->c.dtype, bh, s->c.seq_q, s->c.seq_k,
				   s->c.head_dim, s->c.causal, s->x.scale, s->c.amp, rows, s->err,
				   d->stream) != cudaSuccess ||
	    cudaMemcpyAsync(&err, s->err, sizeof(err), cudaMemcpyDeviceToHost, d->stream) != cudaSuccess ||
	    cudaStreamSynchronize(d->stream) != cudaSuccess)
		return -1;
	r->verify_err = err;
	r->verify_tol = s->x.tol;
	snprintf(r->verify_what, sizeof(r->verify_what), "max |o-ref|/amp, %lld of %lld rows",
		 (long long)rows, (long long)all);
	if (!(err <= s->x.tol))
		r->status = NB_CUDA_RES_VERIFY_FAILED;
	return 0;
}

static void att_release(struct cuda_job *j)
{
	struct att_state *s = j->state;

	if (!s)
		return;
	for (int i = s->ndesc - 1; i >= 0; i--)
		cudnnBackendDestroyDescriptor(s->desc[i]);
	cudaFree(s->q);
	cudaFree(s->k);
	cudaFree(s->v);
	cudaFree(s->o);
	cudaFree(s->err);
	free(s);
	j->state = NULL;
}

static int att_inputs(struct cuda_dev *d, struct att_state *s, struct nb_cuda_result *r)
{
	size_t nq = (size_t)(s->x.q_dim[0] * s->x.q_dim[1] * s->x.q_dim[2] * s->x.q_dim[3]);
	size_t nk = (size_t)(s->x.k_dim[0] * s->x.k_dim[1] * s->x.k_dim[2] * s->x.k_dim[3]);

	if (!(s->q = cuda_alloc(nq * 2, "Q", r)) || !(s->k = cuda_alloc(nk * 2, "K", r)) ||
	    !(s->v = cuda_alloc(nk * 2, "V", r)) || !(s->o = cuda_alloc(nq * 2, "O", r)) ||
	    !(s->err = cuda_alloc(sizeof(double), "the check", r)))
		return -1;
	if (cuda_k_fill(s->q, s->c.dtype, nq, s->c.seed, s->c.amp, d->stream) ||
	    cuda_k_fill(s->k, s->c.dtype, nk, s->c.seed + 1, s->c.amp, d->stream) ||
	    cuda_k_fill(s->v, s->c.dtype, nk, s->c.seed + 2, s->c.amp, d->stream) ||
	    cudaMemsetAsync(s->o, 0, nq * 2, d->stream) || cudaStreamSynchronize(d->stream))
		return cuda_fail(r, NB_CUDA_RES_ERROR, "cannot fill the attention inputs");
	return 0;
}

int cuda_attention_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
			   struct nb_cuda_result *r)
{
	struct att_state *s = calloc(1, sizeof(*s));
	int64_t engine = -1, ws = 0, got = 0;

	if (!s)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "out of memory");
	j->state = s;
	j->launch = att_launch;
	j->verify = att_verify;
	j->release = att_release;
	s->c = *c;
	s->next_id = ID_VIRTUAL;
	if (cuda_xlate_attention(c, &s->x, r->message, sizeof(r->message))) {
		r->status = NB_CUDA_RES_UNSUPPORTED;
		goto fail;
	}
	s->scale = (float)s->x.scale;
	s->neg = -FLT_MAX;
	s->skv = s->x.mask_add;
	s->sq = s->x.mask_sub;
	if (!d->dnn && cudnnCreate((cudnnHandle_t *)&d->dnn) != CUDNN_STATUS_SUCCESS) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot create a cuDNN handle (cuDNN %zu)", cudnnGetVersion());
		goto fail;
	}
	s->h = d->dnn;
	if (cudnnSetStream(s->h, d->stream) != CUDNN_STATUS_SUCCESS) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cannot bind the cuDNN handle to the stream");
		goto fail;
	}
	if (att_inputs(d, s, r))
		goto fail;
	if (choose_plan(s, &engine)) {
		/* A graph cuDNN will not build is a case it does not support. */
		cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "cuDNN %zu: building %s: %s", cudnnGetVersion(),
			  s->failed ? s->failed : "the graph", cudnnGetErrorString(s->st));
		goto fail;
	}
	if (cudnnBackendGetAttribute(s->plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64,
				     1, &got, &ws) != CUDNN_STATUS_SUCCESS || ws < 0) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cuDNN: cannot read the attention plan's workspace size");
		goto fail;
	}
	if (cuda_workspace(d, (size_t)ws, "cuDNN's attention plan", r))
		goto fail;
	s->ws = d->workspace;
	variant_pack(s);
	if (s->st) {
		cuda_fail(r, NB_CUDA_RES_ERROR, "cuDNN: building %s: %s", s->failed, cudnnGetErrorString(s->st));
		goto fail;
	}
	snprintf(r->impl, sizeof(r->impl), "cudnn %zu sdpa %s%s engine=%lld ws=%lldKiB", cudnnGetVersion(),
		 cuda_dtype_name(c->dtype), c->causal ? " causal" : "", (long long)engine, (long long)ws >> 10);
	return 0;
fail:
	att_release(j);
	return -1;
}
