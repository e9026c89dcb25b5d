# What a reader sees says what it is: placeholder parameters left out of
# tables (kept in machine formats), one noise rule, sparse rates marked
# effective with the actual rate beside, one "% of peak" rule for dense and
# sparse, HF32 compared with TF32 (not true FP32), compute units not compared
# across kinds, and the host column saying how to profile the host.
. "$NB_SRCDIR/tests/cli/lib.sh"
nb() { "$NPUBENCH" --db "$T/db" --profiles "$NB_SRCDIR/profiles" "$@"; }
fast="--min-time 0.02 --min-reps 3 --max-reps 200"

expect 0 nb run --target host,910b,a100,h100 $fast \
	--case 'gemm dtype=fp32 m=256 n=256 k=256' --case 'gemm dtype=bf16 m=2048 n=2048 k=2048' \
	--case 'attention dtype=bf16 seq_q=256 head_dim=64' --case 'stream op=copy' \
	--case 'spmm pattern=2:4 dtype=bf16 m=2048 n=2048 k=2048' \
	--case 'spmm pattern=csr dtype=fp32 m=512 n=512 k=512 density=0.01'
cp "$T/out" "$T/run"
for p in round=0 seq_k=0 amp=1 n=0 store=auto; do lacks "$T/run" " $p"; done
grep '^spmm pattern=2:4' "$T/run" >"$T/sp24" && lacks "$T/sp24" density || fail "no 2:4 row"
contains "$T/run" "spmm pattern=csr dtype=fp32 m=512 n=512 k=512 density=0.01"
# The canonical text stays in machine formats (it is the key of a result).
expect 0 nb export --format csv && contains "$T/out" "round=0" && contains "$T/out" "store=auto"

# One noise rule: "noisy" exactly when the printed ± is over 5.0%.
python3 - "$T/run" <<'PY' && pass || fail "noise flag disagrees with the printed ±"
import re, sys
rows = [l for l in open(sys.argv[1]) if "measured," in l]
assert rows, "no measured row"
for l in rows:
    pct = float(re.search(r"±([0-9.]+)%", l).group(1))
    assert ("noisy" in l) == (pct > 5.0), l
    assert not re.search(r"(?<![0-9] )outliers", l), l      # counted: "12 outliers"
PY

# Sparse: the throughput is effective, the note gives the actual rate.
for l in "spmm pattern=2:4" "spmm pattern=csr"; do
	grep "^$l" "$T/run" >"$T/sp"
	n=$(grep -c "effective rate (dense-equivalent), .* actual" "$T/sp")
	[ "$n" -eq "$(wc -l <"$T/sp")" ] && [ "$n" -gt 0 ] && pass || fail "$l rows do not say effective/actual"
done

# One "% of peak" rule: operations executed over the dense peak of the path.
# The 910B has no 2:4 mode (it multiplies the zeros: the dense work counts);
# the H100 has one (the non-zero half counts).  Peaks come from the profiles.
expect 0 nb export --format json
python3 - "$T/out" "$NB_SRCDIR/profiles" <<'PY' && pass || fail "% of peak rule"
import json, sys
d = json.load(open(sys.argv[1]))
res = d["runs"][0]["results"] if "runs" in d else d["results"]
def peak(chip, dt):
    p = json.load(open("%s/%s.json" % (sys.argv[2], chip)))
    return p["peak_dense_tflops"][dt]["value"] * 1e12
seen = 0
for r in res:
    if r["kind"] != "predicted" or r["status"] != "ok" or not r["case"].startswith(("gemm dtype=bf16", "spmm pattern=2:4")):
        continue
    chip = r["target"]
    sparse = r["case"].startswith("spmm")
    done = r["actual_ops"] if sparse and chip != "ascend-910b2" else r["ops"]
    want = done / r["seconds"] / peak(chip, "bf16")
    assert abs(r["util"] - want) < 1e-6 * max(1, want), (r["case"], chip, r["util"], want)
    seen += 1
assert seen == 6, seen
PY

# compare chips on the shipped profiles.
expect 0 nb compare chips host 910b a100 h100 --baseline 910b
cp "$T/out" "$T/cc"
grep '^dense fp32 ' "$T/cc" >"$T/row" && contains "$T/row" "none"
grep '^dense tf32/hf32 ' "$T/cc" >"$T/row" && contains "$T/row" "99.5" && contains "$T/row" "156 (1.57x)"
contains "$T/cc" "Ascend HF32"
grep '^compute units' "$T/cc" >"$T/row" && contains "$T/row" "24 AI core" && contains "$T/row" "108 SM"
lacks "$T/row" "x)"
contains "$T/cc" "npubench profile probe"
# The 910B's fp32 GEMM ran via its HF32 (tf32) path: labelled, and no ratio
# against the A100's true FP32.
grep '^gemm dtype=fp32' "$T/cc" >"$T/row" && contains "$T/row" "via tf32"
python3 - "$T/row" <<'PY' && pass || fail "fp32 GEMM compared across precisions"
import re, sys
l = open(sys.argv[1]).read()
cells = re.findall(r"[0-9.]+ [GTP]FLOP/s[^A-Z]*?(?:compute|memory|latency|measured)(?: via [a-z0-9]+)?", l)
a100 = cells[2]
assert "x)" not in a100, cells
PY
grep '^spmm pattern=2:4' "$T/cc" >"$T/row" && contains "$T/row" "eff."
# The same in JSON: no ratio across precisions, unit kinds named.
expect 0 nb compare chips host 910b a100 h100 --baseline 910b --format json
python3 - "$T/out" <<'PY' && pass || fail "compare chips json: ratio across precisions or unit kinds"
import json, sys
d = json.load(open(sys.argv[1]))
k = next(x for x in d["kernels"] if x["case"].startswith("gemm dtype=fp32"))
assert k["results"]["a100-sxm4-80gb"]["ratio"] is None, k
b = next(x for x in d["kernels"] if x["case"].startswith("gemm dtype=bf16"))
assert b["results"]["a100-sxm4-80gb"]["ratio"] is not None, b
u = next(x for x in d["specs"] if x["figure"].startswith("compute units"))
assert u["values"]["a100-sxm4-80gb"]["ratio"] is None and u["values"]["a100-sxm4-80gb"]["counts"] == "SM", u
PY
finish
