#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of "explain this flow": the live `trace` command and
# `sluice --replay`. One worker, a maglev NAT service over three
# backends. Both links of Sluice are captured (the client's side and the
# backends' switch port) while the client makes connections; a live
# trace of the client names, for a new connection, the backend that
# answered it; a trace of the service names the drop reason of an ACK
# that belongs to no connection. Then the captures are replayed offline
# through the same packet path: it must send the same frames, byte for
# byte, and --explain must name the live run's backend for every
# connection, and the drop reason of a malformed frame.
#
# Usage: test/e2e/replay.sh SLUICE_BIN SLUICECTL_BIN
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"
bin=${1:-}
ctl=${2:-}
sl_test_usage "SLUICE_BIN SLUICECTL_BIN" "$bin" "$ctl"
sl_test_require_root
bin=$(sl_abspath "$bin")
ctl=$(sl_abspath "$ctl")

sl_init "slr$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
sock=$SL_TMP/sluice.sock
sl_test_topo_up
sl_write_config_services "$conf" 1 "admin_socket = $sock" <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
mode = nat
scheduler = maglev
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[2]}:$SL_HTTP_PORT
EOF
sl_test_sluice_start "sluice ready" "$bin" "$conf" "$log" || sl_test_finish
ctlx() { "$ctl" -s "$sock" "$@"; }

# capture both links from outside Sluice: what reaches it and what it sends
cap_pids=()
cap_start() { # NS IFACE FILE
	local t
	ip netns exec "$1" tcpdump -U -n -i "$2" -w "$3" 2>"$3.log" &
	SL_PIDS+=($!)
	cap_pids+=($!)
	for ((t = 0; t < 50; t++)); do
		grep -q "listening on" "$3.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
check "tcpdump captures the client's link" cap_start "$SL_NS_CLIENT" c0 "$SL_TMP/out.pcap"
check "tcpdump captures the backends' switch port" cap_start "$SL_NS_SWITCH" lb "$SL_TMP/in.pcap"

# live trace of the client while it makes one connection
ctlx trace "$SL_CLIENT_IP" count 4 timeout 10 >"$SL_TMP/trace1" 2>&1 &
tpid=$!
sleep 0.5
name=$(sl_http name)
wait "$tpid"
trace1=$(cat "$SL_TMP/trace1")
diag <<<"$trace1"
be_ip=none
case $name in b1|b2|b3) be_ip=${SL_BACKEND_IPS[$((${name#b} - 1))]} ;; esac
check "live trace: 4 packets of the client traced" grep -q "^4 packet(s) traced" <<<"$trace1"
check "live trace: the SYN is a new connection, maglev's pick, to the backend that answered (${name:-none}, $be_ip)" \
	grep -qE "$SL_CLIENT_IP:[0-9]+ > $SL_VIP:80 tcp \[S\]; service web \(nat\); forwarded; new connection, scheduler maglev hash [0-9a-f]+ slot [0-9]+ of [0-9]+ -> backend $be_ip:$SL_HTTP_PORT;.* rewritten $SL_CLIENT_IP:[0-9]+ > $be_ip:$SL_HTTP_PORT; out inside" <<<"$trace1"
check "live trace: the backend's SYN-ACK is a reply rewritten from the VIP" \
	grep -qE "$be_ip:$SL_HTTP_PORT > $SL_CLIENT_IP:[0-9]+ tcp \[SA\]; service web \(nat\); forwarded; reply of a connection -> backend $be_ip:$SL_HTTP_PORT; connection syn_recv; rewritten $SL_VIP:80 > $SL_CLIENT_IP:[0-9]+; out outside" <<<"$trace1"

# a trace of the service sees an ACK of no connection dropped
ctlx trace web count 1 timeout 10 >"$SL_TMP/trace2" 2>&1 &
tpid=$!
sleep 0.5
sl_exec_client "$SL_PY" -c "
from scapy.all import IP, TCP, send
send(IP(src='$SL_CLIENT_IP', dst='$SL_VIP')/TCP(sport=33333, dport=80, flags='A', seq=1, ack=1), verbose=0)"
wait "$tpid"
trace2=$(cat "$SL_TMP/trace2")
diag <<<"$trace2"
check "live trace of the service: the stray ACK is dropped as no_flow" \
	grep -qE "$SL_CLIENT_IP:33333 > $SL_VIP:80 tcp \[A\]; service web \(nat\); dropped: no_flow \(" <<<"$trace2"
out=$(ctlx trace nosuch 2>&1)
check "trace of an unknown name is refused ($out)" grep -q "neither a service nor" <<<"$out"
out=$(ctlx trace web count 0 2>&1)
check "trace count 0 is refused ($out)" grep -q "not a number from 1" <<<"$out"

# more connections, one malformed frame (bad IP checksum), then stop
for i in $(seq 1 11); do sl_http name >/dev/null; done
sl_exec_client "$SL_PY" -c "
from scapy.all import IP, TCP, send
send(IP(src='$SL_CLIENT_IP', dst='$SL_VIP', chksum=0x1234)/TCP(sport=44444, dport=80, flags='S'), verbose=0)"
# the client's kernel may ask for the VIP's MAC first: wait until the
# frame is on the wire (in the capture), not a fixed time
for ((i = 0; i < 100; i++)); do
	tcpdump -nn -r "$SL_TMP/out.pcap" 2>/dev/null | grep -q "\.44444 > " && break
	sleep 0.1
done
[ "$i" -lt 100 ] || echo "# the malformed frame did not reach the capture within 10 s"
sleep 0.2
kill "${cap_pids[@]}" 2>/dev/null
wait "${cap_pids[@]}" 2>/dev/null
lost=$(ctlx --json show stats 2>/dev/null | grep -o '"trace_lost":[0-9]*' | head -n 1)
check "no verdict lost (${lost:-trace_lost not shown})" [ "${lost:-x}" = '"trace_lost":0' ]
sl_test_sluice_stop "live run" "$log"

# offline: the two captures through the same path
"$bin" --replay "$SL_TMP/out.pcap@outside" --replay "$SL_TMP/in.pcap@inside" -c "$conf" \
	--explain --out "$SL_TMP/replay.pcap" >"$SL_TMP/explain.txt" 2>"$SL_TMP/replay.log"
rc=$?
check "sluice --replay exits 0 ($rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || diag <"$SL_TMP/replay.log"
tail -n 3 "$SL_TMP/explain.txt" | diag
check "--explain names the malformed frame's drop reason" \
	grep -qE "$SL_CLIENT_IP:44444 > $SL_VIP:80 tcp .*; dropped: bad_ip_csum \(" "$SL_TMP/explain.txt"
check "--explain names the stray ACK's drop reason" \
	grep -qE "$SL_CLIENT_IP:33333 > $SL_VIP:80 tcp \[A\]; service web \(nat\); dropped: no_flow" "$SL_TMP/explain.txt"
res=$("$SL_PY" "$here/replay_compare.py" "$SL_TMP/out.pcap" "$SL_TMP/in.pcap" \
	"$SL_TMP/replay.pcap" "$SL_TMP/explain.txt" "$SL_CLIENT_IP" 2>&1)
echo "$res"
passed=$((passed + $(grep -c "^ok - " <<<"$res")))
failed=$((failed + $(grep -c "^not ok - " <<<"$res")))
grep -q "^ok - " <<<"$res" || notok "replay comparison ran ($(tail -n 1 <<<"$res"))"
out=$("$bin" --replay /nonexistent.pcap -c "$conf" 2>&1)
check "a missing capture is a clear error ($(tail -n 1 <<<"$out"))" grep -q "nonexistent.pcap" <<<"$out"
sl_test_finish
