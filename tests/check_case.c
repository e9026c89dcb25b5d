/* Unit tests of cases: parsing, bounds, formatting, for every kernel. */
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "kernels/kernel.h"
#include "util/util.h"

/* Every registered kernel: defaults are valid, format/parse round-trips,
 * work is positive.  A family whose defaults leave a dimension to be given
 * (train and infer without model=) must refuse them naming what is
 * required, and round-trips its first test case instead. */
START_TEST(every_kernel_defaults_roundtrip)
{
	for (int i = 0; i < nb_nkernels; i++) {
		struct nb_case c, d;
		struct nb_work w;
		char msg[256], *text;

		case_init(&c, nb_kernels[i]);
		if (case_check(&c, msg, sizeof(msg))) {
			const char *const *tc = nb_kernels[i]->test_cases;

			ck_assert_msg(strstr(msg, "required") != NULL, "%s: %s", nb_kernels[i]->name, msg);
			ck_assert_msg(tc && tc[0], "%s: defaults refused and no test case", nb_kernels[i]->name);
			ck_assert_msg(case_parse(tc[0], &c, msg, sizeof(msg)) == 0, "%s: %s", tc[0], msg);
		}
		ck_assert_msg(case_check(&c, msg, sizeof(msg)) == 0, "%s: %s", nb_kernels[i]->name, msg);
		text = case_format(&c);
		ck_assert_msg(case_parse(text, &d, msg, sizeof(msg)) == 0, "%s: %s", text, msg);
		ck_assert(case_equal(&c, &d));
		c.kernel->work(&c, &w);
		ck_assert_msg(w.ops > 0 || w.bytes > 0, "%s declares no work", text);
		ck_assert_ptr_nonnull(w.unit);
		free(text);
	}
}
END_TEST

START_TEST(parse_errors_name_the_problem)
{
	struct nb_case c;
	char msg[256];

	ck_assert_int_eq(case_parse("nosuchkernel m=1", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "nosuchkernel"));
	ck_assert_int_eq(case_parse("stream bogus=1", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "bogus"));
	ck_assert_int_eq(case_parse("stream n=-5", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "out of range"));
	ck_assert_int_eq(case_parse("stream dtype=int3", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "int3"));
	ck_assert_int_eq(case_parse("stream op=", &c, msg, sizeof(msg)), -1);
	ck_assert_int_eq(case_parse("stream n", &c, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "KEY=VALUE"));
}
END_TEST

START_TEST(parse_accepts_commas_and_suffixes)
{
	struct nb_case c;
	char msg[256], *text;

	ck_assert_int_eq(case_parse("stream,op=copy,dtype=fp32,n=4k", &c, msg, sizeof(msg)), 0);
	text = case_format(&c);
	ck_assert_int_eq(strncmp(text, "stream op=copy dtype=fp32 n=4096", 32), 0);
	free(text);
}
END_TEST

Suite *suite_case(void)
{
	Suite *s = suite_create("case");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, every_kernel_defaults_roundtrip);
	tcase_add_test(tc, parse_errors_name_the_problem);
	tcase_add_test(tc, parse_accepts_commas_and_suffixes);
	suite_add_tcase(s, tc);
	return s;
}
