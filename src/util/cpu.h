/* What the host CPU is and can do: features for run-time dispatch, caches
 * for blocking, cores and memory for sizing. */
#ifndef NB_CPU_H
#define NB_CPU_H

#include <stdint.h>

/* Kernel implementation levels, chosen at run time. */
enum nb_isa {
	NB_ISA_PORTABLE = 0,	/* plain C, every CPU; the test oracle */
	NB_ISA_AVX2 = 1,	/* x86-64 AVX2 + FMA + F16C */
};

struct nb_cpu {
	char model[128];
	char vendor[32];
	char arch[72];
	int online_cpus;	/* logical CPUs this process may use */
	int cores;		/* physical cores (best effort) */
	int sockets;
	/* x86 features that matter to the kernels. */
	int sse42, avx, avx2, fma, f16c, bmi2;
	int avx512f, avx512bw, avx512vl, avx512_vnni, avx512_bf16, avx512_fp16;
	int avx_vnni, amx_tile, amx_bf16, amx_int8;
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

#endif
