/* Unit tests of the chip model against cases computed by hand on the test
 * chip (tests/fixtures/profiles/test-chip.json: fp16 100 TFLOPS, int8 200,
 * no bf16, 10 units, 16x16x16 tiles, 128x128 blocks, 16 MiB on-chip at
 * 4000 GB/s, 1000 GB/s memory, 16 GiB; efficiencies gemm 0.5, attention 0.25,
 * stream 0.8, 16 overhead steps per tile, launch 10 us, full overlap, 2:4
 * factor 2 kept at 0.5), plus every shipped profile on every kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_suites.h"
#include "model/model.h"
#include "model/profile.h"
#include "util/util.h"

static struct nb_profiles *load(const char *rel)
{
	char *dir = xasprintf("%s/%s", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".", rel);
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	free(dir);
	return set;
}

static const struct nb_profile *test_chip(struct nb_profiles **set)
{
	*set = load("tests/fixtures/profiles");
	return profiles_find(*set, "test-chip");
}

/* A GEMM with the work the gemm kernel declares: 2mnk, A, B and C once. */
static void gemm(const struct nb_profile *p, enum nb_dtype dt, double m, double n, double k,
		 enum nb_sparsity sp, const char *impl, struct nb_prediction *pr)
{
	struct nb_shape s = { 0 };
	struct nb_work w = { 0 };
	struct nb_pred_opts o = { "", NB_TIMING_DEVICE, 0, 0, 0, NB_BF16, 0 };
	double es = dtype_bits(dt) / 8.0;

	s.kind = NB_SHAPE_GEMM;
	s.dtype = dt;
	s.batch = 1;
	s.m = (int64_t)m;
	s.n = (int64_t)n;
	s.k = (int64_t)k;
	s.sparsity = sp;
	w.ops = 2 * m * n * k;
	w.bytes = (m * k + k * n + m * n) * es;
	w.unit = "FLOP/s";
	if (impl)
		snprintf(o.impl, sizeof(o.impl), "%s", impl);
	ck_assert_int_eq(model_predict_shape(&s, &w, p, &o, pr), 0);
}

static double json_num(const char *json, const char *key)
{
	cJSON *root = cJSON_Parse(json);
	const cJSON *v;
	double d;

	ck_assert_ptr_nonnull(root);
	v = cJSON_GetObjectItemCaseSensitive(root, key);
	ck_assert_msg(cJSON_IsNumber(v), "no number '%s' in %s", key, json);
	d = v->valuedouble;
	cJSON_Delete(root);
	return d;
}

#define REL_EQ(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)), "%.12g != %.12g", (double)(a), (double)(b))

/* 4096^3 fp16: 32 x 32 = 1024 blocks of 128x128 over 10 units = 103 waves,
 * each block 2 x 4096 steps of 128x128 at 100e12 x 0.5 / 10, plus the 2 x 16
 * overhead steps once (tiles stream back to back on a unit: only the first
 * fill and the last drain show); memory (100.7 MB at 800 GB/s = 126 us)
 * hides under it; + 10 us launch. */
START_TEST(pure_compute_gemm)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_prediction pr;

	gemm(p, NB_FP16, 4096, 4096, 4096, NB_SPARSE_NONE, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	REL_EQ(pr.seconds, 128.0 * 128 * (103 * 2 * 4096 + 2 * 16) / 5e12 + 10e-6);
	ck_assert_str_eq(pr.bound, "compute");
	REL_EQ(pr.throughput, 2.0 * 4096 * 4096 * 4096 / pr.seconds);
	REL_EQ(pr.util, pr.throughput / 100e12);
	REL_EQ(json_num(pr.breakdown_json, "wave_quantization_factor"), 1030.0 / 1024);
	REL_EQ(json_num(pr.breakdown_json, "tile_quantization_factor"), 1);
	REL_EQ(json_num(pr.breakdown_json, "memory_s"), 3 * 4096.0 * 4096 * 2 / 800e9);
	prediction_release(&pr);

	/* An implementation the profile describes: gemm efficiency 0.25. */
	gemm(p, NB_FP16, 4096, 4096, 4096, NB_SPARSE_NONE, "triton", &pr);
	ck_assert_str_eq(pr.impl, "triton");
	REL_EQ(pr.seconds, 128.0 * 128 * (103 * 2 * 4096 + 2 * 16) / 2.5e12 + 10e-6);
	prediction_release(&pr);

	/* 2:4 sparsity: per flop a 128x128 tile costs its math, 1, plus its
	 * operand feed, 16/128 for A and for B (c = a quarter of the block's
	 * intensity 64); sparse, the math takes 1 / (1 + (2 - 1) x 0.5) and A
	 * is fed compressed: half its values plus 2 bits of metadata each. */
	gemm(p, NB_FP16, 4096, 4096, 4096, NB_SPARSE_2_4, NULL, &pr);
	double sparse = (1 / 1.5 + 16 * (0.5625 / 128 + 1.0 / 128)) / 1.25;
	REL_EQ(pr.seconds, 128.0 * 128 * (103 * 2 * 4096 + 2 * 16) * sparse / 5e12 + 10e-6);
	REL_EQ(json_num(pr.breakdown_json, "sparse_speedup"), 1 / sparse);
	prediction_release(&pr);
	profiles_free(set);
}
END_TEST

/* GEMV 1 x 8192 x 8192 fp16: 134,250,496 bytes at 1000 GB/s x 0.8, + launch;
 * the compute (under 100 us) hides under it. */
START_TEST(memory_bound_gemv)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_prediction pr;

	gemm(p, NB_FP16, 1, 8192, 8192, NB_SPARSE_NONE, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	REL_EQ(pr.seconds, (8192.0 * 8192 + 8192 + 8192) * 2 / 800e9 + 10e-6);
	ck_assert_str_eq(pr.bound, "memory");
	ck_assert_double_lt(pr.util, 0.01);
	prediction_release(&pr);
	profiles_free(set);
}
END_TEST

/* 4097^3 pads to 4112 (16-granular): 33 x 33 blocks = 1089, 109 waves of
 * 2 x 4112 steps, plus 32 overhead steps once; 17^3 pads to 32^3 and costs
 * exactly what 32^3 does. */
START_TEST(tile_quantization)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_prediction a, b;

	gemm(p, NB_FP16, 4097, 4097, 4097, NB_SPARSE_NONE, NULL, &a);
	REL_EQ(a.seconds, 128.0 * 128 * (109 * 2 * 4112 + 2 * 16) / 5e12 + 10e-6);
	REL_EQ(json_num(a.breakdown_json, "tile_quantization_factor"),
	       pow(4112.0 / 4097, 3));
	prediction_release(&a);

	gemm(p, NB_FP16, 17, 17, 17, NB_SPARSE_NONE, NULL, &a);
	gemm(p, NB_FP16, 32, 32, 32, NB_SPARSE_NONE, NULL, &b);
	REL_EQ(a.seconds, b.seconds);
	REL_EQ(json_num(a.breakdown_json, "tile_quantization_factor"), pow(32.0 / 17, 3));
	ck_assert_str_eq(a.bound, "latency");
	ck_assert_double_lt(a.throughput, b.throughput);
	prediction_release(&a);
	prediction_release(&b);
	profiles_free(set);
}
END_TEST

START_TEST(does_not_fit)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_prediction pr;

	/* 3 x 200000^2 x 2 bytes = 240 GB > 16 GiB. */
	gemm(p, NB_FP16, 200000, 200000, 200000, NB_SPARSE_NONE, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_NO_FIT);
	ck_assert_ptr_nonnull(strstr(pr.reason, "does not fit"));
	ck_assert_ptr_nonnull(strstr(pr.breakdown_json, "no-fit"));
	prediction_release(&pr);
	profiles_free(set);
}
END_TEST

START_TEST(unsupported_and_emulated_dtypes)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_prediction pr;

	gemm(p, NB_BF16, 1024, 1024, 1024, NB_SPARSE_NONE, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_UNSUPPORTED);
	ck_assert_msg(strstr(pr.reason, "no bf16") != NULL, "%s", pr.reason);
	ck_assert_ptr_nonnull(strstr(pr.reason, "fp16"));	/* what it has instead */
	prediction_release(&pr);

	/* int4 through the profile's emulation path, at the int8 rate, labelled;
	 * the tile's prologue and epilogue run at the 16-bit pace: twice as
	 * many int8 steps. */
	gemm(p, NB_INT4, 4096, 4096, 4096, NB_SPARSE_NONE, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	ck_assert_ptr_nonnull(strstr(pr.reason, "int4 emulated via int8"));
	ck_assert_ptr_nonnull(strstr(pr.breakdown_json, "\"computed_as\":\"int8\""));
	REL_EQ(pr.seconds, 128.0 * 128 * (103 * 2 * 4096 + 2 * 2 * 16) / 10e12 + 10e-6);
	prediction_release(&pr);
	profiles_free(set);
}
END_TEST

/* Attention b*h = 16, s = 2048, d = 128: 16 x 16 query blocks of 128 = 256
 * tiles, 26 waves, each 4 x 2048 + 2 x 32 steps (every wave pays the
 * epilogue, twice the 16 overhead steps: about two key blocks), plus the
 * prologue, as much again, once per unit (issued under the previous block's
 * main loop), of 128x128 at 100e12 x 0.25 / 10 (the test chip has no
 * special_tflops: no softmax term); causal: each block sees 2048/2 + 128/2
 * keys on average, block j of 16 (j + 1/2) / 8 of that; handed out in launch
 * order (16 blocks of one head, then the next) to the first free of 10 units,
 * the busiest unit ends with 26.6875 mean blocks (26 waves' worth even). */
START_TEST(attention_and_stream)
{
	struct nb_profiles *set;
	const struct nb_profile *p = test_chip(&set);
	struct nb_shape s = { 0 };
	struct nb_work w = { 0 };
	struct nb_prediction pr;

	s.kind = NB_SHAPE_ATTENTION;
	s.dtype = NB_FP16;
	s.batch = 16;
	s.seq_q = s.seq_k = 2048;
	s.head_dim = 128;
	s.pairs = 2048.0 * 2048;
	w.ops = 4.0 * 16 * 2048 * 2048 * 128;
	w.bytes = 4.0 * 16 * 2048 * 128 * 2;
	model_predict_shape(&s, &w, p, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	REL_EQ(pr.seconds, 128.0 * 128 * (26 * (4 * 2048 + 2 * 32) + 2 * 32) / 2.5e12 + 10e-6);
	prediction_release(&pr);
	s.causal = 1;
	s.pairs = 2048.0 * 2049 / 2;
	w.ops /= 2;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 128.0 * 128 * (26.6875 * 4 * (1024 + 64) + 26 * 2 * 32 + 2 * 32) / 2.5e12 + 10e-6);
	prediction_release(&pr);

	/* A triad over 1 GB arrays: 3 GB at 800 GB/s; one over 1 MB arrays
	 * stays on chip: 3 MB at 4000 GB/s x 0.8. */
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	s.kind = NB_SHAPE_STREAM;
	s.dtype = NB_FP64;
	s.stream_reads = 2;
	s.stream_writes = 1;
	w.bytes = 3e9;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 3e9 / 800e9 + 10e-6);
	ck_assert_str_eq(pr.bound, "memory");
	REL_EQ(pr.throughput, 3e9 / pr.seconds);
	prediction_release(&pr);
	w.bytes = 3e6;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 3e6 / 3200e9 + 10e-6);
	ck_assert_str_eq(pr.bound, "latency");
	prediction_release(&pr);
	profiles_free(set);
}
END_TEST

/* Fused attention at a fixed hidden size (heads x head_dim = 2048, 16k
 * tokens) on a chip with a special-function rate: the softmax costs one
 * exponential per score, in series with 4d flops of matrix work, so the
 * flop rate grows with head_dim (FA3 on H100 measured 497, 648 and 756
 * TFLOPS at 64, 128 and 256: ratios 0.77 and 1.17 to head_dim 128). */
static double attention_rate(const struct nb_profile *p, int64_t heads, int64_t d)
{
	struct nb_shape s = { 0 };
	struct nb_work w = { 0 };
	struct nb_prediction pr;
	double r;

	s.kind = NB_SHAPE_ATTENTION;
	s.dtype = NB_BF16;
	s.batch = heads;
	s.seq_q = s.seq_k = 16384;
	s.pairs = 16384.0 * 16384;
	s.head_dim = d;
	w.ops = 4.0 * heads * 16384 * 16384 * d;
	w.bytes = 4.0 * heads * 16384 * d * 2;
	ck_assert_int_eq(model_predict_shape(&s, &w, p, NULL, &pr), 0);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	ck_assert_double_gt(json_num(pr.breakdown_json, "softmax_s"), 0);
	r = pr.throughput;
	prediction_release(&pr);
	return r;
}

START_TEST(attention_softmax_head_dim)
{
	struct nb_profiles *set = load("profiles");
	const struct nb_profile *p = profiles_find(set, "h100-sxm");
	double r64, r128, r256;

	ck_assert_ptr_nonnull(p);
	r64 = attention_rate(p, 32, 64);
	r128 = attention_rate(p, 16, 128);
	r256 = attention_rate(p, 8, 256);
	ck_assert_double_lt(r64, r128);
	ck_assert_double_lt(r128, r256);
	ck_assert_double_gt(r64 / r128, 0.70);
	ck_assert_double_lt(r64 / r128, 0.85);
	ck_assert_double_gt(r256 / r128, 1.08);
	ck_assert_double_lt(r256 / r128, 1.25);
	profiles_free(set);
}
END_TEST

/* The optional figures: memory.read_bandwidth_gbs and write_bandwidth_gbs
 * serve streams that only read or only write; model.csr_output_madds adds
 * that many multiply-adds per output element to a CSR spmm.  The test chip
 * with read 500 GB/s, write 250 GB/s and 10 multiply-adds per output, written
 * to a temporary folder. */
START_TEST(directional_bandwidth_and_csr_output)
{
	char dir[] = "/tmp/npubench-check-rw.XXXXXX", *src, *text, *path, *out;
	const char *dirs[1];
	struct nb_profiles *set, *base_set;
	const struct nb_profile *p, *base = test_chip(&base_set);
	struct nb_shape s = { 0 };
	struct nb_work w = { 0 };
	struct nb_prediction pr, pb;
	cJSON *root, *mem, *model;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	src = xasprintf("%s/tests/fixtures/profiles/test-chip.json",
			getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	ck_assert_int_eq(nb_read_file(src, 1 << 20, &text, &len), 0);
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	cJSON_ReplaceItemInObject(root, "id", cJSON_CreateString("rw-chip"));
	cJSON_ReplaceItemInObject(root, "aliases", cJSON_CreateArray());
	mem = cJSON_GetObjectItemCaseSensitive(root, "memory");
	model = cJSON_GetObjectItemCaseSensitive(root, "model");
	cJSON_AddItemToObject(mem, "read_bandwidth_gbs",
			      cJSON_Parse("{\"value\": 500, \"source\": \"T\", \"kind\": \"estimate\"}"));
	cJSON_AddItemToObject(mem, "write_bandwidth_gbs",
			      cJSON_Parse("{\"value\": 250, \"source\": \"T\", \"kind\": \"estimate\"}"));
	cJSON_AddItemToObject(model, "csr_output_madds",
			      cJSON_Parse("{\"value\": 10, \"source\": \"T\", \"kind\": \"estimate\"}"));
	out = cJSON_Print(root);
	path = xasprintf("%s/rw-chip.json", dir);
	ck_assert_int_eq(nb_write_file_atomic(path, out, strlen(out)), 0);
	dirs[0] = dir;
	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	p = profiles_find(set, "rw-chip");
	ck_assert_ptr_nonnull(p);

	/* 3 GB read-only (sum): 3e9 / (500e9 x 0.8) + launch; write-only (fill)
	 * at 250e9 x 0.8; a triad still at the mixed 1000e9 x 0.8. */
	s.kind = NB_SHAPE_STREAM;
	s.dtype = NB_FP64;
	w.bytes = 3e9;
	s.stream_reads = 1;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 3e9 / 400e9 + 10e-6);
	prediction_release(&pr);
	s.stream_reads = 0;
	s.stream_writes = 1;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 3e9 / 200e9 + 10e-6);
	prediction_release(&pr);
	s.stream_reads = 2;
	model_predict_shape(&s, &w, p, NULL, &pr);
	REL_EQ(pr.seconds, 3e9 / 800e9 + 10e-6);
	prediction_release(&pr);

	/* CSR fp16 1024^3 at 1%: compute = 2 (nnz n + 10 m n) / (100e12 x 0.1);
	 * the base chip has no output cost: 2 nnz n / 1e13. */
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	s.kind = NB_SHAPE_GEMM;
	s.dtype = NB_FP16;
	s.batch = 1;
	s.m = s.n = s.k = 1024;
	s.sparsity = NB_SPARSE_CSR;
	s.density = 0.01;
	s.nnz = 1024.0 * 1024 * 0.01;
	w.ops = 2.0 * 1024 * 1024 * 1024;
	w.bytes = 3.0 * 1024 * 1024 * 2;
	w.unit = "FLOP/s";
	ck_assert_int_eq(model_predict_shape(&s, &w, p, NULL, &pr), 0);
	ck_assert_int_eq(model_predict_shape(&s, &w, base, NULL, &pb), 0);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	REL_EQ(json_num(pr.breakdown_json, "compute_s"),
	       2.0 * (1024.0 * 1024 * 0.01 * 1024 + 10.0 * 1024 * 1024) / 1e13);
	REL_EQ(json_num(pb.breakdown_json, "compute_s"), 2.0 * 1024.0 * 1024 * 0.01 * 1024 / 1e13);
	prediction_release(&pr);
	prediction_release(&pb);

	profiles_free(set);
	profiles_free(base_set);
	unlink(path);
	rmdir(dir);
	cJSON_free(out);
	cJSON_Delete(root);
	free(text);
	free(src);
	free(path);
}
END_TEST

/* Every shipped profile on every registered kernel's default case and a few
 * shapes: a verdict, sane numbers, parseable breakdown; pure and fast. */
START_TEST(every_profile_every_kernel)
{
	struct nb_profiles *set = load("profiles");

	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);

		for (int k = 0; k < nb_nkernels; k++) {
			struct nb_case c;
			struct nb_prediction a, b;
			cJSON *j;

			case_init(&c, nb_kernels[k]);
			if (!c.kernel->shape)
				continue;
			ck_assert_int_eq(model_predict(&c, p, &a), 0);
			ck_assert_int_eq(model_predict(&c, p, &b), 0);
			ck_assert_int_eq(a.status, b.status);
			ck_assert(a.seconds == b.seconds);
			j = cJSON_Parse(a.breakdown_json);
			ck_assert_msg(j != NULL, "%s/%s: breakdown is not JSON", profile_id(p), c.kernel->name);
			if (a.status == NB_PRED_OK) {
				ck_assert_msg(isfinite(a.seconds) && a.seconds > 0, "%s/%s", profile_id(p), c.kernel->name);
				ck_assert_msg(a.util > 0 && a.util <= 1, "%s/%s: util %g", profile_id(p),
					      c.kernel->name, a.util);
				ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(j, "losses_s"));
				ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(j, "assumptions"));
			} else {
				ck_assert_msg(a.reason[0], "%s/%s: refused without a reason", profile_id(p),
					      c.kernel->name);
			}
			cJSON_Delete(j);
			prediction_release(&a);
			prediction_release(&b);
		}
		for (int d = 0; d < NB_DTYPE_COUNT; d++) {
			struct nb_prediction pr;

			for (double m = 1; m <= 16384; m *= 8) {
				gemm(p, (enum nb_dtype)d, m, 4096, 4096, NB_SPARSE_NONE, NULL, &pr);
				if (pr.status == NB_PRED_OK)
					ck_assert_msg(pr.util > 0 && pr.util <= 1, "%s %s m=%g: util %g",
						      profile_id(p), dtype_name((enum nb_dtype)d), m, pr.util);
				prediction_release(&pr);
			}
		}
	}
	profiles_free(set);
}
END_TEST

/* Checks one prediction of TEXT on P against the memory level it is served
 * from: never faster than that level's bandwidth, and from the on-chip
 * buffer exactly when the declared bytes fit there and the profile gives
 * its bandwidth.  Returns the level, "" when the chip refused the case. */
static const char *check_level(const struct nb_profile *p, const char *text)
{
	static char level[16];
	struct nb_case c, rc;
	struct nb_target_mem mem = { profile_llc_bytes(p), 0 };
	struct nb_prediction pr;
	struct nb_work w;
	double level_bw, bytes_rate;
	char msg[256];
	int fits;
	cJSON *j;

	ck_assert_msg(case_parse(text, &c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
	ck_assert_int_eq(model_predict(&c, p, &pr), 0);
	level[0] = '\0';
	if (pr.status != NB_PRED_OK) {
		prediction_release(&pr);
		return level;
	}
	case_resolve(&c, &mem, &rc);
	rc.kernel->work(&rc, &w);
	j = cJSON_Parse(pr.breakdown_json);
	snprintf(level, sizeof(level), "%s",
		 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "memory_level")));
	level_bw = json_num(pr.breakdown_json, "memory_level_bandwidth_per_s");
	bytes_rate = w.bytes / pr.seconds;
	ck_assert_msg(bytes_rate <= level_bw * (1 + 1e-9), "%s on %s: %.4g B/s from the %s level of %.4g B/s",
		      text, profile_id(p), bytes_rate, level, level_bw);
	fits = w.bytes <= profile_llc_bytes(p);
	if (fits && profile_llc_bw_bytes_per_s(p) > 0) {
		ck_assert_msg(!strcmp(level, "on-chip"), "%s on %s: fits on chip, served from %s", text,
			      profile_id(p), level);
		REL_EQ(level_bw, profile_llc_bw_bytes_per_s(p));
	} else {
		ck_assert_msg(!strcmp(level, "device"), "%s on %s: served from %s", text, profile_id(p), level);
		ck_assert_msg(level_bw <= fmax(profile_bw_bytes_per_s(p),
					       profile_stream_bw_bytes_per_s(p, 1, 0)) * (1 + 1e-9),
			      "%s on %s: device level at %.4g B/s", text, profile_id(p), level_bw);
	}
	cJSON_Delete(j);
	prediction_release(&pr);
	return level;
}

/* Every shipped chip: streams (sized by default past that chip's own
 * last-level cache, and at fixed sizes either side of it) and GEMVs are
 * never predicted faster than the memory level they are served from. */
START_TEST(served_from_its_memory_level)
{
	static const char *const ops[] = { "copy", "scale", "add", "triad", "sum", "fill" };
	static const char *const dtypes[] = { "fp32", "bf16", "fp16", "int8" };
	struct nb_profiles *set = load("profiles");
	char text[128];

	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);

		for (size_t o = 0; o < NB_ARRAY_SIZE(ops); o++) {
			snprintf(text, sizeof(text), "stream op=%s", ops[o]);
			ck_assert_str_eq(check_level(p, text), "device");
			for (long n = 1 << 12; n <= 1L << 28; n *= 4) {
				snprintf(text, sizeof(text), "stream op=%s n=%ld", ops[o], n);
				check_level(p, text);
			}
		}
		for (size_t d = 0; d < NB_ARRAY_SIZE(dtypes); d++)
			for (long n = 256; n <= 65536; n *= 4) {
				snprintf(text, sizeof(text), "gemm dtype=%s m=1 n=%ld k=%ld", dtypes[d], n, n);
				check_level(p, text);
				snprintf(text, sizeof(text), "gemm dtype=%s m=%ld n=1 k=%ld", dtypes[d], n, n);
				check_level(p, text);
			}
	}
	profiles_free(set);
}
END_TEST

/* The test chip with extra model figures (JSON members of "model"), written
 * under DIR as "mech-chip". */
static const struct nb_profile *chip_with(char *dir, const char *extra, struct nb_profiles **set)
{
	char *src, *text, *path, *out, *obj;
	const char *dirs[1];
	cJSON *root, *model, *add, *it;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	src = xasprintf("%s/tests/fixtures/profiles/test-chip.json",
			getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	ck_assert_int_eq(nb_read_file(src, 1 << 20, &text, &len), 0);
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	cJSON_ReplaceItemInObject(root, "id", cJSON_CreateString("mech-chip"));
	cJSON_ReplaceItemInObject(root, "aliases", cJSON_CreateArray());
	model = cJSON_GetObjectItemCaseSensitive(root, "model");
	obj = xasprintf("{%s}", extra);
	add = cJSON_Parse(obj);
	ck_assert_ptr_nonnull(add);
	while ((it = add->child)) {
		cJSON_DetachItemViaPointer(add, it);
		cJSON_AddItemToObject(model, it->string, it);
	}
	out = cJSON_Print(root);
	path = xasprintf("%s/mech-chip.json", dir);
	ck_assert_int_eq(nb_write_file_atomic(path, out, strlen(out)), 0);
	dirs[0] = dir;
	ck_assert_int_eq(profiles_load(dirs, 1, set), 0);
	cJSON_Delete(add);
	cJSON_Delete(root);
	free(obj);
	free(out);
	free(path);
	free(src);
	free(text);
	return profiles_find(*set, "mech-chip");
}

static void rm_chip(const char *dir)
{
	char *path = xasprintf("%s/mech-chip.json", dir);

	unlink(path);
	rmdir(dir);
	free(path);
}

static double gemm_s(const struct nb_profile *p, enum nb_dtype dt, double m, double n, double k,
		     enum nb_sparsity sp)
{
	struct nb_prediction pr;
	double t;

	gemm(p, dt, m, n, k, sp, NULL, &pr);
	ck_assert_int_eq(pr.status, NB_PRED_OK);
	t = pr.seconds;
	prediction_release(&pr);
	return t;
}

static double loss(const char *json, const char *key)
{
	cJSON *root = cJSON_Parse(json);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "losses_s"), key);
	double d = cJSON_IsNumber(v) ? v->valuedouble : 0;

	cJSON_Delete(root);
	return d;
}

/* Stream-K: the last partial wave dealt over every unit never costs more
 * than classic waves (the library takes the faster), never less than the
 * work spread perfectly; it makes a GEMM's time nearly independent of how
 * its tiles fall on the units (n and k swapped), which classic waves do not. */
START_TEST(stream_k_beats_classic_waves)
{
	char dir[] = "/tmp/npubench-check-sk.XXXXXX";
	struct nb_profiles *set, *base_set;
	const struct nb_profile *base = test_chip(&base_set);
	const struct nb_profile *p = chip_with(dir, "\"stream_k\": {\"value\": 1, \"source\": \"T\", \"kind\": \"estimate\"}", &set);
	struct nb_prediction a, b;
	int gained = 0;

	ck_assert_ptr_nonnull(p);
	for (double m = 128; m <= 8192; m *= 2) {
		for (double n = 128; n <= 8192; n *= 4) {
			gemm(base, NB_FP16, m, n, 2048, NB_SPARSE_NONE, NULL, &a);
			gemm(p, NB_FP16, m, n, 2048, NB_SPARSE_NONE, NULL, &b);
			ck_assert_double_le(b.seconds, a.seconds * (1 + 1e-12));
			ck_assert_double_le(loss(b.breakdown_json, "wave_quantization"),
					    loss(a.breakdown_json, "wave_quantization") + 1e-15);
			/* Not below the math at the block's rate (50e12 on
			 * the whole chip) spread over every unit. */
			ck_assert_double_ge(b.seconds, 2 * m * n * 2048 / 50e12);
			gained += b.seconds < a.seconds * 0.99;
			prediction_release(&a);
			prediction_release(&b);
		}
	}
	ck_assert_int_gt(gained, 0);
	/* 11 tiles of 128x128 on 10 units: classic runs 2 waves, stream-K
	 * 1.1 plus a fixup; swapping n and k changes classic a lot. */
	ck_assert_double_lt(gemm_s(p, NB_FP16, 128, 1408, 8192, NB_SPARSE_NONE),
			    0.99 * gemm_s(base, NB_FP16, 128, 1408, 8192, NB_SPARSE_NONE));
	double sk1 = gemm_s(p, NB_FP16, 1280, 1408, 8192, NB_SPARSE_NONE);
	double sk2 = gemm_s(p, NB_FP16, 1280, 8192, 1408, NB_SPARSE_NONE);
	double cl1 = gemm_s(base, NB_FP16, 1280, 1408, 8192, NB_SPARSE_NONE);
	double cl2 = gemm_s(base, NB_FP16, 1280, 8192, 1408, NB_SPARSE_NONE);

	ck_assert_double_le(fabs(sk1 / sk2 - 1), fabs(cl1 / cl2 - 1) + 1e-12);
	profiles_free(set);
	profiles_free(base_set);
	rm_chip(dir);
}
END_TEST

/* Latency hiding: with an occupancy knee, small GEMMs (few tiles, less than
 * a block's work per unit) lose rate, large ones do not; the rate grows
 * with size on every shipped GPU-class profile, and stays below the
 * knee-free model's. */
START_TEST(small_gemm_efficiency_grows_with_size)
{
	char dir[] = "/tmp/npubench-check-oc.XXXXXX";
	struct nb_profiles *set, *base_set, *shipped = load("profiles");
	const struct nb_profile *base = test_chip(&base_set);
	const struct nb_profile *p = chip_with(dir, "\"occupancy_knee\": {\"value\": 1, \"source\": \"T\", \"kind\": \"estimate\"}", &set);
	double prev = 0;

	ck_assert_ptr_nonnull(p);
	for (double n = 128; n <= 8192; n *= 2) {
		double t = gemm_s(p, NB_FP16, n, n, n, NB_SPARSE_NONE);
		double tb = gemm_s(base, NB_FP16, n, n, n, NB_SPARSE_NONE);
		double rate = 2 * n * n * n / t;

		ck_assert_double_ge(t, tb * (1 - 1e-12));
		ck_assert_double_gt(rate, prev);
		prev = rate;
		if (n == 8192)	/* 4096 tiles: every unit full */
			REL_EQ(t, tb);
	}
	/* A skinny GEMM (m = 64): each unit holds half a block's outputs and
	 * hides less latency; m = 128 fills the block: no loss. */
	ck_assert_double_gt(gemm_s(p, NB_FP16, 64, 1024, 8192, NB_SPARSE_NONE),
			    1.001 * gemm_s(base, NB_FP16, 64, 1024, 8192, NB_SPARSE_NONE));
	REL_EQ(gemm_s(p, NB_FP16, 128, 1024, 8192, NB_SPARSE_NONE),
	       gemm_s(base, NB_FP16, 128, 1024, 8192, NB_SPARSE_NONE));
	for (int i = 0; i < profiles_count(shipped); i++) {
		const struct nb_profile *q = profiles_get(shipped, i);
		const struct nb_model_params *mp = profile_model_params(q, NULL, NULL);
		enum nb_dtype dt = profile_peak(q, NB_BF16) > 0 ? NB_BF16 : NB_FP16;

		if (mp->occupancy_knee <= 0 || profile_peak(q, dt) <= 0)
			continue;
		double r1 = 1024.0 * 1024 * 1024 / gemm_s(q, dt, 1024, 1024, 1024, NB_SPARSE_NONE);
		double r2 = 2048.0 * 2048 * 2048 / gemm_s(q, dt, 2048, 2048, 2048, NB_SPARSE_NONE);
		double r4 = 4096.0 * 4096 * 4096 / gemm_s(q, dt, 4096, 4096, 4096, NB_SPARSE_NONE);

		ck_assert_msg(r1 < r2 && r2 < r4, "%s: %g %g %g", profile_id(q), r1, r2, r4);
	}
	profiles_free(shipped);
	profiles_free(set);
	profiles_free(base_set);
	rm_chip(dir);
}
END_TEST

/* 2:4 sparsity from its mechanism: the speed-up stays within (1, factor),
 * is below the math unit's alone (B and the metadata still have to be
 * fed), and shrinks to the traffic's when the GEMM is memory-bound. */
START_TEST(sparse_speedup_from_its_mechanism)
{
	struct nb_profiles *set = load("profiles");

	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);
		const struct nb_model_params *mp = profile_model_params(p, NULL, NULL);
		double f = profile_sparse_factor(p), big, skinny;

		if (f <= 0 || profile_peak(p, NB_FP16) <= 0)
			continue;
		big = gemm_s(p, NB_FP16, 8192, 8192, 8192, NB_SPARSE_NONE) /
		      gemm_s(p, NB_FP16, 8192, 8192, 8192, NB_SPARSE_2_4);
		skinny = gemm_s(p, NB_FP16, 16, 8192, 8192, NB_SPARSE_NONE) /
			 gemm_s(p, NB_FP16, 16, 8192, 8192, NB_SPARSE_2_4);
		ck_assert_msg(big > 1 && big < f, "%s: %g", profile_id(p), big);
		/* (a different tile may win sparse: 1% of slack) */
		ck_assert_msg(big < 1.01 * (1 + (f - 1) * mp->sparse_efficiency), "%s: %g", profile_id(p), big);
		ck_assert_msg(skinny >= 1 - 1e-9 && skinny < big, "%s: %g vs %g", profile_id(p), skinny, big);
	}
	profiles_free(set);
}
END_TEST

/* Fused attention pays a tile's epilogue every wave and its prologue once
 * per unit: the rate grows with the sequence length towards its long-sequence
 * value, and the tile overhead a unit pays grows with the waves, by less
 * than the whole prologue and epilogue each time.  A faster dtype does not
 * make the overhead cheaper: int8 gains less over fp16 on a small GEMM than
 * on a large one. */
START_TEST(attention_overhead_and_dtype_pace)
{
	struct nb_profiles *set = load("profiles");
	const struct nb_profile *p = profiles_find(set, "h100-sxm");
	struct nb_shape s = { 0 };
	struct nb_work w = { 0 };
	struct nb_prediction pr;
	double prev = 0;

	ck_assert_ptr_nonnull(p);
	for (double seq = 512; seq <= 16384; seq *= 2) {
		double bh = 16 * 16384 / seq;

		s.kind = NB_SHAPE_ATTENTION;
		s.dtype = NB_BF16;
		s.batch = (int64_t)bh;
		s.seq_q = s.seq_k = (int64_t)seq;
		s.pairs = seq * seq;
		s.head_dim = 128;
		w.ops = 4.0 * bh * seq * seq * 128;
		w.bytes = 4.0 * bh * seq * 128 * 2;
		ck_assert_int_eq(model_predict_shape(&s, &w, p, NULL, &pr), 0);
		ck_assert_double_gt(pr.throughput, prev);
		prev = pr.throughput;
		prediction_release(&pr);
	}
	/* Causal at a fixed hidden size (16k tokens, heads x d = 2048): the
	 * fewer, longer rows of query blocks of a large head dim leave more of
	 * the last, longest blocks to few units: causal falls further behind
	 * non-causal as d grows. */
	double prev_ratio = 2, ratio64 = 0;
	for (int64_t d = 64; d <= 256; d *= 2) {
		double rate[2];

		for (int causal = 0; causal <= 1; causal++) {
			memset(&s, 0, sizeof(s));
			s.kind = NB_SHAPE_ATTENTION;
			s.dtype = NB_BF16;
			s.batch = 2048 / d;
			s.seq_q = s.seq_k = 16384;
			s.causal = causal;
			s.pairs = causal ? 16384.0 * 16385 / 2 : 16384.0 * 16384;
			s.head_dim = d;
			w.ops = 4.0 * s.batch * s.pairs * d;
			w.bytes = 4.0 * s.batch * 16384 * d * 2;
			ck_assert_int_eq(model_predict_shape(&s, &w, p, NULL, &pr), 0);
			rate[causal] = pr.throughput;
			prediction_release(&pr);
		}
		ck_assert_double_lt(rate[1] / rate[0], prev_ratio);
		prev_ratio = rate[1] / rate[0];
		if (d == 64)
			ratio64 = prev_ratio;
	}
	/* An even split would leave the three within a point or two. */
	ck_assert_double_lt(prev_ratio, ratio64 - 0.05);
	double small = gemm_s(p, NB_FP16, 512, 512, 512, NB_SPARSE_NONE) /
		       gemm_s(p, NB_INT8, 512, 512, 512, NB_SPARSE_NONE);
	double large = gemm_s(p, NB_FP16, 8192, 8192, 8192, NB_SPARSE_NONE) /
		       gemm_s(p, NB_INT8, 8192, 8192, 8192, NB_SPARSE_NONE);

	ck_assert_double_lt(small, large);
	ck_assert_double_le(large, profile_peak(p, NB_INT8) / profile_peak(p, NB_FP16));
	profiles_free(set);
}
END_TEST

Suite *suite_model(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pure_compute_gemm);
	tcase_add_test(tc, served_from_its_memory_level);
	tcase_add_test(tc, memory_bound_gemv);
	tcase_add_test(tc, tile_quantization);
	tcase_add_test(tc, does_not_fit);
	tcase_add_test(tc, unsupported_and_emulated_dtypes);
	tcase_add_test(tc, attention_and_stream);
	tcase_add_test(tc, directional_bandwidth_and_csr_output);
	tcase_add_test(tc, attention_softmax_head_dim);
	tcase_add_test(tc, every_profile_every_kernel);
	tcase_add_test(tc, stream_k_beats_classic_waves);
	tcase_add_test(tc, small_gemm_efficiency_grows_with_size);
	tcase_add_test(tc, sparse_speedup_from_its_mechanism);
	tcase_add_test(tc, attention_overhead_and_dtype_pace);
	suite_add_tcase(s, tc);
	return s;
}
