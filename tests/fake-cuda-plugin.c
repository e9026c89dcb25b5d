/* A stand-in for npubench-cuda.so in the command-line tests: the plugin
 * ABI without CUDA, so the loader, the target kind and the translation of
 * results are tested on machines without a GPU.  NB_FAKE_CUDA chooses the
 * behaviour: abi (another ABI version), nodriver, nodevice, verifyfail,
 * nonvml (no clocks: NVML missing), onegpu (only cuda:0); unset, two GPUs
 * whose every launch takes exactly 1 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/cuda-plugin.h"

static const char *mode(void)
{
	const char *m = getenv("NB_FAKE_CUDA");

	return m ? m : "";
}

#define NO_NVML "NVML not available: libnvidia-ml.so.1: cannot open shared object file (fake)"

static int ngpus(void)
{
	return !strcmp(mode(), "onegpu") ? 1 : 2;
}

static int fake_init(int *n, char *err, size_t errlen)
{
	*n = 0;
	if (!strcmp(mode(), "nodriver")) {
		snprintf(err, errlen, "no NVIDIA driver: libcuda.so.1: cannot open shared object file (fake)");
		return NB_CUDA_ENODRIVER;
	}
	if (!strcmp(mode(), "nodevice")) {
		snprintf(err, errlen, "no NVIDIA GPU: the driver sees none (fake)");
		return NB_CUDA_ENODEVICE;
	}
	*n = ngpus();
	return NB_CUDA_OK;
}

static int fake_info(int index, struct nb_cuda_device *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	if (index < 0 || index >= ngpus()) {
		snprintf(err, errlen, "cuda:%d: no such GPU", index);
		return NB_CUDA_ERANGE;
	}
	d->index = index;
	snprintf(d->name, sizeof(d->name), "Fake GPU %d", index);
	snprintf(d->pci_bus_id, sizeof(d->pci_bus_id), "0000:%02x:00.0", index + 1);
	d->cc_major = 9;
	d->sms = 132;
	d->sm_clock_mhz = 1980;
	d->mem_clock_mhz = 3201;
	d->mem_bus_bits = 6144;
	d->mem_bytes = 150ull << 30;
	d->l2_bytes = 60 << 20;
	d->driver_version = 13000;
	d->runtime_version = 13000;
	return NB_CUDA_OK;
}

static int fake_open(int index, void **dev, char *err, size_t errlen)
{
	static int devs[2];
	struct nb_cuda_device d;
	int rc = fake_info(index, &d, err, errlen);

	*dev = rc == NB_CUDA_OK ? &devs[index] : NULL;
	return rc;
}

static int fake_run(void *dev, const struct nb_cuda_case *c, const struct nb_cuda_measure *m,
		    struct nb_cuda_result *r)
{
	(void)dev;
	if (c->family == NB_CUDA_SPMM && c->sparsity == NB_CUDA_SPARSE_2_4) {
		r->status = NB_CUDA_RES_UNSUPPORTED;
		snprintf(r->message, sizeof(r->message), "spmm pattern=2:4 needs cuSPARSELt (fake)");
		return 0;
	}
	r->nsamples = m->min_reps;
	for (int i = 0; i < r->nsamples; i++)
		r->samples[i] = 1e-3;
	r->launches = 4;
	snprintf(r->impl, sizeof(r->impl), "fake family=%d dtype=%d", c->family, c->dtype);
	r->verify_err = !strcmp(mode(), "verifyfail") ? 1 : 0;
	r->verify_tol = 1e-6;
	snprintf(r->verify_what, sizeof(r->verify_what), "fake check");
	r->status = r->verify_err > r->verify_tol ? NB_CUDA_RES_VERIFY_FAILED : NB_CUDA_RES_OK;
	r->before = r->after = (struct nb_cuda_sensors){ 1, 1980, 3201, 500, 50 };
	if (!strcmp(mode(), "nonvml")) {
		r->before.valid = r->after.valid = 0;
		snprintf(r->sensors_why, sizeof(r->sensors_why), "%s", NO_NVML);
	}
	r->l2_flushed = m->l2_flush;
	if (c->family == NB_CUDA_STREAM && c->op == NB_CUDA_COPY) {
		snprintf(r->yardstick, sizeof(r->yardstick), "memcpy");
		r->yardstick_ratio = 0.5;
	}
	return 0;
}

static void fake_close(void *dev)
{
	(void)dev;
}

static void fake_sensors(int index, struct nb_cuda_sensors *s, char *why, size_t whylen)
{
	(void)index;
	*s = (struct nb_cuda_sensors){ 1, 1980, 3201, 500, 50 };
	if (!strcmp(mode(), "nonvml")) {
		s->valid = 0;
		snprintf(why, whylen, "%s", NO_NVML);
	}
}

static struct nb_cuda_plugin plugin = {
	.abi_version = NB_CUDA_ABI_VERSION,
	.size = sizeof(struct nb_cuda_plugin),
	.build = "fake plugin for tests",
	.init = fake_init,
	.device_info = fake_info,
	.open = fake_open,
	.run = fake_run,
	.close = fake_close,
	.sensors = fake_sensors,
};

const struct nb_cuda_plugin *npubench_cuda_plugin(void);

const struct nb_cuda_plugin *npubench_cuda_plugin(void)
{
	if (!strcmp(mode(), "abi"))
		plugin.abi_version = 999;
	return &plugin;
}
