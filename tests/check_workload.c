/* Unit tests of the workload families (train, infer) and their composition:
 * the memory fit against the closed forms of Korthikanti et al. 2022
 * ("Reducing Activation Recomputation in Large Transformer Models",
 * section 4), the model catalog, and the figures a prediction reports
 * against each other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_suites.h"
#include "kernels/workload-ew.h"
#include "kernels/workload.h"
#include "model/compose.h"
#include "model/llm.h"
#include "model/model.h"
#include "model/profile.h"
#include "util/cpu.h"
#include "util/util.h"

static struct nb_profiles *set;

static void setup(void)
{
	char *dir = xasprintf("%s/profiles", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	const char *dirs[] = { dir };

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	free(dir);
}

static void teardown(void)
{
	profiles_free(set);
	set = NULL;
}

static void parse(const char *text, struct nb_case *c)
{
	char msg[256] = "";

	ck_assert_msg(case_parse(text, c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
	ck_assert_msg(case_check(c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
}

static void memory(const char *text, struct nb_wl_memory *mem)
{
	struct nb_case c;
	struct nb_workload w;
	char msg[256];

	parse(text, &c);
	ck_assert_int_eq(workload_resolve(&c, &w, msg, sizeof(msg)), 0);
	compose_memory(&w, profile_mem_bytes(profiles_find(set, "a100-sxm4-80gb")), mem);
}

#define GPT175 "train model=gpt3-175b seq=2048 global_batch=1536 micro_batch=1 tp=8 pp=8 dp=8 dtype=fp16"

/* GPT-3 175B with TP8 PP8 on 80 GB chips (the paper's Table 3 setting):
 * the first stage holds pp micro-batches of L/pp layers, i.e. L layers of
 * activations: s b h L (34/t + 5 a s / (h t)) bytes without recomputation
 * and with sequence parallelism, s b h L (10 + 24/t + 5 a s / (h t))
 * without it, s b h L 34/t with selective recomputation, 2 s b h L / t with
 * full.  Weights, gradients and Adam state: 16 bytes a parameter. */
START_TEST(test_memory_gpt175b)
{
	const double s = 2048, b = 1, h = 12288, a = 96, L = 96, t = 8;
	struct nb_wl_memory none_sp, none, sel, full;

	memory(GPT175 " recompute=none sp=true", &none_sp);
	memory(GPT175 " recompute=none sp=false", &none);
	memory(GPT175 " recompute=selective sp=true", &sel);
	memory(GPT175 " recompute=full sp=true", &full);
	ck_assert_double_eq_tol(none_sp.activations, s * b * h * L * (34 / t + 5 * a * s / (h * t)), 1);
	ck_assert_double_eq_tol(none.activations, s * b * h * L * (10 + 24 / t + 5 * a * s / (h * t)), 1);
	ck_assert_double_eq_tol(sel.activations, s * b * h * L * 34 / t, 1);
	ck_assert_double_eq_tol(full.activations, 2 * s * b * h * L / t, 1);
	ck_assert_double_eq_tol((sel.weights + sel.grads + sel.optimizer) / sel.params_per_chip, 16, 1e-9);
	/* Which options fit 80 GiB: without recomputation only with sequence
	 * parallelism (about 80 GB of 86), selective and full comfortably. */
	ck_assert(none.total > none.capacity);
	ck_assert(none_sp.total < none_sp.capacity && none_sp.total > 0.85 * none_sp.capacity);
	ck_assert(sel.total < 0.7 * sel.capacity);
	ck_assert(full.total < sel.total);
}
END_TEST

/* The same verdicts through a prediction: NO_FIT names needed and available. */
START_TEST(test_no_fit_prediction)
{
	const struct nb_profile *p = profiles_find(set, "a100-sxm4-80gb");
	struct nb_prediction pr;
	struct nb_case c;

	parse(GPT175 " recompute=none sp=false", &c);
	ck_assert_int_eq(model_predict(&c, p, &pr), 0);
	ck_assert_int_eq(pr.status, NB_PRED_NO_FIT);
	ck_assert_msg(strstr(pr.reason, "needs") && strstr(pr.reason, "against a100-sxm4-80gb's 80.0 GiB"), "%s",
		      pr.reason);
	prediction_release(&pr);
	parse(GPT175 " recompute=selective sp=true", &c);
	ck_assert_int_eq(model_predict(&c, p, &pr), 0);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s", pr.reason);
	prediction_release(&pr);
}
END_TEST

/* Every name model= offers has a catalog file and every file a name; the
 * parameter counts match what the models are known by. */
START_TEST(test_catalog)
{
	const char *choices = NB_LLM_CHOICES;
	int n = 0;
	struct { const char *id; double total, active; } known[] = {
		{ "gpt3-175b", 175e9, 175e9 }, { "llama3-70b", 70.6e9, 70.6e9 }, { "llama3-405b", 405e9, 405e9 },
		{ "llama2-70b", 69e9, 69e9 }, { "mixtral-8x7b", 46.7e9, 12.9e9 },
	};

	ck_assert_int_eq(llm_load(llm_dir()), 0);
	for (const char *p = strchr(choices, '|') + 1; p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL) {
		char id[48];

		snprintf(id, sizeof(id), "%.*s", (int)strcspn(p, "|"), p);
		ck_assert_msg(llm_find(id) != NULL, "model=%s has no data/models/%s.json", id, id);
		n++;
	}
	ck_assert_int_eq(n, llm_count());
	for (size_t i = 0; i < NB_ARRAY_SIZE(known); i++) {
		const struct nb_llm *m = llm_find(known[i].id);

		ck_assert_double_eq_tol(workload_params(m) / known[i].total, 1, 0.01);
		ck_assert_double_eq_tol(workload_active_params(m) / known[i].active, 1, 0.01);
	}
}
END_TEST

START_TEST(test_bad_layout)
{
	struct nb_case c;
	char msg[256] = "";

	/* The parser runs the family's check: each is refused naming the value. */
	ck_assert_int_ne(case_parse("train model=llama3-70b tp=3", &c, msg, sizeof(msg)), 0);
	ck_assert_msg(strstr(msg, "tp=3") && strstr(msg, "heads=64"), "%s", msg);
	ck_assert_int_ne(case_parse("train model=none hidden=4096 layers=32 vocab=32000", &c, msg, sizeof(msg)), 0);
	ck_assert_msg(strstr(msg, "heads="), "%s", msg);
	ck_assert_int_ne(case_parse("train model=llama3-8b dp=3 global_batch=1024", &c, msg, sizeof(msg)), 0);
	ck_assert_msg(strstr(msg, "global_batch=1024"), "%s", msg);
	ck_assert_int_ne(case_parse("infer model=mixtral-8x7b topk=9", &c, msg, sizeof(msg)), 0);
	ck_assert_msg(strstr(msg, "topk=9"), "%s", msg);
}
END_TEST

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "no number '%s'", key);
	return v->valuedouble;
}

/* The figures of a training step agree with each other and with the
 * composition: MFU from the model FLOPs, the step time the sum of its
 * parts, twice the micro-batches close to twice the time without a pipeline. */
START_TEST(test_train_figures)
{
	const struct nb_profile *p = profiles_find(set, "h100-sxm");
	struct nb_prediction a, b;
	struct nb_wl_result ra, rb;
	struct nb_case c;
	cJSON *j, *part;
	double sum = 0;

	parse("train model=llama3-8b seq=4096 global_batch=256 micro_batch=2 tp=2 dp=8 sp=true", &c);
	compose_predict(&c, p, &a, &ra);
	ck_assert_msg(a.status == NB_PRED_OK, "%s", a.reason);
	ck_assert_double_eq_tol(a.throughput, 256.0 * 4096 / a.seconds, 1e-6 * a.throughput);
	ck_assert_double_eq_tol(a.util, ra.model_flops / (a.seconds * 16 * profile_peak(p, NB_BF16)), 1e-9);
	ck_assert(ra.hfu > ra.mfu && ra.mfu > 0.2 && ra.mfu < 1);
	j = cJSON_Parse(a.breakdown_json);
	for (int k = 0; k < 2; k++) {
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(j, k ? "exposed_comm_s" : "compute_s"))
			sum += part->valuedouble;
	}
	sum += num(j, "bubble_s") + num(j, "optimizer_s");
	ck_assert_double_eq_tol(sum, a.seconds, 1e-9 * a.seconds);
	cJSON_Delete(j);
	parse("train model=llama3-8b seq=4096 global_batch=512 micro_batch=2 tp=2 dp=8 sp=true", &c);
	compose_predict(&c, p, &b, &rb);
	ck_assert_double_eq_tol(b.seconds / a.seconds, 2, 0.05);
	prediction_release(&a);
	prediction_release(&b);
}
END_TEST

/* Inference: the total is the prefill plus the decode steps after the
 * first token; throughput is the batch's output tokens over it. */
START_TEST(test_infer_figures)
{
	const struct nb_profile *p = profiles_find(set, "h100-sxm");
	struct nb_prediction pr;
	struct nb_wl_result r;
	struct nb_case c;

	parse("infer model=llama3-70b batch=16 input=1024 output=128 tp=4", &c);
	compose_predict(&c, p, &pr, &r);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s", pr.reason);
	ck_assert_double_eq_tol(r.ttft_s + 127 * r.tpot_s, pr.seconds, 1e-9 * pr.seconds);
	ck_assert_double_eq_tol(pr.throughput, 16.0 * 128 / pr.seconds, 1e-6 * pr.throughput);
	/* Decode at batch 16 reads every weight each step: no faster than the
	 * weights over the memory bandwidth. */
	ck_assert(r.tpot_s > workload_params(llm_find("llama3-70b")) * 2 / 4 / profile_bw_bytes_per_s(p));
	ck_assert(r.mem.kv_cache > 0);
	prediction_release(&pr);
}
END_TEST

/* The host training step's backward pass is the derivative of its loss:
 * analytic gradients against central differences (fp32, portable GEMM),
 * gated and plain MLPs, GQA, every recompute option, two micro-batches. */
START_TEST(test_host_gradcheck)
{
	static const char *const cases[] = {
		"train hidden=16 heads=4 kv_heads=2 layers=2 ffn=24 gated=true vocab=19 seq=6 global_batch=2 "
		"micro_batch=1 recompute=full attention=materialized",
		"train hidden=12 heads=2 layers=1 ffn=20 gated=false vocab=11 seq=5 global_batch=2 micro_batch=2 "
		"recompute=none attention=materialized",
		"train hidden=16 heads=2 kv_heads=1 layers=2 ffn=16 gated=true vocab=13 seq=4 global_batch=1 "
		"micro_batch=1 recompute=selective attention=materialized",
	};

	for (int i = 0; i < 3; i++) {
		double err = -1;

		ck_assert_int_eq(workload_host_gradcheck(cases[i], 60, &err), 0);
		ck_assert_msg(err < 1e-3, "%s: sum |fd - grad| / sum |grad| = %g", cases[i], err);
	}
}
END_TEST

/* The vector elementwise tables against the portable one (libm): rounding
 * to bf16 bit for bit (ties, NaN, infinities, signed zero), the activations
 * and their gradients within 1e-5 x (1 + |reference|) (the polynomial exp
 * against libm's), the softmax's exponentials within 1e-6 relative, Adam
 * within 1e-6 relative.  An ISA this machine lacks is not tested (the
 * table is never chosen there). */
START_TEST(test_ew_tables)
{
	enum { N = 4099 };
	const struct wl_ew *ref = wl_ew_for(NB_ISA_PORTABLE);
	static float u1[N], u2[N], dg[N], a[N], b[N], c[N], d[N], w[2][N], g[2][N], m[2][N], v[2][N];
	static uint16_t ba[N], bb[N];
	int tested = 0;

	for (int i = 0; i < N; i++) {
		uint32_t bits = 0x3f808000u + (uint32_t)i * 0x10001u;

		u1[i] = (float)((i * 7919) % 4001 - 2000) / 100.0f;
		u2[i] = (float)((i * 104729) % 3001 - 1500) / 300.0f;
		dg[i] = (float)((i * 31) % 201 - 100) / 50.0f;
		if (i % 5 == 0)
			memcpy(&u2[i], &bits, 4);	/* halfway and near-halfway cases for bf16 */
	}
	u1[0] = 0.0f;
	u1[1] = -0.0f;
	u1[2] = INFINITY;
	u1[3] = -INFINITY;
	u1[4] = NAN;
	u1[5] = 95.0f;
	u1[6] = -95.0f;
	for (int isa = NB_ISA_AVX2; isa <= NB_ISA_AVX512; isa++) {
		const struct wl_ew *t = wl_ew_for(isa);

		if (!cpu_has_isa((enum nb_isa)isa, NULL) || t == ref)
			continue;
		tested++;
		for (int k = 0; k < 2; k++) {
			const float *src = k ? u2 : u1;

			ref->to_bf16(src, ba, N);
			t->to_bf16(src, bb, N);
			for (int i = 0; i < N; i++)
				ck_assert_msg(ba[i] == bb[i], "%s to_bf16(%a): %#x, portable %#x", isa_name(isa), src[i],
					      bb[i], ba[i]);
		}
		/* The activations on finite inputs (u1 from 7 on). */
		ref->gelu(u1 + 7, a, N - 7);
		t->gelu(u1 + 7, b, N - 7);
		ref->gelu_bwd(u1 + 7, dg, c, N - 7);
		t->gelu_bwd(u1 + 7, dg, d, N - 7);
		for (int i = 0; i < N - 7; i++) {
			ck_assert_msg(fabsf(a[i] - b[i]) <= 1e-5f * (1 + fabsf(a[i])), "%s gelu(%g) %g, portable %g",
				      isa_name(isa), u1[i + 7], b[i], a[i]);
			ck_assert_msg(fabsf(c[i] - d[i]) <= 1e-5f * (1 + fabsf(c[i])), "%s gelu'(%g) %g, portable %g",
				      isa_name(isa), u1[i + 7], d[i], c[i]);
		}
		ref->swiglu(u1 + 7, u2, a, N - 7);
		t->swiglu(u1 + 7, u2, b, N - 7);
		ref->swiglu_bwd(u1 + 7, u2, dg, c, w[0], N - 7);
		t->swiglu_bwd(u1 + 7, u2, dg, d, w[1], N - 7);
		for (int i = 0; i < N - 7; i++) {
			ck_assert_msg(fabsf(a[i] - b[i]) <= 1e-5f * (1 + fabsf(a[i])), "%s swiglu(%g) %g, portable %g",
				      isa_name(isa), u1[i + 7], b[i], a[i]);
			ck_assert(fabsf(c[i] - d[i]) <= 1e-5f * (1 + fabsf(c[i])));
			ck_assert(fabsf(w[0][i] - w[1][i]) <= 1e-5f * (1 + fabsf(w[0][i])));
		}
		/* Softmax exponentials down to the clamp: relative error. */
		ref->exp_shift(u1 + 7, a, N - 7, 2.0f, 3.0f);
		t->exp_shift(u1 + 7, b, N - 7, 2.0f, 3.0f);
		for (int i = 0; i < N - 7; i++)
			ck_assert_msg(fabsf(a[i] - b[i]) <= 1e-6f * a[i] || (a[i] < 1e-36f && b[i] < 1e-36f),
				      "%s exp(%g) %g, portable %g", isa_name(isa), 2 * u1[i + 7] - 3, b[i], a[i]);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < N; i++) {
				w[k][i] = u2[i] / 16;
				g[k][i] = dg[i];
				m[k][i] = dg[i] / 8;
				v[k][i] = dg[i] * dg[i] / 4;
			}
		ref->adam(w[0], g[0], m[0], v[0], N, 0.19f, 0.0975f);
		t->adam(w[1], g[1], m[1], v[1], N, 0.19f, 0.0975f);
		for (int i = 0; i < N; i++) {
			ck_assert(g[1][i] == 0);
			ck_assert_msg(fabsf(w[0][i] - w[1][i]) <= 1e-6f * fabsf(w[0][i]) + 1e-12f, "%s adam w %g, portable %g",
				      isa_name(isa), w[1][i], w[0][i]);
			ck_assert(m[0][i] == m[1][i] || fabsf(m[0][i] - m[1][i]) <= 1e-6f * fabsf(m[0][i]));
		}
		/* One row's RMS norm and softmax at lengths around the vector
		 * lanes (tails) and up to thousands, against the reference's
		 * running sums: only the order of the additions differs (and the
		 * softmax's exponentials, as above). */
		for (long len = 1; len <= N - 12; len = len * 3 + 1) {
			float ra = ref->rms_row(u1 + 7, a, len), rb = t->rms_row(u1 + 7, b, len);

			ck_assert_msg(fabsf(ra - rb) <= 1e-6f * ra, "%s rms_row n=%ld: r %g, portable %g", isa_name(isa),
				      len, rb, ra);
			for (long i = 0; i < len; i++)
				ck_assert_msg(fabsf(a[i] - b[i]) <= 1e-6f * fabsf(a[i]), "%s rms_row n=%ld: y[%ld] %g, portable %g",
					      isa_name(isa), len, i, b[i], a[i]);
			memcpy(c, u1 + 7, (size_t)(len + 5) * sizeof(float));
			memcpy(d, u1 + 7, (size_t)(len + 5) * sizeof(float));
			ref->softmax_row(c, len, len + 5, 0.125f);
			t->softmax_row(d, len, len + 5, 0.125f);
			for (long i = 0; i < len + 5; i++)
				ck_assert_msg(i < len ? fabsf(c[i] - d[i]) <= 1e-5f * c[i] : d[i] == 0,
					      "%s softmax_row seen=%ld: p[%ld] %g, portable %g", isa_name(isa), len, i, d[i], c[i]);
		}
	}
	if (!tested)
		fprintf(stderr, "workload elementwise tables: no vector ISA here, only the portable one\n");
}
END_TEST

/* Weight-only int8 serving (quant=weight, the int8 default): a GEMM's
 * weights read at one byte and converted once per row of tiles at the
 * special-function rate, beside bf16 matrix work; W8A8 (quant=full) is the
 * int8 matrix rate.  Llama-3-8B batch-1 decode on A100: weight-only is
 * faster than bf16 (half the bytes) but not twice as fast, and rated
 * against the bf16 peak. */
START_TEST(test_weight_only)
{
	const struct nb_profile *p = profiles_find(set, "a100-sxm4-80gb");
	const char *base = "infer model=llama3-8b batch=1 input=6 output=200";
	struct nb_prediction pr, gp;
	struct nb_wl_result bf, wo, full;
	struct nb_pred_opts o;
	struct nb_case c;
	struct nb_shape sh;
	struct nb_work wk;
	char text[160];
	cJSON *root;
	double dq;

	parse(base, &c);
	compose_predict(&c, p, &pr, &bf);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s", pr.reason);
	prediction_release(&pr);
	snprintf(text, sizeof(text), "%s dtype=int8", base);
	parse(text, &c);
	compose_predict(&c, p, &pr, &wo);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s", pr.reason);
	ck_assert_msg(strstr(pr.breakdown_json, "weight-only: bf16 math"), "%s", pr.breakdown_json);
	prediction_release(&pr);
	snprintf(text, sizeof(text), "%s dtype=int8 quant=full", base);
	parse(text, &c);
	compose_predict(&c, p, &pr, &full);
	prediction_release(&pr);
	ck_assert_double_eq_tol(wo.mem.weights, bf.mem.weights / 2, 1e-6 * bf.mem.weights);
	ck_assert(wo.tpot_s < bf.tpot_s && wo.tpot_s > bf.tpot_s / 2);
	ck_assert(full.tpot_s != wo.tpot_s);
	ck_assert_double_eq_tol(wo.peak, profile_peak(p, NB_BF16), 1);
	/* One member: the conversions at the special rate, the saved bytes. */
	parse("gemm dtype=bf16 m=1 n=4096 k=4096", &c);
	c.kernel->shape(&c, &sh);
	c.kernel->work(&c, &wk);
	model_case_opts(&c, &o);
	o.weight_only = 1;
	o.weight_dtype = NB_INT8;
	model_predict_shape(&sh, &wk, p, &o, &gp);
	ck_assert(gp.status == NB_PRED_OK);
	root = cJSON_Parse(gp.breakdown_json);
	ck_assert_ptr_nonnull(root);
	dq = cJSON_GetNumberValue(cJSON_GetObjectItem(root, "dequant_s"));
	ck_assert_double_eq_tol(dq, 4096.0 * 4096 / profile_vector_flops(p), 1e-12);
	ck_assert(gp.seconds >= dq);
	cJSON_Delete(root);
	prediction_release(&gp);
}
END_TEST

/* Dims-only cases are labelled by their dimensions, not by a model they
 * do not have. */
START_TEST(test_dims_label)
{
	struct nb_prediction pr;
	struct nb_case c;
	cJSON *j;
	const cJSON *llm;

	parse("train hidden=1024 heads=16 layers=8 vocab=32000 seq=1024 global_batch=8", &c);
	compose_predict(&c, profiles_find(set, "h100-sxm"), &pr, NULL);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s", pr.reason);
	j = cJSON_Parse(pr.breakdown_json);
	llm = cJSON_GetObjectItemCaseSensitive(j, "llm");
	ck_assert(cJSON_IsString(llm));
	ck_assert_str_eq(llm->valuestring, "h1024-a16-kv16-l8-f4096");
	cJSON_Delete(j);
	prediction_release(&pr);
}
END_TEST

/* The stored breakdown adds up to the step time (what a stacked-bar chart
 * draws), and the two mechanisms move it the way they must: materialized
 * attention costs more than fused, overlapped TP communication less. */
static double part_sum(const cJSON *j)
{
	static const char *const objs[] = { "compute_s", "exposed_comm_s" };
	double sum = num(j, "bubble_s") + num(j, "optimizer_s");

	for (int i = 0; i < 2; i++) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, objs[i]), *v;

		ck_assert_ptr_nonnull(o);
		cJSON_ArrayForEach(v, o)
			sum += v->valuedouble;
	}
	return sum;
}

static double breakdown_step(const char *text, const char *chip, double *sum)
{
	struct nb_prediction pr;
	struct nb_case c;
	cJSON *j;
	double s;

	parse(text, &c);
	compose_predict(&c, profiles_find(set, chip), &pr, NULL);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s: %s", text, pr.reason);
	j = cJSON_Parse(pr.breakdown_json);
	*sum = part_sum(j);
	s = num(j, "seconds");
	ck_assert_double_eq_tol(s, pr.seconds, 1e-12 * s);
	cJSON_Delete(j);
	prediction_release(&pr);
	return s;
}

START_TEST(test_breakdown_mechanisms)
{
	const char *base = "train model=gpt3-13b seq=2048 global_batch=64 tp=8 pp=2 dp=4 sp=true interleave=2";
	char text[256];
	double flash, mat, plain, over, sum;

	snprintf(text, sizeof(text), "%s", base);
	flash = breakdown_step(text, "a100-sxm4-80gb", &sum);
	ck_assert_double_eq_tol(sum, flash, 1e-9 * flash);
	snprintf(text, sizeof(text), "%s attention=materialized", base);
	mat = breakdown_step(text, "a100-sxm4-80gb", &sum);
	ck_assert_double_eq_tol(sum, mat, 1e-9 * mat);
	ck_assert(mat > flash);
	plain = breakdown_step("train model=gpt3-13b seq=2048 global_batch=64 tp=8 dp=8 sp=true", "ascend-910b2", &sum);
	over = breakdown_step("train model=gpt3-13b seq=2048 global_batch=64 tp=8 dp=8 sp=true tp_overlap=true",
			      "ascend-910b2", &sum);
	ck_assert_double_eq_tol(sum, over, 1e-9 * over);
	ck_assert(over < plain);
	mat = breakdown_step("infer model=llama3-8b batch=8 input=512 output=64 tp=2", "h100-sxm", &sum);
	ck_assert_double_eq_tol(sum, mat, 1e-9 * mat);
}
END_TEST

/* The host fixture profile, as "hostx" in DIR, with an on-chip bandwidth,
 * and the skinny GEMM's rate from it (GEMV_GBS) and the elementwise pass
 * rates (EW: plain, exp, activation, in G elements/s) where given (> 0). */
static struct nb_profiles *host_variant(char *dir, double gemv_gbs, const double ew[3])
{
	static const char *const ew_keys[3] = { "elementwise_gelems", "elementwise_exp_gelems",
						"elementwise_act_gelems" };
	struct nb_profiles *ps = NULL;
	char *src, *text, *out, *path, fig[160];
	const char *dirs[1] = { dir };
	cJSON *root, *on, *cmp;
	size_t len;

	src = xasprintf("%s/tests/fixtures/host-profile/host.json", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	ck_assert_int_eq(nb_read_file(src, 1 << 20, &text, &len), 0);
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	cJSON_ReplaceItemInObject(root, "id", cJSON_CreateString("hostx"));
	on = cJSON_GetObjectItemCaseSensitive(root, "on_chip");
	cmp = cJSON_GetObjectItemCaseSensitive(root, "compute");
	cJSON_AddItemToObject(on, "llc_bandwidth_gbs",
			      cJSON_Parse("{\"value\": 60, \"source\": \"EST\", \"kind\": \"estimate\"}"));
	cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(root, "memory"), "read_bandwidth_gbs",
			      cJSON_Parse("{\"value\": 4, \"source\": \"EST\", \"kind\": \"estimate\"}"));
	if (gemv_gbs > 0) {
		snprintf(fig, sizeof(fig), "{\"value\": %g, \"source\": \"EST\", \"kind\": \"estimate\"}", gemv_gbs);
		cJSON_AddItemToObject(on, "llc_gemv_bandwidth_gbs", cJSON_Parse(fig));
	}
	for (int i = 0; ew && i < 3; i++) {
		snprintf(fig, sizeof(fig), "{\"value\": %g, \"source\": \"EST\", \"kind\": \"estimate\"}", ew[i]);
		cJSON_AddItemToObject(cmp, ew_keys[i], cJSON_Parse(fig));
	}
	out = cJSON_Print(root);
	path = xasprintf("%s/hostx.json", dir);
	ck_assert_int_eq(nb_write_file_atomic(path, out, strlen(out)), 0);
	ck_assert_int_eq(profiles_load(dirs, 1, &ps), 0);
	ck_assert_ptr_nonnull(profiles_find(ps, "hostx"));
	unlink(path);
	free(path);
	free(out);
	cJSON_Delete(root);
	free(text);
	free(src);
	return ps;
}

#define HOST_INFER "infer hidden=256 heads=4 layers=2 ffn=1024 vocab=2048 batch=4 input=128 output=%d " \
	"attention=materialized"

/* Predicts TEXT on DIR's variant; returns the seconds, the breakdown in *J. */
static double host_predict(struct nb_profiles *ps, const char *text, cJSON **j)
{
	struct nb_prediction pr;
	struct nb_case c;
	double s;

	parse(text, &c);
	compose_predict(&c, profiles_find(ps, "hostx"), &pr, NULL);
	ck_assert_msg(pr.status == NB_PRED_OK, "%s: %s", text, pr.reason);
	*j = cJSON_Parse(pr.breakdown_json);
	s = pr.seconds;
	prediction_release(&pr);
	return s;
}

/* The host's elementwise passes: absent without the profile's rates (as on
 * every accelerator profile); counted by class with them (the GELUs in
 * closed form); and charged: at rates 100x slower the step takes at least
 * the passes' elements over those rates. */
START_TEST(test_host_ew_passes)
{
	static const double fast[3] = { 20, 5, 3 }, slow[3] = { 0.2, 0.05, 0.03 };
	char dir[] = "/tmp/nbtest-ewXXXXXX", text[160];
	struct nb_profiles *none, *f, *sl;
	cJSON *jn, *jf, *js, *e, *el;
	double tn, tf, ts, passes = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	none = host_variant(dir, 0, NULL);
	f = host_variant(dir, 0, fast);
	sl = host_variant(dir, 0, slow);
	snprintf(text, sizeof(text), HOST_INFER, 1);
	tn = host_predict(none, text, &jn);
	tf = host_predict(f, text, &jf);
	ts = host_predict(sl, text, &js);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(jn, "elementwise_passes"));
	e = cJSON_GetObjectItemCaseSensitive(jf, "elementwise_passes");
	ck_assert_ptr_nonnull(e);
	el = cJSON_GetObjectItemCaseSensitive(e, "elements");
	/* Prefill only: 2 layers x 512 rows x ffn 1024 GELUs. */
	ck_assert_double_eq(num(el, "activation"), 2.0 * 512 * 1024);
	ck_assert(num(el, "plain") > 0 && num(el, "exp") > 0);
	ck_assert(tf >= tn);
	passes = num(el, "plain") / 0.2e9 + num(el, "exp") / 0.05e9 + num(el, "activation") / 0.03e9;
	ck_assert_msg(ts >= passes && ts > tn + 0.9 * passes, "%g s against passes of %g s (none: %g s)", ts, passes, tn);
	ck_assert_double_eq_tol(num(cJSON_GetObjectItemCaseSensitive(js, "elementwise_passes"), "seconds"), passes,
				1e-9 * passes);
	cJSON_Delete(jn);
	cJSON_Delete(jf);
	cJSON_Delete(js);
	profiles_free(none);
	profiles_free(f);
	profiles_free(sl);
	rmdir(dir);
}
END_TEST

/* A skinny product whose weights fit the last-level cache is served from
 * it; at on_chip.llc_gemv_bandwidth_gbs when memory-bound and the profile
 * gives it.  Between its runs in a step, the rest of the step's bytes pass
 * through the caches: with reuse_bytes beyond the cache it reads device
 * memory, at its read-only bandwidth (memory-bound there). */
START_TEST(test_skinny_llc)
{
	char dir[] = "/tmp/nbtest-gemvXXXXXX";
	struct nb_profiles *plain, *gemv;
	struct nb_prediction pr;
	struct nb_pred_opts o;
	struct nb_case c;
	struct nb_shape sh;
	struct nb_work w;
	cJSON *j;
	double t_llc, t_gemv;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	plain = host_variant(dir, 0, NULL);
	gemv = host_variant(dir, 5, NULL);
	parse("gemm dtype=bf16 m=4 n=2048 k=256", &c);
	c.kernel->shape(&c, &sh);
	c.kernel->work(&c, &w);
	model_case_opts(&c, &o);
	model_predict_shape(&sh, &w, profiles_find(plain, "hostx"), &o, &pr);
	j = cJSON_Parse(pr.breakdown_json);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "memory_level")->valuestring, "on-chip");
	ck_assert_double_eq_tol(num(j, "memory_level_bandwidth_per_s"), 60e9, 1);
	t_llc = pr.seconds;
	cJSON_Delete(j);
	prediction_release(&pr);
	model_predict_shape(&sh, &w, profiles_find(gemv, "hostx"), &o, &pr);
	j = cJSON_Parse(pr.breakdown_json);
	ck_assert_double_eq_tol(num(j, "memory_level_bandwidth_per_s"), 5e9, 1);
	t_gemv = pr.seconds;
	ck_assert_msg(t_gemv >= w.bytes / 5e9 && t_gemv > t_llc, "%g s (llc %g s)", t_gemv, t_llc);
	cJSON_Delete(j);
	prediction_release(&pr);
	o.reuse_bytes = 1e12;
	model_predict_shape(&sh, &w, profiles_find(gemv, "hostx"), &o, &pr);
	j = cJSON_Parse(pr.breakdown_json);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "memory_level")->valuestring, "device");
	ck_assert_double_eq_tol(num(j, "memory_level_bandwidth_per_s"), 4e9, 1);
	ck_assert(pr.seconds >= w.bytes / 4e9);
	cJSON_Delete(j);
	prediction_release(&pr);
	profiles_free(plain);
	profiles_free(gemv);
	rmdir(dir);
}
END_TEST

/* The probe's elementwise rates: every class of every table measurable. */
START_TEST(test_ew_rates)
{
	for (int which = 0; which < 3; which++) {
		ck_assert(wl_ew_rate(NB_ISA_PORTABLE, which) > 0);
		ck_assert(wl_ew_rate(cpu_detect()->isa, which) > 0);
	}
}
END_TEST

Suite *suite_workload(void)
{
	Suite *s = suite_create("workload");
	TCase *tc = tcase_create("workload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_memory_gpt175b);
	tcase_add_test(tc, test_no_fit_prediction);
	tcase_add_test(tc, test_catalog);
	tcase_add_test(tc, test_bad_layout);
	tcase_add_test(tc, test_train_figures);
	tcase_add_test(tc, test_infer_figures);
	tcase_add_test(tc, test_host_gradcheck);
	tcase_add_test(tc, test_ew_tables);
	tcase_add_test(tc, test_weight_only);
	tcase_add_test(tc, test_dims_label);
	tcase_add_test(tc, test_breakdown_mechanisms);
	tcase_add_test(tc, test_host_ew_passes);
	tcase_add_test(tc, test_skinny_llc);
	tcase_add_test(tc, test_ew_rates);
	suite_add_tcase(s, tc);
	return s;
}
