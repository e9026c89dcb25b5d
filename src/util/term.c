/* Neutralising control characters in text for a terminal: see term.h. */
#define _GNU_SOURCE
#include "util/term.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The visible form of the byte C (a control) or "" when C may pass. */
static int visible(unsigned char c, char buf[8])
{
	if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
		snprintf(buf, 8, "\\x%02x", c);
		return 1;
	}
	return 0;
}

size_t term_clean(char *out, size_t n, const char *text, size_t len)
{
	size_t w = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		char v[8];
		size_t k;

		if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] <= 0x9f) {
			snprintf(v, sizeof(v), "\\u%04x", (unsigned char)text[++i]);
		} else if (!visible(c, v)) {
			v[0] = (char)c;
			v[1] = '\0';
		}
		k = strlen(v);
		if (w + k >= n)
			break;
		memcpy(out + w, v, k);
		w += k;
	}
	out[w] = '\0';
	return w;
}

static FILE *real_stdout;
static int exact;
static int held_c2;	/* a 0xC2 that may start a C1 control in the next write */

static int put(const char *p, size_t n)
{
	return fwrite(p, 1, n, real_stdout) == n ? 0 : -1;
}

static ssize_t filter_write(void *cookie, const char *buf, size_t len)
{
	char tmp[64];

	(void)cookie;
	if (exact) {
		if (held_c2 && put("\xc2", 1))
			return -1;
		held_c2 = 0;
		return put(buf, len) || fflush(real_stdout) ? -1 : (ssize_t)len;
	}
	for (size_t i = 0; i < len;) {
		size_t run = i;

		if (held_c2) {
			held_c2 = 0;
			if ((unsigned char)buf[i] >= 0x80 && (unsigned char)buf[i] <= 0x9f) {
				snprintf(tmp, sizeof(tmp), "\\u%04x", (unsigned char)buf[i++]);
				if (put(tmp, strlen(tmp)))
					return -1;
				continue;
			}
			if (put("\xc2", 1))
				return -1;
		}
		/* The longest stretch that needs no change goes out as is. */
		while (run < len && !((unsigned char)buf[run] < 0x20 && buf[run] != '\t' &&
				       buf[run] != '\n') &&
		       (unsigned char)buf[run] != 0x7f && (unsigned char)buf[run] != 0xc2)
			run++;
		if (run > i && put(buf + i, run - i))
			return -1;
		i = run;
		if (i == len)
			break;
		if ((unsigned char)buf[i] == 0xc2 && i + 1 == len) {
			held_c2 = 1;
			i++;
			continue;
		}
		{
			size_t take = (unsigned char)buf[i] == 0xc2 ? 2 : 1;

			if (term_clean(tmp, sizeof(tmp), buf + i, take) && put(tmp, strlen(tmp)))
				return -1;
			i += take;
		}
	}
	return fflush(real_stdout) ? -1 : (ssize_t)len;
}

static int filter_close(void *cookie)
{
	(void)cookie;
	if (held_c2)
		put("\xc2", 1);
	held_c2 = 0;
	return fflush(real_stdout);
}

void term_filter_stdout(void)
{
	cookie_io_functions_t io = { NULL, filter_write, NULL, filter_close };
	FILE *f;

	if (real_stdout)
		return;
	f = fopencookie(NULL, "w", io);
	if (!f)
		return;	/* unfiltered output is still output */
	real_stdout = stdout;
	/* A terminal sees each line as it is written, as before. */
	setvbuf(f, NULL, isatty(fileno(real_stdout)) ? _IOLBF : _IOFBF, BUFSIZ);
	stdout = f;
}

void term_exact_stdout(void)
{
	if (real_stdout)
		fflush(stdout);
	exact = 1;
}
