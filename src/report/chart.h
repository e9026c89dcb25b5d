/* Charts as plain data, and the gnuplot scripts that draw them.  Nothing
 * here reads the store or a profile: `npubench plot` gathers the numbers,
 * this module lays them out (title, axes with units, log scales where the
 * data spans decades, an Okabe-Ito palette, the legend outside the data)
 * and writes a self-contained script with its data inline. */
#ifndef NB_CHART_H
#define NB_CHART_H

#include "util/dtype.h"

enum chart_kind { CHART_ROOFLINE, CHART_BARS, CHART_SCALING, CHART_SPECS, CHART_COLLECTIVES,
		  CHART_BREAKDOWN };
enum chart_term { CHART_DUMB, CHART_PNG, CHART_SVG, CHART_PDF };

#define CHART_MIN_COLUMNS 40	/* narrower text charts cannot hold their axes */

/* One series: a chip (predicted) or the host (measured). */
struct chart_target {
	char *name;		/* legend text, any bytes (cleaned when written) */
	int measured;		/* the host: drawn black with squares */
	double peak;		/* roofline, scaling: compute roof in ops/s; 0 = none */
	double bw;		/* roofline: memory roof in B/s; 0 = none */
	char via[16];		/* the dtype the peak is of, when the chart's is emulated */
	/* specs */
	double peaks[NB_DTYPE_COUNT];	/* dense peak per dtype, ops/s; 0 = lacks it */
	double mem_bytes;		/* device memory */
};

/* A value of a target: roofline (x intensity, y ops/s), bars (y
 * throughput or ratio of the group; x unused), scaling and collectives (x
 * size, y throughput), breakdown (a target is a stacked bar, a group one of
 * its parts, y seconds). */
struct chart_point {
	int target;
	int group;
	double x, y;
	int compute_bound;	/* scaling: the model says compute-bound here */
};

/* Bars: a case; roofline: a case at its intensity. */
struct chart_group {
	char *label;
	char *unit;		/* bars: the throughput unit ("FLOP/s", "B/s", "OP/s") */
	double x;		/* roofline: operational intensity */
};

struct chart {
	enum chart_kind kind;
	char *title;		/* NULL: a default per kind */
	char *subtitle;		/* a second title line (run, dtype), or NULL */
	char *xlabel;		/* scaling: what the size is ("m = n = k") */
	char *ylabel;		/* scaling, collectives: what the y value is (NULL: throughput) */
	char *y2label;		/* scaling of a workload: group 0 on y, group 1 on y2 with this label */
	char *unit;		/* scaling, roofline: the throughput unit */
	char *normalize;	/* bars: the baseline's name; y are ratios */
	char *note;		/* a line under the chart: what is missing and why, or NULL */
	int columns;		/* text: the width in characters (0: 80; at least
				 * CHART_MIN_COLUMNS) */
	struct chart_target *targets;
	int ntargets;
	struct chart_group *groups;
	int ngroups;
	struct chart_point *points;
	int npoints;
};

void chart_init(struct chart *c, enum chart_kind kind);
void chart_release(struct chart *c);
/* Appends a target / group / point; returns its index. */
int chart_add_target(struct chart *c, const char *name, int measured);
int chart_add_group(struct chart *c, const char *label, const char *unit, double x);
void chart_add_point(struct chart *c, int target, int group, double x, double y);
/* Removes the groups no point refers to, renumbering the rest. */
void chart_drop_empty_groups(struct chart *c);

/* The terminal for an output file name by its extension (.png, .svg,
 * .pdf); -1 when unknown. */
int chart_term_for_path(const char *path);
/* "dumb", "png", "svg", "pdf" and back (-1 when unknown). */
const char *chart_term_name(enum chart_term t);
int chart_term_parse(const char *name);

/* The whole gnuplot script (malloc'd).  OUTPUT, when not NULL, is written
 * as `set output` (for a script kept with --script); without it gnuplot
 * draws to its standard output.  Returns NULL after reporting when the
 * chart has nothing to draw. */
char *chart_script(const struct chart *c, enum chart_term term, const char *output);

/* Draws the chart with gnuplot into *OUT (malloc'd, *LEN bytes,
 * NUL-terminated): a PNG, an SVG document, a PDF, or text (no form feed,
 * no trailing blanks, at most the chart's columns wide).  -1 after
 * reporting. */
int chart_render_mem(const struct chart *c, enum chart_term term, char **out, size_t *len);
/* chart_render_mem() written to PATH (replaced atomically), or to standard
 * output when PATH is NULL or "-". */
int chart_render(const struct chart *c, enum chart_term term, const char *path);

#endif
