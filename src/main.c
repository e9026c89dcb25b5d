/* npubench: look up the command, set up what it shares, run it. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npubench.h"
#include "model/profile.h"
#include "store/store.h"
#include "util/mpi.h"
#include "util/term.h"
#include "util/util.h"

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

/* $XDG_<KIND>_HOME or ~/<fallback>. */
static char *xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var);

	if (v && *v == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", env_or("HOME", "/tmp"), fallback);
}

/* True when this binary runs from the build tree (not installed). */
static int running_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	/* libtool-free build: the binary sits at the top of the build tree. */
	return !strcmp(exe, NB_BUILDDIR);
}

static void add_dir(struct nb_ctx *ctx, char *dir)
{
	ctx->profile_dirs = xrealloc(ctx->profile_dirs,
				     (size_t)(ctx->nprofile_dirs + 1) * sizeof(char *));
	ctx->profile_dirs[ctx->nprofile_dirs++] = dir;
}

static void add_dir_list(struct nb_ctx *ctx, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
		add_dir(ctx, xstrdup(d));
	free(copy);
}

static void setup_paths(struct nb_ctx *ctx, const char *db, const char *profiles)
{
	char *config = xdg_dir("XDG_CONFIG_HOME", ".config");

	if (db) {
		ctx->db_path = xstrdup(db);
		ctx->db_explicit = 1;
	} else if (getenv("NPUBENCH_DB") && *getenv("NPUBENCH_DB")) {
		ctx->db_path = xstrdup(getenv("NPUBENCH_DB"));
		ctx->db_explicit = 1;
	} else {
		char *data = xdg_dir("XDG_DATA_HOME", ".local/share");

		ctx->db_path = xasprintf("%s/npubench/results.db", data);
		free(data);
	}
	ctx->user_profile_dir = xasprintf("%s/npubench/profiles", config);
	ctx->data_dir = xstrdup(running_from_build_tree() ? NB_SRCDIR "/data" : NB_PKGDATADIR);
	if (profiles) {
		add_dir_list(ctx, profiles);
	} else if (getenv("NPUBENCH_PROFILES") &&
		   strspn(getenv("NPUBENCH_PROFILES"), ":") != strlen(getenv("NPUBENCH_PROFILES"))) {
		add_dir_list(ctx, getenv("NPUBENCH_PROFILES"));
	} else {
		add_dir(ctx, xstrdup(ctx->user_profile_dir));
		if (running_from_build_tree())
			add_dir(ctx, xstrdup(NB_SRCDIR "/profiles"));
		else
			add_dir(ctx, xstrdup(NB_PKGDATADIR "/profiles"));
	}
	free(config);
}

static void ctx_release(struct nb_ctx *ctx)
{
	store_close(ctx->store);
	profiles_free(ctx->profiles);
	for (int i = 0; i < ctx->nprofile_dirs; i++)
		free(ctx->profile_dirs[i]);
	free(ctx->profile_dirs);
	free(ctx->user_profile_dir);
	free(ctx->data_dir);
	free(ctx->db_path);
	free(ctx->cmdline);
}

static char *join_cmdline(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int plain = *a != '\0';

		for (const char *p = a; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+@%", *p))
				plain = 0;
		if (i)
			sb_adds(&sb, " ");
		if (plain) {
			sb_adds(&sb, a);
		} else {
			sb_adds(&sb, "'");
			for (const char *p = a; *p; p++) {
				if (*p == '\'')
					sb_adds(&sb, "'\\''");
				else
					sb_add(&sb, p, 1);
			}
			sb_adds(&sb, "'");
		}
	}
	return sb_detach(&sb);
}

/* --help anywhere among the options; -h only first (it may be a value). */
static int wants_help(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "-h"))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct nb_ctx ctx = { 0 };
	const char *db = NULL, *profiles = NULL;
	const struct nb_command *cmd;
	int i, ret, in_step, launch_rank;

	nb_error_rank = ranks_launch_rank();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--version")) {
			if (nb_error_rank > 0)	/* under mpirun rank 0 says it */
				return 0;
			printf("npubench %s\n", PACKAGE_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return nb_error_rank > 0 ? 0 : nb_cmd_help.exec(1, argv, &ctx);
		} else if (!strcmp(a, "--db") || !strcmp(a, "--profiles")) {
			if (i + 1 >= argc)
				return usage_error(NULL, "option '%s' needs a value", a);
			if (!strcmp(a, "--db"))
				db = argv[++i];
			else
				profiles = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			db = a + 5;
		} else if (!strncmp(a, "--profiles=", 11)) {
			profiles = a + 11;
		} else {
			return usage_error(NULL, "unknown option '%s'", a);
		}
	}
	if (i >= argc)
		return usage_error(NULL, "no command given");
	/* An empty --db would be SQLite's private temporary database, thrown
	 * away on exit; an empty profile list would search nothing. */
	if (db && !*db)
		return usage_error(NULL, "--db needs a file name");
	if (profiles && strspn(profiles, ":") == strlen(profiles))
		return usage_error(NULL, "--profiles needs at least one folder");
	cmd = command_find(argv[i]);
	if (!cmd)
	{
		struct nb_near nr;

		return usage_error(NULL, "'%s' is not a npubench command%s", argv[i],
				   command_near(&nr, argv[i]));
	}
	if (cmd != &nb_cmd_help && wants_help(argc - i, argv + i)) {
		if (nb_error_rank <= 0)
			command_help(cmd);
		return 0;
	}
	term_filter_stdout();
	setup_paths(&ctx, db, profiles);
	ctx.cmdline = join_cmdline(argc, argv);
	/* Under mpirun, `run` works in step across the ranks and `profile
	 * probe` measures the ranks' interconnect.  Every other command reads
	 * or writes the database, files or the network: N copies would print
	 * N times, store or upload N times and race on the same file, so rank
	 * 0 runs it alone and the other ranks wait, quiet, and exit with its
	 * status (in a build without MPI they cannot learn it and exit 0). */
	in_step = cmd == &nb_cmd_run ||
		  (cmd == &nb_cmd_profile && i + 1 < argc && !strcmp(argv[i + 1], "probe"));
	launch_rank = nb_error_rank;	/* the launcher's word: MPI may not agree */
	if ((in_step || launch_rank >= 0) && ranks_init(&argc, &argv))
		return NB_EXIT_FAIL;
	if (in_step) {
		ret = cmd->exec(argc - i, argv + i, &ctx);
	} else {
		if (launch_rank > 0) {
			ret = 0;
		} else {
			ret = cmd->exec(argc - i, argv + i, &ctx);
			/* Out before the status: a rank that exits failing
			 * makes the launcher stop rank 0. */
			if (fflush(stdout) != 0 || ferror(stdout)) {
				perror("npubench: cannot write standard output");
				ret = NB_EXIT_FAIL;
			}
		}
		ret = ranks_rank0_status(ret);
	}
	ranks_finalize();
	ctx_release(&ctx);
	/* Machine-readable output goes to stdout: a failed write is a failure. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("npubench: cannot write standard output");
		return NB_EXIT_FAIL;
	}
	return ret;
}
