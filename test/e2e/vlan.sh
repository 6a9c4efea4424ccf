#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of 802.1Q VLANs: Sluice's outside port on VLAN 100.
#
#   client ns              tagger ns                     sluice ns
#   c0 10.0.0.2/24 ---- t1 [bridge: push/pop VLAN 100] t0 ---- out [sluice] in ---- switch, 3 backends
#        (untagged)                                    (tagged)      vlan = 100
#
# The standard topology of lib.sh with a VLAN bridge between the client
# and Sluice. The kernel here has no 8021q module, so the bridge is a
# small program on raw sockets: frames from the client get tag 100 on
# their way to Sluice; frames from Sluice must carry tag 100, lose it and
# go to the client, and anything else (untagged, another VLAN id) is
# counted and dropped. tcpdump records the tagged link as well.
#
# Checks:
#   1. HTTP and UDP through the VIP, ARP for the VIP and for Sluice's own
#      address answered (the client learns Sluice's MAC through the
#      tagged link), ping to the VIP answered by the workers and ping to
#      Sluice's own address answered by the kernel behind the exception
#      path (its replies leave through the management lcore);
#   2. every frame Sluice sent on the tagged link carried tag 100 (the
#      bridge's counts and the tcpdump capture agree);
#   3. frames from the tagged side with another VLAN id, or untagged, are
#      dropped and counted (vlan_mismatch, vlan_untagged), and Sluice
#      keeps working.
#
# Usage: test/e2e/vlan.sh SLUICE_BIN [WORKERS]     (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (config, Sluice log, capture).

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_workers "$@"   # sets bin, workers
SL_TEST_LOG_LINES=60

VID=100
OTHER_VID=7

sl_init "slv$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
stats=$SL_TMP/bridge.stats
pcap=$SL_TMP/tagged.pcap
ns_t=${SL_PFX}-t

echo "# e2e VLAN $VID on the outside port, $workers worker(s), namespaces ${SL_PFX}-*"

# The VLAN bridge: tagged side TAGGED, untagged side PLAIN. The kernel
# takes the tag off what a raw socket receives and reports it in
# PACKET_AUXDATA; a tag still in the frame counts too.
cat >"$SL_TMP/bridge.py" <<'EOF'
import json, os, select, signal, socket, struct, sys

vid, tagged_if, plain_if, sluice_mac, stats = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
    bytes.fromhex(sys.argv[4].replace(":", "")), sys.argv[5]
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID, PACKET_OUTGOING = 263, 8, 0x10, 4
AUX = struct.Struct("IIIHHHH")
count = {"to_sluice": 0, "from_sluice_ok": 0, "from_sluice_untagged": 0,
         "from_sluice_other_vid": 0, "from_sluice_arp": 0}

def open_if(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((name, 0))
    return s

def save():
    with open(stats + ".tmp", "w") as f:
        json.dump(count, f)
    os.replace(stats + ".tmp", stats)

def recv(s):
    """(frame without tag, VLAN id or None), or None for our own frames."""
    data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUX.size))
    if addr[2] == PACKET_OUTGOING:
        return None
    tag = None
    for level, kind, cdata in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= AUX.size:
            st, _, _, _, _, tci, _ = AUX.unpack(cdata[:AUX.size])
            if st & TP_STATUS_VLAN_VALID:
                tag = tci & 0xfff
    if tag is None and data[12:14] == b"\x81\x00":
        tag = struct.unpack("!H", data[14:16])[0] & 0xfff
        data = data[:12] + data[16:]
    return data, tag

signal.signal(signal.SIGTERM, lambda *a: (save(), sys.exit(0)))
t, p = open_if(tagged_if), open_if(plain_if)
save()
while True:
    r, _, _ = select.select([t, p], [], [])
    if p in r:
        got = recv(p)
        if got is not None:
            frame, _ = got
            t.send(frame[:12] + struct.pack("!HH", 0x8100, vid) + frame[12:])
            count["to_sluice"] += 1
    if t in r:
        got = recv(t)
        if got is None:
            continue
        frame, tag = got
        if frame[6:12] != sluice_mac:
            continue
        if tag is None:
            count["from_sluice_untagged"] += 1
        elif tag != vid:
            count["from_sluice_other_vid"] += 1
        else:
            count["from_sluice_ok"] += 1
            if frame[12:14] == b"\x08\x06":
                count["from_sluice_arp"] += 1
            p.send(frame)
        save()
EOF

# topo_vlan_up: lib.sh's topology, then the client moved behind the bridge.
topo_vlan_up() {
	local i
	sl_topo_up || return 1
	# removing c0 removes its peer, Sluice's "out", too
	ip -n "$SL_NS_CLIENT" link del c0 || return 1
	sl_ns_add "$ns_t" || return 1
	ip -n "$ns_t" link add t0 type veth peer name out netns "$SL_NS_SLUICE" || return 1
	ip -n "$ns_t" link add t1 type veth peer name c0 netns "$SL_NS_CLIENT" || return 1
	sl_if_prep "$ns_t" t0 || return 1
	sl_if_prep "$ns_t" t1 || return 1
	sl_if_prep "$SL_NS_CLIENT" c0 || return 1
	sl_if_prep "$SL_NS_SLUICE" out || return 1
	# tags stay in the frames where the driver lets them
	for i in t0 t1; do
		ip netns exec "$ns_t" ethtool -K "$i" rxvlan off txvlan off >/dev/null 2>&1
	done
	ip netns exec "$SL_NS_SLUICE" ethtool -K out rxvlan off txvlan off >/dev/null 2>&1
	ip -n "$SL_NS_CLIENT" addr add "$SL_CLIENT_IP/24" dev c0
	ip -n "$SL_NS_CLIENT" route add default via "$SL_OUT_IP"
	ip netns exec "$ns_t" "$SL_PY" "$SL_TMP/bridge.py" "$VID" t0 t1 "$(sl_out_mac)" "$stats" \
		</dev/null >"$SL_TMP/bridge.log" 2>&1 &
	SL_PIDS+=($!)
	bridge_pid=$!
	ip netns exec "$ns_t" tcpdump -i t0 -U -w "$pcap" >"$SL_TMP/tcpdump.log" 2>&1 &
	SL_PIDS+=($!)
	tcpdump_pid=$!
	for i in $(seq 50); do
		[ -s "$stats" ] && grep -q listening "$SL_TMP/tcpdump.log" && return 0
		sleep 0.1
	done
	sl_log "bridge or tcpdump did not start:"
	cat "$SL_TMP/bridge.log" "$SL_TMP/tcpdump.log" >&2
	return 1
}

if ! topo_vlan_up; then
	notok "topology set up"
	sl_test_finish
fi
ok "topology set up (client, VLAN $VID bridge, sluice, 3 backends)"

# the exception path on the outside port: the kernel answers for 10.0.0.1
sl_kernel_interfaces outside
sl_write_config "$conf" "$workers"
sed -i "/^\[port.outside\]/a vlan = $VID" "$conf"
sl_test_sluice_start "sluice ready" "$bin" "$conf" "$log" || sl_test_finish
ok "sluice ready (pid $SL_SLUICE_PID), outside port on VLAN $VID"

bstat() { "$SL_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$stats" "$1"; }

# 1. traffic through the tagged link
ip -n "$SL_NS_CLIENT" neigh flush dev c0
seen=
for i in $(seq 9); do
	seen="$seen$(sl_http name) "
done
check "9 HTTP requests through the VIP over VLAN $VID: $seen" \
	[ "$(printf '%s\n' $seen | grep -cE '^b[123]$')" -eq 9 ]
udp=$(sl_udp_exchange 6)
check "6 UDP datagrams through the VIP answered" [ "$(printf '%s\n' "$udp" | grep -c '^ok ')" -eq 6 ]
vip_mac=$(ip -n "$SL_NS_CLIENT" neigh show "$SL_VIP" dev c0 | awk '{print $3}')
check "ARP for the VIP answered over VLAN $VID (client has $SL_VIP at ${vip_mac:-nothing})" \
	[ "$vip_mac" = "$(sl_out_mac)" ]
check "ARP replies from sluice on the tagged link: $(bstat from_sluice_arp)" \
	[ "$(bstat from_sluice_arp)" -ge 1 ]
out=$(sl_exec_client ping -c 3 -i 0.3 -W 2 "$SL_VIP" 2>&1)
check "ping $SL_VIP: 3 replies" grep -q '3 received' <<<"$out"
out=$(sl_exec_client ping -c 3 -i 0.3 -W 2 "$SL_OUT_IP" 2>&1)
check "ping $SL_OUT_IP (the kernel behind the exception path): 3 replies" \
	grep -q '3 received' <<<"$out"
own_mac=$(ip -n "$SL_NS_CLIENT" neigh show "$SL_OUT_IP" dev c0 | awk '{print $3}')
check "ARP for $SL_OUT_IP answered over VLAN $VID (${own_mac:-nothing})" \
	[ "$own_mac" = "$(sl_out_mac)" ]

# 3. wrong VLAN id and untagged frames from the tagged side
inj=$(ip netns exec "$ns_t" "$SL_PY" - "$(sl_out_mac)" "$SL_VIP" "$OTHER_VID" <<'EOF' 2>&1
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, Dot1Q, IP, TCP, sendp
mac, vip, other = sys.argv[1], sys.argv[2], int(sys.argv[3])
syn = IP(src="10.0.0.2", dst=vip) / TCP(sport=41000, dport=80, flags="S")
sendp(Ether(dst=mac, src="02:00:00:00:07:07") / Dot1Q(vlan=other) / syn, iface="t0", count=3, verbose=0)
sendp(Ether(dst=mac, src="02:00:00:00:07:07") / syn, iface="t0", count=2, verbose=0)
print("sent 5")
EOF
)
check "frames on VLAN $OTHER_VID and untagged sent to sluice ($(printf '%s' "$inj" | tail -n 1))" \
	[ "$(printf '%s' "$inj" | tail -n 1)" = "sent 5" ]
sleep 0.5
body=$(sl_http name)
check "sluice still answers after them (got '${body}')" [ -n "$body" ]

sl_sluice_stop
check "sluice exits 0 on SIGTERM (status ${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]
kill -TERM "$bridge_pid" "$tcpdump_pid" 2>/dev/null
wait "$bridge_pid" "$tcpdump_pid" 2>/dev/null

# 2. what sluice sent on the tagged link
ok_n=$(bstat from_sluice_ok)
bad=$(($(bstat from_sluice_untagged) + $(bstat from_sluice_other_vid)))
# all_of N M: N > 0 and M = N
all_of() { [ "$1" -gt 0 ] && [ "$2" -eq "$1" ]; }
check "bridge: $ok_n frames from sluice with tag $VID, $bad untagged or on another VLAN" \
	all_of "$((ok_n + bad))" "$ok_n"
mac=$(sl_out_mac)
all=$(tcpdump -r "$pcap" -nn -e "ether src $mac" 2>/dev/null | wc -l)
tagged=$(tcpdump -r "$pcap" -nn -e "ether src $mac" 2>/dev/null | grep -c "vlan $VID,")
check "tcpdump on the tagged link: $tagged of $all frames from sluice tagged $VID" \
	all_of "$all" "$tagged"

counter() { # counter REGEX: last number of the last line matching REGEX
	grep -E "$1" "$log" | tail -n 1 | grep -oE '[0-9]+$'
}
n=$(counter "(^|[[:space:]])drop vlan_mismatch [0-9]+\$")
check "drop counter vlan_mismatch >= 3 (${n:-absent})" [ "${n:-0}" -ge 3 ]
n=$(counter "(^|[[:space:]])drop vlan_untagged [0-9]+\$")
check "drop counter vlan_untagged >= 2 (${n:-absent})" [ "${n:-0}" -ge 2 ]

echo "# bridge: $(cat "$stats")"
echo "# exit counters:"
grep -E '(^|[[:space:]])drop ' "$log" | diag
sl_test_finish
