/* A real NVIDIA GPU as a target, through the plugin npubench-cuda.so loaded
 * at run time (targets/cuda-plugin.h is its ABI).  This side never includes
 * a CUDA header: it finds the plugin, checks its ABI, turns cases into the
 * plugin's plain structs and its answers into results. */
#ifndef NB_CUDA_H
#define NB_CUDA_H

#include <stddef.h>
#include <stdio.h>

#include "kernels/kernel.h"
#include "targets/cuda-plugin.h"
#include "targets/result.h"

struct nb_measure_opts;

/* The environment variable naming the plugin file to load instead of the
 * installed one. */
#define NB_CUDA_PLUGIN_ENV "NPUBENCH_CUDA_PLUGIN"

/* NPUBENCH_CUDA_L2_FLUSH=1 asks for the L2 to be flushed before each
 * sample of a GPU case that could stay cached there; the run records it
 * in its options (cuda_l2_flush), each result flushed says l2_flushed. */
#define NB_CUDA_L2_FLUSH_ENV "NPUBENCH_CUDA_L2_FLUSH"
int cuda_l2_flush_requested(void);

/* Loads the plugin and the driver (once per process) and counts the GPUs.
 * Returns the plugin, or NULL with the reason in WHY: built without CUDA
 * support, plugin missing or of another ABI, no driver, no device. */
const struct nb_cuda_plugin *cuda_plugin(int *ndev, char *why, size_t whylen);

/* The plugin file to load: NPUBENCH_CUDA_PLUGIN, else beside the running
 * program (a build tree), else the installed one in pkglibdir.  Returns 0
 * with PATH, or -1 with the reason in WHY: built without CUDA support
 * (BUILT_WITH_CUDA 0, this build's NB_HAVE_CUDA) and no plugin named, or
 * no plugin installed. */
int cuda_plugin_path(int built_with_cuda, char *path, size_t pathlen, char *why, size_t whylen);

/* Whether WORD is spelled like a GPU target ("cuda:N", N >= 0): 1 with the
 * index in *INDEX, 0 when it is not a cuda word at all, -1 when it starts
 * with "cuda" but is malformed (message in MSG). */
int cuda_parse_word(const char *word, int *index, char *msg, size_t msglen);

/* Opens GPU INDEX: returns the plugin's device handle, or NULL with WHY
 * (everything cuda_plugin says, plus an index out of range). */
void *cuda_open(int index, char *why, size_t whylen);
void cuda_close(void *dev);

/* Translates case C into the plugin's case.  Returns 0, or -1 with MSG
 * when the GPU path does not run that case. */
int cuda_case_from(const struct nb_case *c, uint64_t seed, struct nb_cuda_case *out,
		   char *msg, size_t msglen);

/* Runs C on the opened device DEV (GPU INDEX), filling R like the host
 * harness does (status OK, VERIFY_FAILED, UNSUPPORTED, NO_FIT or ERROR).
 * L2_FLUSH overwrites the L2 before every sample.  Returns 0, or -1 when
 * the device failed (R is then filled with status ERROR). */
int cuda_measure(void *dev, int index, const struct nb_case *c, const struct nb_measure_opts *o,
		 int l2_flush, struct nb_result *r);

/* The target kind (registry.c). */
struct nb_target_kind;
extern const struct nb_target_kind nb_target_cuda;

/* `npubench info`: every GPU with name, SMs, clocks, memory, driver and
 * runtime versions, or one line saying why there is none. */
void cuda_info_print(FILE *f);
/* The same as ROOT's "gpus": {available, reason (null or why not),
 * plugin, devices: [{target, name, compute_capability, sms, clocks,
 * memory, l2, PCI id, driver and runtime versions} or {target, error}]}. */
struct nb_json;
void cuda_info_json(struct nb_json *root);

#endif
