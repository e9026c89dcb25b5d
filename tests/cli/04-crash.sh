# Crash safety: kill -9 and Ctrl-C during a run keep every finished result
# and a consistent database; two runs writing one database lose nothing.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/c.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
cat >"$T/long.json" <<'J'
{ "name": "long", "cases": [ { "kernel": "stream", "op": ["copy", "scale", "add", "triad", "sum", "fill"],
  "n": [65536, 131072, 262144, 524288] } ] }
J
slow="--min-time 0.25 --min-reps 3 --max-reps 100000 --stable 0"

# Waits until the database holds at least N results (bounded).
wait_results() {
	for _ in $(seq 200); do
		c=$(sqlite3 "$DB" 'select count(*) from results' 2>/dev/null || echo 0)
		[ "${c:-0}" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# kill -9 in the middle of a run.
"$NPUBENCH" --db "$DB" run --suite "$T/long.json" --target host $slow >/dev/null 2>&1 &
pid=$!
wait_results 2 && pass || fail "no result appeared"
kill -9 $pid
wait $pid 2>/dev/null
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && pass || fail "integrity after kill -9"
kept=$(sqlite3 "$DB" 'select count(*) from results where run_id = 1')
[ "$kept" -ge 2 ] && [ "$kept" -lt 24 ] && pass || fail "kept $kept results after kill -9"
[ "$(sqlite3 "$DB" 'select count(*) from results r where run_id = 1 and n_samples <> (select count(*) from samples s where s.result_id = r.id)')" = 0 ] \
	&& pass || fail "a result lost its samples"
# The next open notices the dead process and marks the run interrupted.
expect 0 nb list runs && contains "$T/out" "interrupted"

# SIGINT (Ctrl-C): the run says what it kept, exits 130, marked interrupted.
"$NPUBENCH" --db "$DB" run --suite "$T/long.json" --target host $slow >"$T/int.out" 2>"$T/int.err" &
pid=$!
before=$(sqlite3 "$DB" 'select count(*) from results')
wait_results $((before + 1)) && pass || fail "no result appeared before SIGINT"
kill -INT $pid
wait $pid
status=$?
[ $status -eq 130 ] && pass || fail "SIGINT exit status $status, expected 130"
contains "$T/int.err" "interrupted: run 2 keeps"
[ "$(sqlite3 "$DB" 'select status from runs where id = 2')" = interrupted ] && pass || fail "run 2 not interrupted"
[ "$(sqlite3 "$DB" 'select count(*) from results where run_id = 2')" -ge 1 ] && pass || fail "run 2 lost results"

# Two processes writing the same database at once lose nothing.
fast="--min-time 0.02 --min-reps 3 --max-reps 50"
"$NPUBENCH" --db "$DB" run --suite "$T/long.json" --target host --threads 1 $fast --tag a >/dev/null 2>"$T/a.err" &
a=$!
"$NPUBENCH" --db "$DB" run --suite "$T/long.json" --target host --threads 1 $fast --tag b >/dev/null 2>"$T/b.err" &
b=$!
wait $a; sa=$?
wait $b; sb=$?
[ $sa -eq 0 ] && [ $sb -eq 0 ] && pass || { fail "concurrent runs exited $sa and $sb"; cat "$T/a.err" "$T/b.err" >&2; }
for tag in a b; do
	n=$(sqlite3 "$DB" "select count(*) from results x join runs r on r.id = x.run_id where r.tag = '$tag'")
	[ "$n" = 24 ] && pass || fail "run tagged $tag stored $n of 24 results"
done
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && pass || fail "integrity after concurrent runs"
finish
