# Workloads: a training step and a served batch predicted on chip clusters
# (train, infer), the model catalog, bad input, the workload validation.
. "$NB_SRCDIR/tests/cli/lib.sh"

TRAIN='train hidden=8192 heads=64 kv_heads=8 layers=80 seq=4096 vocab=128256 ffn=28672 gated=true tp=8 pp=4 dp=32 global_batch=1024 micro_batch=1 recompute=selective sp=true interleave=2 dtype=bf16'

# One row: the step time in t_median, MFU in mfu, tokens/s in throughput.
expect 0 "$NPUBENCH" run --target h100 --case "$TRAIN" --format csv
python3 - "$T/out" <<'PY' && pass || fail "train csv row"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 1, rows
r = rows[0]
assert r["kernel"] == "train" and r["status"] == "ok" and r["target"] == "h100-sxm", r
t, mfu, tput = float(r["t_median"]), float(r["mfu"]), float(r["throughput"])
assert t == float(r["seconds"]) and 0.5 < t < 60, t
assert 0.1 < mfu < 0.9, mfu
assert r["unit"] == "token/s" and abs(tput - 1024 * 4096 / t) < 1e-6 * tput, (tput, t)
PY

# Inference: output tokens/s over all chips, TTFT and TPOT in the breakdown.
expect 0 "$NPUBENCH" run --target h100 --case 'infer model=llama3-70b batch=32 input=2048 output=256 tp=8' --format csv
python3 - "$T/out" <<'PY' && pass || fail "infer csv row"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[0]
assert r["kernel"] == "infer" and r["status"] == "ok", r
t, tput = float(r["t_median"]), float(r["throughput"])
assert abs(tput - 32 * 256 / t) < 1e-6 * tput and float(r["mfu"]) > 0, r
PY
expect 0 "$NPUBENCH" show last --format json
python3 - "$T/out" <<'PY' && pass || fail "infer breakdown"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
m = r["model"]
assert m["ttft_s"] > 0 and m["tpot_s"] > 0 and m["ttft_s"] + 255 * m["tpot_s"] - r["seconds"] < 1e-9 * r["seconds"], m
assert m["memory_per_chip_bytes"]["kv_cache"] > 0 and m["collectives"]["tp"]["ranks"] == 8, m
assert abs(r["mfu"] - m["mfu"]) < 1e-12, r
PY

# Does not fit: GPT-3 175B, TP8 PP8, no recomputation, no sequence parallelism.
expect 0 "$NPUBENCH" run --target a100-sxm4-80gb --case 'train model=gpt3-175b tp=8 pp=8 dp=8 global_batch=512 recompute=none sp=false' --format csv
grep -q ',no_fit,"does not fit: needs' "$T/out" && pass || fail "175B without recompute: no_fit"

# Bad input names the parameter.
expect 2 "$NPUBENCH" run --target h100 --case 'train model=llama3-70b tp=3'
contains "$T/err" "tp=3 does not divide heads=64"
expect 2 "$NPUBENCH" run --target h100 --case 'train model=gpt-5'
contains "$T/err" "parameter model: 'gpt-5'"
expect 0 "$NPUBENCH" run --target host --case 'train model=llama3-8b' --format csv
grep -q "no host implementation" "$T/out" && pass || fail "train on the host says it is predicted only"

# The catalog.
expect 0 "$NPUBENCH" list models --format csv
python3 - "$T/out" <<'PY' && pass || fail "list models"
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert {"gpt3-175b", "llama3-70b", "llama3-405b", "mixtral-8x7b", "deepseek-v3"} <= set(rows), rows.keys()
assert abs(float(rows["gpt3-175b"]["params"]) - 175) < 2 and rows["llama3-70b"]["source"], rows["gpt3-175b"]
PY

# Compare chips on a workload: each chip its best layout, said which won.
expect 0 "$NPUBENCH" compare chips 910b a100 h100 tpu-v5e --workload 'train model=llama3-8b seq=4096 global_batch=256' --chips 64 --format csv
python3 - "$T/out" <<'PY' && pass || fail "compare chips --workload csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["chip"] for r in rows] == ["ascend-910b2", "a100-sxm4-80gb", "h100-sxm", "tpu-v5e"], rows
for r in rows:
    assert int(r["tried"]) >= int(r["fitting"]), r
    if r["fits"] == "yes":
        assert "tp=" in r["layout"] and 0 < float(r["mfu"]) < 1 and float(r["step_s"]) > 0, r
        tp, pp, dp = (int(x.split("=")[1]) for x in r["layout"].split()[:3])
        assert tp * pp * dp == 64, r
h100 = next(r for r in rows if r["chip"] == "h100-sxm")
a100 = next(r for r in rows if r["chip"] == "a100-sxm4-80gb")
assert float(h100["step_s"]) < float(a100["step_s"]), (h100, a100)
assert float(h100["energy_kj"]) > 0, h100
PY
expect 0 "$NPUBENCH" compare chips h100 --workload 'infer model=llama3-70b batch=32 input=1024 output=128' --chips 8
contains "$T/out" "layouts tried"
expect 2 "$NPUBENCH" compare chips h100 --workload 'gemm m=64'
contains "$T/err" "train or infer"

# Validation against the published rows: every row reported, a median and a p90.
expect 0 "$NPUBENCH" validate --measurements workloads
contains "$T/out" "median |error|"
contains "$T/out" "p90 |error|"
contains "$T/out" "skipped: no RTX 4090 profile"

finish
