/* libFuzzer harness: the suite loader (JSON, expansion, caps). */
#include <stdint.h>
#include <stdlib.h>

#include "kernels/suite.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct nb_suite *s = NULL;

	nb_quiet_errors = 1;
	if (suite_parse(text, "fuzz.json", &s) == 0 && (!s || s->ncases < 1 || s->ncases > NB_SUITE_MAX_CASES))
		abort();
	suite_free(s);
	free(text);
	return 0;
}
