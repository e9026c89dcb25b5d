/* Targets: where a case runs.  The host measures for real; a chip target
 * predicts with the model from its profile.  Each kind of target is a
 * descriptor (struct nb_target_kind) in its own file, listed once in
 * registry.c; every command resolves target words through targets_parse,
 * so the vocabulary (host, chip ids and aliases, globs, chips, all,
 * default, and whatever a new kind spells, such as "cuda:0") is the same
 * everywhere. */
#ifndef NB_TARGET_H
#define NB_TARGET_H

#include <signal.h>
#include <stdint.h>

#include "kernels/kernel.h"
#include "targets/result.h"

struct nb_ctx;
struct nb_pool;
struct nb_profile;

/* How the host harness measures (STREAM's discipline, as code). */
struct nb_measure_opts {
	double min_time;	/* keep sampling at least this long (s) ... */
	int min_reps;		/* ... and at least this many samples */
	int max_reps;		/* never more samples than this */
	double stable_rel;	/* stop early once the median's 95% CI half-width
				 * is within this fraction of the median (0: never) */
	uint64_t seed;		/* input generator seed */
	double case_timeout;	/* abandon a case after this long (s) */
	/* Called between executions, outside any timed region, about every
	 * 0.2 s of a case: its time so far and an estimate of the time it has
	 * left (s; 0 when unknown).  May be NULL. */
	void (*tick)(void *arg, double elapsed, double left);
	void *tick_arg;
};

#define NB_MEASURE_DEFAULTS { 0.5, 5, 1000, 0.01, 42, 600 }

/* Set by a signal handler: the harness stops between samples. */
extern volatile sig_atomic_t nb_interrupted;

/* The host's memory, for case_resolve. */
struct nb_target_mem host_target_mem(void);

/* Measures case C on the host with POOL's threads, filling R (status OK,
 * VERIFY_FAILED, NO_FIT or ERROR).  Returns 0, or -1 when interrupted (R is
 * then released). */
int host_measure(const struct nb_case *c, struct nb_pool *pool,
		 const struct nb_measure_opts *o, struct nb_result *r);

/* Predicts case C on chip profile P, filling R (status OK, UNSUPPORTED or
 * NO_FIT). */
void chip_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_result *r);

/* The group words of the vocabulary: which kinds each one takes in. */
#define NB_TG_DEFAULT 1u	/* "default": the host and the chips marked default_target */
#define NB_TG_CHIPS 2u		/* "chips": every chip (and, selecting stored
				 * results, every predicted result) */
#define NB_TG_ALL 4u		/* "all": the host and every chip */

/* What running a case needs besides the case: set by the command once. */
struct nb_target_run {
	int threads;			/* worker threads of measured targets */
	const struct nb_measure_opts *m;
};

struct nb_target;
struct nb_targets;

/* A kind of target.  A new kind (MPI ranks, a GPU through a plugin) is one
 * file defining one of these and one line in registry.c; no command changes. */
struct nb_target_kind {
	const char *name;		/* "host", "chip" */
	const char *spelling;		/* how a word names one, for help and errors */
	/* A word starting with PREFIX belongs to this kind alone ("cuda:");
	 * NULL: the kind is asked through resolve like every other. */
	const char *prefix;
	enum nb_result_kind result_kind;	/* measured or predicted */
	unsigned groups;		/* NB_TG_* group words that take in its targets */
	/* Appends the targets WORD names (an exact name or a glob) to OUT.
	 * Returns how many it added (0: not this kind's), NB_TARGETS_USAGE
	 * after reporting a word of its spelling that is malformed ("cuda:x"),
	 * or -1 after reporting why a target it owns is not available here
	 * ("cuda:0: not available: no libcuda.so.1"). */
	int (*resolve)(struct nb_ctx *ctx, const char *word, struct nb_targets *out);
	/* Appends every target of the kind (only those marked default when
	 * DEFAULT_ONLY).  Returns the count, or -1 after reporting. */
	int (*each)(struct nb_ctx *ctx, int default_only, struct nb_targets *out);
	/* The names a word may use for T (id first, then aliases): for globs
	 * and "did you mean".  I counts from 0; NULL past the last. */
	const char *(*name_of)(const struct nb_target *t, int i);
	/* One line for people: the CPU model, the chip's name. */
	const char *(*describe)(const struct nb_target *t);
	/* Refuses case C before anything runs (host memory).  Returns 0, or
	 * after reporting -1, or -2 when the case as the target resolves it
	 * is invalid (a usage error: sizes mpirun's ranks do not divide).
	 * May be NULL. */
	int (*check)(const struct nb_target *t, const struct nb_case *c);
	/* Per-run state, opened before the first case (the host's threads).
	 * Returns 0, or -1 after reporting.  May be NULL. */
	int (*open)(struct nb_target *t, const struct nb_target_run *env);
	/* Runs or predicts C on T, filling R.  Returns 0, or -1 when
	 * interrupted (R is then released). */
	int (*run)(struct nb_target *t, const struct nb_case *c, const struct nb_target_run *env,
		   struct nb_result *r);
	void (*close)(struct nb_target *t);
};

/* One target: its kind, the id results store, the kind's own data. */
struct nb_target {
	const struct nb_target_kind *kind;
	char *id;			/* "host", a profile id, "cuda:0" */
	const struct nb_profile *profile;	/* a chip's profile; NULL for the host */
	int is_default;			/* taken in by "default" */
	void *priv;			/* opened by the kind */
};

/* What a target list names.  For running, V holds the targets in the order
 * given, without duplicates.  For filtering stored results (flag
 * NB_TARGETS_FILTER) a result is also kept when a group word takes in its
 * kind (GROUPS) or one of PATTERNS matches its stored id: results may come
 * from machines with other profiles. */
struct nb_targets {
	struct nb_target *v;
	int n;
	char **patterns;
	int npatterns;
	unsigned groups;
};

/* The kinds, in the order words are offered to them (registry.c). */
extern const struct nb_target_kind *nb_target_kinds[];
extern int nb_ntarget_kinds;
/* Adds KIND after the built-in ones: for programs that link a kind of
 * their own (the tests do, from a constructor). */
void target_register(const struct nb_target_kind *kind);
extern const struct nb_target_kind nb_target_host, nb_target_chip;

#define NB_TARGETS_FILTER 1u	/* the list selects stored results */
#define NB_TARGETS_USAGE (-2)	/* targets_parse: the list itself is wrong */

/* Parses LIST (comma separated words: host, chip ids and aliases, globs such
 * as h100*, chips, all, default, or a kind's own spelling such as cuda:0)
 * into OUT.  WHAT names the option in messages ("--target").  Returns 0,
 * NB_TARGETS_USAGE after reporting a word that names nothing or an empty
 * list (the command exits 2), or -1 after reporting another failure. */
int targets_parse(struct nb_ctx *ctx, const char *what, const char *list, unsigned flags,
		  struct nb_targets *out);
/* Appends T (its id copied) unless a target with that id is there. */
void targets_add(struct nb_targets *ts, const struct nb_target_kind *kind, const char *id,
		 const struct nb_profile *profile, int is_default);
void targets_release(struct nb_targets *ts);
/* Whether a stored result on TARGET of KIND is selected; a NULL list keeps all. */
int targets_select(const struct nb_targets *ts, const char *target, enum nb_result_kind kind);
/* Every target the registry can list (for `list targets`). */
int targets_all(struct nb_ctx *ctx, struct nb_targets *out);
/* Whether T is a measured target, that is, runs for real here. */
static inline int target_measured(const struct nb_target *t)
{
	return t->kind->result_kind == NB_MEASURED;
}

#endif
