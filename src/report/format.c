/* The table of output formats, the --format parser, and listings written
 * in any of them: commands hand over columns and rows, never print csv or
 * json by hand. */
#include "report/format.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/table.h"
#include "util/util.h"

const struct nb_format_desc nb_formats[NB_FMT_COUNT] = {
	{ NB_FMT_TABLE, "table", "text" },
	{ NB_FMT_CSV, "csv", NULL },
	{ NB_FMT_JSON, "json", NULL },
	{ NB_FMT_MARKDOWN, "markdown", "md" },
	{ NB_FMT_PROMETHEUS, "prometheus", NULL },
};

const char *format_name(enum nb_format f)
{
	return (unsigned)f < NB_FMT_COUNT ? nb_formats[f].name : "?";
}

int format_parse(const char *arg, unsigned allowed, enum nb_format *out, char *msg, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	struct nb_near nr;
	int count = 0, seen = 0;

	nb_near_init(&nr, arg);
	for (int i = 0; i < NB_FMT_COUNT; i++) {
		const struct nb_format_desc *d = &nb_formats[i];

		if (!(allowed & NB_FMT(d->id)))
			continue;
		count++;
		nb_near_offer(&nr, d->name, strlen(d->name));
		if (!strcmp(arg, d->name) || (d->alias && !strcmp(arg, d->alias))) {
			*out = d->id;
			return 0;
		}
	}
	for (int i = 0; i < NB_FMT_COUNT; i++) {
		if (!(allowed & NB_FMT(nb_formats[i].id)))
			continue;
		seen++;
		sb_addf(&sb, "%s%s", seen == 1 ? "" : seen == count ? " or " : ", ", nb_formats[i].name);
	}
	snprintf(msg, n, "--format '%s': unknown format%s (use %s)", arg, nb_near_hint(&nr), sb_str(&sb));
	sb_release(&sb);
	return -1;
}

struct nb_records {
	FILE *f;
	enum nb_format fmt;
	const struct nb_col *cols;
	int n;
	const char *sep;
	cJSON *array;
};

/* A cell's text: the command's, or the number written plainly. */
static const char *cell_text(const struct nb_col *col, const struct nb_cell *c, char *buf, size_t n)
{
	if (c->null)
		return "";
	if (c->text)
		return c->text;
	if (col->type == NB_COL_BOOL)
		return c->num ? "true" : "false";
	if (col->type == NB_COL_INT)
		snprintf(buf, n, "%lld", (long long)c->num);
	else
		nb_format_exact(buf, n, c->num);
	return buf;
}

static void table_cell(struct nb_records *w, int i, const char *text)
{
	const struct nb_col *col = &w->cols[i];
	int len = (int)strlen(text);

	if (col->trunc && len > col->trunc)
		len = col->trunc;
	if (col->width > 0)
		fprintf(w->f, "%*.*s", col->width, len, text);
	else if (col->width < 0)
		fprintf(w->f, "%-*.*s", -col->width, len, text);
	else
		fprintf(w->f, "%.*s", len, text);
}

/* Whether column I is shown in this format. */
static int shown(const struct nb_records *w, int i)
{
	return w->fmt != NB_FMT_TABLE || !(w->cols[i].flags & NB_COL_NO_TABLE);
}

static int last_shown(const struct nb_records *w)
{
	int last = -1;

	for (int i = 0; i < w->n; i++)
		if (shown(w, i))
			last = i;
	return last;
}

struct nb_records *records_begin(FILE *f, enum nb_format fmt, const struct nb_col *cols, int n,
				 const char *sep, unsigned flags)
{
	struct nb_records *w = xcalloc(1, sizeof(*w));
	int last;

	*w = (struct nb_records){ f, fmt, cols, n, sep ? sep : "  ", NULL };
	last = last_shown(w);
	switch (fmt) {
	case NB_FMT_JSON:
		w->array = cJSON_CreateArray();
		break;
	case NB_FMT_CSV:
		for (int i = 0; i < n; i++) {
			fputs(i ? "," : "", f);
			csv_field(f, cols[i].name);
		}
		fputc('\n', f);
		break;
	case NB_FMT_MARKDOWN:
		for (int i = 0; i < n; i++) {
			fputs("| ", f);
			md_text(f, cols[i].title ? cols[i].title : cols[i].name);
			fputc(' ', f);
		}
		fputs("|\n", f);
		for (int i = 0; i < n; i++)
			fputs(cols[i].type == NB_COL_STR ? "|---" : "|---:", f);
		fputs("|\n", f);
		break;
	default:
		if (flags & NB_REC_NO_HEADER)
			break;
		for (int i = 0; i < n; i++) {
			if (!shown(w, i))
				continue;
			table_cell(w, i, cols[i].title ? cols[i].title : cols[i].name);
			fputs(i == last ? "\n" : w->sep, f);
		}
		break;
	}
	return w;
}

static void json_row(struct nb_records *w, const struct nb_cell *cells)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < w->n; i++) {
		const struct nb_col *col = &w->cols[i];
		const struct nb_cell *c = &cells[i];

		if (c->null)
			cJSON_AddNullToObject(o, col->name);
		else if (col->type == NB_COL_STR)
			cJSON_AddStringToObject(o, col->name, c->text ? c->text : "");
		else if (col->type == NB_COL_BOOL)
			cJSON_AddBoolToObject(o, col->name, c->num != 0);
		else
			cJSON_AddNumberToObject(o, col->name, c->num);
	}
	cJSON_AddItemToArray(w->array, o);
}

void records_row(struct nb_records *w, const struct nb_cell *cells)
{
	char buf[64];
	int last = last_shown(w);

	switch (w->fmt) {
	case NB_FMT_JSON:
		json_row(w, cells);
		break;
	case NB_FMT_CSV:
		for (int i = 0; i < w->n; i++) {
			const char *t = cell_text(&w->cols[i], &cells[i], buf, sizeof(buf));

			fputs(i ? "," : "", w->f);
			if (w->cols[i].flags & NB_COL_QUOTED) {
				fputc('"', w->f);
				for (; *t; t++) {
					if (*t == '"')
						fputc('"', w->f);
					fputc(*t, w->f);
				}
				fputc('"', w->f);
			} else {
				csv_field(w->f, t);
			}
		}
		fputc('\n', w->f);
		break;
	case NB_FMT_MARKDOWN:
		for (int i = 0; i < w->n; i++) {
			fputs("| ", w->f);
			md_text(w->f, cell_text(&w->cols[i], &cells[i], buf, sizeof(buf)));
			fputc(' ', w->f);
		}
		fputs("|\n", w->f);
		break;
	default:
		for (int i = 0; i < w->n; i++) {
			if (!shown(w, i))
				continue;
			table_cell(w, i, cell_text(&w->cols[i], &cells[i], buf, sizeof(buf)));
			fputs(i == last ? "\n" : w->sep, w->f);
		}
		break;
	}
}

void records_end(struct nb_records *w)
{
	if (!w)
		return;
	if (w->fmt == NB_FMT_JSON) {
		char *text = report_json_text(w->array);

		fprintf(w->f, "%s\n", text);
		free(text);
	}
	free(w);
}

int json_key_sums(const char *text, const char *const *keys, int n, double *out)
{
	cJSON *root = text ? cJSON_Parse(text) : NULL;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i]), *e;

		out[i] = 0;
		if (cJSON_IsNumber(v))
			out[i] = v->valuedouble;
		cJSON_ArrayForEach(e, v)
			if (cJSON_IsNumber(e))
				out[i] += e->valuedouble;
	}
	cJSON_Delete(root);
	return 0;
}
