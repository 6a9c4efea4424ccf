#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of ICMP errors through Sluice in NAT mode.
#
#   client ns             router ns                       sluice ns
#   c0 10.2.0.2/24 ---- r1 10.2.0.1/24, MTU 1200
#   (MTU 1500)           r0 10.0.0.2/24 ---- out [sluice] in ---- switch, 3 backends
#
# The standard topology of lib.sh with a router between the client and
# Sluice. The router's link toward the client has MTU 1200; every other
# link 1500, so the client's SYN advertises MSS 1460 and the backends send
# full 1500-byte packets with DF. The router cannot forward them and
# answers "fragmentation needed" (MTU 1200) to their source, the VIP.
# Only if Sluice relays that error to the backend does the backend lower
# its path MTU to the client; otherwise a download stalls (path-MTU
# discovery black-holes).
#
# Checks:
#   1. a 20 MB download through the VIP completes with the right sha256,
#      and the backend that served it learned path MTU 1200 for the client;
#   2. UDP to a service whose backends have no listener: the backends'
#      "port unreachable" reaches the client, whose connected socket gets
#      ECONNREFUSED;
#   3. ICMP errors quoting no connection, and with a truncated quote, are
#      counted (icmp_no_flow, icmp_bad_quote) and Sluice keeps working.
#
# Usage: test/e2e/icmp.sh SLUICE_BIN [WORKERS]     (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (config, Sluice log) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_workers "$@"   # sets bin, workers
SL_TEST_LOG_LINES=60

CLIENT_IP=10.2.0.2         # behind the router
ROUTER_OUT_IP=10.0.0.2
ROUTER_IN_IP=10.2.0.1
SMALL_MTU=1200
CLOSED_PORT=5354           # no backend listens there (UDP)

sl_init "sli$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
ns_r=${SL_PFX}-r

echo "# e2e ICMP errors, $workers worker(s), namespaces ${SL_PFX}-*"

# topo_router_up: lib.sh's topology, then the client moved behind a router.
topo_router_up() {
	sl_topo_up || return 1
	# from now on lib.sh's helpers use the client's new address
	SL_CLIENT_IP=$CLIENT_IP
	# removing c0 removes its peer, Sluice's "out", too
	ip -n "$SL_NS_CLIENT" link del c0 || return 1
	sl_ns_add "$ns_r" || return 1
	ip -n "$ns_r" link add r0 type veth peer name out netns "$SL_NS_SLUICE" || return 1
	ip -n "$ns_r" link add r1 type veth peer name c0 netns "$SL_NS_CLIENT" || return 1
	ip -n "$ns_r" link set r1 mtu "$SMALL_MTU" || return 1
	sl_if_prep "$ns_r" r0 || return 1
	sl_if_prep "$ns_r" r1 || return 1
	sl_if_prep "$SL_NS_CLIENT" c0 || return 1
	sl_if_prep "$SL_NS_SLUICE" out || return 1
	ip -n "$ns_r" addr add "$ROUTER_OUT_IP/24" dev r0
	ip -n "$ns_r" addr add "$ROUTER_IN_IP/24" dev r1
	# forward, and send every ICMP error (no rate limit)
	ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 || return 1
	ip -n "$SL_NS_CLIENT" addr add "$SL_CLIENT_IP/24" dev c0
	ip -n "$SL_NS_CLIENT" route add default via "$ROUTER_IN_IP"
	# no black-hole detection on the backends: only ICMP may fix the MTU
	local b
	for b in "${SL_NS_BACKENDS[@]}"; do
		ip netns exec "$b" sysctl -qw net.ipv4.tcp_mtu_probing=0 || return 1
	done
}

if ! topo_router_up; then
	notok "topology set up"
	sl_test_finish
fi
ok "topology set up (client, router with MTU $SMALL_MTU toward the client, sluice, 3 backends)"

{
	sl_service web 80 tcp "$SL_HTTP_PORT" "mode = nat"
	echo
	sl_service closed 54 udp "$CLOSED_PORT"
} | sl_write_config_services "$conf" "$workers"
sl_test_sluice_start "sluice ready" "$bin" "$conf" "$log" || sl_test_finish
ok "sluice ready (pid $SL_SLUICE_PID)"

# 0. the client reaches the VIP through the router with small packets
body=$(sl_http name)
case $body in
b1|b2|b3) ok "HTTP through the router: small answer from $body" ;;
*) notok "HTTP through the router: small answer (got '${body}')" ;;
esac

# 1. path-MTU discovery through Sluice
start=$(date +%s)
sha=$(SL_CURL_TIMEOUT=60 sl_http blob | sha256sum | cut -d' ' -f1)
secs=$(($(date +%s) - start))
check "20 MB download over the ${SMALL_MTU}-byte link: sha256 matches (${secs}s)" \
	[ "$sha" = "$SL_BLOB_SHA" ]
frag=$(ip netns exec "$ns_r" nstat -az IcmpOutDestUnreachs 2>/dev/null |
	awk '/IcmpOutDestUnreachs/ {print $2}')
echo "# router sent ${frag:-?} destination unreachable (fragmentation needed)"
pmtu=
for i in 1 2 3; do
	r=$(ip -n "${SL_NS_BACKENDS[$((i - 1))]}" route get "$SL_CLIENT_IP" 2>/dev/null | tr '\n' ' ')
	case $r in *" mtu $SMALL_MTU"*) pmtu="$pmtu b$i" ;; esac
done
check "a backend learned path MTU $SMALL_MTU for the client (${pmtu:-none})" [ -n "$pmtu" ]

# 2. port unreachable from the backends reaches the client
udp_out=$(sl_exec_client "$SL_PY" - "$SL_CLIENT_IP" "$SL_VIP" 54 3 <<'EOF'
import socket, sys
src, vip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.connect((vip, port))
    s.settimeout(3)
    sport = s.getsockname()[1]
    s.send(b"anyone there? %d" % i)
    try:
        data = s.recv(2048)
        print("bad %d answer %r" % (sport, data))
    except ConnectionRefusedError:
        print("refused %d" % sport)
    except socket.timeout:
        print("bad %d timeout" % sport)
    finally:
        s.close()
EOF
)
refused=$(printf '%s\n' "$udp_out" | grep -c '^refused ')
if [ "$refused" -eq 3 ]; then
	ok "UDP to a port no backend listens on: 3/3 sockets get ECONNREFUSED"
else
	notok "UDP to a port no backend listens on: $refused/3 sockets get ECONNREFUSED"
	printf '%s\n' "$udp_out" | diag
fi

# 3. errors Sluice cannot relay: quoting no connection, truncated quote
inj=$(sl_exec_client "$SL_PY" - "$SL_VIP" "$SL_CLIENT_IP" <<'EOF' 2>&1
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, ICMP, TCP, UDP, Raw, send
vip, client = sys.argv[1], sys.argv[2]
# a reply from VIP:80 to a client port with no connection
q = IP(src=vip, dst=client, flags="DF") / TCP(sport=80, dport=1, flags="A") / Raw(b"x" * 32)
send(IP(dst=vip) / ICMP(type=3, code=4, nexthopmtu=1200) / Raw(bytes(q)), count=3, verbose=0)
# quote cut 4 bytes into its UDP header
q = bytes(IP(src=vip, dst=client) / UDP(sport=54, dport=40000) / Raw(b"y"))[:24]
send(IP(dst=vip) / ICMP(type=3, code=3) / Raw(q), count=2, verbose=0)
print("sent 5")
EOF
)
check "crafted ICMP errors sent from the client ($(printf '%s' "$inj" | tail -n 1))" \
	[ "$(printf '%s' "$inj" | tail -n 1)" = "sent 5" ]
sleep 0.5
body=$(sl_http name)
check "sluice still answers after them (got '${body}')" [ -n "$body" ]

sl_sluice_stop
check "sluice exits 0 on SIGTERM (status ${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]

counter() { # counter REGEX: last number of the last line matching REGEX
	grep -E "$1" "$log" | tail -n 1 | grep -oE '[0-9]+$'
}
n=$(counter "(^|[[:space:]])drop icmp_no_flow [0-9]+\$")
check "drop counter icmp_no_flow >= 3 (${n:-absent})" [ "${n:-0}" -ge 3 ]
n=$(counter "(^|[[:space:]])drop icmp_bad_quote [0-9]+\$")
check "drop counter icmp_bad_quote >= 2 (${n:-absent})" [ "${n:-0}" -ge 2 ]

echo "# exit counters:"
grep -E '(^|[[:space:]])(drop|service) ' "$log" | diag
sl_test_finish
