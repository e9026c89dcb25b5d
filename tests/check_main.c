/* The one runner for every Check suite. */
#include <stdlib.h>

#include "check_run.h"
#include "check_suites.h"
#include "util/cpu.h"

int check_isa = NB_ISA_PORTABLE;

static Suite *(*const suites[])(void) = {
	suite_util,
	suite_case,
	suite_abtest,
	suite_store,
	suite_suite_files,
	suite_gemm,
	suite_kernels,
	suite_profile,
	suite_model,
	suite_collective,
	suite_workload,
	suite_plot,
	suite_prometheus,
	suite_report,
	suite_cuda,
};

int main(void)
{
	SRunner *sr = srunner_create(NULL);

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	return check_run(sr);
}
