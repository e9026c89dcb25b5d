/* The description of this host stored with every run and printed by
 * `npubench info`. */
#ifndef NB_HOSTINFO_H
#define NB_HOSTINFO_H

/* The host as a JSON object (malloc'd text, formatted when PRETTY). */
char *hostinfo_json(int pretty);
/* The host as text for people. */
void hostinfo_print(void);
/* Measures the arithmetic ceilings (peak.h) on all usable CPUs, about
 * 0.2 s each: the values in operations/s into OUT[NB_PEAK_*] (0 where the
 * dispatch level lacks the instruction); returns -1 after an error. */
int hostinfo_peaks(double out[3]);
/* The same, as text lines or added to a JSON object (text of hostinfo_json). */
void hostinfo_print_peaks(const double peaks[3]);
char *hostinfo_json_peaks(const char *json, const double peaks[3], int pretty);
/* The machine's host name (static buffer). */
const char *hostinfo_hostname(void);

#endif
