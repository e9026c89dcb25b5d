# One --format table and one target vocabulary: every listing parses in
# csv and json, and every command that takes target names reads the same
# words as 'run --target'.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db
P="$NB_SRCDIR/tests/fixtures/chips"
nb() { "$NPUBENCH" --db "$DB" --profiles "$P" "$@"; }
fast="--min-time 0.01 --min-reps 3 --max-reps 20"

# Listings in json parse with jq and python, in csv with python's csv module.
json_ok() {	# FILE PYTHON-CONDITION-ON-d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert $2, d" "$1" && pass ||
		fail "json: $2"
	jq -e . "$1" >/dev/null && pass || fail "jq cannot read $1"
}
csv_ok() {	# FILE PYTHON-CONDITION-ON-rows
	python3 -c "import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], newline=''))); assert $2, rows" "$1" &&
		pass || fail "csv: $2"
}

expect 0 nb list runs --format json &&
	json_ok "$T/out" "[r['run'] for r in d] == [2, 1] and d[0]['results'] == 9 and d[0]['tag'] == 'candidate, with comma'"
expect 0 nb list runs --format csv &&
	csv_ok "$T/out" "[r['run'] for r in rows] == ['2', '1'] and rows[0]['tag'] == 'candidate, with comma'"
expect 0 nb list kernels --format json &&
	json_ok "$T/out" "{'gemm', 'stream', 'attention', 'spmm'} <= {r['kernel'] for r in d} and all(r['param'] for r in d)"
expect 0 nb list kernels --format csv &&
	csv_ok "$T/out" "any(r['kernel'] == 'gemm' and r['param'] == 'm' and float(r['max']) > 1 for r in rows)"
expect 0 nb list targets --format json &&
	json_ok "$T/out" "[(r['id'], r['result'], r['default']) for r in d][0] == ('host', 'measured', True) and len(d) == 5"
expect 0 nb list targets --format csv &&
	csv_ok "$T/out" "sorted(r['id'] for r in rows if r['default'] == 'true') == ['a100-sxm4-80gb', 'ascend-910b2', 'h100-sxm', 'host', 'tpu-v5e']"
expect 0 nb list suites --format json && json_ok "$T/out" "any(r['name'] == 'quick' and r['cases'] > 0 for r in d)"
expect 0 nb show last --format json &&
	json_ok "$T/out" "d['schema'] == 'npubench-run' and d['run']['id'] == 2 and len(d['results']) == 9"
expect 0 nb show 1 --format csv && csv_ok "$T/out" "len(rows) == 7 and rows[0]['run_id'] == '1'"
expect 0 nb profile list --format json && json_ok "$T/out" "sorted(p['id'] for p in d)[0] == 'a100-sxm4-80gb'"
expect 0 nb profile list --format csv && csv_ok "$T/out" "len(rows) == 4 and rows[0]['bandwidth_gbs']"
# The table stays as it was; a format a command lacks is a usage error.
expect 0 nb list runs && contains "$T/out" "  run  started"
expect 2 nb list runs --format yaml && contains "$T/err" "--format 'yaml': unknown format"
expect 2 nb show --format prometheus && contains "$T/err" "(use table, csv, json or markdown)"

# The defaults are data: the profiles' default_target places, in order.
expect 0 nb run --case 'stream n=4096' --dry-run
[ "$(awk '{print $NF}' "$T/out" | tr '\n' ' ')" = "host ascend-910b2 a100-sxm4-80gb h100-sxm tpu-v5e " ] &&
	pass || fail "default targets: $(tr '\n' ' ' <"$T/out")"

# Every word 'run --target' reads selects the same targets in export, from a
# run that has a result on every target.
expect 0 nb run --case 'stream op=copy n=4096' --target all --quiet $fast
for w in host h100 'h100*' '*910*' chips all default host,tpu-v5e 'a100,h100-sxm'; do
	expect 0 nb run --case 'stream n=4096' --target "$w" --dry-run
	takes=$(awk '{print $NF}' "$T/out" | sort | tr '\n' ' ')
	expect 0 nb export --last --format csv --target "$w"
	kept=$(python3 -c "import csv,sys; print(' '.join(sorted(r['target'] for r in csv.DictReader(open(sys.argv[1], newline='')))))" "$T/out")
	[ "$takes" = "$kept " ] && pass || fail "--target '$w': run takes '$takes', export keeps '$kept'"
done

# Unknown and empty lists are usage errors everywhere, with a suggestion.
expect 2 nb run --case 'stream n=4096' --target h10 && contains "$T/err" "did you mean 'h100'?"
expect 2 nb run --case 'stream n=4096' --target , && contains "$T/err" "empty target list"
expect 2 nb export --last --format csv --target nosuch && contains "$T/err" "unknown target 'nosuch'"
expect 2 nb export --last --format csv --target '' && contains "$T/err" "empty target list"
expect 2 nb compare runs 1 2 --target nosuch && contains "$T/err" "unknown target 'nosuch'"
expect 2 nb compare chips nosuch && contains "$T/err" "unknown target 'nosuch'"
expect 2 nb run --case 'stream n=4096' --target 'zz*' && contains "$T/err" "'zz*' matches no target"
# ... but a glob may select stored results this machine has no profile for.
expect 0 nb export --last --format csv --target 'zz*'
# compare chips takes the same words: a glob, and 'default' without the host.
expect 0 nb compare chips 'tpu*' h100 --format csv && contains "$T/out" "tpu-v5e" && contains "$T/out" "h100-sxm"

# default_target is validated like every key.
sed 's/"default_target": 3/"default_target": true/' "$P/h100-sxm.json" >"$T/h100-sxm.json"
expect 1 "$NPUBENCH" profile validate "$T/h100-sxm.json" && contains "$T/err" "default_target"

finish
