/* libFuzzer harness: the chip profile loader (through a file, as the
 * loader reads one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "model/profile.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	struct nb_profile *p = NULL;
	FILE *f;

	nb_quiet_errors = 1;
	if (!path) {
		const char *tmp = getenv("TMPDIR");

		path = xasprintf("%s/npubench-fuzz-%ld.json", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (profile_load_file(path, 0, &p) == 0)
		profile_free(p);
	unlink(path);
	return 0;
}
