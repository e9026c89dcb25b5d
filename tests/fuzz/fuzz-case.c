/* libFuzzer harness: the case parser.  Whatever parses must format to text
 * that parses back to the same case. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), *again;
	struct nb_case c, d;
	char msg[256];

	nb_quiet_errors = 1;
	if (case_parse(text, &c, msg, sizeof(msg)) == 0) {
		again = case_format(&c);
		if (case_parse(again, &d, msg, sizeof(msg)) != 0 || !case_equal(&c, &d)) {
			fprintf(stderr, "round trip failed: '%s' -> '%s' (%s)\n", text, again, msg);
			abort();
		}
		free(again);
	}
	free(text);
	return 0;
}
