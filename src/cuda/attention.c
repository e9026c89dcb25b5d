/* Attention on the GPU (placeholder until the cuDNN graph is built). */
#include "cuda/plugin.h"

#include <stdio.h>

#include "cuda/xlate.h"

void cuda_attention_close(struct cuda_dev *d)
{
	d->dnn = NULL;
}

int cuda_attention_prepare(struct cuda_dev *d, const struct nb_cuda_case *c, struct cuda_job *j,
			   struct nb_cuda_result *r)
{
	struct cuda_attention_desc x;

	(void)d, (void)j;
	if (cuda_xlate_attention(c, &x, r->message, sizeof(r->message))) {
		r->status = NB_CUDA_RES_UNSUPPORTED;
		return -1;
	}
	return cuda_fail(r, NB_CUDA_RES_UNSUPPORTED, "attention on the GPU is not built yet");
}
