/* `npubench profile probe`, kept in its own file; `profile` dispatches its
 * "probe" subcommand here with ARGV[0] = "probe". */
#ifndef NB_CMD_PROFILE_PROBE_H
#define NB_CMD_PROFILE_PROBE_H

#include <stddef.h>

struct nb_ctx;
struct nb_profile;
struct nb_profiles;

/* The host probe's source text ends with this: it tells a profile the host
 * probe wrote from the chips' whatever its id (the id follows the file). */
#define PROBE_HOST_SOURCE "npubench's own kernels through the host harness (median of timed runs)"

#define PROFILE_PROBE_HELP \
	"  probe [--target host|cuda:N] [-j, --threads N] [--min-time SEC] [--size N]\n" \
	"        [-o, --output ID.json]\n" \
	"        measure this host with npubench's own kernels (FMA peak, GEMM per\n" \
	"        dtype at N^3, default 2048, attention, 2:4 and CSR (two densities)\n" \
	"        spmm, a triad stream, an 8^3 GEMM for the dispatch latency) and\n" \
	"        write a 'host' profile, every figure marked measured with the date\n" \
	"        and machine, into the user profile folder (host.json); time it on a\n" \
	"        quiet machine.  -o DIR/ID.json writes profile ID there instead (a\n" \
	"        profile file is named after its id); outside the profile folders the\n" \
	"        probe says how to use it.  The host profile of validate --host,\n" \
	"        compare, plot and report is the one the probe wrote last.  With\n" \
	"        --target cuda:N, the GPU instead (cuBLASLt GEMM per dtype at N^3,\n" \
	"        default 8192, a stream copy, cuDNN attention, cuSPARSE CSR, an 8^3\n" \
	"        GEMM for the launch time) into a 'cudaN' profile.  Under mpirun: the\n" \
	"        ranks' interconnect (alpha, beta of a send/recv ring shift, 8 B to\n" \
	"        16 MiB) added to the host profile\n"

int profile_probe_main(int argc, char **argv, struct nb_ctx *ctx);
/* The host's profile: of the profiles in SET that the host probe wrote, the
 * file written last (id 'host' on a tie); without one, profile 'host';
 * NULL when there is neither. */
const struct nb_profile *probe_host_profile(const struct nb_profiles *set);
/* The id of the profile a probe writes to FILE: the loader reads a profile
 * only from ID.json, so `-o mybox.json` writes 'mybox'.  Returns 0, or the
 * usage error's status after reporting it naming FILE. */
int probe_file_id(const char *file, char *id, size_t n);
/* When FILE (profile ID) lies outside every profile folder no command finds
 * it by id: says so on stderr with the commands that reach it. */
void probe_where_note(const struct nb_ctx *ctx, const char *file, const char *id);
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
 * the user profile folder; else its id is OUT's name, see probe_file_id).
 * Returns the exit status. */
int profile_probe_cuda(struct nb_ctx *ctx, int index, long long size, double min_time, const char *out);

#endif
