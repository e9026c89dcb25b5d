/* The export JSON of a run (doc/export.md documents the schema). */
#include "report/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/util.h"

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

static cJSON *result_json(const struct nb_result *r, int samples)
{
	cJSON *o = cJSON_CreateObject(), *st, *v;
	int m = r->nsamples > 0, ok = r->seconds > 0;

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
	add_str(o, "unit", r->unit);
	add_num(o, "throughput", r->throughput, ok);
	st = cJSON_AddObjectToObject(o, "stats");
	cJSON_AddNumberToObject(st, "n", r->nsamples);
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
	cJSON_AddNumberToObject(st, "outliers", r->stats.outliers);
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
	add_raw_json(o, "model", r->model_json);
	add_raw_json(o, "profile", r->profile_json);
	add_str(o, "flags", r->flags);
	add_str(o, "created_at", r->created_at);
	if (samples) {
		cJSON *a = cJSON_AddArrayToObject(o, "samples");

		for (int i = 0; i < r->nsamples; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(r->samples[i]));
	}
	return o;
}

char *report_run_json(struct nb_store *st, int64_t run_id, int samples)
{
	struct nb_run run;
	struct nb_result *rs = NULL;
	cJSON *root, *ro, *arr;
	char *text;
	int n = 0;

	if (store_run_get(st, run_id, &run))
		return NULL;
	if (store_results_get(st, run_id, &rs, &n)) {
		run_release(&run);
		return NULL;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "schema", "npubench-run");
	cJSON_AddNumberToObject(root, "schema_version", 1);
	ro = cJSON_AddObjectToObject(root, "run");
	cJSON_AddNumberToObject(ro, "id", (double)run.id);
	add_str(ro, "uuid", run.uuid);
	add_str(ro, "started_at", run.started_at);
	add_str(ro, "ended_at", run.ended_at);
	add_str(ro, "status", run.status);
	add_str(ro, "tool_version", run.tool_version);
	add_str(ro, "build_flags", run.build_flags);
	add_str(ro, "hostname", run.hostname);
	add_str(ro, "cmdline", run.cmdline);
	add_raw_json(ro, "options", run.options_json);
	add_str(ro, "tag", run.tag);
	cJSON_AddNumberToObject(ro, "seed", (double)run.seed);
	add_str(ro, "distribution", run.distribution);
	add_raw_json(root, "host", run.host_json);
	arr = cJSON_AddArrayToObject(root, "results");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, result_json(&rs[i], samples));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	results_free(rs, n);
	run_release(&run);
	if (!text)
		die("out of memory formatting JSON");
	return text;
}
