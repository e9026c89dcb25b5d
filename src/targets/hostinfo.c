#include "targets/hostinfo.h"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/util.h"

#if defined(__clang__)
#define NB_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define NB_COMPILER "gcc " __VERSION__
#else
#define NB_COMPILER "unknown compiler"
#endif

const char *hostinfo_hostname(void)
{
	static char name[256];

	if (!name[0] && gethostname(name, sizeof(name) - 1) != 0)
		snprintf(name, sizeof(name), "unknown");
	return name;
}

int hostinfo_features(struct hostinfo_feature *f)
{
	const struct nb_cpu *c = cpu_detect();
	int n = 0;

#define F(x, v) f[n].name = x, f[n].on = c->v, n++
	F("sse4.2", sse42); F("avx", avx); F("avx2", avx2); F("fma", fma); F("f16c", f16c);
	F("bmi2", bmi2); F("avx512f", avx512f); F("avx512bw", avx512bw); F("avx512vl", avx512vl);
	F("avx512_vnni", avx512_vnni); F("avx512_bf16", avx512_bf16); F("avx512_fp16", avx512_fp16);
	F("avx_vnni", avx_vnni); F("amx_tile", amx_tile); F("amx_bf16", amx_bf16); F("amx_int8", amx_int8);
#undef F
	return n;
}

const char *hostinfo_compiler(void)
{
	return NB_COMPILER;
}

void hostinfo_each_impl(void (*fn)(void *arg, const char *kernel, const char *dtype,
				   const char *impl), void *arg)
{
	const struct nb_cpu *c = cpu_detect();

	for (int i = 0; i < nb_nkernels; i++) {
		const struct nb_kernel *k = nb_kernels[i];
		int di = kernel_param_index(k, "dtype");
		struct nb_case kc;

		if (!k->impl)
			continue;
		case_init(&kc, k);
		if (di < 0) {
			fn(arg, k->name, "-", k->impl(&kc, c->isa));
			continue;
		}
		for (int t = 0; t < NB_DTYPE_COUNT; t++) {
			char msg[256];

			if (case_set(&kc, "dtype", dtype_name((enum nb_dtype)t), msg, sizeof(msg)))
				continue;
			fn(arg, k->name, dtype_name((enum nb_dtype)t), k->impl(&kc, c->isa));
		}
	}
}

static void print_impl(void *arg, const char *kernel, const char *dtype, const char *impl)
{
	NB_UNUSED(arg);
	printf("  %-10s %-6s %s\n", kernel, dtype, impl);
}

void hostinfo_print(void)
{
	const struct nb_cpu *c = cpu_detect();
	struct hostinfo_feature f[HOSTINFO_MAX_FEATURES];
	int nf = hostinfo_features(f);
	char buf[64];

	printf("host:       %s\n", hostinfo_hostname());
	printf("cpu:        %s (%s, %s)\n", c->model, c->vendor[0] ? c->vendor : "?", c->arch);
	printf("cores:      %d core(s), %d thread(s) usable, %d socket(s)\n",
	       c->cores, c->online_cpus, c->sockets);
	printf("features:  ");
	for (int i = 0; i < nf; i++)
		printf(" %s%s", f[i].on ? "+" : "-", f[i].name);
	printf("\n");
	printf("caches:     L1d %lld KiB, L2 %lld KiB per core; L3 %lld KiB; line %lld B\n",
	       (long long)c->l1d / 1024, (long long)c->l2 / 1024, (long long)c->l3 / 1024,
	       (long long)c->cacheline);
	nb_format_si(buf, sizeof(buf), (double)c->mem_total, "B");
	printf("memory:     %.1f GiB (%s), %.1f GiB available\n",
	       (double)c->mem_total / (1 << 30), buf, (double)c->mem_available / (1 << 30));
	printf("os:         %s\n", c->os);
	printf("compiler:   %s\n", NB_COMPILER);
	printf("build:      %s\n", NB_BUILD_FLAGS);
	printf("dispatch:   %s%s%s%s\n", isa_name(c->isa),
	       c->isa_forced[0] ? " (NPUBENCH_ISA=" : "", c->isa_forced,
	       c->isa_forced[0] ? ")" : "");
	printf("kernels:\n");
	hostinfo_each_impl(print_impl, NULL);
}
