/* Unit tests of the gnuplot module and the chart scripts: quoting that
 * cannot be escaped, error lines, and scripts built from hostile names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_suites.h"
#include "report/chart.h"
#include "report/gnuplot.h"
#include "util/timer.h"
#include "util/util.h"

/* Quotes, backslash, backtick, newline, CR, tab, escape, DEL, a macro. */
static const char hostile[] = "a'b\"c\\d`touch x`e\nEOD\nsystem(\"id\")\r\t\x1b[1m\x7f@m";

START_TEST(clean_neutralizes)
{
	char *s = gp_clean(hostile, 0);

	ck_assert_str_eq(s, "a'b\"c\\d`touch x`e EOD system(\"id\")   [1m @m");
	free(s);
	s = gp_clean(NULL, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(clean_cuts_on_characters)
{
	/* "é" is two bytes: a cut must not split it. */
	char *s = gp_clean("abcdé-fghij", 8);

	ck_assert_str_eq(s, "abcd...");
	free(s);
	s = gp_clean("abcdefgh", 8);
	ck_assert_str_eq(s, "abcdefgh");
	free(s);
	s = gp_clean("abcdefghi", 8);
	ck_assert_str_eq(s, "abcde...");
	free(s);
}
END_TEST

START_TEST(quote_is_one_literal)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	gp_quote(&sb, hostile);
	p = sb_str(&sb);
	ck_assert_int_eq(p[0], '"');
	ck_assert_int_eq(p[sb.len - 1], '"');
	/* Nothing gnuplot could act on appears as itself inside. */
	ck_assert_ptr_null(strpbrk(p + 1, "`@$%\n\r\t"));
	ck_assert_ptr_eq(strchr(p + 1, '"'), p + sb.len - 1);
	sb_release(&sb);
	gp_quote_tic(&sb, "100%");
	ck_assert_str_eq(sb_str(&sb), "\"100\\045\\045\"");
	sb_release(&sb);
	gp_datum(&sb, hostile);
	p = sb_str(&sb);
	ck_assert_int_eq(p[0], '"');
	ck_assert_int_eq(p[sb.len - 1], '"');
	ck_assert_ptr_null(strpbrk(p + 1, "`\\\n\r\t"));
	ck_assert_ptr_eq(strchr(p + 1, '"'), p + sb.len - 1);
	sb_release(&sb);
}
END_TEST

START_TEST(clean_repairs_utf8)
{
	/* A cut sequence, a lone continuation byte, an overlong '/', a C1. */
	char *s = gp_clean("a\xc3-\xa9-\xc0\xaf-\xc2\x9b-\xe2\x82\xac-\xc3\xa9", 0);

	ck_assert_str_eq(s, "a?-?-?" "?- -\xe2\x82\xac-\xc3\xa9");
	free(s);
}
END_TEST

/* A random byte string biased towards what breaks quoting: quotes,
 * backslashes, backticks, '%', '@', '$', newlines, controls, UTF-8 and cut
 * UTF-8. */
static void random_text(char *out, size_t max, unsigned *seed)
{
	static const char *pieces[] = { "'", "''", "\"", "\"\"", "\\", "\\\\", "`", "``", "%", "%n",
		"%2147483647.2147483647f", "%s", "@", "@x", "$", "$x", "\n", "\r", "\t", "\x1b[2J",
		"\x7f", "\x01", "\xc3\xa9", "\xc3", "\xe2\x82\xac", "\xe2\x82", "\xa9", "\xc2\x9b",
		"\xf0\x9f\x98\x80", "EOD", "a", "b c", "{", "}", "^", "_", "&", "<", ">", "#", ";" };
	size_t len = 0, n = (size_t)(rand_r(seed) % 12);

	for (size_t i = 0; i < n; i++) {
		const char *p;
		char byte[2] = { 0, 0 };

		if (rand_r(seed) % 5 == 0) {
			byte[0] = (char)(1 + rand_r(seed) % 255);
			p = byte;
		} else {
			p = pieces[(size_t)rand_r(seed) % NB_ARRAY_SIZE(pieces)];
		}
		if (len + strlen(p) >= max)
			break;
		memcpy(out + len, p, strlen(p));
		len += strlen(p);
	}
	out[len] = '\0';
}

/* Thousands of random strings, quoted, printed back by the real gnuplot:
 * each comes back exactly as gp_clean() made it, plain and as a tic label. */
START_TEST(any_bytes_read_back)
{
	enum { N = 3000 };
	struct strbuf sb = STRBUF_INIT;
	char **want = xcalloc(N, sizeof(*want));
	char path[] = "/tmp/npubench-check-XXXXXX", text[160], *out = NULL, *gp = gnuplot_find();
	unsigned seed = 20261129;
	size_t len;
	int fd;

	if (!gp)
		return;	/* the quoting tests above still ran */
	free(gp);
	sb_adds(&sb, "set print '-'\n");
	for (int i = 0; i < N; i++) {
		random_text(text, sizeof(text), &seed);
		want[i] = gp_clean(text, 0);
		sb_adds(&sb, "print ");
		gp_quote(&sb, text);
		sb_adds(&sb, "\n");
	}
	/* Tic labels are formats: read them back through gprintf's twin. */
	sb_adds(&sb, "set terminal dumb size 200,10\nset xrange [0:1]\nset output '/dev/null'\n");
	sb_adds(&sb, "set xtics (");
	for (int i = 0; i < 300; i++) {
		gp_quote_tic(&sb, want[i]);
		sb_addf(&sb, " %g%s", i / 300.0, i < 299 ? ", " : ")\nplot x notitle\n");
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(gnuplot_run(sb_str(&sb), path), 0);
	ck_assert_int_eq(nb_read_file(path, 1 << 24, &out, &len), 0);
	{
		char *p = out;

		for (int i = 0; i < N; i++) {
			size_t l = strcspn(p, "\n");

			ck_assert_msg(l == strlen(want[i]) && !memcmp(p, want[i], l),
				      "string %d: gnuplot printed '%.*s', expected '%s'", i, (int)l, p, want[i]);
			p += l + (p[l] == '\n');
		}
	}
	unlink(path);
	for (int i = 0; i < N; i++)
		free(want[i]);
	free(want);
	free(out);
	sb_release(&sb);
}
END_TEST

/* A tic label that is a hostile format prints as itself, quickly. */
START_TEST(tic_label_is_not_a_format)
{
	static const char *labels[] = { "%2147483647.2147483647f", "%n%n%n", "50% %s" };
	char path[] = "/tmp/npubench-check-XXXXXX", *out = NULL, *gp = gnuplot_find();
	size_t len;
	int fd;

	if (!gp)
		return;
	free(gp);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	for (size_t i = 0; i < NB_ARRAY_SIZE(labels); i++) {
		struct strbuf sb = STRBUF_INIT;

		sb_adds(&sb, "set terminal dumb size 80,10\nset xrange [0:1]\nset xtics (");
		gp_quote_tic(&sb, labels[i]);
		sb_adds(&sb, " 0.5)\nplot x notitle\n");
		ck_assert_int_eq(gnuplot_run(sb_str(&sb), path), 0);
		ck_assert_int_eq(nb_read_file(path, 1 << 20, &out, &len), 0);
		ck_assert_msg(strstr(out, labels[i]) != NULL, "label '%s' not drawn as itself", labels[i]);
		free(out);
		sb_release(&sb);
	}
	unlink(path);
}
END_TEST

/* gnuplot runs under a time limit (and a memory limit it can see). */
START_TEST(gnuplot_is_bounded)
{
	char dir[] = "/tmp/npubench-check-XXXXXX", *fake, *out = NULL;
	char *old = getenv("NPUBENCH_GNUPLOT") ? xstrdup(getenv("NPUBENCH_GNUPLOT")) : NULL;
	double t0;
	size_t len;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fake = xasprintf("%s/gnuplot", dir);
	f = fopen(fake, "w");
	ck_assert_ptr_nonnull(f);
	/* Reports its limits, then runs forever when the script says so. */
	fprintf(f, "#!/bin/sh\nulimit -v; ulimit -t\ngrep -q forever \"$1\" && exec sleep 30\nexit 0\n");
	fclose(f);
	chmod(fake, 0755);
	setenv("NPUBENCH_GNUPLOT", fake, 1);
	setenv("NPUBENCH_GNUPLOT_TIMEOUT", "1", 1);
	{
		char *outp = xasprintf("%s/out", dir);

		ck_assert_int_eq(gnuplot_run("plot x\n", outp), 0);
		ck_assert_int_eq(nb_read_file(outp, 1 << 20, &out, &len), 0);
		ck_assert_msg(strstr(out, "unlimited") == NULL, "gnuplot ran without limits: %s", out);
		free(out);
		nb_quiet_errors++;
		t0 = timer_now();
		ck_assert_int_eq(gnuplot_run("# forever\n", outp), -1);
		ck_assert_double_lt(timer_now() - t0, 5);
		nb_quiet_errors--;
		unlink(outp);
		free(outp);
	}
	unsetenv("NPUBENCH_GNUPLOT_TIMEOUT");
	if (old)
		setenv("NPUBENCH_GNUPLOT", old, 1);
	else
		unsetenv("NPUBENCH_GNUPLOT");
	unlink(fake);
	rmdir(dir);
	free(fake);
	free(old);
}
END_TEST

START_TEST(error_lines)
{
	ck_assert_int_eq(gnuplot_error_line("\"/tmp/x/chart.gp\" line 12: undefined variable: foo\n"), 12);
	ck_assert_int_eq(gnuplot_error_line("plot $d using 1:2\n    ^\n\"c.gp\" line 7: invalid command"), 7);
	ck_assert_int_eq(gnuplot_error_line("warning: no line number here"), 0);
	ck_assert_int_eq(gnuplot_error_line("line x: nope"), 0);
}
END_TEST

START_TEST(terms_by_name)
{
	ck_assert_int_eq(chart_term_for_path("a/b.png"), CHART_PNG);
	ck_assert_int_eq(chart_term_for_path("x.SVG"), CHART_SVG);
	ck_assert_int_eq(chart_term_for_path("x.pdf"), CHART_PDF);
	ck_assert_int_eq(chart_term_for_path("x.txt"), CHART_DUMB);
	ck_assert_int_eq(chart_term_for_path("x.jpg"), -1);
	ck_assert_int_eq(chart_term_for_path("dir.png/x"), -1);
	ck_assert_int_eq(chart_term_parse("dumb"), CHART_DUMB);
	ck_assert_int_eq(chart_term_parse("wxt"), -1);
	ck_assert_str_eq(chart_term_name(CHART_SVG), "svg");
}
END_TEST

/* A chart of each kind whose every name is hostile. */
static void hostile_chart(struct chart *c, enum chart_kind kind)
{
	int h, t, g;

	chart_init(c, kind);
	c->title = xstrdup(hostile);
	c->subtitle = xstrdup(hostile);
	c->unit = xstrdup("FLOP/s");
	c->xlabel = xstrdup(hostile);
	h = chart_add_target(c, hostile, 1);
	t = chart_add_target(c, hostile, 0);
	c->targets[t].peak = 1e15;
	c->targets[t].bw = 3e12;
	c->targets[t].peaks[NB_BF16] = 1e15;
	c->targets[t].mem_bytes = 80e9;
	g = chart_add_group(c, hostile, "FLOP/s", 100);
	chart_add_point(c, h, g, kind == CHART_BARS ? 0 : 100, 1e12);
	chart_add_point(c, t, g, kind == CHART_BARS ? 0 : 100, 2e14);
	chart_add_point(c, t, g, kind == CHART_BARS ? 0 : 200, 4e14);
	c->points[c->npoints - 1].compute_bound = 1;
	if (kind == CHART_BARS)
		c->normalize = NULL;
}

/* Every line of a script is ours: data-block ends pair with their starts,
 * no line starts with a shell escape, and no backtick appears anywhere. */
static void check_script(const char *script)
{
	int opens = 0, closes = 0;

	ck_assert_ptr_null(strchr(script, '`'));
	for (const char *p = script; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		size_t len = strcspn(p, "\n");

		ck_assert_int_ne(p[0], '!');
		ck_assert_msg(strncmp(p, "system", 6) != 0, "a line starts with system: %.*s", (int)len, p);
		if (len > 7 && !strncmp(p + len - 7, " << EOD", 7))
			opens++;
		if (len == 3 && !strncmp(p, "EOD", 3))
			closes++;
	}
	ck_assert_int_gt(opens, 0);
	ck_assert_int_eq(opens, closes);
}

START_TEST(scripts_contain_hostile_names)
{
	for (int kind = CHART_ROOFLINE; kind <= CHART_SPECS; kind++) {
		for (int term = CHART_DUMB; term <= CHART_PDF; term++) {
			struct chart c;
			char *s;

			hostile_chart(&c, (enum chart_kind)kind);
			s = chart_script(&c, (enum chart_term)term, term == CHART_PNG ? hostile : NULL);
			ck_assert_ptr_nonnull(s);
			check_script(s);
			free(s);
			chart_release(&c);
		}
	}
}
END_TEST

START_TEST(empty_charts_are_errors)
{
	struct chart c;

	nb_quiet_errors++;
	for (int kind = CHART_ROOFLINE; kind <= CHART_SPECS; kind++) {
		chart_init(&c, (enum chart_kind)kind);
		ck_assert_ptr_null(chart_script(&c, CHART_PNG, NULL));
		chart_release(&c);
	}
	nb_quiet_errors--;
}
END_TEST

START_TEST(unit_cannot_reach_a_format)
{
	struct chart c;
	char *s;

	hostile_chart(&c, CHART_SCALING);
	free(c.unit);
	c.unit = xstrdup("%s%n'`");
	s = chart_script(&c, CHART_SVG, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "%n"));
	ck_assert_ptr_nonnull(strstr(s, "%cops/s'"));
	free(s);
	chart_release(&c);
}
END_TEST

START_TEST(gnuplot_missing_or_failing)
{
	char *old = getenv("NPUBENCH_GNUPLOT") ? xstrdup(getenv("NPUBENCH_GNUPLOT")) : NULL;
	char *found;

	nb_quiet_errors++;
	setenv("NPUBENCH_GNUPLOT", "/nonexistent/gnuplot", 1);
	ck_assert_ptr_null(gnuplot_find());
	ck_assert_int_eq(gnuplot_run("set term dumb\nplot x\n", NULL), -1);
	if (old)
		setenv("NPUBENCH_GNUPLOT", old, 1);
	else
		unsetenv("NPUBENCH_GNUPLOT");
	found = gnuplot_find();
	if (found) {
		/* A script error is an error; nothing reaches the output file. */
		char path[] = "/tmp/npubench-check-XXXXXX";
		int fd = mkstemp(path);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(gnuplot_run("set term dumb\nfrobnicate\n", path), -1);
		ck_assert_int_eq(gnuplot_run("set term dumb size 40,10\nplot x\n", path), 0);
		{
			char *text;
			size_t len;

			ck_assert_int_eq(nb_read_file(path, 1 << 20, &text, &len), 0);
			ck_assert_ptr_nonnull(strstr(text, "+---"));
			free(text);
		}
		unlink(path);
		close(fd);
	}
	nb_quiet_errors--;
	free(found);
	free(old);
}
END_TEST

Suite *suite_plot(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, clean_neutralizes);
	tcase_add_test(tc, clean_cuts_on_characters);
	tcase_add_test(tc, quote_is_one_literal);
	tcase_add_test(tc, clean_repairs_utf8);
	tcase_add_test(tc, any_bytes_read_back);
	tcase_add_test(tc, tic_label_is_not_a_format);
	tcase_add_test(tc, gnuplot_is_bounded);
	tcase_add_test(tc, error_lines);
	tcase_add_test(tc, terms_by_name);
	tcase_add_test(tc, scripts_contain_hostile_names);
	tcase_add_test(tc, empty_charts_are_errors);
	tcase_add_test(tc, unit_cannot_reach_a_format);
	tcase_add_test(tc, gnuplot_missing_or_failing);
	suite_add_tcase(s, tc);
	return s;
}
