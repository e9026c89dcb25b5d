/* npubench run: cases from a suite or the command line, on the host
 * (measured) and chips (predicted); every result stored as it finishes. */
#include "npubench.h"

#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/suite.h"
#include "model/profile.h"
#include "report/format.h"
#include "report/jsonw.h"
#include "report/report.h"
#include "report/table.h"
#include "store/store.h"
#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "targets/target.h"
#include "util/cpu.h"
#include "util/load.h"
#include "util/pool.h"
#include "util/rng.h"
#include "util/timer.h"
#include "util/mpi.h"
#include "util/term.h"
#include "util/util.h"

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
	enum nb_format format;
	int quiet, dry_run;
	int min_time_set;	/* --min-time given: the suite's default does not apply */
	int max_reps_set;
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

/* Applies every --set to C; a key C's kernel lacks is skipped and counted.
 * Returns 0 or the exit status (a bad value is a usage error). */
static int apply_sets(const struct run_opts *o, struct nb_case *c, int *used)
{
	char msg[320];

	for (int i = 0; i < o->nsets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		char *key = xstrndup(o->sets[i], (size_t)(eq - o->sets[i]));

		if (kernel_param_index(c->kernel, key) >= 0) {
			used[i]++;
			if (case_set(c, key, eq + 1, msg, sizeof(msg))) {
				free(key);
				return usage_error(&nb_cmd_run, "--set %s: %s", o->sets[i], msg);
			}
		}
		free(key);
	}
	if (case_check(c, msg, sizeof(msg))) {
		char *t = case_format(c);

		usage_error(&nb_cmd_run, "impossible case '%s': %s", t, msg);
		free(t);
		return NB_EXIT_USAGE;
	}
	return 0;
}

/* --kernel and --dtype name things that exist.  Returns 0 or the exit status. */
static int check_selectors(const struct run_opts *o)
{
	struct nb_near nr;
	int ret = 0;

	for (int i = 0; i < o->nkernels; i++) {
		int any = 0;

		nb_near_init(&nr, o->kernels[i]);
		for (int k = 0; k < nb_nkernels; k++) {
			any |= nb_glob_match(o->kernels[i], nb_kernels[k]->name);
			nb_near_offer(&nr, nb_kernels[k]->name, strlen(nb_kernels[k]->name));
		}
		if (!any)
			return usage_error(&nb_cmd_run, "--kernel %s: no such kernel%s (see 'npubench list "
					   "kernels')", o->kernels[i], nb_near_hint(&nr));
	}
	if (o->dtypes) {
		char *copy = xstrdup(o->dtypes), *save = NULL;

		for (char *d = strtok_r(copy, ",", &save); d && !ret; d = strtok_r(NULL, ",", &save)) {
			struct strbuf names = STRBUF_INIT;

			if (dtype_parse(d) >= 0)
				continue;
			nb_near_init(&nr, d);
			for (int t = 0; t < NB_DTYPE_COUNT; t++) {
				const char *name = dtype_name((enum nb_dtype)t);

				sb_addf(&names, "%s%s", t ? ", " : "", name);
				nb_near_offer(&nr, name, strlen(name));
			}
			ret = usage_error(&nb_cmd_run, "--dtype: unknown dtype '%s'%s (use %s)", d,
					  nb_near_hint(&nr), sb_str(&names));
			sb_release(&names);
		}
		free(copy);
	}
	return ret;
}

/* The suite --suite names; an unknown name is a usage error, with the
 * nearest suite file offered.  Returns 0 or the exit status. */
static int load_suite(const char *name, const char *dir, struct nb_suite **out)
{
	char *path = xasprintf("%s/%s.json", dir, name);
	int plain = !strchr(name, '/') && !(strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".json"));
	int missing = plain && access(path, R_OK) != 0;

	free(path);
	if (missing) {
		struct nb_near nr;
		DIR *d = opendir(dir);
		struct dirent *e;

		nb_near_init(&nr, name);
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);

			if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
				nb_near_offer(&nr, e->d_name, len - 5);
		}
		if (d)
			closedir(d);
		return usage_error(&nb_cmd_run, "--suite: no suite '%s'%s (see 'npubench list suites')",
				   name, nb_near_hint(&nr));
	}
	return suite_load(name, dir, out) ? NB_EXIT_FAIL : 0;
}

/* A --set that some selected cases take and others cannot (timing=call over
 * a suite with collectives) leaves those cases as they were: say which. */
static void warn_sets_skipped(const struct run_opts *o, const struct nb_suite *cases)
{
	for (int i = 0; i < o->nsets; i++) {
		char *key = xstrndup(o->sets[i], strcspn(o->sets[i], "="));
		struct strbuf names = STRBUF_INIT;

		for (int j = 0; j < cases->ncases; j++) {
			const struct nb_kernel *k = cases->cases[j].kernel;
			int seen = 0;

			for (int e = 0; e < j && !seen; e++)
				seen = cases->cases[e].kernel == k;
			if (!seen && kernel_param_index(k, key) < 0)
				sb_addf(&names, "%s%s", names.len ? ", " : "", k->name);
		}
		if (names.len)
			warning("--set %s: not applied to the %s cases (no parameter '%s'): they run "
				"without it", o->sets[i], sb_str(&names), key);
		sb_release(&names);
		free(key);
	}
}

/* Builds the case list from --case, or the suite filtered by --kernel and
 * --dtype, then applies --set.  Returns 0 or the exit status. */
static int build_cases(struct run_opts *o, struct nb_ctx *ctx, struct nb_suite *out)
{
	struct nb_suite *suite = NULL;
	char *suites_dir = xasprintf("%s/suites", ctx->data_dir);
	int *used = xcalloc((size_t)o->nsets + 1, sizeof(int)), ret;
	char msg[320];

	if ((ret = check_selectors(o)))
		goto out;
	if (o->ncases > 0) {
		for (int i = 0; i < o->ncases; i++) {
			struct nb_case c;

			if (case_parse(o->cases[i], &c, msg, sizeof(msg))) {
				ret = usage_error(&nb_cmd_run, "--case '%s': %s", o->cases[i], msg);
				goto out;
			}
			if ((ret = apply_sets(o, &c, used)))
				goto out;
			suite_add_case(out, &c);
		}
	} else {
		if ((ret = load_suite(o->suite ? o->suite : "default", suites_dir, &suite)))
			goto out;
		if (suite->min_time > 0 && !o->min_time_set)
			o->m.min_time = suite->min_time;
		for (int i = 0; i < suite->ncases; i++) {
			struct nb_case c = suite->cases[i];

			if (!kernel_selected(o, c.kernel->name) || !dtype_selected(o, &c))
				continue;
			if ((ret = apply_sets(o, &c, used)))
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
				if ((ret = apply_sets(o, &c, used)))
					goto out;
				suite_add_case(out, &c);
			}
		}
	}
	for (int i = 0; i < o->nsets; i++) {
		if (!used[i] && out->ncases > 0) {
			ret = usage_error(&nb_cmd_run, "--set %s: no selected case has that parameter",
					  o->sets[i]);
			goto out;
		}
	}
	warn_sets_skipped(o, out);
	if (out->ncases == 0) {
		ret = usage_error(&nb_cmd_run, "no case selected: the suite '%s' has none matching "
				  "--kernel/--dtype", suite ? suite->name : "?");
		goto out;
	}
	ret = 0;
out:
	free(suites_dir);
	free(used);
	suite_free(suite);
	return ret;
}

static char *options_json(const struct run_opts *o, int threads, const char *hostnames)
{
	struct nb_json *j = json_object(), *a;

	if (o->ncases == 0)
		json_set_str(j, "suite", o->suite ? o->suite : "default");
	a = json_set(j, "kernel", json_array());
	for (int i = 0; i < o->nkernels; i++)
		json_push(a, json_string(o->kernels[i]));
	a = json_set(j, "case", json_array());
	for (int i = 0; i < o->ncases; i++)
		json_push(a, json_string(o->cases[i]));
	a = json_set(j, "set", json_array());
	for (int i = 0; i < o->nsets; i++)
		json_push(a, json_string(o->sets[i]));
	if (o->dtypes)
		json_set_str(j, "dtype", o->dtypes);
	json_set_str(j, "target", o->targets ? o->targets : "default");
	json_set_num(j, "threads", threads);
	json_set_num(j, "min_time", o->m.min_time);
	json_set_num(j, "min_reps", o->m.min_reps);
	json_set_num(j, "max_reps", o->m.max_reps);
	json_set_num(j, "stable_rel", o->m.stable_rel);
	if (cuda_l2_flush_requested())
		json_set(j, "cuda_l2_flush", json_bool(1));
	if (hostnames) {	/* under mpirun: the world the run spans */
		a = json_set(j, "mpi", json_object());
		json_set_num(a, "world_size", ranks_size());
		json_set_str(a, "hostnames", hostnames);
		json_set_str(a, "library", ranks_library());
	}
	return json_finish(j, 0);
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
			if (format_option(cmd, optarg, NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_JSON) |
					  NB_FMT(NB_FMT_CSV), &o->format))
				return NB_EXIT_USAGE;
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

/* Progress on stderr, only when it is a terminal: the case, the run's
 * elapsed time and an estimate of what is left, refreshed between the
 * case's executions too. */
struct progress {
	int on, step, total;
	char *what;		/* the case being measured */
	double start;		/* the run's start */
	double case_start;
	double per_case;	/* measured time per measured case so far (0: none yet) */
	int cases_after;	/* measured cases still to come after this one */
};

/* What one run holds while it runs. */
struct run_state {
	struct run_opts o;
	struct nb_suite cases;
	struct nb_targets ts;
	struct nb_target_run env;
	struct nb_store *st;
	struct nb_run run;
	char *hostnames;		/* under mpirun: every rank's host */
	struct nb_result *kept;		/* --format json: the results, printed at the end */
	int nkept;
	int width, stored, failed, errors, nmeasured;
	int seq;			/* rows recorded: a step may give several (per rank) */
	struct progress prog;
	int measured_ok, disturbed, was_disturbed;	/* measurement hygiene */
};
static void progress_show(struct progress *p, double case_elapsed, double case_left)
{
	double eta = 0, per_case = p->per_case;
	char e[32], c[32], r[32];

	if (!p->on)
		return;
	if (per_case <= 0 && case_left > 0)	/* nothing finished: this case's own guess */
		per_case = case_elapsed + case_left;
	if (case_left > 0 || p->per_case > 0)
		eta = (case_left > 0 ? case_left : 0) + per_case * p->cases_after;
	nb_format_time(e, sizeof(e), p->case_start + case_elapsed - p->start);
	nb_format_time(c, sizeof(c), case_elapsed);
	nb_format_time(r, sizeof(r), eta);
	fprintf(stderr, "\r\033[K[%d/%d] %.60s  %s%s%selapsed %s%s%s", p->step, p->total, p->what,
		case_elapsed > 0 ? "case " : "", case_elapsed > 0 ? c : "", case_elapsed > 0 ? ", " : "",
		e, eta > 0 ? ", ~" : "", eta > 0 ? r : "");
	if (eta > 0)
		fputs(" left", stderr);
	fflush(stderr);
}

/* The host harness's tick: called between executions of a case. */
static void progress_tick(void *arg, double elapsed, double left)
{
	progress_show(arg, elapsed, left);
}

static void progress_clear(int on)
{
	if (on)
		fputs("\r\033[K", stderr);
}

/* Measurement hygiene: what shares the CPUs when the run starts. */
static void hygiene_start(const struct run_state *s, struct nb_ctx *ctx)
{
	const struct nb_cpu *cpu = cpu_detect();
	char who[256];
	double others;
	int n;

	if (!s->nmeasured || ranks_many())
		return;
	active_register(ctx->cmdline ? ctx->cmdline : "npubench run");
	if ((n = active_others(who, sizeof(who))) > 0)
		warning("%d other npubench measurement(s) share this machine (%s): host results "
			"will be slowed and are flagged concurrent_run", n, who);
	others = load_now(NB_LOAD_MIN_INTERVAL);
	if (load_disturbs(others, s->o.threads, cpu->online_cpus))
		warning("other processes keep %.1f of the %d CPUs busy: host results will be slowed; "
			"each disturbed one is flagged loaded=CPUS", others, cpu->online_cpus);
}

/* Says when disturbance appears during the run (once per stretch of
 * disturbed results, not for each). */
static void hygiene_result(struct run_state *s, const struct nb_result *r)
{
	int bad;

	if (r->kind != NB_MEASURED || r->status != NB_RES_OK || ranks_many())
		return;
	bad = r->flags && (strstr(r->flags, "loaded=") || strstr(r->flags, "concurrent_run"));
	s->disturbed += bad;
	if (bad && !s->was_disturbed && s->measured_ok > 0 && !s->o.quiet) {
		char who[256] = "";

		if (strstr(r->flags, "concurrent_run"))
			active_others(who, sizeof(who));
		progress_clear(s->prog.on);
		warning("the CPUs became busy during '%s' (%s%s%s): host results from here on are "
			"flagged", r->case_text, r->flags, who[0] ? "; " : "", who);
	}
	s->was_disturbed = bad;
	s->measured_ok++;
}



/* Cases, targets and checks: everything decided before the store is touched.
 * Returns 0, -1 after a dry run, or an exit status. */
static int run_prepare(int argc, char **argv, struct nb_ctx *ctx, struct run_state *s)
{
	const struct nb_cpu *cpu = cpu_detect();
	int ret;

	if ((ret = parse_opts(argc, argv, &s->o)))
		return ret;
	if ((ret = build_cases(&s->o, ctx, &s->cases)))
		return ret;
	if ((ret = targets_option(&nb_cmd_run, ctx, "--target", s->o.targets ? s->o.targets : "default",
				  0, &s->ts)))
		return ret;
	if (s->ts.n == 0) {
		error("--target %s: no target to run on", s->o.targets ? s->o.targets : "default");
		return NB_EXIT_FAIL;
	}
	for (int i = 0; i < s->ts.n; i++)
		s->nmeasured += target_measured(&s->ts.v[i]);
	if (!s->o.targets && s->nmeasured == s->ts.n)
		warning("no chip profile marks itself \"default_target\": predicting on chips is not "
			"available (searched %s)", ctx->profile_dirs[0]);
	for (int i = 0; i < s->cases.ncases; i++) {
		char *t = case_format_label(&s->cases.cases[i]);
		int len = (int)strlen(t);

		if (len > s->width)
			s->width = len;
		free(t);
	}
	if (s->o.dry_run) {
		for (int i = 0; i < s->cases.ncases; i++) {
			char *t = case_format_label(&s->cases.cases[i]);

			for (int j = 0; j < s->ts.n; j++)
				printf("%-*s  %s\n", s->width, t, s->ts.v[j].id);
			free(t);
		}
		return -1;
	}
	/* Impossible on a target: said before anything is stored. */
	for (int i = 0; i < s->cases.ncases; i++)
		for (int j = 0; j < s->ts.n; j++) {
			int bad = s->ts.v[j].kind->check ?
				  s->ts.v[j].kind->check(&s->ts.v[j], &s->cases.cases[i]) : 0;

			if (bad)
				return bad == -2 ? NB_EXIT_USAGE : NB_EXIT_FAIL;
		}
	if (!s->o.threads)
		s->o.threads = ranks_many() && cpu->online_cpus > ranks_size() ?
			       cpu->online_cpus / ranks_size() : ranks_many() ? 1 : cpu->online_cpus;
	if (s->o.threads > cpu->online_cpus && s->nmeasured)
		warning("--threads %d is more than the %d CPUs this process may use: host timings "
			"will be flagged oversubscribed", s->o.threads, cpu->online_cpus);
	s->env = (struct nb_target_run){ s->o.threads, &s->o.m };
	for (int j = 0; j < s->ts.n; j++)
		if (s->ts.v[j].kind->open && s->ts.v[j].kind->open(&s->ts.v[j], &s->env))
			return NB_EXIT_FAIL;
	return 0;
}

/* Opens the run in the store: its metadata, status running. */
static int run_begin(struct nb_ctx *ctx, struct run_state *s)
{
	struct nb_run *run = &s->run;

	if (!(s->st = ctx_store(ctx)))
		return -1;
	run->tool_version = xstrdup(PACKAGE_VERSION);
	run->build_flags = xstrdup(NB_BUILD_FLAGS);
	run->host_json = report_host_json(0);
	run->hostname = xstrdup(hostinfo_hostname());
	run->cmdline = xstrdup(ctx->cmdline ? ctx->cmdline : "");
	run->options_json = options_json(&s->o, s->o.threads, s->hostnames);
	run->tag = s->o.tag ? xstrdup(s->o.tag) : NULL;
	run->seed = (int64_t)s->o.m.seed;
	run->distribution = xstrdup(NB_RNG_DISTRIBUTION);
	run->pid = getpid();
	return store_run_begin(s->st, run);
}

/* Stores and shows one finished result; R is consumed.  Returns 0, or -1
 * when the store failed. */
static int record_one(struct run_state *s, struct nb_result *r)
{
	r->seq = ++s->seq;
	if (ranks_rank() > 0) {		/* only rank 0 stores and prints */
		result_release(r);
		return 0;
	}
	if (store_result_add(s->st, s->run.id, r)) {
		result_release(r);
		s->errors++;
		return -1;
	}
	s->stored++;
	hygiene_result(s, r);
	if (r->status == NB_RES_VERIFY_FAILED || r->status == NB_RES_ERROR) {
		s->failed++;
		error("%s on %s: %s", r->case_text, r->target, r->message ? r->message : "failed");
	}
	if (s->o.format == NB_FMT_TABLE && !s->o.quiet)
		table_row(stdout, r, s->width);
	else if (s->o.format == NB_FMT_CSV)
		csv_row(stdout, r, &s->run, NULL, 0);
	fflush(stdout);
	if (s->o.format == NB_FMT_JSON) {
		s->kept = xrealloc(s->kept, (size_t)(s->nkept + 1) * sizeof(*s->kept));
		s->kept[s->nkept++] = *r;
	} else {
		result_release(r);
	}
	return 0;
}

/* One step's result, then its per-rank rows (under mpirun); all consumed. */
static int run_record(struct run_state *s, struct nb_result *r)
{
	struct nb_result *ranks = r->ranks;
	int nranks = r->nranks, ret;

	r->ranks = NULL;
	r->nranks = 0;
	ret = record_one(s, r);
	for (int i = 0; i < nranks; i++) {
		if (!ret)
			ret = record_one(s, &ranks[i]);
		else
			result_release(&ranks[i]);
	}
	free(ranks);
	return ret;
}

/* Under mpirun every rank must run the same cases on the same targets in
 * the same order: a hash of the list, compared across ranks.  Returns 0 or
 * the exit status. */
static int ranks_in_step(struct run_state *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (int i = 0; i < s->cases.ncases; i++) {
		char *t = case_format(&s->cases.cases[i]);

		for (const char *c = t; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		free(t);
	}
	for (int j = 0; j < s->ts.n; j++)
		for (const char *c = s->ts.v[j].id; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	if (ranks_agree(h)) {
		if (ranks_rank() == 0)
			error("the %d MPI ranks disagree on the cases or targets to run: give every rank "
			      "the same command line and suite files", ranks_size());
		return NB_EXIT_USAGE;
	}
	return 0;
}

/* Rank 0's watchdog found a rank that does not answer: the run is marked
 * interrupted before every rank is stopped (its results are committed). */
static void run_abort_hook(void *arg)
{
	struct run_state *s = arg;

	if (s->st && !store_run_end(s->st, &s->run, "interrupted"))
		fprintf(stderr, "npubench: run %lld keeps its %d finished result(s) in %s\n",
			(long long)s->run.id, s->stored, store_path(s->st));
}

/* Every case on every target, in order, until done or interrupted. */
static void run_loop(struct run_state *s)
{
	struct progress *p = &s->prog;
	int step = 0, done = 0, nmeasure = s->nmeasured * s->cases.ncases;
	double measure_time = 0;

	p->on = isatty(2) && !s->o.quiet;
	p->total = s->cases.ncases * s->ts.n;
	p->start = timer_now();
	s->o.m.tick = p->on ? progress_tick : NULL;
	s->o.m.tick_arg = p;
	for (int i = 0; i < s->cases.ncases && !nb_interrupted; i++) {
		for (int j = 0; j < s->ts.n && !nb_interrupted; j++) {
			struct nb_target *t = &s->ts.v[j];
			int measured = target_measured(t);
			struct nb_result r;
			double t0 = timer_now();

			p->step = ++step;
			if (measured) {
				p->what = case_format_label(&s->cases.cases[i]);
				p->case_start = t0;
				p->per_case = done ? measure_time / done : 0;
				p->cases_after = nmeasure - done - 1;
				progress_show(p, 0, 0);
			}
			if (t->kind->run(t, &s->cases.cases[i], &s->env, &r)) {
				free(p->what);
				p->what = NULL;
				break;	/* interrupted: nothing half-measured is kept */
			}
			if (measured) {
				measure_time += timer_now() - t0;
				done++;
				free(p->what);
				p->what = NULL;
			}
			progress_clear(p->on && measured);
			if (run_record(s, &r)) {
				nb_interrupted = 1;	/* the store failed: stop, keep what is there */
				break;
			}
		}
	}
}

static int cmd_run(int argc, char **argv, struct nb_ctx *ctx)
{
	struct run_state s = { .o = { .m = NB_MEASURE_DEFAULTS }, .width = 4 };
	struct sigaction sa, old_int, old_term;
	int ret;

	ret = run_prepare(argc, argv, ctx, &s);
	if (ret) {
		ret = ret < 0 ? NB_EXIT_OK : ret;
		goto out;
	}
	ret = NB_EXIT_FAIL;
	if (ranks_many()) {
		if ((ret = ranks_in_step(&s)))
			goto out;
		ret = NB_EXIT_FAIL;
		s.hostnames = ranks_hostnames();
		if (ranks_rank() > 0)
			s.o.quiet = 1;
	}
	if (ranks_many()) {	/* the others wait for rank 0's store: a failure stops all */
		double bad = ranks_rank() == 0 && run_begin(ctx, &s);

		ranks_max(&bad, 1);
		if (bad > 0)
			goto out;
	} else if (run_begin(ctx, &s)) {
		goto out;
	}

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

	if (!s.o.quiet && s.o.format == NB_FMT_TABLE)
		table_header(stdout, s.width);
	else if (s.o.format == NB_FMT_CSV && ranks_rank() == 0)
		csv_header(stdout, NULL, 0);
	fflush(stdout);
	hygiene_start(&s, ctx);
	if (ranks_rank() == 0)
		ranks_on_abort(run_abort_hook, &s);
	run_loop(&s);
	ranks_on_abort(NULL, NULL);
	active_unregister();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ranks_rank() > 0) {
		ret = nb_interrupted ? 128 + (caught_signal ? caught_signal : SIGINT) : NB_EXIT_OK;
		goto out;
	}

	if (s.errors) {
		store_run_end(s.st, &s.run, "failed");
	} else if (nb_interrupted) {
		store_run_end(s.st, &s.run, "interrupted");
		fprintf(stderr, "npubench: interrupted: run %lld keeps its %d finished result(s) in %s\n",
			(long long)s.run.id, s.stored, store_path(s.st));
		ret = 128 + (caught_signal ? caught_signal : SIGINT);
		goto out;
	} else if (store_run_end(s.st, &s.run, s.failed ? "failed" : "complete")) {
		goto out;
	}
	if (s.o.format == NB_FMT_JSON) {
		char *j = report_run_records_json(&s.run, s.kept, s.nkept);

		printf("%s\n", j);
		free(j);
	}
	if (s.disturbed)
		warning("%d of %d host result(s) were measured while other work shared the CPUs "
			"(flagged loaded or concurrent_run): compare them with care", s.disturbed,
			s.measured_ok);
	if (!s.o.quiet)
		fprintf(stderr, "run %lld (%s) stored in %s: %d result(s)%s\n", (long long)s.run.id,
			s.run.uuid, store_path(s.st), s.stored, s.failed ? ", some FAILED" : "");
	ret = s.failed || s.errors ? NB_EXIT_FAIL : NB_EXIT_OK;
out:
	targets_release(&s.ts);
	results_free(s.kept, s.nkept);
	run_release(&s.run);
	free(s.cases.cases);
	free(s.cases.index);
	free(s.hostnames);
	free(s.o.kernels);
	free(s.o.cases);
	free(s.o.sets);
	return ret;
}

const struct nb_command nb_cmd_run = {
	.name = "run",
	.exec = cmd_run,
	.usage = "run [--suite NAME|FILE] [--kernel PATTERN]... [--case TEXT]... [--dtype LIST]\n"
		 "                    [--set KEY=VALUE]... [--target LIST] [--threads N] [--min-time SEC]\n"
		 "                    [--min-reps N] [--max-reps N] [--tag TEXT] [--format table|json|csv]\n"
		 "                    [--case-timeout SEC] [--stable PCT] [--seed N] [--quiet] [--dry-run]",
	.summary = "Run a suite or chosen kernels on the host and chips, and store the results.",
	.help = "Cases:\n"
		"  -s, --suite NAME|FILE    a suite from 'npubench list suites' or a JSON file (default: default)\n"
		"  -k, --kernel PATTERN     only kernels matching the name or glob (repeatable); a kernel\n"
		"                           the suite lacks runs with its default parameters\n"
		"  -c, --case TEXT          a whole case, e.g. 'gemm dtype=bf16 m=4096 n=4096 k=4096'\n"
		"                           (repeatable; replaces the suite); the families (gemm,\n"
		"                           attention, ..., train, infer, collective) and their\n"
		"                           parameters: 'npubench list kernels'\n"
		"  -d, --dtype LIST         only these dtypes, comma separated\n"
		"  -S, --set KEY=VALUE      override a parameter in every selected case (repeatable);\n"
		"                           a warning names the kernels without it\n"
		"Targets:\n"
		"  -t, --target LIST        host, chip ids or aliases, globs ('h100*'), cuda:N (GPU N,\n"
		"                           measured through the CUDA plugin), 'chips' (every\n"
		"                           chip), 'all' (host and chips), 'default' (host and the\n"
		"                           chips whose profile has a \"default_target\" place, in\n"
		"                           that order: 910b, a100, h100, tpu-v5e); see 'npubench\n"
		"                           list targets'\n"
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
