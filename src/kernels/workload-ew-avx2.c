/* The host workloads' elementwise table for AVX2 (compiled with -mavx2 -mfma),
 * called only after run-time dispatch. */
#define WL_EW_TABLE wl_ew_avx2
#include "kernels/workload-ew-impl.h"
