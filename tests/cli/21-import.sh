# npubench import: merges exported runs, skips known UUIDs, and rejects a bad
# file whole with the field that is wrong.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db
F="$NB_SRCDIR/tests/fixtures/runs.json"

# Importing again skips both runs and adds nothing.
expect 0 "$NPUBENCH" --db "$DB" import "$F" && contains "$T/err" "already in"
"$NPUBENCH" --db "$DB" list runs >"$T/runs"
lines "$T/runs" 3

# Broken files: each rejected with a precise message, nothing stored.  The
# second run of each is new, so a partial import would show.
bad() {	# NAME PYTHON-EDIT EXPECTED-MESSAGE
	python3 - "$F" "$T/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][1]["run"]["uuid"] = "ffffffff-0000-4000-8000-000000000009"
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	expect 1 "$NPUBENCH" --db "$DB" import "$T/$1.json" && contains "$T/err" "$3"
	contains "$T/err" "$1.json"
}
bad kind 'd["runs"][1]["results"][2]["kind"] = "guessed"' 'runs[1].results[2].kind: expected "measured" or "predicted"'
bad seq 'd["runs"][1]["results"][3]["seq"] = 1' "runs[1].results[3].seq: repeats"
bad sample 'd["runs"][1]["results"][0]["samples"][2] = -1' "sample 2 is not a positive number"
bad count 'd["runs"][1]["results"][0]["samples"].pop()' "has 7 samples but stats.n is 8"
bad uuid 'd["runs"][1]["run"]["uuid"] = "not-a-uuid"' "runs[1].run.uuid: expected a lowercase UUID"
bad newer 'd["schema_version"] = 3' "schema_version 3 is newer than this npubench reads (2)"
bad schema 'd["runs"][1]["schema"] = "something-else"' 'runs[1].schema is "something-else"'
bad status 'd["runs"][1]["run"]["status"] = "done"' "runs[1].run.status: expected running"
bad stats 'd["runs"][1]["results"][0]["stats"]["median"] = "fast"' "runs[1].results[0].stats.median: expected a number or null"
printf '{"schema": "npubench-run", "schema_version": 1,\n "run": {' >"$T/trunc.json"
expect 1 "$NPUBENCH" --db "$DB" import "$T/trunc.json" && contains "$T/err" "trunc.json: line 2: not valid JSON"
echo '[1, 2]' >"$T/array.json"
expect 1 "$NPUBENCH" --db "$DB" import "$T/array.json" && contains "$T/err" "expected a JSON object"
expect 1 "$NPUBENCH" --db "$DB" import "$T/missing.json"
"$NPUBENCH" --db "$DB" list runs >"$T/runs"
lines "$T/runs" 3

# Schema 2 refers to each run's profile snapshots by id: a dangling or
# mistyped reference is refused naming it.
"$NPUBENCH" --db "$DB" export --all --format json --samples >"$T/v2.json"
bad2() {	# NAME PYTHON-EDIT EXPECTED-MESSAGE
	python3 - "$T/v2.json" "$T/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, r in enumerate(d["runs"]):
    r["run"]["uuid"] = "ffffffff-0000-4000-8000-00000000001%d" % i
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	expect 1 "$NPUBENCH" --db "$DB" import "$T/$1.json" && contains "$T/err" "$3"
}
bad2 dangling 'd["runs"][1]["results"][4]["profile"] = "nosuchchip"' \
	'runs[1].results[4].profile: no snapshot "nosuchchip" in the run'"'"'s "profiles"'
bad2 notobj 'd["runs"][0]["profiles"] = [1]' 'runs[0].profiles: expected an object'
bad2 snapshot 'd["runs"][0]["profiles"]["h100-sxm"] = 7' \
	'runs[0].profiles.h100-sxm: expected an object'
"$NPUBENCH" --db "$DB" list runs >"$T/runs"
lines "$T/runs" 3

# Two files in one call: one bad file stores neither.
"$NPUBENCH" --db "$DB" export --run 1 --format json --samples | sed 's/0a1b2c3d-4e5f-4a6b-8c7d-000000000001/eeeeeeee-0000-4000-8000-000000000001/' >"$T/good.json"
expect 1 "$NPUBENCH" --db "$DB" import "$T/good.json" "$T/kind.json"
"$NPUBENCH" --db "$DB" list runs >"$T/runs"
lines "$T/runs" 3
expect 0 "$NPUBENCH" --db "$DB" import "$T/good.json" && contains "$T/err" "imported run 3"
expect 0 "$NPUBENCH" --db "$DB" import - <"$T/good.json" && contains "$T/err" "already in"

expect 2 "$NPUBENCH" --db "$DB" import && contains "$T/err" "which file?"
expect 2 "$NPUBENCH" --db "$DB" import --frob x.json
finish
