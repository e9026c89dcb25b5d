# Help, version, usage errors, and that every command is documented.
. "$NB_SRCDIR/tests/cli/lib.sh"

expect 0 "$NPUBENCH" --version && contains "$T/out" "npubench "
expect 0 "$NPUBENCH" help && contains "$T/out" "Commands:"
expect 0 "$NPUBENCH" --help && contains "$T/out" "Commands:"
expect 2 "$NPUBENCH" && contains "$T/err" "no command given"
expect 2 "$NPUBENCH" frobnicate && contains "$T/err" "'frobnicate' is not a npubench command"
expect 2 "$NPUBENCH" --frob info && contains "$T/err" "unknown option '--frob'"
expect 2 "$NPUBENCH" info --frob && contains "$T/err" "unknown option '--frob'"
contains "$T/err" "usage: npubench info"
expect 2 "$NPUBENCH" help frobnicate

# Every command in the table: in `npubench help`, with working --help,
# `help COMMAND`, and a section in the man page.
"$NPUBENCH" help >"$T/help"
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$T/help")
[ -n "$cmds" ] || fail "no commands listed"
for c in $cmds; do
	expect 0 "$NPUBENCH" "$c" --help && contains "$T/out" "usage: npubench $c"
	expect 0 "$NPUBENCH" help "$c" && contains "$T/out" "usage: npubench $c"
	if grep -q "^\.SS $c\b" "$NB_SRCDIR/man/npubench.1"; then pass; else fail "man page has no section for '$c'"; fi
done
# ...and the man page documents no command that does not exist.
for c in $(sed -n 's/^\.SS \([a-z]*\).*/\1/p' "$NB_SRCDIR/man/npubench.1"); do
	if echo "$cmds" | grep -qx "$c"; then pass; else fail "man page documents unknown command '$c'"; fi
done

expect 0 "$NPUBENCH" info && contains "$T/out" "dispatch:"
expect 0 "$NPUBENCH" info --peaks && contains "$T/out" "fp32 FMA"
contains "$T/out" "int8 dot product"
expect 0 "$NPUBENCH" info --format json && contains "$T/out" '"cpu_model"'
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" && pass || fail "info json does not parse"
NPUBENCH_ISA=portable "$NPUBENCH" info --format json >"$T/out" 2>/dev/null
contains "$T/out" '"isa":	"portable"'
finish
