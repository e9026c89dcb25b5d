/* nbfixture: builds a database of fixed results for the command-line tests,
 * through the store API, so that charts and reports are tested on known
 * numbers and never on timings.
 *
 *   nbfixture DB FIXTURE.tsv [TAG]
 *
 * One run (tagged TAG), one result per line of FIXTURE: tab-separated kind
 * (measured|predicted), target, status, seconds, ops, bytes, unit, bound
 * ("-" for none) and the case text.  '#' lines are comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/util.h"

static char *field(char **p)
{
	char *s = *p, *tab = strchr(s, '\t');

	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

int main(int argc, char **argv)
{
	struct nb_store *st = NULL;
	struct nb_run run;
	char *text = NULL, *save = NULL;
	size_t len;
	int seq = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: nbfixture DB FIXTURE.tsv [TAG]\n");
		return 2;
	}
	if (nb_read_file(argv[2], 1 << 20, &text, &len) || store_open(argv[1], 0, &st))
		return 1;
	memset(&run, 0, sizeof(run));
	run.tag = argc > 3 ? xstrdup(argv[3]) : NULL;
	run.hostname = xstrdup("fixture-host");
	run.cmdline = xstrdup("nbfixture");
	if (store_run_begin(st, &run))
		return 1;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct nb_result r;
		char *p = line, *kind, *status, *unit, *bound, *dt;

		if (*line == '#' || !*line)
			continue;
		memset(&r, 0, sizeof(r));
		kind = field(&p);
		r.kind = !strcmp(kind, "measured") ? NB_MEASURED : NB_PREDICTED;
		r.target = xstrdup(field(&p));
		status = field(&p);
		r.status = result_status_parse(status) < 0 ? NB_RES_OK :
			(enum nb_result_status)result_status_parse(status);
		r.seconds = atof(field(&p));
		r.ops = atof(field(&p));
		r.bytes = atof(field(&p));
		unit = field(&p);
		r.unit = xstrdup(unit);
		bound = field(&p);
		r.bound = strcmp(bound, "-") ? xstrdup(bound) : NULL;
		r.case_text = xstrdup(p);
		r.kernel = xstrndup(p, strcspn(p, " "));
		if ((dt = strstr(p, "dtype=")))
			r.dtype = xstrndup(dt + 6, strcspn(dt + 6, " "));
		r.throughput = r.seconds > 0 ? (!strcmp(unit, "B/s") ? r.bytes : r.ops) / r.seconds : 0;
		r.seq = seq++;
		r.threads = r.kind == NB_MEASURED ? 8 : 0;
		if (store_result_add(st, run.id, &r))
			return 1;
		result_release(&r);
	}
	if (store_run_finish(st, run.id, "complete"))
		return 1;
	printf("%lld\n", (long long)run.id);
	run_release(&run);
	store_close(st);
	free(text);
	return 0;
}
