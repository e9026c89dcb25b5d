/* Every Check suite of the unit tests; the runner in check_main.c runs them
 * all.  Adding a module's tests: one file, one line here, one in
 * check_main.c's table. */
#ifndef CHECK_SUITES_H
#define CHECK_SUITES_H

#include <check.h>

#include "util/util.h"

/* What FN (an escaper under test) writes for TEXT into a fresh buffer;
 * malloc'd. */
static inline char *check_written(void (*fn)(struct strbuf *, const char *), const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	fn(&sb, text);
	return sb_detach(&sb);
}

Suite *suite_util(void);
Suite *suite_case(void);
Suite *suite_abtest(void);
Suite *suite_store(void);
Suite *suite_suite_files(void);
Suite *suite_gemm(void);
Suite *suite_kernels(void);
Suite *suite_profile(void);
Suite *suite_model(void);
Suite *suite_collective(void);
Suite *suite_workload(void);
Suite *suite_plot(void);
Suite *suite_prometheus(void);
Suite *suite_report(void);
Suite *suite_cuda(void);

/* The dispatch level the kernel tests run at: portable in check_npubench,
 * the level named by each per-ISA runner (check_isa.c). */
extern int check_isa;
Suite *suite_gemm_isa(void);
Suite *suite_kernels_isa(void);

#endif
