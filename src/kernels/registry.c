/* The kernel registry: one line per family.  A program that links a family
 * of its own (the tests do) adds it with kernel_register() before use. */
#include "kernels/kernel.h"

#include "util/util.h"

extern const struct nb_kernel nb_kernel_attention;
extern const struct nb_kernel nb_kernel_spmm;
extern const struct nb_kernel nb_kernel_stream;
extern const struct nb_kernel nb_kernel_gemm;

#define NB_MAX_KERNELS 32

const struct nb_kernel *nb_kernels[NB_MAX_KERNELS] = {
	&nb_kernel_attention,
	&nb_kernel_spmm,
	&nb_kernel_stream,
	&nb_kernel_gemm,
};
int nb_nkernels = 4;

void kernel_register(const struct nb_kernel *k)
{
	if (kernel_find(k->name))
		die("internal error: kernel %s registered twice", k->name);
	if (nb_nkernels == NB_MAX_KERNELS)
		die("internal error: more than %d kernel families", NB_MAX_KERNELS);
	nb_kernels[nb_nkernels++] = k;
}
