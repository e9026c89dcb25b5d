#!/bin/sh
# stream vs likwid-bench (Debian's likwid): the same kernels, threads and
# array sizes, interleaved over rounds, best of each; bandwidth in GB/s
# (1e9 B/s) under the minimum-bytes convention both tools use.
#   scripts/bench-anchors stream [-t THREADS] [-r ROUNDS] [-n ELEMENTS]
# Pairs: copy (copy_avx / copy_mem_avx), STREAM triad a=b+q*c
# (stream_avx_fma / stream_mem_avx_fma, fp32: stream_sp_*), sum (sum_avx,
# and load_avx which loads without adding), fill (store_avx /
# store_mem_avx); npubench with store=cached against likwid's cached
# variant and store=nt against its _mem (non-temporal) one; on CPUs where
# likwid-bench has them, also its _avx512 kernels.  Each tool runs in a
# process of its own; a last line compares each one's 1-thread and
# N-thread triad, so a harness that held a tool to fewer cores shows.
set -eu
threads=$(nproc) rounds=3 n=0
while getopts t:r:n: o; do
	case $o in
	t) threads=$OPTARG ;; r) rounds=$OPTARG ;; n) n=$OPTARG ;;
	*) exit 2 ;;
	esac
done
. "$(dirname "$0")/kbench.sh"
command -v likwid-bench >/dev/null || { echo "stream: likwid-bench not found (apt-get install likwid)" >&2; exit 1; }
if [ "$n" = 0 ]; then	# npubench's default: 4x the last-level cache, in fp64
	n=$(($("$KBENCH" -l) * 4 / 8))
fi
out=$(mktemp -d); trap 'rm -rf "$out" "$KBENCH"' EXIT
# name|npubench case|likwid kernel|streams|element bytes
pairs="copy cached|op=copy dtype=fp64 store=cached|copy_avx|2|8
copy nt|op=copy dtype=fp64 store=nt|copy_mem_avx|2|8
triad cached|op=triad dtype=fp64 store=cached|stream_avx_fma|3|8
triad nt|op=triad dtype=fp64 store=nt|stream_mem_avx_fma|3|8
triad fp32 cached|op=triad dtype=fp32 store=cached|stream_sp_avx_fma|3|4
triad fp32 nt|op=triad dtype=fp32 store=nt|stream_sp_mem_avx_fma|3|4
sum|op=sum dtype=fp64|sum_avx|1|8
sum vs load|op=sum dtype=fp64|load_avx|1|8
sum fp32|op=sum dtype=fp32|sum_sp_avx|1|4
fill cached|op=fill dtype=fp64 store=cached|store_avx|1|8
fill nt|op=fill dtype=fp64 store=nt|store_mem_avx|1|8"
# Where likwid-bench has AVX-512 kernels, npubench (at its dispatch level)
# also meets those, store kind for store kind (likwid has no FMA variant of
# the non-temporal fp64 triad: its mul + add moves the same bytes).
if likwid-bench -a 2>/dev/null | grep -q '^ *copy_avx512 '; then
	pairs="$pairs
copy cached/512|op=copy dtype=fp64 store=cached|copy_avx512|2|8
copy nt/512|op=copy dtype=fp64 store=nt|copy_mem_avx512|2|8
triad cached/512|op=triad dtype=fp64 store=cached|stream_avx512_fma|3|8
triad nt/512|op=triad dtype=fp64 store=nt|stream_mem_avx512|3|8
triad fp32 c./512|op=triad dtype=fp32 store=cached|stream_sp_avx512_fma|3|4
triad fp32 nt/512|op=triad dtype=fp32 store=nt|stream_sp_mem_avx512_fma|3|4
sum/512|op=sum dtype=fp64|sum_avx512|1|8
sum fp32/512|op=sum dtype=fp32|sum_sp_avx512|1|4
fill cached/512|op=fill dtype=fp64 store=cached|store_avx512|1|8
fill nt/512|op=fill dtype=fp64 store=nt|store_mem_avx512|1|8"
fi
echo "stream vs likwid-bench: $threads threads, $n elements per array, best of $rounds interleaved rounds" >&2
r=1
while [ $r -le "$rounds" ]; do
	echo "$pairs" | while IFS='|' read -r name cas lk streams es; do
		ne=$n; [ "$es" = 4 ] && ne=$((2 * n))	# the same bytes per array
		"$KBENCH" -t "$threads" -s 0.5 -r 3 "stream $cas n=$ne" | awk -F'\t' -v k="$name" '{print k "\t" $2 "\t" $5 / 1e9}' >>"$out/npu"
		kb=$((ne * es * streams / 1000))
		likwid-bench -t "$lk" -w "N:${kb}kB:$threads" 2>/dev/null |
			awk -v k="$name" -v t="$lk" '/^MByte\/s:/ {print k "\t" t "\t" $2 / 1000}' >>"$out/lik"
	done
	r=$((r + 1))
done
printf '%-18s %-26s %9s  %-22s %9s  %6s\n' kernel npubench GB/s likwid-bench GB/s ratio
echo "$pairs" | while IFS='|' read -r name cas lk streams es; do
	a=$(awk -F'\t' -v k="$name" '$1 == k && $3 > b {b = $3; i = $2} END {print i "\t" b}' "$out/npu")
	b=$(awk -F'\t' -v k="$name" '$1 == k && $3 > b {b = $3} END {print b + 0}' "$out/lik")
	printf '%s\t%s\t%s\n' "$name" "$a" "$b" | awk -F'\t' -v lk="$lk" \
		'{printf "%-18s %-26s %9.1f  %-22s %9.1f  %6.2f\n", $1, $2, $3, lk, $4, ($4 > 0 ? $3 / $4 : 0)}'
done
# Sanity: the cached fp64 triad of each tool at 1 thread and at $threads
# (with one thread there is no speed-up to check).
[ "$threads" -ne 1 ] || exit 0
nt=$(( n * 3 * 8 / 1000 ))
for t in 1 "$threads"; do
	"$KBENCH" -t "$t" -s 0.5 -r 3 "stream op=triad dtype=fp64 store=cached n=$n" | awk -F'\t' -v t="$t" '{print "npubench\t" t "\t" $5 / 1e9}' >>"$out/sanity"
	likwid-bench -t stream_avx_fma -w "N:${nt}kB:$t" 2>/dev/null |
		awk -v t="$t" '/^MByte\/s:/ {print "likwid-bench\t" t "\t" $2 / 1000}' >>"$out/sanity"
done
awk -F'\t' -v n="$threads" '{r[$1, $2] = $3}
	END {printf "sanity (triad cached, GB/s, 1 -> %d threads): npubench %.1f -> %.1f (%.2fx), likwid-bench %.1f -> %.1f (%.2fx)\n",
		n, r["npubench", 1], r["npubench", n], r["npubench", n] / (r["npubench", 1] + 1e-30),
		r["likwid-bench", 1], r["likwid-bench", n], r["likwid-bench", n] / (r["likwid-bench", 1] + 1e-30)}' "$out/sanity"
