# Hostile input: control characters never reach the terminal raw, duplicate
# JSON keys are refused, database paths that are not files are refused, an
# empty run exports.
. "$NB_SRCDIR/tests/cli/lib.sh"
FX="$NB_SRCDIR/tests/fixtures"
DB="$T/db.sqlite"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
ESC=$(printf '\033')
BEL=$(printf '\007')
# noctl FILE: FILE has no ESC, BEL or other C0 control besides tab/newline.
noctl() {
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; then
		fail "$(basename "$1") has raw control characters: $(od -c "$1" | grep -m1 '033\|007')"
	else pass; fi
}

# A profile named with terminal escapes: shown neutralised on a terminal,
# exact in JSON.
mkdir -p "$T/config/npubench/profiles"
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/config/npubench/profiles/evil.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "evil"
d["name"] = "\x1b]0;pwned\x07\x1b[2J\x1b[31mEVIL"
d["aliases"] = ["evil2"]
json.dump(d, open(sys.argv[2], "w"))
PY
expect 0 nb profile list && noctl "$T/out" && contains "$T/out" "EVIL"
expect 0 nb profile show evil && noctl "$T/out" && contains "$T/out" "EVIL"
expect 0 nb compare chips evil h100 && noctl "$T/out"
expect 0 nb profile list --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(p["name"]=="\x1b]0;pwned\x07\x1b[2J\x1b[31mEVIL" for p in d)' "$T/out" && pass || fail "json lost the exact name"
rm "$T/config/npubench/profiles/evil.json"

# A run tagged with escapes, case text in messages.
expect 0 nb run --case 'stream op=copy n=4096' --target host --min-time 0.01 --min-reps 3 --max-reps 5 --tag "x${ESC}[2Jy${BEL}"
noctl "$T/out"
expect 0 nb list runs && noctl "$T/out" && contains "$T/out" "x"
expect 0 nb show last && noctl "$T/out"
expect 2 nb run --case "stream op=${ESC}[31mred" --target host && noctl "$T/err"
expect 0 nb export --run last --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["tag"]=="x\x1b[2Jy\x07", d["run"]["tag"]' "$T/out" && pass || fail "json tag not exact"

# Adjacent quotes, backticks and formats in chart text draw as themselves.
if command -v gnuplot >/dev/null; then
	expect 0 nb plot bars --title 'a``b ""hi"" %2147483647.2147483647f %n' --term dumb
	contains "$T/out" 'a``b ""hi""'
fi

# Duplicate keys are an error wherever JSON is read.
printf '{"name":"x","name":"y","cases":[{"kernel":"stream","n":[4096]}]}' >"$T/dup-suite.json"
expect 1 nb run --suite "$T/dup-suite.json" --target host && contains "$T/err" "duplicate key \"name\""
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/dup-profile.json" <<'PY'
import sys
t = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(t.replace('"name":', '"name": "dup", "name":', 1))
PY
expect 1 nb profile validate "$T/dup-profile.json" && contains "$T/err" 'key "name": key given twice'
sed 's/"tag": "baseline"/"tag": "a", "tag": "baseline"/' "$FX/runs.json" >"$T/dup-import.json"
expect 1 nb import "$T/dup-import.json" && contains "$T/err" "duplicate key \"tag\""

# A database path that is not a regular file is refused before SQLite opens
# it (no journal is created beside it).
mkfifo "$T/fifo.db"
expect 1 timeout 10 "$NPUBENCH" --db "$T/fifo.db" list runs && contains "$T/err" "not a regular file"
if mknod "$T/null.db" c 1 3 2>/dev/null; then
	expect 1 "$NPUBENCH" --db "$T/null.db" run --case 'stream op=copy n=4096' --target host
	contains "$T/err" "not a regular file"
	[ ! -e "$T/null.db-journal" ] && [ ! -e "$T/null.db-wal" ] && pass || fail "a journal was created beside the device"
fi
mkdir "$T/dir.db"
expect 1 "$NPUBENCH" --db "$T/dir.db" list runs && contains "$T/err" "not a regular file"

# An empty run exports in every format.
python3 - "$FX/runs.json" "$T/empty.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
r["results"] = []
r["run"]["uuid"] = "0a1b2c3d-4e5f-4a6b-8c7d-0000000000ee"
json.dump(r, open(sys.argv[2], "w"))
PY
expect 0 "$NPUBENCH" --db "$T/e.db" import "$T/empty.json"
for f in csv json markdown; do
	expect 0 "$NPUBENCH" --db "$T/e.db" export --run last --format $f
done
expect 0 "$NPUBENCH" --db "$T/e.db" export --run last --format csv --samples && lines "$T/out" 1

finish
