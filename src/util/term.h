/* Text meant for a person's terminal: control characters from data (a
 * profile's name, a tag, case text) are shown, never obeyed. */
#ifndef NB_TERM_H
#define NB_TERM_H

#include <stddef.h>

/* Appends to OUT (of size N, always NUL-terminated) TEXT[0..len) with every
 * C0 control but tab and newline, DEL and every UTF-8-encoded C1 control
 * written visibly ("\x1b", "\u009b").  Returns the bytes written. */
size_t term_clean(char *out, size_t n, const char *text, size_t len);

/* Routes standard output through the same cleaning (called once by main):
 * tables, lists and messages built from data cannot drive the terminal. */
void term_filter_stdout(void);
/* Standard output is a machine format that must stay byte-exact (CSV):
 * the filter passes what follows unchanged. */
void term_exact_stdout(void);

#endif
