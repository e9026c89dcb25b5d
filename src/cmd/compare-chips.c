/* npubench compare chips: a spec sheet and kernel results, one column per
 * chip, each figure with its ratio to a baseline chip. */
#include "npubench.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/compare.h"
#include "cmd/profile-probe.h"
#include "model/collective.h"
#include "model/profile.h"
#include "report/jsonw.h"
#include "report/report.h"
#include "report/table.h"
#include "report/verdict.h"
#include "store/store.h"
#include "targets/target.h"
#include "util/dtype.h"
#include "util/util.h"

/* The chips the project is about: the default columns. */

/* A column: a chip profile, or the host (measured; specs only when a
 * profile named "host" exists). */
struct column {
	const char *label;		/* as shown: the profile id, or "host" */
	const struct nb_profile *p;	/* NULL: no profile */
	int host;
	const char *link;		/* interconnect name, or NULL */
	struct nb_result *rs;		/* kernel results for this column */
	int nrs;
};

/* One figure of one chip. */
struct cell {
	int present;
	double v;
	int estimate;			/* some input's kind is "estimate" */
	const char *what;		/* what the figure counts ("SM"), or NULL */
	const char *src[3];		/* source texts of the inputs */
	int nsrc;
	const char *absent;		/* why there is no value */
	char why[64];			/* a composed reason, which absent may point to */
};

/* The spec-sheet rows. */
enum spec_kind { SPEC_DENSE, SPEC_SPARSE, SPEC_MEM, SPEC_BW, SPEC_LLC, SPEC_RIDGE, SPEC_TDP,
		 SPEC_PER_WATT, SPEC_LINK, SPEC_UNITS, SPEC_CLOCK, SPEC_UP_BW, SPEC_OUT_BW, SPEC_ALLREDUCE };

struct spec_row {
	enum spec_kind kind;
	enum nb_dtype dtype;	/* SPEC_ALLREDUCE: the rank count instead */
	char name[48];
	const char *unit;
	const char *key;		/* JSON name */
};

struct chips_opts {
	const char *baseline;
	struct nb_filter filter;
	const char *run;
	enum nb_format format;
	int sources;
};

/* Adds the source of figure PATH of P to C; 0 when the profile lacks it. */
static int add_source(struct cell *c, const struct nb_profile *p, const char *path)
{
	const char *kind = NULL, *src = profile_field_source(p, path, &kind, NULL);

	if (!src)
		return 0;
	for (int i = 0; src && i < c->nsrc; i++)
		if (!strcmp(c->src[i], src))
			src = NULL;
	if (src && c->nsrc < 3)
		c->src[c->nsrc++] = src;
	if (kind && !strcmp(kind, "estimate"))
		c->estimate = 1;
	return 1;
}

/* The all-reduce the spec sheet predicts: 1 GiB, as nccl-tests' largest
 * size, in bf16 (the model's time does not depend on the dtype). */
#define ALLREDUCE_BYTES 1073741824.0

/* The figures a collective prediction rests on: the bandwidth terms of the
 * levels it uses, the latencies only where they are a visible part of it. */
static void allreduce_sources(struct cell *c, const struct nb_profile *p, const struct nb_coll_pred *pr)
{
	add_source(c, p, "interconnect.scale_up.link_bandwidth_gbs");
	add_source(c, p, "interconnect.scale_up.links_per_chip");
	add_source(c, p, pr->algo == NB_ALGO_NVLS ? "interconnect.scale_up.reduction_efficiency"
						 : "interconnect.scale_up.efficiency");
	if (pr->domains > 1) {
		add_source(c, p, "interconnect.scale_out.nic_bandwidth_gbs");
		add_source(c, p, "interconnect.scale_out.nics_per_chip");
		add_source(c, p, "interconnect.scale_out.efficiency");
	}
	if (pr->launch_s + pr->alpha_s > 0.05 * pr->seconds) {
		add_source(c, p, "interconnect.latency_us");
		add_source(c, p, "interconnect.scale_up.base_us");
		if (pr->domains > 1)
			add_source(c, p, "interconnect.scale_out.latency_us");
	}
}

/* The interconnect rows: scale-up and scale-out line rate, the predicted
 * 1 GiB all-reduce bus bandwidth at ROW's rank count. */
static void interconnect_cell(const struct spec_row *row, const struct nb_profile *p, struct cell *c)
{
	struct nb_interconnect ic;
	struct nb_coll_pred pr;

	if (profile_interconnect(p, &ic)) {
		c->absent = "no scale-up model";
		return;
	}
	switch (row->kind) {
	case SPEC_UP_BW:
		c->v = coll_scale_up_bytes_per_s(&ic) / 1e9;
		c->present = c->v > 0;
		add_source(c, p, "interconnect.scale_up.link_bandwidth_gbs");
		add_source(c, p, "interconnect.scale_up.links_per_chip");
		break;
	case SPEC_OUT_BW:
		c->v = coll_scale_out_bytes_per_s(&ic) / 1e9;
		c->present = c->v > 0;
		c->absent = "no scale-out";
		add_source(c, p, "interconnect.scale_out.nic_bandwidth_gbs");
		add_source(c, p, "interconnect.scale_out.nics_per_chip");
		break;
	default:
		coll_predict(&ic, NB_COLL_ALLREDUCE, ALLREDUCE_BYTES, (int)row->dtype, NB_ALGO_AUTO, &pr);
		c->present = pr.ok;
		c->v = pr.busbw / 1e9;
		c->absent = "unsupported";
		/* A domain the ranks outgrow (a host profile's: the ranks it was
		 * probed on) is said as such, not as a missing network. */
		if (!ic.out_name) {
			snprintf(c->why, sizeof(c->why), "beyond its %d-rank domain", ic.chips);
			c->absent = c->why;
		}
		if (pr.ok)
			allreduce_sources(c, p, &pr);
		break;
	}
}

static enum nb_dtype ridge_dtype(void)
{
	return NB_BF16;
}

/* The value of ROW for column COL. */
static void spec_cell(const struct spec_row *row, const struct column *col, struct cell *c)
{
	const struct nb_profile *p = col->p;
	char path[64];
	double peak;

	memset(c, 0, sizeof(*c));
	if (!p) {
		c->absent = col->host ? "not profiled" : "no profile";
		return;
	}
	snprintf(path, sizeof(path), "peak_dense_tflops.%s", dtype_name(row->dtype));
	switch (row->kind) {
	case SPEC_DENSE:
		c->v = profile_peak(p, row->dtype) / 1e12;
		c->present = c->v > 0;
		add_source(c, p, path);
		c->absent = "none";
		break;
	case SPEC_SPARSE:
		peak = profile_peak(p, row->dtype);
		c->v = profile_sparse_peak(p, row->dtype) / 1e12;
		c->present = c->v > 0;
		add_source(c, p, path);
		add_source(c, p, "sparsity.factor");
		c->absent = peak > 0 ? "no 2:4 mode" : "none";
		break;
	case SPEC_MEM:
		c->v = profile_mem_bytes(p) / 1073741824.0;
		c->present = c->v > 0;
		add_source(c, p, "memory.capacity_gib");
		break;
	case SPEC_BW:
		c->v = profile_bw_bytes_per_s(p) / 1e9;
		c->present = c->v > 0;
		add_source(c, p, "memory.bandwidth_gbs");
		break;
	case SPEC_LLC:
		c->v = profile_llc_bytes(p) / 1048576.0;
		c->present = c->v > 0;
		add_source(c, p, "on_chip.llc_mib");
		break;
	case SPEC_RIDGE:
		peak = profile_peak(p, ridge_dtype());
		c->v = profile_ridge_point(p, ridge_dtype());
		c->present = c->v > 0;
		add_source(c, p, path);
		add_source(c, p, "memory.bandwidth_gbs");
		c->absent = peak > 0 ? NULL : "none";
		break;
	case SPEC_TDP:
		c->v = profile_tdp_w(p);
		c->present = c->v > 0;
		add_source(c, p, "power.tdp_w");
		break;
	case SPEC_PER_WATT:
		peak = profile_peak(p, row->dtype);
		c->v = profile_tflops_per_watt(p, row->dtype);
		c->present = c->v > 0;
		add_source(c, p, path);
		add_source(c, p, "power.tdp_w");
		c->absent = peak > 0 ? NULL : "none";
		break;
	case SPEC_LINK:
		c->v = profile_interconnect_bytes_per_s(p) / 1e9;
		c->present = c->v > 0;
		add_source(c, p, "interconnect.bandwidth_gbs");
		break;
	case SPEC_UNITS:
		c->v = profile_units(p);
		c->present = c->v > 0;
		c->what = profile_unit_kind(p);
		add_source(c, p, "compute.units");
		break;
	case SPEC_CLOCK:
		c->v = profile_clock_hz(p) / 1e6;
		c->present = c->v > 0;
		add_source(c, p, "compute.clock_mhz");
		break;
	case SPEC_UP_BW:
	case SPEC_OUT_BW:
	case SPEC_ALLREDUCE:
		interconnect_cell(row, p, c);
		break;
	}
	if (!c->present && !c->absent)
		c->absent = "not given";
}

/* Whether some column's profile describes its scale-up domain: the
 * interconnect rows are shown then. */
static int any_scale_up(const struct column *cols, int ncols)
{
	struct nb_interconnect ic;

	for (int i = 0; i < ncols; i++)
		if (cols[i].p && !profile_interconnect(cols[i].p, &ic))
			return 1;
	return 0;
}

/* The rows: dense peaks for every dtype some chip has, 2:4 sparse peaks
 * where some chip has the mode, then memory, ridge, power, links. */
static int spec_rows(const struct column *cols, int ncols, struct spec_row *rows)
{
	static const enum nb_dtype sparse[] = { NB_FP16, NB_BF16, NB_FP8, NB_INT8 };
	int n = 0;

	for (int d = 0; d < NB_DTYPE_COUNT; d++) {
		int any = 0;

		for (int i = 0; i < ncols; i++)
			any |= cols[i].p && profile_peak(cols[i].p, (enum nb_dtype)d) > 0;
		if (!any)
			continue;
		rows[n] = (struct spec_row){ SPEC_DENSE, (enum nb_dtype)d, "", "", "" };
		/* TF32 is NVIDIA's name for the class; Ascend's HF32 is listed
		 * there too (FP32 range, shortened mantissa), never as fp32. */
		snprintf(rows[n].name, sizeof(rows[n].name), "dense %s",
			 d == NB_TF32 ? "tf32/hf32" : dtype_name((enum nb_dtype)d));
		rows[n++].unit = dtype_is_int((enum nb_dtype)d) ? "TOP/s" : "TFLOP/s";
	}
	for (size_t k = 0; k < NB_ARRAY_SIZE(sparse); k++) {
		int any = 0;

		for (int i = 0; i < ncols; i++)
			any |= cols[i].p && profile_peak(cols[i].p, sparse[k]) > 0 &&
			       profile_sparse_factor(cols[i].p) > 0;
		if (!any)
			continue;
		rows[n] = (struct spec_row){ SPEC_SPARSE, sparse[k], "", "", "" };
		snprintf(rows[n].name, sizeof(rows[n].name), "%s with 2:4 sparsity", dtype_name(sparse[k]));
		rows[n++].unit = dtype_is_int(sparse[k]) ? "TOP/s" : "TFLOP/s";
	}
	rows[n++] = (struct spec_row){ SPEC_MEM, 0, "memory", "GiB", "" };
	rows[n++] = (struct spec_row){ SPEC_BW, 0, "memory bandwidth", "GB/s", "" };
	rows[n++] = (struct spec_row){ SPEC_LLC, 0, "on-chip buffer (last level)", "MiB", "" };
	rows[n] = (struct spec_row){ SPEC_RIDGE, ridge_dtype(), "", "FLOP/B", "" };
	snprintf(rows[n++].name, sizeof(rows[0].name), "ridge point %s", dtype_name(ridge_dtype()));
	rows[n++] = (struct spec_row){ SPEC_TDP, 0, "TDP", "W", "" };
	rows[n] = (struct spec_row){ SPEC_PER_WATT, ridge_dtype(), "", "TFLOP/s/W", "" };
	snprintf(rows[n++].name, sizeof(rows[0].name), "dense %s per watt", dtype_name(ridge_dtype()));
	rows[n++] = (struct spec_row){ SPEC_LINK, 0, "interconnect", "GB/s", "" };
	rows[n++] = (struct spec_row){ SPEC_UNITS, 0, "compute units (kind)", "", "" };
	rows[n++] = (struct spec_row){ SPEC_CLOCK, 0, "clock", "MHz", "" };
	if (any_scale_up(cols, ncols)) {
		static const int ranks[] = { 8, 1024 };

		rows[n++] = (struct spec_row){ SPEC_UP_BW, 0, "scale-up per chip, one way", "GB/s", "" };
		rows[n++] = (struct spec_row){ SPEC_OUT_BW, 0, "scale-out per chip, one way", "GB/s", "" };
		for (size_t k = 0; k < NB_ARRAY_SIZE(ranks); k++) {
			rows[n] = (struct spec_row){ SPEC_ALLREDUCE, (enum nb_dtype)ranks[k], "", "busbw GB/s", "" };
			snprintf(rows[n++].name, sizeof(rows[0].name), "all-reduce 1 GiB, %d ranks", ranks[k]);
		}
	}
	return n;
}

/* The scale-up domain in words: "switch, 8 chips", "torus2d 16x16";
 * malloc'd. */
static char *domain_text(const struct nb_profile *p)
{
	struct nb_interconnect ic;

	if (!p || profile_interconnect(p, &ic))
		return xstrdup("not given");
	if (ic.shape)
		return xasprintf("%s %s", ic.kind, ic.shape);
	return xasprintf("%s, %d chips", ic.kind, ic.chips);
}

/* The scale-out network's name, or why there is none. */
static const char *scale_out_text(const struct nb_profile *p)
{
	struct nb_interconnect ic;

	if (!p || profile_interconnect(p, &ic))
		return "not given";
	return ic.out_name ? ic.out_name : "none";
}

/* Footnote numbers: one per distinct source text, in order of first use. */
struct notes {
	const char **text;
	int n;
};

static int note_number(struct notes *fn, const char *text)
{
	for (int i = 0; i < fn->n; i++)
		if (!strcmp(fn->text[i], text))
			return i + 1;
	fn->text = xrealloc(fn->text, (size_t)(fn->n + 1) * sizeof(char *));
	fn->text[fn->n++] = text;
	return fn->n;
}

/* A grid of text cells rendered as an aligned table or a Markdown table. */
struct grid {
	char **cell;
	int rows, cols;
};

static void grid_init(struct grid *g, int rows, int cols)
{
	g->rows = rows;
	g->cols = cols;
	g->cell = xcalloc((size_t)rows * (size_t)cols, sizeof(char *));
}

static void grid_set(struct grid *g, int r, int c, char *text)
{
	free(g->cell[r * g->cols + c]);
	g->cell[r * g->cols + c] = text;
}

static const char *grid_get(const struct grid *g, int r, int c)
{
	const char *s = g->cell[r * g->cols + c];

	return s ? s : "";
}

/* Display width of UTF-8 text: code points, not bytes. */
static int text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void grid_print(const struct grid *g, enum nb_format f)
{
	int *w = xcalloc((size_t)g->cols, sizeof(int));

	for (int c = 0; c < g->cols; c++)
		for (int r = 0; r < g->rows; r++)
			if (text_width(grid_get(g, r, c)) > w[c])
				w[c] = text_width(grid_get(g, r, c));
	for (int r = 0; r < g->rows; r++) {
		if (f == NB_FMT_MARKDOWN) {
			fputs("|", stdout);
			for (int c = 0; c < g->cols; c++) {
				fputc(' ', stdout);
				md_text(stdout, grid_get(g, r, c));
				fputs(" |", stdout);
			}
			fputc('\n', stdout);
			if (r == 0) {
				fputs("|", stdout);
				for (int c = 0; c < g->cols; c++)
					fputs(c ? "---:|" : "---|", stdout);
				fputc('\n', stdout);
			}
			continue;
		}
		for (int c = 0; c < g->cols; c++) {
			const char *s = grid_get(g, r, c);
			int pad = w[c] - text_width(s);

			if (c == 0) {
				fputs(s, stdout);
				if (g->cols > 1)
					printf("%*s", pad, "");
			} else {
				printf("  %*s%s", pad, "", s);
			}
		}
		fputc('\n', stdout);
	}
	for (int i = 0; i < g->rows * g->cols; i++)
		free(g->cell[i]);
	free(g->cell);
	free(w);
}

/* " (2.63x)": two decimals, fewer digits far from 1. */
static void add_ratio(struct strbuf *sb, double r)
{
	if (r >= 100)
		sb_addf(sb, " (%.0fx)", r);
	else if (r >= 0.1)
		sb_addf(sb, " (%.2fx)", r);
	else
		sb_addf(sb, " (%.2gx)", r);
}

static void fmt_value(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.5g", v);
}

/* Whether C and the baseline's BC count the same thing, so that their
 * ratio means something (SMs against AI cores does not). */
static int comparable(const struct cell *c, const struct cell *bc)
{
	return c->present && bc->present && (!c->what || (bc->what && !strcmp(c->what, bc->what)));
}

/* "989.4* (2.63x) [1,2]": value, estimate mark, ratio, footnotes. */
static char *spec_text(const struct cell *c, const struct cell *base, int is_base, struct notes *fn,
		       int sources)
{
	struct strbuf sb = STRBUF_INIT;
	char v[32];

	if (!c->present) {
		sb_adds(&sb, c->absent);
	} else {
		fmt_value(v, sizeof(v), c->v);
		sb_addf(&sb, "%s%s", v, c->estimate ? "*" : "");
		if (c->what)
			sb_addf(&sb, " %s", c->what);
		/* Units of different kinds (SMs, AI cores, MXUs) do different
		 * work each: their counts have no meaningful ratio. */
		if (!is_base && comparable(c, base))
			add_ratio(&sb, c->v / base->v);
	}
	if (sources && c->nsrc) {
		sb_adds(&sb, " [");
		for (int i = 0; i < c->nsrc; i++)
			sb_addf(&sb, "%s%d", i ? "," : "", note_number(fn, c->src[i]));
		sb_adds(&sb, "]");
	}
	return sb_detach(&sb);
}

/* The result of CASE_TEXT in column COL, or NULL. */
static const struct nb_result *column_result(const struct column *col, const char *case_text)
{
	for (int i = 0; i < col->nrs; i++)
		if (!strcmp(col->rs[i].case_text, case_text))
			return &col->rs[i];
	return NULL;
}

static int result_usable(const struct nb_result *r)
{
	return r && r->status == NB_RES_OK && r->throughput > 0;
}

/* Whether case texts A and B differ only in their ranks= value. */
static int same_but_ranks(const char *a, const char *b)
{
	const char *ra = strstr(a, " ranks="), *rb = strstr(b, " ranks=");

	if (!ra || !rb || ra - a != rb - b || strncmp(a, b, (size_t)(ra - a)))
		return 0;
	ra += strspn(ra + 7, "0123456789") + 7;
	rb += strspn(rb + 7, "0123456789") + 7;
	return !strcmp(ra, rb);
}

/* The ranks= of CASE_TEXT (a collective), or 0 when it has none. */
static int case_ranks(const char *case_text)
{
	const char *v = strstr(case_text, " ranks=");

	return v ? atoi(v + 7) : 0;
}

/* A collective has no counterpart at another rank count: where column COL
 * lacks CASE_TEXT but has it at other ranks, that result, so that the cell
 * reads as missing, not as comparable.  NULL when it has none. */
static const struct nb_result *other_ranks_result(const struct column *col, const char *case_text)
{
	for (int i = 0; i < col->nrs; i++)
		if (result_usable(&col->rs[i]) && same_but_ranks(col->rs[i].case_text, case_text))
			return &col->rs[i];
	return NULL;
}

/* "measured at ranks=2": the cell's text, and the start of its note in
 * the exports. */
static char *other_ranks_text(const struct nb_result *other)
{
	return xasprintf("%s at ranks=%d", other->kind == NB_PREDICTED ? "predicted" : "measured",
			 case_ranks(other->case_text));
}

/* The exports' note on a collective OTHER has at another rank count. */
static char *other_ranks_note(const struct nb_result *other)
{
	char *at = other_ranks_text(other), *note;

	note = xasprintf("%s only: collectives compare at equal rank counts, no ratio across them", at);
	free(at);
	return note;
}

static const char *absent_text(const struct nb_result *r)
{
	if (!r)
		return "no result";
	switch (r->status) {
	case NB_RES_UNSUPPORTED:
		return "unsupported";
	case NB_RES_NO_FIT:
		return "does not fit";
	case NB_RES_VERIFY_FAILED:
		return "verification failed";
	default:
		return "error";
	}
}

static char *kernel_text(const struct nb_result *r, const struct nb_result *base, int is_base)
{
	struct strbuf sb = STRBUF_INIT;
	char tp[48];
	int via;

	if (!result_usable(r)) {
		sb_adds(&sb, absent_text(r));
		return sb_detach(&sb);
	}
	result_throughput_text(r, tp, sizeof(tp));
	sb_adds(&sb, tp);
	if (r->actual_ops > 0)
		sb_adds(&sb, " eff.");
	if (!is_base && result_usable(base) && result_same_precision(r, base))
		add_ratio(&sb, r->throughput / base->throughput);
	if (r->kind == NB_PREDICTED)
		sb_addf(&sb, " %s", r->bound ? r->bound : "?");
	else
		sb_adds(&sb, " measured");
	via = result_computed_in(r);
	if (via >= 0 && r->dtype && via != dtype_parse(r->dtype))
		sb_addf(&sb, " via %s", dtype_name((enum nb_dtype)via));
	return sb_detach(&sb);
}

/* The cases to show: every case some column has, in order of first appearance. */
static int case_list(const struct column *cols, int ncols, const char ***cases)
{
	int n = 0;

	*cases = NULL;
	for (int i = 0; i < ncols; i++) {
		for (int k = 0; k < cols[i].nrs; k++) {
			const char *t = cols[i].rs[k].case_text;
			int have = 0;

			for (int j = 0; j < n && !have; j++)
				have = !strcmp((*cases)[j], t);
			if (have)
				continue;
			*cases = xrealloc(*cases, (size_t)(n + 1) * sizeof(char *));
			(*cases)[n++] = t;
		}
	}
	return n;
}

static void json_num_or_null(struct nb_json *o, const char *k, int present, double v)
{
	if (present)
		json_set_num(o, k, v);
	else
		json_set(o, k, json_null());
}

/* The scale-up domain and scale-out network of P (null without them). */
static void json_scale_up(struct nb_json *c, const struct nb_profile *p)
{
	struct nb_interconnect ic;
	struct nb_json *u;

	if (!p || profile_interconnect(p, &ic)) {
		json_set(c, "scale_up", json_null());
		json_set(c, "scale_out", json_null());
		return;
	}
	u = json_set(c, "scale_up", json_object());
	json_set_str(u, "kind", ic.kind);
	json_set_num(u, "chips", ic.chips);
	if (ic.shape)
		json_set_str(u, "shape", ic.shape);
	else
		json_set(u, "shape", json_null());
	if (ic.reduction)
		json_set_str(u, "reduction", ic.reduction);
	else
		json_set(u, "reduction", json_null());
	if (ic.out_name)
		json_set_str(c, "scale_out", ic.out_name);
	else
		json_set(c, "scale_out", json_null());
}

/* The chips of the json document: id, name, vendor, interconnect. */
static void json_chips(struct nb_json *root, const struct column *cols, int ncols)
{
	struct nb_json *chips = json_set(root, "chips", json_array());

	for (int i = 0; i < ncols; i++) {
		struct nb_json *c = json_push(chips, json_object());

		json_set_str(c, "id", cols[i].label);
		if (cols[i].p) {
			json_set_str(c, "name", profile_name(cols[i].p));
			json_set_str(c, "vendor", profile_vendor(cols[i].p));
		} else {
			json_set(c, "name", json_null());
			json_set(c, "vendor", json_null());
		}
		if (cols[i].link)
			json_set_str(c, "interconnect", cols[i].link);
		else
			json_set(c, "interconnect", json_null());
		json_scale_up(c, cols[i].p);
	}
}

/* A collective's rank count and, where COL has the case only at another
 * rank count, which and why there is no ratio. */
static void json_other_ranks(struct nb_json *x, const struct column *col, const char *case_text,
			     const struct nb_result *r)
{
	const struct nb_result *other = r ? NULL : other_ranks_result(col, case_text);
	char *note;

	if (!case_ranks(case_text))
		return;
	json_set_num(x, "ranks", case_ranks(case_text));
	if (!other)
		return;
	json_set_num(x, "other_ranks", case_ranks(other->case_text));
	note = other_ranks_note(other);
	json_set_str(x, "note", note);
	free(note);
}

/* The "npubench-compare-chips" document: chips, specs, kernels. */
static void render_json(const struct column *cols, int ncols, int base, const struct spec_row *rows,
			int nrows, const char **cases, int ncases)
{
	struct nb_json *root = json_object(), *specs, *kern;
	char *text;

	json_set_str(root, "schema", "npubench-compare-chips");
	json_set_num(root, "schema_version", 1);
	json_set_str(root, "baseline", cols[base].label);
	json_chips(root, cols, ncols);
	specs = json_set(root, "specs", json_array());
	kern = json_set(root, "kernels", json_array());
	for (int r = 0; r < nrows; r++) {
		struct nb_json *row = json_push(specs, json_object()), *vals;
		struct cell bc;

		spec_cell(&rows[r], &cols[base], &bc);
		json_set_str(row, "figure", rows[r].name);
		json_set_str(row, "unit", rows[r].unit);
		vals = json_set(row, "values", json_object());
		for (int i = 0; i < ncols; i++) {
			struct nb_json *x = json_set(vals, cols[i].label, json_object()), *src;
			struct cell c;

			spec_cell(&rows[r], &cols[i], &c);
			json_num_or_null(x, "value", c.present, c.v);
			json_num_or_null(x, "ratio", comparable(&c, &bc), c.v / bc.v);
			if (c.what)
				json_set_str(x, "counts", c.what);
			json_set(x, "estimate", json_bool(c.estimate));
			if (!c.present)
				json_set_str(x, "absent", c.absent);
			src = json_set(x, "sources", json_array());
			for (int k = 0; k < c.nsrc; k++)
				json_push(src, json_string(c.src[k]));
		}
	}
	for (int k = 0; k < ncases; k++) {
		const struct nb_result *b = column_result(&cols[base], cases[k]);
		struct nb_json *row = json_push(kern, json_object()), *vals;

		json_set_str(row, "case", cases[k]);
		vals = json_set(row, "results", json_object());
		for (int i = 0; i < ncols; i++) {
			const struct nb_result *r = column_result(&cols[i], cases[k]);
			int ok = result_usable(r), ratio = ok && result_usable(b) && result_same_precision(r, b);
			struct nb_json *x = json_set(vals, cols[i].label, json_object());

			json_num_or_null(x, "throughput", ok, ok ? r->throughput : 0);
			if (ok)
				json_set_str(x, "unit", r->unit ? r->unit : "");
			json_num_or_null(x, "seconds", ok, ok ? r->seconds : 0);
			json_num_or_null(x, "ratio", ratio, ratio ? r->throughput / b->throughput : 0);
			json_set_str(x, "status", r ? result_status_name(r->status) : "no result");
			if (r) {
				json_set_str(x, "kind", result_kind_name(r->kind));
				if (r->bound)
					json_set_str(x, "bound", r->bound);
				json_set_num(x, "run_id", (double)r->run_id);
			}
			json_other_ranks(x, &cols[i], cases[k], r);
		}
	}
	text = json_finish(root, 1);
	printf("%s\n", text);
	free(text);
}

/* A number at full precision, or nothing when absent. */
static void csv_exact(int present, double v)
{
	char buf[40];

	if (present) {
		nb_format_exact(buf, sizeof(buf), v);
		fputs(buf, stdout);
	}
}

/* One spec figure of one chip as a csv record. */
static void csv_spec(const struct spec_row *row, const char *chip, const struct cell *c,
		     const struct cell *bc)
{
	struct strbuf sb = STRBUF_INIT;

	fputs("spec,", stdout);
	csv_field(stdout, row->name);
	putchar(',');
	csv_field(stdout, row->unit);
	putchar(',');
	csv_field(stdout, chip);
	putchar(',');
	csv_exact(c->present, c->v);
	putchar(',');
	csv_exact(comparable(c, bc), c->v / bc->v);
	printf(",%d,", c->estimate);
	csv_field(stdout, c->present ? "ok" : c->absent);
	fputs(",,,,", stdout);
	for (int k = 0; k < c->nsrc; k++)
		sb_addf(&sb, "%s%s", k ? " | " : "", c->src[k]);
	csv_field(stdout, sb_str(&sb));
	sb_release(&sb);
	fputs(",,,\r\n", stdout);
}

/* One kernel result of column COL (R, or NULL) against the baseline's B. */
static void csv_kernel(const char *text, const struct column *col, const struct nb_result *r,
		       const struct nb_result *b)
{
	int ok = result_usable(r), ratio = ok && result_usable(b) && result_same_precision(r, b);
	const struct nb_result *other = r ? NULL : other_ranks_result(col, text);
	const char *chip = col->label;
	char *note = other ? other_ranks_note(other) : NULL;

	fputs("kernel,", stdout);
	csv_field(stdout, text);
	putchar(',');
	csv_field(stdout, ok && r->unit ? r->unit : "");
	putchar(',');
	csv_field(stdout, chip);
	putchar(',');
	csv_exact(ok, ok ? r->throughput : 0);
	putchar(',');
	csv_exact(ratio, ratio ? r->throughput / b->throughput : 0);
	fputs(",0,", stdout);
	csv_field(stdout, r ? result_status_name(r->status) : "no result");
	putchar(',');
	csv_field(stdout, r ? r->bound : NULL);
	putchar(',');
	csv_field(stdout, r ? result_kind_name(r->kind) : NULL);
	putchar(',');
	if (r)
		printf("%lld", (long long)r->run_id);
	fputs(",,", stdout);	/* sources: spec figures only */
	if (case_ranks(text))
		printf("%d", case_ranks(text));
	putchar(',');
	if (other)
		printf("%d", case_ranks(other->case_text));
	putchar(',');
	csv_field(stdout, note);
	free(note);
	fputs("\r\n", stdout);
}

/* Every figure and kernel result as csv records, one per chip. */
static void render_csv(const struct column *cols, int ncols, int base, const struct spec_row *rows,
		       int nrows, const char **cases, int ncases)
{
	printf("section,item,unit,chip,value,ratio,estimate,status,bound,kind,run_id,sources,ranks,"
	       "other_ranks,note\r\n");
	for (int r = 0; r < nrows; r++) {
		struct cell bc;

		spec_cell(&rows[r], &cols[base], &bc);
		for (int i = 0; i < ncols; i++) {
			struct cell c;

			spec_cell(&rows[r], &cols[i], &c);
			csv_spec(&rows[r], cols[i].label, &c, &bc);
		}
	}
	for (int k = 0; k < ncases; k++) {
		const struct nb_result *b = column_result(&cols[base], cases[k]);

		for (int i = 0; i < ncols; i++)
			csv_kernel(cases[k], &cols[i], column_result(&cols[i], cases[k]), b);
	}
}

static void render_people(const struct column *cols, int ncols, int base, const struct spec_row *rows,
			  int nrows, const char **cases, int ncases, const struct chips_opts *o)
{
	struct notes fn = { NULL, 0 };
	struct grid g;
	int md = o->format == NB_FMT_MARKDOWN, any_est = 0, top = 3;
	int up = any_scale_up(cols, ncols);

	if (md)
		printf("## Spec sheet\n\n");
	else
		printf("Spec sheet (ratios to %s)\n\n", cols[base].label);
	if (up)
		top += 2;
	grid_init(&g, nrows + top, ncols + 1);
	grid_set(&g, 0, 0, xstrdup("figure"));
	grid_set(&g, 1, 0, xstrdup("name"));
	grid_set(&g, 2, 0, xstrdup("interconnect type"));
	for (int i = 0; i < ncols; i++) {
		grid_set(&g, 0, i + 1, xasprintf("%s%s", cols[i].label, i == base ? " (baseline)" : ""));
		grid_set(&g, 1, i + 1, xstrdup(cols[i].p ? profile_name(cols[i].p) :
					      cols[i].host ? "this host (no profile: see below)" : "?"));
		grid_set(&g, 2, i + 1, xstrdup(cols[i].link ? cols[i].link : "not given"));
		if (up) {
			grid_set(&g, 3, i + 1, domain_text(cols[i].p));
			grid_set(&g, 4, i + 1, xstrdup(scale_out_text(cols[i].p)));
		}
	}
	if (up) {
		grid_set(&g, 3, 0, xstrdup("scale-up domain"));
		grid_set(&g, 4, 0, xstrdup("scale-out network"));
	}
	for (int r = 0; r < nrows; r++) {
		struct cell bc;

		spec_cell(&rows[r], &cols[base], &bc);
		grid_set(&g, r + top, 0, *rows[r].unit ? xasprintf("%s (%s)", rows[r].name, rows[r].unit)
							: xstrdup(rows[r].name));
		for (int i = 0; i < ncols; i++) {
			struct cell c;

			spec_cell(&rows[r], &cols[i], &c);
			any_est |= c.present && c.estimate;
			grid_set(&g, r + top, i + 1, spec_text(&c, &bc, i == base, &fn, o->sources));
		}
	}
	grid_print(&g, o->format);
	printf("\n(x): ratio to %s.  Sparse rows are peaks with 2:4 structured sparsity, not dense.\n",
	       cols[base].label);
	if (any_est)
		printf("*: an estimate (the profile's own reasoning), not a vendor figure or a measurement.\n");
	if (up)
		printf("all-reduce: nccl-tests' bus bandwidth, algbw x 2(R-1)/R.  Across domains of g chips a\n"
		       "chip moves 2(g-1)/g of the bytes in its domain, the rest over its NICs: where they keep\n"
		       "up, 1024 ranks read up to g/(g-1) above 8 at the same algbw; a torus slice of 8 lacks\n"
		       "the wrap-around links of a full one.\n");
	for (int i = 0; i < ncols; i++)
		if (cols[i].host && !cols[i].p)
			printf("host: not profiled.  'npubench profile probe' measures this host's peaks and "
			       "bandwidth into a\n'host' profile, so that its specs appear here and the model "
			       "can predict it.\n");
	printf("tf32/hf32: FP32-range inputs with a shortened mantissa on the matrix units (NVIDIA\n"
	       "TF32, Ascend HF32), not true FP32.\n");
	printf("compute units: each chip's own kind (SM, AI core, MXU...), which do different work:\n"
	       "counts of different kinds have no ratio.\n");

	if (md)
		printf("\n## Kernel results\n\n");
	else
		printf("\nKernel results (throughput; ratios to %s)\n\n", cols[base].label);
	if (ncases == 0) {
		printf("No stored results for these chips%s: run 'npubench run --target %s...' first.\n",
		       o->filter.nkernels ? " matching --kernel" : "", cols[0].label);
	} else {
		grid_init(&g, ncases + 2, ncols + 1);
		grid_set(&g, 0, 0, xstrdup("case"));
		grid_set(&g, 1, 0, xstrdup(""));
		for (int i = 0; i < ncols; i++) {
			grid_set(&g, 0, i + 1, xasprintf("%s%s", cols[i].label, i == base ? " (baseline)" : ""));
			grid_set(&g, 1, i + 1, xstrdup(cols[i].host ? "measured" : "predicted"));
		}
		for (int k = 0; k < ncases; k++) {
			const struct nb_result *b = column_result(&cols[base], cases[k]);

			grid_set(&g, k + 2, 0, case_format_label_text(cases[k]));
			for (int i = 0; i < ncols; i++) {
				const struct nb_result *r = column_result(&cols[i], cases[k]);
				const struct nb_result *other = r ? NULL : other_ranks_result(&cols[i], cases[k]);

				grid_set(&g, k + 2, i + 1, other ? other_ranks_text(other) :
								   kernel_text(r, b, i == base));
			}
		}
		grid_print(&g, o->format);
		printf("\n%s.  Host figures are measured; chip figures are predicted by the model,\n"
		       "with the bound it found (compute, memory or latency).  (x): throughput ratio to %s,\n"
		       "above 1 is faster; none where the two computed at different precisions (fp32 via\n"
		       "tf32, a TF32-class path such as Ascend's HF32, against true FP32).  eff.: sparse\n"
		       "cases, an effective rate: dense-equivalent work over the time (the work done on\n"
		       "non-zeros is the export's actual_ops).  via D: computed in dtype D (see the profile's\n"
		       "emulation note).\n", o->run ? "From the given run" :
		       "Per case and chip, from the latest run that has it", cols[base].label);
		for (int k = 0; k < ncases; k++)
			if (!strncmp(cases[k], "collective ", 11)) {
				printf("Collectives compare at equal rank counts only: \"at ranks=N\" says a "
				       "column has the\ncase at another rank count (the host: mpirun's world "
				       "size).\n");
				break;
			}
	}
	if (o->sources && fn.n) {
		printf("\n%s\n\n", md ? "### Sources" : "Sources");
		for (int i = 0; i < fn.n; i++)
			printf("%s[%d] %s\n", md ? "- " : "", i + 1, fn.text[i]);
	}
	free(fn.text);
}

static int parse_opts(int argc, char **argv, struct chips_opts *o)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "run", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "sources", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const struct nb_command *cmd = &nb_cmd_compare;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:k:r:f:s", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->baseline = optarg;
			break;
		case 'k':
			o->filter.kernels = xrealloc(o->filter.kernels,
						     (size_t)(o->filter.nkernels + 1) * sizeof(char *));
			o->filter.kernels[o->filter.nkernels++] = optarg;
			break;
		case 'r':
			o->run = optarg;
			break;
		case 'f':
			if (format_option(cmd, optarg, NB_FMTS_COMPARE, &o->format))
				return NB_EXIT_USAGE;
			break;
		case 's':
			o->sources = 1;
			break;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	return 0;
}

/* Appends the columns WORD names (targets_parse's vocabulary: "host", a
 * chip id, alias or glob, "chips", "default"); a column named twice is a
 * usage error.  Returns 0, or an exit status after reporting. */
static int add_columns(struct nb_ctx *ctx, struct nb_profiles *set, const char *word,
		       struct column **cols, int *ncols)
{
	struct nb_targets ts = { 0 };
	int ret = targets_option(&nb_cmd_compare, ctx, "compare chips", word, 0, &ts);

	for (int i = 0; !ret && i < ts.n; i++) {
		struct column col = { 0 };

		/* The host's spec sheet is the profile 'profile probe' wrote, if any. */
		col.host = target_measured(&ts.v[i]);
		col.p = col.host ? probe_host_profile(set) : ts.v[i].profile;
		col.label = col.host ? "host" : profile_id(col.p);
		col.link = col.p ? profile_interconnect_name(col.p) : NULL;
		for (int j = 0; j < *ncols; j++)
			if (!strcmp((*cols)[j].label, col.label))
				ret = usage_error(&nb_cmd_compare, "chip '%s' is named twice", col.label);
		if (ret)
			break;
		*cols = xrealloc(*cols, (size_t)(*ncols + 1) * sizeof(**cols));
		(*cols)[(*ncols)++] = col;
	}
	targets_release(&ts);
	return ret;
}

/* The verdict in words after the tables (report/verdict.h). */
static void print_verdict(const struct column *cols, int ncols, int base,
			  const struct nb_profiles *set, int markdown)
{
	struct verdict_column *vc = xcalloc((size_t)ncols, sizeof(*vc));
	struct nb_verdict v;

	for (int i = 0; i < ncols; i++)
		vc[i] = (struct verdict_column){ cols[i].label, cols[i].host, cols[i].rs, cols[i].nrs };
	verdict_compute(vc, ncols, base, set, &v);
	fflush(stdout);
	printf("\n");
	verdict_print(stdout, &v, markdown);
	verdict_release(&v);
	free(vc);
}

int compare_chips(int argc, char **argv, struct nb_ctx *ctx)
{
	struct chips_opts o = { 0 };
	struct nb_profiles *set;
	struct nb_store *st;
	struct column *cols = NULL;
	struct spec_row *rows = NULL;
	struct nb_result *runrs = NULL;
	const char **cases = NULL;
	int ncols = 0, nrows, ncases, base = 0, nrun = 0, ret;

	if ((ret = parse_opts(argc, argv, &o)))
		goto out;
	ret = NB_EXIT_FAIL;
	if (!(set = ctx_profiles(ctx)))
		goto out;
	for (int i = optind; i < argc; i++)
		if ((ret = add_columns(ctx, set, argv[i], &cols, &ncols)))
			goto out;
	if (optind == argc) {
		struct nb_targets ts = { 0 };

		/* The default chips, without the host. */
		if ((ret = targets_option(&nb_cmd_compare, ctx, "compare chips", "default", 0, &ts)))
			goto out;
		for (int i = 0; !ret && i < ts.n; i++)
			if (!target_measured(&ts.v[i]))
				ret = add_columns(ctx, set, ts.v[i].id, &cols, &ncols);
		targets_release(&ts);
		if (ret)
			goto out;
		if (ncols == 0) {
			error("no chip profile marks itself \"default_target\"; name the chips to compare");
			ret = NB_EXIT_FAIL;
			goto out;
		}
	}
	ret = NB_EXIT_FAIL;
	if (o.baseline) {
		struct column *b = NULL;
		int nb = 0;

		if ((ret = add_columns(ctx, set, o.baseline, &b, &nb)))
			goto out;
		ret = NB_EXIT_FAIL;
		for (base = 0; nb == 1 && base < ncols && strcmp(cols[base].label, b[0].label); base++)
			;
		free(b);
		if (base == ncols || nb != 1) {
			ret = usage_error(&nb_cmd_compare, "--baseline %s is not one of the chips compared",
					  o.baseline);
			goto out;
		}
	}
	/* Kernel results: from the given run, else the latest per case.  The
	 * latest are an extra: without a database yet, the specs alone. */
	if (o.run ? !(st = ctx_store_existing(ctx)) : ctx_store_if_any(ctx, &st))
		goto out;
	if (o.run) {
		int64_t id;

		if (store_run_resolve(st, o.run, &id) || store_results_get(st, id, &runrs, &nrun))
			goto out;
	}
	for (int i = 0; i < ncols; i++) {
		struct nb_result *rs = NULL;
		int n = 0, keep = 0;

		if (o.run) {
			for (int k = 0; k < nrun; k++) {
				if (!runrs[k].target || strcmp(runrs[k].target, cols[i].label) ||
				    !report_result_selected(&o.filter, &runrs[k]))
					continue;
				cols[i].rs = xrealloc(cols[i].rs, (size_t)(keep + 1) * sizeof(*rs));
				cols[i].rs[keep++] = runrs[k];
				memset(&runrs[k], 0, sizeof(runrs[k]));
			}
			cols[i].nrs = keep;
			continue;
		}
		if (st && store_results_latest(st, cols[i].label, &rs, &n))
			goto out;
		for (int k = 0; k < n; k++) {
			if (report_result_selected(&o.filter, &rs[k]))
				rs[keep++] = rs[k];
			else
				result_release(&rs[k]);
		}
		cols[i].rs = rs;
		cols[i].nrs = keep;
	}
	rows = xcalloc(NB_DTYPE_COUNT * 2 + 20, sizeof(*rows));
	nrows = spec_rows(cols, ncols, rows);
	ncases = case_list(cols, ncols, &cases);
	if (o.format == NB_FMT_TABLE || o.format == NB_FMT_MARKDOWN) {
		render_people(cols, ncols, base, rows, nrows, cases, ncases, &o);
		print_verdict(cols, ncols, base, set, o.format == NB_FMT_MARKDOWN);
	} else if (o.format == NB_FMT_CSV)
		render_csv(cols, ncols, base, rows, nrows, cases, ncases);
	else
		render_json(cols, ncols, base, rows, nrows, cases, ncases);
	ret = 0;
out:
	for (int i = 0; i < ncols; i++) {
		results_free(cols[i].rs, cols[i].nrs);
	}
	results_free(runrs, nrun);
	free(cols);
	free(rows);
	free(cases);
	free(o.filter.kernels);
	return ret;
}
