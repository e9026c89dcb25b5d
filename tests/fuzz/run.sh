#!/bin/sh
# Builds the libFuzzer harnesses with clang (address, undefined and
# float-cast-overflow sanitizers) and runs each for SECONDS (default 30)
# on its committed seed corpus.  Exits 77 (skip) without clang/libFuzzer.
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
# CLANG names the compiler; FUZZ_DIR the work folder (default under TMPDIR);
# a crash leaves its input there and exits 1.
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CLANG:-clang}
work=${FUZZ_DIR:-${TMPDIR:-/tmp}/npubench-fuzz}
san="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow"
harnesses=${*:-case suite profile import csv gpquote}

command -v "$cc" >/dev/null 2>&1 || { echo "fuzz: no $cc: skipped"; exit 77; }
mkdir -p "$work/obj" || exit 1
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n & 0; }' >"$work/probe.c"
"$cc" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null \
	|| { echo "fuzz: $cc cannot link libFuzzer (Debian: libclang-rt-dev): skipped"; exit 77; }
# config.h: from a configured tree (in-tree or the current folder).
cfg=
for d in "$src" "$(pwd)"; do [ -f "$d/config.h" ] && cfg=$d && break; done
[ -n "$cfg" ] || { echo "fuzz: no config.h: run ./configure first"; exit 1; }
cflags="-g -O1 -pthread -fsanitize=fuzzer-no-link $san -I$src/src -I$cfg \
	-DNB_SRCDIR=\"$src\" -DNB_BUILDDIR=\"$cfg\" -DNB_PKGDATADIR=\"$src/data\" $(pkg-config --cflags libcjson 2>/dev/null)"
# The configured tree's own flags and libraries (MPI among them when found).
cflags="$cflags $(make -s -C "$cfg" print-cflags 2>/dev/null)"
libs=$(make -s -C "$cfg" print-libs 2>/dev/null) ||
	libs="$(pkg-config --libs sqlite3 libcjson libcurl 2>/dev/null || echo -lsqlite3 -lcjson -lcurl) -lm"

# ISA flags per file, as Makefile.am gives them to each kernel library:
# the library's _CFLAGS, with the Makefile.am variables it names expanded
# (AM_CFLAGS left out: the fuzzing build has its own).
mk_var() {
	awk -v v="$1" '
		$1 == v && $2 == "=" { grab = 1; from = 3 }
		grab { for (i = from; i <= NF; i++) if ($i != "\\") printf "%s ", $i; from = 1; if (!/\\$/) exit }
	' "$src/Makefile.am"
}
mk_expand() (
	out=
	for t in "$@"; do
		case $t in
		'$(AM_CFLAGS)') ;;
		'$('*')') n=${t#'$('}; n=${n%')'}
			# shellcheck disable=SC2046
			out="$out $(mk_expand $(mk_var "$n"))" ;;
		*) out="$out $t" ;;
		esac
	done
	echo $out
)
isa_flags() {
	lib=$(awk -v f="$1" '
		/^lib[a-z0-9_]*_a_SOURCES/ { lib = $1; sub(/_SOURCES.*/, "", lib); insrc = 1 }
		insrc && index($0, f) { print lib; exit }
		insrc && !/\\$/ { insrc = 0 }
	' "$src/Makefile.am")
	[ -n "$lib" ] || return 0
	# shellcheck disable=SC2046
	mk_expand $(mk_var "${lib}_CFLAGS")
}

objs=
# The library's sources: not the program's main, not the GPU plugin's.
for f in $(cd "$src" && find src -name '*.c' ! -name main.c ! -path 'src/cuda/*' | sort); do
	o="$work/obj/$(echo "$f" | tr / _).o"
	# Rebuilt when its source or any header is newer.
	if [ ! -f "$o" ] || [ "$src/$f" -nt "$o" ] ||
	   [ -n "$(find "$src/src" "$cfg/config.h" -name '*.h' -newer "$o" | head -n 1)" ]; then
		# shellcheck disable=SC2046
		"$cc" $cflags $(isa_flags "$f") -c "$src/$f" -o "$o" || exit 1
	fi
	objs="$objs $o"
done

fails=0
for h in $harnesses; do
	bin="$work/fuzz-$h"
	# shellcheck disable=SC2086
	"$cc" $cflags -fsanitize=fuzzer "$src/tests/fuzz/fuzz-$h.c" $objs $libs -o "$bin" || exit 1
	mkdir -p "$work/corpus-$h"
	echo "fuzz: $h for $secs s"
	if ! (cd "$work" && "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work/corpus-$h" "$src/tests/fuzz/corpus/$h" >"$work/$h.log" 2>&1); then
		echo "fuzz: $h FAILED (input and log in $work)"; tail -n 30 "$work/$h.log"
		fails=$((fails + 1))
	else
		grep -E '^stat::number_of_executed_units' "$work/$h.log" | sed "s/^/fuzz: $h: /"
	fi
done
[ "$fails" -eq 0 ]
