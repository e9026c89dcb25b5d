/* The elementwise work of the host's train and infer steps (rounding to
 * 16 bits, the MLP's activation and its gradient, Adam, the softmax's
 * exponentials): one table per
 * ISA.  The portable table is the reference: libm's expf and tanhf, one
 * element at a time.  The AVX2 and AVX-512 tables are the same loops
 * written for the compiler to vectorise, with exp from a polynomial
 * (workload-ew-impl.h); they are chosen by the same run-time dispatch as
 * the GEMM, so a host step's elementwise time is that of vector code, as
 * the model's memory streams assume. */
#ifndef NB_KERNELS_WORKLOAD_EW_H
#define NB_KERNELS_WORKLOAD_EW_H

#include <stdint.h>

/* Adam's hyperparameters: the step's bias corrections and every table's update use these. */
#define WL_ADAM_B1 0.9f
#define WL_ADAM_B2 0.95f
#define WL_ADAM_LR 1e-4f
#define WL_ADAM_EPS 1e-8f

struct wl_ew {
	/* OUT[i] = IN[i] rounded to bf16 (to nearest even; NaN stays NaN). */
	void (*to_bf16)(const float *in, uint16_t *out, long n);
	/* OUT[e LDO + i] = IN[i LD + e] rounded as to_bf16, i < N, e < D: N
	 * rows of D transposed while rounded (K^T's columns appended to the
	 * KV cache).  Neither side may alias the other. */
	void (*to_bf16_t)(const float *in, long ld, long n, long d, uint16_t *out, long ldo);
	/* G = gelu(U) (tanh form), N elements. */
	void (*gelu)(const float *u, float *g, long n);
	/* DU = DG gelu'(U). */
	void (*gelu_bwd)(const float *u, const float *dg, float *du, long n);
	/* G = silu(U1) U2. */
	void (*swiglu)(const float *u1, const float *u2, float *g, long n);
	/* DU1, DU2 from DG through G = silu(U1) U2. */
	void (*swiglu_bwd)(const float *u1, const float *u2, const float *dg, float *du1, float *du2, long n);
	/* Adam over N parameters (beta 0.9, 0.95; bias corrections C1, C2;
	 * lr 1e-4, eps 1e-8); the gradient is cleared. */
	void (*adam)(float *w, float *g, float *m, float *v, long n, float c1, float c2);
	/* OUT[i] = exp(IN[i] SCALE - SHIFT): a softmax's exponentials. */
	void (*exp_shift)(const float *in, float *out, long n, float scale, float shift);
	/* Y = X r over N elements with r = 1 / sqrt(mean(X^2) + 1e-6), the
	 * RMS norm of one row; returns r. */
	float (*rms_row)(const float *x, float *y, long n);
	/* ROW[0, SEEN) = softmax(ROW[0, SEEN) SCALE), ROW[SEEN, N) = 0: one
	 * row of attention probabilities (causal: SEEN keys). */
	void (*softmax_row)(float *row, long seen, long n, float scale);
	/* OUT = A + B over N elements (the residual adds); OUT may not alias. */
	void (*add)(const float *a, const float *b, float *out, long n);
};

/* The table for ISA level ISA (enum nb_isa); the portable one below AVX2. */
const struct wl_ew *wl_ew_for(int isa);

extern const struct wl_ew wl_ew_avx2, wl_ew_avx512;

/* The elements per second of ISA's plain pass (WHICH 0: rounding to
 * bf16), exponential pass (1) or GELU (2) on one thread, in L2: what
 * `profile probe` writes as compute.elementwise_gelems, _exp_gelems and
 * _act_gelems. */
double wl_ew_rate(int isa, int which);

#endif
