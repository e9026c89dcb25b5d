#include "targets/hostinfo.h"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/kernel.h"
#include "util/cpu.h"
#include "util/peak.h"
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
	F("avx512dq", avx512dq);
	F("avx512_vnni", avx512_vnni); F("avx512_bf16", avx512_bf16); F("avx512_fp16", avx512_fp16);
	F("avx_vnni", avx_vnni); F("amx_tile", amx_tile); F("amx_bf16", amx_bf16); F("amx_int8", amx_int8);
#undef F
	return n;
}

const char *hostinfo_compiler(void)
{
	return NB_COMPILER;
}

/* The best level this CPU and OS run. */
static enum nb_isa best_level(void)
{
	for (int i = NB_ISA_COUNT - 1; i > 0; i--)
		if (cpu_has_isa((enum nb_isa)i, NULL))
			return (enum nb_isa)i;
	return NB_ISA_PORTABLE;
}

const char *hostinfo_isa_reason(void)
{
	static char r[192];
	const struct nb_cpu *c = cpu_detect();
	const char *why = NULL;
	enum nb_isa best = best_level();
	int forced = c->isa_forced[0] ? isa_parse(c->isa_forced) : -1;

	if (forced == (int)c->isa && best > c->isa) {
		snprintf(r, sizeof(r), "NPUBENCH_ISA=%s; this CPU has %s", c->isa_forced, isa_name(best));
		return r;
	}
	if (forced == (int)c->isa) {
		snprintf(r, sizeof(r), "NPUBENCH_ISA=%s, the best level here", c->isa_forced);
		return r;
	}
	if (c->isa + 1 < NB_ISA_COUNT && !cpu_has_isa((enum nb_isa)(c->isa + 1), &why))
		snprintf(r, sizeof(r), "%s%s%s%s: %s", c->isa_forced[0] ? "NPUBENCH_ISA=" : "", c->isa_forced,
			 c->isa_forced[0] ? " not usable; " : "", isa_name((enum nb_isa)(c->isa + 1)), why);
	else
		snprintf(r, sizeof(r), "%s%s%sthe best level here: %s", c->isa_forced[0] ? "NPUBENCH_ISA=" : "",
			 c->isa_forced, c->isa_forced[0] ? " not usable; " : "",
			 c->isa == NB_ISA_AVX512 ? "avx512f/bw/vl/dq, ZMM state enabled by the OS"
						 : "avx2, fma, f16c");
	return r;
}

/* Why a kernel without its own reason (impl_why) runs IMPL: the feature
 * the level lacks for DTYPE, else nothing to add to the dispatch line. */
static const char *impl_note(const struct nb_cpu *c, const char *dtype, const char *impl)
{
	const char *why = NULL;

	if (c->isa == NB_ISA_AVX512 && !strstr(impl, isa_name(c->isa))) {
		if (!strcmp(dtype, "bf16") && !cpu_has_bf16_dot(c->isa, &why))
			return why;
		if ((!strcmp(dtype, "int8") || !strcmp(dtype, "int4")) && !cpu_has_int8_dot(c->isa, &why))
			return why;
		return "no AVX-512 version of this kernel";
	}
	return "";
}

/* Calls FN with case KC's implementation and the reason for it. */
static void each_impl_one(void (*fn)(void *arg, const char *kernel, const char *dtype, const char *impl,
				     const char *note),
			  void *arg, const struct nb_case *kc, const char *dt)
{
	const struct nb_cpu *c = cpu_detect();
	const struct nb_kernel *k = kc->kernel;
	const char *impl = k->impl(kc, c->isa), *why = k->impl_why ? k->impl_why(kc, c->isa) : NULL;

	fn(arg, k->name, dt, impl, why ? why : impl_note(c, dt, impl));
}

/* The words in "a|b|c". */
static int choice_count(const char *choices)
{
	int n = 1;

	for (const char *p = choices; *p; p++)
		n += *p == '|';
	return n;
}

/* Each dtype of kernel K (and each choice of its info_vary parameter). */
static void each_impl_kernel(void (*fn)(void *arg, const char *kernel, const char *dtype, const char *impl,
					const char *note),
			     void *arg, const struct nb_kernel *k)
{
	int di = kernel_param_index(k, "dtype"), vi = k->info_vary ? kernel_param_index(k, k->info_vary) : -1;
	int nv = vi < 0 ? 1 : choice_count(k->params[vi].choices);
	struct nb_case kc;

	for (int v = 0; v < nv; v++) {
		case_init(&kc, k);
		if (vi >= 0)
			kc.v[vi].i = v;
		if (di < 0) {
			each_impl_one(fn, arg, &kc, "-");
			continue;
		}
		for (int t = 0; t < NB_DTYPE_COUNT; t++) {
			const char *dt = dtype_name((enum nb_dtype)t);
			char msg[256];

			/* fp8 is predicted on chips only. */
			if (case_set(&kc, "dtype", dt, msg, sizeof(msg)) ||
			    case_measurable(&kc, NULL, 0, msg, sizeof(msg)))
				continue;
			each_impl_one(fn, arg, &kc, dt);
		}
	}
}

void hostinfo_each_impl(void (*fn)(void *arg, const char *kernel, const char *dtype,
				   const char *impl, const char *note), void *arg)
{
	for (int i = 0; i < nb_nkernels; i++)
		if (nb_kernels[i]->impl)
			each_impl_kernel(fn, arg, nb_kernels[i]);
}

static void print_impl(void *arg, const char *kernel, const char *dtype, const char *impl,
		       const char *note)
{
	NB_UNUSED(arg);
	printf("  %-10s %-6s %-36s%s%s\n", kernel, dtype, impl, note[0] ? " " : "", note);
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
	printf("dispatch:   %s (%s)\n", isa_name(c->isa), hostinfo_isa_reason());
	printf("kernels:\n");
	hostinfo_each_impl(print_impl, NULL);
}

int hostinfo_peaks(double out[3])
{
	int nt = cpu_detect()->online_cpus;

	for (int k = NB_PEAK_FP32; k <= NB_PEAK_INT8; k++) {
		out[k] = peak_ops((enum nb_peak)k, nt, 0);
		if (out[k] < 0)
			return -1;
	}
	return 0;
}

/* Why a ceiling is absent: the instruction the dispatch level lacks. */
static const char *peak_absent(enum nb_peak k)
{
	const char *why = NULL;
	enum nb_isa isa = cpu_detect()->isa;

	if (k == NB_PEAK_BF16 && !cpu_has_bf16_dot(isa, &why))
		return why ? why : "below avx512: bf16 runs as fp32 FMAs";
	if (k == NB_PEAK_INT8 && !cpu_has_int8_dot(isa, &why))
		return why ? why : "below avx512: int8 runs as int16 pairs (vpmaddwd)";
	return "not measured";
}

void hostinfo_print_peaks(const double peaks[3])
{
	printf("peaks:      (measured, %d threads)\n", cpu_detect()->online_cpus);
	for (int k = NB_PEAK_FP32; k <= NB_PEAK_INT8; k++) {
		if (peaks[k] > 0)
			printf("  %-32s %10.1f G%s/s\n", peak_name((enum nb_peak)k), peaks[k] / 1e9,
			       k == NB_PEAK_INT8 ? "OP" : "FLOP");
		else
			printf("  %-32s %10s (%s)\n", peak_name((enum nb_peak)k), "-",
			       peak_absent((enum nb_peak)k));
	}
}
