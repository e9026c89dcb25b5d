/* Unit tests of the SQLite store: schema, migrations, round trips, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_suites.h"
#include "kernels/kernel.h"
#include "store/store.h"
#include "util/util.h"

static char dir[] = "/tmp/npubench-check-store.XXXXXX";

static void setup(void)
{
	strcpy(dir, "/tmp/npubench-check-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A measured result with three samples, built by hand. */
static void make_result(struct nb_result *r, int seq)
{
	struct nb_case c;
	char msg[256];
	static double samples[] = { 0.5, 0.25, 0.75 };

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(case_parse("stream op=copy dtype=fp32 n=1024", &c, msg, sizeof(msg)), 0);
	result_set_case(r, &c);
	r->seq = seq;
	r->target = xstrdup("host");
	r->kind = NB_MEASURED;
	r->threads = 2;
	r->samples = xmalloc(sizeof(samples));
	memcpy(r->samples, samples, sizeof(samples));
	r->nsamples = 3;
	stats_compute(r->samples, 3, &r->stats);
	r->seconds = r->stats.median;
	r->throughput = r->bytes / r->seconds;
	r->verify_what = xstrdup("max |x - expected|");
	r->verify_tol = 1e-6;
}

static int64_t add_run(struct nb_store *st, const char *tag)
{
	struct nb_run run = { 0 };
	int64_t id;

	run.tag = xstrdup(tag);
	run.hostname = xstrdup("testhost");
	ck_assert_int_eq(store_run_begin(st, &run), 0);
	ck_assert_int_gt(run.id, 0);
	ck_assert_uint_eq(strlen(run.uuid), 36);
	id = run.id;
	run_release(&run);
	return id;
}

START_TEST(memory_roundtrip)
{
	struct nb_store *st;
	struct nb_result r, *rs;
	struct nb_run run;
	int64_t id, resolved;
	int n;

	ck_assert_int_eq(store_open(":memory:", 0, &st), 0);
	ck_assert_int_eq(store_schema_version(st), NB_SCHEMA_VERSION);
	id = add_run(st, "first");
	make_result(&r, 1);
	ck_assert_int_eq(store_result_add(st, id, &r), 0);
	ck_assert_int_gt(r.id, 0);
	result_release(&r);
	ck_assert_int_eq(store_run_finish(st, id, "complete"), 0);

	ck_assert_int_eq(store_run_resolve(st, "last", &resolved), 0);
	ck_assert_int_eq(resolved, id);
	ck_assert_int_eq(store_run_get(st, id, &run), 0);
	ck_assert_str_eq(run.status, "complete");
	ck_assert_str_eq(run.tag, "first");
	ck_assert_int_eq(run.nresults, 1);
	/* by UUID prefix */
	char prefix[9];
	snprintf(prefix, sizeof(prefix), "%s", run.uuid);
	ck_assert_int_eq(store_run_resolve(st, prefix, &resolved), 0);
	ck_assert_int_eq(resolved, id);
	run_release(&run);

	ck_assert_int_eq(store_results_get(st, id, &rs, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(strncmp(rs[0].case_text, "stream op=copy dtype=fp32 n=1024", 32), 0);
	ck_assert_ptr_nonnull(rs[0].kcase.kernel);
	ck_assert_int_eq(rs[0].nsamples, 3);
	ck_assert_double_eq(rs[0].samples[1], 0.25);
	ck_assert_double_eq(rs[0].stats.median, 0.5);
	ck_assert_double_eq(rs[0].seconds, 0.5);
	ck_assert_str_eq(rs[0].unit, "B/s");
	ck_assert_int_eq(rs[0].status, NB_RES_OK);
	results_free(rs, n);

	nb_quiet_errors++;
	ck_assert_int_eq(store_run_resolve(st, "999", &resolved), -1);
	ck_assert_int_eq(store_run_resolve(st, "zz", &resolved), -1);
	nb_quiet_errors--;
	store_close(st);
}
END_TEST

/* Every earlier schema version migrates forward and keeps its data. */
START_TEST(migrates_from_every_version)
{
	for (int v = 0; v < NB_SCHEMA_VERSION; v++) {
		char name[32];
		char *path;
		struct nb_store *st;
		int64_t id = 0;

		snprintf(name, sizeof(name), "v%d.db", v);
		path = path_in(name);
		ck_assert_int_eq(store_open_at_version(path, v, &st), 0);
		ck_assert_int_eq(store_schema_version(st), v);
		if (v >= 1)
			id = add_run(st, "old");
		store_close(st);
		if (v >= 1) {
			/* A result as version 1 stored it: only the columns that
			 * schema had, written with the sqlite3 shell. */
			char *cmd = xasprintf("sqlite3 '%s' \"INSERT INTO results (run_id, seq, kernel, "
					      "case_text, params_json, target, kind, status, n_samples, "
					      "t_median, seconds, created_at) VALUES (%lld, 1, 'stream', "
					      "'stream op=copy dtype=fp32 n=1024', '{}', 'host', 'measured', "
					      "'ok', 3, 0.5, 0.5, 'then'); INSERT INTO samples VALUES "
					      "(last_insert_rowid(), 0, 0.5), (last_insert_rowid(), 1, 0.25), "
					      "(last_insert_rowid(), 2, 0.75);\"", path, (long long)id);

			ck_assert_int_eq(system(cmd), 0);
			free(cmd);
		}

		ck_assert_int_eq(store_open(path, 0, &st), 0);
		ck_assert_int_eq(store_schema_version(st), NB_SCHEMA_VERSION);
		ck_assert_int_eq(store_integrity_check(st), 0);
		if (v >= 1) {
			struct nb_result *rs;
			int n;

			ck_assert_int_eq(store_results_get(st, id, &rs, &n), 0);
			ck_assert_int_eq(n, 1);
			ck_assert_int_eq(rs[0].nsamples, 3);
			results_free(rs, n);
		}
		/* The newest tables work after migrating. */
		id = add_run(st, "new");
		ck_assert_int_eq(store_push_record(st, id, "http://x/", "json", 1, NULL), 0);
		store_close(st);
		free(path);
	}
}
END_TEST

START_TEST(refuses_newer_foreign_and_corrupt)
{
	char *newer = path_in("newer.db"), *foreign = path_in("foreign.db");
	char *corrupt = path_in("corrupt.db"), *cmd;
	struct nb_store *st;
	FILE *f;

	/* A newer schema than this build knows. */
	ck_assert_int_eq(store_open(newer, 0, &st), 0);
	store_close(st);
	cmd = xasprintf("sqlite3 '%s' 'PRAGMA user_version = 99'", newer);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	nb_quiet_errors++;
	ck_assert_int_eq(store_open(newer, 0, &st), -1);
	ck_assert_ptr_null(st);

	/* Another program's database. */
	cmd = xasprintf("sqlite3 '%s' 'CREATE TABLE t(x)'", foreign);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(store_open(foreign, 0, &st), -1);

	/* Not a database at all. */
	f = fopen(corrupt, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite file\n", f);
	fclose(f);
	ck_assert_int_eq(store_open(corrupt, 0, &st), -1);
	nb_quiet_errors--;
	free(newer);
	free(foreign);
	free(corrupt);
}
END_TEST

START_TEST(creates_folders_and_pending_pushes)
{
	char *path = path_in("a/b/c/results.db");
	struct nb_store *st;
	int64_t a, b, *ids;
	int n;

	ck_assert_int_eq(store_open(path, 0, &st), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	a = add_run(st, "a");
	b = add_run(st, "b");
	store_run_finish(st, a, "complete");
	store_run_finish(st, b, "interrupted");
	ck_assert_int_eq(store_push_record(st, a, "http://h/", "json", 0, "500"), 0);
	ck_assert_int_eq(store_runs_pending_push(st, "http://h/", "json", &ids, &n), 0);
	ck_assert_int_eq(n, 2);
	free(ids);
	ck_assert_int_eq(store_push_record(st, a, "http://h/", "json", 1, NULL), 0);
	ck_assert_int_eq(store_runs_pending_push(st, "http://h/", "json", &ids, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], b);
	free(ids);
	/* Another format or URL has its own bookkeeping. */
	ck_assert_int_eq(store_runs_pending_push(st, "http://h/", "prometheus", &ids, &n), 0);
	ck_assert_int_eq(n, 2);
	free(ids);
	store_close(st);
	free(path);
}
END_TEST

Suite *suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("sqlite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, memory_roundtrip);
	tcase_add_test(tc, migrates_from_every_version);
	tcase_add_test(tc, refuses_newer_foreign_and_corrupt);
	tcase_add_test(tc, creates_folders_and_pending_pushes);
	suite_add_tcase(s, tc);
	return s;
}
