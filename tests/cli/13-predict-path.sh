# One prediction path: every row of the shipped measurement files that a
# case states is predicted by `validate` and by `run --case` with the same
# seconds; chip parameters (impl=, timing=, fp8=) are stored with the
# prediction, and the host refuses what it cannot run.
. "$(dirname "$0")/lib.sh"

nb() { "$NPUBENCH" --db "$T/db" "$@"; }

# validate and run agree on every calibration and held-out row.
for set in calibration holdout; do
	expect 0 nb validate --measurements $set --format csv
	cp "$T/out" "$T/$set.csv"
	python3 - "$T/$set.csv" >"$T/$set.cases" <<'PY' || fail "$set: no rows with a case"
import csv, sys
every = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("summary"))]
# No silent gap: a predicted row states its case or says why it has none.
gaps = [r["line"] for r in every
        if float(r["predicted"]) > 0 and not r["case"] and "no case: " not in r["note"]]
assert not gaps, "predicted rows without a case or a reason: lines %s" % gaps
# An LLM decode step (bf16 or int8 weights) is a stream of the same bytes in
# a dtype the host kernel runs.
for r in every:
    if "decode" in r["note"]:
        assert r["case"].startswith("stream op=sum dtype=fp32 "), r
        assert "case in fp32 elements of the same bytes" in r["note"], r
rows = [r for r in every if r["case"]]
assert len(rows) >= 10, len(rows)
for r in rows:
    print("%s\t%s\t%s\t%s" % (r["line"], r["profile"], r["case"], r["seconds"]))
PY
	n=0
	while IFS="$(printf '\t')" read -r line profile case seconds; do
		n=$((n + 1))
		if ! nb run --quiet --format json --target "$profile" --case "$case" >"$T/run.json" 2>"$T/err"; then
			fail "$set line $line: run --case '$case' failed: $(head -n 2 "$T/err")"
			continue
		fi
		python3 - "$T/run.json" "$seconds" "$case" <<'PY' && pass || fail "$set line $line: validate and run disagree"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
want = float(sys.argv[2])
assert r["status"] == "ok", r
assert r["case"] == sys.argv[3], (r["case"], sys.argv[3])
assert abs(r["seconds"] - want) <= 1e-6 * want, (r["seconds"], want)
PY
	done <"$T/$set.cases"
	[ "$n" -ge 10 ] && pass || fail "$set: only $n rows compared"
	# Both files print the median and the p90 of |error|.
	contains "$T/$set.csv" "summary,p90,all,"
	expect 0 nb validate --measurements $set
	contains "$T/out" "p90 |error|"
done

# fp8 on the H100: the implementation and the peak it assumed, named.
expect 0 nb run --target h100 --case 'gemm dtype=fp8 m=4096 n=4096 k=4096'
contains "$T/out" "impl cublas (default)"
contains "$T/out" "peak 1.979 PFLOP/s"
contains "$T/out" "fp8 e4m3"
expect 0 nb run --target h100 --case 'gemm dtype=fp8 m=4096 n=4096 k=4096' --format json --quiet
python3 - "$T/out" <<'PY' && pass || fail "fp8 result"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["status"] == "ok" and r["impl"] == "cublas", r
m = json.loads(r["model"]) if isinstance(r["model"], str) else r["model"]
assert m["impl"] == "cublas" and m["impl_default"] is True, m
assert m["fp8_format"] == "e4m3" and m["fp8_scale"] == "tensor", m
assert abs(m["peak_per_s"] - 1978.9e12) < 1e9, m
PY
# ...a separate cast from bf16 costs time; e5m2 runs at the same rate.
t() { nb run --quiet --format json --target "$1" --case "$2" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["seconds"])'; }
a=$(t h100 'gemm dtype=fp8 m=4096 n=4096 k=4096')
b=$(t h100 'gemm dtype=fp8 m=4096 n=4096 k=4096 fp8=e5m2')
c=$(t h100 'gemm dtype=fp8 m=4096 n=4096 k=4096 fp8_scale=cast')
python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); assert a==b and c>a*1.05, (a,b,c)" "$a" "$b" "$c" \
	&& pass || fail "fp8 cast and formats: $a $b $c"
# ...on every chip that has fp8 (MI300X, Gaudi 3, H200), fp8 attention too;
# a chip without it says so.
expect 0 nb run --target mi300x,gaudi3,h200-sxm --case 'gemm dtype=fp8' --case 'attention dtype=fp8'
lacks "$T/out" "unsupported"
expect 0 nb run --target a100 --case 'gemm dtype=fp8'
contains "$T/out" "unsupported: a100-sxm4-80gb has no fp8 matrix throughput"
# The host never calls fp32 arithmetic fp8, nor runs a chip library.
expect 0 nb run --target host --case 'gemm dtype=fp8 m=64 n=64 k=64'
contains "$T/out" "unsupported: dtype=fp8: this target has no fp8 arithmetic"
expect 0 nb run --target host --case 'gemm dtype=fp16 m=64 n=64 k=64 impl=cublas'
contains "$T/out" "unsupported: impl=cublas names a library"
expect 2 nb run --target h100 --case 'gemm dtype=bf16 fp8=e5m2'
contains "$T/err" "fp8=e5m2: needs dtype=fp8"
expect 2 nb run --target h100 --case 'gemm impl=mkl'
contains "$T/err" "'mkl' is not one of auto|cublas"

# impl= selects the profile's implementation; TF32 is labelled as such.
expect 0 nb run --target h100 --case 'gemm dtype=fp32 m=4096 n=4096 k=4096 impl=tf32'
contains "$T/out" "impl tf32"
contains "$T/out" "fp32 computed as tf32"
fa3=$(t h100 'attention dtype=bf16 seq_q=8192 heads=16 impl=fa3')
fa2=$(t h100 'attention dtype=bf16 seq_q=8192 heads=16 impl=fa2')
auto=$(t h100 'attention dtype=bf16 seq_q=8192 heads=16')
python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); assert a==c and b>1.5*a, (a,b,c)" "$fa3" "$fa2" "$auto" \
	&& pass || fail "fa2 vs fa3: $fa3 $fa2 $auto"
# An implementation the profile does not model is refused, naming what it
# accepts instead.
expect 0 nb run --target h100,tpu-v5e --case 'gemm impl=fa3' --case 'gemm impl=triton' \
	--case 'gemm impl=trtllm' --case 'attention impl=cutlass'
contains "$T/out" "impl fa3 on h100-sxm does not implement gemm (for it the profile has: cublas, tf32; impl=auto picks cublas)"
contains "$T/out" "tpu-v5e's profile describes no triton implementation of gemm (it has: xla, pallas; impl=auto picks xla)"
contains "$T/out" "h100-sxm's profile describes no trtllm implementation of gemm (it has: cublas, tf32; impl=auto picks cublas)"
contains "$T/out" "h100-sxm's profile describes no cutlass implementation of attention (it has: fa3, fa2; impl=auto picks fa3)"
expect 0 nb --profiles "$NB_SRCDIR/tests/fixtures/chips" run --target h100 --case 'gemm impl=triton'
contains "$T/out" "describes no triton implementation of gemm (it has: none; impl=auto uses the profile's own model figures)"

# timing=call charges the host's round trip where the profile gives one.
dev=$(t tpu-v5e 'gemm dtype=bf16 m=1024 n=1024 k=1024')
call=$(t tpu-v5e 'gemm dtype=bf16 m=1024 n=1024 k=1024 timing=call')
python3 -c "import sys; a,b=map(float,sys.argv[1:]); assert b>a+50e-6, (a,b)" "$dev" "$call" \
	&& pass || fail "timing=call: $dev $call"

finish
