/* Workload families (train, infer): a transformer's training step or a
 * served batch, described by the model's dimensions and the parallel
 * layout.  Their work is a sequence of other families' cases (GEMMs,
 * attention, streams, collectives), composed by the model (model/workload.c);
 * this header gives the resolved dimensions both sides read. */
#ifndef NB_WORKLOAD_H
#define NB_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernel.h"

/* A decoder-only transformer's dimensions. */
struct nb_llm {
	char id[48];
	int64_t hidden, heads, kv_heads, head_dim, layers, ffn, vocab;
	int64_t experts, topk;	/* 1, 1 when dense */
	int64_t seq;		/* the training sequence length its source gives */
	int gated;		/* gated MLP (SwiGLU): three weight matrices instead of two */
};

/* The named models (data/models/) are data the kernels module cannot read
 * itself: the model module installs a look-up (model/llm.c). */
typedef const struct nb_llm *(*nb_llm_find_fn)(const char *id);
void workload_set_catalog(nb_llm_find_fn find);

/* The model names model= accepts, in choice order ("none" first). */
#define NB_LLM_CHOICES "none|gpt3-1.3b|gpt3-2.7b|gpt3-6.7b|gpt3-13b|gpt3-175b|gpt-1.7b|gpt-1t|" \
	"llama-7b|llama2-7b|llama2-13b|llama2-70b|llama3-8b|llama3-70b|llama3-405b|" \
	"mixtral-8x7b|deepseek-v3|palm-540b|pangu-ultra-135b|pangu-ultra-moe-718b|pangu-pro-moe-72b"

enum nb_recompute { NB_RECOMPUTE_NONE, NB_RECOMPUTE_SELECTIVE, NB_RECOMPUTE_FULL };

/* A train or infer case, resolved: the model's dimensions with the case's
 * explicit ones over them, and the layout. */
struct nb_workload {
	int train;			/* 1: train, 0: infer */
	struct nb_llm m;
	enum nb_dtype dtype, kv_dtype;
	int64_t seq, global_batch, micro_batch;		/* train */
	int64_t batch, input, output;			/* infer */
	int64_t tp, pp, dp, ep, zero, interleave;
	int sp;
	enum nb_recompute recompute;
	int attn_materialized;		/* scores in memory instead of fused attention */
	int tp_overlap;			/* sp collectives overlapped with their GEMMs */
	int weight_only;		/* infer: weights in dtype, dequantised to bf16, bf16 math */
};

/* Fills W from C (a train or infer case).  Returns -1 with a message naming
 * the parameter when the case cannot be described (an unknown model, a
 * dimension missing, a layout that does not divide the model). */
int workload_resolve(const struct nb_case *c, struct nb_workload *w, char *msg, size_t n);

/* Parameters of the model on all chips (experts counted in full) and those
 * a token passes through (the active ones). */
double workload_params(const struct nb_llm *m);
double workload_active_params(const struct nb_llm *m);

/* Host execution (kernels/workload-host.c): a small dense model on one
 * chip, measured; see the kernel descriptor's hooks. */
struct nb_host_env;
struct nb_verify;
int workload_host_available(const struct nb_case *c, char *msg, size_t n);
double workload_host_bytes(const struct nb_case *c);
int workload_host_setup(const struct nb_case *c, const struct nb_host_env *env, void **state);
void workload_host_execute(void *state);
int workload_host_verify(void *state, struct nb_verify *v);
void workload_host_teardown(void *state);
const char *workload_host_impl(const struct nb_case *c, int isa);
/* Why: for info (struct nb_kernel impl_why). */
const char *workload_host_why(const struct nb_case *c, int isa);
/* The training backward pass of train case TEXT against central
 * differences of its loss (fp32, portable GEMM) at NPROBE parameters:
 * *ERR = sum |fd - grad| / sum |grad|.  Returns -1 when TEXT is not a
 * host-runnable train case. */
int workload_host_gradcheck(const char *text, int nprobe, double *err);

#endif
