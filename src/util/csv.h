/* Reading CSV: one line at a time, RFC 4180 quoting. */
#ifndef NB_CSV_H
#define NB_CSV_H

/* Splits one CSV line into at most MAX fields (RFC 4180 quoting, no
 * embedded newlines).  Fields point into LINE, which is modified.  Returns
 * the field count. */
int csv_split(char *line, char **f, int max);

#endif
