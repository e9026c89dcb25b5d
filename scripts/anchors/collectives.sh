#!/bin/sh
# collectives: npubench's host all-reduce (fp32, across MPI ranks on this
# machine) against a bare MPI_Allreduce loop of the same size, interleaved
# over rounds; bus bandwidth in GB/s (nccl-tests' busbw), best of each, and
# the median of each round's own ratio (on a shared machine the load moves
# between rounds more than between two back-to-back runs).
#   scripts/bench-anchors collectives [-n "RANKS..."] [-s "BYTES..."] [-r ROUNDS]
# Defaults: 2 and 4 ranks, 64 KiB to 256 MiB by 16, 3 rounds.  Run it
# under `flock /tmp/npubench-bench.lock` on a shared machine.
set -eu
ranks="2 4" sizes="65536 1048576 16777216 268435456" rounds=3
while getopts n:s:r: o; do
	case $o in
	n) ranks=$OPTARG ;; s) sizes=$OPTARG ;; r) rounds=$OPTARG ;;
	*) exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
NPUBENCH=${NPUBENCH:-$top/npubench}
command -v mpirun >/dev/null && command -v mpicc >/dev/null ||
	{ echo "collectives: mpirun and mpicc are needed (apt-get install libopenmpi-dev openmpi-bin)" >&2; exit 1; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
mpicc -O2 -o "$out/anchor" "$here/collectives-anchor.c"
MPIRUN="mpirun --oversubscribe"
[ "$(id -u)" = 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"
echo "collectives: npubench vs bare MPI_Allreduce, fp32, best of $rounds interleaved rounds" >&2
r=1
while [ $r -le "$rounds" ]; do
	for np in $ranks; do
		for s in $sizes; do
			$MPIRUN -np "$np" "$NPUBENCH" --db "$out/r.db" run --target host --quiet --format csv \
				--min-time 0.3 --case "collective op=allreduce dtype=fp32 bytes=$s" |
				python3 -c 'import csv,sys; [print(r["throughput"]) for r in csv.DictReader(sys.stdin)]' |
				awk -v k="$np $s" -v r=$r '{print k "\t" $1 / 1e9 "\t" r}' >>"$out/npu"
			$MPIRUN -np "$np" "$out/anchor" "$s" 0.3 |
				awk -v k="$np $s" -v r=$r '{print k "\t" $1 "\t" r}' >>"$out/mpi"
		done
	done
	r=$((r + 1))
done
# ratio: best against best; paired: the median over rounds of each round's
# own ratio (the two ran back to back, so they shared that round's load).
printf '%5s %11s %14s %14s %6s %7s\n' ranks bytes npubench_GB/s MPI_GB/s ratio paired
for np in $ranks; do
	for s in $sizes; do
		a=$(awk -F'\t' -v k="$np $s" '$1 == k && $2 > b {b = $2} END {print b + 0}' "$out/npu")
		b=$(awk -F'\t' -v k="$np $s" '$1 == k && $2 > b {b = $2} END {print b + 0}' "$out/mpi")
		m=$(awk -F'\t' -v k="$np $s" '$1 == k {print $3 "\t" $2}' "$out/npu" | sort >"$out/a"
			awk -F'\t' -v k="$np $s" '$1 == k {print $3 "\t" $2}' "$out/mpi" | sort >"$out/b"
			join -t "$(printf '\t')" "$out/a" "$out/b" | awk -F'\t' '$3 > 0 {print $2 / $3}' | sort -g |
				awk '{v[NR] = $1} END {print NR ? (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) : 0}')
		awk -v np="$np" -v s="$s" -v a="$a" -v b="$b" -v m="$m" \
			'BEGIN {printf "%5d %11d %14.3f %14.3f %6.2f %7.2f\n", np, s, a, b, (b > 0 ? a / b : 0), m}'
	done
done
