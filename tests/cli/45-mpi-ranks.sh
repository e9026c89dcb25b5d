# Under mpirun: a kernel that runs on every rank at once is stored per rank
# (target host/rankN) beside the aggregate (target host: every rank's work
# over the slowest rank's time); --case-timeout stops every rank together,
# and a rank that stops answering cannot hang the run: the watchdog stops
# every rank, the finished results stay and the run is marked interrupted.
# SKIP (77) without mpirun or in a build without MPI.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/m.db"
mpi_setup

# Per rank and the aggregate; the collective stays one row.
expect 0 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host --format csv --quiet $fast \
	--case 'stream op=triad dtype=fp32 n=65536' --case 'collective bytes=4096'
lines "$T/out" 5
contains "$T/out" ",host/rank0,measured,ok,"
contains "$T/out" ",host/rank1,measured,ok,"
python3 - "$DB" "$(hostname)" <<'PY' && pass || fail "per-rank rows and the aggregate"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select seq, target, bytes, seconds, throughput, message, kernel from results order by seq").fetchall()
assert [r[1] for r in rows] == ["host", "host/rank0", "host/rank1", "host"], rows
agg, r0, r1 = rows[0], rows[1], rows[2]
assert agg[2] == 2 * r0[2] == 2 * r1[2], rows           # the work of both ranks
assert abs(agg[4] * agg[3] / agg[2] - 1) < 1e-9, agg    # throughput = work / time
# the aggregate's time is the slowest rank's per sample: never below either median
assert agg[3] >= min(r0[3], r1[3]) * 0.999, rows
assert "2 ranks at once" in agg[5] and "rank 1 of 2 on " + sys.argv[2] in r1[5], rows
assert rows[3][6] == "collective"
n = db.execute("select count(*) from samples s join results r on r.id = s.result_id where r.target like 'host/rank%'").fetchone()[0]
assert n == 6, n
PY

# --case-timeout under mpirun: every rank stops the case together, the run
# goes on to the next case.
start=$(date +%s)
expect 1 timeout 120 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host --quiet --tag slow \
	--min-time 600 --min-reps 3 --max-reps 1000000 --stable 0 --case-timeout 1 \
	--case 'collective bytes=4096' --case 'collective bytes=8192'
[ $(($(date +%s) - start)) -lt 100 ] && pass || fail "--case-timeout did not stop the ranks"
contains "$T/err" "stopped after 1 s (--case-timeout)"
[ "$(sqlite3 "$DB" "select count(*) from results r join runs u on u.id = r.run_id where u.tag = 'slow' and r.message like 'stopped after%'")" = 2 ] \
	&& pass || fail "the timed-out cases are not both stored"

# A rank that stops answering (SIGSTOP): rank 0's watchdog, --case-timeout
# plus its grace later, marks the run interrupted and stops every rank.
$MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target h100,host --tag hangs --case-timeout 30 \
	--case 'collective bytes=4096' --min-time 600 --min-reps 3 --max-reps 1000000 --stable 0 \
	>/dev/null 2>"$T/hang.err" &
mpid=$!
victim=$(mpi_rank1 hangs)
[ -n "$victim" ] && kill -STOP "$victim" && pass || fail "no rank 1 to stop"
start=$(date +%s)
wait $mpid
rc=$?
[ "$rc" -ne 0 ] && [ $(($(date +%s) - start)) -lt 120 ] && pass || fail "the hung rank was not caught (exit $rc)"
[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
contains "$T/hang.err" "still waiting on the other ranks"
contains "$T/hang.err" "keeps its 1 finished result(s)"
[ "$(sqlite3 "$DB" "select status from runs where tag = 'hangs'")" = interrupted ] && pass ||
	fail "run with a hung rank not marked interrupted"
[ "$(sqlite3 "$DB" "select count(*) from results r join runs u on u.id = r.run_id where u.tag = 'hangs' and r.target = 'h100-sxm'")" = 1 ] \
	&& pass || fail "the finished result was lost"
finish
