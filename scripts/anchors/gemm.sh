#!/bin/sh
# GEMM anchors: npubench's fp32/fp16/bf16/int8/int4 kernels against OpenBLAS
# cblas_sgemm (libopenblas-dev) and oneDNN's u8 x s8 -> s32 and bf16 -> f32
# matmuls (libdnnl-dev), interleaved on the same shapes and thread counts,
# each sample in a process of its own, with ratios, the targets, each result
# as a fraction of its dtype's measured ceiling (fp32 FMA, bf16 or int8 dot
# product) and of the measured read bandwidth, and a sanity check of every
# library's scaling and of its rate beside npubench's pool.
#   scripts/bench-anchors gemm [SIZE...]      default sizes: 2048 4096
# Environment: NB_BUILDDIR (a configured, built tree; default: the source
# tree), THREADS ("1 N" by default, N = online CPUs), ROUNDS (3).
# Run it alone on the machine (e.g. under flock) and expect a minute or two.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${NB_BUILDDIR:-$top}
if [ ! -f "$build/libnpubench.a" ]; then
	echo "gemm.sh: no libnpubench.a in '$build': build npubench first (or set NB_BUILDDIR)" >&2
	exit 1
fi
for h in cblas.h dnnl.h; do
	if ! echo "#include <$h>" | ${CC:-cc} -E - >/dev/null 2>&1; then
		echo "gemm.sh: <$h> not found: install libopenblas-dev and libdnnl-dev" >&2
		exit 1
	fi
done
sizes=${*:-2048 4096}
ncpu=$(nproc)
threads=${THREADS:-"1 $ncpu"}
threads=$(echo $threads | tr ' ' '\n' | awk '!seen[$0]++' | tr '\n' ' ')	# 1 and 1 on one CPU: once
rounds=${ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gemm-anchor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
isa=""
for l in avx2 avx512 ew_avx2 ew_avx512; do
	[ -f "$build/libnpubench_$l.a" ] && isa="$isa $build/libnpubench_$l.a"
done
[ -n "$isa" ] && isa="$isa $build/libnpubench.a"
extra=$(make -s -C "$build" print-libs 2>/dev/null || pkg-config --libs sqlite3 libcjson libcurl 2>/dev/null || true)
# cblas.h from OpenBLAS (the generic one has no openblas_get_config).
oblas_inc=$(pkg-config --cflags openblas 2>/dev/null || echo "-I/usr/include/x86_64-linux-gnu/openblas-pthread")
${CC:-cc} -O2 -pthread -I"$top/src" -I"$build" $oblas_inc -o "$tmp/gemm-anchor" \
	"$here/gemm-anchor.c" "$build/libnpubench.a" $isa -lopenblas -ldnnl $extra -lm

echo "# npubench GEMM anchors on $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $ncpu CPUs"
echo "# $(${CC:-cc} --version | head -n 1); OpenBLAS and oneDNN from Debian; rounds: $rounds (best of, interleaved, one process per sample)"
echo "# npubench dispatch: $("$build/npubench" info 2>/dev/null | sed -n 's/^dispatch: *//p')"
if command -v likwid-bench >/dev/null 2>&1; then
	for t in $threads; do
		l=$(likwid-bench -t peakflops_sp_avx_fma -W "N:32kB:$t" 2>/dev/null | sed -n 's/^MFlops\/s:[[:space:]]*//p')
		[ -n "$l" ] && echo "# threads $t: likwid-bench peakflops_sp_avx_fma $(awk "BEGIN{printf \"%.1f\", $l/1000}") GFLOP/s (cross-check)"
	done
fi
# What limits int8: the instruction-throughput ceilings of the inner loops.
case "$(uname -m)" in
x86_64)
	if ${CC:-cc} -O1 -o "$tmp/gemm-ceiling" "$here/gemm-ceiling.c" 2>/dev/null; then
		if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$tmp/gemm-ceiling"; else "$tmp/gemm-ceiling"; fi
	fi ;;
esac
printf '%-12s %3s  %-15s %-30s %9s %8s %-7s %6s %7s %5s  %-22s %-9s %s\n' \
	shape thr contender impl ms rate unit "%peak" GB/s "%bw" ratio target verify
for t in $threads; do
	OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$tmp/gemm-anchor" "$t" "$rounds" $sizes
done
