# npubench compare chips: spec sheets from frozen copies of four profiles
# (tests/fixtures/chips) and kernel results from the fixed runs, against
# golden files; the ratios people quote can be read off.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db
P="$NB_SRCDIR/tests/fixtures/chips"
# The verdict's model-trust figures come from the shipped validation data and
# change with every model fit (31-report.sh recomputes them); the goldens keep
# the sentence, not its numbers.
trust_masked() {
	sed -E '/Model trust:/ { s/[0-9]+(\.[0-9]+)?%/N%/g; s/on (its )?[0-9]+ /on \1N /g; }' "$1" >"$1.masked" && mv "$1.masked" "$1"
}

expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips && trust_masked "$T/out" && golden compare-chips.txt "$T/out"
contains "$T/out" "ascend-910b2 (baseline)"
contains "$T/out" "with 2:4 sparsity"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips host h100 910b --baseline 910b --sources --format markdown && trust_masked "$T/out" && golden compare-chips.md "$T/out"
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
PY
python3 -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], newline=""))); assert {r["section"] for r in rows} == {"spec","kernel"}' "$NB_SRCDIR/tests/golden/compare-chips.csv" && pass || fail "compare chips csv"

# Kernel results from a given run, filtered; "no result" is said, never blank.
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips host h100 --run 1 --kernel 'stream op=copy*'
contains "$T/out" "3.226 TB/s (387x) memory"
lacks "$T/out" "triad"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 tpu-v5e --kernel '*triad*'
contains "$T/out" "no result"

expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 frob && contains "$T/err" "unknown target 'frob'"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 a100 --baseline tpu-v5e && contains "$T/err" "not one of the chips"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 h100-sxm && contains "$T/err" "named twice"
expect 2 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips --format pdf
finish
