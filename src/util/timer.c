#include "util/timer.h"

#include <time.h>

double timer_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double timer_tick(void)
{
	double best = 1.0;

	/* Take the minimum of many non-zero deltas, as STREAM does. */
	for (int i = 0; i < 64; i++) {
		double t0 = timer_now(), t1;

		while ((t1 = timer_now()) == t0)
			;
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}
