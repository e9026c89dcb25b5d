/* The CUDA plugin's ABI: what npubench-cuda.so exports and the main binary
 * finds with dlsym.  The main binary never links CUDA; it loads the plugin
 * only when a cuda target is used, and the plugin loads the NVIDIA driver
 * itself.  Only fixed-size C types cross this boundary, so the plugin and
 * the program may be built by different compilers; a change to any struct
 * or function here bumps NB_CUDA_ABI_VERSION, and a plugin built for
 * another version is refused with both numbers in the message. */
#ifndef NB_CUDA_PLUGIN_H
#define NB_CUDA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define NB_CUDA_ABI_VERSION 2
#define NB_CUDA_PLUGIN_FILE "npubench-cuda.so"
/* The one symbol the plugin exports: const struct nb_cuda_plugin *(void). */
#define NB_CUDA_PLUGIN_SYMBOL "npubench_cuda_plugin"

/* Why a call failed; the message says the rest. */
enum nb_cuda_err {
	NB_CUDA_OK = 0,
	NB_CUDA_ENODRIVER,	/* libcuda.so.1 missing or too old */
	NB_CUDA_ENODEVICE,	/* the driver sees no GPU */
	NB_CUDA_ERANGE,		/* device index out of range */
	NB_CUDA_EFAIL,		/* any other CUDA error */
};

/* Kernel families and element types, numbered for the ABI (not the main
 * binary's enums, which may grow). */
enum nb_cuda_family { NB_CUDA_GEMM, NB_CUDA_ATTENTION, NB_CUDA_SPMM, NB_CUDA_STREAM };
enum nb_cuda_dtype {
	NB_CUDA_FP64, NB_CUDA_FP32, NB_CUDA_TF32, NB_CUDA_FP16, NB_CUDA_BF16,
	NB_CUDA_FP8_E4M3, NB_CUDA_INT8, NB_CUDA_DTYPE_COUNT
};
enum nb_cuda_stream_op {
	NB_CUDA_COPY, NB_CUDA_SCALE, NB_CUDA_ADD, NB_CUDA_TRIAD, NB_CUDA_SUM, NB_CUDA_FILL,
	NB_CUDA_MEMCPY,		/* cudaMemcpy device to device, for comparison */
};
enum nb_cuda_sparsity { NB_CUDA_SPARSE_2_4, NB_CUDA_SPARSE_CSR };

/* One case, as the plugin needs it.  Fields a family does not use are 0. */
struct nb_cuda_case {
	int32_t family;		/* enum nb_cuda_family */
	int32_t dtype;		/* enum nb_cuda_dtype: inputs */
	int32_t round;		/* gemm: C rounded to the input type */
	int64_t m, n, k;	/* gemm, spmm */
	int64_t batch, heads, seq_q, seq_k, head_dim;	/* attention */
	int32_t causal;
	double amp;		/* attention: input amplitude */
	int32_t sparsity;	/* spmm: enum nb_cuda_sparsity */
	double density;		/* spmm csr */
	int32_t op;		/* stream: enum nb_cuda_stream_op */
	int64_t elems;		/* stream: elements per array */
	uint64_t seed;		/* input generator seed */
};

/* How to time.  Each sample is CUDA events around LAUNCHES back-to-back
 * launches (chosen by the plugin when 0, so one sample lasts >= 1 ms). */
struct nb_cuda_measure {
	double min_time;	/* seconds of samples at least ... */
	int32_t min_reps;	/* ... and this many samples */
	int32_t max_reps;	/* never more */
	int32_t launches;	/* launches per sample; 0: automatic */
	int32_t l2_flush;	/* overwrite the L2 before each sample (then
				 * LAUNCHES is 1: only the first launch is cold) */
};

/* The GPU's clocks, power and temperature through NVML; valid 0 when NVML
 * could not be loaded or read (the reason in the result's sensors_why). */
struct nb_cuda_sensors {
	int32_t valid;
	double sm_mhz, mem_mhz;	/* current clocks */
	double power_w;		/* board power */
	double temp_c;		/* GPU temperature */
};

struct nb_cuda_device {
	int32_t index;
	char name[128];
	char pci_bus_id[32];
	int32_t cc_major, cc_minor;	/* compute capability */
	int32_t sms;			/* streaming multiprocessors */
	double sm_clock_mhz;		/* maximum SM clock */
	double mem_clock_mhz;		/* maximum memory clock */
	int32_t mem_bus_bits;
	uint64_t mem_bytes;
	int64_t l2_bytes;
	int32_t driver_version;		/* cudaDriverGetVersion: 13000 = 13.0 */
	int32_t runtime_version;	/* the plugin's CUDA runtime */
};

enum nb_cuda_status {
	NB_CUDA_RES_OK,
	NB_CUDA_RES_VERIFY_FAILED,
	NB_CUDA_RES_UNSUPPORTED,	/* the GPU or the library cannot run it */
	NB_CUDA_RES_NO_FIT,		/* does not fit in device memory */
	NB_CUDA_RES_ERROR,
};

/* What running a case gives.  The caller owns SAMPLES (room for
 * max_reps); the plugin fills the rest. */
struct nb_cuda_result {
	int32_t status;		/* enum nb_cuda_status */
	char message[256];	/* why not OK */
	char impl[160];		/* the library and algorithm, e.g. the cuBLASLt heuristic's */
	double *samples;	/* seconds per launch, one per sample */
	int32_t nsamples;
	int32_t launches;	/* launches per sample actually used */
	double verify_err, verify_tol;
	char verify_what[96];
	struct nb_cuda_sensors before, after;
	int32_t clocks_moved;	/* SM or memory clock differed by > 2% across the case */
	int32_t l2_flushed;
	char sensors_why[160];	/* why AFTER is not valid (NVML missing or unreadable) */
	/* A library yardstick timed in turns with the case (stream copy:
	 * cudaMemcpy device to device on the same arrays): its name and the
	 * ratio of medians, yardstick time / case time (> 1: the case is
	 * faster).  Empty name: none. */
	char yardstick[32];
	double yardstick_ratio;
};

struct nb_cuda_plugin {
	uint32_t abi_version;	/* NB_CUDA_ABI_VERSION the plugin was built for */
	uint32_t size;		/* sizeof(struct nb_cuda_plugin) there */
	const char *build;	/* toolkit and architectures, for `info` */
	/* Loads the driver and counts the GPUs into *N.  Returns enum
	 * nb_cuda_err with a message in ERR. */
	int (*init)(int *n, char *err, size_t errlen);
	int (*device_info)(int index, struct nb_cuda_device *d, char *err, size_t errlen);
	/* Opens device INDEX for running cases (streams, library handles). */
	int (*open)(int index, void **dev, char *err, size_t errlen);
	/* Runs C on DEV, timing with M, verifying after timing.  Returns 0
	 * with R filled (its status says how it went), or -1 with R's message
	 * set when the device is no longer usable. */
	int (*run)(void *dev, const struct nb_cuda_case *c, const struct nb_cuda_measure *m,
		   struct nb_cuda_result *r);
	void (*close)(void *dev);
	/* Reads device INDEX's clocks, power and temperature now, for
	 * `info`: S->valid 0 with the reason in WHY when NVML cannot. */
	void (*sensors)(int index, struct nb_cuda_sensors *s, char *why, size_t whylen);
};

typedef const struct nb_cuda_plugin *(*nb_cuda_plugin_fn)(void);

#endif
