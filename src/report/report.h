/* Reports: stored runs rendered for people and for other tools. */
#ifndef NB_REPORT_H
#define NB_REPORT_H

#include <stdint.h>

struct nb_store;

/* The export JSON of one run (schema "npubench-run", documented in
 * doc/export.md): run metadata, host description, results, and with
 * SAMPLES every timing sample.  malloc'd text, or NULL after reporting. */
char *report_run_json(struct nb_store *st, int64_t run_id, int samples);

#endif
