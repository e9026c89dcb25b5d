/* validate: the pieces the measurement sets share (one outcome per row,
 * the report with its thresholds). */
#ifndef NB_CMD_VALIDATE_H
#define NB_CMD_VALIDATE_H

struct nb_profiles;

struct outcome {
	int line;
	const char *chip;		/* as written */
	const char *profile;		/* resolved id, or NULL */
	const char *family;
	int predicted;			/* 0: skipped, reason in note */
	double measured, prediction;	/* in the file's unit */
	double err;			/* signed, (predicted - measured) / measured */
	const char *unit;
	const char *bound;
	char note[256];
	/* The case as `run --case` states it (malloc'd; NULL when no case
	 * text states the row) and the seconds model_predict gave it. */
	char *case_text;
	double seconds;
};

/* Prints the rows and the summary; 1 (NB_EXIT_FAIL) when a threshold is
 * exceeded or nothing was predicted. */
int validate_report(const struct outcome *o, int n, const char *what, const char *format,
		    double max_median, double max_error);

/* Maps a measurements file's header fields F[0..NF) to the columns
 * NAMES[0..N): COL[c] is the field's index, -1 where absent.  A column
 * OPTIONAL does not mark is required: its absence is an error naming PATH,
 * the column and EXPECTED (where the columns are described).  Returns 0,
 * or -1 after reporting. */
int validate_columns(const char *path, const char *expected, char **f, int nf, const char *const *names,
		     const int *optional, int n, int *col);
/* Whether the first line of PATH starts with HEADER. */
int validate_header_is(const char *path, const char *header);

/* Frees rows of outcomes whose chip and unit are owned copies. */
void validate_outcomes_free(struct outcome *o, int n);

/* How far the model is off on a shipped measurements file. */
struct validate_errors {
	int rows, predicted;		/* rows read; rows the model predicted */
	double median, p90;		/* of |error| over the predicted rows */
};
/* The |error| summary of the shipped measurements file NAME ("calibration",
 * "holdout") predicted over SET.  Returns 0, or -1 after reporting. */
int validate_error_summary(const char *name, const struct nb_profiles *set,
			   struct validate_errors *out);

/* Whether PATH's header is that of data/collective-measurements.csv. */
int validate_is_collectives(const char *path);
/* Predicts every row of a collective measurements file on its chip. */
int validate_collectives(const char *path, const struct nb_profiles *set, const char *format,
			 double max_median, double max_error);

/* Whether PATH's header is that of data/workload-measurements.csv. */
int validate_is_workloads(const char *path);
/* Predicts every row of a workload measurements file (train and infer
 * cases) on its chip; prints the p90 |error| after the summary. */
int validate_workloads(const char *path, const struct nb_profiles *set, const char *format,
		       double max_median, double max_error);

#endif
