# A target kind that only the tests link (tests/target-fixed.c, one file
# and one registration line): the real program with that file reads its
# spelling in every command, runs cases on it, stores, lists, exports,
# compares and plots its results, without a change to any command.
. "$NB_SRCDIR/tests/cli/lib.sh"
FIXED="$NB_BUILDDIR/tests/npubench-fixed"
DB="$T/f.db"
P="$NB_SRCDIR/tests/fixtures/chips"
nb() { "$FIXED" --db "$DB" --profiles "$P" "$@"; }

# The shipped program does not know the spelling.
expect 2 "$NPUBENCH" --db "$DB" run --case 'stream n=4096' --target fixed:250 &&
	contains "$T/err" "unknown target 'fixed:250'"

expect 0 nb list targets --format csv
python3 - "$T/out" <<'PY' && pass || fail "list targets lists the kind"
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
assert rows["fixed:1000"]["kind"] == "fixed" and rows["fixed:1000"]["result"] == "predicted"
assert rows["fixed:1000"]["default"] == "false" and rows["host"]["default"] == "true"
PY
# Its own spelling, beside a chip; not taken in by default, chips or all.
expect 0 nb run --case 'stream op=copy n=4096' --case 'gemm m=64 n=64 k=64' --target fixed:250,h100 --quiet
expect 0 nb export --last --format csv --target 'fixed:*'
python3 - "$T/out" <<'PY' && pass || fail "fixed: stored and exported"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert {r["target"] for r in rows} == {"fixed:250"}, rows
assert all(float(r["seconds"]) == 250e-6 and r["kind"] == "predicted" and r["bound"] == "fixed" for r in rows)
gemm = [r for r in rows if r["kernel"] == "gemm"][0]
assert abs(float(gemm["throughput"]) - 2 * 64**3 / 250e-6) < 1, gemm["throughput"]
PY
for w in default chips all; do
	expect 0 nb run --case 'stream n=4096' --target "$w" --dry-run && lacks "$T/out" "fixed:"
done
expect 0 nb show last && contains "$T/out" "fixed:250"
expect 0 nb compare chips h100 --run last --format csv
expect 0 nb plot bars --term dumb && contains "$T/out" "fixed:250"
# A malformed spelling is a usage error; a target the kind cannot open says why.
expect 2 nb run --case 'stream n=4096' --target fixed:soon && contains "$T/err" "expected fixed:MICROSECONDS"
expect 1 nb run --case 'stream n=4096' --target fixed:0 && contains "$T/err" "fixed:0': not available"
finish
