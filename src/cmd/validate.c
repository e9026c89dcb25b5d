/* npubench validate: check the model against published measurements.
 *
 * Each row of a measurements CSV (the columns of data/calibration-
 * measurements.csv) is turned into a shape in the source's own conventions
 * (its FLOP count, its shape order, the bytes it counts), predicted on the
 * chip's profile, and compared with the measured value. */
#include "npubench.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "model/model.h"
#include "model/profile.h"
#include "report/format.h"
#include "store/store.h"
#include "util/csv.h"
#include "util/stats.h"
#include "util/term.h"
#include "util/util.h"
#include "cmd/validate.h"
#include "cmd/profile-probe.h"

enum { C_CHIP, C_KERNEL, C_DTYPE, C_M, C_N, C_K, C_EXTRA, C_VALUE, C_UNIT, C_SOURCE, NCOL };
static const char *const colnames[NCOL] = {
	"chip", "kernel", "dtype", "m", "n", "k_or_size", "extra", "measured_value", "unit", "source",
};
static const int col_optional[NCOL] = { [C_M] = 1, [C_N] = 1, [C_K] = 1, [C_EXTRA] = 1, [C_SOURCE] = 1 };


static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* The largest dimension (and batch) and size a row may give: far beyond any
 * benchmark, and well inside int64 so that products of two stay exact
 * enough and every cast is defined. */
#define VALIDATE_MAX_DIM 1e9
#define VALIDATE_MAX_BYTES 1e18

/* The value after KEY= (or KEY:) in TEXT, as a number; 0 when absent. */
static double keyed_number(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; *p; p++) {
		if (!strncasecmp(p, key, n) && (p[n] == '=' || p[n] == ':') &&
		    (p == text || !isalnum((unsigned char)p[-1]))) {
			double v = strtod(p + n + 1, NULL);

			/* Out of range (nan, 1e100) reads as absent: never cast. */
			return isfinite(v) && v > 0 && v <= VALIDATE_MAX_DIM ? v : 0;
		}
	}
	return 0;
}

/* The first number in TEXT with its unit ("up to 8 GB" -> 8e9); 0 if none. */
static double size_bytes(const char *text)
{
	static const struct { const char *u; double f; } units[] = {
		{ "TiB", 1099511627776.0 }, { "GiB", 1073741824.0 }, { "MiB", 1048576.0 },
		{ "KiB", 1024.0 }, { "TB", 1e12 }, { "GB", 1e9 }, { "MB", 1e6 }, { "KB", 1e3 },
	};
	const char *p = text;
	char *end;
	double v;

	while (*p && !isdigit((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	v = strtod(p, &end);
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < NB_ARRAY_SIZE(units); i++)
		if (!strncasecmp(end, units[i].u, strlen(units[i].u))) {
			v *= units[i].f;
			break;
		}
	return isfinite(v) && v > 0 && v <= VALIDATE_MAX_BYTES ? v : 0;
}

enum ukind { U_RATE_OPS, U_RATE_BYTES, U_TIME, U_RATIO };

/* The unit's scale to SI and what it measures; -1 when unknown. */
static int parse_unit(const char *u, double *scale, enum ukind *kind)
{
	static const struct { const char *name; double f; enum ukind k; } units[] = {
		{ "PFLOPS", 1e15, U_RATE_OPS }, { "TFLOPS", 1e12, U_RATE_OPS }, { "GFLOPS", 1e9, U_RATE_OPS },
		{ "TOPS", 1e12, U_RATE_OPS }, { "POPS", 1e15, U_RATE_OPS }, { "GOPS", 1e9, U_RATE_OPS },
		{ "TFLOP/s", 1e12, U_RATE_OPS }, { "GFLOP/s", 1e9, U_RATE_OPS },
		{ "TB/s", 1e12, U_RATE_BYTES }, { "GB/s", 1e9, U_RATE_BYTES }, { "MB/s", 1e6, U_RATE_BYTES },
		{ "TiB/s", 1099511627776.0, U_RATE_BYTES }, { "GiB/s", 1073741824.0, U_RATE_BYTES },
		{ "s", 1, U_TIME }, { "ms", 1e-3, U_TIME }, { "us", 1e-6, U_TIME },
		{ "x", 1, U_RATIO }, { "speedup", 1, U_RATIO },
	};

	for (size_t i = 0; i < NB_ARRAY_SIZE(units); i++) {
		if (!strcasecmp(u, units[i].name)) {
			*scale = units[i].f;
			*kind = units[i].k;
			return 0;
		}
	}
	return -1;
}

/* TEXT with spaces as '-', without a leading vendor word when DROP_VENDOR. */
static void dashed(const char *text, int drop_vendor, char *out, size_t n)
{
	static const char *const vendors[] = { "nvidia ", "amd ", "google ", "intel ", "huawei " };
	size_t j = 0;

	while (*text == ' ')
		text++;
	for (size_t i = 0; drop_vendor && i < NB_ARRAY_SIZE(vendors); i++)
		if (!strncasecmp(text, vendors[i], strlen(vendors[i])))
			text += strlen(vendors[i]);
	for (; *text && j + 1 < n; text++)
		out[j++] = *text == ' ' ? '-' : *text;
	while (j > 0 && out[j - 1] == '-')
		j--;
	out[j] = '\0';
}

/* Finds the chip: the text itself, with spaces as dashes (and without a
 * vendor word), the part before " (" or " x8", its first word, or a name in
 * the parentheses ("A800 (A100-80GB class)"). */
static const struct nb_profile *resolve_chip(const struct nb_profiles *set, const char *chip,
					     char *note, size_t nlen)
{
	const struct nb_profile *p = profiles_find(set, chip);
	char head[128], buf[128], *cut, *tok, *save = NULL;

	if (p)
		return p;
	snprintf(head, sizeof(head), "%s", chip);
	if ((cut = strchr(head, '(')))
		*cut = '\0';
	if ((cut = strstr(head, " x")) && isdigit((unsigned char)cut[2]))
		*cut = '\0';
	for (int pass = 0; pass < 4; pass++) {
		dashed(pass < 2 ? chip : head, pass % 2, buf, sizeof(buf));
		if ((p = profiles_find(set, buf)))
			return p;
	}
	snprintf(buf, sizeof(buf), "%s", head);
	tok = strtok_r(buf, " ", &save);
	if (tok && (p = profiles_find(set, tok))) {
		snprintf(note, nlen, "'%s' taken as %s", chip, profile_id(p));
		return p;
	}
	if (strchr(chip, '(')) {
		snprintf(buf, sizeof(buf), "%s", strchr(chip, '(') + 1);
		for (tok = strtok_r(buf, " ()", &save); tok; tok = strtok_r(NULL, " ()", &save)) {
			if ((p = profiles_find(set, tok))) {
				snprintf(note, nlen, "'%s' taken as %s", chip, profile_id(p));
				return p;
			}
		}
	}
	return NULL;
}

static int64_t parse_dim(const char *s)
{
	int64_t v;

	return *s && !nb_parse_i64(s, &v) && v > 0 && v <= VALIDATE_MAX_DIM ? v : 0;
}

static void add_note(struct outcome *o, const char *text)
{
	size_t len = strlen(o->note);

	snprintf(o->note + len, sizeof(o->note) - len, "%s%s", len ? "; " : "", text);
}

/* A shape column given but not a size (a negative, a word): the row is
 * skipped, naming the column, rather than predicted with a default shape. */
static int bad_dims(char **f, struct outcome *o)
{
	static const struct { int col; const char *name; } dims[] = {
		{ C_M, "m" }, { C_N, "n" }, { C_K, "k_or_size" },
	};
	char msg[160];

	for (size_t i = 0; i < NB_ARRAY_SIZE(dims); i++) {
		const char *v = f[dims[i].col];

		if (*v && !parse_dim(v)) {
			snprintf(msg, sizeof(msg), "skipped: %s '%.40s' is not a size from 1 to %lld", dims[i].name,
				 v, (long long)VALIDATE_MAX_DIM);
			add_note(o, msg);
			return -1;
		}
	}
	return 0;
}

/* What a row's source counts differently, as data: sources that build
 * A[m,n] @ B[n,k] (the middle number is the reduction), and streams whose
 * bandwidth counts only the bytes read or only those written. */
enum { Q_MIDDLE_IS_K = 1, Q_COUNT_READ = 2, Q_COUNT_WRITE = 4 };
static const struct quirk {
	int column;		/* C_SOURCE or C_EXTRA */
	const char *word;
	int flags;
} quirks[] = {
	{ C_SOURCE, "limulidae", Q_MIDDLE_IS_K },
	{ C_SOURCE, "gpu_benchmark", Q_MIDDLE_IS_K },
	{ C_EXTRA, "read-bytes only", Q_COUNT_READ },
	{ C_EXTRA, "read bytes only", Q_COUNT_READ },
	{ C_EXTRA, "write-bytes only", Q_COUNT_WRITE },
	{ C_EXTRA, "write bytes only", Q_COUNT_WRITE },
};

static int row_quirks(char **f)
{
	int flags = 0;

	for (size_t i = 0; i < NB_ARRAY_SIZE(quirks); i++)
		if (has(f[quirks[i].column], quirks[i].word))
			flags |= quirks[i].flags;
	return flags;
}

/* A row as the kernel descriptor describes it: the case's shape and work,
 * what the source counted, and what else the row implies. */
struct row {
	char **f;
	const char *hint;	/* kernel and extra columns */
	enum nb_dtype dt;
	enum ukind uk;
	double scale;		/* the unit's scale to SI */
	int quirks;
	struct nb_case c;
	struct nb_shape s;
	struct nb_work w;
	double counted;		/* bytes the source counted (streams), or 0 */
	double kernels;		/* kernels per timed step (decode), or 0 */
	int batched;		/* independent problems (batch=N in extra): no case states them */
};

/* Starts C as family NAME with parameter values set directly: a published
 * row may use a dtype or size the host kernel does not run, and only its
 * shape and work are read. */
static void row_case(struct row *r, const char *name)
{
	case_init(&r->c, kernel_find(name));
	r->c.v[kernel_param_index(r->c.kernel, "dtype")].i = r->dt;
}

static void row_set(struct row *r, const char *param, int64_t v)
{
	r->c.v[kernel_param_index(r->c.kernel, param)].i = v;
}

static void row_describe(struct row *r)
{
	r->c.kernel->shape(&r->c, &r->s);
	r->c.kernel->work(&r->c, &r->w);
}

static int attention_row(struct row *r, struct outcome *o)
{
	char **f = r->f;
	int64_t b = parse_dim(f[C_M]), h = parse_dim(f[C_N]), sq = parse_dim(f[C_K]);
	int64_t d = (int64_t)keyed_number(f[C_EXTRA], "hdim");

	if (!d)
		d = (int64_t)keyed_number(f[C_EXTRA], "head_dim");
	if (bad_dims(f, o))
		return -1;
	if (!b || !h || !sq) {
		add_note(o, "skipped: attention needs batch (m), heads (n) and sequence (k_or_size)");
		return -1;
	}
	if (!d) {
		d = 128;
		add_note(o, "head_dim 128 assumed");
	}
	row_case(r, "attention");
	row_set(r, "batch", b);
	row_set(r, "heads", h);
	row_set(r, "seq_q", sq);
	row_set(r, "seq_k", sq);
	row_set(r, "head_dim", d);
	row_set(r, "causal", has(f[C_EXTRA], "causal") && !has(f[C_EXTRA], "noncausal") &&
		!has(f[C_EXTRA], "non-causal"));
	row_describe(r);
	/* The FlashAttention papers' count: the kernel's nominal one. */
	if (r->w.nominal_ops > 0)
		r->w.ops = r->w.nominal_ops;
	return 0;
}

/* The stream op that reads R and writes W arrays per element. */
static const char *stream_op(int rd, int wr)
{
	return wr == 0 ? "sum" : rd == 0 ? "fill" : rd == 2 ? "triad" : "copy";
}

static int stream_row(struct row *r, struct outcome *o)
{
	const char *kernel = r->f[C_KERNEL];
	double size = size_bytes(r->f[C_K]), esize = dtype_bits(r->dt) / 8.0;
	int rd = 1, wr = 1;
	char msg[128];

	if (!size || esize < 1) {
		add_note(o, "skipped: stream needs a size in k_or_size");
		return -1;
	}
	if (has(kernel, "decode") || has(kernel, "read") || has(kernel, "sum") || has(kernel, "load"))
		rd = 1, wr = 0;
	else if (has(kernel, "fill") || has(kernel, "write"))
		rd = 0, wr = 1;
	else if (has(kernel, "triad") || has(kernel, " add"))
		rd = 2, wr = 1;
	row_case(r, "stream");
	if (case_set(&r->c, "op", stream_op(rd, wr), msg, sizeof(msg)))
		die("internal error: %s", msg);
	row_set(r, "n", (int64_t)llround(size / esize));
	row_describe(r);
	/* Which bytes the source counted. */
	r->counted = r->w.bytes;
	if (r->quirks & (Q_COUNT_READ | Q_COUNT_WRITE)) {
		r->counted = r->w.bytes / (rd + wr) * ((r->quirks & Q_COUNT_READ) ? rd : wr);
		if (r->counted != r->w.bytes)
			add_note(o, "bytes counted as the source does");
	}
	if (has(kernel, "decode")) {
		/* One decode step of a transformer is not one kernel: about ten
		 * per layer (norms, QKV, attention, projections, MLP).  Layers
		 * from the weight bytes P with the usual shape, 12 h^2 weights
		 * per layer and h/128 layers: h = (128 P / 12 e)^(1/3). */
		double h = cbrt(size * 128 / (12 * esize));

		r->kernels = 10 * fmax(1, round(h / 128));
		snprintf(msg, sizeof(msg), "decode step: %.0f kernels assumed (%.0f layers x 10)",
			 r->kernels, r->kernels / 10);
		add_note(o, msg);
	}
	return 0;
}

/* A GEMM row (2:4 sparse when the text says so); SPARSE 0 forces dense. */
static int gemm_row(struct row *r, struct outcome *o, int sparse)
{
	char **f = r->f;
	int64_t m = parse_dim(f[C_M]), n = parse_dim(f[C_N]), k = parse_dim(f[C_K]);
	double batch = keyed_number(f[C_EXTRA], "batch");
	char msg[128];

	if (bad_dims(f, o))
		return -1;
	if (!m || !n || !k) {
		m = n = k = 8192;
		add_note(o, "shape not given: 8192^3 assumed");
	} else if (r->quirks & Q_MIDDLE_IS_K) {
		int64_t t = n;

		n = k;
		k = t;
	}
	if (sparse) {
		row_case(r, "spmm");
		if (case_set(&r->c, "pattern", "2:4", msg, sizeof(msg)))
			die("internal error: %s", msg);
	} else {
		row_case(r, "gemm");
		/* C in the input type, as the frameworks measured return it. */
		row_set(r, "round", !dtype_is_int(r->dt) && dtype_bits(r->dt) < 32);
	}
	row_set(r, "m", m);
	row_set(r, "n", n);
	row_set(r, "k", k);
	row_describe(r);
	if (batch > 1) {
		/* Independent problems: the descriptor's work, BATCH times. */
		r->s.batch = (int64_t)batch;
		r->batched = 1;
		r->w.ops *= batch;
		r->w.bytes *= batch;
	}
	return 0;
}

/* Collectives have no kernel family yet: such a row is skipped. */
static int collective_row(const char *hint, struct outcome *o)
{
	if (has(hint, "all_reduce") || has(hint, "allreduce") || has(hint, "all-reduce") ||
	    has(hint, "all_gather") || has(hint, "reduce_scatter") || has(hint, "collective")) {
		o->family = "collective";
		add_note(o, "skipped: collectives are not modelled (no kernel family)");
		return 1;
	}
	return 0;
}

/* The family of a row by its words, and its description; -1 to skip. */
static int describe_row(struct row *r, struct outcome *o)
{
	if (has(r->hint, "attention")) {
		o->family = "attention";
		return attention_row(r, o);
	}
	if (r->uk == U_RATE_BYTES || has(r->hint, "bandwidth") || has(r->hint, "stream") ||
	    has(r->hint, "decode")) {
		o->family = "stream";
		return stream_row(r, o);
	}
	o->family = "gemm";
	if (has(r->hint, "2:4") || has(r->hint, "sparse"))
		o->family = "spmm-2:4";
	return gemm_row(r, o, strcmp(o->family, "gemm") != 0);
}

/* The unit, value, chip and dtype of a row; -1 (noted) when unusable. */
static const struct nb_profile *row_basics(const struct nb_profiles *set, struct row *r, struct outcome *o)
{
	char **f = r->f, dtname[16], *slash;
	const struct nb_profile *p;
	int dt;

	if (parse_unit(f[C_UNIT], &r->scale, &r->uk)) {
		add_note(o, "skipped: unknown unit");
		return NULL;
	}
	if (nb_parse_double(f[C_VALUE], &o->measured) || !(o->measured > 0)) {
		add_note(o, "skipped: measured_value is not a positive number");
		return NULL;
	}
	p = resolve_chip(set, f[C_CHIP], o->note, sizeof(o->note));
	if (!p) {
		add_note(o, "skipped: no profile for this chip");
		return NULL;
	}
	o->profile = profile_id(p);
	snprintf(dtname, sizeof(dtname), "%s", f[C_DTYPE]);
	slash = strchr(dtname, '/');
	if (slash)
		*slash = '\0';
	dt = dtype_parse(trim(dtname));
	if (dt < 0) {
		add_note(o, "skipped: unknown dtype");
		return NULL;
	}
	r->dt = (enum nb_dtype)dt;
	return p;
}

/* Seconds a timed step costs beyond the one kernel: the launch gaps of its
 * further kernels (a decode step). */
static double step_extra_s(const struct row *r, const struct nb_profile *p)
{
	const struct nb_model_params *mp = profile_model_params(p, NULL, NULL);

	return r->kernels > 1 ? (r->kernels - 1) * mp->launch_us * 1e-6 : 0;
}

/* Sets what the row's text says about how it ran as the case's own
 * parameters, so that `run` with the same case text predicts the same: the
 * implementation the profile recognises in the kernel and extra columns,
 * and call-by-call timing. */
static void row_options(struct row *r, const struct nb_profile *p, struct outcome *o)
{
	const char *kind = !strcmp(o->family, "attention") ? "attention" : "gemm";
	const char *impl = profile_impl_matching(p, r->hint, kind);
	char msg[160];

	if (impl && kernel_param_index(r->c.kernel, "impl") >= 0 &&
	    case_set(&r->c, "impl", impl, msg, sizeof(msg)))
		die("internal error: %s", msg);
	if (kernel_param_index(r->c.kernel, "timing") >= 0 &&
	    (has(r->hint, "block_until_ready") || has(r->hint, "synchronous") ||
	     has(r->hint, "dispatch included"))) {
		if (case_set(&r->c, "timing", "call", msg, sizeof(msg)))
			die("internal error: %s", msg);
		add_note(o, "timing=call");
	}
	if (r->dt == NB_FP8 && has(r->hint, "e5m2") && kernel_param_index(r->c.kernel, "fp8") >= 0 &&
	    case_set(&r->c, "fp8", "e5m2", msg, sizeof(msg)))
		die("internal error: %s", msg);
}

/* The one prediction path: the row's case through model_predict, as `run`
 * predicts it; a batched GEMM, which no case text states, through the same
 * model with the case's options. */
static void row_predict(struct row *r, const struct nb_profile *p, struct nb_prediction *pr)
{
	struct nb_pred_opts opts;

	if (!r->batched) {
		model_predict(&r->c, p, pr);
		return;
	}
	model_case_opts(&r->c, &opts);
	model_predict_shape(&r->s, &r->w, p, &opts, pr);
}

/* The prediction in the row's unit; 0 when there is none. */
static double in_unit(struct row *r, const struct nb_profile *p, double seconds, struct outcome *o)
{
	struct nb_prediction dense = { 0 };
	double scale = r->scale, v = 0;
	size_t len;

	switch (r->uk) {
	case U_RATE_OPS:
		return r->w.ops / seconds / scale;
	case U_RATE_BYTES:
		return (r->counted > 0 ? r->counted : r->w.bytes) / seconds / scale;
	case U_TIME:
		return seconds / scale;
	case U_RATIO:
		/* A speed-up: the same shape dense over this one (its notes
		 * are the row's already). */
		len = strlen(o->note);
		gemm_row(r, o, 0);
		row_options(r, p, o);
		o->note[len] = '\0';
		row_predict(r, p, &dense);
		v = dense.status == NB_PRED_OK ? dense.seconds / seconds : 0;
		prediction_release(&dense);
		break;
	}
	return v;
}

/* The stream case C restated in the first dtype of the host kernel's list
 * whose elements hold the same bytes (bf16 weights read as fp32 elements),
 * as case text `run --case` accepts; NULL when none does.  Its prediction
 * on P must be SECONDS, or the text would not be the row's. */
static char *restate_stream(const struct nb_case *c, const struct nb_profile *p, double seconds,
			    char *dtname, size_t dlen)
{
	int di = kernel_param_index(c->kernel, "dtype"), ni = kernel_param_index(c->kernel, "n");
	const char *d = di >= 0 ? c->kernel->params[di].choices : NULL;
	int64_t bytes = c->v[ni].i * (dtype_bits((enum nb_dtype)c->v[di].i) / 8);
	char msg[160], *text = NULL;

	for (; ni >= 0 && d && *d && !text; d += strcspn(d, "|"), d += *d == '|') {
		struct nb_prediction pr = { 0 };
		struct nb_case rc = *c, back;
		int64_t es;

		snprintf(dtname, dlen, "%.*s", (int)strcspn(d, "|"), d);
		if (case_set(&rc, "dtype", dtname, msg, sizeof(msg)))
			continue;
		es = dtype_bits((enum nb_dtype)rc.v[di].i) / 8;
		if (es < 1 || bytes % es)
			continue;
		rc.v[ni].i = bytes / es;
		text = case_format(&rc);
		if (case_parse(text, &back, msg, sizeof(msg)) || model_predict(&back, p, &pr) ||
		    pr.status != NB_PRED_OK || pr.seconds != seconds) {
			free(text);
			text = NULL;
		}
		prediction_release(&pr);
	}
	return text;
}

/* The row's case as `run --case` states it, predicting SECONDS on P; NULL,
 * with the reason noted, when no case states it. */
static char *row_case_text(struct row *r, const struct nb_profile *p, double seconds, struct outcome *o)
{
	struct nb_case back;
	char msg[160], dt[16], note[256], *text = case_format(&r->c);

	if (!case_parse(text, &back, msg, sizeof(msg)))
		return text;
	free(text);
	if (r->c.kernel == kernel_find("stream") &&
	    (text = restate_stream(&r->c, p, seconds, dt, sizeof(dt)))) {
		snprintf(note, sizeof(note), "case in %s elements of the same bytes (the host stream "
			 "runs %s only)", dt, r->c.kernel->params[kernel_param_index(r->c.kernel, "dtype")].choices);
		add_note(o, note);
		return text;
	}
	snprintf(note, sizeof(note), "no case: %s", msg);
	add_note(o, note);
	return NULL;
}

/* Predicts one row.  Fills O; the row is skipped when O->predicted stays 0. */
static void predict_row(const struct nb_profiles *set, char **f, struct outcome *o)
{
	struct nb_prediction pr = { 0 };
	const struct nb_profile *p;
	char hint[512];
	struct row r;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.hint = hint;
	r.quirks = row_quirks(f);
	o->unit = f[C_UNIT];
	o->family = "?";
	snprintf(hint, sizeof(hint), "%s %s", f[C_KERNEL], f[C_EXTRA]);
	if (collective_row(hint, o) || !(p = row_basics(set, &r, o)) || describe_row(&r, o))
		return;
	row_options(&r, p, o);
	row_predict(&r, p, &pr);
	if (pr.status != NB_PRED_OK) {
		add_note(o, pr.reason);
		prediction_release(&pr);
		return;
	}
	o->bound = pr.bound;
	o->seconds = pr.seconds;
	if (!r.batched)
		o->case_text = row_case_text(&r, p, pr.seconds, o);
	else
		add_note(o, "no case: a batch of independent GEMMs");
	if (pr.impl[0]) {
		char buf[48];

		snprintf(buf, sizeof(buf), "impl %s", pr.impl);
		add_note(o, buf);
	}
	if (r.kernels > 1)
		add_note(o, "step: the kernel's time plus the launch gaps of the others");
	pr.seconds += step_extra_s(&r, p);
	if (pr.reason[0])
		add_note(o, pr.reason);
	o->prediction = in_unit(&r, p, pr.seconds, o);
	prediction_release(&pr);
	if (o->prediction > 0) {
		o->predicted = 1;
		o->err = (o->prediction - o->measured) / o->measured;
	}
}

/* Median and max |error| of the predicted rows matching KEY (or all when
 * KEY is NULL) in column BY (0: chip profile, 1: family). */
static int summarize(const struct outcome *o, int n, int by, const char *key,
		     double *median, double *max, int *max_line)
{
	double *e = xmalloc((size_t)(n ? n : 1) * sizeof(double));
	int m = 0;

	*max = 0;
	*max_line = 0;
	for (int i = 0; i < n; i++) {
		const char *v = by ? o[i].family : o[i].profile;

		if (!o[i].predicted || (key && strcmp(v, key)))
			continue;
		e[m++] = fabs(o[i].err);
		if (fabs(o[i].err) >= *max) {
			*max = fabs(o[i].err);
			*max_line = o[i].line;
		}
	}
	*median = m ? stats_median(e, (size_t)m) : 0;
	free(e);
	return m;
}

static int cmp_abs(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The 90th percentile of the predicted rows' |error| (nearest rank). */
static double p90(const struct outcome *o, int n)
{
	double *e = xmalloc((size_t)(n ? n : 1) * sizeof(double)), v;
	int m = 0;

	for (int i = 0; i < n; i++)
		if (o[i].predicted)
			e[m++] = fabs(o[i].err);
	qsort(e, (size_t)m, sizeof(double), cmp_abs);
	v = m ? e[(int)ceil(0.9 * m) - 1] : 0;
	free(e);
	return v;
}

static void print_summary(const struct outcome *o, int n, const char *format)
{
	double med, max;
	int line, cnt;

	for (int by = -1; by <= 1; by++) {
		for (int i = 0; i < n; i++) {
			const char *key = by < 0 ? NULL : by ? o[i].family : o[i].profile;
			int seen = 0;

			if (by >= 0 && !o[i].predicted)
				continue;
			/* The first row of each key prints it: the scan stops at
			 * that row, so a file of few chips and families stays
			 * linear however long it is. */
			for (int j = 0; j < i && by >= 0 && !seen; j++)
				if (o[j].predicted && !strcmp(by ? o[j].family : o[j].profile, key))
					seen = 1;
			if (seen)
				continue;
			cnt = summarize(o, n, by < 0 ? 0 : by, key, &med, &max, &line);
			if (!strcmp(format, "csv"))
				printf("summary,%s,%s,%d,%.4f,%.4f,%d\n", by < 0 ? "all" : by ? "family" : "chip",
				       key ? key : "all", cnt, med, max, line);
			else
				printf("  %-7s %-16s rows %3d  median |error| %5.1f%%  max |error| %5.1f%% (line %d)\n",
				       by < 0 ? "all" : by ? "family" : "chip", key ? key : "", cnt,
				       100 * med, 100 * max, line);
			if (by < 0)
				break;
		}
		if (by < 0 && strcmp(format, "csv"))
			printf("\n");
	}
}

/* Prints the rows and the summary; checks the thresholds. */
int validate_report(const struct outcome *o, int n, const char *what, const char *format,
		    double max_median, double max_error)
{
	double med, max;
	int maxline, npred = 0, ret = 0;

	for (int i = 0; i < n; i++)
		npred += o[i].predicted;
	if (!strcmp(format, "csv")) {
		term_exact_stdout();
		printf("line,chip,profile,family,measured,predicted,unit,error,bound,note,case,seconds\n");
		for (int i = 0; i < n; i++)
			printf("%d,\"%s\",%s,%s,%.6g,%.6g,%s,%.4f,%s,\"%s\",\"%s\",%.9g\n", o[i].line,
			       o[i].chip, o[i].profile ? o[i].profile : "", o[i].family, o[i].measured,
			       o[i].predicted ? o[i].prediction : 0, o[i].unit,
			       o[i].predicted ? o[i].err : 0, o[i].bound ? o[i].bound : "", o[i].note,
			       o[i].predicted && o[i].case_text ? o[i].case_text : "",
			       o[i].predicted ? o[i].seconds : 0);
	} else {
		printf("%-4s %-28s %-16s %-10s %10s %10s %-6s %7s  %-8s %s\n", "LINE", "CHIP", "PROFILE",
		       "FAMILY", "MEASURED", "PREDICTED", "UNIT", "ERROR", "BOUND", "NOTE");
		for (int i = 0; i < n; i++) {
			char err[16] = "-", pred[24] = "-";

			if (o[i].predicted) {
				snprintf(err, sizeof(err), "%+.1f%%", 100 * o[i].err);
				snprintf(pred, sizeof(pred), "%.5g", o[i].prediction);
			}
			printf("%-4d %-28.28s %-16s %-10s %10.5g %10s %-6s %7s  %-8s %s\n", o[i].line,
			       o[i].chip, o[i].profile ? o[i].profile : "-", o[i].family, o[i].measured,
			       pred, o[i].unit, err, o[i].bound ? o[i].bound : "-", o[i].note);
		}
		printf("\nsummary: %d rows predicted, %d skipped (error = (predicted - measured) / measured)\n",
		       npred, n - npred);
	}
	print_summary(o, n, format);
	summarize(o, n, 0, NULL, &med, &max, &maxline);
	if (strcmp(format, "csv"))
		printf("  p90 |error| %.1f%% over the predicted rows (median %.1f%%)\n", 100 * p90(o, n),
		       100 * med);
	else
		printf("summary,p90,all,,%.4f,,\n", p90(o, n));
	if (max_median >= 0 && 100 * med > max_median) {
		error("median |error| %.1f%% exceeds --max-median %g%%", 100 * med, max_median);
		ret = NB_EXIT_FAIL;
	}
	if (max_error >= 0 && 100 * max > max_error) {
		error("max |error| %.1f%% (line %d) exceeds --max-error %g%%", 100 * max, maxline, max_error);
		ret = NB_EXIT_FAIL;
	}
	if (!npred) {
		error("%s: no row could be predicted", what);
		ret = NB_EXIT_FAIL;
	}
	return ret;
}

/* The shipped measurements file NAME ("calibration" or "holdout"): the
 * source tree's copy when run from it, else the installed one. */
static const char *shipped_measurements(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/data/%s-measurements.csv", NB_SRCDIR, name);
	if (!access(buf, R_OK))
		return buf;
	snprintf(buf, n, "%s/%s-measurements.csv", NB_PKGDATADIR, name);
	return buf;
}

/* Predicts every row of the calibration-format measurements file PATH:
 * *O (malloc'd, N rows) for validate_outcomes_free.  Returns 0, or -1
 * after reporting. */
static int measurements_predict(const char *path, const struct nb_profiles *set,
				struct outcome **out, int *nout)
{
	char *text = NULL, *save = NULL, *line;
	struct outcome *o = NULL;
	int col[NCOL], n = 0, cap = 0, lineno = 0, ret = -1;
	size_t len;

	if (nb_read_file(path, 64 << 20, &text, &len))
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[32];
		char *fields[NCOL];
		int nf;

		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (!*trim(line))
			continue;
		nf = csv_split(line, f, (int)NB_ARRAY_SIZE(f));
		if (lineno == 1) {
			if (validate_columns(path, "expected the columns of the calibration file: "
					     "chip,kernel,dtype,m,n,k_or_size,extra,measured_value,unit,source",
					     f, nf, colnames, col_optional, NCOL, col))
				goto out;
			continue;
		}
		for (int c = 0; c < NCOL; c++)
			fields[c] = col[c] >= 0 && col[c] < nf ? trim(f[col[c]]) : (char *)"";
		if (n == cap) {	/* geometric growth: no copy of every row per row */
			cap = cap ? 2 * cap : 64;
			o = xrealloc(o, (size_t)cap * sizeof(*o));
		}
		memset(&o[n], 0, sizeof(o[n]));
		o[n].line = lineno;
		o[n].chip = xstrdup(fields[C_CHIP]);
		predict_row(set, fields, &o[n]);
		/* Strings that point into the line must outlive it. */
		o[n].unit = xstrdup(o[n].unit);
		n++;
	}
	ret = 0;
out:
	if (ret) {
		validate_outcomes_free(o, n);
		o = NULL;
		n = 0;
	}
	*out = o;
	*nout = n;
	free(text);
	return ret;
}

int validate_columns(const char *path, const char *expected, char **f, int nf, const char *const *names,
		     const int *optional, int n, int *col)
{
	for (int c = 0; c < n; c++) {
		col[c] = -1;
		for (int j = 0; j < nf; j++)
			if (!strcmp(trim(f[j]), names[c]))
				col[c] = j;
		if (col[c] < 0 && !optional[c])
			return error("%s:1: no column '%s' (%s)", path, names[c], expected);
	}
	return 0;
}

int validate_header_is(const char *path, const char *header)
{
	FILE *fp = fopen(path, "r");
	char line[512] = "";
	int yes;

	if (!fp)
		return 0;
	yes = fgets(line, sizeof(line), fp) && !strncmp(line, header, strlen(header));
	fclose(fp);
	return yes;
}

void validate_outcomes_free(struct outcome *o, int n)
{
	for (int i = 0; i < n; i++) {
		free((char *)o[i].chip);
		free((char *)o[i].unit);
		free(o[i].case_text);
	}
	free(o);
}

int validate_error_summary(const char *name, const struct nb_profiles *set, struct validate_errors *out)
{
	struct outcome *o = NULL;
	double *e = NULL;
	char shipped[1024];
	int n = 0, m = 0;

	memset(out, 0, sizeof(*out));
	if (measurements_predict(shipped_measurements(name, shipped, sizeof(shipped)), set, &o, &n))
		return -1;
	e = xmalloc((size_t)(n ? n : 1) * sizeof(double));
	for (int i = 0; i < n; i++)
		if (o[i].predicted)
			e[m++] = fabs(o[i].err);
	out->rows = n;
	out->predicted = m;
	if (m) {
		qsort(e, (size_t)m, sizeof(double), stats_cmp_double);
		out->median = stats_quantile_sorted(e, (size_t)m, 0.5);
		out->p90 = stats_quantile_sorted(e, (size_t)m, 0.9);
	}
	free(e);
	validate_outcomes_free(o, n);
	return 0;
}

static int validate_measurements(const char *path, const char *format, double max_median,
				 double max_error, struct nb_ctx *ctx)
{
	struct nb_profiles *set = ctx_profiles(ctx);
	struct outcome *o = NULL;
	char shipped[1024];
	int n = 0, ret;

	if (!set)
		return NB_EXIT_FAIL;
	if (!strcmp(path, "calibration") || !strcmp(path, "holdout") || !strcmp(path, "collectives") ||
	    !strcmp(path, "workloads"))
		path = shipped_measurements(!strcmp(path, "collectives") ? "collective"
					    : !strcmp(path, "workloads") ? "workload" : path, shipped, sizeof(shipped));
	else if (!strchr(path, '/') && access(path, F_OK) != 0) {
		/* Neither a file nor a shipped set: a misspelt set name is a
		 * usage error. */
		struct nb_near nr;
		const char *hint = nb_near_choices(&nr, path, "calibration|holdout|collectives|workloads");

		if (*hint)
			return usage_error(&nb_cmd_validate, "--measurements: no file '%s'%s", path, hint);
	}
	if (validate_is_workloads(path))
		return validate_workloads(path, set, format, max_median, max_error);
	if (validate_is_collectives(path))
		return validate_collectives(path, set, format, max_median, max_error);
	if (measurements_predict(path, set, &o, &n))
		return NB_EXIT_FAIL;
	ret = validate_report(o, n, path, format, max_median, max_error);
	validate_outcomes_free(o, n);
	return ret;
}

/* The profile --profile NAME names: a file when NAME is a path (it has a
 * '/' or ends in .json), loaded into *OWN; else an id in the profile folders;
 * without NAME, the host profile probed last.  NULL after reporting. */
static const struct nb_profile *validate_profile(const char *name, const struct nb_profiles *set,
						 struct nb_ctx *ctx, struct nb_profile **own)
{
	const struct nb_profile *p = NULL;
	size_t len = name ? strlen(name) : 0;

	if (name && (strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".json")))) {
		if (profile_load_file(name, 1, own))
			return NULL;
		return *own;
	}
	if (name && !(p = profiles_find(set, name)))
		error("--profile %s: no such profile (see 'npubench profile list'; a file: "
		      "--profile ./%s.json)", name, name);
	if (!name && !(p = probe_host_profile(set))) {
		struct strbuf dirs = STRBUF_INIT;

		for (int i = 0; i < ctx->nprofile_dirs; i++)
			sb_addf(&dirs, "%s%s", i ? ":" : "", ctx->profile_dirs[i]);
		error("no 'host' profile (one 'profile probe' wrote) in the profile folders (%s): run "
		      "'npubench profile probe' first, or name the profile with --profile ID|FILE",
		      dirs.buf ? dirs.buf : "");
		sb_release(&dirs);
	}
	return p;
}

/* The measured results of TARGET (the host, a GPU) in a stored run against
 * the model's predictions on profile PROFILE (NULL: the host profile probed
 * last), or the chip profile a GPU is meant to match. */
static int validate_run(const char *spec, const char *target, const char *profile,
			const char *format, double max_median, double max_error, struct nb_ctx *ctx)
{
	struct nb_profiles *set = ctx_profiles(ctx);
	struct nb_profile *own = NULL;
	const struct nb_profile *hp;
	struct nb_store *st;
	struct nb_result *rs = NULL;
	struct outcome *o = NULL;
	int64_t run_id;
	int nr = 0, n = 0, ret = NB_EXIT_FAIL;
	char what[192];

	if (!set || !(hp = validate_profile(profile, set, ctx, &own)))
		goto out;
	if (!(st = ctx_store_existing(ctx)) || store_run_resolve(st, spec, &run_id) ||
	    store_results_get(st, run_id, &rs, &nr))
		goto out;
	o = xcalloc((size_t)(nr ? nr : 1), sizeof(*o));
	for (int i = 0; i < nr; i++) {
		struct nb_result *r = &rs[i];
		struct nb_prediction pr;
		struct outcome *x;

		if (r->kind != NB_MEASURED || strcmp(r->target, target) || r->status != NB_RES_OK ||
		    !r->kcase.kernel || !(r->throughput > 0))
			continue;
		x = &o[n++];
		x->line = r->seq;
		x->chip = xstrdup(r->case_text);
		x->profile = profile_id(hp);
		x->family = r->kcase.kernel->name;
		x->unit = xstrdup(r->unit ? r->unit : "");
		x->measured = r->throughput;
		model_predict(&r->kcase, hp, &pr);
		if (pr.status != NB_PRED_OK) {
			snprintf(x->note, sizeof(x->note), "%s", pr.reason);
		} else {
			x->bound = pr.bound;
			x->prediction = pr.throughput;
			x->predicted = x->prediction > 0;
			x->err = (x->prediction - x->measured) / x->measured;
			/* A collective's time is the ranks', not the threads'. */
			if (!strcmp(target, "host") && r->threads && r->threads != profile_units(hp) &&
			    strcmp(x->family, "collective"))
				snprintf(x->note, sizeof(x->note), "run used %d threads, the profile %d",
					 r->threads, profile_units(hp));
			else if (pr.reason[0])
				snprintf(x->note, sizeof(x->note), "%s", pr.reason);
		}
		prediction_release(&pr);
	}
	snprintf(what, sizeof(what), "run %lld, %s against %s", (long long)run_id, target, profile_id(hp));
	if (!n)
		error("run %lld has no measured %s results", (long long)run_id, target);
	else
		ret = validate_report(o, n, what, format, max_median, max_error);
	for (int i = 0; i < n; i++) {
		free((char *)o[i].chip);
		free((char *)o[i].unit);
	}
out:
	free(o);
	results_free(rs, nr);
	profile_free(own);
	return ret;
}

/* --target without --run or --host: SUITE is run on TARGET first (quietly,
 * stored as a run tagged "validate"), then that run is checked.  A target
 * that cannot be used stores nothing and is the answer. */
static int validate_fresh(const char *suite, const char *target, const char *profile,
			  const char *format, double max_median, double max_error, struct nb_ctx *ctx)
{
	char *argv[] = { "run", "--quiet", "--tag", "validate", "--suite", (char *)suite,
			 "--target", (char *)target, NULL };
	struct nb_store *st = ctx_store(ctx);
	int64_t before, after;
	char id[32];
	int rc;

	if (!st || store_run_newest(st, &before))
		return NB_EXIT_FAIL;
	rc = nb_cmd_run.exec((int)NB_ARRAY_SIZE(argv) - 1, argv, ctx);
	if (store_run_newest(st, &after) || after <= before)
		return rc ? rc : NB_EXIT_FAIL;
	snprintf(id, sizeof(id), "%lld", (long long)after);
	return validate_run(id, target, profile, format, max_median, max_error, ctx);
}

static int cmd_validate(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "measurements", required_argument, NULL, 'm' },
		{ "host", required_argument, NULL, 'H' },
		{ "run", required_argument, NULL, 'R' },
		{ "target", required_argument, NULL, 't' },
		{ "profile", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-median", required_argument, NULL, 'M' },
		{ "max-error", required_argument, NULL, 'E' },
		{ "suite", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *measurements = NULL, *host = NULL, *format = "table";
	const char *target = NULL, *profile = NULL, *suite = NULL;
	double max_median = -1, max_error = -1;
	enum nb_format fmt;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:t:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			measurements = optarg;
			break;
		case 'H':
		case 'R':
			if (host)
				return usage_error(&nb_cmd_validate, "give --host or --run once");
			host = optarg;
			target = target ? target : c == 'H' ? "host" : NULL;
			break;
		case 't':
			target = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'S':
			suite = optarg;
			break;
		case 'M':
		case 'E':
			if (nb_parse_double(optarg, c == 'M' ? &max_median : &max_error) ||
			    (c == 'M' ? max_median : max_error) < 0)
				return usage_error(&nb_cmd_validate, "--%s: '%s' is not a percentage",
						   c == 'M' ? "max-median" : "max-error", optarg);
			break;
		default:
			return bad_option(&nb_cmd_validate, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_validate, "unexpected argument '%s'", argv[optind]);
	if (format_option(&nb_cmd_validate, format, NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_CSV), &fmt))
		return NB_EXIT_USAGE;
	format = format_name(fmt);
	if (!measurements && !host && target && strcmp(target, "host")) {
		if (!profile)
			return usage_error(&nb_cmd_validate, "--target %s: name the profile to check "
					   "with --profile (e.g. h200-sxm)", target);
		return validate_fresh(suite ? suite : "gpu", target, profile, format, max_median,
				      max_error, ctx);
	}
	if (suite)
		return usage_error(&nb_cmd_validate, "--suite goes with --target and --profile alone "
				   "(a run of its own); --run and --host check a stored run");
	if (!!measurements == !!host)
		return usage_error(&nb_cmd_validate,
				   "give one of --measurements FILE.csv, --host RUN or --run RUN, "
				   "or --target ID --profile ID to run the GPU suite first");
	if (host) {
		target = target ? target : "host";
		if (!profile && strcmp(target, "host"))
			return usage_error(&nb_cmd_validate, "--target %s: name the profile to check "
					   "with --profile (e.g. h200-sxm)", target);
		return validate_run(host, target, profile, format, max_median, max_error, ctx);
	}
	if (target || profile)
		return usage_error(&nb_cmd_validate, "--target and --profile go with --run or --host");
	return validate_measurements(measurements, format, max_median, max_error, ctx);
}

const struct nb_command nb_cmd_validate = {
	.name = "validate",
	.exec = cmd_validate,
	.usage = "validate --measurements FILE.csv|calibration|holdout|collectives|workloads [--format table|csv] "
		 "[--max-median PCT] [--max-error PCT] | --host RUN [--profile ID|FILE] | --run RUN "
		 "--target ID --profile ID|FILE | --target ID --profile ID|FILE [--suite NAME|FILE]",
	.summary = "Check the model against measurements.",
	.help = "Options:\n"
		"  -m, --measurements FILE   predict every row of a measurements CSV (the columns\n"
		"                            of data/calibration-measurements.csv) and print\n"
		"                            predicted vs measured, the signed error, and the\n"
		"                            median and max |error| overall, per chip and per\n"
		"                            kernel family; 'calibration' names the shipped copy\n"
		"                            of the reference file, 'holdout' the published\n"
		"                            measurements kept out of calibration, 'collectives'\n"
		"                            the published nccl-tests-style bus bandwidths (a file\n"
		"                            with their columns: system, ranks, collective, ...),\n"
		"                            'workloads' published training step times, MFUs and\n"
		"                            serving throughputs, each row's configuration as a\n"
		"                            train or infer case (also prints the p90 |error|)\n"
		"  -f, --format table|csv    output format (default table)\n"
		"      --max-median PCT      exit 1 when the median |error| exceeds PCT percent\n"
		"      --max-error PCT       exit 1 when any |error| exceeds PCT percent\n"
		"      --host RUN            compare a stored run's measured host results (RUN:\n"
		"                            last, an id or a UUID prefix) with the model's\n"
		"                            predictions on the host profile 'profile probe'\n"
		"                            wrote last (whatever its id), or on --profile's\n"
		"      --run RUN             the same for another measured target of a stored\n"
		"  -t, --target ID           run (default host), e.g. cuda:0, against the\n"
		"  -p, --profile ID|FILE     profile it should match, e.g. h200-sxm, or a\n"
		"                            profile file (a path: ./mybox.json)\n"
		"      --suite NAME|FILE     with --target and --profile but no --run: run this\n"
		"                            suite on the target first (default gpu, for cuda:N),\n"
		"                            store it as a run tagged 'validate', and check it\n"
		"\nRows are read in the source's conventions: the kernel text picks the family\n"
		"(attention, 2:4/sparse, bandwidth/stream/decode, else GEMM) and a profile's\n"
		"model variant (e.g. FlashAttention-2); GEMM shapes are MxNxK except for\n"
		"limulidae and gpu_benchmark sources (A[m,n] @ B[n,k]); attention rows are\n"
		"batch, heads, sequence with hdim=N in extra; 'read-bytes only' in extra makes\n"
		"the bandwidth count only the bytes read; an LLM 'decode' row is one step of\n"
		"about ten kernels per layer, each paying the launch gap; collectives are\n"
		"skipped there (see 'collectives').\n",
};
