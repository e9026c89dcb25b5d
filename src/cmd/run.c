/* npubench run: cases from a suite or the command line, on the host
 * (measured) and chips (predicted); every result stored as it finishes. */
#include "npubench.h"

#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/suite.h"
#include "model/profile.h"
#include "report/report.h"
#include "report/table.h"
#include "store/store.h"
#include "targets/hostinfo.h"
#include "targets/target.h"
#include "util/cpu.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/timer.h"
#include "util/term.h"
#include "util/util.h"

/* The chips the project is about: the default chip targets. */
static const char *const default_chips[] = { "910b", "a100", "h100", "tpu-v5e" };

enum format { FMT_TABLE, FMT_JSON, FMT_CSV };

struct run_opts {
	const char *suite;
	const char **kernels;	/* --kernel patterns */
	int nkernels;
	const char **cases;	/* --case texts */
	int ncases;
	const char **sets;	/* --set KEY=VALUE */
	int nsets;
	const char *dtypes;	/* --dtype LIST */
	const char *targets;	/* --target LIST */
	int threads;
	struct nb_measure_opts m;
	const char *tag;
	enum format format;
	int quiet, dry_run;
	int min_time_set;	/* --min-time given: the suite's default does not apply */
	int max_reps_set;
};

/* One target: the host, or a chip profile. */
struct target {
	const struct nb_profile *chip;	/* NULL: the host */
};

static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
	caught_signal = sig;
	nb_interrupted = 1;
	nb_abandon = 1;
}

static int in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == wl && !strncmp(p, word, len))
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int kernel_selected(const struct run_opts *o, const char *name)
{
	if (o->nkernels == 0)
		return 1;
	for (int i = 0; i < o->nkernels; i++)
		if (nb_glob_match(o->kernels[i], name))
			return 1;
	return 0;
}

static int dtype_selected(const struct run_opts *o, const struct nb_case *c)
{
	if (!o->dtypes || kernel_param_index(c->kernel, "dtype") < 0)
		return 1;
	return in_list(o->dtypes, dtype_name(case_dtype(c)));
}

/* Applies every --set to C; a key C's kernel lacks is skipped and counted. */
static int apply_sets(const struct run_opts *o, struct nb_case *c, int *used)
{
	char msg[256];

	for (int i = 0; i < o->nsets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		char *key = xstrndup(o->sets[i], (size_t)(eq - o->sets[i]));

		if (kernel_param_index(c->kernel, key) >= 0) {
			used[i]++;
			if (case_set(c, key, eq + 1, msg, sizeof(msg))) {
				free(key);
				return error("--set %s: %s", o->sets[i], msg);
			}
		}
		free(key);
	}
	if (case_check(c, msg, sizeof(msg))) {
		char *t = case_format(c);

		error("impossible case '%s': %s", t, msg);
		free(t);
		return -1;
	}
	return 0;
}

/* Builds the case list from --case, or the suite filtered by --kernel and
 * --dtype, then applies --set. */
static int build_cases(struct run_opts *o, struct nb_ctx *ctx, struct nb_suite *out)
{
	struct nb_suite *suite = NULL;
	char *suites_dir = xasprintf("%s/suites", ctx->data_dir);
	int *used = xcalloc((size_t)o->nsets + 1, sizeof(int)), ret = -1;
	char msg[256];

	for (int i = 0; i < o->nkernels; i++) {
		int any = 0;

		for (int k = 0; k < nb_nkernels; k++)
			any |= nb_glob_match(o->kernels[i], nb_kernels[k]->name);
		if (!any) {
			error("--kernel %s: no such kernel (see 'npubench list kernels')", o->kernels[i]);
			goto out;
		}
	}
	if (o->dtypes) {
		char *copy = xstrdup(o->dtypes), *save = NULL;

		for (char *d = strtok_r(copy, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
			if (dtype_parse(d) < 0) {
				error("--dtype: unknown dtype '%s' (use fp32, fp16, bf16, int8, int4, fp64)", d);
				free(copy);
				goto out;
			}
		}
		free(copy);
	}
	if (o->ncases > 0) {
		for (int i = 0; i < o->ncases; i++) {
			struct nb_case c;

			if (case_parse(o->cases[i], &c, msg, sizeof(msg))) {
				error("--case '%s': %s", o->cases[i], msg);
				goto out;
			}
			if (apply_sets(o, &c, used))
				goto out;
			suite_add_case(out, &c);
		}
	} else {
		if (suite_load(o->suite ? o->suite : "default", suites_dir, &suite))
			goto out;
		if (suite->min_time > 0 && !o->min_time_set)
			o->m.min_time = suite->min_time;
		for (int i = 0; i < suite->ncases; i++) {
			struct nb_case c = suite->cases[i];

			if (!kernel_selected(o, c.kernel->name) || !dtype_selected(o, &c))
				continue;
			if (apply_sets(o, &c, used))
				goto out;
			suite_add_case(out, &c);
		}
		/* A kernel asked for by name that the suite lacks: its default case,
		 * once per requested dtype. */
		for (int k = 0; k < nb_nkernels && o->nkernels > 0; k++) {
			const struct nb_kernel *kern = nb_kernels[k];
			int have = 0;

			if (!kernel_selected(o, kern->name))
				continue;
			for (int i = 0; i < out->ncases; i++)
				have |= out->cases[i].kernel == kern;
			if (have)
				continue;
			for (int t = 0; t < NB_DTYPE_COUNT; t++) {
				struct nb_case c;

				case_init(&c, kern);
				if (o->dtypes && kernel_param_index(kern, "dtype") >= 0) {
					if (!in_list(o->dtypes, dtype_name((enum nb_dtype)t)) ||
					    case_set(&c, "dtype", dtype_name((enum nb_dtype)t), msg, sizeof(msg)))
						continue;
				} else if (t > 0) {
					break;
				}
				if (apply_sets(o, &c, used))
					goto out;
				suite_add_case(out, &c);
			}
		}
	}
	for (int i = 0; i < o->nsets; i++) {
		if (!used[i] && out->ncases > 0) {
			error("--set %s: no selected case has that parameter", o->sets[i]);
			goto out;
		}
	}
	if (out->ncases == 0) {
		error("no case selected: the suite '%s' has none matching --kernel/--dtype",
		      suite ? suite->name : "?");
		goto out;
	}
	ret = 0;
out:
	free(suites_dir);
	free(used);
	suite_free(suite);
	return ret;
}

static int add_target(struct target **ts, int *n, const struct nb_profile *chip)
{
	for (int i = 0; i < *n; i++)
		if ((*ts)[i].chip == chip)
			return 0;
	*ts = xrealloc(*ts, (size_t)(*n + 1) * sizeof(**ts));
	(*ts)[(*n)++].chip = chip;
	return 0;
}

/* Resolves --target: host, chips, all, or chip ids/aliases. */
static int build_targets(const char *list, struct nb_ctx *ctx, struct target **ts, int *n)
{
	struct nb_profiles *set = NULL;
	char *copy = xstrdup(list ? list : "default"), *save = NULL;
	int ret = -1;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "host")) {
			add_target(ts, n, NULL);
			continue;
		}
		if (!set && !(set = ctx_profiles(ctx)))
			goto out;
		if (!strcmp(w, "default")) {
			add_target(ts, n, NULL);
			if (profiles_count(set) == 0) {
				warning("no chip profiles found: predicting on chips is not available "
					"(searched %s)", ctx->profile_dirs[0]);
				continue;
			}
			for (size_t i = 0; i < NB_ARRAY_SIZE(default_chips); i++) {
				const struct nb_profile *p = profiles_find(set, default_chips[i]);

				if (!p) {
					error("default chip '%s' has no profile in the profile folders",
					      default_chips[i]);
					goto out;
				}
				add_target(ts, n, p);
			}
		} else if (!strcmp(w, "chips") || !strcmp(w, "all")) {
			if (!strcmp(w, "all"))
				add_target(ts, n, NULL);
			if (profiles_count(set) == 0) {
				error("--target %s: no chip profiles found (searched %s)", w,
				      ctx->profile_dirs[0]);
				goto out;
			}
			for (int i = 0; i < profiles_count(set); i++)
				add_target(ts, n, profiles_get(set, i));
		} else {
			const struct nb_profile *p = profiles_find(set, w);

			if (!p) {
				error("--target: unknown target '%s' (use host, chips, all, or a chip "
				      "from 'npubench profile list')", w);
				goto out;
			}
			add_target(ts, n, p);
		}
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

static char *options_json(const struct run_opts *o, int threads)
{
	cJSON *j = cJSON_CreateObject(), *a;
	char *text;

	if (o->ncases == 0)
		cJSON_AddStringToObject(j, "suite", o->suite ? o->suite : "default");
	a = cJSON_AddArrayToObject(j, "kernel");
	for (int i = 0; i < o->nkernels; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->kernels[i]));
	a = cJSON_AddArrayToObject(j, "case");
	for (int i = 0; i < o->ncases; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->cases[i]));
	a = cJSON_AddArrayToObject(j, "set");
	for (int i = 0; i < o->nsets; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->sets[i]));
	if (o->dtypes)
		cJSON_AddStringToObject(j, "dtype", o->dtypes);
	cJSON_AddStringToObject(j, "target", o->targets ? o->targets : "default");
	cJSON_AddNumberToObject(j, "threads", threads);
	cJSON_AddNumberToObject(j, "min_time", o->m.min_time);
	cJSON_AddNumberToObject(j, "min_reps", o->m.min_reps);
	cJSON_AddNumberToObject(j, "max_reps", o->m.max_reps);
	cJSON_AddNumberToObject(j, "stable_rel", o->m.stable_rel);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

/* Progress on stderr, only when it is a terminal. */
static void progress(int on, int i, int n, const char *what, double elapsed, double eta)
{
	char e[32], r[32];

	if (!on)
		return;
	nb_format_time(e, sizeof(e), elapsed);
	nb_format_time(r, sizeof(r), eta);
	fprintf(stderr, "\r\033[K[%d/%d] %.60s  elapsed %s%s%s", i, n, what, e,
		eta > 0 ? ", ~" : "", eta > 0 ? r : "");
	if (eta > 0)
		fputs(" left", stderr);
	fflush(stderr);
}

static void progress_clear(int on)
{
	if (on)
		fputs("\r\033[K", stderr);
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	enum { O_MIN_TIME = 256, O_MIN_REPS, O_MAX_REPS, O_SEED, O_STABLE, O_DRY, O_CASE_TIMEOUT };
	static const struct option longopts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "case", required_argument, NULL, 'c' },
		{ "dtype", required_argument, NULL, 'd' },
		{ "set", required_argument, NULL, 'S' },
		{ "target", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "min-time", required_argument, NULL, O_MIN_TIME },
		{ "case-timeout", required_argument, NULL, O_CASE_TIMEOUT },
		{ "min-reps", required_argument, NULL, O_MIN_REPS },
		{ "max-reps", required_argument, NULL, O_MAX_REPS },
		{ "stable", required_argument, NULL, O_STABLE },
		{ "seed", required_argument, NULL, O_SEED },
		{ "tag", required_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ NULL, 0, NULL, 0 },
	};
	const struct nb_command *cmd = &nb_cmd_run;
	int64_t iv;
	double dv;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:k:c:d:S:t:j:T:f:q", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->suite = optarg;
			break;
		case 'k':
			o->kernels = xrealloc(o->kernels, (size_t)(o->nkernels + 1) * sizeof(char *));
			o->kernels[o->nkernels++] = optarg;
			break;
		case 'c':
			o->cases = xrealloc(o->cases, (size_t)(o->ncases + 1) * sizeof(char *));
			o->cases[o->ncases++] = optarg;
			break;
		case 'd':
			o->dtypes = optarg;
			break;
		case 'S':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return usage_error(cmd, "--set '%s': expected KEY=VALUE", optarg);
			o->sets = xrealloc(o->sets, (size_t)(o->nsets + 1) * sizeof(char *));
			o->sets[o->nsets++] = optarg;
			break;
		case 't':
			o->targets = optarg;
			break;
		case 'j':
			if (nb_parse_i64(optarg, &iv) || iv < 1 || iv > 4096)
				return usage_error(cmd, "--threads '%s': expected a count from 1 to 4096", optarg);
			o->threads = (int)iv;
			break;
		case O_CASE_TIMEOUT:
			if (nb_parse_double(optarg, &dv) || !(dv >= 0.1) || dv > 86400)
				return usage_error(cmd, "--case-timeout '%s': expected seconds from 0.1 to 86400",
						   optarg);
			o->m.case_timeout = dv;
			break;
		case O_MIN_TIME:
			if (nb_parse_double(optarg, &dv) || dv < 0 || dv > 3600)
				return usage_error(cmd, "--min-time '%s': expected seconds from 0 to 3600", optarg);
			o->m.min_time = dv;
			o->min_time_set = 1;
			break;
		case O_MIN_REPS:
			if (nb_parse_i64(optarg, &iv) || iv < 1 || iv > 1000000)
				return usage_error(cmd, "--min-reps '%s': expected a count from 1 to 1000000", optarg);
			o->m.min_reps = (int)iv;
			break;
		case O_MAX_REPS:
			if (nb_parse_i64(optarg, &iv) || iv < 1 || iv > 1000000)
				return usage_error(cmd, "--max-reps '%s': expected a count from 1 to 1000000", optarg);
			o->m.max_reps = (int)iv;
			o->max_reps_set = 1;
			break;
		case O_STABLE:
			if (nb_parse_double(optarg, &dv) || dv < 0 || dv > 100)
				return usage_error(cmd, "--stable '%s': expected a percentage from 0 to 100", optarg);
			o->m.stable_rel = dv / 100;
			break;
		case O_SEED:
			if (nb_parse_i64(optarg, &iv) || iv < 0 || iv > (1LL << 53))
				return usage_error(cmd, "--seed '%s': expected an integer from 0 to 2^53", optarg);
			o->m.seed = (uint64_t)iv;
			break;
		case 'T':
			o->tag = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "table"))
				o->format = FMT_TABLE;
			else if (!strcmp(optarg, "json"))
				o->format = FMT_JSON;
			else if (!strcmp(optarg, "csv"))
				o->format = FMT_CSV, term_exact_stdout();
			else
				return usage_error(cmd, "--format '%s': use table, json or csv", optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_DRY:
			o->dry_run = 1;
			break;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s' (cases go in --case '...')", argv[optind]);
	if (o->ncases > 0 && o->suite)
		return usage_error(cmd, "--case and --suite cannot be combined");
	if (o->ncases > 0 && (o->nkernels || o->dtypes))
		return usage_error(cmd, "--kernel and --dtype select from a suite; with --case, "
				   "write the kernel and dtype in the case");
	if (!o->max_reps_set && o->m.max_reps < o->m.min_reps)
		o->m.max_reps = o->m.min_reps;
	if (o->m.max_reps < o->m.min_reps)
		return usage_error(cmd, "--max-reps %d is below --min-reps %d", o->m.max_reps, o->m.min_reps);
	return 0;
}

static int cmd_run(int argc, char **argv, struct nb_ctx *ctx)
{
	struct run_opts o = { .m = NB_MEASURE_DEFAULTS };
	struct nb_suite cases = { 0 };
	struct target *ts = NULL;
	struct nb_store *st = NULL;
	struct nb_pool *pool = NULL;
	struct nb_run run = { 0 };
	struct sigaction sa, old_int, old_term;
	int nt = 0, ret = NB_EXIT_FAIL, width = 4, stored = 0, failed = 0, errors = 0;
	int tty = isatty(2), nhost = 0, host_done = 0, step = 0, total;
	double start, host_time = 0;
	const struct nb_cpu *cpu = cpu_detect();

	ret = parse_opts(argc, argv, &o);
	if (ret)
		goto out;
	ret = NB_EXIT_FAIL;
	if (build_cases(&o, ctx, &cases) || build_targets(o.targets, ctx, &ts, &nt))
		goto out;
	for (int i = 0; i < nt; i++)
		nhost += ts[i].chip == NULL;
	for (int i = 0; i < cases.ncases; i++) {
		char *t = case_format(&cases.cases[i]);
		int len = (int)strlen(t);

		if (len > width)
			width = len;
		free(t);
	}
	total = cases.ncases * nt;
	if (o.dry_run) {
		for (int i = 0; i < cases.ncases; i++) {
			char *t = case_format(&cases.cases[i]);

			for (int j = 0; j < nt; j++)
				printf("%-*s  %s\n", width, t, ts[j].chip ? profile_id(ts[j].chip) : "host");
			free(t);
		}
		ret = 0;
		goto out;
	}
	/* Impossible on this host: said before anything is stored. */
	for (int i = 0; i < cases.ncases && nhost; i++) {
		double need = cases.cases[i].kernel->host_bytes(&cases.cases[i]);

		if (need > (double)cpu->mem_available * 0.9) {
			char *t = case_format(&cases.cases[i]);

			error("'%s' needs %.2f GiB on the host, which has %.2f GiB available: "
			      "choose smaller sizes or --target without host", t, need / 1073741824.0,
			      (double)cpu->mem_available / 1073741824.0);
			free(t);
			goto out;
		}
	}
	if (!o.threads)
		o.threads = cpu->online_cpus;
	if (o.threads > cpu->online_cpus && nhost)
		warning("--threads %d is more than the %d CPUs this process may use: host timings "
			"will be flagged oversubscribed", o.threads, cpu->online_cpus);
	if (nhost && !(pool = pool_create(o.threads, 1)))
		goto out;
	if (!(st = ctx_store(ctx)))
		goto out;

	run.tool_version = xstrdup(PACKAGE_VERSION);
	run.build_flags = xstrdup(NB_BUILD_FLAGS);
	run.host_json = hostinfo_json(0);
	run.hostname = xstrdup(hostinfo_hostname());
	run.cmdline = xstrdup(ctx->cmdline ? ctx->cmdline : "");
	run.options_json = options_json(&o, o.threads);
	run.tag = o.tag ? xstrdup(o.tag) : NULL;
	run.seed = (int64_t)o.m.seed;
	run.distribution = xstrdup(NB_RNG_DISTRIBUTION);
	run.pid = getpid();
	if (store_run_begin(st, &run))
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* A second Ctrl-C kills at once; the next open marks the run
	 * interrupted.  Writes in progress are restarted, not failed. */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	nb_interrupted = 0;
	caught_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	if (!o.quiet && o.format == FMT_TABLE)
		table_header(stdout, width);
	else if (o.format == FMT_CSV)
		csv_header(stdout, NULL, 0);
	fflush(stdout);
	start = timer_now();
	for (int i = 0; i < cases.ncases && !nb_interrupted; i++) {
		for (int j = 0; j < nt && !nb_interrupted; j++) {
			struct nb_result r;
			double t0 = timer_now(), eta = 0;

			step++;
			if (host_done > 0)
				eta = host_time / host_done * (nhost * cases.ncases - host_done);
			if (!ts[j].chip) {
				char *t = case_format(&cases.cases[i]);

				progress(tty && !o.quiet, step, total, t, t0 - start, eta);
				free(t);
				if (host_measure(&cases.cases[i], pool, &o.m, &r))
					break;	/* interrupted: nothing half-measured is kept */
				host_time += timer_now() - t0;
				host_done++;
			} else {
				chip_predict(&cases.cases[i], ts[j].chip, &r);
			}
			progress_clear(tty && !o.quiet && !ts[j].chip);
			r.seq = step;
			if (store_result_add(st, run.id, &r)) {
				result_release(&r);
				errors++;
				nb_interrupted = 1;	/* the store failed: stop, keep what is there */
				break;
			}
			stored++;
			if (r.status == NB_RES_VERIFY_FAILED || r.status == NB_RES_ERROR) {
				failed++;
				error("%s on %s: %s", r.case_text, r.target, r.message ? r.message : "failed");
			}
			if (o.format == FMT_TABLE && !o.quiet)
				table_row(stdout, &r, width);
			else if (o.format == FMT_CSV)
				csv_row(stdout, &r, &run, NULL, 0);
			fflush(stdout);
			result_release(&r);
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (errors) {
		store_run_finish(st, run.id, "failed");
	} else if (nb_interrupted) {
		store_run_finish(st, run.id, "interrupted");
		fprintf(stderr, "npubench: interrupted: run %lld keeps its %d finished result(s) in %s\n",
			(long long)run.id, stored, store_path(st));
		ret = 128 + (caught_signal ? caught_signal : SIGINT);
		goto out;
	} else if (store_run_finish(st, run.id, failed ? "failed" : "complete")) {
		goto out;
	}
	if (o.format == FMT_JSON) {
		char *j = report_run_json(st, run.id, 0);

		if (!j)
			goto out;
		printf("%s\n", j);
		free(j);
	}
	if (!o.quiet)
		fprintf(stderr, "run %lld (%s) stored in %s: %d result(s)%s\n", (long long)run.id,
			run.uuid, store_path(st), stored, failed ? ", some FAILED" : "");
	ret = failed || errors ? NB_EXIT_FAIL : NB_EXIT_OK;
out:
	pool_free(pool);
	run_release(&run);
	free(ts);
	free(cases.cases);
	free(o.kernels);
	free(o.cases);
	free(o.sets);
	return ret;
}

const struct nb_command nb_cmd_run = {
	.name = "run",
	.exec = cmd_run,
	.usage = "run [--suite NAME|FILE] [--kernel PATTERN]... [--case TEXT]... [--dtype LIST]\n"
		 "                    [--set KEY=VALUE]... [--target LIST] [--threads N] [--min-time SEC]\n"
		 "                    [--min-reps N] [--max-reps N] [--tag TEXT] [--format table|json|csv]\n"
		 "                    [--case-timeout SEC] [--quiet] [--dry-run]",
	.summary = "Run a suite or chosen kernels on the host and chips, and store the results.",
	.help = "Cases:\n"
		"  -s, --suite NAME|FILE    a suite from 'npubench list suites' or a JSON file (default: default)\n"
		"  -k, --kernel PATTERN     only kernels matching the name or glob (repeatable); a kernel\n"
		"                           the suite lacks runs with its default parameters\n"
		"  -c, --case TEXT          a whole case, e.g. 'gemm dtype=bf16 m=4096 n=4096 k=4096'\n"
		"                           (repeatable; replaces the suite)\n"
		"  -d, --dtype LIST         only these dtypes, comma separated\n"
		"  -S, --set KEY=VALUE      override a parameter in every selected case (repeatable)\n"
		"Targets:\n"
		"  -t, --target LIST        host, chip ids or aliases, 'chips' (every chip), 'all' (host\n"
		"                           and chips), 'default' (host, 910b, a100, h100, tpu-v5e)\n"
		"Measuring (host):\n"
		"  -j, --threads N          worker threads, pinned to cores (default: all online CPUs)\n"
		"      --min-time SEC       sample each case at least this long (default 0.5)\n"
		"      --min-reps N         and at least N timed repetitions (default 5)\n"
		"      --max-reps N         never more than N repetitions (default 1000)\n"
		"      --case-timeout SEC   abandon a case still running after SEC (default 600): it is\n"
		"                           stored as an error, and the run goes on; Ctrl-C stops the\n"
		"                           case in progress within about a second, keeping the others\n"
		"      --stable PCT         after that, keep sampling (up to 4x --min-time) until the\n"
		"                           median's 95% CI is within PCT% (default 1; 0: off)\n"
		"      --seed N             input generator seed (default 42)\n"
		"Output:\n"
		"  -T, --tag TEXT           a label stored with the run\n"
		"  -f, --format FMT         table (default, a row per finished case), json (the run at\n"
		"                           the end, export schema) or csv (a row per finished case)\n"
		"  -q, --quiet              no table or progress\n"
		"      --dry-run            list the cases and targets, run nothing\n"
		"\nEvery result is committed as it finishes: Ctrl-C keeps the finished ones and\n"
		"marks the run interrupted.  Exit status 1 when a host result fails verification.\n",
};
