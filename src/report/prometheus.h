/* A stored run in the Prometheus text exposition format (version 0.0.4),
 * for a Pushgateway: one gauge family per measure, one sample per result. */
#ifndef NB_REPORT_PROMETHEUS_H
#define NB_REPORT_PROMETHEUS_H

#include "store/store.h"
#include "targets/result.h"
#include "util/util.h"

/* The media type of what prom_format_run writes. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The families, samples labelled kernel, params, dtype, target, kind, host
 * and run (and unit on throughput):
 *   npubench_seconds       seconds per execution (median measured, or predicted)
 *   npubench_seconds_min   fastest measured execution
 *   npubench_throughput    work per second, in the unit label's unit
 *   npubench_utilization   predicted fraction of the chip's peak
 *   npubench_result_ok     1 when the result is ok, else 0 (label status)
 * A result whose labels repeat an earlier one's is left out with a warning.
 * Returns malloc'd text. */
char *prom_format_run(const struct nb_run *run, const struct nb_result *rs, int n);

/* Appends V escaped as a label value: backslash, double quote, newline. */
void prom_escape_label(struct strbuf *sb, const char *v);

/* The Pushgateway URL for BASE: BASE itself when it already names a
 * grouping (has "/metrics/job"), else BASE/metrics/job/JOB/instance/INSTANCE
 * (BASE may end in "/metrics"), values outside [A-Za-z0-9._~-] written in
 * the "@base64" form. */
char *prom_push_url(const char *base, const char *job, const char *instance);

#endif
