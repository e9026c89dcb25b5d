/* stream: what the portable framework (stream.c) and the AVX2 and AVX-512
 * loops (stream-avx2.c, stream-avx512.c) share. */
#ifndef NB_STREAM_IMPL_H
#define NB_STREAM_IMPL_H

enum { OP_COPY, OP_SCALE, OP_ADD, OP_TRIAD, OP_SUM, OP_FILL };

/* One pass over [begin, end) of the arrays, as STREAM names them:
 * copy c=a, scale b=q*c, add c=a+b, triad a=b+q*c, sum of a, fill c=q. */
struct stream_args {
	int op, dbl, nt;	/* nt: non-temporal stores */
	void *a, *b, *c;
	double scalar;
};

/* AVX2 body; *sum receives the partial sum for OP_SUM, 0 otherwise. */
void stream_avx2_run(const struct stream_args *s, long begin, long end, double *sum);
/* The same at AVX-512. */
void stream_avx512_run(const struct stream_args *s, long begin, long end, double *sum);

#endif
