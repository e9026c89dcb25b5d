/* Suites: named lists of cases, stored as JSON in data/suites/.
 *
 *   { "name": "quick", "description": "...",
 *     "cases": [ { "kernel": "gemm", "dtype": ["fp16", "bf16"], "m": 512, "n": 512, "k": 512 },
 *                "stream op=triad dtype=fp64" ] }
 *
 * An optional "min_time" (seconds) sets the suite's sampling time per host case.
 * A case is an object (an array value expands to one case per element; several
 * arrays expand to their cartesian product) or the text a user would type. */
#ifndef NB_SUITE_H
#define NB_SUITE_H

#include "kernels/kernel.h"

struct nb_suite {
	char *name;
	char *description;
	char *path;
	struct nb_case *cases;
	int ncases;
	double min_time;	/* the suite's --min-time default, or 0 */
	/* Private: capacity of CASES, and a hash index of them (slot holds
	 * case number + 1, 0 when free) that keeps adding a case O(1). */
	int cap;
	int *index;
	size_t nindex;
};

/* The most cases a suite may expand to: far more than a useful run, few
 * enough to expand in well under a second. */
#define NB_SUITE_MAX_CASES 20000

/* Loads NAME (a file path when it contains '/' or ends in .json, else
 * DIR/NAME.json).  Errors name file, entry and field.  Returns 0 or -1. */
int suite_load(const char *name, const char *dir, struct nb_suite **out);
/* Parses suite JSON TEXT; PATH is only for messages. */
int suite_parse(const char *text, const char *path, struct nb_suite **out);
void suite_free(struct nb_suite *s);
/* Appends a copy of C unless an equal case is already there (O(1)). */
void suite_add_case(struct nb_suite *s, const struct nb_case *c);

#endif
