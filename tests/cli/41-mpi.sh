# Collectives measured across MPI ranks on this machine (shared memory):
# `mpirun -np N npubench run` runs the cases in step, rank 0 alone stores
# and prints.  SKIP (77) without mpirun or in a build without MPI.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/m.db"
mpi_setup

# The done-when case: one row from rank 0, ranks = the world size, stored.
expect 0 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host \
	--case 'collective op=allreduce dtype=fp32 bytes=67108864' --format csv --quiet $fast
lines "$T/out" 2
contains "$T/out" '""ranks"":2'
contains "$T/out" "algbw"
contains "$T/out" ",host,measured,ok,"
[ "$(sqlite3 "$DB" "select count(*) from results where kernel = 'collective' and status = 'ok'")" = 1 ] \
	&& pass || fail "the database lacks the collective result"
sqlite3 "$DB" "select options_json from runs" >"$T/opts"
contains "$T/opts" '"world_size":2'
contains "$T/opts" '"library":"Open MPI'

# Four ranks, every operation, bf16 reductions exact; the bus bandwidth is
# algbw x the operation's factor.
for op in allreduce allgather reducescatter alltoall broadcast sendrecv; do
	expect 0 $MPIRUN -np 4 "$NPUBENCH" --db "$DB" run --target host \
		--case "collective op=$op dtype=bf16 bytes=65536" --format csv --quiet $fast
	contains "$T/out" ",host,measured,ok,"
done
python3 - "$DB" <<'PY' && pass || fail "4 ranks: busbw factors"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
f = {"allreduce": 1.5, "allgather": 0.75, "reducescatter": 0.75, "alltoall": 0.75, "broadcast": 1, "sendrecv": 1}
rows = db.execute("select params_json, throughput, seconds from results where params_json like '%\"ranks\":4%'").fetchall()
assert len(rows) == 6, rows
for p, thr, sec in rows:
    p = json.loads(p)
    assert abs(thr * sec / p["bytes"] - f[p["op"]]) < 1e-9, (p, thr, sec)
PY

# Ranks that disagree on the case, a size the ranks do not divide.
expect 2 $MPIRUN -np 2 sh -c 'exec "$0" --db "$1" run --target host --quiet \
	--case "collective bytes=$((1024 * (1 + ${OMPI_COMM_WORLD_RANK:-0})))"' "$NPUBENCH" "$DB"
once "$T/err" "ranks disagree on the cases"
expect 2 $MPIRUN -np 4 "$NPUBENCH" --db "$DB" run --target host \
	--case 'collective op=reducescatter dtype=fp32 bytes=8'
once "$T/err" "do not divide among ranks=4"
expect 2 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host \
	--case 'collective op=allgather dtype=fp32 bytes=8 ranks=4'
once "$T/err" "do not divide among ranks=4"

# An error every rank meets is printed once, by rank 0, and every rank
# exits with its status: in run (MPI initialised) and in a command that
# stays one process a rank (the launcher's environment tells the rank).
expect 2 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target nochip --case gemm
once "$T/err" "unknown target 'nochip'"
expect 2 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target host --case bogus
once "$T/err" "unknown kernel 'bogus'"
once "$T/err" "usage: npubench run"
expect 2 $MPIRUN -np 2 "$NPUBENCH" --db "$DB" list runz
once "$T/err" "cannot list 'runz'"
once "$T/err" "usage: npubench list"
lacks "$T/err" "rank 1"

# Every command but run and profile probe runs once, on rank 0: its output
# once, its files and stores once, the other ranks quiet with its status.
"$NPUBENCH" --db "$DB" list runs >"$T/one-list"
"$NPUBENCH" --db "$DB" export --format json >"$T/one.json"
"$NPUBENCH" --db "$DB" info >"$T/one-info"
for np in 2 4; do
	expect 0 $MPIRUN -np $np "$NPUBENCH" --db "$DB" list runs
	cmp -s "$T/out" "$T/one-list" && pass || fail "$np ranks: list runs differs from one process's"
	expect 0 $MPIRUN -np $np "$NPUBENCH" --db "$DB" info
	lines "$T/out" "$(wc -l <"$T/one-info")"
	expect 0 $MPIRUN -np $np "$NPUBENCH" --version
	lines "$T/out" 1
	expect 0 $MPIRUN -np $np "$NPUBENCH" --db "$DB" export --format json -o "$T/x$np.json"
	lines "$T/out" 0
	cmp -s "$T/x$np.json" "$T/one.json" && pass || fail "$np ranks: the exported file differs"
	# An import stores once: a second rank importing the same run would
	# find it there already (or race on the database).
	expect 0 $MPIRUN -np $np "$NPUBENCH" --db "$T/imp$np.db" import "$T/one.json"
	once "$T/err" "imported run"
	lacks "$T/err" "already in"
	n=$(sqlite3 "$T/imp$np.db" "select count(*) from runs")
	[ "$n" = 1 ] && pass || fail "$np ranks: import stored $n runs"
	expect 1 $MPIRUN -np $np "$NPUBENCH" --db "$DB" show 999999
	once "$T/err" "no run '999999'"
	lacks "$T/err" "rank 1"
	expect 0 $MPIRUN -np $np "$NPUBENCH" --db "$DB" compare --help
	lines "$T/out" "$("$NPUBENCH" compare --help | wc -l)"
done
# The file is written by one rank: one open for writing across the ranks.
if strace -f -o /dev/null true 2>/dev/null; then
	expect 0 $MPIRUN -np 4 sh -c 'exec strace -f -e trace=openat,rename -o "$0.${OMPI_COMM_WORLD_RANK:-0}" "$@"' \
		"$T/trace" "$NPUBENCH" --db "$DB" export --format csv -o "$T/x.csv"
	n=$(cat "$T"/trace.* | grep -c 'rename(.*x\.csv"')
	[ "$n" = 1 ] && pass || fail "4 ranks: $T/x.csv replaced $n times"
else
	echo "strace cannot trace here: the written-once count is not checked"
fi

# A rank that dies mid-run: the results finished before it (a prediction
# and a measured collective) stay, the run is marked interrupted at the
# next open.  The second host case is long enough to be killed in.
$MPIRUN -np 2 "$NPUBENCH" --db "$DB" run --target h100,host --tag dies \
	--case 'collective bytes=4096' --case 'collective bytes=67108864' \
	--min-time 0 --min-reps 5000 --max-reps 1000000 --stable 0 >/dev/null 2>&1 &
mpid=$!
victim=$(mpi_rank1 dies host)
[ -n "$victim" ] && kill -9 "$victim" && pass || fail "no rank 1 to kill"
wait $mpid
for _ in $(seq 100); do	# rank 0 may outlive mpirun for a moment
	pgrep -f "tag dies" >/dev/null || break
	sleep 0.1
done
expect 0 "$NPUBENCH" --db "$DB" list runs
st=$(sqlite3 "$DB" "select status from runs where tag = 'dies'")
[ "$st" = interrupted ] && pass ||
	fail "run with a dead rank not marked interrupted"
sqlite3 "$DB" "select r.target, r.status, r.case_text from results r join runs u on u.id = r.run_id
	where u.tag = 'dies' order by r.id" >"$T/dies"
contains "$T/dies" "h100-sxm|ok|collective op=allreduce dtype=fp32 bytes=4096 ranks=8"
contains "$T/dies" "host|ok|collective op=allreduce dtype=fp32 bytes=4096 ranks=2"
lacks "$T/dies" "host|ok|collective op=allreduce dtype=fp32 bytes=67108864"
finish
