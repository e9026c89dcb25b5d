/* Chip profiles: one strict JSON file per chip, every figure sourced.
 * See profiles/SCHEMA.md. */
#ifndef NB_PROFILE_H
#define NB_PROFILE_H

struct nb_profile;
struct nb_profiles;

/* Loads every *.json in DIRS (in order; a profile id found earlier wins over
 * the same id later).  A missing folder is skipped; an invalid profile is an
 * error naming file, key path and value.  Returns 0, or -1 after reporting. */
int profiles_load(const char *const *dirs, int ndirs, struct nb_profiles **out);
void profiles_free(struct nb_profiles *set);
int profiles_count(const struct nb_profiles *set);
const struct nb_profile *profiles_get(const struct nb_profiles *set, int i);
/* By id or alias, case-insensitive; NULL when unknown. */
const struct nb_profile *profiles_find(const struct nb_profiles *set, const char *name);

const char *profile_id(const struct nb_profile *p);
const char *profile_name(const struct nb_profile *p);
/* The profile as loaded, as compact JSON (malloc'd): the snapshot stored
 * beside every prediction. */
char *profile_snapshot_json(const struct nb_profile *p);

#endif
