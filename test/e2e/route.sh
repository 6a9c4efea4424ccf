#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of static routes: the backends are two hops away on the
# inside, behind a router, while the default route points outside, as at
# a real site.
#
#   client ns           gateway ns            sluice ns               router ns            backend ns (x3)
#   c0 100.64.0.2 --- g0 100.64.0.1           out 1.1.1.2 (DPDK)      r0 2.2.2.1 ---- in   br0 48.0.0.1 --- e0 48.0.0.11..13
#   via 100.64.0.1      g1 1.1.1.1 ---------- out   [sluice]   in --- (forwarding on,      (b1 b2 b3)        via 48.0.0.1
#                       (forwarding on)       VIP 1.1.1.100           default via 2.2.2.2)
#                                             in 2.2.2.2 (DPDK), TAP sl-in
#
# Sluice's outside port has "gateway = 1.1.1.1" (the default route), its
# inside port "route = 48.0.0.0/8 via 2.2.2.1" and kernel_interface sl-in.
# The service checks its backends over HTTP: the checks are kernel
# sockets of Sluice's namespace and reach the backends through the TAP
# and the router only if Sluice gave the kernel the route too.
#   1. Sluice starts; the kernel has 48.0.0.0/8 via 2.2.2.1 dev sl-in.
#   2. 12 requests through the VIP all succeed and reach b1, b2 and b3
#      (rr: 4 each); no packet for 48.0.0.0/8 left through the outside
#      port (counted on the gateway's side of that link).
#   3. The health checks pass through the router: no backend goes down,
#      show backends says "check passing" for each; b2's server stopped:
#      b2 goes down, and back up once it runs again.
#   4. show routes (text and JSON): the route via 2.2.2.1 on inside,
#      resolved; the default route via 1.1.1.1 on outside; both subnets.
#   5. IPv6, the same way: the client 2001:db8:c::2 behind the gateway
#      (2001:db8:1::1), the router 2001:db8:2::1 with the backends'
#      network fd00:48::/64 behind it. Sluice's outside port has
#      "gateway = 2001:db8:1::1", its inside port
#      "route = fd00:48::/64 via 2001:db8:2::1"; the IPv6 service web6
#      ([2001:db8:1::100]:80, nat, http checks) has the backends'
#      fd00:48::11..13. The kernel has the route on sl-in; 12 requests
#      reach b1, b2 and b3, 4 each; the checks (kernel sockets through
#      sl-in and the router) pass for all three; show routes lists the
#      IPv6 route resolved, the IPv6 default route and both IPv6 subnets
#      (text and JSON).
#   6. Sluice exits 0.
#
# Usage: test/e2e/route.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configuration, logs) for inspection.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "$@"   # sets bin, ctl_bin

sl_init "slr$$"

# Addresses of this topology (lib.sh's defaults describe another one).
SL_CLIENT_IP=100.64.0.2
CLIENT_GW=100.64.0.1
OUT_GW=1.1.1.1
SL_OUT_IP=1.1.1.2
SL_VIP=1.1.1.100
ROUTER_IP=2.2.2.1
SL_IN_IP=2.2.2.2
BACKEND_NET=48.0.0.0/8
BACKEND_GW=48.0.0.1
SL_BACKEND_IPS=(48.0.0.11 48.0.0.12 48.0.0.13)
NS_GW=${SL_PFX}-g
NS_ROUTER=${SL_PFX}-r
# IPv6
CLIENT6=2001:db8:c::2
CLIENT_GW6=2001:db8:c::1
OUT_GW6=2001:db8:1::1
SL_OUT6=2001:db8:1::2
VIP6=2001:db8:1::100
ROUTER6=2001:db8:2::1
SL_IN6=2001:db8:2::2
BACKEND_NET6=fd00:48::/64
BACKEND_GW6=fd00:48::1
BACKEND6=(fd00:48::11 fd00:48::12 fd00:48::13)

conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
sock=$SL_TMP/sluice.sock

# topo_up: namespaces, links, forwarding, backend servers.
topo_up() {
	local ns i b
	for ns in "$SL_NS_CLIENT" "$NS_GW" "$SL_NS_SLUICE" "$NS_ROUTER" "${SL_NS_BACKENDS[@]}"; do
		sl_ns_add "$ns" || { sl_log "cannot create namespace $ns"; return 1; }
	done
	ip -n "$SL_NS_CLIENT" link add c0 type veth peer name g0 netns "$NS_GW" || return 1
	ip -n "$NS_GW" link add g1 type veth peer name out netns "$SL_NS_SLUICE" || return 1
	ip -n "$SL_NS_SLUICE" link add in type veth peer name r0 netns "$NS_ROUTER" || return 1
	ip -n "$NS_ROUTER" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1

	sl_if_prep "$SL_NS_CLIENT" c0 || return 1
	ip -n "$SL_NS_CLIENT" addr add "$SL_CLIENT_IP/24" dev c0
	ip -n "$SL_NS_CLIENT" route add default via "$CLIENT_GW"

	sl_if_prep "$NS_GW" g0 || return 1
	sl_if_prep "$NS_GW" g1 || return 1
	ip -n "$NS_GW" addr add "$CLIENT_GW/24" dev g0
	ip -n "$NS_GW" addr add "$OUT_GW/24" dev g1
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=1

	sl_if_prep "$SL_NS_SLUICE" out || return 1
	sl_if_prep "$SL_NS_SLUICE" in || return 1
	ip netns exec "$SL_NS_SLUICE" sysctl -qw net.ipv4.conf.all.arp_ignore=8 >/dev/null 2>&1

	sl_if_prep "$NS_ROUTER" r0 || return 1
	ip -n "$NS_ROUTER" addr add "$ROUTER_IP/24" dev r0
	ip -n "$NS_ROUTER" link set br0 up
	ip -n "$NS_ROUTER" addr add "$BACKEND_GW/24" dev br0
	ip -n "$NS_ROUTER" route add default via "$SL_IN_IP"
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1

	for i in 1 2 3; do
		b=${SL_NS_BACKENDS[$((i - 1))]}
		ip -n "$b" link add e0 type veth peer name "b$i" netns "$NS_ROUTER" || return 1
		sl_if_prep "$NS_ROUTER" "b$i" || return 1
		ip -n "$NS_ROUTER" link set "b$i" master br0
		sl_if_prep "$b" e0 || return 1
		ip -n "$b" addr add "${SL_BACKEND_IPS[$((i - 1))]}/24" dev e0
		ip -n "$b" route add default via "$BACKEND_GW"
	done

	topo6_up || { sl_log "IPv6 set up failed"; return 1; }

	sl_write_servers
	for i in 1 2 3; do
		sl_backend_start "$i" || return 1
		server6_start "$i" || return 1
	done
	# the router forwards: the client's gateway cannot, yet
	local body
	body=$(ip netns exec "$NS_ROUTER" curl -s --max-time 2 "http://${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT/name")
	[ "$body" = b1 ] || { sl_log "router cannot reach b1 ($body)"; return 1; }
}

# ipv6_on NS IF ADDR/LEN: IPv6 on in NS and on IF, no router
# advertisements, ADDR without duplicate address detection.
ipv6_on() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 "net.ipv6.conf.$2.disable_ipv6=0" \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		"net.ipv6.conf.$2.accept_ra=0" >/dev/null || return 1
	ip -n "$1" -6 addr add "$3" dev "$2" nodad
}

# topo6_up: IPv6 beside IPv4 on every link but Sluice's own ends (the
# kernel side of the DPDK ports must not answer for Sluice); forwarding
# on the gateway and the router, as for IPv4.
topo6_up() {
	local i b
	ipv6_on "$SL_NS_CLIENT" c0 "$CLIENT6/64" || return 1
	ip -n "$SL_NS_CLIENT" -6 route add default via "$CLIENT_GW6" || return 1
	ipv6_on "$NS_GW" g0 "$CLIENT_GW6/64" || return 1
	ipv6_on "$NS_GW" g1 "$OUT_GW6/64" || return 1
	ip netns exec "$NS_GW" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
	ipv6_on "$NS_ROUTER" r0 "$ROUTER6/64" || return 1
	ipv6_on "$NS_ROUTER" br0 "$BACKEND_GW6/64" || return 1
	ip -n "$NS_ROUTER" -6 route add default via "$SL_IN6" || return 1
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
	for i in 1 2 3; do
		b=${SL_NS_BACKENDS[$((i - 1))]}
		ipv6_on "$b" e0 "${BACKEND6[$((i - 1))]}/64" || return 1
		ip -n "$b" -6 route add default via "$BACKEND_GW6" || return 1
	done
	# IPv6 for the TAP (sl-in), not for out and in
	ip netns exec "$SL_NS_SLUICE" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.out.disable_ipv6=1 \
		net.ipv6.conf.in.disable_ipv6=1 >/dev/null
}

# server6_start I: backend I's HTTP server on its IPv6 address (the
# files of lib.sh's servers), started once it answers.
server6_start() {
	local i=$1 b=${SL_NS_BACKENDS[$(($1 - 1))]} a=${BACKEND6[$(($1 - 1))]} pid t
	cat >"$SL_TMP/backend6.py" <<'EOF'
import http.server, os, socket, socketserver, sys
os.chdir(sys.argv[3])
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
class Server(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True
Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
EOF
	ip netns exec "$b" "$SL_PY" "$SL_TMP/backend6.py" "$a" "$SL_HTTP_PORT" "$SL_TMP/www$i" \
		</dev/null >"$SL_TMP/backend6.b$i.log" 2>&1 &
	pid=$!
	SL_PIDS+=("$pid")
	for ((t = 0; t < 50; t++)); do
		[ "$(ip netns exec "$b" curl -s -g --max-time 1 "http://[$a]:$SL_HTTP_PORT/name")" = "b$i" ] &&
			return 0
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	sl_log "IPv6 server of b$i did not start:"
	cat "$SL_TMP/backend6.b$i.log" >&2
	return 1
}

write_config() {
	cat >"$conf" <<EOF
; Sluice end-to-end configuration (generated by test/e2e/route.sh)
[eal]
lcores = 0-1
args = --no-pci --no-huge -m 512 --file-prefix $SL_FILE_PREFIX --log-level lib.*:notice

[global]
idle_sleep = 100
flow_capacity = 65536
admin_socket = $sock

[port.outside]
device = net_af_packet0,iface=out
address = $SL_OUT_IP/24
gateway = $OUT_GW
address = $SL_OUT6/64
gateway = $OUT_GW6

[port.inside]
device = net_af_packet1,iface=in
address = $SL_IN_IP/24
route = $BACKEND_NET via $ROUTER_IP
address = $SL_IN6/64
route = $BACKEND_NET6 via $ROUTER6
kernel_interface = sl-in

[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
scheduler = rr
check = http
check_path = /name
check_interval = 500
check_timeout = 300
check_fall = 2
check_rise = 2
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[2]}:$SL_HTTP_PORT

[service.web6]
vip = $VIP6
port = 80
protocol = tcp
scheduler = rr
check = http
check_path = /name
check_interval = 500
check_timeout = 300
check_fall = 2
check_rise = 2
backend = [${BACKEND6[0]}]:$SL_HTTP_PORT
backend = [${BACKEND6[1]}]:$SL_HTTP_PORT
backend = [${BACKEND6[2]}]:$SL_HTTP_PORT
EOF
}

# count_start: count, on the gateway's end of the outside link, the IPv4
# frames addressed to 48.0.0.0/8 (what Sluice sent out of its outside
# port towards the backends). count_stop prints the count.
count_pid=
count_start() {
	rm -f "$SL_TMP/count" "$SL_TMP/count.ready"
	ip netns exec "$NS_GW" "$SL_PY" - g1 "$SL_TMP/count" <<'EOF' >"$SL_TMP/count.log" 2>&1 &
import os, signal, socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((sys.argv[1], 0))
out = sys.argv[2]
n = 0
def done(*a):
    with open(out, "w") as f:
        f.write("%d\n" % n)
    os._exit(0)
signal.signal(signal.SIGTERM, done)
open(out + ".ready", "w").close()
while True:
    f = s.recv(65535)
    # Ethernet 14 bytes, then the IPv4 destination at offset 16
    if len(f) >= 34 and f[30] == 48:
        n += 1
EOF
	count_pid=$!
	SL_PIDS+=("$count_pid")
	local t
	for ((t = 0; t < 50; t++)); do
		[ -f "$SL_TMP/count.ready" ] && return 0
		sleep 0.1
	done
	return 1
}
count_stop() {
	kill -TERM "$count_pid" 2>/dev/null
	local t
	for ((t = 0; t < 30; t++)); do [ -f "$SL_TMP/count" ] && break; sleep 0.1; done
	sl_pid_stop "$count_pid"
	cat "$SL_TMP/count" 2>/dev/null || echo none
}

# --- 1. start -------------------------------------------------------------------

if ! topo_up; then
	notok "topology set up"
	sl_test_finish
fi
sl_kernel_interfaces inside
write_config
if ! sl_test_sluice_start "sluice ready" "$bin" "$conf" "$log"; then
	sl_test_finish
fi
ok "sluice ready: default route outside, $BACKEND_NET via $ROUTER_IP inside"
kroute=$(ip -n "$SL_NS_SLUICE" route show "$BACKEND_NET")
check "the kernel has the port's route on its TAP ($kroute)" \
	grep -q "^$BACKEND_NET via $ROUTER_IP dev sl-in" <<<"$kroute"
kdef=$(ip -n "$SL_NS_SLUICE" route show default)
check "the outside port, with no kernel interface, adds no kernel route (default: '${kdef}')" \
	[ -z "$kdef" ]

# --- 2. requests through the VIP reach every backend behind the router -------------

count_start || notok "counter on the outside link started"
names=()
for i in $(seq 1 12); do
	names+=("$(SL_CURL_TIMEOUT=3 sl_http name)")
done
leaked=$(count_stop)
good=0 b1=0 b2=0 b3=0
for n in "${names[@]}"; do
	case $n in
	b1) b1=$((b1 + 1)); good=$((good + 1)) ;;
	b2) b2=$((b2 + 1)); good=$((good + 1)) ;;
	b3) b3=$((b3 + 1)); good=$((good + 1)) ;;
	esac
done
check "12 requests through the VIP succeed ($good/12)" [ "$good" -eq 12 ]
check "they reach every backend behind the router, 4 each (b1=$b1 b2=$b2 b3=$b3)" \
	[ "$b1/$b2/$b3" = 4/4/4 ]
check "no packet for $BACKEND_NET left through the outside port ($leaked)" [ "$leaked" = 0 ]

# --- 3. health checks through the TAP and the router ------------------------------------

sleep 2   # four check intervals: two failures in a row would show by now
downs=$(sl_log_count ' is down: ')
check "health checks pass through the router: no backend down ($downs)" [ "$downs" = 0 ]
ctl show backends web
out=$(<"$CTL_OUT")
passing=$(grep -c ' check passing ' <<<"$out")
check "show backends: 3 backends with check passing ($passing)" [ "$passing" = 3 ]
[ "$passing" = 3 ] || diag <<<"$out"

b2_re="service web backend ${SL_BACKEND_IPS[1]//./\\.}:$SL_HTTP_PORT is"
n_down=$(sl_log_count "$b2_re down: ")
n_up=$(sl_log_count "$b2_re up: ")
sl_backend_stop 2
if line=$(sl_log_wait "$b2_re down: " $((n_down + 1)) 5); then
	ok "b2's server stopped: b2 is down (${line#*is down: })"
else
	notok "b2's server stopped: b2 is down within 5 s"
fi
sl_backend_start 2 || notok "b2's server restarted"
if line=$(sl_log_wait "$b2_re up: " $((n_up + 1)) 5); then
	ok "b2's server back: checks through the router pass again (${line#*is up: })"
else
	notok "b2's server back: b2 is up within 5 s"
fi

# --- 4. show routes ---------------------------------------------------------------

ctl show routes
out=$(<"$CTL_OUT")
diag <<<"$out"
check "show routes: $BACKEND_NET via $ROUTER_IP on inside, resolved" \
	grep -qE "^route ${BACKEND_NET//./\\.} via ${ROUTER_IP//./\\.} port inside resolved ([0-9A-F]{2}:){5}[0-9A-F]{2}\$" <<<"$out"
check "show routes: the default route via $OUT_GW on outside" \
	grep -qE "^route 0\.0\.0\.0/0 via ${OUT_GW//./\\.} port outside " <<<"$out"
check "show routes: both subnets connected" \
	bash -c 'grep -q "^route 1\.1\.1\.0/24 connected port outside$" <<<"$1" &&
		 grep -q "^route 2\.2\.2\.0/24 connected port inside$" <<<"$1"' _ "$out"
ctl --json show routes
json=$(<"$CTL_OUT")
check "show routes --json: 4 IPv4 routes, the one via $ROUTER_IP resolved with its MAC" \
	"$SL_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
r = [x for x in (d["result"] if isinstance(d, dict) else d) if ":" not in x["prefix"]]
via = [x for x in r if x["via"] == sys.argv[2]]
ok = (len(r) == 4 and len(via) == 1 and via[0]["prefix"] == sys.argv[3] and
      via[0]["port"] == "inside" and via[0]["resolved"] is True and
      via[0]["connected"] is False and len(via[0]["mac"]) == 17 and
      sum(1 for x in r if x["connected"]) == 2)
sys.exit(0 if ok else 1)' "$json" "$ROUTER_IP" "$BACKEND_NET"

# --- 5. IPv6: the route on the TAP, requests, checks, show routes ----------------

kroute=$(ip -n "$SL_NS_SLUICE" -6 route show "$BACKEND_NET6")
check "the kernel has the port's IPv6 route on its TAP ($kroute)" \
	grep -q "^$BACKEND_NET6 via $ROUTER6 dev sl-in" <<<"$kroute"
check "the log names the kernel's IPv6 route" \
	grep -q "kernel route $BACKEND_NET6 via $ROUTER6 dev sl-in" "$log"
names=()
for i in $(seq 1 12); do
	names+=("$(sl_exec_client curl -s -g --max-time 3 "http://[$VIP6]/name")")
done
good=0 b1=0 b2=0 b3=0
for n in "${names[@]}"; do
	case $n in
	b1) b1=$((b1 + 1)); good=$((good + 1)) ;;
	b2) b2=$((b2 + 1)); good=$((good + 1)) ;;
	b3) b3=$((b3 + 1)); good=$((good + 1)) ;;
	esac
done
check "12 requests through the IPv6 VIP succeed ($good/12)" [ "$good" -eq 12 ]
check "they reach every IPv6 backend behind the router, 4 each (b1=$b1 b2=$b2 b3=$b3)" \
	[ "$b1/$b2/$b3" = 4/4/4 ]

# the checks of web6 have run since the start, several seconds ago (two
# failures in a row would show by now)
downs=$(sl_log_count 'service web6 .* is down: ')
check "IPv6 health checks pass through sl-in and the router: no backend of web6 down ($downs)" \
	[ "$downs" = 0 ]
ctl show backends web6
out=$(<"$CTL_OUT")
passing=$(grep -c ' check passing ' <<<"$out")
check "show backends web6: 3 backends with check passing ($passing)" [ "$passing" = 3 ]
[ "$passing" = 3 ] || diag <<<"$out"

ctl show routes
out=$(<"$CTL_OUT")
check "show routes: $BACKEND_NET6 via $ROUTER6 on inside, resolved" \
	grep -qE "^route $BACKEND_NET6 via $ROUTER6 port inside resolved ([0-9A-F]{2}:){5}[0-9A-F]{2}\$" <<<"$out"
check "show routes: the IPv6 default route via $OUT_GW6 on outside" \
	grep -qE "^route ::/0 via $OUT_GW6 port outside " <<<"$out"
check "show routes: both IPv6 subnets connected" \
	bash -c 'grep -q "^route 2001:db8:1::/64 connected port outside$" <<<"$1" &&
		 grep -q "^route 2001:db8:2::/64 connected port inside$" <<<"$1"' _ "$out"
ctl --json show routes
json=$(<"$CTL_OUT")
check "show routes --json: 4 IPv6 routes, the one via $ROUTER6 resolved with its MAC" \
	"$SL_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
r = [x for x in (d["result"] if isinstance(d, dict) else d) if ":" in x["prefix"]]
via = [x for x in r if x["via"] == sys.argv[2]]
ok = (len(r) == 4 and len(via) == 1 and via[0]["prefix"] == sys.argv[3] and
      via[0]["port"] == "inside" and via[0]["resolved"] is True and
      via[0]["connected"] is False and len(via[0]["mac"]) == 17 and
      sum(1 for x in r if x["connected"]) == 2 and
      any(x["prefix"] == "::/0" and x["via"] == sys.argv[4] for x in r))
sys.exit(0 if ok else 1)' "$json" "$ROUTER6" "$BACKEND_NET6" "$OUT_GW6"

# --- 6. stop ----------------------------------------------------------------------

sl_test_sluice_stop "route" "$log"
sl_test_finish
