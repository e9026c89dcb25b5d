/* libFuzzer harness: reading an export back (npubench import). */
#include <stdint.h>
#include <stdlib.h>

#include "report/report.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct nb_run_import *runs = NULL;
	int n = 0;

	nb_quiet_errors = 1;
	if (report_import_parse("fuzz.json", text, &runs, &n) == 0)
		report_import_free(runs, n);
	free(text);
	return 0;
}
