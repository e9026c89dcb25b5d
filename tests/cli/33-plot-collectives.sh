# npubench plot collectives and breakdown: from runs predicted now, every
# line and bar holds exactly the stored results (checked in the script's
# inline data), in PNG, SVG and text; runs without such results are errors.
. "$NB_SRCDIR/tests/cli/lib.sh"
plot_setup


# The gnuplot script's data blocks: {name: [rows of fields]}, and the
# plot's "$blockN using ... title 'T'" pairs.
cat >"$T/gp.py" <<'EOF'
import csv, re, shlex, sys
def blocks(path):
    out, cur = {}, None
    for line in open(path):
        line = line.rstrip('\n')
        m = re.match(r'^\$(\w+) << EOD$', line)
        if m:
            cur = out.setdefault(m.group(1), [])
        elif line == 'EOD':
            cur = None
        elif cur is not None:
            cur.append(shlex.split(line))
    return out
def titles(path):
    return re.findall(r"\$(\w+) using [^\n]*? title ['\"]([^'\"]*)['\"]", open(path).read())
def stored(path):
    return list(csv.DictReader(open(path)))
EOF

### collectives

expect 0 nb run --suite collectives --target h100,910b,tpu-v5e || finish
expect 0 nb show --format csv && cp "$T/out" "$T/coll.csv"

# Every (chip, op) line of --op '*' holds exactly the stored sizes and bus
# bandwidths of that chip and op.
expect 0 nb plot collectives --op '*' --script "$T/coll.gp"
if python3 - "$T" <<'EOF'
import sys; sys.path.insert(0, sys.argv[1]); from gp import *
t = sys.argv[1]
b, ti = blocks(t + '/coll.gp'), titles(t + '/coll.gp')
want = {}
for r in stored(t + '/coll.csv'):
    if r['kernel'] == 'collective' and r['status'] == 'ok':
        want.setdefault((r['target'], r['param_op']), set()).add((float(r['param_bytes']), float(r['throughput'])))
got = {}
for blk, title in ti:
    chip, op = title.split()[:2]
    rows = b[blk]
    assert len(rows) == len(want[(chip, op)]), '%s: %d points, %d stored' % (title, len(rows), len(want[(chip, op)]))
    for x, y in ((float(r[0]), float(r[1])) for r in rows):
        assert any(x == wx and abs(y - wy) <= 1e-6 * wy for wx, wy in want[(chip, op)]), '%s: %g %g not stored' % (title, x, y)
    got[(chip, op)] = 1
assert set(got) == set(want), 'lines %s, stored %s' % (sorted(got), sorted(want))
assert len(got) == 3 * len({k[1] for k in want}) and len(got) >= 6, got
EOF
then pass; else fail "collectives: the lines are not the stored results"; fi

# The default is allreduce only, one line per chip.
expect 0 nb plot collectives --script "$T/ar.gp"
n=$(grep -c "^  *.size[0-9]* using.* title .[^ ]* allreduce " "$T/ar.gp")
[ "$n" -eq 3 ] && pass || fail "default collectives: $n allreduce lines, expected 3"
lacks "$T/ar.gp" "alltoall"

expect 0 nb plot collectives -o "$T/coll.png" && png_ok "$T/coll.png"
expect 0 nb plot collectives --op 'all*' -o "$T/coll.svg" &&
	svg_ok "$T/coll.svg" "h100-sxm allreduce" "tpu-v5e allgather" "ascend-910b2 alltoall" \
		"bus bandwidth (B/s)" "message size (bytes)" "1G"
lacks "$T/coll.svg" "broadcast"
COLUMNS=90 expect 0 nb plot collectives --chips h100 && contains "$T/out" "h100-sxm allreduce"
grep -Eq '^ *bus bandwidth \(B/s\) *$' "$T/out" && pass || fail "collectives text: no y axis label"
lacks "$T/out" "tpu-v5e"
contains "$T/out" "message size (bytes)"
expect 1 nb plot collectives --op nosuch && contains "$T/err" "no collective result matches --op nosuch"
expect 2 nb plot bars --op allreduce && contains "$T/err" "--op applies to collectives only"

### breakdown

expect 1 nb plot breakdown && contains "$T/err" "has no train or infer predictions"
expect 0 nb run --suite llm-train --target h100,910b,tpu-v5e || finish
expect 0 nb show --format csv && cp "$T/out" "$T/train.csv"
expect 1 nb plot collectives && contains "$T/err" "has no collective results"

# A bar per stored prediction with a step time, its parts adding up to it.
expect 0 nb plot breakdown --script "$T/bd.gp"
if python3 - "$T" <<'EOF'
import sys; sys.path.insert(0, sys.argv[1]); from gp import *
t = sys.argv[1]
b, ti = blocks(t + '/bd.gp'), titles(t + '/bd.gp')
ok = [r for r in stored(t + '/train.csv') if r['kernel'] == 'train' and r['status'] == 'ok']
bad = [r for r in stored(t + '/train.csv') if r['kernel'] == 'train' and r['status'] != 'ok']
assert ok and bad, 'the suite should give both'
rows = b['parts1']
assert len(rows) == len(ok), '%d bars, %d stored' % (len(rows), len(ok))
names = [x[1] for x in ti]
for part in ('compute', 'exposed communication', 'pipeline bubble', 'optimizer'):
    assert part in names, 'no %r layer' % part
for row, r in zip(rows, ok):
    s, want = sum(float(v) for v in row[1:]), float(r['seconds'])
    assert abs(s - want) <= 1e-6 * want, 'bar %s: parts %g, stored %g' % (row[0], s, want)
    assert float(row[1]) > 0, 'no compute in bar %s' % row[0]
assert any(float(row[2]) > 0 for row in rows), 'no exposed communication anywhere'
assert len(b['total1']) == len(ok)
EOF
then pass; else fail "breakdown: the bars are not the stored step times"; fi

expect 0 nb plot breakdown -o "$T/bd.png" && png_ok "$T/bd.png"
expect 0 nb plot breakdown -o "$T/bd.svg" &&
	svg_ok "$T/bd.svg" "compute" "exposed communication" "pipeline bubble" "optimizer" \
		"Step time by part" "time per step"
# Text: each layer's fill characters stand before its name in the legend.
COLUMNS=100 expect 0 nb plot breakdown --term dumb
legend_fills "$T/out" compute "exposed communication" "pipeline bubble" optimizer
grep -Eq '^ *time per step *$' "$T/out" && pass || fail "breakdown --term dumb: no y axis label"
expect 0 nb plot breakdown --chips h100 && contains "$T/out" "h100-"
lacks "$T/out" "ascend"
contains "$T/out" "compute"
# tpu-v5e fits none of the suite's models: nothing to draw is an error.
expect 1 nb plot breakdown --chips tpu-v5e && contains "$T/err" "no train or infer prediction with a step time"

# An infer bar is the whole served batch, not a step; both kinds say both.
expect 0 nb run --target h100 --case 'infer model=llama3-8b batch=4 input=128 output=64'
expect 0 nb plot breakdown --script "$T/inf.gp"
contains "$T/inf.gp" 'set ylabel "time per served batch (prefill + decode)"'
contains "$T/inf.gp" 'Served batch time by part'
lacks "$T/inf.gp" "time per step"
expect 0 nb run --target h100 --case 'infer model=llama3-8b batch=4 input=128 output=64' \
	--case 'train model=llama3-8b seq=2048 global_batch=64 tp=8'
expect 0 nb plot breakdown -o "$T/mixed.svg" &&
	svg_ok "$T/mixed.svg" "time per step (train) or served batch (infer)" "Step and served batch time by part"

finish
