/* npubench export: stored results as CSV, JSON or Markdown, for other tools
 * (the formats are documented in doc/export.md). */
#include "util/output.h"
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/report.h"
#include "report/table.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/util.h"

struct export_opts {
	const char **runs;	/* --run specs */
	int nruns;
	int all;
	struct nb_filter filter;
	int have_format;
	enum nb_format format;
	const char *target_list;	/* --target, read by targets_parse */
	const char *output;
	int samples;
};

static void csv_samples(FILE *f, const struct nb_result *r)
{
	char buf[40];

	fputc(',', f);
	for (int i = 0; i < r->nsamples; i++) {
		nb_format_exact(buf, sizeof(buf), r->samples[i]);
		fprintf(f, "%s%s", i ? ";" : "", buf);
	}
}

/* Writes the CSV of runs IDS[0..n): one header, one row per kept result. */
static int write_csv(FILE *f, struct nb_store *st, const int64_t *ids, int n,
		     const struct export_opts *o, int *kept)
{
	struct nb_run *runs = xcalloc((size_t)n, sizeof(*runs));
	struct nb_result **rs = xcalloc((size_t)n, sizeof(*rs)), *all = NULL;
	int *counts = xcalloc((size_t)n, sizeof(int)), nall = 0, nparams = 0, ret = -1;
	char **params = NULL;

	for (int i = 0; i < n; i++) {
		if (store_run_get(st, ids[i], &runs[i]) || store_results_get(st, ids[i], &rs[i], &counts[i]))
			goto out;
		/* Keep only the selected results, compacted in place. */
		for (int k = 0, w = 0; k < counts[i]; k++) {
			if (report_result_selected(&o->filter, &rs[i][k])) {
				if (w != k) {
					struct nb_result t = rs[i][w];

					rs[i][w] = rs[i][k];
					rs[i][k] = t;
				}
				w++;
			}
			if (k == counts[i] - 1) {
				/* The tail holds the rejected ones: free them now. */
				for (int j = w; j < counts[i]; j++)
					result_release(&rs[i][j]);
				counts[i] = w;
			}
		}
		all = xrealloc(all, (size_t)(nall + counts[i] + 1) * sizeof(*all));
		if (counts[i] > 0)	/* an empty run has no array at all */
			memcpy(all + nall, rs[i], (size_t)counts[i] * sizeof(*all));
		nall += counts[i];
	}
	csv_param_names(all, nall, &params, &nparams);
	csv_header_fields(f, params, nparams);
	fputs(o->samples ? ",samples\r\n" : "\r\n", f);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < counts[i]; k++) {
			csv_row_fields(f, &rs[i][k], &runs[i], params, nparams);
			if (o->samples)
				csv_samples(f, &rs[i][k]);
			fputs("\r\n", f);
		}
	}
	*kept = nall;
	ret = 0;
out:
	for (int i = 0; i < n; i++) {
		results_free(rs[i], counts[i]);
		run_release(&runs[i]);
	}
	for (int i = 0; i < nparams; i++)
		free(params[i]);
	free(params);
	free(all);
	free(rs);
	free(runs);
	free(counts);
	return ret;
}

static int write_markdown(FILE *f, struct nb_store *st, const int64_t *ids, int n,
			  const struct export_opts *o, int *kept)
{
	for (int i = 0; i < n; i++) {
		struct nb_run run;
		struct nb_result *rs;
		int nr, shown = 0;

		if (store_run_get(st, ids[i], &run))
			return -1;
		if (store_results_get(st, ids[i], &rs, &nr)) {
			run_release(&run);
			return -1;
		}
		fprintf(f, "%s## Run %lld\n\n", i ? "\n" : "", (long long)run.id);
		fprintf(f, "- uuid: `%s`\n- started: %s\n- status: %s\n- host: ", run.uuid,
			run.started_at, run.status);
		md_text(f, run.hostname ? run.hostname : "?");
		fprintf(f, "\n- npubench: %s\n", run.tool_version);
		if (run.tag) {
			fputs("- tag: ", f);
			md_text(f, run.tag);
			fputc('\n', f);
		}
		fputc('\n', f);
		for (int k = 0; k < nr; k++) {
			if (!report_result_selected(&o->filter, &rs[k]))
				continue;
			if (!shown++)
				md_header(f);
			md_row(f, &rs[k]);
		}
		if (!shown)
			fputs("No results match.\n", f);
		*kept += shown;
		results_free(rs, nr);
		run_release(&run);
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct export_opts *o)
{
	enum { O_LAST = 256, O_ALL, O_SAMPLES };
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "last", no_argument, NULL, O_LAST },
		{ "all", no_argument, NULL, O_ALL },
		{ "target", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "samples", no_argument, NULL, O_SAMPLES },
		{ NULL, 0, NULL, 0 },
	};
	const struct nb_command *cmd = &nb_cmd_export;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:t:k:f:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->runs = xrealloc(o->runs, (size_t)(o->nruns + 1) * sizeof(char *));
			o->runs[o->nruns++] = optarg;
			break;
		case O_LAST:
			o->runs = xrealloc(o->runs, (size_t)(o->nruns + 1) * sizeof(char *));
			o->runs[o->nruns++] = "last";
			break;
		case O_ALL:
			o->all = 1;
			break;
		case 't':
			o->target_list = optarg;
			break;
		case 'k':
			o->filter.kernels = xrealloc(o->filter.kernels,
						     (size_t)(o->filter.nkernels + 1) * sizeof(char *));
			o->filter.kernels[o->filter.nkernels++] = optarg;
			break;
		case 'f':
			if (format_option(cmd, optarg, NB_FMT(NB_FMT_CSV) | NB_FMT(NB_FMT_JSON) |
					  NB_FMT(NB_FMT_MARKDOWN), &o->format))
				return NB_EXIT_USAGE;
			o->have_format = 1;
			break;
		case 'o':
			if (!*optarg)
				return usage_error(cmd, "-o needs a file name ('-' for standard output)");
			o->output = optarg;
			break;
		case O_SAMPLES:
			o->samples = 1;
			break;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s' (runs go in --run ID)", argv[optind]);
	if (!o->have_format)
		return usage_error(cmd, "say which format: --format csv, json or markdown");
	if (o->all && o->nruns)
		return usage_error(cmd, "--all cannot be combined with --run or --last");
	if (o->samples && o->format == NB_FMT_MARKDOWN)
		return usage_error(cmd, "--samples: Markdown tables hold no samples; use csv or json");
	return 0;
}

static int cmd_export(int argc, char **argv, struct nb_ctx *ctx)
{
	struct export_opts o = { 0 };
	struct nb_store *st;
	int64_t *ids = NULL;
	int n = 0, ret, kept = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL;
	struct nb_targets targets = { 0 };

	if ((ret = parse_opts(argc, argv, &o)))
		goto out;
	if (o.target_list) {
		if ((ret = targets_option(&nb_cmd_export, ctx, "--target", o.target_list,
					  NB_TARGETS_FILTER, &targets)))
			goto out;
		o.filter.targets = &targets;
	}
	ret = NB_EXIT_FAIL;
	if (!(st = ctx_store_existing(ctx)))
		goto out;
	if (o.all) {
		struct nb_run *runs;

		if (store_runs_list(st, &runs, &n))
			goto out;
		if (n == 0) {
			error("database '%s' holds no runs yet: try 'npubench run'", store_path(st));
			free(runs);
			goto out;
		}
		ids = xcalloc((size_t)n, sizeof(*ids));
		for (int i = 0; i < n; i++) {
			ids[n - 1 - i] = runs[i].id;	/* oldest first */
			run_release(&runs[i]);
		}
		free(runs);
	} else {
		n = o.nruns ? o.nruns : 1;
		ids = xcalloc((size_t)n, sizeof(*ids));
		for (int i = 0; i < n; i++)
			if (store_run_resolve(st, o.nruns ? o.runs[i] : "last", &ids[i]))
				goto out;
	}
	if (o.format == NB_FMT_JSON) {
		if (!(text = report_export_json(st, ids, n, o.samples, o.all || n > 1, &o.filter)))
			goto out;
		len = strlen(text);
		text = xrealloc(text, len + 2);
		text[len++] = '\n';
		text[len] = '\0';
	} else {
		int rc;

		if (!(mem = open_memstream(&text, &len)))
			die("out of memory");
		rc = o.format == NB_FMT_CSV ? write_csv(mem, st, ids, n, &o, &kept)
					 : write_markdown(mem, st, ids, n, &o, &kept);
		if (fclose(mem) || rc)
			goto out;
		if (kept == 0)
			warning("no result matches --target/--kernel in the chosen run(s)");
	}
	if (nb_write_output(o.output, text, len))
		goto out;
	ret = 0;
out:
	free(text);
	free(ids);
	free(o.runs);
	free(o.filter.kernels);
	targets_release(&targets);
	return ret;
}

const struct nb_command nb_cmd_export = {
	.name = "export",
	.exec = cmd_export,
	.usage = "export [--run ID]... [--last|--all] [--target LIST] [--kernel PATTERN]...\n"
		 "                       --format csv|json|markdown [-o FILE] [--samples]",
	.summary = "Write stored runs as CSV, JSON or Markdown for other tools.",
	.help = "Which runs (default: the last):\n"
		"  -r, --run ID             a run id, a UUID or its first characters, or 'last'\n"
		"                           (repeatable: several runs in one file)\n"
		"      --last               the last run\n"
		"      --all                every run, oldest first\n"
		"Which results:\n"
		"  -t, --target LIST        only these targets: the words of 'run --target' (host,\n"
		"                           chip ids, aliases, globs, 'chips' for every predicted\n"
		"                           result, 'all', 'default'); globs also match targets this\n"
		"                           machine has no profile for\n"
		"  -k, --kernel PATTERN     only kernels (or whole case texts) matching the glob\n"
		"                           (repeatable)\n"
		"Output:\n"
		"  -f, --format FMT         csv (one row per result, RFC 4180, full precision),\n"
		"                           json (schema \"npubench-run\"; several runs: \"npubench-runs\")\n"
		"                           or markdown (a table per run)\n"
		"  -o, --output FILE        write FILE instead of standard output ('-'); like a shell\n"
		"                           redirection: links followed, devices and FIFOs written into,\n"
		"                           a file replaced atomically keeping its mode and owner\n"
		"      --samples            add every timing sample (csv: a last 'samples' column,\n"
		"                           ';' separated; json: a 'samples' array per result);\n"
		"                           'npubench compare runs' on an imported run needs them\n"
		"\nThe columns and fields, their units and what stays stable are documented in\n"
		"doc/export.md.\n",
};
