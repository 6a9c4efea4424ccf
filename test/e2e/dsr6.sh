#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of direct server return over IPv6: "mode = dr" (Sluice
# rewrites only the MACs) and "mode = tunnel" with "encap = ipip" (IPv6 in
# IPv6, next header 41), "gre" (next header 47, protocol 0x86dd) and "gue"
# (UDP to port 6080 with its checksum, GUE protocol 41), from Sluice's
# local address 2001:db8:1::5 to the backend). Only client -> VIP packets cross Sluice; the backends hold the
# VIP on lo and answer the client directly, through a router that does
# not involve Sluice:
#
#   client ns                  sluice ns                  switch ns (router)        backend ns (x3)
#   c0 2001:db8::2/64 -------- out [sluice] in ---------- lb ] br0 2001:db8:1::fe [ bN -- e0 2001:db8:1::1N/64
#   c1 2001:db8:9::2/64 ------------------------------------- cl 2001:db8:9::1/64    lo 2001:db8::100/128 (VIP)
#   (replies from the VIP                                 IPv6 forwarding on,       default via 2001:db8:1::fe
#    arrive on c1)                                        2001:db8::2 via c1
#
# lib.sh turns IPv6 off everywhere; it is turned on again for the client,
# the router's br0 and cl, the backends (and their tun0) and, in Sluice's
# namespace, the kernel interface of the inside port (sl-in, for the
# health checks), never for the DPDK ports' kernel side (out, in). No
# router advertisements are accepted, addresses skip duplicate address
# detection.
#
# The test kernel has no ip6_tunnel, ip6_gre or fou6 module: in tunnel
# mode every backend runs decap.py ipip6, gre6 or gue6, which takes the
# inner IPv6 packet from a raw socket of protocol 41 or 47 or a UDP socket
# (the kernel verifies the UDP checksum) and writes it to a TUN device
# (tun0). Each backend serves
# HTTP on [::]:80 (GET: its files, "name" = bN).
#
# One Sluice per mode: dr, tunnel/ipip, tunnel/gre, tunnel/gue; service web6
# [2001:db8::100]:80/TCP, scheduler maglev, check = tcp every 200 ms
# (timeout 200, fall 2, rise 2) through sl-in, check_target left at its
# default (vip: the checks reach the VIP through each backend, as the
# clients' packets do), backends [2001:db8:1::1N]:80. For each:
#   1. 30 requests to http://[2001:db8::100]/name all answered, every
#      backend gets some.
#   2. No reply crosses Sluice: during 5 requests, captures on Sluice's
#      out and in see no TCP packet from the VIP to the client (and out
#      does see the client's packets to the VIP), the client's c1 sees the
#      replies. dr: the backends receive frames for the VIP from the inside
#      MAC to their own; tunnel: they receive IPv6 packets of next header
#      41 (47, UDP to 6080 with a correct checksum) from 2001:db8:1::5
#      only, hop limit 64, to their own address, holding the client's
#      packets (or the checks') to the VIP.
#   3. Health through the VIP: every backend active; b1 receives the
#      checks as packets from Sluice's 2001:db8:1::1 to [VIP]:80 (dr: on
#      e0; tunnel: on tun0, decapsulated), their FINs included, and none
#      to its own address. b2's server serving [2001:db8:1::12]:80 only,
#      not the VIP: b2 goes down within 3 s (a few check intervals) and
#      stays down, b1 and b3 stay active, 12 requests answered by b1 and
#      b3 only; serving [::]:80 again: b2 active within 3 s. (dr) With
#      check_target = backend (own Sluice start) the same b2 serving its
#      own address only stays active.
#   4. (dr) Restart: Sluice stopped 3 s into a rate-limited 20 MB upload
#      and started again with the same configuration: the upload completes
#      (Maglev schedules the connection's packets to the same backend),
#      its sha256 matches, the new Sluice counts a connection taken up in
#      mid-stream (conns_midstream).
#   Each Sluice exits 0 on SIGTERM; the decapsulators dropped nothing.
#
# Usage: test/e2e/dsr6.sh SLUICE_BIN SLUICECTL_BIN [WORKERS]   (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configurations, logs, captures).

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
workers=${3:-1}
sl_test_require_workers "$workers"
SL_TEST_LOG_LINES=60

sl_init "sd6$$"
sock=$SL_TMP/sluice.sock
DECAP=$here/decap.py

CLIENT6=2001:db8::2
OUT6=2001:db8::1
IN6=2001:db8:1::1
VIP6=2001:db8::100
LOCAL6=2001:db8:1::5       # Sluice's outer source address (tunnel)
ROUTER6=2001:db8:1::fe     # the switch namespace, the backends' gateway
CLIENT2_6=2001:db8:9::2    # the client's second leg, toward the router
ROUTER2_6=2001:db8:9::1
BACKEND6=(2001:db8:1::11 2001:db8:1::12 2001:db8:1::13)
PORT=80
CHECK_MS=200

# --- helpers ------------------------------------------------------------------

bns() { echo "${SL_NS_BACKENDS[$(($1 - 1))]}"; }
bip6() { echo "${BACKEND6[$(($1 - 1))]}"; }
nsmac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }

# ipv6_on NS IF...: IPv6 on for those interfaces of NS, no router
# advertisements accepted, no duplicate address detection (not even for
# the link-local addresses, which neighbour discovery needs at once).
ipv6_on() {
	local ns=$1 ifc args=()
	shift
	for ifc in "$@"; do
		args+=("net.ipv6.conf.$ifc.accept_dad=0" "net.ipv6.conf.$ifc.accept_ra=0"
			"net.ipv6.conf.$ifc.disable_ipv6=0")
	done
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.default.accept_ra=0 "${args[@]}" >/dev/null
}

# server_start I [ADDR]: backend I's server on [ADDR]:80 (default ::,
# every address, the VIP included); waits until it answers on the
# backend's own IPv6 address.
declare -A SRV_PID=()
server_start() {
	local i=$1 addr=${2:-::} ns t
	ns=$(bns "$i")
	ip netns exec "$ns" "$SL_PY" "$here/put_server.py" "b$i" "$SL_TMP/www$i" "$addr" "$PORT" \
		</dev/null >>"$SL_TMP/server$i.log" 2>&1 &
	SRV_PID[$i]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		[ "$(ip netns exec "$ns" curl -6 -g -s --max-time 1 "http://[$(bip6 "$i")]:$PORT/name")" = "b$i" ] &&
			return 0
		sl_pid_alive "${SRV_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "server b$i did not start:"
	tail -n 20 "$SL_TMP/server$i.log" >&2
	return 1
}

server_stop() { sl_pid_stop "${SRV_PID[$1]:-}"; unset "SRV_PID[$1]"; }

# decap_start I KIND: decap.py KIND (ipip6, gre6, gue6) in backend I;
# waits for its "ready".
declare -A DECAP_PID=()
decap_start() {
	local i=$1 kind=$2 f=$SL_TMP/decap$1.log t
	: >"$f"
	ip netns exec "$(bns "$i")" "$SL_PY" "$DECAP" "$kind" --tun tun0 </dev/null >"$f" 2>&1 &
	DECAP_PID[$i]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		grep -q '^ready' "$f" && return 0
		sl_pid_alive "${DECAP_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "decap.py $kind in b$i did not start:"
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
	tr ' ' '\n' <<<"${1#stats }" | awk -F= '$1 != "rx" && $1 != "tx" && $1 !~ /^(ipip|gre|gue)6$/ { s += $2 } END { print s + 0 }'
}

# cap_start NAME NS IFACE [TCPDUMP_ARGS...] FILTER: tcpdump into
# $SL_TMP/NAME.pcap; waits until it listens. cap_stop NAME;
# cap_read NAME [TCPDUMP_ARGS...] [FILTER]; cap_count likewise.
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

# stat_sum FILE NAME: the sum of the counter NAME over the workers.
stat_sum() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$1"
}

# be_state ADDR: the state of backend [ADDR]:80 of service web6.
be_state() {
	ctl --json show backends web6
	[ "$rc" -eq 0 ] || { echo "error"; return; }
	"$SL_PY" - "$CTL_OUT" "$1" "$PORT" <<'EOF'
import ipaddress, json, sys
r = json.load(open(sys.argv[1]))
r = r.get("result", r) if isinstance(r, dict) else r
want = ipaddress.ip_address(sys.argv[2])
for b in r:
    a = str(b.get("address", "")).strip("[]")
    try:
        same = ipaddress.ip_address(a) == want
    except ValueError:
        same = False
    if same and int(b.get("port")) == int(sys.argv[3]):
        print(b.get("state"))
        break
else:
    print("absent")
EOF
}

# requests N: N requests for /name to [VIP6]:80, a line each "BODY CODE".
requests() {
	local i
	for ((i = 0; i < $1; i++)); do
		sl_exec_client curl -6 -g -s --max-time 3 -w ' %{http_code}\n' "http://[$VIP6]:$PORT/name"
	done
}

# --- topology -----------------------------------------------------------------

# dsr6_topo_up: lib.sh's topology, IPv6 on where it is used, the switch
# made an IPv6 router toward a second leg of the client, the VIP on every
# backend's lo, the backends' default route via the router, the servers.
dsr6_topo_up() {
	local i ns c=$SL_NS_CLIENT w=$SL_NS_SWITCH s=$SL_NS_SLUICE
	sl_topo_up || return 1
	ip -n "$c" link add c1 type veth peer name cl netns "$w" || return 1
	sl_if_prep "$c" c1 || return 1
	sl_if_prep "$w" cl || return 1

	ipv6_on "$c" lo c0 c1 || return 1
	ip -n "$c" -6 addr add "$CLIENT6/64" dev c0 nodad || return 1
	ip -n "$c" -6 addr add "$CLIENT2_6/64" dev c1 nodad || return 1

	# the router: IPv6 on its two legs only, not on the bridge ports
	ipv6_on "$w" lo br0 cl || return 1
	ip netns exec "$w" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null || return 1
	ip -n "$w" -6 addr add "$ROUTER6/64" dev br0 nodad || return 1
	ip -n "$w" -6 addr add "$ROUTER2_6/64" dev cl nodad || return 1
	ip -n "$w" -6 route add "$CLIENT6/128" via "$CLIENT2_6" dev cl || return 1

	# Sluice's namespace: IPv6 for the TAP sl-in made at start ("default"),
	# the DPDK ports' kernel side stays without it
	ip netns exec "$s" sysctl -qw net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.lo.disable_ipv6=0 net.ipv6.conf.out.disable_ipv6=1 \
		net.ipv6.conf.in.disable_ipv6=1 >/dev/null || return 1

	for i in 1 2 3; do
		ns=$(bns "$i")
		# "default": tun0, made later by decap.py, gets IPv6 too
		ipv6_on "$ns" default lo e0 || return 1
		ip -n "$ns" -6 addr add "$(bip6 "$i")/64" dev e0 nodad || return 1
		ip -n "$ns" -6 addr add "$VIP6/128" dev lo nodad || return 1
		ip -n "$ns" -6 route add default via "$ROUTER6" dev e0 || return 1
	done
	for i in 1 2 3; do server_start "$i" || return 1; done
}

# --- configuration ---------------------------------------------------------------

# write_config FILE MODE [ENCAP] [EXTRA]: EXTRA, a line for the service
write_config() {
	local file=$1 mode=$2 encap=${3:-ipip} extra=${4:-} lcores i
	case $workers in
	1) lcores=0-1 ;;
	*) lcores=0,1,2@1 ;;
	esac
	{
		cat <<EOF
; Sluice end-to-end configuration (generated by test/e2e/dsr6.sh)
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
address = $OUT6/64

[port.inside]
device = net_af_packet1,iface=in
address = $SL_IN_IP/24
address = $IN6/64
kernel_interface = sl-in
mtu = 1500
EOF
		[ "$mode" = tunnel ] && echo "local_address = $LOCAL6"
		cat <<EOF

[service.web6]
vip = $VIP6
port = $PORT
protocol = tcp
mode = $mode
EOF
		[ "$mode" = tunnel ] && echo "encap = $encap"
		cat <<EOF
scheduler = maglev
check = tcp
check_interval = $CHECK_MS
check_timeout = $CHECK_MS
check_fall = 2
check_rise = 2
EOF
		[ -n "$extra" ] && echo "$extra"
		for i in 1 2 3; do echo "backend = [$(bip6 "$i")]:$PORT"; done
	} >"$file"
}

# --- the checks of one mode --------------------------------------------------------

# step_requests TAG
step_requests() {
	local tag=$1 out good tally n1 n2 n3 v
	out=$(requests 30)
	good=$(grep -cE '^b[123] 200$' <<<"$out")
	tally=$(sl_tally "$out")
	read -r n1 n2 n3 <<<"$(sed -E 's/b1=([0-9]+) b2=([0-9]+) b3=([0-9]+).*/\1 \2 \3/' <<<"$tally")"
	check "$tag: 30 requests to [$VIP6] answered ($good/30)" [ "$good" -eq 30 ]
	[ "$good" -eq 30 ] || grep -vE '^b[123] 200$' <<<"$out" | sort | uniq -c | head -n 5 | diag
	v=no
	[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ "$n3" -gt 0 ] && v=yes
	check "$tag: maglev spreads them over b1, b2, b3 ($tally)" [ $v = yes ]
}

# step_direct TAG MODE [ENCAP]
step_direct() {
	local tag=$1 mode=$2 encap=${3:-ipip} i n n_out n_in n_cin n_c1 bfilt tot=0 all='' fine=1 good v
	local reply="ip6 and tcp and src host $VIP6 and dst host $CLIENT6"
	cap_start "s-out" "$SL_NS_SLUICE" out "ip6 and host $VIP6" || fine=
	cap_start "s-in" "$SL_NS_SLUICE" in || fine=
	cap_start "c1" "$SL_NS_CLIENT" c1 "$reply" || fine=
	if [ "$mode" = tunnel ]; then
		case $encap in
		gre) bfilt="ip6 proto 47" ;;
		gue) bfilt="ip6 and udp dst port 6080" ;;
		*) bfilt="ip6 proto 41" ;;
		esac
	else
		bfilt="ip6 and tcp and dst host $VIP6 and dst port $PORT"
	fi
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
	n_cin=$(cap_count s-out "ip6 and tcp and src host $CLIENT6 and dst host $VIP6")
	n_c1=$(cap_count c1)
	check "$tag: 5 requests answered ($good/5)" [ "$good" -eq 5 ]
	v=no
	[ "$n_out" -eq 0 ] && [ "$n_in" -eq 0 ] && [ "$n_cin" -gt 0 ] && v=yes
	check "$tag: no reply crosses Sluice: VIP -> client on out $n_out, on in $n_in (client -> VIP on out: $n_cin)" [ $v = yes ]
	check "$tag: the client receives the replies on c1, from the router ($n_c1 packets)" [ "$n_c1" -gt 0 ]
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
		check "$tag: the backends receive the client's frames for [$VIP6]:$PORT from Sluice's inside MAC $inmac to their own (${all% }; $bad others)" [ $v = yes ]
		[ "$bad" -eq 0 ] || cap_read b1 -e | head -n 5 | diag
	else
		# per backend: packets of the tunnel; of them, those not from
		# LOCAL6 with hop limit 64 to the backend's own address holding
		# (behind a GRE header of protocol 0x86dd, or UDP to 6080 with a
		# correct checksum and a GUE header of protocol 41) a TCP packet
		# from the client (or, a health check, from Sluice's IN6) to the VIP
		local res foreign=0 f
		res=$("$SL_PY" - "$encap" "$LOCAL6" "$CLIENT6" "$VIP6" "$PORT" "$IN6" \
			"$SL_TMP/b1.pcap" "$(bip6 1)" "$SL_TMP/b2.pcap" "$(bip6 2)" \
			"$SL_TMP/b3.pcap" "$(bip6 3)" <<'EOF'
import struct, sys
from scapy.all import IPv6, TCP, UDP, in6_chksum, rdpcap
encap, local, client, vip, port, check = sys.argv[1:5] + [int(sys.argv[5]), sys.argv[6]]
args = sys.argv[7:]
nh = {"ipip": 41, "gre": 47, "gue": 17}[encap]
out = []


def inner(o):
    raw = bytes(o.payload)[:o.plen]
    if encap == "gre":
        if raw[:4] != b"\x00\x00\x86\xdd":
            return None
        return IPv6(raw[4:])
    if encap == "gue":
        u = o[UDP]
        if u.dport != 6080 or u.len != len(raw) or raw[8:12] != b"\x00\x29\x00\x00":
            return None
        zeroed = raw[:6] + b"\x00\x00" + raw[8:]
        want = in6_chksum(17, o, zeroed) or 0xffff
        if struct.unpack("!H", raw[6:8])[0] != want:
            return None
        return IPv6(raw[12:])
    return IPv6(raw)


for f, me in zip(args[0::2], args[1::2]):
    n = bad = 0
    for p in rdpcap(f):
        if IPv6 not in p:
            continue
        o = p[IPv6]
        n += 1
        i = inner(o) if o.nh == nh else None
        if not (o.src == local and o.dst == me and o.hlim == 64 and i is not None
                and i.src in (client, check) and i.dst == vip
                and TCP in i and i[TCP].dport == port):
            bad += 1
    out.append("%d %d" % (n, bad))
print(" ".join(out))
EOF
		)
		read -r -a f <<<"$res"
		all=''
		tot=0
		for i in 1 2 3; do
			all+="b$i=${f[$((2 * i - 2))]:-?} "
			tot=$((tot + ${f[$((2 * i - 2))]:-0}))
			foreign=$((foreign + ${f[$((2 * i - 1))]:-1}))
		done
		v=no
		[ "$tot" -gt 0 ] && [ "$foreign" -eq 0 ] && v=yes
		check "$tag: the backends receive $encap over IPv6 ($bfilt, hop limit 64) from $LOCAL6 to their own address, holding the client's packets to [$VIP6]:$PORT (${all% }; $foreign others)" [ $v = yes ]
		[ $v = yes ] || cap_read b1 -v | head -n 6 | diag
	fi
}

# step_health TAG MODE: checks through the VIP; b2's server on its own
# address only, then on every address again.
step_health() {
	local tag=$1 mode=$2 b2 t st out tally ifc n_vip n_fin n_own v
	b2=$(bip6 2)
	if t=$(sl_wait_state "$b2" active 2000); then
		ok "$tag: checks through the VIP pass: b2 active ($t ms)"
	else
		notok "$tag: checks through the VIP pass: b2 active (state $t)"
	fi
	# what reaches b1 from Sluice's kernel side over four check intervals:
	# to the VIP (on tun0 once decapsulated), never to b1's own address,
	# not even a check's closing segments
	ifc=e0
	[ "$mode" = tunnel ] && ifc=tun0
	if cap_start "chk" "$(bns 1)" "$ifc" -Q in "ip6 and tcp and src host $IN6 and dst host $VIP6 and port $PORT" &&
		cap_start "own" "$(bns 1)" e0 -Q in "ip6 and tcp and src host $IN6 and dst host $(bip6 1)"; then
		sleep "$(awk -v ms="$CHECK_MS" 'BEGIN { print ms * 4 / 1000 }')"
		cap_stop chk
		cap_stop own
		# TCP flags: byte 13 of the header after 40 bytes of IPv6
		n_vip=$(cap_count chk "ip6[53] & 2 != 0")
		n_fin=$(cap_count chk "ip6[53] & 1 != 0")
		n_own=$(cap_count own)
		v=no
		[ "$n_vip" -ge 2 ] && [ "$n_fin" -ge 1 ] && [ "$n_own" -eq 0 ] && v=yes
		check "$tag: b1 receives the checks on $ifc addressed to [$VIP6]:$PORT ($n_vip SYNs, $n_fin FINs in $((CHECK_MS * 4)) ms), none to its own address ($n_own)" [ $v = yes ]
		[ $v = yes ] || { cap_read chk | head -n 6; cap_read own | head -n 6; } | diag
	else
		notok "$tag: captures of the checks on b1 start"
		cap_stop chk
		cap_stop own
	fi
	server_stop 2
	server_start 2 "$b2" || { notok "$tag: b2's server on [$b2]:$PORT starts"; return; }
	if t=$(sl_wait_state "$b2" down 3000); then
		ok "$tag: b2 serving only [$b2]:$PORT, not the VIP: b2 down after $t ms"
	else
		notok "$tag: b2 serving only [$b2]:$PORT, not the VIP: b2 down within 3 s (state $t)"
	fi
	# not only the moment its server was away: rise 2 x 200 ms would
	# bring it back within 1 s if the checks passed
	if st=$(sl_stays_state "$b2" down 1000); then
		ok "$tag: b2 serving only [$b2]:$PORT stays down for 1 s"
	else
		notok "$tag: b2 serving only [$b2]:$PORT stays down (now $st)"
	fi
	grep -F "backend [$b2]:$PORT is down" "$SL_SLUICE_LOG" | tail -n 1 | diag
	st="$(be_state "$(bip6 1)") $(be_state "$(bip6 3)")"
	check "$tag: b1 and b3 (serving [::]:$PORT) stay active ($st)" [ "$st" = "active active" ]
	out=$(requests 12)
	tally=$(sl_tally "$out")
	check "$tag: with b2 down, 12 requests answered by b1 and b3 only ($tally)" \
		[ "$(grep -cE '^b[13] 200$' <<<"$out")" -eq 12 ]
	server_stop 2
	server_start 2 || notok "$tag: b2's server on [::]:$PORT starts again"
	if t=$(sl_wait_state "$b2" active 3000); then
		ok "$tag: b2 serving the VIP again: b2 active after $t ms"
	else
		notok "$tag: b2 serving the VIP again: b2 active within 3 s (state $t)"
	fi
}

# step_check_backend TAG MODE: check_target = backend (own Sluice
# start): b2 serving its own address only stays active.
step_check_backend() {
	local tag=$1 mode=$2 conf st
	conf=$SL_TMP/sluice-$mode-backend.ini
	write_config "$conf" "$mode" "" "check_target = backend"
	server_stop 2
	server_start 2 "$(bip6 2)" || { notok "$tag: b2's server on [$(bip6 2)]:$PORT starts"; return; }
	if sl_test_sluice_start "$tag: sluice ready (check_target = backend)" \
		"$bin" "$conf" "$SL_TMP/sluice-$mode-backend.log"; then
		if st=$(sl_wait_state "$(bip6 2)" active 3000); then
			# fall 2 x 200 ms: a failing check would show within 1.5 s
			if st=$(sl_stays_state "$(bip6 2)" active 1500); then
				ok "$tag: check_target = backend: b2 (serving [$(bip6 2)]:$PORT only) stays active for 1.5 s"
			else
				notok "$tag: check_target = backend: b2 stays active (now $st)"
			fi
		else
			notok "$tag: check_target = backend: b2 (serving [$(bip6 2)]:$PORT only) active within 3 s (state $st)"
		fi
		sl_test_sluice_stop "$tag (check_target = backend)" "$SL_SLUICE_LOG"
	fi
	server_stop 2
	server_start 2 || notok "$tag: b2's server on [::]:$PORT starts again"
}

# step_restart TAG CONF: Sluice restarted under an upload.
step_restart() {
	local tag=$1 conf=$2 up_pid crc sha t0 ms p keep=() mid v
	rm -f "$SL_TMP/up.out"
	# not through sl_exec_client: $! must be curl itself
	ip netns exec "$SL_NS_CLIENT" curl -6 -g -s --max-time 90 --limit-rate 2M -T "$SL_TMP/blob" \
		"http://[$VIP6]:$PORT/up" >"$SL_TMP/up.out" 2>"$SL_TMP/up.err" &
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
	wait "$up_pid"
	crc=$?
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$up_pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	sha=$(head -c 64 "$SL_TMP/up.out")
	v=no
	[ "$crc" -eq 0 ] && [ "$sha" = "$SL_BLOB_SHA" ] && v=yes
	check "$tag: the upload survives the restart: curl $crc, sha256 matches" [ $v = yes ]
	[ "$crc" -eq 0 ] || diag <"$SL_TMP/up.err"
	ctl show stats
	mid=$(stat_sum "$CTL_OUT" conns_midstream)
	check "$tag: the restarted Sluice took the upload up in mid-stream (conns_midstream $mid)" \
		[ "$mid" -ge 1 ]
}

# run_mode MODE [ENCAP]
run_mode() {
	local mode=$1 encap=${2:-ipip} tag conf log i d st
	tag=${mode}6
	[ "$mode" = tunnel ] && tag=tunnel6/$encap
	conf=$SL_TMP/sluice-$mode-$encap.ini
	log=$SL_TMP/sluice-$mode-$encap.log
	if [ "$mode" = tunnel ]; then
		for i in 1 2 3; do
			decap_start "$i" "${encap}6" || notok "$tag: decap.py ${encap}6 starts in b$i"
		done
	fi
	write_config "$conf" "$mode" "$encap"
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$log"; then
		for i in 1 2 3; do decap_stop "$i"; done
		return
	fi
	setup "$tag: sluice ready (pid $SL_SLUICE_PID, $workers worker(s))"
	# the checks must pass before requests go to every backend
	for i in 1 2 3; do sl_wait_state "$(bip6 "$i")" active 3000 >/dev/null; done

	step_requests "$tag"
	step_direct "$tag" "$mode" "$encap"
	step_health "$tag" "$mode"
	[ "$mode" = dr ] && step_restart "$tag" "$conf"
	ctl show stats
	[ "$rc" -ne 0 ] || { echo "# $tag: show stats:"; diag <"$CTL_OUT"; }
	sl_test_sluice_stop "$tag" "$SL_SLUICE_LOG"

	if [ "$mode" = tunnel ]; then
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
	[ "$mode" = dr ] && step_check_backend "$tag" "$mode"
}

# --- main -------------------------------------------------------------------------

echo "# e2e direct server return over IPv6 (dr, tunnel), $workers worker(s), namespaces ${SL_PFX}-*"
if ! dsr6_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
sl_kernel_interfaces inside
setup "topology up: the switch routes the backends' IPv6 replies to the client's c1"

# the replies' path, without Sluice: b1 -> router -> c1 (the answer to
# the ping would need Sluice: only its arrival counts)
if cap_start path "$SL_NS_CLIENT" c1 "icmp6 and src host $VIP6" &&
	{ ip netns exec "$(bns 1)" ping -6 -c 1 -W 1 -I "$VIP6" "$CLIENT6" >"$SL_TMP/path.ping" 2>&1; :; } &&
	cap_stop path && [ "$(cap_count path)" -ge 1 ]; then
	setup "b1 reaches the client's c1 from [$VIP6] through the router"
else
	notok "b1 reaches the client's c1 from [$VIP6] through the router"
	diag <"$SL_TMP/path.ping"
fi

run_mode dr
run_mode tunnel ipip
run_mode tunnel gre
run_mode tunnel gue

sl_test_finish
