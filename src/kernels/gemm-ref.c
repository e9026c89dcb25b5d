/* Portable GEMM kernels: packing, the MR x NR micro-kernels and the
 * small-m path in plain C.  They fill every slot, are the test oracle for
 * the AVX2 kernels and the fallback on CPUs without AVX2.  Layouts and
 * preconditions are in gemm.h. */
#include "kernels/gemm.h"

#include <string.h>

#include "util/half.h"

long gemm_ld(enum nb_dtype dt, long cols)
{
	return dt == NB_INT4 ? (cols + 1) / 2 : cols;
}

double gemm_mat_bytes(enum nb_dtype dt, long rows, long cols)
{
	if (dt == NB_INT4)
		return (double)rows * (double)((cols + 1) / 2);
	return (double)rows * (double)cols * (dtype_bits(dt) / 8);
}

float gemm_get_f(const struct gemm_mat *x, long r, long c)
{
	long i = r * x->ld + c;

	switch (x->dt) {
	case NB_FP16: return nb_fp16_to_f32(((const uint16_t *)x->p)[i]);
	case NB_BF16: return nb_bf16_to_f32(((const uint16_t *)x->p)[i]);
	default: return ((const float *)x->p)[i];
	}
}

int gemm_get_i(const struct gemm_mat *x, long r, long c)
{
	if (x->dt == NB_INT4) {
		uint8_t byte = ((const uint8_t *)x->p)[r * x->ld + c / 2];
		int v = (c & 1) ? byte >> 4 : byte & 15;

		return (v ^ 8) - 8;	/* sign-extend the nibble */
	}
	return ((const int8_t *)x->p)[r * x->ld + c];
}

static void pack_a_f32(const struct gemm_mat *a, long i0, long mc, long p0, long kc, long kmax,
		       void *dst)
{
	float *d = dst;

	(void)kmax;
	for (long ir = 0; ir < mc; ir += GEMM_MR)
		for (long p = 0; p < kc; p++)
			for (long r = 0; r < GEMM_MR; r++)
				*d++ = ir + r < mc ? gemm_get_f(a, i0 + ir + r, p0 + p) : 0.0f;
}

static void pack_b_f32(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
		       void *dst)
{
	float *d = dst;

	(void)kmax;
	for (long jr = 0; jr < nc; jr += GEMM_NR)
		for (long p = 0; p < kc; p++)
			for (long j = 0; j < GEMM_NR; j++)
				*d++ = jr + j < nc ? gemm_get_f(b, p0 + p, j0 + jr + j) : 0.0f;
}

static void pack_a_i16(const struct gemm_mat *a, long i0, long mc, long p0, long kc, long kmax,
		       void *dst)
{
	int16_t *d = dst;

	for (long ir = 0; ir < mc; ir += GEMM_MR)
		for (long p = 0; p < kc; p += 2)
			for (long r = 0; r < GEMM_MR; r++)
				for (long q = 0; q < 2; q++)
					*d++ = (int16_t)(ir + r < mc && p0 + p + q < kmax
							 ? gemm_get_i(a, i0 + ir + r, p0 + p + q) : 0);
}

static void pack_b_i16(const struct gemm_mat *b, long p0, long kc, long j0, long nc, long kmax,
		       void *dst)
{
	int16_t *d = dst;

	for (long jr = 0; jr < nc; jr += GEMM_NR)
		for (long p = 0; p < kc; p += 2)
			for (long j = 0; j < GEMM_NR; j++)
				for (long q = 0; q < 2; q++)
					*d++ = (int16_t)(jr + j < nc && p0 + p + q < kmax
							 ? gemm_get_i(b, p0 + p + q, j0 + jr + j) : 0);
}

static void ukr_f32(long kc, const void *ap, const void *bp, void *cp, long ldc, int accumulate)
{
	const float *a = ap, *b = bp;
	float *c = cp, acc[GEMM_MR][GEMM_NR];

	memset(acc, 0, sizeof(acc));
	for (long p = 0; p < kc; p++, a += GEMM_MR, b += GEMM_NR)
		for (int r = 0; r < GEMM_MR; r++)
			for (int j = 0; j < GEMM_NR; j++)
				acc[r][j] += a[r] * b[j];
	for (int r = 0; r < GEMM_MR; r++)
		for (int j = 0; j < GEMM_NR; j++)
			c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

static void ukr_i16(long kp, const void *ap, const void *bp, void *cp, long ldc, int accumulate)
{
	const int16_t *a = ap, *b = bp;
	int32_t *c = cp, acc[GEMM_MR][GEMM_NR];

	memset(acc, 0, sizeof(acc));
	for (long p = 0; p < kp; p++, a += 2 * GEMM_MR, b += 2 * GEMM_NR)
		for (int r = 0; r < GEMM_MR; r++)
			for (int j = 0; j < GEMM_NR; j++)
				acc[r][j] += a[2 * r] * b[2 * j] + a[2 * r + 1] * b[2 * j + 1];
	for (int r = 0; r < GEMM_MR; r++)
		for (int j = 0; j < GEMM_NR; j++)
			c[r * ldc + j] = accumulate ? c[r * ldc + j] + acc[r][j] : acc[r][j];
}

void gemm_small_prep_a(const struct gemm_mat *a, long m, long k, void *dst)
{
	if (gemm_is_int(a->dt)) {
		long kp = (k + 1) / 2;
		int16_t *d = dst;

		/* Inline element access: this runs serially before the GEMV. */
		for (long i = 0; i < m; i++) {
			int16_t *di = d + i * 2 * kp;

			if (a->dt == NB_INT8) {
				const int8_t *ai = (const int8_t *)a->p + i * a->ld;

				for (long p = 0; p < k; p++)
					di[p] = ai[p];
			} else {
				const uint8_t *ai = (const uint8_t *)a->p + i * a->ld;

				for (long p = 0; p < k; p++) {
					int v = (p & 1) ? ai[p / 2] >> 4 : ai[p / 2] & 15;

					di[p] = (int16_t)((v ^ 8) - 8);
				}
			}
			if (k & 1)
				di[k] = 0;
		}
	} else {
		float *d = dst;

		/* Per dtype, so the loops vectorise: this runs serially on
		 * every call, before the threads start, and small GEMMs take
		 * only microseconds in all. */
		for (long i = 0; i < m; i++) {
			float *di = d + i * k;

			if (a->dt == NB_FP32) {
				memcpy(di, (const float *)a->p + i * a->ld, (size_t)k * sizeof(float));
			} else if (a->dt == NB_BF16) {
				const uint16_t *ai = (const uint16_t *)a->p + i * a->ld;

				for (long p = 0; p < k; p++) {
					uint32_t u = (uint32_t)ai[p] << 16;

					memcpy(di + p, &u, 4);
				}
			} else {
				const uint16_t *ai = (const uint16_t *)a->p + i * a->ld;

				for (long p = 0; p < k; p++)
					di[p] = nb_fp16_to_f32(ai[p]);
			}
		}
	}
}

/* Small m, portable: C row by row as a sum of scaled B rows. */
static void small_f32(const struct gemm_small *s, long j0, long j1)
{
	const float *a = s->ap;
	float *c = s->c;

	for (long i = 0; i < s->m; i++) {
		float *ci = c + i * s->n;

		for (long j = j0; j < j1; j++)
			ci[j] = 0.0f;
		for (long p = 0; p < s->k; p++) {
			float x = a[i * s->k + p];

			for (long j = j0; j < j1; j++)
				ci[j] += x * gemm_get_f(&s->b, p, j);
		}
	}
}

static void small_i16(const struct gemm_small *s, long j0, long j1)
{
	const int16_t *a = s->ap;
	int32_t *c = s->c;
	long kp2 = 2 * ((s->k + 1) / 2);

	for (long i = 0; i < s->m; i++) {
		int32_t *ci = c + i * s->n;

		for (long j = j0; j < j1; j++)
			ci[j] = 0;
		for (long p = 0; p < s->k; p++) {
			int x = a[i * kp2 + p];

			for (long j = j0; j < j1; j++)
				ci[j] += x * gemm_get_i(&s->b, p, j);
		}
	}
}

#define REF(dt, name) \
	{ "gemm_" name "_c_6x16", "gemv_" name "_c", 1, 4, 4, 0, 4, pack_a_f32, pack_b_f32, ukr_f32, small_f32, GEMM_MR, GEMM_NR }
#define REFI(dt, name) \
	{ "gemm_" name "_c_6x16", "gemv_" name "_c", 2, 2, 2, 0, 4, pack_a_i16, pack_b_i16, ukr_i16, small_i16, GEMM_MR, GEMM_NR }

static const struct gemm_impl ref_impls[NB_DTYPE_COUNT] = {
	[NB_FP32] = REF(NB_FP32, "fp32"),
	[NB_FP16] = REF(NB_FP16, "fp16"),
	[NB_BF16] = REF(NB_BF16, "bf16"),
	[NB_INT8] = REFI(NB_INT8, "int8"),
	[NB_INT4] = REFI(NB_INT4, "int4"),
};

const struct gemm_impl *gemm_ref_impl(enum nb_dtype dt)
{
	return (unsigned)dt < NB_DTYPE_COUNT && ref_impls[dt].ukr ? &ref_impls[dt] : NULL;
}
