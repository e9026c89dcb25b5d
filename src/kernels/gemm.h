/* The GEMM framework's contract with its micro-kernels (BLIS-style): the
 * framework in gemm.c checks, packs, blocks and threads; the kernels in
 * gemm-ref.c (portable, the test oracle) and gemm-avx2.c only compute and
 * trust these preconditions.
 *
 * Storage (row-major, C = A B, A m x k, B k x n):
 *   fp32, fp16, bf16: one element per 4 or 2 bytes, leading dimension = cols.
 *   int8: one signed byte per element.
 *   int4: two signed 4-bit elements per byte; each row starts on a byte
 *     boundary (row stride ceil(cols / 2) bytes); element (r, c) lives in
 *     byte r * ceil(cols / 2) + c / 2, in the LOW nibble when c is even and
 *     the HIGH nibble when c is odd; values are two's complement -8..7.
 *   C: fp32 for the float dtypes, int32 for the integer ones.
 *
 * Three compute classes:
 *   GEMM_F32: A and B are packed to fp32 (fp16/bf16 converted while
 *     packing); the micro-kernel is an MR x NR fp32 FMA tile.
 *   GEMM_I16: int8/int4 are packed to int16 in k-pairs (a[r][2p], a[r][2p+1])
 *     so that one vpmaddwd multiplies and adds a pair exactly (|a b| <= 2^14,
 *     a pair <= 2^15, no int16 saturation as with vpmaddubsw); int32 sums.
 *   GEMM_U8S8 (int4 on AVX2): A packed as unsigned a + 8 (0..15), B as
 *     signed bytes, in k-quads, for vpmaddubsw; |pair| <= 2 * 15 * 8 = 240,
 *     so int16 sums are exact for 136 quads before widening to int32; the
 *     offset is removed with 8 * (column sums of B), stored after each B
 *     panel.
 *
 * Packed layouts, MR rows and NR columns of the implementation's tile (6 x 16
 * for the portable and AVX2 kernels; the AVX-512 ones in gemm-avx512.c):
 *   A panel (GEMM_F32): for each k: MR floats (rows past m are zero).
 *   B panel (GEMM_F32): for each k: NR floats (columns past n are zero).
 *   A panel (GEMM_I16): for each pair p: MR x {a[r][2p], a[r][2p+1]} int16.
 *   B panel (GEMM_I16): for each pair p: NR x {b[2p][j], b[2p+1][j]} int16.
 *   A panel (GEMM_U8S8): for each quad q: MR x 4 bytes a[r][4q..4q+3] + 8.
 *   B panel (GEMM_U8S8): for each quad q: NR x 4 bytes b[4q..4q+3][j];
 *     then NR int32: 8 * sum over the panel's k of b[k][j].
 *   (k past the end is zero in B, so padded k adds nothing.)
 */
#ifndef NB_GEMM_H
#define NB_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "util/dtype.h"

/* The portable and AVX2 tiles; AVX-512 kernels declare their own (mr, nr
 * in struct gemm_impl), up to GEMM_MAX_TILE elements. */
#define GEMM_MR 6
#define GEMM_NR 16
#define GEMM_MAX_TILE 1024

/* A matrix as stored: base, dtype, and leading dimension in ELEMENTS for
 * byte-or-wider types, in BYTES for int4. */
struct gemm_mat {
	const void *p;
	enum nb_dtype dt;
	long ld;
};

/* Packs rows [i0, i0 + mc) x k-range [p0, p0 + kc) of A into MR-row panels
 * at dst (ceil(mc / MR) panels).  p0 is a multiple of 16. */
typedef void (*gemm_pack_a_fn)(const struct gemm_mat *a, long i0, long mc, long p0, long kc,
			       long kmax, void *dst);
/* Packs k-range [p0, p0 + kc) x columns [j0, j0 + nc) of B into NR-column
 * panels.  kmax is k (rows past it read as zero). */
typedef void (*gemm_pack_b_fn)(const struct gemm_mat *b, long p0, long kc, long j0, long nc,
			       long kmax, void *dst);
/* One MR x NR tile over kc (GEMM_F32) or kc pairs (GEMM_I16): writes C
 * when accumulate is 0, adds to it otherwise.  a, b: packed panels. */
typedef void (*gemm_ukr_fn)(long kc, const void *a, const void *b, void *c, long ldc,
			    int accumulate);

/* The small-m (GEMV-like) path: B is read in place, never packed. */
struct gemm_small {
	enum nb_dtype dt;
	long m, n, k;
	const void *ap;		/* A converted: fp32 m x k, or int16 pairs m x kp (int32 each) */
	struct gemm_mat b;
	void *c;		/* m x n, ld n */
	long nb;		/* column block: C[m][nb] stays in cache */
	int prefetch;		/* B exceeds L2: kernels may prefetch ahead of the hardware */
};
/* Computes C[:, j0:j1) for the small-m path; j0 is a multiple of 16. */
typedef void (*gemm_small_fn)(const struct gemm_small *s, long j0, long j1);

/* One implementation of one dtype at one ISA level.  Its packed panels:
 * k is padded to a multiple of kgran; an A panel holds MR x kpad elements
 * of ea bytes, a B panel NR x kpad elements of eb bytes plus bextra bytes;
 * the micro-kernel's first argument is kpad / kgran. */
struct gemm_impl {
	const char *name;	/* "gemm_bf16_avx2_6x16" */
	const char *small_name;	/* "gemv_bf16_avx2" */
	int kgran, ea, eb, bextra;
	int small_m;		/* m at or below this takes the small-m path */
	gemm_pack_a_fn pack_a;
	gemm_pack_b_fn pack_b;
	gemm_ukr_fn ukr;
	gemm_small_fn small;
	int mr, nr;		/* the micro-kernel's tile: rows, columns */
};

/* Portable implementations (gemm-ref.c), indexed by dtype; NULL where the
 * dtype is not a GEMM dtype. */
const struct gemm_impl *gemm_ref_impl(enum nb_dtype dt);
#ifdef NB_HAVE_X86_KERNELS
const struct gemm_impl *gemm_avx2_impl(enum nb_dtype dt);
#endif
#ifdef NB_HAVE_AVX512_KERNELS
/* Every dtype's AVX-512 kernel; the bf16 one needs avx512_bf16 and the
 * int8/int4 ones avx512_vnni, which gemm_impl_for checks (without them the
 * AVX2 kernel is used). */
const struct gemm_impl *gemm_avx512_impl(enum nb_dtype dt);
#endif
/* The implementation used at dispatch level ISA (enum nb_isa). */
const struct gemm_impl *gemm_impl_for(enum nb_dtype dt, int isa);

/* bf16 verification: the absolute error the AVX-512 dot product's flushing
 * of denormals may add over k products of values with |x| <= 1 (up to 3
 * flushes of at most 2^-126 per pair instruction), on top of the (k + 2) u32
 * relative bound of a sum of exact products.  Numerics in gemm-avx512.c. */
#define GEMM_BF16_FLUSH(k) ((double)(k) * 0x1p-125)

/* 1 when the dtype uses the int16-pair class. */
static inline int gemm_is_int(enum nb_dtype dt)
{
	return dt == NB_INT8 || dt == NB_INT4;
}

/* Storage bytes of an r x c matrix and its leading dimension. */
long gemm_ld(enum nb_dtype dt, long cols);
double gemm_mat_bytes(enum nb_dtype dt, long rows, long cols);

/* Element access for the reference and the edges (any dtype). */
float gemm_get_f(const struct gemm_mat *x, long r, long c);
int gemm_get_i(const struct gemm_mat *x, long r, long c);

/* Converts A (m x k, rows [0, m)) for the small-m path into dst: fp32 m x k,
 * or int16 pairs (m x ceil(k/2) int32). */
void gemm_small_prep_a(const struct gemm_mat *a, long m, long k, void *dst);

/* Test hook: runs C = A B with implementation IMPL at the given threads,
 * with the small-m path forced on (1), off (0) or chosen (-1).  Inputs at
 * storage format; C is fp32 or int32 m x n.  Returns 0, or -1 on failure to
 * allocate. */
struct nb_pool;
int gemm_compute(const struct gemm_impl *impl, struct nb_pool *pool, enum nb_dtype dt,
		 long m, long n, long k, const void *a, const void *b, void *c, int small);

/* Packing buffers kept across calls: a sequence of products (a model's
 * step) allocates only when a larger one than any before comes.  Zero it
 * before first use; one pool size per workspace. */
struct gemm_ws {
	int nthreads;
	void **apack, **bpack, *aprep;
	size_t *asz, *bsz, psz;
};
/* As gemm_compute (small path chosen by size), with WS's buffers; B's rows
 * LDB apart (gemm_ld's unit; 0: dense, gemm_ld(dt, n)). */
int gemm_compute_ws(struct gemm_ws *ws, const struct gemm_impl *impl, struct nb_pool *pool, enum nb_dtype dt,
		    long m, long n, long k, const void *a, const void *b, long ldb, void *c);
void gemm_ws_free(struct gemm_ws *ws);

#endif
