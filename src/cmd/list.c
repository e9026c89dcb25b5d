/* npubench list: kernels, suites, targets or stored runs. */
#include "npubench.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/suite.h"
#include "model/profile.h"
#include "store/store.h"
#include "util/cpu.h"
#include "util/util.h"

static int list_kernels(void)
{
	for (int i = 0; i < nb_nkernels; i++) {
		const struct nb_kernel *k = nb_kernels[i];

		printf("%s — %s\n", k->name, k->summary);
		for (int j = 0; j < k->nparams; j++) {
			const struct nb_param_desc *d = &k->params[j];
			char range[96] = "";

			if (d->type == NB_P_INT || d->type == NB_P_REAL)
				snprintf(range, sizeof(range), " [%g..%g]", d->min, d->max);
			else if (d->choices)
				snprintf(range, sizeof(range), " {%s}", d->choices);
			printf("    %-10s default %-8s%s  %s\n", d->name, d->def, range, d->help ? d->help : "");
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_suites(struct nb_ctx *ctx)
{
	char *dir = xasprintf("%s/suites", ctx->data_dir), **names = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d) {
		error("cannot read the suites folder '%s'", dir);
		free(dir);
		return NB_EXIT_FAIL;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
			names = xrealloc(names, (size_t)(n + 1) * sizeof(char *));
			names[n++] = xstrndup(e->d_name, len - 5);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, (size_t)n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++) {
		struct nb_suite *s;

		if (suite_load(names[i], dir, &s)) {
			ret = NB_EXIT_FAIL;
		} else {
			printf("%-10s %4d cases  %s\n", s->name, s->ncases, s->description ? s->description : "");
			suite_free(s);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return ret;
}

static int list_targets(struct nb_ctx *ctx)
{
	struct nb_profiles *set = ctx_profiles(ctx);

	if (!set)
		return NB_EXIT_FAIL;
	printf("%-16s %s\n", "host", cpu_detect()->model);
	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);

		printf("%-16s %s\n", profile_id(p), profile_name(p));
	}
	return 0;
}

static int list_runs(struct nb_ctx *ctx)
{
	struct nb_store *st = ctx_store(ctx);
	struct nb_run *runs;
	int n;

	if (!st || store_runs_list(st, &runs, &n))
		return NB_EXIT_FAIL;
	if (n == 0)
		fprintf(stderr, "no runs in %s yet: try 'npubench run'\n", store_path(st));
	else
		printf("%5s  %-20s  %-11s  %7s  %-8s  %s\n", "run", "started", "status", "results",
		       "uuid", "tag");
	for (int i = 0; i < n; i++) {
		printf("%5lld  %-20s  %-11s  %7d  %-8.8s  %s\n", (long long)runs[i].id,
		       runs[i].started_at, runs[i].status, runs[i].nresults, runs[i].uuid,
		       runs[i].tag ? runs[i].tag : "");
		run_release(&runs[i]);
	}
	free(runs);
	return 0;
}

static int cmd_list(int argc, char **argv, struct nb_ctx *ctx)
{
	const char *what;

	if (argc < 2)
		return usage_error(&nb_cmd_list, "what to list? kernels, suites, targets or runs");
	if (argc > 2)
		return usage_error(&nb_cmd_list, "unexpected argument '%s'", argv[2]);
	what = argv[1];
	if (!strcmp(what, "kernels"))
		return list_kernels();
	if (!strcmp(what, "suites"))
		return list_suites(ctx);
	if (!strcmp(what, "targets") || !strcmp(what, "chips"))
		return list_targets(ctx);
	if (!strcmp(what, "runs"))
		return list_runs(ctx);
	return usage_error(&nb_cmd_list, "cannot list '%s': use kernels, suites, targets or runs", what);
}

const struct nb_command nb_cmd_list = {
	.name = "list",
	.exec = cmd_list,
	.usage = "list kernels|suites|targets|runs",
	.summary = "List kernels (with parameters), suites, targets or stored runs.",
	.help = "  kernels   every kernel family with its parameters, defaults and ranges\n"
		"  suites    the suites in the data folder, with their case counts\n"
		"  targets   host and every chip profile found\n"
		"  runs      the runs in the database, newest first\n",
};
