/* STREAM on the GPU: own kernels for copy/scale/add/triad/sum/fill, and
 * cudaMemcpy device to device as the yardstick for copy. */
#include "cuda/plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/xlate.h"

#define SCALAR 3.0

struct stream_state {
	struct nb_cuda_case c;
	struct cuda_stream_desc x;
	void *a, *b, *c_;
	double *sum;		/* [0] the timed kernel's, [1..2] the reference's */
	int sms;
};

static int stream_launch(struct cuda_job *j, cudaStream_t s)
{
	struct stream_state *st = j->state;

	if (cuda_k_stream(st->c.op, st->x.elem_bytes, st->a, st->b, st->c_, (size_t)st->c.elems,
			  SCALAR, st->sum, st->sms, s) != cudaSuccess) {
		snprintf(j->err, sizeof(j->err), "stream kernel launch");
		return -1;
	}
	return 0;
}

/* Every element checked against its inputs; the sum against a double
 * reduction of the same array, within n rounding errors of sum |a|. */
static int stream_verify(struct cuda_job *j, struct cuda_dev *d, struct nb_cuda_result *r)
{
	struct stream_state *st = j->state;
	double h[3] = { 0, 0, 0 }, eps = st->x.elem_bytes == 8 ? 0x1p-53 : 0x1p-24;
	size_t n = (size_t)st->c.elems;

	if (st->c.op == NB_CUDA_SUM) {
		if (cudaMemsetAsync(st->sum, 0, sizeof(double), d->stream) != cudaSuccess ||
		    cuda_k_stream(NB_CUDA_SUM, st->x.elem_bytes, st->a, st->b, st->c_, n, SCALAR,
				  st->sum, st->sms, d->stream) != cudaSuccess ||
		    cuda_k_sum_ref(st->x.elem_bytes, st->a, n, st->sum + 1, st->sum + 2,
				   d->stream) != cudaSuccess)
			return -1;
	} else if (cuda_k_stream_check(st->c.op, st->x.elem_bytes, st->a, st->b, st->c_, n, SCALAR,
				       st->sum, d->stream) != cudaSuccess) {
		return -1;
	}
	if (cudaMemcpyAsync(h, st->sum, sizeof(h), cudaMemcpyDeviceToHost, d->stream) != cudaSuccess ||
	    cudaStreamSynchronize(d->stream) != cudaSuccess)
		return -1;
	if (st->c.op == NB_CUDA_SUM) {
		r->verify_err = fabs(h[0] - h[1]) / (h[2] > 0 ? h[2] : 1);
		/* Each thread sums its share in the element type: at most
		 * ceil(n / threads) additions, each within eps of the running
		 * |sum|; the rest is summed in double. */
		size_t threads = cuda_k_stream_threads(NB_CUDA_SUM, st->x.elem_bytes, n, st->sms);

		r->verify_tol = (double)((n + threads - 1) / (threads ? threads : 1) + 2) * eps;
		snprintf(r->verify_what, sizeof(r->verify_what), "|sum-ref|/sum|a|");
	} else {
		r->verify_err = h[0];
		r->verify_tol = 2 * eps;
		snprintf(r->verify_what, sizeof(r->verify_what), "max |x-ref|/|terms|, every element");
	}
	if (!(r->verify_err <= r->verify_tol))
		r->status = NB_CUDA_RES_VERIFY_FAILED;
	return 0;
}

/* Copy's yardstick: cudaMemcpy device to device of the same arrays. */
static const char *stream_yardstick(struct cuda_job *j, int on)
{
	struct stream_state *st = j->state;

	st->c.op = on ? NB_CUDA_MEMCPY : NB_CUDA_COPY;
	return "memcpy";
}

static void stream_release(struct cuda_job *j)
{
	struct stream_state *st = j->state;

	if (!st)
		return;
	cudaFree(st->a);
	cudaFree(st->b);
	cudaFree(st->c_);
	cudaFree(st->sum);
	free(st);
	j->state = NULL;
}

int cuda_stream_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
			struct nb_cuda_result *r)
{
	struct stream_state *st;
	size_t bytes;

	st = calloc(1, sizeof(*st));
	if (!st)
		return cuda_fail(r, NB_CUDA_RES_ERROR, "out of memory");
	j->state = st;
	j->launch = stream_launch;
	j->verify = stream_verify;
	j->release = stream_release;
	if (c->op == NB_CUDA_COPY)
		j->yardstick = stream_yardstick;
	st->c = *c;
	st->sms = d->info.sms;
	if (cuda_xlate_stream(c, &st->x, r->message, sizeof(r->message))) {
		stream_release(j);
		r->status = NB_CUDA_RES_UNSUPPORTED;
		return -1;
	}
	bytes = (size_t)c->elems * (size_t)st->x.elem_bytes;
	if (!(st->a = cuda_alloc(bytes, "array a", r)) || !(st->b = cuda_alloc(bytes, "array b", r)) ||
	    !(st->c_ = cuda_alloc(bytes, "array c", r)) ||
	    !(st->sum = cuda_alloc(3 * sizeof(double), "the sum", r))) {
		stream_release(j);
		return -1;
	}
	/* Seeded random inputs (never all zeros: zeros draw less power). */
	if (cuda_k_fill(st->a, c->dtype, (size_t)c->elems, c->seed, 1.0, d->stream) ||
	    cuda_k_fill(st->b, c->dtype, (size_t)c->elems, c->seed + 1, 1.0, d->stream) ||
	    cuda_k_fill(st->c_, c->dtype, (size_t)c->elems, c->seed + 2, 1.0, d->stream) ||
	    cudaMemsetAsync(st->sum, 0, 3 * sizeof(double), d->stream) ||
	    cudaStreamSynchronize(d->stream)) {
		stream_release(j);
		return cuda_fail(r, NB_CUDA_RES_ERROR, "cannot fill the stream arrays");
	}
	snprintf(r->impl, sizeof(r->impl), c->op == NB_CUDA_MEMCPY ? "cudaMemcpyAsync D2D"
		 : "stream_%s_cuda_vec16", c->dtype == NB_CUDA_FP64 ? "fp64" : "fp32");
	return 0;
}
