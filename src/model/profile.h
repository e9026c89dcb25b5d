/* Chip profiles: one strict JSON file per chip, every figure sourced.
 * See profiles/SCHEMA.md for every key, its unit and how the model uses it.
 * The only module besides the commands that reads profile JSON; nothing in
 * C knows a particular chip. */
#ifndef NB_PROFILE_H
#define NB_PROFILE_H

#include <stddef.h>

#include "util/dtype.h"

struct nb_profile;
struct nb_profiles;

/* Loads every *.json in DIRS (in order; a profile id found earlier wins over
 * the same id later).  A missing folder is skipped; an invalid profile is an
 * error naming file, key path and value.  Returns 0, or -1 after reporting. */
int profiles_load(const char *const *dirs, int ndirs, struct nb_profiles **out);
void profiles_free(struct nb_profiles *set);
int profiles_count(const struct nb_profiles *set);
const struct nb_profile *profiles_get(const struct nb_profiles *set, int i);
/* By id or alias, case-insensitive; NULL when unknown. */
const struct nb_profile *profiles_find(const struct nb_profiles *set, const char *name);

/* Loads and validates one file (`profile validate`, tests).  Returns 0 and
 * the profile, or -1 after reporting "FILE: key \"PATH\": what is wrong".
 * CHECK_NAME: the file name must be ID.json (true for profile folders). */
int profile_load_file(const char *path, int check_name, struct nb_profile **out);
void profile_free(struct nb_profile *p);
/* Reads BODY (LEN bytes, downloaded from SRC) as a profile document and
 * settles its id: with AS, the id becomes AS (and the aliases are dropped:
 * they would name two profiles) and *TEXT is the document reprinted; else
 * *TEXT is BODY.  *ID and *TEXT are malloc'd.  Nothing is validated beyond
 * the id: load the text for that.  Returns 0, or -1 after reporting. */
int profile_text_settle_id(const char *src, const char *body, size_t len, const char *as,
			   char **id, char **text);

/* How the loader reads a key PATH ("memory.bandwidth_gbs",
 * "peak_dense_tflops.fp32", "sources.TAG", "emulation.fp16.via"): a string,
 * a positive integer, a list of strings, a figure, a figure with an integer
 * value, an object; NONE when the loader would reject the key. */
enum nb_pkey { NB_PK_NONE, NB_PK_STR, NB_PK_INT, NB_PK_STRARR, NB_PK_FIG, NB_PK_FIGINT, NB_PK_OBJ };
enum nb_pkey profile_key_type(const char *path);

/* A profile being written (profile probe), key by key through the loader's
 * own key table: a key the loader would not read is an internal error. */
struct nb_profile_doc;
struct nb_profile_doc *profile_doc_new(void);
void profile_doc_free(struct nb_profile_doc *d);
void profile_doc_str(struct nb_profile_doc *d, const char *path, const char *value);
void profile_doc_int(struct nb_profile_doc *d, const char *path, int value);
/* A document to extend, from profile JSON TEXT; NULL when TEXT is not a
 * JSON object (nothing else is checked until it is written). */
struct nb_profile_doc *profile_doc_parse(const char *text);
void profile_doc_strarr(struct nb_profile_doc *d, const char *path);	/* empty */
/* Appends VALUE to the list of strings at PATH (created when absent). */
void profile_doc_stradd(struct nb_profile_doc *d, const char *path, const char *value);
/* A figure: value, source tag, kind ("measured", ...) and a note (or NULL). */
void profile_doc_fig(struct nb_profile_doc *d, const char *path, double value, const char *source,
		     const char *kind, const char *note);
/* The value of figure PATH, or NAN when it was not written. */
double profile_doc_value(const struct nb_profile_doc *d, const char *path);
/* Replaces the value of figure PATH and appends "; WHY" to its note. */
void profile_doc_revalue(struct nb_profile_doc *d, const char *path, double value, const char *why);
/* Reads FILE, a profile written before, as a document to change.  Returns
 * 0, or -1 after reporting. */
int profile_doc_read(const char *file, struct nb_profile_doc **out);
/* Whether the document has key PATH (any type). */
int profile_doc_has(const struct nb_profile_doc *d, const char *path);
/* Moves key PATH ("interconnect", "sources.MPI") of FROM into TO, replacing
 * TO's; nothing when FROM lacks it. */
void profile_doc_take(struct nb_profile_doc *to, struct nb_profile_doc *from, const char *path);
/* Writes the document to FILE (creating its folder), then loads it back with
 * the strict loader into *OUT.  Returns 0, or -1 after reporting. */
int profile_doc_write(const struct nb_profile_doc *d, const char *file, struct nb_profile **out);

const char *profile_id(const struct nb_profile *p);
const char *profile_name(const struct nb_profile *p);
const char *profile_vendor(const struct nb_profile *p);
const char *profile_path(const struct nb_profile *p);	/* the file it came from */
int profile_year(const struct nb_profile *p);
/* The chip's place among the default targets ("default_target": N, from 1),
 * which the target word "default" and commands without a target list take
 * in, in that order; 0 when it is not one. */
int profile_default_target(const struct nb_profile *p);
/* Alias I (0-based) or NULL past the last. */
const char *profile_alias(const struct nb_profile *p, int i);
/* The profile as loaded, as compact JSON (malloc'd): the snapshot stored
 * beside every prediction. */
char *profile_snapshot_json(const struct nb_profile *p);

/* Figures in SI units.  Every accessor returns 0 when the profile does not
 * give the figure (a dtype the chip lacks, an optional field left out). */

/* Dense peak of DTYPE's matrix unit, FLOP/s (OP/s for integers); no sparsity. */
double profile_peak(const struct nb_profile *p, enum nb_dtype dtype);
/* Throughput multiplier with 2:4 structured sparsity (2 on NVIDIA/AMD);
 * 0 when the chip has no structured-sparsity mode. */
double profile_sparse_factor(const struct nb_profile *p);
/* The dtype DTYPE is emulated with when the chip lacks it, or -1. */
int profile_emulation(const struct nb_profile *p, enum nb_dtype dtype);
double profile_mem_bytes(const struct nb_profile *p);		/* device memory capacity */
double profile_bw_bytes_per_s(const struct nb_profile *p);	/* device memory bandwidth */
/* The bandwidth of a stream reading READS and writing WRITES arrays: the
 * read-only or write-only figure when the profile has it, else the mixed one. */
double profile_stream_bw_bytes_per_s(const struct nb_profile *p, int reads, int writes);
double profile_llc_bytes(const struct nb_profile *p);		/* last on-chip buffer (L2, SRAM, VMEM) */
double profile_local_bytes(const struct nb_profile *p);	/* per-unit buffer (L2 per core); 0: not given */
double profile_llc_bw_bytes_per_s(const struct nb_profile *p);
/* The rate a skinny GEMM's kernel reads its weights from the last-level
 * cache (on_chip.llc_gemv_bandwidth_gbs); 0 when not given. */
double profile_llc_gemv_bw_bytes_per_s(const struct nb_profile *p);
int profile_units(const struct nb_profile *p);			/* SMs, CUs, AI cores, MXUs... */
const char *profile_unit_kind(const struct nb_profile *p);	/* "SM", "AI core", ... */
/* Matrix-unit tile (the padding granule of m, n, k) and the work tile one
 * unit takes at a time (the granule of wave quantization). */
void profile_tile(const struct nb_profile *p, int *m, int *n, int *k);
void profile_block(const struct nb_profile *p, int *m, int *n);
double profile_clock_hz(const struct nb_profile *p);
/* Special-function (exp) rate of the vector units, per second; used for softmax. */
double profile_vector_flops(const struct nb_profile *p);
/* Elements per second of an implementation whose elementwise work runs as
 * separate vector passes over fp32 activations (the host's): a plain pass
 * (compute.elementwise_gelems), one computing an exponential per element
 * (compute.elementwise_exp_gelems) and the MLP's activation
 * (compute.elementwise_act_gelems); 0 when the profile gives none. */
double profile_ew_rate(const struct nb_profile *p);
double profile_ew_exp_rate(const struct nb_profile *p);
double profile_ew_act_rate(const struct nb_profile *p);
double profile_interconnect_bytes_per_s(const struct nb_profile *p);
/* The interconnect's name ("NVLink 4"), or NULL when the profile has none. */
const char *profile_interconnect_name(const struct nb_profile *p);
double profile_tdp_w(const struct nb_profile *p);

/* The chip's place in a cluster (SCHEMA.md "interconnect"): its scale-up
 * domain and its scale-out NICs, in SI units.  Bandwidths are per
 * direction. */
struct nb_interconnect {
	const char *kind;		/* switch, full_mesh, torus2d, torus3d, ring */
	const char *shape;		/* torus: "16x16"; NULL otherwise */
	int chips;			/* chips in one scale-up domain */
	int links_per_chip;		/* scale-up links of one chip */
	double link_bytes_per_s;	/* one link, one direction */
	double latency_s;		/* one hop of the scale-up links (interconnect.latency_us) */
	double efficiency;		/* fraction of line rate a collective's data moves at */
	const char *reduction;		/* in-network reduction (NVLS), or NULL */
	double reduction_efficiency;	/* fraction of one chip's line rate it reaches */
	const char *out_name;		/* scale-out network, or NULL when the profile has none */
	double nics_per_chip;		/* NICs per chip (fractional when a node shares them) */
	double nic_bytes_per_s;		/* one NIC, one direction */
	double out_latency_s;		/* one scale-out hop */
	double out_efficiency;
	double launch_s;		/* fixed cost of one operation: scale_up.base_us, else model.launch_us */
};

/* Fills IC; returns -1 (IC zeroed) when the profile has no scale-up section. */
int profile_interconnect(const struct nb_profile *p, struct nb_interconnect *ic);

/* The model's efficiency parameters (see SCHEMA.md "model"). */
struct nb_model_params {
	double gemm_efficiency;		/* fraction of dense peak a large GEMM sustains */
	double tile_overhead_k;	/* cost per work tile (prologue, epilogue) in reduction steps */
	double attention_efficiency;	/* fraction of dense peak fused attention sustains */
	double stream_efficiency;	/* fraction of memory bandwidth a stream sustains */
	double launch_us;		/* per-kernel launch and synchronisation latency */
	double overlap;			/* fraction of the shorter of compute/memory hidden */
	double sparse_efficiency;	/* sparsity.efficiency: share of the 2:4 speed-up kept */
	double csr_efficiency;		/* fraction of dense peak an unstructured spmm reaches */
	double sync_us;			/* host round trip of one synchronously timed call (0: unknown) */
	double csr_output_madds;	/* CSR: cost of each output element, in multiply-adds (0: none) */
	double stream_k;		/* > 0: the GEMM library has stream-K (0: classic waves only) */
	double occupancy_knee;		/* latency hiding: a unit holding a share r of a block's
					 * work runs at r(1+knee)/(r+knee) of its rate (0: off) */
};

/* The parameters for software described by HINT (e.g. the kernel column of
 * a measurements file): a variant of the profile whose "match" text occurs in
 * HINT (case-insensitive) overrides the defaults.  *VARIANT (may be NULL) is
 * set to the variant's name or NULL.  HINT may be NULL. */
const struct nb_model_params *profile_model_params(const struct nb_profile *p, const char *hint,
						   const char **variant);

/* An implementation (model.impl) as the model uses it. */
struct nb_impl {
	const char *name;	/* NULL: the profile names no default (the model's own figures) */
	const char *note;	/* what it is and which rows set its figures */
	int is_default;		/* chosen as the profile's default for the kind */
	int computes_in;	/* dtype its matrix work is done in, or -1: the case's */
	const struct nb_model_params *params;
};

/* Implementation NAME of kind KIND ("gemm" or "attention") on P; NULL or
 * "auto" takes the profile's model.default_impl for the kind.  Returns 0,
 * or -1 with WHY (N bytes) when the profile describes no NAME or NAME does
 * not implement KIND. */
int profile_impl(const struct nb_profile *p, const char *name, const char *kind, struct nb_impl *out,
		 char *why, size_t n);
/* The implementation of KIND whose "match" text occurs in HINT (a
 * measurements file's kernel and extra columns), case-insensitive; NULL when
 * none does. */
const char *profile_impl_matching(const struct nb_profile *p, const char *hint, const char *kind);
/* The name of implementation I (0-based), NULL past the last. */
const char *profile_impl_name(const struct nb_profile *p, int i);

/* Provenance of the figure at key path PATH ("memory.bandwidth_gbs",
 * "peak_dense_tflops.bf16", "model.gemm_efficiency"): the source text, with
 * *KIND ("vendor-spec", "measured", "derived", "estimate") and *NOTE (NULL
 * when none) filled when not NULL.  NULL when the profile lacks the figure. */
const char *profile_field_source(const struct nb_profile *p, const char *path,
				 const char **kind, const char **note);

/* Calls FN for every figure of the profile in file order: key path, value
 * (in the key's unit), source text, kind, note (or NULL). */
void profile_each_figure(const struct nb_profile *p,
			 void (*fn)(void *arg, const char *path, double value, const char *source,
				    const char *kind, const char *note),
			 void *arg);

/* Spec-sheet arithmetic (src/model/spec.c); 0 when a figure it needs is
 * missing.  The peak with 2:4 sparsity, FLOP/s; the ridge point of DT's
 * dense peak over the memory bandwidth, FLOP per byte; DT's dense peak per
 * watt of TDP, TFLOP/s per W. */
double profile_sparse_peak(const struct nb_profile *p, enum nb_dtype dt);
double profile_ridge_point(const struct nb_profile *p, enum nb_dtype dt);
double profile_tflops_per_watt(const struct nb_profile *p, enum nb_dtype dt);

#endif
