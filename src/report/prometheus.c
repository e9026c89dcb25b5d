/* Runs in the Prometheus text exposition format (see prometheus.h). */
#include "report/prometheus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void prom_escape_label(struct strbuf *sb, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\')
			sb_adds(sb, "\\\\");
		else if (*p == '"')
			sb_adds(sb, "\\\"");
		else if (*p == '\n')
			sb_adds(sb, "\\n");
		else
			sb_add(sb, p, 1);
	}
}

static void add_label(struct strbuf *sb, const char *name, const char *value)
{
	if (!value || !*value)
		return;		/* an empty label is the same as none */
	if (sb->len)
		sb_adds(sb, ",");
	sb_addf(sb, "%s=\"", name);
	prom_escape_label(sb, value);
	sb_adds(sb, "\"");
}

static void add_value(struct strbuf *sb, double v)
{
	if (isnan(v))
		sb_adds(sb, "NaN");
	else if (isinf(v))
		sb_adds(sb, v > 0 ? "+Inf" : "-Inf");
	else
		sb_addf(sb, "%.15g", v);
}

/* The case text without the kernel name in front. */
static const char *params_of(const struct nb_result *r)
{
	const char *c = r->case_text ? r->case_text : "";
	size_t k = r->kernel ? strlen(r->kernel) : 0;

	if (k && !strncmp(c, r->kernel, k) && (c[k] == ' ' || c[k] == '\0'))
		c += k;
	while (*c == ' ')
		c++;
	return c;
}

enum family { F_SECONDS, F_SECONDS_MIN, F_THROUGHPUT, F_UTIL, F_OK, F_COUNT };

static const struct {
	const char *name, *help;
} families[F_COUNT] = {
	[F_SECONDS] = { "npubench_seconds",
		"Seconds per execution: the median measured, or the predicted time." },
	[F_SECONDS_MIN] = { "npubench_seconds_min", "Fastest measured execution in seconds." },
	[F_THROUGHPUT] = { "npubench_throughput",
		"Work per second (declared operations or bytes), in the unit label's unit." },
	[F_UTIL] = { "npubench_utilization", "Predicted fraction of the chip's peak." },
	[F_OK] = { "npubench_result_ok", "1 when the result is ok, else 0 (see the status label)." },
};

/* Whether result R has a sample in family F, and its value. */
static int sample_of(const struct nb_result *r, enum family f, double *v)
{
	int ok = r->status == NB_RES_OK;

	switch (f) {
	case F_SECONDS:
		*v = r->seconds;
		return ok && r->seconds > 0;
	case F_SECONDS_MIN:
		*v = r->stats.min;
		return ok && r->kind == NB_MEASURED && r->stats.n > 0;
	case F_THROUGHPUT:
		*v = r->throughput;
		return ok && r->throughput > 0;
	case F_UTIL:
		*v = r->util;
		return ok && r->kind == NB_PREDICTED && r->util > 0;
	case F_OK:
		*v = ok;
		return 1;
	default:
		return 0;
	}
}

char *prom_format_run(const struct nb_run *run, const struct nb_result *rs, int n)
{
	struct strbuf out = STRBUF_INIT;
	char **labels = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*labels));
	int *keep = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*keep));

	/* The identifying labels, once per result; repeated sets are dropped
	 * because a Pushgateway rejects a push with duplicate series. */
	for (int i = 0; i < n; i++) {
		const struct nb_result *r = &rs[i];
		struct strbuf sb = STRBUF_INIT;

		add_label(&sb, "kernel", r->kernel);
		add_label(&sb, "params", params_of(r));
		add_label(&sb, "dtype", r->dtype);
		add_label(&sb, "target", r->target);
		add_label(&sb, "kind", result_kind_name(r->kind));
		add_label(&sb, "host", run ? run->hostname : NULL);
		add_label(&sb, "run", run ? run->uuid : NULL);
		labels[i] = sb_detach(&sb);
		keep[i] = 1;
		for (int j = 0; j < i; j++) {
			if (keep[j] && !strcmp(labels[j], labels[i])) {
				warning("result %d repeats '%s' on %s (%s): only the first is pushed",
					r->seq ? r->seq : i + 1, r->case_text ? r->case_text : "?",
					r->target ? r->target : "?", result_kind_name(r->kind));
				keep[i] = 0;
				break;
			}
		}
	}
	for (int f = 0; f < F_COUNT; f++) {
		int header = 0;

		for (int i = 0; i < n; i++) {
			double v;

			if (!keep[i] || !sample_of(&rs[i], (enum family)f, &v))
				continue;
			if (!header) {
				sb_addf(&out, "# HELP %s %s\n# TYPE %s gauge\n",
					families[f].name, families[f].help, families[f].name);
				header = 1;
			}
			sb_addf(&out, "%s{%s", families[f].name, labels[i]);
			if (f == F_THROUGHPUT) {
				struct strbuf u = STRBUF_INIT;

				add_label(&u, "unit", rs[i].unit);
				if (u.len)
					sb_addf(&out, ",%s", u.buf);
				sb_release(&u);
			} else if (f == F_OK) {
				sb_addf(&out, ",status=\"%s\"", result_status_name(rs[i].status));
			}
			sb_adds(&out, "} ");
			add_value(&out, v);
			sb_adds(&out, "\n");
		}
	}
	for (int i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(keep);
	return sb_detach(&out);
}

/* Appends "/NAME/VALUE", or "/NAME@base64/VALUE" (URL-safe alphabet) when
 * VALUE is empty or holds a byte a path segment cannot carry plainly. */
static void add_group(struct strbuf *sb, const char *name, const char *value)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *v = (const unsigned char *)value;
	size_t len = strlen(value);
	int plain = len > 0;

	for (size_t i = 0; i < len; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-", v[i]))
			plain = 0;
	if (plain) {
		sb_addf(sb, "/%s/%s", name, value);
		return;
	}
	sb_addf(sb, "/%s@base64/", name);
	if (!len)
		sb_adds(sb, "=");
	for (size_t i = 0; i < len; i += 3) {
		unsigned x = (unsigned)v[i] << 16 | (i + 1 < len ? (unsigned)v[i + 1] << 8 : 0) |
			     (i + 2 < len ? v[i + 2] : 0);
		char q[4] = { b64[x >> 18 & 63], b64[x >> 12 & 63],
			      i + 1 < len ? b64[x >> 6 & 63] : '=', i + 2 < len ? b64[x & 63] : '=' };

		sb_add(sb, q, 4);
	}
}

char *prom_push_url(const char *base, const char *job, const char *instance)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(base);

	if (strstr(base, "/metrics/job"))
		return xstrdup(base);
	while (len > 0 && base[len - 1] == '/')
		len--;
	/* "http://gw:9091/metrics" means the gateway itself. */
	if (len >= 8 && !strncmp(base + len - 8, "/metrics", 8))
		len -= 8;
	sb_add(&sb, base, len);
	sb_adds(&sb, "/metrics");
	add_group(&sb, "job", job);
	add_group(&sb, "instance", instance);
	return sb_detach(&sb);
}
