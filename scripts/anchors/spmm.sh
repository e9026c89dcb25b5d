#!/bin/sh
# spmm anchors, interleaved over rounds, best of each:
#  1. 2:4 structured spmm against npubench's own dense gemm of the same
#     dtype and shape: effective rate (dense-equivalent 2mnk / time) and
#     actual rate (non-zero multiply-adds, mnk for 2:4) side by side;
#  2. CSR spmm (fp32) against SciPy's csr_matrix @ ndarray at 1%, 5%, 20%,
#     npubench on one thread and on all, SciPy on one (it has no other),
#     and PyTorch's sparse CSR tensor @ dense on all (the same matrix);
#  3. the density at which npubench's dense fp32 gemm becomes faster than
#     its CSR spmm, on one thread and on all.
# Each tool runs in a process of its own; a last line gives PyTorch's
# speed-up from 1 to THREADS threads, so a harness that held it to fewer
# cores shows.
#   scripts/bench-anchors spmm [-t THREADS] [-r ROUNDS] [-s SIZE_24] [-c SIZE_CSR]
set -eu
threads=$(nproc) rounds=2 s24=4096 sc=2048
while getopts t:r:s:c: o; do
	case $o in
	t) threads=$OPTARG ;; r) rounds=$OPTARG ;; s) s24=$OPTARG ;; c) sc=$OPTARG ;;
	*) exit 2 ;;
	esac
done
. "$(dirname "$0")/kbench.sh"
py=/usr/bin/python3
out=$(mktemp -d); trap 'rm -rf "$out" "$KBENCH"' EXIT
best() {	# best (lowest time) line per case of a kbench log: case impl time rate actual ok
	awk -F'\t' '!($1 in t) || $3 < t[$1] {t[$1] = $3; l[$1] = $1 "\t" $2 "\t" $3 "\t" $5 "\t" $6 "\t" $8}
		END {for (k in l) print l[k]}' "$1"
}
echo "spmm anchors: $threads threads, best of $rounds interleaved rounds" >&2

## 1. 2:4 vs dense gemm
r=1
while [ $r -le "$rounds" ]; do
	for dt in fp16 bf16; do
		"$KBENCH" -t "$threads" -s 1 -r 2 "spmm pattern=2:4 dtype=$dt m=$s24 n=$s24 k=$s24" \
			"gemm dtype=$dt m=$s24 n=$s24 k=$s24" >>"$out/s24"
	done
	r=$((r + 1))
done
best "$out/s24" >"$out/s24.best"
echo "2:4 structured spmm vs dense gemm, ${s24}^3, $threads threads (GFLOP/s; effective = 2mnk/t, actual = 2 x non-zero MACs / t)"
printf '%-5s %-30s %10s %10s  %-30s %10s  %s\n' dtype spmm effective actual gemm dense eff.ratio
for dt in fp16 bf16; do
	sl=$(grep "^spmm pattern=2:4 dtype=$dt " "$out/s24.best")
	gl=$(grep "^gemm dtype=$dt " "$out/s24.best")
	printf '%s\t%s\t%s\n' "$dt" "$sl" "$gl" | awk -F'\t' '{printf "%-5s %-30s %10.1f %10.1f  %-30s %10.1f  %.2fx  %s %s\n",
		$1, $3, $5 / 1e9, $6 / 1e9, $9, $11 / 1e9, $5 / $11, $7, $13}'
done

## 2. CSR vs SciPy
# npubench on one thread and on $threads: once when they are the same.
tlist=1
[ "$threads" -eq 1 ] || tlist="1 $threads"
printf '%s %s %s 0.01\n%s %s %s 0.05\n%s %s %s 0.2\n' $sc $sc $sc $sc $sc $sc $sc $sc $sc >"$out/dens"
r=1
while [ $r -le "$rounds" ]; do
	while read -r m n k d; do
		for t in $tlist; do
			"$KBENCH" -t "$t" -s 0.5 -r 2 "spmm pattern=csr dtype=fp32 m=$m n=$n k=$k density=$d" | sed "s/^/$t\t/" >>"$out/csr"
		done
	done <"$out/dens"
	$py "$(dirname "$0")/spmm_scipy.py" 2 <"$out/dens" | paste - "$out/dens" >>"$out/scipy"
	$py "$(dirname "$0")/spmm_torch.py" "$threads" 2 <"$out/dens" | paste - "$out/dens" >>"$out/torch"
	r=$((r + 1))
done
echo
echo "CSR spmm (fp32) vs SciPy $($py -c 'import scipy; print(scipy.__version__)') csr @ dense (1 thread) and PyTorch" \
	"$($py -c 'import torch; print(torch.__version__)') sparse_csr @ dense ($threads threads), ${sc}^3 (ratio = their time / npubench's)"
if [ "$threads" -eq 1 ]; then
	printf '%-8s %-24s %10s %10s %10s  %9s %9s\n' density npubench scipy_s torch_1t_s npu_1t_s scipy_1t torch_1t
else
	printf '%-8s %-24s %10s %10s %10s %10s  %9s %9s %9s\n' density npubench scipy_s "torch_${threads}t_s" "npu_1t_s" \
		"npu_${threads}t_s" scipy_1t "scipy_${threads}t" "torch_${threads}t"
fi
while read -r m n k d; do
	st=$(awk -F'\t' -v d="$d" '{split($2, f, " "); if (f[4] == d && (b == "" || $1 < b)) b = $1} END {print b}' "$out/scipy")
	tt=$(awk -F'\t' -v d="$d" '{split($2, f, " "); if (f[4] == d && (b == "" || $1 < b)) b = $1} END {print b}' "$out/torch")
	t1=$(awk -F'\t' -v c="spmm pattern=csr dtype=fp32 m=$m n=$n k=$k density=$d" '$1 == 1 && $2 == c && (b == "" || $4 < b) {b = $4; i = $3} END {print b "\t" i}' "$out/csr")
	tn=$(awk -F'\t' -v c="spmm pattern=csr dtype=fp32 m=$m n=$n k=$k density=$d" -v t="$threads" '$1 == t && $2 == c && (b == "" || $4 < b) {b = $4} END {print b}' "$out/csr")
	printf '%s\t%s\t%s\t%s\t%s\n' "$d" "$st" "$t1" "$tn" "$tt" | awk -F'\t' -v one="$threads" '
		one == 1 {printf "%-8s %-24s %10.4f %10.4f %10.4f  %8.2fx %8.2fx\n", $1, $4, $2, $6, $3, $2 / $3, $6 / $3; next}
		{printf "%-8s %-24s %10.4f %10.4f %10.4f %10.4f  %8.2fx %8.2fx %8.2fx\n",
		$1, $4, $2, $6, $3, $5, $2 / $3, $2 / $5, $6 / $5}'
done <"$out/dens"
# Sanity: PyTorch alone at 1 thread against the $threads-thread rounds, 5%
# (with one thread there is no speed-up to check).
if [ "$threads" -ne 1 ]; then
	t1=$(echo "$sc $sc $sc 0.05" | $py "$(dirname "$0")/spmm_torch.py" 1 2)
	awk -F'\t' -v t1="$t1" -v n="$threads" '{split($2, f, " "); if (f[4] == 0.05 && (b == "" || $1 < b)) b = $1}
		END {printf "sanity (5%%, speed-up 1 -> %d threads): PyTorch %.2fx; SciPy has no threads\n", n, t1 / b}' "$out/torch"
fi

## 3. where dense gemm wins
echo
echo "CSR spmm vs dense fp32 gemm, ${sc}^3: the first density at which gemm is faster"
dl="0.01 0.02 0.05 0.1 0.15 0.2 0.3 0.4 0.5"
for t in $tlist; do
	: >"$out/x"
	r=1
	while [ $r -le "$rounds" ]; do
		cases="gemm dtype=fp32 m=$sc n=$sc k=$sc"
		for d in $dl; do
			cases="$cases|spmm pattern=csr dtype=fp32 m=$sc n=$sc k=$sc density=$d"
		done
		echo "$cases" | tr '|' '\n' | while read -r cs; do "$KBENCH" -t "$t" -s 0.3 -r 2 "$cs"; done >>"$out/x"
		r=$((r + 1))
	done
	best "$out/x" | awk -F'\t' -v t="$t" -v dl="$dl" '
		/^gemm/ {g = $3; next}
		{split($1, f, "density="); s[f[2] + 0] = $3}
		END {
			n = split(dl, d, " ")
			line = ""
			for (i = 1; i <= n; i++) line = line sprintf(" %g:%.4fs", d[i], s[d[i] + 0])
			w = "none up to 0.5"
			for (i = 1; i <= n; i++) if (g < s[d[i] + 0]) {w = d[i]; break}
			printf "%d thread(s): gemm %.4fs; csr%s\n  dense gemm faster from density %s\n", t, g, line, w
		}'
done
