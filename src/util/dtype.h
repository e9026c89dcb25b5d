/* Data types the kernels and chips speak, with their storage sizes. */
#ifndef NB_DTYPE_H
#define NB_DTYPE_H

enum nb_dtype {
	NB_FP64,
	NB_FP32,
	NB_TF32,
	NB_FP16,
	NB_BF16,
	NB_FP8,
	NB_INT8,
	NB_INT4,
	NB_DTYPE_COUNT
};

const char *dtype_name(enum nb_dtype t);
/* Returns the dtype for NAME, or -1. */
int dtype_parse(const char *name);
/* Storage bits per element (int4: 4, tf32 is stored as fp32: 32).  Inline,
 * so that the ISA-specific kernel library needs nothing from the main one. */
static inline int dtype_bits(enum nb_dtype t)
{
	static const unsigned char bits[NB_DTYPE_COUNT] = {
		[NB_FP64] = 64, [NB_FP32] = 32, [NB_TF32] = 32, [NB_FP16] = 16,
		[NB_BF16] = 16, [NB_FP8] = 8, [NB_INT8] = 8, [NB_INT4] = 4,
	};

	return bits[t];
}
/* 1 when the dtype is an integer type (throughput in OP/s, not FLOP/s). */
int dtype_is_int(enum nb_dtype t);
/* Whether every value of A is exact in VIA (int4 in int8, bf16 in fp32:
 * yes; fp32 in tf32: no, its mantissa is shorter), so that computing A
 * via VIA gives the same results. */
int dtype_exact_in(enum nb_dtype a, enum nb_dtype via);
/* Unit roundoff (2^-p) of a floating dtype; 0 for integers. */
double dtype_eps(enum nb_dtype t);

#endif
