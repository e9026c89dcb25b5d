# Helpers for the network tests: loopback servers that the test starts and
# always stops (on any exit), with bounded waits.  Source after lib.sh.

# Loopback traffic must not go through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy='*' NO_PROXY='*'

NET_PIDS=""
net_stop() {
	for p in $NET_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $NET_PIDS; do
		wait "$p" 2>/dev/null
	done
	NET_PIDS=""
}
trap 'net_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

# skip MESSAGE: this test cannot run here (exit 77, automake's SKIP).
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# wait_for FILE SECONDS: true once FILE exists, polling every 0.1 s.
wait_for() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# http_server DIR [PROFILE]: starts tests/net-server.py logging into DIR and
# sets HTTP_PORT; skips the test when it cannot start.
http_server() {
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed (Debian package python3)"
	mkdir -p "$1"
	python3 "$NB_SRCDIR/tests/net-server.py" "$@" 2>"$1/stderr" &
	NET_PIDS="$NET_PIDS $!"
	wait_for "$1/port" 20 || { cat "$1/stderr" >&2; skip "the test HTTP server did not start"; }
	HTTP_PORT=$(cat "$1/port")
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
