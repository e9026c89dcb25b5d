# gemm through the real binary: every dtype on every dispatch level the CPU
# has runs (the others are reported as SKIP),
# verifies and stores; impossible sizes are refused with the reason.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/g.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
fast="--min-time 0.01 --min-reps 2 --max-reps 5"

for isa in portable avx2 avx512; do
	has_isa $isa || continue
	export NPUBENCH_ISA=$isa
	expect 0 nb run --target host --format csv $fast \
		--case 'gemm dtype=fp32 m=37 n=29 k=61' --case 'gemm dtype=fp16 m=64 n=48 k=70 round=1' \
		--case 'gemm dtype=bf16 m=1 n=300 k=33' --case 'gemm dtype=int8 m=20 n=17 k=129' \
		--case 'gemm dtype=int4 m=2 n=130 k=257'
	python3 - "$T/out" "$isa" <<'PY' && pass || fail "gemm $isa: results not ok"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 5, rows
for r in rows:
    assert r['status'] == 'ok', r
    assert float(r['throughput']) > 0, r
PY
done
unset NPUBENCH_ISA
expect 2 nb run --target host --case 'gemm dtype=int8 m=1 n=1 k=200000' $fast
contains "$T/err" "overflow"
expect 2 nb run --target host --case 'gemm dtype=fp32 round=1' $fast
contains "$T/err" "round=1"
finish
