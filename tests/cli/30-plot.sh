# npubench plot: every chart kind to PNG, SVG and text from fixed stored
# results; scripts that re-render with gnuplot alone; errors; and names
# built to inject gnuplot commands, which must neither break a chart nor run.
. "$NB_SRCDIR/tests/cli/lib.sh"

if ! command -v gnuplot >/dev/null 2>&1; then
	echo "SKIP: gnuplot is not installed (Debian: gnuplot-nox)"
	exit 77
fi
FIXTURE="$NB_BUILDDIR/tests/nbfixture"
DB="$T/plot.db"
"$FIXTURE" "$DB" "$NB_SRCDIR/tests/fixtures/plot-run.tsv" "fixture run" >/dev/null || fail "cannot build the fixture database"

nb() { "$NPUBENCH" --db "$DB" "$@"; }
# Temporary files go here, to check that none is left behind.
mkdir -p "$T/tmp"
TMPDIR="$T/tmp"
export TMPDIR


### Every kind, PNG and SVG, from the fixture run

expect 0 nb plot roofline -o "$T/roofline.png" && png_ok "$T/roofline.png"
contains "$T/err" "drawing the bf16 roofline"
expect 0 nb plot roofline -o "$T/roofline.svg" &&
	svg_ok "$T/roofline.svg" "h100-sxm" "tpu-v5e" "host, measured" "operational intensity (FLOP/byte)" \
		"gemm bf16 m=4096 n=4096 k=4096" "fixture run"
expect 0 nb plot roofline --dtype fp64 -o "$T/roofline64.svg" &&
	svg_ok "$T/roofline64.svg" "stream triad fp64 n=65536, n=262144" "n=16777216" "fp64 roofs"
expect 0 nb plot bars -o "$T/bars.png" && png_ok "$T/bars.png"
expect 0 nb plot bars -o "$T/bars.svg" &&
	svg_ok "$T/bars.svg" "NVIDIA H100 SXM5 80GB" "Google TPU v5e" "host" "FLOP/s" "B/s"
expect 0 nb plot bars --normalize h100 --kernel gemm -o "$T/norm.svg" &&
	svg_ok "$T/norm.svg" "relative to NVIDIA H100 SXM5 80GB"
expect 0 nb plot bars --normalize host --kernel 'gemm*' -o "$T/normhost.png" && png_ok "$T/normhost.png"
expect 0 nb plot scaling --kernel stream -o "$T/scaling.png" && png_ok "$T/scaling.png"
expect 0 nb plot scaling --kernel stream --chips h100,910b -o "$T/scaling.svg" &&
	svg_ok "$T/scaling.svg" "host (measured)" "h100-sxm" "ascend-910b2" "elements per array"
lacks "$T/scaling.svg" "tpu-v5e"
expect 0 nb plot specs -o "$T/specs.png" && png_ok "$T/specs.png"
expect 0 nb plot specs --chips h100,mi300x,tpu-v5e -o "$T/specs.svg" &&
	svg_ok "$T/specs.svg" "mi300x" "bf16" "memory bandwidth (TB/s)" "memory capacity (GiB)"
expect 0 nb plot specs -o "$T/specs.pdf" && contains "$T/specs.pdf" "%PDF-"
expect 0 nb plot bars --title "My title" -o "$T/title.svg" && svg_ok "$T/title.svg" "My title"

# The host's roof comes from the profile 'profile probe' writes.
mkdir -p "$T/hostprof"
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/hostprof/host.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p['id'] = 'host'
p['name'] = 'this machine'
p['aliases'] = []
json.dump(p, open(sys.argv[2], 'w'), indent=2)
EOF
hp() { "$NPUBENCH" --db "$DB" --profiles "$T/hostprof:$NB_SRCDIR/profiles" "$@"; }
expect 0 hp plot roofline --chips host,h100 -o "$T/hostroof.svg" &&
	svg_ok "$T/hostroof.svg" "host (probed roof; cases measured) - 197.0 TFLOP/s, 819.0 GB/s" "h100-sxm"
lacks "$T/hostroof.svg" "tpu-v5e"
expect 0 hp plot specs --chips host,h100 -o "$T/hostspecs.svg" && svg_ok "$T/hostspecs.svg" "host" "h100-sxm"
expect 1 nb plot specs --chips host && contains "$T/err" "profile probe"
# A probed host profile emulates bf16 with fp32: its roof is the fp32 peak.
expect 0 "$NPUBENCH" --db "$DB" --profiles "$NB_SRCDIR/tests/fixtures/host-profile:$NB_SRCDIR/profiles" \
	plot roofline --chips host -o "$T/probed.svg" && svg_ok "$T/probed.svg" "host (probed roof; cases measured) - 85.43 GFLOP/s via fp32"

### Text in the terminal: axes, tics and labels

expect 0 nb plot roofline --term dumb
contains "$T/out" "operational intensity (FLOP/byte)"
contains "$T/out" "100 TFLOP/s"
contains "$T/out" "+-----"
# The y axis's label, which gnuplot's text terminal drops, on its own row.
grep -Eq '^ *attained FLOP/s *$' "$T/out" && pass || fail "roofline --term dumb: no y axis label"
expect 0 nb plot bars
contains "$T/out" "1 TFLOP/s"
contains "$T/out" "GB/s"
# Every series stands in the text legend behind its own fill characters,
# however long the names (a key too wide for gnuplot loses entries).
for cols in 80 100 140; do
	COLUMNS=$cols expect 0 nb plot bars --chips h100,tpu-v5e,910b,host --term dumb || continue
	legend_fills "$T/out" host "NVIDIA H100 SXM5 80GB" "Google TPU v5e" \
		"Huawei Ascend 910B2 (Atlas A2, 376T bin)"
done
expect 0 nb plot scaling --kernel stream --term dumb && contains "$T/out" "elements per array"
grep -Eq '^ *throughput \(B/s\) *$' "$T/out" && pass || fail "scaling --term dumb: no y axis label"
expect 0 nb plot specs --term dumb && contains "$T/out" "memory capacity (GiB)"
# Every family with a size sweep draws from the model alone.
for k in gemm attention spmm stream; do
	expect 0 nb plot scaling --kernel $k --chips h100,tpu-v5e --term dumb && contains "$T/out" "h100-sxm"
done
expect 0 nb plot scaling --kernel attention --dtype bf16 -o "$T/attn.svg" &&
	svg_ok "$T/attn.svg" "sequence length (seq_q = seq_k)" "attention bf16: throughput against size" "32768"
expect 0 nb plot scaling -o "$T/gemm.svg" && svg_ok "$T/gemm.svg" "matrix size (m = n = k)" "16384" "dense peak"
expect 0 nb plot specs -o "$T/specs.txt" && contains "$T/specs.txt" "memory bandwidth (TB/s)"

### --script: the script and its data, re-rendered by gnuplot alone

expect 0 nb plot bars --script "$T/bars.gp" -o "$T/b1.png" && png_ok "$T/b1.png"
rm -f "$T/b1.png"
(cd "$T" && gnuplot bars.gp) && pass || fail "gnuplot could not re-render bars.gp"
png_ok "$T/b1.png"
for kind in roofline scaling specs; do
	expect 0 nb plot $kind --kernel stream --dtype fp64 --script "$T/$kind.gp" &&
		contains "$T/err" "wrote $T/$kind.gp"
	gnuplot "$T/$kind.gp" >"$T/$kind-again.png" 2>"$T/gp.err" && pass || fail "gnuplot $kind.gp failed"
	png_ok "$T/$kind-again.png"
done

### Errors

expect 2 nb plot && contains "$T/err" "which chart?"
expect 2 nb plot pie && contains "$T/err" "unknown chart 'pie'"
expect 2 nb plot bars -o "$T/x.jpg" && contains "$T/err" ".png, .svg, .pdf"
expect 2 nb plot bars --term wxt && contains "$T/err" "--term wxt: unknown terminal"
expect 2 nb plot bars --dtype fp7 && contains "$T/err" "unknown dtype"
expect 2 nb plot roofline --normalize h100 && contains "$T/err" "bars only"
expect 1 nb plot bars --kernel nosuch && contains "$T/err" "no results in run 1 match --kernel nosuch"
expect 1 nb plot roofline --kernel gemm --dtype int8 && contains "$T/err" "no results"
expect 2 nb plot bars --chips nosuchchip && contains "$T/err" "unknown target 'nosuchchip'"
expect 1 nb plot bars --normalize a100-pcie-80gb && contains "$T/err" "not among the plotted targets"
expect 1 nb plot bars --run 99 && contains "$T/err" "no run '99'"
expect 1 "$NPUBENCH" --db "$T/empty.db" plot bars && contains "$T/err" "no database at '$T/empty.db'"
[ ! -e "$T/empty.db" ] && pass || fail "plot bars created '$T/empty.db'"
expect 1 nb plot scaling --kernel nosuch && contains "$T/err" "no kernel with a size sweep"
NPUBENCH_GNUPLOT="$T/nowhere/gnuplot"
export NPUBENCH_GNUPLOT
expect 1 nb plot bars -o "$T/never.png" && contains "$T/err" "gnuplot-nox"
# Writing a script alone needs no gnuplot.
expect 0 nb plot bars --script "$T/nogp.gp" && contains "$T/nogp.gp" "plot"
[ -e "$T/never.png" ] && fail "a chart was written without gnuplot" || pass
# A gnuplot that fails names the script line, and nothing is written.
cat >"$T/fakegp" <<'EOF'
#!/bin/sh
echo "" >&2
echo "         ^" >&2
echo "\"$1\" line 3: invalid command" >&2
exit 1
EOF
chmod +x "$T/fakegp"
NPUBENCH_GNUPLOT="$T/fakegp"
expect 1 nb plot bars -o "$T/never.png" && contains "$T/err" "gnuplot failed at script line 3: invalid command"
unset NPUBENCH_GNUPLOT
contains "$T/err" "  3 | "
[ -e "$T/never.png" ] && fail "a chart was written although gnuplot failed" || pass
[ -z "$(ls -A "$T/tmp")" ] && pass || fail "temporary files left behind: $(ls -A "$T/tmp")"

### Hostile text: a tag, a chip profile and a stored case built to inject
### gnuplot commands (quotes, backslashes, backticks, newlines, system(),
### shell substitution, a data block terminator).  Nothing may run.

[ -e /tmp/pwned ] && had_pwned=1 || had_pwned=0
# Markers are relative to the folder the commands run in ($T), so that the
# payloads stay short enough to be drawn whole.
cd "$T" || exit 1
tag=$(printf 'EOD\nsystem("touch pw3")\n!touch pw4\n`touch pw1` $(touch pw2) x'"'"'y" \\ @x <b>&amp; system("touch /tmp/pwned")')
name=$(printf 'x'"'"'y" \\ `touch pw5` system("touch pw6")\nEOD\n!touch pw7 $(touch pw8)')
EVIL="$T/evil.db"
printf 'measured\thost\tok\t0.001\t1e9\t1e8\tFLOP/s\t-\tevil"k` system("touch pw9") `touch pw10`\n' >"$T/evil.tsv"
cat "$NB_SRCDIR/tests/fixtures/plot-run.tsv" >>"$T/evil.tsv"
"$FIXTURE" "$EVIL" "$T/evil.tsv" "$tag" >/dev/null || fail "cannot build the hostile database"
mkdir -p "$T/prof"
python3 - "$NB_SRCDIR/profiles/tpu-v5e.json" "$T/prof/evil.json" "$name" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p['id'] = 'evil'
p['name'] = sys.argv[3]
p['aliases'] = []
json.dump(p, open(sys.argv[2], 'w'), indent=2)
EOF
ev() { "$NPUBENCH" --db "$EVIL" --profiles "$T/prof:$NB_SRCDIR/profiles" "$@"; }
expect 0 ev profile show evil
for fmt in png svg; do
	expect 0 ev plot roofline --dtype fp64 --chips evil,h100 --kernel stream -o "$T/evil-roof.$fmt"
	expect 0 ev plot roofline --chips evil -o "$T/evil-roof2.$fmt"
	expect 0 ev plot bars --chips evil,h100 -o "$T/evil-bars.$fmt"
	expect 0 ev plot bars --chips evil,h100 --normalize evil --kernel stream -o "$T/evil-norm.$fmt"
	expect 0 ev plot scaling --kernel stream --chips evil,h100 -o "$T/evil-scaling.$fmt"
	expect 0 ev plot specs --chips evil,h100 -o "$T/evil-specs.$fmt"
	expect 0 ev plot bars --title "$tag" -o "$T/evil-title.$fmt"
done
for f in "$T"/evil-*.png; do png_ok "$f"; done
for f in "$T"/evil-*.svg; do svg_ok "$f"; done
# The names are drawn exactly, control characters shown as spaces.
svg_ok "$T/evil-bars.svg" 'EOD system("touch pw3") !touch pw4 `touch pw1` $(touch pw2) x'"'"'y" \ @x' \
	'x'"'"'y" \ `touch pw5` system("touch pw6") EOD !touch pw7' 'evil"k`' 'system("touch'
svg_ok "$T/evil-roof.svg" 'EOD system("touch pw3")'
svg_ok "$T/evil-norm.svg" 'relative to x'"'"'y" \ `touch pw5`'
svg_ok "$T/evil-title.svg" 'EOD system("touch pw3") !touch pw4'
expect 0 ev plot bars --chips evil --term dumb && contains "$T/out" "FLOP/s"
contains "$T/out" 'EOD system("touch pw3")'
expect 0 ev plot scaling --kernel stream --chips evil --term dumb
expect 0 ev plot bars --chips evil,h100 --title "$name" --script "$T/evil.gp"
gnuplot "$T/evil.gp" >"$T/evil-again.png" 2>"$T/gp.err" && pass || fail "the hostile script does not re-render"
png_ok "$T/evil-again.png"
for n in 1 2 3 4 5 6 7 8 9 10; do
	[ -e "$T/pw$n" ] && fail "an injected command ran (pw$n)" || pass
done
[ $had_pwned = 0 ] && [ -e /tmp/pwned ] && fail "an injected command ran (/tmp/pwned)" || pass
[ -z "$(ls -A "$T/tmp")" ] && pass || fail "temporary files left behind: $(ls -A "$T/tmp")"
finish
