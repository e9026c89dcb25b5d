# A run stops inside a long case: Ctrl-C within about a second, keeping
# what finished; --case-timeout abandons a case and goes on with the next.
. "$NB_SRCDIR/tests/cli/lib.sh"
export NPUBENCH_DB="$T/db.sqlite"
fast="--min-time 0.01 --min-reps 3 --max-reps 5"
long='attention seq_q=16777216 heads=1 head_dim=1'

# SIGINT during one execution that would take many minutes (stopped within
# about a second on a quiet machine; 10 s leaves room for a loaded one).
"$NPUBENCH" run --target host --threads 1 $fast --case 'stream op=copy n=4096' --case "$long" \
	>"$T/out" 2>"$T/err" &
pid=$!
# Wait until the long case has begun (its setup fills 200 MB first).
for i in $(seq 1 100); do
	[ "$(sqlite3 "$NPUBENCH_DB" 'select count(*) from results' 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
sleep 2
start=$(date +%s.%N)
kill -INT "$pid"
wait "$pid"
rc=$?
took=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$(date +%s.%N)")
[ "$rc" -ne 0 ] && pass || fail "an interrupted run exited 0"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$took" && pass \
	|| fail "SIGINT took $took s to stop the run"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results where kernel = 'stream' and status = 'ok'")" = 1 ] \
	&& pass || fail "the finished case was not kept"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results where kernel = 'attention'")" = 0 ] \
	&& pass || fail "a half-measured case was stored"
contains "$T/err" "interrupted"

# --case-timeout: the long case is stopped and recorded; the next one runs.
start=$(date +%s)
expect 1 "$NPUBENCH" run --target host --threads 1 $fast --case-timeout 2 --case "$long" \
	--case 'stream op=copy n=8192'
[ $(( $(date +%s) - start )) -lt 30 ] && pass || fail "--case-timeout 2 took $(( $(date +%s) - start )) s"
contains "$T/out" "stopped after 2 s (--case-timeout)"
[ "$(sqlite3 "$NPUBENCH_DB" "select status from results where kernel = 'attention'")" = error ] \
	&& pass || fail "the timed-out case is not recorded as an error"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results where kernel = 'stream' and status = 'ok'")" = 2 ] \
	&& pass || fail "the case after the timeout did not run"
expect 2 "$NPUBENCH" run --target host --case-timeout 0 --case 'stream op=copy n=4096'
contains "$T/err" "--case-timeout '0'"

finish
