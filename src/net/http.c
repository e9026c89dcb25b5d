/* HTTP client over libcurl (see http.h). */
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "util/util.h"

/* How much of an error response body a message quotes. */
#define NET_BODY_QUOTE 200

static void net_global_init(void)
{
	static int done;

	if (done)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("cannot initialize libcurl");
	atexit(curl_global_cleanup);
	done = 1;
}

int net_url_ok(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

int net_header_ok(const char *line)
{
	const char *colon = strchr(line, ':');

	if (!colon || colon == line)
		return 0;
	for (const char *p = line; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
			return 0;
	for (const char *p = colon; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return 0;
	return 1;
}

struct sink {
	struct strbuf sb;
	size_t max;
	int truncate;		/* keep the first max bytes instead of failing */
	int too_big;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->sb.len + n > s->max) {
		if (s->truncate) {
			sb_add(&s->sb, data, s->max - s->sb.len);
			return n;
		}
		s->too_big = 1;
		return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
	}
	sb_add(&s->sb, data, n);
	return n;
}

static long ms(double seconds, double fallback)
{
	double s = seconds > 0 ? seconds : fallback;

	return s > 86400 ? 86400000L : (long)ceil(s * 1000);
}

/* Restricts URL and redirect schemes to http and https. */
static void set_protocols(CURL *h)
{
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85: the _STR options, the others deprecated */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

static CURL *handle_new(const char *url, const struct net_limits *lim, struct sink *sink,
			char *errbuf)
{
	CURL *h = curl_easy_init();

	if (!h)
		die("cannot create a libcurl handle");
	curl_easy_setopt(h, CURLOPT_URL, url);
	set_protocols(h);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms(lim->connect_timeout, 10));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms(lim->timeout, 30));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "npubench/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	/* Refuses early when the server announces a larger body. */
	if (!sink->truncate)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	return h;
}

/* The start of BODY on one line, for an error message. */
static void quote_body(char *out, size_t n, const char *body, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len && i < NET_BODY_QUOTE && j + 2 < n; i++) {
		unsigned char c = (unsigned char)body[i];

		out[j++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	while (j > 0 && out[j - 1] == ' ')
		j--;
	if (len > NET_BODY_QUOTE && j + 4 < n) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

/* Performs one transfer and classifies it into RESP. */
static void perform(CURL *h, const char *what, const char *url, struct sink *sink,
		    char *errbuf, struct net_response *resp)
{
	CURLcode rc;

	errbuf[0] = '\0';
	sb_reset(&sink->sb);
	sink->too_big = 0;
	resp->status = 0;
	resp->error[0] = '\0';
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	free(resp->body);
	resp->len = sink->sb.len;
	resp->body = xmalloc(resp->len + 1);
	memcpy(resp->body, sb_str(&sink->sb), resp->len + 1);
	if (sink->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		resp->outcome = NET_ERR_TOO_BIG;
		snprintf(resp->error, sizeof(resp->error),
			 "%s %s: the response is larger than the limit of %zu bytes",
			 what, url, sink->max);
	} else if (rc != CURLE_OK) {
		resp->outcome = rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT
			? NET_ERR_URL : NET_ERR_NETWORK;
		snprintf(resp->error, sizeof(resp->error), "%s %s: %s", what, url,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (resp->status >= 200 && resp->status < 300) {
		resp->outcome = NET_OK;
	} else {
		char quoted[NET_BODY_QUOTE + 8];

		resp->outcome = resp->status >= 500 ? NET_ERR_HTTP_SERVER : NET_ERR_HTTP_CLIENT;
		quote_body(quoted, sizeof(quoted), sink->sb.buf ? sink->sb.buf : "", sink->sb.len);
		snprintf(resp->error, sizeof(resp->error), "%s %s: HTTP %ld%s%s%s", what, url,
			 resp->status, quoted[0] ? ": \"" : "", quoted, quoted[0] ? "\"" : "");
	}
}

static int check_url(const char *what, const char *url, struct net_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (net_url_ok(url))
		return 0;
	resp->outcome = NET_ERR_URL;
	snprintf(resp->error, sizeof(resp->error),
		 "%s '%s': only http:// and https:// URLs are supported", what, url);
	return error("%s", resp->error);
}

int net_get(const char *url, const struct net_limits *lim, struct net_response *resp)
{
	struct sink sink = { STRBUF_INIT, lim->max_bytes ? lim->max_bytes : 1 << 20, 0, 0 };
	char errbuf[CURL_ERROR_SIZE];
	CURL *h;

	if (check_url("GET", url, resp))
		return -1;
	net_global_init();
	h = handle_new(url, lim, &sink, errbuf);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (lim->max_redirects > 0) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)lim->max_redirects);
	}
	perform(h, "GET", url, &sink, errbuf, resp);
	resp->attempts = 1;
	curl_easy_cleanup(h);
	sb_release(&sink.sb);
	if (resp->outcome != NET_OK)
		return error("%s", resp->error);
	return 0;
}

static void sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int net_post(const char *url, const char *const *headers, const char *body, size_t len,
	     const struct net_limits *lim, struct net_response *resp)
{
	/* The answer to a POST only explains it: a long one is cut, not refused. */
	struct sink sink = { STRBUF_INIT, lim->max_bytes ? lim->max_bytes : 1 << 20, 1, 0 };
	struct curl_slist *list = NULL;
	char errbuf[CURL_ERROR_SIZE];
	double delay = lim->retry_delay > 0 ? lim->retry_delay : 1;
	int tries = 1 + (lim->retries > 0 ? lim->retries : 0);
	CURL *h;

	if (check_url("POST", url, resp))
		return -1;
	net_global_init();
	h = handle_new(url, lim, &sink, errbuf);
	/* Without this curl would wait for "100 Continue" on larger bodies. */
	list = curl_slist_append(list, "Expect:");
	for (int i = 0; headers && headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	if (!list)
		die("out of memory");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	for (resp->attempts = 1;; resp->attempts++) {
		perform(h, "POST", url, &sink, errbuf, resp);
		if (resp->outcome == NET_OK || resp->attempts >= tries ||
		    (resp->outcome != NET_ERR_NETWORK && resp->outcome != NET_ERR_HTTP_SERVER))
			break;
		warning("%s (attempt %d of %d); retrying in %g s", resp->error,
			resp->attempts, tries, delay);
		sleep_seconds(delay);
		delay = delay * 2 > 60 ? 60 : delay * 2;
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	sb_release(&sink.sb);
	if (resp->outcome != NET_OK) {
		if (resp->attempts > 1) {
			size_t used = strlen(resp->error);

			snprintf(resp->error + used, sizeof(resp->error) - used,
				 " (after %d attempts)", resp->attempts);
		}
		return error("%s", resp->error);
	}
	return 0;
}

void net_response_release(struct net_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
