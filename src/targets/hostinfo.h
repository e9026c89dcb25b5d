/* The description of this host stored with every run and printed by
 * `npubench info`. */
#ifndef NB_HOSTINFO_H
#define NB_HOSTINFO_H

/* The CPU features worth knowing for kernels, present or not: fills F
 * (room for HOSTINFO_MAX_FEATURES) and returns the count. */
#define HOSTINFO_MAX_FEATURES 32
struct hostinfo_feature {
	const char *name;
	int on;
};
int hostinfo_features(struct hostinfo_feature *f);
/* For every kernel and each dtype it accepts (and each choice of its
 * info_vary parameter): the implementation used and why (the kernel's
 * impl_why, else the feature the level lacks, else ""). */
void hostinfo_each_impl(void (*fn)(void *arg, const char *kernel, const char *dtype,
				   const char *impl, const char *note), void *arg);
/* Why dispatch runs at its level: the override, the feature the next
 * level lacks, or the best level here (static buffer). */
const char *hostinfo_isa_reason(void);
/* Measures the arithmetic ceilings (peak.h) on all usable CPUs, about
 * 0.2 s each: operations/s into OUT[NB_PEAK_*] (0 where the dispatch level
 * lacks the instruction); returns -1 after an error. */
int hostinfo_peaks(double out[3]);
void hostinfo_print_peaks(const double peaks[3]);
/* The compiler that built npubench ("gcc 12.2.0"). */
const char *hostinfo_compiler(void);
/* The host as text for people. */
void hostinfo_print(void);
/* The machine's host name (static buffer). */
const char *hostinfo_hostname(void);

#endif
