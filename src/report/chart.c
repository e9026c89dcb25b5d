/* Charts to gnuplot scripts.  Every chart is one self-contained script:
 * style, then the data as inline data blocks, then the plot commands.  Text
 * from outside (names, labels, titles) only ever reaches the script through
 * gp_quote() and gp_datum(). */
#include "util/output.h"
#include "report/chart.h"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/gnuplot.h"
#include "util/util.h"

/* Okabe & Ito's colour-blind-safe palette, most distinct first; the host
 * is black.  Point shapes differ too, for grey-scale prints. */
static const char *const palette[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#F0E442", "#999999",
};
static const int shapes[] = { 7, 9, 13, 11, 15, 7, 9, 13 };
#define HOST_COLOR "#000000"
#define HOST_SHAPE 5
#define LABEL_MAX 40	/* longest case label drawn, in bytes */
#define TITLE_MAX 84	/* longest legend entry */
#define HEADING_MAX 110	/* longest title or subtitle line */

void chart_init(struct chart *c, enum chart_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
}

void chart_release(struct chart *c)
{
	for (int i = 0; i < c->ntargets; i++)
		free(c->targets[i].name);
	for (int i = 0; i < c->ngroups; i++) {
		free(c->groups[i].label);
		free(c->groups[i].unit);
	}
	free(c->targets);
	free(c->groups);
	free(c->points);
	free(c->title);
	free(c->subtitle);
	free(c->xlabel);
	free(c->ylabel);
	free(c->y2label);
	free(c->unit);
	free(c->normalize);
	free(c->note);
	memset(c, 0, sizeof(*c));
}

int chart_add_target(struct chart *c, const char *name, int measured)
{
	struct chart_target *t;

	c->targets = xrealloc(c->targets, (size_t)(c->ntargets + 1) * sizeof(*c->targets));
	t = &c->targets[c->ntargets];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->measured = measured;
	return c->ntargets++;
}

int chart_add_group(struct chart *c, const char *label, const char *unit, double x)
{
	struct chart_group *g;

	c->groups = xrealloc(c->groups, (size_t)(c->ngroups + 1) * sizeof(*c->groups));
	g = &c->groups[c->ngroups];
	g->label = xstrdup(label);
	g->unit = unit ? xstrdup(unit) : NULL;
	g->x = x;
	return c->ngroups++;
}

void chart_add_point(struct chart *c, int target, int group, double x, double y)
{
	struct chart_point *p;

	c->points = xrealloc(c->points, (size_t)(c->npoints + 1) * sizeof(*c->points));
	p = &c->points[c->npoints++];
	memset(p, 0, sizeof(*p));
	p->target = target;
	p->group = group;
	p->x = x;
	p->y = y;
}

void chart_drop_empty_groups(struct chart *c)
{
	int *map = xcalloc((size_t)c->ngroups + 1, sizeof(int)), n = 0;

	for (int g = 0; g < c->ngroups; g++) {
		int used = 0;

		for (int k = 0; k < c->npoints && !used; k++)
			used = c->points[k].group == g;
		if (!used) {
			free(c->groups[g].label);
			free(c->groups[g].unit);
			map[g] = -1;
			continue;
		}
		map[g] = n;
		c->groups[n++] = c->groups[g];
	}
	c->ngroups = n;
	for (int k = 0; k < c->npoints; k++)
		c->points[k].group = map[c->points[k].group];
	free(map);
}

static const char *const term_names[] = { "dumb", "png", "svg", "pdf" };

const char *chart_term_name(enum chart_term t)
{
	return term_names[t];
}

int chart_term_parse(const char *name)
{
	for (size_t i = 0; i < NB_ARRAY_SIZE(term_names); i++)
		if (!strcmp(name, term_names[i]))
			return (int)i;
	return -1;
}

int chart_term_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return -1;
	if (!strcasecmp(dot, ".png"))
		return CHART_PNG;
	if (!strcasecmp(dot, ".svg"))
		return CHART_SVG;
	if (!strcasecmp(dot, ".pdf"))
		return CHART_PDF;
	if (!strcasecmp(dot, ".txt"))
		return CHART_DUMB;
	return -1;
}

/* The script being written and what the layout needs to know. */
struct gp {
	struct strbuf sb;
	enum chart_term term;
	const struct chart *c;
	int fs;		/* the terminal's font size */
	double w, h;	/* the canvas, in the font's units (characters for dumb) */
	double px;	/* canvas units per point of font size */
	size_t longest;	/* the longest legend title so far */
};

/* An average character's width and a line's height at the base font size
 * plus DELTA, in canvas units (DejaVu Sans, gnuplot's 'Sans'; a cell on
 * text). */
static double char_w(const struct gp *g, int delta)
{
	/* 0.65 em: digits are 0.64, '=' 0.84, 'm' 0.97; names are full of them. */
	return g->term == CHART_DUMB ? 1 : 0.65 * (g->fs + delta) * g->px;
}

static double line_h(const struct gp *g, int delta)
{
	return g->term == CHART_DUMB ? 1 : 1.25 * (g->fs + delta) * g->px;
}

/* The screen coordinate of a height Y measured down from the canvas's top. */
static double from_top(const struct gp *g, double y)
{
	return 1 - y / g->h;
}

/* TEXT quoted, at most MAX bytes of it. */
static void quote_cut(struct strbuf *sb, const char *text, size_t max)
{
	char *cut = gp_clean(text, max);

	gp_quote(sb, cut);
	free(cut);
}

/* A legend entry's title, quoted; the longest is remembered for the
 * legend's layout. */
static void key_title(struct gp *g, const char *text)
{
	char *cut = gp_clean(text, TITLE_MAX);
	size_t len = strlen(cut);

	if (len > g->longest)
		g->longest = len;
	gp_quote(&g->sb, cut);
	free(cut);
}

/* Inserts, before the plot command that starts at AT, the legend's rows:
 * two columns when they fit across the canvas, else one.  EXTRA: entries
 * whose titles did not pass key_title. */
static void key_rows(struct gp *g, size_t at, int entries)
{
	double charw = g->term == CHART_DUMB ? 1 : 0.62 * g->fs;
	int rows = 2 * ((double)g->longest + 6) * charw < 0.95 * g->w ? (entries + 1) / 2 : entries;
	char *tail = xstrdup(g->sb.buf + at);

	g->sb.len = at;
	g->sb.buf[at] = '\0';
	sb_addf(&g->sb, "set key maxrows %d\n", rows > 0 ? rows : 1);
	sb_adds(&g->sb, tail);
	free(tail);
	g->longest = 0;
}

/* "font ',N'" for the base size plus DELTA ("" on dumb), in one of a few
 * rotating buffers so that a format may use several. */
static const char *fnt(struct gp *g, int delta)
{
	static char bufs[4][24];
	static int next;
	char *b = bufs[next++ % 4];

	if (g->term == CHART_DUMB)
		return "";
	snprintf(b, sizeof(bufs[0]), "font ',%d'", g->fs + delta);
	return b;
}

static int valid(double v)
{
	return isfinite(v) && v > 0;
}

/* A throughput unit for a tic format: letters and '/' only, else "ops/s";
 * it is printed through a format string, so nothing else may pass. */
static const char *safe_unit(const char *unit)
{
	if (!unit || !*unit || strlen(unit) > 16)
		return "ops/s";
	for (const char *p = unit; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '/'))
			return "ops/s";
	return unit;
}

/* "FLOP/s" -> "FLOP": the operations an intensity counts per byte. */
static void unit_ops(const char *unit, char *out, size_t n)
{
	const char *u = safe_unit(unit);
	size_t len = strcspn(u, "/");

	snprintf(out, n, "%.*s", (int)len, u);
}

static const char *target_color(const struct chart *c, int t)
{
	int chip = 0;

	if (c->targets[t].measured)
		return HOST_COLOR;
	for (int i = 0; i < t; i++)
		chip += !c->targets[i].measured;
	return palette[chip % (int)NB_ARRAY_SIZE(palette)];
}

static int target_shape(const struct chart *c, int t)
{
	int chip = 0;

	if (c->targets[t].measured)
		return HOST_SHAPE;
	for (int i = 0; i < t; i++)
		chip += !c->targets[i].measured;
	return shapes[chip % (int)NB_ARRAY_SIZE(shapes)];
}

/* Sets *LO and *HI to whole decades around [MIN, MAX], with PAD decades of
 * room each side. */
static void decades(double min, double max, double pad, double *lo, double *hi)
{
	*lo = pow(10, floor(log10(min) - pad));
	*hi = pow(10, ceil(log10(max) + pad));
	if (*hi <= *lo * 10)
		*hi = *lo * 100;
}

static void preamble(struct gp *g, const char *kind, const char *output)
{
	struct strbuf *sb = &g->sb;
	const struct chart *c = g->c;

	sb_addf(sb, "# npubench %s: %s chart, written by 'npubench plot'.\n", PACKAGE_VERSION, kind);
	sb_adds(sb, "# Self-contained: the data are in the $blocks below.  Re-render with\n"
		"#   gnuplot THIS_FILE > chart.png\n"
		"# (or set output below), and restyle as you like.\n");
	switch (g->term) {
	case CHART_DUMB:
		/* No feed: gnuplot still starts the page with a form feed, which
		 * chart_render() drops. */
		sb_addf(sb, "set terminal dumb size %d,%d nofeed noenhanced\n", (int)g->w, (int)ceil(g->h));
		break;
	case CHART_PNG:
		sb_addf(sb, "set terminal pngcairo size %d,%d noenhanced font 'Sans,%d' "
			"linewidth 1.6 background rgb '#ffffff'\n", (int)g->w, (int)ceil(g->h), g->fs);
		break;
	case CHART_SVG:
		sb_addf(sb, "set terminal svg size %d,%d dynamic noenhanced font 'Sans,%d' "
			"linewidth 1.4 background rgb '#ffffff'\n", (int)g->w, (int)ceil(g->h), g->fs);
		break;
	case CHART_PDF:
		sb_addf(sb, "set terminal pdfcairo size %.2fin,%.2fin noenhanced font 'Sans,%d' "
			"linewidth 1.2\n", g->w / 72, g->h / 72, g->fs);
		break;
	}
	if (output) {
		sb_adds(sb, "set output ");
		gp_quote(sb, output);
		sb_adds(sb, "\n");
	}
	sb_adds(sb, "set encoding utf8\n");
	for (int t = 0; t < c->ntargets; t++)
		sb_addf(sb, "set linetype %d lc rgb '%s' lw 2.2 pt %d ps 1.5\n", t + 1,
			target_color(c, t), target_shape(c, t));
	sb_addf(sb, "set linetype %d lc rgb '#777777' lw 1 dt 3 pt 6 ps 1.2\n", c->ntargets + 1);
	sb_adds(sb, "set border 3 lw 1.2 lc rgb '#333333'\n"
		"set tics nomirror out scale 0.7 textcolor rgb '#222222'\n");
	if (g->term != CHART_DUMB)
		sb_adds(sb, "set grid xtics ytics mxtics mytics lw 1 lc rgb '#e6e6e6', "
			"lw 0.5 lc rgb '#f3f3f3'\n");
	sb_adds(sb, "set key outside below center vertical Left reverse samplen 2.5 spacing 1.2 "
		"width 2 textcolor rgb '#222222'\n");
}

/* set title: the user's or the default, with the subtitle as a second,
 * smaller line where the terminal can show one. */
static void title(struct gp *g, const char *cmd, const char *def)
{
	struct strbuf *sb = &g->sb;
	const struct chart *c = g->c;
	/* Text drops a line that does not fit whole: centred over the plot,
	 * it has the canvas less twice the shift of the plot's centre. */
	size_t fit = (size_t)(g->term == CHART_DUMB ? g->w - 16 : 0.96 * g->w / char_w(g, 3));

	sb_addf(sb, "%s ", cmd);
	quote_cut(sb, c->title ? c->title : def, fit < HEADING_MAX ? fit : HEADING_MAX);
	if (c->subtitle) {
		sb_adds(sb, " . \"\\n\" . ");
		quote_cut(sb, c->subtitle, fit);
	}
	if (c->note) {	/* what is missing, where it cannot be missed */
		sb_adds(sb, " . \"\\n\" . ");
		quote_cut(sb, c->note, fit);
	}
	if (g->term != CHART_DUMB)
		sb_addf(sb, " %s", fnt(g, 3));
	sb_adds(sb, "\n");
}

/* The y axis's LABEL (Y2: the right axis's).  gnuplot's text terminal
 * draws no axis label it cannot turn upright, so on text it is a label
 * over the axis's top end, on the row above the plot: at AT (screen
 * coordinates) where the chart places its margins itself, else a row the
 * title makes by moving up one. */
static void y_label(struct gp *g, const char *label, int y2, const char *at)
{
	struct strbuf *sb = &g->sb;

	if (g->term != CHART_DUMB) {
		sb_adds(sb, y2 ? "set y2label " : "set ylabel ");
		gp_quote(sb, label);
		sb_adds(sb, "\n");
		return;
	}
	sb_adds(sb, y2 ? "unset y2label\nset label " : "unset ylabel\nset label ");
	gp_quote(sb, label);
	if (at)
		sb_addf(sb, " at %s left\n", at);
	else
		sb_addf(sb, " at graph %d, graph 1 offset 0,1 %s\nset title offset 0,1\n", y2,
			y2 ? "right" : "left");
}

/* A y axis of throughput in UNIT, tics with SI prefixes ("100 TFLOP/s"). */
static void y_throughput(struct gp *g, const char *unit, int log)
{
	struct strbuf *sb = &g->sb;

	sb_adds(sb, log ? "set logscale y\n" : "unset logscale y\n");
	sb_addf(sb, "set format y '%s %%c%s'\n", log ? "%.0s" : "%.1s", safe_unit(unit));
}

static void block_begin(struct strbuf *sb, const char *name, int i)
{
	sb_addf(sb, "$%s%d << EOD\n", name, i);
}

static void block_end(struct strbuf *sb)
{
	sb_adds(sb, "EOD\n");
}

/* B without the leading words it shares with A ("stream triad n=1024"
 * after "stream triad n=64" is "n=1024"); B itself when nothing is left. */
static const char *skip_common_words(const char *a, const char *b)
{
	const char *start = b;

	for (;;) {
		size_t la = strcspn(a, " "), lb = strcspn(b, " ");

		if (la != lb || strncmp(a, b, la) || b[lb] != ' ' || a[la] != ' ')
			return *start ? start : b;
		a += la + 1;
		b += lb + 1;
		start = b;
	}
}

/* The roofline's axes: decades around every roof, ridge and case.  Returns
 * -1 after reporting when there is nothing to draw. */
static int roofline_range(const struct chart *c, double *xlo, double *xhi, double *ylo, double *yhi)
{
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;

	for (int i = 0; i < c->ntargets; i++) {
		const struct chart_target *t = &c->targets[i];

		if (valid(t->peak) && valid(t->bw)) {
			xmin = fmin(xmin, t->peak / t->bw);
			xmax = fmax(xmax, t->peak / t->bw);
		}
		if (valid(t->peak)) {
			ymin = fmin(ymin, t->peak);
			ymax = fmax(ymax, t->peak);
		}
	}
	for (int i = 0; i < c->npoints; i++) {
		if (!valid(c->points[i].x) || !valid(c->points[i].y))
			continue;
		xmin = fmin(xmin, c->points[i].x);
		xmax = fmax(xmax, c->points[i].x);
		ymin = fmin(ymin, c->points[i].y);
		ymax = fmax(ymax, c->points[i].y);
	}
	if (!isfinite(xmin) || !isfinite(ymin))
		return error("nothing to draw on the roofline: no case with both operations and bytes");
	decades(xmin, xmax, 0.5, xlo, xhi);
	/* The memory slopes reach down to the left edge. */
	for (int i = 0; i < c->ntargets; i++)
		if (valid(c->targets[i].bw))
			ymin = fmin(ymin, c->targets[i].bw * *xlo);
	decades(ymin, ymax, 0.3, ylo, yhi);
	return 0;
}

/* The data blocks: each target's roof and points, and the ridge points.
 * Returns how many ridges fall inside the axis. */
static int roofline_data(struct gp *g, double xlo, double xhi)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	char buf[64];
	int nridges = 0;

	for (int i = 0; i < c->ntargets; i++) {
		const struct chart_target *t = &c->targets[i];

		block_begin(sb, "roof", i + 1);
		if (valid(t->peak) && valid(t->bw)) {
			double ridge = t->peak / t->bw;

			sb_addf(sb, "%.9g %.9g\n", xlo, t->bw * xlo);
			if (ridge > xlo && ridge < xhi)
				sb_addf(sb, "%.9g %.9g\n", ridge, t->peak);
			sb_addf(sb, "%.9g %.9g\n", xhi, fmin(t->peak, t->bw * xhi));
		} else if (valid(t->peak)) {
			sb_addf(sb, "%.9g %.9g\n%.9g %.9g\n", xlo, t->peak, xhi, t->peak);
		} else if (valid(t->bw)) {
			sb_addf(sb, "%.9g %.9g\n%.9g %.9g\n", xlo, t->bw * xlo, xhi, t->bw * xhi);
		}
		block_end(sb);
		block_begin(sb, "pts", i + 1);
		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].target == i && valid(c->points[k].x) && valid(c->points[k].y))
				sb_addf(sb, "%.9g %.9g\n", c->points[k].x, c->points[k].y);
		block_end(sb);
	}
	block_begin(sb, "ridge", 1);
	for (int i = 0; i < c->ntargets; i++) {
		const struct chart_target *t = &c->targets[i];

		if (valid(t->peak) && valid(t->bw) && t->peak / t->bw > xlo && t->peak / t->bw < xhi) {
			snprintf(buf, sizeof(buf), "%.3g", t->peak / t->bw);
			nridges++;
			sb_addf(sb, "%.9g %.9g %d ", t->peak / t->bw, t->peak, i + 1);
			gp_datum(sb, buf);
			sb_adds(sb, "\n");
		}
	}
	block_end(sb);
	return nridges;
}

#define FIT_LINES 3	/* most lines of a title, subtitle or note */

/* TEXT broken at spaces into lines that fit across the canvas at the base
 * font size plus DELTA: at most FIT_LINES (malloc'd, in OUT).  Returns
 * how many. */
static int fit_lines(const struct gp *g, const char *text, int delta, char *out[FIT_LINES])
{
	char *clean = gp_clean(text, 0), *p = clean;
	int width = (int)(0.96 * g->w / char_w(g, delta)), n = 0;

	width = width < 10 ? 10 : width;
	while (*p && n < FIT_LINES) {
		size_t len = strlen(p), cut = len;

		if ((int)len > width && n < FIT_LINES - 1) {
			cut = (size_t)width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		if ((int)cut > width) {
			char *rest = xstrndup(p, cut);

			out[n++] = gp_clean(rest, (size_t)width);
			free(rest);
		} else {
			out[n++] = xstrndup(p, cut);
		}
		p += cut;
		while (*p == ' ')
			p++;
	}
	free(clean);
	return n;
}

static int count_lines(const struct gp *g, const char *text, int delta)
{
	char *lines[FIT_LINES];
	int n = text ? fit_lines(g, text, delta, lines) : 0;

	for (int i = 0; i < n; i++)
		free(lines[i]);
	return n;
}

/* Labels for TEXT fitted to the canvas, centred, the first line's middle
 * Y down from the top. */
static void fitted_labels(struct gp *g, const char *text, int delta, double y, const char *extra)
{
	char *lines[FIT_LINES];
	int n = fit_lines(g, text, delta, lines);

	for (int i = 0; i < n; i++) {
		sb_adds(&g->sb, "set label ");
		gp_quote(&g->sb, lines[i]);
		sb_addf(&g->sb, " at screen 0.5, screen %.4f center %s %s\n",
			from_top(g, y + i * line_h(g, delta)), fnt(g, delta), extra);
		free(lines[i]);
	}
}

/* The title block's height: the title and the subtitle. */
static double heading_h(const struct gp *g)
{
	const struct chart *c = g->c;

	return count_lines(g, c->title ? c->title : "Chart", 3) * line_h(g, 3) +
		count_lines(g, c->subtitle, 0) * line_h(g, 0) + 0.6 * line_h(g, 0);
}

/* The title and subtitle as labels at the top of the canvas (drawn with the
 * next plot only, where the plots are several). */
static void heading_labels(struct gp *g, const char *def)
{
	const struct chart *c = g->c;
	int n = count_lines(g, c->title ? c->title : def, 3);

	fitted_labels(g, c->title ? c->title : def, 3, line_h(g, 3) * 0.75, "");
	if (c->subtitle)
		fitted_labels(g, c->subtitle, 0, n * line_h(g, 3) + line_h(g, 0) * 0.7, "");
}

/* The height the chart's note takes at the bottom. */
static double note_h(const struct gp *g)
{
	return g->c->note ? (count_lines(g, g->c->note, -2) + 0.5) * line_h(g, -2) : 0;
}

/* The chart's note as labels at the bottom of the canvas. */
static void note_label(struct gp *g)
{
	if (!g->c->note)
		return;
	fitted_labels(g, g->c->note, -2, g->h - note_h(g) + line_h(g, -2) * 0.6,
		      "textcolor rgb '#555555'");
}

#define CASE_FONT (-3)	/* the case numbers and their key */
#define CASE_ROWS 4	/* rows of case numbers above the roofline */
#define CASE_KEY_MAX 44	/* the case key's width, in characters */

/* A case of the roofline: the groups at one intensity, numbered. */
struct roof_case {
	double x;
	char *text;	/* the groups' names */
	int row;	/* of its number, 0 nearest the plot */
};

/* The roofline's cases in order of intensity, groups at the same intensity
 * sharing one ("stream triad fp64 n=65536, n=262144").  Returns how many. */
static int roofline_cases(const struct chart *c, double xlo, double xhi, struct roof_case **out)
{
	struct roof_case *v = xcalloc((size_t)c->ngroups + 1, sizeof(*v));
	int n = 0;

	for (;;) {
		int best = -1;

		for (int i = 0; i < c->ngroups; i++) {
			double x = c->groups[i].x;

			if (valid(x) && x >= xlo && x <= xhi && (n == 0 || x > v[n - 1].x) &&
			    (best < 0 || x < c->groups[best].x))
				best = i;
		}
		if (best < 0)
			break;
		{
			struct strbuf text = STRBUF_INIT;

			for (int j = best; j < c->ngroups; j++) {
				if (c->groups[j].x != c->groups[best].x)
					continue;
				sb_adds(&text, text.len ? ", " : "");
				sb_adds(&text, j == best ? c->groups[j].label :
					skip_common_words(c->groups[best].label, c->groups[j].label));
			}
			v[n].x = c->groups[best].x;
			v[n].text = sb_detach(&text);
			n++;
		}
	}
	*out = v;
	return n;
}

/* Rows for the case numbers so that none overlaps another: each in the
 * lowest row where it clears its left neighbour, PLOT_W wide from LEFT.
 * Returns the rows used. */
static int roofline_rows(const struct gp *g, struct roof_case *cs, int n, double xlo, double xhi,
			 double left, double plot_w)
{
	double end[CASE_ROWS];
	int rows = 1;

	for (int r = 0; r < CASE_ROWS; r++)
		end[r] = -INFINITY;
	for (int i = 0; i < n; i++) {
		double px = left + log(cs[i].x / xlo) / log(xhi / xlo) * plot_w;
		double half = (snprintf(NULL, 0, "%d", i + 1) + 1) * char_w(g, CASE_FONT) / 2;
		int best = 0;

		for (int r = CASE_ROWS - 1; r >= 0; r--)
			if (end[r] <= px - half)
				best = r;
		if (end[best] > px - half)	/* every row taken: the least crowded */
			for (int r = 0; r < CASE_ROWS; r++)
				best = end[r] < end[best] ? r : best;
		cs[i].row = best;
		end[best] = px + half;
		rows = best + 1 > rows ? best + 1 : rows;
	}
	return rows;
}

/* The key of the case numbers: lines of at most WIDTH characters, "12 name"
 * with wrapped names indented, appended to LINES; at most MAX lines, the
 * last saying how many did not fit.  Returns the lines. */
static int roofline_key(const struct roof_case *cs, int n, int width, int max, char ***lines)
{
	int nl = 0;

	*lines = xcalloc((size_t)max + 1, sizeof(char *));
	width = width < 20 ? 20 : width;
	for (int i = 0; i < n; i++) {
		char *clean = gp_clean(cs[i].text, 0), *p = clean;
		int first = 1;

		while (*p) {
			size_t avail = (size_t)width - 4, len = strlen(p), cut = len;

			if (nl == max - 1 && (i < n - 1 || len > avail)) {
				(*lines)[nl++] = xasprintf("(%d more: choose with --kernel or --dtype)",
							   n - i - !first);
				free(clean);
				return nl;
			}
			if (len > avail) {
				cut = avail;
				while (cut > 0 && p[cut] != ' ')
					cut--;
				if (cut == 0)
					cut = avail;
			}
			(*lines)[nl++] = first ? xasprintf("%-3d %.*s", i + 1, (int)cut, p) :
				xasprintf("    %.*s", (int)cut, p);
			first = 0;
			p += cut;
			while (*p == ' ')
				p++;
		}
		free(clean);
	}
	return nl;
}

/* Target I's key entry: name, roofs, ridge, and how it was obtained. */
static void roofline_name(const struct chart *c, int i, struct strbuf *name)
{
	const struct chart_target *t = &c->targets[i];
	int roof = valid(t->peak) || valid(t->bw);
	char buf[64], ops[24];

	sb_adds(name, t->name);
	if (t->measured)
		sb_adds(name, roof ? " (probed roof; cases measured)" : ", measured");
	if (valid(t->peak)) {
		nb_format_si(buf, sizeof(buf), t->peak, safe_unit(c->unit));
		sb_addf(name, " - %s", buf);
		if (t->via[0])
			sb_addf(name, " via %s", t->via);
	} else if (roof) {
		sb_adds(name, " - no compute roof");
	}
	if (valid(t->bw)) {
		nb_format_si(buf, sizeof(buf), t->bw, "B/s");
		sb_addf(name, ", %s", buf);
	}
	unit_ops(c->unit, ops, sizeof(ops));
	if (valid(t->peak) && valid(t->bw))
		sb_addf(name, ", ridge %.3g %s/B", t->peak / t->bw, ops);
}

/* The plot command: roofs, points and ridges without titles, then a key
 * entry per target whose sample is its roof with its marker. */
static void roofline_plot(struct gp *g, int nridges, int cols, double key_x, double key_y)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	int entries = 0;

	for (int i = 0; i < c->ntargets; i++) {
		int npts = 0;

		for (int k = 0; k < c->npoints; k++)
			npts += c->points[k].target == i && valid(c->points[k].x) && valid(c->points[k].y);
		entries += valid(c->targets[i].peak) || valid(c->targets[i].bw) || npts > 0;
	}
	sb_addf(sb, "set key at screen %.4f, screen %.4f center top vertical maxcols %d maxrows %d "
		"Left reverse samplen 3 spacing 1.1 width 1\n", key_x, key_y, cols,
		(entries + (nridges > 0) + cols - 1) / cols);
	sb_adds(sb, "plot \\\n  NaN notitle");
	for (int i = 0; i < c->ntargets; i++) {
		const struct chart_target *t = &c->targets[i];
		struct strbuf name = STRBUF_INIT;
		int roof = valid(t->peak) || valid(t->bw), npts = 0;

		for (int k = 0; k < c->npoints; k++)
			npts += c->points[k].target == i && valid(c->points[k].x) && valid(c->points[k].y);
		if (roof)
			sb_addf(sb, ", \\\n  $roof%d using 1:2 with lines lt %d lw 2.6 notitle", i + 1, i + 1);
		if (npts > 0)
			sb_addf(sb, ", \\\n  $pts%d using 1:2 with points lt %d notitle", i + 1, i + 1);
		if (!roof && !npts)
			continue;
		roofline_name(c, i, &name);
		sb_addf(sb, ", \\\n  NaN with %s lt %d lw 2.6 title ",
			roof && npts ? "linespoints" : roof ? "lines" : "points", i + 1);
		key_title(g, sb_str(&name));
		sb_release(&name);
	}
	if (nridges > 0) {
		sb_adds(sb, ", \\\n  $ridge1 using 1:2:3 with points pt 6 ps 2.4 lw 1.5 lc variable notitle");
		sb_adds(sb, ", \\\n  NaN with points pt 6 ps 2 lw 1.5 lc rgb '#777777' title "
			"'ridge point: where the memory roof meets the compute roof'");
	}
	sb_adds(sb, "\n");
	g->longest = 0;
}

/* Roofline: the roofs of every target with one, their ridge points, and
 * the cases at their intensity, numbered above the plot with a key (to
 * the right, or under the chart on text). */
static int roofline(struct gp *g)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	double xlo = 0, xhi = 0, ylo = 0, yhi = 0, left, right, top, plot_h, bottom, key_w, legend_h;
	struct roof_case *cs = NULL;
	char ops[24], buf[64], at[64], **key = NULL;
	int nridges, ncases, rows, nkey, entries = 1, cols = 1, dumb = g->term == CHART_DUMB;
	size_t longest = 0;

	unit_ops(c->unit, ops, sizeof(ops));
	if (roofline_range(c, &xlo, &xhi, &ylo, &yhi))
		return -1;
	ncases = roofline_cases(c, xlo, xhi, &cs);
	/* The legend: a line per target, two columns where they fit. */
	for (int i = 0; i < c->ntargets; i++) {
		struct strbuf name = STRBUF_INIT;

		roofline_name(c, i, &name);
		longest = name.len > longest ? name.len : longest;
		entries++;
		sb_release(&name);
	}
	longest = longest > TITLE_MAX ? TITLE_MAX : longest;
	if (2 * ((double)longest + 7) * char_w(g, 0) < 0.96 * g->w)
		cols = 2;
	/* gnuplot's key rows: 1.5 font sizes, times the key's spacing (1.1). */
	legend_h = ((entries + cols - 1) / cols + 0.5) * (dumb ? 1 : 1.65 * g->fs * g->px);
	left = 13 * char_w(g, 0) + (dumb ? 2 : line_h(g, 0) * 2.2);
	key_w = dumb ? 0 : (CASE_KEY_MAX + 2) * char_w(g, CASE_FONT);
	right = dumb ? 2 : key_w + 2 * char_w(g, 0);
	rows = roofline_rows(g, cs, ncases, xlo, xhi, left, g->w - left - right);
	/* Text: a row under the heading for the y axis's label. */
	top = heading_h(g) + dumb + (rows + 0.6) * line_h(g, CASE_FONT);
	bottom = line_h(g, 0) * 3.6 + legend_h + note_h(g);
	if (dumb) {
		nkey = roofline_key(cs, ncases, (int)g->w - 1, 30, &key);
		plot_h = 20;
		bottom += nkey + 1;
		g->h = top + plot_h + bottom;
	} else {
		plot_h = g->h - top - bottom;
		if (plot_h < 0.5 * g->h) {
			plot_h = 0.5 * g->h;
			g->h = top + plot_h + bottom;
		}
		nkey = roofline_key(cs, ncases, CASE_KEY_MAX, (int)((g->h - top - line_h(g, 0)) /
			       line_h(g, CASE_FONT)), &key);
	}
	nridges = roofline_data(g, xlo, xhi);
	sb_addf(sb, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", left / g->w, 1 - right / g->w);
	sb_addf(sb, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n", from_top(g, top),
		from_top(g, top + plot_h));
	sb_addf(sb, "set xlabel 'operational intensity (%s/byte)' offset 0,%.1f\n", ops, dumb ? 0.5 : 0.2);
	sb_adds(sb, "set logscale x\nset format x '%g'\n");
	sb_addf(sb, "set xrange [%.9g:%.9g]\nset yrange [%.9g:%.9g]\n", xlo, xhi, ylo, yhi);
	snprintf(buf, sizeof(buf), "attained %s", safe_unit(c->unit));
	snprintf(at, sizeof(at), "screen %.4f, screen %.4f", left / g->w, from_top(g, heading_h(g) + 0.5));
	y_label(g, buf, 0, at);
	y_throughput(g, c->unit, 1);
	heading_labels(g, "Roofline");
	note_label(g);
	for (int i = 0; i < ncases; i++) {
		double y = top - (cs[i].row + 0.5) * line_h(g, CASE_FONT);

		sb_addf(sb, "set arrow from first %.9g, graph 0 to first %.9g, screen %.4f nohead lt %d\n",
			cs[i].x, cs[i].x, from_top(g, y + 0.5 * line_h(g, CASE_FONT)), c->ntargets + 1);
		sb_addf(sb, "set label '%d' at first %.9g, screen %.4f center %s textcolor rgb '#222222'\n",
			i + 1, cs[i].x, from_top(g, y + (dumb ? 0 : 0.3 * line_h(g, CASE_FONT))), fnt(g, CASE_FONT));
	}
	for (int i = 0; i < nkey; i++) {
		double x = dumb ? 1 / g->w : 1 - key_w / g->w;
		double y = dumb ? g->h - bottom + legend_h + line_h(g, 0) * 3.6 + i + 1 :
			top + (i + 0.8) * line_h(g, CASE_FONT);

		sb_adds(sb, "set label ");
		gp_quote(sb, key[i]);
		sb_addf(sb, " at screen %.4f, screen %.4f left %s textcolor rgb '#222222'\n", x,
			from_top(g, y), fnt(g, CASE_FONT));
		free(key[i]);
	}
	if (!dumb && ncases > 0) {
		sb_adds(sb, "set label 'cases' ");
		sb_addf(sb, " at screen %.4f, screen %.4f left %s\n", 1 - key_w / g->w,
			from_top(g, top - 0.6 * line_h(g, CASE_FONT)), fnt(g, CASE_FONT));
	}
	roofline_plot(g, nridges, cols, 0.5, from_top(g, top + plot_h + line_h(g, 0) * (dumb ? 3 : 3.4)));
	for (int i = 0; i < ncases; i++)
		free(cs[i].text);
	free(cs);
	free(key);
	return 0;
}

/* The lines TEXT takes broken at spaces into lines of at most WIDTH bytes,
 * or -1 when one of its words is longer than WIDTH. */
static int wrap_count(const char *text, int width)
{
	int lines = 0;

	while (*text) {
		size_t len = strlen(text), cut = len;

		if ((int)len > width) {
			cut = (size_t)width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				return -1;
		}
		lines++;
		text += cut;
		while (*text == ' ')
			text++;
	}
	return lines > 0 ? lines : 1;
}

/* Appends TEXT as a tic label: a string expression of at most MAXLINES
 * lines of at most WIDTH bytes, broken at spaces ('gemm bf16' . "\n" .
 * 'm=n=k=4096'), never inside a word; a word longer than a line, and what
 * does not fit in MAXLINES, are cut with "...".  Returns the lines. */
static int quote_wrapped(struct strbuf *sb, const char *text, int width, int maxlines)
{
	char *clean = gp_clean(text, 0), *p = clean;
	int line = 0;

	width = width < 4 ? 4 : width;
	for (; *p; line++) {
		size_t len = strlen(p), cut = len;
		char *piece;

		if ((int)len > width) {
			cut = (size_t)width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		if ((line == maxlines - 1 && cut < len) || (int)cut > width) {
			char *rest = xstrndup(p, line == maxlines - 1 ? len : cut);

			piece = gp_clean(rest, (size_t)width);
			free(rest);
			cut = line == maxlines - 1 ? len : cut;
		} else {
			piece = xstrndup(p, cut);
		}
		if (line > 0)
			sb_adds(sb, " . \"\\n\" . ");
		gp_quote_tic(sb, piece);
		free(piece);
		p += cut;
		while (*p == ' ')
			p++;
	}
	if (!*clean)
		gp_quote_tic(sb, "");
	free(clean);
	return line > 0 ? line : 1;
}

/* The SI text of a value with no unit ("1.23 T"), or a ratio ("2.5x"). */
static void value_text(char *buf, size_t n, double v, int ratio)
{
	if (ratio)
		snprintf(buf, n, v >= 10 ? "%.0fx" : "%.2gx", v);
	else
		nb_format_si(buf, n, v, "");
}

#define TIC_FONT (-2)	/* case and chip names under bars */
#define VALUE_FONT (-4)	/* values over bars */
#define BAR_LINES 5	/* most lines of a name under its bars */

/* A panel of grouped bars: some groups of one unit, in a band of the
 * canvas. */
struct bar_panel {
	const char *unit;	/* the throughput unit; NULL for ratios */
	char *title;		/* above the panel */
	int *groups, ng;	/* the chart's groups, in order */
	int center;		/* each group's bars centred (else a slot per target) */
	int lines;		/* of the names under the bars */
	double top, plot_h;	/* the plot area: canvas units from the top, height */
};

/* The layout shared by the panels of a bars chart. */
struct bar_layout {
	struct bar_panel *p;
	int np;
	double left, right;	/* the plot areas' sides, canvas units */
	double legend_top, legend_h;
	int legend_cols;
};

/* Bars need a slot of at least this width each (a character on text). */
static double min_bar(const struct gp *g)
{
	return g->term == CHART_DUMB ? 2 : 0.9 * line_h(g, VALUE_FONT);
}

static int point_in(const struct chart *c, int t, int gr)
{
	for (int k = 0; k < c->npoints; k++)
		if (c->points[k].target == t && c->points[k].group == gr && valid(c->points[k].y))
			return 1;
	return 0;
}

/* The targets with a bar in panel P, and each one's slot (-1: none). */
static int panel_targets(const struct chart *c, const struct bar_panel *p, int *rank)
{
	int nt = 0;

	for (int t = 0; t < c->ntargets; t++) {
		rank[t] = -1;
		for (int i = 0; i < p->ng && rank[t] < 0; i++)
			if (point_in(c, t, p->groups[i]))
				rank[t] = nt++;
	}
	return nt;
}

/* The width in characters that names may take under a slot of SLOT canvas
 * units. */
static int name_width(const struct gp *g, double slot)
{
	return (int)(0.94 * slot / char_w(g, TIC_FONT)) - (g->term == CHART_DUMB);
}

/* True when panels of K of the NG GROUPS fit: every name wraps into
 * BAR_LINES lines without splitting a word, and every bar has its width. */
static int bars_fit(const struct gp *g, const struct bar_layout *l, const int *groups, int ng, int k, int nt)
{
	double slot = (g->w - l->left - l->right) / k;

	if (0.8 * slot / (nt > 0 ? nt : 1) < min_bar(g))
		return 0;
	for (int i = 0; i < ng; i++) {
		int lines = wrap_count(g->c->groups[groups[i]].label, name_width(g, slot));

		if (lines < 0 || lines > BAR_LINES)
			return 0;
	}
	return 1;
}

/* Adds panels for GROUPS (NG of one unit): as many side by side as fit,
 * the rest in further panels of about as many. */
static void bars_split(const struct gp *g, struct bar_layout *l, const char *unit, const char *title,
		       const int *groups, int ng, int center)
{
	const struct chart *c = g->c;
	int nt = 0, k = ng, chunks, done = 0;

	for (int t = 0; t < c->ntargets; t++)
		for (int i = 0; i < ng; i++)
			if (point_in(c, t, groups[i])) {
				nt++;
				break;
			}
	if (center)
		nt = 1;
	while (k > 1 && !bars_fit(g, l, groups, ng, k, nt))
		k--;
	chunks = (ng + k - 1) / k;
	for (int ch = 0; ch < chunks; ch++) {
		int n = (ng - done) / (chunks - ch);
		struct bar_panel *p;

		l->p = xrealloc(l->p, (size_t)(l->np + 1) * sizeof(*l->p));
		p = &l->p[l->np++];
		memset(p, 0, sizeof(*p));
		p->unit = unit;
		p->title = xstrdup(title);
		p->center = center;
		p->groups = xmalloc((size_t)n * sizeof(int));
		memcpy(p->groups, groups + done, (size_t)n * sizeof(int));
		p->ng = n;
		p->lines = 1;
		for (int i = 0; i < n; i++) {
			int lines = wrap_count(c->groups[p->groups[i]].label,
					       name_width(g, (g->w - l->left - l->right) / n));

			p->lines = lines > p->lines ? lines : p->lines;
			if (lines < 0 || lines > BAR_LINES)
				p->lines = BAR_LINES;
		}
		done += n;
	}
}

/* Room above a panel for its title. */
static double panel_gap(const struct gp *g)
{
	return g->term == CHART_DUMB ? 2 : line_h(g, -1) * 1.3;
}

/* Stacks the panels under the title, the legend under them, and sizes
 * the canvas: at least 16:9, every plot at least its base height. */
static void bars_stack(struct gp *g, struct bar_layout *l, int nentries, size_t longest)
{
	static const double base_h[] = { [CHART_DUMB] = 10, [CHART_PNG] = 300, [CHART_SVG] = 240,
					 [CHART_PDF] = 140 };
	double fixed = heading_h(g), plot_h = base_h[g->term], y, min_h;
	/* As gnuplot lays out a text key: the title, four spaces, the sample
	 * (samplen 2 and a point's width) and the key's width 2. */
	double entry_w = ((double)longest + (g->term == CHART_DUMB ? 10 : 6)) * char_w(g, 0);
	int rows;

	l->legend_cols = (int)(0.96 * g->w / entry_w);
	l->legend_cols = l->legend_cols < 1 ? 1 : l->legend_cols > nentries ? nentries : l->legend_cols;
	rows = (nentries + l->legend_cols - 1) / l->legend_cols;
	l->legend_h = (rows + 0.8) * line_h(g, 0) * (g->term == CHART_DUMB ? 1 : 1.2);
	for (int i = 0; i < l->np; i++)
		fixed += panel_gap(g) + l->p[i].lines * line_h(g, TIC_FONT) + line_h(g, 0);
	fixed += l->legend_h + note_h(g);
	min_h = g->term == CHART_DUMB ? 24 : g->w * 9 / 16;
	if (fixed + l->np * plot_h < min_h)
		plot_h = (min_h - fixed) / l->np;
	g->h = ceil(fixed + l->np * plot_h);
	y = heading_h(g);
	for (int i = 0; i < l->np; i++) {
		struct bar_panel *p = &l->p[i];

		p->top = y + panel_gap(g);
		p->plot_h = plot_h;
		y = p->top + plot_h + p->lines * line_h(g, TIC_FONT) + line_h(g, 0);
	}
	l->legend_top = y;
}

/* A nice step (1, 2 or 5 times a power of ten) of at least RAW. */
static double nice_step(double raw)
{
	double p = pow(10, floor(log10(raw))), m = raw / p;

	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* A tic label: V with an SI prefix and UNIT ("200 GB/s", "1.5 TFLOP/s",
 * "0"); a ratio ("2x") when UNIT is NULL. */
static void si_tic(char *buf, size_t n, double v, const char *unit)
{
	static const char prefixes[] = " kMGTPE";
	int e = 0;

	if (!unit) {
		snprintf(buf, n, "%gx", v);
		return;
	}
	if (v <= 0) {
		snprintf(buf, n, "0");
		return;
	}
	while (e < 6 && v >= 999.5) {
		v /= 1000;
		e++;
	}
	if (e)
		snprintf(buf, n, "%.3g %c%s", v, prefixes[e], safe_unit(unit));
	else
		snprintf(buf, n, "%.3g %s", v, safe_unit(unit));
}

/* The y axis of a panel whose values span [LO, HI], with ROOM canvas units
 * above the highest for its value label: logarithmic past a factor of 30,
 * tics labelled explicitly and no closer than a line and a half. */
static void bars_yaxis(struct gp *g, const struct bar_panel *p, double lo, double hi, double room)
{
	struct strbuf *sb = &g->sb;
	int log = hi / lo > 30, maxtics = (int)(p->plot_h / (line_h(g, TIC_FONT) * 1.6)), n = 0;
	double frac = room / p->plot_h, ylo, yhi, step;
	char buf[64];

	maxtics = maxtics < 2 ? 2 : maxtics;
	frac = frac > 0.6 ? 0.6 : frac;
	if (log) {
		double d;

		ylo = pow(10, floor(log10(lo)));
		d = log10(hi / ylo);
		yhi = hi * pow(10, d * frac / (1 - frac));
		step = pow(10, ceil(log10(yhi / ylo) / maxtics));
	} else {
		ylo = 0;
		yhi = hi / (1 - frac);
		step = nice_step(yhi / maxtics);
	}
	sb_addf(sb, "unset ylabel\n%s\nset yrange [%.9g:%.9g]\nset format y '%%g'\nset ytics (",
		log ? "set logscale y" : "unset logscale y", log ? ylo / 1.001 : ylo, yhi);
	for (double v = ylo; v <= yhi * 1.0001 && n < 64; v = log ? v * step : ylo + ++n * step) {
		si_tic(buf, sizeof(buf), v, p->unit);
		sb_adds(sb, v > ylo ? ", " : "");
		gp_quote_tic(sb, buf);
		sb_addf(sb, " %.9g", v);
		n += log;
	}
	sb_addf(sb, ") %s\n%s\n", fnt(g, TIC_FONT), log && step <= 10 ? "set mytics default" : "unset mytics");
}

/* One panel's data, axes and plot command.  RATIO: the values are ratios
 * to the chart's baseline. */
static void bars_panel(struct gp *g, const struct bar_layout *l, int pi)
{
	const struct chart *c = g->c;
	const struct bar_panel *p = &l->p[pi];
	struct strbuf *sb = &g->sb;
	int *rank = xcalloc((size_t)c->ntargets + 1, sizeof(int)), nt = panel_targets(c, p, rank);
	int ratio = c->normalize != NULL, first = 1, labels, maxlen = 0;
	double lo = INFINITY, hi = 0, slot = (g->w - l->left - l->right) / p->ng, w, room;
	char buf[64];

	w = 0.8 / (p->center || nt < 1 ? 1 : nt);
	for (int i = 0; i < p->ng; i++)
		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].group == p->groups[i] && valid(c->points[k].y)) {
				lo = fmin(lo, c->points[k].y);
				hi = fmax(hi, c->points[k].y);
				value_text(buf, sizeof(buf), c->points[k].y, ratio);
				maxlen = (int)strlen(buf) > maxlen ? (int)strlen(buf) : maxlen;
			}
	/* Values over the bars where they fit: upright over wide bars, else
	 * turned; never on text, whose bars are a character wide. */
	labels = g->term != CHART_DUMB && w * slot >= line_h(g, VALUE_FONT) * 0.9;
	room = !labels ? line_h(g, 0) * 0.5 : w * slot >= (maxlen + 1) * char_w(g, VALUE_FONT) ?
		line_h(g, VALUE_FONT) * 1.6 : (maxlen + 1.5) * char_w(g, VALUE_FONT);
	for (int t = 0; t < c->ntargets; t++) {
		if (rank[t] < 0)
			continue;
		block_begin(sb, "bars", (pi + 1) * 1000 + t + 1);
		for (int i = 0; i < p->ng; i++)
			for (int k = 0; k < c->npoints; k++) {
				const struct chart_point *pt = &c->points[k];

				if (pt->target != t || pt->group != p->groups[i] || !valid(pt->y))
					continue;
				value_text(buf, sizeof(buf), pt->y, ratio);
				sb_addf(sb, "%.6g %.9g ", p->center ? (double)i :
					i + (rank[t] - (nt - 1) / 2.0) * w, pt->y);
				gp_datum(sb, buf);
				sb_adds(sb, "\n");
			}
		block_end(sb);
	}
	sb_addf(sb, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n", l->left / g->w,
		1 - l->right / g->w);
	sb_addf(sb, "set tmargin at screen %.4f\nset bmargin at screen %.4f\n", from_top(g, p->top),
		from_top(g, p->top + p->plot_h));
	sb_adds(sb, "set label 3 ");
	gp_quote(sb, p->title);
	sb_addf(sb, " at screen %.4f, screen %.4f left %s\n", l->left / g->w,
		from_top(g, p->top - (g->term == CHART_DUMB ? 1 : line_h(g, -1) * 0.45)), fnt(g, -1));
	sb_adds(sb, "set xtics (");
	for (int i = 0; i < p->ng; i++) {
		sb_adds(sb, i ? ", " : "");
		quote_wrapped(sb, c->groups[p->groups[i]].label, name_width(g, slot), BAR_LINES);
		sb_addf(sb, " %d", i);
	}
	sb_addf(sb, ") norotate center scale 0 %s\n", fnt(g, TIC_FONT));
	sb_addf(sb, "unset mxtics\nset grid noxtics nomxtics\nset xrange [-0.5:%.1f]\n", p->ng - 0.5);
	sb_addf(sb, "set boxwidth %.4f absolute\n", w * 0.92);
	bars_yaxis(g, p, lo, hi, room);
	if (ratio)
		sb_adds(sb, "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 "
			"lc rgb '#555555' front\n");
	sb_adds(sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++) {
		if (rank[t] < 0)
			continue;
		sb_addf(sb, "%s$bars%d using 1:2 with boxes lt %d notitle", first ? "  " : ", \\\n  ",
			(pi + 1) * 1000 + t + 1, t + 1);
		if (labels)
			sb_addf(sb, ", \\\n  $bars%d using 1:2:3 with labels %s %s textcolor rgb '#333333' "
				"notitle", (pi + 1) * 1000 + t + 1,
				w * slot >= (maxlen + 1) * char_w(g, VALUE_FONT) ? "center offset 0,0.7" :
				"rotate by 90 left offset 0,0.4", fnt(g, VALUE_FONT));
		first = 0;
	}
	sb_adds(sb, "\nunset label\nunset arrow\n");
	free(rank);
}

/* The legend shared by every panel: a plot of nothing in its own band,
 * with the chart's note under it. */
static void bars_legend(struct gp *g, const struct bar_layout *l, const int *shown)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	int first = 1;

	note_label(g);
	sb_adds(sb, "unset border\nunset tics\nunset logscale\nset xrange [0:1]\nset yrange [0:1]\n");
	sb_addf(sb, "set lmargin at screen 0.02\nset rmargin at screen 0.98\n"
		"set tmargin at screen %.4f\nset bmargin at screen %.4f\n", from_top(g, l->legend_top),
		from_top(g, l->legend_top + l->legend_h));
	sb_addf(sb, "set key inside center top horizontal maxcols %d Left reverse samplen 2 width 2\n",
		l->legend_cols);
	sb_adds(sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++) {
		if (!shown[t])
			continue;
		sb_addf(sb, "%sNaN with boxes lt %d title ", first ? "  " : ", \\\n  ", t + 1);
		gp_quote(sb, c->targets[t].name);
		first = 0;
	}
	if (c->normalize) {
		sb_adds(sb, ", \\\n  NaN with lines dt 2 lw 1.5 lc rgb '#555555' title ");
		{
			struct strbuf t = STRBUF_INIT;

			sb_addf(&t, "1x = %s", c->normalize);
			quote_cut(sb, sb_str(&t), TITLE_MAX);
			sb_release(&t);
		}
	}
	sb_adds(sb, "\nunset multiplot\n");
}

/* Bars: a panel per unit (a unit with many cases takes several), the case
 * names wrapped under their bars, one legend for all. */
static int bars(struct gp *g)
{
	const struct chart *c = g->c;
	struct bar_layout l = { 0 };
	const char **units = xcalloc((size_t)c->ngroups + 1, sizeof(char *));
	int *groups = xcalloc((size_t)c->ngroups + 1, sizeof(int)), *shown, nunits = 0, nshown = 0;
	size_t longest = 0, ylen = 5;

	if (c->npoints == 0) {
		free(units);
		free(groups);
		return error("nothing to draw: no result with a throughput");
	}
	for (int i = 0; i < c->ngroups; i++) {
		int seen = 0;

		for (int u = 0; u < nunits; u++)
			seen |= !strcmp(units[u], c->groups[i].unit ? c->groups[i].unit : "");
		if (!seen)
			units[nunits++] = c->groups[i].unit ? c->groups[i].unit : "";
	}
	/* The longest tic label: "100 TFLOP/s", or a ratio ("0.0001x"). */
	ylen = c->normalize ? 8 : ylen;
	for (int u = 0; u < nunits; u++)
		ylen = c->normalize ? ylen : strlen(safe_unit(units[u])) + 5 > ylen ?
			strlen(safe_unit(units[u])) + 5 : ylen;
	l.left = ((double)ylen + 2.5) * char_w(g, TIC_FONT) + (g->term == CHART_DUMB ? 2 : 0);
	l.right = 1.5 * char_w(g, 0);
	for (int u = 0; u < (c->normalize ? 1 : nunits); u++) {
		int ng = 0;
		char *title;

		for (int i = 0; i < c->ngroups; i++)
			if (c->normalize || !strcmp(units[u], c->groups[i].unit ? c->groups[i].unit : ""))
				groups[ng++] = i;
		title = c->normalize ? xasprintf("throughput relative to %s (x)", c->normalize) :
			xasprintf("throughput (%s)", safe_unit(units[u]));
		bars_split(g, &l, c->normalize ? NULL : units[u], title, groups, ng, 0);
		free(title);
	}
	shown = xcalloc((size_t)c->ntargets + 1, sizeof(int));
	for (int k = 0; k < c->npoints; k++)
		if (valid(c->points[k].y) && !shown[c->points[k].target]) {
			shown[c->points[k].target] = 1;
			nshown++;
			if (strlen(c->targets[c->points[k].target].name) > longest)
				longest = strlen(c->targets[c->points[k].target].name);
		}
	bars_stack(g, &l, nshown + (c->normalize != NULL), longest > TITLE_MAX ? TITLE_MAX : longest);
	sb_adds(&g->sb, "set multiplot\nunset key\nset style fill solid 0.85 border rgb '#333333'\n");
	heading_labels(g, c->normalize ? "Throughput relative to a baseline" : "Throughput per case");
	for (int i = 0; i < l.np; i++)
		bars_panel(g, &l, i);
	bars_legend(g, &l, shown);
	for (int i = 0; i < l.np; i++) {
		free(l.p[i].title);
		free(l.p[i].groups);
	}
	free(l.p);
	free(shown);
	free(units);
	free(groups);
	return 0;
}
/* Explicit tics at the powers of two in [LO, HI], every other one when
 * there are many; sizes past 10^5 in K, M and G of 1024. */
static void size_tics(struct strbuf *sb, double lo, double hi)
{
	int n = 0, step;

	for (double v = exp2(ceil(log2(lo))); v <= hi * 1.0001; v *= 2)
		n++;
	step = (n + 9) / 10;	/* ten labels at most */
	sb_adds(sb, "set xtics (");
	n = 0;
	for (double v = exp2(ceil(log2(lo))); v <= hi * 1.0001; v *= 2, n++) {
		char label[32];

		if (n % step)
			continue;
		if (v < 1e5)
			snprintf(label, sizeof(label), "%.0f", v);
		else if (v < 1024.0 * 1024 * 1024)
			snprintf(label, sizeof(label), v < 1024.0 * 1024 ? "%.0fK" : "%.0fM",
				 v < 1024.0 * 1024 ? v / 1024 : v / (1024.0 * 1024));
		else
			snprintf(label, sizeof(label), "%.0fG", v / (1024.0 * 1024 * 1024));
		sb_addf(sb, "%s'%s' %.9g", n ? ", " : "", label, v);
	}
	sb_adds(sb, ")\nunset mxtics\n");
}

/* Points of target T in group GRP (< 0: any) ordered by x, whatever order
 * they came in, into the data block NAME T+1; returns how many. */
static int sorted_block(struct gp *g, const char *name, int t, int grp)
{
	const struct chart *c = g->c;
	double last = 0;
	int n = 0;

	block_begin(&g->sb, name, t + 1);
	for (;;) {
		int best = -1;

		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].target == t && (grp < 0 || c->points[k].group == grp) && valid(c->points[k].x) &&
			    valid(c->points[k].y) && c->points[k].x > last &&
			    (best < 0 || c->points[k].x < c->points[best].x))
				best = k;
		if (best < 0)
			break;
		sb_addf(&g->sb, "%.17g %.9g\n", c->points[best].x, c->points[best].y);
		last = c->points[best].x;
		n++;
	}
	block_end(&g->sb);
	return n;
}

/* The x axis of the scaling charts: LABEL, sizes or chip counts doubling
 * from XMIN to XMAX, a margin either side. */
static void log2_x_axis(struct gp *g, const char *label, double xmin, double xmax)
{
	struct strbuf *sb = &g->sb;

	sb_adds(sb, "set xlabel ");
	gp_quote(sb, label);
	sb_adds(sb, "\nset logscale x 2\n");
	size_tics(sb, xmin, xmax);
	sb_addf(sb, "set xrange [%.9g:%.9g]\n", xmin / 1.3, xmax * 1.3);
}

/* Scaling: throughput against size, a line per target, the first
 * compute-bound size of each chip circled and the chips' peaks dashed. */
static int scaling(struct gp *g)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
	char buf[64];
	size_t plot_at;
	int first = 1, nbound = 0, *npts, npeaks = 0;

	for (int k = 0; k < c->npoints; k++) {
		if (!valid(c->points[k].x) || !valid(c->points[k].y))
			continue;
		xmin = fmin(xmin, c->points[k].x);
		xmax = fmax(xmax, c->points[k].x);
		ymin = fmin(ymin, c->points[k].y);
		ymax = fmax(ymax, c->points[k].y);
	}
	if (!isfinite(xmin))
		return error("nothing to draw: no size with a throughput");
	for (int t = 0; t < c->ntargets; t++)
		if (valid(c->targets[t].peak)) {
			ymax = fmax(ymax, c->targets[t].peak);
			npeaks++;
		}
	npts = xcalloc((size_t)c->ntargets, sizeof(*npts));
	for (int t = 0; t < c->ntargets; t++)
		npts[t] = sorted_block(g, "size", t, -1);
	block_begin(sb, "bound", 1);
	for (int t = 0; t < c->ntargets; t++)
		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].target == t && c->points[k].compute_bound && valid(c->points[k].y)) {
				sb_addf(sb, "%.9g %.9g %d\n", c->points[k].x, c->points[k].y, t + 1);
				nbound++;
				break;
			}
	block_end(sb);

	title(g, "set title", "Throughput against problem size");
	log2_x_axis(g, c->xlabel ? c->xlabel : "problem size", xmin, xmax);
	snprintf(buf, sizeof(buf), "%s (%s)", c->ylabel ? c->ylabel : "throughput", safe_unit(c->unit));
	y_label(g, buf, 0, NULL);
	y_throughput(g, c->unit, ymax / ymin > 10);
	if (ymax / ymin > 10)
		sb_addf(sb, "set yrange [%.9g:%.9g]\n", pow(10, floor(log10(ymin))),
			pow(10, ceil(log10(ymax) + 0.1)));
	else
		sb_addf(sb, "set yrange [0:%.9g]\n", ymax * 1.15);
	for (int t = 0; t < c->ntargets; t++)
		if (valid(c->targets[t].peak))
			sb_addf(sb, "set arrow from graph 0, first %.9g to graph 1, first %.9g nohead "
				"lt %d lw 1.2 dt 2 back\n", c->targets[t].peak, c->targets[t].peak, t + 1);
	plot_at = sb->len;
	sb_adds(sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++) {
		const struct chart_target *ct = &c->targets[t];
		struct strbuf name = STRBUF_INIT;

		sb_adds(&name, ct->name);
		if (ct->measured)
			sb_adds(&name, " (measured)");
		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].target == t && c->points[k].compute_bound) {
				sb_addf(&name, " - compute-bound from %.0f", c->points[k].x);
				break;
			}
		if (npts[t] == 0) {	/* a chip the model cannot predict here: in the note */
			sb_release(&name);
			continue;
		}
		sb_addf(sb, "%s$size%d using 1:2 with linespoints lt %d title ", first ? "  " : ", \\\n  ",
			t + 1, t + 1);
		key_title(g, sb_str(&name));
		first = 0;
		sb_release(&name);
	}
	if (nbound > 0) {
		sb_adds(sb, ", \\\n  $bound1 using 1:2:3 with points pt 6 ps 3 lw 1.5 lc variable notitle");
		sb_adds(sb, ", \\\n  NaN with points pt 6 ps 2.2 lc rgb '#777777' "
			"title 'first compute-bound size'");
	}
	if (npeaks > 0)
		sb_addf(sb, ", \\\n  NaN with lines dt 2 lc rgb '#777777' title '%s'",
			!strcmp(safe_unit(c->unit), "B/s") ? "memory bandwidth" : "dense peak");
	sb_adds(sb, "\n");
	key_rows(g, plot_at, c->ntargets + (npeaks > 0) + (nbound > 0));
	free(npts);
	return 0;
}

/* Workload scaling (a chart with y2label): group 0, the step time in
 * seconds on the left axis (log), solid; group 1, MFU in percent on the
 * right axis, dashed in the same colour; a line pair per chip against the
 * chip count. */
static int scaling_workload(struct gp *g)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0, mfu_max = 0;
	int *n = xcalloc((size_t)c->ntargets, sizeof(*n)), first = 1, lines = 0;
	size_t plot_at;

	for (int k = 0; k < c->npoints; k++) {
		const struct chart_point *pt = &c->points[k];

		if (!valid(pt->x) || !valid(pt->y))
			continue;
		xmin = fmin(xmin, pt->x);
		xmax = fmax(xmax, pt->x);
		if (pt->group == 0) {
			ymin = fmin(ymin, pt->y);
			ymax = fmax(ymax, pt->y);
		} else {
			mfu_max = fmax(mfu_max, pt->y);
		}
	}
	if (!isfinite(ymin)) {
		free(n);
		return error("nothing to draw: no chip count with a step time");
	}
	for (int t = 0; t < c->ntargets; t++) {
		n[t] = sorted_block(g, "step", t, 0);
		sorted_block(g, "mfu", t, 1);
	}
	title(g, "set title", "Step time and MFU against chip count");
	log2_x_axis(g, c->xlabel ? c->xlabel : "chips", xmin, xmax);
	y_label(g, c->ylabel ? c->ylabel : "step time (s)", 0, NULL);
	sb_adds(sb, "set logscale y\nset format y '%g'\n");
	sb_addf(sb, "set yrange [%.9g:%.9g]\n", ymin / 1.5, ymax * 1.5);
	y_label(g, c->y2label, 1, NULL);
	sb_addf(sb, "set y2range [0:%.9g]\nset y2tics\nset ytics nomirror\n",
		fmax(10, ceil(mfu_max * 1.15 / 10) * 10));
	plot_at = sb->len;
	sb_adds(sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++) {
		if (n[t] == 0)	/* a chip the model cannot predict at any count: in the note */
			continue;
		sb_addf(sb, "%s$step%d using 1:2 axes x1y1 with linespoints lt %d lw 2 title ", first ? "  " : ", \\\n  ",
			t + 1, t + 1);
		key_title(g, c->targets[t].name);
		sb_addf(sb, ", \\\n  $mfu%d using 1:2 axes x1y2 with linespoints lt %d dt 2 pt 6 notitle", t + 1, t + 1);
		first = 0;
		lines++;
	}
	sb_adds(sb, ", \\\n  NaN with lines lw 2 lc rgb '#777777' title 'step time (left)'");
	sb_adds(sb, ", \\\n  NaN with linespoints dt 2 pt 6 lc rgb '#777777' title 'MFU (right)'\n");
	key_rows(g, plot_at, lines + 2);
	free(n);
	return 0;
}

/* A chip's name as a tic label of lines at most WIDTH wide, broken after
 * its dashes ("a100-sxm4-" "80gb").  Returns the lines. */
static int chip_tic(struct strbuf *sb, const char *name, int width)
{
	char *clean = gp_clean(name, 0), *p = clean;
	int line = 0;

	width = width < 4 ? 4 : width;
	while (*p) {
		size_t len = strlen(p), cut = len;
		char *piece;

		if ((int)len > width) {
			cut = (size_t)width;
			while (cut > 0 && p[cut - 1] != '-' && p[cut - 1] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		piece = xstrndup(p, cut);
		sb_adds(sb, line++ ? " . \"\\n\" . " : "");
		gp_quote_tic(sb, piece);
		free(piece);
		p += cut;
		while (*p == ' ')
			p++;
	}
	if (line == 0)
		gp_quote_tic(sb, "");
	free(clean);
	return line > 0 ? line : 1;
}

/* A bar per chip of column COL of $mem1, labelled with column LABEL (0:
 * none): a
 * plot per chip, so that text terminals draw each with its character. */
static void specs_mem_plot(struct gp *g, int col, int label)
{
	const struct chart *c = g->c;

	sb_adds(&g->sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++)
		sb_addf(&g->sb, "%s$mem1 every ::%d::%d using 1:%d with boxes lt %d notitle", t ? ", \\\n  " : "  ",
			t, t, col, t + 1);
	if (label > 0)
		sb_addf(&g->sb, ", \\\n  $mem1 using 1:%d:%d with labels offset 0,0.6 %s notitle", col, label,
			fnt(g, -3));
	sb_adds(&g->sb, "\n");
}

/* Breakdown: a stacked bar per target (a chip's step), a layer per group
 * (compute, exposed communication, ...), the total over each bar. */
static int breakdown(struct gp *g)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	double ymax = 0, slot;
	int lines = 1, dumb = g->term == CHART_DUMB, krows;
	size_t plot_at, longest = 0;
	char buf[64];

	if (c->ntargets == 0 || c->ngroups == 0)
		return error("nothing to draw: no step time with parts");
	/* Rows: bars; columns: the parts, in group order (0 where absent). */
	block_begin(sb, "parts", 1);
	for (int t = 0; t < c->ntargets; t++) {
		sb_addf(sb, "%d", t);
		for (int gr = 0; gr < c->ngroups; gr++) {
			double y = 0;

			for (int k = 0; k < c->npoints; k++)
				if (c->points[k].target == t && c->points[k].group == gr && valid(c->points[k].y))
					y += c->points[k].y;
			sb_addf(sb, " %.9g", y);
		}
		sb_adds(sb, "\n");
	}
	block_end(sb);
	block_begin(sb, "total", 1);
	for (int t = 0; t < c->ntargets; t++) {
		double sum = 0;

		for (int k = 0; k < c->npoints; k++)
			if (c->points[k].target == t && valid(c->points[k].y))
				sum += c->points[k].y;
		ymax = fmax(ymax, sum);
		nb_format_si(buf, sizeof(buf), sum, "s");
		sb_addf(sb, "%d %.9g ", t, sum);
		gp_datum(sb, buf);
		sb_adds(sb, "\n");
	}
	block_end(sb);
	if (!(ymax > 0))
		return error("nothing to draw: every step time is zero");

	title(g, "set title", "Step time by part");
	sb_adds(sb, "set style data histograms\nset style histogram rowstacked\n");
	sb_adds(sb, "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.6 relative\n");
	y_label(g, c->ylabel ? c->ylabel : "time per step", 0, NULL);
	y_throughput(g, "s", 0);
	sb_addf(sb, "set yrange [0:%.9g]\n", ymax * 1.15);
	sb_addf(sb, "set xrange [-0.6:%.1f]\n", c->ntargets - 0.4);
	sb_adds(sb, "set grid noxtics nomxtics ytics\nunset mxtics\n");
	/* The bars' names under them, broken after dashes and spaces. */
	slot = (g->w - 10 * char_w(g, 0)) / c->ntargets;
	sb_adds(sb, "set xtics (");
	for (int t = 0; t < c->ntargets; t++) {
		int l;

		sb_adds(sb, t ? ", " : "");
		l = chip_tic(sb, c->targets[t].name, (int)(0.95 * slot / char_w(g, TIC_FONT)) - dumb);
		lines = l > lines ? l : lines;
		sb_addf(sb, " %d", t);
	}
	/* Room below for the names and the legend (key_rows' columns). */
	for (int gr = 0; gr < c->ngroups; gr++)
		longest = strlen(c->groups[gr].label) > longest ? strlen(c->groups[gr].label) : longest;
	krows = 2 * ((double)longest + 6) * (dumb ? 1 : 0.62 * g->fs) < 0.95 * g->w ? (c->ngroups + 1) / 2 :
		c->ngroups;
	sb_addf(sb, ") norotate center %s\nset bmargin %.1f\n", fnt(g, TIC_FONT),
		lines + 2 + krows * (dumb ? 1 : 1.3));
	plot_at = sb->len;
	sb_adds(sb, "plot \\\n");
	for (int gr = 0; gr < c->ngroups; gr++) {
		sb_addf(sb, "%s$parts1 using %d lt %d ", gr ? ", \\\n  " : "  ", gr + 2, gr + 1);
		/* Text draws no sample of a filled histogram box: the legend
		 * takes an empty box in the layer's characters instead. */
		if (dumb)
			sb_addf(sb, "notitle, NaN with boxes lt %d ", gr + 1);
		sb_adds(sb, "title ");
		key_title(g, c->groups[gr].label);
	}
	sb_addf(sb, ", \\\n  $total1 using 1:2:3 with labels offset 0,0.7 %s notitle\n", fnt(g, -3));
	key_rows(g, plot_at, c->ngroups);
	return 0;
}

/* Specs: dense peaks per dtype (grouped, log), then bandwidth and memory. */
static int specs(struct gp *g)
{
	const struct chart *c = g->c;
	struct strbuf *sb = &g->sb;
	int dts[NB_DTYPE_COUNT], ndt = 0, first = 1, dumb = g->term == CHART_DUMB, lines = 1, upright, values;
	double lo = INFINITY, hi = 0, w, maxbw = 0, maxmem = 0, slot;
	size_t longest = 0;
	char buf[64];

	if (c->ntargets == 0)
		return error("nothing to draw: no chip selected");
	for (int d = 0; d < NB_DTYPE_COUNT; d++) {
		int any = 0;

		for (int t = 0; t < c->ntargets; t++)
			if (valid(c->targets[t].peaks[d])) {
				any = 1;
				lo = fmin(lo, c->targets[t].peaks[d]);
				hi = fmax(hi, c->targets[t].peaks[d]);
			}
		if (any)
			dts[ndt++] = d;
	}
	w = 0.8 / c->ntargets;
	for (int t = 0; t < c->ntargets; t++) {
		const struct chart_target *ct = &c->targets[t];

		block_begin(sb, "peak", t + 1);
		for (int i = 0; i < ndt; i++)
			if (valid(ct->peaks[dts[i]])) {
				nb_format_si(buf, sizeof(buf), ct->peaks[dts[i]], "");
				sb_addf(sb, "%.6g %.9g ", i + (t - (c->ntargets - 1) / 2.0) * w,
					ct->peaks[dts[i]]);
				gp_datum(sb, buf);
				sb_adds(sb, "\n");
			}
		block_end(sb);
	}
	block_begin(sb, "mem", 1);
	for (int t = 0; t < c->ntargets; t++) {
		const struct chart_target *ct = &c->targets[t];

		maxbw = valid(ct->bw) ? fmax(maxbw, ct->bw) : maxbw;
		maxmem = valid(ct->mem_bytes) ? fmax(maxmem, ct->mem_bytes) : maxmem;
		sb_addf(sb, "%d %.9g %.9g %d ", t, valid(ct->bw) ? ct->bw / 1e12 : 0,
			valid(ct->mem_bytes) ? ct->mem_bytes / (1024.0 * 1024 * 1024) : 0, t + 1);
		snprintf(buf, sizeof(buf), "%.3g", ct->bw / 1e12);
		gp_datum(sb, buf);
		sb_adds(sb, " ");
		snprintf(buf, sizeof(buf), "%.0f", ct->mem_bytes / (1024.0 * 1024 * 1024));
		gp_datum(sb, buf);
		sb_adds(sb, "\n");
	}
	block_end(sb);

	if (dumb)
		g->h = 64;	/* three panels one above the other */
	sb_adds(sb, "set multiplot title ");
	quote_cut(sb, c->title ? c->title : "Chip specifications", HEADING_MAX);
	if (c->subtitle) {
		sb_adds(sb, " . \"\\n\" . ");
		quote_cut(sb, c->subtitle, (size_t)(0.96 * g->w / char_w(g, 3)));
	}
	sb_addf(sb, " %s\n", fnt(g, 3));
	/* Peaks: the top 55%, legend above. */
	sb_adds(sb, dumb ? "set origin 0,0.56\nset size 1,0.38\n" : "set origin 0,0.40\nset size 1,0.52\n");
	sb_adds(sb, "set key outside top center horizontal Left reverse samplen 1.5 width 2\n");
	sb_adds(sb, "set style fill solid 0.85 border rgb '#333333'\n");
	sb_addf(sb, "set boxwidth %.4f absolute\n", w * 0.92);
	sb_adds(sb, "set xtics (");
	for (int i = 0; i < ndt; i++)
		sb_addf(sb, "%s'%s' %d", i ? ", " : "", dtype_name((enum nb_dtype)dts[i]), i);
	sb_adds(sb, ")\nunset mxtics\nset grid noxtics nomxtics\n");
	sb_addf(sb, "set xrange [-0.6:%.1f]\n", ndt - 0.4);
	sb_adds(sb, "set title 'dense peak per dtype (FLOP/s; integers OP/s)'\nunset ylabel\nset logscale y\n");
	sb_adds(sb, "set format y '%.0s %c'\n");
	if (ndt > 0)
		sb_addf(sb, "set yrange [%.9g:%.9g]\n", pow(10, floor(log10(lo))),
			pow(10, ceil(log10(hi) + 0.45)));
	sb_adds(sb, "plot \\\n");
	for (int t = 0; t < c->ntargets; t++) {
		sb_addf(sb, "%s$peak%d using 1:2 with boxes lt %d title ", first ? "  " : ", \\\n  ", t + 1,
			t + 1);
		gp_quote(sb, c->targets[t].name);
		if (!dumb && ndt * c->ntargets <= 40)
			sb_addf(sb, ", \\\n  $peak%d using 1:2:3 with labels %s %s "
				"textcolor rgb '#333333' notitle", t + 1,
				c->ntargets > 2 ? "rotate by 90 left offset 0,0.4" : "offset 0,0.6", fnt(g, -5));
		first = 0;
	}
	if (ndt == 0)
		sb_adds(sb, ", \\\n  NaN notitle");
	sb_adds(sb, "\n");

	/* Bandwidth and capacity, side by side below (on text, one above the
	 * other, for the width of the names). */
	sb_adds(sb, "unset key\nunset logscale y\nset format y '%g'\n");
	sb_addf(sb, "set boxwidth 0.7 absolute\nset xrange [-0.6:%.1f]\n", c->ntargets - 0.4);
	/* Names broken after their dashes into two lines at most; where they
	 * need more, turned upright (on text, as many lines as it takes). */
	slot = (dumb ? g->w - 8 : g->w / 2 - 6 * char_w(g, 0)) / c->ntargets;
	for (int t = 0; t < c->ntargets; t++) {
		struct strbuf tmp = STRBUF_INIT;
		int l = chip_tic(&tmp, c->targets[t].name, (int)(0.95 * slot / char_w(g, TIC_FONT)) - dumb);

		lines = l > lines ? l : lines;
		longest = strlen(c->targets[t].name) > longest ? strlen(c->targets[t].name) : longest;
		sb_release(&tmp);
	}
	upright = !dumb && lines > 2;
	sb_adds(sb, "set xtics (");
	for (int t = 0; t < c->ntargets; t++) {
		sb_adds(sb, t ? ", " : "");
		chip_tic(sb, c->targets[t].name, upright ? 1000 : (int)(0.95 * slot / char_w(g, TIC_FONT)) - dumb);
		sb_addf(sb, " %d", t);
	}
	if (upright)
		sb_addf(sb, ") rotate by 90 right %s\nset bmargin %.1f\n", fnt(g, TIC_FONT),
			(double)longest * char_w(g, TIC_FONT) / (0.75 * line_h(g, 0)) + 2);
	else
		sb_addf(sb, ") norotate center %s\nset bmargin %d\n", fnt(g, TIC_FONT), lines + 1);
	/* The values over the bars where they fit across them. */
	values = !dumb && 0.7 * slot > 6 * char_w(g, -3);
	sb_adds(sb, dumb ? "set origin 0,0.29\nset size 1,0.27\n" : "set origin 0,0\nset size 0.5,0.40\n");
	sb_adds(sb, "set title 'memory bandwidth (TB/s)'\n");
	sb_addf(sb, "set yrange [0:%.6g]\n", maxbw > 0 ? maxbw / 1e12 * 1.18 : 1);
	specs_mem_plot(g, 2, values ? 5 : 0);
	sb_adds(sb, dumb ? "set origin 0,0.01\nset size 1,0.27\n" : "set origin 0.5,0\nset size 0.5,0.40\n");
	sb_adds(sb, "set title 'memory capacity (GiB)'\n");
	sb_addf(sb, "set yrange [0:%.6g]\n", maxmem > 0 ? maxmem / (1024.0 * 1024 * 1024) * 1.18 : 1);
	specs_mem_plot(g, 3, values ? 6 : 0);
	sb_adds(sb, "unset multiplot\n");
	return 0;
}

char *chart_script(const struct chart *c, enum chart_term term, const char *output)
{
	static const char *const kinds[] = { "roofline", "bars", "scaling", "specs", "collectives",
					     "breakdown" };
	/* Sizes that read on a screen and on a slide: the canvas, its font and
	 * the canvas units per point (pngcairo: 96 pixels to the inch).  Layouts
	 * may make a canvas taller. */
	static const struct { int fs; double w, h, px; } canvas[] = {
		[CHART_DUMB] = { 1, 80, 32, 1 },
		[CHART_PNG] = { 17, 1600, 1000, 4.0 / 3 },
		[CHART_SVG] = { 14, 1280, 800, 1 },
		[CHART_PDF] = { 11, 720, 450, 1 },	/* 10 x 6.25 inches in points */
	};
	struct gp g = { STRBUF_INIT, term, c, canvas[term].fs, canvas[term].w, canvas[term].h,
			canvas[term].px, 0 };
	char *body;
	int ret = -1;

	if (term == CHART_DUMB && c->columns > 0)
		g.w = c->columns < CHART_MIN_COLUMNS ? CHART_MIN_COLUMNS : c->columns;
	switch (c->kind) {
	case CHART_ROOFLINE:
		ret = roofline(&g);
		break;
	case CHART_BARS:
		ret = bars(&g);
		break;
	case CHART_SCALING:
	case CHART_COLLECTIVES:
		ret = c->y2label ? scaling_workload(&g) : scaling(&g);
		break;
	case CHART_BREAKDOWN:
		ret = breakdown(&g);
		break;
	case CHART_SPECS:
		ret = specs(&g);
		break;
	}
	if (ret) {
		sb_release(&g.sb);
		return NULL;
	}
	/* The layout fixed the canvas: the terminal and style go first. */
	body = sb_detach(&g.sb);
	preamble(&g, kinds[c->kind], output);
	sb_adds(&g.sb, body);
	free(body);
	return sb_detach(&g.sb);
}

/* Text from gnuplot's dumb terminal made fit for a terminal, in place: no
 * form feed, no blanks at the ends of lines, no blank lines around.
 * Returns the new length. */
static size_t tidy_text(char *text, size_t len)
{
	size_t w = 0, line = 0, lastnb = 0;

	for (size_t r = 0; r < len; r++) {
		char ch = text[r];

		if (ch == '\f' || ch == '\r')
			continue;
		if (ch == '\n') {
			w = lastnb > line ? lastnb : line;
			if (w > 0)	/* blank lines at the start are dropped */
				text[w++] = '\n';
			line = lastnb = w;
			continue;
		}
		text[w++] = ch;
		if (ch != ' ')
			lastnb = w;
	}
	w = lastnb > line ? lastnb : line;
	while (w > 0 && text[w - 1] == '\n' && w > 1 && text[w - 2] == '\n')
		w--;
	text[w] = '\0';
	return w;
}

int chart_render_mem(const struct chart *c, enum chart_term term, char **out, size_t *len)
{
	char *script = chart_script(c, term, NULL);
	int ret;

	if (!script)
		return -1;
	ret = gnuplot_capture(script, out, len);
	free(script);
	if (ret == 0 && term == CHART_DUMB)
		*len = tidy_text(*out, *len);
	return ret;
}

int chart_render(const struct chart *c, enum chart_term term, const char *path)
{
	char *out = NULL;
	size_t len = 0;
	int ret = -1;

	if (chart_render_mem(c, term, &out, &len) == 0 && nb_write_output(path, out, len) == 0)
		ret = 0;
	free(out);
	return ret;
}
