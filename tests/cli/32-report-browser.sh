# npubench report in a real browser: Debian's headless chromium renders the
# page to PNG and dumps the DOM it built; every table and chart must be
# there, each chart a drawn SVG, and nothing broken (no element the browser
# had to fetch or failed to parse).
. "$NB_SRCDIR/tests/cli/lib.sh"

browser=""
for b in chromium chromium-browser; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	echo "SKIP: no headless browser: install Debian's chromium (apt-get install chromium) to check the report page"
	exit 77
fi
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox): the report would have no chart"
	exit 77
fi

DB="$T/report.db"
"$NB_BUILDDIR/tests/nbfixture" "$DB" "$NB_SRCDIR/tests/fixtures/plot-run.tsv" 'fixture <run> & co' >/dev/null ||
	fail "cannot build the fixture database"
expect 0 "$NPUBENCH" --db "$DB" report -o "$T/report.html"

# chromium SRC ARGS...: headless, no sandbox (tests may run as root), its
# profile in $T, nothing fetched from the network, bounded in time.
chrome() {
	timeout 300 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$T/chrome" --no-first-run --disable-extensions \
		--disable-background-networking --proxy-server='127.0.0.1:9' \
		--window-size=1280,6000 "$@" "file://$T/report.html"
}
chrome --screenshot="$T/report.png" >"$T/shot.log" 2>&1 || fail "$browser --screenshot failed: $(tail -n 3 "$T/shot.log")"
chrome --dump-dom >"$T/dom.html" 2>"$T/dom.log" || fail "$browser --dump-dom failed: $(tail -n 3 "$T/dom.log")"

# The screenshot: a PNG of the window's size, with drawn content (a blank
# or error page compresses to a few kilobytes).
python3 - "$T/report.png" <<'PY' && pass || fail "report.png is not a rendered page"
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n', 'no PNG signature'
w, h = struct.unpack('>II', d[16:24])
assert (w, h) == (1280, 6000), 'size %dx%d' % (w, h)
idat, i = b'', 8
while i < len(d):
    n, = struct.unpack('>I', d[i:i + 4])
    if d[i + 4:i + 8] == b'IDAT':
        idat += d[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
assert len(raw) > 0 and len(idat) > 100000, 'only %d bytes of image data: blank?' % len(idat)
PY

# The DOM the browser built: what the page promised, parsed as HTML and SVG.
python3 - "$T/report.html" "$T/dom.html" <<'PY' && pass || fail "the browser's DOM lacks parts of the page"
import html.parser, sys

class Count(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.n, self.svg_children, self.depth, self.errors = {}, [], 0, []
    def handle_starttag(self, t, attrs):
        self.n[t] = self.n.get(t, 0) + 1
        if t == 'svg':
            self.svg_children.append(0)
        elif self.svg_children and t in ('path', 'text', 'g', 'rect', 'polyline', 'circle', 'use'):
            self.svg_children[-1] += 1
        if t == 'parsererror':
            self.errors.append(t)

src, dom = Count(), Count()
src.feed(open(sys.argv[1], encoding='utf-8').read())
dom.feed(open(sys.argv[2], encoding='utf-8').read())
for t in ('table', 'svg', 'figure', 'section', 'tr', 'li', 'h2'):
    assert dom.n.get(t, 0) == src.n.get(t, 0), '<%s>: %d in the DOM, %d in the file' % (t, dom.n.get(t, 0), src.n.get(t, 0))
assert dom.n.get('svg', 0) == 4, '%d charts' % dom.n.get('svg', 0)
assert dom.n.get('table', 0) >= 6, '%d tables' % dom.n.get('table', 0)
assert all(c > 20 for c in dom.svg_children), 'an SVG with almost nothing drawn: %s' % dom.svg_children
assert not dom.errors, 'parser errors: %s' % dom.errors
for t in ('img', 'iframe', 'object', 'embed', 'script'):
    assert t not in dom.n, '<%s> in the DOM' % t
PY
# Nothing fetched, nothing failed to load (chromium logs such failures).
lacks "$T/dom.log" "net::ERR"
lacks "$T/shot.log" "net::ERR"

finish
