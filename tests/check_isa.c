/* The runner of the kernel tests at one ISA level (NB_TEST_ISA, set per
 * program in Makefile.am): every GEMM, attention, spmm and stream
 * implementation at that level against the portable reference.  A CPU or
 * build without the level exits 77 (SKIP) with the reason, never 0.  With
 * NB_TEST_BF16DOT, the bf16 dot-product attention path alone, which also
 * needs avx512_bf16. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "check_run.h"
#include "check_suites.h"
#include "util/cpu.h"

int check_isa = NB_TEST_ISA;

int main(void)
{
	const char *why = NULL;
	SRunner *sr;

#if NB_TEST_ISA >= 2 && !defined(NB_HAVE_AVX512_KERNELS)
	printf("SKIP: %s: this build has no AVX-512 kernels (compiler too old)\n",
	       isa_name((enum nb_isa)check_isa));
	return 77;
#endif
	if (!cpu_has_isa((enum nb_isa)check_isa, &why)) {
		printf("SKIP: %s: %s\n", isa_name((enum nb_isa)check_isa), why);
		return 77;
	}
#ifdef NB_TEST_BF16DOT
	if (!cpu_has_bf16_dot((enum nb_isa)check_isa, &why)) {
		printf("SKIP: bf16 dot product: %s\n", why);
		return 77;
	}
#endif
	/* The kernels descriptors dispatch on cpu_detect()->isa in places:
	 * make it the level under test. */
	setenv("NPUBENCH_ISA", isa_name((enum nb_isa)check_isa), 1);
	cpu_refresh_isa();
#ifdef NB_TEST_BF16DOT
	sr = srunner_create(suite_kernels_bf16dot());
#else
	sr = srunner_create(suite_gemm_isa());
	srunner_add_suite(sr, suite_kernels_isa());
#endif
	return check_run(sr);
}
