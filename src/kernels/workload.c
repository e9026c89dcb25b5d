/* The train and infer families: a transformer training step and a served
 * batch.  Their parameter names are the case text's contract.  They declare
 * the workload shape kind: the model composes them from GEMM, attention,
 * stream and collective cases (model/compose.c); on the host a small dense
 * model runs for real (kernels/workload-host.c). */
#include "kernels/workload.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

static nb_llm_find_fn catalog;

void workload_set_catalog(nb_llm_find_fn find)
{
	catalog = find;
}

#define DIMS(model_help) \
	{ "model", NB_P_ENUM, "none", NB_LLM_CHOICES, 0, 0, model_help }, \
	{ "hidden", NB_P_INT, "0", NULL, 0, 1 << 20, "model width; 0 = the model's" }, \
	{ "heads", NB_P_INT, "0", NULL, 0, 1 << 14, "attention (query) heads; 0 = the model's" }, \
	{ "kv_heads", NB_P_INT, "0", NULL, 0, 1 << 14, "key/value heads (GQA); 0 = the model's, else heads" }, \
	{ "head_dim", NB_P_INT, "0", NULL, 0, 4096, "head dimension; 0 = the model's, else hidden/heads" }, \
	{ "layers", NB_P_INT, "0", NULL, 0, 1 << 14, "transformer layers; 0 = the model's" }, \
	{ "ffn", NB_P_INT, "0", NULL, 0, 1 << 22, "MLP (per expert) width; 0 = the model's, else 4 x hidden" }, \
	{ "gated", NB_P_ENUM, "auto", "auto|false|true", 0, 0, "gated MLP (SwiGLU); auto = the model's" }, \
	{ "vocab", NB_P_INT, "0", NULL, 0, 1 << 24, "vocabulary; 0 = the model's" }, \
	{ "experts", NB_P_INT, "0", NULL, 0, 1 << 16, "MoE experts; 0 = the model's, else 1 (dense)" }, \
	{ "topk", NB_P_INT, "0", NULL, 0, 1 << 10, "experts per token; 0 = the model's, else 1" }

/* How attention runs: fused (FlashAttention, 2022 on) or with the scores
 * materialised in memory (scale-mask-softmax and dropout kernels between
 * two batched GEMMs, as Megatron-LM and T5X ran it before). */
#define ATTN_PARAM \
	{ "attention", NB_P_ENUM, "flash", "flash|materialized", 0, 0, \
	  "flash: fused, causal; materialized: scores in memory, full s x s GEMMs" }

static const struct nb_param_desc train_params[] = {
	DIMS("named model (data/models/); explicit dimensions replace its own; none: all given"),
	{ "seq", NB_P_INT, "0", NULL, 0, 1 << 22, "sequence length; 0 = the model's, else 2048" },
	{ "global_batch", NB_P_INT, "1024", NULL, 1, 1 << 26, "sequences per optimizer step" },
	{ "micro_batch", NB_P_INT, "1", NULL, 1, 1 << 16, "sequences per micro-batch" },
	{ "dtype", NB_P_DTYPE, "bf16", "bf16|fp16|fp8", 0, 0, "matrix dtype (mixed precision)" },
	{ "tp", NB_P_INT, "1", NULL, 1, 1 << 10, "tensor-parallel ranks" },
	{ "pp", NB_P_INT, "1", NULL, 1, 1 << 10, "pipeline stages" },
	{ "dp", NB_P_INT, "1", NULL, 1, 1 << 20, "data-parallel replicas" },
	{ "sp", NB_P_BOOL, "false", NULL, 0, 0, "sequence parallelism (with tp)" },
	{ "ep", NB_P_INT, "1", NULL, 1, 1 << 16, "expert-parallel ranks (within dp)" },
	{ "zero", NB_P_INT, "0", NULL, 0, 3, "ZeRO stage: 1 optimizer, 2 +gradients, 3 +weights sharded over dp" },
	{ "interleave", NB_P_INT, "1", NULL, 1, 64, "virtual pipeline stages per rank (interleaved 1F1B)" },
	{ "recompute", NB_P_ENUM, "selective", "none|selective|full", 0, 0, "activation recomputation" },
	ATTN_PARAM,
	{ "tp_overlap", NB_P_BOOL, "false", NULL, 0, 0,
	  "tensor-parallel all-gather/reduce-scatter (sp) overlapped with the adjacent GEMM" },
};

static const struct nb_param_desc infer_params[] = {
	DIMS("named model (data/models/); explicit dimensions replace its own; none: all given"),
	{ "batch", NB_P_INT, "1", NULL, 1, 1 << 20, "sequences served together" },
	{ "input", NB_P_INT, "1024", NULL, 1, 1 << 22, "prompt tokens per sequence" },
	{ "output", NB_P_INT, "256", NULL, 1, 1 << 22, "generated tokens per sequence" },
	{ "tp", NB_P_INT, "1", NULL, 1, 1 << 10, "tensor-parallel ranks" },
	{ "pp", NB_P_INT, "1", NULL, 1, 1 << 10, "pipeline stages" },
	{ "dtype", NB_P_DTYPE, "bf16", "bf16|fp16|fp8|int8", 0, 0, "weight and matrix dtype" },
	{ "kv_dtype", NB_P_ENUM, "auto", "auto|bf16|fp16|fp8|int8", 0, 0, "KV-cache dtype; auto = dtype" },
	ATTN_PARAM,
};

static int64_t pick(const struct nb_case *c, const char *name, int64_t model_value, int64_t fallback)
{
	int64_t v = case_int(c, name);

	return v > 0 ? v : model_value > 0 ? model_value : fallback;
}

static int dims(const struct nb_case *c, struct nb_llm *m, char *msg, size_t n)
{
	const struct nb_llm *base = NULL;
	struct nb_llm none = { .id = "none" };
	int64_t mi = case_int(c, "model"), g = case_int(c, "gated");

	if (mi > 0) {
		char name[48];
		const char *choices = NB_LLM_CHOICES;

		for (int64_t i = 0; i < mi; i++)
			choices = strchr(choices, '|') + 1;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(choices, "|"), choices);
		if (!catalog || !(base = catalog(name))) {
			snprintf(msg, n, "model=%s: not in the model catalog (data/models/%s.json)", name, name);
			return -1;
		}
	}
	if (!base)
		base = &none;
	*m = *base;
	m->hidden = pick(c, "hidden", base->hidden, 0);
	m->heads = pick(c, "heads", base->heads, 0);
	m->layers = pick(c, "layers", base->layers, 0);
	m->vocab = pick(c, "vocab", base->vocab, 0);
	for (const char *const *need = (const char *const[]){ "hidden", "heads", "layers", "vocab", NULL };
	     *need; need++) {
		if (case_int(c, *need) <= 0 && mi == 0) {
			snprintf(msg, n, "%s= is required with model=none (or give model=NAME)", *need);
			return -1;
		}
	}
	/* Dimensions that follow from given ones are derived from those, not
	 * taken from the model the given ones replace. */
	m->kv_heads = pick(c, "kv_heads", case_int(c, "heads") > 0 ? 0 : base->kv_heads, m->heads);
	m->head_dim = pick(c, "head_dim", case_int(c, "hidden") > 0 || case_int(c, "heads") > 0 ? 0 : base->head_dim,
			   m->hidden / m->heads);
	m->ffn = pick(c, "ffn", case_int(c, "hidden") > 0 ? 0 : base->ffn, 4 * m->hidden);
	m->experts = pick(c, "experts", base->experts, 1);
	m->topk = pick(c, "topk", base->topk, 1);
	m->seq = base->seq > 0 ? base->seq : 2048;
	m->gated = g == 0 ? base->gated : g == 2;
	/* A model given by its dimensions alone is labelled by them, so that
	 * no stored result names a model whose figures it does not have. */
	if (mi == 0)
		snprintf(m->id, sizeof(m->id), "h%lld-a%lld-kv%lld-l%lld-f%lld%s", (long long)m->hidden,
			 (long long)m->heads, (long long)m->kv_heads, (long long)m->layers, (long long)m->ffn,
			 m->experts > 1 ? "-moe" : "");
	if (m->heads % m->kv_heads) {
		snprintf(msg, n, "heads=%lld is not a multiple of kv_heads=%lld", (long long)m->heads,
			 (long long)m->kv_heads);
		return -1;
	}
	if (m->topk > m->experts) {
		snprintf(msg, n, "topk=%lld exceeds experts=%lld", (long long)m->topk, (long long)m->experts);
		return -1;
	}
	if (m->head_dim <= 0) {
		snprintf(msg, n, "head_dim: hidden=%lld / heads=%lld is 0", (long long)m->hidden, (long long)m->heads);
		return -1;
	}
	return 0;
}

static int layout(struct nb_workload *w, char *msg, size_t n)
{
	if (w->m.heads % w->tp) {
		snprintf(msg, n, "tp=%lld does not divide heads=%lld", (long long)w->tp, (long long)w->m.heads);
		return -1;
	}
	if (w->pp * w->interleave > w->m.layers) {
		snprintf(msg, n, "pp=%lld x interleave=%lld exceeds layers=%lld", (long long)w->pp,
			 (long long)w->interleave, (long long)w->m.layers);
		return -1;
	}
	if (w->m.experts % w->ep || w->dp % w->ep) {
		snprintf(msg, n, "ep=%lld must divide experts=%lld and dp=%lld", (long long)w->ep,
			 (long long)w->m.experts, (long long)w->dp);
		return -1;
	}
	if (w->train && w->global_batch % (w->dp * w->micro_batch)) {
		snprintf(msg, n, "global_batch=%lld is not a multiple of dp=%lld x micro_batch=%lld",
			 (long long)w->global_batch, (long long)w->dp, (long long)w->micro_batch);
		return -1;
	}
	return 0;
}

int workload_resolve(const struct nb_case *c, struct nb_workload *w, char *msg, size_t n)
{
	memset(w, 0, sizeof(*w));
	w->train = !strcmp(c->kernel->name, "train");
	if (dims(c, &w->m, msg, n))
		return -1;
	w->dtype = case_dtype(c);
	w->tp = case_int(c, "tp");
	w->pp = case_int(c, "pp");
	w->dp = w->ep = w->interleave = 1;
	w->attn_materialized = case_int(c, "attention") == 1;
	if (w->train) {
		w->seq = pick(c, "seq", w->m.seq, 2048);
		w->global_batch = case_int(c, "global_batch");
		w->micro_batch = case_int(c, "micro_batch");
		w->dp = case_int(c, "dp");
		w->sp = (int)case_int(c, "sp") && w->tp > 1;
		w->ep = case_int(c, "ep");
		w->zero = case_int(c, "zero");
		w->interleave = case_int(c, "interleave");
		w->recompute = (enum nb_recompute)case_int(c, "recompute");
		w->tp_overlap = (int)case_int(c, "tp_overlap") && w->sp;
		w->kv_dtype = w->dtype;
	} else {
		static const enum nb_dtype kv[] = { NB_BF16, NB_BF16, NB_FP16, NB_FP8, NB_INT8 };
		int64_t k = case_int(c, "kv_dtype");

		w->batch = case_int(c, "batch");
		w->input = case_int(c, "input");
		w->output = case_int(c, "output");
		w->kv_dtype = k == 0 ? w->dtype : kv[k];
	}
	return layout(w, msg, n);
}

/* Weights of one layer's attention, of one expert's MLP, of the embedding
 * and (untied) output layer. */
static double attn_params(const struct nb_llm *m)
{
	return (double)m->hidden * (m->heads + 2 * m->kv_heads) * m->head_dim
		+ (double)m->heads * m->head_dim * m->hidden;
}

static double mlp_params(const struct nb_llm *m)
{
	return (m->gated ? 3.0 : 2.0) * m->hidden * m->ffn;
}

double workload_params(const struct nb_llm *m)
{
	return m->layers * (attn_params(m) + m->experts * mlp_params(m) + 4.0 * m->hidden)
		+ 2.0 * m->vocab * m->hidden;
}

double workload_active_params(const struct nb_llm *m)
{
	return m->layers * (attn_params(m) + m->topk * mlp_params(m) + 4.0 * m->hidden)
		+ 2.0 * m->vocab * m->hidden;
}

static int wl_check(const struct nb_case *c, char *msg, size_t n)
{
	struct nb_workload w;

	return workload_resolve(c, &w, msg, n);
}

/* The work is counted in tokens, so throughput is tokens per second:
 * trained tokens per step, or generated tokens of the batch.  The bytes are
 * the weights, which every step reads at least once. */
static void wl_work(const struct nb_case *c, struct nb_work *wk)
{
	struct nb_workload w;
	char msg[200];

	memset(wk, 0, sizeof(*wk));
	wk->unit = "token/s";
	if (workload_resolve(c, &w, msg, sizeof(msg)))
		return;
	wk->ops = w.train ? (double)w.global_batch * w.seq : (double)w.batch * w.output;
	wk->bytes = workload_params(&w.m) * dtype_bits(w.dtype) / 8;
}

static void wl_shape(const struct nb_case *c, struct nb_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = NB_SHAPE_WORKLOAD;
	s->dtype = case_dtype(c);
}

/* Small enough for the tests to run at every ISA level against the
 * reference. */
static const char *const train_tests[] = {
	"train hidden=64 heads=4 kv_heads=2 layers=2 ffn=96 gated=true vocab=97 seq=24 global_batch=4 "
	"micro_batch=2 recompute=full attention=materialized",
	"train hidden=48 heads=3 layers=1 ffn=80 gated=false vocab=64 seq=17 global_batch=1 micro_batch=1 "
	"recompute=none dtype=fp16 attention=materialized",
	NULL,
};

static const char *const infer_tests[] = {
	"infer hidden=64 heads=4 kv_heads=1 layers=2 ffn=128 gated=true vocab=101 batch=2 input=9 output=5 attention=materialized",
	"infer hidden=32 heads=2 layers=1 ffn=64 vocab=50 batch=1 input=1 output=3 dtype=fp16 attention=materialized",
	NULL,
};

/* What train and infer share: the workload model on chips, the host runner
 * (workload-host.c) on the host. */
#define WORKLOAD_OPS \
	.check = wl_check, .work = wl_work, .shape = wl_shape, \
	.host_bytes = workload_host_bytes, .host_available = workload_host_available, \
	.setup = workload_host_setup, .execute = workload_host_execute, \
	.verify = workload_host_verify, .teardown = workload_host_teardown, \
	.impl = workload_host_impl

const struct nb_kernel nb_kernel_train = {
	.name = "train",
	.summary = "one optimizer step of a decoder-only transformer on tp x pp x dp chips (host: one chip, measured)",
	.params = train_params,
	.nparams = (int)NB_ARRAY_SIZE(train_params),
	.test_cases = train_tests,
	WORKLOAD_OPS,
};

const struct nb_kernel nb_kernel_infer = {
	.name = "infer",
	.summary = "serving a batch: prefill (time to first token) and decode (time per output token) "
		   "(host: one chip, measured)",
	.params = infer_params,
	.nparams = (int)NB_ARRAY_SIZE(infer_params),
	.test_cases = infer_tests,
	WORKLOAD_OPS,
};
