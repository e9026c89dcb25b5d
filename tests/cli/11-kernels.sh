# npubench run on the attention, spmm and stream families through the real
# binary: every result verified at every ISA level the CPU has (SKIP for the
# others), sparse work stored both ways.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/k.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
fast="--min-time 0.01 --min-reps 2 --max-reps 5"

for isa in portable avx2 avx512; do
	has_isa $isa || continue
	NPUBENCH_ISA=$isa
	export NPUBENCH_ISA
	expect 0 nb run --target host --format csv $fast \
		--case 'attention heads=2 seq_q=50 seq_k=77 head_dim=64 causal=1 dtype=bf16' \
		--case 'spmm pattern=2:4 m=33 n=50 k=64 dtype=fp16' \
		--case 'spmm pattern=csr m=33 n=50 k=64 density=0.1 dtype=fp32' \
		--case 'stream op=triad n=10001 store=nt'
	python3 - "$T/out" <<'PY' && pass || fail "$isa: results not all verified"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 4, rows
for r in rows:
    assert r['status'] == 'ok', r
    assert float(r['verify_err']) <= float(r['verify_tol']), r
sp = [r for r in rows if 'pattern=2:4' in r['case']][0]
assert abs(2 * float(sp['actual_ops']) - float(sp['ops'])) <= 1e-9 * float(sp['ops']), sp
PY
	unset NPUBENCH_ISA
done
finish
