# A real Prometheus Pushgateway on loopback receives npubench's exposition
# text; its /metrics must then show the families, labels and values.
. "$NB_SRCDIR/tests/cli/lib.sh"
. "$NB_SRCDIR/tests/cli/net-lib.sh"

NT="$NB_BUILDDIR/tests/net-tool"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed (Debian package python3)"
PGW=$(command -v prometheus-pushgateway || command -v pushgateway) ||
	skip "no Pushgateway (Debian package prometheus-pushgateway)"

# pushgateway: starts one on a free port (three tries) and sets GW.
pushgateway() {
	for try in 1 2 3; do
		port=$(free_port)
		# In memory only: Debian's default persistence file is shared.
		"$PGW" --web.listen-address="127.0.0.1:$port" --persistence.file= \
			>"$T/pgw.log" 2>&1 &
		pid=$!
		NET_PIDS="$NET_PIDS $pid"
		i=0
		while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
			if "$NT" get "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
				GW="http://127.0.0.1:$port"
				return 0
			fi
			i=$((i + 1))
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
	done
	tail -n 5 "$T/pgw.log" >&2
	skip "the Pushgateway did not start"
}
pushgateway

# check_metrics FILE: the pushed samples arrived with labels and values.
check_metrics() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
lab = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
samples = {}
for line in text.splitlines():
    if not line.startswith("npubench_"):
        continue
    m = re.match(r'(\w+)\{(.*)\} (\S+)$', line)
    labels = {k: bytes(v, "utf-8").decode("unicode_escape") for k, v in lab.findall(m.group(2))}
    samples.setdefault(m.group(1), []).append((labels, float(m.group(3))))
def one(name, **want):
    got = [v for l, v in samples.get(name, []) if all(l.get(k) == w for k, w in want.items())]
    assert len(got) == 1, "%s %r: %d samples in\n%s" % (name, want, len(got), text[:3000])
    return got[0]
base = dict(job="npubench", instance="test-host", host="test-host", run="0123abcd-test")
v = one("npubench_seconds", kernel="stream", params="op=copy n=4096", dtype="f32",
        target="host", kind="measured", **base)
assert abs(v - 1.5e-6) < 1e-15, v
assert abs(one("npubench_seconds_min", kernel="stream", **base) - 1.25e-6) < 1e-15
assert abs(one("npubench_throughput", kernel="stream", unit="B/s", **base) - 43690666666.6667) < 1
# The label with a quote, a backslash and a newline came through intact.
v = one("npubench_seconds", kernel="gemm", target="h100", kind="predicted",
        params='dtype=bf16 m=64 n=64 k=64 note="quo\\te"\nline2', **base)
assert abs(v - 2e-6) < 1e-15, v
assert one("npubench_utilization", target="h100", **base) == 0.25
assert one("npubench_result_ok", target="tpu-v5e", status="unsupported", **base) == 0
assert one("npubench_result_ok", target="host", status="ok", **base) == 1
assert len(samples["npubench_seconds"]) == 2, samples["npubench_seconds"]
PY
}

"$NT" prom >"$T/prom.txt" 2>"$T/prom.err"
contains "$T/prom.err" "only the first is pushed"
expect 0 "$NT" post "$GW/metrics/job/npubench/instance/test-host" "$T/prom.txt" 0 \
	"Content-Type: text/plain; version=0.0.4; charset=utf-8" && contains "$T/out" "200 1"
expect 0 "$NT" get "$GW/metrics" 16777216
if check_metrics "$T/out"; then pass; else fail "the Pushgateway does not show the pushed metrics"; fi

# npubench push --format prometheus: a stored run, measured on the host and
# predicted on a chip, reaches the gateway under job npubench and the run's
# host, with the stored values.
export NPUBENCH_DB="$T/results.db"
chip=h100
"$NPUBENCH" profile show "$chip" >/dev/null 2>&1 || chip=""
expect 0 "$NPUBENCH" run --case 'stream op=copy n=4096' --target "host${chip:+,$chip}" --min-time 0.01
expect 0 "$NPUBENCH" push "$GW" --format prometheus && contains "$T/err" "pushed run 1"
expect 0 "$NT" get "$GW/metrics" 16777216
python3 - "$T/out" "$NPUBENCH_DB" "$chip" <<'PY' && pass || fail "the Pushgateway does not show the pushed run"
import re, sqlite3, sys
text = open(sys.argv[1]).read()
db = sqlite3.connect(sys.argv[2])
host, uuid = db.execute("SELECT hostname, uuid FROM runs WHERE id = 1").fetchone()
rows = db.execute("SELECT target, kind, seconds, throughput, unit, case_text, util "
                  "FROM results WHERE run_id = 1 AND status = 'ok'").fetchall()
assert len(rows) == (2 if sys.argv[3] else 1), rows
lab = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
def sample(name, target):
    for line in text.splitlines():
        m = re.match(name + r'\{(.*)\} (\S+)$', line)
        if not m:
            continue
        labels = dict(lab.findall(m.group(1)))
        if labels.get("run") == uuid and labels.get("target") == target:
            return labels, float(m.group(2))
    raise AssertionError("no %s for %s in run %s in\n%s" % (name, target, uuid, text[:3000]))
for target, kind, seconds, tput, unit, case, util in rows:
    labels, v = sample("npubench_seconds", target)
    want = dict(job="npubench", instance=host, host=host, kernel="stream",
                params=case.split(" ", 1)[1], kind=kind)
    for k, w in want.items():
        assert labels.get(k) == w, (k, w, labels)
    assert abs(v - seconds) <= 1e-12 * seconds, (v, seconds)
    labels, v = sample("npubench_throughput", target)
    assert labels["unit"] == unit, labels
    assert abs(v - tput) <= 1e-12 * tput, (v, tput)
    assert sample("npubench_result_ok", target)[1] == 1
    if kind == "predicted":
        assert abs(sample("npubench_utilization", target)[1] - util) <= 1e-12 * util
PY
expect 0 "$NPUBENCH" push "$GW" --format prometheus --pending && contains "$T/err" "nothing pending"
lacks "$T/pgw.log" "level=error"
finish
