/* Monotonic wall-clock time for measurements. */
#ifndef NB_TIMER_H
#define NB_TIMER_H

/* Seconds since an arbitrary point, CLOCK_MONOTONIC. */
double timer_now(void);
/* The smallest observable difference between two timer_now() calls,
 * measured (STREAM's checktick), in seconds. */
double timer_tick(void);

#endif
