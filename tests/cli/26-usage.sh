# Every usage error exits 2 and, where a known name is close, says which:
# commands, options, subcommands, targets, kernels, parameters and their
# values, suites, dtypes, formats, charts.  A parameter given twice is an error.
. "$NB_SRCDIR/tests/cli/lib.sh"
nb() { "$NPUBENCH" --db "$T/db" "$@"; }

usage() {	# usage HINT ARGS...: exits 2, stderr has HINT
	hint=$1; shift
	expect 2 nb "$@" && contains "$T/err" "$hint"
}
usage "did you mean 'info'?" infoo
usage "did you mean 'compare'?" help comapre
usage "did you mean '--format'?" run --formt csv
usage "did you mean '--kernel'?" export --kernal gemm
usage "did you mean 'h100'?" run --case gemm --target h10
usage "did you mean 'host'?" run --case gemm --target hots
usage "did you mean 'gemm'?" run --case 'gem m=64'
usage "did you mean 'm'?" run --case 'gemm mm=64'
usage "did you mean 'bf16'?" run --case 'gemm dtype=bf61'
usage "did you mean 'triad'?" run --case 'stream op=traid'
usage "parameter m given twice" run --case 'gemm m=1 m=2' --target host
usage "parameter dtype given twice" run --case 'gemm dtype=bf16 m=8 dtype=fp32'
usage "did you mean 'gemm'?" run --kernel gem
usage "did you mean 'fp32'?" run --kernel gemm --dtype fp33
usage "did you mean 'quick'?" run --suite quik
usage "no suite 'nosuch'" run --suite nosuch
usage "parameter m: 'x' is not an integer" run --kernel gemm --set m=x
usage "no selected case has that parameter" run --kernel gemm --set mm=2
usage "did you mean 'json'?" run --case gemm --format jsn
usage "did you mean 'csv'?" export --format cvs
usage "did you mean 'targets'?" list targts
usage "did you mean 'roofline'?" plot rofline
usage "did you mean 'dumb'?" plot bars --term dum
usage "did you mean 'chips'?" compare chipz
usage "did you mean 'holm'?" compare runs 1 2 --correction hol
usage "did you mean 'probe'?" profile prob
usage "did you mean 'holdout'?" validate --measurements holdot
usage "did you mean 'h100'?" compare chips h10 a100
usage "unknown target 'nosuchchip'" compare chips nosuchchip h100
usage "parameter model: 'nosuch' is not one of" compare chips h100 --workload 'train model=nosuch'
usage "parameter model: 'nosuch' is not one of" run --target h100 --case 'train model=nosuch'
usage "parameter batch: 0 is out of range" run --target h100 --case 'infer model=llama3-8b batch=0'
usage "parameter m: -1 is out of range" run --target h100 --case 'gemm m=-1'
usage "parameter m: -1 is out of range" run --target host --case 'gemm m=-1'
usage "tp=3 does not divide heads=32" compare chips h100 --workload 'train model=llama3-8b tp=3'
usage "a GPU target is spelled cuda:N" run --target cuda:x --case gemm
usage "--db is a global option: give it before the command" run --case gemm --db "$T/other.db"
# Nothing close: no guess.
usage "unknown kernel 'zzzzzz'" run --case zzzzzz
lacks "$T/err" "did you mean"
# Two edits in three letters is another word: the valid values, no guess.
usage "'mkl' is not one of auto|cublas|" run --case 'gemm impl=mkl'
lacks "$T/err" "did you mean"
usage "did you mean 'cublas'?" run --case 'gemm impl=cublsa'
# Rank 1 of 2, as an MPI launcher marks it, leaves an error every rank
# meets to rank 0 and fails silently with the same status.
expect 2 env OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=2 "$NPUBENCH" --db "$T/db" --dbx list runs
lines "$T/err" 0
# A command that runs once runs on rank 0 alone: rank 1 runs nothing and
# says nothing (with no rank 0 here to tell it the status, it exits 0).
# These two start MPI to share rank 0's status; Open MPI keeps allocations
# of its own to exit (see mpi_setup in lib.sh), so leak detection is off
# for them alone.
noleak="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
expect 0 env ASAN_OPTIONS="$noleak" OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=2 "$NPUBENCH" --db "$T/db" list runz
lines "$T/err" 0
lines "$T/out" 0
expect 2 env ASAN_OPTIONS="$noleak" OMPI_COMM_WORLD_RANK=0 OMPI_COMM_WORLD_SIZE=2 "$NPUBENCH" --db "$T/db" list runz
contains "$T/err" "cannot list 'runz'"
# Nothing was stored by any of these.
[ ! -e "$T/db" ] && pass || fail "a usage error created the database"
# A case written once still runs.
expect 0 nb run --case 'gemm m=8 n=8 k=8' --target host --min-time 0 --min-reps 1 -q
finish
