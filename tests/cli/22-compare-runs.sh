# npubench compare runs: statistics on the fixed runs (golden files), a run
# against itself, gating on regressions, and warnings about conditions.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db

expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 && golden compare-runs.txt "$T/out"
lacks "$T/err" "warning"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --format csv && golden compare-runs.csv "$T/out"
python3 -c '
import csv,sys
rows = {(r["case"], r["target"]): r for r in csv.DictReader(open(sys.argv[1], newline=""))}
t = rows[("stream op=triad dtype=fp64 n=1048576", "host")]
assert t["verdict"] == "slower" and float(t["p_adjusted"]) < 0.05, t
assert float(t["ratio_ci_lo"]) <= float(t["ratio"]) <= float(t["ratio_ci_hi"])
assert rows[("stream op=copy dtype=fp64 n=1048576", "host")]["verdict"] == "same"
assert rows[("stream op=scale dtype=fp64 n=1048576", "host")]["verdict"] == "uncertain"
' "$T/out" && pass || fail "compare runs csv"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --format json && golden compare-runs.json "$T/out"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --format markdown && golden compare-runs.md "$T/out"

# A run against itself: every measured case is "same"; every predicted one
# is "predicted" (nothing was measured, so no statistical verdict), unchanged.
for r in 1 2; do
	expect 0 "$NPUBENCH" --db "$DB" compare runs $r $r --format csv
	python3 -c '
import csv,sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["ratio"]]
m = [r["verdict"] for r in rows if r["target"] == "host"]
p = [(r["verdict"], r["note"]) for r in rows if r["target"] != "host"]
assert m and all(x == "same" for x in m), m
assert p and all(v == "predicted" and "unchanged" in n for v, n in p), p' "$T/out" && pass || fail "run $r against itself: measured not all same, or predicted not 'predicted'"
done
# A long target name keeps the columns aligned: every row's A column ends
# where the header's does.
"$NPUBENCH" --db "$DB" compare runs 1 2 >"$T/out"
python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")
hdr = next(l for l in lines if l.startswith("case "))
end = hdr.index(" A ") + 2
rows = [l for l in lines[lines.index(hdr) + 1:] if l.strip() and not l[0].isdigit()]
assert rows and all(l[end - 1] != " " and l[end] == " " for l in rows), [l[:end + 1] for l in rows]' "$T/out" && pass || fail "compare runs columns not aligned"

# Gating: triad is 20% slower.
expect 1 "$NPUBENCH" --db "$DB" compare runs 1 2 --fail-on-regression 10 && contains "$T/err" "1 case(s) significantly slower by more than 10%"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --fail-on-regression 25
expect 0 "$NPUBENCH" --db "$DB" compare runs 2 1 --fail-on-regression 10 && contains "$T/out" "faster"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --threshold 25 --kernel 'stream op=triad*' --target host
contains "$T/out" "1 case(s): 1 same"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --correction none --format csv
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 2 --correction bh --format csv

# Another host, build and thread count: warnings name them.
"$NPUBENCH" --db "$DB" export --run 1 --format json --samples >"$T/a.json"
python3 - "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["run"]["uuid"] = "cccccccc-0000-4000-8000-000000000003"
d["run"]["hostname"] = "bench-b"
d["run"]["tool_version"] = "0.2.0"
for r in d["results"]:
    if r["kind"] == "measured":
        r["threads"] = 16
json.dump(d, open(sys.argv[1], "w"))
PY
expect 0 "$NPUBENCH" --db "$DB" import "$T/a.json"
expect 0 "$NPUBENCH" --db "$DB" compare runs 1 3
contains "$T/err" "different hosts (A: bench-a"
contains "$T/err" "different builds"
contains "$T/err" "thread counts differ (A: 8, B: 16"

# A real run against itself.
expect 0 "$NPUBENCH" --db "$T/real.db" run --case 'stream op=copy n=4096' --case 'stream op=scale n=4096' --target host --threads 1 --min-time 0.01 --min-reps 5 -q
expect 0 "$NPUBENCH" --db "$T/real.db" compare runs last last
contains "$T/out" "2 case(s): 2 same."

expect 2 "$NPUBENCH" --db "$DB" compare runs 1 && contains "$T/err" "needs two runs"
expect 2 "$NPUBENCH" --db "$DB" compare runs 1 2 --threshold x
expect 2 "$NPUBENCH" --db "$DB" compare runs 1 2 --correction bonferroni
expect 2 "$NPUBENCH" --db "$DB" compare && contains "$T/err" "'chips' or 'runs'"
expect 1 "$NPUBENCH" --db "$DB" compare runs 1 77 && contains "$T/err" "no run '77'"
finish
