# Bounded work: suites expand in linear time up to a clear cap, profiles
# are capped in size and aliases and load in linear time.
. "$NB_SRCDIR/tests/cli/lib.sh"
export NPUBENCH_DB="$T/db.sqlite"

# 1000 x 1000 x 1000 is refused at once, naming the count and the cap.
python3 - "$T/huge.json" <<'PY'
import json, sys
r = list(range(1, 1001))
json.dump({"name": "huge", "cases": [{"kernel": "gemm", "m": r, "n": r, "k": r}]}, open(sys.argv[1], "w"))
PY
expect 1 timeout 20 "$NPUBENCH" run --suite "$T/huge.json" --target host --dry-run
contains "$T/err" "expands to 1000000000 cases; a suite may hold at most 20000"
# 19,600 distinct cases (and as many duplicates) expand in well under the
# seconds the quadratic de-duplication took.
python3 - "$T/big.json" <<'PY'
import json, sys
r = list(range(16, 16 + 140))
json.dump({"name": "big", "cases": [{"kernel": "gemm", "m": r, "n": r, "k": 64},
                                    {"kernel": "gemm", "m": r, "n": r, "k": 64}]}, open(sys.argv[1], "w"))
PY
start=$(date +%s.%N)
expect 0 timeout 60 "$NPUBENCH" run --suite "$T/big.json" --target host --dry-run
lines "$T/out" 19600
python3 -c "import sys; t = float(sys.argv[2]) - float(sys.argv[1]); sys.exit(0 if t < 8 else 1)" "$start" "$(date +%s.%N)" \
	&& pass || fail "expanding 39,200 cases took more than 8 s"
# One case over the cap, through strings.
python3 - "$T/strings.json" <<'PY'
import json, sys
json.dump({"name": "s", "cases": ["stream op=copy n=%d" % (4096 + 8 * i) for i in range(20001)]}, open(sys.argv[1], "w"))
PY
expect 1 "$NPUBENCH" run --suite "$T/strings.json" --target host --dry-run
contains "$T/err" "case 20001: the suite expands to more than 20000 cases"

# Profiles: 40,000 aliases, a 100,000-byte name, a 300 KiB file: each a
# clear error at once (loading them took minutes).
mkdir -p "$T/p"
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/p" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
def write(pid, **kw):
    d = dict(base, id=pid, aliases=[])
    d.update(kw)
    json.dump(d, open("%s/%s.json" % (sys.argv[2], pid), "w"))
write("huge", aliases=["alias-%d" % i for i in range(40000)])
write("many", aliases=["alias-%d" % i for i in range(2000)])
write("long", name="x" * 100000)
write("fat", notes=" ".join(["word"] * 80000))
PY
start=$(date +%s)
expect 1 timeout 30 "$NPUBENCH" profile validate "$T/p/huge.json" && contains "$T/err" "huge.json' is larger than 262144 bytes"
expect 1 timeout 30 "$NPUBENCH" profile validate "$T/p/many.json" && contains "$T/err" 'key "aliases": 2000 aliases (at most 32)'
expect 1 timeout 30 "$NPUBENCH" profile validate "$T/p/long.json" && contains "$T/err" 'key "name": a string of 100000 bytes'
expect 1 timeout 30 "$NPUBENCH" profile validate "$T/p/fat.json" && contains "$T/err" "larger than 262144 bytes"
expect 1 timeout 30 "$NPUBENCH" --profiles "$T/p" profile list && contains "$T/err" "is larger than 262144 bytes"
[ $(( $(date +%s) - start )) -lt 20 ] && pass || fail "refusing hostile profiles took $(( $(date +%s) - start )) s"

finish
