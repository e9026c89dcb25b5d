/* `npubench profile probe`, kept in its own file; `profile` dispatches its
 * "probe" subcommand here with ARGV[0] = "probe". */
#ifndef NB_CMD_PROFILE_PROBE_H
#define NB_CMD_PROFILE_PROBE_H

struct nb_ctx;

#define PROFILE_PROBE_HELP \
	"  probe [--target host|cuda:N] [--threads N] [--min-time SEC] [--size N] [-o FILE]\n" \
	"        measure this host with npubench's own kernels (FMA peak, GEMM per\n" \
	"        dtype at N^3, default 2048, attention, 2:4 and CSR (two densities)\n" \
	"        spmm, a triad stream, an 8^3 GEMM for\n" \
	"        the dispatch latency) and write a 'host' profile, every figure marked\n" \
	"        measured with the date and machine, into the user profile folder\n" \
	"        (or FILE); time it on a quiet machine.  With --target cuda:N, the GPU\n" \
	"        instead (cuBLASLt GEMM per dtype at N^3, default 8192, a stream copy,\n" \
	"        cuDNN attention, cuSPARSE CSR, an 8^3 GEMM for the launch time) into\n" \
	"        a 'cudaN' profile.  Under mpirun: the ranks' interconnect (alpha,\n" \
	"        beta of a send/recv ring shift, 8 B to 16 MiB) added to the host profile\n"

int profile_probe_main(int argc, char **argv, struct nb_ctx *ctx);
/* How often the FMA loop is measured again, longer each time, when the
 * GEMM beats it: a loop of independent FMAs cannot be slower than a GEMM
 * built of the same FMAs, so the first reading was disturbed. */
#define ROOF_RETRIES 3
/* Settles the arithmetic roof *ROOF (FLOP/s) against the fp32 GEMM rate
 * GEMM measured under it: while the GEMM beats it, up to ROOF_RETRIES
 * times, AGAIN(attempt, ARG) measures the roof again and the higher reading
 * is kept.  Returns 0, or -1 (the refusal reported) when the GEMM still
 * beats it.  Apart from the measuring, so that a test reaches the refusal. */
int probe_roof_settle(double gemm, double *roof, double (*again)(int attempt, void *arg), void *arg);
/* The GPU probe (--target cuda:INDEX): writes OUT (NULL: cudaINDEX.json in
 * the user profile folder).  Returns the exit status. */
int profile_probe_cuda(struct nb_ctx *ctx, int index, long long size, double min_time, const char *out);

#endif
