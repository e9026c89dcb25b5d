# profile list/show/validate and validate --measurements on the shipped data.
. "$NB_SRCDIR/tests/cli/lib.sh"
FX="$NB_SRCDIR/tests/fixtures"

# list: every shipped profile, dense peaks, '-' for a dtype the chip lacks.
expect 0 "$NPUBENCH" profile list
for id in ascend-910b2 ascend-910b3 ascend-910b4 a100-sxm4-40gb a100-sxm4-80gb \
	h100-sxm h100-pcie tpu-v5e ascend-910 ascend-910c h200-sxm tpu-v4 tpu-v5p \
	tpu-v6e mi300x gaudi2 gaudi3 rtx-4090; do
	contains "$T/out" "$id "
done
grep '^h100-sxm ' "$T/out" >"$T/h100"
contains "$T/h100" "989.4"
contains "$T/h100" "989.4    989.4   1978.9"   # fp16, bf16 dense; int8 dense TOPS
grep '^tpu-v5e ' "$T/out" >"$T/v5e"
contains "$T/v5e" " - "
expect 0 "$NPUBENCH" profile list --format csv
contains "$T/out" "id,name,vendor,year,fp16_tflops"
expect 0 "$NPUBENCH" profile list --format json
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) >= 19' "$T/out" && pass || fail "profile list json"

# show: by alias, every figure with kind and source.
expect 0 "$NPUBENCH" profile show 910b
contains "$T/out" "ascend-910b2: Huawei Ascend 910B2"
contains "$T/out" "peak_dense_tflops.fp16"
contains "$T/out" "vendor-spec"
contains "$T/out" "Ascend/msmodeling"
contains "$T/out" "model.gemm_efficiency"
expect 0 "$NPUBENCH" profile show H100
contains "$T/out" "emulation: int4 via int8"
contains "$T/out" "sparsity.factor"
expect 1 "$NPUBENCH" profile show nosuchchip
contains "$T/err" "no profile 'nosuchchip'"
expect 2 "$NPUBENCH" profile show
expect 2 "$NPUBENCH" profile frobnicate
contains "$T/err" "unknown subcommand 'frobnicate'"

# validate: the shipped set, a good file, and bad ones naming file and key.
expect 0 "$NPUBENCH" profile validate
contains "$T/out" "tpu-v5e.json: ok"
expect 0 "$NPUBENCH" profile validate "$FX/profiles/test-chip.json" "$NB_SRCDIR/profiles/h100-sxm.json"
lines "$T/out" 2
expect 1 "$NPUBENCH" profile validate "$FX/bad-profiles/non-positive.json"
contains "$T/err" "non-positive.json: key \"peak_dense_tflops.fp16.value\": expected a positive number, got 0"
expect 1 "$NPUBENCH" profile validate "$FX/profiles/test-chip.json" "$FX/bad-profiles/unknown-key.json"
contains "$T/out" "test-chip.json: ok"
contains "$T/err" "key \"colour\": unknown key"
contains "$T/err" "1 of 2 profiles invalid"

# A bad profile in the search path is an error for every command using it.
mkdir -p "$T/p"
cp "$FX/bad-profiles/llc-slower-than-memory.json" "$T/p/test-chip.json"
expect 1 "$NPUBENCH" --profiles "$T/p" profile list
contains "$T/err" "on-chip bandwidth must exceed"
# ...and a user folder's profile wins over a shipped one with the same id.
cp "$FX/profiles/test-chip.json" "$T/p/test-chip.json"
expect 0 "$NPUBENCH" --profiles "$T/p:$NB_SRCDIR/profiles" profile show tc
contains "$T/out" "test-chip: Test chip"

# validate --measurements: the shipped calibration file, within target.
expect 0 "$NPUBENCH" validate --measurements "$NB_SRCDIR/data/calibration-measurements.csv" \
	--max-median 10 --max-error 35
contains "$T/out" "summary:"
contains "$T/out" "family  gemm"
contains "$T/out" "chip    h100-sxm"
contains "$T/out" "impl fa2"
contains "$T/out" "skipped: collectives are not modelled"
expect 0 "$NPUBENCH" validate --measurements calibration --format csv
contains "$T/out" "summary,all,all,"
python3 - "$T/out" <<'PY' && pass || fail "calibration errors out of target"
import csv, sys, statistics
rows = [r for r in csv.reader(open(sys.argv[1])) if r and r[0].isdigit() and r[4] != "0" and r[5] != "0"]
errs = [abs(float(r[7])) for r in rows]
assert len(errs) >= 10, errs
assert statistics.median(errs) <= 0.10 and max(errs) <= 0.35, errs
PY
# ...the published collective bus bandwidths, by the collective model; the
# H800 row is an H100 board with 8 NVLinks, and a file without the chip
# column is refused naming it.
expect 0 "$NPUBENCH" validate --measurements collectives --max-median 10 --max-error 10
contains "$T/out" "family  collective       rows   6"
contains "$T/out" "links_per_chip=8"
printf 'system,ranks,collective,metric,value,unit\nx,8,all-reduce,bus bandwidth,1,GB/s\n' >"$T/c.csv"
expect 1 "$NPUBENCH" validate --measurements "$T/c.csv" && contains "$T/err" "no column 'chip'"
# ...and the held-out published measurements (never used to set a
# parameter: data/holdout-measurements.md) within the same target.
expect 0 "$NPUBENCH" validate --measurements holdout --max-median 10 --max-error 35
contains "$T/out" "family  attention"
contains "$T/out" "family  spmm-2:4"
contains "$T/out" "timing=call"
expect 0 "$NPUBENCH" validate --measurements "$NB_SRCDIR/data/holdout-measurements.csv" --format csv
python3 - "$T/out" <<'PY' && pass || fail "held-out errors out of target"
import csv, sys, statistics
rows = [r for r in csv.reader(open(sys.argv[1])) if r and r[0].isdigit() and r[4] != "0" and r[5] != "0"]
errs = [abs(float(r[7])) for r in rows]
assert len(errs) >= 25, errs
assert statistics.median(errs) <= 0.10 and max(errs) <= 0.35, errs
PY
# A threshold the model misses fails; a bad file is named.
expect 1 "$NPUBENCH" validate --measurements calibration --max-error 1
contains "$T/err" "exceeds --max-error 1%"
printf 'chip,kernel\nh100,gemm\n' >"$T/bad.csv"
expect 1 "$NPUBENCH" validate --measurements "$T/bad.csv"
contains "$T/err" "no column 'dtype'"
expect 2 "$NPUBENCH" validate
contains "$T/err" "give one of --measurements"

# probe writes a strict, measured host profile; validate --host uses it.
# Tiny sizes: this checks the plumbing, not the numbers.
LOCK=""
command -v flock >/dev/null && LOCK="flock /tmp/npubench-bench.lock"
expect 1 "$NPUBENCH" validate --host last
contains "$T/err" "no 'host' profile"
contains "$T/err" "run 'npubench profile probe' first"
expect 0 $LOCK "$NPUBENCH" profile probe --threads 1 --size 64 --min-time 0.01
contains "$T/out" "npubench/profiles/host.json"
# The last-level cache's bandwidth: measured when the probe ran its
# in-cache triad (a cache large enough), above DRAM's, or the probe says why not.
python3 - "$XDG_CONFIG_HOME/npubench/profiles/host.json" "$T/err" <<'PY' && pass || fail "on_chip.llc_bandwidth_gbs"
import json, re, sys
d = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
f = d["on_chip"].get("llc_bandwidth_gbs")
ran = re.search(r"stream op=triad dtype=fp64 n=[1-9]", err)
if f:
    assert ran and f["kind"] == "measured" and f["value"] > d["memory"]["bandwidth_gbs"]["value"], f
else:
    assert not ran or "no on_chip.llc_bandwidth_gbs" in err, err
PY
expect 0 "$NPUBENCH" profile validate "$XDG_CONFIG_HOME/npubench/profiles/host.json"
python3 - "$XDG_CONFIG_HOME/npubench/profiles/host.json" <<'PY' && pass || fail "the probed profile lacks a measured figure"
import json, sys
d = json.load(open(sys.argv[1]))
for sect, key in [("memory", "read_bandwidth_gbs"), ("memory", "write_bandwidth_gbs"),
                  ("model", "csr_efficiency"), ("model", "csr_output_madds"),
                  ("model", "attention_efficiency"), ("model", "gemm_efficiency")]:
    f = d[sect][key]
    assert f["value"] >= 0 and f["kind"] in ("measured", "derived"), (key, f)
assert d["compute"]["tile_m"]["value"] == 1
PY
"$NPUBENCH" info --peaks --format json >"$T/peaks" 2>/dev/null
expect 0 "$NPUBENCH" profile show host
contains "$T/out" "measured"
# bf16: its own measured ceiling where the CPU has a bf16 dot product
# (AVX-512 BF16), emulated via fp32 otherwise.
if grep -Eq '"bf16_dot":[[:space:]]*null' "$T/peaks" 2>/dev/null || ! grep -q bf16_dot "$T/peaks" 2>/dev/null; then
	contains "$T/out" "emulation: bf16 via fp32"
else
	lacks "$T/out" "emulation: bf16 via fp32"
fi
expect 0 $LOCK "$NPUBENCH" run --target host --threads 1 --min-time 0.01 \
	--case "gemm dtype=fp32 m=64 n=64 k=64" --case "stream op=copy dtype=fp32 n=65536"
expect 0 "$NPUBENCH" validate --host last
contains "$T/out" "family  gemm"
contains "$T/out" "family  stream"
contains "$T/out" "chip    host"
expect 2 "$NPUBENCH" profile probe --size 3

# -o names the profile after its file (the loader reads only ID.json):
# -o mybox.json writes profile 'mybox'; outside the profile folders the
# probe names the command that uses it; the host profile that validate
# --host takes is the one probed last, whatever its id.
expect 2 "$NPUBENCH" profile probe -o "$T/mybox.txt"
contains "$T/err" "is named after its id, ID.json"
expect 2 "$NPUBENCH" profile probe -o "$T/my box.json"
contains "$T/err" "'my box' cannot be a profile id"
mkdir -p "$T/elsewhere"
expect 0 $LOCK "$NPUBENCH" profile probe --threads 1 --size 64 --min-time 0.01 -o "$T/elsewhere/mybox.json"
contains "$T/err" "outside the profile folders"
contains "$T/err" "'npubench validate --host last --profile $T/elsewhere/mybox.json'"
grep -q '"id":[[:space:]]*"mybox"' "$T/elsewhere/mybox.json" && pass || fail "-o mybox.json wrote another id"
expect 0 "$NPUBENCH" profile validate "$T/elsewhere/mybox.json"
expect 0 "$NPUBENCH" validate --host last
contains "$T/out" "chip    host"
expect 0 "$NPUBENCH" validate --host last --profile "$T/elsewhere/mybox.json"
contains "$T/out" "chip    mybox"
cp "$T/elsewhere/mybox.json" "$XDG_CONFIG_HOME/npubench/profiles/"
expect 0 "$NPUBENCH" validate --host last
contains "$T/out" "chip    mybox"
expect 0 "$NPUBENCH" validate --host last --profile host
contains "$T/out" "chip    host"
expect 1 "$NPUBENCH" validate --host last --profile nosuch
contains "$T/err" "--profile nosuch: no such profile"
finish
