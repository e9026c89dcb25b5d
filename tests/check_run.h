/* The end every Check program's main shares: run what SR holds, free it,
 * and turn the failures into the exit status make check reads. */
#ifndef NB_CHECK_RUN_H
#define NB_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(SRunner *sr)
{
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
