# Two "hosts" that only TCP joins: each rank in a network namespace of its
# own (and a host name of its own), the namespaces joined by a veth pair.
# mpirun reads a hostfile naming the two addresses and starts the second
# host's daemon through a launch agent that enters its namespace where a
# cluster would use ssh; MPI's traffic then crosses the veth through Open
# MPI's TCP transport.  Checked: the all-reduce row is verified and stored
# with ranks=2, the run records both host names, and the veth carried at
# least the message.  SKIP (77), saying why, without root (network
# namespaces need CAP_SYS_ADMIN), without ip(8) or unshare(1), without
# mpirun or in a build without MPI.
. "$NB_SRCDIR/tests/cli/lib.sh"
DB="$T/n.db"
command -v mpirun >/dev/null 2>&1 || { echo "mpirun not found: SKIP"; exit 77; }
for tool in ip unshare; do
	command -v $tool >/dev/null 2>&1 || { echo "$tool not found: SKIP"; exit 77; }
done
"$NPUBENCH" --db "$T/probe.db" run --target host --case 'collective bytes=1024' >"$T/probe" 2>&1
if grep -q "MPI is missing" "$T/probe"; then echo "built without MPI: SKIP"; exit 77; fi
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; export ASAN_OPTIONS

# Names unique to this test process (namespaces and links are global);
# the addresses live inside the namespaces, so they cannot clash.
A="nbA$$" B="nbB$$" VA="nbvA$$" VB="nbvB$$" NET=10.213.7
cleanup() {
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null	# deleting a namespace deletes its end of the pair
	rm -rf "$T"
}
trap cleanup EXIT
if ! ip netns add "$A" 2>"$T/ns-err"; then
	echo "cannot create a network namespace ($(head -n 1 "$T/ns-err"); needs root or CAP_SYS_ADMIN): SKIP"
	exit 77
fi
if ! { ip netns add "$B" && ip link add "$VA" type veth peer name "$VB" &&
	ip link set "$VA" netns "$A" && ip link set "$VB" netns "$B" &&
	ip -n "$A" addr add "$NET.1/24" dev "$VA" && ip -n "$B" addr add "$NET.2/24" dev "$VB" &&
	ip -n "$A" link set "$VA" up && ip -n "$B" link set "$VB" up &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up; } 2>"$T/ns-err"; then
	echo "cannot join two network namespaces by a veth pair ($(head -n 1 "$T/ns-err")): SKIP"
	exit 77
fi
if ! ip netns exec "$A" unshare --uts true 2>"$T/ns-err"; then
	echo "cannot give a namespace a host name of its own ($(head -n 1 "$T/ns-err")): SKIP"
	exit 77
fi

# The launch agent mpirun calls as it would call ssh: AGENT HOST COMMAND...
cat >"$T/agent" <<EOF
#!/bin/sh
host=\$1; shift
case \$host in
$NET.1) ns=$A name=nbhost-a ;;
$NET.2) ns=$B name=nbhost-b ;;
*) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$name && \$*"
EOF
chmod +x "$T/agent"
printf '%s slots=1\n%s slots=1\n' "$NET.1" "$NET.2" >"$T/hosts"

# Bytes the veth has sent and received, from the first namespace's side.
veth_bytes() {
	ip -n "$A" -s -j link show "$VA" |
		python3 -c 'import json, sys; s = json.load(sys.stdin)[0]["stats64"]; print(s["tx"]["bytes"], s["rx"]["bytes"])'
}
set -- $(veth_bytes)
tx0=$1 rx0=$2

# mpirun runs on the first host; TCP (and self) is the only transport, on
# the veth's network only.
S=4194304
expect 0 timeout 60 ip netns exec "$A" unshare --uts \
	sh -c 'hostname nbhost-a && exec "$@"' sh mpirun --allow-run-as-root --hostfile "$T/hosts" -np 2 \
	--mca plm_rsh_agent "$T/agent" --mca btl tcp,self \
	--mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24" \
	"$NPUBENCH" --db "$DB" run --target host --format csv --quiet \
	--min-time 0 --min-reps 3 --max-reps 3 \
	--case "collective op=allreduce dtype=fp32 bytes=$S"
lines "$T/out" 2
contains "$T/out" '""ranks"":2'
contains "$T/out" ",host,measured,ok,"
[ "$(sqlite3 "$DB" "select count(*) from results where kernel = 'collective' and status = 'ok' \
	and verify_err = 0")" = 1 ] && pass || fail "the database lacks the verified all-reduce"
sqlite3 "$DB" "select options_json from runs" >"$T/opts"
contains "$T/opts" '"world_size":2'
contains "$T/opts" '"hostnames":"nbhost-a,nbhost-b"'
[ "$(sqlite3 "$DB" "select hostname from runs")" = nbhost-a ] && pass ||
	fail "the run's host is not rank 0's"
# Warm-up and three samples of an all-reduce of S bytes over two ranks:
# every byte of S crosses the link at least once each way per execution,
# whatever algorithm Open MPI picks.
set -- $(veth_bytes)
[ $(($1 - tx0)) -ge $((4 * S)) ] && [ $(($2 - rx0)) -ge $((4 * S)) ] && pass ||
	fail "the veth carried $(($1 - tx0)) B out and $(($2 - rx0)) B in, less than 4 x $S"
finish
