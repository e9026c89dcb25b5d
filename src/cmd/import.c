/* npubench import: merge exported runs (JSON) into the database. */
#include "npubench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/store.h"
#include "util/util.h"

/* The largest export file read: far above any real run with samples. */
/* A parsed document takes about ten times its size: 32 MiB (some hundred
 * thousand results) keeps an import within a few hundred MB. */
#define IMPORT_MAX_BYTES (32u << 20)

static int cmd_import(int argc, char **argv, struct nb_ctx *ctx)
{
	struct nb_run_import *all = NULL;
	const char **from = NULL;	/* the file each run came from */
	struct nb_store *st;
	int nall = 0, ret = NB_EXIT_FAIL, added = 0;

	if (argc < 2)
		return usage_error(&nb_cmd_import, "which file? give an export written by "
				   "'npubench export --format json'");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return usage_error(&nb_cmd_import, "unknown option '%s'", argv[i]);
	/* Every file is read and checked before anything is stored. */
	for (int i = 1; i < argc; i++) {
		struct nb_run_import *runs;
		const char *path = strcmp(argv[i], "-") ? argv[i] : "/dev/stdin";
		char *text;
		size_t len;
		int n;

		if (nb_read_file(path, IMPORT_MAX_BYTES, &text, &len))
			goto out;
		if (strlen(text) != len) {
			error("%s: not a JSON export (it holds NUL bytes)", argv[i]);
			free(text);
			goto out;
		}
		n = 0;
		if (report_import_parse(argv[i], text, &runs, &n)) {
			free(text);
			goto out;
		}
		free(text);
		all = xrealloc(all, (size_t)(nall + n) * sizeof(*all));
		from = xrealloc(from, (size_t)(nall + n) * sizeof(*from));
		for (int k = 0; k < n; k++) {
			for (int j = 0; j < nall; j++) {
				if (!strcmp(all[j].run.uuid, runs[k].run.uuid)) {
					error("%s: run %s is also in '%s'; import it once", argv[i],
					      runs[k].run.uuid, from[j]);
					report_import_free(runs, n);
					goto out;
				}
			}
			all[nall] = runs[k];
			from[nall++] = argv[i];
		}
		free(runs);
	}
	if (!(st = ctx_store(ctx)))
		goto out;
	if (store_import(st, all, nall)) {
		error("nothing was imported");
		goto out;
	}
	for (int i = 0; i < nall; i++) {
		if (all[i].skipped) {
			fprintf(stderr, "run %s from %s is already in %s: skipped\n", all[i].run.uuid,
				from[i], store_path(st));
			continue;
		}
		added++;
		fprintf(stderr, "imported run %lld (%s) from %s: %d result(s)\n", (long long)all[i].run.id,
			all[i].run.uuid, from[i], all[i].nresults);
	}
	if (nall > 1)
		fprintf(stderr, "%d run(s) imported, %d already present\n", added, nall - added);
	ret = 0;
out:
	report_import_free(all, nall);
	free(from);
	return ret;
}

const struct nb_command nb_cmd_import = {
	.name = "import",
	.exec = cmd_import,
	.usage = "import FILE.json...",
	.summary = "Merge runs exported as JSON into the database.",
	.help = "Each FILE ('-' for standard input) is a document written by\n"
		"'npubench export --format json' (one run, or several with --all).  Runs keep\n"
		"their UUID, times, host description, results, samples and profile snapshots;\n"
		"they get a new local run id.  A run whose UUID is already in the database is\n"
		"skipped.  Every file is checked before anything is stored, and everything is\n"
		"stored in one transaction: a malformed or incompatible file (another schema,\n"
		"a newer schema_version) is rejected whole, with the field that is wrong.\n"
		"Export with --samples so that 'npubench compare runs' can test imported runs.\n",
};
