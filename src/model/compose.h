/* Workloads composed from cases: a training step or a served batch on a
 * cluster of chips, every member predicted by the kernel model and every
 * collective by the collective model of the same profile. */
#ifndef NB_COMPOSE_H
#define NB_COMPOSE_H

#include "kernels/workload.h"
#include "model/model.h"

struct nb_profile;

/* Memory one chip holds (the most loaded one), bytes. */
struct nb_wl_memory {
	double weights, grads, optimizer, activations, kv_cache;
	double total, capacity;
	double params_per_chip;
};

/* Memory of W per chip: weights, gradients and Adam state per ZeRO stage
 * (Rajbhandari et al. 2020: 2 + 2 + 12 bytes per parameter in mixed
 * precision), activations per recompute option (Korthikanti et al. 2022,
 * "Reducing Activation Recomputation in Large Transformer Models", section
 * 4), the KV cache of inference.  CAPACITY is the chip's memory. */
void compose_memory(const struct nb_workload *w, double capacity, struct nb_wl_memory *out);

/* The figures a prediction of a workload gives besides its time. */
struct nb_wl_result {
	double step_s, tokens_per_s, mfu, hfu, peak;
	double model_flops, hardware_flops;
	double ttft_s, tpot_s;	/* infer */
	int chips;
	struct nb_wl_memory mem;
};

/* Predicts train or infer case C on chip P.  OUT is filled as by
 * model_predict (seconds = step time, throughput = tokens/s, util = MFU);
 * RES (may be NULL) receives the workload figures. */
int compose_predict(const struct nb_case *c, const struct nb_profile *p, struct nb_prediction *out,
		    struct nb_wl_result *res);

#endif
