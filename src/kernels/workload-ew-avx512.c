/* The host workloads' elementwise table for AVX-512 (compiled with -mavx512f and the rest),
 * called only after run-time dispatch. */
#define WL_EW_TABLE wl_ew_avx512
#include "kernels/workload-ew-impl.h"
