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
/* For every kernel and each dtype it accepts: the implementation used. */
void hostinfo_each_impl(void (*fn)(void *arg, const char *kernel, const char *dtype,
				   const char *impl), void *arg);
/* The compiler that built npubench ("gcc 12.2.0"). */
const char *hostinfo_compiler(void);
/* The host as text for people. */
void hostinfo_print(void);
/* The machine's host name (static buffer). */
const char *hostinfo_hostname(void);

#endif
