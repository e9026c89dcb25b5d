/* npubench profile fetch: download a chip profile, check it with the strict
 * loader, install it atomically into the user profile folder. */
#include "util/output.h"
#include "npubench.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/profile-fetch.h"
#include "model/profile.h"
#include "net/http.h"
#include "util/util.h"

/* The largest profile accepted: real ones are a few KiB. */
#define FETCH_MAX_BYTES (1 << 20)

/* For usage errors: `profile fetch` is documented under `profile`. */
static const struct nb_command fetch_cmd = {
	.name = "profile",
	.usage = "profile fetch URL [--as ID] [--force] [--timeout SEC]",
};

/* A profile id that is also a safe file name: [A-Za-z0-9][A-Za-z0-9._-]*. */
static int id_ok(const char *id)
{
	if (!*id || !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", *id))
		return 0;
	for (const char *p = id; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", *p))
			return 0;
	return strlen(id) <= 64;
}

/* Parses the download and settles its id (renamed with AS).  *TEXT is the
 * text to install: the download itself, or reprinted after a rename. */
static int settle_id(const char *url, const char *body, size_t len, const char *as,
		     char **id, char **text)
{
	if (profile_text_settle_id(url, body, len, as, id, text))
		return -1;
	if (!as && !id_ok(*id)) {
		error("%s: the profile id '%s' cannot be a file name (letters, digits, '.', '_' "
		      "and '-' only): install it with --as ID", url, *id);
		free(*id);
		free(*text);
		*id = *text = NULL;
		return -1;
	}
	return 0;
}

/* The download staged as ID.json in a private temporary folder, where the
 * loader reads it before anything is installed. */
struct staged {
	char *dir, *file;
};

static int stage(struct staged *sg, const char *id, const char *text)
{
	const char *tmpdir = getenv("TMPDIR");

	sg->dir = xasprintf("%s/npubench-fetch.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(sg->dir)) {
		error("cannot create a temporary folder '%s': %s", sg->dir, strerror(errno));
		free(sg->dir);
		sg->dir = NULL;
		return -1;
	}
	sg->file = xasprintf("%s/%s.json", sg->dir, id);
	return nb_write_output(sg->file, text, strlen(text));
}

static void unstage(struct staged *sg)
{
	if (sg->file)
		unlink(sg->file);
	if (sg->dir)
		rmdir(sg->dir);
	free(sg->file);
	free(sg->dir);
}

/* Checks the staged profile alone with the same strict loader as local
 * profiles. */
static int validate(const char *url, const char *id, const struct staged *sg)
{
	struct nb_profiles *set = NULL;
	const char *dirs[1] = { sg->dir };
	int ret = -1;

	if (profiles_load(dirs, 1, &set)) {
		error("%s: not a valid chip profile (see above)", url);
		goto out;
	}
	if (profiles_count(set) != 1) {
		error("%s: the profile loader found no profile in the download", url);
		goto out;
	}
	if (strcmp(profile_id(profiles_get(set, 0)), id)) {
		error("%s: the loader read the profile as '%s', not '%s'", url,
		      profile_id(profiles_get(set, 0)), id);
		goto out;
	}
	ret = 0;
out:
	profiles_free(set);
	return ret;
}

/* Refuses to replace an installed profile, or to shadow one found in another
 * profile folder, unless FORCE; and, force or not, a profile whose id or
 * aliases would clash with the profiles in use (every later load would fail). */
static int check_existing(struct nb_ctx *ctx, const char *url, const char *id,
			  const char *dest, int force, const struct staged *sg)
{
	struct stat st;
	struct nb_profiles *set = NULL;
	const struct nb_profile *same;
	const char **dirs = NULL;
	char *known = NULL;
	int loads, ret = -1;

	if (stat(dest, &st) == 0 && !force)
		return error("profile '%s' is already installed at '%s': use --force to replace it",
			     id, dest);
	/* A broken local profile must not block fetching a good one. */
	nb_quiet_errors++;
	loads = !profiles_load((const char *const *)ctx->profile_dirs, ctx->nprofile_dirs, &set);
	nb_quiet_errors--;
	if (loads && (same = profiles_find(set, id)))
		known = xstrdup(profile_path(same));
	profiles_free(set);
	set = NULL;
	if (known && !force && stat(dest, &st) != 0) {
		error("profile '%s' already exists at '%s': use --force to install one that "
		      "takes its place, or --as ID", id, known);
		goto out;
	}
	if (!loads) {
		ret = 0;
		goto out;
	}
	/* The staged folder first, as the user folder comes first. */
	dirs = xcalloc((size_t)ctx->nprofile_dirs + 1, sizeof(*dirs));
	dirs[0] = sg->dir;
	for (int i = 0; i < ctx->nprofile_dirs; i++)
		dirs[i + 1] = ctx->profile_dirs[i];
	if (profiles_load(dirs, ctx->nprofile_dirs + 1, &set)) {
		error("%s: the profile clashes with the profiles in use (see above): "
		      "install it with --as ID, which drops its aliases", url);
		goto out;
	}
	ret = 0;
out:
	profiles_free(set);
	free(dirs);
	free(known);
	return ret;
}

static int in_search_path(const struct nb_ctx *ctx)
{
	for (int i = 0; i < ctx->nprofile_dirs; i++)
		if (!strcmp(ctx->profile_dirs[i], ctx->user_profile_dir))
			return 1;
	return 0;
}

int profile_fetch_main(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct net_limits lim = NET_LIMITS_INIT;
	struct net_response resp = { 0 };
	const char *as = NULL, *url;
	char *id = NULL, *text = NULL, *dest = NULL;
	struct staged sg = { NULL, NULL };
	int force = 0, c, ret = NB_EXIT_FAIL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			as = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 't':
			if (nb_parse_double(optarg, &lim.timeout) || !(lim.timeout > 0) ||
			    lim.timeout > 86400)
				return usage_error(&fetch_cmd, "--timeout wants seconds in (0, 86400], not '%s'",
						   optarg);
			if (lim.connect_timeout > lim.timeout)
				lim.connect_timeout = lim.timeout;
			break;
		default:
			return bad_option(&fetch_cmd, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(&fetch_cmd, "profile fetch needs a URL");
	if (optind + 1 < argc)
		return usage_error(&fetch_cmd, "unexpected argument '%s'", argv[optind + 1]);
	url = argv[optind];
	if (!net_url_ok(url))
		return usage_error(&fetch_cmd, "'%s' is not an http:// or https:// URL", url);
	if (as && !id_ok(as))
		return usage_error(&fetch_cmd, "--as '%s': a profile id is letters, digits, '.', '_' "
				   "and '-', starting with a letter or digit", as);
	lim.max_bytes = FETCH_MAX_BYTES;
	if (net_get(url, &lim, &resp))
		goto out;
	if (settle_id(url, resp.body, resp.len, as, &id, &text))
		goto out;
	if (stage(&sg, id, text) || validate(url, id, &sg))
		goto out;
	dest = xasprintf("%s/%s.json", ctx->user_profile_dir, id);
	if (check_existing(ctx, url, id, dest, force, &sg))
		goto out;
	if (nb_mkdirs(ctx->user_profile_dir) || nb_write_output(dest, text, strlen(text)))
		goto out;
	fprintf(stderr, "npubench: installed profile '%s' at '%s'\n", id, dest);
	if (!in_search_path(ctx))
		warning("'%s' is not among the profile folders in use (--profiles or "
			"NPUBENCH_PROFILES): add it to use the profile", ctx->user_profile_dir);
	ret = 0;
out:
	if (ret)
		error("%s: nothing installed", url);
	unstage(&sg);
	net_response_release(&resp);
	free(text);
	free(id);
	free(dest);
	return ret;
}
