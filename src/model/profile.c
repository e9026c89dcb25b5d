/* Placeholder until the profiles issue lands: no chip profiles. */
#include "model/profile.h"

#include <stdlib.h>

#include "util/util.h"

struct nb_profiles {
	int n;
};

int profiles_load(const char *const *dirs, int ndirs, struct nb_profiles **out)
{
	NB_UNUSED(dirs);
	NB_UNUSED(ndirs);
	*out = xcalloc(1, sizeof(**out));
	return 0;
}

void profiles_free(struct nb_profiles *set)
{
	free(set);
}

int profiles_count(const struct nb_profiles *set)
{
	return set->n;
}

const struct nb_profile *profiles_get(const struct nb_profiles *set, int i)
{
	NB_UNUSED(set);
	NB_UNUSED(i);
	return NULL;
}

const struct nb_profile *profiles_find(const struct nb_profiles *set, const char *name)
{
	NB_UNUSED(set);
	NB_UNUSED(name);
	return NULL;
}

const char *profile_id(const struct nb_profile *p)
{
	NB_UNUSED(p);
	return "?";
}

const char *profile_name(const struct nb_profile *p)
{
	NB_UNUSED(p);
	return "?";
}

char *profile_snapshot_json(const struct nb_profile *p)
{
	NB_UNUSED(p);
	return xstrdup("{}");
}
