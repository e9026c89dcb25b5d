/* Unit tests of suite files: every shipped suite loads; malformed ones are
 * refused naming file, entry and field; lists expand to products. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "kernels/suite.h"
#include "util/util.h"

START_TEST(every_shipped_suite_loads)
{
	char *dir = xasprintf("%s/data/suites", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct nb_suite *s;
		char *path;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		ck_assert_msg(suite_load(path, dir, &s) == 0, "%s does not load", path);
		ck_assert_int_gt(s->ncases, 0);
		suite_free(s);
		free(path);
		count++;
	}
	closedir(d);
	ck_assert_int_ge(count, 1);
	free(dir);
}
END_TEST

START_TEST(lists_expand_to_products)
{
	struct nb_suite *s;

	ck_assert_int_eq(suite_parse("{\"name\":\"t\",\"cases\":[{\"kernel\":\"stream\","
				     "\"op\":[\"copy\",\"add\",\"sum\"],\"dtype\":[\"fp32\",\"fp64\"],\"n\":100},"
				     "\"stream op=copy dtype=fp32 n=100\"]}", "t.json", &s), 0);
	/* 3 x 2, and the string case is a duplicate of the first. */
	ck_assert_int_eq(s->ncases, 6);
	suite_free(s);
}
END_TEST

START_TEST(malformed_suites_are_refused)
{
	static const char *bad[] = {
		"{\"name\":\"t\",\"cases\":[",				/* malformed JSON */
		"[]",							/* not an object */
		"{\"cases\":[\"stream\"]}",				/* no name */
		"{\"name\":\"t\",\"cases\":[]}",			/* no cases */
		"{\"name\":\"t\",\"extra\":1,\"cases\":[\"stream\"]}",	/* unknown field */
		"{\"name\":\"t\",\"cases\":[{\"kernel\":\"nope\"}]}",	/* unknown kernel */
		"{\"name\":\"t\",\"cases\":[{\"n\":5}]}",		/* no kernel */
		"{\"name\":\"t\",\"cases\":[{\"kernel\":\"stream\",\"n\":-1}]}",	/* out of range */
		"{\"name\":\"t\",\"cases\":[{\"kernel\":\"stream\",\"bogus\":1}]}",	/* unknown parameter */
		"{\"name\":\"t\",\"cases\":[{\"kernel\":\"stream\",\"n\":[]}]}",	/* empty list */
		"{\"name\":\"t\",\"cases\":[{\"kernel\":\"stream\",\"n\":{}}]}",	/* wrong type */
		"{\"name\":\"t\",\"cases\":[42]}",			/* not a case */
	};
	struct nb_suite *s;

	nb_quiet_errors++;
	for (size_t i = 0; i < NB_ARRAY_SIZE(bad); i++)
		ck_assert_msg(suite_parse(bad[i], "t.json", &s) == -1, "accepted: %s", bad[i]);
	nb_quiet_errors--;
}
END_TEST

Suite *suite_suite_files(void)
{
	Suite *s = suite_create("suites");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, every_shipped_suite_loads);
	tcase_add_test(tc, lists_expand_to_products);
	tcase_add_test(tc, malformed_suites_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
