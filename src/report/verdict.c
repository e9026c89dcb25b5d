/* The verdict of a comparison of chips, in words (report/verdict.h). */
#include "report/verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "targets/result.h"
#include "util/stats.h"
#include "util/util.h"

static int usable(const struct nb_result *r)
{
	return r && r->status == NB_RES_OK && r->throughput > 0;
}

/* The result of CASE_TEXT in COL, or NULL. */
static const struct nb_result *find_case(const struct verdict_column *col, const char *case_text)
{
	for (int i = 0; i < col->nrs; i++)
		if (col->rs[i].case_text && !strcmp(col->rs[i].case_text, case_text))
			return &col->rs[i];
	return NULL;
}

/* The family's index in V, added when new. */
static int family_index(struct nb_verdict *v, const char *name)
{
	int i;

	for (i = 0; i < v->nfam; i++)
		if (!strcmp(v->fam[i].name, name))
			return i;
	v->fam = xrealloc(v->fam, (size_t)(v->nfam + 1) * sizeof(*v->fam));
	v->fam[i].name = xstrdup(name);
	v->fam[i].ratio = xcalloc((size_t)v->ncols, sizeof(double));
	v->fam[i].ncases = xcalloc((size_t)v->ncols, sizeof(int));
	return v->nfam++;
}

/* Per family and column, the median of the ratios to the baseline over
 * the cases both have: the baseline's cases in its order fix the families. */
static void family_ratios(const struct verdict_column *cols, int ncols, int base, struct nb_verdict *v)
{
	const struct verdict_column *b = &cols[base];
	double *r = xmalloc((size_t)(b->nrs ? b->nrs : 1) * sizeof(double));

	for (int k = 0; k < b->nrs; k++)
		if (usable(&b->rs[k]) && b->rs[k].kernel)
			family_index(v, b->rs[k].kernel);
	for (int f = 0; f < v->nfam; f++) {
		for (int c = 0; c < ncols; c++) {
			int m = 0;

			if (c == base)
				continue;
			for (int k = 0; k < b->nrs; k++) {
				const struct nb_result *rb = &b->rs[k], *rc;

				if (!usable(rb) || !rb->kernel || strcmp(rb->kernel, v->fam[f].name))
					continue;
				rc = find_case(&cols[c], rb->case_text);
				/* The tables' rule: no ratio across precisions. */
				if (usable(rc) && result_same_precision(rc, rb))
					r[m++] = rc->throughput / rb->throughput;
			}
			v->fam[f].ncases[c] = m;
			v->fam[f].ratio[c] = m ? stats_median(r, (size_t)m) : 0;
		}
	}
	free(r);
}

/* Whether FLAG says the CPUs were shared while measuring: the host target
 * writes "loaded=CPUS" (other processes' load) and "concurrent_run". */
static int load_flag(const char *flag)
{
	static const char *const words[] = { "load", "concurrent" };

	for (size_t i = 0; i < NB_ARRAY_SIZE(words); i++)
		if (strstr(flag, words[i]))
			return 1;
	return 0;
}

/* Whether NAME is one of the comma-separated names in LIST. */
static int flag_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == n && !strncmp(p, name, n))
			return 1;
	return 0;
}

/* Counts the host's flags and the spread of its samples. */
static void host_noise(const struct verdict_column *col, struct nb_verdict *v)
{
	double *spread = xmalloc((size_t)(col->nrs ? col->nrs : 1) * sizeof(double));
	struct strbuf seen = STRBUF_INIT;
	int ns = 0;

	for (int i = 0; i < col->nrs; i++) {
		const struct nb_result *r = &col->rs[i];
		char *flags, *save = NULL, *f;
		int loaded = 0;

		if (r->kind != NB_MEASURED || !usable(r))
			continue;
		v->host_results++;
		if (r->stats.median > 0 && r->stats.p95 >= r->stats.p5)
			spread[ns++] = (r->stats.p95 - r->stats.p5) / r->stats.median;
		flags = xstrdup(r->flags ? r->flags : "");
		for (f = strtok_r(flags, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			v->host_noisy += !strcmp(f, "noisy");
			v->host_outliers += !strcmp(f, "outliers");
			if (!load_flag(f))
				continue;
			loaded = 1;
			/* The flag's name: "loaded=1.3" is listed as "loaded". */
			f[strcspn(f, "=")] = '\0';
			if (!flag_listed(sb_str(&seen), f))
				sb_addf(&seen, "%s%s", seen.len ? "," : "", f);
		}
		v->host_loaded += loaded;
		free(flags);
	}
	v->host_spread = ns ? stats_median(spread, (size_t)ns) : 0;
	v->load_flags = seen.len ? sb_detach(&seen) : NULL;
	sb_release(&seen);
	free(spread);
}

void verdict_compute(const struct verdict_column *cols, int ncols, int base,
		     const struct nb_profiles *set, struct nb_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->ncols = ncols;
	v->base = base;
	v->baseline = xstrdup(cols[base].label);
	v->labels = xcalloc((size_t)ncols, sizeof(char *));
	for (int c = 0; c < ncols; c++)
		v->labels[c] = xstrdup(cols[c].label);
	family_ratios(cols, ncols, base, v);
	for (int c = 0; c < ncols; c++)
		if (cols[c].host)
			host_noise(&cols[c], v);
	if (set) {
		v->have_holdout = !validate_error_summary("holdout", set, &v->holdout) &&
				  v->holdout.predicted > 0;
		v->have_calibration = !validate_error_summary("calibration", set, &v->calibration) &&
				      v->calibration.predicted > 0;
	}
}

/* "2.41x": two decimals near 1, fewer digits far from it. */
static void add_ratio(struct strbuf *sb, double r)
{
	if (r >= 100)
		sb_addf(sb, "%.0fx", r);
	else if (r >= 0.1)
		sb_addf(sb, "%.2fx", r);
	else
		sb_addf(sb, "%.2gx", r);
}

/* "gemm (12 cases): h100 2.41x, a100 1.52x; fastest h100". */
static char *family_sentence(const struct nb_verdict *v, const struct verdict_family *f)
{
	struct strbuf sb = STRBUF_INIT;
	int best = -1, shown = 0, maxcases = 0;

	for (int c = 0; c < v->ncols; c++)
		if (f->ncases[c] > maxcases)
			maxcases = f->ncases[c];
	sb_addf(&sb, "%s (median over up to %d case%s): ", f->name, maxcases, maxcases == 1 ? "" : "s");
	for (int c = 0; c < v->ncols; c++) {
		if (c == v->base)
			continue;
		sb_addf(&sb, "%s%s ", shown++ ? ", " : "", v->labels[c]);
		if (!f->ncases[c]) {
			sb_adds(&sb, "no result");
			continue;
		}
		add_ratio(&sb, f->ratio[c]);
		if (f->ncases[c] < maxcases)
			sb_addf(&sb, " (%d case%s)", f->ncases[c], f->ncases[c] == 1 ? "" : "s");
		if (best < 0 || f->ratio[c] > f->ratio[best])
			best = c;
	}
	if (best >= 0)
		sb_addf(&sb, "; fastest: %s", f->ratio[best] > 1 ? v->labels[best] : v->baseline);
	return sb_detach(&sb);
}

/* "8.3%" below 10%, "22%" above: the digits that mean something. */
static void add_pct(struct strbuf *sb, double fraction)
{
	sb_addf(sb, 100 * fraction < 9.95 ? "%.1f%%" : "%.0f%%", 100 * fraction);
}

static char *trust_sentence(const struct nb_verdict *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (!v->have_holdout) {
		sb_adds(&sb, "Model trust: unknown (the held-out measurements could not be predicted).");
		return sb_detach(&sb);
	}
	sb_addf(&sb, "Model trust: on %d published measurements kept out of its calibration "
		"('validate --measurements holdout'), the model is off by a median of ",
		v->holdout.predicted);
	add_pct(&sb, v->holdout.median);
	sb_adds(&sb, " (p90 ");
	add_pct(&sb, v->holdout.p90);
	sb_adds(&sb, ")");
	if (v->have_calibration) {
		sb_addf(&sb, "; on its %d calibration measurements by ", v->calibration.predicted);
		add_pct(&sb, v->calibration.median);
		sb_adds(&sb, " (p90 ");
		add_pct(&sb, v->calibration.p90);
		sb_adds(&sb, ")");
	}
	sb_adds(&sb, ".  Read chip ratios closer than that as a tie.");
	return sb_detach(&sb);
}

static char *host_sentence(const struct nb_verdict *v)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "Host: %d result%s measured; timings spread (5th to 95th percentile) by a "
		"median ", v->host_results, v->host_results == 1 ? "" : "s");
	add_pct(&sb, v->host_spread);
	sb_adds(&sb, " of their median");
	if (v->host_noisy || v->host_outliers)
		sb_addf(&sb, "; %d flagged noisy, %d with outliers", v->host_noisy, v->host_outliers);
	if (v->host_loaded)
		sb_addf(&sb, "; %d measured under load (%s): host figures are likely low",
			v->host_loaded, v->load_flags);
	else
		sb_adds(&sb, "; no result records load, so this is the host's noise as measured");
	/* The host's own flag rule (noisy: spread above 25%) applied to most results. */
	if (2 * v->host_noisy > v->host_results)
		sb_adds(&sb, ".  Most host results are noisy: something probably shared the CPUs; "
			"rerun on a quiet machine before quoting host figures");
	sb_adds(&sb, ".");
	return sb_detach(&sb);
}

char **verdict_sentences(const struct nb_verdict *v, int *n)
{
	char **s = xcalloc((size_t)v->nfam + 4, sizeof(char *));
	int k = 0;

	if (v->ncols < 2)
		s[k++] = xasprintf("Only %s is compared: there is no ratio to give.", v->baseline);
	else if (!v->nfam)
		s[k++] = xasprintf("No kernel results for %s: nothing to compare against it yet.",
				   v->baseline);
	else
		s[k++] = xasprintf("Throughput relative to %s, median per kernel family "
				   "(above 1 is faster):", v->baseline);
	for (int f = 0; v->ncols >= 2 && f < v->nfam; f++)
		s[k++] = family_sentence(v, &v->fam[f]);
	s[k++] = trust_sentence(v);
	if (v->host_results)
		s[k++] = host_sentence(v);
	*n = k;
	return s;
}

void verdict_sentences_free(char **s, int n)
{
	for (int i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void verdict_print(FILE *f, const struct nb_verdict *v, int markdown)
{
	int n;
	char **s = verdict_sentences(v, &n);

	fprintf(f, markdown ? "## Verdict\n\n" : "Verdict\n\n");
	for (int i = 0; i < n; i++) {
		int family = i && i <= v->nfam && v->ncols >= 2;

		if (markdown)
			fprintf(f, "%s- %s\n", family ? "  " : "", s[i]);
		else
			fprintf(f, "%s%s\n", family ? "  " : "", s[i]);
	}
	verdict_sentences_free(s, n);
}

void verdict_release(struct nb_verdict *v)
{
	for (int f = 0; f < v->nfam; f++) {
		free(v->fam[f].name);
		free(v->fam[f].ratio);
		free(v->fam[f].ncases);
	}
	free(v->fam);
	for (int c = 0; c < v->ncols; c++)
		free(v->labels[c]);
	free(v->labels);
	free(v->baseline);
	free(v->load_flags);
	memset(v, 0, sizeof(*v));
}
