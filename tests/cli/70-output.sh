# Output paths (-o, --script) behave like shell redirection: devices and
# FIFOs are written into, links followed, regular files replaced keeping
# their mode and owner, "-" is standard output, stale temporaries removed.
. "$NB_SRCDIR/tests/cli/lib.sh"
fixture_db
exp() { "$NPUBENCH" --db "$DB" export --run 1 --format csv "$@"; }

# "-" is standard output.
expect 0 exp -o - && contains "$T/out" "run_id,run_uuid"
expect 0 exp && cp "$T/out" "$T/want.csv"

# A FIFO is written into and stays a FIFO.
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" >"$T/fromfifo" &
reader=$!
expect 0 exp -o "$T/fifo"
exec 9<>"$T/fifo" 2>/dev/null; exec 9>&-
wait "$reader"
[ -p "$T/fifo" ] && pass || fail "the FIFO was replaced"
cmp -s "$T/fromfifo" "$T/want.csv" && pass || fail "the FIFO did not receive the export"

# A character device is written into, never replaced.
if [ -c /dev/null ] && [ -w /dev/null ]; then
	ln -s /dev/null "$T/null"
	expect 0 exp -o "$T/null"
	[ -c /dev/null ] && pass || fail "/dev/null is no longer a device"
fi

# A symbolic link is followed: the link stays, its target is written.
mkdir "$T/d"
echo old >"$T/d/target.csv"
ln -s d/target.csv "$T/link.csv"
expect 0 exp -o "$T/link.csv"
[ -L "$T/link.csv" ] && pass || fail "the link was replaced by a file"
cmp -s "$T/d/target.csv" "$T/want.csv" && pass || fail "the link's target was not written"
# A dangling link names the file to create.
ln -s d/new.csv "$T/dangling.csv"
expect 0 exp -o "$T/dangling.csv"
[ -L "$T/dangling.csv" ] && [ -f "$T/d/new.csv" ] && pass || fail "dangling link not followed"

# A regular file keeps its mode (and owner).
echo old >"$T/private.csv"
chmod 0600 "$T/private.csv"
expect 0 exp -o "$T/private.csv"
[ "$(stat -c %a "$T/private.csv")" = 600 ] && pass || fail "mode became $(stat -c %a "$T/private.csv")"
cmp -s "$T/private.csv" "$T/want.csv" && pass || fail "the file was not replaced"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$T/private.csv"
	expect 0 exp -o "$T/private.csv"
	[ "$(stat -c %U "$T/private.csv")" = nobody ] && pass || fail "the owner was not kept"
fi
# A new file follows the umask, as with '>'.
(umask 027 && exp -o "$T/new.csv") && pass || fail "export -o new.csv"
[ "$(stat -c %a "$T/new.csv")" = 640 ] && pass || fail "new file mode $(stat -c %a "$T/new.csv"), expected 640"

# A folder is refused with its name.
expect 1 exp -o "$T/d" && contains "$T/err" "$T/d"

# A writer killed mid-write leaves a temporary file; the next write removes
# it (the writer's pid is part of the name and no longer runs).
sh -c 'exit 0' & dead=$!; wait "$dead"
echo partial >"$T/private.csv.tmp.$dead.AbC123"
echo other >"$T/other.csv.tmp.$dead.AbC123"
expect 0 exp -o "$T/private.csv"
[ ! -e "$T/private.csv.tmp.$dead.AbC123" ] && pass || fail "stale temporary file kept"
[ -e "$T/other.csv.tmp.$dead.AbC123" ] && pass || fail "another file's temporary removed"
# Nothing else is left beside the output.
ls "$T" | grep -q "private.csv.tmp" && fail "temporary left: $(ls "$T")" || pass

# plot --script follows the same rules.
mkfifo "$T/gp"
timeout 20 cat "$T/gp" >"$T/fromgp" &
reader=$!
expect 0 "$NPUBENCH" --db "$DB" plot bars --run 1 --script "$T/gp"
exec 9<>"$T/gp" 2>/dev/null; exec 9>&-
wait "$reader"
[ -p "$T/gp" ] && pass || fail "plot --script replaced the FIFO"
contains "$T/fromgp" "plot"
expect 0 "$NPUBENCH" --db "$DB" plot bars --run 1 --script - && contains "$T/out" "plot"

finish
