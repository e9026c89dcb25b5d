/* Kernel families, their parameters, and cases (a kernel with concrete
 * parameters).  A kernel descriptor declares its work (operations and the
 * minimum bytes it must move), how to run it on the host, and the shape
 * facts the model needs.  Adding a kernel is one file in src/kernels/ plus
 * one line in registry.c. */
#ifndef NB_KERNEL_H
#define NB_KERNEL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util/dtype.h"

struct nb_pool;
struct nb_cpu;

#define NB_MAX_PARAMS 32

enum nb_ptype {
	NB_P_INT,	/* 64-bit integer, bounded by [min, max] */
	NB_P_REAL,	/* double, bounded by [min, max] */
	NB_P_BOOL,	/* 0/1, true/false, yes/no */
	NB_P_ENUM,	/* one of choices, "a|b|c"; stored as the index */
	NB_P_DTYPE,	/* one of the dtype names in choices, stored as enum nb_dtype */
};

struct nb_param_desc {
	const char *name;
	enum nb_ptype type;
	const char *def;	/* default value, as it would be typed */
	const char *choices;	/* NB_P_ENUM / NB_P_DTYPE: "fp32|fp16|bf16" */
	double min, max;	/* NB_P_INT / NB_P_REAL bounds, inclusive */
	const char *help;
};

union nb_value {
	int64_t i;	/* NB_P_INT, NB_P_BOOL, NB_P_ENUM index, NB_P_DTYPE */
	double r;	/* NB_P_REAL */
};

/* A kernel with concrete parameters.  Values are indexed like the
 * descriptor's params array. */
/* Set (by a signal handler or the per-case time limit) when the case in
 * progress is to be abandoned.  Long kernels read it between blocks of work,
 * never in an inner loop, and return early; the harness then discards the
 * execution, so a partial run is never a sample. */
extern volatile sig_atomic_t nb_abandon;

struct nb_case {
	const struct nb_kernel *kernel;
	union nb_value v[NB_MAX_PARAMS];
};

/* What a case does, declared once and read by the harness, the model and the
 * reports alike. */
struct nb_work {
	double ops;		/* floating-point or integer operations (2 per multiply-add) */
	double bytes;		/* minimum bytes moved to and from memory */
	const char *unit;	/* throughput unit: "FLOP/s", "OP/s" or "B/s" */
	/* For sparse kernels: the operations actually performed on non-zeros.
	 * ops stays the dense-equivalent count vendors quote.  0 when dense. */
	double actual_ops;
	/* Bytes including write-allocate traffic: each array written with
	 * ordinary (cached) stores is also read into the cache first.  Equals
	 * bytes when every store is non-temporal (streaming) or nothing is
	 * written; 0 when a kernel does not declare it. */
	double bytes_wa;
	/* The count publications quote when it differs from ops (FlashAttention
	 * counts a causal head as half of the full seq_q x seq_k square); 0 when
	 * it is ops. */
	double nominal_ops;
};

/* What the host harness gives a kernel's setup. */
struct nb_host_env {
	struct nb_pool *pool;		/* workers, pinned; pool_threads() of them */
	const struct nb_cpu *cpu;	/* detected features, caches */
	uint64_t seed;			/* for the input generator */
	int isa;			/* enum nb_isa dispatch level to use */
};

/* Verification verdict, filled by verify() after timing. */
struct nb_verify {
	double max_err;		/* worst error observed (absolute or relative, see what) */
	double tol;		/* the tolerance it was held to */
	int ok;			/* max_err <= tol */
	char what[96];		/* how err is measured, e.g. "max |c-ref|/(|a||b|k eps)" */
};

/* Facts about a case that the chip model reads.  The kind selects the
 * model's predictor from its table (model/model.c): matrix-like families
 * describe themselves as a batch of GEMMs, fused attention as attention, the
 * rest as streams.  A family that fits none adds a kind and one predictor
 * (see doc/ARCHITECTURE.md); no existing code branches on the kind. */
/* NB_SHAPE_WORKLOAD: a sequence of other cases (train, infer), composed by
 * model/compose.c rather than predicted from the shape. */
enum nb_shape_kind {
	NB_SHAPE_GEMM, NB_SHAPE_ATTENTION, NB_SHAPE_STREAM, NB_SHAPE_COLLECTIVE, NB_SHAPE_WORKLOAD, NB_SHAPE_KINDS
};
enum nb_sparsity { NB_SPARSE_NONE, NB_SPARSE_2_4, NB_SPARSE_CSR };

struct nb_shape {
	enum nb_shape_kind kind;
	enum nb_dtype dtype;		/* input dtype */
	int64_t batch;			/* independent problems (attention: b*h) */
	int64_t m, n, k;		/* GEMM: C[m,n] += A[m,k] B[k,n] */
	/* attention: seq_q, seq_k, head_dim; pairs is the exact count of
	 * unmasked (query, key) pairs of one problem (seq_q x seq_k unless
	 * causal) */
	int64_t seq_q, seq_k, head_dim;
	int causal;
	double pairs;
	enum nb_sparsity sparsity;
	double density;			/* CSR: fraction of non-zeros */
	double nnz;			/* CSR: the non-zeros of A, as generated */
	int stream_reads, stream_writes;/* arrays read / written per pass */
	/* collective: enum nb_coll_op and nb_coll_algo, the message as
	 * nccl-tests counts it, the ranks it spans */
	int coll_op, coll_algo;
	double coll_bytes;
	int64_t ranks;
};

/* What a target says about itself to size the parameters whose default
 * depends on it (stream n=0: past the target's last-level cache). */
struct nb_target_mem {
	double llc_bytes;	/* last-level cache or on-chip buffer, bytes */
	int ranks;		/* processes running in step (MPI world size); 0 on a chip */
};

/* The scaling axis of a family: the parameters set together to each size,
 * from FROM to TO by doubling (plot --kind scaling). */
struct nb_sweep {
	const char *params[3];
	int64_t from, to;
	const char *xlabel;
};

struct nb_kernel {
	const char *name;		/* "gemm" */
	const char *summary;		/* one line for `list kernels` */
	const struct nb_param_desc *params;
	int nparams;

	/* Checks a combination of values the per-parameter bounds cannot
	 * express (e.g. seq_q <= seq_k for causal); writes a message and
	 * returns -1 when the case is impossible. */
	int (*check)(const struct nb_case *c, char *msg, size_t msglen);
	void (*work)(const struct nb_case *c, struct nb_work *w);
	void (*shape)(const struct nb_case *c, struct nb_shape *s);
	/* Sets the parameters whose default depends on the target (NULL when
	 * none does); work() and shape() are read after it. */
	void (*resolve)(struct nb_case *c, const struct nb_target_mem *m);
	/* Results record the case as resolved rather than as given (collective
	 * ranks=0 is stored as the rank count it ran on). */
	int store_resolved;
	/* What labels (tables; never the canonical text) leave out, space
	 * separated: "KEY=VALUE" omits KEY while it holds VALUE, a placeholder
	 * for "automatic" or "off" (stream "n=0"); "KEY@OTHER=VALUE" omits KEY
	 * while OTHER holds VALUE, where KEY does not apply
	 * ("density@pattern=2:4"); "KEY@OTHER!=VALUE" omits KEY while OTHER
	 * holds anything but VALUE ("fp8@dtype!=fp8").  NULL: every parameter
	 * shown. */
	const char *label_omit;
	/* One operation spans every MPI rank (a collective): its time is the
	 * ranks' together.  Other kernels, run under mpirun, run on every rank
	 * at once and are also stored per rank. */
	int across_ranks;
	/* The size axis of a scaling chart, or NULL for no sweep. */
	const struct nb_sweep *sweep;
	/* Edge-case sizes the tests run against the reference, as case text
	 * ("attention seq_q=1 head_dim=64"), NULL-terminated. */
	const char *const *test_cases;

	/* Host execution.  host_bytes is the peak memory setup will allocate,
	 * checked against the host's memory before setup is called.  setup
	 * allocates and fills inputs (seeded); execute is the timed region and
	 * must not allocate, print or check; verify runs after timing; teardown
	 * frees.  impl names the implementation a case will use at dispatch
	 * level ISA (enum nb_isa), e.g. "gemm_bf16_avx2_6x16". */
	double (*host_bytes)(const struct nb_case *c);
	/* Whether this host can run C at all (a collective needs MPI ranks):
	 * 0, or -1 with the reason; the result is then "unsupported", not a
	 * failure.  NULL: always. */
	int (*host_available)(const struct nb_case *c, char *msg, size_t msglen);
	/* A line shown beside a measured result taking SECONDS (collective: its
	 * algorithm bandwidth beside the bus bandwidth); NULL: none. */
	void (*note)(const struct nb_case *c, double seconds, char *buf, size_t n);
	int (*setup)(const struct nb_case *c, const struct nb_host_env *env, void **state);
	void (*execute)(void *state);
	int (*verify)(void *state, struct nb_verify *v);
	void (*teardown)(void *state);
	const char *(*impl)(const struct nb_case *c, int isa);
	/* Why impl() picks that implementation at level ISA, in a few words
	 * for `info`: the instruction behind it, the conversion a dtype
	 * takes, the feature or version it lacks ("avx512_bf16: vdpbf16ps
	 * for Q.K^T and P.V").  NULL: info derives a reason from the level. */
	const char *(*impl_why)(const struct nb_case *c, int isa);
	/* An enum parameter whose every choice info lists with its own
	 * implementation (spmm: "pattern"); NULL: the default case per dtype. */
	const char *info_vary;
};

/* The registry, collected in registry.c; read-only outside it. */
extern const struct nb_kernel *nb_kernels[];
extern int nb_nkernels;
/* Adds a family that a program links beside the built-in ones (a test
 * family); call it before anything reads the registry. */
void kernel_register(const struct nb_kernel *k);
const struct nb_kernel *kernel_find(const char *name);

/* Parameter access by name; the kernel's own code indexes directly. */
int kernel_param_index(const struct nb_kernel *k, const char *name);
int64_t case_int(const struct nb_case *c, const char *name);
enum nb_dtype case_dtype(const struct nb_case *c);	/* the "dtype" parameter */

/* Finds WORD in "a|b|c"; returns its index or -1. */
int nb_choice_index(const char *choices, const char *word);
/* Word IDX of "a|b|c" into BUF (N bytes), or "?". */
const char *nb_choice_at(const char *choices, int idx, char *buf, size_t n);

/* The implementations a chip case may name (impl=, and the names of a
 * profile's model.impl section): auto is the profile's default for the
 * family; the others are libraries whose efficiency a profile describes. */
#define NB_IMPL_CHOICES "auto|cublas|cublaslt|cutlass|cusparselt|tf32|triton|trtllm|te|fa2|fa3|" \
	"cudnn|hipblaslt|rocblas|ck|xla|pallas|aclnn|synapse"
/* How a chip case is timed (timing=): device time of back-to-back calls
 * queued on a stream, or call by call with the host waiting for each
 * (dispatch and synchronisation included). */
#define NB_TIMING_CHOICES "device|call"
enum nb_timing { NB_TIMING_DEVICE, NB_TIMING_CALL };
/* fp8 storage formats (fp8=) and how the inputs arrive (fp8_scale=):
 * already fp8 with per-tensor scales, or cast from bf16 by a separate
 * amax-and-cast pass. */
#define NB_FP8_CHOICES "e4m3|e5m2"
#define NB_FP8_SCALE_CHOICES "tensor|cast"

/* Whether a measured target can honour C's chip parameters: impl= other
 * than auto (and than ALLOWED, "|"-separated, may be NULL) names a library a
 * chip profile describes; fp8 needs fp8 arithmetic, which the host lacks
 * (FP8_OK 0: refused, never computed in fp32 and called fp8; 1: e4m3 with
 * per-tensor scales only).  Returns 0, or -1 with the reason in MSG. */
int case_measurable(const struct nb_case *c, const char *allowed, int fp8_ok, char *msg, size_t msglen);

/* The chip parameters, shared by the matrix families (gemm, spmm,
 * attention): the model reads them by name (model_case_opts). */
#define NB_PARAM_IMPL { "impl", NB_P_ENUM, "auto", NB_IMPL_CHOICES, 0, 0, \
	"chip targets: the implementation whose efficiency the profile describes; " \
	"auto = the chip's best published (named in the result)" }
#define NB_PARAM_TIMING { "timing", NB_P_ENUM, "device", NB_TIMING_CHOICES, 0, 0, \
	"chip targets: device time of calls queued back to back, or call by call " \
	"with the host's dispatch and wait (model.sync_us)" }
#define NB_PARAM_FP8 { "fp8", NB_P_ENUM, "e4m3", NB_FP8_CHOICES, 0, 0, \
	"dtype=fp8: storage format (same tensor rate; e5m2 has range, e4m3 precision)" }
#define NB_PARAM_FP8_SCALE { "fp8_scale", NB_P_ENUM, "tensor", NB_FP8_SCALE_CHOICES, 0, 0, \
	"dtype=fp8: inputs already fp8 with per-tensor scales, or cast from bf16 by a " \
	"separate amax-and-cast pass (charged)" }
/* The fp8 parameters left at their defaults unless dtype is fp8; -1 with
 * the reason in MSG otherwise. */
int case_check_fp8(const struct nb_case *c, char *msg, size_t msglen);

/* C with the target-dependent defaults set for a target with memory M. */
void case_resolve(const struct nb_case *c, const struct nb_target_mem *m, struct nb_case *out);

/* Fills a case with the kernel's defaults. */
void case_init(struct nb_case *c, const struct nb_kernel *k);
/* Sets one parameter from text, checking type and bounds; on failure writes
 * a message naming parameter and value and returns -1. */
int case_set(struct nb_case *c, const char *key, const char *value, char *msg, size_t msglen);
/* Parses "gemm dtype=bf16 m=4096 n=4096 k=4096" (or the same with commas).
 * On failure writes a message and returns -1. */
int case_parse(const char *text, struct nb_case *c, char *msg, size_t msglen);
/* Runs the per-parameter and the kernel's own checks. */
int case_check(const struct nb_case *c, char *msg, size_t msglen);
/* Canonical text: kernel name, then every parameter in descriptor order. */
char *case_format(const struct nb_case *c);
/* The text a reader sees: the canonical text without the parameters that
 * hold a placeholder default or do not apply (see struct nb_param_desc). */
char *case_format_label(const struct nb_case *c);
/* The label of stored case text, or a copy of TEXT when it does not parse
 * (a kernel this build lacks). */
char *case_format_label_text(const char *text);
/* Parameters only, "dtype=bf16 m=4096 ..." */
char *case_format_params(const struct nb_case *c);
/* The value of parameter I as text, into buf. */
const char *case_value_text(const struct nb_case *c, int i, char *buf, size_t n);
/* The case's parameters as a compact JSON object ({"dtype":"bf16","m":4096}),
 * as results store them; malloc'd. */
char *case_params_json(const struct nb_case *c);
int case_equal(const struct nb_case *a, const struct nb_case *b);

#endif
