/* Unit tests of the GPU target's host side, which every build has: the
 * cuda:N spelling, cases into the plugin's plain struct, and the loader's
 * reasons when no plugin can be used. */
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "targets/cuda.h"
#include "util/util.h"

static struct nb_cuda_case from(const char *text, int ok)
{
	struct nb_cuda_case cc;
	struct nb_case c;
	char msg[256];

	ck_assert_msg(case_parse(text, &c, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
	ck_assert_msg(cuda_case_from(&c, 7, &cc, msg, sizeof(msg)) == (ok ? 0 : -1), "%s: %s", text, msg);
	return cc;
}

START_TEST(word_spelling)
{
	char msg[256];
	int i = -1;

	ck_assert_int_eq(cuda_parse_word("cuda:0", &i, msg, sizeof(msg)), 1);
	ck_assert_int_eq(i, 0);
	ck_assert_int_eq(cuda_parse_word("cuda:13", &i, msg, sizeof(msg)), 1);
	ck_assert_int_eq(i, 13);
	ck_assert_int_eq(cuda_parse_word("h100", &i, msg, sizeof(msg)), 0);
	ck_assert_int_eq(cuda_parse_word("host", &i, msg, sizeof(msg)), 0);
	ck_assert_int_eq(cuda_parse_word("cuda", &i, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "cuda:N"));
	ck_assert_int_eq(cuda_parse_word("cuda:-1", &i, msg, sizeof(msg)), -1);
	ck_assert_int_eq(cuda_parse_word("cuda:1x", &i, msg, sizeof(msg)), -1);
	ck_assert_int_eq(cuda_parse_word("cuda:99999", &i, msg, sizeof(msg)), -1);
}
END_TEST

START_TEST(cases_translate)
{
	struct nb_cuda_case c;

	c = from("gemm dtype=bf16 m=300 n=200 k=100 round=1", 1);
	ck_assert_int_eq(c.family, NB_CUDA_GEMM);
	ck_assert_int_eq(c.dtype, NB_CUDA_BF16);
	ck_assert_int_eq(c.m, 300);
	ck_assert_int_eq(c.n, 200);
	ck_assert_int_eq(c.k, 100);
	ck_assert_int_eq(c.round, 1);
	ck_assert_int_eq(c.seed, 7);
	c = from("gemm dtype=int8 m=8 n=8 k=8", 1);
	ck_assert_int_eq(c.dtype, NB_CUDA_INT8);
	from("gemm dtype=int4 m=8 n=8 k=8", 0);
	/* fp32 multiplied as TF32 reaches the plugin as its own dtype. */
	c = from("gemm dtype=fp32 impl=tf32 m=8 n=8 k=8", 1);
	ck_assert_int_eq(c.dtype, NB_CUDA_TF32);
	from("gemm dtype=bf16 impl=tf32 m=8 n=8 k=8", 0);
	c = from("gemm dtype=fp8 m=16 n=16 k=16", 1);
	ck_assert_int_eq(c.dtype, NB_CUDA_FP8_E4M3);
	/* seq_k=0 means seq_q. */
	c = from("attention batch=2 heads=3 seq_q=64 head_dim=128 causal=1 dtype=fp16 amp=2", 1);
	ck_assert_int_eq(c.family, NB_CUDA_ATTENTION);
	ck_assert_int_eq(c.dtype, NB_CUDA_FP16);
	ck_assert_int_eq(c.batch, 2);
	ck_assert_int_eq(c.heads, 3);
	ck_assert_int_eq(c.seq_q, 64);
	ck_assert_int_eq(c.seq_k, 64);
	ck_assert_int_eq(c.head_dim, 128);
	ck_assert_int_eq(c.causal, 1);
	ck_assert(c.amp == 2);
	c = from("spmm pattern=csr m=10 n=20 k=30 density=0.25 dtype=fp32", 1);
	ck_assert_int_eq(c.family, NB_CUDA_SPMM);
	ck_assert_int_eq(c.sparsity, NB_CUDA_SPARSE_CSR);
	ck_assert(c.density == 0.25);
	c = from("spmm pattern=2:4 m=8 n=8 k=8", 1);
	ck_assert_int_eq(c.sparsity, NB_CUDA_SPARSE_2_4);
	c = from("stream op=triad n=1000 dtype=fp64", 1);
	ck_assert_int_eq(c.family, NB_CUDA_STREAM);
	ck_assert_int_eq(c.op, NB_CUDA_TRIAD);
	ck_assert_int_eq(c.elems, 1000);
	ck_assert_int_eq(c.dtype, NB_CUDA_FP64);
	c = from("stream op=fill dtype=fp32", 1);
	ck_assert_int_eq(c.op, NB_CUDA_FILL);
	ck_assert_int_eq(c.elems, 0);
}
END_TEST

/* Every registered kernel either translates or says why not: a new family
 * cannot reach the plugin untranslated. */
START_TEST(every_kernel_answers)
{
	for (int i = 0; i < nb_nkernels; i++) {
		struct nb_cuda_case cc;
		struct nb_case c;
		char msg[256] = "";

		case_init(&c, nb_kernels[i]);
		if (cuda_case_from(&c, 1, &cc, msg, sizeof(msg)))
			ck_assert_msg(msg[0], "%s: refused without a reason", nb_kernels[i]->name);
	}
}
END_TEST

/* A plugin path that does not exist: the reason names it, and asking
 * again gives the same answer without trying again. */
START_TEST(missing_plugin)
{
	char why[512], why2[512];

	setenv(NB_CUDA_PLUGIN_ENV, "/nonexistent/npubench-cuda.so", 1);
	ck_assert_ptr_null(cuda_plugin(NULL, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "cannot load the CUDA plugin '/nonexistent/npubench-cuda.so'"));
	ck_assert_ptr_null(cuda_open(0, why2, sizeof(why2)));
	ck_assert_str_eq(why, why2);
	unsetenv(NB_CUDA_PLUGIN_ENV);
}
END_TEST

/* Built without CUDA: the reason says so and how to get it, unless a
 * plugin file is named; built with it, a path is always proposed or the
 * missing install named. */
START_TEST(built_without_cuda)
{
	char path[4096], why[512] = "";

	unsetenv(NB_CUDA_PLUGIN_ENV);
	ck_assert_int_eq(cuda_plugin_path(0, path, sizeof(path), why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "this npubench was built without CUDA support"));
	ck_assert_ptr_nonnull(strstr(why, "configure --with-cuda"));
	setenv(NB_CUDA_PLUGIN_ENV, "/some/where.so", 1);
	ck_assert_int_eq(cuda_plugin_path(0, path, sizeof(path), why, sizeof(why)), 0);
	ck_assert_str_eq(path, "/some/where.so");
	unsetenv(NB_CUDA_PLUGIN_ENV);
	why[0] = '\0';
	if (cuda_plugin_path(1, path, sizeof(path), why, sizeof(why)) == 0) {
		ck_assert_ptr_nonnull(strstr(path, "/npubench-cuda.so"));
	} else {
		ck_assert_ptr_nonnull(strstr(why, "npubench-cuda.so' is missing"));
		ck_assert_ptr_null(strstr(why, "without CUDA"));
	}
}
END_TEST

Suite *suite_cuda(void)
{
	Suite *s = suite_create("cuda");
	TCase *tc = tcase_create("host side");

	tcase_add_test(tc, word_spelling);
	tcase_add_test(tc, cases_translate);
	tcase_add_test(tc, every_kernel_answers);
	tcase_add_test(tc, missing_plugin);
	tcase_add_test(tc, built_without_cuda);
	suite_add_tcase(s, tc);
	return s;
}
