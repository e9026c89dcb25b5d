/* npubench-cuda.so: the GPU target's plugin.  It loads the NVIDIA driver
 * itself (a missing libcuda.so.1 is an answer, not a loader failure),
 * opens devices, and times cases with CUDA events around back-to-back
 * launches, verifying after timing. */
#include "cuda/plugin.h"

#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime_api.h>

#include "cuda/xlate.h"

/* A sample lasts at least this long, so event resolution (~0.5 us) and
 * launch gaps stay negligible; warm-up at least 50 ms. */
#define MIN_SAMPLE_S 1e-3
#define MIN_WARMUP_S 0.05
#define MAX_LAUNCHES 10000
/* Clocks that moved more than this during a case flag it. */
#define CLOCK_TOLERANCE 0.02

int cuda_fail(struct nb_cuda_result *r, int status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return -1;
}

void *cuda_alloc(size_t bytes, const char *what, struct nb_cuda_result *r)
{
	void *p = NULL;
	cudaError_t e = cudaMalloc(&p, bytes ? bytes : 1);

	if (e == cudaSuccess)
		return p;
	cudaGetLastError();	/* clear it: an allocation failure is not sticky */
	cuda_fail(r, e == cudaErrorMemoryAllocation ? NB_CUDA_RES_NO_FIT : NB_CUDA_RES_ERROR,
		  "cannot allocate %.2f GiB for %s on the GPU: %s", bytes / 1073741824.0, what,
		  cudaGetErrorString(e));
	return NULL;
}

int cuda_workspace(struct cuda_dev *d, size_t want, const char *who, struct nb_cuda_result *r)
{
	size_t bytes = cuda_workspace_bytes(d->workspace_bytes, want, d->info.mem_bytes);
	void *p;

	if (bytes == d->workspace_bytes)
		return 0;
	if (bytes == 0)
		return cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "%s wants %zu MiB of workspace, more than "
				 "an eighth of the GPU's memory", who, want >> 20);
	/* Nothing is queued that uses the old one: jobs are prepared one
	 * at a time, after the previous one's release. */
	if (cudaStreamSynchronize(d->stream) != cudaSuccess ||
	    !(p = cuda_alloc(bytes, "the library workspace", r)))
		return -1;
	cudaFree(d->workspace);
	d->workspace = p;
	d->workspace_bytes = bytes;
	return 0;
}

int cuda_has_cc(const struct cuda_dev *d, int cc)
{
	return d->info.cc_major * 10 + d->info.cc_minor >= cc;
}

static int err_of(cudaError_t e)
{
	switch (e) {
	case cudaErrorInsufficientDriver:
	case cudaErrorNoDevice:
		return e == cudaErrorNoDevice ? NB_CUDA_ENODEVICE : NB_CUDA_ENODRIVER;
	case cudaErrorInvalidDevice:
		return NB_CUDA_ERANGE;
	default:
		return NB_CUDA_EFAIL;
	}
}

static int plugin_init(int *n, char *err, size_t errlen)
{
	void *drv;
	cudaError_t e;
	int drv_version = 0;

	*n = 0;
	/* The runtime would load the driver too, but its error would not say
	 * which file is missing. */
	drv = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
	if (!drv) {
		snprintf(err, errlen, "no NVIDIA driver: %s", dlerror());
		return NB_CUDA_ENODRIVER;
	}
	cudaDriverGetVersion(&drv_version);
	e = cudaGetDeviceCount(n);
	if (e != cudaSuccess) {
		*n = 0;
		snprintf(err, errlen, "%s: %s (driver supports CUDA %d.%d, the plugin needs %d.%d)",
			 e == cudaErrorNoDevice ? "no NVIDIA GPU" : "the NVIDIA driver cannot be used",
			 cudaGetErrorString(e), drv_version / 1000, drv_version % 1000 / 10,
			 CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
		return err_of(e);
	}
	if (*n == 0) {
		snprintf(err, errlen, "no NVIDIA GPU: the driver sees none");
		return NB_CUDA_ENODEVICE;
	}
	return NB_CUDA_OK;
}

static int attr(enum cudaDeviceAttr a, int dev)
{
	int v = 0;

	return cudaDeviceGetAttribute(&v, a, dev) == cudaSuccess ? v : 0;
}

static int plugin_device_info(int index, struct nb_cuda_device *d, char *err, size_t errlen)
{
	struct cudaDeviceProp p;
	cudaError_t e;
	int n = 0;

	memset(d, 0, sizeof(*d));
	if (cudaGetDeviceCount(&n) != cudaSuccess || index < 0 || index >= n) {
		snprintf(err, errlen, "cuda:%d: no such GPU (this machine has %d)", index, n);
		return NB_CUDA_ERANGE;
	}
	e = cudaGetDeviceProperties(&p, index);
	if (e != cudaSuccess) {
		snprintf(err, errlen, "cuda:%d: %s", index, cudaGetErrorString(e));
		return err_of(e);
	}
	d->index = index;
	memcpy(d->name, p.name, sizeof(d->name) - 1);
	cudaDeviceGetPCIBusId(d->pci_bus_id, (int)sizeof(d->pci_bus_id), index);
	d->cc_major = p.major;
	d->cc_minor = p.minor;
	d->sms = p.multiProcessorCount;
	d->sm_clock_mhz = attr(cudaDevAttrClockRate, index) / 1000.0;
	d->mem_clock_mhz = attr(cudaDevAttrMemoryClockRate, index) / 1000.0;
	d->mem_bus_bits = p.memoryBusWidth;
	d->mem_bytes = p.totalGlobalMem;
	d->l2_bytes = p.l2CacheSize;
	cudaDriverGetVersion(&d->driver_version);
	cudaRuntimeGetVersion(&d->runtime_version);
	return NB_CUDA_OK;
}

static int plugin_open(int index, void **out, char *err, size_t errlen)
{
	struct cuda_dev *d = calloc(1, sizeof(*d));
	struct nb_cuda_result r;
	int rc;

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NB_CUDA_EFAIL;
	}
	rc = plugin_device_info(index, &d->info, err, errlen);
	if (rc != NB_CUDA_OK)
		goto fail;
	d->index = index;
	if (cudaSetDevice(index) != cudaSuccess ||
	    cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking) != cudaSuccess) {
		snprintf(err, errlen, "cuda:%d: cannot create a stream: %s", index,
			 cudaGetErrorString(cudaGetLastError()));
		rc = NB_CUDA_EFAIL;
		goto fail;
	}
	memset(&r, 0, sizeof(r));
	d->workspace_bytes = CUDA_WORKSPACE_BYTES;
	d->workspace = cuda_alloc(d->workspace_bytes, "the library workspace", &r);
	d->flush_bytes = cuda_flush_bytes(d->info.l2_bytes);
	d->flush = d->workspace ? cuda_alloc(d->flush_bytes, "the L2 flush buffer", &r) : NULL;
	if (!d->flush) {
		snprintf(err, errlen, "cuda:%d: %s", index, r.message);
		rc = NB_CUDA_EFAIL;
		goto fail;
	}
	d->nvml = cuda_nvml_open(d->info.pci_bus_id, d->nvml_why, sizeof(d->nvml_why));
	*out = d;
	return NB_CUDA_OK;
fail:
	if (d->workspace)
		cudaFree(d->workspace);
	if (d->stream)
		cudaStreamDestroy(d->stream);
	free(d);
	return rc;
}

static void plugin_close(void *dev)
{
	struct cuda_dev *d = dev;

	if (!d)
		return;
	cudaSetDevice(d->index);
	cudaStreamSynchronize(d->stream);
	cuda_gemm_close(d);
	cuda_attention_close(d);
	cuda_spmm_close(d);
	cuda_nvml_close(d->nvml);
	cudaFree(d->flush);
	cudaFree(d->workspace);
	cudaStreamDestroy(d->stream);
	free(d);
}

/* Seconds for LAUNCHES back-to-back launches between two events, or a
 * negative value after a failed launch (message in J->err). */
static double timed(struct cuda_dev *d, struct cuda_job *j, cudaEvent_t e0, cudaEvent_t e1,
		    int launches, int flush)
{
	float ms = 0;

	if (flush && cuda_k_flush(d->flush, d->flush_bytes, d->stream) != cudaSuccess)
		return -1;
	cudaEventRecord(e0, d->stream);
	for (int i = 0; i < launches; i++)
		if (j->launch(j, d->stream))
			return -1;
	cudaEventRecord(e1, d->stream);
	if (cudaEventSynchronize(e1) != cudaSuccess || cudaEventElapsedTime(&ms, e0, e1) != cudaSuccess)
		return -1;
	return ms / 1e3;
}

/* Untimed warm-up (at least 50 ms or a quarter of min_time); returns the
 * fastest single launch, or a negative value on failure. */
static double warm_up(struct cuda_dev *d, struct cuda_job *j, const struct nb_cuda_measure *m,
		      cudaEvent_t e0, cudaEvent_t e1)
{
	double spent = 0, fastest = INFINITY;
	double need = m->min_time / 4 > MIN_WARMUP_S ? m->min_time / 4 : MIN_WARMUP_S;

	for (int i = 0; i < MAX_LAUNCHES && (spent < need || i < 2); i++) {
		double t = timed(d, j, e0, e1, 1, 0);

		if (t < 0)
			return t;
		spent += t;
		if (t < fastest)
			fastest = t;
	}
	return fastest;
}

/* The sampling loop: until min_time and min_reps are met, never beyond
 * max_reps; the clocks read after every sample. */
static int sample(struct cuda_dev *d, struct cuda_job *j, const struct nb_cuda_measure *m,
		  cudaEvent_t e0, cudaEvent_t e1, struct nb_cuda_result *r)
{
	struct cuda_clock_span span;
	struct nb_cuda_sensors s;
	double total = 0;

	cuda_clock_span_init(&span);
	cuda_nvml_read(d->nvml, &r->before);
	cuda_clock_track(&span, &r->before);
	r->nsamples = 0;
	while (r->nsamples < m->max_reps) {
		double t = timed(d, j, e0, e1, r->launches, m->l2_flush);

		if (t < 0)
			return -1;
		r->samples[r->nsamples++] = t / r->launches;
		total += t;
		cuda_nvml_read(d->nvml, &s);
		cuda_clock_track(&span, &s);
		if (r->nsamples >= m->min_reps && total >= m->min_time)
			break;
	}
	cuda_nvml_read(d->nvml, &r->after);
	cuda_clock_track(&span, &r->after);
	r->clocks_moved = cuda_clocks_moved(&span, CLOCK_TOLERANCE);
	if (!r->after.valid)
		snprintf(r->sensors_why, sizeof(r->sensors_why), "%s",
			 d->nvml ? "NVML could not read the GPU's clocks" : d->nvml_why);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The case and its yardstick in turns, YARD_PAIRS times each, the same
 * launches per sample: the ratio of the medians. */
#define YARD_PAIRS 10

static int yardstick(struct cuda_dev *d, struct cuda_job *j, cudaEvent_t e0, cudaEvent_t e1,
		     struct nb_cuda_result *r)
{
	double own[YARD_PAIRS], lib[YARD_PAIRS];
	const char *name = j->yardstick(j, 1);

	j->yardstick(j, 0);
	for (int i = 0; i < YARD_PAIRS; i++) {
		own[i] = timed(d, j, e0, e1, r->launches, 0);
		j->yardstick(j, 1);
		lib[i] = timed(d, j, e0, e1, r->launches, 0);
		j->yardstick(j, 0);
		if (own[i] <= 0 || lib[i] <= 0)
			return -1;
	}
	qsort(own, YARD_PAIRS, sizeof(double), cmp_double);
	qsort(lib, YARD_PAIRS, sizeof(double), cmp_double);
	snprintf(r->yardstick, sizeof(r->yardstick), "%s", name);
	r->yardstick_ratio = (lib[YARD_PAIRS / 2 - 1] + lib[YARD_PAIRS / 2]) /
			     (own[YARD_PAIRS / 2 - 1] + own[YARD_PAIRS / 2]);
	return 0;
}

static int prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
		   struct nb_cuda_result *r)
{
	switch (c->family) {
	case NB_CUDA_GEMM: return cuda_gemm_prepare(d, c, j, r);
	case NB_CUDA_ATTENTION: return cuda_attention_prepare(d, c, j, r);
	case NB_CUDA_SPMM: return cuda_spmm_prepare(d, c, j, r);
	case NB_CUDA_STREAM: return cuda_stream_prepare(d, c, j, r);
	default: return cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "unknown kernel family %d", c->family);
	}
}

/* A CUDA error during a run: sticky errors (a faulting kernel) leave the
 * device unusable, which the caller must know. */
static int device_error(struct cuda_job *j, struct nb_cuda_result *r)
{
	cudaError_t e = cudaGetLastError();

	cuda_fail(r, NB_CUDA_RES_ERROR, "%s%s%s", j->err, j->err[0] ? ": " : "",
		  e != cudaSuccess ? cudaGetErrorString(e) : "launch failed");
	return cudaDeviceSynchronize() == cudaSuccess ? 0 : -1;
}

static int plugin_run(void *dev, const struct nb_cuda_case *c, const struct nb_cuda_measure *m,
		      struct nb_cuda_result *r)
{
	struct cuda_dev *d = dev;
	struct cuda_job j;
	cudaEvent_t e0 = NULL, e1 = NULL;
	double fastest;
	int rc = 0;

	memset(&j, 0, sizeof(j));
	r->status = NB_CUDA_RES_OK;
	r->nsamples = 0;
	cudaSetDevice(d->index);
	if (prepare(d, c, &j, r))
		return 0;
	if (cudaEventCreate(&e0) != cudaSuccess || cudaEventCreate(&e1) != cudaSuccess) {
		rc = device_error(&j, r);
		goto out;
	}
	fastest = warm_up(d, &j, m, e0, e1);
	if (fastest < 0) {
		rc = device_error(&j, r);
		goto out;
	}
	/* Launches per sample: enough for 1 ms; one when the L2 is flushed,
	 * since only the first launch after a flush would find it cold. */
	r->launches = m->launches > 0 ? m->launches : m->l2_flush ? 1
		: (int)fmin(MAX_LAUNCHES, ceil(MIN_SAMPLE_S / fmax(fastest, 1e-7)));
	r->l2_flushed = m->l2_flush != 0;
	if (sample(d, &j, m, e0, e1, r)) {
		rc = device_error(&j, r);
		goto out;
	}
	if (j.yardstick && !m->l2_flush && yardstick(d, &j, e0, e1, r)) {
		rc = device_error(&j, r);
		goto out;
	}
	if (j.verify(&j, d, r))
		rc = device_error(&j, r);
out:
	if (e0)
		cudaEventDestroy(e0);
	if (e1)
		cudaEventDestroy(e1);
	j.release(&j);
	return rc;
}

/* For `info`: NVML opened and closed around one reading. */
static void plugin_sensors(int index, struct nb_cuda_sensors *s, char *why, size_t whylen)
{
	struct nb_cuda_device d;
	struct cuda_nvml *n;

	memset(s, 0, sizeof(*s));
	if (plugin_device_info(index, &d, why, whylen) != NB_CUDA_OK)
		return;
	n = cuda_nvml_open(d.pci_bus_id, why, whylen);
	if (!n)
		return;
	cuda_nvml_read(n, s);
	if (!s->valid)
		snprintf(why, whylen, "NVML could not read the GPU's clocks");
	cuda_nvml_close(n);
}

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct nb_cuda_plugin plugin = {
	.abi_version = NB_CUDA_ABI_VERSION,
	.size = sizeof(struct nb_cuda_plugin),
	.build = "CUDA runtime " STR(CUDART_VERSION) " (static), " NB_CUDA_ARCHS,
	.init = plugin_init,
	.device_info = plugin_device_info,
	.open = plugin_open,
	.run = plugin_run,
	.close = plugin_close,
	.sensors = plugin_sensors,
};

__attribute__((visibility("default"))) const struct nb_cuda_plugin *npubench_cuda_plugin(void);

const struct nb_cuda_plugin *npubench_cuda_plugin(void)
{
	return &plugin;
}
