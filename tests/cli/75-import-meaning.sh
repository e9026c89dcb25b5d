# import checks what results mean with the parsers run uses: dtype, case
# text, a measured result only on the host, ordered statistics, bounded
# names and file size.
. "$NB_SRCDIR/tests/cli/lib.sh"
export NPUBENCH_DB="$T/db.sqlite"
FX="$NB_SRCDIR/tests/fixtures/runs.json"

# bad NAME PYTHON-EXPR EXPECTED: a copy of run 1 with result 0 changed by
# the expression (on r), refused with EXPECTED in the message.
bad() {
	python3 - "$FX" "$T/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["runs"][0]
r = d["results"][0]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	expect 1 "$NPUBENCH" import "$T/$1.json" && contains "$T/err" "$3"
}
bad dtype 'r["dtype"] = "fp7"' 'results[0].dtype: unknown dtype '"'fp7'"
bad case 'r["case"] = "not a case at all"' 'results[0].case: '
bad casekernel 'r["case"] = "gemm m=64 n=64 k=64"' 'results[0].case: is a gemm case, but kernel is "stream"'
bad chip 'r["target"] = "h100-sxm"' 'results[0].kind: a measured result must come from the host'
bad minmax 'r["stats"]["min"] = 1.0' 'results[0].stats: min 1 is above max 0.00204'
bad median 'r["stats"]["median"] = 5.0' 'results[0].stats: median 5 or mean 0.00201 is outside min 0.00198'
bad longname 'r["kernel"] = "k" * 100000' 'results[0].kernel: 100000 bytes (at most 64)'
bad longcase 'r["case"] = "stream n=4096 " + " " * 5000' 'results[0].case: 5014 bytes (at most 1024)'
# The untouched file still imports.
expect 0 "$NPUBENCH" import "$FX"
# A file above the size cap is refused before it is parsed.
python3 - "$T/huge.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"schema": "npubench-run", "pad": "' + "x" * (33 << 20) + '"}')
PY
expect 1 "$NPUBENCH" import "$T/huge.json" && contains "$T/err" "is larger than 33554432 bytes"

finish
