/* NVML, loaded with dlopen: clocks, power and temperature read beside each
 * measurement.  NVML ships with the driver, not the toolkit, so it is
 * declared here (its C ABI has been stable since the _v2 entry points). */
#include "cuda/plugin.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int nvml_ret;		/* nvmlReturn_t: 0 is success */
typedef void *nvml_dev;		/* nvmlDevice_t */

enum { NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_TEMPERATURE_GPU = 0 };

struct cuda_nvml {
	void *lib;
	nvml_dev dev;
	nvml_ret (*shutdown)(void);
	nvml_ret (*clock)(nvml_dev, int, unsigned *);
	nvml_ret (*power)(nvml_dev, unsigned *);
	nvml_ret (*temp)(nvml_dev, int, unsigned *);
};

struct cuda_nvml *cuda_nvml_open(const char *pci_bus_id, char *why, size_t whylen)
{
	struct cuda_nvml *n = calloc(1, sizeof(*n));
	nvml_ret (*init)(void);
	nvml_ret (*by_pci)(const char *, nvml_dev *);
	nvml_ret rc;

	if (!n)
		return NULL;
	n->lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!n->lib) {
		snprintf(why, whylen, "NVML not available: %s", dlerror());
		free(n);
		return NULL;
	}
	*(void **)&init = dlsym(n->lib, "nvmlInit_v2");
	*(void **)&by_pci = dlsym(n->lib, "nvmlDeviceGetHandleByPciBusId_v2");
	*(void **)&n->shutdown = dlsym(n->lib, "nvmlShutdown");
	*(void **)&n->clock = dlsym(n->lib, "nvmlDeviceGetClockInfo");
	*(void **)&n->power = dlsym(n->lib, "nvmlDeviceGetPowerUsage");
	*(void **)&n->temp = dlsym(n->lib, "nvmlDeviceGetTemperature");
	if (!init || !by_pci || !n->shutdown || !n->clock || !n->power || !n->temp) {
		snprintf(why, whylen, "NVML lacks the functions used (too old a driver)");
		goto fail;
	}
	rc = init();
	if (rc != 0) {
		snprintf(why, whylen, "nvmlInit_v2 failed (NVML error %d)", rc);
		goto fail;
	}
	/* By PCI bus id: CUDA and NVML may number the GPUs differently. */
	rc = by_pci(pci_bus_id, &n->dev);
	if (rc != 0) {
		n->shutdown();
		snprintf(why, whylen, "NVML does not know the GPU at %s (NVML error %d)", pci_bus_id, rc);
		goto fail;
	}
	return n;
fail:
	dlclose(n->lib);
	free(n);
	return NULL;
}

void cuda_nvml_read(struct cuda_nvml *n, struct nb_cuda_sensors *s)
{
	unsigned sm = 0, mem = 0, mw = 0, t = 0;

	s->valid = 0;
	if (!n)
		return;
	if (n->clock(n->dev, NVML_CLOCK_SM, &sm) || n->clock(n->dev, NVML_CLOCK_MEM, &mem))
		return;
	s->sm_mhz = sm;
	s->mem_mhz = mem;
	s->power_w = n->power(n->dev, &mw) == 0 ? mw / 1000.0 : -1;
	s->temp_c = n->temp(n->dev, NVML_TEMPERATURE_GPU, &t) == 0 ? (double)t : -1;
	s->valid = 1;
}

void cuda_nvml_close(struct cuda_nvml *n)
{
	if (!n)
		return;
	n->shutdown();
	dlclose(n->lib);
	free(n);
}
