# Shared helpers for the command-line tests.  Each test is a numbered shell
# script that drives the real binary in a scratch folder of its own.
set -u
: "${NPUBENCH:?run through make check}"
: "${NB_SRCDIR:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/npubench-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" XDG_DATA_HOME="$T/data" XDG_CONFIG_HOME="$T/config"
# Measurements register here: tests see only their own.
export NPUBENCH_ACTIVE_DIR="$T/active"
unset NPUBENCH_DB NPUBENCH_PROFILES NPUBENCH_ISA
mkdir -p "$HOME"
fails=0
passes=0

pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect STATUS CMD...: runs CMD, keeps stdout in $T/out and stderr in $T/err,
# and checks the exit status.
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want"
		sed 's/^/  stderr: /' "$T/err" | head -n 5 >&2
		return 1
	fi
	pass
	return 0
}

# contains FILE TEXT: FILE has TEXT (fixed string).
contains() {
	if grep -qF -- "$2" "$1"; then pass; else fail "$(basename "$1") lacks '$2'"; sed 's/^/  /' "$1" | head -n 8 >&2; fi
}

lacks() {
	if grep -qF -- "$2" "$1"; then fail "$(basename "$1") has '$2'"; else pass; fi
}

# once FILE TEXT: exactly one line of FILE has TEXT.
once() {
	n=$(grep -cF -- "$2" "$1")
	if [ "$n" -eq 1 ]; then pass; else fail "$(basename "$1") has '$2' $n times, expected once"; fi
}

# lines FILE N: FILE has exactly N lines.
lines() {
	n=$(wc -l <"$1")
	if [ "$n" -eq "$2" ]; then pass; else fail "$(basename "$1") has $n lines, expected $2"; fi
}

# has_isa LEVEL: 0 when this CPU runs dispatch level LEVEL (portable, avx2,
# avx512); otherwise prints a SKIP line with the reason and returns 1, so a
# level the CPU lacks is reported, never counted as passed.
has_isa() {
	if NPUBENCH_ISA=$1 "$NPUBENCH" info --format json 2>"$T/isa-err" |
		grep -Eq "\"isa\":[[:space:]]*\"$1\""; then
		return 0
	fi
	echo "SKIP: $1: $(sed -n 's/.*not available here (\(.*\)).*/\1/p' "$T/isa-err")"
	return 1
}

finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}

# golden NAME FILE: FILE matches tests/golden/NAME; with NB_UPDATE_GOLDEN=1
# (run from the source tree) it rewrites the golden file instead.
golden() {
	g="$NB_SRCDIR/tests/golden/$1"
	if [ "${NB_UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$NB_SRCDIR/tests/golden" && cp "$2" "$g" && pass
		return
	fi
	if [ ! -f "$g" ]; then
		fail "no golden file tests/golden/$1 (NB_UPDATE_GOLDEN=1 make check writes it)"
	elif cmp -s "$g" "$2"; then
		pass
	else
		fail "$1 differs from its golden file:"
		diff -u "$g" "$2" | head -n 20 >&2
	fi
}

# fixture_db: a database holding the two hand-made runs of
# tests/fixtures/runs.json (ids 1 and 2); its path in $DB.
fixture_db() {
	DB="$T/fixture.db"
	"$NPUBENCH" --db "$DB" import "$NB_SRCDIR/tests/fixtures/runs.json" 2>"$T/err" ||
		{ fail "cannot import the fixture"; cat "$T/err" >&2; }
}

# mpi_setup: for the tests that run npubench under mpirun.  Exits 77 (SKIP)
# without mpirun or in a build without MPI; else sets MPIRUN, and $fast for
# runs of three repetitions.  Open MPI keeps allocations of its own (operator
# tables, dlopen'd components) to exit: LeakSanitizer's report of them would
# fail every rank, so leak detection is off here; leaks of npubench's own are
# caught by the same commands run without mpirun in the other tests.
mpi_setup() {
	command -v mpirun >/dev/null 2>&1 || { echo "mpirun not found: SKIP"; exit 77; }
	"$NPUBENCH" --db "$T/probe.db" run --target host --case 'collective bytes=1024' >"$T/probe" 2>&1
	if grep -q "MPI is missing" "$T/probe"; then echo "built without MPI: SKIP"; exit 77; fi
	MPIRUN="mpirun --allow-run-as-root --oversubscribe"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
	fast="--min-time 0 --min-reps 3 --max-reps 3"
}

# mpi_rank1 TAG [TARGET]: waits (two minutes at most) for the first result
# of the run tagged TAG in $DB (on TARGET, when given), then prints the
# process id of its rank 1 (none: empty).
mpi_rank1() {
	for _ in $(seq 1200); do
		n=$(sqlite3 "$DB" "select count(*) from results r join runs u on u.id = r.run_id
			where u.tag = '$1'${2:+ and r.target = '$2'}" 2>/dev/null)
		[ "${n:-0}" -ge 1 ] && break
		sleep 0.1
	done
	for p in $(pgrep -f "tag $1"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && echo "$p"
	done | tail -n 1
}

# png_ok FILE: a PNG (signature, IHDR) of a sensible size.
png_ok() {
	if python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n', 'no PNG signature'
assert d[12:16] == b'IHDR', 'no IHDR chunk first'
w, h = struct.unpack('>II', d[16:24])
assert 800 <= w <= 4000 and 500 <= h <= 4000, 'odd size %dx%d' % (w, h)
assert d[-8:-4] == b'IEND', 'no IEND chunk last'
EOF
	then pass; else fail "$1 is not a valid PNG"; fi
}

# svg_ok FILE NAME...: well-formed SVG whose text has every NAME.
svg_ok() {
	f=$1; shift
	if python3 - "$f" "$@" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith('svg'), 'root is %s' % root.tag
text = ' '.join(t for t in root.itertext())
for name in sys.argv[2:]:
    assert name in text, 'no %r in the SVG text' % name
EOF
	then pass; else fail "$f is not a well-formed SVG with: $*"; fi
}

# legend_fills FILE NAME...: the text chart FILE's legend has every NAME
# behind a run of its series' fill characters, a different one each.
legend_fills() {
	f=$1; shift
	if python3 - "$f" "$@" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
fills = []
for name in sys.argv[2:]:
    m = re.search(r"(\S)\1{2,}" + re.escape(name), text)
    assert m, 'no fill characters before %r' % name
    fills.append(m.group(1))
assert len(set(fills)) == len(fills), fills
EOF
	then pass; else fail "$f: a legend entry lacks its own fill characters: $*"; fi
}

# plot_setup: for the tests that render with gnuplot.  Exits 77 (SKIP)
# without gnuplot; sets DB, nb (npubench on $DB) and a TMPDIR of the test's.
plot_setup() {
	if ! command -v gnuplot >/dev/null 2>&1; then
		echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox)"
		exit 77
	fi
	DB="$T/plot.db"
	mkdir -p "$T/tmp"
	TMPDIR="$T/tmp"
	export TMPDIR
	nb() { "$NPUBENCH" --db "$DB" "$@"; }
}
