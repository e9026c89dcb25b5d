# A kernel family that only the tests link (tests/kernel-affine.c, one file
# and one registration line): the real program with that file runs it on the
# host, predicts it on chips, stores, exports and plots it like the built-in
# families.  Sizes that depend on the target (n=0) are each target's own.
. "$NB_SRCDIR/tests/cli/lib.sh"
AFFINE="$NB_BUILDDIR/tests/npubench-affine"
DB="$T/k.db"
nb() { "$AFFINE" --db "$DB" --profiles "$NB_SRCDIR/profiles" "$@"; }
fast="--min-time 0.01 --min-reps 3 --max-reps 20"

# The shipped program does not know the family.
expect 2 "$NPUBENCH" --db "$DB" run --case 'affine n=64' --target host && contains "$T/err" "affine"

expect 0 nb list kernels && contains "$T/out" "affine"
expect 0 nb run --case 'affine n=4096' --case 'affine' --target host,h100,mi300x $fast
expect 0 nb export --all --format csv
python3 - "$T/out" <<'PY' && pass || fail "affine: stored and exported rows"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["kernel"] == "affine"]
by = {(r["case"], r["target"]): r for r in rows}
assert len(rows) == 6, [(r["case"], r["target"]) for r in rows]
host = by[("affine n=4096", "host")]
assert host["kind"] == "measured" and host["status"] == "ok", host
assert host["impl"] == "affine_fp32_portable" and float(host["throughput"]) > 0
for chip in ("h100-sxm", "mi300x"):
    r = by[("affine n=4096", chip)]
    assert r["kind"] == "predicted" and r["status"] == "ok" and r["bound"], r
    assert r["unit"] == "FLOP/s" and float(r["ops"]) == 2 * 4096 and float(r["bytes"]) == 8 * 4096, r
# n=0: four times each target's own last-level cache (MI300X 256 MiB, H100 50 MiB).
assert float(by[("affine n=0", "mi300x")]["bytes"]) == 8 * 4 * 256 * 2**20 / 4, by[("affine n=0", "mi300x")]
assert float(by[("affine n=0", "h100-sxm")]["bytes"]) == 8 * 4 * 50 * 2**20 / 4, by[("affine n=0", "h100-sxm")]
PY
expect 0 nb export --all --format json && contains "$T/out" '"affine_fp32_portable"'

if command -v gnuplot >/dev/null 2>&1; then
	expect 0 nb plot scaling --kernel affine --chips h100,mi300x --term dumb &&
		contains "$T/out" "mi300x"
	contains "$T/out" "host"
	expect 0 nb plot bars --term dumb && contains "$T/out" "affine"
fi
finish
