#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of direct server return: "mode = dr" (Sluice rewrites
# only the destination MAC) and "mode = tunnel" (Sluice wraps the client's
# packet in IPIP, GUE or GRE from its local address 10.1.0.5 to the
# backend). Only client -> VIP packets cross Sluice; the backends hold the
# VIP on lo and answer the client directly, through a router that does
# not involve Sluice:
#
#   client ns                         sluice ns                 switch ns (router)       backend ns (x3)
#   c0 10.0.0.2/24 ------------------ out [sluice] in --------- lb ] br0 10.1.0.254 [ bN -- e0 10.1.0.1N/24
#   c1 10.9.0.2/24 --------------------------------------------- cl 10.9.0.1/24          lo 10.0.0.100/32 (VIP)
#   (rp_filter 0: replies from the VIP arrive on c1)           forwarding on,           via 10.1.0.254,
#                                                               10.0.0.2 via 10.9.0.2    arp_ignore 1, arp_announce 2
#
# The test kernel has no ipip, gre or fou module: in tunnel mode every
# backend runs decap.py, which strips the outer headers and writes the
# client's packet to a TUN device (tun0). Each backend serves HTTP on
# 0.0.0.0:80 (GET: its files, "name" = bN; PUT/POST: the sha256 of the
# body) and echoes UDP on VIP:5354 with "bN:" + payload.
#
# Setup: the decapsulator on its own: datagrams to VIP:5354 wrapped by
# scapy in IPIP, GRE (plain, and with key and sequence number) and GUE
# reach b1's echo through decap.py, and the echo comes back directly;
# GRE of another protocol and GUE of another payload type are dropped.
#
# Then one Sluice per mode: dr, tunnel/ipip, tunnel/gue, tunnel/gre;
# service web VIP:80/TCP, scheduler maglev, check = tcp every 200 ms
# (timeout 200, fall 2, rise 2), backends b1..b3 on :80; kernel_interface
# on the inside port for the checks. For each:
#   1. 30 requests to http://VIP/name all answered, every backend gets
#      some; wrk (2 threads, 8 connections, 2 s): no error, no non-2xx.
#   2. No reply crosses Sluice: during 5 requests, captures on Sluice's
#      out and in see no TCP packet from the VIP to the client (and do
#      see the client's packets to the VIP), the client's c1 sees the
#      replies. dr: the backends receive frames for the VIP from the
#      inside MAC; tunnel: they receive the encapsulated packets (proto 4,
#      proto 47, UDP to 6080) from 10.1.0.5 only; GUE: each connection
#      keeps one outer source port, and they differ between connections.
#   3. (tunnel) Path MTU: a 20 MB upload (curl -T) over MTU 1500 links:
#      Sluice answers the client's full-size packets with "fragmentation
#      needed", the client learns 1500 - overhead (20 ipip, 24 gre, 32
#      gue), the upload completes and its sha256 matches; show stats
#      counts the ICMP sent (frag_needed). No path MTU is cached before.
#   4. ICMP to the VIP: with a connection held open, a "fragmentation
#      needed" (MTU 1200) quoting the owning backend's packet reaches that
#      backend only (tunnel: decapsulated on tun0), which then has path
#      MTU 1200 to the client.
#   5. Health: tunnel: b2's decapsulator stopped: b2 goes down and new
#      connections avoid it; restarted: b2 up again. dr: b2's server
#      bound to 10.1.0.12:80 only (not the VIP): b2 goes down, b1 and b3
#      stay up; with check_target = backend (own Sluice start) b2 stays up.
#   6. (tunnel/ipip) Restart: Sluice stopped 3 s into a rate-limited
#      20 MB upload and started again with the same configuration: the
#      upload completes (Maglev schedules the connection's packets to the
#      same backend) and its sha256 matches; the new Sluice counts a
#      connection taken up in mid-stream (conns_midstream).
#   Each Sluice exits 0 on SIGTERM; the decapsulators dropped nothing.
# Full table (dr, flow_capacity 1024 per worker, SYN timeout 120 s): a
# rate-limited 20 MB upload runs while 3000 SYNs from spoofed sources
# (10.99.0.0/16, whose SYN-ACKs the router cannot deliver) fill every
# worker's table; the upload completes byte-identical, 20 new requests
# are all answered, forwarded by the Maglev hash without records
# (stateless_packets > 0, flow_full 0).
#
# Usage: test/e2e/dsr.sh SLUICE_BIN SLUICECTL_BIN [WORKERS]   (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configurations, logs, captures).
# SL_DSR_RUNS="dr ipip" runs only those (default: dr ipip gue gre full).

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
workers=${3:-1}
sl_test_require_workers "$workers"
SL_TEST_LOG_LINES=60
RUNS=" ${SL_DSR_RUNS:-dr ipip gue gre full} "

sl_init "sld$$"
sock=$SL_TMP/sluice.sock
DECAP=$here/decap.py

LOCAL_IP=10.1.0.5        # Sluice's outer source address (tunnel)
ROUTER_IP=10.1.0.254     # the switch namespace, the backends' gateway
CLIENT2_IP=10.9.0.2      # the client's second leg, toward the router
ROUTER2_IP=10.9.0.1
GUE_PORT=6080
ECHO_PORT=5354
PORT=80
BPORT=$PORT              # dr and tunnel keep the port
CHECK_MS=200

# --- helpers ------------------------------------------------------------------

bns() { echo "${SL_NS_BACKENDS[$(($1 - 1))]}"; }
bip() { echo "${SL_BACKEND_IPS[$(($1 - 1))]}"; }
nsmac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }

overhead() {
	case $1 in ipip) echo 20 ;; gre) echo 24 ;; gue) echo 32 ;; *) echo 0 ;; esac
}

# server_start I BIND: backend I's server on BIND:80 (and the echo on
# VIP:5354, so that it answers from the VIP); waits until it listens.
declare -A SRV_PID=()
server_start() {
	local i=$1 ns t
	ns=$(bns "$1")
	ip netns exec "$ns" "$SL_PY" "$here/put_server.py" "b$i" "$SL_TMP/www$i" "$2" \
		"$PORT" --udp "$SL_VIP:$ECHO_PORT" </dev/null >>"$SL_TMP/server$i.log" 2>&1 &
	SRV_PID[$i]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		ip netns exec "$ns" ss -Hltn "( sport = :$PORT )" 2>/dev/null | grep -q "$2:$PORT" && return 0
		sl_pid_alive "${SRV_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "server b$i ($2) did not start:"
	tail -n 20 "$SL_TMP/server$i.log" >&2
	return 1
}

server_stop() { sl_pid_stop "${SRV_PID[$1]:-}"; unset "SRV_PID[$1]"; }

# decap_start I KIND: decap.py in backend I; waits for its "ready".
declare -A DECAP_PID=()
decap_start() {
	local i=$1 f=$SL_TMP/decap$1.log t
	: >"$f"
	ip netns exec "$(bns "$i")" "$SL_PY" "$DECAP" "$2" --tun tun0 --gue-port "$GUE_PORT" \
		</dev/null >"$f" 2>&1 &
	DECAP_PID[$i]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		grep -q '^ready' "$f" && return 0
		sl_pid_alive "${DECAP_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "decap.py $2 in b$i did not start:"
	cat "$f" >&2
	return 1
}

# decap_stop I: stop it; its last "stats" line goes to DECAP_STATS[I].
declare -A DECAP_STATS=()
decap_stop() {
	local i=$1
	[ -n "${DECAP_PID[$i]:-}" ] || return 0
	sl_pid_stop "${DECAP_PID[$i]}"
	unset "DECAP_PID[$i]"
	DECAP_STATS[$i]=$(grep '^stats ' "$SL_TMP/decap$i.log" | tail -n 1)
}

# drops_of LINE: the sum of the drop counters of a stats line.
drops_of() {
	tr ' ' '\n' <<<"${1#stats }" | awk -F= '$1 != "rx" && $1 != "tx" && $1 != "ipip" && $1 != "gre" && $1 != "gue" { s += $2 } END { print s + 0 }'
}

# cap_start NAME NS IFACE FILTER: tcpdump into $SL_TMP/NAME.pcap; waits
# until it listens. cap_stop NAME; cap_read NAME [TCPDUMP_ARGS...] [FILTER].
declare -A CAP_PID=()
cap_start() {
	local name=$1 ns=$2 ifc=$3 f=$SL_TMP/$1 t
	shift 3
	rm -f "$f.pcap" "$f.err"
	ip netns exec "$ns" tcpdump -i "$ifc" -nn -U --immediate-mode -s 256 -w "$f.pcap" "$@" \
		</dev/null 2>"$f.err" &
	CAP_PID[$name]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		grep -q 'listening on' "$f.err" 2>/dev/null && return 0
		sl_pid_alive "${CAP_PID[$name]}" || break
		sleep 0.1
	done
	sl_log "tcpdump $name ($ns $ifc) did not start: $(cat "$f.err")"
	return 1
}

cap_stop() {
	[ -n "${CAP_PID[$1]:-}" ] || return 0
	# let the last packets reach the file (-U writes each at once)
	sleep 0.2
	sl_pid_stop "${CAP_PID[$1]}"
	unset "CAP_PID[$1]"
}

cap_read() {
	local name=$1
	shift
	tcpdump -r "$SL_TMP/$name.pcap" -nn "$@" 2>/dev/null
}

cap_count() { cap_read "$@" | grep -c .; }

# stat_sum FILE NAME: the sum of the counter NAME ("NAME N" pairs in the
# lines of show stats) over the workers.
stat_sum() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$1"
}

# be_state IP: the state of backend IP:80 of service web (show backends).
be_state() {
	ctl --json show backends web
	[ "$rc" -eq 0 ] || { echo "error"; return; }
	"$SL_PY" - "$CTL_OUT" "$1" "$BPORT" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r = r.get("result", r) if isinstance(r, dict) else r
for b in r:
    if b.get("address") == sys.argv[2] and int(b.get("port")) == int(sys.argv[3]):
        print(b.get("state"))
        break
else:
    print("absent")
EOF
}

# requests N: N requests for /name, a line each "BODY CODE".
requests() { sl_http_port "$PORT" "$1"; }

# owner CPORT: the backend (1..3) holding the client's connection from CPORT.
owner() {
	local i
	for i in 1 2 3; do
		if ip netns exec "$(bns "$i")" ss -Htn state established "( sport = :$PORT )" 2>/dev/null |
			awk '{ print $NF }' | grep -qx "$SL_CLIENT_IP:$1"; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# upload: PUT the blob to the VIP; prints "CURL_RC SHA".
upload() {
	local out crc
	out=$(sl_exec_client curl -s --max-time 120 -T "$SL_TMP/blob" "http://$SL_VIP/up")
	crc=$?
	echo "$crc ${out:-none}"
}

# --- topology -----------------------------------------------------------------

# dsr_topo_up: lib.sh's topology, then the switch made a router toward a
# second leg of the client, the VIP on every backend's lo, the backends'
# default route via the router, and the servers on :80.
dsr_topo_up() {
	local i ns
	sl_topo_up || return 1
	local c=$SL_NS_CLIENT w=$SL_NS_SWITCH
	ip -n "$c" link add c1 type veth peer name cl netns "$w" || return 1
	sl_if_prep "$c" c1 || return 1
	sl_if_prep "$w" cl || return 1
	ip -n "$c" addr add "$CLIENT2_IP/24" dev c1 || return 1
	ip -n "$w" addr add "$ROUTER2_IP/24" dev cl || return 1
	ip -n "$w" addr add "$ROUTER_IP/24" dev br0 || return 1
	ip -n "$w" route add "$SL_CLIENT_IP/32" via "$CLIENT2_IP" || return 1
	ip netns exec "$w" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.br0.rp_filter=0 \
		net.ipv4.conf.cl.rp_filter=0 || return 1
	# replies from the VIP arrive on c1 while the VIP is routed via c0
	ip netns exec "$c" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.c0.rp_filter=0 \
		net.ipv4.conf.c1.rp_filter=0 || return 1
	for i in 1 2 3; do
		ns=$(bns "$i")
		ip -n "$ns" addr add "$SL_VIP/32" dev lo || return 1
		ip -n "$ns" route replace default via "$ROUTER_IP" dev e0 || return 1
		# the VIP is not theirs to announce; the client's packets come
		# out of tun0 with a source routed via e0
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.e0.arp_ignore=1 \
			net.ipv4.conf.e0.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.e0.rp_filter=0 \
			net.ipv4.tcp_mtu_probing=0 || return 1
	done
	for i in 1 2 3; do server_start "$i" 0.0.0.0 || return 1; done
}

# --- the decapsulator on its own ------------------------------------------------

# selfcheck KIND: decap.py KIND in b1; from the router, scapy sends
# datagrams to VIP:5354 in that encapsulation to b1; b1's echo must come
# back to the router directly. Prints "GOT/SENT EXPECTED_DROPS" and the
# stats line; fails unless every good packet was echoed and every bad
# one dropped.
selfcheck() {
	local kind=$1 out st
	decap_start 1 "$kind" || return 1
	out=$(ip netns exec "$SL_NS_SWITCH" "$SL_PY" - "$kind" "$ROUTER_IP" "$(bip 1)" "$SL_VIP" \
		"$ECHO_PORT" "$GUE_PORT" 2>&1 <<'EOF'
import socket, struct, sys, time
from scapy.all import IP, UDP, GRE, Raw, send, conf
conf.verb = 0
kind, me, b1, vip, eport, gport = sys.argv[1:7]
eport, gport = int(eport), int(gport)
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((me, 0))
rx.settimeout(2)
sport = rx.getsockname()[1]

def inner(tag):
    return IP(src=me, dst=vip) / UDP(sport=sport, dport=eport) / Raw(tag.encode())

good, bad = [], []
if kind == "ipip":
    good.append(("ipip-plain", lambda i: IP(src=me, dst=b1, proto=4) / i))
elif kind == "gre":
    good.append(("gre-plain", lambda i: IP(src=me, dst=b1) / GRE(proto=0x0800) / i))
    good.append(("gre-keyseq", lambda i: IP(src=me, dst=b1)
                 / GRE(proto=0x0800, key_present=1, key=7, seqnum_present=1,
                       sequence_number=9) / i))
    bad.append(("gre-ipv6", lambda i: IP(src=me, dst=b1) / GRE(proto=0x86DD) / i))
elif kind == "gue":
    good.append(("gue-v0", lambda i: IP(src=me, dst=b1) / UDP(sport=40000, dport=gport)
                 / Raw(bytes([0x00, 4, 0, 0]) + bytes(i))))
    bad.append(("gue-proto41", lambda i: IP(src=me, dst=b1) / UDP(sport=40001, dport=gport)
                / Raw(bytes([0x00, 41, 0, 0]) + bytes(i))))
for tag, wrap in good + bad:
    send(wrap(inner(tag)))
got = set()
deadline = time.time() + 3
while time.time() < deadline and len(got) < len(good) + len(bad):
    try:
        data, addr = rx.recvfrom(2048)
    except socket.timeout:
        break
    text = data.decode(errors="replace")
    if addr[0] == vip and text.startswith("b1:"):
        got.add(text[3:])
ngood = len(got & {t for t, _ in good})
nbad = len(got & {t for t, _ in bad})
print("%d/%d echoed, %d of %d bad ones echoed" % (ngood, len(good), nbad, len(bad)))
sys.exit(0 if ngood == len(good) and nbad == 0 else 1)
EOF
	)
	local prc=$?
	kill -USR1 "${DECAP_PID[1]}" 2>/dev/null
	sleep 0.2
	decap_stop 1
	st=${DECAP_STATS[1]:-none}
	echo "$out; decap.py: $st"
	[ "$prc" -eq 0 ] || return 1
	# every packet counted; the bad ones as drops
	local nbad
	case $kind in ipip) nbad=0 ;; *) nbad=1 ;; esac
	[ "$(drops_of "$st")" -eq "$nbad" ]
}

# --- configuration ---------------------------------------------------------------

# write_config FILE MODE ENCAP [EXTRA_SERVICE_LINES]
write_config() {
	local file=$1 mode=$2 encap=$3 extra=${4:-} lcores i
	case $workers in
	1) lcores=0-1 ;;
	*) lcores=0,1,2@1 ;;
	esac
	{
		cat <<EOF
; Sluice end-to-end configuration (generated by test/e2e/dsr.sh)
[eal]
lcores = $lcores
args = --no-pci --no-huge -m 512 --file-prefix $SL_FILE_PREFIX --log-level lib.*:notice

[global]
idle_sleep = 100
stats_interval = 0
flow_capacity = 65536
admin_socket = $sock

[port.outside]
device = net_af_packet0,iface=out
address = $SL_OUT_IP/24

[port.inside]
device = net_af_packet1,iface=in
address = $SL_IN_IP/24
kernel_interface = sl-in
local_address = $LOCAL_IP
mtu = 1500

[service.web]
vip = $SL_VIP
port = $PORT
protocol = tcp
mode = $mode
EOF
		if [ "$mode" = tunnel ]; then
			echo "encap = $encap"
			[ "$encap" = gue ] && echo "gue_port = $GUE_PORT"
		fi
		cat <<EOF
scheduler = maglev
check = tcp
check_interval = $CHECK_MS
check_timeout = $CHECK_MS
check_fall = 2
check_rise = 2
EOF
		[ -z "$extra" ] || printf '%s\n' "$extra"
		for i in 1 2 3; do echo "backend = $(bip "$i"):$BPORT"; done
	} >"$file"
}

# --- the checks of one mode --------------------------------------------------------

# step_requests TAG
step_requests() {
	local tag=$1 out good tally n1 n2 n3 wout reqs bad serr v
	out=$(requests 30)
	good=$(grep -cE '^b[123] 200$' <<<"$out")
	tally=$(sl_tally "$out")
	read -r n1 n2 n3 <<<"$(sed -E 's/b1=([0-9]+) b2=([0-9]+) b3=([0-9]+).*/\1 \2 \3/' <<<"$tally")"
	check "$tag: 30 requests to the VIP answered ($good/30)" [ "$good" -eq 30 ]
	[ "$good" -eq 30 ] || grep -vE '^b[123] 200$' <<<"$out" | sort | uniq -c | head -n 5 | diag
	v=no
	[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ "$n3" -gt 0 ] && v=yes
	check "$tag: maglev spreads them over b1, b2, b3 ($tally)" [ $v = yes ]
	wout=$(sl_exec_client wrk -t2 -c8 -d2s "http://$SL_VIP/name" 2>&1)
	reqs=$(awk '/requests in/ { print $1 }' <<<"$wout")
	bad=$(awk '/Non-2xx/ { print $NF }' <<<"$wout")
	serr=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$wout")
	v=no
	[ "${reqs:-0}" -ge 50 ] && [ -z "$bad" ] && [ "${serr:-0}" -eq 0 ] && v=yes
	check "$tag: wrk, 8 connections for 2 s: ${reqs:-0} requests, no non-2xx${bad:+ ($bad)}, no socket errors${serr:+ ($serr)}" \
		[ $v = yes ]
	[ $v = yes ] || printf '%s\n' "$wout" | diag
}

# step_direct TAG MODE ENCAP
step_direct() {
	local tag=$1 mode=$2 encap=$3 i n_out n_in n_cin n_c1 filt n bfilt tot all foreign sports
	local reply="tcp and src host $SL_VIP and dst host $SL_CLIENT_IP"
	local fine=1
	cap_start "s-out" "$SL_NS_SLUICE" out "tcp and host $SL_VIP" || fine=
	cap_start "s-in" "$SL_NS_SLUICE" in "" || fine=
	cap_start "c1" "$SL_NS_CLIENT" c1 "$reply" || fine=
	case $encap in
	ipip) bfilt="ip proto 4" ;;
	gre) bfilt="ip proto 47" ;;
	gue) bfilt="udp dst port $GUE_PORT" ;;
	*) bfilt="tcp and dst host $SL_VIP and dst port $PORT" ;;
	esac
	for i in 1 2 3; do cap_start "b$i" "$(bns "$i")" e0 -Q in "$bfilt" || fine=; done
	if [ -z "$fine" ]; then
		notok "$tag: captures start"
		for n in s-out s-in c1 b1 b2 b3; do cap_stop "$n"; done
		return
	fi
	good=$(requests 5 | grep -cE '^b[123] 200$')
	for n in s-out s-in c1 b1 b2 b3; do cap_stop "$n"; done
	n_out=$(cap_count s-out "$reply")
	n_in=$(cap_count s-in "$reply")
	n_cin=$(cap_count s-out "tcp and src host $SL_CLIENT_IP and dst host $SL_VIP")
	n_c1=$(cap_count c1)
	check "$tag: 5 requests answered ($good/5)" [ "$good" -eq 5 ]
	v=no
	[ "$n_out" -eq 0 ] && [ "$n_in" -eq 0 ] && [ "$n_cin" -gt 0 ] && v=yes
	check "$tag: no reply crosses Sluice: VIP -> client on out $n_out, on in $n_in (client -> VIP on out: $n_cin)" [ $v = yes ]
	check "$tag: the client receives the replies on c1, from the router ($n_c1 packets)" [ "$n_c1" -gt 0 ]
	tot=0 all='' foreign=0
	for i in 1 2 3; do
		n=$(cap_count "b$i")
		tot=$((tot + n))
		all+="b$i=$n "
	done
	if [ "$mode" = dr ]; then
		local inmac bad=0 bm
		inmac=$(nsmac "$SL_NS_SLUICE" in)
		for i in 1 2 3; do
			bm=$(nsmac "$(bns "$i")" e0)
			# frames from elsewhere than the inside port, or to another MAC
			n=$(cap_read "b$i" -e | awk -v s="$inmac" -v d="${bm}," '$2 != s || $4 != d' | grep -c .)
			bad=$((bad + n))
		done
		v=no
		[ "$tot" -gt 0 ] && [ "$bad" -eq 0 ] && v=yes
		check "$tag: the backends receive the client's frames for $SL_VIP:$PORT from Sluice's inside MAC $inmac to their own (${all% }; $bad others)" [ $v = yes ]
		[ "$bad" -eq 0 ] || cap_read b1 -e | head -n 5 | diag
	else
		for i in 1 2 3; do
			n=$(cap_read "b$i" | awk -v a="$LOCAL_IP" '$2 == "IP" { split($3, x, "."); if (x[1] "." x[2] "." x[3] "." x[4] != a) print }' | grep -c .)
			foreign=$((foreign + n))
		done
		v=no
		[ "$tot" -gt 0 ] && [ "$foreign" -eq 0 ] && v=yes
		check "$tag: the backends receive $encap packets ($bfilt) from $LOCAL_IP only (${all% }; $foreign from elsewhere)" [ $v = yes ]
		[ $v = yes ] || cap_read b1 | head -n 5 | diag
		if [ "$encap" = gue ]; then
			# per inner flow (client address and port), its outer UDP
			# source ports: one per flow, not the same for all flows
			sports=$("$SL_PY" - "$SL_CLIENT_IP" "$GUE_PORT" "$SL_TMP"/b[123].pcap <<'EOF'
import sys
from scapy.all import IP, TCP, UDP, rdpcap
client, gport = sys.argv[1], int(sys.argv[2])
flows = {}
for f in sys.argv[3:]:
    for p in rdpcap(f):
        if UDP not in p or p[UDP].dport != gport:
            continue
        inner = IP(bytes(p[UDP].payload)[4:])
        if inner.src == client and TCP in inner:
            flows.setdefault(inner[TCP].sport, set()).add(p[UDP].sport)
mixed = sum(1 for v in flows.values() if len(v) != 1)
ports = set().union(*flows.values()) if flows else set()
print(len(flows), len(ports), mixed)
EOF
			)
			read -r nfl nsp nmix <<<"$sports"
			v=no
			[ "${nfl:-0}" -ge 5 ] && [ "${nsp:-0}" -ge 2 ] && [ "${nmix:-1}" -eq 0 ] && v=yes
			check "$tag: GUE outer source port from the flow: ${nfl:-0} client connections, ${nsp:-0} distinct outer ports, ${nmix:-?} connections with more than one" \
				[ $v = yes ]
		fi
	fi
}

# step_pmtu TAG ENCAP
step_pmtu() {
	local tag=$1 encap=$2 want res crc sha got
	want=$((1500 - $(overhead "$encap")))
	# no path MTU learned before (here: step_icmp's 1200 on a backend
	# would make it announce a smaller MSS, and the client would never
	# send a packet too big)
	local ns learned=''
	for ns in "$SL_NS_CLIENT" "${SL_NS_BACKENDS[@]}"; do
		ip -n "$ns" route flush cache
		ip -n "$ns" route get "$SL_CLIENT_IP" | grep -q ' mtu ' && learned+="$ns "
		ip -n "$ns" route get "$SL_VIP" | grep -q ' mtu ' && learned+="$ns "
	done
	[ -z "$learned" ] || notok "$tag: no path MTU cached before the upload (in ${learned% })"
	res=$(upload)
	read -r crc sha <<<"$res"
	v=no
	[ "$crc" -eq 0 ] && [ "$sha" = "$SL_BLOB_SHA" ] && v=yes
	check "$tag: 20 MB upload through the VIP completes, sha256 matches (curl $crc)" [ $v = yes ]
	got=$(ip -n "$SL_NS_CLIENT" route get "$SL_VIP" | grep -oE 'mtu [0-9]+' | head -n 1)
	check "$tag: the client learned path MTU $want to the VIP (${got:-no mtu})" [ "$got" = "mtu $want" ]
	[ "$got" = "mtu $want" ] || ip -n "$SL_NS_CLIENT" route get "$SL_VIP" | diag
	ctl show stats
	local sent big
	sent=$(stat_sum "$CTL_OUT" frag_needed)
	big=$(awk '$1 == "drop" && $2 == "too_big" { s += $3 } END { print s + 0 }' "$CTL_OUT")
	check "$tag: show stats: frag_needed $sent sent (drop too_big $big)" [ "$sent" -gt 0 ]
}

# step_icmp TAG MODE
step_icmp() {
	local tag=$1 mode=$2 cport o isn i n res ifc filt others=0 mine=0 seen=''
	for i in 1 2 3; do ip -n "$(bns "$i")" route flush cache; done
	cap_start "syn" "$SL_NS_CLIENT" c1 "tcp and src host $SL_VIP and tcp[tcpflags] & tcp-syn != 0" ||
		{ notok "$tag: capture on c1 starts"; return; }
	sl_http_hold_start icmp name
	if ! cport=$(sl_http_hold_wait icmp); then
		cap_stop syn
		notok "$tag: a connection held open"
		return
	fi
	cap_stop syn
	isn=$(cap_read syn -S "tcp dst port $cport" | grep -oE 'seq [0-9]+' | head -n 1 | grep -oE '[0-9]+')
	if ! o=$(owner "$cport") || [ -z "$isn" ]; then
		notok "$tag: the held connection (port $cport) has an owner (${o:-none}) and a SYN-ACK seen on c1 (${isn:-none})"
		sl_http_hold_finish icmp >/dev/null
		return
	fi
	setup "$tag: connection from port $cport held open on b$o (its ISN $isn)"
	if [ "$mode" = dr ]; then
		ifc=e0 filt="icmp and dst host $SL_VIP"
	else
		ifc=tun0 filt="icmp and dst host $SL_VIP"
	fi
	for i in 1 2 3; do cap_start "i$i" "$(bns "$i")" "$ifc" "$filt"; done
	res=$(sl_exec_client "$SL_PY" - "$SL_CLIENT_IP" "$SL_VIP" "$cport" "$((isn + 1))" 2>&1 <<'EOF'
import sys
from scapy.all import IP, ICMP, TCP, send, conf
conf.verb = 0
cli, vip, cport, seq = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) & 0xFFFFFFFF
# what the router would quote: the backend's 1500-byte segment to the client
q = IP(src=vip, dst=cli, len=1500, flags="DF", ttl=63) / TCP(sport=80, dport=cport, seq=seq, flags="A")
send(IP(src=cli, dst=vip) / ICMP(type=3, code=4, nexthopmtu=1200) / bytes(q)[:40])
print("sent")
EOF
	)
	for i in 1 2 3; do cap_stop "i$i"; done
	for i in 1 2 3; do
		n=$(cap_count "i$i" 'icmp[icmptype] == 3 and icmp[icmpcode] == 4')
		seen+="b$i=$n "
		if [ "$i" = "$o" ]; then mine=$n; else others=$((others + n)); fi
	done
	v=no
	[ "$mine" -ge 1 ] && [ "$others" -eq 0 ] && v=yes
	check "$tag: ICMP frag-needed to the VIP quoting b$o's connection reaches b$o ($ifc) and no other backend (${seen% }; $res)" [ $v = yes ]
	local pm
	pm=$(ip -n "$(bns "$o")" route get "$SL_CLIENT_IP" | grep -oE 'mtu [0-9]+' | head -n 1)
	check "$tag: b$o took it: path MTU to the client ${pm:-not set} (mtu 1200 wanted)" [ "$pm" = "mtu 1200" ]
	body=$(sl_http_hold_finish icmp)
	check "$tag: the held connection completes ($body)" [ "$body" = "b$o" ]
}

# step_health_tunnel TAG ENCAP
step_health_tunnel() {
	local tag=$1 encap=$2 b2 t out tally
	b2=$(bip 2)
	t=$(sl_wait_state "$b2" active 2000)
	check "$tag: all checks pass: b2 active (${t}${t:+ ms})" [ "$(be_state "$b2")" = active ]
	decap_stop 2
	if t=$(sl_wait_state "$b2" down 3000); then
		ok "$tag: b2's decapsulator stopped: b2 down after $t ms"
	else
		notok "$tag: b2's decapsulator stopped: b2 down within 3 s (state $t)"
	fi
	for i in 1 3; do
		st=$(be_state "$(bip "$i")")
		[ "$st" = active ] || notok "$tag: b$i stays active while b2 is down ($st)"
	done
	out=$(requests 12)
	tally=$(sl_tally "$out")
	check "$tag: with b2 down, 12 requests answered by b1 and b3 only ($tally)" \
		[ "$(grep -cE '^b[13] 200$' <<<"$out")" -eq 12 ]
	decap_start 2 "$encap" || notok "$tag: b2's decapsulator starts again"
	if t=$(sl_wait_state "$b2" active 3000); then
		ok "$tag: b2's decapsulator running again: b2 active after $t ms"
	else
		notok "$tag: b2's decapsulator running again: b2 active within 3 s (state $t)"
	fi
}

# step_health_dr TAG: b2's server on its own address only.
step_health_dr() {
	local tag=$1 b2 t st out tally
	b2=$(bip 2)
	check "$tag: all checks pass: b2 active" [ "$(be_state "$b2")" = active ]
	server_stop 2
	server_start 2 "$b2" || { notok "$tag: b2's server on $b2:$PORT starts"; return; }
	if t=$(sl_wait_state "$b2" down 3000); then
		ok "$tag: b2 serving only $b2:$PORT, not the VIP: b2 down after $t ms"
	else
		notok "$tag: b2 serving only $b2:$PORT, not the VIP: b2 down within 3 s (state $t)"
	fi
	st="$(be_state "$(bip 1)") $(be_state "$(bip 3)")"
	check "$tag: b1 and b3 (serving 0.0.0.0:$PORT) stay active ($st)" [ "$st" = "active active" ]
	out=$(requests 12)
	tally=$(sl_tally "$out")
	check "$tag: with b2 down, 12 requests answered by b1 and b3 only ($tally)" \
		[ "$(grep -cE '^b[13] 200$' <<<"$out")" -eq 12 ]
}

# upload_check PID WHAT: wait for the background upload (curl PID, output
# in up.out, errors in up.err) and check it completed with the blob's
# sha256.
upload_check() {
	local pid=$1 what=$2 crc sha p keep=() v=no
	wait "$pid"
	crc=$?
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	sha=$(head -c 64 "$SL_TMP/up.out")
	[ "$crc" -eq 0 ] && [ "$sha" = "$SL_BLOB_SHA" ] && v=yes
	check "$what: curl $crc, sha256 matches" [ $v = yes ]
	[ "$crc" -eq 0 ] || diag <"$SL_TMP/up.err"
}

# step_restart TAG CONF: Sluice restarted under an upload.
step_restart() {
	local tag=$1 conf=$2 up_pid res t0 ms
	rm -f "$SL_TMP/up.out"
	# not through sl_exec_client: $! must be curl itself
	ip netns exec "$SL_NS_CLIENT" curl -s --max-time 90 --limit-rate 2M -T "$SL_TMP/blob" \
		"http://$SL_VIP/up" >"$SL_TMP/up.out" 2>"$SL_TMP/up.err" &
	up_pid=$!
	SL_PIDS+=("$up_pid")
	sleep 3
	if ! sl_pid_alive "$up_pid"; then
		notok "$tag: the rate-limited upload still runs after 3 s"
		sl_pid_stop "$up_pid"
		return
	fi
	t0=${EPOCHREALTIME//[!0-9]/}
	sl_sluice_stop
	setup "$tag: Sluice stopped during the upload (status $SL_SLUICE_RC)"
	if ! sl_test_sluice_start "$tag: Sluice starts again with the same configuration" \
		"$bin" "$conf" "${SL_SLUICE_LOG%.log}-2.log"; then
		sl_pid_stop "$up_pid"
		return
	fi
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	setup "$tag: Sluice ready again $ms ms after the stop"
	upload_check "$up_pid" "$tag: the upload survives the restart"
	ctl show stats
	local mid
	mid=$(stat_sum "$CTL_OUT" conns_midstream)
	check "$tag: the restarted Sluice took the upload up in mid-stream (conns_midstream $mid)" \
		[ "$mid" -ge 1 ]
}

# run_full: a full flow table (see the header).
run_full() {
	local tag="dr/full-table" conf=$SL_TMP/sluice-full.ini up_pid i res v
	local full sl n_ok out
	write_config "$conf" dr ""
	sed -i 's/^flow_capacity = .*/flow_capacity = 1024\ntimeout_tcp_syn = 120/' "$conf"
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$SL_TMP/sluice-full.log"; then
		return
	fi
	for i in 1 2 3; do sl_wait_state "$(bip "$i")" active 3000 >/dev/null; done
	rm -f "$SL_TMP/up.out"
	ip netns exec "$SL_NS_CLIENT" curl -s --max-time 90 --limit-rate 4M -T "$SL_TMP/blob" \
		"http://$SL_VIP/up" >"$SL_TMP/up.out" 2>"$SL_TMP/up.err" &
	up_pid=$!
	SL_PIDS+=("$up_pid")
	sleep 0.5
	res=$(ip netns exec "$SL_NS_CLIENT" "$SL_PY" - "$(nsmac "$SL_NS_SLUICE" out)" "$SL_VIP" "$PORT" <<'EOF' 2>&1
import random, sys
from scapy.all import Ether, IP, TCP, sendp, get_if_hwaddr
dmac, vip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
eth = Ether(src=get_if_hwaddr("c0"), dst=dmac)
pkts = [eth / IP(src="10.99.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255)), dst=vip) /
        TCP(sport=rnd.randrange(1024, 65535), dport=port, flags="S", seq=rnd.randrange(1 << 32))
        for _ in range(3000)]
sendp(pkts, iface="c0", verbose=False)
print("sent %d" % len(pkts))
EOF
	)
	setup "$tag: SYN flood from spoofed sources: $res"
	ctl show stats
	full=$(sed -nE 's/.* ([0-9]+) flows, busy .*/\1/p' "$CTL_OUT" | awk '{ s += $1 } END { print s + 0 }')
	out=$(requests 20)
	n_ok=$(grep -cE '^b[123] 200$' <<<"$out")
	check "$tag: with the tables full, 20 new requests answered ($n_ok/20: $(sl_tally "$out"))" \
		[ "$n_ok" -eq 20 ]
	upload_check "$up_pid" "$tag: the upload under way completes"
	ctl show stats
	sl=$(stat_sum "$CTL_OUT" stateless)
	v=no
	[ "$sl" -gt 0 ] && [ "$(stat_sum "$CTL_OUT" flow_full)" -eq 0 ] &&
		[ "$full" -eq $((1024 * workers)) ] && v=yes
	check "$tag: new connections forwarded by hash without records (stateless $sl, flow_full $(stat_sum "$CTL_OUT" flow_full); the tables held $full records, full: $((1024 * workers)))" \
		[ $v = yes ]
	[ $v = yes ] || diag <"$CTL_OUT"
	sl_test_sluice_stop "$tag" "$SL_SLUICE_LOG"
}

# run_mode MODE ENCAP
run_mode() {
	local mode=$1 encap=$2 tag conf log i st d
	tag=$mode${encap:+/$encap}
	conf=$SL_TMP/sluice-${mode}${encap:+-$encap}.ini
	log=$SL_TMP/sluice-${mode}${encap:+-$encap}.log
	if [ "$mode" = tunnel ]; then
		for i in 1 2 3; do decap_start "$i" "$encap" || notok "$tag: decap.py $encap starts in b$i"; done
	fi
	write_config "$conf" "$mode" "$encap"
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$log"; then
		for i in 1 2 3; do decap_stop "$i"; done
		return
	fi
	setup "$tag: sluice ready (pid $SL_SLUICE_PID, $workers worker(s))"

	step_requests "$tag"
	step_direct "$tag" "$mode" "$encap"
	[ "$mode" = tunnel ] && step_pmtu "$tag" "$encap"
	step_icmp "$tag" "$mode"
	if [ "$mode" = tunnel ]; then
		step_health_tunnel "$tag" "$encap"
		[ "$encap" = ipip ] && step_restart "$tag" "$conf"
	else
		step_health_dr "$tag"
	fi
	ctl show stats
	[ "$rc" -ne 0 ] || { echo "# $tag: show stats:"; diag <"$CTL_OUT"; }
	sl_test_sluice_stop "$tag" "$SL_SLUICE_LOG"

	if [ "$mode" = dr ]; then
		# check_target = backend: the same b2 (own address only) passes
		conf=$SL_TMP/sluice-dr-backend.ini
		write_config "$conf" dr "" "check_target = backend"
		if sl_test_sluice_start "$tag: sluice ready (check_target = backend)" \
			"$bin" "$conf" "$SL_TMP/sluice-dr-backend.log"; then
			# fall 2 x 200 ms: a failing check would show within 1.5 s
			if st=$(sl_stays_state "$(bip 2)" active 1500); then
				ok "$tag: check_target = backend: b2 (serving $(bip 2):$PORT only) stays active for 1.5 s"
			else
				notok "$tag: check_target = backend: b2 stays active (now $st)"
			fi
			sl_test_sluice_stop "$tag (check_target = backend)" "$SL_SLUICE_LOG"
		fi
		server_stop 2
		server_start 2 0.0.0.0 || notok "$tag: b2's server on 0.0.0.0:$PORT starts again"
	else
		for i in 1 2 3; do
			[ -n "${DECAP_PID[$i]:-}" ] && kill -USR1 "${DECAP_PID[$i]}" 2>/dev/null
		done
		sleep 0.2
		d=0 st=''
		for i in 1 2 3; do
			decap_stop "$i"
			d=$((d + $(drops_of "${DECAP_STATS[$i]:-}")))
			st+="b$i: ${DECAP_STATS[$i]#stats }; "
		done
		check "$tag: the decapsulators dropped nothing ($d; ${st%; })" [ "$d" -eq 0 ]
	fi
}

# --- main -------------------------------------------------------------------------

echo "# e2e direct server return (dr, tunnel), $workers worker(s), namespaces ${SL_PFX}-*"
if ! dsr_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
sl_kernel_interfaces inside
setup "topology up: the switch routes the backends' replies to the client's c1"

# the replies' path, without Sluice: b1 -> router -> c1 (the answer to
# the ping would need Sluice: only its arrival counts)
if cap_start path "$SL_NS_CLIENT" c1 "icmp and src host $SL_VIP" &&
	{ ip netns exec "$(bns 1)" ping -c 1 -W 1 -I "$SL_VIP" "$SL_CLIENT_IP" >/dev/null 2>&1; :; } &&
	cap_stop path && [ "$(cap_count path)" -ge 1 ]; then
	setup "b1 reaches the client's c1 from the VIP through the router"
else
	notok "b1 reaches the client's c1 from the VIP through the router"
fi

for k in ipip gre gue; do
	case $RUNS in *" $k "*) ;; *) continue ;; esac
	if res=$(selfcheck "$k"); then
		setup "decap.py $k on its own: $res"
	else
		notok "decap.py $k on its own: $res"
	fi
done

case $RUNS in *" dr "*) run_mode dr "" ;; esac
for k in ipip gue gre; do
	case $RUNS in *" $k "*) run_mode tunnel "$k" ;; esac
done
case $RUNS in *" full "*) run_full ;; esac

sl_test_finish
