/* What the host CPU is and can do: features for run-time dispatch, caches
 * for blocking, cores and memory for sizing. */
#ifndef NB_CPU_H
#define NB_CPU_H

#include <stdint.h>

/* Kernel implementation levels, chosen at run time. */
enum nb_isa {
	NB_ISA_PORTABLE = 0,	/* plain C, every CPU; the test oracle */
	NB_ISA_AVX2 = 1,	/* x86-64 AVX2 + FMA + F16C */
	NB_ISA_AVX512 = 2,	/* AVX2 level + AVX-512 F/BW/VL/DQ with ZMM state
				 * enabled by the OS; VNNI and BF16 are separate
				 * features that kernels check per dtype */
};
#define NB_ISA_COUNT 3

struct nb_cpu {
	char model[128];
	char vendor[32];
	char arch[72];
	int online_cpus;	/* logical CPUs this process may use */
	int cores;		/* physical cores (best effort) */
	int sockets;
	/* x86 features that matter to the kernels. */
	int sse42, avx, avx2, fma, f16c, bmi2;
	int avx512f, avx512bw, avx512vl, avx512dq, avx512_vnni, avx512_bf16, avx512_fp16;
	int avx_vnni, amx_tile, amx_bf16, amx_int8;
	int os_avx512;		/* XCR0: opmask, ZMM0-15 upper, ZMM16-31 saved */
	/* Caches in bytes (per core for L1/L2, total for L3). */
	int64_t l1d, l2, l3;
	int64_t cacheline;
	int64_t mem_total, mem_available;
	char os[160];
	enum nb_isa isa;	/* best supported, after NPUBENCH_ISA */
	char isa_forced[32];	/* NPUBENCH_ISA value when set */
};

/* Detects once and caches; cheap to call. */
const struct nb_cpu *cpu_detect(void);
/* Re-reads the NPUBENCH_ISA override (tests switch it). */
void cpu_refresh_isa(void);
const char *isa_name(enum nb_isa isa);
/* The level of the kernels that run at dispatch level ISA: ISA, at most
 * what this build has (AVX2 without the AVX-512 kernels, portable without
 * the x86 ones). */
int isa_built(int isa);
/* 1 when this CPU and OS can run level ISA; else 0 and, when WHY is not
 * NULL, a reason naming the first missing feature ("no avx512bw"). */
int cpu_has_isa(enum nb_isa isa, const char **why);
/* Parses "portable", "avx2", "avx512"; -1 for anything else. */
int isa_parse(const char *name);
/* The AVX-512 dot products the bf16 and int8 kernels need: 1 when the
 * level ISA has them, else 0 with the reason in *WHY when not NULL. */
int cpu_has_bf16_dot(enum nb_isa isa, const char **why);
int cpu_has_int8_dot(enum nb_isa isa, const char **why);

#endif
