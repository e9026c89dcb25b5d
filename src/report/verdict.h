/* The verdict: what a comparison of chips means, in a few sentences.  Per
 * kernel family the median throughput ratio of each chip to the baseline,
 * how far the model is off on published measurements kept out of its
 * calibration, and how quiet the host was when measured.  `compare chips`
 * prints it after its tables; `report` puts it at the top of the page. */
#ifndef NB_VERDICT_H
#define NB_VERDICT_H

#include <stdio.h>

#include "cmd/validate.h"

struct nb_result;
struct nb_profiles;

/* One compared column: a chip (predicted) or the host (measured). */
struct verdict_column {
	const char *label;
	int host;
	const struct nb_result *rs;
	int nrs;
};

/* One kernel family: the median ratio of each column to the baseline over
 * the cases both have a usable result for. */
struct verdict_family {
	char *name;
	double *ratio;			/* per column; 0: no common case */
	int *ncases;			/* per column: the cases the median is over */
};

struct nb_verdict {
	char *baseline;
	char **labels;			/* the columns, in order */
	int ncols, base;
	struct verdict_family *fam;
	int nfam;
	int have_holdout, have_calibration;
	struct validate_errors holdout, calibration;
	/* The host's measured results: how many, their spread, their flags. */
	int host_results, host_noisy, host_outliers, host_loaded;
	double host_spread;		/* median of (p95 - p5) / median */
	char *load_flags;		/* the load flags seen, comma separated, or NULL */
};

/* Computes the verdict over COLS[0..n) against COLS[BASE]; SET (may be
 * NULL) gives the model its profiles for the held-out and calibration
 * errors.  A measurements file that cannot be read leaves its figures out
 * after a warning. */
void verdict_compute(const struct verdict_column *cols, int ncols, int base,
		     const struct nb_profiles *set, struct nb_verdict *v);
/* The verdict as sentences (malloc'd array of malloc'd strings), *N of them. */
char **verdict_sentences(const struct nb_verdict *v, int *n);
void verdict_sentences_free(char **s, int n);
/* Prints "Verdict" and its sentences, one per line, to F (as a Markdown
 * heading and list when MARKDOWN). */
void verdict_print(FILE *f, const struct nb_verdict *v, int markdown);
void verdict_release(struct nb_verdict *v);

#endif
