# npubench report: one self-contained HTML page from fixed stored results
# (no script, no network resource, everything escaped), the verdict that
# compare chips prints too (its figures recomputed here from the same
# sources), and the errors: no runs, an output that cannot be written.
. "$NB_SRCDIR/tests/cli/lib.sh"

FIXTURE="$NB_BUILDDIR/tests/nbfixture"
DB="$T/report.db"
# A tag that would be markup, quotes and an entity if it were not escaped.
TAG='<script>alert(1)</script> & "quoted" <b>bold</b>'
"$FIXTURE" "$DB" "$NB_SRCDIR/tests/fixtures/plot-run.tsv" "$TAG" >/dev/null || fail "cannot build the fixture database"
nb() { "$NPUBENCH" --db "$DB" "$@"; }
mkdir -p "$T/tmp"
TMPDIR="$T/tmp"
export TMPDIR

### Usage and errors

expect 2 nb report && contains "$T/err" "give -o FILE.html"
expect 2 nb report -o "$T/x.html" extra && contains "$T/err" "unexpected argument 'extra'"
expect 2 nb report -o "$T/x.html" --frob && contains "$T/err" "unknown option '--frob'"
expect 2 nb report -o "$T/x.html" --chips frob && contains "$T/err" "frob"
expect 2 nb report -o "$T/x.html" --chips h100,a100 --baseline 910b && contains "$T/err" "--baseline 910b"
# No database, and one without runs: a clear error and no file.
expect 1 "$NPUBENCH" --db "$T/none.db" report -o "$T/x.html" &&
	contains "$T/err" "no database at '$T/none.db'" && contains "$T/err" "npubench run"
[ ! -e "$T/none.db" ] && pass || fail "report created '$T/none.db'"
cp "$DB" "$T/empty.db"
sqlite3 "$T/empty.db" 'DELETE FROM samples; DELETE FROM results; DELETE FROM pushes;
	DELETE FROM profile_snapshots; DELETE FROM runs;'
expect 1 "$NPUBENCH" --db "$T/empty.db" report -o "$T/x.html" &&
	contains "$T/err" "no runs in the database" && contains "$T/err" "npubench run"
[ ! -e "$T/x.html" ] && pass || fail "a report was written from an empty database"
# A folder that does not exist, and a folder as the output: nothing written.
expect 1 nb report -o "$T/no/such/dir/r.html" && contains "$T/err" "cannot write '$T/no/such/dir/r.html'"
mkdir -p "$T/outdir"
expect 1 nb report -o "$T/outdir"
[ -z "$(ls -A "$T/outdir")" ] && pass || fail "files left in $T/outdir: $(ls -A "$T/outdir")"
expect 1 nb report -o "$T/r.html" --run 99 && contains "$T/err" "99"
# An old page is replaced whole, never half-written.
echo "old page" >"$T/keep.html"
expect 1 nb report -o "$T/keep.html" --run 99
contains "$T/keep.html" "old page"

### The page

if command -v gnuplot >/dev/null 2>&1; then charts=4; else charts=0; echo "note: gnuplot is missing: no chart expected"; fi
expect 0 nb report -o "$T/report.html" && contains "$T/err" "wrote $T/report.html"
python3 - "$T/report.html" "$TAG" "$charts" <<'EOF' && pass || fail "report.html: structure"
import html.parser, re, sys
page = open(sys.argv[1], encoding='utf-8').read()
tag, charts = sys.argv[2], int(sys.argv[3])

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.stack, self.bad = {}, set(), [], []
        self.text = []
    def handle_starttag(self, t, attrs):
        self.tags[t] = self.tags.get(t, 0) + 1
        for k, v in attrs:
            v = v or ''
            if k == 'id':
                assert v not in self.ids, 'id %r twice' % v
                self.ids.add(v)
            if k.startswith('on'):
                self.bad.append('event attribute %s on <%s>' % (k, t))
            if k in ('src', 'href', 'xlink:href', 'action', 'data', 'poster', 'srcset') and not v.startswith('#'):
                self.bad.append('<%s %s=%r>: a resource outside the page' % (t, k, v))
        if t in ('script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'audio', 'video'):
            self.bad.append('<%s>' % t)
    def handle_data(self, d):
        self.text.append(d)

p = P()
p.feed(page)
p.close()
assert not p.bad, p.bad
assert not re.search(r'url\(\s*["\']?(https?:|//)', page, re.I), 'a CSS url() to the network'
assert '@import' not in page, '@import'
assert page.startswith('<!DOCTYPE html>') and page.rstrip().endswith('</html>')
assert p.tags.get('svg', 0) == charts, '%d svg, expected %d' % (p.tags.get('svg', 0), charts)
assert p.tags.get('table', 0) >= 6, 'only %d tables' % p.tags.get('table', 0)
text = ' '.join(p.text)
# The hostile tag reads back as text, once escaped.
assert tag in html.unescape(page), 'the tag is not on the page'
assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt;' in page
for section in ('provenance', 'verdict', 'validation', 'comparison', 'charts', 'sources'):
    assert 'id="%s"' % section in page, 'no section ' + section
for words in ('Spec sheet', 'Kernel results', 'Model trust', 'holdout', 'calibration', 'p90 |error|',
              'median |error|', 'NVIDIA H100 SXM5 80GB', 'peak_dense_tflops.bf16', 'vendor-spec'):
    assert words in text, 'no %r on the page' % words
if charts:
    assert 'not drawn' not in text, 'a chart is missing'
EOF
ls "$T/tmp" | grep -q . && fail "temporary files left: $(ls "$T/tmp")" || pass

# Every chip figure's source: the text of each source tag a figure of a
# compared profile names is on the page.
python3 - "$T/report.html" "$NB_SRCDIR/profiles" <<'EOF' && pass || fail "report.html: sources"
import html, json, os, sys
page = html.unescape(open(sys.argv[1], encoding='utf-8').read())
def tags(node, top=True):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == 'source' and isinstance(v, str) and not top:
                yield v
            elif k != 'sources':
                yield from tags(v, False)
    elif isinstance(node, list):
        for v in node:
            yield from tags(v, False)
n = 0
for f in ('h100-sxm.json', 'tpu-v5e.json', 'ascend-910b2.json'):
    p = json.load(open(os.path.join(sys.argv[2], f)))
    for tag in set(tags(p)):
        text = p['sources'][tag]
        text = text if isinstance(text, str) else json.dumps(text)
        assert text in page, '%s: the source %s of a figure is not on the page' % (f, tag)
        n += 1
assert n >= 6, 'only %d sources checked' % n
EOF

# '-' is standard output; --run and --chips are honoured.
expect 0 nb report -o - --run 1 --chips host,h100,910b --baseline 910b && contains "$T/out" "<!DOCTYPE html>"
contains "$T/out" "relative to ascend-910b2"
lacks "$T/out" "<h3>tpu-v5e"

### The verdict: figures recomputed from their sources

expect 0 nb compare chips host 910b a100 h100 tpu-v5e --baseline 910b --run 1 --format json
cp "$T/out" "$T/chips.json"
expect 0 nb validate --measurements holdout --format csv
cp "$T/out" "$T/holdout.csv"
expect 0 nb compare chips host 910b a100 h100 tpu-v5e --baseline 910b --run 1
cp "$T/out" "$T/chips.txt"
contains "$T/chips.txt" "Verdict"
python3 - "$T/chips.json" "$T/holdout.csv" "$T/chips.txt" <<'EOF' && pass || fail "verdict figures"
import csv, json, statistics, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[3]).read()
verdict = text[text.index('Verdict'):]

def ratio(r):
    return '%.0fx' % r if r >= 100 else '%.2fx' % r if r >= 0.1 else ('%.2g' % r) + 'x'

# Per family, each chip's median ratio to the baseline over the common cases.
fams = {}
for k in d['kernels']:
    fam = k['case'].split()[0]
    for chip, r in k['results'].items():
        if chip != d['baseline'] and r['ratio'] is not None:
            fams.setdefault(fam, {}).setdefault(chip, []).append(r['ratio'])
assert fams, 'no ratios in the fixture'
for fam, chips in fams.items():
    line = [l for l in verdict.splitlines() if l.strip().startswith(fam + ' (')]
    assert len(line) == 1, 'no verdict line for %s' % fam
    for chip, rs in chips.items():
        want = '%s %s' % (chip, ratio(statistics.median(rs)))
        assert want in line[0], '%r not in %r' % (want, line[0])

# The held-out error: median and p90 (type 7) of |error| over predicted rows.
errs = sorted(abs(float(r['error'])) for r in csv.DictReader(
    l for l in open(sys.argv[2]) if not l.startswith('summary,')) if r['bound'])
def q(x, p):
    h = (len(x) - 1) * p
    return x[int(h)] + (h - int(h)) * (x[min(int(h) + 1, len(x) - 1)] - x[int(h)])
want = 'on %d published measurements kept out of its calibration' % len(errs)
assert want in verdict, want
pct = lambda f: ('%.1f%%' if 100 * f < 9.95 else '%.0f%%') % (100 * f)
want = 'off by a median of %s (p90 %s)' % (pct(q(errs, .5)), pct(q(errs, .9)))
assert want in verdict, '%r not in the verdict' % want
assert 'Host: ' in verdict and "host's noise as measured" in verdict
EOF
# Machine formats stay machine formats.
expect 0 nb compare chips h100 910b --format csv && lacks "$T/out" "Verdict"
expect 0 nb compare chips h100 910b --format markdown && contains "$T/out" "## Verdict"

finish
