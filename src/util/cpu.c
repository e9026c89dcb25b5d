#define _GNU_SOURCE
#include "util/cpu.h"

#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "util/util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define NB_X86 1
#endif

static struct nb_cpu cpu;
static int detected;

int isa_built(int isa)
{
#ifndef NB_HAVE_X86_KERNELS
	NB_UNUSED(isa);
	return NB_ISA_PORTABLE;
#else
#ifndef NB_HAVE_AVX512_KERNELS
	if (isa > NB_ISA_AVX2)
		return NB_ISA_AVX2;
#endif
	return isa;
#endif
}

const char *isa_name(enum nb_isa isa)
{
	switch (isa) {
	case NB_ISA_PORTABLE: return "portable";
	case NB_ISA_AVX2: return "avx2";
	case NB_ISA_AVX512: return "avx512";
	}
	return "?";
}

int isa_parse(const char *name)
{
	for (int i = 0; i < NB_ISA_COUNT; i++)
		if (!strcmp(name, isa_name((enum nb_isa)i)))
			return i;
	return -1;
}

/* Each level's required features, checked in order so the reason names the
 * most basic one missing. */
struct isa_need {
	enum nb_isa isa;
	const char *feature;
	size_t off;
};

#define NEED(isa, f) { isa, #f, offsetof(struct nb_cpu, f) }
static const struct isa_need needs[] = {
	NEED(NB_ISA_AVX2, avx), NEED(NB_ISA_AVX2, avx2), NEED(NB_ISA_AVX2, fma),
	NEED(NB_ISA_AVX2, f16c), NEED(NB_ISA_AVX512, os_avx512),
	NEED(NB_ISA_AVX512, avx512f), NEED(NB_ISA_AVX512, avx512bw),
	NEED(NB_ISA_AVX512, avx512vl), NEED(NB_ISA_AVX512, avx512dq),
};
#undef NEED

int cpu_has_isa(enum nb_isa isa, const char **why)
{
	static char reason[64];

	cpu_detect();
	for (size_t i = 0; i < NB_ARRAY_SIZE(needs); i++) {
		if (needs[i].isa > isa || *(const int *)((const char *)&cpu + needs[i].off))
			continue;
		if (!strcmp(needs[i].feature, "os_avx512"))
			snprintf(reason, sizeof(reason), "the OS does not enable the ZMM/opmask state");
		else
			snprintf(reason, sizeof(reason), "no %s on this CPU", needs[i].feature);
		if (why)
			*why = reason;
		return 0;
	}
	if (why)
		*why = NULL;
	return 1;
}

static int has_dot(enum nb_isa isa, int feature, const char *name, const char **why)
{
	static char reason[64];

	if (isa < NB_ISA_AVX512) {
		if (why)
			*why = NULL;
		return 0;
	}
	if (feature) {
		if (why)
			*why = NULL;
		return 1;
	}
	snprintf(reason, sizeof(reason), "avx512: no %s on this CPU", name);
	if (why)
		*why = reason;
	return 0;
}

int cpu_has_bf16_dot(enum nb_isa isa, const char **why)
{
	return has_dot(isa, cpu_detect()->avx512_bf16, "avx512_bf16", why);
}

int cpu_has_int8_dot(enum nb_isa isa, const char **why)
{
	return has_dot(isa, cpu_detect()->avx512_vnni, "avx512_vnni", why);
}

#ifdef NB_X86
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static void detect_x86(void)
{
	unsigned a, b, c, d, max;
	int os_avx = 0, os_avx512 = 0, os_amx = 0;

	if (!__get_cpuid(0, &max, &b, &c, &d))
		return;
	memcpy(cpu.vendor, &b, 4);
	memcpy(cpu.vendor + 4, &d, 4);
	memcpy(cpu.vendor + 8, &c, 4);
	cpu.vendor[12] = '\0';
	__cpuid(1, a, b, c, d);
	cpu.sse42 = !!(c & bit_SSE4_2);
	cpu.fma = !!(c & bit_FMA);
	cpu.f16c = !!(c & bit_F16C);
	if ((c & bit_OSXSAVE) && (c & bit_AVX)) {
		uint64_t xcr0 = xgetbv0();

		os_avx = (xcr0 & 6) == 6;
		/* SSE, AVX and bits 5-7: opmask, ZMM0-15 upper, ZMM16-31. */
		os_avx512 = (xcr0 & 0xe6) == 0xe6;
		os_amx = (xcr0 & 0x60000) == 0x60000;
	}
	cpu.avx = os_avx;
	cpu.os_avx512 = os_avx512;
	if (!os_avx)
		cpu.fma = cpu.f16c = 0;
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		cpu.avx2 = os_avx && (b & bit_AVX2);
		cpu.bmi2 = !!(b & bit_BMI2);
		cpu.avx512f = os_avx512 && (b & bit_AVX512F);
		cpu.avx512bw = os_avx512 && (b & bit_AVX512BW);
		cpu.avx512vl = os_avx512 && (b & bit_AVX512VL);
		cpu.avx512dq = os_avx512 && (b & bit_AVX512DQ);
		cpu.avx512_vnni = os_avx512 && (c & (1u << 11));
		cpu.avx512_fp16 = os_avx512 && (d & (1u << 23));
		cpu.amx_bf16 = os_amx && (d & (1u << 22));
		cpu.amx_tile = os_amx && (d & (1u << 24));
		cpu.amx_int8 = os_amx && (d & (1u << 25));
		__cpuid_count(7, 1, a, b, c, d);
		cpu.avx_vnni = os_avx && (a & (1u << 4));
		cpu.avx512_bf16 = os_avx512 && (a & (1u << 5));
	}
}
#endif

static int64_t read_size_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[64];
	int64_t v = 0;

	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		char *end;

		v = strtoll(buf, &end, 10);
		if (*end == 'K')
			v *= 1024;
		else if (*end == 'M')
			v *= 1024 * 1024;
	}
	fclose(f);
	return v;
}

static void read_text_file(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

#ifdef NB_X86
/* The per-core caches from CPUID, for virtual machines without sysfs cache
 * entries: GEMM blocking depends on L1d and L2.  Intel's deterministic
 * cache leaf 4, AMD's 0x80000005/6.  L3 is left to sysfs: in a guest these
 * leaves often describe the host's whole package, not what one core can
 * use. */
static void cpuid_caches(void)
{
	unsigned a, b, c, d, max;

	if (!__get_cpuid(0, &max, &b, &c, &d))
		return;
	if (!strcmp(cpu.vendor, "GenuineIntel") && max >= 4) {
		for (unsigned i = 0; i < 8; i++) {
			unsigned type, level;
			int64_t size;

			__cpuid_count(4, i, a, b, c, d);
			type = a & 31;
			level = (a >> 5) & 7;
			if (!type)
				break;
			size = (int64_t)(((b >> 22) & 0x3ff) + 1) * (((b >> 12) & 0x3ff) + 1)
			       * ((b & 0xfff) + 1) * ((int64_t)c + 1);
			if (level == 1 && type == 1 && !cpu.l1d)
				cpu.l1d = size;
			else if (level == 2 && !cpu.l2)
				cpu.l2 = size;
		}
		return;
	}
	if (__get_cpuid(0x80000000, &max, &b, &c, &d) && max >= 0x80000006) {
		__cpuid(0x80000005, a, b, c, d);
		if (!cpu.l1d)
			cpu.l1d = (int64_t)(c >> 24) * 1024;
		__cpuid(0x80000006, a, b, c, d);
		if (!cpu.l2)
			cpu.l2 = (int64_t)(c >> 16) * 1024;
	}
}
#endif

static void detect_caches(void)
{
	for (int i = 0; i < 8; i++) {
		char path[128], type[32];
		int64_t level, size;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		level = read_size_file(path);
		if (!level)
			break;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		read_text_file(path, type, sizeof(type));
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		size = read_size_file(path);
		if (level == 1 && !strcmp(type, "Data"))
			cpu.l1d = size;
		else if (level == 2)
			cpu.l2 = size;
		else if (level == 3)
			cpu.l3 = size;
	}
	cpu.cacheline = read_size_file("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size");
#ifdef NB_X86
	if (!cpu.l1d || !cpu.l2)
		cpuid_caches();
#endif
	/* Plausible defaults when sysfs and CPUID say nothing (containers,
	 * some virtual machines, non-Linux). */
	if (!cpu.l1d)
		cpu.l1d = 32 * 1024;
	if (!cpu.l2)
		cpu.l2 = 512 * 1024;
	if (!cpu.l3)
		cpu.l3 = 8 * 1024 * 1024;
	if (!cpu.cacheline)
		cpu.cacheline = 64;
}

static void detect_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	int max_core = -1, max_phys = -1;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		if (!strncmp(line, "model name", 10) && !cpu.model[0]) {
			char *v = colon + 1;

			while (*v == ' ')
				v++;
			v[strcspn(v, "\n")] = '\0';
			snprintf(cpu.model, sizeof(cpu.model), "%s", v);
		} else if (!strncmp(line, "core id", 7)) {
			int id = atoi(colon + 1);

			if (id > max_core)
				max_core = id;
		} else if (!strncmp(line, "physical id", 11)) {
			int id = atoi(colon + 1);

			if (id > max_phys)
				max_phys = id;
		}
	}
	fclose(f);
	cpu.sockets = max_phys + 1 > 0 ? max_phys + 1 : 1;
	cpu.cores = max_core + 1 > 0 ? (max_core + 1) * cpu.sockets : 0;
}

static void detect_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			long long kb;

			if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
				cpu.mem_total = kb * 1024;
			else if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
				cpu.mem_available = kb * 1024;
		}
		fclose(f);
	}
	if (!cpu.mem_total) {
		long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

		if (pages > 0 && psz > 0)
			cpu.mem_total = (int64_t)pages * psz;
	}
	if (!cpu.mem_available)
		cpu.mem_available = cpu.mem_total;
}

void cpu_refresh_isa(void)
{
	const char *force = getenv("NPUBENCH_ISA");
	enum nb_isa best = NB_ISA_PORTABLE;

	for (int i = NB_ISA_COUNT - 1; i > 0; i--)
		if (cpu_has_isa((enum nb_isa)i, NULL)) {
			best = (enum nb_isa)i;
			break;
		}
	cpu.isa_forced[0] = '\0';
	if (force && *force) {
		int want = isa_parse(force);
		const char *why = NULL;

		snprintf(cpu.isa_forced, sizeof(cpu.isa_forced), "%s", force);
		if (want < 0)
			warning("NPUBENCH_ISA=%s: unknown level (portable, avx2 or avx512); using %s",
				force, isa_name(best));
		else if (!cpu_has_isa((enum nb_isa)want, &why))
			warning("NPUBENCH_ISA=%s is not available here (%s); using %s", force, why,
				isa_name(best));
		else
			best = (enum nb_isa)want;
	}
	cpu.isa = best;
}

const struct nb_cpu *cpu_detect(void)
{
	struct utsname u;
	cpu_set_t set;

	if (detected)
		return &cpu;
	detected = 1;
#ifdef NB_X86
	detect_x86();
#endif
	detect_model();
	detect_caches();
	detect_memory();
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		cpu.online_cpus = CPU_COUNT(&set);
	else
		cpu.online_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cpu.online_cpus < 1)
		cpu.online_cpus = 1;
	if (cpu.cores < 1 || cpu.cores > cpu.online_cpus)
		cpu.cores = cpu.online_cpus;
	if (uname(&u) == 0) {
		snprintf(cpu.arch, sizeof(cpu.arch), "%s", u.machine);
		snprintf(cpu.os, sizeof(cpu.os), "%s %s", u.sysname, u.release);
	}
	if (!cpu.model[0])
		snprintf(cpu.model, sizeof(cpu.model), "unknown %s CPU", cpu.arch);
	cpu_refresh_isa();
	return &cpu;
}
