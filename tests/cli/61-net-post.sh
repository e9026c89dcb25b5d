# POSTs through the network module against a loopback server: 200,
# 500-then-200 (retried), 400 (not retried, reported), 503 (bounded
# retries), no server at all, and headers passed through.
. "$NB_SRCDIR/tests/cli/lib.sh"
. "$NB_SRCDIR/tests/cli/net-lib.sh"

NT="$NB_BUILDDIR/tests/net-tool"
http_server "$T/srv"
U="http://127.0.0.1:$HTTP_PORT"
printf '{"schema": "test"}' >"$T/body.json"

expect 0 "$NT" post "$U/ok" "$T/body.json" 3 "Content-Type: application/json" "X-Token: s3cret" &&
	contains "$T/out" "200 1"
contains "$T/srv/post-1" "/ok application/json"
contains "$T/srv/post-1" "X-Token: s3cret"
contains "$T/srv/post-1" '{"schema": "test"}'

# A long answer to a POST is cut to the limit, not taken as a failure.
expect 0 "$NT" post "$U/big-answer" "$T/body.json" 0 && contains "$T/out" "200 1"

expect 0 "$NT" post "$U/flaky" "$T/body.json" 2 && contains "$T/out" "200 2"
contains "$T/err" "HTTP 500"
contains "$T/err" "retrying"

expect 1 "$NT" post "$U/bad" "$T/body.json" 3 && contains "$T/out" "400 1"
contains "$T/err" "HTTP 400"
contains "$T/err" 'field \"results\" is required'
lacks "$T/err" "retrying"

expect 1 "$NT" post "$U/down" "$T/body.json" 2 && contains "$T/out" "503 3"
contains "$T/err" "HTTP 503"
contains "$T/err" "down for maintenance"
contains "$T/err" "after 3 attempts"

port=$(free_port)
expect 1 "$NT" post "http://127.0.0.1:$port/ok" "$T/body.json" 1 && contains "$T/out" "0 2"
contains "$T/err" "after 2 attempts"

# GET through the same module: body out, limits in.
expect 0 "$NT" get "$U/noid.json" && contains "$T/out" '"name": "no id here"'
expect 1 "$NT" get "$U/noid.json" 10 && contains "$T/err" "larger than the limit of 10 bytes"
expect 0 "$NT" get "$U/nul.json" && [ "$(wc -c <"$T/out")" -eq 25 ] && pass || fail "a body with a NUL byte was cut"
finish
