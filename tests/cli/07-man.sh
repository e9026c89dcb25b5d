# The man page is complete: every option and every word a command's --help
# offers (chart kinds, subjects, formats, measurement sets) is in that
# command's section of man/npubench.1, and every option the section names is
# one the command has.
. "$NB_SRCDIR/tests/cli/lib.sh"
MAN="$NB_SRCDIR/man/npubench.1"

"$NPUBENCH" help >"$T/help"
cmds=$(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$T/help")
[ -n "$cmds" ] || fail "no commands listed"
for c in $cmds; do
	# The section: from ".SS c" to the next section, with roff's escaped
	# hyphens read as hyphens.
	awk -v c="$c" '$0 ~ "^\\.S[SH]" { on = ($1 == ".SS" && $2 == c) } on' "$MAN" |
		sed 's/\\-/-/g; s/\\(en/-/g' >"$T/man-$c"
	[ -s "$T/man-$c" ] || { fail "man page has no section for '$c'"; continue; }
	"$NPUBENCH" "$c" --help >"$T/help-$c"
	# Options: those the help lists (a line of its own, or the usage) are
	# in the section; every option the section names is in the help.
	for o in $( { sed -n '/^usage:/,/^$/p' "$T/help-$c"
		sed -n 's/^ *\(-[a-zA-Z0-9], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' "$T/help-$c"; } |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		if grep -q -- "$o\\b" "$T/man-$c"; then pass; else fail "man page, section $c, lacks $o (in '$c --help')"; fi
	done
	for o in $(grep -E '^\.(B|BI|BR|RB|IP|TP) (\[ )?--' "$T/man-$c" | grep -o -- '--[a-z][a-z0-9-]*' |
		grep -vx -- '--help' | sort -u); do
		if grep -q -- "$o\\b" "$T/help-$c"; then pass; else fail "'$c --help' lacks $o (in the man page's section $c)"; fi
	done
	# Words of the usage line's alternatives (roofline|bars|..., csv|json|...).
	for w in $(sed -n '/^usage:/,/^$/p' "$T/help-$c" | grep -oE '[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+' |
		tr '|' '\n' | sort -u); do
		if grep -qw -- "$w" "$T/man-$c"; then pass; else fail "man page, section $c, lacks '$w' (in the usage of '$c --help')"; fi
	done
done

# What the code accepts is documented: every option in a getopt_long table
# of src/cmd/CMD*.c, and every short option of its option string, is in
# 'CMD --help' and in the man page's section CMD (a new option the help
# forgets fails here, not in a user's hands).
for src in "$NB_SRCDIR"/src/cmd/*.c; do
	b=$(basename "$src" .c)
	c=${b%%-*}
	[ -s "$T/man-$c" ] || continue
	"$NPUBENCH" "$c" --help >"$T/help-$c"
	for o in $(grep -oE '\{ *"[a-z][a-z0-9-]*", *(required|no|optional)_argument' "$src" |
		sed -E 's/^\{ *"([^"]*)".*/\1/' | sort -u); do
		if grep -q -- "--$o\b" "$T/help-$c"; then pass; else fail "'$c --help' lacks --$o (accepted in src/cmd/$b.c)"; fi
		if grep -q -- "--$o\b" "$T/man-$c"; then pass; else fail "man page, section $c, lacks --$o (accepted in src/cmd/$b.c)"; fi
	done
	for x in $(grep -oE 'getopt_long\([^"]*"[^"]*"' "$src" | sed -E 's/.*"([^"]*)"$/\1/' |
		tr -d ':+' | fold -w1 | sort -u); do
		if grep -qE -- "(^|[][ ,|(])-$x([], |]|$)" "$T/help-$c"; then pass
		else fail "'$c --help' lacks -$x (a short option in src/cmd/$b.c)"; fi
		if grep -qE -- "(^|[][ ,|(\"])-$x([], |\"]|$)" "$T/man-$c"; then pass
		else fail "man page, section $c, lacks -$x (a short option in src/cmd/$b.c)"; fi
	done
done

# What plot's help says the scaling chart sweeps is in the man page too.
"$NPUBENCH" plot --help >"$T/out"
for w in $(sed -n '/^  scaling/,/^  specs/p' "$T/out" | grep -oE '[0-9]+\.\.[0-9]+'); do
	lo=${w%%.*} hi=${w##*.}
	if grep -qw -- "$lo" "$T/man-plot" && grep -qw -- "$hi" "$T/man-plot"; then pass
	else fail "man page, section plot, lacks the scaling range $w"; fi
done
finish
