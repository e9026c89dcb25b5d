# The GPU target without a GPU: the spelling of cuda:N, every reason a GPU
# cannot be used (built without CUDA, plugin missing or of another ABI, no
# driver, no device, index out of range), and through a stand-in plugin
# (tests/fake-cuda-plugin.c, every launch 1 ms) the path from a case to a
# stored result.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/c.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
FAKE="$NB_BUILDDIR/tests/fake-cuda-plugin.so"
unset NPUBENCH_CUDA_PLUGIN NB_FAKE_CUDA NPUBENCH_CUDA_L2_FLUSH
gemm="gemm dtype=bf16 m=128 n=128 k=128"

# Spelling: owned by the cuda kind, refused as a usage error with the right form.
expect 2 nb run --case "$gemm" --target cuda:x
contains "$T/err" "spelled cuda:N"
expect 2 nb run --case "$gemm" --target cuda:
contains "$T/err" "spelled cuda:N"

# This build, as it is: info and run give the same reason.
expect 0 nb info
gpus=$(grep '^gpus:' "$T/out")
case "$gpus" in
*"none usable"*)
	why=${gpus#*none usable: }
	expect 1 nb run --case "$gemm" --target cuda:0
	contains "$T/err" "cuda:0: not available: $why"
	lacks "$T/out" "bf16"
	if grep -q NB_HAVE_CUDA "$NB_BUILDDIR/config.h" && ! grep -q '^/\* #undef NB_HAVE_CUDA' "$NB_BUILDDIR/config.h"; then
		# Built with CUDA: the plugin was found, so the reason is the driver or the GPU.
		case "$why" in "no NVIDIA driver"*|"no NVIDIA GPU"*|"the NVIDIA driver"*) pass ;; *) fail "unexpected reason: $why" ;; esac
	else
		case "$why" in *"built without CUDA support"*) pass ;; *) fail "unexpected reason: $why" ;; esac
	fi ;;
*) pass ;;	# a usable GPU: 41-cuda-gpu.sh measures it
esac

# info --format json says the same: the GPUs, or why there are none.
expect 0 nb info --format json
python3 - "$T/out" "$gpus" <<'PY' && pass || fail "info --format json: gpus disagree with the text"
import json, sys
g = json.load(open(sys.argv[1]))["gpus"]
text = sys.argv[2]
if "none usable" in text:
    assert g["available"] is False and g["devices"] == [] and g["plugin"] is None, g
    assert text.endswith(g["reason"]), (text, g["reason"])
else:
    assert g["available"] is True and g["reason"] is None and len(g["devices"]) >= 1, g
PY

# profile probe --target cuda:N: the same reasons, nothing written.
case "$gpus" in
*"none usable"*)
	expect 1 nb profile probe --target cuda:0
	contains "$T/err" "probe: cuda:0: not available: $why"
	[ ! -e "$XDG_CONFIG_HOME/npubench/profiles/cuda0.json" ] && pass || fail "a profile was written without a GPU" ;;
esac
expect 2 nb profile probe --target gpu0
contains "$T/err" "--target 'gpu0': probe measures 'host' or a GPU, cuda:N"
expect 2 nb profile probe --target cuda:x

# A plugin file that is missing, or not a plugin.
NPUBENCH_CUDA_PLUGIN="$T/nowhere.so" expect 1 nb run --case "$gemm" --target cuda:0
contains "$T/err" "cannot load the CUDA plugin '$T/nowhere.so'"
NPUBENCH_CUDA_PLUGIN="$T/nowhere.so" expect 0 nb info
contains "$T/out" "gpus:       none usable: cannot load the CUDA plugin"
libm=$(ldd "$NPUBENCH" 2>/dev/null | sed -n 's/.*libm\.so\.6 => \([^ ]*\).*/\1/p')
if [ -n "$libm" ]; then
	NPUBENCH_CUDA_PLUGIN="$libm" expect 1 nb run --case "$gemm" --target cuda:0
	contains "$T/err" "is not an npubench CUDA plugin (no symbol npubench_cuda_plugin)"
fi

# The stand-in plugin: each failure the loader must name.
export NPUBENCH_CUDA_PLUGIN="$FAKE"
NB_FAKE_CUDA=abi expect 1 nb run --case "$gemm" --target cuda:0
contains "$T/err" "speaks plugin ABI 999 but this npubench needs"
NB_FAKE_CUDA=nodriver expect 1 nb run --case "$gemm" --target cuda:0
contains "$T/err" "cuda:0: not available: no NVIDIA driver: libcuda.so.1"
NB_FAKE_CUDA=nodevice expect 1 nb run --case "$gemm" --target cuda:0
contains "$T/err" "cuda:0: not available: no NVIDIA GPU"
NB_FAKE_CUDA=nodriver expect 1 nb profile probe --target cuda:0
contains "$T/err" "probe: cuda:0: not available: no NVIDIA driver: libcuda.so.1"
NB_FAKE_CUDA=nodevice expect 1 nb profile probe --target cuda:0
contains "$T/err" "probe: cuda:0: not available: no NVIDIA GPU"
expect 1 nb profile probe --target cuda:2
contains "$T/err" "probe: cuda:2: not available: no such GPU (this machine has 2, cuda:0 to cuda:1)"
NB_FAKE_CUDA=verifyfail expect 1 nb profile probe --target cuda:1 --size 256 --min-time 0.01 -o "$T/gp/cuda1.json"
contains "$T/err" "probe: cuda:1: gemm dtype=fp32 m=256 n=256 k=256: verification failed"
[ ! -e "$T/gp/cuda1.json" ] && pass || fail "a profile was written from failed measurements"
# Through the stand-in: a profile the strict loader takes, every figure
# measured, read from the device or an estimate, usable as a chip target.
expect 0 nb profile probe --target cuda:1 --size 256 --min-time 0.01 -o "$T/gp/cuda1.json"
contains "$T/out" "$T/gp/cuda1.json"
expect 0 nb profile validate "$T/gp/cuda1.json"
python3 - "$T/gp/cuda1.json" <<'PY' && pass || fail "the GPU profile's figures"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == "cuda1" and d["vendor"] == "NVIDIA" and "Fake GPU 1" in d["name"], d["name"]
assert set(d["peak_dense_tflops"]) == {"fp32", "fp16", "bf16", "int8"}, d["peak_dense_tflops"]
assert all(f["kind"] == "measured" and f["source"] == "PROBE" for f in d["peak_dense_tflops"].values())
assert d["compute"]["units"]["value"] == 132 and d["compute"]["units"]["source"] == "DEV"
assert d["memory"]["bandwidth_gbs"]["kind"] == "measured"
assert abs(d["memory"]["capacity_gib"]["value"] - 150) < 1e-9
PY
expect 0 "$NPUBENCH" --db "$T/gp.db" --profiles "$T/gp" run --target cuda1 --case "$gemm"
contains "$T/out" "predicted"
NB_FAKE_CUDA=nodriver expect 0 nb info --format json
python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gpus"]; assert not g["available"] and g["reason"].startswith("no NVIDIA driver: libcuda.so.1"), g' "$T/out" \
	&& pass || fail "info --format json without a driver"
expect 0 nb info --format json
python3 - "$T/out" <<'PY' && pass || fail "info --format json with two GPUs"
import json, sys
g = json.load(open(sys.argv[1]))["gpus"]
assert g["available"] and g["reason"] is None and g["plugin"], g
d = g["devices"]
assert [x["target"] for x in d] == ["cuda:0", "cuda:1"], d
for x in d:
    for k in ("name", "compute_capability", "sms", "sm_clock_mhz", "mem_clock_mhz", "memory_bytes",
              "l2_bytes", "pci_bus_id", "driver_version", "runtime_version"):
        assert k in x, (k, x)
assert d[0]["sms"] > 0 and d[0]["memory_bytes"] > 0
PY
expect 1 nb run --case "$gemm" --target cuda:2
contains "$T/err" "cuda:2: not available: no such GPU (this machine has 2, cuda:0 to cuda:1)"
NB_FAKE_CUDA=onegpu expect 1 nb run --case "$gemm" --target cuda:7
contains "$T/err" "cuda:7: not available: no such GPU (this machine has one, cuda:0)"
# Nothing was stored: not even the database was created.
expect 1 nb list runs
contains "$T/err" "no database at '$DB'"
[ ! -e "$DB" ] && pass || fail "the refused run created '$DB'"

# Two fake GPUs: listed, described, run.
expect 0 nb info
contains "$T/out" "gpus:       2 (plugin: fake plugin for tests)"
contains "$T/out" "cuda:1    Fake GPU 1 (sm_90), 132 SMs, SM clock 1980 MHz, memory 150.0 GiB"
contains "$T/out" "driver 13.0, runtime 13.0"
expect 0 nb list targets
contains "$T/out" "cuda:0           Fake GPU 0"
contains "$T/out" "cuda:1           Fake GPU 1"
expect 0 nb run --format csv --min-reps 3 --target cuda:1 --min-time 0.01 \
	--case "$gemm" --case 'stream op=copy dtype=fp32' --case 'spmm pattern=2:4 m=64 n=64 k=64'
python3 - "$T/out" <<'PY' && pass || fail "fake GPU results"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline='')) if r['target'] == 'cuda:1']
assert len(rows) == 3, rows
g, s, sp = rows
# 1 ms per launch: the throughput is the declared work over 1 ms.
assert g['status'] == 'ok' and g['kind'] == 'measured', g
assert abs(float(g['throughput']) - 2 * 128**3 / 1e-3) < 1e-6 * 2 * 128**3 / 1e-3, g
assert g['impl'].startswith('fake family=0'), g
assert 'sm_mhz=1980' in g['flags'] and 'batched=4' in g['flags'], g
# n=0 is sized from the GPU's L2 (60 MiB): four times, fp32.
assert 'n=%d' % (4 * 60 * 2**20 // 4) in s['case'], s
assert 'vs_memcpy=0.500' in s['flags'], s
assert sp['status'] == 'unsupported' and 'cuSPARSELt' in sp['message'], sp
PY
# The model checked against them: measured (1 ms a launch) vs h200-sxm.
expect 0 nb validate --run last --target cuda:1 --profile h200-sxm --format csv
grep -c "^[0-9].*,h200-sxm," "$T/out" | grep -qx 2 && pass || fail "validate: expected two rows"
contains "$T/out" ",h200-sxm,gemm,4.1943e+09,"
expect 2 nb validate --run last --target cuda:1
contains "$T/err" "name the profile to check with --profile"
expect 1 nb validate --run last --target cuda:1 --profile no-such-chip
contains "$T/err" "--profile no-such-chip: no such profile"

NB_FAKE_CUDA=verifyfail expect 1 nb run --format csv --target cuda:0 --min-time 0.01 --case "$gemm"
contains "$T/out" "verify_failed"

# NVML missing: each result says why its clocks are not recorded (flag and
# message, stored and shown), and so does info.
NB_FAKE_CUDA=nonvml expect 0 nb info
contains "$T/out" "clocks not recorded with results: NVML not available: libnvidia-ml.so.1"
expect 0 nb info
contains "$T/out" "now: SM 1980 MHz, memory 3201 MHz, 500 W, 50 C (NVML)"
NB_FAKE_CUDA=nonvml expect 0 nb run --format csv --min-reps 3 --target cuda:0 --min-time 0.01 --case "$gemm"
python3 - "$T/out" <<'PY' && pass || fail "a result without NVML says why"
import csv, sys
r = [r for r in csv.DictReader(open(sys.argv[1], newline='')) if r['target'] == 'cuda:0'][0]
assert r['status'] == 'ok', r
assert 'no_clocks' in r['flags'] and 'sm_mhz' not in r['flags'], r['flags']
assert r['message'].startswith('clocks not recorded: NVML not available: libnvidia-ml.so.1'), r['message']
PY
expect 0 nb show
contains "$T/out" "no_clocks; clocks not recorded: NVML not available: libnvidia-ml.so.1"
expect 0 nb show --format csv
contains "$T/out" "clocks not recorded: NVML not available"

# The L2 flush: done (and flagged) for a case that fits twice in the L2,
# not for a stream sized past it; the run records the option.
NPUBENCH_CUDA_L2_FLUSH=1 expect 0 nb run --format csv --min-reps 3 --target cuda:0 --min-time 0.01 \
	--case "$gemm" --case 'stream op=copy dtype=fp32'
python3 - "$T/out" <<'PY' && pass || fail "l2 flush flags"
import csv, sys
g, s = [r for r in csv.DictReader(open(sys.argv[1], newline='')) if r['target'] == 'cuda:0']
assert 'l2_flushed' in g['flags'], g['flags']
assert 'l2_flushed' not in s['flags'], s['flags']
PY
expect 0 nb show --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); o=d["run"]["options"]; assert o["cuda_l2_flush"] is True, o' "$T/out" \
	&& pass || fail "the run records the L2 flush option"

# Stored results select by the word, with no plugin loaded.
unset NPUBENCH_CUDA_PLUGIN
expect 0 nb export --all --target cuda:1 --format csv
n=$(grep -c ',cuda:1,measured,' "$T/out")
[ "$n" -eq 3 ] && pass || fail "export --target cuda:1 has $n results, expected 3"

# validate --target cuda:N --profile P alone: the gpu suite run on it
# first, stored as a run of its own, then checked row by row; a GPU that
# cannot be used stores nothing.
export NPUBENCH_CUDA_PLUGIN="$FAKE"
v() { "$NPUBENCH" --db "$T/v.db" "$@"; }
expect 0 v validate --target cuda:1 --profile h200-sxm --format csv
grep -c "^[0-9].*,h200-sxm," "$T/out" | grep -qx 20 && pass || fail "validate: expected the gpu suite's 20 rows"
contains "$T/out" "summary,all,all,20,"
expect 0 v export --last --format csv
grep -c ',cuda:1,measured,ok,' "$T/out" | grep -qx 20 && pass || fail "the validate run's results are not stored"
NB_FAKE_CUDA=nodriver expect 1 v validate --target cuda:0 --profile h200-sxm
contains "$T/err" "cuda:0: not available: no NVIDIA driver"
expect 0 v list runs
[ "$(grep -c ' validate' "$T/out")" -eq 1 ] && pass || fail "a run was stored without a GPU"
expect 1 v validate --target cuda:7 --profile h200-sxm
contains "$T/err" "no such GPU (this machine has 2, cuda:0 to cuda:1)"
expect 2 v validate --target cuda:1
contains "$T/err" "name the profile to check with --profile"
expect 2 v validate --run last --target cuda:1 --profile h200-sxm --suite gpu
contains "$T/err" "--suite goes with --target and --profile alone"
unset NPUBENCH_CUDA_PLUGIN
finish
