/* The export JSON of a run (doc/export.md documents the schema). */
#include "report/report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"
#include "targets/target.h"
#include "util/util.h"

void report_json_exact(cJSON *item)
{
	cJSON *c, *next;

	for (c = item ? item->child : NULL; c; c = next) {
		next = c->next;
		if (cJSON_IsNumber(c) && isfinite(c->valuedouble)) {
			double v = c->valuedouble;
			char buf[40];
			cJSON *raw;

			nb_format_exact(buf, sizeof(buf), v);
			raw = cJSON_CreateRaw(buf);
			if (!raw)
				die("out of memory formatting JSON");
			if (c->string)
				cJSON_ReplaceItemInObjectCaseSensitive(item, c->string, raw);
			else
				cJSON_ReplaceItemViaPointer(item, c, raw);
		} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			report_json_exact(c);
		}
	}
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* Adds stored JSON text as a value; unparsable text is kept as a string. */
static void add_raw_json(cJSON *o, const char *k, const char *text)
{
	cJSON *v = text ? cJSON_Parse(text) : NULL;

	if (v)
		cJSON_AddItemToObject(o, k, v);
	else if (text)
		cJSON_AddStringToObject(o, k, text);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_num(cJSON *o, const char *k, double v, int present)
{
	if (present)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* The run's profile snapshots, each once, by id: the chip's id, or, when
 * one run holds two snapshots of a chip (an imported mix), "ID.2", "ID.3"
 * in order of first use.  Returns the id of R's snapshot (in PROFILES),
 * NULL when it has none. */
static const char *snapshot_ref(cJSON *profiles, const struct nb_result *r)
{
	const char *base = r->target ? r->target : "profile";
	cJSON *snap, *c;
	char key[160];

	if (!r->profile_json)
		return NULL;
	if (!(snap = cJSON_Parse(r->profile_json)))
		snap = cJSON_CreateString(r->profile_json);
	cJSON_ArrayForEach(c, profiles) {
		if (cJSON_Compare(c, snap, 1)) {
			cJSON_Delete(snap);
			return c->string;
		}
	}
	snprintf(key, sizeof(key), "%s", base);
	for (int i = 2; cJSON_GetObjectItemCaseSensitive(profiles, key); i++)
		snprintf(key, sizeof(key), "%s.%d", base, i);
	cJSON_AddItemToObject(profiles, key, snap);
	return cJSON_GetArrayItem(profiles, cJSON_GetArraySize(profiles) - 1)->string;
}

static cJSON *result_json(const struct nb_result *r, int samples, cJSON *profiles)
{
	const char *ref = snapshot_ref(profiles, r);
	cJSON *o = cJSON_CreateObject(), *st, *v;
	int n = result_sample_count(r), m = n > 0, ok = r->seconds > 0;

	cJSON_AddNumberToObject(o, "seq", r->seq);
	add_str(o, "kernel", r->kernel);
	add_str(o, "case", r->case_text);
	add_raw_json(o, "params", r->params_json);
	add_str(o, "dtype", r->dtype);
	add_str(o, "target", r->target);
	add_str(o, "kind", result_kind_name(r->kind));
	add_str(o, "status", result_status_name(r->status));
	add_str(o, "message", r->message);
	cJSON_AddNumberToObject(o, "threads", r->threads);
	add_str(o, "impl", r->impl);
	add_num(o, "seconds", r->seconds, ok);
	add_num(o, "ops", r->ops, 1);
	add_num(o, "bytes", r->bytes, 1);
	add_num(o, "actual_ops", r->actual_ops, 1);
	add_num(o, "bytes_wa", r->bytes_wa, r->bytes_wa > 0);
	add_str(o, "unit", r->unit);
	add_num(o, "throughput", r->throughput, ok);
	st = cJSON_AddObjectToObject(o, "stats");
	cJSON_AddNumberToObject(st, "n", n);
	add_num(st, "min", r->stats.min, m);
	add_num(st, "max", r->stats.max, m);
	add_num(st, "mean", r->stats.mean, m);
	add_num(st, "median", r->stats.median, m);
	add_num(st, "sd", r->stats.sd, m);
	add_num(st, "mad", r->stats.mad, m);
	add_num(st, "p5", r->stats.p5, m);
	add_num(st, "p95", r->stats.p95, m);
	add_num(st, "ci95_lo", r->stats.ci_lo, m);
	add_num(st, "ci95_hi", r->stats.ci_hi, m);
	add_num(st, "outliers", r->stats.outliers, m);
	if (r->verify_what) {
		v = cJSON_AddObjectToObject(o, "verify");
		cJSON_AddNumberToObject(v, "error", r->verify_err);
		cJSON_AddNumberToObject(v, "tolerance", r->verify_tol);
		cJSON_AddStringToObject(v, "what", r->verify_what);
	} else {
		cJSON_AddNullToObject(o, "verify");
	}
	add_str(o, "bound", r->bound);
	add_num(o, "util", r->util, r->bound != NULL);
	if (result_is_workload(r))
		add_num(o, "mfu", r->util, r->bound != NULL);
	add_raw_json(o, "model", r->model_json);
	add_str(o, "profile", ref);
	add_str(o, "flags", r->flags);
	add_str(o, "created_at", r->created_at);
	if (samples) {
		cJSON *a = cJSON_AddArrayToObject(o, "samples");

		for (int i = 0; i < r->nsamples; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(r->samples[i]));
	}
	return o;
}

int report_result_selected(const struct nb_filter *f, const struct nb_result *r)
{
	int any = 0;

	if (!f)
		return 1;
	if (f->targets && !targets_select(f->targets, r->target, r->kind))
		return 0;
	if (f->nkernels == 0)
		return 1;
	for (int i = 0; i < f->nkernels && !any; i++)
		any = (r->kernel && nb_glob_match(f->kernels[i], r->kernel)) ||
		      (r->case_text && nb_glob_match(f->kernels[i], r->case_text));
	return any;
}

/* The document of RUN and its results RS[0..n) that F keeps. */
static cJSON *run_doc_records(const struct nb_run *run, const struct nb_result *rs, int n,
			      int samples, const struct nb_filter *f)
{
	cJSON *root, *ro, *arr, *profiles;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "schema", NB_EXPORT_SCHEMA);
	cJSON_AddNumberToObject(root, "schema_version", NB_EXPORT_VERSION);
	ro = cJSON_AddObjectToObject(root, "run");
	cJSON_AddNumberToObject(ro, "id", (double)run->id);
	add_str(ro, "uuid", run->uuid);
	add_str(ro, "started_at", run->started_at);
	add_str(ro, "ended_at", run->ended_at);
	add_str(ro, "status", run->status);
	add_str(ro, "tool_version", run->tool_version);
	add_str(ro, "build_flags", run->build_flags);
	add_str(ro, "hostname", run->hostname);
	add_str(ro, "cmdline", run->cmdline);
	add_raw_json(ro, "options", run->options_json);
	add_str(ro, "tag", run->tag);
	cJSON_AddNumberToObject(ro, "seed", (double)run->seed);
	add_str(ro, "distribution", run->distribution);
	add_raw_json(root, "host", run->host_json);
	profiles = cJSON_AddObjectToObject(root, "profiles");
	arr = cJSON_AddArrayToObject(root, "results");
	for (int i = 0; i < n; i++)
		if (report_result_selected(f, &rs[i]))
			cJSON_AddItemToArray(arr, result_json(&rs[i], samples, profiles));
	return root;
}

/* One stored run's document, or NULL after reporting. */
static cJSON *run_doc(struct nb_store *st, int64_t run_id, int samples, const struct nb_filter *f)
{
	struct nb_run run;
	struct nb_result *rs = NULL;
	cJSON *root;
	int n = 0;

	if (store_run_get(st, run_id, &run))
		return NULL;
	if (store_results_get(st, run_id, &rs, &n)) {
		run_release(&run);
		return NULL;
	}
	root = run_doc_records(&run, rs, n, samples, f);
	results_free(rs, n);
	run_release(&run);
	return root;
}

char *report_run_records_json(const struct nb_run *run, const struct nb_result *rs, int n)
{
	return report_json_text(run_doc_records(run, rs, n, 0, NULL));
}

char *report_json_text(cJSON *root)
{
	char *text;

	report_json_exact(root);
	text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		die("out of memory formatting JSON");
	return text;
}

char *report_run_json(struct nb_store *st, int64_t run_id, int samples)
{
	cJSON *root = run_doc(st, run_id, samples, NULL);

	return root ? report_json_text(root) : NULL;
}

char *report_export_json(struct nb_store *st, const int64_t *ids, int n, int samples,
			 int many, const struct nb_filter *f)
{
	cJSON *root, *arr;

	if (!many) {
		root = run_doc(st, ids[0], samples, f);
		return root ? report_json_text(root) : NULL;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "schema", NB_EXPORT_MANY_SCHEMA);
	cJSON_AddNumberToObject(root, "schema_version", NB_EXPORT_VERSION);
	arr = cJSON_AddArrayToObject(root, "runs");
	for (int i = 0; i < n; i++) {
		cJSON *doc = run_doc(st, ids[i], samples, f);

		if (!doc) {
			cJSON_Delete(root);
			return NULL;
		}
		cJSON_AddItemToArray(arr, doc);
	}
	return report_json_text(root);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first key that appears twice in one object under ITEM, or NULL.
 * Sorting each object's keys keeps a hostile document's cost n log n. */
static const char *duplicate_key(const cJSON *item)
{
	const char **keys = NULL;
	const char *dup = NULL;
	size_t n = 0, cap = 0;

	for (const cJSON *c = item ? item->child : NULL; c && !dup; c = c->next) {
		if (cJSON_IsObject(item) && c->string) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				keys = xrealloc(keys, cap * sizeof(*keys));
			}
			keys[n++] = c->string;
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			dup = duplicate_key(c);
	}
	if (!dup && n > 1) {
		qsort(keys, n, sizeof(*keys), cmp_key);
		for (size_t i = 1; i < n && !dup; i++)
			if (!strcmp(keys[i - 1], keys[i]))
				dup = keys[i];
	}
	free(keys);
	return dup;
}

int report_json_unique_keys(const cJSON *root, const char *path)
{
	const char *dup = duplicate_key(root);

	if (dup)
		return error("%s: duplicate key \"%s\": each key may appear once in an object", path, dup);
	return 0;
}
