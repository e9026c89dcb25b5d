/* npubench profile probe: measures this host with npubench's own kernels and
 * writes a `host` profile (or one named after -o's file), every figure marked measured (or derived from
 * measurements, or an estimate where nothing can be measured), so that the
 * chip model can predict the host and `validate --host` can check it. */
#include "cmd/profile-probe.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "npubench.h"
#include "kernels/kernel.h"
#include "kernels/workload-ew.h"
#include "model/collective.h"
#include "model/model.h"
#include "model/profile.h"
#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "targets/target.h"
#include "util/cpu.h"
#include "util/mpi.h"
#include "util/load.h"
#include "util/peak.h"
#include "util/pool.h"
#include "util/util.h"

/* Measures TEXT on the host; its median throughput (ops or bytes per
 * second), or -1 after reporting.  SECONDS, when not NULL, gets the median
 * time and ACTUAL_OPS the operations the kernel declares it performs. */
/* Measurements the probe took while other work shared the CPUs. */
static int probe_disturbed;

static double measure_work(const char *text, struct nb_pool *pool, const struct nb_measure_opts *o,
			   double *seconds, double *actual_ops)
{
	struct nb_case c;
	struct nb_result r;
	char msg[256];
	double thr;

	int say = ranks_rank() == 0;	/* under mpirun, rank 0 speaks for all */

	if (case_parse(text, &c, msg, sizeof(msg)))
		return error("probe: %s: %s", text, msg);
	if (say)
		fprintf(stderr, "probe: %s ...", text);
	if (host_measure(&c, pool, o, &r)) {
		if (say)
			fprintf(stderr, " interrupted\n");
		return -1;
	}
	if (r.status != NB_RES_OK) {
		if (say)
			fprintf(stderr, " %s\n", result_status_name(r.status));
		error("probe: %s: %s", text, r.message ? r.message : result_status_name(r.status));
		result_release(&r);
		return -1;
	}
	thr = r.throughput;
	if (seconds)
		*seconds = r.seconds;
	if (actual_ops)
		*actual_ops = r.actual_ops > 0 ? r.actual_ops : r.ops;
	if (say)
		fprintf(stderr, " %.4g %s%s%s\n", thr, r.unit, r.flags ? "  " : "", r.flags ? r.flags : "");
	probe_disturbed += r.flags && (strstr(r.flags, "loaded=") || strstr(r.flags, "concurrent_run"));
	result_release(&r);
	return thr;
}

static double measure(const char *text, struct nb_pool *pool, const struct nb_measure_opts *o,
		      double *seconds)
{
	return measure_work(text, pool, o, seconds, NULL);
}

#define ATTENTION_CASE "attention dtype=fp32 batch=1 heads=8 seq_q=2048 head_dim=128"

/* One probe: its options and what it has measured so far. */
struct probe {
	struct nb_measure_opts mo;
	struct nb_pool *pool;
	int64_t threads, size;
	char *out;
	const char *target;	/* --target: NULL or "host" for the host */
	int size_set, out_set;
	char id[72];		/* the profile's id: "host", or -o's file name */
	char gemm_case[128];	/* the fp32 GEMM at --size */
	double fma, gemm32, eff, att;
	char notes[256];	/* the profile's notes, as the header wrote them */
};

/* Scales model.KEY so that the model predicts MEASURED for case TEXT on
 * profile P (loaded from DOC).  Returns 1 when it changed. */
static int recalibrate(struct nb_profile_doc *doc, const char *key, const struct nb_profile *p,
		       const char *text, double measured)
{
	double old = profile_doc_value(doc, key), eff;
	struct nb_prediction pr;
	struct nb_case c;
	char msg[256];

	if (isnan(old) || case_parse(text, &c, msg, sizeof(msg)))
		return 0;
	model_predict(&c, p, &pr);
	if (pr.status != NB_PRED_OK || !(pr.throughput > 0) || !(measured > 0)) {
		prediction_release(&pr);
		return 0;
	}
	eff = old * measured / pr.throughput;
	prediction_release(&pr);
	if (eff > 1)
		eff = 1;
	if (fabs(eff - old) < 1e-9)
		return 0;
	profile_doc_revalue(doc, key, eff, "scaled so that the model reproduces this measurement");
	return 1;
}

static int probe_options(int argc, char **argv, struct nb_ctx *ctx, struct probe *pr)
{
	static const struct option longopts[] = {
		{ "threads", required_argument, NULL, 'j' },
		{ "min-time", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "target", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	pr->mo.min_time = 0.3;
	pr->mo.min_reps = 3;
	pr->size = 2048;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (nb_parse_i64(optarg, &pr->threads) || pr->threads < 1 || pr->threads > 4096)
				return usage_error(&nb_cmd_profile, "--threads '%s': expected a count from 1 to 4096", optarg);
			break;
		case 't':
			if (nb_parse_double(optarg, &pr->mo.min_time) || pr->mo.min_time < 0 || pr->mo.min_time > 60)
				return usage_error(&nb_cmd_profile, "--min-time '%s': expected seconds from 0 to 60", optarg);
			break;
		case 's':
			if (nb_parse_i64(optarg, &pr->size) || pr->size < 64 || pr->size > 16384)
				return usage_error(&nb_cmd_profile, "--size '%s': expected 64 to 16384", optarg);
			pr->size_set = 1;
			break;
		case 'o':
			free(pr->out);
			pr->out = xstrdup(optarg);
			pr->out_set = 1;
			break;
		case 'T':
			pr->target = optarg;
			break;
		default:
			return bad_option(&nb_cmd_profile, argv, c);
		}
	}
	if (optind < argc)
		return usage_error(&nb_cmd_profile, "unexpected argument '%s'", argv[optind]);
	if (!pr->threads)
		pr->threads = cpu_detect()->online_cpus;
	if (!pr->out)
		pr->out = xasprintf("%s/host.json", ctx->user_profile_dir);
	if (probe_file_id(pr->out, pr->id, sizeof(pr->id)))
		return NB_EXIT_USAGE;
	snprintf(pr->gemm_case, sizeof(pr->gemm_case), "gemm dtype=fp32 m=%lld n=%lld k=%lld",
		 (long long)pr->size, (long long)pr->size, (long long)pr->size);
	return 0;
}

/* A profile id that is also a safe file name: [A-Za-z0-9][A-Za-z0-9._-]*,
 * at most 64 characters. */
static int id_ok(const char *id, size_t len)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	if (!len || len > 64 || !strchr(alnum, *id))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!id[i] || (!strchr(alnum, id[i]) && !strchr("._-", id[i])))
			return 0;
	return 1;
}

int probe_file_id(const char *file, char *id, size_t n)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base ? base + 1 : file;
	len = strlen(base);
	if (len <= 5 || strcmp(base + len - 5, ".json"))
		return usage_error(&nb_cmd_profile, "-o '%s': a profile file is named after its id, "
				   "ID.json (e.g. -o mybox.json writes profile 'mybox')", file);
	len -= 5;
	if (!id_ok(base, len) || len >= n)
		return usage_error(&nb_cmd_profile, "-o '%s': '%.*s' cannot be a profile id (letters, "
				   "digits, '.', '_' and '-', at most 64, starting with a letter or digit)",
				   file, (int)len, base);
	snprintf(id, n, "%.*s", (int)len, base);
	return 0;
}

/* Whether folder DIR is folder WANT, both as the file system resolves them. */
static int same_dir(const char *dir, const char *want)
{
	char a[PATH_MAX], b[PATH_MAX];

	return realpath(dir, a) && realpath(want, b) && !strcmp(a, b);
}

void probe_where_note(const struct nb_ctx *ctx, const char *file, const char *id)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/');
	int inside = 0;

	if (slash)
		slash[slash == dir] = '\0';	/* "/x.json" lies in "/" */
	for (int i = 0; i < ctx->nprofile_dirs && !inside; i++)
		inside = same_dir(slash ? dir : ".", ctx->profile_dirs[i]);
	if (!inside)
		warning("%s is outside the profile folders, where no command finds profile '%s': "
			"check a run against it with 'npubench validate --host last --profile %s', "
			"or move it into %s", file, id, file, ctx->user_profile_dir);
	free(dir);
}

/* The host probe's profile written last, by file time, "host" on a tie;
 * without one, the profile with id "host". */
const struct nb_profile *probe_host_profile(const struct nb_profiles *set)
{
	const struct nb_profile *best = NULL;
	struct timespec best_t = { 0, 0 };
	size_t mark = strlen(PROBE_HOST_SOURCE);

	for (int i = 0; set && i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);
		const char *src = profile_field_source(p, "year", NULL, NULL);
		struct stat st;
		int newer;

		if (!src || strlen(src) < mark || strcmp(src + strlen(src) - mark, PROBE_HOST_SOURCE) ||
		    stat(profile_path(p), &st))
			continue;
		newer = !best || st.st_mtim.tv_sec > best_t.tv_sec ||
			(st.st_mtim.tv_sec == best_t.tv_sec && st.st_mtim.tv_nsec > best_t.tv_nsec);
		if (newer || (st.st_mtim.tv_sec == best_t.tv_sec && st.st_mtim.tv_nsec == best_t.tv_nsec &&
			      !strcmp(profile_id(p), "host"))) {
			best = p;
			best_t = st.st_mtim;
		}
	}
	/* A host profile written by hand still answers to its id. */
	return best ? best : set ? profiles_find(set, "host") : NULL;
}

/* Who, when and from what: the profile's identity and its sources. */
static void probe_header(struct probe *pr, struct nb_profile_doc *doc)
{
	const struct nb_cpu *cpu = cpu_detect();
	char when[32], buf[256];
	char *src;

	nb_iso8601_now(when, sizeof(when));
	profile_doc_int(doc, "schema_version", 1);
	profile_doc_str(doc, "id", pr->id);
	snprintf(buf, sizeof(buf), "this host: %s", cpu->model[0] ? cpu->model : "unknown CPU");
	profile_doc_str(doc, "name", buf);
	profile_doc_str(doc, "vendor", cpu->vendor[0] ? cpu->vendor : "unknown");
	profile_doc_strarr(doc, "aliases");
	snprintf(pr->notes, sizeof(pr->notes), "measured by 'npubench profile probe' on %s at %s",
		 hostinfo_hostname(), when);
	profile_doc_str(doc, "notes", pr->notes);
	profile_doc_fig(doc, "year", atoi(when), "PROBE", "measured", "the year of the probe");
	src = xasprintf("npubench %s profile probe on %s (%s), %s, %d threads, dispatch %s, GEMMs at %lld^3: "
			PROBE_HOST_SOURCE,
			PACKAGE_VERSION, hostinfo_hostname(), cpu->model, when, (int)pr->threads,
			isa_name(cpu->isa), (long long)pr->size);
	profile_doc_str(doc, "sources.PROBE", src);
	free(src);
	profile_doc_str(doc, "sources.CPU", "cpu and memory detection of this host (cpuid, sysfs, /proc/meminfo)");
	profile_doc_str(doc, "sources.EST", "npubench estimate for CPUs: reasoning in the note");
}

/* A roof below the GEMM measured under it: measured again, then refused
 * (see profile-probe.h). */
int probe_roof_settle(double gemm, double *roof, double (*again)(int attempt, void *arg), void *arg)
{
	for (int i = 1; i <= ROOF_RETRIES && gemm > *roof; i++) {
		double a;

		warning("probe: the fp32 GEMM (%.4g FLOP/s) beat the FMA peak (%.4g): the machine is "
			"busy; measuring the peak again (%d of %d)", gemm, *roof, i, ROOF_RETRIES);
		if ((a = again(i, arg)) > *roof)
			*roof = a;
	}
	if (gemm > *roof)
		return error("probe: the fp32 GEMM (%.4g FLOP/s) still beats the FMA peak (%.4g) measured "
			     "%d more times: other work disturbs the measurements; no profile written "
			     "(run the probe on a quiet machine)", gemm, *roof, ROOF_RETRIES);
	return 0;
}

/* The FMA loop again, half a second longer each attempt. */
static double roof_again(int attempt, void *arg)
{
	const struct probe *pr = arg;

	return peak_fp32_flops((int)pr->threads, 0.5 * attempt);
}

/* The arithmetic roof and the fp32 GEMM's share of it.  A roof below the
 * GEMM measured on it is a contradiction: measured again, and refused when
 * it persists, rather than written into a profile. */
static int probe_roof(struct probe *pr)
{
	pr->fma = peak_fp32_flops((int)pr->threads, 0);
	if (pr->fma <= 0)
		return -1;
	fprintf(stderr, "probe: fp32 FMA peak %.4g FLOP/s on %d threads\n", pr->fma, (int)pr->threads);
	if ((pr->gemm32 = measure(pr->gemm_case, pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	if (probe_roof_settle(pr->gemm32, &pr->fma, roof_again, pr))
		return -1;
	pr->eff = pr->gemm32 / pr->fma;
	return 0;
}

/* The dot-product ceilings where the dispatch level has them (AVX-512 with
 * avx512_bf16 / avx512_vnni): each is the dtype's own peak, measured like
 * the FMA peak.  Returns a bit mask: 1 bf16 written, 2 int8 written.  A
 * noisy loop is never let below the fp32 peak (the schema refuses an fp32
 * peak above a 16-bit one, and the instructions do at least as much). */
static int probe_dot_peaks(struct probe *pr, struct nb_profile_doc *doc)
{
	static const struct {
		enum nb_peak kind;
		const char *key, *note;
	} dots[] = {
		{ NB_PEAK_BF16, "peak_dense_tflops.bf16",
		  "independent vdpbf16ps (bf16 pair dot products into fp32) on every thread" },
		{ NB_PEAK_INT8, "peak_dense_tflops.int8",
		  "independent vpdpbusd (u8 x s8 quad dot products into int32) on every thread" },
	};
	int mask = 0;

	for (size_t i = 0; i < NB_ARRAY_SIZE(dots); i++) {
		double v = peak_ops(dots[i].kind, (int)pr->threads, 0);

		if (v <= 0)
			continue;
		fprintf(stderr, "probe: %s peak %.4g OP/s on %d threads\n", peak_name(dots[i].kind), v,
			(int)pr->threads);
		if (v < pr->fma) {
			warning("probe: the %s loop (%.4g) ran below the fp32 FMA loop (%.4g): using the latter",
				peak_name(dots[i].kind), v, pr->fma);
			v = pr->fma;
		}
		profile_doc_fig(doc, dots[i].key, v / 1e12, "PROBE", "measured", dots[i].note);
		mask |= 1 << i;
	}
	return mask;
}

/* Peaks per dtype, emulation and 2:4 sparsity. */
static int probe_compute(struct probe *pr, struct nb_profile_doc *doc)
{
	static const char *const int_dtypes[] = { "int8", "int4" };
	long long sz = (long long)pr->size;
	char buf[256], note[256], key[64];
	double v;
	int dots;

	profile_doc_fig(doc, "peak_dense_tflops.fp32", pr->fma / 1e12, "PROBE", "measured",
			"independent fp32 FMAs on every thread (the arithmetic roof)");
	dots = probe_dot_peaks(pr, doc);
	for (size_t i = 0; i < NB_ARRAY_SIZE(int_dtypes); i++) {
		if (i == 0 && (dots & 2))
			continue;	/* int8 has its measured ceiling */
		snprintf(buf, sizeof(buf), "gemm dtype=%s m=%lld n=%lld k=%lld", int_dtypes[i], sz, sz, sz);
		if ((v = measure(buf, pr->pool, &pr->mo, NULL)) < 0)
			return -1;
		snprintf(note, sizeof(note), "measured %s GEMM %lld^3 throughput / the fp32 GEMM efficiency (%.3f)",
			 int_dtypes[i], sz, pr->eff);
		snprintf(key, sizeof(key), "peak_dense_tflops.%s", int_dtypes[i]);
		profile_doc_fig(doc, key, v / pr->eff / 1e12, "PROBE", "derived", note);
	}
	for (const char *const *d = (const char *const[]){ "fp16", (dots & 1) ? NULL : "bf16", NULL }; *d; d++) {
		snprintf(key, sizeof(key), "emulation.%s.via", *d);
		profile_doc_str(doc, key, "fp32");
		snprintf(key, sizeof(key), "emulation.%s.note", *d);
		profile_doc_str(doc, key, "converted to fp32 while packing; the products are fp32 FMAs");
	}
	/* 2:4: the host's kernel skips half the multiply-adds; how much of that
	 * it keeps is its measured speed-up over the dense GEMM (bf16 inputs,
	 * fp32 products, the same roof as the fp32 GEMM). */
	snprintf(buf, sizeof(buf), "spmm pattern=2:4 dtype=bf16 m=%lld n=%lld k=%lld", sz, sz, sz);
	if ((v = measure(buf, pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	if (v > pr->gemm32) {
		double keep = v / pr->gemm32 - 1 < 1 ? v / pr->gemm32 - 1 : 1;

		profile_doc_str(doc, "sparsity.pattern", "2:4");
		profile_doc_fig(doc, "sparsity.factor", 2, "PROBE", "derived", "2:4 skips half of the multiply-adds");
		snprintf(note, sizeof(note), "bf16 2:4 spmm %lld^3 at %.3gx the dense fp32 GEMM", sz, v / pr->gemm32);
		profile_doc_fig(doc, "sparsity.efficiency", keep, "PROBE", "measured", note);
	}
	return 0;
}

/* The rate the skinny GEMM (m = 4, the path a decode step's products
 * take) reads weights that live in the last-level cache: B of half the
 * cache (bf16, n = 2048 columns), so repeated runs find it there and not
 * in L2.  The kernel walks B down strips of 64 columns, 128 bytes of each
 * row, a row apart: the prefetchers follow that less well than the
 * triad's sequential streams, and the model serves memory-bound products
 * from the cache at this rate (on_chip.llc_gemv_bandwidth_gbs). */
static int probe_llc_gemv(struct probe *pr, struct nb_profile_doc *doc, double llc)
{
	const long long m = 4, n = 2048, k = (long long)(llc / 2 / (2.0 * n));
	char buf[128], note[256];
	double secs = 0, bytes = 2.0 * m * k + 2.0 * k * n + 4.0 * m * n;

	if (k < 64)
		return 0;
	snprintf(buf, sizeof(buf), "gemm dtype=bf16 m=%lld n=%lld k=%lld", m, n, k);
	if (measure(buf, pr->pool, &pr->mo, &secs) < 0)
		return -1;
	if (secs <= 0)
		return 0;
	snprintf(note, sizeof(note), "%s (B %.3g MiB, half the last-level cache): A, B and C bytes / median time",
		 buf, 2.0 * k * n / 1048576.0);
	profile_doc_fig(doc, "on_chip.llc_gemv_bandwidth_gbs", bytes / secs / 1e9, "PROBE", "measured", note);
	return 0;
}

/* The last-level cache's bandwidth: the same triad with its three arrays
 * filling half the cache (repeated runs find them there) and more than
 * twice the threads' L2s (so it is not L2 being measured).  The model
 * serves a working set within the cache at it (on_chip.llc_bandwidth_gbs):
 * a decode step's GEMMs, whose weights stay in L3 between steps, read it
 * at about twice the DRAM rate on a Zen 5 core.  Written only when the
 * caches allow such a size and it exceeds DRAM's (the schema's rule; a
 * host with a small or shared-out cache has no figure, and the model then
 * uses DRAM's, as before). */
static int probe_llc(struct probe *pr, struct nb_profile_doc *doc, double dram_bw)
{
	const struct nb_cpu *cpu = cpu_detect();
	double llc = cpu->l3 > 0 ? (double)cpu->l3 : 0, l2s = (double)(cpu->l2 > 0 ? cpu->l2 : 0) * pr->threads;
	long long n = (long long)(llc / 2 / 24);
	char buf[128], note[256];
	double v;

	if (llc <= 0 || llc / 2 < 2 * l2s || n < 1024)
		return 0;
	snprintf(buf, sizeof(buf), "stream op=triad dtype=fp64 n=%lld", n);
	if ((v = measure(buf, pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	if (v <= dram_bw) {
		warning("probe: the in-cache triad (%.4g B/s) ran no faster than DRAM's (%.4g B/s): "
			"no on_chip.llc_bandwidth_gbs", v, dram_bw);
		return 0;
	}
	snprintf(note, sizeof(note), "STREAM triad fp64, arrays %.3g MiB in all (half the last-level cache), "
		 "minimum bytes", 24.0 * (double)n / 1048576.0);
	profile_doc_fig(doc, "on_chip.llc_bandwidth_gbs", v / 1e9, "PROBE", "measured", note);
	return probe_llc_gemv(pr, doc, llc);
}

/* Memory, caches and the compute layout. */
static int probe_memory(struct probe *pr, struct nb_profile_doc *doc)
{
	const struct nb_cpu *cpu = cpu_detect();
	double v, dram;

	profile_doc_str(doc, "memory.type", "DRAM");
	profile_doc_fig(doc, "memory.capacity_gib", cpu->mem_total / 1073741824.0, "CPU", "measured", "total memory");
	if ((v = measure("stream op=triad dtype=fp64", pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	profile_doc_fig(doc, "memory.bandwidth_gbs", v / 1e9, "PROBE", "measured",
			"STREAM triad fp64, arrays 4x the last-level cache, minimum bytes");
	dram = v;
	/* Reading alone and writing alone often run at other rates. */
	if ((v = measure("stream op=sum dtype=fp64", pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	profile_doc_fig(doc, "memory.read_bandwidth_gbs", v / 1e9, "PROBE", "measured",
			"read-only stream (sum) fp64, arrays 4x the last-level cache");
	if ((v = measure("stream op=fill dtype=fp64", pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	profile_doc_fig(doc, "memory.write_bandwidth_gbs", v / 1e9, "PROBE", "measured",
			"write-only stream (fill) fp64, arrays 4x the last-level cache");
	profile_doc_fig(doc, "on_chip.llc_mib", (cpu->l3 > 0 ? cpu->l3 : cpu->l2 > 0 ? cpu->l2 : 1 << 20) / 1048576.0,
			"CPU", "measured", "last-level cache as detected");
	if (cpu->l2 > 0)
		profile_doc_fig(doc, "on_chip.local_kib", cpu->l2 / 1024.0, "CPU", "measured", "L2 per core");
	if (probe_llc(pr, doc, dram))
		return -1;
	profile_doc_str(doc, "compute.unit_kind", "thread");
	profile_doc_fig(doc, "compute.units", (double)pr->threads, "PROBE", "measured", "worker threads of the probe");
	/* m is not padded: the FMA vectors run along n, and skinny GEMMs
	 * (m <= 4) take a GEMV path that streams B without packing. */
	profile_doc_fig(doc, "compute.tile_m", 1, "EST", "estimate",
			"rows are not padded: the FMA vectors run along n, and m <= 4 "
			"takes the GEMV path (the micro-kernel's 6 rows cost only at the edge)");
	profile_doc_fig(doc, "compute.tile_n", 16, "EST", "estimate", "the GEMM micro-kernel's 16 columns");
	profile_doc_fig(doc, "compute.tile_k", 1, "EST", "estimate", "k is not padded");
	profile_doc_fig(doc, "compute.block_m", 96, "EST", "estimate", "rows of A one thread packs and multiplies at a time");
	profile_doc_fig(doc, "compute.block_n", 256, "EST", "estimate", "columns of B one thread takes at a time");
	return 0;
}

/* CSR at two densities: time = (a + 2 m n c) / rate, with a the
 * multiply-add operations the kernel declares on its non-zeros, gives the
 * rate of those and c, the cost of each output element in multiply-adds. */
static int probe_csr(struct probe *pr, struct nb_profile_doc *doc)
{
	static const double dens[2] = { 0.02, 0.2 };
	double t[2], a[2], sz = (double)pr->size, rate, cost;
	char buf[256], note[256];

	for (int i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "spmm pattern=csr dtype=fp32 density=%g m=%lld n=%lld k=%lld",
			 dens[i], (long long)pr->size, (long long)pr->size, (long long)pr->size);
		if (measure_work(buf, pr->pool, &pr->mo, &t[i], &a[i]) < 0)
			return -1;
	}
	rate = (a[1] - a[0]) / (t[1] - t[0]);
	if (!(t[1] > t[0]) || rate > pr->fma)
		rate = a[1] / t[1];	/* noise: one point */
	cost = (t[0] * rate - a[0]) / 2.0 / (sz * sz);
	if (cost < 0)
		cost = 0;
	snprintf(note, sizeof(note), "fp32 CSR spmm %lld^3 at densities 0.02 and 0.2: non-zero "
		 "multiply-adds at %.4g FLOP/s / FMA peak", (long long)pr->size, rate);
	profile_doc_fig(doc, "model.csr_efficiency", rate / pr->fma > 1 ? 1 : rate / pr->fma, "PROBE", "measured", note);
	/* A fit of no per-output cost (the denser timing explains it all) is
	 * the model's default, an absent figure: profiles hold only positive
	 * figures. */
	if (cost >= 1e-6)
		profile_doc_fig(doc, "model.csr_output_madds", cost, "PROBE", "derived",
				"fitted with csr_efficiency to the two CSR timings: the cost of "
				"each output element in multiply-adds");
	return 0;
}

/* The host workloads' elementwise loops (workload-ew.h) run on one thread
 * whatever --threads says, as separate passes over fp32 activations, and
 * most of them are bound by their instructions, not by a memory level: the
 * workload model charges their elements at these rates (and their bytes at
 * the bandwidth of the level they live in, the longer of the two). */
static int probe_elementwise(struct nb_profile_doc *doc)
{
	static const struct { const char *key, *note; } f[3] = {
		{ "compute.elementwise_gelems",
		  "one thread's vector pass rounding fp32 to bf16 (the host workloads' plain elementwise pass), "
		  "32 Ki elements within L2, fastest of 7 blocks" },
		{ "compute.elementwise_exp_gelems",
		  "one thread's vector pass computing one exponential per element (the host workloads' softmax "
		  "exponentials), 32 Ki elements within L2, fastest of 7 blocks" },
		{ "compute.elementwise_act_gelems",
		  "one thread's GELU (tanh form), the host workloads' MLP activation, 32 Ki elements within L2, "
		  "fastest of 7 blocks" },
	};
	int isa = cpu_detect()->isa;

	for (int i = 0; i < 3; i++) {
		double v;

		if (ranks_rank() == 0)
			fprintf(stderr, "probe: %s ...", f[i].key);
		if ((v = wl_ew_rate(isa, i)) <= 0)
			return error("probe: %s: cannot allocate its buffers", f[i].key);
		if (ranks_rank() == 0)
			fprintf(stderr, " %.4g elements/s\n", v);
		profile_doc_fig(doc, f[i].key, v / 1e9, "PROBE", "measured", f[i].note);
	}
	return 0;
}

/* The model's efficiencies and latencies. */
static int probe_model(struct probe *pr, struct nb_profile_doc *doc)
{
	double launch_s = 0;
	char note[256];

	snprintf(note, sizeof(note), "fp32 GEMM %lld^3 measured %.4g FLOP/s / FMA peak", (long long)pr->size,
		 pr->gemm32);
	profile_doc_fig(doc, "model.gemm_efficiency", pr->eff, "PROBE", "measured", note);
	profile_doc_fig(doc, "model.tile_overhead_k", 16, "EST", "estimate",
			"packing and C updates per block, as reduction steps");
	if ((pr->att = measure(ATTENTION_CASE, pr->pool, &pr->mo, NULL)) < 0)
		return -1;
	profile_doc_fig(doc, "model.attention_efficiency", pr->att / pr->fma > 1 ? 1 : pr->att / pr->fma,
			"PROBE", "measured", "fp32 attention b=1 h=8 s=2048 d=128 throughput / FMA peak");
	profile_doc_fig(doc, "model.stream_efficiency", 1, "PROBE", "derived",
			"1 by construction: the bandwidth is the triad's own");
	if (measure("gemm dtype=fp32 m=8 n=8 k=8", pr->pool, &pr->mo, &launch_s) < 0)
		return -1;
	profile_doc_fig(doc, "model.launch_us", launch_s * 1e6 > 0 ? launch_s * 1e6 : 1, "PROBE", "measured",
			"an 8x8x8 GEMM: dispatch to the pinned threads and back");
	profile_doc_fig(doc, "model.overlap", 0.5, "EST", "estimate",
			"hardware prefetch hides part of the memory time behind FMAs");
	if (probe_elementwise(doc))
		return -1;
	return probe_csr(pr, doc);
}

/* Writes the profile; it must pass the strict loader like any profile.  Then
 * the model must reproduce the probe's own GEMM and attention: the
 * efficiencies are the rate before the model's losses (tiles, softmax,
 * launch), so each is scaled by measured / predicted once, and the profile
 * written again. */
static int probe_write(struct probe *pr, struct nb_profile_doc *doc)
{
	struct nb_profile *check = NULL;
	int ret = -1;

	if (profile_doc_write(doc, pr->out, &check))
		goto out;
	if (recalibrate(doc, "model.gemm_efficiency", check, pr->gemm_case, pr->gemm32) |
	    recalibrate(doc, "model.attention_efficiency", check, ATTENTION_CASE, pr->att)) {
		profile_free(check);
		check = NULL;
		if (profile_doc_write(doc, pr->out, &check))
			goto out;
	}
	ret = 0;
out:
	profile_free(check);
	return ret;
}

/* The interconnect of MPI ranks: a send/recv ring shift (every rank sends
 * to the next and receives from the previous at once, as each step of a
 * ring collective does) from 8 B to 16 MiB, fitted to t = alpha + S / beta. */
#define LINK_SIZES 8

static int probe_link(struct probe *pr, double *alpha, double *beta)
{
	double bytes[LINK_SIZES], secs[LINK_SIZES];
	char text[96];

	for (int i = 0; i < LINK_SIZES; i++) {
		bytes[i] = (double)(8LL << (3 * i));
		snprintf(text, sizeof(text), "collective op=sendrecv dtype=fp32 bytes=%.0f", bytes[i]);
		if (measure(text, pr->pool, &pr->mo, &secs[i]) < 0)
			return -1;
	}
	if (coll_fit_alpha_beta(bytes, secs, LINK_SIZES, alpha, beta))
		return error("probe: the send/recv times do not grow with the message size "
			     "(%.3g s at 8 B, %.3g s at %.0f B): a busy machine? probe again", secs[0],
			     secs[LINK_SIZES - 1], bytes[LINK_SIZES - 1]);
	if (ranks_rank() == 0)
		fprintf(stderr, "probe: alpha %.3g us, beta %.4g GB/s per rank and direction\n",
			*alpha * 1e6, *beta / 1e9);
	return 0;
}

/* The interconnect section of the host profile, from ALPHA and BETA
 * measured on the ranks of HOSTS (comma separated). */
static void link_section(struct nb_profile_doc *doc, const char *hosts, double alpha, double beta)
{
	char *lib = xstrdup(ranks_library()), *name, *src, when[32];
	int one_host = 1, r = ranks_size();

	for (const char *c = hosts, *first = hosts; (c = strchr(c, ',')); c++)
		one_host &= !strncmp(c + 1, first, strcspn(first, ",")) &&
			    strcspn(c + 1, ",") == strcspn(first, ",");
	lib[strcspn(lib, ",")] = '\0';
	nb_iso8601_now(when, sizeof(when));
	name = one_host ? xasprintf("MPI shared memory (%s)", lib) : xasprintf("MPI across hosts (%s)", lib);
	src = xasprintf("npubench %s profile probe under mpirun, %d ranks on %s, %s: send/recv ring "
			"shift of 8 B to 16 MiB (slowest rank per sample), fitted to t = alpha + bytes / beta",
			PACKAGE_VERSION, r, hosts, when);
	profile_doc_str(doc, "sources.MPI", src);
	profile_doc_str(doc, "interconnect.name", name);
	profile_doc_fig(doc, "interconnect.bandwidth_gbs", 2 * beta / 1e9, "MPI", "derived",
			"beta both ways: each rank sends and receives at once");
	profile_doc_fig(doc, "interconnect.latency_us", alpha * 1e6, "MPI", "derived",
			"alpha: the fitted cost of one message step (MPI's call, the copy's start)");
	profile_doc_str(doc, "interconnect.scale_up.kind", "switch");
	profile_doc_fig(doc, "interconnect.scale_up.chips", r, "MPI", "measured",
			"the ranks of the probe: a collective on more ranks is not predicted");
	profile_doc_fig(doc, "interconnect.scale_up.links_per_chip", 1, "MPI", "derived",
			"one path per rank: beta is what one rank's sends reach");
	profile_doc_fig(doc, "interconnect.scale_up.link_bandwidth_gbs", beta / 1e9, "MPI", "derived",
			"beta: the fitted rate of one rank's sends while every rank sends");
	profile_doc_fig(doc, "interconnect.scale_up.base_us", 0.001, "EST", "estimate",
			"no fixed cost beyond alpha: MPI's per-call cost is inside each step's alpha");
	profile_doc_fig(doc, "interconnect.scale_up.efficiency", 1, "MPI", "derived",
			"1 by construction: beta is the rate data moved at, not a line rate");
	free(lib);
	free(name);
	free(src);
}

/* Under mpirun: the host's interconnect, merged into the host profile a
 * plain probe wrote (compute and memory need one process alone). */
static int probe_ranks(struct probe *pr)
{
	struct nb_profile_doc *doc = NULL;
	struct nb_profile *check = NULL;
	double alpha = 0, beta = 0, bad = 0;
	char *hosts = ranks_hostnames();	/* every rank takes part */
	int ret = -1;

	if (ranks_rank() == 0 && profile_doc_read(pr->out, &doc)) {
		error("probe: under mpirun, 'profile probe' adds the interconnect to the host profile: "
		      "run 'npubench profile probe' alone first (writes %s)", pr->out);
		bad = 1;
	}
	ranks_max(&bad, 1);
	if (bad || probe_link(pr, &alpha, &beta))
		goto out;
	if (ranks_rank() == 0) {
		link_section(doc, hosts, alpha, beta);
		if (profile_doc_write(doc, pr->out, &check))
			goto out;
		printf("%s\n", pr->out);
	}
	ret = 0;
out:
	profile_free(check);
	profile_doc_free(doc);
	free(hosts);
	return ret;
}

/* A plain probe keeps the interconnect an earlier probe under mpirun
 * measured: compute and memory do not change it. */
static void keep_interconnect(const char *file, struct nb_profile_doc *doc)
{
	struct nb_profile_doc *old = NULL;

	if (access(file, F_OK) || profile_doc_read(file, &old))
		return;
	if (profile_doc_has(old, "interconnect.scale_up") && profile_doc_has(old, "sources.MPI")) {
		profile_doc_take(doc, old, "interconnect");
		profile_doc_take(doc, old, "sources.MPI");
	}
	profile_doc_free(old);
}

/* Says when the probe shares the CPUs with other work: at the start, and
 * in the profile's notes when some measurement was disturbed. */
static void probe_hygiene_start(struct nb_ctx *ctx, const struct probe *pr)
{
	char who[256];
	double others;

	active_register(ctx->cmdline ? ctx->cmdline : "npubench profile probe");
	if (active_others(who, sizeof(who)) > 0)
		warning("probe: another npubench measurement shares this machine (%s): the profile "
			"will understate it", who);
	others = load_now(NB_LOAD_MIN_INTERVAL);
	if (load_disturbs(others, (int)pr->threads, cpu_detect()->online_cpus))
		warning("probe: other processes keep %.1f of the %d CPUs busy: the profile will "
			"understate this host", others, cpu_detect()->online_cpus);
}

static void probe_hygiene_end(const struct probe *pr, struct nb_profile_doc *doc)
{
	char buf[512];

	if (!probe_disturbed)
		return;
	warning("probe: %d measurement(s) ran while other work shared the CPUs: the profile "
		"understates this host; probe again on a quiet machine", probe_disturbed);
	snprintf(buf, sizeof(buf), "%s; %d measurement(s) disturbed by other work on the CPUs "
		 "(flagged loaded or concurrent_run): figures understate the host",
		 pr->notes, probe_disturbed);
	profile_doc_str(doc, "notes", buf);
}

int profile_probe_main(int argc, char **argv, struct nb_ctx *ctx)
{
	struct probe pr = { .mo = NB_MEASURE_DEFAULTS };
	struct nb_profile_doc *doc = NULL;
	int ret;

	if ((ret = probe_options(argc, argv, ctx, &pr)))
		goto out;
	if (pr.target && strcmp(pr.target, "host")) {
		char msg[256];
		int index;

		if (cuda_parse_word(pr.target, &index, msg, sizeof(msg)) != 1) {
			ret = usage_error(&nb_cmd_profile, "--target '%s': probe measures 'host' or a GPU, "
					  "cuda:N", pr.target);
			goto out;
		}
		ret = profile_probe_cuda(ctx, index, pr.size_set ? pr.size : 8192,
					 pr.mo.min_time, pr.out_set ? pr.out : NULL);
		goto out;
	}
	ret = NB_EXIT_FAIL;
	if (ranks_many()) {
		pr.pool = pool_create(1, 0);
		if (pr.pool && probe_ranks(&pr) == 0)
			ret = 0;
		goto out;
	}
	probe_disturbed = 0;
	probe_hygiene_start(ctx, &pr);
	pr.pool = pool_create((int)pr.threads, 1);
	if (!pr.pool || probe_roof(&pr))
		goto out;
	doc = profile_doc_new();
	probe_header(&pr, doc);
	keep_interconnect(pr.out, doc);
	if (probe_compute(&pr, doc) || probe_memory(&pr, doc) || probe_model(&pr, doc))
		goto out;
	probe_hygiene_end(&pr, doc);
	if (probe_write(&pr, doc))
		goto out;
	printf("%s\n", pr.out);
	probe_where_note(ctx, pr.out, pr.id);
	ret = 0;
out:
	active_unregister();
	profile_doc_free(doc);
	pool_free(pr.pool);
	free(pr.out);
	return ret;
}
