/* HTTP client: the only module that includes curl/curl.h.  http and https
 * only (redirects too), TLS verification always on, bounded redirects,
 * bounded response size, connect and total timeouts, bounded retries. */
#ifndef NB_NET_HTTP_H
#define NB_NET_HTTP_H

#include <stddef.h>

/* What a request may cost. */
struct net_limits {
	double connect_timeout;	/* seconds to connect (0: 10) */
	double timeout;		/* seconds for the whole transfer (0: 30) */
	size_t max_bytes;	/* GET: largest body accepted; POST: body kept (0: 1 MiB) */
	int max_redirects;	/* redirects followed (GET only; < 0: none) */
	int retries;		/* POST: extra attempts after a network error or 5xx */
	double retry_delay;	/* POST: first backoff in seconds, doubled each time (0: 1) */
};
#define NET_LIMITS_INIT { 10, 30, 1 << 20, 5, 3, 1 }

/* How a request ended. */
enum net_outcome {
	NET_OK,			/* a 2xx response */
	NET_ERR_URL,		/* not an http(s) URL */
	NET_ERR_NETWORK,	/* connect, TLS, timeout, redirect or transfer error */
	NET_ERR_TOO_BIG,	/* the response exceeded max_bytes */
	NET_ERR_HTTP_CLIENT,	/* 4xx (or another non-2xx below 500) */
	NET_ERR_HTTP_SERVER,	/* 5xx */
};

struct net_response {
	enum net_outcome outcome;
	long status;		/* HTTP status, 0 when none arrived */
	char *body;		/* NUL-terminated, malloc'd (may be partial on error) */
	size_t len;
	int attempts;		/* POST: how many were made */
	char error[512];	/* why it failed ("" on NET_OK) */
};

/* Downloads URL.  Returns 0 on a 2xx response within the limits, or -1
 * after reporting why (the status and curl's message); RESP tells which. */
int net_get(const char *url, const struct net_limits *lim, struct net_response *resp);

/* POSTs BODY (LEN bytes) to URL with extra HEADERS ("Name: value", NULL
 * terminated), retrying network errors and 5xx with exponential backoff up
 * to lim->retries times; a 4xx is not retried.  Returns 0 on 2xx, or -1
 * after reporting the status and the start of the response body. */
int net_post(const char *url, const char *const *headers, const char *body, size_t len,
	     const struct net_limits *lim, struct net_response *resp);

void net_response_release(struct net_response *resp);

/* True when URL starts with http:// or https:// (any case). */
int net_url_ok(const char *url);
/* A header line "Name: value" with a token name and no control bytes. */
int net_header_ok(const char *line);

#endif
