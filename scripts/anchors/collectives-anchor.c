/* A bare MPI_Allreduce loop, nccl-tests style: warm-up, barrier, ITERS
 * back-to-back calls, the slowest rank's mean time; prints the bus
 * bandwidth in GB/s (algbw x 2(R-1)/R).  Built by collectives.sh with mpicc.
 *   collectives-anchor BYTES [SECONDS] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	size_t n;
	float *a, *b;
	double t, t1, want;
	int rank, size, iters;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	n = (size_t)atoll(argv[1]) / sizeof(float);
	want = argc > 2 ? atof(argv[2]) : 0.3;
	a = malloc(n * sizeof(float));
	b = malloc(n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		a[i] = (float)(i % 4 + 1);
	/* warm-up, and one timed call to size the loop (the same count on every rank) */
	MPI_Allreduce(a, b, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
	t = MPI_Wtime();
	MPI_Allreduce(a, b, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
	t = MPI_Wtime() - t;
	MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	iters = t > 0 ? (int)(want / t) : 1000;
	iters = iters < 3 ? 3 : iters > 100000 ? 100000 : iters;
	MPI_Barrier(MPI_COMM_WORLD);
	t = MPI_Wtime();
	for (int i = 0; i < iters; i++)
		MPI_Allreduce(a, b, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
	t1 = (MPI_Wtime() - t) / iters;
	MPI_Allreduce(MPI_IN_PLACE, &t1, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	if (rank == 0)
		printf("%.6g\n", (double)(n * sizeof(float)) / t1 * 2.0 * (size - 1) / size / 1e9);
	free(a);
	free(b);
	MPI_Finalize();
	return 0;
}
