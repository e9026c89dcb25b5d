# npubench run: cases, output formats, the store, and bad input.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/r.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
fast="--min-time 0.01 --min-reps 3 --max-reps 20"

expect 0 nb run --case 'stream op=copy dtype=fp32 n=4096' --case 'stream op=sum n=1000' --target host $fast
contains "$T/out" "stream op=copy dtype=fp32 n=4096"
contains "$T/out" "measured, "
contains "$T/err" "run 1 ("
lines "$T/out" 3
expect 0 nb list runs && contains "$T/out" "complete"
expect 0 nb show 1 && contains "$T/out" "stream op=sum dtype=fp64 n=1000"
[ "$(sqlite3 "$DB" 'select count(*) from samples s join results r on r.id = s.result_id where r.run_id = 1')" -ge 6 ] && pass || fail "samples not stored"
[ "$(sqlite3 "$DB" "select status from runs where id = 1")" = complete ] && pass || fail "run not complete"
sqlite3 "$DB" "select seed, distribution, host_json, options_json from runs where id=1" >"$T/meta"
contains "$T/meta" "xoshiro256"
contains "$T/meta" '"cpu_model"'
contains "$T/meta" '"threads":'

# --set overrides, --tag, the default thread count is stored
expect 0 nb run --case 'stream op=copy n=4096' --set n=8192 --set dtype=fp32 --target host --tag 'my tag' $fast
contains "$T/out" "stream op=copy dtype=fp32 n=8192"
[ "$(sqlite3 "$DB" "select tag from runs where id = 2")" = "my tag" ] && pass || fail "tag not stored"
[ "$(sqlite3 "$DB" "select threads from results where run_id = 2")" -ge 1 ] && pass || fail "threads not stored"

# --threads 1
expect 0 nb run --case 'stream op=triad n=4096' --threads 1 --target host $fast
[ "$(sqlite3 "$DB" "select threads from results where run_id = 3")" = 1 ] && pass || fail "--threads 1 not stored"

# CSV: header plus one row per result, parsed by a real parser
expect 0 nb run --case 'stream op=copy n=4096' --case 'stream op=fill n=4096' --target host --format csv $fast
python3 - "$T/out" <<'PY' && pass || fail "csv does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert len(rows) == 2, rows
assert rows[0]['kernel'] == 'stream' and rows[0]['target'] == 'host' and rows[0]['status'] == 'ok'
assert float(rows[0]['throughput']) > 0 and float(rows[1]['seconds']) > 0
PY
# JSON: one document, the export schema
expect 0 nb run --case 'stream op=copy n=4096' --target host --format json $fast
python3 - "$T/out" <<'PY' && pass || fail "json does not parse"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['schema'] == 'npubench-run' and d['run']['status'] == 'complete'
assert len(d['results']) == 1 and d['results'][0]['stats']['n'] >= 3
PY
# --dry-run lists and stores nothing
before=$(sqlite3 "$DB" 'select count(*) from runs')
expect 0 nb run --case 'stream op=copy n=4096' --target host --dry-run
lines "$T/out" 1
[ "$(sqlite3 "$DB" 'select count(*) from runs')" = "$before" ] && pass || fail "--dry-run stored a run"
# --quiet prints no table
expect 0 nb run --case 'stream op=copy n=4096' --target host --quiet $fast
lines "$T/out" 0
# a suite by file, filtered by kernel
cat >"$T/s.json" <<'J'
{ "name": "mine", "cases": [ { "kernel": "stream", "op": ["copy", "scale"], "n": [4096, 8192] } ] }
J
expect 0 nb run --suite "$T/s.json" --target host $fast
lines "$T/out" 5
expect 0 nb list suites && contains "$T/out" "quick"
expect 0 nb list kernels && contains "$T/out" "stream"
# Every choice list is whole: impl= names all it accepts, up to the last.
python3 - "$T/out" <<'PY' && pass || fail "list kernels: a choice list is cut short"
import sys
for line in open(sys.argv[1]):
    assert line.count("{") == line.count("}"), line
    if line.split()[0:1] == ["impl"]:
        assert "|xla|pallas|aclnn|synapse}" in line, line
PY
expect 0 nb list targets && contains "$T/out" "host"

# Bad input: one line naming the thing, exit 1 or 2, nothing stored.
before=$(sqlite3 "$DB" 'select count(*) from runs')
expect 2 nb run --case 'nosuch m=1' --target host && contains "$T/err" "unknown kernel 'nosuch'"
expect 2 nb run --case 'stream op=copy n=0x' --target host && contains "$T/err" "parameter n: '0x' is not an integer"
expect 2 nb run --case 'stream n=-4' --target host && contains "$T/err" "out of range"
expect 2 nb run --case 'stream n=99999999999999999999' --target host && contains "$T/err" "not an integer"
expect 2 nb run --case 'stream dtype=int4' --target host && contains "$T/err" "dtype 'int4' is not supported"
expect 2 nb run --case 'stream bogus=1' --target host && contains "$T/err" "has no parameter 'bogus'"
expect 2 nb run --case 'stream n=1T' --target host && contains "$T/err" "parameter n"
expect 1 nb run --case 'stream n=1099511627776' --target host && contains "$T/err" "GiB on the host"
expect 2 nb run --kernel 'nosuch*' --target host && contains "$T/err" "--kernel nosuch*: no such kernel"
expect 2 nb run --dtype fp99 --target host && contains "$T/err" "unknown dtype 'fp99'"
expect 2 nb run --case 'stream n=4096' --set m=3 --target host && contains "$T/err" "--set m=3: no selected case"
# A --set some selected cases cannot take is named, never dropped silently.
expect 0 nb run --dry-run --target h100 --case 'gemm m=64 n=64 k=64' \
	--case 'collective op=allreduce bytes=1048576' --set timing=call
contains "$T/err" "--set timing=call: not applied to the collective cases (no parameter 'timing')"
expect 0 nb run --dry-run --target h100 --case 'gemm m=64 n=64 k=64' --case 'stream n=4096' --set timing=call
lacks "$T/err" "not applied"
expect 2 nb run --case 'stream n=4096' --target nosuchchip && contains "$T/err" "unknown target 'nosuchchip'"
expect 2 nb run --suite nosuchsuite --target host && contains "$T/err" "no suite 'nosuchsuite'"
expect 1 nb run --suite "$T/missing.json" --target host && contains "$T/err" "cannot open"
echo '{"name":"x","cases":[{"kernel":"stream","n":"big"}]}' >"$T/bad.json"
expect 1 nb run --suite "$T/bad.json" --target host && contains "$T/err" "bad.json: case 1: parameter n: 'big' is not an integer"
echo '{"name":"x", "cases": [' >"$T/bad2.json"
expect 1 nb run --suite "$T/bad2.json" --target host && contains "$T/err" "malformed JSON"
expect 2 nb run --threads 0 && contains "$T/err" "--threads '0'"
expect 2 nb run --min-time -1 && contains "$T/err" "--min-time"
expect 2 nb run --format xml && contains "$T/err" "--format 'xml'"
expect 2 nb run --set novalue && contains "$T/err" "expected KEY=VALUE"
expect 2 nb run --min-reps 10 --max-reps 5 && contains "$T/err" "below --min-reps"
expect 2 nb run extra && contains "$T/err" "unexpected argument 'extra'"
expect 2 nb run --suite quick --case 'stream' && contains "$T/err" "cannot be combined"
[ "$(sqlite3 "$DB" 'select count(*) from runs')" = "$before" ] && pass || fail "a failed run stored something"
# Bandwidth under both conventions: cached stores add the write-allocate read.
expect 0 nb run --case 'stream op=triad n=65536 store=cached' --case 'stream op=triad n=65536 store=nt' --target host $fast
contains "$T/out" "with write-allocate"
last=$(sqlite3 "$DB" 'select max(id) from runs')
[ "$(sqlite3 "$DB" "select bytes_wa * 3 = bytes * 4 from results where run_id = $last and seq = 1")" = 1 ] \
	&& pass || fail "cached triad: bytes_wa is not 4/3 of the minimum bytes"
[ "$(sqlite3 "$DB" "select bytes_wa = bytes from results where run_id = $last and seq = 2")" = 1 ] \
	&& pass || fail "non-temporal triad: bytes_wa differs from the minimum bytes"

# Where the database lives: --db, then NPUBENCH_DB, else $XDG_DATA_HOME.
expect 0 "$NPUBENCH" run --case 'stream op=copy n=4096' --target host $fast
[ -f "$XDG_DATA_HOME/npubench/results.db" ] && pass || fail "no default database under XDG_DATA_HOME"
NPUBENCH_DB="$T/env.db" expect 0 "$NPUBENCH" run --case 'stream op=copy n=4096' --target host $fast
[ -f "$T/env.db" ] && pass || fail "NPUBENCH_DB not used"
NPUBENCH_DB="$T/env.db" expect 0 "$NPUBENCH" --db "$T/flag.db" run --case 'stream op=copy n=4096' --target h100
[ -f "$T/flag.db" ] && pass || fail "--db does not win over NPUBENCH_DB"
# A reading command names the file it looked for, and does not create it.
NPUBENCH_DB="$T/env.db" expect 1 "$NPUBENCH" --db "$T/flag2.db" list runs
contains "$T/err" "no database at '$T/flag2.db'"
[ ! -e "$T/flag2.db" ] && pass || fail "list runs created '$T/flag2.db'"
expect 1 nb show 999 && contains "$T/err" "no run '999'"
expect 2 nb list frobs && contains "$T/err" "cannot list 'frobs'"
finish
