/* The description of this host stored with every run and printed by
 * `npubench info`. */
#ifndef NB_HOSTINFO_H
#define NB_HOSTINFO_H

/* The host as a JSON object (malloc'd text, formatted when PRETTY). */
char *hostinfo_json(int pretty);
/* The host as text for people. */
void hostinfo_print(void);
/* The machine's host name (static buffer). */
const char *hostinfo_hostname(void);

#endif
