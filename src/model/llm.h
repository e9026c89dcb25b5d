/* The model catalog: transformer dimensions as data (data/models/, one JSON file a model),
 * each figure with its source.  Loaded once, strictly: an unknown key, a
 * missing figure or source, or a value out of range is an error naming the
 * file and the field. */
#ifndef NB_LLM_H
#define NB_LLM_H

#include "kernels/workload.h"

/* The directory the catalog is read from: $NPUBENCH_MODELS, else the
 * source tree's data/models when present, else the installed copy. */
const char *llm_dir(void);
/* Loads DIR; returns -1 after an error naming the file and field. */
int llm_load(const char *dir);
/* The catalog, loaded on first use (NULL entries when it failed to load). */
int llm_count(void);
const struct nb_llm *llm_get(int i);
const struct nb_llm *llm_find(const char *id);
/* The display name and the overall source of model I. */
const char *llm_name(int i);
const char *llm_source(int i);

#endif
