/* The host description as JSON: stored with every run, printed by
 * `npubench info --format json`. */
#include "report/report.h"

#include "config.h"

#include "report/jsonw.h"
#include "targets/cuda.h"
#include "targets/hostinfo.h"
#include "util/cpu.h"
#include "util/util.h"

static void add_impl(void *arg, const char *kernel, const char *dtype, const char *impl,
		     const char *note)
{
	struct nb_json *o = json_push(arg, json_object());

	json_set_str(o, "kernel", kernel);
	json_set_str(o, "dtype", dtype);
	json_set_str(o, "impl", impl);
	if (note[0])
		json_set_str(o, "why", note);
}

char *report_host_json(int pretty)
{
	return report_host_json_peaks(pretty, NULL);
}

char *report_host_json_peaks(int pretty, const double *peaks)
{
	return report_host_json_full(pretty, peaks, 0);
}

char *report_host_json_full(int pretty, const double *peaks, int gpus)
{
	static const char *const keys[] = { "fp32_fma", "bf16_dot", "int8_dot" };
	const struct nb_cpu *c = cpu_detect();
	struct nb_json *root = json_object(), *feat, *cache;
	struct hostinfo_feature f[HOSTINFO_MAX_FEATURES];
	int nf = hostinfo_features(f);

	json_set_str(root, "hostname", hostinfo_hostname());
	json_set_str(root, "cpu_model", c->model);
	json_set_str(root, "cpu_vendor", c->vendor);
	json_set_str(root, "arch", c->arch);
	json_set_num(root, "sockets", c->sockets);
	json_set_num(root, "cores", c->cores);
	json_set_num(root, "threads", c->online_cpus);
	feat = json_set(root, "features", json_array());
	for (int i = 0; i < nf; i++)
		if (f[i].on)
			json_push(feat, json_string(f[i].name));
	cache = json_set(root, "cache_bytes", json_object());
	json_set_num(cache, "l1d", (double)c->l1d);
	json_set_num(cache, "l2", (double)c->l2);
	json_set_num(cache, "l3", (double)c->l3);
	json_set_num(cache, "line", (double)c->cacheline);
	json_set_num(root, "memory_bytes", (double)c->mem_total);
	json_set_num(root, "memory_available_bytes", (double)c->mem_available);
	json_set_str(root, "os", c->os);
	json_set_str(root, "compiler", hostinfo_compiler());
	json_set_str(root, "build_flags", NB_BUILD_FLAGS);
	json_set_str(root, "version", PACKAGE_VERSION);
	json_set_str(root, "isa", isa_name(c->isa));
	if (c->isa_forced[0])
		json_set_str(root, "isa_forced", c->isa_forced);
	json_set_str(root, "isa_why", hostinfo_isa_reason());
	hostinfo_each_impl(add_impl, json_set(root, "kernels", json_array()));
	if (peaks) {
		struct nb_json *o = json_set(root, "peak_ops_per_s", json_object());

		for (int k = 0; k < 3; k++)
			if (peaks[k] > 0)
				json_set_num(o, keys[k], peaks[k]);
			else
				json_set(o, keys[k], json_null());
	}
	if (gpus)
		cuda_info_json(root);
	return json_finish(root, pretty);
}
