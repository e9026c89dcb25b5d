# The collective family on chips (the collective model over each profile's
# interconnect) and on the host without MPI ranks.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/c.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
big='collective op=allreduce dtype=bf16 bytes=1073741824 ranks=8'

# Every chip with an interconnect section: a bus bandwidth in throughput,
# algbw beside it, ranks as given.
expect 0 nb run --target chips --case "$big" --format csv
python3 - "$T/out" <<'PY' && pass || fail "chips: busbw in throughput"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 19, len(rows)
for r in rows:
    assert r["status"] == "ok" and r["unit"] == "B/s", r
    assert json.loads(r["params_json"])["ranks"] == 8
    bus = float(r["throughput"])
    # busbw = algbw x 2(R-1)/R: algbw is bytes / time
    alg = 1073741824 / float(r["seconds"])
    assert abs(bus / alg - 1.75) < 1e-9, (r["target"], bus, alg)
    assert "algbw" in r["message"]
by = {r["target"]: float(r["throughput"]) / 1e9 for r in rows}
# A100: 12 NVLinks x 25 GB/s at 80%; H100 with NVLS above its 360 GB/s ring
assert 235 < by["a100-sxm4-80gb"] < 241, by["a100-sxm4-80gb"]
assert 450 < by["h100-sxm"] < 500, by["h100-sxm"]
PY
# Its breakdown: algorithm, steps, alpha and beta terms.
sqlite3 "$DB" "select model_json from results where target = 'h100-sxm'" >"$T/m.json"
contains "$T/m.json" '"algorithm":"nvls"'
contains "$T/m.json" '"alpha_s":'
contains "$T/m.json" '"beta_s":'

# ranks beyond one domain go through the scale-out network; ranks=0 is a board of 8.
expect 0 nb run --target h100 --case 'collective op=allreduce bytes=1048576 ranks=1024' --format csv
contains "$T/out" '""ranks"":1024'
expect 0 nb run --target tpu-v5e --case 'collective op=allgather bytes=1048576' --format csv
contains "$T/out" '""ranks"":8'
# An algorithm the topology lacks is unsupported, not invented.
expect 0 nb run --target a100 --case 'collective op=allreduce bytes=1048576 ranks=8 algo=nvls'
contains "$T/out" "no in-network reduction"
expect 0 nb run --target 910b --case 'collective op=alltoall bytes=1048576 ranks=8 algo=torus'
contains "$T/out" "unsupported"

# Bad cases name the parameter and value.
expect 2 nb run --target h100 --case 'collective op=allreduce ranks=1'
contains "$T/err" "ranks=1"
expect 2 nb run --target h100 --case 'collective op=reducescatter dtype=fp32 bytes=8 ranks=4'
contains "$T/err" "do not divide among ranks=4"
expect 2 nb run --target h100 --case 'collective op=allreduce dtype=bf16 bytes=3'
contains "$T/err" "bytes=3 is not a whole number"
expect 2 nb run --target h100 --case 'collective op=allscatter'
contains "$T/err" "allscatter"

# The host without MPI ranks: said plainly, recorded as unsupported.
expect 0 nb run --target host --case 'collective op=allreduce bytes=1024'
contains "$T/out" "unsupported"
grep -qE "mpirun -np N|MPI is missing" "$T/out" && pass || fail "host collective: no word on MPI"
finish
