# npubench run on the attention, spmm and stream families through the real
# binary: every result verified at every ISA level the CPU has (SKIP for the
# others), run by that level's implementation, which info names with its
# reason (bf16 attention and 2:4 spmm on vdpbf16ps exactly where the CPU
# has avx512_bf16); sparse work stored both ways.
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
		--case 'spmm pattern=2:4 m=37 n=50 k=132 dtype=bf16' \
		--case 'spmm pattern=csr m=33 n=50 k=64 density=0.1 dtype=fp32' \
		--case 'stream op=triad n=10001 store=nt'
	cp "$T/out" "$T/run.csv"
	# Does this CPU have the bf16 dot product (the avx512bf16 attention and
	# 2:4 spmm)?
	"$NPUBENCH" info >"$T/info" 2>/dev/null
	bf16dot=0
	grep -q '^features:.* +avx512_bf16' "$T/info" && bf16dot=1
	python3 - "$T/run.csv" "$T/info" "$isa" "$bf16dot" <<'PY' && pass || fail "$isa: results not verified or not run at the level"
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
info, isa, bf16dot = open(sys.argv[2]).read(), sys.argv[3], sys.argv[4] == '1'
tag = {'portable': '_c(_|$)', 'avx2': '_avx2_', 'avx512': '_avx512'}[isa]
assert len(rows) == 5, rows
for r in rows:
    assert r['status'] == 'ok', r
    assert float(r['verify_err']) <= float(r['verify_tol']), r
    # The implementation that ran is the forced level's, named as info names it.
    assert re.search(tag, r['impl']), (isa, r['impl'])
    assert r['impl'] in info, (r['impl'], 'not in info')
sp = [r for r in rows if 'pattern=2:4' in r['case']][0]
sb = [r for r in rows if 'pattern=2:4' in r['case'] and 'dtype=bf16' in r['case']][0]
assert ('avx512bf16' in sb['impl']) == (isa == 'avx512' and bf16dot), sb['impl']
assert abs(2 * float(sp['actual_ops']) - float(sp['ops'])) <= 1e-9 * float(sp['ops']), sp
att = [r for r in rows if r['kernel'] == 'attention'][0]
assert ('avx512bf16' in att['impl']) == (isa == 'avx512' and bf16dot), att['impl']
# info: the dispatch line says why, each kernel line names its path and why.
disp = [l for l in info.splitlines() if l.startswith('dispatch:')][0]
assert disp.split()[1] == isa and 'NPUBENCH_ISA=' + isa in disp, disp
lines = {tuple(l.split()[:2]): l for l in info.splitlines() if l.startswith('  attention ')}
want = {('portable', False): 'portable C', ('avx2', False): 'converted to fp32',
        ('avx512', False): 'no avx512_bf16 on this CPU', ('avx512', True): 'vdpbf16ps'}
bf = lines[('attention', 'bf16')]
assert want[(isa, bf16dot and isa == 'avx512')] in bf, bf
s24 = [l for l in info.splitlines() if l.startswith('  spmm ') and 'spmm_24_bf16' in l][0]
assert want[(isa, bf16dot and isa == 'avx512')] in s24 or isa != 'avx512', s24
assert ('avx512bf16' in s24) == (isa == 'avx512' and bf16dot), s24
assert 'spmm_csr_fp32' in info and 'spmm_24_fp32' in info, 'info lacks a spmm pattern'
for l in info.splitlines()[info.splitlines().index('kernels:') + 1:]:
    if l.startswith('  '):
        assert len(l.split()) > 3, 'no reason: ' + l
PY
	unset NPUBENCH_ISA
done
finish
