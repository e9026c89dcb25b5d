/* libFuzzer harness: gnuplot text quoting.  Decoding the literal the way
 * gnuplot does (octal escapes read greedily) must give back exactly the
 * cleaned text, and nothing gnuplot acts on may appear raw. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/gnuplot.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gnuplot's reading of a double-quoted literal Q (with its quotes). */
static char *decode(const char *q, int tic)
{
	struct strbuf sb = STRBUF_INIT;

	if (*q++ != '"')
		abort();
	while (*q != '"') {
		if (!*q || strchr("`@$%\n\r", *q))
			abort();
		if (*q == '\\') {
			char *end;
			long v = strtol(q + 1, &end, 8);	/* every octal digit, as gnuplot */

			if (end == q + 1 || v <= 0 || v > 255)
				abort();
			sb_add(&sb, (char[]){ (char)v }, 1);
			q = end;
		} else {
			sb_add(&sb, q++, 1);
		}
	}
	if (q[1])
		abort();
	if (tic) {	/* gprintf turns "%%" into "%" */
		struct strbuf out = STRBUF_INIT;

		for (const char *p = sb_str(&sb); *p; p++) {
			if (*p == '%' && p[1] != '%')
				abort();
			sb_add(&out, p, 1);
			p += *p == '%';
		}
		sb_release(&sb);
		return sb_detach(&out);
	}
	return sb_detach(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), *clean = gp_clean(text, 0);

	for (int tic = 0; tic < 2; tic++) {
		struct strbuf sb = STRBUF_INIT;
		char *back;

		(tic ? gp_quote_tic : gp_quote)(&sb, text);
		back = decode(sb_str(&sb), tic);
		if (strcmp(back, clean)) {
			fprintf(stderr, "'%s' reads back as '%s'\n", clean, back);
			abort();
		}
		free(back);
		sb_release(&sb);
	}
	free(clean);
	free(text);
	return 0;
}
