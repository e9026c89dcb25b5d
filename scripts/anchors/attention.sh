#!/bin/sh
# attention vs PyTorch's CPU attention (Debian's python3-torch: matmul,
# softmax, matmul in fp32, the scores materialized) on the same threads,
# interleaved over rounds, best of each.  PyTorch is timed as usually
# written (new tensors each step) and with its buffers reused (out=,
# in-place; attention.py says why that matters); the ratio is against the
# faster of the two.  Throughput for both is the work
# npubench declares (4 d FLOPs per unmasked pair; PyTorch computes the
# masked half too), so the ratio is PyTorch's time over npubench's.  Each
# tool runs in a process of its own; the last lines give npubench's bf16
# over its own fp32 on the same shape, and each tool's 1-thread and
# N-thread rate, so a harness that held a tool to fewer cores shows.
#   scripts/bench-anchors attention [-t THREADS] [-r ROUNDS] [-q]   (-q: a short grid)
set -eu
threads=$(nproc) rounds=2 quick=0
while getopts t:r:q o; do
	case $o in
	t) threads=$OPTARG ;; r) rounds=$OPTARG ;; q) quick=1 ;;
	*) exit 2 ;;
	esac
done
. "$(dirname "$0")/kbench.sh"
py=/usr/bin/python3
$py -c 'import torch' 2>/dev/null || { echo "attention: $py lacks torch (apt-get install python3-torch)" >&2; exit 1; }
out=$(mktemp -d); trap 'rm -rf "$out" "$KBENCH"' EXIT
# batch heads seq head_dim causal dtype
grid="1 8 1024 64 0 fp32
1 8 1024 128 0 fp32
1 8 2048 64 0 fp32
1 8 2048 128 0 fp32
1 8 2048 64 1 fp32
1 8 2048 128 1 fp32
1 16 2048 64 0 fp32
1 8 2048 128 0 bf16
1 8 2048 128 0 fp16
1 8 4096 64 0 fp32
1 8 4096 128 0 fp32
1 8 4096 128 1 fp32"
[ "$quick" = 1 ] && grid=$(echo "$grid" | grep -v " 4096 ")
echo "attention vs PyTorch $($py -c 'import torch; print(torch.__version__)') CPU: $threads threads, best of $rounds interleaved rounds" >&2
r=1
while [ $r -le "$rounds" ]; do
	echo "$grid" | while read -r b h s d c dt; do
		"$KBENCH" -t "$threads" -s 0.5 -r 2 \
			"attention batch=$b heads=$h seq_q=$s head_dim=$d causal=$c dtype=$dt" |
			awk -F'\t' -v key="$b $h $s $d $c $dt" '{print key "\t" $2 "\t" $3 "\t" $5 "\t" $8}' >>"$out/npu"
	done
	echo "$grid" | awk '$6 == "fp32" {print $1, $2, $3, $4, $5}' >"$out/keys"
	awk '{print $1, $2, $3, $3, $4, $5}' "$out/keys" | $py "$(dirname "$0")/attention.py" "$threads" 2 >"$out/t"
	paste "$out/t" "$out/keys" >>"$out/torch"
	r=$((r + 1))
done
printf '%-3s %-3s %-5s %-4s %-6s %-5s %-36s %8s %8s %8s %8s %7s  %s\n' b h seq d causal dtype npubench GFLOP/s \
	torch_al torch_re npu_s ratio ok
echo "$grid" | while read -r b h s d c dt; do
	key="$b $h $s $d $c $dt"
	npu=$(awk -F'\t' -v k="$key" '$1 == k && (best == "" || $3 < best) {best = $3; line = $0} END {print line}' "$out/npu")
	# torch lines: alloc_s reuse_s<TAB>case
	tt=$(awk -F'\t' -v k="$b $h $s $d $c" '$2 == k {split($1, t, " ")
		if (a == "" || t[1] < a) a = t[1]; if (r == "" || t[2] < r) r = t[2]} END {print a, r}' "$out/torch")
	echo "$npu" | awk -F'\t' -v tt="$tt" -v b="$b" -v h="$h" -v s="$s" -v d="$d" -v c="$c" -v dt="$dt" \
		'{split(tt, t, " "); best = t[1] < t[2] ? t[1] : t[2]
		printf "%-3s %-3s %-5s %-4s %-6s %-5s %-36s %8.1f %8.4f %8.4f %8.4f %7.2f  %s\n", b, h, s, d, c, dt, $2, $4 / 1e9,
			t[1], t[2], $3, (best > 0 ? best / $3 : 0), $5}'
done
echo "(torch_al: new tensors each step; torch_re: buffers reused; ratio: the faster over npubench."
echo " bf16/fp16 rows: npubench with half inputs against PyTorch fp32 of the same shape)"
# bf16 and fp16 over npubench's own fp32, the same shape (best of rounds).
for dt in bf16 fp16; do
	awk -F'\t' -v dt="$dt" '
		$1 == "1 8 2048 128 0 fp32" && $3 > 0 && (f == "" || $3 < f) {f = $3}
		$1 == "1 8 2048 128 0 " dt && $3 > 0 && (h == "" || $3 < h) {h = $3; impl = $2}
		END {if (f != "" && h != "") printf "%s / own fp32 (1 8 2048 128, %s): %.2fx\n", dt, impl, f / h}' "$out/npu"
done
# Sanity: each tool alone at 1 thread and at $threads (all CPUs when
# THREADS is 1), on one fp32 shape.
st=$threads
[ "$st" -gt 1 ] || st=$(nproc)
[ "$st" -gt 1 ] || exit 0	# one CPU: no speed-up to check
for t in 1 "$st"; do
	"$KBENCH" -t "$t" -s 0.5 -r 2 "attention batch=1 heads=8 seq_q=2048 head_dim=128 causal=0 dtype=fp32" |
		awk -F'\t' -v t="$t" '{print "npubench\t" t "\t" $3}' >>"$out/sanity"
	echo "1 8 2048 2048 128 0" | $py "$(dirname "$0")/attention.py" "$t" 2 |
		awk -v t="$t" '{print "torch\t" t "\t" ($1 < $2 ? $1 : $2)}' >>"$out/sanity"
done
awk -F'\t' -v n="$st" '{r[$1, $2] = $3}
	END {printf "sanity (fp32 1 8 2048 128, speed-up 1 -> %d threads): npubench %.2fx, PyTorch %.2fx\n",
		n, r["npubench", 1] / r["npubench", n], r["torch", 1] / r["torch", n]}' "$out/sanity"
