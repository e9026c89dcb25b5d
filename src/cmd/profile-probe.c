/* npubench profile probe: measures this host with npubench's own kernels and
 * writes a `host` profile, every figure marked measured (or derived from
 * measurements, or an estimate where nothing can be measured), so that the
 * chip model can predict the host and `validate --host` can check it. */
#include "util/output.h"
#include "cmd/profile-probe.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "npubench.h"
#include "kernels/kernel.h"
#include "model/model.h"
#include "model/profile.h"
#include "targets/hostinfo.h"
#include "targets/target.h"
#include "util/cpu.h"
#include "util/peak.h"
#include "util/pool.h"
#include "util/util.h"

static cJSON *fig(double v, const char *src, const char *kind, const char *note)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "value", v);
	cJSON_AddStringToObject(f, "source", src);
	cJSON_AddStringToObject(f, "kind", kind);
	if (note && *note)
		cJSON_AddStringToObject(f, "note", note);
	return f;
}

/* Measures TEXT on the host; its median throughput (ops or bytes per
 * second), or -1 after reporting. */
static double measure(const char *text, struct nb_pool *pool, const struct nb_measure_opts *o,
		      double *seconds)
{
	struct nb_case c;
	struct nb_result r;
	char msg[256];
	double thr;

	if (case_parse(text, &c, msg, sizeof(msg)))
		return error("probe: %s: %s", text, msg);
	fprintf(stderr, "probe: %s ...", text);
	if (host_measure(&c, pool, o, &r)) {
		fprintf(stderr, " interrupted\n");
		return -1;
	}
	if (r.status != NB_RES_OK) {
		fprintf(stderr, " %s\n", result_status_name(r.status));
		error("probe: %s: %s", text, r.message ? r.message : result_status_name(r.status));
		result_release(&r);
		return -1;
	}
	thr = r.throughput;
	if (seconds)
		*seconds = r.seconds;
	fprintf(stderr, " %.4g %s\n", thr, r.unit);
	result_release(&r);
	return thr;
}

#define ATTENTION_CASE "attention dtype=fp32 batch=1 heads=8 seq_q=2048 head_dim=128"

/* Scales model.KEY so that the model predicts MEASURED for case TEXT on
 * profile P (loaded from what MODEL describes).  Returns 1 when it changed. */
static int recalibrate(cJSON *model, const char *key, const struct nb_profile *p,
		       const char *text, double measured)
{
	cJSON *figure = cJSON_GetObjectItemCaseSensitive(model, key);
	cJSON *value = figure ? cJSON_GetObjectItemCaseSensitive(figure, "value") : NULL;
	cJSON *note = figure ? cJSON_GetObjectItemCaseSensitive(figure, "note") : NULL;
	struct nb_prediction pr;
	struct nb_case c;
	char msg[256];
	double eff;

	if (!cJSON_IsNumber(value) || case_parse(text, &c, msg, sizeof(msg)))
		return 0;
	model_predict(&c, p, &pr);
	if (pr.status != NB_PRED_OK || !(pr.throughput > 0) || !(measured > 0)) {
		prediction_release(&pr);
		return 0;
	}
	eff = value->valuedouble * measured / pr.throughput;
	prediction_release(&pr);
	if (eff > 1)
		eff = 1;
	if (fabs(eff - value->valuedouble) < 1e-9)
		return 0;
	cJSON_SetNumberValue(value, eff);
	if (cJSON_IsString(note)) {
		char *n = xasprintf("%s; scaled so that the model reproduces this measurement",
				    note->valuestring);

		cJSON_SetValuestring(note, n);
		free(n);
	}
	return 1;
}

int profile_probe_main(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 'j' },
		{ "min-time", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const int_dtypes[] = { "int8", "int4" };
	const struct nb_cpu *cpu = cpu_detect();
	struct nb_measure_opts mo = NB_MEASURE_DEFAULTS;
	struct nb_pool *pool = NULL;
	int64_t threads = 0, size = 2048;
	char *out = NULL, *text = NULL, *src = NULL, when[32], buf[256], note[256];
	cJSON *root = NULL, *o, *peaks, *model;
	double fma, gemm32, eff, att, bw, csr, launch_s = 0, v;
	struct nb_profile *check = NULL;
	int c, ret = NB_EXIT_FAIL;

	mo.min_time = 0.3;
	mo.min_reps = 3;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:t:s:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (nb_parse_i64(optarg, &threads) || threads < 1 || threads > 4096)
				return usage_error(&nb_cmd_profile, "--threads '%s': expected a count from 1 to 4096", optarg);
			break;
		case 't':
			if (nb_parse_double(optarg, &mo.min_time) || mo.min_time < 0 || mo.min_time > 60)
				return usage_error(&nb_cmd_profile, "--min-time '%s': expected seconds from 0 to 60", optarg);
			break;
		case 's':
			if (nb_parse_i64(optarg, &size) || size < 64 || size > 16384)
				return usage_error(&nb_cmd_profile, "--size '%s': expected 64 to 16384", optarg);
			break;
		case 'o':
			out = xstrdup(optarg);
			break;
		default:
			return bad_option(&nb_cmd_profile, argv, c);
		}
	}
	if (optind < argc) {
		free(out);
		return usage_error(&nb_cmd_profile, "unexpected argument '%s'", argv[optind]);
	}
	if (!threads)
		threads = cpu->online_cpus;
	if (!out)
		out = xasprintf("%s/host.json", ctx->user_profile_dir);
	pool = pool_create((int)threads, 1);
	if (!pool)
		goto out;

	/* The arithmetic roof, then GEMMs, attention, a stream and a tiny case. */
	fma = peak_fp32_flops((int)threads, 0);
	if (fma <= 0)
		goto out;
	fprintf(stderr, "probe: fp32 FMA peak %.4g FLOP/s on %d threads\n", fma, (int)threads);
	snprintf(buf, sizeof(buf), "gemm dtype=fp32 m=%lld n=%lld k=%lld", (long long)size,
		 (long long)size, (long long)size);
	if ((gemm32 = measure(buf, pool, &mo, NULL)) < 0)
		goto out;
	if (gemm32 > fma) {
		/* The FMA loop was disturbed (a busy machine): the GEMM is the roof. */
		warning("probe: the fp32 GEMM (%.4g) beat the FMA loop (%.4g): using it as the peak", gemm32, fma);
		fma = gemm32;
	}
	eff = gemm32 / fma;

	nb_iso8601_now(when, sizeof(when));
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "schema_version", 1);
	cJSON_AddStringToObject(root, "id", "host");
	snprintf(buf, sizeof(buf), "this host: %s", cpu->model[0] ? cpu->model : "unknown CPU");
	cJSON_AddStringToObject(root, "name", buf);
	cJSON_AddStringToObject(root, "vendor", cpu->vendor[0] ? cpu->vendor : "unknown");
	cJSON_AddItemToObject(root, "aliases", cJSON_CreateArray());
	snprintf(buf, sizeof(buf), "measured by 'npubench profile probe' on %s at %s", hostinfo_hostname(), when);
	cJSON_AddStringToObject(root, "notes", buf);
	cJSON_AddItemToObject(root, "year", fig(atoi(when), "PROBE", "measured", "the year of the probe"));
	o = cJSON_AddObjectToObject(root, "sources");
	src = xasprintf("npubench %s profile probe on %s (%s), %s, %d threads, dispatch %s, GEMMs at %lld^3: "
			"npubench's own kernels through the host harness (median of timed runs)",
			PACKAGE_VERSION, hostinfo_hostname(), cpu->model, when, (int)threads,
			isa_name(cpu->isa), (long long)size);
	cJSON_AddStringToObject(o, "PROBE", src);
	cJSON_AddStringToObject(o, "CPU", "cpu and memory detection of this host (cpuid, sysfs, /proc/meminfo)");
	cJSON_AddStringToObject(o, "EST", "npubench estimate for CPUs: reasoning in the note");

	peaks = cJSON_AddObjectToObject(root, "peak_dense_tflops");
	cJSON_AddItemToObject(peaks, "fp32", fig(fma / 1e12, "PROBE", "measured",
						 "independent fp32 FMAs on every thread (the arithmetic roof)"));
	for (size_t i = 0; i < NB_ARRAY_SIZE(int_dtypes); i++) {
		snprintf(buf, sizeof(buf), "gemm dtype=%s m=%lld n=%lld k=%lld", int_dtypes[i],
			 (long long)size, (long long)size, (long long)size);
		if ((v = measure(buf, pool, &mo, NULL)) < 0)
			goto out;
		snprintf(note, sizeof(note), "measured %s GEMM %lld^3 throughput / the fp32 GEMM efficiency (%.3f)",
			 int_dtypes[i], (long long)size, eff);
		cJSON_AddItemToObject(peaks, int_dtypes[i], fig(v / eff / 1e12, "PROBE", "derived", note));
	}
	o = cJSON_AddObjectToObject(root, "emulation");
	for (const char *const *d = (const char *const[]){ "fp16", "bf16", NULL }; *d; d++) {
		cJSON *e = cJSON_AddObjectToObject(o, *d);

		cJSON_AddStringToObject(e, "via", "fp32");
		cJSON_AddStringToObject(e, "note", "converted to fp32 while packing; the products are fp32 FMAs");
	}
	/* 2:4: the host's kernel skips half the multiply-adds; how much of that
	 * it keeps is its measured speed-up over the dense GEMM (bf16 inputs,
	 * fp32 products, the same roof as the fp32 GEMM). */
	snprintf(buf, sizeof(buf), "spmm pattern=2:4 dtype=bf16 m=%lld n=%lld k=%lld", (long long)size,
		 (long long)size, (long long)size);
	if ((v = measure(buf, pool, &mo, NULL)) < 0)
		goto out;
	if (v > gemm32) {
		double keep = v / gemm32 - 1 < 1 ? v / gemm32 - 1 : 1;

		o = cJSON_AddObjectToObject(root, "sparsity");
		cJSON_AddStringToObject(o, "pattern", "2:4");
		cJSON_AddItemToObject(o, "factor", fig(2, "PROBE", "derived",
						       "2:4 skips half of the multiply-adds"));
		snprintf(note, sizeof(note), "bf16 2:4 spmm %lld^3 at %.3gx the dense fp32 GEMM",
			 (long long)size, v / gemm32);
		cJSON_AddItemToObject(o, "efficiency", fig(keep, "PROBE", "measured", note));
	}

	o = cJSON_AddObjectToObject(root, "memory");
	cJSON_AddStringToObject(o, "type", "DRAM");
	cJSON_AddItemToObject(o, "capacity_gib", fig(cpu->mem_total / 1073741824.0, "CPU", "measured", "total memory"));
	if ((bw = measure("stream op=triad dtype=fp64", pool, &mo, NULL)) < 0)
		goto out;
	cJSON_AddItemToObject(o, "bandwidth_gbs", fig(bw / 1e9, "PROBE", "measured",
						      "STREAM triad fp64, arrays 4x the last-level cache, minimum bytes"));
	/* Reading alone and writing alone often run at other rates. */
	if ((v = measure("stream op=sum dtype=fp64", pool, &mo, NULL)) < 0)
		goto out;
	cJSON_AddItemToObject(o, "read_bandwidth_gbs", fig(v / 1e9, "PROBE", "measured",
							   "read-only stream (sum) fp64, arrays 4x the last-level cache"));
	if ((v = measure("stream op=fill dtype=fp64", pool, &mo, NULL)) < 0)
		goto out;
	cJSON_AddItemToObject(o, "write_bandwidth_gbs", fig(v / 1e9, "PROBE", "measured",
							    "write-only stream (fill) fp64, arrays 4x the last-level cache"));
	o = cJSON_AddObjectToObject(root, "on_chip");
	cJSON_AddItemToObject(o, "llc_mib", fig((cpu->l3 > 0 ? cpu->l3 : cpu->l2 > 0 ? cpu->l2 : 1 << 20) / 1048576.0,
						"CPU", "measured", "last-level cache as detected"));
	if (cpu->l2 > 0)
		cJSON_AddItemToObject(o, "local_kib", fig(cpu->l2 / 1024.0, "CPU", "measured", "L2 per core"));

	o = cJSON_AddObjectToObject(root, "compute");
	cJSON_AddStringToObject(o, "unit_kind", "thread");
	cJSON_AddItemToObject(o, "units", fig((double)threads, "PROBE", "measured", "worker threads of the probe"));
	/* m is not padded: the FMA vectors run along n, and skinny GEMMs
	 * (m <= 4) take a GEMV path that streams B without packing. */
	cJSON_AddItemToObject(o, "tile_m", fig(1, "EST", "estimate",
					       "rows are not padded: the FMA vectors run along n, and m <= 4 "
					       "takes the GEMV path (the micro-kernel's 6 rows cost only at the edge)"));
	cJSON_AddItemToObject(o, "tile_n", fig(16, "EST", "estimate", "the GEMM micro-kernel's 16 columns"));
	cJSON_AddItemToObject(o, "tile_k", fig(1, "EST", "estimate", "k is not padded"));
	cJSON_AddItemToObject(o, "block_m", fig(96, "EST", "estimate", "rows of A one thread packs and multiplies at a time"));
	cJSON_AddItemToObject(o, "block_n", fig(256, "EST", "estimate", "columns of B one thread takes at a time"));

	model = cJSON_AddObjectToObject(root, "model");
	snprintf(note, sizeof(note), "fp32 GEMM %lld^3 measured %.4g FLOP/s / FMA peak", (long long)size, gemm32);
	cJSON_AddItemToObject(model, "gemm_efficiency", fig(eff, "PROBE", "measured", note));
	cJSON_AddItemToObject(model, "tile_overhead_k", fig(16, "EST", "estimate", "packing and C updates per block, as reduction steps"));
	if ((att = measure(ATTENTION_CASE, pool, &mo, NULL)) < 0)
		goto out;
	cJSON_AddItemToObject(model, "attention_efficiency",
			      fig(att / fma > 1 ? 1 : att / fma, "PROBE", "measured",
				  "fp32 attention b=1 h=8 s=2048 d=128 throughput / FMA peak"));
	cJSON_AddItemToObject(model, "stream_efficiency", fig(1, "PROBE", "derived",
							      "1 by construction: the bandwidth is the triad's own"));
	if (measure("gemm dtype=fp32 m=8 n=8 k=8", pool, &mo, &launch_s) < 0)
		goto out;
	cJSON_AddItemToObject(model, "launch_us", fig(launch_s * 1e6 > 0 ? launch_s * 1e6 : 1, "PROBE", "measured",
						      "an 8x8x8 GEMM: dispatch to the pinned threads and back"));
	cJSON_AddItemToObject(model, "overlap", fig(0.5, "EST", "estimate",
						    "hardware prefetch hides part of the memory time behind FMAs"));
	/* CSR at two densities: time = 2 (nnz n + m n c) / rate gives the rate
	 * of the non-zeros' multiply-adds and c, the cost of each output
	 * element in multiply-adds. */
	{
		static const double dens[2] = { 0.02, 0.2 };
		double t[2], sz = (double)size, rate, cost;

		for (int i = 0; i < 2; i++) {
			snprintf(buf, sizeof(buf), "spmm pattern=csr dtype=fp32 density=%g m=%lld n=%lld k=%lld",
				 dens[i], (long long)size, (long long)size, (long long)size);
			if ((csr = measure(buf, pool, &mo, &t[i])) < 0)
				goto out;
		}
		rate = 2.0 * sz * sz * sz * (dens[1] - dens[0]) / (t[1] - t[0]);
		if (!(t[1] > t[0]) || rate > fma)
			rate = 2.0 * sz * sz * sz * dens[1] / t[1];	/* noise: one point */
		cost = (t[0] * rate / 2.0 - sz * sz * sz * dens[0]) / (sz * sz);
		if (cost < 0)
			cost = 0;
		snprintf(note, sizeof(note), "fp32 CSR spmm %lld^3 at densities 0.02 and 0.2: non-zero "
			 "multiply-adds at %.4g FLOP/s / FMA peak", (long long)size, rate);
		cJSON_AddItemToObject(model, "csr_efficiency",
				      fig(rate / fma > 1 ? 1 : rate / fma, "PROBE", "measured", note));
		cJSON_AddItemToObject(model, "csr_output_madds",
				      fig(cost, "PROBE", "derived",
					  "fitted with csr_efficiency to the two CSR timings: the cost of "
					  "each output element in multiply-adds"));
	}

	text = cJSON_Print(root);
	if (!text)
		die("out of memory");
	{
		char *slash = strrchr(out, '/');

		if (slash) {
			*slash = '\0';
			if (nb_mkdirs(out)) {
				*slash = '/';
				goto out;
			}
			*slash = '/';
		}
	}
	if (nb_write_output(out, text, strlen(text)))
		goto out;
	/* What was written must pass the strict loader like any profile.  Then
	 * the model must reproduce the probe's own GEMM and attention: the
	 * efficiencies are the rate before the model's losses (tiles, softmax,
	 * launch), so each is scaled by measured / predicted once, and the
	 * profile written again. */
	if (profile_load_file(out, 1, &check))
		goto out;
	snprintf(buf, sizeof(buf), "gemm dtype=fp32 m=%lld n=%lld k=%lld", (long long)size,
		 (long long)size, (long long)size);
	if (recalibrate(model, "gemm_efficiency", check, buf, gemm32) |
	    recalibrate(model, "attention_efficiency", check, ATTENTION_CASE, att)) {
		profile_free(check);
		check = NULL;
		cJSON_free(text);
		text = cJSON_Print(root);
		if (!text)
			die("out of memory");
		if (nb_write_output(out, text, strlen(text)) || profile_load_file(out, 1, &check))
			goto out;
	}
	profile_free(check);
	printf("%s\n", out);
	ret = 0;
out:
	if (text)
		cJSON_free(text);
	cJSON_Delete(root);
	pool_free(pool);
	free(src);
	free(out);
	return ret;
}
