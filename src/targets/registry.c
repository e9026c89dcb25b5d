/* The target kinds and the one resolver of target words every command
 * uses (tmux's cmd-find: resolve a name once, in one place). */
#include "targets/target.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "targets/cuda.h"
#include "util/util.h"

/* Words are offered to the kinds in this order; the first that claims a
 * word owns it.  A new kind is one line here and its own file. */
#define NB_MAX_TARGET_KINDS 16

#define NB_BUILTIN_TARGET_KINDS &nb_target_host, &nb_target_chip, &nb_target_cuda

static const struct nb_target_kind *const builtin_kinds[] = { NB_BUILTIN_TARGET_KINDS };
const struct nb_target_kind *nb_target_kinds[NB_MAX_TARGET_KINDS] = { NB_BUILTIN_TARGET_KINDS };
int nb_ntarget_kinds = (int)NB_ARRAY_SIZE(builtin_kinds);

void target_register(const struct nb_target_kind *kind)
{
	for (int k = 0; k < nb_ntarget_kinds; k++)
		if (!strcmp(nb_target_kinds[k]->name, kind->name))
			die("internal error: target kind %s registered twice", kind->name);
	if (nb_ntarget_kinds == NB_MAX_TARGET_KINDS)
		die("internal error: more than %d target kinds", NB_MAX_TARGET_KINDS);
	nb_target_kinds[nb_ntarget_kinds++] = kind;
}

static const struct {
	const char *word;
	unsigned group;
} group_words[] = {
	{ "default", NB_TG_DEFAULT },
	{ "chips", NB_TG_CHIPS },
	{ "all", NB_TG_ALL },
};

void targets_add(struct nb_targets *ts, const struct nb_target_kind *kind, const char *id,
		 const struct nb_profile *profile, int is_default)
{
	for (int i = 0; i < ts->n; i++)
		if (!strcasecmp(ts->v[i].id, id))
			return;
	ts->v = xrealloc(ts->v, (size_t)(ts->n + 1) * sizeof(*ts->v));
	ts->v[ts->n++] = (struct nb_target){ kind, xstrdup(id), profile, is_default, NULL };
}

void targets_release(struct nb_targets *ts)
{
	for (int i = 0; i < ts->n; i++) {
		if (ts->v[i].priv && ts->v[i].kind->close)
			ts->v[i].kind->close(&ts->v[i]);
		free(ts->v[i].id);
	}
	for (int i = 0; i < ts->npatterns; i++)
		free(ts->patterns[i]);
	free(ts->v);
	free(ts->patterns);
	memset(ts, 0, sizeof(*ts));
}

/* Takes in every target of the kinds GROUP covers. */
static int add_group(struct nb_ctx *ctx, unsigned group, struct nb_targets *out)
{
	for (int k = 0; k < nb_ntarget_kinds; k++) {
		const struct nb_target_kind *kind = nb_target_kinds[k];

		if ((kind->groups & group) && kind->each(ctx, group == NB_TG_DEFAULT, out) < 0)
			return -1;
	}
	return 0;
}

int targets_all(struct nb_ctx *ctx, struct nb_targets *out)
{
	for (int k = 0; k < nb_ntarget_kinds; k++)
		if (nb_target_kinds[k]->each(ctx, 0, out) < 0)
			return -1;
	return 0;
}

/* The closest name any target answers to, for "did you mean"; NULL when
 * nothing is close.  Errors while listing are silenced: this is a hint. */
static char *closest_name(struct nb_ctx *ctx, const char *word)
{
	struct nb_targets all = { 0 };
	struct nb_near nr;

	nb_near_init(&nr, word);
	nb_quiet_errors++;
	targets_all(ctx, &all);
	nb_quiet_errors--;
	for (size_t g = 0; g < NB_ARRAY_SIZE(group_words); g++)
		nb_near_offer(&nr, group_words[g].word, strlen(group_words[g].word));
	for (int i = 0; i < all.n; i++) {
		const char *name;

		for (int j = 0; (name = all.v[i].kind->name_of(&all.v[i], j)); j++)
			nb_near_offer(&nr, name, strlen(name));
	}
	targets_release(&all);
	return nr.best[0] ? xstrdup(nr.best) : NULL;
}

static int unknown_word(struct nb_ctx *ctx, const char *what, const char *word)
{
	char *near = closest_name(ctx, word);

	error("%s: unknown target '%s'%s%s%s (use host, a chip id or alias from 'npubench list "
	      "targets', a glob such as 'h100*', chips, all or default)", what, word,
	      near ? ": did you mean '" : "", near ? near : "", near ? "'?" : "");
	free(near);
	return NB_TARGETS_USAGE;
}

/* One word: a group, a kind's prefix, a name or a glob. */
static int parse_word(struct nb_ctx *ctx, const char *what, const char *w, unsigned flags,
		      struct nb_targets *out)
{
	int glob = strpbrk(w, "*?[") != NULL, got = 0;

	for (size_t g = 0; g < NB_ARRAY_SIZE(group_words); g++) {
		if (!strcmp(w, group_words[g].word)) {
			int r;

			out->groups |= group_words[g].group;
			if (!(flags & NB_TARGETS_FILTER))
				return add_group(ctx, group_words[g].group, out);
			/* Selecting stored results, "chips" and "all" need no profiles
			 * (GROUPS says it all); "default" needs them to know its chips. */
			nb_quiet_errors++;
			r = add_group(ctx, group_words[g].group, out);
			nb_quiet_errors--;
			if (r < 0 && group_words[g].group == NB_TG_DEFAULT)
				return add_group(ctx, NB_TG_DEFAULT, out);	/* says why */
			return 0;
		}
	}
	for (int k = 0; k < nb_ntarget_kinds; k++) {
		const struct nb_target_kind *kind = nb_target_kinds[k];

		if (kind->prefix && !glob && !strncmp(w, kind->prefix, strlen(kind->prefix))) {
			int r = kind->resolve(ctx, w, out);

			return r == NB_TARGETS_USAGE ? r : r < 0 ? -1 : 0;
		}
	}
	for (int k = 0; k < nb_ntarget_kinds; k++) {
		int r;

		/* A kind with a spelling of its own reads only that spelling. */
		if (nb_target_kinds[k]->prefix)
			continue;
		/* Selecting stored results works without profiles: a word they
		 * cannot check is then taken as the id it names. */
		nb_quiet_errors += (flags & NB_TARGETS_FILTER) != 0;
		r = nb_target_kinds[k]->resolve(ctx, w, out);
		nb_quiet_errors -= (flags & NB_TARGETS_FILTER) != 0;
		if (r == -1 && (flags & NB_TARGETS_FILTER)) {
			glob = 1;
			break;
		}
		if (r < 0)
			return r == NB_TARGETS_USAGE ? r : -1;
		got += r;
		if (r > 0 && !glob)
			break;
	}
	if (glob && (flags & NB_TARGETS_FILTER)) {
		/* A stored result may name a target this machine has no profile for. */
		out->patterns = xrealloc(out->patterns, (size_t)(out->npatterns + 1) * sizeof(char *));
		out->patterns[out->npatterns++] = xstrdup(w);
		return 0;
	}
	if (got == 0 && glob) {
		error("%s: '%s' matches no target (see 'npubench list targets')", what, w);
		return NB_TARGETS_USAGE;
	}
	return got ? 0 : unknown_word(ctx, what, w);
}

int targets_parse(struct nb_ctx *ctx, const char *what, const char *list, unsigned flags,
		  struct nb_targets *out)
{
	char *copy = xstrdup(list), *save = NULL;
	int ret = 0, words = 0;

	memset(out, 0, sizeof(*out));
	for (char *w = strtok_r(copy, ",", &save); w && !ret; w = strtok_r(NULL, ",", &save)) {
		words++;
		ret = parse_word(ctx, what, w, flags, out);
	}
	if (!ret && words == 0) {
		error("%s: empty target list (use host, a chip, chips, all or default)", what);
		ret = NB_TARGETS_USAGE;
	}
	free(copy);
	if (ret)
		targets_release(out);
	return ret;
}

int targets_select(const struct nb_targets *ts, const char *target, enum nb_result_kind kind)
{
	if (!ts)
		return 1;
	if (ts->groups & NB_TG_ALL)
		return 1;
	if ((ts->groups & NB_TG_CHIPS) && kind == NB_PREDICTED)
		return 1;
	if (!target)
		return 0;
	for (int i = 0; i < ts->n; i++)
		if (!strcasecmp(ts->v[i].id, target))
			return 1;
	for (int i = 0; i < ts->npatterns; i++)
		if (nb_glob_match(ts->patterns[i], target))
			return 1;
	return 0;
}
