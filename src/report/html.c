/* HTML for the report page (report/html.h). */
#include "report/html.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The length of the valid UTF-8 sequence at S, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	if (s[0] >= 0xf5)
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong three-byte forms and surrogates are not text. */
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* Appends TEXT[0..len) escaped. */
static void text_n(struct strbuf *sb, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + len;

	while (s < end) {
		int n;

		switch (*s) {
		case '&': sb_adds(sb, "&amp;"); s++; continue;
		case '<': sb_adds(sb, "&lt;"); s++; continue;
		case '>': sb_adds(sb, "&gt;"); s++; continue;
		case '"': sb_adds(sb, "&quot;"); s++; continue;
		case '\'': sb_adds(sb, "&#39;"); s++; continue;
		default: break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			sb_adds(sb, *s == '\n' ? "\n" : " ");
			s++;
		} else if (*s < 0x80) {
			sb_add(sb, (const char *)s++, 1);
		} else if ((n = utf8_len(s)) > 0 && s + n <= end &&
			   !(s[0] == 0xc2 && s[1] < 0xa0)) {	/* C1 controls shown as nothing */
			sb_add(sb, (const char *)s, (size_t)n);
			s += n;
		} else {
			sb_adds(sb, "\xef\xbf\xbd");
			s++;
		}
	}
}

void html_text(struct strbuf *sb, const char *text)
{
	if (text)
		text_n(sb, text, strlen(text));
}

void html_elem(struct strbuf *sb, const char *tag, const char *text)
{
	sb_addf(sb, "<%s>", tag);
	html_text(sb, text);
	sb_addf(sb, "</%s>\n", tag);
}

/* Splits the table row LINE ("| a | b \| c |") into cells, unescaping
 * "\|"; returns the count (at most MAX), cells malloc'd. */
static int md_cells(const char *line, char **cell, int max)
{
	const char *p = line + strspn(line, " ");
	int n = 0;

	if (*p == '|')
		p++;
	while (*p && n < max) {
		struct strbuf sb = STRBUF_INIT;
		const char *s;
		size_t len;

		for (; *p && *p != '|'; p++) {
			if (*p == '\\' && p[1] == '|')
				p++;
			sb_add(&sb, p, 1);
		}
		s = sb_str(&sb);
		s += strspn(s, " ");
		len = strlen(s);
		while (len && s[len - 1] == ' ')
			len--;
		if (!*p && !len) {	/* after the closing pipe */
			sb_release(&sb);
			break;
		}
		cell[n++] = xasprintf("%.*s", (int)len, s);
		sb_release(&sb);
		if (*p == '|')
			p++;
	}
	return n;
}

/* Appends one pipe table (its lines LINES[0..n)) as an HTML table. */
static void md_table(struct strbuf *sb, char **lines, int n)
{
	char *cell[64];
	int right[64] = { 0 }, ncols = 0;

	if (n >= 2) {
		int k = md_cells(lines[1], cell, 64);

		for (int i = 0; i < k; i++) {
			right[i] = cell[i][0] && cell[i][strlen(cell[i]) - 1] == ':';
			free(cell[i]);
		}
	}
	sb_adds(sb, "<table>\n");
	for (int r = 0; r < n; r++) {
		int k;

		if (r == 1)
			continue;
		k = md_cells(lines[r], cell, 64);
		if (r == 0)
			ncols = k;
		sb_adds(sb, r == 0 ? "<thead><tr>" : "<tr>");
		for (int c = 0; c < k; c++) {
			const char *tag = r == 0 ? "th" : "td";

			sb_addf(sb, "<%s%s>", tag, c < ncols && right[c] ? " class=\"num\"" : "");
			html_text(sb, cell[c]);
			sb_addf(sb, "</%s>", tag);
			free(cell[c]);
		}
		sb_adds(sb, r == 0 ? "</tr></thead>\n<tbody>\n" : "</tr>\n");
	}
	sb_adds(sb, n > 0 ? "</tbody></table>\n" : "</table>\n");
}

/* Splits TEXT (modified) into its lines, empty ones kept; *N of them. */
static char **split_lines(char *text, int *n)
{
	char **lines = NULL;
	int k = 0;

	for (char *l = text; l; ) {
		char *nl = strchr(l, '\n');

		if (nl)
			*nl = '\0';
		if (nl || *l) {
			lines = xrealloc(lines, (size_t)(k + 1) * sizeof(char *));
			lines[k++] = l;
		}
		l = nl ? nl + 1 : NULL;
	}
	*n = k;
	return lines;
}

void html_markdown(struct strbuf *sb, const char *md, const char *skip)
{
	char *copy = xstrdup(md ? md : "");
	int n = 0, skipping = 0;
	char **lines = split_lines(copy, &n);
	/* What is open: nothing, a list, a paragraph. */
	enum { NONE, LIST, PARA } open = NONE;

	for (int i = 0; i < n; i++) {
		const char *l = lines[i];
		int level = (int)strspn(l, "#"), ind = (int)strspn(l, " ");
		int item = l[ind] == '-' && l[ind + 1] == ' ';
		int heading = level > 0 && l[level] == ' ';

		/* Close what this line does not continue. */
		if (open == LIST && !item)
			sb_adds(sb, "</ul>\n");
		if (open == PARA && (!*l || heading || item || l[0] == '|'))
			sb_adds(sb, "</p>\n");
		if ((open == LIST && !item) || (open == PARA && (!*l || heading || item || l[0] == '|')))
			open = NONE;
		if (heading) {
			skipping = skip && !strcmp(l + level + 1, skip);
			if (!skipping) {
				sb_addf(sb, "<h%d>", level + 1);
				html_text(sb, l + level + 1);
				sb_addf(sb, "</h%d>\n", level + 1);
			}
		} else if (skipping || !*l) {
			continue;
		} else if (item) {
			if (open != LIST)
				sb_adds(sb, "<ul>\n");
			open = LIST;
			html_elem(sb, "li", l + ind + 2);
		} else if (l[0] == '|') {
			int j = i;

			while (j < n && lines[j][0] == '|')
				j++;
			md_table(sb, lines + i, j - i);
			i = j - 1;
		} else {
			sb_adds(sb, open == PARA ? "\n" : "<p>");
			open = PARA;
			html_text(sb, l);
		}
	}
	if (open == LIST)
		sb_adds(sb, "</ul>\n");
	if (open == PARA)
		sb_adds(sb, "</p>\n");
	free(lines);
	free(copy);
}

/* Whether the SVG text holds something a browser would run. */
static int svg_active(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '<' && !strncasecmp(p + 1, "script", 6))
			return 1;
		if (*p == '<' && !strncasecmp(p + 1, "foreignobject", 13))
			return 1;
		/* An event attribute: " onload=", " onclick=", ... */
		if (isspace((unsigned char)*p) && !strncasecmp(p + 1, "on", 2)) {
			const char *q = p + 3;

			while (isalpha((unsigned char)*q))
				q++;
			if (q > p + 3 && *q == '=')
				return 1;
		}
		if (!strncasecmp(p, "javascript:", 11))
			return 1;
	}
	return 0;
}

int html_inline_svg(struct strbuf *sb, const char *svg, const char *prefix)
{
	const char *start = svg ? strstr(svg, "<svg") : NULL, *p = start;
	/* gnuplot quotes some attributes with ' and others with ". */
	static const char *const refs[] = { " id=\"", " id='", "href=\"#", "href='#", "url(#" };

	if (!p || svg_active(p))
		return -1;
	while (*p) {
		size_t i, skip = 0;

		for (i = 0; i < NB_ARRAY_SIZE(refs); i++)
			if (!strncmp(p, refs[i], strlen(refs[i])) && (p == start || p[-1] == ' ' ||
								  p[-1] == ':' || refs[i][0] != 'h'))
				break;
		if (i < NB_ARRAY_SIZE(refs)) {
			skip = strlen(refs[i]);
			sb_addf(sb, "%.*s%s-", (int)skip, p, prefix);
			p += skip;
			continue;
		}
		sb_add(sb, p++, 1);
	}
	return 0;
}
