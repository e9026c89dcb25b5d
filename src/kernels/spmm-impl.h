/* spmm: what the framework (spmm.c) and the AVX2 and AVX-512 kernels
 * (spmm-avx2.c, spmm-avx512.c) share.  C [m x n] fp32 = A [m x k] B [k x n]; B dense row-major in the
 * dtype; A sparse:
 *   2:4  exactly two non-zeros in every group of four along k (k % 4 == 0),
 *        compressed like the tensor-core format: values [m][k/2] in the
 *        dtype, and per group a 4-bit index pair (bits 0-1 the first
 *        position, 2-3 the second, first < second), two groups per byte
 *        (even group in the low nibble), rows of meta_ld bytes;
 *   csr  row_ptr [m+1], col [nnz] (ascending within a row), val [nnz]. */
#ifndef NB_SPMM_IMPL_H
#define NB_SPMM_IMPL_H

#include <stdint.h>

#include "util/dtype.h"

struct spmm_args {
	enum nb_dtype dt;
	long m, n, k;
	const void *b;
	float *c;
	/* 2:4 */
	const void *aval;
	const uint8_t *meta;
	long meta_ld;
	/* csr */
	const int32_t *row_ptr, *col;
	const void *val;
	/* 2:4 bf16 on the vdpbf16ps kernel: packed B, S24D_BQ_BYTES */
	uint64_t *bq;
};

/* 2:4 blocking of the AVX2 kernel: a 2x48 micro-tile (12 accumulators),
 * B packed in fp32 panels of 48 columns x KC rows (24 KiB, stays in L1
 * while the decoded A micro-panel streams). */
#define S24_MR 2
#define S24_NR 48
#define S24_KC 128
#define S24_MC 96
#define S24_NC (S24_NR * 43)	/* a whole number of panels */
/* Floats of per-thread workspace: packed B block + decoded A block. */
#define S24_WS_FLOATS ((long)S24_KC * S24_NC + (long)S24_MC * (S24_KC / 4) * 3 + 1024)

/* 2:4 bf16 with vdpbf16ps (AVX512_BF16, spmm-avx512.c): tiles of 32 rows
 * (two vectors of 16 rows) x 8 columns of C, computed transposed.  B
 * packed once per run as 8-byte column quads (bq, S24D_BQ_BYTES); A
 * decoded S24D_MC rows x S24D_KC k at a time; C^T of those rows and the
 * thread's columns accumulated over all of k in the workspace, then
 * transposed into C. */
#define S24D_MR 32
#define S24D_NR 8
#define S24D_KC 128
#define S24D_MC 96
#define S24D_A_WORDS ((long)S24D_MC * 2 * (S24D_KC / 4))
/* Floats of per-thread workspace: decoded A block + C^T for up to N
 * columns. */
#define S24D_WS_FLOATS(n) (S24D_A_WORDS + ((long)(n) + S24_NR) * S24D_MC)
/* Bytes of packed B (shared by the threads, each packs its columns). */
#define S24D_BQ_BYTES(k, n) ((double)(k) * (double)(((n) + S24D_NR - 1) / S24D_NR * S24D_NR) * 2)

/* CSR: strips of 64 columns of B, converted to fp32 once per strip. */
#define CSR_NS 64

/* Runs columns [n0, n1) (n0 a multiple of S24_NR) of the 2:4 product. */
void spmm24_avx2_run(const struct spmm_args *a, long n0, long n1, float *ws);
/* Runs rows [r0, r1) of the CSR product; ws holds k * CSR_NS floats. */
void spmm_csr_avx2_run(const struct spmm_args *a, long r0, long r1, float *ws);
/* The same at AVX-512 (2:4 on a 4x64 micro-tile, in blocks that fit the
 * same workspace). */
void spmm24_avx512_run(const struct spmm_args *a, long n0, long n1, float *ws);
void spmm_csr_avx512_run(const struct spmm_args *a, long r0, long r1, float *ws);
/* 2:4 bf16 with vdpbf16ps: columns [n0, n1) as spmm24_avx512_run, ws of
 * S24D_WS_FLOATS(n1 - n0); only where the CPU has AVX512_BF16. */
void spmm24_avx512bf16_run(const struct spmm_args *a, long n0, long n1, float *ws);

#endif
