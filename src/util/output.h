/* Writing a command's output (-o, --script, installed profiles) the way
 * shell redirection would: what exists at the path keeps its nature. */
#ifndef NB_OUTPUT_H
#define NB_OUTPUT_H

#include <stddef.h>

/* Writes DATA to PATH.  "-" (or NULL) is standard output; a symbolic link
 * is followed; a device, FIFO or socket is written into, never replaced; a
 * regular file is replaced atomically (temporary file beside it, fsync,
 * rename) keeping its mode and owner; a new file gets 0666 less the umask.
 * Temporary files left by a killed writer of the same path are removed
 * first.  Returns 0, or -1 after reporting the error (nothing is left
 * behind). */
int nb_write_output(const char *path, const void *data, size_t len);

#endif
