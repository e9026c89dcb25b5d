/* The command table, the help machinery and the shared context. */
#include "npubench.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/profile.h"
#include "report/format.h"
#include "targets/target.h"
#include "store/store.h"
#include "util/term.h"
#include "util/util.h"

const struct nb_command *const nb_commands[] = {
	&nb_cmd_run,
	&nb_cmd_compare,
	&nb_cmd_plot,
	&nb_cmd_report,
	&nb_cmd_export,
	&nb_cmd_import,
	&nb_cmd_profile,
	&nb_cmd_validate,
	&nb_cmd_push,
	&nb_cmd_list,
	&nb_cmd_show,
	&nb_cmd_info,
	&nb_cmd_help,
};
const int nb_ncommands = (int)NB_ARRAY_SIZE(nb_commands);

const struct nb_command *command_find(const char *name)
{
	for (int i = 0; i < nb_ncommands; i++)
		if (!strcmp(nb_commands[i]->name, name))
			return nb_commands[i];
	return NULL;
}

const char *command_near(struct nb_near *nr, const char *word)
{
	nb_near_init(nr, word);
	for (int i = 0; i < nb_ncommands; i++)
		nb_near_offer(nr, nb_commands[i]->name, strlen(nb_commands[i]->name));
	return nb_near_hint(nr);
}

/* The closest long option CMD documents: its help and usage name every one,
 * so they are the list to search. */
static const char *option_near(struct nb_near *nr, const struct nb_command *cmd, const char *opt)
{
	const char *texts[] = { cmd ? cmd->usage : NULL, cmd ? cmd->help : NULL };
	size_t olen = strcspn(opt, "=");
	char word[64];

	snprintf(word, sizeof(word), "%.*s", (int)(olen < sizeof(word) ? olen : sizeof(word) - 1), opt);
	nb_near_init(nr, word);
	for (size_t t = 0; t < NB_ARRAY_SIZE(texts); t++) {
		for (const char *p = texts[t]; p && (p = strstr(p, "--")); ) {
			size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");

			if (len > 3)
				nb_near_offer(nr, p, len);
			p += len;
		}
	}
	return nb_near_hint(nr);
}

int usage_error(const struct nb_command *cmd, const char *fmt, ...)
{
	char msg[1024], clean[1024];
	va_list ap;

	if (nb_error_rank > 0) {	/* every rank has the same command line: rank 0 says it */
		nb_errors_held++;
		return NB_EXIT_USAGE;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	term_clean(clean, sizeof(clean), msg, strlen(msg));
	fprintf(stderr, "npubench: %s\n", clean);
	if (cmd)
		fprintf(stderr, "usage: npubench %s\nTry 'npubench help %s' for more.\n",
			cmd->usage, cmd->name);
	else
		fprintf(stderr, "usage: npubench [--db PATH] [--profiles DIR] COMMAND [ARGS]\n"
			"Try 'npubench help' for the list of commands.\n");
	return NB_EXIT_USAGE;
}

int bad_option(const struct nb_command *cmd, char **argv, int c)
{
	const char *opt = argv[optind - 1];
	char name[32] = "";

	if (opt)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(opt, "="), opt);
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", opt);
	/* A long option given a value it does not take: optopt is its code. */
	if (opt && !strncmp(opt, "--", 2) && strchr(opt, '=') && optopt)
		return usage_error(cmd, "option '%.*s' takes no value", (int)(strchr(opt, '=') - opt), opt);
	if (optopt > 0 && optopt < 256 && opt && opt[0] == '-' && opt[1] != '-')
		return usage_error(cmd, "unknown option '-%c'", optopt);
	/* The global options work only before the command. */
	if (opt && (!strcmp(name, "--db") || !strcmp(name, "--profiles")))
		return usage_error(cmd, "%s is a global option: give it before the command "
				   "('npubench %s ... %s ...')", name, name, cmd ? cmd->name : "COMMAND");
	if (opt && !strncmp(opt, "--", 2)) {
		struct nb_near nr;

		return usage_error(cmd, "unknown option '%s'%s", opt, option_near(&nr, cmd, opt));
	}
	return usage_error(cmd, "unknown option '%s'", opt ? opt : "?");
}

int format_option(const struct nb_command *cmd, const char *arg, unsigned allowed,
		  enum nb_format *out)
{
	char msg[256];

	if (format_parse(arg, allowed, out, msg, sizeof(msg)))
		return usage_error(cmd, "%s", msg);
	/* CSV stays byte-exact; the terminal cleaning is for tables. */
	if (*out == NB_FMT_CSV)
		term_exact_stdout();
	return 0;
}

int targets_option(const struct nb_command *cmd, struct nb_ctx *ctx, const char *what,
		   const char *list, unsigned flags, struct nb_targets *out)
{
	int rc = targets_parse(ctx, what, list, flags, out);

	NB_UNUSED(cmd);
	if (rc == NB_TARGETS_USAGE)
		return NB_EXIT_USAGE;
	return rc ? NB_EXIT_FAIL : 0;
}

void command_help(const struct nb_command *cmd)
{
	printf("usage: npubench %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help && *cmd->help)
		printf("\n%s", cmd->help);
}

struct nb_store *ctx_store(struct nb_ctx *ctx)
{
	if (!ctx->store && store_open(ctx->db_path, 0, &ctx->store))
		return NULL;
	return ctx->store;
}

/* Whether the database file is absent (its folder may be too): opening it
 * would create both, which only a command that stores results may do. */
static int store_absent(const char *path)
{
	struct stat sb;

	if (!strcmp(path, ":memory:") || stat(path, &sb) == 0)
		return 0;
	return errno == ENOENT || errno == ENOTDIR;
}

struct nb_store *ctx_store_existing(struct nb_ctx *ctx)
{
	if (!ctx->store && store_absent(ctx->db_path)) {
		error("no database at '%s': nothing has been stored there yet "
		      "(npubench run creates it; check --db)", ctx->db_path);
		return NULL;
	}
	return ctx_store(ctx);
}

int ctx_store_if_any(struct nb_ctx *ctx, struct nb_store **out)
{
	*out = NULL;
	if (!ctx->store && store_absent(ctx->db_path))
		return 0;
	return (*out = ctx_store(ctx)) ? 0 : -1;
}

struct nb_profiles *ctx_profiles(struct nb_ctx *ctx)
{
	if (!ctx->profiles &&
	    profiles_load((const char *const *)ctx->profile_dirs, ctx->nprofile_dirs, &ctx->profiles))
		return NULL;
	return ctx->profiles;
}
