#include "util/dtype.h"

#include <string.h>

static const struct {
	const char *name;
	int is_int;
	double eps;
} dtypes[NB_DTYPE_COUNT] = {
	[NB_FP64] = { "fp64", 0, 0x1p-53 },
	[NB_FP32] = { "fp32", 0, 0x1p-24 },
	[NB_TF32] = { "tf32", 0, 0x1p-11 },
	[NB_FP16] = { "fp16", 0, 0x1p-11 },
	[NB_BF16] = { "bf16", 0, 0x1p-8 },
	[NB_FP8]  = { "fp8", 0, 0x1p-4 },
	[NB_INT8] = { "int8", 1, 0 },
	[NB_INT4] = { "int4", 1, 0 },
};

const char *dtype_name(enum nb_dtype t)
{
	return (unsigned)t < NB_DTYPE_COUNT ? dtypes[t].name : "?";
}

int dtype_parse(const char *name)
{
	for (int i = 0; i < NB_DTYPE_COUNT; i++)
		if (!strcmp(name, dtypes[i].name))
			return i;
	return -1;
}

int dtype_exact_in(enum nb_dtype a, enum nb_dtype via)
{
	/* Significand and exponent bits (integers: value bits, no exponent);
	 * fp8 as e4m3, the wider-exponent e5m2 also fits fp16. */
	static const struct { unsigned char man, exp; } f[NB_DTYPE_COUNT] = {
		[NB_FP64] = { 52, 11 }, [NB_FP32] = { 23, 8 }, [NB_TF32] = { 10, 8 },
		[NB_FP16] = { 10, 5 }, [NB_BF16] = { 7, 8 }, [NB_FP8] = { 3, 5 },
		[NB_INT8] = { 7, 0 }, [NB_INT4] = { 3, 0 },
	};

	if (dtype_is_int(a) != dtype_is_int(via))
		return 0;
	return f[a].man <= f[via].man && f[a].exp <= f[via].exp;
}

int dtype_is_int(enum nb_dtype t)
{
	return dtypes[t].is_int;
}

double dtype_eps(enum nb_dtype t)
{
	return dtypes[t].eps;
}
