# compare chips: the interconnect rows (scale-up and scale-out line rate per
# chip, the predicted 1 GiB all-reduce at 8 and 1024 ranks) for every
# shipped profile, checked against the profiles' own figures and against
# what `run` predicts for the same collective.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/c.db"
P="$NB_SRCDIR/profiles"

expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips chips --format json
cp "$T/out" "$T/chips.json"
for r in 8 1024; do
	expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" run --target chips --quiet --format csv \
		--case "collective op=allreduce dtype=bf16 bytes=1073741824 ranks=$r"
	cp "$T/out" "$T/run$r.csv"
done
python3 - "$T" "$P" <<'PY' && pass || fail "compare chips: interconnect rows"
import csv, glob, json, os, sys
t, pdir = sys.argv[1], sys.argv[2]
d = json.load(open(os.path.join(t, "chips.json")))
specs = {s["figure"]: s["values"] for s in d["specs"]}
chips = {c["id"]: c for c in d["chips"]}
profiles = {}
for f in glob.glob(os.path.join(pdir, "*.json")):
    p = json.load(open(f))
    profiles[p["id"]] = p
assert len(chips) == len(profiles) >= 18, (len(chips), len(profiles))
def v(x):
    return x["value"] if isinstance(x, dict) else x
for cid, p in profiles.items():
    ic = p["interconnect"]
    up, out = ic["scale_up"], ic.get("scale_out")
    assert chips[cid]["scale_up"]["kind"] == up["kind"], cid
    assert chips[cid]["scale_up"]["chips"] == v(up["chips"]), cid
    want = v(up["links_per_chip"]) * v(up["link_bandwidth_gbs"])
    got = specs["scale-up per chip, one way"][cid]["value"]
    assert abs(got - want) < 1e-9 * want, (cid, got, want)
    if out:
        assert chips[cid]["scale_out"] == out["name"], cid
        want = v(out["nics_per_chip"]) * v(out["nic_bandwidth_gbs"])
        got = specs["scale-out per chip, one way"][cid]["value"]
        assert abs(got - want) < 1e-9 * want, (cid, got, want)
for r in (8, 1024):
    rows = {row["target"]: row for row in csv.DictReader(open(os.path.join(t, "run%d.csv" % r)))}
    row = specs["all-reduce 1 GiB, %d ranks" % r]
    for cid in profiles:
        x = row[cid]
        assert rows[cid]["status"] == "ok", (cid, rows[cid]["message"])
        want = float(rows[cid]["throughput"]) / 1e9
        assert x["value"] is not None and abs(x["value"] - want) < 1e-6 * want, (cid, r, x, want)
        assert x["sources"], (cid, r)
# the NVLink systems with NVLS beat their own 8-rank ring
assert row["h100-sxm"]["value"] > 0
PY

# The table shows the rows only where a profile has a scale-up section: the
# frozen fixtures have none.
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 910b tpu-v5e
contains "$T/out" "scale-up domain"
contains "$T/out" "switch, 8 chips"
contains "$T/out" "torus2d 16x16"
contains "$T/out" "all-reduce 1 GiB, 1024 ranks (busbw GB/s)"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$NB_SRCDIR/tests/fixtures/chips" compare chips
lacks "$T/out" "scale-up"
expect 0 "$NPUBENCH" --db "$DB" --profiles "$P" compare chips h100 910b --format csv
contains "$T/out" "spec,\"all-reduce 1 GiB, 8 ranks\",busbw GB/s,h100-sxm,"
finish
