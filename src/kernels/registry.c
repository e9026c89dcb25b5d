/* The kernel registry: one line per family. */
#include "kernels/kernel.h"

#include "util/util.h"

extern const struct nb_kernel nb_kernel_attention;
extern const struct nb_kernel nb_kernel_spmm;
extern const struct nb_kernel nb_kernel_stream;
extern const struct nb_kernel nb_kernel_gemm;
extern const struct nb_kernel nb_kernel_train;
extern const struct nb_kernel nb_kernel_infer;
extern const struct nb_kernel nb_kernel_collective;

const struct nb_kernel *const nb_kernels[] = {
	&nb_kernel_attention,
	&nb_kernel_spmm,
	&nb_kernel_stream,
	&nb_kernel_gemm,
	&nb_kernel_train,
	&nb_kernel_infer,
	&nb_kernel_collective,
};
const int nb_nkernels = (int)NB_ARRAY_SIZE(nb_kernels);
