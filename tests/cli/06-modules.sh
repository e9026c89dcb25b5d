# Each third-party library stays behind its module: SQLite in src/store,
# libcurl in src/net, cJSON where JSON is read and written (profiles in
# src/model, suites and case parameters in src/kernels, documents in
# src/report), gnuplot spawned from src/report only.  A new include elsewhere
# fails here, naming the file.
. "$NB_SRCDIR/tests/cli/lib.sh"
cd "$NB_SRCDIR" || exit 1

# allowed HEADER-PATTERN FILE-PATTERN: every file of src/ that includes the
# header matches the pattern (an extended regex over its path).
allowed() {
	bad=$(grep -rlE "#[[:space:]]*include[[:space:]]*<$1" src --include='*.c' --include='*.h' |
		grep -vE "$2" || true)
	if [ -z "$bad" ]; then pass; else fail "<$1> included outside its module: $bad"; fi
}

allowed 'sqlite3\.h>' '^src/store/'
allowed 'curl/' '^src/net/'
allowed 'cjson/' '^src/(model|report)/|^src/kernels/(suite|case)\.c$'
# The modules with cJSON, counted: at most three.
n=$(grep -rlE '#[[:space:]]*include[[:space:]]*<cjson/' src --include='*.c' --include='*.h' |
	cut -d/ -f2 | sort -u | wc -l)
[ "$n" -le 3 ] && pass || fail "cJSON is used in $n modules"
# gnuplot is run from one place: the report module's gnuplot.c.
bad=$(grep -rlE 'execv|execl|popen|posix_spawn' src --include='*.c' | grep -v '^src/report/gnuplot\.c$' || true)
[ -z "$bad" ] && pass || fail "a program is spawned outside src/report/gnuplot.c: $bad"

finish
