/* cuDNN's SDPA graph as the plugin builds it, checked without a GPU: every
 * tensor and operation descriptor must finalize in the installed cuDNN
 * (attribute names, types and shapes it accepts), so that on a GPU only the
 * handle, the engines and the plan remain to be proven.  The operation
 * graph itself needs a handle, which needs a GPU: building stops there.
 * Built only where configure found CUDA; links cuDNN but no device code. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"

/* The graph builders are static: compile them here. */
#include "cuda/attention.c"

/* What attention.c uses of the rest of the plugin, never reached here. */
int cuda_fail(struct nb_cuda_result *r, int status, const char *fmt, ...)
{
	(void)fmt;
	r->status = status;
	return -1;
}

void *cuda_alloc(size_t bytes, const char *what, struct nb_cuda_result *r)
{
	(void)bytes, (void)what, (void)r;
	return NULL;
}

cudaError_t cuda_k_fill(void *p, int dtype, size_t n, uint64_t seed, double amp, cudaStream_t s)
{
	(void)p, (void)dtype, (void)n, (void)seed, (void)amp, (void)s;
	return cudaErrorNotSupported;
}

cudaError_t cuda_k_attention_check(const void *q, const void *k, const void *v, const void *o,
				   int dtype, int64_t bh, int64_t sq, int64_t sk, int64_t d,
				   int causal, double scale, double amp, int64_t rows,
				   double *err, cudaStream_t s)
{
	(void)q, (void)k, (void)v, (void)o, (void)dtype, (void)bh, (void)sq, (void)sk, (void)d;
	(void)causal, (void)scale, (void)amp, (void)rows, (void)err, (void)s;
	return cudaErrorNotSupported;
}

/* Builds the graph for the case; returns the state (the caller releases). */
static struct att_state *build(int dtype, int causal, int64_t sq, int64_t sk, int64_t d)
{
	struct att_state *s = calloc(1, sizeof(*s));
	char msg[256];

	ck_assert_ptr_nonnull(s);
	s->c.family = NB_CUDA_ATTENTION;
	s->c.dtype = dtype;
	s->c.batch = 2, s->c.heads = 4, s->c.seq_q = sq, s->c.seq_k = sk, s->c.head_dim = d;
	s->c.causal = causal;
	s->c.amp = 1;
	s->next_id = ID_VIRTUAL;
	ck_assert_msg(cuda_xlate_attention(&s->c, &s->x, msg, sizeof(msg)) == 0, "%s", msg);
	graph(s);
	return s;
}

static void release(struct att_state *s)
{
	for (int i = s->ndesc - 1; i >= 0; i--)
		cudnnBackendDestroyDescriptor(s->desc[i]);
	free(s);
}

/* Each variant: everything up to the operation graph's handle finalizes. */
START_TEST(descriptors_finalize)
{
	static const struct { int dtype, causal; int64_t sq, sk, d; } v[] = {
		{ NB_CUDA_FP16, 0, 256, 256, 128 },
		{ NB_CUDA_BF16, 1, 256, 256, 64 },	/* top-left: no shift */
		{ NB_CUDA_BF16, 1, 128, 512, 128 },	/* bottom-right: + sk - sq */
		{ NB_CUDA_FP16, 0, 64, 1024, 256 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct att_state *s = build(v[i].dtype, v[i].causal, v[i].sq, v[i].sk, v[i].d);

		/* Stopped at the handle, or (a cuDNN that takes a null handle
		 * there) at the graph's finalize. */
		int at_graph = s->failed && (!strcmp(s->failed, "graph handle") ||
					     !strncmp(s->failed, "the operation graph", 19));

		ck_assert_msg(s->st == CUDNN_STATUS_SUCCESS || at_graph,
			      "variant %zu: cuDNN %zu refused %s: %s", i, cudnnGetVersion(),
			      s->failed ? s->failed : "?", cudnnGetErrorString(s->st));
		ck_assert_int_lt(s->ndesc, MAX_DESC - 80);	/* room for the heuristics' configurations */
		release(s);
	}
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *t;

#if defined(__SANITIZE_ADDRESS__)
	/* cuDNN's own allocations at exit are not this test's to judge. */
	return 77;
#endif
	s = suite_create("cuda_graph");
	t = tcase_create("sdpa");
	tcase_add_test(t, descriptors_finalize);
	suite_add_tcase(s, t);
	return check_run(srunner_create(s));
}
