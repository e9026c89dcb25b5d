/* The command table and the context every command receives. */
#ifndef NPUBENCH_H
#define NPUBENCH_H

struct nb_store;
struct nb_profiles;

/* Shared setup, resolved once from global flags and the environment; the
 * store and the profiles are opened on first use. */
struct nb_ctx {
	char *db_path;			/* --db, NPUBENCH_DB, XDG default */
	int db_explicit;		/* the path came from --db or NPUBENCH_DB */
	char **profile_dirs;		/* searched in order; earlier wins */
	int nprofile_dirs;
	char *user_profile_dir;		/* where `profile fetch` installs */
	char *data_dir;			/* suites, calibration data: installed or source tree */
	char *cmdline;			/* the whole command line, for the store */
	struct nb_store *store;
	struct nb_profiles *profiles;
};

/* Opens (once) the database; NULL after reporting why. */
struct nb_store *ctx_store(struct nb_ctx *ctx);
/* For commands that only read stored results: as ctx_store, but a missing
 * file is an error naming the path, and nothing is created (a mistyped
 * --db must not leave folders and an empty database behind). */
struct nb_store *ctx_store_existing(struct nb_ctx *ctx);
/* For commands that merely add stored results to their output: *OUT is
 * NULL when there is no database yet (nothing created), and 0 returned;
 * -1 after reporting why an existing one cannot be opened. */
int ctx_store_if_any(struct nb_ctx *ctx, struct nb_store **out);
/* Loads (once) every chip profile; NULL after reporting why. */
struct nb_profiles *ctx_profiles(struct nb_ctx *ctx);

struct nb_command {
	const char *name;
	int (*exec)(int argc, char **argv, struct nb_ctx *ctx);
	const char *usage;	/* "run [--suite NAME] ..." without "npubench " */
	const char *summary;	/* one line for `npubench help` */
	const char *help;	/* the options, one per line, already indented */
};

/* Exit statuses. */
#define NB_EXIT_OK 0
#define NB_EXIT_FAIL 1
#define NB_EXIT_USAGE 2

/* Reports a usage error for CMD: the message, the usage line and a hint.
 * Returns NB_EXIT_USAGE. */
int usage_error(const struct nb_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The hint ": did you mean 'COMMAND'?" for a word close to a command's
 * name, or "". */
struct nb_near;
const char *command_near(struct nb_near *nr, const char *word);
/* Prints CMD's full help to stdout. */
void command_help(const struct nb_command *cmd);
/* The getopt_long loop's '?' and ':' cases: names the bad option. */
int bad_option(const struct nb_command *cmd, char **argv, int c);

/* --format ARG for CMD, one of ALLOWED (NB_FMT bits of report/format.h):
 * 0 and *OUT, or the usage error's exit status. */
enum nb_format;
int format_option(const struct nb_command *cmd, const char *arg, unsigned allowed,
		  enum nb_format *out);
/* A target list for CMD's option WHAT (targets/target.h): 0, or the exit
 * status after reporting (2 when the list names nothing). */
struct nb_targets;
int targets_option(const struct nb_command *cmd, struct nb_ctx *ctx, const char *what,
		   const char *list, unsigned flags, struct nb_targets *out);

/* The table, in main.c. */
extern const struct nb_command *const nb_commands[];
extern const int nb_ncommands;
const struct nb_command *command_find(const char *name);

#define NB_DECLARE_COMMAND(n) extern const struct nb_command nb_cmd_##n
NB_DECLARE_COMMAND(run);
NB_DECLARE_COMMAND(compare);
NB_DECLARE_COMMAND(plot);
NB_DECLARE_COMMAND(report);
NB_DECLARE_COMMAND(export);
NB_DECLARE_COMMAND(import);
NB_DECLARE_COMMAND(profile);
NB_DECLARE_COMMAND(validate);
NB_DECLARE_COMMAND(push);
NB_DECLARE_COMMAND(list);
NB_DECLARE_COMMAND(show);
NB_DECLARE_COMMAND(info);
NB_DECLARE_COMMAND(help);

#endif
