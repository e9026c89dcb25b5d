#include "util/util.h"
#include "util/term.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int nb_quiet_errors;
int nb_error_rank = -1;
int nb_errors_held;

/* MINE: the message is this rank's own (under mpirun it names the rank);
 * otherwise every rank meets it alike and rank 0 alone prints it. */
static void vreport(const char *prefix, int mine, const char *fmt, va_list ap)
{
	char msg[4096];
	char clean[4096];
	char rank[32] = "";

	if (nb_quiet_errors > 0)
		return;
	if (!mine && nb_error_rank > 0) {
		nb_errors_held++;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Messages quote data (names, case text): shown, never obeyed. */
	term_clean(clean, sizeof(clean), msg, strlen(msg));
	if (mine && nb_error_rank >= 0)
		snprintf(rank, sizeof(rank), "rank %d: ", nb_error_rank);
	fflush(stdout);
	fprintf(stderr, "npubench: %s%s%s\n", rank, prefix, clean);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", 0, fmt, ap);
	va_end(ap);
	return -1;
}

int error_rank(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", 1, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", 0, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	nb_quiet_errors = 0;
	va_start(ap, fmt);
	vreport("", 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory allocating %zu bytes", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		die("out of memory allocating %zu bytes", size);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

void *nb_aligned_alloc(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, size ? size : 64))
		return NULL;
	return p;
}

void nb_aligned_free(void *p)
{
	free(p);
}

int nb_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s)
		return -1;
	/* Accept binary-size suffixes: 4k = 4096, 2M, 1G. */
	if (*end) {
		int shift;

		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		if (end[1])
			return -1;
		if (v > (LLONG_MAX >> shift) || v < (LLONG_MIN >> shift))
			return -1;
		v *= 1LL << shift;
	}
	*out = v;
	return 0;
}

int nb_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->alloc)
		return;
	if (sb->alloc * 2 > need)
		need = sb->alloc * 2;
	if (need < 64)
		need = 64;
	sb->buf = xrealloc(sb->buf, need);
	sb->alloc = need;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

int nb_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	int row[3][64];	/* rows i-2, i-1 and i, in turn */

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int *cur = row[i % 3], *prev = row[(i - 1) % 3], *prev2 = row[(i + 1) % 3];

		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + ((a[i - 1] | 32) != (b[j - 1] | 32));
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			/* Two letters swapped ("hots" for "host") are one slip. */
			if (i > 1 && j > 1 && (a[i - 1] | 32) == (b[j - 2] | 32) &&
			    (a[i - 2] | 32) == (b[j - 1] | 32) && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
	}
	return row[la % 3][lb];
}

#define NEAR_EDITS(wl) ((wl) < 6 ? 1 : (int)(wl) / 3)

void nb_near_init(struct nb_near *nr, const char *word)
{
	memset(nr, 0, sizeof(*nr));
	nr->word = word;
	nr->dist = 99;
}

void nb_near_offer(struct nb_near *nr, const char *name, size_t len)
{
	size_t wl = strlen(nr->word), common = wl < len ? wl : len;
	int d = nb_edit_distance(nr->word, wl, name, len);
	int prefix = common > 0 && !strncasecmp(nr->word, name, common);

	/* One edit per three letters of WORD, at least one, and never a
	 * rewrite of the whole word: beyond that the guess is a different
	 * word ("mkl" is not a slip for "ck", "x" not for "m"), and the
	 * caller's list of names serves better. */
	if ((len == wl && !strncmp(nr->word, name, len)) || d > NEAR_EDITS(wl) || (d > 0 && (size_t)d >= wl) ||
	    len >= sizeof(nr->best))
		return;
	if (d < nr->dist || (d == nr->dist && prefix && !nr->prefix)) {
		memcpy(nr->best, name, len);
		nr->best[len] = '\0';
		nr->dist = d;
		nr->prefix = prefix;
	}
}

void nb_near_offer_choices(struct nb_near *nr, const char *choices)
{
	for (const char *p = choices; *p;) {
		size_t len = strcspn(p, "|");

		nb_near_offer(nr, p, len);
		p += len;
		if (*p == '|')
			p++;
	}
}

const char *nb_near_choices(struct nb_near *nr, const char *word, const char *choices)
{
	nb_near_init(nr, word);
	nb_near_offer_choices(nr, choices);
	return nb_near_hint(nr);
}

const char *nb_near_hint(struct nb_near *nr)
{
	if (!nr->best[0])
		return "";
	snprintf(nr->hint, sizeof(nr->hint), ": did you mean '%s'?", nr->best);
	return nr->hint;
}

int nb_glob_match(const char *pattern, const char *name)
{
	return fnmatch(pattern, name, 0) == 0;
}

int nb_read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = NULL;
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;
	int ret = -1;

	f = fopen(path, "rb");
	if (!f)
		return error("cannot open '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb.len + n > max) {
			error("'%s' is larger than %zu bytes", path, max);
			goto out;
		}
		sb_add(&sb, chunk, n);
	}
	if (ferror(f)) {
		error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (len)
		*len = sb.len;
	*out = sb_detach(&sb);
	ret = 0;
out:
	sb_release(&sb);
	fclose(f);
	return ret;
}

int nb_mkdirs(const char *dir)
{
	char *p, *copy = xstrdup(dir);
	int ret = 0;

	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
				ret = error("cannot create folder '%s': %s", copy, strerror(errno));
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

void nb_format_si(char *out, size_t n, double value, const char *unit)
{
	static const char *prefix[] = { "", "k", "M", "G", "T", "P", "E" };
	size_t i = 0;
	double v = fabs(value);

	while (v >= 1000.0 && i + 1 < NB_ARRAY_SIZE(prefix)) {
		v /= 1000.0;
		i++;
	}
	snprintf(out, n, "%.*f %s%s", v >= 100 ? 1 : v >= 10 ? 2 : 3,
		 value < 0 ? -v : v, prefix[i], unit);
}

void nb_iso8601_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void nb_format_exact(char *out, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

void nb_format_time(char *out, size_t n, double s)
{
	if (!isfinite(s) || s >= 1e6)	/* no minutes past 11 days: the casts would overflow */
		snprintf(out, n, "%.3g s", s);
	else if (s >= 120)
		snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else if (s >= 1)
		snprintf(out, n, "%.3g s", s);
	else if (s >= 1e-3)
		snprintf(out, n, "%.3g ms", s * 1e3);
	else if (s >= 1e-6)
		snprintf(out, n, "%.3g us", s * 1e6);
	else
		snprintf(out, n, "%.3g ns", s * 1e9);
}
