/* What else shares this machine's CPUs while npubench measures: the CPU
 * time other processes take on the CPUs this process may use (from
 * /proc/stat, less this process's own time), and the other npubench
 * measurements running at the same moment (each holds a lock on a file of
 * its own in one directory, so a crashed one never counts). */
#ifndef NB_LOAD_H
#define NB_LOAD_H

#include <stddef.h>

/* One reading of the CPUs' busy time. */
struct nb_load_snap {
	double t;	/* timer_now() */
	double busy;	/* CPU-seconds busy (steal included) on this process's CPUs */
	double self;	/* CPU-seconds this process used (every thread) */
	int ok;		/* 0: /proc/stat could not be read */
};

/* Results are flagged when other processes kept more than this many CPUs
 * busy beyond those the measurement left free: the accounting's tick (10 ms
 * per CPU) over the shortest interval judged stays below it. */
#define NB_LOAD_MARGIN_CPUS 0.25
/* Intervals shorter than this are not judged: too few ticks. */
#define NB_LOAD_MIN_INTERVAL 0.2

void load_snap(struct nb_load_snap *s);
/* CPUs' worth of work done by other processes between A and B, never
 * below 0; negative when unknown (a reading failed, or the interval is
 * shorter than NB_LOAD_MIN_INTERVAL). */
double load_others(const struct nb_load_snap *a, const struct nb_load_snap *b);
/* Sleeps SECONDS (at least NB_LOAD_MIN_INTERVAL) and returns the CPUs'
 * worth of work others did meanwhile, or a negative value when unknown. */
double load_now(double seconds);
/* Whether OTHERS CPUs of load disturb a measurement on THREADS of NCPUS
 * CPUs. */
int load_disturbs(double others, int threads, int ncpus);

/* Sums the busy time (user, nice, system, irq, softirq, steal; guest is
 * inside user) of the "cpuN" lines of /proc/stat text TEXT whose N is in
 * CPUS (a bit per CPU, NCPUS bits; NULL: every CPU).  Returns the number of
 * lines summed, or -1 when TEXT has none. */
int load_parse_stat(const char *text, const unsigned char *cpus, int ncpus, double *ticks);

/* The directory where measurements register: $NPUBENCH_ACTIVE_DIR, or
 * /tmp/npubench-active. */
const char *active_dir(void);
/* Registers this process as measuring (WHAT: its command line) until it
 * exits or active_unregister.  Returns 0, or -1 (silently: registration
 * only helps others warn). */
int active_register(const char *what);
void active_unregister(void);
/* Live registrations other than this process's: the count, and the first
 * one's "pid N: command" in DESC (when N > 0). */
int active_others(char *desc, size_t n);

#endif
