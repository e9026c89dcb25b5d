#include "report/table.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/util.h"

void result_throughput_text(const struct nb_result *r, char *buf, size_t n)
{
	if (r->status != NB_RES_OK && r->status != NB_RES_VERIFY_FAILED) {
		snprintf(buf, n, "-");
		return;
	}
	nb_format_si(buf, n, r->throughput, r->unit ? r->unit : "");
}

/* Sparse work: the throughput column is an effective rate (dense-equivalent
 * work over the time); the note gives the rate of the work actually done. */
static void sparse_note(const struct nb_result *r, char *buf, size_t n)
{
	char v[32];

	buf[0] = '\0';
	if (r->actual_ops > 0 && r->seconds > 0) {
		nb_format_si(v, sizeof(v), r->actual_ops / r->seconds, r->unit ? r->unit : "");
		snprintf(buf, n, "; effective rate (dense-equivalent), %s actual", v);
	}
}

/* The flags as a reader sees them: "outliers" with its count, so that a
 * tight median beside a few stray samples reads as the fact it is. */
static void flags_text(const struct nb_result *r, char *buf, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = r->flags; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == 8 && !strncmp(p, "outliers", 8) && r->stats.outliers > 0)
			sb_addf(&sb, "%s%d outliers", sb.len ? "," : "", r->stats.outliers);
		else
			sb_addf(&sb, "%s%.*s", sb.len ? "," : "", (int)len, p);
		p += len + (p[len] == ',');
	}
	snprintf(buf, n, "%s", sb_str(&sb));
	sb_release(&sb);
}

void result_note_text(const struct nb_result *r, char *buf, size_t n)
{
	char sp[96];

	sparse_note(r, sp, sizeof(sp));
	switch (r->status) {
	case NB_RES_OK:
		if (r->kind == NB_PREDICTED) {
			snprintf(buf, n, "predicted, %s-bound, %.0f%% of peak%s%s%s", r->bound ? r->bound : "?",
				 r->util * 100, sp, r->message ? "; " : "", r->message ? r->message : "");
		} else {
			double ci = stats_noise_pct(&r->stats);
			char wa[64] = "", fl[256];

			/* Bandwidth counting write-allocate reads too, when it differs
			 * from the minimum (STREAM's) convention of the throughput. */
			if (r->unit && !strcmp(r->unit, "B/s") && r->bytes_wa > r->bytes && r->seconds > 0) {
				char v[32];

				nb_format_si(v, sizeof(v), r->bytes_wa / r->seconds, "B/s");
				snprintf(wa, sizeof(wa), ", %s with write-allocate", v);
			}
			flags_text(r, fl, sizeof(fl));
			/* The message of a good measurement is a remark on it (a
			 * collective's algbw, why a GPU's clocks are missing). */
			snprintf(buf, n, "measured, %d thr, n=%d, ±%.1f%%%s%s%s%s%s%s", r->threads,
				 result_sample_count(r), ci, wa, *fl ? ", " : "", fl, sp,
				 r->message ? "; " : "", r->message ? r->message : "");
		}
		return;
	case NB_RES_VERIFY_FAILED:
		snprintf(buf, n, "VERIFICATION FAILED: %s", r->message ? r->message : "");
		return;
	case NB_RES_UNSUPPORTED:
		snprintf(buf, n, "unsupported: %s", r->message ? r->message : "");
		return;
	case NB_RES_NO_FIT:
		if (r->message && !strncmp(r->message, "does not fit", 12))
			snprintf(buf, n, "%s", r->message);
		else
			snprintf(buf, n, "does not fit: %s", r->message ? r->message : "");
		return;
	case NB_RES_ERROR:
		snprintf(buf, n, "error: %s", r->message ? r->message : "");
		return;
	}
	snprintf(buf, n, "?");
}

char *result_label(const struct nb_result *r)
{
	return case_format_label_text(r->case_text);
}

void table_header(FILE *f, int w)
{
	fprintf(f, "%-*s  %-14s  %10s  %16s  %s\n", w, "case", "target", "time", "throughput", "note");
}

void table_row(FILE *f, const struct nb_result *r, int w)
{
	char t[32], tp[48], note[512], *label = result_label(r);

	if (r->seconds > 0)
		nb_format_time(t, sizeof(t), r->seconds);
	else
		snprintf(t, sizeof(t), "-");
	result_throughput_text(r, tp, sizeof(tp));
	result_note_text(r, note, sizeof(note));
	fprintf(f, "%-*s  %-14s  %10s  %16s  %s\n", w, label, r->target, t, tp, note);
	free(label);
}

void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v, int present)
{
	char buf[40];

	fputc(',', f);
	if (present) {
		nb_format_exact(buf, sizeof(buf), v);
		fputs(buf, f);
	}
}

static void csv_text(FILE *f, const char *s)
{
	fputc(',', f);
	csv_field(f, s);
}

void csv_header_fields(FILE *f, char *const *params, int nparams)
{
	fputs("run_id,run_uuid,seq,kernel,case,params_json,dtype,target,kind,status,message,"
	      "threads,impl,n_samples,seconds,t_min,t_median,t_mean,t_sd,t_mad,t_p5,t_p95,"
	      "t_ci_lo,t_ci_hi,ops,bytes,actual_ops,unit,throughput,verify_err,verify_tol,"
	      "bound,util,flags,"
	      "t_max,outliers,verify_what,created_at,run_started_at,hostname,tag,bytes_wa,mfu", f);
	for (int i = 0; i < nparams; i++) {
		char *name = xasprintf("param_%s", params[i]);

		csv_text(f, name);
		free(name);
	}
}

void csv_header(FILE *f, char *const *params, int nparams)
{
	csv_header_fields(f, params, nparams);
	fputs("\r\n", f);
}

/* The value of parameter NAME in the result's params_json, as CSV text. */
static void csv_param(FILE *f, const cJSON *params, const char *name)
{
	const cJSON *v = params ? cJSON_GetObjectItemCaseSensitive(params, name) : NULL;

	fputc(',', f);
	if (cJSON_IsString(v))
		csv_field(f, v->valuestring);
	else if (cJSON_IsNumber(v)) {
		char buf[40];

		nb_format_exact(buf, sizeof(buf), v->valuedouble);
		fputs(buf, f);
	}
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "1" : "0", f);
}

void csv_row_fields(FILE *f, const struct nb_result *r, const struct nb_run *run,
		    char *const *params, int nparams)
{
	int n = result_sample_count(r), m = n > 0, ok = r->seconds > 0, wl = result_is_workload(r) && ok;
	cJSON *pj;

	fprintf(f, "%lld", (long long)run->id);
	csv_text(f, run->uuid);
	fprintf(f, ",%d", r->seq);
	csv_text(f, r->kernel);
	csv_text(f, r->case_text);
	csv_text(f, r->params_json);
	csv_text(f, r->dtype);
	csv_text(f, r->target);
	csv_text(f, result_kind_name(r->kind));
	csv_text(f, result_status_name(r->status));
	csv_text(f, r->message);
	fprintf(f, ",%d", r->threads);
	csv_text(f, r->impl);
	fprintf(f, ",%d", n);
	csv_num(f, r->seconds, ok);
	csv_num(f, r->stats.min, m);
	/* A predicted workload step is its own median: the step time. */
	csv_num(f, m ? r->stats.median : r->seconds, m || wl);
	csv_num(f, r->stats.mean, m);
	csv_num(f, r->stats.sd, m);
	csv_num(f, r->stats.mad, m);
	csv_num(f, r->stats.p5, m);
	csv_num(f, r->stats.p95, m);
	csv_num(f, r->stats.ci_lo, m);
	csv_num(f, r->stats.ci_hi, m);
	csv_num(f, r->ops, 1);
	csv_num(f, r->bytes, 1);
	csv_num(f, r->actual_ops, 1);
	csv_text(f, r->unit);
	csv_num(f, r->throughput, ok);
	csv_num(f, r->verify_err, r->verify_what != NULL);
	csv_num(f, r->verify_tol, r->verify_what != NULL);
	csv_text(f, r->bound);
	csv_num(f, r->util, r->bound != NULL);
	csv_text(f, r->flags);
	csv_num(f, r->stats.max, m);
	fputc(',', f);
	if (m)
		fprintf(f, "%d", r->stats.outliers);
	csv_text(f, r->verify_what);
	csv_text(f, r->created_at);
	csv_text(f, run->started_at);
	csv_text(f, run->hostname);
	csv_text(f, run->tag);
	csv_num(f, r->bytes_wa, r->bytes_wa > 0);
	csv_num(f, r->util, wl);
	pj = nparams > 0 && r->params_json ? cJSON_Parse(r->params_json) : NULL;
	for (int i = 0; i < nparams; i++)
		csv_param(f, pj, params[i]);
	cJSON_Delete(pj);
}

void csv_row(FILE *f, const struct nb_result *r, const struct nb_run *run,
	     char *const *params, int nparams)
{
	csv_row_fields(f, r, run, params, nparams);
	fputs("\r\n", f);
}

void csv_param_names(const struct nb_result *rs, int n, char ***names, int *count)
{
	*names = NULL;
	*count = 0;
	for (int i = 0; i < n; i++) {
		cJSON *pj = rs[i].params_json ? cJSON_Parse(rs[i].params_json) : NULL, *v;

		cJSON_ArrayForEach(v, pj) {
			int have = 0;

			for (int k = 0; k < *count && !have; k++)
				have = !strcmp((*names)[k], v->string);
			if (have)
				continue;
			*names = xrealloc(*names, (size_t)(*count + 1) * sizeof(char *));
			(*names)[(*count)++] = xstrdup(v->string);
		}
		cJSON_Delete(pj);
	}
}

void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

void md_header(FILE *f)
{
	fputs("| case | target | kind | time | throughput | note |\n"
	      "|---|---|---|---:|---:|---|\n", f);
}

void md_row(FILE *f, const struct nb_result *r)
{
	char t[32], tp[48], note[512], *label = result_label(r);

	if (r->seconds > 0)
		nb_format_time(t, sizeof(t), r->seconds);
	else
		snprintf(t, sizeof(t), "-");
	result_throughput_text(r, tp, sizeof(tp));
	result_note_text(r, note, sizeof(note));
	fputs("| ", f);
	md_text(f, label);
	fputs(" | ", f);
	md_text(f, r->target);
	fprintf(f, " | %s | %s | %s | ", result_kind_name(r->kind), t, tp);
	md_text(f, note);
	fputs(" |\n", f);
	free(label);
}
