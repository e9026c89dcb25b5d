/* The Prometheus exposition format writer and the Pushgateway URL. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "net/http.h"
#include "report/prometheus.h"
#include "util/util.h"

START_TEST(test_escape)
{
	char *s = check_written(prom_escape_label, "a\\b\"c\nd e=f,g{}");

	ck_assert_str_eq(s, "a\\\\b\\\"c\\nd e=f,g{}");
	free(s);
	s = check_written(prom_escape_label, "");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_format)
{
	struct nb_run run = { .uuid = "u-1", .hostname = "box\"1" };
	struct nb_result rs[3] = { 0 };
	char *t;

	rs[0] = (struct nb_result){ .kernel = "stream", .case_text = "stream op=copy n=4096",
		.dtype = "f32", .target = "host", .kind = NB_MEASURED, .status = NB_RES_OK,
		.seconds = 0.5, .throughput = 2e9, .unit = "B/s" };
	rs[0].stats.n = 3;
	rs[0].stats.min = 0.25;
	rs[1] = (struct nb_result){ .kernel = "gemm", .case_text = "gemm m=1", .target = "h100",
		.kind = NB_PREDICTED, .status = NB_RES_NO_FIT };
	rs[2] = rs[0];
	nb_quiet_errors++;
	t = prom_format_run(&run, rs, 3);
	nb_quiet_errors--;
	ck_assert_ptr_nonnull(strstr(t, "# TYPE npubench_seconds gauge\n"));
	ck_assert_ptr_nonnull(strstr(t,
		"npubench_seconds{kernel=\"stream\",params=\"op=copy n=4096\",dtype=\"f32\","
		"target=\"host\",kind=\"measured\",host=\"box\\\"1\",run=\"u-1\"} 0.5\n"));
	ck_assert_ptr_nonnull(strstr(t, "npubench_seconds_min{kernel=\"stream\""));
	ck_assert_ptr_nonnull(strstr(t, ",unit=\"B/s\"} 2000000000\n"));
	ck_assert_ptr_nonnull(strstr(t,
		"npubench_result_ok{kernel=\"gemm\",params=\"m=1\",target=\"h100\",kind=\"predicted\","
		"host=\"box\\\"1\",run=\"u-1\",status=\"no_fit\"} 0\n"));
	/* The no-fit result has no time; the repeated one is left out. */
	ck_assert_ptr_null(strstr(t, "npubench_seconds{kernel=\"gemm\""));
	ck_assert_int_eq((int)(strstr(t, "npubench_seconds{") - t) <
			 (int)(strstr(t, "npubench_seconds_min{") - t), 1);
	{
		int count = 0;

		for (const char *p = t; (p = strstr(p, "npubench_seconds{")); p++)
			count++;
		ck_assert_int_eq(count, 1);
	}
	free(t);
	t = prom_format_run(NULL, NULL, 0);
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

START_TEST(test_push_url)
{
	char *u = prom_push_url("http://gw:9091/", "npubench", "host-1.lan");

	ck_assert_str_eq(u, "http://gw:9091/metrics/job/npubench/instance/host-1.lan");
	free(u);
	u = prom_push_url("http://gw:9091", "npubench", "a/b");
	ck_assert_str_eq(u, "http://gw:9091/metrics/job/npubench/instance@base64/YS9i");
	free(u);
	u = prom_push_url("http://gw:9091", "npubench", "");
	ck_assert_str_eq(u, "http://gw:9091/metrics/job/npubench/instance@base64/=");
	free(u);
	u = prom_push_url("http://gw:9091/metrics/", "npubench", "h");
	ck_assert_str_eq(u, "http://gw:9091/metrics/job/npubench/instance/h");
	free(u);
	u = prom_push_url("http://gw/metrics/job/x/instance/y", "npubench", "h");
	ck_assert_str_eq(u, "http://gw/metrics/job/x/instance/y");
	free(u);
}
END_TEST

START_TEST(test_url_and_header_checks)
{
	ck_assert(net_url_ok("http://a"));
	ck_assert(net_url_ok("HTTPS://a/b"));
	ck_assert(!net_url_ok("ftp://a"));
	ck_assert(!net_url_ok("file:///etc/passwd"));
	ck_assert(!net_url_ok("a.json"));
	ck_assert(net_header_ok("X-Token: abc"));
	ck_assert(net_header_ok("X-Empty:"));
	ck_assert(!net_header_ok("no colon"));
	ck_assert(!net_header_ok(": value"));
	ck_assert(!net_header_ok("Bad Name: v"));
	ck_assert(!net_header_ok("X-A: v\r\nX-Injected: 1"));
}
END_TEST

START_TEST(test_refused_schemes)
{
	struct net_limits lim = NET_LIMITS_INIT;
	struct net_response r;

	nb_quiet_errors++;
	ck_assert_int_eq(net_get("file:///etc/passwd", &lim, &r), -1);
	ck_assert_int_eq(r.outcome, NET_ERR_URL);
	net_response_release(&r);
	ck_assert_int_eq(net_post("gopher://x/", NULL, "", 0, &lim, &r), -1);
	ck_assert_int_eq(r.outcome, NET_ERR_URL);
	net_response_release(&r);
	nb_quiet_errors--;
}
END_TEST

Suite *suite_prometheus(void)
{
	Suite *s = suite_create("prometheus");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_push_url);
	tcase_add_test(tc, test_url_and_header_checks);
	tcase_add_test(tc, test_refused_schemes);
	suite_add_tcase(s, tc);
	return s;
}
