/* Drives the network module and the Prometheus formatter from the
 * command-line tests, without a database:
 *   net-tool get URL [MAX_BYTES [TIMEOUT]]    the body on stdout
 *   net-tool post URL FILE [RETRIES [HEADER...]]
 *                                           "STATUS ATTEMPTS" on stdout
 *   net-tool prom                           a synthetic run in the exposition format
 *   net-tool push-url BASE JOB INSTANCE     the Pushgateway URL
 * Exit status 0 on success, 1 on failure (after the module's message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "report/prometheus.h"
#include "util/util.h"

/* Results with label values a formatter must escape. */
static int prom(void)
{
	struct nb_run run = { .uuid = "0123abcd-test", .hostname = "test-host" };
	struct nb_result rs[4] = { 0 };
	char *text;

	rs[0] = (struct nb_result){ .kernel = "stream", .case_text = "stream op=copy n=4096",
		.dtype = "f32", .target = "host", .kind = NB_MEASURED, .status = NB_RES_OK,
		.seconds = 1.5e-6, .throughput = 43690666666.6667, .unit = "B/s" };
	rs[0].stats.n = 5;
	rs[0].stats.min = 1.25e-6;
	rs[1] = (struct nb_result){ .kernel = "gemm",
		.case_text = "gemm dtype=bf16 m=64 n=64 k=64 note=\"quo\\te\"\nline2",
		.dtype = "bf16", .target = "h100", .kind = NB_PREDICTED, .status = NB_RES_OK,
		.seconds = 2e-6, .throughput = 2.62144e11, .unit = "FLOP/s", .util = 0.25 };
	rs[2] = (struct nb_result){ .kernel = "gemm", .case_text = "gemm dtype=int4 m=64 n=64 k=64",
		.dtype = "int4", .target = "tpu-v5e", .kind = NB_PREDICTED,
		.status = NB_RES_UNSUPPORTED };
	rs[3] = rs[0];	/* a repeated series: left out with a warning */
	text = prom_format_run(&run, rs, 4);
	fputs(text, stdout);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	struct net_limits lim = NET_LIMITS_INIT;
	struct net_response resp = { 0 };
	int ret = 1;

	if (argc >= 2 && !strcmp(argv[1], "prom"))
		return prom();
	if (argc == 5 && !strcmp(argv[1], "push-url")) {
		char *u = prom_push_url(argv[2], argv[3], argv[4]);

		puts(u);
		free(u);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "get")) {
		if (argc > 3)
			lim.max_bytes = strtoul(argv[3], NULL, 10);
		if (argc > 4)
			lim.timeout = atof(argv[4]);
		if (net_get(argv[2], &lim, &resp) == 0) {
			fwrite(resp.body, 1, resp.len, stdout);
			ret = 0;
		}
	} else if (argc >= 4 && !strcmp(argv[1], "post")) {
		char *body = NULL;
		size_t len = 0;

		lim.retry_delay = 0.2;
		if (argc > 4)
			lim.retries = atoi(argv[4]);
		if (nb_read_file(argv[3], 1 << 24, &body, &len))
			return 1;
		if (net_post(argv[2], argc > 5 ? (const char *const *)argv + 5 : NULL, body, len,
			     &lim, &resp) == 0)
			ret = 0;
		printf("%ld %d\n", resp.status, resp.attempts);
		free(body);
	} else {
		fprintf(stderr, "usage: net-tool get URL [MAX [TIMEOUT]] | post URL FILE [RETRIES [HEADER...]] "
			"| prom | push-url BASE JOB INSTANCE\n");
		return 2;
	}
	net_response_release(&resp);
	return ret;
}
