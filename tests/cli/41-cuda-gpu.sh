# The GPU target on a real GPU: every family through its library, each
# result verified against the plugin's own reference kernels.  SKIP (77)
# with the reason where no GPU can be used.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/g.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
unset NPUBENCH_CUDA_PLUGIN NPUBENCH_CUDA_L2_FLUSH

"$NPUBENCH" info >"$T/info" 2>&1
if ! grep -q '^  cuda:0 ' "$T/info"; then
	echo "SKIP: no usable GPU: $(sed -n 's/^gpus: *//p' "$T/info")"
	exit 77
fi
fast="--min-time 0.05 --min-reps 3 --max-reps 50"
expect 0 nb run --target cuda:0 --format csv $fast \
	--case 'gemm dtype=fp32 m=256 n=192 k=320' \
	--case 'gemm dtype=fp16 m=512 n=512 k=512' \
	--case 'gemm dtype=fp16 m=512 n=512 k=512 round=1' \
	--case 'gemm dtype=bf16 m=1000 n=1000 k=1000' \
	--case 'gemm dtype=int8 m=512 n=512 k=512' \
	--case 'attention batch=2 heads=4 seq_q=256 head_dim=64 dtype=fp16' \
	--case 'attention batch=1 heads=4 seq_q=128 seq_k=256 head_dim=128 causal=1 dtype=bf16' \
	--case 'spmm pattern=csr m=512 n=256 k=1024 density=0.05 dtype=fp16' \
	--case 'spmm pattern=csr m=300 n=100 k=700 density=0.1 dtype=fp32' \
	--case 'stream op=copy n=10000003 dtype=fp32' \
	--case 'stream op=triad n=10000003 dtype=fp64' \
	--case 'stream op=sum n=10000003 dtype=fp32' \
	--case 'stream op=fill n=1000 dtype=fp64' \
	--case 'spmm pattern=2:4 m=64 n=64 k=64 dtype=fp16'
python3 - "$T/out" <<'PY' && pass || fail "GPU results"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 14, len(rows)
for r in rows[:-1]:
    assert r['status'] == 'ok', (r['case'], r['status'], r['message'])
    assert float(r['verify_err']) <= float(r['verify_tol']), r['case']
    assert float(r['throughput']) > 0, r['case']
assert rows[-1]['status'] == 'unsupported' and 'cuSPARSELt' in rows[-1]['message'], rows[-1]
copy = [r for r in rows if 'op=copy' in r['case']][0]
assert 'vs_memcpy=' in copy['flags'], copy['flags']
# Clocks and power with each result, or the reason they are missing.
for r in rows[:-1]:
    f = r['flags'] or ''
    assert 'sm_mhz=' in f or ('no_clocks' in f and r['message'].startswith('clocks not recorded: ')), r
# The cuBLASLt heuristic's algorithm and workspace are the implementation.
for r in rows[:5]:
    assert r['impl'].startswith('cublasLt ') and ' algo=' in r['impl'] and ' ws=' in r['impl'], r['impl']
PY
NPUBENCH_CUDA_L2_FLUSH=1 expect 0 nb run --target cuda:0 --format csv $fast \
	--case 'gemm dtype=bf16 m=512 n=512 k=512'
contains "$T/out" "l2_flushed"
n=$(grep -c '^  cuda:' "$T/info")
expect 1 nb run --target "cuda:$n" --case 'gemm m=64 n=64 k=64'
contains "$T/err" "no such GPU"
finish
