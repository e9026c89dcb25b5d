/* libFuzzer harness: the CSV line reader validate --measurements uses.
 * Every field must lie inside the line and the count within the limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = xstrndup((const char *)data, size), *f[16];
	size_t len = strlen(line);
	int n = csv_split(line, f, 16);

	if (n < 0 || n > 16)
		abort();
	for (int i = 0; i < n; i++)
		if (f[i] < line || f[i] > line + len || f[i] + strlen(f[i]) > line + len)
			abort();
	free(line);
	return 0;
}
