# npubench push --format json against a loopback server: 200, 500-then-200,
# 400 and 503 answers, --pending, headers, and every attempt recorded while
# the results stay in the database.
. "$NB_SRCDIR/tests/cli/lib.sh"
. "$NB_SRCDIR/tests/cli/net-lib.sh"

export NPUBENCH_DB="$T/results.db"
http_server "$T/srv"
U="http://127.0.0.1:$HTTP_PORT"

# pushes URL: "OK FAILED" attempts recorded for URL (python's sqlite3).
pushes() {
	python3 - "$NPUBENCH_DB" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("SELECT count(*) FROM pushes WHERE url = ? AND ok = 1", (sys.argv[2],)).fetchone()[0]
bad = db.execute("SELECT count(*) FROM pushes WHERE url = ? AND ok = 0", (sys.argv[2],)).fetchone()[0]
print(ok, bad)
PY
}
# recorded URL WANT: pushes URL prints WANT.
recorded() {
	got=$(pushes "$1")
	if [ "$got" = "$2" ]; then pass; else fail "pushes to $1: '$got', expected '$2'"; fi
}

# Usage errors come before anything is opened or sent.
expect 2 "$NPUBENCH" push && contains "$T/err" "push needs a URL"
expect 2 "$NPUBENCH" push ftp://x/ && contains "$T/err" "not an http:// or https:// URL"
expect 2 "$NPUBENCH" push "$U/ok" --format xml && contains "$T/err" "--format 'xml': unknown format (use json or prometheus)"
expect 2 "$NPUBENCH" push "$U/ok" --run 1 --pending && contains "$T/err" "exclude each other"
expect 2 "$NPUBENCH" push "$U/ok" --header 'no colon' && contains "$T/err" "expected 'Name: value'"
expect 2 "$NPUBENCH" push "$U/ok" --header "$(printf 'X-A: 1\r\nX-B: 2')" && contains "$T/err" "--header"
expect 2 "$NPUBENCH" push "$U/ok" --timeout -1 && contains "$T/err" "--timeout"
expect 2 "$NPUBENCH" push "$U/ok" --retries 99 && contains "$T/err" "--retries"
[ ! -e "$T/srv/post-1" ] && pass || fail "a usage error sent something"

# Nothing stored yet: no run to push.
expect 1 "$NPUBENCH" push "$U/ok"

for i in 1 2; do
	expect 0 "$NPUBENCH" run --case 'stream op=copy n=4096' --target host --min-time 0.01
done

# --dry-run prints and neither sends nor records.
expect 0 "$NPUBENCH" push "$U/ok" --dry-run && contains "$T/err" "would push run 2 to $U/ok as json"
contains "$T/out" '"schema":'
expect 0 "$NPUBENCH" push "$U/ok" --dry-run --format prometheus && contains "$T/err" "/metrics/job/npubench/instance/"
contains "$T/out" "# TYPE npubench_seconds gauge"
contains "$T/out" 'npubench_seconds{kernel="stream",params="op=copy'
[ ! -e "$T/srv/post-1" ] && pass || fail "--dry-run sent something"
recorded "$U/ok" "0 0"

expect 0 "$NPUBENCH" push "$U/ok" --header 'X-Token: s3cret' && contains "$T/err" "pushed run 2"
contains "$T/srv/post-1" "/ok application/json"
contains "$T/srv/post-1" "X-Token: s3cret"
# The run's UUID is the idempotency key: a receiver can drop a second
# delivery of the same run (delivery is at least once).
contains "$T/srv/post-1" "Idempotency-Key: $(sqlite3 "$NPUBENCH_DB" 'select uuid from runs where id = 2')"
sed '1,/^$/d' "$T/srv/post-1" >"$T/body.json"
python3 - "$T/body.json" <<'PY' && pass || fail "the pushed body is not the export JSON of run 2"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "npubench-run", d.get("schema")
assert d["run"]["id"] == 2, d["run"]
assert len(d["results"]) == 1 and d["results"][0]["kernel"] == "stream", d["results"]
PY
recorded "$U/ok" "1 0"

# 500 then 200: retried, recorded once as pushed.
expect 0 "$NPUBENCH" push "$U/flaky" --run 1 --retries 2 && contains "$T/err" "HTTP 500"
contains "$T/err" "pushed run 1"
recorded "$U/flaky" "1 0"
uuid1=$(sqlite3 "$NPUBENCH_DB" 'select uuid from runs where id = 1')
contains "$T/srv/post-2" "Idempotency-Key: $uuid1"
contains "$T/srv/post-3" "Idempotency-Key: $uuid1"

# 400: not retried; the status and the start of the body are reported.
expect 1 "$NPUBENCH" push "$U/bad" && contains "$T/err" "HTTP 400"
contains "$T/err" 'field \"results\" is required'
lacks "$T/err" "retrying"
recorded "$U/bad" "0 1"

# --pending: run 1 is still pending for /ok, run 2 is not.
expect 0 "$NPUBENCH" push "$U/ok" --pending && contains "$T/err" "pushed run 1"
lacks "$T/err" "pushed run 2"
recorded "$U/ok" "2 0"
expect 0 "$NPUBENCH" push "$U/ok" --pending && contains "$T/err" "nothing pending"
recorded "$U/ok" "2 0"

# A server that stays down: bounded retries, the rest kept for later.
expect 1 "$NPUBENCH" push "$U/down" --pending --retries 1 && contains "$T/err" "HTTP 503"
contains "$T/err" "after 2 attempts"
contains "$T/err" "1 more run(s) not attempted"
recorded "$U/down" "0 1"
# Offline: nobody listens; the runs stay pending and are pushed later.
port=$(free_port)
OFF="http://127.0.0.1:$port/ok"
expect 1 "$NPUBENCH" push "$OFF" --pending --retries 0 --timeout 5
recorded "$OFF" "0 1"

# Taken offline, pushed later: both runs wait until the server is back.
expect 1 "$NPUBENCH" push "$U/later" --pending --retries 0 && contains "$T/err" "HTTP 503"
recorded "$U/later" "0 1"
expect 0 "$NB_BUILDDIR/tests/net-tool" get "$U/later-up"
expect 0 "$NPUBENCH" push "$U/later" --pending && contains "$T/err" "pushed run 1"
contains "$T/err" "pushed run 2"
recorded "$U/later" "2 1"
expect 0 "$NPUBENCH" push "$U/later" --pending && contains "$T/err" "nothing pending"

# Results are never removed by pushing.
expect 0 "$NPUBENCH" list runs && contains "$T/out" "complete"
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM results").fetchone()[0])' "$NPUBENCH_DB")
[ "$n" = 2 ] && pass || fail "$n results left, expected 2"
finish
