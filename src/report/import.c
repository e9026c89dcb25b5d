/* Reading an export JSON document back (npubench import): every field is
 * checked before anything is stored, so a bad file is rejected whole. */
#include "report/report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel.h"
#include "store/store.h"
#include "util/dtype.h"
#include "util/util.h"

/* Where in the document a problem is: the file and a key path. */
struct where {
	const char *file;
	char path[128];
	const cJSON *profiles;	/* the run's profile snapshots by id (schema 2) */
};

static int bad(const struct where *w, const char *key, const char *what)
{
	return error("%s: %s%s%s: %s", w->file, w->path, *w->path && key ? "." : "", key ? key : "",
		     what);
}

static const char *type_name(const cJSON *v)
{
	if (!v)
		return "missing";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

/* A string field; NULL allowed when NULLABLE.  *out is malloc'd or NULL. */
static int get_str(const struct where *w, const cJSON *o, const char *key, int nullable, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char msg[96];

	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (nullable && (!v || cJSON_IsNull(v)))
		return 0;
	snprintf(msg, sizeof(msg), "expected a string%s, got %s", nullable ? " or null" : "",
		 type_name(v));
	return bad(w, key, msg);
}

/* A finite number >= MIN; null (or missing) gives 0 and *present 0 when
 * PRESENT is not NULL, else is an error. */
static int get_num(const struct where *w, const cJSON *o, const char *key, double min,
		   double *out, int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char msg[96];

	*out = 0;
	if (present)
		*present = 0;
	if (present && (!v || cJSON_IsNull(v)))
		return 0;
	if (!cJSON_IsNumber(v)) {
		snprintf(msg, sizeof(msg), "expected a number%s, got %s", present ? " or null" : "",
			 type_name(v));
		return bad(w, key, msg);
	}
	if (!isfinite(v->valuedouble) || v->valuedouble < min) {
		snprintf(msg, sizeof(msg), "expected a finite number >= %g, got %g", min, v->valuedouble);
		return bad(w, key, msg);
	}
	*out = v->valuedouble;
	if (present)
		*present = 1;
	return 0;
}

static int get_int(const struct where *w, const cJSON *o, const char *key, double min, double max,
		   int64_t *out)
{
	double d;
	char msg[96];

	if (get_num(w, o, key, min, &d, NULL))
		return -1;
	if (d != floor(d) || d > max) {
		snprintf(msg, sizeof(msg), "expected an integer from %g to %g, got %.17g", min, max, d);
		return bad(w, key, msg);
	}
	*out = (int64_t)d;
	return 0;
}

/* Any JSON value kept as compact text (a string is kept as its text, as the
 * export writes stored text it could not parse); null gives NULL. */
static int get_json_text(const struct where *w, const cJSON *o, const char *key, int want_object,
			 char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return want_object ? bad(w, key, "expected an object, got null") : 0;
	if (want_object && !cJSON_IsObject(v))
		return bad(w, key, "expected an object");
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	{
		cJSON *copy = cJSON_Duplicate(v, 1);

		report_json_exact(copy);
		*out = cJSON_PrintUnformatted(copy);
		cJSON_Delete(copy);
	}
	if (!*out)
		die("out of memory formatting JSON");
	return 0;
}

/* A result's profile snapshot: since schema 2 the id of one in the run's
 * "profiles"; before, the snapshot itself. */
static int get_profile(const struct where *w, const cJSON *o, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "profile"), *snap;
	struct where at = *w;
	const char *rs;
	char msg[160];

	if (!cJSON_IsString(v) || !w->profiles)
		return get_json_text(w, o, "profile", 0, out);
	*out = NULL;
	snap = cJSON_GetObjectItemCaseSensitive(w->profiles, v->valuestring);
	if (!snap) {
		snprintf(msg, sizeof(msg), "no snapshot \"%.60s\" in the run's \"profiles\"",
			 v->valuestring);
		return bad(w, "profile", msg);
	}
	/* the run's prefix ("runs[1].", or none), then "profiles" */
	rs = strstr(w->path, "results[");
	snprintf(at.path, sizeof(at.path), "%.*sprofiles", rs ? (int)(rs - w->path) : 0, w->path);
	return get_json_text(&at, w->profiles, v->valuestring, 1, out);
}

static int is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	}
	return 1;
}

static int parse_stats(struct where *w, const cJSON *o, struct nb_result *r)
{
	static const char *const keys[] = { "min", "max", "mean", "median", "sd", "mad", "p5", "p95",
					    "ci95_lo", "ci95_hi" };
	double *dst[] = { &r->stats.min, &r->stats.max, &r->stats.mean, &r->stats.median,
			  &r->stats.sd, &r->stats.mad, &r->stats.p5, &r->stats.p95,
			  &r->stats.ci_lo, &r->stats.ci_hi };
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "stats");
	size_t len = strlen(w->path);
	int64_t n, out = 0;
	int present;

	if (!cJSON_IsObject(st))
		return bad(w, "stats", "expected an object");
	snprintf(w->path + len, sizeof(w->path) - len, ".stats");
	if (get_int(w, st, "n", 0, 1e9, &n))
		return -1;
	r->stats.n = (size_t)n;
	for (size_t i = 0; i < NB_ARRAY_SIZE(keys); i++)
		if (get_num(w, st, keys[i], 0, dst[i], &present))
			return -1;
	if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "outliers")) &&
	    get_int(w, st, "outliers", 0, 1e9, &out))
		return -1;
	r->stats.outliers = (int)out;
	w->path[len] = '\0';
	return 0;
}

/* TEXT of KEY is at most MAX bytes. */
static int check_len(const struct where *w, const char *key, const char *text, size_t max)
{
	char msg[96];

	if (!text || strlen(text) <= max)
		return 0;
	snprintf(msg, sizeof(msg), "%zu bytes (at most %zu)", strlen(text), max);
	return bad(w, key, msg);
}

/* What a parsed result says must hold, checked with the parsers run uses:
 * a known dtype, case text that is a case of the named kernel, a measured
 * result from the host only, statistics in order, names of sane length. */
static int check_meaning(const struct where *w, const struct nb_result *r)
{
	struct nb_case c;
	char msg[256], why[200];

	if (check_len(w, "kernel", r->kernel, 64) || check_len(w, "case", r->case_text, 1024) ||
	    check_len(w, "target", r->target, 128) || check_len(w, "impl", r->impl, 128) ||
	    check_len(w, "message", r->message, 4096) || check_len(w, "flags", r->flags, 1024))
		return -1;
	if (r->dtype && dtype_parse(r->dtype) < 0) {
		snprintf(msg, sizeof(msg), "unknown dtype '%.32s'", r->dtype);
		return bad(w, "dtype", msg);
	}
	if (case_parse(r->case_text, &c, why, sizeof(why)))
		return bad(w, "case", why);
	if (strcmp(c.kernel->name, r->kernel)) {
		snprintf(msg, sizeof(msg), "is a %s case, but kernel is \"%.64s\"", c.kernel->name,
			 r->kernel);
		return bad(w, "case", msg);
	}
	if (r->kind == NB_MEASURED && strcmp(r->target, "host"))
		return bad(w, "kind", "a measured result must come from the host (chips are predicted)");
	if (r->stats.n > 0) {
		const struct nb_stats *s = &r->stats;

		if (s->min > s->max) {
			snprintf(msg, sizeof(msg), "min %g is above max %g", s->min, s->max);
			return bad(w, "stats", msg);
		}
		if (s->median < s->min || s->median > s->max || s->mean < s->min || s->mean > s->max) {
			snprintf(msg, sizeof(msg), "median %g or mean %g is outside min %g and max %g",
				 s->median, s->mean, s->min, s->max);
			return bad(w, "stats", msg);
		}
	}
	return 0;
}

static int parse_result(struct where *w, const cJSON *o, struct nb_result *r)
{
	const cJSON *v;
	char *text = NULL;
	int64_t iv;
	int present, k, ret = -1;

	if (!cJSON_IsObject(o))
		return bad(w, NULL, "expected an object");
	if (get_int(w, o, "seq", 1, 1e9, &iv))
		return -1;
	r->seq = (int)iv;
	if (get_str(w, o, "kernel", 0, &r->kernel) || get_str(w, o, "case", 0, &r->case_text) ||
	    get_json_text(w, o, "params", 1, &r->params_json) ||
	    get_str(w, o, "dtype", 1, &r->dtype) || get_str(w, o, "target", 0, &r->target))
		return -1;
	if (!*r->kernel || !*r->case_text || !*r->target)
		return bad(w, !*r->kernel ? "kernel" : !*r->case_text ? "case" : "target",
			   "must not be empty");
	if (get_str(w, o, "kind", 0, &text))
		return -1;
	if (!strcmp(text, "measured"))
		r->kind = NB_MEASURED;
	else if (!strcmp(text, "predicted"))
		r->kind = NB_PREDICTED;
	else {
		bad(w, "kind", "expected \"measured\" or \"predicted\"");
		goto out;
	}
	free(text);
	text = NULL;
	if (get_str(w, o, "status", 0, &text))
		return -1;
	if ((k = result_status_parse(text)) < 0) {
		bad(w, "status", "expected ok, verify_failed, unsupported, no_fit or error");
		goto out;
	}
	r->status = (enum nb_result_status)k;
	if (get_str(w, o, "message", 1, &r->message) ||
	    get_int(w, o, "threads", 0, 1e6, &iv))
		goto out;
	r->threads = (int)iv;
	if (get_str(w, o, "impl", 1, &r->impl) ||
	    get_num(w, o, "seconds", 0, &r->seconds, &present) ||
	    get_num(w, o, "ops", 0, &r->ops, &present) ||
	    get_num(w, o, "bytes", 0, &r->bytes, &present) ||
	    get_num(w, o, "actual_ops", 0, &r->actual_ops, &present) ||
	    get_num(w, o, "bytes_wa", 0, &r->bytes_wa, &present) ||
	    get_str(w, o, "unit", 1, &r->unit) ||
	    get_num(w, o, "throughput", 0, &r->throughput, &present) ||
	    parse_stats(w, o, r))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "verify");
	if (v && !cJSON_IsNull(v)) {
		size_t len = strlen(w->path);

		if (!cJSON_IsObject(v)) {
			bad(w, "verify", "expected an object or null");
			goto out;
		}
		snprintf(w->path + len, sizeof(w->path) - len, ".verify");
		if (get_num(w, v, "error", 0, &r->verify_err, NULL) ||
		    get_num(w, v, "tolerance", 0, &r->verify_tol, NULL) ||
		    get_str(w, v, "what", 0, &r->verify_what))
			goto out;
		w->path[len] = '\0';
	}
	if (get_str(w, o, "bound", 1, &r->bound) ||
	    get_num(w, o, "util", 0, &r->util, &present) ||
	    get_json_text(w, o, "model", 0, &r->model_json) ||
	    get_profile(w, o, &r->profile_json) ||
	    get_str(w, o, "flags", 1, &r->flags) || get_str(w, o, "created_at", 1, &r->created_at))
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "samples");
	if (v && !cJSON_IsNull(v)) {
		const cJSON *x;
		int i = 0, n = cJSON_GetArraySize(v);

		if (!cJSON_IsArray(v)) {
			bad(w, "samples", "expected an array of seconds");
			goto out;
		}
		if (n > 0 && (size_t)n != r->stats.n) {
			char msg[96];

			snprintf(msg, sizeof(msg), "has %d samples but stats.n is %zu", n, r->stats.n);
			bad(w, "samples", msg);
			goto out;
		}
		r->samples = n ? xcalloc((size_t)n, sizeof(double)) : NULL;
		cJSON_ArrayForEach(x, v) {
			if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) || x->valuedouble <= 0) {
				char msg[64];

				snprintf(msg, sizeof(msg), "sample %d is not a positive number of seconds", i);
				bad(w, "samples", msg);
				goto out;
			}
			r->samples[i++] = x->valuedouble;
		}
		r->nsamples = n;
	}
	ret = check_meaning(w, r);
out:
	free(text);
	return ret;
}

static int parse_run(const char *file, const char *prefix, const cJSON *doc, struct nb_run_import *ri)
{
	struct where w = { file, "", NULL };
	const cJSON *run, *res, *x;
	struct nb_run *r = &ri->run;
	int64_t seed;
	int i = 0;

	snprintf(w.path, sizeof(w.path), "%s", prefix);
	run = cJSON_GetObjectItemCaseSensitive(doc, "run");
	if (!cJSON_IsObject(run))
		return bad(&w, "run", "expected an object");
	snprintf(w.path, sizeof(w.path), "%s%srun", prefix, *prefix ? "." : "");
	if (get_str(&w, run, "uuid", 0, &r->uuid))
		return -1;
	if (!is_uuid(r->uuid))
		return bad(&w, "uuid", "expected a lowercase UUID like 3db7728b-d9be-497e-96bf-75931b588f00");
	if (get_str(&w, run, "started_at", 0, &r->started_at) ||
	    get_str(&w, run, "ended_at", 1, &r->ended_at) ||
	    get_str(&w, run, "status", 0, &r->status))
		return -1;
	if (strcmp(r->status, "running") && strcmp(r->status, "complete") &&
	    strcmp(r->status, "interrupted") && strcmp(r->status, "failed"))
		return bad(&w, "status", "expected running, complete, interrupted or failed");
	if (get_str(&w, run, "tool_version", 0, &r->tool_version) ||
	    get_str(&w, run, "build_flags", 1, &r->build_flags) ||
	    get_str(&w, run, "hostname", 1, &r->hostname) ||
	    get_str(&w, run, "cmdline", 1, &r->cmdline) ||
	    get_json_text(&w, run, "options", 0, &r->options_json) ||
	    get_str(&w, run, "tag", 1, &r->tag) ||
	    get_int(&w, run, "seed", 0, 9007199254740992.0, &seed) ||
	    get_str(&w, run, "distribution", 1, &r->distribution))
		return -1;
	r->seed = seed;
	snprintf(w.path, sizeof(w.path), "%s", prefix);
	if (get_json_text(&w, doc, "host", 0, &r->host_json))
		return -1;
	w.profiles = cJSON_GetObjectItemCaseSensitive(doc, "profiles");
	if (w.profiles && !cJSON_IsNull(w.profiles) && !cJSON_IsObject(w.profiles))
		return bad(&w, "profiles", "expected an object of profile snapshots by id");
	if (!cJSON_IsObject(w.profiles))
		w.profiles = NULL;
	res = cJSON_GetObjectItemCaseSensitive(doc, "results");
	if (!cJSON_IsArray(res))
		return bad(&w, "results", "expected an array");
	ri->results = xcalloc((size_t)cJSON_GetArraySize(res) + 1, sizeof(struct nb_result));
	cJSON_ArrayForEach(x, res) {
		snprintf(w.path, sizeof(w.path), "%s%sresults[%d]", prefix, *prefix ? "." : "", i);
		ri->nresults = i + 1;
		if (parse_result(&w, x, &ri->results[i]))
			return -1;
		for (int k = 0; k < i; k++)
			if (ri->results[k].seq == ri->results[i].seq)
				return bad(&w, "seq", "repeats an earlier result's seq");
		i++;
	}
	return 0;
}

/* The schema and version of DOC: 0 when this build reads it. */
static int check_schema(const char *file, const char *prefix, const cJSON *doc, const char *want)
{
	struct where w = { file, "", NULL };
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "schema");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");

	snprintf(w.path, sizeof(w.path), "%s", prefix);
	if (!cJSON_IsString(s) || strcmp(s->valuestring, want)) {
		char got[96];

		if (cJSON_IsString(s))
			snprintf(got, sizeof(got), "\"%.80s\"", s->valuestring);
		else
			snprintf(got, sizeof(got), "%s", type_name(s));
		return error("%s: %s%sschema is %s, expected \"%s\": not an npubench export "
			     "(write one with 'npubench export --format json')", file, prefix,
			     *prefix ? "." : "", got, want);
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 1)
		return bad(&w, "schema_version", "expected a positive integer");
	if (v->valuedouble > NB_EXPORT_VERSION)
		return error("%s: schema_version %g is newer than this npubench reads (%d); "
			     "upgrade npubench to import it", file, v->valuedouble, NB_EXPORT_VERSION);
	return 0;
}

int report_import_parse(const char *path, const char *text, struct nb_run_import **runs, int *n)
{
	cJSON *doc = cJSON_Parse(text), *s;
	int ret = -1;

	*runs = NULL;
	*n = 0;
	if (!doc) {
		const char *at = cJSON_GetErrorPtr();
		int line = 1;

		for (const char *p = text; at && p < at && *p; p++)
			line += *p == '\n';
		return error("%s: line %d: not valid JSON", path, line);
	}
	if (report_json_unique_keys(doc, path))
		goto out;
	if (!cJSON_IsObject(doc)) {
		error("%s: expected a JSON object (an npubench export)", path);
		goto out;
	}
	s = cJSON_GetObjectItemCaseSensitive(doc, "schema");
	if (cJSON_IsString(s) && !strcmp(s->valuestring, NB_EXPORT_MANY_SCHEMA)) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "runs"), *x;
		int i = 0;

		if (check_schema(path, "", doc, NB_EXPORT_MANY_SCHEMA))
			goto out;
		if (!cJSON_IsArray(arr)) {
			error("%s: runs: expected an array", path);
			goto out;
		}
		*runs = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(**runs));
		cJSON_ArrayForEach(x, arr) {
			char prefix[32];

			snprintf(prefix, sizeof(prefix), "runs[%d]", i);
			*n = i + 1;
			if (!cJSON_IsObject(x)) {
				error("%s: %s: expected an object", path, prefix);
				goto out;
			}
			if (check_schema(path, prefix, x, NB_EXPORT_SCHEMA) ||
			    parse_run(path, prefix, x, &(*runs)[i]))
				goto out;
			for (int k = 0; k < i; k++) {
				if (!strcmp((*runs)[k].run.uuid, (*runs)[i].run.uuid)) {
					error("%s: %s.run.uuid: the same run appears twice (runs[%d])", path,
					      prefix, k);
					goto out;
				}
			}
			i++;
		}
	} else {
		if (check_schema(path, "", doc, NB_EXPORT_SCHEMA))
			goto out;
		*runs = xcalloc(1, sizeof(**runs));
		*n = 1;
		if (parse_run(path, "", doc, &(*runs)[0]))
			goto out;
	}
	ret = 0;
out:
	cJSON_Delete(doc);
	if (ret) {
		report_import_free(*runs, *n);
		*runs = NULL;
		*n = 0;
	}
	return ret;
}

void report_import_free(struct nb_run_import *runs, int n)
{
	for (int i = 0; runs && i < n; i++) {
		run_release(&runs[i].run);
		results_free(runs[i].results, runs[i].nresults);
	}
	free(runs);
}
