# A database that is locked, read-only, corrupt, foreign or from a newer
# schema, and an unwritable folder: a clear one-line error, nothing lost.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/s.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
fast="--min-time 0.01 --min-reps 3 --max-reps 10"
case_="stream op=copy n=4096"

expect 0 nb run --case "$case_" --target host $fast

# Locked: another process holds the write lock.
NPUBENCH_BUSY_TIMEOUT_MS=300; export NPUBENCH_BUSY_TIMEOUT_MS
( echo 'BEGIN EXCLUSIVE; INSERT INTO pushes (run_id, url, format, at, ok) VALUES (1, "x", "json", "t", 0);'; sleep 3; echo 'ROLLBACK;' ) | sqlite3 "$DB" &
locker=$!
sleep 0.5
expect 1 nb run --case "$case_" --target host $fast && contains "$T/err" "is locked by another process"
lines "$T/err" 1
wait $locker
unset NPUBENCH_BUSY_TIMEOUT_MS
[ "$(sqlite3 "$DB" 'select count(*) from runs')" = 1 ] && pass || fail "the locked attempt left a run"

# Newer schema than this build.
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" 'PRAGMA user_version = 42'
expect 1 "$NPUBENCH" --db "$T/newer.db" list runs && contains "$T/err" "newer than this npubench understands"
# Corrupt: garbage, and a real database with its pages overwritten.
head -c 8192 /dev/urandom >"$T/garbage.db"
expect 1 "$NPUBENCH" --db "$T/garbage.db" list runs && contains "$T/err" "corrupt or not a database"
cmp -s "$T/garbage.db" "$T/garbage.db" && pass
# Truncated: a real database cut short (a copy interrupted), for a reading
# and a writing command; one line naming the file.
head -c 3000 "$DB" >"$T/trunc.db"
expect 1 "$NPUBENCH" --db "$T/trunc.db" list runs && contains "$T/err" "'$T/trunc.db' is corrupt"
lines "$T/err" 1
expect 1 "$NPUBENCH" --db "$T/trunc.db" run --case "$case_" --target h100 && contains "$T/err" "corrupt"
lines "$T/err" 1
# Another program's database is not touched.
sqlite3 "$T/other.db" 'CREATE TABLE mine (x); INSERT INTO mine VALUES (1);'
cp "$T/other.db" "$T/other.orig"
expect 1 "$NPUBENCH" --db "$T/other.db" run --case "$case_" --target host && contains "$T/err" "another program"
cmp -s "$T/other.db" "$T/other.orig" && pass || fail "another program's database was modified"
# A folder where the database should be.
mkdir "$T/adir"
expect 1 "$NPUBENCH" --db "$T/adir" list runs && contains "$T/err" "adir"

# A mistyped --db: a command that only reads says no database is there,
# naming the path, and creates neither the file nor its folders.
for cmd in "list runs" "show last" "export --format csv"; do
	expect 1 "$NPUBENCH" --db "$T/nosuch/dir/x.db" $cmd
	contains "$T/err" "no database at '$T/nosuch/dir/x.db'"
	lines "$T/err" 1
	[ ! -e "$T/nosuch" ] && pass || fail "'$cmd' created '$T/nosuch'"
done
# A missing file in a folder that exists: the same, and no file left.
expect 1 "$NPUBENCH" --db "$T/typo.db" compare runs 1 2 && contains "$T/err" "no database at '$T/typo.db'"
[ ! -e "$T/typo.db" ] && pass || fail "compare runs created '$T/typo.db'"
# Stored results only enrich compare chips: its table stands without them,
# as on a fresh machine, and nothing is created.
expect 0 "$NPUBENCH" --db "$T/nosuch/dir/x.db" compare chips a100 h100
contains "$T/out" "a100" && contains "$T/out" "h100"
[ ! -e "$T/nosuch" ] && pass || fail "compare chips created '$T/nosuch'"
# ...while one given --run needs the database.
expect 1 "$NPUBENCH" --db "$T/nosuch/dir/x.db" compare chips a100 h100 --run 1
contains "$T/err" "no database at '$T/nosuch/dir/x.db'"
[ ! -e "$T/nosuch" ] && pass || fail "compare chips --run created '$T/nosuch'"
# A writing command still creates both.
expect 0 "$NPUBENCH" --db "$T/new/dir/n.db" run --case "$case_" --target h100
[ -f "$T/new/dir/n.db" ] && pass || fail "run did not create '$T/new/dir/n.db'"

# Read-only file and unwritable folder: run as an unprivileged user (root
# writes anywhere), when setpriv and the nobody user exist.
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
	chmod 755 "$T"
	mkdir -p "$T/ro"
	cp "$DB" "$T/ro/s.db"
	chmod 444 "$T/ro/s.db"
	chmod 555 "$T/ro"
	HOME=/nonexistent expect 1 asnobody "$NPUBENCH" --db "$T/ro/s.db" run --case "$case_" --target host $fast
	contains "$T/err" "read-only"
	lines "$T/err" 1
	# ...but it can still be read.
	expect 0 asnobody "$NPUBENCH" --db "$T/ro/s.db" list runs && contains "$T/out" "complete"
	expect 0 asnobody "$NPUBENCH" --db "$T/ro/s.db" show 1 && contains "$T/out" "$case_"
	mkdir -p "$T/locked"
	chmod 555 "$T/locked"
	expect 1 asnobody "$NPUBENCH" --db "$T/locked/sub/new.db" run --case "$case_" --target h100
	contains "$T/err" "cannot create folder"
	# A new database in a folder that exists but is read-only: the folder
	# named, not SQLite's bare "unable to open database file".
	expect 1 asnobody "$NPUBENCH" --db "$T/locked/new.db" run --case "$case_" --target h100
	contains "$T/err" "cannot create database '$T/locked/new.db': folder '$T/locked' is not writable"
	lines "$T/err" 1
	chmod 755 "$T/ro" "$T/locked"
else
	echo "SKIP: read-only checks need setpriv and the nobody user" >&2
fi
# The original database is intact and still has its run.
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] && pass || fail "integrity"
expect 0 nb show 1 && contains "$T/out" "$case_"
finish
