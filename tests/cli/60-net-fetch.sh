# profile fetch against a loopback HTTP server: every error installs
# nothing and says why; a good profile is checked and installed atomically.
. "$NB_SRCDIR/tests/cli/lib.sh"
. "$NB_SRCDIR/tests/cli/net-lib.sh"

# A profile shipped in the tree serves as the good download, when there is one.
good=""
for f in "$NB_SRCDIR"/profiles/*.json; do
	[ -f "$f" ] && { good=$f; break; }
done
http_server "$T/srv" $good
U="http://127.0.0.1:$HTTP_PORT"
P="$XDG_CONFIG_HOME/npubench/profiles"

# installed_none: the user profile folder holds no file at all.
installed_none() {
	if [ -z "$(ls -A "$P" 2>/dev/null)" ]; then pass; else fail "files were installed: $(ls -A "$P")"; fi
}

# Usage errors.
expect 2 "$NPUBENCH" profile fetch && contains "$T/err" "needs a URL"
expect 2 "$NPUBENCH" profile fetch ftp://127.0.0.1/x.json && contains "$T/err" "not an http:// or https:// URL"
expect 2 "$NPUBENCH" profile fetch file:///etc/passwd && contains "$T/err" "not an http:// or https:// URL"
expect 2 "$NPUBENCH" profile fetch "$U/good.json" --as ../evil && contains "$T/err" "--as '../evil'"
expect 2 "$NPUBENCH" profile fetch "$U/good.json" --timeout 0 && contains "$T/err" "--timeout"
expect 2 "$NPUBENCH" profile fetch "$U/a" "$U/b" && contains "$T/err" "unexpected argument"
expect 2 "$NPUBENCH" profile fetch "$U/a" --frob && contains "$T/err" "unknown option '--frob'"
contains "$T/err" "usage: npubench profile fetch URL"

# Downloads that are not profiles.
expect 1 "$NPUBENCH" profile fetch "$U/malformed.json" && contains "$T/err" "is not valid JSON"
expect 1 "$NPUBENCH" profile fetch "$U/noid.json" && contains "$T/err" 'has no "id" string'
expect 1 "$NPUBENCH" profile fetch "$U/nul.json" && contains "$T/err" "holds a NUL byte"
expect 1 "$NPUBENCH" profile fetch "$U/badid.json" && contains "$T/err" "'../escape' cannot be a file name"
expect 1 "$NPUBENCH" profile fetch "$U/noid.json" --as made-up && contains "$T/err" "nothing installed"
installed_none

# Limits: size (announced and not), time, redirects, schemes.
expect 1 "$NPUBENCH" profile fetch "$U/big.json" && contains "$T/err" "larger than the limit of 1048576 bytes"
expect 1 "$NPUBENCH" profile fetch "$U/big-chunked.json" && contains "$T/err" "larger than the limit of 1048576 bytes"
start=$(date +%s)
expect 1 "$NPUBENCH" profile fetch "$U/slow.json" --timeout 1 && contains "$T/err" "timed out"
[ $(($(date +%s) - start)) -lt 8 ] && pass || fail "--timeout 1 took $(($(date +%s) - start)) s"
expect 1 "$NPUBENCH" profile fetch "$U/redirect-ftp" && contains "$T/err" "ftp"
expect 1 "$NPUBENCH" profile fetch "$U/redirect-loop" && contains "$T/err" "redirects"
expect 1 "$NPUBENCH" profile fetch "$U/missing" && contains "$T/err" "HTTP 404"
contains "$T/err" "no such file: /missing"
contains "$T/err" "nothing installed"
port=$(free_port)
expect 1 "$NPUBENCH" profile fetch "http://127.0.0.1:$port/x.json" --timeout 5 && contains "$T/err" "127.0.0.1"
# https: the plain-HTTP server is no TLS peer.
expect 1 "$NPUBENCH" profile fetch "https://127.0.0.1:$HTTP_PORT/good.json" --timeout 5
installed_none

# TLS verification stays on: a self-signed certificate is refused.
if command -v openssl >/dev/null 2>&1 &&
   openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	export NB_TLS_CERT="$T/cert.pem" NB_TLS_KEY="$T/key.pem"
	http_server "$T/tls" $good
	unset NB_TLS_CERT NB_TLS_KEY
	expect 1 "$NPUBENCH" profile fetch "https://127.0.0.1:$HTTP_PORT/malformed.json" --timeout 5 &&
		contains "$T/err" "certificate"
	installed_none
else
	echo "note: openssl cannot make a certificate here: TLS verification not tested" >&2
fi

# A good profile (needs a shipped profile and the strict loader).
if [ -n "$good" ]; then
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$good")
	# Valid JSON that the strict loader refuses: nothing installed.
	expect 1 "$NPUBENCH" profile fetch "$U/invalid.json" --force && contains "$T/err" "no_such_key_gbs"
	contains "$T/err" "not a valid chip profile"
	contains "$T/err" "nothing installed"
	installed_none
	# An alias naming a profile in use would break every later load.
	expect 1 "$NPUBENCH" profile fetch "$U/clash.json" --force && contains "$T/err" "clashes with the profiles in use"
	installed_none
	expect 0 "$NPUBENCH" profile fetch "$U/clash.json" --as clash-chip
	rm -f "$P/clash-chip.json"
	# The shipped profile already exists: installing over it needs --force.
	expect 1 "$NPUBENCH" profile fetch "$U/good.json" && contains "$T/err" "profile '$id' already exists at '$good'"
	installed_none
	expect 0 "$NPUBENCH" profile fetch "$U/good.json" --force && contains "$T/err" "installed profile '$id'"
	cmp -s "$good" "$P/$id.json" && pass || fail "the installed profile differs from the download"
	expect 1 "$NPUBENCH" profile fetch "$U/good.json" && contains "$T/err" "already installed"
	expect 0 "$NPUBENCH" profile fetch "$U/redirect" --as my-chip
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["id"] == "my-chip"' "$P/my-chip.json" &&
		pass || fail "--as did not rename the profile"
	# No temporary files are left beside the installed ones.
	[ "$(ls -A "$P" | sort | tr '\n' ' ')" = "$id.json my-chip.json " ] && pass || fail "unexpected files: $(ls -A "$P")"
	# Installed outside the folders in use: said so.
	expect 0 "$NPUBENCH" --profiles "$T/elsewhere" profile fetch "$U/good.json" --as other-chip &&
		contains "$T/err" "not among the profile folders in use"
else
	echo "note: no profile in $NB_SRCDIR/profiles yet: the install path is not tested" >&2
fi
finish
