# scripts/device-check without a GPU: through the stand-in plugin
# (tests/fake-cuda-plugin.c, every launch 1 ms) the whole pipeline, from
# the suite to the PASS/FAIL line of each target computed from what was
# stored; without a driver, the reason, every file still written, each
# target FAIL with the reason, exit 1.
. "$NB_SRCDIR/tests/cli/lib.sh"
FAKE="$NB_BUILDDIR/tests/fake-cuda-plugin.so"
unset NPUBENCH_CUDA_L2_FLUSH NB_FAKE_CUDA
check() { NPUBENCH="$NPUBENCH" NPUBENCH_CUDA_PLUGIN="$FAKE" BUDGET=120 sh "$NB_SRCDIR/scripts/device-check" "$@"; }
files="summary.txt info.txt run.txt results.csv validate.csv validate.txt cuda0.json log.txt"

expect 0 check "$T/ok"
for f in $files; do [ -s "$T/ok/$f" ] && pass || fail "$f missing or empty"; done
s="$T/ok/summary.txt"
# 2 x 8192^3 FLOP in 1 ms; memcpy at half the copy kernel's time (0.5x).
contains "$s" "PASS  bf16 GEMM 8192^3 >= 650 TFLOP/s: 1099.5 TFLOP/s"
contains "$s" "FAIL  stream copy >= 0.9x cudaMemcpy D2D: 0.500x"
grep -q "model median |error| on h200-sxm <= 15%: [0-9.]*% over 20 rows" "$s" && pass || fail "no model line"
contains "$s" "cuda:0    Fake GPU 0 (sm_90)"
contains "$s" "results.csv: 20 results"
grep -q "\"id\":[[:space:]]*\"cuda0\"" "$T/ok/cuda0.json" && pass || fail "cuda0.json is not the measured profile"
contains "$T/ok/validate.txt" "the model on the measured profile cuda0"
grep -c '^[0-9].*,h200-sxm,' "$T/ok/validate.csv" | grep -qx 20 && pass || fail "validate.csv: expected 20 rows"

NB_FAKE_CUDA=nodriver expect 1 check "$T/none"
for f in $files; do [ -s "$T/none/$f" ] && pass || fail "$f missing or empty without a GPU"; done
s="$T/none/summary.txt"
contains "$s" "no usable GPU: none usable: no NVIDIA driver: libcuda.so.1"
contains "$s" "FAIL  bf16 GEMM 8192^3 >= 650 TFLOP/s: not measured (no usable GPU"
contains "$s" "FAIL  stream copy >= 0.9x cudaMemcpy D2D: not measured (no usable GPU"
contains "$s" "FAIL  model median |error| on h200-sxm <= 15%: not computed (no usable GPU"
contains "$T/none/results.csv" "not produced: no usable GPU"
lacks "$s" "PASS"

expect 2 sh "$NB_SRCDIR/scripts/device-check"
contains "$T/err" "Usage: scripts/device-check OUTDIR [PROFILE]"
finish
