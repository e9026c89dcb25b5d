/* Small helpers every module uses: error reporting, allocation that fails
 * loudly, number parsing and a growable string. */
#ifndef NB_UTIL_H
#define NB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define NB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NB_UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define NB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NB_NORETURN __attribute__((noreturn))
#else
#define NB_PRINTF(f, a)
#define NB_NORETURN
#endif

/* Prints "npubench: MESSAGE" to stderr and returns -1, so that
 * `return error("cannot open '%s'", path);` reads naturally. */
int error(const char *fmt, ...) NB_PRINTF(1, 2);
/* Prints "npubench: warning: MESSAGE" to stderr. */
void warning(const char *fmt, ...) NB_PRINTF(1, 2);
/* Prints "npubench: MESSAGE" and exits with status 1; only for states a
 * caller cannot recover from (out of memory).  Under mpirun it is the
 * rank's own, as error_rank(). */
void die(const char *fmt, ...) NB_PRINTF(1, 2) NB_NORETURN;
/* Silences error() and warning() while > 0 (tests of error paths). */
extern int nb_quiet_errors;
/* Under an MPI launcher with several ranks, this process's rank; else -1.
 * error() and warning() report what every rank meets alike (an option, a
 * case, a profile): rank 0 alone prints it, the others only fail with the
 * same status.  error_rank() reports a failure that is this rank's own
 * (its allocation, its MPI library) as "npubench: rank N: MESSAGE". */
extern int nb_error_rank;
/* How many errors this rank left to rank 0 to print. */
extern int nb_errors_held;
int error_rank(const char *fmt, ...) NB_PRINTF(1, 2);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) NB_PRINTF(1, 2);
/* 64-byte aligned allocation (cache line and AVX-512 friendly); free with
 * nb_aligned_free.  Returns NULL on failure instead of dying: kernels size
 * their buffers from user input and must fail cleanly. */
void *nb_aligned_alloc(size_t size);
void nb_aligned_free(void *p);

/* Strict parsers: the whole string must be a number in range.  Return 0 on
 * success, -1 (without printing) otherwise. */
int nb_parse_i64(const char *s, int64_t *out);
int nb_parse_double(const char *s, double *out);

/* A growable, always NUL-terminated string. */
struct strbuf {
	char *buf;
	size_t len, alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) NB_PRINTF(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);
static inline const char *sb_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }

/* "Did you mean": offer each candidate name in turn, then read the closest
 * one (an edit per three letters of WORD, at least one, fewer than WORD
 * has letters; on a tie, a name that starts like WORD wins), or "" when
 * none is close enough: the caller then lists the names. */
struct nb_near {
	const char *word;
	char best[64];
	int dist;
	int prefix;		/* best starts with word, or word with best */
	char hint[96];
};
void nb_near_init(struct nb_near *nr, const char *word);
void nb_near_offer(struct nb_near *nr, const char *name, size_t len);
/* Offers each name of "a|b|c" (a parameter's choices). */
void nb_near_offer_choices(struct nb_near *nr, const char *choices);
/* Starts over with WORD, offers the names of "a|b|c" and returns the hint. */
const char *nb_near_choices(struct nb_near *nr, const char *word, const char *choices);
/* ": did you mean 'NAME'?" for the closest, or "" when none is close. */
const char *nb_near_hint(struct nb_near *nr);
/* Edit distance (a swap of two neighbouring letters is one edit), letters
 * compared without case; 99 past 62 characters. */
int nb_edit_distance(const char *a, size_t la, const char *b, size_t lb);

/* Shell-style glob match (fnmatch) of NAME against PATTERN. */
int nb_glob_match(const char *pattern, const char *name);

/* Reads a whole file into a NUL-terminated buffer; caps at MAX bytes.
 * Returns 0, or -1 after reporting the error. */
int nb_read_file(const char *path, size_t max, char **out, size_t *len);
/* nb_write_output() (util/output.h) under its older name. */
int nb_write_file_atomic(const char *path, const void *data, size_t len);
/* Creates DIR and its parents (mode 0755) when missing. */
int nb_mkdirs(const char *dir);

/* Formats a throughput or size with an SI prefix: "12.3 TFLOP/s". */
void nb_format_si(char *out, size_t n, double value, const char *unit);
/* Formats V exactly: the shortest of %.15g..%.17g that reads back as the
 * same double ("0.00201", not "0.0020100000000000001"). */
void nb_format_exact(char *out, size_t n, double v);
/* Formats a duration: "812 ns", "12.3 us", "4.56 ms", "1.23 s", "2m05s". */
void nb_format_time(char *out, size_t n, double seconds);
/* Current wall-clock time as ISO 8601 UTC ("2026-11-28T15:52:07Z"). */
void nb_iso8601_now(char *out, size_t n);

#endif
