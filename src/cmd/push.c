/* npubench push: send stored runs to an HTTP endpoint (export JSON) or to a
 * Prometheus Pushgateway, recording every attempt so that --pending sends
 * later what could not be sent.  Results are never removed. */
#include "npubench.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"
#include "report/prometheus.h"
#include "report/format.h"
#include "report/report.h"
#include "store/store.h"
#include "util/util.h"

struct push_opts {
	const char *url;
	const char *format;		/* "json" or "prometheus" */
	const char **headers;		/* user headers, then ours, NULL terminated */
	int nheaders;
	int samples;
	int dry_run;			/* print instead of sending */
	struct net_limits lim;
};

/* The body and the URL to send run ID to; 0, or -1 after reporting. */
static int build(struct nb_store *st, int64_t id, const struct push_opts *o, char **body,
		 char **url)
{
	if (!strcmp(o->format, "json")) {
		*body = report_run_json(st, id, o->samples);
		if (!*body)
			return -1;
		*url = xstrdup(o->url);
	} else {
		struct nb_run run = { 0 };
		struct nb_result *rs = NULL;
		int n = 0;

		if (store_run_get(st, id, &run) || store_results_get(st, id, &rs, &n)) {
			run_release(&run);
			return -1;
		}
		*body = prom_format_run(&run, rs, n);
		*url = prom_push_url(o->url, "npubench",
				     run.hostname && *run.hostname ? run.hostname : "unknown");
		results_free(rs, n);
		run_release(&run);
	}
	return 0;
}

static int has_header(const char **headers, int n, const char *name);

/* O's headers plus "Idempotency-Key: UUID" of run ID (malloc'd, the key
 * at [nheaders]; that slot is NULL when the user set the header or the run
 * has no UUID).  A push is delivered at least once: when an answer is lost
 * after the receiver stored the body, the retry carries the same key so
 * the receiver can recognise it. */
static const char **with_idempotency_key(struct nb_store *st, int64_t id,
					 const struct push_opts *o)
{
	const char **h = xcalloc((size_t)o->nheaders + 2, sizeof(*h));
	struct nb_run run = { 0 };

	memcpy(h, o->headers, (size_t)o->nheaders * sizeof(*h));
	if (!has_header(o->headers, o->nheaders, "Idempotency-Key") &&
	    store_run_get(st, id, &run) == 0 && run.uuid && *run.uuid)
		h[o->nheaders] = xasprintf("Idempotency-Key: %s", run.uuid);
	run_release(&run);
	return h;
}

/* Pushes run ID and records the attempt.  Returns 0 on success, else the
 * outcome that stopped it (NET_ERR_*), or -1 when nothing was sent. */
static int push_one(struct nb_store *st, int64_t id, const struct push_opts *o)
{
	struct net_response resp = { 0 };
	char *body = NULL, *url = NULL, *detail = NULL;
	const char **headers = NULL;
	int ret = -1;

	if (build(st, id, o, &body, &url)) {
		error("run %" PRId64 ": nothing pushed", id);
		goto out;
	}
	if (o->dry_run) {
		fprintf(stderr, "npubench: would push run %" PRId64 " to %s as %s\n", id, url, o->format);
		fputs(body, stdout);
		if (*body && body[strlen(body) - 1] != '\n')
			putchar('\n');
		ret = 0;
		goto out;
	}
	headers = with_idempotency_key(st, id, o);
	if (net_post(url, headers, body, strlen(body), &o->lim, &resp) == 0) {
		detail = resp.attempts > 1
			? xasprintf("HTTP %ld after %d attempts", resp.status, resp.attempts)
			: xasprintf("HTTP %ld", resp.status);
		fprintf(stderr, "npubench: pushed run %" PRId64 " to %s as %s (HTTP %ld)\n",
			id, url, o->format, resp.status);
		ret = 0;
	} else {
		detail = xstrdup(resp.error);
		ret = (int)resp.outcome;
	}
	if (store_push_record(st, id, o->url, o->format, ret == 0, detail)) {
		error("run %" PRId64 ": the push was not recorded", id);
		if (ret == 0)
			ret = -1;
	}
out:
	net_response_release(&resp);
	if (headers) {
		free((char *)headers[o->nheaders]);
		free(headers);
	}
	free(detail);
	free(body);
	free(url);
	return ret;
}

static int has_header(const char **headers, int n, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < n; i++)
		if (!strncasecmp(headers[i], name, len) && headers[i][len] == ':')
			return 1;
	return 0;
}

static int cmd_push(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ "pending", no_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "header", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'R' },
		{ "samples", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct push_opts o = { .format = "json", .lim = NET_LIMITS_INIT };
	enum nb_format fmt;
	const char *run_spec = NULL;
	int pending = 0, c, ret = NB_EXIT_FAIL, n = 0, failed = 0;
	int64_t *ids = NULL, one, v;
	struct nb_store *st;

	o.headers = xcalloc((size_t)argc + 2, sizeof(*o.headers));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:pf:H:t:R:sn", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run_spec = optarg;
			break;
		case 'p':
			pending = 1;
			break;
		case 'f':
			o.format = optarg;
			break;
		case 'H':
			if (!net_header_ok(optarg)) {
				ret = usage_error(&nb_cmd_push, "--header '%s': expected 'Name: value'", optarg);
				goto out;
			}
			o.headers[o.nheaders++] = optarg;
			break;
		case 't':
			if (nb_parse_double(optarg, &o.lim.timeout) || !(o.lim.timeout > 0) ||
			    o.lim.timeout > 86400) {
				ret = usage_error(&nb_cmd_push, "--timeout wants seconds in (0, 86400], not '%s'",
						  optarg);
				goto out;
			}
			if (o.lim.connect_timeout > o.lim.timeout)
				o.lim.connect_timeout = o.lim.timeout;
			break;
		case 'R':
			if (nb_parse_i64(optarg, &v) || v < 0 || v > 10) {
				ret = usage_error(&nb_cmd_push, "--retries wants 0 to 10, not '%s'", optarg);
				goto out;
			}
			o.lim.retries = (int)v;
			break;
		case 's':
			o.samples = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		default:
			ret = bad_option(&nb_cmd_push, argv, c);
			goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error(&nb_cmd_push, "push needs a URL");
		goto out;
	}
	if (optind + 1 < argc) {
		ret = usage_error(&nb_cmd_push, "unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	o.url = argv[optind];
	if (!net_url_ok(o.url)) {
		ret = usage_error(&nb_cmd_push, "'%s' is not an http:// or https:// URL", o.url);
		goto out;
	}
	if ((ret = format_option(&nb_cmd_push, o.format, NB_FMT(NB_FMT_JSON) | NB_FMT(NB_FMT_PROMETHEUS),
				 &fmt)))
		goto out;
	ret = NB_EXIT_FAIL;
	o.format = format_name(fmt);	/* the name the store records pushes under */
	if (pending && run_spec) {
		ret = usage_error(&nb_cmd_push, "--run and --pending exclude each other");
		goto out;
	}
	if (!has_header(o.headers, o.nheaders, "Content-Type"))
		o.headers[o.nheaders++] = !strcmp(o.format, "json")
			? "Content-Type: application/json"
			: "Content-Type: " PROM_CONTENT_TYPE;
	o.headers[o.nheaders] = NULL;

	st = ctx_store_existing(ctx);
	if (!st)
		goto out;
	if (pending) {
		if (store_runs_pending_push(st, o.url, o.format, &ids, &n))
			goto out;
		if (n == 0)
			fprintf(stderr, "npubench: nothing pending: every finished run was pushed "
				"to %s as %s\n", o.url, o.format);
	} else {
		if (store_run_resolve(st, run_spec ? run_spec : "last", &one))
			goto out;
		ids = xmalloc(sizeof(*ids));
		ids[0] = one;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		int r = push_one(st, ids[i], &o);

		if (r == 0)
			continue;
		failed++;
		/* The server is unreachable or failing: keep the rest for later. */
		if (r == NET_ERR_NETWORK || r == NET_ERR_HTTP_SERVER) {
			if (i + 1 < n)
				error("%d more run(s) not attempted; 'npubench push --pending %s' "
				      "sends them later", n - i - 1, o.url);
			failed += n - i - 1;
			break;
		}
	}
	ret = failed ? NB_EXIT_FAIL : NB_EXIT_OK;
out:
	free(ids);
	free(o.headers);
	return ret;
}

const struct nb_command nb_cmd_push = {
	.name = "push",
	.exec = cmd_push,
	.usage = "push URL [--run ID|--pending] [--format json|prometheus] [--header 'K: V']... "
		 "[--timeout SEC] [--retries N] [--samples] [--dry-run]",
	.summary = "Send results to an HTTP endpoint (JSON, Prometheus).",
	.help = "Options:\n"
		"  -r, --run ID             the run to push: last (default), an id or a UUID prefix\n"
		"  -p, --pending            every finished run not yet pushed to URL in this format\n"
		"  -f, --format json|prometheus\n"
		"                           json (default): POST the export JSON to URL;\n"
		"                           prometheus: push to the Pushgateway at URL, grouped\n"
		"                           under /metrics/job/npubench/instance/HOST unless URL\n"
		"                           names a grouping itself\n"
		"  -H, --header 'K: V'      an extra request header (repeatable)\n"
		"  -t, --timeout SEC        limit for each attempt (default 30)\n"
		"  -R, --retries N          extra attempts after a network error or 5xx, with\n"
		"                           exponential backoff from 1 s (default 3); a 4xx is\n"
		"                           not retried\n"
		"  -s, --samples            json: include every timing sample\n"
		"  -n, --dry-run            print what would be sent to stdout; send and record\n"
		"                           nothing\n"
		"\nEvery attempt is recorded in the database; results are never removed.\n",
};
