/* Chip profiles: the strict loader.  Every key a profile may hold is in the
 * table below, with its type, whether it is required and its range; anything
 * else is an error naming the file, the key path and the value. */
#include "model/profile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "kernels/kernel.h"
#include "util/util.h"

#define NB_PROFILE_SCHEMA 1
#define MAX_IMPLS 12

/* One implementation of the profile's model.impl section. */
struct impl {
	char *name;			/* a word of NB_IMPL_CHOICES */
	const char *match;		/* text naming it in a measurements file, or NULL */
	const char *note;		/* what it is and which rows set its figures */
	unsigned kinds;			/* bit i: it implements impl_kinds[i] */
	int computes_in;		/* dtype its matrix work is done in, or -1: the case's */
	struct nb_model_params params;
};

/* The shape kinds an implementation may implement, by model family name. */
static const char *const impl_kinds[] = { "gemm", "attention" };

struct nb_profile {
	char *path;
	cJSON *root;
	const char *id, *name, *vendor, *unit_kind, *ic_name;
	double year;
	double peak_tflops[NB_DTYPE_COUNT];
	int emulate_via[NB_DTYPE_COUNT];
	double sparse_factor;
	double capacity_gib, bandwidth_gbs, read_bandwidth_gbs, write_bandwidth_gbs;
	double llc_mib, llc_bandwidth_gbs, llc_gemv_bandwidth_gbs, local_kib;
	double units, tile_m, tile_n, tile_k, block_m, block_n, clock_mhz, vector_tflops;
	double ew_gelems, ew_exp_gelems, ew_act_gelems;
	double ic_bandwidth_gbs, ic_latency_us, tdp_w;
	const char *up_kind, *up_shape, *up_reduction, *out_name;
	double up_chips, up_links, up_link_gbs, up_base_us, up_efficiency, up_reduction_efficiency;
	double out_nics, out_nic_gbs, out_latency_us, out_efficiency;
	double default_target;		/* place among the default targets; 0: not one */
	struct nb_model_params params;
	const char *default_impl[NB_ARRAY_SIZE(impl_kinds)];
	struct impl impls[MAX_IMPLS];
	int nimpls;
};

struct nb_profiles {
	struct nb_profile **p;
	int n;
};

enum ktype {
	K_OBJ,		/* a section: its members are in the table */
	K_STR,		/* a non-empty string */
	K_STRARR,	/* an array of non-empty strings */
	K_INT,		/* a plain positive integer (schema_version) */
	K_FIG,		/* a figure: {value, source, kind[, note]}, value a number */
	K_FIGINT,	/* a figure whose value is a positive integer */
	K_SOURCES,	/* {"TAG": "document, table or URL", ...} */
	K_PEAKS,	/* {"DTYPE": figure, ...} */
	K_EMUL,		/* {"DTYPE": {"via": "DTYPE", "note": "..."}, ...} */
	K_IMPLS,	/* {"NAME": {"note": "...", "kinds": [...], model figures...}, ...} */
};

#define REQ 1
/* What one profile may hold (a shipped one is under 10 KiB, a few aliases). */
#define PROFILE_MAX_BYTES (256 << 10)
#define PROFILE_MAX_ALIASES 32
#define PROFILE_MAX_NAME 128
#define PROFILE_MAX_STRING 4096
#define PROFILE_MAX_MEMBERS 256
#define PROFILE_MAX_DEPTH 8
/* The smallest positive figure a profile may give (any unit). */
#define FIGURE_FLOOR 1e-6
#define OFF(f) offsetof(struct nb_profile, f)
#define NOFF ((size_t)-1)

struct key {
	const char *path;
	enum ktype type;
	int required;
	double lo, hi;		/* figures: lo < value <= hi */
	size_t off;		/* where a figure's value or a string goes */
};

static const struct key keys[] = {
	{ "schema_version", K_INT, REQ, 0, 0, NOFF },
	{ "id", K_STR, REQ, 0, 0, OFF(id) },
	{ "name", K_STR, REQ, 0, 0, OFF(name) },
	{ "vendor", K_STR, REQ, 0, 0, OFF(vendor) },
	{ "aliases", K_STRARR, 0, 0, 0, NOFF },
	{ "notes", K_STR, 0, 0, 0, NOFF },
	{ "default_target", K_INT, 0, 0, 0, OFF(default_target) },
	{ "year", K_FIGINT, REQ, 1989, 2100, OFF(year) },
	{ "sources", K_SOURCES, REQ, 0, 0, NOFF },
	{ "peak_dense_tflops", K_PEAKS, REQ, 0, 1e6, NOFF },
	{ "emulation", K_EMUL, 0, 0, 0, NOFF },
	{ "sparsity", K_OBJ, 0, 0, 0, NOFF },
	{ "sparsity.pattern", K_STR, REQ, 0, 0, NOFF },
	{ "sparsity.factor", K_FIG, REQ, 1, 4, OFF(sparse_factor) },
	{ "sparsity.efficiency", K_FIG, REQ, 0, 1, OFF(params.sparse_efficiency) },
	{ "memory", K_OBJ, REQ, 0, 0, NOFF },
	{ "memory.type", K_STR, 0, 0, 0, NOFF },
	{ "memory.capacity_gib", K_FIG, REQ, 0, 1e6, OFF(capacity_gib) },
	{ "memory.bandwidth_gbs", K_FIG, REQ, 0, 1e6, OFF(bandwidth_gbs) },
	{ "memory.read_bandwidth_gbs", K_FIG, 0, 0, 1e6, OFF(read_bandwidth_gbs) },
	{ "memory.write_bandwidth_gbs", K_FIG, 0, 0, 1e6, OFF(write_bandwidth_gbs) },
	{ "on_chip", K_OBJ, REQ, 0, 0, NOFF },
	{ "on_chip.llc_mib", K_FIG, REQ, 0, 1e6, OFF(llc_mib) },
	{ "on_chip.llc_bandwidth_gbs", K_FIG, 0, 0, 1e7, OFF(llc_bandwidth_gbs) },
	{ "on_chip.llc_gemv_bandwidth_gbs", K_FIG, 0, 0, 1e7, OFF(llc_gemv_bandwidth_gbs) },
	{ "on_chip.local_kib", K_FIG, 0, 0, 1e6, OFF(local_kib) },
	{ "compute", K_OBJ, REQ, 0, 0, NOFF },
	{ "compute.unit_kind", K_STR, REQ, 0, 0, OFF(unit_kind) },
	{ "compute.units", K_FIGINT, REQ, 0, 1e6, OFF(units) },
	{ "compute.tile_m", K_FIGINT, REQ, 0, 4096, OFF(tile_m) },
	{ "compute.tile_n", K_FIGINT, REQ, 0, 4096, OFF(tile_n) },
	{ "compute.tile_k", K_FIGINT, REQ, 0, 4096, OFF(tile_k) },
	{ "compute.block_m", K_FIGINT, REQ, 0, 65536, OFF(block_m) },
	{ "compute.block_n", K_FIGINT, REQ, 0, 65536, OFF(block_n) },
	{ "compute.clock_mhz", K_FIG, 0, 0, 1e5, OFF(clock_mhz) },
	{ "compute.special_tflops", K_FIG, 0, 0, 1e6, OFF(vector_tflops) },
	{ "compute.elementwise_gelems", K_FIG, 0, 0, 1e6, OFF(ew_gelems) },
	{ "compute.elementwise_exp_gelems", K_FIG, 0, 0, 1e6, OFF(ew_exp_gelems) },
	{ "compute.elementwise_act_gelems", K_FIG, 0, 0, 1e6, OFF(ew_act_gelems) },
	{ "interconnect", K_OBJ, 0, 0, 0, NOFF },
	{ "interconnect.name", K_STR, REQ, 0, 0, OFF(ic_name) },
	{ "interconnect.bandwidth_gbs", K_FIG, REQ, 0, 1e6, OFF(ic_bandwidth_gbs) },
	{ "interconnect.latency_us", K_FIG, 0, 0, 1e6, OFF(ic_latency_us) },
	{ "interconnect.scale_up", K_OBJ, 0, 0, 0, NOFF },
	{ "interconnect.scale_up.kind", K_STR, REQ, 0, 0, OFF(up_kind) },
	{ "interconnect.scale_up.chips", K_FIGINT, REQ, 1, 1e6, OFF(up_chips) },
	{ "interconnect.scale_up.shape", K_STR, 0, 0, 0, OFF(up_shape) },
	{ "interconnect.scale_up.links_per_chip", K_FIGINT, REQ, 0, 1024, OFF(up_links) },
	{ "interconnect.scale_up.link_bandwidth_gbs", K_FIG, REQ, 0, 1e5, OFF(up_link_gbs) },
	{ "interconnect.scale_up.base_us", K_FIG, 0, 0, 1e5, OFF(up_base_us) },
	{ "interconnect.scale_up.efficiency", K_FIG, REQ, 0, 1, OFF(up_efficiency) },
	{ "interconnect.scale_up.reduction", K_STR, 0, 0, 0, OFF(up_reduction) },
	{ "interconnect.scale_up.reduction_efficiency", K_FIG, 0, 0, 1, OFF(up_reduction_efficiency) },
	{ "interconnect.scale_out", K_OBJ, 0, 0, 0, NOFF },
	{ "interconnect.scale_out.name", K_STR, REQ, 0, 0, OFF(out_name) },
	{ "interconnect.scale_out.nics_per_chip", K_FIG, REQ, 0, 64, OFF(out_nics) },
	{ "interconnect.scale_out.nic_bandwidth_gbs", K_FIG, REQ, 0, 1e5, OFF(out_nic_gbs) },
	{ "interconnect.scale_out.latency_us", K_FIG, REQ, 0, 1e6, OFF(out_latency_us) },
	{ "interconnect.scale_out.efficiency", K_FIG, REQ, 0, 1, OFF(out_efficiency) },
	{ "power", K_OBJ, 0, 0, 0, NOFF },
	{ "power.tdp_w", K_FIG, REQ, 0, 1e5, OFF(tdp_w) },
	{ "model", K_OBJ, REQ, 0, 0, NOFF },
	{ "model.gemm_efficiency", K_FIG, REQ, 0, 1, OFF(params.gemm_efficiency) },
	{ "model.tile_overhead_k", K_FIG, REQ, 0, 1e5, OFF(params.tile_overhead_k) },
	{ "model.attention_efficiency", K_FIG, REQ, 0, 1, OFF(params.attention_efficiency) },
	{ "model.stream_efficiency", K_FIG, REQ, 0, 1, OFF(params.stream_efficiency) },
	{ "model.launch_us", K_FIG, REQ, 0, 1e5, OFF(params.launch_us) },
	{ "model.overlap", K_FIG, REQ, 0, 1, OFF(params.overlap) },
	{ "model.csr_efficiency", K_FIG, REQ, 0, 1, OFF(params.csr_efficiency) },
	{ "model.sync_us", K_FIG, 0, 0, 1e6, OFF(params.sync_us) },
	{ "model.csr_output_madds", K_FIG, 0, 0, 1e6, OFF(params.csr_output_madds) },
	{ "model.stream_k", K_FIG, 0, 0, 1, OFF(params.stream_k) },
	{ "model.occupancy_knee", K_FIG, 0, 0, 100, OFF(params.occupancy_knee) },
	{ "model.impl", K_IMPLS, 0, 0, 0, NOFF },
	{ "model.default_impl", K_OBJ, 0, 0, 0, NOFF },
	{ "model.default_impl.gemm", K_STR, 0, 0, 0, OFF(default_impl[0]) },
	{ "model.default_impl.attention", K_STR, 0, 0, 0, OFF(default_impl[1]) },
};

static const char *const kinds[] = { "vendor-spec", "measured", "derived", "estimate" };

/* Loading state: the file being read, for messages. */
struct ld {
	const char *file;
	struct nb_profile *p;
	const cJSON *sources;
};

static const struct key *key_find(const char *path)
{
	for (size_t i = 0; i < NB_ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

/* A model figure an implementation may override: "gemm_efficiency" names
 * model.gemm_efficiency; NULL when it is no such figure. */
static const struct key *impl_figure(const char *name)
{
	char kpath[96];
	const struct key *k;

	snprintf(kpath, sizeof(kpath), "model.%s", name);
	k = key_find(kpath);
	return k && k->type == K_FIG && k->off != NOFF ? k : NULL;
}

/* The type of REST, a key path under model.impl ("cublas.note"). */
static enum nb_pkey impl_key_type(const char *rest)
{
	const char *dot = strchr(rest, '.');
	char name[32];

	if (!dot)
		return nb_choice_index(NB_IMPL_CHOICES, rest) > 0 ? NB_PK_OBJ : NB_PK_NONE;
	if (dot == rest || strchr(dot + 1, '.') || (size_t)(dot - rest) >= sizeof(name))
		return NB_PK_NONE;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - rest), rest);
	if (nb_choice_index(NB_IMPL_CHOICES, name) <= 0)
		return NB_PK_NONE;
	if (!strcmp(dot + 1, "match") || !strcmp(dot + 1, "note") || !strcmp(dot + 1, "computes_in"))
		return NB_PK_STR;
	if (!strcmp(dot + 1, "kinds"))
		return NB_PK_STRARR;
	return impl_figure(dot + 1) ? NB_PK_FIG : NB_PK_NONE;
}

enum nb_pkey profile_key_type(const char *path)
{
	const struct key *k = key_find(path);
	const char *dot = strchr(path, '.');
	char head[64], dt[16];

	if (k) {
		switch (k->type) {
		case K_STR: return NB_PK_STR;
		case K_INT: return NB_PK_INT;
		case K_STRARR: return NB_PK_STRARR;
		case K_FIG: return NB_PK_FIG;
		case K_FIGINT: return NB_PK_FIGINT;
		default: return NB_PK_OBJ;
		}
	}
	if (!strncmp(path, "model.impl.", 11))
		return impl_key_type(path + 11);
	if (!dot || (size_t)(dot - path) >= sizeof(head))
		return NB_PK_NONE;
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	k = key_find(head);
	if (!k)
		return NB_PK_NONE;
	switch (k->type) {
	case K_PEAKS:
		return dtype_parse(dot + 1) >= 0 ? NB_PK_FIG : NB_PK_NONE;
	case K_SOURCES:
		return strchr(dot + 1, '.') ? NB_PK_NONE : NB_PK_STR;
	case K_EMUL:
		if (sscanf(dot + 1, "%15[^.]", dt) != 1 || dtype_parse(dt) < 0)
			return NB_PK_NONE;
		if (!strcmp(dot + 1 + strlen(dt), ".via") || !strcmp(dot + 1 + strlen(dt), ".note"))
			return NB_PK_STR;
		return !dot[1 + strlen(dt)] ? NB_PK_OBJ : NB_PK_NONE;
	default:
		return NB_PK_NONE;
	}
}

/* "FILE: key \"PATH\": WHAT, got VALUE" */
static int bad(struct ld *ld, const char *path, const cJSON *v, const char *fmt, ...)
	NB_PRINTF(4, 5);
static int bad(struct ld *ld, const char *path, const cJSON *v, const char *fmt, ...)
{
	char what[256];
	char *text = v ? cJSON_PrintUnformatted(v) : NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (text && strlen(text) > 60)
		strcpy(text + 57, "...");
	if (text)
		error("%s: key \"%s\": %s, got %s", ld->file, path, what, text);
	else
		error("%s: key \"%s\": %s", ld->file, path, what);
	cJSON_free(text);
	return -1;
}

static int is_int_value(double v)
{
	return isfinite(v) && v == floor(v);
}

/* A figure: {"value": N, "source": TAG, "kind": KIND[, "note": TEXT]}. */
static int load_figure(struct ld *ld, const char *path, const cJSON *fig, double lo, double hi,
		       int want_int, double *out)
{
	const cJSON *it, *value = NULL, *source = NULL, *kind = NULL;
	char sub[160];
	size_t i;

	if (!cJSON_IsObject(fig))
		return bad(ld, path, fig, "expected a figure {\"value\", \"source\", \"kind\"}");
	cJSON_ArrayForEach(it, fig) {
		snprintf(sub, sizeof(sub), "%s.%s", path, it->string);
		if (!strcmp(it->string, "value")) {
			value = it;
		} else if (!strcmp(it->string, "source")) {
			source = it;
		} else if (!strcmp(it->string, "kind")) {
			kind = it;
		} else if (!strcmp(it->string, "note")) {
			if (!cJSON_IsString(it) || !*it->valuestring)
				return bad(ld, sub, it, "expected a non-empty string");
		} else {
			return bad(ld, sub, NULL, "unknown key (a figure has value, source, kind and note)");
		}
	}
	snprintf(sub, sizeof(sub), "%s.value", path);
	if (!value)
		return bad(ld, sub, NULL, "missing required key");
	if (!cJSON_IsNumber(value))
		return bad(ld, sub, value, "expected a number");
	if (!(value->valuedouble > lo) || value->valuedouble > hi) {
		if (lo == 0)
			return bad(ld, sub, value, "expected a positive number%s",
				   hi < 1e5 ? (hi == 1 ? " at most 1" : " in range") : "");
		return bad(ld, sub, value, "expected a number above %g and at most %g", lo, hi);
	}
	/* 5e-324 is positive, but a peak or an efficiency that small makes
	 * every prediction infinite: no real figure is. */
	if (lo == 0 && value->valuedouble < FIGURE_FLOOR)
		return bad(ld, sub, value, "expected at least %g: smaller is not a physical figure",
			   FIGURE_FLOOR);
	if (want_int && !is_int_value(value->valuedouble))
		return bad(ld, sub, value, "expected an integer");
	snprintf(sub, sizeof(sub), "%s.source", path);
	if (!source)
		return bad(ld, sub, NULL, "missing required key (every figure names its source)");
	if (!cJSON_IsString(source))
		return bad(ld, sub, source, "expected a source tag (a key of \"sources\")");
	if (!cJSON_GetObjectItemCaseSensitive(ld->sources, source->valuestring))
		return bad(ld, sub, source, "no such source in \"sources\"");
	snprintf(sub, sizeof(sub), "%s.kind", path);
	if (!kind)
		return bad(ld, sub, NULL, "missing required key (vendor-spec, measured, derived or estimate)");
	if (!cJSON_IsString(kind))
		return bad(ld, sub, kind, "expected vendor-spec, measured, derived or estimate");
	for (i = 0; i < NB_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kind->valuestring, kinds[i]))
			break;
	if (i == NB_ARRAY_SIZE(kinds))
		return bad(ld, sub, kind, "expected vendor-spec, measured, derived or estimate");
	*out = value->valuedouble;
	return 0;
}

static int load_sources(struct ld *ld, const char *path, const cJSON *v)
{
	const cJSON *it;
	char sub[160];

	if (!cJSON_IsObject(v) || !cJSON_GetArraySize(v))
		return bad(ld, path, v, "expected an object of source tags and their documents");
	cJSON_ArrayForEach(it, v) {
		snprintf(sub, sizeof(sub), "%s.%s", path, it->string);
		if (!cJSON_IsString(it) || !*it->valuestring)
			return bad(ld, sub, it, "expected a non-empty string (document, table or URL)");
	}
	return 0;
}

static int load_peaks(struct ld *ld, const struct key *k, const cJSON *v)
{
	const cJSON *it;
	char sub[160];
	int n = 0;

	if (!cJSON_IsObject(v))
		return bad(ld, k->path, v, "expected an object of dtypes");
	cJSON_ArrayForEach(it, v) {
		int d = dtype_parse(it->string);

		snprintf(sub, sizeof(sub), "%s.%s", k->path, it->string);
		if (d < 0)
			return bad(ld, sub, NULL, "unknown dtype (fp64, fp32, tf32, fp16, bf16, fp8, int8, int4)");
		if (load_figure(ld, sub, it, k->lo, k->hi, 0, &ld->p->peak_tflops[d]))
			return -1;
		n++;
	}
	if (!n)
		return bad(ld, k->path, v, "expected at least one dtype");
	return 0;
}

static int load_emulation(struct ld *ld, const char *path, const cJSON *v)
{
	const cJSON *it, *f;
	char sub[160];

	if (!cJSON_IsObject(v))
		return bad(ld, path, v, "expected an object of dtypes");
	cJSON_ArrayForEach(it, v) {
		int d = dtype_parse(it->string), via = -1;

		snprintf(sub, sizeof(sub), "%s.%s", path, it->string);
		if (d < 0)
			return bad(ld, sub, NULL, "unknown dtype");
		if (!cJSON_IsObject(it))
			return bad(ld, sub, it, "expected {\"via\": DTYPE, \"note\": TEXT}");
		cJSON_ArrayForEach(f, it) {
			char sub2[200];

			snprintf(sub2, sizeof(sub2), "%s.%s", sub, f->string);
			if (!strcmp(f->string, "via")) {
				if (!cJSON_IsString(f) || (via = dtype_parse(f->valuestring)) < 0)
					return bad(ld, sub2, f, "expected a dtype name");
			} else if (!strcmp(f->string, "note")) {
				if (!cJSON_IsString(f) || !*f->valuestring)
					return bad(ld, sub2, f, "expected a non-empty string");
			} else {
				return bad(ld, sub2, NULL, "unknown key (an emulation has via and note)");
			}
		}
		if (via < 0)
			return bad(ld, sub, NULL, "missing required key \"via\"");
		if (!cJSON_GetObjectItemCaseSensitive(it, "note"))
			return bad(ld, sub, NULL, "missing required key \"note\" (say how and at what cost)");
		ld->p->emulate_via[d] = via;
	}
	return 0;
}

/* The kinds an implementation implements ("kinds": ["gemm"]), as bits. */
static int load_impl_kinds(struct ld *ld, const char *path, const cJSON *v, unsigned *bits)
{
	const cJSON *it;

	if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v))
		return bad(ld, path, v, "expected a non-empty array of kinds (gemm, attention)");
	cJSON_ArrayForEach(it, v) {
		size_t i = 0;

		while (i < NB_ARRAY_SIZE(impl_kinds) &&
		       !(cJSON_IsString(it) && !strcmp(it->valuestring, impl_kinds[i])))
			i++;
		if (i == NB_ARRAY_SIZE(impl_kinds))
			return bad(ld, path, it, "unknown kind (gemm, attention)");
		*bits |= 1u << i;
	}
	return 0;
}

/* One member of an implementation: its words, or a model figure it sets. */
static int load_impl_member(struct ld *ld, const char *path, const cJSON *f, struct impl *im)
{
	const struct key *k;
	int dt;

	if (!strcmp(f->string, "kinds"))
		return load_impl_kinds(ld, path, f, &im->kinds);
	if (!strcmp(f->string, "match") || !strcmp(f->string, "note") ||
	    !strcmp(f->string, "computes_in")) {
		if (!cJSON_IsString(f) || !*f->valuestring)
			return bad(ld, path, f, "expected a non-empty string");
		if (!strcmp(f->string, "match"))
			im->match = f->valuestring;
		else if (!strcmp(f->string, "note"))
			im->note = f->valuestring;
		else if ((dt = dtype_parse(f->valuestring)) < 0)
			return bad(ld, path, f, "unknown dtype (fp64, fp32, tf32, fp16, bf16, fp8, int8, int4)");
		else
			im->computes_in = dt;
		return 0;
	}
	k = impl_figure(f->string);
	if (!k)
		return bad(ld, path, NULL, "unknown key (an implementation has note, kinds, match, "
			   "computes_in and model figures)");
	return load_figure(ld, path, f, k->lo, k->hi, 0,
			   (double *)((char *)&im->params + (k->off - OFF(params))));
}

/* model.impl: the implementations the profile describes, each named from
 * the impl= vocabulary, with the model figures in which it differs. */
static int load_impls(struct ld *ld, const char *path, const cJSON *v)
{
	const cJSON *it, *f;
	char sub[160], sub2[200];

	if (!cJSON_IsObject(v))
		return bad(ld, path, v, "expected an object of named implementations");
	cJSON_ArrayForEach(it, v) {
		struct impl *im;

		snprintf(sub, sizeof(sub), "%s.%s", path, it->string);
		if (nb_choice_index(NB_IMPL_CHOICES, it->string) <= 0)
			return bad(ld, sub, NULL, "unknown implementation (one of %s)",
				   strchr(NB_IMPL_CHOICES, '|') + 1);
		if (ld->p->nimpls >= MAX_IMPLS)
			return bad(ld, sub, NULL, "too many implementations (at most %d)", MAX_IMPLS);
		if (!cJSON_IsObject(it))
			return bad(ld, sub, it, "expected {\"note\": TEXT, \"kinds\": [...], model figures...}");
		im = &ld->p->impls[ld->p->nimpls++];
		im->name = xstrdup(it->string);
		im->computes_in = -1;
		/* NaN: not overridden; filled from the defaults once all is read. */
		for (size_t j = 0; j < sizeof(im->params) / sizeof(double); j++)
			((double *)&im->params)[j] = NAN;
		cJSON_ArrayForEach(f, it) {
			snprintf(sub2, sizeof(sub2), "%s.%s", sub, f->string);
			if (load_impl_member(ld, sub2, f, im))
				return -1;
		}
		if (!im->note)
			return bad(ld, sub, NULL, "missing required key \"note\" (what it is, which rows set it)");
		if (!im->kinds)
			return bad(ld, sub, NULL, "missing required key \"kinds\"");
	}
	return 0;
}

static int load_value(struct ld *ld, const struct key *k, const cJSON *v);

/* A section: every member must be in the table under PATH. */
static int load_object(struct ld *ld, const char *prefix, const cJSON *obj)
{
	const cJSON *it;
	char path[160];

	if (!cJSON_IsObject(obj))
		return bad(ld, *prefix ? prefix : "(top level)", obj, "expected an object");
	cJSON_ArrayForEach(it, obj) {
		const struct key *k;

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", it->string);
		k = key_find(path);
		if (!k)
			return bad(ld, path, NULL, "unknown key (see profiles/SCHEMA.md)");
		for (const cJSON *o = it->next; o; o = o->next)
			if (!strcmp(o->string, it->string))
				return bad(ld, path, NULL, "key given twice");
		if (load_value(ld, k, it))
			return -1;
	}
	/* Required members of this section. */
	for (size_t i = 0; i < NB_ARRAY_SIZE(keys); i++) {
		const char *kp = keys[i].path, *dot = strrchr(kp, '.');
		size_t plen = dot ? (size_t)(dot - kp) : 0;

		if (!keys[i].required || plen != strlen(prefix) || strncmp(kp, prefix, plen))
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(obj, dot ? dot + 1 : kp))
			return bad(ld, kp, NULL, "missing required key");
	}
	return 0;
}

static int load_value(struct ld *ld, const struct key *k, const cJSON *v)
{
	char **sp = k->off != NOFF ? (char **)((char *)ld->p + k->off) : NULL;
	double *dp = k->off != NOFF ? (double *)((char *)ld->p + k->off) : NULL;
	const cJSON *it;

	switch (k->type) {
	case K_OBJ:
		return load_object(ld, k->path, v);
	case K_STR:
		if (!cJSON_IsString(v) || !*v->valuestring)
			return bad(ld, k->path, v, "expected a non-empty string");
		if (sp)
			*sp = v->valuestring;
		return 0;
	case K_STRARR:
		if (!cJSON_IsArray(v))
			return bad(ld, k->path, v, "expected an array of strings");
		cJSON_ArrayForEach(it, v)
			if (!cJSON_IsString(it) || !*it->valuestring)
				return bad(ld, k->path, it, "expected non-empty strings");
		return 0;
	case K_INT:
		if (!cJSON_IsNumber(v) || !is_int_value(v->valuedouble) || v->valuedouble <= 0)
			return bad(ld, k->path, v, "expected a positive integer");
		if (dp)
			*dp = v->valuedouble;
		return 0;
	case K_FIG:
	case K_FIGINT:
		return load_figure(ld, k->path, v, k->lo, k->hi, k->type == K_FIGINT, dp);
	case K_SOURCES:
		return 0;	/* loaded first, see parse_profile */
	case K_PEAKS:
		return load_peaks(ld, k, v);
	case K_EMUL:
		return load_emulation(ld, k->path, v);
	case K_IMPLS:
		return load_impls(ld, k->path, v);
	}
	return bad(ld, k->path, v, "internal error: bad key type");
}

static const char *const domain_kinds[] = { "switch", "full_mesh", "torus2d", "torus3d", "ring" };

/* The scale-up domain: a known kind, a torus shape whose dimensions multiply
 * to the chip count, in-network reduction only with its efficiency, and
 * links that do not exceed the chip's total interconnect bandwidth. */
static int check_interconnect(struct ld *ld)
{
	struct nb_profile *p = ld->p;
	int kind = -1, dims = 0;
	double product = 1;
	const char *c;
	char *end;

	if (!p->up_kind)
		return 0;
	for (size_t i = 0; i < NB_ARRAY_SIZE(domain_kinds); i++)
		if (!strcmp(p->up_kind, domain_kinds[i]))
			kind = (int)i;
	if (kind < 0)
		return bad(ld, "interconnect.scale_up.kind", NULL,
			   "expected switch, full_mesh, torus2d, torus3d or ring, got \"%s\"", p->up_kind);
	if (kind == 2 || kind == 3) {
		if (!p->up_shape)
			return bad(ld, "interconnect.scale_up.shape", NULL,
				   "missing required key (a torus names its dimensions, e.g. \"16x16\")");
		for (c = p->up_shape; *c; c = *end ? end + 1 : end) {
			long d = strtol(c, &end, 10);

			if (end == c || d < 1 || (*end && *end != 'x'))
				return bad(ld, "interconnect.scale_up.shape", NULL,
					   "expected dimensions like \"16x16\", got \"%s\"", p->up_shape);
			product *= (double)d;
			dims++;
		}
		if (dims != (kind == 2 ? 2 : 3) || product != p->up_chips)
			return bad(ld, "interconnect.scale_up.shape", NULL,
				   "\"%s\" must have %d dimensions multiplying to scale_up.chips (%g)",
				   p->up_shape, kind == 2 ? 2 : 3, p->up_chips);
	} else if (p->up_shape) {
		return bad(ld, "interconnect.scale_up.shape", NULL, "only a torus has a shape");
	}
	if (!(p->ic_latency_us > 0))
		return bad(ld, "interconnect.latency_us", NULL,
			   "missing required key (the scale-up model needs the per-hop latency)");
	if (!p->up_reduction != !(p->up_reduction_efficiency > 0))
		return bad(ld, "interconnect.scale_up.reduction", NULL,
			   "reduction and reduction_efficiency go together");
	if (p->up_reduction && kind != 0)
		return bad(ld, "interconnect.scale_up.reduction", NULL,
			   "in-network reduction needs a switch");
	if (p->up_links * p->up_link_gbs * 2 > p->ic_bandwidth_gbs * 1.0001)
		return bad(ld, "interconnect.scale_up.link_bandwidth_gbs", NULL,
			   "%g links x %g GB/s x 2 directions exceeds interconnect.bandwidth_gbs (%g)",
			   p->up_links, p->up_link_gbs, p->ic_bandwidth_gbs);
	return 0;
}

/* Rules between figures that each look fine alone. */
static const struct impl *impl_named(const struct nb_profile *p, const char *name)
{
	for (int i = 0; i < p->nimpls; i++)
		if (!strcmp(p->impls[i].name, name))
			return &p->impls[i];
	return NULL;
}

/* Each default implementation is described and implements its kind; an
 * implementation computes in a dtype the chip has. */
static int check_impls(struct ld *ld)
{
	const struct nb_profile *p = ld->p;
	char path[64];

	for (size_t k = 0; k < NB_ARRAY_SIZE(impl_kinds); k++) {
		const struct impl *im;

		if (!p->default_impl[k])
			continue;
		snprintf(path, sizeof(path), "model.default_impl.%s", impl_kinds[k]);
		im = impl_named(p, p->default_impl[k]);
		if (!im)
			return bad(ld, path, NULL, "\"%s\" is not described under model.impl",
				   p->default_impl[k]);
		if (!(im->kinds & (1u << k)))
			return bad(ld, path, NULL, "\"%s\" does not list %s among its kinds",
				   p->default_impl[k], impl_kinds[k]);
	}
	for (int i = 0; i < p->nimpls; i++) {
		int dt = p->impls[i].computes_in;

		snprintf(path, sizeof(path), "model.impl.%s.computes_in", p->impls[i].name);
		if (dt >= 0 && !(p->peak_tflops[dt] > 0))
			return bad(ld, path, NULL, "%s has no peak in peak_dense_tflops",
				   dtype_name((enum nb_dtype)dt));
	}
	return 0;
}

static int check_consistency(struct ld *ld, int check_name)
{
	struct nb_profile *p = ld->p;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->root, "schema_version");
	double narrow;

	if (v->valuedouble != NB_PROFILE_SCHEMA)
		return bad(ld, "schema_version", v, "this npubench reads schema version %d",
			   NB_PROFILE_SCHEMA);
	for (const char *c = p->id; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
			return bad(ld, "id", cJSON_GetObjectItemCaseSensitive(p->root, "id"),
				   "expected lowercase letters, digits and '-'");
	if (p->llc_bandwidth_gbs > 0 && p->llc_bandwidth_gbs <= p->bandwidth_gbs)
		return bad(ld, "on_chip.llc_bandwidth_gbs",
			   cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(
					   cJSON_GetObjectItemCaseSensitive(p->root, "on_chip"),
					   "llc_bandwidth_gbs"), "value"),
			   "on-chip bandwidth must exceed memory.bandwidth_gbs (%g)", p->bandwidth_gbs);
	if ((int64_t)p->block_m % (int64_t)p->tile_m || (int64_t)p->block_n % (int64_t)p->tile_n)
		return bad(ld, "compute.block_m", NULL,
			   "block_m x block_n (%gx%g) must be multiples of tile_m x tile_n (%gx%g)",
			   p->block_m, p->block_n, p->tile_m, p->tile_n);
	narrow = fmax(p->peak_tflops[NB_FP16], p->peak_tflops[NB_BF16]);
	for (int d = NB_FP64; d <= NB_TF32; d++)
		if (narrow > 0 && p->peak_tflops[d] > narrow)
			return bad(ld, "peak_dense_tflops", NULL,
				   "%s (%g) above the 16-bit peak (%g): a sparse or misread figure?",
				   dtype_name((enum nb_dtype)d), p->peak_tflops[d], narrow);
	for (int d = 0; d < NB_DTYPE_COUNT; d++) {
		int via = p->emulate_via[d];

		if (via < 0)
			continue;
		if (p->peak_tflops[d] > 0)
			return bad(ld, "emulation", NULL, "%s has a native peak: it needs no emulation",
				   dtype_name((enum nb_dtype)d));
		if (p->peak_tflops[via] <= 0)
			return bad(ld, "emulation", NULL, "%s is emulated via %s, which the chip lacks",
				   dtype_name((enum nb_dtype)d), dtype_name((enum nb_dtype)via));
	}
	if (p->sparse_factor > 0 &&
	    strcmp(cJSON_GetObjectItemCaseSensitive(
			   cJSON_GetObjectItemCaseSensitive(p->root, "sparsity"), "pattern")->valuestring,
		   "2:4"))
		return bad(ld, "sparsity.pattern", NULL, "only \"2:4\" is modelled");
	if (check_interconnect(ld) || check_impls(ld))
		return -1;
	if (check_name) {
		const char *base = strrchr(ld->file, '/');
		size_t n = strlen(p->id);

		base = base ? base + 1 : ld->file;
		if (strncmp(base, p->id, n) || strcmp(base + n, ".json"))
			return bad(ld, "id", cJSON_GetObjectItemCaseSensitive(p->root, "id"),
				   "the file must be named after the id (%s.json)", p->id);
	}
	return 0;
}

/* Caps on what a profile holds, checked before anything walks it: every
 * later step (alias look-ups across profiles, key checks) stays small. */
static int check_sizes(struct ld *ld, const char *path, const cJSON *v, int depth)
{
	char sub[200];
	int n = 0;

	if (depth > PROFILE_MAX_DEPTH)
		return bad(ld, path, NULL, "nested deeper than %d levels", PROFILE_MAX_DEPTH);
	if (cJSON_IsString(v) && strlen(v->valuestring) > PROFILE_MAX_STRING)
		return bad(ld, path, NULL, "a string of %zu bytes (at most %d)",
			   strlen(v->valuestring), PROFILE_MAX_STRING);
	if (depth == 1 && !strcmp(path, "aliases") && cJSON_GetArraySize(v) > PROFILE_MAX_ALIASES)
		return bad(ld, path, NULL, "%d aliases (at most %d)", cJSON_GetArraySize(v),
			   PROFILE_MAX_ALIASES);
	for (const cJSON *c = v->child; c; c = c->next, n++) {
		if (n >= PROFILE_MAX_MEMBERS)
			return bad(ld, path, NULL, "more than %d %s", PROFILE_MAX_MEMBERS,
				   cJSON_IsArray(v) ? "items" : "keys");
		if (c->string && strlen(c->string) > PROFILE_MAX_NAME)
			return bad(ld, path, NULL, "a key of %zu bytes (at most %d)", strlen(c->string),
				   PROFILE_MAX_NAME);
		if (c->string)
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", c->string);
		else
			snprintf(sub, sizeof(sub), "%s[%d]", path, n);
		if (check_sizes(ld, sub, c, depth + 1))
			return -1;
	}
	if (depth == 1 && (!strcmp(path, "aliases") || !strcmp(path, "id") || !strcmp(path, "name") ||
			   !strcmp(path, "vendor"))) {
		const cJSON *c = cJSON_IsArray(v) ? v->child : v;

		for (; c; c = cJSON_IsArray(v) ? c->next : NULL)
			if (cJSON_IsString(c) && strlen(c->valuestring) > PROFILE_MAX_NAME)
				return bad(ld, path, NULL, "a name of %zu bytes (at most %d)",
					   strlen(c->valuestring), PROFILE_MAX_NAME);
	}
	return 0;
}

static int parse_profile(const char *file, const char *text, int check_name, struct nb_profile **out)
{
	struct nb_profile *p = xcalloc(1, sizeof(*p));
	struct ld ld = { file, p, NULL };
	const char *end = NULL;

	for (int d = 0; d < NB_DTYPE_COUNT; d++)
		p->emulate_via[d] = -1;
	p->path = xstrdup(file);
	p->root = cJSON_ParseWithOpts(text, &end, 1);
	if (!p->root) {
		int line = 1;

		for (const char *c = text; end && c < end; c++)
			line += *c == '\n';
		error("%s:%d: not valid JSON", file, line);
		goto fail;
	}
	if (!cJSON_IsObject(p->root)) {
		bad(&ld, "(top level)", NULL, "expected an object");
		goto fail;
	}
	if (check_sizes(&ld, "", p->root, 0))
		goto fail;
	ld.sources = cJSON_GetObjectItemCaseSensitive(p->root, "sources");
	if (!ld.sources) {
		bad(&ld, "sources", NULL, "missing required key");
		goto fail;
	}
	if (load_sources(&ld, "sources", ld.sources))
		goto fail;
	if (load_object(&ld, "", p->root) || check_consistency(&ld, check_name))
		goto fail;
	for (int i = 0; i < p->nimpls; i++)
		for (size_t j = 0; j < sizeof(p->params) / sizeof(double); j++)
			if (isnan(((double *)&p->impls[i].params)[j]))
				((double *)&p->impls[i].params)[j] = ((double *)&p->params)[j];
	*out = p;
	return 0;
fail:
	profile_free(p);
	return -1;
}

int profile_load_file(const char *path, int check_name, struct nb_profile **out)
{
	char *text = NULL;
	size_t len;
	int ret;

	if (nb_read_file(path, PROFILE_MAX_BYTES, &text, &len))
		return -1;
	ret = parse_profile(path, text, check_name, out);
	free(text);
	return ret;
}

void profile_free(struct nb_profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nimpls; i++)
		free(p->impls[i].name);
	cJSON_Delete(p->root);
	free(p->path);
	free(p);
}

/* Names P answers to: its id and aliases. */
static int answers_to(const struct nb_profile *p, const char *name)
{
	const char *a;

	if (!strcasecmp(p->id, name))
		return 1;
	for (int i = 0; (a = profile_alias(p, i)); i++)
		if (!strcasecmp(a, name))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds DIR's profiles to SET, skipping ids already there. */
static int load_dir(struct nb_profiles *set, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	int n = 0, ret = 0;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : error("cannot open '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".json") && e->d_name[0] != '.') {
			names = xrealloc(names, (size_t)(n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, (size_t)n, sizeof(*names), cmp_str);
	for (int i = 0; i < n && !ret; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct nb_profile *p = NULL;
		int dup = 0;

		if (profile_load_file(path, 1, &p)) {
			ret = -1;
		} else {
			for (int j = 0; j < set->n && !dup; j++) {
				const struct nb_profile *q = set->p[j];
				const char *a;

				if (!strcmp(q->id, p->id)) {
					dup = 1;	/* an earlier folder wins */
					continue;
				}
				if (answers_to(q, p->id))
					ret = error("%s: id '%s' is already an alias of %s", path, p->id, q->path);
				for (int k = 0; !ret && (a = profile_alias(p, k)); k++)
					if (answers_to(q, a))
						ret = error("%s: alias '%s' already names %s", path, a, q->path);
			}
			if (dup || ret) {
				profile_free(p);
			} else {
				set->p = xrealloc(set->p, (size_t)(set->n + 1) * sizeof(*set->p));
				set->p[set->n++] = p;
			}
		}
		free(path);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int profiles_load(const char *const *dirs, int ndirs, struct nb_profiles **out)
{
	struct nb_profiles *set = xcalloc(1, sizeof(*set));

	for (int i = 0; i < ndirs; i++) {
		if (load_dir(set, dirs[i])) {
			profiles_free(set);
			return -1;
		}
	}
	*out = set;
	return 0;
}

void profiles_free(struct nb_profiles *set)
{
	if (!set)
		return;
	for (int i = 0; i < set->n; i++)
		profile_free(set->p[i]);
	free(set->p);
	free(set);
}

int profiles_count(const struct nb_profiles *set)
{
	return set->n;
}

const struct nb_profile *profiles_get(const struct nb_profiles *set, int i)
{
	return i >= 0 && i < set->n ? set->p[i] : NULL;
}

const struct nb_profile *profiles_find(const struct nb_profiles *set, const char *name)
{
	for (int i = 0; i < set->n; i++)
		if (answers_to(set->p[i], name))
			return set->p[i];
	return NULL;
}

const char *profile_id(const struct nb_profile *p) { return p->id; }
const char *profile_name(const struct nb_profile *p) { return p->name; }
const char *profile_vendor(const struct nb_profile *p) { return p->vendor; }
const char *profile_path(const struct nb_profile *p) { return p->path; }
int profile_year(const struct nb_profile *p) { return (int)p->year; }
int profile_default_target(const struct nb_profile *p) { return (int)p->default_target; }

const char *profile_alias(const struct nb_profile *p, int i)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(p->root, "aliases");
	const cJSON *it = a ? cJSON_GetArrayItem(a, i) : NULL;

	return i >= 0 && it ? it->valuestring : NULL;
}

char *profile_snapshot_json(const struct nb_profile *p)
{
	char *s = cJSON_PrintUnformatted(p->root);
	char *copy;

	if (!s)
		die("out of memory");
	copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

double profile_peak(const struct nb_profile *p, enum nb_dtype d)
{
	return (unsigned)d < NB_DTYPE_COUNT ? p->peak_tflops[d] * 1e12 : 0;
}

double profile_sparse_factor(const struct nb_profile *p) { return p->sparse_factor; }

int profile_emulation(const struct nb_profile *p, enum nb_dtype d)
{
	return (unsigned)d < NB_DTYPE_COUNT ? p->emulate_via[d] : -1;
}

double profile_mem_bytes(const struct nb_profile *p) { return p->capacity_gib * 1073741824.0; }
double profile_bw_bytes_per_s(const struct nb_profile *p) { return p->bandwidth_gbs * 1e9; }

double profile_stream_bw_bytes_per_s(const struct nb_profile *p, int reads, int writes)
{
	if (writes == 0 && reads > 0 && p->read_bandwidth_gbs > 0)
		return p->read_bandwidth_gbs * 1e9;
	if (reads == 0 && writes > 0 && p->write_bandwidth_gbs > 0)
		return p->write_bandwidth_gbs * 1e9;
	return p->bandwidth_gbs * 1e9;
}
double profile_llc_bytes(const struct nb_profile *p) { return p->llc_mib * 1048576.0; }
double profile_local_bytes(const struct nb_profile *p) { return p->local_kib * 1024.0; }
double profile_llc_bw_bytes_per_s(const struct nb_profile *p) { return p->llc_bandwidth_gbs * 1e9; }
double profile_llc_gemv_bw_bytes_per_s(const struct nb_profile *p) { return p->llc_gemv_bandwidth_gbs * 1e9; }
int profile_units(const struct nb_profile *p) { return (int)p->units; }
const char *profile_unit_kind(const struct nb_profile *p) { return p->unit_kind; }

void profile_tile(const struct nb_profile *p, int *m, int *n, int *k)
{
	*m = (int)p->tile_m;
	*n = (int)p->tile_n;
	*k = (int)p->tile_k;
}

void profile_block(const struct nb_profile *p, int *m, int *n)
{
	*m = (int)p->block_m;
	*n = (int)p->block_n;
}

double profile_clock_hz(const struct nb_profile *p) { return p->clock_mhz * 1e6; }
double profile_vector_flops(const struct nb_profile *p) { return p->vector_tflops * 1e12; }
double profile_ew_rate(const struct nb_profile *p) { return p->ew_gelems * 1e9; }
double profile_ew_exp_rate(const struct nb_profile *p) { return p->ew_exp_gelems * 1e9; }
double profile_ew_act_rate(const struct nb_profile *p) { return p->ew_act_gelems * 1e9; }
double profile_interconnect_bytes_per_s(const struct nb_profile *p) { return p->ic_bandwidth_gbs * 1e9; }
const char *profile_interconnect_name(const struct nb_profile *p) { return p->ic_name; }
double profile_tdp_w(const struct nb_profile *p) { return p->tdp_w; }

int profile_interconnect(const struct nb_profile *p, struct nb_interconnect *ic)
{
	memset(ic, 0, sizeof(*ic));
	if (!p->up_kind)
		return -1;
	ic->kind = p->up_kind;
	ic->shape = p->up_shape;
	ic->chips = (int)p->up_chips;
	ic->links_per_chip = (int)p->up_links;
	ic->link_bytes_per_s = p->up_link_gbs * 1e9;
	ic->latency_s = p->ic_latency_us * 1e-6;
	ic->efficiency = p->up_efficiency;
	ic->reduction = p->up_reduction;
	ic->reduction_efficiency = p->up_reduction_efficiency;
	ic->out_name = p->out_name;
	ic->nics_per_chip = p->out_nics;
	ic->nic_bytes_per_s = p->out_nic_gbs * 1e9;
	ic->out_latency_s = p->out_latency_us * 1e-6;
	ic->out_efficiency = p->out_efficiency;
	ic->launch_s = (p->up_base_us > 0 ? p->up_base_us : p->params.launch_us) * 1e-6;
	return 0;
}

/* Case-insensitive substring test. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

const struct nb_model_params *profile_model_params(const struct nb_profile *p, const char *hint,
						   const char **variant)
{
	if (variant)
		*variant = NULL;
	for (int i = 0; hint && i < p->nimpls; i++) {
		if (p->impls[i].match && contains_ci(hint, p->impls[i].match)) {
			if (variant)
				*variant = p->impls[i].name;
			return &p->impls[i].params;
		}
	}
	return &p->params;
}

static int impl_kind_index(const char *kind)
{
	for (size_t k = 0; k < NB_ARRAY_SIZE(impl_kinds); k++)
		if (kind && !strcmp(kind, impl_kinds[k]))
			return (int)k;
	return -1;
}

/* What impl= accepts for kind index K on P, as a refusal lists it: the
 * implementations (or "none"), then what impl=auto does. */
static void impl_choices(const struct nb_profile *p, int k, struct strbuf *sb)
{
	const char *def = k >= 0 ? p->default_impl[k] : NULL;
	size_t start = sb->len;

	for (int i = 0; i < p->nimpls; i++)
		if (k >= 0 && (p->impls[i].kinds & (1u << k)))
			sb_addf(sb, "%s%s", sb->len > start ? ", " : "", p->impls[i].name);
	if (sb->len == start)
		sb_adds(sb, "none");
	if (def)
		sb_addf(sb, "; impl=auto picks %s", def);
	else
		sb_adds(sb, "; impl=auto uses the profile's own model figures");
}

int profile_impl(const struct nb_profile *p, const char *name, const char *kind, struct nb_impl *out,
		 char *why, size_t n)
{
	int k = impl_kind_index(kind);
	const struct impl *im;

	memset(out, 0, sizeof(*out));
	out->computes_in = -1;
	out->params = &p->params;
	if (!name || !strcmp(name, "auto")) {
		name = k >= 0 ? p->default_impl[k] : NULL;
		out->is_default = 1;
		if (!name)
			return 0;
	}
	im = impl_named(p, name);
	if (!im || k < 0 || !(im->kinds & (1u << k))) {
		struct strbuf have = STRBUF_INIT;

		impl_choices(p, k, &have);
		if (!im)
			snprintf(why, n, "%s's profile describes no %s implementation of %s (it has: %s)", p->id,
				 name, kind ? kind : "this kind", sb_str(&have));
		else
			snprintf(why, n, "impl %s on %s does not implement %s (for it the profile has: %s)",
				 name, p->id, kind ? kind : "this kind", sb_str(&have));
		sb_release(&have);
		return -1;
	}
	out->name = im->name;
	out->is_default = k >= 0 && p->default_impl[k] && !strcmp(p->default_impl[k], im->name);
	out->note = im->note;
	out->computes_in = im->computes_in;
	out->params = &im->params;
	return 0;
}

const char *profile_impl_matching(const struct nb_profile *p, const char *hint, const char *kind)
{
	int k = impl_kind_index(kind);

	for (int i = 0; hint && k >= 0 && i < p->nimpls; i++)
		if (p->impls[i].match && (p->impls[i].kinds & (1u << k)) && contains_ci(hint, p->impls[i].match))
			return p->impls[i].name;
	return NULL;
}

const char *profile_impl_name(const struct nb_profile *p, int i)
{
	return i >= 0 && i < p->nimpls ? p->impls[i].name : NULL;
}

static const cJSON *lookup(const cJSON *root, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	const cJSON *node = root;

	for (char *t = strtok_r(copy, ".", &save); t && node; t = strtok_r(NULL, ".", &save))
		node = cJSON_GetObjectItemCaseSensitive(node, t);
	free(copy);
	return node;
}

static const char *figure_source(const struct nb_profile *p, const cJSON *fig,
				 const char **kind, const char **note)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(fig, "source");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(fig, "kind");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(fig, "note");
	const cJSON *text;

	if (!cJSON_IsString(src))
		return NULL;
	if (kind)
		*kind = cJSON_IsString(k) ? k->valuestring : "";
	if (note)
		*note = cJSON_IsString(n) ? n->valuestring : NULL;
	text = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p->root, "sources"),
						src->valuestring);
	return cJSON_IsString(text) ? text->valuestring : src->valuestring;
}

const char *profile_field_source(const struct nb_profile *p, const char *path,
				 const char **kind, const char **note)
{
	const cJSON *fig = lookup(p->root, path);

	if (!cJSON_IsObject(fig) || !cJSON_GetObjectItemCaseSensitive(fig, "value"))
		return NULL;
	return figure_source(p, fig, kind, note);
}

static void each_figure(const struct nb_profile *p, const cJSON *obj, const char *prefix,
			void (*fn)(void *, const char *, double, const char *, const char *, const char *),
			void *arg)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		char *path;

		if (!cJSON_IsObject(it) || !strcmp(it->string, "sources"))
			continue;
		path = *prefix ? xasprintf("%s.%s", prefix, it->string) : xstrdup(it->string);
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(it, "value"))) {
			const char *kind = NULL, *note = NULL;
			const char *src = figure_source(p, it, &kind, &note);

			fn(arg, path, cJSON_GetObjectItemCaseSensitive(it, "value")->valuedouble,
			   src ? src : "", kind ? kind : "", note);
		} else {
			each_figure(p, it, path, fn, arg);
		}
		free(path);
	}
}

void profile_each_figure(const struct nb_profile *p,
			 void (*fn)(void *arg, const char *path, double value, const char *source,
				    const char *kind, const char *note),
			 void *arg)
{
	each_figure(p, p->root, "", fn, arg);
}

int profile_text_settle_id(const char *src, const char *body, size_t len, const char *as,
			   char **id, char **text)
{
	const char *end = NULL;
	cJSON *root = NULL, *jid;
	int ret = -1;

	*id = *text = NULL;
	if (strlen(body) != len) {
		error("%s: the download is not a JSON profile (it holds a NUL byte)", src);
		goto out;
	}
	root = cJSON_ParseWithOpts(body, &end, 1);
	if (!root) {
		error("%s: the download is not valid JSON (near byte %ld)", src,
		      end ? (long)(end - body) : 0L);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		error("%s: the download is not a JSON object, so not a chip profile", src);
		goto out;
	}
	jid = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (as) {
		cJSON *aliases = cJSON_GetObjectItemCaseSensitive(root, "aliases");
		char *printed;

		if (jid)
			cJSON_ReplaceItemInObjectCaseSensitive(root, "id", cJSON_CreateString(as));
		else
			cJSON_AddStringToObject(root, "id", as);
		/* The original's aliases would name two profiles. */
		if (aliases)
			cJSON_ReplaceItemInObjectCaseSensitive(root, "aliases", cJSON_CreateArray());
		if (!(printed = cJSON_Print(root)))
			die("out of memory");
		*text = xstrdup(printed);
		cJSON_free(printed);
		*id = xstrdup(as);
	} else {
		if (!cJSON_IsString(jid) || !jid->valuestring) {
			error("%s: the profile has no \"id\" string (name one with --as ID)", src);
			goto out;
		}
		*text = xstrdup(body);
		*id = xstrdup(jid->valuestring);
	}
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}
