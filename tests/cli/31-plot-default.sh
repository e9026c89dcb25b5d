# npubench plot on the main job: every chart kind drawn from a real run of
# the default suite, checked for what a reader would see.  In SVG no text
# leaves the canvas and no two texts overlap; gnuplot's own table of what
# it plotted has every result inside its axes, one point per result; text
# charts fit $COLUMNS, have no form feed and bars taller than a line.
. "$NB_SRCDIR/tests/cli/lib.sh"

if ! command -v gnuplot >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: gnuplot or python3 is not installed (Debian: gnuplot-nox python3)"
	exit 77
fi
DB="$T/default.db"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
# The default suite, each case timed once: only the charts are under test.
expect 0 nb run --min-time 0 --min-reps 1 --max-reps 1 --stable 0 --quiet ||
	{ finish; exit 1; }
usable=$(sqlite3 "$DB" "select count(*) from results where status = 'ok' and seconds > 0 and throughput > 0")
roof_bf16=$(sqlite3 "$DB" "select count(*) from results where status = 'ok' and seconds > 0 and dtype = 'bf16'
	and ops > 0 and bytes > 0")

# svg_fits FILE: every text inside the canvas, no two texts overlapping
# (boxes estimated from the font size, DejaVu Sans being gnuplot's 'Sans').
svg_fits() {
	if python3 - "$1" <<'PY'
import math, re, sys, xml.etree.ElementTree as ET
f = sys.argv[1]
root = ET.parse(f).getroot()
vb = (root.get('viewBox') or '').split()
W, H = float(vb[2]), float(vb[3])
ns = '{http://www.w3.org/2000/svg}'
# DejaVu Sans advance widths (em) of the characters charts are made of.
em = {' ': 0.318, '.': 0.318, ',': 0.318, ':': 0.337, '=': 0.838, '-': 0.361, '_': 0.5, '/': 0.337,
      '(': 0.39, ')': 0.39, "'": 0.275, 'i': 0.278, 'l': 0.278, 'j': 0.278, 'f': 0.352, 't': 0.392,
      'r': 0.411, 'm': 0.974, 'w': 0.818, 'I': 0.295}
em.update({d: 0.636 for d in '0123456789'})
boxes = []
for g in root.iter(ns + 'g'):
    m = re.match(r'translate\(([-\d.]+),([-\d.]+)\)(?:\s*rotate\(([-\d.]+)\))?', g.get('transform') or '')
    if not m or g.find(ns + 'text') is None:
        continue
    text = ''.join(g.find(ns + 'text').itertext()).rstrip()
    if not text.strip():
        continue
    x, y, a = float(m.group(1)), float(m.group(2)), math.radians(float(m.group(3) or 0))
    fs = float(g.get('font-size') or 12)
    w = sum(em.get(ch, 0.6 if ch.islower() else 0.7) for ch in text) * fs
    x0 = {'start': 0, 'middle': -w / 2, 'end': -w}[g.get('text-anchor') or 'start']
    yc, hh = -0.33 * fs, 0.36 * fs
    pts = [(x + px * math.cos(a) - py * math.sin(a), y + px * math.sin(a) + py * math.cos(a))
           for px, py in ((x0, yc - hh), (x0 + w, yc - hh), (x0, yc + hh), (x0 + w, yc + hh))]
    boxes.append((text, (min(p[0] for p in pts), min(p[1] for p in pts),
                         max(p[0] for p in pts), max(p[1] for p in pts))))
bad = []
for t, b in boxes:
    if b[0] < -1 or b[1] < -1 or b[2] > W + 1 or b[3] > H + 1:
        bad.append('%r leaves the %gx%g canvas' % (t, W, H))
for i in range(len(boxes)):
    for j in range(i + 1, len(boxes)):
        (ta, a), (tb, b) = boxes[i], boxes[j]
        if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1:
            bad.append('%r overlaps %r' % (ta, tb))
assert len(boxes) > 10, 'only %d texts' % len(boxes)
for b in bad[:6]:
    print(f + ': ' + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
	then pass; else fail "$1: texts off the canvas or over each other"; fi
}

# plotted KIND SCRIPT: gnuplot's table of what SCRIPT plots (set table),
# one line per plot command: the points inside the axes, outside, and the
# undefined ones (legend entries plot NaN).
plotted() {
	sed -e '/^set output/d' -e '/^set terminal/a set table "'"$T/$1.tab"'"' "$2" | gnuplot >/dev/null 2>"$T/$1.gperr" ||
		{ fail "gnuplot cannot tabulate $2"; return; }
	python3 - "$T/$1.tab" >"$T/$1.count" <<'PY'
import sys
plots = []
for line in open(sys.argv[1]):
    if line.startswith('# Curve 0 of'):
        plots.append({'i': 0, 'o': 0, 'u': 0})
    elif line.strip() and not line.startswith('#') and line.split()[-1] in 'iou' and plots:
        plots[-1][line.split()[-1]] += 1
for p in plots:
    print(p['i'], p['o'], p['u'])
PY
}

# The block of the script named NAME: its data lines.
block_lines() {
	awk -v b="\$$2 << EOD" '$0 == b { on = 1; next } /^EOD$/ { on = 0 } on' "$1" | wc -l
}

for kind in bars roofline scaling specs; do
	expect 0 nb plot $kind -o "$T/$kind.svg" --script "$T/$kind.gp" && svg_fits "$T/$kind.svg"
	expect 0 nb plot $kind -o "$T/$kind.png"
	plotted $kind "$T/$kind.gp"
	# Nothing outside the axes, in any panel.
	awk '$2 > 0 { bad = 1 } END { exit bad }' "$T/$kind.count" && pass ||
		fail "$kind: points outside the axes: $(tr '\n' ';' <"$T/$kind.count")"
done

### bars: a panel per unit, every result a bar, one legend

# Every panel but the legend has bars; together one per usable result.
panels=$(awk '$1 > 0' "$T/bars.count" | wc -l)
[ "$panels" -ge 3 ] && pass || fail "bars: $panels panels with bars, expected one per unit (3 or more)"
bars=$(grep -c '^[-0-9.e+]* [-0-9.e+]* "' "$T/bars.gp")
[ "$bars" -eq "$usable" ] && pass || fail "bars: $bars bars for $usable usable results"
# Each panel's boxes (not their value labels, which table without a type).
inpanels=$(awk '{ s += $1 } END { print s }' "$T/bars.count")
[ "$inpanels" -eq "$usable" ] && pass || fail "bars: gnuplot plotted $inpanels points, expected $usable"
# The legend is drawn once (its entries plot NaN: undefined points).
[ "$(awk '$3 > 0' "$T/bars.count" | wc -l)" -eq 1 ] && pass || fail "bars: not exactly one legend"
[ "$(grep -c 'title "host"' "$T/bars.gp")" -eq 1 ] && pass || fail "bars: the host is in the legend more than once"
# No word of a case name broken ("attentio n").
for k in $(sqlite3 "$DB" "select distinct kernel from results"); do
	python3 - "$T/bars.svg" "$k" <<'PY' && pass || fail "bars: '$k' is split in the case names"
import sys, xml.etree.ElementTree as ET
words = ' '.join(ET.parse(sys.argv[1]).getroot().itertext()).split()
k = sys.argv[2]
assert k in words, '%s is not a whole word' % k
assert not [w for w in words if len(w) >= 3 and k.startswith(w) and w != k], 'a piece of %s' % k
PY
done

### roofline: bf16 by default, a marker per chip in the legend, numbered cases

contains "$T/roofline.svg" "bf16 roofs"
pts=0
for i in $(seq 1 12); do pts=$((pts + $(block_lines "$T/roofline.gp" "pts$i"))); done
[ "$pts" -eq "$roof_bf16" ] && pass || fail "roofline: $pts points for $roof_bf16 bf16 results"
# Each chip's key entry draws its line with its marker; the host's a marker.
[ "$(grep -c 'NaN with linespoints lt' "$T/roofline.gp")" -eq 4 ] && pass ||
	fail "roofline: not every chip's marker is in the legend"
contains "$T/roofline.gp" "NaN with points lt 1 lw 2.6 title \"host, measured\""
# No host profile here: no host roof, and a note saying how to get one.
contains "$T/roofline.svg" "npubench profile probe"
lacks "$T/roofline.svg" "probed roof"
# With one, the host's roof is drawn and the note goes.
hp() { "$NPUBENCH" --db "$DB" --profiles "$NB_SRCDIR/tests/fixtures/host-profile:$NB_SRCDIR/profiles" "$@"; }
expect 0 hp plot roofline -o "$T/hostroof.svg" --script "$T/hostroof.gp" && svg_fits "$T/hostroof.svg"
contains "$T/hostroof.svg" "host (probed roof; cases measured)"
lacks "$T/hostroof.svg" "npubench profile probe"
[ "$(block_lines "$T/hostroof.gp" roof1)" -ge 2 ] && pass || fail "roofline: no host roof with a host profile"

### scaling: bf16 by default, every chip a curve

contains "$T/scaling.svg" "gemm bf16: throughput against size"
for i in 2 3 4 5; do
	[ "$(block_lines "$T/scaling.gp" "size$i")" -ge 8 ] && pass || fail "scaling: chip $i has no curve"
done

### specs: a bar per chip and dtype it has, every chip named once per panel

contains "$T/specs.svg" "memory capacity (GiB)"
[ "$(block_lines "$T/specs.gp" mem1)" -eq 4 ] && pass || fail "specs: not a row per chip"
for i in 1 2 3 4; do
	[ "$(block_lines "$T/specs.gp" "peak$i")" -ge 3 ] && pass || fail "specs: chip $i has no peaks"
done

### Text: the width of the terminal, no form feed, bars of several lines

for cols in 80 60 132; do
	for kind in bars roofline scaling specs; do
		COLUMNS=$cols expect 0 nb plot $kind --term dumb || continue
		w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/out")
		[ "$w" -le "$cols" ] && pass || fail "$kind --term dumb: $w columns wide with COLUMNS=$cols"
		if grep -q "$(printf '\f')" "$T/out"; then fail "$kind --term dumb: a form feed"; else pass; fi
	done
done
# Unset or not a terminal: 80.
(unset COLUMNS; expect 0 nb plot bars --term dumb)
[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/out")" -le 80 ] && pass ||
	fail "bars --term dumb: wider than 80 with COLUMNS unset"
# The bars: some host bar ('*') stands at least three lines high.
COLUMNS=80 expect 0 nb plot bars --term dumb
python3 - "$T/out" <<'PY' && pass || fail "bars --term dumb: no bar taller than two lines"
import sys
rows = open(sys.argv[1]).read().split('\n')
best = 0
for col in range(max(len(r) for r in rows)):
    run = 0
    for r in rows:
        run = run + 1 if col < len(r) and r[col] == '*' else 0
        best = max(best, run)
sys.exit(0 if best >= 3 else 1)
PY
# Roofline: each chip's marker letter is in the legend with its line.
COLUMNS=80 expect 0 nb plot roofline
for chip in ascend-910b2 a100-sxm4-80gb h100-sxm tpu-v5e; do
	grep -Eq "[^ ]+[A-Z][^ ]+$chip" "$T/out" && pass || fail "roofline --term dumb: no marker for $chip"
done
contains "$T/out" "npubench profile probe"
# Specs: bars in every panel, chip names apart.
COLUMNS=80 expect 0 nb plot specs
for chip in ascend-910b2 a100-sxm4-80gb h100-sxm tpu-v5e; do
	[ "$(grep -Eo "(^| )$chip( |\$)" "$T/out" | wc -l)" -ge 2 ] && pass ||
		fail "specs --term dumb: $chip is not named apart in both panels"
done
[ "$(grep -c '^ *[0-9.]* +|.*\*' "$T/out")" -ge 6 ] && pass || fail "specs --term dumb: panels without bars"
finish
