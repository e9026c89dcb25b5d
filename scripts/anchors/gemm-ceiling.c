/* gemm-ceiling: the instruction-throughput ceiling of the AVX2 int8 inner
 * loops on this core (npubench's AVX2 path, and oneDNN's where the CPU has
 * no VNNI; at AVX-512 the ceilings are the peak probes' lines), measured with the exact register-resident loops (no
 * memory traffic beyond L1 broadcasts), thread CPU time, best of 7:
 *   exact int16 pairs (npubench int8): 6 vpbroadcastd + 12 vpmaddwd +
 *     12 vpaddd per 6x16x2 = 192 multiply-adds;
 *   u8 x s8 (oneDNN's AVX2 int8, saturating in int16): 6 vpbroadcastd +
 *     12 vpmaddubsw + 12 vpmaddwd + 12 vpaddd per 384 multiply-adds;
 *   fp32 FMA (npubench fp32/fp16/bf16): 6 vbroadcastss + 12 vfmadd per 96.
 * Prints GOP/s (2 per multiply-add) for one thread.  Evidence for what
 * limits int8, not a test.  x86-64 with AVX2 only. */
#include <stdio.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int buf[64] __attribute__((aligned(64)));

#define ROW(bc, mul, add, off, lo, hi)							\
	bc " " #off "(%1), %%ymm14\n\t"							\
	mul " %%ymm12, %%ymm14, %%ymm15\n\t" add " %%ymm15, %%ymm" #lo ", %%ymm" #lo "\n\t" \
	mul " %%ymm13, %%ymm14, %%ymm15\n\t" add " %%ymm15, %%ymm" #hi ", %%ymm" #hi "\n\t"
#define ROWU(off, lo, hi)								\
	"vpbroadcastd " #off "(%1), %%ymm14\n\t"					\
	"vpmaddubsw %%ymm12, %%ymm14, %%ymm15\n\t vpmaddwd %%ymm15, %%ymm11, %%ymm15\n\t" \
	"vpaddd %%ymm15, %%ymm" #lo ", %%ymm" #lo "\n\t"				\
	"vpmaddubsw %%ymm13, %%ymm14, %%ymm15\n\t vpmaddwd %%ymm15, %%ymm11, %%ymm15\n\t" \
	"vpaddd %%ymm15, %%ymm" #hi ", %%ymm" #hi "\n\t"
#define ROWF(off, lo, hi)								\
	"vbroadcastss " #off "(%1), %%ymm14\n\t"					\
	"vfmadd231ps %%ymm12, %%ymm14, %%ymm" #lo "\n\t"				\
	"vfmadd231ps %%ymm13, %%ymm14, %%ymm" #hi "\n\t"

int main(void)
{
	const long n = 20000000;
	const char *name[] = { "AVX2 exact int16 pairs (npubench int8)", "AVX2 u8s8 saturating (oneDNN int8)",
			       "AVX2 fp32 FMA (npubench fp32/fp16/bf16)" };
	const double macs[] = { 192, 384, 96 };

	for (int v = 0; v < 3; v++) {
		double best = 1e30;

		for (int rep = 0; rep < 7; rep++) {
			long i = n;
			double t = cpu_now();

			if (v == 0)
				__asm__ volatile("1:\n\t vmovdqa (%1), %%ymm12\n\t vmovdqa 32(%1), %%ymm13\n\t"
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 64, 0, 1)
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 68, 2, 3)
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 72, 4, 5)
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 76, 6, 7)
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 80, 8, 9)
						 ROW("vpbroadcastd", "vpmaddwd", "vpaddd", 84, 10, 11)
						 "dec %0\n\t jnz 1b\n\t"
						 : "+r"(i) : "r"(buf) : "cc", "memory");
			else if (v == 1)
				__asm__ volatile("1:\n\t vmovdqa (%1), %%ymm12\n\t vmovdqa 32(%1), %%ymm13\n\t"
						 ROWU(64, 0, 1) ROWU(68, 2, 3) ROWU(72, 4, 5)
						 ROWU(76, 6, 7) ROWU(80, 8, 9) ROWU(84, 10, 10)
						 "dec %0\n\t jnz 1b\n\t"
						 : "+r"(i) : "r"(buf) : "cc", "memory");
			else
				__asm__ volatile("1:\n\t vmovdqa (%1), %%ymm12\n\t vmovdqa 32(%1), %%ymm13\n\t"
						 ROWF(64, 0, 1) ROWF(68, 2, 3) ROWF(72, 4, 5)
						 ROWF(76, 6, 7) ROWF(80, 8, 9) ROWF(84, 10, 11)
						 "dec %0\n\t jnz 1b\n\t"
						 : "+r"(i) : "r"(buf) : "cc", "memory");
			t = cpu_now() - t;
			if (t < best)
				best = t;
		}
		printf("# ceiling, 1 thread, %-41s %6.1f GOP/s (%.2f ns per %.0f multiply-adds)\n",
		       name[v], 2 * macs[v] * n / best / 1e9, best / n * 1e9, macs[v]);
	}
	return 0;
}
