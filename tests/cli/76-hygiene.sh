# Measurement hygiene: a run registers while it measures; another npubench
# measurement sharing the machine is warned about and flags the results
# (stored); a stale registration is ignored; progress refreshes during a case.
. "$NB_SRCDIR/tests/cli/lib.sh"
export NPUBENCH_DB="$T/db.sqlite"
A="$NPUBENCH_ACTIVE_DIR"

# A live registration: one process holding the lock, as a run holds its own.
mkdir -p "$A"
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w")
fcntl.flock(f, fcntl.LOCK_EX)
f.write("npubench run --suite default\n")
f.flush()
open(sys.argv[1].rsplit("/", 1)[0] + "/.ready-4242", "w").close()
time.sleep(60)' "$A/4242" &
holder=$!
for i in $(seq 1 100); do [ -e "$A/.ready-4242" ] && break; sleep 0.1; done
rm -f "$A/.ready-4242"
expect 0 "$NPUBENCH" run --target host --threads 1 --min-time 0.05 --case 'stream op=copy n=4096' --tag shared
contains "$T/err" "other npubench measurement(s) share this machine (pid 4242: npubench run --suite default)"
contains "$T/err" "flagged loaded or concurrent_run"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results r join runs u on u.id = r.run_id
	where u.tag = 'shared' and r.flags like '%concurrent_run%'")" = 1 ] && pass \
	|| fail "a result measured beside another run is not flagged concurrent_run"
kill "$holder"; wait "$holder" 2>/dev/null

# Its lock died with it: the file is stale, ignored and removed.
expect 0 "$NPUBENCH" run --target host --threads 1 --min-time 0.05 --case 'stream op=copy n=4096' --tag alone
lacks "$T/err" "share this machine"
[ ! -e "$A/4242" ] && pass || fail "the stale registration was not removed"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results r join runs u on u.id = r.run_id
	where u.tag = 'alone' and r.flags like '%concurrent_run%'")" = 0 ] && pass \
	|| fail "a result measured alone is flagged concurrent_run"
# No registration is left behind.
[ -z "$(ls "$A")" ] && pass || fail "registrations left: $(ls "$A")"

# Two real runs: the first registers while it measures and flags its long
# case when the second appears during it.
"$NPUBENCH" run --target host --threads 1 --min-time 4 --max-reps 1000000 --stable 0 \
	--case 'stream op=copy n=65536' --tag first >"$T/first.out" 2>"$T/first.err" &
first=$!
for i in $(seq 1 100); do [ -n "$(ls "$A")" ] && break; sleep 0.1; done
reg=$(ls "$A")
[ "$reg" = "$first" ] && pass || fail "the run did not register as '$first' (found '$reg')"
flock -n "$A/$first" true && fail "the registration is not locked" || pass
# The second outlasts the first's measurement (however long the first takes
# to start measuring on a loaded machine), so the first must see it.
expect 0 "$NPUBENCH" run --target host --threads 1 --min-time 6 --max-reps 1000000 --stable 0 \
	--case 'stream op=copy n=4096' --tag second
contains "$T/err" "(pid $first: "
wait "$first" && pass || fail "the first run failed: $(cat "$T/first.err")"
[ "$(sqlite3 "$NPUBENCH_DB" "select count(*) from results r join runs u on u.id = r.run_id
	where u.tag = 'first' and r.flags like '%concurrent_run%'")" = 1 ] && pass \
	|| fail "the first run did not flag the case the second ran beside: $(cat "$T/first.err"; sqlite3 "$NPUBENCH_DB" "select u.tag, r.flags from results r join runs u on u.id = r.run_id")"
# Flags reach the exports.
expect 0 "$NPUBENCH" export --format csv
contains "$T/out" "concurrent_run"

# Progress on a terminal: the case's own time and an estimate, refreshed
# while the case runs, not only between cases.
if command -v script >/dev/null 2>&1; then
	script -qec "'$NPUBENCH' run --target host --threads 1 --min-time 1 --stable 0 --max-reps 1000000 \
		--case 'stream op=copy n=4096' --case 'stream op=scale n=4096'" /dev/null >"$T/tty" 2>&1
	tr '\r' '\n' <"$T/tty" >"$T/progress"
	contains "$T/progress" "[1/2] stream op=copy"
	[ "$(grep -c '\[1/2\] .* case .*, elapsed .*, ~.* left' "$T/progress")" -ge 2 ] && pass \
		|| fail "no live progress with an estimate during the first case"
else
	echo "SKIP: progress on a terminal: script(1) is missing"
fi
finish
