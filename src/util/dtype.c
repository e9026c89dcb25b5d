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

int dtype_is_int(enum nb_dtype t)
{
	return dtypes[t].is_int;
}

double dtype_eps(enum nb_dtype t)
{
	return dtypes[t].eps;
}
