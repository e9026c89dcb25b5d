# The README's commands work as written after `scripts/quickstart run`: each
# `./npubench ...` line of its code blocks, run from a folder where
# ./npubench is the program.  `run` lines get --dry-run (their cases and
# targets are parsed and resolved, nothing is measured); lines that need the
# network, a GPU, MPI, minutes of measuring or a file of the reader's own are
# listed as skipped, never counted as passed.
. "$NB_SRCDIR/tests/cli/lib.sh"
mkdir -p "$T/work" && ln -s "$NPUBENCH" "$T/work/npubench"
cd "$T/work" || exit 1
export NPUBENCH_DB="$T/db" NPUBENCH_PROFILES="$NB_SRCDIR/profiles"

python3 - "$NB_SRCDIR/README.md" >"$T/cmds" <<'PY'
import re, sys
lines, cmd = open(sys.argv[1]).read().split("\n"), None
for l in lines:
    if cmd is not None:
        cmd += " " + l.strip()
    elif re.match(r"    (mpirun .*)?\./npubench ", l):
        cmd = l.strip()
    else:
        continue
    if cmd.endswith("\\"):
        cmd = cmd[:-1].rstrip()
        continue
    print(re.sub(r"\s{2,}# .*$", "", cmd))
    cmd = None
PY
[ "$(wc -l <"$T/cmds")" -gt 30 ] && pass || fail "found only $(wc -l <"$T/cmds") README commands"

# A stored run for show, export, compare and plot.
expect 0 ./npubench run --case 'gemm dtype=bf16 m=64 n=64 k=64' --case 'gemm dtype=bf16 m=128 n=128 k=128' \
	--case 'stream op=triad n=100000' \
	--target host,910b,a100,h100,tpu-v5e --min-time 0.01 --min-reps 3 -q
have_gnuplot=1
command -v gnuplot >/dev/null 2>&1 || have_gnuplot=0
while IFS= read -r c; do
	case "$c" in
	*" push "*|*"profile fetch"*) echo "SKIP: needs the network: $c"; continue ;;
	*cuda:*|mpirun*) echo "SKIP: needs a GPU or MPI ranks: $c"; continue ;;
	*"profile probe"*) echo "SKIP: measures the host for minutes: $c"; continue ;;
	*my-chip.json*|*other-machine.json*|*"compare runs 3 7"*)
		echo "SKIP: needs the reader's own files or runs: $c"; continue ;;
	*" plot "*) [ "$have_gnuplot" = 1 ] || { echo "SKIP: no gnuplot: $c"; continue; } ;;
	esac
	case "$c" in
	"./npubench run "*) c="$c --dry-run" ;;
	esac
	if sh -c "$c" >"$T/out" 2>"$T/err" </dev/null; then
		pass
	else
		fail "README command failed (exit $?): $c"
		sed 's/^/  stderr: /' "$T/err" | head -n 3 >&2
	fi
done <"$T/cmds"
# The manual as the README says to read it.
if command -v man >/dev/null 2>&1; then
	MANPAGER=cat man -l "$NB_SRCDIR/man/npubench.1" 2>/dev/null | sed "s/.\x08//g" >"$T/out" && contains "$T/out" "NPUBENCH(1)"
else
	echo "SKIP: no man program"
fi
finish
