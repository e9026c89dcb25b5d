/* npubench profile probe --target cuda:N: measures a GPU through the CUDA
 * plugin (the cuBLASLt GEMMs per dtype, a stream copy, cuDNN attention, a
 * cuSPARSE CSR product, a tiny GEMM for the launch time) and writes a
 * profile of it, every figure marked measured, read from the device, or an
 * estimate, so that the chip model can predict that GPU and `validate`
 * can check the model against it. */
#include "cmd/profile-probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "npubench.h"
#include "kernels/kernel.h"
#include "model/profile.h"
#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "targets/target.h"
#include "util/util.h"

struct gpu_probe {
	int index;
	void *dev;
	struct nb_measure_opts mo;
	long long size;
	char note[256];
};

/* Median throughput of TEXT on the GPU (ACTUAL: the operations the kernel
 * does rather than the dense equivalent), 0 when the GPU or its libraries
 * do not run it (said on stderr), -1 after reporting a failure. */
static double gpu_measure(struct gpu_probe *g, const char *text, int actual)
{
	struct nb_case c;
	struct nb_result r;
	char msg[256];
	double thr = 0;

	if (case_parse(text, &c, msg, sizeof(msg)))
		return error("probe: %s: %s", text, msg);
	fprintf(stderr, "probe: cuda:%d: %s ...", g->index, text);
	if (cuda_measure(g->dev, g->index, &c, &g->mo, 0, &r)) {
		fprintf(stderr, " failed\n");
		error("probe: cuda:%d: %s: %s", g->index, text, r.message ? r.message : "device error");
		result_release(&r);
		return -1;
	}
	if (r.status == NB_RES_OK) {
		thr = actual && r.actual_ops > 0 ? r.actual_ops / r.seconds : r.throughput;
		fprintf(stderr, " %.4g %s\n", thr, r.unit);
	} else {
		fprintf(stderr, " %s: %s\n", result_status_name(r.status), r.message ? r.message : "");
		if (r.status == NB_RES_VERIFY_FAILED || r.status == NB_RES_ERROR)
			thr = error("probe: cuda:%d: %s: %s", g->index, text,
				    r.message ? r.message : result_status_name(r.status));
	}
	result_release(&r);
	return thr;
}

/* The GEMM peaks: the rate cuBLASLt reaches at size^3 for each dtype, a
 * lower bound of the tensor cores' peak.  Returns the fp16 rate (the
 * attention's and CSR's roof), or -1. */
static double gpu_peaks(struct gpu_probe *g, struct nb_profile_doc *doc)
{
	static const char *const dtypes[] = { "fp32", "fp16", "bf16", "int8" };
	double fp16 = 0;
	char text[128], key[64], note[192];

	for (size_t i = 0; i < NB_ARRAY_SIZE(dtypes); i++) {
		double v;

		snprintf(text, sizeof(text), "gemm dtype=%s m=%lld n=%lld k=%lld", dtypes[i], g->size, g->size,
			 g->size);
		if ((v = gpu_measure(g, text, 0)) < 0)
			return -1;
		if (v == 0)
			continue;	/* the GPU lacks it: the profile says none */
		snprintf(key, sizeof(key), "peak_dense_tflops.%s", dtypes[i]);
		snprintf(note, sizeof(note), "cuBLASLt %s GEMM %lld^3, median rate: a lower bound of the peak",
			 dtypes[i], g->size);
		profile_doc_fig(doc, key, v / 1e12, "PROBE", "measured", note);
		if (!strcmp(dtypes[i], "fp16"))
			fp16 = v;
	}
	if (fp16 <= 0)
		return error("probe: cuda:%d: no fp16 GEMM rate: the profile needs it as the roof of "
			     "attention and sparse products", g->index);
	return fp16;
}

/* Identity, memory and the compute layout, from the device's properties. */
static void gpu_header(struct gpu_probe *g, const struct nb_cuda_device *d, const char *id,
		       struct nb_profile_doc *doc)
{
	char when[32], buf[384];

	nb_iso8601_now(when, sizeof(when));
	profile_doc_int(doc, "schema_version", 1);
	profile_doc_str(doc, "id", id);
	snprintf(buf, sizeof(buf), "%s (cuda:%d of %s, measured)", d->name, g->index, hostinfo_hostname());
	profile_doc_str(doc, "name", buf);
	profile_doc_str(doc, "vendor", "NVIDIA");
	profile_doc_strarr(doc, "aliases");
	snprintf(g->note, sizeof(g->note), "measured by 'npubench profile probe --target cuda:%d' on %s at %s",
		 g->index, hostinfo_hostname(), when);
	profile_doc_str(doc, "notes", g->note);
	profile_doc_fig(doc, "year", atoi(when), "PROBE", "measured", "the year of the probe");
	snprintf(buf, sizeof(buf), "npubench %s profile probe on %s, cuda:%d %s (sm_%d%d), driver %d.%d, "
		 "runtime %d.%d, %s, GEMMs at %lld^3: the CUDA plugin's cases, CUDA events around "
		 "back-to-back launches, median", PACKAGE_VERSION, hostinfo_hostname(), g->index, d->name,
		 d->cc_major, d->cc_minor, d->driver_version / 1000, d->driver_version % 1000 / 10,
		 d->runtime_version / 1000, d->runtime_version % 1000 / 10, when, g->size);
	profile_doc_str(doc, "sources.PROBE", buf);
	profile_doc_str(doc, "sources.DEV", "the device's properties through the CUDA runtime");
	profile_doc_str(doc, "sources.EST", "npubench estimate for NVIDIA GPUs: reasoning in the note");
	profile_doc_str(doc, "memory.type", "device memory");
	profile_doc_fig(doc, "memory.capacity_gib", (double)d->mem_bytes / 1073741824.0, "DEV", "measured",
			"total device memory");
	profile_doc_fig(doc, "on_chip.llc_mib", (double)d->l2_bytes / 1048576.0, "DEV", "measured", "L2");
	profile_doc_str(doc, "compute.unit_kind", "SM");
	profile_doc_fig(doc, "compute.units", d->sms, "DEV", "measured", "streaming multiprocessors");
	profile_doc_fig(doc, "compute.tile_m", 16, "EST", "estimate", "the padding granule libraries use for m");
	profile_doc_fig(doc, "compute.tile_n", 8, "EST", "estimate", "MMA n is a multiple of 8");
	profile_doc_fig(doc, "compute.tile_k", 16, "EST", "estimate", "k16 for 16-bit inputs");
	profile_doc_fig(doc, "compute.block_m", 128, "EST", "estimate", "cuBLASLt's common 128-row block");
	profile_doc_fig(doc, "compute.block_n", 256, "EST", "estimate", "cuBLASLt's common 256-column block");
}

/* Bandwidth, attention, CSR and the launch time, against the fp16 roof. */
static int gpu_model(struct gpu_probe *g, double fp16, struct nb_profile_doc *doc)
{
	char text[160], note[192];
	double v;

	if ((v = gpu_measure(g, "stream op=copy dtype=fp32", 0)) <= 0)
		return v < 0 ? -1 : error("probe: cuda:%d: the stream copy did not run", g->index);
	profile_doc_fig(doc, "memory.bandwidth_gbs", v / 1e9, "PROBE", "measured",
			"stream copy fp32, arrays past the L2, minimum bytes");
	profile_doc_fig(doc, "model.gemm_efficiency", 1, "PROBE", "derived",
			"1 by construction: the peaks are the measured GEMM rates");
	profile_doc_fig(doc, "model.tile_overhead_k", 16, "EST", "estimate",
			"prologue and epilogue per block, as reduction steps");
	profile_doc_fig(doc, "model.stream_efficiency", 1, "PROBE", "derived",
			"1 by construction: the bandwidth is the copy's own");
	profile_doc_fig(doc, "model.overlap", 0.5, "EST", "estimate",
			"part of the memory time hidden behind the tensor cores");
	v = gpu_measure(g, "attention batch=4 heads=32 seq_q=4096 head_dim=128 dtype=fp16", 0);
	if (v < 0)
		return -1;
	profile_doc_fig(doc, "model.attention_efficiency", v > 0 ? (v / fp16 < 1 ? v / fp16 : 1) : 0.5,
			v > 0 ? "PROBE" : "EST", v > 0 ? "measured" : "estimate",
			v > 0 ? "cuDNN fused attention fp16 b=4 h=32 s=4096 d=128 / the fp16 GEMM rate"
			      : "cuDNN attention did not run: half the fp16 GEMM rate");
	snprintf(text, sizeof(text), "spmm pattern=csr dtype=fp16 density=0.05 m=%lld n=1024 k=%lld",
		 g->size, g->size);
	if ((v = gpu_measure(g, text, 1)) < 0)
		return -1;
	snprintf(note, sizeof(note), "cuSPARSE CSR fp16 %lld x 1024 x %lld at density 0.05: non-zero "
		 "multiply-adds / the fp16 GEMM rate", g->size, g->size);
	profile_doc_fig(doc, "model.csr_efficiency", v > 0 ? (v / fp16 < 1 ? v / fp16 : 1) : 0.01,
			v > 0 ? "PROBE" : "EST", v > 0 ? "measured" : "estimate",
			v > 0 ? note : "cuSPARSE did not run: a guess");
	if ((v = gpu_measure(g, "gemm dtype=fp16 m=8 n=8 k=8", 0)) < 0)
		return -1;
	profile_doc_fig(doc, "model.launch_us", v > 0 ? 2.0 * 8 * 8 * 8 / v * 1e6 : 5, v > 0 ? "PROBE" : "EST",
			v > 0 ? "measured" : "estimate", "an 8x8x8 GEMM launched back to back");
	return 0;
}

int profile_probe_cuda(struct nb_ctx *ctx, int index, long long size, double min_time, const char *out)
{
	struct gpu_probe g = { .index = index, .mo = NB_MEASURE_DEFAULTS, .size = size };
	struct nb_profile_doc *doc = NULL;
	struct nb_profile *check = NULL;
	struct nb_cuda_device d;
	const struct nb_cuda_plugin *p;
	char why[512], id[72], *path = NULL;
	double fp16;
	int ret = NB_EXIT_FAIL;

	g.mo.min_time = min_time;
	g.mo.min_reps = 3;
	if (!(p = cuda_plugin(NULL, why, sizeof(why))) || !(g.dev = cuda_open(index, why, sizeof(why)))) {
		error("probe: cuda:%d: not available: %s", index, why);
		goto out;
	}
	if (p->device_info(index, &d, why, sizeof(why)) != NB_CUDA_OK) {
		error("probe: cuda:%d: %s", index, why);
		goto out;
	}
	path = out ? xstrdup(out) : xasprintf("%s/cuda%d.json", ctx->user_profile_dir, index);
	if (probe_file_id(path, id, sizeof(id))) {
		ret = NB_EXIT_USAGE;
		goto out;
	}
	doc = profile_doc_new();
	gpu_header(&g, &d, id, doc);
	if ((fp16 = gpu_peaks(&g, doc)) < 0 || gpu_model(&g, fp16, doc))
		goto out;
	if (profile_doc_write(doc, path, &check))
		goto out;
	printf("%s\n", path);
	probe_where_note(ctx, path, id);
	ret = 0;
out:
	profile_free(check);
	profile_doc_free(doc);
	cuda_close(g.dev);
	free(path);
	return ret;
}
