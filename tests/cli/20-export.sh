# npubench export: every format against golden files made from the fixed
# runs of tests/fixtures/runs.json, read back with real parsers.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db

# CSV: golden, and Python's csv module reads it with the documented columns.
expect 0 "$NPUBENCH" --db "$DB" export --all --format csv && golden export-all.csv "$T/out"
python3 - "$T/out" <<'PY' && pass || fail "export csv does not read back"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 16, len(rows)
fixed = ["run_id", "run_uuid", "seq", "kernel", "case", "params_json", "dtype", "target", "kind",
         "status", "message", "threads", "impl", "n_samples", "seconds", "t_min", "t_median",
         "t_mean", "t_sd", "t_mad", "t_p5", "t_p95", "t_ci_lo", "t_ci_hi", "ops", "bytes",
         "actual_ops", "unit", "throughput", "verify_err", "verify_tol", "bound", "util", "flags",
         "t_max", "outliers", "verify_what", "created_at", "run_started_at", "hostname", "tag",
         "bytes_wa", "mfu"]
header = next(csv.reader(open(sys.argv[1], newline="")))
assert header[:len(fixed)] == fixed, header
assert header[len(fixed):] == ["param_op", "param_dtype", "param_n"], header[len(fixed):]
r = rows[6]
assert r["status"] == "verify_failed" and r["message"].endswith('("c")'), r["message"]
assert float(r["seconds"]) == 0.0031, r["seconds"]
assert rows[0]["param_op"] == "copy" and rows[0]["param_n"] == "1048576"
assert rows[15]["tag"] == "candidate, with comma"
assert rows[5]["seconds"] == "" and rows[5]["status"] == "unsupported"
PY
expect 0 "$NPUBENCH" --db "$DB" export --run 1 --format csv --samples --target host --kernel stream
python3 - "$T/out" <<'PY' && pass || fail "export csv --samples"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["target"] for r in rows] == ["host"] * 4, rows
s = [float(v) for v in rows[0]["samples"].split(";")]
assert s[:3] == [0.00201, 0.00203, 0.00199], s
PY

# JSON: golden, json module and jq.
expect 0 "$NPUBENCH" --db "$DB" export --run 2 --format json --samples && golden export-run2.json "$T/out"
cp "$T/out" "$T/run2.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="npubench-run" and len(d["results"])==9' "$T/out" && pass || fail "export json does not parse"
if command -v jq >/dev/null 2>&1; then
	n=$(jq '[.results[] | select(.kind == "measured")] | length' "$T/out")
	[ "$n" = 4 ] && pass || fail "jq counts $n measured results, expected 4"
fi
expect 0 "$NPUBENCH" --db "$DB" export --all --format json --target chips
python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["schema"]=="npubench-runs" and len(d["runs"])==2
assert all(r["kind"]=="predicted" for run in d["runs"] for r in run["results"])
assert "samples" not in d["runs"][0]["results"][0]' "$T/out" && pass || fail "export --all json"

# Chip aliases select the results stored under the profile id.
expect 0 "$NPUBENCH" --db "$DB" --profiles "$NB_SRCDIR/tests/fixtures/chips" export --run 1 --format csv --target h100,910b
python3 -c 'import csv,sys; t=[r["target"] for r in csv.DictReader(open(sys.argv[1], newline=""))]; assert t == ["h100-sxm", "ascend-910b2"], t' "$T/out" && pass || fail "export --target with aliases"

# Markdown: golden.
expect 0 "$NPUBENCH" --db "$DB" export --all --format markdown && golden export-all.md "$T/out"

# -o writes the file whole, leaves no temporary file, and prints nothing.
mkdir -p "$T/o"
expect 0 "$NPUBENCH" --db "$DB" export --run 2 --format json --samples -o "$T/o/run.json"
lines "$T/out" 0
cmp -s "$T/o/run.json" "$T/run2.json" && pass || fail "-o file differs from standard output"
[ "$(ls "$T/o")" = run.json ] && pass || fail "-o left other files: $(ls "$T/o")"
expect 1 "$NPUBENCH" --db "$DB" export --format csv -o "$T/nonexistent/dir/x.csv"

# Round trip: export -> import into a fresh database -> export is identical.
for fmt in json csv; do
	rm -f "$T/rt.db"*
	"$NPUBENCH" --db "$DB" export --all --format $fmt --samples >"$T/rt1.$fmt"
	"$NPUBENCH" --db "$DB" export --all --format json --samples >"$T/rt.json"
	expect 0 "$NPUBENCH" --db "$T/rt.db" import "$T/rt.json"
	"$NPUBENCH" --db "$T/rt.db" export --all --format $fmt --samples >"$T/rt2.$fmt"
	cmp -s "$T/rt1.$fmt" "$T/rt2.$fmt" && pass || { fail "$fmt round trip differs"; diff "$T/rt1.$fmt" "$T/rt2.$fmt" | head -5 >&2; }
done
# ...and the runs of a fresh database, host and chips: every figure, flag
# and profile snapshot survives, in both formats.
rm -f "$T/fresh.db"*
"$NPUBENCH" --db "$T/fresh.db" run --target host,h100,910b,a100 --threads 1 --min-time 0.01 \
	--case 'stream op=copy n=4096' --case 'gemm dtype=bf16 m=64 n=64 k=64' >/dev/null 2>&1
"$NPUBENCH" --db "$T/fresh.db" run --target h100,tpu-v5e --case 'gemm dtype=fp16 m=64 n=64 k=64' \
	--case 'gemm dtype=int8 m=64 n=64 k=64' >/dev/null 2>&1
for fmt in json csv; do
	rm -f "$T/rt.db"*
	"$NPUBENCH" --db "$T/fresh.db" export --all --format $fmt --samples >"$T/fr1.$fmt"
	"$NPUBENCH" --db "$T/fresh.db" export --all --format json --samples >"$T/fr.json"
	expect 0 "$NPUBENCH" --db "$T/rt.db" import "$T/fr.json"
	"$NPUBENCH" --db "$T/rt.db" export --all --format $fmt --samples >"$T/fr2.$fmt"
	cmp -s "$T/fr1.$fmt" "$T/fr2.$fmt" && pass || { fail "fresh $fmt round trip differs"; diff "$T/fr1.$fmt" "$T/fr2.$fmt" | head -5 >&2; }
done
# One snapshot per profile per run, each result referring to its own.
python3 - "$T/fr1.json" <<'PY' && pass || fail "profile snapshots are not one per profile per run"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 2 and len(d["runs"]) == 2
for run, want in zip(d["runs"], [{"h100-sxm", "ascend-910b2", "a100-sxm4-80gb"}, {"h100-sxm", "tpu-v5e"}]):
    assert set(run["profiles"]) == want, (set(run["profiles"]), want)
    for r in run["results"]:
        if r["kind"] == "predicted":
            assert r["profile"] == r["target"] and run["profiles"][r["profile"]]["id"] == r["target"], r
        else:
            assert r["profile"] is None, r
PY

# ...also without samples: the statistics and their sample count survive.
"$NPUBENCH" --db "$DB" export --run 1 --format json >"$T/ns.json"
rm -f "$T/rt.db"*
expect 0 "$NPUBENCH" --db "$T/rt.db" import "$T/ns.json"
"$NPUBENCH" --db "$T/rt.db" export --format json >"$T/ns2.json"
cmp -s "$T/ns.json" "$T/ns2.json" && pass || fail "round trip without samples differs"

# Usage errors and failures.
expect 2 "$NPUBENCH" --db "$DB" export && contains "$T/err" "--format"
expect 2 "$NPUBENCH" --db "$DB" export --format xml && contains "$T/err" "'xml'"
expect 2 "$NPUBENCH" --db "$DB" export --all --run 1 --format csv
expect 2 "$NPUBENCH" --db "$DB" export --format markdown --samples
expect 1 "$NPUBENCH" --db "$DB" export --run 99 --format csv && contains "$T/err" "no run '99'"
expect 0 "$NPUBENCH" --db "$DB" export --format csv --kernel gemm && contains "$T/err" "no result matches"
lines "$T/out" 1
finish
