# profile probe under mpirun: the host's interconnect (alpha, beta of a
# send/recv ring shift) merged into the host profile; validate --host then
# checks collectives measured across the ranks against the collective model
# on that profile.  SKIP (77) without mpirun or in a build without MPI.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/m.db"
PD="$T/prof"
mpi_setup

# Without a host profile there is nothing to add the interconnect to.
expect 1 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" profile probe --min-time 0 -o "$PD/host.json"
contains "$T/err" "run 'npubench profile probe' alone first"

expect 0 "$NPUBENCH" --db "$DB" profile probe --size 64 --min-time 0 -o "$PD/host.json"
lacks "$PD/host.json" '"interconnect"'
expect 0 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" profile probe --min-time 0 -o "$PD/host.json"
contains "$T/out" "$PD/host.json"
contains "$T/err" "probe: alpha"
expect 0 "$NPUBENCH" --profiles "$PD" profile validate "$PD/host.json"
python3 - "$PD/host.json" <<'PY' && pass || fail "the interconnect section"
import json, sys
p = json.load(open(sys.argv[1]))
ic = p["interconnect"]
assert ic["name"].startswith("MPI shared memory"), ic["name"]
up = ic["scale_up"]
assert up["chips"]["value"] == 2 and up["links_per_chip"]["value"] == 1
assert up["link_bandwidth_gbs"]["value"] > 0 and ic["latency_us"]["value"] > 0
assert abs(ic["bandwidth_gbs"]["value"] - 2 * up["link_bandwidth_gbs"]["value"]) < 1e-9
assert "mpirun, 2 ranks" in p["sources"]["MPI"]
PY
# A plain probe again keeps what the ranks measured.
cp "$PD/host.json" "$T/with-ic.json"
expect 0 "$NPUBENCH" --db "$DB" profile probe --size 64 --min-time 0 -o "$PD/host.json"
python3 - "$T/with-ic.json" "$PD/host.json" <<'PY' && pass || fail "a plain probe dropped the interconnect"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
assert a["interconnect"] == b["interconnect"] and a["sources"]["MPI"] == b["sources"]["MPI"]
PY

# Collectives measured on 2 ranks, checked against the model on the probed
# alpha and beta: send/recv is one step, t = base + alpha + S / beta.
expect 0 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host --quiet $fast \
	--case 'collective op=sendrecv bytes=65536' --case 'collective op=allreduce bytes=1048576'
expect 0 "$NPUBENCH" --db "$DB" --profiles "$PD" validate --host 1 --format csv
python3 - "$T/out" "$PD/host.json" <<'PY' && pass || fail "validate --host: collectives"
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["line"].isdigit()]
ic = json.load(open(sys.argv[2]))["interconnect"]
a = ic["latency_us"]["value"] * 1e-6 + ic["scale_up"]["base_us"]["value"] * 1e-6
b = ic["scale_up"]["link_bandwidth_gbs"]["value"] * 1e9
assert len(rows) == 2 and all(r["family"] == "collective" and r["profile"] == "host" for r in rows), rows
sr = [r for r in rows if "sendrecv" in r["chip"]][0]
want = 65536 / (a + 65536 / b)
assert abs(float(sr["predicted"]) / want - 1) < 1e-4, (sr, want)
assert all(float(r["measured"]) > 0 and "threads" not in r["note"] for r in rows), rows
PY
# More ranks than the probe's: not predicted, and said so.
expect 0 $MPIRUN -np 4 "$NPUBENCH" --db "$DB" run --target host --quiet $fast \
	--case 'collective op=allreduce bytes=65536'
expect 1 "$NPUBENCH" --db "$DB" --profiles "$PD" validate --host 2
contains "$T/out" "exceed one scale-up domain (2 chips)"
finish
