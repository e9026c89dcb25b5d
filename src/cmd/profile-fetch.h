/* `npubench profile fetch`, kept in its own file; `profile` dispatches its
 * "fetch" subcommand here with ARGV[0] = "fetch". */
#ifndef NB_CMD_PROFILE_FETCH_H
#define NB_CMD_PROFILE_FETCH_H

struct nb_ctx;

/* The options and arguments help of `profile fetch`, for `profile --help`. */
#define PROFILE_FETCH_HELP \
	"  fetch URL [--as ID] [--force] [-t, --timeout SEC]\n" \
	"        download a profile (http or https, at most 1 MiB), check it with the\n" \
	"        strict loader and install it into the user profile folder; --as\n" \
	"        installs it under another id, --force replaces an installed one\n"

int profile_fetch_main(int argc, char **argv, struct nb_ctx *ctx);

#endif
