/* The report page's pieces: HTML escaping, Markdown tables to HTML, inline
 * SVG, and the verdict's arithmetic on hand-made results. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "report/html.h"
#include "report/verdict.h"
#include "targets/result.h"
#include "util/util.h"

START_TEST(test_html_text)
{
	char *s = check_written(html_text, "<a href=\"x\">&'</a>");

	ck_assert_str_eq(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	free(s);
	/* Controls become spaces, UTF-8 stays, bad bytes and C1 controls are U+FFFD. */
	s = check_written(html_text, "a\x1b" "b \xc3\xa9 \xff \xc2\x9b \xed\xa0\x80");
	ck_assert_str_eq(s, "a b \xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}
END_TEST

START_TEST(test_html_markdown)
{
	struct strbuf sb = STRBUF_INIT;
	const char *md = "## Table\n\n| a | b |\n|---|---:|\n| x \\| y | <1> |\n\nline one\nline two\n\n"
			 "## Verdict\n\n- hidden\n\n### Sources\n\n- [1] s & t\n";

	html_markdown(&sb, md, "Verdict");
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "<h3>Table</h3>"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "<th>a</th><th class=\"num\">b</th>"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "<td>x | y</td><td class=\"num\">&lt;1&gt;</td>"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "<p>line one\nline two</p>"));
	ck_assert_ptr_null(strstr(sb_str(&sb), "hidden"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "<h4>Sources</h4>\n<ul>\n<li>[1] s &amp; t</li>\n</ul>"));
	sb_release(&sb);
}
END_TEST

START_TEST(test_html_svg)
{
	struct strbuf sb = STRBUF_INIT;
	const char *svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 10 10\">"
			  "<defs><path id='gpPt1' d=\"M0 0\"/></defs><g id=\"a\"><use xlink:href='#gpPt1'/>"
			  "<path fill=\"url(#grad)\" d=\"M1 1\"/></g></svg>\n";

	ck_assert_int_eq(html_inline_svg(&sb, svg, "c1"), 0);
	ck_assert_ptr_null(strstr(sb_str(&sb), "<?xml"));
	ck_assert_ptr_null(strstr(sb_str(&sb), "DOCTYPE"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), " id='c1-gpPt1'"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), " id=\"c1-a\""));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "xlink:href='#c1-gpPt1'"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "url(#c1-grad)"));
	sb_reset(&sb);
	ck_assert_int_eq(html_inline_svg(&sb, "<svg><script>x()</script></svg>", "c"), -1);
	ck_assert_int_eq(html_inline_svg(&sb, "<svg onload=\"x()\"></svg>", "c"), -1);
	ck_assert_int_eq(html_inline_svg(&sb, "<svg><a href=\"javascript:x()\"/></svg>", "c"), -1);
	ck_assert_int_eq(html_inline_svg(&sb, "not a chart", "c"), -1);
	ck_assert_int_eq(html_inline_svg(&sb, NULL, "c"), -1);
	sb_release(&sb);
}
END_TEST

/* A usable result of CASE (kernel its first word) at THROUGHPUT. */
static struct nb_result mk(const char *kcase, double throughput, const char *flags)
{
	struct nb_result r;

	memset(&r, 0, sizeof(r));
	r.case_text = (char *)kcase;
	r.kernel = (char *)(strncmp(kcase, "gemm", 4) ? "stream" : "gemm");
	r.throughput = throughput;
	r.status = NB_RES_OK;
	r.flags = (char *)flags;
	r.stats.median = 1;
	r.stats.p5 = 0.9;
	r.stats.p95 = 1.1;
	return r;
}

START_TEST(test_verdict)
{
	struct nb_result base[] = { mk("gemm m=1", 100, NULL), mk("gemm m=2", 200, NULL),
				    mk("gemm m=3", 100, NULL), mk("stream n=1", 10, NULL) };
	/* Ratios 2, 3 and (m=3 missing) over two cases: median 2.5. */
	struct nb_result chip[] = { mk("gemm m=2", 600, NULL), mk("gemm m=1", 200, NULL) };
	struct nb_result host[] = { mk("gemm m=1", 1, "noisy,outliers"), mk("gemm m=2", 2, "loaded=1.5,concurrent_run"),
				    mk("gemm m=3", 1, NULL), mk("stream n=1", 5, "noisy,loaded=0.7") };
	struct verdict_column cols[] = {
		{ "host", 1, host, 4 }, { "b", 0, base, 4 }, { "c", 0, chip, 2 },
	};
	struct nb_verdict v;
	char **s;
	int n;

	verdict_compute(cols, 3, 1, NULL, &v);
	ck_assert_int_eq(v.nfam, 2);
	ck_assert_str_eq(v.fam[0].name, "gemm");
	ck_assert_double_eq_tol(v.fam[0].ratio[2], 2.5, 1e-12);
	ck_assert_int_eq(v.fam[0].ncases[2], 2);
	ck_assert_double_eq_tol(v.fam[0].ratio[0], 0.01, 1e-12);
	ck_assert_int_eq(v.fam[1].ncases[2], 0);
	ck_assert_double_eq_tol(v.fam[1].ratio[0], 0.5, 1e-12);
	ck_assert_int_eq(v.host_results, 4);
	ck_assert_int_eq(v.host_noisy, 2);
	ck_assert_int_eq(v.host_outliers, 1);
	ck_assert_int_eq(v.host_loaded, 2);
	ck_assert_str_eq(v.load_flags, "loaded,concurrent_run");
	ck_assert_double_eq_tol(v.host_spread, 0.2, 1e-12);
	s = verdict_sentences(&v, &n);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(s[1], "gemm (median over up to 3 cases): host 0.01x, c 2.50x (2 cases); fastest: c");
	ck_assert_str_eq(s[2], "stream (median over up to 1 case): host 0.50x, c no result; fastest: b");
	ck_assert_ptr_nonnull(strstr(s[3], "Model trust: unknown"));
	ck_assert_ptr_nonnull(strstr(s[4], "2 measured under load (loaded,concurrent_run)"));
	verdict_sentences_free(s, n);
	verdict_release(&v);
}
END_TEST

/* A chip that computes fp32 via tf32 has no ratio to one computing true
 * fp32: the verdict skips the case, as the tables do. */
START_TEST(test_verdict_precision)
{
	struct nb_result base[] = { mk("gemm m=1", 100, NULL), mk("gemm m=2", 100, NULL) };
	struct nb_result chip[] = { mk("gemm m=1", 800, NULL), mk("gemm m=2", 300, NULL) };
	struct verdict_column cols[] = { { "b", 0, base, 2 }, { "c", 0, chip, 2 } };
	struct nb_verdict v;

	for (int i = 0; i < 2; i++)
		base[i].dtype = chip[i].dtype = (char *)"fp32";
	chip[0].message = (char *)"fp32 emulated via tf32 (the profile's note)";
	verdict_compute(cols, 2, 0, NULL, &v);
	ck_assert_int_eq(v.fam[0].ncases[1], 1);
	ck_assert_double_eq_tol(v.fam[0].ratio[1], 3, 1e-12);
	verdict_release(&v);
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_html_text);
	tcase_add_test(tc, test_html_markdown);
	tcase_add_test(tc, test_html_svg);
	tcase_add_test(tc, test_verdict);
	tcase_add_test(tc, test_verdict_precision);
	suite_add_tcase(s, tc);
	return s;
}
