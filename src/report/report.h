/* Reports: stored runs rendered for people and for other tools. */
#ifndef NB_REPORT_H
#define NB_REPORT_H

#include <stdint.h>

struct nb_store;
struct nb_result;
struct nb_run_import;

/* The export schemas (doc/export.md): one run, or several in one file. */
#define NB_EXPORT_SCHEMA "npubench-run"
#define NB_EXPORT_MANY_SCHEMA "npubench-runs"
#define NB_EXPORT_VERSION 2

/* Which results a report keeps: TARGETS as targets_parse read them with
 * NB_TARGETS_FILTER, KERNELS globs matched against the kernel name or the
 * whole case text; NULL/0 keeps everything. */
struct nb_targets;
struct nb_filter {
	const struct nb_targets *targets;
	char **kernels;
	int nkernels;
};

/* Replaces every number in the tree under ITEM by its exact text (the
 * shortest that reads back as the same double): cJSON's own printer may
 * round the last digit, and the export promises full precision. */
struct cJSON;
void report_json_exact(struct cJSON *item);
/* 0 when no object under ROOT has a key twice; else -1 after reporting
 * PATH and the key (cJSON keeps both copies, and readers would pick one). */
int report_json_unique_keys(const struct cJSON *root, const char *path);
/* ROOT with exact numbers, as indented text (malloc'd); ROOT is freed. */
char *report_json_text(struct cJSON *root);

int report_result_selected(const struct nb_filter *f, const struct nb_result *r);

/* The export JSON of one run (schema "npubench-run", documented in
 * doc/export.md): run metadata, host description, results, and with
 * SAMPLES every timing sample.  malloc'd text, or NULL after reporting. */
char *report_run_json(struct nb_store *st, int64_t run_id, int samples);
/* The same document from records in memory: a run that has just finished
 * prints without reading the store back. */
struct nb_run;
char *report_run_records_json(const struct nb_run *run, const struct nb_result *rs, int n);
/* The export JSON of runs IDS[0..n) with the results F keeps: one run's
 * document when !MANY (n is 1), else the "npubench-runs" document holding
 * one per run. */
char *report_export_json(struct nb_store *st, const int64_t *ids, int n, int samples,
			 int many, const struct nb_filter *f);

/* This host (CPU, features, caches, memory, build, kernel implementations)
 * as a JSON object, malloc'd; indented when PRETTY. */
char *report_host_json(int pretty);
/* The same with the measured ceilings (hostinfo_peaks: fp32 FMA, bf16 dot,
 * int8 dot; 0 = absent, written as null) when PEAKS is not NULL. */
char *report_host_json_peaks(int pretty, const double *peaks);
/* ... and with GPUS, the GPUs as `info` lists them (loads the CUDA plugin:
 * not for the description stored with every run). */
char *report_host_json_full(int pretty, const double *peaks, int gpus);

/* Parses an export JSON document (either schema) read from PATH into runs
 * ready for store_import; the whole file is checked first and rejected on
 * the first problem, reported as "PATH: results[2].kind: what is wrong".
 * Returns 0, or -1 after reporting. */
int report_import_parse(const char *path, const char *text, struct nb_run_import **runs, int *n);
void report_import_free(struct nb_run_import *runs, int n);

#endif
