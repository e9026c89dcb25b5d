/* npubench report: one self-contained HTML page about a stored run, to
 * share: provenance, the verdict, the comparison tables, every chart as
 * inline SVG, the model's validation figures and the source of every chip
 * figure.  No script, no network: the page reads the same from a file
 * attached to a mail in ten years. */
#include "npubench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/profile-probe.h"
#include "model/profile.h"
#include "report/html.h"
#include "report/jsonw.h"
#include "report/verdict.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/output.h"
#include "util/util.h"

struct report_opts {
	const char *output;
	const char *run;
	const char *chips;
	const char *baseline;
};

/* The compared columns: what compare chips and the verdict see. */
struct report {
	struct report_opts o;
	struct nb_ctx *ctx;
	struct nb_profiles *set;
	struct nb_run run;
	int64_t run_id;
	struct nb_result *rs;
	int nrs;
	struct verdict_column *cols;
	const struct nb_profile **profiles;	/* per column, NULL: none */
	int ncols, base;
	struct strbuf page;
};

/* Runs command CMD with ARGV (copied: getopt may permute it), its standard
 * output captured into *OUT (malloc'd).  Messages still go to stderr.
 * Returns the command's exit status, or 1 when the capture itself fails. */
static int capture(struct nb_ctx *ctx, const struct nb_command *cmd, int argc,
		   const char *const *argv, char **out)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/npubench-report.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	int fd = mkstemp(path), saved = -1, ret = NB_EXIT_FAIL;
	size_t len;

	*out = NULL;
	for (int i = 0; i < argc; i++)
		args[i] = xstrdup(argv[i]);
	if (fd < 0) {
		error("cannot create a temporary file '%s': %s", path, strerror(errno));
		goto out;
	}
	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		error("cannot redirect output: %s", strerror(errno));
		goto out;
	}
	ret = cmd->exec(argc, args, ctx);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	if (nb_read_file(path, (size_t)256 << 20, out, &len))
		ret = NB_EXIT_FAIL;
out:
	if (saved >= 0)
		close(saved);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	for (int i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	free(path);
	return ret;
}

/* The chips to plot: the compared columns but the host, comma separated. */
static char *plot_chips(const struct report *rp)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < rp->ncols; i++)
		if (!rp->cols[i].host)
			sb_addf(&sb, "%s%s", sb.len ? "," : "", rp->cols[i].label);
	return sb_detach(&sb);
}

/* One chart of KIND drawn by `plot` as SVG, inline in the page, or a note
 * saying why it is missing.  The one place the report asks for a chart. */
static void render_chart(struct report *rp, const char *kind, const char *caption)
{
	char *chips = plot_chips(rp), *svg = NULL, *prefix = xasprintf("chart-%s", kind);
	char runid[32];
	const char *argv[12];
	int argc = 0;

	snprintf(runid, sizeof(runid), "%lld", (long long)rp->run_id);
	argv[argc++] = "plot";
	argv[argc++] = kind;
	argv[argc++] = "--term";
	argv[argc++] = "svg";
	argv[argc++] = "-o";
	argv[argc++] = "-";
	if (*chips) {
		argv[argc++] = "--chips";
		argv[argc++] = chips;
	}
	/* specs come from the profiles alone: no run. */
	if (strcmp(kind, "specs")) {
		argv[argc++] = "--run";
		argv[argc++] = runid;
	}
	sb_addf(&rp->page, "<figure id=\"%s\">\n", prefix);
	if (capture(rp->ctx, &nb_cmd_plot, argc, argv, &svg) || html_inline_svg(&rp->page, svg, prefix)) {
		warning("the %s chart could not be drawn; the report says so in its place", kind);
		sb_adds(&rp->page, "<p class=\"missing\">");
		html_text(&rp->page, kind);
		sb_adds(&rp->page, " chart: not drawn (see the messages of 'npubench report').</p>\n");
	}
	sb_adds(&rp->page, "<figcaption>");
	html_text(&rp->page, caption);
	sb_adds(&rp->page, "</figcaption>\n</figure>\n");
	free(prefix);
	free(svg);
	free(chips);
}

/* A row of a two-column table: NAME and VALUE (escaped; "-" when NULL). */
static void kv_row(struct strbuf *sb, const char *name, const char *value)
{
	sb_adds(sb, "<tr><th>");
	html_text(sb, name);
	sb_adds(sb, "</th><td>");
	html_text(sb, value && *value ? value : "-");
	sb_adds(sb, "</td></tr>\n");
}

/* Where, when and with what the run was measured. */
static void section_provenance(struct report *rp)
{
	struct strbuf *sb = &rp->page;
	const struct nb_run *r = &rp->run;
	char *cpu = json_text_field(r->host_json, "cpu_model");
	char *os = json_text_field(r->host_json, "os");
	char *compiler = json_text_field(r->host_json, "compiler");
	char *id = xasprintf("%lld (%s)", (long long)r->id, r->uuid ? r->uuid : "no uuid");
	char *when = xasprintf("%s to %s", r->started_at ? r->started_at : "?",
			       r->ended_at ? r->ended_at : "?");
	char *build = xasprintf("npubench %s, %s%s%s", r->tool_version ? r->tool_version : "?",
				r->build_flags ? r->build_flags : "flags unknown",
				compiler ? ", " : "", compiler ? compiler : "");
	char now[64];
	time_t t = time(NULL);

	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	sb_adds(sb, "<section id=\"provenance\">\n<h2>Run</h2>\n<table class=\"kv\">\n");
	kv_row(sb, "run", id);
	kv_row(sb, "tag", r->tag);
	kv_row(sb, "status", r->status);
	kv_row(sb, "date", when);
	kv_row(sb, "host", r->hostname);
	kv_row(sb, "CPU", cpu);
	kv_row(sb, "operating system", os);
	kv_row(sb, "build", build);
	kv_row(sb, "command", r->cmdline);
	kv_row(sb, "report written", now);
	sb_adds(sb, "</table>\n</section>\n");
	free(cpu);
	free(os);
	free(compiler);
	free(id);
	free(when);
	free(build);
}

/* "12.3%" for a fraction. */
static void pct_cell(struct strbuf *sb, double v)
{
	sb_addf(sb, "<td class=\"num\">%.1f%%</td>", 100 * v);
}

/* The verdict's sentences, then the model's errors on the shipped sets. */
static void section_verdict(struct report *rp, const struct nb_verdict *v)
{
	struct strbuf *sb = &rp->page;
	const struct validate_errors *e[2] = { &v->calibration, &v->holdout };
	const int have[2] = { v->have_calibration, v->have_holdout };
	static const char *const what[2] = {
		"calibration (the measurements the model's efficiencies were fitted to)",
		"holdout (published measurements kept out of calibration)",
	};
	int n;
	char **s = verdict_sentences(v, &n);

	sb_adds(sb, "<section id=\"verdict\">\n<h2>Verdict</h2>\n<ul>\n");
	for (int i = 0; i < n; i++) {
		sb_adds(sb, i && i <= v->nfam && v->ncols >= 2 ? "<li class=\"family\">" : "<li>");
		html_text(sb, s[i]);
		sb_adds(sb, "</li>\n");
	}
	sb_adds(sb, "</ul>\n</section>\n");
	verdict_sentences_free(s, n);

	sb_adds(sb, "<section id=\"validation\">\n<h2>Model validation</h2>\n"
		"<p>|error| = |predicted - measured| / measured, over the rows the model predicts; "
		"the same figures as <code>npubench validate --measurements calibration</code> and "
		"<code>holdout</code>.</p>\n<table>\n<thead><tr><th>measurements</th>"
		"<th class=\"num\">rows</th><th class=\"num\">predicted</th>"
		"<th class=\"num\">median |error|</th><th class=\"num\">p90 |error|</th></tr></thead>\n"
		"<tbody>\n");
	for (int i = 0; i < 2; i++) {
		sb_adds(sb, "<tr><td>");
		html_text(sb, what[i]);
		sb_addf(sb, "</td><td class=\"num\">%d</td><td class=\"num\">%d</td>", e[i]->rows,
			e[i]->predicted);
		if (have[i]) {
			pct_cell(sb, e[i]->median);
			pct_cell(sb, e[i]->p90);
		} else {
			sb_adds(sb, "<td>not available</td><td>not available</td>");
		}
		sb_adds(sb, "</tr>\n");
	}
	sb_adds(sb, "</tbody>\n</table>\n</section>\n");
}

/* The comparison tables as `compare chips --format markdown` prints them,
 * its own verdict left out (the page has it above). */
static void section_tables(struct report *rp)
{
	const char **argv = xcalloc((size_t)rp->ncols + 12, sizeof(char *));
	char runid[32], *md = NULL;
	int argc = 0;

	snprintf(runid, sizeof(runid), "%lld", (long long)rp->run_id);
	argv[argc++] = "compare";
	argv[argc++] = "chips";
	for (int i = 0; i < rp->ncols; i++)
		argv[argc++] = rp->cols[i].label;
	argv[argc++] = "--baseline";
	argv[argc++] = rp->cols[rp->base].label;
	argv[argc++] = "--run";
	argv[argc++] = runid;
	argv[argc++] = "--format";
	argv[argc++] = "markdown";
	argv[argc++] = "--sources";
	sb_adds(&rp->page, "<section id=\"comparison\">\n<h2>Comparison</h2>\n");
	if (capture(rp->ctx, &nb_cmd_compare, argc, argv, &md))
		sb_adds(&rp->page, "<p class=\"missing\">The comparison tables could not be made "
			"(see the messages of 'npubench report').</p>\n");
	else
		html_markdown(&rp->page, md, "Verdict");
	sb_adds(&rp->page, "</section>\n");
	free(md);
	free(argv);
}

/* One row per figure of a profile: key, value, kind, source, note. */
static void figure_row(void *arg, const char *path, double value, const char *source,
		       const char *kind, const char *note)
{
	struct strbuf *sb = arg;
	char v[40];

	snprintf(v, sizeof(v), "%.6g", value);
	sb_adds(sb, "<tr><td>");
	html_text(sb, path);
	sb_addf(sb, "</td><td class=\"num\">%s</td><td>", v);
	html_text(sb, kind);
	sb_adds(sb, "</td><td>");
	html_text(sb, source);
	sb_adds(sb, "</td><td>");
	html_text(sb, note);
	sb_adds(sb, "</td></tr>\n");
}

/* Every figure of every compared profile with its source. */
static void section_sources(struct report *rp)
{
	struct strbuf *sb = &rp->page;

	sb_adds(sb, "<section id=\"sources\">\n<h2>Chip figures and their sources</h2>\n");
	for (int i = 0; i < rp->ncols; i++) {
		const struct nb_profile *p = rp->profiles[i];

		if (!p)
			continue;
		sb_adds(sb, "<h3>");
		html_text(sb, profile_id(p));
		sb_adds(sb, ": ");
		html_text(sb, profile_name(p));
		sb_adds(sb, "</h3>\n<table class=\"sources\">\n<thead><tr><th>figure</th>"
			"<th class=\"num\">value</th><th>kind</th><th>source</th><th>note</th></tr>"
			"</thead>\n<tbody>\n");
		profile_each_figure(p, figure_row, sb);
		sb_adds(sb, "</tbody>\n</table>\n");
	}
	sb_adds(sb, "</section>\n");
}

static const char page_style[] =
	"body{font-family:sans-serif;max-width:80em;margin:1em auto;padding:0 1em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.85em}"
	"th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}"
	"thead th{background:#eee}.num{text-align:right}table.kv th{background:#f4f4f4}"
	"figure{margin:1em 0}figure svg{width:100%;height:auto;border:1px solid #ddd}"
	"figcaption{font-size:.9em;color:#444}.missing{color:#a00}li.family{margin-left:1.5em}"
	"code{background:#f4f4f4}table.sources td:nth-child(3){white-space:nowrap}";

static void page_begin(struct report *rp)
{
	struct strbuf *sb = &rp->page;

	sb_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	sb_addf(sb, "npubench report: run %lld", (long long)rp->run_id);
	sb_addf(sb, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", page_style);
	sb_addf(sb, "npubench report: run %lld", (long long)rp->run_id);
	sb_adds(sb, "</h1>\n");
}

/* The compared columns from --chips, the baseline, and the run's results
 * per column.  Returns 0, or an exit status after reporting. */
static int gather(struct report *rp)
{
	struct nb_targets ts = { 0 };
	int ret = targets_option(&nb_cmd_report, rp->ctx, "--chips", rp->o.chips, 0, &ts);

	rp->base = -1;
	for (int i = 0; !ret && i < ts.n; i++) {
		struct verdict_column c = { 0 };
		int dup = 0;

		c.host = target_measured(&ts.v[i]);
		c.label = c.host ? "host" : profile_id(ts.v[i].profile);
		for (int j = 0; j < rp->ncols; j++)
			dup |= !strcmp(rp->cols[j].label, c.label);
		if (dup)
			continue;
		/* Shallow copies: the run's array owns the strings. */
		for (int k = 0; k < rp->nrs; k++) {
			struct nb_result *own;

			if (!rp->rs[k].target || strcmp(rp->rs[k].target, c.label))
				continue;
			own = xrealloc((void *)c.rs, (size_t)(c.nrs + 1) * sizeof(*own));
			own[c.nrs++] = rp->rs[k];
			c.rs = own;
		}
		rp->cols = xrealloc(rp->cols, (size_t)(rp->ncols + 1) * sizeof(*rp->cols));
		rp->profiles = xrealloc(rp->profiles, (size_t)(rp->ncols + 1) * sizeof(*rp->profiles));
		rp->profiles[rp->ncols] = c.host ? probe_host_profile(rp->set) : ts.v[i].profile;
		c.label = xstrdup(c.label);
		rp->cols[rp->ncols++] = c;
		if (rp->o.baseline ? !strcmp(rp->o.baseline, c.label) ||
				     (!c.host && profiles_find(rp->set, rp->o.baseline) == ts.v[i].profile)
				   : rp->base < 0 && !c.host)
			rp->base = rp->ncols - 1;
	}
	targets_release(&ts);
	if (ret)
		return ret;
	if (rp->base < 0 && rp->o.baseline)
		return usage_error(&nb_cmd_report, "--baseline %s is not one of the chips in --chips",
				   rp->o.baseline);
	if (rp->base < 0)
		rp->base = 0;
	return 0;
}

static int parse_options(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, 'r' },
		{ "chips", required_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'r': o->run = optarg; break;
		case 'c': o->chips = optarg; break;
		case 'b': o->baseline = optarg; break;
		default: return bad_option(&nb_cmd_report, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_report, "unexpected argument '%s'", argv[optind]);
	if (!o->output)
		return usage_error(&nb_cmd_report, "where to? give -o FILE.html");
	if (!*o->output)
		return usage_error(&nb_cmd_report, "-o: empty file name");
	return 0;
}

/* Fails early, before minutes of charts, when OUTPUT's folder cannot take
 * a file: nb_write_output writes a temporary file there and renames it. */
static int output_writable(const char *output)
{
	const char *slash = strrchr(output, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - output + (slash == output)), output)
			  : xstrdup(".");
	int ret = 0;

	if (strcmp(output, "-") && access(dir, W_OK | X_OK)) {
		error("cannot write '%s': folder '%s': %s", output, dir, strerror(errno));
		ret = -1;
	}
	free(dir);
	return ret;
}

/* The stored run to report on, and its results. */
static int load_run(struct report *rp, struct nb_store *st)
{
	struct nb_run *runs = NULL;
	int nruns = 0;

	if (store_runs_list(st, &runs, &nruns))
		return -1;
	for (int i = 0; i < nruns; i++)
		run_release(&runs[i]);
	free(runs);
	if (nruns == 0)
		return error("no runs in the database '%s': store one with 'npubench run' first",
			     store_path(st));
	if (store_run_resolve(st, rp->o.run ? rp->o.run : "last", &rp->run_id) ||
	    store_run_get(st, rp->run_id, &rp->run) ||
	    store_results_get(st, rp->run_id, &rp->rs, &rp->nrs))
		return -1;
	return 0;
}

static int cmd_report(int argc, char **argv, struct nb_ctx *ctx)
{
	struct report rp;
	struct nb_store *st;
	struct nb_verdict v;
	int ret, have_verdict = 0;

	memset(&rp, 0, sizeof(rp));
	rp.ctx = ctx;
	if ((ret = parse_options(argc, argv, &rp.o)))
		return ret;
	if (!rp.o.chips)
		rp.o.chips = "default";
	ret = NB_EXIT_FAIL;
	if (output_writable(rp.o.output) || !(st = ctx_store_existing(ctx)) || load_run(&rp, st) ||
	    !(rp.set = ctx_profiles(ctx)))
		goto out;
	if ((ret = gather(&rp)))
		goto out;
	ret = NB_EXIT_FAIL;
	verdict_compute(rp.cols, rp.ncols, rp.base, rp.set, &v);
	have_verdict = 1;
	page_begin(&rp);
	section_provenance(&rp);
	section_verdict(&rp, &v);
	section_tables(&rp);
	sb_adds(&rp.page, "<section id=\"charts\">\n<h2>Charts</h2>\n");
	render_chart(&rp, "bars", "Throughput per case and target: measured on the host, predicted on the chips.");
	render_chart(&rp, "roofline", "Roofline: operational intensity against attained throughput, "
		     "with each chip's compute and memory roofs.");
	render_chart(&rp, "scaling", "Scaling: GEMM throughput against size, the model swept over the "
		     "chips, with the run's host results.");
	render_chart(&rp, "specs", "Spec sheet: dense peaks, memory bandwidth and capacity per chip.");
	sb_adds(&rp.page, "</section>\n");
	section_sources(&rp);
	sb_adds(&rp.page, "<footer><p>Written by npubench report; no script, no network resource.</p>"
		"</footer>\n</body>\n</html>\n");
	if (nb_write_output(rp.o.output, sb_str(&rp.page), rp.page.len))
		goto out;
	if (strcmp(rp.o.output, "-"))
		fprintf(stderr, "wrote %s\n", rp.o.output);
	ret = 0;
out:
	if (have_verdict)
		verdict_release(&v);
	for (int i = 0; i < rp.ncols; i++) {
		free((char *)rp.cols[i].label);
		free((void *)rp.cols[i].rs);
	}
	free(rp.cols);
	free(rp.profiles);
	if (rp.rs)
		results_free(rp.rs, rp.nrs);
	if (rp.run_id)
		run_release(&rp.run);
	sb_release(&rp.page);
	return ret;
}

const struct nb_command nb_cmd_report = {
	.name = "report",
	.exec = cmd_report,
	.usage = "report -o FILE.html [--run ID] [--chips LIST] [--baseline CHIP]",
	.summary = "Write one self-contained HTML page about a stored run, to share.",
	.help = "The page holds the run's provenance (host, CPU, build, date, run id), the verdict,\n"
		"the comparison tables of 'compare chips', every chart of 'plot' as inline SVG,\n"
		"the model's validation errors (calibration and holdout, median and p90) and every\n"
		"figure of the compared chip profiles with its source.  No script and no network\n"
		"resource: any browser shows it offline.\n"
		"\nOptions:\n"
		"  -o, --output FILE  the page to write (replaced atomically: a temporary file\n"
		"                     beside it, then a rename; '-' is standard output)\n"
		"  --run ID           the stored run: id, UUID prefix or 'last' (default)\n"
		"  --chips LIST       the words of 'run --target' (default: 'default', the host\n"
		"                     and the chips the project is about)\n"
		"  --baseline CHIP    the chip the ratios are to (default: the first chip)\n"
		"\ngnuplot draws the charts (Debian: gnuplot-nox); without it the page says which\n"
		"charts are missing.\n",
};
