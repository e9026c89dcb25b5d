# Numbers are range-checked where they are parsed: no float-to-int cast can
# overflow (CI runs this under UBSan's float-cast-overflow), and physically
# impossible profile figures are refused.
. "$NB_SRCDIR/tests/cli/lib.sh"

# A peak of 5e-324 is positive but not a physical figure.
mkdir -p "$T/p"
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/p/tiny.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "tiny"
d["aliases"] = []
d["peak_dense_tflops"]["bf16"]["value"] = 5e-324
json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 "$NPUBENCH" profile validate "$T/p/tiny.json"
contains "$T/err" 'key "peak_dense_tflops.bf16.value": expected at least 1e-06'
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/p/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "slow"
d["aliases"] = []
d["model"]["gemm_efficiency"]["value"] = 1e-300
json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 "$NPUBENCH" profile validate "$T/p/slow.json" && contains "$T/err" "not a physical figure"
# A number given as a string: refused, naming file and key, by every
# command that loads the profile folders (one line each).
python3 - "$NB_SRCDIR/profiles/h100-sxm.json" "$T/q/strnum.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
d["id"] = "strnum"
d["aliases"] = []
d["memory"]["bandwidth_gbs"]["value"] = "3350"
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
json.dump(d, open(sys.argv[2], "w"))
PY
strnum_err='strnum.json: key "memory.bandwidth_gbs.value": expected a number, got "3350"'
expect 1 "$NPUBENCH" profile validate "$T/q/strnum.json" && contains "$T/err" "$strnum_err"
expect 1 "$NPUBENCH" --profiles "$T/q:$NB_SRCDIR/profiles" compare chips h100 && contains "$T/err" "$strnum_err"
lines "$T/err" 1
expect 1 "$NPUBENCH" --profiles "$T/q:$NB_SRCDIR/profiles" --db "$T/q.db" run --target h100 --case gemm &&
	contains "$T/err" "$strnum_err"

# validate --measurements: absurd dimensions are skipped rows, not casts.
cat >"$T/m.csv" <<'CSV'
chip,kernel,dtype,m,n,k_or_size,extra,measured_value,unit,source
H100-SXM,matmul,bf16,4096,4096,4096,batch=1e100,500,TFLOPS,test
H100-SXM,attention,bf16,8,16,4096,hdim=nan,300,TFLOPS,test
H100-SXM,attention,bf16,9223372036854775807,9223372036854775807,4096,hdim=128,300,TFLOPS,test
H100-SXM,attention,bf16,1000000000,1000000000,4096,hdim=1e300,300,TFLOPS,test
H100-SXM,matmul,bf16,9223372036854775807,4096,4096,,500,TFLOPS,test
H100-SXM,stream copy,bf16,,,1e300 GB,,3000,GB/s,test
H100-SXM,matmul,bf16,4096,4096,4096,batch=-5,500,TFLOPS,test
H100-SXM,matmul,bf16,4096,-1,4096,,500,TFLOPS,test
CSV
expect 0 "$NPUBENCH" validate --measurements "$T/m.csv" --format csv
python3 - "$T/out" <<'PY' && pass || fail "absurd rows were predicted: $(cat "$T/out")"
import csv, sys, math
for r in csv.DictReader(open(sys.argv[1])):
    if r["predicted"]:
        assert math.isfinite(float(r["predicted"])), r
PY
# A shape column given but not a size is a skipped row that names it, never
# a prediction of a default shape.
grep -q "^6,.*skipped: m '9223372036854775807' is not a size" "$T/out" && pass || fail "row 6: $(grep '^6,' "$T/out")"
grep -q "^9,.*skipped: n '-1' is not a size" "$T/out" && pass || fail "row 9: $(grep '^9,' "$T/out")"

finish
