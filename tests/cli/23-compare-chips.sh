# npubench compare chips: spec sheets from frozen copies of four profiles
# (tests/fixtures/chips) and kernel results from the fixed runs, against
# golden files; the ratios people quote can be read off.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db
P="$NB_SRCDIR/tests/fixtures/chips"

# The verdict's model-trust sentence follows the shipped measurements and the
# model (31-report.sh recomputes it): the golden files hold the rest.
untrusted() { grep -v 'Model trust: ' "$T/out" >"$T/out.g"; }
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips && untrusted && golden compare-chips.txt "$T/out.g"
contains "$T/out" "ascend-910b2 (baseline)"
contains "$T/out" "with 2:4 sparsity"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips host h100 910b --baseline 910b --sources --format markdown && untrusted &&
	golden compare-chips.md "$T/out.g"
contains "$T/out" "### Sources"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips --format csv && golden compare-chips.csv "$T/out"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 910b tpu-v5e --baseline 910b --format json && golden compare-chips.json "$T/out"
python3 - "$T/out" <<'PY' && pass || fail "compare chips json: ratios"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "npubench-compare-chips" and d["baseline"] == "ascend-910b2"
specs = {s["figure"]: s["values"] for s in d["specs"]}
# Dense FP16: H100 SXM 989.4 over 910B 376 TFLOP/s.
h = specs["dense fp16"]["h100-sxm"]
assert h["value"] == 989.4 and abs(h["ratio"] - 989.4 / 376) < 1e-12, h
# TPU v5e's BF16 peak; the sparse row is kept apart from the dense one.
assert specs["dense bf16"]["tpu-v5e"]["value"] == 197
assert specs["fp16 with 2:4 sparsity"]["h100-sxm"]["value"] > 1.9 * h["value"]
k = {r["case"]: r["results"] for r in d["kernels"]}
t = k["stream op=triad dtype=fp64 n=1048576"]
assert t["h100-sxm"]["bound"] == "memory" and t["h100-sxm"]["kind"] == "predicted"
assert t["tpu-v5e"]["status"] == "no result" and t["tpu-v5e"]["throughput"] is None
# The 910B's HF32 cube rate stands beside TF32, never as FP32.
assert specs["dense tf32/hf32"]["ascend-910b2"]["value"] == 99.5
assert abs(specs["dense tf32/hf32"]["h100-sxm"]["ratio"] - 494.7 / 99.5) < 1e-12
assert specs["dense fp32"]["ascend-910b2"]["value"] is None
PY
# The frozen chips keep the shipped profiles' conventions: the same dtypes
# of peaks, the same emulations (the figures themselves may be older).
python3 - "$P" "$NB_SRCDIR/profiles" <<'PY' && pass || fail "fixture chips follow the shipped conventions"
import json, os, sys
for name in sorted(os.listdir(sys.argv[1])):
    fix = json.load(open(os.path.join(sys.argv[1], name)))
    ship = json.load(open(os.path.join(sys.argv[2], name)))
    assert sorted(fix["peak_dense_tflops"]) == sorted(ship["peak_dense_tflops"]), name
    assert fix.get("emulation", {}).keys() == ship.get("emulation", {}).keys(), name
    for dt, e in ship.get("emulation", {}).items():
        assert fix["emulation"][dt]["via"] == e["via"], (name, dt)
PY
python3 -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], newline=""))); assert {r["section"] for r in rows} == {"spec","kernel"}' "$NB_SRCDIR/tests/golden/compare-chips.csv" && pass || fail "compare chips csv"

# Kernel results from a given run, filtered; "no result" is said, never blank.
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips host h100 --run 1 --kernel 'stream op=copy*'
contains "$T/out" "3.226 TB/s (387x) memory"
lacks "$T/out" "triad"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 tpu-v5e --kernel '*triad*'
contains "$T/out" "no result"

# A collective a chip has only at another rank count: the table says which,
# and so do the exports, with no ratio across rank counts (the shipped
# profiles: the frozen ones have no interconnect).
CDB="$T/coll.db"
SP="$NB_SRCDIR/profiles"
expect 0 "$NPUBENCH" --db "$CDB" --profiles "$SP" run --target h100 --quiet \
	--case 'collective op=allreduce bytes=1048576 ranks=4'
expect 0 "$NPUBENCH" --db "$CDB" --profiles "$SP" run --target h100,a100 --quiet \
	--case 'collective op=allreduce bytes=1048576 ranks=8'
expect 0 "$NPUBENCH" --db "$CDB" --profiles "$SP" compare chips h100 a100
grep -E '^collective op=allreduce .* ranks=4 ' "$T/out" >"$T/r4"
contains "$T/r4" "predicted at ranks=8"
expect 0 "$NPUBENCH" --db "$CDB" --profiles "$SP" compare chips h100 a100 --format json
python3 - "$T/out" <<'PY' && pass || fail "compare chips json: a collective at another rank count"
import json, sys
k = {r["case"]: r["results"] for r in json.load(open(sys.argv[1]))["kernels"]}
r4 = k["collective op=allreduce dtype=fp32 bytes=1048576 ranks=4 algo=auto"]
r8 = k["collective op=allreduce dtype=fp32 bytes=1048576 ranks=8 algo=auto"]
assert r4["h100-sxm"]["ranks"] == 4 and "note" not in r4["h100-sxm"], r4
a = r4["a100-sxm4-80gb"]
assert a["ranks"] == 4 and a["other_ranks"] == 8 and a["ratio"] is None, a
assert a["note"].startswith("predicted at ranks=8 only"), a
assert r8["a100-sxm4-80gb"]["ranks"] == 8 and r8["a100-sxm4-80gb"]["ratio"] > 0, r8
PY
expect 0 "$NPUBENCH" --db "$CDB" --profiles "$SP" compare chips h100 a100 --format csv
python3 - "$T/out" <<'PY' && pass || fail "compare chips csv: a collective at another rank count"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["section"] == "kernel"]
a = [r for r in rows if "ranks=4" in r["item"] and r["chip"] == "a100-sxm4-80gb"][0]
assert a["ranks"] == "4" and a["other_ranks"] == "8" and a["ratio"] == "", a
assert a["note"].startswith("predicted at ranks=8 only"), a
h = [r for r in rows if "ranks=8" in r["item"] and r["chip"] == "h100-sxm"][0]
assert h["ranks"] == "8" and h["other_ranks"] == "" and h["note"] == "", h
PY
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 frob && contains "$T/err" "unknown target 'frob'"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 a100 --baseline tpu-v5e && contains "$T/err" "not one of the chips"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 h100-sxm && contains "$T/err" "named twice"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips --format pdf
finish
