/* The GPU target's host side: finding and loading npubench-cuda.so, and
 * translating between npubench's cases and results and the plugin's plain
 * structs.  No CUDA header is included here; the program runs (and says
 * why not) on machines without CUDA. */
#include "targets/cuda.h"

#include "report/jsonw.h"

#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets/target.h"
#include "util/stats.h"
#include "util/util.h"

#ifndef NB_PKGLIBDIR
#define NB_PKGLIBDIR ""
#endif

/* Loaded once per process; the reason kept when it failed. */
static struct {
	int tried;
	void *handle;
	const struct nb_cuda_plugin *p;
	int ndev;
	char why[512];
} plug;

static void *try_dlopen(const char *path, char *why, size_t whylen)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (h)
		return h;
	e = dlerror();
	snprintf(why, whylen, "cannot load the CUDA plugin '%.250s': %.200s", path, e ? e : "unknown error");
	return NULL;
}

#ifdef NB_HAVE_CUDA
#define BUILT_WITH_CUDA 1
#else
#define BUILT_WITH_CUDA 0
#endif

int cuda_plugin_path(int built_with_cuda, char *path, size_t pathlen, char *why, size_t whylen)
{
	const char *env = getenv(NB_CUDA_PLUGIN_ENV);
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(path, pathlen, "%s", env);
		return 0;
	}
	if (!built_with_cuda) {
		snprintf(why, whylen, "this npubench was built without CUDA support "
			 "(configure --with-cuda, or set %s to a plugin file)", NB_CUDA_PLUGIN_ENV);
		return -1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, pathlen, "%s/%s", self, NB_CUDA_PLUGIN_FILE);
			if (access(path, F_OK) == 0)
				return 0;
		}
	}
	snprintf(path, pathlen, "%s/%s", NB_PKGLIBDIR, NB_CUDA_PLUGIN_FILE);
	if (access(path, F_OK) != 0) {
		snprintf(why, whylen, "the CUDA plugin '%.300s' is missing (reinstall npubench, or set %s)",
			 path, NB_CUDA_PLUGIN_ENV);
		return -1;
	}
	return 0;
}

static const struct nb_cuda_plugin *load(char *why, size_t whylen)
{
	char path[PATH_MAX + 32];
	nb_cuda_plugin_fn fn;
	const struct nb_cuda_plugin *p;

	if (cuda_plugin_path(BUILT_WITH_CUDA, path, sizeof(path), why, whylen))
		return NULL;
	plug.handle = try_dlopen(path, why, whylen);
	if (!plug.handle)
		return NULL;
	*(void **)&fn = dlsym(plug.handle, NB_CUDA_PLUGIN_SYMBOL);
	if (!fn) {
		snprintf(why, whylen, "'%.300s' is not an npubench CUDA plugin (no symbol %s)",
			 path, NB_CUDA_PLUGIN_SYMBOL);
		return NULL;
	}
	p = fn();
	if (!p || p->abi_version != NB_CUDA_ABI_VERSION || p->size != sizeof(*p)) {
		snprintf(why, whylen, "the CUDA plugin '%.300s' speaks plugin ABI %u but this npubench "
			 "needs %u: rebuild and reinstall both from one source tree",
			 path, p ? p->abi_version : 0, NB_CUDA_ABI_VERSION);
		return NULL;
	}
	return p;
}

const struct nb_cuda_plugin *cuda_plugin(int *ndev, char *why, size_t whylen)
{
	if (!plug.tried) {
		plug.tried = 1;
		plug.p = load(plug.why, sizeof(plug.why));
		if (plug.p) {
			char err[384];

			if (plug.p->init(&plug.ndev, err, sizeof(err)) != NB_CUDA_OK) {
				snprintf(plug.why, sizeof(plug.why), "%s", err);
				plug.p = NULL;
			}
		}
		/* The plugin stays loaded: the driver and libraries it pulled in
		 * may keep threads that must not lose their code. */
	}
	if (!plug.p) {
		snprintf(why, whylen, "%s", plug.why);
		return NULL;
	}
	if (ndev)
		*ndev = plug.ndev;
	return plug.p;
}

int cuda_parse_word(const char *word, int *index, char *msg, size_t msglen)
{
	char *end;
	long v;

	if (strncmp(word, "cuda", 4) != 0)
		return 0;
	if (word[4] != ':' || word[5] < '0' || word[5] > '9') {
		snprintf(msg, msglen, "'%s': a GPU target is spelled cuda:N, N the device index (cuda:0)",
			 word);
		return -1;
	}
	v = strtol(word + 5, &end, 10);
	if (*end || v > 4095) {
		snprintf(msg, msglen, "'%s': a GPU target is spelled cuda:N, N the device index (cuda:0)",
			 word);
		return -1;
	}
	*index = (int)v;
	return 1;
}

void *cuda_open(int index, char *why, size_t whylen)
{
	const struct nb_cuda_plugin *p;
	void *dev = NULL;
	int n;

	p = cuda_plugin(&n, why, whylen);
	if (!p)
		return NULL;
	/* The callers name the target before the reason. */
	if (index >= n && n == 1) {
		snprintf(why, whylen, "no such GPU (this machine has one, cuda:0)");
		return NULL;
	}
	if (index >= n) {
		snprintf(why, whylen, "no such GPU (this machine has %d, cuda:0 to cuda:%d)", n, n - 1);
		return NULL;
	}
	if (p->open(index, &dev, why, whylen) != NB_CUDA_OK)
		return NULL;
	return dev;
}

void cuda_close(void *dev)
{
	if (dev && plug.p)
		plug.p->close(dev);
}

static int map_dtype(enum nb_dtype t)
{
	switch (t) {
	case NB_FP64: return NB_CUDA_FP64;
	case NB_FP32: return NB_CUDA_FP32;
	case NB_TF32: return NB_CUDA_TF32;
	case NB_FP16: return NB_CUDA_FP16;
	case NB_BF16: return NB_CUDA_BF16;
	case NB_FP8: return NB_CUDA_FP8_E4M3;
	case NB_INT8: return NB_CUDA_INT8;
	default: return -1;
	}
}

/* The text of parameter NAME (enum parameters: their choice). */
static const char *param_text(const struct nb_case *c, const char *name, char *buf, size_t n)
{
	int i = kernel_param_index(c->kernel, name);

	return i < 0 ? "" : case_value_text(c, i, buf, n);
}

static int stream_op(const char *op)
{
	static const char *const ops[] = {
		[NB_CUDA_COPY] = "copy", [NB_CUDA_SCALE] = "scale", [NB_CUDA_ADD] = "add",
		[NB_CUDA_TRIAD] = "triad", [NB_CUDA_SUM] = "sum", [NB_CUDA_FILL] = "fill",
		[NB_CUDA_MEMCPY] = "memcpy",
	};

	for (size_t i = 0; i < NB_ARRAY_SIZE(ops); i++)
		if (!strcmp(op, ops[i]))
			return (int)i;
	return -1;
}

int cuda_case_from(const struct nb_case *c, uint64_t seed, struct nb_cuda_case *out,
		   char *msg, size_t msglen)
{
	const char *k = c->kernel->name;
	char buf[64];
	int dt = kernel_param_index(c->kernel, "dtype") >= 0 ? map_dtype(case_dtype(c)) : -1;

	memset(out, 0, sizeof(*out));
	out->seed = seed;
	out->dtype = dt;
	/* TF32 is how cuBLASLt multiplies fp32 inputs (impl=tf32), not a
	 * storage type: the plugin's own dtype. */
	if (!strcmp(k, "gemm") && !strcmp(param_text(c, "impl", buf, sizeof(buf)), "tf32")) {
		if (dt != NB_CUDA_FP32) {
			snprintf(msg, msglen, "gemm impl=tf32 multiplies fp32 inputs; dtype=%s has its own "
				 "path (drop impl=tf32)", param_text(c, "dtype", buf, sizeof(buf)));
			return -1;
		}
		out->dtype = dt = NB_CUDA_TF32;
	}
	/* The plugin runs cuBLASLt GEMMs (fp32 also as TF32) and cuDNN attention. */
	if (case_measurable(c, dt == NB_CUDA_TF32 ? "cublaslt|cudnn|tf32" : "cublaslt|cudnn", 1, msg, msglen))
		return -1;
	if (dt < 0) {
		snprintf(msg, msglen, "no GPU path for dtype %s",
			 param_text(c, "dtype", buf, sizeof(buf)));
		return -1;
	}
	if (!strcmp(k, "gemm")) {
		out->family = NB_CUDA_GEMM;
		out->m = case_int(c, "m");
		out->n = case_int(c, "n");
		out->k = case_int(c, "k");
		out->round = kernel_param_index(c->kernel, "round") >= 0 && case_int(c, "round");
	} else if (!strcmp(k, "attention")) {
		out->family = NB_CUDA_ATTENTION;
		out->batch = case_int(c, "batch");
		out->heads = case_int(c, "heads");
		out->seq_q = case_int(c, "seq_q");
		out->seq_k = case_int(c, "seq_k") ? case_int(c, "seq_k") : out->seq_q;
		out->head_dim = case_int(c, "head_dim");
		out->causal = (int32_t)case_int(c, "causal");
		out->amp = c->v[kernel_param_index(c->kernel, "amp")].r;
	} else if (!strcmp(k, "spmm")) {
		out->family = NB_CUDA_SPMM;
		out->sparsity = !strcmp(param_text(c, "pattern", buf, sizeof(buf)), "csr")
			? NB_CUDA_SPARSE_CSR : NB_CUDA_SPARSE_2_4;
		out->m = case_int(c, "m");
		out->n = case_int(c, "n");
		out->k = case_int(c, "k");
		out->density = c->v[kernel_param_index(c->kernel, "density")].r;
	} else if (!strcmp(k, "stream")) {
		out->family = NB_CUDA_STREAM;
		out->op = stream_op(param_text(c, "op", buf, sizeof(buf)));
		out->elems = case_int(c, "n");
		if (out->op < 0) {
			snprintf(msg, msglen, "no GPU path for stream op=%s", buf);
			return -1;
		}
	} else {
		snprintf(msg, msglen, "no GPU path for kernel %s", k);
		return -1;
	}
	return 0;
}

static void add_flag(struct strbuf *flags, const char *fmt, ...) NB_PRINTF(2, 3);

static void add_flag(struct strbuf *flags, const char *fmt, ...)
{
	va_list ap;

	if (flags->len)
		sb_adds(flags, ",");
	va_start(ap, fmt);
	sb_vaddf(flags, fmt, ap);
	va_end(ap);
}

/* The plugin's answer into R: statistics, verification, and the clocks,
 * power and temperature as flags (sm_mhz=, mem_mhz=, power_w=, temp_c=). */
static void fill_result(const struct nb_cuda_result *cr, struct nb_result *r)
{
	static const enum nb_result_status status[] = {
		[NB_CUDA_RES_OK] = NB_RES_OK, [NB_CUDA_RES_VERIFY_FAILED] = NB_RES_VERIFY_FAILED,
		[NB_CUDA_RES_UNSUPPORTED] = NB_RES_UNSUPPORTED, [NB_CUDA_RES_NO_FIT] = NB_RES_NO_FIT,
		[NB_CUDA_RES_ERROR] = NB_RES_ERROR,
	};
	struct strbuf flags = STRBUF_INIT;

	r->status = cr->status >= 0 && cr->status <= NB_CUDA_RES_ERROR ? status[cr->status]
								       : NB_RES_ERROR;
	if (cr->impl[0]) {
		free(r->impl);
		r->impl = xstrdup(cr->impl);
	}
	if (cr->message[0])
		r->message = xstrdup(cr->message);
	if (r->status != NB_RES_OK && r->status != NB_RES_VERIFY_FAILED)
		return;
	r->nsamples = cr->nsamples;
	stats_compute(r->samples, (size_t)r->nsamples, &r->stats);
	r->seconds = r->stats.median;
	r->throughput = (!strcmp(r->unit, "B/s") ? r->bytes : r->ops) / r->seconds;
	r->verify_err = cr->verify_err;
	r->verify_tol = cr->verify_tol;
	r->verify_what = xstrdup(cr->verify_what[0] ? cr->verify_what : "max error");
	if (r->status == NB_RES_VERIFY_FAILED && !r->message)
		r->message = xasprintf("verification failed: error %.3g exceeds tolerance %.3g (%s)",
				       cr->verify_err, cr->verify_tol, r->verify_what);
	if (cr->launches > 1)
		add_flag(&flags, "batched=%d", cr->launches);
	if (cr->l2_flushed)
		add_flag(&flags, "l2_flushed");
	if (cr->clocks_moved)
		add_flag(&flags, "clocks_moved");
	if (cr->yardstick[0])
		add_flag(&flags, "vs_%s=%.3f", cr->yardstick, cr->yardstick_ratio);
	if (cr->after.valid) {
		add_flag(&flags, "sm_mhz=%.0f,mem_mhz=%.0f,power_w=%.0f,temp_c=%.0f",
			 cr->after.sm_mhz, cr->after.mem_mhz, cr->after.power_w, cr->after.temp_c);
	} else {
		/* The flag says the clock and power flags are missing; the
		 * message why. */
		char *m = r->message;

		add_flag(&flags, "no_clocks");
		r->message = xasprintf("%s%sclocks not recorded: %s", m ? m : "", m ? "; " : "",
				       cr->sensors_why[0] ? cr->sensors_why : "NVML gave no reading");
		free(m);
	}
	if (stats_noisy(&r->stats))
		add_flag(&flags, "noisy");
	if (flags.len)
		r->flags = sb_detach(&flags);
	sb_release(&flags);
}

int cuda_measure(void *dev, int index, const struct nb_case *c, const struct nb_measure_opts *o,
		 int l2_flush, struct nb_result *r)
{
	const struct nb_cuda_plugin *p = plug.p;
	struct nb_cuda_measure m = { o->min_time, o->min_reps, o->max_reps, 0, l2_flush };
	struct nb_cuda_result cr;
	struct nb_cuda_case cc;
	struct nb_cuda_device d;
	struct nb_target_mem mem = { 0 };
	struct nb_case kc;
	char msg[256];
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&cr, 0, sizeof(cr));
	/* Sizes left to the target (stream n=0) are set past the GPU's L2,
	 * its last-level cache. */
	if (p->device_info(index, &d, msg, sizeof(msg)) == NB_CUDA_OK)
		mem.llc_bytes = (double)d.l2_bytes;
	case_resolve(c, &mem, &kc);
	result_set_case(r, &kc);
	r->target = xasprintf("cuda:%d", index);
	r->kind = NB_MEASURED;
	r->threads = 1;
	r->impl = xstrdup(c->kernel->name);
	if (cuda_case_from(&kc, o->seed, &cc, msg, sizeof(msg))) {
		r->status = NB_RES_UNSUPPORTED;
		r->message = xstrdup(msg);
		return 0;
	}
	r->samples = xcalloc((size_t)(o->max_reps > 0 ? o->max_reps : 1), sizeof(double));
	cr.samples = r->samples;
	rc = p->run(dev, &cc, &m, &cr);
	fill_result(&cr, r);
	if (r->status != NB_RES_OK && r->status != NB_RES_VERIFY_FAILED) {
		free(r->samples);
		r->samples = NULL;
		r->nsamples = 0;
	}
	return rc ? -1 : 0;
}

void cuda_info_print(FILE *f)
{
	const struct nb_cuda_plugin *p;
	char why[512];
	int n;

	p = cuda_plugin(&n, why, sizeof(why));
	if (!p) {
		fprintf(f, "gpus:       none usable: %s\n", why);
		return;
	}
	fprintf(f, "gpus:       %d (plugin: %s)\n", n, p->build);
	for (int i = 0; i < n; i++) {
		struct nb_cuda_sensors s;
		struct nb_cuda_device d;

		if (p->device_info(i, &d, why, sizeof(why)) != NB_CUDA_OK) {
			fprintf(f, "  cuda:%d    %s\n", i, why);
			continue;
		}
		fprintf(f, "  cuda:%d    %s (sm_%d%d), %d SMs, SM clock %.0f MHz, memory %.1f GiB "
			"at %.0f MHz on %d bits, L2 %.1f MiB, PCI %s, driver %d.%d, runtime %d.%d\n",
			i, d.name, d.cc_major, d.cc_minor, d.sms, d.sm_clock_mhz,
			(double)d.mem_bytes / 1073741824.0, d.mem_clock_mhz, d.mem_bus_bits,
			(double)d.l2_bytes / 1048576.0, d.pci_bus_id, d.driver_version / 1000,
			d.driver_version % 1000 / 10, d.runtime_version / 1000,
			d.runtime_version % 1000 / 10);
		p->sensors(i, &s, why, sizeof(why));
		if (s.valid)
			fprintf(f, "            now: SM %.0f MHz, memory %.0f MHz, %.0f W, %.0f C (NVML)\n",
				s.sm_mhz, s.mem_mhz, s.power_w, s.temp_c);
		else
			fprintf(f, "            clocks not recorded with results: %s\n", why);
	}
}

/* NVML's reading now, or null and why not. */
static void info_sensors_json(const struct nb_cuda_plugin *p, int index, struct nb_json *o)
{
	struct nb_cuda_sensors s;
	struct nb_json *j;
	char why[256];

	p->sensors(index, &s, why, sizeof(why));
	if (!s.valid) {
		json_set(o, "sensors", json_null());
		json_set_str(o, "sensors_error", why);
		return;
	}
	j = json_set(o, "sensors", json_object());
	json_set_num(j, "sm_mhz", s.sm_mhz);
	json_set_num(j, "mem_mhz", s.mem_mhz);
	json_set_num(j, "power_w", s.power_w);
	json_set_num(j, "temp_c", s.temp_c);
	json_set(o, "sensors_error", json_null());
}

void cuda_info_json(struct nb_json *root)
{
	struct nb_json *g = json_set(root, "gpus", json_object()), *devs;
	const struct nb_cuda_plugin *p;
	char why[512], buf[32];
	int n = 0;

	p = cuda_plugin(&n, why, sizeof(why));
	json_set(g, "available", json_bool(p != NULL));
	if (p)
		json_set(g, "reason", json_null());
	else
		json_set_str(g, "reason", why);
	if (p)
		json_set_str(g, "plugin", p->build);
	else
		json_set(g, "plugin", json_null());
	devs = json_set(g, "devices", json_array());
	for (int i = 0; p && i < n; i++) {
		struct nb_json *o = json_push(devs, json_object());
		struct nb_cuda_device d;

		snprintf(buf, sizeof(buf), "cuda:%d", i);
		json_set_str(o, "target", buf);
		if (p->device_info(i, &d, why, sizeof(why)) != NB_CUDA_OK) {
			json_set_str(o, "error", why);
			continue;
		}
		json_set_str(o, "name", d.name);
		snprintf(buf, sizeof(buf), "%d.%d", d.cc_major, d.cc_minor);
		json_set_str(o, "compute_capability", buf);
		json_set_num(o, "sms", d.sms);
		json_set_num(o, "sm_clock_mhz", d.sm_clock_mhz);
		json_set_num(o, "mem_clock_mhz", d.mem_clock_mhz);
		json_set_num(o, "mem_bus_bits", d.mem_bus_bits);
		json_set_num(o, "memory_bytes", (double)d.mem_bytes);
		json_set_num(o, "l2_bytes", (double)d.l2_bytes);
		json_set_str(o, "pci_bus_id", d.pci_bus_id);
		snprintf(buf, sizeof(buf), "%d.%d", d.driver_version / 1000, d.driver_version % 1000 / 10);
		json_set_str(o, "driver_version", buf);
		snprintf(buf, sizeof(buf), "%d.%d", d.runtime_version / 1000, d.runtime_version % 1000 / 10);
		json_set_str(o, "runtime_version", buf);
		info_sensors_json(p, i, o);
	}
}

/* GPUs as a target kind: "cuda:N", measured.  Resolving only reads the
 * word, so stored results can be selected on machines without a GPU; the
 * plugin and the driver are loaded when a run opens the target, and a GPU
 * that cannot be used says why then. */

static int target_index(const struct nb_target *t)
{
	return atoi(t->id + 5);
}

static int cuda_resolve(struct nb_ctx *ctx, const char *word, struct nb_targets *out)
{
	char msg[256], id[32];
	int index;

	NB_UNUSED(ctx);
	switch (cuda_parse_word(word, &index, msg, sizeof(msg))) {
	case 0:
		return 0;
	case -1:	/* a misspelt word is the command line's fault */
		error("%s", msg);
		return NB_TARGETS_USAGE;
	}
	snprintf(id, sizeof(id), "cuda:%d", index);
	targets_add(out, &nb_target_cuda, id, NULL, 0);
	return 1;
}

/* Every GPU the driver sees; none (silently) where there is no plugin,
 * driver or GPU: listing is not the place to fail. */
static int cuda_each(struct nb_ctx *ctx, int default_only, struct nb_targets *out)
{
	char why[512], id[32];
	int n = 0;

	NB_UNUSED(ctx);
	if (default_only || !cuda_plugin(&n, why, sizeof(why)))
		return 0;
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "cuda:%d", i);
		targets_add(out, &nb_target_cuda, id, NULL, 0);
	}
	return n;
}

static const char *cuda_name_of(const struct nb_target *t, int i)
{
	return i == 0 ? t->id : NULL;
}

static const char *cuda_describe(const struct nb_target *t)
{
	static char name[160];
	const struct nb_cuda_plugin *p;
	struct nb_cuda_device d;
	char why[512];

	p = cuda_plugin(NULL, why, sizeof(why));
	if (p && p->device_info(target_index(t), &d, why, sizeof(why)) == NB_CUDA_OK)
		snprintf(name, sizeof(name), "%s", d.name);
	else
		snprintf(name, sizeof(name), "NVIDIA GPU (not available here)");
	return name;
}

static int cuda_target_open(struct nb_target *t, const struct nb_target_run *env)
{
	char why[512];

	NB_UNUSED(env);
	t->priv = cuda_open(target_index(t), why, sizeof(why));
	if (!t->priv)
		return error("%s: not available: %s", t->id, why);
	return 0;
}

int cuda_l2_flush_requested(void)
{
	const char *e = getenv(NB_CUDA_L2_FLUSH_ENV);

	return e && !strcmp(e, "1");
}

/* With the flush requested, the L2 is overwritten before each sample of a
 * case whose data could stay cached there (under twice the L2); results
 * say l2_flushed when it was done. */
static int want_flush(const struct nb_target *t, const struct nb_case *c)
{
	struct nb_target_mem mem = { 0 };
	struct nb_cuda_device d;
	struct nb_case kc;
	struct nb_work w;
	char why[256];

	if (!cuda_l2_flush_requested())
		return 0;
	if (plug.p->device_info(target_index(t), &d, why, sizeof(why)) != NB_CUDA_OK)
		return 1;
	mem.llc_bytes = (double)d.l2_bytes;
	case_resolve(c, &mem, &kc);
	kc.kernel->work(&kc, &w);
	return w.bytes < 2.0 * (double)d.l2_bytes;
}

static int cuda_target_run(struct nb_target *t, const struct nb_case *c,
			   const struct nb_target_run *env, struct nb_result *r)
{
	/* A device error is stored with the result (status error); later
	 * cases report their own. */
	cuda_measure(t->priv, target_index(t), c, env->m, want_flush(t, c), r);
	return nb_interrupted ? (result_release(r), -1) : 0;
}

static void cuda_target_close(struct nb_target *t)
{
	cuda_close(t->priv);
	t->priv = NULL;
}

const struct nb_target_kind nb_target_cuda = {
	.name = "cuda",
	.spelling = "cuda:N",
	.prefix = "cuda:",
	.result_kind = NB_MEASURED,
	.groups = 0,	/* named explicitly: default and all never need a GPU */
	.resolve = cuda_resolve,
	.each = cuda_each,
	.name_of = cuda_name_of,
	.describe = cuda_describe,
	.open = cuda_target_open,
	.run = cuda_target_run,
	.close = cuda_target_close,
};
