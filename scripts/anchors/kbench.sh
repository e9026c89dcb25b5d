# Sourced by the anchor scripts: builds kbench against a build tree.
# NB_BUILDDIR: the build tree holding libnpubench.a (default: the source tree).
# Sets KBENCH to the binary's path.
nb_src=$(cd "$(dirname "$0")/../.." && pwd)
nb_build=${NB_BUILDDIR:-$nb_src}
if [ ! -f "$nb_build/libnpubench.a" ]; then
	echo "bench-anchors: no libnpubench.a in $nb_build: build first or set NB_BUILDDIR" >&2
	exit 1
fi
KBENCH=${TMPDIR:-/tmp}/npubench-kbench.$$
nb_isa_lib=
for l in avx2 avx512 ew_avx2 ew_avx512; do
	[ -f "$nb_build/libnpubench_$l.a" ] && nb_isa_lib="$nb_isa_lib $nb_build/libnpubench_$l.a"
done
${CC:-cc} -O2 -pthread -I"$nb_src/src" -I"$nb_build" -o "$KBENCH" "$nb_src/scripts/anchors/kbench.c" \
	"$nb_build/libnpubench.a" $nb_isa_lib "$nb_build/libnpubench.a" \
	$(make -s -C "$nb_build" print-libs 2>/dev/null || pkg-config --libs sqlite3 libcjson libcurl 2>/dev/null) -lm || exit 1
trap 'rm -f "$KBENCH"' EXIT
