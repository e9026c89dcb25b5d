/* The SQLite store: runs and their results.  The only module that includes
 * sqlite3.h.  Versioned schema with forward migrations, WAL, a busy timeout,
 * prepared statements; each result is committed as it is added. */
#ifndef NB_STORE_H
#define NB_STORE_H

#include <stdint.h>

#include "targets/result.h"

struct nb_store;

/* The schema version this build writes. */
#define NB_SCHEMA_VERSION 3

enum { NB_STORE_READONLY = 1 };

/* Opens PATH (":memory:" works), creating it and its folder when missing,
 * migrating an older schema forward.  Errors name the file and what to do
 * (locked, read-only, corrupt, newer schema).  Returns 0 or -1. */
int store_open(const char *path, int flags, struct nb_store **out);
void store_close(struct nb_store *st);
const char *store_path(const struct nb_store *st);
/* Opens PATH and migrates only up to version TO (tests of migrations). */
int store_open_at_version(const char *path, int to, struct nb_store **out);
int store_schema_version(struct nb_store *st);
/* Runs PRAGMA integrity_check; 0 when "ok". */
int store_integrity_check(struct nb_store *st);

struct nb_run {
	int64_t id;
	char *uuid;
	char *started_at, *ended_at;
	char *status;		/* running, complete, interrupted, failed */
	char *tool_version, *build_flags;
	char *host_json;	/* `npubench info --format json` */
	char *hostname;
	char *cmdline;
	char *options_json;
	char *tag;
	int64_t seed;
	char *distribution;
	int64_t pid;
	int nresults;		/* filled by queries */
	int nfailed;
};

void run_release(struct nb_run *r);

/* Inserts RUN (status running); sets run->id and, when empty, run->uuid. */
int store_run_begin(struct nb_store *st, struct nb_run *run);
/* Marks a run complete / interrupted / failed with its end time. */
int store_run_finish(struct nb_store *st, int64_t run_id, const char *status);
/* The same for RUN, whose status and end time in memory follow the store's. */
int store_run_end(struct nb_store *st, struct nb_run *run, const char *status);
/* Adds a result to a run in its own transaction; sets r->id. */
int store_result_add(struct nb_store *st, int64_t run_id, struct nb_result *r);

/* A run to import with its results (times, samples and snapshots as
 * given); SKIPPED is set when its UUID was already stored. */
struct nb_run_import {
	struct nb_run run;
	struct nb_result *results;
	int nresults;
	int skipped;
};

/* Adds whole runs in one transaction: every run or none.  A run whose UUID
 * the database already holds is skipped, not merged. */
int store_import(struct nb_store *st, struct nb_run_import *runs, int n);

/* Resolves "last", a numeric id or a UUID (prefix) to a run id. */
int store_run_resolve(struct nb_store *st, const char *spec, int64_t *id);
/* The newest run's id in *ID, 0 when there is none (not an error). */
int store_run_newest(struct nb_store *st, int64_t *id);
int store_run_get(struct nb_store *st, int64_t id, struct nb_run *out);
/* Every run, newest first. */
int store_runs_list(struct nb_store *st, struct nb_run **runs, int *n);
/* Every result of a run, in order, with samples and snapshots. */
int store_results_get(struct nb_store *st, int64_t run_id, struct nb_result **rs, int *n);
/* For every case stored for TARGET, its result from the latest run that
 * has one (oldest run first, then in run order). */
int store_results_latest(struct nb_store *st, const char *target, struct nb_result **rs, int *n);
void results_free(struct nb_result *rs, int n);

/* Records an attempt to push RUN to URL in FORMAT: ok, or the error. */
int store_push_record(struct nb_store *st, int64_t run_id, const char *url,
		      const char *format, int ok, const char *detail);
/* Finished runs (complete or interrupted) never pushed successfully to URL
 * in FORMAT, oldest first; *ids is malloc'd. */
int store_runs_pending_push(struct nb_store *st, const char *url, const char *format,
			    int64_t **ids, int *n);

#endif
